/* lpsp: authorization schemes, spec §10: HMAC to-sign layouts and X-HMAC
 * tokens, Bearer tokens, and the two text codecs they rely on (the lenient
 * base64 decoder of §10.4.4 and the Python int() timestamp rules of §10.4.3).
 *
 * Hashes and MACs come from OpenSSL libcrypto. Nothing here keeps global
 * state; an lpsp_hmac_key is read-only after lpsp_hmac_key_init and may be
 * shared between threads. */
#ifndef LPSP_AUTH_H
#define LPSP_AUTH_H

#include "lpsp/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ base64 */

/* Length of the standard base64 (RFC 4648 §4, '+' '/', '=' padding) of n
 * bytes: 4 * ceil(n / 3). */
size_t lpsp_b64_encoded_len(size_t n);

/* Standard base64 with padding into dst[0..cap); no NUL is written. */
LPSP_MUST_CHECK lpsp_status lpsp_b64_encode(const uint8_t *src, size_t n, char *dst, size_t cap,
                                            size_t *written, lpsp_error *err);

/* Streaming lenient base64 decoder, exactly the non-strict mode of CPython
 * 3.11 binascii.a2b_base64 (spec §10.4.4): characters outside the standard
 * alphabet are skipped, '=' is ignored before the third character of a group,
 * a completed padding stops decoding (the rest is ignored), leftover bits are
 * not checked. Any byte >= 0x80 anywhere in the input is an error (Python only
 * decodes ASCII text). Output beyond cap is counted but not stored. */
typedef struct {
    uint8_t *out;
    size_t cap;
    size_t len;        /* bytes produced so far (may exceed cap) */
    unsigned q;        /* position in the current 4-character group */
    unsigned pads;     /* '=' seen since the last data character */
    unsigned left;     /* pending bits of the current group */
    int stopped;       /* a completed padding ended decoding */
    int non_ascii;     /* a byte >= 0x80 was seen */
    size_t consumed;   /* characters fed so far */
    size_t bad_offset; /* offset of the first non-ASCII byte */
} lpsp_b64_lenient;

void lpsp_b64_lenient_init(lpsp_b64_lenient *d, uint8_t *out, size_t cap);
void lpsp_b64_lenient_feed(lpsp_b64_lenient *d, const uint8_t *s, size_t n);
/* LPSP_OK with *len the decoded length; LPSP_E_BAD_BASE64 for a non-ASCII
 * byte, a dangling single character or incorrect padding;
 * LPSP_E_BUFFER_TOO_SMALL when more than cap bytes were produced (*len is
 * then the size needed). */
LPSP_MUST_CHECK lpsp_status lpsp_b64_lenient_finish(lpsp_b64_lenient *d, size_t *len, lpsp_error *err);

/* One-shot lenient decode of s[0..n) into out[0..cap). At most
 * lpsp_b64_lenient_max(n) bytes are ever produced. */
size_t lpsp_b64_lenient_max(size_t n);
LPSP_MUST_CHECK lpsp_status lpsp_b64_decode_lenient(const uint8_t *s, size_t n, uint8_t *out, size_t cap,
                                                    size_t *len, lpsp_error *err);

/* ------------------------------------------------------- Python int() text */

/* Parse s[0..n) with the rules Python's int(text) applies to ASCII text
 * (§10.4.3): surrounding ASCII whitespace (space, \t \n \v \f \r), an optional
 * '+' or '-', ASCII decimal digits, single underscores between digits,
 * leading zeros. Non-ASCII whitespace and non-ASCII decimal digits, which
 * Python also accepts, are rejected (QK-34, see codec/docs/STATELESS-AUTH.md).
 * LPSP_E_INVALID_VALUE on bad syntax, LPSP_E_OVERFLOW outside int64. */
LPSP_MUST_CHECK lpsp_status lpsp_py_int_parse(const uint8_t *s, size_t n, int64_t *out, lpsp_error *err);

/* ----------------------------------------------------------- HMAC to-sign */

/* AuthMessageType (§10.3.3). */
typedef enum {
    LPSP_AUTH_SUBSCRIBE_EXACT = 1,
    LPSP_AUTH_SUBSCRIBE_GLOB = 2,
    LPSP_AUTH_NOTIFY = 3,
    LPSP_AUTH_STATEFUL_CONFIGURE = 4,
    LPSP_AUTH_CHECK_SUBSCRIPTIONS = 5,
    LPSP_AUTH_SET_SUBSCRIPTIONS = 6,
    LPSP_AUTH_STATEFUL_CONTINUE_RECEIVE = 7,
    LPSP_AUTH_CONFIRM_RECEIVE = 8,
    LPSP_AUTH_CONFIRM_MISSED = 9,
    LPSP_AUTH_RECEIVE = 10,
    LPSP_AUTH_MISSED = 11,
    LPSP_AUTH_CONFIRM_SUBSCRIBE_EXACT = 12,
    LPSP_AUTH_CONFIRM_SUBSCRIBE_GLOB = 13,
    LPSP_AUTH_CONFIRM_NOTIFY = 14,
    LPSP_AUTH_CHECK_SUBSCRIPTIONS_RESPONSE = 15,
    LPSP_AUTH_SET_SUBSCRIPTIONS_RESPONSE = 16,
    LPSP_AUTH_STATEFUL_CONFIRM_CONFIGURE = 17,
    LPSP_AUTH_STATEFUL_ENABLE_ZSTD_PRESET = 18,
    LPSP_AUTH_STATEFUL_ENABLE_ZSTD_CUSTOM = 19,
    LPSP_AUTH_STATEFUL_DISABLE_ZSTD_CUSTOM = 20,
    LPSP_AUTH_STATEFUL_CONTINUE_NOTIFY = 21,
    LPSP_AUTH_KIND_MAX = 21
} lpsp_auth_kind;

