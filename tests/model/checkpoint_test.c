/* checkpoint_test.c - config.json parsing, the safetensors validator on well-formed and hostile
 * headers, shard indexes, and the binding of tensors to the config (missing tensor, wrong
 * shape, wrong dtype each give a clear error naming the tensor).
 */
#include "model/model_internal.h"
#include "pipeline/core/alloc.h"
#include "tests/model/tiny_moe.h"
#include "tests/testlib.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    DS_REQUIRE(f);
    fwrite(data, 1, n, f);
    fclose(f);
}

/* A safetensors image from a header text and n data bytes (zeros). */
static size_t make_st(uint8_t *out, size_t cap, const char *header, size_t data_bytes)
{
    size_t len = strlen(header), hl = (len + 7) / 8 * 8; /* padded with spaces, as writers do */
    DS_REQUIRE(8 + hl + data_bytes <= cap);
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)((uint64_t)hl >> (8 * i));
    memcpy(out + 8, header, len);
    memset(out + 8 + len, ' ', hl - len);
    memset(out + 8 + hl, 0, data_bytes);
    return 8 + hl + data_bytes;
}

static ds_status parse_hdr(const char *header, size_t data_bytes, ds_err *err)
{
    static uint8_t img[1 << 16];
    size_t n = make_st(img, sizeof img, header, data_bytes);
    ds_st_file f;
    ds_status st = ds_st_parse(&f, img, n, "t.safetensors", err);
    ds_st_close(&f);
    return st;
}

static void test_safetensors(void)
{
    ds_err err;
    /* well-formed: two tensors, padded header (its length a multiple of 8) */
    const char *good = "{\"__metadata__\":{\"format\":\"pt\"},"
                       "\"a\":{\"dtype\":\"BF16\",\"shape\":[2,3],\"data_offsets\":[0,12]},"
                       "\"b\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[12,16]}}";
    static uint8_t img[4096];
    size_t n = make_st(img, sizeof img, good, 16);
    ds_st_file f;
    DS_REQUIRE(ds_st_parse(&f, img, n, "good", &err) == DS_OK);
    DS_CHECK(f.n_tensors == 2);
    const ds_st_tensor *a = ds_st_find(&f, "a"), *b = ds_st_find(&f, "b");
    DS_REQUIRE(a && b);
    DS_CHECK(a->dtype == DS_ST_BF16 && a->ndim == 2 && a->shape[0] == 2 && a->shape[1] == 3);
    DS_CHECK(a->nelem == 6 && a->end - a->begin == 12);
    DS_CHECK(b->ndim == 0 && b->nelem == 1 && b->data == (const void *)(img + 8 + 144 + 12));
    ds_st_close(&f);

    struct {
        const char *hdr;
        size_t data;
        const char *needle; /* expected in the message */
    } bad[] = {
        {"{\"a\":{\"dtype\":\"BF16\",\"shape\":[2,3],\"data_offsets\":[0,10]}}", 16, "bytes for"},
        {"{\"a\":{\"dtype\":\"BF16\",\"shape\":[2,3],\"data_offsets\":[0,12]}}", 8, "outside"},
        {"{\"a\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,4]}}", 8, "dtype"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 8, "dimension"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", 8, "outside"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 8, "outside"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
         "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
         8, "overlap"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[1,5]}}", 8, "aligned"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
         "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
         8, "JSON"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,4294967296],"
         "\"data_offsets\":[0,4]}}",
         8, "shape"},
        {"{\"a\":[1,2]}", 8, "not an object"},
        {"{\"a\":{\"dtype\":\"F32\"}}", 8, "needs"},
        {"{\"__metadata__\":7}", 8, "__metadata__"},
        {"[1,2,3]", 8, "JSON object"},
        {"{\"a\":", 8, "JSON"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ds_err_clear(&err);
        ds_status st = parse_hdr(bad[i].hdr, bad[i].data, &err);
        DS_CHECKF(st == DS_ERR_MODEL && strstr(err.msg, bad[i].needle) && strstr(err.msg, "t.safetensors"),
                  "bad header %zu: status %d, message \"%s\"", i, st, err.msg);
    }
    /* header length fields that lie */
    uint8_t tiny[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, '{', '}'};
    DS_CHECK(ds_st_parse(&f, tiny, sizeof tiny, "lie", &err) == DS_ERR_MODEL && strstr(err.msg, "exceeds"));
    tiny[0] = 100, tiny[1] = tiny[2] = tiny[3] = tiny[4] = tiny[5] = tiny[6] = tiny[7] = 0;
    DS_CHECK(ds_st_parse(&f, tiny, sizeof tiny, "lie", &err) == DS_ERR_MODEL && strstr(err.msg, "past the end"));
    DS_CHECK(ds_st_parse(&f, tiny, 5, "short", &err) == DS_ERR_MODEL && strstr(err.msg, "too short"));
    /* a file on disk, and a missing one */
    char path[4200];
    snprintf(path, sizeof path, "%s/one.safetensors", ds_test_tmpdir());
    write_file(path, img, n);
    DS_CHECK(ds_st_open(&f, path, &err) == DS_OK && f.n_tensors == 2);
    ds_st_close(&f);
    snprintf(path, sizeof path, "%s/absent.safetensors", ds_test_tmpdir());
    DS_CHECK(ds_st_open(&f, path, &err) == DS_ERR_NOT_FOUND);
}

