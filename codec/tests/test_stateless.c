/* Stateless bodies (spec §8): the §8.5 examples byte-exactly, every
 * validation rule, every truncation, the SET_SUBSCRIPTIONS iterator and the
 * Repr-Digest header. */
#include <stdint.h>

#include "fixtures.h"
#include "lpsp.h"
#include "test.h"

#define CHECK_VIEW(v, p, n) CHECK_MEM((v).ptr, (v).len, (p), (n))
#define CHECK_VIEW_S(v, s)  CHECK_MEM((v).ptr, (v).len, (s), strlen(s))

static const char URL[] = FIXTURE_URL;
static const char RECOVER[] = FIXTURE_RECOVER;

/* §8.5 */
static const char HEX_NOTIFY[] =
    "00 07 66 6f 6f 2f 62 61 72 15 0a 14 ed 5b ea 6c c7 31 cf 86 c4 15 66 ac 42 7a 8d b4 8e f1 b9 fd"
    "62 66 64 b3 bf bb 99 07 1f a4 c9 22 f3 3d de 38 71 9b 8c 83 54 e2 b7 ab 9d 77 e0 e6 7f c1 28 43"
    "92 0a 71 2e 73 d5 58 e1 97 00 00 04 de ad be ef 00 00 00 00 00 00 00 02 68 69";
static const char HEX_SHA512_HI[] = FIXTURE_SHA512_HI_HEX;
static const char HEX_RESPONSE_NOTIFY[] = "00 04 00 00 00 00 00 00 00 03 04 de ad be ef";
static const char HEX_SUBSCRIBE_EXACT[] =
    "00 20 68 74 74 70 3a 2f 2f 31 32 37 2e 30 2e 30 2e 31 3a 33 30 30 32 2f 76 31 2f 72 65 63 65 69"
    "76 65 00 07 66 6f 6f 2f 62 61 72 00 20 68 74 74 70 3a 2f 2f 31 32 37 2e 30 2e 30 2e 31 3a 33 30"
    "30 32 2f 76 31 2f 72 65 63 6f 76 65 72 00 00";
static const char HEX_RESPONSE_GENERIC[] = "00 03 00 00 00 00";
static const char HEX_RECEIVE[] =
    "00 00 00 07 66 6f 6f 2f 62 61 72 08 00 01 02 03 04 05 06 07 00 00 00 00 00 00 00 02 68 69";
static const char HEX_CONFIRM_RECEIVE[] = "00 08 00 00 00 00 08 00 01 02 03 04 05 06 07 00 00 00 01";
static const char HEX_CHECK_SUBS[] =
    "00 00 00 20 68 74 74 70 3a 2f 2f 31 32 37 2e 30 2e 30 2e 31 3a 33 30 30 32 2f 76 31 2f 72 65 63"
    "65 69 76 65";
static const char HEX_SET_SUBS[] =
    "00 00 00 20 68 74 74 70 3a 2f 2f 31 32 37 2e 30 2e 30 2e 31 3a 33 30 30 32 2f 76 31 2f 72 65 63"
    "65 69 76 65 00 04 33 f2 f3 b6 05 45 29 ac 97 94 d4 62 22 64 6b 46 03 aa 77 90 cc 53 74 c7 81 4e"
    "78 0f b9 10 c3 fa a4 22 9f 4b 4a 61 37 c6 56 15 07 c2 5f 8f 8e e4 2a ff 6f af 8c 77 2b f9 05 50"
    "9b b9 7a 7e 8a 00 00 00 02 00 01 61 00 00 00 03 62 2f 63 00 20 68 74 74 70 3a 2f 2f 31 32 37 2e"
    "30 2e 30 2e 31 3a 33 30 30 32 2f 76 31 2f 72 65 63 6f 76 65 72 00 00 00 01 00 03 78 2f 2a 00 00";
static const char REPR_DIGEST_HI[] =
    "sha-512=FQoU7VvqbMcxz4bEFWasQnqNtI7xuf1iZmSzv7uZBx+kySLzPd44cZuMg1Tit6udd+Dmf8EoQ5IKcS5z1Vjhlw==";

/* Parse a copy of buf[0..len) in an exactly-sized heap block (so ASan sees
 * any over-read). */
static lpsp_status parse_copy(lpsp_sl_body body, const uint8_t *buf, size_t len, unsigned opts,
                              lpsp_sl_msg *m, lpsp_error *e)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (len) memcpy(copy, buf, len);
    lpsp_status st = lpsp_sl_parse(body, copy, len, opts, m, e);
    free(copy);
    return st;
}

/* Every strict prefix of a valid example is truncated; never OK, never a
 * crash. */
static void check_truncations(lpsp_sl_body body, const uint8_t *buf, size_t len)
{
    for (size_t n = 0; n < len; n++) {
        lpsp_sl_msg m;
        lpsp_error e;
        lpsp_status st = parse_copy(body, buf, n, 0, &m, &e);
        if (st != LPSP_E_TRUNCATED) fprintf(stderr, "  %s prefix %zu: %d\n", lpsp_sl_body_name(body), n, st);
        CHECK_EQ_INT(st, LPSP_E_TRUNCATED);
    }
}

/* Serialize m and compare with want[0..n); also check the size query and
 * that a buffer one byte short is refused without writing past it. */
static void check_serialize(const lpsp_sl_msg *m, const uint8_t *want, size_t n)
{
    size_t size = 0, written = 0;
    lpsp_error e;
    CHECK_EQ_INT(lpsp_sl_serialized_size(m, &size, &e), LPSP_OK);
    CHECK_EQ_INT(size, n);
    uint8_t *out = malloc(n + 1);
    CHECK_EQ_INT(lpsp_sl_serialize(m, out, n, &written, &e), LPSP_OK);
    CHECK_MEM(out, written, want, n);
    if (n) CHECK_EQ_INT(lpsp_sl_serialize(m, out, n - 1, &written, &e), LPSP_E_BUFFER_TOO_SMALL);
    free(out);
}

/* An example body in hex: its bytes (returned, *n of them) parse as body
 * into m, m serializes back to them and every strict prefix is truncated. */
