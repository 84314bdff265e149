/* Header and text parser targets (spec §12.1 items 36 and 44-51): compiled
 * once per parser with -DFZ_TYPE=<FZ_TEXT_* value of harness.h>. */
#include "harness.h"

#ifndef FZ_TYPE
#error "compile with -DFZ_TYPE=<FZ_TEXT_*>"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_text(FZ_TYPE, data, size);
    return 0;
}
