/* cuda_testlib.h - helpers of the CUDA tests (tests/cuda): a device arena per test, device
 * buffers with guard bytes on both sides, copies, the random stream and the normalised error.
 * Every test first calls cuda_test_init(), which skips (exit 77) when no device is usable.
 * Header-only (static functions); single-threaded tests.
 */
#ifndef DS_TESTS_CUDA_TESTLIB_H
#define DS_TESTS_CUDA_TESTLIB_H

#include "kernels/cuda/kernels_cuda.h"
#include "kernels/kernels.h"
#include "pipeline/core/clock.h"
#include "tests/testlib.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DS_CT_FN static __attribute__((unused)) /* not every test uses every helper */
#define CT_GUARD 256                            /* bytes on each side of a device output */
#define CT_GUARD_BYTE 0xA5

static ds_cuda_arena ct_arena;
static uint64_t ct_rng;

DS_CT_FN uint64_t ct_rnd(void)
{
    return ds_splitmix64(&ct_rng);
}
DS_CT_FN float ct_frand(void)
{
    return (float)((ct_rnd() >> 11) * (1.0 / 9007199254740992.0)) * 2.0f - 1.0f;
}
DS_CT_FN int ct_irand(int n)
{
    return (int)(ct_rnd() % (uint64_t)n);
}

DS_CT_FN void ct_fail_err(const char *what, const ds_err *err)
{
    fprintf(stderr, "%s: %s\n", what, err->msg);
    DS_REQUIRE(0);
}

/* CT(call): the call's last argument is err_; the test stops with its message on failure. */
#define CT(expr_with_err)                        \
    do {                                         \
        ds_err ct_e_;                            \
        ds_err *err_ = &ct_e_;                   \
        (void)err_;                              \
        if ((expr_with_err) != DS_OK)            \
            ct_fail_err(#expr_with_err, &ct_e_); \
    } while (0)

/* Skips the test when there is no device; else sets up a 2 GB arena (or less if the device is
 * small) and the seed (DS_TEST_SEED or the clock, printed). */
DS_CT_FN void cuda_test_init(size_t arena_bytes)
{
    char why[256];
    const int n = ds_cuda_device_probe(why, sizeof why);
    if (n <= 0) {
        /* Skipped only where no NVIDIA driver is installed; on a GPU machine a CUDA error
         * (driver too old, device busy or lost) is a failure with its message. */
        if (access("/proc/driver/nvidia/version", F_OK) != 0 && access("/dev/nvidia0", F_OK) != 0)
            ds_test_skip("no CUDA device (the CUDA tests run on a GPU machine)");
        fprintf(stderr, "CUDA device error on a machine with an NVIDIA driver: %s\n", why);
        exit(1);
    }
    const char *s = getenv("DS_TEST_SEED");
    ct_rng = s ? strtoull(s, NULL, 0) : (uint64_t)time(NULL);
    printf("seed %llu (DS_TEST_SEED to replay)\n", (unsigned long long)ct_rng);
    ds_err err;
    if (ds_cuda_set_device(0, &err) != DS_OK || ds_cuda_kernels_init(&err) != DS_OK ||
        ds_cuda_arena_create(&ct_arena, arena_bytes, &err) != DS_OK)
        ct_fail_err("cuda setup", &err);
}

DS_CT_FN void cuda_test_reset(void)
{
    ct_arena.used = 0;
}

/* Device memory of n bytes (from the arena; the test fails when it is full). */
DS_CT_FN void *dalloc(size_t n)
{
    void *p = ds_cuda_arena_alloc(&ct_arena, n ? n : 1);
    DS_REQUIRE(p);
    return p;
}

DS_CT_FN void h2d(void *d, const void *h, size_t n)
{
    ds_err err;
    if (ds_cuda_copy_h2d(d, h, n, 0, &err) != DS_OK || ds_cuda_stream_sync(0, &err) != DS_OK)
        ct_fail_err("copy to device", &err);
}

DS_CT_FN void d2h(void *h, const void *d, size_t n)
{
    ds_err err;
    if (ds_cuda_stream_sync(0, &err) != DS_OK || ds_cuda_copy_d2h(h, d, n, 0, &err) != DS_OK ||
        ds_cuda_stream_sync(0, &err) != DS_OK)
        ct_fail_err("copy from device", &err);
}

/* A device copy of host data. */
DS_CT_FN void *dcopy(const void *h, size_t n)
{
    void *d = dalloc(n);
    h2d(d, h, n);
    return d;
}

/* An output of n bytes with CT_GUARD guard bytes on both sides, all set to CT_GUARD_BYTE. */
DS_CT_FN void *dout(size_t n)
{
    char *p = dalloc(n + 2 * CT_GUARD);
    ds_err err;
    if (ds_cuda_memset(p, CT_GUARD_BYTE, n + 2 * CT_GUARD, 0, &err) != DS_OK)
        ct_fail_err("memset", &err);
    return p + CT_GUARD;
}

DS_CT_FN int guards_ok(const void *d, size_t n)
{
    unsigned char g[2][CT_GUARD];
    d2h(g[0], (const char *)d - CT_GUARD, CT_GUARD);
    d2h(g[1], (const char *)d + n, CT_GUARD);
    for (int s = 0; s < 2; s++)
        for (int i = 0; i < CT_GUARD; i++)
            if (g[s][i] != CT_GUARD_BYTE)
                return 0;
    return 1;
}

DS_CT_FN double nerr(const float *y, const float *ref, size_t n)
{
    double num = 0, den = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(y[i]))
            return INFINITY;
        num += ((double)y[i] - ref[i]) * ((double)y[i] - ref[i]);
        den += (double)ref[i] * ref[i];
    }
    return den > 0 ? sqrt(num / den) : sqrt(num);
}

DS_CT_FN void fill(float *p, size_t n, float scale)
{
    for (size_t i = 0; i < n; i++)
        p[i] = ct_frand() * scale;
}

/* bf16 rounding of a float (the value the device sees). */
DS_CT_FN float rbf16(float f)
{
    return ds_k_bf16_to_f32(ds_k_f32_to_bf16(f));
}

DS_CT_FN void widen_bf16(float *out, const uint16_t *in, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = ds_k_bf16_to_f32(in[i]);
}

#endif
