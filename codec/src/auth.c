/* Authorization, spec §10: the HMAC to-sign layouts as a table (kind -> list
 * of field encodings), X-HMAC header formatting and token checking, secret
 * decoding, Bearer tokens. HMAC-SHA-512 (RFC 2104) over libcrypto's
 * low-level SHA-512: the key holds the SHA-512 states after the padded key
 * blocks, and each code copies them, so signing and verifying never allocate
 * (util.c explains the deprecation). */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "sl_internal.h"

/* Field sources, in the bit order of the LPSP_AF_* flags. */
typedef enum {
    S_URL, S_RECOVERY, S_TOPIC, S_GLOB, S_IDENT, S_SHA512, S_SUBNONCE, S_BROADNONCE,
    S_ZSTD, S_TRAIN, S_INITDICT, S_ETAGFMT, S_ETAG, S_PARTID, S_NUMSUBS, S_SUBS, S_ZID,
    S_LEVEL, S_MIN, S_MAX
} fsrc;

/* Encodings. */
typedef enum { E_S16, E_S8, E_RAW64, E_U8, E_U16, E_U32, E_U64, E_BOOL } fenc;

typedef struct {
    uint8_t src, enc;
} fspec;

typedef struct {
    const char *name;
    uint8_t n;
    fspec f[6];
} kind_desc;

#define F(s, e) {S_##s, E_##e}
static const kind_desc KINDS[LPSP_AUTH_KIND_MAX + 1] = {
    [1] = {"SUBSCRIBE_EXACT", 3, {F(URL, S16), F(RECOVERY, S16), F(TOPIC, S16)}},
    [2] = {"SUBSCRIBE_GLOB", 3, {F(URL, S16), F(RECOVERY, S16), F(GLOB, S16)}},
    [3] = {"NOTIFY", 3, {F(TOPIC, S16), F(IDENT, S8), F(SHA512, RAW64)}},
    [4] = {"STATEFUL_CONFIGURE", 4, {F(SUBNONCE, S8), F(ZSTD, BOOL), F(TRAIN, BOOL), F(INITDICT, U16)}},
    [5] = {"CHECK_SUBSCRIPTIONS", 1, {F(URL, S16)}},
    [6] = {"SET_SUBSCRIPTIONS", 3, {F(URL, S16), F(ETAGFMT, U8), F(ETAG, RAW64)}},
    [7] = {"STATEFUL_CONTINUE_RECEIVE", 3, {F(IDENT, S8), F(PARTID, U8), F(URL, S16)}},
    [8] = {"CONFIRM_RECEIVE", 3, {F(IDENT, S8), F(NUMSUBS, U32), F(URL, S16)}},
    [9] = {"CONFIRM_MISSED", 2, {F(TOPIC, S16), F(URL, S16)}},
    [10] = {"RECEIVE", 4, {F(URL, S16), F(TOPIC, S16), F(IDENT, S8), F(SHA512, RAW64)}},
    [11] = {"MISSED", 2, {F(RECOVERY, S16), F(TOPIC, S16)}},
    [12] = {"CONFIRM_SUBSCRIBE_EXACT", 3, {F(URL, S16), F(RECOVERY, S16), F(TOPIC, S16)}},
    [13] = {"CONFIRM_SUBSCRIBE_GLOB", 3, {F(URL, S16), F(RECOVERY, S16), F(GLOB, S16)}},
    [14] = {"CONFIRM_NOTIFY", 4, {F(IDENT, S8), F(SUBS, U32), F(TOPIC, S16), F(SHA512, RAW64)}},
    [15] = {"CHECK_SUBSCRIPTIONS_RESPONSE", 2, {F(ETAGFMT, U8), F(ETAG, RAW64)}},
    [16] = {"SET_SUBSCRIPTIONS_RESPONSE", 2, {F(ETAGFMT, U8), F(ETAG, RAW64)}},
    [17] = {"STATEFUL_CONFIRM_CONFIGURE", 1, {F(BROADNONCE, S8)}},
    [18] = {"STATEFUL_ENABLE_ZSTD_PRESET", 5,
            {F(URL, S16), F(ZID, U32), F(LEVEL, U32), F(MIN, U64), F(MAX, U64)}},
    [19] = {"STATEFUL_ENABLE_ZSTD_CUSTOM", 6,
            {F(URL, S16), F(ZID, U32), F(LEVEL, U32), F(MIN, U64), F(MAX, U64), F(SHA512, RAW64)}},
    [20] = {"STATEFUL_DISABLE_ZSTD_CUSTOM", 2, {F(ZID, U32), F(URL, S16)}},
    [21] = {"STATEFUL_CONTINUE_NOTIFY", 2, {F(IDENT, S8), F(PARTID, U32)}},
};
#undef F

