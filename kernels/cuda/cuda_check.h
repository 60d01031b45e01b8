/* cuda_check.h - CUDA error checking that returns a ds_status, never exits. */
#ifndef DS_KERNELS_CUDA_CHECK_H
#define DS_KERNELS_CUDA_CHECK_H

#include <cuda_runtime.h>

extern "C" {
#include "pipeline/core/status.h"
}

#define DS_CUDA_TRY(call, err)                                                                   \
    do {                                                                                         \
        cudaError_t e_ = (call);                                                                 \
        if (e_ != cudaSuccess)                                                                   \
            return ds_err_set((err), DS_ERR_CUDA, "%s:%d: %s: %s", __FILE__, __LINE__, #call,      \
                              cudaGetErrorString(e_));                                           \
    } while (0)

/* After a launch: the launch error, then (in checked builds) the execution error. */
#define DS_CUDA_LAUNCHED(err) DS_CUDA_TRY(cudaGetLastError(), err)

#endif
