/* scheduler.h - continuous batching over one model: requests (prompt ids, sampling parameters,
 * optional JSON schema, token limit) are submitted, then steps run until all are done. Each step
 * shares one forward call among many sequences under a token budget: every decoding sequence
 * contributes its next token, and prompt chunks of sequences still prefilling fill the rest, so
 * prefill and decode mix; sequences join as others leave (at most max_active at once).
 * A request's output does not depend on what it was batched with (each has its own sampler
 * seeded by its parameters and its own matcher; batched logits equal alone to fp32 rounding).
 *
 * Ownership: ds_sched_create returns a scheduler the caller frees with ds_sched_free (before the
 * model). It copies prompts; schemas and vocabularies are borrowed and must outlive it. Result
 * tokens are owned by the scheduler until it is freed. Threading: one thread at a time; the
 * model must not be used by anything else while a step runs.
 */
#ifndef DS_MODEL_SCHEDULER_H
#define DS_MODEL_SCHEDULER_H

#include "model/json_schema.h"
#include "model/model.h"
#include "model/sampler.h"

typedef struct ds_sched ds_sched;

typedef struct ds_sched_opts {
    int token_budget;     /* tokens per step over all sequences; 0: 256 */
    int max_active;       /* sequences in flight at once; 0: 64 */
    int use_prefix_cache; /* 1: a prompt starts from the prefix cache's pages
                              (ds_model_prefix_attach) and its full blocks are cached once
                              prefilled (the model's prefix cache must be enabled) */
} ds_sched_opts;

ds_status ds_sched_create(ds_sched **out, ds_model *m, const ds_sched_opts *o, ds_err *err);
void ds_sched_free(ds_sched *s);

/* Queues a request; *id receives its number (0, 1, ... in submission order). sp NULL: greedy.
 * schema non-NULL constrains the output (vocab then required: the model's vocabulary with its
 * eos ids). Generation ends at an end-of-sequence id of the config, when the JSON value is
 * finished, or after max_tokens tokens. */
ds_status ds_sched_submit(ds_sched *s, const int32_t *prompt, int n_prompt, const ds_sampler_params *sp,
                          const ds_json_schema *schema, const ds_json_vocab *vocab, int max_tokens, int *id,
                          ds_err *err);

/* One step; *pending receives the requests not yet done. */
ds_status ds_sched_step(ds_sched *s, int *pending, ds_err *err);
/* Steps until every request is done. A failing request (a schema that allows nothing) is
 * marked failed and the others go on; an error of the model itself stops the run. */
ds_status ds_sched_run(ds_sched *s, ds_err *err);

typedef struct ds_sched_result {
    const int32_t *tokens; /* borrowed from the scheduler */
    int n_tokens;
    int done;         /* finished (normally or not) */
    int complete;     /* ended by eos or a finished JSON value, not by max_tokens */
    ds_status status; /* DS_OK, or why the request failed */
} ds_sched_result;
/* 0, or -1 for an unknown id. */
int ds_sched_result_of(const ds_sched *s, int id, ds_sched_result *r);

typedef struct ds_sched_stats {
    uint64_t steps, prefill_tokens, decode_tokens, reused_tokens;
    double forward_s, sample_s; /* time in forward calls, in masks and sampling */
    int max_batch;              /* most sequences in one step */
} ds_sched_stats;
void ds_sched_stats_of(const ds_sched *s, ds_sched_stats *st);

#endif
