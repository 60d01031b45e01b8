/* sampler.c - next-token choice (sampler.h): greedy argmax over the allowed ids, or softmax at a
 * temperature after an optional repetition penalty, restricted to the top-k logits and then to
 * the smallest set of most likely ids whose mass reaches top-p, drawn with the sampler's own
 * xoshiro256** generator.
 *
 * Ordering is total (logit descending, then id ascending), so a seed gives the same ids on every
 * machine with the same logits. Candidates whose probability is below 1e-12 of the largest are
 * dropped before sorting (their total mass is below vocab * 1e-12); this keeps top-p on a
 * 151,936-id vocabulary cheap.
 * Owns: its scratch arrays. Threading: one thread at a time per sampler.
 */
#include "model/sampler.h"

#include "pipeline/core/alloc.h"
#include "pipeline/core/clock.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct cand {
    float logit;
    int32_t id;
} cand;

struct ds_sampler {
    ds_sampler_params p;
    int vocab;
    ds_rng rng;
    cand *c;
    float *pen; /* penalised logits (only when a penalty is on) */
};

void ds_sampler_params_default(ds_sampler_params *p)
{
    memset(p, 0, sizeof *p);
    p->top_p = 1.0f;
}

void ds_rng_seed(ds_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = ds_splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t ds_rng_next(ds_rng *r)
{
    uint64_t *s = r->s;
    const uint64_t out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

double ds_rng_uniform(ds_rng *r)
{
    return (double)(ds_rng_next(r) >> 11) * 0x1.0p-53;
}

ds_status ds_sampler_create(ds_sampler **out, int vocab, const ds_sampler_params *p, ds_err *err)
{
    *out = NULL;
    if (vocab <= 0)
        return ds_err_set(err, DS_ERR_USAGE, "sampler: vocabulary of %d ids", vocab);
    ds_sampler *s = ds_calloc(1, sizeof *s);
    if (!s)
        return ds_err_set(err, DS_ERR_NOMEM, "sampler: out of memory");
    if (p)
        s->p = *p;
    else
        ds_sampler_params_default(&s->p);
    s->vocab = vocab;
    ds_rng_seed(&s->rng, s->p.seed);
    s->c = ds_malloc((size_t)vocab * sizeof *s->c);
    if (s->p.repetition_penalty > 1.0f)
        s->pen = ds_malloc((size_t)vocab * sizeof *s->pen);
    if (!s->c || (s->p.repetition_penalty > 1.0f && !s->pen)) {
        ds_sampler_free(s);
        return ds_err_set(err, DS_ERR_NOMEM, "sampler: out of memory for %d ids", vocab);
    }
    *out = s;
    return DS_OK;
}

void ds_sampler_free(ds_sampler *s)
{
    if (!s)
        return;
    ds_free(s->c);
    ds_free(s->pen);
    ds_free(s);
}

const ds_sampler_params *ds_sampler_params_of(const ds_sampler *s)
{
    return &s->p;
}

static int cmp_cand(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->logit != y->logit)
        return x->logit > y->logit ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

#define ALLOWED(m, i) (!(m) || (((m)[(i) >> 6] >> ((i)&63)) & 1u))

int32_t ds_sampler_sample(ds_sampler *s, const float *logits, const uint64_t *allowed, const int32_t *history,
                          int n_history)
{
    const int V = s->vocab;
    const float *lg = logits;
    if (s->pen && history && n_history > 0) {
        memcpy(s->pen, logits, (size_t)V * sizeof(float));
        int from = s->p.repetition_window > 0 && n_history > s->p.repetition_window ? n_history - s->p.repetition_window
                                                                                    : 0;
        const float r = s->p.repetition_penalty;
        for (int i = from; i < n_history; i++) {
            int32_t t = history[i];
            if (t < 0 || t >= V)
                continue;
            /* each id once, whatever its count */
            float v = logits[t];
            s->pen[t] = v > 0 ? v / r : v * r;
        }
        lg = s->pen;
    }
    /* the best allowed id (greedy answer and the softmax's shift) */
    int32_t best = -1;
    float bl = 0;
    for (int i = 0; i < V; i++)
        if (ALLOWED(allowed, i) && !isnan(lg[i]) && (best < 0 || lg[i] > bl)) {
            best = i;
            bl = lg[i];
        }
    if (best < 0 || s->p.temperature <= 0.0f)
        return best;
    const double invT = 1.0 / s->p.temperature;
    /* candidates above the negligible-probability floor */
    const double floor_l = bl - 27.6 * s->p.temperature; /* exp(-27.6) ~ 1e-12 */
    int n = 0;
    for (int i = 0; i < V; i++)
        if (ALLOWED(allowed, i) && lg[i] >= floor_l)
            s->c[n++] = (cand){lg[i], i};
    const int need_sort = (s->p.top_k > 0 && s->p.top_k < n) || (s->p.top_p > 0.0f && s->p.top_p < 1.0f);
    if (need_sort)
        qsort(s->c, (size_t)n, sizeof *s->c, cmp_cand);
    if (s->p.top_k > 0 && s->p.top_k < n)
        n = s->p.top_k;
    double total = 0;
    for (int i = 0; i < n; i++)
        total += exp(((double)s->c[i].logit - bl) * invT);
    if (s->p.top_p > 0.0f && s->p.top_p < 1.0f) {
        double acc = 0, lim = s->p.top_p * total;
        int keep = n;
        for (int i = 0; i < n; i++) {
            acc += exp(((double)s->c[i].logit - bl) * invT);
            if (acc >= lim) {
                keep = i + 1;
                break;
            }
        }
        n = keep;
        /* mass of the kept ids, summed as they will be drawn */
        total = 0;
        for (int i = 0; i < n; i++)
            total += exp(((double)s->c[i].logit - bl) * invT);
    }
    double u = ds_rng_uniform(&s->rng) * total, acc = 0;
    for (int i = 0; i < n; i++) {
        acc += exp(((double)s->c[i].logit - bl) * invT);
        if (u < acc)
            return s->c[i].id;
    }
    return s->c[n - 1].id;
}
