/* Oracles of the header and text parsers (fuzz/README.md, "Text parsers"):
 * one small function per FZ_TEXT_* target, dispatched through a table. */
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fz_common.h"
#include "harness.h"
#include "lpsp/auth.h"
#include "lpsp/session.h"

/* Strict UTF-8 (Python's decoder): length of the valid prefix. Written
 * here, not taken from the codec, so that it can disagree with it. */
static size_t utf8_valid_prefix(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint32_t c = s[i], cp;
        size_t k;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xc2 && c <= 0xdf) {
            k = 1;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            k = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            k = 3;
            cp = c & 0x07;
        } else
            return i;
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

/* Every accepted value: the format/parse round trip and the refusals of a
 * 63-byte digest. Heavy inputs also run RECEIVE's digest check with the
 * input as the message, three SHA-512 passes over it (the harness's own and
 * two in the codec) that test lpsp_sl_check_digest, not the parser. */
static void text_repr_digest(const uint8_t *in, size_t len)
{
    lpsp_error e;
    lpsp_status st;
    memset(&e, 0, sizeof e);
    uint8_t d[64], d2[64];
    st = lpsp_repr_digest_parse(in, len, 1, d, &e);
    text_error("lpsp_repr_digest_parse", st, &e, len);
    if (st != LPSP_OK) return;
    char hdr[LPSP_REPR_DIGEST_LEN];
    size_t w = 0;
    lpsp_view dv = {d, 64};
    st = lpsp_repr_digest_format(dv, hdr, sizeof hdr, &w, &e);
    FZ_ASSERT(st == LPSP_OK && w == LPSP_REPR_DIGEST_LEN, "format of a parsed digest: %s",
              lpsp_status_name(st));
    st = lpsp_repr_digest_parse((const uint8_t *)hdr, w, 1, d2, &e);
    FZ_ASSERT(st == LPSP_OK && memcmp(d, d2, 64) == 0, "Repr-Digest format/parse round trip");
    lpsp_view msg = {in, len}, shortv = {d, 63};
    st = lpsp_sl_check_digest(msg, shortv, &e);
    FZ_ASSERT(st == LPSP_E_FIELD_SIZE, "check_digest of a 63-byte digest: %s", lpsp_status_name(st));
    st = lpsp_repr_digest_format(shortv, hdr, sizeof hdr, &w, &e);
    FZ_ASSERT(st == LPSP_E_INVALID_ARGUMENT, "format of a 63-byte digest: %s", lpsp_status_name(st));
    if (!fz_heavy(in, len)) return;
    /* RECEIVE's digest check: the input itself as the message, the parsed
     * digest and that of the input as the claimed ones. */
    uint8_t own[64];
    SHA512(len ? in : (const uint8_t *)"", len, own);
    lpsp_view ownv = {own, 64};
    st = lpsp_sl_check_digest(msg, ownv, &e);
    FZ_ASSERT(st == LPSP_OK, "check_digest of the message's own SHA-512: %s", lpsp_status_name(st));
    st = lpsp_sl_check_digest(msg, dv, &e);
    FZ_ASSERT(st == (memcmp(d, own, 64) ? LPSP_E_HASH_MISMATCH : LPSP_OK),
              "check_digest against a parsed Repr-Digest: %s", lpsp_status_name(st));
}

