/* ops_test.c - every optimized CPU kernel against its reference twin (kernels.h), on fresh
 * random inputs over a grid of shapes, for each instruction set this CPU has and for 1 and 2
 * threads: normalised error ||y - ref|| / ||ref|| under a per-op bound, guard words around
 * every output untouched, and bit-identical results for 1 and 2 threads.
 * Seed: DS_TEST_SEED, else the clock (printed, so a failure can be replayed).
 */
#include "kernels/kernels.h"
#include "tests/kernels/kernel_testlib.h"

#include <math.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

static void fill(float *p, size_t n, float scale)
{
    for (size_t i = 0; i < n; i++)
        p[i] = frand() * scale;
}

/* Weight of N*K elements in dtype from fp32 values (which are first rounded to the dtype so the
 * reference sees the same numbers). */
static void *make_weight(ds_k_dtype dt, size_t n)
{
    void *w = malloc(n * 4 + 64);
    for (size_t i = 0; i < n; i++) {
        float v = frand();
        if (dt == DS_K_BF16)
            ((uint16_t *)w)[i] = ds_k_f32_to_bf16(v);
        else if (dt == DS_K_F16)
            ((uint16_t *)w)[i] = ds_k_f32_to_f16(v);
        else
            ((float *)w)[i] = v;
    }
    return w;
}

static ds_kctx *ctxs[DS_K_ISA_LAST + 1][3]; /* [isa][threads] */

/* ---- matmul ------------------------------------------------------------------------------ */

static void check_matmul(int T, int N, int K, ds_k_dtype dt, int acc)
{
    float *x = malloc(((size_t)T * K + 1) * 4);
    fill(x, (size_t)T * K, 1.0f);
    void *w = make_weight(dt, (size_t)N * K);
    ds_k_weight W = {w, dt};
    float *y0 = malloc(((size_t)T * N + 1) * 4);
    fill(y0, (size_t)T * N, 1.0f);
    float *ref = malloc(((size_t)T * N + 1) * 4);
    memcpy(ref, y0, (size_t)T * N * 4);
    ds_k_matmul_ref(ref, x, W, T, N, K, acc);
    for (int isa = DS_K_ISA_SCALAR; isa <= DS_K_ISA_LAST; isa++) {
        float *first = NULL;
        for (int th = 1; th <= 2; th++) {
            if (!ctxs[isa][th])
                continue;
            float *y = out_alloc((size_t)T * N);
            memcpy(y, y0, (size_t)T * N * 4);
            ds_k_matmul(ctxs[isa][th], y, x, W, T, N, K, acc);
            double e = nerr(y, ref, (size_t)T * N);
            DS_CHECKF(e < 2e-6 * sqrt((double)K + 1) + 1e-6, "matmul %s th=%d T=%d N=%d K=%d dt=%d acc=%d: error %.3g",
                      ds_k_isa_name(isa), th, T, N, K, dt, acc, e);
            DS_CHECKF(guards_ok(y, (size_t)T * N), "matmul %s T=%d N=%d K=%d: guard overwritten", ds_k_isa_name(isa), T,
                      N, K);
            if (!first) {
                first = y;
            } else {
                DS_CHECKF(memcmp(first, y, (size_t)T * N * 4) == 0, "matmul %s T=%d N=%d K=%d: 1 and 2 threads differ",
                          ds_k_isa_name(isa), T, N, K);
                out_free(y);
            }
        }
        out_free(first);
    }
    free(x);
    free(w);
    free(y0);
    free(ref);
}

