/* scheduler.c - continuous batching (scheduler.h). Per step: admit queued requests up to
 * max_active; take one token from every decoding sequence, then prompt chunks in submission
 * order until the token budget is spent; one ds_model_forward_batch; then, for every sequence
 * whose last row produced logits, the matcher's mask, the sampler's choice and the stop rules.
 * Owns: requests (prompt copies, outputs, sequences, samplers, matchers) and the step arrays.
 * Threading: one thread at a time.
 */
#include "model/scheduler.h"

#include "model/model_internal.h"
#include "model/prefix_cache.h"
#include "pipeline/core/alloc.h"
#include "pipeline/core/clock.h"

#include <string.h>
#include <time.h>

typedef struct req {
    int32_t *prompt;
    int n_prompt, done_prompt;
    int max_tokens;
    int32_t *out;
    int n_out;
    int32_t next; /* token to feed in the next step (decoding) */
    int state;    /* 0 queued, 1 prefill, 2 decode, 3 done */
    int complete;
    ds_status status;
    ds_sampler *smp;
    ds_json_matcher *jm;
    ds_model_seq *seq;
    int row; /* logits row in this step, -1 none */
} req;

struct ds_sched {
    ds_model *m;
    ds_sched_opts o;
    req *r;
    int n, cap;
    int active;
    ds_model_batch_item *items;
    int *item_req;
    float *logits; /* max_active rows of vocab */
    ds_sched_stats st;
};

ds_status ds_sched_create(ds_sched **out, ds_model *m, const ds_sched_opts *o, ds_err *err)
{
    *out = NULL;
    ds_sched *s = ds_calloc(1, sizeof *s);
    if (!s)
        return ds_err_set(err, DS_ERR_NOMEM, "scheduler: out of memory");
    s->m = m;
    if (o)
        s->o = *o;
    if (s->o.token_budget <= 0)
        s->o.token_budget = 256;
    if (s->o.max_active <= 0)
        s->o.max_active = 64;
    if (s->o.max_active > 4096)
        s->o.max_active = 4096;
    const int V = m->cfg.vocab_size, A = s->o.max_active;
    s->items = ds_malloc((size_t)A * sizeof *s->items);
    s->item_req = ds_malloc((size_t)A * sizeof *s->item_req);
    s->logits = ds_malloc((size_t)A * V * sizeof *s->logits);
    if (!s->items || !s->item_req || !s->logits) {
        ds_sched_free(s);
        return ds_err_set(err, DS_ERR_NOMEM, "scheduler: out of memory for %d sequences", A);
    }
    *out = s;
    return DS_OK;
}

static void req_release(req *q)
{
    ds_model_seq_free(q->seq);
    q->seq = NULL;
    ds_sampler_free(q->smp);
    q->smp = NULL;
    ds_json_matcher_free(q->jm);
    q->jm = NULL;
    ds_free(q->prompt);
    q->prompt = NULL;
}

void ds_sched_free(ds_sched *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->n; i++) {
        req_release(&s->r[i]);
        ds_free(s->r[i].out);
    }
    ds_free(s->r);
    ds_free(s->items);
    ds_free(s->item_req);
    ds_free(s->logits);
    ds_free(s);
}