static uint8_t *check_example(lpsp_sl_body body, const char *hex, size_t *n, lpsp_sl_msg *m)
{
    lpsp_error e;
    uint8_t *b = test_hex(hex, n);
    CHECK_EQ_INT(lpsp_sl_parse(body, b, *n, 0, m, &e), LPSP_OK);
    check_serialize(m, b, *n);
    check_truncations(body, b, *n);
    return b;
}

/* m serializes into out[0..cap) (*w bytes), which parse back as m's body. */
static void round_trip(const lpsp_sl_msg *m, uint8_t *out, size_t cap, size_t *w, lpsp_sl_msg *back)
{
    lpsp_error e;
    CHECK_EQ_INT(lpsp_sl_serialize(m, out, cap, w, &e), LPSP_OK);
    CHECK_EQ_INT(lpsp_sl_parse(m->body, out, *w, 0, back, &e), LPSP_OK);
}

/* One byte of a valid body changed: the status of the parse, and the
 * field (unless NULL) and offset (unless -1) the error names. */
typedef struct {
    size_t at;
    uint8_t byte;
    lpsp_sl_body body;
    unsigned opts;
    lpsp_status want;
    const char *field;
    long offset;
} byte_change;

static void check_changes(const uint8_t *b, size_t n, const byte_change *ch, size_t count)
{
    uint8_t *c = malloc(n);
    for (size_t i = 0; i < count; i++) {
        lpsp_sl_msg m;
        lpsp_error e;
        memcpy(c, b, n);
        c[ch[i].at] = ch[i].byte;
        lpsp_status st = lpsp_sl_parse(ch[i].body, c, n, ch[i].opts, &m, &e);
        if (st != ch[i].want)
            fprintf(stderr, "  byte %zu = %02x: %s\n", ch[i].at, ch[i].byte, lpsp_status_name(st));
        CHECK_EQ_INT(st, ch[i].want);
        if (ch[i].field) CHECK(e.field && strcmp(e.field, ch[i].field) == 0);
        if (ch[i].offset >= 0) CHECK_EQ_INT(e.offset, ch[i].offset);
    }
    free(c);
}

static void test_notify(void)
{
    size_t n, shn;
    lpsp_sl_msg m;
    lpsp_error e;
    uint8_t *b = check_example(LPSP_SL_NOTIFY, HEX_NOTIFY, &n, &m), *sha = test_hex(HEX_SHA512_HI, &shn);
    CHECK_EQ_INT(n, 90);
    CHECK_EQ_INT(m.body, LPSP_SL_NOTIFY);
    CHECK_VIEW_S(m.topic, "foo/bar");
    CHECK_VIEW(m.sha512, sha, 64);
    CHECK_EQ_INT(m.tracing.len, 0);
    CHECK_VIEW(m.identifier, "\xde\xad\xbe\xef", 4);
    CHECK_VIEW_S(m.message, "hi");

    /* exact length: one byte more is a length mismatch */
    uint8_t *longer = malloc(n + 1);
    memcpy(longer, b, n);
    longer[n] = 'x';
    CHECK_EQ_INT(lpsp_sl_parse(LPSP_SL_NOTIFY, longer, n + 1, 0, &m, &e), LPSP_E_LENGTH_MISMATCH);
    CHECK(e.field && strcmp(e.field, "message") == 0);
    CHECK_EQ_INT(e.offset, n);
    /* a digest mismatch is rejected, unless skipped */
    memcpy(longer, b, n);
    longer[n - 1] = 'o';
    CHECK_EQ_INT(lpsp_sl_parse(LPSP_SL_NOTIFY, longer, n, 0, &m, &e), LPSP_E_HASH_MISMATCH);
    CHECK_EQ_INT(e.offset, 9);
    CHECK_EQ_INT(lpsp_sl_parse(LPSP_SL_NOTIFY, longer, n, LPSP_SL_SKIP_DIGEST, &m, &e), LPSP_OK);
    /* the serializer refuses a digest that does not match, and bad sizes */
    CHECK_EQ_INT(lpsp_sl_serialized_size(&m, &n, &e), LPSP_E_INVALID_ARGUMENT);
    CHECK_EQ_INT(lpsp_sl_parse(LPSP_SL_NOTIFY, b, 90, 0, &m, &e), LPSP_OK);
    lpsp_sl_msg bad = m;
    bad.sha512.len = 63;
    CHECK_EQ_INT(lpsp_sl_serialized_size(&bad, &n, &e), LPSP_E_INVALID_ARGUMENT);
    uint8_t ident[256] = {0};
    bad = m;
    bad.identifier = V(ident, 256);
    CHECK_EQ_INT(lpsp_sl_serialized_size(&bad, &n, &e), LPSP_E_INVALID_ARGUMENT);
    CHECK(e.field && strcmp(e.field, "identifier") == 0);
    bad.identifier = V(ident, 255); /* u8 identifier: up to 255 */
    uint8_t out[512];
    CHECK_EQ_INT(lpsp_sl_serialize(&bad, out, sizeof out, &n, &e), LPSP_OK);
    CHECK_EQ_INT(n, 90 - 4 + 255);
    lpsp_sl_msg back;
    CHECK_EQ_INT(lpsp_sl_parse(LPSP_SL_NOTIFY, out, n, 0, &back, &e), LPSP_OK);
    CHECK_EQ_INT(back.identifier.len, 255);
    /* check_digest helper (RECEIVE + Repr-Digest) */
    CHECK_EQ_INT(lpsp_sl_check_digest(S("hi"), V(sha, 64), &e), LPSP_OK);
    CHECK_EQ_INT(lpsp_sl_check_digest(S("ho"), V(sha, 64), &e), LPSP_E_HASH_MISMATCH);
    CHECK_EQ_INT(lpsp_sl_check_digest(S("hi"), V(sha, 63), &e), LPSP_E_FIELD_SIZE);
    free(longer);
    free(b);
    free(sha);
}

