/* json_mask.c - token masks for JSON-schema constrained decoding (json_schema.h): the
 * vocabulary's byte trie and the per-sequence matcher.
 *
 * The trie is stored in preorder (each node: its byte, depth, the end of its subtree and the ids
 * whose bytes end there), built by sorting the token strings, so a mask is one forward sweep:
 * the automaton state of each trie depth is kept, a node's state is its parent's advanced by one
 * byte, a rejected byte skips the whole subtree, and tokens sharing a prefix walk it once.
 * Masks are cached per canonical automaton state (ds_jg_key: string and array counters clamped
 * to what a token can still change), so the steady states of a generation (inside a string,
 * between items) cost a lookup. The cache is cleared when full.
 * Owns: the trie (vocab), the mask cache and state (matcher). Threading: vocab immutable and
 * shareable; a matcher is used by one thread at a time.
 */
#include "model/json_internal.h"

#include "model/tokenizer/tokenizer.h"
#include "pipeline/core/alloc.h"
#include "pipeline/core/clock.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct trie_node {
    uint8_t byte;
    uint16_t depth;
    int32_t end;       /* first node after the subtree */
    int32_t tok_start; /* into ids[] */
    int32_t tok_count;
} trie_node;

struct ds_json_vocab {
    int n_tokens, words;
    trie_node *nodes;
    int32_t n_nodes;
    int32_t *ids;
    int max_depth;
    int32_t *eos;
    int n_eos;
    /* bytes per id, for accept */
    unsigned char **bytes;
    size_t *lens;
    /* code points each id adds to a string when it starts inside the string's body (up to a
       closing quote), capped at 65535; the largest over the vocabulary */
    uint16_t *cp;
    int max_cp;
};

static int string_cp(const unsigned char *b, size_t n)
{
    /* as the automaton counts: an escape at its backslash, a multi-byte character at its lead */
    int c = 0;
    for (size_t i = 0; i < n && c < 65535; i++) {
        if (b[i] == '"')
            break;
        if (b[i] == '\\') {
            c++;
            i++; /* the escaped byte */
        } else if (b[i] < 0x80 || b[i] >= 0xC0) {
            c++;
        }
    }
    return c;
}

typedef struct sort_ent {
    const unsigned char *b;
    size_t len;
    int32_t id;
} sort_ent;

static int cmp_ent(const void *x, const void *y)
{
    const sort_ent *a = x, *b = y;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->b, b->b, n);
    if (c)
        return c;
    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;
    return (a->id > b->id) - (a->id < b->id);
}

void ds_json_vocab_free(ds_json_vocab *v)
{
    if (!v)
        return;
    if (v->bytes)
        for (int i = 0; i < v->n_tokens; i++)
            ds_free(v->bytes[i]);
    ds_free(v->bytes);
    ds_free(v->lens);
    ds_free(v->cp);
    ds_free(v->nodes);
    ds_free(v->ids);
    ds_free(v->eos);
    ds_free(v);
}

int ds_json_vocab_size(const ds_json_vocab *v)
{
    return v->n_tokens;
}

