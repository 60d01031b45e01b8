/* report_data.c - reads what a report shows (see report_data.h). Every query is parameterised.
 * Metrics: consolidated values (no dimensions), annual durations or instants, one per metric
 * and period, XBRL preferred over table extraction; ratios from the credit_ratios view. */
#include "reports/report_data.h"

#include "pipeline/core/alloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct metric_def {
    const char *key, *label;
} metric_def;

static const metric_def metric_defs[] = {
    {"revenue", "Revenue"},
    {"cost_of_revenue", "Cost of revenue"},
    {"gross_profit", "Gross profit"},
    {"operating_income", "Operating income"},
    {"net_income", "Net income"},
    {"eps_basic", "EPS (basic)"},
    {"depreciation_amortization", "Depreciation & amortisation"},
    {"interest_expense", "Interest expense"},
    {"operating_cash_flow", "Operating cash flow"},
    {"capex", "Capital expenditure"},
    {"cash", "Cash"},
    {"current_assets", "Current assets"},
    {"total_assets", "Total assets"},
    {"current_liabilities", "Current liabilities"},
    {"short_term_debt", "Short-term debt"},
    {"long_term_debt", "Long-term debt"},
    {"total_liabilities", "Total liabilities"},
    {"equity", "Equity"},
};
#define N_METRICS ((int)(sizeof metric_defs / sizeof metric_defs[0]))

typedef struct ratio_def {
    const char *column, *label;
    int percent;
} ratio_def;

static const ratio_def ratio_defs[] = {
    {"revenue_yoy_growth", "Revenue growth (YoY)", 1},
    {"gross_margin", "Gross margin", 1},
    {"operating_margin", "Operating margin", 1},
    {"net_margin", "Net margin", 1},
    {"current_ratio", "Current ratio", 0},
    {"debt_to_equity", "Debt / equity", 0},
    {"debt_to_ebitda", "Debt / EBITDA", 0},
    {"interest_coverage", "Interest coverage", 0},
};
#define N_RATIOS ((int)(sizeof ratio_defs / sizeof ratio_defs[0]))

static const char *dup(ds_report_data *d, const char *s) { return ds_arena_strdup(&d->arena, s ? s : ""); }

static ds_status query(PGconn *conn, PGresult **r, ds_err *err, const char *sql, int n, const char *const *p)
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