static void test_receive(void)
{
    size_t n;
    lpsp_sl_msg m;
    lpsp_error e;
    uint8_t *b = check_example(LPSP_SL_RECEIVE, HEX_RECEIVE, &n, &m);
    CHECK_EQ_INT(n, 30);
    CHECK_EQ_INT(m.tracing.len, 0);
    CHECK_VIEW_S(m.topic, "foo/bar");
    CHECK_VIEW(m.identifier, "\x00\x01\x02\x03\x04\x05\x06\x07", 8);
    CHECK_VIEW_S(m.message, "hi");
    uint8_t longer[31];
    memcpy(longer, b, 30);
    longer[30] = 0;
    CHECK_EQ_INT(lpsp_sl_parse(LPSP_SL_RECEIVE, longer, 31, 0, &m, &e), LPSP_E_LENGTH_MISMATCH);
    /* a huge declared length is truncation, not an overflow */
    memcpy(longer, b, 30);
    memset(longer + 20, 0xff, 8);
    CHECK_EQ_INT(lpsp_sl_parse(LPSP_SL_RECEIVE, longer, 30, 0, &m, &e), LPSP_E_TRUNCATED);
    free(b);
}

static void test_subscribe(void)
{
    size_t n;
    lpsp_sl_msg m;
    lpsp_error e;
    uint8_t *b = check_example(LPSP_SL_SUBSCRIBE_EXACT, HEX_SUBSCRIBE_EXACT, &n, &m);
    CHECK_EQ_INT(n, 79);
    CHECK_VIEW_S(m.url, URL);
    CHECK_VIEW_S(m.topic, "foo/bar");
    CHECK(m.has_recovery);
    CHECK_VIEW_S(m.recovery, RECOVER);
    CHECK_EQ_INT(m.tracing.len, 0);

    /* trailing bytes are ignored (QK-47) */
    uint8_t *more = malloc(n + 3);
    memcpy(more, b, n);
    memcpy(more + n, "zzz", 3);
    CHECK_EQ_INT(lpsp_sl_parse(LPSP_SL_SUBSCRIBE_EXACT, more, n + 3, 0, &m, &e), LPSP_OK);
    /* the same bytes read as SUBSCRIBE_GLOB: glob "foo/bar" */
    CHECK_EQ_INT(lpsp_sl_parse(LPSP_SL_SUBSCRIBE_GLOB, b, n, 0, &m, &e), LPSP_OK);
    CHECK_VIEW_S(m.glob, "foo/bar");
    check_serialize(&m, b, n);
    /* invalid UTF-8 in url, glob and recovery; topics are raw bytes */
    static const byte_change changes[] = {
        {2, 0xff, LPSP_SL_SUBSCRIBE_EXACT, 0, LPSP_E_BAD_UTF8, "url", 2},
        {36, 0xc0, LPSP_SL_SUBSCRIBE_EXACT, 0, LPSP_OK, NULL, -1}, /* first topic byte */
        {36, 0xc0, LPSP_SL_SUBSCRIBE_GLOB, 0, LPSP_E_BAD_UTF8, "glob", -1},
        /* byte n - 3: recovery ends "...r", make it a lone lead byte */
        {79 - 3, 0xed, LPSP_SL_SUBSCRIBE_EXACT, 0, LPSP_E_BAD_UTF8, "recovery", -1},
    };
    check_changes(b, n, changes, sizeof changes / sizeof changes[0]);
    /* no recovery: R = 0 */
    lpsp_sl_msg_init(&m, LPSP_SL_SUBSCRIBE_EXACT);
    m.url = S(URL);
    m.topic = S("a");
    uint8_t out[128];
    size_t w = 0;
    lpsp_sl_msg back;
    round_trip(&m, out, sizeof out, &w, &back);
    CHECK(!back.has_recovery);
    /* UNSUBSCRIBE: no recovery field */
    m.body = LPSP_SL_UNSUBSCRIBE_EXACT;
    m.tracing = S("t");
    round_trip(&m, out, sizeof out, &w, &back);
    CHECK_EQ_INT(w, 2 + 32 + 2 + 1 + 2 + 1);
    CHECK_VIEW_S(back.tracing, "t");
    check_truncations(LPSP_SL_UNSUBSCRIBE_EXACT, out, w);
    m.body = LPSP_SL_UNSUBSCRIBE_GLOB;
    m.glob = S("x/*");
    round_trip(&m, out, sizeof out, &w, &back);
    CHECK_VIEW_S(back.glob, "x/*");
    check_truncations(LPSP_SL_UNSUBSCRIBE_GLOB, out, w);
    /* serializer refuses invalid UTF-8 and over-long fields */
    m.url = V("\xff", 1);
    CHECK_EQ_INT(lpsp_sl_serialize(&m, out, sizeof out, &w, &e), LPSP_E_INVALID_ARGUMENT);
    uint8_t *big = calloc(1, 65536);
    m.url = S(URL);
    m.tracing = V(big, 65536);
    CHECK_EQ_INT(lpsp_sl_serialize(&m, out, sizeof out, &w, &e), LPSP_E_INVALID_ARGUMENT);
    free(big);
    free(more);
    free(b);
}

static void test_check_and_missed(void)
{
    size_t n;
    lpsp_sl_msg m;
    lpsp_error e;
    uint8_t *b = check_example(LPSP_SL_CHECK_SUBSCRIPTIONS, HEX_CHECK_SUBS, &n, &m);
    CHECK_EQ_INT(m.tracing.len, 0);
    CHECK_VIEW_S(m.url, URL);
    /* MISSED: tracing, topic; trailing bytes ignored */
    static const uint8_t missed[] = {0, 1, 't', 0, 3, 'a', '/', 'b', 9, 9};
    CHECK_EQ_INT(lpsp_sl_parse(LPSP_SL_MISSED, missed, sizeof missed, 0, &m, &e), LPSP_OK);
    CHECK_VIEW_S(m.tracing, "t");
    CHECK_VIEW_S(m.topic, "a/b");
    check_serialize(&m, missed, sizeof missed - 2);
    check_truncations(LPSP_SL_MISSED, missed, sizeof missed - 2);
    free(b);
}

