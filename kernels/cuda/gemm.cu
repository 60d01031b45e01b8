/* gemm.cu - matrix products of the CUDA backend.
 *
 *  - matmul_f32_kernel: y (T, N) (+)= x (T, K) . W^T with fp32 activations and any weight dtype
 *    (bf16 / f16 / f32 widened, AWQ int4 dequantised per element), 64 x 64 output tiles, k in
 *    steps of 16 through shared memory, 4 x 4 outputs per thread, each output summed over k in
 *    ascending order. The exact path: twin of ds_k_matmul_ref, used by the fp32 engine.
 *  - ds_cuda_gemm_bf16: cuBLAS GemmEx, bf16 inputs, fp32 output and accumulation (tensor cores)
 *    for every large product of the fast engine. Expert GEMMs in prefill are one GemmEx per
 *    expert: with ~T*k/E rows each (4K rows per expert for a 70K-token prefill in 8K segments)
 *    every call is large enough to fill the GPU, per-expert calls need no padding or host-side
 *    pointer arrays, and int4 experts mix in (dequantised to a bf16 scratch first). The grouped
 *    GEMM of cuBLAS (cublasGemmGroupedBatchedEx) would also need the group sizes on the host,
 *    so it saves launches, not the host round trip; the decode path avoids both below.
 *  - awq_dequant_kernel: W^T (K, N) bf16 from AWQ int4 for GemmEx.
 *  - grouped GEMV (bf16 and AWQ weights), plain and with the MLP's gate/up/SiLU fused: rows
 *    grouped by expert with the group bounds read on the device, so routing never leaves the
 *    GPU and a decode step is capturable in a graph; each weight row is read once per four
 *    rows. bf16: one warp per output, 16-byte loads along k. AWQ: one thread per packed int32
 *    column (8 outputs), eight warps splitting k, reduced through shared memory.
 * Reentrant; runs on the given stream.
 */
#include "kernels/cuda/common.cuh"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/internal.h"

#include <cublas_v2.h>

extern "C" {
#include "pipeline/core/alloc.h"
}

/* ---- exact fp32 matmul ------------------------------------------------------------------------ */

#define MM_BM 64
#define MM_BN 64
#define MM_BK 16

typedef struct mm_w {
    const void *data;
    const int32_t *qz;
    const uint16_t *sc;
    int dtype, group;
} mm_w;

DS_DEV float w_elem(const mm_w &w, int N, int K, int n, int k)
{
    if (w.dtype == DS_K_AWQ4)
        return awq_elem((const int32_t *)w.data, w.qz, w.sc, w.group, N, n, k);
    return weight_elem(w.data, w.dtype, (size_t)n * K + k);
}

static __global__ void __launch_bounds__(256)
    matmul_f32_kernel(float *__restrict__ y, const float *__restrict__ x, mm_w w, int T, int N, int K, int accumulate)
{
    __shared__ float As[MM_BK][MM_BM + 4], Bs[MM_BK][MM_BN + 4];
    const int tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
    const int m0 = blockIdx.y * MM_BM, n0 = blockIdx.x * MM_BN;
    float acc[4][4];
#pragma unroll
    for (int i = 0; i < 4; i++)
#pragma unroll
        for (int j = 0; j < 4; j++)
            acc[i][j] = 0.f;
    for (int k0 = 0; k0 < K; k0 += MM_BK) {
#pragma unroll
        for (int e = 0; e < 4; e++) {
            const int i = tid + e * 256, r = i / MM_BK, kk = i % MM_BK;
            As[kk][r] = m0 + r < T && k0 + kk < K ? x[(size_t)(m0 + r) * K + k0 + kk] : 0.f;
            Bs[kk][r] = n0 + r < N && k0 + kk < K ? w_elem(w, N, K, n0 + r, k0 + kk) : 0.f;
        }
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < MM_BK; kk++) {
            float a[4], b[4];
#pragma unroll
            for (int i = 0; i < 4; i++) {
                a[i] = As[kk][ty * 4 + i];
                b[i] = Bs[kk][tx * 4 + i];
            }
#pragma unroll
            for (int i = 0; i < 4; i++)
#pragma unroll
                for (int j = 0; j < 4; j++)
                    acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
        }
        __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < 4; i++) {
        const int m = m0 + ty * 4 + i;
        if (m >= T)
            continue;
#pragma unroll
        for (int j = 0; j < 4; j++) {
            const int n = n0 + tx * 4 + j;
            if (n < N) {
                float *o = y + (size_t)m * N + n;
                *o = accumulate ? *o + acc[i][j] : acc[i][j];
            }
        }
    }
}