ds_status ds_json_vocab_create(ds_json_vocab **out, int n_tokens, const char *const *bytes, const size_t *lens,
                               const int32_t *eos, int n_eos, ds_err *err)
{
    *out = NULL;
    if (n_tokens <= 0 || n_eos < 0)
        return ds_err_set(err, DS_ERR_USAGE, "json vocabulary: %d tokens", n_tokens);
    ds_json_vocab *v = ds_calloc(1, sizeof *v);
    sort_ent *ents = ds_malloc((size_t)n_tokens * sizeof *ents);
    if (!v || !ents)
        goto nomem;
    v->n_tokens = n_tokens;
    v->words = (n_tokens + 63) / 64;
    v->n_eos = n_eos;
    v->eos = ds_malloc((size_t)(n_eos ? n_eos : 1) * sizeof *v->eos);
    v->bytes = ds_calloc((size_t)n_tokens, sizeof *v->bytes);
    v->lens = ds_calloc((size_t)n_tokens, sizeof *v->lens);
    v->ids = ds_malloc((size_t)n_tokens * sizeof *v->ids);
    v->cp = ds_calloc((size_t)n_tokens, sizeof *v->cp);
    if (!v->eos || !v->bytes || !v->lens || !v->ids || !v->cp)
        goto nomem;
    for (int i = 0; i < n_eos; i++) {
        if (eos[i] < 0 || eos[i] >= n_tokens) {
            ds_free(ents);
            ds_json_vocab_free(v);
            return ds_err_set(err, DS_ERR_USAGE, "json vocabulary: eos id %d outside %d tokens", eos[i], n_tokens);
        }
        v->eos[i] = eos[i];
    }
    size_t total = 0;
    int n_ent = 0;
    for (int i = 0; i < n_tokens; i++) {
        int is_eos = 0;
        for (int e = 0; e < n_eos; e++)
            is_eos |= eos[e] == i;
        if (is_eos || !bytes[i] || lens[i] == 0 || lens[i] > 60000)
            continue;
        if (!(v->bytes[i] = ds_malloc(lens[i])))
            goto nomem;
        memcpy(v->bytes[i], bytes[i], lens[i]);
        v->lens[i] = lens[i];
        ents[n_ent++] = (sort_ent){v->bytes[i], lens[i], i};
        int cp = string_cp(v->bytes[i], lens[i]);
        v->cp[i] = (uint16_t)cp;
        if (cp > v->max_cp)
            v->max_cp = cp;
        total += lens[i];
        if ((int)lens[i] > v->max_depth)
            v->max_depth = (int)lens[i];
    }
    qsort(ents, (size_t)n_ent, sizeof *ents, cmp_ent);
    if (total + 1 > (size_t)INT32_MAX)
        goto nomem;
    v->nodes = ds_malloc((total + 1) * sizeof *v->nodes);
    int32_t *path = ds_malloc((size_t)(v->max_depth + 1) * sizeof *path);
    if (!v->nodes || !path) {
        ds_free(path);
        goto nomem;
    }
    /* node 0 is the root (empty string); path[d] is the open node of depth d */
    v->nodes[0] = (trie_node){0, 0, 0, 0, 0};
    v->n_nodes = 1;
    path[0] = 0;
    int open = 0; /* depth of the deepest open node */
    const unsigned char *prev = NULL;
    size_t prev_len = 0;
    for (int k = 0; k < n_ent; k++) {
        const unsigned char *b = ents[k].b;
        size_t len = ents[k].len, lcp = 0;
        while (prev && lcp < len && lcp < prev_len && b[lcp] == prev[lcp])
            lcp++;
        while (open > (int)lcp) /* close nodes past the common prefix */
            v->nodes[path[open--]].end = v->n_nodes;
        for (size_t d = lcp; d < len; d++) {
            int32_t id = v->n_nodes++;
            v->nodes[id] = (trie_node){b[d], (uint16_t)(d + 1), 0, k, 0};
            path[++open] = id;
        }
        trie_node *tn = &v->nodes[path[len]];
        if (tn->tok_count == 0)
            tn->tok_start = k;
        tn->tok_count++;
        v->ids[k] = ents[k].id;
        prev = b;
        prev_len = len;
    }
    while (open > 0)
        v->nodes[path[open--]].end = v->n_nodes;
    v->nodes[0].end = v->n_nodes;
    ds_free(path);
    ds_free(ents);
    *out = v;
    return DS_OK;
nomem:
    ds_free(ents);
    ds_json_vocab_free(v);
    return ds_err_set(err, DS_ERR_NOMEM, "json vocabulary: out of memory for %d tokens", n_tokens);
}

ds_status ds_json_vocab_from_tokenizer(ds_json_vocab **out, const ds_tokenizer *tk, int n_tokens, const int32_t *eos,
                                       int n_eos, ds_err *err)
{
    *out = NULL;
    if (n_tokens <= 0)
        return ds_err_set(err, DS_ERR_USAGE, "json vocabulary: %d tokens", n_tokens);
    const char **bytes = ds_calloc((size_t)n_tokens, sizeof *bytes);
    size_t *lens = ds_calloc((size_t)n_tokens, sizeof *lens);
    if (!bytes || !lens) {
        ds_free(bytes);
        ds_free(lens);
        return ds_err_set(err, DS_ERR_NOMEM, "json vocabulary: out of memory");
    }
    int32_t tv = ds_tokenizer_vocab_size(tk);
    for (int32_t i = 0; i < n_tokens && i < tv; i++) {
        if (ds_tokenizer_is_special(tk, i))
            continue;
        bytes[i] = ds_tokenizer_token_bytes(tk, i, &lens[i]);
        if (!bytes[i])
            lens[i] = 0;
    }
    ds_status st = ds_json_vocab_create(out, n_tokens, bytes, lens, eos, n_eos, err);
    ds_free(bytes);
    ds_free(lens);
    return st;
}

