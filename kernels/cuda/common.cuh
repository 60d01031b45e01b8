/* common.cuh - device helpers shared by the CUDA kernels: bf16/f16 conversions matching the CPU
 * ones (round to nearest even), warp and block reductions, weight element access. Header-only;
 * every function is inline. */
#ifndef DS_KERNELS_CUDA_COMMON_CUH
#define DS_KERNELS_CUDA_COMMON_CUH

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>
#include <stdint.h>

#define DS_DEV static __device__ __forceinline__

DS_DEV float bf16_to_f32(uint16_t h)
{
    return __uint_as_float((uint32_t)h << 16);
}

/* round to nearest even, NaN kept quiet: the same bits as ds_k_f32_to_bf16 */
DS_DEV uint16_t f32_to_bf16(float f)
{
    uint32_t u = __float_as_uint(f);
    if ((u & 0x7fffffffu) > 0x7f800000u)
        return (uint16_t)((u >> 16) | 0x40);
    u += 0x7fffu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

DS_DEV float f16_to_f32(uint16_t h)
{
    return __half2float(__ushort_as_half(h));
}

DS_DEV uint32_t pack_bf16x2(float lo, float hi)
{
    return (uint32_t)f32_to_bf16(lo) | ((uint32_t)f32_to_bf16(hi) << 16);
}

DS_DEV float warp_sum(float v)
{
    for (int o = 16; o > 0; o >>= 1)
        v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

DS_DEV float warp_max(float v)
{
    for (int o = 16; o > 0; o >>= 1)
        v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

/* Block-wide sum; every thread gets the result. scratch: 32 floats of shared memory. Must be
 * called by every thread of the block. */
DS_DEV float block_sum(float v, float *scratch)
{
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nw = (blockDim.x + 31) >> 5;
    v = warp_sum(v);
    __syncthreads();
    if (lane == 0)
        scratch[warp] = v;
    __syncthreads();
    v = lane < nw ? scratch[lane] : 0.0f;
    v = warp_sum(v);
    return v;
}

DS_DEV float block_max(float v, float *scratch)
{
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nw = (blockDim.x + 31) >> 5;
    v = warp_max(v);
    __syncthreads();
    if (lane == 0)
        scratch[warp] = v;
    __syncthreads();
    v = lane < nw ? scratch[lane] : -INFINITY;
    v = warp_max(v);
    return v;
}

/* Element of a float weight (0 F32, 1 F16, 2 BF16: the ds_k_dtype values). */
DS_DEV float weight_elem(const void *w, int dtype, size_t i)
{
    if (dtype == 2)
        return bf16_to_f32(((const uint16_t *)w)[i]);
    if (dtype == 1)
        return f16_to_f32(((const uint16_t *)w)[i]);
    return ((const float *)w)[i];
}

/* Nibble slot of column j of an AutoAWQ word (ds_k_awq_slot). */
DS_DEV int awq_shift(int j)
{
    return 4 * ((j & 1) * 4 + (j >> 1));
}

/* Element (n, k) of an AWQ weight of N outputs: (q - z) * s. */
DS_DEV float awq_elem(const int32_t *qw, const int32_t *qz, const uint16_t *sc, int group, int N, int n, int k)
{
    const int g = k / group, sh = awq_shift(n & 7);
    const int q = (int)(((uint32_t)qw[(size_t)k * (N >> 3) + (n >> 3)] >> sh) & 15u);
    const int z = (int)(((uint32_t)qz[(size_t)g * (N >> 3) + (n >> 3)] >> sh) & 15u);
    return (float)(q - z) * f16_to_f32(sc[(size_t)g * N + n]);
}

#endif
