/* Minimal unit-test harness: one binary per file, failures counted and
 * reported with file:line; the process exits non-zero on any failure. */
#ifndef LPSP_TEST_H
#define LPSP_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_failures;
static int test_checks;

#define CHECK(cond)                                                                                          \
    do {                                                                                                     \
        test_checks++;                                                                                       \
        if (!(cond)) {                                                                                       \
            test_failures++;                                                                                 \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);                         \
        }                                                                                                    \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                                                   \
    do {                                                                                                     \
        long long _a = (long long)(a), _b = (long long)(b);                                                  \
        test_checks++;                                                                                       \
        if (_a != _b) {                                                                                      \
            test_failures++;                                                                                 \
            fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", __FILE__, __LINE__, #a, _a, #b, _b); \
        }                                                                                                    \
    } while (0)

#define CHECK_MEM(p, n, q, m)                                                                                \
    do {                                                                                                     \
        size_t _n = (size_t)(n), _m = (size_t)(m);                                                           \
        test_checks++;                                                                                       \
        if (_n != _m || (_n && memcmp((p), (q), _n) != 0)) {                                                 \
            test_failures++;                                                                                 \
            fprintf(stderr, "%s:%d: bytes differ: %s (%zu) vs %s (%zu)\n", __FILE__, __LINE__, #p, _n, #q,   \
                    _m);                                                                                     \
        }                                                                                                    \
    } while (0)

/* Decode a hex literal (spaces allowed) into a fresh malloc'd buffer. */
static inline unsigned char *test_hex(const char *hex, size_t *len)
{
    size_t n = 0, cap = strlen(hex) / 2 + 1;
    unsigned char *b = malloc(cap);
    int hi = -1;
    for (const char *p = hex; *p; p++) {
        int v;
        if (*p >= '0' && *p <= '9')
            v = *p - '0';
        else if (*p >= 'a' && *p <= 'f')
            v = *p - 'a' + 10;
        else if (*p >= 'A' && *p <= 'F')
            v = *p - 'A' + 10;
        else
            continue;
        if (hi < 0)
            hi = v;
        else {
            b[n++] = (unsigned char)(hi << 4 | v);
            hi = -1;
        }
    }
    *len = n;
    return b;
}

#define TEST_MAIN_END()                                                                                      \
    do {                                                                                                     \
        fprintf(stderr, "%s: %d checks, %d failures\n", __FILE__, test_checks, test_failures);               \
        return test_failures ? 1 : 0;                                                                        \
    } while (0)

#endif
