#!/bin/sh
# make check's driver: run every test target, two lanes at a time, and print
# how long each took.
#
#   scripts/check.sh "SIDE TARGETS" TARGET...
#
# The side lane (its targets in the first argument, run in that order) holds
# the Python-bound checks (runners, live peers, pip), so they overlap with the
# compile-bound main lane (every other TARGET, in order). Both
# lanes start after the shared prerequisites (bootstrap, the lpsp tool) are
# built, so neither builds them twice. The side lane's output is kept in
# build/check/side.log and printed when it ends. Each lane stops at its first
# failure; the exit status is 1 when either failed. build/check/times.txt
# gets one line per target: lane, target, seconds, result.
set -u
cd "$(dirname "$0")/.." || exit 1
MAKE=${MAKE:-make}
side=$1
shift
dir=${BUILD:-build}/check
mkdir -p "$dir"
times=$dir/times.txt
: >"$times"

now() { date +%s; }

# run LANE TARGET...: each target through make, timed; stop at the first failure.
run() {
    lane=$1
    shift
    for t in "$@"; do
        start=$(now)
        if $MAKE --no-print-directory "$t"; then r=ok; else r=FAILED; fi
        echo "$lane $t $(($(now) - start)) $r" >>"$times"
        [ "$r" = ok ] || return 1
    done
}

start_all=$(now)
$MAKE --no-print-directory "${BUILD:-build}/.bootstrap" "${BUILD:-build}/lpsp" || exit 1

# shellcheck disable=SC2086 # the side list is words on purpose
(run side $side) >"$dir/side.log" 2>&1 &
side_pid=$!

main=""
for t in "$@"; do
    case " $side " in *" $t "*) ;; *) main="$main $t" ;; esac
done
# shellcheck disable=SC2086
run main $main
main_rc=$?

wait "$side_pid"
side_rc=$?
echo "---- side lane ($side): output"
cat "$dir/side.log"
echo "---- make check: seconds per target (both lanes ran at once)"
awk '{ printf "  %-5s %-22s %5d s  %s\n", $1, $2, $3, $4 }' "$times"
echo "  total wall time $(($(now) - start_all)) s"
[ "$main_rc" = 0 ] && [ "$side_rc" = 0 ]
