/* awq_test.c - the CPU int4 AWQ matmul (kernels/cpu/awq*.c) against the dequantise-then-
 * multiply reference, for every instruction set this CPU has and 1 and 2 threads, over a grid
 * of shapes and group sizes (groups crossing the k-blocks of the kernel), with guard words
 * around outputs; results bit-identical for 1 and 2 threads; and the AutoAWQ packing order
 * (pack/unpack round trip, and the word layout spelled out as AutoAWQ writes it). Every product
 * runs on the AutoAWQ layout and, where the shape has one, on the repacked decode layout
 * (ds_k_awq_repack; 1 to 4 tokens take the repacked path on AVX2 / AVX-512), including
 * activations spread over nine decades.
 * Bound: normalised error below 2e-6 * sqrt(K + 1) + 1e-6, as for the other matmuls: the
 * dequantised values are exact in fp32, only the fp32 summation differs from the double one
 * (the VNNI decode kernel rounds x to 24-bit fixed point per group instead; its error stays
 * within the same bound, about 1% of it).
 * Seed: DS_TEST_SEED, else the clock (printed).
 */
#include "kernels/kernels.h"
#include "tests/kernels/kernel_testlib.h"

#include <math.h>
#include <stdint.h>
#include <time.h>

static ds_kctx *ctxs[DS_K_ISA_LAST + 1][3];
static int x_spread;      /* 1: activations of magnitudes 1e-6 .. 1e3 */
static long n_checked[2]; /* products checked: AutoAWQ layout, repacked layout */

/* A random AWQ weight of N outputs and K inputs, group G: buffers owned by the caller. */
typedef struct awq_w {
    int32_t *qw, *qz;
    uint16_t *sc;
    ds_k_awq a;
    ds_k_weight w; /* points at a: use through a pointer that stays put */
} awq_w;

static awq_w make_awq(int N, int K, int G)
{
    awq_w a;
    uint8_t *q = malloc((size_t)K * N), *z = malloc((size_t)(K / G) * N);
    for (size_t i = 0; i < (size_t)K * N; i++)
        q[i] = (uint8_t)irand(16);
    for (size_t i = 0; i < (size_t)(K / G) * N; i++)
        z[i] = (uint8_t)irand(16);
    a.qw = malloc((size_t)K * N / 2 + 4);
    a.qz = malloc((size_t)(K / G) * N / 2 + 4);
    a.sc = malloc((size_t)(K / G) * N * 2 + 4);
    ds_k_awq_pack(a.qw, q, K, N);
    ds_k_awq_pack(a.qz, z, K / G, N);
    for (size_t i = 0; i < (size_t)(K / G) * N; i++)
        a.sc[i] = ds_k_f32_to_f16((0.01f + 0.05f * (frand() + 1.0f)) * (irand(8) ? 1.0f : -1.0f));
    a.a = (ds_k_awq){a.qw, a.qz, a.sc, G, NULL};
    free(q);
    free(z);
    return a;
}
static void bind_awq(awq_w *a)
{
    a->w = (ds_k_weight){&a->a, DS_K_AWQ4};
}

static void free_awq(awq_w *a)
{
    free(a->qw);
    free(a->qz);
    free(a->sc);
}