static void text_hmac_token(const uint8_t *in, size_t len)
{
    lpsp_error e;
    lpsp_status st;
    memset(&e, 0, sizeof e);
    /* First byte: lifetime choice; the rest is the authorization value. */
    if (len == 0) return;
    uint64_t lifetime = in[0] & 1 ? UINT64_MAX : (uint64_t)in[0] * 1000;
    const int64_t now = 1700000000;
    lpsp_hmac_token tok;
    fz_alloc_begin();
    st = lpsp_hmac_parse_token(in + 1, len - 1, 1, now, lifetime, &tok, &e);
    fz_alloc_end("lpsp_hmac_parse_token");
    text_error("lpsp_hmac_parse_token", st, &e, len - 1);
    FZ_ASSERT(st == LPSP_OK || st == LPSP_E_FORBIDDEN, "token parse: status %s (only ok/forbidden)",
              lpsp_status_name(st));
    if (st == LPSP_OK) {
        fz_check_view("token nonce", tok.nonce, in + 1, len - 1);
        uint64_t dist = tok.timestamp > now ? (uint64_t)tok.timestamp - (uint64_t)now
                                            : (uint64_t)now - (uint64_t)tok.timestamp;
        FZ_ASSERT(dist <= lifetime, "token %lld outside lifetime %llu of now", (long long)tok.timestamp,
                  (unsigned long long)lifetime);
    }
    st = lpsp_hmac_parse_token(in + 1, len - 1, 0, now, lifetime, &tok, &e);
    FZ_ASSERT(st == LPSP_E_UNAUTHORIZED, "absent authorization gave %s", lpsp_status_name(st));
}

/* Heavy inputs: the one-shot decoder agrees with the streamed result (s2,
 * o2[0..n2), streamed cut at `cut`), and one byte short of what it decodes
 * it reports the size needed. */
static void b64_one_shot(const uint8_t *in, size_t len, size_t cut, lpsp_status s2, const uint8_t *o2,
                         size_t n2)
{
    lpsp_error e;
    memset(&e, 0, sizeof e);
    size_t max = lpsp_b64_lenient_max(len), n1 = 0;
    uint8_t *o1 = fz_malloc(max);
    fz_alloc_begin();
    lpsp_status s1 = lpsp_b64_decode_lenient(in, len, o1, max, &n1, &e);
    fz_alloc_end("lpsp_b64_decode_lenient");
    text_error("lpsp_b64_decode_lenient", s1, &e, len);
    FZ_ASSERT(s1 == s2, "one-shot %s, streamed (cut at %zu) %s", lpsp_status_name(s1), cut,
              lpsp_status_name(s2));
    if (s1 == LPSP_OK) {
        FZ_ASSERT(n1 == n2 && memcmp(o1, o2, n1) == 0, "one-shot and streamed output differ");
        if (n1 > 0) {
            uint8_t *o3 = fz_malloc(n1 - 1);
            size_t n3 = 0;
            lpsp_status s3 = lpsp_b64_decode_lenient(in, len, o3, n1 - 1, &n3, &e);
            FZ_ASSERT(s3 == LPSP_E_BUFFER_TOO_SMALL && n3 == n1,
                      "short output buffer: %s, needed %zu (expected %zu)", lpsp_status_name(s3), n3, n1);
            free(o3);
        }
    }
    free(o1);
}

/* Streaming in two pieces, cut at an input-derived point, into exactly
 * lpsp_b64_lenient_max bytes: the end of a stack array for inputs up to
 * max_len (ASan's redzone after it catches a write past the end, as a heap
 * block's would, without an allocation per input), else a heap block. The
 * one-shot decoder is the same feed over the whole input in one piece, so
 * only heavy inputs run it too. */
static void text_b64_lenient(const uint8_t *in, size_t len)
{
    lpsp_error e;
    memset(&e, 0, sizeof e);
    size_t max = lpsp_b64_lenient_max(len), n2 = 0;
    size_t cut = len ? fz_hash(in, len) % (len + 1) : 0;
    uint8_t stack[392]; /* lpsp_b64_lenient_max(512), b64_lenient.options' max_len, rounded up to 8 */
    uint8_t *o2 = max <= sizeof stack ? stack + sizeof stack - max : fz_malloc(max);
    lpsp_b64_lenient d;
    fz_alloc_begin();
    lpsp_b64_lenient_init(&d, o2, max);
    lpsp_b64_lenient_feed(&d, in, cut);
    lpsp_b64_lenient_feed(&d, in + cut, len - cut);
    lpsp_status s2 = lpsp_b64_lenient_finish(&d, &n2, &e);
    fz_alloc_end("lpsp_b64_lenient_feed");
    text_error("lpsp_b64_lenient_finish", s2, &e, len);
    FZ_ASSERT(s2 == LPSP_OK || s2 == LPSP_E_BAD_BASE64, "lenient base64: status %s", lpsp_status_name(s2));
    if (s2 == LPSP_OK) FZ_ASSERT(n2 <= max, "decoded %zu bytes, max %zu", n2, max);
    if (fz_heavy(in, len)) b64_one_shot(in, len, cut, s2, o2, n2);
    if (max > sizeof stack) free(o2);
}

