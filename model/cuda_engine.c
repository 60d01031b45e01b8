/* cuda_engine.c - the forward pass of Qwen3-MoE / Qwen3 on CUDA devices (see cuda_engine.h).
 *
 * Per device (rank) one arena holds, carved in one layout pass (measured first, then cut):
 * the weights of the rank's shard, the KV page pool, the step buffers of one segment and the
 * cuBLAS workspace. A step of T tokens at positions pos0.. (the position comes from device
 * memory, so eager steps and graph replays run the same code):
 *   embed -> per layer: RMSNorm -> q/k/v -> per-head q/k RMSNorm -> RoPE (tables of the step's
 *   positions) -> K/V into the sequence's pages -> attention over the pages -> o_proj
 *   [all-reduce] -> residual -> RMSNorm -> router -> softmax/top-k/renormalise -> grouping by
 *   expert -> gather -> experts (gate/up, SiLU * up, down) -> weighted sum in expert order
 *   [all-reduce] -> residual; final norm and lm_head for the rows whose logits are wanted.
 * Expert products: for few (token, expert) pairs (decode) the grouped GEMV kernels read the
 * group bounds on the device; for many (prefill) the group sizes come to the host once per
 * layer and each expert is one cuBLAS GemmEx (int4 experts dequantised to bf16 first).
 * Tensor parallelism (tp ranks): attention heads and the experts' / MLP's intermediate columns
 * are split; o_proj and down_proj are row-split, their partial outputs summed by an NCCL
 * all-reduce; everything else (embeddings, norms, router, lm_head) is replicated, and the
 * routing is computed identically on every rank. One host thread drives all ranks.
 * Decode steps of one sequence (bf16, tp 1) are captured once as a CUDA graph and replayed:
 * the host only writes the position, the page table when it grows, and reads the token.
 * Built only with the CUDA backend (CMakeLists.txt picks cuda_engine_none.c otherwise).
 * Owns: see cuda_engine.h. Threading: one call at a time per engine.
 *
 * Shape key (the engine's fields and locals use these letters throughout):
 *   tp   tensor-parallel ranks          S    tokens per segment (one step's rows at most)
 *   PT   tokens per KV page             T    rows (tokens) of the current step
 *   L    layers                         V    vocabulary
 *   H    hidden size                    D    head dimension
 *   Hq   query heads (all ranks)        hq   query heads of one rank (Hq / tp)
 *   Hkv  key/value heads (all ranks)    hkv  key/value heads of one rank (Hkv / tp)
 *   E    experts                        topk experts per token
 *   F    expert intermediate size       f    its columns on one rank (F / tp)
 *   I    dense MLP intermediate size    i    its columns on one rank (I / tp)
 *   N, K a linear's output and input widths (y (T, N) = x (T, K) . W^T), as in kernels.h
 */
#include "model/cuda_engine.h"

#include "kernels/cuda/kernels_cuda.h"
#include "model/model_internal.h"
#include "pipeline/core/alloc.h"
#include "pipeline/core/clock.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define MAX_TP 8
#define SMALL_ROWS 16   /* int4 dense layers: the GEMV kernel up to this many tokens */
#define SMALL_PAIRS 128 /* MoE: the grouped GEMV path up to this many (token, expert) pairs (default) */
#define LOGIT_ROWS 256  /* lm_head rows per chunk */
#define BLAS_WS ((size_t)32 << 20)
#define STAGE_BYTES ((size_t)64 << 20)

/* A linear weight of one rank. */
typedef struct cw {
    ds_cuda_weight w;
    ds_cuda_wdesc *tab; /* device copy of w.d: the one-group table of the GEMV kernels */
    int N, K;
} cw;

typedef struct clayer {
    float *attn_norm, *post_norm, *q_norm, *k_norm;
    cw q, k, v, o;
    int moe;
    cw router;
    float exp_t;
    cw *eg, *eu, *ed;            /* E experts (host array) */
    ds_cuda_wdesc *tg, *tu, *td; /* device tables of the experts */
    cw gate, up, down;
} clayer;

typedef struct crank {
    int dev;
    cudaStream_t s;
    ds_cuda_arena arena;
    ds_cuda_blas *blas;
    void *blas_ws;
    clayer *L;
    void *embed;
    ds_k_dtype embed_dt;
    cw lm_head;
    int lm_tied;
    float *final_norm, *inv_freq;
    char *kv_pool;
    /* step buffers */
    float *x, *xn_f, *q, *k, *v, *att, *cs, *sn, *router, *topw, *row_w, *hg, *hu, *dn, *mo;
    float *dg, *du, *logits;
    uint16_t *xn_b, *att_b, *hb, *db, *wscratch;
    void *xg;
    int32_t *tok, *topi, *cnt, *off, *active, *row_tok, *pair_row, *pages, *pos0, *offT;
    uint64_t *ctr;
    uint32_t *mask;
    void *att_ws;
} crank;

struct ds_cuda_engine {
    ds_model_config cfg; /* copy; mlp_only_layers not kept (per-layer flags instead) */
    ds_cuda_engine_opts o;
    int tp, S, PT, E, topk, H, D, Hq, Hkv, hq, hkv, F, f, I, i, V, L;
    int exact, awq_group, splits, norm_topk, small_pairs;
    float eps, attn_factor, scale;
    crank r[MAX_TP];
    ds_cuda_comm *comm;
    size_t page_bytes, weight_bytes;
    long n_pages, n_free;
    int32_t *free_pages;
    int n_seqs;
    /* host staging (pinned) */
    int32_t *h_i32;  /* pos0, offT pair, offsets (E + 1) */
    uint64_t *h_u64; /* sampling counter */
    void *stage;
    /* the page table on the devices: which sequence, how many pages */
    const ds_cuda_seq *pt_seq;
    int pt_n;
    /* decode graph */
    ds_cuda_graph *graph;
    float g_temp, g_top_p;
    uint64_t g_seed;
    int g_mask;
    int mask_on;
    char desc[192];
};

struct ds_cuda_seq {
    ds_cuda_engine *e;
    int32_t *pages;
    int n_pages, cap;
    int n_tokens;
};

/* ---- availability --------------------------------------------------------------------------- */

int ds_cuda_engine_available(char *why, size_t cap)
{
    int n = ds_cuda_device_count();
    if (n > 0)
        return 1;
    if (why && cap)
        snprintf(why, cap, "no usable CUDA device (driver or device missing)");
    return 0;
}

/* ---- layout: every device allocation, measured then carved ----------------------------------- */

typedef struct carve {
    ds_cuda_arena *a;
    size_t need;
    int dry, fail;
} carve;

static void *take(carve *c, size_t n)
{
    n = (n + 255) & ~(size_t)255;
    if (c->dry) {
        c->need += n;
        return NULL;
    }
    void *p = ds_cuda_arena_alloc(c->a, n ? n : 256);
    if (!p)
        c->fail = 1;
    return p;
}

static size_t weight_bytes_of(const cw *w)
{
    if (w->w.dtype == DS_K_AWQ4)
        return (size_t)w->K * w->N / 2 + (size_t)(w->K / w->w.group) * w->N / 2 +
               (size_t)(w->K / w->w.group) * w->N * 2;
    return (size_t)w->N * w->K * ds_k_dtype_size(w->w.dtype);
}

static void take_weight(carve *c, cw *w, size_t *total)
{
    if (w->w.dtype == DS_K_AWQ4) {
        const int G = w->w.group;
        w->w.d.data = take(c, (size_t)w->K * w->N / 2);
        w->w.d.qzeros = take(c, (size_t)(w->K / G) * w->N / 2);
        w->w.d.scales = take(c, (size_t)(w->K / G) * w->N * 2);
        w->tab = take(c, sizeof(ds_cuda_wdesc));
    } else {
        w->w.d.data = take(c, (size_t)w->N * w->K * ds_k_dtype_size(w->w.dtype));
        w->w.d.qzeros = NULL;
        w->w.d.scales = NULL;
        w->tab = take(c, sizeof(ds_cuda_wdesc));
    }
    *total += weight_bytes_of(w);
}

