/* lpsp: stateless (HTTP) bodies, spec §8, the Repr-Digest header (§8.2.6)
 * and the strong etag (§9).
 *
 * Parsing is zero-copy and allocation-free: results are views into the
 * caller's body. Digest and etag checks use libcrypto. */
#ifndef LPSP_STATELESS_H
#define LPSP_STATELESS_H

#include "lpsp/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The stateless bodies. Request bodies carry no type on the wire (the URL
 * path decides); response bodies start with a u16 type. */
typedef enum {
    LPSP_SL_NONE = 0,
    LPSP_SL_NOTIFY,
    LPSP_SL_SUBSCRIBE_EXACT,
    LPSP_SL_SUBSCRIBE_GLOB,
    LPSP_SL_UNSUBSCRIBE_EXACT,
    LPSP_SL_UNSUBSCRIBE_GLOB,
    LPSP_SL_CHECK_SUBSCRIPTIONS,
    LPSP_SL_SET_SUBSCRIPTIONS,
    LPSP_SL_RECEIVE,
    LPSP_SL_MISSED,
    LPSP_SL_RESPONSE_GENERIC,
    LPSP_SL_RESPONSE_NOTIFY,
    LPSP_SL_RESPONSE_CHECK_SUBSCRIPTIONS,
    LPSP_SL_RESPONSE_CONFIRM_RECEIVE,
    LPSP_SL_RESPONSE_CONFIRM_MISSED,
    LPSP_SL_RESPONSE_UNSUBSCRIBE_IMMEDIATE,
    LPSP_SL_BODY_MAX = LPSP_SL_RESPONSE_UNSUBSCRIBE_IMMEDIATE
} lpsp_sl_body;

/* Wire type values of the response bodies (§8.1). */
enum {
    LPSP_SL_TYPE_RESPONSE_GENERIC = 3,
    LPSP_SL_TYPE_RESPONSE_NOTIFY = 4,
    LPSP_SL_TYPE_RESPONSE_CHECK_SUBSCRIPTIONS = 5,
    LPSP_SL_TYPE_RESPONSE_CONFIRM_RECEIVE = 8,
    LPSP_SL_TYPE_RESPONSE_CONFIRM_MISSED = 9,
    LPSP_SL_TYPE_RESPONSE_UNSUBSCRIBE_IMMEDIATE = 10
};

#define LPSP_SHA512_LEN 64
#define LPSP_ETAG_LEN   64

/* Reference name of a body ("RESPONSE_NOTIFY"), or NULL; inverse gives
 * LPSP_SL_NONE. */
const char *lpsp_sl_body_name(lpsp_sl_body body);
lpsp_sl_body lpsp_sl_body_from_name(const char *name);

/* One SET_SUBSCRIPTIONS entry: a topic (exact, raw bytes) or a glob (UTF-8),
 * and its recovery URL (UTF-8; length 0 on the wire means none). */
typedef struct {
    lpsp_view key;
    int has_recovery;
    lpsp_view recovery;
} lpsp_sl_entry;

/* Any stateless body. Which members are meaningful depends on body:
 *
 *   NOTIFY                topic, sha512, tracing, identifier, message
 *   SUBSCRIBE_EXACT       url, topic, recovery, tracing
 *   SUBSCRIBE_GLOB        url, glob, recovery, tracing
 *   UNSUBSCRIBE_EXACT     url, topic, tracing
 *   UNSUBSCRIBE_GLOB      url, glob, tracing
 *   CHECK_SUBSCRIPTIONS   tracing, url
 *   SET_SUBSCRIPTIONS     tracing, url, etag_format, etag, entries
 *   RECEIVE               tracing, topic, identifier, message
 *   MISSED                tracing, topic
 *   RESPONSE_GENERIC, RESPONSE_CONFIRM_MISSED   authorization, tracing
 *   RESPONSE_NOTIFY       authorization, tracing, subscribers, identifier
 *   RESPONSE_CHECK_SUBSCRIPTIONS   authorization, tracing, etag_format, etag
 *   RESPONSE_CONFIRM_RECEIVE  authorization, tracing, identifier,
 *                         subscribers (num_subscribers)
 *   RESPONSE_UNSUBSCRIBE_IMMEDIATE   nothing
 */
typedef struct {
    lpsp_sl_body body;
    int has_authorization; /* responses: A = 0 means none */
    lpsp_view authorization;
    lpsp_view tracing;
    lpsp_view url;
    lpsp_view topic;
    lpsp_view glob;
    int has_recovery; /* R = 0 means none */
    lpsp_view recovery;
    lpsp_view sha512;
    lpsp_view identifier;
    lpsp_view message;
    uint8_t etag_format;
    lpsp_view etag;
    uint32_t subscribers;

    /* SET_SUBSCRIPTIONS, after parsing: the counts, and the bytes from the
     * first exact entry through the last glob entry, the glob count included
     * (iterate them with lpsp_sl_subs_iter_init on this message). */
    uint32_t exact_count, glob_count;
    lpsp_view entries;
    /* SET_SUBSCRIPTIONS, for serializing: the entries, strictly ascending. */
    const lpsp_sl_entry *exact;
    size_t n_exact;
    const lpsp_sl_entry *globs;
    size_t n_globs;
} lpsp_sl_msg;