/* ---- matcher ------------------------------------------------------------------------------- */

typedef struct cache_ent {
    uint64_t hash;
    unsigned char *key; /* NULL: empty slot */
    int key_len;
    uint64_t *mask;
} cache_ent;

struct ds_json_matcher {
    const ds_json_schema *s;
    const ds_json_vocab *v;
    jg_state st;
    int finished;
    jg_state *walk; /* max_depth + 1 states */
    uint64_t *mask; /* the answer when not cached */
    cache_ent *cache;
    int cache_slots, cache_max, cache_used;
    unsigned char *keybuf;
    uint64_t *bmask; /* the budget mask (ds_json_matcher_mask_within) */
    int grow;        /* most tokens one token can add to the shortest completion */
    int closing;     /* a budget mask removed a token the schema allowed */
    int cut_item;    /* an array item was open when closing began */
    ds_json_mask_stats stats;
};

static void cache_clear(ds_json_matcher *m)
{
    for (int i = 0; i < m->cache_slots; i++) {
        ds_free(m->cache[i].key);
        ds_free(m->cache[i].mask);
        m->cache[i] = (cache_ent){0, NULL, 0, NULL};
    }
    m->cache_used = 0;
}

void ds_json_matcher_free(ds_json_matcher *m)
{
    if (!m)
        return;
    if (m->cache)
        cache_clear(m);
    ds_free(m->cache);
    ds_free(m->walk);
    ds_free(m->mask);
    ds_free(m->keybuf);
    ds_free(m->bmask);
    ds_free(m);
}

/* A byte can add to the shortest completion at most a new value, or a property's key and value
 * (an array's or object's comma, a key naming an optional property); a token adds at most that
 * per byte. */
static int growth_bound(const ds_json_schema *s, const ds_json_vocab *v)
{
    long long per_byte = 8;
    int most = 0;
    for (int i = 0; i < s->n_nodes; i++) {
        const jg_node *n = &s->nodes[i];
        if (n->min_bytes > most)
            most = n->min_bytes;
        for (int j = 0; j < n->n_props; j++)
            if (n->props[j].key_len > most)
                most = n->props[j].key_len;
    }
    per_byte += 2LL * most;
    long long g = per_byte * (v->max_depth > 0 ? v->max_depth : 1);
    return g > INT32_MAX / 4 ? INT32_MAX / 4 : (int)g;
}

ds_status ds_json_matcher_create(ds_json_matcher **out, const ds_json_schema *s, const ds_json_vocab *v,
                                 int cache_entries, ds_err *err)
{
    *out = NULL;
    ds_json_matcher *m = ds_calloc(1, sizeof *m);
    if (!m)
        return ds_err_set(err, DS_ERR_NOMEM, "json matcher: out of memory");
    m->s = s;
    m->v = v;
    m->cache_max = cache_entries > 0 ? cache_entries : 256;
    m->cache_slots = 2 * m->cache_max;
    m->cache = ds_calloc((size_t)m->cache_slots, sizeof *m->cache);
    m->walk = ds_malloc((size_t)(v->max_depth + 1) * sizeof *m->walk);
    m->mask = ds_malloc((size_t)v->words * sizeof *m->mask);
    m->keybuf = ds_malloc(sizeof(jg_state));
    m->bmask = ds_malloc((size_t)v->words * sizeof *m->bmask);
    m->grow = growth_bound(s, v);
    if (!m->cache || !m->walk || !m->mask || !m->keybuf || !m->bmask) {
        ds_json_matcher_free(m);
        return ds_err_set(err, DS_ERR_NOMEM, "json matcher: out of memory");
    }
    ds_jg_init(s, &m->st);
    *out = m;
    return DS_OK;
}

