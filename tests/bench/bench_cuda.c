/* bench_cuda.c - speed of the CUDA backend on one device (tests/cuda/run_on_gpu.sh runs it and
 * puts its figures in one table with the PyTorch baselines of tests/bench/torch_ref.py):
 *   bench_cuda attention [--tokens 8192,32768,131072,204800]
 *       causal prefill attention of T tokens over themselves, Qwen3-30B-A3B heads (32 query,
 *       4 kv, head_dim 128), bf16 paged KV, fp32 queries, bf16 output: TFLOP/s counted as
 *       4 * D * Hq * T (T + 1) / 2 (the FLOPs a causal kernel must do).
 *   bench_cuda moe [--tokens 8192] [--awq]
 *       one MoE layer of the Qwen3-30B-A3B shape (hidden 2048, 128 experts top-8,
 *       moe_intermediate 768) on T rows: norm, router, routing, grouping, experts, combine.
 *   bench_cuda e2e [--prompt 70000] [--gen 512] [--awq] [--layers 48]
 *       a Qwen3-30B-A3B-shaped model (48 layers, vocab 151936) with random weights generated
 *       on the device (bf16, or int4 AWQ with group 128): prefill of the prompt, then greedy
 *       decoding of --gen tokens (graphs); wall-clock seconds of each phase.
 *       Each size also checks three query rows (the first, the middle and the last position)
 *       of every head against a float64 computation on the host from the same bf16 keys and
 *       values (queries rounded to bf16 as the tensor-core kernel does): "RESULT
 *       attention_<T>_rowcheck <max error / max |reference|>"; above 0.03 the run fails.
 * Without arguments (make bench): attention at 8K and 32K tokens and the bf16 MoE layer.
 * Every result is also printed as a line "RESULT <name> <value>" for the script. Without a
 * device it prints why and exits 0 (benchmarks never fail a build on timings or hardware).
 */
#include "model/checkpoint_internal.h"
#include "model/cuda_engine.h"
#include "kernels/cuda/kernels_cuda.h"
#include "pipeline/core/clock.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ROWCHECK_TOL 0.03

