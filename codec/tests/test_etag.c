/* Strong etag (spec §9): the §9.3 examples, one-shot = streaming =
 * SHA-512(document), ordering and uniqueness, text checks. */
#include <openssl/evp.h>
#include <stdint.h>

#include "fixtures.h"
#include "lpsp.h"
#include "test.h"
static lpsp_sl_entry E(const char *key, const char *rec)
{
    lpsp_sl_entry e = {S(key), rec && *rec, S(rec ? rec : "")};
    return e;
}

static const char URL[] = FIXTURE_URL;
static const char RECOVER[] = FIXTURE_RECOVER;

static const char DOC_EMPTY[] = "55 52 4c 00 00 0a 45 58 41 43 54 0a 47 4c 4f 42 0a";
static const char ETAG_EMPTY[] = "4d185c543bbdc927a42df28715721fbcb11dfb20d7d07117917849b5c4e281d3778d1e5eef3"
                                 "018f2c44a9608ee4f16b53e7557b8eaed1d01c18321a9f3e8c8d9";
static const char DOC_FULL[] =
    "55 52 4c 00 20 68 74 74 70 3a 2f 2f 31 32 37 2e 30 2e 30 2e 31 3a 33 30 30 32 2f 76 31 2f 72 65"
    "63 65 69 76 65 0a 45 58 41 43 54 00 01 61 00 00 00 03 62 2f 63 00 20 68 74 74 70 3a 2f 2f 31 32"
    "37 2e 30 2e 30 2e 31 3a 33 30 30 32 2f 76 31 2f 72 65 63 6f 76 65 72 0a 47 4c 4f 42 00 03 78 2f"
    "2a 00 00 0a";
static const char ETAG_FULL[] = "0433f2f3b6054529ac9794d46222646b4603aa7790cc5374c7814e780fb910c3faa4229f4b4a"
                                "6137c6561507c25f8f8ee42aff6faf8c772bf905509bb97a7e8a";

static void sha512(const uint8_t *p, size_t n, uint8_t out[64])
{
    unsigned int len = 0;
    EVP_Digest(p, n, out, &len, EVP_sha512(), NULL);
}

/* Check document, one-shot and streaming against the expectations. */
static void check_all(lpsp_view url, const lpsp_sl_entry *ex, size_t nex, const lpsp_sl_entry *gl, size_t ngl,
                      const char *doc_hex, const char *etag_hex)
{
    size_t dn, en, size = 0, w = 0;
    uint8_t *doc = test_hex(doc_hex, &dn), *want = test_hex(etag_hex, &en);
    lpsp_error e;
    uint8_t etag[64];
    CHECK_EQ_INT(lpsp_etag_document_size(url, ex, nex, gl, ngl, 1, &size, &e), LPSP_OK);
    CHECK_EQ_INT(size, dn);
    uint8_t *buf = malloc(size);
    CHECK_EQ_INT(lpsp_etag_document(url, ex, nex, gl, ngl, 1, buf, size, &w, &e), LPSP_OK);
    CHECK_MEM(buf, w, doc, dn);
    CHECK_EQ_INT(lpsp_etag_document(url, ex, nex, gl, ngl, 1, buf, size - 1, &w, &e),
                 LPSP_E_BUFFER_TOO_SMALL);
    CHECK_EQ_INT(lpsp_etag_compute(url, ex, nex, gl, ngl, 1, etag, &e), LPSP_OK);
    CHECK_MEM(etag, 64, want, en);
    lpsp_etag_builder b;
    CHECK_EQ_INT(lpsp_etag_begin(&b, url, 1, &e), LPSP_OK);
    for (size_t i = 0; i < nex; i++)
        CHECK_EQ_INT(lpsp_etag_add_exact(&b, ex[i].key, ex[i].recovery, &e), LPSP_OK);
    for (size_t i = 0; i < ngl; i++)
        CHECK_EQ_INT(lpsp_etag_add_glob(&b, gl[i].key, gl[i].recovery, &e), LPSP_OK);
    memset(etag, 0, sizeof etag);
    CHECK_EQ_INT(lpsp_etag_finish(&b, etag, &e), LPSP_OK);
    CHECK_MEM(etag, 64, want, en);
    CHECK(!b.active);
    lpsp_etag_abort(&b); /* idempotent */
    free(buf);
    free(doc);
    free(want);
}

static void test_examples(void)
{
    check_all(S(""), NULL, 0, NULL, 0, DOC_EMPTY, ETAG_EMPTY);
    lpsp_sl_entry ex[2] = {E("a", NULL), E("b/c", RECOVER)};
    lpsp_sl_entry gl[1] = {E("x/*", NULL)};
    check_all(S(URL), ex, 2, gl, 1, DOC_FULL, ETAG_FULL);
}

