/* isa_avx2.c - the CPU kernels for AVX2 with FMA and F16C: vector helpers on __m256, then the
 * shared code of simd_template.h. Every function carries a target attribute, so the file builds
 * without global -mavx2 flags and runs only when cpuid reports the set (ops.c decides).
 * Threading: see simd_template.h.
 */
#include <immintrin.h>
#include <stdint.h>

#define TGT __attribute__((target("avx2,fma,f16c")))
#define VL 8
#define MR 6
#define IMPL_NAME ds_k_impl_avx2
#define ISA_LABEL "avx2"
typedef __m256 vf;

#define HI static inline __attribute__((always_inline)) TGT
static const int32_t mask_table[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
HI __m256i tail_mask(int n)
{
    return _mm256_loadu_si256((const __m256i *)(mask_table + 8 - n));
}
HI vf v_zero(void)
{
    return _mm256_setzero_ps();
}
HI vf v_set1(float f)
{
    return _mm256_set1_ps(f);
}
HI vf v_load(const float *p)
{
    return _mm256_loadu_ps(p);
}
HI void v_store(float *p, vf v)
{
    _mm256_storeu_ps(p, v);
}
HI vf v_loadn(const float *p, int n)
{
    return _mm256_maskload_ps(p, tail_mask(n));
}
HI void v_storen(float *p, vf v, int n)
{
    _mm256_maskstore_ps(p, tail_mask(n), v);
}
HI vf v_add(vf a, vf b)
{
    return _mm256_add_ps(a, b);
}
HI vf v_sub(vf a, vf b)
{
    return _mm256_sub_ps(a, b);
}
HI vf v_mul(vf a, vf b)
{
    return _mm256_mul_ps(a, b);
}
HI vf v_div(vf a, vf b)
{
    return _mm256_div_ps(a, b);
}
HI vf v_fma(vf a, vf b, vf c)
{
    return _mm256_fmadd_ps(a, b, c);
}
HI vf v_max(vf a, vf b)
{
    return _mm256_max_ps(a, b);
}
HI float v_hsum(vf v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}
HI float v_hmax(vf v)
{
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}
HI vf v_load_bf16(const uint16_t *p)
{
    __m256i w = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p));
    return _mm256_castsi256_ps(_mm256_slli_epi32(w, 16));
}
HI vf v_load_f16(const uint16_t *p)
{
    return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p));
}

/* e^x as in isa_avx512.c; 2^n is built in the exponent field (n in [-126, 127]). */
HI vf v_exp(vf x)
{
    const vf lo = _mm256_set1_ps(-87.33654f);
    vf keep = _mm256_cmp_ps(x, lo, _CMP_GE_OQ);
    x = _mm256_max_ps(_mm256_min_ps(x, _mm256_set1_ps(88.0f)), lo);
    vf n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                           _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    vf r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    vf p = _mm256_set1_ps(1.0f / 5040.0f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 720.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_and_ps(_mm256_mul_ps(p, _mm256_castsi256_ps(e)), keep);
}

/* In-register transpose of 8 rows of 8 floats. */
HI void v_transpose(vf r[8])
{
    vf t[8], u[8];
#pragma GCC unroll 8
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
    }
#pragma GCC unroll 2
    for (int g = 0; g < 2; g++) {
        u[4 * g + 0] = _mm256_shuffle_ps(t[4 * g], t[4 * g + 2], 0x44);
        u[4 * g + 1] = _mm256_shuffle_ps(t[4 * g], t[4 * g + 2], 0xEE);
        u[4 * g + 2] = _mm256_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0x44);
        u[4 * g + 3] = _mm256_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0xEE);
    }
#pragma GCC unroll 4
    for (int c = 0; c < 4; c++) {
        r[c] = _mm256_permute2f128_ps(u[c], u[4 + c], 0x20);
        r[4 + c] = _mm256_permute2f128_ps(u[c], u[4 + c], 0x31);
    }
}
#undef HI

#include "kernels/cpu/simd_template.h"
