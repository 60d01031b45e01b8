/* model.c - loading a checkpoint into a ds_model: config, mapped tensors bound by their
 * Qwen3-MoE names with every dtype and shape checked against the config, small tensors (norms,
 * router temperatures) widened to fp32 copies, the kernel context, KV cache and step scratch.
 * Also sequences and greedy generation.
 * Owns: see model_internal.h. Threading: loading is reentrant; a model serves one caller at a
 * time.
 */
#include "model/hugemap.h"
#include "model/model_internal.h"

#include "pipeline/core/alloc.h"
#include "pipeline/core/clock.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void ds_model_opts_default(ds_model_opts *o)
{
    memset(o, 0, sizeof *o);
    o->segment_tokens = 512;
    o->kv_block_tokens = 64;
}

ds_k_dtype ds_model_kdtype(ds_st_dtype t)
{
    return t == DS_ST_BF16 ? DS_K_BF16 : t == DS_ST_F16 ? DS_K_F16 : DS_K_F32;
}

static int float_dtype(ds_st_dtype t)
{
    return t == DS_ST_BF16 || t == DS_ST_F16 || t == DS_ST_F32;
}

static void shape_str(char *buf, size_t cap, const ds_st_tensor *t)
{
    size_t n = (size_t)snprintf(buf, cap, "[");
    for (int i = 0; i < t->ndim && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%lld", i ? ", " : "", (long long)t->shape[i]);
    if (n < cap)
        snprintf(buf + n, cap - n, "]");
}

static ds_status find_float(ds_model *m, const char *name, const ds_st_tensor **out, ds_err *err)
{
    const ds_st_tensor *t = ds_ckpt_find(m->ckpt, name);
    if (!t)
        return ds_err_set(err, DS_ERR_MODEL, "%s: tensor %s is missing", m->ckpt->dir, name);
    if (!float_dtype(t->dtype))
        return ds_err_set(err, DS_ERR_MODEL, "%s: tensor %s has dtype %s (bf16, f16 or f32 expected)", m->ckpt->dir,
                          name, ds_st_dtype_name(t->dtype));
    *out = t;
    return DS_OK;
}

static ds_status bind_matrix(ds_model *m, const char *name, long rows, long cols, ds_k_weight *w, ds_err *err)
{
    const ds_st_tensor *t;
    ds_status st;
    if (m->awq.enabled && m->n_awq_desc < m->cap_awq_desc) { /* AutoAWQ int4 (awq.c) */
        uint64_t bytes = 0;
        st = ds_awq_bind(m, &m->awq, name, rows, cols, &m->awq_desc[m->n_awq_desc], w, &bytes, err);
        if (st == DS_OK) {
            m->awq_nk[2 * m->n_awq_desc] = (int)rows;
            m->awq_nk[2 * m->n_awq_desc + 1] = (int)cols;
            m->n_awq_desc++;
            m->n_params += (uint64_t)rows * cols;
            m->weight_bytes += bytes;
        }
        if (st != DS_ERR_NOT_FOUND)
            return st;
    }
    st = find_float(m, name, &t, err);
    if (st != DS_OK)
        return st;
    if (t->ndim != 2 || t->shape[0] != rows || t->shape[1] != cols) {
        char sh[128];
        shape_str(sh, sizeof sh, t);
        return ds_err_set(err, DS_ERR_SHAPE, "%s: tensor %s has shape %s, the config implies [%ld, %ld]", m->ckpt->dir,
                          name, sh, rows, cols);
    }
    w->data = t->data;
    w->dtype = ds_model_kdtype(t->dtype);
    m->n_params += (uint64_t)rows * cols;
    m->weight_bytes += t->end - t->begin;
    return DS_OK;
}

static float widen1(const ds_st_tensor *t, uint64_t i)
{
    const uint16_t *h = t->data;
    if (t->dtype == DS_ST_BF16)
        return ds_k_bf16_to_f32(h[i]);
    if (t->dtype == DS_ST_F16)
        return ds_k_f16_to_f32(h[i]);
    float f;
    memcpy(&f, (const char *)t->data + 4 * i, 4);
    return f;
}

/* A vector of n elements, copied to owned fp32. */
static ds_status bind_vector(ds_model *m, const char *name, long n, float **out, ds_err *err)
{
    const ds_st_tensor *t;
    ds_status st = find_float(m, name, &t, err);
    if (st != DS_OK)
        return st;
    if (t->ndim != 1 || t->shape[0] != n) {
        char sh[128];
        shape_str(sh, sizeof sh, t);
        return ds_err_set(err, DS_ERR_SHAPE, "%s: tensor %s has shape %s, the config implies [%ld]", m->ckpt->dir, name,
                          sh, n);
    }
    float *v = ds_malloc((size_t)n * sizeof(float));
    if (!v)
        return ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", m->ckpt->dir);
    for (long i = 0; i < n; i++)
        v[i] = widen1(t, (uint64_t)i);
    *out = v;
    m->n_params += (uint64_t)n;
    m->weight_bytes += t->end - t->begin;
    return DS_OK;
}

static ds_status bind_layer(ds_model *m, int l, ds_err *err)
{
    const ds_model_config *c = &m->cfg;
    ds_layer_w *L = &m->layers[l];
    const long H = c->hidden_size, D = c->head_dim;
    char nm[256];
    ds_status st;
#define NAME(fmt) (snprintf(nm, sizeof nm, "model.layers.%d." fmt, l), nm)
    if ((st = bind_vector(m, NAME("input_layernorm.weight"), H, &L->attn_norm, err)) ||
        (st = bind_vector(m, NAME("post_attention_layernorm.weight"), H, &L->post_norm, err)) ||
        (st = bind_vector(m, NAME("self_attn.q_norm.weight"), D, &L->q_norm, err)) ||
        (st = bind_vector(m, NAME("self_attn.k_norm.weight"), D, &L->k_norm, err)) ||
        (st = bind_matrix(m, NAME("self_attn.q_proj.weight"), c->num_heads * D, H, &L->q, err)) ||
        (st = bind_matrix(m, NAME("self_attn.k_proj.weight"), c->num_kv_heads * D, H, &L->k, err)) ||
        (st = bind_matrix(m, NAME("self_attn.v_proj.weight"), c->num_kv_heads * D, H, &L->v, err)) ||
        (st = bind_matrix(m, NAME("self_attn.o_proj.weight"), H, c->num_heads * D, &L->o, err)))
        return st;
    L->moe = ds_model_config_layer_is_moe(c, l);
    if (!L->moe) {
        const long I = c->intermediate_size;
        if ((st = bind_matrix(m, NAME("mlp.gate_proj.weight"), I, H, &L->gate, err)) ||
            (st = bind_matrix(m, NAME("mlp.up_proj.weight"), I, H, &L->up, err)) ||
            (st = bind_matrix(m, NAME("mlp.down_proj.weight"), H, I, &L->down, err)))
            return st;
        return DS_OK;
    }
    const int E = c->num_experts;
    const long F = c->moe_intermediate_size;
    if ((st = bind_matrix(m, NAME("mlp.gate.weight"), E, H, &L->router, err)))
        return st;
    /* Optional learned router temperature: a scalar t, logits / exp(t). */
    const ds_st_tensor *t = ds_ckpt_find(m->ckpt, NAME("mlp.router_temperature"));
    if (t) {
        if (!float_dtype(t->dtype) || t->nelem != 1 || t->ndim > 1)
            return ds_err_set(err, DS_ERR_SHAPE, "%s: tensor %s must be one float (a scalar)", m->ckpt->dir, nm);
        float v = widen1(t, 0);
        if (!isfinite(v) || fabsf(v) > 80.0f)
            return ds_err_set(err, DS_ERR_MODEL, "%s: tensor %s = %g is not a usable temperature", m->ckpt->dir, nm, v);
        L->has_temp = 1;
        L->router_temp = v;
        m->n_params += 1;
    }
#undef NAME
    L->e_gate = ds_calloc((size_t)E, sizeof(ds_k_weight));
    L->e_up = ds_calloc((size_t)E, sizeof(ds_k_weight));
    L->e_down = ds_calloc((size_t)E, sizeof(ds_k_weight));
    if (!L->e_gate || !L->e_up || !L->e_down)
        return ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", m->ckpt->dir);
    for (int e = 0; e < E; e++) {
#define ENAME(fmt) (snprintf(nm, sizeof nm, "model.layers.%d.mlp.experts.%d." fmt, l, e), nm)
        if ((st = bind_matrix(m, ENAME("gate_proj.weight"), F, H, &L->e_gate[e], err)) ||
            (st = bind_matrix(m, ENAME("up_proj.weight"), F, H, &L->e_up[e], err)) ||
            (st = bind_matrix(m, ENAME("down_proj.weight"), H, F, &L->e_down[e], err)))
            return st;
#undef ENAME
    }
    return DS_OK;
}

/* Every matrix weight the forward pass reads, for copy_weights. */
static int collect_weights(ds_model *m, ds_k_weight **out, int cap)
{
    int n = 0;
#define ADD(w)                                                                  \
    do {                                                                        \
        if ((w).dtype == DS_K_AWQ4) /* int4 weights stay in the file mapping */ \
            break;                                                              \
        if (n < cap)                                                            \
            out[n] = &(w);                                                      \
        n++;                                                                    \
    } while (0)
    ADD(m->embed);
    if (!m->cfg.tie_word_embeddings)
        ADD(m->lm_head);
    for (int l = 0; l < m->cfg.num_layers; l++) {
        ds_layer_w *L = &m->layers[l];
        ADD(L->q);
        ADD(L->k);
        ADD(L->v);
        ADD(L->o);
        if (L->moe) {
            ADD(L->router);
            for (int e = 0; e < m->cfg.num_experts; e++) {
                ADD(L->e_gate[e]);
                ADD(L->e_up[e]);
                ADD(L->e_down[e]);
            }
        } else {
            ADD(L->gate);
            ADD(L->up);
            ADD(L->down);
        }
    }
#undef ADD
    return n;
}

static int cmp_tensor_data(const void *a, const void *b)
{
    const ds_st_tensor *x = *(const ds_st_tensor *const *)a, *y = *(const ds_st_tensor *const *)b;
    return (uintptr_t)x->data < (uintptr_t)y->data ? -1 : (uintptr_t)x->data > (uintptr_t)y->data;
}

/* Size in bytes of a bound weight: the tensor it points at, found in a table sorted by address
 * (an empty tensor may share its address with the next one: the largest is taken). */
static size_t weight_size(const ds_st_tensor **sorted, size_t n, const void *data)
{
    size_t lo = 0, hi = n, best = 0;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if ((uintptr_t)sorted[mid]->data < (uintptr_t)data)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < n && sorted[lo]->data == data; lo++)
        if (sorted[lo]->end - sorted[lo]->begin > best)
            best = sorted[lo]->end - sorted[lo]->begin;
    return best;
}

