/* twins.c - reference twins of the CUDA backend's model ops that the CPU forward pass does
 * inline (kernels.h, "twins of the CUDA backend's model ops"): MoE routing, the grouping of
 * (token, expert) pairs by expert and the weighted combination, the KV page write, Philox,
 * seeded sampling and the JSON token mask. Plain loops, double accumulation, single thread,
 * written to be obviously right; tests/cuda compares the CUDA kernels against them.
 * Pure functions; reentrant.
 */
#include "kernels/kernels.h"
#include "kernels/philox.h"

#include "pipeline/core/alloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void ds_k_moe_route_ref(int32_t *idx, float *w, const float *logits, int T, int E, int k, float exp_t, int norm)
{
    for (int t = 0; t < T; t++) {
        const float *lr = logits + (size_t)t * E;
        int32_t *ir = idx + (size_t)t * k;
        float *wr = w + (size_t)t * k;
        double mx = -INFINITY, sum = 0;
        for (int e = 0; e < E; e++)
            if ((double)(lr[e] / exp_t) > mx)
                mx = (double)(lr[e] / exp_t);
        for (int e = 0; e < E; e++)
            sum += exp((double)(lr[e] / exp_t) - mx);
        /* selection by repeated scans on the probabilities: lowest index among equal values */
        for (int j = 0; j < k; j++) {
            int best = -1;
            double bp = -1;
            for (int e = 0; e < E; e++) {
                int taken = 0;
                for (int q = 0; q < j; q++)
                    taken |= ir[q] == e;
                double p = exp((double)(lr[e] / exp_t) - mx) / sum;
                if (!taken && p > bp) {
                    bp = p;
                    best = e;
                }
            }
            if (best < 0) { /* no finite probability (a NaN row): the lowest free expert */
                for (int e = 0; e < E && best < 0; e++) {
                    int taken = 0;
                    for (int q = 0; q < j; q++)
                        taken |= ir[q] == e;
                    if (!taken)
                        best = e;
                }
                bp = exp((double)(lr[best] / exp_t) - mx) / sum;
            }
            ir[j] = best;
            wr[j] = (float)bp;
        }
        if (norm) {
            double s = 0;
            for (int j = 0; j < k; j++)
                s += wr[j];
            for (int j = 0; j < k; j++)
                wr[j] = (float)(wr[j] / s);
        }
    }
}

void ds_k_moe_permute_ref(int32_t *counts, int32_t *offsets, int32_t *row_tok, float *row_w, int32_t *pair_row,
                          const int32_t *idx, const float *w, int T, int k, int E)
{
    for (int e = 0; e < E; e++)
        counts[e] = 0;
    for (int i = 0; i < T * k; i++)
        counts[idx[i]]++;
    offsets[0] = 0;
    for (int e = 0; e < E; e++)
        offsets[e + 1] = offsets[e] + counts[e];
    /* expert by expert, tokens in order: the grouped order */
    int r = 0;
    for (int e = 0; e < E; e++)
        for (int t = 0; t < T; t++)
            for (int j = 0; j < k; j++)
                if (idx[(size_t)t * k + j] == e) {
                    row_tok[r] = t;
                    row_w[r] = w[(size_t)t * k + j];
                    pair_row[(size_t)t * k + j] = r;
                    r++;
                }
}

void ds_k_moe_combine_ref(float *out, const float *y, const int32_t *pair_row, const int32_t *idx, const float *row_w,
                          int T, int k, int H, int accumulate)
{
    for (int t = 0; t < T; t++) {
        /* the token's pairs in ascending expert order (k is small: selection) */
        int order[256];
        int n = k < 256 ? k : 256;
        for (int j = 0; j < n; j++)
            order[j] = j;
        for (int a = 0; a < n; a++)
            for (int b = a + 1; b < n; b++)
                if (idx[(size_t)t * k + order[b]] < idx[(size_t)t * k + order[a]]) {
                    int tmp = order[a];
                    order[a] = order[b];
                    order[b] = tmp;
                }
        for (int h = 0; h < H; h++) {
            double s = 0;
            for (int j = 0; j < n; j++) {
                int r = pair_row[(size_t)t * k + order[j]];
                s += (double)row_w[r] * y[(size_t)r * H + h];
            }
            float *o = out + (size_t)t * H + h;
            *o = accumulate ? (float)((double)*o + (double)(float)s) : (float)s;
        }
    }
}

void ds_k_kv_write_ref(float *const *kpages, float *const *vpages, int page_tokens, const float *k, const float *v,
                       int pos0, int T, int Hkv, int D)
{
    const int PT = page_tokens;
    for (int t = 0; t < T; t++) {
        const int pos = pos0 + t, slot = pos % PT;
        float *Kt = kpages[pos / PT], *Vp = vpages[pos / PT];
        for (int h = 0; h < Hkv; h++)
            for (int d = 0; d < D; d++) {
                Kt[((size_t)h * D + d) * PT + slot] = k[((size_t)t * Hkv + h) * D + d];
                Vp[((size_t)h * PT + slot) * D + d] = v[((size_t)t * Hkv + h) * D + d];
            }
    }
}

void ds_k_philox4x32(uint32_t out[4], const uint32_t ctr[4], const uint32_t key[2])
{
    ds_philox4x32_10(out, ctr, key);
}

typedef struct scored {
    float s;
    int i;
} scored;

static int by_score_desc(const void *a, const void *b)
{
    const scored *x = a, *y = b;
    if (x->s != y->s)
        return x->s > y->s ? -1 : 1;
    return x->i - y->i;
}

int ds_k_sample_ref(const float *logits, int V, float temperature, float top_p, uint64_t seed, uint64_t counter)
{
    if (V <= 0)
        return 0;
    if (!(temperature > 0.0f)) {
        int best = 0;
        for (int i = 1; i < V; i++)
            if (logits[i] > logits[best])
                best = i;
        return best;
    }
    scored *sc = ds_malloc(sizeof *sc * (size_t)V);
    if (!sc)
        return 0;
    for (int i = 0; i < V; i++)
        sc[i] = (scored){logits[i] / temperature, i};
    qsort(sc, (size_t)V, sizeof *sc, by_score_desc);
    const double mx = sc[0].s;
    if (isinf(mx) && mx < 0) {
        ds_free(sc);
        return 0;
    }
    double z = 0;
    for (int i = 0; i < V; i++)
        z += exp((double)sc[i].s - mx);
    /* the nucleus: a token is kept while the mass strictly above its score is below top_p;
     * equal scores share one verdict */
    int kept = V;
    if (top_p < 1.0f) {
        double above = 0;
        int i = 0;
        while (i < V) {
            int e = i;
            double grp = 0;
            while (e < V && sc[e].s == sc[i].s)
                grp += exp((double)sc[e++].s - mx);
            if (i > 0 && above / z >= (double)top_p) {
                kept = i;
                break;
            }
            above += grp;
            i = e;
        }
    }
    int best = -1;
    double bv = -INFINITY;
    for (int r = 0; r < kept; r++) {
        if (isinf(sc[r].s))
            continue;
        const double u = ds_philox_uniform(seed, counter, (uint32_t)sc[r].i);
        const double v = (double)sc[r].s - log(-log(u));
        if (v > bv || (v == bv && sc[r].i < best)) {
            bv = v;
            best = sc[r].i;
        }
    }
    ds_free(sc);
    return best < 0 ? 0 : best;
}

void ds_k_mask_logits(float *logits, const uint32_t *allow, int V)
{
    for (int i = 0; i < V; i++)
        if (!((allow[i >> 5] >> (i & 31)) & 1u))
            logits[i] = -INFINITY;
}