/* Carves the rank's weights and buffers (not the KV pool). */
static void layout(ds_cuda_engine *e, crank *r, carve *c, size_t *wbytes)
{
    const size_t S = (size_t)e->S, H = e->H, D = e->D, topk = e->topk, E = e->E > 0 ? e->E : 1;
    const size_t xes = e->exact ? 4 : 2;
    *wbytes = 0;
    r->embed = take(c, (size_t)e->V * H * ds_k_dtype_size(r->embed_dt));
    *wbytes += (size_t)e->V * H * ds_k_dtype_size(r->embed_dt);
    if (!r->lm_tied)
        take_weight(c, &r->lm_head, wbytes);
    r->final_norm = take(c, H * 4);
    r->inv_freq = take(c, D / 2 * 4);
    size_t wmax = 0; /* largest int4 weight, for the dequantisation scratch */
    for (int l = 0; l < e->L; l++) {
        clayer *L = &r->L[l];
        L->attn_norm = take(c, H * 4);
        L->post_norm = take(c, H * 4);
        L->q_norm = take(c, D * 4);
        L->k_norm = take(c, D * 4);
        cw *ws[4] = {&L->q, &L->k, &L->v, &L->o};
        for (int i = 0; i < 4; i++) {
            take_weight(c, ws[i], wbytes);
            if (ws[i]->w.dtype == DS_K_AWQ4 && (size_t)ws[i]->N * ws[i]->K > wmax)
                wmax = (size_t)ws[i]->N * ws[i]->K;
        }
        if (L->moe) {
            take_weight(c, &L->router, wbytes);
            for (int x = 0; x < e->E; x++) {
                cw *es[3] = {&L->eg[x], &L->eu[x], &L->ed[x]};
                for (int i = 0; i < 3; i++) {
                    take_weight(c, es[i], wbytes);
                    if (es[i]->w.dtype == DS_K_AWQ4 && (size_t)es[i]->N * es[i]->K > wmax)
                        wmax = (size_t)es[i]->N * es[i]->K;
                }
            }
            L->tg = take(c, E * sizeof(ds_cuda_wdesc));
            L->tu = take(c, E * sizeof(ds_cuda_wdesc));
            L->td = take(c, E * sizeof(ds_cuda_wdesc));
        } else {
            cw *ds[3] = {&L->gate, &L->up, &L->down};
            for (int i = 0; i < 3; i++) {
                take_weight(c, ds[i], wbytes);
                if (ds[i]->w.dtype == DS_K_AWQ4 && (size_t)ds[i]->N * ds[i]->K > wmax)
                    wmax = (size_t)ds[i]->N * ds[i]->K;
            }
        }
    }
    if (r->lm_head.w.dtype == DS_K_AWQ4 && (size_t)r->lm_head.N * r->lm_head.K > wmax)
        wmax = (size_t)r->lm_head.N * r->lm_head.K;
    /* step buffers */
    int any_dense = 0;
    for (int l = 0; l < e->L; l++)
        any_dense |= !r->L[l].moe;
    const size_t hq = e->hq, hkv = e->hkv, f = e->f > 0 ? e->f : 1;
    const size_t I = any_dense && e->i > 0 ? (size_t)e->i : 1; /* dense MLP buffers only when used */
    const size_t lr = (size_t)(e->S < LOGIT_ROWS ? e->S : LOGIT_ROWS);
    r->x = take(c, S * H * 4);
    r->xn_f = take(c, S * H * 4);
    r->xn_b = take(c, S * H * 2);
    r->mo = take(c, S * H * 4);
    r->q = take(c, S * hq * D * 4);
    r->k = take(c, S * hkv * D * 4);
    r->v = take(c, S * hkv * D * 4);
    r->att = take(c, S * hq * D * 4);
    r->att_b = take(c, S * hq * D * 2);
    r->cs = take(c, S * D / 2 * 4);
    r->sn = take(c, S * D / 2 * 4);
    r->router = take(c, S * E * 4);
    r->topi = take(c, S * topk * 4);
    r->topw = take(c, S * topk * 4);
    r->row_w = take(c, S * topk * 4);
    r->row_tok = take(c, S * topk * 4);
    r->pair_row = take(c, S * topk * 4);
    r->cnt = take(c, E * 4);
    r->off = take(c, (E + 1) * 4);
    r->active = take(c, E * 4);
    r->xg = take(c, S * topk * H * xes);
    r->hg = take(c, S * topk * f * 4);
    r->hu = take(c, S * topk * f * 4);
    r->hb = take(c, S * topk * f * 2);
    r->dn = take(c, S * topk * H * 4);
    r->dg = take(c, S * I * 4);
    r->du = take(c, S * I * 4);
    r->db = take(c, S * I * 2);
    r->logits = take(c, lr * e->V * 4);
    r->tok = take(c, S * 4);
    r->pos0 = take(c, 4);
    r->offT = take(c, 8);
    r->ctr = take(c, 8);
    r->mask = take(c, ((size_t)e->V + 31) / 32 * 4);
    r->att_ws = take(c, ds_cuda_attention_workspace(1, e->hq, e->D, e->splits));
    r->wscratch = take(c, (wmax ? wmax : 1) * 2);
    r->blas_ws = take(c, BLAS_WS);
}

/* ---- uploads ------------------------------------------------------------------------------------ */

/* rows [r0, r1) x columns [c0, c1) of a host matrix (cols columns, element size es) to the
 * device, packed, through the pinned stage; with to_bf16 the float source (dtype sdt) is
 * converted. */
static ds_status put_block(ds_cuda_engine *e, crank *r, void *dst, const void *src, ds_k_dtype sdt, int to_bf16,
                           size_t es, long cols, long r0, long r1, long c0, long c1, ds_err *err)
{
    const size_t w = (size_t)(c1 - c0), des = to_bf16 ? 2 : es, row_bytes = w * des;
    if (!row_bytes || r1 <= r0)
        return DS_OK;
    const long rows_per = (long)(STAGE_BYTES / row_bytes) > 0 ? (long)(STAGE_BYTES / row_bytes) : 1;
    ds_status st = DS_OK;
    for (long a = r0; a < r1 && st == DS_OK; a += rows_per) {
        const long b = a + rows_per < r1 ? a + rows_per : r1;
        if (row_bytes > STAGE_BYTES) { /* a row larger than the stage: straight copy, no convert */
            if (to_bf16)
                return ds_err_set(err, DS_ERR_TOO_LARGE, "cuda upload: a row of %zu bytes", row_bytes);
            for (long i = a; i < b && st == DS_OK; i++)
                st = ds_cuda_copy_h2d((char *)dst + (size_t)(i - r0) * row_bytes,
                                      (const char *)src + ((size_t)i * cols + c0) * es, row_bytes, r->s, err);
            continue;
        }
        unsigned char *stg = e->stage;
        for (long i = a; i < b; i++) {
            const unsigned char *sr = (const unsigned char *)src + ((size_t)i * cols + c0) * es;
            unsigned char *dr = stg + (size_t)(i - a) * row_bytes;
            if (!to_bf16 || sdt == DS_K_BF16) {
                memcpy(dr, sr, row_bytes);
            } else {
                uint16_t *d16 = (uint16_t *)dr;
                for (size_t j = 0; j < w; j++) {
                    float v;
                    if (sdt == DS_K_F16) {
                        uint16_t h;
                        memcpy(&h, sr + 2 * j, 2);
                        v = ds_k_f16_to_f32(h);
                    } else {
                        memcpy(&v, sr + 4 * j, 4);
                    }
                    d16[j] = ds_k_f32_to_bf16(v);
                }
            }
        }
        st = ds_cuda_copy_h2d((char *)dst + (size_t)(a - r0) * row_bytes, stg, (size_t)(b - a) * row_bytes, r->s, err);
        if (st == DS_OK)
            st = ds_cuda_stream_sync(r->s, err); /* the stage is reused */
    }
    return st;
}

/* Slice of a source weight of N_full outputs and K_full inputs: outputs [n0, n1) (row split) or
 * inputs [k0, k1) (column split); the whole weight when both ranges are full. */
static ds_status put_weight(ds_cuda_engine *e, crank *r, cw *w, ds_k_weight src, long N_full, long K_full, long n0,
                            long n1, long k0, long k1, ds_err *err)
{
    ds_status st;
    if (src.dtype == DS_K_AWQ4) {
        const ds_k_awq *a = src.data;
        const long G = a->group;
        /* qweight (K, N/8), qzeros (K/G, N/8), scales (K/G, N): rows are k, columns n */
        if ((st = put_block(e, r, (void *)w->w.d.data, a->qweight, DS_K_AWQ4, 0, 4, N_full / 8, k0, k1, n0 / 8, n1 / 8,
                            err)) != DS_OK ||
            (st = put_block(e, r, (void *)w->w.d.qzeros, a->qzeros, DS_K_AWQ4, 0, 4, N_full / 8, k0 / G, k1 / G, n0 / 8,
                            n1 / 8, err)) != DS_OK ||
            (st = put_block(e, r, (void *)w->w.d.scales, a->scales, DS_K_AWQ4, 0, 2, N_full, k0 / G, k1 / G, n0, n1,
                            err)) != DS_OK)
            return st;
    } else {
        const int to_bf16 = !e->exact && src.dtype != DS_K_BF16;
        if ((st = put_block(e, r, (void *)w->w.d.data, src.data, src.dtype, to_bf16, ds_k_dtype_size(src.dtype), K_full,
                            n0, n1, k0, k1, err)) != DS_OK)
            return st;
    }
    return ds_cuda_copy_h2d(w->tab, &w->w.d, sizeof w->w.d, r->s, err) == DS_OK ? ds_cuda_stream_sync(r->s, err)
                                                                                : DS_ERR_CUDA;
}

