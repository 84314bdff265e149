/* Embedding check: built against an installed copy of the codec through
 * pkg-config only (make install-check). */
#include <lpsp.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    static const unsigned char msg[] = {0, 1, 0, 2, 0, 0, 0, 0, 0, 7, 'f', 'o', 'o', '/', 'b', 'a', 'r'};
    lpsp_msg m;
    lpsp_error e;
    if (lpsp_parse(LPSP_S2B, msg, sizeof msg, 0, &m, &e) != LPSP_OK) {
        fprintf(stderr, "embed: %s\n", e.reason);
        return 1;
    }
    unsigned char out[sizeof msg];
    size_t n;
    if (lpsp_serialize(&m, 1, out, sizeof out, &n, &e) != LPSP_OK || n != sizeof msg || memcmp(out, msg, n)) {
        fprintf(stderr, "embed: re-encode differs\n");
        return 1;
    }
    printf("embed: %s topic %.*s\n", lpsp_type_name(m.direction, m.type), (int)m.topic.len,
           (const char *)m.topic.ptr);
    return 0;
}
