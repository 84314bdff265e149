/* The public API at its edges: NULL arguments (with and without a length),
 * NULL outputs, size queries, unknown kinds and types, caller values the
 * serializers must refuse (each against a base message that serializes),
 * and the signer's batching at its boundary. Expected values come from the
 * documented conventions (lpsp/common.h, the per-function comments) and the
 * spec's layouts. */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdint.h>

#include "fixtures.h"
#include "lpsp.h"
#include "test.h"

static const lpsp_view NULLV = {NULL, 0};
static const lpsp_view NULL3 = {NULL, 3};

static void check_refused(lpsp_status st, const lpsp_error *e, lpsp_status want, const char *field)
{
    CHECK_EQ_INT(st, want);
    CHECK_EQ_INT(e->status, want);
    if (field) CHECK(e->field && strcmp(e->field, field) == 0);
}

/* The base message m with one change (stmt, made to bad) is refused by
 * size_fn as an invalid argument in field. bad keeps the change. */
#define REFUSED(size_fn, stmt, field)                                                                        \
    do {                                                                                                     \
        bad = m;                                                                                             \
        stmt;                                                                                                \
        check_refused(size_fn(&bad, &e), &e, LPSP_E_INVALID_ARGUMENT, (field));                              \
    } while (0)

/* ------------------------------------------------------------ names */

static void test_names(void)
{
    CHECK_EQ_INT(lpsp_auth_kind_from_name(NULL), 0);
    CHECK_EQ_INT(lpsp_auth_kind_from_name("NO_SUCH_KIND"), 0);
    CHECK(lpsp_sl_body_name((lpsp_sl_body)(LPSP_SL_BODY_MAX + 1)) == NULL);
    CHECK(lpsp_sl_body_name(LPSP_SL_NONE) == NULL);
    CHECK_EQ_INT(lpsp_sl_body_from_name(NULL), LPSP_SL_NONE);
    CHECK(lpsp_type_name((lpsp_direction)2, 1) == NULL);
    CHECK(lpsp_type_name(LPSP_B2S, LPSP_B2S_MAX + 1) == NULL);
    CHECK_EQ_INT(lpsp_type_from_name((lpsp_direction)2, "NOTIFY"), 0);
    CHECK_EQ_INT(lpsp_type_from_name(LPSP_S2B, NULL), 0);
    CHECK(lpsp_header_name(LPSP_S2B, 0, 0) == NULL);
    CHECK(lpsp_header_name(LPSP_B2S, LPSP_B2S_MAX + 1, 0) == NULL);
    CHECK(lpsp_header_name(LPSP_S2B, LPSP_S2B_SUBSCRIBE_EXACT, 3) == NULL);
    CHECK(strcmp(lpsp_header_name(LPSP_S2B, LPSP_S2B_SUBSCRIBE_EXACT, 2), "x-topic") == 0);
}

/* ------------------------------------------------------------ auth */

static uint8_t SECRET[64];

