/* edgar_submissions.c - EDGAR submissions JSON to filing rows (see edgar_submissions.h): a small
 * recursive-descent JSON reader that keeps the path of object keys and hands each string value
 * to the collector, which keeps the filer's fields and the columns of filings.recent. */
#include "ingest/edgar_submissions.h"

#include "pipeline/core/alloc.h"

#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64
#define KEY_MAX 40

enum { COL_ACCESSION, COL_FORM, COL_FILED, COL_REPORT, COL_PRIMARY, N_COLS };
static const char *const col_names[N_COLS] = {"accessionNumber", "form", "filingDate", "reportDate",
                                              "primaryDocument"};

typedef struct column {
    char **v;
    size_t n, cap;
} column;

typedef struct reader {
    const char *s;
    size_t n, i;
    int depth;
    char keys[MAX_DEPTH][KEY_MAX]; /* object key at each depth ("" inside arrays) */
    column cols[N_COLS];
    char *cik, *name;
    ds_status oom;
} reader;

static void skip_ws(reader *r)
{
    while (r->i < r->n && (r->s[r->i] == ' ' || r->s[r->i] == '\t' || r->s[r->i] == '\n' || r->s[r->i] == '\r'))
        r->i++;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
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

static int push(column *c, char *s)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 256;
        char **v = ds_realloc(c->v, cap * sizeof *v);
        if (!v)
            return -1;
        c->v = v;
        c->cap = cap;
    }
    c->v[c->n++] = s;
    return 0;
}

/* Keeps a scalar (string, or NULL for another scalar) found at the current path. */
static void collect(reader *r, char *s, int in_array)
{
    if (r->depth == 1 && !in_array && (strcmp(r->keys[0], "cik") == 0 || strcmp(r->keys[0], "name") == 0)) {
        char **slot = r->keys[0][0] == 'c' ? &r->cik : &r->name;
        ds_free(*slot);
        *slot = s;
        return;
    }
    if (r->depth == 4 && in_array && strcmp(r->keys[0], "filings") == 0 && strcmp(r->keys[1], "recent") == 0) {
        for (int c = 0; c < N_COLS; c++)
            if (strcmp(r->keys[2], col_names[c]) == 0) {
                if (push(&r->cols[c], s) != 0) {
                    r->oom = DS_ERR_NOMEM;
                    break;
                }
                return;
            }
    }
    ds_free(s);
}

static int value(reader *r, int in_array);

static int container(reader *r, char close, int is_object)
{
    if (r->depth >= MAX_DEPTH)
        return -1;
    r->keys[r->depth][0] = '\0';
    r->depth++;
    r->i++;
    skip_ws(r);
    if (r->i < r->n && r->s[r->i] == close) {
        r->i++;
        r->depth--;
        return 0;
    }
    for (;;) {
        skip_ws(r);
        if (is_object) {
            char *k = read_string(r);
            if (!k)
                return -1;
            size_t kl = strlen(k);
            memcpy(r->keys[r->depth - 1], k, kl < KEY_MAX ? kl + 1 : 0);
            if (kl >= KEY_MAX)
                r->keys[r->depth - 1][0] = '\0';
            ds_free(k);
            skip_ws(r);
            if (r->i >= r->n || r->s[r->i++] != ':')
                return -1;
        }
        if (value(r, !is_object) != 0)
            return -1;
        skip_ws(r);
        if (r->i < r->n && r->s[r->i] == ',') {
            r->i++;
            continue;
        }
        if (r->i < r->n && r->s[r->i] == close) {
            r->i++;
            r->depth--;
            return 0;
        }
        return -1;
    }
}

/* A scalar other than a string: number, true, false, null (kept as NULL in a column). */
static int scalar(reader *r, int in_array)
{
    size_t st = r->i;
    while (r->i < r->n && r->s[r->i] && strchr("+-.0123456789eEtruefalsn", r->s[r->i]))
        r->i++;
    size_t len = r->i - st;
    if (len == 0)
        return -1;
    int is_word = (len == 4 && (!memcmp(r->s + st, "true", 4) || !memcmp(r->s + st, "null", 4))) ||
                  (len == 5 && !memcmp(r->s + st, "false", 5));
    if (!is_word && !(r->s[st] == '-' || (r->s[st] >= '0' && r->s[st] <= '9')))
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
    collect(r, copy, in_array);
    return r->oom ? -1 : 0;
}

