/* Unit tests of the stateful codec: the §5 examples byte-exactly, every
 * type x header mode x variant round-tripped, every truncation, and every
 * validation rule of §3-§4 and the quirk decisions of codec/docs/QUIRKS.md. */
#include <openssl/sha.h>

#include "fixtures.h"
#include "lpsp.h"
#include "test.h"

static const uint8_t NONCE_A[32] = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
                                    16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31};
static uint8_t SHA_HI[64];
#define SHA_HI_HEX FIXTURE_SHA512_HI_HEX
static uint8_t SHA_DICT[64];
static const uint8_t DICT[] = "a dictionary";

/* Parse hex with opts; return the status (msg and err filled). */
static lpsp_status parse_hex(lpsp_direction dir, const char *hex, unsigned opts, lpsp_msg *m, lpsp_error *e)
{
    size_t n;
    unsigned char *b = test_hex(hex, &n);
    static unsigned char keep[1 << 16];
    memcpy(keep, b, n); /* views must outlive this call */
    free(b);
    return lpsp_parse(dir, keep, n, opts, m, e);
}

/* Serialize into an exact-size heap buffer (ASan sees any overrun). */
static unsigned char *ser(const lpsp_msg *m, int minimal, size_t *n, lpsp_status *st)
{
    lpsp_error e;
    size_t size = 0;
    *st = lpsp_serialized_size(m, minimal, &size, &e);
    if (*st != LPSP_OK) return NULL;
    unsigned char *b = malloc(size ? size : 1);
    *st = lpsp_serialize(m, minimal, b, size, n, &e);
    CHECK_EQ_INT(*n, size);
    return b;
}

static int view_eq(lpsp_view a, lpsp_view b)
{
    return a.len == b.len && (!a.len || !memcmp(a.ptr, b.ptr, a.len));
}

static int fields_eq(const lpsp_msg *a, const lpsp_msg *b)
{
    return a->direction == b->direction && a->type == b->type && a->variant == b->variant &&
           a->has_authorization == b->has_authorization &&
           (!a->has_authorization || view_eq(a->authorization, b->authorization)) &&
           view_eq(a->tracing, b->tracing) && view_eq(a->topic, b->topic) && view_eq(a->glob, b->glob) &&
           view_eq(a->identifier, b->identifier) && view_eq(a->nonce, b->nonce) &&
           view_eq(a->sha512, b->sha512) && view_eq(a->payload, b->payload) &&
           a->zstd_identifier == b->zstd_identifier && a->part_id == b->part_id &&
           a->compressor_id == b->compressor_id && a->compressed_length == b->compressed_length &&
           a->decompressed_length == b->decompressed_length && a->subscribers == b->subscribers &&
           a->min_size == b->min_size && a->max_size == b->max_size &&
           a->compression_level == b->compression_level && a->initial_dict == b->initial_dict &&
           a->enable_zstd == b->enable_zstd && a->enable_training == b->enable_training;
}

/* The members each type carries, written out independently of the codec's
 * tables (§3), so the round trip is checked against the spec. */
static lpsp_msg project(const lpsp_msg *w)
{
    lpsp_msg p;
    lpsp_msg_init(&p, w->direction, w->type, w->variant);
    p.flags = w->flags;
    p.has_authorization = w->has_authorization;
    p.authorization = w->authorization;
    p.tracing = w->tracing;
    int stream = w->variant >= LPSP_VARIANT_START_UNCOMPRESSED;
    int start = stream && w->variant != LPSP_VARIANT_CONTINUATION;
    if (w->direction == LPSP_S2B) {
        switch (w->type) {
        case LPSP_S2B_CONFIGURE:
            p.nonce = w->nonce, p.enable_zstd = w->enable_zstd, p.enable_training = w->enable_training;
            p.initial_dict = w->initial_dict;
            break;
        case LPSP_S2B_SUBSCRIBE_EXACT:
        case LPSP_S2B_UNSUBSCRIBE_EXACT: p.topic = w->topic; break;
        case LPSP_S2B_SUBSCRIBE_GLOB:
        case LPSP_S2B_UNSUBSCRIBE_GLOB: p.glob = w->glob; break;
        case LPSP_S2B_NOTIFY:
            p.identifier = w->identifier, p.topic = w->topic, p.compressor_id = w->compressor_id;
            p.compressed_length = w->compressed_length, p.decompressed_length = w->decompressed_length;
            p.sha512 = w->sha512, p.payload = w->payload;
            break;
        case LPSP_S2B_CONTINUE_RECEIVE: p.identifier = w->identifier, p.part_id = w->part_id; break;
        case LPSP_S2B_CONFIRM_RECEIVE: p.identifier = w->identifier, p.subscribers = w->subscribers; break;
        default: break;
        }
    } else {
        switch (w->type) {
        case LPSP_B2S_CONFIRM_CONFIGURE: p.nonce = w->nonce; break;
        case LPSP_B2S_CONFIRM_SUBSCRIBE_EXACT:
        case LPSP_B2S_CONFIRM_UNSUBSCRIBE_EXACT:
        case LPSP_B2S_MISSED: p.topic = w->topic; break;
        case LPSP_B2S_CONFIRM_SUBSCRIBE_GLOB:
        case LPSP_B2S_CONFIRM_UNSUBSCRIBE_GLOB: p.glob = w->glob; break;
        case LPSP_B2S_CONFIRM_NOTIFY: p.identifier = w->identifier, p.subscribers = w->subscribers; break;
        case LPSP_B2S_CONTINUE_NOTIFY: p.identifier = w->identifier, p.part_id = w->part_id; break;
        case LPSP_B2S_ENABLE_ZSTD_CUSTOM: p.payload = w->payload, p.sha512 = w->sha512; /* fall through */
        case LPSP_B2S_ENABLE_ZSTD_PRESET:
            p.min_size = w->min_size, p.max_size = w->max_size, p.compression_level = w->compression_level;
            /* fall through */
        case LPSP_B2S_DISABLE_ZSTD_CUSTOM: p.zstd_identifier = w->zstd_identifier; break;
        default: break;
        }
    }
    if (stream) {
        p.identifier = w->identifier, p.part_id = w->part_id, p.payload = w->payload;
        if (start) {
            p.topic = w->topic, p.compressor_id = w->compressor_id,
            p.compressed_length = w->compressed_length;
            p.decompressed_length = w->decompressed_length, p.sha512 = w->sha512;
        }
    }
    return p;
}

