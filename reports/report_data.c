/* report_data.c - reads what a report shows (see report_data.h). Every query is parameterised.
 * The subject, SWOT items (one per statement, however many documents of a filing state it),
 * open alerts and sources; the columns of figures are report_periods.c's. */
#include "reports/report_data.h"

#include "pipeline/core/alloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *dup(ds_report_data *d, const char *s)
{
    return ds_arena_strdup(&d->arena, s ? s : "");
}

ds_status rpt_query(PGconn *conn, PGresult **r, ds_err *err, const char *sql, int n, const char *const *p)
{
    *r = PQexecParams(conn, sql, n, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(*r) != PGRES_TUPLES_OK) {
        ds_status st = ds_err_set(err, PQstatus(conn) == CONNECTION_BAD ? DS_ERR_DB_UNREACHABLE : DS_ERR_DB,
                                  "report query failed: %s", PQresultErrorMessage(*r));
        PQclear(*r);
        *r = NULL;
        return st;
    }
    return DS_OK;
}

/* A name that matches several companies names none: the error lists them (CIK and name) so the
 * caller can repeat with a CIK or the full name. r holds up to 11 candidates. */
static ds_status ambiguous(PGresult *r, const char *company, ds_err *err)
{
    char list[400];
    size_t o = 0;
    int n = PQntuples(r);
    for (int i = 0; i < n && i < 10 && o + 1 < sizeof list; i++)
        o += (size_t)snprintf(list + o, sizeof list - o, "%s%s (CIK %s)", i ? "; " : "", PQgetvalue(r, i, 1),
                              PQgetisnull(r, i, 2) ? "none" : PQgetvalue(r, i, 2));
    return ds_err_set(err, DS_ERR_USAGE, "\"%s\" matches %s%d companies: %s%s; give a CIK or the full name", company,
                      n > 10 ? "more than " : "", n > 10 ? 10 : n, list, n > 10 ? "; ..." : "");
}

/* Finds the company (CIK exact, else the one name equal or containing it, most documents first) or the document. */
static ds_status find_subject(PGconn *conn, ds_report_data *d, const char *company, long long doc_id, ds_err *err)
{
    PGresult *r = NULL;
    ds_status st;
    if (doc_id > 0) {
        char id[24];
        snprintf(id, sizeof id, "%lld", doc_id);
        const char *p[] = {id};
        if ((st = rpt_query(conn, &r, err,
                            "SELECT d.name, d.company_id, co.name, co.cik FROM documents d "
                            "LEFT JOIN companies co ON co.id = d.company_id WHERE d.id = $1::bigint",
                            1, p)))
            return st;
        if (PQntuples(r) == 0) {
            PQclear(r);
            return ds_err_set(err, DS_ERR_NOT_FOUND, "no document with id %lld", doc_id);
        }
        d->document_id = doc_id;
        d->title = dup(d, PQgetvalue(r, 0, 0));
        d->company_id = PQgetisnull(r, 0, 1) ? 0 : atoll(PQgetvalue(r, 0, 1));
        d->company = PQgetisnull(r, 0, 2) ? NULL : dup(d, PQgetvalue(r, 0, 2));
        d->cik = PQgetisnull(r, 0, 3) ? NULL : dup(d, PQgetvalue(r, 0, 3));
        PQclear(r);
        return DS_OK;
    }
    char cik[16] = "";
    const char *c = company;
    while (*c == '0')
        c++;
    snprintf(cik, sizeof cik, "%s", c);
    const char *p[] = {cik, company};
    if ((st = rpt_query(conn, &r, err,
                        "SELECT co.id, co.name, co.cik, (co.cik = $1 OR lower(co.name) = lower($2)) AS exact "
                        "FROM companies co WHERE co.cik = $1 "
                        "OR co.name ILIKE '%' || replace(replace($2, '%', '\\%'), '_', '\\_') || '%' "
                        "ORDER BY (co.cik = $1) DESC NULLS LAST, (lower(co.name) = lower($2)) DESC, "
                        "(SELECT count(*) FROM documents x WHERE x.company_id = co.id) DESC, co.id LIMIT 11",
                        2, p)))
        return st;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return ds_err_set(err, DS_ERR_NOT_FOUND, "no company with CIK or name matching \"%s\"", company);
    }
    if (PQntuples(r) > 1 && strcmp(PQgetvalue(r, 0, 3), "t") != 0) {
        st = ambiguous(r, company, err);
        PQclear(r);
        return st;
    }
    d->company_id = atoll(PQgetvalue(r, 0, 0));
    d->company = dup(d, PQgetvalue(r, 0, 1));
    d->cik = PQgetisnull(r, 0, 2) ? NULL : dup(d, PQgetvalue(r, 0, 2));
    d->title = d->company;
    PQclear(r);
    return DS_OK;
}

