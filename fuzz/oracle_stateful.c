/* Oracles of the stateful parser and serializer (fuzz/README.md, "Stateful
 * messages"): checked parses in every mode, digest fix-up, round trips,
 * exact-size serialization, canonical form and prefixes. */
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fz_common.h"
#include "fz_layout.h"
#include "harness.h"

static int is_stream(const lpsp_msg *m)
{
    return (m->direction == LPSP_S2B && m->type == LPSP_S2B_NOTIFY_STREAM) ||
           (m->direction == LPSP_B2S && m->type == LPSP_B2S_RECEIVE_STREAM);
}

/* ------------------------------------------------------------------ */
/* Stateful: checked parse and message comparison                     */

static void check_msg_views(const lpsp_msg *m, const uint8_t *buf, size_t len)
{
    const fz_named_view v[] = {{"authorization", m->authorization},
                               {"tracing", m->tracing},
                               {"topic", m->topic},
                               {"glob", m->glob},
                               {"identifier", m->identifier},
                               {"nonce", m->nonce},
                               {"sha512", m->sha512},
                               {"payload", m->payload}};
    fz_check_views(v, sizeof v / sizeof v[0], buf, len);
}

static const char *opts_name(unsigned opts)
{
    static const char *const names[] = {"strict", "compat", "strict+skip-digest", "compat+skip-digest"};
    return names[opts & 3];
}

/* parse_checked only, never passed to the codec: the caller has the SHA-512
 * of the body from its own digest fix-up and compares the parsed digest
 * bytes with it, so an accepted NOTIFY's digest is not hashed again here. */
enum { FZ_DIGEST_KNOWN = 1u << 8 };

/* lpsp_parse plus every invariant of its result; the error goes to *err
 * when err is not NULL. */
static lpsp_status parse_checked(lpsp_direction dir, const uint8_t *buf, size_t len, unsigned opts,
                                 lpsp_msg *m, lpsp_error *err)
{
    lpsp_error local, *e = err ? err : &local;
    memset(m, 0, sizeof *m);
    memset(e, 0, sizeof *e);
    fz_alloc_begin();
    lpsp_status st = lpsp_parse(dir, buf, len, opts & ~(unsigned)FZ_DIGEST_KNOWN, m, e);
    fz_alloc_end(opts_name(opts));
    if (st != LPSP_OK) {
        fz_check_parse_error(opts_name(opts), st, e, len, opts & LPSP_PARSE_SKIP_DIGEST);
        if (opts & LPSP_PARSE_COMPAT)
            FZ_ASSERT(st != LPSP_E_BAD_FLAGS && st != LPSP_E_TRAILING_BYTES,
                      "compat mode rejected with %s (%s)", lpsp_status_name(st), e->reason);
        if (len >= 4 && (buf[1] & 1))
            FZ_ASSERT(st != LPSP_E_MISSING_HEADER, "missing_header in minimal mode (%s)", e->reason);
        if (len < 4)
            FZ_ASSERT(st == LPSP_E_TRUNCATED, "%zu-byte input: %s, not truncated", len, lpsp_status_name(st));
        return st;
    }
    FZ_ASSERT(len >= 4, "accepted a %zu-byte input", len);
    FZ_ASSERT(m->direction == dir, "parsed direction %d, asked for %d", m->direction, dir);
    FZ_ASSERT(m->type == (uint16_t)((buf[2] << 8) | buf[3]), "parsed type %u, wire type %u", m->type,
              (buf[2] << 8) | buf[3]);
    FZ_ASSERT(m->flags == (uint16_t)((buf[0] << 8) | buf[1]), "parsed flags %#x, wire flags %#x", m->flags,
              (buf[0] << 8) | buf[1]);
    FZ_ASSERT(lpsp_type_name(dir, m->type) != NULL, "accepted type %u has no name", m->type);
    if (!(opts & LPSP_PARSE_COMPAT)) FZ_ASSERT(m->flags <= 1, "strict accepted flags %#x", m->flags);
    check_msg_views(m, buf, len);
    if (m->has_authorization == 0)
        FZ_ASSERT(m->authorization.len == 0, "no authorization but a %zu-byte view", m->authorization.len);
    else
        FZ_ASSERT(m->authorization.len > 0, "empty authorization flagged as present");
    const fz_layout *L = fz_layout_of(dir, m->type);
    FZ_ASSERT(L != NULL, "accepted unknown type %u", m->type);
    if (L->has_body && m->payload.len)
        FZ_ASSERT(m->payload.ptr + m->payload.len == buf + len,
                  "body view does not end at the end of the message");
    if (!L->has_body)
        FZ_ASSERT(m->payload.len == 0, "body-less type with a %zu-byte payload", m->payload.len);
    int var_ok;
    if (m->direction == LPSP_S2B && m->type == LPSP_S2B_NOTIFY)
        var_ok = m->variant == LPSP_VARIANT_UNCOMPRESSED || m->variant == LPSP_VARIANT_COMPRESSED;
    else if (is_stream(m))
        var_ok = m->variant == LPSP_VARIANT_START_UNCOMPRESSED ||
                 m->variant == LPSP_VARIANT_START_COMPRESSED || m->variant == LPSP_VARIANT_CONTINUATION;
    else
        var_ok = m->variant == LPSP_VARIANT_NONE;
    FZ_ASSERT(var_ok, "type %s with variant %d", lpsp_type_name(dir, m->type), m->variant);
    if (m->variant == LPSP_VARIANT_CONTINUATION) FZ_ASSERT(m->part_id != 0, "continuation with part id 0");
    if (m->variant == LPSP_VARIANT_COMPRESSED || m->variant == LPSP_VARIANT_START_COMPRESSED)
        FZ_ASSERT(m->compressor_id != 0, "compressed variant with compressor 0");
    if (m->variant == LPSP_VARIANT_UNCOMPRESSED && !(opts & (LPSP_PARSE_SKIP_DIGEST | FZ_DIGEST_KNOWN))) {
        uint8_t d[64];
        SHA512(m->payload.ptr ? m->payload.ptr : (const uint8_t *)"", m->payload.len, d);
        FZ_ASSERT(m->sha512.len == 64 && memcmp(d, m->sha512.ptr, 64) == 0,
                  "NOTIFY accepted with a digest that is not SHA-512 of its body");
    }
    return st;
}