static void test_order(void)
{
    lpsp_error e;
    uint8_t etag[64];
    lpsp_sl_entry dup[2] = {E("a", NULL), E("a", "r")};
    lpsp_sl_entry desc[2] = {E("b", NULL), E("a", NULL)};
    lpsp_sl_entry prefix[2] = {E("ab", NULL), E("a", NULL)};
    lpsp_sl_entry ok[2] = {E("a", NULL), E("ab", NULL)};
    CHECK_EQ_INT(lpsp_etag_compute(S("u"), dup, 2, NULL, 0, 1, etag, &e), LPSP_E_OUT_OF_ORDER);
    CHECK(e.field && strcmp(e.field, "topic") == 0);
    CHECK_EQ_INT(lpsp_etag_compute(S("u"), desc, 2, NULL, 0, 1, etag, &e), LPSP_E_OUT_OF_ORDER);
    CHECK_EQ_INT(lpsp_etag_compute(S("u"), prefix, 2, NULL, 0, 1, etag, &e), LPSP_E_OUT_OF_ORDER);
    CHECK_EQ_INT(lpsp_etag_compute(S("u"), ok, 2, NULL, 0, 1, etag, &e), LPSP_OK);
    CHECK_EQ_INT(lpsp_etag_compute(S("u"), NULL, 0, dup, 2, 1, etag, &e), LPSP_E_OUT_OF_ORDER);
    CHECK(e.field && strcmp(e.field, "glob") == 0);
    size_t n;
    CHECK_EQ_INT(lpsp_etag_document_size(S("u"), desc, 2, NULL, 0, 1, &n, &e), LPSP_E_OUT_OF_ORDER);
    /* without the check, any order is hashed as given */
    CHECK_EQ_INT(lpsp_etag_compute(S("u"), desc, 2, NULL, 0, 0, etag, &e), LPSP_OK);
    CHECK_EQ_INT(lpsp_etag_compute(S("u"), dup, 2, dup, 2, 0, etag, &e), LPSP_OK);
    /* the order is per list: a glob may sort before the last topic */
    lpsp_sl_entry z[1] = {E("z", NULL)};
    CHECK_EQ_INT(lpsp_etag_compute(S("u"), z, 1, ok, 2, 1, etag, &e), LPSP_OK);
    /* globs compare by UTF-8 bytes: U+00E9 (c3 a9) > "z" */
    lpsp_sl_entry utf[2] = {E("z", NULL), E("\xc3\xa9", NULL)};
    CHECK_EQ_INT(lpsp_etag_compute(S("u"), NULL, 0, utf, 2, 1, etag, &e), LPSP_OK);
    /* topics are raw bytes, compared unsigned */
    lpsp_sl_entry raw[2] = {{V("\x7f", 1), 0, S("")}, {V("\x80", 1), 0, S("")}};
    CHECK_EQ_INT(lpsp_etag_compute(S("u"), raw, 2, NULL, 0, 1, etag, &e), LPSP_OK);
    /* streaming: order failure releases the context */
    lpsp_etag_builder b;
    CHECK_EQ_INT(lpsp_etag_begin(&b, S("u"), 1, &e), LPSP_OK);
    CHECK_EQ_INT(lpsp_etag_add_exact(&b, S("b"), S(""), &e), LPSP_OK);
    CHECK_EQ_INT(lpsp_etag_add_exact(&b, S("b"), S(""), &e), LPSP_E_OUT_OF_ORDER);
    CHECK(!b.active);
    CHECK_EQ_INT(lpsp_etag_add_exact(&b, S("c"), S(""), &e), LPSP_E_INVALID_ARGUMENT);
    CHECK_EQ_INT(lpsp_etag_finish(&b, etag, &e), LPSP_E_INVALID_ARGUMENT);
    /* exact after glob is a caller error */
    CHECK_EQ_INT(lpsp_etag_begin(&b, S("u"), 1, &e), LPSP_OK);
    CHECK_EQ_INT(lpsp_etag_add_glob(&b, S("g"), S(""), &e), LPSP_OK);
    CHECK_EQ_INT(lpsp_etag_add_exact(&b, S("a"), S(""), &e), LPSP_E_INVALID_ARGUMENT);
    lpsp_etag_abort(&b);
    /* abort in the middle (leak checker watches) */
    CHECK_EQ_INT(lpsp_etag_begin(&b, S("u"), 1, &e), LPSP_OK);
    CHECK_EQ_INT(lpsp_etag_add_exact(&b, S("a"), S(""), &e), LPSP_OK);
    lpsp_etag_abort(&b);
}

