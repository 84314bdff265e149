#!/bin/sh
# Run libFuzzer targets for a fixed time, two at a time (one per core), and
# print one table row per target.
#
#   fuzz/campaign.sh [--smoke] SECONDS BUILDDIR TARGET...
#
# Campaign mode: new inputs accumulate in BUILDDIR/work/<target> (seeded
# from corpus/<target>); logs in BUILDDIR/campaign/<target>.log.
# Smoke mode (CI): a throwaway work directory per run.
# Every target runs with the flags of its options file
# (fuzz/options/<target>.options: max_len, the same file ClusterFuzz reads),
# then the flags in $FUZZ_FLAGS (e.g. -use_value_profile=1).
# Crashes are saved under fuzz/crashes/<target>/ with a reproduce command;
# the exit status is 1 when any target crashed. Campaign mode also names the
# targets whose exec rate is under LPSP_FUZZ_EXEC_FLOOR (default 100000, the
# project's bar for small-message targets); that is a report, not a failure,
# since the rate depends on the machine.
set -eu
cd "$(dirname "$0")/.."

# Internal: one target (run by the parallel loop below).
if [ "${1:-}" = "--one" ]; then
    mode=$2; secs=$3; fz=$4; t=$5
    logdir=$fz/$mode
    dict=$(sed -e 's/#.*//' fuzz/targets.txt | awk -v t="$t" 'NF>=4 && $1==t {print "fuzz/dict/" $3 ".dict"}')
    opts=$(fuzz/options_flags.sh "fuzz/options/$t.options")
    work=$fz/work/$t
    if [ "$mode" = smoke ]; then work=$logdir/work-$t; rm -rf "$work"; fi
    mkdir -p "$work" "fuzz/crashes/$t"
    extra=""
    if [ -d "corpus/grown/$t" ]; then extra="corpus/grown/$t"; fi
    # shellcheck disable=SC2086 # word splitting of the flag lists is intended
    "$fz/libfuzzer/$t" -dict="$dict" $opts ${FUZZ_FLAGS:-} -max_total_time="$secs" -print_final_stats=1 \
        -timeout=10 -rss_limit_mb=2048 -artifact_prefix="fuzz/crashes/$t/" \
        "$work" "corpus/$t" $extra >"$logdir/$t.log" 2>&1 || true
    exit 0
fi

mode=campaign
if [ "${1:-}" = "--smoke" ]; then mode=smoke; shift; fi
secs=$1; fz=$2; shift 2
logdir=$fz/$mode
rm -rf "$logdir"; mkdir -p "$logdir"

for t in "$@"; do echo "$t"; done | xargs -P 2 -n 1 "$0" --one "$mode" "$secs" "$fz"
[ -z "${FUZZ_FLAGS:-}" ] || echo "libFuzzer flags: ${FUZZ_FLAGS}"

fail=0
floor=${LPSP_FUZZ_EXEC_FLOOR:-100000}
under=""
printf '%-30s %10s %7s %8s %8s %s\n' target exec/s edges corpus crashes ""
for t in "$@"; do
    log=$logdir/$t.log
    execs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
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
    if [ "$mode" = campaign ] && [ -n "$execs" ] && [ "$execs" -lt "$floor" ]; then
        under="$under $t"
        [ -n "$note" ] || note="under $floor exec/s"
    fi
    printf '%-30s %10s %7s %8s %8s %s\n' "$t" "${execs:-?}" "${edges:-?}" "${corp:-?}" "$n" "$note"
done
if [ "$mode" = campaign ]; then
    set -- $under
    echo "exec/s floor $floor: $# target(s) under it${under:+:$under}"
fi
exit $fail
