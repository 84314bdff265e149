/* Once per process: the codec's tables and names against the spec (the
 * harness's own §3 table in fz_layout.c), status names and fatality, the
 * §6.1 connection nonce, Bearer formatting, and the serializer refusals of
 * codec/docs/QUIRKS.md (QK-16, QK-17, QK-19). */
#include <string.h>

#include "fz_common.h"
#include "fz_layout.h"
#include "lpsp/auth.h"
#include "lpsp/session.h"
#include "lpsp/stateless.h"

/* Header lists: the codec's table (lpsp_header_name) equals the spec's
 * (fz_layouts, §3), name by name, for every type of both directions; every
 * type's enum value is the spec's number. */
static void check_header_tables(void)
{
    for (int dir = 0; dir < 2; dir++) {
        uint16_t max = dir == LPSP_S2B ? LPSP_S2B_MAX : LPSP_B2S_MAX;
        FZ_ASSERT(lpsp_type_name((lpsp_direction)dir, 0) == NULL, "type 0 has a name");
        FZ_ASSERT(lpsp_type_name((lpsp_direction)dir, (uint16_t)(max + 1)) == NULL, "type %u has a name",
                  max + 1);
        FZ_ASSERT(lpsp_type_from_name((lpsp_direction)dir, "NO_SUCH_TYPE") == 0,
                  "unknown name maps to a type");
        for (uint16_t t = 1; t <= max; t++) {
            const char *n = lpsp_type_name((lpsp_direction)dir, t);
            FZ_ASSERT(n && lpsp_type_from_name((lpsp_direction)dir, n) == t, "type %u name round trip", t);
            const fz_layout *L = fz_layout_of((lpsp_direction)dir, t);
            FZ_ASSERT(L != NULL, "codec type %s (%u) is not in the spec's table", n, t);
            unsigned i = 0;
            for (; i < FZ_MAX_HEADERS && L->h[i].name; i++) {
                const char *hn = lpsp_header_name((lpsp_direction)dir, t, i);
                FZ_ASSERT(hn && strcmp(hn, L->h[i].name) == 0, "%s header %u: codec says %s, spec %s", n, i,
                          hn ? hn : "(none)", L->h[i].name);
            }
            FZ_ASSERT(lpsp_header_name((lpsp_direction)dir, t, i) == NULL, "%s has more than %u headers", n,
                      i);
        }
    }
}

/* Name round trips of stateless bodies and to-sign kinds. */
static void check_names(void)
{
    for (int b = 1; b <= LPSP_SL_BODY_MAX; b++) {
        const char *n = lpsp_sl_body_name((lpsp_sl_body)b);
        FZ_ASSERT(n && lpsp_sl_body_from_name(n) == (lpsp_sl_body)b, "stateless body %d name round trip", b);
    }
    FZ_ASSERT(lpsp_sl_body_name(LPSP_SL_NONE) == NULL && lpsp_sl_body_from_name("NOPE") == LPSP_SL_NONE,
              "stateless body names accept nonsense");
    for (int k = 1; k <= LPSP_AUTH_KIND_MAX; k++) {
        const char *n = lpsp_auth_kind_name(k);
        FZ_ASSERT(n && lpsp_auth_kind_from_name(n) == k, "auth kind %d name round trip", k);
        FZ_ASSERT(lpsp_auth_kind_fields(k) != 0 || k == LPSP_AUTH_CONFIRM_MISSED,
                  "auth kind %s has no fields", n);
    }
    FZ_ASSERT(lpsp_auth_kind_fields(0) == 0 && lpsp_auth_kind_name(0) == NULL, "auth kind 0 is known");
}

/* Status names and fatality (common.h). */
static void check_statuses(void)
{
    static const lpsp_status all[] = {LPSP_OK,
                                      LPSP_E_TRUNCATED,
                                      LPSP_E_BAD_TYPE,
                                      LPSP_E_BAD_FLAGS,
                                      LPSP_E_BAD_HEADER_NAME,
                                      LPSP_E_MISSING_HEADER,
                                      LPSP_E_FIELD_SIZE,
                                      LPSP_E_BAD_UTF8,
                                      LPSP_E_LENGTH_MISMATCH,
                                      LPSP_E_HASH_MISMATCH,
                                      LPSP_E_TRAILING_BYTES,
                                      LPSP_E_OUT_OF_ORDER,
                                      LPSP_E_INVALID_VALUE,
                                      LPSP_E_BAD_BASE64,
                                      LPSP_E_OVERFLOW,
                                      LPSP_E_BUFFER_TOO_SMALL,
                                      LPSP_E_INVALID_ARGUMENT,
                                      LPSP_E_UNAUTHORIZED,
                                      LPSP_E_FORBIDDEN,
                                      LPSP_E_CRYPTO};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        const char *n = lpsp_status_name(all[i]);
        FZ_ASSERT(strcmp(n, "unknown") != 0, "status %d has no name", all[i]);
        for (size_t j = 0; j < i; j++)
            FZ_ASSERT(strcmp(n, lpsp_status_name(all[j])) != 0, "duplicate status name %s", n);
        int fatal = !(all[i] == LPSP_OK || all[i] == LPSP_E_TRUNCATED || all[i] == LPSP_E_BUFFER_TOO_SMALL);
        FZ_ASSERT(lpsp_status_is_fatal(all[i]) == fatal, "lpsp_status_is_fatal(%s)", n);
    }
    FZ_ASSERT(strcmp(lpsp_status_name((lpsp_status)-99), "unknown") == 0, "status -99 has a name");
}

