/* device.cu - CUDA device discovery for ds_gpu_query (kernels/gpu.h). Never exits: a missing
 * driver or device is reported in out->reason. */
#include <cuda_runtime.h>
#include <stdio.h>
#include <string.h>

extern "C" {
#include "kernels/gpu.h"

int ds_cuda_query(ds_gpu_info *out)
{
    int n = 0;
    cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess) {
        snprintf(out->reason, sizeof out->reason, "no usable NVIDIA driver or device; CUDA runtime: %s",
                 cudaGetErrorString(e));
        out->device_count = 0;
        cudaGetLastError(); /* clear the sticky error */
        return 0;
    }
    out->device_count = n;
    if (n == 0) {
        snprintf(out->reason, sizeof out->reason, "no CUDA device present");
        return 0;
    }
    cudaDeviceProp p;
    if (cudaGetDeviceProperties(&p, 0) == cudaSuccess) {
        snprintf(out->name, sizeof out->name, "%.120s", p.name);
        out->cc_major = p.major;
        out->cc_minor = p.minor;
        out->total_mem = p.totalGlobalMem;
    }
    return n;
}
}
