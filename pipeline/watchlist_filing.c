/* watchlist_filing.c - one watchlist filing, found by the submissions JSON or the daily form
 * index: recorded in the filings table (an accession once, whichever path finds it first; an
 * amendment linked to the latest earlier filing of the same company, base form and period),
 * claimed for this process's fetch (sql/0017_filing_claims.sql), its filing index page read when
 * the primary document is unknown (a daily index find) or exhibits are wanted (the page also
 * gives the period of report, which links an amendment found by the daily index), then its primary
 * document fetched and enqueued and, with watchlist.exhibits, the exhibits of the wanted types
 * too, each in filing_documents (sql/0020_edgar_daily_index.sql). A dry run lists the filing and
 * writes nothing. Threading: the run's. */
#include "pipeline/db.h"
#include "pipeline/watchlist_internal.h"

#include "ingest/edgar_filing_index.h"
#include "ingest/fetch.h"
#include "pipeline/core/buf.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const default_exhibits[] = {"EX-99", "EX-10", "EX-21"};

/* Links an amendment to the latest earlier filing of the same company, base form and period
 * (the SQL shared by the insert and the update after the index page). $1 accession, $2 cik,
 * $3 form, $4 filing date, $5 report date. */
#define AMENDS_SQL                                                                              \
    "CASE WHEN $3 LIKE '%/A' THEN (SELECT o.accession FROM filings o WHERE o.cik = $2::bigint " \
    "  AND regexp_replace(o.form, '/A$', '') = regexp_replace($3, '/A$', '') "                  \
    "  AND o.report_date IS NOT DISTINCT FROM $5::date AND o.filing_date <= $4::date "          \
    "  AND o.accession <> $1 ORDER BY o.filing_date DESC, o.accession DESC LIMIT 1) END"

/* Records the filing and returns its status ("fetched" for one done before). A filing recorded
 * before keeps its row; what it lacked (period, primary document, name) is filled from this
 * find. A daily index find is linked to what it amends once its period is known (apply_index,
 * ds_watch_link_amendments), never by a missing period. */
