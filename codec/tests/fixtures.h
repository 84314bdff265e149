/* Fixtures shared by the unit tests (codec/tests) and the benchmarks
 * (codec/bench): views of literals, the spec's example values, the §10.5
 * signing example, and every stateful type with the variants it takes.
 * Everything here is input or a value copied from the specification, never
 * a result of the codec. Header only: static inline functions and macros,
 * so that a file may use any part of it. */
#ifndef LPSP_FIXTURES_H
#define LPSP_FIXTURES_H

#include <stdint.h>
#include <string.h>

#include "lpsp.h"

static inline lpsp_view V(const void *p, size_t n)
{
    lpsp_view v = {(const uint8_t *)p, n};
    return v;
}
static inline lpsp_view S(const char *s)
{
    return V(s, strlen(s));
}

/* The subscriber's URLs of the spec's examples (§8.5, §9.3, §10.5). */
#define FIXTURE_URL     "http://127.0.0.1:3002/v1/receive"
#define FIXTURE_RECOVER "http://127.0.0.1:3002/v1/recover"

/* SHA-512 of "hi", the payload of the §5 and §8.5 NOTIFY examples. */
#define FIXTURE_SHA512_HI_HEX                                                                                \
    "150a14ed5bea6cc731cf86c41566ac427a8db48ef1b9fd626664b3bfbb99071f"                                       \
    "a4c922f33dde38719b8c8354e2b7ab9d77e0e67fc12843920a712e73d558e197"

/* The HMAC secret of the §10.5 examples: the bytes 0, 1, ..., 63. */
static inline void fixture_secret(uint8_t secret[64])
{
    for (int i = 0; i < 64; i++)
        secret[i] = (uint8_t)i;
}

/* Auth fields of one kind, timestamp and nonce; every other field zero or
 * empty. */
static inline lpsp_auth_fields fixture_auth_fields(int kind, uint64_t timestamp, const char *nonce)
{
    lpsp_auth_fields f;
    memset(&f, 0, sizeof f);
    f.kind = kind;
    f.timestamp = timestamp;
    f.nonce = S(nonce);
    return f;
}

/* The timestamp and nonce of the §10.5 examples. */
#define FIXTURE_TIMESTAMP 1700000000
#define FIXTURE_NONCE     "abcdef"

static inline lpsp_auth_fields fixture_auth_example(int kind)
{
    return fixture_auth_fields(kind, FIXTURE_TIMESTAMP, FIXTURE_NONCE);
}

/* §10.5: SUBSCRIBE_EXACT of topic "foo/bar" for FIXTURE_URL, its code and
 * its header when signed with fixture_secret(). */
static inline lpsp_auth_fields fixture_subscribe_exact(void)
{
    lpsp_auth_fields f = fixture_auth_example(LPSP_AUTH_SUBSCRIBE_EXACT);
    f.url = S(FIXTURE_URL);
    f.topic = S("foo/bar");
    return f;
}
#define FIXTURE_SUBSCRIBE_EXACT_CODE                                                                         \
    "acAtizNS+K7OfssM7yA8XU6o0DTkx/yhiDul0/LlKunwAkxPsZLnrOWWIc75QRvOxfmBdQq6pnj9VRdUN7y8gQ=="
#define FIXTURE_SUBSCRIBE_EXACT_HEADER "X-HMAC 1700000000:abcdef:" FIXTURE_SUBSCRIBE_EXACT_CODE

/* Every stateful message type (§3), server-to-broadcaster first, each in
 * type order, with the variants it takes: NOTIFY uncompressed and
 * compressed; NOTIFY_STREAM and RECEIVE_STREAM a start, uncompressed and
 * compressed, and a continuation; every other type none. */
typedef struct {
    lpsp_direction dir;
    uint16_t type;
    int notify; /* s2b NOTIFY */
    int stream; /* s2b NOTIFY_STREAM, b2s RECEIVE_STREAM */
    int n_variants;
    lpsp_variant variants[3];
} fixture_type;

enum { FIXTURE_N_TYPES = LPSP_S2B_MAX + LPSP_B2S_MAX };

static inline void fixture_types(fixture_type out[FIXTURE_N_TYPES])
{
    fixture_type *f = out;
    for (int dir = LPSP_S2B; dir <= LPSP_B2S; dir++) {
        uint16_t max = dir == LPSP_S2B ? LPSP_S2B_MAX : LPSP_B2S_MAX;
        for (uint16_t t = 1; t <= max; t++, f++) {
            memset(f, 0, sizeof *f);
            f->dir = (lpsp_direction)dir;
            f->type = t;
            f->notify = dir == LPSP_S2B && t == LPSP_S2B_NOTIFY;
            f->stream = (dir == LPSP_S2B && t == LPSP_S2B_NOTIFY_STREAM) ||
                        (dir == LPSP_B2S && t == LPSP_B2S_RECEIVE_STREAM);
            if (f->notify) {
                f->variants[f->n_variants++] = LPSP_VARIANT_UNCOMPRESSED;
                f->variants[f->n_variants++] = LPSP_VARIANT_COMPRESSED;
            } else if (f->stream) {
                f->variants[f->n_variants++] = LPSP_VARIANT_START_UNCOMPRESSED;
                f->variants[f->n_variants++] = LPSP_VARIANT_START_COMPRESSED;
                f->variants[f->n_variants++] = LPSP_VARIANT_CONTINUATION;
            } else {
                f->variants[f->n_variants++] = LPSP_VARIANT_NONE;
            }
        }
    }
}

#endif
