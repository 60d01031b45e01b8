/* ops_test.c - every CUDA op (kernels/cuda/kernels_cuda.h) against its CPU twin, on fresh
 * random inputs over a grid of shapes, by normalised error ||gpu - cpu|| / ||cpu|| with a bound
 * per op, and guard bytes around every device output. One op family per run:
 *   test_cuda_ops OP   with OP one of rmsnorm rope kv_write attention moe matmul gemm_bf16
 *                      awq_dequant gemv sample elementwise
 * (ctest runs each as t_cuda_OP, label gpu; without a device every one exits 77: skipped).
 *
 * Bounds (and why):
 *   fp32 ops against double references: 1e-6 (row ops), 2e-6 sqrt(K+1) + 1e-6 (matmuls, fp32
 *     summation of K products), 2e-5 (fp32 attention);
 *   bf16 outputs: 4e-3 (one rounding to 8 bits of mantissa, 2^-9 relative);
 *   tensor-core attention on bf16 pages: 1e-2 against the reference on the same bf16 keys and
 *     values (q and the probabilities are rounded to bf16 inside; fp32 accumulation);
 *   cuBLAS bf16 GEMM: 1e-4 against the reference on the same bf16 inputs (fp32 accumulation);
 *   exact: KV page writes, MoE grouping, gathers, argmax, masks, AWQ dequantisation to bf16;
 *   sampling: the same token as the CPU twin in at least 97% of draws (the nucleus threshold and
 *     the softmax are summed in fp32 on the device and in double on the CPU, so a draw that
 *     lands within rounding of a boundary may differ), and never a token outside the CPU's
 *     nucleus widened by 1e-4 of probability mass.
 */
#include "model/model_internal.h"
#include "tests/cuda/cuda_testlib.h"

#include <stdio.h>

/* ---- rmsnorm ------------------------------------------------------------------------------ */

static void test_rmsnorm(void)
{
    static const int Ds[] = {1, 16, 32, 100, 128, 256, 257, 1000, 2048, 3000};
    for (size_t di = 0; di < sizeof Ds / sizeof *Ds; di++)
        for (int obf = 0; obf < 2; obf++) {
            cuda_test_reset();
            const int D = Ds[di], R = 1 + ct_irand(300);
            const size_t n = (size_t)R * D;
            float *x = malloc(n * 4), *w = malloc((size_t)D * 4), *ref = malloc(n * 4), *y = malloc(n * 4);
            uint16_t *yb = malloc(n * 2);
            fill(x, n, 3.0f);
            fill(w, (size_t)D, 2.0f);
            ds_k_rmsnorm_ref(ref, x, w, R, D, 1e-6f);
            float *dx = dcopy(x, n * 4), *dw = dcopy(w, (size_t)D * 4);
            void *dy = dout(n * (obf ? 2 : 4));
            CT(ds_cuda_rmsnorm(dy, obf, dx, dw, R, D, 1e-6f, 0, err_));
            if (obf) {
                d2h(yb, dy, n * 2);
                widen_bf16(y, yb, n);
            } else {
                d2h(y, dy, n * 4);
            }
            const double e = nerr(y, ref, n);
            DS_CHECKF(e < (obf ? 4e-3 : 1e-6), "rmsnorm R=%d D=%d bf16=%d: %.3g", R, D, obf, e);
            DS_CHECKF(guards_ok(dy, n * (obf ? 2 : 4)), "rmsnorm D=%d: guard overwritten", D);
            free(x), free(w), free(ref), free(y), free(yb);
        }
}

/* ---- rope ---------------------------------------------------------------------------------- */

static void test_rope(void)
{
    /* tables: a YaRN config as Qwen3 long-context checkpoints have it */
    ds_model_config c;
    memset(&c, 0, sizeof c);
    c.head_dim = 128;
    c.rope_theta = 1000000.0;
    c.rope_scaling.type = DS_MODEL_ROPE_YARN;
    c.rope_scaling.factor = 4.0;
    c.rope_scaling.original_max_position_embeddings = 32768;
    c.rope_scaling.beta_fast = 32;
    c.rope_scaling.beta_slow = 1;
    c.rope_scaling.attention_factor = 0.1 * log(4.0) + 1.0;
    for (int yarn = 0; yarn < 2; yarn++) {
        cuda_test_reset();
        c.rope_scaling.type = yarn ? DS_MODEL_ROPE_YARN : DS_MODEL_ROPE_DEFAULT;
        const int half = 64, T = 500;
        float inv[64], af;
        ds_rope_inv_freq(&c, inv, &af);
        int32_t pos[500];
        for (int t = 0; t < T; t++)
            pos[t] = t < 10 ? t : ct_irand(262144);
        float *cs = malloc(sizeof(float) * T * half), *sn = malloc(sizeof(float) * T * half);
        float *gc = malloc(sizeof(float) * T * half), *gs = malloc(sizeof(float) * T * half);
        for (int t = 0; t < T; t++)
            ds_rope_row(inv, half, af, pos[t], cs + t * half, sn + t * half);
        float *dcs = dout(sizeof(float) * T * half), *dsn = dout(sizeof(float) * T * half);
        CT(ds_cuda_rope_table(dcs, dsn, dcopy(inv, sizeof inv), af, dcopy(pos, sizeof pos), NULL, T, half, 0, err_));
        d2h(gc, dcs, sizeof(float) * T * half);
        d2h(gs, dsn, sizeof(float) * T * half);
        double md = 0;
        for (int i = 0; i < T * half; i++)
            md = fmax(md, fmax(fabs((double)gc[i] - cs[i]), fabs((double)gs[i] - sn[i])));
        printf("rope table (yarn %d): max difference %.3g\n", yarn, md);
        DS_CHECKF(md <= 2.5e-7, "rope table yarn=%d: max difference %.3g", yarn, md);
        DS_CHECK(guards_ok(dcs, sizeof(float) * T * half) && guards_ok(dsn, sizeof(float) * T * half));
        /* positions from the device (decode graphs): pos_dev0 + t */
        int32_t p0 = 77777;
        CT(ds_cuda_rope_table(dcs, dsn, dcopy(inv, sizeof inv), af, NULL, dcopy(&p0, 4), 3, half, 0, err_));
        d2h(gc, dcs, sizeof(float) * 3 * half);
        ds_rope_row(inv, half, af, p0 + 2, cs, sn);
        DS_CHECK(fabsf(gc[2 * half + 5] - cs[5]) <= 2.5e-7f);
        free(cs), free(sn), free(gc), free(gs);
    }
    /* the rotation */
    static const int Ds[] = {2, 16, 32, 64, 128, 256};
    for (size_t di = 0; di < sizeof Ds / sizeof *Ds; di++) {
        cuda_test_reset();
        const int D = Ds[di], T = 1 + ct_irand(40), H = 1 + ct_irand(32);
        const size_t n = (size_t)T * H * D, nc = (size_t)T * D / 2;
        float *x = malloc(n * 4), *cs = malloc(nc * 4), *sn = malloc(nc * 4), *ref = malloc(n * 4);
        fill(x, n, 2.0f);
        for (size_t i = 0; i < nc; i++) {
            double a = ct_frand() * 100.0;
            cs[i] = (float)(cos(a) * 1.1);
            sn[i] = (float)(sin(a) * 1.1);
        }
        memcpy(ref, x, n * 4);
        ds_k_rope_ref(ref, cs, sn, T, H, D);
        float *dx = dout(n * 4);
        h2d(dx, x, n * 4);
        CT(ds_cuda_rope(dx, dcopy(cs, nc * 4), dcopy(sn, nc * 4), T, H, D, 0, err_));
        d2h(x, dx, n * 4);
        DS_CHECKF(nerr(x, ref, n) < 1e-6, "rope D=%d: %.3g", D, nerr(x, ref, n));
        DS_CHECK(guards_ok(dx, n * 4));
        free(x), free(cs), free(sn), free(ref);
    }
}

