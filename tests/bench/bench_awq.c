/* bench_awq.c - the int4 (AutoAWQ, group 128) decode matmul against the bf16 matmul on the
 * same shapes, in one run: one token (decode) through the expert and attention shapes of the
 * Qwen3-30B-A3B configuration and of the 735M benchmark model, on 1 and the given number of
 * threads. For each it prints microseconds per product, the weight bytes read per second and
 * that rate as a percentage of the streaming read rate measured in the same run (the bound a
 * matmul that reads each weight once cannot beat), and the int4 speedup over bf16, for int4 in
 * the AutoAWQ layout and in the decode layout the model loader builds (ds_k_awq_repack); on a
 * CPU with AVX-512 VNNI, the decode layout also through the float AVX-512 kernel, the baseline
 * of the integer one ("f32 rp").
 *   bench_awq [--threads T] [--reps N]
 * Weights are distinct copies per shape, about 1 GiB of each type and layout, cycled, so each
 * product reads them from memory rather than cache (a last-level cache of 300 MB holds 64
 * copies of the small shapes), as a decode step does. Never fails on a timing.
 */
#include "kernels/kernels.h"

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { GROUP = 128 };
#define SET_BYTES (1.0 * (1 << 30)) /* bytes of each set of copies: well past any last-level cache */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t next_u32(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (uint32_t)(rng >> 32);
}

/* Copies of a weight of (N, K), n4 in int4 and nb in bf16, each set about SET_BYTES; the
 * buffers are owned by the struct. */
typedef struct wset {
    int n4, nb;
    ds_k_awq *awq, *awq_rp; /* AutoAWQ layout; the same in the decode layout */
    void *rp;
    int32_t *qw, *qz;
    uint16_t *sc, *bf;
} wset;

static int wset_make(wset *w, int N, int K)
{
    const size_t nq = (size_t)K * N / 8, nz = (size_t)K / GROUP * N / 8, ns = (size_t)K / GROUP * N;
    const int COPIES = (int)(SET_BYTES / (0.5 * N * K)) + 1;
    w->n4 = COPIES;
    w->nb = (int)(SET_BYTES / (2.0 * N * K)) + 1;
    w->awq = malloc(sizeof *w->awq * (size_t)COPIES);
    w->awq_rp = malloc(sizeof *w->awq_rp * (size_t)COPIES);
    w->qw = malloc(nq * 4 * COPIES);
    w->qz = malloc(nz * 4 * COPIES);
    w->sc = malloc(ns * 2 * COPIES);
    w->bf = malloc((size_t)N * K * 2 * w->nb);
    if (!w->qw || !w->qz || !w->sc || !w->bf || !w->awq || !w->awq_rp)
        return -1;
    for (size_t i = 0; i < nq * COPIES; i++)
        w->qw[i] = (int32_t)next_u32();
    for (size_t i = 0; i < nz * COPIES; i++)
        w->qz[i] = (int32_t)next_u32();
    for (size_t i = 0; i < ns * COPIES; i++)
        w->sc[i] = ds_k_f32_to_f16((float)(next_u32() % 1000 + 1) * 1e-5f);
    for (size_t i = 0; i < (size_t)N * K * w->nb; i++)
        w->bf[i] = ds_k_f32_to_bf16((float)(next_u32() % 2001) * 1e-3f - 1.0f);
    for (int c = 0; c < COPIES; c++)
        w->awq[c] = (ds_k_awq){w->qw + nq * c, w->qz + nz * c, w->sc + ns * c, GROUP, NULL};
    const size_t rs = (ds_k_awq_repack_size(N, K, GROUP) + 63) / 64 * 64;
    if (!(w->rp = aligned_alloc(64, rs * COPIES)))
        return -1;
    for (int c = 0; c < COPIES; c++) {
        ds_k_awq_repack((char *)w->rp + rs * c, &w->awq[c], N, K);
        w->awq_rp[c] = w->awq[c];
        w->awq_rp[c].repacked = (char *)w->rp + rs * c;
    }
    return 0;
}

static void wset_free(wset *w)
{
    free(w->qw);
    free(w->qz);
    free(w->sc);
    free(w->bf);
    free(w->rp);
    free(w->awq);
    free(w->awq_rp);
}

/* Median seconds of one T=1 product over reps rounds of the set's copies of the weight. */
static double time_mm(ds_kctx *c, const wset *w, int awq, int N, int K, int reps, float *y, const float *x)
{
    double t[64];
    const int copies = awq ? w->n4 : w->nb;
    for (int r = 0; r <= reps; r++) {
        const double t0 = now();
        for (int i = 0; i < copies; i++) {
            ds_k_weight W = awq == 2 ? (ds_k_weight){&w->awq_rp[i], DS_K_AWQ4}
                            : awq    ? (ds_k_weight){&w->awq[i], DS_K_AWQ4}
                                     : (ds_k_weight){w->bf + (size_t)N * K * i, DS_K_BF16};
            ds_k_matmul(c, y, x, W, 1, N, K, 0);
        }
        if (r > 0) /* round 0 warms up */
            t[r - 1] = (now() - t0) / copies;
    }
    for (int i = 1; i < reps; i++) /* insertion sort, then the median */
        for (int j = i; j > 0 && t[j] < t[j - 1]; j--) {
            const double s = t[j];
            t[j] = t[j - 1], t[j - 1] = s;
        }
    return t[reps / 2];
}

