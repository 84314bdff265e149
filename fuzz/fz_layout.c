/* Header lists of every stateful type (spec §3) and the canonical-form walker
 * (fz_layout.h). Type numbers are the spec's, not the codec's enum values:
 * the self-check compares the two. */
#include "fz_layout.h"

#include <string.h>

#include "fz_common.h"

/* One row per type: direction, spec number, the codec enum constant's name,
 * whether a body follows, and the headers in spec order. */
/* clang-format off */
#define H(n, k)  {n, k, 0}
#define HS(n, k) {n, k, 1}
#define AUTH     H("authorization", FZ_K_BLOB)
#define TRAC     H("x-tracing", FZ_K_BLOB)
#define IDENT    H("x-identifier", FZ_K_BLOB)
#define TOPIC    H("x-topic", FZ_K_BLOB)
#define GLOB     H("x-glob", FZ_K_BLOB)
/* NOTIFY's and the stream start part's content headers. */
#define COMPRESSION(h) h("x-compressor", FZ_K_COMPR), h("x-compressed-length", FZ_K_MU), \
                       h("x-decompressed-length", FZ_K_MU), h("x-compressed-sha512", FZ_K_BLOB)
/* ENABLE_ZSTD_PRESET's and ENABLE_ZSTD_CUSTOM's leading headers. */
#define ZSTD_SETTINGS  H("x-identifier", FZ_K_MU), H("x-compression-level", FZ_K_FIX2), \
                       H("x-min-size", FZ_K_MU), H("x-max-size", FZ_K_MU)

static const fz_layout fz_layouts[] = {
    /* Subscriber to broadcaster. */
    {LPSP_S2B, 1, "LPSP_S2B_CONFIGURE", 0,
     {H("x-subscriber-nonce", FZ_K_BLOB), H("x-enable-zstd", FZ_K_BOOL), H("x-enable-training", FZ_K_BOOL),
      H("x-initial-dict", FZ_K_FIX2), AUTH, TRAC}},
    {LPSP_S2B, 2, "LPSP_S2B_SUBSCRIBE_EXACT", 0, {AUTH, TRAC, TOPIC}},
    {LPSP_S2B, 3, "LPSP_S2B_SUBSCRIBE_GLOB", 0, {AUTH, TRAC, GLOB}},
    {LPSP_S2B, 4, "LPSP_S2B_UNSUBSCRIBE_EXACT", 0, {AUTH, TRAC, TOPIC}},
    {LPSP_S2B, 5, "LPSP_S2B_UNSUBSCRIBE_GLOB", 0, {AUTH, TRAC, GLOB}},
    {LPSP_S2B, 6, "LPSP_S2B_NOTIFY", 1, {AUTH, TRAC, IDENT, TOPIC, COMPRESSION(H)}},
    {LPSP_S2B, 7, "LPSP_S2B_NOTIFY_STREAM", 1,
     {AUTH, TRAC, IDENT, H("x-part-id", FZ_K_PARTID), HS("x-topic", FZ_K_BLOB), COMPRESSION(HS)}},
    {LPSP_S2B, 8, "LPSP_S2B_CONTINUE_RECEIVE", 0, {IDENT, H("x-part-id", FZ_K_MU), AUTH, TRAC}},
    {LPSP_S2B, 9, "LPSP_S2B_CONFIRM_RECEIVE", 0, {IDENT, AUTH, TRAC, H("x-num-subscribers", FZ_K_FIX4)}},

    /* Broadcaster to subscriber. */
    {LPSP_B2S, 1, "LPSP_B2S_CONFIRM_CONFIGURE", 0, {H("x-broadcaster-nonce", FZ_K_BLOB), AUTH, TRAC}},
    {LPSP_B2S, 2, "LPSP_B2S_CONFIRM_SUBSCRIBE_EXACT", 0, {TOPIC, AUTH, TRAC}},
    {LPSP_B2S, 3, "LPSP_B2S_CONFIRM_SUBSCRIBE_GLOB", 0, {GLOB, AUTH, TRAC}},
    {LPSP_B2S, 4, "LPSP_B2S_CONFIRM_UNSUBSCRIBE_EXACT", 0, {TOPIC, AUTH, TRAC}},
    {LPSP_B2S, 5, "LPSP_B2S_CONFIRM_UNSUBSCRIBE_GLOB", 0, {GLOB, AUTH, TRAC}},
    {LPSP_B2S, 6, "LPSP_B2S_CONFIRM_NOTIFY", 0, {IDENT, H("x-subscribers", FZ_K_MU), AUTH, TRAC}},
    {LPSP_B2S, 7, "LPSP_B2S_CONTINUE_NOTIFY", 0, {IDENT, H("x-part-id", FZ_K_MU), AUTH, TRAC}},
    {LPSP_B2S, 8, "LPSP_B2S_RECEIVE_STREAM", 1,
     {AUTH, TRAC, IDENT, H("x-part-id", FZ_K_PARTID), HS("x-topic", FZ_K_BLOB), COMPRESSION(HS)}},
    {LPSP_B2S, 9, "LPSP_B2S_ENABLE_ZSTD_PRESET", 0, {ZSTD_SETTINGS, AUTH, TRAC}},
    {LPSP_B2S, 10, "LPSP_B2S_ENABLE_ZSTD_CUSTOM", 1, {ZSTD_SETTINGS, AUTH, TRAC, H("x-sha512", FZ_K_BLOB)}},
    {LPSP_B2S, 11, "LPSP_B2S_DISABLE_ZSTD_CUSTOM", 0, {H("x-identifier", FZ_K_MU), AUTH, TRAC}},
    {LPSP_B2S, 12, "LPSP_B2S_MISSED", 0, {AUTH, TRAC, TOPIC}},
};
/* clang-format on */

