/* bench_model.c - speed of the CPU model engine against baselines measured in the same run:
 *   memory bandwidth   a streaming read, 1 and 2 threads (the decode bound)
 *   GEMM               our bf16-weight matmul against OpenBLAS sgemm (fp32 weights) on the
 *                      prefill shapes of the model, 1 and 2 threads
 *   prefill            tokens/s and GFLOP/s against the sgemm figure (target >= 60%)
 *   decode             tokens/s against bandwidth / bytes-per-token (target >= 50%)
 *   reference          speedup of the fast path over the plain reference pass
 * and peak memory. Default model: a 735M-parameter random Qwen3-MoE (hidden 1024,
 * 8 layers, 16/4 heads, head_dim 64, 32 experts top-8, moe_intermediate 512, vocab 151936,
 * bf16), generated into $DS_BINARY_DIR/bench735m when absent (1.5 GB).
 *   bench_model [--model DIR] [--prompt-tokens N] [--gen-tokens M] [--threads T] [--quick]
 * OpenBLAS picks its kernels when the library loads; on virtual machines it may not recognise
 * the CPU, so this program re-executes itself with OPENBLAS_CORETYPE set to match the
 * instruction set cpuid reports (SkylakeX for AVX-512, Haswell for AVX2) unless already set.
 * Timings on a shared machine are noisy: every figure comes with the baseline of the same run.
 * Never fails on a timing.
 */
#include "kernels/kernels.h"
#include "model/model_internal.h"
#include "tests/model/tiny_moe.h"

#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifdef DS_HAVE_OPENBLAS
#include <cblas.h>
void openblas_set_num_threads(int);
char *openblas_get_corename(void);
#endif

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/* ---- GEMM ---------------------------------------------------------------------------------- */

typedef struct shape {
    const char *name;
    int T, N, K;
    double weight; /* how many such products one prefill step runs, for the aggregate */
} shape;

static double time_ours(ds_kctx *c, int T, int N, int K, int reps)
{
    float *x = malloc((size_t)T * K * 4), *y = malloc((size_t)T * N * 4);
    uint16_t *w = malloc((size_t)N * K * 2);
    for (size_t i = 0; i < (size_t)T * K; i++)
        x[i] = (float)((i * 2654435761u) % 1000) / 1000.0f - 0.5f;
    for (size_t i = 0; i < (size_t)N * K; i++)
        w[i] = ds_k_f32_to_bf16((float)((i * 40503u) % 1000) / 1000.0f - 0.5f);
    ds_k_weight W = {w, DS_K_BF16};
    ds_k_matmul(c, y, x, W, T, N, K, 0); /* warm */
    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        ds_k_matmul(c, y, x, W, T, N, K, 0);
        double dt = now() - t0;
        best = dt < best ? dt : best;
    }
    free(x);
    free(y);
    free(w);
    return best;
}

#ifdef DS_HAVE_OPENBLAS
static double time_blas(int threads, int T, int N, int K, int reps)
{
    openblas_set_num_threads(threads);
    float *x = malloc((size_t)T * K * 4), *y = malloc((size_t)T * N * 4), *w = malloc((size_t)N * K * 4);
    for (size_t i = 0; i < (size_t)T * K; i++)
        x[i] = (float)((i * 2654435761u) % 1000) / 1000.0f - 0.5f;
    for (size_t i = 0; i < (size_t)N * K; i++)
        w[i] = (float)((i * 40503u) % 1000) / 1000.0f - 0.5f;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, N, K, 1.0f, x, K, w, K, 0.0f, y, N);
    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, N, K, 1.0f, x, K, w, K, 0.0f, y, N);
        double dt = now() - t0;
        best = dt < best ? dt : best;
    }
    free(x);
    free(y);
    free(w);
    return best;
}
#endif

/* ---- model --------------------------------------------------------------------------------- */

/* Multiply-adds per token of the matmuls (lm_head excluded) and of attention at context ctx. */
static double macs_per_token(const ds_model_config *c, double ctx)
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

static double cpu_now(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
}

static long peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024;
}

