/* The registry of the lpsp tool: every module's operations and subcommands,
 * in the order `lpsp ops` and `lpsp --help` list them. */
#include <string.h>

#include "tool.h"

static const tool_op *const op_tables[] = {tool_ops_stateful, tool_ops_stateless, tool_ops_auth};
static const tool_cmd *const cmd_tables[] = {tool_cmds_stateful, tool_cmds_stateless, tool_cmds_auth};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const tool_op *tool_op_at(size_t i)
{
    for (size_t t = 0; t < COUNT(op_tables); t++)
        for (const tool_op *op = op_tables[t]; op->name; op++)
            if (i-- == 0) return op;
    return NULL;
}

const tool_op *tool_find_op(const char *name)
{
    const tool_op *op;
    for (size_t i = 0; (op = tool_op_at(i)); i++)
        if (strcmp(op->name, name) == 0) return op;
    return NULL;
}

const tool_cmd *tool_cmd_at(size_t i)
{
    for (size_t t = 0; t < COUNT(cmd_tables); t++)
        for (const tool_cmd *c = cmd_tables[t]; c->name; c++)
            if (i-- == 0) return c;
    return NULL;
}

const tool_cmd *tool_find_cmd(const char *name)
{
    const tool_cmd *c;
    for (size_t i = 0; (c = tool_cmd_at(i)); i++)
        if (strcmp(c->name, name) == 0) return c;
    return NULL;
}
