/* watchlist.c - discovery of the watched companies' new EDGAR filings: for each company of the
 * watchlist (watchlist.companies, watchlist.ciks and watchlist.file; tickers and names resolved
 * to CIKs by watchlist_resolve.c), the submissions JSON is fetched (conditional GET, through the
 * run's fetcher and so the shared rate limit) and the filings of the wanted forms filed on or
 * after watchlist.since are taken, oldest first, by watchlist_filing.c (recorded, an amendment
 * (form/A) linked to the latest earlier filing of the same company, base form and period,
 * claimed, fetched and enqueued). With watchlist.discovery daily_index or both, EDGAR's daily
 * form index is read too (watchlist_daily.c), after the submissions in both.
 * A filing already fetched is skipped, so nothing is fetched twice across runs; a company added
 * to the watchlist is backfilled from watchlist.since, and one removed is no longer read (what
 * was loaded stays). A dry run (run->dry_run) reads the same and lists the filings that would be
 * fetched instead, writing no row. Threading: the run's. */
#include "pipeline/db.h"
#include "pipeline/run.h"
#include "pipeline/stop.h"
#include "pipeline/watchlist.h"
#include "pipeline/watchlist_internal.h"

#include "ingest/edgar_submissions.h"
#include "ingest/fetch.h"
#include "pipeline/core/alloc.h"
#include "pipeline/core/buf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const default_forms[] = {"10-K", "10-Q", "8-K", "20-F", "6-K"};
static const char *const form_names[DS_FILING_FORMS] = {"10-K", "10-Q", "8-K", "20-F", "6-K", "other"};
static const char *const outcome_names[DS_FILING_OUTCOMES_] = {"discovered", "fetched", "skipped", "failed"};

const char *ds_run_filing_form_name(int form)
{
    return form >= 0 && form < DS_FILING_FORMS ? form_names[form] : "other";
}

const char *ds_run_filing_outcome_name(int outcome)
{
    return outcome >= 0 && outcome < DS_FILING_OUTCOMES_ ? outcome_names[outcome] : "unknown";
}

void ds_watch_count(ds_run *run, const char *form, ds_filing_outcome o)
{
    size_t n = strlen(form);
    if (n > 2 && strcmp(form + n - 2, "/A") == 0)
        n -= 2;
    int k = DS_FILING_FORMS - 1;
    for (int i = 0; i < DS_FILING_FORMS - 1; i++)
        if (strlen(form_names[i]) == n && strncmp(form_names[i], form, n) == 0)
            k = i;
    run->stats.filings[k][o]++;
}

static long total(const ds_run *run, ds_filing_outcome o)
{
    long t = 0;
    for (int i = 0; i < DS_FILING_FORMS; i++)
        t += run->stats.filings[i][o];
    return t;
}

int ds_watch_form_wanted(const ds_config *cfg, const char *form)
{
    size_t n = strlen(form);
    if (n > 2 && strcmp(form + n - 2, "/A") == 0)
        n -= 2;
    size_t k = cfg->watch_forms.n ? (size_t)cfg->watch_forms.n : sizeof default_forms / sizeof *default_forms;
    for (size_t i = 0; i < k; i++) {
        const char *w = cfg->watch_forms.n ? cfg->watch_forms.v[i] : default_forms[i];
        if (strlen(w) == n && strncmp(w, form, n) == 0)
            return 1;
    }
    return 0;
}

