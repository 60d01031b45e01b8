/* awq_gemv_vnni.c - the int4 matmul of a few tokens (decode) on the repacked layout
 * (ds_k_awq_repack) with AVX-512 VNNI: integer dot products of the 4-bit weights with x, where
 * the float kernels (awq_gemv_avx512.c) spend a mask, a conversion and an FMA on every weight.
 *
 * x as fixed point. Per token and group, x is scaled by a power of two 2^-e so that its largest
 * magnitude is at most R = 127 * 2^16, and rounded to integers xq (|xq| < 2^23, so the error is
 * at most 2^-24 of the group's largest |x|: float precision). Each xq is written in three signed
 * base-256 digits, xq = d0 + 256 d1 + 65536 d2 (d = -128..127, balanced: d0 is the low byte read
 * as signed). Then for a column with weights q (0..15), zero z and scale s:
 *   sum_k x_k (q_k - z) s = s 2^e sum_p 256^p (sum_k q_k d_p,k - z sum_k d_p,k).
 * VPDPBUSD multiplies four unsigned bytes by four signed bytes and adds the four products to an
 * int32 lane: exact. In the repacked layout a 32-bit lane holds rows k .. k+7 of one column, row
 * k+s at bits 4s, so (v & 0x0F0F0F0F) is the bytes of rows k, k+2, k+4, k+6 and
 * (v & 0xF0F0F0F0) those of k+1, k+3, k+5, k+7 times 16 (still unsigned bytes; their sums are
 * exact multiples of 16, shifted back once per group): the record of x holds each digit plane
 * in those two orders, and one block of 8 rows x 32 columns costs four masks and twelve dot
 * products for 256 weights. Per group and column the three integer sums A_p and the
 * digit sums S_p (|A_p - z S_p| <= 2 * 15 * 128 * G < 2^24 for G <= 4096) convert to float
 * exactly; only their combination and the product with s 2^e round.
 * Threading: works on the columns it is given; scratch is the calling thread's.
 */
#include "kernels/cpu/awq_internal.h"

#include <immintrin.h>
#include <math.h>
#include <string.h>

#define TGT __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,avx2,fma,f16c")))

#define PF_BYTES 4096        /* prefetch distance along the stream of chunks */
#define XQ_MAX (127 * 65536) /* largest |xq|: its top digit stays within -127..127 */

/* A group's record: per 8 rows of k six int32 words (digit plane p of rows k, k+2, k+4, k+6,
 * then of rows k+1, k+3, k+5, k+7, for p = 0, 1, 2), then four floats: 2^e and S_0, S_1, S_2. */
static size_t rec_bytes(int G)
{
    return (size_t)G / 8 * 24 + 4 * sizeof(float);
}

/* The power of two e for a group whose largest |x| is m (finite, > 0): m 2^-e <= XQ_MAX. */
static int group_exponent(float m)
{
    int ex;
    frexpf(m, &ex); /* m = f 2^ex, f in [0.5, 1): m 2^-(ex-23) = f 2^23 */
    int e = ex - 23;
    return ldexpf(m, -e) > (float)XQ_MAX ? e + 1 : e;
}

/* Rows [k, k+16) of a group (the last 8 masked off when mask is 0xFF): digits into the record's
 * blocks and their sums into sum[3]. */
static TGT void digits16(uint8_t *blocks, const float *x, __mmask16 mask, __m512 scale_exp, __m512i sum[3])
{
    const __m512i xq = _mm512_cvtps_epi32(_mm512_scalef_ps(_mm512_maskz_loadu_ps(mask, x), scale_exp));
    const __m512i d0 = _mm512_srai_epi32(_mm512_slli_epi32(xq, 24), 24);
    const __m512i r1 = _mm512_srai_epi32(_mm512_sub_epi32(xq, d0), 8);
    const __m512i d1 = _mm512_srai_epi32(_mm512_slli_epi32(r1, 24), 24);
    const __m512i d2 = _mm512_srai_epi32(_mm512_sub_epi32(r1, d1), 8);
    sum[0] = _mm512_add_epi32(sum[0], d0);
    sum[1] = _mm512_add_epi32(sum[1], d1);
    sum[2] = _mm512_add_epi32(sum[2], d2);
    /* bytes of rows 0..15 -> even rows of block 0, odd rows of block 0, the same of block 1 */
    const __m128i order = _mm_setr_epi8(0, 2, 4, 6, 1, 3, 5, 7, 8, 10, 12, 14, 9, 11, 13, 15);
    const __m128i p[3] = {_mm_shuffle_epi8(_mm512_cvtepi32_epi8(d0), order),
                          _mm_shuffle_epi8(_mm512_cvtepi32_epi8(d1), order),
                          _mm_shuffle_epi8(_mm512_cvtepi32_epi8(d2), order)};
    for (int i = 0; i < 3; i++)
        _mm_storel_epi64((__m128i *)(blocks + 8 * i), p[i]);
    if (mask == 0xFFFF)
        for (int i = 0; i < 3; i++)
            _mm_storel_epi64((__m128i *)(blocks + 24 + 8 * i), _mm_unpackhi_epi64(p[i], p[i]));
}

