/* prefix_cache.c - the prefix cache of prefix_cache.h: chained block hashes over token prefixes,
 * entries holding a reference to a full KV page, least-recently-used eviction, and the cache
 * file (fingerprint, page shape, then per entry its key, parent key, tokens and page bytes).
 * Owns: its entries and their page references (dropped at destroy). Threading: one call at a
 * time per model.
 */
#include "model/prefix_cache.h"

#include "model/model_internal.h"
#include "pipeline/core/alloc.h"

#include <stdio.h>
#include <string.h>

typedef struct pc_entry {
    uint64_t key, parent;
    int32_t *tokens; /* page_tokens ids, owned */
    ds_kv_page_id page;
    uint64_t last;
} pc_entry;

typedef struct ds_prefix_cache {
    char *path; /* cache file, or NULL */
    uint64_t fp;
    int pt;
    long max;
    pc_entry *e;
    long n, cap;
    uint64_t clock;
    ds_prefix_cache_stats st;
} ds_prefix_cache;

static const char MAGIC[8] = {'D', 'S', 'P', 'F', 'X', 'C', '0', '1'};

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t chain(uint64_t parent, const int32_t *tok, int n)
{
    uint64_t h = fnv(1469598103934665603ull, &parent, sizeof parent);
    return mix(fnv(h, tok, (size_t)n * sizeof *tok));
}

static void entry_drop(ds_model *m, pc_entry *e)
{
    ds_kv_page_unref(m->kv, e->page);
    ds_free(e->tokens);
}

void ds_prefix_cache_destroy(ds_model *m)
{
    ds_prefix_cache *c = m->prefix;
    if (!c)
        return;
    for (long i = 0; i < c->n; i++)
        entry_drop(m, &c->e[i]);
    ds_free(c->e);
    ds_free(c->path);
    ds_free(c);
    m->prefix = NULL;
}

static long find(ds_prefix_cache *c, uint64_t key, uint64_t parent, const int32_t *tok)
{
    for (long i = 0; i < c->n; i++)
        if (c->e[i].key == key && c->e[i].parent == parent &&
            memcmp(c->e[i].tokens, tok, (size_t)c->pt * sizeof *tok) == 0)
            return i;
    return -1;
}

/* Adds an entry holding a new reference to page (evicting the least recently used beyond max). */
static ds_status insert(ds_model *m, uint64_t key, uint64_t parent, const int32_t *tok, ds_kv_page_id page, ds_err *err)
{
    ds_prefix_cache *c = m->prefix;
    if (c->n >= c->max) {
        long v = 0;
        for (long i = 1; i < c->n; i++)
            if (c->e[i].last < c->e[v].last)
                v = i;
        entry_drop(m, &c->e[v]);
        c->e[v] = c->e[--c->n];
    }
    if (c->n == c->cap) {
        long nc = c->cap ? c->cap * 2 : 64;
        pc_entry *ne = ds_realloc(c->e, (size_t)nc * sizeof *ne);
        if (!ne)
            return ds_err_set(err, DS_ERR_NOMEM, "prefix cache: out of memory");
        c->e = ne;
        c->cap = nc;
    }
    int32_t *t = ds_malloc((size_t)c->pt * sizeof *t);
    if (!t)
        return ds_err_set(err, DS_ERR_NOMEM, "prefix cache: out of memory");
    memcpy(t, tok, (size_t)c->pt * sizeof *t);
    ds_kv_page_ref(m->kv, page);
    c->e[c->n++] = (pc_entry){key, parent, t, page, ++c->clock};
    c->st.pages = c->n;
    return DS_OK;
}

static uint64_t fingerprint(ds_model *m)
{
    uint64_t h = 1469598103934665603ull;
    char *path = ds_asprintf("%s/config.json", m->ckpt->dir);
    FILE *f = path ? fopen(path, "rb") : NULL;
    if (f) {
        char buf[4096];
        size_t r;
        while ((r = fread(buf, 1, sizeof buf, f)) > 0)
            h = fnv(h, buf, r);
        fclose(f);
    }
    ds_free(path);
    for (int i = 0; i < m->ckpt->n_files; i++) {
        const ds_st_file *sf = &m->ckpt->files[i];
        h = fnv(h, sf->image + 8, (size_t)sf->header_len);
        /* the first bytes of every tensor: a checkpoint with the same layout but other weights
         * gets another fingerprint */
        for (size_t t = 0; t < sf->n_tensors; t++) {
            const ds_st_tensor *tt = &sf->tensors[t];
            uint64_t len = tt->end - tt->begin;
            h = fnv(h, tt->data, (size_t)(len < 256 ? len : 256));
        }
    }
    uint64_t shape[2] = {(uint64_t)m->opts.kv_block_tokens, ds_kv_page_floats(m->kv)};
    return mix(fnv(h, shape, sizeof shape));
}

