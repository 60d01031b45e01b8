/* facts_test.c - canonical metrics, fiscal periods, duplicate resolution and statement
 * tables turned into facts: every printed number format, period headers (years,
 * dates, "Year Ended", "Three Months Ended"), scaling from the header or the text before the
 * table, per-share rows, "%" rows, balance-sheet instants, offsets and quotes. */
#include "testlib.h"

#include "extract/dates.h"
#include "extract/facts.h"
#include "pipeline/core/alloc.h"

#include <stdint.h>

static void test_dates(void)
{
    long d, s;
    char b[11];
    DS_REQUIRE(ds_date_parse("2023-12-31", &d) == 0);
    ds_date_format(ds_date_period_start(d, 12), b);
    DS_CHECK_STREQ(b, "2023-01-01");
    ds_date_format(ds_date_period_start(d, 3), b);
    DS_CHECK_STREQ(b, "2023-10-01");
    DS_REQUIRE(ds_date_parse("2023-09-30", &d) == 0);
    ds_date_format(ds_date_period_start(d, 3), b);
    DS_CHECK_STREQ(b, "2023-07-01");
    ds_date_format(ds_date_period_start(d, 12), b);
    DS_CHECK_STREQ(b, "2022-10-01");
    ds_date_format(ds_date_period_start(d, 9), b);
    DS_CHECK_STREQ(b, "2023-01-01");
    DS_REQUIRE(ds_date_parse("2024-02-29", &d) == 0); /* leap-year month end */
    ds_date_format(ds_date_period_start(d, 12), b);
    DS_CHECK_STREQ(b, "2023-03-01");
    DS_REQUIRE(ds_date_parse("2023-09-30", &d) == 0 && ds_date_parse("2023-10-01", &s) == 0);
    DS_CHECK(s - d == 1);
    DS_REQUIRE(ds_date_parse("2023-06-15", &d) == 0); /* not a month end: day after a year back */
    ds_date_format(ds_date_period_start(d, 12), b);
    DS_CHECK_STREQ(b, "2022-06-16");
    DS_CHECK(ds_date_parse("2023-02-29", &d) == -1);
    DS_CHECK(ds_date_parse("2023-13-01", &d) == -1);
    DS_CHECK(ds_date_parse("2023-1-01", &d) == -1);
}

static void test_fiscal_periods(void)
{
    ds_fiscal_period fp;
    DS_REQUIRE(ds_fiscal_period_classify("2023-01-01", "2023-12-31", 12, &fp) == 0);
    DS_CHECK_STREQ(fp.label, "FY");
    DS_CHECK(fp.fiscal_year == 2023 && fp.days == 365);
    DS_REQUIRE(ds_fiscal_period_classify("2023-07-01", "2023-09-30", 12, &fp) == 0);
    DS_CHECK_STREQ(fp.label, "Q3");
    DS_REQUIRE(ds_fiscal_period_classify("2023-10-01", "2023-12-31", 12, &fp) == 0);
    DS_CHECK_STREQ(fp.label, "Q4");
    DS_REQUIRE(ds_fiscal_period_classify(NULL, "2023-12-31", 12, &fp) == 0);
    DS_CHECK_STREQ(fp.label, "instant");
    DS_CHECK(fp.fiscal_year == 2023);
    /* A September fiscal year: the quarter ending in December is Q1 of the next fiscal year. */
    DS_REQUIRE(ds_fiscal_period_classify("2022-10-01", "2022-12-31", 9, &fp) == 0);
    DS_CHECK_STREQ(fp.label, "Q1");
    DS_CHECK(fp.fiscal_year == 2023);
    /* 52/53-week year ending in the first days of October. */
    DS_REQUIRE(ds_fiscal_period_classify("2022-09-25", "2023-09-30", 9, &fp) == 0);
    DS_CHECK_STREQ(fp.label, "FY");
    DS_REQUIRE(ds_fiscal_period_classify("2022-10-02", "2023-10-01", 9, &fp) == 0);
    DS_CHECK_STREQ(fp.label, "FY");
    DS_CHECK(fp.fiscal_year == 2023);
    /* a retailer's 53-week year ending February 3, 2024 is fiscal 2023; its third quarter too */
    DS_REQUIRE(ds_fiscal_period_classify("2023-01-29", "2024-02-03", 1, &fp) == 0);
    DS_CHECK_STREQ(fp.label, "FY");
    DS_CHECK(fp.fiscal_year == 2023 && fp.days == 371);
    DS_REQUIRE(ds_fiscal_period_classify("2023-07-30", "2023-10-28", 1, &fp) == 0);
    DS_CHECK_STREQ(fp.label, "Q3");
    DS_CHECK(fp.fiscal_year == 2023);
    DS_REQUIRE(ds_fiscal_period_classify("2023-01-01", "2023-06-30", 12, &fp) == 0);
    DS_CHECK_STREQ(fp.label, "6M");
    DS_REQUIRE(ds_fiscal_period_classify("2023-01-01", "2023-09-30", 12, &fp) == 0);
    DS_CHECK_STREQ(fp.label, "9M");
    DS_REQUIRE(ds_fiscal_period_classify("2023-01-01", "2023-02-15", 12, &fp) == 0);
    DS_CHECK_STREQ(fp.label, "other");
    DS_CHECK(ds_fiscal_period_classify("2023-12-31", "2023-01-01", 12, &fp) == -1);
    DS_CHECK(ds_fiscal_period_classify(NULL, "garbage", 12, &fp) == -1);
}

