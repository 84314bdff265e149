/* Strong etag, spec §9: SHA-512 of
 *   "URL" s16(url) "\nEXACT" {s16(topic) s16(recovery)}* "\nGLOB" {s16(glob) s16(recovery)}* "\n"
 * One document walker serves the streaming builder, the one-shot etag and the
 * document writer. */
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

/* Bytewise comparison, shorter prefix first (Python bytes ordering). */
static int view_cmp(lpsp_view a, lpsp_view b)
{
    size_t n = a.len < b.len ? a.len : b.len;
    int c = n ? memcmp(a.ptr, b.ptr, n) : 0;
    if (c) return c;
    return (a.len > b.len) - (a.len < b.len);
}

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
    if (check_order && have_prev && view_cmp(key, prev) <= 0)
        return lpsp_fail(err, LPSP_E_OUT_OF_ORDER, 0, glob ? "glob" : "topic",
                         "entries must be strictly ascending (no duplicates)");
    return LPSP_OK;
}

/* ---- streaming builder */

static lpsp_status b_flush(lpsp_etag_builder *b, lpsp_error *err)
{
    if (b->fill && !SHA512_Update(sha(b), b->stash, b->fill)) {
        lpsp_etag_abort(b);
        return lpsp_fail(err, LPSP_E_CRYPTO, 0, NULL, "SHA-512 update failed");
    }
    b->fill = 0;
    return LPSP_OK;
}

static lpsp_status b_put(lpsp_etag_builder *b, const uint8_t *p, size_t n, lpsp_error *err)
{
    if (n > sizeof b->stash - b->fill) {
        lpsp_status st = b_flush(b, err);
        if (st != LPSP_OK) return st;
        if (n > sizeof b->stash) {
            if (!SHA512_Update(sha(b), p, n)) {
                lpsp_etag_abort(b);
                return lpsp_fail(err, LPSP_E_CRYPTO, 0, NULL, "SHA-512 update failed");
            }
            return LPSP_OK;
        }
    }
    lpsp_put(b->stash + b->fill, p, n); /* n == 0 never touches p (may be NULL) */
    b->fill += n;
    return LPSP_OK;
}

static lpsp_status b_put_s16(lpsp_etag_builder *b, lpsp_view v, lpsp_error *err)
{
    uint8_t len[2];
    lpsp_enc16be(len, (uint16_t)v.len);
    lpsp_status st = b_put(b, len, 2, err);
    return st != LPSP_OK ? st : b_put(b, v.ptr, v.len, err);
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
    if ((st = b_put(b, M_URL, sizeof M_URL, err)) != LPSP_OK) return st;
    if ((st = b_put_s16(b, url, err)) != LPSP_OK) return st;
    return b_put(b, M_EXACT, sizeof M_EXACT, err);
}

lpsp_status lpsp_etag__add(lpsp_etag_builder *b, int glob, lpsp_view key, lpsp_view rec,
                           int validated, lpsp_error *err)
{
    lpsp_status st;
    if (!b->active) return lpsp_fail(err, LPSP_E_INVALID_ARGUMENT, 0, NULL, "etag builder not active");
    if (glob < b->stage) {
        lpsp_etag_abort(b);
        return lpsp_fail(err, LPSP_E_INVALID_ARGUMENT, 0, "topic", "exact entry after a glob entry");
    }
    if (glob && b->stage == 0) {
        if ((st = b_put(b, M_GLOB, sizeof M_GLOB, err)) != LPSP_OK) return st;
        b->stage = 1;
        b->have_prev = 0;
    }
    if (!validated) {
        st = check_entry(glob, key, rec, b->check_order, b->have_prev, b->prev, err);
        if (st != LPSP_OK) {
            lpsp_etag_abort(b);
            return st;
        }
    }
    b->prev = key;
    b->have_prev = 1;
    if (4 + key.len + rec.len <= sizeof b->stash - b->fill) {
        /* common case: the whole entry fits the stash */
        uint8_t *p = b->stash + b->fill;
        lpsp_enc16be(p, (uint16_t)key.len);
        p = lpsp_put(p + 2, key.ptr, key.len);
        lpsp_enc16be(p, (uint16_t)rec.len);
        lpsp_put(p + 2, rec.ptr, rec.len);
        b->fill += 4 + key.len + rec.len;
        return LPSP_OK;
    }
    if ((st = b_put_s16(b, key, err)) != LPSP_OK) return st;
    return b_put_s16(b, rec, err);
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
    lpsp_status st;
    if (!b->active) return lpsp_fail(err, LPSP_E_INVALID_ARGUMENT, 0, NULL, "etag builder not active");
    if (b->stage == 0 && (st = b_put(b, M_GLOB, sizeof M_GLOB, err)) != LPSP_OK) return st;
    if ((st = b_put(b, M_END, sizeof M_END, err)) != LPSP_OK) return st;
    if ((st = b_flush(b, err)) != LPSP_OK) return st;
    int ok = SHA512_Final(etag, sha(b));
    lpsp_etag_abort(b);
    if (!ok) return lpsp_fail(err, LPSP_E_CRYPTO, 0, NULL, "SHA-512 final failed");
    return LPSP_OK;
}

