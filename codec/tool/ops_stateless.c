/* Stateless operations of the lpsp tool (vectors/FORMAT.md): the HTTP bodies
 * as JSON, the Repr-Digest header and the strong etag. One field list per
 * body, read by both directions of the mapping. */
#include <stddef.h>
#include <string.h>

#include "lpsp.h"
#include "tool.h"

enum {
    SJ_HEX,      /* lpsp_view as hex */
    SJ_TEXT,     /* lpsp_view as a string */
    SJ_RECOVERY, /* has_recovery + recovery: string or null */
    SJ_AUTH,     /* has_authorization + authorization: string or null */
    SJ_U32,      /* subscribers as a number */
    SJ_U8,       /* etag_format as a number */
    SJ_ENTRIES   /* "exact" and "glob" lists of SET_SUBSCRIPTIONS */
};

typedef struct {
    const char *key;
    uint8_t kind;
    size_t off;
} sfield;

/* Braced initialisers in macros: kept on one line each. */
/* clang-format off */
#define F(key, kind, member) {key, kind, offsetof(lpsp_sl_msg, member)}
#define END {NULL, 0, 0}
/* clang-format on */
#define TRACING  F("tracing", SJ_HEX, tracing)
#define URLF     F("url", SJ_TEXT, url)
#define TOPIC    F("topic", SJ_HEX, topic)
#define GLOB     F("glob", SJ_TEXT, glob)
#define RECOVERY F("recovery", SJ_RECOVERY, recovery)
#define AUTH     F("authorization", SJ_AUTH, authorization)
#define IDENT    F("identifier", SJ_HEX, identifier)

static const sfield sf_notify[] = {TOPIC, F("sha512", SJ_HEX, sha512),   TRACING,
                                   IDENT, F("message", SJ_HEX, message), END};
static const sfield sf_sub_exact[] = {URLF, TOPIC, RECOVERY, TRACING, END};
static const sfield sf_sub_glob[] = {URLF, GLOB, RECOVERY, TRACING, END};
static const sfield sf_unsub_exact[] = {URLF, TOPIC, TRACING, END};
static const sfield sf_unsub_glob[] = {URLF, GLOB, TRACING, END};
static const sfield sf_check[] = {TRACING, URLF, END};
static const sfield sf_set[] = {
    TRACING, URLF, F("etag_format", SJ_U8, etag_format), F("etag", SJ_HEX, etag), {"exact", SJ_ENTRIES, 0},
    END};
static const sfield sf_receive[] = {TRACING, TOPIC, IDENT, F("message", SJ_HEX, message), END};
static const sfield sf_missed[] = {TRACING, TOPIC, END};
static const sfield sf_generic[] = {AUTH, TRACING, END};
static const sfield sf_resp_notify[] = {AUTH, TRACING, F("subscribers", SJ_U32, subscribers), IDENT, END};
static const sfield sf_resp_check[] = {AUTH, TRACING, F("etag_format", SJ_U8, etag_format),
                                       F("etag", SJ_HEX, etag), END};
static const sfield sf_resp_confirm[] = {AUTH, TRACING, IDENT, F("num_subscribers", SJ_U32, subscribers),
                                         END};
static const sfield sf_none[] = {END};

static const sfield *const BODY_FIELDS[LPSP_SL_BODY_MAX + 1] = {
    [LPSP_SL_NOTIFY] = sf_notify,
    [LPSP_SL_SUBSCRIBE_EXACT] = sf_sub_exact,
    [LPSP_SL_SUBSCRIBE_GLOB] = sf_sub_glob,
    [LPSP_SL_UNSUBSCRIBE_EXACT] = sf_unsub_exact,
    [LPSP_SL_UNSUBSCRIBE_GLOB] = sf_unsub_glob,
    [LPSP_SL_CHECK_SUBSCRIPTIONS] = sf_check,
    [LPSP_SL_SET_SUBSCRIPTIONS] = sf_set,
    [LPSP_SL_RECEIVE] = sf_receive,
    [LPSP_SL_MISSED] = sf_missed,
    [LPSP_SL_RESPONSE_GENERIC] = sf_generic,
    [LPSP_SL_RESPONSE_NOTIFY] = sf_resp_notify,
    [LPSP_SL_RESPONSE_CHECK_SUBSCRIPTIONS] = sf_resp_check,
    [LPSP_SL_RESPONSE_CONFIRM_RECEIVE] = sf_resp_confirm,
    [LPSP_SL_RESPONSE_CONFIRM_MISSED] = sf_generic,
    [LPSP_SL_RESPONSE_UNSUBSCRIBE_IMMEDIATE] = sf_none,
};

