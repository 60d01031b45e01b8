/* membw.c - the streaming read rate of main memory on the context's thread pool: the rate a
 * decode step that reads each weight once cannot beat (its bandwidth bound). Used by
 * `dossier model bench` and bench_model, so both measure the bound the same way.
 * Owns nothing past the call (the buffer is allocated and freed inside); reentrant, but
 * measuring while other work runs on the pool is meaningless.
 */
#include "kernels/kernels.h"
#include "pipeline/core/clock.h"

#include <stdlib.h>
#include <time.h>

typedef struct bw_job {
    const float *p;
    size_t n; /* floats */
    int parts;
    float sum[64]; /* one per part, so the reads are not optimised away */
} bw_job;

static void bw_part(void *arg, int task, int thread)
{
    (void)thread;
    bw_job *b = arg;
    const size_t len = b->n / (size_t)b->parts;
    const float *p = b->p + len * (size_t)task;
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (size_t i = 0; i + 64 <= len; i += 64) { /* one line per step, four lines in flight */
        s0 += p[i];
        s1 += p[i + 16];
        s2 += p[i + 32];
        s3 += p[i + 48];
    }
    b->sum[task] = s0 + s1 + s2 + s3;
}

double ds_k_read_bandwidth(ds_kctx *c, size_t bytes, int reps)
{
    bw_job b = {.n = bytes / sizeof(float), .parts = ds_kctx_threads(c)};
    if (b.parts > 64)
        b.parts = 64;
    float *p = malloc(b.n * sizeof(float));
    if (!p || b.n < 64 * (size_t)b.parts)
        return free(p), 0.0;
    for (size_t i = 0; i < b.n; i++)
        p[i] = (float)(i & 7);
    b.p = p;
    double best = 0;
    for (int r = 0; r < (reps > 0 ? reps : 1); r++) {
        const double t0 = ds_now_s();
        ds_kctx_parallel(c, bw_part, &b, b.parts);
        const double gbs = (double)(b.n * sizeof(float)) / (ds_now_s() - t0) / 1e9;
        best = gbs > best ? gbs : best;
    }
    free(p);
    return best;
}