static void test_matmul(void)
{
    static const int Ts[] = {1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 25, 64, 100};
    static const int Ns[] = {1, 3, 15, 16, 17, 31, 32, 33, 48, 100, 129};
    static const int Ks[] = {1, 5, 16, 17, 31, 64, 100, 255, 256, 257, 600};
    for (size_t ti = 0; ti < sizeof Ts / sizeof *Ts; ti++)
        for (int dt = DS_K_F32; dt <= DS_K_BF16; dt++)
            for (int rep = 0; rep < 3; rep++)
                check_matmul(Ts[ti], Ns[irand(11)], Ks[irand(11)], (ds_k_dtype)dt, irand(2));
    /* shapes of the real models: k-blocking, many panels */
    check_matmul(37, 300, 1030, DS_K_BF16, 0);
    check_matmul(1, 1000, 1024, DS_K_BF16, 0);
    check_matmul(3, 77, 2048, DS_K_F16, 1);

    /* grouped: several experts of different sizes in one dispatch */
    enum { J = 7 };
    ds_k_matmul_job jobs[J];
    float *refs[J];
    for (int i = 0; i < J; i++) {
        int T = 1 + irand(40), N = 1 + irand(90), K = 1 + irand(300);
        ds_k_dtype dt = (ds_k_dtype)irand(3);
        float *x = malloc(((size_t)T * K + 1) * 4);
        fill(x, (size_t)T * K, 1.0f);
        jobs[i] = (ds_k_matmul_job){out_alloc((size_t)T * N), x, {make_weight(dt, (size_t)N * K), dt}, T, N, K, 0};
        refs[i] = malloc(((size_t)T * N + 1) * 4);
        ds_k_matmul_ref(refs[i], x, jobs[i].w, T, N, K, 0);
    }
    for (int isa = DS_K_ISA_SCALAR; isa <= DS_K_ISA_LAST; isa++) {
        if (!ctxs[isa][2])
            continue;
        ds_k_matmul_grouped(ctxs[isa][2], jobs, J);
        for (int i = 0; i < J; i++) {
            size_t n = (size_t)jobs[i].T * jobs[i].N;
            double e = nerr(jobs[i].y, refs[i], n);
            DS_CHECKF(e < 1e-4, "grouped %s job %d: error %.3g", ds_k_isa_name(isa), i, e);
            DS_CHECK(guards_ok(jobs[i].y, n));
        }
    }
    for (int i = 0; i < J; i++) {
        out_free(jobs[i].y);
        free((void *)jobs[i].x);
        free((void *)jobs[i].w.data);
        free(refs[i]);
    }
}

/* ---- row ops ----------------------------------------------------------------------------- */

typedef void (*row_fast)(ds_kctx *c, float *y, const float *x, const float *w, int R, int D, float p);

static void test_rowops(void)
{
    static const int Ds[] = {1, 2, 15, 16, 17, 32, 64, 100, 128, 1024, 3000};
    for (size_t di = 0; di < sizeof Ds / sizeof *Ds; di++) {
        int D = Ds[di], R = 1 + irand(40);
        size_t n = (size_t)R * D;
        float *x = malloc(n * 4 + 4), *w = malloc((size_t)D * 4 + 4), *u = malloc(n * 4 + 4);
        float *ref = malloc(n * 4 + 4);
        fill(x, n, 3.0f);
        fill(w, (size_t)D, 2.0f);
        fill(u, n, 1.0f);
        for (int isa = DS_K_ISA_SCALAR; isa <= DS_K_ISA_LAST; isa++)
            for (int th = 1; th <= 2; th++) {
                ds_kctx *c = ctxs[isa][th];
                if (!c)
                    continue;
                float *y = out_alloc(n);
                /* rmsnorm */
                ds_k_rmsnorm_ref(ref, x, w, R, D, 1e-6f);
                ds_k_rmsnorm(c, y, x, w, R, D, 1e-6f);
                DS_CHECKF(nerr(y, ref, n) < 1e-6, "rmsnorm %s D=%d: %.3g", ds_k_isa_name(isa), D, nerr(y, ref, n));
                /* softmax, with a scale */
                ds_k_softmax_ref(ref, x, R, D, 0.7f);
                ds_k_softmax(c, y, x, R, D, 0.7f);
                DS_CHECKF(nerr(y, ref, n) < 2e-6, "softmax %s N=%d: %.3g", ds_k_isa_name(isa), D, nerr(y, ref, n));
                /* silu * mul over the whole buffer */
                ds_k_silu_mul_ref(ref, x, u, n);
                ds_k_silu_mul(c, y, x, u, n);
                DS_CHECKF(nerr(y, ref, n) < 2e-6, "silu_mul %s n=%zu: %.3g", ds_k_isa_name(isa), n, nerr(y, ref, n));
                /* add */
                memcpy(y, u, n * 4);
                ds_k_add(c, y, x, n);
                for (size_t i = 0; i < n; i++)
                    ref[i] = u[i] + x[i];
                DS_CHECK(memcmp(y, ref, n * 4) == 0);
                DS_CHECKF(guards_ok(y, n), "row ops %s D=%d: guard overwritten", ds_k_isa_name(isa), D);
                out_free(y);
            }
        free(x);
        free(w);
        free(u);
        free(ref);
    }
    /* silu and softmax at extreme inputs: exp underflow/overflow handled, no NaN */
    float big[32], one[32], y[32], ref[32];
    for (int i = 0; i < 32; i++) {
        big[i] = (i % 2 ? -1 : 1) * (float)(i * 7);
        one[i] = 1.0f;
    }
    big[3] = -INFINITY;
    for (int isa = DS_K_ISA_SCALAR; isa <= DS_K_ISA_LAST; isa++) {
        if (!ctxs[isa][1])
            continue;
        ds_k_softmax(ctxs[isa][1], y, big, 1, 32, 1.0f);
        ds_k_softmax_ref(ref, big, 1, 32, 1.0f);
        DS_CHECKF(nerr(y, ref, 32) < 1e-6, "softmax extremes %s", ds_k_isa_name(isa));
        DS_CHECK(y[3] == 0.0f);
        big[3] = -100.0f;
        ds_k_silu_mul(ctxs[isa][1], y, big, one, 32);
        ds_k_silu_mul_ref(ref, big, one, 32);
        DS_CHECKF(nerr(y, ref, 32) < 1e-6, "silu extremes %s", ds_k_isa_name(isa));
        big[3] = -INFINITY;
    }
}

