/* Authorization (spec §10): the §10.5 examples byte-exactly, the to-sign
 * layout of all 21 kinds, every overflow/size refusal, token extraction with
 * its leniencies (QK-34) and strict refusals, Python int(), lenient base64,
 * secret decoding, Bearer tokens. */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdint.h>

#include "fixtures.h"
#include "lpsp.h"
#include "test.h"

static const char SECRET_TEXT[] =
    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0-Pw";
static const char WSURL[] = "websocket:/eq5rPNxA2K9JljNyaKej5x1f8+YEWA6jER80dkVEQg=:-1";

static lpsp_hmac_key KEY;

/* to_sign of f equals hex; signing gives header; the header verifies. */
static void check_example(const lpsp_auth_fields *f, const char *hex, size_t want_len, const char *header)
{
    size_t n, size = 0, w = 0;
    uint8_t *want = test_hex(hex, &n);
    lpsp_error e;
    CHECK_EQ_INT(n, want_len);
    CHECK_EQ_INT(lpsp_hmac_to_sign_size(f, &size, &e), LPSP_OK);
    CHECK_EQ_INT(size, n);
    uint8_t buf[256];
    CHECK_EQ_INT(lpsp_hmac_to_sign(f, buf, sizeof buf, &w, &e), LPSP_OK);
    CHECK_MEM(buf, w, want, n);
    CHECK_EQ_INT(lpsp_hmac_to_sign(f, buf, n - 1, &w, &e), LPSP_E_BUFFER_TOO_SMALL);
    char hdr[LPSP_HMAC_HEADER_MAX];
    CHECK_EQ_INT(lpsp_hmac_header_size(f, &size, &e), LPSP_OK);
    CHECK_EQ_INT(size, strlen(header));
    CHECK_EQ_INT(lpsp_hmac_sign(&KEY, f, hdr, sizeof hdr, &w, &e), LPSP_OK);
    CHECK_MEM(hdr, w, header, strlen(header));
    CHECK_EQ_INT(lpsp_hmac_sign(&KEY, f, hdr, strlen(header) - 1, &w, &e), LPSP_E_BUFFER_TOO_SMALL);
    /* the code equals a plain one-shot HMAC over the to_sign bytes */
    uint8_t code[64], ref[64];
    unsigned int rl = 0;
    uint8_t secret[64];
    fixture_secret(secret);
    HMAC(EVP_sha512(), secret, 64, want, n, ref, &rl);
    CHECK_EQ_INT(lpsp_hmac_code(&KEY, f, code, &e), LPSP_OK);
    CHECK_MEM(code, 64, ref, rl);
    /* the header verifies for the same fields (timestamp/nonce from the token) */
    lpsp_auth_fields g = *f;
    g.timestamp = 0;
    g.nonce = S("other");
    lpsp_hmac_token tok;
    CHECK_EQ_INT(
        lpsp_hmac_verify(&KEY, &g, (const uint8_t *)header, strlen(header), 1, 1700000000, 120, &tok, &e),
        LPSP_OK);
    CHECK_EQ_INT(tok.timestamp, 1700000000);
    CHECK_MEM(tok.nonce.ptr, tok.nonce.len, "abcdef", 6);
    CHECK_MEM(tok.code, 64, ref, 64);
    free(want);
}

static void test_examples(void)
{
    size_t shn;
    uint8_t *sha = test_hex(FIXTURE_SHA512_HI_HEX, &shn);
    lpsp_auth_fields f = fixture_subscribe_exact();
    check_example(
        &f,
        "01 00 00 00 00 65 53 f1 00 06 61 62 63 64 65 66 00 00 00 20 68 74 74 70 3a 2f 2f 31 32 37 2e 30"
        "2e 30 2e 31 3a 33 30 30 32 2f 76 31 2f 72 65 63 65 69 76 65 00 00 00 07 66 6f 6f 2f 62 61 72",
        63, FIXTURE_SUBSCRIBE_EXACT_HEADER);

    f = fixture_auth_example(LPSP_AUTH_NOTIFY);
    f.topic = S("foo/bar");
    f.identifier = V("\xde\xad\xbe\xef", 4);
    f.sha512 = V(sha, 64);
    check_example(
        &f,
        "03 00 00 00 00 65 53 f1 00 06 61 62 63 64 65 66 00 00 00 07 66 6f 6f 2f 62 61 72 04 de ad be ef"
        "15 0a 14 ed 5b ea 6c c7 31 cf 86 c4 15 66 ac 42 7a 8d b4 8e f1 b9 fd 62 66 64 b3 bf bb 99 07 1f"
        "a4 c9 22 f3 3d de 38 71 9b 8c 83 54 e2 b7 ab 9d 77 e0 e6 7f c1 28 43 92 0a 71 2e 73 d5 58 e1 97",
        96,
        "X-HMAC "
        "1700000000:abcdef:1yATyLSNh5IxPgChLpVkleUDbxvlWyI3ghWLUA9zgpRzsyN75/feKF1se0Z4nJU/"
        "osjiytD1tZd+BTKu4sg2lA==");

    uint8_t nonce[32];
    for (int i = 0; i < 32; i++)
        nonce[i] = (uint8_t)i;
    f = fixture_auth_example(LPSP_AUTH_STATEFUL_CONFIGURE);
    f.subscriber_nonce = V(nonce, 32);
    f.enable_zstd = 1;
    f.enable_training = 1;
    check_example(
        &f,
        "04 00 00 00 00 65 53 f1 00 06 61 62 63 64 65 66 00 00 20 00 01 02 03 04 05 06 07 08 09 0a 0b 0c"
        "0d 0e 0f 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f 01 01 00 00",
        55,
        "X-HMAC "
        "1700000000:abcdef:leq362D38VdgmatEuX8/CHDvIUGrWArZpcm7RW2c722QYBvQhCo28iEcasxwnUmxSnNcT/"
        "b7wLHYybs6DyJpMg==");

    f = fixture_auth_example(LPSP_AUTH_SUBSCRIBE_EXACT);
    f.url = S(WSURL);
    f.topic = S("foo/bar");
    check_example(
        &f,
        "01 00 00 00 00 65 53 f1 00 06 61 62 63 64 65 66 00 00 00 39 77 65 62 73 6f 63 6b 65 74 3a 2f 65"
        "71 35 72 50 4e 78 41 32 4b 39 4a 6c 6a 4e 79 61 4b 65 6a 35 78 31 66 38 2b 59 45 57 41 36 6a 45"
        "52 38 30 64 6b 56 45 51 67 3d 3a 2d 31 00 00 00 07 66 6f 6f 2f 62 61 72",
        88,
        "X-HMAC "
        "1700000000:abcdef:NIaGo3BqpBuNIiEpjrlIbRP+Io4zzzA/RD6XdoPTLd6b27dRubAOT6JbMtYC+4Mv/YmTpbcxEKhxebKh/"
        "EXoig==");
    free(sha);
}

