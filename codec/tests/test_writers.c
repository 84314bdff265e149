/* The writer convention shared by every function that takes
 * (buf, cap, size_t *written) (codec/include/lpsp/common.h): with too small a
 * buffer, LPSP_E_BUFFER_TOO_SMALL, *written = the size needed, not a byte
 * written; with enough room, LPSP_OK and exactly *written bytes written.
 * Checked for every capacity from 0 to the size needed, with a NULL buffer
 * of any claimed capacity, and against each writer's size query where it
 * has one. */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdint.h>

#include "fixtures.h"
#include "lpsp.h"
#include "test.h"

/* ------------------------------------------------------------ writers */

/* The writers under test, each with the arguments of one call. */
typedef enum {
    W_SERIALIZE,     /* lpsp_serialize(m, minimal) */
    W_SL_SERIALIZE,  /* lpsp_sl_serialize(sl) */
    W_ETAG_DOCUMENT, /* lpsp_etag_document(url, exact, globs), order checked */
    W_REPR_DIGEST,   /* lpsp_repr_digest_format(bytes: the digest) */
    W_B64,           /* lpsp_b64_encode(bytes) */
    W_BEARER,        /* lpsp_bearer_format(bytes: the token) */
    W_WS_URL,        /* lpsp_ws_url_format(nonce, ctr) */
    W_TO_SIGN,       /* lpsp_hmac_to_sign(f) */
    W_HMAC_SIGN      /* lpsp_hmac_sign(k, f) */
} writer_kind;

typedef struct {
    writer_kind kind;
    const lpsp_msg *m;
    int minimal;
    const lpsp_sl_msg *sl;
    lpsp_view url;
    const lpsp_sl_entry *exact, *globs;
    size_t n_exact, n_globs;
    lpsp_view bytes;
    const char *nonce;
    int64_t ctr;
    const lpsp_auth_fields *f;
    const lpsp_hmac_key *k;
} writer;

static lpsp_status write_to(const writer *w, void *buf, size_t cap, size_t *wr, lpsp_error *e)
{
    switch (w->kind) {
    case W_SERIALIZE: return lpsp_serialize(w->m, w->minimal, buf, cap, wr, e);
    case W_SL_SERIALIZE: return lpsp_sl_serialize(w->sl, buf, cap, wr, e);
    case W_ETAG_DOCUMENT:
        return lpsp_etag_document(w->url, w->exact, w->n_exact, w->globs, w->n_globs, 1, buf, cap, wr, e);
    case W_REPR_DIGEST: return lpsp_repr_digest_format(w->bytes, buf, cap, wr, e);
    case W_B64: return lpsp_b64_encode(w->bytes.ptr, w->bytes.len, buf, cap, wr, e);
    case W_BEARER: return lpsp_bearer_format(w->bytes.ptr, w->bytes.len, buf, cap, wr, e);
    case W_WS_URL:
        return lpsp_ws_url_format((const uint8_t *)w->nonce, strlen(w->nonce), w->ctr, buf, cap, wr, e);
    case W_TO_SIGN: return lpsp_hmac_to_sign(w->f, buf, cap, wr, e);
    case W_HMAC_SIGN: return lpsp_hmac_sign(w->k, w->f, buf, cap, wr, e);
    }
    return LPSP_E_INVALID_ARGUMENT;
}

#define SENTINEL 0xa5
#define SLACK    16