static void load_file(ds_model *m)
{
    ds_prefix_cache *c = m->prefix;
    FILE *f = fopen(c->path, "rb");
    if (!f)
        return;
    char magic[8];
    uint64_t fp, pf, n;
    uint32_t pt;
    const size_t floats = ds_kv_page_floats(m->kv);
    if (fread(magic, 1, 8, f) != 8 || memcmp(magic, MAGIC, 8) != 0 || fread(&fp, 8, 1, f) != 1 ||
        fread(&pt, 4, 1, f) != 1 || fread(&pf, 8, 1, f) != 1 || fread(&n, 8, 1, f) != 1 || fp != c->fp ||
        pt != (uint32_t)c->pt || pf != floats || n > (uint64_t)c->max) {
        fclose(f);
        return; /* another model, another shape or not a cache file: start empty */
    }
    int32_t *tok = ds_malloc((size_t)c->pt * sizeof *tok);
    for (uint64_t i = 0; tok && i < n; i++) {
        uint64_t kp[2];
        ds_kv_page_id page;
        float *mem;
        ds_err e;
        if (fread(kp, 8, 2, f) != 2 || fread(tok, sizeof *tok, (size_t)c->pt, f) != (size_t)c->pt)
            break;
        if (ds_kv_page_alloc(m->kv, &page, &e) != DS_OK)
            break;
        int ok = ds_kv_pin(m->kv, page, &mem, &e) == DS_OK;
        if (ok) {
            ok = fread(mem, sizeof(float), floats, f) == floats;
            ds_kv_unpin(m->kv, page);
        }
        if (ok && chain(kp[1], tok, c->pt) == kp[0] && insert(m, kp[0], kp[1], tok, page, &e) == DS_OK)
            c->st.loaded++;
        ds_kv_page_unref(m->kv, page); /* the entry holds its own reference */
        if (!ok)
            break;
    }
    ds_free(tok);
    fclose(f);
}

ds_status ds_model_prefix_cache_enable(ds_model *m, const char *dir, long max_pages, ds_err *err)
{
    if (m->cuda)
        return ds_err_set(err, DS_ERR_UNSUPPORTED, "prefix cache: the cuda backend keeps its kv cache on the device");
    ds_prefix_cache_destroy(m);
    ds_prefix_cache *c = ds_calloc(1, sizeof *c);
    if (!c)
        return ds_err_set(err, DS_ERR_NOMEM, "prefix cache: out of memory");
    c->pt = m->opts.kv_block_tokens;
    c->max = max_pages > 0 ? max_pages : 4096;
    if (dir && !(c->path = ds_asprintf("%s/prefix-cache.kvp", dir))) {
        ds_free(c);
        return ds_err_set(err, DS_ERR_NOMEM, "prefix cache: out of memory");
    }
    m->prefix = c;
    c->fp = c->st.fingerprint = fingerprint(m);
    if (c->path)
        load_file(m);
    return DS_OK;
}

static ds_status check_prompt(ds_model *m, ds_model_seq *seq, const int32_t *tokens, int n, ds_err *err)
{
    if (seq->m != m)
        return ds_err_set(err, DS_ERR_USAGE, "prefix cache: a sequence of another model");
    if (n <= 0)
        return ds_err_set(err, DS_ERR_USAGE, "prefix cache: empty prompt");
    for (int i = 0; i < n; i++)
        if (tokens[i] < 0 || tokens[i] >= m->cfg.vocab_size)
            return ds_err_set(err, DS_ERR_USAGE, "prefix cache: token %d is %d, outside the vocabulary", i, tokens[i]);
    return DS_OK;
}

ds_status ds_model_prefix_attach(ds_model *m, ds_model_seq *seq, const int32_t *tokens, int n, int *n_reused,
                                 ds_err *err)
{
    *n_reused = 0;
    ds_prefix_cache *c = m->prefix;
    if (!c)
        return DS_OK;
    ds_status st = check_prompt(m, seq, tokens, n, err);
    if (st != DS_OK)
        return st;
    if (seq->kv.n_tokens != 0)
        return ds_err_set(err, DS_ERR_USAGE, "prefix cache: the prompt needs an empty sequence");
    const int PT = c->pt, reuse_max = (n - 1) / PT;
    ds_kv_seq *ks = &seq->kv;
    if (ks->cap < reuse_max + 1) {
        ds_kv_page_id *np = ds_realloc(ks->pages, (size_t)(reuse_max + 1) * sizeof *np);
        if (!np)
            return ds_err_set(err, DS_ERR_NOMEM, "prefix cache: out of memory");
        ks->pages = np;
        ks->cap = reuse_max + 1;
    }
    uint64_t h = c->fp;
    int b = 0;
    for (; b < reuse_max; b++) {
        uint64_t k = chain(h, tokens + (size_t)b * PT, PT);
        c->st.lookups++;
        long i = find(c, k, h, tokens + (size_t)b * PT);
        if (i < 0)
            break;
        c->st.hits++;
        c->e[i].last = ++c->clock;
        ds_kv_page_ref(m->kv, c->e[i].page);
        ks->pages[ks->n_pages++] = c->e[i].page;
        h = k;
    }
    ks->n_tokens = b * PT;
    *n_reused = b * PT;
    return DS_OK;
}