/* ---- §5 examples: decode, check, re-encode byte-exactly */
static void example(lpsp_direction dir, const char *hex, int minimal, uint16_t type, lpsp_variant variant)
{
    size_t n, rn;
    unsigned char *b = test_hex(hex, &n);
    lpsp_msg m;
    lpsp_error e;
    lpsp_status st = lpsp_parse(dir, b, n, 0, &m, &e);
    CHECK_EQ_INT(st, LPSP_OK);
    if (st != LPSP_OK) {
        fprintf(stderr, "  example %s: %s at %zu (%s)\n", hex, e.reason, e.offset, e.field ? e.field : "-");
        free(b);
        return;
    }
    CHECK_EQ_INT(m.type, type);
    CHECK_EQ_INT(m.variant, variant);
    CHECK_EQ_INT(m.flags & 1, minimal);
    unsigned char *r = ser(&m, minimal, &rn, &st);
    CHECK_EQ_INT(st, LPSP_OK);
    if (r) CHECK_MEM(r, rn, b, n);
    free(r);
    free(b);
}

static void test_examples(void)
{
    /* §5.1 .. §5.7, hex copied from the specification */
    example(LPSP_S2B, "00010002000000000007666f6f2f626172", 1, LPSP_S2B_SUBSCRIBE_EXACT, 0);
    example(LPSP_S2B,
            "000000020003000d617574686f72697a6174696f6e00000009782d74726163696e6700000007782d746f706963"
            "0007666f6f2f626172",
            0, LPSP_S2B_SUBSCRIBE_EXACT, 0);
    example(LPSP_S2B,
            "000100010020000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f0001010001010002"
            "000000000000",
            1, LPSP_S2B_CONFIGURE, 0);
    example(LPSP_S2B,
            "00010006000000000004deadbeef0007666f6f2f6261720001000001020001020040" SHA_HI_HEX "6869", 1,
            LPSP_S2B_NOTIFY, LPSP_VARIANT_UNCOMPRESSED);
    example(LPSP_S2B,
            "000000060008000d617574686f72697a6174696f6e00000009782d74726163696e670000000c782d6964656e74"
            "69666965720004deadbeef0007782d746f7069630007666f6f2f626172000c782d636f6d70726573736f72000100"
            "0013782d636f6d707265737365642d6c656e6774680001020015782d6465636f6d707265737365642d6c656e6774"
            "680001020013782d636f6d707265737365642d7368613531320040" SHA_HI_HEX "6869",
            0, LPSP_S2B_NOTIFY, LPSP_VARIANT_UNCOMPRESSED);
    example(LPSP_S2B,
            "000100060000000000026964000174000100000000000040cf83e1357eefb8bdf1542850d66d8007d620e4050b57"
            "15dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
            1, LPSP_S2B_NOTIFY, LPSP_VARIANT_UNCOMPRESSED);
    example(LPSP_B2S, "000100010020202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f00000000",
            1, LPSP_B2S_CONFIRM_CONFIGURE, 0);
    example(LPSP_B2S, "000100060004deadbeef00010300000000", 1, LPSP_B2S_CONFIRM_NOTIFY, 0);
    example(LPSP_S2B, "0001000900040102030400000000000400000001", 1, LPSP_S2B_CONFIRM_RECEIVE, 0);
    example(LPSP_B2S,
            "00010008000000000004010203040001000007666f6f2f6261720001000001020001020040" SHA_HI_HEX "68", 1,
            LPSP_B2S_RECEIVE_STREAM, LPSP_VARIANT_START_UNCOMPRESSED);
    example(LPSP_B2S, "000100080000000000040102030400010169", 1, LPSP_B2S_RECEIVE_STREAM,
            LPSP_VARIANT_CONTINUATION);
    example(LPSP_B2S, "0001000900010100020003000240000008ffffffffffffffff00000000", 1,
            LPSP_B2S_ENABLE_ZSTD_PRESET, 0);

    /* field values of a few of them */
    lpsp_msg m;
    lpsp_error e;
    CHECK_EQ_INT(parse_hex(LPSP_S2B, "00010002000000000007666f6f2f626172", 0, &m, &e), LPSP_OK);
    CHECK(view_eq(m.topic, S("foo/bar")) && !m.has_authorization && m.tracing.len == 0);
    CHECK_EQ_INT(parse_hex(LPSP_B2S, "0001000900010100020003000240000008ffffffffffffffff00000000", 0, &m, &e),
                 LPSP_OK);
    CHECK(m.zstd_identifier == 1 && m.compression_level == 3 && m.min_size == 16384 &&
          m.max_size == UINT64_MAX);
    CHECK_EQ_INT(parse_hex(LPSP_S2B, "0001000900040102030400000000000400000001", 0, &m, &e), LPSP_OK);
    CHECK(m.subscribers == 1 && view_eq(m.identifier, V("\x01\x02\x03\x04", 4)));
    CHECK_EQ_INT(parse_hex(LPSP_B2S, "000100080000000000040102030400010169", 0, &m, &e), LPSP_OK);
    CHECK(m.part_id == 1 && view_eq(m.payload, S("i")));
    /* QK-01: the README's 15-byte form is rejected */
    CHECK_EQ_INT(parse_hex(LPSP_S2B, "000100020000000007666f6f2f626172", 0, &m, &e), LPSP_E_TRUNCATED);
}

