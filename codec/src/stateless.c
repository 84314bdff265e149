/* Stateless (HTTP) bodies, spec §8. Each body is a row of field encodings;
 * one walker parses, one sizes and writes. SET_SUBSCRIPTIONS entries are
 * read by an iterator so that a body of any size is checked in constant
 * memory. */
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "sl_internal.h"

typedef enum {
    F_TYPE,     /* u16 response type */
    F_AUTH,     /* s16 UTF-8, empty = none */
    F_TRACING,  /* s16 bytes */
    F_URL,      /* s16 UTF-8 */
    F_TOPIC,    /* s16 bytes */
    F_GLOB,     /* s16 UTF-8 */
    F_RECOVERY, /* s16 UTF-8, empty = none */
    F_SHA512,   /* bytes[64] */
    F_IDENT8,   /* s8 bytes */
    F_MESSAGE,  /* u64 M, bytes[M], ending the body exactly */
    F_SUBS32,   /* u32 */
    F_ETAGFMT,  /* u8, must be 0 */
    F_ETAG,     /* bytes[64] */
    F_ENTRIES   /* u32 E, E entries, u32 G, G entries */
} fkind;

typedef struct {
    const char *name;
    uint16_t type; /* responses: the wire type; requests: 0 */
    uint8_t n;
    uint8_t f[6];
    const char *subs_name; /* field name of the u32 count (responses) */
} body_desc;

static const body_desc BODIES[LPSP_SL_BODY_MAX + 1] = {
    [LPSP_SL_NOTIFY] = {"NOTIFY", 0, 5, {F_TOPIC, F_SHA512, F_TRACING, F_IDENT8, F_MESSAGE}, NULL},
    [LPSP_SL_SUBSCRIBE_EXACT] = {"SUBSCRIBE_EXACT", 0, 4, {F_URL, F_TOPIC, F_RECOVERY, F_TRACING}, NULL},
    [LPSP_SL_SUBSCRIBE_GLOB] = {"SUBSCRIBE_GLOB", 0, 4, {F_URL, F_GLOB, F_RECOVERY, F_TRACING}, NULL},
    [LPSP_SL_UNSUBSCRIBE_EXACT] = {"UNSUBSCRIBE_EXACT", 0, 3, {F_URL, F_TOPIC, F_TRACING}, NULL},
    [LPSP_SL_UNSUBSCRIBE_GLOB] = {"UNSUBSCRIBE_GLOB", 0, 3, {F_URL, F_GLOB, F_TRACING}, NULL},
    [LPSP_SL_CHECK_SUBSCRIPTIONS] = {"CHECK_SUBSCRIPTIONS", 0, 2, {F_TRACING, F_URL}, NULL},
    [LPSP_SL_SET_SUBSCRIPTIONS] = {"SET_SUBSCRIPTIONS", 0, 5,
                                   {F_TRACING, F_URL, F_ETAGFMT, F_ETAG, F_ENTRIES}, NULL},
    [LPSP_SL_RECEIVE] = {"RECEIVE", 0, 4, {F_TRACING, F_TOPIC, F_IDENT8, F_MESSAGE}, NULL},
    [LPSP_SL_MISSED] = {"MISSED", 0, 2, {F_TRACING, F_TOPIC}, NULL},
    [LPSP_SL_RESPONSE_GENERIC] = {"RESPONSE_GENERIC", 3, 3, {F_TYPE, F_AUTH, F_TRACING}, NULL},
    [LPSP_SL_RESPONSE_NOTIFY] = {"RESPONSE_NOTIFY", 4, 5,
                                 {F_TYPE, F_AUTH, F_TRACING, F_SUBS32, F_IDENT8}, "subscribers"},
    [LPSP_SL_RESPONSE_CHECK_SUBSCRIPTIONS] = {"RESPONSE_CHECK_SUBSCRIPTIONS", 5, 5,
                                              {F_TYPE, F_AUTH, F_TRACING, F_ETAGFMT, F_ETAG}, NULL},
    [LPSP_SL_RESPONSE_CONFIRM_RECEIVE] = {"RESPONSE_CONFIRM_RECEIVE", 8, 5,
                                          {F_TYPE, F_AUTH, F_TRACING, F_IDENT8, F_SUBS32}, "num_subscribers"},
    [LPSP_SL_RESPONSE_CONFIRM_MISSED] = {"RESPONSE_CONFIRM_MISSED", 9, 3, {F_TYPE, F_AUTH, F_TRACING}, NULL},
    [LPSP_SL_RESPONSE_UNSUBSCRIBE_IMMEDIATE] = {"RESPONSE_UNSUBSCRIBE_IMMEDIATE", 10, 1, {F_TYPE}, NULL},
};

