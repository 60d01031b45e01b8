/* rope.cu - rotary position embedding on the device: the cos/sin tables of a step's positions
 * (twin of ds_rope_row, model/rope.c: angle in fp32, cos/sin in double, times the YaRN
 * attention factor; the YaRN-scaled inverse frequencies come from the host, computed once by
 * ds_rope_inv_freq) and the rotate-half rotation (twin of ds_k_rope_ref).
 * Shapes: cos, sin (T, D/2); x (T, H, D). Reentrant; runs on the given stream.
 */
#include "kernels/cuda/common.cuh"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/internal.h"

static __global__ void rope_table_kernel(float *__restrict__ cs, float *__restrict__ sn,
                                         const float *__restrict__ inv_freq, float attn_factor,
                                         const int32_t *__restrict__ pos, const int32_t *__restrict__ pos_dev0, int T,
                                         int half)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= T * half)
        return;
    const int t = i / half, f = i % half;
    const int p = pos_dev0 ? *pos_dev0 + t : pos[t];
    const float ang = (float)p * inv_freq[f]; /* fp32 product, as the CPU */
    cs[i] = (float)cos((double)ang) * attn_factor;
    sn[i] = (float)sin((double)ang) * attn_factor;
}

extern "C" ds_status ds_cuda_rope_table(float *cos_t, float *sin_t, const float *inv_freq, float attn_factor,
                                        const int32_t *pos, const int32_t *pos_dev0, int T, int half, cudaStream_t s,
                                        ds_err *err)
{
    const int n = T * half;
    if (n <= 0)
        return DS_OK;
    rope_table_kernel<<<(n + 255) / 256, 256, 0, s>>>(cos_t, sin_t, inv_freq, attn_factor, pos, pos_dev0, T, half);
    DS_CUDA_LAUNCHED(err);
    return DS_OK;
}

/* One thread per (t, h, i < D/2) pair. */
static __global__ void rope_kernel(float *__restrict__ x, const float *__restrict__ cs, const float *__restrict__ sn,
                                   int T, int H, int D)
{
    const int half = D / 2;
    const size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (size_t)T * H * half)
        return;
    const int f = (int)(i % half);
    const size_t th = i / half; /* t * H + h */
    const int t = (int)(th / H);
    float *v = x + th * D;
    const float c = cs[(size_t)t * half + f], s = sn[(size_t)t * half + f];
    const float a = v[f], b = v[f + half];
    v[f] = a * c - b * s;
    v[f + half] = b * c + a * s;
}

extern "C" ds_status ds_cuda_rope(float *x, const float *cos_t, const float *sin_t, int T, int H, int D, cudaStream_t s,
                                  ds_err *err)
{
    const size_t n = (size_t)T * H * (D / 2);
    if (n == 0)
        return DS_OK;
    rope_kernel<<<(unsigned)((n + 255) / 256), 256, 0, s>>>(x, cos_t, sin_t, T, H, D);
    DS_CUDA_LAUNCHED(err);
    return DS_OK;
}
