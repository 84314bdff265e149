/* Stateless body targets (spec §8, §12.1 items 30-43): compiled once per
 * body with -DFZ_TYPE=<lpsp_sl_body value>; the input is the body. */
#include "harness.h"

#ifndef FZ_TYPE
#error "compile with -DFZ_TYPE=<lpsp_sl_body>"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_stateless_body(FZ_TYPE, data, size);
    return 0;
}
