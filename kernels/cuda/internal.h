/* internal.h - declarations shared between the CUDA backend's .cu files only. */
#ifndef DS_KERNELS_CUDA_INTERNAL_H
#define DS_KERNELS_CUDA_INTERNAL_H

extern "C" {
#include "kernels/cuda/kernels_cuda.h"
}

/* attention.cu: raises the dynamic shared memory limit of the tensor-core kernels. */
ds_status ds_cuda_attention_init(ds_err *err);

#endif
