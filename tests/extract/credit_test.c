/* credit_test.c - a synthetic filing (inline XBRL facts plus statement tables and prose) taken
 * through extraction and ds_load_document into a real PostgreSQL, then: the credit_ratios view
 * gives exactly the expected ratios (XBRL preferred over the table where both exist, NULL where
 * an input is missing or a denominator is zero, no division error), facts without a company are
 * kept per document, entities, SWOT items and alerts are loaded, and loading the document again
 * duplicates no alert and keeps an alert's review status. Also: every view column of the new
 * migrations has a comment, the FATF table in SQL equals the one in C, and the SQL fiscal period
 * function agrees with ds_fiscal_period_classify. */
#include "testlib.h"

#include "extract/extract.h"
#include "pipeline/db.h"
#include "pipeline/load.h"

static PGconn *conn_;

static size_t count4(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    (void)s;
    return (n + 3) / 4;
}

static void exec_ok(const char *sql)
{
    ds_err err;
    ds_status st = ds_db_exec(conn_, NULL, &err, sql, 0, NULL);
    if (st)
        fprintf(stderr, "%s: %s\n", sql, err.msg);
    DS_REQUIRE(st == DS_OK);
}

/* The single value of a query, copied into a static slot ("(null)" for NULL). */
static const char *one(const char *sql, int n, const char *const *params)
{
    static char slots[8][256];
    static int next;
    char *out = slots[next++ % 8];
    PGresult *r = NULL;
    ds_err err;
    ds_status st = ds_db_exec(conn_, &r, &err, sql, n, params);
    if (st)
        fprintf(stderr, "%s: %s\n", sql, err.msg);
    DS_REQUIRE(st == DS_OK);
    if (PQntuples(r) < 1)
        snprintf(out, 256, "(no row)");
    else if (PQgetisnull(r, 0, 0))
        snprintf(out, 256, "(null)");
    else
        snprintf(out, 256, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return out;
}

static long long one_ll(const char *sql)
{
    return atoll(one(sql, 0, NULL));
}

static void add_xbrl(ds_document *doc, const char *concept, const char *value, const char *start, const char *end)
{
    ds_xbrl_fact x = {0};
    x.concept = concept;
    x.value = value;
    x.is_numeric = 1;
    x.decimals = "0";
    x.unit = "USD";
    x.context_id = "c";
    x.period_start = start;
    x.period_end = end;
    x.dimensions = "";
    x.text_off = SIZE_MAX;
    DS_REQUIRE(ds_doc_add_fact(doc, &x) == DS_OK);
}

static void add_par(ds_document *doc, const char *s)
{
    DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_PARAGRAPH, 0, "Item 7", s, strlen(s), NULL) == DS_OK);
}

/* Acme Corp's 10-K: revenue in XBRL (the table's 2023 revenue differs and must lose), the rest
 * from an income statement and a balance sheet in thousands. */
static ds_document *acme_10k(void)
{
    ds_err err;
    ds_document *doc;
    DS_REQUIRE(ds_document_create(&doc, &err) == DS_OK);
    doc->kind = DS_DOC_KIND_IXBRL;
    doc->name = "acme-10k.htm";
    memset(doc->sha256, 'a', 64);
    doc->sha256[64] = '\0';
    doc->meta.company_name = "Acme Corp";
    doc->meta.cik = "0001234";
    doc->meta.form_type = "10-K";
    doc->meta.period_end = "2023-12-31";
    add_xbrl(doc, "us-gaap:Revenues", "1200000", "2023-01-01", "2023-12-31");
    add_xbrl(doc, "us-gaap:Revenues", "1000000", "2022-01-01", "2022-12-31");
    add_xbrl(doc, "us-gaap:Revenues", "1000000", "2022-01-01", "2022-12-31"); /* a second context */
    add_par(doc, "Acme Corp has a subsidiary in Iran and relies on nominee shareholders.");
    add_par(doc, "Our Chief Executive Officer Jane Roe signed the report.");
    add_par(doc, "These conditions raise substantial doubt about the Company's ability to continue as a going "
                 "concern.");
    DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_HEADING, 2, "Item 8", "Statements of Operations (in thousands)", 39,
                                NULL) == DS_OK);
    const char *is[] = {
        "",
        "Year Ended December 31,",
        "",
        "",
        "2023",
        "2022",
        "Revenue",
        "$ 1,250",
        "$ 1,000",
        "Cost of sales",
        "(720)",
        "(600)",
        "Operating income",
        "240",
        "150",
        "Interest expense",
        "(60)",
        "—",
        "Depreciation and amortization",
        "60",
        "",
        "Net income (loss)",
        "150",
        "(50)",
    };
    DS_REQUIRE(ds_doc_add_table(doc, "Item 8", 8, 3, 2, is, NULL) == DS_OK);
    const char *bs[] = {
        "(in thousands)",
        "December 31, 2023",
        "December 31, 2022",
        "Total current assets",
        "500",
        "400",
        "Short-term borrowings",
        "100",
        "—",
        "Current portion of long-term debt",
        "50",
        "50",
        "Total current liabilities",
        "250",
        "—",
        "Long-term debt",
        "750",
        "800",
        "Total stockholders' equity",
        "600",
        "—",
    };
    DS_REQUIRE(ds_doc_add_table(doc, "Item 8", 7, 3, 1, bs, NULL) == DS_OK);
    return doc;
}