/* Field-by-field equality; returns the first differing field or NULL. */
static const char *msg_diff(const lpsp_msg *a, const lpsp_msg *b, int cmp_flags, int cmp_sha)
{
    FZ_DIFF_INT(direction);
    FZ_DIFF_INT(type);
    if (cmp_flags) FZ_DIFF_INT(flags);
    FZ_DIFF_INT(variant);
    FZ_DIFF_INT(has_authorization);
    FZ_DIFF_VIEW(authorization);
    FZ_DIFF_VIEW(tracing);
    FZ_DIFF_VIEW(topic);
    FZ_DIFF_VIEW(glob);
    FZ_DIFF_VIEW(identifier);
    FZ_DIFF_VIEW(nonce);
    if (cmp_sha) FZ_DIFF_VIEW(sha512);
    FZ_DIFF_VIEW(payload);
    FZ_DIFF_INT(zstd_identifier);
    FZ_DIFF_INT(part_id);
    FZ_DIFF_INT(compressor_id);
    FZ_DIFF_INT(compressed_length);
    FZ_DIFF_INT(decompressed_length);
    FZ_DIFF_INT(subscribers);
    FZ_DIFF_INT(min_size);
    FZ_DIFF_INT(max_size);
    FZ_DIFF_INT(compression_level);
    FZ_DIFF_INT(initial_dict);
    FZ_DIFF_INT(enable_zstd);
    FZ_DIFF_INT(enable_training);
    return NULL;
}