static void test_auth_arguments(void)
{
    lpsp_error e;
    size_t size = 0, w = 0;
    uint8_t buf[128];
    lpsp_auth_fields f = fixture_subscribe_exact();

    /* NULL nonce/tracing: empty when the length is 0, refused otherwise */
    CHECK_EQ_INT(lpsp_hmac_to_sign_size(&f, &size, &e), LPSP_OK);
    size_t with_nonce = size;
    f.nonce = NULLV;
    CHECK_EQ_INT(lpsp_hmac_to_sign_size(&f, &size, &e), LPSP_OK);
    CHECK_EQ_INT(size, with_nonce - 6);
    f.tracing = NULLV;
    CHECK_EQ_INT(lpsp_hmac_to_sign(&f, buf, sizeof buf, &w, &e), LPSP_OK);
    CHECK_EQ_INT(w, size);
    CHECK_EQ_INT(buf[9], 0); /* s8 nonce: empty */
    f.nonce = NULL3;
    check_refused(lpsp_hmac_to_sign_size(&f, &size, &e), &e, LPSP_E_INVALID_ARGUMENT, NULL);
    check_refused(lpsp_hmac_header_size(&f, &size, &e), &e, LPSP_E_INVALID_ARGUMENT, "nonce");
    f.nonce = S("abcdef");
    f.tracing = NULL3;
    check_refused(lpsp_hmac_to_sign_size(&f, &size, &e), &e, LPSP_E_INVALID_ARGUMENT, NULL);
    f.tracing = NULLV;
    f.topic = NULL3;
    check_refused(lpsp_hmac_to_sign_size(&f, &size, &e), &e, LPSP_E_INVALID_ARGUMENT, "topic");
    f.topic = NULLV; /* an empty topic */
    CHECK_EQ_INT(lpsp_hmac_to_sign_size(&f, &size, &e), LPSP_OK);

    /* unknown kind: the writer refuses it as the size query does */
    f = fixture_subscribe_exact();
    f.kind = LPSP_AUTH_KIND_MAX + 1;
    check_refused(lpsp_hmac_to_sign(&f, buf, sizeof buf, &w, &e), &e, LPSP_E_INVALID_ARGUMENT, "kind");
    /* a size query through the writer: (NULL, 0) */
    f = fixture_subscribe_exact();
    CHECK_EQ_INT(lpsp_hmac_to_sign(&f, NULL, 0, NULL, &e), LPSP_E_BUFFER_TOO_SMALL);

    /* STATEFUL_CONFIGURE with both booleans false: two zero bytes */
    uint8_t nonce[32] = {0};
    memset(&f, 0, sizeof f);
    f.kind = LPSP_AUTH_STATEFUL_CONFIGURE;
    f.subscriber_nonce = V(nonce, 32);
    f.initial_dict = 7;
    CHECK_EQ_INT(lpsp_hmac_to_sign(&f, buf, sizeof buf, &w, &e), LPSP_OK);
    /* u8 kind, u64 ts, s8 nonce, s16 tracing, s8 subscriber nonce, bool, bool, u16 */
    CHECK_EQ_INT(w, 1 + 8 + 1 + 2 + 1 + 32 + 1 + 1 + 2);
    CHECK_EQ_INT(buf[w - 4], 0);
    CHECK_EQ_INT(buf[w - 3], 0);
    CHECK_EQ_INT(buf[w - 1], 7);

    /* keys */
    lpsp_hmac_key k;
    check_refused(lpsp_hmac_key_init(&k, NULL, 64, &e), &e, LPSP_E_FIELD_SIZE, "secret");
    CHECK(k.mac == NULL && k.ctx == NULL);
    lpsp_hmac_key_free(&k); /* freeing a key that failed to initialise is fine */
    uint8_t code[64];
    f = fixture_subscribe_exact();
    check_refused(lpsp_hmac_code(&k, &f, code, &e), &e, LPSP_E_INVALID_ARGUMENT, NULL);
    char hdr[LPSP_HMAC_HEADER_MAX];
    check_refused(lpsp_hmac_sign(&k, &f, hdr, sizeof hdr, &w, &e), &e, LPSP_E_INVALID_ARGUMENT, NULL);

    /* tokens */
    lpsp_hmac_token tok;
    check_refused(lpsp_hmac_parse_token(NULL, 0, 1, 0, 60, &tok, &e), &e, LPSP_E_FORBIDDEN, "authorization");
    check_refused(lpsp_hmac_parse_token(NULL, 0, 0, 0, 60, &tok, &e), &e, LPSP_E_UNAUTHORIZED,
                  "authorization");
}

/* A token whose nonce is not UTF-8 is refused before any code is computed
 * (the nonce is signed as text). */
static void test_verify_nonce_utf8(void)
{
    lpsp_hmac_key k;
    lpsp_error e;
    CHECK_EQ_INT(lpsp_hmac_key_init(&k, SECRET, 64, &e), LPSP_OK);
    lpsp_auth_fields f = fixture_subscribe_exact();
    /* timestamp, a two-byte nonce that is not UTF-8, 86 base64 characters (64 bytes) */
    char tok[128];
    memcpy(tok, "X-HMAC 1700000000:\xff\xfe:", 21);
    memset(tok + 21, 'A', 86);
    tok[107] = 0;
    check_refused(lpsp_hmac_verify(&k, &f, (const uint8_t *)tok, strlen(tok), 1, 1700000000, 60, NULL, &e),
                  &e, LPSP_E_FORBIDDEN, "authorization");
    CHECK_EQ_INT(e.offset, 18);
    lpsp_hmac_key_free(&k);
}

