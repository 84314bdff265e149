/* Stateful (websocket) messages: one table per message type drives the
 * parser, the serializer and the size query (spec §2-§4). */
#include <stddef.h>

#include "protocol.h"
#include "sink.h"

/* ------------------------------------------------------------------ */
/* The protocol as data                                                */

/* Header names are at most NAME_MAX_LEN bytes (x-decompressed-length has
 * 21): a longer one in the table does not compile. */
#define NAME_MAX_LEN 24
#define H_NAME_LEN(name) \
    ((uint8_t)(sizeof(name) - 1 + 0 * sizeof(char[sizeof(name) <= NAME_MAX_LEN + 1 ? 1 : -1])))
#define H(name, kind, maxw, wmode, slot, part0) \
    { name, H_NAME_LEN(name), kind, maxw, wmode, slot, part0 }

#define AUTH H("authorization", LPSP_K_AUTH, 0, 0, LPSP_SLOT_AUTH, 0)
#define TRACING H("x-tracing", LPSP_K_BLOB, 0, 0, LPSP_SLOT_TRACING, 0)
#define TOPIC H("x-topic", LPSP_K_BLOB, 0, 0, LPSP_SLOT_TOPIC, 0)
#define GLOB H("x-glob", LPSP_K_UTF8, 0, 0, LPSP_SLOT_GLOB, 0)
#define IDENT H("x-identifier", LPSP_K_ID64, 0, 0, LPSP_SLOT_IDENT, 0)
#define ZIDENT H("x-identifier", LPSP_K_UINT, 8, LPSP_W_MU, LPSP_SLOT_ZID, 0)
#define PART_MU H("x-part-id", LPSP_K_UINT, 8, LPSP_W_MU, LPSP_SLOT_PART, 0)
#define PART_00 H("x-part-id", LPSP_K_UINT, 8, LPSP_W_ZERO00, LPSP_SLOT_PART, 0)
#define COMPRESSOR(p0) H("x-compressor", LPSP_K_UINT, 8, LPSP_W_ZERO00, LPSP_SLOT_COMPRESSOR, p0)
#define CLEN(p0) H("x-compressed-length", LPSP_K_UINT, 8, LPSP_W_MU, LPSP_SLOT_CLEN, p0)
#define DLEN(p0) H("x-decompressed-length", LPSP_K_UINT, 8, LPSP_W_MU, LPSP_SLOT_DLEN, p0)
#define CSHA(p0) H("x-compressed-sha512", LPSP_K_FIX64, 0, 0, LPSP_SLOT_SHA, p0)
#define STREAM_HEADERS                                                                      \
    AUTH, TRACING, IDENT, PART_00, H("x-topic", LPSP_K_BLOB, 0, 0, LPSP_SLOT_TOPIC, 1),     \
        COMPRESSOR(1), CLEN(1), DLEN(1), CSHA(1)
#define ZSTD_HEADERS                                                                        \
    ZIDENT, H("x-compression-level", LPSP_K_SINT2, 2, LPSP_W_S16, LPSP_SLOT_LEVEL, 0),      \
        H("x-min-size", LPSP_K_UINT, 4, LPSP_W_MU, LPSP_SLOT_MIN, 0),                       \
        H("x-max-size", LPSP_K_UINT, 8, LPSP_W_MU, LPSP_SLOT_MAX, 0), AUTH, TRACING

static const lpsp_hdr h_configure[] = {
    H("x-subscriber-nonce", LPSP_K_FIX32, 0, 0, LPSP_SLOT_NONCE, 0),
    H("x-enable-zstd", LPSP_K_BOOL, 1, 0, LPSP_SLOT_EZSTD, 0),
    H("x-enable-training", LPSP_K_BOOL, 1, 0, LPSP_SLOT_ETRAIN, 0),
    H("x-initial-dict", LPSP_K_UINT, 2, LPSP_W_FIX2, LPSP_SLOT_IDICT, 0),
    AUTH,
    TRACING,
};
static const lpsp_hdr h_exact[] = {AUTH, TRACING, TOPIC};
static const lpsp_hdr h_glob[] = {AUTH, TRACING, GLOB};
static const lpsp_hdr h_notify[] = {AUTH,          TRACING, IDENT,   TOPIC,
                                    COMPRESSOR(0), CLEN(0), DLEN(0), CSHA(0)};
static const lpsp_hdr h_stream[] = {STREAM_HEADERS};
static const lpsp_hdr h_continue[] = {IDENT, PART_MU, AUTH, TRACING};
static const lpsp_hdr h_confirm_receive[] = {
    IDENT, AUTH, TRACING, H("x-num-subscribers", LPSP_K_UINT, 4, LPSP_W_FIX4, LPSP_SLOT_SUBS, 0)};
static const lpsp_hdr h_confirm_configure[] = {
    H("x-broadcaster-nonce", LPSP_K_FIX32, 0, 0, LPSP_SLOT_NONCE, 0), AUTH, TRACING};
