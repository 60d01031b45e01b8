/* watchlist_daily.c - discovery by EDGAR's daily form index, the second path beside the
 * submissions JSON (watchlist.discovery daily_index or both): one request per day instead of one
 * per company. The days read are the last watchlist.daily_index_days up to today (UTC, by the
 * database's clock), none before watchlist.since, less the days already read (edgar_index_days,
 * sql/0020_edgar_daily_index.sql), oldest first; so a run reads the days since the last one that
 * succeeded, never more than the bound. Each day's index is fetched (conditional GET, the shared
 * rate limit); a 404 or 403 is a day without an index (a weekend, a holiday, not yet published),
 * recorded as absent and tried again while in the window, never an error. Its lines of watched
 * CIKs and wanted forms are taken like submissions finds (watchlist_filing.c), the primary
 * document then read from the filing index page. Filings of this path left unfinished by an
 * earlier run (a failed fetch, a lapsed claim), whose day is read, are taken again from their
 * rows before the days. A dry run reads the same and writes nothing.
 * Threading: the run's. */
#include "pipeline/db.h"
#include "pipeline/stop.h"
#include "pipeline/watchlist_internal.h"

#include "ingest/edgar_daily_index.h"
#include "ingest/fetch.h"
#include "pipeline/core/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int watched(const ds_watchlist *w, long long cik)
{
    for (size_t i = 0; i < w->n; i++)
        if (w->v[i].cik == cik)
            return 1;
    return 0;
}

/* Records the day as read or absent (not in a dry run). */
static ds_status mark_day(ds_run *run, const char *ymd, const char *status, size_t entries, size_t matched, ds_err *err)
{
    if (run->dry_run)
        return DS_OK;
    char e[24], m[24];
    snprintf(e, sizeof e, "%zu", entries);
    snprintf(m, sizeof m, "%zu", matched);
    const char *p[] = {ymd, status, e, m, run->owner};
    return ds_db_exec(run->conn, NULL, err,
                      "INSERT INTO edgar_index_days (day, status, entries, matched, read_by) "
                      "VALUES (to_date($1, 'YYYYMMDD'), $2, $3::int, $4::int, $5) ON CONFLICT (day) DO UPDATE SET "
                      "status = EXCLUDED.status, entries = EXCLUDED.entries, matched = EXCLUDED.matched, "
                      "read_by = EXCLUDED.read_by, read_at = now()",
                      5, p);
}

/* The rows of one day's index that are watched and wanted, each taken. */
static ds_status take_rows(ds_run *run, ds_fetcher *fetcher, const ds_watchlist *w, const ds_edgar_daily_index *x,
                           size_t *matched, ds_err *err)
{
    const ds_config *cfg = run->cfg;
    ds_status st = DS_OK;
    for (size_t i = 0; i < x->n && st == DS_OK && !ds_stop_requested(); i++) {
        const ds_edgar_index_row *r = &x->v[i];
        if (!watched(w, r->cik) || !ds_watch_form_wanted(cfg, r->form) ||
            (cfg->watch_since && cfg->watch_since[0] && strcmp(r->filing_date, cfg->watch_since) < 0))
            continue;
        (*matched)++;
        ds_watch_find f = {
            r->cik,       r->company[0] ? r->company : NULL, r->accession, r->form, r->filing_date, NULL, NULL,
            "daily_index"};
        st = ds_watch_take(run, fetcher, &f, err);
    }
    return st;
}

