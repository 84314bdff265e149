/* `lpsp testee`: the C reference adapter of the conformance testee protocol
 * (conformance/TESTEE-PROTOCOL.md). JSON Lines on stdin/stdout. */
#include <stdlib.h>
#include <string.h>

#include "tool.h"

#define TESTEE_VERSION "1.0.0"

static void emit(json_t *resp)
{
    char *s = json_dumps(resp, JSON_COMPACT | JSON_ENSURE_ASCII);
    if (s) {
        fputs(s, stdout);
        fputc('\n', stdout);
        free(s);
    }
    fflush(stdout);
    json_decref(resp);
}

/* The features of the protocol that at least one operation implements. */
static json_t *features(void)
{
    static const char *const all[] = {"stateful", "stateless", "etag", "hmac", "bearer", "session"};
    json_t *a = json_array();
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        const tool_op *op;
        for (size_t k = 0; (op = tool_op_at(k)); k++)
            if (strcmp(op->feature, all[i]) == 0) {
                json_array_append_new(a, json_string(all[i]));
                break;
            }
    }
    return a;
}

int tool_testee(tool_ctx *ctx)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) > 0) {
        json_error_t e;
        json_t *req = json_loadb(line, (size_t)n, JSON_ALLOW_NUL, &e);
        json_t *id = req ? json_object_get(req, "id") : NULL;
        json_t *resp = json_object();
        json_object_set(resp, "id", id ? id : json_null());
        const char *opname = req ? json_string_value(json_object_get(req, "op")) : NULL;
        if (!req || !json_is_object(req) || !opname) {
            json_object_set_new(resp, "status", json_string("unsupported"));
            json_object_set_new(resp, "detail", json_string("malformed request line"));
        } else if (strcmp(opname, "hello") == 0) {
            json_t *out = json_pack("{s:s,s:s,s:i,s:o}", "name",
                                    ctx->parse_opts ? "lpsp (C reference codec, compat mode)"
                                                    : "lpsp (C reference codec)",
                                    "version", TESTEE_VERSION, "protocol", 1, "features", features());
            json_object_set_new(resp, "status", json_string("ok"));
            json_object_set_new(resp, "output", out);
        } else {
            const tool_op *op = tool_find_op(opname);
            json_t *in = json_object_get(req, "input");
            if (!op) {
                json_object_set_new(resp, "status", json_string("unsupported"));
                json_object_set_new(resp, "detail", json_string("unknown operation"));
            } else if (!json_is_object(in)) {
                json_object_set_new(resp, "status", json_string("rejected"));
                json_object_set_new(resp, "error", json_string("invalid_argument"));
                json_object_set_new(resp, "detail", json_string("input must be an object"));
            } else {
                json_t *out = NULL;
                tool_reject rej = {"invalid_value", ""};
                int r = op->fn(ctx, in, &out, &rej);
                if (r == TOOL_OK) {
                    json_object_set_new(resp, "status", json_string("ok"));
                    json_object_set_new(resp, "output", out);
                } else if (r == TOOL_UNSUPPORTED) {
                    json_object_set_new(resp, "status", json_string("unsupported"));
                    json_object_set_new(resp, "detail", json_string(rej.detail));
                } else {
                    json_object_set_new(resp, "status", json_string("rejected"));
                    json_object_set_new(resp, "error", json_string(rej.cls ? rej.cls : "invalid_value"));
                    json_object_set_new(resp, "detail", json_string(rej.detail));
                }
            }
        }
        emit(resp);
        json_decref(req);
        tool_arena_reset(ctx);
    }
    free(line);
    return 0;
}