int main(int argc, char **argv)
{
    int threads = 2, reps = 9, ch;
    while ((ch = getopt(argc, argv, "t:r:h")) != -1)
        switch (ch) {
        case 't': threads = atoi(optarg); break;
        case 'r': reps = atoi(optarg); break;
        default: printf("usage: bench_awq [-t THREADS] [-r REPS]\n"); return ch == 'h' ? 0 : 2;
        }
    if (threads < 1 || threads > 64 || reps < 1 || reps > 64)
        return fprintf(stderr, "bench_awq: bad arguments\n"), 2;
    static const struct {
        const char *name;
        int N, K;
    } shapes[] = {
        {"30B-A3B expert gate/up", 768, 2048},
        {"30B-A3B expert down", 2048, 768},
        {"30B-A3B q_proj", 4096, 2048},
        {"735M expert gate/up", 512, 1024},
        {"735M expert down", 1024, 512},
        {"output layer (hidden 2048)", 151936, 2048},
        {"output layer (hidden 1024)", 151936, 1024},
    };
    double load = -1;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &load) != 1)
            load = -1;
        fclose(f);
    }
    printf("cpu: %s kernels, %ld online cores; load average at start %.2f (other work on these "
           "cores lowers every figure)\n",
           ds_k_isa_name(ds_k_isa_best()), sysconf(_SC_NPROCESSORS_ONLN), load);
    for (int th = 1; th <= threads; th += threads > 1 ? threads - 1 : 1) {
        ds_kctx *c = NULL, *cf = NULL; /* cf: the float decode kernel, where c runs the VNNI one */
        ds_err err;
        if (ds_kctx_create(&c, th, DS_K_ISA_AUTO, &err) != DS_OK ||
            (ds_kctx_isa(c) == DS_K_ISA_AVX512_VNNI && ds_kctx_create(&cf, th, DS_K_ISA_AVX512, &err) != DS_OK))
            return fprintf(stderr, "bench_awq: %s\n", err.msg), 1;
        const double bw = ds_k_read_bandwidth(c, (size_t)512 << 20, 3);
        printf("\n%d thread(s): streaming read %.1f GB/s\n%-26s %12s %9s %9s %9s %9s %8s %9s %9s %8s", th, bw,
               "one token (N x K)", "shape", "bf16 us", "% bound", "int4 us", "% bound", "speedup", "int4rp us",
               "% bound", "speedup");
        printf(cf ? " %9s %9s\n" : "\n", "f32 rp us", "% bound");
        for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
            const int N = shapes[s].N, K = shapes[s].K;
            wset w;
            float *x = malloc((size_t)K * 4), *y = malloc((size_t)N * 4);
            if (!x || !y || wset_make(&w, N, K) != 0)
                return fprintf(stderr, "bench_awq: out of memory\n"), 1;
            for (int k = 0; k < K; k++)
                x[k] = (float)(next_u32() % 2001) * 1e-3f - 1.0f;
            const double tb = time_mm(c, &w, 0, N, K, reps, y, x);
            const double tq = time_mm(c, &w, 1, N, K, reps, y, x);
            const double tr = time_mm(c, &w, 2, N, K, reps, y, x);
            const double bb = (double)N * K * 2;
            const double bq = (double)N * K / 2 + (double)K / GROUP * N * 2.5;
            char dims[32];
            snprintf(dims, sizeof dims, "%dx%d", N, K);
            printf("%-26s %12s %9.1f %8.0f%% %9.1f %8.0f%% %7.2fx %9.1f %8.0f%% %7.2fx", shapes[s].name, dims, tb * 1e6,
                   100.0 * bb / tb / 1e9 / bw, tq * 1e6, 100.0 * bq / tq / 1e9 / bw, tb / tq, tr * 1e6,
                   100.0 * bq / tr / 1e9 / bw, tb / tr);
            if (cf) {
                const double tf = time_mm(cf, &w, 2, N, K, reps, y, x);
                printf(" %9.1f %8.0f%%", tf * 1e6, 100.0 * bq / tf / 1e9 / bw);
            }
            printf("\n");
            wset_free(&w);
            free(x);
            free(y);
        }
        ds_kctx_free(c);
        ds_kctx_free(cf);
    }
    return 0;
}
