/* Shared fuzz harness for the lpsp codec: oracles for every parser.
 * See harness.h for the interface and fuzz/README.md for the oracle list. */
#include "harness.h"

#include <openssl/sha.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Failure reporting, modes                                            */

void fz_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "lpsp-fuzz: ORACLE VIOLATED (%s:%d): ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
    abort();
}

static int fz_exhaustive = -1;

void fz_set_exhaustive(int on) { fz_exhaustive = on; }

static int exhaustive(void)
{
    if (fz_exhaustive < 0) {
        const char *e = getenv("LPSP_FUZZ_EXHAUSTIVE");
        fz_exhaustive = e && *e && strcmp(e, "0") != 0;
    }
    return fz_exhaustive;
}

/* ------------------------------------------------------------------ */
/* Allocation counting                                                 */

static volatile int fz_counting;
static volatile size_t fz_allocs, fz_frees;

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define FZ_SANITIZER_HOOKS 1
#endif
#endif
#if !defined(FZ_SANITIZER_HOOKS) && defined(__SANITIZE_ADDRESS__)
#define FZ_SANITIZER_HOOKS 1
#endif

#ifdef FZ_SANITIZER_HOOKS
/* sanitizer/allocator_interface.h, declared here for gcc and clang alike. */
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void *, size_t),
                                              void (*free_hook)(const volatile void *));
static void fz_malloc_hook(const volatile void *p, size_t n)
{
    (void)p;
    (void)n;
    if (fz_counting) fz_allocs++;
}
static void fz_free_hook(const volatile void *p)
{
    if (fz_counting && p) fz_frees++;
}
static void fz_hooks_install(void)
{
    static int done;
    if (!done) {
        __sanitizer_install_malloc_and_free_hooks(fz_malloc_hook, fz_free_hook);
        done = 1;
    }
}
#else
/* No sanitizer allocator: interpose the glibc allocation functions. */
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t a, size_t b);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);
void *malloc(size_t n)
{
    if (fz_counting) fz_allocs++;
    return __libc_malloc(n);
}
void *calloc(size_t a, size_t b)
{
    if (fz_counting) fz_allocs++;
    return __libc_calloc(a, b);
}
void *realloc(void *p, size_t n)
{
    if (fz_counting) fz_allocs++;
    return __libc_realloc(p, n);
}
void free(void *p)
{
    if (fz_counting && p) fz_frees++;
    __libc_free(p);
}
static void fz_hooks_install(void) {}
#endif

void fz_alloc_begin(void)
{
    static int warm;
    if (!warm) {
        /* libcrypto's one-time initialisation is not the codec's doing. */
        uint8_t d[64];
        SHA512((const uint8_t *)"", 0, d);
        warm = 1;
    }
    fz_hooks_install();
    fz_allocs = fz_frees = 0;
    fz_counting = 1;
}

size_t fz_alloc_end(void)
{
    fz_counting = 0;
    return fz_allocs;
}

/* Parsers and serializers never allocate (codec/docs/SECURITY.md, 3), not
 * even while hashing. */
static void check_allocs(const char *what)
{
    size_t a = fz_allocs, f = fz_frees;
    FZ_ASSERT(a == 0, "%s allocated %zu times (freed %zu)", what, a, f);
}

uint8_t *fz_dup(const uint8_t *data, size_t len)
{
    uint8_t *p = malloc(len ? len : 1);
    if (!p) abort();
    if (len) memcpy(p, data, len);
    return p;
}

/* ------------------------------------------------------------------ */
/* Generic invariants                                                  */

static int status_is_parse_error(lpsp_status st)
{
    return st == LPSP_E_TRUNCATED || (st <= -10 && st >= -29);
}

void fz_check_error(const char *what, lpsp_status st, const lpsp_error *e, size_t inlen)
{
    FZ_ASSERT(e->status == st, "%s: returned %d but err.status is %d", what, st, e->status);
    FZ_ASSERT(e->reason != NULL && e->reason[0] != 0, "%s: status %s without a reason", what,
              lpsp_status_name(st));
    FZ_ASSERT(e->offset <= inlen, "%s: error offset %zu beyond input length %zu (%s: %s)", what,
              e->offset, inlen, lpsp_status_name(st), e->reason);
    FZ_ASSERT(strcmp(lpsp_status_name(st), "unknown") != 0, "%s: undocumented status %d", what, st);
}

void fz_check_view(const char *what, lpsp_view v, const uint8_t *buf, size_t len)
{
    /* Empty views carry no bytes; the codec points absent fields at a static
     * empty object (lpsp_msg_init), so only non-empty views are checked. */
    if (v.len == 0) return;
    FZ_ASSERT(v.ptr >= buf && v.ptr <= buf + len && v.len <= (size_t)(buf + len - v.ptr),
              "%s: view [%p,+%zu) not inside the input [%p,+%zu)", what, (const void *)v.ptr,
              v.len, (const void *)buf, len);
}

/* ------------------------------------------------------------------ */
/* Stateful: the protocol's header lists (spec §3), used by the       */
/* independent canonical-form checker below.                          */

enum {
    K_BLOB,   /* any bytes */
    K_MU,     /* minimal unsigned: empty or no leading zero byte */
    K_FIX2,   /* exactly 2 bytes */
    K_FIX4,   /* exactly 4 bytes */
    K_BOOL,   /* exactly 1 byte */
    K_PARTID, /* stream part id: "00" for a start part, MU for a continuation */
    K_COMPR   /* compressor: "00" uncompressed, MU (non-zero) compressed */
};

typedef struct {
    const char *name;
    int kind;
    int start_only; /* *_STREAM: present in part 0 only */
} fz_hdr;

typedef struct {
    int dir;
    uint16_t type;
    int has_body;
    fz_hdr h[10];
} fz_layout;

#define H(n, k) {n, k, 0}
#define HS(n, k) {n, k, 1}
#define AUTH H("authorization", K_BLOB)
#define TRAC H("x-tracing", K_BLOB)

static const fz_layout fz_layouts[] = {
    {LPSP_S2B, 1, 0, {H("x-subscriber-nonce", K_BLOB), H("x-enable-zstd", K_BOOL), H("x-enable-training", K_BOOL), H("x-initial-dict", K_FIX2), AUTH, TRAC}},
    {LPSP_S2B, 2, 0, {AUTH, TRAC, H("x-topic", K_BLOB)}},
    {LPSP_S2B, 3, 0, {AUTH, TRAC, H("x-glob", K_BLOB)}},
    {LPSP_S2B, 4, 0, {AUTH, TRAC, H("x-topic", K_BLOB)}},
    {LPSP_S2B, 5, 0, {AUTH, TRAC, H("x-glob", K_BLOB)}},
    {LPSP_S2B, 6, 1, {AUTH, TRAC, H("x-identifier", K_BLOB), H("x-topic", K_BLOB), H("x-compressor", K_COMPR), H("x-compressed-length", K_MU), H("x-decompressed-length", K_MU), H("x-compressed-sha512", K_BLOB)}},
    {LPSP_S2B, 7, 1, {AUTH, TRAC, H("x-identifier", K_BLOB), H("x-part-id", K_PARTID), HS("x-topic", K_BLOB), HS("x-compressor", K_COMPR), HS("x-compressed-length", K_MU), HS("x-decompressed-length", K_MU), HS("x-compressed-sha512", K_BLOB)}},
    {LPSP_S2B, 8, 0, {H("x-identifier", K_BLOB), H("x-part-id", K_MU), AUTH, TRAC}},
    {LPSP_S2B, 9, 0, {H("x-identifier", K_BLOB), AUTH, TRAC, H("x-num-subscribers", K_FIX4)}},
    {LPSP_B2S, 1, 0, {H("x-broadcaster-nonce", K_BLOB), AUTH, TRAC}},
    {LPSP_B2S, 2, 0, {H("x-topic", K_BLOB), AUTH, TRAC}},
    {LPSP_B2S, 3, 0, {H("x-glob", K_BLOB), AUTH, TRAC}},
    {LPSP_B2S, 4, 0, {H("x-topic", K_BLOB), AUTH, TRAC}},
    {LPSP_B2S, 5, 0, {H("x-glob", K_BLOB), AUTH, TRAC}},
    {LPSP_B2S, 6, 0, {H("x-identifier", K_BLOB), H("x-subscribers", K_MU), AUTH, TRAC}},
    {LPSP_B2S, 7, 0, {H("x-identifier", K_BLOB), H("x-part-id", K_MU), AUTH, TRAC}},
    {LPSP_B2S, 8, 1, {AUTH, TRAC, H("x-identifier", K_BLOB), H("x-part-id", K_PARTID), HS("x-topic", K_BLOB), HS("x-compressor", K_COMPR), HS("x-compressed-length", K_MU), HS("x-decompressed-length", K_MU), HS("x-compressed-sha512", K_BLOB)}},
    {LPSP_B2S, 9, 0, {H("x-identifier", K_MU), H("x-compression-level", K_FIX2), H("x-min-size", K_MU), H("x-max-size", K_MU), AUTH, TRAC}},
    {LPSP_B2S, 10, 1, {H("x-identifier", K_MU), H("x-compression-level", K_FIX2), H("x-min-size", K_MU), H("x-max-size", K_MU), AUTH, TRAC, H("x-sha512", K_BLOB)}},
    {LPSP_B2S, 11, 0, {H("x-identifier", K_MU), AUTH, TRAC}},
    {LPSP_B2S, 12, 0, {AUTH, TRAC, H("x-topic", K_BLOB)}},
};

static const fz_layout *layout_of(lpsp_direction dir, uint16_t type)
{
    for (size_t i = 0; i < sizeof(fz_layouts) / sizeof(fz_layouts[0]); i++)
        if (fz_layouts[i].dir == (int)dir && fz_layouts[i].type == type) return &fz_layouts[i];
    return NULL;
}

static int is_stream(const lpsp_msg *m)
{
    return (m->direction == LPSP_S2B && m->type == LPSP_S2B_NOTIFY_STREAM) ||
           (m->direction == LPSP_B2S && m->type == LPSP_B2S_RECEIVE_STREAM);
}

