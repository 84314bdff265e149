/* Stateful operations of the lpsp tool: JSON <-> lpsp_msg, described as
 * one field list per message variant (the reference dataclass fields, in
 * their order), read by both directions of the mapping. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

enum {
    JF_HEX,  /* lpsp_view as hex */
    JF_TEXT, /* lpsp_view as a JSON string (UTF-8) */
    JF_AUTH, /* has_authorization + authorization: string or null */
    JF_U64S, /* uint64_t as a decimal string */
    JF_U64N, /* uint64_t (< 2^32) as a JSON number */
    JF_I32N, /* int32_t as a JSON number */
    JF_U32N, /* uint32_t as a JSON number */
    JF_BOOL, /* uint8_t as true/false */
    JF_NULL  /* always null: the reference's None discriminators */
};

typedef struct {
    const char *key;
    uint8_t kind;
    size_t off;
} jfield;

/* Braced initialisers in macros: kept on one line each. */
/* clang-format off */
#define F(key, kind, member) {key, kind, offsetof(lpsp_msg, member)}
#define AUTHF F("authorization", JF_AUTH, authorization)
#define TRACINGF F("tracing", JF_HEX, tracing)
#define TOPICF F("topic", JF_HEX, topic)
#define GLOBF F("glob", JF_TEXT, glob)
#define IDENTF F("identifier", JF_HEX, identifier)
#define PARTF F("part_id", JF_U64S, part_id)
#define NULLF(key) {key, JF_NULL, 0}
#define END {NULL, 0, 0}
/* clang-format on */

static const jfield f_configure[] = {F("subscriber_nonce", JF_HEX, nonce),
                                     F("enable_zstd", JF_BOOL, enable_zstd),
                                     F("enable_training", JF_BOOL, enable_training),
                                     F("initial_dict", JF_U32N, initial_dict),
                                     AUTHF,
                                     TRACINGF,
                                     END};
static const jfield f_exact[] = {AUTHF, TRACINGF, TOPICF, END};
static const jfield f_glob[] = {AUTHF, TRACINGF, GLOBF, END};
static const jfield f_notify_u[] = {AUTHF,
                                    TRACINGF,
                                    IDENTF,
                                    NULLF("compressor_id"),
                                    TOPICF,
                                    F("verified_uncompressed_sha512", JF_HEX, sha512),
                                    F("uncompressed_message", JF_HEX, payload),
                                    END};
static const jfield f_notify_c[] = {AUTHF,
                                    TRACINGF,
                                    IDENTF,
                                    F("compressor_id", JF_U64S, compressor_id),
                                    TOPICF,
                                    F("verified_compressed_sha512", JF_HEX, sha512),
                                    F("compressed_message", JF_HEX, payload),
                                    F("decompressed_length", JF_U64S, decompressed_length),
                                    END};
static const jfield f_stream_su[] = {AUTHF,
                                     TRACINGF,
                                     IDENTF,
                                     NULLF("part_id"),
                                     TOPICF,
                                     NULLF("compressor_id"),
                                     F("uncompressed_length", JF_U64S, decompressed_length),
                                     F("unverified_uncompressed_sha512", JF_HEX, sha512),
                                     F("payload", JF_HEX, payload),
                                     END};
static const jfield f_stream_sc[] = {AUTHF,
                                     TRACINGF,
                                     IDENTF,
                                     NULLF("part_id"),
                                     TOPICF,
                                     F("compressor_id", JF_U64S, compressor_id),
                                     F("compressed_length", JF_U64S, compressed_length),
                                     F("decompressed_length", JF_U64S, decompressed_length),
                                     F("unverified_compressed_sha512", JF_HEX, sha512),
                                     F("payload", JF_HEX, payload),
                                     END};
