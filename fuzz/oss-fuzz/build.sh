#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build script for the lpsp fuzz targets.
#
# Honours the standard variables: $CC $CXX $CFLAGS $CXXFLAGS
# $LIB_FUZZING_ENGINE $OUT $SRC. Produces, for every target of
# fuzz/targets.txt: $OUT/<target>, $OUT/<target>_seed_corpus.zip and
# $OUT/<target>.dict. The project checkout is $SRC/lonelypsp, or the
# checkout containing this script when that does not exist.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
proj=${SRC:-}/lonelypsp
[ -n "${SRC:-}" ] && [ -f "$proj/fuzz/targets.txt" ] || proj=$here
cd "$proj"

: "${CC:=clang}" "${CXX:=clang++}" "${CFLAGS:=}" "${CXXFLAGS:=}"
: "${LIB_FUZZING_ENGINE:=-fsanitize=fuzzer}" "${OUT:?set OUT}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
std="-std=c11 -D_POSIX_C_SOURCE=200809L -Icodec/include -Icodec/src -Ifuzz"

objs=""
for src in codec/src/*.c fuzz/harness.c; do
    o=$work/$(basename "$src" .c).o
    $CC $CFLAGS $std -c "$src" -o "$o"
    objs="$objs $o"
done

sed -e 's/#.*//' fuzz/targets.txt | awk 'NF==5' | while read -r name source arg1 arg2 dict; do
    $CC $CFLAGS $std -DFZ_DIR="$arg1" -DFZ_TYPE="$arg2" -c "fuzz/$source" -o "$work/$name.o"
    # The engine library is C++; link with $CXX.
    $CXX $CXXFLAGS "$work/$name.o" $objs $LIB_FUZZING_ENGINE -lcrypto -o "$OUT/$name"
    rm -f "$OUT/${name}_seed_corpus.zip"
    if [ -d "corpus/$name" ] && [ -n "$(ls "corpus/$name")" ]; then
        (cd "corpus/$name" && zip -q -r "$OUT/${name}_seed_corpus.zip" .)
    fi
    cp "fuzz/dict/$dict.dict" "$OUT/$name.dict"
done
