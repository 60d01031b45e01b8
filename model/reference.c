/* reference.c - the plain reference forward pass of Qwen3-MoE / Qwen3, the yardstick of the
 * fast path (forward.c) and, later, of the CUDA backend.
 *
 * Written for obviousness: every tensor is looked up in the checkpoint by its Hugging Face name,
 * read element by element, and every sum is a double; the whole sequence is recomputed from
 * position 0 with no KV cache, no tiling, no grouping, no threads. The only fp32 steps are the
 * ones the Hugging Face model itself rounds to fp32 (the rotary inverse frequencies and angles).
 * Owns: its temporaries (freed before return). Threading: reentrant; reads the model only.
 */
#include "model/model_internal.h"

#include "pipeline/core/alloc.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct ref_ctx {
    const ds_model *m;
    ds_err *err;
    ds_status st;
} ref_ctx;

static const ds_st_tensor *get(ref_ctx *r, const char *name, uint64_t nelem)
{
    const ds_st_tensor *t = ds_ckpt_find(r->m->ckpt, name);
    if (!t || t->nelem != nelem) {
        if (r->st == DS_OK)
            r->st = ds_err_set(r->err, DS_ERR_MODEL, "reference: tensor %s missing or of %llu elements", name,
                               (unsigned long long)nelem);
        return NULL;
    }
    return t;
}

static double val(const ds_st_tensor *t, uint64_t i)
{
    const uint16_t *h = t->data;
    switch (t->dtype) {
    case DS_ST_BF16: return ds_k_bf16_to_f32(h[i]);
    case DS_ST_F16: return ds_k_f16_to_f32(h[i]);
    default: {
        float f;
        memcpy(&f, (const char *)t->data + 4 * i, 4);
        return f;
    }
    }
}

/* out (n, rows) = in (n, cols) . W (rows, cols)^T */
static void linear(double *out, const double *in, const ds_st_tensor *W, int n, int rows, int cols)
{
    for (int t = 0; t < n; t++)
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int c = 0; c < cols; c++)
                s += in[(size_t)t * cols + c] * val(W, (uint64_t)r * cols + c);
            out[(size_t)t * rows + r] = s;
        }
}

/* RMSNorm of each of n rows of width d, in place. */
static void rmsnorm(double *x, const ds_st_tensor *w, int n, int d, double eps)
{
    for (int t = 0; t < n; t++) {
        double *v = x + (size_t)t * d, ss = 0;
        for (int i = 0; i < d; i++)
            ss += v[i] * v[i];
        double inv = 1.0 / sqrt(ss / d + eps);
        for (int i = 0; i < d; i++)
            v[i] = val(w, (uint64_t)i) * (v[i] * inv);
    }
}

static double silu(double v)
{
    return v / (1.0 + exp(-v));
}

/* Rotary inverse frequency of pair i, kept in fp32 as the Hugging Face model keeps it. */
static float ref_inv_freq(const ds_model_config *c, int i, double *attention)
{
    const int dim = c->head_dim;
    const double base = c->rope_theta;
    float exponent = (float)(2 * i) / (float)dim;
    float plain = 1.0f / (float)pow(base, exponent);
    *attention = 1.0;
    if (c->rope_scaling.type != DS_MODEL_ROPE_YARN)
        return plain;
    /* YaRN: blend interpolated (divided by factor) and extrapolated frequencies with a linear
     * ramp between the correction dimensions of beta_fast and beta_slow rotations. */
    const double orig = c->rope_scaling.original_max_position_embeddings;
    double lo = dim * log(orig / (c->rope_scaling.beta_fast * 2 * M_PI)) / (2 * log(base));
    double hi = dim * log(orig / (c->rope_scaling.beta_slow * 2 * M_PI)) / (2 * log(base));
    if (c->rope_scaling.truncate) {
        lo = floor(lo);
        hi = ceil(hi);
    }
    lo = fmax(lo, 0);
    hi = fmin(hi, dim - 1);
    if (lo == hi)
        hi += 0.001;
    float ramp = (float)(((float)i - (float)lo) / (float)(hi - lo));
    if (ramp < 0)
        ramp = 0;
    if (ramp > 1)
        ramp = 1;
    float interp = 1.0f / ((float)c->rope_scaling.factor * (float)pow(base, exponent));
    float keep = 1.0f - ramp; /* share of the extrapolated (unscaled) frequency */
    *attention = (float)c->rope_scaling.attention_factor;
    return interp * (1.0f - keep) + plain * keep;
}

