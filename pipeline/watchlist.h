/* watchlist.h - the watchlist's entries resolved to companies (pipeline/watchlist_resolve.c).
 *
 * An entry, from watchlist.companies, watchlist.ciks (its older name) or a line of
 * watchlist.file, is a CIK (digits, "CIK" before them allowed), a ticker (AAPL, BRK.B) or a
 * company name as the SEC writes it ("Apple Inc."). Tickers and names are looked up in the SEC's
 * ticker file (watchlist.tickers_url), fetched through the run's fetcher (shared rate limit,
 * declared User-Agent, conditional GET) only when some entry needs it, and kept in fetch.cache_dir
 * with the time it was fetched: a copy less than a day old is used without a request, and an
 * older one when a new fetch fails. An entry that names no company, or several, is a warning
 * naming it (and the candidates) and is left out; each resolution is logged.
 *
 * Ownership: a ds_watchlist owns its companies and their strings; free with ds_watchlist_deinit.
 * Threading: one caller at a time (the run's thread).
 */
#ifndef DS_PIPELINE_WATCHLIST_H
#define DS_PIPELINE_WATCHLIST_H

#include "pipeline/config.h"
#include "pipeline/core/log.h"
#include "pipeline/core/status.h"

#include <stddef.h>

typedef struct ds_fetcher ds_fetcher;

/* The SEC's ticker file, the default of watchlist.tickers_url. */
#define DS_WATCHLIST_TICKERS_URL "https://www.sec.gov/files/company_tickers.json"
/* A cached ticker file older than this is fetched again (conditionally). */
#define DS_WATCHLIST_TICKERS_MAX_AGE_S 86400

typedef enum ds_watchlist_by {
    DS_WATCHLIST_BY_CIK,    /* the entry is the CIK */
    DS_WATCHLIST_BY_TICKER, /* found as a ticker in the ticker file */
    DS_WATCHLIST_BY_NAME    /* found as a company name in the ticker file */
} ds_watchlist_by;

typedef struct ds_watchlist_company {
    long long cik;
    char *entry; /* the first entry naming this company, as written (owned) */
    char *title; /* the company's name from the ticker file; NULL for an entry by CIK (owned) */
    ds_watchlist_by by;
} ds_watchlist_company;

typedef struct ds_watchlist {
    ds_watchlist_company *v; /* one per CIK, in the order of the entries */
    size_t n;
    size_t entries;     /* entries read (empty lines and comments not counted) */
    size_t unresolved;  /* entries left out: no such company, several, or no ticker file */
    int tickers_failed; /* the ticker file was needed and could not be had (no copy either) */
} ds_watchlist;

/* Reads and resolves the watchlist's entries (see above); fetcher is borrowed and used only for
 * the ticker file. Errors: the watchlist file unreadable, DS_ERR_NOMEM; an entry that does not
 * resolve and a ticker file that cannot be fetched or parsed are warnings in log. */
ds_status ds_watchlist_resolve(ds_watchlist *out, const ds_config *cfg, ds_fetcher *fetcher, ds_log *log, ds_err *err);
void ds_watchlist_deinit(ds_watchlist *w);

#endif