/* One day (YYYYMMDD): its index fetched, parsed and taken. */
static ds_status read_day(ds_run *run, ds_fetcher *fetcher, const ds_watchlist *w, const char *ymd, ds_err *err)
{
    char url[2400];
    int month = atoi(ymd + 4);
    snprintf(url, sizeof url, "%s/%.4s/QTR%d/form.%s.idx", run->cfg->watch_daily_index_url, ymd, (month - 1) / 3 + 1,
             ymd);
    ds_fetch_result res;
    ds_err ferr;
    ds_status st = ds_fetcher_get(fetcher, url, &res, &ferr);
    int absent = st == DS_ERR_NOT_FOUND || (st == DS_ERR_HTTP && res.http_status == 403);
    ds_buf b = DS_BUF_INIT;
    ds_edgar_daily_index x = {0};
    if (st == DS_OK && (st = ds_buf_read_file(&b, res.path, 0, &ferr)) == DS_OK)
        st = ds_edgar_daily_index_parse(&x, b.data, b.len, &ferr);
    ds_buf_deinit(&b);
    ds_fetch_result_deinit(&res);
    if (absent) {
        DS_DEBUG(run->log, "watchlist", "daily index %s: none (%s)", ymd, ferr.msg);
        return mark_day(run, ymd, "absent", 0, 0, err);
    }
    if (st == DS_ERR_NOMEM)
        return ds_err_set(err, st, "%s", ferr.msg);
    if (st != DS_OK) {
        run->stats.fetch_failed++;
        DS_WARN(run->log, "watchlist", "daily index %s: %s", url, ferr.msg);
        return DS_OK;
    }
    size_t matched = 0;
    st = take_rows(run, fetcher, w, &x, &matched, err);
    DS_INFO(run->log, "watchlist", "daily index %s: %zu filings, %zu of watched companies in wanted forms", ymd, x.n,
            matched);
    if (x.skipped)
        DS_WARN(run->log, "watchlist", "daily index %s: %zu lines that are no filing left out", ymd, x.skipped);
    if (st == DS_OK && !ds_stop_requested())
        st = mark_day(run, ymd, "read", x.n, matched, err);
    ds_edgar_daily_index_deinit(&x);
    return st;
}

/* Filings this path recorded before and did not finish (a fetch failed, or a claim lapsed): their
 * day is read and will not list them again, so they are taken again from their rows. */
static ds_status retake_unfinished(ds_run *run, ds_fetcher *fetcher, const ds_watchlist *w, ds_err *err)
{
    PGresult *r = NULL;
    ds_status st = ds_db_exec(run->conn, &r, err,
                              "SELECT cik, company, accession, form, to_char(filing_date, 'YYYY-MM-DD'), "
                              "  to_char(report_date, 'YYYY-MM-DD'), primary_document FROM filings "
                              "WHERE found_by = 'daily_index' AND status IN ('discovered', 'failed', 'fetching') "
                              "ORDER BY filing_date, accession",
                              0, NULL);
    for (int i = 0; st == DS_OK && i < PQntuples(r) && !ds_stop_requested(); i++) {
        long long cik = atoll(PQgetvalue(r, i, 0));
        const char *form = PQgetvalue(r, i, 3);
        if (!watched(w, cik) || !ds_watch_form_wanted(run->cfg, form))
            continue;
        ds_watch_find f = {cik,
                           PQgetisnull(r, i, 1) ? NULL : PQgetvalue(r, i, 1),
                           PQgetvalue(r, i, 2),
                           form,
                           PQgetvalue(r, i, 4),
                           PQgetisnull(r, i, 5) ? NULL : PQgetvalue(r, i, 5),
                           PQgetisnull(r, i, 6) ? NULL : PQgetvalue(r, i, 6),
                           "daily_index"};
        st = ds_watch_take(run, fetcher, &f, err);
    }
    PQclear(r);
    return st;
}

ds_status ds_watch_daily(ds_run *run, ds_fetcher *fetcher, const ds_watchlist *w, ds_err *err)
{
    const ds_config *cfg = run->cfg;
    char days[16];
    snprintf(days, sizeof days, "%d", cfg->watch_daily_index_days > 0 ? cfg->watch_daily_index_days : 1);
    const char *p[] = {days, cfg->watch_since && cfg->watch_since[0] ? cfg->watch_since : NULL};
    PGresult *r = NULL;
    ds_status st = ds_db_exec(
        run->conn, &r, err,
        "WITH today AS (SELECT (now() AT TIME ZONE 'UTC')::date AS d) "
        "SELECT to_char(g.d, 'YYYYMMDD') FROM today, "
        "  generate_series(today.d - ($1::int - 1), today.d, interval '1 day') AS g(d) "
        "WHERE ($2::date IS NULL OR g.d >= $2::date) "
        "  AND NOT EXISTS (SELECT 1 FROM edgar_index_days x WHERE x.day = g.d::date AND x.status = 'read') "
        "ORDER BY g.d",
        2, p);
    if (st != DS_OK)
        return st;
    int n = PQntuples(r);
    DS_INFO(run->log, "watchlist", "daily index: %d day(s) to read", n);
    if (!ds_stop_requested())
        st = retake_unfinished(run, fetcher, w, err);
    for (int i = 0; i < n && st == DS_OK && !ds_stop_requested(); i++)
        st = read_day(run, fetcher, w, PQgetvalue(r, i, 0), err);
    PQclear(r);
    return st;
}
