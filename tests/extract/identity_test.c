/* identity_test.c - the PDF identity reader (extract/doc_identity.h) on synthetic pages: a 10-Q
 * cover naming its fiscal quarter, an annual report wrapping a 10-K, a combined filing, an
 * earnings release (headline, statement header, dateline), and broken input: no pages, empty
 * pages, a cover cut short, impossible dates, an overlong name line, a CIK of too many digits.
 * Each case checks values, pages and quotes; the name key is checked on spellings of one name. */
#include "testlib.h"

#include "extract/doc_identity.h"

/* A document whose pages are the strings of pages (NULL-terminated). */
static ds_document *doc_of(const char *const *pages)
{
    ds_err err;
    ds_document *doc;
    DS_REQUIRE(ds_document_create(&doc, &err) == DS_OK);
    doc->kind = DS_DOC_KIND_PDF;
    for (int i = 0; pages[i]; i++) {
        DS_REQUIRE(ds_doc_begin_page(doc) == DS_OK);
        DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_PARAGRAPH, 0, "", pages[i], strlen(pages[i]), NULL) == DS_OK);
    }
    return doc;
}

static void read_id(ds_document *doc, ds_doc_identity *id)
{
    ds_err err;
    DS_REQUIRE(ds_doc_identity_read(doc, id, &err) == DS_OK);
}

