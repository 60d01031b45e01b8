/* tiny_moe.c - the tiny checkpoint writer of tiny_moe.h.
 *
 * Each tensor's values come from its own random stream (seed and tensor name hashed), so a
 * sharded checkpoint holds exactly the same model as the single-file one with the same seed.
 * Scales keep activations of order one through the layers (linear weights uniform in
 * +-sqrt(3/K)), and router weights are larger so that routing is far from uniform.
 */
#include "tests/model/tiny_moe.h"

#include "pipeline/core/clock.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum init_kind { INIT_NORM, INIT_LINEAR, INIT_ROUTER, INIT_EMBED, INIT_TEMP };

typedef struct tensor_def {
    char name[96];
    int ndim;
    long shape[2];
    enum init_kind init;
    int shard;
    uint64_t begin, end;
} tensor_def;

void tiny_spec_default(tiny_spec *s)
{
    memset(s, 0, sizeof *s);
    s->hidden = 64;
    s->layers = 3;
    s->heads = 4;
    s->kv_heads = 2;
    s->head_dim = 32;
    s->vocab = 300;
    s->intermediate = 96;
    s->moe_intermediate = 48;
    s->experts = 8;
    s->topk = 3;
    s->norm_topk_prob = 1;
    s->decoder_sparse_step = 1;
    s->dtype = DS_K_BF16;
    s->rope_theta = 1000000.0;
    s->seed = 1;
}

void tiny_spec_bench735m(tiny_spec *s)
{
    tiny_spec_default(s);
    s->hidden = 1024;
    s->layers = 8;
    s->heads = 16;
    s->kv_heads = 4;
    s->head_dim = 64;
    s->vocab = 151936;
    s->intermediate = 3072;
    s->moe_intermediate = 512;
    s->experts = 32;
    s->topk = 8;
    s->seed = 735;
}

void tiny_spec_a3b(tiny_spec *s)
{
    tiny_spec_default(s);
    s->hidden = 2048;
    s->layers = 48;
    s->heads = 32;
    s->kv_heads = 4;
    s->head_dim = 128;
    s->vocab = 151936;
    s->intermediate = 6144;
    s->moe_intermediate = 768;
    s->experts = 128;
    s->topk = 8;
    s->seed = 30;
}

const char *const tiny_variants[] = {"moe", "temp", "mixed",   "dense", "tied",      "yarn",
                                     "f16", "f32",  "sharded", "long",  "bench735m", NULL};

int tiny_spec_variant(tiny_spec *s, const char *name)
{
    tiny_spec_default(s);
    if (strcmp(name, "moe") == 0)
        return 0;
    if (strcmp(name, "temp") == 0) {
        s->router_temperature = 1;
    } else if (strcmp(name, "mixed") == 0) {
        s->layers = 4;
        s->mlp_only[0] = 0;
        s->n_mlp_only = 1;
        s->decoder_sparse_step = 2;
        s->norm_topk_prob = 0;
    } else if (strcmp(name, "dense") == 0) {
        s->dense = 1;
        s->head_dim = 64;
        s->heads = 2;
        s->kv_heads = 1;
    } else if (strcmp(name, "tied") == 0) {
        s->tie_embeddings = 1;
    } else if (strcmp(name, "yarn") == 0) {
        s->yarn = 1;
        s->rope_theta = 10000.0;
    } else if (strcmp(name, "f16") == 0) {
        s->dtype = DS_K_F16;
    } else if (strcmp(name, "f32") == 0) {
        s->dtype = DS_K_F32;
    } else if (strcmp(name, "sharded") == 0) {
        s->shards = 3;
    } else if (strcmp(name, "long") == 0) {
        /* for 200K-token runs: attention dominates, so few heads and layers */
        s->layers = 2;
        s->heads = 2;
        s->kv_heads = 1;
        s->yarn = 0;
    } else if (strcmp(name, "bench735m") == 0) {
        tiny_spec_bench735m(s);
    } else {
        return -1;
    }
    return 0;
}