static const lpsp_hdr h_confirm_exact[] = {TOPIC, AUTH, TRACING};
static const lpsp_hdr h_confirm_glob[] = {GLOB, AUTH, TRACING};
static const lpsp_hdr h_confirm_notify[] = {
    IDENT, H("x-subscribers", LPSP_K_UINT, 8, LPSP_W_MU, LPSP_SLOT_SUBS, 0), AUTH, TRACING};
static const lpsp_hdr h_zstd_preset[] = {ZSTD_HEADERS};
static const lpsp_hdr h_zstd_custom[] = {ZSTD_HEADERS, H("x-sha512", LPSP_K_FIX64, 0, 0, LPSP_SLOT_SHA, 0)};
static const lpsp_hdr h_disable[] = {ZIDENT, AUTH, TRACING};
static const lpsp_hdr h_missed[] = {AUTH, TRACING, TOPIC};

#define DEF(name, hdrs, body, zid) \
    { name, hdrs, (uint8_t)(sizeof(hdrs) / sizeof(hdrs[0])), body, zid }

static const lpsp_msgdef s2b_defs[LPSP_S2B_MAX + 1] = {
    {NULL, NULL, 0, 0, 0},
    DEF("CONFIGURE", h_configure, LPSP_BODY_NONE, 0),
    DEF("SUBSCRIBE_EXACT", h_exact, LPSP_BODY_NONE, 0),
    DEF("SUBSCRIBE_GLOB", h_glob, LPSP_BODY_NONE, 0),
    DEF("UNSUBSCRIBE_EXACT", h_exact, LPSP_BODY_NONE, 0),
    DEF("UNSUBSCRIBE_GLOB", h_glob, LPSP_BODY_NONE, 0),
    DEF("NOTIFY", h_notify, LPSP_BODY_NOTIFY, 0),
    DEF("NOTIFY_STREAM", h_stream, LPSP_BODY_STREAM, 0),
    DEF("CONTINUE_RECEIVE", h_continue, LPSP_BODY_NONE, 0),
    DEF("CONFIRM_RECEIVE", h_confirm_receive, LPSP_BODY_NONE, 0),
};

static const lpsp_msgdef b2s_defs[LPSP_B2S_MAX + 1] = {
    {NULL, NULL, 0, 0, 0},
    DEF("CONFIRM_CONFIGURE", h_confirm_configure, LPSP_BODY_NONE, 0),
    DEF("CONFIRM_SUBSCRIBE_EXACT", h_confirm_exact, LPSP_BODY_NONE, 0),
    DEF("CONFIRM_SUBSCRIBE_GLOB", h_confirm_glob, LPSP_BODY_NONE, 0),
    DEF("CONFIRM_UNSUBSCRIBE_EXACT", h_confirm_exact, LPSP_BODY_NONE, 0),
    DEF("CONFIRM_UNSUBSCRIBE_GLOB", h_confirm_glob, LPSP_BODY_NONE, 0),
    DEF("CONFIRM_NOTIFY", h_confirm_notify, LPSP_BODY_NONE, 0),
    DEF("CONTINUE_NOTIFY", h_continue, LPSP_BODY_NONE, 0),
    DEF("RECEIVE_STREAM", h_stream, LPSP_BODY_STREAM, 0),
    DEF("ENABLE_ZSTD_PRESET", h_zstd_preset, LPSP_BODY_NONE, LPSP_ZID_PRESET),
    DEF("ENABLE_ZSTD_CUSTOM", h_zstd_custom, LPSP_BODY_DICT, LPSP_ZID_CUSTOM),
    DEF("DISABLE_ZSTD_CUSTOM", h_disable, LPSP_BODY_NONE, LPSP_ZID_CUSTOM),
    DEF("MISSED", h_missed, LPSP_BODY_NONE, 0),
};

const lpsp_msgdef *lpsp_msgdef_get(lpsp_direction dir, uint16_t type)
{
    if (dir == LPSP_S2B) return (type >= 1 && type <= LPSP_S2B_MAX) ? &s2b_defs[type] : NULL;
    if (dir == LPSP_B2S) return (type >= 1 && type <= LPSP_B2S_MAX) ? &b2s_defs[type] : NULL;
    return NULL;
}

const char *lpsp_type_name(lpsp_direction dir, uint16_t type)
{
    const lpsp_msgdef *d = lpsp_msgdef_get(dir, type);
    return d ? d->name : NULL;
}

uint16_t lpsp_type_from_name(lpsp_direction dir, const char *name)
{
    if (!name || (dir != LPSP_S2B && dir != LPSP_B2S)) return 0;
    uint16_t max = dir == LPSP_S2B ? LPSP_S2B_MAX : LPSP_B2S_MAX;
    for (uint16_t t = 1; t <= max; t++)
        if (strcmp(lpsp_type_name(dir, t), name) == 0) return t;
    return 0;
}

/* Every view points at a valid (empty) buffer, never NULL. Members are set
 * one by one: a struct-wide copy or memset compiles to `rep stos` at -O2,
 * whose start-up cost alone is about a third of a small message's parse. */
