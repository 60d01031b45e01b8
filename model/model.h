/* model.h - public interface of the model stage: a Qwen3-MoE (or dense Qwen3) checkpoint loaded
 * from a Hugging Face directory, sequences with their paged KV cache, and the forward pass.
 *
 * Ownership: ds_model_load returns a model the caller frees with ds_model_free; it memory-maps
 * the safetensors files and owns the mapping, its thread pool and its scratch memory. A
 * ds_model_seq belongs to the model it was created from and must be freed (ds_model_seq_free)
 * before the model. Pointers returned by getters are borrowed until ds_model_free.
 * Threading: a model runs one forward pass at a time (the caller serialises calls on one model);
 * inside a call the work is spread over the model's own thread pool. Loading is reentrant.
 * Numerics: weights stay in their file dtype (bf16, f16 or f32) and are widened to fp32 inside
 * the matmuls; activations, norms, softmax and the KV cache are fp32.
 */
#ifndef DS_MODEL_MODEL_H
#define DS_MODEL_MODEL_H

#include "pipeline/core/status.h"

#include <stddef.h>
#include <stdint.h>

/* ---- configuration (config.json) --------------------------------------------------------- */

typedef enum ds_model_arch {
    DS_MODEL_ARCH_QWEN3_MOE, /* Qwen3MoeForCausalLM / model_type qwen3_moe */
    DS_MODEL_ARCH_QWEN3      /* Qwen3ForCausalLM / model_type qwen3 (dense) */
} ds_model_arch;

typedef enum ds_model_rope_type { DS_MODEL_ROPE_DEFAULT, DS_MODEL_ROPE_YARN } ds_model_rope_type;

#define DS_MODEL_MAX_EOS 8

typedef struct ds_model_config {
    ds_model_arch arch;
    int hidden_size;
    int num_layers;   /* num_hidden_layers */
    int num_heads;    /* num_attention_heads */
    int num_kv_heads; /* num_key_value_heads */
    int head_dim;
    int vocab_size;
    int max_position_embeddings;
    int intermediate_size; /* dense MLP layers */
    int moe_intermediate_size;
    int num_experts; /* 0 for the dense architecture */
    int num_experts_per_tok;
    int norm_topk_prob;
    int decoder_sparse_step;
    int *mlp_only_layers; /* owned, n_mlp_only_layers entries */
    int n_mlp_only_layers;
    double rope_theta;
    double rms_norm_eps;
    struct {
        ds_model_rope_type type;
        double factor;
        int original_max_position_embeddings;
        double attention_factor; /* resolved (mscale rule applied when absent) */
        double beta_fast, beta_slow;
        int truncate;
    } rope_scaling;
    int tie_word_embeddings;
    int bos_token_id; /* -1 when absent */
    int eos_token_ids[DS_MODEL_MAX_EOS];
    int n_eos;
    char torch_dtype[16]; /* informative */
} ds_model_config;

void ds_model_config_deinit(ds_model_config *cfg);
/* 1 when layer l uses the sparse MoE block, 0 for a dense MLP (the Hugging Face rule:
 * not in mlp_only_layers, num_experts > 0 and (l + 1) % decoder_sparse_step == 0). */
int ds_model_config_layer_is_moe(const ds_model_config *cfg, int layer);

/* ---- loading ----------------------------------------------------------------------------- */

typedef struct ds_model ds_model;
typedef struct ds_model_seq ds_model_seq;

/* Where the forward pass runs. CPU is the default (and the reference); AUTO takes the CUDA
 * backend when a device is usable, CUDA asks for it; without a device both run on the CPU and
 * the log says so. */
typedef enum ds_model_backend {
    DS_MODEL_BACKEND_CPU = 0,
    DS_MODEL_BACKEND_AUTO,
    DS_MODEL_BACKEND_CUDA
} ds_model_backend;

struct ds_log;

