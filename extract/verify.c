/* verify.c - verification status of extracted facts (ds_facts_verify, see facts.h): the
 * arithmetic a document's statements print (balance sheet, gross profit, current subtotals),
 * each statement's lines against each other, and the same value printed in two tables, checked
 * per extractor, period and unit over the consolidated facts (no dimensions: a segment, or a
 * closed group's or parent company's statement, verifies nothing). A fact's status and check
 * are static strings.
 * Owns: a scratch index freed before returning. Threading: reentrant, no shared state. */
#include "extract/facts.h"

#include "pipeline/core/decimal.h"
#include "pipeline/core/alloc.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Pseudo-metric of the printed "Total liabilities and (stockholders') equity" line. */
static const char LIAB_AND_EQUITY[] = "liabilities_and_equity";

typedef struct vref {
    ds_fact *f;
    const char *metric; /* the fact's metric, or LIAB_AND_EQUITY */
    double value;
} vref;

static int str_cmp0(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

/* Extractor, unit, period: the scope one statement's arithmetic holds in. */
static int cmp_scope(const vref *a, const vref *b)
{
    int c;
    if ((c = str_cmp0(a->f->source_extractor, b->f->source_extractor)) || (c = str_cmp0(a->f->unit, b->f->unit)) ||
        (c = str_cmp0(a->f->period_end, b->f->period_end)) || (c = str_cmp0(a->f->period_start, b->f->period_start)))
        return c;
    return 0;
}

/* Scope, then the table that printed the fact (a statement's arithmetic holds within it), then
 * the metric. */
static int cmp_ref(const void *pa, const void *pb)
{
    const vref *a = pa, *b = pb;
    int c = cmp_scope(a, b);
    if (c)
        return c;
    if (a->f->table_seq != b->f->table_seq)
        return a->f->table_seq < b->f->table_seq ? -1 : 1;
    if ((c = strcmp(a->metric, b->metric)))
        return c;
    return a->f < b->f ? -1 : a->f > b->f;
}

static int is_table(const ds_fact *f)
{
    return f->source_extractor &&
           (!strcmp(f->source_extractor, "pdf_table") || !strcmp(f->source_extractor, "html_table"));
}

static int is_xbrl(const ds_fact *f)
{
    return f->source_extractor && (!strcmp(f->source_extractor, "ixbrl") || !strcmp(f->source_extractor, "xbrl"));
}

static int same_amount(double a, double b)
{
    return fabs(a - b) <= 1e-9 * fmax(1.0, fabs(a));
}

/* Marks f verified by check (a verification stands over a later conflict). */
static void mark_verified(ds_fact *f, const char *check)
{
    if (f->verification && !strcmp(f->verification, "verified"))
        return;
    f->verification = "verified";
    f->verification_check = check;
}

static void mark_conflict(ds_fact *f, const char *check)
{
    if (f->verification && (!strcmp(f->verification, "verified") || !strcmp(f->verification, "conflict")))
        return;
    f->verification = "conflict";
    f->verification_check = check;
}

/* One scope's facts of a metric: [*lo, *hi) of refs[from, to), or an empty range. */
static void metric_range(const vref *refs, size_t from, size_t to, const char *metric, size_t *lo, size_t *hi)
{
    size_t i = from;
    while (i < to && strcmp(refs[i].metric, metric))
        i++;
    *lo = i;
    while (i < to && !strcmp(refs[i].metric, metric))
        i++;
    *hi = i;
}

/* total = a + b over every candidate triple of the scope; a matching triple verifies its three
 * facts, and when none matches every candidate not verified otherwise is a conflict. With b
 * NULL: total = a. sign_abs: b is subtracted by magnitude (revenue - |cost|). */
static void check_sum(vref *refs, size_t from, size_t to, const char *total, const char *a, const char *b,
                      int subtract_abs, const char *check)
{
    size_t tl, th, al, ah, bl = 0, bh = 1;
    metric_range(refs, from, to, total, &tl, &th);
    metric_range(refs, from, to, a, &al, &ah);
    if (b)
        metric_range(refs, from, to, b, &bl, &bh);
    if (tl == th || al == ah || bl == bh)
        return;
    int any = 0;
    for (size_t t = tl; t < th; t++)
        for (size_t i = al; i < ah; i++)
            for (size_t k = bl; k < bh; k++) {
                double sum = refs[i].value;
                if (b)
                    sum += subtract_abs ? -fabs(refs[k].value) : refs[k].value;
                if (!same_amount(refs[t].value, sum))
                    continue;
                any = 1;
                mark_verified(refs[t].f, check);
                mark_verified(refs[i].f, check);
                if (b)
                    mark_verified(refs[k].f, check);
            }
    if (any)
        return;
    for (size_t t = tl; t < th; t++)
        mark_conflict(refs[t].f, check);
    for (size_t i = al; i < ah; i++)
        mark_conflict(refs[i].f, check);
    for (size_t k = bl; b && k < bh; k++)
        mark_conflict(refs[k].f, check);
}

/* part <= whole for every pair; a part above every whole is a conflict. */
static void check_part(vref *refs, size_t from, size_t to, const char *part, const char *whole, const char *check)
{
    size_t pl, ph, wl, wh;
    metric_range(refs, from, to, part, &pl, &ph);
    metric_range(refs, from, to, whole, &wl, &wh);
    for (size_t p = pl; p < ph && wl < wh; p++) {
        int fits = 0;
        for (size_t w = wl; w < wh; w++)
            fits |= refs[p].value <= refs[w].value + 1e-9 * fabs(refs[w].value);
        if (!fits)
            mark_conflict(refs[p].f, check);
    }
}

static const char *two_places_check(const char *metric)
{
    if (!strcmp(metric, "cash"))
        return "cash_flow_end_cash";
    if (!strcmp(metric, "net_income"))
        return "net_income_two_statements";
    return "same_value_twice";
}

static int is_conflict(const ds_fact *f)
{
    return f->verification && !strcmp(f->verification, "conflict");
}

/* The same value of one metric printed in two different tables (two statements, or a
 * statement and a note) verifies both. Two rows of one table are not a second printing ("Net
 * income" and "Net income attributable to ..." of a group without minority interests hold the
 * same number by construction), and a value its own statement's arithmetic contradicts stays a
 * conflict. */
static void check_two_places(vref *refs, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        for (size_t k = i + 1; k < to; k++) {
            const ds_fact *a = refs[i].f, *b = refs[k].f;
            if (refs[i].metric == LIAB_AND_EQUITY || strcmp(refs[k].metric, refs[i].metric) ||
                !same_amount(refs[i].value, refs[k].value) || a->table_seq <= 0 || b->table_seq <= 0 ||
                a->table_seq == b->table_seq || a->byte_off == b->byte_off || a->byte_off == SIZE_MAX ||
                b->byte_off == SIZE_MAX || is_conflict(a) || is_conflict(b))
                continue;
            const char *check = two_places_check(refs[i].metric);
            mark_verified(refs[i].f, check);
            mark_verified(refs[k].f, check);
        }
}

/* The printed line "Total liabilities and equity" (any wording of equity), or NULL. */
static const char *pseudo_metric(const ds_fact *f)
{
    if (f->metric || !f->concept || !is_table(f))
        return f->metric;
    char key[256];
    ds_label_key(f->concept, key, sizeof key);
    if (!strncmp(key, "total liabilities and ", 22) &&
        (strstr(key, "equity") || strstr(key, "deficit") || strstr(key, "capital")))
        return LIAB_AND_EQUITY;
    return NULL;
}

/* The arithmetic of one statement: the facts of one table (or, for XBRL, of the filing). */
static void check_statement(vref *refs, size_t from, size_t to)
{
    if (!refs[from].f->period_start) {
        check_sum(refs, from, to, "total_assets", "total_liabilities", "equity", 0, "balance_sheet");
        check_sum(refs, from, to, "total_assets", LIAB_AND_EQUITY, NULL, 0, "balance_sheet");
        check_part(refs, from, to, "current_assets", "total_assets", "current_subtotals");
        check_part(refs, from, to, "current_liabilities", "total_liabilities", "current_subtotals");
    } else {
        check_sum(refs, from, to, "gross_profit", "revenue", "cost_of_revenue", 1, "gross_profit");
    }
}

/* One extractor, unit and period: each table's arithmetic on its own lines (never a total of
 * one table against parts of another), then values printed in two tables. */
static void check_scope(vref *refs, size_t from, size_t to)
{
    for (size_t i = from; i < to;) {
        size_t j = i + 1;
        while (j < to && refs[j].f->table_seq == refs[i].f->table_seq)
            j++;
        check_statement(refs, i, j);
        i = j;
    }
    if (is_table(refs[from].f))
        check_two_places(refs, from, to);
}

/* Status of the facts no check reached, and the doubt a missing scale leaves. */
static void finish(ds_fact *f)
{
    if (is_xbrl(f)) {
        if (!f->verification || strcmp(f->verification, "conflict"))
            f->verification = "reported", f->verification_check = "xbrl";
        return;
    }
    if (!is_table(f)) {
        f->verification = "unverified";
        f->verification_check = "model";
        return;
    }
    if (f->scale_doubt && f->verification && strcmp(f->verification, "conflict")) {
        f->verification = "unverified";
        f->verification_check = "scale_not_stated";
        return;
    }
    if (!f->verification) {
        f->verification = "unverified";
        f->verification_check = "none";
    }
}

ds_status ds_facts_verify(ds_fact_list *l, ds_err *err)
{
    if (!l || l->n == 0)
        return DS_OK;
    vref *refs = ds_malloc(l->n * sizeof *refs);
    if (!refs)
        return ds_err_set(err, DS_ERR_NOMEM, "out of memory verifying %zu facts", l->n);
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++) {
        ds_fact *f = &l->v[i];
        f->verification = f->verification_check = NULL;
        const char *m = pseudo_metric(f);
        if (!m || !f->period_end || (f->dimensions && *f->dimensions) || !ds_dec_valid(f->value))
            continue;
        refs[n].f = f;
        refs[n].metric = m;
        refs[n].value = ds_dec_to_double(f->value);
        n++;
    }
    qsort(refs, n, sizeof *refs, cmp_ref);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && !cmp_scope(&refs[i], &refs[j]))
            j++;
        check_scope(refs, i, j);
        i = j;
    }
    for (size_t i = 0; i < l->n; i++)
        finish(&l->v[i]);
    ds_free(refs);
    return DS_OK;
}
