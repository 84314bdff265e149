/* The writer convention shared by every function that takes
 * (buf, cap, size_t *written) (codec/include/lpsp/common.h): with too small a
 * buffer, LPSP_E_BUFFER_TOO_SMALL, *written = the size needed, not a byte
 * written; with enough room, LPSP_OK and exactly *written bytes written.
 * Checked for every capacity from 0 to the size needed, with a NULL buffer
 * of any claimed capacity, and against each writer's size query where it
 * has one. */
#include <stdint.h>

#include "lpsp.h"
#include "test.h"

static lpsp_view V(const void *p, size_t n)
{
    lpsp_view v = {(const uint8_t *)p, n};
    return v;
}
static lpsp_view S(const char *s) { return V(s, strlen(s)); }

typedef lpsp_status (*writer_fn)(const void *ctx, void *buf, size_t cap, size_t *written,
                                 lpsp_error *err);

#define SENTINEL 0xa5
#define SLACK 16

/* Runs one writer through the convention; returns the size it needs. */
static size_t check_writer(const char *name, writer_fn w, const void *ctx, size_t size_query)
{
    lpsp_error e;
    size_t need = (size_t)-1;
    memset(&e, 0, sizeof e);
    lpsp_status st = w(ctx, NULL, 0, &need, &e);
    if (size_query != (size_t)-1) CHECK_EQ_INT(need, size_query);
    if (need == (size_t)-1 || need > 1 << 20) {
        fprintf(stderr, "%s: no size reported (%s)\n", name, lpsp_status_name(st));
        CHECK(0);
        return 0;
    }
    if (need > 0) {
        CHECK_EQ_INT(st, LPSP_E_BUFFER_TOO_SMALL);
        CHECK_EQ_INT(e.status, LPSP_E_BUFFER_TOO_SMALL);
        CHECK(e.reason != NULL);
        CHECK(!lpsp_status_is_fatal(st));
    }
    /* a NULL buffer is too small whatever the capacity claims */
    size_t wn = 12345;
    st = w(ctx, NULL, need + SLACK, &wn, &e);
    CHECK_EQ_INT(st, need ? LPSP_E_BUFFER_TOO_SMALL : LPSP_OK);
    CHECK_EQ_INT(wn, need);
    unsigned char *buf = malloc(need + SLACK), *ref = malloc(need + SLACK);
    for (size_t cap = 0; cap < need; cap++) {
        size_t wr = 12345;
        memset(buf, SENTINEL, need + SLACK);
        st = w(ctx, buf, cap, &wr, &e);
        CHECK_EQ_INT(st, LPSP_E_BUFFER_TOO_SMALL);
        CHECK_EQ_INT(wr, need);
        size_t touched = 0;
        for (size_t i = 0; i < need + SLACK; i++) touched += buf[i] != SENTINEL;
        if (touched) fprintf(stderr, "%s: cap %zu of %zu: %zu bytes written\n", name, cap, need, touched);
        CHECK_EQ_INT(touched, 0);
    }
    /* exact capacity, then room to spare: same bytes, nothing past them */
    memset(ref, SENTINEL, need + SLACK);
    size_t wr = 12345;
    CHECK_EQ_INT(w(ctx, ref, need, &wr, &e), LPSP_OK);
    CHECK_EQ_INT(wr, need);
    memset(buf, SENTINEL, need + SLACK);
    wr = 12345;
    CHECK_EQ_INT(w(ctx, buf, need + SLACK, &wr, &e), LPSP_OK);
    CHECK_EQ_INT(wr, need);
    CHECK_MEM(buf, need + SLACK, ref, need + SLACK);
    for (size_t i = need; i < need + SLACK; i++) CHECK_EQ_INT(buf[i], SENTINEL);
    /* written may be NULL */
    CHECK_EQ_INT(w(ctx, buf, need, NULL, &e), LPSP_OK);
    free(buf);
    free(ref);
    return need;
}

/* ------------------------------------------------------------ writers */

typedef struct {
    const lpsp_msg *m;
    int minimal;
} stateful_ctx;
static lpsp_status w_stateful(const void *c, void *buf, size_t cap, size_t *wr, lpsp_error *e)
{
    const stateful_ctx *x = c;
    return lpsp_serialize(x->m, x->minimal, buf, cap, wr, e);
}
static lpsp_status w_stateless(const void *c, void *buf, size_t cap, size_t *wr, lpsp_error *e)
{
    return lpsp_sl_serialize(c, buf, cap, wr, e);
}

typedef struct {
    lpsp_view url;
    const lpsp_sl_entry *exact, *globs;
    size_t n_exact, n_globs;
} etag_ctx;
static lpsp_status w_etag_doc(const void *c, void *buf, size_t cap, size_t *wr, lpsp_error *e)
{
    const etag_ctx *x = c;
    return lpsp_etag_document(x->url, x->exact, x->n_exact, x->globs, x->n_globs, 1, buf, cap, wr, e);
}
static lpsp_status w_repr_digest(const void *c, void *buf, size_t cap, size_t *wr, lpsp_error *e)
{
    return lpsp_repr_digest_format(V(c, 64), buf, cap, wr, e);
}
static lpsp_status w_b64(const void *c, void *buf, size_t cap, size_t *wr, lpsp_error *e)
{
    const lpsp_view *v = c;
    return lpsp_b64_encode(v->ptr, v->len, buf, cap, wr, e);
}
static lpsp_status w_to_sign(const void *c, void *buf, size_t cap, size_t *wr, lpsp_error *e)
{
    return lpsp_hmac_to_sign(c, buf, cap, wr, e);
}

