/* kernels_cuda.h - the CUDA backend's op set and device services (C interface).
 *
 * Each op has a CPU twin with the same contract (named with the op): the ds_k_*_ref functions
 * of kernels/kernels.h; tests/cuda compares them on fresh random inputs with per-op bounds.
 * Pointers are device memory unless a parameter says _host. Shapes in comments as (T, N).
 * Every function returns a ds_status and fills err; none exits. Launches are asynchronous on
 * the given stream (0: the legacy default stream); an execution error shows at the next
 * synchronising call (ds_cuda_stream_sync), which reports it.
 * Memory: one device arena per device (ds_cuda_arena), allocated once with cudaMalloc; the
 * engine carves weights, KV pages and step buffers out of it.
 * Threading: ops on one stream are ordered; distinct streams run concurrently. A ds_cuda_blas
 * belongs to one stream and one thread at a time.
 * Before the first attention launch on a device, call ds_cuda_kernels_init once (it raises
 * the shared-memory limits of the kernels that need more than 48 KB).
 */
#ifndef DS_KERNELS_CUDA_H
#define DS_KERNELS_CUDA_H

#include "kernels/kernels.h"
#include "pipeline/core/status.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __CUDACC__
#include <cuda_runtime.h>
#else
typedef struct CUstream_st *cudaStream_t;
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- devices, memory, streams, graphs (runtime.cu) ---------------------------------------- */

/* Devices usable now (0 when there is no driver or device; never an error). */
int ds_cuda_device_count(void);
/* The device count, or -1 with the CUDA error's text in why (n bytes): tells "no device" from a
 * driver or runtime failure, which must not read as "skipped". */
int ds_cuda_device_probe(char *why, size_t n);
ds_status ds_cuda_set_device(int dev, ds_err *err);
ds_status ds_cuda_mem_info(size_t *free_bytes, size_t *total_bytes, ds_err *err);
ds_status ds_cuda_kernels_init(ds_err *err);

typedef struct ds_cuda_arena {
    char *base; /* cudaMalloc'd, owned */
    size_t size, used;
} ds_cuda_arena;

/* One cudaMalloc of bytes on the current device. */
ds_status ds_cuda_arena_create(ds_cuda_arena *a, size_t bytes, ds_err *err);
void ds_cuda_arena_destroy(ds_cuda_arena *a);
/* bytes from the arena, 256-byte aligned; NULL when it is full (the caller reports). */
void *ds_cuda_arena_alloc(ds_cuda_arena *a, size_t bytes);

ds_status ds_cuda_stream_create(cudaStream_t *s, ds_err *err);
void ds_cuda_stream_destroy(cudaStream_t s);
ds_status ds_cuda_stream_sync(cudaStream_t s, ds_err *err);
/* Copies; asynchronous on s (host memory should be pinned for overlap; pageable works). */
ds_status ds_cuda_copy_h2d(void *dst, const void *src_host, size_t n, cudaStream_t s, ds_err *err);
ds_status ds_cuda_copy_d2h(void *dst_host, const void *src, size_t n, cudaStream_t s, ds_err *err);
ds_status ds_cuda_copy_d2d(void *dst, const void *src, size_t n, cudaStream_t s, ds_err *err);
/* rows of width bytes from a strided host source (pitch bytes apart) to a packed destination */
ds_status ds_cuda_copy_h2d_2d(void *dst, const void *src_host, size_t pitch, size_t width, size_t rows, cudaStream_t s,
                              ds_err *err);
ds_status ds_cuda_memset(void *dst, int byte, size_t n, cudaStream_t s, ds_err *err);
ds_status ds_cuda_host_alloc(void **p, size_t n, ds_err *err); /* pinned host memory */
void ds_cuda_host_free(void *p);

/* Stream capture into a CUDA graph, and replay. */
typedef struct ds_cuda_graph ds_cuda_graph;
ds_status ds_cuda_capture_begin(cudaStream_t s, ds_err *err);
/* Ends the capture; on failure the capture is abandoned and *g is NULL. */
ds_status ds_cuda_capture_end(cudaStream_t s, ds_cuda_graph **g, ds_err *err);
ds_status ds_cuda_graph_launch(ds_cuda_graph *g, cudaStream_t s, ds_err *err);
void ds_cuda_graph_free(ds_cuda_graph *g);