static lpsp_sl_body body_arg(const json_t *in, tool_reject *rej)
{
    const char *name = tool_plain_string(json_object_get(in, "body"));
    lpsp_sl_body b = lpsp_sl_body_from_name(name);
    if (b == LPSP_SL_NONE)
        tool_reject_set(rej, "invalid_argument", "\"body\" must name a stateless body (got %s)",
                        name ? name : "nothing");
    return b;
}

static json_t *text_or_null(int present, lpsp_view v)
{
    return present ? tool_json_text(v) : json_null();
}

/* ---- decode */

static json_t *entry_json(const lpsp_sl_subs_item *item)
{
    const lpsp_sl_entry *e = &item->entry;
    int glob = item->kind == LPSP_SUBS_GLOB;
    return json_pack("{s:o,s:o}", glob ? "glob" : "topic",
                     glob ? tool_json_text(e->key) : tool_json_hex_view(e->key), "recovery",
                     text_or_null(e->has_recovery, e->recovery));
}

static int op_stateless_decode(tool_ctx *ctx, const json_t *in, json_t **out, tool_reject *rej)
{
    lpsp_sl_body body = body_arg(in, rej);
    lpsp_view hex;
    if (body == LPSP_SL_NONE || tool_get_hex(ctx, in, "hex", &hex, rej)) return TOOL_REJECTED;
    lpsp_sl_msg m;
    lpsp_error err;
    if (lpsp_sl_parse(body, hex.ptr, hex.len, 0, &m, &err) != LPSP_OK) return tool_reject_codec(rej, &err);
    json_t *o = json_object();
    json_object_set_new(o, "body", json_string(lpsp_sl_body_name(m.body)));
    for (const sfield *f = BODY_FIELDS[m.body]; f->key; f++) {
        const char *base = (const char *)&m;
        const lpsp_view *v = (const lpsp_view *)(const void *)(base + f->off);
        switch (f->kind) {
        case SJ_HEX: json_object_set_new(o, f->key, tool_json_hex_view(*v)); break;
        case SJ_TEXT: json_object_set_new(o, f->key, tool_json_text(*v)); break;
        case SJ_RECOVERY: json_object_set_new(o, f->key, text_or_null(m.has_recovery, m.recovery)); break;
        case SJ_AUTH:
            json_object_set_new(o, f->key, text_or_null(m.has_authorization, m.authorization));
            break;
        case SJ_U32: json_object_set_new(o, f->key, json_integer(m.subscribers)); break;
        case SJ_U8: json_object_set_new(o, f->key, json_integer(m.etag_format)); break;
        case SJ_ENTRIES: {
            /* the parser checked every entry; iterate them again as views */
            json_t *ex = json_array(), *gl = json_array();
            lpsp_sl_subs_iter it;
            lpsp_sl_subs_item item;
            lpsp_sl_subs_iter_init(&it, &m);
            while (lpsp_sl_subs_next(&it, &item, &err) == LPSP_OK && item.kind != LPSP_SUBS_END)
                json_array_append_new(item.kind == LPSP_SUBS_EXACT ? ex : gl, entry_json(&item));
            json_object_set_new(o, "exact", ex);
            json_object_set_new(o, "glob", gl);
            break;
        }
        }
    }
    *out = o;
    return TOOL_OK;
}

/* ---- encode */