static void test_metric_maps(void)
{
    DS_CHECK_STREQ(ds_metric_for_concept("us-gaap:Revenues"), "revenue");
    DS_CHECK_STREQ(ds_metric_for_concept("us-gaap:LongTermDebtCurrent"), "current_portion_long_term_debt");
    DS_CHECK_STREQ(ds_metric_for_concept("ifrs-full:Revenue"), "revenue");
    DS_CHECK_STREQ(ds_metric_for_concept("us-gaap:LongTermNotesAndLoans"), "long_term_debt");
    DS_CHECK_STREQ(ds_metric_for_concept("us-gaap:NotesPayableCurrent"), "current_portion_long_term_debt");
    DS_CHECK_STREQ(ds_metric_for_concept("us-gaap:OperatingLeaseCost"), "lease_expense");
    DS_CHECK_STREQ(ds_metric_for_concept("us-gaap:OperatingLeasesRentExpenseNet"), "lease_expense");
    DS_CHECK(ds_metric_for_concept("acme:Revenues") == NULL);
    const char *labels[][2] = {
        {"Total revenues", "revenue"},
        {"Net sales", "revenue"},
        {"Revenue", "revenue"},
        {"Cost of sales", "cost_of_revenue"},
        {"Gross margin", "gross_profit"},
        {"Income from operations", "operating_income"},
        {"Operating income (loss)", "operating_income"},
        {"Net income (loss)", "net_income"},
        {"Total assets", "total_assets"},
        {"Total current assets", "current_assets"},
        {"Total current liabilities", "current_liabilities"},
        {"Total liabilities", "total_liabilities"},
        {"Total stockholders' equity", "equity"},
        {"Total shareholders’ equity", "equity"},
        {"Cash and cash equivalents", "cash"},
        {"Cash and cash equivalents, end of year", "cash"},
        {"Net cash provided by operating activities", "operating_cash_flow"},
        {"Net cash provided by (used in) operating activities", "operating_cash_flow"},
        {"Purchases of property and equipment", "capex"},
        {"Capital expenditures", "capex"},
        {"Short-term borrowings", "short_term_borrowings"},
        {"Current portion of long-term debt", "current_portion_long_term_debt"},
        {"Long-term debt", "long_term_debt"},
        {"Long-term debt, net of current portion", "long_term_debt"},
        {"Debt", "long_term_debt"},
        {"Current portion of debt", "current_portion_long_term_debt"},
        {"Interest expense", "interest_expense"},
        {"Depreciation and amortization", "depreciation_amortization"},
        {"Total revenues (1)", "revenue"},
        {"Net sales*", "revenue"},
        {"Net income:", "net_income"},
        {"Total revenues ..........", "revenue"},
        {"Cash generated by operating activities", "operating_cash_flow"},
        {"Net cash from operations", "operating_cash_flow"},
        {"Cash provided (used) by operations", "operating_cash_flow"},
        {"Net cash provided/(used) by operating activities", "operating_cash_flow"},
        {"Net cash flows from operating activities", "operating_cash_flow"},
        {"Cash and cash equivalents (Notes 1 and 2)", "cash"},
        {"Goodwill (Note 5)", NULL},
        {"Sales to customers", "revenue"},
        {"Total revenues net of interest expense", "revenue"},
        {"Net operating revenues", "revenue"},
        {"Cost of net revenues (1)", "cost_of_revenue"},
        {"Total common stockholders' investment", "equity"},
    };
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        const char *m = ds_metric_for_label(labels[i][0], NULL);
        DS_CHECKF(labels[i][1] ? m && !strcmp(m, labels[i][1]) : m == NULL, "%s: %s", labels[i][0], m ? m : "-");
    }
    DS_CHECK(ds_metric_for_label("Cash and cash equivalents, beginning of year", NULL) == NULL);
    /* section titles and parts of the operating total are not it */
    DS_CHECK(ds_metric_for_label("Cash flows from operating activities", NULL) == NULL);
    DS_CHECK(ds_metric_for_label("Net cash provided by operating activities of discontinued operations", NULL) == NULL);
    DS_CHECK(ds_metric_for_label("Cash paid for operations", NULL) == NULL);
    DS_CHECK(ds_metric_rank("Cash generated by operating activities") ==
             ds_metric_rank("Net cash provided by operating activities"));
    DS_CHECK(ds_metric_for_label("Basic", NULL) == NULL); /* only with a per-share heading */
    DS_CHECK(ds_metric_for_label("Research and development", NULL) == NULL);
    DS_CHECK(ds_metric_rank("us-gaap:Revenues") < ds_metric_rank("us-gaap:SalesRevenueNet"));
    DS_CHECK(ds_metric_rank("Total revenues") < ds_metric_rank("Revenue"));
    DS_CHECK(ds_metric_rank("acme:Whatever") == INT32_MAX);
    DS_CHECK(ds_metric_is_instant("total_assets") && !ds_metric_is_instant("revenue"));
}

static ds_fact mk(const char *concept, const char *value, const char *start, const char *end, const char *dims,
                  const char *src, size_t off)
{
    ds_fact f = {0};
    f.concept = concept;
    f.metric = ds_metric_for_concept(concept);
    f.value = value;
    f.unit = "USD";
    f.period_start = start;
    f.period_end = end;
    f.dimensions = dims;
    f.source_extractor = src;
    f.chunk_seq = -1;
    f.byte_off = off;
    return f;
}

static void test_resolve(void)
{
    ds_fact_list l = {0};
    ds_err err;
    /* the same value in three contexts; the displayed one stays */
    ds_fact a = mk("us-gaap:Revenues", "1000", "2023-01-01", "2023-12-31", "", "ixbrl", SIZE_MAX);
    ds_fact b = mk("us-gaap:Revenues", "1000.00", "2023-01-01", "2023-12-31", "", "ixbrl", 42);
    ds_fact c = mk("us-gaap:Revenues", "1000", "2023-01-01", "2023-12-31", "", "ixbrl", 99);
    /* the same metric from a less preferred concept: demoted, kept */
    ds_fact d = mk("us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax", "990", "2023-01-01", "2023-12-31", "",
                   "ixbrl", 120);
    /* another period: untouched */
    ds_fact e = mk("us-gaap:Revenues", "900", "2022-01-01", "2022-12-31", "", "ixbrl", 150);
    /* a segment: a different dimensions scope, untouched */
    ds_fact g = mk("us-gaap:Revenues", "400", "2023-01-01", "2023-12-31", "srt:SegmentAxis=a:EuropeMember", "ixbrl",
                   160);
    /* the same figure from a table: another extractor, untouched */
    ds_fact h = mk("Total revenues", "1000", "2023-01-01", "2023-12-31", "", "html_table", 170);
    h.metric = "revenue";
    ds_fact all[] = {a, b, c, d, e, g, h};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        DS_REQUIRE(ds_fact_list_push(&l, &all[i]) == DS_OK);
    ds_resolve_stats rs;
    DS_REQUIRE(ds_facts_resolve(&l, &rs, &err) == DS_OK);
    DS_CHECK(rs.dropped == 2);
    DS_CHECK(rs.demoted == 1);
    DS_REQUIRE(l.n == 5);
    DS_CHECK(l.v[0].byte_off == 42); /* order kept, the displayed copy kept */
    DS_CHECK_STREQ(l.v[1].concept, "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax");
    DS_CHECK(l.v[1].metric == NULL);
    DS_CHECK_STREQ(l.v[2].value, "900");
    DS_CHECK_STREQ(l.v[2].metric, "revenue");
    DS_CHECK_STREQ(l.v[3].metric, "revenue");
    DS_CHECK_STREQ(l.v[4].metric, "revenue");
    /* preferred concept later in the list still wins */
    l.n = 0;
    DS_REQUIRE(ds_fact_list_push(&l, &d) == DS_OK && ds_fact_list_push(&l, &b) == DS_OK);
    DS_REQUIRE(ds_facts_resolve(&l, NULL, &err) == DS_OK);
    DS_CHECK(l.n == 2 && l.v[0].metric == NULL && l.v[1].metric && strcmp(l.v[1].metric, "revenue") == 0);
    ds_fact_list_free(&l);
    ds_fact_list_free(NULL);
}

/* ---- tables -------------------------------------------------------------------------------- */

static const ds_fact *find_fact(const ds_fact_list *l, const char *metric_or_concept, const char *end,
                                const char *start)
{
    for (size_t i = 0; i < l->n; i++) {
        const ds_fact *f = &l->v[i];
        const char *key = f->metric ? f->metric : f->concept;
        if (strcmp(key, metric_or_concept) != 0 && strcmp(f->concept, metric_or_concept) != 0)
            continue;
        if (strcmp(f->period_end, end) != 0)
            continue;
        if ((start == NULL) != (f->period_start == NULL))
            continue;
        if (start && strcmp(start, f->period_start) != 0)
            continue;
        return f;
    }
    return NULL;
}

#define CHECK_FACT(l, m, end, start, want)                                                          \
    do {                                                                                            \
        const ds_fact *f_ = find_fact(l, m, end, start);                                            \
        DS_CHECKF(f_ != NULL, "no fact %s %s..%s", m, start ? start : "", end);                     \
        if (f_)                                                                                     \
            DS_CHECKF(strcmp(f_->value, want) == 0, "%s %s: %s, want %s", m, end, f_->value, want); \
    } while (0)

/* An income statement in thousands (in the heading before it), years in one header row under
 * "Year Ended December 31,", every number format. */