static inline void msg_init(lpsp_msg *m, lpsp_direction dir, uint16_t type, lpsp_variant variant)
{
    const lpsp_view e = lpsp_view_empty();
    m->direction = dir;
    m->type = type;
    m->flags = 0;
    m->variant = variant;
    m->has_authorization = 0;
    m->authorization = m->tracing = m->topic = m->glob = e;
    m->identifier = m->nonce = m->sha512 = m->payload = e;
    m->zstd_identifier = m->part_id = m->compressor_id = m->compressed_length = 0;
    m->decompressed_length = m->subscribers = m->min_size = m->max_size = 0;
    m->compression_level = 0;
    m->initial_dict = 0;
    m->enable_zstd = m->enable_training = 0;
}

void lpsp_msg_init(lpsp_msg *m, lpsp_direction dir, uint16_t type, lpsp_variant variant)
{
    msg_init(m, dir, type, variant);
}

/* Slot accessors: header values live in lpsp_msg members. */
static const size_t view_off[] = {
    offsetof(lpsp_msg, authorization), offsetof(lpsp_msg, tracing), offsetof(lpsp_msg, topic),
    offsetof(lpsp_msg, glob),          offsetof(lpsp_msg, identifier), offsetof(lpsp_msg, nonce),
    offsetof(lpsp_msg, sha512),
};
static const size_t u64_off[] = {
    offsetof(lpsp_msg, zstd_identifier), offsetof(lpsp_msg, part_id),
    offsetof(lpsp_msg, compressor_id),   offsetof(lpsp_msg, compressed_length),
    offsetof(lpsp_msg, decompressed_length), offsetof(lpsp_msg, subscribers),
    offsetof(lpsp_msg, min_size),        offsetof(lpsp_msg, max_size),
};

static lpsp_view *slot_view(lpsp_msg *m, uint8_t slot)
{
    return (lpsp_view *)(void *)((char *)m + view_off[slot - LPSP_SLOT_AUTH]);
}
static lpsp_view slot_view_get(const lpsp_msg *m, uint8_t slot)
{
    return *(const lpsp_view *)(const void *)((const char *)m + view_off[slot - LPSP_SLOT_AUTH]);
}
static uint64_t *slot_u64(lpsp_msg *m, uint8_t slot)
{
    return (uint64_t *)(void *)((char *)m + u64_off[slot - LPSP_SLOT_ZID]);
}
static uint64_t slot_u64_get(const lpsp_msg *m, uint8_t slot)
{
    return *(const uint64_t *)(const void *)((const char *)m + u64_off[slot - LPSP_SLOT_ZID]);
}

const char *lpsp_header_name(lpsp_direction dir, uint16_t type, unsigned i)
{
    const lpsp_msgdef *d = lpsp_msgdef_get(dir, type);
    return d && i < d->n ? d->hdrs[i].name : NULL;
}

/* ------------------------------------------------------------------ */
/* Parsing                                                             */

#define MAX_HDRS 9

typedef struct {
    lpsp_view val[MAX_HDRS];
    size_t off[MAX_HDRS]; /* offset of each value in the input */
    uint8_t present[MAX_HDRS];
} hdrvals;

/* Eight ASCII bytes with A-Z made lower case: bit 7 of a byte of
 * (w + 0x3f..) & ~(w + 0x25..) is set exactly for 'A'..'Z', and no carry
 * crosses a byte because every byte is below 0x80. */
static uint64_t fold_az8(uint64_t w)
{
    uint64_t upper = (w + 0x3f3f3f3f3f3f3f3fu) & ~(w + 0x2525252525252525u) & 0x8080808080808080u;
    return w | (upper >> 2);
}

/* The index in d of the header called `name` (ASCII, A-Z folded), or -1.
 * The name is folded once, a word at a time, and compared with memcmp, so
 * the work per byte does not grow with the number of candidate headers. */
static int find_header(const lpsp_msgdef *d, lpsp_view name)
{
    uint64_t w[NAME_MAX_LEN / 8] = {0};
    if (name.len > sizeof w) return -1; /* longer than every header name */
    memcpy(w, name.ptr, name.len);
    for (size_t i = 0; i < NAME_MAX_LEN / 8; i++) w[i] = fold_az8(w[i]);
    for (uint8_t i = 0; i < d->n; i++)
        if (d->hdrs[i].name_len == name.len && memcmp(w, d->hdrs[i].name, name.len) == 0) return i;
    return -1;
}

static lpsp_status read_value(lpsp_cursor *c, const char *field, lpsp_view *out, size_t *off,
                              lpsp_error *err)
{
    lpsp_view lenb;
    if (lpsp_take(c, 2, &lenb))
        return lpsp_fail(err, LPSP_E_TRUNCATED, lpsp_cursor_off(c), field, "header length cut short");
    *off = lpsp_cursor_off(c);
    if (lpsp_take(c, lpsp_dec16be(lenb.ptr), out))
        return lpsp_fail(err, LPSP_E_TRUNCATED, *off, field, "header value cut short");
    return LPSP_OK;
}

