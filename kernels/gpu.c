/* gpu.c - the CPU's SIMD level (see gpu.h); device discovery is gpu_query.c or, without CUDA,
 * gpu_query_none.c. */
#include "kernels/gpu.h"

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