static ds_status put_vec(ds_cuda_engine *e, crank *r, float *dst, const float *src, size_t n, ds_err *err)
{
    (void)e;
    ds_status st = ds_cuda_copy_h2d(dst, src, n * 4, r->s, err);
    return st == DS_OK ? ds_cuda_stream_sync(r->s, err) : st;
}

static ds_status put_tables(ds_cuda_engine *e, crank *r, ds_err *err)
{
    ds_cuda_wdesc *t = ds_malloc(sizeof *t * (size_t)(e->E > 0 ? e->E : 1));
    if (!t)
        return ds_err_set(err, DS_ERR_NOMEM, "cuda engine: out of memory");
    ds_status st = DS_OK;
    for (int l = 0; l < e->L && st == DS_OK; l++) {
        clayer *L = &r->L[l];
        if (!L->moe)
            continue;
        cw *sets[3] = {L->eg, L->eu, L->ed};
        ds_cuda_wdesc *dst[3] = {L->tg, L->tu, L->td};
        for (int k = 0; k < 3 && st == DS_OK; k++) {
            for (int x = 0; x < e->E; x++)
                t[x] = sets[k][x].w.d;
            st = ds_cuda_copy_h2d(dst[k], t, sizeof *t * (size_t)e->E, r->s, err);
            if (st == DS_OK)
                st = ds_cuda_stream_sync(r->s, err);
        }
    }
    ds_free(t);
    return st;
}

/* ---- shapes and weight plans -------------------------------------------------------------------- */

static void plan_w(ds_cuda_engine *e, cw *w, ds_k_dtype src_dt, int group, int N, int K)
{
    w->N = N;
    w->K = K;
    w->w.group = 0;
    if (src_dt == DS_K_AWQ4) {
        w->w.dtype = DS_K_AWQ4;
        w->w.group = group;
    } else {
        w->w.dtype = e->exact ? src_dt : DS_K_BF16;
    }
}

static ds_status setup_shapes(ds_cuda_engine *e, const ds_model_config *c, const ds_cuda_engine_opts *o, int awq_group,
                              ds_err *err)
{
    e->o = *o;
    e->cfg = *c;
    e->cfg.mlp_only_layers = NULL;
    e->cfg.n_mlp_only_layers = 0;
    e->exact = o->prec == DS_CUDA_PREC_FP32;
    e->tp = o->tp > 0 ? o->tp : 1;
    e->S = o->segment_tokens > 0 ? o->segment_tokens : e->exact ? 512 : 8192;
    e->PT = o->page_tokens > 0 ? o->page_tokens : 64;
    e->splits = o->decode_splits > 0 ? o->decode_splits : 64;
    e->small_pairs = o->moe_gemv_pairs > 0 ? o->moe_gemv_pairs : o->moe_gemv_pairs < 0 ? 0 : SMALL_PAIRS;
    e->L = c->num_layers;
    e->H = c->hidden_size;
    e->D = c->head_dim;
    e->Hq = c->num_heads;
    e->Hkv = c->num_kv_heads;
    e->E = c->num_experts;
    e->topk = c->num_experts_per_tok > 0 ? c->num_experts_per_tok : 1;
    e->F = c->moe_intermediate_size;
    e->I = c->intermediate_size;
    e->V = c->vocab_size;
    e->eps = (float)c->rms_norm_eps;
    e->scale = 1.0f / sqrtf((float)c->head_dim);
    e->norm_topk = c->norm_topk_prob;
    e->awq_group = awq_group;
    const int tp = e->tp;
    if (tp > MAX_TP || e->Hkv % tp || e->Hq % tp || (e->E > 0 && e->F % tp) || e->I % tp)
        return ds_err_set(err, DS_ERR_UNSUPPORTED,
                          "cuda engine: %d-way tensor parallelism does not divide %d/%d heads, %d expert "
                          "and %d MLP columns",
                          tp, e->Hq, e->Hkv, e->F, e->I);
    e->hq = e->Hq / tp;
    e->hkv = e->Hkv / tp;
    e->f = e->F / tp;
    e->i = e->I / tp;
    if (awq_group > 0 && tp > 1 &&
        ((e->hq * e->D) % awq_group || (e->E > 0 && (e->f % awq_group || e->f % 8)) ||
         (e->I > 0 && (e->i % awq_group || e->i % 8))))
        return ds_err_set(err, DS_ERR_UNSUPPORTED, "cuda engine: %d-way tensor parallelism splits int4 groups of %d",
                          tp, awq_group);
    if (e->E > 1024 || e->topk > 32 || (e->D % 8) || e->D > 512 || e->PT % 16)
        return ds_err_set(err, DS_ERR_UNSUPPORTED, "cuda engine: %d experts top-%d, head_dim %d, page %d not supported",
                          e->E, e->topk, e->D, e->PT);
    if (e->S < 1 || e->S > (1 << 20))
        return ds_err_set(err, DS_ERR_USAGE, "cuda engine: segment of %d tokens", e->S);
    float inv[256];
    ds_rope_inv_freq(c, inv, &e->attn_factor);
    return DS_OK;
}

/* Per rank: the layer table and the plan of every weight (dtype and shard shape). */
static ds_status plan_rank(ds_cuda_engine *e, crank *r, const ds_model *m, int rank, ds_err *err)
{
    (void)rank;
    r->L = ds_calloc((size_t)e->L, sizeof *r->L);
    if (!r->L)
        return ds_err_set(err, DS_ERR_NOMEM, "cuda engine: out of memory");
    const int H = e->H, D = e->D;
    const int G = e->awq_group;
    r->embed_dt = m ? (e->exact ? m->embed.dtype : DS_K_BF16) : DS_K_BF16;
    r->lm_tied = e->cfg.tie_word_embeddings;
    if (r->lm_tied) {
        r->lm_head.N = e->V;
        r->lm_head.K = H;
        r->lm_head.w.dtype = r->embed_dt;
    } else {
        plan_w(e, &r->lm_head, m ? m->lm_head.dtype : DS_K_BF16,
               m && m->lm_head.dtype == DS_K_AWQ4 ? ((const ds_k_awq *)m->lm_head.data)->group : 0, e->V, H);
    }
    for (int l = 0; l < e->L; l++) {
        clayer *L = &r->L[l];
        const ds_layer_w *sw = m ? &m->layers[l] : NULL;
#define SDT(w) (sw ? sw->w.dtype : G > 0 ? DS_K_AWQ4 : DS_K_BF16)
#define SG(w) (sw ? (sw->w.dtype == DS_K_AWQ4 ? ((const ds_k_awq *)sw->w.data)->group : 0) : G)
        plan_w(e, &L->q, SDT(q), SG(q), e->hq * D, H);
        plan_w(e, &L->k, SDT(k), SG(k), e->hkv * D, H);
        plan_w(e, &L->v, SDT(v), SG(v), e->hkv * D, H);
        plan_w(e, &L->o, SDT(o), SG(o), H, e->hq * D);
        L->moe = m ? sw->moe : ds_model_config_layer_is_moe(&e->cfg, l);
        L->exp_t = sw && sw->has_temp ? expf(sw->router_temp) : 1.0f;
        if (L->moe) {
            /* the router stays float (AutoAWQ keeps it); bf16 in the fast path */
            plan_w(e, &L->router, sw ? (sw->router.dtype == DS_K_AWQ4 ? DS_K_AWQ4 : sw->router.dtype) : DS_K_BF16,
                   SG(router), e->E, H);
            L->eg = ds_calloc((size_t)e->E, sizeof(cw));
            L->eu = ds_calloc((size_t)e->E, sizeof(cw));
            L->ed = ds_calloc((size_t)e->E, sizeof(cw));
            if (!L->eg || !L->eu || !L->ed)
                return ds_err_set(err, DS_ERR_NOMEM, "cuda engine: out of memory");
            for (int x = 0; x < e->E; x++) {
                plan_w(e, &L->eg[x], SDT(e_gate[x]), SG(e_gate[x]), e->f, H);
                plan_w(e, &L->eu[x], SDT(e_up[x]), SG(e_up[x]), e->f, H);
                plan_w(e, &L->ed[x], SDT(e_down[x]), SG(e_down[x]), H, e->f);
                /* the grouped kernels take one dtype and group per layer */
                if (L->eg[x].w.dtype != L->eg[0].w.dtype || L->eu[x].w.dtype != L->eg[0].w.dtype ||
                    L->ed[x].w.dtype != L->eg[0].w.dtype || L->eg[x].w.group != L->eg[0].w.group ||
                    L->eu[x].w.group != L->eg[0].w.group || L->ed[x].w.group != L->eg[0].w.group)
                    return ds_err_set(err, DS_ERR_UNSUPPORTED, "cuda engine: layer %d mixes expert weight formats", l);
            }
        } else {
            plan_w(e, &L->gate, SDT(gate), SG(gate), e->i, H);
            plan_w(e, &L->up, SDT(up), SG(up), e->i, H);
            plan_w(e, &L->down, SDT(down), SG(down), H, e->i);
        }
#undef SDT
#undef SG
    }
    return DS_OK;
}