/* Expanded mode (§2.5): count, then name/value pairs; ASCII names folded
 * A-Z only; last duplicate wins; unknown names ignored. */
static lpsp_status read_expanded(lpsp_cursor *c, const lpsp_msgdef *d, hdrvals *hv, lpsp_error *err)
{
    lpsp_view b;
    if (lpsp_take(c, 2, &b))
        return lpsp_fail(err, LPSP_E_TRUNCATED, lpsp_cursor_off(c), NULL, "header count cut short");
    unsigned count = lpsp_dec16be(b.ptr);
    for (unsigned k = 0; k < count; k++) {
        lpsp_view name, val;
        size_t name_off, val_off;
        if (lpsp_take(c, 2, &b))
            return lpsp_fail(err, LPSP_E_TRUNCATED, lpsp_cursor_off(c), NULL, "header name length cut short");
        name_off = lpsp_cursor_off(c);
        if (lpsp_take(c, lpsp_dec16be(b.ptr), &name))
            return lpsp_fail(err, LPSP_E_TRUNCATED, name_off, NULL, "header name cut short");
        size_t ascii = lpsp_ascii_prefix(name.ptr, name.len);
        if (ascii != name.len)
            return lpsp_fail(err, LPSP_E_BAD_HEADER_NAME, name_off + ascii, NULL, "header name is not ASCII");
        int idx = find_header(d, name); /* fold_az8 needs the ASCII check above */
        const char *field = idx >= 0 ? d->hdrs[idx].name : NULL;
        lpsp_status st = read_value(c, field, &val, &val_off, err);
        if (st != LPSP_OK) return st;
        if (idx >= 0) {
            hv->val[idx] = val;
            hv->off[idx] = val_off;
            hv->present[idx] = 1;
        }
    }
    return LPSP_OK;
}

static int64_t sint_at_width(const uint8_t *p, size_t k)
{
    if (k == 0) return 0;
    uint64_t u = lpsp_decbe_var(p, k);
    uint64_t sign = (uint64_t)1 << (8 * k - 1);
    return (u & sign) ? (int64_t)u - (int64_t)(sign << 1) : (int64_t)u;
}

/* Validate one header value and store it in the message (table order is
 * the reference's check order, §3). */
static lpsp_status take_header(const lpsp_msgdef *d, const lpsp_hdr *h, lpsp_view v, size_t off,
                               unsigned opts, lpsp_msg *m, lpsp_error *err)
{
    int compat = (opts & LPSP_PARSE_COMPAT) != 0;
    switch (h->kind) {
    case LPSP_K_AUTH:
        if (v.len && lpsp_utf8_valid_prefix(v.ptr, v.len) != v.len)
            return lpsp_fail(err, LPSP_E_BAD_UTF8, off + lpsp_utf8_valid_prefix(v.ptr, v.len), h->name,
                             "authorization must be UTF-8");
        m->has_authorization = v.len != 0;
        m->authorization = v;
        return LPSP_OK;
    case LPSP_K_UTF8:
        if (lpsp_utf8_valid_prefix(v.ptr, v.len) != v.len)
            return lpsp_fail(err, LPSP_E_BAD_UTF8, off + lpsp_utf8_valid_prefix(v.ptr, v.len), h->name,
                             "must be UTF-8");
        break;
    case LPSP_K_ID64:
        if (v.len > 64) return lpsp_fail(err, LPSP_E_FIELD_SIZE, off, h->name, "must be at most 64 bytes");
        break;
    case LPSP_K_FIX32:
        if (v.len != 32) return lpsp_fail(err, LPSP_E_FIELD_SIZE, off, h->name, "must be exactly 32 bytes");
        break;
    case LPSP_K_FIX64:
        if (v.len != 64) return lpsp_fail(err, LPSP_E_FIELD_SIZE, off, h->name, "must be exactly 64 bytes");
        break;
    case LPSP_K_BOOL: {
        uint8_t *b = h->slot == LPSP_SLOT_EZSTD ? &m->enable_zstd : &m->enable_training;
        if (!compat && !(v.len == 1 && v.ptr[0] <= 1))
            return lpsp_fail(err, LPSP_E_INVALID_VALUE, off, h->name, "must be the single byte 00 or 01");
        *b = v.len == 1 && v.ptr[0] == 1; /* QK-06: only 01 is true */
        return LPSP_OK;
    }
    case LPSP_K_SINT2: {
        if (v.len > 2) return lpsp_fail(err, LPSP_E_FIELD_SIZE, off, h->name, "must be at most 2 bytes");
        int64_t level = sint_at_width(v.ptr, v.len);
        if (!compat && level > 22)
            return lpsp_fail(err, LPSP_E_INVALID_VALUE, off, h->name, "compression level must be at most 22");
        m->compression_level = (int32_t)level;
        return LPSP_OK;
    }
    case LPSP_K_UINT: {
        static const char *const widths[] = {[1] = "must be at most 1 byte", [2] = "must be at most 2 bytes",
                                             [4] = "must be at most 4 bytes",
                                             [8] = "must be at most 8 bytes"};
        if (v.len > h->maxw) return lpsp_fail(err, LPSP_E_FIELD_SIZE, off, h->name, widths[h->maxw]);
        uint64_t x = lpsp_decbe_var(v.ptr, v.len);
        if (h->slot == LPSP_SLOT_IDICT) {
            m->initial_dict = (uint32_t)x;
            return LPSP_OK;
        }
        if (h->slot == LPSP_SLOT_ZID && !compat) { /* QK-03 */
            if (d->zid == LPSP_ZID_PRESET && (x < 1 || x > 65535))
                return lpsp_fail(err, LPSP_E_INVALID_VALUE, off, h->name,
                                 "preset compressor identifier must be 1..65535");
            if (d->zid == LPSP_ZID_CUSTOM && x < 65536)
                return lpsp_fail(err, LPSP_E_INVALID_VALUE, off, h->name,
                                 "custom compressor identifier must be at least 65536");
        }
        *slot_u64(m, h->slot) = x;
        return LPSP_OK;
    }
    default: break;
    }
    *slot_view(m, h->slot) = v;
    return LPSP_OK;
}

