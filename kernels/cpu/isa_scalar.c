/* isa_scalar.c - the portable CPU kernels: the code of simd_template.h instantiated on a
 * "vector" of one float, for CPUs without AVX2 (and as a check of the template itself).
 * Threading: see simd_template.h.
 */
#include <math.h>
#include <stdint.h>

#include "kernels/kernels.h"

#define TGT
#define VL 1
#define MR 4
#define IMPL_NAME ds_k_impl_scalar
#define ISA_LABEL "scalar"
typedef float vf;

#define HI static inline __attribute__((always_inline))
HI vf v_zero(void)
{
    return 0.0f;
}
HI vf v_set1(float f)
{
    return f;
}
HI vf v_load(const float *p)
{
    return *p;
}
HI void v_store(float *p, vf v)
{
    *p = v;
}
HI vf v_loadn(const float *p, int n)
{
    return n > 0 ? *p : 0.0f;
}
HI void v_storen(float *p, vf v, int n)
{
    if (n > 0)
        *p = v;
}
HI vf v_add(vf a, vf b)
{
    return a + b;
}
HI vf v_sub(vf a, vf b)
{
    return a - b;
}
HI vf v_mul(vf a, vf b)
{
    return a * b;
}
HI vf v_div(vf a, vf b)
{
    return a / b;
}
HI vf v_fma(vf a, vf b, vf c)
{
    return a * b + c;
}
HI vf v_max(vf a, vf b)
{
    return a > b ? a : b;
}
HI float v_hsum(vf v)
{
    return v;
}
HI float v_hmax(vf v)
{
    return v;
}
HI vf v_exp(vf x)
{
    return expf(x);
}
HI vf v_load_bf16(const uint16_t *p)
{
    return ds_k_bf16_to_f32(*p);
}
HI vf v_load_f16(const uint16_t *p)
{
    return ds_k_f16_to_f32(*p);
}
HI void v_transpose(vf r[1])
{
    (void)r;
}
#undef HI

#include "kernels/cpu/simd_template.h"