/* Uploads rank r's shard of the loaded model. */
static ds_status upload_rank(ds_cuda_engine *e, crank *r, const ds_model *m, int rank, ds_err *err)
{
    const int H = e->H, D = e->D;
    ds_status st;
    if ((st = put_block(e, r, r->embed, m->embed.data, m->embed.dtype, !e->exact && m->embed.dtype != DS_K_BF16,
                        ds_k_dtype_size(m->embed.dtype), H, 0, e->V, 0, H, err)) != DS_OK)
        return st;
    if (r->lm_tied) {
        r->lm_head.w.d.data = r->embed;
        r->lm_head.w.dtype = r->embed_dt;
    } else if ((st = put_weight(e, r, &r->lm_head, m->lm_head, e->V, H, 0, e->V, 0, H, err)) != DS_OK) {
        return st;
    }
    if ((st = put_vec(e, r, r->final_norm, m->final_norm, (size_t)H, err)) != DS_OK ||
        (st = put_vec(e, r, r->inv_freq, m->inv_freq, (size_t)D / 2, err)) != DS_OK)
        return st;
    const long qa = (long)rank * e->hq * D, qb = qa + (long)e->hq * D;
    const long ka = (long)rank * e->hkv * D, kb = ka + (long)e->hkv * D;
    const long fa = (long)rank * e->f, fb = fa + e->f, ia = (long)rank * e->i, ib = ia + e->i;
    for (int l = 0; l < e->L; l++) {
        clayer *L = &r->L[l];
        const ds_layer_w *s = &m->layers[l];
        if ((st = put_vec(e, r, L->attn_norm, s->attn_norm, (size_t)H, err)) != DS_OK ||
            (st = put_vec(e, r, L->post_norm, s->post_norm, (size_t)H, err)) != DS_OK ||
            (st = put_vec(e, r, L->q_norm, s->q_norm, (size_t)D, err)) != DS_OK ||
            (st = put_vec(e, r, L->k_norm, s->k_norm, (size_t)D, err)) != DS_OK ||
            (st = put_weight(e, r, &L->q, s->q, (long)e->Hq * D, H, qa, qb, 0, H, err)) != DS_OK ||
            (st = put_weight(e, r, &L->k, s->k, (long)e->Hkv * D, H, ka, kb, 0, H, err)) != DS_OK ||
            (st = put_weight(e, r, &L->v, s->v, (long)e->Hkv * D, H, ka, kb, 0, H, err)) != DS_OK ||
            (st = put_weight(e, r, &L->o, s->o, H, (long)e->Hq * D, 0, H, qa, qb, err)) != DS_OK)
            return st;
        if (L->moe) {
            if ((st = put_weight(e, r, &L->router, s->router, e->E, H, 0, e->E, 0, H, err)) != DS_OK)
                return st;
            for (int x = 0; x < e->E; x++)
                if ((st = put_weight(e, r, &L->eg[x], s->e_gate[x], e->F, H, fa, fb, 0, H, err)) != DS_OK ||
                    (st = put_weight(e, r, &L->eu[x], s->e_up[x], e->F, H, fa, fb, 0, H, err)) != DS_OK ||
                    (st = put_weight(e, r, &L->ed[x], s->e_down[x], H, e->F, 0, H, fa, fb, err)) != DS_OK)
                    return st;
        } else if ((st = put_weight(e, r, &L->gate, s->gate, e->I, H, ia, ib, 0, H, err)) != DS_OK ||
                   (st = put_weight(e, r, &L->up, s->up, e->I, H, ia, ib, 0, H, err)) != DS_OK ||
                   (st = put_weight(e, r, &L->down, s->down, H, e->I, 0, H, ia, ib, err)) != DS_OK) {
            return st;
        }
    }
    return put_tables(e, r, err);
}

/* Random weights on the device (the benchmark model): uniform in +-sqrt(3 / K) like the tiny
 * checkpoints, norms in [0.8, 1.2], the router three times larger, embeddings in +-1. */
static ds_status fill_w(ds_cuda_engine *e, crank *r, cw *w, float scale, uint64_t seed, ds_err *err)
{
    (void)e;
    ds_status st;
    if (w->w.dtype == DS_K_AWQ4)
        st = ds_cuda_fill_random_awq(&w->w, w->N, w->K, scale, seed, r->s, err);
    else
        st = ds_cuda_fill_random_bf16((uint16_t *)w->w.d.data, (size_t)w->N * w->K, scale, seed, r->s, err);
    if (st == DS_OK)
        st = ds_cuda_copy_h2d(w->tab, &w->w.d, sizeof w->w.d, r->s, err);
    if (st == DS_OK)
        st = ds_cuda_stream_sync(r->s, err); /* the descriptor's host copy is on the stack */
    return st;
}

static ds_status random_rank(ds_cuda_engine *e, crank *r, uint64_t seed, ds_err *err)
{
    const int H = e->H, D = e->D;
    uint64_t sd = seed * 0x9e3779b97f4a7c15ull + 1;
    ds_status st;
    float inv[512], af;
    ds_rope_inv_freq(&e->cfg, inv, &af);
    if ((st = ds_cuda_fill_random_bf16(r->embed, (size_t)e->V * H, 1.0f, sd++, r->s, err)) != DS_OK ||
        (st = put_vec(e, r, r->inv_freq, inv, (size_t)D / 2, err)) != DS_OK ||
        (st = ds_cuda_fill_random_f32(r->final_norm, (size_t)H, 0.8f, 1.2f, sd++, r->s, err)) != DS_OK)
        return st;
    if (r->lm_tied) {
        r->lm_head.w.d.data = r->embed;
        r->lm_head.w.dtype = DS_K_BF16;
    } else if ((st = fill_w(e, r, &r->lm_head, sqrtf(3.0f / H), sd++, err)) != DS_OK) {
        return st;
    }
    for (int l = 0; l < e->L; l++) {
        clayer *L = &r->L[l];
        float *vs[4] = {L->attn_norm, L->post_norm, L->q_norm, L->k_norm};
        const size_t ns[4] = {(size_t)H, (size_t)H, (size_t)D, (size_t)D};
        for (int i = 0; i < 4; i++)
            if ((st = ds_cuda_fill_random_f32(vs[i], ns[i], 0.8f, 1.2f, sd++, r->s, err)) != DS_OK)
                return st;
        cw *ws[4] = {&L->q, &L->k, &L->v, &L->o};
        for (int i = 0; i < 4; i++)
            if ((st = fill_w(e, r, ws[i], sqrtf(3.0f / ws[i]->K), sd++, err)) != DS_OK)
                return st;
        if (L->moe) {
            if ((st = fill_w(e, r, &L->router, 3.0f * sqrtf(3.0f / H), sd++, err)) != DS_OK)
                return st;
            for (int x = 0; x < e->E; x++) {
                cw *es[3] = {&L->eg[x], &L->eu[x], &L->ed[x]};
                for (int i = 0; i < 3; i++)
                    if ((st = fill_w(e, r, es[i], sqrtf(3.0f / es[i]->K), sd++, err)) != DS_OK)
                        return st;
            }
        } else {
            cw *ds[3] = {&L->gate, &L->up, &L->down};
            for (int i = 0; i < 3; i++)
                if ((st = fill_w(e, r, ds[i], sqrtf(3.0f / ds[i]->K), sd++, err)) != DS_OK)
                    return st;
        }
    }
    if ((st = put_tables(e, r, err)) != DS_OK)
        return st;
    return ds_cuda_stream_sync(r->s, err);
}