/* ---- paged KV: a device pool built from host pages ---------------------------------------- */

typedef struct pool {
    int PT, Hkv, D, n_pages, bf16;
    float **kp, **vp; /* host pages (fp32, the reference's view) */
    int32_t *ids;     /* device page of each sequence page (shuffled) */
    void *dpool;
    ds_cuda_kv kv;
} pool;

/* n_pages pages of one layer; on the device in a shuffled order, bf16 or fp32; slots past
 * `total` are NaN on both sides. */
static void pool_make(pool *p, int PT, int Hkv, int D, int total, int bf16)
{
    p->PT = PT, p->Hkv = Hkv, p->D = D, p->bf16 = bf16;
    p->n_pages = (total + PT - 1) / PT;
    const size_t per = (size_t)Hkv * PT * D, esz = bf16 ? 2 : 4;
    const size_t page_bytes = (2 * per * esz + 255) / 256 * 256;
    p->kp = malloc(sizeof(float *) * p->n_pages);
    p->vp = malloc(sizeof(float *) * p->n_pages);
    int32_t *ids = malloc(sizeof(int32_t) * p->n_pages);
    for (int i = 0; i < p->n_pages; i++)
        ids[i] = i;
    for (int i = p->n_pages - 1; i > 0; i--) {
        int j = ct_irand(i + 1), t = ids[i];
        ids[i] = ids[j];
        ids[j] = t;
    }
    unsigned char *host = calloc((size_t)p->n_pages, page_bytes);
    for (int pg = 0; pg < p->n_pages; pg++) {
        p->kp[pg] = malloc(per * 4);
        p->vp[pg] = malloc(per * 4);
        for (size_t i = 0; i < per; i++) {
            float k = ct_frand(), v = ct_frand();
            if (bf16)
                k = rbf16(k), v = rbf16(v);
            p->kp[pg][i] = k;
            p->vp[pg][i] = v;
        }
        for (int j = total; j < (pg + 1) * PT; j++) /* unwritten slots */
            if (j >= pg * PT)
                for (int h = 0; h < Hkv; h++)
                    for (int d = 0; d < D; d++) {
                        p->kp[pg][((size_t)h * D + d) * PT + j % PT] = NAN;
                        p->vp[pg][((size_t)h * PT + j % PT) * D + d] = NAN;
                    }
        unsigned char *dst = host + (size_t)ids[pg] * page_bytes;
        for (size_t i = 0; i < per; i++) {
            if (bf16) {
                uint16_t kb = ds_k_f32_to_bf16(p->kp[pg][i]), vb = ds_k_f32_to_bf16(p->vp[pg][i]);
                memcpy(dst + 2 * i, &kb, 2);
                memcpy(dst + per * 2 + 2 * i, &vb, 2);
            } else {
                memcpy(dst + 4 * i, &p->kp[pg][i], 4);
                memcpy(dst + per * 4 + 4 * i, &p->vp[pg][i], 4);
            }
        }
    }
    p->dpool = dcopy(host, (size_t)p->n_pages * page_bytes);
    p->ids = dcopy(ids, sizeof(int32_t) * p->n_pages);
    p->kv = (ds_cuda_kv){p->dpool, page_bytes, 0, per * esz, p->ids, PT, bf16};
    free(host);
    free(ids);
}

static void pool_free(pool *p)
{
    for (int i = 0; i < p->n_pages; i++) {
        free(p->kp[i]);
        free(p->vp[i]);
    }
    free(p->kp);
    free(p->vp);
}

