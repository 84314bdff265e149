/* The speed baseline of fuzz/campaign.sh and fuzz/oss-fuzz/speed.sh: one
 * strict lpsp_parse of the input as a server-to-broadcaster message, and
 * nothing else. It is built like a target (the same engine, sanitizers and
 * instrumented codec) and run like s2b_any (its seeds, dictionary and
 * max_len, beside the targets), so its exec rate is what the engine and the
 * machine allow at that moment for parsing one message; every target's rate
 * is reported as a ratio to it. Not a fuzz target: it asserts nothing, is
 * not in fuzz/targets.txt and is not shipped to OSS-Fuzz. */
#include <stddef.h>
#include <stdint.h>

#include "lpsp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile unsigned accepted;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lpsp_msg m;
    if (lpsp_parse(LPSP_S2B, data, size, 0, &m, NULL) == LPSP_OK) accepted++;
    return 0;
}
