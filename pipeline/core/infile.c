/* infile.c - see infile.h. */
#include "infile.h"

#include "utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static ds_status open_regular(const char *path, int flags, size_t max_bytes, int *fd_out, ds_err *err)
{
    int of = O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | ((flags & DS_INFILE_NOFOLLOW) ? O_NOFOLLOW : 0);
    int fd = open(path, of);
    if (fd < 0) {
        if (errno == ELOOP)
            return ds_err_set(err, DS_ERR_IO, "%s is a symbolic link, refused", path);
        return ds_err_set(err, errno == ENOENT ? DS_ERR_NOT_FOUND : DS_ERR_IO, "cannot open %s: %s", path,
                          strerror(errno));
    }
    struct stat sb;
    ds_status st = DS_OK;
    if (fstat(fd, &sb) != 0)
        st = ds_err_set(err, DS_ERR_IO, "cannot stat %s: %s", path, strerror(errno));
    else if (!S_ISREG(sb.st_mode))
        st = ds_err_set(err, DS_ERR_IO, "%s is not a regular file (a folder, FIFO, socket or device), refused", path);
    else if (max_bytes && (unsigned long long)sb.st_size > (unsigned long long)max_bytes)
        st = ds_err_set(err, DS_ERR_TOO_LARGE, "%s is larger than the limit of %zu bytes", path, max_bytes);
    else if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0)
        st = ds_err_set(err, DS_ERR_IO, "%s: %s", path, strerror(errno));
    if (st != DS_OK) {
        close(fd);
        return st;
    }
    *fd_out = fd;
    return DS_OK;
}

ds_status ds_infile_read(ds_buf *b, const char *path, size_t max_bytes, int flags, ds_err *err)
{
    int fd = -1;
    ds_status st = open_regular(path, flags, max_bytes, &fd, err);
    if (st)
        return st;
    size_t start = b->len;
    char chunk[65536];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            st = ds_err_set(err, DS_ERR_IO, "read error on %s: %s", path, strerror(errno));
            break;
        }
        if (n == 0)
            break;
        if (max_bytes && b->len - start + (size_t)n > max_bytes) {
            st = ds_err_set(err, DS_ERR_TOO_LARGE, "%s is larger than the limit of %zu bytes", path, max_bytes);
            break;
        }
        if (ds_buf_append(b, chunk, (size_t)n) != DS_OK) {
            st = ds_err_set(err, DS_ERR_NOMEM, "out of memory reading %s", path);
            break;
        }
    }
    close(fd);
    if (st != DS_OK) {
        b->len = start;
        if (b->data)
            b->data[start] = '\0';
    } else if (!b->data) {
        st = ds_buf_reserve(b, 0);
    }
    return st;
}

ds_status ds_infile_name_escape(ds_buf *out, const char *name)
{
    const unsigned char *s = (const unsigned char *)name;
    size_t n = strlen(name);
    for (size_t i = 0; i < n;) {
        size_t k = ds_utf8_seq_len(s + i, n - i);
        if (k == 0 || s[i] < 0x20 || s[i] == 0x7f || s[i] == '\\') {
            char esc[5];
            snprintf(esc, sizeof esc, "\\x%02x", s[i]);
            if (ds_buf_append(out, esc, 4) != DS_OK)
                return DS_ERR_NOMEM;
            i++;
            continue;
        }
        if (ds_buf_append(out, s + i, k) != DS_OK)
            return DS_ERR_NOMEM;
        i += k;
    }
    return ds_buf_reserve(out, 0);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

ds_status ds_infile_name_unescape(ds_buf *out, const char *escaped)
{
    for (const char *p = escaped; *p;) {
        int hi, lo;
        if (p[0] == '\\' && p[1] == 'x' && (hi = hexval(p[2])) >= 0 && (lo = hexval(p[3])) >= 0 && (hi || lo)) {
            if (ds_buf_putc(out, (char)(hi * 16 + lo)) != DS_OK)
                return DS_ERR_NOMEM;
            p += 4;
        } else {
            if (ds_buf_putc(out, *p) != DS_OK)
                return DS_ERR_NOMEM;
            p++;
        }
    }
    return ds_buf_reserve(out, 0);
}
