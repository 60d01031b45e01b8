/* watchlist.c - discovery of the watched companies' new EDGAR filings: for each company of the
 * watchlist (watchlist.companies, watchlist.ciks and watchlist.file; tickers and names resolved
 * to CIKs by watchlist_resolve.c), the submissions JSON is fetched (conditional GET, through the
 * run's fetcher and so the shared rate limit), the filings of the wanted forms
 * filed on or after watchlist.since are recorded in the filings table, oldest first, an
 * amendment (form/A) linked to the latest earlier filing of the same company, base form and
 * period, and each filing not fetched before has its primary document fetched and enqueued.
 * A filing already fetched is skipped, so nothing is fetched twice across runs; a company added
 * to the watchlist is backfilled from watchlist.since, and one removed is no longer read (what
 * was loaded stays). A dry run (run->dry_run) reads the same and lists the filings that would be
 * fetched instead, writing no row. Threading: the run's. */
#include "pipeline/db.h"
#include "pipeline/run.h"
#include "pipeline/stop.h"
#include "pipeline/watchlist.h"

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

/* Counts one filing's outcome under its form (an amendment under the form it amends). */
static void count(ds_run *run, const char *form, ds_filing_outcome o)
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

/* Whether form (or the form it amends) is wanted. */
static int form_wanted(const ds_config *cfg, const char *form)
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

/* Records the filing (new rows only; an amendment is linked to what it amends) and returns
 * its status ("fetched" for one done in an earlier run) into status[cap]. */
static ds_status record_filing(ds_run *run, long long cik, const char *company, const ds_edgar_filing *f,
                               const char *url, char *status, size_t cap, ds_err *err)
{
    char cikbuf[24];
    snprintf(cikbuf, sizeof cikbuf, "%lld", cik);
    const char *p[] = {f->accession, cikbuf, company, f->form, f->filing_date, f->report_date, f->primary_document,
                       url};
    PGresult *r = NULL;
    ds_status st = ds_db_exec(
        run->conn, &r, err,
        "WITH ins AS (INSERT INTO filings (accession, cik, company, form, filing_date, report_date, "
        "  primary_document, url, amends_accession) "
        "  SELECT $1, $2::bigint, $3, $4, $5::date, $6::date, $7, $8, "
        "    CASE WHEN $4 LIKE '%/A' THEN (SELECT o.accession FROM filings o WHERE o.cik = $2::bigint "
        "      AND regexp_replace(o.form, '/A$', '') = regexp_replace($4, '/A$', '') "
        "      AND o.report_date IS NOT DISTINCT FROM $6::date AND o.filing_date <= $5::date "
        "      AND o.accession <> $1 ORDER BY o.filing_date DESC, o.accession DESC LIMIT 1) END "
        "  ON CONFLICT (accession) DO NOTHING RETURNING status) "
        "SELECT status FROM ins UNION ALL SELECT status FROM filings WHERE accession = $1 "
        "  AND NOT EXISTS (SELECT 1 FROM ins)",
        8, p);
    if (st != DS_OK)
        return st;
    snprintf(status, cap, "%s", PQntuples(r) ? PQgetvalue(r, 0, 0) : "");
    PQclear(r);
    return DS_OK;
}

/* Claims the filing for this process's fetch (*mine 1), unless another process holds a live
 * claim or an earlier run fetched it (*mine 0). A claim older than run.lease_seconds was
 * abandoned and is taken over. */
static ds_status claim_filing(ds_run *run, const char *accession, int *mine, ds_err *err)
{
    char lease[16];
    snprintf(lease, sizeof lease, "%d", run->cfg->run_lease_seconds);
    const char *p[] = {accession, run->owner, lease};
    PGresult *r = NULL;
    ds_status st = ds_db_exec(
        run->conn, &r, err,
        "UPDATE filings SET status = 'fetching', claimed_by = $2, claimed_at = now() WHERE accession = $1 "
        "AND (status IN ('discovered', 'failed') OR (status = 'fetching' AND (claimed_by = $2 "
        "     OR claimed_at IS NULL OR claimed_at < now() - make_interval(secs => $3::int)))) "
        "RETURNING 1",
        3, p);
    *mine = st == DS_OK && PQntuples(r) == 1;
    PQclear(r);
    return st;
}

