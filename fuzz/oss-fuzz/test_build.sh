#!/bin/sh
# Local test of fuzz/oss-fuzz/build.sh with OSS-Fuzz-like variables: builds
# every target into a fresh $OUT, checks that each comes with its seed
# corpus, dictionary and options file (a max_len in [libfuzzer]), and runs
# each binary 100 times on its unpacked seed corpus with its dictionary and
# options.
#
#   fuzz/oss-fuzz/test_build.sh WORKDIR
set -eu
cd "$(dirname "$0")/../.."
work=$1
rm -rf "$work"; mkdir -p "$work/out" "$work/src"
out=$(cd "$work/out" && pwd)
# $SRC without a lonelypsp checkout: the script falls back to its own tree.
CC=clang CXX=clang++ \
CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -fsanitize=address,fuzzer-no-link" \
CXXFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -fsanitize=address,fuzzer-no-link" \
LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT="$out" SRC="$(cd "$work/src" && pwd)" \
    fuzz/oss-fuzz/build.sh
n=0
sed -e 's/#.*//' fuzz/targets.txt | awk 'NF>=4{print $1}' >"$work/targets"
while read -r t <&3; do
    for f in "$out/$t" "$out/$t.dict" "$out/${t}_seed_corpus.zip" "$out/$t.options"; do
        [ -s "$f" ] || { echo "oss-fuzz test: missing $f" >&2; exit 1; }
    done
    opts=$(fuzz/options_flags.sh "$out/$t.options")
    echo "$opts" | grep -q '^-max_len=[1-9][0-9]*$' || {
        echo "oss-fuzz test: $out/$t.options sets no max_len in [libfuzzer]" >&2; exit 1; }
    rm -rf "$work/seeds"; mkdir -p "$work/seeds"
    python3 -m zipfile -e "$out/${t}_seed_corpus.zip" "$work/seeds"
    # shellcheck disable=SC2086 # one flag per line
    "$out/$t" -runs=100 -dict="$out/$t.dict" $opts "$work/seeds" >"$work/$t.log" 2>&1 || {
        tail -20 "$work/$t.log" >&2; echo "oss-fuzz test: $t failed" >&2; exit 1; }
    # With a seed corpus, libFuzzer counts the seeds in its runs too.
    grep -q "^Done [0-9][0-9]* runs" "$work/$t.log" || { echo "oss-fuzz test: $t did not finish its runs" >&2; exit 1; }
    n=$((n + 1))
done 3<"$work/targets"
echo "oss-fuzz test: build.sh produced $n targets with seed corpora, dictionaries and options files; each ran its seeds and 100 generated inputs"
