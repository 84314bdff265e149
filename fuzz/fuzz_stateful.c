/* Stateful fuzz targets, one binary per parser entry point (spec §12.1):
 * -DFZ_TARGET=<direction>,<type>, e.g. LPSP_S2B,LPSP_S2B_NOTIFY, or
 * LPSP_B2S,FZ_STATEFUL_ANY for the "any" dispatcher. */
#include "fuzz_target.h"

#define FZ_CHECK(dir, type)                                                                                  \
    _Static_assert((dir) == LPSP_S2B || (dir) == LPSP_B2S, #dir " is not a direction");                      \
    _Static_assert((type) <= ((dir) == LPSP_S2B ? LPSP_S2B_MAX : LPSP_B2S_MAX),                              \
                   #type " is not a " #dir " type")
FZ_APPLY(FZ_CHECK, FZ_TARGET);

#define FZ_RUN(dir, type) fz_stateful_target(dir, type, #type, data, size)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FZ_APPLY(FZ_RUN, FZ_TARGET);
    return 0;
}
