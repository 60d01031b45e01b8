/* edgar_tickers_test.c - the SEC ticker file reader on a file in the SEC's format (CIK as number
 * and as digit string, two tickers of one company, rows without a valid CIK left out), lookups by
 * ticker and by name (case, punctuation, spacing, an ambiguous name with its candidates, an
 * unknown entry), broken inputs (cut short, bad escapes, bad numbers, too deep, empty, not an
 * object of rows, repeated row keys) and every allocation failing in turn. */
#include "testlib.h"

#include "ingest/edgar_tickers.h"
#include "pipeline/core/alloc.h"
#include "pipeline/core/buf.h"

static ds_status parse(ds_edgar_tickers *t, const char *json)
{
    ds_err err;
    return ds_edgar_tickers_parse(t, json, strlen(json), &err);
}

static void read_small(ds_buf *b)
{
    ds_err err;
    DS_REQUIRE(ds_buf_read_file(b, ds_test_source("tests/fuzz/corpus/edgar_tickers/small.json"), 0, &err) == DS_OK);
}

static void test_small(void)
{
    ds_buf b = DS_BUF_INIT;
    read_small(&b);
    ds_edgar_tickers t;
    ds_err err;
    DS_REQUIRE(ds_edgar_tickers_parse(&t, b.data, b.len, &err) == DS_OK);
    DS_CHECKF(t.n == 8, "%zu rows", t.n); /* negative, missing and eleven-digit CIKs left out */
    DS_CHECK(t.v[0].cik == 320193);
    DS_CHECK_STREQ(t.v[0].ticker, "AAPL");
    DS_CHECK_STREQ(t.v[0].title, "Apple Inc.");
    long long cik = -1;
    DS_CHECK(ds_edgar_tickers_lookup(&t, "AAPL", &cik) == DS_EDGAR_MATCH_TICKER && cik == 320193);
    DS_CHECK(ds_edgar_tickers_lookup(&t, "aapl", &cik) == DS_EDGAR_MATCH_TICKER && cik == 320193);
    DS_CHECK(ds_edgar_tickers_lookup(&t, "brk.b", &cik) == DS_EDGAR_MATCH_TICKER && cik == 1067983);
    DS_CHECK(ds_edgar_tickers_lookup(&t, "EXH", &cik) == DS_EDGAR_MATCH_TICKER && cik == 42);
    DS_CHECK(ds_edgar_tickers_lookup(&t, "apple inc", &cik) == DS_EDGAR_MATCH_NAME && cik == 320193);
    DS_CHECK(ds_edgar_tickers_lookup(&t, "  Berkshire   Hathaway, Inc. ", &cik) == DS_EDGAR_MATCH_NAME &&
             cik == 1067983);
    /* Two tickers, one company: the name is not ambiguous. */
    DS_CHECK(ds_edgar_tickers_lookup(&t, "Alphabet Inc", &cik) == DS_EDGAR_MATCH_NAME && cik == 1652044);
    DS_CHECK(ds_edgar_tickers_lookup(&t, "Same Name Corp", &cik) == DS_EDGAR_MATCH_AMBIGUOUS && cik == 0);
    const ds_edgar_ticker *cand[4];
    DS_CHECK(ds_edgar_tickers_name_matches(&t, "same name corp.", cand, 4) == 2);
    DS_CHECK(cand[0]->cik == 88 && cand[1]->cik == 89);
    DS_CHECK(ds_edgar_tickers_name_matches(&t, "Same Name Corp", cand, 1) == 2 && cand[0]->cik == 88);
    DS_CHECK(ds_edgar_tickers_name_matches(&t, "Alphabet Inc.", cand, 4) == 1 && cand[0]->cik == 1652044);
    DS_CHECK(ds_edgar_tickers_name_matches(&t, "Nobody", cand, 4) == 0);
    /* A ticker wins over a name. */
    DS_CHECK(ds_edgar_tickers_lookup(&t, "same", &cik) == DS_EDGAR_MATCH_TICKER && cik == 88);
    DS_CHECK(ds_edgar_tickers_lookup(&t, "Apple", &cik) == DS_EDGAR_MATCH_NONE && cik == 0);
    DS_CHECK(ds_edgar_tickers_lookup(&t, "", &cik) == DS_EDGAR_MATCH_NONE);
    DS_CHECK(ds_edgar_tickers_lookup(&t, "...", &cik) == DS_EDGAR_MATCH_NONE);
    ds_edgar_tickers_deinit(&t);
    ds_edgar_tickers_deinit(&t); /* twice is harmless */
    ds_buf_deinit(&b);
}

