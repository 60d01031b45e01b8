/* st_writer.c - the safetensors writer of st_writer.h: an 8-byte little-endian header length,
 * the JSON header padded with spaces to a multiple of 8, then the tensors' bytes back to back.
 * Owns: its buffers while writing. Threading: reentrant.
 */
#include "model/st_writer.h"

#include "pipeline/core/alloc.h"
#include "pipeline/core/buf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

size_t ds_st_out_bytes(const ds_st_out *t)
{
    size_t n = ds_st_dtype_size(t->dtype);
    for (int d = 0; d < t->ndim; d++)
        n *= (size_t)t->shape[d];
    return n;
}

ds_status ds_st_write_file(const char *path, const ds_st_out *t, size_t n, ds_st_fill_fn fill, void *ud, ds_err *err)
{
    ds_buf h = DS_BUF_INIT;
    ds_status st = ds_buf_puts(&h, "{\"__metadata__\":{\"format\":\"pt\"}");
    uint64_t off = 0;
    size_t biggest = 0;
    for (size_t i = 0; i < n && st == DS_OK; i++) {
        const size_t sz = ds_st_out_bytes(&t[i]);
        if (ds_st_dtype_size(t[i].dtype) > 1 && off % ds_st_dtype_size(t[i].dtype) != 0) {
            ds_buf_deinit(&h);
            return ds_err_set(err, DS_ERR_INTERNAL, "%s: tensor %s would start unaligned", path, t[i].name);
        }
        st = ds_buf_printf(&h, ",\"%s\":{\"dtype\":\"%s\",\"shape\":[", t[i].name, ds_st_dtype_name(t[i].dtype));
        for (int d = 0; d < t[i].ndim && st == DS_OK; d++)
            st = ds_buf_printf(&h, "%s%lld", d ? "," : "", (long long)t[i].shape[d]);
        if (st == DS_OK)
            st = ds_buf_printf(&h, "],\"data_offsets\":[%llu,%llu]}", (unsigned long long)off,
                               (unsigned long long)(off + sz));
        off += sz;
        if (sz > biggest)
            biggest = sz;
    }
    if (st == DS_OK)
        st = ds_buf_putc(&h, '}');
    while (st == DS_OK && h.len % 8)
        st = ds_buf_putc(&h, ' ');
    if (st != DS_OK) {
        ds_buf_deinit(&h);
        return ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory for the header", path);
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        ds_buf_deinit(&h);
        return ds_err_set(err, DS_ERR_IO, "%s: %s", path, strerror(errno));
    }
    unsigned char len8[8];
    for (int i = 0; i < 8; i++)
        len8[i] = (unsigned char)((uint64_t)h.len >> (8 * i));
    int ok = fwrite(len8, 1, 8, f) == 8 && fwrite(h.data, 1, h.len, f) == h.len;
    ds_buf_deinit(&h);
    void *buf = ds_malloc(biggest ? biggest : 1);
    if (!buf) {
        fclose(f);
        return ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory for a %zu-byte tensor", path, biggest);
    }
    for (size_t i = 0; i < n && ok && st == DS_OK; i++) {
        const size_t sz = ds_st_out_bytes(&t[i]);
        st = fill(ud, i, buf, sz, err);
        if (st == DS_OK)
            ok = fwrite(buf, 1, sz, f) == sz;
    }
    ds_free(buf);
    if (fclose(f) != 0)
        ok = 0;
    if (st != DS_OK)
        return st;
    if (!ok)
        return ds_err_set(err, DS_ERR_IO, "%s: write failed: %s", path, strerror(errno));
    return DS_OK;
}