static ds_status load_lists(PGconn *conn, ds_report_data *d, ds_err *err)
{
    char cid[24], did[24];
    snprintf(cid, sizeof cid, "%lld", d->company_id);
    snprintf(did, sizeof did, "%lld", d->document_id);
    const char *p[] = {cid, did};
    const char *scope = "(CASE WHEN $2::bigint > 0 THEN x.document_id = $2::bigint ELSE x.company_id = $1::bigint END)";
    char sql[2048];
    PGresult *r = NULL;
    snprintf(sql, sizeof sql,
             "SELECT * FROM (SELECT DISTINCT ON (x.category, x.statement) x.category, x.statement, "
             "coalesce(x.rule_id, ''), x.source_extractor, coalesce(x.model, ''), dd.name, coalesce(x.quote, ''), "
             "coalesce(x.page, 0), x.id, " RPT_HREF_COLUMNS
             " FROM swot_items x JOIN documents dd ON dd.id = x.document_id "
             "WHERE %s ORDER BY x.category, x.statement, (x.page IS NULL), x.id) s "
             "ORDER BY array_position(ARRAY['strength','weakness','opportunity','threat'], s.category), s.id",
             scope);
    ds_status st = rpt_query(conn, &r, err, sql, 2, p);
    if (st)
        return st;
    d->n_swot = PQntuples(r);
    d->swot = ds_arena_calloc(&d->arena, sizeof(rpt_swot) * (size_t)(d->n_swot + 1));
    for (int i = 0; d->swot && i < d->n_swot; i++) {
        rpt_swot *s = &d->swot[i];
        s->category = dup(d, PQgetvalue(r, i, 0));
        s->statement = dup(d, PQgetvalue(r, i, 1));
        s->rule_id = dup(d, PQgetvalue(r, i, 2));
        s->source = dup(d, PQgetvalue(r, i, 3));
        s->model = dup(d, PQgetvalue(r, i, 4));
        s->document = dup(d, PQgetvalue(r, i, 5));
        s->quote = dup(d, PQgetvalue(r, i, 6));
        s->page = atoi(PQgetvalue(r, i, 7));
        s->href = rpt_href(d, PQgetvalue(r, i, 9), PQgetvalue(r, i, 10), s->page);
    }
    PQclear(r);
    snprintf(
        sql, sizeof sql,
        /* a sanctions alert's review status is its case's (sql/0022_aml_cases.sql) */
        "SELECT x.kind, coalesce(xc.status, x.status), x.subject, coalesce(x.matched_name, ''), "
        "coalesce(x.list_version, ''), dd.name, coalesce(x.quote, ''), x.score, coalesce(x.page, 0), " RPT_HREF_COLUMNS
        " FROM aml_alerts x "
        "JOIN documents dd ON dd.id = x.document_id LEFT JOIN aml_cases xc ON xc.id = x.case_id WHERE %s "
        "AND coalesce(xc.status, x.status) IN ('open', 'under_review', 'escalated') "
        "ORDER BY x.score DESC NULLS LAST, x.id",
        scope);
    if ((st = rpt_query(conn, &r, err, sql, 2, p)))
        return st;
    d->n_alerts = PQntuples(r);
    d->alerts = ds_arena_calloc(&d->arena, sizeof(rpt_alert) * (size_t)(d->n_alerts + 1));
    for (int i = 0; d->alerts && i < d->n_alerts; i++) {
        rpt_alert *a = &d->alerts[i];
        a->kind = dup(d, PQgetvalue(r, i, 0));
        a->status = dup(d, PQgetvalue(r, i, 1));
        a->subject = dup(d, PQgetvalue(r, i, 2));
        a->matched_name = dup(d, PQgetvalue(r, i, 3));
        a->list_version = dup(d, PQgetvalue(r, i, 4));
        a->document = dup(d, PQgetvalue(r, i, 5));
        a->quote = dup(d, PQgetvalue(r, i, 6));
        a->has_score = !PQgetisnull(r, i, 7);
        a->score = a->has_score ? atof(PQgetvalue(r, i, 7)) : 0;
        a->page = atoi(PQgetvalue(r, i, 8));
        a->href = rpt_href(d, PQgetvalue(r, i, 9), PQgetvalue(r, i, 10), a->page);
    }
    PQclear(r);
    snprintf(sql, sizeof sql,
             "SELECT x.id, x.name, x.kind, coalesce(x.form_type, ''), coalesce(x.period_end::text, ''), x.status, "
             "coalesce(x.pages, 0), coalesce(x.loaded_run_id, 0), "
             "coalesce((SELECT min(s.source) FROM document_sources s WHERE s.document_id = x.id), '') FROM documents x "
             "WHERE (CASE WHEN $2::bigint > 0 THEN x.id = $2::bigint ELSE x.company_id = $1::bigint END) "
             "ORDER BY x.period_end DESC NULLS LAST, x.id");
    if ((st = rpt_query(conn, &r, err, sql, 2, p)))
        return st;
    d->n_docs = PQntuples(r);
    d->docs = ds_arena_calloc(&d->arena, sizeof(rpt_doc) * (size_t)(d->n_docs + 1));
    for (int i = 0; d->docs && i < d->n_docs; i++) {
        rpt_doc *x = &d->docs[i];
        x->id = atoll(PQgetvalue(r, i, 0));
        x->name = dup(d, PQgetvalue(r, i, 1));
        x->kind = dup(d, PQgetvalue(r, i, 2));
        x->form_type = dup(d, PQgetvalue(r, i, 3));
        x->period_end = dup(d, PQgetvalue(r, i, 4));
        x->status = dup(d, PQgetvalue(r, i, 5));
        x->pages = atoi(PQgetvalue(r, i, 6));
        x->run_id = atoll(PQgetvalue(r, i, 7));
        x->href = rpt_href(d, PQgetvalue(r, i, 8), x->kind, 0);
    }
    PQclear(r);
    if (!d->swot || !d->alerts || !d->docs)
        return ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    if ((st = rpt_query(conn, &r, err, "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI \"UTC\"')", 0,
                        NULL)))
        return st;
    d->generated_at = dup(d, PQgetvalue(r, 0, 0));
    PQclear(r);
    return DS_OK;
}

