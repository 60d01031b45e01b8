/* edgar_json_internal.h - the small JSON reader shared by the readers of EDGAR's index files
 * (edgar_submissions.c, edgar_tickers.c): a recursive-descent walk that keeps the path to the
 * current value (object keys, member ordinals, container kinds) and hands every scalar to a
 * callback. Strings are decoded (UTF-8 kept; \u escapes outside ASCII become '?', enough for the
 * fields kept); numbers are handed over as their text; true, false and null as NULL. Nesting
 * deeper than DS_EDGAR_JSON_MAX_DEPTH is malformed; a key longer than DS_EDGAR_JSON_KEY_MAX - 1
 * is seen as "".
 *
 * Ownership: the callback owns each value it is given (ds_free); the path is borrowed for the
 * call. Threading: reentrant.
 */
#ifndef DS_INGEST_EDGAR_JSON_INTERNAL_H
#define DS_INGEST_EDGAR_JSON_INTERNAL_H

#include "pipeline/core/status.h"

#include <stddef.h>

#define DS_EDGAR_JSON_MAX_DEPTH 64
#define DS_EDGAR_JSON_KEY_MAX 40

/* Where a scalar sits: level i (0 the outermost container, depth - 1 the scalar's own) is an
 * array when is_array[i], keys[i] is the member's key ("" in an array) and index[i] its ordinal
 * (0 for the first member or element). */
typedef struct ds_edgar_json_path {
    int depth;
    char keys[DS_EDGAR_JSON_MAX_DEPTH][DS_EDGAR_JSON_KEY_MAX];
    size_t index[DS_EDGAR_JSON_MAX_DEPTH];
    unsigned char is_array[DS_EDGAR_JSON_MAX_DEPTH];
} ds_edgar_json_path;

/* value: the decoded string (is_string), a number's text, or NULL for true, false and null;
 * depth 0 for a scalar standing alone. Returns 0, or -1 to stop the walk as out of memory. */
typedef int (*ds_edgar_json_scalar_fn)(void *ctx, const ds_edgar_json_path *path, char *value, int is_string);

/* Walks n bytes of JSON. what names the document in messages ("submissions json"). DS_ERR_EMPTY
 * on empty input, DS_ERR_PARSE naming the byte offset, DS_ERR_NOMEM. */
ds_status ds_edgar_json_walk(const char *json, size_t n, const char *what, ds_edgar_json_scalar_fn fn, void *ctx,
                             ds_err *err);

#endif
