/* sampler.h - choosing the next token from a step's logits: greedy, temperature, top-k, top-p,
 * an optional repetition penalty, and an optional mask of allowed tokens (constrained decoding,
 * model/json_schema.h). Seeded: the same seed, logits and history give the same tokens.
 *
 * Ownership: ds_sampler_create returns a sampler the caller frees with ds_sampler_free; it owns
 * its PRNG state and scratch. Threading: one thread at a time per sampler (give each sequence its
 * own); no global state.
 */
#ifndef DS_MODEL_SAMPLER_H
#define DS_MODEL_SAMPLER_H

#include "pipeline/core/status.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ds_sampler_params {
    float temperature;        /* <= 0: greedy (argmax, lowest id on ties) */
    float top_p;              /* nucleus mass in (0, 1]; >= 1 or <= 0: off */
    int top_k;                /* keep the k largest logits; <= 0: off */
    uint64_t seed;            /* PRNG seed */
    float repetition_penalty; /* > 1 penalises ids seen in the last repetition_window history
                                 ids (Hugging Face rule: positive logits divided, negative
                                 multiplied); <= 1: off */
    int repetition_window;    /* 0: the whole history */
} ds_sampler_params;

/* Greedy, no penalty, seed 0. */
void ds_sampler_params_default(ds_sampler_params *p);

/* The sampler's own PRNG (xoshiro256**), seeded by splitmix64. */
typedef struct ds_rng {
    uint64_t s[4];
} ds_rng;
void ds_rng_seed(ds_rng *r, uint64_t seed);
uint64_t ds_rng_next(ds_rng *r);
double ds_rng_uniform(ds_rng *r); /* [0, 1), 53 bits */

typedef struct ds_sampler ds_sampler;

ds_status ds_sampler_create(ds_sampler **out, int vocab, const ds_sampler_params *p, ds_err *err);
void ds_sampler_free(ds_sampler *s); /* NULL: no-op */
const ds_sampler_params *ds_sampler_params_of(const ds_sampler *s);

/* Picks a token from logits[0..vocab). allowed (may be NULL: every id) is a bitmask of
 * (vocab + 63) / 64 words, bit i of word i / 64 set when id i may be chosen. history[0..n_history)
 * are the ids of the sequence so far (for the repetition penalty; may be NULL). logits are not
 * modified. Returns the id, or -1 when the mask allows nothing. */
int32_t ds_sampler_sample(ds_sampler *s, const float *logits, const uint64_t *allowed, const int32_t *history,
                          int n_history);

#endif
