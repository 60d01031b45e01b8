/* awq_template.h - the vector slice of the int4 AWQ matmul, written once over GCC vector
 * extensions of AWQ_VL floats. Included once by awq_avx2.c (8 lanes) and awq_avx512.c (16
 * lanes), which first define AWQ_TGT (the target attribute), AWQ_VL, AWQ_MR (token rows per
 * micro-kernel), AWQ_NBV (vectors per panel row), AWQ_SET1 (broadcast of a float) and AWQ_FN
 * (the exported function).
 *
 * Per panel of NB = AWQ_VL * AWQ_NBV columns and DS_K_AWQ_KC rows of k: the packed nibbles are
 * shifted out per lane, converted, and turned into (q - z) * s in a scratch panel (kc, NB); then
 * every token row is multiplied with it, MR rows at a time, and added to y. A repacked weight
 * fills the panel from the decode layout instead (dequant_panel_rp). Columns past N in
 * the last panel are zero in the panel and never stored. Up to four tokens (decode) skip the
 * scratch panel: the weights are unpacked in registers and used at once, the scale and zero
 * applied once per group (gemv_panel).
 * Threading: works on the slice it is given.
 */
#include "kernels/cpu/awq_internal.h"
#include "kernels/cpu/cpu_internal.h"

#if AWQ_MR != 2 && AWQ_MR != 4 && AWQ_MR != 6 && AWQ_MR != 12
#error "AWQ_MR must be 2, 4, 6 or 12"
#endif

#include <string.h>

#define NB (AWQ_VL * AWQ_NBV)
#define AI static inline __attribute__((always_inline)) AWQ_TGT

typedef float vf __attribute__((vector_size(AWQ_VL * 4)));
typedef int32_t vi __attribute__((vector_size(AWQ_VL * 4)));
typedef uint32_t vu __attribute__((vector_size(AWQ_VL * 4)));

AI vf ld(const float *p)
{
    vf v;
    memcpy(&v, p, sizeof v);
    return v;
}
AI void st(float *p, vf v)
{
    memcpy(p, &v, sizeof v);
}
/* AWQ_SET1 (the including file's): the instruction set's broadcast, one load from memory where
 * f is in memory; (vf){0} + f would be a scalar add and a register broadcast, which competes
 * with the FMAs for their port. */
AI vf splat(float f)
{
    return (vf)AWQ_SET1(f);
}
AI vi splati(int32_t x)
{
    return (vi){0} + x;
}

/* Lane i of a vector of columns [c, c + VL) holds the nibble of column c + i. */
#if AWQ_VL == 16
static const vi SHIFT = {0, 16, 4, 20, 8, 24, 12, 28, 0, 16, 4, 20, 8, 24, 12, 28};
static const vi HIGH = {0, 0, 0, 0, 0, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -1};
#elif AWQ_VL == 8
static const vi SHIFT = {0, 16, 4, 20, 8, 24, 12, 28};
#else
#error "AWQ_VL must be 8 or 16"
#endif

/* words[0 .. VL/8): the int32 words of the lane's columns (0 for words past the panel). */
AI vf nibbles(const int32_t *words, int nwords)
{
#if AWQ_VL == 16
    vi lo = splati(words[0]), hi = splati(nwords > 1 ? words[1] : 0);
    vi w = (lo & ~HIGH) | (hi & HIGH);
#else
    (void)nwords;
    vi w = splati(words[0]);
#endif
    vi q = (vi)(((vu)w >> (vu)SHIFT) & 15u);
    return __builtin_convertvector(q, vf);
}