static void text_py_int(const uint8_t *in, size_t len)
{
    lpsp_error e;
    lpsp_status st;
    memset(&e, 0, sizeof e);
    int64_t v = 0, v2 = 0;
    st = lpsp_py_int_parse(in, len, &v, &e);
    text_error("lpsp_py_int_parse", st, &e, len);
    FZ_ASSERT(st == LPSP_OK || st == LPSP_E_INVALID_VALUE || st == LPSP_E_OVERFLOW, "py_int: status %s",
              lpsp_status_name(st));
    if (st == LPSP_OK) {
        char t[32];
        int n = snprintf(t, sizeof t, "%lld", (long long)v);
        st = lpsp_py_int_parse((const uint8_t *)t, (size_t)n, &v2, &e);
        FZ_ASSERT(st == LPSP_OK && v2 == v, "py_int: %s does not parse back", t);
    }
}

static void text_bearer(const uint8_t *in, size_t len)
{
    lpsp_error e;
    lpsp_status st;
    memset(&e, 0, sizeof e);
    /* token | 0x00 | authorization */
    const uint8_t *z = memchr(in, 0, len);
    size_t tl = z ? (size_t)(z - in) : len / 2;
    const uint8_t *a = in + tl + (z ? 1 : 0);
    size_t al = len - (size_t)(a - in);
    st = lpsp_bearer_check(in, tl, a, al, 1, &e);
    text_error("lpsp_bearer_check", st, &e, al);
    int ascii = 1;
    for (size_t i = 0; i < tl; i++)
        ascii &= in[i] < 0x80;
    int same = al == tl + 7 && memcmp(a, "Bearer ", 7) == 0 && memcmp(a + 7, in, tl) == 0;
    if (!ascii)
        FZ_ASSERT(st == LPSP_E_INVALID_ARGUMENT, "non-ASCII token: %s", lpsp_status_name(st));
    else
        FZ_ASSERT(st == (same ? LPSP_OK : LPSP_E_FORBIDDEN), "bearer check %s, expected %s",
                  lpsp_status_name(st), same ? "ok" : "forbidden");
}

static void text_ws_url(const uint8_t *in, size_t len)
{
    lpsp_error e;
    lpsp_status st;
    memset(&e, 0, sizeof e);
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
}

static void text_hmac_secret(const uint8_t *in, size_t len)
{
    lpsp_error e;
    lpsp_status st;
    memset(&e, 0, sizeof e);
    uint8_t sec[64];
    st = lpsp_hmac_secret_decode(in, len, sec, &e);
    text_error("lpsp_hmac_secret_decode", st, &e, len);
}

static void text_subs_iter(const uint8_t *in, size_t len)
{
    lpsp_error e;
    lpsp_status st;
    memset(&e, 0, sizeof e);
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
    lpsp_status sp = fz_sl_parse_checked(LPSP_SL_SET_SUBSCRIPTIONS, in, len, LPSP_SL_SKIP_DIGEST, &m);
    if (sp == LPSP_OK)
        FZ_ASSERT(st == LPSP_OK && n == (size_t)m.exact_count + m.glob_count,
                  "parser accepts, iterator %s after %zu of %u entries", lpsp_status_name(st), n,
                  m.exact_count + m.glob_count);
}

