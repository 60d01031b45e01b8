/* awq_repack.c - the decode layout of an AutoAWQ int4 weight (described at ds_k_awq_repack in
 * kernels.h): one pass over qweight, qzeros and scales that rewrites them so that a matmul of a
 * few tokens reads one contiguous chunk per (32-column panel, group), every byte once, and
 * turns eight k rows of eight columns into floats with one mask (or shift) per row.
 * Also the panel loop of the decode kernels (awq_gemv_avx2.c, awq_gemv_avx512.c): x prepared
 * once, each panel and token summed group by group. Pure functions; reentrant. The stored
 * format stays AutoAWQ: this is built at load time.
 */
#include "kernels/cpu/awq_internal.h"

#include <string.h>

enum { RP = DS_K_AWQ_RP };

size_t ds_k_awq_repack_size(int N, int K, int G)
{
    if (N <= 0 || K <= 0 || G <= 0 || N % RP != 0 || G % 8 != 0 || K % G != 0)
        return 0;
    return (size_t)(N / RP) * (size_t)(K / G) * (96 + 16 * (size_t)G);
}

static inline uint32_t nibble(const int32_t *packed, int W, int row, int col)
{
    return ((uint32_t)packed[(size_t)row * W + col / 8] >> (4 * ds_k_awq_slot[col % 8])) & 15u;
}

void ds_k_awq_repack(void *out, const ds_k_awq *w, int N, int K)
{
    const int G = w->group, W = N / 8, NG = K / G;
    const size_t CB = 96 + 16 * (size_t)G;
    uint8_t *o = out;
    for (int p = 0; p < N / RP; p++)
        for (int g = 0; g < NG; g++) {
            uint8_t *c = o + ((size_t)p * NG + g) * CB;
            memcpy(c, w->scales + (size_t)g * N + (size_t)p * RP, RP * sizeof(uint16_t));
            for (int n = 0; n < RP; n++)
                c[64 + n] = (uint8_t)nibble(w->qzeros, W, g, p * RP + n);
            uint32_t *words = (uint32_t *)(c + 96); /* [G / 8][4][8] */
            for (int kw = 0; kw < G / 8; kw++)
                for (int n = 0; n < RP; n++) {
                    uint32_t v = 0;
                    for (int s = 0; s < 8; s++)
                        v |= nibble(w->qweight, W, g * G + 8 * kw + s, p * RP + n) << (4 * s);
                    words[(size_t)kw * RP + n] = v;
                }
        }
}

size_t ds_k_awq_rec_bytes_f32(int G)
{
    return ((size_t)G + 1) * sizeof(float);
}

void ds_k_awq_prepare_f32(uint8_t *rec, const float *x, int K, int G)
{
    static const float row_scale[8] = {1.0f, 0x1p-4f, 0x1p-8f, 0x1p-12f, 0x1p-16f, 0x1p-20f, 0x1p-24f, 1.0f};
    for (int g = 0; g < K / G; g++, rec += ds_k_awq_rec_bytes_f32(G)) {
        float *xs = (float *)rec, s = 0.0f;
        for (int k = 0; k < G; k++) {
            s += x[g * G + k];
            xs[k] = x[g * G + k] * row_scale[k % 8];
        }
        xs[G] = s;
    }
}

void ds_k_awq_gemv_panels(const ds_k_matmul_job *j, int n0, int n1, void *scratch, const ds_k_awq_gemv_kernel *kern)
{
    const ds_k_awq *a = j->w.data;
    const int T = j->T, N = j->N, K = j->K, G = a->group, NG = K / G;
    const size_t CB = 96 + 16 * (size_t)G, RB = kern->rec_bytes(G);
    uint8_t *recs = scratch; /* (T, NG) records */
    for (int t = 0; t < T; t++)
        kern->prepare(recs + (size_t)t * NG * RB, j->x + (size_t)t * K, K, G);
    const uint8_t *base = a->repacked;
    for (int p = n0 / RP; p < n1 / RP; p++) {
        const uint8_t *chunks = base + (size_t)p * NG * CB;
        for (int t = 0; t < T; t++) {
            float yacc[RP] = {0};
            for (int g = 0; g < NG; g++)
                kern->group_dot(yacc, chunks + (size_t)g * CB, recs + ((size_t)t * NG + g) * RB, G);
            float *y = j->y + (size_t)t * N + (size_t)p * RP;
            for (int c = 0; c < RP; c++)
                y[c] = j->accumulate ? y[c] + yacc[c] : yacc[c];
        }
    }
}
