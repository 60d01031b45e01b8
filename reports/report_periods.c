/* report_periods.c - the columns of a report and the figures in them (see report_data.h).
 * Figures come from company_metrics (a company) or the document's own facts (a document
 * report), ratios from credit_ratios, both classified by the company's fiscal calendar: the one
 * its filings state in dei cover facts (company_fiscal_calendar), else the one its reported
 * years imply. Columns: the latest fiscal years, then the latest quarter and the same quarter a
 * year earlier, then the matching years to date, the last twelve months to the latest quarter
 * end (company_metrics_ltm), then a balance sheet later than all of them; balance-sheet values
 * sit in every column ending on their date. Ratios on the last twelve months (net debt / EBITDA,
 * fixed-charge cover) go to the LTM and fiscal-year columns. Everything is allocated in d's arena. */
#include "reports/report_data.h"

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
    {"lease_expense", "Lease expense"},
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

/* Where a ratio's rows go: the column of the same period (a year, a quarter, a balance-sheet
 * date), or, for ratios on the last twelve months, the LTM and fiscal-year columns. */
typedef enum ratio_span { RATIO_SPAN_PERIOD, RATIO_SPAN_LTM } ratio_span;

typedef struct ratio_def {
    const char *column, *label, *definition;
    int percent, money; /* money: a currency amount, not a ratio */
    ratio_span span;
} ratio_def;

static const ratio_def ratio_defs[] = {
    {"revenue_yoy_growth", "Revenue growth (YoY)", "revenue / revenue of the same period a year earlier - 1", 1, 0,
     RATIO_SPAN_PERIOD},
    {"gross_margin", "Gross margin", "gross profit (else revenue - cost of revenue) / revenue", 1, 0,
     RATIO_SPAN_PERIOD},
    {"operating_margin", "Operating margin", "operating income / revenue", 1, 0, RATIO_SPAN_PERIOD},
    {"net_margin", "Net margin", "net income / revenue", 1, 0, RATIO_SPAN_PERIOD},
    {"current_ratio", "Current ratio", "current assets / current liabilities at the period end", 0, 0,
     RATIO_SPAN_PERIOD},
    {"debt_to_equity", "Debt / equity", "total debt (short-term + long-term) / equity at the period end", 0, 0,
     RATIO_SPAN_PERIOD},
    {"debt_to_ebitda", "Debt / EBITDA",
     "total debt / EBITDA (operating income + depreciation and amortisation) of the period, not annualised", 0, 0,
     RATIO_SPAN_PERIOD},
    {"interest_coverage", "Interest coverage", "operating income / interest expense of the period", 0, 0,
     RATIO_SPAN_PERIOD},
    {"net_debt", "Net debt", "total debt - cash and cash equivalents at the period end", 0, 1, RATIO_SPAN_LTM},
    {"ebitda_ltm", "EBITDA (LTM)",
     "operating income + depreciation and amortisation of the last twelve months (a fiscal year: the year)", 0, 1,
     RATIO_SPAN_LTM},
    {"net_debt_to_ebitda", "Net debt / EBITDA (LTM)",
     "net debt (total debt - cash and cash equivalents) at the period end / EBITDA of the last twelve months", 0, 0,
     RATIO_SPAN_LTM},
    {"fixed_charge_cover", "Fixed-charge cover (LTM)",
     "(EBIT + fixed charges) / fixed charges over the last twelve months; EBIT = operating income, fixed charges = "
     "interest expense + lease (rent) expense where reported, else interest expense alone",
     0, 0, RATIO_SPAN_LTM},
};
#define N_RATIOS ((int)(sizeof ratio_defs / sizeof ratio_defs[0]))

typedef struct candidate {
    rpt_period_kind kind;
    const char *end; /* borrowed from the result */
    int fiscal_year, quarter;
} candidate;

#define MAX_CANDIDATES 256