ds_status ds_sched_submit(ds_sched *s, const int32_t *prompt, int n_prompt, const ds_sampler_params *sp,
                          const ds_json_schema *schema, const ds_json_vocab *vocab, int max_tokens, int *id,
                          ds_err *err)
{
    const int V = s->m->cfg.vocab_size;
    if (n_prompt <= 0 || max_tokens <= 0)
        return ds_err_set(err, DS_ERR_USAGE, "scheduler: a request needs prompt tokens and a token limit");
    for (int i = 0; i < n_prompt; i++)
        if (prompt[i] < 0 || prompt[i] >= V)
            return ds_err_set(err, DS_ERR_USAGE, "scheduler: prompt token %d is %d, outside the vocabulary", i,
                              prompt[i]);
    if (schema && (!vocab || ds_json_vocab_size(vocab) != V))
        return ds_err_set(err, DS_ERR_USAGE, "scheduler: a schema needs the model's vocabulary");
    if (s->n == s->cap) {
        int nc = s->cap ? s->cap * 2 : 16;
        req *nr = ds_realloc(s->r, (size_t)nc * sizeof *nr);
        if (!nr)
            return ds_err_set(err, DS_ERR_NOMEM, "scheduler: out of memory");
        s->r = nr;
        s->cap = nc;
    }
    req *q = &s->r[s->n];
    memset(q, 0, sizeof *q);
    q->n_prompt = n_prompt;
    q->max_tokens = max_tokens;
    q->prompt = ds_malloc((size_t)n_prompt * sizeof *q->prompt);
    q->out = ds_malloc((size_t)max_tokens * sizeof *q->out);
    ds_status st = DS_OK;
    if (!q->prompt || !q->out)
        st = ds_err_set(err, DS_ERR_NOMEM, "scheduler: out of memory");
    if (st == DS_OK && sp && sp->temperature > 0)
        st = ds_sampler_create(&q->smp, V, sp, err);
    if (st == DS_OK && schema)
        st = ds_json_matcher_create(&q->jm, schema, vocab, 0, err);
    if (st != DS_OK) {
        req_release(q);
        ds_free(q->out);
        return st;
    }
    memcpy(q->prompt, prompt, (size_t)n_prompt * sizeof *prompt);
    *id = s->n++;
    return DS_OK;
}

static int is_eos(const ds_model *m, int32_t id)
{
    for (int e = 0; e < m->cfg.n_eos; e++)
        if (id == m->cfg.eos_token_ids[e])
            return 1;
    return 0;
}

static void finish(ds_sched *s, req *q, int complete, ds_status st)
{
    q->state = 3;
    q->complete = complete;
    q->status = st;
    req_release(q);
    s->active--;
}

/* After logits for q's last token: choose its next token and apply the stop rules. */
static void advance(ds_sched *s, req *q, const float *lg)
{
    ds_model *m = s->m;
    const int V = m->cfg.vocab_size;
    ds_err err;
    const uint64_t *mask = NULL;
    if (q->jm) {
        if (ds_json_matcher_finished(q->jm)) {
            if (m->cfg.n_eos > 0 && q->n_out < q->max_tokens)
                q->out[q->n_out++] = m->cfg.eos_token_ids[0];
            finish(s, q, 1, DS_OK);
            return;
        }
        mask = ds_json_matcher_mask_within(q->jm, q->max_tokens - q->n_out);
    }
    int32_t next;
    if (q->smp) {
        next = ds_sampler_sample(q->smp, lg, mask, q->out, q->n_out);
    } else {
        next = -1;
        float bl = 0;
        for (int v = 0; v < V; v++)
            if ((!mask || (mask[v >> 6] >> (v & 63) & 1)) && (next < 0 || lg[v] > bl)) {
                next = v;
                bl = lg[v];
            }
    }
    if (next < 0) {
        finish(s, q, 0, DS_ERR_INTERNAL);
        return;
    }
    if (q->jm && ds_json_matcher_accept(q->jm, next, &err) != DS_OK) {
        finish(s, q, 0, err.code);
        return;
    }
    q->out[q->n_out++] = next;
    if (is_eos(m, next)) {
        finish(s, q, 1, DS_OK);
        return;
    }
    if (q->jm && ds_json_matcher_finished(q->jm)) { /* nothing can follow: no step for it */
        if (m->cfg.n_eos > 0 && q->n_out < q->max_tokens)
            q->out[q->n_out++] = m->cfg.eos_token_ids[0];
        finish(s, q, 1, DS_OK);
        return;
    }
    if (q->n_out >= q->max_tokens) {
        finish(s, q, 0, DS_OK);
        return;
    }
    q->next = next;
    q->state = 2;
}