static void test_rope(void)
{
    static const int Ds[] = {2, 4, 16, 32, 34, 64, 128, 256};
    for (size_t di = 0; di < sizeof Ds / sizeof *Ds; di++) {
        int D = Ds[di], T = 1 + irand(20), H = 1 + irand(8);
        size_t n = (size_t)T * H * D, nc = (size_t)T * D / 2;
        float *x = malloc(n * 4), *cs = malloc(nc * 4), *sn = malloc(nc * 4), *ref = malloc(n * 4);
        fill(x, n, 2.0f);
        for (size_t i = 0; i < nc; i++) {
            double a = frand() * 100.0;
            cs[i] = (float)(cos(a) * 1.1);
            sn[i] = (float)(sin(a) * 1.1);
        }
        memcpy(ref, x, n * 4);
        ds_k_rope_ref(ref, cs, sn, T, H, D);
        for (int isa = DS_K_ISA_SCALAR; isa <= DS_K_ISA_LAST; isa++)
            for (int th = 1; th <= 2; th++) {
                if (!ctxs[isa][th])
                    continue;
                float *y = out_alloc(n);
                memcpy(y, x, n * 4);
                ds_k_rope(ctxs[isa][th], y, cs, sn, T, H, D);
                DS_CHECKF(nerr(y, ref, n) < 1e-6, "rope %s D=%d: %.3g", ds_k_isa_name(isa), D, nerr(y, ref, n));
                DS_CHECK(guards_ok(y, n));
                out_free(y);
            }
        free(x);
        free(cs);
        free(sn);
        free(ref);
    }
}

static void test_topk_embed(void)
{
    for (int rep = 0; rep < 50; rep++) {
        int R = 1 + irand(5), N = 1 + irand(150), k = 1 + irand(N < 10 ? N : 10);
        float *x = malloc((size_t)R * N * 4);
        for (int i = 0; i < R * N; i++) /* few distinct values: many ties */
            x[i] = rep % 2 ? (float)irand(5) : frand();
        int32_t *i1 = malloc((size_t)R * k * 4), *i2 = malloc((size_t)R * k * 4);
        float *v1 = malloc((size_t)R * k * 4), *v2 = malloc((size_t)R * k * 4);
        ds_k_topk(i1, v1, x, R, N, k);
        ds_k_topk_ref(i2, v2, x, R, N, k);
        DS_CHECKF(memcmp(i1, i2, (size_t)R * k * 4) == 0 && memcmp(v1, v2, (size_t)R * k * 4) == 0,
                  "topk R=%d N=%d k=%d differs from the reference", R, N, k);
        free(x);
        free(i1);
        free(i2);
        free(v1);
        free(v2);
    }
    /* embed: rows of a bf16 table, exactly widened */
    int V = 50, D = 37, T = 9;
    void *tab = make_weight(DS_K_BF16, (size_t)V * D);
    int32_t ids[9];
    for (int t = 0; t < T; t++)
        ids[t] = irand(V);
    for (int isa = DS_K_ISA_SCALAR; isa <= DS_K_ISA_LAST; isa++) {
        if (!ctxs[isa][2])
            continue;
        float *y = out_alloc((size_t)T * D);
        ds_k_embed(ctxs[isa][2], y, (ds_k_weight){tab, DS_K_BF16}, ids, T, D);
        int ok = 1;
        for (int t = 0; t < T; t++)
            for (int d = 0; d < D; d++)
                ok &= y[t * D + d] == ds_k_bf16_to_f32(((uint16_t *)tab)[ids[t] * D + d]);
        DS_CHECKF(ok && guards_ok(y, (size_t)T * D), "embed %s", ds_k_isa_name(isa));
        out_free(y);
    }
    free(tab);
}