static ds_status record_filing(ds_run *run, const ds_watch_find *f, const char *url, char *status, size_t cap,
                               ds_err *err)
{
    char cikbuf[24];
    snprintf(cikbuf, sizeof cikbuf, "%lld", f->cik);
    const char *p[] = {f->accession,        cikbuf, f->form,    f->filing_date, f->report_date, f->company,
                       f->primary_document, url,    f->found_by};
    PGresult *r = NULL;
    ds_status st = ds_db_exec(
        run->conn, &r, err,
        "WITH ins AS (INSERT INTO filings (accession, cik, company, form, filing_date, report_date, "
        "  primary_document, url, found_by, amends_accession) "
        "  SELECT $1, $2::bigint, $6, $3, $4::date, $5::date, $7, $8, $9, "
        "    CASE WHEN $9 = 'daily_index' THEN NULL ELSE " AMENDS_SQL " END "
        "  ON CONFLICT (accession) DO UPDATE SET report_date = coalesce(filings.report_date, EXCLUDED.report_date), "
        "    primary_document = coalesce(filings.primary_document, EXCLUDED.primary_document), "
        "    url = coalesce(filings.url, EXCLUDED.url), company = coalesce(filings.company, EXCLUDED.company) "
        "  RETURNING status) "
        "SELECT status FROM ins",
        9, p);
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

static ds_status mark_failed(ds_run *run, const ds_watch_find *f, const char *msg, ds_err *err)
{
    run->stats.fetch_failed++;
    ds_watch_count(run, f->form, DS_FILING_FAILED);
    DS_WARN(run->log, "watchlist", "filing %s (%s): %s", f->accession, f->form, msg);
    const char *p[] = {f->accession, msg};
    return ds_db_exec(run->conn, NULL, err,
                      "UPDATE filings SET status = 'failed', error_message = $2 WHERE accession = $1", 2, p);
}

/* Fetches and parses the filing's index page into idx. DS_OK with *got 0 when the fetch or the
 * parse failed (*why says how). */
static ds_status read_index(ds_run *run, ds_fetcher *fetcher, const ds_watch_find *f, ds_edgar_filing_index *idx,
                            int *got, char *why, size_t cap)
{
    char folder[2048], url[2200];
    ds_watch_folder_url(run->cfg, f->cik, f->accession, folder, sizeof folder);
    snprintf(url, sizeof url, "%s/%s-index.htm", folder, f->accession);
    ds_fetch_result res;
    ds_err ferr;
    ds_buf b = DS_BUF_INIT;
    *got = 0;
    ds_status st = ds_fetcher_get(fetcher, url, &res, &ferr);
    if (st == DS_OK && (st = ds_buf_read_file(&b, res.path, 0, &ferr)) == DS_OK)
        st = ds_edgar_filing_index_parse(idx, b.data, b.len, f->form, &ferr);
    ds_buf_deinit(&b);
    ds_fetch_result_deinit(&res);
    if (st == DS_ERR_NOMEM)
        return st;
    if (st != DS_OK)
        snprintf(why, cap, "filing index %.400s: %.500s", url, ferr.msg);
    *got = st == DS_OK;
    return DS_OK;
}

/* Stores what the index page told: the primary document and its URL, the period, and the
 * amendment link the period makes possible. */
static ds_status apply_index(ds_run *run, const ds_watch_find *f, const char *doc, const char *url, const char *period,
                             ds_err *err)
{
    char cikbuf[24];
    snprintf(cikbuf, sizeof cikbuf, "%lld", f->cik);
    const char *p[] = {f->accession, cikbuf, f->form, f->filing_date, period && period[0] ? period : NULL, doc, url};
    return ds_db_exec(run->conn, NULL, err,
                      "UPDATE filings SET report_date = coalesce(report_date, $5::date), "
                      "  primary_document = coalesce(primary_document, $6), url = coalesce(url, $7), "
                      "  amends_accession = coalesce(amends_accession, "
                      "    CASE WHEN $5::date IS NULL THEN NULL ELSE " AMENDS_SQL " END) "
                      "WHERE accession = $1",
                      7, p);
}

/* Fetches the primary document at url, enqueues it and records the outcome. */
static ds_status fetch_primary(ds_run *run, ds_fetcher *fetcher, const ds_watch_find *f, const char *url, ds_err *err)
{
    ds_fetch_result res;
    ds_err ferr;
    ds_status st = DS_OK;
    const char *p[] = {f->accession, url};
    if (ds_fetcher_get(fetcher, url, &res, &ferr) == DS_OK) {
        run->stats.fetched++;
        ds_watch_count(run, f->form, DS_FILING_FETCHED);
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
        st = mark_failed(run, f, ferr.msg, err);
    }
    ds_fetch_result_deinit(&res);
    return st;
}

/* Whether an exhibit type is wanted: one of watchlist.exhibit_types, alone or before a '.'. */
static int exhibit_wanted(const ds_config *cfg, const char *type)
{
    size_t k = cfg->watch_exhibit_types.n ? (size_t)cfg->watch_exhibit_types.n
                                          : sizeof default_exhibits / sizeof *default_exhibits;
    for (size_t i = 0; i < k; i++) {
        const char *w = cfg->watch_exhibit_types.n ? cfg->watch_exhibit_types.v[i] : default_exhibits[i];
        size_t n = strlen(w);
        if (n && strncasecmp(type, w, n) == 0 && (type[n] == '\0' || type[n] == '.'))
            return 1;
    }
    return 0;
}

/* One exhibit: recorded, fetched and enqueued unless fetched before; a failure is recorded. */
static ds_status fetch_exhibit(ds_run *run, ds_fetcher *fetcher, const ds_watch_find *f, const ds_edgar_filing_doc *d,
                               const char *folder, ds_err *err)
{
    char url[2400];
    snprintf(url, sizeof url, "%s/%s", folder, d->document);
    const char *p[] = {f->accession, d->document, d->type, d->description[0] ? d->description : NULL, url};
    PGresult *r = NULL;
    ds_status st = ds_db_exec(run->conn, &r, err,
                              "INSERT INTO filing_documents (accession, document, type, description, url) "
                              "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (accession, document) "
                              "DO UPDATE SET type = EXCLUDED.type RETURNING status",
                              5, p);
    if (st != DS_OK)
        return st;
    int done = PQntuples(r) && strcmp(PQgetvalue(r, 0, 0), "fetched") == 0;
    PQclear(r);
    if (done)
        return DS_OK;
    ds_fetch_result res;
    ds_err ferr;
    if (ds_fetcher_get(fetcher, url, &res, &ferr) == DS_OK) {
        run->stats.fetched++;
        st = ds_run_enqueue_file(run, res.path, url, err);
        const char *pu[] = {f->accession, d->document, url};
        if (st == DS_OK)
            st = ds_db_exec(run->conn, NULL, err,
                            "UPDATE filing_documents SET status = 'fetched', error_message = NULL, fetched_at = now(), "
                            "  document_id = (SELECT document_id FROM document_sources WHERE source = $3 "
                            "    ORDER BY last_seen DESC LIMIT 1) WHERE accession = $1 AND document = $2",
                            3, pu);
        DS_INFO(run->log, "watchlist", "filing %s: exhibit %s %s", f->accession, d->type, d->document);
    } else {
        run->stats.fetch_failed++;
        DS_WARN(run->log, "watchlist", "filing %s: exhibit %s: %s", f->accession, d->document, ferr.msg);
        const char *pf[] = {f->accession, d->document, ferr.msg};
        st = ds_db_exec(run->conn, NULL, err,
                        "UPDATE filing_documents SET status = 'failed', error_message = $3 "
                        "WHERE accession = $1 AND document = $2",
                        3, pf);
    }
    ds_fetch_result_deinit(&res);
    return st;
}

/* The claimed filing: its index page when needed, its primary document, its exhibits. */
static ds_status fetch_filing(ds_run *run, ds_fetcher *fetcher, const ds_watch_find *f, ds_err *err)
{
    const ds_config *cfg = run->cfg;
    char folder[2048], url[2400], why[1024] = "";
    ds_watch_folder_url(cfg, f->cik, f->accession, folder, sizeof folder);
    ds_edgar_filing_index idx = {0};
    idx.primary = -1;
    int got = 0;
    ds_status st = DS_OK;
    if (!f->primary_document || cfg->watch_exhibits)
        st = read_index(run, fetcher, f, &idx, &got, why, sizeof why);
    if (st == DS_OK && !got && why[0] && f->primary_document)
        DS_WARN(run->log, "watchlist", "%s (its exhibits are not fetched)", why);
    const char *doc = f->primary_document       ? f->primary_document
                      : got && idx.primary >= 0 ? idx.v[idx.primary].document
                                                : NULL;
    if (st == DS_OK && !doc) {
        if (got)
            snprintf(why, sizeof why, "filing index of %s names no primary document", f->accession);
        st = mark_failed(run, f, why, err);
        ds_edgar_filing_index_deinit(&idx);
        return st;
    }
    snprintf(url, sizeof url, "%s/%s", folder, doc ? doc : "");
    if (st == DS_OK && got)
        st = apply_index(run, f, doc, url, idx.period, err);
    if (st == DS_OK)
        st = fetch_primary(run, fetcher, f, url, err);
    for (size_t i = 0; st == DS_OK && got && cfg->watch_exhibits && i < idx.n; i++)
        if ((long)i != idx.primary && exhibit_wanted(cfg, idx.v[i].type))
            st = fetch_exhibit(run, fetcher, f, &idx.v[i], folder, err);
    ds_edgar_filing_index_deinit(&idx);
    return st;
}

/* Writes s as one field of a tab-separated line: control characters as spaces; NULL as "". */
static void put_field(FILE *out, const char *s, char sep)
{
    for (; s && *s; s++)
        fputc((unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s, out);
    fputc(sep, out);
}

/* A dry run's filing: listed when no earlier run fetched it, counted either way. */
static ds_status plan_filing(ds_run *run, const ds_watch_find *f, const char *url, ds_err *err)
{
    const char *p[] = {f->accession};
    PGresult *r = NULL;
    ds_status st = ds_db_exec(run->conn, &r, err, "SELECT status FROM filings WHERE accession = $1", 1, p);
    if (st != DS_OK)
        return st;
    int fetched = PQntuples(r) && strcmp(PQgetvalue(r, 0, 0), "fetched") == 0;
    PQclear(r);
    if (fetched) {
        ds_watch_count(run, f->form, DS_FILING_SKIPPED);
        return DS_OK;
    }
    ds_watch_count(run, f->form, DS_FILING_DISCOVERED);
    char cikbuf[24];
    snprintf(cikbuf, sizeof cikbuf, "%lld", f->cik);
    put_field(run->dry_run, cikbuf, '\t');
    put_field(run->dry_run, f->company, '\t');
    put_field(run->dry_run, f->form, '\t');
    put_field(run->dry_run, f->accession, '\t');
    put_field(run->dry_run, f->filing_date, '\t');
    put_field(run->dry_run, url, '\n');
    DS_DEBUG(run->log, "watchlist", "cik %lld: would fetch %s %s filed %s", f->cik, f->form, f->accession,
             f->filing_date);
    return DS_OK;
}

ds_status ds_watch_link_amendments(ds_run *run, ds_err *err)
{
    return ds_db_exec(run->conn, NULL, err,
                      "UPDATE filings a SET amends_accession = (SELECT o.accession FROM filings o "
                      "  WHERE o.cik = a.cik AND regexp_replace(o.form, '/A$', '') = regexp_replace(a.form, '/A$', '') "
                      "  AND o.report_date = a.report_date AND o.filing_date <= a.filing_date "
                      "  AND o.accession <> a.accession ORDER BY o.filing_date DESC, o.accession DESC LIMIT 1) "
                      "WHERE a.form LIKE '%/A' AND a.amends_accession IS NULL AND a.report_date IS NOT NULL",
                      0, NULL);
}

ds_status ds_watch_take(ds_run *run, ds_fetcher *fetcher, const ds_watch_find *f, ds_err *err)
{
    char folder[2048], url[2400], status[24];
    ds_watch_folder_url(run->cfg, f->cik, f->accession, folder, sizeof folder);
    if (f->primary_document)
        snprintf(url, sizeof url, "%s/%s", folder, f->primary_document);
    else
        snprintf(url, sizeof url, "%s/%s-index.htm", folder, f->accession);
    if (run->dry_run)
        return plan_filing(run, f, url, err);
    ds_status st = record_filing(run, f, f->primary_document ? url : NULL, status, sizeof status, err);
    if (st != DS_OK)
        return st;
    if (strcmp(status, "fetched") == 0) {
        ds_watch_count(run, f->form, DS_FILING_SKIPPED);
        return DS_OK;
    }
    ds_watch_count(run, f->form, DS_FILING_DISCOVERED);
    int mine = 0;
    if ((st = claim_filing(run, f->accession, &mine, err)) != DS_OK)
        return st;
    if (!mine) {
        ds_watch_count(run, f->form, DS_FILING_SKIPPED);
        DS_INFO(run->log, "watchlist", "cik %lld: %s %s is being fetched by another process", f->cik, f->form,
                f->accession);
        return DS_OK;
    }
    DS_INFO(run->log, "watchlist", "cik %lld: %s %s filed %s (%s)", f->cik, f->form, f->accession, f->filing_date,
            f->found_by);
    return fetch_filing(run, fetcher, f, err);
}
