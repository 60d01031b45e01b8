/* kvcache.c - the paged KV cache of kvcache.h: page table, reference counts, copy-on-write;
 * residency is delegated to the tiers of kvtier.c (one unlimited L1 tier unless capacities are
 * given).
 *
 * Pages are allocated one by one as sequences grow and kept on a free list when released, so
 * memory follows the longest context seen. Pins are counted so that only unpinned pages move.
 * Owns: the pages and the page table. Threading: one thread at a time.
 */
#include "model/kvcache.h"

#include "model/kvtier.h"

#include "pipeline/core/alloc.h"

#include <string.h>

struct ds_kv_cache {
    ds_kv_cache_opts o;
    size_t page_floats;
    kv_slot *slots;
    long n_slots, cap_slots;
    ds_kv_page_id *free_ids;
    long n_free;
    long in_use, peak;
    uint64_t pins;
    kv_tiers tiers;
};

ds_status ds_kv_cache_create(ds_kv_cache **out, const ds_kv_cache_opts *o, ds_err *err)
{
    *out = NULL;
    if (o->layers <= 0 || o->kv_heads <= 0 || o->head_dim <= 0 || o->page_tokens <= 0 || o->page_tokens % 16 != 0 ||
        o->page_tokens > 4096)
        return ds_err_set(err, DS_ERR_USAGE,
                          "kv cache: bad shape (layers %d, kv heads %d, head_dim %d, page %d; the "
                          "page size must be a multiple of 16)",
                          o->layers, o->kv_heads, o->head_dim, o->page_tokens);
    ds_kv_cache *c = ds_calloc(1, sizeof *c);
    if (!c)
        return ds_err_set(err, DS_ERR_NOMEM, "kv cache: out of memory");
    c->o = *o;
    c->o.disk_dir = NULL;
    c->page_floats = (size_t)o->layers * 2 * o->kv_heads * o->head_dim * o->page_tokens;
    ds_status st = ds_kvt_init(&c->tiers, o, c->page_floats * sizeof(float), err);
    if (st != DS_OK) {
        ds_free(c);
        return st;
    }
    *out = c;
    return DS_OK;
}

void ds_kv_cache_free(ds_kv_cache *c)
{
    if (!c)
        return;
    for (long i = 0; i < c->n_slots; i++)
        ds_free(c->slots[i].mem);
    ds_free(c->slots);
    ds_free(c->free_ids);
    ds_kvt_deinit(&c->tiers);
    ds_free(c);
}

const ds_kv_cache_opts *ds_kv_cache_opts_of(const ds_kv_cache *c)
{
    return &c->o;
}

void ds_kv_cache_stats(const ds_kv_cache *c, ds_kv_stats *st)
{
    memset(st, 0, sizeof *st);
    st->pins = c->pins;
    for (int t = 0; t < DS_KV_TIER_COUNT_; t++) {
        st->hits[t] = c->tiers.hits[t];
        st->misses[t] = c->tiers.misses[t];
        st->tier_pages[t] = c->tiers.count[t];
    }
    if (!c->tiers.on)
        st->tier_pages[DS_KV_TIER_L1] = c->in_use;
    st->moves_down = c->tiers.moves_down;
    st->moves_up = c->tiers.moves_up;
    st->pages_in_use = c->in_use;
    st->pages_allocated = c->n_slots;
    st->peak_pages_in_use = c->peak;
    st->page_bytes = c->page_floats * sizeof(float);
}

size_t ds_kv_page_floats(const ds_kv_cache *c)
{
    return c->page_floats;
}

size_t ds_kv_k_offset(const ds_kv_cache *c, int layer)
{
    return (size_t)layer * 2 * c->o.kv_heads * c->o.head_dim * c->o.page_tokens;
}

size_t ds_kv_v_offset(const ds_kv_cache *c, int layer)
{
    return ds_kv_k_offset(c, layer) + (size_t)c->o.kv_heads * c->o.head_dim * c->o.page_tokens;
}

