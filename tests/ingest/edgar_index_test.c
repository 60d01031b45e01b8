/* edgar_index_test.c - EDGAR's daily form index and filing index page readers
 * (ingest/edgar_daily_index.c, ingest/edgar_filing_index.c) on files written in EDGAR's formats
 * (form types and names with spaces, both date forms, the inline XBRL viewer's links, exhibits,
 * the complete submission file) and on broken input: empty, cut short, garbage lines, no header,
 * hostile file names, bytes that are not UTF-8. */
#include "testlib.h"

#include "ingest/edgar_daily_index.h"
#include "ingest/edgar_filing_index.h"
#include "pipeline/core/buf.h"

static ds_status daily(ds_edgar_daily_index *x, const char *text)
{
    ds_err err;
    return ds_edgar_daily_index_parse(x, text, strlen(text), &err);
}

static void test_daily(void)
{
    ds_buf b = DS_BUF_INIT;
    ds_err err;
    ds_edgar_daily_index x;
    DS_REQUIRE(ds_buf_read_file(&b, ds_test_source("tests/fuzz/corpus/edgar_daily_index/form.idx"), 0, &err) == DS_OK);
    DS_REQUIRE(ds_edgar_daily_index_parse(&x, b.data, b.len, &err) == DS_OK);
    DS_REQUIRE(x.n == 5);
    DS_CHECK(x.skipped == 1);
    DS_CHECK_STREQ(x.v[0].form, "10-K");
    DS_CHECK_STREQ(x.v[0].company, "Example Holdings Inc");
    DS_CHECK(x.v[0].cik == 42);
    DS_CHECK_STREQ(x.v[0].filing_date, "2024-03-01");
    DS_CHECK_STREQ(x.v[0].accession, "0000000042-24-000001");
    DS_CHECK_STREQ(x.v[1].form, "10-K/A");
    DS_CHECK_STREQ(x.v[2].form, "SC 13G/A");
    DS_CHECK_STREQ(x.v[2].company, "Some Fund, L.P.  (Filed by)");
    DS_CHECK(x.v[2].cik == 1234567);
    DS_CHECK_STREQ(x.v[4].form, "4");
    DS_CHECK_STREQ(x.v[4].filing_date, "2024-03-01"); /* written as 2024-03-01 */
    ds_edgar_daily_index_deinit(&x);

    /* Cut short: the whole lines before the cut are kept, the cut one is not a filing. */
    ds_buf_clear(&b);
    DS_REQUIRE(ds_buf_read_file(&b, ds_test_source("tests/fuzz/corpus/edgar_daily_index/cut.idx"), 0, &err) == DS_OK);
    DS_REQUIRE(ds_edgar_daily_index_parse(&x, b.data, b.len, &err) == DS_OK);
    DS_CHECKF(x.n == 1 && x.skipped == 1, "%zu rows, %zu skipped", x.n, x.skipped);
    ds_edgar_daily_index_deinit(&x);
    ds_buf_deinit(&b);
}

static void test_daily_broken(void)
{
    ds_edgar_daily_index x;
    ds_err err;
    DS_CHECK(daily(&x, "") == DS_ERR_EMPTY && x.n == 0);
    DS_CHECK(ds_edgar_daily_index_parse(&x, "<html>Not Found</html>\n", 23, &err) == DS_ERR_PARSE);
    DS_CHECKF(strstr(err.msg, "<html>Not Found</html>") != NULL, "%s", err.msg);
    /* No header line: split at the first two blanks. */
    DS_REQUIRE(
        daily(&x, "------------\n8-K    Acme  Corp   5   20240102   edgar/data/5/0000000005-24-000001.txt\r\n") ==
        DS_OK);
    DS_REQUIRE(x.n == 1);
    DS_CHECK_STREQ(x.v[0].form, "8-K");
    DS_CHECK_STREQ(x.v[0].company, "Acme  Corp");
    ds_edgar_daily_index_deinit(&x);
    const char *bad[] = {
        "8-K  Acme  5  20241302  edgar/data/5/0000000005-24-000001.txt\n",       /* month 13 */
        "8-K  Acme  0  20240102  edgar/data/5/0000000005-24-000001.txt\n",       /* CIK 0 */
        "8-K  Acme  5x  20240102  edgar/data/5/0000000005-24-000001.txt\n",      /* CIK not digits */
        "8-K  Acme  5  20240102  edgar/data/5/000000005-24-0000001.txt\n",       /* accession */
        "8-K  Acme  5  20240102  edgar/data/5/x0000000005-24-000001.txt\n",      /* not a name of its own */
        "8-K  Acme  5  20240102  edgar/data/5/0000000005-24-000001.htm\n",       /* not the .txt */
        "8-K  Ac\xff\xfe  5  20240102  edgar/data/5/0000000005-24-000001.txt\n", /* not UTF-8 */
        "8-K  Ac\x01me  5  20240102  edgar/data/5/0000000005-24-000001.txt\n",   /* control byte */
        "5  20240102  edgar/data/5/0000000005-24-000001.txt\n",                  /* no form */
        "edgar/data/5/0000000005-24-000001.txt\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char text[512];
        snprintf(text, sizeof text, "------------\n%s", bad[i]);
        DS_REQUIRE(daily(&x, text) == DS_OK);
        DS_CHECKF(x.n == 0 && x.skipped == 1, "line %zu: %zu rows", i, x.n);
        ds_edgar_daily_index_deinit(&x);
    }
    /* A NUL inside a line: the line is refused, the parse goes on past it. */
    const char nul[] = "------------\n8-K  A\0me  5  20240102  edgar/data/5/0000000005-24-000001.txt\n"
                       "8-K  Acme  5  20240102  edgar/data/5/0000000005-24-000002.txt\n";
    DS_REQUIRE(ds_edgar_daily_index_parse(&x, nul, sizeof nul - 1, &err) == DS_OK);
    DS_CHECK(x.n == 1 && x.skipped == 1);
    ds_edgar_daily_index_deinit(&x);
}

