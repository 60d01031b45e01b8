/* gpu.c - device discovery (see gpu.h); the CUDA side is in kernels/cuda/device.cu. */
#include "kernels/gpu.h"

#include <stdio.h>
#include <string.h>

#ifdef DS_HAVE_CUDA
int ds_cuda_query(ds_gpu_info *out); /* kernels/cuda/device.cu */
#endif

void ds_gpu_query(ds_gpu_info *out)
{
    memset(out, 0, sizeof *out);
#ifdef DS_HAVE_CUDA
    out->built_with_cuda = 1;
    ds_cuda_query(out);
#else
    snprintf(out->reason, sizeof out->reason, "this build has no CUDA backend (nvcc was not found at build time)");
#endif
}

const char *ds_cpu_simd_level(void)
{
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")) {
#if defined(__GNUC__) && __GNUC__ >= 12
        if (__builtin_cpu_supports("avx512bf16"))
            return "avx512bf16";
#endif
        return "avx512";
    }
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return "avx2";
    return "scalar";
}