ds_status ds_kv_page_alloc(ds_kv_cache *c, ds_kv_page_id *id, ds_err *err)
{
    if (c->n_free > 0) {
        *id = c->free_ids[--c->n_free];
    } else {
        if (c->o.max_pages > 0 && c->n_slots >= c->o.max_pages)
            return ds_err_set(err, DS_ERR_NOMEM, "kv cache: all %ld pages in use", c->o.max_pages);
        if (c->n_slots >= INT32_MAX)
            return ds_err_set(err, DS_ERR_NOMEM, "kv cache: page table full");
        if (c->n_slots == c->cap_slots) {
            long nc = c->cap_slots ? c->cap_slots * 2 : 64;
            kv_slot *ns = ds_realloc(c->slots, (size_t)nc * sizeof *ns);
            if (!ns)
                return ds_err_set(err, DS_ERR_NOMEM, "kv cache: out of memory for the page table");
            c->slots = ns;
            ds_kv_page_id *nf = ds_realloc(c->free_ids, (size_t)nc * sizeof *nf);
            if (!nf)
                return ds_err_set(err, DS_ERR_NOMEM, "kv cache: out of memory for the page table");
            c->free_ids = nf;
            c->cap_slots = nc;
        }
        c->slots[c->n_slots] = (kv_slot){.tier = -1, .prev = -1, .next = -1};
        *id = (ds_kv_page_id)c->n_slots++;
    }
    c->slots[*id].refs = 1;
    c->slots[*id].pins = 0;
    ds_status st = ds_kvt_admit(&c->tiers, c->slots, (int32_t)c->n_slots, *id, err);
    if (st != DS_OK) {
        c->slots[*id].refs = 0;
        ds_kvt_release(&c->tiers, c->slots, *id);
        c->free_ids[c->n_free++] = *id;
        return st;
    }
    if (++c->in_use > c->peak)
        c->peak = c->in_use;
    return DS_OK;
}

void ds_kv_page_ref(ds_kv_cache *c, ds_kv_page_id id)
{
    c->slots[id].refs++;
}

void ds_kv_page_unref(ds_kv_cache *c, ds_kv_page_id id)
{
    if (--c->slots[id].refs == 0) {
        ds_kvt_release(&c->tiers, c->slots, id);
        c->free_ids[c->n_free++] = id;
        c->in_use--;
    }
}

int ds_kv_page_refs(const ds_kv_cache *c, ds_kv_page_id id)
{
    return c->slots[id].refs;
}

ds_status ds_kv_pin(ds_kv_cache *c, ds_kv_page_id id, float **page, ds_err *err)
{
    ds_status st = ds_kvt_pin(&c->tiers, c->slots, (int32_t)c->n_slots, id, page, err);
    if (st == DS_OK)
        c->pins++;
    return st;
}

void ds_kv_unpin(ds_kv_cache *c, ds_kv_page_id id)
{
    ds_kvt_unpin(&c->tiers, c->slots, (int32_t)c->n_slots, id);
}

ds_status ds_kv_seq_reserve(ds_kv_cache *c, ds_kv_seq *s, int n_total, ds_err *err)
{
    const int PT = c->o.page_tokens;
    int need = (n_total + PT - 1) / PT;
    if (need > s->cap) {
        int nc = s->cap ? s->cap : 16;
        while (nc < need)
            nc *= 2;
        ds_kv_page_id *np = ds_realloc(s->pages, (size_t)nc * sizeof *np);
        if (!np)
            return ds_err_set(err, DS_ERR_NOMEM, "kv cache: out of memory for a page table");
        s->pages = np;
        s->cap = nc;
    }
    /* A shared page that receives new positions is copied first. */
    if (s->n_tokens % PT != 0 && n_total > s->n_tokens) {
        int last = s->n_tokens / PT;
        ds_kv_page_id old = s->pages[last];
        if (c->slots[old].refs > 1) {
            ds_kv_page_id fresh;
            float *src, *dst;
            ds_status st = ds_kv_pin(c, old, &src, err);
            if (st != DS_OK)
                return st;
            if ((st = ds_kv_page_alloc(c, &fresh, err)) != DS_OK) {
                ds_kv_unpin(c, old);
                return st;
            }
            if ((st = ds_kv_pin(c, fresh, &dst, err)) != DS_OK) {
                ds_kv_unpin(c, old);
                ds_kv_page_unref(c, fresh);
                return st;
            }
            memcpy(dst, src, c->page_floats * sizeof(float));
            ds_kv_unpin(c, fresh);
            ds_kv_unpin(c, old);
            ds_kv_page_unref(c, old);
            s->pages[last] = fresh;
        }
    }
    while (s->n_pages < need) {
        ds_status st = ds_kv_page_alloc(c, &s->pages[s->n_pages], err);
        if (st != DS_OK)
            return st;
        s->n_pages++;
    }
    return DS_OK;
}

void ds_kv_seq_truncate(ds_kv_cache *c, ds_kv_seq *s, int n)
{
    if (n < 0)
        n = 0;
    if (n > s->n_tokens)
        n = s->n_tokens;
    int keep = (n + c->o.page_tokens - 1) / c->o.page_tokens;
    while (s->n_pages > keep)
        ds_kv_page_unref(c, s->pages[--s->n_pages]);
    s->n_tokens = n;
}

void ds_kv_seq_release(ds_kv_cache *c, ds_kv_seq *s)
{
    if (!s)
        return;
    if (c)
        for (int i = 0; i < s->n_pages; i++)
            ds_kv_page_unref(c, s->pages[i]);
    ds_free(s->pages);
    memset(s, 0, sizeof *s);
}
