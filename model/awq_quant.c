/* awq_quant.c - `dossier model quantize`: an AutoAWQ-format int4 checkpoint from a float one
 * (awq.h, ds_awq_quantize).
 *
 * Method. Every linear layer of the decoder (q/k/v/o, the dense MLP's gate/up/down, every
 * expert's gate/up/down) becomes int4 in groups of G inputs: per output n and group g, the
 * asymmetric round-to-nearest scale (max - min) / 15 (stored in fp16, and used in fp16 for the
 * rounding too) and zero point round(-min / scale), the range widened to hold 0 (so the zero
 * point never clips, unlike AutoAWQ's on one-sided groups). Embeddings, lm_head, norms and the MoE
 * router stay in their float dtype.
 * With calibration tokens the model first runs on them (CPU backend) and an activation hook
 * (forward.c) collects, per input channel, the mean |x| and a sample of rows at each linear's
 * input. Then, as AWQ does, per scale group (the q/k/v inputs behind input_layernorm; the
 * gate/up inputs of the MLP or of all experts behind post_attention_layernorm, with the router;
 * each down_proj behind its up_proj) the exponent a in {0, 0.1, .., 1} of the scales
 * s = mean|x|^a (normalised by sqrt(max s * min s)) is chosen that minimises
 * || X (Q(W diag s) diag(1/s) - W)^T ||^2 over the sampled rows X; s is folded into the
 * preceding op (norm weights / s, router columns * s, up_proj rows / s) so the model computes
 * the same function before rounding. a = 0 is plain round to nearest, so the search never does
 * worse than it on the samples. o_proj has no fold target under grouped-query attention (as in
 * AutoAWQ) and stays round to nearest. For MoE blocks the gate/up error is measured on the
 * eight most used experts. The search is estimated from a timed matmul first; when it does not
 * fit the time budget, expert down_proj searches are dropped first, then the MoE gate/up ones,
 * then all (round to nearest); the report says what was done.
 * Owns: everything it allocates, freed before returning. Threading: one call at a time per
 * process is not required; the work runs on the loaded model's thread pool.
 */
#include "model/awq.h"
#include "model/model_internal.h"
#include "model/st_writer.h"

#include "pipeline/core/alloc.h"
#include "pipeline/core/buf.h"
#include "pipeline/core/clock.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define N_ALPHA 11
#define ROWS_CAP 128       /* sampled rows per site */
#define EXPERT_ROWS_CAP 64 /* sampled rows per expert */
#define MOE_SEARCH_EXPERTS 8
#define CALIB_MAX_TOKENS 4096

/* ---- rounding ------------------------------------------------------------------------------- */

void ds_awq_quant_group(const float *w, int n, int stride, uint8_t *q, int q_stride, uint16_t *scale, uint8_t *zero)
{
    float mn = w[0], mx = w[0];
    for (int i = 1; i < n; i++) {
        float v = w[(size_t)i * stride];
        mn = v < mn ? v : mn;
        mx = v > mx ? v : mx;
    }
    /* the range always holds 0, so the zero point is in [0, 15] and one-sided groups are not
     * clipped */
    mn = mn < 0.0f ? mn : 0.0f;
    mx = mx > 0.0f ? mx : 0.0f;
    float s = (mx - mn) / 15.0f;
    if (!(s >= 1e-5f))
        s = 1e-5f;
    const uint16_t s16 = ds_k_f32_to_f16(s);
    s = ds_k_f16_to_f32(s16);
    float z = rintf(-mn / s);
    z = z < 0 ? 0 : z > 15 ? 15 : z;
    for (int i = 0; i < n; i++) {
        float v = rintf(w[(size_t)i * stride] / s) + z;
        v = v < 0 ? 0 : v > 15 ? 15 : v;
        q[(size_t)i * q_stride] = (uint8_t)v;
    }
    *scale = s16;
    *zero = (uint8_t)z;
}

/* Quantises and dequantises row w (K) in place, groups of G along k. */
static void qdq_row(float *w, int K, int G)
{
    uint8_t q[4096];
    for (int g = 0; g < K; g += G) {
        uint16_t s16;
        uint8_t z;
        ds_awq_quant_group(w + g, G, 1, q, 1, &s16, &z);
        const float s = ds_k_f16_to_f32(s16);
        for (int i = 0; i < G; i++)
            w[g + i] = (float)((int)q[i] - (int)z) * s;
    }
}

/* ---- calibration statistics ------------------------------------------------------------------ */

typedef struct site {
    int cols, cap;
    double *absum;
    long rows;
    float *samp; /* (cap, cols) */
    int n_samp;
    uint64_t rng;
} site;

typedef struct calib {
    int L, E, H, F, I;
    site *attn, *mlp; /* per layer */
    site *mid;        /* per layer: E experts (MoE) or 1 (dense) */
    ds_status st;
} calib;

static ds_status site_init(site *s, int cols, int cap, uint64_t seed)
{
    s->cols = cols;
    s->cap = cap;
    s->rng = seed * 0x9e3779b97f4a7c15ull + 1;
    s->absum = ds_calloc((size_t)cols, sizeof(double));
    s->samp = ds_malloc((size_t)cap * cols * sizeof(float));
    return s->absum && s->samp ? DS_OK : DS_ERR_NOMEM;
}

static void site_free(site *s)
{
    ds_free(s->absum);
    ds_free(s->samp);
}

