/* hfconfig.c - reads a Hugging Face config.json (Qwen3MoeForCausalLM, Qwen3ForCausalLM) into
 * ds_model_config.
 *
 * Absent optional keys take the defaults of the Hugging Face configuration classes
 * (Qwen3MoeConfig / Qwen3Config); present keys must have the right JSON type and a sane range.
 * Features this engine does not implement (attention bias, sliding windows, other activations,
 * other rope types) are refused with DS_ERR_UNSUPPORTED rather than silently ignored.
 * Owns: cfg->mlp_only_layers (ds_model_config_deinit frees it). Threading: reentrant.
 */
#include "model/checkpoint_internal.h"

#include "pipeline/core/alloc.h"
#include "pipeline/core/buf.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

void ds_model_config_deinit(ds_model_config *cfg)
{
    if (!cfg)
        return;
    ds_free(cfg->mlp_only_layers);
    cfg->mlp_only_layers = NULL;
    cfg->n_mlp_only_layers = 0;
}

int ds_model_config_layer_is_moe(const ds_model_config *cfg, int layer)
{
    if (cfg->arch != DS_MODEL_ARCH_QWEN3_MOE || cfg->num_experts <= 0)
        return 0;
    for (int i = 0; i < cfg->n_mlp_only_layers; i++)
        if (cfg->mlp_only_layers[i] == layer)
            return 0;
    return (layer + 1) % cfg->decoder_sparse_step == 0;
}

/* Reads an integer key. required: absent is an error; else def is used. */
static ds_status get_int(const json_t *root, const char *key, int required, long def, long lo, long hi, int *out,
                         const char *path, ds_err *err)
{
    const json_t *v = json_object_get(root, key);
    if (!v || json_is_null(v)) {
        if (required)
            return ds_err_set(err, DS_ERR_MODEL, "%s: missing key %s", path, key);
        *out = (int)def;
        return DS_OK;
    }
    if (!json_is_integer(v))
        return ds_err_set(err, DS_ERR_MODEL, "%s: %s is not an integer", path, key);
    json_int_t x = json_integer_value(v);
    if (x < lo || x > hi)
        return ds_err_set(err, DS_ERR_MODEL, "%s: %s = %lld outside [%ld, %ld]", path, key, (long long)x, lo, hi);
    *out = (int)x;
    return DS_OK;
}

static ds_status get_num(const json_t *root, const char *key, double def, double lo, double hi, double *out,
                         const char *path, ds_err *err)
{
    const json_t *v = json_object_get(root, key);
    if (!v || json_is_null(v)) {
        *out = def;
        return DS_OK;
    }
    if (!json_is_number(v))
        return ds_err_set(err, DS_ERR_MODEL, "%s: %s is not a number", path, key);
    double x = json_number_value(v);
    if (!(x >= lo && x <= hi))
        return ds_err_set(err, DS_ERR_MODEL, "%s: %s = %g outside [%g, %g]", path, key, x, lo, hi);
    *out = x;
    return DS_OK;
}

static ds_status get_bool(const json_t *root, const char *key, int def, int *out, const char *path, ds_err *err)
{
    const json_t *v = json_object_get(root, key);
    if (!v || json_is_null(v)) {
        *out = def;
        return DS_OK;
    }
    if (!json_is_boolean(v))
        return ds_err_set(err, DS_ERR_MODEL, "%s: %s is not a boolean", path, key);
    *out = json_is_true(v);
    return DS_OK;
}

static double yarn_get_mscale(double scale, double mscale)
{
    return scale <= 1.0 ? 1.0 : 0.1 * mscale * log(scale) + 1.0;
}