/* copy_weights: one anonymous mapping on 2 MiB pages, each weight copied to a 64-byte aligned
 * slot; the file mapping's pages are then dropped from this process (they stay in the page
 * cache for the reference pass and for the next load). */
static ds_status copy_weights(ds_model *m, ds_err *err)
{
    int n = collect_weights(m, NULL, 0);
    ds_k_weight **ws = ds_malloc(sizeof *ws * (size_t)n);
    size_t *sz = ds_malloc(sizeof *sz * (size_t)n);
    if (!ws || !sz) {
        ds_free(ws);
        ds_free(sz);
        return ds_err_set(err, DS_ERR_NOMEM, "model: out of memory");
    }
    collect_weights(m, ws, n);
    const ds_st_tensor **sorted = ds_malloc(sizeof *sorted * (m->ckpt->n_tensors + 1));
    if (!sorted) {
        ds_free(ws);
        ds_free(sz);
        return ds_err_set(err, DS_ERR_NOMEM, "model: out of memory");
    }
    size_t nt = 0;
    for (int f = 0; f < m->ckpt->n_files; f++)
        for (size_t i = 0; i < m->ckpt->files[f].n_tensors; i++)
            sorted[nt++] = &m->ckpt->files[f].tensors[i];
    qsort(sorted, nt, sizeof *sorted, cmp_tensor_data);
    size_t total = 0;
    for (int i = 0; i < n; i++) {
        sz[i] = weight_size(sorted, nt, ws[i]->data);
        total += (sz[i] + 63) / 64 * 64;
    }
    ds_free(sorted);
    size_t map_size;
    char *base = ds_huge_map(total, &map_size);
    if (!base) {
        ds_free(ws);
        ds_free(sz);
        return ds_err_set(err, DS_ERR_NOMEM, "model: cannot map %zu bytes for the weights", total);
    }
    size_t off = 0;
    for (int i = 0; i < n; i++) {
        /* tied embeddings: lm_head aliases embed, copied once through embed */
        memcpy(base + off, ws[i]->data, sz[i]);
        ws[i]->data = base + off;
        off += (sz[i] + 63) / 64 * 64;
    }
    if (m->cfg.tie_word_embeddings)
        m->lm_head = m->embed;
    int *fds = ds_ckpt_fds_open(m->ckpt);
    for (int f = 0; f < m->ckpt->n_files; f++)
        ds_ckpt_release(m->ckpt, fds, m->ckpt->files[f].map, m->ckpt->files[f].map_size);
    ds_ckpt_fds_close(m->ckpt, fds);
    m->wcopy = base;
    m->wcopy_size = map_size;
    ds_free(ws);
    ds_free(sz);
    return DS_OK;
}

