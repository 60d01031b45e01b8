/* safetensors.c - parser and validator of the safetensors format, and its read-only mapping.
 *
 * The format: 8 bytes little-endian header length N, N bytes of JSON
 * {"name": {"dtype": "BF16", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}},
 * then the data section; offsets are relative to the data section. Nothing in a header is
 * trusted: every number is range-checked before it is used, so a hostile file yields DS_ERR_MODEL
 * with a message naming the file and the tensor, never an out-of-bounds access.
 * Owns: per ds_st_file, its mapping, tensor table and name storage. Threading: reentrant.
 */
#include "model/checkpoint_internal.h"

#include "pipeline/core/alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
    const char *name;
    size_t size;
} dtype_table[DS_ST_DTYPE_COUNT_] = {
    [DS_ST_BOOL] = {"BOOL", 1}, [DS_ST_U8] = {"U8", 1},           [DS_ST_I8] = {"I8", 1},
    [DS_ST_I16] = {"I16", 2},   [DS_ST_U16] = {"U16", 2},         [DS_ST_F16] = {"F16", 2},
    [DS_ST_BF16] = {"BF16", 2}, [DS_ST_I32] = {"I32", 4},         [DS_ST_U32] = {"U32", 4},
    [DS_ST_F32] = {"F32", 4},   [DS_ST_F64] = {"F64", 8},         [DS_ST_I64] = {"I64", 8},
    [DS_ST_U64] = {"U64", 8},   [DS_ST_F8_E4M3] = {"F8_E4M3", 1}, [DS_ST_F8_E5M2] = {"F8_E5M2", 1},
};

const char *ds_st_dtype_name(ds_st_dtype t)
{
    return (unsigned)t < DS_ST_DTYPE_COUNT_ ? dtype_table[t].name : "?";
}

size_t ds_st_dtype_size(ds_st_dtype t)
{
    return (unsigned)t < DS_ST_DTYPE_COUNT_ ? dtype_table[t].size : 0;
}

static int dtype_parse(const char *s, ds_st_dtype *out)
{
    for (int i = 0; i < DS_ST_DTYPE_COUNT_; i++) {
        if (strcmp(s, dtype_table[i].name) == 0) {
            *out = (ds_st_dtype)i;
            return 1;
        }
    }
    return 0;
}

void ds_st_close(ds_st_file *f)
{
    if (!f)
        return;
    if (f->map)
        munmap(f->map, f->map_size);
    ds_free(f->tensors);
    ds_free(f->names);
    ds_free(f->path);
    memset(f, 0, sizeof *f);
}

