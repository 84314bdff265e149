/* libcrypto failures: every libcrypto call the codec makes is wrapped
 * (fault_shim.c, linked with -Wl,--wrap=...). Each operation runs with a
 * fault in call 1, 2, 3, ... until a run injects none; every run with a fault
 * must end in LPSP_E_CRYPTO (the documented status for a libcrypto failure,
 * never a digest mismatch or match)
 * and leave nothing allocated, the run without one must give the known
 * bytes. The expected bytes are computed here from the spec's layouts with
 * one-shot libcrypto calls, before any fault is armed. */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdint.h>

#include "fault_shim.h"
#include "fixtures.h"
#include "lpsp.h"
#include "test.h"

static const fault_mode MODES[] = {FAULT_FAIL, FAULT_SHORT};
#define N_MODES (sizeof MODES / sizeof MODES[0])
/* more calls than any operation here makes: the loops must end before */
#define MAX_CALLS 200

/* The outcome of one faulted run: a fault means LPSP_E_CRYPTO, in the
 * status and in the error record. Returns 1 when the run had no fault. */
static int faulted_run_ok(lpsp_status st, const lpsp_error *e, const char *what, unsigned long n)
{
    if (!fault_fired()) return 1;
    if (st != LPSP_E_CRYPTO || e->status != LPSP_E_CRYPTO) {
        fprintf(stderr, "%s: fault in call %lu (%s) gave status %s\n", what, n, fault_where(),
                lpsp_status_name(st));
    }
    CHECK_EQ_INT(st, LPSP_E_CRYPTO);
    CHECK_EQ_INT(e->status, LPSP_E_CRYPTO);
    CHECK(e->reason != NULL);
    return 0;
}

/* ------------------------------------------------------------ operations */

static uint8_t SECRET[64];

/* key_init, sign, verify and free as one operation; on success the header
 * is returned in hdr. */
static lpsp_status sign_and_verify(const lpsp_auth_fields *f, char *hdr, size_t cap, size_t *w, lpsp_error *e)
{
    lpsp_hmac_key k;
    lpsp_status st = lpsp_hmac_key_init(&k, SECRET, sizeof SECRET, e);
    if (st != LPSP_OK) {
        CHECK(k.mac == NULL && k.ctx == NULL);
        return st;
    }
    st = lpsp_hmac_sign(&k, f, hdr, cap, w, e);
    if (st == LPSP_OK) {
        lpsp_auth_fields g = *f;
        lpsp_hmac_token tok;
        st = lpsp_hmac_verify(&k, &g, (const uint8_t *)hdr, *w, 1, (int64_t)f->timestamp, 60, &tok, e);
    }
    lpsp_hmac_key_free(&k);
    return st;
}

/* The streaming etag builder from begin to finish. After a run with a fault
 * the builder is inactive, and every later step refuses (no etag of a
 * partial document). */
static lpsp_status etag_stream_build(lpsp_view url, const lpsp_sl_entry *ex, int n_ex,
                                     const lpsp_sl_entry *gl, int n_gl, uint8_t etag[64], lpsp_error *e)
{
    lpsp_etag_builder b;
    lpsp_status st = lpsp_etag_begin(&b, url, 1, e);
    for (int i = 0; st == LPSP_OK && i < n_ex; i++)
        st = lpsp_etag_add_exact(&b, ex[i].key, ex[i].recovery, e);
    for (int i = 0; st == LPSP_OK && i < n_gl; i++)
        st = lpsp_etag_add_glob(&b, gl[i].key, gl[i].recovery, e);
    if (st == LPSP_OK) st = lpsp_etag_finish(&b, etag, e);
    if (fault_fired()) {
        CHECK(!b.active);
        lpsp_error e2;
        CHECK_EQ_INT(lpsp_etag_add_glob(&b, S("z"), S(""), &e2), LPSP_E_INVALID_ARGUMENT);
        CHECK_EQ_INT(lpsp_etag_finish(&b, etag, &e2), LPSP_E_INVALID_ARGUMENT);
    }
    return st;
}

