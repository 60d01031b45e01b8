/* awq_avx2.c - the int4 AWQ matmul slice for AVX2/FMA (8 lanes); code in awq_template.h.
 * Runs only when cpuid reports AVX2 and FMA (ops.c decides). Threading: see awq_template.h. */
#include <immintrin.h>
#include <stdint.h>

#define AWQ_TGT __attribute__((target("avx2,fma,f16c")))
#define AWQ_VL 8
#define AWQ_MR 4
#define AWQ_NBV 2
#define AWQ_SET1 _mm256_set1_ps
#define AWQ_FN ds_k_awq_slice_avx2

#include "kernels/cpu/awq_template.h"