/* ---- all 21 layouts, written out from the §10.3.3 table */

static uint8_t SHA[64], ETAG[64];

static lpsp_auth_fields all_fields(int kind)
{
    lpsp_auth_fields f = fixture_auth_fields(kind, 1, "n");
    f.tracing = S("t");
    f.url = S("U");
    f.recovery = S("R");
    f.topic = S("T");
    f.glob = S("G");
    f.identifier = S("I");
    f.sha512 = V(SHA, 64);
    f.subscriber_nonce = S("S");
    f.broadcaster_nonce = S("B");
    f.etag = V(ETAG, 64);
    f.etag_format = 0;
    f.enable_zstd = 1;
    f.enable_training = 0;
    f.initial_dict = 0x0102;
    f.part_id = 7;
    f.num_subscribers = 0x01020304;
    f.subscribers = 0x0a0b0c0d;
    f.zstd_identifier = 0x10000;
    f.compression_level = 3;
    f.min_size = 0x10;
    f.max_size = UINT64_MAX;
    return f;
}

/* Expand "SHA" and "ETAG" tokens into 64 bytes of 11 / 33 hex. */
static char *expand(const char *tail)
{
    static char out[1024];
    char *o = out;
    for (const char *p = tail; *p;) {
        if (strncmp(p, "SHA", 3) == 0 || strncmp(p, "ETAG", 4) == 0) {
            const char *b = *p == 'S' ? "11" : "33";
            for (int i = 0; i < 64; i++, o += 2)
                memcpy(o, b, 2);
            p += *p == 'S' ? 3 : 4;
        } else {
            *o++ = *p++;
        }
    }
    *o = 0;
    return out;
}

static void test_all_kinds(void)
{
    static const char *const tails[LPSP_AUTH_KIND_MAX + 1] = {
        [1] = "0001 55 0001 52 0001 54",
        [2] = "0001 55 0001 52 0001 47",
        [3] = "0001 54 01 49 SHA",
        [4] = "01 53 01 00 0102",
        [5] = "0001 55",
        [6] = "0001 55 00 ETAG",
        [7] = "01 49 07 0001 55",
        [8] = "01 49 01020304 0001 55",
        [9] = "0001 54 0001 55",
        [10] = "0001 55 0001 54 01 49 SHA",
        [11] = "0001 52 0001 54",
        [12] = "0001 55 0001 52 0001 54",
        [13] = "0001 55 0001 52 0001 47",
        [14] = "01 49 0a0b0c0d 0001 54 SHA",
        [15] = "00 ETAG",
        [16] = "00 ETAG",
        [17] = "01 42",
        [18] = "0001 55 00010000 00000003 0000000000000010 ffffffffffffffff",
        [19] = "0001 55 00010000 00000003 0000000000000010 ffffffffffffffff SHA",
        [20] = "00010000 0001 55",
        [21] = "01 49 00000007",
    };
    memset(SHA, 0x11, sizeof SHA);
    memset(ETAG, 0x33, sizeof ETAG);
    for (int k = 1; k <= LPSP_AUTH_KIND_MAX; k++) {
        char hex[1200];
        snprintf(hex, sizeof hex, "%02x 0000000000000001 01 6e 0001 74 %s", k, expand(tails[k]));
        size_t n, w = 0;
        uint8_t *want = test_hex(hex, &n);
        lpsp_auth_fields f = all_fields(k);
        uint8_t buf[512];
        lpsp_error e;
        CHECK_EQ_INT(lpsp_hmac_to_sign(&f, buf, sizeof buf, &w, &e), LPSP_OK);
        if (w != n || memcmp(buf, want, n) != 0)
            fprintf(stderr, "  kind %d (%s) differs\n", k, lpsp_auth_kind_name(k));
        CHECK_MEM(buf, w, want, n);
        /* names round-trip; the field mask covers exactly the tail fields */
        CHECK_EQ_INT(lpsp_auth_kind_from_name(lpsp_auth_kind_name(k)), k);
        CHECK(lpsp_auth_kind_fields(k) != 0);
        free(want);
    }
    CHECK_EQ_INT(lpsp_auth_kind_fields(LPSP_AUTH_NOTIFY),
                 LPSP_AF_TOPIC | LPSP_AF_IDENTIFIER | LPSP_AF_SHA512);
    CHECK_EQ_INT(lpsp_auth_kind_fields(LPSP_AUTH_STATEFUL_DISABLE_ZSTD_CUSTOM),
                 LPSP_AF_ZSTD_IDENTIFIER | LPSP_AF_URL);
    CHECK_EQ_INT(lpsp_auth_kind_fields(0), 0);
    CHECK(lpsp_auth_kind_name(0) == NULL && lpsp_auth_kind_name(22) == NULL);
    CHECK_EQ_INT(lpsp_auth_kind_from_name("UNSUBSCRIBE_EXACT"), 0);
}

