/* checkpoint.c - a Hugging Face checkpoint directory: one model.safetensors, or the shards that
 * model.safetensors.index.json lists, mapped read-only, with one index of tensors by name.
 *
 * The index file is untrusted like the shards: shard names must be plain file names (no path
 * separators, no "..") ending in .safetensors, every tensor it maps must be in the shard it
 * names, and no tensor may appear in two shards.
 * Also lets mapped bytes go once the loader has copied or repacked them (ds_ckpt_release).
 * Owns: the ds_ckpt, its mapped files and the name index. Threading: read-only once opened;
 * ds_ckpt_release may run on several threads at once.
 */
#include "model/checkpoint_internal.h"

#include "pipeline/core/alloc.h"
#include "pipeline/core/buf.h"

#include <fcntl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_SHARDS 4096

static uint64_t hash_name(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

const ds_st_tensor *ds_ckpt_find(const ds_ckpt *c, const char *name)
{
    if (!c || !c->n_slots)
        return NULL;
    size_t mask = c->n_slots - 1;
    for (size_t i = hash_name(name) & mask;; i = (i + 1) & mask) {
        const ds_st_tensor *t = c->slots[i];
        if (!t)
            return NULL;
        if (strcmp(t->name, name) == 0)
            return t;
    }
}

void ds_ckpt_free(ds_ckpt *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->n_files; i++)
        ds_st_close(&c->files[i]);
    ds_free(c->files);
    ds_free(c->slots);
    ds_free(c->dir);
    ds_free(c);
}

static ds_status build_index(ds_ckpt *c, ds_err *err)
{
    size_t n = 0;
    for (int f = 0; f < c->n_files; f++)
        n += c->files[f].n_tensors;
    size_t slots = 16;
    while (slots < 2 * n + 1)
        slots *= 2;
    c->slots = ds_calloc(slots, sizeof *c->slots);
    if (!c->slots)
        return ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory for the tensor index", c->dir);
    c->n_slots = slots;
    for (int f = 0; f < c->n_files; f++) {
        for (size_t k = 0; k < c->files[f].n_tensors; k++) {
            ds_st_tensor *t = &c->files[f].tensors[k];
            t->file_index = f;
            size_t i = hash_name(t->name) & (slots - 1);
            while (c->slots[i]) {
                if (strcmp(c->slots[i]->name, t->name) == 0)
                    return ds_err_set(err, DS_ERR_MODEL, "%s: tensor %.200s is in %s and in %s", c->dir, t->name,
                                      c->files[c->slots[i]->file_index].path, c->files[f].path);
                i = (i + 1) & (slots - 1);
            }
            c->slots[i] = t;
            c->total_bytes += t->end - t->begin;
        }
    }
    c->n_tensors = n;
    return DS_OK;
}

static int plain_shard_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 255 || strchr(s, '/') || strchr(s, '\\') || s[0] == '.')
        return 0;
    return n > 12 && strcmp(s + n - 12, ".safetensors") == 0;
}

