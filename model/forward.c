/* forward.c - the fast forward pass of Qwen3-MoE / Qwen3, as the Hugging Face implementation
 * computes it, in steps of at most S tokens (segmented prefill; several sequences may share a
 * step).
 *
 * One step: embed; per layer: RMSNorm, q/k/v projections (one grouped dispatch), per-head
 * RMSNorm of q and k, RoPE, keys/values written into the sequence's KV pages, causal GQA
 * attention over every earlier position of the sequence (tiled online softmax, kernels), o_proj
 * and residual; post-attention RMSNorm; then either the sparse MoE block (router linear,
 * optional learned temperature, fp32 softmax, top-k, renormalisation when norm_topk_prob,
 * tokens gathered per expert and each expert's gate/up and down run as one grouped dispatch,
 * outputs weighted and summed in expert order) or the dense MLP; residual. Final norm and
 * lm_head only for the rows whose logits are wanted.
 * Owns: nothing; uses the model's step scratch. Threading: one call per model at a time.
 */
#include "model/model_internal.h"

#include "pipeline/core/alloc.h"

#include <math.h>
#include <string.h>

typedef struct step_part {
    const ds_model_batch_item *it;
    int start, count; /* tokens [start, start + count) of the item */
    int t_off;        /* first row in the step */
    int pos0;         /* position of the first token */
    size_t page_off;  /* first entry in m->page_mem */
    int n_pages;
} step_part;

static ds_status grow_pages(ds_model *m, size_t need, ds_err *err)
{
    if (need <= m->cap_pages)
        return DS_OK;
    size_t cap = m->cap_pages ? m->cap_pages : 256;
    while (cap < need)
        cap *= 2;
    float **pm = ds_realloc(m->page_mem, cap * sizeof *pm);
    if (pm)
        m->page_mem = pm;
    const float **kp = ds_realloc(m->kp, cap * sizeof *kp);
    if (kp)
        m->kp = kp;
    const float **vp = ds_realloc(m->vp, cap * sizeof *vp);
    if (vp)
        m->vp = vp;
    if (!pm || !kp || !vp)
        return ds_err_set(err, DS_ERR_NOMEM, "model: out of memory for %zu page pointers", need);
    m->cap_pages = cap;
    return DS_OK;
}

static void moe_block(ds_model *m, const ds_layer_w *L, int T)
{
    const ds_model_config *c = &m->cfg;
    ds_step_buf *b = &m->buf;
    ds_kctx *kc = m->kctx;
    const int H = c->hidden_size, E = c->num_experts, topk = c->num_experts_per_tok;
    const int F = c->moe_intermediate_size;

    ds_k_matmul(kc, b->router, b->xn, L->router, T, E, H, 0);
    if (L->has_temp) {
        const float et = expf(L->router_temp);
        for (size_t i = 0; i < (size_t)T * E; i++)
            b->router[i] /= et;
    }
    ds_k_softmax(kc, b->probs, b->router, T, E, 1.0f);
    ds_k_topk(b->topi, b->topw, b->probs, T, E, topk);
    if (c->norm_topk_prob) {
        for (int t = 0; t < T; t++) {
            float s = 0;
            for (int j = 0; j < topk; j++)
                s += b->topw[t * topk + j];
            for (int j = 0; j < topk; j++)
                b->topw[t * topk + j] /= s;
        }
    }
    /* Group the (token, expert) pairs by expert, tokens ascending within an expert. */
    int32_t *cnt = b->ecnt, *off = b->eoff, *fill = b->efill;
    memset(cnt, 0, (size_t)E * sizeof *cnt);
    for (int i = 0; i < T * topk; i++)
        cnt[b->topi[i]]++;
    int rows = 0;
    for (int e = 0; e < E; e++) {
        off[e] = rows;
        fill[e] = rows;
        rows += cnt[e];
    }
    for (int t = 0; t < T; t++)
        for (int j = 0; j < topk; j++) {
            int e = b->topi[t * topk + j], r = fill[e]++;
            b->row_tok[r] = t;
            b->row_w[r] = b->topw[t * topk + j];
            memcpy(b->xg + (size_t)r * H, b->xn + (size_t)t * H, (size_t)H * sizeof(float));
        }
    /* gate and up of every used expert in one dispatch, then SiLU * up, then down */
    ds_k_matmul_job jobs[2 * 1024];
    int nj = 0;
    for (int e0 = 0; e0 < E; e0 += 1024) {
        int e1 = e0 + 1024 < E ? e0 + 1024 : E;
        nj = 0;
        for (int e = e0; e < e1; e++) {
            if (!cnt[e])
                continue;
            const size_t o = (size_t)off[e];
            jobs[nj++] = (ds_k_matmul_job){b->hg + o * F, b->xg + o * H, L->e_gate[e], cnt[e], F, H, 0};
            jobs[nj++] = (ds_k_matmul_job){b->hu + o * F, b->xg + o * H, L->e_up[e], cnt[e], F, H, 0};
        }
        ds_k_matmul_grouped(kc, jobs, nj);
    }
    ds_k_silu_mul(kc, b->hg, b->hg, b->hu, (size_t)rows * F);
    if (m->act_hook)
        for (int e = 0; e < E; e++)
            if (cnt[e])
                m->act_hook(m->act_ud, (int)(L - m->layers), DS_ACT_EXPERT_MID, e, b->hg + (size_t)off[e] * F, cnt[e],
                            F);
    for (int e0 = 0; e0 < E; e0 += 2048) {
        int e1 = e0 + 2048 < E ? e0 + 2048 : E;
        nj = 0;
        for (int e = e0; e < e1; e++) {
            if (!cnt[e])
                continue;
            const size_t o = (size_t)off[e];
            jobs[nj++] = (ds_k_matmul_job){b->dn + o * H, b->hg + o * F, L->e_down[e], cnt[e], H, F, 0};
        }
        ds_k_matmul_grouped(kc, jobs, nj);
    }
    /* weighted sum over each token's experts, in expert order */
    memset(b->moe_out, 0, (size_t)T * H * sizeof(float));
    for (int r = 0; r < rows; r++) {
        float *o = b->moe_out + (size_t)b->row_tok[r] * H;
        const float *d = b->dn + (size_t)r * H, w = b->row_w[r];
        for (int i = 0; i < H; i++)
            o[i] += d[i] * w;
    }
    ds_k_add(kc, b->x, b->moe_out, (size_t)T * H);
}