static ds_status check_weight(const ds_cuda_weight *w, int N, int K, ds_err *err)
{
    if (w->dtype == DS_K_AWQ4)
        DS_CUDA_ARG(N % 8 == 0 && w->group > 0 && K % w->group == 0 && w->d.qzeros && w->d.scales, err,
                    "cuda awq weight [%d, %d] with group %d", N, K, w->group);
    else
        DS_CUDA_ARG(w->dtype == DS_K_F32 || w->dtype == DS_K_F16 || w->dtype == DS_K_BF16, err,
                    "cuda weight of dtype %d", (int)w->dtype);
    return DS_OK;
}

extern "C" ds_status ds_cuda_matmul_f32(float *y, const float *x, const ds_cuda_weight *w, int T, int N, int K,
                                        int accumulate, cudaStream_t s, ds_err *err)
{
    if (T <= 0 || N <= 0)
        return DS_OK;
    ds_status st = check_weight(w, N, K, err);
    if (st != DS_OK)
        return st;
    mm_w mw = {w->d.data, w->d.qzeros, w->d.scales, (int)w->dtype, w->group};
    dim3 grid((unsigned)((N + MM_BN - 1) / MM_BN), (unsigned)((T + MM_BM - 1) / MM_BM));
    DS_CUDA_ARG(grid.y <= 65535, err, "cuda matmul: %d rows", T);
    matmul_f32_kernel<<<grid, 256, 0, s>>>(y, x, mw, T, N, K, accumulate);
    DS_CUDA_LAUNCHED(err);
    return DS_OK;
}

/* ---- cuBLAS ------------------------------------------------------------------------------------ */

struct ds_cuda_blas {
    cublasHandle_t h;
};

extern "C" ds_status ds_cuda_blas_create(ds_cuda_blas **out, cudaStream_t s, void *workspace, size_t ws_bytes,
                                         ds_err *err)
{
    *out = NULL;
    ds_cuda_blas *b = (ds_cuda_blas *)ds_calloc(1, sizeof *b);
    if (!b)
        return ds_err_set(err, DS_ERR_NOMEM, "cublas: out of memory");
    cublasStatus_t cs = cublasCreate(&b->h);
    if (cs == CUBLAS_STATUS_SUCCESS)
        cs = cublasSetStream(b->h, s);
    if (cs == CUBLAS_STATUS_SUCCESS && workspace)
        cs = cublasSetWorkspace(b->h, workspace, ws_bytes);
    if (cs != CUBLAS_STATUS_SUCCESS) {
        if (b->h)
            cublasDestroy(b->h);
        ds_free(b);
        return ds_err_set(err, DS_ERR_CUDA, "cublas: cannot set up a handle (status %d)", (int)cs);
    }
    *out = b;
    return DS_OK;
}

extern "C" void ds_cuda_blas_free(ds_cuda_blas *b)
{
    if (!b)
        return;
    cublasDestroy(b->h);
    ds_free(b);
}

extern "C" ds_status ds_cuda_gemm_bf16(ds_cuda_blas *b, float *y, const uint16_t *x, const uint16_t *w, int wt, int T,
                                       int N, int K, int accumulate, ds_err *err)
{
    if (T <= 0 || N <= 0)
        return DS_OK;
    const float alpha = 1.0f, beta = accumulate ? 1.0f : 0.0f;
    /* column-major view: Y^T (N x T) = op(W) (N x K) . X^T (K x T) */
    DS_CUBLAS_TRY(cublasGemmEx(b->h, wt ? CUBLAS_OP_N : CUBLAS_OP_T, CUBLAS_OP_N, N, T, K, &alpha, w, CUDA_R_16BF,
                               wt ? N : K, x, CUDA_R_16BF, K, &beta, y, CUDA_R_32F, N, CUBLAS_COMPUTE_32F,
                               CUBLAS_GEMM_DEFAULT),
                  err);
    return DS_OK;
}

