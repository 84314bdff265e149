/* Oracles of the stateless body parser and serializer (fuzz/README.md,
 * "Stateless bodies"): checked parses, digest and etag fix-up, exact-size
 * serialization, round trip, re-serialization as a prefix of the input, and
 * prefixes of the consumed part. */
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fz_common.h"
#include "harness.h"

static void check_sl_views(const lpsp_sl_msg *m, const uint8_t *buf, size_t len)
{
    const fz_named_view v[] = {{"authorization", m->authorization},
                               {"tracing", m->tracing},
                               {"url", m->url},
                               {"topic", m->topic},
                               {"glob", m->glob},
                               {"recovery", m->recovery},
                               {"sha512", m->sha512},
                               {"identifier", m->identifier},
                               {"message", m->message},
                               {"etag", m->etag},
                               {"entries", m->entries}};
    fz_check_views(v, sizeof v / sizeof v[0], buf, len);
}

lpsp_status fz_sl_parse_checked(lpsp_sl_body body, const uint8_t *buf, size_t len, unsigned opts,
                                lpsp_sl_msg *m)
{
    lpsp_error e;
    memset(m, 0, sizeof *m);
    memset(&e, 0, sizeof e);
    fz_alloc_begin();
    lpsp_status st = lpsp_sl_parse(body, buf, len, opts, m, &e);
    fz_alloc_end("lpsp_sl_parse");
    if (st != LPSP_OK) {
        fz_check_parse_error("lpsp_sl_parse", st, &e, len, opts & LPSP_SL_SKIP_DIGEST);
        return st;
    }
    FZ_ASSERT(m->body == body || (body == LPSP_SL_RESPONSE_CONFIRM_RECEIVE &&
                                  m->body == LPSP_SL_RESPONSE_UNSUBSCRIBE_IMMEDIATE),
              "parsed body %d, asked for %d", m->body, body);
    check_sl_views(m, buf, len);
    return st;
}

static const char *sl_diff(const lpsp_sl_msg *a, const lpsp_sl_msg *b, int cmp_digests)
{
    FZ_DIFF_INT(body);
    FZ_DIFF_INT(has_authorization);
    FZ_DIFF_VIEW(authorization);
    FZ_DIFF_VIEW(tracing);
    FZ_DIFF_VIEW(url);
    FZ_DIFF_VIEW(topic);
    FZ_DIFF_VIEW(glob);
    FZ_DIFF_INT(has_recovery);
    FZ_DIFF_VIEW(recovery);
    if (cmp_digests) FZ_DIFF_VIEW(sha512);
    FZ_DIFF_VIEW(identifier);
    FZ_DIFF_VIEW(message);
    FZ_DIFF_INT(etag_format);
    if (cmp_digests) FZ_DIFF_VIEW(etag);
    FZ_DIFF_INT(subscribers);
    FZ_DIFF_INT(exact_count);
    FZ_DIFF_INT(glob_count);
    FZ_DIFF_VIEW(entries);
    return NULL;
}

#define FZ_ASSERT_SL_EQ(a, b, cmp_digests, ctx)                                                              \
    do {                                                                                                     \
        const char *d_ = sl_diff((a), (b), (cmp_digests));                                                   \
        if (d_)                                                                                              \
            fz_fail(__FILE__, __LINE__, "%s: field %s differs: %s",                                          \
                    lpsp_sl_body_name((a)->body) ? lpsp_sl_body_name((a)->body) : "?", d_, ctx);             \
    } while (0)