/* An annual report PDF that names no company: a balance sheet only. */
static ds_document *anon_pdf(void)
{
    ds_err err;
    ds_document *doc;
    DS_REQUIRE(ds_document_create(&doc, &err) == DS_OK);
    doc->kind = DS_DOC_KIND_PDF;
    doc->name = "report.pdf";
    memset(doc->sha256, 'b', 64);
    doc->sha256[64] = '\0';
    DS_REQUIRE(ds_doc_begin_page(doc) == DS_OK);
    const char *bs[] = {
        "(in millions)", "June 30, 2024", "Total current assets", "300", "Total current liabilities", "100",
    };
    DS_REQUIRE(ds_doc_add_table(doc, "", 3, 2, 1, bs, NULL) == DS_OK);
    return doc;
}

static long long insert_document(const char *sha, const char *name, const char *owner)
{
    const char *p[] = {sha, name};
    long long id = atoll(
        one("INSERT INTO documents (sha256, source, name, bytes) VALUES ($1, $2, $2, 1) RETURNING id", 2, p));
    char ids[24];
    snprintf(ids, sizeof ids, "%lld", id);
    const char *q[] = {ids, name, owner};
    one("INSERT INTO work_queue (document_id, path, state, lease_owner, lease_expires) "
        "VALUES ($1::bigint, $2, 'leased', $3, now() + interval '1 hour') RETURNING 1",
        3, q);
    return id;
}

static void lease_again(long long id, const char *owner)
{
    char ids[24];
    snprintf(ids, sizeof ids, "%lld", id);
    const char *q[] = {ids, owner};
    one("UPDATE work_queue SET state = 'leased', lease_owner = $2 WHERE document_id = $1::bigint RETURNING 1", 2, q);
}

static void process(ds_run *run, ds_document *doc, long long id)
{
    ds_chunk_opts co = {200, 16, count4, NULL};
    ds_chunk_list chunks = {0};
    ds_err err;
    DS_REQUIRE(ds_chunk_document(doc, &co, &chunks, &err) == DS_OK);
    ds_extraction x = {0};
    DS_REQUIRE(ds_extract_document(doc, &chunks, NULL, &x, &err) == DS_OK);
    ds_status st = ds_load_document(run, id, doc, &chunks, &x, &err);
    if (st)
        fprintf(stderr, "load: %s\n", err.msg);
    DS_REQUIRE(st == DS_OK);
    ds_extraction_free(&x);
}

/* A column of the FY row of credit_ratios for period_end. */
static const char *ratio(const char *column, const char *period_end)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT %s::text FROM credit_ratios r JOIN companies c ON c.id = r.company_id "
             "WHERE c.cik = '1234' AND r.fiscal_period = 'FY' AND r.period_end = $1::date",
             column);
    const char *p[] = {period_end};
    return one(sql, 1, p);
}

