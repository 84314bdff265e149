/* The low-level SHA-512 interface is deprecated in OpenSSL 3 but is the
 * only one that neither allocates nor fetches an implementation per call
 * (the one-shot SHA512() costs about 3x more on small inputs). */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "internal.h"

lpsp_status lpsp_sha512(const uint8_t *data, size_t len, uint8_t out[64], lpsp_error *err)
{
    SHA512_CTX c;
    if (!SHA512_Init(&c)) return lpsp_fail(err, LPSP_E_CRYPTO, 0, NULL, "SHA-512 init failed");
    int ok = SHA512_Update(&c, data, len);
    ok = SHA512_Final(out, &c) && ok; /* Final runs anyway: it clears the context */
    return ok ? LPSP_OK : lpsp_fail(err, LPSP_E_CRYPTO, 0, NULL, "SHA-512 failed");
}

int lpsp_feed_sha512(void *ctx, const uint8_t *p, size_t n)
{
    return SHA512_Update(ctx, p, n);
}

lpsp_status lpsp_sha512_matches(lpsp_view data, lpsp_view digest, lpsp_error *err)
{
    uint8_t md[64];
    if (digest.len != sizeof md) return LPSP_E_HASH_MISMATCH;
    lpsp_status st = lpsp_sha512(data.ptr, data.len, md, err);
    if (st != LPSP_OK) return st;
    return CRYPTO_memcmp(md, digest.ptr, sizeof md) == 0 ? LPSP_OK : LPSP_E_HASH_MISMATCH;
}

const uint8_t lpsp_empty_bytes[1] = {0};

size_t lpsp_ascii_prefix(const uint8_t *s, size_t len)
{
    size_t i = 0;
    for (; len - i >= 8; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (w & 0x8080808080808080u) break;
    }
    while (i < len && s[i] < 0x80) i++;
    return i;
}

size_t lpsp_utf8_valid_prefix(const uint8_t *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        i += lpsp_ascii_prefix(s + i, len - i);
        if (i == len) break;
        uint8_t c = s[i]; /* >= 0x80 */
        size_t need;
        uint8_t lo = 0x80, hi = 0xbf;
        if (c >= 0xc2 && c <= 0xdf) {
            need = 1;
        } else if (c >= 0xe0 && c <= 0xef) {
            need = 2;
            if (c == 0xe0) lo = 0xa0;      /* no overlongs */
            else if (c == 0xed) hi = 0x9f; /* no surrogates */
        } else if (c >= 0xf0 && c <= 0xf4) {
            need = 3;
            if (c == 0xf0) lo = 0x90;
            else if (c == 0xf4) hi = 0x8f; /* <= U+10FFFF */
        } else {
            return i;
        }
        if (need > len - i - 1) return i;
        if (s[i + 1] < lo || s[i + 1] > hi) return i;
        for (size_t k = 2; k <= need; k++)
            if ((s[i + k] & 0xc0) != 0x80) return i;
        i += need + 1;
    }
    return len;
}

const char *lpsp_status_name(lpsp_status st)
{
    switch (st) {
    case LPSP_OK: return "ok";
    case LPSP_E_TRUNCATED: return "truncated";
    case LPSP_E_BAD_TYPE: return "bad_type";
    case LPSP_E_BAD_FLAGS: return "bad_flags";
    case LPSP_E_BAD_HEADER_NAME: return "bad_header_name";
    case LPSP_E_MISSING_HEADER: return "missing_header";
    case LPSP_E_FIELD_SIZE: return "field_size";
    case LPSP_E_BAD_UTF8: return "bad_utf8";
    case LPSP_E_LENGTH_MISMATCH: return "length_mismatch";
    case LPSP_E_HASH_MISMATCH: return "hash_mismatch";
    case LPSP_E_TRAILING_BYTES: return "trailing_bytes";
    case LPSP_E_OUT_OF_ORDER: return "out_of_order";
    case LPSP_E_INVALID_VALUE: return "invalid_value";
    case LPSP_E_BAD_BASE64: return "bad_base64";
    case LPSP_E_OVERFLOW: return "overflow";
    case LPSP_E_BUFFER_TOO_SMALL: return "buffer_too_small";
    case LPSP_E_INVALID_ARGUMENT: return "invalid_argument";
    case LPSP_E_UNAUTHORIZED: return "unauthorized";
    case LPSP_E_FORBIDDEN: return "forbidden";
    case LPSP_E_CRYPTO: return "crypto";
    }
    return "unknown";
}

int lpsp_status_is_fatal(lpsp_status st)
{
    return !(st == LPSP_OK || st == LPSP_E_TRUNCATED || st == LPSP_E_BUFFER_TOO_SMALL);
}
