/* edgar_daily_index.h - reads EDGAR's daily form index (Archives/edgar/daily-index/YYYY/QTRn/
 * form.YYYYMMDD.idx): a few header lines, a column line "Form Type  Company Name  CIK  Date Filed
 * File Name", a line of dashes, then one fixed-width line per filing. Each line is read from its
 * right end (file name, date, CIK, split on blanks) and its left part is cut into form and
 * company at the column where the header puts "Company Name" (at a run of two blanks when the
 * header gives none), so form types and names with spaces in them ("SC 13G", "DEF 14A") stay
 * whole. The accession is taken from the file name (edgar/data/CIK/ACCESSION.txt).
 *
 * Ownership: a ds_edgar_daily_index owns its rows and their strings (ds_malloc); free with
 * ds_edgar_daily_index_deinit. Threading: reentrant.
 */
#ifndef DS_INGEST_EDGAR_DAILY_INDEX_H
#define DS_INGEST_EDGAR_DAILY_INDEX_H

#include "pipeline/core/status.h"

#include <stddef.h>

typedef struct ds_edgar_index_row {
    char *form;    /* 10-K, 10-K/A, SC 13G... */
    char *company; /* as EDGAR writes it; "" when the line gives none */
    long long cik;
    char filing_date[11]; /* YYYY-MM-DD */
    char accession[21];   /* 0000000042-24-000001 */
} ds_edgar_index_row;

typedef struct ds_edgar_daily_index {
    ds_edgar_index_row *v;
    size_t n;
    size_t skipped; /* lines after the dashes that were not a filing (malformed), left out */
} ds_edgar_daily_index;

/* Parses n bytes of a form index. Lines before the dashes are the header; a body line that is
 * not a filing is counted in skipped and left out. Fails with DS_ERR_EMPTY on empty input and
 * DS_ERR_PARSE when no line of dashes is found (not a form index; the message names the first
 * line); out is then empty. */
ds_status ds_edgar_daily_index_parse(ds_edgar_daily_index *out, const char *text, size_t n, ds_err *err);
void ds_edgar_daily_index_deinit(ds_edgar_daily_index *x);

#endif
