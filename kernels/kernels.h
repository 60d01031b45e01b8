/* kernels.h - the compute op set of the model stage, CPU backend (kernels/cpu/).
 *
 * Every op has two forms: the optimized one (ds_k_*), which runs on the context's thread pool
 * with the instruction set picked at run time from the CPU's feature flags (AVX-512
 * F/BW/VL/DQ, AVX2/FMA/F16C, or portable scalar C), and a plain single-threaded reference twin
 * (ds_k_*_ref) written for obviousness with double accumulation, which tests compare against.
 * The CUDA backend (kernels/cuda/) implements the same contracts.
 * Signature order: context, outputs, inputs, sizes; shapes are given in comments as (T, N).
 * All activations are fp32 row-major; weights are (N, K) row-major as in a Hugging Face Linear,
 * in bf16, f16 or f32, widened to fp32 on the fly (never converted ahead). Activations are not
 * rounded to bf16 for vdpbf16ps: on the AVX-512 machine this was written on, vdpbf16ps ran at
 * half the FLOP rate of vfmadd231ps (86 vs 176 GFLOP/s on one core), and widening keeps the
 * fp32 accuracy the reference comparison relies on.
 * Determinism: each output element is computed by one thread in a fixed order, so results do
 * not depend on the number of threads.
 * Owns: a ds_kctx owns its worker threads and per-thread scratch. Threading: one caller at a
 * time per context (the pool is not reentrant); contexts are independent of each other.
 */
#ifndef DS_KERNELS_KERNELS_H
#define DS_KERNELS_KERNELS_H

#include "pipeline/core/status.h"

#include <stddef.h>
#include <stdint.h>

/* DS_K_AWQ4: 4-bit weights in the AutoAWQ "gemm" layout (ds_k_awq); matmul only. */
typedef enum ds_k_dtype { DS_K_F32, DS_K_F16, DS_K_BF16, DS_K_AWQ4 } ds_k_dtype;

typedef enum ds_k_isa {
    DS_K_ISA_AUTO = 0, /* best available (only as a request) */
    DS_K_ISA_SCALAR = 1,
    DS_K_ISA_AVX2 = 2,        /* AVX2 + FMA + F16C */
    DS_K_ISA_AVX512 = 3,      /* AVX-512 F/BW/VL/DQ (+ the AVX2 set) */
    DS_K_ISA_AVX512_VNNI = 4, /* the AVX-512 set + VNNI: int4 decode by integer dot products */
    DS_K_ISA_LAST = DS_K_ISA_AVX512_VNNI
} ds_k_isa;

/* The best instruction set this CPU offers, from its feature flags (cpuid), never its name. */
ds_k_isa ds_k_isa_best(void);
const char *ds_k_isa_name(ds_k_isa isa);

/* bf16 / f16 <-> fp32 scalar conversions (round to nearest even). */
float ds_k_bf16_to_f32(uint16_t h);
uint16_t ds_k_f32_to_bf16(float f);
float ds_k_f16_to_f32(uint16_t h);
uint16_t ds_k_f32_to_f16(float f);
size_t ds_k_dtype_size(ds_k_dtype t);

/* ---- context: thread pool + instruction set + scratch ---------------------------------- */

typedef struct ds_kctx ds_kctx;

/* n_threads <= 0: every online core. isa DS_K_ISA_AUTO: ds_k_isa_best(); a requested isa the
 * CPU lacks is an error (DS_ERR_UNSUPPORTED). Caller frees with ds_kctx_free. */
ds_status ds_kctx_create(ds_kctx **out, int n_threads, ds_k_isa isa, ds_err *err);
void ds_kctx_free(ds_kctx *c);
int ds_kctx_threads(const ds_kctx *c);
ds_k_isa ds_kctx_isa(const ds_kctx *c);

/* Runs fn(arg, task, thread) for task in [0, n_tasks) on the pool; the caller's thread takes
 * part (thread 0). Returns when every task is done. Tasks are claimed dynamically. */
typedef void (*ds_k_task_fn)(void *arg, int task, int thread);
void ds_kctx_parallel(ds_kctx *c, ds_k_task_fn fn, void *arg, int n_tasks);

/* Best of reps streaming reads of a fresh buffer of bytes, one slice per pool thread, in GB/s
 * (1e9 bytes/s); 0 when the buffer cannot be allocated (membw.c). */
double ds_k_read_bandwidth(ds_kctx *c, size_t bytes, int reps);

/* ---- ops -------------------------------------------------------------------------------- */

typedef struct ds_k_weight {
    const void *data; /* (N, K) row-major, borrowed; DS_K_AWQ4: a ds_k_awq (borrowed) */
    ds_k_dtype dtype;
} ds_k_weight;

/* An int4 weight of N outputs and K inputs as AutoAWQ ("gemm" version) stores it:
 * W^T[k][n] = (q[k][n] - z[k/G][n]) * s[k/G][n], q and z 4-bit values packed eight to an int32
 * along n in the order [0,2,4,6,1,3,5,7] (column 8c + j at bits 4 * ds_k_awq_slot[j]).
 * N % 8 == 0, K % G == 0. All arrays borrowed. */