/* ctx: a plain string naming the two messages compared. */
#define FZ_ASSERT_EQ(a, b, cmp_flags, cmp_sha, ctx)                                                          \
    do {                                                                                                     \
        const char *d_ = msg_diff((a), (b), (cmp_flags), (cmp_sha));                                         \
        if (d_)                                                                                              \
            fz_fail(__FILE__, __LINE__, "%s %s: field %s differs: %s",                                       \
                    lpsp_type_name((a)->direction, (a)->type) ? lpsp_type_name((a)->direction, (a)->type)    \
                                                              : "?",                                         \
                    (a)->direction == LPSP_S2B ? "(s2b)" : "(b2s)", d_, ctx);                                \
    } while (0)

/* ------------------------------------------------------------------ */
/* Stateful: serializer oracles                                       */

/* Serializes m in the given mode into an exact-size heap buffer and checks
 * the size query; heavy calls also check the one-byte-short buffer and an
 * empty buffer. Returns the
 * heap buffer (caller frees) or NULL when the serializer refused m; a refusal
 * is an oracle violation when must_accept is set. */
static uint8_t *serialize_checked(const lpsp_msg *m, int minimal, int must_accept, int heavy, size_t *outlen)
{
    lpsp_error e;
    size_t sz = 0, w = 0;
    memset(&e, 0, sizeof e);
    fz_alloc_begin();
    lpsp_status st = lpsp_serialized_size(m, minimal, &sz, &e);
    fz_alloc_end("lpsp_serialized_size");
    if (st != LPSP_OK) {
        FZ_ASSERT(st == LPSP_E_INVALID_ARGUMENT, "lpsp_serialized_size: status %s", lpsp_status_name(st));
        FZ_ASSERT(e.status == st && e.reason && e.reason[0], "serializer refusal without a reason");
        FZ_ASSERT(!must_accept, "serializer refused a message the strict parser accepted (%s: %s)",
                  e.field ? e.field : "-", e.reason);
        memset(&e, 0, sizeof e);
        uint8_t tmp[16];
        st = lpsp_serialize(m, minimal, tmp, sizeof tmp, &w, &e);
        FZ_ASSERT(st == LPSP_E_INVALID_ARGUMENT || st == LPSP_E_BUFFER_TOO_SMALL,
                  "lpsp_serialize accepts what lpsp_serialized_size refused: %s", lpsp_status_name(st));
        return NULL;
    }
    FZ_ASSERT(sz >= 4, "serialized size %zu", sz);
    uint8_t *out = fz_malloc(sz);
    memset(&e, 0, sizeof e);
    fz_alloc_begin();
    st = lpsp_serialize(m, minimal, out, sz, &w, &e);
    fz_alloc_end("lpsp_serialize");
    FZ_ASSERT(st == LPSP_OK, "lpsp_serialize into the exact size %zu failed: %s (%s)", sz,
              lpsp_status_name(st), e.reason ? e.reason : "-");
    FZ_ASSERT(w == sz, "lpsp_serialize wrote %zu bytes, size query said %zu", w, sz);
    *outlen = sz;
    if (!heavy) return out;
    /* One byte short: refused, and ASan watches the writes. */
    uint8_t *shortbuf = fz_malloc(sz - 1);
    memset(&e, 0, sizeof e);
    st = lpsp_serialize(m, minimal, shortbuf, sz - 1, &w, &e);
    FZ_ASSERT(st == LPSP_E_BUFFER_TOO_SMALL, "serialize into %zu of %zu bytes: %s", sz - 1, sz,
              lpsp_status_name(st));
    FZ_ASSERT(e.status == st && e.reason && e.reason[0], "buffer_too_small without a reason");
    /* Zero capacity (a non-NULL pointer: NULL is the codec's size query). */
    st = lpsp_serialize(m, minimal, shortbuf, 0, &w, NULL);
    FZ_ASSERT(st == LPSP_E_BUFFER_TOO_SMALL, "serialize into an empty buffer: %s", lpsp_status_name(st));
    free(shortbuf);
    return out;
}

/* ------------------------------------------------------------------ */
/* Stateful: the oracles                                              */

/* Every strict prefix of an accepted message: rejected as truncated, except
 * a cut inside the body of NOTIFY_STREAM / RECEIVE_STREAM /
 * ENABLE_ZSTD_CUSTOM (§4.5), which is accepted with the shorter body. The
 * digest is skipped (a shorter dictionary no longer matches its x-sha512). */
