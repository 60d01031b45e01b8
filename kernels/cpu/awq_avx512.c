/* awq_avx512.c - the int4 AWQ matmul slice for AVX-512 (16 lanes); code in awq_template.h.
 * Runs only when cpuid reports AVX-512 F/BW/VL/DQ (ops.c decides). Threading: see
 * awq_template.h. */
#include <immintrin.h>
#include <stdint.h>

#define AWQ_TGT __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,f16c")))
#define AWQ_VL 16
#define AWQ_MR 12
#define AWQ_NBV 2
#define AWQ_SET1 _mm512_set1_ps
#define AWQ_FN ds_k_awq_slice_avx512

#include "kernels/cpu/awq_template.h"
