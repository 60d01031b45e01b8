/* tokenizer_bpe.c - the BPE merge loop and the word cache of the tokenizer.
 *
 * A pre-token's bytes start as one symbol per byte; the adjacent pair with the lowest merge rank
 * (the leftmost among equals) is merged until no pair merges, which is the order Hugging Face's
 * heap-based merge_all applies. Short words use a scan over a rank array, long ones a heap.
 * Results are kept in the caller's ds_tokenizer_cache, keyed by the word's bytes.
 * Owns: the cache's tables (ds_tokenizer_cache_create / ds_tokenizer_cache_free).
 * Threading: a cache belongs to one thread at a time; the tokenizer is only read.
 */
#include "model/tokenizer/tokenizer_internal.h"

#include "pipeline/core/alloc.h"

#define WC_MAX_KEY 255         /* longer words are not cached */
#define WC_MAX_USED (1u << 20) /* entries before the cache empties itself */
#define WC_MAX_POOL ((size_t)1 << 28)
#define SCAN_MAX 48 /* words of up to this many symbols use the simple scan */

/* ---- cache lifetime ----------------------------------------------------------------------------- */

void ds_tok_cache_init(ds_tokenizer_cache *c)
{
    memset(c, 0, sizeof *c);
    ds_buf_init(&c->clean);
    ds_buf_init(&c->norm);
    for (int i = 0; i < DS_TOK_MAX_STEPS; i++)
        ds_buf_init(&c->prefixed[i]);
}

void ds_tok_cache_deinit(ds_tokenizer_cache *c)
{
    ds_free(c->slots);
    ds_free(c->keys);
    ds_free(c->ids);
    ds_buf_deinit(&c->clean);
    ds_buf_deinit(&c->norm);
    for (int i = 0; i < DS_TOK_MAX_STEPS; i++)
        ds_buf_deinit(&c->prefixed[i]);
    ds_free(c->sym);
    ds_free(c->prev);
    ds_free(c->next);
    ds_free(c->heap);
    memset(c, 0, sizeof *c);
}

void ds_tok_cache_reset(ds_tokenizer_cache *c, uint64_t fingerprint)
{
    if (c->slots)
        memset(c->slots, 0, (c->mask + 1) * sizeof *c->slots);
    c->used = 0;
    c->keys_len = 0;
    c->ids_len = 0;
    c->fingerprint = fingerprint;
}

ds_status ds_tokenizer_cache_create(ds_tokenizer_cache **out, ds_err *err)
{
    *out = NULL;
    ds_tokenizer_cache *c = ds_malloc(sizeof *c);
    if (!c)
        return ds_err_set(err, DS_ERR_NOMEM, "tokenizer cache: out of memory");
    ds_tok_cache_init(c);
    *out = c;
    return DS_OK;
}

void ds_tokenizer_cache_free(ds_tokenizer_cache *c)
{
    if (!c)
        return;
    ds_tok_cache_deinit(c);
    ds_free(c);
}

/* ---- word cache ------------------------------------------------------------------------------- */

/* A word's hash: the low bits pick the slot, the high half (never 0) is kept in it. */
static inline uint32_t wc_tag(uint64_t h)
{
    return (uint32_t)(h >> 32) | 1;
}

static const ds_tok_word *wc_find(const ds_tokenizer_cache *c, uint64_t h, const uint8_t *w, size_t n)
{
    if (!c->slots)
        return NULL;
    size_t i = (size_t)h & c->mask;
    uint32_t tag = wc_tag(h);
    for (;;) {
        const ds_tok_word *e = &c->slots[i];
        if (e->hash == tag && e->key_len == n && memcmp(c->keys + e->key_off, w, n) == 0)
            return e;
        if (e->hash == 0)
            return NULL;
        i = (i + 1) & c->mask;
    }
}

static ds_status wc_grow(ds_tokenizer_cache *c)
{
    /* Slots keep only the high half of a hash: rehash from the stored keys. */
    size_t cap = c->slots ? (c->mask + 1) * 2 : 512;
    ds_tok_word *ns = ds_calloc(cap, sizeof *ns);
    if (!ns)
        return DS_ERR_NOMEM;
    if (c->slots) {
        for (size_t i = 0; i <= c->mask; i++) {
            if (!c->slots[i].hash)
                continue;
            size_t j = (size_t)ds_tok_hash(c->keys + c->slots[i].key_off, c->slots[i].key_len) & (cap - 1);
            while (ns[j].hash)
                j = (j + 1) & (cap - 1);
            ns[j] = c->slots[i];
        }
        ds_free(c->slots);
    }
    c->slots = ns;
    c->mask = cap - 1;
    return DS_OK;
}

static ds_status grow_pool(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return DS_OK;
    size_t nc = *cap ? *cap : 4096;
    while (nc < need)
        nc *= 2;
    void *np = ds_realloc(*p, nc * elem);
    if (!np)
        return DS_ERR_NOMEM;
    *p = np;
    *cap = nc;
    return DS_OK;
}

