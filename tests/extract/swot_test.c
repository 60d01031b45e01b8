/* swot_test.c - the SWOT rules backend: every metric rule firing on figures built to cross its
 * threshold and staying quiet below it or when an input is missing (no division by zero), XBRL
 * preferred over table facts, and every text rule firing on a factual sentence but not on a
 * hypothetical, negated or definitional one; quotes found verbatim in their chunk; the rule list
 * in extract/swot_rules.md matches the code. */
#include "testlib.h"

#include "extract/entities.h"
#include "extract/swot.h"
#include "pipeline/cli.h"
#include "pipeline/core/buf.h"

#include <fcntl.h>
#include <getopt.h>
#include <unistd.h>

static size_t count4(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    (void)s;
    return (n + 3) / 4;
}

static void add(ds_fact_list *l, const char *metric, const char *value, const char *start, const char *end,
                const char *src)
{
    ds_fact f = {0};
    f.concept = metric;
    f.metric = metric;
    f.value = value;
    f.unit = "USD";
    f.period_start = start;
    f.period_end = end;
    f.dimensions = "";
    f.source_extractor = src;
    f.page = 3;
    f.chunk_seq = -1;
    f.byte_off = SIZE_MAX;
    DS_REQUIRE(ds_fact_list_push(l, &f) == DS_OK);
}

#define FY23 "2023-01-01", "2023-12-31"
#define FY22 "2022-01-01", "2022-12-31"
#define AT23 NULL, "2023-12-31"

static const ds_swot_item *item(const ds_swot_list *l, const char *rule)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].rule_id, rule) == 0)
            return &l->v[i];
    return NULL;
}

/* The rules fired are exactly the ones listed. */
static void expect_rules(const ds_swot_list *l, const char *const *want)
{
    size_t n = 0;
    for (; want[n]; n++)
        DS_CHECKF(item(l, want[n]) != NULL, "rule %s did not fire", want[n]);
    DS_CHECKF(l->n == n, "%zu items, want %zu", l->n, n);
    if (l->n != n)
        for (size_t i = 0; i < l->n; i++)
            fprintf(stderr, "  fired %s: %s\n", l->v[i].rule_id, l->v[i].statement);
}

static void run(ds_document *doc, const ds_fact_list *facts, ds_swot_list *out)
{
    ds_err err;
    out->n = 0;
    DS_REQUIRE(ds_swot_rules_apply(doc, NULL, facts, out, &err) == DS_OK);
}

static void test_metrics_fire(void)
{
    ds_err err;
    ds_document *doc;
    DS_REQUIRE(ds_document_create(&doc, &err) == DS_OK);
    ds_fact_list f = {0};
    add(&f, "revenue", "1200", FY23, "ixbrl");
    add(&f, "revenue", "9999", FY23, "pdf_table"); /* a table figure loses to XBRL */
    add(&f, "revenue", "1000", FY22, "ixbrl");
    add(&f, "operating_income", "240", FY23, "ixbrl");
    add(&f, "operating_income", "150", FY22, "ixbrl");
    add(&f, "net_income", "150", FY23, "ixbrl");
    add(&f, "interest_expense", "150", FY23, "ixbrl");
    add(&f, "depreciation_amortization", "60", FY23, "ixbrl");
    add(&f, "operating_cash_flow", "50", FY23, "ixbrl");
    add(&f, "short_term_borrowings", "100", AT23, "ixbrl");
    add(&f, "current_portion_long_term_debt", "200", AT23, "ixbrl");
    add(&f, "long_term_debt", "1100", AT23, "ixbrl");
    add(&f, "equity", "600", AT23, "ixbrl");
    add(&f, "current_assets", "500", AT23, "ixbrl");
    add(&f, "current_liabilities", "600", AT23, "ixbrl");
    ds_fact seg = f.v[0];
    seg.value = "1";
    seg.dimensions = "srt:SegmentAxis=x:AMember"; /* a segment figure is never used */
    DS_REQUIRE(ds_fact_list_push(&f, &seg) == DS_OK);
    ds_swot_list l = {0};
    run(doc, &f, &l);
    expect_rules(&l, (const char *const[]){"SWOT-GRW-01", "SWOT-MAR-01", "SWOT-MAR-05", "SWOT-MAR-03", "SWOT-COV-01",
                                           "SWOT-LEV-02", "SWOT-LEV-01", "SWOT-LIQ-01", NULL});
    const ds_swot_item *g = item(&l, "SWOT-GRW-01");
    if (g) {
        DS_CHECK(g->category == DS_SWOT_STRENGTH);
        DS_CHECK_STREQ(g->statement,
                       "Revenue grew 20.0% year over year, from 1,000 to 1,200 (fiscal year ended 2023-12-31).");
        DS_CHECK(strstr(g->evidence, "\"value\":\"1200\"") && strstr(g->evidence, "\"value\":\"1000\""));
        DS_CHECK(strstr(g->evidence, "\"ratio\":\"revenue_yoy_growth\",\"value\":0.2000") != NULL);
        DS_CHECK(strstr(g->evidence, "9999") == NULL);
        DS_CHECK(g->page == 3 && g->quote == NULL);
        DS_CHECK_STREQ(g->source_extractor, "rules");
    }
    const ds_swot_item *lev = item(&l, "SWOT-LEV-02");
    if (lev) {
        DS_CHECK(lev->category == DS_SWOT_THREAT);
        DS_CHECK_STREQ(lev->statement, "Debt of 4.67 times EBITDA (fiscal year ended 2023-12-31).");
    }
    const ds_swot_item *de = item(&l, "SWOT-LEV-01");
    if (de)
        DS_CHECK(strstr(de->evidence, "\"ratio\":\"debt_to_equity\",\"value\":2.3333") != NULL);
    const ds_swot_item *cov = item(&l, "SWOT-COV-01");
    if (cov)
        DS_CHECK(strstr(cov->evidence, "\"value\":1.6000") != NULL);
    const ds_swot_item *cr = item(&l, "SWOT-LIQ-01");
    if (cr)
        DS_CHECK_STREQ(cr->statement,
                       "Current ratio of 0.83: current liabilities exceed current assets (at 2023-12-31).");
    ds_swot_list_free(&l);
    ds_fact_list_free(&f);
    ds_document_free(doc);
}

