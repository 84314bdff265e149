/* Replay driver: feeds files and directories (recursively, in sorted order)
 * to LLVMFuzzerTestOneInput, one call per file, so that corpora, crash
 * inputs and vector seeds run through any target without a fuzzing engine
 * (gcc with ASan+UBSan, or clang with coverage instrumentation).
 *
 *   replay [-q] PATH...     exit 0 when every input ran; an oracle violation
 *                           or sanitizer report aborts with the input's name
 *                           printed first.
 *
 * The harness objects of replay builds are compiled with -DFZ_REPLAY, which
 * runs every oracle on every input and checks every strict prefix of each
 * accepted input, where fuzzing builds sample them. */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

static int quiet;
static size_t n_inputs;
static const char *volatile current;

/* A crash (oracle abort or sanitizer report) names the input first. */
static void name_input(void)
{
    const char *c = current;
    if (c) {
        static const char pre[] = "replay: crashing input: ";
        if (write(2, pre, sizeof pre - 1) < 0 || write(2, c, strlen(c)) < 0 || write(2, "\n", 1) < 0) return;
    }
}
static void on_abort(int sig)
{
    name_input();
    signal(sig, SIG_DFL);
    raise(sig);
}

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return -1;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    if (!buf) abort();
    size_t r;
    while ((r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            uint8_t *t = realloc(buf, cap *= 2);
            if (!t) abort();
            buf = t;
        }
    }
    fclose(f);
    /* Exact-size copy: a read past the input is a heap overflow. */
    uint8_t *in = malloc(n ? n : 1);
    if (!in) abort();
    memcpy(in, buf, n);
    free(buf);
    if (!quiet) fprintf(stderr, "replay: %s (%zu bytes)\n", path, n);
    current = path;
    LLVMFuzzerTestOneInput(in, n);
    current = NULL;
    free(in);
    n_inputs++;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: no such file or directory: %s\n", path);
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) return run_file(path);
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "replay: cannot open directory %s\n", path);
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        if (n == cap) {
            char **t = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof *names);
            if (!t) abort();
            names = t;
        }
        size_t l = strlen(path) + strlen(e->d_name) + 2;
        names[n] = malloc(l);
        if (!names[n]) abort();
        snprintf(names[n], l, "%s/%s", path, e->d_name);
        n++;
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_str);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (run_path(names[i]) != 0) rc = -1;
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    int i = 1;
    if (i < argc && strcmp(argv[i], "-q") == 0) {
        quiet = 1;
        i++;
    }
    if (i >= argc) {
        fprintf(stderr, "usage: %s [-q] FILE-OR-DIR...\n", argv[0]);
        return 2;
    }
    signal(SIGABRT, on_abort);
    signal(SIGSEGV, on_abort);
    if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(name_input);
    if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
    int rc = 0;
    for (; i < argc; i++)
        if (run_path(argv[i]) != 0) rc = 1;
    fprintf(stderr, "replay: %s: %zu inputs, no oracle violation\n", argv[0], n_inputs);
    return rc;
}