/* The operations run under faults, each on fixed inputs. */
typedef enum {
    OP_SIGN_AND_VERIFY,  /* sign_and_verify(fields): the header in out */
    OP_HMAC_CODE,        /* lpsp_hmac_code(key, fields): the code in out */
    OP_CONNECTION_NONCE, /* lpsp_connection_nonce(a, b): the nonce in out */
    OP_ETAG_COMPUTE,     /* lpsp_etag_compute(url a, entries): the etag in out */
    OP_ETAG_STREAM,      /* etag_stream_build(url a, entries): the etag in out */
    OP_SERIALIZE,        /* lpsp_serialize(msg, minimal) into out */
    OP_PARSE,            /* lpsp_parse(dir, a) into msg */
    OP_SL_SERIALIZE,     /* lpsp_sl_serialize(sl) into out */
    OP_SL_PARSE,         /* lpsp_sl_parse(body, a) into sl */
    OP_SL_CHECK_DIGEST   /* lpsp_sl_check_digest(message a, digest b) */
} op_kind;

typedef struct {
    op_kind kind;
    const char *what;
    size_t cap; /* the size of the output buffer (0: the operation has none) */
    const lpsp_auth_fields *fields;
    const lpsp_hmac_key *key;
    lpsp_view a, b;
    const lpsp_sl_entry *ex, *gl;
    int n_ex, n_gl;
    const lpsp_msg *msg;
    const lpsp_sl_msg *sl;
    lpsp_direction dir;
    lpsp_sl_body body;
} fault_op;

/* What a run leaves besides its output bytes: their length, and the
 * message a parser read. */
typedef struct {
    size_t len;
    lpsp_msg msg;
    lpsp_sl_msg sl;
} op_result;

static lpsp_status run_op(const fault_op *op, uint8_t *out, op_result *r, lpsp_error *e)
{
    switch (op->kind) {
    case OP_SIGN_AND_VERIFY: return sign_and_verify(op->fields, (char *)out, op->cap, &r->len, e);
    case OP_HMAC_CODE: r->len = 64; return lpsp_hmac_code(op->key, op->fields, out, e);
    case OP_CONNECTION_NONCE: r->len = 32; return lpsp_connection_nonce(op->a, op->b, out, e);
    case OP_ETAG_COMPUTE:
        r->len = 64;
        return lpsp_etag_compute(op->a, op->ex, (size_t)op->n_ex, op->gl, (size_t)op->n_gl, 1, out, e);
    case OP_ETAG_STREAM:
        r->len = 64;
        return etag_stream_build(op->a, op->ex, op->n_ex, op->gl, op->n_gl, out, e);
    case OP_SERIALIZE: return lpsp_serialize(op->msg, 1, out, op->cap, &r->len, e);
    case OP_PARSE: return lpsp_parse(op->dir, op->a.ptr, op->a.len, 0, &r->msg, e);
    case OP_SL_SERIALIZE: return lpsp_sl_serialize(op->sl, out, op->cap, &r->len, e);
    case OP_SL_PARSE: return lpsp_sl_parse(op->body, op->a.ptr, op->a.len, 0, &r->sl, e);
    case OP_SL_CHECK_DIGEST: return lpsp_sl_check_digest(op->a, op->b, e);
    }
    return LPSP_E_INVALID_ARGUMENT;
}

/* Runs op with a fault of the mode in call 1, 2, 3, ... until a run injects
 * none; that run must succeed and, for an operation with output, write
 * want. The output buffer has exactly op->cap bytes (ASan sees a write past
 * it). The last run's result is left in r. Returns the number of that run
 * (MAX_CALLS when every run had a fault). */
static unsigned long sweep(const fault_op *op, fault_mode mode, lpsp_view want, op_result *r)
{
    unsigned long n = 1;
    for (; n < MAX_CALLS; n++) {
        uint8_t *out = calloc(1, op->cap ? op->cap : 1);
        lpsp_error e;
        memset(r, 0, sizeof *r);
        memset(&e, 0, sizeof e);
        fault_arm(n, mode);
        lpsp_status st = run_op(op, out, r, &e);
        int clean = faulted_run_ok(st, &e, op->what, n);
        if (clean) {
            CHECK_EQ_INT(st, LPSP_OK);
            if (op->cap) CHECK_MEM(out, r->len, want.ptr, want.len);
        }
        free(out);
        if (clean) break;
    }
    return n;
}