static void test_metrics_weak(void)
{
    ds_err err;
    ds_document *doc;
    DS_REQUIRE(ds_document_create(&doc, &err) == DS_OK);
    ds_fact_list f = {0};
    add(&f, "revenue", "900", FY23, "pdf_table");
    add(&f, "revenue", "1000", FY22, "pdf_table");
    add(&f, "operating_income", "-45", FY23, "pdf_table");
    add(&f, "operating_income", "50", FY22, "pdf_table");
    add(&f, "net_income", "-80", FY23, "pdf_table");
    add(&f, "operating_cash_flow", "-20", FY23, "pdf_table");
    add(&f, "equity", "-10", AT23, "pdf_table");
    add(&f, "long_term_debt", "300", AT23, "pdf_table");
    add(&f, "current_assets", "250", AT23, "pdf_table");
    add(&f, "current_liabilities", "100", AT23, "pdf_table");
    ds_swot_list l = {0};
    run(doc, &f, &l);
    expect_rules(&l, (const char *const[]){"SWOT-GRW-02", "SWOT-MAR-02", "SWOT-MAR-06", "SWOT-MAR-04", "SWOT-LIQ-03",
                                           "SWOT-LIQ-02", "SWOT-LEV-03", NULL});
    const ds_swot_item *g = item(&l, "SWOT-GRW-02");
    if (g)
        DS_CHECK_STREQ(g->statement,
                       "Revenue fell 10.0% year over year, from 1,000 to 900 (fiscal year ended 2023-12-31).");
    const ds_swot_item *m = item(&l, "SWOT-MAR-04");
    if (m)
        DS_CHECK_STREQ(m->statement, "Net loss of 80 (fiscal year ended 2023-12-31).");
    ds_swot_list_free(&l);
    ds_fact_list_free(&f);
    ds_document_free(doc);
}

static void test_metrics_quiet(void)
{
    ds_err err;
    ds_document *doc;
    DS_REQUIRE(ds_document_create(&doc, &err) == DS_OK);
    ds_fact_list f = {0};
    /* just under every threshold */
    add(&f, "revenue", "1099", FY23, "ixbrl");
    add(&f, "revenue", "1000", FY22, "ixbrl");
    add(&f, "operating_income", "131.85", FY23, "ixbrl"); /* 12.0%, was 11.0%: +1 pp */
    add(&f, "operating_income", "110", FY22, "ixbrl");
    add(&f, "net_income", "109", FY23, "ixbrl");     /* 9.9% */
    add(&f, "interest_expense", "0", FY23, "ixbrl"); /* no coverage ratio, no division by zero */
    add(&f, "long_term_debt", "1000", AT23, "ixbrl");
    add(&f, "equity", "500", AT23, "ixbrl"); /* D/E exactly 2 */
    add(&f, "current_assets", "200", AT23, "ixbrl");
    add(&f, "current_liabilities", "100", AT23, "ixbrl"); /* exactly 2 */
    ds_swot_list l = {0};
    run(doc, &f, &l);
    expect_rules(&l, (const char *const[]){NULL});
    /* missing inputs: no D&A (no EBITDA), no current liabilities, no prior year */
    ds_fact_list g = {0};
    add(&g, "revenue", "1000", FY23, "ixbrl");
    add(&g, "operating_income", "10", FY23, "ixbrl");
    add(&g, "long_term_debt", "5000", AT23, "ixbrl");
    add(&g, "current_assets", "200", AT23, "ixbrl");
    add(&g, "current_liabilities", "0", AT23, "ixbrl");
    run(doc, &g, &l);
    expect_rules(&l, (const char *const[]){NULL});
    /* nothing at all */
    run(doc, NULL, &l);
    expect_rules(&l, (const char *const[]){NULL});
    ds_swot_list_free(&l);
    ds_fact_list_free(&f);
    ds_fact_list_free(&g);
    ds_document_free(doc);
}

