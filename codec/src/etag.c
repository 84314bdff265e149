/* Strong etag, spec §9: SHA-512 of
 *   "URL" s16(url) "\nEXACT" {s16(topic) s16(recovery)}* "\nGLOB" {s16(glob) s16(recovery)}* "\n"
 * The streaming builder, the one-shot etag and the document writer put the
 * same pieces into a writer sink (internal.h). */
/* The low-level SHA-512 interface keeps its state in the builder itself, so
 * building an etag never allocates (util.c explains the deprecation). */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include "sl_internal.h"

_Static_assert(sizeof(SHA512_CTX) <= sizeof(((lpsp_etag_builder *)0)->md_state),
               "lpsp_etag_builder.md_state must hold a SHA512_CTX");

static SHA512_CTX *sha(lpsp_etag_builder *b) { return (SHA512_CTX *)(void *)b->md_state; }

static const uint8_t M_URL[] = {'U', 'R', 'L'};
static const uint8_t M_EXACT[] = {'\n', 'E', 'X', 'A', 'C', 'T'};
static const uint8_t M_GLOB[] = {'\n', 'G', 'L', 'O', 'B'};
static const uint8_t M_END[] = {'\n'};

/* Validation shared by every producer of the document. */
static lpsp_status check_text(lpsp_view v, const char *field, lpsp_error *err)
{
    if (v.len > 0xffff) return lpsp_fail(err, LPSP_E_INVALID_ARGUMENT, 0, field, "longer than 65535 bytes");
    if (lpsp_utf8_valid_prefix(v.ptr, v.len) != v.len)
        return lpsp_fail(err, LPSP_E_BAD_UTF8, lpsp_utf8_valid_prefix(v.ptr, v.len), field,
                         "not valid UTF-8");
    return LPSP_OK;
}

static lpsp_status check_entry(int glob, lpsp_view key, lpsp_view rec, int check_order,
                               int have_prev, lpsp_view prev, lpsp_error *err)
{
    lpsp_status st;
    if (glob) {
        if ((st = check_text(key, "glob", err)) != LPSP_OK) return st;
    } else if (key.len > 0xffff) {
        return lpsp_fail(err, LPSP_E_INVALID_ARGUMENT, 0, "topic", "longer than 65535 bytes");
    }
    if ((st = check_text(rec, "recovery", err)) != LPSP_OK) return st;
    if (check_order && have_prev && lpsp_view_cmp(key, prev) <= 0)
        return lpsp_fail(err, LPSP_E_OUT_OF_ORDER, 0, glob ? "glob" : "topic",
                         "entries must be strictly ascending (no duplicates)");
    return LPSP_OK;
}

/* The pieces of the document, put into any sink. */
static void put_head(lpsp_sink *s, lpsp_view url)
{
    lpsp_sink_put(s, M_URL, sizeof M_URL);
    lpsp_sink_sized(s, url, 2);
    lpsp_sink_put(s, M_EXACT, sizeof M_EXACT);
}

static void put_entry(lpsp_sink *s, lpsp_view key, lpsp_view rec)
{
    lpsp_sink_sized(s, key, 2);
    lpsp_sink_sized(s, rec, 2);
}

/* ---- streaming builder: a digest sink over the builder's own state */

static void b_open(lpsp_etag_builder *b, lpsp_sink *s)
{
    lpsp_sink_digest(s, lpsp_feed_sha512, sha(b), b->stash, sizeof b->stash);
    s->fill = b->fill;
}

static lpsp_status b_close(lpsp_etag_builder *b, lpsp_sink *s, lpsp_error *err)
{
    b->fill = s->fill;
    if (s->st == LPSP_OK) return LPSP_OK;
    lpsp_etag_abort(b);
    return lpsp_sink_end(s, err);
}

void lpsp_etag_abort(lpsp_etag_builder *b)
{
    b->active = 0;
}

lpsp_status lpsp_etag_begin(lpsp_etag_builder *b, lpsp_view url, int check_order, lpsp_error *err)
{
    memset(b, 0, offsetof(lpsp_etag_builder, stash));
    lpsp_status st = check_text(url, "url", err);
    if (st != LPSP_OK) return st;
    if (!SHA512_Init(sha(b))) return lpsp_fail(err, LPSP_E_CRYPTO, 0, NULL, "SHA-512 init failed");
    b->active = 1;
    b->check_order = check_order;
    lpsp_sink s;
    b_open(b, &s);
    put_head(&s, url);
    return b_close(b, &s, err);
}