void ds_json_matcher_reset(ds_json_matcher *m)
{
    ds_jg_init(m->s, &m->st);
    m->finished = 0;
    m->closing = 0;
    m->cut_item = 0;
}

static void copy_state(jg_state *dst, const jg_state *src)
{
    dst->depth = src->depth;
    memcpy(dst->f, src->f, (size_t)src->depth * sizeof(jg_frame));
}

static void build_mask(ds_json_matcher *m, const jg_state *start, uint64_t *mask)
{
    const ds_json_vocab *v = m->v;
    memset(mask, 0, (size_t)v->words * sizeof *mask);
    copy_state(&m->walk[0], start);
    const trie_node *nodes = v->nodes;
    uint64_t walked = 0;
    for (int32_t i = 1; i < v->n_nodes;) {
        const trie_node *tn = &nodes[i];
        jg_state *w = &m->walk[tn->depth];
        copy_state(w, &m->walk[tn->depth - 1]);
        walked++;
        if (!ds_jg_step(m->s, w, tn->byte)) {
            i = tn->end;
            continue;
        }
        for (int32_t k = 0; k < tn->tok_count; k++) {
            int32_t id = v->ids[tn->tok_start + k];
            mask[id >> 6] |= 1ull << (id & 63);
        }
        i++;
    }
    if (ds_jg_can_end(m->s, start))
        for (int e = 0; e < v->n_eos; e++)
            mask[v->eos[e] >> 6] |= 1ull << (v->eos[e] & 63);
    m->stats.trie_nodes_walked += walked;
}