static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static const char *dtype_name(ds_k_dtype t)
{
    return t == DS_K_BF16 ? "BF16" : t == DS_K_F16 ? "F16" : "F32";
}

static int add(tensor_def *v, int *n, int cap, const char *name, int ndim, long a, long b, enum init_kind init)
{
    if (*n >= cap)
        return -1;
    tensor_def *t = &v[(*n)++];
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name);
    t->ndim = ndim;
    t->shape[0] = a;
    t->shape[1] = b;
    t->init = init;
    return 0;
}

static int list_tensors(const tiny_spec *s, tensor_def *v, int cap)
{
    int n = 0;
    char nm[96];
    const long H = s->hidden, D = s->head_dim;
    add(v, &n, cap, "model.embed_tokens.weight", 2, s->vocab, H, INIT_EMBED);
    for (int l = 0; l < s->layers; l++) {
#define NM(fmt) (snprintf(nm, sizeof nm, "model.layers.%d." fmt, l), nm)
        add(v, &n, cap, NM("input_layernorm.weight"), 1, H, 0, INIT_NORM);
        add(v, &n, cap, NM("self_attn.q_proj.weight"), 2, s->heads * D, H, INIT_LINEAR);
        add(v, &n, cap, NM("self_attn.k_proj.weight"), 2, s->kv_heads * D, H, INIT_LINEAR);
        add(v, &n, cap, NM("self_attn.v_proj.weight"), 2, s->kv_heads * D, H, INIT_LINEAR);
        add(v, &n, cap, NM("self_attn.o_proj.weight"), 2, H, s->heads * D, INIT_LINEAR);
        add(v, &n, cap, NM("self_attn.q_norm.weight"), 1, D, 0, INIT_NORM);
        add(v, &n, cap, NM("self_attn.k_norm.weight"), 1, D, 0, INIT_NORM);
        add(v, &n, cap, NM("post_attention_layernorm.weight"), 1, H, 0, INIT_NORM);
        int moe = !s->dense && s->experts > 0 && (l + 1) % s->decoder_sparse_step == 0;
        for (int i = 0; i < s->n_mlp_only; i++)
            if (s->mlp_only[i] == l)
                moe = 0;
        if (moe) {
            add(v, &n, cap, NM("mlp.gate.weight"), 2, s->experts, H, INIT_ROUTER);
            if (s->router_temperature)
                add(v, &n, cap, NM("mlp.router_temperature"), 0, 0, 0, INIT_TEMP);
            for (int e = 0; e < s->experts; e++) {
                char en[96];
                snprintf(en, sizeof en, "model.layers.%d.mlp.experts.%d.gate_proj.weight", l, e);
                add(v, &n, cap, en, 2, s->moe_intermediate, H, INIT_LINEAR);
                snprintf(en, sizeof en, "model.layers.%d.mlp.experts.%d.up_proj.weight", l, e);
                add(v, &n, cap, en, 2, s->moe_intermediate, H, INIT_LINEAR);
                snprintf(en, sizeof en, "model.layers.%d.mlp.experts.%d.down_proj.weight", l, e);
                add(v, &n, cap, en, 2, H, s->moe_intermediate, INIT_LINEAR);
            }
        } else {
            add(v, &n, cap, NM("mlp.gate_proj.weight"), 2, s->intermediate, H, INIT_LINEAR);
            add(v, &n, cap, NM("mlp.up_proj.weight"), 2, s->intermediate, H, INIT_LINEAR);
            add(v, &n, cap, NM("mlp.down_proj.weight"), 2, H, s->intermediate, INIT_LINEAR);
        }
#undef NM
    }
    add(v, &n, cap, "model.norm.weight", 1, H, 0, INIT_NORM);
    if (!s->tie_embeddings)
        add(v, &n, cap, "lm_head.weight", 2, s->vocab, H, INIT_LINEAR);
    return n;
}

