/* Helpers shared by the oracle files of the fuzz harness: failure
 * reporting, fuzzing versus replay mode, allocation counting, exact-size
 * heap copies, input splitting and the invariants every codec call shares.
 * Every function here has the fz_ prefix; everything else is static. */
#ifndef LPSP_FUZZ_COMMON_H
#define LPSP_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "lpsp/common.h"

#if defined(__GNUC__) || defined(__clang__)
#define FZ_NORETURN     __attribute__((noreturn))
#define FZ_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define FZ_NORETURN
#define FZ_PRINTF(a, b)
#endif

/* Report an oracle violation ("lpsp-fuzz: ORACLE VIOLATED (file:line): ...")
 * and abort(), which every engine reports as a crash. */
FZ_NORETURN void fz_fail(const char *file, int line, const char *fmt, ...) FZ_PRINTF(3, 4);
#define FZ_ASSERT(cond, ...)                                                                                 \
    do {                                                                                                     \
        if (!(cond)) fz_fail(__FILE__, __LINE__, __VA_ARGS__);                                               \
    } while (0)

/* Exhaustive mode runs every oracle on every input and checks every strict
 * prefix. The replay build (FZ_REPLAY defined) is always exhaustive;
 * fuzzing builds sample, unless LPSP_FUZZ_EXHAUSTIVE=1 is set. */
int fz_exhaustive(void);

/* Heavy inputs get every oracle while fuzzing: one input in eight, chosen by
 * the input's hash, and every input in exhaustive mode. */
int fz_heavy(const uint8_t *data, size_t len);

/* FNV-1a of the input: the seed of every sampled choice, so that a crash
 * reproduces from the input alone. */
uint32_t fz_hash(const uint8_t *p, size_t n);

/* The next of a sequence of choices in [0, n) seeded with fz_hash (n > 0). */
size_t fz_pick(uint32_t *h, size_t n);

/* Allocation counting around codec calls: the codec never allocates, not
 * even while hashing (codec/docs/SECURITY.md, 3). fz_alloc_end stops
 * counting and fails, naming `what`, if anything was allocated. */
void fz_alloc_begin(void);
void fz_alloc_end(const char *what);

/* Heap copy of exactly len bytes (len 0 gives a 1-byte block that is not
 * part of the view), so ASan reports any read past the end. Never NULL. */
uint8_t *fz_dup(const uint8_t *data, size_t len);
/* malloc(n) (n 0 gives a 1-byte block); aborts when out of memory. */
void *fz_malloc(size_t n);

/* Input splitting: the field of in[*pos..len) up to the first byte <= max_sep
 * (not included). *pos moves past that byte; *sep receives it, or -1 at the
 * end of the input. After the last field, empty fields at the end follow. */
lpsp_view fz_field(const uint8_t *in, size_t len, size_t *pos, uint8_t max_sep, int *sep);

/* Status of a parser: truncated or a malformed-input error. */
int fz_is_parse_error(lpsp_status st);
/* Invariants of a returned error: err->status equal to the return value, a
 * reason, offset <= input length, a documented status. */
void fz_check_error(const char *what, lpsp_status st, const lpsp_error *e, size_t inlen);
/* A non-empty view lies inside buf[0..len). */
void fz_check_view(const char *what, lpsp_view v, const uint8_t *buf, size_t len);
/* Equal bytes. */
int fz_view_eq(lpsp_view a, lpsp_view b);

/* A parsed message's views by name, checked with fz_check_view. */
typedef struct {
    const char *name;
    lpsp_view v;
} fz_named_view;
void fz_check_views(const fz_named_view *v, size_t n, const uint8_t *buf, size_t len);

/* Invariants of a parser's refusal: a status of the parse band with its
 * error invariants, and no hash_mismatch when digests are skipped. */
void fz_check_parse_error(const char *what, lpsp_status st, const lpsp_error *e, size_t len, int skip_digest);

/* Field-by-field comparison of two parsed messages a and b, in a function
 * that returns the name of the first differing field. */
#define FZ_DIFF_INT(f)                                                                                       \
    if (a->f != b->f) return #f
#define FZ_DIFF_VIEW(f)                                                                                      \
    if (!fz_view_eq(a->f, b->f)) return #f

/* Once per process: the codec's tables and names against the spec and the
 * serializer refusals of codec/docs/QUIRKS.md (fz_selfcheck.c). */
void fz_api_selfcheck(void);

#endif
