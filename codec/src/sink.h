/* The writer sink: one way for every writer to size, write and digest its
 * bytes (sink.c). Not installed. */
#ifndef LPSP_SINK_H
#define LPSP_SINK_H

#include "internal.h"

/* The writer sink, after nanopb's sizing stream: every writer emits its
 * bytes through one, and the sink either counts them (buf NULL), copies
 * them into a caller buffer, or batches them in a stash that it feeds to a
 * MAC or digest. The first failure is latched in st. */
typedef int (*lpsp_feed)(void *ctx, const uint8_t *p, size_t n); /* MAC/digest update: 1 on success */

typedef struct {
    uint8_t *buf;     /* caller buffer or stash; NULL: count only */
    size_t cap, fill; /* buf[0..fill) is written (or not yet fed); counting: bytes put */
    lpsp_feed feed;   /* digest sinks only */
    void *ctx;
    lpsp_status st; /* the first failure */
} lpsp_sink;

LPSP_INTERNAL void lpsp_sink_count(lpsp_sink *s);
LPSP_INTERNAL void lpsp_sink_buf(lpsp_sink *s, uint8_t *buf, size_t cap);
LPSP_INTERNAL void lpsp_sink_digest(lpsp_sink *s, lpsp_feed feed, void *ctx, uint8_t *stash, size_t cap);
/* The slow path of lpsp_sink_put: the window is full. */
LPSP_INTERNAL void lpsp_sink_spill(lpsp_sink *s, const void *p, size_t n);
/* Feed what the stash holds; the latched status (err filled on failure). */
LPSP_INTERNAL LPSP_MUST_CHECK lpsp_status lpsp_sink_end(lpsp_sink *s, lpsp_error *err);

static inline void lpsp_sink_put(lpsp_sink *s, const void *p, size_t n)
{
    if (!s->buf) { /* counting */
        if (!lpsp_fits(n, SIZE_MAX - s->fill)) s->st = LPSP_E_INVALID_ARGUMENT;
        s->fill += n;
        return;
    }
    if (!lpsp_fits(n, s->cap - s->fill)) {
        lpsp_sink_spill(s, p, n);
        return;
    }
    if (n) memcpy(s->buf + s->fill, p, n);
    s->fill += n;
}

/* v as a w-byte big-endian unsigned (w = 1..8). */
static inline void lpsp_sink_be(lpsp_sink *s, uint64_t v, size_t w)
{
    uint8_t b[8];
    lpsp_encbe_var(b, v, w);
    lpsp_sink_put(s, b, w);
}

/* A length-prefixed value: w-byte big-endian length, then the bytes. */
static inline void lpsp_sink_sized(lpsp_sink *s, lpsp_view v, size_t w)
{
    lpsp_sink_be(s, v.len, w);
    lpsp_sink_put(s, v.ptr, v.len);
}

/* The writer convention (lpsp/common.h) once need is known: report it and
 * refuse too small a buffer before a byte is written. */
LPSP_INTERNAL LPSP_MUST_CHECK lpsp_status lpsp_room(size_t need, const void *buf, size_t cap, size_t *written,
                                                    lpsp_error *err);

/* A writer's walk: validates its input and puts its bytes into s. */
typedef lpsp_status (*lpsp_walk)(const void *arg, lpsp_sink *s, lpsp_error *err);

/* The whole convention for a walk: count, check the room, write. Inline,
 * so that each writer's walk is inlined into both passes. */
static inline lpsp_status lpsp_write(lpsp_walk walk, const void *arg, uint8_t *buf, size_t cap,
                                     size_t *written, lpsp_error *err)
{
    lpsp_sink s;
    lpsp_sink_count(&s);
    lpsp_status st = walk(arg, &s, err);
    if (st == LPSP_OK) st = lpsp_sink_end(&s, err);
    if (st == LPSP_OK) st = lpsp_room(s.fill, buf, cap, written, err);
    if (st != LPSP_OK) return st;
    lpsp_sink_buf(&s, buf, cap);
    st = walk(arg, &s, err);
    return st != LPSP_OK ? st : lpsp_sink_end(&s, err);
}

/* A _size function from its writer: the writer's answer to a (NULL, 0)
 * query, with a too-small result turned into success. */
static inline lpsp_status lpsp_size_of(lpsp_status writer_st)
{
    return writer_st == LPSP_E_BUFFER_TOO_SMALL ? LPSP_OK : writer_st;
}

#endif