/* ---- creation --------------------------------------------------------------------------------- */

static ds_status finish_create(ds_cuda_engine *e, const ds_model *m, uint64_t seed, ds_err *err)
{
    ds_status st;
    const int nd = ds_cuda_device_count();
    if (nd < e->tp)
        return ds_err_set(err, DS_ERR_NO_DEVICE, "cuda engine: %d devices asked, %d present", e->tp, nd);
    if ((st = ds_cuda_host_alloc(&e->stage, STAGE_BYTES, err)) != DS_OK ||
        (st = ds_cuda_host_alloc((void **)&e->h_i32, (size_t)(e->E + 16) * 4, err)) != DS_OK ||
        (st = ds_cuda_host_alloc((void **)&e->h_u64, 16, err)) != DS_OK)
        return st;
    e->page_bytes = ((size_t)e->L * 2 * e->hkv * e->D * e->PT * (e->exact ? 4 : 2) + 255) & ~(size_t)255;
    long pages = -1;
    for (int k = 0; k < e->tp; k++) {
        crank *r = &e->r[k];
        r->dev = k;
        if ((st = ds_cuda_set_device(k, err)) != DS_OK || (st = ds_cuda_kernels_init(err)) != DS_OK ||
            (st = ds_cuda_stream_create(&r->s, err)) != DS_OK || (st = plan_rank(e, r, m, k, err)) != DS_OK)
            return st;
        carve c = {NULL, 0, 1, 0};
        size_t wb = 0;
        layout(e, r, &c, &wb);
        e->weight_bytes = wb;
        /* the KV pool takes what is asked, or 90% of what is left */
        size_t fr = 0, tot = 0;
        if ((st = ds_cuda_mem_info(&fr, &tot, err)) != DS_OK)
            return st;
        long want;
        if (e->o.kv_tokens > 0) {
            want = (long)((e->o.kv_tokens + e->PT - 1) / e->PT);
        } else {
            const double avail = (double)fr * 0.9 - (double)c.need - (256.0 * 1024 * 1024);
            want = avail > 0 ? (long)(avail / (double)e->page_bytes) : 0;
        }
        if (want < 2)
            return ds_err_set(err, DS_ERR_NOMEM,
                              "cuda engine: device %d has %.2f GB free, the model needs %.2f GB before its "
                              "KV cache",
                              k, fr / 1e9, c.need / 1e9);
        if (want > (1L << 24))
            want = 1L << 24;
        if (pages < 0 || want < pages)
            pages = want;
        const size_t total = c.need + (size_t)pages * e->page_bytes + (size_t)pages * 4 + 4096;
        if ((st = ds_cuda_arena_create(&r->arena, total, err)) != DS_OK)
            return st;
        carve real = {&r->arena, 0, 0, 0};
        layout(e, r, &real, &wb);
        r->kv_pool = take(&real, (size_t)pages * e->page_bytes);
        r->pages = take(&real, (size_t)pages * 4);
        if (real.fail)
            return ds_err_set(err, DS_ERR_INTERNAL, "cuda engine: the device layout does not fit its arena");
        if ((st = ds_cuda_blas_create(&r->blas, r->s, r->blas_ws, BLAS_WS, err)) != DS_OK)
            return st;
        st = m ? upload_rank(e, r, m, k, err) : random_rank(e, r, seed, err); /* replicated parts equal */
        if (st != DS_OK)
            return st;
        if (e->o.log)
            DS_INFO(e->o.log, "cuda", "device %d: %.2f GB of weights, KV cache %ld pages of %d tokens (%.2f GB)", k,
                    wb / 1e9, pages, e->PT, (double)pages * e->page_bytes / 1e9);
    }
    e->n_pages = pages;
    e->free_pages = ds_malloc(sizeof(int32_t) * (size_t)pages);
    if (!e->free_pages)
        return ds_err_set(err, DS_ERR_NOMEM, "cuda engine: out of memory");
    for (long p = 0; p < pages; p++)
        e->free_pages[p] = (int32_t)(pages - 1 - p);
    e->n_free = pages;
    if (e->tp > 1) {
        int devs[MAX_TP];
        for (int k = 0; k < e->tp; k++)
            devs[k] = k;
        if ((st = ds_cuda_comm_create(&e->comm, devs, e->tp, err)) != DS_OK)
            return st;
    }
    if ((st = ds_cuda_set_device(0, err)) != DS_OK)
        return st;
    snprintf(e->desc, sizeof e->desc, "cuda x%d, %s%s", e->tp, e->exact ? "fp32 (exact)" : "bf16",
             e->awq_group > 0 || (m && m->awq.enabled) ? ", int4 AWQ weights" : "");
    return DS_OK;
}

ds_status ds_cuda_engine_create(ds_cuda_engine **out, const ds_model *m, const ds_cuda_engine_opts *o, ds_err *err)
{
    *out = NULL;
    ds_cuda_engine_opts def;
    if (!o) {
        ds_cuda_engine_opts_default(&def);
        o = &def;
    }
    ds_cuda_engine *e = ds_calloc(1, sizeof *e);
    if (!e)
        return ds_err_set(err, DS_ERR_NOMEM, "cuda engine: out of memory");
    ds_status st = setup_shapes(e, &m->cfg, o, m->awq.enabled ? m->awq.group_size : 0, err);
    if (st == DS_OK)
        st = finish_create(e, m, 0, err);
    if (st != DS_OK) {
        ds_cuda_engine_free(e);
        return st;
    }
    *out = e;
    return DS_OK;
}

ds_status ds_cuda_engine_create_random(ds_cuda_engine **out, const ds_model_config *cfg, int awq_group, uint64_t seed,
                                       const ds_cuda_engine_opts *o, ds_err *err)
{
    *out = NULL;
    ds_cuda_engine_opts def;
    if (!o) {
        ds_cuda_engine_opts_default(&def);
        o = &def;
    }
    if (awq_group > 0 &&
        (cfg->hidden_size % awq_group || (cfg->num_experts > 0 && cfg->moe_intermediate_size % awq_group)))
        return ds_err_set(err, DS_ERR_USAGE, "cuda engine: int4 group %d does not divide the layer sizes", awq_group);
    ds_cuda_engine *e = ds_calloc(1, sizeof *e);
    if (!e)
        return ds_err_set(err, DS_ERR_NOMEM, "cuda engine: out of memory");
    /* the layer flags need mlp_only_layers while planning: keep the caller's for now */
    ds_status st = setup_shapes(e, cfg, o, awq_group, err);
    if (st == DS_OK) {
        e->cfg.mlp_only_layers = cfg->mlp_only_layers;
        e->cfg.n_mlp_only_layers = cfg->n_mlp_only_layers;
        e->exact = 0; /* random weights are bf16 or int4 */
        st = finish_create(e, NULL, seed, err);
        e->cfg.mlp_only_layers = NULL;
        e->cfg.n_mlp_only_layers = 0;
    }
    if (st != DS_OK) {
        ds_cuda_engine_free(e);
        return st;
    }
    *out = e;
    return DS_OK;
}

void ds_cuda_engine_free(ds_cuda_engine *e)
{
    if (!e)
        return;
    ds_cuda_graph_free(e->graph);
    ds_cuda_comm_free(e->comm);
    for (int k = 0; k < MAX_TP; k++) {
        crank *r = &e->r[k];
        if (!r->s && !r->L && !r->arena.base)
            continue;
        ds_err err;
        ds_cuda_set_device(k, &err);
        ds_cuda_blas_free(r->blas);
        if (r->L) {
            for (int l = 0; l < e->L; l++) {
                ds_free(r->L[l].eg);
                ds_free(r->L[l].eu);
                ds_free(r->L[l].ed);
            }
            ds_free(r->L);
        }
        ds_cuda_arena_destroy(&r->arena);
        ds_cuda_stream_destroy(r->s);
    }
    ds_cuda_host_free(e->stage);
    ds_cuda_host_free(e->h_i32);
    ds_cuda_host_free(e->h_u64);
    ds_free(e->free_pages);
    ds_free(e);
}

const char *ds_cuda_engine_describe(const ds_cuda_engine *e)
{
    return e->desc;
}
size_t ds_cuda_engine_weight_bytes(const ds_cuda_engine *e)
{
    return e->weight_bytes;
}
long ds_cuda_engine_kv_capacity(const ds_cuda_engine *e)
{
    return e->n_pages * e->PT;
}
int ds_cuda_engine_graph_active(const ds_cuda_engine *e)
{
    return e->graph != NULL;
}

