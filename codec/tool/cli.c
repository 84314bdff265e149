/* Helpers of the lpsp subcommands: arguments and stdin in, one operation
 * run, its output or its rejection printed. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

json_t *tool_read_json(FILE *f)
{
    json_error_t e;
    json_t *j = json_loadf(f, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
    if (!j)
        fprintf(stderr, "lpsp: invalid JSON input: line %d column %d: %s\n", e.line, e.column, e.text);
    else if (!json_is_object(j)) {
        fprintf(stderr, "lpsp: JSON input must be an object\n");
        json_decref(j);
        return NULL;
    }
    return j;
}

/* A hex argument, or hex from stdin when arg is "-": a malloc'd string with
 * the whitespace removed, or NULL. */
static char *read_hex_arg(const char *arg)
{
    size_t cap = 4096, n = 0;
    char *s = malloc(cap);
    if (!s) return NULL;
    if (strcmp(arg, "-") == 0) {
        int c;
        while ((c = getchar()) != EOF) {
            if (isspace(c)) continue;
            if (n + 1 >= cap) {
                char *t = realloc(s, cap *= 2);
                if (!t) {
                    free(s);
                    return NULL;
                }
                s = t;
            }
            s[n++] = (char)c;
        }
    } else {
        size_t len = strlen(arg);
        if (len + 1 > cap) {
            char *t = realloc(s, len + 1);
            if (!t) {
                free(s);
                return NULL;
            }
            s = t;
        }
        for (const char *p = arg; *p; p++)
            if (!isspace((unsigned char)*p)) s[n++] = *p;
    }
    s[n] = 0;
    return s;
}

json_t *tool_hex_input(const char *key, const char *value, const char *hex_arg)
{
    char *hex = read_hex_arg(hex_arg);
    if (!hex) {
        fprintf(stderr, "lpsp: out of memory\n");
        return NULL;
    }
    json_t *in = json_pack("{s:s,s:s}", key, value, "hex", hex);
    free(hex);
    if (!in) fprintf(stderr, "lpsp: arguments must be UTF-8 text\n");
    return in;
}

int tool_cli_run(tool_ctx *ctx, tool_op_fn fn, json_t *in)
{
    if (!in) {
        fprintf(stderr, "lpsp: arguments must be UTF-8 text\n");
        return 1;
    }
    json_t *out = NULL;
    tool_reject rej = {"invalid_value", ""};
    int r = fn(ctx, in, &out, &rej);
    int status;
    if (r == TOOL_OK) {
        char *s = json_dumps(out, JSON_COMPACT | JSON_ENSURE_ASCII);
        puts(s ? s : "null");
        free(s);
        json_decref(out);
        status = 0;
    } else {
        fprintf(stderr, "lpsp: %s: %s: %s\n", r == TOOL_UNSUPPORTED ? "unsupported" : "rejected",
                rej.cls ? rej.cls : "invalid_value", rej.detail);
        status = r == TOOL_UNSUPPORTED ? 2 : 1;
    }
    json_decref(in);
    tool_arena_reset(ctx);
    return status;
}

int tool_cli_run_stdin(tool_ctx *ctx, tool_op_fn fn, int argc, const char *usage)
{
    if (argc != 1) {
        fprintf(stderr, "usage: lpsp %s\n", usage);
        return 1;
    }
    json_t *in = tool_read_json(stdin);
    if (!in) return 1;
    return tool_cli_run(ctx, fn, in);
}

int tool_cli_run_args(tool_ctx *ctx, tool_op_fn fn, int argc, char **argv, const char *const *keys,
                      const char *usage)
{
    int n = 0;
    while (keys[n])
        n++;
    if (argc != n + 1) {
        fprintf(stderr, "usage: lpsp %s\n", usage);
        return 1;
    }
    json_t *in = json_object();
    for (int i = 0; in && i < n; i++)
        if (json_object_set_new(in, keys[i], json_string(argv[i + 1]))) {
            json_decref(in);
            in = NULL;
        }
    return tool_cli_run(ctx, fn, in);
}
