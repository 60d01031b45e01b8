/* infile.h - reading one input document safely, and file names as lossless UTF-8 text.
 *
 * ds_infile_read opens without blocking (a FIFO cannot hang the run), optionally refuses a
 * symbolic link as the last component, checks the opened descriptor is a regular file and that
 * its size is within the limit before reading a byte, and never reads more than the limit even
 * when the file grows meanwhile.
 *
 * File names are bytes; the database stores text. ds_infile_name_escape writes a name as valid
 * UTF-8: bytes that are not UTF-8, control characters and the backslash become \xNN (so a name
 * can neither break an INSERT nor forge a log line); ds_infile_name_unescape gives the bytes back.
 * Owns: nothing beyond the caller's buffers. Threading: reentrant.
 */
#ifndef DS_CORE_INFILE_H
#define DS_CORE_INFILE_H

#include "buf.h"
#include "status.h"

#include <stddef.h>

enum { DS_INFILE_NOFOLLOW = 1 };

/* Appends the file's bytes to b. max_bytes 0: no limit. flags: DS_INFILE_NOFOLLOW. Errors:
 * DS_ERR_NOT_FOUND, DS_ERR_IO (not a regular file, a link when refused, read error),
 * DS_ERR_TOO_LARGE, DS_ERR_NOMEM; b is then left as it was. */
ds_status ds_infile_read(ds_buf *b, const char *path, size_t max_bytes, int flags, ds_err *err);

/* Escaped form of name appended to out (DS_ERR_NOMEM only). */
ds_status ds_infile_name_escape(ds_buf *out, const char *name);
/* The bytes an escaped name stands for, appended to out (DS_ERR_NOMEM only); text that is
 * not an escape is copied as it is. */
ds_status ds_infile_name_unescape(ds_buf *out, const char *escaped);

#endif