#define CHECK_FIELD(f, want) \
    DS_CHECKF((f).value && !strcmp((f).value, want), "%s: got %s, want %s", #f, (f).value ? (f).value : "NULL", want)

static void quarter_cover(void)
{
    const char *pages[] = {"UNITED STATES\nSECURITIES AND EXCHANGE COMMISSION\n\nFORM 10-Q\n\n"
                           "For the quarterly period ended October 29, 2023\n\nCommission file number: 0-23985\n\n"
                           "NVIDIA CORPORATION\n\n(Exact name of registrant as specified in its charter)\n",
                           "This report covers the third quarter of fiscal year 2024.\n", NULL};
    ds_document *doc = doc_of(pages);
    ds_doc_identity id;
    read_id(doc, &id);
    CHECK_FIELD(id.company, "NVIDIA CORPORATION");
    CHECK_FIELD(id.form, "10-Q");
    CHECK_FIELD(id.period_end, "2023-10-29");
    CHECK_FIELD(id.fiscal_year, "2024");
    CHECK_FIELD(id.fiscal_period, "Q3");
    DS_CHECK(id.fiscal_year.page == 2 && strstr(id.fiscal_year.quote, "third quarter"));
    DS_CHECK(id.period_end.page == 1 && strstr(id.period_end.quote, "October 29, 2023"));
    ds_doc_identity_apply(doc, &id);
    DS_CHECK_STREQ(doc->meta.form_type, "10-Q");
    DS_CHECK_STREQ(doc->meta.company_name, "NVIDIA CORPORATION");
    ds_document_free(doc);
}

static void wrapped_annual_report(void)
{
    const char *pages[] = {"2023 Annual Report\n\nDear shareholders,\n",
                           "SECURITIES AND EXCHANGE COMMISSION\nForm 10-K\nFor the fiscal year ended January 1, 2023\n"
                           "Commission File Number 001-00001\nWIDGET HOLDINGS, INC.\n"
                           "WIDGET OPERATING PARTNERSHIP, L.P.\n"
                           "(Exact name of registrants as specified in its charter)\n"
                           "Central Index Key: 0000123456\n",
                           NULL};
    ds_document *doc = doc_of(pages);
    ds_doc_identity id;
    read_id(doc, &id);
    CHECK_FIELD(id.form, "annual report");
    DS_CHECK(id.form.page == 1);
    CHECK_FIELD(id.sec_form, "10-K");
    CHECK_FIELD(id.company, "WIDGET HOLDINGS, INC."); /* the parent, named first */
    CHECK_FIELD(id.cik, "123456");
    CHECK_FIELD(id.period_end, "2023-01-01");
    CHECK_FIELD(id.fiscal_year, "2022"); /* a 52/53-week year ending in early January */
    CHECK_FIELD(id.fiscal_period, "FY");
    ds_doc_identity_apply(doc, &id);
    DS_CHECK_STREQ(doc->meta.form_type, "10-K");
    ds_document_free(doc);
}

static void earnings_release(void)
{
    const char *pages[] = {"NEWS RELEASE\n\nAcme Reports Second Quarter Fiscal 2024 Results\n\n"
                           "SPRINGFIELD, Aug. 30, 2023 - Acme today reported results for its second quarter ended "
                           "July\n31, 2023.\nGuidance for the quarter ending October 31, 2023.\n",
                           "ACME WIDGETS, INC.\nCondensed Consolidated Statements of Operations\n", NULL};
    ds_document *doc = doc_of(pages);
    ds_doc_identity id;
    read_id(doc, &id);
    CHECK_FIELD(id.form, "earnings release");
    CHECK_FIELD(id.company, "ACME WIDGETS, INC.");
    DS_CHECK(id.company.page == 2);
    CHECK_FIELD(id.period_end, "2023-07-31");
    CHECK_FIELD(id.fiscal_year, "2024");
    CHECK_FIELD(id.fiscal_period, "Q2");
    DS_CHECK(!id.sec_form.value && !id.cik.value);
    ds_document_free(doc);
}

static void broken_input(void)
{
    ds_doc_identity id;
    const char *none[] = {NULL};
    ds_document *doc = doc_of(none);
    read_id(doc, &id);
    DS_CHECK(!id.company.value && !id.form.value && !id.period_end.value && !id.fiscal_year.value);
    ds_document_free(doc);

    const char *empty[] = {"", "", "\n\n\f", NULL};
    doc = doc_of(empty);
    read_id(doc, &id);
    DS_CHECK(!id.company.value && !id.form.value && !id.period_end.value);
    ds_document_free(doc);

    char longname[400];
    memset(longname, 'A', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    char cover[1024];
    snprintf(cover, sizeof cover,
             "(Exact name of registrant as specified in its charter)\nSECURITIES AND EXCHANGE COMMISSION\nFORM 10-K\n"
             "For the fiscal year ended February 30, 2023\nCommission file number\n%s\n"
             "(Exact name of registrant\nCIK 12345678901234\nFORM",
             longname);
    const char *cut[] = {cover, NULL};
    doc = doc_of(cut);
    read_id(doc, &id);
    CHECK_FIELD(id.form, "10-K");
    DS_CHECKF(!id.company.value, "overlong line taken for a name: %.40s", id.company.value);
    DS_CHECKF(!id.period_end.value, "impossible date read: %s", id.period_end.value);
    DS_CHECKF(!id.cik.value, "15-digit CIK read: %s", id.cik.value);
    DS_CHECK(!id.fiscal_year.value);
    ds_document_free(doc);
}

static void name_keys(void)
{
    char a[128], b[128];
    static const char *const same[][2] = {{"The Coca-Cola Company", "COCA COLA CO"},
                                          {"McDonald\xe2\x80\x99s Corporation", "McDONALD'S CORP."},
                                          {"Johnson & Johnson", "JOHNSON AND JOHNSON"},
                                          {"Corning Incorporated", "CORNING INC"},
                                          {"Amcor plc", "AMCOR PLC"}};
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        ds_doc_identity_name_key(same[i][0], a, sizeof a);
        ds_doc_identity_name_key(same[i][1], b, sizeof b);
        DS_CHECKF(!strcmp(a, b), "'%s' -> '%s', '%s' -> '%s'", same[i][0], a, same[i][1], b);
    }
    ds_doc_identity_name_key("Apple Inc.", a, sizeof a);
    ds_doc_identity_name_key("Applied Materials, Inc.", b, sizeof b);
    DS_CHECK(strcmp(a, b) != 0);
    DS_CHECK_STREQ(a, "apple inc");
    ds_doc_identity_name_key(NULL, a, sizeof a);
    DS_CHECK_STREQ(a, "");
    ds_doc_identity_name_key("Some Long Company Name", a, 5);
    DS_CHECK(strlen(a) < 5);
}

int main(void)
{
    quarter_cover();
    wrapped_annual_report();
    earnings_release();
    broken_input();
    name_keys();
    return ds_test_done();
}
