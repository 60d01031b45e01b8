/* attention.cu - causal grouped-query attention over the paged KV cache on the device, the
 * CUDA twin of ds_k_attention_ref, and the KV page write (twin of ds_k_kv_write_ref).
 *
 * Layout (kernels_cuda.h, ds_cuda_kv): per page and layer, keys (Hkv, D, PT) transposed and
 * values (Hkv, PT, D), fp32 or bf16 elements, the same layout as the CPU cache (kvcache.h).
 *
 * Two kernels:
 *  - flash_mma<D> (bf16 pages, D = 32, 64, 128): FlashAttention-2 style. A block of 4 warps
 *    takes 64 query rows of one kv head, the rows being (token, head-in-group) pairs so that
 *    the G query heads sharing a kv head share every K/V tile; each warp owns 16 rows. Per key
 *    tile of 64: K (cp.async, zero-filled past the last valid key) -> S = Q K^T with
 *    mma.sync.m16n8k16 (bf16 in, fp32 accumulate; fragments loaded with ldmatrix, .trans for
 *    the (k, n) row-major K and V tiles) -> causal mask -> online softmax in registers (exp2,
 *    the scale folded with log2 e) -> P converted in registers to the A fragments of P V (the
 *    accumulator layout of m16n8k16 is the A layout) -> O += P V. V of tile j loads while S is
 *    computed, K of tile j + 1 while P V is. Shared rows are padded by 8 halves so that
 *    ldmatrix rows fall in distinct banks. With n_splits > 1 the keys are cut into n_splits
 *    chunks (multiples of 64) handled by separate blocks writing unnormalised partial O, the
 *    running max m (log2 domain) and sum l; combine_kernel merges them (flash-decoding).
 *  - simple_kernel<KT> (fp32 pages, other head sizes): one block per (token, kv head), the G
 *    query heads together, tiles of 64 keys, online softmax in shared memory, fp32 throughout.
 * Masking: a key counts for row (t, g) when key <= pos0 + t and key is inside the split;
 * masked scores are -inf whatever the key memory holds, and values past the last valid key of
 * a block are zero-filled, so unwritten slots (any bits, NaN included) never reach a result.
 * Reentrant; runs on the given stream.
 */
#include "kernels/cuda/common.cuh"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/internal.h"

typedef struct kv_view {
    const char *pool;
    size_t page_bytes, k_off, v_off;
    const int32_t *pages;
    int PT;
} kv_view;

static kv_view view_of(const ds_cuda_kv *kv)
{
    kv_view v = {(const char *)kv->pool, kv->page_bytes, kv->k_off, kv->v_off, kv->pages, kv->page_tokens};
    return v;
}

/* Byte offset of key j (head h, dim d) and of value j. */
DS_DEV size_t k_addr(const kv_view &v, int j, int h, int d, int D, int esz)
{
    return (size_t)v.pages[j / v.PT] * v.page_bytes + v.k_off + ((size_t)(h * D + d) * v.PT + (j % v.PT)) * esz;
}
DS_DEV size_t v_addr(const kv_view &v, int j, int h, int d, int D, int esz)
{
    return (size_t)v.pages[j / v.PT] * v.page_bytes + v.v_off + ((size_t)h * v.PT + (j % v.PT)) * D * esz +
           (size_t)d * esz;
}

/* ---- KV write -------------------------------------------------------------------------------- */

template <bool BF16>
static __global__ void kv_write_kernel(kv_view v, const float *__restrict__ k, const float *__restrict__ val, int pos0,
                                       const int32_t *__restrict__ pos0_dev, int T, int Hkv, int D)
{
    const size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (size_t)T * Hkv * D)
        return;
    const int d = (int)(i % D), h = (int)((i / D) % Hkv), t = (int)(i / ((size_t)D * Hkv));
    const int pos = (pos0_dev ? *pos0_dev : pos0) + t;
    char *pool = (char *)v.pool;
    if (BF16) {
        *(uint16_t *)(pool + k_addr(v, pos, h, d, D, 2)) = f32_to_bf16(k[i]);
        *(uint16_t *)(pool + v_addr(v, pos, h, d, D, 2)) = f32_to_bf16(val[i]);
    } else {
        *(float *)(pool + k_addr(v, pos, h, d, D, 4)) = k[i];
        *(float *)(pool + v_addr(v, pos, h, d, D, 4)) = val[i];
    }
}