/* ---- AWQ dequantisation to bf16 --------------------------------------------------------------- */

static __global__ void awq_dequant_kernel(uint16_t *__restrict__ wt, const int32_t *__restrict__ qw,
                                          const int32_t *__restrict__ qz, const uint16_t *__restrict__ sc, int N, int K,
                                          int group)
{
    const int N8 = N >> 3;
    const size_t n = (size_t)K * N8;
    for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x) {
        const int k = (int)(i / N8), c8 = (int)(i % N8), g = k / group;
        const uint32_t q = (uint32_t)qw[i], z = (uint32_t)qz[(size_t)g * N8 + c8];
        const uint16_t *s = sc + (size_t)g * N + (size_t)c8 * 8;
        uint32_t pk[4];
#pragma unroll
        for (int j = 0; j < 8; j += 2) {
            const int sh0 = awq_shift(j), sh1 = awq_shift(j + 1);
            const float v0 = (float)((int)((q >> sh0) & 15u) - (int)((z >> sh0) & 15u)) * f16_to_f32(s[j]);
            const float v1 = (float)((int)((q >> sh1) & 15u) - (int)((z >> sh1) & 15u)) * f16_to_f32(s[j + 1]);
            pk[j / 2] = pack_bf16x2(v0, v1);
        }
        *(uint4 *)(wt + (size_t)k * N + (size_t)c8 * 8) = make_uint4(pk[0], pk[1], pk[2], pk[3]);
    }
}

extern "C" ds_status ds_cuda_awq_dequant_bf16(uint16_t *wt, const ds_cuda_weight *w, int N, int K, cudaStream_t s,
                                              ds_err *err)
{
    DS_CUDA_ARG(w->dtype == DS_K_AWQ4, err, "cuda awq dequant: not an int4 weight");
    ds_status st = check_weight(w, N, K, err);
    if (st != DS_OK)
        return st;
    const size_t n = (size_t)K * (N / 8);
    size_t b = (n + 255) / 256;
    awq_dequant_kernel<<<(unsigned)(b > 1048576 ? 1048576 : b), 256, 0, s>>>(wt, (const int32_t *)w->d.data,
                                                                             w->d.qzeros, w->d.scales, N, K, w->group);
    DS_CUDA_LAUNCHED(err);
    return DS_OK;
}

/* ---- grouped GEMV, bf16 weights ----------------------------------------------------------------- */

#define GV_ROWS 4

/* 8 consecutive activations of row r at k, widened. */
template <bool XBF16> DS_DEV void load_x8(float v[8], const void *x, size_t at)
{
    if (XBF16) {
        const uint4 u = *(const uint4 *)((const uint16_t *)x + at);
        const uint32_t w[4] = {u.x, u.y, u.z, u.w};
#pragma unroll
        for (int i = 0; i < 4; i++) {
            v[2 * i] = bf16_to_f32((uint16_t)(w[i] & 0xffffu));
            v[2 * i + 1] = bf16_to_f32((uint16_t)(w[i] >> 16));
        }
    } else {
        const float4 a = *(const float4 *)((const float *)x + at), b = *(const float4 *)((const float *)x + at + 4);
        v[0] = a.x, v[1] = a.y, v[2] = a.z, v[3] = a.w, v[4] = b.x, v[5] = b.y, v[6] = b.z, v[7] = b.w;
    }
}

DS_DEV void load_w8(float v[8], const uint16_t *w)
{
    const uint4 u = *(const uint4 *)w;
    const uint32_t q[4] = {u.x, u.y, u.z, u.w};
#pragma unroll
    for (int i = 0; i < 4; i++) {
        v[2 * i] = bf16_to_f32((uint16_t)(q[i] & 0xffffu));
        v[2 * i + 1] = bf16_to_f32((uint16_t)(q[i] >> 16));
    }
}