/* ---- every type x mode x variant, with boundary values */

static uint8_t big[65535];

static size_t build_all(lpsp_msg *out, size_t cap)
{
    size_t n = 0;
    lpsp_msg m;
#define ADD()                                                                                                \
    do {                                                                                                     \
        if (n < cap) out[n] = m;                                                                             \
        n++;                                                                                                 \
    } while (0)
    static const uint8_t id64[64] = {1};
    fixture_type types[FIXTURE_N_TYPES];
    fixture_types(types);
    for (size_t ti = 0; ti < FIXTURE_N_TYPES; ti++) {
        lpsp_direction dir = types[ti].dir;
        uint16_t t = types[ti].type;
        int notify = types[ti].notify, stream = types[ti].stream;
        const lpsp_variant *vs = types[ti].variants;
        for (int vi = 0; vi < types[ti].n_variants; vi++)
            for (int flavour = 0; flavour < 3; flavour++) {
                /* flavour 0: typical; 1: empty/zero; 2: maximal */
                lpsp_msg_init(&m, dir, t, vs[vi]);
                m.has_authorization = flavour != 1;
                m.authorization =
                    flavour == 2 ? S("X-HMAC 1700000000:abcdef:\xc3\xa9t\xc3\xa9") : S("Bearer tok");
                m.tracing = flavour == 2 ? V(big, sizeof big) : flavour == 1 ? V("", 0) : S("trace");
                m.topic = flavour == 2 ? V(big, sizeof big) : flavour == 1 ? V("", 0) : S("foo/bar");
                m.glob = flavour == 1 ? S("") : S("foo/*/\xe2\x82\xac");
                m.identifier = flavour == 2   ? V(id64, 64)
                               : flavour == 1 ? V("", 0)
                                              : V("\xde\xad\xbe\xef", 4);
                m.nonce = V(NONCE_A, 32);
                m.enable_zstd = flavour != 1;
                m.enable_training = flavour == 2;
                m.initial_dict = flavour == 2 ? 65535 : flavour == 1 ? 0 : 2;
                m.subscribers = flavour == 2   ? (dir == LPSP_S2B ? UINT32_MAX : UINT64_MAX)
                                : flavour == 1 ? 0
                                               : 3;
                m.part_id = vs[vi] == LPSP_VARIANT_CONTINUATION || !stream ? (flavour == 2 ? UINT64_MAX
                                                                              : flavour == 1 && !stream ? 0
                                                                                                        : 7)
                                                                           : 0;
                int zcustom = dir == LPSP_B2S && t != LPSP_B2S_ENABLE_ZSTD_PRESET;
                m.zstd_identifier =
                    zcustom ? (flavour == 2 ? UINT64_MAX : 65536) : (flavour == 2 ? 65535 : 1);
                m.compression_level = flavour == 2 ? -32768 : flavour == 1 ? 0 : 22;
                m.min_size = flavour == 2 ? UINT32_MAX : flavour == 1 ? 0 : 16384;
                m.max_size = flavour == 2 ? UINT64_MAX : flavour == 1 ? 0 : 65536;
                if (notify || stream) {
                    m.payload = flavour == 1 ? V("", 0) : S("hi");
                    m.sha512 = V(SHA_HI, 64);
                    if (flavour == 1) m.sha512 = V(SHA_HI, 64);
                    m.compressor_id = flavour == 2 ? UINT64_MAX : 1;
                    m.decompressed_length = flavour == 2 ? UINT64_MAX : flavour == 1 ? 0 : 2;
                    m.compressed_length = flavour == 2 ? UINT64_MAX : 2;
                    if (notify && flavour == 1) {
                        static uint8_t sha_empty[64];
                        SHA512((const unsigned char *)"", 0, sha_empty);
                        m.sha512 = V(sha_empty, 64);
                    }
                }
                if (t == LPSP_B2S_ENABLE_ZSTD_CUSTOM && dir == LPSP_B2S) {
                    m.payload = V(DICT, sizeof DICT - 1);
                    m.sha512 = V(SHA_DICT, 64);
                }
                if (!notify && !stream && !(dir == LPSP_B2S && t == LPSP_B2S_ENABLE_ZSTD_CUSTOM))
                    m.sha512 = V("", 0);
                ADD();
            }
    }
    return n;
#undef ADD
}