static int period_index(const ds_report_data *d, const char *pe)
{
    for (int i = 0; i < d->n_periods; i++)
        if (strcmp(d->periods[i], pe) == 0)
            return i;
    return -1;
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
        if ((st = query(conn, &r, err,
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
    if ((st = query(conn, &r, err,
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

static ds_status load_metrics(PGconn *conn, ds_report_data *d, ds_err *err)
{
    char cid[24], did[24];
    snprintf(cid, sizeof cid, "%lld", d->company_id);
    snprintf(did, sizeof did, "%lld", d->document_id);
    const char *p[] = {cid, did};
    PGresult *r = NULL;
    ds_status st = query(
        conn, &r, err,
        "SELECT DISTINCT ON (f.metric, f.period_end) f.metric, f.period_end::text, f.value::text, "
        "  f.source_extractor, dd.name, f.page, f.run_id "
        "FROM facts f JOIN documents dd ON dd.id = f.document_id "
        "WHERE (CASE WHEN $2::bigint > 0 THEN f.document_id = $2::bigint ELSE f.company_id = $1::bigint END) "
        "  AND f.metric IS NOT NULL AND f.dimensions = '' AND f.value IS NOT NULL AND f.period_end IS NOT NULL "
        "  AND (f.period_start IS NULL OR f.period_end - f.period_start BETWEEN 350 AND 380) "
        "ORDER BY f.metric, f.period_end, "
        "  CASE f.source_extractor WHEN 'ixbrl' THEN 0 WHEN 'xbrl' THEN 1 WHEN 'pdf_table' THEN 2 ELSE 3 END, f.id",
        2, p);
    if (st)
        return st;
    /* Periods: the latest RPT_MAX_PERIODS period ends that hold revenue, net income or assets. */
    const char *ends[256];
    int n_ends = 0;
    for (int i = 0; i < PQntuples(r) && n_ends < 256; i++) {
        const char *m = PQgetvalue(r, i, 0), *pe = PQgetvalue(r, i, 1);
        if (strcmp(m, "revenue") && strcmp(m, "net_income") && strcmp(m, "total_assets"))
            continue;
        int seen = 0;
        for (int k = 0; k < n_ends; k++)
            seen |= strcmp(ends[k], pe) == 0;
        if (!seen)
            ends[n_ends++] = pe;
    }
    for (int i = 0; i + 1 < n_ends; i++) /* ascending */
        for (int j = i + 1; j < n_ends; j++)
            if (strcmp(ends[j], ends[i]) < 0) {
                const char *t = ends[i];
                ends[i] = ends[j];
                ends[j] = t;
            }
    int first = n_ends > RPT_MAX_PERIODS ? n_ends - RPT_MAX_PERIODS : 0;
    for (int i = first; i < n_ends; i++)
        d->periods[d->n_periods++] = dup(d, ends[i]);
    d->metrics = ds_arena_calloc(&d->arena, sizeof(rpt_row) * N_METRICS);
    if (!d->metrics) {
        PQclear(r);
        return ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    }
    for (int m = 0; m < N_METRICS; m++) {
        d->metrics[m].key = metric_defs[m].key;
        d->metrics[m].label = metric_defs[m].label;
    }
    d->n_metrics = N_METRICS;
    for (int i = 0; i < PQntuples(r); i++) {
        int pi = period_index(d, PQgetvalue(r, i, 1));
        if (pi < 0)
            continue;
        for (int m = 0; m < N_METRICS; m++) {
            if (strcmp(metric_defs[m].key, PQgetvalue(r, i, 0)) != 0)
                continue;
            rpt_cell *c = &d->metrics[m].cells[pi];
            c->present = 1;
            c->text = dup(d, PQgetvalue(r, i, 2));
            c->v = atof(c->text);
            c->extractor = dup(d, PQgetvalue(r, i, 3));
            c->document = dup(d, PQgetvalue(r, i, 4));
            c->page = PQgetisnull(r, i, 5) ? 0 : atoi(PQgetvalue(r, i, 5));
            c->run_id = PQgetisnull(r, i, 6) ? 0 : atoll(PQgetvalue(r, i, 6));
        }
    }
    PQclear(r);
    return DS_OK;
}

/* Ratios come from the credit_ratios view (one computation, in SQL, shared with BI tools). */
static ds_status load_ratios(PGconn *conn, ds_report_data *d, ds_err *err)
{
    PGresult *r = NULL;
    ds_status st = query(conn, &r, err, "SELECT to_regclass('credit_ratios') IS NOT NULL", 0, NULL);
    if (st)
        return st;
    d->ratios_available = PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    d->ratios = ds_arena_calloc(&d->arena, sizeof(rpt_row) * N_RATIOS);
    if (!d->ratios)
        return ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    for (int k = 0; k < N_RATIOS; k++) {
        d->ratios[k].key = ratio_defs[k].column;
        d->ratios[k].label = ratio_defs[k].label;
        d->ratios[k].is_ratio = 1;
        d->ratios[k].is_percent = ratio_defs[k].percent;
    }
    d->n_ratios = N_RATIOS;
    if (!d->ratios_available || d->company_id == 0)
        return DS_OK;
    char cid[24];
    snprintf(cid, sizeof cid, "%lld", d->company_id);
    const char *p[] = {cid};
    if ((st = query(conn, &r, err,
                    "SELECT * FROM credit_ratios WHERE company_id = $1::bigint AND fiscal_period IN ('FY', 'instant')",
                    1, p)))
        return st;
    int pcol = PQfnumber(r, "period_end");
    for (int i = 0; pcol >= 0 && i < PQntuples(r); i++) {
        int pi = period_index(d, PQgetvalue(r, i, pcol));
        if (pi < 0)
            continue;
        for (int k = 0; k < N_RATIOS; k++) {
            int col = PQfnumber(r, ratio_defs[k].column);
            if (col < 0 || PQgetisnull(r, i, col))
                continue;
            rpt_cell *c = &d->ratios[k].cells[pi];
            c->present = 1;
            c->text = dup(d, PQgetvalue(r, i, col));
            c->v = atof(c->text);
            c->extractor = "credit_ratios";
        }
    }
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
             "SELECT x.category, x.statement, coalesce(x.rule_id, ''), x.source_extractor, coalesce(x.model, ''), "
             "dd.name, coalesce(x.quote, ''), coalesce(x.page, 0) FROM swot_items x "
             "JOIN documents dd ON dd.id = x.document_id WHERE %s "
             "ORDER BY array_position(ARRAY['strength','weakness','opportunity','threat'], x.category), x.id",
             scope);
    ds_status st = query(conn, &r, err, sql, 2, p);
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
    }
    PQclear(r);
    snprintf(sql, sizeof sql,
             "SELECT x.kind, x.status, x.subject, coalesce(x.matched_name, ''), coalesce(x.list_version, ''), "
             "dd.name, coalesce(x.quote, ''), coalesce(x.score, 0), coalesce(x.page, 0) FROM aml_alerts x "
             "JOIN documents dd ON dd.id = x.document_id WHERE %s "
             "AND x.status IN ('open', 'under_review', 'escalated') ORDER BY x.score DESC NULLS LAST, x.id",
             scope);
    if ((st = query(conn, &r, err, sql, 2, p)))
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
        a->score = atof(PQgetvalue(r, i, 7));
        a->page = atoi(PQgetvalue(r, i, 8));
    }
    PQclear(r);
    snprintf(sql, sizeof sql,
             "SELECT x.id, x.name, x.kind, coalesce(x.form_type, ''), coalesce(x.period_end::text, ''), x.status, "
             "coalesce(x.pages, 0), coalesce(x.loaded_run_id, 0) FROM documents x "
             "WHERE (CASE WHEN $2::bigint > 0 THEN x.id = $2::bigint ELSE x.company_id = $1::bigint END) "
             "ORDER BY x.period_end DESC NULLS LAST, x.id");
    if ((st = query(conn, &r, err, sql, 2, p)))
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
    }
    PQclear(r);
    if (!d->swot || !d->alerts || !d->docs)
        return ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    if ((st = query(conn, &r, err, "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI \"UTC\"')", 0, NULL)))
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
        st = load_metrics(conn, d, err);
    if (st == DS_OK)
        st = load_ratios(conn, d, err);
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

const char *rpt_unit_note(void) { return "currency amounts in millions; EPS per share"; }

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