/* Runs one writer through the convention; returns the size it needs. */
static size_t check_writer(const char *name, const writer *w, size_t size_query)
{
    lpsp_error e;
    size_t need = (size_t)-1;
    memset(&e, 0, sizeof e);
    lpsp_status st = write_to(w, NULL, 0, &need, &e);
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
    st = write_to(w, NULL, need + SLACK, &wn, &e);
    CHECK_EQ_INT(st, need ? LPSP_E_BUFFER_TOO_SMALL : LPSP_OK);
    CHECK_EQ_INT(wn, need);
    unsigned char *buf = malloc(need + SLACK), *ref = malloc(need + SLACK);
    for (size_t cap = 0; cap < need; cap++) {
        size_t wr = 12345;
        memset(buf, SENTINEL, need + SLACK);
        st = write_to(w, buf, cap, &wr, &e);
        CHECK_EQ_INT(st, LPSP_E_BUFFER_TOO_SMALL);
        CHECK_EQ_INT(wr, need);
        size_t touched = 0;
        for (size_t i = 0; i < need + SLACK; i++)
            touched += buf[i] != SENTINEL;
        if (touched) fprintf(stderr, "%s: cap %zu of %zu: %zu bytes written\n", name, cap, need, touched);
        CHECK_EQ_INT(touched, 0);
    }
    /* exact capacity, then room to spare: same bytes, nothing past them */
    memset(ref, SENTINEL, need + SLACK);
    size_t wr = 12345;
    CHECK_EQ_INT(write_to(w, ref, need, &wr, &e), LPSP_OK);
    CHECK_EQ_INT(wr, need);
    memset(buf, SENTINEL, need + SLACK);
    wr = 12345;
    CHECK_EQ_INT(write_to(w, buf, need + SLACK, &wr, &e), LPSP_OK);
    CHECK_EQ_INT(wr, need);
    CHECK_MEM(buf, need + SLACK, ref, need + SLACK);
    for (size_t i = need; i < need + SLACK; i++)
        CHECK_EQ_INT(buf[i], SENTINEL);
    /* written may be NULL */
    CHECK_EQ_INT(write_to(w, buf, need, NULL, &e), LPSP_OK);
    free(buf);
    free(ref);
    return need;
}

/* check_writer against the writer's own size query, which must succeed. */
static size_t check_sized_writer(const char *name, const writer *w)
{
    size_t q = 0;
    lpsp_error e;
    lpsp_status st = LPSP_E_INVALID_ARGUMENT;
    memset(&e, 0, sizeof e);
    switch (w->kind) {
    case W_SERIALIZE: st = lpsp_serialized_size(w->m, w->minimal, &q, &e); break;
    case W_SL_SERIALIZE: st = lpsp_sl_serialized_size(w->sl, &q, &e); break;
    case W_ETAG_DOCUMENT:
        st = lpsp_etag_document_size(w->url, w->exact, w->n_exact, w->globs, w->n_globs, 1, &q, &e);
        break;
    case W_TO_SIGN: st = lpsp_hmac_to_sign_size(w->f, &q, &e); break;
    case W_HMAC_SIGN: st = lpsp_hmac_header_size(w->f, &q, &e); break;
    default: break; /* no size query */
    }
    if (st != LPSP_OK)
        fprintf(stderr, "%s: size query: %s (%s)\n", name, lpsp_status_name(st), e.reason ? e.reason : "-");
    CHECK_EQ_INT(st, LPSP_OK);
    return check_writer(name, w, q);
}

/* ------------------------------------------------------------ cases */

/* A stateful message with an authorization, tracing "trace" and a topic. */
static lpsp_msg stateful_msg(lpsp_direction dir, uint16_t type, lpsp_variant var, const char *auth,
                             const char *topic)
{
    lpsp_msg m;
    lpsp_msg_init(&m, dir, type, var);
    m.has_authorization = 1;
    m.authorization = S(auth);
    m.tracing = S("trace");
    m.topic = S(topic);
    return m;
}

