/* statement_tables.c - facts from the tables of a document (financial statements in PDFs and
 * HTML filings): row labels matched to canonical metrics, numbers parsed as printed, values
 * scaled exactly by the table's "in thousands/millions/billions", and columns tied to the
 * periods of the header rows (see ds_extract_table_facts in facts.h).
 *
 * Owns: nothing beyond the call; fact strings go into the document's arena, scratch memory is
 * freed before returning. Threading: reentrant; one document per call.
 */
#include "extract/facts.h"

#include "extract/dates.h"
#include "extract/evidence.h"
#include "pipeline/core/alloc.h"
#include "pipeline/core/decimal.h"

#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COLS 64       /* wider tables are not statements */
#define CONTEXT_BLOCKS 3  /* headings/paragraphs looked at before a table */
#define CONTEXT_BYTES 800 /* of each */
#define DATES_LINE_MAX 120 /* a line of column dates above a headerless table */
#define RESTATED_PENALTY 6 /* statement score off a figure another statement reports */

/* Numbers as printed are read by ds_dec_parse_printed (pipeline/core/decimal.h); a cell the
 * parser calls text has kind DS_DEC_PRINTED_TEXT, which is all the callers here need. */
static void parse_cell(const char *cell, ds_dec_printed *out)
{
    (void)ds_dec_parse_printed(cell, out, NULL);
}

/* ---- periods in header text ---------------------------------------------------------------- */

typedef struct period_info {
    int months;       /* duration in months, 0 when not stated */
    int year;         /* 0 when none */
    int month, day;   /* 0 when none */
    int n_years;      /* years seen in the text */
    int years[8];
} period_info;

static const char *const month_names[12][2] = {
    {"january", "jan"}, {"february", "feb"}, {"march", "mar"},     {"april", "apr"},
    {"may", "may"},     {"june", "jun"},     {"july", "jul"},      {"august", "aug"},
    {"september", "sep"}, {"october", "oct"}, {"november", "nov"}, {"december", "dec"},
};

/* Lower-case copy with every run of non-alphanumerics one space. */
static void lower_words(const char *s, char *out, size_t cap)
{
    size_t o = 0;
    int sp = 1;
    for (const unsigned char *p = (const unsigned char *)s; *p && o + 2 < cap; p++) {
        if (isalnum(*p)) {
            out[o++] = (char)tolower(*p);
            sp = 0;
        } else if (!sp) {
            out[o++] = ' ';
            sp = 1;
        }
    }
    while (o && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
}

/* Is w (a word in a words string) a month? 1..12 or 0. */
static int month_of(const char *w, size_t n)
{
    for (int m = 0; m < 12; m++) {
        if (strlen(month_names[m][0]) == n && strncmp(w, month_names[m][0], n) == 0)
            return m + 1;
        if (strlen(month_names[m][1]) == n && strncmp(w, month_names[m][1], n) == 0)
            return m + 1;
        if (m == 8 && n == 4 && strncmp(w, "sept", 4) == 0)
            return 9;
    }
    return 0;
}

static int word_num(const char *w, size_t n)
{
    if (n == 0 || n > 4)
        return -1;
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)w[i]))
            return -1;
        v = v * 10 + (w[i] - '0');
    }
    return v;
}

