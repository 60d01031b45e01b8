/* cuda_check.h - CUDA and cuBLAS error checking that returns a ds_status, never exits.
 * DS_CUDA_TRY / DS_CUBLAS_TRY wrap a call; DS_CUDA_LAUNCHED goes after every kernel launch and
 * turns a launch error (bad configuration, too much shared memory, an earlier sticky error)
 * into a status. Execution errors surface at the next synchronising call, which is checked too.
 */
#ifndef DS_KERNELS_CUDA_CHECK_H
#define DS_KERNELS_CUDA_CHECK_H

#include <cuda_runtime.h>

extern "C" {
#include "pipeline/core/status.h"
}

#define DS_CUDA_TRY(call, err)                                                                                         \
    do {                                                                                                               \
        cudaError_t e_ = (call);                                                                                       \
        if (e_ != cudaSuccess)                                                                                         \
            return ds_err_set((err), DS_ERR_CUDA, "%s:%d: %s: %s", __FILE__, __LINE__, #call, cudaGetErrorString(e_)); \
    } while (0)

/* After a launch: the launch error. */
#define DS_CUDA_LAUNCHED(err) DS_CUDA_TRY(cudaGetLastError(), err)

#define DS_CUBLAS_TRY(call, err)                                                                                      \
    do {                                                                                                              \
        cublasStatus_t s_ = (call);                                                                                   \
        if (s_ != CUBLAS_STATUS_SUCCESS)                                                                              \
            return ds_err_set((err), DS_ERR_CUDA, "%s:%d: %s: cublas status %d", __FILE__, __LINE__, #call, (int)s_); \
    } while (0)

#define DS_CUDA_ARG(cond, err, ...)                              \
    do {                                                         \
        if (!(cond))                                             \
            return ds_err_set((err), DS_ERR_USAGE, __VA_ARGS__); \
    } while (0)

#endif