static void test_income_statement(void)
{
    ds_err err;
    ds_document *doc;
    DS_REQUIRE(ds_document_create(&doc, &err) == DS_OK);
    doc->kind = DS_DOC_KIND_PDF;
    DS_REQUIRE(ds_doc_begin_page(doc) == DS_OK);
    DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_HEADING, 2, "Item 8", "CONSOLIDATED STATEMENTS OF OPERATIONS", 37,
                                NULL) == DS_OK);
    const char *p = "(In thousands, except per share amounts)";
    DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_PARAGRAPH, 0, "Item 8", p, strlen(p), NULL) == DS_OK);
    DS_REQUIRE(ds_doc_begin_page(doc) == DS_OK);
    const char *cells[] = {
        "",
        "Year Ended December 31,",
        "",
        "",
        "",
        "2023",
        "2022",
        "2021",
        "Net sales",
        "$ 1,234,567",
        "$ 987,654",
        "$ 800,000",
        "Cost of sales",
        "(734,567)",
        "(587,654)",
        "(500,000)",
        "Gross margin",
        "500,000",
        "400,000",
        "300,000",
        "Gross margin %",
        "40.5%",
        "40.5 %",
        "37.5%",
        "Research and development (1)",
        "100,000",
        "—",
        "-",
        "Restructuring",
        "–",
        "1,000*",
        "2,000(a)",
        "Income from operations",
        "400,000",
        "399,000",
        "298,000",
        "Interest expense",
        "(12,345)",
        "(1,234",
        "n/a",
        "Net income (loss)",
        "$(1,234.5)",
        "−2,000",
        "3,000 (2)",
        "Earnings per share:",
        "",
        "",
        "",
        "Basic",
        "$ 1.25",
        "$ (0.50)",
        "$ 0.75",
        "Diluted",
        "1.20",
        "(0.50)",
        "0.70",
        "Weighted-average shares:",
        "",
        "",
        "",
        "Basic",
        "98,765",
        "97,000",
        "96,000",
    };
    ds_block *tb = NULL;
    DS_REQUIRE(ds_doc_add_table(doc, "Item 8", 16, 4, 2, cells, &tb) == DS_OK);
    ds_fact_list l = {0};
    ds_chunk_list chunks = {0};
    DS_REQUIRE(ds_extract_table_facts(doc, &chunks, &l, &err) == DS_OK);
    CHECK_FACT(&l, "revenue", "2023-12-31", "2023-01-01", "1234567000");
    CHECK_FACT(&l, "revenue", "2022-12-31", "2022-01-01", "987654000");
    CHECK_FACT(&l, "revenue", "2021-12-31", "2021-01-01", "800000000");
    CHECK_FACT(&l, "cost_of_revenue", "2023-12-31", "2023-01-01", "734567000"); /* a magnitude, as XBRL */
    CHECK_FACT(&l, "gross_profit", "2022-12-31", "2022-01-01", "400000000");
    CHECK_FACT(&l, "Research and development (1)", "2023-12-31", "2023-01-01", "100000000");
    CHECK_FACT(&l, "Research and development (1)", "2022-12-31", "2022-01-01", "0");
    CHECK_FACT(&l, "Research and development (1)", "2021-12-31", "2021-01-01", "0");
    CHECK_FACT(&l, "Restructuring", "2023-12-31", "2023-01-01", "0");
    CHECK_FACT(&l, "Restructuring", "2022-12-31", "2022-01-01", "1000000");
    CHECK_FACT(&l, "Restructuring", "2021-12-31", "2021-01-01", "2000000");
    CHECK_FACT(&l, "operating_income", "2023-12-31", "2023-01-01", "400000000");
    CHECK_FACT(&l, "interest_expense", "2023-12-31", "2023-01-01", "12345000");
    CHECK_FACT(&l, "interest_expense", "2022-12-31", "2022-01-01", "1234000");
    DS_CHECK(find_fact(&l, "interest_expense", "2021-12-31", "2021-01-01") == NULL); /* n/a */
    CHECK_FACT(&l, "net_income", "2023-12-31", "2023-01-01", "-1234500");
    CHECK_FACT(&l, "net_income", "2022-12-31", "2022-01-01", "-2000000");
    CHECK_FACT(&l, "net_income", "2021-12-31", "2021-01-01", "3000000");
    CHECK_FACT(&l, "eps_basic", "2023-12-31", "2023-01-01", "1.25"); /* per share: not scaled */
    CHECK_FACT(&l, "eps_basic", "2022-12-31", "2022-01-01", "-0.5");
    CHECK_FACT(&l, "eps_diluted", "2021-12-31", "2021-01-01", "0.7");
    CHECK_FACT(&l, "weighted average shares: Basic", "2023-12-31", "2023-01-01", "98765000");
    /* no fact from the % row */
    for (size_t i = 0; i < l.n; i++)
        DS_CHECK(strstr(l.v[i].concept, "%") == NULL);
    /* provenance */
    const ds_fact *f = find_fact(&l, "revenue", "2023-12-31", "2023-01-01");
    if (f) {
        DS_CHECK_STREQ(f->source_extractor, "pdf_table");
        DS_CHECK_STREQ(f->unit, "USD");
        DS_CHECK_STREQ(f->decimals, "-3");
        DS_CHECK(f->page == 2);
        DS_CHECK(f->byte_off == tb->table->row_offsets[2]);
        DS_CHECK_STREQ(f->quote, "Net sales | $ 1,234,567 | $ 987,654 | $ 800,000");
        DS_CHECK(strncmp(doc->text.data + f->byte_off, f->quote, strlen(f->quote)) == 0);
        DS_CHECK_STREQ(f->dimensions, "");
    }
    f = find_fact(&l, "eps_basic", "2023-12-31", "2023-01-01");
    if (f) {
        DS_CHECK_STREQ(f->unit, "USD/shares");
        DS_CHECK_STREQ(f->decimals, "2");
    }
    f = find_fact(&l, "net_income", "2023-12-31", "2023-01-01");
    if (f)
        DS_CHECK_STREQ(f->decimals, "-2");
    ds_fact_list_free(&l);
    ds_document_free(doc);
}

/* A balance sheet: dates in the header, millions in the header row, instants. */
static void test_balance_sheet(void)
{
    ds_err err;
    ds_document *doc;
    DS_REQUIRE(ds_document_create(&doc, &err) == DS_OK);
    doc->kind = DS_DOC_KIND_HTML;
    const char *cells[] = {
        "(in millions)",
        "December 31, 2023",
        "December 31, 2022",
        "Cash and cash equivalents",
        "$ 1,500.5",
        "$ 1,200",
        "Total current assets",
        "4,000",
        "3,500",
        "Total assets",
        "10,000",
        "9,000",
        "Short-term borrowings",
        "200",
        "—",
        "Current portion of long-term debt",
        "300",
        "250",
        "Total current liabilities",
        "2,500",
        "2,400",
        "Long-term debt",
        "3,000",
        "3,100",
        "Total liabilities",
        "6,000",
        "6,100",
        "Total stockholders’ equity",
        "4,000",
        "2,900",
    };
    DS_REQUIRE(ds_doc_add_table(doc, "", 10, 3, 1, cells, NULL) == DS_OK);
    ds_fact_list l = {0};
    DS_REQUIRE(ds_extract_table_facts(doc, NULL, &l, &err) == DS_OK);
    CHECK_FACT(&l, "cash", "2023-12-31", NULL, "1500500000");
    CHECK_FACT(&l, "cash", "2022-12-31", NULL, "1200000000");
    CHECK_FACT(&l, "total_assets", "2023-12-31", NULL, "10000000000");
    CHECK_FACT(&l, "short_term_borrowings", "2022-12-31", NULL, "0");
    CHECK_FACT(&l, "current_portion_long_term_debt", "2023-12-31", NULL, "300000000");
    CHECK_FACT(&l, "equity", "2022-12-31", NULL, "2900000000");
    CHECK_FACT(&l, "long_term_debt", "2023-12-31", NULL, "3000000000");
    const ds_fact *f = find_fact(&l, "cash", "2023-12-31", NULL);
    if (f) {
        DS_CHECK_STREQ(f->source_extractor, "html_table");
        DS_CHECK(f->page == 0);
        DS_CHECK(f->chunk_seq == -1);
    }
    DS_CHECK(l.n == 18);
    ds_fact_list_free(&l);
    ds_document_free(doc);
}

