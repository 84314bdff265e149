/* Authorization and session operations of the lpsp tool (vectors/FORMAT.md):
 * HMAC to-sign/sign/verify/token, secrets, lenient base64, Python int(),
 * Bearer tokens, connection nonce and websocket URLs. The per-kind JSON keys
 * come from the codec's own kind table (lpsp_auth_kind_fields). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lpsp.h"
#include "tool.h"

enum { AJ_TEXT, AJ_TEXT_NULL, AJ_HEX, AJ_BOOL, AJ_U64, AJ_I64 };

typedef struct {
    unsigned bit;
    const char *key;
    uint8_t kind;
    size_t off;
} afield;

/* Braced initialisers in macros: kept on one line each. */
/* clang-format off */
#define A(bit, key, kind, member) {bit, key, kind, offsetof(lpsp_auth_fields, member)}
/* clang-format on */
static const afield AFIELDS[] = {
    A(LPSP_AF_URL, "url", AJ_TEXT, url),
    A(LPSP_AF_RECOVERY, "recovery", AJ_TEXT_NULL, recovery),
    A(LPSP_AF_TOPIC, "topic", AJ_HEX, topic),
    A(LPSP_AF_GLOB, "glob", AJ_TEXT, glob),
    A(LPSP_AF_IDENTIFIER, "identifier", AJ_HEX, identifier),
    A(LPSP_AF_SHA512, "sha512", AJ_HEX, sha512),
    A(LPSP_AF_SUBSCRIBER_NONCE, "subscriber_nonce", AJ_HEX, subscriber_nonce),
    A(LPSP_AF_BROADCASTER_NONCE, "broadcaster_nonce", AJ_HEX, broadcaster_nonce),
    A(LPSP_AF_ENABLE_ZSTD, "enable_zstd", AJ_BOOL, enable_zstd),
    A(LPSP_AF_ENABLE_TRAINING, "enable_training", AJ_BOOL, enable_training),
    A(LPSP_AF_INITIAL_DICT, "initial_dict", AJ_U64, initial_dict),
    A(LPSP_AF_ETAG_FORMAT, "etag_format", AJ_U64, etag_format),
    A(LPSP_AF_ETAG, "etag", AJ_HEX, etag),
    A(LPSP_AF_PART_ID, "part_id", AJ_U64, part_id),
    A(LPSP_AF_NUM_SUBSCRIBERS, "num_subscribers", AJ_U64, num_subscribers),
    A(LPSP_AF_SUBSCRIBERS, "subscribers", AJ_U64, subscribers),
    A(LPSP_AF_ZSTD_IDENTIFIER, "identifier", AJ_U64, zstd_identifier),
    A(LPSP_AF_COMPRESSION_LEVEL, "compression_level", AJ_I64, compression_level),
    A(LPSP_AF_MIN_SIZE, "min_size", AJ_U64, min_size),
    A(LPSP_AF_MAX_SIZE, "max_size", AJ_U64, max_size),
};
#undef A

/* Read the kind, tracing and the kind's fields; with_token also reads the
 * timestamp and nonce (not needed for verification). */
static int get_fields(tool_ctx *ctx, const json_t *in, int with_token, lpsp_auth_fields *f, tool_reject *rej)
{
    memset(f, 0, sizeof *f);
    const char *name = tool_plain_string(json_object_get(in, "kind"));
    f->kind = lpsp_auth_kind_from_name(name);
    if (!f->kind)
        return tool_reject_set(rej, "invalid_argument", "\"kind\" must name an AuthMessageType (got %s)",
                               name ? name : "nothing");
    if (tool_get_hex(ctx, in, "tracing", &f->tracing, rej)) return -1;
    if (with_token && (tool_get_wire_u64(in, "timestamp", &f->timestamp, rej) ||
                       tool_get_text(in, "nonce", &f->nonce, NULL, rej)))
        return -1;
    unsigned mask = lpsp_auth_kind_fields(f->kind);
    for (size_t i = 0; i < sizeof AFIELDS / sizeof AFIELDS[0]; i++) {
        const afield *a = &AFIELDS[i];
        if (!(mask & a->bit)) continue;
        void *p = (char *)f + a->off;
        int present = 0, r = 0;
        switch (a->kind) {
        case AJ_TEXT: r = tool_get_text(in, a->key, p, NULL, rej); break;
        case AJ_TEXT_NULL: r = tool_get_text(in, a->key, p, &present, rej); break;
        case AJ_HEX: r = tool_get_hex(ctx, in, a->key, p, rej); break;
        case AJ_BOOL: r = tool_get_bool(in, a->key, p, rej); break;
        case AJ_U64: r = tool_get_wire_u64(in, a->key, p, rej); break;
        case AJ_I64: r = tool_get_i64(in, a->key, p, rej); break;
        }
        if (r) return -1;
    }
    return 0;
}