static void check_prefix(const lpsp_msg *m, const uint8_t *b, size_t len, size_t k, uint8_t *scratch)
{
    const fz_layout *L = fz_layout_of(m->direction, m->type);
    size_t body_start = len - m->payload.len;
    int body_cut_ok = L->has_body && !(m->direction == LPSP_S2B && m->type == LPSP_S2B_NOTIFY);
    /* Place the prefix at the end of the exact-size scratch block so that a
     * read past k is a heap overflow ASan reports. */
    uint8_t *p = scratch + (len - k);
    memcpy(p, b, k);
    lpsp_msg pm;
    lpsp_status st = parse_checked(m->direction, p, k, LPSP_PARSE_SKIP_DIGEST, &pm, NULL);
    if (body_cut_ok && k >= body_start) {
        FZ_ASSERT(st == LPSP_OK, "%s: prefix of %zu/%zu bytes (cut in the body at %zu) rejected as %s",
                  lpsp_type_name(m->direction, m->type), k, len, k - body_start, lpsp_status_name(st));
        FZ_ASSERT(pm.payload.len == k - body_start, "body cut: payload %zu bytes, expected %zu",
                  pm.payload.len, k - body_start);
        lpsp_msg mm = *m;
        mm.payload.len = pm.payload.len;
        FZ_ASSERT_EQ(&pm, &mm, 1, 1, "body-cut prefix vs the whole message");
    } else {
        FZ_ASSERT(st == LPSP_E_TRUNCATED, "%s: strict prefix of %zu/%zu bytes gave %s, not truncated",
                  lpsp_type_name(m->direction, m->type), k, len, lpsp_status_name(st));
    }
}

static void check_prefixes(const lpsp_msg *m, const uint8_t *b, size_t len)
{
    uint8_t *scratch = fz_malloc(len);
    if (fz_exhaustive() || len <= 16) {
        for (size_t k = 0; k < len; k++)
            check_prefix(m, b, len, k, scratch);
    } else {
        /* Sampled: the last byte, the body boundary, and 4 positions
         * derived from the input (every position is hit across a campaign;
         * replay checks them all). */
        size_t body_start = len - m->payload.len;
        check_prefix(m, b, len, len - 1, scratch);
        if (body_start > 0 && body_start < len) {
            check_prefix(m, b, len, body_start - 1, scratch);
            check_prefix(m, b, len, body_start, scratch);
        }
        uint32_t h = fz_hash(b, len);
        for (int i = 0; i < 4; i++)
            check_prefix(m, b, len, fz_pick(&h, len), scratch);
    }
    free(scratch);
}

/* A message the strict parser accepted (digest fixed up): round trip,
 * exact-size serialization, canonical form, prefixes, strict <= compat. */
static void strict_oracles(const lpsp_msg *m, const uint8_t *b, size_t len, int heavy)
{
    int minimal = m->flags & 1;
    size_t rlen = 0;
    uint8_t *r = serialize_checked(m, minimal, 1, heavy, &rlen);
    lpsp_msg rm;
    /* Light inputs parse the re-serialization with digests skipped: its body
     * and digest bytes are compared with m's, whose digest the full parse of
     * the fixed-up input checked, so a second SHA-512 would repeat that check. */
    lpsp_status st = parse_checked(m->direction, r, rlen, heavy ? 0 : LPSP_PARSE_SKIP_DIGEST, &rm, NULL);
    FZ_ASSERT(st == LPSP_OK, "re-serialized %s rejected: %s", lpsp_type_name(m->direction, m->type),
              lpsp_status_name(st));
    FZ_ASSERT_EQ(&rm, m, 1, 1, "parse(serialize(parse(x))) vs parse(x)");

    /* Canonical form: the serializer's output is canonical, and it
     * reproduces the input exactly when (and only when) the input is. */
    FZ_ASSERT(fz_stateful_canonical(&rm, r, rlen), "serializer output is not in canonical form (%s, %s)",
              lpsp_type_name(m->direction, m->type), minimal ? "minimal" : "expanded");
    int same = rlen == len && memcmp(r, b, len) == 0;
    int canon = fz_stateful_canonical(m, b, len);
    FZ_ASSERT(same == canon, "%s input (%zu bytes) re-serializes to %s bytes (%zu)",
              canon ? "canonical" : "non-canonical", len, same ? "identical" : "different", rlen);

    if (!heavy) {
        free(r);
        return;
    }

    /* Re-serialization is a fixed point. */
    size_t r2len = 0;
    uint8_t *r2 = serialize_checked(&rm, minimal, 1, 1, &r2len);
    FZ_ASSERT(r2len == rlen && memcmp(r2, r, rlen) == 0, "serialize(parse(serialize(m))) != serialize(m)");
    free(r2);

    /* The other header mode round-trips to the same fields too. */
    size_t olen = 0;
    uint8_t *o = serialize_checked(m, !minimal, 1, 1, &olen);
    lpsp_msg om;
    st = parse_checked(m->direction, o, olen, 0, &om, NULL);
    FZ_ASSERT(st == LPSP_OK, "re-serialized in the other mode: %s", lpsp_status_name(st));
    FZ_ASSERT_EQ(&om, m, 0, 1, "other header mode round trip");
    free(o);
    free(r);

    check_prefixes(m, b, len);
}

