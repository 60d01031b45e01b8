/* rmsnorm.cu - RMSNorm on the device, the CUDA twin of ds_k_rmsnorm_ref:
 * out[r, :] = x[r, :] * rsqrt(mean(x[r, :]^2) + eps) * w[:], fp32 arithmetic, written fp32 or
 * bf16. Rows of up to 256 elements (the per-head q/k norms) take one warp each, longer rows a
 * block of up to 1024 threads. Shapes: out, x (R, D); w (D). Reentrant; runs on the given
 * stream.
 */
#include "kernels/cuda/common.cuh"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/internal.h"

template <bool BF16> DS_DEV void store(void *out, size_t i, float v)
{
    if (BF16)
        ((uint16_t *)out)[i] = f32_to_bf16(v);
    else
        ((float *)out)[i] = v;
}

/* One block per row. */
template <bool BF16>
static __global__ void rmsnorm_block(void *__restrict__ out, const float *__restrict__ x, const float *__restrict__ w,
                                     int D, float eps)
{
    __shared__ float red[32];
    const size_t base = (size_t)blockIdx.x * D;
    float ss = 0.f;
    for (int i = threadIdx.x; i < D; i += blockDim.x)
        ss += x[base + i] * x[base + i];
    ss = block_sum(ss, red);
    const float inv = rsqrtf(ss / (float)D + eps);
    for (int i = threadIdx.x; i < D; i += blockDim.x)
        store<BF16>(out, base + i, w[i] * (x[base + i] * inv));
}

/* One warp per row, 8 rows per block; D <= 256 (8 elements per lane). */
template <bool BF16>
static __global__ void rmsnorm_warp(void *__restrict__ out, const float *__restrict__ x, const float *__restrict__ w,
                                    int R, int D, float eps)
{
    const int row = blockIdx.x * 8 + (threadIdx.x >> 5), lane = threadIdx.x & 31;
    if (row >= R)
        return;
    const size_t base = (size_t)row * D;
    float v[8];
    float ss = 0.f;
#pragma unroll
    for (int j = 0; j < 8; j++) {
        const int i = lane + 32 * j;
        v[j] = i < D ? x[base + i] : 0.f;
        ss += v[j] * v[j];
    }
    ss = warp_sum(ss);
    const float inv = rsqrtf(ss / (float)D + eps);
#pragma unroll
    for (int j = 0; j < 8; j++) {
        const int i = lane + 32 * j;
        if (i < D)
            store<BF16>(out, base + i, w[i] * (v[j] * inv));
    }
}

extern "C" ds_status ds_cuda_rmsnorm(void *out, int out_bf16, const float *x, const float *w, int R, int D, float eps,
                                     cudaStream_t s, ds_err *err)
{
    if (R <= 0 || D <= 0)
        return DS_OK;
    if (D <= 256) {
        const int blocks = (R + 7) / 8;
        if (out_bf16)
            rmsnorm_warp<true><<<blocks, 256, 0, s>>>(out, x, w, R, D, eps);
        else
            rmsnorm_warp<false><<<blocks, 256, 0, s>>>(out, x, w, R, D, eps);
    } else {
        const int threads = D >= 1024 ? 1024 : ((D + 31) / 32) * 32;
        if (out_bf16)
            rmsnorm_block<true><<<R, threads, 0, s>>>(out, x, w, D, eps);
        else
            rmsnorm_block<false><<<R, threads, 0, s>>>(out, x, w, D, eps);
    }
    DS_CUDA_LAUNCHED(err);
    return DS_OK;
}

extern "C" ds_status ds_cuda_rmsnorm_f32(float *out, const float *x, const float *w, int T, int D, float eps,
                                         cudaStream_t stream, ds_err *err)
{
    return ds_cuda_rmsnorm(out, 0, x, w, T, D, eps, stream, err);
}

extern "C" ds_status ds_cuda_rmsnorm_f32_host(float *out, const float *x, const float *w, int T, int D, float eps,
                                              ds_err *err)
{
    size_t nx = (size_t)T * D * sizeof(float), nw = (size_t)D * sizeof(float);
    float *dx = NULL, *dw = NULL, *dout = NULL;
    ds_status st = DS_OK;
    cudaError_t e = cudaMalloc(&dx, nx);
    if (e == cudaSuccess)
        e = cudaMalloc(&dw, nw);
    if (e == cudaSuccess)
        e = cudaMalloc(&dout, nx);
    if (e == cudaSuccess)
        e = cudaMemcpy(dx, x, nx, cudaMemcpyHostToDevice);
    if (e == cudaSuccess)
        e = cudaMemcpy(dw, w, nw, cudaMemcpyHostToDevice);
    if (e == cudaSuccess) {
        st = ds_cuda_rmsnorm(dout, 0, dx, dw, T, D, eps, 0, err);
        if (st == DS_OK)
            e = cudaDeviceSynchronize();
    }
    if (st == DS_OK && e == cudaSuccess)
        e = cudaMemcpy(out, dout, nx, cudaMemcpyDeviceToHost);
    if (st == DS_OK && e != cudaSuccess)
        st = ds_err_set(err, DS_ERR_CUDA, "rmsnorm: %s", cudaGetErrorString(e));
    cudaFree(dx);
    cudaFree(dw);
    cudaFree(dout);
    return st;
}