/* Wp (kc, NB) = W^T rows [k0, k0 + kc) x columns [p, p + nb); p % 8 == 0, nb % 8 == 0. */
static AWQ_TGT void dequant_panel(float *Wp, float *zs, const ds_k_matmul_job *j, int p, int nb, int k0, int kc)
{
    const ds_k_awq *a = j->w.data;
    const int N = j->N, W8 = N / 8, G = a->group;
    const int32_t *qw = a->qweight, *qz = a->qzeros;
    float *zf = zs, *sf = zs + NB;
    int gcur = -1;
    for (int kk = 0; kk < kc; kk++) {
        const int k = k0 + kk, g = k / G;
        if (g != gcur) {
            gcur = g;
            for (int c = 0; c < NB; c++) {
                if (c < nb) {
                    const int n = p + c;
                    zf[c] = (float)(((uint32_t)qz[(size_t)g * W8 + n / 8] >> (4 * ds_k_awq_slot[n % 8])) & 15u);
                    sf[c] = ds_k_f16_to_f32(a->scales[(size_t)g * N + n]);
                } else {
                    zf[c] = sf[c] = 0.0f;
                }
            }
        }
        const int32_t *row = qw + (size_t)k * W8 + p / 8;
        int32_t words[NB / 8];
        for (int w = 0; w < NB / 8; w++)
            words[w] = 8 * w < nb ? row[w] : 0;
#pragma GCC unroll 8
        for (int cv = 0; cv < NB; cv += AWQ_VL) {
            vf q = nibbles(words + cv / 8, (nb - cv + 7) / 8);
            st(Wp + (size_t)kk * NB + cv, (q - ld(zf + cv)) * ld(sf + cv));
        }
    }
}

/* The same panel from the decode layout (ds_k_awq_repack), so that a model whose weights were
 * repacked never reads the AutoAWQ arrays again: columns [p, p + nb) with p and nb multiples of
 * AWQ_VL (a vector never straddles a 32-column panel), rows [k0, k0 + kc). The words of eight
 * rows of a vector's columns are one load; row k is a shift by 4 (k % 8). The values equal
 * dequant_panel's exactly. */
static AWQ_TGT void dequant_panel_rp(float *Wp, const ds_k_matmul_job *j, int p, int nb, int k0, int kc)
{
    const ds_k_awq *a = j->w.data;
    const int G = a->group, NG = j->K / G;
    const size_t CB = 96 + 16 * (size_t)G;
    const uint8_t *base = a->repacked;
    for (int cv = 0; cv < NB; cv += AWQ_VL) {
        if (cv >= nb) {
            for (int kk = 0; kk < kc; kk++)
                st(Wp + (size_t)kk * NB + cv, splat(0.0f));
            continue;
        }
        const int n = p + cv, lane = n % DS_K_AWQ_RP;
        const uint8_t *panel = base + (size_t)(n / DS_K_AWQ_RP) * NG * CB;
        int gcur = -1;
        vf sv = splat(0.0f), zv = sv;
        const uint8_t *chunk = panel;
        for (int kk = 0; kk < kc; kk++) {
            const int k = k0 + kk, g = k / G;
            if (g != gcur) {
                gcur = g;
                chunk = panel + (size_t)g * CB;
                float sf[AWQ_VL], zf[AWQ_VL];
                for (int i = 0; i < AWQ_VL; i++) {
                    uint16_t h;
                    memcpy(&h, chunk + 2 * (lane + i), 2);
                    sf[i] = ds_k_f16_to_f32(h);
                    zf[i] = (float)chunk[64 + lane + i];
                }
                sv = ld(sf);
                zv = ld(zf);
            }
            vu w;
            memcpy(&w, chunk + 96 + ((size_t)((k % G) / 8) * DS_K_AWQ_RP + lane) * 4, sizeof w);
            const vi q = (vi)((w >> (unsigned)(4 * (k % 8))) & 15u);
            st(Wp + (size_t)kk * NB + cv, (__builtin_convertvector(q, vf) - zv) * sv);
        }
    }
}