static const jfield f_stream_cont[] = {AUTHF, TRACINGF, IDENTF, PARTF, F("payload", JF_HEX, payload), END};
static const jfield f_continue[] = {IDENTF, PARTF, AUTHF, TRACINGF, END};
static const jfield f_confirm_receive[] = {IDENTF, AUTHF, TRACINGF,
                                           F("num_subscribers", JF_U64N, subscribers), END};
static const jfield f_confirm_configure[] = {F("broadcaster_nonce", JF_HEX, nonce), AUTHF, TRACINGF, END};
static const jfield f_confirm_exact[] = {TOPICF, AUTHF, TRACINGF, END};
static const jfield f_confirm_glob[] = {GLOBF, AUTHF, TRACINGF, END};
static const jfield f_confirm_notify[] = {IDENTF, F("subscribers", JF_U64S, subscribers), AUTHF, TRACINGF,
                                          END};
static const jfield f_zstd_preset[] = {F("identifier", JF_U64S, zstd_identifier),
                                       F("compression_level", JF_I32N, compression_level),
                                       F("min_size", JF_U64N, min_size),
                                       F("max_size", JF_U64S, max_size),
                                       AUTHF,
                                       TRACINGF,
                                       END};
static const jfield f_zstd_custom[] = {F("identifier", JF_U64S, zstd_identifier),
                                       F("compression_level", JF_I32N, compression_level),
                                       F("min_size", JF_U64N, min_size),
                                       F("max_size", JF_U64S, max_size),
                                       F("dictionary", JF_HEX, payload),
                                       AUTHF,
                                       TRACINGF,
                                       F("sha512", JF_HEX, sha512),
                                       END};
static const jfield f_disable[] = {F("identifier", JF_U64S, zstd_identifier), AUTHF, TRACINGF, END};
static const jfield f_missed[] = {AUTHF, TRACINGF, TOPICF, END};

static const jfield *fields_for(lpsp_direction dir, uint16_t type, lpsp_variant v)
{
    static const jfield *const s2b[] = {NULL,   f_configure, f_exact, f_glob,     f_exact,
                                        f_glob, NULL,        NULL,    f_continue, f_confirm_receive};
    static const jfield *const b2s[] = {
        NULL,           f_confirm_configure, f_confirm_exact, f_confirm_glob, f_confirm_exact,
        f_confirm_glob, f_confirm_notify,    f_continue,      NULL,           f_zstd_preset,
        f_zstd_custom,  f_disable,           f_missed};
    int stream = (dir == LPSP_S2B && type == LPSP_S2B_NOTIFY_STREAM) ||
                 (dir == LPSP_B2S && type == LPSP_B2S_RECEIVE_STREAM);
    if (dir == LPSP_S2B && type == LPSP_S2B_NOTIFY)
        return v == LPSP_VARIANT_UNCOMPRESSED ? f_notify_u : v == LPSP_VARIANT_COMPRESSED ? f_notify_c : NULL;
    if (stream)
        return v == LPSP_VARIANT_START_UNCOMPRESSED ? f_stream_su
               : v == LPSP_VARIANT_START_COMPRESSED ? f_stream_sc
               : v == LPSP_VARIANT_CONTINUATION     ? f_stream_cont
                                                    : NULL;
    if (dir == LPSP_S2B && type >= 1 && type <= LPSP_S2B_MAX) return s2b[type];
    if (dir == LPSP_B2S && type >= 1 && type <= LPSP_B2S_MAX) return b2s[type];
    return NULL;
}

#define AT(m, off, T)  ((T *)(void *)((char *)(m) + (off)))
#define CAT(m, off, T) ((const T *)(const void *)((const char *)(m) + (off)))