static void test_packing(void)
{
    /* AutoAWQ writes column order_map[i] of each group of 8 at bits 4i. */
    static const int order_map[8] = {0, 2, 4, 6, 1, 3, 5, 7};
    for (int rep = 0; rep < 20; rep++) {
        int R = 1 + irand(9), C = 8 * (1 + irand(12));
        uint8_t *q = malloc((size_t)R * C), *back = malloc((size_t)R * C);
        int32_t *pk = malloc((size_t)R * C / 2);
        for (int i = 0; i < R * C; i++)
            q[i] = (uint8_t)irand(16);
        ds_k_awq_pack(pk, q, R, C);
        int ok = 1;
        for (int r = 0; r < R; r++)
            for (int w = 0; w < C / 8; w++) {
                uint32_t want = 0;
                for (int i = 0; i < 8; i++)
                    want |= (uint32_t)q[r * C + 8 * w + order_map[i]] << (4 * i);
                ok &= (uint32_t)pk[r * (C / 8) + w] == want;
            }
        DS_CHECKF(ok, "awq pack R=%d C=%d: word layout differs from AutoAWQ's", R, C);
        ds_k_awq_unpack(back, pk, R, C);
        DS_CHECKF(memcmp(q, back, (size_t)R * C) == 0, "awq unpack(pack) R=%d C=%d", R, C);
        free(q);
        free(back);
        free(pk);
    }
    /* a hand-made word: columns 0..7 hold 1..8 */
    uint8_t q[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    int32_t w;
    ds_k_awq_pack(&w, q, 1, 8);
    DS_CHECKF((uint32_t)w == 0x86427531u, "awq pack of 1..8 gives %08x", (unsigned)w);
}

static void check(int T, int N, int K, int G, int acc)
{
    awq_w a = make_awq(N, K, G);
    bind_awq(&a);
    float *x = malloc(((size_t)T * K + 1) * 4), *y0 = malloc(((size_t)T * N + 1) * 4);
    float *ref = malloc(((size_t)T * N + 1) * 4), *ref2 = malloc(((size_t)T * N + 1) * 4);
    for (size_t i = 0; i < (size_t)T * K; i++)
        x[i] = x_spread ? frand() * powf(10.0f, (float)irand(10) - 6.0f) : frand();
    for (size_t i = 0; i < (size_t)T * N; i++)
        y0[i] = frand();
    memcpy(ref, y0, (size_t)T * N * 4);
    ds_k_matmul_ref(ref, x, a.w, T, N, K, acc);
    /* dequantise, transpose to a (N, K) fp32 weight, multiply: the same numbers exactly */
    float *wt = malloc((size_t)K * N * 4), *wn = malloc((size_t)K * N * 4);
    ds_k_awq_dequant(wt, &a.a, N, K);
    for (int k = 0; k < K; k++)
        for (int n = 0; n < N; n++)
            wn[(size_t)n * K + k] = wt[(size_t)k * N + n];
    memcpy(ref2, y0, (size_t)T * N * 4);
    ds_k_matmul_ref(ref2, x, (ds_k_weight){wn, DS_K_F32}, T, N, K, acc);
    DS_CHECKF(memcmp(ref, ref2, (size_t)T * N * 4) == 0,
              "awq reference T=%d N=%d K=%d G=%d differs from dequantise-then-multiply", T, N, K, G);
    /* then the same weight in the decode layout (when the shape has one) */
    const size_t rsize = ds_k_awq_repack_size(N, K, G);
    void *rp = rsize ? aligned_alloc(64, (rsize + 63) / 64 * 64) : NULL;
    if (rp)
        ds_k_awq_repack(rp, &a.a, N, K);
    for (int layout = 0; layout < (rp ? 2 : 1); layout++)
        for (int isa = DS_K_ISA_SCALAR; isa <= DS_K_ISA_LAST; isa++) {
            a.a.repacked = layout ? rp : NULL;
            float *first = NULL;
            for (int th = 1; th <= 2; th++) {
                if (!ctxs[isa][th])
                    continue;
                float *y = out_alloc((size_t)T * N);
                memcpy(y, y0, (size_t)T * N * 4);
                ds_k_matmul(ctxs[isa][th], y, x, a.w, T, N, K, acc);
                double e = nerr(y, ref, (size_t)T * N);
                DS_CHECKF(e < 2e-6 * sqrt((double)K + 1) + 1e-6,
                          "awq matmul %s%s th=%d T=%d N=%d K=%d G=%d acc=%d: error %.3g", ds_k_isa_name(isa),
                          layout ? " repacked" : "", th, T, N, K, G, acc, e);
                n_checked[layout]++;
                DS_CHECKF(guards_ok(y, (size_t)T * N), "awq matmul %s T=%d N=%d K=%d: guard overwritten",
                          ds_k_isa_name(isa), T, N, K);
                if (!first) {
                    first = y;
                } else {
                    DS_CHECKF(memcmp(first, y, (size_t)T * N * 4) == 0,
                              "awq matmul %s T=%d N=%d K=%d: 1 and 2 threads differ", ds_k_isa_name(isa), T, N, K);
                    out_free(y);
                }
            }
            out_free(first);
        }
    a.a.repacked = NULL;
    free(rp);
    free(wt);
    free(wn);
    free(x);
    free(y0);
    free(ref);
    free(ref2);
    free_awq(&a);
}

static void test_matmul(void)
{
    static const int Ts[] = {1, 2, 3, 4, 5, 7, 13, 30, 64};
    static const int Ns[] = {8, 16, 24, 40, 64, 72, 136, 520, 32, 96, 256, 160};
    static const int Gs[] = {16, 32, 48, 64, 96, 128};
    for (size_t ti = 0; ti < sizeof Ts / sizeof *Ts; ti++)
        for (int rep = 0; rep < 4; rep++) {
            int G = Gs[irand(6)], K = G * (1 + irand(8));
            check(Ts[ti], Ns[irand(12)], K, G, irand(2));
        }
    /* shapes of the real models (hidden 2048 -> moe_intermediate 768 and back), G = 128; one
     * token and a few (decode, repacked layout) */
    check(3, 768, 2048, 128, 0);
    check(9, 2048, 768, 128, 1);
    check(1, 768, 2048, 128, 1);
    check(1, 2048, 768, 128, 0);
    check(4, 1024, 512, 128, 0);
    /* activations from 1e-6 to 1e3 within a group (the repacked path scales row s by 16^-s) */
    x_spread = 1;
    for (int rep = 0; rep < 4; rep++)
        check(1 + rep, 64, 256, 128, rep & 1);
    x_spread = 0;
    /* grouped dispatch mixing AWQ and bf16 jobs */
    awq_w a = make_awq(64, 256, 64);
    bind_awq(&a);
    uint16_t *bw = malloc(48 * 256 * 2);
    for (int i = 0; i < 48 * 256; i++)
        bw[i] = ds_k_f32_to_bf16(frand());
    float x[5 * 256], r1[5 * 64], r2[5 * 48];
    for (int i = 0; i < 5 * 256; i++)
        x[i] = frand();
    ds_k_matmul_ref(r1, x, a.w, 5, 64, 256, 0);
    ds_k_matmul_ref(r2, x, (ds_k_weight){bw, DS_K_BF16}, 5, 48, 256, 0);
    for (int isa = DS_K_ISA_SCALAR; isa <= DS_K_ISA_LAST; isa++) {
        if (!ctxs[isa][2])
            continue;
        float *y1 = out_alloc(5 * 64), *y2 = out_alloc(5 * 48);
        ds_k_matmul_job jobs[2] = {{y1, x, a.w, 5, 64, 256, 0}, {y2, x, (ds_k_weight){bw, DS_K_BF16}, 5, 48, 256, 0}};
        ds_k_matmul_grouped(ctxs[isa][2], jobs, 2);
        DS_CHECKF(nerr(y1, r1, 5 * 64) < 1e-4 && nerr(y2, r2, 5 * 48) < 1e-4 && guards_ok(y1, 5 * 64) &&
                      guards_ok(y2, 5 * 48),
                  "grouped awq + bf16 %s", ds_k_isa_name(isa));
        out_free(y1);
        out_free(y2);
    }
    free(bw);
    free_awq(&a);
}

int main(void)
{
    kt_seed();
    ds_k_isa best = ds_k_isa_best();
    for (int isa = DS_K_ISA_SCALAR; isa <= (int)best; isa++)
        for (int th = 1; th <= 2; th++) {
            ds_err err;
            DS_REQUIRE(ds_kctx_create(&ctxs[isa][th], th, (ds_k_isa)isa, &err) == DS_OK);
        }
    test_packing();
    test_matmul();
    printf("awq products checked: %ld on the AutoAWQ layout, %ld on the repacked one\n", n_checked[0], n_checked[1]);
    DS_CHECKF(n_checked[1] > 0, "no product ran on the repacked layout");
    for (int isa = 0; isa <= DS_K_ISA_LAST; isa++)
        for (int th = 0; th < 3; th++)
            ds_kctx_free(ctxs[isa][th]);
    return ds_test_done();
}