static int has_phrase(const char *words, const char *phrase)
{
    size_t n = strlen(phrase);
    for (const char *p = strstr(words, phrase); p; p = strstr(p + 1, phrase))
        if ((p == words || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
            return 1;
    return 0;
}

/* Duration phrases of period headers and the months they mean; the first listed that a text
 * holds is its duration. */
static const struct {
    const char *phrase;
    int months;
} durations[] = {
    {"three months", 3}, {"3 months", 3},   {"first quarter", 3}, {"second quarter", 3}, {"third quarter", 3},
    {"fourth quarter", 3},   {"quarter ended", 3},  {"quarter ending", 3}, {"13 weeks", 3},
    {"thirteen weeks", 3}, {"three month", 3}, {"six months", 6},  {"6 months", 6},      {"26 weeks", 6},
    {"six month", 6},      {"nine months", 9}, {"9 months", 9},    {"39 weeks", 9},      {"nine month", 9},
    {"twelve months", 12}, {"12 months", 12}, {"year ended", 12}, {"years ended", 12},  {"year ending", 12},
    {"years ending", 12},  {"fiscal year", 12}, {"fiscal years", 12}, {"52 weeks", 12}, {"53 weeks", 12},
    {"for the year", 12},  {"fiscal", 12},    {"fy", 12},
};

/* Reads durations, dates and years from header text. With anchored, a month and day count
 * only right after "ended", "ending", "as of", "as at" or "at" (text around a table). */
static void parse_period(const char *text, int anchored, period_info *pi)
{
    char w[1200];
    lower_words(text, w, sizeof w);
    if (!pi->months)
        for (size_t i = 0; i < sizeof durations / sizeof durations[0]; i++)
            if (has_phrase(w, durations[i].phrase)) {
                pi->months = durations[i].months;
                break;
            }
    /* Walk the words. */
    const char *prev[3] = {"", "", ""};
    size_t prevn[3] = {0, 0, 0};
    for (const char *p = w; *p;) {
        const char *e = strchr(p, ' ');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        int m = month_of(p, n);
        int num = word_num(p, n);
        /* "fy2023", "fy23" */
        if (n >= 4 && n <= 6 && p[0] == 'f' && p[1] == 'y' && word_num(p + 2, n - 2) >= 0) {
            int y = word_num(p + 2, n - 2);
            if (n == 4)
                y += 2000;
            if (y >= 1900 && y <= 2100 && pi->n_years < 8)
                pi->years[pi->n_years++] = y;
            if (!pi->year && y >= 1900 && y <= 2100)
                pi->year = y;
            if (!pi->months)
                pi->months = 12;
        } else if (num >= 1900 && num <= 2100 && n == 4) {
            if (pi->n_years < 8)
                pi->years[pi->n_years++] = num;
            if (!pi->year)
                pi->year = num;
        } else if (m && !pi->month) {
            /* month day | day month */
            const char *nx = e ? e + 1 : "";
            const char *nxe = strchr(nx, ' ');
            size_t nxn = nxe ? (size_t)(nxe - nx) : strlen(nx);
            int day = word_num(nx, nxn);
            int pday = word_num(prev[0], prevn[0]);
            int dd = day >= 1 && day <= 31 ? day : (pday >= 1 && pday <= 31 ? pday : 0);
            int anchor_ok = !anchored;
            /* the words before "month" (or before "day month") */
            int back = (dd && dd == pday && !(day >= 1 && day <= 31)) ? 1 : 0;
            const char *a1 = prev[back], *a2 = back + 1 < 3 ? prev[back + 1] : "";
            size_t a1n = prevn[back], a2n = back + 1 < 3 ? prevn[back + 1] : 0;
            if ((a1n == 5 && strncmp(a1, "ended", 5) == 0) || (a1n == 6 && strncmp(a1, "ending", 6) == 0) ||
                (a1n == 2 && strncmp(a1, "at", 2) == 0) ||
                (a1n == 2 && strncmp(a1, "of", 2) == 0 && a2n == 2 && strncmp(a2, "as", 2) == 0) ||
                (a1n == 2 && strncmp(a1, "at", 2) == 0 && a2n == 2 && strncmp(a2, "as", 2) == 0))
                anchor_ok = 1;
            if (dd && anchor_ok) {
                pi->month = m;
                pi->day = dd;
            }
        }
        prev[2] = prev[1];
        prevn[2] = prevn[1];
        prev[1] = prev[0];
        prevn[1] = prevn[0];
        prev[0] = p;
        prevn[0] = n;
        p = e ? e + 1 : p + n;
    }
}

/* The durations a text names, in the order it names them ("Three Months Ended June 30,
 * Twelve Months Ended June 30,": 3 then 12), at most cap; the count. */
static size_t durations_in_order(const char *text, int *months, size_t cap)
{
    char w[1200];
    lower_words(text, w, sizeof w);
    size_t n = 0;
    for (const char *p = w; *p && n < cap;) {
        int hit = 0;
        size_t hl = 0;
        for (size_t i = 0; i < sizeof durations / sizeof durations[0] && !hit; i++) {
            size_t l = strlen(durations[i].phrase);
            if (!strncmp(p, durations[i].phrase, l) && (p[l] == ' ' || p[l] == '\0'))
                hit = durations[i].months, hl = l;
        }
        if (hit)
            months[n++] = hit;
        p += hit ? hl : strcspn(p, " ");
        while (*p == ' ')
            p++;
    }
    return n;
}

/* Full dates ("July 31, 2023") a short line names, in order, as day numbers into ends (at most
 * cap); the count, or 0 when the line says more than the dates and a word or two ("As of"). */
static size_t line_of_dates(const char *text, size_t len, long *ends, size_t cap)
{
    char raw[DATES_LINE_MAX + 1], w[2 * DATES_LINE_MAX + 2];
    if (len > DATES_LINE_MAX)
        return 0;
    memcpy(raw, text, len);
    raw[len] = '\0';
    lower_words(raw, w, sizeof w);
    size_t n = 0, other = 0;
    for (const char *p = w; *p;) {
        const char *q[3];
        size_t l[3];
        int k = 0;
        for (const char *r = p; k < 3 && *r; k++) {
            q[k] = r;
            l[k] = strcspn(r, " ");
            r += l[k];
            while (*r == ' ')
                r++;
        }
        int m = month_of(p, l[0]);
        int day = k == 3 ? word_num(q[1], l[1]) : -1, year = k == 3 ? word_num(q[2], l[2]) : -1;
        if (m && day >= 1 && day <= ds_date_days_in_month(year > 0 ? year : 2000, m) && l[2] == 4 && year >= 1900 &&
            year <= 2100) {
            if (n < cap)
                ends[n] = ds_date_from_ymd(year, m, day);
            n++;
            p = q[2] + l[2];
        } else {
            other++;
            p += l[0];
        }
        while (*p == ' ')
            p++;
    }
    return other <= 2 && n <= cap ? n : 0;
}

/* ---- scale ------------------------------------------------------------------------------- */

typedef struct scale_info {
    int found;
    int exp10;       /* 3, 6, 9: the scale of the amounts */
    int share_exp10; /* the scale of share counts */
} scale_info;

static void lower_copy(const char *s, char *out, size_t cap)
{
    size_t o = 0;
    for (; *s && o + 1 < cap; s++)
        out[o++] = (char)tolower((unsigned char)*s);
    out[o] = '\0';
}

static const struct {
    const char *pat;
    int exp10;
    int strict_ok;
} scale_pats[] = {
    {"in thousands", 3, 1},  {"in millions", 6, 1},   {"in billions", 9, 1},  {"thousands of dollars", 3, 1},
    {"millions of dollars", 6, 1}, {"billions of dollars", 9, 1}, {"(thousands", 3, 1}, {"(millions", 6, 1},
    {"(billions", 9, 1},     {"in $000", 3, 1},       {"($000", 3, 1},        {"$'000", 3, 1},
    {"£'000", 3, 1},         {"€'000", 3, 1},         {"in 000s", 3, 1},      {"(000s)", 3, 1},
    {"(000's)", 3, 1},       {"(000)", 3, 1},         {"in $ millions", 6, 1}, {"in $ thousands", 3, 1},
    {"in $ billions", 9, 1}, {"$ in millions", 6, 1}, {"$ in thousands", 3, 1}, {"$ in billions", 9, 1},
    {"($ million", 6, 1},    {"($ thousand", 3, 1},   {"($ billion", 9, 1},   {"(in million", 6, 1},
    {"thousands", 3, 0},     {"millions", 6, 0},      {"billions", 9, 0},     {"$m", 6, 0},
    {"£m", 6, 0},            {"€m", 6, 0},            {"$bn", 9, 0},          {"£bn", 9, 0},
    {"€bn", 9, 0},
};

/* The earliest scale mention at or after from; its position and exponent, or NULL. */
static const char *earliest_scale(const char *from, int strict, int *exp10)
{
    const char *best = NULL;
    for (size_t i = 0; i < sizeof scale_pats / sizeof scale_pats[0]; i++) {
        if (strict && !scale_pats[i].strict_ok)
            continue;
        size_t pl = strlen(scale_pats[i].pat);
        for (const char *hit = strstr(from, scale_pats[i].pat); hit; hit = strstr(hit + 1, scale_pats[i].pat)) {
            /* "$m" must not start a word ("$more") */
            if (!scale_pats[i].strict_ok && isalpha((unsigned char)hit[pl]))
                continue;
            if (!best || hit < best) {
                best = hit;
                *exp10 = scale_pats[i].exp10;
            }
            break;
        }
    }
    return best;
}

/* The scale of a table from text around it: the first scale mentioned is the amounts'; share
 * counts follow it unless an "except" clause names shares ("except share data": unscaled;
 * "except number of shares which are reflected in thousands": their own scale). strict: only
 * the explicit forms (for prose before the table). */
static void find_scale(const char *text, int strict, scale_info *si)
{
    if (si->found || !text)
        return;
    char l[CONTEXT_BYTES * 2];
    lower_copy(text, l, sizeof l);
    int e = 0;
    const char *hit = earliest_scale(l, strict, &e);
    if (!hit)
        return;
    si->found = 1;
    si->exp10 = e;
    si->share_exp10 = e;
    const char *ex = strstr(hit, "except");
    const char *sh = ex ? strstr(ex, "share") : NULL;
    if (sh) {
        /* "per share" alone does not speak of share counts */
        int counts = 0;
        for (const char *p = ex; (p = strstr(p, "share")) != NULL; p++)
            if (!(p >= l + 4 && strncmp(p - 4, "per ", 4) == 0))
                counts = 1;
        if (counts) {
            int se = 0;
            si->share_exp10 = earliest_scale(sh, strict, &se) ? se : 0;
        }
    }
}

/* ---- one table ------------------------------------------------------------------------------ */

typedef struct col_period {
    int ok;
    int year, month, day;
    int months; /* 0 unknown */
    char end[11];
} col_period;

#define MAX_FY_ENDS 64

typedef struct table_ctx {
    int collect; /* first pass: only learn fiscal year ends */
    /* Year-long columns with their own full date ("Year ended December 3, 2021"): the end of
     * each fiscal year, for columns that give only the year (52/53-week years end on
     * different days). */
    struct {
        int year;
        long end;
    } fy_end[MAX_FY_ENDS];
    size_t n_fy_end;
    ds_document *doc;
    const ds_chunk_list *chunks;
    ds_fact_list *out;
    const char *extractor;
    const ds_block *block;
    const ds_table *t;
    size_t bi; /* block index */
    int doc_scale; /* the document states a scale somewhere: -1 not looked yet, 0 no, 1 yes */
    /* The last table that gave facts (second pass): a table right after it with no period
     * header of its own and as many value columns continues it (a balance sheet's equity
     * section printed after "Commitments and contingencies"). */
    struct {
        int valid;
        size_t bi, nv;
        int page, score, any_months, table_seq;
        col_period cp[MAX_COLS];
        scale_info sc;
        const char *currency, *dims;
    } last;
} table_ctx;

/* Whether the document's text states a scale anywhere ("in millions"), looked up once. */
static int doc_states_scale(table_ctx *tc)
{
    static const char *const pats[] = {"in thousands", "in millions", "in billions", "thousands of dollars",
                                       "millions of dollars", "billions of dollars"};
    if (tc->doc_scale < 0) {
        const char *text = tc->doc->text.data ? tc->doc->text.data : "";
        tc->doc_scale = 0;
        for (size_t i = 0; i < sizeof pats / sizeof pats[0] && !tc->doc_scale; i++)
            tc->doc_scale = strcasestr(text, pats[i]) != NULL;
    }
    return tc->doc_scale;
}

static const char *cell_at(const ds_table *t, size_t r, size_t c)
{
    const char *s = t->cells[r * t->n_cols + c];
    return s ? s : "";
}

static int blank(const char *s)
{
    for (; *s; s++)
        if (!isspace((unsigned char)*s) && (unsigned char)*s != 0xC2 && (unsigned char)*s != 0xA0)
            return 0;
    return 1;
}

static int year_like(const char *s)
{
    period_info pi = {0};
    parse_period(s, 0, &pi);
    ds_dec_printed cn;
    parse_cell(s, &cn);
    return pi.year != 0 && (cn.kind != DS_DEC_PRINTED_VALUE || strlen(cn.value) == 4);
}

/* Whether a body row (from row hr) of the label column names the metric. */
static int has_metric_row(const ds_table *t, size_t hr, size_t label_col, const char *metric)
{
    for (size_t r = hr; r < t->n_rows; r++) {
        const char *m = ds_metric_for_label(cell_at(t, r, label_col), NULL);
        if (m && !strcmp(m, metric))
            return 1;
    }
    return 0;
}

/* Whether any cell of the first hr rows, past the first column, names a year. */
static int header_has_year(const ds_table *t, size_t hr)
{
    for (size_t r = 0; r < hr; r++)
        for (size_t c = 1; c < t->n_cols; c++)
            if (year_like(cell_at(t, r, c)))
                return 1;
    return 0;
}

/* Text around the table: up to CONTEXT_BLOCKS headings/paragraphs before it (nearest first),
 * stopping at another table. */
static ds_status around_text(const table_ctx *tc, ds_buf *out)
{
    const ds_document *doc = tc->doc;
    for (size_t k = 1; k <= CONTEXT_BLOCKS && k <= tc->bi; k++) {
        const ds_block *b = &doc->blocks[tc->bi - k];
        if (b->kind == DS_BLOCK_KIND_TABLE)
            break;
        size_t n = b->text_len < CONTEXT_BYTES ? b->text_len : CONTEXT_BYTES;
        if (ds_buf_append(out, doc->text.data + b->text_off, n) || ds_buf_putc(out, '\n'))
            return DS_ERR_NOMEM;
    }
    return DS_OK;
}

/* Assigns header text to value columns for one header row (see the file comment). */
static ds_status assign_header_row(const ds_table *t, size_t r, size_t label_col, const size_t *vcols, size_t nv,
                                   ds_buf *col_text)
{
    size_t idx[MAX_COLS], cnt = 0;
    for (size_t c = 0; c < t->n_cols; c++)
        if (c != label_col && !blank(cell_at(t, r, c)))
            idx[cnt++] = c;
    if (cnt == 0)
        return DS_OK;
    int over_value_cols = 0;
    for (size_t k = 0; k < cnt; k++)
        for (size_t j = 0; j < nv; j++)
            over_value_cols |= idx[k] == vcols[j];
    for (size_t j = 0; j < nv; j++) {
        size_t src;
        if (cnt == nv) {
            src = idx[j];
        } else if (nv % cnt == 0) {
            src = idx[j / (nv / cnt)];
        } else {
            /* a row whose cells sit over value columns of their own names those columns only
             * ("2023 | | 2022 | | Percent" over "Amount | to Sales | Amount | to Sales |
             * Increase"); else the nearest header cell at or left of the column, else the first
             * to its right */
            src = SIZE_MAX;
            for (size_t k = 0; k < cnt; k++)
                if (over_value_cols ? idx[k] == vcols[j] : idx[k] <= vcols[j])
                    src = idx[k];
            if (src == SIZE_MAX && over_value_cols)
                continue;
            if (src == SIZE_MAX)
                src = idx[0];
        }
        if (ds_buf_puts(&col_text[j], cell_at(t, r, src)) || ds_buf_putc(&col_text[j], ' '))
            return DS_ERR_NOMEM;
    }
    /* One cell holding every column's year ("2023 2022"): the years go in order. */
    if (cnt == 1 && nv > 1) {
        period_info pi = {0};
        parse_period(cell_at(t, r, idx[0]), 0, &pi);
        if ((size_t)pi.n_years == nv)
            for (size_t j = 0; j < nv; j++)
                if (ds_buf_printf(&col_text[j], " \x01%d ", pi.years[j]))
                    return DS_ERR_NOMEM;
    }
    return DS_OK;
}

static int contains_ci(const char *hay, const char *needle)
{
    char l[600];
    lower_copy(hay, l, sizeof l);
    return strstr(l, needle) != NULL;
}

/* The row's text in doc->text (without the newline). */
static void row_span(const table_ctx *tc, size_t r, size_t *off, size_t *len)
{
    const ds_table *t = tc->t;
    size_t start = t->row_offsets[r];
    size_t end = r + 1 < t->n_rows ? t->row_offsets[r + 1] : tc->block->text_off + tc->block->text_len;
    const char *txt = tc->doc->text.data;
    while (end > start && (txt[end - 1] == '\n' || txt[end - 1] == '\r'))
        end--;
    *off = start;
    *len = end - start;
}

static const char *detect_currency(const table_ctx *tc, const char *context)
{
    const ds_table *t = tc->t;
    for (size_t i = 0; i < t->n_rows * t->n_cols; i++) {
        const char *s = t->cells[i] ? t->cells[i] : "";
        if (strchr(s, '$'))
            return "USD";
        if (strstr(s, "\xE2\x82\xAC"))
            return "EUR";
        if (strstr(s, "\xC2\xA3"))
            return "GBP";
    }
    if (strchr(context, '$') || contains_ci(context, "dollars"))
        return "USD";
    if (strstr(context, "\xE2\x82\xAC") || contains_ci(context, "euro"))
        return "EUR";
    if (strstr(context, "\xC2\xA3") || contains_ci(context, "pounds sterling"))
        return "GBP";
    return NULL;
}

/* The metric of a row, given its section: none under deferred taxes ("Deferred tax
 * liabilities: Depreciation and amortization" is a tax balance), and debt listed under
 * "Current liabilities:" is its current portion ("Term debt" twice on one balance sheet). */
static const char *row_metric(const ds_table *t, size_t r, size_t label_col, long section_row)
{
    char sk[256] = "";
    if (section_row >= 0)
        ds_label_key(cell_at(t, (size_t)section_row, label_col), sk, sizeof sk);
    if (strstr(sk, "deferred tax") || strstr(sk, "tax assets") || strstr(sk, "tax liabilities"))
        return NULL;
    const char *m = ds_metric_for_label(cell_at(t, r, label_col), NULL);
    if (m && !strcmp(m, "long_term_debt") && has_phrase(sk, "current") && !strstr(sk, "non current") &&
        !strstr(sk, "noncurrent"))
        m = "current_portion_long_term_debt";
    return m;
}

/* How much a table looks like a primary statement: two points for each distinct metric its
 * rows name, six for a statement title in the text just before it or its header rows
 * ("Consolidated Balance Sheets", "Statements of Cash Flows"), six off for a title of a part
 * or a restatement of the figures (segment, parent company only, guarantor or obligor group,
 * consolidating columns, selected or quarterly data, non-GAAP reconciliation). */
static int statement_score(const ds_table *t, size_t hr, size_t label_col, const long *section_of,
                           const char *around, const char *ctx)
{
    static const char *const titles[] = {"consolidated statements of", "consolidated statement of",
                                         "consolidated balance sheet", "balance sheets", "statements of operations",
                                         "statements of income", "statements of earnings", "statements of cash flows",
                                         "statements of financial position", "statement of financial condition"};
    static const char *const parts[] = {"segment", "parent company", "registrant", "selected financial data",
                                        "quarterly", "non gaap", "pro forma", "guarantor", "reconciliation",
                                        "guarantee", "obligor", "consolidating", "closed group"};
    const char *seen[32];
    size_t nseen = 0;
    for (size_t r = hr; r < t->n_rows; r++) {
        const char *m = row_metric(t, r, label_col, section_of[r]);
        size_t k = 0;
        while (m && k < nseen && strcmp(seen[k], m))
            k++;
        if (m && k == nseen && nseen < sizeof seen / sizeof seen[0])
            seen[nseen++] = m;
    }
    int score = 2 * (int)nseen;
    char words[2048];
    for (int pass = 0; pass < 2; pass++) {
        lower_words(pass ? ctx : around, words, sizeof words);
        int title = 0, part = 0;
        for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++)
            title |= strstr(words, titles[i]) != NULL;
        for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
            part |= strstr(words, parts[i]) != NULL;
        score += 6 * title - 6 * part;
    }
    return score;
}

#define ENTITY_TITLE_MAX 120 /* bytes of a title line before a table */
/* The sentence of a paragraph that introduces the table after it ("Summarized financial
 * information for our equity method investee ... is as follows:"): its last sentence when it
 * ends with a colon, narrowed to at most 2 * ENTITY_TITLE_MAX bytes. 0 when it is no such
 * paragraph. */
static int intro_sentence(const char **text, size_t *len)
{
    const char *s = *text;
    size_t n = *len;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    if (!n || s[n - 1] != ':')
        return 0;
    size_t start = n - 1;
    while (start > 0 && !(s[start - 1] == ' ' && start >= 2 && s[start - 2] == '.'))
        start--;
    if (n - start > 2 * ENTITY_TITLE_MAX)
        return 0;
    *text = s + start;
    *len = n - start;
    return 1;
}

/* The lowered words of the first title line before the table (the table's header ctx, then a
 * heading or a line of at most ENTITY_TITLE_MAX bytes among the CONTEXT_BLOCKS before it, or,
 * with intro set, the sentence of a longer paragraph introducing it) holding one of phrases;
 * written into words (cap 2 * ENTITY_TITLE_MAX + 2). Returns 1 when found, 0 when not. */
static int title_phrase(const table_ctx *tc, const char *ctx, const char *const *phrases, size_t n, int intro,
                        char *words)
{
    const ds_document *doc = tc->doc;
    char raw[2 * ENTITY_TITLE_MAX + 2];
    for (size_t k = 0; k <= CONTEXT_BLOCKS && k <= tc->bi; k++) {
        const char *text;
        size_t len;
        if (k == 0) {
            text = ctx, len = strlen(ctx);
        } else {
            const ds_block *b = &doc->blocks[tc->bi - k];
            if (b->kind == DS_BLOCK_KIND_TABLE)
                break;
            text = doc->text.data + b->text_off, len = b->text_len;
            if (b->kind != DS_BLOCK_KIND_HEADING && len > ENTITY_TITLE_MAX && !(intro && intro_sentence(&text, &len)))
                continue;
        }
        if (len >= sizeof raw)
            len = sizeof raw - 1;
        memcpy(raw, text, len);
        raw[len] = '\0';
        lower_words(raw, words, 2 * ENTITY_TITLE_MAX + 2);
        for (size_t i = 0; i < n; i++)
            if (has_phrase(words, phrases[i]))
                return 1;
    }
    return 0;
}

/* A statement of part of the group, or of other entities, rather than the consolidated one: a
 * title line before the table (a heading, or a line of at most ENTITY_TITLE_MAX bytes, among
 * the CONTEXT_BLOCKS before it, or the sentence of a paragraph introducing it) or its header
 * naming a closed group under a deed of cross guarantee, an obligor or guarantor group, the
 * parent company alone or the registrant's own condensed statements (Schedule I, "Condensed Financial Information of Parent"), or
 * unconsolidated or equity-method investees ("combined summarized balance sheets of the
 * Company's unconsolidated joint ventures").
 * Such a table prints the same lines as the consolidated statement ("Total assets") with other
 * amounts; its rows get dimensions "entity=<title>" so they never stand for the company.
 * Returns the dimensions (in the document's arena), NULL when the table names no such part,
 * or "" when out of memory (*oom set). */
static const char *entity_subset(const table_ctx *tc, const char *ctx, int *oom)
{
    static const char *const parts[] = {"cross guarantee",  "closed group", "obligor group",
                                        "guarantor",        "guarantors",   "parent company",
                                        "parent only",      "of parent",    "registrant",
                                        "condensed financial information", "unconsolidated",
                                        "equity method"};
    char words[2 * ENTITY_TITLE_MAX + 2];
    if (!title_phrase(tc, ctx, parts, sizeof parts / sizeof parts[0], 1, words))
        return NULL;
    const char *dims = ds_arena_printf(&tc->doc->arena, "entity=%s", words);
    *oom = dims == NULL;
    return dims ? dims : "";
}

/* Whether the table's header or a title line before it (a heading, or a line of at most
 * ENTITY_TITLE_MAX bytes, among the CONTEXT_BLOCKS before it) says its figures are a percentage
 * of something ("As a percentage of total revenues"). */
static int percent_table(const table_ctx *tc, const char *ctx)
{
    static const char *const phrases[] = {"as a percentage of", "as a percent of", "percentage of total",
                                          "percentage of net"};
    char words[2 * ENTITY_TITLE_MAX + 2];
    return title_phrase(tc, ctx, phrases, sizeof phrases / sizeof phrases[0], 0, words);
}

/* Whether the table continues the last one that gave facts: as many value columns, no text in
 * them on its first row (a header of its own, "(Millions) | Employee-Related"), on the same or
 * the next page, with only paragraphs in between (no heading, no other table; the section
 * lines a statement prints, "Shareholders' Equity", "Commitments and contingencies") and at
 * most CONTEXT_BLOCKS of them. Called for a table with no period of its own. */
static int continues_last(const table_ctx *tc, const ds_dec_printed *nums, const size_t *vcols, size_t nv)
{
    if (!tc->last.valid || tc->last.nv != nv || tc->bi <= tc->last.bi || tc->bi - tc->last.bi > CONTEXT_BLOCKS + 1)
        return 0;
    if (tc->block->page_first > tc->last.page + 1)
        return 0;
    for (size_t j = 0; j < nv; j++)
        if (nums[vcols[j]].kind == DS_DEC_PRINTED_TEXT)
            return 0;
    for (size_t k = tc->last.bi + 1; k < tc->bi; k++) {
        const ds_block *b = &tc->doc->blocks[k];
        if (b->kind == DS_BLOCK_KIND_TABLE || b->kind == DS_BLOCK_KIND_HEADING)
            return 0;
    }
    return 1;
}

/* The year a fiscal year ending on end is named by: an end in the first week of January
 * closes the year before (a 52/53-week year ending January 1, 2023 is fiscal 2022). */
static int fiscal_year_of(long end)
{
    int y, m, d;
    ds_date_to_ymd(end, &y, &m, &d);
    return m == 1 && d <= 7 ? y - 1 : y;
}

/* Durations the line right above the table names in order ("Three Months Ended June 30,
 * Twelve Months Ended June 30," over "2022 | 2023 | 2022 | 2023"): one a group of the nv value
 * columns, into months (at most cap). The count of groups, 0 when the line names fewer than two
 * different durations or they do not divide the columns evenly. */
static size_t column_group_durations(const table_ctx *tc, size_t nv, int *months, size_t cap)
{
    if (tc->bi == 0 || tc->doc->blocks[tc->bi - 1].kind == DS_BLOCK_KIND_TABLE)
        return 0;
    const ds_block *b = &tc->doc->blocks[tc->bi - 1];
    char line[CONTEXT_BYTES + 1];
    size_t n = b->text_len < CONTEXT_BYTES ? b->text_len : CONTEXT_BYTES;
    memcpy(line, tc->doc->text.data + b->text_off, n);
    line[n] = '\0';
    size_t groups = durations_in_order(line, months, cap);
    int differ = 0;
    for (size_t k = 1; k < groups; k++)
        differ |= months[k] != months[0];
    return groups >= 2 && differ && nv % groups == 0 ? groups : 0;
}

/* A headerless table under a line of as many dates as it has value columns ("July 31, 2023
 * January 31, 2023", among the CONTEXT_BLOCKS before it): the columns' period ends, in order,
 * with months as the text around states. 1 when found. */
static int dates_line_periods(const table_ctx *tc, size_t nv, int months, col_period *cp)
{
    for (size_t k = 1; k <= CONTEXT_BLOCKS && k <= tc->bi; k++) {
        const ds_block *b = &tc->doc->blocks[tc->bi - k];
        long ends[MAX_COLS];
        if (b->kind == DS_BLOCK_KIND_TABLE)
            return 0;
        if (line_of_dates(tc->doc->text.data + b->text_off, b->text_len, ends, MAX_COLS) != nv)
            continue;
        for (size_t j = 0; j < nv; j++) {
            memset(&cp[j], 0, sizeof cp[j]);
            cp[j].ok = 1;
            ds_date_to_ymd(ends[j], &cp[j].year, &cp[j].month, &cp[j].day);
            cp[j].months = months;
            ds_date_format(ends[j], cp[j].end);
        }
        return 1;
    }
    return 0;
}

/* Day of the week, 0 Sunday (1970-01-01 was a Thursday). */
static int weekday(long days)
{
    return (int)(((days % 7) + 7 + 4) % 7);
}

/* Is the fiscal year a 52/53-week one: the learnt ends fall on one weekday and two of them are
 * 364 or 371 days apart? *fiscal_month: the month the years end in (an end in the first days
 * of a month counts for the month before); *nearest: the end is the weekday nearest the month
 * end (some end falls in the next month) rather than the last such weekday of the month. */
static int weekly_calendar(const table_ctx *tc, int *fiscal_month, int *nearest)
{
    if (tc->n_fy_end < 2)
        return 0;
    int wd = weekday(tc->fy_end[0].end), pairs = 0, spill = 0, count[13] = {0};
    for (size_t i = 0; i < tc->n_fy_end; i++) {
        int y, m, d;
        if (weekday(tc->fy_end[i].end) != wd)
            return 0;
        ds_date_to_ymd(tc->fy_end[i].end, &y, &m, &d);
        if (d <= 7) {
            spill = 1;
            m = m == 1 ? 12 : m - 1;
        }
        count[m]++;
        for (size_t k = i + 1; k < tc->n_fy_end; k++) {
            long diff = labs(tc->fy_end[i].end - tc->fy_end[k].end);
            pairs += diff == 364 || diff == 371;
        }
    }
    if (!pairs)
        return 0;
    int best = 1;
    for (int m = 2; m <= 12; m++)
        if (count[m] > count[best])
            best = m;
    if (fiscal_month)
        *fiscal_month = best;
    if (nearest)
        *nearest = spill;
    return 1;
}

/* Days from c to the nearest last day of month fm. */
static long month_end_distance(long c, int fm)
{
    int y, m, d;
    ds_date_to_ymd(c, &y, &m, &d);
    long best = LONG_MAX;
    for (int yy = y - 1; yy <= y + 1; yy++) {
        long a = ds_date_from_ymd(yy, fm, ds_date_days_in_month(yy, fm));
        if (labs(c - a) < best)
            best = labs(c - a);
    }
    return best;
}

/* The end of the fiscal year before the one ending on end: learnt from the tables, else from a
 * 52/53-week calendar; LONG_MIN when unknown. */
static long prior_fy_end(const table_ctx *tc, long end)
{
    for (size_t k = 0; k < tc->n_fy_end; k++) {
        long d = end - tc->fy_end[k].end;
        if (d >= 350 && d <= 380)
            return tc->fy_end[k].end;
    }
    int fm, nearest;
    if (!weekly_calendar(tc, &fm, &nearest))
        return LONG_MIN;
    long c1 = end - 364, c2 = end - 371;
    if (nearest)
        return month_end_distance(c1, fm) <= month_end_distance(c2, fm) ? c1 : c2;
    /* the last such weekday of the month: the candidate in the month's last 7 days */
    int y, m, d;
    ds_date_to_ymd(c1, &y, &m, &d);
    return m == fm && d > ds_date_days_in_month(y, m) - 7 ? c1 : c2;
}

/* The commonest month and day among the fiscal year ends learnt; 0 when none. */
static void common_fy_end(const table_ctx *tc, int *month, int *day)
{
    int best = 0;
    for (size_t i = 0; i < tc->n_fy_end; i++) {
        int y, m, d, n = 0;
        ds_date_to_ymd(tc->fy_end[i].end, &y, &m, &d);
        for (size_t k = 0; k < tc->n_fy_end; k++) {
            int y2, m2, d2;
            ds_date_to_ymd(tc->fy_end[k].end, &y2, &m2, &d2);
            n += m2 == m && d2 == d;
        }
        if (n > best) {
            best = n;
            *month = m;
            *day = d;
        }
    }
}

static ds_status table_facts(table_ctx *tc, ds_err *err)
{
    const ds_table *t = tc->t;
    ds_document *doc = tc->doc;
    if (t->n_rows < 2 || t->n_cols < 2 || t->n_cols > MAX_COLS || !t->row_offsets)
        return DS_OK;
    ds_status st = DS_OK;
    size_t nr = t->n_rows, nc = t->n_cols;
    ds_dec_printed *nums = ds_calloc(nr * nc, sizeof *nums);
    ds_buf col_text[MAX_COLS];
    for (size_t j = 0; j < MAX_COLS; j++)
        ds_buf_init(&col_text[j]);
    ds_buf ctx = DS_BUF_INIT, around = DS_BUF_INIT;
    long *section_of = NULL;
    if (!nums) {
        st = ds_err_set(err, DS_ERR_NOMEM, "out of memory reading a table of %s", doc->name ? doc->name : "document");
        goto done;
    }
    for (size_t i = 0; i < nr * nc; i++)
        parse_cell(t->cells[i], &nums[i]);

    /* Header rows: as the parser says, or the leading rows holding only years and text. A
     * parser's header that names no year ("For the Years Ended December 31,") goes on through
     * the rows of years right under it ("In millions | 2022 | 2021"). */
    size_t hr = t->header_rows < nr ? t->header_rows : 0;
    if (hr == 0 || !header_has_year(t, hr)) {
        size_t from = hr;
        for (size_t r = from; r < nr && r < from + 4; r++) {
            int years = 0, values = 0;
            for (size_t c = 1; c < nc; c++) {
                const char *s = cell_at(t, r, c);
                if (nums[r * nc + c].kind == DS_DEC_PRINTED_VALUE && !year_like(s))
                    values++;
                else if (year_like(s))
                    years++;
            }
            if (values)
                break;
            if (years)
                hr = r + 1;
        }
    }
    if (hr >= nr)
        goto done;

    /* Label column: the one with the most text cells in the body. */
    size_t label_col = 0, best = 0;
    for (size_t c = 0; c < nc; c++) {
        size_t n = 0;
        for (size_t r = hr; r < nr; r++)
            if (nums[r * nc + c].kind == DS_DEC_PRINTED_TEXT)
                n++;
        if (n > best) {
            best = n;
            label_col = c;
        }
    }
    /* Value columns: right of the label column, with a number in the body. */
    size_t vcols[MAX_COLS], nv = 0;
    for (size_t c = label_col + 1; c < nc; c++) {
        int any = 0;
        for (size_t r = hr; r < nr; r++)
            if (nums[r * nc + c].kind == DS_DEC_PRINTED_VALUE || nums[r * nc + c].kind == DS_DEC_PRINTED_DASH)
                any = 1;
        if (any)
            vcols[nv++] = c;
    }
    if (nv == 0)
        goto done;

    /* Context: every header cell, then the text before the table. */
    for (size_t r = 0; r < hr && st == DS_OK; r++)
        for (size_t c = 0; c < nc && st == DS_OK; c++)
            if (ds_buf_puts(&ctx, cell_at(t, r, c)) || ds_buf_putc(&ctx, ' '))
                st = DS_ERR_NOMEM;
    /* label-only rows at the top of the body ("(in millions, except per share data)") */
    for (size_t r = hr; r < nr && r < hr + 2 && st == DS_OK; r++) {
        int vals = 0;
        for (size_t j = 0; j < nv; j++)
            vals += nums[r * nc + vcols[j]].kind != DS_DEC_PRINTED_BLANK;
        if (!vals && (ds_buf_puts(&ctx, cell_at(t, r, label_col)) || ds_buf_putc(&ctx, ' ')))
            st = DS_ERR_NOMEM;
        /* a scale printed in a value column there ("OPERATING ACTIVITIES: | | (in millions)") */
        for (size_t j = 0; j < nv && st == DS_OK; j++) {
            const char *cell = cell_at(t, r, vcols[j]);
            if (nums[r * nc + vcols[j]].kind == DS_DEC_PRINTED_TEXT &&
                (contains_ci(cell, "thousand") || contains_ci(cell, "million") || contains_ci(cell, "billion")) &&
                (ds_buf_puts(&ctx, cell) || ds_buf_putc(&ctx, ' ')))
                st = DS_ERR_NOMEM;
        }
    }
    if (st == DS_OK)
        st = around_text(tc, &around);
    if (st == DS_OK) {
        for (size_t r = 0; r < hr && st == DS_OK; r++)
            st = assign_header_row(t, r, label_col, vcols, nv, col_text);
    }
    if (st) {
        st = ds_err_set(err, DS_ERR_NOMEM, "out of memory reading a table of %s", doc->name ? doc->name : "document");
        goto done;
    }
    const char *ctx_s = ctx.data ? ctx.data : "";
    const char *around_s = around.data ? around.data : "";
    /* A table under a heading naming a segment ("Domestic Streaming Segment") breaks the
     * company down: its rows get dimensions "segment=<heading>". */
    const char *segment = NULL;
    for (size_t k = 1; k <= CONTEXT_BLOCKS && k <= tc->bi; k++) {
        const ds_block *b = &doc->blocks[tc->bi - k];
        if (b->kind == DS_BLOCK_KIND_TABLE)
            break;
        if (b->kind != DS_BLOCK_KIND_HEADING)
            continue;
        char hk[256], hb[256];
        size_t hl = b->text_len < sizeof hb - 1 ? b->text_len : sizeof hb - 1;
        memcpy(hb, doc->text.data + b->text_off, hl);
        hb[hl] = '\0';
        ds_label_key(hb, hk, sizeof hk);
        if (has_phrase(hk, "segment") || has_phrase(hk, "segments"))
            segment = ds_arena_printf(&doc->arena, "segment=%s", hk);
        break;
    }

    /* "Statements of Operations (As a percentage of total revenues)": ratios, not amounts. */
    if (percent_table(tc, ctx_s))
        goto done;

    scale_info sc = {0, 0, 0};
    find_scale(ctx_s, 0, &sc);
    find_scale(around_s, 1, &sc);
    period_info pctx = {0}, paround = {0};
    parse_period(ctx_s, 1, &pctx);
    parse_period(around_s, 1, &paround);
    /* a date in the header cells themselves counts without an anchor ("December 31,") */
    if (!pctx.month) {
        period_info loose = {0};
        char hdr_nums[1200] = "";
        size_t o = 0;
        for (size_t r = 0; r < hr; r++)
            for (size_t c = 0; c < nc; c++) {
                const char *s = cell_at(t, r, c);
                size_t n = strlen(s);
                if (o + n + 2 < sizeof hdr_nums) {
                    memcpy(hdr_nums + o, s, n);
                    o += n;
                    hdr_nums[o++] = ' ';
                    hdr_nums[o] = '\0';
                }
            }
        parse_period(hdr_nums, 0, &loose);
        pctx.month = loose.month;
        pctx.day = loose.day;
    }
    int meta_m = 0, meta_d = 0;
    long meta_days;
    if (doc->meta.period_end && ds_date_parse(doc->meta.period_end, &meta_days) == 0) {
        int y;
        ds_date_to_ymd(meta_days, &y, &meta_m, &meta_d);
    }

    int group_months[8];
    size_t n_group = column_group_durations(tc, nv, group_months, 8);

    /* Periods of the value columns. */
    col_period cp[MAX_COLS];
    int any_period = 0;
    for (size_t j = 0; j < nv; j++) {
        memset(&cp[j], 0, sizeof cp[j]);
        const char *ct = col_text[j].data ? col_text[j].data : "";
        period_info pc = {0};
        parse_period(ct, 0, &pc);
        const char *forced = strchr(ct, '\x01'); /* a year split out of a shared cell */
        if (forced) {
            int y = 0;
            for (const char *p = forced + 1; isdigit((unsigned char)*p); p++)
                y = y * 10 + (*p - '0');
            pc.year = y;
        }
        if (!pc.year)
            continue;
        /* "2015 vs. 2014", "Change", "% Increase", "Percent to Sales": a comparison or a ratio,
         * not a period */
        char lc[600];
        lower_copy(ct, lc, sizeof lc);
        if (strstr(lc, " vs") || strstr(lc, "versus") || strstr(lc, "change") || strstr(lc, "variance") ||
            strstr(lc, "increase") || strstr(lc, "decrease") || strchr(lc, '%') || strstr(lc, "percent"))
            continue;
        size_t n_pct = 0, n_val = 0;
        for (size_t r = hr; r < nr; r++) {
            n_pct += nums[r * nc + vcols[j]].kind == DS_DEC_PRINTED_PERCENT;
            n_val += nums[r * nc + vcols[j]].kind == DS_DEC_PRINTED_VALUE;
        }
        if (n_pct > n_val)
            continue;
        cp[j].year = pc.year;
        cp[j].months = pc.months                ? pc.months
                       : pctx.months            ? pctx.months
                       : n_group                ? group_months[j / (nv / n_group)]
                                                : paround.months;
        /* The end date: the column's own; else the fiscal year end learnt from the document for
         * a year-long or balance-sheet column; else the table's; else the document's period end
         * day; else the commonest fiscal year end day of the document; else December 31. */
        long learnt = LONG_MIN;
        if (!pc.month && (cp[j].months == 0 || cp[j].months == 12))
            for (size_t k = 0; k < tc->n_fy_end; k++)
                if (tc->fy_end[k].year == pc.year)
                    learnt = tc->fy_end[k].end;
        if (learnt != LONG_MIN) {
            int y;
            ds_date_to_ymd(learnt, &y, &cp[j].month, &cp[j].day);
            cp[j].year = y;
        } else {
            int cm = 0, cd = 0;
            common_fy_end(tc, &cm, &cd);
            cp[j].month = pc.month ? pc.month : pctx.month ? pctx.month : paround.month ? paround.month
                                                  : meta_m  ? meta_m
                                                  : cm      ? cm
                                                            : 12;
            cp[j].day = pc.month ? pc.day : pctx.month ? pctx.day : paround.month ? paround.day : meta_m ? meta_d
                                                                                      : cm   ? cd
                                                                                             : 31;
            /* a year-long or balance column named by its year alone, whose fiscal year ends in
             * the first week of January (a 52/53-week year): the year closes the next January */
            if (!pc.month && cp[j].month == 1 && cp[j].day <= 7 && (cp[j].months == 0 || cp[j].months == 12))
                cp[j].year++;
        }
        int dim = ds_date_days_in_month(cp[j].year, cp[j].month);
        if (cp[j].day > dim)
            cp[j].day = dim;
        ds_date_format(ds_date_from_ymd(cp[j].year, cp[j].month, cp[j].day), cp[j].end);
        if (tc->collect && pc.month && cp[j].months == 12 && tc->n_fy_end < MAX_FY_ENDS) {
            long e = ds_date_from_ymd(cp[j].year, cp[j].month, cp[j].day);
            int known = 0;
            int fy = fiscal_year_of(e);
            for (size_t k = 0; k < tc->n_fy_end; k++)
                known |= tc->fy_end[k].year == fy;
            if (!known) {
                tc->fy_end[tc->n_fy_end].year = fy;
                tc->fy_end[tc->n_fy_end].end = e;
                tc->n_fy_end++;
            }
        }
        cp[j].ok = 1;
        any_period = 1;
    }
    if (tc->collect)
        goto done;
    /* Columns sharing one period are not period columns (a fair-value table dated once). */
    for (size_t j = 0; j < nv; j++)
        for (size_t k = j + 1; k < nv; k++)
            if (cp[j].year && cp[k].year && !strcmp(cp[j].end, cp[k].end) &&
                (cp[j].months ? cp[j].months : 12) == (cp[k].months ? cp[k].months : 12))
                cp[j].ok = cp[k].ok = 0;
    any_period = 0;
    for (size_t j = 0; j < nv; j++)
        any_period |= cp[j].ok;
    /* A table with no header and no period of its own right after a statement continues it:
     * its columns, scale and currency are the statement's. */
    int continued = !any_period && hr == 0 && continues_last(tc, nums, vcols, nv);
    if (continued) {
        memcpy(cp, tc->last.cp, nv * sizeof cp[0]);
        sc = tc->last.sc;
        any_period = 1;
    }
    if (!any_period && hr == 0)
        any_period = dates_line_periods(tc, nv, pctx.months ? pctx.months : paround.months, cp);
    if (!any_period)
        goto done;

    /* Statement kind: a table with no duration and mostly balance-sheet rows is a balance sheet. */
    int n_inst = 0, n_flow = 0, any_months = pctx.months || paround.months || (continued && tc->last.any_months);
    for (size_t j = 0; j < nv; j++)
        any_months |= cp[j].months != 0;
    for (size_t r = hr; r < nr; r++) {
        const char *m = ds_metric_for_label(cell_at(t, r, label_col), NULL);
        if (m && ds_metric_is_instant(m))
            n_inst++;
        else if (m)
            n_flow++;
    }
    if (n_inst + n_flow == 0)
        goto done; /* nothing a credit analyst asks for: not a statement */
    int instant_table = !any_months && n_inst >= n_flow;
    const char *currency = detect_currency(tc, ctx_s);
    if (!currency && continued)
        currency = tc->last.currency;
    if (!currency)
        currency = detect_currency(tc, around_s);

    /* Section of each row: the nearest label-only row above it. A label repeated under two
     * sections ("Americas: Net sales", "Europe: Net sales") is a breakdown, not the
     * consolidated figure: such rows get dimensions "section=<section>". */
    section_of = ds_calloc(nr, sizeof *section_of);
    if (!section_of) {
        st = ds_err_set(err, DS_ERR_NOMEM, "out of memory reading a table of %s", doc->name ? doc->name : "document");
        goto done;
    }
    {
        long cur = -1;
        for (size_t r = hr; r < nr; r++) {
            int vals = 0, pct = 0;
            for (size_t j = 0; j < nv; j++) {
                ds_dec_printed_kind k = nums[r * nc + vcols[j]].kind;
                vals += k == DS_DEC_PRINTED_VALUE || k == DS_DEC_PRINTED_DASH;
                pct += k == DS_DEC_PRINTED_PERCENT;
            }
            if (!vals && !pct && !blank(cell_at(t, r, label_col)))
                cur = (long)r;
            section_of[r] = vals ? cur : -1;
            /* "Total current liabilities" closes "Current liabilities:" */
            if (vals && cur >= 0) {
                char rk[256], ck[256];
                ds_label_key(cell_at(t, r, label_col), rk, sizeof rk);
                ds_label_key(cell_at(t, (size_t)cur, label_col), ck, sizeof ck);
                if (!strncmp(rk, "total ", 6) && *ck && strstr(rk + 6, ck))
                    cur = -1;
            }
        }
    }

    /* Rows. */
    int score = statement_score(t, hr, label_col, section_of, around_s, ctx_s);
    /* A cash flow statement starts from the net income the income statement reports (before
     * the share of noncontrolling interests): its net income row counts as a restatement there,
     * RESTATED_PENALTY below the table's score. */
    int cash_flow_table = has_metric_row(t, hr, label_col, "operating_cash_flow");
    int oom = 0;
    const char *entity = entity_subset(tc, ctx_s, &oom);
    if (oom) {
        st = ds_err_set(err, DS_ERR_NOMEM, "out of memory reading a table of %s", doc->name ? doc->name : "document");
        goto done;
    }
    /* A table printed right under one of a part of the group, with no title between, is of
     * that part too (an investee's income statement right under its balance sheet). */
    if (!entity && tc->last.valid && tc->last.bi + 1 == tc->bi && tc->last.dims &&
        !strncmp(tc->last.dims, "entity=", 7))
        entity = tc->last.dims;
    int table_seq = (int)tc->bi + 1;
    if (continued) {
        if (tc->last.score > score)
            score = tc->last.score;
        if (!entity && !segment)
            entity = tc->last.dims; /* the statement's part ("entity=...") or segment */
        table_seq = tc->last.table_seq;
    }
    tc->last.valid = 1;
    tc->last.bi = tc->bi;
    tc->last.nv = nv;
    tc->last.page = tc->block->page_last > tc->block->page_first ? tc->block->page_last : tc->block->page_first;
    tc->last.score = score;
    tc->last.any_months = any_months;
    tc->last.table_seq = table_seq;
    memcpy(tc->last.cp, cp, nv * sizeof cp[0]);
    tc->last.sc = sc;
    tc->last.currency = currency;
    tc->last.dims = entity ? entity : segment;
    char section_label[256] = "";
    for (size_t r = hr; r < nr && st == DS_OK; r++) {
        const char *label = cell_at(t, r, label_col);
        int vals = 0, pct = 0;
        for (size_t j = 0; j < nv; j++) {
            ds_dec_printed_kind k = nums[r * nc + vcols[j]].kind;
            vals += k == DS_DEC_PRINTED_VALUE || k == DS_DEC_PRINTED_DASH;
            pct += k == DS_DEC_PRINTED_PERCENT;
        }
        if (!vals) {
            if (!blank(label) && !pct) {
                char key[256];
                ds_label_key(label, key, sizeof key);
                snprintf(section_label, sizeof section_label, "%s", key);
            }
            continue;
        }
        if (pct || strchr(label, '%') || blank(label))
            continue;
        char key[256];
        ds_label_key(label, key, sizeof key);
        const char *metric = row_metric(t, r, label_col, section_of[r]);
        const char *concept = label;
        int generic = !strcmp(key, "basic") || !strcmp(key, "diluted") || !strcmp(key, "basic and diluted");
        /* "Shares used in computing earnings per share: Basic" counts shares; "Earnings per share:
         * Basic" is a per-share amount. */
        int section_counts_shares = generic && has_phrase(section_label, "shares");
        int per_share = strstr(key, "per share") || strstr(key, "per common share") ||
                        (generic && !section_counts_shares &&
                         (strstr(section_label, "per share") || strstr(section_label, "per common share")));
        if (generic) {
            if (per_share)
                metric = key[0] == 'd' ? "eps_diluted" : "eps_basic";
            concept = ds_arena_printf(&doc->arena, "%s: %s", *section_label ? section_label : "", label);
            if (!concept) {
                st = ds_err_set(err, DS_ERR_NOMEM, "out of memory");
                break;
            }
        }
        if (ds_metric_is_per_share(metric))
            per_share = 1;
        const char *dims = entity ? entity : segment ? segment : "";
        for (size_t r2 = hr; r2 < nr && section_of[r] >= 0 && !generic && !entity; r2++) {
            char key2[256];
            if (r2 == r || section_of[r2] < 0 || section_of[r2] == section_of[r])
                continue;
            ds_label_key(cell_at(t, r2, label_col), key2, sizeof key2);
            const char *m2 = row_metric(t, r2, label_col, section_of[r2]);
            if (strcmp(key, key2) == 0 && (m2 == metric || (m2 && metric && !strcmp(m2, metric)))) {
                char sk[200];
                ds_label_key(cell_at(t, (size_t)section_of[r], label_col), sk, sizeof sk);
                dims = ds_arena_printf(&doc->arena, "section=%s", sk);
                if (!dims) {
                    st = ds_err_set(err, DS_ERR_NOMEM, "out of memory");
                    dims = "";
                }
                break;
            }
        }
        int shares = !per_share && (strstr(key, "shares") || section_counts_shares);
        int exp10 = per_share || !sc.found ? 0 : shares ? sc.share_exp10 : sc.exp10;
        const char *unit = NULL;
        if (per_share)
            unit = currency ? ds_arena_printf(&doc->arena, "%s/shares", currency) : NULL;
        else if (shares)
            unit = "shares";
        else
            unit = currency;
        int instant = metric ? ds_metric_is_instant(metric) : instant_table;
        size_t roff, rlen;
        row_span(tc, r, &roff, &rlen);
        const char *quote = ds_arena_strndup(&doc->arena, doc->text.data + roff, rlen);
        if (!quote) {
            st = ds_err_set(err, DS_ERR_NOMEM, "out of memory");
            break;
        }
        int page = ds_doc_page_of(doc, roff);
        int chunk_seq = ds_evidence_chunk(tc->chunks, roff);
        for (size_t j = 0; j < nv && st == DS_OK; j++) {
            const ds_dec_printed *cn = &nums[r * nc + vcols[j]];
            if (!cp[j].ok || (cn->kind != DS_DEC_PRINTED_VALUE && cn->kind != DS_DEC_PRINTED_DASH))
                continue;
            const char *digits = cn->value;
            if (ds_metric_is_magnitude(metric) && digits[0] == '-')
                digits++; /* "Interest expense (62,229)": an expense of 62,229 */
            ds_buf scaled = DS_BUF_INIT;
            ds_status sst = ds_dec_shift(digits, exp10, 0, &scaled, NULL);
            const char *value = sst == DS_OK ? ds_arena_strdup(&doc->arena, scaled.data) : NULL;
            ds_buf_deinit(&scaled);
            if (sst == DS_ERR_NOMEM) {
                st = ds_err_set(err, DS_ERR_NOMEM, "out of memory");
                break;
            }
            if (sst != DS_OK)
                continue;
            ds_fact f = {0};
            f.concept = concept;
            f.metric = metric;
            f.value = value;
            f.unit = unit;
            f.decimals = cn->kind == DS_DEC_PRINTED_DASH
                             ? NULL
                             : ds_arena_printf(&doc->arena, "%d", ds_dec_fraction_digits(cn->value) - exp10);
            f.period_end = ds_arena_strdup(&doc->arena, cp[j].end);
            if (!instant) {
                long end_days, start_days;
                char sbuf[11];
                ds_date_parse(cp[j].end, &end_days);
                int months = cp[j].months ? cp[j].months : 12;
                long prior = months == 12 ? prior_fy_end(tc, end_days) : LONG_MIN;
                if (prior != LONG_MIN)
                    start_days = prior + 1;
                else if (weekly_calendar(tc, NULL, NULL) && (months == 3 || months == 6 || months == 9))
                    start_days = end_days - (long)months / 3 * 91 + 1; /* 13, 26, 39 weeks */
                else
                    start_days = ds_date_period_start(end_days, months);
                ds_date_format(start_days, sbuf);
                f.period_start = ds_arena_strdup(&doc->arena, sbuf);
                if (!f.period_start)
                    st = ds_err_set(err, DS_ERR_NOMEM, "out of memory");
            }
            f.dimensions = dims;
            f.source_extractor = tc->extractor;
            f.quote = quote;
            f.page = page;
            f.chunk_seq = chunk_seq;
            f.byte_off = roff;
            f.statement_score = cash_flow_table && metric && !strcmp(metric, "net_income") ? score - RESTATED_PENALTY
                                                                                            : score;
            f.table_seq = table_seq;
            f.scale_doubt = !sc.found && !per_share && !shares && doc_states_scale(tc);
            if (st == DS_OK && (!f.value || !f.period_end || (cn->kind != DS_DEC_PRINTED_DASH && !f.decimals)))
                st = ds_err_set(err, DS_ERR_NOMEM, "out of memory");
            if (st == DS_OK && ds_fact_list_push(tc->out, &f))
                st = ds_err_set(err, DS_ERR_NOMEM, "out of memory");
        }
    }

done:
    ds_free(nums);
    ds_free(section_of);
    for (size_t j = 0; j < MAX_COLS; j++)
        ds_buf_deinit(&col_text[j]);
    ds_buf_deinit(&ctx);
    ds_buf_deinit(&around);
    return st;
}

ds_status ds_extract_table_facts(ds_document *doc, const ds_chunk_list *chunks, ds_fact_list *out, ds_err *err)
{
    table_ctx tc = {0};
    tc.doc = doc;
    tc.chunks = chunks;
    tc.out = out;
    tc.extractor = doc->kind == DS_DOC_KIND_PDF ? "pdf_table" : "html_table";
    tc.doc_scale = -1;
    /* Pass 1 learns the fiscal year ends the tables state; pass 2 emits the facts. */
    for (int pass = 0; pass < 2; pass++) {
        tc.collect = pass == 0;
        tc.last.valid = 0;
        for (size_t i = 0; i < doc->n_blocks; i++) {
            const ds_block *b = &doc->blocks[i];
            if (b->kind != DS_BLOCK_KIND_TABLE || !b->table)
                continue;
            tc.block = b;
            tc.t = b->table;
            tc.bi = i;
            ds_status st = table_facts(&tc, err);
            if (st)
                return st;
        }
    }
    return DS_OK;
}