static TGT void prepare(uint8_t *rec, const float *x, int K, int G)
{
    for (int g = 0; g < K / G; g++, rec += rec_bytes(G), x += G) {
        __m512 mx = _mm512_setzero_ps();
        for (int k = 0; k < G; k += 16) {
            const __mmask16 mask = G - k >= 16 ? 0xFFFF : 0xFF;
            mx = _mm512_max_ps(mx, _mm512_abs_ps(_mm512_maskz_loadu_ps(mask, x + k)));
        }
        const float m = _mm512_reduce_max_ps(mx);
        float *tail = (float *)(rec + (size_t)G / 8 * 24);
        if (!(m > 0.0f) || !isfinite(m)) { /* all zero; or inf / NaN, which the output carries */
            memset(rec, 0, (size_t)G / 8 * 24);
            tail[0] = m == 0.0f ? 0.0f : NAN;
            tail[1] = tail[2] = tail[3] = 0.0f;
            continue;
        }
        const int e = group_exponent(m);
        const __m512 scale_exp = _mm512_set1_ps((float)-e);
        __m512i sum[3] = {_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512()};
        for (int k = 0; k < G; k += 16)
            digits16(rec + (size_t)k * 3, x + k, G - k >= 16 ? 0xFFFF : 0xFF, scale_exp, sum);
        tail[0] = ldexpf(1.0f, e);
        for (int p = 0; p < 3; p++)
            tail[1 + p] = (float)_mm512_reduce_add_epi32(sum[p]);
    }
}

/* 16 columns' float contribution of a group: s 2^e sum_p 256^p (A_p - z S_p). */
static TGT __m512 group_sum(__m512i a[3][2], __m512 z, __m512 sd, const float *tail)
{
    __m512 dp[3];
    for (int p = 0; p < 3; p++) /* exact: |A_p - z S_p| < 2^24 */
        dp[p] = _mm512_fnmadd_ps(z, _mm512_set1_ps(tail[1 + p]),
                                 _mm512_cvtepi32_ps(_mm512_add_epi32(a[p][0], _mm512_srai_epi32(a[p][1], 4))));
    const __m512 d = _mm512_fmadd_ps(dp[2], _mm512_set1_ps(65536.0f),
                                     _mm512_fmadd_ps(dp[1], _mm512_set1_ps(256.0f), dp[0]));
    return _mm512_mul_ps(sd, d);
}

/* yacc (32) += the panel's columns over group g, for one token. */
static TGT void group_dot(float *yacc, const uint8_t *chunk, const uint8_t *rec, int G)
{
    const float *tail = (const float *)(rec + (size_t)G / 8 * 24);
    const __m512 two_e = _mm512_set1_ps(tail[0]);
    const __m512 sd0 = _mm512_mul_ps(_mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)chunk)), two_e);
    const __m512 sd1 = _mm512_mul_ps(_mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(chunk + 32))), two_e);
    const __m512 z0 = _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(chunk + 64))));
    const __m512 z1 = _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(chunk + 80))));
    const __m512i nib = _mm512_set1_epi8(0x0F);
    __m512i a0[3][2], a1[3][2]; /* [digit plane][even, odd rows] for columns 0..15 and 16..31 */
    for (int p = 0; p < 3; p++)
        a0[p][0] = a0[p][1] = a1[p][0] = a1[p][1] = _mm512_setzero_si512();
    const uint8_t *wv = chunk + 96;
    const int32_t *xw = (const int32_t *)rec;
    for (int kw = 0; kw < G / 8; kw++, wv += 128, xw += 6) {
        _mm_prefetch((const char *)wv + PF_BYTES, _MM_HINT_T0);
        _mm_prefetch((const char *)wv + PF_BYTES + 64, _MM_HINT_T0);
        const __m512i v0 = _mm512_loadu_si512(wv), v1 = _mm512_loadu_si512(wv + 64);
        const __m512i e0 = _mm512_and_si512(v0, nib), o0 = _mm512_andnot_si512(nib, v0);
        const __m512i e1 = _mm512_and_si512(v1, nib), o1 = _mm512_andnot_si512(nib, v1);
#pragma GCC unroll 3
        for (int p = 0; p < 3; p++) {
            const __m512i xe = _mm512_set1_epi32(xw[2 * p]), xo = _mm512_set1_epi32(xw[2 * p + 1]);
            a0[p][0] = _mm512_dpbusd_epi32(a0[p][0], e0, xe);
            a0[p][1] = _mm512_dpbusd_epi32(a0[p][1], o0, xo);
            a1[p][0] = _mm512_dpbusd_epi32(a1[p][0], e1, xe);
            a1[p][1] = _mm512_dpbusd_epi32(a1[p][1], o1, xo);
        }
    }
    _mm512_storeu_ps(yacc, _mm512_add_ps(_mm512_loadu_ps(yacc), group_sum(a0, z0, sd0, tail)));
    _mm512_storeu_ps(yacc + 16, _mm512_add_ps(_mm512_loadu_ps(yacc + 16), group_sum(a1, z1, sd1, tail)));
}

const ds_k_awq_gemv_kernel ds_k_awq_gemv_vnni = {rec_bytes, prepare, group_dot};
