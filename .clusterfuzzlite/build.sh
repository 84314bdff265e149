#!/bin/bash -eu
# ClusterFuzzLite entry point: the same build as OSS-Fuzz.
exec "$SRC/lonelypsp/fuzz/oss-fuzz/build.sh"