/* An earnings release's condensed statement: the header row's label cell names the duration
 * in the plural ("Quarters Ended June 30,"), and a column of change prints a percentage on some
 * rows only ("94 %"): the amounts of those rows stand, the change column gives nothing. */
static void test_release_condensed(void)
{
    ds_err err;
    ds_document *doc;
    DS_REQUIRE(ds_document_create(&doc, &err) == DS_OK);
    doc->kind = DS_DOC_KIND_PDF;
    const char *cells[] = {
        "Quarters Ended June 30,",
        "2023",
        "2022",
        "Inc/ (Dec)",
        "",
        "TOTAL REVENUES",
        "6,497.5",
        "5,718.4",
        "779.1",
        "14",
        "OPERATING INCOME",
        "3,104.1",
        "1,711.8",
        "1,392.3",
        "81",
        "NET INCOME",
        "$ 2,310.4",
        "$ 1,188.0",
        "$ 1,122.4",
        "94 %",
    };
    const char *title = "CONDENSED CONSOLIDATED STATEMENT OF INCOME (UNAUDITED)";
    const char *scale = "Dollars and shares in millions, except per share data";
    DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_HEADING, 1, "", title, strlen(title), NULL) == DS_OK);
    DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_PARAGRAPH, 0, "", scale, strlen(scale), NULL) == DS_OK);
    DS_REQUIRE(ds_doc_add_table(doc, "", 4, 5, 1, cells, NULL) == DS_OK);
    ds_fact_list l = {0};
    DS_REQUIRE(ds_extract_table_facts(doc, NULL, &l, &err) == DS_OK);
    CHECK_FACT(&l, "revenue", "2023-06-30", "2023-04-01", "6497500000");
    CHECK_FACT(&l, "operating_income", "2022-06-30", "2022-04-01", "1711800000");
    CHECK_FACT(&l, "net_income", "2023-06-30", "2023-04-01", "2310400000");
    CHECK_FACT(&l, "net_income", "2022-06-30", "2022-04-01", "1188000000");
    for (size_t i = 0; i < l.n; i++)
        DS_CHECK(strcmp(l.v[i].value, "1122400000") != 0 && strcmp(l.v[i].value, "779100000") != 0);
    DS_CHECK(l.n == 6);
    ds_fact_list_free(&l);
    ds_document_free(doc);
}

/* An income statement that names the company's common holders in its bottom line ("Net income
 * attributable to Acme Inc. common shareholders") and repeats that label under "Earnings per
 * common share - basic:" and "- diluted:": the first row is the net income, the repeats are
 * per-share amounts (not scaled to millions) and make no breakdown of it. */
static void test_per_share_sections(void)
{
    ds_err err;
    ds_document *doc;
    DS_REQUIRE(ds_document_create(&doc, &err) == DS_OK);
    doc->kind = DS_DOC_KIND_PDF;
    const char *cells[] = {
        "Year Ended December 31,",
        "2021",
        "2020",
        "Costs and expenses:",
        "",
        "",
        "Cost of sales",
        "30,821",
        "8,484",
        "Net income attributable to Acme Inc. common shareholders",
        "$ 21,979",
        "$ 9,159",
        "Earnings per common share\u2013\u2013basic:",
        "",
        "",
        "Net income attributable to Acme Inc. common shareholders",
        "$ 3.92",
        "$ 1.65",
        "Earnings per common share\u2013\u2013diluted:",
        "",
        "",
        "Net income attributable to Acme Inc. common shareholders",
        "$ 3.85",
        "$ 1.63",
        "Weighted-average shares\u2013\u2013basic",
        "5,601",
        "5,555",
    };
    const char *title = "Consolidated Statements of Income";
    const char *scale = "(MILLIONS, EXCEPT PER COMMON SHARE DATA)";
    DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_HEADING, 1, "", title, strlen(title), NULL) == DS_OK);
    DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_PARAGRAPH, 0, "", scale, strlen(scale), NULL) == DS_OK);
    DS_REQUIRE(ds_doc_add_table(doc, "", 9, 3, 1, cells, NULL) == DS_OK);
    ds_fact_list l = {0};
    DS_REQUIRE(ds_extract_table_facts(doc, NULL, &l, &err) == DS_OK);
    CHECK_FACT(&l, "net_income", "2021-12-31", "2021-01-01", "21979000000");
    CHECK_FACT(&l, "net_income", "2020-12-31", "2020-01-01", "9159000000");
    for (size_t i = 0; i < l.n; i++) {
        if (l.v[i].metric && !strcmp(l.v[i].metric, "net_income"))
            DS_CHECKF(!strcmp(l.v[i].dimensions, "") && strlen(l.v[i].value) > 8, "net income %s [%s]", l.v[i].value,
                      l.v[i].dimensions);
        DS_CHECKF(strcmp(l.v[i].value, "3920000") != 0 && strcmp(l.v[i].value, "3850000") != 0,
                  "a per-share amount scaled to millions: %s", l.v[i].value);
    }
    ds_fact_list_free(&l);
    ds_document_free(doc);
}

/* A quarterly statement: "Three Months Ended" and "Nine Months Ended" spanning two columns
 * each, with HTML-style "$" cells and ")" cells, and billions in the paragraph before. */
static void test_quarterly(void)
{
    ds_err err;
    ds_document *doc;
    DS_REQUIRE(ds_document_create(&doc, &err) == DS_OK);
    doc->kind = DS_DOC_KIND_IXBRL;
    doc->meta.period_end = "2023-09-30";
    const char *p = "The following table presents our results (in billions).";
    DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_PARAGRAPH, 0, "", p, strlen(p), NULL) == DS_OK);
    const char *cells[] = {
        "",
        "Three Months Ended September 30,",
        "",
        "",
        "",
        "",
        "",
        "Nine Months Ended September 30,",
        "",
        "",
        "",
        "",
        "",
        "",
        "2023",
        "",
        "",
        "2022",
        "",
        "",
        "2023",
        "",
        "",
        "2022",
        "Total revenues",
        "$",
        "12.5",
        "",
        "$",
        "10.0",
        "",
        "$",
        "36.1",
        "",
        "$",
        "30",
        "Operating income (loss)",
        "",
        "(1.2",
        ")",
        "",
        "0.8",
        "",
        "",
        "(2",
        ")",
        "",
        "2.4",
    };
    DS_REQUIRE(ds_doc_add_table(doc, "", 4, 12, 2, cells, NULL) == DS_OK);
    ds_fact_list l = {0};
    DS_REQUIRE(ds_extract_table_facts(doc, NULL, &l, &err) == DS_OK);
    CHECK_FACT(&l, "revenue", "2023-09-30", "2023-07-01", "12500000000");
    CHECK_FACT(&l, "revenue", "2022-09-30", "2022-07-01", "10000000000");
    CHECK_FACT(&l, "revenue", "2023-09-30", "2023-01-01", "36100000000");
    CHECK_FACT(&l, "revenue", "2022-09-30", "2022-01-01", "30000000000");
    CHECK_FACT(&l, "operating_income", "2023-09-30", "2023-07-01", "-1200000000");
    CHECK_FACT(&l, "operating_income", "2023-09-30", "2023-01-01", "-2000000000");
    CHECK_FACT(&l, "operating_income", "2022-09-30", "2022-01-01", "2400000000");
    DS_CHECK(l.n == 8);
    ds_fact_list_free(&l);
    ds_document_free(doc);
}

