/* The lpsp command-line tool: shared declarations.
 *
 * Every operation of the conformance testee protocol is one `tool_op`: a
 * function from a JSON input object (and the tool's context) to a JSON
 * output object. The CLI subcommands and `lpsp testee` both dispatch
 * through the same registry. */
#ifndef LPSP_TOOL_H
#define LPSP_TOOL_H

#include <jansson.h>
#include <stdio.h>

#include "lpsp/common.h"
#include "lpsp/stateful.h"

/* Why an operation did not produce output. */
typedef struct {
    const char *cls;  /* error class of the testee protocol, e.g. "truncated" */
    char detail[512]; /* one line: what and where */
} tool_reject;

enum { TOOL_OK = 0, TOOL_REJECTED = 1, TOOL_UNSUPPORTED = 2 };

/* What an operation may use besides its input: everything the tool keeps
 * for longer than one call. main() owns the one instance. */
typedef struct tool_arena_block tool_arena_block;
typedef struct {
    /* Parse options for the decode operations: 0 (strict) or
     * LPSP_PARSE_COMPAT (`lpsp testee --compat`, `lpsp decode --compat`). */
    unsigned parse_opts;
    /* Decoded byte strings of the current request (tool_arena_alloc). */
    tool_arena_block *arena;
} tool_ctx;

/* Returns TOOL_OK with *out set (a new reference), or TOOL_REJECTED /
 * TOOL_UNSUPPORTED with *rej filled in. Must not abort on any input. */
typedef int (*tool_op_fn)(tool_ctx *ctx, const json_t *in, json_t **out, tool_reject *rej);

typedef struct {
    const char *name;    /* testee protocol op name */
    const char *feature; /* testee protocol feature */
    tool_op_fn fn;
} tool_op;

/* Subcommands: `lpsp <name> args...`; return the process exit status. */
typedef struct {
    const char *name;
    const char *usage;
    int (*run)(tool_ctx *ctx, int argc, char **argv);
} tool_cmd;

/* Each module exports tables terminated by {NULL, NULL, NULL}; registry.c
 * lists them. */
extern const tool_op tool_ops_stateful[], tool_ops_stateless[], tool_ops_auth[];
extern const tool_cmd tool_cmds_stateful[], tool_cmds_stateless[], tool_cmds_auth[];

/* ---- The registry (registry.c): every module's operations and
 * subcommands, in order. The *_at functions return NULL past the last. */
const tool_op *tool_op_at(size_t i);
const tool_op *tool_find_op(const char *name);
const tool_cmd *tool_cmd_at(size_t i);
const tool_cmd *tool_find_cmd(const char *name);

/* ---- Subcommand helpers (cli.c). */

/* Run `fn` on `in` and release `in` (NULL: arguments that were not UTF-8);
 * print the output JSON to stdout or one line to stderr; returns the exit
 * status (0 ok, 1 rejected/bad input, 2 unsupported). */
int tool_cli_run(tool_ctx *ctx, tool_op_fn fn, json_t *in);
/* `lpsp CMD < input.json`: tool_cli_run on the JSON object read from stdin;
 * `usage` is printed when there are arguments. */
int tool_cli_run_stdin(tool_ctx *ctx, tool_op_fn fn, int argc, const char *usage);
/* Read all of stdin (or the file) as JSON; NULL with a message on error. */
json_t *tool_read_json(FILE *f);
/* `lpsp CMD ARG...`: tool_cli_run on {keys[0]: ARG1, ...} (keys ends with
 * NULL); `usage` is printed when the number of arguments differs. */
int tool_cli_run_args(tool_ctx *ctx, tool_op_fn fn, int argc, char **argv, const char *const *keys,
                      const char *usage);
/* {key: value, "hex": HEX} for a decode subcommand: HEX is hex_arg without
 * its whitespace, or stdin's when hex_arg is "-". NULL after a message. */
json_t *tool_hex_input(const char *key, const char *value, const char *hex_arg);

/* `lpsp testee` (testee.c): the testee protocol on stdin/stdout. */
int tool_testee(tool_ctx *ctx);

/* ---- JSON helpers (jsonutil.c). All return 0 on success, -1 after
 * filling *rej with class "invalid_argument" and a detail naming the key. */

int tool_reject_set(tool_reject *rej, const char *cls, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Fill *rej from a codec error: class from the status, detail with
 * field/offset/reason. Returns TOOL_REJECTED. */
int tool_reject_codec(tool_reject *rej, const lpsp_error *err);

/* Decoded byte strings live in the context's arena, released by
 * tool_arena_reset() after each request; views returned by these helpers
 * point into it. */
void *tool_arena_alloc(tool_ctx *ctx, size_t n);
void tool_arena_reset(tool_ctx *ctx);

int tool_get_hex(tool_ctx *ctx, const json_t *obj, const char *key, lpsp_view *out, tool_reject *rej);
/* Text key; nullable: JSON null gives *present = 0 (present may be NULL
 * when null is not allowed). */
int tool_get_text(const json_t *obj, const char *key, lpsp_view *out, int *present, tool_reject *rej);
int tool_get_bool(const json_t *obj, const char *key, int *out, tool_reject *rej);
/* The text of a JSON string without an embedded NUL (the tool reads JSON
 * with JSON_ALLOW_NUL), else NULL. */
const char *tool_plain_string(const json_t *v);
/* Unsigned integer given as a JSON number or a decimal string. */
int tool_get_u64(const json_t *obj, const char *key, uint64_t *out, tool_reject *rej);
/* An integer field of the wire that is u64 (number or decimal string): an
 * integer outside [0, 2^64) is rejected as "overflow", as the reference's
 * struct packing does, anything else that is not an integer as
 * "invalid_argument". */
int tool_get_wire_u64(const json_t *obj, const char *key, uint64_t *out, tool_reject *rej);
/* Signed integer given as a JSON number or a decimal string. */
int tool_get_i64(const json_t *obj, const char *key, int64_t *out, tool_reject *rej);
/* 1 if key exists and is JSON null, 0 if present and not null, -1 if absent. */
int tool_is_null(const json_t *obj, const char *key);

json_t *tool_json_hex(const uint8_t *p, size_t n);
json_t *tool_json_hex_view(lpsp_view v);
/* Text as a JSON string (the caller guarantees UTF-8). */
json_t *tool_json_text(lpsp_view v);
json_t *tool_json_u64str(uint64_t v);

#endif