/* Minimal mode (§2.4): exactly the type's headers in order, read and
 * validated in one pass. The reference reads every header before checking
 * any, so a truncation anywhere wins over a validation failure: the first
 * failure is kept and reported only once all headers are read. For the
 * stream types the part id decides whether the five part-0 headers follow,
 * and its width is checked as soon as it is read (QK-14). */
static lpsp_status parse_minimal(lpsp_cursor *c, const lpsp_msgdef *d, unsigned opts, lpsp_msg *out,
                                 int *continuation, lpsp_error *err)
{
    lpsp_status first = LPSP_OK;
    lpsp_error first_err;
    const uint8_t *p = c->p, *end = c->end;
    int stream = d->body == LPSP_BODY_STREAM;
    *continuation = 0;
    for (const lpsp_hdr *h = d->hdrs, *hend = d->hdrs + d->n; h < hend; h++) {
        if (h->part0 && *continuation) break;
        if (2 > (size_t)(end - p))
            return lpsp_fail(err, LPSP_E_TRUNCATED, (size_t)(p - c->start), h->name,
                             "header length cut short");
        size_t n = lpsp_dec16be(p);
        p += 2;
        if (n > (size_t)(end - p))
            return lpsp_fail(err, LPSP_E_TRUNCATED, (size_t)(p - c->start), h->name,
                             "header value cut short");
        lpsp_view v = {p, n};
        p += n;
        if (stream && h->slot == LPSP_SLOT_PART) {
            if (n > 8)
                return lpsp_fail(err, LPSP_E_FIELD_SIZE, (size_t)(v.ptr - c->start), h->name,
                                 "must be at most 8 bytes");
            *continuation = lpsp_decbe_var(v.ptr, n) != 0;
        }
        if (first != LPSP_OK) continue;
        if (h->kind == LPSP_K_BLOB) /* the common cases, inline */
            *slot_view(out, h->slot) = v;
        else if (h->kind != LPSP_K_AUTH || n) /* an empty authorization is the initial state */
            first = take_header(d, h, v, (size_t)(v.ptr - c->start), opts, out, &first_err);
    }
    c->p = p;
    if (first != LPSP_OK && err) *err = first_err;
    return first;
}