static void dense_block(ds_model *m, const ds_layer_w *L, int T)
{
    const ds_model_config *c = &m->cfg;
    ds_step_buf *b = &m->buf;
    const int H = c->hidden_size, I = c->intermediate_size;
    ds_k_matmul_job jobs[2] = {{b->dense_g, b->xn, L->gate, T, I, H, 0}, {b->dense_u, b->xn, L->up, T, I, H, 0}};
    ds_k_matmul_grouped(m->kctx, jobs, 2);
    ds_k_silu_mul(m->kctx, b->dense_g, b->dense_g, b->dense_u, (size_t)T * I);
    if (m->act_hook)
        m->act_hook(m->act_ud, (int)(L - m->layers), DS_ACT_DENSE_MID, -1, b->dense_g, T, I);
    ds_k_matmul(m->kctx, b->moe_out, b->dense_g, L->down, T, H, I, 0);
    ds_k_add(m->kctx, b->x, b->moe_out, (size_t)T * H);
}

static void layer_forward(ds_model *m, int l, step_part *parts, int n_parts, int T)
{
    const ds_model_config *c = &m->cfg;
    const ds_layer_w *L = &m->layers[l];
    ds_step_buf *b = &m->buf;
    ds_kctx *kc = m->kctx;
    const int H = c->hidden_size, Hq = c->num_heads, Hkv = c->num_kv_heads, D = c->head_dim;
    const float eps = (float)c->rms_norm_eps;
    const int PT = m->opts.kv_block_tokens;

    ds_k_rmsnorm(kc, b->xn, b->x, L->attn_norm, T, H, eps);
    if (m->act_hook)
        m->act_hook(m->act_ud, l, DS_ACT_ATTN_IN, -1, b->xn, T, H);
    ds_k_matmul_job qkv[3] = {{b->q, b->xn, L->q, T, Hq * D, H, 0},
                              {b->k, b->xn, L->k, T, Hkv * D, H, 0},
                              {b->v, b->xn, L->v, T, Hkv * D, H, 0}};
    ds_k_matmul_grouped(kc, qkv, 3);
    ds_k_rmsnorm(kc, b->q, b->q, L->q_norm, T * Hq, D, eps);
    ds_k_rmsnorm(kc, b->k, b->k, L->k_norm, T * Hkv, D, eps);
    ds_k_rope(kc, b->q, b->cos, b->sin, T, Hq, D);
    ds_k_rope(kc, b->k, b->cos, b->sin, T, Hkv, D);

    const size_t koff = ds_kv_k_offset(m->kv, l), voff = ds_kv_v_offset(m->kv, l);
    for (int p = 0; p < n_parts; p++) {
        step_part *sp = &parts[p];
        for (int i = 0; i < sp->count; i++) {
            const int t = sp->t_off + i, pos = sp->pos0 + i, slot = pos % PT;
            float *page = m->page_mem[sp->page_off + (size_t)(pos / PT)];
            float *Kt = page + koff, *Vp = page + voff;
            for (int h = 0; h < Hkv; h++) {
                const float *kr = b->k + ((size_t)t * Hkv + h) * D;
                for (int d = 0; d < D; d++)
                    Kt[((size_t)h * D + d) * PT + slot] = kr[d];
                memcpy(Vp + ((size_t)h * PT + slot) * D, b->v + ((size_t)t * Hkv + h) * D, (size_t)D * sizeof(float));
            }
        }
    }
    const float scale = 1.0f / sqrtf((float)D);
    for (int p = 0; p < n_parts; p++) {
        step_part *sp = &parts[p];
        for (int j = 0; j < sp->n_pages; j++) {
            m->kp[j] = m->page_mem[sp->page_off + j] + koff;
            m->vp[j] = m->page_mem[sp->page_off + j] + voff;
        }
        ds_k_kv_pages pages = {m->kp, m->vp, PT, sp->n_pages};
        ds_k_attention(kc, b->att + (size_t)sp->t_off * Hq * D, b->q + (size_t)sp->t_off * Hq * D, &pages, sp->pos0,
                       sp->count, Hq, Hkv, D, scale);
    }
    if (m->act_hook)
        m->act_hook(m->act_ud, l, DS_ACT_O_IN, -1, b->att, T, Hq * D);
    ds_k_matmul(kc, b->moe_out, b->att, L->o, T, H, Hq * D, 0);
    ds_k_add(kc, b->x, b->moe_out, (size_t)T * H);

    ds_k_rmsnorm(kc, b->xn, b->x, L->post_norm, T, H, eps);
    if (m->act_hook)
        m->act_hook(m->act_ud, l, DS_ACT_MLP_IN, -1, b->xn, T, H);
    if (L->moe)
        moe_block(m, L, T);
    else
        dense_block(m, L, T);
}

