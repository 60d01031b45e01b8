/* bench_redflags.c - the red-flag rules on the labelled sentences from real filings
 * (tests/extract/data/redflags_labelled.tsv): precision and recall per rule with the sentences
 * read (ds_extract_redflags), against the baseline measured in the same run, the phrases alone
 * (ds_extract_redflags_phrases); and the time each takes over the whole set (CPU time of this
 * thread, best of 5). Prints figures only; never fails on a timing. */
#include "testlib.h"

#include "../extract/redflags_eval.h"

#include <stdio.h>
#include <time.h>

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double best_time(const char *path, ds_rfeval_fn fn, ds_rfeval *r)
{
    double best = 1e30;
    for (int k = 0; k < 5; k++) {
        double t0 = cpu_now();
        if (ds_rfeval_run(path, fn, 0, r) != 0)
            return -1;
        double dt = cpu_now() - t0;
        if (dt < best)
            best = dt;
    }
    return best;
}

int main(void)
{
    const char *path = ds_test_source("tests/extract/data/redflags_labelled.tsv");
    ds_rfeval read, base;
    double t_read = best_time(path, ds_extract_redflags, &read);
    double t_base = best_time(path, ds_extract_redflags_phrases, &base);
    if (t_read < 0 || t_base < 0)
        return 1;
    ds_rfeval_print("bench_redflags: sentences read (ds_extract_redflags)", &read);
    ds_rfeval_print("bench_redflags: baseline, phrases only (ds_extract_redflags_phrases)", &base);
    printf("bench_redflags: %-10s precision %.3f recall %.3f  %.2f ms for %zu sentences\n", "read",
           ds_rfeval_precision(read.tp, read.fp), ds_rfeval_recall(read.tp, read.fn), t_read * 1e3, read.sentences);
    printf("bench_redflags: %-10s precision %.3f recall %.3f  %.2f ms for %zu sentences\n", "baseline",
           ds_rfeval_precision(base.tp, base.fp), ds_rfeval_recall(base.tp, base.fn), t_base * 1e3, base.sentences);
    return 0;
}