static void test_refusals(void)
{
    lpsp_error e;
    size_t n;
    lpsp_auth_fields f;
    uint8_t *big = calloc(1, 70000);
#define EXPECT(kind, stmt, status)                                                                           \
    do {                                                                                                     \
        f = all_fields(kind);                                                                                \
        stmt;                                                                                                \
        CHECK_EQ_INT(lpsp_hmac_to_sign_size(&f, &n, &e), (status));                                          \
    } while (0)
    EXPECT(LPSP_AUTH_STATEFUL_CONTINUE_RECEIVE, f.part_id = 255, LPSP_OK);
    EXPECT(LPSP_AUTH_STATEFUL_CONTINUE_RECEIVE, f.part_id = 256, LPSP_E_OVERFLOW); /* QK-31 */
    CHECK(e.field && strcmp(e.field, "part_id") == 0);
    EXPECT(LPSP_AUTH_STATEFUL_CONTINUE_NOTIFY, f.part_id = 256, LPSP_OK);
    EXPECT(LPSP_AUTH_STATEFUL_CONTINUE_NOTIFY, f.part_id = 1ull << 32, LPSP_E_OVERFLOW);
    EXPECT(LPSP_AUTH_STATEFUL_ENABLE_ZSTD_PRESET, f.compression_level = -1, LPSP_E_OVERFLOW); /* QK-32 */
    CHECK(e.field && strcmp(e.field, "compression_level") == 0);
    EXPECT(LPSP_AUTH_STATEFUL_ENABLE_ZSTD_CUSTOM, f.compression_level = -7, LPSP_E_OVERFLOW);
    EXPECT(LPSP_AUTH_STATEFUL_ENABLE_ZSTD_PRESET, f.compression_level = 1ll << 32, LPSP_E_OVERFLOW);
    EXPECT(LPSP_AUTH_STATEFUL_ENABLE_ZSTD_PRESET, f.zstd_identifier = 1ull << 32, LPSP_E_OVERFLOW);
    EXPECT(LPSP_AUTH_STATEFUL_DISABLE_ZSTD_CUSTOM, f.zstd_identifier = 1ull << 32, LPSP_E_OVERFLOW);
    EXPECT(LPSP_AUTH_CONFIRM_RECEIVE, f.num_subscribers = 1ull << 32, LPSP_E_OVERFLOW);
    EXPECT(LPSP_AUTH_CONFIRM_NOTIFY, f.subscribers = 1ull << 32, LPSP_E_OVERFLOW);
    EXPECT(LPSP_AUTH_STATEFUL_CONFIGURE, f.initial_dict = 65536, LPSP_E_OVERFLOW);
    EXPECT(LPSP_AUTH_SET_SUBSCRIPTIONS, f.etag_format = 256, LPSP_E_OVERFLOW);
    EXPECT(LPSP_AUTH_SET_SUBSCRIPTIONS, f.etag_format = 255, LPSP_OK);
    EXPECT(LPSP_AUTH_NOTIFY, f.nonce = V(big, 256), LPSP_E_OVERFLOW); /* QK-33 */
    CHECK(e.field && strcmp(e.field, "nonce") == 0);
    EXPECT(LPSP_AUTH_NOTIFY, f.nonce = V(big, 255), LPSP_OK);
    EXPECT(LPSP_AUTH_NOTIFY, f.identifier = V(big, 256), LPSP_E_OVERFLOW);
    EXPECT(LPSP_AUTH_STATEFUL_CONFIGURE, f.subscriber_nonce = V(big, 256), LPSP_E_OVERFLOW);
    EXPECT(LPSP_AUTH_STATEFUL_CONFIRM_CONFIGURE, f.broadcaster_nonce = V(big, 256), LPSP_E_OVERFLOW);
    EXPECT(LPSP_AUTH_CHECK_SUBSCRIPTIONS, f.url = V(big, 65536), LPSP_E_OVERFLOW);
    EXPECT(LPSP_AUTH_CHECK_SUBSCRIPTIONS, f.url = V(big, 65535), LPSP_OK);
    EXPECT(LPSP_AUTH_CHECK_SUBSCRIPTIONS, f.tracing = V(big, 65536), LPSP_E_OVERFLOW);
    EXPECT(LPSP_AUTH_MISSED, f.topic = V(big, 65536), LPSP_E_OVERFLOW);
    EXPECT(LPSP_AUTH_NOTIFY, f.sha512.len = 63, LPSP_E_FIELD_SIZE);
    EXPECT(LPSP_AUTH_RECEIVE, f.sha512.len = 65, LPSP_E_FIELD_SIZE);
    EXPECT(LPSP_AUTH_CHECK_SUBSCRIPTIONS_RESPONSE, f.etag.len = 0, LPSP_E_FIELD_SIZE);
    EXPECT(LPSP_AUTH_CHECK_SUBSCRIPTIONS, f.timestamp = UINT64_MAX, LPSP_OK); /* any u64 */
    EXPECT(LPSP_AUTH_CHECK_SUBSCRIPTIONS, f.url = S("\xff"), LPSP_E_BAD_UTF8);
    EXPECT(LPSP_AUTH_SUBSCRIBE_GLOB, f.glob = S("\xc0\x80"), LPSP_E_BAD_UTF8);
    EXPECT(LPSP_AUTH_MISSED, f.recovery = S("\xed\xa0\x80"), LPSP_E_BAD_UTF8);
    EXPECT(LPSP_AUTH_NOTIFY, f.nonce = S("\xff"), LPSP_E_BAD_UTF8);
    EXPECT(LPSP_AUTH_NOTIFY, f.topic = S("\xff"), LPSP_OK); /* topics are bytes */
    EXPECT(0, (void)0, LPSP_E_INVALID_ARGUMENT);
    EXPECT(22, (void)0, LPSP_E_INVALID_ARGUMENT);
    EXPECT(LPSP_AUTH_NOTIFY, f.topic = V(NULL, 3), LPSP_E_INVALID_ARGUMENT);
    /* fields of other kinds are not read */
    EXPECT(LPSP_AUTH_CHECK_SUBSCRIPTIONS, f.sha512.len = 1; f.part_id = 1000, LPSP_OK);
#undef EXPECT
    /* header: a nonce with ':' could not be parsed back */
    f = fixture_auth_example(LPSP_AUTH_CHECK_SUBSCRIPTIONS);
    f.nonce = S("a:b");
    char hdr[LPSP_HMAC_HEADER_MAX];
    CHECK_EQ_INT(lpsp_hmac_sign(&KEY, &f, hdr, sizeof hdr, &n, &e), LPSP_E_INVALID_ARGUMENT);
    f.nonce = V(big, 256);
    CHECK_EQ_INT(lpsp_hmac_sign(&KEY, &f, hdr, sizeof hdr, &n, &e), LPSP_E_OVERFLOW);
    /* the header size query refuses what signing refuses */
    {
        size_t hs = 0;
        lpsp_auth_fields g = fixture_auth_example(LPSP_AUTH_CHECK_SUBSCRIPTIONS);
        g.tracing = V(big, 65536);
        CHECK_EQ_INT(lpsp_hmac_header_size(&g, &hs, &e), LPSP_E_OVERFLOW);
        CHECK_EQ_INT(lpsp_hmac_sign(&KEY, &g, NULL, 0, &hs, &e), LPSP_E_OVERFLOW);
        g = fixture_auth_example(LPSP_AUTH_CHECK_SUBSCRIPTIONS);
        g.nonce = S("\xff");
        CHECK_EQ_INT(lpsp_hmac_header_size(&g, &hs, &e), LPSP_E_BAD_UTF8);
        g.kind = 0;
        CHECK_EQ_INT(lpsp_hmac_header_size(&g, &hs, &e), LPSP_E_INVALID_ARGUMENT);
    }
    /* the longest header fits LPSP_HMAC_HEADER_MAX */
    memset(big, 'n', 255);
    f.nonce = V(big, 255);
    f.timestamp = UINT64_MAX;
    CHECK_EQ_INT(lpsp_hmac_sign(&KEY, &f, hdr, sizeof hdr, &n, &e), LPSP_OK);
    CHECK_EQ_INT(n, LPSP_HMAC_HEADER_MAX);
    CHECK(memcmp(hdr, "X-HMAC 18446744073709551615:", 28) == 0);
    /* to_sign carries the timestamp as 8 big-endian bytes, also above 2^63 */
    {
        uint8_t lo[512], hi[512];
        size_t nl = 0, nh = 0, diff = 0, first = 0;
        f = fixture_auth_example(LPSP_AUTH_CHECK_SUBSCRIPTIONS);
        f.timestamp = 0;
        CHECK_EQ_INT(lpsp_hmac_to_sign(&f, lo, sizeof lo, &nl, &e), LPSP_OK);
        f.timestamp = UINT64_MAX;
        CHECK_EQ_INT(lpsp_hmac_to_sign(&f, hi, sizeof hi, &nh, &e), LPSP_OK);
        CHECK_EQ_INT(nl, nh);
        for (size_t i = 0; i < nl && i < nh; i++)
            if (lo[i] != hi[i]) {
                if (!diff) first = i;
                diff++;
                CHECK(lo[i] == 0x00 && hi[i] == 0xff);
            }
        CHECK_EQ_INT(diff, 8);
        CHECK(nl >= first + 8);
    }
    /* streaming HMAC over a large to_sign equals a one-shot HMAC */
    f = fixture_auth_example(LPSP_AUTH_RECEIVE);
    memset(big, 'u', 65535);
    f.url = V(big, 65535);
    f.topic = V(big, 40000);
    f.sha512 = V(big, 64);
    size_t size = 0;
    CHECK_EQ_INT(lpsp_hmac_to_sign_size(&f, &size, &e), LPSP_OK);
    uint8_t *ts = malloc(size);
    CHECK_EQ_INT(lpsp_hmac_to_sign(&f, ts, size, &n, &e), LPSP_OK);
    uint8_t secret[64], ref[64], code[64];
    fixture_secret(secret);
    unsigned int rl = 0;
    HMAC(EVP_sha512(), secret, 64, ts, n, ref, &rl);
    CHECK_EQ_INT(lpsp_hmac_code(&KEY, &f, code, &e), LPSP_OK);
    CHECK_MEM(code, 64, ref, rl);
    free(ts);
    free(big);
}