/* ---- sequences -------------------------------------------------------------------------------- */

ds_status ds_cuda_seq_create(ds_cuda_engine *e, ds_cuda_seq **out, ds_err *err)
{
    *out = ds_calloc(1, sizeof **out);
    if (!*out)
        return ds_err_set(err, DS_ERR_NOMEM, "cuda engine: out of memory for a sequence");
    (*out)->e = e;
    e->n_seqs++;
    return DS_OK;
}

void ds_cuda_seq_truncate(ds_cuda_seq *s, int n)
{
    if (n < 0)
        n = 0;
    if (n > s->n_tokens)
        n = s->n_tokens;
    ds_cuda_engine *e = s->e;
    const int keep = (n + e->PT - 1) / e->PT;
    while (s->n_pages > keep)
        e->free_pages[e->n_free++] = s->pages[--s->n_pages];
    s->n_tokens = n;
    if (e->pt_seq == s && e->pt_n > s->n_pages)
        e->pt_n = s->n_pages;
}

void ds_cuda_seq_free(ds_cuda_seq *s)
{
    if (!s)
        return;
    ds_cuda_seq_truncate(s, 0);
    if (s->e->pt_seq == s)
        s->e->pt_seq = NULL;
    s->e->n_seqs--;
    ds_free(s->pages);
    ds_free(s);
}

int ds_cuda_seq_len(const ds_cuda_seq *s)
{
    return s->n_tokens;
}

static ds_status seq_reserve(ds_cuda_engine *e, ds_cuda_seq *s, int n_total, ds_err *err)
{
    const int need = (n_total + e->PT - 1) / e->PT;
    if (need > s->cap) {
        int nc = s->cap ? s->cap : 64;
        while (nc < need)
            nc *= 2;
        int32_t *np = ds_realloc(s->pages, sizeof(int32_t) * (size_t)nc);
        if (!np)
            return ds_err_set(err, DS_ERR_NOMEM, "cuda engine: out of memory for a page table");
        s->pages = np;
        s->cap = nc;
    }
    while (s->n_pages < need) {
        if (e->n_free == 0)
            return ds_err_set(err, DS_ERR_NOMEM,
                              "cuda kv cache: all %ld pages (%ld tokens) are in use; position %d does not fit",
                              e->n_pages, e->n_pages * e->PT, n_total - 1);
        s->pages[s->n_pages++] = e->free_pages[--e->n_free];
    }
    return DS_OK;
}

/* The device page tables hold s's first n pages. */
static ds_status sync_pages(ds_cuda_engine *e, const ds_cuda_seq *s, ds_err *err)
{
    int from = e->pt_seq == s ? e->pt_n : 0;
    if (from > s->n_pages)
        from = 0;
    if (from == s->n_pages && e->pt_seq == s)
        return DS_OK;
    for (int k = 0; k < e->tp; k++) {
        crank *r = &e->r[k];
        ds_status st;
        if ((st = ds_cuda_set_device(r->dev, err)) != DS_OK ||
            (st = ds_cuda_copy_h2d(r->pages + from, s->pages + from, sizeof(int32_t) * (size_t)(s->n_pages - from),
                                   r->s, err)) != DS_OK)
            return st;
    }
    e->pt_seq = s;
    e->pt_n = s->n_pages;
    return DS_OK;
}

/* ---- the step ------------------------------------------------------------------------------------ */

/* y (T, N) (+)= x (T, K) . W^T. x is fp32 (exact) or bf16. gemv_ok: offT holds {0, T}. */
static ds_status linear(ds_cuda_engine *e, crank *r, float *y, const void *x, const cw *w, int T, int acc, int gemv_ok,
                        ds_err *err)
{
    if (e->exact)
        return ds_cuda_matmul_f32(y, x, &w->w, T, w->N, w->K, acc, r->s, err);
    if (w->w.dtype == DS_K_BF16)
        return ds_cuda_gemm_bf16(r->blas, y, x, w->w.d.data, 0, T, w->N, w->K, acc, err);
    if (w->w.dtype == DS_K_AWQ4) {
        if (gemv_ok && T <= SMALL_ROWS)
            return ds_cuda_grouped_gemv(y, x, 1, w->tab, DS_K_AWQ4, w->w.group, r->offT, NULL, 1, 1, w->N, w->K, acc,
                                        r->s, err);
        DS_TRY(ds_cuda_awq_dequant_bf16(r->wscratch, &w->w, w->N, w->K, r->s, err));
        return ds_cuda_gemm_bf16(r->blas, y, x, r->wscratch, 1, T, w->N, w->K, acc, err);
    }
    return ds_err_set(err, DS_ERR_INTERNAL, "cuda engine: weight of dtype %d in the fast path", (int)w->w.dtype);
}

static ds_cuda_kv kv_of(ds_cuda_engine *e, crank *r, int l)
{
    const size_t esz = e->exact ? 4 : 2, per = (size_t)e->hkv * e->D * e->PT * esz;
    ds_cuda_kv kv = {r->kv_pool, e->page_bytes, (size_t)l * 2 * per, (size_t)l * 2 * per + per, r->pages,
                     e->PT,      !e->exact};
    return kv;
}

static ds_status attn_part(ds_cuda_engine *e, crank *r, int l, int T, ds_err *err)
{
    clayer *L = &r->L[l];
    const int H = e->H, D = e->D;
    cudaStream_t s = r->s;
    const void *in = e->exact ? (const void *)r->xn_f : (const void *)r->xn_b;
    DS_TRY(ds_cuda_rmsnorm(e->exact ? (void *)r->xn_f : (void *)r->xn_b, !e->exact, r->x, L->attn_norm, T, H, e->eps, s,
                           err));
    DS_TRY(linear(e, r, r->q, in, &L->q, T, 0, 1, err));
    DS_TRY(linear(e, r, r->k, in, &L->k, T, 0, 1, err));
    DS_TRY(linear(e, r, r->v, in, &L->v, T, 0, 1, err));
    DS_TRY(ds_cuda_rmsnorm(r->q, 0, r->q, L->q_norm, T * e->hq, D, e->eps, s, err));
    DS_TRY(ds_cuda_rmsnorm(r->k, 0, r->k, L->k_norm, T * e->hkv, D, e->eps, s, err));
    DS_TRY(ds_cuda_rope(r->q, r->cs, r->sn, T, e->hq, D, s, err));
    DS_TRY(ds_cuda_rope(r->k, r->cs, r->sn, T, e->hkv, D, s, err));
    ds_cuda_kv kv = kv_of(e, r, l);
    DS_TRY(ds_cuda_kv_write(&kv, r->k, r->v, 0, r->pos0, T, e->hkv, D, s, err));
    const int splits = T == 1 && !e->exact ? e->splits : 1;
    void *att = e->exact ? (void *)r->att : (void *)r->att_b;
    DS_TRY(ds_cuda_attention(att, !e->exact, r->q, &kv, 0, r->pos0, T, e->hq, e->hkv, D, e->scale, splits, r->att_ws, s,
                             err));
    return linear(e, r, r->mo, att, &L->o, T, 0, 1, err);
}

/* Expert products through cuBLAS (or the exact matmul), one per expert, group sizes from the
 * host. */
static ds_status experts_big(ds_cuda_engine *e, crank *r, clayer *L, int T, ds_err *err)
{
    const int E = e->E, H = e->H, f = e->f, rows = T * e->topk;
    const size_t xes = e->exact ? 4 : 2;
    DS_TRY(ds_cuda_copy_d2h(e->h_i32, r->off, sizeof(int32_t) * (size_t)(E + 1), r->s, err));
    DS_TRY(ds_cuda_stream_sync(r->s, err));
    int32_t off[1025];
    memcpy(off, e->h_i32, sizeof(int32_t) * (size_t)(E + 1));
    for (int x = 0; x < E; x++) {
        const int c = off[x + 1] - off[x];
        if (!c)
            continue;
        const char *xg = (const char *)r->xg + (size_t)off[x] * H * xes;
        DS_TRY(linear(e, r, r->hg + (size_t)off[x] * f, xg, &L->eg[x], c, 0, 0, err));
        DS_TRY(linear(e, r, r->hu + (size_t)off[x] * f, xg, &L->eu[x], c, 0, 0, err));
    }
    void *h = e->exact ? (void *)r->hg : (void *)r->hb;
    DS_TRY(ds_cuda_silu_mul(h, !e->exact, r->hg, r->hu, (size_t)rows * f, r->s, err));
    for (int x = 0; x < E; x++) {
        const int c = off[x + 1] - off[x];
        if (!c)
            continue;
        const char *hx = (const char *)h + (size_t)off[x] * f * xes;
        DS_TRY(linear(e, r, r->dn + (size_t)off[x] * H, hx, &L->ed[x], c, 0, 0, err));
    }
    return DS_OK;
}