/* One company: its submissions, then its new filings, oldest first. */
static ds_status watch_company(ds_run *run, ds_fetcher *fetcher, long long cik, ds_err *err)
{
    const ds_config *cfg = run->cfg;
    char url[2048];
    snprintf(url, sizeof url, "%s/submissions/CIK%010lld.json", cfg->watch_data_url, cik);
    ds_fetch_result res;
    ds_err ferr;
    if (ds_fetcher_get(fetcher, url, &res, &ferr) != DS_OK) {
        run->stats.fetch_failed++;
        DS_WARN(run->log, "watchlist", "cik %lld: %s", cik, ferr.msg);
        ds_fetch_result_deinit(&res);
        return DS_OK;
    }
    ds_buf b = DS_BUF_INIT;
    ds_edgar_submissions s = {0};
    ds_status st = ds_buf_read_file(&b, res.path, 0, &ferr);
    if (st == DS_OK)
        st = ds_edgar_submissions_parse(&s, b.data, b.len, &ferr);
    ds_buf_deinit(&b);
    ds_fetch_result_deinit(&res);
    if (st != DS_OK) {
        DS_WARN(run->log, "watchlist", "cik %lld: submissions %s: %s", cik, url, ferr.msg);
        return st == DS_ERR_NOMEM ? ds_err_set(err, st, "%s", ferr.msg) : DS_OK;
    }
    st = DS_OK;
    for (size_t i = s.n; i-- > 0 && st == DS_OK && !ds_stop_requested();) {
        const ds_edgar_filing *f = &s.v[i];
        if (!ds_watch_form_wanted(cfg, f->form) ||
            (cfg->watch_since && cfg->watch_since[0] && strcmp(f->filing_date, cfg->watch_since) < 0))
            continue;
        ds_watch_find find = {
            cik, s.name, f->accession, f->form, f->filing_date, f->report_date, f->primary_document, "submissions"};
        st = ds_watch_take(run, fetcher, &find, err);
    }
    ds_edgar_submissions_deinit(&s);
    return st;
}

void ds_watch_folder_url(const ds_config *cfg, long long cik, const char *accession, char *out, size_t cap)
{
    char acc[24];
    size_t k = 0;
    for (const char *c = accession; *c && k < sizeof acc - 1; c++)
        if (*c != '-')
            acc[k++] = *c;
    acc[k] = '\0';
    snprintf(out, cap, "%s/%lld/%s", cfg->watch_archives_url, cik, acc);
}

int ds_run_has_watchlist(const ds_config *cfg)
{
    return cfg->watch_companies.n > 0 || cfg->watch_ciks.n > 0 || (cfg->watch_file && cfg->watch_file[0]);
}

ds_status ds_run_discover_watchlist(ds_run *run, ds_fetcher *fetcher, ds_err *err)
{
    ds_watchlist w;
    ds_status st = ds_watchlist_resolve(&w, run->cfg, fetcher, run->log, err);
    if (st != DS_OK)
        return st;
    run->stats.fetch_failed += w.tickers_failed;
    run->stats.watch_unresolved += (long)w.unresolved;
    DS_INFO(run->log, "watchlist", "%zu entries: %zu companies, %zu entries not resolved", w.entries, w.n,
            w.unresolved);
    if (run->dry_run) {
        fprintf(run->dry_run, "# watchlist entries: %zu, companies: %zu, not resolved: %zu (see the log)\n", w.entries,
                w.n, w.unresolved);
        for (size_t i = 0; i < w.n; i++) {
            const ds_watchlist_company *c = &w.v[i];
            fprintf(run->dry_run, "# %s\tCIK %lld", c->entry, c->cik);
            if (c->by != DS_WATCHLIST_BY_CIK)
                fprintf(run->dry_run, "\t%s, by %s", c->title ? c->title : "",
                        c->by == DS_WATCHLIST_BY_TICKER ? "ticker" : "name");
            fputc('\n', run->dry_run);
        }
        fprintf(run->dry_run, "cik\tcompany\tform\taccession\tfiling_date\turl\n");
    }
    const char *how = run->cfg->watch_discovery ? run->cfg->watch_discovery : "submissions";
    if (strcmp(how, "daily_index") != 0)
        for (size_t i = 0; i < w.n && st == DS_OK && !ds_stop_requested(); i++)
            st = watch_company(run, fetcher, w.v[i].cik, err);
    if (st == DS_OK && strcmp(how, "submissions") != 0 && w.n > 0 && !ds_stop_requested())
        st = ds_watch_daily(run, fetcher, &w, err);
    if (st == DS_OK && !run->dry_run)
        st = ds_watch_link_amendments(run, err);
    if (st == DS_OK && run->dry_run)
        fprintf(run->dry_run, "# filings to fetch: %ld, already fetched: %ld, fetch failures: %ld\n",
                total(run, DS_FILING_DISCOVERED), total(run, DS_FILING_SKIPPED), run->stats.fetch_failed);
    else if (st == DS_OK)
        DS_INFO(run->log, "watchlist", "%zu companies: %ld new filings, %ld fetched, %ld already fetched, %ld failed",
                w.n, total(run, DS_FILING_DISCOVERED), total(run, DS_FILING_FETCHED), total(run, DS_FILING_SKIPPED),
                total(run, DS_FILING_FAILED));
    ds_watchlist_deinit(&w);
    return st;
}
