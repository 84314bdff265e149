#!/bin/sh
# Run libFuzzer targets for a fixed time, two at a time (one per core), and
# print one table row per target.
#
#   fuzz/campaign.sh [--smoke] [--oss OUT] [--fresh] SECONDS BUILDDIR TARGET...
#
# Campaign mode: the local build (BUILDDIR/libfuzzer/<target>); new inputs
# accumulate in BUILDDIR/work/<target>, read beside corpus/<target> and
# corpus/grown/<target>; logs in BUILDDIR/campaign/<target>.log. --fresh
# empties the work directories first: what earlier campaigns found (with
# value profiling, thousands of inputs) changes the engine's work per
# execution, so rates are comparable only from the same start. Every target
# runs with the flags of its options file (fuzz/options/<target>.options:
# max_len, the same file ClusterFuzz reads), then the flags in $FUZZ_FLAGS
# (e.g. -use_value_profile=1).
# Smoke mode (CI): a throwaway work directory per run.
# OSS mode (--oss OUT): the binaries fuzz/oss-fuzz/build.sh wrote to OUT, run
# as ClusterFuzz runs them: each from a fresh corpus directory unpacked from
# OUT/<target>_seed_corpus.zip (where its new inputs go), with OUT's
# dictionary and options file and ClusterFuzz's -timeout and -rss_limit_mb;
# logs in BUILDDIR/oss/<target>.log (fuzz/oss-fuzz/speed.sh drives this).
#
# Crashes are saved under fuzz/crashes/<target>/ with a reproduce command;
# the exit status is 1 when any target crashed. Campaign and OSS modes also
# name the targets whose exec rate is under LPSP_FUZZ_EXEC_FLOOR (default
# 100000, the project's bar); that is a report, not a failure, since the
# rate depends on the machine. When the control binary exists
# (BUILDDIR/libfuzzer/control or OUT/control, built from fuzz/control.c: one
# lpsp_parse, no oracle), those modes run it first and last, as s2b_any, as
# the baseline of the same run: the table gives every target's rate as a
# ratio to the mean of the two control runs.
set -eu
cd "$(dirname "$0")/.."

# Internal: one target (run by the parallel loop below).
if [ "${1:-}" = "--one" ]; then
    mode=$2; secs=$3; fz=$4; oss=$5; t=$6
    logdir=$fz/$mode
    as=$t
    # The control runs (control-first, control-last) are run as s2b_any.
    case $t in control-*) as=s2b_any ;; esac
    mkdir -p "fuzz/crashes/$t"
    set -- -timeout=10 -rss_limit_mb=2048
    if [ -n "$oss" ]; then
        bin=$oss/$as; dict=$oss/$as.dict; opts=$oss/$as.options
        case $t in control-*) bin=$oss/control ;; esac
        work=$logdir/corpus-$t
        rm -rf "$work"
        python3 -m zipfile -e "$oss/${as}_seed_corpus.zip" "$work"
        set -- -timeout=25 -rss_limit_mb=2560 "$work"
    else
        bin=$fz/libfuzzer/$as
        case $t in control-*) bin=$fz/libfuzzer/control ;; esac
        dict=$(sed -e 's/#.*//' fuzz/targets.txt | awk -v t="$as" 'NF>=4 && $1==t {print "fuzz/dict/" $3 ".dict"}')
        opts=fuzz/options/$as.options
        work=$fz/work/$t
        if [ "$mode" = smoke ]; then work=$logdir/work-$t; rm -rf "$work"; fi
        if [ -n "${LPSP_FUZZ_FRESH:-}" ]; then rm -rf "$work"; fi
        mkdir -p "$work"
        set -- "$@" "$work" "corpus/$as"
        if [ -d "corpus/grown/$as" ]; then set -- "$@" "corpus/grown/$as"; fi
    fi
    # shellcheck disable=SC2046,SC2086 # word splitting of the flag lists is intended
    "$bin" -dict="$dict" $(fuzz/options_flags.sh "$opts") ${FUZZ_FLAGS:-} -max_total_time="$secs" \
        -print_final_stats=1 -artifact_prefix="fuzz/crashes/$t/" "$@" >"$logdir/$t.log" 2>&1 || true
    exit 0
fi

mode=campaign
oss=""
if [ "${1:-}" = "--smoke" ]; then mode=smoke; shift; fi
if [ "${1:-}" = "--oss" ]; then mode=oss; oss=$(cd "$2" && pwd); shift 2; fi
if [ "${1:-}" = "--fresh" ]; then LPSP_FUZZ_FRESH=1; export LPSP_FUZZ_FRESH; shift; fi
secs=$1; fz=$2; shift 2
logdir=$fz/$mode
rm -rf "$logdir"; mkdir -p "$logdir"

control=""
case $mode in
campaign) [ ! -x "$fz/libfuzzer/control" ] || control=1 ;;
oss) [ ! -x "$oss/control" ] || control=1 ;;
esac
{
    [ -z "$control" ] || echo control-first
    for t in "$@"; do echo "$t"; done
    [ -z "$control" ] || echo control-last
} | xargs -P 2 -n 1 "$0" --one "$mode" "$secs" "$fz" "$oss"
[ -z "${FUZZ_FLAGS:-}" ] || echo "libFuzzer flags: ${FUZZ_FLAGS}"

rate() { sed -n 's/^stat::average_exec_per_sec: *//p' "$logdir/$1.log" 2>/dev/null | tail -1; }
base=""
if [ -n "$control" ]; then
    c1=$(rate control-first); c2=$(rate control-last)
    if [ -n "$c1" ] && [ -n "$c2" ]; then
        base=$(((c1 + c2) / 2))
        echo "control (one lpsp_parse, run as s2b_any): $c1 exec/s first, $c2 last; baseline $base"
    fi
fi

fail=0
floor=${LPSP_FUZZ_EXEC_FLOOR:-100000}
under=""
printf '%-30s %10s %8s %7s %8s %8s %s\n' target exec/s /control edges corpus crashes ""
for t in "$@"; do
    log=$logdir/$t.log
    execs=$(rate "$t")
    ratio=-
    if [ -n "$base" ] && [ "$base" -gt 0 ] && [ -n "$execs" ]; then
        ratio=$(awk -v a="$execs" -v b="$base" 'BEGIN { printf "%.2f", a / b }')
    fi
    last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1 || true)
    edges=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    corp=$(echo "$last" | sed -n 's/.*corp: \([0-9]*\).*/\1/p')
    crash=$(sed -n "s/.*Test unit written to \(.*\)/\1/p" "$log" | head -1)
    n=0; note=""
    if [ -n "$crash" ]; then
        n=1; fail=1
        note="reproduce: $fz/replay/$t $crash   (log: $log)"
    elif ! grep -q '^stat::number_of_executed_units' "$log"; then
        n=1; fail=1; note="did not finish (log: $log)"
    fi
    if [ "$mode" != smoke ] && [ -n "$execs" ] && [ "$execs" -lt "$floor" ]; then
        under="$under $t"
        [ -n "$note" ] || note="under $floor exec/s"
    fi
    printf '%-30s %10s %8s %7s %8s %8s %s\n' "$t" "${execs:-?}" "$ratio" "${edges:-?}" "${corp:-?}" "$n" "$note"
done
if [ "$mode" != smoke ]; then
    # shellcheck disable=SC2086 # one word per target
    set -- $under
    echo "exec/s floor $floor: $# target(s) under it${under:+:$under}"
fi
exit $fail
