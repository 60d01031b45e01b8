/* clock.h - the one monotonic clock and the one splitmix64 generator of product code.
 * ds_now_s: seconds on CLOCK_MONOTONIC (for durations only, never a date).
 * ds_splitmix64: the next value of a splitmix64 sequence whose state the caller owns (seeding
 * other generators, reproducible random fills). Both reentrant; no global state. */
#ifndef DS_CORE_CLOCK_H
#define DS_CORE_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline double ds_now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static inline uint64_t ds_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

#endif