/* The signer batches small fields before feeding the MAC; a field that
 * does not fit the rest of the batch but fits an empty one goes through
 * the batch after a flush. The code equals a one-shot HMAC of the §10.2
 * to_sign layout. */
static void test_hmac_batch_boundary(void)
{
    lpsp_hmac_key k;
    lpsp_error e;
    CHECK_EQ_INT(lpsp_hmac_key_init(&k, SECRET, 64, &e), LPSP_OK);
    static uint8_t tracing[1020];
    for (size_t len = 990; len <= sizeof tracing; len += 5) {
        for (size_t i = 0; i < len; i++)
            tracing[i] = (uint8_t)(i ^ len);
        lpsp_auth_fields f = fixture_subscribe_exact();
        f.tracing = V(tracing, len);
        uint8_t doc[2048], *p = doc;
        *p++ = LPSP_AUTH_SUBSCRIBE_EXACT;
        for (int i = 7; i >= 0; i--)
            *p++ = (uint8_t)(f.timestamp >> (8 * i));
        *p++ = 6;
        memcpy(p, "abcdef", 6);
        p += 6;
        *p++ = (uint8_t)(len >> 8);
        *p++ = (uint8_t)len;
        memcpy(p, tracing, len);
        p += len;
        *p++ = 0;
        *p++ = (uint8_t)f.url.len;
        memcpy(p, f.url.ptr, f.url.len);
        p += f.url.len;
        *p++ = 0;
        *p++ = 0; /* recovery */
        *p++ = 0;
        *p++ = 7;
        memcpy(p, "foo/bar", 7);
        p += 7;
        uint8_t want[64], code[64];
        unsigned int wl = 0;
        HMAC(EVP_sha512(), SECRET, 64, doc, (size_t)(p - doc), want, &wl);
        CHECK_EQ_INT(lpsp_hmac_code(&k, &f, code, &e), LPSP_OK);
        CHECK_MEM(code, 64, want, wl);
    }
    lpsp_hmac_key_free(&k);
}

static void test_bearer_arguments(void)
{
    lpsp_error e;
    char buf[16];
    size_t w = 99;
    /* an empty token, NULL or not */
    CHECK_EQ_INT(lpsp_bearer_format(NULL, 0, buf, sizeof buf, &w, &e), LPSP_OK);
    CHECK_MEM(buf, w, "Bearer ", 7);
    CHECK_EQ_INT(lpsp_bearer_format((const uint8_t *)"", 0, buf, sizeof buf, NULL, &e), LPSP_OK);
    check_refused(lpsp_bearer_format(NULL, 3, buf, sizeof buf, &w, &e), &e, LPSP_E_INVALID_ARGUMENT, "token");
    CHECK_EQ_INT(lpsp_bearer_format((const uint8_t *)"tok", 3, NULL, 0, &w, &e), LPSP_E_BUFFER_TOO_SMALL);
    CHECK_EQ_INT(w, 10);

    CHECK_EQ_INT(lpsp_bearer_check(NULL, 0, (const uint8_t *)"Bearer ", 7, 1, &e), LPSP_OK);
    check_refused(lpsp_bearer_check(NULL, 2, (const uint8_t *)"Bearer ab", 9, 1, &e), &e,
                  LPSP_E_INVALID_ARGUMENT, "token");
    check_refused(lpsp_bearer_check((const uint8_t *)"ab", 2, NULL, 9, 1, &e), &e, LPSP_E_FORBIDDEN,
                  "authorization");
    check_refused(lpsp_bearer_check((const uint8_t *)"ab", 2, NULL, 0, 1, &e), &e, LPSP_E_FORBIDDEN,
                  "authorization");
    check_refused(lpsp_bearer_check(NULL, 0, NULL, 0, 1, &e), &e, LPSP_E_FORBIDDEN, "authorization");
    check_refused(lpsp_bearer_check(NULL, 0, NULL, 0, 0, &e), &e, LPSP_E_UNAUTHORIZED, "authorization");
}

