/* Stateful codec benchmark: parse and serialize cost per message type, and
 * NOTIFY parse throughput against raw libcrypto SHA-512 on the same buffer.
 * Prints a table on stderr and, with an output path argument, one JSON line
 * per message (hex included) for the cross-language comparison script. */
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixtures.h"
#include "lpsp.h"

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static volatile size_t sink;

/* Time `iters` iterations of body, in ns per iteration. */
#define TIME_NS(iters, body)                                                                                 \
    ({                                                                                                       \
        double t0_ = now_ns();                                                                               \
        for (long i_ = 0; i_ < (iters); i_++) {                                                              \
            body;                                                                                            \
        }                                                                                                    \
        (now_ns() - t0_) / (double)(iters);                                                                  \
    })

/* Every figure is the minimum over ROUNDS rounds, and each round visits
 * every case in turn, so a burst of load from elsewhere on a shared machine
 * hits one round of all cases rather than all rounds of one case. The
 * Python side takes the same statistic (min of timeit.repeat). */
#define ROUNDS 15

static void keep_min(double *slot, double v)
{
    if (*slot == 0 || v < *slot) *slot = v;
}

static uint8_t NONCE[32], SHA_HI[64], SHA_DICT[64];
static const char DICT[] = "dictionary bytes";

/* One typical message per type, in its first variant (the §5 shapes). */
static size_t typical(lpsp_msg *out)
{
    fixture_type types[FIXTURE_N_TYPES];
    fixture_types(types);
    for (size_t i = 0; i < FIXTURE_N_TYPES; i++) {
        const fixture_type *ft = &types[i];
        uint16_t t = ft->type;
        lpsp_msg *m = &out[i];
        lpsp_msg_init(m, ft->dir, t, ft->variants[0]);
        m->topic = V("foo/bar", 7);
        m->glob = V("foo/*", 5);
        m->identifier = V("\xde\xad\xbe\xef", 4);
        m->nonce = V(NONCE, 32);
        m->enable_zstd = m->enable_training = 1;
        m->subscribers = 1;
        m->part_id = 1;
        m->zstd_identifier = t == LPSP_B2S_ENABLE_ZSTD_PRESET ? 1 : 65536;
        m->compression_level = 3;
        m->min_size = 16384;
        m->max_size = UINT64_MAX;
        if (ft->notify || ft->stream) {
            m->payload = V("hi", 2);
            m->sha512 = V(SHA_HI, 64);
            m->decompressed_length = 2;
        }
        if (ft->dir == LPSP_B2S && t == LPSP_B2S_ENABLE_ZSTD_CUSTOM) {
            m->payload = V(DICT, sizeof DICT - 1);
            m->sha512 = V(SHA_DICT, 64);
        }
    }
    return FIXTURE_N_TYPES;
}

