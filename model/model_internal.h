/* model_internal.h - the model stage's internal structures: the loaded model (weights bound to
 * the mapped checkpoint, kernel context, KV cache, step scratch), sequences, rotary tables and
 * the reference forward pass. Not for use outside model/ and tests/.
 *
 * Ownership: ds_model owns everything reachable from it except the mapped tensor bytes, which
 * its ds_ckpt owns. Threading: see model.h (one forward pass at a time per model).
 */
#ifndef DS_MODEL_MODEL_INTERNAL_H
#define DS_MODEL_MODEL_INTERNAL_H

#include "kernels/kernels.h"
#include "model/awq.h"
#include "model/checkpoint_internal.h"
#include "model/kvcache.h"
#include "model/model.h"

typedef struct ds_layer_w {
    float *attn_norm, *post_norm, *q_norm, *k_norm; /* fp32 copies, owned */
    ds_k_weight q, k, v, o;
    int moe;
    ds_k_weight router; /* (E, H) */
    int has_temp;
    float router_temp;                   /* t: logits are divided by exp(t) */
    ds_k_weight *e_gate, *e_up, *e_down; /* (E) arrays, owned */
    ds_k_weight gate, up, down;          /* dense MLP */
} ds_layer_w;

/* Scratch of one step, sized for cap tokens. */
typedef struct ds_step_buf {
    int cap;
    float *x, *xn, *q, *k, *v, *att, *cos, *sin;
    float *router, *probs, *topw, *moe_out;
    int32_t *topi;
    float *xg, *hg, *hu, *dn;     /* expert rows (cap * topk) */
    int32_t *row_tok;             /* token of each gathered expert row */
    int32_t *ecnt, *eoff, *efill; /* per expert: rows, first row, fill cursor */
    float *row_w;
    float *dense_g, *dense_u;
    int32_t *tok, *pos; /* per token: id, position */
} ds_step_buf;

struct ds_model {
    ds_model_config cfg;
    ds_model_opts opts;
    ds_ckpt *ckpt;
    ds_kctx *kctx;
    ds_k_weight embed, lm_head;
    float *final_norm;
    ds_layer_w *layers;
    float *inv_freq;   /* (head_dim / 2) */
    float attn_factor; /* multiplies cos and sin (YaRN) */
    ds_kv_cache *kv;
    ds_step_buf buf;
    /* page pointer tables of the step (grown as needed) */
    const float **kp, **vp;
    float **page_mem;
    size_t cap_pages;
    uint64_t n_params, weight_bytes;
    void *wcopy; /* anonymous mapping holding copied weights (copy_weights), or NULL */
    size_t wcopy_size;
    int n_seqs;         /* live sequences */
    ds_awq_config awq;  /* AutoAWQ checkpoint (awq.c) */
    ds_k_awq *awq_desc; /* descriptors of the int4 weights, owned, n_awq_desc of cap */
    int n_awq_desc, cap_awq_desc;
    int *awq_nk;  /* (cap_awq_desc, 2): N and K of each int4 weight, owned */
    void *awq_rp; /* the int4 weights in the decode layout (ds_awq_repack), or NULL */
    size_t awq_rp_size;
    ds_k_awq head_desc; /* the output layer in int4 (awq_output.c) when opts.output_int4 */
    void *head_map;     /* its arrays and decode layout, or NULL */
    size_t head_map_size;
    /* activation hook (the AWQ calibration, awq_quant.c): called with the inputs of the linear
     * layers during a forward pass; NULL: off */
    void (*act_hook)(void *ud, int layer, int site, int expert, const float *x, int rows, int cols);
    void *act_ud;
    struct ds_cuda_engine *cuda; /* the CUDA backend when in use (backend.c), else NULL */
    char backend_desc[160];
    struct ds_prefix_cache *prefix; /* prefix cache (prefix_cache.c), or NULL */
};

/* Sites of the activation hook: inputs of q/k/v, of o_proj, of the MLP or MoE block (gate, up,
 * router), of an expert's down_proj (expert >= 0) or of the dense down_proj. */
enum { DS_ACT_ATTN_IN, DS_ACT_O_IN, DS_ACT_MLP_IN, DS_ACT_EXPERT_MID, DS_ACT_DENSE_MID };

struct ds_model_seq {
    ds_model *m;
    ds_kv_seq kv;                 /* CPU pages; with the CUDA backend only kv.n_tokens is kept */
    struct ds_cuda_seq *cuda_seq; /* the sequence's device pages (backend.c), or NULL */
};

/* ---- the CUDA backend glue (backend.c) ---------------------------------------------------- */

/* Starts the backend the options ask for (at the end of loading): nothing for the CPU; the CUDA
 * engine with the model's weights for AUTO / CUDA when a device is usable, else a log line and
 * the CPU. */
ds_status ds_model_backend_open(ds_model *m, ds_err *err);
void ds_model_backend_close(ds_model *m);
/* ds_model_forward_batch on the CUDA backend (items already validated). */
ds_status ds_model_backend_forward(ds_model *m, const ds_model_batch_item *items, int n_items, ds_err *err);
/* ds_model_generate_greedy on the CUDA backend: tokens chosen on the device. */
ds_status ds_model_backend_generate(ds_model *m, ds_model_seq *seq, const int32_t *prompt, int n_prompt, int max_new,
                                    int32_t *out, int *n_out, double *prefill_s, double *decode_s, ds_err *err);
void ds_model_backend_seq_free(ds_model_seq *s);
void ds_model_backend_seq_truncate(ds_model_seq *s, int n);

ds_k_dtype ds_model_kdtype(ds_st_dtype t);

/* Rotary inverse frequencies (D/2 floats) and attention factor from the config, as the Hugging
 * Face rope initialisation computes them (default or YaRN), in fp32. */
void ds_rope_inv_freq(const ds_model_config *cfg, float *inv_freq, float *attn_factor);
/* cos/sin rows (D/2) of one position: angle = (float)pos * inv_freq[i] in fp32, then
 * cos/sin times the attention factor. */
void ds_rope_row(const float *inv_freq, int half, float attn_factor, int pos, float *cos, float *sin);

/* ---- reference forward pass (reference.c) ----------------------------------------------- */

typedef struct ds_ref_info {
    double min_router_margin; /* smallest gap between the k-th and (k+1)-th expert
                                 probability over all tokens and layers (inf when none) */
} ds_ref_info;

/* Logits of tokens[0..n) from position 0, computed from the checkpoint's tensors by name with
 * double arithmetic throughout and no cache: (n, vocab) with all_rows, else the last row
 * (1, vocab). Slow; for tests and benchmarks. */
ds_status ds_model_reference_logits(const ds_model *m, const int32_t *tokens, int n, int all_rows, double *logits,
                                    ds_ref_info *info, ds_err *err);

/* The kernel context (tests and benchmarks use it to time kernels on the model's pool). */
ds_kctx *ds_model_kctx(ds_model *m);
ds_kv_cache *ds_model_kv(ds_model *m);

/* Frees the model's prefix cache (its page references) before the KV cache goes. */
void ds_prefix_cache_destroy(ds_model *m);

#endif