/* Entries of a parsed SET_SUBSCRIPTIONS, as the serializer wants them. */
static void sl_collect_entries(lpsp_sl_msg *m, lpsp_sl_entry **ex, lpsp_sl_entry **gl)
{
    size_t ne = m->exact_count, ng = m->glob_count;
    /* Each entry takes at least 2 bytes of the input, so the counts of an
     * accepted body are small. */
    *ex = calloc(ne ? ne : 1, sizeof **ex);
    *gl = calloc(ng ? ng : 1, sizeof **gl);
    if (!*ex || !*gl) abort();
    lpsp_sl_subs_iter it;
    lpsp_sl_subs_iter_init(&it, m);
    size_t ie = 0, ig = 0;
    for (;;) {
        lpsp_sl_subs_item item;
        lpsp_error e;
        lpsp_status st = lpsp_sl_subs_next(&it, &item, &e);
        FZ_ASSERT(st == LPSP_OK, "iterating an accepted SET_SUBSCRIPTIONS failed: %s", lpsp_status_name(st));
        if (item.kind == LPSP_SUBS_END) break;
        if (item.kind == LPSP_SUBS_EXACT) {
            FZ_ASSERT(ie < ne, "more exact entries than counted");
            (*ex)[ie++] = item.entry;
        } else {
            FZ_ASSERT(ig < ng, "more glob entries than counted");
            (*gl)[ig++] = item.entry;
        }
    }
    FZ_ASSERT(ie == ne && ig == ng, "iterator gave %zu/%zu entries, counts say %zu/%zu", ie, ig, ne, ng);
    m->exact = *ex;
    m->n_exact = ne;
    m->globs = *gl;
    m->n_globs = ng;
}

/* A strict prefix of k bytes of the consumed part b[0..sz) is truncated.
 * The prefix is placed at the end of the exact-size scratch block so that a
 * read past it is a heap overflow ASan reports. */
static void sl_check_prefix(lpsp_sl_body kind, const uint8_t *b, size_t sz, size_t k, uint8_t *scratch)
{
    memcpy(scratch + (sz - k), b, k);
    lpsp_sl_msg pm;
    lpsp_status st = fz_sl_parse_checked(kind, scratch + (sz - k), k, LPSP_SL_SKIP_DIGEST, &pm);
    FZ_ASSERT(st == LPSP_E_TRUNCATED, "%s: prefix of %zu/%zu bytes gave %s, not truncated",
              lpsp_sl_body_name(kind), k, sz, lpsp_status_name(st));
}

static size_t sl_view_cuts(lpsp_view v, const uint8_t *b, size_t sz, size_t *ks, size_t nk)
{
    uintptr_t p = (uintptr_t)v.ptr, lo = (uintptr_t)b;
    if (p < lo || p > lo + sz) return nk; /* the static empty view */
    size_t s = (size_t)(p - lo);
    if (s >= 1) ks[nk++] = s - 1;
    if (s < sz) ks[nk++] = s;
    return nk;
}

/* Appends to ks the cuts at the fields of m (parsed from b[0..sz)): one
 * byte before the value (inside its length prefix) and right before it;
 * for SET_SUBSCRIPTIONS also at the first and last entry of each list.
 * Returns the new count (at most 2 * 19 cuts are added). */
static size_t sl_field_cuts(const lpsp_sl_msg *m, const uint8_t *b, size_t sz, size_t *ks, size_t nk)
{
    const lpsp_view v[] = {m->authorization, m->tracing,    m->url,     m->topic, m->glob,   m->recovery,
                           m->sha512,        m->identifier, m->message, m->etag,  m->entries};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        nk = sl_view_cuts(v[i], b, sz, ks, nk);
    for (int g = 0; g < 2; g++) {
        const lpsp_sl_entry *e = g ? m->globs : m->exact;
        size_t n = g ? m->n_globs : m->n_exact;
        if (!e || n == 0) continue;
        nk = sl_view_cuts(e[0].key, b, sz, ks, nk);
        nk = sl_view_cuts(e[0].recovery, b, sz, ks, nk);
        nk = sl_view_cuts(e[n - 1].key, b, sz, ks, nk);
        nk = sl_view_cuts(e[n - 1].recovery, b, sz, ks, nk);
    }
    return nk;
}

