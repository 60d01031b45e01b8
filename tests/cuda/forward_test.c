/* forward_test.c - the CUDA forward pass (model/cuda_engine.c) against the CPU backend on
 * tiny checkpoints (tests/model/tiny_moe.h) of every variant, bf16 and int4 AWQ, on fresh random
 * tokens. Label gpu; exits 77 without a device.
 *   test_cuda_forward forward   the engines against the CPU;
 *   test_cuda_forward tp        2-way tensor parallelism against 1 device (skips below 2 GPUs).
 *
 * Stated bounds (normalised error over all logits):
 *   fp32 engine vs CPU: 1e-4 (the same fp32 computation, other summation orders);
 *   fp32 engine, prefill + token-by-token decode vs one prefill: 1e-5;
 *   bf16 engine vs CPU: 5e-2, and the same argmax on every row whose CPU top two logits are more
 *     than 0.3 x the row's rms apart (about six times the per-logit error the bound allows; rows
 *     closer than that may flip legitimately and are not counted); inputs whose routing has two
 *     experts within 3e-3 of the top-k boundary are redrawn, since a legitimate flip there
 *     changes a row entirely (for an int4 checkpoint the margins come from the reference pass of
 *     the float checkpoint it was quantized from);
 *     the experts through cuBLAS (the prefill path) vs through the GEMV kernels (decode): 1e-2;
 *   graphs: greedy generation with decode graphs equals generation without, token for token;
 *   fp32 engine greedy generation equals the CPU's where every step's top two logits are more
 *     than 1e-3 apart;
 *   tensor parallelism: fp32 tp 2 vs tp 1: 1e-5; bf16: 1e-2.
 */
#include "model/cuda_engine.h"
#include "model/model_internal.h"
#include "tests/cuda/cuda_testlib.h"
#include "tests/model/tiny_moe.h"

#include <stdio.h>

static ds_model *load_cpu(const char *dir)
{
    ds_model_opts o;
    ds_model_opts_default(&o);
    o.n_threads = 2;
    ds_model *m = NULL;
    ds_err err;
    if (ds_model_load(&m, dir, &o, &err) != DS_OK)
        ct_fail_err(dir, &err);
    return m;
}

static int g_gemv_pairs; /* ds_cuda_engine_opts.moe_gemv_pairs of the next engines */

static ds_cuda_engine *engine(ds_model *m, ds_cuda_prec prec, int tp, int graphs, int segment)
{
    ds_cuda_engine_opts o;
    ds_cuda_engine_opts_default(&o);
    o.moe_gemv_pairs = g_gemv_pairs;
    o.prec = prec;
    o.tp = tp;
    o.graphs = graphs;
    o.kv_tokens = 8192;
    o.segment_tokens = segment;
    ds_cuda_engine *e = NULL;
    ds_err err;
    if (ds_cuda_engine_create(&e, m, &o, &err) != DS_OK)
        ct_fail_err("cuda engine", &err);
    return e;
}

static float *cpu_logits(ds_model *m, const int32_t *tok, int n)
{
    const int V = ds_model_config_of(m)->vocab_size;
    float *lg = malloc(sizeof(float) * (size_t)n * V);
    ds_model_seq *s;
    ds_err err;
    DS_REQUIRE(ds_model_seq_create(m, &s, &err) == DS_OK);
    if (ds_model_forward(m, s, tok, n, DS_MODEL_LOGITS_ALL, lg, &err) != DS_OK)
        ct_fail_err("cpu forward", &err);
    ds_model_seq_free(s);
    return lg;
}