static void site_add(site *s, const float *x, int rows, int cols)
{
    if (cols != s->cols)
        return;
    for (int r = 0; r < rows; r++) {
        const float *xr = x + (size_t)r * cols;
        for (int c = 0; c < cols; c++)
            s->absum[c] += fabsf(xr[c]);
        s->rows++;
        long slot = s->n_samp < s->cap ? s->n_samp++ : (long)(ds_splitmix64(&s->rng) % (uint64_t)s->rows);
        if (slot < s->cap)
            memcpy(s->samp + (size_t)slot * cols, xr, (size_t)cols * sizeof(float));
    }
}

static void act_hook(void *ud, int layer, int where, int expert, const float *x, int rows, int cols)
{
    calib *c = ud;
    if (layer < 0 || layer >= c->L)
        return;
    switch (where) {
    case DS_ACT_ATTN_IN: site_add(&c->attn[layer], x, rows, cols); break;
    case DS_ACT_MLP_IN: site_add(&c->mlp[layer], x, rows, cols); break;
    case DS_ACT_EXPERT_MID:
        if (expert >= 0 && expert < c->E)
            site_add(&c->mid[(size_t)layer * c->E + expert], x, rows, cols);
        break;
    case DS_ACT_DENSE_MID: site_add(&c->mid[(size_t)layer * c->E], x, rows, cols); break;
    default: break;
    }
}

static void calib_free(calib *c)
{
    for (int l = 0; c->attn && l < c->L; l++) {
        site_free(&c->attn[l]);
        site_free(&c->mlp[l]);
    }
    for (long i = 0; c->mid && i < (long)c->L * c->E; i++)
        site_free(&c->mid[i]);
    ds_free(c->attn);
    ds_free(c->mlp);
    ds_free(c->mid);
}

static ds_status calib_init(calib *c, const ds_model *m)
{
    const ds_model_config *cf = &m->cfg;
    memset(c, 0, sizeof *c);
    c->L = cf->num_layers;
    c->E = cf->num_experts > 0 ? cf->num_experts : 1;
    c->H = cf->hidden_size;
    c->attn = ds_calloc((size_t)c->L, sizeof(site));
    c->mlp = ds_calloc((size_t)c->L, sizeof(site));
    c->mid = ds_calloc((size_t)c->L * c->E, sizeof(site));
    if (!c->attn || !c->mlp || !c->mid)
        return DS_ERR_NOMEM;
    for (int l = 0; l < c->L; l++) {
        if (site_init(&c->attn[l], c->H, ROWS_CAP, 3 * (uint64_t)l) ||
            site_init(&c->mlp[l], c->H, ROWS_CAP, 3 * (uint64_t)l + 1))
            return DS_ERR_NOMEM;
        if (m->layers[l].moe) {
            for (int e = 0; e < c->E; e++)
                if (site_init(&c->mid[(size_t)l * c->E + e], cf->moe_intermediate_size, EXPERT_ROWS_CAP,
                              1000003u * (uint64_t)l + e))
                    return DS_ERR_NOMEM;
        } else if (site_init(&c->mid[(size_t)l * c->E], cf->intermediate_size, ROWS_CAP, 1000003u * (uint64_t)l)) {
            return DS_ERR_NOMEM;
        }
    }
    return DS_OK;
}

/* ---- linear layers and their scales ------------------------------------------------------ */

/* Slots of a layer's linear layers: q k v o, dense gate up down, then experts' gate up down. */
enum { LQ, LK, LV, LO, LGATE, LUP, LDOWN, LEXP };

typedef struct lin {
    int used;
    ds_k_weight w; /* the source weight (float) */
    int N, K;
    const float *col_s; /* K: input scales (borrowed from a group), or NULL */
    const float *row_s; /* N: output scales (divide), or NULL */
} lin;

typedef struct quant {
    ds_model *m;
    const ds_awq_quant_opts *o;
    int G, LPL;
    lin *lins;               /* L * LPL */
    float **attn_s, **mlp_s; /* per layer, H or NULL */
    float **down_s;          /* per layer * E: F / I or NULL */
    /* cache of the linear being written */
    int cached;
    int32_t *qw, *qz;
    uint16_t *sc;
    /* output tensors and where their bytes come from */
    ds_st_out *out;
    int *kind, *ref; /* per output: what to write, and the source tensor or linear index */
    const ds_st_tensor **src;
    size_t n_out;
} quant;

enum { OUT_COPY, OUT_QWEIGHT, OUT_QZEROS, OUT_SCALES, OUT_NORM_ATTN, OUT_NORM_MLP, OUT_ROUTER };

static lin *lin_at(quant *q, int l, int slot)
{
    return &q->lins[(size_t)l * q->LPL + slot];
}

/* W_final (N, K) in fp32: the source weight with its input and output scales applied. */
typedef struct widen_task {
    const lin *ln;
    float *dst;
    int rows_per;
} widen_task;

static void widen_rows(void *arg, int task, int thread)
{
    (void)thread;
    const widen_task *t = arg;
    const lin *ln = t->ln;
    const int K = ln->K;
    int r0 = task * t->rows_per, r1 = r0 + t->rows_per < ln->N ? r0 + t->rows_per : ln->N;
    for (int n = r0; n < r1; n++) {
        float *d = t->dst + (size_t)n * K;
        const size_t base = (size_t)n * K;
        const uint16_t *h = ln->w.data;
        for (int k = 0; k < K; k++) {
            float v = ln->w.dtype == DS_K_BF16  ? ds_k_bf16_to_f32(h[base + k])
                      : ln->w.dtype == DS_K_F16 ? ds_k_f16_to_f32(h[base + k])
                                                : ((const float *)ln->w.data)[base + k];
            if (ln->col_s)
                v *= ln->col_s[k];
            if (ln->row_s)
                v /= ln->row_s[n];
            d[k] = v;
        }
    }
}

