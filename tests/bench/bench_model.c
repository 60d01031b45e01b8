/* bench_model.c - speed of the CPU model engine against baselines measured in the same run:
 *   memory bandwidth   a streaming read, 1 and 2 threads (the decode bound)
 *   GEMM               our bf16-weight matmul against OpenBLAS sgemm (fp32 weights) on the
 *                      prefill shapes of the model, 1 and 2 threads
 *   prefill, decode    of the model and of its int4 twin (AutoAWQ group 128, round to nearest,
 *                      written beside it once as DIR-awq): load time, a cold first pass (first
 *                      touch of the weights) on its own, then the median of N warm passes
 *                      (--reps, default 3) of a 512-token prefill and 32 decode steps; prefill
 *                      GFLOP/s; decode against its bandwidth bound = streaming read rate / bytes
 *                      one decoded token reads (ds_model_decode_bytes: attention, router, the
 *                      routed experts only, norms, output layer, one embedding row, KV cache at
 *                      the mean context of the decode steps)
 *   reference          speedup of the fast path over the plain reference pass
 * and peak memory. Default model: a 735M-parameter random Qwen3-MoE (hidden 1024,
 * 8 layers, 16/4 heads, head_dim 64, 32 experts top-8, moe_intermediate 512, vocab 151936,
 * bf16), generated into $DS_BINARY_DIR/bench735m when absent (1.5 GB).
 *   bench_model [--model DIR] [--prompt-tokens N] [--gen-tokens M] [--threads T] [--reps N]
 *               [--quick]
 * OpenBLAS picks its kernels when the library loads; on virtual machines it may not recognise
 * the CPU, so this program re-executes itself with OPENBLAS_CORETYPE set to match the
 * instruction set cpuid reports (SkylakeX for AVX-512, Haswell for AVX2) unless already set.
 * Timings on a shared machine are noisy: every figure comes with the baseline of the same run.
 * Never fails on a timing.
 */
#include "kernels/kernels.h"
#include "model/awq.h"
#include "model/model_internal.h"
#include "model/tokenizer/tokenizer.h"
#include "tests/bench/model_pass.h"
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
        double t0 = bp_now();
        ds_k_matmul(c, y, x, W, T, N, K, 0);
        double dt = bp_now() - t0;
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
        double t0 = bp_now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, N, K, 1.0f, x, K, w, K, 0.0f, y, N);
        double dt = bp_now() - t0;
        best = dt < best ? dt : best;
    }
    free(x);
    free(y);
    free(w);
    return best;
}
#endif

/* ---- model --------------------------------------------------------------------------------- */

typedef struct bench_res {
    double prefill, decode, gflops; /* warm medians: tokens/s, tokens/s, prefill GFLOP/s */
} bench_res;

enum { N_ARMS = 3 };

/* One model of the comparison: its sequence, the cold pass and the warm passes. */
typedef struct arm {
    const char *label;
    ds_model *m;
    ds_model_seq *sq;
    double load_s, tpc, tdc, tp[64], td[64], wall, cpu;
} arm;

static int arm_pass(arm *a, int warm_i, const int32_t *tok, int np, int ng, float *lg)
{
    double tp, td, cpu;
    if (bp_one_pass(a->m, a->sq, tok, np, ng, lg, &tp, &td, &cpu) != 0)
        return -1;
    if (warm_i < 0) {
        a->tpc = tp, a->tdc = td;
    } else {
        a->tp[warm_i] = tp, a->td[warm_i] = td;
        a->wall += tp + td;
        a->cpu += cpu;
    }
    return 0;
}

/* One table row: warm medians, decode against bandwidth gbs over the bytes of a decode step at
 * the mean context of the decode steps. */
static bench_res arm_print(arm *a, int np, int ng, int reps, double gbs)
{
    bench_res r;
    const double tpc = a->tpc, tdc = a->tdc;
    r.prefill = np / bp_median(a->tp, reps);
    r.decode = ng / bp_median(a->td, reps);
    r.gflops = 2.0 * bp_macs_per_token(ds_model_config_of(a->m), (np + 1) / 2.0) * r.prefill / 1e9;
    const double bpt = (double)ds_model_decode_bytes(a->m, np + ng / 2);
    const double bound = gbs * 1e9 / bpt;
    printf("%-8s %7.2f %9.1f %9.2f %11.1f %9.1f %11.2f %9.1f %9.1f %5.0f%% %8.2f\n", a->label, a->load_s, np / tpc,
           ng / tdc, r.prefill, r.gflops, r.decode, bpt / 1e6, bound, 100.0 * r.decode / bound, a->cpu / a->wall);
    return r;
}

