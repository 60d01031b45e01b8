/* isa_avx512.c - the CPU kernels for AVX-512 (F, BW, VL, DQ with FMA/F16C): vector helpers on
 * __m512, then the shared code of simd_template.h. Every function carries a target attribute,
 * so the file builds without global -mavx512 flags and runs only when cpuid reports the set
 * (ops.c decides). Threading: see simd_template.h.
 */
#include <immintrin.h>
#include <stdint.h>

#define TGT __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,f16c")))
#define VL 16
#define MR 12
#define IMPL_NAME ds_k_impl_avx512
#define ISA_LABEL "avx512"
typedef __m512 vf;

#define HI static inline __attribute__((always_inline)) TGT
HI vf v_zero(void)
{
    return _mm512_setzero_ps();
}
HI vf v_set1(float f)
{
    return _mm512_set1_ps(f);
}
HI vf v_load(const float *p)
{
    return _mm512_loadu_ps(p);
}
HI void v_store(float *p, vf v)
{
    _mm512_storeu_ps(p, v);
}
HI vf v_loadn(const float *p, int n)
{
    return _mm512_maskz_loadu_ps((__mmask16)((1u << n) - 1), p);
}
HI void v_storen(float *p, vf v, int n)
{
    _mm512_mask_storeu_ps(p, (__mmask16)((1u << n) - 1), v);
}
HI vf v_add(vf a, vf b)
{
    return _mm512_add_ps(a, b);
}
HI vf v_sub(vf a, vf b)
{
    return _mm512_sub_ps(a, b);
}
HI vf v_mul(vf a, vf b)
{
    return _mm512_mul_ps(a, b);
}
HI vf v_div(vf a, vf b)
{
    return _mm512_div_ps(a, b);
}
HI vf v_fma(vf a, vf b, vf c)
{
    return _mm512_fmadd_ps(a, b, c);
}
HI vf v_max(vf a, vf b)
{
    return _mm512_max_ps(a, b);
}
HI float v_hsum(vf v)
{
    return _mm512_reduce_add_ps(v);
}
HI float v_hmax(vf v)
{
    return _mm512_reduce_max_ps(v);
}
HI vf v_load_bf16(const uint16_t *p)
{
    __m512i w = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)p));
    return _mm512_castsi512_ps(_mm512_slli_epi32(w, 16));
}
HI vf v_load_f16(const uint16_t *p)
{
    return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)p));
}

/* e^x: Cody-Waite reduction x = n ln2 + r, |r| <= ln2/2, degree-7 Taylor polynomial of e^r
 * (truncation error below 6e-9 relative), scaled by 2^n. Inputs below -87.34 give 0. */
HI vf v_exp(vf x)
{
    const vf lo = _mm512_set1_ps(-87.33654f);
    __mmask16 under = _mm512_cmp_ps_mask(x, lo, _CMP_LT_OQ);
    x = _mm512_max_ps(_mm512_min_ps(x, _mm512_set1_ps(88.0f)), lo);
    vf n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    vf r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
    vf p = _mm512_set1_ps(1.0f / 5040.0f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 720.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    return _mm512_maskz_mov_ps((__mmask16)~under, _mm512_scalef_ps(p, n));
}

/* In-register transpose of 16 rows of 16 floats. */
HI void v_transpose(vf r[16])
{
    vf t[16], u[16];
#pragma GCC unroll 16
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
    }
    /* u[4g + c]: per 128-bit lane L, rows 4g..4g+3 at column 4L + c. */
#pragma GCC unroll 4
    for (int g = 0; g < 4; g++) {
        __m512d a = _mm512_castps_pd(t[4 * g]), b = _mm512_castps_pd(t[4 * g + 2]);
        __m512d c = _mm512_castps_pd(t[4 * g + 1]), d = _mm512_castps_pd(t[4 * g + 3]);
        u[4 * g + 0] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, b));
        u[4 * g + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, b));
        u[4 * g + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(c, d));
        u[4 * g + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(c, d));
    }
#pragma GCC unroll 4
    for (int c = 0; c < 4; c++) {
        vf a = _mm512_shuffle_f32x4(u[c], u[4 + c], 0x44);
        vf b = _mm512_shuffle_f32x4(u[c], u[4 + c], 0xEE);
        vf e = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0x44);
        vf f = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0xEE);
        r[0 + c] = _mm512_shuffle_f32x4(a, e, 0x88);
        r[4 + c] = _mm512_shuffle_f32x4(a, e, 0xDD);
        r[8 + c] = _mm512_shuffle_f32x4(b, f, 0x88);
        r[12 + c] = _mm512_shuffle_f32x4(b, f, 0xDD);
    }
}
#undef HI

#include "kernels/cpu/simd_template.h"