static void test_roundtrip_all(void)
{
    static lpsp_msg all[256];
    memset(big, 'x', sizeof big);
    size_t n = build_all(all, 256);
    CHECK(n <= 256);
    int combos = 0;
    for (size_t i = 0; i < n; i++)
        for (int minimal = 0; minimal <= 1; minimal++) {
            lpsp_status st;
            size_t len;
            unsigned char *b = ser(&all[i], minimal, &len, &st);
            if (st != LPSP_OK) {
                fprintf(stderr, "  serialize %u/%u variant %d minimal %d refused\n", all[i].direction,
                        all[i].type, all[i].variant, minimal);
                CHECK_EQ_INT(st, LPSP_OK);
                continue;
            }
            lpsp_msg back;
            lpsp_error e;
            st = lpsp_parse(all[i].direction, b, len, 0, &back, &e);
            CHECK_EQ_INT(st, LPSP_OK);
            if (st == LPSP_OK) {
                lpsp_msg want = all[i];
                /* derived values the parser reports */
                if (want.variant == LPSP_VARIANT_UNCOMPRESSED)
                    want.compressed_length = want.decompressed_length = want.payload.len,
                    want.compressor_id = 0;
                if (want.variant == LPSP_VARIANT_COMPRESSED) want.compressed_length = want.payload.len;
                if (want.variant == LPSP_VARIANT_START_UNCOMPRESSED)
                    want.compressed_length = want.decompressed_length, want.compressor_id = 0;
                if (want.variant == LPSP_VARIANT_START_UNCOMPRESSED ||
                    want.variant == LPSP_VARIANT_START_COMPRESSED)
                    want.part_id = 0;
                /* members a type does not carry come back zero */
                lpsp_msg clean;
                lpsp_msg_init(&clean, want.direction, want.type, want.variant);
                lpsp_error e2;
                size_t l2;
                lpsp_status st2;
                unsigned char *b2 = ser(&back, minimal, &l2, &st2);
                CHECK_EQ_INT(st2, LPSP_OK);
                if (b2) CHECK_MEM(b2, l2, b, len); /* decode -> encode is byte-identical */
                free(b2);
                (void)clean;
                (void)e2;
                CHECK_EQ_INT(back.flags, minimal ? 1 : 0);
                want.flags = back.flags;
                want = project(&want);
                if (!fields_eq(&back, &want)) {
                    fprintf(stderr, "  fields differ after round trip: %u/%u variant %d\n", want.direction,
                            want.type, want.variant);
                    CHECK(0);
                }
                CHECK_EQ_INT(back.variant, want.variant);
                CHECK(view_eq(back.tracing, want.tracing));
                combos++;
                /* every strict prefix is rejected as truncated, except inside
                 * the body of the stream types (§4.5) */
                for (size_t k = 0; k < len; k++) {
                    /* big messages: every prefix near the ends, sampled between */
                    if (len > 4096 && k > 600 && k + 600 < len && k % 997) continue;
                    lpsp_msg pm;
                    unsigned char *pb = malloc(k ? k : 1);
                    memcpy(pb, b, k);
                    lpsp_status ps = lpsp_parse(all[i].direction, pb, k, 0, &pm, &e);
                    size_t body_start = len - back.payload.len;
                    int stream = back.variant >= LPSP_VARIANT_START_UNCOMPRESSED;
                    int custom = back.direction == LPSP_B2S && back.type == LPSP_B2S_ENABLE_ZSTD_CUSTOM;
                    if (stream && k >= body_start)
                        CHECK_EQ_INT(ps, LPSP_OK);
                    else if (custom && k >= body_start)
                        CHECK_EQ_INT(ps, LPSP_E_HASH_MISMATCH);
                    else if (ps != LPSP_E_TRUNCATED) {
                        fprintf(stderr, "  prefix %zu/%zu of %u/%u: %d\n", k, len, back.direction, back.type,
                                ps);
                        CHECK_EQ_INT(ps, LPSP_E_TRUNCATED);
                    }
                    if (ps != LPSP_OK) CHECK(e.offset <= k && e.reason != NULL);
                    free(pb);
                }
            }
            free(b);
        }
    CHECK(combos >= 2 * 3 * (9 + 12 + 1 + 2 + 2));
}

/* ---- validation rules */

static void expect(lpsp_direction dir, const char *hex, unsigned opts, lpsp_status want, const char *why)
{
    lpsp_msg m;
    lpsp_error e = {LPSP_OK, 0, NULL, NULL};
    lpsp_status st = parse_hex(dir, hex, opts, &m, &e);
    if (st != want)
        fprintf(stderr, "  %s: got %s, want %s\n", why, lpsp_status_name(st), lpsp_status_name(want));
    CHECK_EQ_INT(st, want);
    if (st != LPSP_OK) CHECK(e.reason != NULL);
}

#define NONCE32 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
/* a 64-byte identifier: ab ab ... ab */
#define AB16 "abababababababababababababababab"
#define ID64 AB16 AB16 AB16 AB16
/* NOTIFY up to its compressor: flags, type, authorization, tracing,
 * identifier de ad be ef, topic foo/bar */
#define NOTIFY_PRE "00010006 0000 0000 0004deadbeef 0007666f6f2f626172"
/* SUBSCRIBE_EXACT, expanded: the authorization and tracing headers, empty */
#define HDR_AUTH    "000d617574686f72697a6174696f6e 0000"
#define HDR_TRACING "0009782d74726163696e67 0000"

/* The validation rules of §3-§4 and the QUIRKS.md decisions: a message in
 * hex parsed with options gives one status. */