ds_status ds_model_prefix_register(ds_model *m, ds_model_seq *seq, const int32_t *tokens, int n, ds_err *err)
{
    ds_prefix_cache *c = m->prefix;
    if (!c)
        return DS_OK;
    ds_status st = check_prompt(m, seq, tokens, n, err);
    if (st != DS_OK)
        return st;
    if (seq->kv.n_tokens < n)
        return ds_err_set(err, DS_ERR_USAGE, "prefix cache: the sequence holds %d of the %d tokens", seq->kv.n_tokens,
                          n);
    const int PT = c->pt, full = n / PT;
    uint64_t h = c->fp;
    for (int b = 0; b < full; b++) {
        uint64_t k = chain(h, tokens + (size_t)b * PT, PT);
        if (find(c, k, h, tokens + (size_t)b * PT) < 0 &&
            (st = insert(m, k, h, tokens + (size_t)b * PT, seq->kv.pages[b], err)) != DS_OK)
            return st;
        h = k;
    }
    return DS_OK;
}

ds_status ds_model_prefill_cached(ds_model *m, ds_model_seq *seq, const int32_t *tokens, int n, ds_model_logits want,
                                  float *logits, int *n_reused, ds_err *err)
{
    if (n_reused)
        *n_reused = 0;
    if (!m->prefix)
        return ds_model_forward(m, seq, tokens, n, want, logits, err);
    if (want == DS_MODEL_LOGITS_ALL)
        return ds_err_set(err, DS_ERR_USAGE, "prefix cache: logits of every token are not kept");
    int reused;
    ds_status st = ds_model_prefix_attach(m, seq, tokens, n, &reused, err);
    if (st != DS_OK)
        return st;
    if (n_reused)
        *n_reused = reused;
    if ((st = ds_model_forward(m, seq, tokens + reused, n - reused, want, logits, err)) != DS_OK)
        return st;
    return ds_model_prefix_register(m, seq, tokens, n, err);
}

ds_status ds_model_prefix_cache_save(ds_model *m, ds_err *err)
{
    ds_prefix_cache *c = m->prefix;
    if (!c || !c->path)
        return DS_OK;
    char *tmp = ds_asprintf("%s.tmp", c->path);
    if (!tmp)
        return ds_err_set(err, DS_ERR_NOMEM, "prefix cache: out of memory");
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        ds_err_set(err, DS_ERR_IO, "prefix cache: cannot create %s", tmp);
        ds_free(tmp);
        return DS_ERR_IO;
    }
    const size_t floats = ds_kv_page_floats(m->kv);
    uint32_t pt = (uint32_t)c->pt;
    uint64_t pf = floats, n = (uint64_t)c->n;
    int ok = fwrite(MAGIC, 1, 8, f) == 8 && fwrite(&c->fp, 8, 1, f) == 1 && fwrite(&pt, 4, 1, f) == 1 &&
             fwrite(&pf, 8, 1, f) == 1 && fwrite(&n, 8, 1, f) == 1;
    ds_status st = DS_OK;
    for (long i = 0; ok && i < c->n; i++) {
        uint64_t kp[2] = {c->e[i].key, c->e[i].parent};
        float *mem;
        if ((st = ds_kv_pin(m->kv, c->e[i].page, &mem, err)) != DS_OK)
            break;
        ok = fwrite(kp, 8, 2, f) == 2 && fwrite(c->e[i].tokens, sizeof(int32_t), (size_t)c->pt, f) == (size_t)c->pt &&
             fwrite(mem, sizeof(float), floats, f) == floats;
        ds_kv_unpin(m->kv, c->e[i].page);
    }
    ok = fclose(f) == 0 && ok;
    if (st == DS_OK && (!ok || rename(tmp, c->path) != 0))
        st = ds_err_set(err, DS_ERR_IO, "prefix cache: cannot write %s", c->path);
    if (st != DS_OK)
        remove(tmp);
    ds_free(tmp);
    return st;
}

void ds_model_prefix_cache_stats(const ds_model *m, ds_prefix_cache_stats *st)
{
    if (!m->prefix) {
        memset(st, 0, sizeof *st);
        return;
    }
    *st = m->prefix->st;
    st->pages = m->prefix->n;
}
