/* sample.cu - token choice on the device: argmax (lowest index on ties), seeded temperature /
 * top-p sampling by the contract of ds_k_sample_ref (nucleus threshold found by bisection over
 * the ordered bit patterns of the scores, then a Gumbel-max draw with Philox uniforms from
 * kernels/philox.h, in double), and the JSON-schema token mask (twin of ds_k_mask_logits).
 * One block of 1024 threads per row. Reentrant; runs on the given stream.
 */
#include "kernels/cuda/common.cuh"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/internal.h"
#include "kernels/philox.h"

#include <float.h>
#include <limits.h>

#define SB 1024

/* The best (value, index) of the block, larger value first, then lower index. */
template <typename V> DS_DEV void block_best(V &v, int &i, V *sv, int *si)
{
    for (int o = 16; o > 0; o >>= 1) {
        const V ov = __shfl_xor_sync(0xffffffffu, v, o);
        const int oi = __shfl_xor_sync(0xffffffffu, i, o);
        if (ov > v || (ov == v && oi < i)) {
            v = ov;
            i = oi;
        }
    }
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    __syncthreads();
    if (lane == 0) {
        sv[warp] = v;
        si[warp] = i;
    }
    __syncthreads();
    if (warp == 0) {
        v = sv[lane];
        i = si[lane];
        for (int o = 16; o > 0; o >>= 1) {
            const V ov = __shfl_xor_sync(0xffffffffu, v, o);
            const int oi = __shfl_xor_sync(0xffffffffu, i, o);
            if (ov > v || (ov == v && oi < i)) {
                v = ov;
                i = oi;
            }
        }
        if (lane == 0) {
            sv[0] = v;
            si[0] = i;
        }
    }
    __syncthreads();
    v = sv[0];
    i = si[0];
}

static __global__ void __launch_bounds__(SB) argmax_kernel(int32_t *out, const float *__restrict__ logits, int V)
{
    __shared__ float sv[32];
    __shared__ int si[32];
    const float *l = logits + (size_t)blockIdx.x * V;
    float bv = -INFINITY;
    int bi = INT_MAX;
    for (int i = threadIdx.x; i < V; i += SB)
        if (bi == INT_MAX || l[i] > bv) { /* ascending i: the first of equals stays */
            bv = l[i];
            bi = i;
        }
    block_best<float>(bv, bi, sv, si);
    if (threadIdx.x == 0)
        out[blockIdx.x] = bi == INT_MAX ? 0 : bi;
}

extern "C" ds_status ds_cuda_argmax(int32_t *out, const float *logits, int R, int V, cudaStream_t s, ds_err *err)
{
    if (R <= 0)
        return DS_OK;
    DS_CUDA_ARG(V > 0, err, "cuda argmax: empty vocabulary");
    argmax_kernel<<<R, SB, 0, s>>>(out, logits, V);
    DS_CUDA_LAUNCHED(err);
    return DS_OK;
}

DS_DEV uint32_t order_key(float f)
{
    const uint32_t u = __float_as_uint(f);
    return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}
DS_DEV float from_key(uint32_t k)
{
    return __uint_as_float((k & 0x80000000u) ? (k & 0x7fffffffu) : ~k);
}

static __global__ void __launch_bounds__(SB)
    sample_kernel(int32_t *out, const float *__restrict__ logits, int V, float temperature, float top_p, uint64_t seed,
                  uint64_t counter, const uint64_t *counter_dev)
{
    __shared__ float red[32];
    __shared__ double sv[32];
    __shared__ int si[32];
    const int r = blockIdx.x;
    const float *l = logits + (size_t)r * V;
    const uint64_t ctr = (counter_dev ? *counter_dev : counter) + (uint64_t)r;
    float M = -INFINITY;
    for (int i = threadIdx.x; i < V; i += SB)
        M = fmaxf(M, l[i] / temperature);
    M = block_max(M, red);
    if (M == -INFINITY) {
        if (threadIdx.x == 0)
            out[r] = 0;
        return;
    }
    float Z = 0.f;
    for (int i = threadIdx.x; i < V; i += SB)
        Z += expf(l[i] / temperature - M);
    Z = block_sum(Z, red);
    /* nucleus: the smallest score x (over the ordered floats) whose mass strictly above is
     * below top_p * Z; the tokens kept are those scoring at least x */
    float thr = -INFINITY;
    if (top_p < 1.0f) {
        const float P = top_p * Z;
        uint32_t lo = order_key(-INFINITY), hi = order_key(M);
        while (hi - lo > 1u) {
            const uint32_t mid = lo + (hi - lo) / 2u;
            const float x = from_key(mid);
            float f = 0.f;
            for (int i = threadIdx.x; i < V; i += SB) {
                const float sc = l[i] / temperature;
                if (sc > x)
                    f += expf(sc - M);
            }
            f = block_sum(f, red);
            if (f < P)
                hi = mid;
            else
                lo = mid;
        }
        thr = from_key(hi);
    }
    double bv = -INFINITY;
    int bi = INT_MAX;
    for (int i = threadIdx.x; i < V; i += SB) {
        const float sc = l[i] / temperature;
        if (sc == -INFINITY || sc < thr)
            continue;
        const double u = ds_philox_uniform(seed, ctr, (uint32_t)i);
        const double v = (double)sc - log(-log(u));
        if (v > bv || (v == bv && i < bi)) {
            bv = v;
            bi = i;
        }
    }
    block_best<double>(bv, bi, sv, si);
    if (threadIdx.x == 0)
        out[r] = bi == INT_MAX ? 0 : bi;
}

extern "C" ds_status ds_cuda_sample(int32_t *out, const float *logits, int R, int V, float temperature, float top_p,
                                    uint64_t seed, uint64_t counter, const uint64_t *counter_dev, cudaStream_t s,
                                    ds_err *err)
{
    if (R <= 0)
        return DS_OK;
    if (!(temperature > 0.0f))
        return ds_cuda_argmax(out, logits, R, V, s, err);
    DS_CUDA_ARG(V > 0, err, "cuda sample: empty vocabulary");
    sample_kernel<<<R, SB, 0, s>>>(out, logits, V, temperature, top_p, seed, counter, counter_dev);
    DS_CUDA_LAUNCHED(err);
    return DS_OK;
}

static __global__ void mask_kernel(float *logits, const uint32_t *__restrict__ allow, size_t n, int V)
{
    for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x) {
        const int v = (int)(i % V);
        if (!((allow[v >> 5] >> (v & 31)) & 1u))
            logits[i] = -INFINITY;
    }
}

extern "C" ds_status ds_cuda_mask_logits(float *logits, const uint32_t *allow, int R, int V, cudaStream_t s,
                                         ds_err *err)
{
    const size_t n = (size_t)R * V;
    if (!n)
        return DS_OK;
    size_t b = (n + 255) / 256;
    mask_kernel<<<(unsigned)(b > 65536 ? 65536 : b), 256, 0, s>>>(logits, allow, n, V);
    DS_CUDA_LAUNCHED(err);
    return DS_OK;
}