ds_status ds_sched_step(ds_sched *s, int *pending, ds_err *err)
{
    ds_model *m = s->m;
    const int V = m->cfg.vocab_size;
    ds_status st = DS_OK;
    /* admit */
    for (int i = 0; i < s->n && s->active < s->o.max_active; i++) {
        req *q = &s->r[i];
        if (q->state != 0)
            continue;
        if ((st = ds_model_seq_create(m, &q->seq, err)) != DS_OK)
            return st;
        q->state = 1;
        s->active++;
        if (s->o.use_prefix_cache && m->prefix) {
            /* cached pages of the prompt's leading blocks; the rest is prefilled in chunks */
            int reused = 0;
            if ((st = ds_model_prefix_attach(m, q->seq, q->prompt, q->n_prompt, &reused, err)) != DS_OK)
                return st;
            q->done_prompt = reused;
            s->st.reused_tokens += (uint64_t)reused;
        }
    }
    /* build the step: decoders first, then prompt chunks */
    int ni = 0, budget = s->o.token_budget;
    for (int i = 0; i < s->n && ni < s->o.max_active && budget > 0; i++) {
        req *q = &s->r[i];
        if (q->state != 2)
            continue;
        s->items[ni] = (ds_model_batch_item){q->seq, &q->next, 1, DS_MODEL_LOGITS_LAST, s->logits + (size_t)ni * V};
        s->item_req[ni++] = i;
        budget--;
        s->st.decode_tokens++;
    }
    for (int i = 0; i < s->n && ni < s->o.max_active && budget > 0; i++) {
        req *q = &s->r[i];
        if (q->state != 1)
            continue;
        int left = q->n_prompt - q->done_prompt, take = left < budget ? left : budget;
        int last = take == left;
        s->items[ni] = (ds_model_batch_item){q->seq, q->prompt + q->done_prompt, take,
                                             last ? DS_MODEL_LOGITS_LAST : DS_MODEL_LOGITS_NONE,
                                             last ? s->logits + (size_t)ni * V : NULL};
        s->item_req[ni++] = i;
        budget -= take;
        q->done_prompt += take;
        s->st.prefill_tokens += (uint64_t)take;
    }
    if (ni > 0) {
        double t0 = ds_now_s();
        st = ds_model_forward_batch(m, s->items, ni, err);
        s->st.forward_s += ds_now_s() - t0;
        if (st != DS_OK)
            return st;
        s->st.steps++;
        if (ni > s->st.max_batch)
            s->st.max_batch = ni;
        t0 = ds_now_s();
        for (int k = 0; k < ni; k++) {
            req *q = &s->r[s->item_req[k]];
            if (s->items[k].want != DS_MODEL_LOGITS_LAST)
                continue;
            if (q->state == 1 && s->o.use_prefix_cache && m->prefix &&
                (st = ds_model_prefix_register(m, q->seq, q->prompt, q->n_prompt, err)) != DS_OK)
                return st;
            advance(s, q, s->logits + (size_t)k * V);
        }
        s->st.sample_s += ds_now_s() - t0;
    }
    int p = 0;
    for (int i = 0; i < s->n; i++)
        p += s->r[i].state != 3;
    *pending = p;
    return DS_OK;
}

ds_status ds_sched_run(ds_sched *s, ds_err *err)
{
    int pending = 1;
    while (pending > 0) {
        ds_status st = ds_sched_step(s, &pending, err);
        if (st != DS_OK)
            return st;
    }
    return DS_OK;
}

int ds_sched_result_of(const ds_sched *s, int id, ds_sched_result *r)
{
    if (id < 0 || id >= s->n)
        return -1;
    const req *q = &s->r[id];
    *r = (ds_sched_result){q->out, q->n_out, q->state == 3, q->complete, q->status};
    return 0;
}

void ds_sched_stats_of(const ds_sched *s, ds_sched_stats *st)
{
    *st = s->st;
}