typedef struct ds_k_awq {
    const int32_t *qweight; /* (K, N/8) */
    const int32_t *qzeros;  /* (K/G, N/8) */
    const uint16_t *scales; /* fp16 (K/G, N) */
    int group;              /* G */
    /* NULL, or the same weight in the decode layout of ds_k_awq_repack (borrowed); matmuls of
     * up to 4 tokens read it instead of the three arrays above on AVX2 and AVX-512 */
    const void *repacked;
} ds_k_awq;

/* y (T, N) = x (T, K) . W (N, K)^T; with accumulate, y += instead of y =. */
void ds_k_matmul(ds_kctx *c, float *y, const float *x, ds_k_weight w, int T, int N, int K, int accumulate);
void ds_k_matmul_ref(float *y, const float *x, ds_k_weight w, int T, int N, int K, int accumulate);

/* ---- AWQ int4 packing (kernels/cpu/awq.c) ------------------------------------------------- */

/* Nibble slot of column j (0..7) inside its int32: the inverse of the AutoAWQ order. */
extern const int ds_k_awq_slot[8];
/* Packs q (R, C) of 4-bit values (0..15, one per byte) into out (R, C/8) int32 in the AutoAWQ
 * order; C % 8 == 0. ds_k_awq_unpack is its inverse. */
void ds_k_awq_pack(int32_t *out, const uint8_t *q, int R, int C);
void ds_k_awq_unpack(uint8_t *q, const int32_t *packed, int R, int C);
/* W^T (K, N) in fp32 from an AWQ weight: (q - z) * s, exact in fp32. */
void ds_k_awq_dequant(float *wt, const ds_k_awq *w, int N, int K);
/* The decode layout (kernels/cpu/awq_repack.c): per panel of 32 columns and group of G rows
 * of k, one chunk of 96 + 16 G bytes read front to back: the 32 fp16 scales, the 32 zeros (one
 * byte each), then for every 8 rows of k four vectors of 8 int32, vector b lane j holding the
 * 8 nibbles of column 8 b + j for those rows (row 8 w + s at bits 4 s). Chunks in (panel,
 * group) order. Returns the bytes of that layout for (N, K) with group G, or 0 when the shape
 * has none (N % 32 != 0, or G % 8 != 0, or K % G != 0). */
size_t ds_k_awq_repack_size(int N, int K, int G);
/* Writes w (N, K) into out (ds_k_awq_repack_size bytes, 32-byte aligned) in that layout. */
void ds_k_awq_repack(void *out, const ds_k_awq *w, int N, int K);

/* Several independent matmuls in one dispatch (MoE experts): work is spread over all of them. */
typedef struct ds_k_matmul_job {
    float *y;       /* (T, N) */
    const float *x; /* (T, K) */
    ds_k_weight w;  /* (N, K) */
    int T, N, K;
    int accumulate;
} ds_k_matmul_job;
void ds_k_matmul_grouped(ds_kctx *c, const ds_k_matmul_job *jobs, int n_jobs);

/* y (R, D) = x (R, D) * rsqrt(mean(x^2) + eps) * w (D). y may equal x. */
void ds_k_rmsnorm(ds_kctx *c, float *y, const float *x, const float *w, int R, int D, float eps);
void ds_k_rmsnorm_ref(float *y, const float *x, const float *w, int R, int D, float eps);

/* Rotary embedding, rotate-half form, in place on x (T, H, D): for i < D/2,
 * (a, b) = (x[i], x[i + D/2]) -> (a cos - b sin, b cos + a sin), with cos, sin (T, D/2) the
 * tables of each token's position (already scaled by any attention factor). */
void ds_k_rope(ds_kctx *c, float *x, const float *cos, const float *sin, int T, int H, int D);
void ds_k_rope_ref(float *x, const float *cos, const float *sin, int T, int H, int D);

/* y (n) = silu(g) * u, silu(v) = v / (1 + exp(-v)). y may equal g or u. */
void ds_k_silu_mul(ds_kctx *c, float *y, const float *g, const float *u, size_t n);
void ds_k_silu_mul_ref(float *y, const float *g, const float *u, size_t n);

/* Row-wise softmax: y (R, N) = softmax(x (R, N) * scale). y may equal x. */
void ds_k_softmax(ds_kctx *c, float *y, const float *x, int R, int N, float scale);
void ds_k_softmax_ref(float *y, const float *x, int R, int N, float scale);

/* Per row of x (R, N): the k largest values in descending order and their indices (the lower
 * index first among equal values). idx, val: (R, k). */
void ds_k_topk(int32_t *idx, float *val, const float *x, int R, int N, int k);
void ds_k_topk_ref(int32_t *idx, float *val, const float *x, int R, int N, int k);