static int value_canonical(int kind, const lpsp_msg *m, const uint8_t *v, size_t n)
{
    int uncompressed = m->variant == LPSP_VARIANT_UNCOMPRESSED ||
                       m->variant == LPSP_VARIANT_START_UNCOMPRESSED;
    switch (kind) {
    case K_BLOB: return 1;
    case K_MU: return n <= 8 && (n == 0 || v[0] != 0);
    case K_FIX2: return n == 2;
    case K_FIX4: return n == 4;
    case K_BOOL: return n == 1;
    case K_PARTID:
        if (m->variant == LPSP_VARIANT_CONTINUATION) return n <= 8 && n > 0 && v[0] != 0;
        return n == 1 && v[0] == 0;
    case K_COMPR:
        if (uncompressed) return n == 1 && v[0] == 0;
        return n <= 8 && n > 0 && v[0] != 0;
    }
    return 0;
}

/* Canonical form, defined independently of the codec (fuzz/README.md):
 * flags 0 or 1; exactly the type's header list for its variant, in the
 * spec's order (expanded mode: with the lower-case names, no other, unknown
 * or duplicate headers); every integer in the width the serializer writes
 * (QK-18); nothing after the last header of a body-less type. Requires an
 * input that the strict parser accepted as m. */
static int stateful_canonical(const lpsp_msg *m, const uint8_t *b, size_t len)
{
    const fz_layout *L = layout_of(m->direction, m->type);
    FZ_ASSERT(L != NULL, "accepted message of unknown type %u", m->type);
    if (len < 4) return 0;
    uint16_t flags = (uint16_t)((b[0] << 8) | b[1]);
    if (flags > 1) return 0;
    int minimal = flags & 1;
    int cont = m->variant == LPSP_VARIANT_CONTINUATION;
    size_t nh = 0;
    while (nh < 10 && L->h[nh].name && !(cont && L->h[nh].start_only)) nh++;
    size_t p = 4;
    if (!minimal) {
        if (len - p < 2) return 0;
        size_t count = (size_t)((b[p] << 8) | b[p + 1]);
        p += 2;
        if (count != nh) return 0;
    }
    for (size_t i = 0; i < nh; i++) {
        if (!minimal) {
            if (len - p < 2) return 0;
            size_t nl = (size_t)((b[p] << 8) | b[p + 1]);
            p += 2;
            if (len - p < nl) return 0;
            if (nl != strlen(L->h[i].name) || memcmp(b + p, L->h[i].name, nl) != 0) return 0;
            p += nl;
        }
        if (len - p < 2) return 0;
        size_t vl = (size_t)((b[p] << 8) | b[p + 1]);
        p += 2;
        if (len - p < vl) return 0;
        if (!value_canonical(L->h[i].kind, m, b + p, vl)) return 0;
        p += vl;
    }
    if (L->has_body) {
        /* The body is everything after the headers. */
        FZ_ASSERT(m->payload.len == len - p,
                  "canonical walk: body of %zu bytes after the headers, parser says %zu", len - p,
                  m->payload.len);
        return 1;
    }
    return p == len;
}

/* ------------------------------------------------------------------ */
/* Stateful: checked parse and message comparison                     */

static void check_msg_views(const lpsp_msg *m, const uint8_t *buf, size_t len)
{
    fz_check_view("authorization", m->authorization, buf, len);
    fz_check_view("tracing", m->tracing, buf, len);
    fz_check_view("topic", m->topic, buf, len);
    fz_check_view("glob", m->glob, buf, len);
    fz_check_view("identifier", m->identifier, buf, len);
    fz_check_view("nonce", m->nonce, buf, len);
    fz_check_view("sha512", m->sha512, buf, len);
    fz_check_view("payload", m->payload, buf, len);
}

static const char *opts_name(unsigned opts)
{
    static const char *const names[] = {"strict", "compat", "strict+skip-digest",
                                        "compat+skip-digest"};
    return names[opts & 3];
}

/* lpsp_parse plus every invariant of its result. */
static lpsp_status parse_checked(lpsp_direction dir, const uint8_t *buf, size_t len, unsigned opts,
                                 lpsp_msg *m)
{
    lpsp_error e;
    memset(m, 0, sizeof *m);
    memset(&e, 0, sizeof e);
    fz_alloc_begin();
    lpsp_status st = lpsp_parse(dir, buf, len, opts, m, &e);
    fz_alloc_end();
    check_allocs(opts_name(opts));
    if (st != LPSP_OK) {
        FZ_ASSERT(status_is_parse_error(st), "lpsp_parse (%s): status %d (%s) outside the parse set",
                  opts_name(opts), st, lpsp_status_name(st));
        fz_check_error("lpsp_parse", st, &e, len);
        if (opts & LPSP_PARSE_SKIP_DIGEST)
            FZ_ASSERT(st != LPSP_E_HASH_MISMATCH, "hash_mismatch although digests are skipped");
        if (opts & LPSP_PARSE_COMPAT)
            FZ_ASSERT(st != LPSP_E_BAD_FLAGS && st != LPSP_E_TRAILING_BYTES,
                      "compat mode rejected with %s (%s)", lpsp_status_name(st), e.reason);
        if (len >= 4 && (buf[1] & 1))
            FZ_ASSERT(st != LPSP_E_MISSING_HEADER, "missing_header in minimal mode (%s)", e.reason);
        if (len < 4) FZ_ASSERT(st == LPSP_E_TRUNCATED, "%zu-byte input: %s, not truncated", len,
                               lpsp_status_name(st));
        return st;
    }
    FZ_ASSERT(len >= 4, "accepted a %zu-byte input", len);
    FZ_ASSERT(m->direction == dir, "parsed direction %d, asked for %d", m->direction, dir);
    FZ_ASSERT(m->type == (uint16_t)((buf[2] << 8) | buf[3]), "parsed type %u, wire type %u",
              m->type, (buf[2] << 8) | buf[3]);
    FZ_ASSERT(m->flags == (uint16_t)((buf[0] << 8) | buf[1]), "parsed flags %#x, wire flags %#x",
              m->flags, (buf[0] << 8) | buf[1]);
    FZ_ASSERT(lpsp_type_name(dir, m->type) != NULL, "accepted type %u has no name", m->type);
    if (!(opts & LPSP_PARSE_COMPAT)) FZ_ASSERT(m->flags <= 1, "strict accepted flags %#x", m->flags);
    check_msg_views(m, buf, len);
    if (m->has_authorization == 0)
        FZ_ASSERT(m->authorization.len == 0, "no authorization but a %zu-byte view",
                  m->authorization.len);
    else
        FZ_ASSERT(m->authorization.len > 0, "empty authorization flagged as present");
    const fz_layout *L = layout_of(dir, m->type);
    FZ_ASSERT(L != NULL, "accepted unknown type %u", m->type);
    if (L->has_body && m->payload.len)
        FZ_ASSERT(m->payload.ptr + m->payload.len == buf + len,
                  "body view does not end at the end of the message");
    if (!L->has_body) FZ_ASSERT(m->payload.len == 0, "body-less type with a %zu-byte payload",
                                m->payload.len);
    int var_ok;
    if (m->direction == LPSP_S2B && m->type == LPSP_S2B_NOTIFY)
        var_ok = m->variant == LPSP_VARIANT_UNCOMPRESSED || m->variant == LPSP_VARIANT_COMPRESSED;
    else if (is_stream(m))
        var_ok = m->variant == LPSP_VARIANT_START_UNCOMPRESSED ||
                 m->variant == LPSP_VARIANT_START_COMPRESSED ||
                 m->variant == LPSP_VARIANT_CONTINUATION;
    else
        var_ok = m->variant == LPSP_VARIANT_NONE;
    FZ_ASSERT(var_ok, "type %s with variant %d", lpsp_type_name(dir, m->type), m->variant);
    if (m->variant == LPSP_VARIANT_CONTINUATION)
        FZ_ASSERT(m->part_id != 0, "continuation with part id 0");
    if (m->variant == LPSP_VARIANT_COMPRESSED || m->variant == LPSP_VARIANT_START_COMPRESSED)
        FZ_ASSERT(m->compressor_id != 0, "compressed variant with compressor 0");
    if (m->variant == LPSP_VARIANT_UNCOMPRESSED && !(opts & LPSP_PARSE_SKIP_DIGEST)) {
        uint8_t d[64];
        SHA512(m->payload.ptr ? m->payload.ptr : (const uint8_t *)"", m->payload.len, d);
        FZ_ASSERT(m->sha512.len == 64 && memcmp(d, m->sha512.ptr, 64) == 0,
                  "NOTIFY accepted with a digest that is not SHA-512 of its body");
    }
    return st;
}

