/* philox.h - Philox4x32-10 (Salmon, Moraes, Dror, Shaw: "Parallel random numbers: as easy as
 * 1, 2, 3", SC 2011), one inline definition shared by the CPU twins (kernels/cpu/twins.c) and
 * the CUDA sampling kernel, so both draw the same numbers. Pure; reentrant.
 */
#ifndef DS_KERNELS_PHILOX_H
#define DS_KERNELS_PHILOX_H

#include <stdint.h>

#ifdef __CUDACC__
#define DS_PHILOX_FN static inline __host__ __device__
#else
#define DS_PHILOX_FN static inline
#endif

DS_PHILOX_FN void ds_philox4x32_10(uint32_t out[4], const uint32_t ctr[4], const uint32_t key[2])
{
    uint32_t c0 = ctr[0], c1 = ctr[1], c2 = ctr[2], c3 = ctr[3];
    uint32_t k0 = key[0], k1 = key[1];
    for (int r = 0; r < 10; r++) {
        const uint64_t p0 = (uint64_t)0xD2511F53u * c0, p1 = (uint64_t)0xCD9E8D57u * c2;
        const uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
        const uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
        c0 = hi1 ^ c1 ^ k0;
        c1 = lo1;
        c2 = hi0 ^ c3 ^ k1;
        c3 = lo0;
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    out[0] = c0;
    out[1] = c1;
    out[2] = c2;
    out[3] = c3;
}

/* The uniform of the sampling contract (kernels.h, ds_k_sample_ref): in (0, 1), never 0 or 1. */
DS_PHILOX_FN double ds_philox_uniform(uint64_t seed, uint64_t counter, uint32_t index)
{
    const uint32_t ctr[4] = {index, (uint32_t)counter, (uint32_t)(counter >> 32), 0};
    const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    uint32_t out[4];
    ds_philox4x32_10(out, ctr, key);
    return ((double)out[0] + 0.5) * (1.0 / 4294967296.0);
}

#endif