static void test_responses(void)
{
    size_t n;
    lpsp_sl_msg m;
    lpsp_error e;
    uint8_t *b = check_example(LPSP_SL_RESPONSE_NOTIFY, HEX_RESPONSE_NOTIFY, &n, &m);
    CHECK(!m.has_authorization);
    CHECK_EQ_INT(m.subscribers, 3);
    CHECK_VIEW(m.identifier, "\xde\xad\xbe\xef", 4);
    /* wrong type */
    CHECK_EQ_INT(lpsp_sl_parse(LPSP_SL_RESPONSE_GENERIC, b, n, 0, &m, &e), LPSP_E_BAD_TYPE);
    CHECK_EQ_INT(e.offset, 0);
    free(b);

    b = check_example(LPSP_SL_RESPONSE_GENERIC, HEX_RESPONSE_GENERIC, &n, &m);
    CHECK(!m.has_authorization);
    /* the same layout as RESPONSE_CONFIRM_MISSED but with type 3 */
    CHECK_EQ_INT(lpsp_sl_parse(LPSP_SL_RESPONSE_CONFIRM_MISSED, b, n, 0, &m, &e), LPSP_E_BAD_TYPE);
    free(b);

    b = check_example(LPSP_SL_RESPONSE_CONFIRM_RECEIVE, HEX_CONFIRM_RECEIVE, &n, &m);
    CHECK_EQ_INT(m.body, LPSP_SL_RESPONSE_CONFIRM_RECEIVE);
    CHECK_VIEW(m.identifier, "\x00\x01\x02\x03\x04\x05\x06\x07", 8);
    CHECK_EQ_INT(m.subscribers, 1);
    free(b);

    /* type 10 through the CONFIRM_RECEIVE parser, with trailing bytes too */
    static const uint8_t unsub[] = {0, 10, 1, 2};
    CHECK_EQ_INT(lpsp_sl_parse(LPSP_SL_RESPONSE_CONFIRM_RECEIVE, unsub, 2, 0, &m, &e), LPSP_OK);
    CHECK_EQ_INT(m.body, LPSP_SL_RESPONSE_UNSUBSCRIBE_IMMEDIATE);
    CHECK_EQ_INT(lpsp_sl_parse(LPSP_SL_RESPONSE_CONFIRM_RECEIVE, unsub, 4, 0, &m, &e), LPSP_OK);
    CHECK_EQ_INT(lpsp_sl_parse(LPSP_SL_RESPONSE_UNSUBSCRIBE_IMMEDIATE, unsub, 2, 0, &m, &e), LPSP_OK);
    check_serialize(&m, unsub, 2);
    check_truncations(LPSP_SL_RESPONSE_UNSUBSCRIBE_IMMEDIATE, unsub, 2);
    static const uint8_t type9[] = {0, 9, 0, 0, 0, 0};
    CHECK_EQ_INT(lpsp_sl_parse(LPSP_SL_RESPONSE_CONFIRM_RECEIVE, type9, 6, 0, &m, &e), LPSP_E_BAD_TYPE);
    CHECK_EQ_INT(lpsp_sl_parse(LPSP_SL_RESPONSE_UNSUBSCRIBE_IMMEDIATE, type9, 6, 0, &m, &e), LPSP_E_BAD_TYPE);
    /* RESPONSE_CONFIRM_MISSED: authorization kept, empty means none */
    CHECK_EQ_INT(lpsp_sl_parse(LPSP_SL_RESPONSE_CONFIRM_MISSED, type9, 6, 0, &m, &e), LPSP_OK);
    CHECK(!m.has_authorization);
    check_truncations(LPSP_SL_RESPONSE_CONFIRM_MISSED, type9, 6);

    /* authorization: strict UTF-8, round trip */
    lpsp_sl_msg_init(&m, LPSP_SL_RESPONSE_CONFIRM_MISSED);
    m.has_authorization = 1;
    m.authorization = S("Bearer \xc3\xa9");
    m.tracing = S("tr");
    uint8_t out[64];
    size_t w = 0;
    lpsp_sl_msg back;
    round_trip(&m, out, sizeof out, &w, &back);
    CHECK(back.has_authorization);
    CHECK_VIEW_S(back.authorization, "Bearer \xc3\xa9");
    CHECK_VIEW_S(back.tracing, "tr");
    out[4 + 7] = 0x80; /* break the UTF-8 of the authorization */
    CHECK_EQ_INT(lpsp_sl_parse(LPSP_SL_RESPONSE_CONFIRM_MISSED, out, w, 0, &back, &e), LPSP_E_BAD_UTF8);
    CHECK(e.field && strcmp(e.field, "authorization") == 0);
    m.authorization = V("\xed\xa0\x80", 3); /* surrogate */
    CHECK_EQ_INT(lpsp_sl_serialize(&m, out, sizeof out, &w, &e), LPSP_E_INVALID_ARGUMENT);

    /* RESPONSE_CHECK_SUBSCRIPTIONS: format byte 0 and 64-byte etag */
    uint8_t etag[64];
    memset(etag, 0xab, sizeof etag);
    lpsp_sl_msg_init(&m, LPSP_SL_RESPONSE_CHECK_SUBSCRIPTIONS);
    m.etag = V(etag, 64);
    CHECK_EQ_INT(lpsp_sl_serialize(&m, out, sizeof out, &w, &e), LPSP_E_BUFFER_TOO_SMALL);
    uint8_t big[128];
    CHECK_EQ_INT(lpsp_sl_serialize(&m, big, sizeof big, &w, &e), LPSP_OK);
    CHECK_EQ_INT(w, 2 + 2 + 2 + 1 + 64);
    CHECK_EQ_INT(lpsp_sl_parse(LPSP_SL_RESPONSE_CHECK_SUBSCRIPTIONS, big, w, 0, &back, &e), LPSP_OK);
    CHECK_VIEW(back.etag, etag, 64);
    check_truncations(LPSP_SL_RESPONSE_CHECK_SUBSCRIPTIONS, big, w);
    big[6] = 1;
    CHECK_EQ_INT(lpsp_sl_parse(LPSP_SL_RESPONSE_CHECK_SUBSCRIPTIONS, big, w, 0, &back, &e),
                 LPSP_E_INVALID_VALUE);
    CHECK(e.field && strcmp(e.field, "etag_format") == 0);
    m.etag_format = 1;
    CHECK_EQ_INT(lpsp_sl_serialize(&m, big, sizeof big, &w, &e), LPSP_E_INVALID_ARGUMENT);
    m.etag_format = 0;
    m.etag.len = 32;
    CHECK_EQ_INT(lpsp_sl_serialize(&m, big, sizeof big, &w, &e), LPSP_E_INVALID_ARGUMENT);
}