static int view_eq(lpsp_view a, lpsp_view b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

/* Field-by-field equality; returns the first differing field or NULL. */
static const char *msg_diff(const lpsp_msg *a, const lpsp_msg *b, int cmp_flags, int cmp_sha)
{
#define CMPI(f) \
    if (a->f != b->f) return #f
#define CMPV(f) \
    if (!view_eq(a->f, b->f)) return #f
    CMPI(direction);
    CMPI(type);
    if (cmp_flags) CMPI(flags);
    CMPI(variant);
    CMPI(has_authorization);
    CMPV(authorization);
    CMPV(tracing);
    CMPV(topic);
    CMPV(glob);
    CMPV(identifier);
    CMPV(nonce);
    if (cmp_sha) CMPV(sha512);
    CMPV(payload);
    CMPI(zstd_identifier);
    CMPI(part_id);
    CMPI(compressor_id);
    CMPI(compressed_length);
    CMPI(decompressed_length);
    CMPI(subscribers);
    CMPI(min_size);
    CMPI(max_size);
    CMPI(compression_level);
    CMPI(initial_dict);
    CMPI(enable_zstd);
    CMPI(enable_training);
#undef CMPI
#undef CMPV
    return NULL;
}

/* ctx: a plain string naming the two messages compared. */
#define FZ_ASSERT_EQ(a, b, cmp_flags, cmp_sha, ctx)                                       \
    do {                                                                                  \
        const char *d_ = msg_diff((a), (b), (cmp_flags), (cmp_sha));                      \
        if (d_)                                                                           \
            fz_fail(__FILE__, __LINE__, "%s %s: field %s differs: %s",                    \
                    lpsp_type_name((a)->direction, (a)->type) ? lpsp_type_name((a)->direction, (a)->type) : "?", \
                    (a)->direction == LPSP_S2B ? "(s2b)" : "(b2s)", d_, ctx);            \
    } while (0)

/* ------------------------------------------------------------------ */
/* Stateful: serializer oracles                                       */

/* Serializes m in the given mode into an exact-size heap buffer (and checks
 * the size query, the one-byte-short buffer and an empty buffer). Returns the
 * heap buffer (caller frees) or NULL when the serializer refused m; a refusal
 * is an oracle violation when must_accept is set. */
static uint8_t *serialize_checked(const lpsp_msg *m, int minimal, int must_accept, size_t *outlen)
{
    lpsp_error e;
    size_t sz = 0, w = 0;
    memset(&e, 0, sizeof e);
    fz_alloc_begin();
    lpsp_status st = lpsp_serialized_size(m, minimal, &sz, &e);
    fz_alloc_end();
    check_allocs("lpsp_serialized_size");
    if (st != LPSP_OK) {
        FZ_ASSERT(st == LPSP_E_INVALID_ARGUMENT, "lpsp_serialized_size: status %s",
                  lpsp_status_name(st));
        FZ_ASSERT(e.status == st && e.reason && e.reason[0], "serializer refusal without a reason");
        FZ_ASSERT(!must_accept, "serializer refused a message the strict parser accepted (%s: %s)",
                  e.field ? e.field : "-", e.reason);
        memset(&e, 0, sizeof e);
        uint8_t tmp[16];
        st = lpsp_serialize(m, minimal, tmp, sizeof tmp, &w, &e);
        FZ_ASSERT(st == LPSP_E_INVALID_ARGUMENT || st == LPSP_E_BUFFER_TOO_SMALL,
                  "lpsp_serialize accepts what lpsp_serialized_size refused: %s",
                  lpsp_status_name(st));
        return NULL;
    }
    FZ_ASSERT(sz >= 4, "serialized size %zu", sz);
    uint8_t *out = malloc(sz);
    if (!out) abort();
    memset(&e, 0, sizeof e);
    fz_alloc_begin();
    st = lpsp_serialize(m, minimal, out, sz, &w, &e);
    fz_alloc_end();
    check_allocs("lpsp_serialize");
    FZ_ASSERT(st == LPSP_OK, "lpsp_serialize into the exact size %zu failed: %s (%s)", sz,
              lpsp_status_name(st), e.reason ? e.reason : "-");
    FZ_ASSERT(w == sz, "lpsp_serialize wrote %zu bytes, size query said %zu", w, sz);
    /* One byte short: refused, and ASan watches the writes. */
    uint8_t *shortbuf = malloc(sz - 1);
    if (!shortbuf) abort();
    memset(&e, 0, sizeof e);
    st = lpsp_serialize(m, minimal, shortbuf, sz - 1, &w, &e);
    FZ_ASSERT(st == LPSP_E_BUFFER_TOO_SMALL, "serialize into %zu of %zu bytes: %s", sz - 1, sz,
              lpsp_status_name(st));
    FZ_ASSERT(e.status == st && e.reason && e.reason[0], "buffer_too_small without a reason");
    /* Zero capacity (a non-NULL pointer: NULL is the codec's size query). */
    st = lpsp_serialize(m, minimal, shortbuf, 0, &w, NULL);
    FZ_ASSERT(st == LPSP_E_BUFFER_TOO_SMALL, "serialize into an empty buffer: %s",
              lpsp_status_name(st));
    free(shortbuf);
    *outlen = sz;
    return out;
}

/* ------------------------------------------------------------------ */
/* Stateful: the oracles                                              */

static uint32_t fnv1a(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
    return h;
}

/* Every strict prefix of an accepted message: rejected as truncated, except
 * a cut inside the body of NOTIFY_STREAM / RECEIVE_STREAM /
 * ENABLE_ZSTD_CUSTOM (§4.5), which is accepted with the shorter body. The
 * digest is skipped (a shorter dictionary no longer matches its x-sha512). */
static void check_prefix(const lpsp_msg *m, const uint8_t *b, size_t len, size_t k,
                         uint8_t *scratch)
{
    const fz_layout *L = layout_of(m->direction, m->type);
    size_t body_start = len - m->payload.len;
    int body_cut_ok = L->has_body && !(m->direction == LPSP_S2B && m->type == LPSP_S2B_NOTIFY);
    /* Place the prefix at the end of the exact-size scratch block so that a
     * read past k is a heap overflow ASan reports. */
    uint8_t *p = scratch + (len - k);
    memcpy(p, b, k);
    lpsp_msg pm;
    lpsp_status st = parse_checked(m->direction, p, k, LPSP_PARSE_SKIP_DIGEST, &pm);
    if (body_cut_ok && k >= body_start) {
        FZ_ASSERT(st == LPSP_OK, "%s: prefix of %zu/%zu bytes (cut in the body at %zu) rejected as %s",
                  lpsp_type_name(m->direction, m->type), k, len, k - body_start,
                  lpsp_status_name(st));
        FZ_ASSERT(pm.payload.len == k - body_start, "body cut: payload %zu bytes, expected %zu",
                  pm.payload.len, k - body_start);
        lpsp_msg mm = *m;
        mm.payload.len = pm.payload.len;
        FZ_ASSERT_EQ(&pm, &mm, 1, 1, "body-cut prefix vs the whole message");
    } else {
        FZ_ASSERT(st == LPSP_E_TRUNCATED, "%s: strict prefix of %zu/%zu bytes gave %s, not truncated",
                  lpsp_type_name(m->direction, m->type), k, len, lpsp_status_name(st));
    }
}

static void check_prefixes(const lpsp_msg *m, const uint8_t *b, size_t len, int heavy)
{
    uint8_t *scratch = malloc(len);
    if (!scratch) abort();
    if (exhaustive() || (heavy && len <= 16)) {
        for (size_t k = 0; k < len; k++) check_prefix(m, b, len, k, scratch);
    } else {
        /* Sampled: the last byte, the body boundary, and 4 positions
         * derived from the input (every position is hit across a campaign;
         * replay checks them all). */
        size_t body_start = len - m->payload.len;
        if (heavy) check_prefix(m, b, len, len - 1, scratch);
        if (heavy && body_start > 0 && body_start < len) {
            check_prefix(m, b, len, body_start - 1, scratch);
            check_prefix(m, b, len, body_start, scratch);
        }
        uint32_t h = fnv1a(b, len);
        for (int i = 0; i < (heavy ? 4 : 1); i++) {
            h = h * 1103515245u + 12345u;
            check_prefix(m, b, len, (size_t)(h >> 8) % len, scratch);
        }
    }
    free(scratch);
}

/* A message the strict parser accepted (digest fixed up): round trip,
 * exact-size serialization, canonical form, prefixes, strict <= compat. */
static void strict_oracles(const lpsp_msg *m, const uint8_t *b, size_t len, int heavy)
{
    int minimal = m->flags & 1;
    size_t rlen = 0;
    uint8_t *r = serialize_checked(m, minimal, 1, &rlen);
    lpsp_msg rm;
    lpsp_status st = parse_checked(m->direction, r, rlen, 0, &rm);
    FZ_ASSERT(st == LPSP_OK, "re-serialized %s rejected: %s", lpsp_type_name(m->direction, m->type),
              lpsp_status_name(st));
    FZ_ASSERT_EQ(&rm, m, 1, 1, "parse(serialize(parse(x))) vs parse(x)");

    /* Canonical form: the serializer's output is canonical, and it
     * reproduces the input exactly when (and only when) the input is. */
    FZ_ASSERT(stateful_canonical(&rm, r, rlen), "serializer output is not in canonical form (%s, %s)",
              lpsp_type_name(m->direction, m->type), minimal ? "minimal" : "expanded");
    int same = rlen == len && memcmp(r, b, len) == 0;
    int canon = stateful_canonical(m, b, len);
    FZ_ASSERT(same == canon, "%s input (%zu bytes) re-serializes to %s bytes (%zu)",
              canon ? "canonical" : "non-canonical", len, same ? "identical" : "different", rlen);

    if (!heavy) {
        free(r);
        check_prefixes(m, b, len, 0);
        return;
    }

    /* Re-serialization is a fixed point. */
    size_t r2len = 0;
    uint8_t *r2 = serialize_checked(&rm, minimal, 1, &r2len);
    FZ_ASSERT(r2len == rlen && memcmp(r2, r, rlen) == 0, "serialize(parse(serialize(m))) != serialize(m)");
    free(r2);

    /* The other header mode round-trips to the same fields too. */
    size_t olen = 0;
    uint8_t *o = serialize_checked(m, !minimal, 1, &olen);
    lpsp_msg om;
    st = parse_checked(m->direction, o, olen, 0, &om);
    FZ_ASSERT(st == LPSP_OK, "re-serialized in the other mode: %s", lpsp_status_name(st));
    FZ_ASSERT_EQ(&om, m, 0, 1, "other header mode round trip");
    free(o);
    free(r);

    check_prefixes(m, b, len, 1);
}

/* ------------------------------------------------------------------ */
/* Once per process: the codec's tables and names against the spec,   */
/* and the serializer refusals of codec/docs/QUIRKS.md.                */

static void api_selfcheck(void)
{
    static int done;
    if (done) return;
    done = 1;
    /* Header lists: the codec's table (lpsp_header_name) equals the spec's
     * (fz_layouts, §3), name by name, for every type of both directions. */
    for (int dir = 0; dir < 2; dir++) {
        uint16_t max = dir == LPSP_S2B ? LPSP_S2B_MAX : LPSP_B2S_MAX;
        FZ_ASSERT(lpsp_type_name((lpsp_direction)dir, 0) == NULL, "type 0 has a name");
        FZ_ASSERT(lpsp_type_name((lpsp_direction)dir, (uint16_t)(max + 1)) == NULL, "type %u has a name", max + 1);
        FZ_ASSERT(lpsp_type_from_name((lpsp_direction)dir, "NO_SUCH_TYPE") == 0, "unknown name maps to a type");
        for (uint16_t t = 1; t <= max; t++) {
            const char *n = lpsp_type_name((lpsp_direction)dir, t);
            FZ_ASSERT(n && lpsp_type_from_name((lpsp_direction)dir, n) == t, "type %u name round trip", t);
            const fz_layout *L = layout_of((lpsp_direction)dir, t);
            unsigned i = 0;
            for (; i < 10 && L->h[i].name; i++) {
                const char *hn = lpsp_header_name((lpsp_direction)dir, t, i);
                FZ_ASSERT(hn && strcmp(hn, L->h[i].name) == 0, "%s header %u: codec says %s, spec %s", n, i,
                          hn ? hn : "(none)", L->h[i].name);
            }
            FZ_ASSERT(lpsp_header_name((lpsp_direction)dir, t, i) == NULL, "%s has more than %u headers", n, i);
        }
    }
    for (int b = 1; b <= LPSP_SL_BODY_MAX; b++) {
        const char *n = lpsp_sl_body_name((lpsp_sl_body)b);
        FZ_ASSERT(n && lpsp_sl_body_from_name(n) == (lpsp_sl_body)b, "stateless body %d name round trip", b);
    }
    FZ_ASSERT(lpsp_sl_body_name(LPSP_SL_NONE) == NULL && lpsp_sl_body_from_name("NOPE") == LPSP_SL_NONE,
              "stateless body names accept nonsense");
    for (int k = 1; k <= LPSP_AUTH_KIND_MAX; k++) {
        const char *n = lpsp_auth_kind_name(k);
        FZ_ASSERT(n && lpsp_auth_kind_from_name(n) == k, "auth kind %d name round trip", k);
        FZ_ASSERT(lpsp_auth_kind_fields(k) != 0 || k == LPSP_AUTH_CONFIRM_MISSED, "auth kind %s has no fields", n);
    }
    FZ_ASSERT(lpsp_auth_kind_fields(0) == 0 && lpsp_auth_kind_name(0) == NULL, "auth kind 0 is known");
    /* Status names and fatality (common.h). */
    static const lpsp_status all[] = {
        LPSP_OK, LPSP_E_TRUNCATED, LPSP_E_BAD_TYPE, LPSP_E_BAD_FLAGS, LPSP_E_BAD_HEADER_NAME,
        LPSP_E_MISSING_HEADER, LPSP_E_FIELD_SIZE, LPSP_E_BAD_UTF8, LPSP_E_LENGTH_MISMATCH,
        LPSP_E_HASH_MISMATCH, LPSP_E_TRAILING_BYTES, LPSP_E_OUT_OF_ORDER, LPSP_E_INVALID_VALUE,
        LPSP_E_BAD_BASE64, LPSP_E_OVERFLOW, LPSP_E_BUFFER_TOO_SMALL, LPSP_E_INVALID_ARGUMENT,
        LPSP_E_UNAUTHORIZED, LPSP_E_FORBIDDEN, LPSP_E_CRYPTO};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        const char *n = lpsp_status_name(all[i]);
        FZ_ASSERT(strcmp(n, "unknown") != 0, "status %d has no name", all[i]);
        for (size_t j = 0; j < i; j++) FZ_ASSERT(strcmp(n, lpsp_status_name(all[j])) != 0, "duplicate status name %s", n);
        int fatal = !(all[i] == LPSP_OK || all[i] == LPSP_E_TRUNCATED || all[i] == LPSP_E_BUFFER_TOO_SMALL);
        FZ_ASSERT(lpsp_status_is_fatal(all[i]) == fatal, "lpsp_status_is_fatal(%s)", n);
    }
    FZ_ASSERT(strcmp(lpsp_status_name((lpsp_status)-99), "unknown") == 0, "status -99 has a name");
    /* Connection nonce, §6.1 / QK-25. */
    uint8_t sn[32], bn[32], cn[32];
    for (int i = 0; i < 32; i++) {
        sn[i] = (uint8_t)i;
        bn[i] = (uint8_t)(0x20 + i);
    }
    lpsp_view vs = {sn, 32}, vb = {bn, 32}, v31 = {sn, 31};
    lpsp_error e;
    FZ_ASSERT(lpsp_connection_nonce(vs, vb, cn, &e) == LPSP_OK, "connection nonce");
    char b64[LPSP_NONCE_B64_LEN + 1];
    lpsp_connection_nonce_b64(cn, b64);
    FZ_ASSERT(strcmp(b64, "/eq5rPNxA2K9JljNyaKej5x1f8+YEWA6jER80dkVEQg=") == 0, "§6.1 nonce renders as %s", b64);
    FZ_ASSERT(lpsp_connection_nonce(v31, vb, cn, &e) == LPSP_E_FIELD_SIZE &&
              lpsp_connection_nonce(vs, v31, cn, &e) == LPSP_E_FIELD_SIZE, "31-byte nonce accepted");
    /* Bearer formatting (§10.2). */
    char bearer[16];
    size_t w = 0;
    FZ_ASSERT(lpsp_bearer_format((const uint8_t *)"tok", 3, bearer, sizeof bearer, &w, &e) == LPSP_OK &&
                  w == 10 && memcmp(bearer, "Bearer tok", 10) == 0, "Bearer format");
    FZ_ASSERT(lpsp_bearer_format((const uint8_t *)"tok", 3, bearer, 9, &w, &e) == LPSP_E_BUFFER_TOO_SMALL,
              "Bearer format into 9 bytes");
    /* Serializer refusals (QUIRKS.md): QK-16, QK-17, QK-19, wrong variants. */
    static const uint8_t d64[64];
    lpsp_msg m;
    size_t sz;
    lpsp_msg_init(&m, LPSP_S2B, LPSP_S2B_NOTIFY, LPSP_VARIANT_COMPRESSED);
    m.sha512.ptr = d64;
    m.sha512.len = 64;
    FZ_ASSERT(lpsp_serialized_size(&m, 1, &sz, &e) == LPSP_E_INVALID_ARGUMENT, "QK-16 compressor 0 not refused");
    lpsp_msg_init(&m, LPSP_S2B, LPSP_S2B_NOTIFY, LPSP_VARIANT_NONE);
    FZ_ASSERT(lpsp_serialized_size(&m, 1, &sz, &e) == LPSP_E_INVALID_ARGUMENT, "NOTIFY without variant not refused");
    lpsp_msg_init(&m, LPSP_B2S, LPSP_B2S_RECEIVE_STREAM, LPSP_VARIANT_CONTINUATION);
    FZ_ASSERT(lpsp_serialized_size(&m, 1, &sz, &e) == LPSP_E_INVALID_ARGUMENT, "QK-17 continuation 0 not refused");
    lpsp_msg_init(&m, LPSP_B2S, LPSP_B2S_RECEIVE_STREAM, LPSP_VARIANT_UNCOMPRESSED);
    FZ_ASSERT(lpsp_serialized_size(&m, 1, &sz, &e) == LPSP_E_INVALID_ARGUMENT, "stream with a NOTIFY variant not refused");
    lpsp_msg_init(&m, LPSP_S2B, LPSP_S2B_CONFIGURE, LPSP_VARIANT_NONE);
    FZ_ASSERT(lpsp_serialized_size(&m, 1, &sz, &e) == LPSP_E_INVALID_ARGUMENT, "QK-19 empty nonce not refused");
    lpsp_msg_init(&m, LPSP_S2B, LPSP_S2B_NOTIFY, LPSP_VARIANT_UNCOMPRESSED);
    m.sha512.ptr = d64;
    m.sha512.len = 64;
    FZ_ASSERT(lpsp_serialized_size(&m, 1, &sz, &e) == LPSP_E_INVALID_ARGUMENT, "NOTIFY with a wrong digest not refused");
}