static const char *const SRC_NAMES[] = {
    "url", "recovery", "topic", "glob", "identifier", "sha512", "subscriber_nonce",
    "broadcaster_nonce", "enable_zstd", "enable_training", "initial_dict", "etag_format", "etag",
    "part_id", "num_subscribers", "subscribers", "identifier", "compression_level", "min_size",
    "max_size"};

static const kind_desc *kind_of(int kind)
{
    return kind >= 1 && kind <= LPSP_AUTH_KIND_MAX ? &KINDS[kind] : NULL;
}

const char *lpsp_auth_kind_name(int kind)
{
    const kind_desc *k = kind_of(kind);
    return k ? k->name : NULL;
}

int lpsp_auth_kind_from_name(const char *name)
{
    for (int k = 1; name && k <= LPSP_AUTH_KIND_MAX; k++)
        if (strcmp(KINDS[k].name, name) == 0) return k;
    return 0;
}

unsigned lpsp_auth_kind_fields(int kind)
{
    const kind_desc *k = kind_of(kind);
    unsigned m = 0;
    for (unsigned i = 0; k && i < k->n; i++) m |= 1u << k->f[i].src;
    return m;
}

static lpsp_status bytes_of(const lpsp_auth_fields *f, fsrc src, lpsp_view *v)
{
    switch (src) {
    case S_URL: *v = f->url; break;
    case S_RECOVERY: *v = f->recovery; break;
    case S_TOPIC: *v = f->topic; break;
    case S_GLOB: *v = f->glob; break;
    case S_IDENT: *v = f->identifier; break;
    case S_SHA512: *v = f->sha512; break;
    case S_SUBNONCE: *v = f->subscriber_nonce; break;
    case S_BROADNONCE: *v = f->broadcaster_nonce; break;
    case S_ETAG: *v = f->etag; break;
    default: return LPSP_E_INVALID_ARGUMENT;
    }
    return lpsp_view_fix(v) ? LPSP_E_INVALID_ARGUMENT : LPSP_OK;
}

static uint64_t int_of(const lpsp_auth_fields *f, fsrc src)
{
    switch (src) {
    case S_ZSTD: return f->enable_zstd ? 1 : 0;
    case S_TRAIN: return f->enable_training ? 1 : 0;
    case S_INITDICT: return f->initial_dict;
    case S_ETAGFMT: return f->etag_format;
    case S_PARTID: return f->part_id;
    case S_NUMSUBS: return f->num_subscribers;
    case S_SUBS: return f->subscribers;
    case S_ZID: return f->zstd_identifier;
    case S_MIN: return f->min_size;
    case S_MAX: return f->max_size;
    default: return 0;
    }
}

static lpsp_status put_sized(lpsp_sink *s, lpsp_view v, size_t w, int text, const char *field,
                             lpsp_error *err)
{
    if (v.len > (w == 1 ? 0xffu : 0xffffu))
        return lpsp_fail(err, LPSP_E_OVERFLOW, 0, field,
                         w == 1 ? "longer than 255 bytes (u8 length)"
                                : "longer than 65535 bytes (u16 length)");
    if (text && !lpsp__utf8_ok(v)) return lpsp_fail(err, LPSP_E_BAD_UTF8, 0, field, "not valid UTF-8");
    lpsp_sink_sized(s, v, w);
    return LPSP_OK;
}

