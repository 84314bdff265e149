/* Header and text parser targets (spec §12.1 items 36 and 44-51):
 * -DFZ_TARGET=<FZ_TEXT_* of harness.h>, e.g. FZ_TEXT_REPR_DIGEST. */
#include "fuzz_target.h"

#define FZ_CHECK(which)                                                                                      \
    _Static_assert((which) >= FZ_TEXT_FIRST && (which) < FZ_TEXT_END, #which " is not a text target")
FZ_APPLY(FZ_CHECK, FZ_TARGET);

#define FZ_RUN(which) fz_text_target(which, #which, data, size)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FZ_APPLY(FZ_RUN, FZ_TARGET);
    return 0;
}