static const body_desc *desc_of(lpsp_sl_body b)
{
    return b > LPSP_SL_NONE && b <= LPSP_SL_BODY_MAX ? &BODIES[b] : NULL;
}

const char *lpsp_sl_body_name(lpsp_sl_body body)
{
    const body_desc *d = desc_of(body);
    return d ? d->name : NULL;
}

lpsp_sl_body lpsp_sl_body_from_name(const char *name)
{
    for (int b = 1; name && b <= LPSP_SL_BODY_MAX; b++)
        if (strcmp(BODIES[b].name, name) == 0) return (lpsp_sl_body)b;
    return LPSP_SL_NONE;
}


/* Views never NULL: the members a body does not use are empty views on a
 * static empty string (codec/docs/SECURITY.md, guarantee 2). */
void lpsp_sl_msg_init(lpsp_sl_msg *m, lpsp_sl_body body)
{
    memset(m, 0, sizeof *m);
    m->body = body;
    lpsp_view *v[] = {&m->authorization, &m->tracing,    &m->url,     &m->topic, &m->glob,
                      &m->recovery,      &m->sha512,     &m->identifier, &m->message, &m->etag,
                      &m->entries};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) v[i]->ptr = lpsp_empty_bytes;
}

lpsp_status lpsp_sl_check_digest(lpsp_view message, lpsp_view digest, lpsp_error *err)
{
    if (digest.len != LPSP_SHA512_LEN)
        return lpsp_fail(err, LPSP_E_FIELD_SIZE, 0, "digest", "digest is not 64 bytes");
    lpsp_status st = lpsp_sha512_matches(message, digest, err);
    if (st == LPSP_OK || st == LPSP_E_CRYPTO) return st;
    return lpsp_fail(err, LPSP_E_HASH_MISMATCH, 0, "message", "SHA-512 differs from the digest");
}

/* ------------------------------------------------------------------ parse */

static const char *field_name(const body_desc *d, fkind f)
{
    switch (f) {
    case F_TYPE: return "type";
    case F_AUTH: return "authorization";
    case F_TRACING: return "tracing";
    case F_URL: return "url";
    case F_TOPIC: return "topic";
    case F_GLOB: return "glob";
    case F_RECOVERY: return "recovery";
    case F_SHA512: return "sha512";
    case F_IDENT8: return "identifier";
    case F_MESSAGE: return "message";
    case F_SUBS32: return d->subs_name;
    case F_ETAGFMT: return "etag_format";
    case F_ETAG: return "etag";
    case F_ENTRIES: return "exact";
    }
    return "?";
}

/* Read a length-prefixed field (prefix of w = 1 or 2 bytes). */
static lpsp_status take_sized(lpsp_cursor *c, size_t w, lpsp_view *out, int utf8, const char *field,
                              lpsp_error *err)
{
    lpsp_view pre;
    size_t at = lpsp_cursor_off(c);
    if (lpsp_take(c, w, &pre) != 0)
        return lpsp_fail(err, LPSP_E_TRUNCATED, at, field, "length prefix cut short");
    size_t n = w == 1 ? pre.ptr[0] : lpsp_dec16be(pre.ptr);
    at = lpsp_cursor_off(c);
    if (lpsp_take(c, n, out) != 0)
        return lpsp_fail(err, LPSP_E_TRUNCATED, at, field, "value cut short");
    if (utf8) {
        size_t ok = lpsp_utf8_valid_prefix(out->ptr, out->len);
        if (ok != out->len) return lpsp_fail(err, LPSP_E_BAD_UTF8, at + ok, field, "not valid UTF-8");
    }
    return LPSP_OK;
}