static const struct {
    lpsp_direction dir;
    const char *hex;
    unsigned opts;
    lpsp_status want;
    const char *why;
} RULES[] = {
    /* prefix and type */
    {LPSP_S2B, "", 0, LPSP_E_TRUNCATED, "empty"},
    {LPSP_S2B, "00", 0, LPSP_E_TRUNCATED, "1 byte"},
    {LPSP_S2B, "000100", 0, LPSP_E_TRUNCATED, "3 bytes"},
    {LPSP_S2B, "00010000", 0, LPSP_E_BAD_TYPE, "type 0"},
    {LPSP_S2B, "0001000a000000000000", 0, LPSP_E_BAD_TYPE, "s2b type 10"},
    {LPSP_B2S, "0001000d000000000000", 0, LPSP_E_BAD_TYPE, "b2s type 13"},
    {LPSP_B2S, "0001ffff000000000000", 0, LPSP_E_BAD_TYPE, "type 0xffff"},
    {LPSP_B2S, "0001000c000000000000", 0, LPSP_OK, "b2s type 12"},
    /* QK-21 */
    {LPSP_S2B, "ffff0002000000000007666f6f2f626172", 0, LPSP_E_BAD_FLAGS, "flags ffff strict"},
    {LPSP_S2B, "ffff0002000000000007666f6f2f626172", LPSP_PARSE_COMPAT, LPSP_OK, "flags ffff compat"},
    {LPSP_S2B,
     "fffe00020003000d617574686f72697a6174696f6e00000009782d74726163696e6700000007782d746f7069630007666"
     "f6f2f626172",
     LPSP_PARSE_COMPAT, LPSP_OK, "flags fffe compat = expanded"},
    /* QK-11 */
    {LPSP_S2B, "00010002000000000007666f6f2f62617267617262616765", 0, LPSP_E_TRAILING_BYTES,
     "trailing strict"},
    {LPSP_S2B, "00010002000000000007666f6f2f62617267617262616765", LPSP_PARSE_COMPAT, LPSP_OK,
     "trailing compat"},

    /* CONFIGURE: nonce 31 / 33, booleans (QK-06), initial dict width */
    {LPSP_S2B,
     "00010001001f"
     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e"
     "0001010001010002000000000000",
     0, LPSP_E_FIELD_SIZE, "nonce 31"},
    {LPSP_S2B, "00010001001f" NONCE32, 0, LPSP_E_TRUNCATED, "nonce 31, nothing after: truncation first"},
    {LPSP_S2B, "000100010021" NONCE32 "ff0001010001010002000000000000", 0, LPSP_E_FIELD_SIZE, "nonce 33"},
    {LPSP_S2B, "000100010020" NONCE32 "0001020001010002000000000000", 0, LPSP_E_INVALID_VALUE, "zstd 02"},
    {LPSP_S2B, "000100010020" NONCE32 "0001020001010002000000000000", LPSP_PARSE_COMPAT, LPSP_OK,
     "zstd 02 compat"},
    {LPSP_S2B, "000100010020" NONCE32 "0000000101000200000000 0000", 0, LPSP_E_INVALID_VALUE, "zstd empty"},
    {LPSP_S2B, "000100010020" NONCE32 "00010100010100030000000000 0000", 0, LPSP_E_FIELD_SIZE,
     "initial dict 3 bytes"},
    {LPSP_S2B, "000100010020" NONCE32 "0001010001010000 0000 0000", 0, LPSP_OK, "initial dict empty"},
    /* identifier 64 ok, 65 too long */
    {LPSP_S2B, "00010009 0040" ID64 " 0000 0000 000400000001", 0, LPSP_OK, "identifier 64"},
    {LPSP_S2B, "00010009 0041" ID64 "ab 0000 0000 000400000001", 0, LPSP_E_FIELD_SIZE, "identifier 65"},
    /* integer widths */
    {LPSP_S2B, "00010009 0000 0000 0000 00050000000001", 0, LPSP_E_FIELD_SIZE, "num-subscribers 5 bytes"},
    {LPSP_S2B, "00010009 0000 0000 0000 000101", 0, LPSP_OK, "num-subscribers 1 byte"},
    {LPSP_S2B, "00010008 0000 0009000000000000000001 0000 0000", 0, LPSP_E_FIELD_SIZE, "part id 9 bytes"},
    {LPSP_S2B, "00010008 0000 0008ffffffffffffffff 0000 0000", 0, LPSP_OK, "part id 2^64-1"},
    {LPSP_B2S, "00010006 0000 0009000000000000000001 0000 0000", 0, LPSP_E_FIELD_SIZE, "subscribers 9 bytes"},
    {LPSP_B2S, "00010009 000101 0003000003 0000 0000 0000 0000", 0, LPSP_E_FIELD_SIZE, "level 3 bytes"},
    {LPSP_B2S, "00010009 000101 0002 0003 00050000000001 0000 0000 0000", 0, LPSP_E_FIELD_SIZE,
     "min size 5 bytes"},
    {LPSP_B2S, "00010009 000101 0002 0003 000400000001 0000 0000 0000", 0, LPSP_OK, "min size 4 bytes"},
    {LPSP_B2S, "00010009 000101 0002 0003 0000 0009000000000000000001 0000 0000", 0, LPSP_E_FIELD_SIZE,
     "max size 9 bytes"},
    {LPSP_B2S, "00010009 0009000000000000000001 0002 0003 0000 0000 0000 0000", 0, LPSP_E_FIELD_SIZE,
     "zstd id 9 bytes"},
    /* QK-03 identifier ranges */
    {LPSP_B2S, "00010009 0000 0002 0003 0000 0000 0000 0000", 0, LPSP_E_INVALID_VALUE, "preset id 0"},
    {LPSP_B2S, "00010009 0000 0002 0003 0000 0000 0000 0000", LPSP_PARSE_COMPAT, LPSP_OK,
     "preset id 0 compat"},
    {LPSP_B2S, "00010009 0003010000 0002 0003 0000 0000 0000 0000", 0, LPSP_E_INVALID_VALUE,
     "preset id 65536"},
    {LPSP_B2S, "0001000b 0002ffff 0000 0000", 0, LPSP_E_INVALID_VALUE, "disable id 65535"},
    {LPSP_B2S, "0001000b 0003010000 0000 0000", 0, LPSP_OK, "disable id 65536"},
    {LPSP_B2S, "0001000b 0002ffff 0000 0000", LPSP_PARSE_COMPAT, LPSP_OK, "disable id 65535 compat"},
    /* UTF-8: authorization and glob */
    {LPSP_S2B, "00010002 0001ff 0000 0000", 0, LPSP_E_BAD_UTF8, "auth ff"},
    {LPSP_S2B, "00010003 0000 0000 0003eda080", 0, LPSP_E_BAD_UTF8, "glob surrogate"},
    {LPSP_S2B, "00010003 0000 0000 0002c0af", 0, LPSP_E_BAD_UTF8, "glob overlong"},
    {LPSP_S2B, "00010003 0000 0000 0004f4908080", 0, LPSP_E_BAD_UTF8, "glob above U+10FFFF"},
    {LPSP_S2B, "00010003 0000 0000 0002e282", 0, LPSP_E_BAD_UTF8, "glob truncated sequence"},
    {LPSP_S2B, "00010003 0000 0000 0004efbbbf00", 0, LPSP_OK, "glob BOM + NUL accepted"},
    {LPSP_B2S, "00010003 0001ff 0001ff 0000", 0, LPSP_E_BAD_UTF8, "confirm glob: glob first"},
    /* topic is opaque */
    {LPSP_S2B, "00010002 0000 0000 0002ffff", 0, LPSP_OK, "topic non-UTF-8"},

    /* NOTIFY: body length, digest, compressor */
    {LPSP_S2B, NOTIFY_PRE " 000100 000102 000102 0040" SHA_HI_HEX " 686921", 0, LPSP_E_LENGTH_MISMATCH,
     "body one too long"},
    {LPSP_S2B, NOTIFY_PRE " 000100 000102 000102 0040" SHA_HI_HEX " 68", 0, LPSP_E_TRUNCATED,
     "body one too short"},
    {LPSP_S2B, NOTIFY_PRE " 000100 000102 000102 0040" SHA_HI_HEX " 6868", 0, LPSP_E_HASH_MISMATCH,
     "digest mismatch"},
    {LPSP_S2B, NOTIFY_PRE " 000100 000102 000102 0040" SHA_HI_HEX " 6868", LPSP_PARSE_SKIP_DIGEST, LPSP_OK,
     "digest mismatch skipped"},
    {LPSP_S2B, NOTIFY_PRE " 000100 000102 000103 0040" SHA_HI_HEX " 6869", 0, LPSP_E_LENGTH_MISMATCH,
     "uncompressed lengths differ"},
    {LPSP_S2B, NOTIFY_PRE " 000101 000102 000103 0040" SHA_HI_HEX " 6869", 0, LPSP_OK,
     "compressed, lengths differ"},
    {LPSP_S2B, NOTIFY_PRE " 0000 000102 000102 0040" SHA_HI_HEX " 6869", 0, LPSP_OK, "empty compressor = 0"},
    {LPSP_S2B, NOTIFY_PRE " 0009000000000000000001 000102 000102 0040" SHA_HI_HEX " 6869", 0,
     LPSP_E_FIELD_SIZE, "compressor 9 bytes"},
    {LPSP_S2B, NOTIFY_PRE " 000100 000102 000102 0041" SHA_HI_HEX "00 6869", 0, LPSP_E_FIELD_SIZE,
     "digest 65 bytes"},

    /* NOTIFY_STREAM: part 0 longer than the declared total (QK-13) */
    {LPSP_S2B, "00010007 0000 0000 000401020304 000100 0001 61 000100 000101 000101 0040" SHA_HI_HEX " 6869",
     0, LPSP_E_LENGTH_MISMATCH, "part 0 longer than total"},
    {LPSP_S2B, "00010007 0000 0000 000401020304 000100 0001 61 000100 000101 000101 0040" SHA_HI_HEX " 6869",
     LPSP_PARSE_COMPAT, LPSP_OK, "part 0 longer than total compat"},
    /* uncompressed start with different lengths */
    {LPSP_S2B, "00010007 0000 0000 000401020304 000100 0001 61 000100 000102 000103 0040" SHA_HI_HEX " 68", 0,
     LPSP_E_LENGTH_MISMATCH, "start lengths differ"},
    /* part id 0 written as empty, 00 00 (QK-15) */
    {LPSP_S2B, "00010007 0000 0000 000401020304 0000 0001 61 000100 000102 000102 0040" SHA_HI_HEX " 68", 0,
     LPSP_OK, "part id empty = start"},
    {LPSP_S2B, "00010007 0000 0000 000401020304 00020000 0001 61 000100 000102 000102 0040" SHA_HI_HEX " 68",
     0, LPSP_OK, "part id 00 00 = start"},
    /* continuation: the rest is body, whatever it looks like */
    {LPSP_S2B, "00010007 0000 0000 000401020304 000105 0001610001", 0, LPSP_OK, "continuation body"},
    /* QK-14: minimal checks the part id before authorization */
    {LPSP_S2B, "00010007 0001ff 0000 0000 0009000000000000000001", 0, LPSP_E_FIELD_SIZE, "QK-14 minimal"},
    {LPSP_S2B,
     "00000007 0004 000d617574686f72697a6174696f6e 0001ff 0009782d74726163696e67 0000"
     " 000c782d6964656e746966696572 0000 0009782d706172742d6964 0009000000000000000001",
     0, LPSP_E_BAD_UTF8, "QK-14 expanded"},
    /* continuation in expanded mode ignores invalid part-0 headers */
    {LPSP_S2B,
     "00000007 0005 000d617574686f72697a6174696f6e 0000 0009782d74726163696e67 0000"
     " 000c782d6964656e746966696572 0000 0009782d706172742d6964 000101"
     " 000c782d636f6d70726573736f72 0014 0000000000000000000000000000000000000000 7a",
     0, LPSP_OK, "QK-15 continuation ignores part-0 headers"},

    /* expanded SUBSCRIBE_EXACT with variations of its three headers */
    {LPSP_S2B,
     "00000002 0003 000d415554484f52495a4154494f4e 0000 0009582d54726163696e67 0000 "
     "0007582d544f504943 000161",
     0, LPSP_OK, "upper-case names"},
    {LPSP_S2B,
     "00000002 0004 0008782d746f70696320 0000 " HDR_AUTH " " HDR_TRACING " 0007782d746f706963 000161", 0,
     LPSP_OK, "trailing space: unknown header"},
    {LPSP_S2B, "00000002 0003 " HDR_AUTH " " HDR_TRACING " 0007782d746f70c3af 000161", 0,
     LPSP_E_BAD_HEADER_NAME, "non-ASCII name"},
    {LPSP_S2B, "00000002 0002 " HDR_AUTH " " HDR_TRACING, 0, LPSP_E_MISSING_HEADER, "missing topic"},
    {LPSP_S2B, "00000002 0000", 0, LPSP_E_MISSING_HEADER, "no headers"},
    {LPSP_S2B, "00000002 0004 " HDR_AUTH " " HDR_TRACING " 0007782d746f706963 000161", 0, LPSP_E_TRUNCATED,
     "count larger than present"},
};

