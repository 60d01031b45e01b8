/* simd_template.h - the CPU kernels written once over an abstract vector of VL floats.
 *
 * Included (once) by isa_avx512.c, isa_avx2.c and isa_scalar.c, each of which first defines:
 *   TGT            function attribute selecting the instruction set (empty for scalar)
 *   VL             floats per vector; MR: token rows of the matmul micro-kernel
 *   vf             the vector type; IMPL_NAME: the ds_k_impl table to define; ISA_LABEL
 *   v_zero v_set1 v_load v_store v_loadn v_storen v_add v_sub v_mul v_div v_fma(a,b,c)=a*b+c
 *   v_max v_hsum v_hmax v_exp v_load_bf16 v_load_f16 v_transpose(vf r[VL])
 * All functions here are static; the only exported symbol is the IMPL_NAME table.
 * Threading: every function works on the slice it is given and touches nothing else.
 */
#include "kernels/cpu/cpu_internal.h"

#include <math.h>
#include <string.h>

#define AI static inline __attribute__((always_inline)) TGT
#define NR (2 * VL) /* matmul panel width (output columns) */
#define KC 256      /* matmul k-block */

/* ---- weights ----------------------------------------------------------------------------- */

AI vf load_w(const void *base, ds_k_dtype dt, size_t off)
{
    if (dt == DS_K_BF16)
        return v_load_bf16((const uint16_t *)base + off);
    if (dt == DS_K_F16)
        return v_load_f16((const uint16_t *)base + off);
    return v_load((const float *)base + off);
}

AI float scalar_w(const void *base, ds_k_dtype dt, size_t off)
{
    if (dt == DS_K_BF16)
        return ds_k_bf16_to_f32(((const uint16_t *)base)[off]);
    if (dt == DS_K_F16)
        return ds_k_f16_to_f32(((const uint16_t *)base)[off]);
    return ((const float *)base)[off];
}

static TGT void widen_impl(float *y, const void *src, ds_k_dtype dt, size_t n)
{
    size_t i = 0;
    for (; i + VL <= n; i += VL)
        v_store(y + i, load_w(src, dt, i));
    for (; i < n; i++)
        y[i] = scalar_w(src, dt, i);
}

/* ---- matmul: packed panels ---------------------------------------------------------------- */

/* Wp (kc, NR) = widened, transposed W rows [n0, n0 + nr) x columns [k0, k0 + kc); rows past
 * nr are zero. */
AI void pack_panel(float *Wp, const void *W, ds_k_dtype dt, int K, int n0, int nr, int k0, int kc)
{
    for (int cb = 0; cb < NR; cb += VL) {
        int kk = 0;
        const int full = cb + VL <= nr;
        for (; kk + VL <= kc; kk += VL) {
            vf r[VL];
            if (full) {
#pragma GCC unroll 16
                for (int i = 0; i < VL; i++)
                    r[i] = load_w(W, dt, (size_t)(n0 + cb + i) * K + k0 + kk);
            } else {
#pragma GCC unroll 16
                for (int i = 0; i < VL; i++)
                    r[i] = cb + i < nr ? load_w(W, dt, (size_t)(n0 + cb + i) * K + k0 + kk) : v_zero();
            }
            v_transpose(r);
#pragma GCC unroll 16
            for (int i = 0; i < VL; i++)
                v_store(Wp + (size_t)(kk + i) * NR + cb, r[i]);
        }
        for (; kk < kc; kk++)
            for (int i = 0; i < VL; i++)
                Wp[(size_t)kk * NR + cb + i] = cb + i < nr ? scalar_w(W, dt, (size_t)(n0 + cb + i) * K + k0 + kk)
                                                           : 0.0f;
    }
}

static TGT void pack_panel_any(float *Wp, const void *W, ds_k_dtype dt, int K, int n0, int nr, int k0, int kc)
{
    switch (dt) {
    case DS_K_BF16: pack_panel(Wp, W, DS_K_BF16, K, n0, nr, k0, kc); break;
    case DS_K_F16: pack_panel(Wp, W, DS_K_F16, K, n0, nr, k0, kc); break;
    default: pack_panel(Wp, W, DS_K_F32, K, n0, nr, k0, kc); break;
    }
}