/* y rows [t, t + MR) (+)= x rows . Wp, columns [0, nb) of the panel at y + p. */
AI void micro(const ds_k_matmul_job *j, const float *Wp, int t, int MR, int p, int nb, int k0, int kc, int add)
{
    const int N = j->N, K = j->K;
    vf acc[AWQ_MR][AWQ_NBV];
#pragma GCC unroll 16
    for (int r = 0; r < MR; r++)
#pragma GCC unroll 16
        for (int c = 0; c < AWQ_NBV; c++)
            acc[r][c] = splat(0.0f);
    const float *x = j->x + (size_t)t * K + k0;
    for (int kk = 0; kk < kc; kk++) {
        vf w[AWQ_NBV];
#pragma GCC unroll 16
        for (int c = 0; c < AWQ_NBV; c++)
            w[c] = ld(Wp + (size_t)kk * NB + c * AWQ_VL);
#pragma GCC unroll 16
        for (int r = 0; r < MR; r++) {
            vf xb = splat(x[(size_t)r * K + kk]);
#pragma GCC unroll 16
            for (int c = 0; c < AWQ_NBV; c++)
                acc[r][c] += xb * w[c];
        }
    }
    for (int r = 0; r < MR; r++) {
        float *y = j->y + (size_t)(t + r) * N + p;
        for (int c = 0; c < AWQ_NBV; c++) {
            const int c0 = c * AWQ_VL;
            if (c0 >= nb)
                break;
            if (c0 + AWQ_VL <= nb) {
                vf v = acc[r][c];
                if (add)
                    v += ld(y + c0);
                st(y + c0, v);
            } else {
                float tmp[AWQ_VL];
                st(tmp, acc[r][c]);
                for (int i = 0; c0 + i < nb; i++)
                    y[c0 + i] = add ? y[c0 + i] + tmp[i] : tmp[i];
            }
        }
    }
}

static AWQ_TGT void micro_any(const ds_k_matmul_job *j, const float *Wp, int t, int mr, int p, int nb, int k0, int kc,
                              int add)
{
    switch (mr) {
#define MICRO_CASE(m) \
    case m: micro(j, Wp, t, m, p, nb, k0, kc, add); break;
        MICRO_CASE(1)
        MICRO_CASE(2)
#if AWQ_MR >= 4
        MICRO_CASE(3)
        MICRO_CASE(4)
#endif
#if AWQ_MR >= 6
        MICRO_CASE(5)
        MICRO_CASE(6)
#endif
#if AWQ_MR >= 12
        MICRO_CASE(7)
        MICRO_CASE(8)
        MICRO_CASE(9)
        MICRO_CASE(10)
        MICRO_CASE(11)
        MICRO_CASE(12)
#endif
#undef MICRO_CASE
    default: break;
    }
}

/* A few tokens (decode): each panel streams its packed weights once, unpacked in registers,
 * never written out. Within a group the scale s and zero z of a column are constant, so
 *   sum_k x_k (q_k - z) s = s (sum_k x_k q_k - z sum_k x_k):
 * the inner loop is one conversion and one FMA per weight and token; the group's partial sums
 * are scaled and added into the accumulators once per group, groups in ascending order. */