/* awq_group > 0: with an AutoAWQ quantization_config of that group size. */
static int write_config(const char *dir, const tiny_spec *s, int awq_group)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/config.json", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "{\n  \"architectures\": [\"%s\"],\n  \"model_type\": \"%s\",\n",
            s->dense ? "Qwen3ForCausalLM" : "Qwen3MoeForCausalLM", s->dense ? "qwen3" : "qwen3_moe");
    fprintf(f,
            "  \"hidden_size\": %d,\n  \"num_hidden_layers\": %d,\n  \"num_attention_heads\": %d,\n"
            "  \"num_key_value_heads\": %d,\n  \"head_dim\": %d,\n  \"vocab_size\": %d,\n"
            "  \"intermediate_size\": %d,\n  \"max_position_embeddings\": %d,\n"
            "  \"rms_norm_eps\": 1e-06,\n  \"rope_theta\": %.1f,\n  \"hidden_act\": \"silu\",\n"
            "  \"attention_bias\": false,\n  \"use_sliding_window\": false,\n"
            "  \"tie_word_embeddings\": %s,\n  \"torch_dtype\": \"%s\",\n"
            "  \"bos_token_id\": 1,\n  \"eos_token_id\": 2,\n",
            s->hidden, s->layers, s->heads, s->kv_heads, s->head_dim, s->vocab, s->intermediate, s->yarn ? 256 : 40960,
            s->rope_theta, s->tie_embeddings ? "true" : "false",
            s->dtype == DS_K_BF16  ? "bfloat16"
            : s->dtype == DS_K_F16 ? "float16"
                                   : "float32");
    if (!s->dense) {
        fprintf(f,
                "  \"moe_intermediate_size\": %d,\n  \"num_experts\": %d,\n"
                "  \"num_experts_per_tok\": %d,\n  \"norm_topk_prob\": %s,\n"
                "  \"decoder_sparse_step\": %d,\n  \"mlp_only_layers\": [",
                s->moe_intermediate, s->experts, s->topk, s->norm_topk_prob ? "true" : "false", s->decoder_sparse_step);
        for (int i = 0; i < s->n_mlp_only; i++)
            fprintf(f, "%s%d", i ? ", " : "", s->mlp_only[i]);
        fprintf(f, "],\n");
    }
    if (s->yarn)
        fprintf(f, "  \"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 4.0, "
                   "\"original_max_position_embeddings\": 64},\n");
    else
        fprintf(f, "  \"rope_scaling\": null,\n");
    if (awq_group > 0)
        fprintf(f,
                "  \"quantization_config\": {\"quant_method\": \"awq\", \"bits\": 4, \"group_size\": %d, "
                "\"zero_point\": true, \"version\": \"gemm\"},\n",
                awq_group);
    fprintf(f, "  \"use_cache\": true\n}\n");
    return fclose(f) == 0 ? 0 : -1;
}

static float init_value(enum init_kind k, uint64_t *st, long fan_in)
{
    uint64_t z = ds_splitmix64(st);
    float u = (float)((z >> 11) * (1.0 / 9007199254740992.0)) * 2.0f - 1.0f;
    switch (k) {
    case INIT_NORM: return 1.0f + 0.2f * u;
    case INIT_LINEAR: return u * sqrtf(3.0f / (float)fan_in);
    case INIT_ROUTER: return u * 3.0f * sqrtf(3.0f / (float)fan_in);
    case INIT_EMBED: return u;
    default: return 0.5f * u;
    }
}