static ds_status open_sharded(ds_ckpt *c, const char *index_path, ds_err *err)
{
    ds_buf b = DS_BUF_INIT;
    ds_status st = ds_buf_read_file(&b, index_path, 64u << 20, err);
    if (st != DS_OK) {
        ds_buf_deinit(&b);
        return st;
    }
    json_error_t je;
    json_t *root = json_loadb(b.data ? b.data : "", b.len, JSON_REJECT_DUPLICATES, &je);
    ds_buf_deinit(&b);
    if (!root)
        return ds_err_set(err, DS_ERR_MODEL, "%s: line %d: %s", index_path, je.line, je.text);
    const json_t *wm = json_object_get(root, "weight_map");
    const char **shards = NULL;
    int n_shards = 0;
    if (!json_is_object(wm)) {
        st = ds_err_set(err, DS_ERR_MODEL, "%s: no weight_map object", index_path);
        goto done;
    }
    /* Distinct shard names, in first-seen order. */
    shards = ds_calloc(MAX_SHARDS, sizeof *shards);
    if (!shards) {
        st = ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", index_path);
        goto done;
    }
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)wm, key, val)
    {
        const char *s = json_string_value(val);
        if (!s || !plain_shard_name(s)) {
            st = ds_err_set(err, DS_ERR_MODEL,
                            "%s: tensor %.200s maps to a shard that is not a plain "
                            "*.safetensors file name",
                            index_path, key);
            goto done;
        }
        int k;
        for (k = 0; k < n_shards; k++)
            if (strcmp(shards[k], s) == 0)
                break;
        if (k == n_shards) {
            if (n_shards == MAX_SHARDS) {
                st = ds_err_set(err, DS_ERR_MODEL, "%s: more than %d shards", index_path, MAX_SHARDS);
                goto done;
            }
            shards[n_shards++] = s;
        }
    }
    if (n_shards == 0) {
        st = ds_err_set(err, DS_ERR_MODEL, "%s: weight_map is empty", index_path);
        goto done;
    }
    c->files = ds_calloc((size_t)n_shards, sizeof *c->files);
    if (!c->files) {
        st = ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", index_path);
        goto done;
    }
    for (int k = 0; k < n_shards; k++) {
        char *p = ds_asprintf("%s/%s", c->dir, shards[k]);
        if (!p) {
            st = ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", index_path);
            goto done;
        }
        st = ds_st_open(&c->files[k], p, err);
        ds_free(p);
        if (st != DS_OK)
            goto done;
        c->n_files = k + 1;
    }
    if ((st = build_index(c, err)) != DS_OK)
        goto done;
    /* Every mapped tensor must be where the index says. */
    json_object_foreach((json_t *)wm, key, val)
    {
        const ds_st_tensor *t = ds_ckpt_find(c, key);
        const char *want = json_string_value(val);
        if (!t) {
            st = ds_err_set(err, DS_ERR_MODEL, "%s: tensor %.200s is not in shard %s", index_path, key, want);
            goto done;
        }
        const char *path = c->files[t->file_index].path;
        size_t lp = strlen(path), lw = strlen(want);
        if (lp < lw + 1 || strcmp(path + lp - lw, want) != 0 || path[lp - lw - 1] != '/') {
            st = ds_err_set(err, DS_ERR_MODEL, "%s: tensor %.200s is in %s, the index says %s", index_path, key, path,
                            want);
            goto done;
        }
    }
done:
    ds_free(shards);
    json_decref(root);
    return st;
}

ds_status ds_ckpt_open(ds_ckpt **out, const char *dir, ds_err *err)
{
    *out = NULL;
    ds_ckpt *c = ds_calloc(1, sizeof *c);
    if (!c || !(c->dir = ds_strdup(dir))) {
        ds_free(c);
        return ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", dir);
    }
    ds_status st;
    char *index = ds_asprintf("%s/model.safetensors.index.json", dir);
    char *single = ds_asprintf("%s/model.safetensors", dir);
    if (!index || !single) {
        st = ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", dir);
        goto done;
    }
    struct stat sb;
    if (stat(index, &sb) == 0) {
        st = open_sharded(c, index, err);
    } else if (stat(single, &sb) == 0) {
        c->files = ds_calloc(1, sizeof *c->files);
        if (!c->files) {
            st = ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", dir);
            goto done;
        }
        st = ds_st_open(&c->files[0], single, err);
        if (st == DS_OK) {
            c->n_files = 1;
            st = build_index(c, err);
        }
    } else {
        st = ds_err_set(err, DS_ERR_NOT_FOUND, "%s: neither model.safetensors nor model.safetensors.index.json", dir);
    }
done:
    ds_free(index);
    ds_free(single);
    if (st != DS_OK) {
        ds_ckpt_free(c);
        return st;
    }
    *out = c;
    return DS_OK;
}

int *ds_ckpt_fds_open(const ds_ckpt *c)
{
    int *fds = ds_malloc(sizeof(int) * (size_t)(c->n_files + 1));
    for (int f = 0; fds && f < c->n_files; f++)
        fds[f] = c->files[f].map && c->files[f].path ? open(c->files[f].path, O_RDONLY | O_CLOEXEC) : -1;
    return fds;
}

void ds_ckpt_fds_close(const ds_ckpt *c, int *fds)
{
    for (int f = 0; fds && f < c->n_files; f++)
        if (fds[f] >= 0)
            close(fds[f]);
    ds_free(fds);
}

void ds_ckpt_release(const ds_ckpt *c, const int *fds, const void *p, size_t n)
{
    const uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
    for (int f = 0; f < c->n_files; f++) {
        const uintptr_t lo = (uintptr_t)c->files[f].map, hi = lo + c->files[f].map_size;
        if (!c->files[f].map || (uintptr_t)p < lo || (uintptr_t)p >= hi)
            continue;
        const uintptr_t end = (uintptr_t)p + n < hi ? (uintptr_t)p + n : hi;
        const uintptr_t b = ((uintptr_t)p + pg - 1) / pg * pg, e = end / pg * pg;
        if (e <= b)
            return;
        madvise((void *)b, e - b, MADV_DONTNEED);
        if (fds && fds[f] >= 0)
            posix_fadvise(fds[f], (off_t)(b - lo), (off_t)(e - b), POSIX_FADV_DONTNEED);
        return;
    }
}
