/* st_writer.h - writing a safetensors file tensor by tensor (st_writer.c), for checkpoints the
 * engine produces (`dossier model quantize`). Stage-internal (model/ and tests).
 * The header lists the tensors in the given order with contiguous data offsets; callers order
 * them so that every tensor starts aligned to its element size (4-byte tensors first).
 * Threading: reentrant; the fill callback runs on the caller's thread.
 */
#ifndef DS_MODEL_ST_WRITER_H
#define DS_MODEL_ST_WRITER_H

#include "model/checkpoint_internal.h"

typedef struct ds_st_out {
    char name[256];
    ds_st_dtype dtype;
    int ndim; /* 0..2 */
    int64_t shape[2];
} ds_st_out;

/* Writes tensor i's bytes (bytes = its size) into buf. */
typedef ds_status (*ds_st_fill_fn)(void *ud, size_t i, void *buf, size_t bytes, ds_err *err);

/* Writes path (replacing it): the header of t[0..n), then each tensor's bytes from fill, one
 * tensor at a time (one buffer of the largest tensor's size). */
ds_status ds_st_write_file(const char *path, const ds_st_out *t, size_t n, ds_st_fill_fn fill, void *ud, ds_err *err);
size_t ds_st_out_bytes(const ds_st_out *t);

#endif