static void widen_lin(ds_kctx *kc, const lin *ln, float *dst)
{
    widen_task t = {ln, dst, 16};
    ds_kctx_parallel(kc, widen_rows, &t, (ln->N + 15) / 16);
}

/* ---- the scale search ------------------------------------------------------------------------ */

typedef struct qdq_task {
    float *w;          /* (N, K) */
    const float *wref; /* (N, K) reference, or NULL */
    const float *s;    /* K or NULL */
    int N, K, G;
} qdq_task;

/* Row n: w = Q(w * s) / s - wref. */
static void qdq_rows(void *arg, int task, int thread)
{
    (void)thread;
    const qdq_task *t = arg;
    int r0 = task * 8, r1 = r0 + 8 < t->N ? r0 + 8 : t->N;
    for (int n = r0; n < r1; n++) {
        float *w = t->w + (size_t)n * t->K;
        if (t->s)
            for (int k = 0; k < t->K; k++)
                w[k] *= t->s[k];
        qdq_row(w, t->K, t->G);
        if (t->s)
            for (int k = 0; k < t->K; k++)
                w[k] /= t->s[k];
        if (t->wref)
            for (int k = 0; k < t->K; k++)
                w[k] -= t->wref[(size_t)n * t->K + k];
    }
}

/* Output error of quantising the linears with input scales s (NULL: none) on rows X (R, K). */
static ds_status group_error(quant *q, lin *const *ls, int nl, const float *X, int R, const float *s, double *out_err)
{
    ds_kctx *kc = ds_model_kctx(q->m);
    double err = 0;
    for (int i = 0; i < nl; i++) {
        const lin *ln = ls[i];
        const size_t nk = (size_t)ln->N * ln->K;
        float *wref = ds_malloc(nk * sizeof(float)), *d = ds_malloc(nk * sizeof(float));
        float *y = ds_malloc((size_t)R * ln->N * sizeof(float));
        if (!wref || !d || !y) {
            ds_free(wref);
            ds_free(d);
            ds_free(y);
            return DS_ERR_NOMEM;
        }
        widen_lin(kc, ln, wref);
        memcpy(d, wref, nk * sizeof(float));
        qdq_task t = {d, wref, s, ln->N, ln->K, q->G};
        ds_kctx_parallel(kc, qdq_rows, &t, (ln->N + 7) / 8);
        ds_k_matmul(kc, y, X, (ds_k_weight){d, DS_K_F32}, R, ln->N, ln->K, 0);
        for (size_t j = 0; j < (size_t)R * ln->N; j++)
            err += (double)y[j] * y[j];
        ds_free(wref);
        ds_free(d);
        ds_free(y);
    }
    *out_err = err;
    return DS_OK;
}

/* Chooses the exponent for one scale group; *scales_out: a fresh K-vector (NULL when a = 0 wins,
 * that is plain round to nearest). */
static ds_status search_group(quant *q, lin *const *ls, int nl, const site *st, float **scales_out, double *alpha_out)
{
    *scales_out = NULL;
    *alpha_out = 0;
    const int K = st->cols, R = st->n_samp;
    if (R == 0 || st->rows == 0)
        return DS_OK;
    float *s = ds_malloc((size_t)K * sizeof(float)), *best = ds_malloc((size_t)K * sizeof(float));
    if (!s || !best) {
        ds_free(s);
        ds_free(best);
        return DS_ERR_NOMEM;
    }
    double best_err = INFINITY, best_a = 0;
    ds_status stt = DS_OK;
    for (int ai = 0; ai < N_ALPHA && stt == DS_OK; ai++) {
        const double a = ai / (double)(N_ALPHA - 1);
        double mx = 0, mn = INFINITY;
        for (int k = 0; k < K; k++) {
            double v = pow(st->absum[k] / (double)st->rows, a);
            if (v < 1e-4)
                v = 1e-4;
            s[k] = (float)v;
            mx = v > mx ? v : mx;
            mn = v < mn ? v : mn;
        }
        const double norm = sqrt(mx * mn);
        for (int k = 0; k < K; k++)
            s[k] = (float)(s[k] / norm);
        double e;
        stt = group_error(q, ls, nl, st->samp, R, ai == 0 ? NULL : s, &e);
        if (stt == DS_OK && e < best_err) {
            best_err = e;
            best_a = a;
            memcpy(best, s, (size_t)K * sizeof(float));
        }
    }
    ds_free(s);
    if (stt != DS_OK || best_a == 0) {
        ds_free(best);
        return stt;
    }
    *scales_out = best;
    *alpha_out = best_a;
    return DS_OK;
}

/* Estimated multiply-adds of one group's search. */
static double group_flops(lin *const *ls, int nl, int R)
{
    double f = 0;
    for (int i = 0; i < nl; i++)
        f += (double)ls[i]->N * ls[i]->K * (2.0 * R + 40.0);
    return f * N_ALPHA;
}

/* GFLOP/s of this machine's matmul on a search-like shape. */
static double measure_rate(ds_kctx *kc)
{
    enum { R = 128, N = 256, K = 1024 };
    float *x = ds_calloc((size_t)R * K, sizeof(float)), *w = ds_calloc((size_t)N * K, sizeof(float));
    float *y = ds_malloc((size_t)R * N * sizeof(float));
    double rate = 5.0;
    if (x && w && y) {
        for (size_t i = 0; i < (size_t)N * K; i++)
            w[i] = (float)(i % 7) * 0.1f;
        double t0 = ds_now_s();
        int reps = 0;
        do {
            ds_k_matmul(kc, y, x, (ds_k_weight){w, DS_K_F32}, R, N, K, 0);
            reps++;
        } while (ds_now_s() - t0 < 0.05);
        rate = 2.0 * R * N * K * reps / (ds_now_s() - t0) / 1e9;
    }
    ds_free(x);
    ds_free(w);
    ds_free(y);
    return rate > 0.1 ? rate : 0.1;
}

