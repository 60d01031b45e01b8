/* facts.h - the fact record every extractor produces (XBRL, statement tables, model), the
 * mapping from XBRL concepts and table row labels to canonical credit metrics, fiscal period
 * classification, and the resolution of duplicate facts.
 *
 * Ownership: strings in a ds_fact are borrowed from the document's arena (or static tables)
 * and live as long as the document. Threading: reentrant; the concept table is read-only.
 */
#ifndef DS_EXTRACT_FACTS_H
#define DS_EXTRACT_FACTS_H

#include "extract/chunker.h"
#include "ingest/document.h"
#include "pipeline/core/status.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ds_fact {
    const char *concept;    /* us-gaap:Revenues, or a table row label */
    const char *metric;     /* canonical metric or NULL */
    const char *value;      /* exact decimal string, or NULL when not numeric */
    const char *value_text; /* text value (non-numeric facts), or NULL */
    int is_nil;             /* XBRL xsi:nil: the filer states no value (value, value_text NULL) */
    const char *unit, *decimals;
    const char *period_start, *period_end; /* ISO dates; start NULL for an instant */
    const char *dimensions;                /* "" for the consolidated value */
    const char *source_extractor;          /* "ixbrl", "xbrl", "pdf_table", "html_table", "model" */
    const char *quote;                     /* text as shown, or NULL */
    int page;                              /* 0 unknown */
    const char *anchor;                    /* inline XBRL: id of the element that shows the fact in the source
                                   * HTML (a link's #fragment); NULL otherwise */
    int chunk_seq;                         /* -1 none */
    size_t byte_off;                       /* into doc->text, SIZE_MAX none */
    /* model backend only (NULL otherwise): model name, checkpoint fingerprint, prompt version */
    const char *model, *model_fingerprint, *prompt_version;
    /* table facts: how much the table looks like a primary statement (distinct metrics it
     * prints, its title); the higher one wins a metric and period. 0 for other extractors. */
    int statement_score;
    /* table facts: which table printed the fact, 1-based (a table continuing a statement, such
     * as its equity section after a page's break, shares the statement's); 0 for other
     * extractors. Verification compares a statement's own lines, and a value printed twice
     * only across two tables. */
    int table_seq;
    /* table facts: 1 when no scale was found for the table while the document states one
     * elsewhere ("in millions"), so the stored value may lack it. */
    int scale_doubt;
    /* Verification (extract/verify.c): "reported" (XBRL), "verified", "unverified" or
     * "conflict", and the check that decided it ("balance_sheet", "gross_profit", ...);
     * static strings, NULL before ds_facts_verify. */
    const char *verification, *verification_check;
} ds_fact;

typedef struct ds_fact_list {
    ds_fact *v;
    size_t n, cap;
} ds_fact_list;

void ds_fact_list_free(ds_fact_list *l);
ds_status ds_fact_list_push(ds_fact_list *l, const ds_fact *f);

/* Canonical metric of an XBRL concept ("us-gaap:Revenues" -> "revenue"), NULL when none.
 * Prefixes other than us-gaap/ifrs-full are never mapped. The metrics: revenue,
 * cost_of_revenue, gross_profit, operating_income, net_income, eps_basic, eps_diluted,
 * total_assets, current_assets, current_liabilities, total_liabilities, equity, cash,
 * operating_cash_flow, capex, short_term_debt (all current debt), short_term_borrowings,
 * current_portion_long_term_debt, long_term_debt, interest_expense, depreciation_amortization. */
const char *ds_metric_for_concept(const char *concept);

/* Canonical metric of a statement-table row label ("Total revenues", "Net income (loss)",
 * "Total stockholders' equity"), matched exactly after ds_label_key normalisation against the
 * synonym list; NULL when none. *rank (may be NULL) gets the synonym's position (lower is
 * preferred). Labels naming an opening balance ("... beginning of year") match nothing. */
const char *ds_metric_for_label(const char *label, int *rank);
/* Lower-case words of a label separated by single spaces, apostrophes dropped, other
 * punctuation a space: "Total stockholders’ equity (deficit)" -> "total stockholders equity
 * deficit". Returns the length written (out always NUL-terminated when cap > 0). */
size_t ds_label_key(const char *label, char *out, size_t cap);
/* Preference of a concept or label among those mapping to the same metric: its position in
 * the concept table or the synonym list; INT32_MAX when it maps to nothing. */
int ds_metric_rank(const char *concept);
/* Balance-sheet metrics (total_assets, equity, cash, debt...) are measured at an instant. */
int ds_metric_is_instant(const char *metric);
/* eps_basic, eps_diluted: never scaled by a table's "in millions". */
int ds_metric_is_per_share(const char *metric);
/* cost_of_revenue, interest_expense, depreciation_amortization, capex: amounts XBRL reports as
 * positive whatever the presentation ("Interest expense (62,229)" is 62229 thousand). */
int ds_metric_is_magnitude(const char *metric);

/* The fiscal period of a fact's dates. label: "instant" (no start), "FY" (350..380 days),
 * "Q1".."Q4" (84..98 days, numbered from the fiscal year end month), "6M" (175..190 days),
 * "9M" (266..280 days) or "other". fiscal_year: the calendar year in which the fiscal year
 * holding the period end closes, or the year before when fiscal years end in January to May
 * (the year ending February 1, 2025 is fiscal 2024). A period ending in the first 7 days of a
 * month counts as ending in the month before (52/53-week years). fy_end_month 1..12 (anything
 * else: 12). */