/* Up to cap token ids of real text: the first document of ../shared/data/edgar_fulltxt after its
 * <TEXT> tag, through the Qwen3 tokenizer of ../shared/models. 0 when either is missing. */
static int real_text_tokens(int32_t *ids, int cap, int V)
{
    const char *sh = getenv("DS_SHARED_DIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/data/edgar_fulltxt/0000899681-95-000096.txt", sh ? sh : "../shared");
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    static char text[1 << 16];
    const size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    const char *body = strstr(text, "<TEXT>");
    body = body ? body + 6 : text;
    snprintf(path, sizeof path, "%s/models/qwen3-tokenizer/tokenizer.json", sh ? sh : "../shared");
    ds_tokenizer *tk;
    ds_err err;
    if (ds_tokenizer_load(&tk, path, &err) != DS_OK)
        return 0;
    ds_tokens t = {0};
    int got = 0;
    if (ds_tokenizer_encode(tk, body, strlen(body), 0, &t, &err) == DS_OK)
        for (; got < cap && (size_t)got < t.n; got++)
            ids[got] = t.v[got] < V ? t.v[got] : 0;
    ds_tokens_deinit(&t);
    ds_tokenizer_free(tk);
    return got;
}

/* The output layer in int4 against 16 bits on the model at dir: logits of every position of
 * real text (teacher forcing) with both, the share of positions whose top token agrees and the
 * mean KL divergence of the int4 distribution from the 16-bit one; and how long their greedy
 * continuations of the text's start stay the same. */
static void head_quality(const char *dir, const ds_model_opts *mo, int V)
{
    enum { NQ = 256 };
    int32_t ids[NQ];
    const int n = real_text_tokens(ids, NQ, V);
    if (n < 16) {
        printf("output layer in int4: quality not measured (needs ../shared/data and the Qwen3 tokenizer)\n\n");
        return;
    }
    float *lg[2] = {malloc(sizeof(float) * (size_t)n * V), malloc(sizeof(float) * (size_t)n * V)};
    enum { GEN_PROMPT = 16, GEN = 32 };
    int32_t gen[2][GEN];
    int n_gen[2] = {0, 0};
    ds_err err;
    for (int q = 0; q < 2; q++) {
        ds_model_opts o = *mo;
        o.output_int4 = q;
        ds_model *m = NULL;
        ds_model_seq *sq = NULL;
        if (ds_model_load(&m, dir, &o, &err) != DS_OK || ds_model_seq_create(m, &sq, &err) != DS_OK ||
            ds_model_forward(m, sq, ids, n, DS_MODEL_LOGITS_ALL, lg[q], &err) != DS_OK ||
            (ds_model_seq_truncate(sq, 0),
             ds_model_generate_greedy(m, sq, ids, GEN_PROMPT, GEN, gen[q], &n_gen[q], NULL, NULL, &err)) != DS_OK) {
            fprintf(stderr, "bench_model: output layer quality: %s\n", err.msg);
            ds_model_seq_free(sq);
            ds_model_free(m);
            free(lg[0]);
            free(lg[1]);
            return;
        }
        ds_model_seq_free(sq);
        ds_model_free(m);
    }
    int same = 0; /* greedy continuation: tokens equal before the first difference */
    while (same < n_gen[0] && same < n_gen[1] && gen[0][same] == gen[1][same])
        same++;
    int agree = 0;
    double kl = 0, margin = 0, change = 0; /* 16-bit top-1 minus top-2 logit; mean |logit change| */
    for (int t = 0; t < n; t++) {
        const float *a = lg[0] + (size_t)t * V, *b = lg[1] + (size_t)t * V;
        const int top = ds_model_argmax(a, V);
        agree += top == ds_model_argmax(b, V);
        double second = -INFINITY;
        for (int i = 0; i < V; i++) {
            if (i != top && a[i] > second)
                second = a[i];
            change += fabs((double)a[i] - b[i]) / V;
        }
        margin += a[top] - second;
        double ma = a[0], mb = b[0], za = 0, zb = 0, s = 0;
        for (int i = 1; i < V; i++) {
            ma = a[i] > ma ? a[i] : ma;
            mb = b[i] > mb ? b[i] : mb;
        }
        for (int i = 0; i < V; i++) {
            za += exp(a[i] - ma);
            zb += exp(b[i] - mb);
        }
        for (int i = 0; i < V; i++) {
            const double la = a[i] - ma - log(za), lb = b[i] - mb - log(zb);
            s += exp(la) * (la - lb);
        }
        kl += s;
    }
    printf("output layer in int4 against 16 bits, %s, %d positions of real text (EDGAR filing):\n"
           "  top token agrees at %.1f%% of positions, mean KL %.2e nats; greedy continuation of %d tokens\n"
           "  after the first %d: the same for %d tokens; mean gap between the top two 16-bit logits %.3f,\n"
           "  mean change of a logit %.3f\n\n",
           dir, n, 100.0 * agree / n, kl / n, GEN, GEN_PROMPT, same, margin / n, change / n);
    free(lg[0]);
    free(lg[1]);
}