static float bf16_f(uint16_t b)
{
    uint32_t u = (uint32_t)b << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static float round_bf16(float x)
{
    uint32_t u;
    memcpy(&u, &x, 4);
    u += 0x7fffu + ((u >> 16) & 1u); /* round to nearest even */
    return bf16_f((uint16_t)(u >> 16));
}

/* Query rows of the causal attention just run, against float64 on the host: keys (Hkv, D, PT)
 * and values (Hkv, PT, D) per page as ds_cuda_kv lays them out, page p at p * page_bytes.
 * Returns the largest |cuda - reference| over the rows, divided by the largest |reference|,
 * or a negative value when a copy fails. */
static double attention_rowcheck(const float *q_dev, const uint16_t *out_dev, const void *pool_dev, long T, int Hq,
                                 int Hkv, int D, int PT, size_t page_bytes)
{
    const long pages = (T + PT - 1) / PT, rows[3] = {0, T / 2, T - 1};
    uint16_t *kv = malloc(pages * page_bytes), *o = malloc((size_t)Hq * D * 2);
    float *q = malloc((size_t)Hq * D * 4);
    double *sc = malloc((size_t)T * sizeof(double)), err_max = 0, ref_max = 0;
    ds_err err;
    if (!kv || !o || !q || !sc || ds_cuda_copy_d2h(kv, pool_dev, pages * page_bytes, 0, &err) ||
        ds_cuda_stream_sync(0, &err))
        err_max = ref_max = -1;
    const float scale = 1.0f / sqrtf((float)D);
    for (int r = 0; r < 3 && ref_max >= 0; r++) {
        const long t = rows[r];
        if (ds_cuda_copy_d2h(q, q_dev + (size_t)t * Hq * D, (size_t)Hq * D * 4, 0, &err) ||
            ds_cuda_copy_d2h(o, out_dev + (size_t)t * Hq * D, (size_t)Hq * D * 2, 0, &err) ||
            ds_cuda_stream_sync(0, &err)) {
            err_max = ref_max = -1;
            break;
        }
        for (int h = 0; h < Hq; h++) {
            const int g = h / (Hq / Hkv);
            double mx = -1e300, sum = 0;
            for (long j = 0; j <= t; j++) {
                const uint16_t *k = kv + ((size_t)(j / PT) * page_bytes) / 2 + (size_t)g * D * PT + j % PT;
                double d = 0;
                for (int i = 0; i < D; i++)
                    d += (double)round_bf16(q[(size_t)h * D + i]) * bf16_f(k[(size_t)i * PT]);
                sc[j] = d * scale;
                mx = sc[j] > mx ? sc[j] : mx;
            }
            for (long j = 0; j <= t; j++)
                sum += (sc[j] = exp(sc[j] - mx));
            double acc[256] = {0}; /* D <= 256 */
            for (long j = 0; j <= t; j++) {
                const uint16_t *v = kv + ((size_t)(j / PT) * page_bytes + page_bytes / 2) / 2 +
                                    ((size_t)g * PT + j % PT) * D;
                for (int i = 0; i < D; i++)
                    acc[i] += sc[j] * bf16_f(v[i]);
            }
            for (int i = 0; i < D; i++) {
                const double ref = acc[i] / sum, e = fabs(bf16_f(o[(size_t)h * D + i]) - ref);
                err_max = e > err_max ? e : err_max;
                ref_max = fabs(ref) > ref_max ? fabs(ref) : ref_max;
            }
        }
    }
    free(kv);
    free(o);
    free(q);
    free(sc);
    return ref_max < 0 ? -1 : err_max / (ref_max > 0 ? ref_max : 1);
}

static const char QWEN3_30B_A3B[] =
    "{\"architectures\": [\"Qwen3MoeForCausalLM\"], \"model_type\": \"qwen3_moe\","
    " \"hidden_size\": 2048, \"num_hidden_layers\": %d, \"num_attention_heads\": 32,"
    " \"num_key_value_heads\": 4, \"head_dim\": 128, \"vocab_size\": 151936,"
    " \"intermediate_size\": 6144, \"moe_intermediate_size\": 768, \"num_experts\": 128,"
    " \"num_experts_per_tok\": 8, \"norm_topk_prob\": true, \"decoder_sparse_step\": 1,"
    " \"mlp_only_layers\": [], \"max_position_embeddings\": 262144, \"rms_norm_eps\": 1e-06,"
    " \"rope_theta\": 1000000.0, \"rope_scaling\": null, \"tie_word_embeddings\": false,"
    " \"hidden_act\": \"silu\", \"bos_token_id\": 151643, \"eos_token_id\": 151645}";

static int config(ds_model_config *c, int layers)
{
    char text[2048];
    snprintf(text, sizeof text, QWEN3_30B_A3B, layers);
    ds_err err;
    if (ds_hfconfig_parse(c, text, strlen(text), "qwen3-30b-a3b", &err) != DS_OK) {
        fprintf(stderr, "config: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static int fail(const char *what, const ds_err *err)
{
    fprintf(stderr, "bench_cuda: %s: %s\n", what, err->msg);
    return 1;
}

/* ---- attention ------------------------------------------------------------------------------ */

static int bench_attention(const char *list)
{
    const int Hq = 32, Hkv = 4, D = 128, PT = 64;
    printf("%-10s %12s %10s %10s\n", "tokens", "TFLOP/s", "ms", "reps");
    for (const char *p = list; p && *p;) {
        const long T = strtol(p, NULL, 10);
        const char *c = strchr(p, ',');
        p = c ? c + 1 : NULL;
        if (T <= 0)
            continue;
        const long pages = (T + PT - 1) / PT;
        const size_t page_bytes = (size_t)2 * Hkv * D * PT * 2;
        const size_t qb = (size_t)T * Hq * D * 4, ob = (size_t)T * Hq * D * 2;
        ds_cuda_arena a;
        ds_err err;
        if (ds_cuda_arena_create(&a, qb + ob + pages * page_bytes + pages * 4 + (1 << 20), &err) != DS_OK)
            return fail("attention arena", &err);
        float *q = ds_cuda_arena_alloc(&a, qb);
        void *out = ds_cuda_arena_alloc(&a, ob), *pool = ds_cuda_arena_alloc(&a, pages * page_bytes);
        int32_t *ids = ds_cuda_arena_alloc(&a, pages * 4), *h = malloc(pages * 4);
        for (long i = 0; i < pages; i++)
            h[i] = (int32_t)i;
        ds_cuda_kv kv = {pool, page_bytes, 0, page_bytes / 2, ids, PT, 1};
        double ms = 0;
        int reps = 0;
        ds_cuda_timer *tm = NULL;
        if (ds_cuda_fill_random_f32(q, qb / 4, -1.0f, 1.0f, 1, 0, &err) ||
            ds_cuda_fill_random_bf16(pool, pages * page_bytes / 2, 1.0f, 2, 0, &err) ||
            ds_cuda_copy_h2d(ids, h, pages * 4, 0, &err) || ds_cuda_stream_sync(0, &err) ||
            ds_cuda_attention(out, 1, q, &kv, 0, NULL, (int)T, Hq, Hkv, D, 1.0f / sqrtf(D), 1, NULL, 0, &err) ||
            ds_cuda_stream_sync(0, &err) || ds_cuda_timer_create(&tm, &err))
            return fail("attention", &err);
        double total = 0;
        while (reps < 20 && (reps < 2 || total < 1500.0)) {
            double t = 0;
            if (ds_cuda_timer_start(tm, 0, &err) ||
                ds_cuda_attention(out, 1, q, &kv, 0, NULL, (int)T, Hq, Hkv, D, 1.0f / sqrtf(D), 1, NULL, 0, &err) ||
                ds_cuda_timer_stop(tm, 0, &t, &err))
                return fail("attention", &err);
            total += t;
            reps++;
            if (T > 100000 && reps >= 2)
                break;
        }
        ms = total / reps;
        const double flops = 4.0 * D * Hq * (double)T * (T + 1) / 2.0;
        printf("%-10ld %12.1f %10.2f %10d\n", T, flops / (ms * 1e-3) / 1e12, ms, reps);
        printf("RESULT attention_%ld_tflops %.2f\n", T, flops / (ms * 1e-3) / 1e12);
        fflush(stdout);
        const double rel = attention_rowcheck(q, out, pool, T, Hq, Hkv, D, PT, page_bytes);
        printf("RESULT attention_%ld_rowcheck %.3g\n", T, rel);
        fflush(stdout);
        ds_cuda_timer_free(tm);
        ds_cuda_arena_destroy(&a);
        free(h);
        if (rel < 0 || rel > ROWCHECK_TOL) {
            fprintf(stderr,
                    "bench_cuda: attention at %ld tokens: rows differ from the float64 reference by "
                    "%.3g of the largest value (limit %.2g)\n",
                    T, rel, ROWCHECK_TOL);
            return 1;
        }
    }
    return 0;
}

/* ---- MoE layer -------------------------------------------------------------------------------- */

static int bench_moe(int T, int awq)
{
    ds_model_config c;
    if (config(&c, 1))
        return 1;
    ds_cuda_engine_opts o;
    ds_cuda_engine_opts_default(&o);
    o.segment_tokens = T;
    o.kv_tokens = 4096;
    ds_cuda_engine *e = NULL;
    ds_err err;
    if (ds_cuda_engine_create_random(&e, &c, awq ? 128 : 0, 7, &o, &err) != DS_OK)
        return fail("engine", &err);
    double ms = 0;
    if (ds_cuda_engine_bench_moe(e, T, 10, &ms, &err) != DS_OK)
        return fail("moe", &err);
    printf("moe layer  %d tokens, %s experts: %.3f ms\n", T, awq ? "int4" : "bf16", ms);
    printf("RESULT moe_%s_%d_ms %.3f\n", awq ? "awq" : "bf16", T, ms);
    /* one decode-sized MoE step (8 pairs: the grouped GEMV path) */
    if (ds_cuda_engine_bench_moe(e, 1, 50, &ms, &err) != DS_OK)
        return fail("moe decode", &err);
    printf("moe layer  1 token, %s experts: %.3f ms\n", awq ? "int4" : "bf16", ms);
    printf("RESULT moe_%s_1_ms %.4f\n", awq ? "awq" : "bf16", ms);
    ds_cuda_engine_free(e);
    ds_model_config_deinit(&c);
    return 0;
}

/* ---- end to end --------------------------------------------------------------------------------- */

static int bench_e2e(int prompt, int gen, int awq, int layers)
{
    ds_model_config c;
    if (config(&c, layers))
        return 1;
    ds_cuda_engine_opts o;
    ds_cuda_engine_opts_default(&o);
    o.kv_tokens = (long)prompt + gen + 128;
    ds_cuda_engine *e = NULL;
    ds_err err;
    double t0 = ds_now_s();
    if (ds_cuda_engine_create_random(&e, &c, awq ? 128 : 0, 11, &o, &err) != DS_OK)
        return fail("engine", &err);
    double t_init = ds_now_s() - t0;
    int32_t *tok = malloc(sizeof(int32_t) * (size_t)prompt), *out = malloc(sizeof(int32_t) * (size_t)gen);
    uint64_t r = 0x2545f4914f6cdd1dull;
    for (int i = 0; i < prompt; i++) {
        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
        tok[i] = (int32_t)(r % (uint64_t)c.vocab_size);
    }
    ds_cuda_seq *s = NULL;
    int n_out = 0;
    double tp = 0, td = 0;
    ds_cuda_sampling greedy = {0.0f, 1.0f, 0, 0};
    if (ds_cuda_seq_create(e, &s, &err) != DS_OK ||
        ds_cuda_engine_generate(e, s, tok, prompt, gen, &greedy, out, &n_out, &tp, &td, &err) != DS_OK)
        return fail("generate", &err);
    const char *kind = awq ? "awq" : "bf16";
    printf("end to end %s (%s): weights %.1f GB per device, set up in %.1f s\n", kind, ds_cuda_engine_describe(e),
           ds_cuda_engine_weight_bytes(e) / 1e9, t_init);
    printf("  prefill %d tokens: %.2f s (%.0f tokens/s)\n", prompt, tp, prompt / tp);
    printf("  decode  %d tokens: %.2f s (%.1f tokens/s)\n", n_out, td, n_out / (td > 0 ? td : 1));
    printf("  total   %.2f s\n", tp + td);
    printf("RESULT e2e_%s_prefill_s %.3f\nRESULT e2e_%s_decode_s %.3f\nRESULT e2e_%s_total_s %.3f\n", kind, tp, kind,
           td, kind, tp + td);
    ds_cuda_seq_free(s);
    ds_cuda_engine_free(e);
    free(tok);
    free(out);
    ds_model_config_deinit(&c);
    return 0;
}

int main(int argc, char **argv)
{
    char why[256];
    if (!ds_cuda_engine_available(why, sizeof why)) {
        printf("bench_cuda: skipped: %s\n", why);
        return 0;
    }
    if (argc < 2) { /* `make bench`: a short run */
        ds_err err;
        if (ds_cuda_set_device(0, &err) != DS_OK || ds_cuda_kernels_init(&err) != DS_OK)
            return fail("device", &err);
        return bench_attention("8192,32768") || bench_moe(8192, 0);
    }
    const char *tokens = NULL;
    int awq = 0, prompt = 70000, gen = 512, layers = 48;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--tokens") && i + 1 < argc)
            tokens = argv[++i];
        else if (!strcmp(argv[i], "--awq"))
            awq = 1;
        else if (!strcmp(argv[i], "--prompt") && i + 1 < argc)
            prompt = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--gen") && i + 1 < argc)
            gen = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--layers") && i + 1 < argc)
            layers = atoi(argv[++i]);
        else {
            fprintf(stderr, "bench_cuda: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    ds_err err;
    if (ds_cuda_set_device(0, &err) != DS_OK || ds_cuda_kernels_init(&err) != DS_OK)
        return fail("device", &err);
    if (!strcmp(argv[1], "attention"))
        return bench_attention(tokens ? tokens : "8192,32768,131072,204800");
    if (!strcmp(argv[1], "moe"))
        return bench_moe(tokens ? atoi(tokens) : 8192, awq);
    if (!strcmp(argv[1], "e2e"))
        return bench_e2e(prompt > 0 ? prompt : 70000, gen > 0 ? gen : 512, awq, layers > 0 ? layers : 48);
    fprintf(stderr, "bench_cuda: unknown mode %s\n", argv[1]);
    return 2;
}
