/* tiny_moe.h - writes small Qwen3-MoE / Qwen3 checkpoints with random weights in the real file
 * formats (config.json, model.safetensors or shards + model.safetensors.index.json), from a
 * deterministic seed, for the model tests and benchmarks (tests/model/tiny_moe.c).
 * Not thread-safe across calls on the same directory; otherwise reentrant.
 */
#ifndef DS_TESTS_TINY_MOE_H
#define DS_TESTS_TINY_MOE_H

#include "kernels/kernels.h"

#include <stdint.h>

typedef struct tiny_spec {
    int dense; /* 1: Qwen3ForCausalLM (every layer a dense MLP) */
    int hidden, layers, heads, kv_heads, head_dim, vocab;
    int intermediate; /* dense MLP width */
    int moe_intermediate, experts, topk;
    int norm_topk_prob;
    int decoder_sparse_step;
    int mlp_only[8];
    int n_mlp_only;
    int tie_embeddings;
    int router_temperature; /* write model.layers.N.mlp.router_temperature scalars */
    int shards;             /* 0/1: one model.safetensors; >1: that many shards + index */
    ds_k_dtype dtype;
    int yarn; /* rope_scaling yarn, factor 4, original 64 positions */
    double rope_theta;
    uint64_t seed;
} tiny_spec;

/* The default tiny MoE: hidden 64, 3 layers, 4 heads / 2 kv heads, head_dim 32, vocab 300,
 * 8 experts top-3, moe_intermediate 48, bf16, norm_topk_prob, seed 1. */
void tiny_spec_default(tiny_spec *s);
/* The shape of the benchmark model (735M parameters, vocab 151936). */
void tiny_spec_bench735m(tiny_spec *s);
/* Qwen3-30B-A3B's configuration: hidden 2048, 48 layers, 32 / 4 heads of 128, 128 experts
 * top-8 of inner size 768, vocab 151936, untied output layer (about 16 GB in int4). */
void tiny_spec_a3b(tiny_spec *s);

/* A named variant: "moe" (the default), "temp" (router temperatures), "mixed" (dense layers
 * through mlp_only_layers [0] and decoder_sparse_step 2), "dense" (Qwen3ForCausalLM), "tied",
 * "yarn", "f16", "f32", "sharded" (3 shards + index), "long" (2 layers, 2 heads / 1 kv head,
 * for 200K-token runs), "bench735m". Returns 0, -1 if unknown. */
int tiny_spec_variant(tiny_spec *s, const char *name);
extern const char *const tiny_variants[];

/* Writes the checkpoint into dir (created if needed). Returns 0, or -1 with a message on stderr. */
int tiny_write(const char *dir, const tiny_spec *s);

/* Writes a random int4 checkpoint of spec s into dir: config.json with an AutoAWQ
 * quantization_config (4 bits, the group size, zero point, "gemm"), and model.safetensors with
 * every linear layer of attention, MLP and experts as AutoAWQ qweight (random nibbles), qzeros
 * (8) and fp16 scales (so weights spread over +-sqrt(3/K) as tiny_write's), the embeddings,
 * output layer, router and norms in bf16. Streamed tensor by tensor through one 1 MiB buffer:
 * a checkpoint larger than memory can be written. 0, or -1 with a message on stderr. */
int tiny_write_awq(const char *dir, const tiny_spec *s, int group);

#endif
