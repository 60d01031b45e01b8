/* awq.h - AutoAWQ int4 checkpoints in the model stage (stage-internal: model/ and tests):
 * the quantization_config of config.json, binding *.qweight / *.qzeros / *.scales in place of a
 * linear layer's *.weight (awq.c), and writing such checkpoints from a bf16 one (awq_quant.c,
 * `dossier model quantize`).
 *
 * Format (AutoAWQ, version "gemm", zero_point): for a Linear of N outputs and K inputs,
 * qweight int32 [K, N/8], qzeros int32 [K/G, N/8], scales fp16 [K/G, N]; 4-bit values packed
 * eight to an int32 in the order [0,2,4,6,1,3,5,7]; W^T[k][n] = (q - z) * s (kernels.h,
 * ds_k_awq). Layers without a qweight (the MoE router, embeddings, lm_head) stay in float.
 * Threading: loading is reentrant; the quantizer uses the model's thread pool.
 */
#ifndef DS_MODEL_AWQ_H
#define DS_MODEL_AWQ_H

#include "kernels/kernels.h"
#include "pipeline/core/log.h"
#include "pipeline/core/status.h"

#include <stdint.h>

typedef struct ds_model ds_model;

typedef struct ds_awq_config {
    int enabled;    /* config.json has quantization_config with quant_method "awq" */
    int bits;       /* 4 */
    int group_size; /* G */
    int zero_point; /* 1 */
} ds_awq_config;

/* Reads quantization_config from dir/config.json: absent -> q->enabled = 0. A quantization this
 * engine cannot run (another method, bits other than 4, no zero point, a version other than
 * "gemm", a bad group size) is DS_ERR_UNSUPPORTED / DS_ERR_MODEL. */
ds_status ds_awq_config_load(ds_awq_config *q, const char *dir, ds_err *err);

/* When the checkpoint holds <base>.qweight for name "<base>.weight" (a matrix of rows x cols,
 * rows = N outputs, cols = K inputs): checks the three tensors' dtypes and shapes against N, K
 * and the group size, fills *desc and binds w to it (DS_K_AWQ4). DS_ERR_NOT_FOUND (err
 * untouched) when there is no qweight: the caller binds the float tensor. */
ds_status ds_awq_bind(const ds_model *m, const ds_awq_config *q, const char *name, long rows, long cols, ds_k_awq *desc,
                      ds_k_weight *w, uint64_t *bytes, ds_err *err);

/* Rewrites every bound int4 weight whose shape has one into the kernels' decode layout
 * (ds_k_awq_repack), in one mapping on 2 MiB pages the model owns (m->awq_rp, freed by
 * ds_awq_repack_free), on the model's threads, and points each descriptor at it. The AVX2 and
 * AVX-512 kernels then read only that layout (decode and prefill), so the pages of the
 * checkpoint's AutoAWQ tensors leave the process and the page cache as each weight is
 * repacked (ds_ckpt_release: the memory stays free for the huge pages of what follows); the
 * scalar kernels (and the CUDA backend, which does not repack) read them from the file. */
ds_status ds_awq_repack(ds_model *m, ds_err *err);
void ds_awq_repack_free(ds_model *m);

/* The output layer (lm_head, or the tied embeddings) rounded to nearest into int4, group 128,
 * AutoAWQ arrays plus the decode layout, in memory (awq_output.c): m->lm_head points at it and
 * the embeddings stay 16-bit. An extension of the format: AutoAWQ keeps lm_head in 16 bits.
 * DS_ERR_SHAPE unless the vocabulary is a multiple of 32 and the hidden size of 128;
 * DS_ERR_UNSUPPORTED when the output layer is int4 already. Freed by ds_awq_output_free. */
ds_status ds_awq_output_layer(ds_model *m, ds_err *err);
void ds_awq_output_free(ds_model *m);

/* ---- quantizer ---------------------------------------------------------------------------- */

typedef struct ds_awq_quant_opts {
    int group_size;       /* 0: 128 */
    const int32_t *calib; /* calibration token ids (borrowed), NULL: round to nearest */
    int n_calib;
    int n_threads;        /* 0: every core */
    double time_budget_s; /* the scale search must fit in this (estimated); 0: 600 s */
    ds_log *log;          /* progress lines; NULL: none */
} ds_awq_quant_opts;

typedef struct ds_awq_quant_report {
    int calibrated;    /* calibration ran */
    int n_linear;      /* linear layers quantized */
    int n_awq_groups;  /* scale groups that got an activation-aware search */
    int n_rtn_groups;  /* scale groups left at round to nearest */
    double mean_alpha; /* mean chosen exponent over searched groups */
    double search_estimate_s;
    double seconds;
    char method[160]; /* in words: what was used, and why */
} ds_awq_quant_report;

/* Writes out_dir (created if needed): config.json with quantization_config added, one
 * model.safetensors in the AutoAWQ format, and the tokenizer files of src_dir. src_dir must
 * hold a float checkpoint. Every group size must divide the linear layers' input sizes. */
ds_status ds_awq_quantize(const char *src_dir, const char *out_dir, const ds_awq_quant_opts *o,
                          ds_awq_quant_report *rep, ds_err *err);

/* Round-to-nearest asymmetric int4 of one group of n values w[i * stride]: with lo = min(min, 0)
 * and hi = max(max, 0), the fp16 scale (hi - lo) / 15 (at least 1e-5), the zero round(-lo /
 * scale) in [0, 15], q[i] = clamp(round(w / scale) + zero, 0, 15); every value comes back within
 * about half a step (0.51 scale). */
void ds_awq_quant_group(const float *w, int n, int stride, uint8_t *q, int q_stride, uint16_t *scale, uint8_t *zero);

#endif