static void buf_free(ds_step_buf *b)
{
    float **fs[] = {&b->x,   &b->xn,     &b->q,     &b->k,       &b->v,       &b->att, &b->cos,
                    &b->sin, &b->router, &b->probs, &b->topw,    &b->moe_out, &b->xg,  &b->hg,
                    &b->hu,  &b->dn,     &b->row_w, &b->dense_g, &b->dense_u};
    for (size_t i = 0; i < sizeof fs / sizeof *fs; i++) {
        ds_free(*fs[i]);
        *fs[i] = NULL;
    }
    ds_free(b->topi);
    ds_free(b->row_tok);
    ds_free(b->ecnt);
    ds_free(b->eoff);
    ds_free(b->efill);
    b->ecnt = b->eoff = b->efill = NULL;
    ds_free(b->tok);
    ds_free(b->pos);
    b->topi = b->row_tok = b->tok = b->pos = NULL;
}

static ds_status buf_alloc(ds_model *m, int cap, ds_err *err)
{
    const ds_model_config *c = &m->cfg;
    ds_step_buf *b = &m->buf;
    const size_t T = (size_t)cap, H = c->hidden_size, D = c->head_dim;
    const size_t k = c->num_experts_per_tok > 0 ? (size_t)c->num_experts_per_tok : 1;
    const size_t E = c->num_experts > 0 ? (size_t)c->num_experts : 1;
    const size_t F = c->moe_intermediate_size > 0 ? (size_t)c->moe_intermediate_size : 1;
    int any_dense = 0;
    for (int l = 0; l < c->num_layers; l++)
        any_dense |= !m->layers[l].moe;
    const size_t I = any_dense ? (size_t)c->intermediate_size : 1;
    b->cap = cap;
    b->x = ds_malloc(T * H * 4);
    b->xn = ds_malloc(T * H * 4);
    b->q = ds_malloc(T * c->num_heads * D * 4);
    b->k = ds_malloc(T * c->num_kv_heads * D * 4);
    b->v = ds_malloc(T * c->num_kv_heads * D * 4);
    b->att = ds_malloc(T * c->num_heads * D * 4);
    b->cos = ds_malloc(T * (D / 2) * 4);
    b->sin = ds_malloc(T * (D / 2) * 4);
    b->router = ds_malloc(T * E * 4);
    b->probs = ds_malloc(T * E * 4);
    b->topw = ds_malloc(T * k * 4);
    b->topi = ds_malloc(T * k * 4);
    b->moe_out = ds_malloc(T * H * 4);
    b->xg = ds_malloc(T * k * H * 4);
    b->hg = ds_malloc(T * k * F * 4);
    b->hu = ds_malloc(T * k * F * 4);
    b->dn = ds_malloc(T * k * H * 4);
    b->row_tok = ds_malloc(T * k * 4);
    b->row_w = ds_malloc(T * k * 4);
    b->dense_g = ds_malloc(T * I * 4);
    b->dense_u = ds_malloc(T * I * 4);
    b->tok = ds_malloc(T * 4);
    b->pos = ds_malloc(T * 4);
    b->ecnt = ds_malloc(E * 4);
    b->eoff = ds_malloc(E * 4);
    b->efill = ds_malloc(E * 4);
    if (!b->x || !b->xn || !b->q || !b->k || !b->v || !b->att || !b->cos || !b->sin || !b->router || !b->probs ||
        !b->topw || !b->topi || !b->moe_out || !b->xg || !b->hg || !b->hu || !b->dn || !b->row_tok || !b->row_w ||
        !b->dense_g || !b->dense_u || !b->tok || !b->pos || !b->ecnt || !b->eoff || !b->efill)
        return ds_err_set(err, DS_ERR_NOMEM, "model: out of memory for a step of %d tokens", cap);
    return DS_OK;
}

