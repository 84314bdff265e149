#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build script for the lpsp fuzz targets.
#
# Honours the standard variables: $CC $CXX $CFLAGS $CXXFLAGS
# $LIB_FUZZING_ENGINE $OUT $SRC. Produces, for every target of
# fuzz/targets.txt: $OUT/<target>, $OUT/<target>_seed_corpus.zip,
# $OUT/<target>.dict and $OUT/<target>.options (libFuzzer's max_len, read by
# ClusterFuzz from next to the binary). The project checkout is
# $SRC/lonelypsp, or the checkout containing this script when that does not
# exist.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
proj=${SRC:-}/lonelypsp
[ -n "${SRC:-}" ] && [ -f "$proj/fuzz/targets.txt" ] || proj=$here
cd "$proj"

: "${CC:=clang}" "${CXX:=clang++}" "${CFLAGS:=}" "${CXXFLAGS:=}"
: "${LIB_FUZZING_ENGINE:=-fsanitize=fuzzer}" "${OUT:?set OUT}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The flag variables are word lists (OSS-Fuzz's convention): split them once.
read -r -a cc <<<"$CC"
read -r -a cxx <<<"$CXX"
read -r -a cflags <<<"$CFLAGS"
read -r -a cxxflags <<<"$CXXFLAGS"
read -r -a engine <<<"$LIB_FUZZING_ENGINE"
std=(-std=c11 -D_POSIX_C_SOURCE=200809L -Icodec/include -Icodec/src -Ifuzz)

# The harness gets the sanitizers but no coverage instrumentation (as in
# fuzz/fuzz.mk): only the codec's edges and comparisons guide the fuzzer.
nocov=()
case "$CFLAGS" in
*fuzzer-no-link* | *sanitize-coverage=*) nocov=("-fsanitize-coverage-ignorelist=$proj/fuzz/oss-fuzz/harness.ignorelist") ;;
esac
codec_objs=()
for src in codec/src/*.c; do
    o=$work/$(basename "$src" .c).o
    "${cc[@]}" "${cflags[@]}" "${std[@]}" -c "$src" -o "$o"
    codec_objs+=("$o")
done
objs=("${codec_objs[@]}")
for src in fuzz/fz_common.c fuzz/fz_layout.c fuzz/fz_selfcheck.c \
           fuzz/oracle_stateful.c fuzz/oracle_stateless.c fuzz/oracle_text.c; do
    o=$work/$(basename "$src" .c).o
    "${cc[@]}" "${cflags[@]}" "${nocov[@]}" "${std[@]}" -c "$src" -o "$o"
    objs+=("$o")
done

# Rows: name source dict enum-names... (the names become -DFZ_TARGET=a,b).
sed -e 's/#.*//' fuzz/targets.txt | awk 'NF>=4' | while read -r name source dict names; do
    target=$(echo "$names" | tr -s ' ' ',')
    "${cc[@]}" "${cflags[@]}" "${std[@]}" -DFZ_TARGET="$target" -c "fuzz/$source" -o "$work/$name.o"
    # The engine library is C++; link with $CXX.
    "${cxx[@]}" "${cxxflags[@]}" "$work/$name.o" "${objs[@]}" "${engine[@]}" -lcrypto -o "$OUT/$name"
    rm -f "$OUT/${name}_seed_corpus.zip"
    if [ -d "corpus/$name" ] && [ -n "$(ls "corpus/$name")" ]; then
        (cd "corpus/$name" && zip -q -r "$OUT/${name}_seed_corpus.zip" .)
    fi
    cp "fuzz/dict/$dict.dict" "$OUT/$name.dict"
    cp "fuzz/options/$name.options" "$OUT/$name.options"
done

# Not for OSS-Fuzz: LPSP_FUZZ_CONTROL=1 also writes $OUT/control, the speed
# baseline of fuzz/oss-fuzz/speed.sh (fuzz/control.c: one lpsp_parse, no
# oracle), built with the same flags.
if [ -n "${LPSP_FUZZ_CONTROL:-}" ]; then
    "${cc[@]}" "${cflags[@]}" "${std[@]}" -c fuzz/control.c -o "$work/control.o"
    "${cxx[@]}" "${cxxflags[@]}" "$work/control.o" "${codec_objs[@]}" "${engine[@]}" -lcrypto -o "$OUT/control"
fi