static json_t *msg_to_json(const lpsp_msg *m)
{
    json_t *o = json_object();
    json_object_set_new(o, "type", json_string(lpsp_type_name(m->direction, m->type)));
    json_object_set_new(o, "flags", json_integer(m->flags));
    for (const jfield *f = fields_for(m->direction, m->type, m->variant); f && f->key; f++) {
        json_t *v = NULL;
        switch (f->kind) {
        case JF_HEX: v = tool_json_hex_view(*CAT(m, f->off, lpsp_view)); break;
        case JF_TEXT: v = tool_json_text(*CAT(m, f->off, lpsp_view)); break;
        case JF_AUTH: v = m->has_authorization ? tool_json_text(m->authorization) : json_null(); break;
        case JF_U64S: v = tool_json_u64str(*CAT(m, f->off, uint64_t)); break;
        case JF_U64N: v = json_integer((json_int_t)*CAT(m, f->off, uint64_t)); break;
        case JF_I32N: v = json_integer(*CAT(m, f->off, int32_t)); break;
        case JF_U32N: v = json_integer(*CAT(m, f->off, uint32_t)); break;
        case JF_BOOL: v = json_boolean(*CAT(m, f->off, uint8_t)); break;
        default: v = json_null(); break;
        }
        json_object_set_new(o, f->key, v ? v : json_null());
    }
    return o;
}

static int get_direction(const json_t *in, lpsp_direction *dir, tool_reject *rej)
{
    const char *d = tool_plain_string(json_object_get(in, "direction"));
    if (d && strcmp(d, "s2b") == 0)
        *dir = LPSP_S2B;
    else if (d && strcmp(d, "b2s") == 0)
        *dir = LPSP_B2S;
    else
        return tool_reject_set(rej, "invalid_argument", "\"direction\" must be \"s2b\" or \"b2s\"");
    return 0;
}

static int op_decode(tool_ctx *ctx, const json_t *in, json_t **out, tool_reject *rej)
{
    lpsp_direction dir;
    lpsp_view bytes;
    if (get_direction(in, &dir, rej) || tool_get_hex(ctx, in, "hex", &bytes, rej)) return TOOL_REJECTED;
    lpsp_msg m;
    lpsp_error err;
    if (lpsp_parse(dir, bytes.ptr, bytes.len, ctx->parse_opts, &m, &err) != LPSP_OK)
        return tool_reject_codec(rej, &err);
    *out = msg_to_json(&m);
    return TOOL_OK;
}

/* Build a message from a decode-shaped JSON object. */
static int msg_from_json(tool_ctx *ctx, const json_t *o, lpsp_direction dir, lpsp_msg *m, tool_reject *rej)
{
    const char *tname = tool_plain_string(json_object_get(o, "type"));
    uint16_t type = tname ? lpsp_type_from_name(dir, tname) : 0;
    if (!type)
        return tool_reject_set(rej, "invalid_argument", "\"type\" must name a %s message type",
                               dir == LPSP_S2B ? "s2b" : "b2s");
    lpsp_variant v = LPSP_VARIANT_NONE;
    int stream = (dir == LPSP_S2B && type == LPSP_S2B_NOTIFY_STREAM) ||
                 (dir == LPSP_B2S && type == LPSP_B2S_RECEIVE_STREAM);
    if (dir == LPSP_S2B && type == LPSP_S2B_NOTIFY) {
        int n = tool_is_null(o, "compressor_id");
        if (n < 0) return tool_reject_set(rej, "invalid_argument", "missing key \"compressor_id\"");
        v = n ? LPSP_VARIANT_UNCOMPRESSED : LPSP_VARIANT_COMPRESSED;
    } else if (stream) {
        int p = tool_is_null(o, "part_id"), c = tool_is_null(o, "compressor_id");
        if (p < 0) return tool_reject_set(rej, "invalid_argument", "missing key \"part_id\"");
        if (!p)
            v = LPSP_VARIANT_CONTINUATION;
        else if (c < 0)
            return tool_reject_set(rej, "invalid_argument", "missing key \"compressor_id\"");
        else
            v = c ? LPSP_VARIANT_START_UNCOMPRESSED : LPSP_VARIANT_START_COMPRESSED;
    }
    lpsp_msg_init(m, dir, type, v);
    for (const jfield *f = fields_for(dir, type, v); f && f->key; f++) {
        int present = 0, b = 0;
        uint64_t u = 0;
        int64_t s = 0;
        switch (f->kind) {
        case JF_HEX:
            if (tool_get_hex(ctx, o, f->key, AT(m, f->off, lpsp_view), rej)) return -1;
            break;
        case JF_TEXT:
            if (tool_get_text(o, f->key, AT(m, f->off, lpsp_view), NULL, rej)) return -1;
            break;
        case JF_AUTH:
            if (tool_get_text(o, f->key, &m->authorization, &present, rej)) return -1;
            m->has_authorization = present;
            break;
        case JF_U64S:
        case JF_U64N:
            if (tool_get_u64(o, f->key, &u, rej)) return -1;
            *AT(m, f->off, uint64_t) = u;
            break;
        case JF_U32N:
            if (tool_get_u64(o, f->key, &u, rej)) return -1;
            if (u > UINT32_MAX)
                return tool_reject_set(rej, "invalid_argument", "\"%s\" is too large", f->key);
            *AT(m, f->off, uint32_t) = (uint32_t)u;
            break;
        case JF_I32N:
            if (tool_get_i64(o, f->key, &s, rej)) return -1;
            if (s < INT32_MIN || s > INT32_MAX)
                return tool_reject_set(rej, "invalid_argument", "\"%s\" is out of range", f->key);
            *AT(m, f->off, int32_t) = (int32_t)s;
            break;
        case JF_BOOL:
            if (tool_get_bool(o, f->key, &b, rej)) return -1;
            *AT(m, f->off, uint8_t) = (uint8_t)b;
            break;
        default: break;
        }
    }
    return 0;
}