static void rope(double *v, int heads, int D, int pos, const ds_model_config *c)
{
    for (int i = 0; i < D / 2; i++) {
        double att;
        float f = ref_inv_freq(c, i, &att);
        float angle = (float)pos * f;
        double cs = (double)(float)cos((double)angle) * att, sn = (double)(float)sin((double)angle) * att;
        for (int h = 0; h < heads; h++) {
            double a = v[h * D + i], b = v[h * D + i + D / 2];
            v[h * D + i] = a * cs - b * sn;
            v[h * D + i + D / 2] = b * cs + a * sn;
        }
    }
}

/* Scratch of one reference pass over n tokens, in doubles; freed by ref_scratch_free. */
typedef struct ref_scratch {
    double *x, *h;       /* (n, H) residual stream, normed copy */
    double *q, *att;     /* (n, Hq, D) queries, attention output */
    double *k, *v;       /* (n, Hkv, D) */
    double *o;           /* (n, H) output projection */
    double *g, *u;       /* (max(I, F)) gate and up of one token */
    double *p;           /* (max(n, E) + 1) attention weights or router probabilities */
    double *e_out, *acc; /* (H) one expert's output, the weighted sum */
    unsigned char *used; /* (E) experts chosen for one token */
} ref_scratch;

static void ref_scratch_free(ref_scratch *b)
{
    ds_free(b->x);
    ds_free(b->h);
    ds_free(b->q);
    ds_free(b->k);
    ds_free(b->v);
    ds_free(b->att);
    ds_free(b->o);
    ds_free(b->g);
    ds_free(b->u);
    ds_free(b->p);
    ds_free(b->e_out);
    ds_free(b->acc);
    ds_free(b->used);
}

static ds_status ref_scratch_alloc(ref_scratch *b, const ds_model_config *c, int n, ds_err *err)
{
    const int H = c->hidden_size, Hq = c->num_heads, Hkv = c->num_kv_heads, D = c->head_dim;
    const int E = c->num_experts, F = c->moe_intermediate_size, I = c->intermediate_size;
    const int W = (I > F ? I : F) > 0 ? (I > F ? I : F) : 1;
    memset(b, 0, sizeof *b);
    b->x = ds_calloc((size_t)n * H, sizeof(double));
    b->h = ds_calloc((size_t)n * H, sizeof(double));
    b->q = ds_calloc((size_t)n * Hq * D, sizeof(double));
    b->k = ds_calloc((size_t)n * Hkv * D, sizeof(double));
    b->v = ds_calloc((size_t)n * Hkv * D, sizeof(double));
    b->att = ds_calloc((size_t)n * Hq * D, sizeof(double));
    b->o = ds_calloc((size_t)n * H, sizeof(double));
    b->g = ds_calloc(W, sizeof(double));
    b->u = ds_calloc(W, sizeof(double));
    b->p = ds_calloc((size_t)(n > E ? n : E) + 1, sizeof(double));
    b->e_out = ds_calloc((size_t)H, sizeof(double));
    b->acc = ds_calloc((size_t)H, sizeof(double));
    b->used = ds_calloc((size_t)(E > 0 ? E : 1), 1);
    if (!b->x || !b->h || !b->q || !b->k || !b->v || !b->att || !b->o || !b->g || !b->u || !b->p || !b->e_out ||
        !b->acc || !b->used)
        return ds_err_set(err, DS_ERR_NOMEM, "reference: out of memory");
    return DS_OK;
}

/* The checkpoint tensor named by the printf-style format, of n_elem elements (NULL and r->st
 * set when missing). */
#define T_(n_elem, ...) (snprintf(nm, sizeof nm, __VA_ARGS__), get(r, nm, (uint64_t)(n_elem)))