/* etag_order's input as entry lists: entries separated by 0x00 (exact)
 * until a 0x01 byte, then globs, without recovery. An independent check
 * sets *ascending and *utf8: strictly ascending bytes per list, UTF-8 globs.
 * The entries are kept (ent) for heavy inputs only, which hand the whole
 * lists to the one-shot etag and the etag document. */
typedef struct {
    lpsp_sl_entry *ent; /* exact entries, then globs; NULL unless kept */
    size_t n_ex, n_gl;
    int ascending, utf8;
} etag_lists;

/* Splits the input, feeding each entry to the builder b until it refuses
 * one (its status is returned), and checks every entry independently. */
static lpsp_status etag_split(const uint8_t *in, size_t len, lpsp_etag_builder *b, int keep, etag_lists *l)
{
    l->ent = NULL;
    if (keep) {
        size_t cap = 1;
        for (size_t i = 0; i < len; i++)
            cap += in[i] <= 1;
        l->ent = calloc(cap, sizeof *l->ent);
        if (!l->ent) abort();
    }
    l->n_ex = l->n_gl = 0;
    l->ascending = l->utf8 = 1;
    const lpsp_view none = {NULL, 0};
    lpsp_view prev = none;
    lpsp_status st = LPSP_OK;
    lpsp_error e;
    int glob = 0, sep;
    for (size_t pos = 0; pos <= len;) {
        lpsp_view key = fz_field(in, len, &pos, 1, &sep);
        if ((glob ? l->n_gl : l->n_ex) > 0) {
            size_t m = prev.len < key.len ? prev.len : key.len;
            int c = m ? memcmp(prev.ptr, key.ptr, m) : 0;
            if (c > 0 || (c == 0 && prev.len >= key.len)) l->ascending = 0;
        }
        if (glob && utf8_valid_prefix(key.ptr, key.len) != key.len) l->utf8 = 0;
        if (st == LPSP_OK)
            st = glob ? lpsp_etag_add_glob(b, key, none, &e) : lpsp_etag_add_exact(b, key, none, &e);
        if (l->ent) l->ent[l->n_ex + l->n_gl].key = key;
        if (glob)
            l->n_gl++;
        else
            l->n_ex++;
        prev = key;
        if (sep == 1) glob = 1;
    }
    return st;
}

/* Accepted lists are in order; for heavy inputs also: the one-shot etag
 * equals d1, and so does SHA-512 of the etag document (written into its
 * exact size; one byte short is refused). */
static void etag_accepted(lpsp_view url, const etag_lists *l, const uint8_t d1[64], int heavy)
{
    FZ_ASSERT(l->ascending && l->utf8, "etag accepted entries that are out of order (%d) or not UTF-8 (%d)",
              !l->ascending, !l->utf8);
    if (!heavy) return;
    lpsp_error e;
    uint8_t d2[64], d3[64];
    const lpsp_sl_entry *ex = l->ent, *gl = l->ent + l->n_ex;
    lpsp_status st = lpsp_etag_compute(url, ex, l->n_ex, gl, l->n_gl, 1, d2, &e);
    FZ_ASSERT(st == LPSP_OK && memcmp(d1, d2, 64) == 0, "one-shot etag differs from streamed (%s)",
              lpsp_status_name(st));
    size_t sz = 0, w = 0;
    st = lpsp_etag_document_size(url, ex, l->n_ex, gl, l->n_gl, 1, &sz, &e);
    FZ_ASSERT(st == LPSP_OK, "etag document size: %s", lpsp_status_name(st));
    uint8_t *doc = fz_malloc(sz);
    st = lpsp_etag_document(url, ex, l->n_ex, gl, l->n_gl, 1, doc, sz, &w, &e);
    FZ_ASSERT(st == LPSP_OK && w == sz, "etag document into its exact size: %s", lpsp_status_name(st));
    SHA512(doc, sz, d3);
    FZ_ASSERT(memcmp(d1, d3, 64) == 0, "etag is not SHA-512 of the etag document");
    if (sz) {
        st = lpsp_etag_document(url, ex, l->n_ex, gl, l->n_gl, 1, doc, sz - 1, &w, &e);
        FZ_ASSERT(st == LPSP_E_BUFFER_TOO_SMALL, "etag document one byte short: %s", lpsp_status_name(st));
    }
    free(doc);
}

