/* edgar_daily_index.c - EDGAR's daily form index to filing rows (see edgar_daily_index.h). Works
 * line by line over the bytes given (no NUL terminator needed); a row's strings are copies. */
#include "ingest/edgar_daily_index.h"

#include "pipeline/core/alloc.h"
#include "pipeline/core/utf8.h"

#include <stdio.h>
#include <string.h>

typedef struct span {
    const char *p;
    size_t n;
} span;

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}
static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static span trim(span s)
{
    while (s.n && is_blank(s.p[0]))
        s.p++, s.n--;
    while (s.n && is_blank(s.p[s.n - 1]))
        s.n--;
    return s;
}

/* The last blank-separated token of *s, removed from it (s keeps what is left of it). */
static span pop_token(span *s)
{
    *s = trim(*s);
    size_t i = s->n;
    while (i && !is_blank(s->p[i - 1]))
        i--;
    span t = {s->p + i, s->n - i};
    s->n = i;
    return t;
}

/* Offset of needle in the line, or -1. */
static long find_in(span line, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= line.n; i++)
        if (memcmp(line.p + i, needle, k) == 0)
            return (long)i;
    return -1;
}

static int is_dashes(span line)
{
    span t = trim(line);
    if (t.n < 10)
        return 0;
    for (size_t i = 0; i < t.n; i++)
        if (t.p[i] != '-')
            return 0;
    return 1;
}