typedef struct ds_fiscal_period {
    const char *label; /* static */
    int fiscal_year;
    int days; /* length of a duration, 0 for an instant */
} ds_fiscal_period;
/* 0 on success; -1 when the dates are not valid ISO dates or start > end. */
int ds_fiscal_period_classify(const char *start, const char *end, int fy_end_month, ds_fiscal_period *out);

typedef struct ds_resolve_stats {
    size_t dropped; /* repeated values removed */
    size_t demoted; /* facts whose metric went to a preferred concept */
} ds_resolve_stats;

/* Resolves duplicates in place, within each extractor's facts (stats may be NULL):
 * - the same value of the same concept for the same period, dimensions and unit, given in
 *   several contexts (or tables), is kept once: the copy of the highest statement_score (a
 *   statement's line, not an MD&A table repeating it), then the first displayed in the text;
 * - one metric for the same period, dimensions and unit from several concepts (or row
 *   labels), or from one label with different values in several tables, stays with the fact
 *   of the highest statement_score, then the preferred concept (ds_metric_rank), then the one
 *   verified (or reported) by ds_facts_verify; the others
 *   keep their concept and value with metric NULL, so a metric has one value per period,
 *   dimensions and unit.
 * Facts with dimensions are left as they are otherwise: the consolidated value is the one
 * with dimensions "". Order of the remaining facts is kept. */
ds_status ds_facts_resolve(ds_fact_list *l, ds_resolve_stats *stats, ds_err *err);

/* Gives every fact its verification status and check (see ds_fact), from the arithmetic the
 * document's statements print, for the consolidated facts (no dimensions) of each extractor,
 * period and unit; the arithmetic checks compare the lines of one statement (one table_seq;
 * XBRL facts of the filing are one statement), never a total of one table with parts of another:
 * - balance_sheet: total assets = total liabilities + equity, or the printed "Total
 *   liabilities and equity" line equals total assets;
 * - gross_profit: gross profit = revenue - |cost of revenue|;
 * - current_subtotals: a current subtotal above its total (current assets > total assets) is a
 *   conflict;
 * - cash_flow_end_cash, net_income_two_statements, same_value_twice: the same value of a
 *   metric printed in two different tables (the cash flow statement's ending cash and the
 *   balance sheet, net income in the income and cash flow statements); two rows of one table
 *   never verify each other, and a second printing does not lift a conflict.
 * A fact every candidate set of whose printed parts disagrees is a "conflict"; a fact no check
 * reaches is "unverified" (check "none"), as is one whose scale is in doubt ("scale_not_stated")
 * and one with dimensions (a segment's, or a closed group's or parent company's statement).
 * XBRL facts are "reported" (check "xbrl") unless the same arithmetic fails on them
 * ("conflict"); model facts are "unverified" (check "model"). Call before ds_facts_resolve,
 * which prefers verified facts. Reentrant; no allocation failure other than out of memory. */
ds_status ds_facts_verify(ds_fact_list *l, ds_err *err);

/* Facts from the document's XBRL facts (inline or instance), tied to the chunk and page that
 * show them. Non-numeric facts longer than max_text bytes keep only their first max_text. */
ds_status ds_extract_xbrl_facts(ds_document *doc, const ds_chunk_list *chunks, ds_fact_list *out, ds_err *err);

/* Facts from the document's tables (extract/statement_tables.c): every table whose columns
 * carry periods and one of whose rows names a canonical metric. Values are the numbers as
 * printed ("$ 1,234" 1234, "(1,234)" -1234, "—" 0; metrics that are positive by definition,
 * ds_metric_is_magnitude, keep the magnitude as XBRL does), footnote marks dropped, scaled exactly by
 * the "in thousands/millions/billions" of the header rows or the heading or paragraph just
 * before the table (per-share rows are never scaled); "%" rows are skipped. Columns get
 * periods from the header ("2023", "December 31, 2023", "Year Ended December 31, 2023",
 * "Three Months Ended September 30, 2023"); balance-sheet rows are instants. A fiscal year
 * starts the day after the previous one ends (learnt from the document's tables, or from its
 * 52/53-week calendar when the ends fall on one weekday), else a year before its end. Each fact has
 * source_extractor "pdf_table" (PDF) or "html_table" (other kinds), the row text as quote,
 * the row's offset, page, chunk and table_seq. A table with no header and no period of its own
 * right after a statement (only paragraphs between, same or next page, as many value columns)
 * continues it: the statement's periods, scale, currency, score and table_seq. Rows of a table
 * under a segment heading get dimensions "segment=<heading>"; rows of a statement of part of
 * the group (a title or header naming a deed of cross guarantee or closed group, an obligor or
 * guarantor group, the parent company or the registrant alone) get "entity=<title>", so
 * neither stands for the consolidated figure. Strings live in the document's arena. */
ds_status ds_extract_table_facts(ds_document *doc, const ds_chunk_list *chunks, ds_fact_list *out, ds_err *err);

#endif