static void test_kv_write(void)
{
    for (int rep = 0; rep < 20; rep++)
        for (int bf16 = 0; bf16 < 2; bf16++) {
            cuda_test_reset();
            const int PT = 16 * (1 + ct_irand(4)), D = 8 * (1 + ct_irand(16)), Hkv = 1 + ct_irand(4);
            const int total = 1 + ct_irand(300), pos0 = ct_irand(total), T = total - pos0;
            pool p;
            pool_make(&p, PT, Hkv, D, total, bf16);
            float *k = malloc(sizeof(float) * T * Hkv * D), *v = malloc(sizeof(float) * T * Hkv * D);
            fill(k, (size_t)T * Hkv * D, 1.0f);
            fill(v, (size_t)T * Hkv * D, 1.0f);
            float *kk = malloc(sizeof(float) * T * Hkv * D), *vv = malloc(sizeof(float) * T * Hkv * D);
            for (int i = 0; i < T * Hkv * D; i++)
                kk[i] = bf16 ? rbf16(k[i]) : k[i], vv[i] = bf16 ? rbf16(v[i]) : v[i];
            ds_k_kv_write_ref(p.kp, p.vp, PT, kk, vv, pos0, T, Hkv, D);
            const int use_dev = rep % 2;
            int32_t *dp0 = dcopy(&pos0, 4);
            CT(ds_cuda_kv_write(&p.kv, dcopy(k, sizeof(float) * T * Hkv * D), dcopy(v, sizeof(float) * T * Hkv * D),
                                use_dev ? -1 : pos0, use_dev ? dp0 : NULL, T, Hkv, D, 0, err_));
            /* read every page back and compare with the reference pages, bit for bit */
            int32_t *ids = malloc(sizeof(int32_t) * p.n_pages);
            d2h(ids, p.ids, sizeof(int32_t) * p.n_pages);
            const size_t per = (size_t)Hkv * PT * D, esz = bf16 ? 2 : 4;
            unsigned char *pg = malloc(p.kv.page_bytes);
            int bad = 0;
            for (int i = 0; i < p.n_pages; i++) {
                d2h(pg, (char *)p.dpool + (size_t)ids[i] * p.kv.page_bytes, p.kv.page_bytes);
                for (size_t j = 0; j < per; j++) {
                    float gk, gv;
                    if (bf16) {
                        uint16_t a, b;
                        memcpy(&a, pg + 2 * j, 2);
                        memcpy(&b, pg + per * 2 + 2 * j, 2);
                        gk = ds_k_bf16_to_f32(a), gv = ds_k_bf16_to_f32(b);
                    } else {
                        memcpy(&gk, pg + 4 * j, 4);
                        memcpy(&gv, pg + per * 4 + 4 * j, 4);
                    }
                    const float rk = p.kp[i][j], rv = p.vp[i][j];
                    bad += !((gk == rk || (isnan(gk) && isnan(rk))) && (gv == rv || (isnan(gv) && isnan(rv))));
                }
            }
            (void)esz;
            DS_CHECKF(bad == 0, "kv write PT=%d D=%d Hkv=%d pos0=%d T=%d bf16=%d: %d elements differ", PT, D, Hkv, pos0,
                      T, bf16, bad);
            free(pg), free(ids), free(k), free(v), free(kk), free(vv);
            pool_free(&p);
        }
}

/* ---- attention ------------------------------------------------------------------------------ */

static void check_attention(int PT, int D, int Hq, int Hkv, int pos0, int T, int bf16)
{
    cuda_test_reset();
    const int total = pos0 + T;
    pool p;
    pool_make(&p, PT, Hkv, D, total, bf16);
    const size_t n = (size_t)T * Hq * D;
    float *q = malloc(n * 4), *ref = malloc(n * 4), *y = malloc(n * 4), *first = malloc(n * 4);
    uint16_t *yb = malloc(n * 2);
    fill(q, n, 1.5f);
    const float scale = 1.0f / sqrtf((float)D);
    ds_k_kv_pages kv = {(const float *const *)p.kp, (const float *const *)p.vp, PT, p.n_pages};
    ds_k_attention_ref(ref, q, &kv, pos0, T, Hq, Hkv, D, scale);
    float *dq = dcopy(q, n * 4);
    int32_t *dp0 = dcopy(&pos0, 4);
    const int mma = bf16 && (D == 32 || D == 64 || D == 128);
    const double bound = mma ? 1e-2 : bf16 ? 2e-5 : 2e-5;
    static const int splits[] = {1, 3, 8};
    for (int si = 0; si < (mma ? 3 : 1); si++)
        for (int obf = 0; obf < 2; obf++) {
            const int ns = splits[si];
            void *ws = ns > 1 ? dalloc(ds_cuda_attention_workspace(T, Hq, D, ns)) : NULL;
            void *dy = dout(n * (obf ? 2 : 4));
            const int use_dev = (si + obf) % 2;
            CT(ds_cuda_attention(dy, obf, dq, &p.kv, use_dev ? -1 : pos0, use_dev ? dp0 : NULL, T, Hq, Hkv, D, scale,
                                 ns, ws, 0, err_));
            if (obf) {
                d2h(yb, dy, n * 2);
                widen_bf16(y, yb, n);
            } else {
                d2h(y, dy, n * 4);
            }
            const double e = nerr(y, ref, n);
            DS_CHECKF(e < (obf ? bound + 4e-3 : bound),
                      "attention %s PT=%d D=%d H=%d/%d pos0=%d T=%d splits=%d out_bf16=%d: %.3g", mma ? "mma" : "fp32",
                      PT, D, Hq, Hkv, pos0, T, ns, obf, e);
            DS_CHECKF(guards_ok(dy, n * (obf ? 2 : 4)), "attention D=%d: guard overwritten", D);
            if (si == 0 && obf == 0)
                memcpy(first, y, n * 4);
            else if (!obf)
                DS_CHECKF(nerr(y, first, n) < (mma ? 5e-3 : 1e-6), "attention splits=%d vs one: %.3g", ns,
                          nerr(y, first, n));
        }
    /* queries in two calls (a segment boundary) give what one call gives */
    if (T > 1 && !bf16) {
        const int a = 1 + ct_irand(T - 1);
        float *dy = dout(n * 4);
        CT(ds_cuda_attention(dy, 0, dq, &p.kv, pos0, NULL, a, Hq, Hkv, D, scale, 1, NULL, 0, err_));
        CT(ds_cuda_attention(dy + (size_t)a * Hq * D, 0, dq + (size_t)a * Hq * D, &p.kv, pos0 + a, NULL, T - a, Hq, Hkv,
                             D, scale, 1, NULL, 0, err_));
        d2h(y, dy, n * 4);
        DS_CHECKF(memcmp(y, first, n * 4) == 0, "attention fp32: a split at %d differs from one call", a);
    }
    free(q), free(ref), free(y), free(first), free(yb);
    pool_free(&p);
}