/* Causal softmax attention over the rotated q and k of n tokens into b->att (n, Hq, D). */
static void ref_attend(const ds_model_config *c, ref_scratch *b, int n)
{
    const int Hq = c->num_heads, Hkv = c->num_kv_heads, D = c->head_dim;
    const double *q = b->q, *k = b->k, *v = b->v;
    double *p = b->p;
    const double scale = 1.0 / sqrt((double)D);
    for (int t = 0; t < n; t++)
        for (int hq = 0; hq < Hq; hq++) {
            const int hk = hq / (Hq / Hkv);
            const double *qv = q + ((size_t)t * Hq + hq) * D;
            double mx = -INFINITY, den = 0;
            for (int j = 0; j <= t; j++) {
                double s = 0;
                for (int d = 0; d < D; d++)
                    s += qv[d] * k[((size_t)j * Hkv + hk) * D + d];
                p[j] = s * scale;
                if (p[j] > mx)
                    mx = p[j];
            }
            for (int j = 0; j <= t; j++) {
                p[j] = exp(p[j] - mx);
                den += p[j];
            }
            double *out = b->att + ((size_t)t * Hq + hq) * D;
            for (int d = 0; d < D; d++) {
                double s = 0;
                for (int j = 0; j <= t; j++)
                    s += p[j] / den * v[((size_t)j * Hkv + hk) * D + d];
                out[d] = s;
            }
        }
}

/* The attention block of layer l: b->x += o_proj(attention(rmsnorm(b->x))). */
static ds_status ref_attention_block(ref_ctx *r, ref_scratch *b, int l, int n)
{
    const ds_model_config *c = &r->m->cfg;
    const int H = c->hidden_size, Hq = c->num_heads, Hkv = c->num_kv_heads, D = c->head_dim;
    const double eps = c->rms_norm_eps;
    char nm[256];
    const ds_st_tensor *in_norm = T_(H, "model.layers.%d.input_layernorm.weight", l);
    const ds_st_tensor *wq = T_((uint64_t)Hq * D * H, "model.layers.%d.self_attn.q_proj.weight", l);
    const ds_st_tensor *wk = T_((uint64_t)Hkv * D * H, "model.layers.%d.self_attn.k_proj.weight", l);
    const ds_st_tensor *wv = T_((uint64_t)Hkv * D * H, "model.layers.%d.self_attn.v_proj.weight", l);
    const ds_st_tensor *wo = T_((uint64_t)H * Hq * D, "model.layers.%d.self_attn.o_proj.weight", l);
    const ds_st_tensor *qn = T_(D, "model.layers.%d.self_attn.q_norm.weight", l);
    const ds_st_tensor *kn = T_(D, "model.layers.%d.self_attn.k_norm.weight", l);
    if (r->st != DS_OK)
        return r->st;
    memcpy(b->h, b->x, sizeof(double) * n * H);
    rmsnorm(b->h, in_norm, n, H, eps);
    linear(b->q, b->h, wq, n, Hq * D, H);
    linear(b->k, b->h, wk, n, Hkv * D, H);
    linear(b->v, b->h, wv, n, Hkv * D, H);
    rmsnorm(b->q, qn, n * Hq, D, eps);
    rmsnorm(b->k, kn, n * Hkv, D, eps);
    for (int t = 0; t < n; t++) {
        rope(b->q + (size_t)t * Hq * D, Hq, D, t, c);
        rope(b->k + (size_t)t * Hkv * D, Hkv, D, t, c);
    }
    ref_attend(c, b, n);
    linear(b->o, b->att, wo, n, H, Hq * D);
    for (size_t i = 0; i < (size_t)n * H; i++)
        b->x[i] += b->o[i];
    return DS_OK;
}

/* One SwiGLU MLP of width w on one token: out = down(silu(gate(ht)) * up(ht)). */
static void ref_swiglu(ref_scratch *b, double *out, const double *ht, const ds_st_tensor *wg, const ds_st_tensor *wu,
                       const ds_st_tensor *wd, int H, int w)
{
    linear(b->g, ht, wg, 1, w, H);
    linear(b->u, ht, wu, 1, w, H);
    for (int i = 0; i < w; i++)
        b->g[i] = silu(b->g[i]) * b->u[i];
    linear(out, b->g, wd, 1, H, w);
}

