/* The writer sink (sink.h): one way to size, write and digest. */
#include "sink.h"

void lpsp_sink_count(lpsp_sink *s)
{
    lpsp_sink_buf(s, NULL, 0);
}

void lpsp_sink_buf(lpsp_sink *s, uint8_t *buf, size_t cap)
{
    s->buf = buf;
    s->cap = buf ? cap : 0;
    s->fill = 0;
    s->feed = NULL;
    s->ctx = NULL;
    s->st = LPSP_OK;
}

void lpsp_sink_digest(lpsp_sink *s, lpsp_feed feed, void *ctx, uint8_t *stash, size_t cap)
{
    lpsp_sink_buf(s, stash, cap);
    s->feed = feed;
    s->ctx = ctx;
}

static void sink_feed(lpsp_sink *s, const void *p, size_t n)
{
    if (s->st == LPSP_OK && n && !s->feed(s->ctx, p, n)) s->st = LPSP_E_CRYPTO;
}

void lpsp_sink_spill(lpsp_sink *s, const void *p, size_t n)
{
    if (!s->feed) { /* a caller buffer: its room was checked, so this is a bug */
        s->st = LPSP_E_BUFFER_TOO_SMALL;
        s->cap = s->fill; /* and nothing more is written */
        return;
    }
    sink_feed(s, s->buf, s->fill);
    s->fill = 0;
    if (lpsp_fits(n, s->cap)) {
        memcpy(s->buf, p, n);
        s->fill = n;
    } else {
        sink_feed(s, p, n);
    }
}

lpsp_status lpsp_sink_end(lpsp_sink *s, lpsp_error *err)
{
    if (s->feed) {
        sink_feed(s, s->buf, s->fill);
        s->fill = 0;
    }
    switch (s->st) {
    case LPSP_OK: return LPSP_OK;
    case LPSP_E_CRYPTO: return lpsp_fail(err, s->st, 0, NULL, "digest update failed");
    case LPSP_E_INVALID_ARGUMENT: return lpsp_fail(err, s->st, 0, NULL, "output longer than SIZE_MAX bytes");
    default: return lpsp_fail(err, s->st, 0, NULL, "output past the checked room");
    }
}

lpsp_status lpsp_room(size_t need, const void *buf, size_t cap, size_t *written, lpsp_error *err)
{
    if (written) *written = need;
    if ((!buf && need) || !lpsp_fits(need, cap))
        return lpsp_fail(err, LPSP_E_BUFFER_TOO_SMALL, 0, NULL, "output buffer too small");
    return LPSP_OK;
}
