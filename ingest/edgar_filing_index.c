/* edgar_filing_index.c - an EDGAR filing index page to its documents (see edgar_filing_index.h).
 * Scans the bytes given (no NUL terminator needed) for table rows; every string kept is a copy. */
#include "ingest/edgar_filing_index.h"

#include "pipeline/core/alloc.h"
#include "pipeline/core/buf.h"
#include "pipeline/core/utf8.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CELLS 8

typedef struct page {
    const char *p;
    size_t n;
} page;

/* Offset of needle (ASCII, matched without case) in p[from, to), or to when absent. */
static size_t find_ci(const page *pg, size_t from, size_t to, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = from; i + k <= to; i++) {
        size_t j = 0;
        while (j < k && tolower((unsigned char)pg->p[i + j]) == needle[j])
            j++;
        if (j == k)
            return i;
    }
    return to;
}

/* The entity at s[0] == '&' (at most n bytes): its character into *c, its length returned;
 * 0 when it is not one read here. */
static size_t entity(const char *s, size_t n, char *c)
{
    static const struct {
        const char *name;
        char c;
    } known[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&nbsp;", ' '}, {"&#160;", ' '}};
    for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
        size_t k = strlen(known[i].name);
        if (n >= k && memcmp(s, known[i].name, k) == 0) {
            *c = known[i].c;
            return k;
        }
    }
    if (n >= 4 && s[1] == '#' && isdigit((unsigned char)s[2])) {
        size_t i = 2;
        int v = 0;
        while (i < n && i < 6 && isdigit((unsigned char)s[i]))
            v = v * 10 + (s[i++] - '0');
        if (i < n && s[i] == ';' && v >= 0x20 && v < 0x7f) {
            *c = (char)v;
            return i + 1;
        }
    }
    return 0;
}

/* The text of p[from, to): tags dropped, entities read, blanks collapsed, trimmed, control bytes
 * and invalid UTF-8 dropped. Caller frees; NULL when out of memory. */
static char *cell_text(const page *pg, size_t from, size_t to)
{
    ds_buf b = DS_BUF_INIT;
    int space = 0;
    for (size_t i = from; i < to;) {
        char c = pg->p[i];
        size_t adv = 1;
        if (c == '<') {
            const char *gt = memchr(pg->p + i, '>', to - i);
            i = gt ? (size_t)(gt - pg->p) + 1 : to;
            space = 1;
            continue;
        }
        if (c == '&' && (adv = entity(pg->p + i, to - i, &c)) == 0)
            adv = 1;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = 1;
            i += adv;
            continue;
        }
        size_t k = (unsigned char)c < 0x80 ? 1 : ds_utf8_seq_len((const unsigned char *)pg->p + i, to - i);
        if (k == 0 || (unsigned char)c < 0x20 || c == 0x7f) {
            i += adv;
            continue;
        }
        if (space && b.len && ds_buf_putc(&b, ' ') != DS_OK)
            goto nomem;
        space = 0;
        if (ds_buf_append(&b, adv > 1 ? &c : pg->p + i, adv > 1 ? 1 : k) != DS_OK)
            goto nomem;
        i += adv > 1 ? adv : k;
    }
    if (ds_buf_putc(&b, '\0') != DS_OK)
        goto nomem;
    return ds_buf_take(&b);
nomem:
    ds_buf_deinit(&b);
    return NULL;
}

/* The file name an href in p[from, to) points to: its last path segment, or NULL (none, or not
 * a plain file name). Caller frees. */
static char *href_file(const page *pg, size_t from, size_t to, int *nomem)
{
    size_t h = find_ci(pg, from, to, "href=\"");
    if (h == to)
        return NULL;
    h += 6;
    const char *q = memchr(pg->p + h, '"', to - h);
    if (!q)
        return NULL;
    size_t end = (size_t)(q - pg->p), start = end;
    while (start > h && pg->p[start - 1] != '/' && pg->p[start - 1] != '=')
        start--;
    if (start == end || pg->p[start] == '.' || end - start > 200)
        return NULL;
    for (size_t i = start; i < end; i++) {
        unsigned char c = (unsigned char)pg->p[i];
        if (c <= 0x20 || c == 0x7f || c == '\\' || c == '?' || c == '#' || c == '&' || c == '%')
            return NULL;
    }
    char *s = ds_strndup(pg->p + start, end - start);
    *nomem = s == NULL;
    return s;
}

