/* outfile.c - explicit modes and exclusive, atomic replacement of written files (outfile.h). */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

ds_status ds_outfile_begin(ds_outfile *o, const char *path, mode_t mode, ds_err *err)
{
    memset(o, 0, sizeof *o);
    if (strlen(path) + 32 >= sizeof o->path)
        return ds_err_set(err, DS_ERR_USAGE, "path too long: %s", path);
    snprintf(o->path, sizeof o->path, "%s", path);
    const char *slash = strrchr(path, '/');
    int dir_len = slash ? (int)(slash - path + 1) : 0;
    for (int tries = 0; tries < 16; tries++) {
        uint64_t r = 0;
        if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
            return ds_err_set(err, DS_ERR_IO, "getrandom: %s", strerror(errno));
        snprintf(o->tmp, sizeof o->tmp, "%.*s.dossier-%016llx.tmp", dir_len, path, (unsigned long long)r);
        int fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0 && errno == EEXIST)
            continue;
        if (fd < 0)
            return ds_err_set(err, DS_ERR_IO, "cannot create %s: %s", o->tmp, strerror(errno));
        if (fchmod(fd, mode) != 0 || !(o->f = fdopen(fd, "w"))) {
            int e = errno;
            close(fd);
            unlink(o->tmp);
            return ds_err_set(err, DS_ERR_IO, "cannot prepare %s: %s", o->tmp, strerror(e));
        }
        return DS_OK;
    }
    return ds_err_set(err, DS_ERR_IO, "cannot create a temporary file beside %s", path);
}

ds_status ds_outfile_commit(ds_outfile *o, ds_err *err)
{
    if (!o->f)
        return ds_err_set(err, DS_ERR_INTERNAL, "%s is not open", o->path);
    int bad = fflush(o->f) != 0 || ferror(o->f) || fsync(fileno(o->f)) != 0;
    int e = errno;
    if (fclose(o->f) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    o->f = NULL;
    if (bad) {
        unlink(o->tmp);
        return ds_err_set(err, DS_ERR_IO, "writing %s failed: %s", o->tmp, strerror(e));
    }
    if (rename(o->tmp, o->path) != 0) {
        e = errno;
        unlink(o->tmp);
        return ds_err_set(err, DS_ERR_IO, "cannot rename %s to %s: %s", o->tmp, o->path, strerror(e));
    }
    return DS_OK;
}

void ds_outfile_abort(ds_outfile *o)
{
    if (!o || !o->f)
        return;
    fclose(o->f);
    o->f = NULL;
    unlink(o->tmp);
}

FILE *ds_outfile_open(const char *path, const char *how, mode_t mode)
{
    int append = how && how[0] == 'a';
    int flags = O_WRONLY | O_NOFOLLOW | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
    int fd = open(path, flags | O_CREAT | O_EXCL, 0600);
    int created = fd >= 0;
    if (fd < 0 && errno == EEXIST)
        fd = open(path, flags, 0600);
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) != 0 || (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode)) || (created && fchmod(fd, mode) != 0)) {
        int e = errno ? errno : EINVAL;
        close(fd);
        errno = e;
        return NULL;
    }
    FILE *f = fdopen(fd, append ? "a" : "w");
    if (!f) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return f;
}