/* Fetches the filing's primary document, enqueues it and records the outcome. */
static ds_status fetch_filing(ds_run *run, ds_fetcher *fetcher, const ds_edgar_filing *f, const char *url,
                              ds_err *err)
{
    ds_fetch_result res;
    ds_err ferr;
    ds_status st = DS_OK;
    const char *p[] = {f->accession, url};
    if (ds_fetcher_get(fetcher, url, &res, &ferr) == DS_OK) {
        run->stats.fetched++;
        count(run, f->form, DS_FILING_FETCHED);
        st = ds_run_enqueue_file(run, res.path, url, err);
        if (st == DS_OK)
            st = ds_db_exec(run->conn, NULL, err,
                            "WITH d AS (SELECT document_id FROM document_sources WHERE source = $2 "
                            "  ORDER BY last_seen DESC LIMIT 1), "
                            "f AS (UPDATE filings SET status = 'fetched', error_message = NULL, fetched_at = now(), "
                            "  document_id = (SELECT document_id FROM d) WHERE accession = $1 "
                            "  RETURNING document_id, accession, form, filing_date, report_date) "
                            "UPDATE documents SET accession = coalesce(documents.accession, f.accession), "
                            "  form_type = coalesce(documents.form_type, f.form), "
                            "  filing_date = coalesce(documents.filing_date, f.filing_date), "
                            "  period_end = coalesce(documents.period_end, f.report_date) "
                            "FROM f WHERE documents.id = f.document_id",
                            2, p);
    } else {
        run->stats.fetch_failed++;
        count(run, f->form, DS_FILING_FAILED);
        DS_WARN(run->log, "watchlist", "filing %s (%s): %s", f->accession, f->form, ferr.msg);
        const char *pf[] = {f->accession, ferr.msg};
        st = ds_db_exec(run->conn, NULL, err, "UPDATE filings SET status = 'failed', error_message = $2 WHERE accession = $1",
                        2, pf);
    }
    ds_fetch_result_deinit(&res);
    return st;
}

/* Writes s as one field of a tab-separated line: tabs, newlines and other control characters
 * as spaces; NULL as "". */
static void put_field(FILE *out, const char *s, char sep)
{
    for (; s && *s; s++)
        fputc((unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s, out);
    fputc(sep, out);
}

/* A dry run's filing: listed when no earlier run fetched it, counted either way. */
static ds_status plan_filing(ds_run *run, long long cik, const char *company, const ds_edgar_filing *f,
                             const char *url, ds_err *err)
{
    const char *p[] = {f->accession};
    PGresult *r = NULL;
    ds_status st = ds_db_exec(run->conn, &r, err, "SELECT status FROM filings WHERE accession = $1", 1, p);
    if (st != DS_OK)
        return st;
    int fetched = PQntuples(r) && strcmp(PQgetvalue(r, 0, 0), "fetched") == 0;
    PQclear(r);
    if (fetched) {
        count(run, f->form, DS_FILING_SKIPPED);
        return DS_OK;
    }
    count(run, f->form, DS_FILING_DISCOVERED);
    char cikbuf[24];
    snprintf(cikbuf, sizeof cikbuf, "%lld", cik);
    put_field(run->dry_run, cikbuf, '\t');
    put_field(run->dry_run, company, '\t');
    put_field(run->dry_run, f->form, '\t');
    put_field(run->dry_run, f->accession, '\t');
    put_field(run->dry_run, f->filing_date, '\t');
    put_field(run->dry_run, url, '\n');
    DS_DEBUG(run->log, "watchlist", "cik %lld: would fetch %s %s filed %s", cik, f->form, f->accession,
             f->filing_date);
    return DS_OK;
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
    for (size_t i = s.n; i-- > 0 && st == DS_OK;) {
        const ds_edgar_filing *f = &s.v[i];
        if (!f->primary_document || !form_wanted(cfg, f->form) ||
            (cfg->watch_since && cfg->watch_since[0] && strcmp(f->filing_date, cfg->watch_since) < 0))
            continue;
        char acc[24], doc_url[2048], status[24];
        size_t k = 0;
        for (const char *c = f->accession; *c && k < sizeof acc - 1; c++)
            if (*c != '-')
                acc[k++] = *c;
        acc[k] = '\0';
        snprintf(doc_url, sizeof doc_url, "%s/%lld/%s/%s", cfg->watch_archives_url, cik, acc, f->primary_document);
        if (run->dry_run) {
            st = plan_filing(run, cik, s.name, f, doc_url, err);
            continue;
        }
        if ((st = record_filing(run, cik, s.name, f, doc_url, status, sizeof status, err)) != DS_OK)
            break;
        if (strcmp(status, "fetched") == 0) {
            count(run, f->form, DS_FILING_SKIPPED);
            continue;
        }
        count(run, f->form, DS_FILING_DISCOVERED);
        int mine = 0;
        if ((st = claim_filing(run, f->accession, &mine, err)) != DS_OK)
            break;
        if (!mine) {
            count(run, f->form, DS_FILING_SKIPPED);
            DS_INFO(run->log, "watchlist", "cik %lld: %s %s is being fetched by another process", cik, f->form,
                    f->accession);
            continue;
        }
        DS_INFO(run->log, "watchlist", "cik %lld: %s %s filed %s", cik, f->form, f->accession, f->filing_date);
        st = fetch_filing(run, fetcher, f, doc_url, err);
    }
    ds_edgar_submissions_deinit(&s);
    return st;
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
        fprintf(run->dry_run, "# watchlist entries: %zu, companies: %zu, not resolved: %zu (see the log)\n",
                w.entries, w.n, w.unresolved);
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
    for (size_t i = 0; i < w.n && st == DS_OK && !ds_stop_requested(); i++)
        st = watch_company(run, fetcher, w.v[i].cik, err);
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
