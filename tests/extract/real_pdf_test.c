/* real_pdf_test.c - statement facts and SWOT items from three real SEC filings in
 * ../shared/data/financial_pdf (Apple 10-Q Q3 2023, Netflix 10-K 2015, Adobe 10-K 2022), parsed
 * by the PDF parser: the key figures of each statement with the value, period and scale the
 * filing prints, no two different consolidated values for one metric and period, and the SWOT
 * rules the figures call for. Skipped when the shared data is absent. */
#include "testlib.h"

#include "extract/extract.h"
#include "ingest/ingest.h"
#include "pipeline/core/buf.h"

static size_t count4(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    (void)s;
    return (n + 3) / 4;
}

typedef struct want {
    const char *metric, *start, *end, *value;
} want;

static int checked, found;

static void check_doc(const char *rel, const want *w, const char *const *rules)
{
    const char *path = ds_test_shared(rel);
    if (!path) {
        fprintf(stderr, "skip %s: shared data absent\n", rel);
        return;
    }
    ds_buf b = DS_BUF_INIT;
    ds_err err;
    DS_REQUIRE(ds_buf_read_file(&b, path, 0, &err) == DS_OK);
    ds_document *doc;
    DS_REQUIRE(ds_document_create(&doc, &err) == DS_OK);
    doc->kind = DS_DOC_KIND_PDF;
    doc->name = rel;
    ds_ingest_limits lim;
    memset(&lim, 0, sizeof lim);
    DS_REQUIRE(ds_pdf_parse(doc, (const unsigned char *)b.data, b.len, &lim, &err) == DS_OK);
    ds_chunk_opts co = {512, 32, count4, NULL};
    ds_chunk_list chunks = {0};
    DS_REQUIRE(ds_chunk_document(doc, &co, &chunks, &err) == DS_OK);
    ds_extraction x = {0};
    DS_REQUIRE(ds_extract_document(doc, &chunks, NULL, &x, &err) == DS_OK);
    for (; w->metric; w++) {
        checked++;
        const ds_fact *hit = NULL;
        for (size_t i = 0; i < x.facts.n && !hit; i++) {
            const ds_fact *f = &x.facts.v[i];
            if (f->metric && !strcmp(f->metric, w->metric) && !*f->dimensions && !strcmp(f->period_end, w->end) &&
                (w->start ? f->period_start && !strcmp(f->period_start, w->start) : !f->period_start))
                hit = f;
        }
        DS_CHECKF(hit != NULL, "%s: no %s for %s..%s", rel, w->metric, w->start ? w->start : "", w->end);
        if (hit) {
            DS_CHECKF(!strcmp(hit->value, w->value), "%s: %s %s is %s, want %s", rel, w->metric, w->end, hit->value,
                      w->value);
            found += !strcmp(hit->value, w->value);
            DS_CHECK(hit->page > 0 && hit->chunk_seq >= 0 && hit->quote);
        }
    }
    /* one consolidated value per metric and period */
    for (size_t i = 0; i < x.facts.n; i++) {
        const ds_fact *f = &x.facts.v[i];
        if (!f->metric || *f->dimensions)
            continue;
        for (size_t k = i + 1; k < x.facts.n; k++) {
            const ds_fact *g = &x.facts.v[k];
            if (!g->metric || *g->dimensions || strcmp(f->metric, g->metric) || strcmp(f->period_end, g->period_end) ||
                !f->period_start != !g->period_start || (f->period_start && strcmp(f->period_start, g->period_start)))
                continue;
            DS_CHECKF(!strcmp(f->value, g->value), "%s: %s %s: %s (page %d) and %s (page %d)", rel, f->metric,
                      f->period_end, f->value, f->page, g->value, g->page);
        }
    }
    for (size_t r = 0; rules[r]; r++) {
        int fired = 0;
        for (size_t i = 0; i < x.swot.n; i++)
            fired |= !strcmp(x.swot.v[i].rule_id, rules[r]);
        DS_CHECKF(fired, "%s: rule %s did not fire", rel, rules[r]);
    }
    ds_extraction_free(&x);
    ds_document_free(doc);
    ds_buf_deinit(&b);
}