/* Whether the strict parser checks a digest of this type: NOTIFY's
 * x-compressed-sha512 and ENABLE_ZSTD_CUSTOM's x-sha512 (only strictly,
 * QK-12). A stream part's x-compressed-sha512 covers the whole
 * notification, which one part does not hold, and is not checked. */
static int digest_checked(const lpsp_msg *m)
{
    return (m->direction == LPSP_S2B && m->type == LPSP_S2B_NOTIFY) ||
           (m->direction == LPSP_B2S && m->type == LPSP_B2S_ENABLE_ZSTD_CUSTOM);
}

static int field_is(const lpsp_error *e, const char *name)
{
    return e->field && strcmp(e->field, name) == 0;
}

/* The same rejection: status, offset, field and reason. */
static int same_error(const lpsp_error *a, const lpsp_error *b)
{
    return a->status == b->status && a->status != LPSP_OK && a->offset == b->offset &&
           (a->field == b->field || (b->field && field_is(a, b->field))) && strcmp(a->reason, b->reason) == 0;
}

/* Whether the compat parse of buf could end otherwise than the strict parse
 * (both with digests skipped) that rejected it with e. Compat mode only
 * drops checks (QK-03, -04, -05, -06, -11, -13, -21 and the digest of
 * QK-12) and adds none. So when strict stopped at a check compat makes too,
 * every check before it passed strictly and passes in compat as well, with
 * the same values read, and compat stops at the same check: only a
 * rejection by a dropped check can end differently (in compat, later checks
 * run, and may accept). In minimal mode the first failing header is kept
 * until every header is read and a truncation wins: the same in both modes.
 * Heavy inputs assert the "same" answer. */
static int compat_may_differ(lpsp_direction dir, const uint8_t *buf, const lpsp_error *e)
{
    switch (e->status) {
    /* QK-21; QK-03, QK-04, QK-06 (every invalid_value of the stateful
     * parser); QK-11; QK-12 (not seen with digests skipped). */
    case LPSP_E_BAD_FLAGS:
    case LPSP_E_INVALID_VALUE:
    case LPSP_E_TRAILING_BYTES:
    case LPSP_E_HASH_MISMATCH: return 1;
    case LPSP_E_MISSING_HEADER: /* QK-05: compat defaults x-initial-dict */
        return !e->field || field_is(e, "x-initial-dict");
    case LPSP_E_LENGTH_MISMATCH: { /* QK-13: a stream's first part longer than the whole */
        uint16_t type = (uint16_t)((buf[2] << 8) | buf[3]);
        int stream = (dir == LPSP_S2B && type == LPSP_S2B_NOTIFY_STREAM) ||
                     (dir == LPSP_B2S && type == LPSP_B2S_RECEIVE_STREAM);
        return stream && !field_is(e, "x-decompressed-length");
    }
    default: return 0;
    }
}