/* One warp per output n (8 per block); grid (ceil(N / 8), E). With GATEUP, table2 holds the up
 * weights and the result is silu(gate) * up. */
template <bool XBF16, bool GATEUP, bool OBF16>
static __global__ void gemv_bf16_kernel(void *__restrict__ y, const void *__restrict__ x,
                                        const ds_cuda_wdesc *__restrict__ table,
                                        const ds_cuda_wdesc *__restrict__ table2, const int32_t *__restrict__ offsets,
                                        const int32_t *__restrict__ active, int N, int K, int accumulate)
{
    const int e = active ? active[blockIdx.y] : (int)blockIdx.y;
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    if (e < 0)
        return;
    const int rb = offsets[e], re = offsets[e + 1];
    const int n = blockIdx.x * 8 + warp;
    if (rb >= re || n >= N)
        return;
    const uint16_t *wr = (const uint16_t *)table[e].data + (size_t)n * K;
    const uint16_t *ur = GATEUP ? (const uint16_t *)table2[e].data + (size_t)n * K : NULL;
    for (int r0 = rb; r0 < re; r0 += GV_ROWS) {
        const int nr = min(GV_ROWS, re - r0);
        float acc[GV_ROWS], acc2[GV_ROWS];
#pragma unroll
        for (int r = 0; r < GV_ROWS; r++)
            acc[r] = acc2[r] = 0.f;
        for (int k = lane * 8; k < K; k += 256) {
            float wv[8], uv[8];
            load_w8(wv, wr + k);
            if (GATEUP)
                load_w8(uv, ur + k);
#pragma unroll
            for (int r = 0; r < GV_ROWS; r++) {
                if (r < nr) {
                    float xv[8];
                    load_x8<XBF16>(xv, x, (size_t)(r0 + r) * K + k);
#pragma unroll
                    for (int i = 0; i < 8; i++) {
                        acc[r] = fmaf(wv[i], xv[i], acc[r]);
                        if (GATEUP)
                            acc2[r] = fmaf(uv[i], xv[i], acc2[r]);
                    }
                }
            }
        }
#pragma unroll
        for (int r = 0; r < GV_ROWS; r++) {
            acc[r] = warp_sum(acc[r]);
            if (GATEUP)
                acc2[r] = warp_sum(acc2[r]);
        }
        if (lane == 0) {
            for (int r = 0; r < nr; r++) {
                const size_t at = (size_t)(r0 + r) * N + n;
                if (GATEUP) {
                    const float g = acc[r], v = g / (1.0f + expf(-g)) * acc2[r];
                    if (OBF16)
                        ((uint16_t *)y)[at] = f32_to_bf16(v);
                    else
                        ((float *)y)[at] = v;
                } else {
                    float *o = (float *)y + at;
                    *o = accumulate ? *o + acc[r] : acc[r];
                }
            }
        }
    }
}

/* ---- grouped GEMV, AWQ int4 weights ------------------------------------------------------------- */

#define AQ_WARPS 8

/* Block (32, AQ_WARPS): lane = packed column c8 (outputs 8 c8 .. 8 c8 + 7), warp = a slice of
 * k. grid (ceil(N / 256), E). */