extern "C" ds_status ds_cuda_kv_write(const ds_cuda_kv *kv, const float *k, const float *v, int pos0,
                                      const int32_t *pos0_dev, int T, int Hkv, int D, cudaStream_t s, ds_err *err)
{
    const size_t n = (size_t)T * Hkv * D;
    if (!n)
        return DS_OK;
    DS_CUDA_ARG(kv->page_tokens > 0 && kv->page_tokens % 16 == 0, err, "cuda kv write: page of %d tokens",
                kv->page_tokens);
    const unsigned blocks = (unsigned)((n + 255) / 256);
    if (kv->bf16)
        kv_write_kernel<true><<<blocks, 256, 0, s>>>(view_of(kv), k, v, pos0, pos0_dev, T, Hkv, D);
    else
        kv_write_kernel<false><<<blocks, 256, 0, s>>>(view_of(kv), k, v, pos0, pos0_dev, T, Hkv, D);
    DS_CUDA_LAUNCHED(err);
    return DS_OK;
}

/* ---- simple kernel (CUDA cores, fp32) ------------------------------------------------------- */

#define SIMPLE_BK 64
#define SIMPLE_MAX_GD 4096 /* G * D floats of q and of o in shared memory */

template <typename KT> __device__ __forceinline__ float kv_elem(const char *p)
{
    if (sizeof(KT) == 2)
        return bf16_to_f32(*(const uint16_t *)p);
    return *(const float *)p;
}

template <typename KT, bool OUT_BF16>
static __global__ void simple_kernel(void *__restrict__ out, const float *__restrict__ q, kv_view v, int pos0,
                                     const int32_t *__restrict__ pos0_dev, int Hq, int Hkv, int D, float scale)
{
    extern __shared__ float sm[];
    const int G = Hq / Hkv, t = blockIdx.x, h = blockIdx.y, tid = threadIdx.x;
    const int esz = (int)sizeof(KT);
    float *sq = sm, *so = sq + G * D, *ss = so + G * D, *mrow = ss + G * SIMPLE_BK;
    float *lrow = mrow + G, *arow = lrow + G;
    const int pos = (pos0_dev ? *pos0_dev : pos0) + t, nkeys = pos + 1;
    for (int i = tid; i < G * D; i += blockDim.x) {
        sq[i] = q[((size_t)t * Hq + (size_t)h * G) * D + i];
        so[i] = 0.f;
    }
    if (tid < G) {
        mrow[tid] = -INFINITY;
        lrow[tid] = 0.f;
    }
    __syncthreads();
    for (int j0 = 0; j0 < nkeys; j0 += SIMPLE_BK) {
        const int nvalid = min(SIMPLE_BK, nkeys - j0);
        for (int i = tid; i < G * SIMPLE_BK; i += blockDim.x) {
            const int g = i / SIMPLE_BK, jj = i % SIMPLE_BK;
            float s = -INFINITY;
            if (jj < nvalid) {
                float acc = 0.f;
                for (int d = 0; d < D; d++)
                    acc += sq[g * D + d] * kv_elem<KT>(v.pool + k_addr(v, j0 + jj, h, d, D, esz));
                s = acc * scale;
            }
            ss[i] = s;
        }
        __syncthreads();
        if (tid < G) {
            float *row = ss + tid * SIMPLE_BK;
            float mx = -INFINITY;
            for (int jj = 0; jj < nvalid; jj++)
                mx = fmaxf(mx, row[jj]);
            const float mnew = fmaxf(mrow[tid], mx);
            const float alpha = mrow[tid] == -INFINITY ? 0.f : expf(mrow[tid] - mnew);
            float sum = 0.f;
            for (int jj = 0; jj < SIMPLE_BK; jj++) {
                const float p = jj < nvalid ? expf(row[jj] - mnew) : 0.f;
                row[jj] = p;
                sum += p;
            }
            lrow[tid] = lrow[tid] * alpha + sum;
            mrow[tid] = mnew;
            arow[tid] = alpha;
        }
        __syncthreads();
        for (int i = tid; i < G * D; i += blockDim.x) {
            const int g = i / D, d = i % D;
            float acc = so[i] * arow[g];
            const float *p = ss + g * SIMPLE_BK;
            for (int jj = 0; jj < nvalid; jj++)
                acc += p[jj] * kv_elem<KT>(v.pool + v_addr(v, j0 + jj, h, d, D, esz));
            so[i] = acc;
        }
        __syncthreads();
    }
    for (int i = tid; i < G * D; i += blockDim.x) {
        const size_t o = ((size_t)t * Hq + (size_t)h * G) * D + i;
        const float r = so[i] / lrow[i / D];
        if (OUT_BF16)
            ((uint16_t *)out)[o] = f32_to_bf16(r);
        else
            ((float *)out)[o] = r;
    }
}