static int get_entries(tool_ctx *ctx, const json_t *in, const char *list, const char *key, int glob,
                       const lpsp_sl_entry **out, size_t *n, tool_reject *rej)
{
    const json_t *a = json_object_get(in, list);
    if (!json_is_array(a)) return tool_reject_set(rej, "invalid_argument", "\"%s\" must be an array", list);
    size_t cnt = json_array_size(a);
    lpsp_sl_entry *e = tool_arena_alloc(ctx, cnt * sizeof *e + 1);
    for (size_t i = 0; i < cnt; i++) {
        const json_t *it = json_array_get(a, i);
        int present = 0;
        if (!json_is_object(it))
            return tool_reject_set(rej, "invalid_argument", "\"%s\"[%zu] must be an object", list, i);
        if ((glob ? tool_get_text(it, key, &e[i].key, NULL, rej)
                  : tool_get_hex(ctx, it, key, &e[i].key, rej)) ||
            tool_get_text(it, "recovery", &e[i].recovery, &present, rej))
            return -1;
        e[i].has_recovery = present && e[i].recovery.len > 0;
    }
    *out = e;
    *n = cnt;
    return 0;
}

static int op_stateless_encode(tool_ctx *ctx, const json_t *in, json_t **out, tool_reject *rej)
{
    lpsp_sl_body body = body_arg(in, rej);
    if (body == LPSP_SL_NONE) return TOOL_REJECTED;
    lpsp_sl_msg m;
    lpsp_sl_msg_init(&m, body);
    for (const sfield *f = BODY_FIELDS[body]; f->key; f++) {
        lpsp_view *v = (lpsp_view *)(void *)((char *)&m + f->off);
        uint64_t x;
        int r = 0, present = 0;
        switch (f->kind) {
        case SJ_HEX: r = tool_get_hex(ctx, in, f->key, v, rej); break;
        case SJ_TEXT: r = tool_get_text(in, f->key, v, NULL, rej); break;
        case SJ_RECOVERY:
            r = tool_get_text(in, f->key, &m.recovery, &present, rej);
            m.has_recovery = present;
            break;
        case SJ_AUTH:
            r = tool_get_text(in, f->key, &m.authorization, &present, rej);
            m.has_authorization = present;
            break;
        case SJ_U32:
            if (!(r = tool_get_u64(in, f->key, &x, rej)) && x > UINT32_MAX)
                r = tool_reject_set(rej, "invalid_argument", "\"%s\" does not fit a u32", f->key);
            m.subscribers = (uint32_t)x;
            break;
        case SJ_U8:
            if (!(r = tool_get_u64(in, f->key, &x, rej)) && x > 255)
                r = tool_reject_set(rej, "invalid_argument", "\"%s\" does not fit a u8", f->key);
            m.etag_format = (uint8_t)x;
            break;
        case SJ_ENTRIES:
            r = get_entries(ctx, in, "exact", "topic", 0, &m.exact, &m.n_exact, rej) ||
                get_entries(ctx, in, "glob", "glob", 1, &m.globs, &m.n_globs, rej);
            break;
        }
        if (r) return TOOL_REJECTED;
    }
    size_t size = 0;
    lpsp_error err;
    if (lpsp_sl_serialized_size(&m, &size, &err) != LPSP_OK) return tool_reject_codec(rej, &err);
    uint8_t *buf = tool_arena_alloc(ctx, size);
    if (lpsp_sl_serialize(&m, buf, size, &size, &err) != LPSP_OK) return tool_reject_codec(rej, &err);
    *out = json_pack("{s:o}", "hex", tool_json_hex(buf, size));
    return TOOL_OK;
}

/* ---- Repr-Digest */

static int op_repr_digest_parse(tool_ctx *ctx, const json_t *in, json_t **out, tool_reject *rej)
{
    (void)ctx;
    lpsp_view h;
    int present = 0;
    if (tool_get_text(in, "header", &h, &present, rej)) return TOOL_REJECTED;
    uint8_t d[LPSP_SHA512_LEN];
    lpsp_error err;
    if (lpsp_repr_digest_parse(h.ptr, h.len, present, d, &err) != LPSP_OK)
        return tool_reject_codec(rej, &err);
    *out = json_pack("{s:o}", "digest", tool_json_hex(d, sizeof d));
    return TOOL_OK;
}