typedef struct {
    const lpsp_hmac_key *k;
    const lpsp_auth_fields *f;
} sign_ctx;
static lpsp_status w_hmac_sign(const void *c, void *buf, size_t cap, size_t *wr, lpsp_error *e)
{
    const sign_ctx *x = c;
    return lpsp_hmac_sign(x->k, x->f, buf, cap, wr, e);
}
static lpsp_status w_bearer(const void *c, void *buf, size_t cap, size_t *wr, lpsp_error *e)
{
    const lpsp_view *v = c;
    return lpsp_bearer_format(v->ptr, v->len, buf, cap, wr, e);
}

typedef struct {
    const char *nonce;
    int64_t ctr;
} url_ctx;
static lpsp_status w_ws_url(const void *c, void *buf, size_t cap, size_t *wr, lpsp_error *e)
{
    const url_ctx *x = c;
    return lpsp_ws_url_format((const uint8_t *)x->nonce, strlen(x->nonce), x->ctr, buf, cap, wr, e);
}

/* ------------------------------------------------------------ cases */

static void test_stateful(void)
{
    lpsp_msg m;
    lpsp_msg_init(&m, LPSP_S2B, LPSP_S2B_SUBSCRIBE_EXACT, LPSP_VARIANT_NONE);
    m.has_authorization = 1;
    m.authorization = S("Bearer abc");
    m.tracing = S("trace");
    m.topic = S("foo/bar");
    for (int minimal = 0; minimal <= 1; minimal++) {
        size_t q = 0;
        lpsp_error e;
        CHECK_EQ_INT(lpsp_serialized_size(&m, minimal, &q, &e), LPSP_OK);
        stateful_ctx c = {&m, minimal};
        CHECK_EQ_INT(check_writer("lpsp_serialize", w_stateful, &c, q), q);
    }
}

static void test_stateless(void)
{
    lpsp_sl_msg m;
    lpsp_sl_msg_init(&m, LPSP_SL_SUBSCRIBE_EXACT);
    m.url = S("https://example.com/cb");
    m.topic = S("foo/bar");
    m.has_recovery = 1;
    m.recovery = S("https://example.com/missed");
    m.tracing = S("t");
    size_t q = 0;
    lpsp_error e;
    CHECK_EQ_INT(lpsp_sl_serialized_size(&m, &q, &e), LPSP_OK);
    check_writer("lpsp_sl_serialize", w_stateless, &m, q);
}

static void test_etag_document(void)
{
    lpsp_sl_entry ex[2] = {{S("a"), 1, S("r")}, {S("b"), 0, S("")}};
    lpsp_sl_entry gl[1] = {{S("c/*"), 0, S("")}};
    etag_ctx c = {S("https://example.com"), ex, gl, 2, 1};
    size_t q = 0;
    lpsp_error e;
    CHECK_EQ_INT(lpsp_etag_document_size(c.url, ex, 2, gl, 1, 1, &q, &e), LPSP_OK);
    check_writer("lpsp_etag_document", w_etag_doc, &c, q);
}

static void test_text_writers(void)
{
    uint8_t digest[64];
    for (int i = 0; i < 64; i++) digest[i] = (uint8_t)(i * 7);
    CHECK_EQ_INT(check_writer("lpsp_repr_digest_format", w_repr_digest, digest, LPSP_REPR_DIGEST_LEN),
                 LPSP_REPR_DIGEST_LEN);
    for (size_t n = 0; n <= 7; n++) {
        lpsp_view v = V(digest, n);
        CHECK_EQ_INT(check_writer("lpsp_b64_encode", w_b64, &v, lpsp_b64_encoded_len(n)), (n + 2) / 3 * 4);
    }
    lpsp_view tok = S("tok-123");
    CHECK_EQ_INT(check_writer("lpsp_bearer_format", w_bearer, &tok, 14), 14);
    url_ctx u = {"/eq5rPNxA2K9JljNyaKej5x1f8+YEWA6jER80dkVEQg=", -26};
    CHECK_EQ_INT(check_writer("lpsp_ws_url_format", w_ws_url, &u, (size_t)-1),
                 strlen("websocket:/eq5rPNxA2K9JljNyaKej5x1f8+YEWA6jER80dkVEQg=:-1a"));
}

static void test_auth_writers(void)
{
    lpsp_auth_fields f;
    memset(&f, 0, sizeof f);
    f.kind = LPSP_AUTH_SUBSCRIBE_EXACT;
    f.timestamp = 1700000000;
    f.nonce = S("abcdef");
    f.tracing = S("trace");
    f.url = S("https://example.com/cb");
    f.topic = S("foo/bar");
    size_t q = 0;
    lpsp_error e;
    CHECK_EQ_INT(lpsp_hmac_to_sign_size(&f, &q, &e), LPSP_OK);
    check_writer("lpsp_hmac_to_sign", w_to_sign, &f, q);

    uint8_t secret[64];
    for (int i = 0; i < 64; i++) secret[i] = (uint8_t)i;
    lpsp_hmac_key k;
    CHECK_EQ_INT(lpsp_hmac_key_init(&k, secret, sizeof secret, &e), LPSP_OK);
    CHECK_EQ_INT(lpsp_hmac_header_size(&f, &q, &e), LPSP_OK);
    sign_ctx c = {&k, &f};
    CHECK(check_writer("lpsp_hmac_sign", w_hmac_sign, &c, q) <= LPSP_HMAC_HEADER_MAX);
    lpsp_hmac_key_free(&k);
}

int main(void)
{
    test_stateful();
    test_stateless();
    test_etag_document();
    test_text_writers();
    test_auth_writers();
    TEST_MAIN_END();
}
