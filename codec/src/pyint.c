/* Python int(text) for the ASCII subset, spec §10.4.3. */
#include "sl_internal.h"

static int py_space(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

lpsp_status lpsp_py_int_parse(const uint8_t *s, size_t n, int64_t *out, lpsp_error *err)
{
    size_t i = 0, end = n;
    while (i < end && py_space(s[i])) i++;
    while (end > i && py_space(s[end - 1])) end--;
    int neg = 0;
    if (i < end && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    if (i == end) return lpsp_fail(err, LPSP_E_INVALID_VALUE, i, NULL, "integer: no digits");
    uint64_t mag = 0;
    const uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    int overflow = 0;
    for (size_t k = i; k < end; k++) {
        uint8_t c = s[k];
        if (c == '_') {
            /* a single underscore, between two digits */
            if (k == i || k + 1 == end || s[k + 1] == '_')
                return lpsp_fail(err, LPSP_E_INVALID_VALUE, k, NULL,
                                 "integer: underscore not between two digits");
            continue;
        }
        if (c < '0' || c > '9') {
            if (c >= 0x80)
                return lpsp_fail(err, LPSP_E_INVALID_VALUE, k, NULL,
                                 "integer: non-ASCII digit or space (rejected, QK-34)");
            return lpsp_fail(err, LPSP_E_INVALID_VALUE, k, NULL, "integer: not a decimal digit");
        }
        unsigned d = (unsigned)(c - '0');
        if (mag > (limit - d) / 10) overflow = 1; /* keep scanning: syntax errors win */
        else mag = mag * 10 + d;
    }
    if (overflow) return lpsp_fail(err, LPSP_E_OVERFLOW, i, NULL, "integer outside the int64 range");
    *out = neg ? (int64_t)(0 - mag) : (int64_t)mag;
    return LPSP_OK;
}