typedef struct ds_model_opts {
    int n_threads;           /* 0: every online core */
    int segment_tokens;      /* prefill segment size S (tokens per step); 0: default 512 */
    int kv_block_tokens;     /* KV cache page size in tokens; 0: default 64 */
    int isa;                 /* 0: best the CPU offers; else a DS_K_ISA_* value to force (tests) */
    int max_context;         /* positions a sequence may reach; 0: unlimited */
    long kv_max_pages;       /* KV cache pages over all sequences; 0: grow without limit */
    int copy_weights;        /* 1: copy the weights out of the file mapping into anonymous memory
                            backed by 2 MiB pages (faster streaming in decode, costs the copy at
                            load and RAM for every weight); 0: use the mapping (default) */
    int backend;             /* ds_model_backend (default CPU) */
    int cuda_exact;          /* CUDA backend in fp32 (matches the CPU to rounding; slow) instead of
                            bf16 tensor cores */
    int cuda_devices;        /* tensor-parallel devices for the CUDA backend; 0: 1 */
    struct ds_log *log;      /* backend choice and device figures; NULL: none */
    long kv_tier_tokens[3];  /* KV cache tier capacities in tokens: [0] L1 hot (LRU; 0: unlimited,
                               no tiering), [1] L2 warm (time-decay; 0: none), [2] L3 disk
                               (0: unlimited when kv_disk_dir is set) */
    const char *kv_disk_dir; /* folder for the L3 page files (NULL: no L3); borrowed during
                                ds_model_load only */
    int output_int4;         /* 1: the output layer rounded to int4 (group 128) at load, on the
                                CPU backend (model/awq_output.c; the checkpoint is not changed);
                                0: as stored (default) */
} ds_model_opts;

/* The output layer as the forward pass reads it: "bf16, as stored" (or f16, f32), or "int4,
 * rounded at load (group 128; not in the checkpoint)" when opts.output_int4 took effect. */
const char *ds_model_output_layer_desc(const ds_model *m);
/* "cpu, avx512" or the CUDA backend's description ("cuda x1, bf16"). */
const char *ds_model_backend_name(const ds_model *m);
/* "auto", "cpu", "cuda" -> the ds_model_backend value; -1 for anything else. */
int ds_model_backend_parse(const char *s);

void ds_model_opts_default(ds_model_opts *o);

/* Loads the checkpoint in dir (config.json + model.safetensors or shards with
 * model.safetensors.index.json). Every tensor's dtype and shape is checked against the config.
 * opts may be NULL (defaults). Caller frees with ds_model_free. */
ds_status ds_model_load(ds_model **out, const char *dir, const ds_model_opts *opts, ds_err *err);
void ds_model_free(ds_model *m);

const ds_model_config *ds_model_config_of(const ds_model *m);
/* Parameter count and bytes of the tensors the engine uses. */
uint64_t ds_model_n_params(const ds_model *m);
uint64_t ds_model_weight_bytes(const ds_model *m);
/* Bytes one decoded token reads at ctx tokens of context: every weight of attention and the
 * dense MLPs, the router and the k routed experts of each MoE layer, the output layer, one
 * embedding row, the RMS norm weights (fp32 copies) and the fp32 KV cache. The decode bandwidth bound is this over the read rate. */
uint64_t ds_model_decode_bytes(const ds_model *m, long ctx);
/* Streaming read rate of a 512 MiB buffer on the model's CPU threads, GB/s (best of 3). */
double ds_model_read_bandwidth(ds_model *m);
int ds_model_n_threads(const ds_model *m);
/* Name of the kernel path chosen ("avx512vnni", "avx512", "avx2", "scalar"). */
const char *ds_model_isa_name(const ds_model *m);

/* Walks the checkpoint's tensors (all of them, used or not), in file order. fn returns nonzero
 * to stop. dtype is the safetensors name ("BF16"). */
typedef int (*ds_model_tensor_fn)(void *ud, const char *name, const char *dtype, int ndim, const int64_t *shape,
                                  int file_index);
void ds_model_foreach_tensor(const ds_model *m, ds_model_tensor_fn fn, void *ud);
int ds_model_n_files(const ds_model *m);

/* ---- sequences and the forward pass ------------------------------------------------------ */