typedef struct grp {
    int layer, kind, expert; /* kind: 0 attn, 1 mlp, 2 down */
    lin *ls[2 * MOE_SEARCH_EXPERTS + 3];
    int nl;
    const site *st;
    double flops;
} grp;

static int cmp_rows_desc(const void *a, const void *b, void *ud)
{
    const site *s = ud;
    long x = s[*(const int *)a].rows, y = s[*(const int *)b].rows;
    return x > y ? -1 : x < y ? 1 : *(const int *)a - *(const int *)b;
}

/* Plans and runs the searches that fit the budget; fills q's scale vectors and the report. */
/* The search groups of every layer into gs (room for L * (2 + E)): attention q/k/v, the MLP's
 * gate/up (for a MoE layer those of its MOE_SEARCH_EXPERTS busiest experts), each down_proj.
 * order is scratch for E ints. Returns the number of groups. */
static int build_groups(quant *q, calib *c, grp *gs, int *order)
{
    ds_model *m = q->m;
    const int L = m->cfg.num_layers, E = c->E;
    int ng = 0;
    for (int l = 0; l < L; l++) {
        grp *g = &gs[ng++];
        *g = (grp){.layer = l, .kind = 0, .expert = -1, .st = &c->attn[l]};
        g->ls[g->nl++] = lin_at(q, l, LQ);
        g->ls[g->nl++] = lin_at(q, l, LK);
        g->ls[g->nl++] = lin_at(q, l, LV);
        g = &gs[ng++];
        *g = (grp){.layer = l, .kind = 1, .expert = -1, .st = &c->mlp[l]};
        if (m->layers[l].moe) {
            for (int e = 0; e < E; e++)
                order[e] = e;
            qsort_r(order, (size_t)E, sizeof(int), cmp_rows_desc, &c->mid[(size_t)l * E]);
            for (int i = 0; i < E && i < MOE_SEARCH_EXPERTS; i++) {
                g->ls[g->nl++] = lin_at(q, l, LEXP + 3 * order[i]);
                g->ls[g->nl++] = lin_at(q, l, LEXP + 3 * order[i] + 1);
            }
            for (int e = 0; e < E; e++) {
                grp *d = &gs[ng++];
                *d = (grp){.layer = l, .kind = 2, .expert = e, .st = &c->mid[(size_t)l * E + e]};
                d->ls[d->nl++] = lin_at(q, l, LEXP + 3 * e + 2);
            }
        } else {
            g->ls[g->nl++] = lin_at(q, l, LGATE);
            g->ls[g->nl++] = lin_at(q, l, LUP);
            grp *d = &gs[ng++];
            *d = (grp){.layer = l, .kind = 2, .expert = -1, .st = &c->mid[(size_t)l * E]};
            d->ls[d->nl++] = lin_at(q, l, LDOWN);
        }
    }
    return ng;
}

/* What the time budget allows: the searches dropped first are expert down_proj, then MoE
 * gate/up, then all. */
typedef struct search_plan {
    int allow_down, allow_moe, allow_all;
    double total_s, budget_s;
} search_plan;

static search_plan plan_searches(quant *q, grp *gs, int ng, ds_awq_quant_report *rep)
{
    ds_model *m = q->m;
    const double rate = measure_rate(ds_model_kctx(m)) * 1e9;
    search_plan pl = {1, 1, 1, 0, q->o->time_budget_s > 0 ? q->o->time_budget_s : 600.0};
    double total[3] = {0, 0, 0}; /* attn + dense, moe gate/up, expert down */
    for (int i = 0; i < ng; i++) {
        gs[i].flops = group_flops(gs[i].ls, gs[i].nl, gs[i].st->n_samp);
        int moe = m->layers[gs[i].layer].moe;
        total[gs[i].kind == 0 || !moe ? 0 : gs[i].kind == 1 ? 1 : 2] += gs[i].flops;
    }
    pl.total_s = (total[0] + total[1] + total[2]) / rate;
    double est = pl.total_s;
    if (est > pl.budget_s) {
        pl.allow_down = 0;
        est = (total[0] + total[1]) / rate;
    }
    if (est > pl.budget_s) {
        pl.allow_moe = 0;
        est = total[0] / rate;
    }
    if (est > pl.budget_s) {
        pl.allow_all = 0;
        est = 0;
    }
    rep->search_estimate_s = est;
    return pl;
}

/* Hands a group's scales s to the linears they scale: columns of the group's inputs, and for a
 * down_proj the rows of the up_proj that feeds it. */
static void apply_scales(quant *q, const grp *g, float *s, int E)
{
    const int l = g->layer, moe = q->m->layers[l].moe;
    if (g->kind == 0) {
        q->attn_s[l] = s;
        lin_at(q, l, LQ)->col_s = lin_at(q, l, LK)->col_s = lin_at(q, l, LV)->col_s = s;
    } else if (g->kind == 1) {
        q->mlp_s[l] = s;
        if (moe)
            for (int e = 0; e < E; e++)
                lin_at(q, l, LEXP + 3 * e)->col_s = lin_at(q, l, LEXP + 3 * e + 1)->col_s = s;
        else
            lin_at(q, l, LGATE)->col_s = lin_at(q, l, LUP)->col_s = s;
    } else {
        const int e = g->expert < 0 ? 0 : g->expert;
        q->down_s[(size_t)l * E + e] = s;
        lin *down = lin_at(q, l, moe ? LEXP + 3 * e + 2 : LDOWN);
        lin *up = lin_at(q, l, moe ? LEXP + 3 * e + 1 : LUP);
        down->col_s = s;
        up->row_s = s;
    }
}

