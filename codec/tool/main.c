/* lpsp: command-line front end of the reference codec. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

/* Every module's op and subcommand tables. */
static const tool_op *const op_tables[] = {tool_ops_stateful, tool_ops_stateless, tool_ops_auth};
static const tool_cmd *const cmd_tables[] = {tool_cmds_stateful, tool_cmds_stateless, tool_cmds_auth};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const tool_op *tool_find_op(const char *name)
{
    for (size_t t = 0; t < COUNT(op_tables); t++)
        for (const tool_op *op = op_tables[t]; op->name; op++)
            if (strcmp(op->name, name) == 0) return op;
    return NULL;
}

json_t *tool_read_json(FILE *f)
{
    json_error_t e;
    json_t *j = json_loadf(f, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
    if (!j) fprintf(stderr, "lpsp: invalid JSON input: line %d column %d: %s\n", e.line, e.column, e.text);
    else if (!json_is_object(j)) {
        fprintf(stderr, "lpsp: JSON input must be an object\n");
        json_decref(j);
        return NULL;
    }
    return j;
}

char *tool_hex_arg(const char *arg)
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

int tool_run_op_cli(const char *name, const json_t *in)
{
    const tool_op *op = tool_find_op(name);
    if (!op) {
        fprintf(stderr, "lpsp: unknown operation \"%s\"\n", name);
        return 1;
    }
    json_t *out = NULL;
    tool_reject rej = {"invalid_value", ""};
    int r = op->fn(in, &out, &rej);
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
    tool_arena_reset();
    return status;
}

static int cmd_op(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: lpsp op NAME < input.json\n");
        return 1;
    }
    json_t *in = tool_read_json(stdin);
    if (!in) return 1;
    int st = tool_run_op_cli(argv[1], in);
    json_decref(in);
    return st;
}

static int cmd_testee(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--compat") == 0) tool_parse_opts = LPSP_PARSE_COMPAT;
    else if (argc != 1) {
        fprintf(stderr, "usage: lpsp testee [--compat]\n");
        return 1;
    }
    return tool_testee();
}

static int cmd_ops(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    for (size_t t = 0; t < COUNT(op_tables); t++)
        for (const tool_op *op = op_tables[t]; op->name; op++) printf("%-22s %s\n", op->name, op->feature);
    return 0;
}

static const tool_cmd core_cmds[] = {
    {"op", "op NAME < input.json       run any testee-protocol operation", cmd_op},
    {"ops", "ops                        list the operations and their features", cmd_ops},
    {"testee", "testee [--compat]          speak the conformance testee protocol on stdio", cmd_testee},
    {NULL, NULL, NULL},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: lpsp COMMAND [ARGS]\n\ncommands:\n");
    for (size_t t = 0; t < COUNT(cmd_tables); t++)
        for (const tool_cmd *c = cmd_tables[t]; c->name; c++) fprintf(f, "  lpsp %s\n", c->usage);
    for (const tool_cmd *c = core_cmds; c->name; c++) fprintf(f, "  lpsp %s\n", c->usage);
    fprintf(f, "\nBytes are lowercase hex; bad input exits 1 with one line on stderr.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 1 : 0;
    }
    for (size_t t = 0; t < COUNT(cmd_tables); t++)
        for (const tool_cmd *c = cmd_tables[t]; c->name; c++)
            if (strcmp(c->name, argv[1]) == 0) return c->run(argc - 1, argv + 1);
    for (const tool_cmd *c = core_cmds; c->name; c++)
        if (strcmp(c->name, argv[1]) == 0) return c->run(argc - 1, argv + 1);
    fprintf(stderr, "lpsp: unknown command \"%s\" (try lpsp --help)\n", argv[1]);
    return 1;
}