/* ---- attention ----------------------------------------------------------------------------- */

static void check_attention(int PT, int D, int Hq, int Hkv, int pos0, int T)
{
    int total = pos0 + T, n_pages = (total + PT - 1) / PT;
    float **kp = malloc(sizeof(float *) * n_pages), **vp = malloc(sizeof(float *) * n_pages);
    for (int p = 0; p < n_pages; p++) {
        kp[p] = malloc((size_t)Hkv * PT * D * 4);
        vp[p] = malloc((size_t)Hkv * PT * D * 4);
        fill(kp[p], (size_t)Hkv * PT * D, 1.0f);
        fill(vp[p], (size_t)Hkv * PT * D, 1.0f);
    }
    /* positions past the last one hold no data yet: poison them */
    for (int j = total; j < n_pages * PT; j++)
        for (int h = 0; h < Hkv; h++)
            for (int d = 0; d < D; d++) {
                kp[n_pages - 1][((size_t)h * D + d) * PT + j % PT] = NAN;
                vp[n_pages - 1][((size_t)h * PT + j % PT) * D + d] = NAN;
            }
    ds_k_kv_pages kv = {(const float *const *)kp, (const float *const *)vp, PT, n_pages};
    size_t n = (size_t)T * Hq * D;
    float *q = malloc(n * 4), *ref = malloc(n * 4);
    fill(q, n, 1.5f);
    float scale = 1.0f / sqrtf((float)D);
    ds_k_attention_ref(ref, q, &kv, pos0, T, Hq, Hkv, D, scale);
    for (int isa = DS_K_ISA_SCALAR; isa <= DS_K_ISA_LAST; isa++) {
        float *first = NULL;
        for (int th = 1; th <= 2; th++) {
            if (!ctxs[isa][th])
                continue;
            float *y = out_alloc(n);
            ds_k_attention(ctxs[isa][th], y, q, &kv, pos0, T, Hq, Hkv, D, scale);
            double e = nerr(y, ref, n);
            DS_CHECKF(e < 2e-6, "attention %s th=%d PT=%d D=%d H=%d/%d pos0=%d T=%d: %.3g", ds_k_isa_name(isa), th, PT,
                      D, Hq, Hkv, pos0, T, e);
            DS_CHECK(guards_ok(y, n));
            if (!first) {
                first = y;
                continue;
            }
            DS_CHECKF(memcmp(first, y, n * 4) == 0, "attention %s: threads differ", ds_k_isa_name(isa));
            /* The same queries in two calls (a segment boundary at a random token) give the
             * same bits as one call. */
            if (T > 1) {
                int a = 1 + irand(T - 1);
                ds_k_attention(ctxs[isa][th], y, q, &kv, pos0, a, Hq, Hkv, D, scale);
                ds_k_attention(ctxs[isa][th], y + (size_t)a * Hq * D, q + (size_t)a * Hq * D, &kv, pos0 + a, T - a, Hq,
                               Hkv, D, scale);
                DS_CHECKF(memcmp(first, y, n * 4) == 0, "attention %s PT=%d D=%d: split at %d differs from one call",
                          ds_k_isa_name(isa), PT, D, a);
            }
            out_free(y);
        }
        out_free(first);
    }
    for (int p = 0; p < n_pages; p++) {
        free(kp[p]);
        free(vp[p]);
    }
    free(kp);
    free(vp);
    free(q);
    free(ref);
}