/* Writes two accumulators to y[0 .. nr): store, or add to what is there. */
AI void put_row(float *y, vf a0, vf a1, int nr, int add)
{
    if (nr == NR) {
        if (add) {
            a0 = v_add(v_load(y), a0);
            a1 = v_add(v_load(y + VL), a1);
        }
        v_store(y, a0);
        v_store(y + VL, a1);
        return;
    }
    int n0 = nr < VL ? nr : VL, n1 = nr - n0;
    if (add) {
        a0 = v_add(v_loadn(y, n0), a0);
        if (n1 > 0)
            a1 = v_add(v_loadn(y + VL, n1), a1);
    }
    v_storen(y, a0, n0);
    if (n1 > 0)
        v_storen(y + VL, a1, n1);
}

/* y (mr, NR) (+)= x (mr, kc; row stride ldx) . Wp (kc, NR). */
AI void micro_kernel(float *y, int ldy, const float *x, int ldx, const float *Wp, int kc, int mr, int nr, int add)
{
    vf acc0[MR], acc1[MR];
#pragma GCC unroll 16
    for (int r = 0; r < mr; r++)
        acc0[r] = acc1[r] = v_zero();
    for (int k = 0; k < kc; k++) {
        vf w0 = v_load(Wp + (size_t)k * NR), w1 = v_load(Wp + (size_t)k * NR + VL);
#pragma GCC unroll 16
        for (int r = 0; r < mr; r++) {
            vf xb = v_set1(x[(size_t)r * ldx + k]);
            acc0[r] = v_fma(xb, w0, acc0[r]);
            acc1[r] = v_fma(xb, w1, acc1[r]);
        }
    }
#pragma GCC unroll 16
    for (int r = 0; r < mr; r++)
        put_row(y + (size_t)r * ldy, acc0[r], acc1[r], nr, add);
}

static TGT void micro_kernel_any(float *y, int ldy, const float *x, int ldx, const float *Wp, int kc, int mr, int nr,
                                 int add)
{
    switch (mr) {
#define MK_CASE(m) \
    case m: micro_kernel(y, ldy, x, ldx, Wp, kc, m, nr, add); break;
        MK_CASE(1)
#if MR >= 2
        MK_CASE(2)
#endif
#if MR >= 3
        MK_CASE(3)
#endif
#if MR >= 4
        MK_CASE(4)
#endif
#if MR >= 5
        MK_CASE(5)
#endif
#if MR >= 6
        MK_CASE(6)
#endif
#if MR >= 7
        MK_CASE(7)
#endif
#if MR >= 8
        MK_CASE(8)
#endif
#if MR >= 9
        MK_CASE(9)
#endif
#if MR >= 10
        MK_CASE(10)
#endif
#if MR >= 11
        MK_CASE(11)
#endif
#if MR >= 12
        MK_CASE(12)
#endif
#if MR >= 13
        MK_CASE(13)
#endif
#if MR >= 14
        MK_CASE(14)
#endif
#undef MK_CASE
    default: break;
    }
}

/* ---- matmul: matrix-vector form for a few tokens ---------------------------------------- */

#ifndef GEMV_PF
/* Prefetch distance along the weights (contiguous rows: past the end of a row is the next
 * rows) into L2. Measured on the AVX-512 machine: a matrix-vector product streaming bf16
 * weights went from ~62% to ~89% of a plain streaming read with 8 KiB. */
#define GEMV_PF 8192
#endif

/* ROWS weight rows from n, TT tokens (both compile-time constants after inlining). */
AI void gemv_rows(const ds_k_matmul_job *j, int n, int ROWS, int TT, ds_k_dtype dt)
{
    const int K = j->K, N = j->N;
    vf acc[4][4];
#pragma GCC unroll 4
    for (int r = 0; r < ROWS; r++)
#pragma GCC unroll 4
        for (int t = 0; t < TT; t++)
            acc[r][t] = v_zero();
    const size_t esz = dt == DS_K_F32 ? 4 : 2;
    int k = 0;
    for (; k + VL <= K; k += VL) {
        vf w[4];
#pragma GCC unroll 4
        for (int r = 0; r < ROWS; r++) {
            /* the weights stream from memory once: ask for them well ahead */
            if ((k * esz) % 64 == 0)
                __builtin_prefetch((const char *)j->w.data + ((size_t)(n + r) * K + k) * esz + GEMV_PF, 0, 1);
            w[r] = load_w(j->w.data, dt, (size_t)(n + r) * K + k);
        }
#pragma GCC unroll 4
        for (int t = 0; t < TT; t++) {
            vf xv = v_load(j->x + (size_t)t * K + k);
#pragma GCC unroll 4
            for (int r = 0; r < ROWS; r++)
                acc[r][t] = v_fma(w[r], xv, acc[r][t]);
        }
    }
#pragma GCC unroll 4
    for (int r = 0; r < ROWS; r++) {
#pragma GCC unroll 4
        for (int t = 0; t < TT; t++) {
            float s = v_hsum(acc[r][t]);
            for (int kk = k; kk < K; kk++)
                s += scalar_w(j->w.data, dt, (size_t)(n + r) * K + kk) * j->x[(size_t)t * K + kk];
            float *dst = j->y + (size_t)t * N + n + r;
            *dst = j->accumulate ? *dst + s : s;
        }
    }
}