/* All logits through a fresh device sequence, in pieces (0-terminated sizes; NULL: one call). */
static float *gpu_logits(ds_cuda_engine *e, int V, const int32_t *tok, int n, const int *pieces)
{
    float *lg = malloc(sizeof(float) * (size_t)n * V);
    ds_cuda_seq *s;
    ds_err err;
    if (ds_cuda_seq_create(e, &s, &err) != DS_OK)
        ct_fail_err("cuda seq", &err);
    for (int done = 0, i = 0; done < n; i++) {
        int len = pieces && pieces[i] ? pieces[i] : n - done;
        if (len > n - done)
            len = n - done;
        if (ds_cuda_engine_forward(e, s, tok + done, len, DS_MODEL_LOGITS_ALL, lg + (size_t)done * V, &err) != DS_OK)
            ct_fail_err("cuda forward", &err);
        done += len;
    }
    DS_CHECK(ds_cuda_seq_len(s) == n);
    ds_cuda_seq_free(s);
    return lg;
}

/* Rows of b (the CPU) whose top two logits are more than `gap` x the row's rms apart: there the
 * argmax must agree, whatever the error; rows closer than that may legitimately flip within the
 * stated error bound and are not counted. Returns the number of such rows that disagree. */
static int decisive_disagreements(const float *a, const float *b, int n, int V, double gap, int *decisive)
{
    int bad = 0;
    *decisive = 0;
    for (int t = 0; t < n; t++) {
        const float *ra = a + (size_t)t * V, *rb = b + (size_t)t * V;
        int ia = 0, ib = 0, second = -1;
        double ss = 0;
        for (int v = 0; v < V; v++) {
            ss += (double)rb[v] * rb[v];
            if (ra[v] > ra[ia])
                ia = v;
            if (rb[v] > rb[ib])
                ib = v;
        }
        for (int v = 0; v < V; v++)
            if (v != ib && (second < 0 || rb[v] > rb[second]))
                second = v;
        if (second >= 0 && rb[ib] - rb[second] > gap * sqrt(ss / V)) {
            (*decisive)++;
            bad += ia != ib;
        }
    }
    return bad;
}

static ds_model *g_margin_model; /* the float checkpoint whose routing margins decide draws */

/* Tokens whose routing is at least margin away from a top-k tie (the reference's report). */
static int draw_tokens(ds_model *m, int32_t *tok, int n, double margin)
{
    /* an int4 checkpoint has no float tensors for the reference: its float source decides */
    if (g_margin_model)
        m = g_margin_model;
    const int V = m->cfg.vocab_size;
    double *ref = malloc(sizeof(double) * (size_t)n * V);
    int ok = 0;
    for (int attempt = 0; attempt < 30 && !ok; attempt++) {
        for (int i = 0; i < n; i++)
            tok[i] = (int32_t)(ct_rnd() % (uint64_t)V);
        ds_ref_info info;
        ds_err err;
        if (ds_model_reference_logits(m, tok, n, 0, ref, &info, &err) != DS_OK)
            ct_fail_err("reference logits for the routing margin", &err);
        ok = info.min_router_margin > margin;
    }
    free(ref);
    return ok;
}

