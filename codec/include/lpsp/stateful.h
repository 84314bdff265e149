/* lpsp: stateful (websocket) messages, spec §2-§5. */
#ifndef LPSP_STATEFUL_H
#define LPSP_STATEFUL_H

#include "lpsp/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { LPSP_S2B = 0, LPSP_B2S = 1 } lpsp_direction;

/* Subscriber -> broadcaster type values (§3.0). */
enum {
    LPSP_S2B_CONFIGURE = 1,
    LPSP_S2B_SUBSCRIBE_EXACT = 2,
    LPSP_S2B_SUBSCRIBE_GLOB = 3,
    LPSP_S2B_UNSUBSCRIBE_EXACT = 4,
    LPSP_S2B_UNSUBSCRIBE_GLOB = 5,
    LPSP_S2B_NOTIFY = 6,
    LPSP_S2B_NOTIFY_STREAM = 7,
    LPSP_S2B_CONTINUE_RECEIVE = 8,
    LPSP_S2B_CONFIRM_RECEIVE = 9,
    LPSP_S2B_MAX = 9
};

/* Broadcaster -> subscriber type values (§3.0). */
enum {
    LPSP_B2S_CONFIRM_CONFIGURE = 1,
    LPSP_B2S_CONFIRM_SUBSCRIBE_EXACT = 2,
    LPSP_B2S_CONFIRM_SUBSCRIBE_GLOB = 3,
    LPSP_B2S_CONFIRM_UNSUBSCRIBE_EXACT = 4,
    LPSP_B2S_CONFIRM_UNSUBSCRIBE_GLOB = 5,
    LPSP_B2S_CONFIRM_NOTIFY = 6,
    LPSP_B2S_CONTINUE_NOTIFY = 7,
    LPSP_B2S_RECEIVE_STREAM = 8,
    LPSP_B2S_ENABLE_ZSTD_PRESET = 9,
    LPSP_B2S_ENABLE_ZSTD_CUSTOM = 10,
    LPSP_B2S_DISABLE_ZSTD_CUSTOM = 11,
    LPSP_B2S_MISSED = 12,
    LPSP_B2S_MAX = 12
};

#define LPSP_FLAG_MINIMAL_HEADERS 0x0001u

/* Result variants of NOTIFY and of the two *_STREAM types. */
typedef enum {
    LPSP_VARIANT_NONE = 0,           /* every other type */
    LPSP_VARIANT_UNCOMPRESSED,       /* NOTIFY, compressor 0 */
    LPSP_VARIANT_COMPRESSED,         /* NOTIFY, compressor != 0 */
    LPSP_VARIANT_START_UNCOMPRESSED, /* *_STREAM part 0, compressor 0 */
    LPSP_VARIANT_START_COMPRESSED,   /* *_STREAM part 0, compressor != 0 */
    LPSP_VARIANT_CONTINUATION        /* *_STREAM part > 0 */
} lpsp_variant;

/* One stateful message of any type. Which members are meaningful depends on
 * (direction, type, variant); see codec/docs/API.md. Byte fields are views:
 * after parsing they point into the input buffer, before serializing they
 * point wherever the caller likes. */
typedef struct {
    lpsp_direction direction;
    uint16_t type;
    uint16_t flags; /* as on the wire (parse only; serializers take a mode) */
    lpsp_variant variant;

    int has_authorization;   /* 0: no authorization (empty on the wire) */
    lpsp_view authorization; /* UTF-8 text */
    lpsp_view tracing;
    lpsp_view topic;
    lpsp_view glob;       /* UTF-8 text */
    lpsp_view identifier; /* byte identifiers (NOTIFY, *_STREAM, CONFIRM_*, CONTINUE_*) */
    lpsp_view nonce;      /* subscriber_nonce (CONFIGURE) / broadcaster_nonce (CONFIRM_CONFIGURE) */
    lpsp_view sha512;     /* x-compressed-sha512, or x-sha512 of ENABLE_ZSTD_CUSTOM */
    lpsp_view payload;    /* NOTIFY message, *_STREAM payload, ENABLE_ZSTD_CUSTOM dictionary */

    uint64_t zstd_identifier;     /* x-identifier of the three ZSTD messages */
    uint64_t part_id;             /* CONTINUE_*, *_STREAM continuation */
    uint64_t compressor_id;       /* compressed variants */
    uint64_t compressed_length;   /* *_STREAM start compressed */
    uint64_t decompressed_length; /* compressed variants; uncompressed_length of stream start */
    uint64_t subscribers;         /* CONFIRM_NOTIFY subscribers, CONFIRM_RECEIVE num_subscribers */
    uint64_t min_size;
    uint64_t max_size;
    int32_t compression_level;
    uint32_t initial_dict;
    uint8_t enable_zstd;
    uint8_t enable_training;
} lpsp_msg;

/* Parse options (bitwise or). */
enum {
    /* Reproduce the Python reference's leniencies (QK-03, QK-04, QK-05, QK-06,
     * QK-11, QK-12, QK-13, QK-21) instead of the strict behaviour. */
    LPSP_PARSE_COMPAT = 1u << 0,
    /* Skip the SHA-512 comparisons (NOTIFY, ENABLE_ZSTD_CUSTOM). For callers
     * that verify digests themselves, and for fuzzers fixing digests up. */
    LPSP_PARSE_SKIP_DIGEST = 1u << 1
};

/* Parse one complete message of the given direction. On success fills *out
 * (views into buf) and returns LPSP_OK; otherwise returns the status, also
 * stored with offset/field/reason in *err (err may be NULL). Never allocates,
 * never reads outside buf[0..len). */
LPSP_MUST_CHECK lpsp_status lpsp_parse(lpsp_direction dir, const uint8_t *buf, size_t len, unsigned opts,
                                       lpsp_msg *out, lpsp_error *err);

/* Exact serialized size of m in the given header mode. Refuses (returns
 * LPSP_E_INVALID_ARGUMENT) any message the parser would reject or misread:
 * see codec/docs/QUIRKS.md. */
LPSP_MUST_CHECK lpsp_status lpsp_serialized_size(const lpsp_msg *m, int minimal_headers, size_t *size,
                                                 lpsp_error *err);

/* Serialize m into buf[0..cap). Writes *written bytes on success; writes
 * nothing past cap, and returns LPSP_E_BUFFER_TOO_SMALL when cap is short. */
LPSP_MUST_CHECK lpsp_status lpsp_serialize(const lpsp_msg *m, int minimal_headers, uint8_t *buf, size_t cap,
                                           size_t *written, lpsp_error *err);

/* Reference enum member name of a type ("SUBSCRIBE_EXACT"), or NULL. */
const char *lpsp_type_name(lpsp_direction dir, uint16_t type);
/* Inverse of lpsp_type_name; returns 0 when unknown. */
uint16_t lpsp_type_from_name(lpsp_direction dir, const char *name);

/* Wire name of the i-th header of a type, in minimal-mode order, or NULL
 * past the last one (for dictionaries and documentation). */
const char *lpsp_header_name(lpsp_direction dir, uint16_t type, unsigned i);

/* Zero-initialised message of the given type, ready for filling in. */
void lpsp_msg_init(lpsp_msg *m, lpsp_direction dir, uint16_t type, lpsp_variant variant);

#ifdef __cplusplus
}
#endif
#endif