static json_t *i64str(int64_t v)
{
    char b[24];
    snprintf(b, sizeof b, "%" PRId64, v);
    return json_string(b);
}

static int op_hmac_to_sign(tool_ctx *ctx, const json_t *in, json_t **out, tool_reject *rej)
{
    lpsp_auth_fields f;
    if (get_fields(ctx, in, 1, &f, rej)) return TOOL_REJECTED;
    size_t size = 0;
    lpsp_error err;
    if (lpsp_hmac_to_sign_size(&f, &size, &err) != LPSP_OK) return tool_reject_codec(rej, &err);
    uint8_t *buf = tool_arena_alloc(ctx, size);
    if (lpsp_hmac_to_sign(&f, buf, size, &size, &err) != LPSP_OK) return tool_reject_codec(rej, &err);
    *out = json_pack("{s:o}", "hex", tool_json_hex(buf, size));
    return TOOL_OK;
}

/* A key from the "secret" text; 0 on success. */
static int get_key(const json_t *in, lpsp_hmac_key *k, tool_reject *rej)
{
    lpsp_view s;
    uint8_t secret[LPSP_HMAC_SECRET_LEN];
    lpsp_error err;
    if (tool_get_text(in, "secret", &s, NULL, rej)) return -1;
    if (lpsp_hmac_secret_decode(s.ptr, s.len, secret, &err) != LPSP_OK ||
        lpsp_hmac_key_init(k, secret, sizeof secret, &err) != LPSP_OK) {
        tool_reject_codec(rej, &err);
        return -1;
    }
    return 0;
}

static int op_hmac_sign(tool_ctx *ctx, const json_t *in, json_t **out, tool_reject *rej)
{
    lpsp_auth_fields f;
    lpsp_hmac_key k;
    if (get_fields(ctx, in, 1, &f, rej) || get_key(in, &k, rej)) return TOOL_REJECTED;
    char hdr[LPSP_HMAC_HEADER_MAX];
    size_t n = 0;
    lpsp_error err;
    lpsp_status st = lpsp_hmac_sign(&k, &f, hdr, sizeof hdr, &n, &err);
    lpsp_hmac_key_free(&k);
    if (st != LPSP_OK) return tool_reject_codec(rej, &err);
    *out = json_pack("{s:s%}", "authorization", hdr, n);
    return TOOL_OK;
}

/* authorization (text or null), now, lifetime */
static int get_token_args(const json_t *in, lpsp_view *auth, int *present, int64_t *now, uint64_t *lifetime,
                          tool_reject *rej)
{
    return tool_get_text(in, "authorization", auth, present, rej) || tool_get_i64(in, "now", now, rej) ||
           tool_get_u64(in, "lifetime", lifetime, rej);
}

static int op_hmac_verify(tool_ctx *ctx, const json_t *in, json_t **out, tool_reject *rej)
{
    lpsp_auth_fields f;
    lpsp_hmac_key k;
    lpsp_view auth;
    int present;
    int64_t now;
    uint64_t lifetime;
    if (get_fields(ctx, in, 0, &f, rej) || get_token_args(in, &auth, &present, &now, &lifetime, rej) ||
        get_key(in, &k, rej))
        return TOOL_REJECTED;
    lpsp_error err;
    lpsp_status st = lpsp_hmac_verify(&k, &f, auth.ptr, auth.len, present, now, lifetime, NULL, &err);
    lpsp_hmac_key_free(&k);
    if (st != LPSP_OK) return tool_reject_codec(rej, &err);
    *out = json_pack("{s:s}", "result", "OK");
    return TOOL_OK;
}

static int op_hmac_parse_token(tool_ctx *ctx, const json_t *in, json_t **out, tool_reject *rej)
{
    (void)ctx;
    lpsp_view auth;
    int present;
    int64_t now;
    uint64_t lifetime;
    if (get_token_args(in, &auth, &present, &now, &lifetime, rej)) return TOOL_REJECTED;
    lpsp_hmac_token tok;
    lpsp_error err;
    if (lpsp_hmac_parse_token(auth.ptr, auth.len, present, now, lifetime, &tok, &err) != LPSP_OK)
        return tool_reject_codec(rej, &err);
    *out = json_pack("{s:o,s:o,s:o}", "timestamp", i64str(tok.timestamp), "nonce", tool_json_text(tok.nonce),
                     "code", tool_json_hex(tok.code, sizeof tok.code));
    return TOOL_OK;
}