static void test_broken(void)
{
    ds_edgar_tickers t;
    DS_CHECK(parse(&t, "") == DS_ERR_EMPTY && t.n == 0);
    DS_CHECK(parse(&t, "{\"0\":{\"cik_str\":320193,\"ticker\":\"AAPL\"},\"1\":{\"cik_str\":1") == DS_ERR_PARSE &&
             t.n == 0 && t.v == NULL);
    DS_CHECK(parse(&t, "{\"0\":{\"ticker\":\"bad \\q\"}}") == DS_ERR_PARSE);
    DS_CHECK(parse(&t, "{\"0\":{\"ticker\":\"A\"}} {}") == DS_ERR_PARSE);
    DS_CHECK(parse(&t, "{\"0\":{\"cik_str\":1e,\"ticker\":\"A\"}}") == DS_ERR_PARSE);
    DS_CHECK(parse(&t, "{\"0\":{\"cik_str\":-,\"ticker\":\"A\"}}") == DS_ERR_PARSE);
    DS_CHECK(parse(&t, "{\"0\":{\"cik_str\":01,\"ticker\":\"A\"}}") == DS_ERR_PARSE);
    DS_CHECK(parse(&t, "{\"0\":{\"cik_str\":1true,\"ticker\":\"A\"}}") == DS_ERR_PARSE);
    DS_CHECK(parse(&t, "{\"0\":{\"ticker\":\"A\\u00\"}}") == DS_ERR_PARSE);
    DS_CHECK(parse(&t, "{\"0\":{\"ticker\":\"A\\") == DS_ERR_PARSE);
    DS_CHECK(parse(&t, "{\"0\" {\"ticker\":\"A\"}}") == DS_ERR_PARSE);
    DS_CHECK(parse(&t, "{\"0\":{\"ticker\":\"A\",}}") == DS_ERR_PARSE);
    DS_CHECK(parse(&t, "\xff\xfe") == DS_ERR_PARSE);
    DS_CHECK(parse(&t, "   \n") == DS_ERR_EMPTY);
    char deep[200]; /* deeper than the reader goes */
    memset(deep, '[', 100);
    deep[100] = '\0';
    DS_CHECK(parse(&t, deep) == DS_ERR_PARSE && t.n == 0);
    memset(deep, '{', 100);
    DS_CHECK(parse(&t, deep) == DS_ERR_PARSE);
    /* Well-formed JSON of another shape: no rows, no error. */
    DS_CHECK(parse(&t, "[1, 2, \"AAPL\"]") == DS_OK && t.n == 0);
    ds_edgar_tickers_deinit(&t);
    DS_CHECK(parse(&t, "{\"0\":[{\"cik_str\":1,\"ticker\":\"A\"}]}") == DS_OK && t.n == 0);
    ds_edgar_tickers_deinit(&t);
    DS_CHECK(parse(&t, "[{\"cik_str\":1,\"ticker\":\"A\"},{\"cik_str\":2,\"ticker\":\"B\"}]") == DS_OK && t.n == 0);
    ds_edgar_tickers_deinit(&t);
    DS_CHECK(parse(&t, "\"AAPL\"") == DS_OK && t.n == 0);
    ds_edgar_tickers_deinit(&t);
    /* Rows under a repeated key, or keys too long to keep, stay apart. */
    DS_REQUIRE(parse(&t, "{\"0\":{\"cik_str\":1,\"ticker\":\"A\"},\"0\":{\"cik_str\":2,\"ticker\":\"B\"},"
                         "\"a-key-much-longer-than-forty-characters-in-all-1\":{\"cik_str\":3,\"ticker\":\"C\"},"
                         "\"a-key-much-longer-than-forty-characters-in-all-2\":{\"cik_str\":4,\"ticker\":\"D\"}}") ==
               DS_OK);
    DS_CHECKF(t.n == 4, "%zu rows", t.n);
    DS_CHECK(t.n == 4 && t.v[1].cik == 2 && strcmp(t.v[1].ticker, "B") == 0 && t.v[3].cik == 4);
    ds_edgar_tickers_deinit(&t);
    /* Escapes decoded; a CIK as a non-integer number is no CIK. */
    DS_REQUIRE(parse(&t,
                     "{\"0\":{\"cik_str\":5,\"ticker\":\"\\u0041B\",\"title\":\"A \\\"B\\\" \\u00e9\"},"
                     "\"1\":{\"cik_str\":5.5,\"ticker\":\"X\"},\"2\":{\"cik_str\":true,\"ticker\":\"Y\"}}") == DS_OK);
    DS_CHECK(t.n == 1 && strcmp(t.v[0].ticker, "AB") == 0 && strcmp(t.v[0].title, "A \"B\" ?") == 0);
    ds_edgar_tickers_deinit(&t);
    /* A ticker given as a number is not kept; the title alone makes the row. */
    DS_REQUIRE(parse(&t, "{\"0\":{\"cik_str\":\"7\",\"ticker\":5,\"title\":\"Seven\"}}") == DS_OK);
    DS_CHECK(t.n == 1 && t.v[0].cik == 7 && t.v[0].ticker == NULL);
    ds_edgar_tickers_deinit(&t);
}

/* Every allocation failing in turn: DS_ERR_NOMEM and nothing leaked (ASan), or success. */
static void test_nomem(void)
{
    ds_buf b = DS_BUF_INIT;
    read_small(&b);
    int failures = 0;
    for (long k = 0; k < 100000; k++) {
        ds_edgar_tickers t;
        ds_err err;
        ds_alloc_fail_after(k);
        ds_status st = ds_edgar_tickers_parse(&t, b.data, b.len, &err);
        ds_alloc_fail_after(-1);
        if (st == DS_OK) {
            DS_CHECK(t.n == 8);
            ds_edgar_tickers_deinit(&t);
            break;
        }
        DS_CHECKF(st == DS_ERR_NOMEM && t.n == 0, "allocation %ld: %s", k, ds_status_str(st));
        failures++;
    }
    DS_CHECKF(failures > 10, "%d allocations failed in turn", failures);
    ds_buf_deinit(&b);
}

int main(void)
{
    test_small();
    test_broken();
    test_nomem();
    return ds_test_done();
}