static void test_set_subscriptions(void)
{
    size_t n;
    uint8_t *b = test_hex(HEX_SET_SUBS, &n);
    lpsp_sl_msg m;
    lpsp_error e;
    CHECK_EQ_INT(n, 160);
    CHECK_EQ_INT(lpsp_sl_parse(LPSP_SL_SET_SUBSCRIPTIONS, b, n, 0, &m, &e), LPSP_OK);
    CHECK_EQ_INT(m.tracing.len, 0);
    CHECK_VIEW_S(m.url, URL);
    CHECK_EQ_INT(m.etag_format, 0);
    CHECK_VIEW(m.etag, b + 37, 64);
    CHECK_EQ_INT(m.exact_count, 2);
    CHECK_EQ_INT(m.glob_count, 1);
    CHECK_EQ_INT(m.entries.ptr - b, 37 + 64 + 4);
    CHECK_EQ_INT(m.entries.ptr + m.entries.len - b, 160);
    /* iterate the parsed message */
    lpsp_sl_subs_iter it;
    lpsp_sl_subs_item item;
    lpsp_sl_subs_iter_init(&it, &m);
    CHECK_EQ_INT(lpsp_sl_subs_next(&it, &item, &e), LPSP_OK);
    CHECK_EQ_INT(item.kind, LPSP_SUBS_EXACT);
    CHECK_VIEW_S(item.entry.key, "a");
    CHECK(!item.entry.has_recovery);
    CHECK_EQ_INT(lpsp_sl_subs_next(&it, &item, &e), LPSP_OK);
    CHECK_EQ_INT(item.kind, LPSP_SUBS_EXACT);
    CHECK_VIEW_S(item.entry.key, "b/c");
    CHECK_VIEW_S(item.entry.recovery, RECOVER);
    CHECK_EQ_INT(lpsp_sl_subs_next(&it, &item, &e), LPSP_OK);
    CHECK_EQ_INT(item.kind, LPSP_SUBS_GLOB);
    CHECK_VIEW_S(item.entry.key, "x/*");
    CHECK_EQ_INT(lpsp_sl_subs_next(&it, &item, &e), LPSP_OK);
    CHECK_EQ_INT(item.kind, LPSP_SUBS_END);
    CHECK_EQ_INT(lpsp_sl_subs_next(&it, &item, &e), LPSP_OK);
    CHECK_EQ_INT(item.kind, LPSP_SUBS_END);

    /* error offsets: from the body start after lpsp_sl_subs_begin, from the
     * entries view after lpsp_sl_subs_iter_init */
    for (size_t cut = 1; cut <= m.entries.len; cut++) {
        lpsp_sl_msg hdr, part = m;
        lpsp_error eb, ei;
        lpsp_status sb = LPSP_OK, si = LPSP_OK;
        part.entries.len -= cut;
        CHECK_EQ_INT(lpsp_sl_subs_begin(b, n - cut, &hdr, &it, &eb), LPSP_OK);
        while ((sb = lpsp_sl_subs_next(&it, &item, &eb)) == LPSP_OK && item.kind != LPSP_SUBS_END) {
        }
        lpsp_sl_subs_iter_init(&it, &part);
        while ((si = lpsp_sl_subs_next(&it, &item, &ei)) == LPSP_OK && item.kind != LPSP_SUBS_END) {
        }
        CHECK_EQ_INT(sb, LPSP_E_TRUNCATED);
        CHECK_EQ_INT(si, LPSP_E_TRUNCATED);
        CHECK_EQ_INT(ei.offset + (size_t)(m.entries.ptr - b), eb.offset);
        CHECK(eb.offset >= (size_t)(m.entries.ptr - b) && eb.offset <= n - cut);
    }

    /* serialize from arrays */
    lpsp_sl_entry ex[2] = {{S("a"), 0, S("")}, {S("b/c"), 1, S(RECOVER)}};
    lpsp_sl_entry gl[1] = {{S("x/*"), 0, S("")}};
    lpsp_sl_msg s;
    lpsp_sl_msg_init(&s, LPSP_SL_SET_SUBSCRIPTIONS);
    s.url = S(URL);
    s.etag = m.etag;
    s.exact = ex;
    s.n_exact = 2;
    s.globs = gl;
    s.n_globs = 1;
    check_serialize(&s, b, n);
    check_truncations(LPSP_SL_SET_SUBSCRIPTIONS, b, n);

    uint8_t *c = malloc(n + 4);
    /* trailing bytes after the glob list are ignored */
    memcpy(c, b, n);
    memcpy(c + n, "tail", 4);
    CHECK_EQ_INT(lpsp_sl_parse(LPSP_SL_SET_SUBSCRIPTIONS, c, n + 4, 0, &m, &e), LPSP_OK);
    CHECK_EQ_INT(m.entries.ptr + m.entries.len - c, 160);
    /* one byte changed */
    static const byte_change changes[] = {
        /* format byte must be 0 */
        {36, 1, LPSP_SL_SET_SUBSCRIPTIONS, 0, LPSP_E_INVALID_VALUE, NULL, 36},
        /* order: "a" then "\0/c" is descending; "a" < "a/c": a prefix sorts first */
        {112, 0x00, LPSP_SL_SET_SUBSCRIPTIONS, LPSP_SL_SKIP_DIGEST, LPSP_E_OUT_OF_ORDER, "topic", 112},
        {112, 'a', LPSP_SL_SET_SUBSCRIPTIONS, LPSP_SL_SKIP_DIGEST, LPSP_OK, NULL, -1},
        /* glob entries: strict UTF-8 (glob x/ * becomes \xff/ *) */
        {155, 0xff, LPSP_SL_SET_SUBSCRIPTIONS, LPSP_SL_SKIP_DIGEST, LPSP_E_BAD_UTF8, "glob", -1},
        /* recovery entries: strict UTF-8 */
        {120, 0xff, LPSP_SL_SET_SUBSCRIPTIONS, LPSP_SL_SKIP_DIGEST, LPSP_E_BAD_UTF8, "recovery", -1},
        /* url: strict UTF-8 */
        {4, 0xff, LPSP_SL_SET_SUBSCRIPTIONS, LPSP_SL_SKIP_DIGEST, LPSP_E_BAD_UTF8, NULL, -1},
        /* a count larger than the entries present is truncation (u32 counts) */
        {152, 2, LPSP_SL_SET_SUBSCRIPTIONS, 0, LPSP_E_TRUNCATED, NULL, -1},
    };
    check_changes(b, n, changes, sizeof changes / sizeof changes[0]);
    /* etag must be the recomputed one (unless skipped) */
    memcpy(c, b, n);
    c[37] ^= 1;
    CHECK_EQ_INT(lpsp_sl_parse(LPSP_SL_SET_SUBSCRIPTIONS, c, n, 0, &m, &e), LPSP_E_HASH_MISMATCH);
    CHECK_EQ_INT(lpsp_sl_parse(LPSP_SL_SET_SUBSCRIPTIONS, c, n, LPSP_SL_SKIP_DIGEST, &m, &e), LPSP_OK);
    CHECK_EQ_INT(lpsp_sl_serialized_size(&m, &n, &e), LPSP_E_INVALID_ARGUMENT); /* no arrays given */
    n = 160;
    s.etag.ptr = c + 37;
    CHECK_EQ_INT(lpsp_sl_serialized_size(&s, &n, &e), LPSP_E_INVALID_ARGUMENT);
    CHECK(e.field && strcmp(e.field, "etag") == 0);
    s.etag = V(b + 37, 64);
    n = 160;
    /* the serializer refuses a topic twice */
    lpsp_sl_entry dup[2] = {{S("a"), 0, S("")}, {S("a"), 0, S("")}};
    s.exact = dup;
    CHECK_EQ_INT(lpsp_sl_serialized_size(&s, &n, &e), LPSP_E_INVALID_ARGUMENT);
    s.exact = ex;
    /* duplicate topics and duplicate globs on the wire */
    uint8_t dup_wire[5 + 64 + 4 + 10 + 4] = {0};
    memcpy(dup_wire + 69, "\x00\x00\x00\x02\x00\x01\x61\x00\x00\x00\x01\x61\x00\x00", 14);
    CHECK_EQ_INT(lpsp_sl_parse(LPSP_SL_SET_SUBSCRIPTIONS, dup_wire, 87, LPSP_SL_SKIP_DIGEST, &m, &e),
                 LPSP_E_OUT_OF_ORDER);
    CHECK_EQ_INT(e.offset, 80);
    memcpy(dup_wire + 69, "\x00\x00\x00\x00\x00\x00\x00\x02\x00\x01\x61\x00\x00\x00\x01\x61\x00\x00", 18);
    CHECK_EQ_INT(lpsp_sl_parse(LPSP_SL_SET_SUBSCRIPTIONS, dup_wire, 87, LPSP_SL_SKIP_DIGEST, &m, &e),
                 LPSP_E_OUT_OF_ORDER);
    CHECK(e.field && strcmp(e.field, "glob") == 0);
    free(c);
    free(b);
}

