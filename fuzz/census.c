/* Comparison census: what one execution of a target costs libFuzzer's
 * value profile. The codec is built with SanitizerCoverage's comparison
 * tracing (-fsanitize-coverage=trace-cmp) and the fuzzing build's
 * sanitizers, and this driver provides the callbacks libFuzzer would: it
 * feeds every input file to LLVMFuzzerTestOneInput once and counts the
 * traced comparisons and the value-profile features they set, as libFuzzer
 * computes them (per comparison site, the Hamming distance and the
 * leading-zero distance of the two operands; switches on small values
 * skipped). libFuzzer walks the features of every execution afterwards, so
 * features per execution is what value profiling costs per input.
 *
 *   census [-n TOP] PATH...   files or directories (recursively)
 *
 * Prints the inputs, traced comparisons and features per execution, and
 * the TOP source lines (default 12) by features per execution. Not a fuzz
 * target; built by `make fuzz-census` (fuzz/README.md, Speed). */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"

void __sanitizer_symbolize_pc(void *pc, const char *fmt, char *out, size_t out_size);

/* Distinct (site, feature) pairs of the current execution: open
 * addressing over a table far larger than any execution needs. */
#define EXEC_BITS 16
static uint64_t exec_key[1u << EXEC_BITS];
static uint32_t exec_used[1u << EXEC_BITS]; /* stamp of the execution that set the slot */
static uint32_t stamp = 1;
static unsigned long long n_cmp, n_feat;

/* Features per site over all executions, for the report. */
#define SITE_BITS 14
static uintptr_t site_pc[1u << SITE_BITS];
static unsigned long long site_feat[1u << SITE_BITS];

static uint64_t mix(uint64_t k)
{
    return k * 0x9e3779b97f4a7c15u;
}

static void site_add(uintptr_t pc)
{
    uint32_t mask = (1u << SITE_BITS) - 1, h = (uint32_t)(mix(pc) >> 40) & mask;
    for (uint32_t i = 0; i <= mask; i++, h = (h + 1) & mask)
        if (site_pc[h] == pc || site_pc[h] == 0) {
            site_pc[h] = pc;
            site_feat[h]++;
            return;
        }
}

static void feature(uintptr_t pc, unsigned f)
{
    uint32_t mask = (1u << EXEC_BITS) - 1;
    uint64_t k = ((uint64_t)pc << 8) | f;
    uint32_t h = (uint32_t)(mix(k) >> 40) & mask;
    for (uint32_t i = 0; i <= mask; i++, h = (h + 1) & mask) {
        if (exec_used[h] != stamp) {
            exec_used[h] = stamp;
            exec_key[h] = k;
            n_feat++;
            site_add(pc);
            return;
        }
        if (exec_key[h] == k) return;
    }
}

static void cmp(uintptr_t pc, uint64_t a, uint64_t b)
{
    n_cmp++;
    feature(pc, (unsigned)__builtin_popcountll(a ^ b));
    feature(pc, 64u + (a == b ? 0u : (unsigned)__builtin_clzll(a - b) + 1u));
}

#define PC() ((uintptr_t)__builtin_return_address(0))
#define CMP(name, T)                                                                                         \
    void name(T a, T b);                                                                                     \
    void name(T a, T b)                                                                                      \
    {                                                                                                        \
        cmp(PC(), a, b);                                                                                     \
    }
CMP(__sanitizer_cov_trace_cmp1, uint8_t)
CMP(__sanitizer_cov_trace_cmp2, uint16_t)
CMP(__sanitizer_cov_trace_cmp4, uint32_t)
CMP(__sanitizer_cov_trace_cmp8, uint64_t)
CMP(__sanitizer_cov_trace_const_cmp1, uint8_t)
CMP(__sanitizer_cov_trace_const_cmp2, uint16_t)
CMP(__sanitizer_cov_trace_const_cmp4, uint32_t)
CMP(__sanitizer_cov_trace_const_cmp8, uint64_t)

