/* The protocol's header lists (spec §3) and the canonical form of a stateful
 * message, written independently of the codec so that the two can disagree
 * (fuzz/README.md, "Canonical form"). */
#ifndef LPSP_FUZZ_LAYOUT_H
#define LPSP_FUZZ_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "lpsp/stateful.h"

/* How a header value is written in canonical form (QK-18). */
typedef enum {
    FZ_K_BLOB,   /* any bytes */
    FZ_K_MU,     /* minimal unsigned: empty or no leading zero byte */
    FZ_K_FIX2,   /* exactly 2 bytes */
    FZ_K_FIX4,   /* exactly 4 bytes */
    FZ_K_BOOL,   /* exactly 1 byte */
    FZ_K_PARTID, /* stream part id: "00" for a start part, MU for a continuation */
    FZ_K_COMPR   /* compressor: "00" uncompressed, MU (non-zero) compressed */
} fz_kind;

#define FZ_MAX_HEADERS 10

typedef struct {
    const char *name;
    fz_kind kind;
    int start_only; /* *_STREAM: present in part 0 only */
} fz_hdr;

typedef struct {
    lpsp_direction dir;
    uint16_t type;
    const char *enum_name; /* the codec's enum constant, "LPSP_S2B_CONFIGURE" */
    int has_body;
    fz_hdr h[FZ_MAX_HEADERS];
} fz_layout;

/* The row of a type, or NULL for a type the protocol does not have. */
const fz_layout *fz_layout_of(lpsp_direction dir, uint16_t type);

/* Number of headers of L (every header, start-only ones included). */
size_t fz_layout_headers(const fz_layout *L);

/* Whether b[0..len), which the strict parser accepted as m, is in canonical
 * form: flags 0 or 1; exactly the type's header list for its variant, in the
 * spec's order (expanded mode: with the lower-case names, no other, unknown
 * or duplicate headers); every integer in the width the serializer writes
 * (QK-18); nothing after the last header of a body-less type. */
int fz_stateful_canonical(const lpsp_msg *m, const uint8_t *b, size_t len);

#endif