AI void gemv_dt(const ds_k_matmul_job *j, int n0, int n1, int TT, ds_k_dtype dt)
{
    int n = n0;
    for (; n + 4 <= n1; n += 4)
        gemv_rows(j, n, 4, TT, dt);
    for (; n < n1; n++)
        gemv_rows(j, n, 1, TT, dt);
}

#define GEMV_T(tt)                                                       \
    static TGT void gemv_t##tt(const ds_k_matmul_job *j, int n0, int n1) \
    {                                                                    \
        switch (j->w.dtype) {                                            \
        case DS_K_BF16: gemv_dt(j, n0, n1, tt, DS_K_BF16); break;        \
        case DS_K_F16: gemv_dt(j, n0, n1, tt, DS_K_F16); break;          \
        default: gemv_dt(j, n0, n1, tt, DS_K_F32); break;                \
        }                                                                \
    }
GEMV_T(1)
GEMV_T(2)
GEMV_T(3)
GEMV_T(4)
#undef GEMV_T

static TGT void matmul_impl(const ds_k_matmul_job *j, int n0, int n1, float *scratch)
{
    if (n0 >= n1 || j->T <= 0)
        return;
    if (j->K == 0) {
        if (!j->accumulate)
            for (int t = 0; t < j->T; t++)
                memset(j->y + (size_t)t * j->N + n0, 0, (size_t)(n1 - n0) * sizeof(float));
        return;
    }
    if (j->T <= DS_K_GEMV_T) {
        switch (j->T) {
        case 1: gemv_t1(j, n0, n1); break;
        case 2: gemv_t2(j, n0, n1); break;
        case 3: gemv_t3(j, n0, n1); break;
        default: gemv_t4(j, n0, n1); break;
        }
        return;
    }
    const int T = j->T, N = j->N, K = j->K;
    for (int p = n0; p < n1; p += NR) {
        int nr = n1 - p < NR ? n1 - p : NR;
        for (int k0 = 0; k0 < K; k0 += KC) {
            int kc = K - k0 < KC ? K - k0 : KC;
            pack_panel_any(scratch, j->w.data, j->w.dtype, K, p, nr, k0, kc);
            int add = k0 > 0 || j->accumulate;
            for (int t = 0; t < T; t += MR) {
                int mr = T - t < MR ? T - t : MR;
                micro_kernel_any(j->y + (size_t)t * N + p, N, j->x + (size_t)t * K + k0, K, scratch, kc, mr, nr, add);
            }
        }
    }
}

/* ---- element-wise and row ops ------------------------------------------------------------ */

static TGT void rmsnorm_impl(float *y, const float *x, const float *w, int R, int D, float eps)
{
    for (int r = 0; r < R; r++) {
        const float *xr = x + (size_t)r * D;
        float *yr = y + (size_t)r * D;
        vf acc = v_zero();
        int i = 0;
        for (; i + VL <= D; i += VL) {
            vf v = v_load(xr + i);
            acc = v_fma(v, v, acc);
        }
        float ss = v_hsum(acc);
        for (; i < D; i++)
            ss += xr[i] * xr[i];
        float inv = 1.0f / sqrtf(ss / (float)D + eps);
        vf vinv = v_set1(inv);
        i = 0;
        for (; i + VL <= D; i += VL)
            v_store(yr + i, v_mul(v_load(w + i), v_mul(v_load(xr + i), vinv)));
        for (; i < D; i++)
            yr[i] = w[i] * (xr[i] * inv);
    }
}