static lpsp_status take_fixed(lpsp_cursor *c, size_t n, lpsp_view *out, const char *field,
                              lpsp_error *err)
{
    size_t at = lpsp_cursor_off(c);
    if (lpsp_take(c, n, out) != 0) return lpsp_fail(err, LPSP_E_TRUNCATED, at, field, "cut short");
    return LPSP_OK;
}

/* Walk the fields of d. Stops after the exact count of F_ENTRIES (leaving
 * the cursor on the first entry); *stop_type is set when the type is 10 and
 * the body accepts it in place of its own. */
static lpsp_status parse_fields(const body_desc *d, lpsp_sl_body body, lpsp_cursor *c,
                                lpsp_sl_msg *out, int *unsub_immediate, lpsp_error *err)
{
    lpsp_status st = LPSP_OK;
    lpsp_view v;
    *unsub_immediate = 0;
    for (unsigned i = 0; i < d->n && st == LPSP_OK; i++) {
        fkind f = (fkind)d->f[i];
        const char *fn = field_name(d, f);
        size_t at = lpsp_cursor_off(c);
        switch (f) {
        case F_TYPE:
            if ((st = take_fixed(c, 2, &v, fn, err)) != LPSP_OK) break;
            if (lpsp_dec16be(v.ptr) == d->type) break;
            if (body == LPSP_SL_RESPONSE_CONFIRM_RECEIVE &&
                lpsp_dec16be(v.ptr) == LPSP_SL_TYPE_RESPONSE_UNSUBSCRIBE_IMMEDIATE) {
                *unsub_immediate = 1;
                return LPSP_OK;
            }
            st = lpsp_fail(err, LPSP_E_BAD_TYPE, at, fn, "unexpected response type");
            break;
        case F_AUTH:
            st = take_sized(c, 2, &out->authorization, 1, fn, err);
            out->has_authorization = out->authorization.len > 0;
            break;
        case F_TRACING: st = take_sized(c, 2, &out->tracing, 0, fn, err); break;
        case F_URL: st = take_sized(c, 2, &out->url, 1, fn, err); break;
        case F_TOPIC: st = take_sized(c, 2, &out->topic, 0, fn, err); break;
        case F_GLOB: st = take_sized(c, 2, &out->glob, 1, fn, err); break;
        case F_RECOVERY:
            st = take_sized(c, 2, &out->recovery, 1, fn, err);
            out->has_recovery = out->recovery.len > 0;
            break;
        case F_SHA512: st = take_fixed(c, LPSP_SHA512_LEN, &out->sha512, fn, err); break;
        case F_IDENT8: st = take_sized(c, 1, &out->identifier, 0, fn, err); break;
        case F_MESSAGE: {
            if ((st = take_fixed(c, 8, &v, fn, err)) != LPSP_OK) break;
            uint64_t m = lpsp_dec64be(v.ptr);
            size_t left = lpsp_cursor_left(c);
            if (m > left) {
                st = lpsp_fail(err, LPSP_E_TRUNCATED, lpsp_cursor_off(c), fn,
                               "body shorter than the declared message length");
            } else if (m < left) {
                st = lpsp_fail(err, LPSP_E_LENGTH_MISMATCH, lpsp_cursor_off(c) + (size_t)m, fn,
                               "body longer than the declared message length");
            } else {
                st = take_fixed(c, (size_t)m, &out->message, fn, err);
            }
            break;
        }
        case F_SUBS32:
            if ((st = take_fixed(c, 4, &v, fn, err)) == LPSP_OK) out->subscribers = lpsp_dec32be(v.ptr);
            break;
        case F_ETAGFMT:
            if ((st = take_fixed(c, 1, &v, fn, err)) != LPSP_OK) break;
            out->etag_format = v.ptr[0];
            if (v.ptr[0] != 0) st = lpsp_fail(err, LPSP_E_INVALID_VALUE, at, fn, "etag format must be 0");
            break;
        case F_ETAG: st = take_fixed(c, LPSP_ETAG_LEN, &out->etag, fn, err); break;
        case F_ENTRIES:
            if ((st = take_fixed(c, 4, &v, "exact_count", err)) == LPSP_OK)
                out->exact_count = lpsp_dec32be(v.ptr);
            break;
        }
    }
    return st;
}