static ds_status run_step(ds_model *m, step_part *parts, int n_parts, int T, ds_err *err)
{
    const ds_model_config *c = &m->cfg;
    ds_step_buf *b = &m->buf;
    const int PT = m->opts.kv_block_tokens, half = c->head_dim / 2, H = c->hidden_size;
    ds_status st = DS_OK;

    /* pages: reserve for the new positions, then pin every page of each sequence */
    size_t total_pages = 0;
    for (int p = 0; p < n_parts; p++) {
        step_part *sp = &parts[p];
        ds_kv_seq *ks = &sp->it->seq->kv;
        sp->pos0 = ks->n_tokens;
        if ((st = ds_kv_seq_reserve(m->kv, ks, sp->pos0 + sp->count, err)) != DS_OK)
            return st;
        sp->n_pages = (sp->pos0 + sp->count + PT - 1) / PT;
        sp->page_off = total_pages;
        total_pages += (size_t)sp->n_pages;
    }
    size_t max_pages = 0;
    for (int p = 0; p < n_parts; p++)
        if ((size_t)parts[p].n_pages > max_pages)
            max_pages = (size_t)parts[p].n_pages;
    if ((st = grow_pages(m, total_pages > max_pages ? total_pages : max_pages, err)) != DS_OK)
        return st;
    int fail_p = -1, fail_j = 0;
    for (int p = 0; p < n_parts && fail_p < 0; p++) {
        step_part *sp = &parts[p];
        for (int j = 0; j < sp->n_pages; j++) {
            st = ds_kv_pin(m->kv, sp->it->seq->kv.pages[j], &m->page_mem[sp->page_off + j], err);
            if (st != DS_OK) {
                fail_p = p;
                fail_j = j;
                break;
            }
        }
    }
    if (st == DS_OK) {
        for (int p = 0; p < n_parts; p++) {
            step_part *sp = &parts[p];
            for (int i = 0; i < sp->count; i++) {
                const int t = sp->t_off + i;
                b->tok[t] = sp->it->tokens[sp->start + i];
                b->pos[t] = sp->pos0 + i;
                ds_rope_row(m->inv_freq, half, m->attn_factor, b->pos[t], b->cos + (size_t)t * half,
                            b->sin + (size_t)t * half);
            }
        }
        ds_k_embed(m->kctx, b->x, m->embed, b->tok, T, H);
        for (int l = 0; l < c->num_layers; l++)
            layer_forward(m, l, parts, n_parts, T);

        /* logits of the rows that want them */
        for (int p = 0; p < n_parts; p++) {
            step_part *sp = &parts[p];
            const ds_model_batch_item *it = sp->it;
            int r0, nr;
            float *dst;
            if (it->want == DS_MODEL_LOGITS_ALL) {
                r0 = sp->t_off;
                nr = sp->count;
                dst = it->logits + (size_t)sp->start * c->vocab_size;
            } else if (it->want == DS_MODEL_LOGITS_LAST && sp->start + sp->count == it->n) {
                r0 = sp->t_off + sp->count - 1;
                nr = 1;
                dst = it->logits;
            } else {
                continue;
            }
            ds_k_rmsnorm(m->kctx, b->xn, b->x + (size_t)r0 * H, m->final_norm, nr, H, (float)c->rms_norm_eps);
            ds_k_matmul(m->kctx, dst, b->xn, m->lm_head, nr, c->vocab_size, H, 0);
        }
        for (int p = 0; p < n_parts; p++)
            parts[p].it->seq->kv.n_tokens = parts[p].pos0 + parts[p].count;
    }
    /* unpin what was pinned */
    for (int p = 0; p < n_parts; p++) {
        int np = fail_p < 0 || p < fail_p ? parts[p].n_pages : p == fail_p ? fail_j : 0;
        for (int j = 0; j < np; j++)
            ds_kv_unpin(m->kv, parts[p].it->seq->kv.pages[j]);
    }
    return st;
}