void ds_model_free(ds_model *m)
{
    if (!m)
        return;
    if (m->layers) {
        for (int l = 0; l < m->cfg.num_layers; l++) {
            ds_layer_w *L = &m->layers[l];
            ds_free(L->attn_norm);
            ds_free(L->post_norm);
            ds_free(L->q_norm);
            ds_free(L->k_norm);
            ds_free(L->e_gate);
            ds_free(L->e_up);
            ds_free(L->e_down);
        }
        ds_free(m->layers);
    }
    ds_model_backend_close(m);
    buf_free(&m->buf);
    ds_awq_repack_free(m);
    ds_awq_output_free(m);
    ds_free(m->awq_desc);
    ds_free(m->awq_nk);
    ds_free(m->kp);
    ds_free(m->vp);
    ds_free(m->page_mem);
    ds_free(m->final_norm);
    ds_free(m->inv_freq);
    ds_prefix_cache_destroy(m);
    ds_kv_cache_free(m->kv);
    ds_kctx_free(m->kctx);
    ds_huge_unmap(m->wcopy, m->wcopy_size);
    ds_ckpt_free(m->ckpt);
    ds_model_config_deinit(&m->cfg);
    ds_free(m);
}

ds_status ds_model_load(ds_model **out, const char *dir, const ds_model_opts *opts, ds_err *err)
{
    *out = NULL;
    ds_model *m = ds_calloc(1, sizeof *m);
    if (!m)
        return ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", dir);
    if (opts)
        m->opts = *opts;
    else
        ds_model_opts_default(&m->opts);
    if (m->opts.segment_tokens <= 0)
        m->opts.segment_tokens = 512;
    if (m->opts.kv_block_tokens <= 0)
        m->opts.kv_block_tokens = 64;
    ds_status st;
    char *cfg_path = ds_asprintf("%s/config.json", dir);
    if (!cfg_path) {
        st = ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", dir);
        goto fail;
    }
    st = ds_hfconfig_load(&m->cfg, cfg_path, err);
    ds_free(cfg_path);
    if (st != DS_OK)
        goto fail;
    const ds_model_config *c = &m->cfg;
    if (m->opts.segment_tokens > (1 << 20) || m->opts.kv_block_tokens % 16 != 0 || m->opts.kv_block_tokens > 4096) {
        st = ds_err_set(err, DS_ERR_USAGE,
                        "model: segment of %d tokens or kv page of %d tokens out of range (the page "
                        "size must be a multiple of 16)",
                        m->opts.segment_tokens, m->opts.kv_block_tokens);
        goto fail;
    }
    if ((st = ds_ckpt_open(&m->ckpt, dir, err)) != DS_OK)
        goto fail;
    if ((st = ds_awq_config_load(&m->awq, dir, err)) != DS_OK)
        goto fail;
    if (m->awq.enabled) {
        const long E = c->num_experts > 0 ? c->num_experts : 1;
        m->cap_awq_desc = (int)(c->num_layers * (7 + 3 * E) + 2);
        if (!(m->awq_desc = ds_calloc((size_t)m->cap_awq_desc, sizeof *m->awq_desc)) ||
            !(m->awq_nk = ds_calloc((size_t)m->cap_awq_desc * 2, sizeof *m->awq_nk))) {
            st = ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", dir);
            goto fail;
        }
    }
    m->layers = ds_calloc((size_t)c->num_layers, sizeof *m->layers);
    if (!m->layers) {
        st = ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", dir);
        goto fail;
    }
    if ((st = bind_matrix(m, "model.embed_tokens.weight", c->vocab_size, c->hidden_size, &m->embed, err)) != DS_OK ||
        (st = bind_vector(m, "model.norm.weight", c->hidden_size, &m->final_norm, err)) != DS_OK)
        goto fail;
    if (c->tie_word_embeddings) {
        m->lm_head = m->embed;
    } else if ((st = bind_matrix(m, "lm_head.weight", c->vocab_size, c->hidden_size, &m->lm_head, err)) != DS_OK) {
        goto fail;
    }
    for (int l = 0; l < c->num_layers; l++)
        if ((st = bind_layer(m, l, err)) != DS_OK)
            goto fail;
    if (m->opts.copy_weights && (st = copy_weights(m, err)) != DS_OK)
        goto fail;
    m->inv_freq = ds_malloc((size_t)(c->head_dim / 2) * sizeof(float));
    if (!m->inv_freq) {
        st = ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", dir);
        goto fail;
    }
    ds_rope_inv_freq(c, m->inv_freq, &m->attn_factor);
    if ((st = ds_kctx_create(&m->kctx, m->opts.n_threads, (ds_k_isa)m->opts.isa, err)) != DS_OK)
        goto fail;
    ds_kv_cache_opts ko = {
        .layers = c->num_layers,
        .kv_heads = c->num_kv_heads,
        .head_dim = c->head_dim,
        .page_tokens = m->opts.kv_block_tokens,
        .max_pages = m->opts.kv_max_pages,
        .tier_tokens = {m->opts.kv_tier_tokens[0], m->opts.kv_tier_tokens[1], m->opts.kv_tier_tokens[2]},
        .disk_dir = m->opts.kv_disk_dir};
    m->opts.kv_disk_dir = NULL; /* borrowed only during the load */
    if ((st = ds_kv_cache_create(&m->kv, &ko, err)) != DS_OK)
        goto fail;
    if ((st = buf_alloc(m, m->opts.segment_tokens, err)) != DS_OK)
        goto fail;
    if ((st = ds_model_backend_open(m, err)) != DS_OK)
        goto fail;
    /* int4 on the CPU: the decode layout of the kernels, built here from the AutoAWQ tensors */
    if (!m->cuda && (st = ds_awq_repack(m, err)) != DS_OK)
        goto fail;
    if (!m->cuda && m->opts.output_int4 && (st = ds_awq_output_layer(m, err)) != DS_OK)
        goto fail;
    *out = m;
    return DS_OK;
fail:
    ds_model_free(m);
    return st;
}