static void test_config(void)
{
    ds_model_config c;
    ds_err err;
    const char *qwen30b = "{\"architectures\":[\"Qwen3MoeForCausalLM\"],\"attention_bias\":false,"
                          "\"bos_token_id\":151643,\"decoder_sparse_step\":1,\"eos_token_id\":151645,\"head_dim\":128,"
                          "\"hidden_act\":\"silu\",\"hidden_size\":2048,\"intermediate_size\":6144,"
                          "\"max_position_embeddings\":40960,\"max_window_layers\":48,\"mlp_only_layers\":[],"
                          "\"model_type\":\"qwen3_moe\",\"moe_intermediate_size\":768,\"norm_topk_prob\":true,"
                          "\"num_attention_heads\":32,\"num_experts\":128,\"num_experts_per_tok\":8,"
                          "\"num_hidden_layers\":48,\"num_key_value_heads\":4,\"output_router_logits\":false,"
                          "\"rms_norm_eps\":1e-06,\"rope_scaling\":null,\"rope_theta\":1000000.0,"
                          "\"router_aux_loss_coef\":0.001,\"sliding_window\":null,\"tie_word_embeddings\":false,"
                          "\"torch_dtype\":\"bfloat16\",\"use_cache\":true,\"use_sliding_window\":false,"
                          "\"vocab_size\":151936}";
    DS_REQUIRE(ds_hfconfig_parse(&c, qwen30b, strlen(qwen30b), "q30b", &err) == DS_OK);
    DS_CHECK(c.arch == DS_MODEL_ARCH_QWEN3_MOE && c.hidden_size == 2048 && c.num_layers == 48);
    DS_CHECK(c.num_heads == 32 && c.num_kv_heads == 4 && c.head_dim == 128);
    DS_CHECK(c.num_experts == 128 && c.num_experts_per_tok == 8 && c.moe_intermediate_size == 768);
    DS_CHECK(c.norm_topk_prob == 1 && c.decoder_sparse_step == 1 && c.n_mlp_only_layers == 0);
    DS_CHECK(c.rope_theta == 1e6 && c.rms_norm_eps == 1e-6 && c.vocab_size == 151936);
    DS_CHECK(c.n_eos == 1 && c.eos_token_ids[0] == 151645 && c.bos_token_id == 151643);
    DS_CHECK(c.rope_scaling.type == DS_MODEL_ROPE_DEFAULT && !c.tie_word_embeddings);
    DS_CHECK(strcmp(c.torch_dtype, "bfloat16") == 0);
    for (int l = 0; l < 48; l++)
        DS_CHECK(ds_model_config_layer_is_moe(&c, l));
    ds_model_config_deinit(&c);

    /* YaRN, mlp_only_layers, decoder_sparse_step, eos list, defaults */
    const char *yarn = "{\"model_type\":\"qwen3_moe\",\"hidden_size\":64,\"num_hidden_layers\":6,"
                       "\"num_attention_heads\":4,\"vocab_size\":100,\"max_position_embeddings\":131072,"
                       "\"decoder_sparse_step\":2,\"mlp_only_layers\":[3],\"eos_token_id\":[5,7],"
                       "\"rope_scaling\":{\"rope_type\":\"yarn\",\"factor\":4.0,"
                       "\"original_max_position_embeddings\":32768}}";
    DS_REQUIRE(ds_hfconfig_parse(&c, yarn, strlen(yarn), "yarn", &err) == DS_OK);
    DS_CHECK(c.rope_scaling.type == DS_MODEL_ROPE_YARN && c.rope_scaling.factor == 4.0);
    DS_CHECK(c.rope_scaling.original_max_position_embeddings == 32768);
    DS_CHECK(fabs(c.rope_scaling.attention_factor - (0.1 * log(4.0) + 1.0)) < 1e-12);
    DS_CHECK(c.rope_scaling.beta_fast == 32 && c.rope_scaling.beta_slow == 1);
    DS_CHECK(c.num_kv_heads == 4 && c.head_dim == 128); /* defaults of the HF config class */
    DS_CHECK(c.num_experts == 128 && c.norm_topk_prob == 0);
    DS_CHECK(c.n_eos == 2 && c.eos_token_ids[1] == 7);
    int moe_layers[6] = {0, 1, 0, 0, 0, 1}; /* (l+1) % 2 == 0, except 3 */
    for (int l = 0; l < 6; l++)
        DS_CHECKF(ds_model_config_layer_is_moe(&c, l) == moe_layers[l], "layer %d", l);
    ds_model_config_deinit(&c);

    /* mscale pair gives the ratio of the two get_mscale values */
    const char *ms = "{\"model_type\":\"qwen3_moe\",\"hidden_size\":64,\"num_hidden_layers\":1,"
                     "\"num_attention_heads\":4,\"vocab_size\":100,\"rope_scaling\":{\"type\":\"yarn\","
                     "\"factor\":8,\"mscale\":0.707,\"mscale_all_dim\":1.0}}";
    DS_REQUIRE(ds_hfconfig_parse(&c, ms, strlen(ms), "ms", &err) == DS_OK);
    double want = (0.1 * 0.707 * log(8.0) + 1.0) / (0.1 * log(8.0) + 1.0);
    DS_CHECK(fabs(c.rope_scaling.attention_factor - want) < 1e-12);
    ds_model_config_deinit(&c);

    /* dense Qwen3 */
    const char *dense = "{\"architectures\":[\"Qwen3ForCausalLM\"],\"hidden_size\":64,"
                        "\"num_hidden_layers\":2,\"num_attention_heads\":4,\"num_key_value_heads\":2,"
                        "\"head_dim\":16,\"vocab_size\":100,\"intermediate_size\":128,"
                        "\"tie_word_embeddings\":true}";
    DS_REQUIRE(ds_hfconfig_parse(&c, dense, strlen(dense), "dense", &err) == DS_OK);
    DS_CHECK(c.arch == DS_MODEL_ARCH_QWEN3 && c.num_experts == 0 && c.tie_word_embeddings);
    DS_CHECK(!ds_model_config_layer_is_moe(&c, 0) && !ds_model_config_layer_is_moe(&c, 1));
    ds_model_config_deinit(&c);

    struct {
        const char *json;
        ds_status st;
        const char *needle;
    } bad[] = {
        {"{\"model_type\":\"llama\",\"hidden_size\":64}", DS_ERR_UNSUPPORTED, "architecture"},
        {"{\"model_type\":\"qwen3_moe\",\"num_hidden_layers\":2,\"num_attention_heads\":4,"
         "\"vocab_size\":10}",
         DS_ERR_MODEL, "missing key hidden_size"},
        {"{\"model_type\":\"qwen3_moe\",\"hidden_size\":\"64\",\"num_hidden_layers\":2,"
         "\"num_attention_heads\":4,\"vocab_size\":10}",
         DS_ERR_MODEL, "hidden_size is not an integer"},
        {"{\"model_type\":\"qwen3_moe\",\"hidden_size\":-64,\"num_hidden_layers\":2,"
         "\"num_attention_heads\":4,\"vocab_size\":10}",
         DS_ERR_MODEL, "outside"},
        {"{\"model_type\":\"qwen3_moe\",\"hidden_size\":64,\"num_hidden_layers\":2,"
         "\"num_attention_heads\":4,\"num_key_value_heads\":3,\"vocab_size\":10}",
         DS_ERR_MODEL, "multiple"},
        {"{\"model_type\":\"qwen3_moe\",\"hidden_size\":64,\"num_hidden_layers\":2,"
         "\"num_attention_heads\":4,\"vocab_size\":10,\"num_experts\":4,\"num_experts_per_tok\":5}",
         DS_ERR_MODEL, "num_experts_per_tok"},
        {"{\"model_type\":\"qwen3_moe\",\"hidden_size\":64,\"num_hidden_layers\":2,"
         "\"num_attention_heads\":4,\"vocab_size\":10,\"mlp_only_layers\":[2]}",
         DS_ERR_MODEL, "mlp_only_layers[0]"},
        {"{\"model_type\":\"qwen3_moe\",\"hidden_size\":64,\"num_hidden_layers\":2,"
         "\"num_attention_heads\":4,\"vocab_size\":10,\"attention_bias\":true}",
         DS_ERR_UNSUPPORTED, "attention_bias"},
        {"{\"model_type\":\"qwen3_moe\",\"hidden_size\":64,\"num_hidden_layers\":2,"
         "\"num_attention_heads\":4,\"vocab_size\":10,\"rope_scaling\":{\"rope_type\":\"llama3\"}}",
         DS_ERR_UNSUPPORTED, "llama3"},
        {"{\"model_type\":\"qwen3_moe\",\"hidden_size\":64,\"num_hidden_layers\":2,"
         "\"num_attention_heads\":4,\"vocab_size\":10,\"hidden_act\":\"gelu\"}",
         DS_ERR_UNSUPPORTED, "silu"},
        {"{\"model_type\":\"qwen3_moe\",\"hidden_size\":64,\"num_hidden_layers\":2,"
         "\"num_attention_heads\":4,\"vocab_size\":10,\"head_dim\":15}",
         DS_ERR_MODEL, "odd"},
        {"{\"model_type\":\"qwen3_moe\",", DS_ERR_MODEL, "line"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ds_err_clear(&err);
        ds_status st = ds_hfconfig_parse(&c, bad[i].json, strlen(bad[i].json), "cfg.json", &err);
        DS_CHECKF(st == bad[i].st && strstr(err.msg, bad[i].needle) && strstr(err.msg, "cfg.json"),
                  "bad config %zu: status %d, message \"%s\"", i, st, err.msg);
        if (st == DS_OK)
            ds_model_config_deinit(&c);
    }
}

static char *fixture(const char *name, const tiny_spec *s)
{
    static char dirs[8][4200];
    static int next;
    char *d = dirs[next++ % 8];
    snprintf(d, 4200, "%s/%s", ds_test_tmpdir(), name);
    DS_REQUIRE(tiny_write(d, s) == 0);
    return d;
}

static ds_status try_load(const char *dir, ds_err *err)
{
    ds_model *m = NULL;
    ds_model_opts o;
    ds_model_opts_default(&o);
    o.n_threads = 1;
    ds_status st = ds_model_load(&m, dir, &o, err);
    ds_model_free(m);
    return st;
}

static void test_binding(void)
{
    tiny_spec s;
    tiny_spec_default(&s);
    ds_err err;
    ds_model *m = NULL;
    const char *dir = fixture("bind", &s);
    DS_REQUIRE(ds_model_load(&m, dir, NULL, &err) == DS_OK);
    const ds_model_config *c = ds_model_config_of(m);
    DS_CHECK(c->hidden_size == 64 && c->num_experts == 8);
    uint64_t per_layer = 64 + 64 + 32 + 32 + 128 * 64 * 2 + 64 * 64 * 2 + 8 * 64 + 8 * 3 * 48 * 64;
    DS_CHECKF(ds_model_n_params(m) == 300 * 64 * 2 + 64 + 3 * per_layer, "params %llu",
              (unsigned long long)ds_model_n_params(m));
    DS_CHECK(ds_model_weight_bytes(m) == 2 * ds_model_n_params(m));
    ds_model_free(m);

    /* config says 4 layers, the file has 3 */
    char path[4300], cmd[9000];
    snprintf(cmd, sizeof cmd, "sed -i 's/\"num_hidden_layers\": 3/\"num_hidden_layers\": 4/' %s/config.json", dir);
    DS_REQUIRE(system(cmd) == 0);
    DS_CHECK(try_load(dir, &err) == DS_ERR_MODEL &&
             strstr(err.msg, "model.layers.3.input_layernorm.weight is missing"));
    /* hidden size that disagrees with the tensors */
    snprintf(cmd, sizeof cmd,
             "sed -i 's/\"num_hidden_layers\": 4/\"num_hidden_layers\": 3/; s/\"hidden_size\": 64/"
             "\"hidden_size\": 80/' %s/config.json",
             dir);
    DS_REQUIRE(system(cmd) == 0);
    DS_CHECK(try_load(dir, &err) == DS_ERR_SHAPE && strstr(err.msg, "model.embed_tokens.weight") &&
             strstr(err.msg, "[300, 64]") && strstr(err.msg, "[300, 80]"));
    /* no checkpoint at all */
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    DS_REQUIRE(remove(path) == 0);
    snprintf(cmd, sizeof cmd, "sed -i 's/\"hidden_size\": 80/\"hidden_size\": 64/' %s/config.json", dir);
    DS_REQUIRE(system(cmd) == 0);
    DS_CHECK(try_load(dir, &err) == DS_ERR_NOT_FOUND);

    /* a tensor of a dtype the engine cannot use */
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    {
        FILE *f = fopen(path, "wb");
        DS_REQUIRE(f);
        const char *h = "{\"model.embed_tokens.weight\":{\"dtype\":\"I32\",\"shape\":[300,64],"
                        "\"data_offsets\":[0,76800]}}     ";
        size_t hl = strlen(h);
        uint8_t lb[8];
        for (int i = 0; i < 8; i++)
            lb[i] = (uint8_t)((uint64_t)hl >> (8 * i));
        fwrite(lb, 1, 8, f);
        fwrite(h, 1, hl, f);
        for (int i = 0; i < 76800; i++)
            fputc(0, f);
        fclose(f);
    }
    DS_CHECK(try_load(dir, &err) == DS_ERR_MODEL && strstr(err.msg, "dtype I32"));
    /* a truncated file */
    snprintf(cmd, sizeof cmd, "truncate -s 1000 %s", path);
    DS_REQUIRE(system(cmd) == 0);
    DS_CHECKF(try_load(dir, &err) == DS_ERR_MODEL &&
                  strstr(err.msg, "tensor model.embed_tokens.weight: shape larger than the file"),
              "%s", err.msg);

    /* shards: good, then a shard name that escapes the folder, then a misplaced tensor */
    s.shards = 3;
    const char *sh = fixture("shards", &s);
    DS_CHECK(try_load(sh, &err) == DS_OK);
    DS_REQUIRE(ds_model_load(&m, sh, NULL, &err) == DS_OK);
    DS_CHECK(ds_model_n_files(m) == 3);
    ds_model_free(m);
    snprintf(cmd, sizeof cmd,
             "cp %s/model.safetensors.index.json %s/idx.bak && sed -i '0,/model-00001-of-00003/s//..\\/x/' "
             "%s/model.safetensors.index.json",
             sh, sh, sh);
    DS_REQUIRE(system(cmd) == 0);
    DS_CHECK(try_load(sh, &err) == DS_ERR_MODEL && strstr(err.msg, "plain"));
    /* model.norm.weight is tensor 100 of 102, so round-robin puts it in shard 2 */
    snprintf(cmd, sizeof cmd,
             "cp %s/idx.bak %s/model.safetensors.index.json && grep -q "
             "'\"model.norm.weight\": \"model-00002-of-00003' %s/model.safetensors.index.json && "
             "sed -i 's/\"model.norm.weight\": \"model-00002/\"model.norm.weight\": \"model-00001/' "
             "%s/model.safetensors.index.json",
             sh, sh, sh, sh);
    DS_REQUIRE(system(cmd) == 0);
    DS_CHECK(try_load(sh, &err) == DS_ERR_MODEL && strstr(err.msg, "the index says"));
    snprintf(cmd, sizeof cmd, "echo '{\"weight_map\": 5}' > %s/model.safetensors.index.json", sh);
    DS_REQUIRE(system(cmd) == 0);
    DS_CHECK(try_load(sh, &err) == DS_ERR_MODEL && strstr(err.msg, "weight_map"));

    /* router temperature of a wrong shape */
    tiny_spec_default(&s);
    s.router_temperature = 1;
    const char *rt = fixture("rtemp", &s);
    DS_CHECK(try_load(rt, &err) == DS_OK);
}

/* Every allocation of loading and of a forward pass may fail: the call returns DS_ERR_NOMEM
 * and leaks nothing (the sanitizer build checks the leaks). */
static void test_alloc_failures(void)
{
    tiny_spec s;
    tiny_spec_variant(&s, "mixed");
    const char *dir = fixture("nomem", &s);
    int32_t tok[20];
    for (int i = 0; i < 20; i++)
        tok[i] = (i * 31) % 300;
    float *lg = malloc(sizeof(float) * 300);
    int failures = 0, n;
    for (n = 0; n < 2000; n++) {
        ds_err err;
        ds_model *m = NULL;
        ds_model_opts o;
        ds_model_opts_default(&o);
        o.n_threads = 2;
        o.segment_tokens = 8;
        o.kv_block_tokens = 16;
        ds_alloc_fail_after(n);
        ds_status st = ds_model_load(&m, dir, &o, &err);
        if (st == DS_OK) {
            ds_model_seq *seq = NULL;
            st = ds_model_seq_create(m, &seq, &err);
            if (st == DS_OK)
                st = ds_model_forward(m, seq, tok, 20, DS_MODEL_LOGITS_LAST, lg, &err);
            ds_model_seq_free(seq);
            ds_model_free(m);
        }
        ds_alloc_fail_after(-1);
        if (st == DS_OK)
            break; /* the n-th allocation is past the last one */
        failures++;
        DS_CHECKF(st == DS_ERR_NOMEM, "allocation %d failing gave status %d (%s)", n, st, err.msg);
    }
    DS_CHECKF(failures > 50 && n < 2000, "%d injected failures over %d allocations", failures, n);
    free(lg);
}

int main(void)
{
    test_alloc_failures();
    test_safetensors();
    test_config();
    test_binding();
    return ds_test_done();
}