/* ------------------------------------------------------------------ HMAC */

static uint8_t *put_be(uint8_t *p, uint64_t v, size_t w)
{
    for (size_t i = 0; i < w; i++)
        p[i] = (uint8_t)(v >> (8 * (w - 1 - i)));
    return p + w;
}
static uint8_t *put_s(uint8_t *p, lpsp_view v, size_t w)
{
    p = put_be(p, v.len, w);
    memcpy(p, v.ptr, v.len);
    return p + v.len;
}

/* spec §10.5: SUBSCRIBE_EXACT at 1700000000 with nonce "abcdef", topic foo/bar */
static void test_hmac_example(void)
{
    lpsp_auth_fields f = fixture_subscribe_exact();
    fault_op op = {
        .kind = OP_SIGN_AND_VERIFY, .what = "hmac example", .cap = LPSP_HMAC_HEADER_MAX, .fields = &f};
    op_result r;
    for (size_t m = 0; m < N_MODES; m++) {
        unsigned long n = sweep(&op, MODES[m], S(FIXTURE_SUBSCRIBE_EXACT_HEADER), &r);
        CHECK(n < MAX_CALLS);
        /* runs with a fault: the key's allocation, init and update of each
         * key block; then per code (sign, verify) update(s) and final of
         * the inner hash, update and final of the outer one */
        CHECK(n - 1 >= 5 + 2 * 4);
    }
    fault_arm(0, FAULT_FAIL);
}

/* Fields larger than the signer's batching buffer: the MAC is fed both
 * from the batch and directly. The code is checked against a one-shot
 * HMAC of the to_sign layout (spec §10.2) built here. */
static void test_hmac_large_fields(void)
{
    static uint8_t tracing[3000], topic[1500];
    for (size_t i = 0; i < sizeof tracing; i++)
        tracing[i] = (uint8_t)(i * 7);
    for (size_t i = 0; i < sizeof topic; i++)
        topic[i] = (uint8_t)('a' + i % 26);
    lpsp_auth_fields f = fixture_auth_fields(LPSP_AUTH_SUBSCRIBE_EXACT, 1234567890123ull, "n0nce");
    f.tracing = V(tracing, sizeof tracing);
    f.url = S(FIXTURE_URL);
    f.recovery = S(FIXTURE_RECOVER);
    f.topic = V(topic, sizeof topic);

    static uint8_t to_sign[8192];
    uint8_t *p = to_sign;
    *p++ = LPSP_AUTH_SUBSCRIBE_EXACT;
    p = put_be(p, f.timestamp, 8);
    p = put_s(p, f.nonce, 1);
    p = put_s(p, f.tracing, 2);
    p = put_s(p, f.url, 2);
    p = put_s(p, f.recovery, 2);
    p = put_s(p, f.topic, 2);
    uint8_t want[64];
    unsigned int wl = 0;
    CHECK(HMAC(EVP_sha512(), SECRET, sizeof SECRET, to_sign, (size_t)(p - to_sign), want, &wl) != NULL);
    CHECK_EQ_INT(wl, 64);

    lpsp_hmac_key k;
    lpsp_error e;
    fault_arm(0, FAULT_FAIL);
    CHECK_EQ_INT(lpsp_hmac_key_init(&k, SECRET, sizeof SECRET, &e), LPSP_OK);
    fault_op op = {.kind = OP_HMAC_CODE, .what = "hmac large", .cap = 64, .fields = &f, .key = &k};
    op_result r;
    for (size_t m = 0; m < N_MODES; m++) {
        unsigned long n = sweep(&op, MODES[m], V(want, 64), &r);
        /* inner: updates of the batch and of the large fields, final;
         * outer: update, final */
        CHECK(fault_calls() >= 5);
        CHECK(n > 5 && n < MAX_CALLS);
    }
    fault_arm(0, FAULT_FAIL);
    lpsp_hmac_key_free(&k);
}

