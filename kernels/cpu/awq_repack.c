/* awq_repack.c - the decode layout of an AutoAWQ int4 weight (described at ds_k_awq_repack in
 * kernels.h): one pass over qweight, qzeros and scales that rewrites them so that a matmul of a
 * few tokens reads one contiguous chunk per (32-column panel, group), every byte once, and
 * turns eight k rows of eight columns into floats with one mask (or shift) per row.
 * Pure functions; reentrant. The stored format stays AutoAWQ: this is built at load time.
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
