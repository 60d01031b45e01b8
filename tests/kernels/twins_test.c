/* twins_test.c - the CPU twins of the CUDA model ops (kernels/cpu/twins.c), which the CUDA
 * kernels are compared against in tests/cuda, checked here on their own:
 *   Philox4x32-10 against the Random123 known-answer vectors;
 *   MoE routing against softmax + top-k + renormalisation of the CPU engine's ops;
 *   the grouping by expert (counts, offsets, rows, inverse map) and the weighted combination
 *   against brute-force definitions, and against the CPU forward pass's algorithm;
 *   the KV page write against attention over the dense keys and values;
 *   sampling: greedy = argmax, reproducible by seed, frequencies of a small vocabulary within
 *   5 sigma of softmax(logits / T), the nucleus never left, masked tokens never drawn.
 * Seed: DS_TEST_SEED, else the clock (printed).
 */
#include "kernels/kernels.h"
#include "tests/kernels/kernel_testlib.h"

#include <math.h>
#include <stdint.h>
#include <time.h>

static void test_philox(void)
{
    static const uint32_t kat[3][10] = {{0, 0, 0, 0, 0, 0, 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
                                        {0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff,
                                         0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
                                        {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0,
                                         0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}};
    for (int i = 0; i < 3; i++) {
        uint32_t out[4];
        ds_k_philox4x32(out, kat[i], kat[i] + 4);
        DS_CHECKF(memcmp(out, kat[i] + 6, 16) == 0, "philox known answer %d: %08x %08x %08x %08x", i, out[0], out[1],
                  out[2], out[3]);
    }
}

static void test_route_permute_combine(void)
{
    for (int rep = 0; rep < 60; rep++) {
        const int T = 1 + irand(40), E = 1 + irand(130), k = 1 + irand(E < 8 ? E : 8);
        const int norm = irand(2), H = 1 + irand(20);
        const float exp_t = irand(2) ? 1.0f : expf(frand());
        float *lg = malloc(sizeof(float) * T * E), *sc = malloc(sizeof(float) * T * E);
        for (int i = 0; i < T * E; i++)
            lg[i] = frand() * 4.0f;
        int32_t *idx = malloc(4 * T * k), *idx2 = malloc(4 * T * k);
        float *w = malloc(4 * T * k), *w2 = malloc(4 * T * k);
        ds_k_moe_route_ref(idx, w, lg, T, E, k, exp_t, norm);
        /* the CPU engine's way: divide, softmax, top-k, renormalise */
        for (int i = 0; i < T * E; i++)
            sc[i] = lg[i] / exp_t;
        ds_k_softmax_ref(sc, sc, T, E, 1.0f);
        ds_k_topk_ref(idx2, w2, sc, T, E, k);
        if (norm)
            for (int t = 0; t < T; t++) {
                double s = 0;
                for (int j = 0; j < k; j++)
                    s += w2[t * k + j];
                for (int j = 0; j < k; j++)
                    w2[t * k + j] = (float)(w2[t * k + j] / s);
            }
        int same = memcmp(idx, idx2, 4 * (size_t)T * k) == 0;
        double e = 0;
        for (int i = 0; i < T * k; i++)
            e = fmax(e, fabs((double)w[i] - w2[i]));
        DS_CHECKF(same && e < 1e-6, "moe route T=%d E=%d k=%d: indices %s, weight error %.3g", T, E, k,
                  same ? "equal" : "differ", e);

        int32_t *cnt = malloc(4 * E), *off = malloc(4 * (E + 1)), *rt = malloc(4 * T * k), *pr = malloc(4 * T * k);
        float *rw = malloc(4 * T * k);
        ds_k_moe_permute_ref(cnt, off, rt, rw, pr, idx, w, T, k, E);
        int ok = off[0] == 0 && off[E] == T * k;
        for (int e2 = 0; e2 < E; e2++)
            ok &= off[e2 + 1] - off[e2] == cnt[e2];
        /* every pair lands on a row of its expert holding its token and weight; rows of one
         * expert hold ascending tokens; the map is a bijection */
        int *seen = calloc((size_t)T * k, sizeof(int));
        for (int t = 0; t < T; t++)
            for (int j = 0; j < k; j++) {
                int r = pr[t * k + j], ex = idx[t * k + j];
                ok &= r >= off[ex] && r < off[ex + 1] && rt[r] == t && rw[r] == w[t * k + j];
                seen[r]++;
            }
        for (int r = 0; r < T * k; r++)
            ok &= seen[r] == 1;
        for (int e2 = 0; e2 < E; e2++)
            for (int r = off[e2] + 1; r < off[e2 + 1]; r++)
                ok &= rt[r] > rt[r - 1];
        /* the CPU forward pass's fill: counts, then tokens in order into per-expert cursors */
        int32_t *fill = malloc(4 * E);
        for (int e2 = 0; e2 < E; e2++)
            fill[e2] = off[e2];
        for (int t = 0; t < T; t++)
            for (int j = 0; j < k; j++)
                ok &= pr[t * k + j] == fill[idx[t * k + j]]++;
        DS_CHECKF(ok, "moe permute T=%d E=%d k=%d", T, E, k);

        float *y = malloc(4 * (size_t)T * k * H), *o = malloc(4 * (size_t)T * H), *o2 = malloc(4 * (size_t)T * H);
        for (int i = 0; i < T * k * H; i++)
            y[i] = frand();
        for (int i = 0; i < T * H; i++)
            o[i] = o2[i] = frand();
        const int acc = irand(2);
        ds_k_moe_combine_ref(o, y, pr, idx, rw, T, k, H, acc);
        /* brute force: experts in ascending order, each token's pair of that expert */
        double maxe = 0;
        for (int t = 0; t < T; t++)
            for (int h = 0; h < H; h++) {
                double s = 0;
                for (int e2 = 0; e2 < E; e2++)
                    for (int j = 0; j < k; j++)
                        if (idx[t * k + j] == e2)
                            s += (double)w[t * k + j] * y[(size_t)pr[t * k + j] * H + h];
                double want = acc ? (double)o2[t * H + h] + (double)(float)s : s;
                maxe = fmax(maxe, fabs(want - o[t * H + h]));
            }
        DS_CHECKF(maxe < 1e-5, "moe combine T=%d k=%d H=%d: %.3g", T, k, H, maxe);
        free(lg);
        free(sc);
        free(idx);
        free(idx2);
        free(w);
        free(w2);
        free(cnt);
        free(off);
        free(rt);
        free(pr);
        free(rw);
        free(seen);
        free(fill);
        free(y);
        free(o);
        free(o2);
    }
}

/* Keys and values written page by page, read by the attention reference, equal attention
 * computed straight from the dense arrays. */
static void test_kv_write(void)
{
    for (int rep = 0; rep < 20; rep++) {
        const int PT = 16 * (1 + irand(4)), D = 8 * (1 + irand(8)), Hkv = 1 + irand(3);
        const int G = 1 + irand(4), Hq = Hkv * G, total = 1 + irand(200);
        const int n_pages = (total + PT - 1) / PT;
        float **kp = malloc(sizeof(float *) * n_pages), **vp = malloc(sizeof(float *) * n_pages);
        for (int p = 0; p < n_pages; p++) {
            kp[p] = calloc((size_t)Hkv * PT * D, 4);
            vp[p] = calloc((size_t)Hkv * PT * D, 4);
        }
        float *k = malloc(4 * (size_t)total * Hkv * D), *v = malloc(4 * (size_t)total * Hkv * D);
        for (int i = 0; i < total * Hkv * D; i++) {
            k[i] = frand();
            v[i] = frand();
        }
        /* written in two calls, split at a random position */
        int a = irand(total + 1);
        ds_k_kv_write_ref(kp, vp, PT, k, v, 0, a, Hkv, D);
        ds_k_kv_write_ref(kp, vp, PT, k + (size_t)a * Hkv * D, v + (size_t)a * Hkv * D, a, total - a, Hkv, D);
        const int T = 1 + irand(total), pos0 = total - T;
        float *q = malloc(4 * (size_t)T * Hq * D), *out = malloc(4 * (size_t)T * Hq * D);
        for (int i = 0; i < T * Hq * D; i++)
            q[i] = frand();
        ds_k_kv_pages kv = {(const float *const *)kp, (const float *const *)vp, PT, n_pages};
        const float scale = 0.3f;
        ds_k_attention_ref(out, q, &kv, pos0, T, Hq, Hkv, D, scale);
        double maxe = 0;
        for (int t = 0; t < T; t++)
            for (int hq = 0; hq < Hq; hq++) {
                const int h = hq / G, pos = pos0 + t;
                double mx = -INFINITY, den = 0;
                double *s = malloc(sizeof(double) * (pos + 1));
                for (int j = 0; j <= pos; j++) {
                    double d = 0;
                    for (int i = 0; i < D; i++)
                        d += (double)q[((size_t)t * Hq + hq) * D + i] * k[((size_t)j * Hkv + h) * D + i];
                    s[j] = d * scale;
                    mx = fmax(mx, s[j]);
                }
                for (int j = 0; j <= pos; j++)
                    den += exp(s[j] - mx);
                for (int i = 0; i < D; i++) {
                    double o = 0;
                    for (int j = 0; j <= pos; j++)
                        o += exp(s[j] - mx) / den * v[((size_t)j * Hkv + h) * D + i];
                    maxe = fmax(maxe, fabs(o - out[((size_t)t * Hq + hq) * D + i]));
                }
                free(s);
            }
        DS_CHECKF(maxe < 1e-5, "kv write PT=%d D=%d Hkv=%d total=%d: %.3g", PT, D, Hkv, total, maxe);
        for (int p = 0; p < n_pages; p++) {
            free(kp[p]);
            free(vp[p]);
        }
        free(kp);
        free(vp);
        free(k);
        free(v);
        free(q);
        free(out);
    }
}

static void test_sample(void)
{
    /* greedy */
    float lg[300];
    for (int rep = 0; rep < 20; rep++) {
        int V = 1 + irand(300);
        for (int i = 0; i < V; i++)
            lg[i] = (float)irand(7);
        int best = 0;
        for (int i = 1; i < V; i++)
            if (lg[i] > lg[best])
                best = i;
        DS_CHECK(ds_k_sample_ref(lg, V, 0.0f, 0.9f, rnd(), 0) == best);
    }
    /* frequencies of a small vocabulary */
    enum { V = 6, N = 40000 };
    const float logit[V] = {1.0f, 0.5f, -0.3f, 2.0f, 0.0f, 1.9f};
    for (int mode = 0; mode < 3; mode++) {
        const float temp = mode == 1 ? 0.7f : 1.3f, top_p = mode == 2 ? 0.6f : 1.0f;
        double p[V], z = 0;
        for (int i = 0; i < V; i++)
            z += p[i] = exp((double)(logit[i] / temp));
        /* the nucleus by its definition */
        int kept[V];
        double kz = 0;
        for (int i = 0; i < V; i++) {
            double above = 0;
            for (int j = 0; j < V; j++)
                if (logit[j] / temp > logit[i] / temp)
                    above += p[j] / z;
            kept[i] = above < top_p;
            if (kept[i])
                kz += p[i];
        }
        int count[V] = {0};
        const uint64_t seed = rnd();
        for (int n = 0; n < N; n++)
            count[ds_k_sample_ref(logit, V, temp, top_p, seed, (uint64_t)n)]++;
        for (int i = 0; i < V; i++) {
            double want = kept[i] ? p[i] / kz : 0.0;
            double sigma = sqrt(want * (1 - want) / N) + 1e-9;
            DS_CHECKF(fabs((double)count[i] / N - want) < 5 * sigma + 1e-12,
                      "sample mode %d token %d: frequency %.4f, expected %.4f", mode, i, (double)count[i] / N, want);
        }
        /* the same seed and counter draw the same token */
        DS_CHECK(ds_k_sample_ref(logit, V, temp, top_p, seed, 77) == ds_k_sample_ref(logit, V, temp, top_p, seed, 77));
    }
    /* the mask: only allowed tokens are ever drawn */
    float big[200];
    uint32_t allow[7] = {0};
    for (int i = 0; i < 200; i++)
        big[i] = frand() * 3.0f;
    for (int i = 0; i < 200; i += 7)
        allow[i >> 5] |= 1u << (i & 31);
    ds_k_mask_logits(big, allow, 200);
    int bad = 0;
    for (int i = 0; i < 200; i++)
        bad += (i % 7 != 0) != (isinf(big[i]) != 0);
    for (int n = 0; n < 2000; n++)
        bad += ds_k_sample_ref(big, 200, 1.0f, 0.95f, 5, (uint64_t)n) % 7 != 0;
    DS_CHECKF(bad == 0, "mask: %d tokens outside the mask", bad);
}

int main(void)
{
    kt_seed();
    test_philox();
    test_route_permute_combine();
    test_kv_write();
    test_sample();
    return ds_test_done();
}