static ds_status parse_rope_scaling(ds_model_config *c, const json_t *rs, const char *path, ds_err *err)
{
    c->rope_scaling.type = DS_MODEL_ROPE_DEFAULT;
    c->rope_scaling.factor = 1.0;
    c->rope_scaling.attention_factor = 1.0;
    c->rope_scaling.original_max_position_embeddings = c->max_position_embeddings;
    c->rope_scaling.beta_fast = 32;
    c->rope_scaling.beta_slow = 1;
    c->rope_scaling.truncate = 1;
    if (!rs || json_is_null(rs))
        return DS_OK;
    if (!json_is_object(rs))
        return ds_err_set(err, DS_ERR_MODEL, "%s: rope_scaling is not an object", path);
    const json_t *jt = json_object_get(rs, "rope_type");
    if (!jt)
        jt = json_object_get(rs, "type");
    if (!json_is_string(jt))
        return ds_err_set(err, DS_ERR_MODEL, "%s: rope_scaling needs a rope_type string", path);
    const char *t = json_string_value(jt);
    if (strcmp(t, "default") == 0)
        return DS_OK;
    if (strcmp(t, "yarn") != 0)
        return ds_err_set(err, DS_ERR_UNSUPPORTED, "%s: rope_scaling type %.40s (only yarn)", path, t);
    c->rope_scaling.type = DS_MODEL_ROPE_YARN;
    ds_status st;
    int omax = 0;
    if ((st = get_int(rs, "original_max_position_embeddings", 0, 0, 0, 1 << 30, &omax, path, err)) != DS_OK)
        return st;
    double factor = 0;
    const json_t *jf = json_object_get(rs, "factor");
    if (jf && !json_is_null(jf)) {
        if ((st = get_num(rs, "factor", 1.0, 1e-6, 1e6, &factor, path, err)) != DS_OK)
            return st;
    } else if (omax > 0) {
        /* No explicit factor: the ratio of post- to pre-extension context lengths. */
        factor = (double)c->max_position_embeddings / omax;
    } else {
        return ds_err_set(err, DS_ERR_MODEL, "%s: yarn rope_scaling needs factor", path);
    }
    c->rope_scaling.factor = factor;
    c->rope_scaling.original_max_position_embeddings = omax > 0 ? omax : c->max_position_embeddings;
    double mscale = 0, mscale_all = 0, att = -1;
    if ((st = get_num(rs, "mscale", 0, 0, 1e6, &mscale, path, err)) != DS_OK ||
        (st = get_num(rs, "mscale_all_dim", 0, 0, 1e6, &mscale_all, path, err)) != DS_OK ||
        (st = get_num(rs, "attention_factor", -1, 0, 1e6, &att, path, err)) != DS_OK ||
        (st = get_num(rs, "beta_fast", 32, 1e-6, 1e6, &c->rope_scaling.beta_fast, path, err)) != DS_OK ||
        (st = get_num(rs, "beta_slow", 1, 1e-6, 1e6, &c->rope_scaling.beta_slow, path, err)) != DS_OK ||
        (st = get_bool(rs, "truncate", 1, &c->rope_scaling.truncate, path, err)) != DS_OK)
        return st;
    if (att < 0) {
        if (mscale > 0 && mscale_all > 0)
            att = yarn_get_mscale(factor, mscale) / yarn_get_mscale(factor, mscale_all);
        else
            att = yarn_get_mscale(factor, 1.0);
    }
    c->rope_scaling.attention_factor = att;
    return DS_OK;
}

/* c->arch: "architectures": [...] first, model_type as a fallback. */
static ds_status read_arch(ds_model_config *c, const json_t *root, const char *path, ds_err *err)
{
    int found = 0;
    const json_t *archs = json_object_get(root, "architectures");
    if (json_is_array(archs)) {
        size_t i;
        const json_t *a;
        json_array_foreach(archs, i, a)
        {
            const char *s = json_string_value(a);
            if (!s)
                continue;
            if (strcmp(s, "Qwen3MoeForCausalLM") == 0) {
                c->arch = DS_MODEL_ARCH_QWEN3_MOE;
                found = 1;
                break;
            }
            if (strcmp(s, "Qwen3ForCausalLM") == 0) {
                c->arch = DS_MODEL_ARCH_QWEN3;
                found = 1;
                break;
            }
        }
    }
    if (!found) {
        const char *mt = json_string_value(json_object_get(root, "model_type"));
        if (mt && strcmp(mt, "qwen3_moe") == 0)
            c->arch = DS_MODEL_ARCH_QWEN3_MOE, found = 1;
        else if (mt && strcmp(mt, "qwen3") == 0)
            c->arch = DS_MODEL_ARCH_QWEN3, found = 1;
    }
    if (!found)
        return ds_err_set(err, DS_ERR_UNSUPPORTED,
                          "%s: architecture is neither Qwen3MoeForCausalLM nor Qwen3ForCausalLM", path);
    return DS_OK;
}