static void check_model(const char *label, const char *dir)
{
    ds_model *m = load_cpu(dir);
    const int V = m->cfg.vocab_size, n = 40;
    int32_t tok[40];
    draw_tokens(m, tok, n, 1e-6);
    float *cpu = cpu_logits(m, tok, n);

    /* fp32 engine: the same computation */
    ds_cuda_engine *ex = engine(m, DS_CUDA_PREC_FP32, 1, 0, 16);
    float *g = gpu_logits(ex, V, tok, n, NULL);
    double e1 = nerr(g, cpu, (size_t)n * V);
    printf("%-10s fp32 engine vs cpu: %.3g\n", label, e1);
    DS_CHECKF(e1 < 1e-4, "%s: fp32 engine vs cpu %.3g", label, e1);
    int pieces[64] = {17};
    for (int i = 1; i < 64; i++)
        pieces[i] = 1;
    float *g2 = gpu_logits(ex, V, tok, n, pieces);
    double e2 = nerr(g2, g, (size_t)n * V);
    DS_CHECKF(e2 < 1e-5, "%s: fp32 engine prefill + decode vs one prefill %.3g", label, e2);
    free(g2);
    free(g);

    /* bf16 engine */
    int32_t tb[16];
    const int nb = 16;
    if (draw_tokens(m, tb, nb, 3e-3)) {
        float *cb = cpu_logits(m, tb, nb);
        ds_cuda_engine *fb = engine(m, DS_CUDA_PREC_BF16, 1, 1, 0);
        float *gb = gpu_logits(fb, V, tb, nb, NULL);
        int decisive = 0;
        const double e3 = nerr(gb, cb, (size_t)nb * V);
        const int differ = decisive_disagreements(gb, cb, nb, V, 0.3, &decisive);
        printf("%-10s bf16 engine vs cpu: %.3g, argmax differs on %d of %d rows with a clear top two\n", label, e3,
               differ, decisive);
        DS_CHECKF(e3 < 5e-2 && differ == 0, "%s: bf16 engine vs cpu %.3g, argmax differs on %d of %d clear rows", label,
                  e3, differ, decisive);
        /* the prefill path of the experts (one cuBLAS GEMM per expert, int4 dequantised) on the
         * same tokens, in segments of 7 (tensor-core attention from positions past 0) */
        g_gemv_pairs = -1;
        ds_cuda_engine *fc = engine(m, DS_CUDA_PREC_BF16, 1, 0, 7);
        g_gemv_pairs = 0;
        float *gc = gpu_logits(fc, V, tb, nb, NULL);
        double e4 = nerr(gc, cb, (size_t)nb * V), e5 = nerr(gc, gb, (size_t)nb * V);
        printf("%-10s bf16 engine, cuBLAS experts: vs cpu %.3g, vs the GEMV experts %.3g\n", label, e4, e5);
        DS_CHECKF(e4 < 5e-2 && e5 < 1e-2, "%s: cuBLAS experts vs cpu %.3g, vs GEMV experts %.3g", label, e4, e5);
        free(gc);
        ds_cuda_engine_free(fc);
        /* graphs change nothing: greedy tokens with and without */
        ds_cuda_engine *fn = engine(m, DS_CUDA_PREC_BF16, 1, 0, 0);
        int32_t o1[24], o2[24];
        int n1 = 0, n2 = 0;
        ds_cuda_sampling greedy = {0.0f, 1.0f, 0, 0};
        ds_cuda_seq *s1, *s2;
        ds_err err;
        DS_REQUIRE(ds_cuda_seq_create(fb, &s1, &err) == DS_OK && ds_cuda_seq_create(fn, &s2, &err) == DS_OK);
        if (ds_cuda_engine_generate(fb, s1, tb, nb, 24, &greedy, o1, &n1, NULL, NULL, &err) != DS_OK ||
            ds_cuda_engine_generate(fn, s2, tb, nb, 24, &greedy, o2, &n2, NULL, NULL, &err) != DS_OK)
            ct_fail_err("generate", &err);
        DS_CHECKF(ds_cuda_engine_graph_active(fb), "%s: the decode graph was not captured", label);
        DS_CHECKF(n1 == 24 && n2 == 24 && memcmp(o1, o2, sizeof o1) == 0, "%s: graph decode differs", label);
        /* the token mask holds in generation (only multiples of 3 allowed) */
        uint32_t *allow = calloc((size_t)(V + 31) / 32, 4);
        for (int v = 0; v < V; v += 3)
            allow[v >> 5] |= 1u << (v & 31);
        ds_cuda_seq_truncate(s1, 0);
        ds_cuda_sampling smp = {0.8f, 0.9f, 42, 0};
        DS_REQUIRE(ds_cuda_engine_set_mask(fb, allow, &err) == DS_OK);
        if (ds_cuda_engine_generate(fb, s1, tb, nb, 24, &smp, o1, &n1, NULL, NULL, &err) != DS_OK)
            ct_fail_err("generate with a mask", &err);
        int bad = 0;
        for (int i = 0; i < n1; i++)
            bad += o1[i] % 3 != 0;
        DS_CHECKF(bad == 0, "%s: %d generated tokens outside the mask", label, bad);
        DS_REQUIRE(ds_cuda_engine_set_mask(fb, NULL, &err) == DS_OK);
        free(allow);
        ds_cuda_seq_free(s1);
        ds_cuda_seq_free(s2);
        ds_cuda_engine_free(fn);
        ds_cuda_engine_free(fb);
        free(gb);
        free(cb);
    } else {
        printf("%-10s bf16 engine: no tie-free routing in 30 draws, comparison skipped\n", label);
    }

    /* greedy generation, fp32 engine vs cpu, where no step is a near tie */
    {
        const int np = 5, ng = 12;
        int32_t cpu_ids[12], gpu_ids[12];
        float *lg = malloc(sizeof(float) * V);
        ds_model_seq *s;
        ds_err err;
        DS_REQUIRE(ds_model_seq_create(m, &s, &err) == DS_OK);
        double min_gap = INFINITY;
        int32_t cur[5];
        memcpy(cur, tok, sizeof cur);
        DS_REQUIRE(ds_model_forward(m, s, cur, np, DS_MODEL_LOGITS_LAST, lg, &err) == DS_OK);
        for (int i = 0; i < ng; i++) {
            int best = 0, second = -1;
            for (int v = 1; v < V; v++)
                if (lg[v] > lg[best])
                    best = v;
            for (int v = 0; v < V; v++)
                if (v != best && (second < 0 || lg[v] > lg[second]))
                    second = v;
            min_gap = fmin(min_gap, lg[best] - lg[second]);
            cpu_ids[i] = best;
            if (i + 1 < ng)
                DS_REQUIRE(ds_model_forward(m, s, &cpu_ids[i], 1, DS_MODEL_LOGITS_LAST, lg, &err) == DS_OK);
        }
        ds_model_seq_free(s);
        ds_cuda_seq *gs;
        int ngot = 0;
        ds_cuda_sampling greedy = {0.0f, 1.0f, 0, 0};
        DS_REQUIRE(ds_cuda_seq_create(ex, &gs, &err) == DS_OK);
        if (ds_cuda_engine_generate(ex, gs, tok, np, ng, &greedy, gpu_ids, &ngot, NULL, NULL, &err) != DS_OK)
            ct_fail_err("generate fp32", &err);
        ds_cuda_seq_free(gs);
        if (min_gap > 1e-3)
            DS_CHECKF(ngot == ng && memcmp(cpu_ids, gpu_ids, sizeof cpu_ids) == 0,
                      "%s: fp32 engine greedy tokens differ from the cpu's", label);
        else
            printf("%-10s greedy comparison skipped: a step's top two logits are %.2g apart\n", label, min_gap);
        free(lg);
    }
    ds_cuda_engine_free(ex);
    free(cpu);
    ds_model_free(m);
}