lpsp_status lpsp_sl_subs_begin(const uint8_t *buf, size_t len, lpsp_sl_msg *hdr,
                               lpsp_sl_subs_iter *it, lpsp_error *err)
{
    lpsp_cursor c;
    int unsub;
    lpsp_sl_msg_init(hdr, LPSP_SL_SET_SUBSCRIPTIONS);
    memset(it, 0, sizeof *it);
    lpsp_cursor_init(&c, buf, len);
    lpsp_status st = parse_fields(&BODIES[LPSP_SL_SET_SUBSCRIPTIONS], LPSP_SL_SET_SUBSCRIPTIONS, &c,
                                  hdr, &unsub, err);
    if (st != LPSP_OK) return st;
    it->start = c.start;
    it->p = c.p;
    it->end = c.end;
    it->exact_count = it->remaining = hdr->exact_count;
    return LPSP_OK;
}

void lpsp_sl_subs_attach_etag(lpsp_sl_subs_iter *it, lpsp_etag_builder *b) { it->etag = b; }

void lpsp_sl_subs_iter_init(lpsp_sl_subs_iter *it, const lpsp_sl_msg *m)
{
    memset(it, 0, sizeof *it);
    it->start = it->p = m->entries.ptr;
    it->end = m->entries.ptr + m->entries.len;
    it->exact_count = it->remaining = m->exact_count;
}

lpsp_status lpsp_sl_subs_next(lpsp_sl_subs_iter *it, lpsp_sl_subs_item *item, lpsp_error *err)
{
    lpsp_cursor c = {it->start, it->p, it->end};
    lpsp_view v;
    memset(item, 0, sizeof *item);
    item->entry.key.ptr = item->entry.recovery.ptr = lpsp_empty_bytes;
    while (it->remaining == 0) {
        if (it->stage != 0) {
            it->stage = 2;
            return LPSP_OK; /* LPSP_SUBS_END */
        }
        lpsp_status st = take_fixed(&c, 4, &v, "glob_count", err);
        if (st != LPSP_OK) return st;
        it->glob_count = it->remaining = lpsp_dec32be(v.ptr);
        it->stage = 1;
        it->have_prev = 0;
        it->p = c.p;
    }
    int glob = it->stage == 1;
    const char *fn = glob ? "glob" : "topic";
    size_t at = lpsp_cursor_off(&c) + 2;
    lpsp_sl_entry *e = &item->entry;
    lpsp_status st = take_sized(&c, 2, &e->key, glob, fn, err);
    if (st == LPSP_OK) st = take_sized(&c, 2, &e->recovery, 1, "recovery", err);
    if (st != LPSP_OK) return st;
    e->has_recovery = e->recovery.len > 0;
    if (it->have_prev && lpsp_view_cmp(e->key, it->prev) <= 0)
        return lpsp_fail(err, LPSP_E_OUT_OF_ORDER, at, fn,
                         "entries must be strictly ascending (no duplicates)");
    if (it->etag && (st = lpsp_etag__add(it->etag, glob, e->key, e->recovery, 1, err)) != LPSP_OK)
        return st;
    it->prev = e->key;
    it->have_prev = 1;
    it->remaining--;
    it->p = c.p;
    item->kind = glob ? LPSP_SUBS_GLOB : LPSP_SUBS_EXACT;
    return LPSP_OK;
}