/* Reference member name ("SUBSCRIBE_EXACT") or NULL; inverse gives 0. */
const char *lpsp_auth_kind_name(int kind);
int lpsp_auth_kind_from_name(const char *name);

/* The per-kind fields of lpsp_auth_fields, as bits. */
enum {
    LPSP_AF_URL = 1u << 0,
    LPSP_AF_RECOVERY = 1u << 1,
    LPSP_AF_TOPIC = 1u << 2,
    LPSP_AF_GLOB = 1u << 3,
    LPSP_AF_IDENTIFIER = 1u << 4, /* byte identifier, s8 */
    LPSP_AF_SHA512 = 1u << 5,
    LPSP_AF_SUBSCRIBER_NONCE = 1u << 6,
    LPSP_AF_BROADCASTER_NONCE = 1u << 7,
    LPSP_AF_ENABLE_ZSTD = 1u << 8,
    LPSP_AF_ENABLE_TRAINING = 1u << 9,
    LPSP_AF_INITIAL_DICT = 1u << 10,
    LPSP_AF_ETAG_FORMAT = 1u << 11,
    LPSP_AF_ETAG = 1u << 12,
    LPSP_AF_PART_ID = 1u << 13,
    LPSP_AF_NUM_SUBSCRIBERS = 1u << 14,
    LPSP_AF_SUBSCRIBERS = 1u << 15,
    LPSP_AF_ZSTD_IDENTIFIER = 1u << 16, /* integer identifier, u32 */
    LPSP_AF_COMPRESSION_LEVEL = 1u << 17,
    LPSP_AF_MIN_SIZE = 1u << 18,
    LPSP_AF_MAX_SIZE = 1u << 19
};

/* Which LPSP_AF_* fields kind uses (0 for an unknown kind). */
unsigned lpsp_auth_kind_fields(int kind);

/* Everything a to-sign layout may contain. Only the fields of the kind are
 * read. Text fields (nonce, url, recovery, glob) are UTF-8; an absent
 * recovery and an empty one are the same (both written as length 0). */
typedef struct {
    int kind;
    uint64_t timestamp; /* Unix seconds, u64 on the wire: any value (a failed
                         * time(), -1, would become 2^64 - 1: check it first) */
    lpsp_view nonce;    /* <= 255 bytes */
    lpsp_view tracing;  /* <= 65535 bytes */

    lpsp_view url, recovery, topic, glob;
    lpsp_view identifier;
    lpsp_view sha512; /* exactly 64 bytes */
    lpsp_view subscriber_nonce, broadcaster_nonce;
    lpsp_view etag; /* exactly 64 bytes */
    uint64_t etag_format;
    int enable_zstd, enable_training;
    uint64_t initial_dict;
    uint64_t part_id; /* u8 in STATEFUL_CONTINUE_RECEIVE, u32 in STATEFUL_CONTINUE_NOTIFY */
    uint64_t num_subscribers, subscribers;
    uint64_t zstd_identifier;
    int64_t compression_level; /* unsigned u32 in to_sign (QK-32): must be 0..2^32-1 */
    uint64_t min_size, max_size;
} lpsp_auth_fields;

/* Exact to_sign size, and the layout itself (§10.3.3). Errors:
 * LPSP_E_INVALID_ARGUMENT unknown kind; LPSP_E_OVERFLOW a value that does not
 * fit its field (nonce, identifier, subscriber or broadcaster nonce
 * > 255 bytes, text/topic/tracing > 65535, part_id >= 256 for kind 7 (QK-31),
 * negative level (QK-32), integers beyond their u8/u16/u32 width);
 * LPSP_E_FIELD_SIZE sha512/etag not 64 bytes; LPSP_E_BAD_UTF8 invalid text. */
LPSP_MUST_CHECK lpsp_status lpsp_hmac_to_sign_size(const lpsp_auth_fields *f, size_t *size, lpsp_error *err);
LPSP_MUST_CHECK lpsp_status lpsp_hmac_to_sign(const lpsp_auth_fields *f, uint8_t *buf, size_t cap,
                                              size_t *written, lpsp_error *err);

/* ------------------------------------------------------------ HMAC keys */

#define LPSP_HMAC_SECRET_LEN 64
#define LPSP_HMAC_CODE_LEN   64

/* Decode a configured secret string (§10.3.1): append "==", map '-'->'+' and
 * '_'->'/', decode leniently; URL-safe and standard, padded or not. The
 * result must be 64 bytes (LPSP_E_FIELD_SIZE). */