/* Connection nonce (§6.1, QK-25) and Bearer formatting (§10.2). */
static void check_nonce_and_bearer(void)
{
    uint8_t sn[32], bn[32], cn[32];
    for (int i = 0; i < 32; i++) {
        sn[i] = (uint8_t)i;
        bn[i] = (uint8_t)(0x20 + i);
    }
    lpsp_view vs = {sn, 32}, vb = {bn, 32}, v31 = {sn, 31};
    lpsp_error e;
    FZ_ASSERT(lpsp_connection_nonce(vs, vb, cn, &e) == LPSP_OK, "connection nonce");
    char b64[LPSP_NONCE_B64_LEN + 1];
    lpsp_connection_nonce_b64(cn, b64);
    FZ_ASSERT(strcmp(b64, "/eq5rPNxA2K9JljNyaKej5x1f8+YEWA6jER80dkVEQg=") == 0, "§6.1 nonce renders as %s",
              b64);
    FZ_ASSERT(lpsp_connection_nonce(v31, vb, cn, &e) == LPSP_E_FIELD_SIZE &&
                  lpsp_connection_nonce(vs, v31, cn, &e) == LPSP_E_FIELD_SIZE,
              "31-byte nonce accepted");
    char bearer[16];
    size_t w = 0;
    FZ_ASSERT(lpsp_bearer_format((const uint8_t *)"tok", 3, bearer, sizeof bearer, &w, &e) == LPSP_OK &&
                  w == 10 && memcmp(bearer, "Bearer tok", 10) == 0,
              "Bearer format");
    FZ_ASSERT(lpsp_bearer_format((const uint8_t *)"tok", 3, bearer, 9, &w, &e) == LPSP_E_BUFFER_TOO_SMALL,
              "Bearer format into 9 bytes");
}

/* A message of the given type and variant (with an all-zero 64-byte digest
 * when with_digest is set) that lpsp_serialized_size must refuse. */
static void check_refused(lpsp_direction dir, uint16_t type, lpsp_variant variant, int with_digest,
                          const char *what)
{
    static const uint8_t d64[64];
    lpsp_msg m;
    lpsp_error e;
    size_t sz;
    lpsp_msg_init(&m, dir, type, variant);
    if (with_digest) {
        m.sha512.ptr = d64;
        m.sha512.len = 64;
    }
    FZ_ASSERT(lpsp_serialized_size(&m, 1, &sz, &e) == LPSP_E_INVALID_ARGUMENT, "%s not refused", what);
}

/* Serializer refusals (QUIRKS.md): QK-16, QK-17, QK-19, wrong variants. */
static void check_serializer_refusals(void)
{
    check_refused(LPSP_S2B, LPSP_S2B_NOTIFY, LPSP_VARIANT_COMPRESSED, 1, "QK-16 compressor 0");
    check_refused(LPSP_S2B, LPSP_S2B_NOTIFY, LPSP_VARIANT_NONE, 0, "NOTIFY without variant");
    check_refused(LPSP_B2S, LPSP_B2S_RECEIVE_STREAM, LPSP_VARIANT_CONTINUATION, 0, "QK-17 continuation 0");
    check_refused(LPSP_B2S, LPSP_B2S_RECEIVE_STREAM, LPSP_VARIANT_UNCOMPRESSED, 0,
                  "stream with a NOTIFY variant");
    check_refused(LPSP_S2B, LPSP_S2B_CONFIGURE, LPSP_VARIANT_NONE, 0, "QK-19 empty nonce");
    check_refused(LPSP_S2B, LPSP_S2B_NOTIFY, LPSP_VARIANT_UNCOMPRESSED, 1, "NOTIFY with a wrong digest");
}

void fz_api_selfcheck(void)
{
    static int done;
    if (done) return;
    done = 1;
    check_header_tables();
    check_names();
    check_statuses();
    check_nonce_and_bearer();
    check_serializer_refusals();
}