/* Headers with the period phrase per column ("Year Ended December 31, 2023"), a fiscal year
 * from the document's period end, and a table that is not a statement (no facts). */
static void test_other_headers(void)
{
    ds_err err;
    ds_document *doc;
    DS_REQUIRE(ds_document_create(&doc, &err) == DS_OK);
    doc->kind = DS_DOC_KIND_PDF;
    const char *c1[] = {
        "",
        "Year Ended December 31, 2023",
        "Year Ended December 31, 2022",
        "Revenue",
        "5,000",
        "4,000",
        "Net income",
        "500",
        "(100)",
    };
    DS_REQUIRE(ds_doc_add_table(doc, "", 3, 3, 1, c1, NULL) == DS_OK);
    /* a table of contents: numbers but no metric */
    const char *c3[] = {"Item", "Page", "Risk Factors", "12", "Properties", "30"};
    DS_REQUIRE(ds_doc_add_table(doc, "", 3, 2, 1, c3, NULL) == DS_OK);
    /* a table with metrics but no period in its header */
    const char *c4[] = {"Segment", "Amount", "Revenue", "100"};
    DS_REQUIRE(ds_doc_add_table(doc, "", 2, 2, 1, c4, NULL) == DS_OK);
    /* header_rows 0 from the parser: the leading year row is the header */
    const char *c5[] = {"", "2023", "2022", "Total assets", "900", "800"};
    DS_REQUIRE(ds_doc_add_table(doc, "", 2, 3, 0, c5, NULL) == DS_OK);
    ds_fact_list l = {0};
    DS_REQUIRE(ds_extract_table_facts(doc, NULL, &l, &err) == DS_OK);
    CHECK_FACT(&l, "revenue", "2023-12-31", "2023-01-01", "5000");
    CHECK_FACT(&l, "net_income", "2022-12-31", "2022-01-01", "-100");
    CHECK_FACT(&l, "total_assets", "2023-12-31", NULL, "900");
    DS_CHECKF(l.n == 6, "%zu facts", l.n);
    const ds_fact *f = find_fact(&l, "revenue", "2023-12-31", "2023-01-01");
    if (f) {
        DS_CHECK(f->unit == NULL); /* no currency anywhere: none made up */
        DS_CHECK_STREQ(f->decimals, "0");
    }
    ds_fact_list_free(&l);
    ds_document_free(doc);
}

/* A bare year takes the fiscal year end of the document's period end (June here). */
static void test_fiscal_year_from_meta(void)
{
    ds_err err;
    ds_document *doc;
    DS_REQUIRE(ds_document_create(&doc, &err) == DS_OK);
    doc->meta.period_end = "2023-06-30";
    const char *c2[] = {
        "", "Fiscal 2023", "Fiscal 2022", "Net revenues", "7,000", "6,000",
    };
    DS_REQUIRE(ds_doc_add_table(doc, "", 2, 3, 1, c2, NULL) == DS_OK);
    ds_fact_list l = {0};
    DS_REQUIRE(ds_extract_table_facts(doc, NULL, &l, &err) == DS_OK);
    CHECK_FACT(&l, "revenue", "2023-06-30", "2022-07-01", "7000");
    CHECK_FACT(&l, "revenue", "2022-06-30", "2021-07-01", "6000");
    DS_CHECK(l.n == 2);
    ds_fact_list_free(&l);
    ds_document_free(doc);
}

/* 52/53-week years: a table stating "December 2, 2022" and "December 3, 2021" teaches the
 * fiscal year ends that a later "2022 | 2021" table uses; "Term debt" is current or long-term
 * by its section, and "Total current liabilities" closes the current section. */
static void test_learnt_year_ends_and_debt(void)
{
    ds_err err;
    ds_document *doc;
    DS_REQUIRE(ds_document_create(&doc, &err) == DS_OK);
    doc->kind = DS_DOC_KIND_PDF;
    const char *p = "(In millions, except number of shares which are reflected in thousands and per share amounts)";
    DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_PARAGRAPH, 0, "", p, strlen(p), NULL) == DS_OK);
    const char *is[] = {
        "",
        "Years Ended",
        "",
        "",
        "December 2, 2022",
        "December 3, 2021",
        "Total revenue",
        "17,606",
        "15,785",
        "Shares used in computing earnings per share:",
        "",
        "",
        "Basic",
        "469,530",
        "477,480",
        "Earnings per share:",
        "",
        "",
        "Basic",
        "10.13",
        "10.10",
    };
    DS_REQUIRE(ds_doc_add_table(doc, "", 7, 3, 2, is, NULL) == DS_OK);
    DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_HEADING, 2, "", "Balance sheets (in millions)", 28, NULL) == DS_OK);
    const char *bs[] = {
        "",
        "2022",
        "2021",
        "Current liabilities:",
        "",
        "",
        "Term debt",
        "7,216",
        "11,128",
        "Total current liabilities",
        "8,128",
        "6,932",
        "Long-term debt",
        "3,629",
        "4,123",
        "Non-current liabilities:",
        "",
        "",
        "Term debt",
        "98,071",
        "98,959",
    };
    DS_REQUIRE(ds_doc_add_table(doc, "", 7, 3, 1, bs, NULL) == DS_OK);
    ds_fact_list l = {0};
    DS_REQUIRE(ds_extract_table_facts(doc, NULL, &l, &err) == DS_OK);
    /* fiscal 2022 starts the day after fiscal 2021 ended; fiscal 2021 after the Friday nearest
     * November 30, 2020 (a 52/53-week calendar: both ends are Fridays 364 days apart) */
    CHECK_FACT(&l, "revenue", "2022-12-02", "2021-12-04", "17606000000");
    CHECK_FACT(&l, "revenue", "2021-12-03", "2020-11-28", "15785000000");
    CHECK_FACT(&l, "eps_basic", "2022-12-02", "2021-12-04", "10.13");
    CHECK_FACT(&l, "shares used in computing earnings per share: Basic", "2022-12-02", "2021-12-04", "469530000");
    CHECK_FACT(&l, "current_portion_long_term_debt", "2022-12-02", NULL, "7216000000");
    CHECK_FACT(&l, "current_portion_long_term_debt", "2021-12-03", NULL, "11128000000");
    CHECK_FACT(&l, "current_liabilities", "2021-12-03", NULL, "6932000000");
    const ds_fact *f = find_fact(&l, "shares used in computing earnings per share: Basic", "2022-12-02", "2021-12-04");
    if (f) {
        DS_CHECK(f->metric == NULL);
        DS_CHECK_STREQ(f->unit, "shares");
    }
    /* "Long-term debt" after "Total current liabilities" is long-term, and both debt rows kept */
    size_t ltd = 0, term = 0;
    for (size_t i = 0; i < l.n; i++)
        if (l.v[i].metric && !strcmp(l.v[i].metric, "long_term_debt") && !strcmp(l.v[i].period_end, "2022-12-02")) {
            ltd++;
            term += !strcmp(l.v[i].value, "98071000000") && !strcmp(l.v[i].concept, "Term debt");
        }
    DS_CHECK(ltd == 2 && term == 1);
    for (size_t i = 0; i < l.n; i++)
        DS_CHECK_STREQ(l.v[i].dimensions, "");
    ds_fact_list_free(&l);
    ds_document_free(doc);
}

/* Breakdowns are not the consolidated figure: labels repeated under sections, tables under a
 * segment heading. Comparison columns ("2015 vs. 2014", "%") and columns all dated alike (a
 * fair-value table) give no facts. */