/* Quarterly figures compare with the same quarter a year before. */
static void test_metrics_quarter(void)
{
    ds_err err;
    ds_document *doc;
    DS_REQUIRE(ds_document_create(&doc, &err) == DS_OK);
    ds_fact_list f = {0};
    add(&f, "revenue", "130", "2023-07-01", "2023-09-30", "ixbrl");
    add(&f, "revenue", "100", "2023-04-01", "2023-06-30", "ixbrl"); /* not the comparison */
    add(&f, "revenue", "110", "2022-07-01", "2022-09-30", "ixbrl");
    ds_swot_list l = {0};
    run(doc, &f, &l);
    expect_rules(&l, (const char *const[]){"SWOT-GRW-01", NULL});
    if (l.n)
        DS_CHECK_STREQ(l.v[0].statement,
                       "Revenue grew 18.2% year over year, from 110 to 130 (quarter ended 2023-09-30).");
    ds_swot_list_free(&l);
    ds_fact_list_free(&f);
    ds_document_free(doc);
}

static const char *const firing[] = {
    "These conditions raise substantial doubt about the Company's ability to continue as a going concern.",
    "In connection with the audit, we identified a material weakness in our internal control over financial "
    "reporting.",
    "As of December 31, 2023, we were not in compliance with the leverage covenant under our credit agreement "
    "and obtained a waiver from the lenders.",
    "On May 3, 2023, a putative class action complaint was filed against the Company alleging securities fraud.",
    "One customer accounted for 23% of our net revenue in 2023.",
    "In 2023 we expanded into Brazil and Mexico.",
    "We launched a new cloud platform in March.",
    "On July 1, 2023, we completed the acquisition of Beta Corp. for $120 million.",
};
static const char *const quiet[] = {
    "If we cannot raise capital, there could be substantial doubt about our ability to continue as a going "
    "concern.",
    "Management's plans alleviate the substantial doubt about our ability to continue as a going concern.",
    "A material weakness is a deficiency, or a combination of deficiencies, in internal control over financial "
    "reporting.",
    "The material weakness identified in 2022 has been remediated.",
    "If we identify a material weakness in the future, our stock price may decline.",
    "We were in compliance with all covenants under the credit agreement.",
    "We may become subject to lawsuits filed by customers.",
    "We are not currently a party to any litigation that was filed against us.",
    "No customer accounted for more than 10% of revenue.",
    "Customer A accounted for 8% of revenue.",
    "We may not be successful if we expand into new markets.",
    "If we fail to introduce new products, our results could suffer.",
};