/* ------------------------------------------------------------ base64 */

static void test_b64_arguments(void)
{
    lpsp_error e;
    size_t w = 0;
    char out[8];
    /* a length whose encoding would not fit size_t is refused before any
     * byte is read */
    static const uint8_t one = 0;
    check_refused(lpsp_b64_encode(&one, SIZE_MAX, out, sizeof out, &w, &e), &e, LPSP_E_INVALID_ARGUMENT,
                  NULL);
    /* lenient decoding as a size query: no output buffer */
    size_t len = 0;
    CHECK_EQ_INT(lpsp_b64_decode_lenient((const uint8_t *)"YWJj", 4, NULL, 0, &len, &e),
                 LPSP_E_BUFFER_TOO_SMALL);
    CHECK_EQ_INT(len, 3);
    CHECK_EQ_INT(lpsp_b64_decode_lenient((const uint8_t *)"YWJj", 4, NULL, 100, &len, &e),
                 LPSP_E_BUFFER_TOO_SMALL);
    uint8_t dec[4];
    CHECK_EQ_INT(lpsp_b64_decode_lenient((const uint8_t *)"YWJj", 4, dec, sizeof dec, NULL, &e), LPSP_OK);
    CHECK_MEM(dec, 3, "abc", 3);
}

/* ------------------------------------------------------------ session */

static const char NONCE_B64[] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

static void test_session_arguments(void)
{
    lpsp_error e;
    uint8_t n32[32] = {0}, out[32];
    check_refused(lpsp_connection_nonce(V(NULL, 32), V(n32, 32), out, &e), &e, LPSP_E_FIELD_SIZE,
                  "subscriber_nonce");
    check_refused(lpsp_connection_nonce(V(n32, 32), V(NULL, 32), out, &e), &e, LPSP_E_FIELD_SIZE,
                  "broadcaster_nonce");
    char url[80];
    size_t w = 0;
    check_refused(lpsp_ws_url_format(NULL, 44, 1, url, sizeof url, &w, &e), &e, LPSP_E_INVALID_ARGUMENT,
                  "nonce_b64");
    check_refused(lpsp_ws_url_parse(NULL, 0, NULL, NULL, NULL, &e), &e, LPSP_E_INVALID_VALUE, "url");
    /* every output is optional */
    CHECK_EQ_INT(lpsp_ws_url_format((const uint8_t *)NONCE_B64, 44, -26, url, sizeof url, &w, &e), LPSP_OK);
    CHECK_MEM(url, w,
              "websocket:"
              "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=:-1a",
              58);
    CHECK_EQ_INT(lpsp_ws_url_parse((const uint8_t *)url, w, NULL, NULL, NULL, &e), LPSP_OK);
    int64_t ctr = 0;
    CHECK_EQ_INT(lpsp_ws_url_parse((const uint8_t *)url, w, NULL, out, &ctr, &e), LPSP_OK);
    CHECK_EQ_INT(ctr, -26);
    for (int i = 0; i < 32; i++)
        CHECK_EQ_INT(out[i], i);
}

/* ------------------------------------------------------------ etag */

static void test_etag_arguments(void)
{
    lpsp_error e;
    size_t n = 0, w = 0;
    uint8_t doc[64];
    lpsp_sl_entry ex[1] = {{S("t"), 0, S("")}};
    check_refused(lpsp_etag_document_size(V("\xff", 1), ex, 1, NULL, 0, 1, &n, &e), &e, LPSP_E_BAD_UTF8,
                  "url");
    check_refused(lpsp_etag_document(V("\xff", 1), ex, 1, NULL, 0, 1, doc, sizeof doc, &w, &e), &e,
                  LPSP_E_BAD_UTF8, "url");
    CHECK_EQ_INT(lpsp_etag_document(S("u"), ex, 1, NULL, 0, 1, NULL, 0, NULL, &e), LPSP_E_BUFFER_TOO_SMALL);
    CHECK_EQ_INT(lpsp_etag_document(S("u"), ex, 1, NULL, 0, 1, doc, sizeof doc, &w, &e), LPSP_OK);
    /* "URL" 00 01 'u' "\nEXACT" 00 01 't' 00 00 "\nGLOB" "\n" */
    CHECK_MEM(doc, w, "URL\0\1u\nEXACT\0\1t\0\0\nGLOB\n", 23);
}

