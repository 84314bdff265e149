#!/bin/sh
# The [libfuzzer] settings of a target's options file as libFuzzer flags
# ("max_len = 1024" becomes -max_len=1024). ClusterFuzz and OSS-Fuzz read
# <target>.options next to the binary themselves; the local runs
# (make fuzz-<target>, fuzz/campaign.sh) pass the flags this prints.
#
#   fuzz/options_flags.sh fuzz/options/<target>.options
set -eu
[ -f "$1" ] || { echo "options_flags: no options file $1" >&2; exit 1; }
awk '/^\[/ { sec = $0; next }
     sec == "[libfuzzer]" && /=/ {
         k = $0; sub(/[ \t]*=.*/, "", k); v = $0; sub(/^[^=]*=[ \t]*/, "", v)
         gsub(/[ \t]+$/, "", v); if (k != "") printf "-%s=%s\n", k, v }' "$1"
