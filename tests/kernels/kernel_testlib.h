/* kernel_testlib.h - what the kernel tests share: a seeded random source (DS_TEST_SEED, else
 * the clock, printed so a failure can be replayed), output buffers with guard words on both
 * sides, and the normalised error ||y - ref|| / ||ref||. Header-only; each test program has its
 * own generator state. */
#ifndef DS_TESTS_KERNEL_TESTLIB_H
#define DS_TESTS_KERNEL_TESTLIB_H

#include "pipeline/core/clock.h"
#include "tests/testlib.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define GUARD 32
static const uint32_t GUARD_BITS = 0x7fc0dead; /* a NaN pattern no kernel writes */

static uint64_t rng_state;

/* Seeds the generator and prints the seed. */
static inline void kt_seed(void)
{
    const char *s = getenv("DS_TEST_SEED");
    rng_state = s ? strtoull(s, NULL, 0) : (uint64_t)time(NULL);
    printf("seed %llu (DS_TEST_SEED to replay)\n", (unsigned long long)rng_state);
}

/* splitmix64 */
static inline uint64_t rnd(void)
{
    return ds_splitmix64(&rng_state);
}
static inline float frand(void)
{
    return (float)((rnd() >> 11) * (1.0 / 9007199254740992.0)) * 2.0f - 1.0f;
}
static inline int irand(int n)
{
    return (int)(rnd() % (uint64_t)n);
}

/* An output buffer of n floats with guard words on both sides; free with out_free. */
/* Not inlined: inlined, it lets GCC invent impossible sizes for the callers' memcpy (-Wstringop-overflow). */
__attribute__((noinline, unused)) static float *out_alloc(size_t n)
{
    float *p = malloc((n + 2 * GUARD) * sizeof(float));
    DS_REQUIRE(p);
    for (size_t i = 0; i < n + 2 * GUARD; i++)
        memcpy(&p[i], &GUARD_BITS, 4);
    return p + GUARD;
}
static inline int guards_ok(const float *p, size_t n)
{
    for (size_t i = 0; i < GUARD; i++)
        if (memcmp(&p[-(long)GUARD + (long)i], &GUARD_BITS, 4) != 0 || memcmp(&p[n + i], &GUARD_BITS, 4) != 0)
            return 0;
    return 1;
}
static inline void out_free(float *p)
{
    if (p)
        free(p - GUARD);
}

/* ||y - ref|| / ||ref|| (absolute when ref is zero); infinity when y holds a NaN. */
static inline double nerr(const float *y, const float *ref, size_t n)
{
    double num = 0, den = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(y[i]))
            return INFINITY;
        num += ((double)y[i] - ref[i]) * ((double)y[i] - ref[i]);
        den += (double)ref[i] * ref[i];
    }
    return den > 0 ? sqrt(num / den) : sqrt(num);
}

#endif