static void test_breakdowns(void)
{
    ds_err err;
    ds_document *doc;
    DS_REQUIRE(ds_document_create(&doc, &err) == DS_OK);
    const char *seg[] = {
        "(in millions)", "2023", "2022", "Americas:", "",    "",    "Net sales",       "$ 350", "$ 370",
        "Europe:",       "",     "",     "Net sales", "200", "190", "Total net sales", "550",   "560",
    };
    DS_REQUIRE(ds_doc_add_table(doc, "", 6, 3, 1, seg, NULL) == DS_OK);
    DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_HEADING, 3, "", "Domestic Streaming Segment", 26, NULL) == DS_OK);
    const char *dom[] = {
        "",         "Year Ended December 31,",
        "",         "",
        "Change",   "",
        "",         "2015",
        "2014",     "2015 vs. 2014",
        "",         "",
        "Revenues", "$ 4,180",
        "$ 3,431",  "$ 749",
        "22%",      "",
    };
    DS_REQUIRE(ds_doc_add_table(doc, "", 3, 6, 2, dom, NULL) == DS_OK);
    const char *fv[] = {
        "",
        "July 1, 2023",
        "July 1, 2023",
        "July 1, 2023",
        "Commercial paper",
        "364",
        "—",
        "364",
        "Total revenues",
        "1",
        "2",
        "3",
    };
    DS_REQUIRE(ds_doc_add_table(doc, "", 3, 4, 1, fv, NULL) == DS_OK);
    ds_fact_list l = {0};
    DS_REQUIRE(ds_extract_table_facts(doc, NULL, &l, &err) == DS_OK);
    size_t americas = 0, consolidated = 0, segment = 0;
    for (size_t i = 0; i < l.n; i++) {
        const ds_fact *f = &l.v[i];
        DS_CHECK(strcmp(f->period_end, "2023-07-01") != 0);
        DS_CHECK(strcmp(f->value, "749000000") != 0);
        if (!strcmp(f->dimensions, "section=americas"))
            americas++;
        if (!strcmp(f->dimensions, "segment=domestic streaming segment"))
            segment++;
        if (!*f->dimensions) {
            consolidated++;
            DS_CHECK_STREQ(f->concept, "Total net sales");
        }
    }
    DS_CHECK(americas == 2);
    DS_CHECK(segment == 2);
    DS_CHECK(consolidated == 2);
    DS_CHECK(l.n == 8);
    ds_fact_list_free(&l);
    ds_document_free(doc);
}

/* ---- verification ------------------------------------------------------------------------ */

/* A statement-table fact of a metric: table seq, row offset. */
static ds_fact mkt(const char *metric, const char *label, const char *value, const char *start, const char *end,
                   int table, size_t off)
{
    ds_fact f = mk(label, value, start, end, "", "pdf_table", off);
    f.metric = metric;
    f.table_seq = table;
    f.statement_score = 10;
    return f;
}

static const char *status_of_off(const ds_fact_list *l, size_t off)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].byte_off == off)
            return l->v[i].verification;
    return "(none)";
}

static void test_verify(void)
{
    ds_fact_list l = {0};
    ds_err err;
    const char *y0 = "2023-01-01", *y1 = "2023-12-31";
    /* table 1: a balance sheet that adds up; table 2: another statement's total assets, and
     * liabilities and equity of table 3 that would add up to it across tables */
    ds_fact f[] = {
        mkt("total_assets", "Total assets", "100", NULL, y1, 1, 10),
        mkt("total_liabilities", "Total liabilities", "60", NULL, y1, 1, 11),
        mkt("equity", "Total equity", "40", NULL, y1, 1, 12),
        mkt("total_assets", "Total assets", "90", NULL, y1, 2, 20),
        mkt("total_liabilities", "Total liabilities", "50", NULL, y1, 3, 30),
        mkt("equity", "Total equity", "40.5", NULL, y1, 3, 31),
        /* table 4: a balance sheet whose lines disagree */
        mkt("total_assets", "Total assets", "70", NULL, y1, 4, 40),
        mkt("total_liabilities", "Total liabilities", "30", NULL, y1, 4, 41),
        mkt("equity", "Total equity", "20", NULL, y1, 4, 42),
        /* net income twice in one table (no minority interests): not a second printing */
        mkt("net_income", "Net income", "7", y0, y1, 5, 50),
        mkt("net_income", "Net income attributable to X", "7", y0, y1, 5, 51),
        /* the same value in two tables: verified */
        mkt("net_income", "Net income", "8", y0, y1, 6, 60),
        mkt("net_income", "Net income", "8", y0, y1, 7, 70),
        /* a total assets in conflict with its own statement stays a conflict when printed again */
        mkt("total_assets", "Total assets", "70", NULL, y1, 8, 80),
        /* a closed group's statement (dimensions): verifies nothing */
        mkt("total_assets", "Total assets", "55", NULL, y1, 9, 90),
        mkt("total_liabilities", "Total liabilities", "5", NULL, y1, 9, 91),
        mkt("equity", "Total equity", "50", NULL, y1, 9, 92),
    };
    for (size_t i = 14; i < 17; i++)
        f[i].dimensions = "entity=deed of cross guarantee";
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        DS_REQUIRE(ds_fact_list_push(&l, &f[i]) == DS_OK);
    DS_REQUIRE(ds_facts_verify(&l, &err) == DS_OK);
    DS_CHECK_STREQ(status_of_off(&l, 10), "verified");
    DS_CHECK_STREQ(status_of_off(&l, 11), "verified");
    DS_CHECK_STREQ(status_of_off(&l, 12), "verified");
    DS_CHECK_STREQ(status_of_off(&l, 20), "unverified"); /* never against another table's lines */
    DS_CHECK_STREQ(status_of_off(&l, 30), "unverified");
    DS_CHECK_STREQ(status_of_off(&l, 31), "unverified");
    DS_CHECK_STREQ(status_of_off(&l, 40), "conflict");
    DS_CHECK_STREQ(status_of_off(&l, 42), "conflict");
    DS_CHECK_STREQ(status_of_off(&l, 50), "unverified");
    DS_CHECK_STREQ(status_of_off(&l, 51), "unverified");
    DS_CHECK_STREQ(status_of_off(&l, 60), "verified");
    DS_CHECK_STREQ(status_of_off(&l, 70), "verified");
    for (size_t i = 0; i < l.n; i++)
        if (l.v[i].byte_off == 60)
            DS_CHECK_STREQ(l.v[i].verification_check, "net_income_two_statements");
    DS_CHECK_STREQ(status_of_off(&l, 80), "unverified"); /* its twin at 40 is a conflict */
    DS_CHECK_STREQ(status_of_off(&l, 90), "unverified");
    DS_CHECK_STREQ(status_of_off(&l, 92), "unverified");
    /* XBRL facts are reported */
    l.n = 0;
    ds_fact x = mk("us-gaap:Assets", "100", NULL, y1, "", "ixbrl", 5);
    DS_REQUIRE(ds_fact_list_push(&l, &x) == DS_OK);
    DS_REQUIRE(ds_facts_verify(&l, &err) == DS_OK);
    DS_CHECK_STREQ(l.v[0].verification, "reported");
    /* resolve: the statement's copy of a figure an MD&A table repeats stays, and then competes
     * with the statement's other lines: net income attributable to the company wins */
    l.n = 0;
    ds_fact mdna = mkt("net_income", "Net income attributable to X", "1048", y0, y1, 1, 100);
    mdna.statement_score = 14;
    ds_fact total = mkt("net_income", "Net income", "1058", y0, y1, 2, 200);
    ds_fact attr = mkt("net_income", "Net income attributable to X", "1048", y0, y1, 2, 201);
    total.statement_score = attr.statement_score = 22;
    DS_REQUIRE(ds_fact_list_push(&l, &mdna) == DS_OK && ds_fact_list_push(&l, &total) == DS_OK &&
               ds_fact_list_push(&l, &attr) == DS_OK);
    DS_REQUIRE(ds_facts_resolve(&l, NULL, &err) == DS_OK);
    DS_REQUIRE(l.n == 2);
    DS_CHECK(l.v[0].byte_off == 200 && l.v[0].metric == NULL);
    DS_CHECK(l.v[1].byte_off == 201 && l.v[1].metric && !strcmp(l.v[1].metric, "net_income"));
    ds_fact_list_free(&l);
}