static void test_stateful(void)
{
    lpsp_msg m = stateful_msg(LPSP_S2B, LPSP_S2B_SUBSCRIBE_EXACT, LPSP_VARIANT_NONE, "Bearer abc", "foo/bar");
    for (int minimal = 0; minimal <= 1; minimal++) {
        writer w = {.kind = W_SERIALIZE, .m = &m, .minimal = minimal};
        check_sized_writer("lpsp_serialize", &w);
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
    writer w = {.kind = W_SL_SERIALIZE, .sl = &m};
    check_sized_writer("lpsp_sl_serialize", &w);
}

static void test_etag_document(void)
{
    lpsp_sl_entry ex[2] = {{S("a"), 1, S("r")}, {S("b"), 0, S("")}};
    lpsp_sl_entry gl[1] = {{S("c/*"), 0, S("")}};
    writer w = {.kind = W_ETAG_DOCUMENT,
                .url = S("https://example.com"),
                .exact = ex,
                .globs = gl,
                .n_exact = 2,
                .n_globs = 1};
    check_sized_writer("lpsp_etag_document", &w);
}

static void test_text_writers(void)
{
    uint8_t digest[64];
    for (int i = 0; i < 64; i++)
        digest[i] = (uint8_t)(i * 7);
    writer rd = {.kind = W_REPR_DIGEST, .bytes = V(digest, 64)};
    CHECK_EQ_INT(check_writer("lpsp_repr_digest_format", &rd, LPSP_REPR_DIGEST_LEN), LPSP_REPR_DIGEST_LEN);
    for (size_t n = 0; n <= 7; n++) {
        writer b64 = {.kind = W_B64, .bytes = V(digest, n)};
        CHECK_EQ_INT(check_writer("lpsp_b64_encode", &b64, lpsp_b64_encoded_len(n)), (n + 2) / 3 * 4);
    }
    writer tok = {.kind = W_BEARER, .bytes = S("tok-123")};
    CHECK_EQ_INT(check_writer("lpsp_bearer_format", &tok, 14), 14);
    writer u = {.kind = W_WS_URL, .nonce = "/eq5rPNxA2K9JljNyaKej5x1f8+YEWA6jER80dkVEQg=", .ctr = -26};
    CHECK_EQ_INT(check_writer("lpsp_ws_url_format", &u, (size_t)-1),
                 strlen("websocket:/eq5rPNxA2K9JljNyaKej5x1f8+YEWA6jER80dkVEQg=:-1a"));
}

static void test_auth_writers(void)
{
    lpsp_auth_fields f = fixture_auth_example(LPSP_AUTH_SUBSCRIBE_EXACT);
    f.tracing = S("trace");
    f.url = S("https://example.com/cb");
    f.topic = S("foo/bar");
    writer ts = {.kind = W_TO_SIGN, .f = &f};
    check_sized_writer("lpsp_hmac_to_sign", &ts);

    uint8_t secret[64];
    fixture_secret(secret);
    lpsp_hmac_key k;
    lpsp_error e;
    CHECK_EQ_INT(lpsp_hmac_key_init(&k, secret, sizeof secret, &e), LPSP_OK);
    writer sign = {.kind = W_HMAC_SIGN, .k = &k, .f = &f};
    CHECK(check_sized_writer("lpsp_hmac_sign", &sign) <= LPSP_HMAC_HEADER_MAX);
    lpsp_hmac_key_free(&k);
}

/* ------------------------------------------------ every layout, every sink */

/* Text long enough that a field crosses, fills or exceeds the 1024-byte
 * stash through which the digest and MAC sinks feed libcrypto. */
static char long_text[4100];
static const size_t long_lens[] = {3, 1000, 1019, 1020, 1021, 1024, 1025, 2048, 4100};
#define N_LONG (sizeof long_lens / sizeof long_lens[0])

static int has_body(lpsp_direction dir, uint16_t type)
{
    if (dir == LPSP_S2B) return type == LPSP_S2B_NOTIFY || type == LPSP_S2B_NOTIFY_STREAM;
    return type == LPSP_B2S_RECEIVE_STREAM || type == LPSP_B2S_ENABLE_ZSTD_CUSTOM;
}

/* Every stateful type in its uncompressed variants (a stream's start and
 * continuation), both header modes, through the writer convention; the
 * bytes parse back to the same type. */
static void test_stateful_all_types(void)
{
    static const uint8_t payload[] = "the payload";
    uint8_t sha[64], nonce[32];
    SHA512(payload, sizeof payload, sha);
    memset(nonce, 0x42, sizeof nonce);
    fixture_type types[FIXTURE_N_TYPES];
    fixture_types(types);
    for (size_t i = 0; i < FIXTURE_N_TYPES; i++) {
        lpsp_direction dir = types[i].dir;
        uint16_t t = types[i].type;
        for (int vi = 0; vi < types[i].n_variants; vi++) {
            lpsp_variant var = types[i].variants[vi];
            if (var == LPSP_VARIANT_COMPRESSED || var == LPSP_VARIANT_START_COMPRESSED) continue;
            lpsp_msg m = stateful_msg(dir, t, var, "Bearer x", "a/b");
            m.glob = S("a/*");
            m.identifier = S("id-1");
            m.nonce = V(nonce, sizeof nonce);
            if (has_body(dir, t)) {
                m.payload = V(payload, sizeof payload);
                m.sha512 = V(sha, sizeof sha);
            }
            m.part_id = var == LPSP_VARIANT_CONTINUATION ? 3 : 0;
            m.decompressed_length = 1000;
            m.zstd_identifier = dir == LPSP_B2S && t == LPSP_B2S_ENABLE_ZSTD_PRESET ? 1 : 70000;
            m.subscribers = 7;
            m.compression_level = -5;
            m.min_size = 32;
            m.max_size = 1 << 20;
            m.initial_dict = 2;
            m.enable_zstd = 1;
            for (int minimal = 0; minimal <= 1; minimal++) {
                char name[64];
                snprintf(name, sizeof name, "lpsp_serialize of type %d/%u", (int)dir, t);
                writer w = {.kind = W_SERIALIZE, .m = &m, .minimal = minimal};
                size_t need = check_sized_writer(name, &w);
                lpsp_error e;
                uint8_t buf[512];
                lpsp_msg back;
                CHECK(need <= sizeof buf);
                CHECK_EQ_INT(lpsp_serialize(&m, minimal, buf, sizeof buf, NULL, &e), LPSP_OK);
                CHECK_EQ_INT(lpsp_parse(dir, buf, need, 0, &back, &e), LPSP_OK);
                CHECK_EQ_INT(back.type, t);
                CHECK_EQ_INT(back.variant, var);
            }
        }
    }
}

/* Every stateless body with every field set. */
static void test_stateless_all_bodies(void)
{
    static const uint8_t message[] = "message bytes";
    lpsp_sl_entry ex[2] = {{S("a"), 1, S("r")}, {S("b"), 0, S("")}};
    lpsp_sl_entry gl[1] = {{S("c/*"), 0, S("")}};
    uint8_t sha[64], etag[64];
    lpsp_error e;
    SHA512(message, sizeof message, sha);
    lpsp_view url = S("https://example.com/cb");
    CHECK_EQ_INT(lpsp_etag_compute(url, ex, 2, gl, 1, 1, etag, &e), LPSP_OK);
    for (int b = LPSP_SL_NOTIFY; b <= LPSP_SL_BODY_MAX; b++) {
        lpsp_sl_msg m;
        lpsp_sl_msg_init(&m, (lpsp_sl_body)b);
        m.has_authorization = 1;
        m.authorization = S("Bearer x");
        m.tracing = S("trace");
        m.url = url;
        m.topic = S("a/b");
        m.glob = S("a/*");
        m.has_recovery = 1;
        m.recovery = S("https://example.com/missed");
        m.identifier = S("id-1");
        m.message = V(message, sizeof message);
        m.sha512 = V(sha, sizeof sha);
        m.subscribers = 9;
        m.etag = V(etag, sizeof etag);
        m.exact = ex;
        m.n_exact = 2;
        m.globs = gl;
        m.n_globs = 1;
        writer w = {.kind = W_SL_SERIALIZE, .sl = &m};
        check_sized_writer(lpsp_sl_body_name((lpsp_sl_body)b), &w);
    }
}

/* Every to_sign layout, with a url of every length in long_lens: through
 * the writer convention, and the MAC sink's code equal to libcrypto's
 * HMAC-SHA-512 of the written bytes. */
static void test_auth_all_kinds(void)
{
    uint8_t secret[64], h64[64];
    for (int i = 0; i < 64; i++) {
        secret[i] = (uint8_t)(255 - i);
        h64[i] = (uint8_t)(3 * i);
    }
    lpsp_hmac_key k;
    lpsp_error e;
    CHECK_EQ_INT(lpsp_hmac_key_init(&k, secret, sizeof secret, &e), LPSP_OK);
    for (size_t li = 0; li < N_LONG; li++) {
        for (int kind = 1; kind <= LPSP_AUTH_KIND_MAX; kind++) {
            lpsp_auth_fields f = fixture_auth_fields(kind, 1700000000, "n0nce");
            f.tracing = S("tr");
            f.url = V(long_text, long_lens[li]);
            f.recovery = S("https://example.com/missed");
            f.topic = S("a/b");
            f.glob = S("a/*");
            f.identifier = S("id-1");
            f.sha512 = f.etag = V(h64, 64);
            f.subscriber_nonce = V(h64, 32);
            f.broadcaster_nonce = V(h64 + 32, 32);
            f.enable_zstd = 1;
            f.initial_dict = 7;
            f.part_id = 5;
            f.num_subscribers = 3;
            f.subscribers = 4;
            f.zstd_identifier = 70000;
            f.compression_level = 3;
            f.min_size = 10;
            f.max_size = 1000;
            writer w = {.kind = W_TO_SIGN, .f = &f};
            size_t need = check_sized_writer(lpsp_auth_kind_name(kind), &w);
            uint8_t *buf = malloc(need), code[64], want[64];
            unsigned wl = 0;
            CHECK_EQ_INT(lpsp_hmac_to_sign(&f, buf, need, NULL, &e), LPSP_OK);
            CHECK(HMAC(EVP_sha512(), secret, sizeof secret, buf, need, want, &wl) != NULL);
            CHECK_EQ_INT(lpsp_hmac_code(&k, &f, code, &e), LPSP_OK);
            CHECK_MEM(code, sizeof code, want, wl);
            free(buf);
        }
    }
    lpsp_hmac_key_free(&k);
}

/* Keys and recoveries of every length in long_lens: the builder's digest
 * sink, the one-shot etag and SHA-512 of the written document agree. */
static void test_etag_digest_sink(void)
{
    lpsp_sl_entry ex[N_LONG], gl[N_LONG];
    for (size_t i = 0; i < N_LONG; i++) { /* prefixes of one text: ascending */
        ex[i].key = V(long_text, long_lens[i]);
        ex[i].has_recovery = i % 2;
        ex[i].recovery = V(long_text, long_lens[N_LONG - 1 - i]);
        gl[i] = ex[i];
    }
    lpsp_view url = V(long_text, 1500);
    writer w = {
        .kind = W_ETAG_DOCUMENT, .url = url, .exact = ex, .globs = gl, .n_exact = N_LONG, .n_globs = N_LONG};
    lpsp_error e;
    size_t need = check_sized_writer("lpsp_etag_document (long)", &w);
    uint8_t *doc = malloc(need), want[64], got[64];
    CHECK_EQ_INT(lpsp_etag_document(url, ex, N_LONG, gl, N_LONG, 1, doc, need, NULL, &e), LPSP_OK);
    SHA512(doc, need, want);
    CHECK_EQ_INT(lpsp_etag_compute(url, ex, N_LONG, gl, N_LONG, 1, got, &e), LPSP_OK);
    CHECK_MEM(got, 64, want, 64);
    lpsp_etag_builder b;
    CHECK_EQ_INT(lpsp_etag_begin(&b, url, 1, &e), LPSP_OK);
    for (size_t i = 0; i < N_LONG; i++)
        CHECK_EQ_INT(lpsp_etag_add_exact(&b, ex[i].key, ex[i].has_recovery ? ex[i].recovery : S(""), &e),
                     LPSP_OK);
    for (size_t i = 0; i < N_LONG; i++)
        CHECK_EQ_INT(lpsp_etag_add_glob(&b, gl[i].key, gl[i].has_recovery ? gl[i].recovery : S(""), &e),
                     LPSP_OK);
    memset(got, 0, sizeof got);
    CHECK_EQ_INT(lpsp_etag_finish(&b, got, &e), LPSP_OK);
    CHECK_MEM(got, 64, want, 64);
    free(doc);
}

int main(void)
{
    memset(long_text, 'k', sizeof long_text);
    test_stateful();
    test_stateless();
    test_etag_document();
    test_text_writers();
    test_auth_writers();
    test_stateful_all_types();
    test_stateless_all_bodies();
    test_auth_all_kinds();
    test_etag_digest_sink();
    TEST_MAIN_END();
}
