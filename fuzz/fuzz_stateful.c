/* Stateful fuzz targets, one binary per parser entry point (spec §12.1),
 * all from this file: fuzz/fuzz.mk compiles it once per target with
 *   -DFZ_DIR=LPSP_S2B|LPSP_B2S  the direction;
 *   -DFZ_TYPE=n                 the message type (the harness writes the
 *                               prefix; the input is one flags-selector byte,
 *                               then headers and body), or 0 for the "any"
 *                               dispatcher (the input is the whole message). */
#include "harness.h"

#if !defined(FZ_DIR) || !defined(FZ_TYPE)
#error "compile with -DFZ_DIR=... -DFZ_TYPE=..."
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
#if FZ_TYPE == 0
    fz_stateful_message(FZ_DIR, data, size);
#else
    fz_stateful_typed(FZ_DIR, FZ_TYPE, data, size);
#endif
    return 0;
}