const fz_layout *fz_layout_of(lpsp_direction dir, uint16_t type)
{
    for (size_t i = 0; i < sizeof fz_layouts / sizeof fz_layouts[0]; i++)
        if (fz_layouts[i].dir == dir && fz_layouts[i].type == type) return &fz_layouts[i];
    return NULL;
}

size_t fz_layout_headers(const fz_layout *L)
{
    size_t n = 0;
    while (n < FZ_MAX_HEADERS && L->h[n].name)
        n++;
    return n;
}

static int value_canonical(fz_kind kind, const lpsp_msg *m, const uint8_t *v, size_t n)
{
    int uncompressed =
        m->variant == LPSP_VARIANT_UNCOMPRESSED || m->variant == LPSP_VARIANT_START_UNCOMPRESSED;
    switch (kind) {
    case FZ_K_BLOB: return 1;
    case FZ_K_MU: return n <= 8 && (n == 0 || v[0] != 0);
    case FZ_K_FIX2: return n == 2;
    case FZ_K_FIX4: return n == 4;
    case FZ_K_BOOL: return n == 1;
    case FZ_K_PARTID:
        if (m->variant == LPSP_VARIANT_CONTINUATION) return n <= 8 && n > 0 && v[0] != 0;
        return n == 1 && v[0] == 0;
    case FZ_K_COMPR:
        if (uncompressed) return n == 1 && v[0] == 0;
        return n <= 8 && n > 0 && v[0] != 0;
    }
    return 0;
}

/* A big-endian 16-bit length at b[*p], if there are 2 bytes left. */
static int read_u16(const uint8_t *b, size_t len, size_t *p, size_t *out)
{
    if (len - *p < 2) return 0;
    *out = (size_t)((b[*p] << 8) | b[*p + 1]);
    *p += 2;
    return 1;
}

int fz_stateful_canonical(const lpsp_msg *m, const uint8_t *b, size_t len)
{
    const fz_layout *L = fz_layout_of(m->direction, m->type);
    FZ_ASSERT(L != NULL, "accepted message of unknown type %u", m->type);
    if (len < 4) return 0;
    uint16_t flags = (uint16_t)((b[0] << 8) | b[1]);
    if (flags > 1) return 0;
    int minimal = flags & 1;
    int cont = m->variant == LPSP_VARIANT_CONTINUATION;
    size_t nh = 0;
    while (nh < FZ_MAX_HEADERS && L->h[nh].name && !(cont && L->h[nh].start_only))
        nh++;
    size_t p = 4, n;
    if (!minimal && (!read_u16(b, len, &p, &n) || n != nh)) return 0;
    for (size_t i = 0; i < nh; i++) {
        if (!minimal) {
            if (!read_u16(b, len, &p, &n) || len - p < n) return 0;
            if (n != strlen(L->h[i].name) || memcmp(b + p, L->h[i].name, n) != 0) return 0;
            p += n;
        }
        if (!read_u16(b, len, &p, &n) || len - p < n) return 0;
        if (!value_canonical(L->h[i].kind, m, b + p, n)) return 0;
        p += n;
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