/* The streaming etag builder rejects exactly what the independent check
 * finds out of order or not UTF-8. The one-shot etag and the etag document
 * validate the same entries in the same walk, so only heavy inputs compare
 * them with the builder: they refuse what it refuses, and accepted lists
 * agree with it. */
static void text_etag_order(const uint8_t *in, size_t len)
{
    lpsp_error e;
    int heavy = fz_heavy(in, len);
    lpsp_view url = {(const uint8_t *)"u", 1};
    lpsp_etag_builder b;
    lpsp_status st = lpsp_etag_begin(&b, url, 1, &e);
    FZ_ASSERT(st == LPSP_OK, "etag begin: %s", lpsp_status_name(st));
    etag_lists l;
    st = etag_split(in, len, &b, heavy, &l);
    if (st == LPSP_OK) {
        uint8_t d1[64];
        st = lpsp_etag_finish(&b, d1, &e);
        FZ_ASSERT(st == LPSP_OK, "etag finish: %s", lpsp_status_name(st));
        etag_accepted(url, &l, d1, heavy);
    } else {
        lpsp_etag_abort(&b);
        FZ_ASSERT(st == LPSP_E_OUT_OF_ORDER ? !l.ascending : (st == LPSP_E_BAD_UTF8 && !l.utf8),
                  "etag builder: %s (ascending: %d, utf8: %d)", lpsp_status_name(st), l.ascending, l.utf8);
        if (heavy) {
            uint8_t d2[64];
            st = lpsp_etag_compute(url, l.ent, l.n_ex, l.ent + l.n_ex, l.n_gl, 1, d2, &e);
            FZ_ASSERT(st != LPSP_OK, "one-shot etag accepts what the builder rejects");
        }
    }
    free(l.ent);
}

/* hmac_roundtrip's input as to-sign fields: byte 0 the kind; the rest text
 * fields separated by 0x00 (nonce, tracing, url, recovery, topic, glob,
 * identifier); integers and fixed-size fields derived from the input's
 * hash (fixed: 64 bytes of storage for the digests and nonces). */
static void auth_fields(const uint8_t *in, size_t len, lpsp_auth_fields *f, uint8_t fixed[64])
{
    memset(f, 0, sizeof *f);
    f->kind = 1 + in[0] % LPSP_AUTH_KIND_MAX;
    lpsp_view *tv[] = {&f->nonce, &f->tracing, &f->url, &f->recovery, &f->topic, &f->glob, &f->identifier};
    size_t pos = 1;
    for (size_t i = 0; i < sizeof tv / sizeof tv[0]; i++)
        *tv[i] = fz_field(in, len, &pos, 0, NULL);
    uint32_t h = fz_hash(in, len);
    for (int i = 0; i < 64; i++)
        fixed[i] = (uint8_t)(h >> (i % 4 * 8)) ^ (uint8_t)i;
    lpsp_view v32 = {fixed, 32}, v64 = {fixed, 64};
    f->sha512 = v64;
    f->etag = v64;
    f->subscriber_nonce = v32;
    f->broadcaster_nonce = v32;
    /* mostly now-ish; one input in 32 at the top of the u64 range */
    f->timestamp = (h & 0x1f00) == 0x1f00 ? UINT64_MAX - (h & 0xff) : 1700000000 + (h & 0xff);
    f->enable_zstd = h & 1;
    f->enable_training = (h >> 1) & 1;
    f->initial_dict = h & 0xffff;
    f->part_id = (h >> 3) & ((h & 4) ? 0xff : 0xfff);
    f->num_subscribers = h;
    f->subscribers = h >> 5;
    f->zstd_identifier = h >> 7;
    f->compression_level = (int64_t)(h % 40) - ((h & 8) ? 5 : 0);
    f->min_size = h >> 9;
    f->max_size = (uint64_t)h << 20;
}