/* ------------------------------------------------------- connection nonce */

static void test_connection_nonce(void)
{
    uint8_t sub[32], brd[32], both[64], want[32];
    for (int i = 0; i < 32; i++) {
        sub[i] = (uint8_t)i;
        brd[i] = (uint8_t)(0xff - i);
    }
    memcpy(both, sub, 32);
    memcpy(both + 32, brd, 32);
    unsigned int wl = 0;
    fault_arm(0, FAULT_FAIL);
    CHECK(EVP_Digest(both, sizeof both, want, &wl, EVP_sha256(), NULL));
    CHECK_EQ_INT(wl, 32);
    fault_op op = {
        .kind = OP_CONNECTION_NONCE, .what = "connection nonce", .cap = 32, .a = V(sub, 32), .b = V(brd, 32)};
    op_result r;
    for (size_t m = 0; m < N_MODES; m++) {
        unsigned long n = sweep(&op, MODES[m], V(want, 32), &r);
        CHECK_EQ_INT(n, 2); /* one EVP_Digest */
    }
    fault_arm(0, FAULT_FAIL);
}

/* ------------------------------------------------------------------ etag */

/* Entries around and above the builder's 1024-byte batch. */
enum { N_EXACT = 3, N_GLOBS = 2 };
static uint8_t big_url[1500], key1[1100], key2[40], key3[2000], glob1[900], glob2[1800];
static lpsp_sl_entry EXACT[N_EXACT], GLOBS[N_GLOBS];
static uint8_t ETAG[64];

static void fill(uint8_t *p, size_t n, char base)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(base + i % 20);
}

/* The §9.1 document, built from the layout:
 * "URL" s16(url) "\nEXACT" {s16(topic) s16(recovery)}* "\nGLOB" {...}* "\n" */
static size_t build_doc(lpsp_view url, const lpsp_sl_entry *ex, int n_ex, const lpsp_sl_entry *gl, int n_gl,
                        uint8_t *out)
{
    uint8_t *p = out;
    memcpy(p, "URL", 3);
    p = put_s(p + 3, url, 2);
    memcpy(p, "\nEXACT", 6);
    p += 6;
    for (int i = 0; i < n_ex; i++) {
        p = put_s(p, ex[i].key, 2);
        p = put_s(p, ex[i].has_recovery ? ex[i].recovery : S(""), 2);
    }
    memcpy(p, "\nGLOB", 5);
    p += 5;
    for (int i = 0; i < n_gl; i++) {
        p = put_s(p, gl[i].key, 2);
        p = put_s(p, gl[i].has_recovery ? gl[i].recovery : S(""), 2);
    }
    *p++ = '\n';
    return (size_t)(p - out);
}

static void doc_etag(lpsp_view url, const lpsp_sl_entry *ex, int n_ex, const lpsp_sl_entry *gl, int n_gl,
                     uint8_t etag[64])
{
    uint8_t *doc = malloc(16384);
    size_t len = build_doc(url, ex, n_ex, gl, n_gl, doc);
    unsigned int wl = 0;
    fault_arm(0, FAULT_FAIL);
    CHECK(EVP_Digest(doc, len, etag, &wl, EVP_sha512(), NULL));
    free(doc);
}

static void etag_setup(void)
{
    fill(big_url, sizeof big_url, 'A');
    fill(key1, sizeof key1, 'a');
    fill(key2, sizeof key2, 'b');
    fill(key3, sizeof key3, 'c');
    fill(glob1, sizeof glob1, 'd');
    fill(glob2, sizeof glob2, 'e');
    static const char rec[] = FIXTURE_RECOVER;
    lpsp_sl_entry ex[N_EXACT] = {{V(key1, sizeof key1), 1, S(rec)},
                                 {V(key2, sizeof key2), 0, S("")},
                                 {V(key3, sizeof key3), 1, S(rec)}};
    lpsp_sl_entry gl[N_GLOBS] = {{V(glob1, sizeof glob1), 0, S("")}, {V(glob2, sizeof glob2), 1, S(rec)}};
    memcpy(EXACT, ex, sizeof ex);
    memcpy(GLOBS, gl, sizeof gl);
    doc_etag(V(big_url, sizeof big_url), EXACT, N_EXACT, GLOBS, N_GLOBS, ETAG);
}

