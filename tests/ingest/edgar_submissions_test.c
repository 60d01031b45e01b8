/* edgar_submissions_test.c - the EDGAR submissions JSON reader on a real submissions file
 * (../shared, when present), a small one written in EDGAR's format with an amendment, and
 * broken inputs (cut short, bad escapes, too deep, empty, garbage rows left out). */
#include "testlib.h"

#include "ingest/edgar_submissions.h"
#include "pipeline/core/buf.h"

static ds_status parse(ds_edgar_submissions *s, const char *json)
{
    ds_err err;
    return ds_edgar_submissions_parse(s, json, strlen(json), &err);
}

static void test_small(void)
{
    ds_edgar_submissions s;
    ds_buf b = DS_BUF_INIT;
    ds_err err;
    DS_REQUIRE(ds_buf_read_file(&b, ds_test_source("tests/fuzz/corpus/edgar_submissions/small.json"), 0, &err) ==
               DS_OK);
    DS_REQUIRE(ds_edgar_submissions_parse(&s, b.data, b.len, &err) == DS_OK);
    DS_CHECK(s.cik == 42);
    DS_CHECK_STREQ(s.name, "Example & Co");
    DS_REQUIRE(s.n == 2);
    DS_CHECK_STREQ(s.v[0].accession, "0000000042-24-000002");
    DS_CHECK_STREQ(s.v[0].form, "10-K/A");
    DS_CHECK_STREQ(s.v[0].filing_date, "2024-03-01");
    DS_CHECK_STREQ(s.v[0].report_date, "2023-12-31");
    DS_CHECK_STREQ(s.v[0].primary_document, "exm-10ka.htm");
    DS_CHECK(s.v[1].report_date == NULL);
    ds_edgar_submissions_deinit(&s);
    ds_buf_deinit(&b);
}

static void test_real(void)
{
    const char *path = ds_test_shared("data/sec_companyfacts/company_submission.json");
    if (!path)
        return;
    ds_buf b = DS_BUF_INIT;
    ds_err err;
    ds_edgar_submissions s;
    DS_REQUIRE(ds_buf_read_file(&b, path, 0, &err) == DS_OK);
    DS_REQUIRE(ds_edgar_submissions_parse(&s, b.data, b.len, &err) == DS_OK);
    DS_CHECK(s.cik > 0 && s.name != NULL);
    DS_CHECKF(s.n > 900, "%zu rows", s.n);
    size_t tenq = 0;
    for (size_t i = 0; i < s.n; i++)
        tenq += strcmp(s.v[i].form, "10-Q") == 0 && s.v[i].primary_document != NULL;
    DS_CHECKF(tenq > 0, "%zu 10-Q filings", tenq);
    printf("real submissions: cik %lld, %zu filings, %zu 10-Q\n", s.cik, s.n, tenq);
    ds_edgar_submissions_deinit(&s);
    ds_buf_deinit(&b);
}

static void test_broken(void)
{
    ds_edgar_submissions s;
    DS_CHECK(parse(&s, "") == DS_ERR_EMPTY && s.n == 0);
    DS_CHECK(parse(&s, "   ") == DS_ERR_EMPTY);
    DS_CHECK(parse(&s, "{\"filings\":{\"recent\":{\"form\":[\"10-K\"") == DS_ERR_PARSE && s.n == 0);
    DS_CHECK(parse(&s, "{\"name\":\"bad \\x escape\"}") == DS_ERR_PARSE);
    DS_CHECK(parse(&s, "{\"name\":\"bad \\u12G4\"}") == DS_ERR_PARSE);
    DS_CHECK(parse(&s, "{\"a\":1} trailing") == DS_ERR_PARSE);
    DS_CHECK(parse(&s, "{\"a\":tru}") == DS_ERR_PARSE);
    DS_CHECK(parse(&s, "{\"a\":\"ctl\x01\"}") == DS_ERR_PARSE);
    char deep[200];
    memset(deep, '[', 100);
    deep[100] = '\0';
    DS_CHECK(parse(&s, deep) == DS_ERR_PARSE);
    /* Rows with a malformed accession or date, or no form, are left out; the rest stay. */
    DS_REQUIRE(parse(&s,
                     "{\"filings\":{\"recent\":{\"accessionNumber\":[\"x\",\"0000000001-24-000001\","
                     "\"0000000001-24-000002\"],\"filingDate\":[\"2024-01-01\",\"2024-01-02\",\"soon\"],"
                     "\"form\":[\"8-K\",\"8-K\",\"8-K\"],\"primaryDocument\":[\"a.htm\",\"../up.htm\",\"c.htm\"]}}}") ==
               DS_OK);
    DS_CHECK(s.n == 1 && s.cik == 0);
    if (s.n == 1) {
        DS_CHECK_STREQ(s.v[0].accession, "0000000001-24-000001");
        DS_CHECK(s.v[0].primary_document == NULL);
    }
    ds_edgar_submissions_deinit(&s);
}

int main(void)
{
    test_small();
    test_real();
    test_broken();
    return ds_test_done();
}