static void test_attention(void)
{
    static const int PTs[] = {16, 32, 48, 64, 128};
    static const int Ds[] = {16, 32, 40, 64, 80, 128};
    static const int Hs[][2] = {{1, 1}, {4, 2}, {8, 2}, {16, 4}, {6, 3}};
    static const int P0[] = {0, 1, 5, 63, 64, 130};
    static const int Tn[] = {1, 2, 3, 17, 40, 70};
    for (int rep = 0; rep < 40; rep++) {
        const int *h = Hs[irand(5)];
        check_attention(PTs[irand(5)], Ds[irand(6)], h[0], h[1], P0[irand(6)], Tn[irand(6)]);
    }
    check_attention(64, 128, 32, 4, 300, 33); /* Qwen3-30B-A3B head layout */
    check_attention(16, 64, 16, 4, 0, 128);   /* more rows than a task holds */
}

/* The pool: every task of every dispatch runs exactly once, whatever the timing of workers. */
typedef struct pool_arg {
    int *hits;
    int gen;
} pool_arg;
static void pool_task(void *a, int task, int thread)
{
    pool_arg *p = a;
    (void)thread;
    __atomic_fetch_add(&p->hits[task], 1 + p->gen * 1000, __ATOMIC_RELAXED);
}
static void test_pool(void)
{
    static int hits[5000];
    int bad = 0;
    for (int th = 1; th <= 2; th++) {
        ds_kctx *c = ctxs[DS_K_ISA_SCALAR][th];
        for (int gen = 0; gen < 3000; gen++) {
            int n = 1 + irand(gen % 10 == 0 ? 5000 : 8);
            memset(hits, 0, sizeof(int) * n);
            pool_arg a = {hits, gen % 7};
            ds_kctx_parallel(c, pool_task, &a, n);
            for (int i = 0; i < n; i++)
                bad += hits[i] != 1 + a.gen * 1000;
            if (gen % 500 == 0)
                usleep(2000); /* let workers fall asleep */
        }
    }
    DS_CHECKF(bad == 0, "pool: %d tasks run other than exactly once", bad);
}

static void test_convert(void)
{
    DS_CHECK(ds_k_bf16_to_f32(0x3f80) == 1.0f);
    DS_CHECK(ds_k_f32_to_bf16(1.0f) == 0x3f80);
    DS_CHECK(ds_k_f32_to_bf16(1.00390625f) == 0x3f80); /* tie rounds to even */
    DS_CHECK(ds_k_f32_to_bf16(1.01171875f) == 0x3f82);
    DS_CHECK(ds_k_f16_to_f32(0x3c00) == 1.0f);
    DS_CHECK(ds_k_f16_to_f32(0x0001) == ldexpf(1.0f, -24));
    DS_CHECK(ds_k_f16_to_f32(0x7bff) == 65504.0f);
    DS_CHECK(ds_k_f32_to_f16(65504.0f) == 0x7bff);
    DS_CHECK(ds_k_f32_to_f16(65520.0f) == 0x7c00);
    DS_CHECK(ds_k_f32_to_f16(ldexpf(1.0f, -24)) == 0x0001);
    DS_CHECK(ds_k_f32_to_f16(-2.0f) == 0xc000);
    for (int i = 0; i < 0x7c00; i++) /* every finite f16 survives the round trip */
        if (ds_k_f32_to_f16(ds_k_f16_to_f32((uint16_t)i)) != i) {
            DS_CHECKF(0, "f16 round trip of 0x%04x", i);
            break;
        }
}

int main(void)
{
    kt_seed();
    ds_k_isa best = ds_k_isa_best();
    printf("cpu: best instruction set %s\n", ds_k_isa_name(best));
    for (int isa = DS_K_ISA_SCALAR; isa <= (int)best; isa++)
        for (int th = 1; th <= 2; th++) {
            ds_err err;
            DS_REQUIRE(ds_kctx_create(&ctxs[isa][th], th, (ds_k_isa)isa, &err) == DS_OK);
        }
    if (best < DS_K_ISA_LAST) { /* a level above the CPU's best is refused */
        ds_err err;
        ds_kctx *c = NULL;
        DS_CHECK(ds_kctx_create(&c, 1, DS_K_ISA_LAST, &err) == DS_ERR_UNSUPPORTED);
    }
    test_pool();
    test_convert();
    test_matmul();
    test_rowops();
    test_rope();
    test_topk_embed();
    test_attention();
    for (int isa = 0; isa <= DS_K_ISA_LAST; isa++)
        for (int th = 0; th < 3; th++)
            ds_kctx_free(ctxs[isa][th]);
    return ds_test_done();
}
