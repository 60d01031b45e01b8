/* kvtier.c - the L1/L2/L3 residency tiers of the KV cache (kvtier.h): LRU order in L1, decayed
 * use scores in L2, whole-page writes and reads to the hot/cold files of L3.
 * Owns: the L3 files (created at init, removed at deinit). Threading: one thread at a time.
 */
#include "model/kvtier.h"

#include "pipeline/core/alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

ds_status ds_kvt_init(kv_tiers *t, const ds_kv_cache_opts *o, size_t page_bytes, ds_err *err)
{
    memset(t, 0, sizeof *t);
    t->fd[0] = t->fd[1] = -1;
    t->head = t->tail = -1;
    t->page_bytes = page_bytes;
    t->half_life = 64;
    for (int i = 0; i < DS_KV_TIER_COUNT_; i++) {
        long tok = o->tier_tokens[i] > 0 ? o->tier_tokens[i] : 0;
        t->cap[i] = (tok + o->page_tokens - 1) / o->page_tokens;
    }
    t->on = t->cap[DS_KV_TIER_L1] > 0;
    if (t->on && o->disk_dir && *o->disk_dir) {
        static const char *names[2] = {"kv-hot.pages", "kv-cold.pages"};
        for (int f = 0; f < 2; f++) {
            t->path[f] = ds_asprintf("%s/%s", o->disk_dir, names[f]);
            if (!t->path[f]) {
                ds_kvt_deinit(t);
                return ds_err_set(err, DS_ERR_NOMEM, "kv tiers: out of memory");
            }
            t->fd[f] = open(t->path[f], O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
            if (t->fd[f] < 0) {
                int e = errno;
                ds_err_set(err, DS_ERR_IO, "kv tiers: cannot create %s: %s", t->path[f], strerror(e));
                ds_kvt_deinit(t);
                return DS_ERR_IO;
            }
        }
    }
    return DS_OK;
}

void ds_kvt_deinit(kv_tiers *t)
{
    for (int f = 0; f < 2; f++) {
        if (t->fd[f] >= 0) {
            close(t->fd[f]);
            unlink(t->path[f]);
        }
        ds_free(t->path[f]);
        t->fd[f] = -1;
        t->path[f] = NULL;
    }
}

static void lru_unlink(kv_tiers *t, kv_slot *s, int32_t id)
{
    kv_slot *p = &s[id];
    if (p->prev >= 0)
        s[p->prev].next = p->next;
    else
        t->head = p->next;
    if (p->next >= 0)
        s[p->next].prev = p->prev;
    else
        t->tail = p->prev;
    p->prev = p->next = -1;
}

static void lru_push_front(kv_tiers *t, kv_slot *s, int32_t id)
{
    s[id].prev = -1;
    s[id].next = t->head;
    if (t->head >= 0)
        s[t->head].prev = id;
    t->head = id;
    if (t->tail < 0)
        t->tail = id;
}

static double decayed(const kv_tiers *t, const kv_slot *p)
{
    return p->score * exp2(-(double)(t->clock - p->last) / t->half_life);
}

static ds_status write_l3(kv_tiers *t, kv_slot *s, int32_t id, ds_err *err)
{
    kv_slot *p = &s[id];
    int f = decayed(t, p) >= 1.0 ? 0 : 1;
    const char *b = (const char *)p->mem;
    off_t off = (off_t)id * (off_t)t->page_bytes;
    for (size_t done = 0; done < t->page_bytes;) {
        ssize_t w = pwrite(t->fd[f], b + done, t->page_bytes - done, off + (off_t)done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return ds_err_set(err, DS_ERR_IO, "kv tiers: writing page %d to %s: %s", id, t->path[f], strerror(errno));
        done += (size_t)w;
    }
    ds_free(p->mem);
    p->mem = NULL;
    p->l3_file = f;
    p->tier = DS_KV_TIER_L3;
    t->count[DS_KV_TIER_L3]++;
    t->moves_down++;
    return DS_OK;
}

static ds_status read_l3(kv_tiers *t, kv_slot *s, int32_t id, ds_err *err)
{
    kv_slot *p = &s[id];
    float *mem = ds_malloc(t->page_bytes);
    if (!mem)
        return ds_err_set(err, DS_ERR_NOMEM, "kv tiers: out of memory for page %d", id);
    char *b = (char *)mem;
    off_t off = (off_t)id * (off_t)t->page_bytes;
    for (size_t done = 0; done < t->page_bytes;) {
        ssize_t r = pread(t->fd[p->l3_file], b + done, t->page_bytes - done, off + (off_t)done);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            ds_free(mem);
            return ds_err_set(err, DS_ERR_IO, "kv tiers: reading page %d from %s: %s", id, t->path[p->l3_file],
                              r == 0 ? "short file" : strerror(errno));
        }
        done += (size_t)r;
    }
    p->mem = mem;
    t->count[DS_KV_TIER_L3]--;
    t->moves_up++;
    return DS_OK;
}

/* Makes room in L2 for one page: the lowest decayed score goes to L3. 0 when nothing could go
 * (no L3): L2 then runs over. */
static ds_status l2_room(kv_tiers *t, kv_slot *s, int32_t n_slots, ds_err *err)
{
    while (t->count[DS_KV_TIER_L2] >= t->cap[DS_KV_TIER_L2] && t->fd[0] >= 0) {
        int32_t victim = -1;
        double best = 0;
        for (int32_t i = 0; i < n_slots; i++)
            if (s[i].tier == DS_KV_TIER_L2) {
                double d = decayed(t, &s[i]);
                if (victim < 0 || d < best) {
                    victim = i;
                    best = d;
                }
            }
        if (victim < 0)
            break;
        t->count[DS_KV_TIER_L2]--;
        ds_status st = write_l3(t, s, victim, err);
        if (st != DS_OK) {
            t->count[DS_KV_TIER_L2]++;
            return st;
        }
    }
    return DS_OK;
}

/* Makes room in L1 for one page: least recently used unpinned pages go down. */
static ds_status l1_room(kv_tiers *t, kv_slot *s, int32_t n_slots, long want, ds_err *err)
{
    while (t->count[DS_KV_TIER_L1] > want) {
        int32_t v = t->tail;
        while (v >= 0 && s[v].pins > 0)
            v = s[v].prev;
        if (v < 0)
            return DS_OK; /* everything pinned: run over */
        if (t->cap[DS_KV_TIER_L2] > 0) {
            ds_status st = l2_room(t, s, n_slots, err);
            if (st != DS_OK)
                return st;
            lru_unlink(t, s, v);
            t->count[DS_KV_TIER_L1]--;
            s[v].tier = DS_KV_TIER_L2;
            t->count[DS_KV_TIER_L2]++;
            t->moves_down++;
        } else if (t->fd[0] >= 0) {
            lru_unlink(t, s, v);
            t->count[DS_KV_TIER_L1]--;
            ds_status st = write_l3(t, s, v, err);
            if (st != DS_OK) {
                s[v].tier = DS_KV_TIER_L1;
                t->count[DS_KV_TIER_L1]++;
                lru_push_front(t, s, v);
                return st;
            }
        } else {
            return DS_OK; /* nowhere to go */
        }
    }
    return DS_OK;
}

ds_status ds_kvt_admit(kv_tiers *t, kv_slot *s, int32_t n_slots, int32_t id, ds_err *err)
{
    kv_slot *p = &s[id];
    if (!p->mem && !(p->mem = ds_malloc(t->page_bytes)))
        return ds_err_set(err, DS_ERR_NOMEM, "kv cache: out of memory for page %d (%zu bytes)", id, t->page_bytes);
    p->tier = DS_KV_TIER_L1;
    p->prev = p->next = -1;
    p->score = 1;
    p->last = t->clock;
    if (!t->on)
        return DS_OK;
    ds_status st = l1_room(t, s, n_slots, t->cap[DS_KV_TIER_L1] - 1, err);
    if (st != DS_OK)
        return st;
    lru_push_front(t, s, id);
    t->count[DS_KV_TIER_L1]++;
    return DS_OK;
}

ds_status ds_kvt_pin(kv_tiers *t, kv_slot *s, int32_t n_slots, int32_t id, float **mem, ds_err *err)
{
    kv_slot *p = &s[id];
    t->clock++;
    if (!t->on || p->tier == DS_KV_TIER_L1) {
        t->hits[DS_KV_TIER_L1]++;
        if (t->on) {
            lru_unlink(t, s, id);
            lru_push_front(t, s, id);
        }
    } else {
        t->misses[DS_KV_TIER_L1]++;
        ds_status st;
        if (p->tier == DS_KV_TIER_L2) {
            t->hits[DS_KV_TIER_L2]++;
            t->count[DS_KV_TIER_L2]--;
            p->tier = -1; /* out of L2 while L1 makes room */
            t->moves_up++;
        } else {
            if (t->cap[DS_KV_TIER_L2] > 0)
                t->misses[DS_KV_TIER_L2]++;
            t->hits[DS_KV_TIER_L3]++;
            if ((st = read_l3(t, s, id, err)) != DS_OK)
                return st;
            p->tier = -1;
        }
        p->pins++; /* keep it out of the victims while L1 makes room */
        st = l1_room(t, s, n_slots, t->cap[DS_KV_TIER_L1] - 1, err);
        p->pins--;
        p->tier = DS_KV_TIER_L1;
        lru_push_front(t, s, id);
        t->count[DS_KV_TIER_L1]++;
        if (st != DS_OK)
            return st;
    }
    p->score = decayed(t, p) + 1;
    p->last = t->clock;
    p->pins++;
    *mem = p->mem;
    return DS_OK;
}

void ds_kvt_unpin(kv_tiers *t, kv_slot *s, int32_t n_slots, int32_t id)
{
    s[id].pins--;
    if (t->on && s[id].pins == 0 && t->count[DS_KV_TIER_L1] > t->cap[DS_KV_TIER_L1]) {
        ds_err e;
        /* a failure to move down leaves the page in L1 (over capacity), never loses it */
        (void)l1_room(t, s, n_slots, t->cap[DS_KV_TIER_L1], &e);
    }
}

void ds_kvt_release(kv_tiers *t, kv_slot *s, int32_t id)
{
    kv_slot *p = &s[id];
    if (t->on) {
        if (p->tier == DS_KV_TIER_L1)
            lru_unlink(t, s, id);
        if (p->tier >= 0)
            t->count[p->tier]--;
    }
    p->tier = -1;
}