int main(void)
{
    static const want apple[] = {
        {"revenue", "2023-04-02", "2023-07-01", "81797000000"},
        {"revenue", "2022-03-26", "2022-06-25", "82959000000"},
        {"cost_of_revenue", "2023-04-02", "2023-07-01", "45384000000"},
        {"operating_income", "2023-04-02", "2023-07-01", "22998000000"},
        {"net_income", "2023-04-02", "2023-07-01", "19881000000"},
        {"eps_basic", "2023-04-02", "2023-07-01", "1.27"},
        {"eps_diluted", "2023-04-02", "2023-07-01", "1.26"},
        {"cash", NULL, "2023-07-01", "28408000000"},
        {"current_assets", NULL, "2023-07-01", "122659000000"},
        {"total_assets", NULL, "2023-07-01", "335038000000"},
        {"short_term_borrowings", NULL, "2023-07-01", "3993000000"},
        {"current_portion_long_term_debt", NULL, "2023-07-01", "7216000000"},
        {"current_liabilities", NULL, "2023-07-01", "124963000000"},
        {"long_term_debt", NULL, "2023-07-01", "98071000000"},
        {"total_liabilities", NULL, "2023-07-01", "274764000000"},
        {"equity", NULL, "2023-07-01", "60274000000"},
        {"equity", NULL, "2022-09-24", "50672000000"},
        {"interest_expense", "2023-04-02", "2023-07-01", "998000000"},
        {NULL, NULL, NULL, NULL},
    };
    static const want netflix[] = {
        {"revenue", "2015-01-01", "2015-12-31", "6779511000"},
        {"revenue", "2014-01-01", "2014-12-31", "5504656000"},
        {"cost_of_revenue", "2015-01-01", "2015-12-31", "4591476000"},
        {"operating_income", "2015-01-01", "2015-12-31", "305826000"},
        {"net_income", "2015-01-01", "2015-12-31", "122641000"},
        {"eps_diluted", "2015-01-01", "2015-12-31", "0.28"},
        {"operating_cash_flow", "2015-01-01", "2015-12-31", "-749439000"},
        {"depreciation_amortization", "2015-01-01", "2015-12-31", "62283000"},
        {"capex", "2015-01-01", "2015-12-31", "91248000"},
        {"interest_expense", "2015-01-01", "2015-12-31", "132716000"},
        {"cash", NULL, "2015-12-31", "1809330000"},
        {"current_assets", NULL, "2015-12-31", "5431840000"},
        {"total_assets", NULL, "2015-12-31", "10202871000"},
        {"current_liabilities", NULL, "2015-12-31", "3529624000"},
        {"long_term_debt", NULL, "2015-12-31", "2371362000"},
        {"total_liabilities", NULL, "2015-12-31", "7979445000"},
        {"equity", NULL, "2015-12-31", "2223426000"},
        {NULL, NULL, NULL, NULL},
    };
    static const want adobe[] = {
        {"revenue", "2021-12-04", "2022-12-02", "17606000000"},
        {"revenue", "2020-11-28", "2021-12-03", "15785000000"},
        {"cost_of_revenue", "2021-12-04", "2022-12-02", "2165000000"},
        {"gross_profit", "2021-12-04", "2022-12-02", "15441000000"},
        {"operating_income", "2021-12-04", "2022-12-02", "6098000000"},
        {"net_income", "2021-12-04", "2022-12-02", "4756000000"},
        {"eps_basic", "2021-12-04", "2022-12-02", "10.13"},
        {"eps_diluted", "2021-12-04", "2022-12-02", "10.1"},
        {"interest_expense", "2021-12-04", "2022-12-02", "112000000"},
        {"operating_cash_flow", "2021-12-04", "2022-12-02", "7838000000"},
        {"capex", "2021-12-04", "2022-12-02", "442000000"},
        {"cash", NULL, "2022-12-02", "4236000000"},
        {"current_assets", NULL, "2022-12-02", "8996000000"},
        {"total_assets", NULL, "2022-12-02", "27165000000"},
        {"current_liabilities", NULL, "2022-12-02", "8128000000"},
        {"total_liabilities", NULL, "2022-12-02", "13114000000"},
        {"equity", NULL, "2022-12-02", "14051000000"},
        {NULL, NULL, NULL, NULL},
    };
    check_doc("data/financial_pdf/2023 Q3 AAPL.pdf", apple,
              (const char *const[]){"SWOT-MAR-01", "SWOT-MAR-03", "SWOT-LIQ-01", "SWOT-LIT-01", NULL});
    check_doc("data/financial_pdf/NETFLIX_2015_10K.pdf", netflix,
              (const char *const[]){"SWOT-GRW-01", "SWOT-MAR-06", "SWOT-LIQ-03", "SWOT-LEV-02", "SWOT-LIT-01", NULL});
    check_doc("data/financial_pdf/ADOBE_2022_10K.pdf", adobe,
              (const char *const[]){"SWOT-GRW-01", "SWOT-MAR-01", "SWOT-MAR-03", "SWOT-OPP-03", NULL});
    fprintf(stderr, "statement figures: %d of %d found with the printed value and period\n", found, checked);
    return ds_test_done();
}