/* ------------------------------------------------------------ stateless */

static lpsp_status sl_size(const lpsp_sl_msg *m, lpsp_error *e)
{
    size_t n = 0;
    return lpsp_sl_serialized_size(m, &n, e);
}

static void test_stateless_arguments(void)
{
    lpsp_error e;
    lpsp_sl_msg m;
    uint8_t buf[256];
    size_t w = 0;

    check_refused(lpsp_sl_parse(LPSP_SL_MISSED, NULL, 5, 0, &m, &e), &e, LPSP_E_INVALID_ARGUMENT, NULL);
    /* NULL with no length is the empty body: cut short */
    check_refused(lpsp_sl_parse(LPSP_SL_MISSED, NULL, 0, 0, &m, &e), &e, LPSP_E_TRUNCATED, "tracing");
    check_refused(lpsp_sl_parse(LPSP_SL_NONE, buf, 0, 0, &m, &e), &e, LPSP_E_INVALID_ARGUMENT, NULL);

    /* unknown body */
    lpsp_sl_msg_init(&m, (lpsp_sl_body)(LPSP_SL_BODY_MAX + 1));
    check_refused(sl_size(&m, &e), &e, LPSP_E_INVALID_ARGUMENT, NULL);
    check_refused(lpsp_sl_serialize(&m, buf, sizeof buf, &w, &e), &e, LPSP_E_INVALID_ARGUMENT, NULL);

    /* NULL views: empty with no length, refused with one */
    lpsp_sl_msg_init(&m, LPSP_SL_MISSED);
    m.tracing = NULLV;
    m.topic = S("t");
    CHECK_EQ_INT(lpsp_sl_serialize(&m, buf, sizeof buf, &w, &e), LPSP_OK);
    CHECK_MEM(buf, w, "\0\0\0\1t", 5);
    m.tracing = NULL3;
    check_refused(sl_size(&m, &e), &e, LPSP_E_INVALID_ARGUMENT, "tracing");

    /* a message length that cannot be added to the size (refused before
     * a byte of it is read) */
    uint8_t sha[64];
    lpsp_sl_msg_init(&m, LPSP_SL_RECEIVE);
    m.message = V(sha, SIZE_MAX - 4);
    check_refused(sl_size(&m, &e), &e, LPSP_E_INVALID_ARGUMENT, NULL);
}

/* SET_SUBSCRIPTIONS entries the serializer refuses; the base message
 * serializes. */