/* Router of layer l on one token: probabilities in b->p, the top k in b->used (largest first,
 * lowest index on ties), their sum in *wsum; the margin of the k-th over the next into info. */
static ds_status ref_route(ref_ctx *r, ref_scratch *b, int l, const double *ht, double *wsum, ds_ref_info *info)
{
    const ds_model_config *c = &r->m->cfg;
    const int H = c->hidden_size, E = c->num_experts, K = c->num_experts_per_tok;
    double *p = b->p;
    char nm[256];
    const ds_st_tensor *wr = T_((uint64_t)E * H, "model.layers.%d.mlp.gate.weight", l);
    if (r->st != DS_OK)
        return r->st;
    snprintf(nm, sizeof nm, "model.layers.%d.mlp.router_temperature", l);
    const ds_st_tensor *temp = ds_ckpt_find(r->m->ckpt, nm);
    linear(p, ht, wr, 1, E, H);
    if (temp)
        for (int e = 0; e < E; e++)
            p[e] /= exp(val(temp, 0));
    double mx = -INFINITY, den = 0;
    for (int e = 0; e < E; e++)
        mx = p[e] > mx ? p[e] : mx;
    for (int e = 0; e < E; e++) {
        p[e] = exp(p[e] - mx);
        den += p[e];
    }
    for (int e = 0; e < E; e++)
        p[e] /= den;
    /* top-k by repeated selection of the largest remaining, lowest index on ties */
    double kth = 0;
    *wsum = 0;
    memset(b->used, 0, (size_t)E);
    for (int j = 0; j < K; j++) {
        int best = -1;
        for (int e = 0; e < E; e++)
            if (!b->used[e] && (best < 0 || p[e] > p[best]))
                best = e;
        b->used[best] = 1;
        *wsum += p[best];
        kth = p[best];
    }
    if (info && K < E) {
        double next = -1;
        for (int e = 0; e < E; e++)
            if (!b->used[e] && p[e] > next)
                next = p[e];
        if (kth - next < info->min_router_margin)
            info->min_router_margin = kth - next;
    }
    return DS_OK;
}

/* The sparse MLP of layer l on one token: xt += the routed experts' weighted sum. */
static ds_status ref_moe(ref_ctx *r, ref_scratch *b, int l, const double *ht, double *xt, ds_ref_info *info)
{
    const ds_model_config *c = &r->m->cfg;
    const int H = c->hidden_size, E = c->num_experts, F = c->moe_intermediate_size;
    double wsum;
    char nm[256];
    DS_TRY(ref_route(r, b, l, ht, &wsum, info));
    /* experts in index order, as the Hugging Face loop sums them */
    memset(b->acc, 0, sizeof(double) * H);
    for (int e = 0; e < E; e++) {
        if (!b->used[e])
            continue;
        double w = b->p[e];
        if (c->norm_topk_prob)
            w /= wsum;
        const ds_st_tensor *eg = T_((uint64_t)F * H, "model.layers.%d.mlp.experts.%d.gate_proj.weight", l, e);
        const ds_st_tensor *eu = T_((uint64_t)F * H, "model.layers.%d.mlp.experts.%d.up_proj.weight", l, e);
        const ds_st_tensor *ed = T_((uint64_t)H * F, "model.layers.%d.mlp.experts.%d.down_proj.weight", l, e);
        if (r->st != DS_OK)
            return r->st;
        ref_swiglu(b, b->e_out, ht, eg, eu, ed, H, F);
        for (int i = 0; i < H; i++)
            b->acc[i] += w * b->e_out[i];
    }
    for (int i = 0; i < H; i++)
        xt[i] += b->acc[i];
    return DS_OK;
}