static lpsp_status parse_set_subscriptions(const uint8_t *buf, size_t len, unsigned opts,
                                           lpsp_sl_msg *out, lpsp_error *err)
{
    lpsp_sl_subs_iter it;
    lpsp_sl_subs_item item;
    lpsp_etag_builder b;
    lpsp_status st = lpsp_sl_subs_begin(buf, len, out, &it, err);
    if (st != LPSP_OK) return st;
    int check = !(opts & LPSP_SL_SKIP_DIGEST);
    if (check) {
        if ((st = lpsp_etag_begin(&b, out->url, 0, err)) != LPSP_OK) return st;
        lpsp_sl_subs_attach_etag(&it, &b);
    }
    const uint8_t *first = it.p;
    while ((st = lpsp_sl_subs_next(&it, &item, err)) == LPSP_OK && item.kind != LPSP_SUBS_END) {
    }
    if (st != LPSP_OK) {
        if (check) lpsp_etag_abort(&b);
        return st;
    }
    out->glob_count = it.glob_count;
    out->entries.ptr = first;
    out->entries.len = (size_t)(it.p - first);
    if (check) {
        uint8_t etag[LPSP_ETAG_LEN];
        if ((st = lpsp_etag_finish(&b, etag, err)) != LPSP_OK) return st;
        if (CRYPTO_memcmp(etag, out->etag.ptr, LPSP_ETAG_LEN) != 0)
            return lpsp_fail(err, LPSP_E_HASH_MISMATCH, (size_t)(out->etag.ptr - buf), "etag",
                             "etag differs from the strong etag of the entries");
    }
    return LPSP_OK;
}

lpsp_status lpsp_sl_parse(lpsp_sl_body body, const uint8_t *buf, size_t len, unsigned opts,
                          lpsp_sl_msg *out, lpsp_error *err)
{
    const body_desc *d = desc_of(body);
    if (!d) return lpsp_fail(err, LPSP_E_INVALID_ARGUMENT, 0, NULL, "unknown stateless body");
    if (!buf && len) return lpsp_fail(err, LPSP_E_INVALID_ARGUMENT, 0, NULL, "NULL buffer");
    if (!buf) buf = lpsp_empty_bytes;
    if (body == LPSP_SL_SET_SUBSCRIPTIONS) return parse_set_subscriptions(buf, len, opts, out, err);
    lpsp_sl_msg_init(out, body);
    lpsp_cursor c;
    lpsp_cursor_init(&c, buf, len);
    int unsub = 0;
    lpsp_status st = parse_fields(d, body, &c, out, &unsub, err);
    if (st != LPSP_OK) return st;
    if (unsub) {
        lpsp_sl_msg_init(out, LPSP_SL_RESPONSE_UNSUBSCRIBE_IMMEDIATE);
        return LPSP_OK;
    }
    if (body == LPSP_SL_NOTIFY && !(opts & LPSP_SL_SKIP_DIGEST)) {
        st = lpsp_sha512_matches(out->message, out->sha512, err);
        if (st != LPSP_OK)
            return st == LPSP_E_CRYPTO ? st
                                       : lpsp_fail(err, LPSP_E_HASH_MISMATCH, (size_t)(out->sha512.ptr - buf),
                                                   "sha512",
                                                   "SHA-512 of the message differs from the declared one");
    }
    return LPSP_OK;
}

/* -------------------------------------------------------------- serialize */

static lpsp_status refuse(lpsp_error *err, const char *field, const char *reason)
{
    return lpsp_fail(err, LPSP_E_INVALID_ARGUMENT, 0, field, reason);
}

static lpsp_status check_sized(lpsp_view v, size_t max, int utf8, const char *field, lpsp_error *err)
{
    if (v.len > max)
        return refuse(err, field, max == 0xff ? "longer than 255 bytes" : "longer than 65535 bytes");
    if (utf8 && !lpsp__utf8_ok(v)) return refuse(err, field, "not valid UTF-8");
    return LPSP_OK;
}