static void stateful_message(lpsp_direction dir, const uint8_t *data, size_t len, int exact_heap);

void fz_stateful_message(lpsp_direction dir, const uint8_t *data, size_t len)
{
    stateful_message(dir, data, len, 0);
}

/* exact_heap: data is already a heap block of exactly len bytes that the
 * caller owns and does not need unchanged, so no copy is made. */
static void stateful_message(lpsp_direction dir, const uint8_t *data, size_t len, int exact_heap)
{
    api_selfcheck();
    uint8_t *buf = exact_heap ? (uint8_t *)(uintptr_t)data : fz_dup(data, len);
    /* Heavy inputs get every oracle; while fuzzing, light inputs skip the
     * cross-checks that only repeat work (digest-skip equivalence, strict vs
     * compat on accepted input, the other header mode, the fixed point, most
     * prefixes). Replay is always heavy. */
    int heavy = exhaustive() || (fnv1a(data, len) & 7) == 0;
    lpsp_msg ms, mf, mc;
    lpsp_status st_full = parse_checked(dir, buf, len, 0, &mf);
    lpsp_status st_skip = st_full;
    if (heavy || st_full == LPSP_E_HASH_MISMATCH)
        st_skip = parse_checked(dir, buf, len, LPSP_PARSE_SKIP_DIGEST, &ms);
    else
        ms = mf;
    lpsp_status st_cskip = LPSP_OK;
    if (heavy || st_skip != LPSP_OK)
        st_cskip = parse_checked(dir, buf, len, LPSP_PARSE_COMPAT | LPSP_PARSE_SKIP_DIGEST, &mc);
    else
        mc = ms;

    if (st_full == LPSP_OK) {
        FZ_ASSERT(st_skip == LPSP_OK, "accepted with digest checks, rejected without (%s)",
                  lpsp_status_name(st_skip));
        FZ_ASSERT_EQ(&mf, &ms, 1, 1, "strict vs strict+skip-digest");
    } else if (st_full != LPSP_E_HASH_MISMATCH) {
        /* Skipping the digest only removes the digest check; checks after
         * it (§3.1.6 step 11) may still reject. */
        FZ_ASSERT(st_full == st_skip, "strict rejects as %s, strict+skip-digest as %s",
                  lpsp_status_name(st_full), lpsp_status_name(st_skip));
    }
    if (st_skip == LPSP_OK) {
        FZ_ASSERT(st_cskip == LPSP_OK, "strict accepts but compat rejects (%s)",
                  lpsp_status_name(st_cskip));
        FZ_ASSERT_EQ(&mc, &ms, 1, 1, "strict vs compat");
    }
    if (st_cskip != LPSP_OK) {
        if (!exact_heap) free(buf);
        return;
    }

    /* Fix up the SHA-512 trailer so the code behind the digest check runs. */
    const lpsp_msg *acc = st_skip == LPSP_OK ? &ms : &mc;
    uint8_t *b = buf;
    if (acc->sha512.len == 64) {
        uint8_t d[64];
        SHA512(acc->payload.ptr ? acc->payload.ptr : (const uint8_t *)"", acc->payload.len, d);
        if (memcmp(d, acc->sha512.ptr, 64) != 0) {
            b = fz_dup(buf, len);
            memcpy(b + (acc->sha512.ptr - buf), d, 64);
        }
    }

    lpsp_msg m2, mc2;
    lpsp_status st2 = st_full;
    if (b != buf || heavy) st2 = parse_checked(dir, b, len, 0, &m2);
    else m2 = mf;
    lpsp_status stc2 = LPSP_OK;
    if (heavy || st2 != LPSP_OK) stc2 = parse_checked(dir, b, len, LPSP_PARSE_COMPAT, &mc2);
    else mc2 = m2; /* light: no cross-mode parse of a strictly accepted fix-up */
    FZ_ASSERT(stc2 == LPSP_OK, "compat accepted with digests skipped, rejects the fixed-up input: %s",
              lpsp_status_name(stc2));
    if (st_skip == LPSP_OK) {
        FZ_ASSERT(st2 == LPSP_OK, "strict accepted with digests skipped, rejects the fixed-up input: %s",
                  lpsp_status_name(st2));
        FZ_ASSERT_EQ(&m2, &ms, 1, 0, "fixed-up input vs original (digests skipped)");
        FZ_ASSERT_EQ(&mc2, &m2, 1, 1, "strict vs compat on the fixed-up input");
        strict_oracles(&m2, b, len, heavy);
    } else {
        /* Accepted by compat only: whatever the serializer accepts must
         * round-trip through the strict parser to the same fields. */
        FZ_ASSERT(st2 != LPSP_OK, "fixed-up input accepted strictly, original not even with digests skipped");
        size_t rlen = 0;
        uint8_t *r = serialize_checked(&mc2, mc2.flags & 1, 0, &rlen);
        if (r) {
            lpsp_msg rm;
            lpsp_status st = parse_checked(dir, r, rlen, 0, &rm);
            FZ_ASSERT(st == LPSP_OK, "serializer output of a compat-parsed message rejected: %s",
                      lpsp_status_name(st));
            FZ_ASSERT_EQ(&rm, &mc2, 0, 1, "compat parse vs strict parse of its re-serialization");
            free(r);
        }
    }
    if (b != buf) free(b);
    if (!exact_heap) free(buf);
}

