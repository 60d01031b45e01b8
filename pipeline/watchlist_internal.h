/* watchlist_internal.h - what the watchlist's files share (pipeline/watchlist.c: discovery by
 * submissions JSON and the run's entry point; pipeline/watchlist_daily.c: discovery by EDGAR's
 * daily form index; pipeline/watchlist_filing.c: one filing found, by either path, recorded,
 * claimed, its primary document and exhibits fetched and enqueued). Threading: the run's. */
#ifndef DS_PIPELINE_WATCHLIST_INTERNAL_H
#define DS_PIPELINE_WATCHLIST_INTERNAL_H

#include "pipeline/run.h"
#include "pipeline/watchlist.h"

#include <stddef.h>

/* A filing found by a discovery path; every string is borrowed for the call it is passed to. */
typedef struct ds_watch_find {
    long long cik;
    const char *company;          /* filer name; NULL when unknown */
    const char *accession;        /* 0000000042-24-000001 */
    const char *form;             /* 10-K, 10-K/A... */
    const char *filing_date;      /* YYYY-MM-DD */
    const char *report_date;      /* YYYY-MM-DD; NULL: read from the filing index page */
    const char *primary_document; /* file name; NULL: read from the filing index page */
    const char *found_by;         /* "submissions" or "daily_index" (filings.found_by) */
} ds_watch_find;

/* Whether form (or the form it amends) is one of watchlist.forms (or the default set). */
int ds_watch_form_wanted(const ds_config *cfg, const char *form);
/* Counts one filing's outcome under its form (an amendment under the form it amends). */
void ds_watch_count(ds_run *run, const char *form, ds_filing_outcome o);
/* The filing's folder in the archives: <archives_url>/CIK/ACCESSIONNODASHES, into out[cap]. */
void ds_watch_folder_url(const ds_config *cfg, long long cik, const char *accession, char *out, size_t cap);

/* Takes one find: recorded once (a find of an accession already recorded adds nothing), then,
 * unless fetched before or claimed by another live process, claimed, its filing index page read
 * when the primary document is unknown or exhibits are wanted, its primary
 * document (and exhibits) fetched and enqueued. A dry run (run->dry_run) lists it instead.
 * Fetch failures are recorded on the filing and counted, never returned; errors: DS_ERR_DB,
 * DS_ERR_NOMEM. */
ds_status ds_watch_take(ds_run *run, ds_fetcher *fetcher, const ds_watch_find *f, ds_err *err);

/* Links every amendment not linked yet whose period is known to what it amends (a filing found
 * by the daily index may be recorded before the period of what it amends is known). */
ds_status ds_watch_link_amendments(ds_run *run, ds_err *err);

/* Discovery by the daily form index (pipeline/watchlist_daily.c) for the companies of w. */
ds_status ds_watch_daily(ds_run *run, ds_fetcher *fetcher, const ds_watchlist *w, ds_err *err);

#endif
