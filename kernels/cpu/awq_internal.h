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

/* The decode kernels: columns [n0, n1) of y for the T <= 4 tokens of job j from the repacked
 * weight, n0 and n1 multiples of DS_K_AWQ_RP. A kernel is a way to prepare x and a group dot
 * product on it; ds_k_awq_gemv_panels runs any of them. The x of one token becomes K / G
 * records of rec_bytes(G) bytes, one per group (prepare, once per call); then for each 32-column
 * panel and token, group_dot adds the group's products into 32 floats, groups in ascending
 * order, and yacc is stored or added to y. Each output element is summed the same way whatever
 * the slice. scratch: at least T * (K / G) * rec_bytes(G) bytes.
 *   ds_k_awq_gemv_avx2    AVX2 + FMA + F16C, float products (awq_gemv_avx2.c)
 *   ds_k_awq_gemv_avx512  AVX-512 F/BW/VL/DQ, float products, summed in another order
 *                         (awq_gemv_avx512.c)
 *   ds_k_awq_gemv_vnni    AVX-512 + VNNI, integer products of the 4-bit weights with x as 24-bit
 *                         fixed point per group (awq_gemv_vnni.c) */
typedef struct ds_k_awq_gemv_kernel {
    size_t (*rec_bytes)(int G);
    void (*prepare)(uint8_t *rec, const float *x, int K, int G);
    void (*group_dot)(float *yacc, const uint8_t *chunk, const uint8_t *rec, int G);
} ds_k_awq_gemv_kernel;
extern const ds_k_awq_gemv_kernel ds_k_awq_gemv_avx2, ds_k_awq_gemv_avx512, ds_k_awq_gemv_vnni;
void ds_k_awq_gemv_panels(const ds_k_matmul_job *j, int n0, int n1, void *scratch, const ds_k_awq_gemv_kernel *kern);
/* The records of the float kernels (awq_repack.c): G floats, row 8 w + s of x scaled by 16^-s
 * (s < 7; exact, a power of two), then the sum of x over the group. */
size_t ds_k_awq_rec_bytes_f32(int G);
void ds_k_awq_prepare_f32(uint8_t *rec, const float *x, int K, int G);

#define DS_K_AWQ_KC 256 /* k rows of a dequantised panel */
#define DS_K_AWQ_RP 32  /* columns of a panel of the repacked layout */

#endif