static ds_status mlp_part(ds_cuda_engine *e, crank *r, int l, int T, ds_err *err)
{
    clayer *L = &r->L[l];
    const int H = e->H;
    cudaStream_t s = r->s;
    DS_TRY(ds_cuda_rmsnorm(r->xn_f, 0, r->x, L->post_norm, T, H, e->eps, s, err));
    if (!e->exact)
        DS_TRY(ds_cuda_to_bf16(r->xn_b, r->xn_f, (size_t)T * H, s, err));
    const void *in = e->exact ? (const void *)r->xn_f : (const void *)r->xn_b;
    if (!L->moe) {
        DS_TRY(linear(e, r, r->dg, in, &L->gate, T, 0, 1, err));
        DS_TRY(linear(e, r, r->du, in, &L->up, T, 0, 1, err));
        void *h = e->exact ? (void *)r->dg : (void *)r->db;
        DS_TRY(ds_cuda_silu_mul(h, !e->exact, r->dg, r->du, (size_t)T * e->i, s, err));
        return linear(e, r, r->mo, h, &L->down, T, 0, 1, err);
    }
    const int E = e->E, k = e->topk, rows = T * k;
    DS_TRY(linear(e, r, r->router, in, &L->router, T, 0, 1, err));
    DS_TRY(ds_cuda_moe_route(r->topi, r->topw, r->router, T, E, k, L->exp_t, e->norm_topk, s, err));
    DS_TRY(ds_cuda_moe_permute(r->cnt, r->off, r->active, r->row_tok, r->row_w, r->pair_row, r->topi, r->topw, T, k, E,
                               s, err));
    DS_TRY(ds_cuda_moe_gather(r->xg, !e->exact, r->xn_f, r->row_tok, rows, H, s, err));
    const ds_k_dtype dt = L->eg[0].w.dtype;
    if (!e->exact && rows <= e->small_pairs) {
        /* at most rows experts have rows: blocks for those only */
        DS_TRY(ds_cuda_grouped_gateup(r->hb, 1, r->xg, 1, L->tg, L->tu, dt, L->eg[0].w.group, r->off, r->active, rows,
                                      E, e->f, H, s, err));
        DS_TRY(ds_cuda_grouped_gemv(r->dn, r->hb, 1, L->td, dt, L->ed[0].w.group, r->off, r->active, rows, E, H, e->f,
                                    0, s, err));
    } else {
        DS_TRY(experts_big(e, r, L, T, err));
    }
    return ds_cuda_moe_combine(r->mo, r->dn, r->pair_row, r->topi, r->row_w, T, k, H, 0, s, err);
}

static ds_status allreduce_mo(ds_cuda_engine *e, int T, ds_err *err)
{
    if (e->tp == 1)
        return DS_OK;
    float *bufs[MAX_TP];
    cudaStream_t ss[MAX_TP];
    for (int k = 0; k < e->tp; k++) {
        bufs[k] = e->r[k].mo;
        ss[k] = e->r[k].s;
    }
    return ds_cuda_allreduce_sum(e->comm, bufs, (size_t)T * e->H, ss, err);
}

static ds_status set_dev(ds_cuda_engine *e, crank *r, ds_err *err)
{
    return e->tp > 1 ? ds_cuda_set_device(r->dev, err) : DS_OK;
}

/* Everything from the tokens in r->tok (and the position in r->pos0) to the residual stream
 * after the last layer, on every rank. */
static ds_status body(ds_cuda_engine *e, int T, ds_err *err)
{
    for (int k = 0; k < e->tp; k++) {
        crank *r = &e->r[k];
        DS_TRY(set_dev(e, r, err));
        DS_TRY(ds_cuda_embed(r->x, r->embed, r->embed_dt, r->tok, T, e->H, r->s, err));
        DS_TRY(ds_cuda_rope_table(r->cs, r->sn, r->inv_freq, e->attn_factor, NULL, r->pos0, T, e->D / 2, r->s, err));
    }
    for (int l = 0; l < e->L; l++) {
        for (int k = 0; k < e->tp; k++) {
            DS_TRY(set_dev(e, &e->r[k], err));
            DS_TRY(attn_part(e, &e->r[k], l, T, err));
        }
        DS_TRY(allreduce_mo(e, T, err));
        for (int k = 0; k < e->tp; k++) {
            crank *r = &e->r[k];
            DS_TRY(set_dev(e, r, err));
            DS_TRY(ds_cuda_add(r->x, r->mo, (size_t)T * e->H, r->s, err));
            DS_TRY(mlp_part(e, r, l, T, err));
        }
        DS_TRY(allreduce_mo(e, T, err));
        for (int k = 0; k < e->tp; k++) {
            crank *r = &e->r[k];
            DS_TRY(set_dev(e, r, err));
            DS_TRY(ds_cuda_add(r->x, r->mo, (size_t)T * e->H, r->s, err));
        }
    }
    return DS_OK;
}

/* Logits of rows [r0, r0 + n) of the step into the rank-0 logits buffer (n <= LOGIT_ROWS). */
static ds_status head(ds_cuda_engine *e, int r0, int n, ds_err *err)
{
    crank *r = &e->r[0];
    DS_TRY(set_dev(e, r, err));
    const int H = e->H;
    void *xn = e->exact ? (void *)r->xn_f : (void *)r->xn_b;
    DS_TRY(ds_cuda_rmsnorm(xn, !e->exact, r->x + (size_t)r0 * H, r->final_norm, n, H, e->eps, r->s, err));
    return linear(e, r, r->logits, xn, &r->lm_head, n, 0, 0, err);
}

/* Per-step inputs on every rank: tokens (host), position, the {0, T} pair. */
static ds_status put_inputs(ds_cuda_engine *e, const int32_t *tok, int T, int pos0, ds_err *err)
{
    e->h_i32[0] = pos0;
    e->h_i32[1] = 0;
    e->h_i32[2] = T;
    for (int k = 0; k < e->tp; k++) {
        crank *r = &e->r[k];
        DS_TRY(set_dev(e, r, err));
        if (tok)
            DS_TRY(ds_cuda_copy_h2d(r->tok, tok, sizeof(int32_t) * (size_t)T, r->s, err));
        DS_TRY(ds_cuda_copy_h2d(r->pos0, e->h_i32, 4, r->s, err));
        DS_TRY(ds_cuda_copy_h2d(r->offT, e->h_i32 + 1, 8, r->s, err));
        DS_TRY(ds_cuda_stream_sync(r->s, err)); /* the pinned staging is rewritten next step */
    }
    return DS_OK;
}

ds_status ds_cuda_engine_forward(ds_cuda_engine *e, ds_cuda_seq *s, const int32_t *tokens, int n, ds_model_logits want,
                                 float *logits, ds_err *err)
{
    for (int t = 0; t < n; t++)
        if (tokens[t] < 0 || tokens[t] >= e->V)
            return ds_err_set(err, DS_ERR_USAGE, "cuda engine: token %d is %d, outside the vocabulary of %d", t,
                              tokens[t], e->V);
    for (int done = 0; done < n;) {
        const int T = n - done < e->S ? n - done : e->S, pos0 = s->n_tokens;
        DS_TRY(seq_reserve(e, s, pos0 + T, err));
        DS_TRY(sync_pages(e, s, err));
        DS_TRY(put_inputs(e, tokens + done, T, pos0, err));
        DS_TRY(body(e, T, err));
        int r0 = 0, nr = 0;
        float *dst = NULL;
        if (want == DS_MODEL_LOGITS_ALL) {
            r0 = 0;
            nr = T;
            dst = logits + (size_t)done * e->V;
        } else if (want == DS_MODEL_LOGITS_LAST && done + T == n) {
            r0 = T - 1;
            nr = 1;
            dst = logits;
        }
        const int chunk = e->S < LOGIT_ROWS ? e->S : LOGIT_ROWS;
        for (int a = 0; a < nr; a += chunk) {
            const int c = nr - a < chunk ? nr - a : chunk;
            DS_TRY(head(e, r0 + a, c, err));
            DS_TRY(ds_cuda_copy_d2h(dst + (size_t)a * e->V, e->r[0].logits, sizeof(float) * (size_t)c * e->V, e->r[0].s,
                                    err));
        }
        for (int k = 0; k < e->tp; k++) {
            DS_TRY(set_dev(e, &e->r[k], err));
            DS_TRY(ds_cuda_stream_sync(e->r[k].s, err));
        }
        s->n_tokens = pos0 + T;
        done += T;
    }
    return DS_OK;
}