/* A SET_SUBSCRIPTIONS body with many entries, checked by the iterator with a
 * streaming etag in constant memory. */
static void test_set_subscriptions_large(void)
{
    enum { N = 200000 };
    size_t hdr = 2 + 2 + 3 + 1 + 64;
    size_t cap = hdr + 4 + (size_t)N * (2 + 8 + 2) + 4 + 2 * (2 + 3 + 2);
    uint8_t *b = malloc(cap);
    uint8_t *p = b;
    memcpy(p, "\x00\x00\x00\x03url\x00", 8);
    p += 8;
    uint8_t *etag_at = p;
    p += 64;
    *p++ = (uint8_t)(N >> 24);
    *p++ = (uint8_t)(N >> 16);
    *p++ = (uint8_t)(N >> 8);
    *p++ = (uint8_t)N;
    lpsp_etag_builder eb;
    lpsp_error e;
    CHECK_EQ_INT(lpsp_etag_begin(&eb, S("url"), 1, &e), LPSP_OK);
    for (unsigned i = 0; i < N; i++) {
        char t[9];
        snprintf(t, sizeof t, "t%07u", i);
        *p++ = 0;
        *p++ = 8;
        memcpy(p, t, 8);
        CHECK_EQ_INT(lpsp_etag_add_exact(&eb, V(p, 8), S(""), &e), LPSP_OK);
        p += 8;
        *p++ = 0;
        *p++ = 0;
    }
    memcpy(p,
           "\x00\x00\x00\x02\x00\x03"
           "a/*"
           "\x00\x00\x00\x03"
           "b/*"
           "\x00\x00",
           18);
    CHECK_EQ_INT(lpsp_etag_add_glob(&eb, S("a/*"), S(""), &e), LPSP_OK);
    CHECK_EQ_INT(lpsp_etag_add_glob(&eb, S("b/*"), S(""), &e), LPSP_OK);
    p += 18;
    CHECK_EQ_INT((size_t)(p - b), cap);
    CHECK_EQ_INT(lpsp_etag_finish(&eb, etag_at, &e), LPSP_OK);

    lpsp_sl_msg m;
    CHECK_EQ_INT(lpsp_sl_parse(LPSP_SL_SET_SUBSCRIPTIONS, b, cap, 0, &m, &e), LPSP_OK);
    CHECK_EQ_INT(m.exact_count, N);
    CHECK_EQ_INT(m.glob_count, 2);

    /* iterator with the streaming etag attached */
    lpsp_sl_subs_iter it;
    lpsp_sl_subs_item item;
    lpsp_sl_msg h;
    uint8_t got[64];
    CHECK_EQ_INT(lpsp_sl_subs_begin(b, cap, &h, &it, &e), LPSP_OK);
    CHECK_EQ_INT(lpsp_etag_begin(&eb, h.url, 0, &e), LPSP_OK);
    lpsp_sl_subs_attach_etag(&it, &eb);
    size_t count = 0;
    lpsp_status st;
    while ((st = lpsp_sl_subs_next(&it, &item, &e)) == LPSP_OK && item.kind != LPSP_SUBS_END)
        count++;
    CHECK_EQ_INT(st, LPSP_OK);
    CHECK_EQ_INT(count, N + 2);
    CHECK_EQ_INT(lpsp_etag_finish(&eb, got, &e), LPSP_OK);
    CHECK_MEM(got, 64, etag_at, 64);
    /* swap two neighbours: out of order at the right place */
    memcpy(b + hdr + 4 + 12 * 1000 + 2, "t0001001", 8);
    CHECK_EQ_INT(lpsp_sl_parse(LPSP_SL_SET_SUBSCRIPTIONS, b, cap, 0, &m, &e), LPSP_E_OUT_OF_ORDER);
    CHECK_EQ_INT(e.offset, hdr + 4 + 12 * 1001 + 2);
    free(b);
}