/* The one to-sign walker: validates every field and emits the layout. */
static lpsp_status to_sign_walk(const void *arg, lpsp_sink *s, lpsp_error *err)
{
    const lpsp_auth_fields *f = arg;
    const kind_desc *k = kind_of(f->kind);
    if (!k) return lpsp_fail(err, LPSP_E_INVALID_ARGUMENT, 0, "kind", "unknown authorization kind");
    lpsp_view nonce = f->nonce, tracing = f->tracing;
    if (lpsp_view_fix(&nonce) || lpsp_view_fix(&tracing))
        return lpsp_fail(err, LPSP_E_INVALID_ARGUMENT, 0, NULL, "NULL field with a length");
    lpsp_status st;
    lpsp_sink_be(s, (uint64_t)f->kind, 1);
    lpsp_sink_be(s, f->timestamp, 8);
    if ((st = put_sized(s, nonce, 1, 1, "nonce", err)) != LPSP_OK) return st;
    if ((st = put_sized(s, tracing, 2, 0, "tracing", err)) != LPSP_OK) return st;
    for (unsigned i = 0; i < k->n; i++) {
        fsrc src = (fsrc)k->f[i].src;
        fenc enc = (fenc)k->f[i].enc;
        const char *fn = SRC_NAMES[src];
        lpsp_view v;
        uint64_t x;
        switch (enc) {
        case E_S16:
        case E_S8:
        case E_RAW64:
            if (bytes_of(f, src, &v) != LPSP_OK)
                return lpsp_fail(err, LPSP_E_INVALID_ARGUMENT, 0, fn, "NULL field with a length");
            if (enc == E_RAW64) {
                if (v.len != 64) return lpsp_fail(err, LPSP_E_FIELD_SIZE, 0, fn, "must be 64 bytes");
                lpsp_sink_put(s, v.ptr, 64);
            } else if ((st = put_sized(s, v, enc == E_S8 ? 1 : 2,
                                       src == S_URL || src == S_RECOVERY || src == S_GLOB, fn, err)) !=
                       LPSP_OK) {
                return st;
            }
            break;
        case E_BOOL: lpsp_sink_be(s, int_of(f, src), 1); break;
        case E_U8:
        case E_U16:
        case E_U32:
        case E_U64: {
            size_t w = enc == E_U8 ? 1 : enc == E_U16 ? 2 : enc == E_U32 ? 4 : 8;
            if (src == S_LEVEL) {
                if (f->compression_level < 0)
                    return lpsp_fail(err, LPSP_E_OVERFLOW, 0, fn,
                                     "negative compression level cannot be signed (u32, QK-32)");
                x = (uint64_t)f->compression_level;
            } else {
                x = int_of(f, src);
            }
            if (w < 8 && x >> (8 * w))
                return lpsp_fail(err, LPSP_E_OVERFLOW, 0, fn,
                                 src == S_PARTID && w == 1 ? "part id >= 256 does not fit its u8 (QK-31)"
                                                           : "value does not fit its fixed width");
            lpsp_sink_be(s, x, w);
            break;
        }
        }
    }
    return LPSP_OK;
}

lpsp_status lpsp_hmac_to_sign_size(const lpsp_auth_fields *f, size_t *size, lpsp_error *err)
{
    return lpsp_size_of(lpsp_hmac_to_sign(f, NULL, 0, size, err));
}

lpsp_status lpsp_hmac_to_sign(const lpsp_auth_fields *f, uint8_t *buf, size_t cap, size_t *written,
                              lpsp_error *err)
{
    return lpsp_write(to_sign_walk, f, buf, cap, written, err);
}

/* ------------------------------------------------------------------ keys */

lpsp_status lpsp_hmac_secret_decode(const uint8_t *text, size_t n, uint8_t out[LPSP_HMAC_SECRET_LEN],
                                    lpsp_error *err)
{
    lpsp_b64_lenient d;
    uint8_t chunk[64];
    lpsp_b64_lenient_init(&d, out, LPSP_HMAC_SECRET_LEN);
    for (size_t i = 0; i < n;) {
        size_t k = 0;
        for (; k < sizeof chunk && i < n; k++, i++)
            chunk[k] = text[i] == '-' ? '+' : text[i] == '_' ? '/' : text[i];
        lpsp_b64_lenient_feed(&d, chunk, k);
    }
    lpsp_b64_lenient_feed(&d, (const uint8_t *)"==", 2);
    size_t len = 0;
    lpsp_status st = lpsp_b64_lenient_finish(&d, &len, NULL);
    if (st == LPSP_E_BAD_BASE64)
        return lpsp_fail(err, st, d.non_ascii ? d.bad_offset : n, "secret", "secret is not base64");
    if (st != LPSP_OK || len != LPSP_HMAC_SECRET_LEN)
        return lpsp_fail(err, LPSP_E_FIELD_SIZE, 0, "secret", "secret does not decode to 64 bytes");
    return LPSP_OK;
}