AI void gemv_panel(const ds_k_matmul_job *j, int p, int nb, int TT, int FULL)
{
    const ds_k_awq *a = j->w.data;
    const int N = j->N, K = j->K, W8 = N / 8, G = a->group;
    vf acc[4][AWQ_NBV];
#pragma GCC unroll 4
    for (int t = 0; t < 4; t++)
#pragma GCC unroll 8
        for (int c = 0; c < AWQ_NBV; c++)
            acc[t][c] = splat(0.0f);
    float sf[NB], zf[NB];
    for (int g = 0; g < K / G; g++) {
        for (int c = 0; c < NB; c++) {
            if (c < nb) {
                const int n = p + c;
                zf[c] = (float)(((uint32_t)a->qzeros[(size_t)g * W8 + n / 8] >> (4 * ds_k_awq_slot[n % 8])) & 15u);
                sf[c] = ds_k_f16_to_f32(a->scales[(size_t)g * N + n]);
            } else {
                sf[c] = zf[c] = 0.0f;
            }
        }
        vf part[4][AWQ_NBV];
        float xsum[4] = {0, 0, 0, 0};
#pragma GCC unroll 4
        for (int t = 0; t < 4; t++)
#pragma GCC unroll 8
            for (int c = 0; c < AWQ_NBV; c++)
                part[t][c] = splat(0.0f);
        for (int k = g * G; k < (g + 1) * G; k++) {
            const int32_t *row = a->qweight + (size_t)k * W8 + p / 8;
            int32_t words[NB / 8];
#pragma GCC unroll 8
            for (int w = 0; w < NB / 8; w++)
                words[w] = FULL || 8 * w < nb ? row[w] : 0;
            vf wv[AWQ_NBV];
#pragma GCC unroll 8
            for (int c = 0; c < AWQ_NBV; c++)
                wv[c] = nibbles(words + c * (AWQ_VL / 8), FULL ? AWQ_VL / 8 : (nb - c * AWQ_VL + 7) / 8);
#pragma GCC unroll 4
            for (int t = 0; t < TT; t++) {
                const float xk = j->x[(size_t)t * K + k];
                const vf xb = splat(xk);
                xsum[t] += xk;
#pragma GCC unroll 8
                for (int c = 0; c < AWQ_NBV; c++)
                    part[t][c] += xb * wv[c];
            }
        }
#pragma GCC unroll 8
        for (int c = 0; c < AWQ_NBV; c++) {
            const vf vs = ld(sf + c * AWQ_VL), vz = ld(zf + c * AWQ_VL);
#pragma GCC unroll 4
            for (int t = 0; t < TT; t++)
                acc[t][c] += vs * (part[t][c] - splat(xsum[t]) * vz);
        }
    }
    for (int t = 0; t < TT; t++) {
        float *y = j->y + (size_t)t * N + p;
        for (int c = 0; c < AWQ_NBV; c++) {
            const int c0 = c * AWQ_VL;
            if (c0 >= nb)
                break;
            float tmp[AWQ_VL];
            st(tmp, acc[t][c]);
            for (int i = 0; i < AWQ_VL && c0 + i < nb; i++)
                y[c0 + i] = j->accumulate ? y[c0 + i] + tmp[i] : tmp[i];
        }
    }
}

static AWQ_TGT void gemv_any(const ds_k_matmul_job *j, int p, int nb)
{
    if (nb == NB) {
        switch (j->T) {
        case 1: gemv_panel(j, p, nb, 1, 1); break;
        case 2: gemv_panel(j, p, nb, 2, 1); break;
        case 3: gemv_panel(j, p, nb, 3, 1); break;
        default: gemv_panel(j, p, nb, 4, 1); break;
        }
        return;
    }
    switch (j->T) {
    case 1: gemv_panel(j, p, nb, 1, 0); break;
    case 2: gemv_panel(j, p, nb, 2, 0); break;
    case 3: gemv_panel(j, p, nb, 3, 0); break;
    default: gemv_panel(j, p, nb, 4, 0); break;
    }
}

AWQ_TGT void AWQ_FN(const ds_k_matmul_job *j, int n0, int n1, float *scratch)
{
    const int T = j->T, K = j->K;
    if (T <= 4) {
        for (int p = n0; p < n1; p += NB)
            gemv_any(j, p, n1 - p < NB ? n1 - p : NB);
        return;
    }
    const ds_k_awq *a = j->w.data;
    const int from_rp = a->repacked && n0 % AWQ_VL == 0 && (n1 - n0) % AWQ_VL == 0;
    float *Wp = scratch;                            /* (DS_K_AWQ_KC, NB) */
    float *zs = scratch + (size_t)DS_K_AWQ_KC * NB; /* 2 * NB */
    for (int p = n0; p < n1; p += NB) {
        const int nb = n1 - p < NB ? n1 - p : NB;
        for (int k0 = 0; k0 < K; k0 += DS_K_AWQ_KC) {
            const int kc = K - k0 < DS_K_AWQ_KC ? K - k0 : DS_K_AWQ_KC;
            if (from_rp)
                dequant_panel_rp(Wp, j, p, nb, k0, kc);
            else
                dequant_panel(Wp, zs, j, p, nb, k0, kc);
            const int add = k0 > 0 || j->accumulate;
            for (int t = 0; t < T; t += AWQ_MR)
                micro_any(j, Wp, t, T - t < AWQ_MR ? T - t : AWQ_MR, p, nb, k0, kc, add);
        }
    }
}