static const char *dup(ds_report_data *d, const char *s)
{
    return ds_arena_strdup(&d->arena, s ? s : "");
}

/* "FY", "Q1".."Q4", "6M", "9M", "instant", "LTM1".."LTM4" -> kind and quarter; -1 for anything else. */
static int parse_fiscal_period(const char *fp, rpt_period_kind *kind, int *quarter)
{
    *quarter = 0;
    if (strcmp(fp, "FY") == 0)
        *kind = RPT_PERIOD_KIND_FY;
    else if (fp[0] == 'Q' && fp[1] >= '1' && fp[1] <= '4' && !fp[2])
        *kind = RPT_PERIOD_KIND_QUARTER, *quarter = fp[1] - '0';
    else if (strcmp(fp, "6M") == 0 || strcmp(fp, "9M") == 0)
        *kind = RPT_PERIOD_KIND_YTD, *quarter = (fp[0] - '0') / 3;
    else if (strcmp(fp, "instant") == 0)
        *kind = RPT_PERIOD_KIND_INSTANT;
    else if (strncmp(fp, "LTM", 3) == 0 && fp[3] >= '1' && fp[3] <= '4' && !fp[4])
        *kind = RPT_PERIOD_KIND_LTM, *quarter = fp[3] - '0';
    else
        return -1;
    return 0;
}

/* The fiscal calendar: dei cover facts of the company's latest filing, else the month its
 * reported years end in (12 without any) named as company_metrics names fiscal years. */
static ds_status load_calendar(PGconn *conn, ds_report_data *d, int *offset, ds_err *err)
{
    char cid[24], did[24];
    snprintf(cid, sizeof cid, "%lld", d->company_id);
    snprintf(did, sizeof did, "%lld", d->document_id);
    const char *p[] = {cid, did};
    PGresult *r = NULL;
    ds_status st = rpt_query(
        conn, &r, err,
        "WITH c AS (SELECT fy_end_month, fiscal_year_offset FROM company_fiscal_calendar "
        "  WHERE CASE WHEN $1::bigint > 0 THEN company_id = $1::bigint ELSE scope_document_id = $2::bigint END), "
        "m AS (SELECT max(fy_end_month) AS fy_end_month FROM company_metrics "
        "  WHERE CASE WHEN $1::bigint > 0 THEN company_id = $1::bigint ELSE scope_document_id = $2::bigint END) "
        "SELECT coalesce((SELECT fy_end_month FROM c), (SELECT fy_end_month FROM m), 12), "
        "  (SELECT fiscal_year_offset FROM c), EXISTS (SELECT 1 FROM c)",
        2, p);
    if (st)
        return st;
    d->fy_end_month = atoi(PQgetvalue(r, 0, 0));
    int from_dei = PQgetvalue(r, 0, 2)[0] == 't';
    *offset = from_dei ? atoi(PQgetvalue(r, 0, 1)) : (d->fy_end_month <= 5 ? -1 : 0);
    d->calendar_source = from_dei ? "dei cover facts" : "reported periods";
    PQclear(r);
    return DS_OK;
}

/* Figure rows: metric, fiscal period (LTMn for the last twelve months to the end of quarter n),
 * fiscal year, end, value, extractor, document, page, run, the document's source and kind (its
 * link), how an LTM figure was computed, and the fact's anchor in an HTML source. */
