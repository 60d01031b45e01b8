/* outfile.h - files dossier writes: created with an explicit mode (not the caller's umask),
 * never through a symbolic link, and replaced atomically through a temporary file with a
 * random name created exclusively in the target's folder.
 *
 * Owns: nothing global. A ds_outfile owns its FILE and temporary name until
 * ds_outfile_commit or ds_outfile_abort. Threading: one caller per ds_outfile.
 */
#ifndef DS_CORE_OUTFILE_H
#define DS_CORE_OUTFILE_H

#include "status.h"

#include <stdio.h>
#include <sys/types.h>

/* Modes of what dossier writes: readable by others where a collector or a web server reads it,
 * private where it holds fetched documents or logs. */
#define DS_MODE_PUBLIC 0644
#define DS_MODE_PRIVATE 0640
#define DS_MODE_DIR_PRIVATE 0750

typedef struct ds_outfile {
    FILE *f;         /* write here */
    char tmp[4096];  /* the temporary file, in the target's folder */
    char path[4096]; /* the target */
} ds_outfile;

/* Creates a temporary file beside path (O_CREAT|O_EXCL|O_NOFOLLOW, random name, then mode set
 * with fchmod). */
ds_status ds_outfile_begin(ds_outfile *o, const char *path, mode_t mode, ds_err *err);
/* Flushes, syncs and renames the temporary file onto the target. Closes o in every case; on
 * failure the temporary file is removed. */
ds_status ds_outfile_commit(ds_outfile *o, ds_err *err);
/* Closes and removes the temporary file. No-op on a closed ds_outfile. */
void ds_outfile_abort(ds_outfile *o);

/* Opens path for writing ("w": truncate, "a": append) without following a symbolic link in its
 * last component, creating it with exactly mode (fchmod when created). NULL with errno set. */
FILE *ds_outfile_open(const char *path, const char *how, mode_t mode);

#endif