static int op_hmac_secret_decode(tool_ctx *ctx, const json_t *in, json_t **out, tool_reject *rej)
{
    (void)ctx;
    lpsp_view s;
    uint8_t secret[LPSP_HMAC_SECRET_LEN];
    lpsp_error err;
    if (tool_get_text(in, "secret", &s, NULL, rej)) return TOOL_REJECTED;
    if (lpsp_hmac_secret_decode(s.ptr, s.len, secret, &err) != LPSP_OK) return tool_reject_codec(rej, &err);
    *out = json_pack("{s:o}", "hex", tool_json_hex(secret, sizeof secret));
    return TOOL_OK;
}

static int op_base64_lenient(tool_ctx *ctx, const json_t *in, json_t **out, tool_reject *rej)
{
    lpsp_view t;
    if (tool_get_text(in, "text", &t, NULL, rej)) return TOOL_REJECTED;
    size_t cap = lpsp_b64_lenient_max(t.len), n = 0;
    uint8_t *buf = tool_arena_alloc(ctx, cap);
    lpsp_error err;
    if (lpsp_b64_decode_lenient(t.ptr, t.len, buf, cap, &n, &err) != LPSP_OK)
        return tool_reject_codec(rej, &err);
    *out = json_pack("{s:o}", "hex", tool_json_hex(buf, n));
    return TOOL_OK;
}

static int op_py_int(tool_ctx *ctx, const json_t *in, json_t **out, tool_reject *rej)
{
    (void)ctx;
    lpsp_view t;
    int64_t v;
    lpsp_error err;
    if (tool_get_text(in, "text", &t, NULL, rej)) return TOOL_REJECTED;
    if (lpsp_py_int_parse(t.ptr, t.len, &v, &err) != LPSP_OK) return tool_reject_codec(rej, &err);
    *out = json_pack("{s:o}", "value", i64str(v));
    return TOOL_OK;
}

static int op_bearer_check(tool_ctx *ctx, const json_t *in, json_t **out, tool_reject *rej)
{
    (void)ctx;
    lpsp_view tok, auth;
    int present;
    lpsp_error err;
    if (tool_get_text(in, "token", &tok, NULL, rej) ||
        tool_get_text(in, "authorization", &auth, &present, rej))
        return TOOL_REJECTED;
    if (lpsp_bearer_check(tok.ptr, tok.len, auth.ptr, auth.len, present, &err) != LPSP_OK)
        return tool_reject_codec(rej, &err);
    *out = json_pack("{s:s}", "result", "OK");
    return TOOL_OK;
}

static int op_connection_nonce(tool_ctx *ctx, const json_t *in, json_t **out, tool_reject *rej)
{
    lpsp_view sub, broad;
    uint8_t nonce[LPSP_NONCE_LEN];
    char b64[LPSP_NONCE_B64_LEN + 1];
    lpsp_error err;
    if (tool_get_hex(ctx, in, "subscriber_nonce", &sub, rej) ||
        tool_get_hex(ctx, in, "broadcaster_nonce", &broad, rej))
        return TOOL_REJECTED;
    if (lpsp_connection_nonce(sub, broad, nonce, &err) != LPSP_OK) return tool_reject_codec(rej, &err);
    lpsp_connection_nonce_b64(nonce, b64);
    *out = json_pack("{s:o,s:s}", "connection_nonce", tool_json_hex(nonce, sizeof nonce), "nonce_b64", b64);
    return TOOL_OK;
}

static int op_ws_url(tool_ctx *ctx, const json_t *in, json_t **out, tool_reject *rej)
{
    (void)ctx;
    lpsp_view nb;
    int64_t ctr;
    if (tool_get_text(in, "nonce_b64", &nb, NULL, rej)) return TOOL_REJECTED;
    if (tool_get_i64(in, "counter", &ctr, rej)) {
        /* a well-formed integer beyond int64 is the QK-26 overflow */
        const char *c = tool_plain_string(json_object_get(in, "counter"));
        const json_t *num = json_object_get(in, "counter");
        if (c && *c == '-') c++;
        if ((c && *c && strspn(c, "0123456789") == strlen(c)) || json_is_real(num))
            tool_reject_set(rej, "overflow", "counter outside the int64 range (QK-26)");
        return TOOL_REJECTED;
    }
    char url[LPSP_WS_URL_MAX];
    size_t n = 0;
    lpsp_error err;
    if (lpsp_ws_url_format(nb.ptr, nb.len, ctr, url, sizeof url, &n, &err) != LPSP_OK)
        return tool_reject_codec(rej, &err);
    *out = json_pack("{s:s%}", "url", url, n);
    return TOOL_OK;
}

