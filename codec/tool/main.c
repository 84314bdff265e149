/* lpsp: command-line front end of the reference codec. */
#include <string.h>

#include "tool.h"

static int cmd_op(tool_ctx *ctx, int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: lpsp op NAME < input.json\n");
        return 1;
    }
    const tool_op *op = tool_find_op(argv[1]);
    if (!op) {
        fprintf(stderr, "lpsp: unknown operation \"%s\"\n", argv[1]);
        return 1;
    }
    json_t *in = tool_read_json(stdin);
    if (!in) return 1;
    return tool_cli_run(ctx, op->fn, in);
}

static int cmd_testee(tool_ctx *ctx, int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--compat") == 0)
        ctx->parse_opts = LPSP_PARSE_COMPAT;
    else if (argc != 1) {
        fprintf(stderr, "usage: lpsp testee [--compat]\n");
        return 1;
    }
    return tool_testee(ctx);
}

static int cmd_ops(tool_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    (void)argc;
    (void)argv;
    const tool_op *op;
    for (size_t i = 0; (op = tool_op_at(i)); i++)
        printf("%-22s %s\n", op->name, op->feature);
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
    const tool_cmd *c;
    for (size_t i = 0; (c = tool_cmd_at(i)); i++)
        fprintf(f, "  lpsp %s\n", c->usage);
    for (c = core_cmds; c->name; c++)
        fprintf(f, "  lpsp %s\n", c->usage);
    fprintf(f, "\nBytes are lowercase hex; bad input exits 1 with one line on stderr.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 1 : 0;
    }
    const tool_cmd *c = tool_find_cmd(argv[1]);
    for (const tool_cmd *core = core_cmds; !c && core->name; core++)
        if (strcmp(core->name, argv[1]) == 0) c = core;
    if (!c) {
        fprintf(stderr, "lpsp: unknown command \"%s\" (try lpsp --help)\n", argv[1]);
        return 1;
    }
    tool_ctx ctx = {0, NULL};
    return c->run(&ctx, argc - 1, argv + 1);
}