/* The to_sign size query, whose refusal must have a reason; for heavy
 * inputs also: to_sign fits its size query exactly and is refused one byte
 * short (light inputs only ask the size; signing writes the same bytes into
 * the MAC). Returns the size query's status. */
static lpsp_status check_to_sign(const lpsp_auth_fields *f, int heavy)
{
    lpsp_error e;
    size_t sz = 0, w = 0;
    lpsp_status st = lpsp_hmac_to_sign_size(f, &sz, &e);
    if (st != LPSP_OK) {
        FZ_ASSERT(e.status == st && e.reason && e.reason[0], "to_sign refusal without a reason");
        return st;
    }
    if (!heavy) return LPSP_OK;
    uint8_t *ts = fz_malloc(sz);
    st = lpsp_hmac_to_sign(f, ts, sz, &w, &e);
    FZ_ASSERT(st == LPSP_OK && w == sz, "to_sign into its exact size: %s", lpsp_status_name(st));
    free(ts);
    if (sz) {
        /* A block of exactly sz - 1 bytes: ASan watches the writes. */
        uint8_t *sb = fz_malloc(sz - 1);
        st = lpsp_hmac_to_sign(f, sb, sz - 1, &w, &e);
        FZ_ASSERT(st == LPSP_E_BUFFER_TOO_SMALL, "to_sign one byte short: %s", lpsp_status_name(st));
        free(sb);
    }
    return LPSP_OK;
}

/* One key per process: signing and verifying only read it. */
static const lpsp_hmac_key *hmac_key(void)
{
    static const uint8_t secret[64] = {1, 2, 3, 4, 5, 6, 7, 8};
    static lpsp_hmac_key k;
    static int ready;
    if (!ready) {
        lpsp_error e;
        lpsp_status st = lpsp_hmac_key_init(&k, secret, sizeof secret, &e);
        FZ_ASSERT(st == LPSP_OK, "hmac key: %s", lpsp_status_name(st));
        ready = 1;
    }
    return &k;
}

/* sign writes at most LPSP_HMAC_HEADER_MAX bytes. It refuses a nonce with
 * ':' (one of at most 255 bytes: a longer one is too long first) and
 * otherwise exactly what the to_sign size query refused (status ts), with
 * the same status, since it walks the same fields into the MAC. For heavy
 * inputs also: the header size query agrees, verify(sign(f)) is ok, a
 * changed code character is forbidden, and a timestamp beyond int64 never
 * verifies. */