LPSP_MUST_CHECK lpsp_status lpsp_hmac_secret_decode(const uint8_t *text, size_t n,
                                                    uint8_t out[LPSP_HMAC_SECRET_LEN], lpsp_error *err);

/* A keyed HMAC-SHA-512 context: the SHA-512 states after the padded key
 * blocks, allocated once by lpsp_hmac_key_init (libcrypto's allocator) and
 * only read afterwards; each code copies them, so lpsp_hmac_code,
 * lpsp_hmac_sign and lpsp_hmac_verify never allocate. Opaque. */
typedef struct {
    void *mac; /* unused, NULL (kept for the layout of liblpsp.so.1) */
    void *ctx; /* the keyed states */
} lpsp_hmac_key;

/* secret must be exactly 64 bytes (LPSP_E_FIELD_SIZE); LPSP_E_CRYPTO when
 * libcrypto fails. On success release with lpsp_hmac_key_free. */
LPSP_MUST_CHECK lpsp_status lpsp_hmac_key_init(lpsp_hmac_key *k, const uint8_t *secret, size_t len,
                                               lpsp_error *err);
void lpsp_hmac_key_free(lpsp_hmac_key *k);

/* code = HMAC-SHA-512(secret, to_sign(f)), streamed: no to_sign buffer. */
LPSP_MUST_CHECK lpsp_status lpsp_hmac_code(const lpsp_hmac_key *k, const lpsp_auth_fields *f,
                                           uint8_t code[LPSP_HMAC_CODE_LEN], lpsp_error *err);

/* The header value "X-HMAC <timestamp>:<nonce>:<base64 code with padding>".
 * Never longer than LPSP_HMAC_HEADER_MAX. A nonce containing ':' is refused
 * (LPSP_E_INVALID_ARGUMENT): the token could not be parsed back. */
#define LPSP_HMAC_HEADER_MAX (7 + 20 + 1 + 255 + 1 + 88)
LPSP_MUST_CHECK lpsp_status lpsp_hmac_header_size(const lpsp_auth_fields *f, size_t *size, lpsp_error *err);
LPSP_MUST_CHECK lpsp_status lpsp_hmac_sign(const lpsp_hmac_key *k, const lpsp_auth_fields *f, char *buf,
                                           size_t cap, size_t *written, lpsp_error *err);

/* ------------------------------------------------------ HMAC verification */

/* A token extracted from an authorization value (§10.4.1). nonce points into
 * the authorization text. */
typedef struct {
    int64_t timestamp;
    lpsp_view nonce;
    uint8_t code[LPSP_HMAC_CODE_LEN];
} lpsp_hmac_token;

/* §10.4.1. present = 0 means no authorization (LPSP_E_UNAUTHORIZED).
 * Everything else that is wrong is LPSP_E_FORBIDDEN: prefix, separators,
 * timestamp syntax (lpsp_py_int_parse), |now - timestamp| > lifetime (equal
 * is accepted), non-ASCII or undecodable code, code not 64 bytes. */
LPSP_MUST_CHECK lpsp_status lpsp_hmac_parse_token(const uint8_t *auth, size_t len, int present, int64_t now,
                                                  uint64_t lifetime, lpsp_hmac_token *tok, lpsp_error *err);

/* Full check (§10.4.1, §10.4.2 without the replay store): parse the token,
 * build to_sign from f with the token's timestamp and nonce (f->timestamp
 * and f->nonce are ignored), compare in constant time. LPSP_OK,
 * LPSP_E_UNAUTHORIZED or LPSP_E_FORBIDDEN; a token nonce > 255 bytes, with
 * invalid UTF-8 or a negative timestamp is FORBIDDEN (QK-33). Errors of the
 * message fields themselves are returned as by lpsp_hmac_to_sign. tok may be
 * NULL; when given it receives the token (its code is what a replay store
 * records). */
LPSP_MUST_CHECK lpsp_status lpsp_hmac_verify(const lpsp_hmac_key *k, const lpsp_auth_fields *f,
                                             const uint8_t *auth, size_t len, int present, int64_t now,
                                             uint64_t lifetime, lpsp_hmac_token *tok, lpsp_error *err);

/* ------------------------------------------------------------------ Bearer */

/* "Bearer <token>" (§10.2): size is 7 + n. */
LPSP_MUST_CHECK lpsp_status lpsp_bearer_format(const uint8_t *token, size_t n, char *buf, size_t cap,
                                               size_t *written, lpsp_error *err);

/* Compare a presented authorization with "Bearer <token>" in constant time
 * (for equal lengths). LPSP_OK, LPSP_E_UNAUTHORIZED (present = 0) or
 * LPSP_E_FORBIDDEN (different, or any non-ASCII byte: QK-36). A configured
 * token that is not ASCII is LPSP_E_INVALID_ARGUMENT. */
LPSP_MUST_CHECK lpsp_status lpsp_bearer_check(const uint8_t *token, size_t tlen, const uint8_t *auth,
                                              size_t alen, int present, lpsp_error *err);

#ifdef __cplusplus
}
#endif
#endif