/* What lpsp_hmac_key.ctx points at: SHA-512 after the key block XOR ipad
 * (inner) and XOR opad (outer). Read-only once keyed. */
typedef struct {
    SHA512_CTX inner, outer;
} hmac_state;

#define SHA512_BLOCK 128

/* SHA-512 of one padded key block into c. */
static int key_block(SHA512_CTX *c, const uint8_t *secret, size_t len, uint8_t pad)
{
    uint8_t block[SHA512_BLOCK];
    memset(block, pad, sizeof block);
    for (size_t i = 0; i < len; i++) block[i] ^= secret[i];
    int ok = SHA512_Init(c) && SHA512_Update(c, block, sizeof block);
    OPENSSL_cleanse(block, sizeof block);
    return ok;
}

lpsp_status lpsp_hmac_key_init(lpsp_hmac_key *k, const uint8_t *secret, size_t len, lpsp_error *err)
{
    k->mac = k->ctx = NULL;
    if (len != LPSP_HMAC_SECRET_LEN || !secret)
        return lpsp_fail(err, LPSP_E_FIELD_SIZE, 0, "secret", "secret must be 64 bytes");
    _Static_assert(LPSP_HMAC_SECRET_LEN <= SHA512_BLOCK, "the secret is used as the key block unhashed");
    hmac_state *h = OPENSSL_malloc(sizeof *h);
    if (!h || !key_block(&h->inner, secret, len, 0x36) || !key_block(&h->outer, secret, len, 0x5c)) {
        OPENSSL_clear_free(h, sizeof *h);
        return lpsp_fail(err, LPSP_E_CRYPTO, 0, NULL, "HMAC-SHA-512 setup failed");
    }
    k->ctx = h;
    return LPSP_OK;
}

void lpsp_hmac_key_free(lpsp_hmac_key *k)
{
    OPENSSL_clear_free(k->ctx, sizeof(hmac_state));
    k->mac = k->ctx = NULL;
}

lpsp_status lpsp_hmac_code(const lpsp_hmac_key *k, const lpsp_auth_fields *f,
                           uint8_t code[LPSP_HMAC_CODE_LEN], lpsp_error *err)
{
    if (!k->ctx) return lpsp_fail(err, LPSP_E_INVALID_ARGUMENT, 0, NULL, "HMAC key not initialised");
    const hmac_state *h = k->ctx;
    hmac_state c = *h; /* the keyed states, copied: k stays read-only */
    uint8_t stash[1024], inner[SHA512_DIGEST_LENGTH];
    lpsp_sink s;
    lpsp_sink_digest(&s, lpsp_feed_sha512, &c.inner, stash, sizeof stash);
    lpsp_status st = to_sign_walk(f, &s, err);
    if (st == LPSP_OK) st = lpsp_sink_end(&s, err);
    if (st == LPSP_OK && !(SHA512_Final(inner, &c.inner) && SHA512_Update(&c.outer, inner, sizeof inner) &&
                           SHA512_Final(code, &c.outer)))
        st = lpsp_fail(err, LPSP_E_CRYPTO, 0, NULL, "HMAC-SHA-512 failed");
    OPENSSL_cleanse(&c, sizeof c);
    OPENSSL_cleanse(inner, sizeof inner);
    return st;
}

/* ---------------------------------------------------------------- header */

static size_t dec_u64(uint64_t v, char out[20])
{
    char tmp[20];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++) out[i] = tmp[n - 1 - i];
    return n;
}

/* The header's own checks and size; with validate, also every check of the
 * to_sign fields, so that a size query refuses what signing refuses
 * (signing itself validates them while computing the code). */
static lpsp_status header_check(const lpsp_auth_fields *f, int validate, size_t *size, lpsp_error *err)
{
    if (f->nonce.len > 255) return lpsp_fail(err, LPSP_E_OVERFLOW, 0, "nonce", "longer than 255 bytes");
    if (f->nonce.len && (!f->nonce.ptr || memchr(f->nonce.ptr, ':', f->nonce.len)))
        return lpsp_fail(err, LPSP_E_INVALID_ARGUMENT, 0, "nonce", "nonce must not contain ':'");
    size_t ts_size;
    lpsp_status st = validate ? lpsp_hmac_to_sign_size(f, &ts_size, err) : LPSP_OK;
    if (st != LPSP_OK) return st;
    char d[20];
    *size = 7 + dec_u64(f->timestamp, d) + 1 + f->nonce.len + 1 + 88;
    return LPSP_OK;
}