static TGT void rope_impl(float *x, const float *cos, const float *sin, int T, int H, int D)
{
    const int half = D / 2;
    for (int t = 0; t < T; t++) {
        const float *c = cos + (size_t)t * half, *s = sin + (size_t)t * half;
        for (int h = 0; h < H; h++) {
            float *a = x + ((size_t)t * H + h) * D, *b = a + half;
            int i = 0;
            for (; i + VL <= half; i += VL) {
                vf va = v_load(a + i), vb = v_load(b + i), vc = v_load(c + i), vs = v_load(s + i);
                v_store(a + i, v_sub(v_mul(va, vc), v_mul(vb, vs)));
                v_store(b + i, v_add(v_mul(vb, vc), v_mul(va, vs)));
            }
            for (; i < half; i++) {
                float ai = a[i], bi = b[i];
                a[i] = ai * c[i] - bi * s[i];
                b[i] = bi * c[i] + ai * s[i];
            }
        }
    }
}

static TGT void silu_mul_impl(float *y, const float *g, const float *u, size_t n)
{
    size_t i = 0;
    const vf one = v_set1(1.0f);
    for (; i + VL <= n; i += VL) {
        vf vg = v_load(g + i);
        vf sg = v_div(vg, v_add(one, v_exp(v_sub(v_zero(), vg))));
        v_store(y + i, v_mul(sg, v_load(u + i)));
    }
    for (; i < n; i++)
        y[i] = g[i] / (1.0f + expf(-g[i])) * u[i];
}

static TGT void softmax_impl(float *y, const float *x, int R, int N, float scale)
{
    for (int r = 0; r < R; r++) {
        const float *xr = x + (size_t)r * N;
        float *yr = y + (size_t)r * N;
        const vf vs = v_set1(scale);
        float mx = -INFINITY;
        int i = 0;
        if (N >= VL) {
            vf m = v_set1(-INFINITY);
            for (; i + VL <= N; i += VL)
                m = v_max(m, v_mul(v_load(xr + i), vs));
            mx = v_hmax(m);
        }
        for (; i < N; i++)
            mx = fmaxf(mx, xr[i] * scale);
        const vf vm = v_set1(mx);
        vf acc = v_zero();
        i = 0;
        for (; i + VL <= N; i += VL) {
            vf e = v_exp(v_sub(v_mul(v_load(xr + i), vs), vm));
            v_store(yr + i, e);
            acc = v_add(acc, e);
        }
        float sum = v_hsum(acc);
        for (; i < N; i++) {
            yr[i] = expf(xr[i] * scale - mx);
            sum += yr[i];
        }
        const vf vsum = v_set1(sum);
        i = 0;
        for (; i + VL <= N; i += VL)
            v_store(yr + i, v_div(v_load(yr + i), vsum));
        for (; i < N; i++)
            yr[i] /= sum;
    }
}

static TGT void add_impl(float *y, const float *x, size_t n)
{
    size_t i = 0;
    for (; i + VL <= n; i += VL)
        v_store(y + i, v_add(v_load(y + i), v_load(x + i)));
    for (; i < n; i++)
        y[i] += x[i];
}

/* ---- attention ------------------------------------------------------------------------------ */

/* S (rows, BK) = scale * q_rows . Kt (D, BK; row stride ldk), rows given by pointers.
 * CW vectors of keys per register block (CW * VL divides BK). */
AI void att_scores_block(float *S, int ldS, const float *const *qr, int nrows, const float *Kt, int ldk, int D, int BK,
                         float scale, int CW)
{
    const vf vs = v_set1(scale);
    for (int jc = 0; jc < BK; jc += CW * VL) {
        int r = 0;
        for (; r + 4 <= nrows; r += 4) {
            vf acc[4][4];
#pragma GCC unroll 4
            for (int a = 0; a < 4; a++)
#pragma GCC unroll 4
                for (int c = 0; c < CW; c++)
                    acc[a][c] = v_zero();
            for (int d = 0; d < D; d++) {
                vf kv[4];
#pragma GCC unroll 4
                for (int c = 0; c < CW; c++)
                    kv[c] = v_load(Kt + (size_t)d * ldk + jc + c * VL);
#pragma GCC unroll 4
                for (int a = 0; a < 4; a++) {
                    vf qb = v_set1(qr[r + a][d]);
#pragma GCC unroll 4
                    for (int c = 0; c < CW; c++)
                        acc[a][c] = v_fma(qb, kv[c], acc[a][c]);
                }
            }
#pragma GCC unroll 4
            for (int a = 0; a < 4; a++)
#pragma GCC unroll 4
                for (int c = 0; c < CW; c++)
                    v_store(S + (size_t)(r + a) * ldS + jc + c * VL, v_mul(acc[a][c], vs));
        }
        for (; r < nrows; r++) {
            vf acc[4];
#pragma GCC unroll 4
            for (int c = 0; c < CW; c++)
                acc[c] = v_zero();
            for (int d = 0; d < D; d++) {
                vf qb = v_set1(qr[r][d]);
#pragma GCC unroll 4
                for (int c = 0; c < CW; c++)
                    acc[c] = v_fma(qb, v_load(Kt + (size_t)d * ldk + jc + c * VL), acc[c]);
            }
#pragma GCC unroll 4
            for (int c = 0; c < CW; c++)
                v_store(S + (size_t)r * ldS + jc + c * VL, v_mul(acc[c], vs));
        }
    }
}