static void test_repr_digest(void)
{
    size_t shn;
    uint8_t *sha = test_hex(HEX_SHA512_HI, &shn);
    uint8_t d[64];
    lpsp_error e;
    const char *h = REPR_DIGEST_HI;
    CHECK_EQ_INT(lpsp_repr_digest_parse((const uint8_t *)h, strlen(h), 1, d, &e), LPSP_OK);
    CHECK_MEM(d, 64, sha, 64);
    char out[LPSP_REPR_DIGEST_LEN];
    size_t w = 0;
    CHECK_EQ_INT(lpsp_repr_digest_format(V(sha, 64), out, sizeof out, &w, &e), LPSP_OK);
    CHECK_MEM(out, w, h, strlen(h));
    CHECK_EQ_INT(lpsp_repr_digest_format(V(sha, 63), out, sizeof out, &w, &e), LPSP_E_INVALID_ARGUMENT);
    CHECK_EQ_INT(lpsp_repr_digest_format(V(sha, 64), out, sizeof out - 1, &w, &e), LPSP_E_BUFFER_TOO_SMALL);

    char buf[512];
    /* unpadded value: "==" is appended */
    snprintf(buf, sizeof buf, "%.*s", (int)strlen(h) - 2, h);
    CHECK_EQ_INT(lpsp_repr_digest_parse((const uint8_t *)buf, strlen(buf), 1, d, &e), LPSP_OK);
    /* last match wins; other items and items without '=' are skipped */
    snprintf(buf, sizeof buf, "sha-256=AAAA,junk,sha-512=AAAA,%s", h);
    CHECK_EQ_INT(lpsp_repr_digest_parse((const uint8_t *)buf, strlen(buf), 1, d, &e), LPSP_OK);
    CHECK_MEM(d, 64, sha, 64);
    snprintf(buf, sizeof buf, "%s,sha-512=AAAA", h);
    CHECK_EQ_INT(lpsp_repr_digest_parse((const uint8_t *)buf, strlen(buf), 1, d, &e), LPSP_E_FIELD_SIZE);
    /* exact name: no trimming, case-sensitive, not "sha512" */
    snprintf(buf, sizeof buf, "x=1, %s", h);
    CHECK_EQ_INT(lpsp_repr_digest_parse((const uint8_t *)buf, strlen(buf), 1, d, &e), LPSP_E_INVALID_VALUE);
    snprintf(buf, sizeof buf, "SHA-512=%s", h + 8);
    CHECK_EQ_INT(lpsp_repr_digest_parse((const uint8_t *)buf, strlen(buf), 1, d, &e), LPSP_E_INVALID_VALUE);
    snprintf(buf, sizeof buf, "sha512=%s", h + 8);
    CHECK_EQ_INT(lpsp_repr_digest_parse((const uint8_t *)buf, strlen(buf), 1, d, &e), LPSP_E_INVALID_VALUE);
    /* RFC 9530 colon form decodes by leniency */
    snprintf(buf, sizeof buf, "sha-512=:%s:", h + 8);
    CHECK_EQ_INT(lpsp_repr_digest_parse((const uint8_t *)buf, strlen(buf), 1, d, &e), LPSP_OK);
    CHECK_MEM(d, 64, sha, 64);
    /* missing header, empty header, undecodable and non-ASCII values */
    CHECK_EQ_INT(lpsp_repr_digest_parse(NULL, 0, 0, d, &e), LPSP_E_MISSING_HEADER);
    CHECK_EQ_INT(lpsp_repr_digest_parse((const uint8_t *)"", 0, 1, d, &e), LPSP_E_INVALID_VALUE);
    CHECK_EQ_INT(lpsp_repr_digest_parse((const uint8_t *)"sha-512=A", 9, 1, d, &e), LPSP_E_BAD_BASE64);
    snprintf(buf, sizeof buf, "%s\xc3\xa9", h);
    CHECK_EQ_INT(lpsp_repr_digest_parse((const uint8_t *)buf, strlen(buf), 1, d, &e), LPSP_E_BAD_BASE64);
    /* a digest longer than 64 bytes (QK-43: strict) */
    snprintf(buf, sizeof buf, "sha-512=%.88sAAAA", h + 8);
    buf[8 + 86] = 'A';
    buf[8 + 87] = 'A';
    CHECK_EQ_INT(lpsp_repr_digest_parse((const uint8_t *)buf, strlen(buf), 1, d, &e), LPSP_E_FIELD_SIZE);
    /* every prefix: an error value or a result, never an over-read */
    for (size_t n = 0; n < strlen(h); n++) {
        char *c = malloc(n ? n : 1);
        memcpy(c, h, n);
        lpsp_status st = lpsp_repr_digest_parse((const uint8_t *)c, n, 1, d, &e);
        CHECK(st == LPSP_OK || st == LPSP_E_INVALID_VALUE || st == LPSP_E_BAD_BASE64 ||
              st == LPSP_E_FIELD_SIZE);
        CHECK_EQ_INT(st == LPSP_OK, n >= strlen(h) - 2);
        free(c);
    }
    free(sha);
}