ds_status ds_report_data_load(PGconn *conn, const char *company, long long document_id, ds_report_data **out,
                              ds_err *err)
{
    *out = NULL;
    ds_report_data *d = ds_calloc(1, sizeof *d);
    if (!d)
        return ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    ds_arena_init(&d->arena, 64 * 1024);
    ds_status st = find_subject(conn, d, company ? company : "", document_id, err);
    if (st == DS_OK)
        st = rpt_load_periods(conn, d, err);
    if (st == DS_OK)
        st = load_lists(conn, d, err);
    if (st) {
        ds_report_data_free(d);
        return st;
    }
    *out = d;
    return DS_OK;
}

void ds_report_data_free(ds_report_data *d)
{
    if (!d)
        return;
    ds_arena_deinit(&d->arena);
    ds_free(d);
}

const char *rpt_unit_note(void)
{
    return "currency amounts in millions; EPS per share";
}

/* Thousands separators on an integer part. */
static void group_digits(const char *digits, char *out, size_t cap)
{
    size_t n = strlen(digits), o = 0;
    for (size_t i = 0; i < n && o + 2 < cap; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
}

void rpt_format_cell(const rpt_row *row, const rpt_cell *c, char *out, size_t cap)
{
    if (!c->present) {
        snprintf(out, cap, "n/a");
        return;
    }
    if (row->is_ratio) {
        if (row->is_percent)
            snprintf(out, cap, "%.1f%%", c->v * 100.0);
        else
            snprintf(out, cap, "%.2fx", c->v);
        return;
    }
    if (strcmp(row->key, "eps_basic") == 0) {
        snprintf(out, cap, "%.2f", c->v);
        return;
    }
    /* Currency in millions, one decimal, negatives in parentheses as statements print them. */
    double m = c->v / 1e6;
    char digits[64], grouped[96];
    double a = fabs(m);
    long long whole = (long long)a;
    int tenth = (int)llround((a - (double)whole) * 10.0);
    if (tenth == 10) {
        whole++;
        tenth = 0;
    }
    snprintf(digits, sizeof digits, "%lld", whole);
    group_digits(digits, grouped, sizeof grouped);
    if (m < 0)
        snprintf(out, cap, "(%s.%d)", grouped, tenth);
    else
        snprintf(out, cap, "%s.%d", grouped, tenth);
}