/* O (rows, D) = O * alpha + P (rows, BK) . V (BK, D); CW vectors of D per register block. */
AI void att_pv_block(float *O, const float *P, int ldP, const float *alpha, int nrows, const float *V, int D, int BK,
                     int CW)
{
    for (int dc = 0; dc < D; dc += CW * VL) {
        int r = 0;
        for (; r + 4 <= nrows; r += 4) {
            vf acc[4][4];
#pragma GCC unroll 4
            for (int a = 0; a < 4; a++) {
                vf al = v_set1(alpha[r + a]);
#pragma GCC unroll 4
                for (int c = 0; c < CW; c++)
                    acc[a][c] = v_mul(v_load(O + (size_t)(r + a) * D + dc + c * VL), al);
            }
            for (int jj = 0; jj < BK; jj++) {
                vf vv[4];
#pragma GCC unroll 4
                for (int c = 0; c < CW; c++)
                    vv[c] = v_load(V + (size_t)jj * D + dc + c * VL);
#pragma GCC unroll 4
                for (int a = 0; a < 4; a++) {
                    vf pb = v_set1(P[(size_t)(r + a) * ldP + jj]);
#pragma GCC unroll 4
                    for (int c = 0; c < CW; c++)
                        acc[a][c] = v_fma(pb, vv[c], acc[a][c]);
                }
            }
#pragma GCC unroll 4
            for (int a = 0; a < 4; a++)
#pragma GCC unroll 4
                for (int c = 0; c < CW; c++)
                    v_store(O + (size_t)(r + a) * D + dc + c * VL, acc[a][c]);
        }
        for (; r < nrows; r++) {
            vf acc[4];
            vf al = v_set1(alpha[r]);
#pragma GCC unroll 4
            for (int c = 0; c < CW; c++)
                acc[c] = v_mul(v_load(O + (size_t)r * D + dc + c * VL), al);
            for (int jj = 0; jj < BK; jj++) {
                vf pb = v_set1(P[(size_t)r * ldP + jj]);
#pragma GCC unroll 4
                for (int c = 0; c < CW; c++)
                    acc[c] = v_fma(pb, v_load(V + (size_t)jj * D + dc + c * VL), acc[c]);
            }
#pragma GCC unroll 4
            for (int c = 0; c < CW; c++)
                v_store(O + (size_t)r * D + dc + c * VL, acc[c]);
        }
    }
}

static TGT void att_scores(float *S, int ldS, const float *const *qr, int nrows, const float *Kt, int ldk, int D,
                           int BK, float scale)
{
    if (BK % (4 * VL) == 0)
        att_scores_block(S, ldS, qr, nrows, Kt, ldk, D, BK, scale, 4);
    else if (BK % (2 * VL) == 0)
        att_scores_block(S, ldS, qr, nrows, Kt, ldk, D, BK, scale, 2);
    else
        att_scores_block(S, ldS, qr, nrows, Kt, ldk, D, BK, scale, 1);
}

static TGT void att_pv(float *O, const float *P, int ldP, const float *alpha, int nrows, const float *V, int D, int BK)
{
    if (D % (4 * VL) == 0)
        att_pv_block(O, P, ldP, alpha, nrows, V, D, BK, 4);
    else if (D % (2 * VL) == 0)
        att_pv_block(O, P, ldP, alpha, nrows, V, D, BK, 2);
    else if (D % VL == 0)
        att_pv_block(O, P, ldP, alpha, nrows, V, D, BK, 1);
    else {
        for (int r = 0; r < nrows; r++) {
            float *o = O + (size_t)r * D;
            for (int d = 0; d < D; d++)
                o[d] *= alpha[r];
            for (int jj = 0; jj < BK; jj++) {
                float p = P[(size_t)r * ldP + jj];
                const float *v = V + (size_t)jj * D;
                for (int d = 0; d < D; d++)
                    o[d] += p * v[d];
            }
        }
    }
}