static void test_attention(void)
{
    static const int PTs[] = {16, 32, 48, 64, 128};
    static const int Ds[] = {16, 32, 40, 64, 80, 128};
    static const int Hs[][2] = {{1, 1}, {4, 2}, {8, 2}, {16, 4}, {6, 3}, {32, 4}};
    static const int P0[] = {0, 1, 5, 63, 64, 130, 700};
    static const int Tn[] = {1, 2, 3, 17, 40, 70, 129};
    for (int rep = 0; rep < 40; rep++) {
        const int *h = Hs[ct_irand(6)];
        check_attention(PTs[ct_irand(5)], Ds[ct_irand(6)], h[0], h[1], P0[ct_irand(7)], Tn[ct_irand(7)], rep % 3 != 0);
    }
    check_attention(64, 128, 32, 4, 300, 33, 1); /* Qwen3-30B-A3B heads */
    check_attention(64, 128, 32, 4, 300, 33, 0);
    check_attention(64, 128, 32, 4, 4000, 1, 1); /* decode over a long context */
    check_attention(64, 128, 32, 4, 0, 1500, 1); /* a prefill segment */
    check_attention(16, 64, 16, 4, 0, 128, 1);
    check_attention(32, 32, 4, 2, 2000, 8, 1);
}

/* ---- MoE ------------------------------------------------------------------------------------ */

static void test_moe(void)
{
    for (int rep = 0; rep < 40; rep++) {
        cuda_test_reset();
        const int T = 1 + ct_irand(rep < 35 ? 60 : 3000), E = rep % 5 == 0 ? 128 : 1 + ct_irand(160);
        const int k = 1 + ct_irand(E < 8 ? E : 8), norm = ct_irand(2), H = 8 + ct_irand(100);
        const float exp_t = ct_irand(2) ? 1.0f : expf(ct_frand());
        float *lg = malloc(sizeof(float) * T * E);
        int32_t *idx = malloc(4 * (size_t)T * k), *gidx = malloc(4 * (size_t)T * k);
        float *w = malloc(4 * (size_t)T * k), *gw = malloc(4 * (size_t)T * k);
        /* routing: redraw rows whose k-th and (k+1)-th probabilities nearly tie */
        for (int t = 0; t < T; t++) {
            for (int tries = 0; tries < 50; tries++) {
                for (int e = 0; e < E; e++)
                    lg[(size_t)t * E + e] = ct_frand() * 4.0f;
                if (k == E)
                    break;
                float p[1024];
                ds_k_softmax_ref(p, lg + (size_t)t * E, 1, E, 1.0f / exp_t);
                int32_t ii[33];
                float vv[33];
                ds_k_topk_ref(ii, vv, p, 1, E, k + 1);
                if (vv[k - 1] - vv[k] > 1e-5f * vv[0])
                    break;
            }
        }
        if (rep % 7 == 3) /* a NaN router row must still route to valid experts, as the CPU */
            for (int e = 0; e < E; e++)
                lg[e] = NAN;
        ds_k_moe_route_ref(idx, w, lg, T, E, k, exp_t, norm);
        for (int i = 0; i < T * k; i++)
            DS_REQUIRE(idx[i] >= 0 && idx[i] < E);
        int32_t *didx = dout(4 * (size_t)T * k);
        float *dw = dout(4 * (size_t)T * k);
        CT(ds_cuda_moe_route(didx, dw, dcopy(lg, sizeof(float) * T * E), T, E, k, exp_t, norm, 0, err_));
        d2h(gidx, didx, 4 * (size_t)T * k);
        d2h(gw, dw, 4 * (size_t)T * k);
        double we = 0;
        for (int i = 0; i < T * k; i++)
            we = fmax(we, fabs((double)gw[i] - w[i]));
        DS_CHECKF(memcmp(idx, gidx, 4 * (size_t)T * k) == 0 && we < 1e-5,
                  "moe route T=%d E=%d k=%d: indices %s, weight error %.3g", T, E, k,
                  memcmp(idx, gidx, 4 * (size_t)T * k) ? "differ" : "equal", we);
        DS_CHECK(guards_ok(didx, 4 * (size_t)T * k) && guards_ok(dw, 4 * (size_t)T * k));

        /* grouping: exactly the CPU twin's */
        int32_t *cnt = malloc(4 * E), *off = malloc(4 * (E + 1)), *rt = malloc(4 * T * k), *pr = malloc(4 * T * k);
        float *rw = malloc(4 * T * k);
        ds_k_moe_permute_ref(cnt, off, rt, rw, pr, idx, w, T, k, E);
        int32_t *dcnt = dout(4 * E), *doff = dout(4 * (E + 1)), *drt = dout(4 * T * k), *dpr = dout(4 * T * k);
        int32_t *dact = dout(4 * E);
        float *drw = dout(4 * T * k);
        CT(ds_cuda_moe_permute(dcnt, doff, dact, drt, drw, dpr, didx, dw, T, k, E, 0, err_));
        int32_t *g1 = malloc(4 * (E + 1 + 3 * T * k));
        float *g2 = malloc(4 * T * k);
        int ok = 1;
        d2h(g1, dcnt, 4 * E);
        ok &= memcmp(g1, cnt, 4 * E) == 0;
        d2h(g1, doff, 4 * (E + 1));
        ok &= memcmp(g1, off, 4 * (E + 1)) == 0;
        d2h(g1, drt, 4 * T * k);
        ok &= memcmp(g1, rt, 4 * T * k) == 0;
        d2h(g1, dpr, 4 * T * k);
        ok &= memcmp(g1, pr, 4 * T * k) == 0;
        d2h(g1, dact, 4 * E); /* the experts with rows, ascending, then -1 */
        for (int e2 = 0, na = 0; e2 < E; e2++)
            if (cnt[e2] > 0)
                ok &= g1[na++] == e2;
        {
            int na = 0;
            for (int e2 = 0; e2 < E; e2++)
                na += cnt[e2] > 0;
            for (int i = na; i < E; i++)
                ok &= g1[i] == -1;
        }
        d2h(g2, drw, 4 * T * k);
        /* the device's own weights went in: compare with those regrouped */
        for (int t = 0; t < T; t++)
            for (int j = 0; j < k; j++)
                ok &= g2[pr[t * k + j]] == gw[t * k + j];
        DS_CHECKF(ok, "moe permute T=%d E=%d k=%d differs from the CPU twin", T, E, k);
        DS_CHECK(guards_ok(dcnt, 4 * E) && guards_ok(dact, 4 * E) && guards_ok(doff, 4 * (E + 1)) &&
                 guards_ok(drt, 4 * T * k) && guards_ok(dpr, 4 * T * k) && guards_ok(drw, 4 * T * k));

        /* gather, fp32 and bf16 */
        float *x = malloc(sizeof(float) * T * H), *xg = malloc(sizeof(float) * T * k * H);
        uint16_t *xgb = malloc(2 * (size_t)T * k * H);
        fill(x, (size_t)T * H, 2.0f);
        float *dx = dcopy(x, sizeof(float) * T * H);
        for (int b = 0; b < 2; b++) {
            void *dxg = dout((size_t)T * k * H * (b ? 2 : 4));
            CT(ds_cuda_moe_gather(dxg, b, dx, drt, T * k, H, 0, err_));
            int bad = 0;
            if (b) {
                d2h(xgb, dxg, 2 * (size_t)T * k * H);
                for (int r = 0; r < T * k; r++)
                    for (int c = 0; c < H; c++)
                        bad += xgb[(size_t)r * H + c] != ds_k_f32_to_bf16(x[(size_t)rt[r] * H + c]);
            } else {
                d2h(xg, dxg, sizeof(float) * T * k * H);
                for (int r = 0; r < T * k; r++)
                    bad += memcmp(xg + (size_t)r * H, x + (size_t)rt[r] * H, sizeof(float) * H) != 0;
            }
            DS_CHECKF(bad == 0 && guards_ok(dxg, (size_t)T * k * H * (b ? 2 : 4)), "moe gather bf16=%d", b);
        }
        /* combine */
        float *y = malloc(sizeof(float) * T * k * H), *o = malloc(sizeof(float) * T * H),
              *og = malloc(sizeof(float) * T * H);
        fill(y, (size_t)T * k * H, 1.0f);
        fill(o, (size_t)T * H, 1.0f);
        const int acc = ct_irand(2);
        float *dout_ = dout(sizeof(float) * T * H);
        h2d(dout_, o, sizeof(float) * T * H);
        CT(ds_cuda_moe_combine(dout_, dcopy(y, sizeof(float) * T * k * H), dpr, didx, drw, T, k, H, acc, 0, err_));
        ds_k_moe_combine_ref(o, y, pr, idx, g2, T, k, H, acc);
        d2h(og, dout_, sizeof(float) * T * H);
        DS_CHECKF(nerr(og, o, (size_t)T * H) < 1e-6, "moe combine T=%d k=%d H=%d: %.3g", T, k, H,
                  nerr(og, o, (size_t)T * H));
        DS_CHECK(guards_ok(dout_, sizeof(float) * T * H));
        free(lg), free(idx), free(gidx), free(w), free(gw), free(cnt), free(off), free(rt), free(pr), free(rw);
        free(g1), free(g2), free(x), free(xg), free(xgb), free(y), free(o), free(og);
    }
}

