/* Session helpers (spec §6): connection nonce, its base64 rendering (QK-25),
 * websocket URL formatting (signed lower-case hex) and strict parsing. */
#include <stdint.h>

#include "fixtures.h"
#include "lpsp.h"
#include "test.h"

static const char NONCE_B64[] = "/eq5rPNxA2K9JljNyaKej5x1f8+YEWA6jER80dkVEQg=";

static void test_nonce(void)
{
    uint8_t sub[32], broad[32], out[32];
    for (int i = 0; i < 32; i++) {
        sub[i] = (uint8_t)i;
        broad[i] = (uint8_t)(32 + i);
    }
    lpsp_error e;
    size_t n;
    uint8_t *want = test_hex("fdeab9acf3710362bd2658cdc9a29e8f9c757fcf9811603a8c447cd1d9151108", &n);
    CHECK_EQ_INT(lpsp_connection_nonce(V(sub, 32), V(broad, 32), out, &e), LPSP_OK);
    CHECK_MEM(out, 32, want, n);
    char b64[LPSP_NONCE_B64_LEN + 1];
    lpsp_connection_nonce_b64(out, b64);
    CHECK_EQ_INT(strlen(b64), 44);
    CHECK(strcmp(b64, NONCE_B64) == 0);
    CHECK_EQ_INT(lpsp_connection_nonce(V(sub, 31), V(broad, 32), out, &e), LPSP_E_FIELD_SIZE);
    CHECK(e.field && strcmp(e.field, "subscriber_nonce") == 0);
    CHECK_EQ_INT(lpsp_connection_nonce(V(sub, 32), V(broad, 33), out, &e), LPSP_E_FIELD_SIZE);
    CHECK(e.field && strcmp(e.field, "broadcaster_nonce") == 0);
    free(want);
}

static void check_fmt(int64_t ctr, const char *want)
{
    char buf[LPSP_WS_URL_MAX], full[128];
    size_t w = 0;
    lpsp_error e;
    CHECK_EQ_INT(lpsp_ws_url_format((const uint8_t *)NONCE_B64, 44, ctr, buf, sizeof buf, &w, &e), LPSP_OK);
    snprintf(full, sizeof full, "websocket:%s:%s", NONCE_B64, want);
    CHECK_MEM(buf, w, full, strlen(full));
    /* and back */
    lpsp_view nb;
    uint8_t nonce[32];
    int64_t back = 0;
    CHECK_EQ_INT(lpsp_ws_url_parse((const uint8_t *)full, strlen(full), &nb, nonce, &back, &e), LPSP_OK);
    CHECK(back == ctr);
    CHECK_MEM(nb.ptr, nb.len, NONCE_B64, 44);
    CHECK_EQ_INT(nonce[0], 0xfd);
    CHECK_EQ_INT(nonce[31], 0x08);
    CHECK_EQ_INT(lpsp_ws_url_format((const uint8_t *)NONCE_B64, 44, ctr, buf, strlen(full) - 1, &w, &e),
                 LPSP_E_BUFFER_TOO_SMALL);
}

static void test_format(void)
{
    check_fmt(1, "1");
    check_fmt(10, "a");
    check_fmt(16, "10");
    check_fmt(255, "ff");
    check_fmt(-1, "-1");
    check_fmt(-10, "-a");
    check_fmt(-26, "-1a");
    check_fmt(0, "0");
    check_fmt(INT64_MAX, "7fffffffffffffff");
    check_fmt(INT64_MIN, "-8000000000000000");
    /* the full example of §6.2 */
    char buf[LPSP_WS_URL_MAX];
    size_t w = 0;
    lpsp_error e;
    CHECK_EQ_INT(lpsp_ws_url_format((const uint8_t *)NONCE_B64, 44, -1, buf, sizeof buf, &w, &e), LPSP_OK);
    CHECK_MEM(buf, w, "websocket:/eq5rPNxA2K9JljNyaKej5x1f8+YEWA6jER80dkVEQg=:-1", 57);
    /* the formatter refuses a nonce that is not a valid rendering */
    static const char *const bad[] = {
        "_eq5rPNxA2K9JljNyaKej5x1f8-YEWA6jER80dkVEQg=", /* base64url */
        "/eq5rPNxA2K9JljNyaKej5x1f8+YEWA6jER80dkVEQg",  /* no padding */
        "/eq5rPNxA2K9JljNyaKej5x1f8+YEWA6jER80dkVEQh=", /* non-zero unused bits */
        "/eq5rPNxA2K9JljNyaKej5x1f8+YEWA6jER80dkVE==="};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_EQ_INT(lpsp_ws_url_format((const uint8_t *)bad[i], strlen(bad[i]), 1, buf, sizeof buf, &w, &e),
                     LPSP_E_INVALID_ARGUMENT);
}