static void describe_method(const search_plan *pl, ds_awq_quant_report *rep)
{
    if (!pl->allow_all)
        snprintf(rep->method, sizeof rep->method,
                 "round to nearest: the scale search would take about %.0f s, over the budget of %.0f s", pl->total_s,
                 pl->budget_s);
    else if (!pl->allow_moe || !pl->allow_down)
        snprintf(rep->method, sizeof rep->method,
                 "activation-aware scales on %d groups, round to nearest on %d (the %s did not fit "
                 "the budget of %.0f s)",
                 rep->n_awq_groups, rep->n_rtn_groups, !pl->allow_moe ? "expert searches" : "expert down_proj searches",
                 pl->budget_s);
    else
        snprintf(rep->method, sizeof rep->method, "activation-aware scales (AWQ) on %d groups, mean exponent %.2f%s",
                 rep->n_awq_groups, rep->mean_alpha,
                 rep->n_rtn_groups ? ", round to nearest where no calibration row reached" : "");
}

/* Searches the scales of every group the budget allows (the others are rounded to nearest) and
 * hands them to their linears; rep gets the counts and the method in words. */
static ds_status run_searches(quant *q, calib *c, ds_awq_quant_report *rep, ds_err *err)
{
    ds_model *m = q->m;
    const int L = m->cfg.num_layers, E = c->E;
    grp *gs = ds_calloc((size_t)L * (2 + E), sizeof *gs);
    int *order = ds_malloc((size_t)E * sizeof(int));
    if (!gs || !order) {
        ds_free(gs);
        ds_free(order);
        return ds_err_set(err, DS_ERR_NOMEM, "quantize: out of memory");
    }
    int ng = build_groups(q, c, gs, order);
    ds_free(order);
    search_plan pl = plan_searches(q, gs, ng, rep);
    double sum_a = 0;
    ds_status st = DS_OK;
    for (int i = 0; i < ng && st == DS_OK; i++) {
        grp *g = &gs[i];
        const int moe = m->layers[g->layer].moe;
        int allowed = pl.allow_all && (g->kind == 0 || !moe || (g->kind == 1 ? pl.allow_moe : pl.allow_down));
        float *s = NULL;
        double a = 0;
        if (allowed && g->st->n_samp > 0) {
            st = search_group(q, g->ls, g->nl, g->st, &s, &a);
            if (st != DS_OK) {
                st = ds_err_set(err, st, "quantize: out of memory in the scale search");
                break;
            }
            rep->n_awq_groups++;
            sum_a += a;
        } else {
            rep->n_rtn_groups++;
        }
        if (s)
            apply_scales(q, g, s, E);
    }
    if (rep->n_awq_groups)
        rep->mean_alpha = sum_a / rep->n_awq_groups;
    if (st == DS_OK)
        describe_method(&pl, rep);
    ds_free(gs);
    return st;
}

/* ---- writing -------------------------------------------------------------------------------- */

typedef struct qlin_task {
    const float *w; /* (N, K) */
    uint8_t *qt;    /* (K, N) */
    uint8_t *zt;    /* (K/G, N) */
    uint16_t *sc;   /* (K/G, N) */
    int N, K, G;
} qlin_task;

static void qlin_rows(void *arg, int task, int thread)
{
    (void)thread;
    const qlin_task *t = arg;
    int r0 = task * 8, r1 = r0 + 8 < t->N ? r0 + 8 : t->N;
    for (int n = r0; n < r1; n++)
        for (int g = 0; g < t->K / t->G; g++)
            ds_awq_quant_group(t->w + (size_t)n * t->K + (size_t)g * t->G, t->G, 1, t->qt + (size_t)g * t->G * t->N + n,
                               t->N, &t->sc[(size_t)g * t->N + n], &t->zt[(size_t)g * t->N + n]);
}

static ds_status quantize_lin(quant *q, int li, ds_err *err)
{
    if (q->cached == li)
        return DS_OK;
    const lin *ln = &q->lins[li];
    const int N = ln->N, K = ln->K, G = q->G;
    float *w = ds_malloc((size_t)N * K * sizeof(float));
    uint8_t *qt = ds_malloc((size_t)N * K), *zt = ds_malloc((size_t)N * (K / G));
    ds_free(q->qw);
    ds_free(q->qz);
    ds_free(q->sc);
    q->qw = ds_malloc((size_t)N * K / 2);
    q->qz = ds_malloc((size_t)N * (K / G) / 2);
    q->sc = ds_malloc((size_t)N * (K / G) * 2);
    q->cached = -1;
    ds_status st = DS_OK;
    if (!w || !qt || !zt || !q->qw || !q->qz || !q->sc) {
        st = ds_err_set(err, DS_ERR_NOMEM, "quantize: out of memory for a [%d, %d] layer", N, K);
    } else {
        widen_lin(ds_model_kctx(q->m), ln, w);
        qlin_task t = {w, qt, zt, q->sc, N, K, G};
        ds_kctx_parallel(ds_model_kctx(q->m), qlin_rows, &t, (N + 7) / 8);
        ds_k_awq_pack(q->qw, qt, K, N);
        ds_k_awq_pack(q->qz, zt, K / G, N);
        q->cached = li;
    }
    ds_free(w);
    ds_free(qt);
    ds_free(zt);
    return st;
}

static void put_float(void *buf, size_t i, ds_st_dtype dt, float v)
{
    if (dt == DS_ST_BF16)
        ((uint16_t *)buf)[i] = ds_k_f32_to_bf16(v);
    else if (dt == DS_ST_F16)
        ((uint16_t *)buf)[i] = ds_k_f32_to_f16(v);
    else
        ((float *)buf)[i] = v;
}

