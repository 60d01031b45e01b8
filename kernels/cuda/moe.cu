/* moe.cu - the mixture-of-experts plumbing on the device: routing (twin of
 * ds_k_moe_route_ref), the grouping of (token, expert) pairs by expert (twin of
 * ds_k_moe_permute_ref), the gather of each group's input rows, and the weighted combination
 * of the experts' outputs in ascending expert order (twin of ds_k_moe_combine_ref).
 * Everything stays on the device (no host round trip), so a decode step can be one graph; the
 * grouping is deterministic (no atomics decide an order): per expert, one block scans the pairs
 * in token order with warp ballots.
 * Reentrant; runs on the given stream.
 */
#include "kernels/cuda/common.cuh"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/internal.h"

#include <limits.h>

/* One warp per token, four tokens per block; probabilities in shared memory (4 x E floats). */
static __global__ void route_kernel(int32_t *__restrict__ idx, float *__restrict__ wout,
                                    const float *__restrict__ logits, int T, int E, int k, float exp_t, int norm)
{
    extern __shared__ float probs[];
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    const int t = blockIdx.x * 4 + warp;
    if (t >= T)
        return;
    float *p = probs + (size_t)warp * E;
    const float *lr = logits + (size_t)t * E;
    float mx = -INFINITY;
    for (int e = lane; e < E; e += 32) {
        const float v = lr[e] / exp_t;
        p[e] = v;
        mx = fmaxf(mx, v);
    }
    mx = warp_max(mx);
    float sum = 0.f;
    for (int e = lane; e < E; e += 32) {
        const float x = expf(p[e] - mx);
        p[e] = x;
        sum += x;
    }
    sum = warp_sum(sum);
    for (int e = lane; e < E; e += 32)
        p[e] = p[e] / sum;
    __syncwarp();
    float picked = 0.f; /* lane j keeps the weight of pick j (k <= 32) */
    for (int j = 0; j < k; j++) {
        float bv = -1.f;
        int bi = INT_MAX;
        for (int e = lane; e < E; e += 32) {
            const float v = p[e];
            if (v > bv) { /* lanes scan ascending e: the first of equals stays */
                bv = v;
                bi = e;
            }
        }
        for (int o = 16; o > 0; o >>= 1) {
            const float ov = __shfl_xor_sync(0xffffffffu, bv, o);
            const int oi = __shfl_xor_sync(0xffffffffu, bi, o);
            if (ov > bv || (ov == bv && oi < bi)) {
                bv = ov;
                bi = oi;
            }
        }
        if (bi == INT_MAX) { /* no finite probability left (a NaN row): the lowest free expert,
                              * as the CPU twin, so the index written is always valid */
            for (int e = 0; e < E; e++)
                if (!(p[e] == -2.f)) {
                    bi = e;
                    break;
                }
            bv = p[bi];
        }
        if (lane == j)
            picked = bv;
        if (lane == 0) {
            idx[(size_t)t * k + j] = bi;
            p[bi] = -2.f; /* taken */
        }
        __syncwarp();
    }
    if (norm) {
        float s = 0.f;
        for (int j = 0; j < k; j++) /* in pick order, as the CPU */
            s += __shfl_sync(0xffffffffu, picked, j);
        picked = picked / s;
    }
    if (lane < k)
        wout[(size_t)t * k + lane] = picked;
}

extern "C" ds_status ds_cuda_moe_route(int32_t *idx, float *w, const float *logits, int T, int E, int k, float exp_t,
                                       int norm, cudaStream_t s, ds_err *err)
{
    if (T <= 0)
        return DS_OK;
    DS_CUDA_ARG(E > 0 && E <= 1024 && k > 0 && k <= 32 && k <= E, err, "cuda moe route: %d experts, top-%d", E, k);
    route_kernel<<<(T + 3) / 4, 128, (size_t)4 * E * sizeof(float), s>>>(idx, w, logits, T, E, k, exp_t, norm);
    DS_CUDA_LAUNCHED(err);
    return DS_OK;
}

/* counts[e] = pairs routed to e: one block per expert. */
static __global__ void count_kernel(int32_t *__restrict__ counts, const int32_t *__restrict__ idx, int n)
{
    __shared__ float red[32];
    const int e = blockIdx.x;
    float c = 0.f;
    for (int i = threadIdx.x; i < n; i += blockDim.x)
        c += idx[i] == e ? 1.f : 0.f;
    c = block_sum(c, red);
    if (threadIdx.x == 0)
        counts[e] = (int32_t)(c + 0.5f);
}

static __global__ void scan_kernel(int32_t *__restrict__ offsets, int32_t *__restrict__ active,
                                   const int32_t *__restrict__ counts, int E)
{
    if (threadIdx.x == 0 && blockIdx.x == 0) {
        int32_t acc = 0, na = 0;
        for (int e = 0; e < E; e++) {
            offsets[e] = acc;
            acc += counts[e];
            if (active && counts[e] > 0)
                active[na++] = e;
        }
        offsets[E] = acc;
        for (int e = na; active && e < E; e++)
            active[e] = -1;
    }
}

