#!/bin/sh
# Exec rates of fuzz targets as ClusterFuzzLite runs them: fuzz/oss-fuzz/build.sh
# with OSS-Fuzz's variables (clang, -O1 -gline-tables-only, the sanitizers,
# -fsanitize=fuzzer-no-link, LIB_FUZZING_ENGINE=-fsanitize=fuzzer), every
# binary started from a fresh copy of its seed zip, with its dictionary and
# options file, two at a time, beside the control (fuzz/control.c) run first
# and last as the baseline (fuzz/campaign.sh --oss).
#
#   fuzz/oss-fuzz/speed.sh [-k] [-s SECONDS] [-v 0|1] [-S SANITIZERS] [-N CHECKS] WORKDIR [TARGET...]
#
# -s  seconds per target (default 150)
# -v  -use_value_profile (default 1, as ClusterFuzz often runs)
# -S  the -fsanitize list (default address,undefined)
# -N  the -fno-sanitize list (default: FZ_NOSAN of fuzz/fuzz.mk, the UBSan
#     checks the local fuzzing builds leave out; -N '' for none)
# -k  keep the binaries of an earlier run in WORKDIR/out (same sanitizers)
# Without targets: s2b_any b2s_any hmac_roundtrip sl_set_subscriptions.
set -eu
cd "$(dirname "$0")/../.."
secs=150 vp=1 san=address,undefined keep=
nosan=$(sed -n 's/^FZ_NOSAN *:= *//p' fuzz/fuzz.mk)
while getopts ks:v:S:N: o; do
    case $o in
    k) keep=1 ;;
    s) secs=$OPTARG ;;
    v) vp=$OPTARG ;;
    S) san=$OPTARG ;;
    N) nosan=$OPTARG ;;
    *) sed -n '9,18p' "$0" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { sed -n '9,18p' "$0" >&2; exit 2; }
work=$1; shift
[ $# -gt 0 ] || set -- s2b_any b2s_any hmac_roundtrip sl_set_subscriptions
mkdir -p "$work/out"
out=$(cd "$work/out" && pwd)
sans="-fsanitize=$san${nosan:+ -fno-sanitize=$nosan}"
if [ -z "$keep" ] || [ ! -x "$out/control" ] || [ "$(cat "$work/sanitizers" 2>/dev/null)" != "$sans" ]; then
    rm -rf "$out"; mkdir -p "$out"
    flags="-O1 -fno-omit-frame-pointer -gline-tables-only $sans -fno-sanitize-recover=all -fsanitize=fuzzer-no-link"
    CC=clang CXX=clang++ CFLAGS="$flags" CXXFLAGS="$flags" LIB_FUZZING_ENGINE=-fsanitize=fuzzer \
        OUT="$out" LPSP_FUZZ_CONTROL=1 fuzz/oss-fuzz/build.sh
    echo "$sans" >"$work/sanitizers"
fi
echo "OSS-Fuzz build ($sans), $secs s per target, -use_value_profile=$vp"
FUZZ_FLAGS="-use_value_profile=$vp" exec fuzz/campaign.sh --oss "$out" "$secs" "$work" "$@"
