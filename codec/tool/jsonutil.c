/* Helpers of the lpsp operations: the per-request arena, rejections, and
 * typed reads and writes of JSON fields (declared in tool.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

/* Memory the tool cannot go on without: exits on exhaustion. */
static void *must_malloc(size_t n)
{
    void *p = malloc(n);
    if (!p) {
        fputs("lpsp: out of memory\n", stderr);
        exit(2);
    }
    return p;
}

/* ---- arena: a list of blocks freed together after each request */
struct tool_arena_block {
    struct tool_arena_block *next;
    max_align_t align;
};

void *tool_arena_alloc(tool_ctx *ctx, size_t n)
{
    tool_arena_block *b = must_malloc(sizeof(tool_arena_block) + n + 1);
    b->next = ctx->arena;
    ctx->arena = b;
    return (void *)(b + 1);
}

void tool_arena_reset(tool_ctx *ctx)
{
    while (ctx->arena) {
        tool_arena_block *n = ctx->arena->next;
        free(ctx->arena);
        ctx->arena = n;
    }
}

/* A detail cut by the buffer size must not end inside a UTF-8 sequence:
 * the testee sends it as a JSON string. */
static void trim_utf8_tail(char *s)
{
    size_t n = strlen(s), lead = n;
    while (lead > 0 && ((unsigned char)s[lead - 1] & 0xc0) == 0x80)
        lead--;
    if (lead == 0) return;
    unsigned char c = (unsigned char)s[lead - 1];
    size_t want = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    if (n - (lead - 1) < want) s[lead - 1] = 0;
}

int tool_reject_set(tool_reject *rej, const char *cls, const char *fmt, ...)
{
    va_list ap;
    rej->cls = cls;
    va_start(ap, fmt);
    int n = vsnprintf(rej->detail, sizeof rej->detail, fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof rej->detail) trim_utf8_tail(rej->detail);
    return -1;
}

int tool_reject_codec(tool_reject *rej, const lpsp_error *err)
{
    rej->cls = lpsp_status_name(err->status);
    if (err->field)
        snprintf(rej->detail, sizeof rej->detail, "%s: %s (offset %zu)", err->field,
                 err->reason ? err->reason : "invalid", err->offset);
    else
        snprintf(rej->detail, sizeof rej->detail, "%s (offset %zu)", err->reason ? err->reason : "invalid",
                 err->offset);
    return TOOL_REJECTED;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int hex_decode(tool_ctx *ctx, const char *hex, lpsp_view *out, const char *what, tool_reject *rej)
{
    size_t n = strlen(hex);
    if (n % 2) return tool_reject_set(rej, "invalid_argument", "%s: odd number of hex digits", what);
    uint8_t *buf = tool_arena_alloc(ctx, n / 2);
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hexval((unsigned char)hex[2 * i]), lo = hexval((unsigned char)hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return tool_reject_set(rej, "invalid_argument", "%s: bad hex digit at %zu", what,
                                   2 * i + (hi < 0 ? 0 : 1));
        buf[i] = (uint8_t)(hi << 4 | lo);
    }
    out->ptr = buf;
    out->len = n / 2;
    return 0;
}

int tool_get_hex(tool_ctx *ctx, const json_t *obj, const char *key, lpsp_view *out, tool_reject *rej)
{
    const json_t *v = json_object_get(obj, key);
    if (!v) return tool_reject_set(rej, "invalid_argument", "missing key \"%s\"", key);
    const char *s = tool_plain_string(v);
    if (!s) return tool_reject_set(rej, "invalid_argument", "\"%s\" must be a hex string", key);
    return hex_decode(ctx, s, out, key, rej);
}

int tool_get_text(const json_t *obj, const char *key, lpsp_view *out, int *present, tool_reject *rej)
{
    const json_t *v = json_object_get(obj, key);
    out->ptr = (const uint8_t *)"";
    out->len = 0;
    if (present) *present = 0;
    if (!v) return tool_reject_set(rej, "invalid_argument", "missing key \"%s\"", key);
    if (json_is_null(v)) {
        if (present) return 0;
        return tool_reject_set(rej, "invalid_argument", "\"%s\" must not be null", key);
    }
    if (!json_is_string(v)) return tool_reject_set(rej, "invalid_argument", "\"%s\" must be a string", key);
    out->ptr = (const uint8_t *)json_string_value(v);
    out->len = json_string_length(v);
    if (present) *present = 1;
    return 0;
}

int tool_get_bool(const json_t *obj, const char *key, int *out, tool_reject *rej)
{
    const json_t *v = json_object_get(obj, key);
    if (!v || !json_is_boolean(v))
        return tool_reject_set(rej, "invalid_argument", "\"%s\" must be true or false", key);
    *out = json_is_true(v);
    return 0;
}

/* The text of a JSON string that holds no NUL (the tool reads JSON with
 * JSON_ALLOW_NUL, and "17\u00009" must not read as 17), else NULL. */
const char *tool_plain_string(const json_t *v)
{
    if (!json_is_string(v)) return NULL;
    const char *s = json_string_value(v);
    return strlen(s) == json_string_length(v) ? s : NULL;
}

static int parse_dec(const char *s, int allow_neg, int *neg, uint64_t *mag)
{
    *neg = 0;
    if (*s == '-' && allow_neg) {
        *neg = 1;
        s++;
    }
    if (!*s) return -1;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return -1;
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10) return -1;
        v = v * 10 + d;
    }
    *mag = v;
    return 0;
}