static void test_text_and_sizes(void)
{
    lpsp_error e;
    uint8_t etag[64];
    lpsp_etag_builder b;
    CHECK_EQ_INT(lpsp_etag_begin(&b, V("\xff", 1), 1, &e), LPSP_E_BAD_UTF8);
    CHECK(!b.active);
    lpsp_sl_entry badglob[1] = {{V("\xc0\xaf", 2), 0, S("")}};
    CHECK_EQ_INT(lpsp_etag_compute(S("u"), NULL, 0, badglob, 1, 1, etag, &e), LPSP_E_BAD_UTF8);
    /* the same bytes are a fine topic */
    CHECK_EQ_INT(lpsp_etag_compute(S("u"), badglob, 1, NULL, 0, 1, etag, &e), LPSP_OK);
    lpsp_sl_entry badrec[1] = {{S("t"), 1, V("\xed\xa0\x80", 3)}};
    CHECK_EQ_INT(lpsp_etag_compute(S("u"), badrec, 1, NULL, 0, 1, etag, &e), LPSP_E_BAD_UTF8);
    CHECK(e.field && strcmp(e.field, "recovery") == 0);
    uint8_t *big = calloc(1, 65536);
    lpsp_sl_entry longtopic[1] = {{V(big, 65536), 0, S("")}};
    CHECK_EQ_INT(lpsp_etag_compute(S("u"), longtopic, 1, NULL, 0, 1, etag, &e), LPSP_E_INVALID_ARGUMENT);
    CHECK_EQ_INT(lpsp_etag_compute(V(big, 65536), NULL, 0, NULL, 0, 1, etag, &e), LPSP_E_INVALID_ARGUMENT);
    /* a 65535-byte topic is fine and goes around the stash: compare with the document */
    longtopic[0].key.len = 65535;
    size_t n = 0, w = 0;
    CHECK_EQ_INT(lpsp_etag_document_size(S("u"), longtopic, 1, NULL, 0, 1, &n, &e), LPSP_OK);
    uint8_t *doc = malloc(n);
    CHECK_EQ_INT(lpsp_etag_document(S("u"), longtopic, 1, NULL, 0, 1, doc, n, &w, &e), LPSP_OK);
    uint8_t want[64];
    sha512(doc, w, want);
    CHECK_EQ_INT(lpsp_etag_compute(S("u"), longtopic, 1, NULL, 0, 1, etag, &e), LPSP_OK);
    CHECK_MEM(etag, 64, want, 64);
    free(doc);
    free(big);
    /* missing and empty recovery are the same */
    lpsp_sl_entry r1[1] = {{S("t"), 0, S("")}}, r2[1] = {{S("t"), 1, S("")}};
    uint8_t e1[64], e2[64];
    CHECK_EQ_INT(lpsp_etag_compute(S("u"), r1, 1, NULL, 0, 1, e1, &e), LPSP_OK);
    CHECK_EQ_INT(lpsp_etag_compute(S("u"), r2, 1, NULL, 0, 1, e2, &e), LPSP_OK);
    CHECK_MEM(e1, 64, e2, 64);
}

/* Many mixed-size entries: streaming (stash batching) = SHA-512(document). */
static void test_stream_matches_document(void)
{
    enum { N = 3000 };
    lpsp_sl_entry *ex = calloc(N, sizeof *ex);
    char(*keys)[16] = calloc(N, 16);
    static char rec[700];
    memset(rec, 'r', sizeof rec - 1);
    for (int i = 0; i < N; i++) {
        snprintf(keys[i], 16, "k%06d", i);
        ex[i].key = S(keys[i]);
        ex[i].recovery = V(rec, (size_t)(i * 37) % sizeof rec);
    }
    lpsp_error e;
    size_t n = 0, w = 0;
    CHECK_EQ_INT(lpsp_etag_document_size(S("url"), ex, N, ex, N, 1, &n, &e), LPSP_OK);
    uint8_t *doc = malloc(n);
    CHECK_EQ_INT(lpsp_etag_document(S("url"), ex, N, ex, N, 1, doc, n, &w, &e), LPSP_OK);
    uint8_t want[64], got[64];
    sha512(doc, w, want);
    CHECK_EQ_INT(lpsp_etag_compute(S("url"), ex, N, ex, N, 1, got, &e), LPSP_OK);
    CHECK_MEM(got, 64, want, 64);
    free(doc);
    free(keys);
    free(ex);
}

int main(void)
{
    test_examples();
    test_order();
    test_text_and_sizes();
    test_stream_matches_document();
    TEST_MAIN_END();
}
