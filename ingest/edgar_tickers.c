/* edgar_tickers.c - the SEC's ticker file to rows, and ticker or name to CIK (see
 * edgar_tickers.h). The shared JSON walk (edgar_json.c) hands each scalar with its key path; a
 * row is the object under one top-level key. */
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
    char row_key[DS_EDGAR_JSON_KEY_MAX]; /* top-level key of the row being filled */
    int open;                            /* a row is being filled (out->v[out->n]) */
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

/* Starts a row under key: room for one more. */
static int row_open(collector *c, const char *key)
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
    snprintf(c->row_key, sizeof c->row_key, "%s", key);
    c->open = 1;
    return 0;
}

static int collect(void *ctx, const char (*keys)[DS_EDGAR_JSON_KEY_MAX], int depth, int in_array, char *s)
{
    collector *c = ctx;
    if (depth != 2 || in_array || !s) {
        ds_free(s);
        return 0;
    }
    if ((!c->open || strcmp(c->row_key, keys[0]) != 0) && row_open(c, keys[0]) != 0) {
        ds_free(s);
        return -1;
    }
    ds_edgar_ticker *t = &c->out->v[c->out->n];
    char **slot = strcmp(keys[1], "ticker") == 0 ? &t->ticker : strcmp(keys[1], "title") == 0 ? &t->title : NULL;
    if (strcmp(keys[1], "cik_str") == 0 || strcmp(keys[1], "cik") == 0)
        t->cik = parse_cik(s);
    if (slot && s[0]) {
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
    name_key(entry, want, sizeof want);
    for (size_t i = 0; want[0] && i < t->n; i++) {
        if (!t->v[i].title)
            continue;
        name_key(t->v[i].title, have, sizeof have);
        if (strcmp(want, have) != 0)
            continue;
        if (*cik && *cik != t->v[i].cik) {
            *cik = 0;
            return DS_EDGAR_MATCH_AMBIGUOUS;
        }
        *cik = t->v[i].cik;
    }
    return *cik ? DS_EDGAR_MATCH_NAME : DS_EDGAR_MATCH_NONE;
}
