/* gpu_query.c - device discovery in builds with the CUDA backend (see gpu.h); the query itself
 * is in kernels/cuda/device.cu. gpu_query_none.c stands in for this file without CUDA. */
#include "kernels/gpu.h"

#include <string.h>

int ds_cuda_query(ds_gpu_info *out); /* kernels/cuda/device.cu */

void ds_gpu_query(ds_gpu_info *out)
{
    memset(out, 0, sizeof *out);
    out->built_with_cuda = 1;
    ds_cuda_query(out);
}
