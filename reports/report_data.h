/* report_data.h - what a report shows, read from the database in one go (report_data.c) and
 * rendered by report_html.c and report_pdf.c. Internal to reports/.
 * Ownership: everything lives in the struct's arena; ds_report_data_free releases it. */
#ifndef DS_REPORTS_REPORT_DATA_H
#define DS_REPORTS_REPORT_DATA_H

#include "pipeline/core/arena.h"
#include "pipeline/core/status.h"

#include <libpq-fe.h>

#define RPT_MAX_PERIODS 6

typedef struct rpt_cell {
    int present;
    const char *text;       /* exact value as stored (numeric) */
    double v;
    const char *extractor;  /* ixbrl, xbrl, pdf_table, model */
    const char *document;
    int page;
    long long run_id;
} rpt_cell;

typedef struct rpt_row {
    const char *key;        /* metric or ratio name */
    const char *label;
    int is_ratio;           /* percentages / multiples rather than currency */
    int is_percent;
    rpt_cell cells[RPT_MAX_PERIODS];
} rpt_row;

typedef struct rpt_swot {
    const char *category, *statement, *rule_id, *source, *model, *document, *quote;
    int page;
} rpt_swot;

typedef struct rpt_alert {
    const char *kind, *status, *subject, *matched_name, *list_version, *document, *quote;
    double score;
    int page;
} rpt_alert;

typedef struct rpt_doc {
    long long id;
    const char *name, *kind, *form_type, *period_end, *status;
    int pages;
    long long run_id;
} rpt_doc;

typedef struct ds_report_data {
    ds_arena arena;
    const char *title;        /* company name, or document name */
    const char *company, *cik;
    long long company_id, document_id;
    int n_periods;
    const char *periods[RPT_MAX_PERIODS]; /* period ends, oldest first */
    rpt_row *metrics;
    int n_metrics;
    rpt_row *ratios;
    int n_ratios;
    int ratios_available;     /* the credit_ratios view exists */
    rpt_swot *swot;
    int n_swot;
    rpt_alert *alerts;
    int n_alerts;
    rpt_doc *docs;
    int n_docs;
    const char *generated_at;
} ds_report_data;

ds_status ds_report_data_load(PGconn *conn, const char *company, long long document_id, ds_report_data **out,
                              ds_err *err);
void ds_report_data_free(ds_report_data *d);

/* Value formatting shared by both renderers: "1,234.5" (millions for currency), "12.3%", "2.41x". */
void rpt_format_cell(const rpt_row *row, const rpt_cell *c, char *out, size_t cap);
const char *rpt_unit_note(void);

#endif