static lpsp_status entries_walk(const lpsp_sl_msg *m, lpsp_sink *s, lpsp_error *err)
{
    if (m->n_exact > UINT32_MAX || m->n_globs > UINT32_MAX)
        return refuse(err, "exact", "more than 2^32-1 entries");
    if ((m->n_exact && !m->exact) || (m->n_globs && !m->globs)) return refuse(err, "exact", "NULL entries");
    for (int g = 0; g < 2; g++) {
        const lpsp_sl_entry *e = g ? m->globs : m->exact;
        size_t cnt = g ? m->n_globs : m->n_exact;
        lpsp_sink_be(s, cnt, 4);
        for (size_t i = 0; i < cnt; i++) {
            lpsp_view rec = lpsp_sl_entry_recovery(&e[i]);
            lpsp_status st;
            if ((st = check_sized(e[i].key, 0xffff, g, g ? "glob" : "topic", err)) != LPSP_OK) return st;
            if ((st = check_sized(rec, 0xffff, 1, "recovery", err)) != LPSP_OK) return st;
            if (i && lpsp_view_cmp(e[i].key, e[i - 1].key) <= 0)
                return refuse(err, g ? "glob" : "topic", "entries must be strictly ascending");
            lpsp_sink_sized(s, e[i].key, 2);
            lpsp_sink_sized(s, rec, 2);
        }
    }
    return LPSP_OK;
}

/* Check the body's fields and put them. */
static lpsp_status body_walk(const void *arg, lpsp_sink *s, lpsp_error *err)
{
    const lpsp_sl_msg *m = arg;
    const body_desc *d = desc_of(m->body);
    if (!d) return refuse(err, NULL, "unknown stateless body");
    for (unsigned i = 0; i < d->n; i++) {
        fkind f = (fkind)d->f[i];
        const char *fn = field_name(d, f);
        lpsp_view v = lpsp_view_empty();
        size_t w = 2, max = 0xffff;
        int utf8 = 0;
        lpsp_status st;
        switch (f) {
        case F_TYPE: lpsp_sink_be(s, d->type, 2); continue;
        case F_AUTH:
            if (m->has_authorization) v = m->authorization;
            utf8 = 1;
            break;
        case F_TRACING: v = m->tracing; break;
        case F_URL: v = m->url; utf8 = 1; break;
        case F_TOPIC: v = m->topic; break;
        case F_GLOB: v = m->glob; utf8 = 1; break;
        case F_RECOVERY:
            if (m->has_recovery) v = m->recovery;
            utf8 = 1;
            break;
        case F_IDENT8: v = m->identifier; w = 1; max = 0xff; break;
        case F_SHA512:
        case F_ETAG:
            v = f == F_SHA512 ? m->sha512 : m->etag;
            if (v.len != 64) return refuse(err, fn, "must be 64 bytes");
            lpsp_sink_put(s, v.ptr, 64);
            continue;
        case F_MESSAGE:
            lpsp_sink_be(s, m->message.len, 8);
            lpsp_sink_put(s, m->message.ptr, m->message.len);
            continue;
        case F_SUBS32: lpsp_sink_be(s, m->subscribers, 4); continue;
        case F_ETAGFMT:
            if (m->etag_format != 0) return refuse(err, fn, "etag format must be 0");
            lpsp_sink_be(s, 0, 1);
            continue;
        case F_ENTRIES:
            if ((st = entries_walk(m, s, err)) != LPSP_OK) return st;
            continue;
        }
        if (lpsp_view_fix(&v)) return refuse(err, fn, "NULL pointer");
        if ((st = check_sized(v, max, utf8, fn, err)) != LPSP_OK) return st;
        lpsp_sink_sized(s, v, w);
    }
    return LPSP_OK;
}

/* The digests the parser would check. */
static lpsp_status check_digests(const lpsp_sl_msg *m, lpsp_error *err)
{
    if (m->body == LPSP_SL_NOTIFY) {
        lpsp_status st = lpsp_sha512_matches(m->message, m->sha512, err);
        if (st != LPSP_OK)
            return st == LPSP_E_CRYPTO ? st : refuse(err, "sha512", "not the SHA-512 of the message");
    } else if (m->body == LPSP_SL_SET_SUBSCRIPTIONS) {
        uint8_t etag[LPSP_ETAG_LEN];
        lpsp_status st = lpsp_etag_compute(m->url, m->exact, m->n_exact, m->globs, m->n_globs, 0, etag, err);
        if (st != LPSP_OK)
            return st == LPSP_E_CRYPTO ? st : refuse(err, "etag", "entries cannot form an etag");
        if (CRYPTO_memcmp(etag, m->etag.ptr, LPSP_ETAG_LEN) != 0)
            return refuse(err, "etag", "not the strong etag of the entries");
    }
    return LPSP_OK;
}