void fz_stateful_typed(lpsp_direction dir, uint16_t type, const uint8_t *data, size_t size)
{
    if (size == 0) return;
    uint16_t flags = data[0] <= 1 ? data[0] : (uint16_t)(0xff00u | data[0]);
    size_t len = 4 + size - 1;
    uint8_t *msg = malloc(len);
    if (!msg) abort();
    msg[0] = (uint8_t)(flags >> 8);
    msg[1] = (uint8_t)flags;
    msg[2] = (uint8_t)(type >> 8);
    msg[3] = (uint8_t)type;
    memcpy(msg + 4, data + 1, size - 1);
    stateful_message(dir, msg, len, 1);
    free(msg);
}

/* ------------------------------------------------------------------ */
/* Stateless bodies (§8)                                              */

static void check_sl_views(const lpsp_sl_msg *m, const uint8_t *buf, size_t len)
{
    fz_check_view("authorization", m->authorization, buf, len);
    fz_check_view("tracing", m->tracing, buf, len);
    fz_check_view("url", m->url, buf, len);
    fz_check_view("topic", m->topic, buf, len);
    fz_check_view("glob", m->glob, buf, len);
    fz_check_view("recovery", m->recovery, buf, len);
    fz_check_view("sha512", m->sha512, buf, len);
    fz_check_view("identifier", m->identifier, buf, len);
    fz_check_view("message", m->message, buf, len);
    fz_check_view("etag", m->etag, buf, len);
    fz_check_view("entries", m->entries, buf, len);
}

static lpsp_status sl_parse_checked(lpsp_sl_body body, const uint8_t *buf, size_t len,
                                    unsigned opts, lpsp_sl_msg *m)
{
    lpsp_error e;
    memset(m, 0, sizeof *m);
    memset(&e, 0, sizeof e);
    fz_alloc_begin();
    lpsp_status st = lpsp_sl_parse(body, buf, len, opts, m, &e);
    fz_alloc_end();
    check_allocs("lpsp_sl_parse");
    if (st != LPSP_OK) {
        FZ_ASSERT(status_is_parse_error(st), "lpsp_sl_parse: status %d (%s) outside the parse set", st,
                  lpsp_status_name(st));
        fz_check_error("lpsp_sl_parse", st, &e, len);
        if (opts & LPSP_SL_SKIP_DIGEST)
            FZ_ASSERT(st != LPSP_E_HASH_MISMATCH, "hash_mismatch although digests are skipped");
        return st;
    }
    FZ_ASSERT(m->body == body || (body == LPSP_SL_RESPONSE_CONFIRM_RECEIVE &&
                                  m->body == LPSP_SL_RESPONSE_UNSUBSCRIBE_IMMEDIATE),
              "parsed body %d, asked for %d", m->body, body);
    check_sl_views(m, buf, len);
    return st;
}

static const char *sl_diff(const lpsp_sl_msg *a, const lpsp_sl_msg *b, int cmp_digests)
{
#define CMPI(f) \
    if (a->f != b->f) return #f
#define CMPV(f) \
    if (!view_eq(a->f, b->f)) return #f
    CMPI(body);
    CMPI(has_authorization);
    CMPV(authorization);
    CMPV(tracing);
    CMPV(url);
    CMPV(topic);
    CMPV(glob);
    CMPI(has_recovery);
    CMPV(recovery);
    if (cmp_digests) CMPV(sha512);
    CMPV(identifier);
    CMPV(message);
    CMPI(etag_format);
    if (cmp_digests) CMPV(etag);
    CMPI(subscribers);
    CMPI(exact_count);
    CMPI(glob_count);
    CMPV(entries);
#undef CMPI
#undef CMPV
    return NULL;
}

#define FZ_ASSERT_SL_EQ(a, b, cmp_digests, ctx)                                                 \
    do {                                                                                        \
        const char *d_ = sl_diff((a), (b), (cmp_digests));                                      \
        if (d_) fz_fail(__FILE__, __LINE__, "%s: field %s differs: %s",                         \
                        lpsp_sl_body_name((a)->body) ? lpsp_sl_body_name((a)->body) : "?", d_, ctx); \
    } while (0)

/* Entries of a parsed SET_SUBSCRIPTIONS, as the serializer wants them. */
static void sl_collect_entries(lpsp_sl_msg *m, lpsp_sl_entry **ex, lpsp_sl_entry **gl)
{
    size_t ne = m->exact_count, ng = m->glob_count;
    /* Each entry takes at least 2 bytes of the input, so the counts of an
     * accepted body are small. */
    *ex = calloc(ne ? ne : 1, sizeof **ex);
    *gl = calloc(ng ? ng : 1, sizeof **gl);
    if (!*ex || !*gl) abort();
    lpsp_sl_subs_iter it;
    lpsp_sl_subs_iter_init(&it, m);
    size_t ie = 0, ig = 0;
    for (;;) {
        lpsp_sl_subs_item item;
        lpsp_error e;
        lpsp_status st = lpsp_sl_subs_next(&it, &item, &e);
        FZ_ASSERT(st == LPSP_OK, "iterating an accepted SET_SUBSCRIPTIONS failed: %s",
                  lpsp_status_name(st));
        if (item.kind == LPSP_SUBS_END) break;
        if (item.kind == LPSP_SUBS_EXACT) {
            FZ_ASSERT(ie < ne, "more exact entries than counted");
            (*ex)[ie++] = item.entry;
        } else {
            FZ_ASSERT(ig < ng, "more glob entries than counted");
            (*gl)[ig++] = item.entry;
        }
    }
    FZ_ASSERT(ie == ne && ig == ng, "iterator gave %zu/%zu entries, counts say %zu/%zu", ie, ig, ne, ng);
    m->exact = *ex;
    m->n_exact = ne;
    m->globs = *gl;
    m->n_globs = ng;
}

/* A strict prefix of k bytes of the consumed part b[0..sz) is truncated.
 * The prefix is placed at the end of the exact-size scratch block so that a
 * read past it is a heap overflow ASan reports. */
static void sl_check_prefix(lpsp_sl_body kind, const uint8_t *b, size_t sz, size_t k, uint8_t *scratch)
{
    memcpy(scratch + (sz - k), b, k);
    lpsp_sl_msg pm;
    lpsp_status st = sl_parse_checked(kind, scratch + (sz - k), k, LPSP_SL_SKIP_DIGEST, &pm);
    FZ_ASSERT(st == LPSP_E_TRUNCATED, "%s: prefix of %zu/%zu bytes gave %s, not truncated",
              lpsp_sl_body_name(kind), k, sz, lpsp_status_name(st));
}

static size_t sl_view_cuts(lpsp_view v, const uint8_t *b, size_t sz, size_t *ks, size_t nk)
{
    uintptr_t p = (uintptr_t)v.ptr, lo = (uintptr_t)b;
    if (p < lo || p > lo + sz) return nk; /* the static empty view */
    size_t s = (size_t)(p - lo);
    if (s >= 1) ks[nk++] = s - 1;
    if (s < sz) ks[nk++] = s;
    return nk;
}

/* Appends to ks the cuts at the fields of m (parsed from b[0..sz)): one
 * byte before the value (inside its length prefix) and right before it;
 * for SET_SUBSCRIPTIONS also at the first and last entry of each list.
 * Returns the new count (at most 2 * 19 cuts are added). */
