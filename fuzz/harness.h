/* Shared fuzz harness for the lpsp codec.
 *
 * Every fuzz target (fuzz_*.c) is a thin LLVMFuzzerTestOneInput that hands
 * its input to one of the fz_* drivers below. The drivers parse the input
 * with the codec and assert the oracles of fuzz/README.md; a violated oracle
 * prints one line "lpsp-fuzz: ORACLE VIOLATED: ..." and calls abort(), which
 * every engine (libFuzzer, AFL++, the replay driver) reports as a crash. */
#ifndef LPSP_FUZZ_HARNESS_H
#define LPSP_FUZZ_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "lpsp/common.h"
#include "lpsp/stateful.h"
#include "lpsp/stateless.h"
#include "lpsp/auth.h"
#include "lpsp/session.h"

/* The engine entry points (libFuzzer's interface, also used by AFL++'s
 * libAFLDriver and by fuzz/replay.c). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#if defined(__GNUC__) || defined(__clang__)
#define FZ_NORETURN __attribute__((noreturn))
#define FZ_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define FZ_NORETURN
#define FZ_PRINTF(a, b)
#endif

/* Report an oracle violation and abort(). */
FZ_NORETURN void fz_fail(const char *file, int line, const char *fmt, ...) FZ_PRINTF(3, 4);
#define FZ_ASSERT(cond, ...)                                   \
    do {                                                       \
        if (!(cond)) fz_fail(__FILE__, __LINE__, __VA_ARGS__); \
    } while (0)

/* Exhaustive mode checks every strict prefix of every accepted input; the
 * default (fuzzing) samples them. The replay driver turns it on; the
 * environment variable LPSP_FUZZ_EXHAUSTIVE=1 does too. */
void fz_set_exhaustive(int on);

/* Allocation counting around codec calls (the codec never allocates). */
void fz_alloc_begin(void);
size_t fz_alloc_end(void);

/* Heap copy of exactly len bytes (never NULL; len 0 gives a 1-byte block
 * that is not part of the view), so ASan reports any read past the end. */
uint8_t *fz_dup(const uint8_t *data, size_t len);

/* Invariants of a returned error: status in the given band, err->status
 * equal to the return value, a reason, offset <= input length. */
void fz_check_error(const char *what, lpsp_status st, const lpsp_error *e, size_t inlen);
/* A non-empty view lies inside buf[0..len). */
void fz_check_view(const char *what, lpsp_view v, const uint8_t *buf, size_t len);

/* Stateful drivers. */
/* A complete message (prefix included) of direction dir: every oracle. */
void fz_stateful_message(lpsp_direction dir, const uint8_t *msg, size_t len);
/* Typed target: data[0] selects the flags (0: expanded, 1: minimal, other
 * values set unassigned flag bits), the harness writes the 4-byte prefix with
 * the given type, the rest of data becomes the headers and body. */
void fz_stateful_typed(lpsp_direction dir, uint16_t type, const uint8_t *data, size_t size);

/* Stateless body of the given lpsp_sl_body kind (§8): every oracle. */
void fz_stateless_body(int body, const uint8_t *data, size_t size);

/* Header and text parsers (§8.2.6, §10, §6.2, §9): one per FZ_TEXT_*. */
enum {
    FZ_TEXT_REPR_DIGEST = 1,
    FZ_TEXT_HMAC_TOKEN,
    FZ_TEXT_B64_LENIENT,
    FZ_TEXT_PY_INT,
    FZ_TEXT_BEARER,
    FZ_TEXT_WS_URL,
    FZ_TEXT_HMAC_SECRET,
    FZ_TEXT_SUBS_ITER,
    FZ_TEXT_ETAG_ORDER,
    FZ_TEXT_HMAC_ROUNDTRIP
};
void fz_text(int which, const uint8_t *data, size_t size);

#endif