/* Online-softmax step for one row of scores s[0 .. BK): the first nvalid keys count. Turns s
 * into probabilities, updates m and l, returns the factor that rescales the old output. */
AI float att_softmax_row(float *s, int BK, int nvalid, float *m, float *l)
{
    for (int jj = nvalid; jj < BK; jj++)
        s[jj] = -INFINITY;
    vf vm = v_set1(-INFINITY);
    for (int jj = 0; jj < BK; jj += VL)
        vm = v_max(vm, v_load(s + jj));
    float tmax = v_hmax(vm);
    float mnew = *m > tmax ? *m : tmax;
    float alpha = *m == -INFINITY ? 0.0f : expf(*m - mnew);
    const vf vmn = v_set1(mnew);
    vf acc = v_zero();
    for (int jj = 0; jj < BK; jj += VL) {
        vf e = v_exp(v_sub(v_load(s + jj), vmn));
        v_store(s + jj, e);
        acc = v_add(acc, e);
    }
    *l = *l * alpha + v_hsum(acc);
    *m = mnew;
    return alpha;
}

static TGT void attention_impl(float *out, const float *q, const ds_k_kv_pages *kv, int pos0, int T, int Hq, int Hkv,
                               int D, float scale, int h, int t0, int t1, float *scratch)
{
    (void)T;
    const int G = Hq / Hkv, PT = kv->page_tokens, BK = ds_k_att_tile(PT);
    const int R = (t1 - t0) * G;
    float *S = scratch;                        /* (R, BK) */
    float *O = S + (size_t)DS_K_ATT_ROWS * 64; /* (R, D) */
    float *m = O + (size_t)DS_K_ATT_ROWS * DS_K_ATT_MAX_D;
    float *l = m + DS_K_ATT_ROWS;
    float *alpha = l + DS_K_ATT_ROWS;
    const float *qr[DS_K_ATT_ROWS];
    for (int r = 0; r < R; r++) {
        int t = t0 + r / G, g = r % G;
        qr[r] = q + ((size_t)t * Hq + (size_t)h * G + g) * D;
        m[r] = -INFINITY;
        l[r] = 0.0f;
    }
    memset(O, 0, (size_t)R * D * sizeof(float));
    const int last = pos0 + t1 - 1;
    for (int j0 = 0; j0 <= last; j0 += BK) {
        const int page = j0 / PT, off = j0 % PT;
        const float *Kt = kv->k[page] + (size_t)h * D * PT + off;
        const float *V = kv->v[page] + ((size_t)h * PT + off) * D;
        /* Rows whose position is below j0 see none of this tile: they form a prefix. */
        int tmin = j0 - pos0 > t0 ? j0 - pos0 : t0;
        int r0 = (tmin - t0) * G;
        int nrows = R - r0;
        att_scores(S + (size_t)r0 * BK, BK, qr + r0, nrows, Kt, PT, D, BK, scale);
        for (int r = r0; r < R; r++) {
            int pos = pos0 + t0 + r / G;
            int nvalid = pos - j0 + 1 < BK ? pos - j0 + 1 : BK;
            alpha[r] = att_softmax_row(S + (size_t)r * BK, BK, nvalid, &m[r], &l[r]);
        }
        /* Keys past the last row's position hold no data yet (their probabilities are 0, but
         * 0 * garbage may be NaN): the value loop stops at the last valid key. */
        int kv_valid = last - j0 + 1 < BK ? last - j0 + 1 : BK;
        att_pv(O + (size_t)r0 * D, S + (size_t)r0 * BK, BK, alpha + r0, nrows, V, D, kv_valid);
    }
    for (int r = 0; r < R; r++) {
        float *o = out + ((size_t)(t0 + r / G) * Hq + (size_t)h * G + r % G) * D;
        const float inv = 1.0f / l[r];
        for (int d = 0; d < D; d++)
            o[d] = O[(size_t)r * D + d] * inv;
    }
}

const ds_k_impl IMPL_NAME = {
    .name = ISA_LABEL,
    .panel = NR,
    .matmul = matmul_impl,
    .rmsnorm = rmsnorm_impl,
    .rope = rope_impl,
    .silu_mul = silu_mul_impl,
    .softmax = softmax_impl,
    .add = add_impl,
    .widen = widen_impl,
    .attention = attention_impl,
};