const ds_model_config *ds_model_config_of(const ds_model *m)
{
    return &m->cfg;
}
uint64_t ds_model_n_params(const ds_model *m)
{
    return m->n_params;
}
uint64_t ds_model_weight_bytes(const ds_model *m)
{
    return m->weight_bytes;
}
/* Bytes a matmul with weight w of (N, K) reads: the packed int4 weight with its zeros and
 * scales, or N * K elements. */
static uint64_t weight_read_bytes(ds_k_weight w, long N, long K)
{
    if (w.dtype == DS_K_AWQ4) {
        const ds_k_awq *a = w.data;
        const uint64_t groups = (uint64_t)(K / a->group);
        return (uint64_t)N * K / 2 + groups * (uint64_t)N / 2 + groups * (uint64_t)N * 2;
    }
    return (uint64_t)N * K * ds_k_dtype_size(w.dtype);
}

uint64_t ds_model_decode_bytes(const ds_model *m, long ctx)
{
    const ds_model_config *c = &m->cfg;
    const long H = c->hidden_size, D = c->head_dim, Hq = c->num_heads, Hkv = c->num_kv_heads;
    uint64_t b = (uint64_t)H * ds_k_dtype_size(m->embed.dtype == DS_K_AWQ4 ? DS_K_BF16 : m->embed.dtype);
    b += weight_read_bytes(m->lm_head, c->vocab_size, H);
    b += (uint64_t)H * sizeof(float); /* the final norm (fp32 copy) */
    for (int l = 0; l < c->num_layers; l++) {
        const ds_layer_w *L = &m->layers[l];
        /* the two RMS norms of the layer and the q/k head norms (fp32 copies) */
        b += (uint64_t)(2 * H + 2 * D) * sizeof(float);
        b += weight_read_bytes(L->q, Hq * D, H) + weight_read_bytes(L->k, Hkv * D, H) +
             weight_read_bytes(L->v, Hkv * D, H) + weight_read_bytes(L->o, H, Hq * D);
        b += (uint64_t)ctx * 2 * Hkv * D * sizeof(float); /* the KV cache */
        if (L->moe) {
            const long I = c->moe_intermediate_size;
            b += weight_read_bytes(L->router, c->num_experts, H);
            /* the routed experts only: k of them (weights of one expert, all alike in type) */
            b += (uint64_t)c->num_experts_per_tok *
                 (weight_read_bytes(L->e_gate[0], I, H) + weight_read_bytes(L->e_up[0], I, H) +
                  weight_read_bytes(L->e_down[0], H, I));
        } else {
            const long I = c->intermediate_size;
            b += weight_read_bytes(L->gate, I, H) + weight_read_bytes(L->up, I, H) + weight_read_bytes(L->down, H, I);
        }
    }
    return b;
}