/* A balance sheet whose equity section the PDF splits off after "Commitments and
 * contingencies" (a table with no header of its own), and a closed group's balance sheet under
 * a "Deed of Cross Guarantee" title: the first is one statement that adds up, the second is not
 * the company's. */
static void test_statement_parts(void)
{
    ds_err err;
    ds_document *doc;
    DS_REQUIRE(ds_document_create(&doc, &err) == DS_OK);
    doc->kind = DS_DOC_KIND_PDF;
    DS_REQUIRE(ds_doc_begin_page(doc) == DS_OK);
    DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_HEADING, 3, "", "Consolidated Balance Sheets", 27, NULL) == DS_OK);
    const char *p = "($ in millions)";
    DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_PARAGRAPH, 0, "", p, strlen(p), NULL) == DS_OK);
    const char *bs[] = {
        "As of June 30,", "2023",     "2022",     "Cash and cash equivalents", "$ 689",    "$ 775",
        "Total assets",   "$ 17,003", "$ 17,426", "Total liabilities",         "$ 12,913", "$ 13,285",
    };
    DS_REQUIRE(ds_doc_add_table(doc, "", 4, 3, 1, bs, NULL) == DS_OK);
    p = "Commitments and contingencies (See Note 20)";
    DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_PARAGRAPH, 0, "", p, strlen(p), NULL) == DS_OK);
    p = "Shareholders' Equity";
    DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_PARAGRAPH, 0, "", p, strlen(p), NULL) == DS_OK);
    const char *eq[] = {
        "Retained earnings",
        "865",
        "534",
        "Total shareholders' equity",
        "4,090",
        "4,141",
        "Total liabilities and shareholders' equity",
        "$ 17,003",
        "$ 17,426",
    };
    DS_REQUIRE(ds_doc_add_table(doc, "", 3, 3, 0, eq, NULL) == DS_OK);
    DS_REQUIRE(ds_doc_begin_page(doc) == DS_OK);
    DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_HEADING, 3, "", "Deed of Cross Guarantee", 23, NULL) == DS_OK);
    DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_HEADING, 3, "", "Consolidated Balance Sheets", 27, NULL) == DS_OK);
    p = "($ in millions)";
    DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_PARAGRAPH, 0, "", p, strlen(p), NULL) == DS_OK);
    const char *cg[] = {
        "As of June 30,",
        "2023",
        "2022",
        "Total assets",
        "$ 13,952",
        "$ 15,051",
        "Total liabilities",
        "1,147",
        "1,596",
        "Total shareholders' equity",
        "12,805",
        "13,455",
    };
    DS_REQUIRE(ds_doc_add_table(doc, "", 4, 3, 1, cg, NULL) == DS_OK);
    ds_fact_list l = {0};
    DS_REQUIRE(ds_extract_table_facts(doc, NULL, &l, &err) == DS_OK);
    DS_REQUIRE(ds_facts_verify(&l, &err) == DS_OK);
    size_t consolidated_equity = 0, group = 0;
    for (size_t i = 0; i < l.n; i++) {
        const ds_fact *f = &l.v[i];
        if (f->metric && !strcmp(f->metric, "equity") && !*f->dimensions) {
            consolidated_equity++;
            DS_CHECK(!strcmp(f->value, "4090000000") || !strcmp(f->value, "4141000000"));
            DS_CHECK_STREQ(f->verification, "verified");
            DS_CHECK_STREQ(f->verification_check, "balance_sheet");
        }
        if (f->metric && !strcmp(f->metric, "total_assets") && !*f->dimensions)
            DS_CHECK_STREQ(f->verification, "verified");
        if (!strcmp(f->dimensions, "entity=deed of cross guarantee")) {
            group++;
            DS_CHECK_STREQ(f->verification, "unverified");
        }
    }
    DS_CHECK(consolidated_equity == 2);
    DS_CHECK(group == 6);
    ds_fact_list_free(&l);
    ds_document_free(doc);
}

/* Header layouts seen in filings: a parser header naming no year over a row of years; the
 * durations of column groups in the line above the table; a line of dates above a headerless
 * table; a table of percentages of revenue; "Percent to Sales" columns beside the amounts; a
 * year named alone whose fiscal year ends in the first week of January. */