static void test_schema(void)
{
    /* comments on every column of the views and on the new table */
    long long bare = one_ll("SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' "
                            "AND c.relkind IN ('r', 'v') AND a.attnum > 0 AND NOT a.attisdropped "
                            "AND col_description(c.oid, a.attnum) IS NULL");
    DS_CHECKF(bare == 0, "%lld table or view columns without COMMENT", bare);
    DS_CHECK(one_ll("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = 'public' AND c.relkind = 'v' AND obj_description(c.oid, 'pg_class') IS NULL") ==
             0);
    DS_CHECK(one_ll("SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                    "WHERE n.nspname = 'public' AND p.proname IN ('fiscal_period_label', 'fiscal_year_of') "
                    "AND obj_description(p.oid, 'pg_proc') IS NOT NULL") == 2);
    /* the FATF table in SQL is the one in C */
    size_t n;
    const ds_fatf_entry *fe = ds_fatf_entries(&n);
    DS_CHECK(one_ll("SELECT count(*) FROM fatf_jurisdictions_current") == (long long)n);
    for (size_t i = 0; i < n; i++) {
        const char *p[] = {fe[i].code, fe[i].name, ds_fatf_list_str(fe[i].list), DS_FATF_AS_OF};
        DS_CHECKF(atoll(one("SELECT count(*) FROM fatf_jurisdictions WHERE code = $1 AND name = $2 AND list = $3 "
                            "AND as_of = $4::date",
                            4, p)) == 1,
                  "FATF %s", fe[i].code);
    }
    /* the SQL fiscal periods follow ds_fiscal_period_classify */
    const char *cases[][3] = {
        {"2023-01-01", "2023-12-31", "12"}, {"2023-07-01", "2023-09-30", "12"}, {"2022-10-01", "2022-12-31", "9"},
        {"2022-10-02", "2023-10-01", "9"},  {"2023-01-01", "2023-06-30", "12"}, {"2023-01-01", "2023-09-30", "12"},
        {"2023-01-01", "2023-02-15", "12"}, {NULL, "2023-12-31", "12"},         {"2024-01-01", "2024-03-31", "6"},
        {"2023-01-02", "2024-01-05", "12"}, {"2023-01-29", "2024-02-03", "1"},  {"2023-07-30", "2023-10-28", "1"},
        {NULL, "2024-05-31", "5"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ds_fiscal_period fp;
        DS_REQUIRE(ds_fiscal_period_classify(cases[i][0], cases[i][1], atoi(cases[i][2]), &fp) == 0);
        const char *p[] = {cases[i][0], cases[i][1], cases[i][2]};
        DS_CHECK_STREQ(one("SELECT fiscal_period_label($1::date, $2::date, $3::int)", 3, p), fp.label);
        const char *q[] = {cases[i][1], cases[i][2]};
        DS_CHECKF(atoi(one("SELECT fiscal_year_of($1::date, $2::int)", 2, q)) == fp.fiscal_year, "fiscal year of %s",
                  cases[i][1]);
    }
}

static void test_load_and_ratios(void)
{
    ds_run run;
    memset(&run, 0, sizeof run);
    run.conn = conn_;
    snprintf(run.owner, sizeof run.owner, "t_extract_credit:1");
    run.run_id = atoll(one("INSERT INTO runs (kind, host, pid, dossier_version) VALUES ('run', 'test', 1, '0') "
                           "RETURNING id",
                           0, NULL));
    ds_document *acme = acme_10k();
    long long acme_id = insert_document(acme->sha256, acme->name, run.owner);
    process(&run, acme, acme_id);

    /* FY2023: XBRL revenue, table figures in thousands scaled exactly */
    DS_CHECK_STREQ(ratio("revenue", "2023-12-31"), "1200000");
    DS_CHECK_STREQ(ratio("operating_income", "2023-12-31"), "240000");
    DS_CHECK_STREQ(ratio("total_debt", "2023-12-31"), "900000");
    DS_CHECK_STREQ(ratio("ebitda", "2023-12-31"), "300000");
    DS_CHECK_STREQ(ratio("debt_to_equity", "2023-12-31"), "1.500000");
    DS_CHECK_STREQ(ratio("debt_to_ebitda", "2023-12-31"), "3.000000");
    DS_CHECK_STREQ(ratio("interest_coverage", "2023-12-31"), "4.000000");
    DS_CHECK_STREQ(ratio("current_ratio", "2023-12-31"), "2.000000");
    DS_CHECK_STREQ(ratio("gross_margin", "2023-12-31"), "0.400000");
    DS_CHECK_STREQ(ratio("operating_margin", "2023-12-31"), "0.200000");
    DS_CHECK_STREQ(ratio("net_margin", "2023-12-31"), "0.125000");
    DS_CHECK_STREQ(ratio("revenue_prior_year", "2023-12-31"), "1000000");
    DS_CHECK_STREQ(ratio("revenue_yoy_growth", "2023-12-31"), "0.200000");
    DS_CHECK_STREQ(ratio("fiscal_year", "2023-12-31"), "2023");
    /* FY2022: zero interest, zero current liabilities, zero equity, no D&A: NULL, no error */
    DS_CHECK_STREQ(ratio("revenue", "2022-12-31"), "1000000");
    DS_CHECK_STREQ(ratio("interest_expense", "2022-12-31"), "0");
    DS_CHECK_STREQ(ratio("interest_coverage", "2022-12-31"), "(null)");
    DS_CHECK_STREQ(ratio("current_ratio", "2022-12-31"), "(null)");
    DS_CHECK_STREQ(ratio("debt_to_equity", "2022-12-31"), "(null)");
    DS_CHECK_STREQ(ratio("ebitda", "2022-12-31"), "(null)");
    DS_CHECK_STREQ(ratio("debt_to_ebitda", "2022-12-31"), "(null)");
    DS_CHECK_STREQ(ratio("total_debt", "2022-12-31"), "850000");
    DS_CHECK_STREQ(ratio("operating_margin", "2022-12-31"), "0.150000");
    DS_CHECK_STREQ(ratio("net_margin", "2022-12-31"), "-0.050000");
    DS_CHECK_STREQ(ratio("revenue_yoy_growth", "2022-12-31"), "(null)");
    DS_CHECK(one_ll("SELECT count(*) FROM credit_ratios r JOIN companies c ON c.id = r.company_id "
                    "WHERE c.cik = '1234'") == 2);
    /* the README's query */
    DS_CHECK(
        one_ll("SELECT count(*) FROM (SELECT co.name, r.fiscal_year, r.period_end, r.revenue, "
               "r.revenue_yoy_growth, r.operating_margin, r.debt_to_equity, r.debt_to_ebitda, "
               "r.interest_coverage, r.current_ratio FROM credit_ratios r JOIN companies co ON co.id = r.company_id "
               "WHERE r.fiscal_period = 'FY' ORDER BY co.name, r.period_end) q") == 2);
    /* the table's 2023 revenue is loaded but the view keeps the XBRL figure */
    DS_CHECK(one_ll("SELECT count(*) FROM facts WHERE metric = 'revenue' AND source_extractor = 'html_table' "
                    "AND value = 1250000") == 1);
    DS_CHECK_STREQ(one("SELECT source_extractor FROM company_metrics m JOIN companies c ON c.id = m.company_id "
                       "WHERE c.cik = '1234' AND metric = 'revenue' AND period_end = '2023-12-31'",
                       0, NULL),
                   "ixbrl");
    /* the repeated XBRL context was resolved away */
    DS_CHECK(one_ll("SELECT count(*) FROM facts WHERE source_extractor = 'ixbrl' AND period_end = '2022-12-31'") == 1);
    /* table facts carry their row as quote, page and offset */
    DS_CHECK_STREQ(
        one("SELECT quote FROM facts WHERE metric = 'operating_income' AND period_end = '2023-12-31'", 0, NULL),
        "Operating income | 240 | 150");
    DS_CHECK(one_ll("SELECT count(*) FROM facts f JOIN chunks c ON c.document_id = f.document_id "
                    "AND c.seq = f.chunk_seq WHERE f.source_extractor = 'html_table' "
                    "AND position(f.quote in c.text) > 0") ==
             one_ll("SELECT count(*) FROM facts WHERE source_extractor = 'html_table'"));

    /* entities, SWOT items and alerts */
    DS_CHECK(one_ll("SELECT count(*) FROM entities WHERE kind = 'country' AND name = 'Iran' "
                    "AND attributes->>'fatf_list' = 'call_for_action'") == 1);
    DS_CHECK(one_ll("SELECT count(*) FROM entities WHERE kind = 'person' AND name = 'Jane Roe'") == 1);
    DS_CHECK(one_ll("SELECT count(*) FROM entities WHERE kind = 'organization' AND name = 'Acme Corp'") >= 1);
    DS_CHECK(one_ll("SELECT count(*) FROM entities e JOIN chunks c ON c.document_id = e.document_id "
                    "AND c.seq = e.chunk_seq WHERE substr(c.text, (e.char_start - c.char_start + 1)::int, "
                    "length(e.name)) = e.name") == one_ll("SELECT count(*) FROM entities"));
    DS_CHECK(one_ll("SELECT count(*) FROM swot_items WHERE rule_id = 'SWOT-GRW-01' AND category = 'strength' "
                    "AND evidence @> '[{\"value\": \"1200000\"}]'") == 1);
    DS_CHECK(one_ll("SELECT count(*) FROM swot_items WHERE rule_id = 'SWOT-GC-01' AND category = 'threat' "
                    "AND page IS NULL AND quote LIKE 'These conditions raise substantial doubt%'") == 1);
    DS_CHECK(one_ll("SELECT count(*) FROM aml_alerts") == 3);
    DS_CHECK(one_ll("SELECT count(*) FROM aml_alerts WHERE kind = 'red_flag' AND evidence->>'rule' = 'RF-GOINGCONCERN' "
                    "AND quote LIKE 'These conditions raise substantial doubt%'") == 1);
    DS_CHECK(one_ll("SELECT count(*) FROM aml_alerts WHERE kind = 'high_risk_jurisdiction' AND subject = 'Iran' "
                    "AND evidence->>'fatf_as_of' = '" DS_FATF_AS_OF "' AND dedup_key = "
                    "'high_risk_jurisdiction|' || repeat('a', 64) || '|IR|fatf:call_for_action:" DS_FATF_AS_OF
                    "'") == 1);
    DS_CHECK(one_ll("SELECT count(*) FROM aml_alerts WHERE kind = 'red_flag' AND evidence->>'rule' = 'RF-NOMINEE' "
                    "AND quote = 'Acme Corp has a subsidiary in Iran and relies on nominee shareholders.'") == 1);

    /* a reviewer takes an alert; the document is processed again */
    exec_ok("SELECT set_alert_status(id, 'under_review', 'taken') FROM aml_alerts "
            "WHERE evidence->>'rule' = 'RF-NOMINEE'");
    long long facts_before = one_ll("SELECT count(*) FROM facts");
    long long ents_before = one_ll("SELECT count(*) FROM entities");
    lease_again(acme_id, run.owner);
    ds_document_free(acme);
    acme = acme_10k();
    process(&run, acme, acme_id);
    DS_CHECK(one_ll("SELECT count(*) FROM aml_alerts") == 3);
    DS_CHECK_STREQ(one("SELECT status FROM aml_alerts WHERE evidence->>'rule' = 'RF-NOMINEE'", 0, NULL),
                   "under_review");
    DS_CHECK(one_ll("SELECT count(*) FROM aml_alerts a JOIN chunks c ON c.document_id = a.document_id "
                    "AND c.seq = a.chunk_seq WHERE position(a.quote in c.text) > 0") == 3);
    DS_CHECK(one_ll("SELECT count(*) FROM facts") == facts_before);
    DS_CHECK(one_ll("SELECT count(*) FROM entities") == ents_before);
    DS_CHECK(one_ll("SELECT count(*) FROM swot_items WHERE rule_id = 'SWOT-GC-01'") == 1);
    ds_document_free(acme);

    /* a document without a company: its own scope */
    ds_document *anon = anon_pdf();
    long long anon_id = insert_document(anon->sha256, anon->name, run.owner);
    process(&run, anon, anon_id);
    char ids[24];
    snprintf(ids, sizeof ids, "%lld", anon_id);
    const char *p[] = {ids};
    DS_CHECK_STREQ(one("SELECT current_ratio::text || ' ' || fiscal_period || ' ' || period_end::text "
                       "FROM credit_ratios WHERE company_id IS NULL AND scope_document_id = $1::bigint",
                       1, p),
                   "3.000000 instant 2024-06-30");
    DS_CHECK_STREQ(one("SELECT value::text FROM company_metrics WHERE scope_document_id = $1::bigint "
                       "AND metric = 'current_assets'",
                       1, p),
                   "300000000");
    ds_document_free(anon);
}

int main(void)
{
    const char *dsn = ds_test_db_create("t_extract_credit");
    ds_err err;
    DS_REQUIRE(ds_db_connect(dsn, &conn_, &err) == DS_OK);
    DS_REQUIRE(ds_db_migrate(conn_, NULL, NULL, &err) == DS_OK);
    test_schema();
    test_load_and_ratios();
    PQfinish(conn_);
    return ds_test_done();
}