static void test_names(void)
{
    for (int b = 1; b <= LPSP_SL_BODY_MAX; b++) {
        const char *n = lpsp_sl_body_name((lpsp_sl_body)b);
        CHECK(n != NULL);
        CHECK_EQ_INT(lpsp_sl_body_from_name(n), b);
    }
    CHECK(lpsp_sl_body_name(LPSP_SL_NONE) == NULL);
    CHECK_EQ_INT(lpsp_sl_body_from_name("NOPE"), LPSP_SL_NONE);
    lpsp_sl_msg m;
    lpsp_error e;
    CHECK_EQ_INT(lpsp_sl_parse(LPSP_SL_NONE, (const uint8_t *)"", 0, 0, &m, &e), LPSP_E_INVALID_ARGUMENT);
}

/* Findings of a code review, kept as regressions. */
static void test_review_regressions(void)
{
    /* the stateful compat bit must not switch the stateless digest check off */
    size_t n;
    unsigned char *b = test_hex("0007666f6f2f626172"
                                "150a14ed5bea6cc731cf86c41566ac427a8db48ef1b9fd626664b3bfbb99071f"
                                "a4c922f33dde38719b8c8354e2b7ab9d77e0e67fc12843920a712e73d558e197"
                                "000004deadbeef0000000000000002686a",
                                &n);
    lpsp_sl_msg m;
    lpsp_error e;
    CHECK_EQ_INT(lpsp_sl_parse(LPSP_SL_NOTIFY, b, n, LPSP_PARSE_COMPAT, &m, &e), LPSP_E_HASH_MISMATCH);
    CHECK_EQ_INT(lpsp_sl_parse(LPSP_SL_NOTIFY, b, n, LPSP_SL_SKIP_DIGEST, &m, &e), LPSP_OK);
    CHECK((unsigned)LPSP_SL_SKIP_DIGEST == (unsigned)LPSP_PARSE_SKIP_DIGEST);
    free(b);
    /* members a body does not use are empty views, never NULL */
    static const unsigned char generic[] = {0, 3, 0, 0, 0, 0};
    CHECK_EQ_INT(lpsp_sl_parse(LPSP_SL_RESPONSE_GENERIC, generic, sizeof generic, 0, &m, &e), LPSP_OK);
    CHECK(m.url.ptr && m.topic.ptr && m.glob.ptr && m.recovery.ptr && m.sha512.ptr && m.identifier.ptr &&
          m.message.ptr && m.etag.ptr && m.entries.ptr);
    /* a SET_SUBSCRIPTIONS built from a fresh message (url empty) serializes
     * without passing NULL to memcpy (UBSan checks it) */
    lpsp_sl_msg s;
    lpsp_sl_msg_init(&s, LPSP_SL_SET_SUBSCRIPTIONS);
    uint8_t etag[LPSP_ETAG_LEN];
    lpsp_view empty_url = {(const uint8_t *)"", 0};
    CHECK_EQ_INT(lpsp_etag_compute(empty_url, NULL, 0, NULL, 0, 1, etag, &e), LPSP_OK);
    s.etag.ptr = etag;
    s.etag.len = sizeof etag;
    size_t size = 0;
    CHECK_EQ_INT(lpsp_sl_serialized_size(&s, &size, &e), LPSP_OK);
    /* an entry with a NULL empty key next to a recovery too big for the stash */
    static uint8_t big_rec[2000];
    memset(big_rec, 'r', sizeof big_rec);
    lpsp_sl_entry ent = {{NULL, 0}, 1, {big_rec, sizeof big_rec}};
    CHECK_EQ_INT(lpsp_etag_compute(empty_url, &ent, 1, NULL, 0, 1, etag, &e), LPSP_OK);
    /* has_recovery == 0 means no recovery, whatever the view holds */
    uint8_t with_view[64], without[64];
    size_t n1 = 0, n2 = 0;
    lpsp_sl_msg sub;
    lpsp_sl_msg_init(&sub, LPSP_SL_SUBSCRIBE_EXACT);
    sub.url.ptr = (const uint8_t *)"u";
    sub.url.len = 1;
    sub.recovery.ptr = (const uint8_t *)"stale";
    sub.recovery.len = 5;
    CHECK_EQ_INT(lpsp_sl_serialize(&sub, with_view, sizeof with_view, &n1, &e), LPSP_OK);
    sub.recovery.len = 0;
    CHECK_EQ_INT(lpsp_sl_serialize(&sub, without, sizeof without, &n2, &e), LPSP_OK);
    CHECK_MEM(with_view, n1, without, n2);
    uint8_t etag2[LPSP_ETAG_LEN];
    lpsp_sl_entry stale = {{(const uint8_t *)"t", 1}, 0, {(const uint8_t *)"stale", 5}};
    lpsp_sl_entry clean = {{(const uint8_t *)"t", 1}, 0, {(const uint8_t *)"", 0}};
    CHECK_EQ_INT(lpsp_etag_compute(empty_url, &stale, 1, NULL, 0, 1, etag, &e), LPSP_OK);
    CHECK_EQ_INT(lpsp_etag_compute(empty_url, &clean, 1, NULL, 0, 1, etag2, &e), LPSP_OK);
    CHECK_MEM(etag, sizeof etag, etag2, sizeof etag2);
}

int main(void)
{
    test_review_regressions();
    test_notify();
    test_receive();
    test_subscribe();
    test_check_and_missed();
    test_responses();
    test_set_subscriptions();
    test_set_subscriptions_large();
    test_repr_digest();
    test_names();
    TEST_MAIN_END();
}