/* ---- token extraction and verification */

static const char HDR[] = FIXTURE_SUBSCRIBE_EXACT_HEADER;
static const char CODE[] = FIXTURE_SUBSCRIBE_EXACT_CODE;

static lpsp_status verify_text(const char *auth, int64_t now)
{
    lpsp_auth_fields f = fixture_subscribe_exact();
    lpsp_error e;
    return lpsp_hmac_verify(&KEY, &f, (const uint8_t *)auth, auth ? strlen(auth) : 0, auth != NULL, now, 120,
                            NULL, &e);
}

static lpsp_status verify_with(const char *ts, const char *nonce, const char *code)
{
    char buf[512];
    snprintf(buf, sizeof buf, "X-HMAC %s:%s:%s", ts, nonce, code);
    return verify_text(buf, 1700000000);
}

static void test_verify(void)
{
    const int64_t T = 1700000000;
    CHECK_EQ_INT(verify_text(HDR, T), LPSP_OK);
    /* lifetime: |now - ts| <= 120 */
    CHECK_EQ_INT(verify_text(HDR, T + 120), LPSP_OK);
    CHECK_EQ_INT(verify_text(HDR, T - 120), LPSP_OK);
    CHECK_EQ_INT(verify_text(HDR, T + 121), LPSP_E_FORBIDDEN);
    CHECK_EQ_INT(verify_text(HDR, T - 121), LPSP_E_FORBIDDEN);
    CHECK_EQ_INT(verify_text(HDR, INT64_MIN), LPSP_E_FORBIDDEN);
    CHECK_EQ_INT(verify_text(HDR, INT64_MAX), LPSP_E_FORBIDDEN);
    /* QK-34 leniencies that must keep verifying: Python int() forms */
    CHECK_EQ_INT(verify_with(" 1700000000", "abcdef", CODE), LPSP_OK);
    CHECK_EQ_INT(verify_with("1700000000\t ", "abcdef", CODE), LPSP_OK);
    CHECK_EQ_INT(verify_with("+1700000000", "abcdef", CODE), LPSP_OK);
    CHECK_EQ_INT(verify_with("1_700_000_000", "abcdef", CODE), LPSP_OK);
    CHECK_EQ_INT(verify_with("0001700000000", "abcdef", CODE), LPSP_OK);
    /* ... and lenient base64 forms of the code */
    char code[200];
    snprintf(code, sizeof code, "%.86s", CODE); /* no padding */
    CHECK_EQ_INT(verify_with("1700000000", "abcdef", code), LPSP_OK);
    snprintf(code, sizeof code, "%sAAAA", CODE); /* data after the padding */
    CHECK_EQ_INT(verify_with("1700000000", "abcdef", code), LPSP_OK);
    snprintf(code, sizeof code, " %.10s:%.10s !%s", CODE, CODE + 10, CODE + 20); /* junk, extra ':' */
    CHECK_EQ_INT(verify_with("1700000000", "abcdef", code), LPSP_OK);
    /* refusals */
    snprintf(code, sizeof code, "%s", CODE);
    for (char *p = code; *p; p++)
        *p = *p == '+' ? '-' : *p == '/' ? '_' : *p; /* URL-safe alphabet */
    CHECK_EQ_INT(verify_with("1700000000", "abcdef", code), LPSP_E_FORBIDDEN);
    snprintf(code, sizeof code, "%s", CODE);
    code[0] = 'b'; /* a different code */
    CHECK_EQ_INT(verify_with("1700000000", "abcdef", code), LPSP_E_FORBIDDEN);
    CHECK_EQ_INT(verify_with("1700000001", "abcdef", CODE), LPSP_E_FORBIDDEN); /* signed other ts */
    CHECK_EQ_INT(verify_with("1700000000", "abcdeg", CODE), LPSP_E_FORBIDDEN);
    CHECK_EQ_INT(verify_with("1700000000", "abcdef", "AAAA"), LPSP_E_FORBIDDEN); /* 3 bytes */
    CHECK_EQ_INT(verify_with("1700000000", "abcdef", "A"), LPSP_E_FORBIDDEN);    /* undecodable */
    snprintf(code, sizeof code, "%s\xc3\xa9", CODE);
    CHECK_EQ_INT(verify_with("1700000000", "abcdef", code), LPSP_E_FORBIDDEN); /* non-ASCII code */
    CHECK_EQ_INT(verify_with("0x6553f100", "abcdef", CODE), LPSP_E_FORBIDDEN);
    CHECK_EQ_INT(verify_with("1700000000.0", "abcdef", CODE), LPSP_E_FORBIDDEN);
    CHECK_EQ_INT(verify_with("1__700000000", "abcdef", CODE), LPSP_E_FORBIDDEN);
    CHECK_EQ_INT(verify_with("_1700000000", "abcdef", CODE), LPSP_E_FORBIDDEN);
    CHECK_EQ_INT(verify_with("", "abcdef", CODE), LPSP_E_FORBIDDEN);
    /* Unicode digits and spaces: rejected (strict, QK-34) */
    CHECK_EQ_INT(
        verify_with("\xd9\xa1\xd9\xa7\xd9\xa0\xd9\xa0\xd9\xa0\xd9\xa0\xd9\xa0\xd9\xa0\xd9\xa0\xd9\xa0",
                    "abcdef", CODE),
        LPSP_E_FORBIDDEN);
    CHECK_EQ_INT(verify_with("\xc2\xa0"
                             "1700000000",
                             "abcdef", CODE),
                 LPSP_E_FORBIDDEN);
    CHECK_EQ_INT(verify_text(NULL, T), LPSP_E_UNAUTHORIZED);
    CHECK_EQ_INT(verify_text("", T), LPSP_E_FORBIDDEN);
    CHECK_EQ_INT(verify_text("x-hmac 1700000000:abcdef:AAAA", T), LPSP_E_FORBIDDEN);
    CHECK_EQ_INT(verify_text("X-HMAC 1700000000", T), LPSP_E_FORBIDDEN);
    CHECK_EQ_INT(verify_text("X-HMAC 1700000000:abcdef", T), LPSP_E_FORBIDDEN);
    CHECK_EQ_INT(verify_text("Bearer abc", T), LPSP_E_FORBIDDEN);
    /* QK-33: a nonce over 255 bytes is FORBIDDEN, not an overflow */
    char nonce[300];
    memset(nonce, 'n', 299);
    nonce[299] = 0;
    CHECK_EQ_INT(verify_with("1700000000", nonce, CODE), LPSP_E_FORBIDDEN);
    lpsp_hmac_token tok;
    lpsp_error e;
    char buf[512];
    snprintf(buf, sizeof buf, "X-HMAC 1700000000:%s:%s", nonce, CODE);
    CHECK_EQ_INT(lpsp_hmac_parse_token((const uint8_t *)buf, strlen(buf), 1, T, 120, &tok, &e), LPSP_OK);
    CHECK_EQ_INT(tok.nonce.len, 299);
    /* an empty code is refused; non-ASCII nonces and negative timestamps parse */
    CHECK_EQ_INT(lpsp_hmac_parse_token((const uint8_t *)"X-HMAC 5::", 10, 1, 5, 0, &tok, &e),
                 LPSP_E_FORBIDDEN);
    snprintf(buf, sizeof buf, "X-HMAC -5:\xc3\xa9:%s", CODE);
    CHECK_EQ_INT(lpsp_hmac_parse_token((const uint8_t *)buf, strlen(buf), 1, 0, 10, &tok, &e), LPSP_OK);
    CHECK_EQ_INT(tok.timestamp, -5);
    CHECK_EQ_INT(tok.nonce.len, 2);
    /* a negative timestamp can never have been signed */
    lpsp_auth_fields f = fixture_auth_example(LPSP_AUTH_CHECK_SUBSCRIPTIONS);
    CHECK_EQ_INT(lpsp_hmac_verify(&KEY, &f, (const uint8_t *)buf, strlen(buf), 1, 0, 10, NULL, &e),
                 LPSP_E_FORBIDDEN);
    /* message fields that cannot be signed are reported as such */
    f = fixture_auth_example(LPSP_AUTH_STATEFUL_CONTINUE_RECEIVE);
    f.part_id = 300;
    CHECK_EQ_INT(lpsp_hmac_verify(&KEY, &f, (const uint8_t *)HDR, strlen(HDR), 1, T, 120, NULL, &e),
                 LPSP_E_OVERFLOW);
    /* every prefix of a valid header: OK or FORBIDDEN, never an over-read */
    size_t len = strlen(HDR);
    for (size_t n = 0; n <= len; n++) {
        uint8_t *c = malloc(n ? n : 1);
        memcpy(c, HDR, n);
        lpsp_status st = lpsp_hmac_parse_token(c, n, 1, T, 120, &tok, &e);
        CHECK_EQ_INT(st, n >= len - 2 ? LPSP_OK : LPSP_E_FORBIDDEN);
        free(c);
    }
}