static void check_sign_verify(const lpsp_auth_fields *f, int heavy, lpsp_status ts)
{
    const lpsp_hmac_key *k = hmac_key();
    lpsp_error e;
    memset(&e, 0, sizeof e);
    char hdr[LPSP_HMAC_HEADER_MAX + 1];
    size_t hsz = 0, w = 0;
    lpsp_status hst = heavy ? lpsp_hmac_header_size(f, &hsz, &e) : LPSP_OK;
    fz_alloc_begin();
    lpsp_status st = lpsp_hmac_sign(k, f, hdr, sizeof hdr, &w, &e);
    fz_alloc_end("lpsp_hmac_sign");
    FZ_ASSERT(!heavy || hst == st, "header size query %s, sign %s", lpsp_status_name(hst),
              lpsp_status_name(st));
    int colon = f->nonce.len <= 255 && memchr(f->nonce.ptr, ':', f->nonce.len);
    FZ_ASSERT(st == (colon ? LPSP_E_INVALID_ARGUMENT : ts),
              "sign %s (%s), to_sign size query %s, nonce %s ':'", lpsp_status_name(st),
              e.reason ? e.reason : "-", lpsp_status_name(ts), colon ? "with" : "without");
    if (st != LPSP_OK) {
        FZ_ASSERT(e.status == st && e.reason && e.reason[0], "sign refusal %s without a reason",
                  lpsp_status_name(st));
        return;
    }
    FZ_ASSERT(w <= LPSP_HMAC_HEADER_MAX && (!heavy || w == hsz), "header of %zu bytes, size query %zu", w,
              hsz);
    if (!heavy) return;
    const char *kind = lpsp_auth_kind_name(f->kind);
    if (f->timestamp > INT64_MAX) {
        /* signable (u64), but no token timestamp beyond int64 verifies */
        st = lpsp_hmac_verify(k, f, (const uint8_t *)hdr, w, 1, INT64_MAX, UINT64_MAX, NULL, &e);
        FZ_ASSERT(st == LPSP_E_FORBIDDEN, "%s: token with timestamp %llu gave %s", kind,
                  (unsigned long long)f->timestamp, lpsp_status_name(st));
        return;
    }
    fz_alloc_begin();
    st = lpsp_hmac_verify(k, f, (const uint8_t *)hdr, w, 1, (int64_t)f->timestamp, 0, NULL, &e);
    fz_alloc_end("lpsp_hmac_verify");
    FZ_ASSERT(st == LPSP_OK, "%s: verify(sign(f)) gave %s (%s)", kind, lpsp_status_name(st),
              e.reason ? e.reason : "-");
    /* A full-6-bit character of the code (the last data character before
     * "==" also carries unchecked padding bits, QK-34). */
    hdr[w - 10] = hdr[w - 10] == 'A' ? 'B' : 'A';
    st = lpsp_hmac_verify(k, f, (const uint8_t *)hdr, w, 1, (int64_t)f->timestamp, 0, NULL, &e);
    FZ_ASSERT(st == LPSP_E_FORBIDDEN, "%s: a changed code verified as %s", kind, lpsp_status_name(st));
}

static void text_hmac_roundtrip(const uint8_t *in, size_t len)
{
    if (len == 0) return;
    lpsp_auth_fields f;
    uint8_t fixed[64];
    auth_fields(in, len, &f, fixed);
    int heavy = fz_heavy(in, len);
    lpsp_status ts = check_to_sign(&f, heavy);
    /* Fields the size query refuses are refused by sign too, with the same
     * status (asserted): only heavy inputs try to sign them. */
    if (ts == LPSP_OK || heavy) check_sign_verify(&f, heavy, ts);
}

typedef void (*text_fn)(const uint8_t *in, size_t len);

#define T(id, fn) [id - FZ_TEXT_FIRST] = {#id, fn}
static const struct {
    const char *name; /* the FZ_TEXT_* constant, as the target names it */
    text_fn run;
} text_targets[FZ_TEXT_END - FZ_TEXT_FIRST] = {
    T(FZ_TEXT_REPR_DIGEST, text_repr_digest), T(FZ_TEXT_HMAC_TOKEN, text_hmac_token),
    T(FZ_TEXT_B64_LENIENT, text_b64_lenient), T(FZ_TEXT_PY_INT, text_py_int),
    T(FZ_TEXT_BEARER, text_bearer),           T(FZ_TEXT_WS_URL, text_ws_url),
    T(FZ_TEXT_HMAC_SECRET, text_hmac_secret), T(FZ_TEXT_SUBS_ITER, text_subs_iter),
    T(FZ_TEXT_ETAG_ORDER, text_etag_order),   T(FZ_TEXT_HMAC_ROUNDTRIP, text_hmac_roundtrip),
};
#undef T

void fz_text_target(fz_text_kind which, const char *name, const uint8_t *data, size_t size)
{
    FZ_ASSERT(which >= FZ_TEXT_FIRST && which < FZ_TEXT_END, "unknown text target %d", (int)which);
    size_t i = (size_t)(which - FZ_TEXT_FIRST);
    FZ_ASSERT(text_targets[i].run && strcmp(text_targets[i].name, name) == 0,
              "text target %s is %s in the table", name,
              text_targets[i].name ? text_targets[i].name : "(none)");
    fz_api_selfcheck();
    uint8_t *in = fz_dup(data, size);
    text_targets[i].run(in, size);
    free(in);
}
