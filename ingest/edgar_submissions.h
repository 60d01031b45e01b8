/* edgar_submissions.h - reads EDGAR's submissions JSON (data.sec.gov/submissions/CIK##########.json):
 * the filer's CIK and name, and its recent filings (filings.recent, a table stored as one array
 * per column) as rows: accession, form, filing date, report date, primary document. Older pages
 * (filings.files) are not followed.
 *
 * Ownership: a ds_edgar_submissions owns its rows and their strings (ds_malloc); free with
 * ds_edgar_submissions_deinit. Threading: reentrant.
 */
#ifndef DS_INGEST_EDGAR_SUBMISSIONS_H
#define DS_INGEST_EDGAR_SUBMISSIONS_H

#include "pipeline/core/status.h"

#include <stddef.h>

typedef struct ds_edgar_filing {
    char *accession;        /* 0001318605-24-000012 */
    char *form;             /* 10-K, 10-K/A, 8-K... */
    char *filing_date;      /* YYYY-MM-DD */
    char *report_date;      /* YYYY-MM-DD, or NULL when EDGAR gives none */
    char *primary_document; /* file name within the filing, or NULL */
} ds_edgar_filing;

typedef struct ds_edgar_submissions {
    long long cik; /* 0 when the document gives none */
    char *name;    /* filer name, or NULL */
    ds_edgar_filing *v;
    size_t n;
} ds_edgar_submissions;

/* Parses n bytes of JSON. Rows missing an accession, form or filing date, or with malformed
 * ones, are left out. Fails with DS_ERR_PARSE (naming the byte offset) on malformed JSON or
 * nesting deeper than 64, DS_ERR_EMPTY on empty input; out is then empty. */
ds_status ds_edgar_submissions_parse(ds_edgar_submissions *out, const char *json, size_t n, ds_err *err);
void ds_edgar_submissions_deinit(ds_edgar_submissions *s);

#endif