int main(int argc, char **argv)
{
    FILE *json = argc > 1 ? fopen(argv[1], "w") : NULL;
    for (int i = 0; i < 32; i++)
        NONCE[i] = (uint8_t)i;
    SHA512((const unsigned char *)"hi", 2, SHA_HI);
    SHA512((const unsigned char *)DICT, sizeof DICT - 1, SHA_DICT);

    lpsp_msg msgs[32];
    size_t n = typical(msgs);
    /* warm up: caches, branch predictors and the CPU clock settle first */
    for (double t0 = now_ns(); now_ns() - t0 < 300e6;)
        for (size_t i = 0; i < n; i++) {
            uint8_t buf[512];
            size_t len;
            lpsp_msg out;
            lpsp_error e;
            if (lpsp_serialize(&msgs[i], 1, buf, sizeof buf, &len, &e) == LPSP_OK &&
                lpsp_parse(msgs[i].direction, buf, len, 0, &out, &e) == LPSP_OK)
                sink += out.tracing.len;
        }
    static uint8_t wire[32][512];
    size_t wlen[32];
    double parse_ns[32] = {0}, ser_ns[32] = {0};
    for (size_t i = 0; i < n; i++) {
        lpsp_error e;
        if (lpsp_serialize(&msgs[i], 1, wire[i], sizeof wire[i], &wlen[i], &e) != LPSP_OK) {
            fprintf(stderr, "bench: cannot serialize type %u: %s\n", msgs[i].type, e.reason);
            return 1;
        }
    }
    for (int r = 0; r < ROUNDS; r++)
        for (size_t i = 0; i < n; i++) {
            lpsp_msg out;
            lpsp_error e;
            uint8_t wbuf[512];
            keep_min(&parse_ns[i], TIME_NS(20000, {
                if (lpsp_parse(msgs[i].direction, wire[i], wlen[i], 0, &out, &e) != LPSP_OK) abort();
                sink += out.tracing.len;
            }));
            keep_min(&ser_ns[i], TIME_NS(20000, {
                size_t w;
                if (lpsp_serialize(&msgs[i], 1, wbuf, sizeof wbuf, &w, &e) != LPSP_OK) abort();
                sink += w;
            }));
        }
    fprintf(stderr, "minimum over %d interleaved rounds\n%-4s %-26s %6s %12s %12s\n", ROUNDS, "dir",
            "type (minimal headers)", "bytes", "parse ns", "serialize ns");
    for (size_t i = 0; i < n; i++) {
        const uint8_t *buf = wire[i];
        size_t len = wlen[i];
        double parse = parse_ns[i], ser = ser_ns[i];
        const char *dir = msgs[i].direction == LPSP_S2B ? "s2b" : "b2s";
        const char *name = lpsp_type_name(msgs[i].direction, msgs[i].type);
        fprintf(stderr, "%-4s %-26s %6zu %12.1f %12.1f\n", dir, name, len, parse, ser);
        if (json) {
            fprintf(
                json,
                "{\"direction\":\"%s\",\"type\":\"%s\",\"parse_ns\":%.2f,\"serialize_ns\":%.2f,\"hex\":\"",
                dir, name, parse, ser);
            for (size_t k = 0; k < len; k++)
                fprintf(json, "%02x", buf[k]);
            fprintf(json, "\"}\n");
        }
    }

    /* 1 MiB NOTIFY: parse (includes SHA-512 of the body) vs raw SHA-512 */
    size_t body_len = 1 << 20;
    uint8_t *body = malloc(body_len);
    for (size_t i = 0; i < body_len; i++)
        body[i] = (uint8_t)(i * 131 + 7);
    uint8_t digest[64];
    SHA512(body, body_len, digest);
    lpsp_msg m;
    lpsp_msg_init(&m, LPSP_S2B, LPSP_S2B_NOTIFY, LPSP_VARIANT_UNCOMPRESSED);
    m.topic = V("foo/bar", 7);
    m.identifier = V("\xde\xad\xbe\xef", 4);
    m.payload = V(body, body_len);
    m.sha512 = V(digest, 64);
    size_t size, len;
    lpsp_error e;
    if (lpsp_serialized_size(&m, 1, &size, &e) != LPSP_OK) return 1;
    uint8_t *wire1m = malloc(size);
    if (lpsp_serialize(&m, 1, wire1m, size, &len, &e) != LPSP_OK) return 1;
    lpsp_msg out;
    double t_parse = 0, t_sha = 0;
    for (int r = 0; r < ROUNDS; r++) { /* alternate the two, keep each minimum */
        keep_min(&t_parse, TIME_NS(4, {
            if (lpsp_parse(LPSP_S2B, wire1m, len, 0, &out, &e) != LPSP_OK) abort();
            sink += out.payload.len;
        }));
        keep_min(&t_sha, TIME_NS(4, {
            SHA512(body, body_len, digest);
            sink += digest[0];
        }));
    }
    double mib = (double)body_len / (1 << 20);
    fprintf(stderr, "\nNOTIFY 1 MiB parse: %.0f MiB/s; raw SHA-512: %.0f MiB/s; parse/raw = %.1f %%\n",
            mib / (t_parse / 1e9), mib / (t_sha / 1e9), 100.0 * t_sha / t_parse);
    if (json) {
        fprintf(json, "{\"notify_1mib_parse_ns\":%.0f,\"sha512_1mib_ns\":%.0f}\n", t_parse, t_sha);
        fclose(json);
    }
    free(wire1m);
    free(body);
    return 0;
}