/* Remembers w -> ids. A full cache empties itself; failing to remember is not an error. */
static void wc_insert(ds_tokenizer_cache *c, uint64_t h, const uint8_t *w, size_t n, const int32_t *ids, size_t k)
{
    if (c->used >= WC_MAX_USED || c->keys_len + n > WC_MAX_POOL || c->ids_len + k > WC_MAX_POOL)
        ds_tok_cache_reset(c, c->fingerprint);
    if ((!c->slots || (c->used + 1) * 2 > c->mask + 1) && wc_grow(c) != DS_OK)
        return;
    if (grow_pool((void **)&c->keys, &c->keys_cap, c->keys_len + n, 1) != DS_OK ||
        grow_pool((void **)&c->ids, &c->ids_cap, c->ids_len + k, sizeof *c->ids) != DS_OK)
        return;
    size_t i = (size_t)h & c->mask;
    while (c->slots[i].hash)
        i = (i + 1) & c->mask;
    memcpy(c->keys + c->keys_len, w, n);
    memcpy(c->ids + c->ids_len, ids, k * sizeof *ids);
    c->slots[i] = (ds_tok_word){wc_tag(h), (uint32_t)c->keys_len, (uint32_t)c->ids_len, (uint16_t)n, (uint16_t)k};
    c->keys_len += n;
    c->ids_len += k;
    c->used++;
}

/* ---- merging ---------------------------------------------------------------------------------- */

typedef struct heap_ent {
    uint32_t rank;
    int32_t pos;
    int32_t id;
} heap_ent;

static inline bool heap_less(const heap_ent *a, const heap_ent *b)
{
    return a->rank < b->rank || (a->rank == b->rank && a->pos < b->pos);
}

static void heap_push(heap_ent *h, size_t *n, heap_ent e)
{
    size_t i = (*n)++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!heap_less(&e, &h[p]))
            break;
        h[i] = h[p];
        i = p;
    }
    h[i] = e;
}

static heap_ent heap_pop(heap_ent *h, size_t *n)
{
    heap_ent top = h[0], last = h[--(*n)];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1;
        if (l >= *n)
            break;
        size_t m = l + 1 < *n && heap_less(&h[l + 1], &h[l]) ? l + 1 : l;
        if (!heap_less(&h[m], &last))
            break;
        h[i] = h[m];
        i = m;
    }
    if (*n)
        h[i] = last;
    return top;
}

static ds_status scratch_reserve(ds_tokenizer_cache *c, size_t n)
{
    if (n <= c->scratch_cap)
        return DS_OK;
    size_t cap = c->scratch_cap ? c->scratch_cap : 256;
    while (cap < n)
        cap *= 2;
    int32_t *sym = ds_realloc(c->sym, cap * sizeof *sym);
    if (!sym)
        return DS_ERR_NOMEM;
    c->sym = sym;
    int32_t *pv = ds_realloc(c->prev, cap * sizeof *pv);
    if (!pv)
        return DS_ERR_NOMEM;
    c->prev = pv;
    int32_t *nx = ds_realloc(c->next, cap * sizeof *nx);
    if (!nx)
        return DS_ERR_NOMEM;
    c->next = nx;
    c->scratch_cap = cap;
    return DS_OK;
}

/* Initial symbols of w, one per byte, with unknown bytes handled as Hugging Face's merge_word
 * does (the unk token, fused when asked; dropped when there is none). Returns the count. */
static size_t initial_symbols(const ds_tokenizer *tok, const uint8_t *w, size_t n, int32_t *sym)
{
    size_t k = 0;
    bool pending_unk = false;
    for (size_t i = 0; i < n; i++) {
        int32_t id = tok->byte_id[w[i]];
        if (id >= 0) {
            if (pending_unk) {
                sym[k++] = tok->unk_id;
                pending_unk = false;
            }
            sym[k++] = id;
        } else if (tok->unk_id >= 0) {
            if (pending_unk && !tok->fuse_unk)
                sym[k++] = tok->unk_id;
            pending_unk = true;
        }
    }
    if (pending_unk)
        sym[k++] = tok->unk_id;
    return k;
}

/* Merges sym[0..k) in place for short words: returns the new count. */
static size_t merge_scan(const ds_tokenizer *tok, int32_t *sym, size_t k)
{
    uint32_t rank[SCAN_MAX];
    int32_t mid[SCAN_MAX];
    for (size_t i = 0; i + 1 < k; i++) {
        const ds_tok_merge *m = ds_tok_merge_find(tok, sym[i], sym[i + 1]);
        rank[i] = m ? m->rank : UINT32_MAX;
        mid[i] = m ? m->id : -1;
    }
    while (k > 1) {
        uint32_t best = UINT32_MAX;
        size_t bi = 0;
        for (size_t i = 0; i + 1 < k; i++)
            if (rank[i] < best) {
                best = rank[i];
                bi = i;
            }
        if (best == UINT32_MAX)
            break;
        sym[bi] = mid[bi];
        for (size_t i = bi + 1; i + 1 < k; i++) {
            sym[i] = sym[i + 1];
            rank[i] = rank[i + 1];
            mid[i] = mid[i + 1];
        }
        k--;
        if (bi > 0) {
            const ds_tok_merge *m = ds_tok_merge_find(tok, sym[bi - 1], sym[bi]);
            rank[bi - 1] = m ? m->rank : UINT32_MAX;
            mid[bi - 1] = m ? m->id : -1;
        }
        if (bi + 1 < k) {
            const ds_tok_merge *m = ds_tok_merge_find(tok, sym[bi], sym[bi + 1]);
            rank[bi] = m ? m->rank : UINT32_MAX;
            mid[bi] = m ? m->id : -1;
        }
    }
    return k;
}