/* The rows of expert e in pair order (= token order): one block of 256 threads per expert. */
static __global__ void fill_kernel(int32_t *__restrict__ row_tok, float *__restrict__ row_w,
                                   int32_t *__restrict__ pair_row, const int32_t *__restrict__ offsets,
                                   const int32_t *__restrict__ idx, const float *__restrict__ w, int n, int k)
{
    __shared__ int wtot[8];
    const int e = blockIdx.x, tid = threadIdx.x, warp = tid >> 5, lane = tid & 31;
    int running = offsets[e];
    for (int base = 0; base < n; base += 256) {
        const int i = base + tid;
        const bool flag = i < n && idx[i] == e;
        const unsigned ballot = __ballot_sync(0xffffffffu, flag);
        const int before = __popc(ballot & ((1u << lane) - 1u));
        if (lane == 0)
            wtot[warp] = __popc(ballot);
        __syncthreads();
        int woff = 0, total = 0;
        for (int q = 0; q < 8; q++) {
            woff += q < warp ? wtot[q] : 0;
            total += wtot[q];
        }
        if (flag) {
            const int r = running + woff + before;
            row_tok[r] = i / k;
            row_w[r] = w[i];
            pair_row[i] = r;
        }
        running += total;
        __syncthreads(); /* wtot is rewritten next round */
    }
}

extern "C" ds_status ds_cuda_moe_permute(int32_t *counts, int32_t *offsets, int32_t *active, int32_t *row_tok,
                                         float *row_w, int32_t *pair_row, const int32_t *idx, const float *w, int T,
                                         int k, int E, cudaStream_t s, ds_err *err)
{
    DS_CUDA_ARG(E > 0 && k > 0 && T >= 0 && (long)T * k < (1L << 24), err, "cuda moe permute: %d tokens, top-%d of %d",
                T, k, E);
    const int n = T * k;
    count_kernel<<<E, 256, 0, s>>>(counts, idx, n);
    DS_CUDA_LAUNCHED(err);
    scan_kernel<<<1, 32, 0, s>>>(offsets, active, counts, E);
    DS_CUDA_LAUNCHED(err);
    if (n > 0) {
        fill_kernel<<<E, 256, 0, s>>>(row_tok, row_w, pair_row, offsets, idx, w, n, k);
        DS_CUDA_LAUNCHED(err);
    }
    return DS_OK;
}

template <bool BF16>
static __global__ void gather_kernel(void *__restrict__ xg, const float *__restrict__ x,
                                     const int32_t *__restrict__ row_tok, int rows, int H)
{
    const size_t n = (size_t)rows * H;
    for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x) {
        const int r = (int)(i / H), c = (int)(i % H);
        const float v = x[(size_t)row_tok[r] * H + c];
        if (BF16)
            ((uint16_t *)xg)[i] = f32_to_bf16(v);
        else
            ((float *)xg)[i] = v;
    }
}

extern "C" ds_status ds_cuda_moe_gather(void *xg, int xg_bf16, const float *x, const int32_t *row_tok, int rows, int H,
                                        cudaStream_t s, ds_err *err)
{
    const size_t n = (size_t)rows * H;
    if (!n)
        return DS_OK;
    size_t b = (n + 255) / 256;
    const unsigned blocks = (unsigned)(b > 1048576 ? 1048576 : b);
    if (xg_bf16)
        gather_kernel<true><<<blocks, 256, 0, s>>>(xg, x, row_tok, rows, H);
    else
        gather_kernel<false><<<blocks, 256, 0, s>>>(xg, x, row_tok, rows, H);
    DS_CUDA_LAUNCHED(err);
    return DS_OK;
}

/* One block per token: its pairs sorted by expert, then each thread sums columns. */
static __global__ void combine_moe_kernel(float *__restrict__ out, const float *__restrict__ y,
                                          const int32_t *__restrict__ pair_row, const int32_t *__restrict__ idx,
                                          const float *__restrict__ row_w, int k, int H, int accumulate)
{
    __shared__ int rows[32];
    __shared__ float ws[32];
    const int t = blockIdx.x;
    if (threadIdx.x == 0) {
        int ex[32];
        for (int j = 0; j < k; j++) {
            rows[j] = pair_row[(size_t)t * k + j];
            ex[j] = idx[(size_t)t * k + j];
        }
        for (int a = 1; a < k; a++) { /* insertion sort by expert */
            const int r = rows[a], e = ex[a];
            int b = a - 1;
            while (b >= 0 && ex[b] > e) {
                rows[b + 1] = rows[b];
                ex[b + 1] = ex[b];
                b--;
            }
            rows[b + 1] = r;
            ex[b + 1] = e;
        }
        for (int j = 0; j < k; j++)
            ws[j] = row_w[rows[j]];
    }
    __syncthreads();
    for (int c = threadIdx.x; c < H; c += blockDim.x) {
        float s = 0.f;
        for (int j = 0; j < k; j++)
            s += ws[j] * y[(size_t)rows[j] * H + c];
        float *o = out + (size_t)t * H + c;
        *o = accumulate ? *o + s : s;
    }
}

extern "C" ds_status ds_cuda_moe_combine(float *out, const float *y, const int32_t *pair_row, const int32_t *idx,
                                         const float *row_w, int T, int k, int H, int accumulate, cudaStream_t s,
                                         ds_err *err)
{
    if (T <= 0)
        return DS_OK;
    DS_CUDA_ARG(k > 0 && k <= 32, err, "cuda moe combine: top-%d", k);
    combine_moe_kernel<<<T, 256, 0, s>>>(out, y, pair_row, idx, row_w, k, H, accumulate);
    DS_CUDA_LAUNCHED(err);
    return DS_OK;
}