template <bool XBF16, bool GATEUP, bool OBF16>
static __global__ void __launch_bounds__(32 * AQ_WARPS)
    gemv_awq_kernel(void *__restrict__ y, const void *__restrict__ x, const ds_cuda_wdesc *__restrict__ table,
                    const ds_cuda_wdesc *__restrict__ table2, const int32_t *__restrict__ offsets,
                    const int32_t *__restrict__ active, int N, int K, int group, int accumulate)
{
    constexpr int RR = GATEUP ? 2 : GV_ROWS; /* rows per pass (registers) */
    __shared__ float red[AQ_WARPS][32][8 * (GATEUP ? 2 : 1) + 1];
    const int e = active ? active[blockIdx.y] : (int)blockIdx.y;
    const int lane = threadIdx.x, warp = threadIdx.y;
    if (e < 0)
        return; /* uniform over the block */
    const int rb = offsets[e], re = offsets[e + 1];
    if (rb >= re)
        return; /* uniform over the block */
    const int N8 = N >> 3, c8 = blockIdx.x * 32 + lane;
    const bool live = c8 < N8;
    const int kc = (K + AQ_WARPS - 1) / AQ_WARPS, k0 = warp * kc, k1 = min(K, k0 + kc);
    const int32_t *qw = (const int32_t *)table[e].data, *qz = table[e].qzeros;
    const uint16_t *sc = table[e].scales;
    const int32_t *qw2 = GATEUP ? (const int32_t *)table2[e].data : NULL;
    const int32_t *qz2 = GATEUP ? table2[e].qzeros : NULL;
    const uint16_t *sc2 = GATEUP ? table2[e].scales : NULL;
    for (int r0 = rb; r0 < re; r0 += RR) {
        const int nr = min(RR, re - r0);
        float acc[RR][8], acc2[RR][8];
#pragma unroll
        for (int r = 0; r < RR; r++)
#pragma unroll
            for (int j = 0; j < 8; j++)
                acc[r][j] = acc2[r][j] = 0.f;
        if (live) {
            int gcur = -1;
            float zf[8], sf[8], zf2[8], sf2[8];
            for (int k = k0; k < k1; k++) {
                const int g = k / group;
                if (g != gcur) {
                    gcur = g;
                    const uint32_t z = (uint32_t)qz[(size_t)g * N8 + c8];
#pragma unroll
                    for (int j = 0; j < 8; j++) {
                        zf[j] = (float)((z >> awq_shift(j)) & 15u);
                        sf[j] = f16_to_f32(sc[(size_t)g * N + (size_t)c8 * 8 + j]);
                    }
                    if (GATEUP) {
                        const uint32_t z2 = (uint32_t)qz2[(size_t)g * N8 + c8];
#pragma unroll
                        for (int j = 0; j < 8; j++) {
                            zf2[j] = (float)((z2 >> awq_shift(j)) & 15u);
                            sf2[j] = f16_to_f32(sc2[(size_t)g * N + (size_t)c8 * 8 + j]);
                        }
                    }
                }
                const uint32_t q = (uint32_t)qw[(size_t)k * N8 + c8];
                float wv[8], uv[8];
#pragma unroll
                for (int j = 0; j < 8; j++)
                    wv[j] = ((float)((q >> awq_shift(j)) & 15u) - zf[j]) * sf[j];
                if (GATEUP) {
                    const uint32_t q2 = (uint32_t)qw2[(size_t)k * N8 + c8];
#pragma unroll
                    for (int j = 0; j < 8; j++)
                        uv[j] = ((float)((q2 >> awq_shift(j)) & 15u) - zf2[j]) * sf2[j];
                }
#pragma unroll
                for (int r = 0; r < RR; r++) {
                    if (r < nr) {
                        const size_t at = (size_t)(r0 + r) * K + k;
                        const float xv = XBF16 ? bf16_to_f32(((const uint16_t *)x)[at]) : ((const float *)x)[at];
#pragma unroll
                        for (int j = 0; j < 8; j++) {
                            acc[r][j] = fmaf(xv, wv[j], acc[r][j]);
                            if (GATEUP)
                                acc2[r][j] = fmaf(xv, uv[j], acc2[r][j]);
                        }
                    }
                }
            }
        }
        /* sum the k slices, one row at a time */
        for (int r = 0; r < nr; r++) {
#pragma unroll
            for (int j = 0; j < 8; j++) {
                red[warp][lane][j] = acc[r][j];
                if (GATEUP)
                    red[warp][lane][8 + j] = acc2[r][j];
            }
            __syncthreads();
            if (warp == 0 && live) {
                float s[8], s2[8];
#pragma unroll
                for (int j = 0; j < 8; j++) {
                    s[j] = s2[j] = 0.f;
                    for (int w = 0; w < AQ_WARPS; w++) {
                        s[j] += red[w][lane][j];
                        if (GATEUP)
                            s2[j] += red[w][lane][8 + j];
                    }
                }
                const size_t at = (size_t)(r0 + r) * N + (size_t)c8 * 8;
#pragma unroll
                for (int j = 0; j < 8; j++) {
                    if (GATEUP) {
                        const float v = s[j] / (1.0f + expf(-s[j])) * s2[j];
                        if (OBF16)
                            ((uint16_t *)y)[at + j] = f32_to_bf16(v);
                        else
                            ((float *)y)[at + j] = v;
                    } else {
                        float *o = (float *)y + at + j;
                        *o = accumulate ? *o + s[j] : s[j];
                    }
                }
            }
            __syncthreads();
        }
    }
}