static void test_text(void)
{
    ds_err err;
    ds_document *doc;
    DS_REQUIRE(ds_document_create(&doc, &err) == DS_OK);
    DS_REQUIRE(ds_doc_begin_page(doc) == DS_OK);
    /* a heading and a table holding anchors do not count */
    DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_HEADING, 2, "", "Going concern and substantial doubt", 35, NULL) ==
               DS_OK);
    const char *cells[] = {"Customer", "Share", "Customer A accounted for", "45% of revenue"};
    DS_REQUIRE(ds_doc_add_table(doc, "", 2, 2, 1, cells, NULL) == DS_OK);
    for (size_t i = 0; i < sizeof quiet / sizeof quiet[0]; i++)
        DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_PARAGRAPH, 0, "", quiet[i], strlen(quiet[i]), NULL) == DS_OK);
    DS_REQUIRE(ds_doc_begin_page(doc) == DS_OK);
    for (size_t i = 0; i < sizeof firing / sizeof firing[0]; i++)
        DS_REQUIRE(ds_doc_add_block(doc, i % 2 ? DS_BLOCK_KIND_LIST_ITEM : DS_BLOCK_KIND_PARAGRAPH, 0, "", firing[i],
                                    strlen(firing[i]), NULL) == DS_OK);
    ds_chunk_opts co = {80, 8, count4, NULL};
    ds_chunk_list chunks = {0};
    DS_REQUIRE(ds_chunk_document(doc, &co, &chunks, &err) == DS_OK);
    ds_swot_list l = {0};
    DS_REQUIRE(ds_swot_rules_apply(doc, &chunks, NULL, &l, &err) == DS_OK);
    const char *ids[] = {"SWOT-GC-01",  "SWOT-ICW-01", "SWOT-CVT-01", "SWOT-LIT-01", "SWOT-CUS-01",
                         "SWOT-OPP-01", "SWOT-OPP-02", "SWOT-OPP-03", NULL};
    expect_rules(&l, ids);
    for (size_t i = 0; ids[i]; i++) {
        const ds_swot_item *it = item(&l, ids[i]);
        if (!it)
            continue;
        DS_CHECK_STREQ(it->quote, firing[i]);
        DS_CHECK(it->page == 2);
        DS_CHECK(it->byte_off != SIZE_MAX && strncmp(doc->text.data + it->byte_off, it->quote, strlen(it->quote)) == 0);
        DS_REQUIRE(it->chunk_seq >= 0 && (size_t)it->chunk_seq < chunks.n);
        const ds_chunk *c = &chunks.v[it->chunk_seq];
        DS_CHECKF(memmem(c->text, c->text_len, it->quote, strlen(it->quote)) != NULL, "%s quote not in its chunk",
                  ids[i]);
        DS_CHECK(strstr(it->evidence, "\"page\":2") != NULL);
        DS_CHECK(it->evidence[0] == '[' && it->evidence[strlen(it->evidence) - 1] == ']');
    }
    const ds_swot_item *gc = item(&l, "SWOT-GC-01");
    DS_CHECK(gc && gc->category == DS_SWOT_THREAT);
    const ds_swot_item *opp = item(&l, "SWOT-OPP-03");
    DS_CHECK(opp && opp->category == DS_SWOT_OPPORTUNITY);
    ds_swot_list_free(&l);
    ds_swot_list_free(NULL);
    ds_document_free(doc);
}

static void test_rule_table(void)
{
    size_t n;
    const ds_swot_rule *r = ds_swot_rules(&n);
    DS_CHECK(n == 23);
    for (size_t i = 0; i < n; i++)
        DS_CHECK(strncmp(r[i].id, "SWOT-", 5) == 0);
    ds_buf md = DS_BUF_INIT, tbl = DS_BUF_INIT;
    ds_err err;
    DS_REQUIRE(ds_buf_read_file(&md, ds_test_source("extract/swot_rules.md"), 0, &err) == DS_OK);
    DS_REQUIRE(ds_swot_rules_table(&tbl) == DS_OK);
    DS_CHECKF(strstr(md.data, tbl.data) != NULL, "extract/swot_rules.md is out of date; the table is:\n%s", tbl.data);
    ds_buf_deinit(&md);
    ds_buf_deinit(&tbl);
}

/* `dossier rules` prints the same tables. */
static void test_rules_command(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/rules.md", ds_test_tmpdir());
    fflush(stdout);
    int saved = dup(1);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    DS_REQUIRE(saved >= 0 && fd >= 0);
    dup2(fd, 1);
    close(fd);
    ds_cli cli;
    memset(&cli, 0, sizeof cli);
    char a0[] = "rules", a1[] = "--fatf", a2[] = "--swot";
    char *argv[] = {a0, a1, a2, NULL};
    optind = 1;
    int rc = ds_cmd_rules(&cli, 3, argv);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    DS_CHECK(rc == 0);
    ds_buf got = DS_BUF_INIT, tbl = DS_BUF_INIT;
    ds_err err;
    DS_REQUIRE(ds_buf_read_file(&got, path, 0, &err) == DS_OK);
    DS_REQUIRE(ds_swot_rules_table(&tbl) == DS_OK);
    DS_CHECK(strstr(got.data, tbl.data) != NULL);
    DS_CHECK(strstr(got.data, "| IR | Iran | High-Risk Jurisdictions subject to a Call for Action | " DS_FATF_AS_OF
                              " |") != NULL);
    DS_CHECK(strstr(got.data, "Red-flag") == NULL);
    ds_buf_deinit(&got);
    ds_buf_deinit(&tbl);
}

int main(void)
{
    test_metrics_fire();
    test_metrics_weak();
    test_metrics_quiet();
    test_metrics_quarter();
    test_text();
    test_rule_table();
    test_rules_command();
    return ds_test_done();
}
