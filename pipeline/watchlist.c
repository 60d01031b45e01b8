/* watchlist.c - discovery of the watched companies' new EDGAR filings: for each CIK of the
 * watchlist (watchlist.ciks and watchlist.file), the submissions JSON is fetched (conditional
 * GET, through the run's fetcher and so the shared rate limit), the filings of the wanted forms
 * filed on or after watchlist.since are recorded in the filings table, oldest first, an
 * amendment (form/A) linked to the latest earlier filing of the same company, base form and
 * period, and each filing not fetched before has its primary document fetched and enqueued.
 * A filing already fetched is skipped, so nothing is fetched twice across runs; a company added
 * to the watchlist is backfilled from watchlist.since, and one removed is no longer read (what
 * was loaded stays). Threading: the run's. */
#include "pipeline/db.h"
#include "pipeline/run.h"

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
        if ((st = record_filing(run, cik, s.name, f, doc_url, status, sizeof status, err)) != DS_OK)
            break;
        if (strcmp(status, "fetched") == 0) {
            count(run, f->form, DS_FILING_SKIPPED);
            continue;
        }
        count(run, f->form, DS_FILING_DISCOVERED);
        DS_INFO(run->log, "watchlist", "cik %lld: %s %s filed %s", cik, f->form, f->accession, f->filing_date);
        st = fetch_filing(run, fetcher, f, doc_url, err);
    }
    ds_edgar_submissions_deinit(&s);
    return st;
}

/* Appends the CIKs of the watchlist file (digits, one a line; '#' comments). */
static ds_status read_watch_file(const char *path, long long **ciks, size_t *n, ds_err *err)
{
    ds_buf b = DS_BUF_INIT;
    ds_status st = ds_buf_read_file(&b, path, 1 << 24, err);
    size_t line = 0;
    for (char *p = b.data; st == DS_OK && p && *p;) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        line++;
        char *hash = strchr(p, '#');
        if (hash)
            *hash = '\0';
        while (isspace((unsigned char)*p))
            p++;
        char *end = p + strlen(p);
        while (end > p && isspace((unsigned char)end[-1]))
            *--end = '\0';
        if (*p) {
            char *e;
            long long v = strtoll(p, &e, 10);
            long long *nv = ds_realloc(*ciks, (*n + 1) * sizeof *nv);
            if (*e || v <= 0 || end - p > 10)
                st = ds_err_set(err, DS_ERR_CONFIG, "%s:%zu: \"%s\" is not a CIK", path, line, p);
            else if (!nv)
                st = ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", path);
            else {
                *ciks = nv;
                (*ciks)[(*n)++] = v;
            }
        }
        p = nl ? nl + 1 : NULL;
    }
    ds_buf_deinit(&b);
    return st;
}

/* The watchlist's CIKs, from the configuration list and the file. Caller frees *ciks. */
static ds_status watch_ciks(const ds_config *cfg, long long **ciks, size_t *n, ds_err *err)
{
    *ciks = NULL;
    *n = 0;
    if (cfg->watch_ciks.n && !(*ciks = ds_calloc((size_t)cfg->watch_ciks.n, sizeof **ciks)))
        return ds_err_set(err, DS_ERR_NOMEM, "watchlist: out of memory");
    for (int i = 0; i < cfg->watch_ciks.n; i++) {
        char *e;
        long long v = strtoll(cfg->watch_ciks.v[i], &e, 10);
        if (*e || v <= 0 || strlen(cfg->watch_ciks.v[i]) > 10)
            return ds_err_set(err, DS_ERR_CONFIG, "watchlist.ciks: \"%s\" is not a CIK", cfg->watch_ciks.v[i]);
        (*ciks)[(*n)++] = v;
    }
    if (cfg->watch_file && cfg->watch_file[0])
        return read_watch_file(cfg->watch_file, ciks, n, err);
    return DS_OK;
}

int ds_run_has_watchlist(const ds_config *cfg)
{
    return cfg->watch_ciks.n > 0 || (cfg->watch_file && cfg->watch_file[0]);
}

ds_status ds_run_discover_watchlist(ds_run *run, ds_fetcher *fetcher, ds_err *err)
{
    long long *ciks = NULL;
    size_t n = 0;
    ds_status st = watch_ciks(run->cfg, &ciks, &n, err);
    for (size_t i = 0; i < n && st == DS_OK; i++)
        st = watch_company(run, fetcher, ciks[i], err);
    ds_free(ciks);
    if (st == DS_OK)
        DS_INFO(run->log, "watchlist", "%zu companies: %ld new filings, %ld fetched, %ld already fetched, %ld failed",
                n, total(run, DS_FILING_DISCOVERED), total(run, DS_FILING_FETCHED), total(run, DS_FILING_SKIPPED),
                total(run, DS_FILING_FAILED));
    return st;
}