lpsp_status lpsp_etag_compute(lpsp_view url, const lpsp_sl_entry *exact, size_t n_exact,
                              const lpsp_sl_entry *globs, size_t n_globs, int check_order,
                              uint8_t etag[LPSP_ETAG_LEN], lpsp_error *err)
{
    lpsp_etag_builder b;
    lpsp_status st = lpsp_etag_begin(&b, url, check_order, err);
    for (size_t i = 0; st == LPSP_OK && i < n_exact; i++)
        st = lpsp_etag_add_exact(&b, exact[i].key, lpsp_sl_entry_recovery(&exact[i]), err);
    for (size_t i = 0; st == LPSP_OK && i < n_globs; i++)
        st = lpsp_etag_add_glob(&b, globs[i].key, lpsp_sl_entry_recovery(&globs[i]), err);
    if (st == LPSP_OK) return lpsp_etag_finish(&b, etag, err);
    lpsp_etag_abort(&b);
    return st;
}

/* ---- the document itself: one walk that validates, sizes and writes */

static lpsp_status doc_walk(lpsp_view url, const lpsp_sl_entry *exact, size_t n_exact,
                            const lpsp_sl_entry *globs, size_t n_globs, int check_order,
                            uint8_t *buf, size_t *size, lpsp_error *err)
{
    lpsp_status st = check_text(url, "url", err);
    if (st != LPSP_OK) return st;
    size_t n = sizeof M_URL + 2 + url.len + sizeof M_EXACT + sizeof M_GLOB + sizeof M_END;
    for (int g = 0; g < 2; g++) {
        const lpsp_sl_entry *e = g ? globs : exact;
        size_t cnt = g ? n_globs : n_exact;
        for (size_t i = 0; i < cnt; i++) {
            st = check_entry(g, e[i].key, lpsp_sl_entry_recovery(&e[i]), check_order, i > 0,
                             i ? e[i - 1].key : e[i].key, err);
            if (st != LPSP_OK) return st;
            size_t add = 4 + e[i].key.len + lpsp_sl_entry_recovery(&e[i]).len;
            if (add > SIZE_MAX - n)
                return lpsp_fail(err, LPSP_E_INVALID_ARGUMENT, 0, NULL, "document too large");
            n += add;
        }
    }
    *size = n;
    if (!buf) return LPSP_OK;
    uint8_t *p = lpsp_put(buf, M_URL, sizeof M_URL);
    lpsp_enc16be(p, (uint16_t)url.len);
    p = lpsp_put(p + 2, url.ptr, url.len);
    p = lpsp_put(p, M_EXACT, sizeof M_EXACT);
    for (int g = 0; g < 2; g++) {
        const lpsp_sl_entry *e = g ? globs : exact;
        size_t cnt = g ? n_globs : n_exact;
        if (g) p = lpsp_put(p, M_GLOB, sizeof M_GLOB);
        for (size_t i = 0; i < cnt; i++) {
            lpsp_enc16be(p, (uint16_t)e[i].key.len);
            p = lpsp_put(p + 2, e[i].key.ptr, e[i].key.len);
            lpsp_enc16be(p, (uint16_t)lpsp_sl_entry_recovery(&e[i]).len);
            p = lpsp_put(p + 2, lpsp_sl_entry_recovery(&e[i]).ptr, lpsp_sl_entry_recovery(&e[i]).len);
        }
    }
    lpsp_put(p, M_END, sizeof M_END);
    return LPSP_OK;
}

lpsp_status lpsp_etag_document_size(lpsp_view url, const lpsp_sl_entry *exact, size_t n_exact,
                                    const lpsp_sl_entry *globs, size_t n_globs, int check_order,
                                    size_t *size, lpsp_error *err)
{
    return doc_walk(url, exact, n_exact, globs, n_globs, check_order, NULL, size, err);
}

lpsp_status lpsp_etag_document(lpsp_view url, const lpsp_sl_entry *exact, size_t n_exact,
                               const lpsp_sl_entry *globs, size_t n_globs, int check_order,
                               uint8_t *buf, size_t cap, size_t *written, lpsp_error *err)
{
    size_t need = 0;
    lpsp_status st = doc_walk(url, exact, n_exact, globs, n_globs, check_order, NULL, &need, err);
    if (st != LPSP_OK) return st;
    if (written) *written = need;
    if (cap < need || !buf) return lpsp_fail(err, LPSP_E_BUFFER_TOO_SMALL, 0, NULL, "document buffer too small");
    return doc_walk(url, exact, n_exact, globs, n_globs, check_order, buf, &need, err);
}
