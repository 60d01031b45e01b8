/* decimal_test.c - the one decimal module (pipeline/core/decimal.h): canonical decimals,
 * exact scaling, products and splits, comparison, statement cells as printed and numbers in
 * running text, against hand-checked values; broken input fails with DS_ERR_PARSE and a
 * message that names it. */
#include "pipeline/core/decimal.h"
#include "tests/testlib.h"

#include <string.h>

static ds_buf out;

static const char *canon(const char *s)
{
    return ds_dec_canon(s, strlen(s), &out, NULL) == DS_OK ? out.data : "ERR";
}

static const char *display(const char *s, char point)
{
    return ds_dec_from_display(s, strlen(s), point, &out, NULL) == DS_OK ? out.data : "ERR";
}

static const char *shift(const char *s, int scale, int neg)
{
    return ds_dec_shift(s, scale, neg, &out, NULL) == DS_OK ? out.data : "ERR";
}

static const char *mul(const char *a, const char *b)
{
    return ds_dec_mul(a, b, &out, NULL) == DS_OK ? out.data : "ERR";
}

/* A cell as "KIND:value[:currency]" (KIND one of BLANK TEXT VALUE DASH PERCENT). */
static const char *cell(const char *s)
{
    static const char *const kinds[] = {"BLANK", "TEXT", "VALUE", "DASH", "PERCENT"};
    static char res[160];
    ds_dec_printed p;
    ds_status st = ds_dec_parse_printed(s, &p, NULL);
    if ((st == DS_OK) == (p.kind == DS_DEC_PRINTED_TEXT))
        return "BAD STATUS";
    snprintf(res, sizeof res, "%s:%s%s%s", kinds[p.kind], p.value, p.currency ? ":" : "", p.currency ? p.currency : "");
    return res;
}

/* The numbers of running text, keys joined by '|'. */
static const char *text_numbers(const char *s)
{
    static char res[256];
    size_t n = strlen(s), o = 0;
    ds_buf key = DS_BUF_INIT;
    res[0] = '\0';
    for (size_t i = 0; i < n;) {
        if (!ds_dec_text_number_at(s, n, i)) {
            i++;
            continue;
        }
        size_t end = i;
        if (ds_dec_text_number(s, n, i, &end, &key, NULL) != DS_OK || end <= i)
            return "ERR";
        o += (size_t)snprintf(res + o, sizeof res - o, "%s%s", o ? "|" : "", key.data);
        i = end;
    }
    ds_buf_deinit(&key);
    return res;
}