int ds_model_n_threads(const ds_model *m)
{
    return ds_kctx_threads(m->kctx);
}
double ds_model_read_bandwidth(ds_model *m)
{
    return ds_k_read_bandwidth(m->kctx, (size_t)512 << 20, 3);
}
const char *ds_model_isa_name(const ds_model *m)
{
    return ds_k_isa_name(ds_kctx_isa(m->kctx));
}
int ds_model_n_files(const ds_model *m)
{
    return m->ckpt->n_files;
}
ds_kctx *ds_model_kctx(ds_model *m)
{
    return m->kctx;
}
ds_kv_cache *ds_model_kv(ds_model *m)
{
    return m->kv;
}

void ds_model_foreach_tensor(const ds_model *m, ds_model_tensor_fn fn, void *ud)
{
    for (int f = 0; f < m->ckpt->n_files; f++)
        for (size_t i = 0; i < m->ckpt->files[f].n_tensors; i++) {
            const ds_st_tensor *t = &m->ckpt->files[f].tensors[i];
            if (fn(ud, t->name, ds_st_dtype_name(t->dtype), t->ndim, t->shape, f))
                return;
        }
}

void ds_model_kv_stats(const ds_model *m, ds_model_kv_report *r)
{
    ds_kv_stats st;
    ds_kv_cache_stats(m->kv, &st);
    memset(r, 0, sizeof *r);
    r->pages_in_use = st.pages_in_use;
    r->peak_pages = st.peak_pages_in_use;
    r->page_tokens = m->opts.kv_block_tokens;
    r->page_bytes = st.page_bytes;
    r->pins = st.pins;
    for (int t = 0; t < 3; t++)
        r->hit_rate[t] = st.pins ? (double)st.hits[t] / (double)st.pins : 0.0;
    for (int t = 0; t < 3; t++) {
        uint64_t look = st.hits[t] + st.misses[t];
        r->tier_hit_rate[t] = look ? (double)st.hits[t] / (double)look : 0.0;
        r->tier_pages[t] = st.tier_pages[t];
    }
    r->moves_down = st.moves_down;
    r->moves_up = st.moves_up;
}

