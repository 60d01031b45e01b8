/* kernels_cuda.h - the CUDA backend's op set (C interface). Each op has a CPU twin in
 * kernels/cpu with the same contract; tests/cuda compares them. Device pointers unless the
 * name ends in _host (which copies in and out, for tests). Ops return a ds_status and never
 * exit. Threading: ops on one stream are ordered; distinct streams run concurrently. */
#ifndef DS_KERNELS_CUDA_H
#define DS_KERNELS_CUDA_H

#include "pipeline/core/status.h"

#ifdef __CUDACC__
#include <cuda_runtime.h>
#else
typedef struct CUstream_st *cudaStream_t;
#endif

/* out, x: (T, D); w: (D). */
ds_status ds_cuda_rmsnorm_f32(float *out, const float *x, const float *w, int T, int D, float eps,
                              cudaStream_t stream, ds_err *err);
ds_status ds_cuda_rmsnorm_f32_host(float *out, const float *x, const float *w, int T, int D, float eps, ds_err *err);

#endif