static void test_filing_index(void)
{
    ds_buf b = DS_BUF_INIT;
    ds_err err;
    ds_edgar_filing_index x;
    DS_REQUIRE(ds_buf_read_file(&b, ds_test_source("tests/fuzz/corpus/edgar_filing_index/index.htm"), 0, &err) ==
               DS_OK);
    DS_REQUIRE(ds_edgar_filing_index_parse(&x, b.data, b.len, "10-K", &err) == DS_OK);
    DS_REQUIRE(x.n == 5);
    DS_CHECK_STREQ(x.period, "2023-12-31");
    DS_CHECK(x.primary == 0);
    DS_CHECK_STREQ(x.v[0].document, "exm-10k.htm");
    DS_CHECK_STREQ(x.v[0].type, "10-K");
    DS_CHECK(x.v[0].seq == 1);
    DS_CHECK_STREQ(x.v[1].type, "EX-21.1");
    DS_CHECK_STREQ(x.v[2].description, "PRESS RELEASE & RESULTS");
    DS_CHECK_STREQ(x.v[3].document, "0000000042-24-000001.txt");
    DS_CHECK(x.v[3].seq == 0 && strcmp(x.v[3].type, "") == 0);
    DS_CHECK_STREQ(x.v[4].type, "EX-101.INS");
    ds_edgar_filing_index_deinit(&x);
    /* Cut short inside the second row: the first row stands. */
    ds_buf_clear(&b);
    DS_REQUIRE(ds_buf_read_file(&b, ds_test_source("tests/fuzz/corpus/edgar_filing_index/cut.htm"), 0, &err) == DS_OK);
    DS_REQUIRE(ds_edgar_filing_index_parse(&x, b.data, b.len, "10-K", &err) == DS_OK);
    DS_CHECKF(x.n >= 1 && x.primary == 0, "%zu rows", x.n);
    ds_edgar_filing_index_deinit(&x);
    ds_buf_deinit(&b);
}

static void test_filing_index_broken(void)
{
    ds_edgar_filing_index x;
    ds_err err;
    DS_CHECK(ds_edgar_filing_index_parse(&x, "", 0, NULL, &err) == DS_ERR_EMPTY);
    const char *notindex = "<html><body>Not Found</body></html>";
    DS_CHECK(ds_edgar_filing_index_parse(&x, notindex, strlen(notindex), NULL, &err) == DS_ERR_PARSE);
    /* Hostile links: paths, dot files, queries are never a document; no sequence 1 means the
     * primary is the row of the filing's form. */
    const char *hostile =
        "<table><tr><td>1</td><td>x</td><td><a href=\"/a/../../etc/passwd?\">p</a></td><td>10-K</td></tr>"
        "<tr><td>2</td><td>x</td><td><a href=\"/Archives/.hidden\">h</a></td><td>10-K</td></tr>"
        "<tr><td>3</td><td>x</td><td>no link</td><td>10-K</td></tr>"
        "<tr><td>4</td><td>x</td><td><a href=\"/Archives/%2e%2e\">e</a></td><td>10-K</td></tr>"
        "<tr><td>x5</td><td>main</td><td><a href=\"/Archives/edgar/data/1/2/main.htm\">m</a></td><td>8-K</td></tr>"
        "<tr><td>6</td><td>ex</td><td><a href=\"ex99.htm\">e</a></td><td>EX-99</td>";
    DS_REQUIRE(ds_edgar_filing_index_parse(&x, hostile, strlen(hostile), "8-K", &err) == DS_OK);
    DS_REQUIRE(x.n == 2);
    DS_CHECK_STREQ(x.v[0].document, "main.htm");
    DS_CHECK(x.v[0].seq == 0);
    DS_CHECK(x.primary == 0);
    DS_CHECK_STREQ(x.v[1].document, "ex99.htm"); /* the last row, never closed */
    DS_CHECK_STREQ(x.period, "");
    ds_edgar_filing_index_deinit(&x);
    /* Not UTF-8 in a cell: the bad bytes are dropped. */
    const char *bytes = "<tr><td>1</td><td>a\xff\xfe b</td><td><a href=\"d.htm\">d</a></td><td>10-Q</td></tr>";
    DS_REQUIRE(ds_edgar_filing_index_parse(&x, bytes, strlen(bytes), "10-Q", &err) == DS_OK);
    DS_CHECK_STREQ(x.v[0].description, "a b");
    ds_edgar_filing_index_deinit(&x);
}

int main(void)
{
    test_daily();
    test_daily_broken();
    test_filing_index();
    test_filing_index_broken();
    return ds_test_done();
}