static float get_float(const ds_st_tensor *t, size_t i)
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

static ds_status fill(void *ud, size_t i, void *buf, size_t bytes, ds_err *err)
{
    quant *q = ud;
    const ds_st_tensor *t = q->src[i];
    switch (q->kind[i]) {
    case OUT_QWEIGHT:
    case OUT_QZEROS:
    case OUT_SCALES: {
        ds_status st = quantize_lin(q, q->ref[i], err);
        if (st != DS_OK)
            return st;
        memcpy(buf,
               q->kind[i] == OUT_QWEIGHT  ? (void *)q->qw
               : q->kind[i] == OUT_QZEROS ? (void *)q->qz
                                          : (void *)q->sc,
               bytes);
        return DS_OK;
    }
    case OUT_NORM_ATTN:
    case OUT_NORM_MLP: {
        const float *s = q->kind[i] == OUT_NORM_ATTN ? q->attn_s[q->ref[i]] : q->mlp_s[q->ref[i]];
        for (size_t k = 0; k < t->nelem; k++)
            put_float(buf, k, t->dtype, get_float(t, k) / s[k]);
        return DS_OK;
    }
    case OUT_ROUTER: {
        const float *s = q->mlp_s[q->ref[i]];
        const size_t K = (size_t)t->shape[1];
        for (size_t k = 0; k < t->nelem; k++)
            put_float(buf, k, t->dtype, get_float(t, k) * s[k % K]);
        return DS_OK;
    }
    default: memcpy(buf, t->data, bytes); return DS_OK;
    }
}

/* Which linear a tensor name is: its index in q->lins, or -1. */
static int lin_of_name(const quant *q, const char *name)
{
    int l, n = 0, e;
    const int L = q->m->cfg.num_layers;
    if (sscanf(name, "model.layers.%d.%n", &l, &n) != 1 || n == 0 || l < 0 || l >= L)
        return -1;
    const char *r = name + n;
    static const char *const attn[4] = {"self_attn.q_proj.weight", "self_attn.k_proj.weight", "self_attn.v_proj.weight",
                                        "self_attn.o_proj.weight"};
    static const char *const mlp[3] = {"mlp.gate_proj.weight", "mlp.up_proj.weight", "mlp.down_proj.weight"};
    static const char *const ex[3] = {"gate_proj.weight", "up_proj.weight", "down_proj.weight"};
    for (int i = 0; i < 4; i++)
        if (strcmp(r, attn[i]) == 0)
            return l * q->LPL + i;
    for (int i = 0; i < 3; i++)
        if (strcmp(r, mlp[i]) == 0)
            return l * q->LPL + LGATE + i;
    int m2 = 0;
    if (sscanf(r, "mlp.experts.%d.%n", &e, &m2) == 1 && m2 > 0 && e >= 0 && e < q->m->cfg.num_experts)
        for (int i = 0; i < 3; i++)
            if (strcmp(r + m2, ex[i]) == 0)
                return l * q->LPL + LEXP + 3 * e + i;
    return -1;
}

static int norm_of_name(const quant *q, const char *name, int *layer)
{
    int l, n = 0;
    if (sscanf(name, "model.layers.%d.%n", &l, &n) != 1 || n == 0 || l < 0 || l >= q->m->cfg.num_layers)
        return -1;
    *layer = l;
    if (strcmp(name + n, "input_layernorm.weight") == 0)
        return q->attn_s[l] ? OUT_NORM_ATTN : -1;
    if (strcmp(name + n, "post_attention_layernorm.weight") == 0)
        return q->mlp_s[l] ? OUT_NORM_MLP : -1;
    if (strcmp(name + n, "mlp.gate.weight") == 0)
        return q->mlp_s[l] ? OUT_ROUTER : -1;
    return -1;
}

static ds_status plan_outputs(quant *q, ds_err *err)
{
    const ds_ckpt *ck = q->m->ckpt;
    const size_t cap = ck->n_tensors * 3 + 1;
    q->out = ds_calloc(cap, sizeof *q->out);
    q->kind = ds_calloc(cap, sizeof(int));
    q->ref = ds_calloc(cap, sizeof(int));
    q->src = ds_calloc(cap, sizeof *q->src);
    if (!q->out || !q->kind || !q->ref || !q->src)
        return ds_err_set(err, DS_ERR_NOMEM, "quantize: out of memory");
    /* passes by alignment class: 8-byte, then 4-byte with the int4 triples, then 2, then 1 */
    static const size_t classes[4] = {8, 4, 2, 1};
    for (int ci = 0; ci < 4; ci++)
        for (int f = 0; f < ck->n_files; f++)
            for (size_t i = 0; i < ck->files[f].n_tensors; i++) {
                const ds_st_tensor *t = &ck->files[f].tensors[i];
                const int li = lin_of_name(q, t->name);
                if (li >= 0 && q->lins[li].used) {
                    if (classes[ci] != 4)
                        continue;
                    const lin *ln = &q->lins[li];
                    const size_t nl = strlen(t->name) - 7; /* without ".weight" */
                    static const char *const sfx[3] = {"qweight", "qzeros", "scales"};
                    const int kinds[3] = {OUT_QWEIGHT, OUT_QZEROS, OUT_SCALES};
                    const int64_t rows[3] = {ln->K, ln->K / q->G, ln->K / q->G};
                    const int64_t cols[3] = {ln->N / 8, ln->N / 8, ln->N};
                    for (int k = 0; k < 3; k++) {
                        ds_st_out *o = &q->out[q->n_out];
                        snprintf(o->name, sizeof o->name, "%.*s.%s", (int)nl, t->name, sfx[k]);
                        o->dtype = k == 2 ? DS_ST_F16 : DS_ST_I32;
                        o->ndim = 2;
                        o->shape[0] = rows[k];
                        o->shape[1] = cols[k];
                        q->kind[q->n_out] = kinds[k];
                        q->ref[q->n_out] = li;
                        q->src[q->n_out] = t;
                        q->n_out++;
                    }
                    continue;
                }
                if (ds_st_dtype_size(t->dtype) != classes[ci])
                    continue;
                if (t->ndim > 2)
                    return ds_err_set(err, DS_ERR_UNSUPPORTED,
                                      "quantize: tensor %s has %d dimensions (2 at most are copied)", t->name, t->ndim);
                ds_st_out *o = &q->out[q->n_out];
                snprintf(o->name, sizeof o->name, "%s", t->name);
                o->dtype = t->dtype;
                o->ndim = t->ndim;
                for (int d = 0; d < t->ndim; d++)
                    o->shape[d] = t->shape[d];
                int layer = 0, k = norm_of_name(q, t->name, &layer);
                q->kind[q->n_out] = k >= 0 ? k : OUT_COPY;
                q->ref[q->n_out] = layer;
                q->src[q->n_out] = t;
                q->n_out++;
            }
    return DS_OK;
}

