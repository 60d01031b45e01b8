/* xbrl_values_test.c - the inline XBRL transformation registry (ingest/ixt.c) and the
 * numeric path of a fact: scale, sign, number formats, words, durations,
 * dates, booleans and SEC code lists, against hand-checked values. */
#include "pipeline/core/decimal.h"
#include "ingest/xbrl_internal.h"
#include "tests/testlib.h"

static ds_buf out;

/* Applies a format; "ERR" on a parse error, "UNKNOWN:<text>" for an unknown format. */
static const char *ixt(const char *format, const char *text, int numeric)
{
    static char res[256];
    ds_status st = ds_ixt_apply(format, text, numeric, &out);
    if (st == DS_ERR_UNSUPPORTED)
        snprintf(res, sizeof res, "UNKNOWN:%s", out.data);
    else
        snprintf(res, sizeof res, "%s", st == DS_OK ? out.data : "ERR");
    return res;
}

/* The numeric path of an ix:nonFraction: transform, then scale and sign. */
static const char *fact_value(const char *format, const char *text, int scale, int neg)
{
    static char res[256];
    ds_buf v = DS_BUF_INIT;
    ds_status st = ds_ixt_apply(format, text, 1, &v);
    if (st == DS_OK)
        st = ds_dec_shift(v.data, scale, neg, &out, NULL);
    snprintf(res, sizeof res, "%s", st == DS_OK ? out.data : "ERR");
    ds_buf_deinit(&v);
    return res;
}

