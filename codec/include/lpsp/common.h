/* lpsp: reference C codec for the Lonely Pub-Sub Protocol.
 * Common types: byte views, status codes, error values. */
#ifndef LPSP_COMMON_H
#define LPSP_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define LPSP_MUST_CHECK __attribute__((warn_unused_result))
#else
#define LPSP_MUST_CHECK
#endif

/* A read-only view into a caller-owned buffer. Parsed fields are views into
 * the input; they stay valid exactly as long as the input buffer does. */
typedef struct {
    const uint8_t *ptr;
    size_t len;
} lpsp_view;

/* Status codes, in bands:
 *   0            success
 *   -1           truncated ("need more"): the input ended early
 *   -10 .. -29   malformed input (fatal for the message)
 *   -30 .. -39   caller errors (buffer too small, refused serializer input)
 *   -40 .. -49   authorization results and environment failures */
typedef enum {
    LPSP_OK = 0,
    LPSP_E_TRUNCATED = -1,

    LPSP_E_BAD_TYPE = -10,
    LPSP_E_BAD_FLAGS = -11,
    LPSP_E_BAD_HEADER_NAME = -12,
    LPSP_E_MISSING_HEADER = -13,
    LPSP_E_FIELD_SIZE = -14,
    LPSP_E_BAD_UTF8 = -15,
    LPSP_E_LENGTH_MISMATCH = -16,
    LPSP_E_HASH_MISMATCH = -17,
    LPSP_E_TRAILING_BYTES = -18,
    LPSP_E_OUT_OF_ORDER = -19,
    LPSP_E_INVALID_VALUE = -20,
    LPSP_E_BAD_BASE64 = -21,
    LPSP_E_OVERFLOW = -22,

    LPSP_E_BUFFER_TOO_SMALL = -30,
    LPSP_E_INVALID_ARGUMENT = -31,

    LPSP_E_UNAUTHORIZED = -40,
    LPSP_E_FORBIDDEN = -41,
    LPSP_E_CRYPTO = -42
} lpsp_status;

/* Where and why an operation failed. All strings are static. */
typedef struct {
    lpsp_status status;
    size_t offset;      /* byte offset in the input where the defect was found */
    const char *field;  /* header or field name, or NULL */
    const char *reason; /* human-readable reason, never NULL after a failure */
} lpsp_error;

/* Writers. Every function that takes (buf, cap, size_t *written) follows
 * one convention:
 *   - LPSP_OK: exactly *written bytes were written to buf[0..*written);
 *   - LPSP_E_BUFFER_TOO_SMALL (cap too small, or buf NULL with a non-empty
 *     result): *written is the size needed and not a byte of buf was
 *     written, so a call with (NULL, 0) is a size query;
 *   - any other status (the input was refused): *written is unspecified and
 *     buf may hold a partial result.
 * written may be NULL. codec/tests/test_writers.c checks this for every
 * writer and every capacity up to the size needed. */

/* Stable lower-case class name of a status ("truncated", "field_size", ...),
 * the error classes of the conformance testee protocol. */
const char *lpsp_status_name(lpsp_status st);

/* 1 when a status is final for the input (malformed, refused), 0 for
 * LPSP_OK and LPSP_E_TRUNCATED (more bytes could make the input valid) and
 * for LPSP_E_BUFFER_TOO_SMALL (a larger buffer would do). */
int lpsp_status_is_fatal(lpsp_status st);

#ifdef __cplusplus
}
#endif
#endif