/* Elapsed milliseconds between two points of a stream. */
typedef struct ds_cuda_timer ds_cuda_timer;
ds_status ds_cuda_timer_create(ds_cuda_timer **t, ds_err *err);
void ds_cuda_timer_free(ds_cuda_timer *t);
ds_status ds_cuda_timer_start(ds_cuda_timer *t, cudaStream_t s, ds_err *err);
ds_status ds_cuda_timer_stop(ds_cuda_timer *t, cudaStream_t s, double *ms, ds_err *err);

/* ---- weights ---------------------------------------------------------------------------- */

/* A weight on the device: (N, K) row-major in F32/F16/BF16 (dtype as ds_k_dtype), or
 * DS_K_AWQ4 with data = qweight (K, N/8), qzeros (K/G, N/8), scales fp16 (K/G, N) (kernels.h,
 * ds_k_awq). Also the element type of the tables the grouped kernels read (device arrays). */
typedef struct ds_cuda_wdesc {
    const void *data;
    const int32_t *qzeros;
    const uint16_t *scales;
} ds_cuda_wdesc;

typedef struct ds_cuda_weight {
    ds_cuda_wdesc d;
    ds_k_dtype dtype;
    int group; /* AWQ */
} ds_cuda_weight;

/* ---- GEMM (gemm.cu) ----------------------------------------------------------------------- */

/* Twin of ds_k_matmul_ref: y (T, N) (+)= x (T, K) . W^T, fp32 activations, any weight dtype
 * widened (AWQ dequantised) per element, fp32 accumulation, on CUDA cores (64 x 64 tiles). The
 * exact path (tests, the fp32 engine). */
ds_status ds_cuda_matmul_f32(float *y, const float *x, const ds_cuda_weight *w, int T, int N, int K, int accumulate,
                             cudaStream_t s, ds_err *err);

typedef struct ds_cuda_blas ds_cuda_blas;
/* A cuBLAS handle on stream s with workspace (device, bytes; from the arena) so that calls
 * can be captured into graphs. */
ds_status ds_cuda_blas_create(ds_cuda_blas **b, cudaStream_t s, void *workspace, size_t ws_bytes, ds_err *err);
void ds_cuda_blas_free(ds_cuda_blas *b);
/* y (T, N) fp32 (+)= x (T, K) bf16 . W^T with W (N, K) bf16 (wt = 0), or W^T (K, N) bf16
 * (wt = 1, the layout the AWQ dequantiser writes); tensor cores, fp32 accumulation
 * (cublasGemmEx, CUBLAS_COMPUTE_32F). Twin: ds_k_matmul_ref on the same bf16 values. */
ds_status ds_cuda_gemm_bf16(ds_cuda_blas *b, float *y, const uint16_t *x, const uint16_t *w, int wt, int T, int N,
                            int K, int accumulate, ds_err *err);

/* W^T (K, N) bf16 from an AWQ weight: (q - z) * s rounded to bf16 (for ds_cuda_gemm_bf16). */
ds_status ds_cuda_awq_dequant_bf16(uint16_t *wt, const ds_cuda_weight *w, int N, int K, cudaStream_t s, ds_err *err);

/* Grouped matrix-vector products for few rows per group (decode; MoE experts): rows
 * [offsets[e], offsets[e + 1]) of x (rows, K) times the weight table[e] give the same rows of
 * y (rows, N) fp32 (+= with accumulate). x is bf16 (x_bf16) or fp32; the weights BF16 or AWQ4
 * (group size group). offsets: device, E + 1 entries. Groups run: 0 .. E - 1 when active is
 * NULL, else active[0 .. n_launch) (device; negative entries skipped), so that a decode step
 * launches blocks for the T * k experts that can have rows, not for all E (the list comes from
 * ds_cuda_moe_permute). Each weight row is read once per 4 rows of its group. A dense layer is
 * one group: E = 1. Twin: ds_k_matmul_ref per group. */
ds_status ds_cuda_grouped_gemv(float *y, const void *x, int x_bf16, const ds_cuda_wdesc *table, ds_k_dtype dtype,
                               int group, const int32_t *offsets, const int32_t *active, int n_launch, int E, int N,
                               int K, int accumulate, cudaStream_t s, ds_err *err);
/* The same for an MLP's first half, fused: h (rows, F) = silu(x . Wg^T) * (x . Wu^T), written
 * bf16 (h_bf16) or fp32. Twin: two ds_k_matmul_ref and ds_k_silu_mul_ref. */
ds_status ds_cuda_grouped_gateup(void *h, int h_bf16, const void *x, int x_bf16, const ds_cuda_wdesc *gate,
                                 const ds_cuda_wdesc *up, ds_k_dtype dtype, int group, const int32_t *offsets,
                                 const int32_t *active, int n_launch, int E, int F, int K, cudaStream_t s, ds_err *err);