static int value(reader *r, int in_array)
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
        collect(r, s, in_array);
        return r->oom ? -1 : 0;
    }
    return scalar(r, in_array);
}

static int is_date(const char *s)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return 0;
    return 1;
}

static int is_accession(const char *s)
{
    if (!s || strlen(s) != 20 || s[10] != '-' || s[13] != '-')
        return 0;
    for (int i = 0; i < 20; i++)
        if (i != 10 && i != 13 && (s[i] < '0' || s[i] > '9'))
            return 0;
    return 1;
}

static char *take(column *c, size_t i)
{
    if (i >= c->n || !c->v[i] || !c->v[i][0])
        return NULL;
    char *s = c->v[i];
    c->v[i] = NULL;
    return s;
}

/* Turns the columns into rows, moving the strings. */
static ds_status build_rows(reader *r, ds_edgar_submissions *out)
{
    size_t n = r->cols[COL_ACCESSION].n;
    if (n && !(out->v = ds_calloc(n, sizeof *out->v)))
        return DS_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        ds_edgar_filing f = {take(&r->cols[COL_ACCESSION], i), take(&r->cols[COL_FORM], i),
                             take(&r->cols[COL_FILED], i), take(&r->cols[COL_REPORT], i),
                             take(&r->cols[COL_PRIMARY], i)};
        if (f.report_date && !is_date(f.report_date)) {
            ds_free(f.report_date);
            f.report_date = NULL;
        }
        if (f.primary_document && (strchr(f.primary_document, '/') || f.primary_document[0] == '.')) {
            ds_free(f.primary_document);
            f.primary_document = NULL;
        }
        if (is_accession(f.accession) && f.form && is_date(f.filing_date)) {
            out->v[out->n++] = f;
        } else {
            ds_free(f.accession);
            ds_free(f.form);
            ds_free(f.filing_date);
            ds_free(f.report_date);
            ds_free(f.primary_document);
        }
    }
    return DS_OK;
}

static void reader_deinit(reader *r)
{
    for (int c = 0; c < N_COLS; c++) {
        for (size_t i = 0; i < r->cols[c].n; i++)
            ds_free(r->cols[c].v[i]);
        ds_free(r->cols[c].v);
    }
    ds_free(r->cik);
    ds_free(r->name);
}

ds_status ds_edgar_submissions_parse(ds_edgar_submissions *out, const char *json, size_t n, ds_err *err)
{
    memset(out, 0, sizeof *out);
    reader *r = ds_calloc(1, sizeof *r);
    if (!r)
        return ds_err_set(err, DS_ERR_NOMEM, "submissions json: out of memory");
    r->s = json;
    r->n = json ? n : 0;
    skip_ws(r);
    ds_status st = DS_OK;
    if (r->i >= r->n)
        st = ds_err_set(err, DS_ERR_EMPTY, "submissions json: empty");
    else if (value(r, 0) != 0 || (skip_ws(r), r->i != r->n))
        st = r->oom ? ds_err_set(err, DS_ERR_NOMEM, "submissions json: out of memory")
                    : ds_err_set(err, DS_ERR_PARSE, "submissions json: malformed at byte %zu", r->i);
    if (st == DS_OK) {
        out->cik = r->cik ? strtoll(r->cik, NULL, 10) : 0;
        out->name = r->name;
        r->name = NULL;
        if (build_rows(r, out) != DS_OK)
            st = ds_err_set(err, DS_ERR_NOMEM, "submissions json: out of memory");
    }
    reader_deinit(r);
    ds_free(r);
    if (st != DS_OK)
        ds_edgar_submissions_deinit(out);
    return st;
}

void ds_edgar_submissions_deinit(ds_edgar_submissions *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        ds_free(s->v[i].accession);
        ds_free(s->v[i].form);
        ds_free(s->v[i].filing_date);
        ds_free(s->v[i].report_date);
        ds_free(s->v[i].primary_document);
    }
    ds_free(s->v);
    ds_free(s->name);
    memset(s, 0, sizeof *s);
}
