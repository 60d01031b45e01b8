/* awq_gemv_avx2.c - the int4 matmul of a few tokens (decode) on the repacked layout
 * (ds_k_awq_repack), AVX2 + FMA + F16C; also what AVX-512 machines run for it.
 *
 * Per panel of 32 columns and group of G rows of k, the chunk is read once, front to back.
 * A vector of 8 int32 holds rows k .. k+7 of 8 columns, row k+s at bits 4s. Row s (< 7) is
 * taken with one AND: the lane then holds q * 16^s, which converts to float exactly, and is
 * multiplied by x[k+s] * 16^-s (prepared once per call, exact: a power of two), so the product
 * is x q with no shift; row 7 is one logical shift by 28. Per weight: one AND or shift, one
 * conversion, one FMA. Within a group the scale s and zero z of a column are constant, so
 *   sum_k x_k (q_k - z) s = s (sum_k x_k q_k - z sum_k x_k),
 * applied once per group; groups are summed in ascending order. Eight accumulators (4 column
 * vectors x even/odd rows) cover the FMA latency.
 * Threading: works on the columns it is given; scratch is the calling thread's.
 */
#include "kernels/cpu/awq_internal.h"

#include <immintrin.h>

#define TGT __attribute__((target("avx2,fma,f16c")))

enum { RP = DS_K_AWQ_RP };

/* yacc (32) += the panel's columns over group g, for one token. */
static TGT void group_dot(float *yacc, const uint8_t *chunk, const uint8_t *rec, int G)
{
    const float *xs = (const float *)rec, xsum = xs[G];
    const __m256 sc0 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)chunk));
    const __m256 sc1 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(chunk + 16)));
    const __m256 sc2 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(chunk + 32)));
    const __m256 sc3 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(chunk + 48)));
    const __m256 z0 = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(chunk + 64))));
    const __m256 z1 = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(chunk + 72))));
    const __m256 z2 = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(chunk + 80))));
    const __m256 z3 = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(chunk + 88))));
    const __m256i *wv = (const __m256i *)(chunk + 96);
    __m256 a00 = _mm256_setzero_ps(), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
    for (int kw = 0; kw < G / 8; kw++, wv += 4, xs += 8) {
        const __m256i v0 = _mm256_load_si256(wv), v1 = _mm256_load_si256(wv + 1);
        const __m256i v2 = _mm256_load_si256(wv + 2), v3 = _mm256_load_si256(wv + 3);
#define ROW(S, M0, M1, M2, M3)                                                     \
    do {                                                                           \
        const __m256 xb = _mm256_broadcast_ss(xs + (S));                           \
        M0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_and_si256(v0, m)), xb, M0); \
        M1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_and_si256(v1, m)), xb, M1); \
        M2 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_and_si256(v2, m)), xb, M2); \
        M3 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_and_si256(v3, m)), xb, M3); \
    } while (0)
        __m256i m = _mm256_set1_epi32(0xF);
        ROW(0, a00, a10, a20, a30);
        m = _mm256_set1_epi32(0xF0);
        ROW(1, a01, a11, a21, a31);
        m = _mm256_set1_epi32(0xF00);
        ROW(2, a00, a10, a20, a30);
        m = _mm256_set1_epi32(0xF000);
        ROW(3, a01, a11, a21, a31);
        m = _mm256_set1_epi32(0xF0000);
        ROW(4, a00, a10, a20, a30);
        m = _mm256_set1_epi32(0xF00000);
        ROW(5, a01, a11, a21, a31);
        m = _mm256_set1_epi32(0xF000000);
        ROW(6, a00, a10, a20, a30);
#undef ROW
        const __m256 xb = _mm256_broadcast_ss(xs + 7);
        a01 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_srli_epi32(v0, 28)), xb, a01);
        a11 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_srli_epi32(v1, 28)), xb, a11);
        a21 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_srli_epi32(v2, 28)), xb, a21);
        a31 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_srli_epi32(v3, 28)), xb, a31);
    }
    const __m256 xsv = _mm256_set1_ps(xsum);
    /* y += s * (sum x q - z * sum x) */
    _mm256_storeu_ps(yacc,
                     _mm256_fmadd_ps(sc0, _mm256_fnmadd_ps(z0, xsv, _mm256_add_ps(a00, a01)), _mm256_loadu_ps(yacc)));
    _mm256_storeu_ps(
        yacc + 8, _mm256_fmadd_ps(sc1, _mm256_fnmadd_ps(z1, xsv, _mm256_add_ps(a10, a11)), _mm256_loadu_ps(yacc + 8)));
    _mm256_storeu_ps(yacc + 16, _mm256_fmadd_ps(sc2, _mm256_fnmadd_ps(z2, xsv, _mm256_add_ps(a20, a21)),
                                                _mm256_loadu_ps(yacc + 16)));
    _mm256_storeu_ps(yacc + 24, _mm256_fmadd_ps(sc3, _mm256_fnmadd_ps(z3, xsv, _mm256_add_ps(a30, a31)),
                                                _mm256_loadu_ps(yacc + 24)));
}

const ds_k_awq_gemv_kernel ds_k_awq_gemv_avx2 = {ds_k_awq_rec_bytes_f32, ds_k_awq_prepare_f32, group_dot};