/* exact_heap: data is already a heap block of exactly len bytes that the
 * caller owns and does not need unchanged, so no copy is made. */
static void stateful_message(lpsp_direction dir, const uint8_t *data, size_t len, int exact_heap)
{
    fz_api_selfcheck();
    uint8_t *buf = exact_heap ? (uint8_t *)(uintptr_t)data : fz_dup(data, len);
    /* Heavy inputs get every oracle; while fuzzing, light inputs skip the
     * parses and cross-checks whose outcome is known (each prediction is
     * asserted on heavy inputs): the full parse of the input, compat on an
     * input strict accepts or rejects at a check compat also makes, the
     * other header mode, the fixed point, most prefixes. Replay is always
     * heavy. */
    int heavy = fz_heavy(data, len);

    /* Digests skipped first: most inputs are rejected before any digest
     * check, and an accepted one gets its digest fixed up before the one
     * full parse. */
    lpsp_msg ms, mc, mf;
    lpsp_error es, ec;
    lpsp_status st_skip = parse_checked(dir, buf, len, LPSP_PARSE_SKIP_DIGEST, &ms, &es);
    int differ = st_skip != LPSP_OK && compat_may_differ(dir, buf, &es);
    lpsp_status st_cskip = st_skip;
    mc = ms;
    if (heavy || differ) {
        st_cskip = parse_checked(dir, buf, len, LPSP_PARSE_COMPAT | LPSP_PARSE_SKIP_DIGEST, &mc, &ec);
        if (st_skip == LPSP_OK) {
            FZ_ASSERT(st_cskip == LPSP_OK, "strict accepts but compat rejects (%s)",
                      lpsp_status_name(st_cskip));
            FZ_ASSERT_EQ(&mc, &ms, 1, 1, "strict vs compat");
        } else if (!differ) {
            FZ_ASSERT(
                same_error(&ec, &es),
                "strict rejects as %s at %zu (%s: %s), so compat should too, but it gives %s at %zu (%s)",
                lpsp_status_name(st_skip), es.offset, es.field ? es.field : "-", es.reason,
                lpsp_status_name(st_cskip), ec.offset, st_cskip ? ec.reason : "accepted");
        }
    }

    /* SHA-512 of the body, once, where the parser checks a digest. */
    const lpsp_msg *acc = st_skip == LPSP_OK ? &ms : st_cskip == LPSP_OK ? &mc : NULL;
    int digest = acc && digest_checked(acc) && acc->sha512.len == 64, fix = 0;
    uint8_t d[64];
    if (digest) {
        SHA512(acc->payload.ptr ? acc->payload.ptr : (const uint8_t *)"", acc->payload.len, d);
        fix = memcmp(d, acc->sha512.ptr, 64) != 0;
    }

    if (heavy) {
        /* The full parse of the input: skipping digests removes the digest
         * check and nothing else. */
        lpsp_status st_full = parse_checked(dir, buf, len, 0, &mf, NULL);
        if (st_skip == LPSP_OK) {
            lpsp_status want = fix ? LPSP_E_HASH_MISMATCH : LPSP_OK;
            FZ_ASSERT(st_full == want, "accepted with digests skipped; with digest checks %s, not %s",
                      lpsp_status_name(st_full), lpsp_status_name(want));
            if (st_full == LPSP_OK) FZ_ASSERT_EQ(&mf, &ms, 1, 1, "strict vs strict+skip-digest");
        } else {
            /* Checks after the digest (§3.1.6 step 11) may reject too. */
            FZ_ASSERT(st_full == st_skip || st_full == LPSP_E_HASH_MISMATCH,
                      "strict rejects as %s, strict+skip-digest as %s", lpsp_status_name(st_full),
                      lpsp_status_name(st_skip));
        }
    }
    if (st_cskip != LPSP_OK) {
        if (!exact_heap) free(buf);
        return;
    }

    /* Fix up the digest so that the code behind the digest check runs: in
     * place, as buf is ours and its original bytes are no longer needed (the
     * views of ms and mc now show the fixed digest). */
    if (fix) memcpy(buf + (acc->sha512.ptr - buf), d, 64);

    /* The full parses of the fixed-up input. Light inputs run only those
     * that check a digest (without one they repeat the parses above), and
     * take its SHA-512 from d: the parsed digest bytes are compared with
     * ms's or mc's, which hold d. */
    unsigned known = heavy ? 0 : FZ_DIGEST_KNOWN;
    lpsp_msg m2 = ms, mc2;
    lpsp_status st2 = st_skip, stc2 = LPSP_OK;
    if (heavy || (digest && st_skip == LPSP_OK)) st2 = parse_checked(dir, buf, len, known, &m2, NULL);
    if (heavy || (digest && st2 != LPSP_OK))
        stc2 = parse_checked(dir, buf, len, LPSP_PARSE_COMPAT | known, &mc2, NULL);
    else
        mc2 = st2 == LPSP_OK ? m2 : mc;
    FZ_ASSERT(stc2 == LPSP_OK, "compat accepted with digests skipped, rejects the fixed-up input: %s",
              lpsp_status_name(stc2));
    if (st_skip == LPSP_OK) {
        FZ_ASSERT(st2 == LPSP_OK, "strict accepted with digests skipped, rejects the fixed-up input: %s",
                  lpsp_status_name(st2));
        FZ_ASSERT_EQ(&m2, &ms, 1, 1, "fixed-up input vs the parse with digests skipped");
        FZ_ASSERT_EQ(&mc2, &m2, 1, 1, "strict vs compat on the fixed-up input");
        strict_oracles(&m2, buf, len, heavy);
    } else {
        /* Accepted by compat only: whatever the serializer accepts must
         * round-trip through the strict parser to the same fields. */
        FZ_ASSERT(st2 != LPSP_OK, "fixed-up input accepted strictly, original not even with digests skipped");
        FZ_ASSERT_EQ(&mc2, &mc, 1, 1, "fixed-up input vs the compat parse with digests skipped");
        size_t rlen = 0;
        uint8_t *r = serialize_checked(&mc2, mc2.flags & 1, 0, heavy, &rlen);
        if (r) {
            lpsp_msg rm;
            lpsp_status st = parse_checked(dir, r, rlen, 0, &rm, NULL);
            FZ_ASSERT(st == LPSP_OK, "serializer output of a compat-parsed message rejected: %s",
                      lpsp_status_name(st));
            FZ_ASSERT_EQ(&rm, &mc2, 0, 1, "compat parse vs strict parse of its re-serialization");
            free(r);
        }
    }
    if (!exact_heap) free(buf);
}