ds_status ds_model_forward_batch(ds_model *m, const ds_model_batch_item *items, int n_items, ds_err *err)
{
    const ds_model_config *c = &m->cfg;
    if (n_items < 0 || n_items > 4096)
        return ds_err_set(err, DS_ERR_USAGE, "model: %d batch items", n_items);
    for (int i = 0; i < n_items; i++) {
        const ds_model_batch_item *it = &items[i];
        if (!it->seq || it->seq->m != m)
            return ds_err_set(err, DS_ERR_USAGE, "model: batch item %d has no sequence of this model", i);
        if (it->n < 0 || (it->n > 0 && !it->tokens))
            return ds_err_set(err, DS_ERR_USAGE, "model: batch item %d has no tokens", i);
        if (it->want != DS_MODEL_LOGITS_NONE && (!it->logits || it->n == 0))
            return ds_err_set(err, DS_ERR_USAGE, "model: batch item %d wants logits of no token", i);
        for (int j = 0; j < i; j++)
            if (items[j].seq == it->seq)
                return ds_err_set(err, DS_ERR_USAGE, "model: a sequence appears twice in one batch");
        for (int t = 0; t < it->n; t++)
            if (it->tokens[t] < 0 || it->tokens[t] >= c->vocab_size)
                return ds_err_set(err, DS_ERR_USAGE,
                                  "model: token %d of batch item %d is %d, outside the vocabulary "
                                  "of %d",
                                  t, i, it->tokens[t], c->vocab_size);
        long end = (long)it->seq->kv.n_tokens + it->n;
        if ((m->opts.max_context > 0 && end > m->opts.max_context) || end > (1L << 30))
            return ds_err_set(err, DS_ERR_TOO_LARGE,
                              "model: batch item %d reaches position %ld, beyond the context limit "
                              "of %d",
                              i, end, m->opts.max_context);
    }
    if (m->cuda) /* the CUDA backend (backend.c) */
        return ds_model_backend_forward(m, items, n_items, err);
    const int S = m->buf.cap;
    int *done = ds_calloc((size_t)(n_items ? n_items : 1), sizeof(int));
    step_part *parts = ds_malloc((size_t)(n_items ? n_items : 1) * sizeof *parts);
    if (!done || !parts) {
        ds_free(done);
        ds_free(parts);
        return ds_err_set(err, DS_ERR_NOMEM, "model: out of memory");
    }
    ds_status st = DS_OK;
    for (;;) {
        int np = 0, T = 0;
        for (int i = 0; i < n_items && T < S; i++) {
            int left = items[i].n - done[i];
            if (left <= 0)
                continue;
            int take = left < S - T ? left : S - T;
            parts[np++] = (step_part){&items[i], done[i], take, T, 0, 0, 0};
            T += take;
        }
        if (np == 0)
            break;
        if ((st = run_step(m, parts, np, T, err)) != DS_OK)
            break;
        for (int p = 0; p < np; p++)
            done[parts[p].it - items] += parts[p].count;
    }
    ds_free(done);
    ds_free(parts);
    return st;
}

ds_status ds_model_forward(ds_model *m, ds_model_seq *seq, const int32_t *tokens, int n, ds_model_logits want,
                           float *logits, ds_err *err)
{
    ds_model_batch_item it = {seq, tokens, n, want, logits};
    return ds_model_forward_batch(m, &it, 1, err);
}