template <bool GATEUP>
static ds_status launch_grouped(void *y, int y_bf16, const void *x, int x_bf16, const ds_cuda_wdesc *t1,
                                const ds_cuda_wdesc *t2, ds_k_dtype dtype, int group, const int32_t *offsets,
                                const int32_t *active, int n_launch, int E, int N, int K, int accumulate,
                                cudaStream_t s, ds_err *err)
{
    const int G = active ? (n_launch < E ? n_launch : E) : E; /* groups launched */
    if (G <= 0 || N <= 0)
        return DS_OK;
    DS_CUDA_ARG(G <= 65535, err, "cuda grouped gemv: %d groups", G);
    if (dtype == DS_K_BF16) {
        DS_CUDA_ARG(K % 8 == 0, err, "cuda grouped gemv: K = %d is not a multiple of 8", K);
        dim3 grid((unsigned)((N + 7) / 8), (unsigned)G);
#define GV(XB, OB) \
    gemv_bf16_kernel<XB, GATEUP, OB><<<grid, 256, 0, s>>>(y, x, t1, t2, offsets, active, N, K, accumulate)
        if (x_bf16 && y_bf16)
            GV(true, true);
        else if (x_bf16)
            GV(true, false);
        else if (y_bf16)
            GV(false, true);
        else
            GV(false, false);
#undef GV
    } else if (dtype == DS_K_AWQ4) {
        DS_CUDA_ARG(N % 8 == 0 && group > 0 && K % group == 0, err, "cuda grouped gemv: awq [%d, %d] with group %d", N,
                    K, group);
        dim3 grid((unsigned)((N / 8 + 31) / 32), (unsigned)G), block(32, AQ_WARPS);
#define GA(XB, OB) \
    gemv_awq_kernel<XB, GATEUP, OB><<<grid, block, 0, s>>>(y, x, t1, t2, offsets, active, N, K, group, accumulate)
        if (x_bf16 && y_bf16)
            GA(true, true);
        else if (x_bf16)
            GA(true, false);
        else if (y_bf16)
            GA(false, true);
        else
            GA(false, false);
#undef GA
    } else {
        return ds_err_set(err, DS_ERR_USAGE, "cuda grouped gemv: weights must be bf16 or awq int4");
    }
    DS_CUDA_LAUNCHED(err);
    return DS_OK;
}

extern "C" ds_status ds_cuda_grouped_gemv(float *y, const void *x, int x_bf16, const ds_cuda_wdesc *table,
                                          ds_k_dtype dtype, int group, const int32_t *offsets, const int32_t *active,
                                          int n_launch, int E, int N, int K, int accumulate, cudaStream_t s,
                                          ds_err *err)
{
    return launch_grouped<false>(y, 0, x, x_bf16, table, table, dtype, group, offsets, active, n_launch, E, N, K,
                                 accumulate, s, err);
}

extern "C" ds_status ds_cuda_grouped_gateup(void *h, int h_bf16, const void *x, int x_bf16, const ds_cuda_wdesc *gate,
                                            const ds_cuda_wdesc *up, ds_k_dtype dtype, int group,
                                            const int32_t *offsets, const int32_t *active, int n_launch, int E, int F,
                                            int K, cudaStream_t s, ds_err *err)
{
    return launch_grouped<true>(h, h_bf16, x, x_bf16, gate, up, dtype, group, offsets, active, n_launch, E, F, K, 0, s,
                                err);
}
