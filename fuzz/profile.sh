#!/bin/sh
# Where a libFuzzer target's time goes: run it under `perf record` from a
# fresh copy of its seeds (dictionary and options file as in the campaign),
# then split the samples by who spent them.
#
#   fuzz/profile.sh [-s SECONDS] [-v 0|1] BINARY TARGET
#
# BINARY is a libFuzzer build of TARGET (build/fuzz/libfuzzer/<target>, or
# build/fuzz/libfuzzer/control run as s2b_any with TARGET s2b_any). Prints
# the exec rate and the share of the samples in:
#   engine      libFuzzer itself (fuzzer::*, its libm calls): mutation,
#               feature collection and the Entropic bookkeeping
#   hooks       the coverage callbacks (__sanitizer_cov_*) that the
#               instrumented codec's comparisons call
#   sanitizers  the ASan/UBSan runtime (allocator, checks, interceptors)
#   libc        memcpy, memset and the rest of libc
#   libcrypto   hashing and MACs
#   kernel      page faults and system calls
#   code        the codec and the harness (everything else in BINARY)
# and two bounds with the same features per execution: "code-free", the rate
# if the code, its coverage callbacks and libcrypto took no time (what no
# change to the codec or the harness can exceed under the same sanitizers),
# and "engine-bound", the rate if everything but libFuzzer's own work took
# no time.
# Needs perf (Debian: apt-get install -y linux-perf) and a kernel that lets
# this user sample (kernel.perf_event_paranoid <= 2).
set -eu
cd "$(dirname "$0")/.."
secs=20 vp=0
while getopts s:v: o; do
    case $o in
    s) secs=$OPTARG ;;
    v) vp=$OPTARG ;;
    *) sed -n '6p' "$0" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -eq 2 ] || { sed -n '6p' "$0" >&2; exit 2; }
bin=$1 t=$2
command -v perf >/dev/null 2>&1 || { echo "profile.sh: perf not found; install it: apt-get install -y linux-perf" >&2; exit 2; }
[ -x "$bin" ] || { echo "profile.sh: no binary $bin (make fuzz-build)" >&2; exit 2; }
dict=$(sed -e 's/#.*//' fuzz/targets.txt | awk -v t="$t" 'NF>=4 && $1==t {print "fuzz/dict/" $3 ".dict"}')
[ -n "$dict" ] || { echo "profile.sh: $t is not in fuzz/targets.txt" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus"
# shellcheck disable=SC2046 # the options file's flags are one word each
perf record -q -o "$work/perf.data" "$bin" -dict="$dict" $(fuzz/options_flags.sh "fuzz/options/$t.options") \
    -use_value_profile="$vp" -max_total_time="$secs" -print_final_stats=1 "$work/corpus" "corpus/$t" \
    >"$work/log" 2>&1 || { tail -20 "$work/log" >&2; exit 1; }
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log" | tail -1)
perf report -q -i "$work/perf.data" --no-children --sort dso,sym -g none --percent-limit 0 --stdio 2>/dev/null |
    awk -v bin="$(basename "$bin")" -v rate="$rate" -v t="$t" -v vp="$vp" -v secs="$secs" '
    {
        pct = $1; sub(/%/, "", pct); dso = $2
        sym = $0; sub(/^[^]]*\] /, "", sym)
        if (dso ~ /kernel/) c = "kernel"
        else if (dso ~ /^libcrypto/) c = "libcrypto"
        else if (dso ~ /^libm[.-]/) c = "engine"
        else if (dso ~ /^libc[.-]/ || dso ~ /vdso/) c = "libc"
        else if (sym ~ /^fuzzer::/ || sym ~ /__Fuzzer/) c = "engine"
        else if (sym ~ /^__sanitizer_cov_/) c = "hooks"
        else if (sym ~ /^(__asan|__sanitizer|__ubsan|__lsan|__interceptor|__interception|___interceptor)/) c = "sanitizers"
        else if (dso == bin) c = "code"
        else c = "libc"
        share[c] += pct; total += pct
    }
    END {
        printf "%s: %d exec/s over %d s, -use_value_profile=%d\n", t, rate, secs, vp
        n = split("engine hooks sanitizers libc libcrypto kernel code", k, " ")
        for (i = 1; i <= n; i++) printf "  %-11s %5.1f %%\n", k[i], share[k[i]] * 100 / total
        c = 1 - (share["code"] + share["hooks"] + share["libcrypto"]) / total
        if (c > 0) printf "  code-free:    %d exec/s\n", rate / c
        e = share["engine"] / total
        if (e > 0) printf "  engine-bound: %d exec/s\n", rate / e
    }'
