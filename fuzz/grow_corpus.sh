#!/bin/sh
# Fold the inputs a campaign found (BUILDDIR/work/<target>) into the
# committed grown corpus corpus/grown/<target>/: libFuzzer -merge=1 over the
# seed set keeps only inputs that add coverage beyond the seeds and the
# inputs already grown; files are named by the SHA-1 of their content.
#
#   fuzz/grow_corpus.sh BUILDDIR TARGET...
set -eu
cd "$(dirname "$0")/.."
fz=$1; shift
for t in "$@"; do
    [ -d "$fz/work/$t" ] || continue
    m=$fz/merge/$t
    rm -rf "$m"; mkdir -p "$m" "corpus/grown/$t"
    cp corpus/"$t"/* "$m"/ 2>/dev/null || true
    cp corpus/grown/"$t"/* "$m"/ 2>/dev/null || true
    "$fz/libfuzzer/$t" -merge=1 "$m" "$fz/work/$t" >"$fz/merge/$t.log" 2>&1
    n=0
    for f in "$m"/*; do
        b=$(basename "$f")
        if [ ! -e "corpus/$t/$b" ] && [ ! -e "corpus/grown/$t/$b" ]; then
            cp "$f" "corpus/grown/$t/$b"; n=$((n + 1))
        fi
    done
    rmdir "corpus/grown/$t" 2>/dev/null || true
    echo "grow: $t: $n new inputs"
done