static void test_etag_compute(void)
{
    fault_op op = {.kind = OP_ETAG_COMPUTE,
                   .what = "etag compute",
                   .cap = 64,
                   .a = V(big_url, sizeof big_url),
                   .ex = EXACT,
                   .n_ex = N_EXACT,
                   .gl = GLOBS,
                   .n_gl = N_GLOBS};
    op_result r;
    for (size_t m = 0; m < N_MODES; m++) {
        unsigned long n = sweep(&op, MODES[m], V(ETAG, 64), &r);
        CHECK(n > 5 && n < MAX_CALLS);
    }
    fault_arm(0, FAULT_FAIL);
}

/* The streaming builder (etag_stream_build) under faults; want is the
 * etag. Returns the number of runs with a fault. */
static unsigned long etag_stream(lpsp_view url, const lpsp_sl_entry *ex, int n_ex, const lpsp_sl_entry *gl,
                                 int n_gl, const uint8_t want[64])
{
    fault_op op = {.kind = OP_ETAG_STREAM,
                   .what = "etag stream",
                   .cap = 64,
                   .a = url,
                   .ex = ex,
                   .n_ex = n_ex,
                   .gl = gl,
                   .n_gl = n_gl};
    op_result r;
    unsigned long n = sweep(&op, FAULT_FAIL, V(want, 64), &r);
    CHECK(n < MAX_CALLS);
    fault_arm(0, FAULT_FAIL);
    return n - 1;
}

static void test_etag_stream(void)
{
    CHECK(etag_stream(V(big_url, sizeof big_url), EXACT, N_EXACT, GLOBS, N_GLOBS, ETAG) > 5);
}

/* The builder batches the document in 1024 bytes (begin writes "URL",
 * s16(url) and "\nEXACT": url length + 11 bytes). Documents that fill the
 * batch to just below a marker or length prefix, so that a flush, and with
 * it a failing SHA-512 update, comes exactly there. */
static void test_etag_batch_edges(void)
{
    static uint8_t url[1012], key[1003];
    fill(url, sizeof url, 'U');
    fill(key, sizeof key, 'k');
    uint8_t want[64];
    lpsp_sl_entry g1[1] = {{S("g/*"), 0, S("")}};
    lpsp_sl_entry t1[1] = {{S("0123456789"), 0, S("")}};
    lpsp_sl_entry gbig[1] = {{V(key, sizeof key), 0, S("")}};
    /* batch at 1020: "\nGLOB" of the first glob entry does not fit */
    doc_etag(V(url, 1009), NULL, 0, g1, 1, want);
    CHECK(etag_stream(V(url, 1009), NULL, 0, g1, 1, want) >= 4);
    /* batch at 1020 and no glob entry: "\nGLOB" written by finish */
    doc_etag(V(url, 1009), NULL, 0, NULL, 0, want);
    CHECK(etag_stream(V(url, 1009), NULL, 0, NULL, 0, want) >= 3);
    /* batch exactly full after a glob entry: the final "\n" flushes */
    doc_etag(S("u"), NULL, 0, gbig, 1, want);
    CHECK(etag_stream(S("u"), NULL, 0, gbig, 1, want) >= 3);
    /* batch at 1023: the length prefix of an entry that does not fit */
    doc_etag(V(url, 1012), t1, 1, NULL, 0, want);
    CHECK(etag_stream(V(url, 1012), t1, 1, NULL, 0, want) >= 4);
}

/* ------------------------------------------------------ SET_SUBSCRIPTIONS */

/* The body of §8.2.7 from its layout: s16 tracing, s16 url, u8 format,
 * etag[64], u32 E, E x (s16 topic, s16 recovery), u32 G, G x (s16 glob,
 * s16 recovery). */