/* ---- sequences ----------------------------------------------------------------------------- */

ds_status ds_model_seq_create(ds_model *m, ds_model_seq **out, ds_err *err)
{
    *out = ds_calloc(1, sizeof **out);
    if (!*out)
        return ds_err_set(err, DS_ERR_NOMEM, "model: out of memory for a sequence");
    (*out)->m = m;
    m->n_seqs++;
    return DS_OK;
}

void ds_model_seq_free(ds_model_seq *s)
{
    if (!s)
        return;
    ds_model_backend_seq_free(s);
    ds_kv_seq_release(s->m->kv, &s->kv);
    s->m->n_seqs--;
    ds_free(s);
}

int ds_model_seq_len(const ds_model_seq *s)
{
    return s->kv.n_tokens;
}

void ds_model_seq_truncate(ds_model_seq *s, int n)
{
    ds_model_backend_seq_truncate(s, n);
    ds_kv_seq_truncate(s->m->kv, &s->kv, n);
}

int ds_model_argmax(const float *logits, int n)
{
    /* The first index of the largest value, NaNs passed over, as the plain loop
     *   for i: if (logits[i] > logits[best]) best = i
     * gives (logits[0] NaN: 0), in two passes the compiler vectorises: the largest value over
     * sixteen independent lanes, then the first index holding it. 151,936 logits take about
     * 25 us where the one-chain loop took about 470 (a twentieth of a 735M-model decode step). */
    if (n <= 0 || isnan(logits[0]))
        return 0;
    enum { LANES = 16 };
    float lane[LANES];
    for (int j = 0; j < LANES; j++)
        lane[j] = logits[0];
    int i = 0;
    for (; i + LANES <= n; i += LANES)
        for (int j = 0; j < LANES; j++)
            lane[j] = logits[i + j] > lane[j] ? logits[i + j] : lane[j];
    float top = lane[0];
    for (int j = 1; j < LANES; j++)
        top = lane[j] > top ? lane[j] : top;
    for (; i < n; i++)
        top = logits[i] > top ? logits[i] : top;
    for (i = 0; i < n; i++)
        if (logits[i] == top)
            return i;
    return 0;
}