int main(void)
{
    /* the numeric path of a fact: transform, then scale and sign (decimals themselves are
     * tested by tests/pipeline/decimal_test.c) */
    DS_CHECK_STREQ(fact_value("num-dot-decimal", "1,234.5", 6, 1), "-1234500000");
    DS_CHECK_STREQ(fact_value("numcommadecimal", "1.234,5", 3, 0), "1234500");
    DS_CHECK_STREQ(fact_value("num-dot-decimal", "0.1", 0, 0), "0.1"); /* not 0.1000000000000000055 */
    DS_CHECK_STREQ(fact_value("zerodash", "—", 6, 1), "0");
    DS_CHECK_STREQ(fact_value("fixed-zero", "-", 3, 0), "0");

    /* number formats across registry versions */
    DS_CHECK_STREQ(ixt("num-dot-decimal", "12,345,678.9", 1), "12345678.9");
    DS_CHECK_STREQ(ixt("numdotdecimal", "12,345", 1), "12345");
    DS_CHECK_STREQ(ixt("numcommadot", "1,000.5", 1), "1000.5");
    DS_CHECK_STREQ(ixt("num-comma-decimal", "1 000,25", 1), "1000.25");
    DS_CHECK_STREQ(ixt("numdotcomma", "1.000,25", 1), "1000.25");
    DS_CHECK_STREQ(ixt("num-unit-decimal", "5 dollars and 25 cents", 1), "5.25");
    DS_CHECK_STREQ(ixt("numwordsen", "no", 1), "0");
    DS_CHECK_STREQ(ixt("numwordsen", "None", 1), "0");
    DS_CHECK_STREQ(ixt("numwordsen", "zero", 1), "0");
    DS_CHECK_STREQ(ixt("numwordsen", "twenty-one", 1), "21");
    DS_CHECK_STREQ(ixt("numwordsen", "one hundred and five", 1), "105");
    DS_CHECK_STREQ(ixt("numwordsen", "three million, two hundred thousand", 1), "3200000");
    DS_CHECK_STREQ(ixt("numwordsen", "lots", 1), "ERR");
    DS_CHECK_STREQ(ixt("zerodash", "\xE2\x80\x94", 1), "0");
    DS_CHECK_STREQ(ixt("num-dot-decimal", "n/a", 1), "ERR");
    DS_CHECK_STREQ(ixt("numinf", "unlimited", 1), "INF");

    /* fixed values and booleans */
    DS_CHECK_STREQ(ixt("fixed-true", "Yes", 0), "true");
    DS_CHECK_STREQ(ixt("fixed-false", "anything", 0), "false");
    DS_CHECK_STREQ(ixt("fixed-empty", "anything", 0), "");
    DS_CHECK_STREQ(ixt("boolballotbox", "\xE2\x98\x92", 0), "true");  /* U+2612 */
    DS_CHECK_STREQ(ixt("boolballotbox", "\xE2\x98\x90", 0), "false"); /* U+2610 */
    DS_CHECK_STREQ(ixt("yesnoballotbox", "\xE2\x98\x91", 0), "Yes");
    DS_CHECK_STREQ(ixt("boolballotbox", "x", 0), "ERR");

    /* durations (values of the SEC's own extraction of aeon-20230930x10q) */
    DS_CHECK_STREQ(ixt("duryear", "1.2", 0), "P1Y2M12D");
    DS_CHECK_STREQ(ixt("duryear", "8.1", 0), "P8Y1M6D");
    DS_CHECK_STREQ(ixt("duryear", "9.9", 0), "P9Y10M24D");
    DS_CHECK_STREQ(ixt("duryear", "7.3", 0), "P7Y3M18D");
    DS_CHECK_STREQ(ixt("duryear", "2.5", 0), "P2Y6M");
    DS_CHECK_STREQ(ixt("duryear", "3.00", 0), "P3Y");
    DS_CHECK_STREQ(ixt("duryear", "6.25", 0), "P6Y3M");
    DS_CHECK_STREQ(ixt("duryear", "0", 0), "P0Y");
    DS_CHECK_STREQ(ixt("duryear", "0.5", 0), "P0Y6M");
    DS_CHECK_STREQ(ixt("duryear", "-1.5", 0), "-P1Y6M");
    DS_CHECK_STREQ(ixt("durmonth", "6.5", 0), "P6M15D");
    DS_CHECK_STREQ(ixt("durweek", "2", 0), "P14D");
    DS_CHECK_STREQ(ixt("durday", "30", 0), "P30D");
    DS_CHECK_STREQ(ixt("durday", "2.5", 0), "P2DT12H");
    DS_CHECK_STREQ(ixt("durhour", "5", 0), "PT5H");
    DS_CHECK_STREQ(ixt("duryear", "two", 0), "ERR");
    DS_CHECK_STREQ(ixt("durwordsen", "seven years", 0), "P7Y");
    DS_CHECK_STREQ(ixt("durwordsen", "90 days", 0), "P90D");
    DS_CHECK_STREQ(ixt("durwordsen", "five-year", 0), "P5Y");
    DS_CHECK_STREQ(ixt("durwordsen", "24 months", 0), "P24M");
    DS_CHECK_STREQ(ixt("durwordsen", "two years and six months", 0), "P2Y6M");
    DS_CHECK_STREQ(ixt("durwordsen", "three weeks", 0), "P21D");
    DS_CHECK_STREQ(ixt("durwordsen", "soon", 0), "ERR");

    /* dates */
    DS_CHECK_STREQ(ixt("datemonthdayyearen",
                       "September\xC2\xA0"
                       "30, 2023",
                       0),
                   "2023-09-30");
    DS_CHECK_STREQ(ixt("date-monthname-day-year-en", "June 29, 2024", 0), "2024-06-29");
    DS_CHECK_STREQ(ixt("date-day-monthname-year-en", "30th of September 2023", 0), "2023-09-30");
    DS_CHECK_STREQ(ixt("dateslashus", "09/30/23", 0), "2023-09-30");
    DS_CHECK_STREQ(ixt("date-day-month-year", "29.02.2024", 0), "2024-02-29");
    DS_CHECK_STREQ(ixt("date-day-month-year", "29.02.2023", 0), "ERR");
    DS_CHECK_STREQ(ixt("date-year-month-day", "2023-12-31", 0), "2023-12-31");
    DS_CHECK_STREQ(ixt("date-monthname-year-en", "September 2023", 0), "2023-09");
    DS_CHECK_STREQ(ixt("datemonthdayen", "Dec. 31", 0), "--12-31");
    DS_CHECK_STREQ(ixt("datequarterend", "third quarter of 2023", 0), "2023-09-30");
    DS_CHECK_STREQ(ixt("datemonthdayyearen", "Smarch 3, 2023", 0), "ERR");

    /* SEC code lists */
    DS_CHECK_STREQ(ixt("stateprovnameen", "Delaware", 0), "DE");
    DS_CHECK_STREQ(ixt("stateprovnameen", "New\xC2\xA0York", 0), "NY");
    DS_CHECK_STREQ(ixt("exchnameen", "NYSE American", 0), "NYSEAMER");
    DS_CHECK_STREQ(ixt("exchnameen", "The Nasdaq Stock Market LLC", 0), "NASDAQ");
    DS_CHECK_STREQ(ixt("exchnameen", "New York Stock Exchange", 0), "NYSE");
    DS_CHECK_STREQ(ixt("entityfilercategoryen", "Non-accelerated filer", 0), "Non-accelerated Filer");
    DS_CHECK_STREQ(ixt("entityfilercategoryen", "Large accelerated filer", 0), "Large Accelerated Filer");
    DS_CHECK_STREQ(ixt("countrynameen", "United Kingdom", 0), "GB");

    /* unknown formats keep the text (or read a number as displayed) */
    DS_CHECK_STREQ(ixt("frobnicate", "some text", 0), "UNKNOWN:some text");
    DS_CHECK_STREQ(ixt("frobnicate", "1,5", 1), "UNKNOWN:15");

    ds_buf_deinit(&out);
    return ds_test_done();
}