/* The body, and while counting (once per write) the digests. */
static lpsp_status sl_walk(const void *arg, lpsp_sink *s, lpsp_error *err)
{
    lpsp_status st = body_walk(arg, s, err);
    return st == LPSP_OK && !s->buf ? check_digests(arg, err) : st;
}

lpsp_status lpsp_sl_serialized_size(const lpsp_sl_msg *m, size_t *size, lpsp_error *err)
{
    return lpsp_size_of(lpsp_sl_serialize(m, NULL, 0, size, err));
}

lpsp_status lpsp_sl_serialize(const lpsp_sl_msg *m, uint8_t *buf, size_t cap, size_t *written,
                              lpsp_error *err)
{
    return lpsp_write(sl_walk, m, buf, cap, written, err);
}

/* ------------------------------------------------------------ Repr-Digest */

lpsp_status lpsp_repr_digest_parse(const uint8_t *hdr, size_t len, int present,
                                   uint8_t digest[LPSP_SHA512_LEN], lpsp_error *err)
{
    static const char name[] = "sha-512";
    if (!present) return lpsp_fail(err, LPSP_E_MISSING_HEADER, 0, "repr-digest", "no Repr-Digest header");
    if (!hdr) len = 0;
    const uint8_t *val = NULL;
    size_t vlen = 0, voff = 0;
    size_t i = 0;
    while (i <= len) {
        size_t j = i;
        while (j < len && hdr[j] != ',') j++;
        /* item hdr[i..j): split at its first '=' */
        const uint8_t *eq = j > i ? memchr(hdr + i, '=', j - i) : NULL;
        if (eq) {
            size_t nlen = (size_t)(eq - (hdr + i));
            if (nlen == sizeof name - 1 && memcmp(hdr + i, name, nlen) == 0) {
                val = eq + 1;
                voff = (size_t)(val - hdr);
                vlen = j - voff; /* last match wins */
            }
        }
        i = j + 1;
    }
    if (!val) return lpsp_fail(err, LPSP_E_INVALID_VALUE, 0, "repr-digest", "no sha-512 item");
    lpsp_b64_lenient d;
    size_t n = 0;
    lpsp_b64_lenient_init(&d, digest, LPSP_SHA512_LEN);
    lpsp_b64_lenient_feed(&d, val, vlen);
    lpsp_b64_lenient_feed(&d, (const uint8_t *)"==", 2);
    lpsp_status st = lpsp_b64_lenient_finish(&d, &n, NULL);
    if (st == LPSP_E_BAD_BASE64)
        return lpsp_fail(err, st, voff, "repr-digest", "sha-512 value is not base64");
    if (st != LPSP_OK || n != LPSP_SHA512_LEN)
        return lpsp_fail(err, LPSP_E_FIELD_SIZE, voff, "repr-digest",
                         "sha-512 digest is not 64 bytes (QK-43)");
    return LPSP_OK;
}

lpsp_status lpsp_repr_digest_format(lpsp_view digest, char *buf, size_t cap, size_t *written,
                                    lpsp_error *err)
{
    if (digest.len != LPSP_SHA512_LEN) return refuse(err, "digest", "must be 64 bytes");
    lpsp_status st = lpsp_room(LPSP_REPR_DIGEST_LEN, buf, cap, written, err);
    if (st != LPSP_OK) return st;
    memcpy(buf, "sha-512=", 8);
    size_t n;
    return lpsp_b64_encode(digest.ptr, digest.len, buf + 8, cap - 8, &n, err);
}