/* The MLP block of layer l: b->x += mlp(rmsnorm(b->x)), dense or sparse as the layer is. */
static ds_status ref_mlp_block(ref_ctx *r, ref_scratch *b, int l, int n, ds_ref_info *info)
{
    const ds_model_config *c = &r->m->cfg;
    const int H = c->hidden_size, E = c->num_experts, I = c->intermediate_size;
    char nm[256];
    const ds_st_tensor *post = T_(H, "model.layers.%d.post_attention_layernorm.weight", l);
    if (r->st != DS_OK)
        return r->st;
    memcpy(b->h, b->x, sizeof(double) * n * H);
    rmsnorm(b->h, post, n, H, c->rms_norm_eps);
    int sparse = c->arch == DS_MODEL_ARCH_QWEN3_MOE && E > 0 && (l + 1) % c->decoder_sparse_step == 0;
    for (int i = 0; i < c->n_mlp_only_layers; i++)
        if (c->mlp_only_layers[i] == l)
            sparse = 0;
    for (int t = 0; t < n; t++) {
        const double *ht = b->h + (size_t)t * H;
        double *xt = b->x + (size_t)t * H;
        if (sparse) {
            DS_TRY(ref_moe(r, b, l, ht, xt, info));
            continue;
        }
        const ds_st_tensor *wg = T_((uint64_t)I * H, "model.layers.%d.mlp.gate_proj.weight", l);
        const ds_st_tensor *wu = T_((uint64_t)I * H, "model.layers.%d.mlp.up_proj.weight", l);
        const ds_st_tensor *wd = T_((uint64_t)H * I, "model.layers.%d.mlp.down_proj.weight", l);
        if (r->st != DS_OK)
            return r->st;
        ref_swiglu(b, b->e_out, ht, wg, wu, wd, H, I);
        for (int i = 0; i < H; i++)
            xt[i] += b->e_out[i];
    }
    return DS_OK;
}

/* Embedding, the layers, the final norm and the head. */
static ds_status ref_forward(ref_ctx *r, ref_scratch *b, const int32_t *tokens, int n, int all_rows, double *logits,
                             ds_ref_info *info)
{
    const ds_model_config *c = &r->m->cfg;
    const int H = c->hidden_size, V = c->vocab_size;
    char nm[256];
    const ds_st_tensor *emb = T_((uint64_t)V * H, "model.embed_tokens.weight");
    if (!emb)
        return r->st;
    for (int t = 0; t < n; t++)
        for (int i = 0; i < H; i++)
            b->x[(size_t)t * H + i] = val(emb, (uint64_t)tokens[t] * H + i);
    for (int l = 0; l < c->num_layers; l++) {
        DS_TRY(ref_attention_block(r, b, l, n));
        DS_TRY(ref_mlp_block(r, b, l, n, info));
    }
    const ds_st_tensor *fn = T_(H, "model.norm.weight");
    const ds_st_tensor *head = c->tie_word_embeddings ? emb : T_((uint64_t)V * H, "lm_head.weight");
    if (r->st != DS_OK)
        return r->st;
    const double *rows = all_rows ? b->x : b->x + (size_t)(n - 1) * H;
    int nr = all_rows ? n : 1;
    rmsnorm((double *)rows, fn, nr, H, c->rms_norm_eps);
    linear(logits, rows, head, nr, V, H);
    return DS_OK;
}
#undef T_

ds_status ds_model_reference_logits(const ds_model *m, const int32_t *tokens, int n, int all_rows, double *logits,
                                    ds_ref_info *info, ds_err *err)
{
    const int V = m->cfg.vocab_size;
    ref_ctx r = {m, err, DS_OK};
    if (info)
        info->min_router_margin = INFINITY;
    if (n <= 0)
        return ds_err_set(err, DS_ERR_USAGE, "reference: no tokens");
    for (int t = 0; t < n; t++)
        if (tokens[t] < 0 || tokens[t] >= V)
            return ds_err_set(err, DS_ERR_USAGE, "reference: token %d out of range", tokens[t]);
    ref_scratch b;
    r.st = ref_scratch_alloc(&b, &m->cfg, n, err);
    if (r.st == DS_OK)
        r.st = ref_forward(&r, &b, tokens, n, all_rows, logits, info);
    ref_scratch_free(&b);
    return r.st;
}
