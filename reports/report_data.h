/* report_data.h - what a report shows, read from the database in one go (report_data.c) and
 * rendered by report_html.c and report_pdf.c. Internal to reports/.
 * Ownership: everything lives in the struct's arena; ds_report_data_free releases it. */
#ifndef DS_REPORTS_REPORT_DATA_H
#define DS_REPORTS_REPORT_DATA_H

#include "pipeline/core/arena.h"
#include "pipeline/core/status.h"

#include <libpq-fe.h>

#define RPT_MAX_PERIODS 12

/* What a column of figures covers: a fiscal year, a quarter, a year to date (6 or 9 months
 * from the fiscal year start), a balance-sheet date alone, or the last twelve months to a
 * quarter end (company_metrics_ltm). */
typedef enum rpt_period_kind {
    RPT_PERIOD_KIND_FY,
    RPT_PERIOD_KIND_QUARTER,
    RPT_PERIOD_KIND_YTD,
    RPT_PERIOD_KIND_INSTANT,
    RPT_PERIOD_KIND_LTM
} rpt_period_kind;

typedef struct rpt_period {
    rpt_period_kind kind;
    const char *end;        /* ISO date */
    int fiscal_year;        /* as the company names it */
    int quarter;            /* quarter ended (1..4) for quarters, years to date and LTM, else 0 */
    const char *label;      /* "FY2024", "Q3 FY2024", "9M FY2024", "2024-06-29", "LTM Q3 FY2024" */
    const char *kind_label; /* "FY", "quarter", "YTD", "balance sheet", "LTM" */
} rpt_period;

typedef struct rpt_cell {
    int present;
    const char *text; /* exact value as stored (numeric) */
    double v;
    const char *extractor; /* ixbrl, xbrl, pdf_table, model; "ltm" for a last-twelve-months sum */
    const char *note;      /* how an LTM figure was computed (its parts and facts); "" otherwise */
    const char *document;
    const char *href; /* link to the document (and page); "" when none */
    int page;
    long long run_id;
} rpt_cell;

typedef struct rpt_row {
    const char *key; /* metric or ratio name */
    const char *label;
    const char *definition; /* ratios: how it is computed */
    int is_ratio;           /* percentages / multiples rather than currency */
    int is_percent;
    rpt_cell cells[RPT_MAX_PERIODS];
} rpt_row;

typedef struct rpt_swot {
    const char *category, *statement, *rule_id, *source, *model, *document, *quote;
    const char *href; /* link to the document (and page); "" when none */
    int page;
} rpt_swot;

typedef struct rpt_alert {
    const char *kind, *status, *subject, *matched_name, *list_version, *document, *quote;
    const char *href; /* link to the document (and page); "" when none */
    double score;
    int has_score; /* 0 where no score applies (jurisdictions, red flags) */
    int page;
} rpt_alert;

typedef struct rpt_doc {
    long long id;
    const char *name, *kind, *form_type, *period_end, *status;
    const char *href; /* link to the document; "" when none */
    int pages;
    long long run_id;
} rpt_doc;

typedef struct ds_report_data {
    ds_arena arena;
    const char *title; /* company name, or document name */
    const char *company, *cik;
    long long company_id, document_id;
    int n_periods;
    rpt_period periods[RPT_MAX_PERIODS]; /* fiscal years, quarters, years to date, LTM */
    int fy_end_month;                    /* fiscal calendar used for the labels */
    const char *calendar_source;         /* "dei cover facts" or "reported periods" */
    rpt_row *metrics;
    int n_metrics;
    rpt_row *ratios;
    int n_ratios;
    int ratios_available; /* the credit_ratios view exists */
    rpt_swot *swot;
    int n_swot;
    rpt_alert *alerts;
    int n_alerts;
    rpt_doc *docs;
    int n_docs;
    const char *generated_at;
} ds_report_data;

/* Loads the metric and ratio columns (report_periods.c); d's subject is set. */
ds_status rpt_load_periods(PGconn *conn, ds_report_data *d, ds_err *err);
/* Runs a parameterised query that returns rows; on failure *r is NULL and err says why. */
ds_status rpt_query(PGconn *conn, PGresult **r, ds_err *err, const char *sql, int n, const char *const *p);

ds_status ds_report_data_load(PGconn *conn, const char *company, long long document_id, ds_report_data **out,
                              ds_err *err);

/* Link to a document from one of its sources (a URL, or an absolute path as file://), with
 * #page=N for a page of a PDF (kind "pdf", page > 0); "" when the source is a relative path or
 * empty (report_links.c). In d's arena. */
const char *rpt_href(ds_report_data *d, const char *source, const char *kind, int page);
/* The same, with #anchor (percent-encoded) for a figure of an HTML or inline XBRL document whose
 * fact names the element that shows it (facts.anchor); anchor NULL or "": rpt_href. */
const char *rpt_href_anchor(ds_report_data *d, const char *source, const char *kind, int page, const char *anchor);
/* SQL for the columns rpt_href reads, for a documents row aliased dd: source, kind. */
#define RPT_HREF_COLUMNS                                                                         \
    "coalesce((SELECT min(s.source) FROM document_sources s WHERE s.document_id = dd.id), ''), " \
    "dd.kind"

void ds_report_data_free(ds_report_data *d);

/* Whether a row has a value in column i / any column; whether column i has a value in any row. */
int rpt_row_any(const ds_report_data *d, const rpt_row *row);
int rpt_column_any(const rpt_row *rows, int n, int i);

/* Value formatting shared by both renderers: "1,234.5" (millions for currency), "12.3%", "2.41x". */
void rpt_format_cell(const rpt_row *row, const rpt_cell *c, char *out, size_t cap);
const char *rpt_unit_note(void);
/* "January".."December"; "December" for anything else. */
const char *rpt_month_name(int month);

#endif