static int write_shard(const char *path, tensor_def *v, int n, int shard, const tiny_spec *s)
{
    size_t es = s->dtype == DS_K_F32 ? 4 : 2;
    /* header */
    size_t cap = 256 + (size_t)n * 200, len = 0;
    char *h = malloc(cap);
    if (!h)
        return -1;
    len += (size_t)snprintf(h + len, cap - len, "{\"__metadata__\":{\"format\":\"pt\"}");
    uint64_t off = 0;
    for (int i = 0; i < n; i++) {
        if (v[i].shard != shard)
            continue;
        uint64_t ne = v[i].ndim == 0   ? 1
                      : v[i].ndim == 1 ? (uint64_t)v[i].shape[0]
                                       : (uint64_t)v[i].shape[0] * v[i].shape[1];
        v[i].begin = off;
        v[i].end = off + ne * es;
        off = v[i].end;
        len += (size_t)snprintf(h + len, cap - len, ",\"%s\":{\"dtype\":\"%s\",\"shape\":[", v[i].name,
                                dtype_name(s->dtype));
        for (int d = 0; d < v[i].ndim; d++)
            len += (size_t)snprintf(h + len, cap - len, "%s%ld", d ? "," : "", v[i].shape[d]);
        len += (size_t)snprintf(h + len, cap - len, "],\"data_offsets\":[%llu,%llu]}", (unsigned long long)v[i].begin,
                                (unsigned long long)v[i].end);
    }
    len += (size_t)snprintf(h + len, cap - len, "}");
    while (len % 8)
        h[len++] = ' ';
    FILE *f = fopen(path, "wb");
    if (!f) {
        free(h);
        return -1;
    }
    unsigned char lenb[8];
    for (int i = 0; i < 8; i++)
        lenb[i] = (unsigned char)((uint64_t)len >> (8 * i));
    fwrite(lenb, 1, 8, f);
    fwrite(h, 1, len, f);
    free(h);
    /* data, tensor by tensor, from each tensor's own stream */
    enum { CHUNK = 1 << 16 };
    unsigned char *buf = malloc(CHUNK * 4);
    for (int i = 0; i < n && buf; i++) {
        if (v[i].shard != shard)
            continue;
        uint64_t st = s->seed * 0x100000001b3ull;
        for (const char *c = v[i].name; *c; c++)
            st = mix(st ^ (unsigned char)*c);
        long fan_in = v[i].ndim == 2 ? v[i].shape[1] : 1;
        uint64_t ne = (v[i].end - v[i].begin) / es;
        for (uint64_t done = 0; done < ne;) {
            size_t m = ne - done < CHUNK ? (size_t)(ne - done) : CHUNK;
            for (size_t k = 0; k < m; k++) {
                float x = init_value(v[i].init, &st, fan_in);
                if (s->dtype == DS_K_F32) {
                    memcpy(buf + 4 * k, &x, 4);
                } else {
                    uint16_t b = s->dtype == DS_K_BF16 ? ds_k_f32_to_bf16(x) : ds_k_f32_to_f16(x);
                    buf[2 * k] = (unsigned char)b;
                    buf[2 * k + 1] = (unsigned char)(b >> 8);
                }
            }
            fwrite(buf, es, m, f);
            done += m;
        }
    }
    free(buf);
    return fclose(f) == 0 && buf ? 0 : -1;
}

int tiny_write(const char *dir, const tiny_spec *s)
{
    mkdir(dir, 0777);
    int cap = 64 + s->layers * (16 + 3 * (s->experts > 0 ? s->experts : 1));
    tensor_def *v = calloc((size_t)cap, sizeof *v);
    if (!v)
        return -1;
    int n = list_tensors(s, v, cap);
    int shards = s->shards > 1 ? s->shards : 1;
    for (int i = 0; i < n; i++)
        v[i].shard = shards > 1 ? i % shards : 0;
    int rc = write_config(dir, s, 0);
    char path[4096];
    for (int k = 0; k < shards && rc == 0; k++) {
        if (shards == 1)
            snprintf(path, sizeof path, "%s/model.safetensors", dir);
        else
            snprintf(path, sizeof path, "%s/model-%05d-of-%05d.safetensors", dir, k + 1, shards);
        rc = write_shard(path, v, n, k, s);
    }
    if (rc == 0 && shards > 1) {
        snprintf(path, sizeof path, "%s/model.safetensors.index.json", dir);
        FILE *f = fopen(path, "w");
        if (!f) {
            rc = -1;
        } else {
            fprintf(f, "{\n  \"metadata\": {\"total_size\": 0},\n  \"weight_map\": {\n");
            for (int i = 0; i < n; i++)
                fprintf(f, "    \"%s\": \"model-%05d-of-%05d.safetensors\"%s\n", v[i].name, v[i].shard + 1, shards,
                        i + 1 < n ? "," : "");
            fprintf(f, "  }\n}\n");
            rc = fclose(f) == 0 ? 0 : -1;
        }
    }
    if (rc != 0)
        fprintf(stderr, "tiny_write: cannot write %s: %s\n", dir, strerror(errno));
    free(v);
    return rc;
}

