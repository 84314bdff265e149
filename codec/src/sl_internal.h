/* Declarations shared by the stateless, etag and auth sources. Not installed. */
#ifndef LPSP_SL_INTERNAL_H
#define LPSP_SL_INTERNAL_H

#include "lpsp.h"
#include "sink.h"

/* Add one entry to an etag builder; validated = 1 skips the UTF-8, length
 * and order checks (the caller made them). */
LPSP_INTERNAL LPSP_MUST_CHECK lpsp_status lpsp_etag__add(lpsp_etag_builder *b, int glob, lpsp_view key,
                                           lpsp_view rec, int validated, lpsp_error *err);

/* 1 when v is valid UTF-8. */
static inline int lpsp__utf8_ok(lpsp_view v)
{
    return lpsp_utf8_valid_prefix(v.ptr, v.len) == v.len;
}

/* An entry's recovery as written: none (has_recovery == 0) is the empty
 * string, whatever the view holds (§8.2.5, §9.1: the two are the same on the
 * wire). */
static inline lpsp_view lpsp_sl_entry_recovery(const lpsp_sl_entry *e)
{
    return e->has_recovery ? e->recovery : lpsp_view_empty();
}

#endif