/* ---- matmuls ------------------------------------------------------------------------------------ */

/* A random weight (N, K) in dt on host and device; AWQ with group G. */
typedef struct tw {
    ds_k_weight hw; /* host view (the reference) */
    ds_k_awq ha;
    void *host[3];
    ds_cuda_weight dw; /* device */
} tw;

static void tw_make(tw *t, ds_k_dtype dt, int N, int K, int G)
{
    memset(t, 0, sizeof *t);
    if (dt == DS_K_AWQ4) {
        uint8_t *q = malloc((size_t)K * N), *z = malloc((size_t)(K / G) * N);
        for (size_t i = 0; i < (size_t)K * N; i++)
            q[i] = (uint8_t)ct_irand(16);
        for (size_t i = 0; i < (size_t)(K / G) * N; i++)
            z[i] = (uint8_t)ct_irand(16);
        int32_t *qw = malloc((size_t)K * N / 2), *qz = malloc((size_t)(K / G) * N / 2);
        uint16_t *sc = malloc((size_t)(K / G) * N * 2);
        ds_k_awq_pack(qw, q, K, N);
        ds_k_awq_pack(qz, z, K / G, N);
        for (size_t i = 0; i < (size_t)(K / G) * N; i++)
            sc[i] = ds_k_f32_to_f16(0.01f + 0.05f * (ct_frand() + 1.0f));
        t->ha = (ds_k_awq){qw, qz, sc, G, NULL};
        t->hw = (ds_k_weight){&t->ha, DS_K_AWQ4};
        t->host[0] = qw, t->host[1] = qz, t->host[2] = sc;
        t->dw.d.data = dcopy(qw, (size_t)K * N / 2);
        t->dw.d.qzeros = dcopy(qz, (size_t)(K / G) * N / 2);
        t->dw.d.scales = dcopy(sc, (size_t)(K / G) * N * 2);
        t->dw.group = G;
        free(q);
        free(z);
    } else {
        const size_t n = (size_t)N * K, es = ds_k_dtype_size(dt);
        void *w = malloc(n * es + 16);
        for (size_t i = 0; i < n; i++) {
            float v = ct_frand();
            if (dt == DS_K_BF16)
                ((uint16_t *)w)[i] = ds_k_f32_to_bf16(v);
            else if (dt == DS_K_F16)
                ((uint16_t *)w)[i] = ds_k_f32_to_f16(v);
            else
                ((float *)w)[i] = v;
        }
        t->hw = (ds_k_weight){w, dt};
        t->host[0] = w;
        t->dw.d.data = dcopy(w, n * es);
    }
    t->dw.dtype = dt;
}

static void tw_free(tw *t)
{
    for (int i = 0; i < 3; i++)
        free(t->host[i]);
}