static ds_status query_rows(PGconn *conn, ds_report_data *d, int offset, PGresult **r, ds_err *err)
{
    char cid[24], did[24], month[8], off[8];
    snprintf(cid, sizeof cid, "%lld", d->company_id);
    snprintf(did, sizeof did, "%lld", d->document_id);
    snprintf(month, sizeof month, "%d", d->fy_end_month);
    snprintf(off, sizeof off, "%d", offset);
    const char *p[] = {cid, did, month, off};
    return rpt_query(
        conn, r, err,
        "WITH src AS ("
        "  SELECT m.metric, m.period_start, m.period_end, m.value, m.source_extractor, m.document_id, m.page, "
        "         f.run_id, NULL::text AS fp, ''::text AS note, f.anchor FROM company_metrics m "
        "  LEFT JOIN facts f ON f.id = m.fact_id "
        "  WHERE $2::bigint = 0 AND CASE WHEN $1::bigint > 0 THEN m.company_id = $1::bigint "
        "                                ELSE m.scope_document_id = $2::bigint END "
        "  UNION ALL "
        "  SELECT l.metric, l.period_start, l.period_end, l.value, 'ltm', y.document_id, y.page, y.run_id, "
        "         'LTM' || l.fiscal_quarter, "
        "         format('%s to %s + FY to %s - %s to %s (facts %s)', l.basis, y.period_end, fy.period_end, "
        "                l.basis, py.period_end, array_to_string(l.source_fact_ids, ', ')), y.anchor "
        "  FROM company_metrics_ltm l JOIN facts y ON y.id = l.fact_id "
        "  JOIN facts fy ON fy.id = l.prior_fy_fact_id JOIN facts py ON py.id = l.prior_ytd_fact_id "
        "  WHERE $2::bigint = 0 AND $1::bigint > 0 AND l.company_id = $1::bigint AND l.basis <> 'FY' "
        "  UNION ALL "
        "  SELECT * FROM (SELECT DISTINCT ON (f.metric, f.period_start, f.period_end) f.metric, f.period_start, "
        "         f.period_end, f.value, f.source_extractor, f.document_id, f.page, f.run_id, NULL::text, ''::text, "
        "         f.anchor "
        "  FROM facts f "
        "  WHERE $2::bigint > 0 AND f.document_id = $2::bigint AND f.metric IS NOT NULL AND f.dimensions = '' "
        "    AND f.value IS NOT NULL AND f.period_end IS NOT NULL "
        "  ORDER BY f.metric, f.period_start, f.period_end, "
        "    CASE WHEN f.source_extractor IN ('ixbrl', 'xbrl') THEN 0 WHEN f.source_extractor = 'model' THEN 2 "
        "         ELSE 1 END, f.id) doc) "
        "SELECT x.metric, coalesce(x.fp, fiscal_period_label(x.period_start, x.period_end, $3::int)), "
        "  fiscal_year_of(x.period_end, $3::int) + CASE WHEN $3::int <= 5 THEN 1 ELSE 0 END + $4::int, "
        "  x.period_end::text, x.value::text, x.source_extractor, dd.name, coalesce(x.page, 0), "
        "  coalesce(x.run_id, 0), " RPT_HREF_COLUMNS ", x.note, coalesce(x.anchor, '') "
        "FROM src x JOIN documents dd ON dd.id = x.document_id ORDER BY x.period_end, x.metric",
        4, p);
}

static int same_period(const candidate *a, rpt_period_kind kind, const char *end)
{
    return a->kind == kind && strcmp(a->end, end) == 0;
}

/* The latest candidate of a kind (quarter > 0: that quarter only) ending before `before`
 * (NULL: any), not yet taken; -1 when none. */
static int latest(const candidate *c, int n, rpt_period_kind kind, int quarter, const char *before, const int *taken)
{
    int best = -1;
    for (int i = 0; i < n; i++) {
        if (c[i].kind != kind || taken[i] || (quarter && c[i].quarter != quarter) ||
            (before && strcmp(c[i].end, before) >= 0))
            continue;
        if (best < 0 || strcmp(c[i].end, c[best].end) > 0)
            best = i;
    }
    return best;
}