/* ---- tensor-core kernel --------------------------------------------------------------------- */

#define FA_BQ 64
#define FA_BK 64
#define FA_WARPS 4

DS_DEV void cp_async16(void *smem, const void *gmem, int src_bytes)
{
    const unsigned s = (unsigned)__cvta_generic_to_shared(smem);
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(s), "l"(gmem), "r"(src_bytes) : "memory");
}
DS_DEV void cp_async_commit(void)
{
    asm volatile("cp.async.commit_group;\n" ::: "memory");
}
DS_DEV void cp_async_wait_all(void)
{
    asm volatile("cp.async.wait_all;\n" ::: "memory");
}

DS_DEV void ldsm_x4(uint32_t r[4], const void *p)
{
    const unsigned s = (unsigned)__cvta_generic_to_shared(p);
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(s)
                 : "memory");
}
DS_DEV void ldsm_x4_trans(uint32_t r[4], const void *p)
{
    const unsigned s = (unsigned)__cvta_generic_to_shared(p);
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(s)
                 : "memory");
}
/* c (16x8 fp32) += a (16x16 bf16, row) . b (16x8 bf16, col) */
DS_DEV void mma_bf16(float c[4], const uint32_t a[4], uint32_t b0, uint32_t b1)
{
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, "
                 "{%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
                 : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

template <int D> struct fa_shape {
    static constexpr int LDQ = D + 8, LDK = FA_BK + 8, LDV = D + 8;
    static constexpr size_t q_bytes = (size_t)FA_BQ * LDQ * 2, k_bytes = (size_t)D * LDK * 2,
                            v_bytes = (size_t)FA_BK * LDV * 2;
    static constexpr size_t smem = q_bytes + k_bytes + v_bytes;
};

typedef struct fa_args {
    void *out;
    const float *q;
    kv_view v;
    int pos0;
    const int32_t *pos0_dev;
    int T, Hq, Hkv;
    float scale_log2; /* scale * log2(e) */
    int n_splits;
    float *o_part, *m_part, *l_part; /* (n_splits, T * Hq, D), (n_splits, T * Hq) */
} fa_args;

template <int D, bool OUT_BF16> static __global__ void __launch_bounds__(FA_WARPS * 32) flash_mma(fa_args a)
{
    typedef fa_shape<D> S;
    extern __shared__ __align__(16) unsigned char smem_raw[];
    uint16_t *Qs = (uint16_t *)smem_raw;
    uint16_t *Ks = (uint16_t *)(smem_raw + S::q_bytes);
    uint16_t *Vs = (uint16_t *)(smem_raw + S::q_bytes + S::k_bytes);

    const int tid = threadIdx.x, warp = tid >> 5, lane = tid & 31;
    const int gq = lane >> 2, tq = lane & 3; /* fragment row group and column pair */
    const int G = a.Hq / a.Hkv, R = a.T * G;
    const int tile = gridDim.x - 1 - blockIdx.x; /* the longest rows first */
    const int h = blockIdx.y, split = blockIdx.z;
    const int r0 = tile * FA_BQ;
    const int p0 = a.pos0_dev ? *a.pos0_dev : a.pos0;
    const int last_row = min(r0 + FA_BQ, R) - 1;
    const int total_keys = p0 + a.T;
    const int chunk = (((total_keys + a.n_splits - 1) / a.n_splits) + FA_BK - 1) / FA_BK * FA_BK;
    const int kb = split * chunk;
    const int ke = min(kb + chunk, p0 + last_row / G + 1);

    /* this warp's rows, and how far their keys go */
    const int row_a = r0 + warp * 16 + gq, row_b = row_a + 8;
    const int lim_a = min(p0 + min(row_a, R - 1) / G + 1, ke);
    const int lim_b = min(p0 + min(row_b, R - 1) / G + 1, ke);

    float o[D / 8][4];
#pragma unroll
    for (int i = 0; i < D / 8; i++)
        o[i][0] = o[i][1] = o[i][2] = o[i][3] = 0.f;
    float m_a = -INFINITY, m_b = -INFINITY, l_a = 0.f, l_b = 0.f;

    if (kb < ke) {
        /* Q tile: fp32 -> bf16 into shared memory; rows past R are zero */
        for (int i = tid; i < FA_BQ * (D / 4); i += FA_WARPS * 32) {
            const int r = i / (D / 4), c4 = i % (D / 4), row = r0 + r;
            uint2 pk = make_uint2(0u, 0u);
            if (row < R) {
                const int t = row / G, g = row % G;
                const float4 f = *(const float4 *)(a.q + ((size_t)t * a.Hq + (size_t)h * G + g) * D + c4 * 4);
                pk.x = pack_bf16x2(f.x, f.y);
                pk.y = pack_bf16x2(f.z, f.w);
            }
            *(uint2 *)(Qs + (size_t)r * S::LDQ + c4 * 4) = pk;
        }
        const char *pool = a.v.pool;
        /* K tile of keys [j0, j0 + 64): rows d, 8-key chunks; zero past ke */
        auto load_k = [&](int j0) {
            for (int i = tid; i < D * (FA_BK / 8); i += FA_WARPS * 32) {
                const int d = i / (FA_BK / 8), c = i % (FA_BK / 8), key = j0 + c * 8;
                uint16_t *dst = Ks + (size_t)d * S::LDK + c * 8;
                if (key < ke)
                    cp_async16(dst, pool + k_addr(a.v, key, h, d, D, 2), 16);
                else
                    cp_async16(dst, pool, 0);
            }
            cp_async_commit();
        };
        auto load_v = [&](int j0) {
            for (int i = tid; i < FA_BK * (D / 8); i += FA_WARPS * 32) {
                const int jj = i / (D / 8), c = i % (D / 8), key = j0 + jj;
                uint16_t *dst = Vs + (size_t)jj * S::LDV + c * 8;
                if (key < ke)
                    cp_async16(dst, pool + v_addr(a.v, key, h, c * 8, D, 2), 16);
                else
                    cp_async16(dst, pool, 0);
            }
            cp_async_commit();
        };
        const int mi = lane >> 3, rr = lane & 7; /* ldmatrix: matrix and row of this lane */
        load_k(kb);
        for (int j0 = kb; j0 < ke; j0 += FA_BK) {
            cp_async_wait_all();
            __syncthreads(); /* K(j0) and the Q tile visible; every warp is done with Vs */
            load_v(j0);

            float sacc[FA_BK / 8][4];
#pragma unroll
            for (int i = 0; i < FA_BK / 8; i++)
                sacc[i][0] = sacc[i][1] = sacc[i][2] = sacc[i][3] = 0.f;
#pragma unroll
            for (int kc = 0; kc < D / 16; kc++) {
                uint32_t qa[4];
                ldsm_x4(qa, Qs + (size_t)(warp * 16 + (mi & 1) * 8 + rr) * S::LDQ + kc * 16 + (mi >> 1) * 8);
#pragma unroll
                for (int np = 0; np < FA_BK / 16; np++) {
                    uint32_t kb4[4];
                    ldsm_x4_trans(kb4, Ks + (size_t)(kc * 16 + (mi & 1) * 8 + rr) * S::LDK + np * 16 + (mi >> 1) * 8);
                    mma_bf16(sacc[2 * np], qa, kb4[0], kb4[1]);
                    mma_bf16(sacc[2 * np + 1], qa, kb4[2], kb4[3]);
                }
            }
            /* mask, scale, online softmax: this thread holds rows row_a (c0, c1), row_b (c2, c3) */
            float mx_a = -INFINITY, mx_b = -INFINITY;
#pragma unroll
            for (int nt = 0; nt < FA_BK / 8; nt++) {
                const int key = j0 + nt * 8 + 2 * tq;
                sacc[nt][0] = key < lim_a ? sacc[nt][0] * a.scale_log2 : -INFINITY;
                sacc[nt][1] = key + 1 < lim_a ? sacc[nt][1] * a.scale_log2 : -INFINITY;
                sacc[nt][2] = key < lim_b ? sacc[nt][2] * a.scale_log2 : -INFINITY;
                sacc[nt][3] = key + 1 < lim_b ? sacc[nt][3] * a.scale_log2 : -INFINITY;
                mx_a = fmaxf(mx_a, fmaxf(sacc[nt][0], sacc[nt][1]));
                mx_b = fmaxf(mx_b, fmaxf(sacc[nt][2], sacc[nt][3]));
            }
            mx_a = fmaxf(mx_a, __shfl_xor_sync(0xffffffffu, mx_a, 1));
            mx_a = fmaxf(mx_a, __shfl_xor_sync(0xffffffffu, mx_a, 2));
            mx_b = fmaxf(mx_b, __shfl_xor_sync(0xffffffffu, mx_b, 1));
            mx_b = fmaxf(mx_b, __shfl_xor_sync(0xffffffffu, mx_b, 2));
            const float mn_a = fmaxf(m_a, mx_a), mn_b = fmaxf(m_b, mx_b);
            const float mu_a = mn_a == -INFINITY ? 0.f : mn_a, mu_b = mn_b == -INFINITY ? 0.f : mn_b;
            const float al_a = exp2f(m_a - mu_a), al_b = exp2f(m_b - mu_b);
            float sum_a = 0.f, sum_b = 0.f;
#pragma unroll
            for (int nt = 0; nt < FA_BK / 8; nt++) {
                sacc[nt][0] = exp2f(sacc[nt][0] - mu_a);
                sacc[nt][1] = exp2f(sacc[nt][1] - mu_a);
                sacc[nt][2] = exp2f(sacc[nt][2] - mu_b);
                sacc[nt][3] = exp2f(sacc[nt][3] - mu_b);
                sum_a += sacc[nt][0] + sacc[nt][1];
                sum_b += sacc[nt][2] + sacc[nt][3];
            }
            l_a = l_a * al_a + sum_a;
            l_b = l_b * al_b + sum_b;
            m_a = mn_a;
            m_b = mn_b;
#pragma unroll
            for (int dt = 0; dt < D / 8; dt++) {
                o[dt][0] *= al_a;
                o[dt][1] *= al_a;
                o[dt][2] *= al_b;
                o[dt][3] *= al_b;
            }
            /* P as the A operand of P V: key chunk kk = S tiles 2kk, 2kk + 1 */
            uint32_t pa[FA_BK / 16][4];
#pragma unroll
            for (int kk = 0; kk < FA_BK / 16; kk++) {
                pa[kk][0] = pack_bf16x2(sacc[2 * kk][0], sacc[2 * kk][1]);
                pa[kk][1] = pack_bf16x2(sacc[2 * kk][2], sacc[2 * kk][3]);
                pa[kk][2] = pack_bf16x2(sacc[2 * kk + 1][0], sacc[2 * kk + 1][1]);
                pa[kk][3] = pack_bf16x2(sacc[2 * kk + 1][2], sacc[2 * kk + 1][3]);
            }
            cp_async_wait_all();
            __syncthreads(); /* V(j0) visible; every warp is done with Ks */
            if (j0 + FA_BK < ke)
                load_k(j0 + FA_BK);
#pragma unroll
            for (int kk = 0; kk < FA_BK / 16; kk++) {
#pragma unroll
                for (int dp = 0; dp < D / 16; dp++) {
                    uint32_t vb[4];
                    ldsm_x4_trans(vb, Vs + (size_t)(kk * 16 + (mi & 1) * 8 + rr) * S::LDV + dp * 16 + (mi >> 1) * 8);
                    mma_bf16(o[2 * dp], pa[kk], vb[0], vb[1]);
                    mma_bf16(o[2 * dp + 1], pa[kk], vb[2], vb[3]);
                }
            }
        }
    }
    /* row sums over the four threads of a row */
    l_a += __shfl_xor_sync(0xffffffffu, l_a, 1);
    l_a += __shfl_xor_sync(0xffffffffu, l_a, 2);
    l_b += __shfl_xor_sync(0xffffffffu, l_b, 1);
    l_b += __shfl_xor_sync(0xffffffffu, l_b, 2);

#pragma unroll
    for (int half = 0; half < 2; half++) {
        const int row = half ? row_b : row_a;
        if (row >= R)
            continue;
        const int t = row / G, g = row % G;
        const size_t orow = (size_t)t * a.Hq + (size_t)h * G + g;
        const float l = half ? l_b : l_a, m = half ? m_b : m_a;
        if (a.n_splits > 1) {
            float *op = a.o_part + ((size_t)split * a.T * a.Hq + orow) * D;
#pragma unroll
            for (int dt = 0; dt < D / 8; dt++)
                *(float2 *)(op + dt * 8 + 2 * tq) = make_float2(o[dt][2 * half], o[dt][2 * half + 1]);
            if (tq == 0) {
                a.m_part[(size_t)split * a.T * a.Hq + orow] = m;
                a.l_part[(size_t)split * a.T * a.Hq + orow] = l;
            }
        } else {
            const float inv = l > 0.f ? 1.0f / l : 0.f;
#pragma unroll
            for (int dt = 0; dt < D / 8; dt++) {
                const size_t at = orow * D + dt * 8 + 2 * tq;
                const float x0 = o[dt][2 * half] * inv, x1 = o[dt][2 * half + 1] * inv;
                if (OUT_BF16)
                    *(uint32_t *)((uint16_t *)a.out + at) = pack_bf16x2(x0, x1);
                else
                    *(float2 *)((float *)a.out + at) = make_float2(x0, x1);
            }
        }
    }
}

/* Merges the splits of each row (t, hq): one block of D threads per row. */
template <bool OUT_BF16>
static __global__ void combine_kernel(void *__restrict__ out, const float *__restrict__ o_part,
                                      const float *__restrict__ m_part, const float *__restrict__ l_part, int rows,
                                      int D, int n_splits)
{
    const int row = blockIdx.x, d = threadIdx.x;
    if (row >= rows || d >= D)
        return;
    float M = -INFINITY;
    for (int s = 0; s < n_splits; s++)
        M = fmaxf(M, m_part[(size_t)s * rows + row]);
    float L = 0.f, acc = 0.f;
    for (int s = 0; s < n_splits; s++) {
        const float m = m_part[(size_t)s * rows + row];
        const float w = m == -INFINITY ? 0.f : exp2f(m - M);
        L += w * l_part[(size_t)s * rows + row];
        acc += w * o_part[((size_t)s * rows + row) * D + d];
    }
    const float r = L > 0.f ? acc / L : 0.f;
    if (OUT_BF16)
        ((uint16_t *)out)[(size_t)row * D + d] = f32_to_bf16(r);
    else
        ((float *)out)[(size_t)row * D + d] = r;
}

ds_status ds_cuda_attention_init(ds_err *err)
{
    DS_CUDA_TRY(cudaFuncSetAttribute(flash_mma<32, false>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                     (int)fa_shape<32>::smem),
                err);
    DS_CUDA_TRY(
        cudaFuncSetAttribute(flash_mma<32, true>, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)fa_shape<32>::smem),
        err);
    DS_CUDA_TRY(cudaFuncSetAttribute(flash_mma<64, false>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                     (int)fa_shape<64>::smem),
                err);
    DS_CUDA_TRY(
        cudaFuncSetAttribute(flash_mma<64, true>, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)fa_shape<64>::smem),
        err);
    DS_CUDA_TRY(cudaFuncSetAttribute(flash_mma<128, false>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                     (int)fa_shape<128>::smem),
                err);
    DS_CUDA_TRY(cudaFuncSetAttribute(flash_mma<128, true>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                     (int)fa_shape<128>::smem),
                err);
    return DS_OK;
}