static void test_matmul(void)
{
    static const int Ts[] = {1, 2, 5, 17, 64, 65, 200};
    static const int Ns[] = {8, 16, 24, 40, 64, 72, 136, 520};
    for (int rep = 0; rep < 60; rep++) {
        cuda_test_reset();
        const ds_k_dtype dt = (ds_k_dtype)ct_irand(4);
        const int T = Ts[ct_irand(7)], N = dt == DS_K_AWQ4 ? Ns[ct_irand(8)] : 1 + ct_irand(300);
        const int G = 16 << ct_irand(4), K = dt == DS_K_AWQ4 ? G * (1 + ct_irand(8)) : 1 + ct_irand(700);
        const int acc = ct_irand(2);
        tw w;
        tw_make(&w, dt, N, K, G);
        float *x = malloc(sizeof(float) * T * K), *y = malloc(sizeof(float) * T * N),
              *ref = malloc(sizeof(float) * T * N);
        fill(x, (size_t)T * K, 1.0f);
        fill(ref, (size_t)T * N, 1.0f);
        float *dy = dout(sizeof(float) * T * N);
        h2d(dy, ref, sizeof(float) * T * N);
        ds_k_matmul_ref(ref, x, w.hw, T, N, K, acc);
        CT(ds_cuda_matmul_f32(dy, dcopy(x, sizeof(float) * T * K), &w.dw, T, N, K, acc, 0, err_));
        d2h(y, dy, sizeof(float) * T * N);
        const double e = nerr(y, ref, (size_t)T * N);
        DS_CHECKF(e < 2e-6 * sqrt((double)K + 1) + 1e-6, "matmul_f32 dt=%d T=%d N=%d K=%d acc=%d: %.3g", dt, T, N, K,
                  acc, e);
        DS_CHECK(guards_ok(dy, sizeof(float) * T * N));
        free(x), free(y), free(ref);
        tw_free(&w);
    }
}

static void test_gemm_bf16(void)
{
    ds_cuda_blas *b = NULL;
    for (int rep = 0; rep < 30; rep++) {
        cuda_test_reset();
        const size_t wsb = 32u << 20;
        ds_err err;
        if (!b && ds_cuda_blas_create(&b, 0, dalloc(wsb), wsb, &err) != DS_OK)
            ct_fail_err("cublas", &err);
        /* the workspace came from the arena, which is reset each round: keep it first */
        ct_arena.used = wsb + 256;
        const int T = 1 + ct_irand(rep < 25 ? 300 : 3000), N = 8 * (1 + ct_irand(200)), K = 8 * (1 + ct_irand(300));
        const int acc = ct_irand(2), wt = ct_irand(2);
        tw w;
        tw_make(&w, DS_K_BF16, N, K, 0);
        uint16_t *xb = malloc(2 * (size_t)T * K), *wtb = malloc(2 * (size_t)N * K);
        float *x = malloc(sizeof(float) * T * K), *y = malloc(sizeof(float) * T * N),
              *ref = malloc(sizeof(float) * T * N);
        for (size_t i = 0; i < (size_t)T * K; i++) {
            xb[i] = ds_k_f32_to_bf16(ct_frand());
            x[i] = ds_k_bf16_to_f32(xb[i]);
        }
        const uint16_t *wh = w.hw.data;
        for (int n = 0; n < N; n++)
            for (int k = 0; k < K; k++)
                wtb[(size_t)k * N + n] = wh[(size_t)n * K + k];
        fill(ref, (size_t)T * N, 1.0f);
        float *dy = dout(sizeof(float) * T * N);
        h2d(dy, ref, sizeof(float) * T * N);
        ds_k_matmul_ref(ref, x, w.hw, T, N, K, acc);
        CT(ds_cuda_gemm_bf16(b, dy, dcopy(xb, 2 * (size_t)T * K), wt ? dcopy(wtb, 2 * (size_t)N * K) : w.dw.d.data, wt,
                             T, N, K, acc, err_));
        d2h(y, dy, sizeof(float) * T * N);
        const double e = nerr(y, ref, (size_t)T * N);
        DS_CHECKF(e < 1e-4, "gemm_bf16 T=%d N=%d K=%d wt=%d acc=%d: %.3g", T, N, K, wt, acc, e);
        DS_CHECK(guards_ok(dy, sizeof(float) * T * N));
        free(xb), free(wtb), free(x), free(y), free(ref);
        tw_free(&w);
    }
    ds_cuda_blas_free(b);
}

static void test_awq_dequant(void)
{
    for (int rep = 0; rep < 20; rep++) {
        cuda_test_reset();
        const int N = 8 * (1 + ct_irand(100)), G = 16 << ct_irand(4), K = G * (1 + ct_irand(10));
        tw w;
        tw_make(&w, DS_K_AWQ4, N, K, G);
        float *wt = malloc(sizeof(float) * K * N);
        uint16_t *g = malloc(2 * (size_t)K * N);
        ds_k_awq_dequant(wt, &w.ha, N, K);
        uint16_t *dwt = dout(2 * (size_t)K * N);
        CT(ds_cuda_awq_dequant_bf16(dwt, &w.dw, N, K, 0, err_));
        d2h(g, dwt, 2 * (size_t)K * N);
        int bad = 0;
        for (size_t i = 0; i < (size_t)K * N; i++)
            bad += g[i] != ds_k_f32_to_bf16(wt[i]);
        DS_CHECKF(bad == 0 && guards_ok(dwt, 2 * (size_t)K * N), "awq dequant N=%d K=%d G=%d: %d differ", N, K, G, bad);
        free(wt), free(g);
        tw_free(&w);
    }
}

