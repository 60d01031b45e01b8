/* decode_bytes_test.c - ds_model_decode_bytes (the bytes one decoded token reads, the numerator
 * of the decode bandwidth bound in `model bench` and bench_model) against a count made here
 * from the checkpoint's own tensor list, on tiny checkpoints: bf16 MoE, tied embeddings, mixed
 * dense/MoE layers, and the MoE quantised to AutoAWQ int4 (group 16).
 *
 * The count here, by tensor name: the embedding contributes one row; the output layer
 * (lm_head, or the embedding again when tied) all of it; each MoE layer's experts top-k / E of
 * their bytes (the routed experts only); RMS norm weights as fp32 (the engine's copies);
 * every other tensor (attention, router, dense MLP; qweight + qzeros + scales of int4 layers)
 * all of it; plus the fp32 KV cache, 2 x kv_heads x head_dim floats per layer per token of
 * context. Any difference is a failure.
 */
#include "model/awq.h"
#include "model/model.h"
#include "tests/model/tiny_moe.h"
#include "tests/testlib.h"

#include <stdio.h>
#include <string.h>

typedef struct count {
    const ds_model_config *c;
    uint64_t bytes;
    int tied;
} count;

static uint64_t dtype_size(const char *dt)
{
    if (!strcmp(dt, "BF16") || !strcmp(dt, "F16"))
        return 2;
    if (!strcmp(dt, "F32") || !strcmp(dt, "I32"))
        return 4;
    DS_CHECKF(0, "unexpected dtype %s", dt);
    return 0;
}

static int add_tensor(void *ud, const char *name, const char *dtype, int ndim, const int64_t *shape, int file_index)
{
    (void)file_index;
    count *k = ud;
    uint64_t n = 1;
    for (int i = 0; i < ndim; i++)
        n *= (uint64_t)shape[i];
    const uint64_t bytes = n * dtype_size(dtype);
    if (!strcmp(name, "model.embed_tokens.weight")) {
        k->bytes += bytes / (uint64_t)k->c->vocab_size; /* one row */
        if (k->tied)
            k->bytes += bytes; /* also the output layer */
    } else if (strstr(name, "norm.weight")) {
        k->bytes += n * 4;
    } else if (strstr(name, ".mlp.experts.")) {
        /* summed over a layer's E experts this is top-k experts' worth */
        k->bytes += bytes * (uint64_t)k->c->num_experts_per_tok / (uint64_t)k->c->num_experts;
    } else {
        k->bytes += bytes;
    }
    return 0;
}

static void check_dir(const char *what, const char *dir)
{
    ds_model *m = NULL;
    ds_err err;
    DS_REQUIRE(ds_model_load(&m, dir, NULL, &err) == DS_OK);
    const ds_model_config *c = ds_model_config_of(m);
    count k = {c, 0, c->tie_word_embeddings};
    ds_model_foreach_tensor(m, add_tensor, &k);
    for (long ctx = 0; ctx <= 512; ctx += 512) {
        const uint64_t want = k.bytes + (uint64_t)ctx * c->num_layers * 2 * c->num_kv_heads * c->head_dim * 4;
        const uint64_t got = ds_model_decode_bytes(m, ctx);
        printf("%-8s ctx %3ld: %llu bytes per decoded token (counted here: %llu)\n", what, ctx, (unsigned long long)got,
               (unsigned long long)want);
        DS_CHECKF(got == want, "%s at %ld tokens of context: ds_model_decode_bytes %llu, counted %llu", what, ctx,
                  (unsigned long long)got, (unsigned long long)want);
    }
    /* routed experts only: far less than the weights when top-k < E */
    if (c->num_experts > c->num_experts_per_tok)
        DS_CHECKF(ds_model_decode_bytes(m, 0) < ds_model_weight_bytes(m), "%s: %llu >= %llu", what,
                  (unsigned long long)ds_model_decode_bytes(m, 0), (unsigned long long)ds_model_weight_bytes(m));
    ds_model_free(m);
}

int main(void)
{
    static const char *const variants[] = {"moe", "tied", "mixed"};
    char dir[4200];
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        tiny_spec s;
        DS_REQUIRE(tiny_spec_variant(&s, variants[i]) == 0);
        snprintf(dir, sizeof dir, "%s/%s", ds_test_tmpdir(), variants[i]);
        DS_REQUIRE(tiny_write(dir, &s) == 0);
        check_dir(variants[i], dir);
    }
    /* the MoE in int4: qweight, qzeros and scales of the projections and experts */
    char src[4200], q[4200];
    snprintf(src, sizeof src, "%s/moe", ds_test_tmpdir());
    snprintf(q, sizeof q, "%s/moe-awq", ds_test_tmpdir());
    ds_awq_quant_opts o = {.group_size = 16, .n_threads = 2};
    ds_awq_quant_report rep;
    ds_err err;
    DS_REQUIRE(ds_awq_quantize(src, q, &o, &rep, &err) == DS_OK);
    check_dir("moe-awq", q);
    return ds_test_done();
}