static void stateless_body(lpsp_sl_body kind, const uint8_t *data, size_t len)
{
    fz_api_selfcheck();
    uint8_t *buf = fz_dup(data, len);
    int heavy = fz_heavy(data, len);
    /* Digests skipped first: most inputs are rejected before any digest is
     * computed (the etag is hashed while the entries are read), and an
     * accepted one gets its digest fixed up before the one full parse. */
    lpsp_sl_msg ms, m;
    lpsp_status st_skip = fz_sl_parse_checked(kind, buf, len, LPSP_SL_SKIP_DIGEST, &ms);

    /* NOTIFY's SHA-512 and SET_SUBSCRIPTIONS' etag, computed once here. */
    const lpsp_view *dv = NULL;
    uint8_t d[64];
    lpsp_sl_entry *ex = NULL, *gl = NULL;
    if (st_skip == LPSP_OK && ms.body == LPSP_SL_NOTIFY && ms.sha512.len == 64) {
        SHA512(ms.message.len ? ms.message.ptr : (const uint8_t *)"", ms.message.len, d);
        dv = &ms.sha512;
    } else if (st_skip == LPSP_OK && ms.body == LPSP_SL_SET_SUBSCRIPTIONS && ms.etag.len == 64) {
        sl_collect_entries(&ms, &ex, &gl);
        lpsp_error e;
        lpsp_status st = lpsp_etag_compute(ms.url, ex, ms.n_exact, gl, ms.n_globs, 1, d, &e);
        FZ_ASSERT(st == LPSP_OK, "etag of an accepted SET_SUBSCRIPTIONS: %s", lpsp_status_name(st));
        dv = &ms.etag;
    }
    int fix = dv && memcmp(d, dv->ptr, 64) != 0;

    if (heavy) {
        /* The full parse of the input: the digest checks come after every
         * other check, and skipping them removes nothing else. */
        lpsp_sl_msg mf;
        lpsp_status st_full = fz_sl_parse_checked(kind, buf, len, 0, &mf);
        lpsp_status want = st_skip == LPSP_OK && fix ? LPSP_E_HASH_MISMATCH : st_skip;
        FZ_ASSERT(st_full == want, "with digests skipped %s (digest %s); with digest checks %s, not %s",
                  lpsp_status_name(st_skip), fix ? "wrong" : "right or absent", lpsp_status_name(st_full),
                  lpsp_status_name(want));
        if (st_full == LPSP_OK) FZ_ASSERT_SL_EQ(&mf, &ms, 1, "full vs skip-digest parse");
    }
    if (st_skip != LPSP_OK) {
        free(buf);
        return;
    }

    /* Fix up in place: buf is ours and its original bytes are no longer
     * needed (ms's digest view now shows d). */
    if (fix) memcpy(buf + (dv->ptr - buf), d, 64);
    m = ms;
    lpsp_status st = LPSP_OK;
    /* Light inputs: a full parse only where a digest is checked (elsewhere
     * it repeats the parse above). */
    if (heavy || dv) {
        st = fz_sl_parse_checked(kind, buf, len, 0, &m);
        FZ_ASSERT(st == LPSP_OK, "accepted with digests skipped, fixed-up input rejected: %s",
                  lpsp_status_name(st));
        FZ_ASSERT_SL_EQ(&m, &ms, 1, "fixed-up vs original with digests skipped");
        /* The same entry bytes at the same place: collected from ms. */
        m.exact = ms.exact;
        m.n_exact = ms.n_exact;
        m.globs = ms.globs;
        m.n_globs = ms.n_globs;
    }

    /* Serializer: exact size, round trip; heavy inputs also one byte short. */
    size_t sz = 0, w = 0;
    lpsp_error e;
    memset(&e, 0, sizeof e);
    fz_alloc_begin();
    st = lpsp_sl_serialized_size(&m, &sz, &e);
    fz_alloc_end("lpsp_sl_serialized_size");
    FZ_ASSERT(st == LPSP_OK, "serializer refused an accepted %s: %s (%s)", lpsp_sl_body_name(m.body),
              lpsp_status_name(st), e.reason ? e.reason : "-");
    uint8_t *r = fz_malloc(sz);
    fz_alloc_begin();
    st = lpsp_sl_serialize(&m, r, sz, &w, &e);
    fz_alloc_end("lpsp_sl_serialize");
    FZ_ASSERT(st == LPSP_OK && w == sz, "lpsp_sl_serialize into the exact size: %s, %zu of %zu",
              lpsp_status_name(st), w, sz);
    if (heavy && sz > 0) {
        uint8_t *sb = fz_malloc(sz - 1);
        st = lpsp_sl_serialize(&m, sb, sz - 1, &w, &e);
        FZ_ASSERT(st == LPSP_E_BUFFER_TOO_SMALL, "serialize into %zu of %zu bytes: %s", sz - 1, sz,
                  lpsp_status_name(st));
        free(sb);
    }
    /* Stateless encodings are unique (fixed-width lengths, no options), so
     * the re-serialization is the input up to the bytes the parser ignores
     * (QK-47); NOTIFY and RECEIVE have none. */
    FZ_ASSERT(sz <= len && memcmp(r, buf, sz) == 0,
              "%s: re-serialization (%zu bytes) is not a prefix of the accepted input (%zu bytes)",
              lpsp_sl_body_name(m.body), sz, len);
    if (m.body == LPSP_SL_NOTIFY || m.body == LPSP_SL_RECEIVE)
        FZ_ASSERT(sz == len, "%s: accepted %zu trailing bytes", lpsp_sl_body_name(m.body), len - sz);
    lpsp_sl_msg rm;
    /* Light inputs skip the digest and etag checks of this parse: every
     * field, digests included, is compared with m, whose digests the parse of
     * the fixed-up input checked. */
    st = fz_sl_parse_checked(kind, r, sz, heavy ? 0 : LPSP_SL_SKIP_DIGEST, &rm);
    FZ_ASSERT(st == LPSP_OK, "re-serialized %s rejected: %s", lpsp_sl_body_name(m.body),
              lpsp_status_name(st));
    FZ_ASSERT_SL_EQ(&rm, &m, 1, "parse(serialize(parse(x))) vs parse(x)");

    /* Strict prefixes of the consumed part: truncated. Replay (and short
     * bodies) check every prefix; while fuzzing, a heavy input checks the
     * last byte, 4 input-derived positions and 4 of the cuts around its
     * field boundaries, chosen by the input, so that the work stays linear
     * in the input and every cut is reached across a campaign. */
    if (heavy && sz > 0) {
        uint8_t *scratch = fz_malloc(sz);
        if (fz_exhaustive() || sz <= 32) {
            for (size_t k = 0; k < sz; k++)
                sl_check_prefix(kind, buf, sz, k, scratch);
        } else {
            size_t cuts[2 * 19], nc = sl_field_cuts(&m, buf, sz, cuts, 0);
            uint32_t h = fz_hash(buf, len);
            sl_check_prefix(kind, buf, sz, sz - 1, scratch);
            for (int i = 0; i < 4; i++) {
                sl_check_prefix(kind, buf, sz, fz_pick(&h, sz), scratch);
                if (nc) sl_check_prefix(kind, buf, sz, cuts[fz_pick(&h, nc)], scratch);
            }
        }
        free(scratch);
    }
    free(r);
    free(ex);
    free(gl);
    free(buf);
}

void fz_stateless_target(lpsp_sl_body body, const char *body_name, const uint8_t *data, size_t size)
{
    static int checked;
    if (!checked) {
        /* The target's name against the codec's name of the body value. */
        const char *n = lpsp_sl_body_name(body);
        FZ_ASSERT(n && strncmp(body_name, "LPSP_SL_", 8) == 0 && strcmp(body_name + 8, n) == 0,
                  "target body %s (%d) is the codec's %s", body_name, (int)body, n ? n : "(none)");
        checked = 1;
    }
    stateless_body(body, data, size);
}