static void add_column(ds_report_data *d, const candidate *c)
{
    static const char *const kind_labels[] = {"FY", "quarter", "YTD", "balance sheet", "LTM"};
    char label[32];
    rpt_period *p = &d->periods[d->n_periods++];
    p->kind = c->kind;
    p->end = dup(d, c->end);
    p->fiscal_year = c->fiscal_year;
    p->quarter = c->quarter;
    p->kind_label = kind_labels[c->kind];
    if (c->kind == RPT_PERIOD_KIND_FY)
        snprintf(label, sizeof label, "FY%d", c->fiscal_year);
    else if (c->kind == RPT_PERIOD_KIND_QUARTER)
        snprintf(label, sizeof label, "Q%d FY%d", c->quarter, c->fiscal_year);
    else if (c->kind == RPT_PERIOD_KIND_YTD)
        snprintf(label, sizeof label, "%dM FY%d", c->quarter * 3, c->fiscal_year);
    else if (c->kind == RPT_PERIOD_KIND_LTM)
        snprintf(label, sizeof label, "LTM Q%d FY%d", c->quarter, c->fiscal_year);
    else
        snprintf(label, sizeof label, "%s", c->end);
    p->label = dup(d, label);
}

/* Takes up to max latest candidates of a kind into pick, oldest first; returns how many. */
static int take_latest(const candidate *c, int n, rpt_period_kind kind, int max, int *taken, int *pick)
{
    int got[RPT_MAX_PERIODS], ng = 0;
    while (ng < max && ng < RPT_MAX_PERIODS) {
        int i = latest(c, n, kind, 0, NULL, taken);
        if (i < 0)
            break;
        taken[i] = 1;
        got[ng++] = i;
    }
    for (int i = 0; i < ng; i++)
        pick[i] = got[ng - 1 - i];
    return ng;
}

/* Picks the columns (see the file comment); appended in display order. */
static void choose_columns(ds_report_data *d, const candidate *c, int n)
{
    int taken[MAX_CANDIDATES] = {0}, pick[RPT_MAX_PERIODS], np = 0;
    int q = latest(c, n, RPT_PERIOD_KIND_QUARTER, 0, NULL, taken);
    int y = latest(c, n, RPT_PERIOD_KIND_YTD, 0, NULL, taken);
    np = take_latest(c, n, RPT_PERIOD_KIND_FY, q >= 0 || y >= 0 ? 3 : 5, taken, pick);
    rpt_period_kind kinds[2] = {RPT_PERIOD_KIND_QUARTER, RPT_PERIOD_KIND_YTD};
    int latest_of[2] = {q, y};
    for (int k = 0; k < 2; k++) {
        int cur = latest_of[k];
        if (cur < 0)
            continue;
        taken[cur] = 1;
        int prior = latest(c, n, kinds[k], c[cur].quarter, c[cur].end, taken);
        if (prior >= 0 && c[prior].fiscal_year == c[cur].fiscal_year - 1)
            taken[prior] = 1, pick[np++] = prior;
        pick[np++] = cur;
    }
    int l = latest(c, n, RPT_PERIOD_KIND_LTM, 0, NULL, taken);
    if (l >= 0)
        taken[l] = 1, pick[np++] = l;
    if (np == 0) { /* balance-sheet dates alone */
        np = take_latest(c, n, RPT_PERIOD_KIND_INSTANT, 4, taken, pick);
    } else { /* a balance sheet later than every period shown */
        int b = latest(c, n, RPT_PERIOD_KIND_INSTANT, 0, NULL, taken), later = b >= 0 && np < RPT_MAX_PERIODS;
        for (int i = 0; later && i < np; i++)
            later = strcmp(c[b].end, c[pick[i]].end) > 0;
        if (later)
            pick[np++] = b;
    }
    for (int i = 0; i < np && d->n_periods < RPT_MAX_PERIODS; i++)
        add_column(d, &c[pick[i]]);
}