/* Grouped GEMV and the fused gate/up, bf16 and int4, against per-group references. */
static void test_gemv(void)
{
    for (int rep = 0; rep < 40; rep++) {
        cuda_test_reset();
        const ds_k_dtype dt = rep % 2 ? DS_K_AWQ4 : DS_K_BF16;
        const int E = 1 + ct_irand(12), G = 16 << ct_irand(3);
        const int N = 8 * (1 + ct_irand(60)), K = dt == DS_K_AWQ4 ? G * (1 + ct_irand(12)) : 8 * (1 + ct_irand(300));
        const int xb = ct_irand(2), acc = ct_irand(2), gateup = ct_irand(2), hb = ct_irand(2);
        int32_t off[13];
        off[0] = 0;
        for (int e = 0; e < E; e++) {
            static const int rows[] = {0, 1, 1, 2, 3, 4, 5, 9};
            off[e + 1] = off[e] + rows[ct_irand(8)];
        }
        const int R = off[E] > 0 ? off[E] : 1;
        tw wg[12], wu[12];
        ds_cuda_wdesc tg[12], tu[12];
        for (int e = 0; e < E; e++) {
            tw_make(&wg[e], dt, N, K, G);
            tw_make(&wu[e], dt, N, K, G);
            tg[e] = wg[e].dw.d;
            tu[e] = wu[e].dw.d;
        }
        float *x = malloc(sizeof(float) * R * K);
        uint16_t *xh = malloc(2 * (size_t)R * K);
        for (size_t i = 0; i < (size_t)R * K; i++) {
            xh[i] = ds_k_f32_to_bf16(ct_frand());
            x[i] = xb ? ds_k_bf16_to_f32(xh[i]) : ct_frand();
        }
        float *ref = malloc(sizeof(float) * R * N), *ref2 = malloc(sizeof(float) * R * N),
              *y = malloc(sizeof(float) * R * N);
        uint16_t *yb = malloc(2 * (size_t)R * N);
        fill(ref, (size_t)R * N, 1.0f);
        const size_t ybytes = (size_t)R * N * (gateup && hb ? 2 : 4);
        void *dy = dout(ybytes);
        h2d(dy, ref, gateup ? 0 : sizeof(float) * R * N);
        for (int e = 0; e < E; e++) {
            const int r0 = off[e], nr = off[e + 1] - off[e];
            if (!nr)
                continue;
            if (gateup) {
                ds_k_matmul_ref(ref + (size_t)r0 * N, x + (size_t)r0 * K, wg[e].hw, nr, N, K, 0);
                ds_k_matmul_ref(ref2 + (size_t)r0 * N, x + (size_t)r0 * K, wu[e].hw, nr, N, K, 0);
            } else {
                ds_k_matmul_ref(ref + (size_t)r0 * N, x + (size_t)r0 * K, wg[e].hw, nr, N, K, acc);
            }
        }
        if (gateup)
            ds_k_silu_mul_ref(ref, ref, ref2, (size_t)off[E] * N);
        const void *dx = xb ? dcopy(xh, 2 * (size_t)R * K) : dcopy(x, sizeof(float) * R * K);
        const int32_t *doff = dcopy(off, sizeof(int32_t) * (E + 1));
        /* every other round: only the groups with rows, through an active list (padded with -1) */
        int32_t act[13], na = 0;
        for (int e = 0; e < E; e++)
            if (off[e + 1] > off[e])
                act[na++] = e;
        const int use_act = rep % 4 >= 2;
        act[na] = -1;
        const int32_t *dact = use_act ? dcopy(act, sizeof(int32_t) * (na + 1)) : NULL;
        const int n_launch = na + 1;
        if (gateup)
            CT(ds_cuda_grouped_gateup(dy, hb, dx, xb, dcopy(tg, sizeof(tg[0]) * E), dcopy(tu, sizeof(tu[0]) * E), dt, G,
                                      doff, dact, n_launch, E, N, K, 0, err_));
        else
            CT(ds_cuda_grouped_gemv(dy, dx, xb, dcopy(tg, sizeof(tg[0]) * E), dt, G, doff, dact, n_launch, E, N, K, acc,
                                    0, err_));
        if (gateup && hb) {
            d2h(yb, dy, 2 * (size_t)R * N);
            widen_bf16(y, yb, (size_t)R * N);
        } else {
            d2h(y, dy, sizeof(float) * R * N);
        }
        const size_t n = (size_t)off[E] * N;
        const double e = nerr(y, ref, n), bound = gateup && hb ? 4e-3 : 2e-6 * sqrt((double)K + 1) + 1e-6;
        DS_CHECKF(n == 0 || e < bound, "grouped %s %s E=%d rows=%d N=%d K=%d xbf16=%d acc=%d out_bf16=%d: %.3g",
                  gateup ? "gate/up" : "gemv", dt == DS_K_AWQ4 ? "awq" : "bf16", E, off[E], N, K, xb, acc, hb, e);
        DS_CHECK(guards_ok(dy, ybytes));
        for (int e2 = 0; e2 < E; e2++) {
            tw_free(&wg[e2]);
            tw_free(&wu[e2]);
        }
        free(x), free(xh), free(ref), free(ref2), free(y), free(yb);
    }
}

/* ---- sampling ------------------------------------------------------------------------------------ */

static void test_sample(void)
{
    static const int Vs[] = {1, 7, 1000, 32000, 151936};
    for (size_t vi = 0; vi < sizeof Vs / sizeof *Vs; vi++) {
        cuda_test_reset();
        const int V = Vs[vi], R = 4;
        float *lg = malloc(sizeof(float) * R * V);
        for (int i = 0; i < R * V; i++) /* few distinct values in row 0: ties */
            lg[i] = i < V ? (float)ct_irand(5) : ct_frand() * 6.0f;
        float *dl = dcopy(lg, sizeof(float) * R * V);
        int32_t *dt = dout(4 * R), got[4];
        CT(ds_cuda_argmax(dt, dl, R, V, 0, err_));
        d2h(got, dt, 4 * R);
        for (int r = 0; r < R; r++)
            DS_CHECKF(got[r] == ds_k_sample_ref(lg + (size_t)r * V, V, 0.0f, 1.0f, 0, 0), "argmax V=%d row %d", V, r);
        DS_CHECK(guards_ok(dt, 4 * R));
        /* sampling: many (seed, counter) draws against the twin */
        const int draws = V > 100000 ? 24 : 200;
        int same = 0, outside = 0, total = 0;
        for (int d = 0; d < draws; d++) {
            const float temp = d % 3 == 0 ? 0.7f : 1.2f, top_p = d % 2 ? 0.9f : 1.0f;
            const uint64_t seed = ct_rnd(), ctr = ct_rnd();
            CT(ds_cuda_sample(dt, dl, R, V, temp, top_p, seed, ctr, NULL, 0, err_));
            d2h(got, dt, 4 * R);
            for (int r = 0; r < R; r++) {
                const float *l = lg + (size_t)r * V;
                const int want = ds_k_sample_ref(l, V, temp, top_p, seed, ctr + (uint64_t)r);
                same += got[r] == want;
                total++;
                /* the device's token must be in the nucleus (mass above it below top_p + 1e-4) */
                double mx = -INFINITY, z = 0, above = 0;
                for (int i = 0; i < V; i++)
                    mx = fmax(mx, l[i] / temp);
                for (int i = 0; i < V; i++)
                    z += exp(l[i] / temp - mx);
                const float sg = l[got[r]] / temp;
                for (int i = 0; i < V; i++)
                    if (l[i] / temp > sg)
                        above += exp(l[i] / temp - mx);
                outside += !(above / z < top_p + 1e-4);
            }
        }
        printf("sample V=%d: %d of %d draws equal to the CPU twin, %d outside the nucleus\n", V, same, total, outside);
        DS_CHECKF(same >= 0.97 * total && outside == 0, "sample V=%d: %d of %d equal, %d outside", V, same, total,
                  outside);
        /* the same draw from a device counter */
        uint64_t c = 12345;
        int32_t a[4], b[4];
        CT(ds_cuda_sample(dt, dl, R, V, 1.0f, 0.95f, 9, c, NULL, 0, err_));
        d2h(a, dt, 16);
        CT(ds_cuda_sample(dt, dl, R, V, 1.0f, 0.95f, 9, 0, dcopy(&c, 8), 0, err_));
        d2h(b, dt, 16);
        DS_CHECK(memcmp(a, b, 16) == 0);
        /* mask */
        uint32_t *allow = calloc((size_t)(V + 31) / 32, 4);
        for (int i = 0; i < V; i += 1 + ct_irand(9))
            allow[i >> 5] |= 1u << (i & 31);
        float *dm = dout(sizeof(float) * R * V), *gm = malloc(sizeof(float) * R * V);
        h2d(dm, lg, sizeof(float) * R * V);
        CT(ds_cuda_mask_logits(dm, dcopy(allow, 4 * (size_t)((V + 31) / 32)), R, V, 0, err_));
        d2h(gm, dm, sizeof(float) * R * V);
        for (int r = 0; r < R; r++)
            ds_k_mask_logits(lg + (size_t)r * V, allow, V);
        DS_CHECKF(memcmp(gm, lg, sizeof(float) * R * V) == 0 && guards_ok(dm, sizeof(float) * R * V), "mask V=%d", V);
        free(allow), free(gm), free(lg);
    }
}

