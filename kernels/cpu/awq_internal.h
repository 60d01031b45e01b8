/* awq_internal.h - the CPU int4 AWQ matmul, per instruction set (awq.c, awq_avx2.c,
 * awq_avx512.c). ops.c hands a matmul job whose weight is DS_K_AWQ4 to ds_k_awq_slice.
 * Not for use outside kernels/cpu/ and tests/kernels/.
 * Threading: each function works on the columns it is given and touches nothing else.
 */
#ifndef DS_KERNELS_CPU_AWQ_INTERNAL_H
#define DS_KERNELS_CPU_AWQ_INTERNAL_H

#include "kernels/kernels.h"

/* Columns [n0, n1) of y for every token of job j (weight DS_K_AWQ4), with the kernels of isa.
 * scratch: DS_K_SCRATCH_FLOATS floats. Each output element is summed over k in ascending
 * blocks of DS_K_AWQ_KC, so results do not depend on how columns are split into slices. */
void ds_k_awq_slice(ds_k_isa isa, const ds_k_matmul_job *j, int n0, int n1, float *scratch);
void ds_k_awq_slice_avx2(const ds_k_matmul_job *j, int n0, int n1, float *scratch);
void ds_k_awq_slice_avx512(const ds_k_matmul_job *j, int n0, int n1, float *scratch);

/* Columns [n0, n1) of y for the T <= 4 tokens of job j from the repacked weight (awq_gemv_avx2.c,
 * AVX2 + FMA + F16C): n0 and n1 multiples of DS_K_AWQ_RP; scratch: T * (K + K / G) floats.
 * Each output element is summed the same way whatever the slice. */
void ds_k_awq_gemv_repacked_avx2(const ds_k_matmul_job *j, int n0, int n1, float *scratch);
/* The same with AVX-512 F/BW/VL/DQ (awq_gemv_avx512.c); sums in another order than the AVX2
 * kernel, each output element again independent of the slice. */
void ds_k_awq_gemv_repacked_avx512(const ds_k_matmul_job *j, int n0, int n1, float *scratch);
/* The panel loop both share (awq_repack.c): x prepared once (scaled rows, group sums), then
 * for each 32-column panel and token, group_dot adds each group's products into 32 floats,
 * groups in ascending order; yacc is then stored or added to y. */
typedef void (*ds_k_awq_group_fn)(float *yacc, const uint8_t *chunk, const float *xs, float xsum, int G);
void ds_k_awq_gemv_panels(const ds_k_matmul_job *j, int n0, int n1, float *scratch, ds_k_awq_group_fn group_dot);

#define DS_K_AWQ_KC 256 /* k rows of a dequantised panel */
#define DS_K_AWQ_RP 32  /* columns of a panel of the repacked layout */

#endif
