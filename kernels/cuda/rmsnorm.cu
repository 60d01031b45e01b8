/* rmsnorm.cu - RMSNorm on the device, the CUDA twin of the CPU RMSNorm:
 * out[t, :] = x[t, :] / sqrt(mean(x[t, :]^2) + eps) * w[:], in fp32, one block per row.
 * Shapes: out, x (T, D); w (D). Pointers are device memory. Reentrant; runs on the given stream. */
#include "kernels/cuda/cuda_check.h"

#include <cuda_runtime.h>

extern "C" {
#include "kernels/cuda/kernels_cuda.h"
}

static __global__ void rmsnorm_kernel(float *__restrict__ out, const float *__restrict__ x,
                                      const float *__restrict__ w, int D, float eps)
{
    const float *row = x + (size_t)blockIdx.x * D;
    float *orow = out + (size_t)blockIdx.x * D;
    float ss = 0.f;
    for (int i = threadIdx.x; i < D; i += blockDim.x)
        ss += row[i] * row[i];
    /* Warp reduce, then across warps through shared memory. */
    for (int o = 16; o > 0; o >>= 1)
        ss += __shfl_xor_sync(0xffffffffu, ss, o);
    __shared__ float warp_sums[32];
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    if (lane == 0)
        warp_sums[warp] = ss;
    __syncthreads();
    if (warp == 0) {
        ss = lane < (int)(blockDim.x >> 5) ? warp_sums[lane] : 0.f;
        for (int o = 16; o > 0; o >>= 1)
            ss += __shfl_xor_sync(0xffffffffu, ss, o);
        if (lane == 0)
            warp_sums[0] = ss;
    }
    __syncthreads();
    float inv = rsqrtf(warp_sums[0] / (float)D + eps);
    for (int i = threadIdx.x; i < D; i += blockDim.x)
        orow[i] = row[i] * inv * w[i];
}

extern "C" ds_status ds_cuda_rmsnorm_f32(float *out, const float *x, const float *w, int T, int D, float eps,
                                         cudaStream_t stream, ds_err *err)
{
    if (T <= 0 || D <= 0)
        return DS_OK;
    int threads = D >= 1024 ? 1024 : ((D + 31) / 32) * 32;
    rmsnorm_kernel<<<T, threads, 0, stream>>>(out, x, w, D, eps);
    DS_CUDA_LAUNCHED(err);
    return DS_OK;
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
        st = ds_cuda_rmsnorm_f32(dout, dx, dw, T, D, eps, 0, err);
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