/* ---- element-wise ------------------------------------------------------------------------------ */

static void test_elementwise(void)
{
    for (int rep = 0; rep < 10; rep++) {
        cuda_test_reset();
        const size_t n = 1 + (size_t)ct_irand(100000);
        float *g = malloc(n * 4), *u = malloc(n * 4), *ref = malloc(n * 4), *y = malloc(n * 4);
        uint16_t *yb = malloc(n * 2);
        fill(g, n, 8.0f);
        fill(u, n, 2.0f);
        ds_k_silu_mul_ref(ref, g, u, n);
        float *dg = dcopy(g, n * 4), *du = dcopy(u, n * 4);
        for (int b = 0; b < 2; b++) {
            void *dy = dout(n * (b ? 2 : 4));
            CT(ds_cuda_silu_mul(dy, b, dg, du, n, 0, err_));
            if (b) {
                d2h(yb, dy, n * 2);
                widen_bf16(y, yb, n);
            } else {
                d2h(y, dy, n * 4);
            }
            DS_CHECKF(nerr(y, ref, n) < (b ? 4e-3 : 1e-6), "silu_mul bf16=%d: %.3g", b, nerr(y, ref, n));
            DS_CHECK(guards_ok(dy, n * (b ? 2 : 4)));
        }
        /* add, to_bf16 */
        float *dy = dout(n * 4);
        h2d(dy, u, n * 4);
        CT(ds_cuda_add(dy, dg, n, 0, err_));
        d2h(y, dy, n * 4);
        int bad = 0;
        for (size_t i = 0; i < n; i++)
            bad += y[i] != u[i] + g[i];
        uint16_t *db = dout(n * 2);
        CT(ds_cuda_to_bf16(db, dg, n, 0, err_));
        d2h(yb, db, n * 2);
        for (size_t i = 0; i < n; i++)
            bad += yb[i] != ds_k_f32_to_bf16(g[i]);
        DS_CHECKF(bad == 0 && guards_ok(dy, n * 4) && guards_ok(db, n * 2), "add / to_bf16: %d differ", bad);
        free(g), free(u), free(ref), free(y), free(yb);
    }
    /* embed, every table dtype */
    for (int dt = DS_K_F32; dt <= DS_K_BF16; dt++) {
        cuda_test_reset();
        const int V = 1000, D = 77, T = 33;
        tw w;
        tw_make(&w, (ds_k_dtype)dt, V, D, 0);
        int32_t ids[33];
        for (int t = 0; t < T; t++)
            ids[t] = ct_irand(V);
        float *y = malloc(sizeof(float) * T * D), *dy = dout(sizeof(float) * T * D);
        CT(ds_cuda_embed(dy, w.dw.d.data, (ds_k_dtype)dt, dcopy(ids, sizeof ids), T, D, 0, err_));
        d2h(y, dy, sizeof(float) * T * D);
        int bad = 0;
        for (int t = 0; t < T; t++)
            for (int d = 0; d < D; d++) {
                const size_t i = (size_t)ids[t] * D + d;
                const float want = dt == DS_K_F32   ? ((float *)w.host[0])[i]
                                   : dt == DS_K_F16 ? ds_k_f16_to_f32(((uint16_t *)w.host[0])[i])
                                                    : ds_k_bf16_to_f32(((uint16_t *)w.host[0])[i]);
                bad += y[t * D + d] != want;
            }
        DS_CHECKF(bad == 0 && guards_ok(dy, sizeof(float) * T * D), "embed dtype %d: %d differ", dt, bad);
        free(y);
        tw_free(&w);
    }
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        void (*fn)(void);
    } ops[] = {{"rmsnorm", test_rmsnorm},
               {"rope", test_rope},
               {"kv_write", test_kv_write},
               {"attention", test_attention},
               {"moe", test_moe},
               {"matmul", test_matmul},
               {"gemm_bf16", test_gemm_bf16},
               {"awq_dequant", test_awq_dequant},
               {"gemv", test_gemv},
               {"sample", test_sample},
               {"elementwise", test_elementwise}};
    if (argc != 2) {
        fprintf(stderr, "usage: test_cuda_ops OP\n");
        return 2;
    }
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
        if (strcmp(argv[1], ops[i].name) == 0) {
            cuda_test_init((size_t)2 << 30);
            ops[i].fn();
            ds_cuda_arena_destroy(&ct_arena);
            return ds_test_done();
        }
    fprintf(stderr, "test_cuda_ops: unknown op %s\n", argv[1]);
    return 2;
}
