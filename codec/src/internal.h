/* Internal helpers shared by the codec's translation units. Not installed. */
#ifndef LPSP_INTERNAL_H
#define LPSP_INTERNAL_H

#include <string.h>

#include "lpsp/common.h"

/* Functions shared between the codec's translation units: visible to the
 * static library's objects, not exported from the shared library. */
#if defined(__GNUC__) || defined(__clang__)
#define LPSP_INTERNAL __attribute__((visibility("hidden")))
#else
#define LPSP_INTERNAL
#endif

/* Big-endian decode/encode, named by width and direction, written as shifts. */
static inline uint16_t lpsp_dec16be(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static inline uint32_t lpsp_dec32be(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static inline uint64_t lpsp_dec64be(const uint8_t *p)
{
    return ((uint64_t)lpsp_dec32be(p) << 32) | lpsp_dec32be(p + 4);
}
static inline void lpsp_enc16be(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static inline void lpsp_enc32be(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}
static inline void lpsp_enc64be(uint8_t *p, uint64_t v)
{
    lpsp_enc32be(p, (uint32_t)(v >> 32));
    lpsp_enc32be(p + 4, (uint32_t)v);
}

/* Big-endian unsigned of 0..8 bytes (k = 0 gives 0). */
static inline uint64_t lpsp_decbe_var(const uint8_t *p, size_t k)
{
    uint64_t v = 0;
    for (size_t i = 0; i < k; i++) v = (v << 8) | p[i];
    return v;
}

/* v as a w-byte big-endian unsigned (w = 0..8), its high bytes dropped. */
static inline void lpsp_encbe_var(uint8_t *p, uint64_t v, size_t w)
{
    for (size_t i = 0; i < w; i++)
        p[i] = (uint8_t)(v >> (8 * (w - 1 - i)));
}

/* Bytes needed for the minimal unsigned form of v (0 for v == 0), §1.2. */
static inline size_t lpsp_mu_len(uint64_t v)
{
    size_t n = 0;
    while (v) {
        n++;
        v >>= 8;
    }
    return n;
}

/* Record a failure and return its status. */
static inline lpsp_status lpsp_fail(lpsp_error *err, lpsp_status st, size_t offset,
                                    const char *field, const char *reason)
{
    if (err) {
        err->status = st;
        err->offset = offset;
        err->field = field;
        err->reason = reason;
    }
    return st;
}

/* Bounded cursor over an input buffer (bounds checked by lpsp_fits). */
typedef struct {
    const uint8_t *start;
    const uint8_t *p;
    const uint8_t *end;
} lpsp_cursor;

static inline void lpsp_cursor_init(lpsp_cursor *c, const uint8_t *buf, size_t len)
{
    c->start = c->p = buf;
    c->end = buf + len;
}
static inline size_t lpsp_cursor_off(const lpsp_cursor *c) { return (size_t)(c->p - c->start); }
static inline size_t lpsp_cursor_left(const lpsp_cursor *c) { return (size_t)(c->end - c->p); }

/* The one bounds check, for readers and writers alike: 1 when n bytes fit
 * in the `left` that remain. */
static inline int lpsp_fits(size_t n, size_t left)
{
    return n <= left;
}

/* Take n bytes as a view; 0 on success, -1 if fewer than n remain. */
static inline int lpsp_take(lpsp_cursor *c, size_t n, lpsp_view *out)
{
    if (!lpsp_fits(n, lpsp_cursor_left(c))) return -1;
    out->ptr = c->p;
    out->len = n;
    c->p += n;
    return 0;
}

/* Length of the ASCII prefix of s (the index of its first byte >= 0x80, or
 * len). Eight bytes at a time: the hot byte loops (header names, UTF-8 text)
 * run an eighth of the comparisons, which matters most in fuzzing builds,
 * where every comparison calls into the engine. */
LPSP_INTERNAL size_t lpsp_ascii_prefix(const uint8_t *s, size_t len);

/* Strict UTF-8 validation with Python's bytes.decode("utf-8") rules: no
 * overlongs, no surrogates, nothing above U+10FFFF; NUL and BOM allowed.
 * Returns the length of the valid prefix (== len when valid). */
LPSP_INTERNAL size_t lpsp_utf8_valid_prefix(const uint8_t *s, size_t len);

/* SHA-512 of data (libcrypto, no allocation): LPSP_OK, or LPSP_E_CRYPTO
 * (recorded in err) when libcrypto fails. */
LPSP_INTERNAL lpsp_status lpsp_sha512(const uint8_t *data, size_t len, uint8_t out[64], lpsp_error *err);
/* A digest sink's feed (sink.h) into a SHA512_CTX (ctx) of OpenSSL's
 * low-level interface: SHA512_Update. */
LPSP_INTERNAL int lpsp_feed_sha512(void *ctx, const uint8_t *p, size_t n);
/* LPSP_OK when digest is 64 bytes and equals SHA-512(data) (constant-time
 * compare); LPSP_E_HASH_MISMATCH when it does not, err untouched (the caller
 * records the mismatch in its own terms); LPSP_E_CRYPTO, recorded in err,
 * when libcrypto fails. */
LPSP_INTERNAL lpsp_status lpsp_sha512_matches(lpsp_view data, lpsp_view digest, lpsp_error *err);

/* The one byte every empty view points at: views are never NULL. */
LPSP_INTERNAL extern const uint8_t lpsp_empty_bytes[1];

static inline lpsp_view lpsp_view_empty(void)
{
    lpsp_view v = {lpsp_empty_bytes, 0};
    return v;
}

/* A caller's view made safe to read: -1 for NULL with a length, and NULL
 * with no length becomes the empty view. */
static inline int lpsp_view_fix(lpsp_view *v)
{
    if (v->ptr) return 0;
    if (v->len) return -1;
    *v = lpsp_view_empty();
    return 0;
}

/* Byte order of two views, a shorter prefix first (Python bytes ordering):
 * <0, 0 or >0. */
static inline int lpsp_view_cmp(lpsp_view a, lpsp_view b)
{
    size_t n = a.len < b.len ? a.len : b.len;
    int c = n ? memcmp(a.ptr, b.ptr, n) : 0;
    return c ? c : (a.len > b.len) - (a.len < b.len);
}

#endif