ds_status ds_model_generate_greedy(ds_model *m, ds_model_seq *seq, const int32_t *prompt, int n_prompt, int max_new,
                                   int32_t *out, int *n_out, double *prefill_s, double *decode_s, ds_err *err)
{
    *n_out = 0;
    if (prefill_s)
        *prefill_s = 0;
    if (decode_s)
        *decode_s = 0;
    if (n_prompt <= 0)
        return ds_err_set(err, DS_ERR_USAGE, "model: empty prompt");
    if (m->cuda)
        return ds_model_backend_generate(m, seq, prompt, n_prompt, max_new, out, n_out, prefill_s, decode_s, err);
    const int V = m->cfg.vocab_size;
    float *logits = ds_malloc((size_t)V * sizeof(float));
    if (!logits)
        return ds_err_set(err, DS_ERR_NOMEM, "model: out of memory for logits");
    double t0 = ds_now_s();
    ds_status st = ds_model_forward(m, seq, prompt, n_prompt, DS_MODEL_LOGITS_LAST, logits, err);
    double t1 = ds_now_s();
    if (prefill_s)
        *prefill_s = t1 - t0;
    for (int i = 0; st == DS_OK && i < max_new; i++) {
        int32_t next = ds_model_argmax(logits, V);
        out[(*n_out)++] = next;
        int stop = 0;
        for (int e = 0; e < m->cfg.n_eos; e++)
            stop |= next == m->cfg.eos_token_ids[e];
        if (stop || i + 1 == max_new)
            break;
        st = ds_model_forward(m, seq, &next, 1, DS_MODEL_LOGITS_LAST, logits, err);
    }
    if (decode_s)
        *decode_s = ds_now_s() - t1;
    ds_free(logits);
    return st;
}