static uint64_t hash_bytes(const unsigned char *p, int n)
{
    uint64_t h = 1469598103934665603ull;
    for (int i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

/* The mask of state st from the cache, built when missing. */
static const uint64_t *cached_mask(ds_json_matcher *m, const jg_state *st)
{
    const ds_json_vocab *v = m->v;
    int cap = v->max_depth < 30000 ? v->max_depth : 30000;
    int kl = ds_jg_key(m->s, st, cap, m->keybuf);
    uint64_t h = hash_bytes(m->keybuf, kl);
    int slot = (int)(h % (uint64_t)m->cache_slots);
    while (m->cache[slot].key) {
        cache_ent *e = &m->cache[slot];
        if (e->hash == h && e->key_len == kl && memcmp(e->key, m->keybuf, (size_t)kl) == 0) {
            m->stats.cache_hits++;
            return e->mask;
        }
        slot = (slot + 1) % m->cache_slots;
    }
    double t0 = ds_now_s();
    if (m->cache_used >= m->cache_max) {
        cache_clear(m);
        slot = (int)(h % (uint64_t)m->cache_slots);
    }
    cache_ent *e = &m->cache[slot];
    e->key = ds_malloc((size_t)kl);
    e->mask = ds_malloc((size_t)v->words * sizeof *e->mask);
    uint64_t *dst = m->mask;
    if (e->key && e->mask) {
        memcpy(e->key, m->keybuf, (size_t)kl);
        e->key_len = kl;
        e->hash = h;
        m->cache_used++;
        dst = e->mask;
    } else { /* no memory for the cache: answer uncached */
        ds_free(e->key);
        ds_free(e->mask);
        *e = (cache_ent){0, NULL, 0, NULL};
    }
    build_mask(m, st, dst);
    m->stats.build_s += ds_now_s() - t0;
    return dst;
}

const uint64_t *ds_json_matcher_mask(ds_json_matcher *m)
{
    const ds_json_vocab *v = m->v;
    m->stats.masks++;
    if (m->finished) {
        memset(m->mask, 0, (size_t)v->words * sizeof *m->mask);
        for (int e = 0; e < v->n_eos; e++)
            m->mask[v->eos[e] >> 6] |= 1ull << (v->eos[e] & 63);
        return m->mask;
    }
    /* Inside the body of a string with a maxLength: the mask of the same state with the length
     * unbounded (one cache entry for every position in the string), less the tokens adding more
     * code points than there is room for. Exact: the room check is the only difference between
     * the two walks, and it rejects a token exactly when the token adds too many. */
    const jg_frame *top = &m->st.f[m->st.depth - 1];
    if (m->st.depth > 1 && top->phase == DS_JG_STRING_BODY && m->s->nodes[top->node].kind == JG_STRING &&
        m->s->nodes[top->node].max_len >= 0) {
        const int room = m->s->nodes[top->node].max_len - (int)top->a;
        jg_state canon;
        copy_state(&canon, &m->st);
        canon.f[canon.depth - 1].phase |= DS_JG_UNBOUNDED;
        const uint64_t *full = cached_mask(m, &canon);
        if (room >= v->max_cp)
            return full;
        for (int w = 0; w < v->words; w++) {
            uint64_t word = full[w], keep = word;
            while (word) {
                int b = __builtin_ctzll(word);
                word &= word - 1;
                if (v->cp[w * 64 + b] > room)
                    keep &= ~(1ull << b);
            }
            m->mask[w] = keep;
        }
        return m->mask;
    }
    return cached_mask(m, &m->st);
}

ds_status ds_json_matcher_accept(ds_json_matcher *m, int32_t id, ds_err *err)
{
    const ds_json_vocab *v = m->v;
    if (id < 0 || id >= v->n_tokens)
        return ds_err_set(err, DS_ERR_PARSE, "json matcher: token %d outside the vocabulary", id);
    for (int e = 0; e < v->n_eos; e++)
        if (v->eos[e] == id) {
            if (!m->finished && !ds_jg_can_end(m->s, &m->st))
                return ds_err_set(err, DS_ERR_PARSE, "json matcher: end of sequence before the value is complete");
            m->finished = 1;
            return DS_OK;
        }
    if (m->finished || !v->bytes[id])
        return ds_err_set(err, DS_ERR_PARSE, "json matcher: token %d is not allowed here", id);
    jg_state *w = &m->walk[0];
    copy_state(w, &m->st);
    for (size_t i = 0; i < v->lens[id]; i++)
        if (!ds_jg_step(m->s, w, v->bytes[id][i]))
            return ds_err_set(err, DS_ERR_PARSE, "json matcher: token %d breaks the schema at its byte %zu", id, i);
    copy_state(&m->st, w);
    return DS_OK;
}

int ds_json_matcher_min_tokens(const ds_json_matcher *m)
{
    return m->finished ? 0 : ds_jg_cost(m->s, &m->st);
}

int ds_json_matcher_closing(const ds_json_matcher *m)
{
    return m->closing;
}

int ds_json_matcher_cut_item(const ds_json_matcher *m)
{
    return m->cut_item;
}

const uint64_t *ds_json_matcher_mask_within(ds_json_matcher *m, int left)
{
    const uint64_t *base = ds_json_matcher_mask(m);
    if (m->finished)
        return base;
    const int cost = ds_jg_cost(m->s, &m->st);
    if ((long long)left - 1 >= (long long)cost + m->grow)
        return base;
    /* near the end of the budget: keep the tokens after which the shortest completion still
       fits in the tokens left after them (eos ids are only in base when the value is complete) */
    const ds_json_vocab *v = m->v;
    jg_state *w = &m->walk[0];
    int removed = 0;
    for (int wd = 0; wd < v->words; wd++) {
        uint64_t word = base[wd], keep = word;
        while (word) {
            int b = __builtin_ctzll(word);
            word &= word - 1;
            int32_t id = wd * 64 + b;
            if (!v->bytes[id])
                continue; /* an eos id: the value is complete */
            copy_state(w, &m->st);
            int ok = 1;
            for (size_t i = 0; ok && i < v->lens[id]; i++)
                ok = ds_jg_step(m->s, w, v->bytes[id][i]);
            if (!ok || ds_jg_cost(m->s, w) > left - 1) {
                keep &= ~(1ull << b);
                removed = 1;
            }
        }
        m->bmask[wd] = keep;
    }
    if (removed && !m->closing)
        m->cut_item = ds_jg_item_open(m->s, &m->st);
    if (removed) {
        m->closing = 1;
        m->stats.budget_masks++;
    }
    return m->bmask;
}

int ds_json_matcher_complete(const ds_json_matcher *m)
{
    return m->finished || ds_jg_can_end(m->s, &m->st);
}

int ds_json_matcher_finished(const ds_json_matcher *m)
{
    return m->finished || ds_jg_closed(m->s, &m->st);
}

void ds_json_matcher_stats(const ds_json_matcher *m, ds_json_mask_stats *st)
{
    *st = m->stats;
}
