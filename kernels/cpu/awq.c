/* awq.c - AutoAWQ int4 weights on the CPU: the packing order, packing and unpacking, full
 * dequantisation, and the portable (scalar) slice of the AWQ matmul; the vector slices are in
 * awq_avx2.c and awq_avx512.c (awq_template.h), the few-token path on the repacked layout in
 * awq_gemv_avx2.c, awq_gemv_avx512.c and awq_gemv_vnni.c (awq_repack.c).
 *
 * Dequantised values (q - z) * s are exact in fp32 (a 5-bit integer times an fp16 scale), so
 * the matmul differs from the dequantise-then-multiply reference only by fp32 summation.
 * Pure functions; reentrant.
 */
#include "kernels/cpu/awq_internal.h"
#include "kernels/cpu/cpu_internal.h"

#include <string.h>

const int ds_k_awq_slot[8] = {0, 4, 1, 5, 2, 6, 3, 7};

void ds_k_awq_pack(int32_t *out, const uint8_t *q, int R, int C)
{
    const int W = C / 8;
    for (int r = 0; r < R; r++)
        for (int w = 0; w < W; w++) {
            uint32_t v = 0;
            for (int j = 0; j < 8; j++)
                v |= (uint32_t)(q[(size_t)r * C + 8 * w + j] & 15u) << (4 * ds_k_awq_slot[j]);
            out[(size_t)r * W + w] = (int32_t)v;
        }
}

void ds_k_awq_unpack(uint8_t *q, const int32_t *packed, int R, int C)
{
    const int W = C / 8;
    for (int r = 0; r < R; r++)
        for (int c = 0; c < C; c++)
            q[(size_t)r * C + c] = (uint8_t)(((uint32_t)packed[(size_t)r * W + c / 8] >> (4 * ds_k_awq_slot[c % 8])) &
                                             15u);
}

static inline float awq_elem(const ds_k_awq *w, int N, int n, int k)
{
    const int g = k / w->group, sh = 4 * ds_k_awq_slot[n % 8];
    int q = (int)(((uint32_t)w->qweight[(size_t)k * (N / 8) + n / 8] >> sh) & 15u);
    int z = (int)(((uint32_t)w->qzeros[(size_t)g * (N / 8) + n / 8] >> sh) & 15u);
    return (float)(q - z) * ds_k_f16_to_f32(w->scales[(size_t)g * N + n]);
}

void ds_k_awq_dequant(float *wt, const ds_k_awq *w, int N, int K)
{
    for (int k = 0; k < K; k++)
        for (int n = 0; n < N; n++)
            wt[(size_t)k * N + n] = awq_elem(w, N, n, k);
}

/* Portable slice: a dequantised panel of up to 64 columns, then plain dot products in the same
 * k-block order as the vector slices. */
static void slice_scalar(const ds_k_matmul_job *j, int n0, int n1, float *scratch)
{
    enum { NBS = 64 };
    const int T = j->T, N = j->N, K = j->K;
    const ds_k_awq *a = j->w.data;
    float *Wp = scratch; /* (kc, NBS) */
    for (int p = n0; p < n1; p += NBS) {
        const int nb = n1 - p < NBS ? n1 - p : NBS;
        for (int k0 = 0; k0 < K; k0 += DS_K_AWQ_KC) {
            const int kc = K - k0 < DS_K_AWQ_KC ? K - k0 : DS_K_AWQ_KC;
            for (int kk = 0; kk < kc; kk++)
                for (int c = 0; c < nb; c++)
                    Wp[(size_t)kk * NBS + c] = awq_elem(a, N, p + c, k0 + kk);
            const int add = k0 > 0 || j->accumulate;
            for (int t = 0; t < T; t++) {
                const float *xr = j->x + (size_t)t * K + k0;
                float *yr = j->y + (size_t)t * N + p;
                for (int c = 0; c < nb; c++) {
                    float s = 0.0f;
                    for (int kk = 0; kk < kc; kk++)
                        s += xr[kk] * Wp[(size_t)kk * NBS + c];
                    yr[c] = add ? yr[c] + s : s;
                }
            }
        }
    }
}

void ds_k_awq_slice(ds_k_isa isa, const ds_k_matmul_job *j, int n0, int n1, float *scratch)
{
    if (n0 >= n1 || j->T <= 0)
        return;
    const ds_k_awq *a = j->w.data;
    /* a few tokens on the repacked layout: slices of whole 32-column panels (ops.c plans them
     * so), x prepared in scratch */
    const ds_k_awq_gemv_kernel *gemv = isa >= DS_K_ISA_AVX512_VNNI && a->group <= 4096 /* exact sums */
                                           ? &ds_k_awq_gemv_vnni
                                           : isa >= DS_K_ISA_AVX512 ? &ds_k_awq_gemv_avx512
                                             : isa == DS_K_ISA_AVX2 ? &ds_k_awq_gemv_avx2
                                                                    : NULL;
    if (gemv && a->repacked && j->T <= 4 && n0 % DS_K_AWQ_RP == 0 && n1 % DS_K_AWQ_RP == 0 &&
        (size_t)j->T * (size_t)(j->K / a->group) * gemv->rec_bytes(a->group) <= DS_K_SCRATCH_FLOATS * sizeof(float)) {
        ds_k_awq_gemv_panels(j, n0, n1, scratch, gemv);
        return;
    }
    /* the vector slices read whole int32 words: they need columns aligned on 8 */
    const int aligned = n0 % 8 == 0 && (n1 % 8 == 0 || n1 == j->N);
    if (aligned && isa >= DS_K_ISA_AVX512)
        ds_k_awq_slice_avx512(j, n0, n1, scratch);
    else if (aligned && isa == DS_K_ISA_AVX2)
        ds_k_awq_slice_avx2(j, n0, n1, scratch);
    else
        slice_scalar(j, n0, n1, scratch);
}
