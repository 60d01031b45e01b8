/* elementwise.cu - element-wise ops of the CUDA backend: SiLU * up (twin of
 * ds_k_silu_mul_ref), residual add, fp32 -> bf16, embedding rows (twin of ds_k_embed), and the
 * random weights of the benchmark mode (Philox per element, kernels/philox.h).
 * Reentrant; runs on the given stream.
 */
#include "kernels/cuda/common.cuh"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/internal.h"
#include "kernels/philox.h"

static unsigned blocks_for(size_t n, int threads)
{
    size_t b = (n + threads - 1) / threads;
    return (unsigned)(b > 1048576 ? 1048576 : b); /* grid-stride loops cover the rest */
}

template <bool BF16>
static __global__ void silu_mul_kernel(void *__restrict__ y, const float *__restrict__ g, const float *__restrict__ u,
                                       size_t n)
{
    for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x) {
        const float v = g[i];
        const float r = v / (1.0f + expf(-v)) * u[i];
        if (BF16)
            ((uint16_t *)y)[i] = f32_to_bf16(r);
        else
            ((float *)y)[i] = r;
    }
}

extern "C" ds_status ds_cuda_silu_mul(void *y, int y_bf16, const float *g, const float *u, size_t n, cudaStream_t s,
                                      ds_err *err)
{
    if (!n)
        return DS_OK;
    if (y_bf16)
        silu_mul_kernel<true><<<blocks_for(n, 256), 256, 0, s>>>(y, g, u, n);
    else
        silu_mul_kernel<false><<<blocks_for(n, 256), 256, 0, s>>>(y, g, u, n);
    DS_CUDA_LAUNCHED(err);
    return DS_OK;
}

static __global__ void add_kernel(float *__restrict__ y, const float *__restrict__ x, size_t n)
{
    for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x)
        y[i] += x[i];
}

extern "C" ds_status ds_cuda_add(float *y, const float *x, size_t n, cudaStream_t s, ds_err *err)
{
    if (!n)
        return DS_OK;
    add_kernel<<<blocks_for(n, 256), 256, 0, s>>>(y, x, n);
    DS_CUDA_LAUNCHED(err);
    return DS_OK;
}

static __global__ void to_bf16_kernel(uint16_t *__restrict__ y, const float *__restrict__ x, size_t n)
{
    for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x)
        y[i] = f32_to_bf16(x[i]);
}

extern "C" ds_status ds_cuda_to_bf16(uint16_t *y, const float *x, size_t n, cudaStream_t s, ds_err *err)
{
    if (!n)
        return DS_OK;
    to_bf16_kernel<<<blocks_for(n, 256), 256, 0, s>>>(y, x, n);
    DS_CUDA_LAUNCHED(err);
    return DS_OK;
}

static __global__ void embed_kernel(float *__restrict__ y, const void *__restrict__ table, int dtype,
                                    const int32_t *__restrict__ ids, int T, int D)
{
    const size_t n = (size_t)T * D;
    for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x) {
        const int t = (int)(i / D), d = (int)(i % D);
        y[i] = weight_elem(table, dtype, (size_t)ids[t] * D + d);
    }
}

extern "C" ds_status ds_cuda_embed(float *y, const void *table, ds_k_dtype dtype, const int32_t *ids, int T, int D,
                                   cudaStream_t s, ds_err *err)
{
    DS_CUDA_ARG(dtype == DS_K_F32 || dtype == DS_K_F16 || dtype == DS_K_BF16, err,
                "cuda embed: the table must be a float dtype");
    const size_t n = (size_t)T * D;
    if (!n)
        return DS_OK;
    embed_kernel<<<blocks_for(n, 256), 256, 0, s>>>(y, table, (int)dtype, ids, T, D);
    DS_CUDA_LAUNCHED(err);
    return DS_OK;
}

/* ---- random weights ------------------------------------------------------------------------ */

DS_DEV uint32_t rand32(uint64_t seed, uint64_t i)
{
    const uint32_t ctr[4] = {(uint32_t)i, (uint32_t)(i >> 32), 0x5eed, 0};
    const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    uint32_t out[4];
    ds_philox4x32_10(out, ctr, key);
    return out[0];
}

static __global__ void fill_bf16_kernel(uint16_t *w, size_t n, float scale, uint64_t seed)
{
    for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x) {
        const float u = (float)rand32(seed, i) * (1.0f / 4294967296.0f) * 2.0f - 1.0f;
        w[i] = f32_to_bf16(u * scale);
    }
}

static __global__ void fill_f32_kernel(float *w, size_t n, float lo, float hi, uint64_t seed)
{
    for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x)
        w[i] = lo + (hi - lo) * ((float)rand32(seed, i) * (1.0f / 4294967296.0f));
}

extern "C" ds_status ds_cuda_fill_random_bf16(uint16_t *w, size_t n, float scale, uint64_t seed, cudaStream_t s,
                                              ds_err *err)
{
    if (!n)
        return DS_OK;
    fill_bf16_kernel<<<blocks_for(n, 256), 256, 0, s>>>(w, n, scale, seed);
    DS_CUDA_LAUNCHED(err);
    return DS_OK;
}

extern "C" ds_status ds_cuda_fill_random_f32(float *w, size_t n, float lo, float hi, uint64_t seed, cudaStream_t s,
                                             ds_err *err)
{
    if (!n)
        return DS_OK;
    fill_f32_kernel<<<blocks_for(n, 256), 256, 0, s>>>(w, n, lo, hi, seed);
    DS_CUDA_LAUNCHED(err);
    return DS_OK;
}

static __global__ void fill_words_kernel(uint32_t *w, size_t n, uint64_t seed)
{
    for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x)
        w[i] = rand32(seed, i);
}

/* zeros near the middle (7..8), scales of about scale / 8 in fp16 */
static __global__ void fill_awq_meta_kernel(uint32_t *qz, uint16_t *sc, size_t nz, size_t ns, float scale,
                                            uint64_t seed)
{
    for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < nz || i < ns;
         i += (size_t)gridDim.x * blockDim.x) {
        if (i < nz)
            qz[i] = 0x77777777u + (rand32(seed + 1, i) & 0x11111111u);
        if (i < ns) {
            const float u = 0.75f + 0.5f * ((float)rand32(seed + 2, i) * (1.0f / 4294967296.0f));
            sc[i] = __half_as_ushort(__float2half_rn(u * scale / 8.0f));
        }
    }
}

extern "C" ds_status ds_cuda_fill_random_awq(const ds_cuda_weight *w, int N, int K, float scale, uint64_t seed,
                                             cudaStream_t s, ds_err *err)
{
    DS_CUDA_ARG(w->dtype == DS_K_AWQ4 && N % 8 == 0 && w->group > 0 && K % w->group == 0, err,
                "cuda fill awq: bad shape [%d, %d] for group %d", N, K, w->group);
    const size_t nq = (size_t)K * (N / 8), nz = (size_t)(K / w->group) * (N / 8), ns = (size_t)(K / w->group) * N;
    fill_words_kernel<<<blocks_for(nq, 256), 256, 0, s>>>((uint32_t *)w->d.data, nq, seed);
    DS_CUDA_LAUNCHED(err);
    fill_awq_meta_kernel<<<blocks_for(ns, 256), 256, 0, s>>>((uint32_t *)w->d.qzeros, (uint16_t *)w->d.scales, nz, ns,
                                                             scale, seed);
    DS_CUDA_LAUNCHED(err);
    return DS_OK;
}