lpsp_status lpsp_parse(lpsp_direction dir, const uint8_t *buf, size_t len, unsigned opts, lpsp_msg *out,
                       lpsp_error *err)
{
    int compat = (opts & LPSP_PARSE_COMPAT) != 0;
    int minimal;
    lpsp_cursor c;
    if (!buf) {
        if (len) return lpsp_fail(err, LPSP_E_INVALID_ARGUMENT, 0, NULL, "NULL buffer");
        buf = lpsp_empty_bytes;
    }
    lpsp_cursor_init(&c, buf, len);

    if (len < 4)
        return lpsp_fail(err, LPSP_E_TRUNCATED, len < 2 ? 0 : 2, len < 2 ? "flags" : "type",
                         "message cut short");
    uint16_t flags = lpsp_dec16be(buf);
    uint16_t type = lpsp_dec16be(buf + 2);
    c.p += 4;
    const lpsp_msgdef *d = lpsp_msgdef_get(dir, type);
    if (!d) return lpsp_fail(err, LPSP_E_BAD_TYPE, 2, "type", "unknown message type for this direction");
    if ((flags & ~LPSP_FLAG_MINIMAL_HEADERS) && !compat)
        return lpsp_fail(err, LPSP_E_BAD_FLAGS, 0, "flags", "unknown flag bits set"); /* QK-21 */
    minimal = (flags & LPSP_FLAG_MINIMAL_HEADERS) != 0;

    msg_init(out, dir, type, LPSP_VARIANT_NONE);
    out->flags = flags;

    int continuation = 0;
    lpsp_status st;
    size_t body_off;
    if (minimal) {
        st = parse_minimal(&c, d, opts, out, &continuation, err);
        if (st != LPSP_OK) return st;
        body_off = lpsp_cursor_off(&c);
    } else {
        hdrvals hv;
        memset(hv.present, 0, sizeof hv.present);
        st = read_expanded(&c, d, &hv, err);
        if (st != LPSP_OK) return st;
        body_off = lpsp_cursor_off(&c);
        for (uint8_t i = 0; i < d->n; i++) {
            const lpsp_hdr *h = &d->hdrs[i];
            if (h->part0 && continuation) break;
            if (!hv.present[i]) {
                if (h->slot == LPSP_SLOT_IDICT && compat) { /* QK-05: the reference's default is "0" */
                    out->initial_dict = 48;
                    continue;
                }
                return lpsp_fail(err, LPSP_E_MISSING_HEADER, body_off, h->name, "required header missing");
            }
            st = take_header(d, h, hv.val[i], hv.off[i], opts, out, err);
            if (st != LPSP_OK) return st;
            if (d->body == LPSP_BODY_STREAM && h->slot == LPSP_SLOT_PART) continuation = out->part_id != 0;
        }
    }

    lpsp_view body = {c.p, lpsp_cursor_left(&c)};
    switch (d->body) {
    case LPSP_BODY_NONE:
        if (body.len && !compat)
            return lpsp_fail(err, LPSP_E_TRAILING_BYTES, body_off, NULL,
                             "bytes after the last header of a message without body"); /* QK-11 */
        return LPSP_OK;
    case LPSP_BODY_NOTIFY:
        out->payload = body;
        if (body.len < out->compressed_length)
            return lpsp_fail(err, LPSP_E_TRUNCATED, len, "x-compressed-length",
                             "message shorter than declared");
        if (body.len > out->compressed_length)
            return lpsp_fail(err, LPSP_E_LENGTH_MISMATCH, body_off, "x-compressed-length",
                             "message longer than declared");
        if (!(opts & LPSP_PARSE_SKIP_DIGEST) && (st = lpsp_sha512_matches(body, out->sha512, err)) != LPSP_OK)
            return st == LPSP_E_CRYPTO ? st
                                       : lpsp_fail(err, LPSP_E_HASH_MISMATCH, body_off, "x-compressed-sha512",
                                                   "does not match the message");
        if (out->compressor_id == 0) {
            if (out->decompressed_length != out->compressed_length)
                return lpsp_fail(err, LPSP_E_LENGTH_MISMATCH, body_off, "x-decompressed-length",
                                 "must equal x-compressed-length when x-compressor is 0");
            out->variant = LPSP_VARIANT_UNCOMPRESSED;
        } else {
            out->variant = LPSP_VARIANT_COMPRESSED;
        }
        return LPSP_OK;
    case LPSP_BODY_STREAM:
        out->payload = body;
        if (continuation) {
            out->variant = LPSP_VARIANT_CONTINUATION;
            return LPSP_OK;
        }
        if (out->compressor_id == 0) {
            if (out->decompressed_length != out->compressed_length)
                return lpsp_fail(err, LPSP_E_LENGTH_MISMATCH, body_off, "x-decompressed-length",
                                 "must equal x-compressed-length when x-compressor is 0");
            out->variant = LPSP_VARIANT_START_UNCOMPRESSED;
        } else {
            out->variant = LPSP_VARIANT_START_COMPRESSED;
        }
        if (!compat && body.len > out->compressed_length) /* QK-13 */
            return lpsp_fail(err, LPSP_E_LENGTH_MISMATCH, body_off, "x-compressed-length",
                             "first part is longer than the whole notification");
        return LPSP_OK;
    default: /* LPSP_BODY_DICT */
        out->payload = body;
        if (!compat && !(opts & LPSP_PARSE_SKIP_DIGEST) &&
            (st = lpsp_sha512_matches(body, out->sha512, err)) != LPSP_OK)
            return st == LPSP_E_CRYPTO ? st
                                       : lpsp_fail(err, LPSP_E_HASH_MISMATCH, body_off, "x-sha512",
                                                   "does not match the dictionary"); /* QK-12 */
        return LPSP_OK;
    }
}

/* ------------------------------------------------------------------ */
/* Serializing                                                         */

typedef struct {
    lpsp_view v;     /* the value's bytes */
    uint8_t ibuf[8]; /* an integer value, big-endian */
} hval;

/* An integer value: x as len big-endian bytes. */
static lpsp_status int_value(hval *o, uint64_t x, size_t len)
{
    lpsp_encbe_var(o->ibuf, x, len);
    o->v.ptr = o->ibuf;
    o->v.len = len;
    return LPSP_OK;
}

static lpsp_status refuse(lpsp_error *err, const char *field, const char *reason)
{
    return lpsp_fail(err, LPSP_E_INVALID_ARGUMENT, 0, field, reason);
}

/* Encode the value of header h from message m, checking what the strict
 * parser would check (QK-19). */