static void doc_free(ds_edgar_filing_doc *d)
{
    ds_free(d->description);
    ds_free(d->document);
    ds_free(d->type);
}

/* One row p[from, to): a document when it has at least four cells and a linked file. */
static int read_row(const page *pg, size_t from, size_t to, ds_edgar_filing_doc *d, int *nomem)
{
    size_t cs[MAX_CELLS], ce[MAX_CELLS];
    int k = 0;
    for (size_t i = find_ci(pg, from, to, "<td"); i < to && k < MAX_CELLS; i = find_ci(pg, i, to, "<td")) {
        const char *gt = memchr(pg->p + i, '>', to - i);
        if (!gt)
            break;
        cs[k] = (size_t)(gt - pg->p) + 1;
        ce[k] = find_ci(pg, cs[k], to, "</td");
        i = ce[k];
        k++;
    }
    if (k < 4)
        return 0;
    memset(d, 0, sizeof *d);
    if (!(d->document = href_file(pg, cs[2], ce[2], nomem)))
        return 0;
    d->description = cell_text(pg, cs[1], ce[1]);
    d->type = cell_text(pg, cs[3], ce[3]);
    char *seq = cell_text(pg, cs[0], ce[0]);
    if (!d->description || !d->type || !seq) {
        ds_free(seq);
        doc_free(d);
        *nomem = 1;
        return 0;
    }
    char *end;
    long v = strtol(seq, &end, 10);
    d->seq = seq[0] && !*end && v > 0 && v < 100000 ? (int)v : 0;
    ds_free(seq);
    return 1;
}

/* The period of report: the first YYYY-MM-DD within 400 bytes after its label. */
static void read_period(const page *pg, char out[11])
{
    out[0] = '\0';
    size_t at = find_ci(pg, 0, pg->n, "period of report");
    size_t to = at + 400 < pg->n ? at + 400 : pg->n;
    for (size_t i = at; i + 10 <= to; i++) {
        const char *s = pg->p + i;
        int ok = s[4] == '-' && s[7] == '-';
        for (int j = 0; ok && j < 10; j++)
            ok = j == 4 || j == 7 || isdigit((unsigned char)s[j]);
        if (ok) {
            memcpy(out, s, 10);
            out[10] = '\0';
            return;
        }
    }
}

static void pick_primary(ds_edgar_filing_index *x, const char *form)
{
    x->primary = -1;
    for (size_t i = 0; i < x->n && x->primary < 0; i++)
        if (x->v[i].seq == 1)
            x->primary = (long)i;
    for (size_t i = 0; i < x->n && x->primary < 0 && form; i++)
        if (strcmp(x->v[i].type, form) == 0)
            x->primary = (long)i;
}

ds_status ds_edgar_filing_index_parse(ds_edgar_filing_index *out, const char *html, size_t n, const char *form,
                                      ds_err *err)
{
    memset(out, 0, sizeof *out);
    out->primary = -1;
    if (n == 0)
        return ds_err_set(err, DS_ERR_EMPTY, "filing index: empty");
    page pg = {html, n};
    size_t cap = 0;
    int nomem = 0;
    for (size_t i = find_ci(&pg, 0, n, "<tr"); i < n && !nomem;) {
        size_t next = find_ci(&pg, i + 3, n, "<tr"), end = find_ci(&pg, i + 3, next, "</tr");
        ds_edgar_filing_doc d;
        if (read_row(&pg, i, end, &d, &nomem)) {
            if (out->n == cap) {
                size_t c = cap ? cap * 2 : 16;
                ds_edgar_filing_doc *v = ds_realloc(out->v, c * sizeof *v);
                if (!v) {
                    doc_free(&d);
                    nomem = 1;
                    break;
                }
                out->v = v;
                cap = c;
            }
            out->v[out->n++] = d;
        }
        i = next;
    }
    if (nomem) {
        ds_edgar_filing_index_deinit(out);
        return ds_err_set(err, DS_ERR_NOMEM, "filing index: out of memory");
    }
    if (out->n == 0)
        return ds_err_set(err, DS_ERR_PARSE, "filing index: no document rows (not a filing index page)");
    read_period(&pg, out->period);
    pick_primary(out, form);
    return DS_OK;
}

void ds_edgar_filing_index_deinit(ds_edgar_filing_index *x)
{
    if (!x)
        return;
    for (size_t i = 0; i < x->n; i++)
        doc_free(&x->v[i]);
    ds_free(x->v);
    memset(x, 0, sizeof *x);
    x->primary = -1;
}
