/* buf.h - growable byte buffer, always NUL-terminated.
 *
 * Owns: its data (ds_malloc); ds_buf_deinit frees it, ds_buf_take hands it to the caller.
 * Threading: one owner at a time. Every append returns DS_OK or DS_ERR_NOMEM; after a failed
 * append the buffer is unchanged.
 */
#ifndef DS_CORE_BUF_H
#define DS_CORE_BUF_H

#include "status.h"

#include <stddef.h>

typedef struct ds_buf {
    char *data; /* NUL-terminated when non-NULL */
    size_t len, cap;
} ds_buf;

#define DS_BUF_INIT \
    {               \
        NULL, 0, 0  \
    }

void ds_buf_init(ds_buf *b);
void ds_buf_deinit(ds_buf *b);
void ds_buf_clear(ds_buf *b); /* length 0, keeps capacity */
ds_status ds_buf_reserve(ds_buf *b, size_t extra);
ds_status ds_buf_append(ds_buf *b, const void *p, size_t n);
ds_status ds_buf_puts(ds_buf *b, const char *s);
ds_status ds_buf_putc(ds_buf *b, char c);
ds_status ds_buf_printf(ds_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the data (caller frees with ds_free) and leaves b empty. Never NULL on success. */
char *ds_buf_take(ds_buf *b);
/* Reads a whole file; max_bytes 0 means no limit (DS_ERR_TOO_LARGE when over). */
ds_status ds_buf_read_file(ds_buf *b, const char *path, size_t max_bytes, ds_err *err);

#endif