static ds_status write_config(const char *src_dir, const char *out_dir, int G, ds_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/config.json", src_dir);
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root)
        return ds_err_set(err, DS_ERR_MODEL, "%s: line %d: %s", path, je.line, je.text);
    json_t *qc = json_object();
    json_object_set_new(qc, "quant_method", json_string("awq"));
    json_object_set_new(qc, "bits", json_integer(4));
    json_object_set_new(qc, "group_size", json_integer(G));
    json_object_set_new(qc, "zero_point", json_true());
    json_object_set_new(qc, "version", json_string("gemm"));
    json_object_set_new(root, "quantization_config", qc);
    snprintf(path, sizeof path, "%s/config.json", out_dir);
    int rc = json_dump_file(root, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (rc != 0)
        return ds_err_set(err, DS_ERR_IO, "%s: cannot write", path);
    return DS_OK;
}

static ds_status copy_file(const char *from, const char *to, ds_err *err)
{
    ds_buf b = DS_BUF_INIT;
    ds_status st = ds_buf_read_file(&b, from, 0, err);
    if (st != DS_OK) {
        ds_buf_deinit(&b);
        return st;
    }
    FILE *f = fopen(to, "wb");
    int ok = f && fwrite(b.data ? b.data : "", 1, b.len, f) == b.len;
    if (f && fclose(f) != 0)
        ok = 0;
    ds_buf_deinit(&b);
    return ok ? DS_OK : ds_err_set(err, DS_ERR_IO, "%s: %s", to, strerror(errno));
}

/* ---- the whole job -------------------------------------------------------------------------- */

/* The linears of every layer (q/k/v/o, the experts' or the dense MLP's gate/up/down) into q->lins,
 * each checked for the kernel's shape rules; rep->n_linear counts them. */
static ds_status map_linears(quant *q, ds_awq_quant_report *rep, ds_err *err)
{
    ds_model *m = q->m;
    const ds_model_config *cf = &m->cfg;
    const int L = cf->num_layers;
    const int H = cf->hidden_size, D = cf->head_dim;
    for (int l = 0; l < L; l++) {
        const ds_layer_w *lw = &m->layers[l];
        *lin_at(q, l, LQ) = (lin){1, lw->q, cf->num_heads * D, H, NULL, NULL};
        *lin_at(q, l, LK) = (lin){1, lw->k, cf->num_kv_heads * D, H, NULL, NULL};
        *lin_at(q, l, LV) = (lin){1, lw->v, cf->num_kv_heads * D, H, NULL, NULL};
        *lin_at(q, l, LO) = (lin){1, lw->o, H, cf->num_heads * D, NULL, NULL};
        if (lw->moe) {
            const int F = cf->moe_intermediate_size;
            for (int e = 0; e < cf->num_experts; e++) {
                *lin_at(q, l, LEXP + 3 * e) = (lin){1, lw->e_gate[e], F, H, NULL, NULL};
                *lin_at(q, l, LEXP + 3 * e + 1) = (lin){1, lw->e_up[e], F, H, NULL, NULL};
                *lin_at(q, l, LEXP + 3 * e + 2) = (lin){1, lw->e_down[e], H, F, NULL, NULL};
            }
        } else {
            const int I = cf->intermediate_size;
            *lin_at(q, l, LGATE) = (lin){1, lw->gate, I, H, NULL, NULL};
            *lin_at(q, l, LUP) = (lin){1, lw->up, I, H, NULL, NULL};
            *lin_at(q, l, LDOWN) = (lin){1, lw->down, H, I, NULL, NULL};
        }
    }
    for (long i = 0; i < (long)L * q->LPL; i++) {
        const lin *ln = &q->lins[i];
        if (ln->used && (ln->N % 8 != 0 || ln->K % q->G != 0))
            return ds_err_set(err, DS_ERR_USAGE,
                              "quantize: layer %ld has a [%d, %d] linear: the output size must be a "
                              "multiple of 8 and the input size of the group size %d",
                              i / q->LPL, ln->N, ln->K, q->G);
        rep->n_linear += ln->used;
    }
    return DS_OK;
}

/* Runs the calibration text through the model, gathering activation statistics, then the
 * scale searches; without calibration text, round to nearest. */
