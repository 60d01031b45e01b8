/* edgar_submissions.c - EDGAR submissions JSON to filing rows (see edgar_submissions.h): the
 * shared JSON walk (edgar_json.c) hands each scalar with its key path to the collector, which
 * keeps the filer's fields and the columns of filings.recent. */
#include "ingest/edgar_submissions.h"

#include "ingest/edgar_json_internal.h"
#include "pipeline/core/alloc.h"

#include <stdlib.h>
#include <string.h>

enum { COL_ACCESSION, COL_FORM, COL_FILED, COL_REPORT, COL_PRIMARY, N_COLS };
static const char *const col_names[N_COLS] = {"accessionNumber", "form", "filingDate", "reportDate", "primaryDocument"};

typedef struct column {
    char **v;
    size_t n, cap;
} column;

typedef struct reader {
    column cols[N_COLS];
    char *cik, *name;
} reader;

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

/* Keeps a scalar (string or number text, NULL for another scalar) found at path. */
static int collect(void *ctx, const ds_edgar_json_path *path, char *s, int is_string)
{
    reader *r = ctx;
    const char(*keys)[DS_EDGAR_JSON_KEY_MAX] = path->keys;
    (void)is_string; /* a number where a string is expected is kept as its text, then checked */
    if (path->depth == 1 && !path->is_array[0] && (strcmp(keys[0], "cik") == 0 || strcmp(keys[0], "name") == 0)) {
        char **slot = keys[0][0] == 'c' ? &r->cik : &r->name;
        ds_free(*slot);
        *slot = s;
        return 0;
    }
    if (path->depth == 4 && !path->is_array[0] && !path->is_array[1] && !path->is_array[2] && path->is_array[3] &&
        strcmp(keys[0], "filings") == 0 && strcmp(keys[1], "recent") == 0) {
        for (int c = 0; c < N_COLS; c++)
            if (strcmp(keys[2], col_names[c]) == 0) {
                if (push(&r->cols[c], s) == 0)
                    return 0;
                ds_free(s);
                return -1;
            }
    }
    ds_free(s);
    return 0;
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
    ds_status st = ds_edgar_json_walk(json, n, "submissions json", collect, r, err);
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
