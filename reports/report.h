/* report.h - analyst reports from the database: a self-contained HTML page (charts as inline
 * SVG) or a PDF (cairo + pango) for a company or a document: header, key metrics by period,
 * trend charts, credit ratios, SWOT quadrants with evidence, open AML alerts, and where every
 * number came from (extractor, document, page, run).
 * Ownership: the caller owns the connection; the report writes out_path and nothing else.
 * Threading: one call per connection at a time.
 */
#ifndef DS_REPORTS_REPORT_H
#define DS_REPORTS_REPORT_H

#include "pipeline/core/status.h"

#include <libpq-fe.h>

typedef enum ds_report_format { DS_REPORT_FORMAT_HTML, DS_REPORT_FORMAT_PDF } ds_report_format;

typedef struct ds_report_opts {
    const char *company;   /* CIK or (part of) a name; NULL when document_id is set */
    long long document_id; /* 0 when company is set */
    ds_report_format format;
    const char *out_path;
} ds_report_opts;

ds_status ds_report_generate(PGconn *conn, const ds_report_opts *opts, ds_err *err);

#endif