/* y (n) += x (n). */
void ds_k_add(ds_kctx *c, float *y, const float *x, size_t n);

/* Rows of a table (V, D) in any weight dtype, widened: y (T, D) = table[ids[t]]. */
void ds_k_embed(ds_kctx *c, float *y, ds_k_weight table, const int32_t *ids, int T, int D);

/* Paged keys and values of one layer of one sequence. Page p holds positions
 * [p * page_tokens, (p + 1) * page_tokens); its keys k[p] are stored transposed per head,
 * (Hkv, D, page_tokens), so a tile of scores is an outer product, and its values v[p] are
 * (Hkv, page_tokens, D). page_tokens is a multiple of 16. */
typedef struct ds_k_kv_pages {
    const float *const *k; /* borrowed, n_pages pointers */
    const float *const *v;
    int page_tokens;
    int n_pages;
} ds_k_kv_pages;

/* Causal grouped-query attention of T new tokens at positions pos0 .. pos0 + T - 1 over every
 * position 0 .. pos0 + T - 1 in kv (which already holds the new tokens' keys and values):
 * out (T, Hq, D) = softmax(q k^T * scale) v, query head h reading kv head h / (Hq / Hkv).
 * Tiled online softmax over key tiles aligned on absolute positions: no score matrix larger
 * than a tile exists, and a row's result does not depend on how queries are grouped into
 * calls (segmented and unsegmented prefill agree to the bit). */
void ds_k_attention(ds_kctx *c, float *out, const float *q, const ds_k_kv_pages *kv, int pos0, int T, int Hq, int Hkv,
                    int D, float scale);
void ds_k_attention_ref(float *out, const float *q, const ds_k_kv_pages *kv, int pos0, int T, int Hq, int Hkv, int D,
                        float scale);

/* ---- twins of the CUDA backend's model ops (kernels/cpu/twins.c) ---------------------------
 * Reference contracts of ops the CPU forward pass does inline; the CUDA kernels implement the
 * same and tests/cuda compares them. Plain loops, double accumulation, single thread. */

/* MoE routing of T tokens over E experts: p = softmax(logits / exp_t) per row (exp_t = exp of
 * the learned temperature, 1 when there is none), the k largest (lower index first on ties),
 * renormalised to sum 1 when norm. idx, w: (T, k); logits (T, E). */
void ds_k_moe_route_ref(int32_t *idx, float *w, const float *logits, int T, int E, int k, float exp_t, int norm);

/* The T*k (token, expert) pairs grouped by expert: counts (E), offsets (E + 1, exclusive sums,
 * offsets[E] = T*k); per grouped row r: row_tok[r] (its token) and row_w[r] (its weight), tokens
 * ascending within an expert; pair_row (T, k): the grouped row of pair (t, j). */
void ds_k_moe_permute_ref(int32_t *counts, int32_t *offsets, int32_t *row_tok, float *row_w, int32_t *pair_row,
                          const int32_t *idx, const float *w, int T, int k, int E);

/* out (T, H) = sum over each token's pairs, in ascending expert order, of row_w * y[row]
 * (y: (T*k, H) grouped rows); with accumulate, out += that sum (added once, after summing). */
void ds_k_moe_combine_ref(float *out, const float *y, const int32_t *pair_row, const int32_t *idx, const float *row_w,
                          int T, int k, int H, int accumulate);

/* Writes the keys and values (T, Hkv, D) of positions pos0 .. pos0 + T - 1 into pages laid out
 * as ds_k_kv_pages describes (keys transposed). */
void ds_k_kv_write_ref(float *const *kpages, float *const *vpages, int page_tokens, const float *k, const float *v,
                       int pos0, int T, int Hkv, int D);

/* Philox4x32-10 (Salmon et al. 2011): out = bijection of ctr under key. */
void ds_k_philox4x32(uint32_t out[4], const uint32_t ctr[4], const uint32_t key[2]);

/* Sampling of one token from logits (V). temperature <= 0: the argmax (lowest index on ties).
 * Else s_i = logits[i] / temperature; the nucleus keeps token i when the probability mass
 * (softmax of s) of the tokens with s_j > s_i is below top_p (top_p >= 1 keeps every token;
 * the tokens of the largest score are always kept); among kept tokens the one with the largest
 * s_i + g_i wins (Gumbel-max: an exact draw from the renormalised nucleus),
 * g_i = -log(-log(u_i)), u_i = (x + 0.5) / 2^32 with x the first word of
 * philox(ctr = {i, counter lo, counter hi, 0}, key = {seed lo, seed hi}) (kernels/philox.h).
 * -inf logits are never drawn (when every logit is -inf the result is 0). */
int ds_k_sample_ref(const float *logits, int V, float temperature, float top_p, uint64_t seed, uint64_t counter);

/* JSON-schema token mask: logits[i] = -inf where bit i % 32 of allow[i / 32] is clear. */
void ds_k_mask_logits(float *logits, const uint32_t *allow, int V);

#endif
