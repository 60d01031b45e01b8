/* ref.c - the reference twins of the CPU kernels (kernels.h, ds_k_*_ref): plain loops, double
 * accumulation, single thread, written to be obviously right rather than fast. Tests compare
 * every optimized path against these. Reentrant.
 */
#include "kernels/kernels.h"

#include <math.h>
#include <string.h>

static double wval(ds_k_weight w, size_t i)
{
    const uint16_t *h = w.data;
    switch (w.dtype) {
    case DS_K_BF16: return ds_k_bf16_to_f32(h[i]);
    case DS_K_F16: return ds_k_f16_to_f32(h[i]);
    default: return ((const float *)w.data)[i];
    }
}

/* Element (n, k) of an AWQ weight of N outputs: (q - z) * s, read straight from the packing. */
static double awq_val(ds_k_weight w, int N, int n, int k)
{
    const ds_k_awq *a = w.data;
    const int g = k / a->group, sh = 4 * ds_k_awq_slot[n % 8];
    const int q = (int)(((uint32_t)a->qweight[(size_t)k * (N / 8) + n / 8] >> sh) & 15u);
    const int z = (int)(((uint32_t)a->qzeros[(size_t)g * (N / 8) + n / 8] >> sh) & 15u);
    return (double)(q - z) * ds_k_f16_to_f32(a->scales[(size_t)g * N + n]);
}

void ds_k_matmul_ref(float *y, const float *x, ds_k_weight w, int T, int N, int K, int accumulate)
{
    for (int t = 0; t < T; t++)
        for (int n = 0; n < N; n++) {
            double s = accumulate ? y[(size_t)t * N + n] : 0.0;
            for (int k = 0; k < K; k++)
                s += (double)x[(size_t)t * K + k] *
                     (w.dtype == DS_K_AWQ4 ? awq_val(w, N, n, k) : wval(w, (size_t)n * K + k));
            y[(size_t)t * N + n] = (float)s;
        }
}

void ds_k_rmsnorm_ref(float *y, const float *x, const float *w, int R, int D, float eps)
{
    for (int r = 0; r < R; r++) {
        double ss = 0;
        for (int i = 0; i < D; i++)
            ss += (double)x[(size_t)r * D + i] * x[(size_t)r * D + i];
        double inv = 1.0 / sqrt(ss / D + eps);
        for (int i = 0; i < D; i++)
            y[(size_t)r * D + i] = (float)(w[i] * (x[(size_t)r * D + i] * inv));
    }
}

void ds_k_rope_ref(float *x, const float *cos, const float *sin, int T, int H, int D)
{
    int half = D / 2;
    for (int t = 0; t < T; t++)
        for (int h = 0; h < H; h++) {
            float *v = x + ((size_t)t * H + h) * D;
            for (int i = 0; i < half; i++) {
                double a = v[i], b = v[i + half];
                double c = cos[(size_t)t * half + i], s = sin[(size_t)t * half + i];
                v[i] = (float)(a * c - b * s);
                v[i + half] = (float)(b * c + a * s);
            }
        }
}

void ds_k_silu_mul_ref(float *y, const float *g, const float *u, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double v = g[i];
        y[i] = (float)(v / (1.0 + exp(-v)) * u[i]);
    }
}

void ds_k_softmax_ref(float *y, const float *x, int R, int N, float scale)
{
    for (int r = 0; r < R; r++) {
        const float *xr = x + (size_t)r * N;
        double mx = -INFINITY, sum = 0;
        for (int i = 0; i < N; i++)
            if ((double)xr[i] * scale > mx)
                mx = (double)xr[i] * scale;
        for (int i = 0; i < N; i++)
            sum += exp((double)xr[i] * scale - mx);
        for (int i = 0; i < N; i++)
            y[(size_t)r * N + i] = (float)(exp((double)xr[i] * scale - mx) / sum);
    }
}

void ds_k_topk_ref(int32_t *idx, float *val, const float *x, int R, int N, int k)
{
    for (int r = 0; r < R; r++) {
        const float *xr = x + (size_t)r * N;
        /* Selection by repeated scans: the largest remaining value, lowest index on ties. */
        for (int j = 0; j < k; j++) {
            int best = -1;
            for (int i = 0; i < N; i++) {
                int taken = 0;
                for (int q = 0; q < j; q++)
                    if (idx[(size_t)r * k + q] == i)
                        taken = 1;
                if (!taken && (best < 0 || xr[i] > xr[best]))
                    best = i;
            }
            idx[(size_t)r * k + j] = best;
            val[(size_t)r * k + j] = best >= 0 ? xr[best] : -INFINITY;
        }
    }
}

void ds_k_attention_ref(float *out, const float *q, const ds_k_kv_pages *kv, int pos0, int T, int Hq, int Hkv, int D,
                        float scale)
{
    const int G = Hq / Hkv, PT = kv->page_tokens;
    for (int t = 0; t < T; t++) {
        const int pos = pos0 + t;
        for (int hq = 0; hq < Hq; hq++) {
            const int h = hq / G;
            const float *qv = q + ((size_t)t * Hq + hq) * D;
            double mx = -INFINITY;
            /* two passes over the keys: the maximum, then the weighted sum */
            for (int j = 0; j <= pos; j++) {
                const float *kp = kv->k[j / PT] + (size_t)h * D * PT + j % PT;
                double s = 0;
                for (int d = 0; d < D; d++)
                    s += (double)qv[d] * kp[(size_t)d * PT];
                s *= scale;
                if (s > mx)
                    mx = s;
            }
            double den = 0;
            double acc[4096];
            int Dc = D < 4096 ? D : 4096;
            memset(acc, 0, sizeof(double) * (size_t)Dc);
            for (int j = 0; j <= pos; j++) {
                const float *kp = kv->k[j / PT] + (size_t)h * D * PT + j % PT;
                const float *vp = kv->v[j / PT] + ((size_t)h * PT + j % PT) * D;
                double s = 0;
                for (int d = 0; d < D; d++)
                    s += (double)qv[d] * kp[(size_t)d * PT];
                double p = exp(s * scale - mx);
                den += p;
                for (int d = 0; d < Dc; d++)
                    acc[d] += p * vp[d];
            }
            float *o = out + ((size_t)t * Hq + hq) * D;
            for (int d = 0; d < Dc; d++)
                o[d] = (float)(acc[d] / den);
        }
    }
}
