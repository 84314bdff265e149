#!/bin/sh
# AFL++ smoke test: run one AFL++ build for 10 seconds and check that
# fuzzer_stats is sane (executions happened, no crashes).
#
#   fuzz/afl_smoke.sh BINARY SEED_DIR DICT OUT_DIR
set -eu
bin=$1; seeds=$2; dict=$3; out=$4
rm -rf "$out"; mkdir -p "$out"
# A few seeds are enough for a smoke run and keep the calibration short.
mkdir -p "$out/in"
find "$seeds" -maxdepth 1 -type f | sort | head -n 20 | while read -r f; do cp "$f" "$out/in/"; done
AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 \
    afl-fuzz -V 10 -i "$out/in" -o "$out/out" -x "$dict" -- "$bin" >"$out/afl.log" 2>&1 || {
    tail -20 "$out/afl.log" >&2; echo "afl-smoke: afl-fuzz failed" >&2; exit 1; }
stats=$out/out/default/fuzzer_stats
[ -f "$stats" ] || { echo "afl-smoke: no fuzzer_stats" >&2; exit 1; }
execs=$(sed -n 's/^execs_done *: *//p' "$stats")
crashes=$(sed -n 's/^saved_crashes *: *//p' "$stats")
[ -n "$crashes" ] || crashes=$(sed -n 's/^unique_crashes *: *//p' "$stats")
speed=$(sed -n 's/^execs_per_sec *: *//p' "$stats")
echo "afl-smoke: $(basename "$bin"): execs_done=$execs execs_per_sec=$speed crashes=$crashes"
[ "${execs:-0}" -gt 0 ] || { echo "afl-smoke: no executions" >&2; exit 1; }
[ "${crashes:-1}" -eq 0 ] || { echo "afl-smoke: crashes in $out/out/default/crashes" >&2; exit 1; }