static void set_cell(ds_report_data *d, rpt_cell *c, PGresult *r, int i)
{
    c->present = 1;
    c->text = dup(d, PQgetvalue(r, i, 4));
    c->v = atof(c->text);
    c->extractor = dup(d, PQgetvalue(r, i, 5));
    c->document = dup(d, PQgetvalue(r, i, 6));
    c->page = atoi(PQgetvalue(r, i, 7));
    c->run_id = atoll(PQgetvalue(r, i, 8));
    c->href = rpt_href_anchor(d, PQgetvalue(r, i, 9), PQgetvalue(r, i, 10), c->page, PQgetvalue(r, i, 12));
    c->note = dup(d, PQgetvalue(r, i, 11));
}

/* Fills the metric rows: a duration figure in the column of its period, an instant in every
 * column ending on its date. */
static void fill_metrics(ds_report_data *d, PGresult *r)
{
    for (int i = 0; i < PQntuples(r); i++) {
        rpt_period_kind kind;
        int quarter, m = 0;
        if (parse_fiscal_period(PQgetvalue(r, i, 1), &kind, &quarter))
            continue;
        while (m < N_METRICS && strcmp(metric_defs[m].key, PQgetvalue(r, i, 0)) != 0)
            m++;
        for (int k = 0; m < N_METRICS && k < d->n_periods; k++) {
            const rpt_period *p = &d->periods[k];
            if (strcmp(p->end, PQgetvalue(r, i, 3)) == 0 && (kind == RPT_PERIOD_KIND_INSTANT || kind == p->kind))
                set_cell(d, &d->metrics[m].cells[k], r, i);
        }
    }
}

static ds_status load_metric_columns(PGconn *conn, ds_report_data *d, ds_err *err)
{
    int offset = 0;
    ds_status st = load_calendar(conn, d, &offset, err);
    PGresult *r = NULL;
    if (st || (st = query_rows(conn, d, offset, &r, err)))
        return st;
    candidate c[MAX_CANDIDATES];
    int n = 0;
    for (int i = 0; i < PQntuples(r) && n < MAX_CANDIDATES; i++) {
        const char *m = PQgetvalue(r, i, 0);
        candidate x = {.end = PQgetvalue(r, i, 3), .fiscal_year = atoi(PQgetvalue(r, i, 2))};
        if ((strcmp(m, "revenue") && strcmp(m, "net_income") && strcmp(m, "total_assets")) ||
            parse_fiscal_period(PQgetvalue(r, i, 1), &x.kind, &x.quarter))
            continue;
        int seen = 0;
        for (int k = 0; k < n && !seen; k++)
            seen = same_period(&c[k], x.kind, x.end);
        if (!seen)
            c[n++] = x;
    }
    choose_columns(d, c, n);
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
    fill_metrics(d, r);
    PQclear(r);
    return DS_OK;
}

/* The column of a credit_ratios row for a ratio: for a period ratio the same end, and a year
 * for a year, a quarter for a quarter, an instant row for a balance-sheet column (years to date
 * have none); for an LTM ratio the LTM column of that end, or the year of a year row. */
static int ratio_column(const ds_report_data *d, const char *fp, const char *end, ratio_span span)
{
    rpt_period_kind kind;
    int quarter;
    if (parse_fiscal_period(fp, &kind, &quarter))
        return -1;
    for (int k = 0; k < d->n_periods; k++) {
        const rpt_period *p = &d->periods[k];
        if (strcmp(p->end, end) != 0)
            continue;
        if (span == RATIO_SPAN_PERIOD
                ? p->kind == kind
                : p->kind == RPT_PERIOD_KIND_LTM || (p->kind == RPT_PERIOD_KIND_FY && kind == RPT_PERIOD_KIND_FY))
            return k;
    }
    return -1;
}

/* The fixed-charge cover's definition says what its fixed charges hold in the columns shown. */
static void fixed_charges_note(ds_report_data *d, int k, int interest, int lease)
{
    if (!interest && !lease)
        return;
    char buf[512];
    snprintf(buf, sizeof buf, "%s; here: %s", ratio_defs[k].definition,
             interest && lease ? "interest and lease expense in some columns, interest alone in others"
             : lease           ? "interest and lease expense"
                               : "interest expense alone (no lease expense reported)");
    d->ratios[k].definition = dup(d, buf);
}