/* A sequence: the token positions processed so far and their KV cache pages. */
ds_status ds_model_seq_create(ds_model *m, ds_model_seq **out, ds_err *err);
void ds_model_seq_free(ds_model_seq *s);
int ds_model_seq_len(const ds_model_seq *s);
/* Forgets every position from n on (n <= length); the pages past n return to the pool. */
void ds_model_seq_truncate(ds_model_seq *s, int n);

typedef enum ds_model_logits {
    DS_MODEL_LOGITS_NONE, /* only fill the KV cache */
    DS_MODEL_LOGITS_LAST, /* logits of the last token: [vocab] */
    DS_MODEL_LOGITS_ALL   /* logits of every token: [n, vocab] */
} ds_model_logits;

/* One sequence's share of a step: append tokens[0..n) to seq and, per want, write logits
 * (caller-owned, sized as ds_model_logits says). */
typedef struct ds_model_batch_item {
    ds_model_seq *seq;
    const int32_t *tokens;
    int n;
    ds_model_logits want;
    float *logits;
} ds_model_batch_item;

/* Runs the model over every item (several sequences may share one call: their tokens share
 * the matmuls, attention stays per sequence). An item longer than the segment size is
 * processed in segments of S tokens, each attending to every earlier position. Token ids are
 * checked against the vocabulary and positions against opts.max_context. On error a
 * sequence keeps the positions of the steps completed before it. */
ds_status ds_model_forward_batch(ds_model *m, const ds_model_batch_item *items, int n_items, ds_err *err);
/* One sequence. */
ds_status ds_model_forward(ds_model *m, ds_model_seq *seq, const int32_t *tokens, int n, ds_model_logits want,
                           float *logits, ds_err *err);

/* KV cache figures: pages, and per tier the share of page pins it served. */
typedef struct ds_model_kv_report {
    long pages_in_use, peak_pages;
    int page_tokens;
    size_t page_bytes;
    unsigned long long pins;
    double hit_rate[3]; /* L1, L2, L3 */
    /* per tier: the share of the lookups reaching that tier that it served (hits / (hits +
       misses)); pages of each tier now; page moves between tiers */
    double tier_hit_rate[3];
    long tier_pages[3];
    unsigned long long moves_down, moves_up;
} ds_model_kv_report;
void ds_model_kv_stats(const ds_model *m, ds_model_kv_report *r);

/* Index of the largest logit (lowest index on ties). */
int ds_model_argmax(const float *logits, int n);

/* Greedy generation: prefill prompt into seq, then emit up to max_new tokens into out (caller
 * buffer of max_new ids), stopping after an end-of-sequence id of the config. *n_out receives
 * the count. Timing of the two phases goes to *prefill_s and *decode_s when non-NULL. */
ds_status ds_model_generate_greedy(ds_model *m, ds_model_seq *seq, const int32_t *prompt, int n_prompt, int max_new,
                                   int32_t *out, int *n_out, double *prefill_s, double *decode_s, ds_err *err);

/* Generation with a sampler and an optional JSON-schema matcher (model/sampler.h,
 * model/json_schema.h): prefill prompt into seq, then up to max_new tokens into out (caller
 * buffer of max_new ids). sampler NULL: greedy. json non-NULL: each token is drawn from the
 * matcher's mask and fed to it; generation stops once the value is complete and an
 * end-of-sequence id is drawn (that id is written to out), or as soon as nothing but end of
 * sequence may follow (then an eos id of the config is appended when it has one and max_new
 * leaves room; no decode step is spent on it). Without json it stops
 * after an end-of-sequence id of the config. *n_out receives the count; *complete (may be NULL)
 * 1 when the output ended normally (eos or a complete value), 0 when max_new cut it. The
 * sampler, matcher and timings are the caller's; json_mask_s (may be NULL) receives the time
 * spent on masks. */
typedef struct ds_sampler ds_sampler;
typedef struct ds_json_matcher ds_json_matcher;
ds_status ds_model_generate(ds_model *m, ds_model_seq *seq, const int32_t *prompt, int n_prompt, int max_new,
                            ds_sampler *sampler, ds_json_matcher *json, int32_t *out, int *n_out, int *complete,
                            double *prefill_s, double *decode_s, double *json_mask_s, ds_err *err);

#endif