/* Parse options. */
enum {
    /* Skip the SHA-512 check of NOTIFY and the etag recomputation of
     * SET_SUBSCRIPTIONS (callers that check them themselves; fuzzers). */
    LPSP_SL_SKIP_DIGEST = 1u << 1 /* the same bit as LPSP_PARSE_SKIP_DIGEST */
};

/* Parse a complete body of the given kind (§8.2, §8.3), with the validation
 * of the reference routes:
 *   - NOTIFY and RECEIVE must be exactly header + M bytes (fewer:
 *     LPSP_E_TRUNCATED, more: LPSP_E_LENGTH_MISMATCH); NOTIFY's message must
 *     hash to its declared SHA-512 (LPSP_E_HASH_MISMATCH);
 *   - other requests and all responses ignore trailing bytes (QK-47);
 *   - urls, globs, recoveries and response authorizations are strict UTF-8
 *     (LPSP_E_BAD_UTF8);
 *   - SET_SUBSCRIPTIONS: format 0 (LPSP_E_INVALID_VALUE), entries strictly
 *     ascending (LPSP_E_OUT_OF_ORDER), etag equal to the recomputed one
 *     (LPSP_E_HASH_MISMATCH);
 *   - responses: the u16 type must match (LPSP_E_BAD_TYPE); the
 *     RESPONSE_CONFIRM_RECEIVE parser also accepts type 10 and then sets
 *     out->body = LPSP_SL_RESPONSE_UNSUBSCRIBE_IMMEDIATE;
 *     RESPONSE_CHECK_SUBSCRIPTIONS needs format 0.
 * Never reads outside buf[0..len). */
LPSP_MUST_CHECK lpsp_status lpsp_sl_parse(lpsp_sl_body body, const uint8_t *buf, size_t len, unsigned opts,
                                          lpsp_sl_msg *out, lpsp_error *err);

/* Exact serialized size, and serialization into buf[0..cap). Refuses
 * (LPSP_E_INVALID_ARGUMENT) what the parser would reject: lengths beyond
 * their u8/u16 prefix, invalid UTF-8, digests/etags not 64 bytes, format
 * not 0, NOTIFY digest not SHA-512(message), SET_SUBSCRIPTIONS entries not
 * strictly ascending or etag not the strong etag of the entries. */
LPSP_MUST_CHECK lpsp_status lpsp_sl_serialized_size(const lpsp_sl_msg *m, size_t *size, lpsp_error *err);
LPSP_MUST_CHECK lpsp_status lpsp_sl_serialize(const lpsp_sl_msg *m, uint8_t *buf, size_t cap, size_t *written,
                                              lpsp_error *err);

/* A zero-initialised body of the given kind. */
void lpsp_sl_msg_init(lpsp_sl_msg *m, lpsp_sl_body body);

/* Check a RECEIVE message against its Repr-Digest: LPSP_E_FIELD_SIZE when the
 * digest is not 64 bytes, LPSP_E_HASH_MISMATCH when it differs, LPSP_E_CRYPTO
 * when libcrypto fails. */
LPSP_MUST_CHECK lpsp_status lpsp_sl_check_digest(lpsp_view message, lpsp_view digest, lpsp_error *err);

/* ------------------------------------------------------------ strong etag */

/* Streaming strong-etag builder (§9). Feed the url, then the exact entries,
 * then the glob entries, in order; finish gives SHA-512 of the document.
 * With check_order, an entry that is not strictly greater (bytewise) than
 * the previous one of its list is LPSP_E_OUT_OF_ORDER; the previous entry's
 * bytes must then stay valid until the next add call. Text (url, globs,
 * recoveries) must be UTF-8 (LPSP_E_BAD_UTF8) and every length <= 65535
 * (LPSP_E_INVALID_ARGUMENT). The builder holds its SHA-512 state itself
 * (no allocation); any failure, and finish, end it; lpsp_etag_abort ends it
 * at any time and is idempotent. */
typedef struct {
    uint64_t md_state[28]; /* SHA-512 state, kept in place: no allocation */
    int active;
    int stage; /* 0 exact entries, 1 glob entries */
    int check_order;
    int have_prev;
    lpsp_view prev;
    size_t fill;
    uint8_t stash[1024]; /* small pieces are batched before hashing */
} lpsp_etag_builder;

LPSP_MUST_CHECK lpsp_status lpsp_etag_begin(lpsp_etag_builder *b, lpsp_view url, int check_order,
                                            lpsp_error *err);
LPSP_MUST_CHECK lpsp_status lpsp_etag_add_exact(lpsp_etag_builder *b, lpsp_view topic, lpsp_view recovery,
                                                lpsp_error *err);
LPSP_MUST_CHECK lpsp_status lpsp_etag_add_glob(lpsp_etag_builder *b, lpsp_view glob, lpsp_view recovery,
                                               lpsp_error *err);
LPSP_MUST_CHECK lpsp_status lpsp_etag_finish(lpsp_etag_builder *b, uint8_t etag[LPSP_ETAG_LEN],
                                             lpsp_error *err);