static size_t sl_field_cuts(const lpsp_sl_msg *m, const uint8_t *b, size_t sz, size_t *ks, size_t nk)
{
    const lpsp_view v[] = {m->authorization, m->tracing, m->url,     m->topic,
                           m->glob,          m->recovery, m->sha512, m->identifier,
                           m->message,       m->etag,    m->entries};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) nk = sl_view_cuts(v[i], b, sz, ks, nk);
    for (int g = 0; g < 2; g++) {
        const lpsp_sl_entry *e = g ? m->globs : m->exact;
        size_t n = g ? m->n_globs : m->n_exact;
        if (!e || n == 0) continue;
        nk = sl_view_cuts(e[0].key, b, sz, ks, nk);
        nk = sl_view_cuts(e[0].recovery, b, sz, ks, nk);
        nk = sl_view_cuts(e[n - 1].key, b, sz, ks, nk);
        nk = sl_view_cuts(e[n - 1].recovery, b, sz, ks, nk);
    }
    return nk;
}

void fz_stateless_body(int body, const uint8_t *data, size_t len)
{
    api_selfcheck();
    lpsp_sl_body kind = (lpsp_sl_body)body;
    uint8_t *buf = fz_dup(data, len);
    int heavy = exhaustive() || (fnv1a(data, len) & 7) == 0;
    lpsp_sl_msg mf, ms;
    lpsp_status st_full = sl_parse_checked(kind, buf, len, 0, &mf);
    lpsp_status st_skip = st_full;
    if (heavy || st_full == LPSP_E_HASH_MISMATCH)
        st_skip = sl_parse_checked(kind, buf, len, LPSP_SL_SKIP_DIGEST, &ms);
    else
        ms = mf;
    if (st_full == LPSP_OK) {
        FZ_ASSERT(st_skip == LPSP_OK, "accepted with digest checks, rejected without");
        FZ_ASSERT_SL_EQ(&mf, &ms, 1, "full vs skip-digest parse");
    } else if (st_full != LPSP_E_HASH_MISMATCH) {
        FZ_ASSERT(st_full == st_skip, "rejects as %s, with digests skipped as %s",
                  lpsp_status_name(st_full), lpsp_status_name(st_skip));
    }
    if (st_skip != LPSP_OK) {
        free(buf);
        return;
    }

    /* Fix up NOTIFY's SHA-512 and SET_SUBSCRIPTIONS' etag. */
    uint8_t *b = buf;
    lpsp_sl_entry *ex = NULL, *gl = NULL;
    if (ms.body == LPSP_SL_NOTIFY && ms.sha512.len == 64) {
        uint8_t d[64];
        SHA512(ms.message.len ? ms.message.ptr : (const uint8_t *)"", ms.message.len, d);
        b = fz_dup(buf, len);
        memcpy(b + (ms.sha512.ptr - buf), d, 64);
    } else if (ms.body == LPSP_SL_SET_SUBSCRIPTIONS && ms.etag.len == 64) {
        sl_collect_entries(&ms, &ex, &gl);
        uint8_t d[64];
        lpsp_error e;
        lpsp_status st = lpsp_etag_compute(ms.url, ex, ms.n_exact, gl, ms.n_globs, 1, d, &e);
        FZ_ASSERT(st == LPSP_OK, "etag of an accepted SET_SUBSCRIPTIONS: %s", lpsp_status_name(st));
        b = fz_dup(buf, len);
        memcpy(b + (ms.etag.ptr - buf), d, 64);
        free(ex);
        free(gl);
        ex = gl = NULL;
    }
    lpsp_sl_msg m = mf;
    lpsp_status st = st_full;
    /* Light: nothing fixed up and accepted already, so a repeat parse of
     * the same bytes with the same options would add nothing. */
    if (heavy || b != buf || st_full != LPSP_OK) st = sl_parse_checked(kind, b, len, 0, &m);
    FZ_ASSERT(st == LPSP_OK, "accepted with digests skipped, fixed-up input rejected: %s",
              lpsp_status_name(st));
    FZ_ASSERT_SL_EQ(&m, &ms, 0, "fixed-up vs original");
    if (m.body == LPSP_SL_SET_SUBSCRIPTIONS) sl_collect_entries(&m, &ex, &gl);

    /* Serializer: exact size, one byte short, round trip. */
    size_t sz = 0, w = 0;
    lpsp_error e;
    memset(&e, 0, sizeof e);
    fz_alloc_begin();
    st = lpsp_sl_serialized_size(&m, &sz, &e);
    fz_alloc_end();
    check_allocs("lpsp_sl_serialized_size");
    FZ_ASSERT(st == LPSP_OK, "serializer refused an accepted %s: %s (%s)", lpsp_sl_body_name(m.body),
              lpsp_status_name(st), e.reason ? e.reason : "-");
    uint8_t *r = malloc(sz ? sz : 1);
    if (!r) abort();
    fz_alloc_begin();
    st = lpsp_sl_serialize(&m, r, sz, &w, &e);
    fz_alloc_end();
    check_allocs("lpsp_sl_serialize");
    FZ_ASSERT(st == LPSP_OK && w == sz, "lpsp_sl_serialize into the exact size: %s, %zu of %zu",
              lpsp_status_name(st), w, sz);
    if (sz > 0) {
        uint8_t *sb = malloc(sz - 1 ? sz - 1 : 1);
        if (!sb) abort();
        st = lpsp_sl_serialize(&m, sb, sz - 1, &w, &e);
        FZ_ASSERT(st == LPSP_E_BUFFER_TOO_SMALL, "serialize into %zu of %zu bytes: %s", sz - 1, sz,
                  lpsp_status_name(st));
        free(sb);
    }
    /* Stateless encodings are unique (fixed-width lengths, no options), so
     * the re-serialization is the input up to the bytes the parser ignores
     * (QK-47); NOTIFY and RECEIVE have none. */
    FZ_ASSERT(sz <= len && memcmp(r, b, sz) == 0,
              "%s: re-serialization (%zu bytes) is not a prefix of the accepted input (%zu bytes)",
              lpsp_sl_body_name(m.body), sz, len);
    if (m.body == LPSP_SL_NOTIFY || m.body == LPSP_SL_RECEIVE)
        FZ_ASSERT(sz == len, "%s: accepted %zu trailing bytes", lpsp_sl_body_name(m.body), len - sz);
    lpsp_sl_msg rm;
    st = sl_parse_checked(kind, r, sz, 0, &rm);
    FZ_ASSERT(st == LPSP_OK, "re-serialized %s rejected: %s", lpsp_sl_body_name(m.body),
              lpsp_status_name(st));
    FZ_ASSERT_SL_EQ(&rm, &m, 1, "parse(serialize(parse(x))) vs parse(x)");

    /* Strict prefixes of the consumed part: truncated. Replay (and short
     * heavy bodies) check every prefix; while fuzzing, a heavy input checks
     * the cuts around every field boundary plus 4 input-derived positions,
     * a light one the last byte and 1 input-derived position. */
    uint8_t *scratch = malloc(sz ? sz : 1);
    if (!scratch) abort();
    if (sz > 0) {
        size_t ks[2 * 19 + 5], nk = 0;
        if (exhaustive() || (heavy && sz <= 32)) {
            for (size_t k = 0; k < sz; k++) sl_check_prefix(kind, b, sz, k, scratch);
        } else {
            ks[nk++] = sz - 1;
            if (heavy) nk = sl_field_cuts(&m, b, sz, ks, nk);
            uint32_t h = fnv1a(b, len);
            for (int i = 0; i < (heavy ? 4 : 1); i++) {
                h = h * 1103515245u + 12345u;
                ks[nk++] = (h >> 8) % sz;
            }
            FZ_ASSERT(nk <= sizeof ks / sizeof ks[0], "prefix cut list overflow: %zu", nk);
            for (size_t i = 0; i < nk; i++) sl_check_prefix(kind, b, sz, ks[i], scratch);
        }
    }
    free(scratch);
    free(r);
    free(ex);
    free(gl);
    if (b != buf) free(b);
    free(buf);
}

/* ------------------------------------------------------------------ */
/* Header and text parsers                                            */

/* Strict UTF-8 (Python's decoder): length of the valid prefix. Written
 * here, not taken from the codec, so that it can disagree with it. */
static size_t lpsp_utf8_valid_prefix_fz(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint32_t c = s[i], cp;
        size_t k;
        if (c < 0x80) { i++; continue; }
        else if (c >= 0xc2 && c <= 0xdf) { k = 1; cp = c & 0x1f; }
        else if (c >= 0xe0 && c <= 0xef) { k = 2; cp = c & 0x0f; }
        else if (c >= 0xf0 && c <= 0xf4) { k = 3; cp = c & 0x07; }
        else return i;
        if (n - i - 1 < k) return i;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xc0) != 0x80) return i;
            cp = (cp << 6) | (s[i + j] & 0x3f);
        }
        if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return i;
        i += k + 1;
    }
    return n;
}

static void text_error(const char *what, lpsp_status st, const lpsp_error *e, size_t len)
{
    if (st != LPSP_OK) fz_check_error(what, st, e, len);
}