/* Sizes of the attention and the dense MLP, checked against each other. */
static ds_status read_shape(ds_model_config *c, const json_t *root, int moe, const char *path, ds_err *err)
{
    ds_status st;
    if ((st = get_int(root, "hidden_size", 1, 0, 1, 1 << 16, &c->hidden_size, path, err)) ||
        (st = get_int(root, "num_hidden_layers", 1, 0, 1, 4096, &c->num_layers, path, err)) ||
        (st = get_int(root, "num_attention_heads", 1, 0, 1, 4096, &c->num_heads, path, err)) ||
        (st = get_int(root, "num_key_value_heads", 0, c->num_heads, 1, 4096, &c->num_kv_heads, path, err)) ||
        (st = get_int(root, "head_dim", 0, 128, 2, 4096, &c->head_dim, path, err)) ||
        (st = get_int(root, "vocab_size", 1, 0, 1, 1 << 24, &c->vocab_size, path, err)) ||
        (st = get_int(root, "max_position_embeddings", 0, moe ? 32768 : 32768, 1, 1 << 30, &c->max_position_embeddings,
                      path, err)) ||
        (st = get_int(root, "intermediate_size", 0, moe ? 6144 : 22016, 1, 1 << 20, &c->intermediate_size, path, err)))
        return st;
    if (c->head_dim % 2)
        return ds_err_set(err, DS_ERR_MODEL, "%s: head_dim %d is odd (rotary needs pairs)", path, c->head_dim);
    if (c->num_heads % c->num_kv_heads)
        return ds_err_set(err, DS_ERR_MODEL, "%s: num_attention_heads %d is not a multiple of num_key_value_heads %d",
                          path, c->num_heads, c->num_kv_heads);
    return DS_OK;
}

/* The experts of a Qwen3-MoE model: sizes, routing and the layers that stay dense. */
static ds_status read_moe(ds_model_config *c, const json_t *root, const char *path, ds_err *err)
{
    ds_status st;
    if ((st = get_int(root, "moe_intermediate_size", 0, 768, 1, 1 << 20, &c->moe_intermediate_size, path, err)) ||
        (st = get_int(root, "num_experts", 0, 128, 0, 1 << 16, &c->num_experts, path, err)) ||
        (st = get_int(root, "num_experts_per_tok", 0, 8, 1, 1 << 16, &c->num_experts_per_tok, path, err)) ||
        (st = get_bool(root, "norm_topk_prob", 0, &c->norm_topk_prob, path, err)) ||
        (st = get_int(root, "decoder_sparse_step", 0, 1, 1, 4096, &c->decoder_sparse_step, path, err)))
        return st;
    if (c->num_experts > 0 && c->num_experts_per_tok > c->num_experts)
        return ds_err_set(err, DS_ERR_MODEL, "%s: num_experts_per_tok %d > num_experts %d", path,
                          c->num_experts_per_tok, c->num_experts);
    const json_t *ml = json_object_get(root, "mlp_only_layers");
    if (ml && !json_is_null(ml)) {
        if (!json_is_array(ml))
            return ds_err_set(err, DS_ERR_MODEL, "%s: mlp_only_layers is not an array", path);
        size_t n = json_array_size(ml);
        if (n > (size_t)c->num_layers)
            return ds_err_set(err, DS_ERR_MODEL, "%s: mlp_only_layers has %zu entries", path, n);
        c->mlp_only_layers = ds_calloc(n ? n : 1, sizeof(int));
        if (!c->mlp_only_layers)
            return ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", path);
        for (size_t i = 0; i < n; i++) {
            const json_t *e = json_array_get(ml, i);
            if (!json_is_integer(e) || json_integer_value(e) < 0 || json_integer_value(e) >= c->num_layers)
                return ds_err_set(err, DS_ERR_MODEL, "%s: mlp_only_layers[%zu] is not a layer index", path, i);
            c->mlp_only_layers[i] = (int)json_integer_value(e);
        }
        c->n_mlp_only_layers = (int)n;
    }
    return DS_OK;
}