static int op_ws_url_parse(tool_ctx *ctx, const json_t *in, json_t **out, tool_reject *rej)
{
    (void)ctx;
    lpsp_view url, nb;
    int64_t ctr;
    lpsp_error err;
    if (tool_get_text(in, "url", &url, NULL, rej)) return TOOL_REJECTED;
    if (lpsp_ws_url_parse(url.ptr, url.len, &nb, NULL, &ctr, &err) != LPSP_OK)
        return tool_reject_codec(rej, &err);
    *out = json_pack("{s:o,s:o}", "nonce_b64", tool_json_text(nb), "counter", i64str(ctr));
    return TOOL_OK;
}

const tool_op tool_ops_auth[] = {
    {"hmac_to_sign", "hmac", op_hmac_to_sign},
    {"hmac_sign", "hmac", op_hmac_sign},
    {"hmac_verify", "hmac", op_hmac_verify},
    {"hmac_parse_token", "hmac", op_hmac_parse_token},
    {"hmac_secret_decode", "hmac", op_hmac_secret_decode},
    {"base64_lenient", "hmac", op_base64_lenient},
    {"py_int", "hmac", op_py_int},
    {"bearer_check", "bearer", op_bearer_check},
    {"connection_nonce", "session", op_connection_nonce},
    {"ws_url", "session", op_ws_url},
    {"ws_url_parse", "session", op_ws_url_parse},
    {NULL, NULL, NULL},
};

/* ---- subcommands */

static int cmd_hmac(tool_ctx *ctx, int argc, char **argv)
{
    static const struct {
        const char *name;
        tool_op_fn fn;
    } map[] = {{"to-sign", op_hmac_to_sign},
               {"sign", op_hmac_sign},
               {"verify", op_hmac_verify},
               {"parse-token", op_hmac_parse_token},
               {"secret", op_hmac_secret_decode}};
    for (size_t i = 0; argc == 2 && i < sizeof map / sizeof map[0]; i++) {
        if (strcmp(argv[1], map[i].name) != 0) continue;
        json_t *in = tool_read_json(stdin);
        if (!in) return 1;
        return tool_cli_run(ctx, map[i].fn, in);
    }
    fprintf(stderr, "usage: lpsp hmac to-sign|sign|verify|parse-token|secret < input.json\n");
    return 1;
}

static int cmd_wsurl(tool_ctx *ctx, int argc, char **argv)
{
    static const char *const keys[] = {"nonce_b64", "counter", NULL};
    return tool_cli_run_args(ctx, op_ws_url, argc, argv, keys, "wsurl NONCE_B64 COUNTER");
}

static int cmd_wsurl_parse(tool_ctx *ctx, int argc, char **argv)
{
    static const char *const keys[] = {"url", NULL};
    return tool_cli_run_args(ctx, op_ws_url_parse, argc, argv, keys, "wsurl-parse URL");
}

static int cmd_nonce(tool_ctx *ctx, int argc, char **argv)
{
    static const char *const keys[] = {"subscriber_nonce", "broadcaster_nonce", NULL};
    return tool_cli_run_args(ctx, op_connection_nonce, argc, argv, keys,
                             "nonce SUBSCRIBER_HEX BROADCASTER_HEX");
}

static int cmd_pyint(tool_ctx *ctx, int argc, char **argv)
{
    static const char *const keys[] = {"text", NULL};
    return tool_cli_run_args(ctx, op_py_int, argc, argv, keys, "pyint TEXT");
}

static int cmd_b64(tool_ctx *ctx, int argc, char **argv)
{
    static const char *const keys[] = {"text", NULL};
    return tool_cli_run_args(ctx, op_base64_lenient, argc, argv, keys, "b64-lenient TEXT");
}

static int cmd_bearer(tool_ctx *ctx, int argc, char **argv)
{
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: lpsp bearer TOKEN [AUTHORIZATION]\n");
        return 1;
    }
    json_t *in = json_pack("{s:s}", "token", argv[1]);
    if (in) json_object_set_new(in, "authorization", argc == 3 ? json_string(argv[2]) : json_null());
    return tool_cli_run(ctx, op_bearer_check, in);
}

const tool_cmd tool_cmds_auth[] = {
    {"hmac", "hmac to-sign|sign|verify|parse-token|secret < input.json   HMAC authorization", cmd_hmac},
    {"wsurl", "wsurl NONCE_B64 COUNTER    websocket:<nonce>:<hex counter>", cmd_wsurl},
    {"wsurl-parse", "wsurl-parse URL            validate a websocket URL", cmd_wsurl_parse},
    {"nonce", "nonce SUB_HEX BROAD_HEX    connection nonce and its base64", cmd_nonce},
    {"pyint", "pyint TEXT                 a timestamp read with Python int() rules", cmd_pyint},
    {"b64-lenient", "b64-lenient TEXT           lenient base64 decode", cmd_b64},
    {"bearer", "bearer TOKEN [AUTH]        check an authorization against \"Bearer TOKEN\"", cmd_bearer},
    {NULL, NULL, NULL},
};