/* The values a serializer derives rather than takes from the caller
 * (NOTIFY lengths, stream-start part id and compressor, QK-18). Kept apart
 * so that the message itself is never copied. */
typedef struct {
    uint64_t compressor_id, compressed_length, decompressed_length, part_id;
} derived;

static uint64_t u64_value(const lpsp_msg *m, const derived *dv, uint8_t slot)
{
    switch (slot) {
    case LPSP_SLOT_COMPRESSOR: return dv->compressor_id;
    case LPSP_SLOT_CLEN: return dv->compressed_length;
    case LPSP_SLOT_DLEN: return dv->decompressed_length;
    case LPSP_SLOT_PART: return dv->part_id;
    case LPSP_SLOT_IDICT: return m->initial_dict;
    default: return slot_u64_get(m, slot);
    }
}

static lpsp_status header_value(const lpsp_msgdef *d, const lpsp_hdr *h, const lpsp_msg *m,
                                const derived *dv, hval *o, lpsp_error *err)
{
    switch (h->kind) {
    case LPSP_K_AUTH:
    case LPSP_K_UTF8:
    case LPSP_K_BLOB:
    case LPSP_K_ID64:
    case LPSP_K_FIX32:
    case LPSP_K_FIX64: {
        lpsp_view v = slot_view_get(m, h->slot);
        if (h->kind == LPSP_K_AUTH && !m->has_authorization) v = lpsp_view_empty();
        if (lpsp_view_fix(&v)) return refuse(err, h->name, "NULL view with a length");
        if ((h->kind == LPSP_K_AUTH || h->kind == LPSP_K_UTF8) &&
            lpsp_utf8_valid_prefix(v.ptr, v.len) != v.len)
            return refuse(err, h->name, "must be UTF-8");
        if (h->kind == LPSP_K_ID64 && v.len > 64) return refuse(err, h->name, "must be at most 64 bytes");
        if (h->kind == LPSP_K_FIX32 && v.len != 32) return refuse(err, h->name, "must be exactly 32 bytes");
        if (h->kind == LPSP_K_FIX64 && v.len != 64) return refuse(err, h->name, "must be exactly 64 bytes");
        if (v.len > 0xffff) return refuse(err, h->name, "longer than 65535 bytes");
        o->v = v;
        return LPSP_OK;
    }
    case LPSP_K_BOOL:
        return int_value(o, (h->slot == LPSP_SLOT_EZSTD ? m->enable_zstd : m->enable_training) ? 1 : 0, 1);
    case LPSP_K_SINT2:
        if (m->compression_level < -32768 || m->compression_level > 22)
            return refuse(err, h->name, "compression level must be -32768..22");
        return int_value(o, (uint16_t)(int16_t)m->compression_level, 2);
    default: { /* LPSP_K_UINT */
        uint64_t x = u64_value(m, dv, h->slot);
        if (h->slot == LPSP_SLOT_ZID) {
            if (d->zid == LPSP_ZID_PRESET && (x < 1 || x > 65535))
                return refuse(err, h->name, "preset compressor identifier must be 1..65535");
            if (d->zid == LPSP_ZID_CUSTOM && x < 65536)
                return refuse(err, h->name, "custom compressor identifier must be at least 65536");
        }
        if (h->maxw < 8 && x >> (8 * h->maxw)) return refuse(err, h->name, "value too large for the header");
        if (h->wmode == LPSP_W_FIX2) return int_value(o, x, 2);
        if (h->wmode == LPSP_W_FIX4) return int_value(o, x, 4);
        if (h->wmode == LPSP_W_ZERO00 && x == 0) return int_value(o, 0, 1);
        return int_value(o, x, lpsp_mu_len(x));
    }
    }
}

/* Check the variant against the type and derive the implied values
 * (lengths of NOTIFY, equal lengths of an uncompressed start). */