int tool_get_u64(const json_t *obj, const char *key, uint64_t *out, tool_reject *rej)
{
    const json_t *v = json_object_get(obj, key);
    if (!v) return tool_reject_set(rej, "invalid_argument", "missing key \"%s\"", key);
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        if (i < 0) return tool_reject_set(rej, "invalid_argument", "\"%s\" is negative", key);
        *out = (uint64_t)i;
        return 0;
    }
    int neg;
    const char *s = tool_plain_string(v);
    if (s && parse_dec(s, 0, &neg, out) == 0) return 0;
    return tool_reject_set(rej, "invalid_argument",
                           "\"%s\" must be an unsigned integer below 2^64 (number or decimal string)", key);
}

int tool_get_wire_u64(const json_t *obj, const char *key, uint64_t *out, tool_reject *rej)
{
    const json_t *v = json_object_get(obj, key);
    if (!v) return tool_reject_set(rej, "invalid_argument", "missing key \"%s\"", key);
    int neg = 0;
    uint64_t mag = 0;
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        neg = i < 0;
        mag = (uint64_t)i;
    } else {
        const char *s = tool_plain_string(v);
        if (!s) s = "";
        const char *d = s + (*s == '-');
        if (!*d || strspn(d, "0123456789") != strlen(d))
            return tool_reject_set(rej, "invalid_argument",
                                   "\"%s\" must be an integer (number or decimal string)", key);
        neg = *s == '-' && strspn(d, "0") != strlen(d);
        if (!neg && parse_dec(d, 0, &neg, &mag) != 0)
            return tool_reject_set(rej, "overflow", "\"%s\" does not fit its u64", key);
    }
    if (neg) return tool_reject_set(rej, "overflow", "\"%s\" is negative: it does not fit its u64", key);
    *out = mag;
    return 0;
}

int tool_get_i64(const json_t *obj, const char *key, int64_t *out, tool_reject *rej)
{
    const json_t *v = json_object_get(obj, key);
    if (!v) return tool_reject_set(rej, "invalid_argument", "missing key \"%s\"", key);
    if (json_is_integer(v)) {
        *out = (int64_t)json_integer_value(v);
        return 0;
    }
    int neg;
    uint64_t mag;
    const char *s = tool_plain_string(v);
    if (s && parse_dec(s, 1, &neg, &mag) == 0 &&
        mag <= (neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX)) {
        *out = neg ? (int64_t)(0 - mag) : (int64_t)mag;
        return 0;
    }
    return tool_reject_set(rej, "invalid_argument",
                           "\"%s\" must be a signed 64-bit integer (number or decimal string)", key);
}

int tool_is_null(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    if (!v) return -1;
    return json_is_null(v) ? 1 : 0;
}

json_t *tool_json_hex(const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char *s = must_malloc(2 * n + 1);
    for (size_t i = 0; i < n; i++) {
        s[2 * i] = digits[p[i] >> 4];
        s[2 * i + 1] = digits[p[i] & 15];
    }
    json_t *j = json_stringn(s, 2 * n);
    free(s);
    return j;
}

json_t *tool_json_hex_view(lpsp_view v)
{
    return tool_json_hex(v.ptr, v.len);
}

json_t *tool_json_text(lpsp_view v)
{
    return json_stringn((const char *)v.ptr, v.len);
}

json_t *tool_json_u64str(uint64_t v)
{
    char b[24];
    snprintf(b, sizeof b, "%llu", (unsigned long long)v);
    return json_string(b);
}
