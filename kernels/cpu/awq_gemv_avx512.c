/* awq_gemv_avx512.c - the int4 matmul of a few tokens (decode) on the repacked layout
 * (ds_k_awq_repack) with AVX-512: the method of awq_gemv_avx2.c on 16 lanes. A 32-column panel's
 * eight rows of k are two vectors of 16 int32 (row k+s of a column at bits 4s); row s < 7 is
 * taken with one AND (the lane holds q * 16^s, exact in float, multiplied by x[k+s] * 16^-s),
 * row 7 with one shift; per 16 weights one AND or shift, one conversion, one FMA. Scale and zero
 * are applied once per group: s (sum_k x_k q_k - z sum_k x_k). Eight accumulators (two column
 * vectors x four row phases) cover the FMA latency; the next chunks are prefetched, as the
 * weights stream from memory once per token.
 * Threading: works on the columns it is given; scratch is the calling thread's.
 */
#include "kernels/cpu/awq_internal.h"

#include <immintrin.h>

#define TGT __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,f16c")))

enum { RP = DS_K_AWQ_RP };
#define PF_BYTES 4096 /* prefetch distance along the stream of chunks */

/* yacc (32) += the panel's columns over group g, for one token. */
static TGT void group_dot(float *yacc, const uint8_t *chunk, const uint8_t *rec, int G)
{
    const float *xs = (const float *)rec, xsum = xs[G];
    const __m512 sc0 = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)chunk));
    const __m512 sc1 = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(chunk + 32)));
    const __m512 z0 = _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(chunk + 64))));
    const __m512 z1 = _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(chunk + 80))));
    const uint8_t *wv = chunk + 96;
    __m512 a0[4], a1[4];
    for (int i = 0; i < 4; i++)
        a0[i] = a1[i] = _mm512_setzero_ps();
    for (int kw = 0; kw < G / 8; kw++, wv += 128, xs += 8) {
        _mm_prefetch((const char *)wv + PF_BYTES, _MM_HINT_T0);
        _mm_prefetch((const char *)wv + PF_BYTES + 64, _MM_HINT_T0);
        const __m512i v0 = _mm512_loadu_si512(wv), v1 = _mm512_loadu_si512(wv + 64);
#pragma GCC unroll 7
        for (int s = 0; s < 7; s++) {
            const __m512i m = _mm512_set1_epi32(0xF << (4 * s));
            const __m512 xb = _mm512_set1_ps(xs[s]);
            a0[s & 3] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_and_si512(v0, m)), xb, a0[s & 3]);
            a1[s & 3] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_and_si512(v1, m)), xb, a1[s & 3]);
        }
        const __m512 xb = _mm512_set1_ps(xs[7]);
        a0[3] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_srli_epi32(v0, 28)), xb, a0[3]);
        a1[3] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_srli_epi32(v1, 28)), xb, a1[3]);
    }
    const __m512 xsv = _mm512_set1_ps(xsum);
    const __m512 s0 = _mm512_add_ps(_mm512_add_ps(a0[0], a0[1]), _mm512_add_ps(a0[2], a0[3]));
    const __m512 s1 = _mm512_add_ps(_mm512_add_ps(a1[0], a1[1]), _mm512_add_ps(a1[2], a1[3]));
    /* y += s * (sum x q - z * sum x) */
    _mm512_storeu_ps(yacc, _mm512_fmadd_ps(sc0, _mm512_fnmadd_ps(z0, xsv, s0), _mm512_loadu_ps(yacc)));
    _mm512_storeu_ps(yacc + 16, _mm512_fmadd_ps(sc1, _mm512_fnmadd_ps(z1, xsv, s1), _mm512_loadu_ps(yacc + 16)));
}

const ds_k_awq_gemv_kernel ds_k_awq_gemv_avx512 = {ds_k_awq_rec_bytes_f32, ds_k_awq_prepare_f32, group_dot};