/* ---- row and element-wise ops (elementwise.cu, rmsnorm.cu, rope.cu) ------------------------ */

/* out (R, D) = x * rsqrt(mean(x^2) + eps) * w, written fp32 or bf16 (out_bf16); out may equal x
 * when fp32. Per-head q/k norms are the same op over R = T * heads rows of D. Twin:
 * ds_k_rmsnorm_ref. */
ds_status ds_cuda_rmsnorm(void *out, int out_bf16, const float *x, const float *w, int R, int D, float eps,
                          cudaStream_t s, ds_err *err);
ds_status ds_cuda_rmsnorm_f32(float *out, const float *x, const float *w, int T, int D, float eps, cudaStream_t stream,
                              ds_err *err);
ds_status ds_cuda_rmsnorm_f32_host(float *out, const float *x, const float *w, int T, int D, float eps, ds_err *err);

/* Rotary tables of T positions (pos, device int32; pos_base added to each): cos, sin (T, D/2)
 * with angle = (float)p * inv_freq[i] in fp32, cos/sin in double, times attn_factor. When
 * pos_dev0 is non-NULL the positions are *pos_dev0 + t instead (decode graphs). Twin:
 * ds_rope_row (model/rope.c). */
ds_status ds_cuda_rope_table(float *cos, float *sin, const float *inv_freq, float attn_factor, const int32_t *pos,
                             const int32_t *pos_dev0, int T, int half, cudaStream_t s, ds_err *err);
/* x (T, H, D) in place, rotate-half form. Twin: ds_k_rope_ref. */
ds_status ds_cuda_rope(float *x, const float *cos, const float *sin, int T, int H, int D, cudaStream_t s, ds_err *err);

/* y (n) = silu(g) * u, written fp32 or bf16. Twin: ds_k_silu_mul_ref. */
ds_status ds_cuda_silu_mul(void *y, int y_bf16, const float *g, const float *u, size_t n, cudaStream_t s, ds_err *err);
/* y (n) += x (n). */
ds_status ds_cuda_add(float *y, const float *x, size_t n, cudaStream_t s, ds_err *err);
/* y (n) bf16 = x (n) fp32, rounded to nearest even. */
ds_status ds_cuda_to_bf16(uint16_t *y, const float *x, size_t n, cudaStream_t s, ds_err *err);
/* y (T, D) = table[ids[t]] widened (table (V, D) in dtype F32/F16/BF16). Twin: ds_k_embed. */
ds_status ds_cuda_embed(float *y, const void *table, ds_k_dtype dtype, const int32_t *ids, int T, int D, cudaStream_t s,
                        ds_err *err);
/* Random weights on the device (benchmarks): bf16 values uniform in [-scale, scale] from
 * Philox(seed, index); an AWQ weight with random nibbles and scales of about scale / 8. */
ds_status ds_cuda_fill_random_bf16(uint16_t *w, size_t n, float scale, uint64_t seed, cudaStream_t s, ds_err *err);
ds_status ds_cuda_fill_random_f32(float *w, size_t n, float lo, float hi, uint64_t seed, cudaStream_t s, ds_err *err);
ds_status ds_cuda_fill_random_awq(const ds_cuda_weight *w, int N, int K, float scale, uint64_t seed, cudaStream_t s,
                                  ds_err *err);

/* ---- attention over paged KV (attention.cu) ------------------------------------------------ */

/* One layer's pages of one sequence on the device. A page is page_bytes of the pool; page p of
 * the sequence is pool + pages[p] * page_bytes; in it this layer's keys start at k_off bytes,
 * (Hkv, D, page_tokens) (transposed, as kernels.h ds_k_kv_pages), and values at v_off,
 * (Hkv, page_tokens, D). Elements are fp32, or bf16 when bf16. page_tokens % 16 == 0. */
typedef struct ds_cuda_kv {
    void *pool;
    size_t page_bytes, k_off, v_off;
    const int32_t *pages; /* device */
    int page_tokens;
    int bf16;
} ds_cuda_kv;

/* Writes keys and values (T, Hkv, D) fp32 of positions pos0 + t into the pages (rounded to
 * bf16 for bf16 pages). pos0 is *pos0_dev when pos0_dev is non-NULL. Twin: ds_k_kv_write_ref. */
ds_status ds_cuda_kv_write(const ds_cuda_kv *kv, const float *k, const float *v, int pos0, const int32_t *pos0_dev,
                           int T, int Hkv, int D, cudaStream_t s, ds_err *err);