/* ds_model with the CUDA backend: the model.h path end to end. */
static void check_backend(const char *dir)
{
    ds_model_opts o;
    ds_model_opts_default(&o);
    o.n_threads = 2;
    o.backend = DS_MODEL_BACKEND_CUDA;
    o.cuda_exact = 1;
    o.max_context = 4096;
    ds_model *g = NULL, *c = load_cpu(dir);
    ds_err err;
    if (ds_model_load(&g, dir, &o, &err) != DS_OK)
        ct_fail_err("load with the cuda backend", &err);
    DS_CHECK(strstr(ds_model_backend_name(g), "cuda") != NULL);
    const int V = c->cfg.vocab_size, n = 30;
    int32_t tok[30];
    for (int i = 0; i < n; i++)
        tok[i] = (int32_t)(ct_rnd() % (uint64_t)V);
    float *a = cpu_logits(c, tok, n), *b = cpu_logits(g, tok, n);
    DS_CHECKF(nerr(b, a, (size_t)n * V) < 1e-4, "model backend cuda vs cpu: %.3g", nerr(b, a, (size_t)n * V));
    ds_model_seq *s;
    int32_t out[8];
    int no = 0;
    DS_REQUIRE(ds_model_seq_create(g, &s, &err) == DS_OK);
    DS_CHECK(ds_model_generate_greedy(g, s, tok, 5, 8, out, &no, NULL, NULL, &err) == DS_OK && no > 0);
    DS_CHECK(ds_model_seq_len(s) == 5 + no - 1);
    ds_model_seq_free(s);
    free(a);
    free(b);
    ds_model_free(g);
    ds_model_free(c);
}