int main(int argc, char **argv)
{
#ifdef DS_HAVE_OPENBLAS
    if (!getenv("OPENBLAS_CORETYPE")) {
        ds_k_isa isa = ds_k_isa_best();
        if (isa >= DS_K_ISA_AVX2) {
            setenv("OPENBLAS_CORETYPE", isa == DS_K_ISA_AVX512 ? "SkylakeX" : "Haswell", 1);
            execv("/proc/self/exe", argv);
            /* if exec fails, go on with the library's own choice */
        }
    }
#endif
    const char *model = NULL;
    int np = 512, ng = 32, threads = 2, quick = 0;
    static const struct option lo[] = {{"model", required_argument, 0, 'm'},
                                       {"prompt-tokens", required_argument, 0, 'p'},
                                       {"gen-tokens", required_argument, 0, 'g'},
                                       {"threads", required_argument, 0, 't'},
                                       {"quick", no_argument, 0, 'q'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "m:p:g:t:qh", lo, NULL)) != -1) {
        switch (ch) {
        case 'm': model = optarg; break;
        case 'p': np = atoi(optarg); break;
        case 'g': ng = atoi(optarg); break;
        case 't': threads = atoi(optarg); break;
        case 'q': quick = 1; break;
        default:
            printf("usage: bench_model [--model DIR] [--prompt-tokens N] [--gen-tokens M] "
                   "[--threads T] [--quick]\n");
            return ch == 'h' ? 0 : 2;
        }
    }
    if (threads < 1 || threads > 8 || np < 1 || ng < 1) {
        fprintf(stderr, "bench_model: bad arguments\n");
        return 2;
    }
    char gen_dir[4096];
    if (!model) {
        const char *bin = getenv("DS_BINARY_DIR");
        snprintf(gen_dir, sizeof gen_dir, "%s/bench735m", bin ? bin : ".");
        struct stat st;
        snprintf(gen_dir + strlen(gen_dir), sizeof gen_dir - strlen(gen_dir), "%s", "");
        char cfg[4200];
        snprintf(cfg, sizeof cfg, "%s/config.json", gen_dir);
        if (stat(cfg, &st) != 0) {
            tiny_spec s;
            tiny_spec_bench735m(&s);
            printf("generating the 735M-parameter benchmark model into %s ...\n", gen_dir);
            if (tiny_write(gen_dir, &s) != 0)
                return 1;
        }
        model = gen_dir;
    }
    ds_k_isa isa = ds_k_isa_best();
    printf("cpu: %s kernels, %ld online cores; benchmark threads: %d\n", ds_k_isa_name(isa),
           sysconf(_SC_NPROCESSORS_ONLN), threads);
#ifdef DS_HAVE_OPENBLAS
    printf("baseline: OpenBLAS %s core (OPENBLAS_CORETYPE=%s)\n", openblas_get_corename(),
           getenv("OPENBLAS_CORETYPE") ? getenv("OPENBLAS_CORETYPE") : "unset");
#else
    printf("baseline: OpenBLAS not found at build time; GEMM baseline column empty\n");