static size_t set_subscriptions_body(uint8_t *out)
{
    uint8_t *p = out;
    p = put_s(p, S("trace"), 2);
    p = put_s(p, V(big_url, sizeof big_url), 2);
    *p++ = 0;
    memcpy(p, ETAG, 64);
    p = put_be(p + 64, N_EXACT, 4);
    for (int i = 0; i < N_EXACT; i++) {
        p = put_s(p, EXACT[i].key, 2);
        p = put_s(p, EXACT[i].has_recovery ? EXACT[i].recovery : S(""), 2);
    }
    p = put_be(p, N_GLOBS, 4);
    for (int i = 0; i < N_GLOBS; i++) {
        p = put_s(p, GLOBS[i].key, 2);
        p = put_s(p, GLOBS[i].has_recovery ? GLOBS[i].recovery : S(""), 2);
    }
    return (size_t)(p - out);
}

static void test_set_subscriptions(void)
{
    static uint8_t body[16384];
    op_result r;
    size_t len = set_subscriptions_body(body);
    /* parse: the etag is recomputed while the entries are read */
    fault_op parse = {.kind = OP_SL_PARSE,
                      .what = "SET_SUBSCRIPTIONS parse",
                      .body = LPSP_SL_SET_SUBSCRIPTIONS,
                      .a = V(body, len)};
    unsigned long n = sweep(&parse, FAULT_FAIL, V(NULL, 0), &r);
    CHECK_EQ_INT(r.sl.exact_count, N_EXACT);
    CHECK_EQ_INT(r.sl.glob_count, N_GLOBS);
    CHECK_MEM(r.sl.url.ptr, r.sl.url.len, big_url, sizeof big_url);
    CHECK(n > 5 && n < MAX_CALLS);

    /* serialize: the serializer refuses an etag it cannot recompute */
    lpsp_sl_msg m;
    lpsp_sl_msg_init(&m, LPSP_SL_SET_SUBSCRIPTIONS);
    m.tracing = S("trace");
    m.url = V(big_url, sizeof big_url);
    m.etag = V(ETAG, 64);
    m.exact = EXACT;
    m.n_exact = N_EXACT;
    m.globs = GLOBS;
    m.n_globs = N_GLOBS;
    fault_op ser = {.kind = OP_SL_SERIALIZE, .what = "SET_SUBSCRIPTIONS serialize", .cap = 16384, .sl = &m};
    n = sweep(&ser, FAULT_FAIL, V(body, len), &r);
    CHECK(n > 5 && n < MAX_CALLS);
    fault_arm(0, FAULT_FAIL);
}

/* ------------------------------------------------------- message digests */

/* A digest check must not turn a libcrypto failure into a mismatch (or a
 * match): stateful NOTIFY and ENABLE_ZSTD_CUSTOM, stateless NOTIFY and the
 * RECEIVE digest check, in the parser and the serializer. The digest is
 * computed here with the one-shot EVP_Digest before any fault is armed. */
static uint8_t NOTE[300], NOTE_SHA[64];

/* A message that carries NOTE and its digest, serialized once without
 * faults into wire: under faults the serializer (ser) writes wire again and
 * the parser (parse, of wire) gives NOTE back. */
static void digest_sweeps(const fault_op *ser, const fault_op *parse, const uint8_t *wire, size_t len)
{
    op_result r;
    unsigned long n = sweep(ser, FAULT_FAIL, V(wire, len), &r);
    CHECK(n > 1 && n < MAX_CALLS);
    n = sweep(parse, FAULT_FAIL, V(NULL, 0), &r);
    lpsp_view note = parse->kind == OP_PARSE ? r.msg.payload : r.sl.message;
    CHECK_MEM(note.ptr, note.len, NOTE, sizeof NOTE);
    CHECK(n > 1 && n < MAX_CALLS);
}