static void test_rules(void)
{
    for (size_t i = 0; i < sizeof RULES / sizeof RULES[0]; i++)
        expect(RULES[i].dir, RULES[i].hex, RULES[i].opts, RULES[i].want, RULES[i].why);
    /* NOTIFY with the example's digest less its last byte */
    char hex[600];
    snprintf(hex, sizeof hex, NOTIFY_PRE " 000100 000102 000102 003f%.126s 6869", SHA_HI_HEX);
    expect(LPSP_S2B, hex, 0, LPSP_E_FIELD_SIZE, "digest 63 bytes");
}

/* Field rules with more to check than the status. */
static void test_field_rules(void)
{
    {
        lpsp_msg m;
        lpsp_error e;
        CHECK_EQ_INT(parse_hex(LPSP_S2B, "000100010020" NONCE32 "000102 000100 0000 0000 0000",
                               LPSP_PARSE_COMPAT, &m, &e),
                     LPSP_OK);
        CHECK(m.enable_zstd == 0 && m.enable_training == 0); /* 02 and 00 are both false in compat */
    }
    /* QK-04 level: sign at the width present, <= 22 strictly */
    {
        static const struct {
            const char *hex;
            int level;
        } lv[] = {{"0000", 0},         {"0001ff", -1}, {"000200ff", 255}, {"0002ffff", -1},
                  {"00027fff", 32767}, {"000116", 22}, {"000117", 23}};
        for (size_t i = 0; i < sizeof lv / sizeof lv[0]; i++) {
            char hex[200];
            lpsp_msg m;
            lpsp_error e;
            snprintf(hex, sizeof hex, "00010009 000101 %s 0000 0000 0000 0000", lv[i].hex);
            CHECK_EQ_INT(parse_hex(LPSP_B2S, hex, LPSP_PARSE_COMPAT, &m, &e), LPSP_OK);
            CHECK_EQ_INT(m.compression_level, lv[i].level);
            CHECK_EQ_INT(parse_hex(LPSP_B2S, hex, 0, &m, &e),
                         lv[i].level > 22 ? LPSP_E_INVALID_VALUE : LPSP_OK);
        }
    }
}