static int op_repr_digest_format(tool_ctx *ctx, const json_t *in, json_t **out, tool_reject *rej)
{
    lpsp_view d;
    if (tool_get_hex(ctx, in, "digest", &d, rej)) return TOOL_REJECTED;
    char buf[LPSP_REPR_DIGEST_LEN];
    size_t n = 0;
    lpsp_error err;
    if (lpsp_repr_digest_format(d, buf, sizeof buf, &n, &err) != LPSP_OK) return tool_reject_codec(rej, &err);
    *out = json_pack("{s:s%}", "header", buf, n);
    return TOOL_OK;
}

/* ---- etag */

static int op_etag(tool_ctx *ctx, const json_t *in, json_t **out, tool_reject *rej)
{
    lpsp_view url;
    const lpsp_sl_entry *ex, *gl;
    size_t nex, ngl;
    int check = 1;
    if (tool_get_text(in, "url", &url, NULL, rej) ||
        get_entries(ctx, in, "exact", "topic", 0, &ex, &nex, rej) ||
        get_entries(ctx, in, "glob", "glob", 1, &gl, &ngl, rej) ||
        tool_get_bool(in, "check_order", &check, rej))
        return TOOL_REJECTED;
    size_t size = 0;
    lpsp_error err;
    uint8_t etag[LPSP_ETAG_LEN];
    if (lpsp_etag_document_size(url, ex, nex, gl, ngl, check, &size, &err) != LPSP_OK)
        return tool_reject_codec(rej, &err);
    uint8_t *doc = tool_arena_alloc(ctx, size);
    if (lpsp_etag_document(url, ex, nex, gl, ngl, check, doc, size, &size, &err) != LPSP_OK ||
        lpsp_etag_compute(url, ex, nex, gl, ngl, check, etag, &err) != LPSP_OK)
        return tool_reject_codec(rej, &err);
    *out = json_pack("{s:o,s:o}", "document", tool_json_hex(doc, size), "etag",
                     tool_json_hex(etag, sizeof etag));
    return TOOL_OK;
}

const tool_op tool_ops_stateless[] = {
    {"stateless_decode", "stateless", op_stateless_decode},
    {"stateless_encode", "stateless", op_stateless_encode},
    {"repr_digest_parse", "stateless", op_repr_digest_parse},
    {"repr_digest_format", "stateless", op_repr_digest_format},
    {"etag", "etag", op_etag},
    {NULL, NULL, NULL},
};

/* ---- subcommands */

static int cmd_sdecode(tool_ctx *ctx, int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: lpsp sdecode BODY HEX|-\n");
        return 1;
    }
    json_t *in = tool_hex_input("body", argv[1], argv[2]);
    return in ? tool_cli_run(ctx, op_stateless_decode, in) : 1;
}

static int cmd_sencode(tool_ctx *ctx, int argc, char **argv)
{
    (void)argv;
    return tool_cli_run_stdin(ctx, op_stateless_encode, argc, "sencode < body.json");
}

static int cmd_etag(tool_ctx *ctx, int argc, char **argv)
{
    (void)argv;
    return tool_cli_run_stdin(ctx, op_etag, argc, "etag < subscriptions.json");
}

static int cmd_reprdigest(tool_ctx *ctx, int argc, char **argv)
{
    static const char *const keys[] = {"header", NULL};
    return tool_cli_run_args(ctx, op_repr_digest_parse, argc, argv, keys, "repr-digest HEADER_VALUE");
}

const tool_cmd tool_cmds_stateless[] = {
    {"sdecode", "sdecode BODY HEX|-         decode a stateless body (NOTIFY, RESPONSE_GENERIC, ...)",
     cmd_sdecode},
    {"sencode", "sencode < body.json        encode a stateless body ({\"body\": NAME, ...fields})",
     cmd_sencode},
    {"etag", "etag < subscriptions.json  strong etag document and SHA-512 of {url, exact, glob, check_order}",
     cmd_etag},
    {"repr-digest", "repr-digest VALUE          parse a Repr-Digest header value", cmd_reprdigest},
    {NULL, NULL, NULL},
};
