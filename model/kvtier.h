/* kvtier.h - residency tiers behind the paged KV cache (stage-internal: kvcache.c and tests).
 *
 * A page lives in one tier: L1 hot (host memory, least-recently-used order), L2 warm (a second
 * memory pool, standing for host memory behind a GPU's L1; evicts the page with the lowest
 * time-decayed use score), or L3 (disk: a hot and a cold file under a folder, pages written and
 * read whole at offset id * page_bytes; a page leaving L2 with a decayed score of at least 1 goes
 * to the hot file, others to the cold one). Each tier has a capacity in pages (0: L1 unlimited
 * and no tiering; L2 absent; L3 unlimited when a folder is given). Pinned pages are always in L1
 * and never move; when everything in L1 is pinned, L1 runs over its capacity until unpins let it
 * shrink back. Moving a page copies its bytes exactly.
 * Owns: the L3 files (removed at free) and the tier bookkeeping; page memory is the slots'.
 * Threading: one thread at a time (the cache's).
 */
#ifndef DS_MODEL_KVTIER_H
#define DS_MODEL_KVTIER_H

#include "model/kvcache.h"

typedef struct kv_slot {
    float *mem; /* resident bytes (L1, L2), or NULL (L3, or a free page without memory) */
    int refs, pins;
    int tier;           /* DS_KV_TIER_*, or -1 for a free page */
    int l3_file;        /* 0 hot, 1 cold (tier L3) */
    int32_t prev, next; /* L1 LRU links (-1 ends), most recent at the head */
    double score;       /* L2 decay score at time `last` */
    uint64_t last;      /* logical time of the last pin */
} kv_slot;

typedef struct kv_tiers {
    int on;                      /* tiering in use (L1 capacity > 0) */
    long cap[DS_KV_TIER_COUNT_]; /* pages; 0 as described above */
    long count[DS_KV_TIER_COUNT_];
    int32_t head, tail; /* L1 LRU */
    uint64_t clock;
    double half_life; /* L2 decay half-life in pins */
    int fd[2];        /* L3 hot, cold; -1 when no folder */
    char *path[2];
    size_t page_bytes;
    uint64_t hits[DS_KV_TIER_COUNT_], misses[DS_KV_TIER_COUNT_];
    uint64_t moves_down, moves_up;
} kv_tiers;

ds_status ds_kvt_init(kv_tiers *t, const ds_kv_cache_opts *o, size_t page_bytes, ds_err *err);
void ds_kvt_deinit(kv_tiers *t);
/* A page (slot id, refs already 1) entering L1 with memory (allocated here when mem is NULL).
 * n_slots: entries of the slot table (the L2 victim scan covers them). */
ds_status ds_kvt_admit(kv_tiers *t, kv_slot *slots, int32_t n_slots, int32_t id, ds_err *err);
/* The page's memory in L1, pinned; fetched from L2 or L3 when needed. Counts the hit. */
ds_status ds_kvt_pin(kv_tiers *t, kv_slot *slots, int32_t n_slots, int32_t id, float **mem, ds_err *err);
/* Drops a pin; at zero pins L1 shrinks back toward its capacity. */
void ds_kvt_unpin(kv_tiers *t, kv_slot *slots, int32_t n_slots, int32_t id);
/* A page whose last reference went: leaves its tier (memory kept on the slot when resident). */
void ds_kvt_release(kv_tiers *t, kv_slot *slots, int32_t id);

#endif