lpsp_status lpsp_hmac_header_size(const lpsp_auth_fields *f, size_t *size, lpsp_error *err)
{
    return header_check(f, 1, size, err);
}

lpsp_status lpsp_hmac_sign(const lpsp_hmac_key *k, const lpsp_auth_fields *f, char *buf, size_t cap,
                           size_t *written, lpsp_error *err)
{
    size_t need = 0;
    lpsp_status st = header_check(f, 0, &need, err);
    /* too small: the size query's answer, refusals of the to_sign fields first */
    if (st == LPSP_OK && lpsp_room(need, buf, cap, NULL, NULL) != LPSP_OK)
        st = header_check(f, 1, &need, err);
    if (st == LPSP_OK) st = lpsp_room(need, buf, cap, written, err);
    if (st != LPSP_OK) return st;
    uint8_t code[LPSP_HMAC_CODE_LEN];
    if ((st = lpsp_hmac_code(k, f, code, err)) != LPSP_OK) return st;
    lpsp_sink s;
    char d[20];
    lpsp_sink_buf(&s, (uint8_t *)buf, cap);
    lpsp_sink_put(&s, "X-HMAC ", 7);
    lpsp_sink_put(&s, d, dec_u64(f->timestamp, d));
    lpsp_sink_put(&s, ":", 1);
    lpsp_sink_put(&s, f->nonce.ptr, f->nonce.len);
    lpsp_sink_put(&s, ":", 1);
    size_t n;
    st = lpsp_sink_end(&s, err);
    if (st == LPSP_OK) st = lpsp_b64_encode(code, sizeof code, buf + s.fill, cap - s.fill, &n, err);
    OPENSSL_cleanse(code, sizeof code);
    return st;
}

/* ----------------------------------------------------------- verification */

static const uint8_t *find_colon(const uint8_t *p, const uint8_t *end)
{
    return p < end ? memchr(p, ':', (size_t)(end - p)) : NULL;
}

lpsp_status lpsp_hmac_parse_token(const uint8_t *auth, size_t len, int present, int64_t now,
                                  uint64_t lifetime, lpsp_hmac_token *tok, lpsp_error *err)
{
    memset(tok, 0, sizeof *tok);
    if (!present) return lpsp_fail(err, LPSP_E_UNAUTHORIZED, 0, "authorization", "no authorization");
    if (!auth || len < 7 || memcmp(auth, "X-HMAC ", 7) != 0)
        return lpsp_fail(err, LPSP_E_FORBIDDEN, 0, "authorization", "does not start with \"X-HMAC \"");
    const uint8_t *end = auth + len, *ts = auth + 7;
    const uint8_t *c1 = find_colon(ts, end);
    if (!c1) return lpsp_fail(err, LPSP_E_FORBIDDEN, len, "authorization", "no ':' after the timestamp");
    lpsp_status st = lpsp_py_int_parse(ts, (size_t)(c1 - ts), &tok->timestamp, NULL);
    if (st != LPSP_OK)
        return lpsp_fail(err, LPSP_E_FORBIDDEN, 7, "authorization",
                         st == LPSP_E_OVERFLOW ? "timestamp outside int64" : "timestamp is not an integer");
    uint64_t diff = now >= tok->timestamp ? (uint64_t)now - (uint64_t)tok->timestamp
                                          : (uint64_t)tok->timestamp - (uint64_t)now;
    if (diff > lifetime)
        return lpsp_fail(err, LPSP_E_FORBIDDEN, 7, "authorization", "timestamp outside the token lifetime");
    const uint8_t *c2 = find_colon(c1 + 1, end);
    if (!c2) return lpsp_fail(err, LPSP_E_FORBIDDEN, len, "authorization", "no ':' after the nonce");
    tok->nonce.ptr = c1 + 1;
    tok->nonce.len = (size_t)(c2 - (c1 + 1));
    lpsp_b64_lenient d;
    size_t n = 0;
    lpsp_b64_lenient_init(&d, tok->code, sizeof tok->code);
    lpsp_b64_lenient_feed(&d, c2 + 1, (size_t)(end - (c2 + 1)));
    lpsp_b64_lenient_feed(&d, (const uint8_t *)"==", 2);
    st = lpsp_b64_lenient_finish(&d, &n, NULL);
    if (st == LPSP_E_BAD_BASE64)
        return lpsp_fail(err, LPSP_E_FORBIDDEN, (size_t)(c2 + 1 - auth), "authorization",
                         "code is not ASCII base64");
    if (st != LPSP_OK || n != LPSP_HMAC_CODE_LEN)
        return lpsp_fail(err, LPSP_E_FORBIDDEN, (size_t)(c2 + 1 - auth), "authorization",
                         "code is not 64 bytes");
    return LPSP_OK;
}

