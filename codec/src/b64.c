/* Base64: the standard encoder (RFC 4648 §4, with padding) and the lenient
 * decoder of spec §10.4.4. */
#include "sl_internal.h"

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t lpsp_b64_encoded_len(size_t n) { return 4 * (n / 3 + (n % 3 != 0)); }

lpsp_status lpsp_b64_encode(const uint8_t *src, size_t n, char *dst, size_t cap, size_t *written,
                            lpsp_error *err)
{
    if (n > (SIZE_MAX / 4) * 3 - 3)
        return lpsp_fail(err, LPSP_E_INVALID_ARGUMENT, 0, NULL, "input too long to encode");
    size_t need = lpsp_b64_encoded_len(n);
    lpsp_status st = lpsp_room(need, dst, cap, written, err);
    if (st != LPSP_OK) return st;
    size_t i = 0, o = 0;
    for (; n - i >= 3; i += 3) {
        uint32_t v = (uint32_t)src[i] << 16 | (uint32_t)src[i + 1] << 8 | src[i + 2];
        dst[o++] = b64_alphabet[v >> 18];
        dst[o++] = b64_alphabet[(v >> 12) & 63];
        dst[o++] = b64_alphabet[(v >> 6) & 63];
        dst[o++] = b64_alphabet[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)src[i] << 16;
        dst[o++] = b64_alphabet[v >> 18];
        dst[o++] = b64_alphabet[(v >> 12) & 63];
        dst[o++] = '=';
        dst[o++] = '=';
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)src[i] << 16 | (uint32_t)src[i + 1] << 8;
        dst[o++] = b64_alphabet[v >> 18];
        dst[o++] = b64_alphabet[(v >> 12) & 63];
        dst[o++] = b64_alphabet[(v >> 6) & 63];
        dst[o++] = '=';
    }
    return LPSP_OK;
}

/* 6-bit value of each standard-alphabet ASCII character, -1 for the rest
 * (a table, not comparisons: one load per character). */
static const int8_t b64_rev[128] = {
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, -1, -1, 63,
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -1, -1, -1,
    -1,  0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14,
    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, -1,
    -1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1,
};

void lpsp_b64_lenient_init(lpsp_b64_lenient *d, uint8_t *out, size_t cap)
{
    memset(d, 0, sizeof *d);
    d->out = out;
    d->cap = out ? cap : 0;
}

static void b64l_emit(lpsp_b64_lenient *d, unsigned byte)
{
    if (d->len < d->cap) d->out[d->len] = (uint8_t)byte;
    d->len++;
}

void lpsp_b64_lenient_feed(lpsp_b64_lenient *d, const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        size_t at = d->consumed + i;
        if (c >= 0x80) {
            if (!d->non_ascii) d->bad_offset = at;
            d->non_ascii = 1;
            continue;
        }
        if (d->stopped) continue; /* only the ASCII check goes on */
        if (c == '=') {
            /* '=' counts only from the third character of a group on */
            if (d->q >= 2 && d->q + ++d->pads >= 4) d->stopped = 1;
            continue;
        }
        int v = b64_rev[c];
        if (v < 0) continue; /* junk, whitespace, '-', '_', ':' are skipped */
        d->pads = 0;
        switch (d->q) {
        case 0:
            d->left = (unsigned)v;
            d->q = 1;
            break;
        case 1:
            b64l_emit(d, (d->left << 2) | ((unsigned)v >> 4));
            d->left = (unsigned)v & 0x0f;
            d->q = 2;
            break;
        case 2:
            b64l_emit(d, ((d->left << 4) | ((unsigned)v >> 2)) & 0xff);
            d->left = (unsigned)v & 0x03;
            d->q = 3;
            break;
        default:
            b64l_emit(d, ((d->left << 6) | (unsigned)v) & 0xff);
            d->left = 0;
            d->q = 0;
            break;
        }
    }
    d->consumed += n;
}

lpsp_status lpsp_b64_lenient_finish(lpsp_b64_lenient *d, size_t *len, lpsp_error *err)
{
    if (len) *len = d->len;
    if (d->non_ascii)
        return lpsp_fail(err, LPSP_E_BAD_BASE64, d->bad_offset, NULL, "base64 text is not ASCII");
    if (!d->stopped && d->q == 1)
        return lpsp_fail(err, LPSP_E_BAD_BASE64, d->consumed, NULL,
                         "base64: data characters are 1 more than a multiple of 4");
    if (!d->stopped && d->q != 0)
        return lpsp_fail(err, LPSP_E_BAD_BASE64, d->consumed, NULL, "base64: incorrect padding");
    if (d->len > d->cap)
        return lpsp_fail(err, LPSP_E_BUFFER_TOO_SMALL, 0, NULL, "base64 output buffer too small");
    return LPSP_OK;
}

size_t lpsp_b64_lenient_max(size_t n) { return n / 4 * 3 + 3; }

lpsp_status lpsp_b64_decode_lenient(const uint8_t *s, size_t n, uint8_t *out, size_t cap,
                                    size_t *len, lpsp_error *err)
{
    lpsp_b64_lenient d;
    lpsp_b64_lenient_init(&d, out, cap);
    lpsp_b64_lenient_feed(&d, s, n);
    return lpsp_b64_lenient_finish(&d, len, err);
}