/* ---- random int4 checkpoints ---------------------------------------------------------------- */

/* One tensor of an int4 checkpoint: a float tensor of the list as it is (bf16), or one of the
 * three AutoAWQ arrays of a linear layer. */
typedef struct awq_out {
    const tensor_def *src;
    int part; /* 0: the float tensor; 1 qweight, 2 qzeros, 3 scales */
    uint64_t bytes;
} awq_out;

static int is_quantised(const tensor_def *t)
{
    return t->init == INIT_LINEAR && t->ndim == 2 && strcmp(t->name, "lm_head.weight") != 0;
}

/* Writes the bytes of o in chunks of at most cap bytes through buf. */
static int write_awq_tensor(FILE *f, const awq_out *o, uint64_t seed, unsigned char *buf, size_t cap)
{
    uint64_t st = seed * 0x100000001b3ull + (uint64_t)o->part;
    for (const char *c = o->src->name; *c; c++)
        st = mix(st ^ (unsigned char)*c);
    const long K = o->src->shape[1];
    const float step = sqrtf(3.0f / (float)K) / 8.0f; /* (q - 8) * step spans +-sqrt(3/K) */
    for (uint64_t done = 0; done < o->bytes;) {
        const size_t m = o->bytes - done < cap ? (size_t)(o->bytes - done) : cap;
        for (size_t k = 0; k < m; k += 4) {
            uint32_t w[2];
            if (o->part == 1) { /* random nibbles */
                w[0] = (uint32_t)ds_splitmix64(&st);
            } else if (o->part == 2) { /* zero point 8 */
                w[0] = 0x88888888u;
            } else if (o->part == 3) { /* fp16 scales around step */
                for (int h = 0; h < 2; h++) {
                    const float u = (float)(ds_splitmix64(&st) >> 40) / 16777216.0f;
                    w[h] = ds_k_f32_to_f16(step * (0.8f + 0.4f * u));
                }
                w[0] = w[0] | w[1] << 16;
            } else {
                for (int h = 0; h < 2; h++)
                    w[h] = ds_k_f32_to_bf16(init_value(o->src->init, &st, o->src->ndim == 2 ? K : 1));
                w[0] = w[0] | w[1] << 16;
            }
            for (int b = 0; b < 4; b++)
                buf[k + b] = (unsigned char)(w[0] >> (8 * b));
        }
        if (fwrite(buf, 1, m, f) != m)
            return -1;
        done += m;
    }
    return 0;
}

static void awq_name(char *out, size_t cap, const awq_out *o)
{
    static const char *const suffix[4] = {"weight", "qweight", "qzeros", "scales"};
    const size_t len = strlen(o->src->name) - strlen("weight");
    snprintf(out, cap, "%.*s%s", (int)len, o->src->name, suffix[o->part]);
}

/* The tensors of the int4 checkpoint: 4-byte arrays first (every tensor starts aligned to its
 * element size), then the 2-byte ones. */
static int list_awq(const tensor_def *v, int n, int G, awq_out *o)
{
    int k = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < n; i++) {
            const long N = v[i].shape[0], K = v[i].shape[1];
            const uint64_t ne = v[i].ndim == 0 ? 1 : v[i].ndim == 1 ? (uint64_t)N : (uint64_t)N * K;
            if (!is_quantised(&v[i])) {
                if (pass == 1)
                    o[k++] = (awq_out){&v[i], 0, ne * 2};
            } else if (pass == 0) {
                o[k++] = (awq_out){&v[i], 1, (uint64_t)K * N / 2};
                o[k++] = (awq_out){&v[i], 2, (uint64_t)(K / G) * N / 2};
            } else {
                o[k++] = (awq_out){&v[i], 3, (uint64_t)(K / G) * N * 2};
            }
        }
    return k;
}

