/* Stateless body targets (spec §8, §12.1 items 30-43):
 * -DFZ_TARGET=<lpsp_sl_body>, e.g. LPSP_SL_NOTIFY; the input is the body. */
#include "fuzz_target.h"

#define FZ_CHECK(body)                                                                                       \
    _Static_assert((body) >= LPSP_SL_NOTIFY && (body) <= LPSP_SL_BODY_MAX, #body " is not a body")
FZ_APPLY(FZ_CHECK, FZ_TARGET);

#define FZ_RUN(body) fz_stateless_target(body, #body, data, size)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FZ_APPLY(FZ_RUN, FZ_TARGET);
    return 0;
}