/* Text without control characters and valid UTF-8 (tabs count as blanks). */
static int is_clean(span s)
{
    for (size_t i = 0; i < s.n;) {
        unsigned char c = (unsigned char)s.p[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return 0;
        size_t k = ds_utf8_seq_len((const unsigned char *)s.p + i, s.n - i);
        if (!k)
            return 0;
        i += k;
    }
    return 1;
}

/* YYYYMMDD or YYYY-MM-DD into out as YYYY-MM-DD. */
static int read_date(span t, char out[11])
{
    char d[8];
    if (t.n == 8) {
        memcpy(d, t.p, 8);
    } else if (t.n == 10 && t.p[4] == '-' && t.p[7] == '-') {
        memcpy(d, t.p, 4);
        memcpy(d + 4, t.p + 5, 2);
        memcpy(d + 6, t.p + 8, 2);
    } else {
        return 0;
    }
    for (int i = 0; i < 8; i++)
        if (!is_digit(d[i]))
            return 0;
    int m = (d[4] - '0') * 10 + d[5] - '0', day = (d[6] - '0') * 10 + d[7] - '0';
    if (m < 1 || m > 12 || day < 1 || day > 31)
        return 0;
    snprintf(out, 11, "%.4s-%.2s-%.2s", d, d + 4, d + 6);
    return 1;
}

/* The accession from a file name ending in ACCESSION.txt (edgar/data/CIK/ACCESSION.txt). */
static int read_accession(span t, char out[21])
{
    if (t.n < 24 || memcmp(t.p + t.n - 4, ".txt", 4) != 0)
        return 0;
    const char *a = t.p + t.n - 24;
    if (t.n > 24 && a[-1] != '/')
        return 0;
    for (int i = 0; i < 20; i++)
        if (i == 10 || i == 13 ? a[i] != '-' : !is_digit(a[i]))
            return 0;
    memcpy(out, a, 20);
    out[20] = '\0';
    return 1;
}

/* Splits the left part of a line into form and company: at the header's company column when
 * the line is that long, else at the first run of two blanks, else at the first blank. */
static void split_form(span left, long company_col, span *form, span *company)
{
    size_t cut = left.n;
    if (company_col > 0 && (size_t)company_col < left.n) {
        cut = (size_t)company_col;
    } else {
        for (size_t i = 0; i + 1 < left.n; i++)
            if (is_blank(left.p[i]) && is_blank(left.p[i + 1])) {
                cut = i;
                break;
            }
        if (cut == left.n)
            for (size_t i = 0; i < left.n; i++)
                if (is_blank(left.p[i])) {
                    cut = i;
                    break;
                }
    }
    *form = trim((span){left.p, cut});
    *company = trim((span){left.p + cut, left.n - cut});
}

/* One body line into row; 0 when it is not a filing. */
static int read_row(span line, long company_col, ds_edgar_index_row *row, int *nomem)
{
    if (!is_clean(line))
        return 0;
    span rest = line;
    span file = pop_token(&rest), date = pop_token(&rest), cik = pop_token(&rest);
    if (!read_accession(file, row->accession) || !read_date(date, row->filing_date) || cik.n == 0 || cik.n > 10)
        return 0;
    long long v = 0;
    for (size_t i = 0; i < cik.n; i++) {
        if (!is_digit(cik.p[i]))
            return 0;
        v = v * 10 + (cik.p[i] - '0');
    }
    if (v <= 0)
        return 0;
    span form, company;
    split_form(trim((span){line.p, (size_t)(cik.p - line.p)}), company_col - (long)(trim(line).p - line.p), &form,
               &company);
    if (form.n == 0 || form.n > 32)
        return 0;
    row->cik = v;
    row->form = ds_strndup(form.p, form.n);
    row->company = ds_strndup(company.p, company.n);
    if (!row->form || !row->company) {
        ds_free(row->form);
        ds_free(row->company);
        *nomem = 1;
        return 0;
    }
    return 1;
}

static int push(ds_edgar_daily_index *x, size_t *cap, const ds_edgar_index_row *r)
{
    if (x->n == *cap) {
        size_t c = *cap ? *cap * 2 : 64;
        ds_edgar_index_row *v = ds_realloc(x->v, c * sizeof *v);
        if (!v)
            return -1;
        x->v = v;
        *cap = c;
    }
    x->v[x->n++] = *r;
    return 0;
}

ds_status ds_edgar_daily_index_parse(ds_edgar_daily_index *out, const char *text, size_t n, ds_err *err)
{
    memset(out, 0, sizeof *out);
    if (n == 0)
        return ds_err_set(err, DS_ERR_EMPTY, "daily index: empty");
    long company_col = -1;
    int body = 0, nomem = 0;
    size_t cap = 0;
    span first = {text, 0};
    for (size_t off = 0; off < n && !nomem;) {
        const char *nl = memchr(text + off, '\n', n - off);
        span line = {text + off, (nl ? (size_t)(nl - text) : n) - off};
        off += line.n + (nl != NULL);
        if (line.n && line.p[line.n - 1] == '\r')
            line.n--;
        if (!first.n)
            first = line;
        if (!body) {
            long f = find_in(line, "Form Type"), c = find_in(line, "Company Name");
            if (f >= 0 && c > f)
                company_col = c;
            body = is_dashes(line);
            continue;
        }
        if (trim(line).n == 0)
            continue;
        ds_edgar_index_row row = {0};
        if (!read_row(line, company_col, &row, &nomem)) {
            out->skipped += !nomem;
            continue;
        }
        if (push(out, &cap, &row) != 0) {
            ds_free(row.form);
            ds_free(row.company);
            nomem = 1;
        }
    }
    if (nomem) {
        ds_edgar_daily_index_deinit(out);
        return ds_err_set(err, DS_ERR_NOMEM, "daily index: out of memory");
    }
    if (!body) {
        ds_edgar_daily_index_deinit(out);
        int k = first.n > 60 ? 60 : (int)first.n;
        for (int i = 0; i < k; i++)
            if ((unsigned char)first.p[i] < 0x20 || (unsigned char)first.p[i] >= 0x7f)
                k = i;
        return ds_err_set(err, DS_ERR_PARSE, "daily index: no line of dashes before the filings (first line \"%.*s\")",
                          k, first.p);
    }
    return DS_OK;
}

void ds_edgar_daily_index_deinit(ds_edgar_daily_index *x)
{
    if (!x)
        return;
    for (size_t i = 0; i < x->n; i++) {
        ds_free(x->v[i].form);
        ds_free(x->v[i].company);
    }
    ds_free(x->v);
    memset(x, 0, sizeof *x);
}
