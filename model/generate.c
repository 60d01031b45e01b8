/* generate.c - sampled and schema-constrained generation on one sequence (ds_model_generate in
 * model.h): prefill, then per step the matcher's mask (when a schema is given; within the tokens
 * left, so the value closes before max_new), the sampler's choice, the matcher's advance, and
 * one decode step.
 * Owns: its logits buffer for the call. Threading: as the model (one call per model at a time).
 */
#include "model/json_schema.h"
#include "model/model_internal.h"
#include "model/sampler.h"

#include "pipeline/core/alloc.h"
#include "pipeline/core/clock.h"

#include <time.h>

static int is_eos(const ds_model *m, int32_t id)
{
    for (int e = 0; e < m->cfg.n_eos; e++)
        if (id == m->cfg.eos_token_ids[e])
            return 1;
    return 0;
}

ds_status ds_model_generate(ds_model *m, ds_model_seq *seq, const int32_t *prompt, int n_prompt, int max_new,
                            ds_sampler *sampler, ds_json_matcher *json, int32_t *out, int *n_out, int *complete,
                            double *prefill_s, double *decode_s, double *json_mask_s, ds_err *err)
{
    *n_out = 0;
    if (complete)
        *complete = 0;
    if (prefill_s)
        *prefill_s = 0;
    if (decode_s)
        *decode_s = 0;
    if (json_mask_s)
        *json_mask_s = 0;
    if (n_prompt <= 0)
        return ds_err_set(err, DS_ERR_USAGE, "model: empty prompt");
    if (max_new <= 0)
        return DS_OK;
    const int V = m->cfg.vocab_size;
    float *logits = ds_malloc((size_t)V * sizeof(float));
    if (!logits)
        return ds_err_set(err, DS_ERR_NOMEM, "model: out of memory for logits");
    double t0 = ds_now_s(), mask_s = 0;
    ds_status st = ds_model_forward(m, seq, prompt, n_prompt, DS_MODEL_LOGITS_LAST, logits, err);
    double t1 = ds_now_s();
    if (prefill_s)
        *prefill_s = t1 - t0;
    for (int i = 0; st == DS_OK && i < max_new; i++) {
        const uint64_t *mask = NULL;
        if (json) {
            if (ds_json_matcher_finished(json)) {
                if (m->cfg.n_eos > 0)
                    out[(*n_out)++] = m->cfg.eos_token_ids[0];
                if (complete)
                    *complete = 1;
                break;
            }
            double tm = ds_now_s();
            mask = ds_json_matcher_mask_within(json, max_new - i);
            mask_s += ds_now_s() - tm;
        }
        int32_t next = sampler ? ds_sampler_sample(sampler, logits, mask, out, *n_out) : -1;
        if (!sampler) {
            next = -1;
            float bl = 0;
            for (int v = 0; v < V; v++)
                if ((!mask || (mask[v >> 6] >> (v & 63) & 1)) && (next < 0 || logits[v] > bl)) {
                    next = v;
                    bl = logits[v];
                }
        }
        if (next < 0) {
            st = ds_err_set(err, DS_ERR_INTERNAL,
                            "model: the json schema allows no token of the vocabulary at output "
                            "token %d",
                            *n_out);
            break;
        }
        if (json && (st = ds_json_matcher_accept(json, next, err)) != DS_OK)
            break;
        out[(*n_out)++] = next;
        if (is_eos(m, next)) {
            if (complete)
                *complete = 1;
            break;
        }
        if (json && ds_json_matcher_finished(json)) { /* nothing can follow: no step for it */
            if (m->cfg.n_eos > 0 && i + 1 < max_new)
                out[(*n_out)++] = m->cfg.eos_token_ids[0];
            if (complete)
                *complete = 1;
            break;
        }
        if (i + 1 == max_new)
            break;
        st = ds_model_forward(m, seq, &next, 1, DS_MODEL_LOGITS_LAST, logits, err);
    }
    if (decode_s)
        *decode_s = ds_now_s() - t1;
    if (json_mask_s)
        *json_mask_s = mask_s;
    ds_free(logits);
    return st;
}