extern "C" size_t ds_cuda_attention_workspace(int T, int Hq, int D, int n_splits)
{
    if (n_splits <= 1)
        return 0;
    const size_t rows = (size_t)T * Hq;
    return ((size_t)n_splits * rows * D + 2 * (size_t)n_splits * rows) * sizeof(float) + 256;
}

template <int D>
static ds_status launch_mma(void *out, int out_bf16, const float *q, const ds_cuda_kv *kv, int pos0,
                            const int32_t *pos0_dev, int T, int Hq, int Hkv, float scale, int n_splits, void *ws,
                            cudaStream_t s, ds_err *err)
{
    fa_args a;
    a.out = out;
    a.q = q;
    a.v = view_of(kv);
    a.pos0 = pos0;
    a.pos0_dev = pos0_dev;
    a.T = T;
    a.Hq = Hq;
    a.Hkv = Hkv;
    a.scale_log2 = scale * 1.4426950408889634f;
    a.n_splits = n_splits;
    const size_t rows = (size_t)T * Hq;
    a.o_part = (float *)ws;
    a.m_part = a.o_part + (size_t)n_splits * rows * D;
    a.l_part = a.m_part + (size_t)n_splits * rows;
    const int G = Hq / Hkv;
    dim3 grid((unsigned)((T * G + FA_BQ - 1) / FA_BQ), (unsigned)Hkv, (unsigned)n_splits);
    const size_t smem = fa_shape<D>::smem;
    if (out_bf16 && n_splits == 1)
        flash_mma<D, true><<<grid, FA_WARPS * 32, smem, s>>>(a);
    else
        flash_mma<D, false><<<grid, FA_WARPS * 32, smem, s>>>(a);
    DS_CUDA_LAUNCHED(err);
    if (n_splits > 1) {
        if (out_bf16)
            combine_kernel<true>
                <<<(unsigned)rows, D, 0, s>>>(out, a.o_part, a.m_part, a.l_part, (int)rows, D, n_splits);
        else
            combine_kernel<false>
                <<<(unsigned)rows, D, 0, s>>>(out, a.o_part, a.m_part, a.l_part, (int)rows, D, n_splits);
        DS_CUDA_LAUNCHED(err);
    }
    return DS_OK;
}