/* Fills the ratio cells from credit_ratios rows r. */
static void fill_ratios(ds_report_data *d, PGresult *r)
{
    int pcol = PQfnumber(r, "period_end"), fcol = PQfnumber(r, "fiscal_period");
    int bcol = PQfnumber(r, "fixed_charges_basis"), interest = 0, lease = 0, fcc = -1;
    for (int i = 0; pcol >= 0 && fcol >= 0 && i < PQntuples(r); i++) {
        for (int k = 0; k < N_RATIOS; k++) {
            int pi = ratio_column(d, PQgetvalue(r, i, fcol), PQgetvalue(r, i, pcol), ratio_defs[k].span);
            int col = PQfnumber(r, ratio_defs[k].column);
            if (pi < 0 || col < 0 || PQgetisnull(r, i, col))
                continue;
            rpt_cell *c = &d->ratios[k].cells[pi];
            c->present = 1;
            c->text = dup(d, PQgetvalue(r, i, col));
            c->v = atof(c->text);
            c->extractor = "credit_ratios";
            c->note = "";
            if (strcmp(ratio_defs[k].column, "fixed_charge_cover") == 0 && bcol >= 0) {
                fcc = k;
                interest |= strcmp(PQgetvalue(r, i, bcol), "interest") == 0;
                lease |= strcmp(PQgetvalue(r, i, bcol), "interest_and_lease") == 0;
            }
        }
    }
    if (fcc >= 0)
        fixed_charges_note(d, fcc, interest, lease);
}

/* Ratios come from the credit_ratios view (one computation, in SQL, shared with BI tools). */
static ds_status load_ratios(PGconn *conn, ds_report_data *d, ds_err *err)
{
    PGresult *r = NULL;
    ds_status st = rpt_query(conn, &r, err, "SELECT to_regclass('credit_ratios') IS NOT NULL", 0, NULL);
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
        d->ratios[k].definition = ratio_defs[k].definition;
        d->ratios[k].is_ratio = !ratio_defs[k].money;
        d->ratios[k].is_percent = ratio_defs[k].percent;
    }
    d->n_ratios = N_RATIOS;
    if (!d->ratios_available || (d->company_id == 0 && d->document_id == 0))
        return DS_OK;
    char cid[24], did[24];
    snprintf(cid, sizeof cid, "%lld", d->company_id);
    snprintf(did, sizeof did, "%lld", d->document_id);
    const char *p[] = {cid, did};
    if ((st = rpt_query(conn, &r, err,
                        "SELECT * FROM credit_ratios WHERE CASE WHEN $1::bigint > 0 THEN company_id = $1::bigint "
                        "ELSE scope_document_id = $2::bigint END",
                        2, p)))
        return st;
    fill_ratios(d, r);
    PQclear(r);
    return DS_OK;
}

ds_status rpt_load_periods(PGconn *conn, ds_report_data *d, ds_err *err)
{
    ds_status st = load_metric_columns(conn, d, err);
    return st ? st : load_ratios(conn, d, err);
}

int rpt_column_any(const rpt_row *rows, int n, int i)
{
    for (int r = 0; r < n; r++)
        if (rows[r].cells[i].present)
            return 1;
    return 0;
}

int rpt_row_any(const ds_report_data *d, const rpt_row *row)
{
    for (int i = 0; i < d->n_periods; i++)
        if (row->cells[i].present)
            return 1;
    return 0;
}

const char *rpt_month_name(int month)
{
    static const char *const names[] = {"January", "February", "March",     "April",   "May",      "June",
                                        "July",    "August",   "September", "October", "November", "December"};
    return month >= 1 && month <= 12 ? names[month - 1] : names[11];
}
