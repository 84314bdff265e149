/* Stateful session helpers, spec §6: connection nonce and websocket URL. */
#include <openssl/evp.h>

#include "sl_internal.h"

lpsp_status lpsp_connection_nonce(lpsp_view subscriber_nonce, lpsp_view broadcaster_nonce,
                                  uint8_t out[LPSP_NONCE_LEN], lpsp_error *err)
{
    if (subscriber_nonce.len != LPSP_NONCE_LEN || !subscriber_nonce.ptr)
        return lpsp_fail(err, LPSP_E_FIELD_SIZE, 0, "subscriber_nonce", "must be 32 bytes");
    if (broadcaster_nonce.len != LPSP_NONCE_LEN || !broadcaster_nonce.ptr)
        return lpsp_fail(err, LPSP_E_FIELD_SIZE, 0, "broadcaster_nonce", "must be 32 bytes");
    uint8_t both[2 * LPSP_NONCE_LEN];
    memcpy(both, subscriber_nonce.ptr, LPSP_NONCE_LEN);
    memcpy(both + LPSP_NONCE_LEN, broadcaster_nonce.ptr, LPSP_NONCE_LEN);
    unsigned int n = 0;
    if (!EVP_Digest(both, sizeof both, out, &n, EVP_sha256(), NULL) || n != LPSP_NONCE_LEN)
        return lpsp_fail(err, LPSP_E_CRYPTO, 0, NULL, "SHA-256 failed");
    return LPSP_OK;
}

void lpsp_connection_nonce_b64(const uint8_t nonce[LPSP_NONCE_LEN], char out[LPSP_NONCE_B64_LEN + 1])
{
    size_t n = 0;
    /* 32 bytes always fit 44 characters: cannot fail */
    if (lpsp_b64_encode(nonce, LPSP_NONCE_LEN, out, LPSP_NONCE_B64_LEN, &n, NULL) != LPSP_OK) n = 0;
    out[n] = 0;
}

/* Strict check of a nonce rendering: exactly the canonical standard base64
 * (with its single '=') of 32 bytes. Decodes into nonce when non-NULL. */
static int nonce_b64_valid(const uint8_t *s, size_t n, uint8_t nonce[LPSP_NONCE_LEN])
{
    uint8_t tmp[LPSP_NONCE_LEN];
    char again[LPSP_NONCE_B64_LEN + 1];
    size_t len = 0;
    if (n != LPSP_NONCE_B64_LEN || s[43] != '=') return 0;
    for (size_t i = 0; i < 43; i++) {
        uint8_t c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
              c == '/'))
            return 0;
    }
    if (lpsp_b64_decode_lenient(s, n, tmp, sizeof tmp, &len, NULL) != LPSP_OK || len != LPSP_NONCE_LEN)
        return 0;
    /* canonical: the unused low bits of the last character are zero */
    lpsp_connection_nonce_b64(tmp, again);
    if (memcmp(again, s, LPSP_NONCE_B64_LEN) != 0) return 0;
    if (nonce) memcpy(nonce, tmp, LPSP_NONCE_LEN);
    return 1;
}

lpsp_status lpsp_ws_url_format(const uint8_t *nonce_b64, size_t n, int64_t ctr, char *buf, size_t cap,
                               size_t *written, lpsp_error *err)
{
    if (!nonce_b64 || !nonce_b64_valid(nonce_b64, n, NULL))
        return lpsp_fail(err, LPSP_E_INVALID_ARGUMENT, 0, "nonce_b64",
                         "not the standard base64 (44 characters) of a 32-byte nonce");
    static const char hex[] = "0123456789abcdef";
    char digits[16];
    size_t nd = 0;
    uint64_t mag = ctr < 0 ? 0 - (uint64_t)ctr : (uint64_t)ctr;
    do {
        digits[nd++] = hex[mag & 15];
        mag >>= 4;
    } while (mag);
    size_t need = 10 + LPSP_NONCE_B64_LEN + 1 + (ctr < 0) + nd;
    lpsp_status st = lpsp_room(need, buf, cap, written, err);
    if (st != LPSP_OK) return st;
    char *p = buf;
    memcpy(p, "websocket:", 10);
    memcpy(p + 10, nonce_b64, LPSP_NONCE_B64_LEN);
    p += 10 + LPSP_NONCE_B64_LEN;
    *p++ = ':';
    if (ctr < 0) *p++ = '-';
    while (nd) *p++ = digits[--nd];
    return LPSP_OK;
}

lpsp_status lpsp_ws_url_parse(const uint8_t *url, size_t len, lpsp_view *nonce_b64,
                              uint8_t nonce[LPSP_NONCE_LEN], int64_t *ctr, lpsp_error *err)
{
    const size_t pre = 10, cstart = pre + LPSP_NONCE_B64_LEN + 1;
    if (!url || len < pre || memcmp(url, "websocket:", pre) != 0)
        return lpsp_fail(err, LPSP_E_INVALID_VALUE, 0, "url", "does not start with \"websocket:\"");
    const uint8_t *sep = memchr(url + pre, ':', len - pre);
    if (!sep) return lpsp_fail(err, LPSP_E_INVALID_VALUE, len, "url", "no ':' before the counter");
    if ((size_t)(sep - url) != cstart - 1 || !nonce_b64_valid(url + pre, LPSP_NONCE_B64_LEN, nonce))
        return lpsp_fail(err, LPSP_E_BAD_BASE64, pre, "nonce_b64",
                         "not the standard base64 (with padding) of a 32-byte nonce");
    size_t i = cstart;
    int neg = 0;
    if (i < len && url[i] == '-') {
        neg = 1;
        i++;
    }
    if (i == len) return lpsp_fail(err, LPSP_E_INVALID_VALUE, i, "counter", "no counter digits");
    if (url[i] == '0' && (len - i > 1 || neg))
        return lpsp_fail(err, LPSP_E_INVALID_VALUE, i, "counter", "leading zero or \"-0\"");
    uint64_t mag = 0;
    const uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    int over = 0;
    for (size_t k = i; k < len; k++) {
        uint8_t c = url[k];
        unsigned d;
        if (c >= '0' && c <= '9') d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') d = (unsigned)(c - 'a' + 10);
        else return lpsp_fail(err, LPSP_E_INVALID_VALUE, k, "counter", "not lower-case hex");
        if (mag > (limit - d) / 16) over = 1;
        else mag = mag * 16 + d;
    }
    if (over) return lpsp_fail(err, LPSP_E_OVERFLOW, i, "counter", "counter outside int64 (QK-26)");
    if (nonce_b64) {
        nonce_b64->ptr = url + pre;
        nonce_b64->len = LPSP_NONCE_B64_LEN;
    }
    if (ctr) *ctr = neg ? (int64_t)(0 - mag) : (int64_t)mag;
    return LPSP_OK;
}