static ds_status calibrate(quant *q, calib *c, ds_awq_quant_report *rep, ds_err *err)
{
    const ds_awq_quant_opts *o = q->o;
    ds_model *m = q->m;
    if (!o->calib || o->n_calib <= 0) {
        snprintf(rep->method, sizeof rep->method, "round to nearest (no calibration text given)");
        return DS_OK;
    }
    if (calib_init(c, m) != DS_OK)
        return ds_err_set(err, DS_ERR_NOMEM, "quantize: out of memory for calibration statistics");
    ds_model_seq *seq = NULL;
    const int n = o->n_calib < CALIB_MAX_TOKENS ? o->n_calib : CALIB_MAX_TOKENS;
    m->act_hook = act_hook;
    m->act_ud = c;
    ds_status st = ds_model_seq_create(m, &seq, err);
    if (st == DS_OK)
        st = ds_model_forward(m, seq, o->calib, n, DS_MODEL_LOGITS_NONE, NULL, err);
    ds_model_seq_free(seq);
    m->act_hook = NULL;
    if (st != DS_OK)
        return st;
    rep->calibrated = 1;
    DS_INFO(o->log, "quantize", "calibration: %d tokens through the model", n);
    return run_searches(q, c, rep, err);
}

/* The quantized checkpoint in out_dir: config.json, model.safetensors and the tokenizer files. */
static ds_status write_outputs(quant *q, const char *src_dir, const char *out_dir, ds_err *err)
{
    if (mkdir(out_dir, 0777) != 0 && errno != EEXIST)
        return ds_err_set(err, DS_ERR_IO, "%s: %s", out_dir, strerror(errno));
    ds_status st;
    if ((st = plan_outputs(q, err)) != DS_OK || (st = write_config(src_dir, out_dir, q->G, err)) != DS_OK)
        return st;
    char path[4096];
    snprintf(path, sizeof path, "%s/model.safetensors", out_dir);
    if ((st = ds_st_write_file(path, q->out, q->n_out, fill, q, err)) != DS_OK)
        return st;
    static const char *const extra[] = {
        "tokenizer.json", "tokenizer_config.json", "generation_config.json", "special_tokens_map.json", "vocab.json",
        "merges.txt"};
    for (size_t i = 0; i < sizeof extra / sizeof *extra && st == DS_OK; i++) {
        char from[4096];
        struct stat sb;
        snprintf(from, sizeof from, "%s/%s", src_dir, extra[i]);
        snprintf(path, sizeof path, "%s/%s", out_dir, extra[i]);
        if (stat(from, &sb) == 0)
            st = copy_file(from, path, err);
    }
    return st;
}

ds_status ds_awq_quantize(const char *src_dir, const char *out_dir, const ds_awq_quant_opts *o,
                          ds_awq_quant_report *rep, ds_err *err)
{
    const double t0 = ds_now_s();
    memset(rep, 0, sizeof *rep);
    quant q;
    memset(&q, 0, sizeof q);
    q.o = o;
    q.cached = -1;
    q.G = o->group_size > 0 ? o->group_size : 128;
    calib c;
    memset(&c, 0, sizeof c);
    if (q.G % 8 != 0 || q.G > 4096)
        return ds_err_set(err, DS_ERR_USAGE, "quantize: group size %d is not a multiple of 8 up to 4096", q.G);
    if (strcmp(src_dir, out_dir) == 0)
        return ds_err_set(err, DS_ERR_USAGE, "quantize: the output folder must differ from the model's");
    ds_model_opts mo;
    ds_model_opts_default(&mo);
    mo.n_threads = o->n_threads;
    mo.segment_tokens = 512;
    ds_status st = ds_model_load(&q.m, src_dir, &mo, err);
    if (st != DS_OK)
        return st;
    ds_model *m = q.m;
    const ds_model_config *cf = &m->cfg;
    const int L = cf->num_layers, E = cf->num_experts > 0 ? cf->num_experts : 1;
    if (m->awq.enabled) {
        st = ds_err_set(err, DS_ERR_USAGE, "%s: the checkpoint is already quantized", src_dir);
        goto done;
    }
    q.LPL = LEXP + 3 * (cf->num_experts > 0 ? cf->num_experts : 0);
    q.lins = ds_calloc((size_t)L * q.LPL, sizeof *q.lins);
    q.attn_s = ds_calloc((size_t)L, sizeof(float *));
    q.mlp_s = ds_calloc((size_t)L, sizeof(float *));
    q.down_s = ds_calloc((size_t)L * E, sizeof(float *));
    if (!q.lins || !q.attn_s || !q.mlp_s || !q.down_s) {
        st = ds_err_set(err, DS_ERR_NOMEM, "quantize: out of memory");
        goto done;
    }
    if ((st = map_linears(&q, rep, err)) != DS_OK)
        goto done;
    if ((st = calibrate(&q, &c, rep, err)) != DS_OK)
        goto done;
    DS_INFO(o->log, "quantize", "%s", rep->method);
    if ((st = write_outputs(&q, src_dir, out_dir, err)) != DS_OK)
        goto done;
    rep->seconds = ds_now_s() - t0;
done:
    calib_free(&c);
    if (q.attn_s)
        for (int l = 0; l < L; l++) {
            ds_free(q.attn_s[l]);
            ds_free(q.mlp_s[l]);
        }
    if (q.down_s)
        for (long i = 0; i < (long)L * E; i++)
            ds_free(q.down_s[i]);
    ds_free(q.attn_s);
    ds_free(q.mlp_s);
    ds_free(q.down_s);
    ds_free(q.lins);
    ds_free(q.qw);
    ds_free(q.qz);
    ds_free(q.sc);
    ds_free(q.out);
    ds_free(q.kind);
    ds_free(q.ref);
    ds_free(q.src);
    ds_model_free(m);
    return st;
}
