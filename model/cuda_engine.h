/* cuda_engine.h - the model's forward pass on CUDA devices (cuda_engine.c): the same Qwen3-MoE /
 * Qwen3 computation as forward.c, with the weights uploaded once into one device arena per
 * device (or generated there, for benchmarks), a paged KV cache in device memory, prefill in
 * segments, decode steps replayed as CUDA graphs, and tensor parallelism over the devices of
 * one host through NCCL. Stage-internal (model/, tests, benchmarks); the rest of dossier reaches
 * it through ds_model (model.h: ds_model_opts.backend).
 *
 * Precision: DS_CUDA_PREC_BF16 (production) keeps the residual stream, norms, softmax and
 * routing in fp32 and feeds bf16 activations and weights to tensor-core GEMMs (fp32
 * accumulation), bf16 KV pages and the tensor-core attention; int4 AWQ weights stay int4.
 * DS_CUDA_PREC_FP32 computes everything in fp32 on CUDA cores with the weights in their file
 * dtype and fp32 KV pages: it matches the CPU backend to fp32 rounding (the check of the whole
 * pipeline; slow).
 * Ownership: an engine owns its devices' arenas, streams, handles, graphs and page pool; a
 * ds_cuda_seq belongs to its engine and is freed before it. Threading: one call at a time per
 * engine (the caller serialises, as for ds_model).
 */
#ifndef DS_MODEL_CUDA_ENGINE_H
#define DS_MODEL_CUDA_ENGINE_H

#include "model/model.h"
#include "pipeline/core/log.h"
#include "pipeline/core/status.h"

#include <stdint.h>

typedef enum ds_cuda_prec { DS_CUDA_PREC_BF16, DS_CUDA_PREC_FP32 } ds_cuda_prec;

typedef struct ds_cuda_engine_opts {
    ds_cuda_prec prec;
    int tp;             /* devices (tensor-parallel ranks) from device 0; 0: 1 */
    int segment_tokens; /* tokens per step; 0: 8192 (bf16) or 512 (fp32) */
    int page_tokens;    /* KV page; 0: 64 */
    long kv_tokens;     /* KV capacity over all sequences; 0: what device memory allows (90%) */
    int graphs;         /* replay single-sequence decode steps as CUDA graphs (bf16, tp 1) */
    int decode_splits;  /* key splits of decode attention; 0: 64 */
    int moe_gemv_pairs; /* MoE (token, expert) pairs up to which the grouped GEMV kernels run
                           the experts (no host round trip; decode); above, one cuBLAS GEMM per
                           expert. 0: 128; -1: always cuBLAS (tests of that path) */
    ds_log *log;
} ds_cuda_engine_opts;

void ds_cuda_engine_opts_default(ds_cuda_engine_opts *o);

typedef struct ds_cuda_engine ds_cuda_engine;
typedef struct ds_cuda_seq ds_cuda_seq;

/* 1 when the CUDA backend is built and at least one device is usable; else 0 with the reason. */
int ds_cuda_engine_available(char *why, size_t cap);

/* An engine for a loaded model: its weights (bf16, f16, f32 or AWQ int4) are uploaded
 * (converted to bf16 for DS_CUDA_PREC_BF16, int4 kept), shared by tp devices. */
ds_status ds_cuda_engine_create(ds_cuda_engine **out, const ds_model *m, const ds_cuda_engine_opts *o, ds_err *err);
/* An engine of the given shape with random weights generated on the device (benchmarks: no
 * checkpoint file): bf16, or int4 AWQ with group awq_group when awq_group > 0. */
ds_status ds_cuda_engine_create_random(ds_cuda_engine **out, const ds_model_config *cfg, int awq_group, uint64_t seed,
                                       const ds_cuda_engine_opts *o, ds_err *err);
void ds_cuda_engine_free(ds_cuda_engine *e);
/* "NVIDIA H200 x1, bf16" and the like (static per engine). */
const char *ds_cuda_engine_describe(const ds_cuda_engine *e);
size_t ds_cuda_engine_weight_bytes(const ds_cuda_engine *e); /* per device */
long ds_cuda_engine_kv_capacity(const ds_cuda_engine *e);    /* tokens */
/* 1 when decode steps are being replayed from a captured CUDA graph. */
int ds_cuda_engine_graph_active(const ds_cuda_engine *e);

ds_status ds_cuda_seq_create(ds_cuda_engine *e, ds_cuda_seq **out, ds_err *err);
void ds_cuda_seq_free(ds_cuda_seq *s);
int ds_cuda_seq_len(const ds_cuda_seq *s);
void ds_cuda_seq_truncate(ds_cuda_seq *s, int n);

/* Appends tokens[0..n) to s, in segments; logits as ds_model_forward (caller's host buffer). */
ds_status ds_cuda_engine_forward(ds_cuda_engine *e, ds_cuda_seq *s, const int32_t *tokens, int n, ds_model_logits want,
                                 float *logits, ds_err *err);

typedef struct ds_cuda_sampling {
    float temperature; /* <= 0: greedy */
    float top_p;
    uint64_t seed;
    int stop_at_eos; /* stop after an end-of-sequence id of the config */
} ds_cuda_sampling;

/* Prefill then decode up to max_new tokens into out, choosing each token on the device
 * (argmax or the seeded sampling of ds_k_sample_ref with counter = position); decode steps are
 * graph replays when the engine allows. */
ds_status ds_cuda_engine_generate(ds_cuda_engine *e, ds_cuda_seq *s, const int32_t *prompt, int n_prompt, int max_new,
                                  const ds_cuda_sampling *smp, int32_t *out, int *n_out, double *prefill_s,
                                  double *decode_s, ds_err *err);

/* JSON-schema constrained decoding: the allowed-token bits of the next generated tokens
 * ((vocab + 31) / 32 words, host; NULL turns the mask off). */
ds_status ds_cuda_engine_set_mask(ds_cuda_engine *e, const uint32_t *allow, ds_err *err);

/* Runs layer 0's MoE block (or dense MLP) alone on T rows of random activations reps times and
 * returns the mean device time of one run in ms (benchmarks; T <= the segment size). */
ds_status ds_cuda_engine_bench_moe(ds_cuda_engine *e, int T, int reps, double *ms, ds_err *err);

#endif
