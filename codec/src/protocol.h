/* The stateful protocol as data: one header list per message type (§3).
 * Read by the parser, the serializer and the size query. */
#ifndef LPSP_PROTOCOL_H
#define LPSP_PROTOCOL_H

#include "internal.h"
#include "lpsp/stateful.h"

/* Header value kinds: how a value is validated and where it goes. */
enum {
    LPSP_K_BLOB,  /* opaque bytes */
    LPSP_K_AUTH,  /* UTF-8; empty = no authorization (§1.5) */
    LPSP_K_UTF8,  /* strict UTF-8 text */
    LPSP_K_ID64,  /* opaque, at most 64 bytes */
    LPSP_K_FIX32, /* exactly 32 bytes */
    LPSP_K_FIX64, /* exactly 64 bytes */
    LPSP_K_UINT,  /* unsigned big-endian, at most maxw bytes (§1.2) */
    LPSP_K_SINT2, /* signed at the width present, at most 2 bytes (§1.3) */
    LPSP_K_BOOL   /* 00 / 01 (QK-06) */
};

/* How the serializer writes an integer (QK-18). */
enum {
    LPSP_W_MU,     /* minimal unsigned: 0 -> empty */
    LPSP_W_FIX2,   /* always 2 bytes */
    LPSP_W_FIX4,   /* always 4 bytes */
    LPSP_W_ZERO00, /* minimal, but 0 -> the single byte 00 */
    LPSP_W_S16     /* two's complement, always 2 bytes */
};

/* Where a header's value lives in lpsp_msg. */
enum {
    LPSP_SLOT_AUTH, LPSP_SLOT_TRACING, LPSP_SLOT_TOPIC, LPSP_SLOT_GLOB, LPSP_SLOT_IDENT,
    LPSP_SLOT_NONCE, LPSP_SLOT_SHA, /* views */
    LPSP_SLOT_ZID, LPSP_SLOT_PART, LPSP_SLOT_COMPRESSOR, LPSP_SLOT_CLEN, LPSP_SLOT_DLEN,
    LPSP_SLOT_SUBS, LPSP_SLOT_MIN, LPSP_SLOT_MAX, /* u64 */
    LPSP_SLOT_LEVEL, LPSP_SLOT_IDICT, LPSP_SLOT_EZSTD, LPSP_SLOT_ETRAIN
};

typedef struct {
    const char *name; /* lower-case wire name */
    uint8_t name_len;
    uint8_t kind;
    uint8_t maxw;  /* LPSP_K_UINT / LPSP_K_SINT2: maximum width in bytes */
    uint8_t wmode; /* LPSP_K_UINT: serializer width rule */
    uint8_t slot;
    uint8_t part0; /* *_STREAM: present only when the part id is 0 */
} lpsp_hdr;

enum { LPSP_BODY_NONE, LPSP_BODY_NOTIFY, LPSP_BODY_STREAM, LPSP_BODY_DICT };
enum { LPSP_ZID_NONE, LPSP_ZID_PRESET, LPSP_ZID_CUSTOM }; /* QK-03 ranges */

typedef struct {
    const char *name; /* reference enum member name */
    const lpsp_hdr *hdrs; /* minimal-mode order = serializer order = check order */
    uint8_t n;
    uint8_t body;
    uint8_t zid;
} lpsp_msgdef;

LPSP_INTERNAL const lpsp_msgdef *lpsp_msgdef_get(lpsp_direction dir, uint16_t type);

#endif
