/* Compile-time plumbing of the target files: FZ_TARGET holds the enum names
 * of a fuzz/targets.txt row, comma-separated; FZ_APPLY(m, FZ_TARGET) calls
 * macro m with them as separate arguments. A name that does not exist is a
 * compile error, and each target file asserts that its names belong to its
 * family. */
#ifndef LPSP_FUZZ_TARGET_H
#define LPSP_FUZZ_TARGET_H

#include "harness.h"

#ifndef FZ_TARGET
#error "compile with -DFZ_TARGET=<enum names of the fuzz/targets.txt row>"
#endif

#define FZ_APPLY(m, ...) m(__VA_ARGS__)

#endif
