/* edgar_json.c - the JSON walk shared by EDGAR's index readers (see edgar_json_internal.h). */
#include "ingest/edgar_json_internal.h"

#include "pipeline/core/alloc.h"

#include <string.h>

typedef struct reader {
    const char *s;
    size_t n, i;
    ds_edgar_json_path path;
    ds_edgar_json_scalar_fn fn;
    void *ctx;
    ds_status oom;
} reader;

/* Hands a scalar to the callback. */
static void collect(reader *r, char *s, int is_string)
{
    if (r->fn(r->ctx, &r->path, s, is_string) != 0)
        r->oom = DS_ERR_NOMEM;
}

static void skip_ws(reader *r)
{
    while (r->i < r->n && (r->s[r->i] == ' ' || r->s[r->i] == '\t' || r->s[r->i] == '\n' || r->s[r->i] == '\r'))
        r->i++;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Reads a string at r->i (the opening quote) into a new buffer (UTF-8; \u escapes outside
 * ASCII become '?', enough for the fields kept). NULL on malformed input or out of memory. */
static char *read_string(reader *r)
{
    if (r->i >= r->n || r->s[r->i] != '"')
        return NULL;
    size_t start = ++r->i, len = 0;
    while (r->i < r->n && r->s[r->i] != '"') {
        if ((unsigned char)r->s[r->i] < 0x20)
            return NULL;
        r->i += r->s[r->i] == '\\' ? 2 : 1;
        len++;
    }
    if (r->i >= r->n)
        return NULL;
    char *out = ds_malloc(len + 1);
    if (!out) {
        r->oom = DS_ERR_NOMEM;
        return NULL;
    }
    size_t k = 0;
    for (size_t j = start; j < r->i; j++) {
        char c = r->s[j];
        if (c == '\\') {
            char e = r->s[++j];
            c = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e == 'b' ? '\b' : e == 'f' ? '\f' : e;
            if (e == 'u') {
                int h[4] = {-1, -1, -1, -1};
                for (int q = 0; q < 4 && j + 1 + (size_t)q < r->i; q++)
                    h[q] = hexval(r->s[j + 1 + (size_t)q]);
                if (h[0] < 0 || h[1] < 0 || h[2] < 0 || h[3] < 0) {
                    ds_free(out);
                    return NULL;
                }
                int cp = h[0] << 12 | h[1] << 8 | h[2] << 4 | h[3];
                c = cp > 0 && cp < 0x80 ? (char)cp : '?';
                j += 4;
            } else if (!strchr("\"\\/bfnrt", e)) {
                ds_free(out);
                return NULL;
            }
        }
        out[k++] = c;
    }
    out[k] = '\0';
    r->i++;
    return out;
}

static int value(reader *r);

static int container(reader *r, char close, int is_object)
{
    ds_edgar_json_path *p = &r->path;
    if (p->depth >= DS_EDGAR_JSON_MAX_DEPTH)
        return -1;
    int d = p->depth++;
    p->keys[d][0] = '\0';
    p->index[d] = 0;
    p->is_array[d] = (unsigned char)!is_object;
    r->i++;
    skip_ws(r);
    if (r->i < r->n && r->s[r->i] == close) {
        r->i++;
        p->depth--;
        return 0;
    }
    for (;; p->index[d]++) {
        skip_ws(r);
        if (is_object) {
            char *k = read_string(r);
            if (!k)
                return -1;
            size_t kl = strlen(k);
            memcpy(p->keys[d], k, kl < DS_EDGAR_JSON_KEY_MAX ? kl + 1 : 0);
            if (kl >= DS_EDGAR_JSON_KEY_MAX)
                p->keys[d][0] = '\0';
            ds_free(k);
            skip_ws(r);
            if (r->i >= r->n || r->s[r->i++] != ':')
                return -1;
        }
        if (value(r) != 0)
            return -1;
        skip_ws(r);
        if (r->i < r->n && r->s[r->i] == ',') {
            r->i++;
            continue;
        }
        if (r->i < r->n && r->s[r->i] == close) {
            r->i++;
            p->depth--;
            return 0;
        }
        return -1;
    }
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Whether s[0..n) is a JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int is_number(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && s[i] == '-')
        i++;
    if (i < n && s[i] == '0')
        i++;
    else if (i < n && is_digit(s[i]))
        while (i < n && is_digit(s[i]))
            i++;
    else
        return 0;
    if (i < n && s[i] == '.') {
        if (++i >= n || !is_digit(s[i]))
            return 0;
        while (i < n && is_digit(s[i]))
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        if (++i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= n || !is_digit(s[i]))
            return 0;
        while (i < n && is_digit(s[i]))
            i++;
    }
    return i == n;
}

/* A scalar other than a string: number (handed over as its text), true, false, null (NULL). */
static int scalar(reader *r)
{
    size_t st = r->i;
    while (r->i < r->n && r->s[r->i] && strchr("+-.0123456789eEtruefalsn", r->s[r->i]))
        r->i++;
    size_t len = r->i - st;
    if (len == 0)
        return -1;
    int is_word = (len == 4 && (!memcmp(r->s + st, "true", 4) || !memcmp(r->s + st, "null", 4))) ||
                  (len == 5 && !memcmp(r->s + st, "false", 5));
    if (!is_word && !is_number(r->s + st, len))
        return -1;
    char *copy = NULL;
    if (!is_word) { /* numbers are kept as text (the cik may be one) */
        if (!(copy = ds_malloc(len + 1))) {
            r->oom = DS_ERR_NOMEM;
            return -1;
        }
        memcpy(copy, r->s + st, len);
        copy[len] = '\0';
    }
    collect(r, copy, 0);
    return r->oom ? -1 : 0;
}

static int value(reader *r)
{
    skip_ws(r);
    if (r->i >= r->n)
        return -1;
    char c = r->s[r->i];
    if (c == '{')
        return container(r, '}', 1);
    if (c == '[')
        return container(r, ']', 0);
    if (c == '"') {
        char *s = read_string(r);
        if (!s)
            return -1;
        collect(r, s, 1);
        return r->oom ? -1 : 0;
    }
    return scalar(r);
}

ds_status ds_edgar_json_walk(const char *json, size_t n, const char *what, ds_edgar_json_scalar_fn fn, void *ctx,
                             ds_err *err)
{
    reader *r = ds_calloc(1, sizeof *r);
    if (!r)
        return ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", what);
    r->s = json;
    r->n = json ? n : 0;
    r->fn = fn;
    r->ctx = ctx;
    skip_ws(r);
    ds_status st = DS_OK;
    if (r->i >= r->n)
        st = ds_err_set(err, DS_ERR_EMPTY, "%s: empty", what);
    else if (value(r) != 0 || (skip_ws(r), r->i != r->n))
        st = r->oom ? ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", what)
                    : ds_err_set(err, DS_ERR_PARSE, "%s: malformed at byte %zu", what, r->i);
    ds_free(r);
    return st;
}