void __sanitizer_cov_trace_switch(uint64_t v, uint64_t *cases);
void __sanitizer_cov_trace_switch(uint64_t v, uint64_t *cases)
{
    uint64_t n = cases[0];
    if (n == 0 || cases[2 + n - 1] < 256 || v < 256) return; /* as libFuzzer */
    uintptr_t pc = PC();
    for (uint64_t i = 0; i < n; i++)
        cmp(pc + i, v, cases[2 + i]);
}

void __sanitizer_cov_8bit_counters_init(uint8_t *start, uint8_t *stop);
void __sanitizer_cov_8bit_counters_init(uint8_t *start, uint8_t *stop)
{
    (void)start;
    (void)stop;
}

static size_t n_inputs;

static void run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(2);
    }
    size_t cap = 1 << 16, len = 0, r;
    uint8_t *buf = malloc(cap);
    while (buf && (r = fread(buf + len, 1, cap - len, f)) > 0) {
        len += r;
        if (len == cap) buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    if (!buf) {
        fprintf(stderr, "census: out of memory\n");
        exit(2);
    }
    /* An exact-size heap copy, as libFuzzer hands over. */
    uint8_t *in = malloc(len ? len : 1);
    memcpy(in, buf, len);
    free(buf);
    LLVMFuzzerTestOneInput(in, len);
    free(in);
    n_inputs++;
    stamp++;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        perror(path);
        exit(2);
    }
    if (!S_ISDIR(st.st_mode)) {
        run_file(path);
        return;
    }
    DIR *d = opendir(path);
    if (!d) {
        perror(path);
        exit(2);
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        names = realloc(names, (n + 1) * sizeof *names);
        size_t l = strlen(path) + strlen(e->d_name) + 2;
        names[n] = malloc(l);
        snprintf(names[n++], l, "%s/%s", path, e->d_name);
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        run_path(names[i]);
        free(names[i]);
    }
    free(names);
}

/* The report: features per execution by source line (several sites of a
 * line add up), the top lines first. */
typedef struct {
    char line[160];
    unsigned long long feat;
} line_total;

static int by_feat(const void *a, const void *b)
{
    const line_total *x = a, *y = b;
    return x->feat < y->feat ? 1 : x->feat > y->feat ? -1 : strcmp(x->line, y->line);
}

int main(int argc, char **argv)
{
    int top = 12, i = 1;
    if (i + 1 < argc && strcmp(argv[i], "-n") == 0) {
        top = atoi(argv[i + 1]);
        i += 2;
    }
    if (i >= argc) {
        fprintf(stderr, "usage: census [-n TOP] PATH...\n");
        return 2;
    }
    for (; i < argc; i++)
        run_path(argv[i]);
    if (n_inputs == 0) {
        fprintf(stderr, "census: no inputs\n");
        return 2;
    }
    line_total *lines = calloc(1u << SITE_BITS, sizeof *lines);
    size_t n = 0;
    for (uint32_t h = 0; h < (1u << SITE_BITS); h++) {
        if (!site_pc[h]) continue;
        char where[160];
        /* The call's return address is inside the line that compares. */
        __sanitizer_symbolize_pc((void *)(site_pc[h] - 1), "%s:%l", where, sizeof where);
        const char *w = strstr(where, "codec/");
        w = w ? w : where;
        size_t j = 0;
        while (j < n && strcmp(lines[j].line, w) != 0)
            j++;
        if (j == n) snprintf(lines[n++].line, sizeof lines->line, "%s", w);
        lines[j].feat += site_feat[h];
    }
    qsort(lines, n, sizeof *lines, by_feat);
    printf("inputs %zu, traced comparisons %.0f per execution, value-profile features %.1f per execution\n",
           n_inputs, (double)n_cmp / (double)n_inputs, (double)n_feat / (double)n_inputs);
    for (size_t j = 0; j < n && (int)j < top; j++)
        printf("  %6.2f  %s\n", (double)lines[j].feat / (double)n_inputs, lines[j].line);
    free(lines);
    return 0;
}