static void quantized(const char *src, const char *dst, int group)
{
    ds_awq_quant_opts q = {.group_size = group, .n_threads = 2};
    ds_awq_quant_report rep;
    ds_err err;
    if (ds_awq_quantize(src, dst, &q, &rep, &err) != DS_OK)
        ct_fail_err("quantize", &err);
}

static void test_forward(void)
{
    static const char *const variants[] = {"moe", "temp", "mixed", "dense", "tied", "yarn", "f16", "f32"};
    for (size_t i = 0; i < sizeof variants / sizeof *variants; i++) {
        tiny_spec s;
        DS_REQUIRE(tiny_spec_variant(&s, variants[i]) == 0);
        s.seed = 1 + ct_rnd() % 1000;
        char dir[4200];
        snprintf(dir, sizeof dir, "%s/%s", ds_test_tmpdir(), variants[i]);
        DS_REQUIRE(tiny_write(dir, &s) == 0);
        check_model(variants[i], dir);
        if (i == 0) {
            char q[4300];
            snprintf(q, sizeof q, "%s-awq", dir);
            quantized(dir, q, 16);
            g_margin_model = load_cpu(dir);
            check_model("moe-awq", q);
            ds_model_free(g_margin_model);
            g_margin_model = NULL;
            check_backend(dir);
        }
    }
}

static void test_tp(void)
{
    if (ds_cuda_device_count() < 2)
        ds_test_skip("tensor parallelism needs 2 GPUs");
    if (!ds_cuda_have_nccl())
        ds_test_skip("this build has no NCCL");
    tiny_spec s;
    tiny_spec_default(&s);
    s.seed = 1 + ct_rnd() % 1000;
    char dir[4200], q[4300];
    snprintf(dir, sizeof dir, "%s/tp", ds_test_tmpdir());
    DS_REQUIRE(tiny_write(dir, &s) == 0);
    snprintf(q, sizeof q, "%s-awq", dir);
    quantized(dir, q, 8);
    const char *dirs[2] = {dir, q};
    for (int d = 0; d < 2; d++) {
        ds_model *m = load_cpu(dirs[d]);
        const int V = m->cfg.vocab_size, n = 33;
        int32_t tok[33];
        for (int i = 0; i < n; i++)
            tok[i] = (int32_t)(ct_rnd() % (uint64_t)V);
        for (int p = 0; p < 2; p++) {
            const ds_cuda_prec prec = p ? DS_CUDA_PREC_BF16 : DS_CUDA_PREC_FP32;
            ds_cuda_engine *e1 = engine(m, prec, 1, 0, 16), *e2 = engine(m, prec, 2, 0, 16);
            float *a = gpu_logits(e1, V, tok, n, NULL), *b = gpu_logits(e2, V, tok, n, NULL);
            const double e = nerr(b, a, (size_t)n * V);
            printf("%s %s: tp 2 vs tp 1: %.3g\n", d ? "awq" : "bf16 checkpoint", p ? "bf16 engine" : "fp32 engine", e);
            DS_CHECKF(e < (p ? 1e-2 : 1e-5), "tp 2 vs 1 (%s, %s): %.3g", d ? "awq" : "bf16", p ? "bf16" : "fp32", e);
            free(a);
            free(b);
            ds_cuda_engine_free(e1);
            ds_cuda_engine_free(e2);
        }
        ds_model_free(m);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2 || (strcmp(argv[1], "forward") && strcmp(argv[1], "tp"))) {
        fprintf(stderr, "usage: test_cuda_forward forward|tp\n");
        return 2;
    }
    cuda_test_init((size_t)64 << 20);
    if (strcmp(argv[1], "tp") == 0)
        test_tp();
    else
        test_forward();
    ds_cuda_arena_destroy(&ct_arena);
    return ds_test_done();
}
