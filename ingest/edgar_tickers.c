/* edgar_tickers.c - the SEC's ticker file to rows, and ticker or name to CIK (see
 * edgar_tickers.h). The shared JSON walk (edgar_json.c) hands each scalar with its path; a row is
 * the object that is one member of the top-level object (told apart by the member's ordinal, so
 * repeated or overlong keys do not merge rows). */
#include "ingest/edgar_tickers.h"

#include "ingest/edgar_json_internal.h"
#include "pipeline/core/alloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct collector {
    ds_edgar_tickers *out;
    size_t cap;
    size_t row; /* ordinal of the top-level member being filled */
    int open;   /* a row is being filled (out->v[out->n]) */
} collector;

/* CIK from a number or digit string: positive, at most ten digits; 0 otherwise. */
static long long parse_cik(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 10)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return strtoll(s, NULL, 10);
}

static void row_clear(ds_edgar_ticker *t)
{
    ds_free(t->ticker);
    ds_free(t->title);
    memset(t, 0, sizeof *t);
}

/* Ends the row being filled: kept when complete, else dropped. */
static void row_close(collector *c)
{
    if (!c->open)
        return;
    ds_edgar_ticker *t = &c->out->v[c->out->n];
    if (t->cik > 0 && (t->ticker || t->title))
        c->out->n++;
    else
        row_clear(t);
    c->open = 0;
}

/* Starts the row of top-level member `row`: room for one more. */
static int row_open(collector *c, size_t row)
{
    row_close(c);
    if (c->out->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 1024;
        ds_edgar_ticker *v = ds_realloc(c->out->v, cap * sizeof *v);
        if (!v)
            return -1;
        c->out->v = v;
        c->cap = cap;
    }
    memset(&c->out->v[c->out->n], 0, sizeof c->out->v[c->out->n]);
    c->row = row;
    c->open = 1;
    return 0;
}

static int collect(void *ctx, const ds_edgar_json_path *path, char *s, int is_string)
{
    collector *c = ctx;
    if (path->depth != 2 || path->is_array[0] || path->is_array[1] || !s) {
        ds_free(s);
        return 0;
    }
    if ((!c->open || c->row != path->index[0]) && row_open(c, path->index[0]) != 0) {
        ds_free(s);
        return -1;
    }
    ds_edgar_ticker *t = &c->out->v[c->out->n];
    const char *field = path->keys[1];
    if (strcmp(field, "cik_str") == 0 || strcmp(field, "cik") == 0) {
        t->cik = parse_cik(s);
    } else if (is_string && s[0] && (strcmp(field, "ticker") == 0 || strcmp(field, "title") == 0)) {
        char **slot = strcmp(field, "ticker") == 0 ? &t->ticker : &t->title;
        ds_free(*slot);
        *slot = s;
        return 0;
    }
    ds_free(s);
    return 0;
}

ds_status ds_edgar_tickers_parse(ds_edgar_tickers *out, const char *json, size_t n, ds_err *err)
{
    memset(out, 0, sizeof *out);
    collector c = {.out = out};
    ds_status st = ds_edgar_json_walk(json, n, "ticker file", collect, &c, err);
    row_close(&c);
    if (st != DS_OK) {
        if (c.open)
            row_clear(&out->v[out->n]);
        ds_edgar_tickers_deinit(out);
    }
    return st;
}

void ds_edgar_tickers_deinit(ds_edgar_tickers *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        row_clear(&t->v[i]);
    ds_free(t->v);
    memset(t, 0, sizeof *t);
}

/* Ticker key: upper case, '.' as '-', nothing else changed. */
static void ticker_key(const char *s, char *out, size_t cap)
{
    size_t k = 0;
    for (; *s && k + 1 < cap; s++)
        out[k++] = *s == '.' ? '-' : (char)toupper((unsigned char)*s);
    out[k] = '\0';
}

/* Name key: letters and digits in lower case, one space between words, nothing else. */
static void name_key(const char *s, char *out, size_t cap)
{
    size_t k = 0;
    int gap = 0;
    for (; *s && k + 2 < cap; s++) {
        if (isalnum((unsigned char)*s)) {
            if (gap && k)
                out[k++] = ' ';
            out[k++] = (char)tolower((unsigned char)*s);
            gap = 0;
        } else if (*s != '.' && *s != '\'') { /* "Inc." is "Inc", "McDonald's" is "McDonalds" */
            gap = 1;
        }
    }
    out[k] = '\0';
}

size_t ds_edgar_tickers_name_matches(const ds_edgar_tickers *t, const char *entry, const ds_edgar_ticker **out,
                                     size_t cap)
{
    char want[256], have[256];
    size_t n = 0;
    name_key(entry, want, sizeof want);
    for (size_t i = 0; want[0] && i < t->n; i++) {
        if (!t->v[i].title)
            continue;
        name_key(t->v[i].title, have, sizeof have);
        if (strcmp(want, have) != 0)
            continue;
        int seen = 0; /* one row per CIK (a company with several tickers is listed once) */
        for (size_t j = 0; j < i && !seen; j++)
            if (t->v[j].cik == t->v[i].cik && t->v[j].title) {
                name_key(t->v[j].title, have, sizeof have);
                seen = strcmp(want, have) == 0;
            }
        if (seen)
            continue;
        if (n < cap)
            out[n] = &t->v[i];
        n++;
    }
    return n;
}

ds_edgar_match ds_edgar_tickers_lookup(const ds_edgar_tickers *t, const char *entry, long long *cik)
{
    char want[256], have[256];
    *cik = 0;
    ticker_key(entry, want, sizeof want);
    for (size_t i = 0; want[0] && i < t->n; i++) {
        if (!t->v[i].ticker)
            continue;
        ticker_key(t->v[i].ticker, have, sizeof have);
        if (strcmp(want, have) == 0) {
            *cik = t->v[i].cik;
            return DS_EDGAR_MATCH_TICKER;
        }
    }
    const ds_edgar_ticker *first = NULL;
    size_t n = ds_edgar_tickers_name_matches(t, entry, &first, 1);
    if (n == 1)
        *cik = first->cik;
    return n == 0 ? DS_EDGAR_MATCH_NONE : n == 1 ? DS_EDGAR_MATCH_NAME : DS_EDGAR_MATCH_AMBIGUOUS;
}