static void test_expanded_rules(void)
{
    lpsp_msg m;
    lpsp_error e;
    /* SUBSCRIBE_EXACT: the last duplicate wins; an empty name is ignored */
    CHECK_EQ_INT(parse_hex(LPSP_S2B,
                           "00000002 0005 " HDR_AUTH " " HDR_TRACING
                           " 0007782d746f706963 000161 0000 0000 0007782d746f706963 000162",
                           0, &m, &e),
                 LPSP_OK);
    CHECK(view_eq(m.topic, S("b")));
    /* QK-05: CONFIGURE without x-initial-dict */
    const char *configure =
        "00000001 0005 0012782d737562736372696265722d6e6f6e6365 0020" NONCE32
        " 000d782d656e61626c652d7a737464 000101 0011782d656e61626c652d747261696e696e67 000100 " HDR_AUTH
        " " HDR_TRACING;
    CHECK_EQ_INT(parse_hex(LPSP_S2B, configure, 0, &m, &e), LPSP_E_MISSING_HEADER);
    CHECK(e.field && strcmp(e.field, "x-initial-dict") == 0);
    CHECK_EQ_INT(parse_hex(LPSP_S2B, configure, LPSP_PARSE_COMPAT, &m, &e), LPSP_OK);
    CHECK_EQ_INT(m.initial_dict, 48);
}

static void test_custom_dict_digest(void)
{
    char hex[800];
    char dict_hex[64] = "";
    for (size_t i = 0; i < sizeof DICT - 1; i++)
        sprintf(dict_hex + 2 * i, "%02x", DICT[i]);
    char sha_hex[129];
    for (int i = 0; i < 64; i++)
        sprintf(sha_hex + 2 * i, "%02x", SHA_DICT[i]);
    snprintf(hex, sizeof hex, "0001000a 0003010000 0002 0003 0000 0000 0000 0000 0040%s %s", sha_hex,
             dict_hex);
    expect(LPSP_B2S, hex, 0, LPSP_OK, "custom dict digest ok");
    snprintf(hex, sizeof hex, "0001000a 0003010000 0002 0003 0000 0000 0000 0000 0040%s %s00", sha_hex,
             dict_hex);
    expect(LPSP_B2S, hex, 0, LPSP_E_HASH_MISMATCH, "custom dict digest mismatch (QK-12)");
    expect(LPSP_B2S, hex, LPSP_PARSE_COMPAT, LPSP_OK, "custom dict digest mismatch compat");
    expect(LPSP_B2S, hex, LPSP_PARSE_SKIP_DIGEST, LPSP_OK, "custom dict digest skipped");
}

