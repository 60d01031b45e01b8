/* prefix_cache.h - reuse of the KV pages of shared token prefixes (the instruction prompt every
 * document starts with), across sequences and, persisted with a model fingerprint, across runs.
 *
 * A prompt is cut into blocks of the KV page size (64 tokens by default); block i is keyed by a
 * chained hash h_i = H(h_{i-1}, tokens of block i) with h_{-1} the model fingerprint (a hash of
 * config.json, the safetensors headers and the KV page shape), so a key names the whole prefix
 * up to and including its block (the fingerprint also covers the first 256 bytes of every
 * tensor, so re-trained weights in the same layout do not match). A cached block is a full KV page shared by reference
 * (copy-on-write: pages are never written once full). Lookups compare the block's tokens and its
 * parent key, not only the hash.
 *
 * Ownership: the cache belongs to the model (freed by ds_model_free); pages it holds count
 * towards the KV cache's pages. Threading: as the model (one call at a time per model).
 */
#ifndef DS_MODEL_PREFIX_CACHE_H
#define DS_MODEL_PREFIX_CACHE_H

#include "model/model.h"

/* Turns the prefix cache on for m, holding at most max_pages pages (0: 4096; the least recently
 * used full chains are dropped beyond). dir non-NULL: the cache file
 * dir/prefix-cache.kvp is read now when its fingerprint matches this model (a mismatch or a
 * damaged file is ignored: the cache starts empty), and ds_model_prefix_cache_save writes it.
 * DS_ERR_UNSUPPORTED on the CUDA backend (its KV cache lives on the device). */
ds_status ds_model_prefix_cache_enable(ds_model *m, const char *dir, long max_pages, ds_err *err);

/* Like ds_model_forward on an empty sequence, reusing cached pages for the prompt's leading full
 * blocks (at least one token is always computed, so the last token's logits exist), then caching
 * the prompt's full blocks that were computed. *n_reused (may be NULL) receives the tokens taken
 * from the cache. want LAST or NONE (ALL: DS_ERR_USAGE, the reused rows have no logits). Without
 * an enabled cache it is ds_model_forward. */
ds_status ds_model_prefill_cached(ds_model *m, ds_model_seq *seq, const int32_t *tokens, int n, ds_model_logits want,
                                  float *logits, int *n_reused, ds_err *err);

/* The two halves of ds_model_prefill_cached, for callers that compute the rest of the prompt
 * themselves (the scheduler, in chunks): attach puts the cached pages of the prompt's leading
 * full blocks (all but its last token at most) into the empty sequence seq and sets *n_reused;
 * register, once seq holds tokens[0..n), caches the full blocks among them. Both do nothing
 * without an enabled cache. */
ds_status ds_model_prefix_attach(ds_model *m, ds_model_seq *seq, const int32_t *tokens, int n, int *n_reused,
                                 ds_err *err);
ds_status ds_model_prefix_register(ds_model *m, ds_model_seq *seq, const int32_t *tokens, int n, ds_err *err);

/* Writes the cache file (atomically: a temporary file renamed). No-op without a folder. */
ds_status ds_model_prefix_cache_save(ds_model *m, ds_err *err);

typedef struct ds_prefix_cache_stats {
    uint64_t lookups, hits; /* blocks looked up, found */
    long pages;             /* pages held */
    long loaded;            /* pages read from the cache file at enable */
    uint64_t fingerprint;
} ds_prefix_cache_stats;
void ds_model_prefix_cache_stats(const ds_model *m, ds_prefix_cache_stats *st);

#endif
