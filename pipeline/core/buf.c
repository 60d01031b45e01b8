/* buf.c - growable byte buffer (see buf.h). */
#include "buf.h"

#include "alloc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void ds_buf_init(ds_buf *b)
{
    b->data = NULL;
    b->len = b->cap = 0;
}

void ds_buf_deinit(ds_buf *b)
{
    if (!b)
        return;
    ds_free(b->data);
    ds_buf_init(b);
}

void ds_buf_clear(ds_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

ds_status ds_buf_reserve(ds_buf *b, size_t extra)
{
    if (extra > (size_t)-1 - b->len - 1)
        return DS_ERR_NOMEM;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return DS_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > ((size_t)-1) / 2 ? need : cap * 2;
    char *d = ds_realloc(b->data, cap);
    if (!d)
        return DS_ERR_NOMEM;
    if (!b->data)
        d[0] = '\0';
    b->data = d;
    b->cap = cap;
    return DS_OK;
}

ds_status ds_buf_append(ds_buf *b, const void *p, size_t n)
{
    if (ds_buf_reserve(b, n) != DS_OK)
        return DS_ERR_NOMEM;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return DS_OK;
}

ds_status ds_buf_puts(ds_buf *b, const char *s)
{
    return ds_buf_append(b, s, strlen(s));
}

ds_status ds_buf_putc(ds_buf *b, char c)
{
    return ds_buf_append(b, &c, 1);
}

ds_status ds_buf_printf(ds_buf *b, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    ds_status st = DS_ERR_INTERNAL;
    if (n >= 0 && (st = ds_buf_reserve(b, (size_t)n)) == DS_OK) {
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
    }
    va_end(ap2);
    return st;
}

char *ds_buf_take(ds_buf *b)
{
    if (!b->data && ds_buf_reserve(b, 0) != DS_OK)
        return NULL;
    char *d = b->data;
    ds_buf_init(b);
    return d;
}

ds_status ds_buf_read_file(ds_buf *b, const char *path, size_t max_bytes, ds_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return ds_err_set(err, errno == ENOENT ? DS_ERR_NOT_FOUND : DS_ERR_IO, "cannot open %s: %s", path,
                          strerror(errno));
    ds_status st = DS_OK;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (max_bytes && b->len + n > max_bytes) {
            st = ds_err_set(err, DS_ERR_TOO_LARGE, "%s is larger than the limit of %zu bytes", path, max_bytes);
            break;
        }
        if (ds_buf_append(b, chunk, n) != DS_OK) {
            st = ds_err_set(err, DS_ERR_NOMEM, "out of memory reading %s", path);
            break;
        }
    }
    if (st == DS_OK && ferror(f))
        st = ds_err_set(err, DS_ERR_IO, "read error on %s", path);
    fclose(f);
    if (st == DS_OK && !b->data)
        st = ds_buf_reserve(b, 0);
    return st;
}
