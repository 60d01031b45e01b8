/* bench_pdf.c - pages per second of dossier's PDF stage (ds_pdf_parse: text, layout, tables,
 * headings) against `pdftotext -layout` run over the same files in the same run, with 1 and 2
 * worker processes each (workers take files from a shared counter, so the load balances).
 *
 * Usage: bench_pdf [-r rounds] [pdf files or folders...]
 * Default input: ../shared/data/financial_pdf. Every file is processed `rounds` times (default
 * 5) per measurement. Prints a table; never fails on timing (exit 0), 77 when no PDF is found.
 */
#include "ingest/ingest.h"
#include "pipeline/core/buf.h"
#include "tests/testlib.h"

#include <dirent.h>
#include <getopt.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_FILES 256

typedef struct input {
    char *path[MAX_FILES];
    int pages[MAX_FILES];
    int n;
} input;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int has_pdf_suffix(const char *s)
{
    size_t n = strlen(s);
    return n > 4 && strcasecmp(s + n - 4, ".pdf") == 0;
}

static void add_path(input *in, const char *p)
{
    struct stat st;
    if (stat(p, &st) != 0)
        return;
    if (!S_ISDIR(st.st_mode)) {
        if (in->n < MAX_FILES)
            in->path[in->n++] = strdup(p);
        return;
    }
    DIR *d = opendir(p);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || !has_pdf_suffix(e->d_name) || in->n >= MAX_FILES)
            continue;
        char full[4096];
        snprintf(full, sizeof full, "%s/%s", p, e->d_name);
        in->path[in->n++] = strdup(full);
    }
    closedir(d);
}

/* Parses one file with dossier; returns its page count, or -1. */
static int dossier_one(const char *path)
{
    ds_buf b = DS_BUF_INIT;
    ds_err err = {0};
    if (ds_buf_read_file(&b, path, 0, &err) != DS_OK)
        return -1;
    ds_document *doc;
    if (ds_document_create(&doc, &err) != DS_OK) {
        ds_buf_deinit(&b);
        return -1;
    }
    doc->source = path;
    ds_status st = ds_pdf_parse(doc, (const unsigned char *)b.data, b.len, NULL, &err);
    int pages = st == DS_OK ? doc->n_pages : -1;
    ds_document_free(doc);
    ds_buf_deinit(&b);
    return pages;
}

static int pdftotext_one(const char *path)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        execlp("pdftotext", "pdftotext", "-layout", "-q", path, "/dev/null", (char *)NULL);
        _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1;
    return 0;
}

/* Runs `workers` processes over rounds * n items; returns the wall time, or -1 on a failure. */
static double run(const input *in, int rounds, int workers, int baseline)
{
    atomic_int *next = mmap(NULL, sizeof(atomic_int) * 2, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (next == MAP_FAILED)
        return -1;
    atomic_init(&next[0], 0);
    atomic_init(&next[1], 0); /* failures */
    int total = rounds * in->n;
    double t0 = now();
    for (int w = 0; w < workers; w++) {
        pid_t pid = fork();
        if (pid == 0) {
            for (;;) {
                int i = atomic_fetch_add(&next[0], 1);
                if (i >= total)
                    break;
                const char *p = in->path[i % in->n];
                if ((baseline ? pdftotext_one(p) : dossier_one(p)) < 0)
                    atomic_fetch_add(&next[1], 1);
            }
            _exit(0);
        }
    }
    while (wait(NULL) > 0)
        ;
    double t = now() - t0;
    int failed = atomic_load(&next[1]);
    munmap(next, sizeof(atomic_int) * 2);
    return failed ? -1 : t;
}

int main(int argc, char **argv)
{
    int rounds = 5, opt;
    while ((opt = getopt(argc, argv, "r:")) != -1) {
        if (opt == 'r')
            rounds = atoi(optarg) > 0 ? atoi(optarg) : 1;
        else {
            fprintf(stderr, "usage: %s [-r rounds] [pdf files or folders...]\n", argv[0]);
            return 2;
        }
    }
    input in = {0};
    for (int i = optind; i < argc; i++)
        add_path(&in, argv[i]);
    if (optind == argc) {
        const char *d = ds_test_shared("data/financial_pdf");
        if (d)
            add_path(&in, d);
    }
    /* Warm-up pass: page counts, file cache; files dossier cannot parse are left out. */
    int pages = 0, kept = 0;
    for (int i = 0; i < in.n; i++) {
        int p = dossier_one(in.path[i]);
        if (p <= 0) {
            fprintf(stderr, "skipping %s (not parsed)\n", in.path[i]);
            free(in.path[i]);
            continue;
        }
        in.path[kept] = in.path[i];
        in.pages[kept++] = p;
        pages += p;
    }
    in.n = kept;
    if (in.n == 0) {
        printf("skip: no PDF to measure\n");
        return 77;
    }
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    printf("bench_pdf: %d files, %d pages, %d rounds (%d pages per measurement), %ld cpus\n", in.n, pages, rounds,
           pages * rounds, ncpu);
    double base1 = -1;
    printf("%-34s %7s %8s %9s %10s %12s\n", "engine", "workers", "pages", "seconds", "pages/s", "time vs base");
    for (int baseline = 1; baseline >= 0; baseline--) {
        for (int workers = 1; workers <= 2; workers++) {
            double t = run(&in, rounds, workers, baseline);
            const char *name = baseline ? "pdftotext -layout (baseline)" : "dossier ds_pdf_parse";
            if (t < 0) {
                printf("%-34s %7d %8d %9s %10s %12s\n", name, workers, pages * rounds, "failed", "-", "-");
                continue;
            }
            if (baseline && workers == 1)
                base1 = t;
            char ratio[32] = "-";
            if (base1 > 0)
                snprintf(ratio, sizeof ratio, "%.2fx", t / base1);
            printf("%-34s %7d %8d %9.3f %10.1f %12s\n", name, workers, pages * rounds, t, pages * rounds / t, ratio);
        }
    }
    printf("time vs base: wall time over pdftotext -layout with 1 worker (lower is faster)\n");
    for (int i = 0; i < in.n; i++)
        free(in.path[i]);
    return 0;
}
