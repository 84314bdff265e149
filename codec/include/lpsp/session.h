/* lpsp: stateful session helpers, spec §6: the connection nonce and the
 * per-message websocket URL that HMAC authorizations sign. */
#ifndef LPSP_SESSION_H
#define LPSP_SESSION_H

#include "lpsp/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LPSP_NONCE_LEN     32                 /* subscriber, broadcaster and connection nonces */
#define LPSP_NONCE_B64_LEN 44                 /* standard base64 of 32 bytes, with padding */
#define LPSP_WS_URL_MAX    (10 + 44 + 1 + 17) /* "websocket:" b64 ":" "-8000000000000000" */

/* connection_nonce = SHA-256(subscriber_nonce || broadcaster_nonce) (§6.1).
 * Both nonces must be 32 bytes (LPSP_E_FIELD_SIZE). */
LPSP_MUST_CHECK lpsp_status lpsp_connection_nonce(lpsp_view subscriber_nonce, lpsp_view broadcaster_nonce,
                                                  uint8_t out[LPSP_NONCE_LEN], lpsp_error *err);

/* Its URL rendering: standard base64 with '=' padding, 44 characters, not
 * base64url (QK-25). out receives 44 characters and a NUL. */
void lpsp_connection_nonce_b64(const uint8_t nonce[LPSP_NONCE_LEN], char out[LPSP_NONCE_B64_LEN + 1]);

/* "websocket:<nonce_b64>:<ctr>", ctr as Python format(ctr, "x"): lower-case
 * hex, '-' for negatives, no padding (§6.2). nonce_b64 must be a valid
 * rendering (44 characters of standard base64 of 32 bytes), else
 * LPSP_E_INVALID_ARGUMENT. Counters are int64: QK-26. */
LPSP_MUST_CHECK lpsp_status lpsp_ws_url_format(const uint8_t *nonce_b64, size_t n, int64_t ctr, char *buf,
                                               size_t cap, size_t *written, lpsp_error *err);

/* Parse and validate such a URL: prefix "websocket:", 44 characters of
 * canonical standard base64 decoding to 32 bytes (LPSP_E_BAD_BASE64), ':',
 * counter as written by the formatter: optional '-', lower-case hex, no
 * leading zeros, not "-0" (LPSP_E_INVALID_VALUE), within int64
 * (LPSP_E_OVERFLOW). nonce_b64 is a view into url; nonce may be NULL. */
LPSP_MUST_CHECK lpsp_status lpsp_ws_url_parse(const uint8_t *url, size_t len, lpsp_view *nonce_b64,
                                              uint8_t nonce[LPSP_NONCE_LEN], int64_t *ctr, lpsp_error *err);

#ifdef __cplusplus
}
#endif
#endif