/* Refuses what the engine would otherwise compute differently from the reference. */
static ds_status refuse_unsupported(const json_t *root, const char *path, ds_err *err)
{
    ds_status st;
    int flag = 0;
    if ((st = get_bool(root, "attention_bias", 0, &flag, path, err)))
        return st;
    if (flag)
        return ds_err_set(err, DS_ERR_UNSUPPORTED, "%s: attention_bias is not supported", path);
    if ((st = get_bool(root, "use_sliding_window", 0, &flag, path, err)))
        return st;
    if (flag)
        return ds_err_set(err, DS_ERR_UNSUPPORTED, "%s: use_sliding_window is not supported", path);
    const json_t *act = json_object_get(root, "hidden_act");
    if (act && !json_is_null(act) && (!json_is_string(act) || strcmp(json_string_value(act), "silu") != 0))
        return ds_err_set(err, DS_ERR_UNSUPPORTED, "%s: hidden_act must be silu", path);
    return DS_OK;
}

/* Begin and end tokens within the vocabulary (others ignored) and the dtype as written. */
static void read_tokens_dtype(ds_model_config *c, const json_t *root)
{
    c->bos_token_id = -1;
    const json_t *bos = json_object_get(root, "bos_token_id");
    if (json_is_integer(bos) && json_integer_value(bos) >= 0 && json_integer_value(bos) < c->vocab_size)
        c->bos_token_id = (int)json_integer_value(bos);
    const json_t *eos = json_object_get(root, "eos_token_id");
    c->n_eos = 0;
    if (json_is_integer(eos)) {
        if (json_integer_value(eos) >= 0 && json_integer_value(eos) < c->vocab_size)
            c->eos_token_ids[c->n_eos++] = (int)json_integer_value(eos);
    } else if (json_is_array(eos)) {
        size_t i;
        const json_t *e;
        json_array_foreach(eos, i, e)
        {
            if (c->n_eos < DS_MODEL_MAX_EOS && json_is_integer(e) && json_integer_value(e) >= 0 &&
                json_integer_value(e) < c->vocab_size)
                c->eos_token_ids[c->n_eos++] = (int)json_integer_value(e);
        }
    }
    const char *dt = json_string_value(json_object_get(root, "torch_dtype"));
    if (!dt)
        dt = json_string_value(json_object_get(root, "dtype"));
    snprintf(c->torch_dtype, sizeof c->torch_dtype, "%s", dt ? dt : "");
}

static ds_status parse_root(ds_model_config *c, const json_t *root, const char *path, ds_err *err)
{
    ds_status st;
    if (!json_is_object(root))
        return ds_err_set(err, DS_ERR_MODEL, "%s: not a JSON object", path);
    DS_TRY(read_arch(c, root, path, err));
    int moe = c->arch == DS_MODEL_ARCH_QWEN3_MOE;
    DS_TRY(read_shape(c, root, moe, path, err));
    if (moe) {
        DS_TRY(read_moe(c, root, path, err));
    } else {
        c->num_experts = 0;
        c->num_experts_per_tok = 0;
        c->decoder_sparse_step = 1;
    }
    if ((st = get_num(root, "rope_theta", 10000.0, 1e-3, 1e12, &c->rope_theta, path, err)) ||
        (st = get_num(root, "rms_norm_eps", 1e-6, 0, 1, &c->rms_norm_eps, path, err)) ||
        (st = get_bool(root, "tie_word_embeddings", 0, &c->tie_word_embeddings, path, err)))
        return st;
    if ((st = parse_rope_scaling(c, json_object_get(root, "rope_scaling"), path, err)))
        return st;
    DS_TRY(refuse_unsupported(root, path, err));
    read_tokens_dtype(c, root);
    return DS_OK;
}

ds_status ds_hfconfig_parse(ds_model_config *cfg, const char *text, size_t len, const char *path, ds_err *err)
{
    memset(cfg, 0, sizeof *cfg);
    if (!path)
        path = "config.json";
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return ds_err_set(err, DS_ERR_MODEL, "%s: line %d: %s", path, je.line, je.text);
    ds_status st = parse_root(cfg, root, path, err);
    json_decref(root);
    if (st != DS_OK)
        ds_model_config_deinit(cfg);
    return st;
}

ds_status ds_hfconfig_load(ds_model_config *cfg, const char *path, ds_err *err)
{
    memset(cfg, 0, sizeof *cfg);
    ds_buf b = DS_BUF_INIT;
    ds_status st = ds_buf_read_file(&b, path, 16u << 20, err);
    if (st != DS_OK) {
        ds_buf_deinit(&b);
        return st;
    }
    st = ds_hfconfig_parse(cfg, b.data ? b.data : "", b.len, path, err);
    ds_buf_deinit(&b);
    return st;
}