static void test_serializer_refusals(void)
{
    lpsp_msg m;
    lpsp_status st;
    size_t n;
    static uint8_t long_tracing[65536];
    /* QK-16 */
    lpsp_msg_init(&m, LPSP_S2B, LPSP_S2B_NOTIFY, LPSP_VARIANT_COMPRESSED);
    m.payload = S("hi");
    m.sha512 = V(SHA_HI, 64);
    m.compressor_id = 0;
    CHECK(ser(&m, 1, &n, &st) == NULL && st == LPSP_E_INVALID_ARGUMENT);
    m.compressor_id = 1;
    m.sha512 = V(SHA_DICT, 64);
    CHECK(ser(&m, 1, &n, &st) == NULL && st == LPSP_E_INVALID_ARGUMENT); /* wrong digest */
    /* QK-17 */
    lpsp_msg_init(&m, LPSP_S2B, LPSP_S2B_NOTIFY_STREAM, LPSP_VARIANT_CONTINUATION);
    CHECK(ser(&m, 1, &n, &st) == NULL && st == LPSP_E_INVALID_ARGUMENT);
    /* QK-19 */
    lpsp_msg_init(&m, LPSP_S2B, LPSP_S2B_CONFIGURE, 0);
    m.nonce = V(NONCE_A, 31);
    CHECK(ser(&m, 1, &n, &st) == NULL && st == LPSP_E_INVALID_ARGUMENT);
    m.nonce = V(NONCE_A, 32);
    m.initial_dict = 65536;
    CHECK(ser(&m, 1, &n, &st) == NULL && st == LPSP_E_INVALID_ARGUMENT);
    lpsp_msg_init(&m, LPSP_S2B, LPSP_S2B_CONFIRM_RECEIVE, 0);
    m.subscribers = (uint64_t)1 << 32;
    CHECK(ser(&m, 1, &n, &st) == NULL && st == LPSP_E_INVALID_ARGUMENT);
    m.subscribers = 1;
    m.identifier = V(big, 65);
    CHECK(ser(&m, 1, &n, &st) == NULL && st == LPSP_E_INVALID_ARGUMENT);
    m.identifier = V(big, 4);
    m.tracing = V(long_tracing, sizeof long_tracing);
    CHECK(ser(&m, 1, &n, &st) == NULL && st == LPSP_E_INVALID_ARGUMENT);
    m.tracing = V("", 0);
    m.has_authorization = 1;
    m.authorization = V("\xff", 1);
    CHECK(ser(&m, 1, &n, &st) == NULL && st == LPSP_E_INVALID_ARGUMENT);
    lpsp_msg_init(&m, LPSP_B2S, LPSP_B2S_ENABLE_ZSTD_PRESET, 0);
    m.zstd_identifier = 1;
    m.min_size = (uint64_t)1 << 32;
    CHECK(ser(&m, 1, &n, &st) == NULL && st == LPSP_E_INVALID_ARGUMENT);
    m.min_size = 0;
    m.compression_level = 23;
    CHECK(ser(&m, 1, &n, &st) == NULL && st == LPSP_E_INVALID_ARGUMENT);
    m.compression_level = 3;
    m.zstd_identifier = 0;
    CHECK(ser(&m, 1, &n, &st) == NULL && st == LPSP_E_INVALID_ARGUMENT);
    lpsp_msg_init(&m, LPSP_S2B, LPSP_S2B_SUBSCRIBE_EXACT, 0);
    m.payload = S("x");
    CHECK(ser(&m, 1, &n, &st) == NULL && st == LPSP_E_INVALID_ARGUMENT); /* no body */
    /* a buffer one byte short: refused, nothing written past it */
    lpsp_msg_init(&m, LPSP_S2B, LPSP_S2B_SUBSCRIBE_EXACT, 0);
    m.topic = S("foo/bar");
    size_t size;
    lpsp_error e;
    CHECK_EQ_INT(lpsp_serialized_size(&m, 1, &size, &e), LPSP_OK);
    CHECK_EQ_INT(size, 17);
    unsigned char *b = malloc(size - 1);
    CHECK_EQ_INT(lpsp_serialize(&m, 1, b, size - 1, &n, &e), LPSP_E_BUFFER_TOO_SMALL);
    free(b);
    /* no buffer: too small, and the size needed is reported */
    n = 0;
    CHECK_EQ_INT(lpsp_serialize(&m, 1, NULL, 1000, &n, &e), LPSP_E_BUFFER_TOO_SMALL);
    CHECK_EQ_INT(n, 17);
    {
        lpsp_msg pm;
        CHECK_EQ_INT(lpsp_parse(LPSP_S2B, NULL, 0, 0, &pm, &e), LPSP_E_TRUNCATED);
        CHECK_EQ_INT(lpsp_parse(LPSP_S2B, NULL, 5, 0, &pm, &e), LPSP_E_INVALID_ARGUMENT);
        m.topic.ptr = NULL; /* NULL view with a length: refused, not dereferenced */
        CHECK_EQ_INT(lpsp_serialized_size(&m, 1, &size, &e), LPSP_E_INVALID_ARGUMENT);
    }
    CHECK(lpsp_type_from_name(LPSP_S2B, NULL) == 0 && lpsp_type_from_name((lpsp_direction)7, "MISSED") == 0);
    CHECK(!lpsp_status_is_fatal(LPSP_E_TRUNCATED) && lpsp_status_is_fatal(LPSP_E_HASH_MISMATCH));
    CHECK(strcmp(lpsp_status_name(LPSP_E_MISSING_HEADER), "missing_header") == 0);
    CHECK(lpsp_type_from_name(LPSP_B2S, "MISSED") == LPSP_B2S_MISSED &&
          lpsp_type_from_name(LPSP_S2B, "MISSED") == 0);
}

int main(void)
{
    SHA512((const unsigned char *)"hi", 2, SHA_HI);
    SHA512(DICT, sizeof DICT - 1, SHA_DICT);
    test_examples();
    test_roundtrip_all();
    test_rules();
    test_field_rules();
    test_expanded_rules();
    test_custom_dict_digest();
    test_serializer_refusals();
    TEST_MAIN_END();
}