static void test_arithmetic(void)
{
    /* canonical decimals */
    DS_CHECK_STREQ(canon("0"), "0");
    DS_CHECK_STREQ(canon("-0.000"), "0");
    DS_CHECK_STREQ(canon(" +001.2300 "), "1.23");
    DS_CHECK_STREQ(canon("-.5"), "-0.5");
    DS_CHECK_STREQ(canon("12."), "12");
    DS_CHECK_STREQ(canon("1000"), "1000");
    DS_CHECK_STREQ(canon("123456789012345678901234567890.000000000000000000001"),
                   "123456789012345678901234567890.000000000000000000001");
    DS_CHECK_STREQ(canon("1e5"), "ERR");
    DS_CHECK_STREQ(canon("1,000"), "ERR");
    DS_CHECK_STREQ(canon(""), "ERR");
    DS_CHECK_STREQ(canon("-"), "ERR");
    DS_CHECK_STREQ(canon("1.2.3"), "ERR");

    /* displayed numbers */
    DS_CHECK_STREQ(display("1,234.50", '.'), "1234.5");
    DS_CHECK_STREQ(display("1.234,50", ','), "1234.5");
    DS_CHECK_STREQ(display("1 234 567", '.'), "1234567");
    DS_CHECK_STREQ(display("$ 0.25", '.'), "0.25");
    DS_CHECK_STREQ(display("1,234.", '.'), "1234");
    DS_CHECK_STREQ(display("—", '.'), "ERR");

    /* scale and sign, exactly: never through a float */
    DS_CHECK_STREQ(shift("1234.5", 6, 1), "-1234500000");
    DS_CHECK_STREQ(shift("1234.5", 6, 0), "1234500000");
    DS_CHECK_STREQ(shift("12.5", -2, 0), "0.125");
    DS_CHECK_STREQ(shift("0", 9, 1), "0");
    DS_CHECK_STREQ(shift("-3", 0, 1), "3");
    DS_CHECK_STREQ(shift("0.1", 1, 0), "1");
    DS_CHECK_STREQ(shift("0.0001", -3, 0), "0.0000001");
    DS_CHECK_STREQ(shift("9007199254740993", 3, 0), "9007199254740993000"); /* past double precision */
    DS_CHECK_STREQ(shift("1", 65, 0), "ERR");

    /* products and splits */
    DS_CHECK_STREQ(mul("0.2", "12"), "2.4");
    DS_CHECK_STREQ(mul("0.4", "30.4375"), "12.175");
    DS_CHECK_STREQ(mul("-1.5", "1.5"), "-2.25");
    DS_CHECK_STREQ(mul("99999999999999999999", "99999999999999999999"), "9999999999999999999800000000000000000001");
    uint64_t ip = 0;
    DS_CHECK(ds_dec_split("9.875", &ip, &out, NULL) == DS_OK && ip == 9 && !strcmp(out.data, "0.875"));
    DS_CHECK(ds_dec_split("7", &ip, &out, NULL) == DS_OK && ip == 7 && !strcmp(out.data, "0"));
    DS_CHECK(ds_dec_split("1234567890123456789", &ip, &out, NULL) == DS_ERR_PARSE);

    struct {
        const char *in;
        int exp;
        const char *want;
    } cases[] = {
        {"1234", 3, "1234000"}, {"1234.5", 6, "1234500000"}, {"-1234.567", 3, "-1234567"},
        {"0.25", 0, "0.25"},    {"0.25", -2, "0.0025"},      {"1.5", 9, "1500000000"},
        {"-0", 6, "0"},         {"0012.500", 0, "12.5"},     {"100", -2, "1"},
        {"7", 0, "7"},          {"-0.001", 3, "-1"},         {"12.345", 1, "123.45"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        DS_CHECK_STREQ(shift(cases[i].in, cases[i].exp, 0), cases[i].want);
}

static void test_queries(void)
{
    DS_CHECK(ds_dec_valid("-12.5") && ds_dec_valid(".5") && ds_dec_valid("5."));
    DS_CHECK(!ds_dec_valid("") && !ds_dec_valid(NULL) && !ds_dec_valid("-") && !ds_dec_valid("1,234"));
    DS_CHECK(!ds_dec_valid("+1") && !ds_dec_valid(" 1") && !ds_dec_valid("1.2.3") && !ds_dec_valid("1e5"));
    DS_CHECK(ds_dec_normalize("0012.500", &out, NULL) == DS_OK && !strcmp(out.data, "12.5"));
    DS_CHECK(ds_dec_normalize(" 12", &out, NULL) == DS_ERR_PARSE); /* plain decimals only */
    DS_CHECK(ds_dec_normalize(NULL, &out, NULL) == DS_ERR_PARSE);
    DS_CHECK(ds_dec_cmp("1000", "1000.00") == 0);
    DS_CHECK(ds_dec_cmp("-5", "3") < 0);
    DS_CHECK(ds_dec_cmp("-5", "-30") > 0);
    DS_CHECK(ds_dec_cmp("10.01", "10.1") < 0);
    DS_CHECK(ds_dec_cmp("123456789012345678901234567890", "99") > 0);
    DS_CHECK(ds_dec_fraction_digits("1.250") == 3);
    DS_CHECK(ds_dec_fraction_digits("12") == 0);
    DS_CHECK(ds_dec_to_double("-2.5") == -2.5);
}

static void test_printed(void)
{
    DS_CHECK_STREQ(cell("1,234"), "VALUE:1234");
    DS_CHECK_STREQ(cell("$ (1,234.50)"), "VALUE:-1234.5:USD");
    DS_CHECK_STREQ(cell("(62,229)"), "VALUE:-62229");
    DS_CHECK_STREQ(cell("-7"), "VALUE:-7");
    DS_CHECK_STREQ(cell("\xe2\x88\x92"
                        "7"),
                   "VALUE:-7"); /* U+2212 minus */
    DS_CHECK_STREQ(cell("(0)"), "VALUE:0");
    DS_CHECK_STREQ(cell("007"), "VALUE:7");
    DS_CHECK_STREQ(cell("1,234 (a)"), "VALUE:1234");
    DS_CHECK_STREQ(cell("1,234\xe2\x80\xa0"), "VALUE:1234"); /* dagger */
    DS_CHECK_STREQ(cell("12\xc2\xa0"
                        "345"),
                   "VALUE:12345"); /* no-break space inside */
    DS_CHECK_STREQ(cell("\xe2\x82\xac"
                        "5.5"),
                   "VALUE:5.5:EUR");
    DS_CHECK_STREQ(cell("US$ 3"), "VALUE:3:USD");
    DS_CHECK_STREQ(cell("\xe2\x80\x94"), "DASH:0");
    DS_CHECK_STREQ(cell("- -"), "DASH:0");
    DS_CHECK_STREQ(cell("12.5 %"), "PERCENT:");
    DS_CHECK_STREQ(cell(""), "BLANK:");
    DS_CHECK_STREQ(cell("$"), "BLANK::USD");
    DS_CHECK_STREQ(cell(NULL), "BLANK:");
    /* broken input: text, never a number */
    DS_CHECK_STREQ(cell("1,23"), "TEXT:");
    DS_CHECK_STREQ(cell("12,3456"), "TEXT:");
    DS_CHECK_STREQ(cell("1234,567"), "TEXT:");
    DS_CHECK_STREQ(cell(",123"), "TEXT:");
    DS_CHECK_STREQ(cell("12."), "TEXT:");
    DS_CHECK_STREQ(cell("-(5)"), "TEXT:");
    DS_CHECK_STREQ(cell("1.2.3"), "TEXT:");
    DS_CHECK_STREQ(cell("Total revenue"), "TEXT:");
    DS_CHECK_STREQ(cell("2023 (restated)"), "TEXT:");
    char longcell[200];
    memset(longcell, '1', sizeof longcell - 1);
    longcell[sizeof longcell - 1] = '\0';
    DS_CHECK_STREQ(cell(longcell), "TEXT:"); /* over DS_DEC_PRINTED_CELL_MAX */
    memset(longcell, '9', 100);
    longcell[100] = '\0';
    DS_CHECK_STREQ(cell(longcell), "TEXT:"); /* more digits than a value holds */
    ds_err err = {0};
    ds_dec_printed p;
    DS_CHECK(ds_dec_parse_printed("12ab", &p, &err) == DS_ERR_PARSE && err.code == DS_ERR_PARSE);
    DS_CHECK(strstr(err.msg, "12ab") != NULL);
}

static void test_text_numbers(void)
{
    DS_CHECK_STREQ(text_numbers("revenue of $12,345.6 million, up 7%"), "12345.6|7");
    DS_CHECK_STREQ(text_numbers("EPS .25 and 1.25."), ".25|1.25");
    DS_CHECK_STREQ(text_numbers("no numbers"), "");
    DS_CHECK_STREQ(text_numbers("1,2,3"), "123");
    DS_CHECK_STREQ(text_numbers("2023-12-31"), "2023|12|31");
}

static void test_errors(void)
{
    ds_err err = {0};
    DS_CHECK(ds_dec_canon("1x", 2, &out, &err) == DS_ERR_PARSE);
    DS_CHECK(err.code == DS_ERR_PARSE && strstr(err.msg, "1x") != NULL);
    ds_err_clear(&err);
    DS_CHECK(ds_dec_shift("1", DS_DEC_MAX_SHIFT + 1, 0, &out, &err) == DS_ERR_PARSE);
    DS_CHECK(strstr(err.msg, "scale") != NULL);
    DS_CHECK(ds_dec_shift("abc", 0, 0, &out, &err) == DS_ERR_PARSE);
    DS_CHECK(ds_dec_mul("2", "x", &out, &err) == DS_ERR_PARSE);
    DS_CHECK(ds_dec_from_display("n/a", 3, '.', &out, &err) == DS_ERR_PARSE);
    uint64_t ip = 0;
    DS_CHECK(ds_dec_split("-1", &ip, &out, &err) == DS_ERR_PARSE);
    DS_CHECK(ds_dec_split("1e3", &ip, &out, &err) == DS_ERR_PARSE);
    DS_CHECK(ds_dec_canon("", 0, &out, NULL) == DS_ERR_PARSE); /* no ds_err: still the status */
}

int main(void)
{
    test_arithmetic();
    test_queries();
    test_printed();
    test_text_numbers();
    test_errors();
    ds_buf_deinit(&out);
    return ds_test_done();
}
