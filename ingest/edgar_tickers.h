/* edgar_tickers.h - reads the SEC's ticker file (www.sec.gov/files/company_tickers.json: an object
 * of rows {"cik_str": 320193, "ticker": "AAPL", "title": "Apple Inc."}) and maps a watchlist
 * entry, a ticker or a company name, to its CIK.
 *
 * Ownership: a ds_edgar_tickers owns its rows and their strings (ds_malloc); free with
 * ds_edgar_tickers_deinit. Threading: reentrant; lookups only read.
 */
#ifndef DS_INGEST_EDGAR_TICKERS_H
#define DS_INGEST_EDGAR_TICKERS_H

#include "pipeline/core/status.h"

#include <stddef.h>

typedef struct ds_edgar_ticker {
    long long cik;
    char *ticker; /* AAPL, BRK-B; NULL when the row gives none */
    char *title;  /* company name as the SEC gives it; NULL when none */
} ds_edgar_ticker;

typedef struct ds_edgar_tickers {
    ds_edgar_ticker *v;
    size_t n;
} ds_edgar_tickers;

/* Parses n bytes of JSON. Rows without a positive CIK (number or digit string of at most ten
 * digits) or with neither ticker nor title are left out. DS_ERR_PARSE (naming the byte offset)
 * on malformed JSON, DS_ERR_EMPTY on empty input; out is then empty. */
ds_status ds_edgar_tickers_parse(ds_edgar_tickers *out, const char *json, size_t n, ds_err *err);
void ds_edgar_tickers_deinit(ds_edgar_tickers *t);

typedef enum ds_edgar_match {
    DS_EDGAR_MATCH_NONE,     /* no ticker or name matches */
    DS_EDGAR_MATCH_TICKER,   /* a ticker, compared without case, '.' as '-' (BRK.B is BRK-B) */
    DS_EDGAR_MATCH_NAME,     /* a company name, compared on its letters and digits, words kept apart */
    DS_EDGAR_MATCH_AMBIGUOUS /* a name shared by companies with different CIKs */
} ds_edgar_match;

/* Maps entry to a CIK (*cik; 0 unless a ticker or name matched). A ticker is tried first, then
 * a name. */
ds_edgar_match ds_edgar_tickers_lookup(const ds_edgar_tickers *t, const char *entry, long long *cik);

/* The rows whose company name matches entry (compared as the lookup does), one per CIK, in file
 * order: up to cap of them into out (borrowed from t). Returns how many CIKs match, which may
 * exceed cap: more than one is an ambiguous name, whose candidates these are. */
size_t ds_edgar_tickers_name_matches(const ds_edgar_tickers *t, const char *entry, const ds_edgar_ticker **out,
                                     size_t cap);

#endif