void fz_text(int which, const uint8_t *data, size_t len)
{
    api_selfcheck();
    uint8_t *in = fz_dup(data, len);
    lpsp_error e;
    lpsp_status st;
    memset(&e, 0, sizeof e);
    switch (which) {
    case FZ_TEXT_REPR_DIGEST: {
        uint8_t d[64], d2[64];
        st = lpsp_repr_digest_parse(in, len, 1, d, &e);
        text_error("lpsp_repr_digest_parse", st, &e, len);
        if (st == LPSP_OK) {
            char hdr[LPSP_REPR_DIGEST_LEN];
            size_t w = 0;
            lpsp_view dv = {d, 64};
            st = lpsp_repr_digest_format(dv, hdr, sizeof hdr, &w, &e);
            FZ_ASSERT(st == LPSP_OK && w == LPSP_REPR_DIGEST_LEN, "format of a parsed digest: %s",
                      lpsp_status_name(st));
            st = lpsp_repr_digest_parse((const uint8_t *)hdr, w, 1, d2, &e);
            FZ_ASSERT(st == LPSP_OK && memcmp(d, d2, 64) == 0, "Repr-Digest format/parse round trip");
            /* RECEIVE's digest check: the input itself as the message, the
             * parsed digest and that of the input as the claimed ones. */
            lpsp_view msg = {in, len}, dig = {d, 64};
            uint8_t own[64];
            SHA512(len ? in : (const uint8_t *)"", len, own);
            lpsp_view ownv = {own, 64};
            st = lpsp_sl_check_digest(msg, ownv, &e);
            FZ_ASSERT(st == LPSP_OK, "check_digest of the message's own SHA-512: %s", lpsp_status_name(st));
            st = lpsp_sl_check_digest(msg, dig, &e);
            FZ_ASSERT(st == (memcmp(d, own, 64) ? LPSP_E_HASH_MISMATCH : LPSP_OK),
                      "check_digest against a parsed Repr-Digest: %s", lpsp_status_name(st));
            lpsp_view shortv = {own, 63};
            st = lpsp_sl_check_digest(msg, shortv, &e);
            FZ_ASSERT(st == LPSP_E_FIELD_SIZE, "check_digest of a 63-byte digest: %s", lpsp_status_name(st));
            st = lpsp_repr_digest_format(shortv, hdr, sizeof hdr, &w, &e);
            FZ_ASSERT(st == LPSP_E_INVALID_ARGUMENT, "format of a 63-byte digest: %s", lpsp_status_name(st));
        }
        break;
    }
    case FZ_TEXT_HMAC_TOKEN: {
        /* First byte: lifetime choice; the rest is the authorization value. */
        if (len == 0) break;
        uint64_t lifetime = in[0] & 1 ? UINT64_MAX : (uint64_t)in[0] * 1000;
        const int64_t now = 1700000000;
        lpsp_hmac_token tok;
        fz_alloc_begin();
        st = lpsp_hmac_parse_token(in + 1, len - 1, 1, now, lifetime, &tok, &e);
        fz_alloc_end();
        check_allocs("lpsp_hmac_parse_token");
        text_error("lpsp_hmac_parse_token", st, &e, len - 1);
        FZ_ASSERT(st == LPSP_OK || st == LPSP_E_FORBIDDEN, "token parse: status %s (only ok/forbidden)",
                  lpsp_status_name(st));
        if (st == LPSP_OK) {
            fz_check_view("token nonce", tok.nonce, in + 1, len - 1);
            uint64_t dist = tok.timestamp > now ? (uint64_t)tok.timestamp - (uint64_t)now
                                                : (uint64_t)now - (uint64_t)tok.timestamp;
            FZ_ASSERT(dist <= lifetime, "token %lld outside lifetime %llu of now",
                      (long long)tok.timestamp, (unsigned long long)lifetime);
        }
        st = lpsp_hmac_parse_token(in + 1, len - 1, 0, now, lifetime, &tok, &e);
        FZ_ASSERT(st == LPSP_E_UNAUTHORIZED, "absent authorization gave %s", lpsp_status_name(st));
        break;
    }
    case FZ_TEXT_B64_LENIENT: {
        /* One-shot vs streaming in two pieces vs a short buffer. */
        size_t max = lpsp_b64_lenient_max(len), n1 = 0, n2 = 0;
        uint8_t *o1 = malloc(max ? max : 1), *o2 = malloc(max ? max : 1);
        if (!o1 || !o2) abort();
        fz_alloc_begin();
        lpsp_status s1 = lpsp_b64_decode_lenient(in, len, o1, max, &n1, &e);
        fz_alloc_end();
        check_allocs("lpsp_b64_decode_lenient");
        text_error("lpsp_b64_decode_lenient", s1, &e, len);
        FZ_ASSERT(s1 == LPSP_OK || s1 == LPSP_E_BAD_BASE64, "lenient base64: status %s",
                  lpsp_status_name(s1));
        if (s1 == LPSP_OK) FZ_ASSERT(n1 <= max, "decoded %zu bytes, max %zu", n1, max);
        size_t cut = len ? fnv1a(in, len) % (len + 1) : 0;
        lpsp_b64_lenient d;
        lpsp_b64_lenient_init(&d, o2, max);
        lpsp_b64_lenient_feed(&d, in, cut);
        lpsp_b64_lenient_feed(&d, in + cut, len - cut);
        lpsp_status s2 = lpsp_b64_lenient_finish(&d, &n2, &e);
        FZ_ASSERT(s1 == s2, "one-shot %s, streamed (cut at %zu) %s", lpsp_status_name(s1), cut,
                  lpsp_status_name(s2));
        if (s1 == LPSP_OK) {
            FZ_ASSERT(n1 == n2 && memcmp(o1, o2, n1) == 0, "one-shot and streamed output differ");
            if (n1 > 0) {
                uint8_t *o3 = malloc(n1 - 1 ? n1 - 1 : 1);
                if (!o3) abort();
                size_t n3 = 0;
                lpsp_status s3 = lpsp_b64_decode_lenient(in, len, o3, n1 - 1, &n3, &e);
                FZ_ASSERT(s3 == LPSP_E_BUFFER_TOO_SMALL && n3 == n1,
                          "short output buffer: %s, needed %zu (expected %zu)", lpsp_status_name(s3), n3, n1);
                free(o3);
            }
        }
        free(o1);
        free(o2);
        break;
    }
    case FZ_TEXT_PY_INT: {
        int64_t v = 0, v2 = 0;
        st = lpsp_py_int_parse(in, len, &v, &e);
        text_error("lpsp_py_int_parse", st, &e, len);
        FZ_ASSERT(st == LPSP_OK || st == LPSP_E_INVALID_VALUE || st == LPSP_E_OVERFLOW,
                  "py_int: status %s", lpsp_status_name(st));
        if (st == LPSP_OK) {
            char t[32];
            int n = snprintf(t, sizeof t, "%lld", (long long)v);
            st = lpsp_py_int_parse((const uint8_t *)t, (size_t)n, &v2, &e);
            FZ_ASSERT(st == LPSP_OK && v2 == v, "py_int: %s does not parse back", t);
        }
        break;
    }
    case FZ_TEXT_BEARER: {
        /* token | 0x00 | authorization */
        const uint8_t *z = memchr(in, 0, len);
        size_t tl = z ? (size_t)(z - in) : len / 2;
        const uint8_t *a = in + tl + (z ? 1 : 0);
        size_t al = len - (size_t)(a - in);
        st = lpsp_bearer_check(in, tl, a, al, 1, &e);
        text_error("lpsp_bearer_check", st, &e, al);
        int ascii = 1;
        for (size_t i = 0; i < tl; i++) ascii &= in[i] < 0x80;
        int same = al == tl + 7 && memcmp(a, "Bearer ", 7) == 0 && memcmp(a + 7, in, tl) == 0;
        if (!ascii) FZ_ASSERT(st == LPSP_E_INVALID_ARGUMENT, "non-ASCII token: %s", lpsp_status_name(st));
        else FZ_ASSERT(st == (same ? LPSP_OK : LPSP_E_FORBIDDEN), "bearer check %s, expected %s",
                       lpsp_status_name(st), same ? "ok" : "forbidden");
        break;
    }
    case FZ_TEXT_WS_URL: {
        lpsp_view nb;
        uint8_t nonce[32];
        int64_t ctr = 0;
        st = lpsp_ws_url_parse(in, len, &nb, nonce, &ctr, &e);
        text_error("lpsp_ws_url_parse", st, &e, len);
        if (st == LPSP_OK) {
            fz_check_view("nonce_b64", nb, in, len);
            char out[128];
            size_t w = 0;
            st = lpsp_ws_url_format(nb.ptr, nb.len, ctr, out, sizeof out, &w, &e);
            FZ_ASSERT(st == LPSP_OK, "format of a parsed websocket URL: %s", lpsp_status_name(st));
            FZ_ASSERT(w == len && memcmp(out, in, len) == 0,
                      "websocket URL is not canonical but was accepted (re-formats differently)");
        }
        break;
    }
    case FZ_TEXT_HMAC_SECRET: {
        uint8_t sec[64];
        st = lpsp_hmac_secret_decode(in, len, sec, &e);
        text_error("lpsp_hmac_secret_decode", st, &e, len);
        break;
    }
    case FZ_TEXT_SUBS_ITER: {
        lpsp_sl_msg hdr;
        lpsp_sl_subs_iter it;
        size_t n = 0;
        st = lpsp_sl_subs_begin(in, len, &hdr, &it, &e);
        text_error("lpsp_sl_subs_begin", st, &e, len);
        while (st == LPSP_OK) {
            lpsp_sl_subs_item item;
            st = lpsp_sl_subs_next(&it, &item, &e);
            text_error("lpsp_sl_subs_next", st, &e, len);
            if (st != LPSP_OK || item.kind == LPSP_SUBS_END) break;
            fz_check_view("entry key", item.entry.key, in, len);
            fz_check_view("entry recovery", item.entry.recovery, in, len);
            n++;
        }
        lpsp_sl_msg m;
        lpsp_status sp = sl_parse_checked(LPSP_SL_SET_SUBSCRIPTIONS, in, len, LPSP_SL_SKIP_DIGEST, &m);
        if (sp == LPSP_OK)
            FZ_ASSERT(st == LPSP_OK && n == (size_t)m.exact_count + m.glob_count,
                      "parser accepts, iterator %s after %zu of %u entries", lpsp_status_name(st), n,
                      m.exact_count + m.glob_count);
        break;
    }
    case FZ_TEXT_ETAG_ORDER: {
        /* Entries separated by 0x00 (exact) until a 0x01 byte, then globs.
         * Oracles: the streaming builder rejects exactly what an independent
         * check finds out of order (strictly ascending bytes per list) or not
         * UTF-8 (globs); when accepted, the one-shot etag and SHA-512 of the
         * etag document (written into its exact size) equal the streamed one. */
        size_t cap = 1;
        for (size_t i = 0; i < len; i++) cap += in[i] <= 1;
        lpsp_sl_entry *ent = calloc(cap, sizeof *ent);
        if (!ent) abort();
        size_t n_ex = 0, n_gl = 0, p = 0;
        int glob = 0, expect_ok = 1, utf8_ok = 1;
        while (p <= len) {
            size_t q = p;
            while (q < len && in[q] > 1) q++;
            lpsp_sl_entry *x = &ent[n_ex + n_gl];
            x->key.ptr = in + p;
            x->key.len = q - p;
            size_t nlist = glob ? n_gl : n_ex;
            if (nlist > 0) {
                lpsp_view prev = x[-1].key;
                size_t m = prev.len < x->key.len ? prev.len : x->key.len;
                int c = m ? memcmp(prev.ptr, x->key.ptr, m) : 0;
                if (c > 0 || (c == 0 && prev.len >= x->key.len)) expect_ok = 0;
            }
            if (glob && lpsp_utf8_valid_prefix_fz(x->key.ptr, x->key.len) != x->key.len) utf8_ok = 0;
            if (glob) n_gl++;
            else n_ex++;
            if (q < len && in[q] == 1 && !glob) glob = 1;
            p = q + 1;
        }
        lpsp_view url = {(const uint8_t *)"u", 1};
        lpsp_etag_builder b;
        st = lpsp_etag_begin(&b, url, 1, &e);
        FZ_ASSERT(st == LPSP_OK, "etag begin: %s", lpsp_status_name(st));
        for (size_t i = 0; i < n_ex + n_gl && st == LPSP_OK; i++)
            st = i < n_ex ? lpsp_etag_add_exact(&b, ent[i].key, ent[i].recovery, &e)
                          : lpsp_etag_add_glob(&b, ent[i].key, ent[i].recovery, &e);
        uint8_t d1[64], d2[64], d3[64];
        if (st == LPSP_OK) {
            st = lpsp_etag_finish(&b, d1, &e);
            FZ_ASSERT(st == LPSP_OK, "etag finish: %s", lpsp_status_name(st));
            FZ_ASSERT(expect_ok && utf8_ok, "etag accepted entries that are out of order (%d) or not UTF-8 (%d)",
                      !expect_ok, !utf8_ok);
            st = lpsp_etag_compute(url, ent, n_ex, ent + n_ex, n_gl, 1, d2, &e);
            FZ_ASSERT(st == LPSP_OK && memcmp(d1, d2, 64) == 0, "one-shot etag differs from streamed (%s)",
                      lpsp_status_name(st));
            size_t sz = 0, w = 0;
            st = lpsp_etag_document_size(url, ent, n_ex, ent + n_ex, n_gl, 1, &sz, &e);
            FZ_ASSERT(st == LPSP_OK, "etag document size: %s", lpsp_status_name(st));
            uint8_t *doc = malloc(sz ? sz : 1);
            if (!doc) abort();
            st = lpsp_etag_document(url, ent, n_ex, ent + n_ex, n_gl, 1, doc, sz, &w, &e);
            FZ_ASSERT(st == LPSP_OK && w == sz, "etag document into its exact size: %s", lpsp_status_name(st));
            SHA512(doc, sz, d3);
            FZ_ASSERT(memcmp(d1, d3, 64) == 0, "etag is not SHA-512 of the etag document");
            if (sz) {
                st = lpsp_etag_document(url, ent, n_ex, ent + n_ex, n_gl, 1, doc, sz - 1, &w, &e);
                FZ_ASSERT(st == LPSP_E_BUFFER_TOO_SMALL, "etag document one byte short: %s",
                          lpsp_status_name(st));
            }
            free(doc);
        } else {
            lpsp_etag_abort(&b);
            FZ_ASSERT(st == LPSP_E_OUT_OF_ORDER ? !expect_ok : (st == LPSP_E_BAD_UTF8 && !utf8_ok),
                      "etag builder: %s (ascending: %d, utf8: %d)", lpsp_status_name(st), expect_ok, utf8_ok);
            st = lpsp_etag_compute(url, ent, n_ex, ent + n_ex, n_gl, 1, d2, &e);
            FZ_ASSERT(st != LPSP_OK, "one-shot etag accepts what the builder rejects");
        }
        free(ent);
        break;
    }
    case FZ_TEXT_HMAC_ROUNDTRIP: {
        /* byte 0: kind; the rest: text fields separated by 0x00 (nonce,
         * tracing, url, recovery, topic, glob, identifier); integers and
         * fixed-size fields derived from the input. Oracles: exact-size
         * to_sign, sign -> verify OK, a changed code or field -> FORBIDDEN. */
        if (len == 0) break;
        lpsp_auth_fields f;
        memset(&f, 0, sizeof f);
        f.kind = 1 + in[0] % LPSP_AUTH_KIND_MAX;
        lpsp_view *tv[] = {&f.nonce, &f.tracing, &f.url, &f.recovery, &f.topic, &f.glob, &f.identifier};
        size_t p = 1;
        for (size_t i = 0; i < sizeof tv / sizeof tv[0]; i++) {
            size_t q = p;
            while (q < len && in[q] != 0) q++;
            tv[i]->ptr = in + (p < len ? p : len);
            tv[i]->len = p < len ? q - p : 0;
            p = q + 1;
        }
        uint32_t h = fnv1a(in, len);
        static uint8_t fixed[64];
        for (int i = 0; i < 64; i++) fixed[i] = (uint8_t)(h >> (i % 4 * 8)) ^ (uint8_t)i;
        lpsp_view v32 = {fixed, 32}, v64 = {fixed, 64};
        f.sha512 = v64;
        f.etag = v64;
        f.subscriber_nonce = v32;
        f.broadcaster_nonce = v32;
        /* mostly now-ish; one input in 32 at the top of the u64 range */
        f.timestamp = (h & 0x1f00) == 0x1f00 ? UINT64_MAX - (h & 0xff) : 1700000000 + (h & 0xff);
        f.enable_zstd = h & 1;
        f.enable_training = (h >> 1) & 1;
        f.initial_dict = h & 0xffff;
        f.part_id = (h >> 3) & ((h & 4) ? 0xff : 0xfff);
        f.num_subscribers = h;
        f.subscribers = h >> 5;
        f.zstd_identifier = h >> 7;
        f.compression_level = (int64_t)(h % 40) - ((h & 8) ? 5 : 0);
        f.min_size = h >> 9;
        f.max_size = (uint64_t)h << 20;
        size_t sz = 0, w = 0;
        st = lpsp_hmac_to_sign_size(&f, &sz, &e);
        if (st != LPSP_OK) {
            FZ_ASSERT(e.status == st && e.reason && e.reason[0], "to_sign refusal without a reason");
            break;
        }
        uint8_t *ts = malloc(sz ? sz : 1);
        if (!ts) abort();
        st = lpsp_hmac_to_sign(&f, ts, sz, &w, &e);
        FZ_ASSERT(st == LPSP_OK && w == sz, "to_sign into its exact size: %s", lpsp_status_name(st));
        if (sz) {
            uint8_t *sb = malloc(sz - 1 ? sz - 1 : 1);
            if (!sb) abort();
            st = lpsp_hmac_to_sign(&f, sb, sz - 1, &w, &e);
            FZ_ASSERT(st == LPSP_E_BUFFER_TOO_SMALL, "to_sign one byte short: %s", lpsp_status_name(st));
            free(sb);
        }
        free(ts);
        /* One key per process: signing and verifying only read it. */
        static const uint8_t secret[64] = {1, 2, 3, 4, 5, 6, 7, 8};
        static lpsp_hmac_key k;
        static int k_ready;
        if (!k_ready) {
            st = lpsp_hmac_key_init(&k, secret, sizeof secret, &e);
            FZ_ASSERT(st == LPSP_OK, "hmac key: %s", lpsp_status_name(st));
            k_ready = 1;
        }
        char hdr[LPSP_HMAC_HEADER_MAX + 1];
        size_t hsz = 0;
        lpsp_status hst = lpsp_hmac_header_size(&f, &hsz, &e);
        st = lpsp_hmac_sign(&k, &f, hdr, sizeof hdr, &w, &e);
        FZ_ASSERT(hst == st, "header size query %s, sign %s", lpsp_status_name(hst), lpsp_status_name(st));
        if (st == LPSP_OK) {
            FZ_ASSERT(w <= LPSP_HMAC_HEADER_MAX && w == hsz, "header of %zu bytes, size query %zu", w, hsz);
            if (f.timestamp > INT64_MAX) {
                /* signable (u64), but no token timestamp beyond int64 verifies */
                st = lpsp_hmac_verify(&k, &f, (const uint8_t *)hdr, w, 1, INT64_MAX, UINT64_MAX, NULL, &e);
                FZ_ASSERT(st == LPSP_E_FORBIDDEN, "%s: token with timestamp %llu gave %s",
                          lpsp_auth_kind_name(f.kind), (unsigned long long)f.timestamp, lpsp_status_name(st));
                break;
            }
            st = lpsp_hmac_verify(&k, &f, (const uint8_t *)hdr, w, 1, (int64_t)f.timestamp, 0, NULL, &e);
            FZ_ASSERT(st == LPSP_OK, "%s: verify(sign(f)) gave %s (%s)", lpsp_auth_kind_name(f.kind),
                      lpsp_status_name(st), e.reason ? e.reason : "-");
            /* A full-6-bit character of the code (the last data character
             * before "==" also carries unchecked padding bits, QK-34). */
            hdr[w - 10] = hdr[w - 10] == 'A' ? 'B' : 'A';
            st = lpsp_hmac_verify(&k, &f, (const uint8_t *)hdr, w, 1, (int64_t)f.timestamp, 0, NULL, &e);
            FZ_ASSERT(st == LPSP_E_FORBIDDEN, "%s: a changed code verified as %s",
                      lpsp_auth_kind_name(f.kind), lpsp_status_name(st));
        } else {
            FZ_ASSERT(st == LPSP_E_INVALID_ARGUMENT && memchr(f.nonce.ptr, ':', f.nonce.len),
                      "sign refused: %s (%s)", lpsp_status_name(st), e.reason ? e.reason : "-");
        }
        break;
    }
    default: FZ_ASSERT(0, "unknown text target %d", which);
    }
    free(in);
}