/* ---- Python int(), lenient base64, secrets, Bearer */

static lpsp_status pyint(const char *s, int64_t *v)
{
    lpsp_error e;
    return lpsp_py_int_parse((const uint8_t *)s, strlen(s), v, &e);
}

static void test_py_int(void)
{
    int64_t v = 0;
    CHECK_EQ_INT(pyint("0", &v), LPSP_OK);
    CHECK_EQ_INT(v, 0);
    CHECK_EQ_INT(pyint(" \t\n\v\f\r12\r\n", &v), LPSP_OK);
    CHECK_EQ_INT(v, 12);
    CHECK_EQ_INT(pyint("+1_0", &v), LPSP_OK);
    CHECK_EQ_INT(v, 10);
    CHECK_EQ_INT(pyint("-0", &v), LPSP_OK);
    CHECK_EQ_INT(v, 0);
    CHECK_EQ_INT(pyint("-1_2_3", &v), LPSP_OK);
    CHECK_EQ_INT(v, -123);
    CHECK_EQ_INT(pyint("007", &v), LPSP_OK);
    CHECK_EQ_INT(v, 7);
    CHECK_EQ_INT(pyint("9223372036854775807", &v), LPSP_OK);
    CHECK_EQ_INT(v, INT64_MAX);
    CHECK_EQ_INT(pyint("-9223372036854775808", &v), LPSP_OK);
    CHECK(v == INT64_MIN);
    CHECK_EQ_INT(pyint("9223372036854775808", &v), LPSP_E_OVERFLOW);
    CHECK_EQ_INT(pyint("-9223372036854775809", &v), LPSP_E_OVERFLOW);
    CHECK_EQ_INT(pyint("99999999999999999999999999", &v), LPSP_E_OVERFLOW);
    CHECK_EQ_INT(pyint("99999999999999999999999999x", &v), LPSP_E_INVALID_VALUE);
    static const char *const bad[] = {
        "",    " ",   "+",   "-",   "1 0", "0x10",         "1.0",       "1__0",     "_10",
        "10_", "- 1", "1e3", "+-1", "1_ ", "\xef\xbc\x91", "1\xc2\xa0", "\xd9\xa1", "٣"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_EQ_INT(pyint(bad[i], &v), LPSP_E_INVALID_VALUE);
}

static lpsp_status b64l(const char *s, uint8_t *out, size_t cap, size_t *n)
{
    lpsp_error e;
    return lpsp_b64_decode_lenient((const uint8_t *)s, strlen(s), out, cap, n, &e);
}

static void test_b64(void)
{
    uint8_t out[64];
    size_t n = 0;
    CHECK_EQ_INT(b64l("", out, sizeof out, &n), LPSP_OK);
    CHECK_EQ_INT(n, 0);
    CHECK_EQ_INT(b64l("QQ==", out, sizeof out, &n), LPSP_OK);
    CHECK_MEM(out, n, "A", 1);
    CHECK_EQ_INT(b64l("QUJD", out, sizeof out, &n), LPSP_OK);
    CHECK_MEM(out, n, "ABC", 3);
    CHECK_EQ_INT(b64l("QUI=", out, sizeof out, &n), LPSP_OK);
    CHECK_MEM(out, n, "AB", 2);
    CHECK_EQ_INT(b64l("QU=JD", out, sizeof out, &n), LPSP_OK); /* '=' then data: pads reset */
    CHECK_MEM(out, n, "ABC", 3);
    CHECK_EQ_INT(b64l("=Q=Q==", out, sizeof out, &n), LPSP_OK); /* '=' before q = 2 is ignored */
    CHECK_MEM(out, n, "A", 1);
    CHECK_EQ_INT(b64l("QQ==QUJD", out, sizeof out, &n), LPSP_OK); /* stop after padding */
    CHECK_MEM(out, n, "A", 1);
    CHECK_EQ_INT(b64l("QQ==\xc3\xa9", out, sizeof out, &n), LPSP_E_BAD_BASE64); /* ASCII check goes on */
    CHECK_EQ_INT(b64l(" Q\nQ-_:= =", out, sizeof out, &n), LPSP_OK);
    CHECK_MEM(out, n, "A", 1);
    CHECK_EQ_INT(b64l("QR==", out, sizeof out, &n), LPSP_OK); /* leftover bits unchecked */
    CHECK_MEM(out, n, "A", 1);
    CHECK_EQ_INT(b64l("Q", out, sizeof out, &n), LPSP_E_BAD_BASE64);
    CHECK_EQ_INT(b64l("QUJDR", out, sizeof out, &n), LPSP_E_BAD_BASE64);
    CHECK_EQ_INT(b64l("QQ", out, sizeof out, &n), LPSP_E_BAD_BASE64);
    CHECK_EQ_INT(b64l("QQ=", out, sizeof out, &n), LPSP_E_BAD_BASE64);
    CHECK_EQ_INT(b64l("QUI", out, sizeof out, &n), LPSP_E_BAD_BASE64);
    CHECK_EQ_INT(b64l("Q===", out, sizeof out, &n), LPSP_E_BAD_BASE64);
    CHECK_EQ_INT(b64l("-_-_", out, sizeof out, &n), LPSP_OK);
    CHECK_EQ_INT(n, 0);
    CHECK_EQ_INT(b64l("QUJD", out, 2, &n), LPSP_E_BUFFER_TOO_SMALL);
    CHECK_EQ_INT(n, 3);
    CHECK_EQ_INT(lpsp_b64_lenient_max(4), 6);
    /* the encoder */
    char enc[16];
    size_t w = 0;
    lpsp_error e;
    CHECK_EQ_INT(lpsp_b64_encode((const uint8_t *)"A", 1, enc, sizeof enc, &w, &e), LPSP_OK);
    CHECK_MEM(enc, w, "QQ==", 4);
    CHECK_EQ_INT(lpsp_b64_encode((const uint8_t *)"AB", 2, enc, sizeof enc, &w, &e), LPSP_OK);
    CHECK_MEM(enc, w, "QUI=", 4);
    CHECK_EQ_INT(lpsp_b64_encode((const uint8_t *)"\xfb\xff", 2, enc, sizeof enc, &w, &e), LPSP_OK);
    CHECK_MEM(enc, w, "+/8=", 4);
    CHECK_EQ_INT(lpsp_b64_encode((const uint8_t *)"", 0, enc, 0, &w, &e), LPSP_OK);
    CHECK_EQ_INT(w, 0);
    CHECK_EQ_INT(lpsp_b64_encode((const uint8_t *)"ABCD", 4, enc, 7, &w, &e), LPSP_E_BUFFER_TOO_SMALL);
}

static void test_secret(void)
{
    uint8_t s[64], want[64];
    lpsp_error e;
    fixture_secret(want);
    CHECK_EQ_INT(lpsp_hmac_secret_decode((const uint8_t *)SECRET_TEXT, strlen(SECRET_TEXT), s, &e), LPSP_OK);
    CHECK_MEM(s, 64, want, 64);
    /* standard alphabet, padded */
    char std[100];
    snprintf(std, sizeof std, "%.83s+Pw==", SECRET_TEXT);
    CHECK_EQ_INT(lpsp_hmac_secret_decode((const uint8_t *)std, strlen(std), s, &e), LPSP_OK);
    CHECK_MEM(s, 64, want, 64);
    CHECK_EQ_INT(lpsp_hmac_secret_decode((const uint8_t *)SECRET_TEXT, 80, s, &e), LPSP_E_FIELD_SIZE);
    CHECK_EQ_INT(lpsp_hmac_secret_decode((const uint8_t *)"QUJD", 4, s, &e), LPSP_E_FIELD_SIZE);
    snprintf(std, sizeof std, "%s\xc3\xa9", SECRET_TEXT);
    CHECK_EQ_INT(lpsp_hmac_secret_decode((const uint8_t *)std, strlen(std), s, &e), LPSP_E_BAD_BASE64);
    CHECK_EQ_INT(lpsp_hmac_secret_decode((const uint8_t *)"Q", 1, s, &e), LPSP_E_BAD_BASE64);
    lpsp_hmac_key k;
    CHECK_EQ_INT(lpsp_hmac_key_init(&k, want, 63, &e), LPSP_E_FIELD_SIZE);
}

static lpsp_status bearer(const char *token, const char *auth)
{
    lpsp_error e;
    return lpsp_bearer_check((const uint8_t *)token, strlen(token), (const uint8_t *)auth,
                             auth ? strlen(auth) : 0, auth != NULL, &e);
}

static void test_bearer(void)
{
    CHECK_EQ_INT(bearer("s3cret", "Bearer s3cret"), LPSP_OK);
    CHECK_EQ_INT(bearer("s3cret", NULL), LPSP_E_UNAUTHORIZED);
    CHECK_EQ_INT(bearer("s3cret", ""), LPSP_E_FORBIDDEN);
    CHECK_EQ_INT(bearer("s3cret", "bearer s3cret"), LPSP_E_FORBIDDEN);
    CHECK_EQ_INT(bearer("s3cret", "Bearer s3cret "), LPSP_E_FORBIDDEN);
    CHECK_EQ_INT(bearer("s3cret", " Bearer s3cret"), LPSP_E_FORBIDDEN);
    CHECK_EQ_INT(bearer("s3cret", "Bearer s3creT"), LPSP_E_FORBIDDEN);
    CHECK_EQ_INT(bearer("s3cret", "Bearer s3cr\xc3\xa9"), LPSP_E_FORBIDDEN); /* QK-36 */
    CHECK_EQ_INT(bearer("", "Bearer "), LPSP_OK);
    CHECK_EQ_INT(bearer("t\xc3\xa9", "Bearer t\xc3\xa9"), LPSP_E_INVALID_ARGUMENT);
    char buf[32];
    size_t w = 0;
    lpsp_error e;
    CHECK_EQ_INT(lpsp_bearer_format((const uint8_t *)"tok", 3, buf, sizeof buf, &w, &e), LPSP_OK);
    CHECK_MEM(buf, w, "Bearer tok", 10);
    CHECK_EQ_INT(lpsp_bearer_format((const uint8_t *)"tok", 3, buf, 9, &w, &e), LPSP_E_BUFFER_TOO_SMALL);
    CHECK_EQ_INT(lpsp_bearer_format((const uint8_t *)"\xc3\xa9", 2, buf, sizeof buf, &w, &e),
                 LPSP_E_INVALID_ARGUMENT);
}

int main(void)
{
    uint8_t secret[64];
    lpsp_error e;
    if (lpsp_hmac_secret_decode((const uint8_t *)SECRET_TEXT, strlen(SECRET_TEXT), secret, &e) != LPSP_OK ||
        lpsp_hmac_key_init(&KEY, secret, sizeof secret, &e) != LPSP_OK) {
        fprintf(stderr, "key setup failed: %s\n", e.reason);
        return 1;
    }
    test_examples();
    test_all_kinds();
    test_refusals();
    test_verify();
    test_py_int();
    test_b64();
    test_secret();
    test_bearer();
    lpsp_hmac_key_free(&KEY);
    TEST_MAIN_END();
}
