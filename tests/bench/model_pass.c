/* model_pass.c - the timing pieces the model benchmarks share (model_pass.h). */
#include "tests/bench/model_pass.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

double bp_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

double bp_cpu_now(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec * 1e-6;
}

long bp_peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024;
}

static int cmp_d(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double bp_median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double bp_macs_per_token(const ds_model_config *c, double ctx)
{
    const double H = c->hidden_size, D = c->head_dim, Hq = c->num_heads, Hkv = c->num_kv_heads;
    double m = 0;
    for (int l = 0; l < c->num_layers; l++) {
        m += H * D * (2 * Hq + 2 * Hkv);
        if (ds_model_config_layer_is_moe(c, l))
            m += H * c->num_experts + 3.0 * c->num_experts_per_tok * c->moe_intermediate_size * H;
        else
            m += 3.0 * c->intermediate_size * H;
        m += 2 * ctx * Hq * D;
    }
    return m;
}

int bp_one_pass(ds_model *m, ds_model_seq *sq, const int32_t *tok, int np, int ng, float *lg, double *tp, double *td,
                double *cpu)
{
    ds_err err;
    const int V = ds_model_config_of(m)->vocab_size;
    ds_model_seq_truncate(sq, 0);
    const double c0 = bp_cpu_now();
    double t0 = bp_now();
    ds_status st = ds_model_forward(m, sq, tok, np, DS_MODEL_LOGITS_LAST, lg, &err);
    *tp = bp_now() - t0;
    t0 = bp_now();
    for (int i = 0; i < ng && st == DS_OK; i++) {
        int32_t nx = ds_model_argmax(lg, V);
        st = ds_model_forward(m, sq, &nx, 1, DS_MODEL_LOGITS_LAST, lg, &err);
    }
    *td = bp_now() - t0;
    *cpu = bp_cpu_now() - c0;
    if (st != DS_OK)
        fprintf(stderr, "model pass: forward: %s\n", err.msg);
    return st == DS_OK ? 0 : -1;
}