/* ---- generation ---------------------------------------------------------------------------------- */

/* After body(T) with its last row at row T - 1: logits of that row, the mask, and the choice
 * written to tok[0] (the next step's input). */
static ds_status choose(ds_cuda_engine *e, int T, const ds_cuda_sampling *smp, ds_err *err)
{
    crank *r = &e->r[0];
    DS_TRY(head(e, T - 1, 1, err));
    if (e->mask_on)
        DS_TRY(ds_cuda_mask_logits(r->logits, r->mask, 1, e->V, r->s, err));
    if (smp->temperature > 0.0f)
        return ds_cuda_sample(r->tok, r->logits, 1, e->V, smp->temperature, smp->top_p, smp->seed, 0, r->ctr, r->s,
                              err);
    return ds_cuda_argmax(r->tok, r->logits, 1, e->V, r->s, err);
}

/* tok[0] of rank 0 to every other rank (tp > 1: the next step's input). */
static ds_status spread_token(ds_cuda_engine *e, int32_t *host_tok, ds_err *err)
{
    DS_TRY(ds_cuda_copy_d2h(host_tok, e->r[0].tok, 4, e->r[0].s, err));
    DS_TRY(ds_cuda_stream_sync(e->r[0].s, err));
    for (int k = 1; k < e->tp; k++) {
        DS_TRY(set_dev(e, &e->r[k], err));
        DS_TRY(ds_cuda_copy_h2d(e->r[k].tok, host_tok, 4, e->r[k].s, err));
        DS_TRY(ds_cuda_stream_sync(e->r[k].s, err));
    }
    return set_dev(e, &e->r[0], err);
}

static ds_status decode_step(ds_cuda_engine *e, ds_cuda_seq *s, const ds_cuda_sampling *smp, int32_t *next, ds_err *err)
{
    const int pos0 = s->n_tokens;
    DS_TRY(seq_reserve(e, s, pos0 + 1, err));
    DS_TRY(sync_pages(e, s, err));
    DS_TRY(put_inputs(e, NULL, 1, pos0, err)); /* tok[0] already holds the token */
    e->h_u64[0] = (uint64_t)pos0;              /* the sampling counter: the position drawn at */
    DS_TRY(ds_cuda_copy_h2d(e->r[0].ctr, e->h_u64, 8, e->r[0].s, err));
    int graphs = e->o.graphs && e->tp == 1 && !e->exact;
    if (graphs) {
        if (e->graph && (e->g_temp != smp->temperature || e->g_top_p != smp->top_p || e->g_seed != smp->seed ||
                         e->g_mask != e->mask_on)) {
            ds_cuda_graph_free(e->graph);
            e->graph = NULL;
        }
        if (!e->graph) {
            /* capture one step; nothing runs while capturing. A capture that fails (an op that
             * cannot be captured) leaves the state as it was: decoding goes on without graphs. */
            crank *r = &e->r[0];
            ds_err cerr;
            ds_status st = ds_cuda_capture_begin(r->s, &cerr);
            if (st == DS_OK) {
                st = body(e, 1, &cerr);
                if (st == DS_OK)
                    st = choose(e, 1, smp, &cerr);
                ds_err err2;
                ds_status st2 = ds_cuda_capture_end(r->s, &e->graph, st == DS_OK ? &cerr : &err2);
                if (st == DS_OK)
                    st = st2;
            }
            if (st != DS_OK) {
                ds_cuda_graph_free(e->graph);
                e->graph = NULL;
                e->o.graphs = 0;
                graphs = 0;
                ds_log_write(e->o.log, DS_LOG_LEVEL_WARN, "cuda",
                             "decode graph capture failed (%s); decoding without graphs", cerr.msg);
            } else {
                e->g_temp = smp->temperature;
                e->g_top_p = smp->top_p;
                e->g_seed = smp->seed;
                e->g_mask = e->mask_on;
            }
        }
    }
    if (graphs) {
        DS_TRY(ds_cuda_graph_launch(e->graph, e->r[0].s, err));
    } else {
        DS_TRY(body(e, 1, err));
        DS_TRY(choose(e, 1, smp, err));
    }
    DS_TRY(spread_token(e, next, err));
    s->n_tokens = pos0 + 1;
    return DS_OK;
}

ds_status ds_cuda_engine_generate(ds_cuda_engine *e, ds_cuda_seq *s, const int32_t *prompt, int n_prompt, int max_new,
                                  const ds_cuda_sampling *smp, int32_t *out, int *n_out, double *prefill_s,
                                  double *decode_s, ds_err *err)
{
    *n_out = 0;
    if (n_prompt <= 0)
        return ds_err_set(err, DS_ERR_USAGE, "cuda engine: empty prompt");
    ds_cuda_sampling greedy = {0.0f, 1.0f, 0, 1};
    if (!smp)
        smp = &greedy;
    double t0 = ds_now_s();
    /* all but the last prompt token, then the last one with the choice of the first token */
    if (n_prompt > 1)
        DS_TRY(ds_cuda_engine_forward(e, s, prompt, n_prompt - 1, DS_MODEL_LOGITS_NONE, NULL, err));
    const int pos0 = s->n_tokens;
    DS_TRY(seq_reserve(e, s, pos0 + 1, err));
    DS_TRY(sync_pages(e, s, err));
    DS_TRY(put_inputs(e, prompt + n_prompt - 1, 1, pos0, err));
    e->h_u64[0] = (uint64_t)pos0;
    DS_TRY(ds_cuda_copy_h2d(e->r[0].ctr, e->h_u64, 8, e->r[0].s, err));
    DS_TRY(body(e, 1, err));
    DS_TRY(choose(e, 1, smp, err));
    int32_t tok;
    DS_TRY(spread_token(e, &tok, err));
    s->n_tokens = pos0 + 1;
    double t1 = ds_now_s();
    if (prefill_s)
        *prefill_s = t1 - t0;
    ds_status st = DS_OK;
    for (int i = 0; i < max_new; i++) {
        out[(*n_out)++] = tok;
        int stop = 0;
        for (int k = 0; smp->stop_at_eos && k < e->cfg.n_eos; k++)
            stop |= tok == e->cfg.eos_token_ids[k];
        if (stop || i + 1 == max_new)
            break;
        if ((st = decode_step(e, s, smp, &tok, err)) != DS_OK)
            break;
    }
    if (decode_s)
        *decode_s = ds_now_s() - t1;
    return st;
}

ds_status ds_cuda_engine_set_mask(ds_cuda_engine *e, const uint32_t *allow, ds_err *err)
{
    if (!allow) {
        e->mask_on = 0;
        return DS_OK;
    }
    crank *r = &e->r[0];
    DS_TRY(set_dev(e, r, err));
    DS_TRY(ds_cuda_copy_h2d(r->mask, allow, ((size_t)e->V + 31) / 32 * 4, r->s, err));
    DS_TRY(ds_cuda_stream_sync(r->s, err));
    e->mask_on = 1;
    return DS_OK;
}

ds_status ds_cuda_engine_bench_moe(ds_cuda_engine *e, int T, int reps, double *ms, ds_err *err)
{
    if (T < 1 || T > e->S || reps < 1)
        return ds_err_set(err, DS_ERR_USAGE, "cuda bench: %d rows (segment %d), %d repetitions", T, e->S, reps);
    crank *r = &e->r[0];
    DS_TRY(set_dev(e, r, err));
    DS_TRY(ds_cuda_fill_random_f32(r->x, (size_t)T * e->H, -1.0f, 1.0f, 12345, r->s, err));
    DS_TRY(put_inputs(e, NULL, T, 0, err));
    ds_cuda_timer *tm = NULL;
    DS_TRY(ds_cuda_timer_create(&tm, err));
    ds_status st = mlp_part(e, r, 0, T, err); /* warm-up */
    double total = 0;
    if (st == DS_OK)
        st = ds_cuda_stream_sync(r->s, err);
    if (st == DS_OK)
        st = ds_cuda_timer_start(tm, r->s, err);
    for (int i = 0; i < reps && st == DS_OK; i++)
        st = mlp_part(e, r, 0, T, err);
    if (st == DS_OK)
        st = ds_cuda_timer_stop(tm, r->s, &total, err);
    ds_cuda_timer_free(tm);
    *ms = total / reps;
    return st;
}