static int op_encode(tool_ctx *ctx, const json_t *in, json_t **out, tool_reject *rej)
{
    lpsp_direction dir;
    int minimal;
    const json_t *msg = json_object_get(in, "message");
    if (get_direction(in, &dir, rej) || tool_get_bool(in, "minimal_headers", &minimal, rej))
        return TOOL_REJECTED;
    if (!json_is_object(msg)) {
        tool_reject_set(rej, "invalid_argument", "\"message\" must be an object");
        return TOOL_REJECTED;
    }
    lpsp_msg m;
    if (msg_from_json(ctx, msg, dir, &m, rej)) return TOOL_REJECTED;
    lpsp_error err;
    size_t size, written;
    if (lpsp_serialized_size(&m, minimal, &size, &err) != LPSP_OK) return tool_reject_codec(rej, &err);
    uint8_t *buf = tool_arena_alloc(ctx, size);
    if (lpsp_serialize(&m, minimal, buf, size, &written, &err) != LPSP_OK)
        return tool_reject_codec(rej, &err);
    *out = json_pack("{s:o}", "hex", tool_json_hex(buf, written));
    return TOOL_OK;
}

const tool_op tool_ops_stateful[] = {
    {"decode", "stateful", op_decode},
    {"encode", "stateful", op_encode},
    {NULL, NULL, NULL},
};

/* ---- subcommands */

static int cmd_decode(tool_ctx *ctx, int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--compat") == 0) {
        ctx->parse_opts = LPSP_PARSE_COMPAT;
        argc--;
        argv++;
    }
    if (argc != 3) { /* the direction is checked by the decode operation */
        fprintf(stderr, "usage: lpsp decode [--compat] s2b|b2s HEX|-\n");
        return 1;
    }
    json_t *in = tool_hex_input("direction", argv[1], argv[2]);
    if (!in) return 1;
    json_t *out = NULL;
    tool_reject rej = {"invalid_value", ""};
    int r = op_decode(ctx, in, &out, &rej);
    json_decref(in);
    int status = 0;
    if (r == TOOL_OK) {
        json_t *full = json_pack("{s:s}", "direction", argv[1]);
        json_object_update(full, out);
        char *s = json_dumps(full, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER);
        puts(s);
        free(s);
        json_decref(full);
        json_decref(out);
    } else {
        fprintf(stderr, "lpsp: %s: %s\n", rej.cls, rej.detail);
        status = 1;
    }
    tool_arena_reset(ctx);
    return status;
}