static int write_awq_file(const char *path, const awq_out *o, int n, int G, uint64_t seed)
{
    size_t cap = 256 + (size_t)n * 200, len = 0;
    char *h = malloc(cap);
    if (!h)
        return -1;
    len += (size_t)snprintf(h + len, cap - len, "{\"__metadata__\":{\"format\":\"pt\"}");
    uint64_t off = 0;
    for (int i = 0; i < n; i++) {
        char name[128];
        awq_name(name, sizeof name, &o[i]);
        const tensor_def *t = o[i].src;
        const long N = t->shape[0], K = t->shape[1];
        const char *dt = o[i].part == 1 || o[i].part == 2 ? "I32" : o[i].part == 3 ? "F16" : "BF16";
        len += (size_t)snprintf(h + len, cap - len, ",\"%s\":{\"dtype\":\"%s\",\"shape\":[", name, dt);
        if (o[i].part == 0)
            for (int d = 0; d < t->ndim; d++)
                len += (size_t)snprintf(h + len, cap - len, "%s%ld", d ? "," : "", t->shape[d]);
        else if (o[i].part == 1)
            len += (size_t)snprintf(h + len, cap - len, "%ld,%ld", K, N / 8);
        else
            len += (size_t)snprintf(h + len, cap - len, "%ld,%ld", K / G, o[i].part == 2 ? N / 8 : N);
        len += (size_t)snprintf(h + len, cap - len, "],\"data_offsets\":[%llu,%llu]}", (unsigned long long)off,
                                (unsigned long long)(off + o[i].bytes));
        off += o[i].bytes;
    }
    len += (size_t)snprintf(h + len, cap - len, "}");
    while (len % 8)
        h[len++] = ' ';
    FILE *f = fopen(path, "wb");
    enum { CHUNK = 1 << 20 };
    unsigned char *buf = malloc(CHUNK);
    int rc = f && buf ? 0 : -1;
    unsigned char lenb[8];
    for (int i = 0; i < 8; i++)
        lenb[i] = (unsigned char)((uint64_t)len >> (8 * i));
    if (rc == 0 && (fwrite(lenb, 1, 8, f) != 8 || fwrite(h, 1, len, f) != len))
        rc = -1;
    for (int i = 0; i < n && rc == 0; i++)
        rc = write_awq_tensor(f, &o[i], seed, buf, CHUNK);
    if (f && fclose(f) != 0)
        rc = -1;
    free(buf);
    free(h);
    return rc;
}

int tiny_write_awq(const char *dir, const tiny_spec *s, int group)
{
    mkdir(dir, 0777);
    const int cap = 64 + s->layers * (16 + 3 * (s->experts > 0 ? s->experts : 1));
    tensor_def *v = calloc((size_t)cap, sizeof *v);
    awq_out *o = calloc((size_t)cap * 3, sizeof *o);
    int rc = v && o ? 0 : -1;
    const int n = rc == 0 ? list_tensors(s, v, cap) : 0;
    for (int i = 0; i < n && rc == 0; i++)
        if (is_quantised(&v[i]) && (v[i].shape[0] % 8 != 0 || v[i].shape[1] % group != 0)) {
            fprintf(stderr, "tiny_write_awq: %s [%ld, %ld] does not fit groups of %d\n", v[i].name, v[i].shape[0],
                    v[i].shape[1], group);
            rc = -1;
        }
    char path[4096];
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    if (rc == 0)
        rc = write_config(dir, s, group);
    if (rc == 0)
        rc = write_awq_file(path, o, list_awq(v, n, group, o), group, s->seed);
    if (rc != 0)
        fprintf(stderr, "tiny_write_awq: cannot write %s: %s\n", dir, strerror(errno));
    free(v);
    free(o);
    return rc;
}