static lpsp_status normalize(const lpsp_msg *m, const lpsp_msgdef **dp, derived *n, int *continuation,
                             lpsp_error *err)
{
    const lpsp_msgdef *d = lpsp_msgdef_get(m->direction, m->type);
    if (!d) return refuse(err, "type", "unknown message type for this direction");
    *dp = d;
    n->compressor_id = m->compressor_id;
    n->compressed_length = m->compressed_length;
    n->decompressed_length = m->decompressed_length;
    n->part_id = m->part_id;
    *continuation = 0;
    if (!m->payload.ptr && m->payload.len) return refuse(err, "payload", "NULL view with a length");
    lpsp_status st;
    switch (d->body) {
    case LPSP_BODY_NOTIFY:
        if (m->variant == LPSP_VARIANT_UNCOMPRESSED) {
            n->compressor_id = 0;
            n->compressed_length = n->decompressed_length = m->payload.len;
        } else if (m->variant == LPSP_VARIANT_COMPRESSED) {
            if (m->compressor_id == 0) /* QK-16 */
                return refuse(err, "x-compressor", "compressed variant needs a compressor id > 0");
            n->compressed_length = m->payload.len;
        } else {
            return refuse(err, "variant", "NOTIFY needs the uncompressed or compressed variant");
        }
        if ((st = lpsp_sha512_matches(m->payload, m->sha512, err)) != LPSP_OK)
            return st == LPSP_E_CRYPTO
                       ? st
                       : refuse(err, "x-compressed-sha512", "is not the SHA-512 of the message");
        return LPSP_OK;
    case LPSP_BODY_STREAM:
        if (m->variant == LPSP_VARIANT_CONTINUATION) {
            if (m->part_id == 0) /* QK-17 */
                return refuse(err, "x-part-id", "a continuation needs a part id > 0");
            *continuation = 1;
            return LPSP_OK;
        }
        n->part_id = 0;
        if (m->variant == LPSP_VARIANT_START_UNCOMPRESSED) {
            n->compressor_id = 0;
            n->compressed_length = m->decompressed_length;
        } else if (m->variant == LPSP_VARIANT_START_COMPRESSED) {
            if (m->compressor_id == 0) /* QK-16 */
                return refuse(err, "x-compressor", "compressed variant needs a compressor id > 0");
        } else {
            return refuse(err, "variant", "stream messages need a start or continuation variant");
        }
        if (m->payload.len > n->compressed_length)
            return refuse(err, "payload", "first part is longer than the whole notification");
        return LPSP_OK;
    case LPSP_BODY_DICT:
        if ((st = lpsp_sha512_matches(m->payload, m->sha512, err)) != LPSP_OK)
            return st == LPSP_E_CRYPTO ? st : refuse(err, "x-sha512", "is not the SHA-512 of the dictionary");
        return LPSP_OK;
    default:
        if (m->variant != LPSP_VARIANT_NONE) return refuse(err, "variant", "this type has no variants");
        return LPSP_OK;
    }
}

/* A message checked and reduced to its bytes: the values of the headers it
 * writes, in order. */
typedef struct {
    const lpsp_msg *m;
    const lpsp_msgdef *d;
    int minimal;
    uint8_t count;
    size_t size; /* of the wire form: one pass, not a counting sink, for speed */
    hval vals[MAX_HDRS];
} prepared;

static lpsp_status prepare(const lpsp_msg *m, int minimal, prepared *pm, lpsp_error *err)
{
    derived n;
    int continuation;
    lpsp_status st = normalize(m, &pm->d, &n, &continuation, err);
    if (st != LPSP_OK) return st;
    pm->m = m;
    pm->minimal = minimal;
    pm->count = 0;
    pm->size = 4 + (minimal ? 0 : 2) + (pm->d->body != LPSP_BODY_NONE ? m->payload.len : 0);
    for (uint8_t i = 0; i < pm->d->n; i++) {
        if (pm->d->hdrs[i].part0 && continuation) break;
        st = header_value(pm->d, &pm->d->hdrs[i], m, &n, &pm->vals[i], err);
        if (st != LPSP_OK) return st;
        pm->size += 2 + pm->vals[i].v.len + (minimal ? 0 : 2 + pm->d->hdrs[i].name_len);
        pm->count++;
    }
    if (pm->d->body == LPSP_BODY_NONE && m->payload.len)
        return refuse(err, "payload", "this type has no body");
    return LPSP_OK;
}

/* The wire form (§2.4, §2.5) of a prepared message. */
static void put_msg(const prepared *pm, lpsp_sink *s)
{
    lpsp_sink_be(s, pm->minimal ? LPSP_FLAG_MINIMAL_HEADERS : 0, 2);
    lpsp_sink_be(s, pm->m->type, 2);
    if (!pm->minimal) lpsp_sink_be(s, pm->count, 2);
    for (uint8_t i = 0; i < pm->count; i++) {
        const lpsp_hdr *h = &pm->d->hdrs[i];
        lpsp_view name = {(const uint8_t *)h->name, h->name_len};
        if (!pm->minimal) lpsp_sink_sized(s, name, 2);
        lpsp_sink_sized(s, pm->vals[i].v, 2);
    }
    if (pm->d->body != LPSP_BODY_NONE) lpsp_sink_put(s, pm->m->payload.ptr, pm->m->payload.len);
}

lpsp_status lpsp_serialized_size(const lpsp_msg *m, int minimal_headers, size_t *size, lpsp_error *err)
{
    return lpsp_size_of(lpsp_serialize(m, minimal_headers, NULL, 0, size, err));
}

lpsp_status lpsp_serialize(const lpsp_msg *m, int minimal_headers, uint8_t *buf, size_t cap,
                           size_t *written, lpsp_error *err)
{
    prepared pm;
    lpsp_sink s;
    lpsp_status st = prepare(m, minimal_headers, &pm, err);
    if (st == LPSP_OK) st = lpsp_room(pm.size, buf, cap, written, err);
    if (st != LPSP_OK) return st;
    lpsp_sink_buf(&s, buf, cap);
    put_msg(&pm, &s);
    return lpsp_sink_end(&s, err);
}
