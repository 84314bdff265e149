/* Fuzz harness for the lpsp codec: the entry points of the fuzz targets.
 *
 * Every fuzz target (fuzz_stateful.c, fuzz_stateless.c, fuzz_text.c) is a
 * one-line LLVMFuzzerTestOneInput, compiled once per row of fuzz/targets.txt
 * with -DFZ_TARGET=<the row's enum names>, that hands its input to one of
 * the drivers below. The drivers parse the input with the codec and assert
 * the oracles of fuzz/README.md; a violated oracle prints one line
 * "lpsp-fuzz: ORACLE VIOLATED: ..." and calls abort(), which every engine
 * (libFuzzer, AFL++, the replay driver) reports as a crash.
 *
 * Files: fz_common.c (helpers), fz_layout.c (the independent §3 table and
 * canonical form), fz_selfcheck.c (once-per-process table checks),
 * oracle_stateful.c, oracle_stateless.c, oracle_text.c (the oracles). */
#ifndef LPSP_FUZZ_HARNESS_H
#define LPSP_FUZZ_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "lpsp/common.h"
#include "lpsp/stateful.h"
#include "lpsp/stateless.h"

/* The engine entry point (libFuzzer's interface, also used by AFL++'s
 * libAFLDriver and by fuzz/replay.c). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Stateful targets (oracle_stateful.c). type is a message type of dir
 * (LPSP_S2B_* or LPSP_B2S_*) and type_name its enum constant's name, checked
 * against the harness's own table on the first call; FZ_STATEFUL_ANY makes
 * the "any" dispatcher, whose input is a complete message. A typed target's
 * input is one flags-selector byte (0: expanded, 1: minimal, other values
 * set unassigned flag bits), then headers and body; the harness writes the
 * 4-byte prefix. */
enum { FZ_STATEFUL_ANY = 0 };
void fz_stateful_target(lpsp_direction dir, unsigned type, const char *type_name, const uint8_t *data,
                        size_t size);

/* Stateless body targets (oracle_stateless.c): the input is a body of the
 * given kind (§8); body_name is the enum constant's name, checked against
 * the codec's body name on the first call. */
void fz_stateless_target(lpsp_sl_body body, const char *body_name, const uint8_t *data, size_t size);

/* Header and text parser targets (oracle_text.c), one per FZ_TEXT_*; the
 * values start high so that a name of another family does not fit. */
typedef enum {
    FZ_TEXT_FIRST = 0x100,
    FZ_TEXT_REPR_DIGEST = FZ_TEXT_FIRST,
    FZ_TEXT_HMAC_TOKEN,
    FZ_TEXT_B64_LENIENT,
    FZ_TEXT_PY_INT,
    FZ_TEXT_BEARER,
    FZ_TEXT_WS_URL,
    FZ_TEXT_HMAC_SECRET,
    FZ_TEXT_SUBS_ITER,
    FZ_TEXT_ETAG_ORDER,
    FZ_TEXT_HMAC_ROUNDTRIP,
    FZ_TEXT_END
} fz_text_kind;
void fz_text_target(fz_text_kind which, const char *name, const uint8_t *data, size_t size);

/* lpsp_sl_parse plus every invariant of its result (oracle_stateless.c;
 * the subs_iter text target compares the iterator with it). */
lpsp_status fz_sl_parse_checked(lpsp_sl_body body, const uint8_t *buf, size_t len, unsigned opts,
                                lpsp_sl_msg *m);

#endif