static void test_set_subscriptions_refusals(void)
{
    lpsp_error e;
    lpsp_sl_entry ex[2] = {{S("a"), 0, S("")}, {S("b"), 1, S("r")}};
    lpsp_sl_entry gl[2] = {{S("x/*"), 0, S("")}, {S("y/*"), 0, S("")}};
    uint8_t etag[64];
    CHECK_EQ_INT(lpsp_etag_compute(S("u"), ex, 2, gl, 2, 1, etag, &e), LPSP_OK);
    lpsp_sl_msg m;
    lpsp_sl_msg_init(&m, LPSP_SL_SET_SUBSCRIPTIONS);
    m.url = S("u");
    m.etag = V(etag, 64);
    m.exact = ex;
    m.n_exact = 2;
    m.globs = gl;
    m.n_globs = 2;
    CHECK_EQ_INT(sl_size(&m, &e), LPSP_OK);

    lpsp_sl_msg bad;
    REFUSED(sl_size, bad.n_exact = (size_t)UINT32_MAX + 1, "exact");
    REFUSED(sl_size, bad.n_globs = (size_t)UINT32_MAX + 1, "exact");
    REFUSED(sl_size, bad.exact = NULL, "exact");
    REFUSED(sl_size, bad.globs = NULL, "exact");
    /* no entries at all needs no arrays */
    bad = m;
    bad.exact = bad.globs = NULL;
    bad.n_exact = bad.n_globs = 0;
    CHECK_EQ_INT(lpsp_etag_compute(S("u"), NULL, 0, NULL, 0, 1, etag, &e), LPSP_OK);
    CHECK_EQ_INT(sl_size(&bad, &e), LPSP_OK);
    CHECK_EQ_INT(lpsp_etag_compute(S("u"), ex, 2, gl, 2, 1, etag, &e), LPSP_OK);

    lpsp_sl_entry ex_bad[2] = {{S("b"), 0, S("")}, {S("a"), 0, S("")}};
    lpsp_sl_entry gl_bad[2] = {{S("y/*"), 0, S("")}, {S("x/*"), 0, S("")}};
    lpsp_sl_entry gl_utf8[1] = {{V("\xc3\x28", 2), 0, S("")}};
    lpsp_sl_entry rec_utf8[1] = {{S("a"), 1, V("\xed\xa0\x80", 3)}};
    REFUSED(sl_size, bad.exact = ex_bad, "topic");
    REFUSED(sl_size, bad.globs = gl_bad, "glob");
    REFUSED(sl_size, bad.globs = gl_utf8; bad.n_globs = 1, "glob");
    REFUSED(sl_size, bad.exact = rec_utf8; bad.n_exact = 1, "recovery");
}

/* ------------------------------------------------------------ stateful */

static lpsp_status sf_size(const lpsp_msg *m, lpsp_error *e)
{
    size_t n = 0;
    return lpsp_serialized_size(m, 1, &n, e);
}

static void sha512(const void *p, size_t n, uint8_t out[64])
{
    unsigned int l = 0;
    EVP_Digest(p, n, out, &l, EVP_sha512(), NULL);
}