void lpsp_etag_abort(lpsp_etag_builder *b);

/* One-shot: the etag of (url, exact entries, glob entries). */
LPSP_MUST_CHECK lpsp_status lpsp_etag_compute(lpsp_view url, const lpsp_sl_entry *exact, size_t n_exact,
                                              const lpsp_sl_entry *globs, size_t n_globs, int check_order,
                                              uint8_t etag[LPSP_ETAG_LEN], lpsp_error *err);

/* The etag document itself (§9.1): size query and writer. Same checks. */
LPSP_MUST_CHECK lpsp_status lpsp_etag_document_size(lpsp_view url, const lpsp_sl_entry *exact, size_t n_exact,
                                                    const lpsp_sl_entry *globs, size_t n_globs,
                                                    int check_order, size_t *size, lpsp_error *err);
LPSP_MUST_CHECK lpsp_status lpsp_etag_document(lpsp_view url, const lpsp_sl_entry *exact, size_t n_exact,
                                               const lpsp_sl_entry *globs, size_t n_globs, int check_order,
                                               uint8_t *buf, size_t cap, size_t *written, lpsp_error *err);

/* --------------------------------------------- SET_SUBSCRIPTIONS entries */

/* Iterator over the entries of a SET_SUBSCRIPTIONS body, so that a body with
 * millions of entries is checked in constant memory:
 *
 *     lpsp_sl_subs_iter it;
 *     st = lpsp_sl_subs_begin(buf, len, &hdr, &it, &err);  // header fields
 *     while ((st = lpsp_sl_subs_next(&it, &e, &err)) == LPSP_OK && e.kind)
 *         use(e);
 *
 * Entries are always checked for truncation, UTF-8 and strict order. With an
 * etag builder attached (lpsp_sl_subs_attach_etag), each entry is fed to it
 * as well. */
typedef enum { LPSP_SUBS_END = 0, LPSP_SUBS_EXACT = 1, LPSP_SUBS_GLOB = 2 } lpsp_subs_kind;

typedef struct {
    lpsp_subs_kind kind; /* LPSP_SUBS_END after the last entry */
    lpsp_sl_entry entry;
} lpsp_sl_subs_item;

typedef struct {
    const uint8_t *start, *p, *end;
    int stage;          /* 0 exact, 1 glob, 2 done */
    uint32_t remaining; /* entries left in the current list */
    uint32_t exact_count, glob_count;
    int have_prev;
    lpsp_view prev;
    lpsp_etag_builder *etag; /* optional */
} lpsp_sl_subs_iter;

/* Parse the header fields of a SET_SUBSCRIPTIONS body (tracing, url, format,
 * etag, exact count) into *hdr and position the iterator on the first entry.
 * hdr->exact_count is set; hdr->glob_count is known after the exact list. */
LPSP_MUST_CHECK lpsp_status lpsp_sl_subs_begin(const uint8_t *buf, size_t len, lpsp_sl_msg *hdr,
                                               lpsp_sl_subs_iter *it, lpsp_error *err);
/* Feed every following entry to b (begun with the body's url). */
void lpsp_sl_subs_attach_etag(lpsp_sl_subs_iter *it, lpsp_etag_builder *b);
/* Next entry, or kind LPSP_SUBS_END once both lists are done. Offsets in
 * errors are relative to where iteration started: the body start after
 * lpsp_sl_subs_begin, the start of the entries view after
 * lpsp_sl_subs_iter_init (add m->entries.ptr - body to get body offsets). */
LPSP_MUST_CHECK lpsp_status lpsp_sl_subs_next(lpsp_sl_subs_iter *it, lpsp_sl_subs_item *item,
                                              lpsp_error *err);
/* Iterate the entries of an already-parsed SET_SUBSCRIPTIONS message (its
 * entries view). */
void lpsp_sl_subs_iter_init(lpsp_sl_subs_iter *it, const lpsp_sl_msg *m);

/* ------------------------------------------------------------ Repr-Digest */

/* Parse a Repr-Digest header value (§8.2.6): split on ',', split each item at
 * its first '=', keep items named exactly "sha-512" (case-sensitive, not
 * trimmed), last wins, decode value + "==" with the lenient base64 decoder.
 * present = 0: LPSP_E_MISSING_HEADER; no sha-512 item: LPSP_E_INVALID_VALUE;
 * undecodable: LPSP_E_BAD_BASE64; strict (QK-43): the digest must be 64 bytes
 * (LPSP_E_FIELD_SIZE). */
LPSP_MUST_CHECK lpsp_status lpsp_repr_digest_parse(const uint8_t *hdr, size_t len, int present,
                                                   uint8_t digest[LPSP_SHA512_LEN], lpsp_error *err);

/* "sha-512=<standard base64 with padding>": 8 + 88 = 96 characters. */
#define LPSP_REPR_DIGEST_LEN 96
LPSP_MUST_CHECK lpsp_status lpsp_repr_digest_format(lpsp_view digest, char *buf, size_t cap, size_t *written,
                                                    lpsp_error *err);

#ifdef __cplusplus
}
#endif
#endif
