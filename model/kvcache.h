/* kvcache.h - the paged KV cache of the model stage (stage-internal: model/ and tests only).
 *
 * Unit: a page of page_tokens consecutive positions of one sequence, holding the keys and
 * values of every layer: per layer l, K stored transposed per kv head (Hkv, D, page_tokens),
 * then V (Hkv, page_tokens, D); fp32. A page is named by a ds_kv_page_id and reference-counted:
 * a sequence holds one reference per page of its page table; a prefix cache may hold more, so
 * that full pages of a shared instruction prompt are reused by many sequences. A page with more
 * than one reference is never written: a sequence that must append into a shared, partly filled
 * page gets a private copy first (copy-on-write, ds_kv_seq_reserve).
 *
 * Residency: ds_kv_pin makes a page's memory addressable and keeps it in place until
 * ds_kv_unpin; only unpinned pages may move. Without tier capacities every page stays in host
 * memory (one tier, "L1") and a pin is a lookup. With them (kvtier.h: L1 hot LRU, L2 warm
 * time-decay, L3 disk hot/cold files, each with a token capacity) pin fetches from a lower tier
 * when needed and counts a hit or miss per tier; moving a page never changes its bytes, so
 * results do not depend on tiering. ds_kv_stats reports the counters. Memory grows page by page
 * with the context.
 * Owns: every page and the page table. Threading: one thread at a time per cache (the model's
 * forward pass); page memory handed out by ds_kv_pin may be read by the kernel pool while
 * pinned.
 */
#ifndef DS_MODEL_KVCACHE_H
#define DS_MODEL_KVCACHE_H

#include "pipeline/core/status.h"

#include <stddef.h>
#include <stdint.h>

typedef int32_t ds_kv_page_id;
typedef struct ds_kv_cache ds_kv_cache;

typedef enum ds_kv_tier { DS_KV_TIER_L1, DS_KV_TIER_L2, DS_KV_TIER_L3, DS_KV_TIER_COUNT_ } ds_kv_tier;

typedef struct ds_kv_cache_opts {
    int layers, kv_heads, head_dim;
    int page_tokens;                     /* a multiple of 16 */
    long max_pages;                      /* 0: grow without limit */
    long tier_tokens[DS_KV_TIER_COUNT_]; /* capacities in tokens (rounded up to pages):
                                            L1 0 = unlimited, no tiering; L2 0 = no L2;
                                            L3 is used when disk_dir is set (0 = unlimited) */
    const char *disk_dir;                /* folder for the L3 files (copied path; files removed at free) */
} ds_kv_cache_opts;

typedef struct ds_kv_stats {
    uint64_t pins;
    uint64_t hits[DS_KV_TIER_COUNT_];   /* pins served by each tier */
    uint64_t misses[DS_KV_TIER_COUNT_]; /* pins that had to look below each tier */
    long pages_in_use;                  /* referenced pages */
    long pages_allocated;               /* including free ones kept for reuse */
    long peak_pages_in_use;
    size_t page_bytes;
    long tier_pages[DS_KV_TIER_COUNT_]; /* referenced pages now in each tier */
    uint64_t moves_down, moves_up;      /* page moves between tiers */
} ds_kv_stats;

ds_status ds_kv_cache_create(ds_kv_cache **out, const ds_kv_cache_opts *o, ds_err *err);
/* Frees every page; every sequence using the cache must be released first. NULL: no-op. */
void ds_kv_cache_free(ds_kv_cache *c);
const ds_kv_cache_opts *ds_kv_cache_opts_of(const ds_kv_cache *c);
void ds_kv_cache_stats(const ds_kv_cache *c, ds_kv_stats *st);

/* A fresh page with one reference; its contents are undefined. DS_ERR_NOMEM when max_pages is
 * reached or memory runs out. */
ds_status ds_kv_page_alloc(ds_kv_cache *c, ds_kv_page_id *id, ds_err *err);
void ds_kv_page_ref(ds_kv_cache *c, ds_kv_page_id id);
/* Drops a reference; the page returns to the free list at zero. */
void ds_kv_page_unref(ds_kv_cache *c, ds_kv_page_id id);
int ds_kv_page_refs(const ds_kv_cache *c, ds_kv_page_id id);

/* The page's memory, resident until ds_kv_unpin (pins nest). */
ds_status ds_kv_pin(ds_kv_cache *c, ds_kv_page_id id, float **page, ds_err *err);
void ds_kv_unpin(ds_kv_cache *c, ds_kv_page_id id);

/* Offsets (in floats) inside a page of layer l's keys (Hkv, D, page_tokens) and values
 * (Hkv, page_tokens, D). */
size_t ds_kv_page_floats(const ds_kv_cache *c);
size_t ds_kv_k_offset(const ds_kv_cache *c, int layer);
size_t ds_kv_v_offset(const ds_kv_cache *c, int layer);

/* A sequence's page table: page i holds positions [i * page_tokens, (i + 1) * page_tokens). */
typedef struct ds_kv_seq {
    ds_kv_page_id *pages; /* owned (ds_malloc) */
    int n_pages, cap;
    int n_tokens; /* positions filled */
} ds_kv_seq;

/* Makes positions [n_tokens, n_total) writable: allocates the pages they need and replaces a
 * shared page that will be written by a private copy. Does not change n_tokens (the caller sets
 * it once the positions are written). */
ds_status ds_kv_seq_reserve(ds_kv_cache *c, ds_kv_seq *s, int n_total, ds_err *err);
/* Keeps positions [0, n); pages wholly past n are released. */
void ds_kv_seq_truncate(ds_kv_cache *c, ds_kv_seq *s, int n);
/* Releases every page and the table. */
void ds_kv_seq_release(ds_kv_cache *c, ds_kv_seq *s);

#endif
