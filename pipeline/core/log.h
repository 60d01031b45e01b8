/* log.h - structured logging: one JSON object per line (or plain text for people).
 *
 * Owns: nothing global. A ds_log is created by main and passed down explicitly; a NULL ds_log*
 * discards messages. Threading: one line is written with a single fwrite under the stdio lock,
 * so lines from several threads never interleave; processes share the file in append mode.
 */
#ifndef DS_CORE_LOG_H
#define DS_CORE_LOG_H

#include <stdio.h>

typedef enum ds_log_level { DS_LOG_LEVEL_DEBUG, DS_LOG_LEVEL_INFO, DS_LOG_LEVEL_WARN, DS_LOG_LEVEL_ERROR } ds_log_level;

typedef struct ds_log {
    FILE *out; /* borrowed unless owns_out */
    int owns_out;
    int json; /* 1: JSON lines, 0: human text */
    ds_log_level min;
    int tty; /* 1: out is a terminal with a progress line; each record clears it first */
} ds_log;

/* path NULL or "-" logs to stderr. Returns 0, or -1 with errno when the file cannot open. */
int ds_log_open(ds_log *log, const char *path, int json, ds_log_level min);
void ds_log_close(ds_log *log);
ds_log_level ds_log_level_parse(const char *s, int *ok);
const char *ds_log_level_str(ds_log_level l);

/* Writes one record. component is a short stage name ("ingest", "db"). */
void ds_log_write(ds_log *log, ds_log_level level, const char *component, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define DS_DEBUG(log, comp, ...) ds_log_write((log), DS_LOG_LEVEL_DEBUG, (comp), __VA_ARGS__)
#define DS_INFO(log, comp, ...) ds_log_write((log), DS_LOG_LEVEL_INFO, (comp), __VA_ARGS__)
#define DS_WARN(log, comp, ...) ds_log_write((log), DS_LOG_LEVEL_WARN, (comp), __VA_ARGS__)
#define DS_ERROR(log, comp, ...) ds_log_write((log), DS_LOG_LEVEL_ERROR, (comp), __VA_ARGS__)

/* Appends s to out as a JSON string body (without quotes), escaping as RFC 8259 requires.
 * Invalid UTF-8 bytes become U+FFFD. Returns bytes written (truncates at cap-1, NUL-terminated). */
size_t ds_json_escape(char *out, size_t cap, const char *s);

#endif