#endif
    double load1;
    {
        FILE *f = fopen("/proc/loadavg", "r");
        if (!f || fscanf(f, "%lf", &load1) != 1)
            load1 = -1;
        if (f)
            fclose(f);
    }
    printf("machine load average at start: %.2f (other work on these cores lowers every figure)\n\n", load1);

    /* 1. memory bandwidth */
    ds_kctx *k1 = NULL, *kt = NULL;
    ds_err err;
    if (ds_kctx_create(&k1, 1, DS_K_ISA_AUTO, &err) != DS_OK ||
        ds_kctx_create(&kt, threads, DS_K_ISA_AUTO, &err) != DS_OK) {
        fprintf(stderr, "bench_model: %s\n", err.msg);
        return 1;
    }
    const size_t bw_bytes = (size_t)512 << 20;
    double bw1 = ds_k_read_bandwidth(k1, bw_bytes, 3);
    double bw2 = threads > 1 ? ds_k_read_bandwidth(kt, bw_bytes, 3) : bw1;
    ds_kctx_free(kt);
    printf("%-44s %10.1f GB/s (1 thread)   %6.1f GB/s (%d threads)\n", "streaming read, 512 MiB",
           bw1, bw2, threads);

    /* 2. GEMM on the prefill shapes of the model */
    ds_model_opts mo;
    ds_model_opts_default(&mo);
    mo.n_threads = threads;
    mo.segment_tokens = np < 512 ? np : 512;
    mo.copy_weights = 1; /* weights on 2 MiB pages */
    ds_model *m = NULL;
    if (ds_model_load(&m, model, &mo, &err) != DS_OK) {
        fprintf(stderr, "bench_model: %s\n", err.msg);
        return 1;
    }
    const ds_model_config *c = ds_model_config_of(m);
    const int S = mo.segment_tokens, H = c->hidden_size, D = c->head_dim;
    const int rows_per_expert = c->num_experts > 0 ? S * c->num_experts_per_tok / c->num_experts : S;
    shape shapes[] = {
        {"q_proj / o_proj", S, c->num_heads * D, H, 2.0},
        {"k_proj / v_proj", S, c->num_kv_heads * D, H, 2.0},
        {"expert gate / up", rows_per_expert, c->moe_intermediate_size, H, 2.0 * c->num_experts},
        {"expert down", rows_per_expert, H, c->moe_intermediate_size, 1.0 * c->num_experts},
    };
    const int n_shapes = c->num_experts > 0 ? 4 : 2;
    ds_kctx *kn = ds_model_kctx(m);
    printf("\n%-28s %16s %12s %12s %12s %12s\n", "GEMM (T x N x K), GFLOP/s", "shape", "ours 1t",
           "sgemm 1t", "ours Nt", "sgemm Nt");
    double agg_ours = 0, agg_blas = 0, agg_flop = 0;
    int reps = quick ? 2 : 5;
    for (int i = 0; i < n_shapes; i++) {
        const shape *s = &shapes[i];
        double fl = 2.0 * s->T * s->N * s->K;
        double o1 = time_ours(k1, s->T, s->N, s->K, reps), on = time_ours(kn, s->T, s->N, s->K, reps);
        double b1 = 0, bn = 0;
#ifdef DS_HAVE_OPENBLAS
        b1 = time_blas(1, s->T, s->N, s->K, reps);
        bn = time_blas(threads, s->T, s->N, s->K, reps);
#endif
        char dims[64];
        snprintf(dims, sizeof dims, "%dx%dx%d", s->T, s->N, s->K);
        printf("%-28s %16s %12.1f %12.1f %12.1f %12.1f\n", s->name, dims, fl / o1 / 1e9,
               b1 > 0 ? fl / b1 / 1e9 : 0.0, fl / on / 1e9, bn > 0 ? fl / bn / 1e9 : 0.0);
        agg_flop += fl * s->weight;
        agg_ours += on * s->weight;
        agg_blas += bn * s->weight;
    }
    double gemm_ours = agg_flop / agg_ours / 1e9, gemm_blas = agg_blas > 0 ? agg_flop / agg_blas / 1e9 : 0;
    printf("%-28s %16s %12s %12s %12.1f %12.1f\n", "mix of one prefill step", "", "", "", gemm_ours,
           gemm_blas);
    ds_kctx_free(k1);

    /* 3. prefill and decode */
    const int V = c->vocab_size;
    int32_t *tok = malloc(sizeof(int32_t) * (size_t)np);
    for (int i = 0; i < np; i++)
        tok[i] = (int32_t)(((uint64_t)i * 7919u + 13) % (uint64_t)V);
    float *lg = malloc(sizeof(float) * (size_t)V);
    ds_model_seq *sq;
    ds_model_seq_create(m, &sq, &err);
    /* warm-up: fault the mapped weights in */
    ds_model_forward(m, sq, tok, np < 64 ? np : 64, DS_MODEL_LOGITS_LAST, lg, &err);
    ds_model_seq_truncate(sq, 0);
    double t0 = now(), c0 = cpu_now();
    ds_status st = ds_model_forward(m, sq, tok, np, DS_MODEL_LOGITS_LAST, lg, &err);
    double tp = now() - t0, cp = cpu_now() - c0;
    if (st != DS_OK) {
        fprintf(stderr, "bench_model: prefill: %s\n", err.msg);
        return 1;
    }
    t0 = now();
    c0 = cpu_now();
    for (int i = 0; i < ng && st == DS_OK; i++) {
        int32_t nx = ds_model_argmax(lg, V);
        st = ds_model_forward(m, sq, &nx, 1, DS_MODEL_LOGITS_LAST, lg, &err);
    }
    double td = now() - t0, cd = cpu_now() - c0;
    double pf_gflops = 2.0 * macs_per_token(c, (np + 1) / 2.0) * np / tp / 1e9;
    double bpt = (double)ds_model_decode_bytes(m, np);
    double bound = bw2 * 1e9 / bpt;
    printf("\n%-44s %10.1f tok/s   %6.1f GFLOP/s = %3.0f%% of sgemm on the same shapes\n",
           "prefill", np / tp, pf_gflops, gemm_blas > 0 ? 100.0 * pf_gflops / gemm_blas : 0.0);
    printf("%-44s %10.2f tok/s   bound %.1f tok/s (%.0f MB/token at %.1f GB/s) = %3.0f%%\n",
           "decode", ng / td, bound, bpt / 1e6, bw2, 100.0 * (ng / td) / bound);
    printf("%-44s prefill %.2f s of cpu for %.2f s of wall clock (%.1f GFLOP per cpu-second); "
           "decode %.3f cpu-s/token for %.3f s/token\n",
           "cpu time (what other processes do not take)", cp, tp, pf_gflops * tp / cp, cd / ng, td / ng);

    /* 4. the reference path on a few tokens */
    int nr = quick ? 2 : 4;
    double *ref = malloc(sizeof(double) * (size_t)V);
    ds_ref_info info;
    t0 = now();
    st = ds_model_reference_logits(m, tok, nr, 0, ref, &info, &err);
    double tr = now() - t0;
    ds_model_seq_truncate(sq, 0);
    t0 = now();
    ds_model_forward(m, sq, tok, nr, DS_MODEL_LOGITS_LAST, lg, &err);
    double tf = now() - t0;
    int agree = 0;
    if (st == DS_OK) {
        int bi = 0;
        for (int i = 1; i < V; i++)
            if (ref[i] > ref[bi])
                bi = i;
        agree = bi == ds_model_argmax(lg, V);
    }
    printf("%-44s %10.2f s      fast path %.3f s: speedup %.0fx (next token %s)\n",
           "reference pass, prefill of a few tokens", tr, tf, tr / tf, agree ? "agrees" : "DIFFERS");
    printf("%-44s %10ld MB\n", "peak resident memory (mapped weights count)", peak_rss_mb());
    free(ref);
    free(tok);
    free(lg);
    ds_model_seq_free(sq);
    ds_model_free(m);
    return 0;
}