int main(int argc, char **argv)
{
#ifdef DS_HAVE_OPENBLAS
    if (!getenv("OPENBLAS_CORETYPE")) {
        ds_k_isa isa = ds_k_isa_best();
        if (isa >= DS_K_ISA_AVX2) {
            setenv("OPENBLAS_CORETYPE", isa >= DS_K_ISA_AVX512 ? "SkylakeX" : "Haswell", 1);
            execv("/proc/self/exe", argv);
            /* if exec fails, go on with the library's own choice */
        }
    }
#endif
    const char *model = NULL;
    int np = 512, ng = 32, threads = 2, quick = 0, reps_pass = 3;
    static const struct option lo[] = {{"model", required_argument, 0, 'm'},
                                       {"prompt-tokens", required_argument, 0, 'p'},
                                       {"gen-tokens", required_argument, 0, 'g'},
                                       {"threads", required_argument, 0, 't'},
                                       {"quick", no_argument, 0, 'q'},
                                       {"reps", required_argument, 0, 'r'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "m:p:g:t:qr:h", lo, NULL)) != -1) {
        switch (ch) {
        case 'm': model = optarg; break;
        case 'p': np = atoi(optarg); break;
        case 'g': ng = atoi(optarg); break;
        case 't': threads = atoi(optarg); break;
        case 'q': quick = 1; break;
        case 'r': reps_pass = atoi(optarg); break;
        default:
            printf("usage: bench_model [--model DIR] [--prompt-tokens N] [--gen-tokens M] "
                   "[--threads T] [--reps N] [--quick]\n");
            return ch == 'h' ? 0 : 2;
        }
    }
    if (threads < 1 || threads > 8 || np < 1 || ng < 1 || reps_pass < 1 || reps_pass > 64) {
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
    printf("%-44s %10.1f GB/s (1 thread)   %6.1f GB/s (%d threads)\n", "streaming read, 512 MiB", bw1, bw2, threads);

    /* 2. GEMM on the prefill shapes of the model */
    ds_model_opts mo;
    ds_model_opts_default(&mo);
    mo.n_threads = threads;
    mo.segment_tokens = np < 512 ? np : 512;
    mo.copy_weights = 1; /* weights on 2 MiB pages */
    ds_model *m = NULL;
    const double tl0 = bp_now();
    if (ds_model_load(&m, model, &mo, &err) != DS_OK) {
        fprintf(stderr, "bench_model: %s\n", err.msg);
        return 1;
    }
    const double load_s = bp_now() - tl0;
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
    printf("\n%-28s %16s %12s %12s %12s %12s\n", "GEMM (T x N x K), GFLOP/s", "shape", "ours 1t", "sgemm 1t", "ours Nt",
           "sgemm Nt");
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
        printf("%-28s %16s %12.1f %12.1f %12.1f %12.1f\n", s->name, dims, fl / o1 / 1e9, b1 > 0 ? fl / b1 / 1e9 : 0.0,
               fl / on / 1e9, bn > 0 ? fl / bn / 1e9 : 0.0);
        agg_flop += fl * s->weight;
        agg_ours += on * s->weight;
        agg_blas += bn * s->weight;
    }
    double gemm_ours = agg_flop / agg_ours / 1e9, gemm_blas = agg_blas > 0 ? agg_flop / agg_blas / 1e9 : 0;
    printf("%-28s %16s %12s %12s %12.1f %12.1f\n", "mix of one prefill step", "", "", "", gemm_ours, gemm_blas);
    ds_kctx_free(k1);

    /* 3. prefill and decode of this model and of its int4 twin (AutoAWQ, group 128, round to
     * nearest; written beside the model once), passes interleaved so both see the same load */
    const int V = c->vocab_size;
    int32_t *tok = malloc(sizeof(int32_t) * (size_t)np);
    for (int i = 0; i < np; i++)
        tok[i] = (int32_t)(((uint64_t)i * 7919u + 13) % (uint64_t)V);
    float *lg = malloc(sizeof(float) * (size_t)V);
    char qdir[4200];
    snprintf(qdir, sizeof qdir, "%s-awq", model);
    {
        struct stat qs;
        char qcfg[4300];
        snprintf(qcfg, sizeof qcfg, "%s/config.json", qdir);
        if (stat(qcfg, &qs) != 0) {
            printf("quantising %s to int4 into %s ...\n", model, qdir);
            ds_awq_quant_opts qo = {.group_size = 128, .n_threads = threads};
            ds_awq_quant_report rep;
            if (ds_awq_quantize(model, qdir, &qo, &rep, &err) != DS_OK) {
                fprintf(stderr, "bench_model: quantize: %s\n", err.msg);
                return 1;
            }
        }
    }
    /* the int4 twin with its 16-bit output layer, and with the output layer in int4 too */
    arm arms[N_ARMS] = {{.label = "bf16", .m = m, .load_s = load_s}, {.label = "int4"}, {.label = "int4+o4"}};
    double t0;
    for (int a = 1; a < N_ARMS; a++) {
        ds_model_opts qo = mo;
        qo.output_int4 = a == 2;
        t0 = bp_now();
        if (ds_model_load(&arms[a].m, qdir, &qo, &err) != DS_OK) {
            fprintf(stderr, "bench_model: %s\n", err.msg);
            return 1;
        }
        arms[a].load_s = bp_now() - t0;
    }
    double bw[64];
    for (int a = 0; a < N_ARMS; a++)
        if (ds_model_seq_create(arms[a].m, &arms[a].sq, &err) != DS_OK || arm_pass(&arms[a], -1, tok, np, ng, lg) != 0)
            return 1;
    for (int i = 0; i < reps_pass; i++) {
        bw[i] = ds_k_read_bandwidth(kn, bw_bytes, 1);
        for (int a = 0; a < N_ARMS; a++)
            if (arm_pass(&arms[a], i, tok, np, ng, lg) != 0)
                return 1;
    }
    const double gbs = bp_median(bw, reps_pass);
    printf("\nprefill of %d tokens, then %d greedy decode steps (context %d to %d): a cold first pass,\n"
           "then the median of %d warm passes, the models taking turns, each round after a\n"
           "streaming read on the model's %d threads (median %.1f GB/s); bound = that rate / bytes\n"
           "per decoded token; load includes copying the weights onto 2 MiB pages (and, int4, the\n"
           "repacking into the decode layout); int4+o4: the output layer rounded to int4 at load\n",
           np, ng, np, np + ng, reps_pass, threads, gbs);
    printf("%-8s %7s %9s %9s %11s %9s %11s %9s %9s %6s %8s\n", "model", "load s", "cold pf/s", "cold dc/s",
           "prefill t/s", "GFLOP/s", "decode t/s", "MB/token", "bound t/s", "bound", "cpu/wall");
    const bench_res rb = arm_print(&arms[0], np, ng, reps_pass, gbs);
    const bench_res rq = arm_print(&arms[1], np, ng, reps_pass, gbs);
    const bench_res ro = arm_print(&arms[2], np, ng, reps_pass, gbs);
    printf("int4 / bf16: prefill %.2fx, decode %.2fx; int4+o4 / bf16: prefill %.2fx, decode %.2fx (same run);\n"
           "bf16 prefill %.0f%% of sgemm on the same shapes\n\n",
           rq.prefill / rb.prefill, rq.decode / rb.decode, ro.prefill / rb.prefill, ro.decode / rb.decode,
           gemm_blas > 0 ? 100.0 * rb.gflops / gemm_blas : 0.0);
    for (int a = 0; a < N_ARMS; a++)
        ds_model_seq_free(arms[a].sq);
    for (int a = 1; a < N_ARMS; a++)
        ds_model_free(arms[a].m);
    head_quality(model, &mo, V);
    ds_model_seq *sq;
    ds_model_seq_create(m, &sq, &err);
    ds_status st;

    /* 4. the reference path on a few tokens */
    int nr = quick ? 2 : 4;
    double *ref = malloc(sizeof(double) * (size_t)V);
    ds_ref_info info;
    t0 = bp_now();
    st = ds_model_reference_logits(m, tok, nr, 0, ref, &info, &err);
    double tr = bp_now() - t0;
    ds_model_seq_truncate(sq, 0);
    t0 = bp_now();
    ds_model_forward(m, sq, tok, nr, DS_MODEL_LOGITS_LAST, lg, &err);
    double tf = bp_now() - t0;
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
    printf("%-44s %10ld MB\n", "peak resident memory (mapped weights count)", bp_peak_rss_mb());
    free(ref);
    ds_model_seq_free(sq);
    ds_model_free(m);

    free(tok);
    free(lg);
    return 0;
}