/* Merges sym[0..k) in place for long words with a heap, as Hugging Face's merge_all. */
static ds_status merge_heap(const ds_tokenizer *tok, ds_tokenizer_cache *c, size_t k, size_t *out_k)
{
    int32_t *sym = c->sym, *prev = c->prev, *next = c->next;
    if (c->heap_cap < k + 4) {
        void *h = ds_realloc(c->heap, (k + 4) * sizeof(heap_ent));
        if (!h)
            return DS_ERR_NOMEM;
        c->heap = h;
        c->heap_cap = k + 4;
    }
    heap_ent *heap = c->heap;
    size_t hn = 0;
    for (size_t i = 0; i < k; i++) {
        prev[i] = (int32_t)i - 1;
        next[i] = i + 1 < k ? (int32_t)i + 1 : -1;
        if (i + 1 < k) {
            const ds_tok_merge *m = ds_tok_merge_find(tok, sym[i], sym[i + 1]);
            if (m)
                heap_push(heap, &hn, (heap_ent){m->rank, (int32_t)i, m->id});
        }
    }
    while (hn) {
        heap_ent top = heap_pop(heap, &hn);
        int32_t p = top.pos;
        if (sym[p] < 0 || next[p] < 0)
            continue;
        int32_t r = next[p];
        const ds_tok_merge *m = ds_tok_merge_find(tok, sym[p], sym[r]);
        if (!m || m->id != top.id)
            continue; /* stale entry */
        sym[p] = top.id;
        sym[r] = -1;
        next[p] = next[r];
        if (next[r] >= 0)
            prev[next[r]] = p;
        if (hn + 2 > c->heap_cap) { /* each merge adds at most two entries */
            void *h = ds_realloc(c->heap, c->heap_cap * 2 * sizeof(heap_ent));
            if (!h)
                return DS_ERR_NOMEM;
            c->heap = heap = h;
            c->heap_cap *= 2;
        }
        if (prev[p] >= 0) {
            const ds_tok_merge *pm = ds_tok_merge_find(tok, sym[prev[p]], sym[p]);
            if (pm)
                heap_push(heap, &hn, (heap_ent){pm->rank, prev[p], pm->id});
        }
        if (next[p] >= 0) {
            const ds_tok_merge *nm = ds_tok_merge_find(tok, sym[p], sym[next[p]]);
            if (nm)
                heap_push(heap, &hn, (heap_ent){nm->rank, p, nm->id});
        }
    }
    size_t o = 0;
    for (size_t i = 0; i < k; i++)
        if (sym[i] >= 0)
            sym[o++] = sym[i];
    *out_k = o;
    return DS_OK;
}

static inline ds_status sink_put(ds_tok_sink *sink, const int32_t *ids, size_t k)
{
    sink->count += k;
    if (!sink->out)
        return DS_OK;
    ds_tokens *t = sink->out;
    if (t->n + k > t->cap && ds_tokens_reserve(t, k) != DS_OK)
        return DS_ERR_NOMEM;
    memcpy(t->v + t->n, ids, k * sizeof *ids);
    t->n += k;
    return DS_OK;
}

ds_status ds_tok_bpe_word(const ds_tokenizer *tok, ds_tokenizer_cache *c, const uint8_t *w, size_t n, bool store,
                          ds_tok_sink *sink)
{
    if (n == 1 && tok->byte_id[w[0]] >= 0)
        return sink_put(sink, &tok->byte_id[w[0]], 1);
    uint64_t h = 0;
    if (n <= WC_MAX_KEY) {
        h = ds_tok_hash(w, n);
        const ds_tok_word *e = wc_find(c, h, w, n);
        if (e)
            return sink_put(sink, c->ids + e->ids_off, e->n_ids);
    }
    if (tok->ignore_merges) {
        int32_t id = ds_tok_vocab_find(tok, w, n);
        if (id >= 0)
            return sink_put(sink, &id, 1);
    }
    int32_t small[SCAN_MAX];
    int32_t *sym = small;
    size_t k;
    if (n <= SCAN_MAX) {
        k = merge_scan(tok, sym, initial_symbols(tok, w, n, sym));
    } else {
        if (scratch_reserve(c, n) != DS_OK)
            return DS_ERR_NOMEM;
        sym = c->sym;
        k = initial_symbols(tok, w, n, sym);
        ds_status st = k <= SCAN_MAX ? (k = merge_scan(tok, sym, k), DS_OK) : merge_heap(tok, c, k, &k);
        if (st != DS_OK)
            return st;
    }
    if (store && n <= WC_MAX_KEY && k <= UINT16_MAX)
        wc_insert(c, h, w, n, sym, k);
    return sink_put(sink, sym, k);
}