static lpsp_status parse(const char *url)
{
    lpsp_view nb;
    int64_t c;
    lpsp_error e;
    size_t n = strlen(url);
    uint8_t *copy = malloc(n ? n : 1);
    memcpy(copy, url, n);
    lpsp_status st = lpsp_ws_url_parse(copy, n, &nb, NULL, &c, &e);
    free(copy);
    return st;
}

static void test_parse(void)
{
    char u[128];
#define P(ctr) (snprintf(u, sizeof u, "websocket:%s:%s", NONCE_B64, ctr), parse(u))
    CHECK_EQ_INT(P("0"), LPSP_OK);
    CHECK_EQ_INT(P("-1a"), LPSP_OK);
    CHECK_EQ_INT(P("7fffffffffffffff"), LPSP_OK);
    CHECK_EQ_INT(P("-8000000000000000"), LPSP_OK);
    CHECK_EQ_INT(P("8000000000000000"), LPSP_E_OVERFLOW); /* QK-26 */
    CHECK_EQ_INT(P("-8000000000000001"), LPSP_E_OVERFLOW);
    CHECK_EQ_INT(P("10000000000000000000"), LPSP_E_OVERFLOW);
    CHECK_EQ_INT(P(""), LPSP_E_INVALID_VALUE);
    CHECK_EQ_INT(P("-"), LPSP_E_INVALID_VALUE);
    CHECK_EQ_INT(P("-0"), LPSP_E_INVALID_VALUE);
    CHECK_EQ_INT(P("01"), LPSP_E_INVALID_VALUE);
    CHECK_EQ_INT(P("00"), LPSP_E_INVALID_VALUE);
    CHECK_EQ_INT(P("A"), LPSP_E_INVALID_VALUE);
    CHECK_EQ_INT(P("0x1"), LPSP_E_INVALID_VALUE);
    CHECK_EQ_INT(P("+1"), LPSP_E_INVALID_VALUE);
    CHECK_EQ_INT(P("1 "), LPSP_E_INVALID_VALUE);
    CHECK_EQ_INT(P("g"), LPSP_E_INVALID_VALUE);
    CHECK_EQ_INT(P("1:2"), LPSP_E_INVALID_VALUE);
#undef P
    CHECK_EQ_INT(parse("websocket:_eq5rPNxA2K9JljNyaKej5x1f8-YEWA6jER80dkVEQg=:1"), LPSP_E_BAD_BASE64);
    CHECK_EQ_INT(parse("websocket:/eq5rPNxA2K9JljNyaKej5x1f8+YEWA6jER80dkVEQg:1"), LPSP_E_BAD_BASE64);
    CHECK_EQ_INT(parse("websocket:/eq5rPNxA2K9JljNyaKej5x1f8+YEWA6jER80dkVEQh=:1"), LPSP_E_BAD_BASE64);
    CHECK_EQ_INT(parse("websocket:/eq5rPNxA2K9JljNyaKej5x1f8+YEWA6jER80dkVE==A:1"), LPSP_E_BAD_BASE64);
    CHECK_EQ_INT(parse("websocket:/eq5rPNxA2K9JljNyaKej5x1f8+YEWA6jER80dkVEQg="), LPSP_E_INVALID_VALUE);
    CHECK_EQ_INT(parse("websocket:"), LPSP_E_INVALID_VALUE);
    CHECK_EQ_INT(parse("websocket::1"), LPSP_E_BAD_BASE64);
    CHECK_EQ_INT(parse("Websocket:/eq5rPNxA2K9JljNyaKej5x1f8+YEWA6jER80dkVEQg=:1"), LPSP_E_INVALID_VALUE);
    CHECK_EQ_INT(parse("http://127.0.0.1:3002/v1/receive"), LPSP_E_INVALID_VALUE);
    /* every prefix of a valid URL fails cleanly, except the complete one */
    const char *full = "websocket:/eq5rPNxA2K9JljNyaKej5x1f8+YEWA6jER80dkVEQg=:-1a";
    for (size_t n = 0; n <= strlen(full); n++) {
        char buf[80];
        memcpy(buf, full, n);
        buf[n] = 0;
        lpsp_status st = parse(buf);
        /* "...:-1" is itself a valid URL */
        int valid = n == strlen(full) || n == strlen(full) - 1;
        CHECK_EQ_INT(st == LPSP_OK, valid);
        CHECK(st == LPSP_OK || lpsp_status_is_fatal(st));
    }
}

int main(void)
{
    test_nonce();
    test_format();
    test_parse();
    TEST_MAIN_END();
}
