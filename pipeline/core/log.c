/* log.c - JSON-lines / text logger (see log.h). */
#include "log.h"

#include "outfile.h"
#include "redact.h"
#include "utf8.h"

#include <stdarg.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static const char *const level_names[] = {"debug", "info", "warn", "error"};

const char *ds_log_level_str(ds_log_level l)
{
    return (unsigned)l < 4 ? level_names[l] : "info";
}

ds_log_level ds_log_level_parse(const char *s, int *ok)
{
    for (int i = 0; i < 4; i++)
        if (s && strcmp(s, level_names[i]) == 0) {
            if (ok)
                *ok = 1;
            return (ds_log_level)i;
        }
    if (ok)
        *ok = 0;
    return DS_LOG_LEVEL_INFO;
}

int ds_log_open(ds_log *log, const char *path, int json, ds_log_level min)
{
    log->json = json;
    log->min = min;
    log->tty = 0;
    /* "-" and the process's own standard error by name: no file to create */
    if (!path || !*path || strcmp(path, "-") == 0 || strcmp(path, "/dev/stderr") == 0 ||
        strcmp(path, "/proc/self/fd/2") == 0) {
        log->out = stderr;
        log->owns_out = 0;
        return 0;
    }
    log->out = ds_outfile_open(path, "a", DS_MODE_PRIVATE);
    if (!log->out) {
        log->out = stderr;
        log->owns_out = 0;
        return -1;
    }
    log->owns_out = 1;
    return 0;
}

void ds_log_close(ds_log *log)
{
    if (log && log->owns_out && log->out)
        fclose(log->out);
    if (log) {
        log->out = NULL;
        log->owns_out = 0;
    }
}

size_t ds_json_escape(char *out, size_t cap, const char *s)
{
    size_t o = 0;
    if (cap == 0)
        return 0;
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p && o + 7 < cap) {
        unsigned char c = *p;
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
            p++;
        } else if (c < 0x20) {
            const char *esc = c == '\n' ? "\\n" : c == '\t' ? "\\t" : c == '\r' ? "\\r" : NULL;
            if (esc) {
                memcpy(out + o, esc, 2);
                o += 2;
            } else {
                o += (size_t)snprintf(out + o, cap - o, "\\u%04x", c);
            }
            p++;
        } else {
            size_t n = ds_utf8_seq_len(p, strnlen((const char *)p, 4));
            if (n == 0) {
                memcpy(out + o, "\xEF\xBF\xBD", 3);
                o += 3;
                p++;
            } else {
                memcpy(out + o, p, n);
                o += n;
                p += n;
            }
        }
    }
    out[o] = '\0';
    return o;
}

/* Copies s for a text log line: control characters (a newline would forge a line) become
 * \n, \r, \t or \xNN, and a backslash is doubled so the escapes stay unambiguous. */
static void text_escape(char *out, size_t cap, const char *s)
{
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && o + 5 < cap; p++) {
        if (*p == '\\' || *p == '\n' || *p == '\r' || *p == '\t') {
            out[o++] = '\\';
            out[o++] = *p == '\n' ? 'n' : *p == '\r' ? 'r' : *p == '\t' ? 't' : '\\';
        } else if (*p < 0x20 || *p == 0x7f) {
            o += (size_t)snprintf(out + o, cap - o, "\\x%02x", *p);
        } else {
            out[o++] = (char)*p;
        }
    }
    out[o] = '\0';
}

void ds_log_write(ds_log *log, ds_log_level level, const char *component, const char *fmt, ...)
{
    if (!log || !log->out || level < log->min)
        return;
    char raw[2048], msg[2048], esc[4096], line[4608];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    ds_redact_secrets(msg, sizeof msg, raw); /* a connection string in a message keeps its password */

    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    char ts[40];
    size_t tl = strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(ts + tl, sizeof ts - tl, ".%03ldZ", (long)(tv.tv_usec / 1000));

    int n;
    if (log->json) {
        ds_json_escape(esc, sizeof esc, msg);
        n = snprintf(line, sizeof line,
                     "{\"ts\":\"%s\",\"level\":\"%s\",\"pid\":%ld,\"component\":\"%s\",\"msg\":\"%s\"}\n", ts,
                     ds_log_level_str(level), (long)getpid(), component ? component : "-", esc);
    } else {
        text_escape(esc, sizeof esc, msg);
        n = snprintf(line, sizeof line, "%s %-5s %s: %s\n", ts, ds_log_level_str(level), component ? component : "-",
                     esc);
    }
    if (n < 0)
        return;
    size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    if (len > 0 && line[len - 1] != '\n')
        line[len - 1] = '\n';
    flockfile(log->out);
    if (log->tty)
        fputs("\r\033[K", log->out); /* the progress line is redrawn after this record */
    fwrite(line, 1, len, log->out);
    fflush(log->out);
    funlockfile(log->out);
}
