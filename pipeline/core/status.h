/* status.h - the one status enum of dossier and the error-detail struct.
 *
 * Owns: the list of status codes (an X-macro, codes appended, never renumbered) and their
 * messages; ds_err, the caller-provided detail buffer every fallible call fills.
 * Threading: everything here is reentrant; a ds_err belongs to one caller at a time.
 */
#ifndef DS_CORE_STATUS_H
#define DS_CORE_STATUS_H

#include <stdarg.h>
#include <stddef.h>

/* X(name, message). Append new codes at the end; never reorder. */
#define DS_STATUS_MAP(X)                                  \
    X(DS_OK, "success")                                   \
    X(DS_ERR_NOMEM, "out of memory")                      \
    X(DS_ERR_IO, "input/output error")                    \
    X(DS_ERR_USAGE, "bad command-line usage")             \
    X(DS_ERR_CONFIG, "configuration error")               \
    X(DS_ERR_DB, "database error")                        \
    X(DS_ERR_DB_UNREACHABLE, "database unreachable")      \
    X(DS_ERR_PARSE, "malformed input")                    \
    X(DS_ERR_FORMAT, "unsupported or mislabelled format") \
    X(DS_ERR_ENCRYPTED, "document is encrypted")          \
    X(DS_ERR_DAMAGED, "document is damaged")              \
    X(DS_ERR_NO_TEXT, "document has no text layer")       \
    X(DS_ERR_TOO_LARGE, "input exceeds a size limit")     \
    X(DS_ERR_EMPTY, "input is empty")                     \
    X(DS_ERR_NET, "network error")                        \
    X(DS_ERR_HTTP, "http error status")                   \
    X(DS_ERR_TIMEOUT, "timed out")                        \
    X(DS_ERR_NOT_FOUND, "not found")                      \
    X(DS_ERR_UNSUPPORTED, "unsupported")                  \
    X(DS_ERR_MODEL, "model checkpoint error")             \
    X(DS_ERR_SHAPE, "tensor shape mismatch")              \
    X(DS_ERR_CUDA, "cuda error")                          \
    X(DS_ERR_NO_DEVICE, "no gpu device")                  \
    X(DS_ERR_TOKENIZER, "tokenizer error")                \
    X(DS_ERR_CANCELLED, "cancelled")                      \
    X(DS_ERR_BUSY, "another run holds the lock")          \
    X(DS_ERR_INTERNAL, "internal error")                  \
    X(DS_ERR_BUDGET, "document exceeded its time budget") \
    X(DS_ERR_CHANGED, "input changed after it was queued")

typedef enum ds_status {
#define DS_STATUS_ENUM_(name, msg) name,
    DS_STATUS_MAP(DS_STATUS_ENUM_)
#undef DS_STATUS_ENUM_
        DS_STATUS_COUNT_
} ds_status;

/* The static message of a code; never NULL. */
const char *ds_status_str(ds_status s);
/* The code's short name ("DS_ERR_PARSE" -> "parse"), stable, used in the database. */
const char *ds_status_name(ds_status s);

/* Details of a failure, written by the callee. Messages are lower-case, no trailing period,
 * and name the file/document/offset. */
typedef struct ds_err {
    ds_status code;
    char msg[512];
} ds_err;

/* Sets err (if non-NULL) and returns code, so that `return ds_err_set(err, ...)` reads well. */
ds_status ds_err_set(ds_err *err, ds_status code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
ds_status ds_err_setv(ds_err *err, ds_status code, const char *fmt, va_list ap);
/* Prefixes an existing message: "what: <old message>". */
ds_status ds_err_prefix(ds_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ds_err_clear(ds_err *err);

/* DS_TRY(expr): evaluates a ds_status expression and returns it from the enclosing function
 * when it is not DS_OK (its ds_err already filled by the callee). For chains of calls that
 * release nothing on failure; code that must clean up uses goto or `st == DS_OK &&` chains. */
#define DS_TRY(expr)                   \
    do {                               \
        ds_status ds_try_st_ = (expr); \
        if (ds_try_st_ != DS_OK)       \
            return ds_try_st_;         \
    } while (0)

#endif