static void test_stateful_refusals(void)
{
    lpsp_error e;
    lpsp_msg m, bad;
    uint8_t buf[512];
    size_t w = 0;

    /* unknown type */
    lpsp_msg_init(&m, LPSP_S2B, 0, LPSP_VARIANT_NONE);
    check_refused(sf_size(&m, &e), &e, LPSP_E_INVALID_ARGUMENT, "type");
    lpsp_msg_init(&m, (lpsp_direction)2, 1, LPSP_VARIANT_NONE);
    check_refused(sf_size(&m, &e), &e, LPSP_E_INVALID_ARGUMENT, "type");

    /* SUBSCRIBE_GLOB: NULL glob */
    lpsp_msg_init(&m, LPSP_S2B, LPSP_S2B_SUBSCRIBE_GLOB, LPSP_VARIANT_NONE);
    m.glob = S("a/*");
    CHECK_EQ_INT(sf_size(&m, &e), LPSP_OK);
    REFUSED(sf_size, bad.glob = NULL3, "x-glob");
    bad.glob = NULLV;
    CHECK_EQ_INT(lpsp_serialize(&bad, 1, buf, sizeof buf, &w, &e), LPSP_OK);
    /* flags, type, then three minimal headers: authorization, tracing, glob, all empty */
    CHECK_MEM(buf, w, "\0\1\0\3\0\0\0\0\0\0", 10);
    REFUSED(sf_size, bad.has_authorization = 1; bad.authorization = NULL3, "authorization");
    bad.authorization = NULLV;
    CHECK_EQ_INT(sf_size(&bad, &e), LPSP_OK);
    REFUSED(sf_size, bad.variant = LPSP_VARIANT_UNCOMPRESSED, "variant");
    REFUSED(sf_size, bad.payload = NULL3, "payload");
    bad.payload = NULLV;
    CHECK_EQ_INT(sf_size(&bad, &e), LPSP_OK);

    /* SUBSCRIBE_EXACT: NULL topic */
    lpsp_msg_init(&m, LPSP_S2B, LPSP_S2B_SUBSCRIBE_EXACT, LPSP_VARIANT_NONE);
    m.topic = NULLV;
    CHECK_EQ_INT(sf_size(&m, &e), LPSP_OK);
    m.topic = NULL3;
    check_refused(sf_size(&m, &e), &e, LPSP_E_INVALID_ARGUMENT, "x-topic");

    /* NOTIFY: a digest of the wrong length is not the message's */
    uint8_t sha[64];
    sha512("hello", 5, sha);
    lpsp_msg_init(&m, LPSP_S2B, LPSP_S2B_NOTIFY, LPSP_VARIANT_UNCOMPRESSED);
    m.topic = S("t");
    m.payload = S("hello");
    m.sha512 = V(sha, 64);
    CHECK_EQ_INT(sf_size(&m, &e), LPSP_OK);
    REFUSED(sf_size, bad.sha512 = V(sha, 63), "x-compressed-sha512");

    /* RECEIVE_STREAM start */
    lpsp_msg_init(&m, LPSP_B2S, LPSP_B2S_RECEIVE_STREAM, LPSP_VARIANT_START_COMPRESSED);
    m.topic = S("t");
    m.compressor_id = 1;
    m.compressed_length = 5;
    m.decompressed_length = 9;
    m.payload = S("hello");
    m.sha512 = V(sha, 64);
    CHECK_EQ_INT(sf_size(&m, &e), LPSP_OK);
    REFUSED(sf_size, bad.compressor_id = 0, "x-compressor");
    REFUSED(sf_size, bad.sha512 = V(sha, 10), "x-compressed-sha512");

    /* ENABLE_ZSTD_CUSTOM: digest of the dictionary, level range */
    lpsp_msg_init(&m, LPSP_B2S, LPSP_B2S_ENABLE_ZSTD_CUSTOM, LPSP_VARIANT_NONE);
    m.zstd_identifier = 65536;
    m.compression_level = 3;
    m.payload = S("hello");
    m.sha512 = V(sha, 64);
    CHECK_EQ_INT(sf_size(&m, &e), LPSP_OK);
    REFUSED(sf_size, bad.payload = S("hellO"), "x-sha512");
    REFUSED(sf_size, bad.compression_level = -32769, "x-compression-level");
    bad.compression_level = -32768;
    CHECK_EQ_INT(sf_size(&bad, &e), LPSP_OK);

    /* minimal-mode parse failure with no error record */
    /* CONFIGURE, minimal: nonce (32 bytes), x-enable-zstd = 02 (not a
     * boolean), x-enable-training, x-initial-dict, authorization, tracing */
    uint8_t conf[64], *q = conf;
    memcpy(q, "\0\1\0\1\0\x20", 6);
    memset(q + 6, 1, 32);
    q += 38;
    memcpy(q,
           "\0\1\2"
           "\0\1\0"
           "\0\2\0\0"
           "\0\0"
           "\0\0",
           14);
    q += 14;
    CHECK_EQ_INT(lpsp_parse(LPSP_S2B, conf, (size_t)(q - conf), 0, &m, &e), LPSP_E_INVALID_VALUE);
    CHECK(e.field && strcmp(e.field, "x-enable-zstd") == 0);
    CHECK_EQ_INT(lpsp_parse(LPSP_S2B, conf, (size_t)(q - conf), 0, &m, NULL), LPSP_E_INVALID_VALUE);
}

/* ------------------------------------------------------------ Repr-Digest */

static void test_repr_digest_arguments(void)
{
    lpsp_error e;
    uint8_t d[64];
    /* NULL header value: no items */
    check_refused(lpsp_repr_digest_parse(NULL, 5, 1, d, &e), &e, LPSP_E_INVALID_VALUE, "repr-digest");
    check_refused(lpsp_repr_digest_parse(NULL, 0, 0, d, &e), &e, LPSP_E_MISSING_HEADER, "repr-digest");
}

int main(void)
{
    fixture_secret(SECRET);
    test_names();
    test_auth_arguments();
    test_verify_nonce_utf8();
    test_hmac_batch_boundary();
    test_bearer_arguments();
    test_b64_arguments();
    test_session_arguments();
    test_etag_arguments();
    test_stateless_arguments();
    test_set_subscriptions_refusals();
    test_stateful_refusals();
    test_repr_digest_arguments();
    TEST_MAIN_END();
}