lpsp_status lpsp_hmac_verify(const lpsp_hmac_key *k, const lpsp_auth_fields *f, const uint8_t *auth,
                             size_t len, int present, int64_t now, uint64_t lifetime,
                             lpsp_hmac_token *tok, lpsp_error *err)
{
    lpsp_hmac_token local;
    lpsp_hmac_token *t = tok ? tok : &local;
    lpsp_status st = lpsp_hmac_parse_token(auth, len, present, now, lifetime, t, err);
    if (st != LPSP_OK) return st;
    if (t->timestamp < 0)
        return lpsp_fail(err, LPSP_E_FORBIDDEN, 7, "authorization", "negative timestamp cannot be signed");
    if (t->nonce.len > 255)
        return lpsp_fail(err, LPSP_E_FORBIDDEN, (size_t)(t->nonce.ptr - auth), "authorization",
                         "nonce longer than 255 bytes (QK-33)");
    if (!lpsp__utf8_ok(t->nonce))
        return lpsp_fail(err, LPSP_E_FORBIDDEN, (size_t)(t->nonce.ptr - auth), "authorization",
                         "nonce is not UTF-8");
    lpsp_auth_fields g = *f;
    g.timestamp = (uint64_t)t->timestamp;
    g.nonce = t->nonce;
    uint8_t code[LPSP_HMAC_CODE_LEN];
    if ((st = lpsp_hmac_code(k, &g, code, err)) != LPSP_OK) return st;
    int eq = CRYPTO_memcmp(code, t->code, sizeof code) == 0;
    OPENSSL_cleanse(code, sizeof code);
    if (!eq) return lpsp_fail(err, LPSP_E_FORBIDDEN, 0, "authorization", "HMAC code does not match");
    return LPSP_OK;
}

/* ------------------------------------------------------------------ Bearer */

static int all_ascii(const uint8_t *p, size_t n)
{
    unsigned acc = 0;
    for (size_t i = 0; i < n; i++) acc |= p[i];
    return acc < 0x80;
}

lpsp_status lpsp_bearer_format(const uint8_t *token, size_t n, char *buf, size_t cap, size_t *written,
                               lpsp_error *err)
{
    if ((!token && n) || !all_ascii(token, n))
        return lpsp_fail(err, LPSP_E_INVALID_ARGUMENT, 0, "token", "token must be ASCII (QK-36)");
    if (n > SIZE_MAX - 7) return lpsp_fail(err, LPSP_E_INVALID_ARGUMENT, 0, "token", "too long");
    lpsp_status st = lpsp_room(7 + n, buf, cap, written, err);
    if (st != LPSP_OK) return st;
    memcpy(buf, "Bearer ", 7);
    if (n) memcpy(buf + 7, token, n);
    return LPSP_OK;
}

lpsp_status lpsp_bearer_check(const uint8_t *token, size_t tlen, const uint8_t *auth, size_t alen,
                              int present, lpsp_error *err)
{
    if ((!token && tlen) || !all_ascii(token, tlen))
        return lpsp_fail(err, LPSP_E_INVALID_ARGUMENT, 0, "token", "configured token must be ASCII");
    if (!present) return lpsp_fail(err, LPSP_E_UNAUTHORIZED, 0, "authorization", "no authorization");
    if ((!auth && alen) || !all_ascii(auth, alen))
        return lpsp_fail(err, LPSP_E_FORBIDDEN, 0, "authorization", "authorization is not ASCII (QK-36)");
    if (alen != 7 + tlen) return lpsp_fail(err, LPSP_E_FORBIDDEN, 0, "authorization", "wrong token");
    int diff = CRYPTO_memcmp(auth, "Bearer ", 7) | (tlen ? CRYPTO_memcmp(auth + 7, token, tlen) : 0);
    if (diff) return lpsp_fail(err, LPSP_E_FORBIDDEN, 0, "authorization", "wrong token");
    return LPSP_OK;
}
