/* checkpoint_internal.h - stage-internal interface of checkpoint loading: the safetensors file
 * parser (safetensors.c), the Hugging Face config.json reader (hfconfig.c) and the checkpoint
 * directory with its tensor index (checkpoint.c).
 *
 * Owns: a ds_st_file owns its mapping and its tensor table; a ds_ckpt owns its files. Tensor
 * data pointers are borrowed from the mapping and stay valid until the file or checkpoint is
 * closed. Threading: parsing is reentrant; an opened file or checkpoint is read-only and may be
 * shared by any number of threads.
 * Not part of the model stage's public interface (model/model.h): only model/ and tests use it.
 */
#ifndef DS_MODEL_CHECKPOINT_INTERNAL_H
#define DS_MODEL_CHECKPOINT_INTERNAL_H

#include "model/model.h"
#include "pipeline/core/status.h"

#include <stddef.h>
#include <stdint.h>

/* ---- safetensors ------------------------------------------------------------------------- */

/* Limits that keep a hostile header from asking for absurd work. */
#define DS_ST_MAX_HEADER (100u * 1024u * 1024u) /* bytes of JSON header, as the format caps it */
#define DS_ST_MAX_DIMS 8
#define DS_ST_MAX_TENSORS 1000000

typedef enum ds_st_dtype {
    DS_ST_BOOL,
    DS_ST_U8,
    DS_ST_I8,
    DS_ST_I16,
    DS_ST_U16,
    DS_ST_F16,
    DS_ST_BF16,
    DS_ST_I32,
    DS_ST_U32,
    DS_ST_F32,
    DS_ST_F64,
    DS_ST_I64,
    DS_ST_U64,
    DS_ST_F8_E4M3,
    DS_ST_F8_E5M2,
    DS_ST_DTYPE_COUNT_
} ds_st_dtype;

const char *ds_st_dtype_name(ds_st_dtype t);
size_t ds_st_dtype_size(ds_st_dtype t);

typedef struct ds_st_tensor {
    const char *name; /* owned by the file */
    ds_st_dtype dtype;
    int ndim; /* 0 = scalar */
    int64_t shape[DS_ST_MAX_DIMS];
    uint64_t nelem;      /* product of shape (1 for a scalar) */
    uint64_t begin, end; /* byte range within the data section */
    const void *data;    /* begin of the bytes (borrowed from the image) */
    int file_index;      /* which shard of a checkpoint */
} ds_st_tensor;

typedef struct ds_st_file {
    char *path; /* owned */
    void *map;  /* mmap of the whole file, or NULL for a parsed buffer */
    size_t map_size;
    const uint8_t *image; /* the file's bytes (the mapping or the caller's buffer) */
    size_t image_size;
    uint64_t header_len;
    const uint8_t *data_start; /* image + 8 + header_len */
    uint64_t data_size;
    ds_st_tensor *tensors; /* owned, n_tensors entries, in header order */
    size_t n_tensors;
    char *names; /* owned storage of the tensor names */
} ds_st_file;

/* Parses and validates the header of a safetensors image held in bytes[0..size) (the whole
 * file). Every entry is checked: known dtype, shape of non-negative dimensions whose product
 * times the element size equals the byte range, range inside the data section, ranges not
 * overlapping, data aligned to the element size. name is used in messages. On success f holds
 * the tensor table with data pointers into bytes (borrowed: bytes must outlive f).
 * On failure f is left empty (ds_st_close is still safe). */
ds_status ds_st_parse(ds_st_file *f, const uint8_t *bytes, size_t size, const char *name, ds_err *err);
/* Memory-maps path read-only and parses it. */
ds_status ds_st_open(ds_st_file *f, const char *path, ds_err *err);
/* Unmaps and frees; f is zeroed. Safe on a zeroed or failed f. */
void ds_st_close(ds_st_file *f);
const ds_st_tensor *ds_st_find(const ds_st_file *f, const char *name);

/* ---- config.json ------------------------------------------------------------------------- */

/* Parses a Hugging Face config.json text (Qwen3MoeForCausalLM or Qwen3ForCausalLM) into cfg,
 * with the Hugging Face defaults for absent optional keys, and checks every value's type and
 * range. path names the file in messages. cfg must be released with ds_model_config_deinit. */
ds_status ds_hfconfig_parse(ds_model_config *cfg, const char *text, size_t len, const char *path, ds_err *err);
ds_status ds_hfconfig_load(ds_model_config *cfg, const char *path, ds_err *err);

/* ---- checkpoint directory ---------------------------------------------------------------- */

typedef struct ds_ckpt {
    char *dir;         /* owned */
    ds_st_file *files; /* owned, n_files */
    int n_files;
    const ds_st_tensor **slots; /* open-addressing index by name; borrowed entries */
    size_t n_slots;
    size_t n_tensors;
    uint64_t total_bytes; /* tensor bytes over all files */
} ds_ckpt;

/* Opens dir/model.safetensors.index.json and its shards when present, else
 * dir/model.safetensors. Shard names from the index must be plain file names in dir. A tensor
 * present in two shards, or not in the shard the index names, is an error. Caller frees with
 * ds_ckpt_free. */
ds_status ds_ckpt_open(ds_ckpt **out, const char *dir, ds_err *err);
void ds_ckpt_free(ds_ckpt *c);
const ds_st_tensor *ds_ckpt_find(const ds_ckpt *c, const char *name);

/* Letting mapped bytes go once the loader has copied or repacked them. ds_ckpt_fds_open opens
 * each file of c for reading (an array of c->n_files descriptors, -1 where that fails; NULL
 * when out of memory), ds_ckpt_fds_close closes and frees it (NULL: nothing). ds_ckpt_release: the whole pages of [p, p + n) inside c's mappings are unmapped
 * from this process (MADV_DONTNEED) and dropped from the page cache (POSIX_FADV_DONTNEED on
 * fds, which leaves pages another mapping holds), so the memory they held is free for what
 * replaces them: the 2 MiB pages of the copies are then found free rather than behind a page
 * cache the size of the checkpoint. Read again, the bytes come back from the file. fds may be
 * NULL (unmapped only); bytes outside the mappings are ignored. */
int *ds_ckpt_fds_open(const ds_ckpt *c);
void ds_ckpt_fds_close(const ds_ckpt *c, int *fds);
void ds_ckpt_release(const ds_ckpt *c, const int *fds, const void *p, size_t n);

#endif
