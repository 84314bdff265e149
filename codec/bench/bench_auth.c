/* Throughput of the strong etag and of HMAC signing, each next to raw
 * libcrypto doing the same hashing in the same run:
 *   etag: streaming builder (order check on) over N entries, against one
 *         SHA-512 of the prebuilt document;
 *   sign: to_sign + HMAC-SHA-512 + "X-HMAC" header formatting, against
 *         libcrypto's EVP_MAC HMAC-SHA-512 of the prebuilt to_sign, keyed
 *         once and its context copied per code (as lpsp did before it kept
 *         the keyed SHA-512 states itself).
 * Median of several runs, CLOCK_MONOTONIC. */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixtures.h"
#include "lpsp.h"

#define RUNS         7
#define ETAG_ENTRIES 1000000
#define SIGNS        200000

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return v[n / 2];
}

static volatile unsigned char sink;

static void die(const char *what)
{
    fprintf(stderr, "bench_auth: %s failed\n", what);
    exit(1);
}

/* The median times of the codec (tc) and of raw libcrypto (tr) over RUNS
 * runs of `count` operations each, as times and as rates in `unit`s per
 * second (one unit: `scale` operations, shown with `prec` decimals). */
static void report(const char *lpsp_what, double *tc, const char *raw_what, double *tr, double count,
                   double scale, int prec, const char *unit)
{
    double mc = median(tc, RUNS), mr = median(tr, RUNS);
    printf("  %-41s %8.3f ms  %7.*f %s/s\n", lpsp_what, mc * 1e3, prec, count / mc / scale, unit);
    printf("  %-41s %8.3f ms  %7.*f %s/s\n", raw_what, mr * 1e3, prec, count / mr / scale, unit);
    printf("  ratio lpsp/raw: %.2fx\n", mc / mr);
}

static void bench_etag(void)
{
    enum { KEYLEN = 12 };
    char *keys = malloc((size_t)ETAG_ENTRIES * KEYLEN);
    lpsp_sl_entry *ents = malloc((size_t)ETAG_ENTRIES * sizeof *ents);
    if (!keys || !ents) die("malloc");
    for (unsigned i = 0; i < ETAG_ENTRIES; i++) {
        char tmp[16];
        snprintf(tmp, sizeof tmp, "topic/%06u", i); /* 12 bytes, ascending */
        memcpy(keys + (size_t)i * KEYLEN, tmp, KEYLEN);
        ents[i].key.ptr = (const uint8_t *)keys + (size_t)i * KEYLEN;
        ents[i].key.len = KEYLEN;
        ents[i].has_recovery = 0;
        ents[i].recovery = S("");
    }
    lpsp_view url = S(FIXTURE_URL);
    lpsp_error err;
    size_t dn = 0;
    if (lpsp_etag_document_size(url, ents, ETAG_ENTRIES, NULL, 0, 1, &dn, &err) != LPSP_OK)
        die("document size");
    uint8_t *doc = malloc(dn);
    if (!doc || lpsp_etag_document(url, ents, ETAG_ENTRIES, NULL, 0, 1, doc, dn, &dn, &err) != LPSP_OK)
        die("document");
    double tc[RUNS], tr[RUNS];
    uint8_t a[64], b[64];
    for (int r = 0; r < RUNS; r++) {
        lpsp_etag_builder eb;
        double t0 = now_s();
        if (lpsp_etag_begin(&eb, url, 1, &err) != LPSP_OK) die("etag begin");
        for (unsigned i = 0; i < ETAG_ENTRIES; i++)
            if (lpsp_etag_add_exact(&eb, ents[i].key, ents[i].recovery, &err) != LPSP_OK) die("etag add");
        if (lpsp_etag_finish(&eb, a, &err) != LPSP_OK) die("etag finish");
        tc[r] = now_s() - t0;
        unsigned int n = 0;
        t0 = now_s();
        if (!EVP_Digest(doc, dn, b, &n, EVP_sha512(), NULL)) die("EVP_Digest");
        tr[r] = now_s() - t0;
        if (memcmp(a, b, 64) != 0) die("etag = SHA-512(document)");
        sink ^= a[0];
    }
    printf("etag   %d entries (%zu-byte document), median of %d runs\n", ETAG_ENTRIES, dn, RUNS);
    report("lpsp streaming builder (order check on):", tc, "raw libcrypto SHA-512 of the document:", tr,
           ETAG_ENTRIES, 1e6, 2, "M entries");
    free(doc);
    free(ents);
    free(keys);
}

static void bench_sign(void)
{
    uint8_t secret[64];
    fixture_secret(secret);
    lpsp_error err;
    lpsp_hmac_key key;
    if (lpsp_hmac_key_init(&key, secret, sizeof secret, &err) != LPSP_OK) die("key");
    lpsp_auth_fields f = fixture_subscribe_exact();
    uint8_t ts[256];
    size_t tn = 0;
    if (lpsp_hmac_to_sign(&f, ts, sizeof ts, &tn, &err) != LPSP_OK) die("to_sign");
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *keyed = mac ? EVP_MAC_CTX_new(mac) : NULL;
    char digest[] = "SHA512";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    if (!keyed || !EVP_MAC_init(keyed, secret, sizeof secret, params)) die("EVP_MAC key");
    double tc[RUNS], tr[RUNS];
    char hdr[LPSP_HMAC_HEADER_MAX];
    for (int r = 0; r < RUNS; r++) {
        size_t n = 0;
        double t0 = now_s();
        for (int i = 0; i < SIGNS; i++) {
            if (lpsp_hmac_sign(&key, &f, hdr, sizeof hdr, &n, &err) != LPSP_OK) die("sign");
            sink ^= (unsigned char)hdr[n - 3];
        }
        tc[r] = now_s() - t0;
        uint8_t code[64];
        t0 = now_s();
        for (int i = 0; i < SIGNS; i++) {
            EVP_MAC_CTX *c = EVP_MAC_CTX_dup(keyed);
            size_t cl = 0;
            if (!c || !EVP_MAC_update(c, ts, tn) || !EVP_MAC_final(c, code, &cl, sizeof code)) die("EVP_MAC");
            EVP_MAC_CTX_free(c);
            sink ^= code[0];
        }
        tr[r] = now_s() - t0;
    }
    printf("hmac   %d signs of SUBSCRIBE_EXACT (%zu-byte to_sign), median of %d runs\n", SIGNS, tn, RUNS);
    report("lpsp to_sign + HMAC-SHA-512 + header:", tc, "libcrypto EVP_MAC HMAC-SHA-512 of to_sign:", tr,
           SIGNS, 1e3, 0, "k signs");
    EVP_MAC_CTX_free(keyed);
    EVP_MAC_free(mac);
    lpsp_hmac_key_free(&key);
}

int main(void)
{
    bench_etag();
    bench_sign();
    printf("(checksum %02x)\n", sink);
    return 0;
}