static void test_header_layouts(void)
{
    ds_err err;
    ds_document *doc;
    DS_REQUIRE(ds_document_create(&doc, &err) == DS_OK);
    doc->kind = DS_DOC_KIND_PDF;
    doc->meta.period_end = "2023-06-30";
    const char *p = "Three Months Ended June 30, Twelve Months Ended June 30,";
    DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_PARAGRAPH, 0, "", p, strlen(p), NULL) == DS_OK);
    const char *grp[] = {
        "($ million)", "2022", "2023", "2022", "2023", "Net sales", "3,909", "3,673", "14,544", "14,694",
    };
    DS_REQUIRE(ds_doc_add_table(doc, "", 2, 5, 1, grp, NULL) == DS_OK);
    p = "Condensed Consolidated Balance Sheets (in millions)";
    DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_HEADING, 3, "", p, strlen(p), NULL) == DS_OK);
    p = "July 31, 2023 January 31, 2023";
    DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_PARAGRAPH, 0, "", p, strlen(p), NULL) == DS_OK);
    p = "Assets (unaudited) Current assets:";
    DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_PARAGRAPH, 0, "", p, strlen(p), NULL) == DS_OK);
    const char *bs[] = {"Total current assets", "21,138", "26,395", "Total assets", "$ 92,447", "$ 98,849"};
    DS_REQUIRE(ds_doc_add_table(doc, "", 2, 3, 0, bs, NULL) == DS_OK);
    p = "Condensed Consolidated Statements of Operations (As a percentage of total revenues)";
    DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_PARAGRAPH, 0, "", p, strlen(p), NULL) == DS_OK);
    p = "Three Months Ended July 31, Six Months Ended July 31,";
    DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_PARAGRAPH, 0, "", p, strlen(p), NULL) == DS_OK);
    const char *pct[] = {
        "", "2023", "2022", "2023", "2022", "Total revenues", "100", "100", "100", "100",
    };
    DS_REQUIRE(ds_doc_add_table(doc, "", 2, 5, 1, pct, NULL) == DS_OK);
    p = "(Unaudited; in Millions Except Per Share Figures) SECOND QUARTER";
    DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_PARAGRAPH, 0, "", p, strlen(p), NULL) == DS_OK);
    const char *ps[] = {
        "",
        "2023",
        "",
        "2022",
        "",
        "Percent",
        "",
        "",
        "Percent",
        "",
        "Percent",
        "Increase",
        "",
        "Amount",
        "to Sales",
        "Amount",
        "to Sales",
        "(Decrease)",
        "Sales to customers",
        "$ 25,530",
        "100.0",
        "$ 24,020",
        "100.0",
        "6.3",
    };
    DS_REQUIRE(ds_doc_add_table(doc, "", 4, 6, 3, ps, NULL) == DS_OK);
    ds_fact_list l = {0};
    DS_REQUIRE(ds_extract_table_facts(doc, NULL, &l, &err) == DS_OK);
    CHECK_FACT(&l, "revenue", "2023-06-30", "2023-04-01", "3673000000");
    CHECK_FACT(&l, "revenue", "2022-06-30", "2022-04-01", "3909000000");
    CHECK_FACT(&l, "revenue", "2023-06-30", "2022-07-01", "14694000000");
    CHECK_FACT(&l, "total_assets", "2023-07-31", NULL, "92447000000");
    CHECK_FACT(&l, "total_assets", "2023-01-31", NULL, "98849000000");
    size_t quarter_2023 = 0;
    for (size_t i = 0; i < l.n; i++) {
        DS_CHECKF(strcmp(l.v[i].value, "100") != 0, "a percentage read as an amount on %s", l.v[i].period_end);
        if (!strcmp(l.v[i].concept, "Sales to customers")) {
            DS_CHECK(!strcmp(l.v[i].value, "25530000000") || !strcmp(l.v[i].value, "24020000000"));
            quarter_2023 += !strcmp(l.v[i].value, "25530000000") && !strcmp(l.v[i].period_end, "2023-06-30");
        }
    }
    DS_CHECK(quarter_2023 == 1);
    CHECK_FACT(&l, "Sales to customers", "2022-06-30", "2022-04-01", "24020000000");
    ds_fact_list_free(&l);
    ds_document_free(doc);

    /* a parser's header without a year over the row of years */
    DS_REQUIRE(ds_document_create(&doc, &err) == DS_OK);
    DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_HEADING, 3, "", "Consolidated Statements of Operations", 37, NULL) ==
               DS_OK);
    const char *is[] = {
        "",
        "",
        "For the Years Ended December 31,",
        "",
        "In millions, except per share amounts",
        "2022",
        "2021",
        "2020",
        "Total revenues",
        "$ 322,467",
        "$ 292,111",
        "$ 268,706",
    };
    DS_REQUIRE(ds_doc_add_table(doc, "", 3, 4, 1, is, NULL) == DS_OK);
    memset(&l, 0, sizeof l);
    DS_REQUIRE(ds_extract_table_facts(doc, NULL, &l, &err) == DS_OK);
    CHECK_FACT(&l, "revenue", "2022-12-31", "2022-01-01", "322467000000");
    CHECK_FACT(&l, "revenue", "2020-12-31", "2020-01-01", "268706000000");
    DS_CHECK(l.n == 3);
    ds_fact_list_free(&l);
    ds_document_free(doc);

    /* a fiscal year ending January 1 is named by the year before */
    DS_REQUIRE(ds_document_create(&doc, &err) == DS_OK);
    doc->meta.period_end = "2023-01-01";
    p = "(Dollars in Millions Except Share and Per Share Amounts)";
    DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_PARAGRAPH, 0, "", p, strlen(p), NULL) == DS_OK);
    const char *jan[] = {"", "2022", "2021", "Total assets", "187,378", "182,018"};
    DS_REQUIRE(ds_doc_add_table(doc, "", 2, 3, 1, jan, NULL) == DS_OK);
    memset(&l, 0, sizeof l);
    DS_REQUIRE(ds_extract_table_facts(doc, NULL, &l, &err) == DS_OK);
    CHECK_FACT(&l, "total_assets", "2023-01-01", NULL, "187378000000");
    CHECK_FACT(&l, "total_assets", "2022-01-01", NULL, "182018000000");
    ds_fact_list_free(&l);
    ds_document_free(doc);
}

/* The cash flow statement's net income (consolidated, before noncontrolling interests) does not
 * outrank the income statement's net income attributable to the company; an equity-method
 * investee's statements, introduced by a sentence and printed back to back, are the
 * investee's. */
static void test_statement_roles(void)
{
    ds_err err;
    ds_document *doc;
    DS_REQUIRE(ds_document_create(&doc, &err) == DS_OK);
    doc->kind = DS_DOC_KIND_PDF;
    DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_HEADING, 3, "", "Consolidated Statements of Operations", 37, NULL) ==
               DS_OK);
    const char *is[] = {
        "Years ended December 31,",
        "2022",
        "2021",
        "Total revenues",
        "66,608",
        "62,286",
        "Net loss",
        "(5,053)",
        "(4,290)",
        "Net loss attributable to the Shareholders",
        "(4,935)",
        "(4,202)",
    };
    DS_REQUIRE(ds_doc_add_table(doc, "", 4, 3, 1, is, NULL) == DS_OK);
    DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_HEADING, 3, "", "Consolidated Statements of Cash Flows", 37, NULL) ==
               DS_OK);
    const char *cf[] = {
        "Years ended December 31,",
        "2022",
        "2021",
        "Net loss",
        "(5,053)",
        "(4,290)",
        "Depreciation and amortization",
        "1,979",
        "2,144",
        "Net cash provided/(used) by operating activities",
        "3,512",
        "(3,416)",
        "Payments for property, plant and equipment",
        "(1,222)",
        "(980)",
        "Capital expenditures",
        "(1,222)",
        "(980)",
        "Cash and cash equivalents at end of year",
        "14,647",
        "8,052",
    };
    DS_REQUIRE(ds_doc_add_table(doc, "", 7, 3, 1, cf, NULL) == DS_OK);
    const char *p = "Summarized financial information for our equity method investee, as of December 31, 2021 and "
                    "2020 and for the years ending December 31, 2021, 2020 and 2019 is as follows:";
    DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_PARAGRAPH, 0, "", p, strlen(p), NULL) == DS_OK);
    const char *ib[] = {"", "As of December 31,", "", "(MILLIONS)", "2022", "2021", "Total assets", "7,171", "6,664"};
    DS_REQUIRE(ds_doc_add_table(doc, "", 3, 3, 1, ib, NULL) == DS_OK);
    const char *ii[] = {"",     "Year Ended December 31,", "", "(MILLIONS)", "2022", "2021", "Net income", "2,040",
                        "2,012"};
    DS_REQUIRE(ds_doc_add_table(doc, "", 3, 3, 1, ii, NULL) == DS_OK);
    ds_fact_list l = {0};
    DS_REQUIRE(ds_extract_table_facts(doc, NULL, &l, &err) == DS_OK);
    DS_REQUIRE(ds_facts_resolve(&l, NULL, &err) == DS_OK);
    size_t ni = 0, investee = 0;
    for (size_t i = 0; i < l.n; i++) {
        const ds_fact *f = &l.v[i];
        if (f->metric && !strcmp(f->metric, "net_income") && !*f->dimensions && !strcmp(f->period_end, "2022-12-31")) {
            ni++;
            DS_CHECK_STREQ(f->value, "-4935");
        }
        if (!strncmp(f->dimensions, "entity=", 7))
            investee++;
        else
            DS_CHECK(strcmp(f->value, "2040000000") && strcmp(f->value, "7171000000"));
    }
    DS_CHECK(ni == 1);
    DS_CHECKF(investee == 4, "%zu investee facts", investee);
    CHECK_FACT(&l, "operating_cash_flow", "2022-12-31", "2022-01-01", "3512");
    ds_fact_list_free(&l);
    ds_document_free(doc);
}

int main(void)
{
    test_dates();
    test_fiscal_periods();
    test_metric_maps();
    test_resolve();
    test_income_statement();
    test_balance_sheet();
    test_release_condensed();
    test_per_share_sections();
    test_quarterly();
    test_other_headers();
    test_fiscal_year_from_meta();
    test_learnt_year_ends_and_debt();
    test_breakdowns();
    test_verify();
    test_statement_parts();
    test_header_layouts();
    test_statement_roles();
    return ds_test_done();
}