/* Copies a printable, bounded form of a tensor name for messages. */
static const char *short_name(char *buf, size_t cap, const char *s)
{
    size_t j = 0;
    for (size_t i = 0; s[i] && j + 4 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        buf[j++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    if (j + 4 >= cap)
        memcpy(buf + j, "...", 3), j += 3;
    buf[j] = '\0';
    return buf;
}

static int cmp_begin(const void *a, const void *b)
{
    const ds_st_tensor *x = *(const ds_st_tensor *const *)a, *y = *(const ds_st_tensor *const *)b;
    if (x->begin != y->begin)
        return x->begin < y->begin ? -1 : 1;
    return x->end < y->end ? -1 : (x->end > y->end);
}

/* A JSON integer in [0, max]; 0 when it is not. */
static int json_u64(const json_t *v, uint64_t max, uint64_t *out)
{
    if (!json_is_integer(v))
        return 0;
    json_int_t i = json_integer_value(v);
    if (i < 0 || (uint64_t)i > max)
        return 0;
    *out = (uint64_t)i;
    return 1;
}

static ds_status parse_entry(ds_st_tensor *t, const char *key, const json_t *val, uint64_t data_size, const char *name,
                             ds_err *err)
{
    char nb[96];
    if (!json_is_object(val))
        return ds_err_set(err, DS_ERR_MODEL, "%s: tensor %s: header entry is not an object", name,
                          short_name(nb, sizeof nb, key));
    const json_t *jd = json_object_get(val, "dtype");
    const json_t *js = json_object_get(val, "shape");
    const json_t *jo = json_object_get(val, "data_offsets");
    if (!json_is_string(jd) || !json_is_array(js) || !json_is_array(jo))
        return ds_err_set(err, DS_ERR_MODEL, "%s: tensor %s: needs string dtype, array shape and array data_offsets",
                          name, short_name(nb, sizeof nb, key));
    if (!dtype_parse(json_string_value(jd), &t->dtype))
        return ds_err_set(err, DS_ERR_MODEL, "%s: tensor %s: unknown dtype", name, short_name(nb, sizeof nb, key));
    size_t nd = json_array_size(js);
    if (nd > DS_ST_MAX_DIMS)
        return ds_err_set(err, DS_ERR_MODEL, "%s: tensor %s: %zu dimensions (at most %d)", name,
                          short_name(nb, sizeof nb, key), nd, DS_ST_MAX_DIMS);
    t->ndim = (int)nd;
    uint64_t nelem = 1;
    int zero = 0;
    for (size_t i = 0; i < nd; i++) {
        uint64_t d;
        if (!json_u64(json_array_get(js, i), (uint64_t)1 << 48, &d))
            return ds_err_set(err, DS_ERR_MODEL, "%s: tensor %s: dimension %zu is not a size", name,
                              short_name(nb, sizeof nb, key), i);
        t->shape[i] = (int64_t)d;
        if (d == 0)
            zero = 1;
        else if (!zero) {
            /* Overflow check: the byte size must fit the data section anyway. */
            if (nelem > data_size / d + 1)
                return ds_err_set(err, DS_ERR_MODEL, "%s: tensor %s: shape larger than the file", name,
                                  short_name(nb, sizeof nb, key));
            nelem *= d;
        }
    }
    if (zero)
        nelem = 0;
    t->nelem = nelem;
    if (json_array_size(jo) != 2 || !json_u64(json_array_get(jo, 0), data_size, &t->begin) ||
        !json_u64(json_array_get(jo, 1), data_size, &t->end) || t->begin > t->end)
        return ds_err_set(err, DS_ERR_MODEL, "%s: tensor %s: data_offsets outside the data section (%llu bytes)", name,
                          short_name(nb, sizeof nb, key), (unsigned long long)data_size);
    size_t es = dtype_table[t->dtype].size;
    if (nelem > UINT64_MAX / es || nelem * es != t->end - t->begin)
        return ds_err_set(err, DS_ERR_MODEL, "%s: tensor %s: %llu bytes for %llu elements of %s", name,
                          short_name(nb, sizeof nb, key), (unsigned long long)(t->end - t->begin),
                          (unsigned long long)nelem, dtype_table[t->dtype].name);
    return DS_OK;
}

/* The little-endian header length of a safetensors image, checked against its size. */
static ds_status read_header_len(const uint8_t *bytes, size_t size, uint64_t *out, const char *name, ds_err *err)
{
    uint64_t hl = 0;
    for (int i = 7; i >= 0; i--)
        hl = (hl << 8) | bytes[i];
    if (hl > DS_ST_MAX_HEADER)
        return ds_err_set(err, DS_ERR_MODEL, "%s: header length %llu exceeds %u bytes", name, (unsigned long long)hl,
                          DS_ST_MAX_HEADER);
    if (hl > size - 8)
        return ds_err_set(err, DS_ERR_MODEL, "%s: header length %llu runs past the end of the file (%zu bytes)", name,
                          (unsigned long long)hl, size);
    if (hl < 2 || bytes[8] != '{')
        return ds_err_set(err, DS_ERR_MODEL, "%s: header at offset 8 is not a JSON object", name);
    *out = hl;
    return DS_OK;
}

/* No two tensors of f may share bytes. */
static ds_status check_no_overlap(const ds_st_file *f, const char *name, ds_err *err)
{
    size_t n = f->n_tensors;
    if (n < 2)
        return DS_OK;
    const ds_st_tensor **ord = ds_malloc(n * sizeof *ord);
    if (!ord)
        return ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", name);
    for (size_t k = 0; k < n; k++)
        ord[k] = &f->tensors[k];
    qsort(ord, n, sizeof *ord, cmp_begin);
    ds_status st = DS_OK;
    for (size_t k = 1; k < n; k++) {
        if (ord[k]->begin < ord[k - 1]->end) {
            char nb[96], nb2[96];
            st = ds_err_set(err, DS_ERR_MODEL, "%s: tensors %s and %s overlap", name,
                            short_name(nb, sizeof nb, ord[k - 1]->name), short_name(nb2, sizeof nb2, ord[k]->name));
            break;
        }
    }
    ds_free(ord);
    return st;
}

ds_status ds_st_parse(ds_st_file *f, const uint8_t *bytes, size_t size, const char *name, ds_err *err)
{
    memset(f, 0, sizeof *f);
    if (!name)
        name = "safetensors";
    if (size < 8)
        return ds_err_set(err, DS_ERR_MODEL, "%s: %zu bytes, too short for a safetensors header", name, size);
    uint64_t hl = 0;
    DS_TRY(read_header_len(bytes, size, &hl, name, err));
    json_error_t je;
    json_t *root = json_loadb((const char *)bytes + 8, (size_t)hl, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return ds_err_set(err, DS_ERR_MODEL, "%s: header JSON: %s at byte %d", name, je.text, je.position + 8);
    ds_status st = DS_OK;
    if (!json_is_object(root)) {
        st = ds_err_set(err, DS_ERR_MODEL, "%s: header is not a JSON object", name);
        goto done;
    }
    f->image = bytes;
    f->image_size = size;
    f->header_len = hl;
    f->data_start = bytes + 8 + hl;
    f->data_size = (uint64_t)size - 8 - hl;

    size_t n = 0, name_bytes = 0;
    const char *key;
    json_t *val;
    json_object_foreach(root, key, val)
    {
        if (strcmp(key, "__metadata__") == 0)
            continue;
        n++;
        name_bytes += strlen(key) + 1;
    }
    if (n > DS_ST_MAX_TENSORS) {
        st = ds_err_set(err, DS_ERR_MODEL, "%s: %zu tensors (at most %d)", name, n, DS_ST_MAX_TENSORS);
        goto done;
    }
    f->tensors = ds_calloc(n ? n : 1, sizeof *f->tensors);
    f->names = ds_malloc(name_bytes ? name_bytes : 1);
    if (!f->tensors || !f->names) {
        st = ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory for %zu tensor entries", name, n);
        goto done;
    }
    char *np = f->names;
    size_t i = 0;
    json_object_foreach(root, key, val)
    {
        if (strcmp(key, "__metadata__") == 0) {
            if (!json_is_object(val)) {
                st = ds_err_set(err, DS_ERR_MODEL, "%s: __metadata__ is not an object", name);
                goto done;
            }
            continue;
        }
        ds_st_tensor *t = &f->tensors[i++];
        size_t kl = strlen(key) + 1;
        memcpy(np, key, kl);
        t->name = np;
        np += kl;
        if ((st = parse_entry(t, key, val, f->data_size, name, err)) != DS_OK)
            goto done;
        t->data = f->data_start + t->begin;
        uint64_t abs_off = 8 + hl + t->begin;
        size_t es = dtype_table[t->dtype].size;
        if (abs_off % es != 0) {
            char nb[96];
            st = ds_err_set(err, DS_ERR_MODEL, "%s: tensor %s: data at file offset %llu is not aligned to %zu bytes",
                            name, short_name(nb, sizeof nb, key), (unsigned long long)abs_off, es);
            goto done;
        }
    }
    f->n_tensors = n;

    st = check_no_overlap(f, name, err);

done:
    json_decref(root);
    if (st != DS_OK) {
        ds_free(f->tensors);
        ds_free(f->names);
        memset(f, 0, sizeof *f);
    }
    return st;
}

ds_status ds_st_open(ds_st_file *f, const char *path, ds_err *err)
{
    memset(f, 0, sizeof *f);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ds_err_set(err, errno == ENOENT ? DS_ERR_NOT_FOUND : DS_ERR_IO, "%s: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return ds_err_set(err, DS_ERR_IO, "%s: not a regular file", path);
    }
    size_t size = (size_t)sb.st_size;
    if (size < 8) {
        close(fd);
        return ds_err_set(err, DS_ERR_MODEL, "%s: %zu bytes, too short for a safetensors header", path, size);
    }
    void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    int e = errno;
    close(fd);
    if (map == MAP_FAILED)
        return ds_err_set(err, DS_ERR_IO, "%s: mmap: %s", path, strerror(e));
    ds_status st = ds_st_parse(f, map, size, path, err);
    if (st != DS_OK) {
        munmap(map, size);
        return st;
    }
    f->map = map;
    f->map_size = size;
    f->path = ds_strdup(path);
    if (!f->path) {
        ds_st_close(f);
        return ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", path);
    }
    return DS_OK;
}

const ds_st_tensor *ds_st_find(const ds_st_file *f, const char *name)
{
    for (size_t i = 0; i < f->n_tensors; i++)
        if (strcmp(f->tensors[i].name, name) == 0)
            return &f->tensors[i];
    return NULL;
}
