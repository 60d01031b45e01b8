/* cpu_internal.h - internals of the CPU kernels: the per-instruction-set implementation table
 * and the context struct. Not for use outside kernels/cpu/ and tests/kernels/.
 *
 * Each implementation (isa_avx512.c, isa_avx2.c, isa_scalar.c) instantiates the same code from
 * simd_template.h with its own vector width; ops.c splits the work into tasks for the pool and
 * calls the table of the context's instruction set. Every table function is single-threaded
 * and works on the slice of the op it is given.
 */
#ifndef DS_KERNELS_CPU_INTERNAL_H
#define DS_KERNELS_CPU_INTERNAL_H

#include "kernels/kernels.h"

#include <stddef.h>

/* Per-thread scratch, in floats: weight panels of the matmul and attention tiles. */
#define DS_K_SCRATCH_FLOATS (256 * 1024)
/* Attention: query rows (token x head-in-group) per task, and the largest head_dim supported
 * by the tiled kernels (larger ones use the reference loop). */
#define DS_K_ATT_ROWS 64
#define DS_K_ATT_MAX_D 512
/* Up to this many tokens a matmul streams the weights as a matrix-vector product. */
#define DS_K_GEMV_T 4

typedef struct ds_k_impl {
    const char *name;
    int panel; /* matmul column granularity: slices start on multiples of this */
    /* Columns [n0, n1) of y for every token. scratch: DS_K_SCRATCH_FLOATS floats. */
    void (*matmul)(const ds_k_matmul_job *j, int n0, int n1, float *scratch);
    void (*rmsnorm)(float *y, const float *x, const float *w, int R, int D, float eps);
    void (*rope)(float *x, const float *cos, const float *sin, int T, int H, int D);
    void (*silu_mul)(float *y, const float *g, const float *u, size_t n);
    void (*softmax)(float *y, const float *x, int R, int N, float scale);
    void (*add)(float *y, const float *x, size_t n);
    void (*widen)(float *y, const void *src, ds_k_dtype dt, size_t n);
    /* Query tokens [t0, t1) of kv head h. */
    void (*attention)(float *out, const float *q, const ds_k_kv_pages *kv, int pos0, int T, int Hq, int Hkv, int D,
                      float scale, int h, int t0, int t1, float *scratch);
} ds_k_impl;

extern const ds_k_impl ds_k_impl_scalar;
extern const ds_k_impl ds_k_impl_avx2;
extern const ds_k_impl ds_k_impl_avx512;

const ds_k_impl *ds_k_impl_for(ds_k_isa isa);
const ds_k_impl *ds_kctx_impl(const ds_kctx *c);
float *ds_kctx_scratch(const ds_kctx *c, int thread);

/* Key tile of the attention for a page size: the largest of 64, 32, 16 dividing it (page sizes
 * are multiples of 16). */
static inline int ds_k_att_tile(int page_tokens)
{
    return page_tokens % 64 == 0 ? 64 : page_tokens % 32 == 0 ? 32 : 16;
}

#endif