static void stateful_typed(lpsp_direction dir, uint16_t type, const uint8_t *data, size_t size)
{
    if (size == 0) return;
    uint16_t flags = data[0] <= 1 ? data[0] : (uint16_t)(0xff00u | data[0]);
    size_t len = 4 + size - 1;
    uint8_t *msg = fz_malloc(len);
    msg[0] = (uint8_t)(flags >> 8);
    msg[1] = (uint8_t)flags;
    msg[2] = (uint8_t)(type >> 8);
    msg[3] = (uint8_t)type;
    memcpy(msg + 4, data + 1, size - 1);
    stateful_message(dir, msg, len, 1);
    free(msg);
}

/* The target's names against the harness's own table, once. */
static void check_target_name(lpsp_direction dir, unsigned type, const char *type_name)
{
    static int done;
    if (done) return;
    done = 1;
    if (type == FZ_STATEFUL_ANY) return;
    const fz_layout *L = fz_layout_of(dir, (uint16_t)type);
    FZ_ASSERT(L != NULL && strcmp(L->enum_name, type_name) == 0,
              "target type %s (%u) is not a message type of direction %d", type_name, type, dir);
}

void fz_stateful_target(lpsp_direction dir, unsigned type, const char *type_name, const uint8_t *data,
                        size_t size)
{
    check_target_name(dir, type, type_name);
    if (type == FZ_STATEFUL_ANY)
        stateful_message(dir, data, size, 0);
    else
        stateful_typed(dir, (uint16_t)type, data, size);
}