extern "C" ds_status ds_cuda_attention(void *out, int out_bf16, const float *q, const ds_cuda_kv *kv, int pos0,
                                       const int32_t *pos0_dev, int T, int Hq, int Hkv, int D, float scale,
                                       int n_splits, void *workspace, cudaStream_t s, ds_err *err)
{
    if (T <= 0)
        return DS_OK;
    DS_CUDA_ARG(Hkv > 0 && Hq % Hkv == 0 && D > 0 && D % 8 == 0 && D <= 512, err,
                "cuda attention: heads %d / %d, head_dim %d", Hq, Hkv, D);
    DS_CUDA_ARG(kv->page_tokens > 0 && kv->page_tokens % 16 == 0, err,
                "cuda attention: page of %d tokens (a multiple of 16 is needed)", kv->page_tokens);
    if (n_splits < 1)
        n_splits = 1;
    const int mma = kv->bf16 && (D == 32 || D == 64 || D == 128);
    if (mma) {
        DS_CUDA_ARG(n_splits == 1 || workspace, err, "cuda attention: split keys need a workspace");
        if (D == 32)
            return launch_mma<32>(out, out_bf16, q, kv, pos0, pos0_dev, T, Hq, Hkv, scale, n_splits, workspace, s, err);
        if (D == 64)
            return launch_mma<64>(out, out_bf16, q, kv, pos0, pos0_dev, T, Hq, Hkv, scale, n_splits, workspace, s, err);
        return launch_mma<128>(out, out_bf16, q, kv, pos0, pos0_dev, T, Hq, Hkv, scale, n_splits, workspace, s, err);
    }
    const int G = Hq / Hkv;
    DS_CUDA_ARG(G * D <= SIMPLE_MAX_GD && G <= 64, err,
                "cuda attention: %d query heads per kv head of dim %d exceed the fp32 kernel", G, D);
    const size_t smem = (size_t)(2 * G * D + G * SIMPLE_BK + 3 * G) * sizeof(float);
    DS_CUDA_ARG(smem <= 48 * 1024, err, "cuda attention: %d query heads per kv head of dim %d exceed the fp32 kernel",
                G, D);
    dim3 grid((unsigned)T, (unsigned)Hkv);
    kv_view v = view_of(kv);
    if (kv->bf16) {
        if (out_bf16)
            simple_kernel<uint16_t, true><<<grid, 128, smem, s>>>(out, q, v, pos0, pos0_dev, Hq, Hkv, D, scale);
        else
            simple_kernel<uint16_t, false><<<grid, 128, smem, s>>>(out, q, v, pos0, pos0_dev, Hq, Hkv, D, scale);
    } else {
        if (out_bf16)
            simple_kernel<float, true><<<grid, 128, smem, s>>>(out, q, v, pos0, pos0_dev, Hq, Hkv, D, scale);
        else
            simple_kernel<float, false><<<grid, 128, smem, s>>>(out, q, v, pos0, pos0_dev, Hq, Hkv, D, scale);
    }
    DS_CUDA_LAUNCHED(err);
    return DS_OK;
}
