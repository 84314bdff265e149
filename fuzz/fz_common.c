/* Helpers shared by the oracle files (fz_common.h). */
#include "fz_common.h"

#include <openssl/sha.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Failure reporting, modes                                            */

void fz_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "lpsp-fuzz: ORACLE VIOLATED (%s:%d): ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
    abort();
}

int fz_exhaustive(void)
{
#ifdef FZ_REPLAY
    return 1;
#else
    static int on = -1;
    if (on < 0) {
        const char *e = getenv("LPSP_FUZZ_EXHAUSTIVE");
        on = e && *e && strcmp(e, "0") != 0;
    }
    return on;
#endif
}

uint32_t fz_hash(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

size_t fz_pick(uint32_t *h, size_t n)
{
    *h = *h * 1103515245u + 12345u;
    return (size_t)(*h >> 8) % n;
}

int fz_heavy(const uint8_t *data, size_t len)
{
    return fz_exhaustive() || (fz_hash(data, len) & 7) == 0;
}

/* ------------------------------------------------------------------ */
/* Allocation counting                                                 */

/* Per thread: only the calling thread's allocations are the codec's (the
 * fuzzing engine may allocate on its own threads meanwhile). */
static _Thread_local volatile int fz_counting;
static _Thread_local volatile size_t fz_allocs, fz_frees;

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define FZ_SANITIZER_HOOKS 1
#endif
#endif
#if !defined(FZ_SANITIZER_HOOKS) && defined(__SANITIZE_ADDRESS__)
#define FZ_SANITIZER_HOOKS 1
#endif

#ifdef FZ_SANITIZER_HOOKS
/* sanitizer/allocator_interface.h, declared here for gcc and clang alike. */
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void *, size_t),
                                              void (*free_hook)(const volatile void *));
static void fz_malloc_hook(const volatile void *p, size_t n)
{
    (void)p;
    (void)n;
    if (fz_counting) fz_allocs++;
}
static void fz_free_hook(const volatile void *p)
{
    if (fz_counting && p) fz_frees++;
}
static void fz_hooks_install(void)
{
    static int done;
    if (!done) {
        __sanitizer_install_malloc_and_free_hooks(fz_malloc_hook, fz_free_hook);
        done = 1;
    }
}
#else
/* No sanitizer allocator: interpose the glibc allocation functions. */
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t a, size_t b);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);
void *malloc(size_t n)
{
    if (fz_counting) fz_allocs++;
    return __libc_malloc(n);
}
void *calloc(size_t a, size_t b)
{
    if (fz_counting) fz_allocs++;
    return __libc_calloc(a, b);
}
void *realloc(void *p, size_t n)
{
    if (fz_counting) fz_allocs++;
    return __libc_realloc(p, n);
}
void free(void *p)
{
    if (fz_counting && p) fz_frees++;
    __libc_free(p);
}
static void fz_hooks_install(void) {}
#endif

void fz_alloc_begin(void)
{
    static int warm;
    if (!warm) {
        /* libcrypto's one-time initialisation is not the codec's doing. */
        uint8_t d[64];
        SHA512((const uint8_t *)"", 0, d);
        warm = 1;
    }
    fz_hooks_install();
    fz_allocs = fz_frees = 0;
    fz_counting = 1;
}

void fz_alloc_end(const char *what)
{
    fz_counting = 0;
    size_t a = fz_allocs, f = fz_frees;
    FZ_ASSERT(a == 0, "%s allocated %zu times (freed %zu)", what, a, f);
}

void *fz_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) abort();
    return p;
}

uint8_t *fz_dup(const uint8_t *data, size_t len)
{
    uint8_t *p = fz_malloc(len);
    if (len) memcpy(p, data, len);
    return p;
}

lpsp_view fz_field(const uint8_t *in, size_t len, size_t *pos, uint8_t max_sep, int *sep)
{
    size_t p = *pos, q = p;
    while (q < len && in[q] > max_sep)
        q++;
    lpsp_view v = {in + (p < len ? p : len), p < len ? q - p : 0};
    if (sep) *sep = q < len ? in[q] : -1;
    *pos = q + 1;
    return v;
}

/* ------------------------------------------------------------------ */
/* Generic invariants                                                  */

int fz_is_parse_error(lpsp_status st)
{
    return st == LPSP_E_TRUNCATED || (st <= -10 && st >= -29);
}

void fz_check_error(const char *what, lpsp_status st, const lpsp_error *e, size_t inlen)
{
    FZ_ASSERT(e->status == st, "%s: returned %d but err.status is %d", what, st, e->status);
    FZ_ASSERT(e->reason != NULL && e->reason[0] != 0, "%s: status %s without a reason", what,
              lpsp_status_name(st));
    FZ_ASSERT(e->offset <= inlen, "%s: error offset %zu beyond input length %zu (%s: %s)", what, e->offset,
              inlen, lpsp_status_name(st), e->reason);
    FZ_ASSERT(strcmp(lpsp_status_name(st), "unknown") != 0, "%s: undocumented status %d", what, st);
}

void fz_check_view(const char *what, lpsp_view v, const uint8_t *buf, size_t len)
{
    /* Empty views carry no bytes; the codec points absent fields at a static
     * empty object (lpsp_msg_init), so only non-empty views are checked. */
    if (v.len == 0) return;
    FZ_ASSERT(v.ptr >= buf && v.ptr <= buf + len && v.len <= (size_t)(buf + len - v.ptr),
              "%s: view [%p,+%zu) not inside the input [%p,+%zu)", what, (const void *)v.ptr, v.len,
              (const void *)buf, len);
}

int fz_view_eq(lpsp_view a, lpsp_view b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

void fz_check_views(const fz_named_view *v, size_t n, const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < n; i++)
        fz_check_view(v[i].name, v[i].v, buf, len);
}

void fz_check_parse_error(const char *what, lpsp_status st, const lpsp_error *e, size_t len, int skip_digest)
{
    FZ_ASSERT(fz_is_parse_error(st), "%s: status %d (%s) outside the parse set", what, st,
              lpsp_status_name(st));
    fz_check_error(what, st, e, len);
    if (skip_digest)
        FZ_ASSERT(st != LPSP_E_HASH_MISMATCH, "%s: hash_mismatch although digests are skipped", what);
}