static void stateful_digest_case(lpsp_direction dir, uint16_t type, lpsp_variant variant, const char *what)
{
    static uint8_t wire[1024];
    lpsp_msg m;
    lpsp_msg_init(&m, dir, type, variant);
    m.tracing = S("trace");
    m.topic = S("foo/bar");
    m.identifier = S("id-1");
    m.payload = V(NOTE, sizeof NOTE);
    m.sha512 = V(NOTE_SHA, 64);
    m.zstd_identifier = 65536; /* a custom dictionary's lowest id */
    m.compression_level = 3;
    m.min_size = 32;
    m.max_size = 1 << 20;
    size_t len = 0;
    lpsp_error e;
    memset(&e, 0, sizeof e);
    fault_arm(0, FAULT_FAIL);
    CHECK_EQ_INT(lpsp_serialize(&m, 1, wire, sizeof wire, &len, &e), LPSP_OK);
    CHECK(fault_calls() > 0); /* the serializer checks the digest */
    fault_op ser = {.kind = OP_SERIALIZE, .what = what, .cap = 1024, .msg = &m};
    fault_op parse = {.kind = OP_PARSE, .what = what, .dir = dir, .a = V(wire, len)};
    digest_sweeps(&ser, &parse, wire, len);
    fault_arm(0, FAULT_FAIL);
}

static void test_message_digests(void)
{
    fill(NOTE, sizeof NOTE, 'n');
    unsigned wl = 0;
    CHECK(EVP_Digest(NOTE, sizeof NOTE, NOTE_SHA, &wl, EVP_sha512(), NULL) && wl == 64);

    stateful_digest_case(LPSP_S2B, LPSP_S2B_NOTIFY, LPSP_VARIANT_UNCOMPRESSED, "stateful NOTIFY");
    stateful_digest_case(LPSP_B2S, LPSP_B2S_ENABLE_ZSTD_CUSTOM, LPSP_VARIANT_NONE, "ENABLE_ZSTD_CUSTOM");

    /* stateless NOTIFY: serialize once without faults, then each way with */
    static uint8_t wire[1024];
    lpsp_sl_msg m;
    lpsp_sl_msg_init(&m, LPSP_SL_NOTIFY);
    m.tracing = S("trace");
    m.topic = S("foo/bar");
    m.message = V(NOTE, sizeof NOTE);
    m.sha512 = V(NOTE_SHA, 64);
    size_t len = 0;
    lpsp_error e;
    memset(&e, 0, sizeof e);
    fault_arm(0, FAULT_FAIL);
    CHECK_EQ_INT(lpsp_sl_serialize(&m, wire, sizeof wire, &len, &e), LPSP_OK);
    fault_op ser = {.kind = OP_SL_SERIALIZE, .what = "stateless NOTIFY serialize", .cap = 1024, .sl = &m};
    fault_op parse = {
        .kind = OP_SL_PARSE, .what = "stateless NOTIFY parse", .body = LPSP_SL_NOTIFY, .a = V(wire, len)};
    digest_sweeps(&ser, &parse, wire, len);

    /* RECEIVE's Repr-Digest check */
    fault_op check = {.kind = OP_SL_CHECK_DIGEST,
                      .what = "lpsp_sl_check_digest",
                      .a = V(NOTE, sizeof NOTE),
                      .b = V(NOTE_SHA, 64)};
    op_result r;
    unsigned long n = sweep(&check, FAULT_FAIL, V(NULL, 0), &r);
    CHECK(n > 1 && n < MAX_CALLS);
    fault_arm(0, FAULT_FAIL);
}

/* The shim is in place: without --wrap no fault would ever fire and the
 * loops above would pass vacuously. */
static void test_shim_active(void)
{
    uint8_t out[32];
    lpsp_error e;
    fault_arm(1, FAULT_FAIL);
    CHECK_EQ_INT(lpsp_connection_nonce(V(SECRET, 32), V(SECRET + 32, 32), out, &e), LPSP_E_CRYPTO);
    CHECK(fault_fired());
    CHECK(fault_where() && strcmp(fault_where(), "EVP_Digest") == 0);
    fault_arm(0, FAULT_FAIL);
}

int main(void)
{
    fixture_secret(SECRET);
    test_shim_active();
    test_hmac_example();
    test_hmac_large_fields();
    test_connection_nonce();
    etag_setup();
    test_etag_compute();
    test_etag_stream();
    test_etag_batch_edges();
    test_set_subscriptions();
    test_message_digests();
    TEST_MAIN_END();
}