/* Causal grouped-query attention of T queries at positions pos0 .. pos0 + T - 1 over positions
 * 0 .. pos0 + T - 1 of kv: out (T, Hq, D) = softmax(q k^T * scale) v, written fp32 or bf16,
 * q (T, Hq, D) fp32. Tiled online softmax; no score matrix beyond a tile. bf16 pages with
 * D in {32, 64, 128} run on tensor cores (mma.sync m16n8k16, bf16 inputs, fp32 accumulation;
 * q is rounded to bf16); otherwise a CUDA-core kernel in fp32. n_splits > 1 splits the keys
 * over that many blocks per query tile (flash-decoding) and merges them; it needs the
 * workspace (ds_cuda_attention_workspace bytes). pos0 is *pos0_dev when non-NULL (graphs).
 * Twin: ds_k_attention_ref. */
ds_status ds_cuda_attention(void *out, int out_bf16, const float *q, const ds_cuda_kv *kv, int pos0,
                            const int32_t *pos0_dev, int T, int Hq, int Hkv, int D, float scale, int n_splits,
                            void *workspace, cudaStream_t s, ds_err *err);
size_t ds_cuda_attention_workspace(int T, int Hq, int D, int n_splits);

/* ---- MoE (moe.cu) ------------------------------------------------------------------------- */

/* Twin: ds_k_moe_route_ref (softmax in fp32 of logits / exp_t, top-k with the lower index first
 * on ties, renormalised when norm). logits (T, E), idx / w (T, k); E <= 1024, k <= 32. */
ds_status ds_cuda_moe_route(int32_t *idx, float *w, const float *logits, int T, int E, int k, float exp_t, int norm,
                            cudaStream_t s, ds_err *err);
/* Twin: ds_k_moe_permute_ref. counts (E), offsets (E + 1), row_tok / row_w / pair_row (T * k);
 * active (E, may be NULL): the experts with rows in ascending order, then -1. */
ds_status ds_cuda_moe_permute(int32_t *counts, int32_t *offsets, int32_t *active, int32_t *row_tok, float *row_w,
                              int32_t *pair_row, const int32_t *idx, const float *w, int T, int k, int E,
                              cudaStream_t s, ds_err *err);
/* xg (rows, H) = x[row_tok[r]], fp32 or bf16 (xg_bf16). */
ds_status ds_cuda_moe_gather(void *xg, int xg_bf16, const float *x, const int32_t *row_tok, int rows, int H,
                             cudaStream_t s, ds_err *err);
/* Twin: ds_k_moe_combine_ref (sum in ascending expert order, fp32). */
ds_status ds_cuda_moe_combine(float *out, const float *y, const int32_t *pair_row, const int32_t *idx,
                              const float *row_w, int T, int k, int H, int accumulate, cudaStream_t s, ds_err *err);

/* ---- sampling and the token mask (sample.cu) --------------------------------------------- */

/* out[r] = argmax of logits row r (R, V), lowest index on ties. */
ds_status ds_cuda_argmax(int32_t *out, const float *logits, int R, int V, cudaStream_t s, ds_err *err);
/* One token per row of logits (R, V) into out[r], by the contract of ds_k_sample_ref with
 * counter + r (counter is *counter_dev + r when counter_dev is non-NULL). */
ds_status ds_cuda_sample(int32_t *out, const float *logits, int R, int V, float temperature, float top_p, uint64_t seed,
                         uint64_t counter, const uint64_t *counter_dev, cudaStream_t s, ds_err *err);
/* Twin: ds_k_mask_logits, on every row of logits (R, V). allow: (V + 31) / 32 words. */
ds_status ds_cuda_mask_logits(float *logits, const uint32_t *allow, int R, int V, cudaStream_t s, ds_err *err);

/* ---- tensor parallelism (nccl.cu; stubs reporting DS_ERR_UNSUPPORTED without NCCL) ---------- */

typedef struct ds_cuda_comm ds_cuda_comm;
int ds_cuda_have_nccl(void);
/* One communicator per listed device, all in this process. */
ds_status ds_cuda_comm_create(ds_cuda_comm **c, const int *devices, int n, ds_err *err);
void ds_cuda_comm_free(ds_cuda_comm *c);
/* In-place sum of buf[r] (n floats on device r's stream streams[r]) over every rank; issued
 * for all ranks at once (one group). */
ds_status ds_cuda_allreduce_sum(ds_cuda_comm *c, float *const *buf, size_t n, cudaStream_t const *streams, ds_err *err);

#ifdef __cplusplus
}
#endif

#endif