lpsp_status lpsp_etag__add(lpsp_etag_builder *b, int glob, lpsp_view key, lpsp_view rec,
                           int validated, lpsp_error *err)
{
    if (!b->active) return lpsp_fail(err, LPSP_E_INVALID_ARGUMENT, 0, NULL, "etag builder not active");
    if (glob < b->stage) {
        lpsp_etag_abort(b);
        return lpsp_fail(err, LPSP_E_INVALID_ARGUMENT, 0, "topic", "exact entry after a glob entry");
    }
    lpsp_sink s;
    b_open(b, &s);
    if (glob && b->stage == 0) {
        lpsp_sink_put(&s, M_GLOB, sizeof M_GLOB);
        b->stage = 1;
        b->have_prev = 0;
    }
    if (!validated) {
        lpsp_status st = check_entry(glob, key, rec, b->check_order, b->have_prev, b->prev, err);
        if (st != LPSP_OK) {
            lpsp_etag_abort(b);
            return st;
        }
    }
    b->prev = key;
    b->have_prev = 1;
    put_entry(&s, key, rec);
    return b_close(b, &s, err);
}

lpsp_status lpsp_etag_add_exact(lpsp_etag_builder *b, lpsp_view topic, lpsp_view recovery,
                                lpsp_error *err)
{
    return lpsp_etag__add(b, 0, topic, recovery, 0, err);
}

lpsp_status lpsp_etag_add_glob(lpsp_etag_builder *b, lpsp_view glob, lpsp_view recovery,
                               lpsp_error *err)
{
    return lpsp_etag__add(b, 1, glob, recovery, 0, err);
}

lpsp_status lpsp_etag_finish(lpsp_etag_builder *b, uint8_t etag[LPSP_ETAG_LEN], lpsp_error *err)
{
    if (!b->active) return lpsp_fail(err, LPSP_E_INVALID_ARGUMENT, 0, NULL, "etag builder not active");
    lpsp_sink s;
    b_open(b, &s);
    if (b->stage == 0) lpsp_sink_put(&s, M_GLOB, sizeof M_GLOB);
    lpsp_sink_put(&s, M_END, sizeof M_END);
    lpsp_status st = lpsp_sink_end(&s, err);
    int ok = st == LPSP_OK && SHA512_Final(etag, sha(b));
    lpsp_etag_abort(b);
    if (st == LPSP_OK && !ok) return lpsp_fail(err, LPSP_E_CRYPTO, 0, NULL, "SHA-512 final failed");
    return st;
}

/* ---- the document in one walk: validates and puts it, for the writer
 * and the one-shot etag */

typedef struct {
    lpsp_view url;
    const lpsp_sl_entry *list[2];
    size_t n[2];
    int check_order;
} doc_args;

static lpsp_status doc_walk(const void *arg, lpsp_sink *s, lpsp_error *err)
{
    const doc_args *a = arg;
    lpsp_status st = check_text(a->url, "url", err);
    if (st != LPSP_OK) return st;
    put_head(s, a->url);
    for (int g = 0; g < 2; g++) {
        const lpsp_sl_entry *e = a->list[g];
        if (g) lpsp_sink_put(s, M_GLOB, sizeof M_GLOB);
        for (size_t i = 0; i < a->n[g]; i++) {
            lpsp_view rec = lpsp_sl_entry_recovery(&e[i]);
            st = check_entry(g, e[i].key, rec, a->check_order, i > 0, i ? e[i - 1].key : e[i].key, err);
            if (st != LPSP_OK) return st;
            put_entry(s, e[i].key, rec);
        }
    }
    lpsp_sink_put(s, M_END, sizeof M_END);
    return LPSP_OK;
}

lpsp_status lpsp_etag_compute(lpsp_view url, const lpsp_sl_entry *exact, size_t n_exact,
                              const lpsp_sl_entry *globs, size_t n_globs, int check_order,
                              uint8_t etag[LPSP_ETAG_LEN], lpsp_error *err)
{
    doc_args a = {url, {exact, globs}, {n_exact, n_globs}, check_order};
    SHA512_CTX c;
    uint8_t stash[1024];
    lpsp_sink s;
    if (!SHA512_Init(&c)) return lpsp_fail(err, LPSP_E_CRYPTO, 0, NULL, "SHA-512 init failed");
    lpsp_sink_digest(&s, lpsp_feed_sha512, &c, stash, sizeof stash);
    lpsp_status st = doc_walk(&a, &s, err);
    if (st == LPSP_OK) st = lpsp_sink_end(&s, err);
    if (st == LPSP_OK && !SHA512_Final(etag, &c))
        st = lpsp_fail(err, LPSP_E_CRYPTO, 0, NULL, "SHA-512 final failed");
    return st;
}

lpsp_status lpsp_etag_document_size(lpsp_view url, const lpsp_sl_entry *exact, size_t n_exact,
                                    const lpsp_sl_entry *globs, size_t n_globs, int check_order,
                                    size_t *size, lpsp_error *err)
{
    return lpsp_size_of(
        lpsp_etag_document(url, exact, n_exact, globs, n_globs, check_order, NULL, 0, size, err));
}

lpsp_status lpsp_etag_document(lpsp_view url, const lpsp_sl_entry *exact, size_t n_exact,
                               const lpsp_sl_entry *globs, size_t n_globs, int check_order,
                               uint8_t *buf, size_t cap, size_t *written, lpsp_error *err)
{
    doc_args a = {url, {exact, globs}, {n_exact, n_globs}, check_order};
    return lpsp_write(doc_walk, &a, buf, cap, written, err);
}