static int cmd_encode(tool_ctx *ctx, int argc, char **argv)
{
    (void)argv;
    if (argc != 1) {
        fprintf(stderr, "usage: lpsp encode < message.json\n");
        return 1;
    }
    json_t *msg = tool_read_json(stdin);
    if (!msg) return 1;
    json_t *in = json_pack("{s:O,s:O,s:O}", "direction", json_object_get(msg, "direction"), "minimal_headers",
                           json_object_get(msg, "minimal_headers"), "message", msg);
    int status = 1;
    if (!in) {
        fprintf(stderr, "lpsp: invalid_argument: the object needs \"direction\" and \"minimal_headers\"\n");
    } else {
        json_t *out = NULL;
        tool_reject rej = {"invalid_value", ""};
        if (op_encode(ctx, in, &out, &rej) == TOOL_OK) {
            puts(json_string_value(json_object_get(out, "hex")));
            json_decref(out);
            status = 0;
        } else {
            fprintf(stderr, "lpsp: %s: %s\n", rej.cls, rej.detail);
        }
        json_decref(in);
    }
    json_decref(msg);
    tool_arena_reset(ctx);
    return status;
}

/* A libFuzzer/AFL++ dictionary from the codec's own header tables. */
static int cmd_dict(tool_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    (void)argv;
    if (argc != 1) {
        fprintf(stderr, "usage: lpsp dict\n");
        return 1;
    }
    const char *seen[64];
    size_t nseen = 0;
    printf("# header names of every stateful message type (generated by lpsp dict)\n");
    for (int dir = LPSP_S2B; dir <= LPSP_B2S; dir++)
        for (uint16_t t = 1; lpsp_type_name((lpsp_direction)dir, t); t++)
            for (unsigned i = 0; lpsp_header_name((lpsp_direction)dir, t, i); i++) {
                const char *n = lpsp_header_name((lpsp_direction)dir, t, i);
                size_t k = 0;
                while (k < nseen && strcmp(seen[k], n) != 0)
                    k++;
                if (k < nseen || nseen == 64) continue;
                seen[nseen++] = n;
                size_t len = strlen(n);
                printf("name_%zu=\"\\x%02zx\\x%02zx%s\"\n", nseen, len >> 8, len & 0xff, n);
            }
    printf("# prefixes: flags (expanded, minimal) and every type value\n");
    for (unsigned t = 0; t <= LPSP_B2S_MAX + 1; t++) {
        printf("prefix_min_%u=\"\\x00\\x01\\x00\\x%02x\"\n", t, t);
        printf("prefix_exp_%u=\"\\x00\\x00\\x00\\x%02x\"\n", t, t);
    }
    printf("len_32=\"\\x00\\x20\"\nlen_64=\"\\x00\\x40\"\nlen_65=\"\\x00\\x41\"\nlen_max=\"\\xff\\xff\"\n");
    printf("u64_max=\"\\x00\\x08\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\"\n");
    return 0;
}

const tool_cmd tool_cmds_stateful[] = {
    {"decode",
     "decode [--compat] s2b|b2s HEX|-  decode a stateful message to JSON\n"
     "                                  (--compat: the reference's leniencies, codec/docs/QUIRKS.md)",
     cmd_decode},
    {"encode",
     "encode < message.json       encode a stateful message (JSON as decode prints it,\n"
     "                                  plus \"minimal_headers\") to hex",
     cmd_encode},
    {"dict", "dict                       print a fuzzing dictionary from the codec's tables", cmd_dict},
    {NULL, NULL, NULL},
};
