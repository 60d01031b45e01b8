/* xbrl_text_test.c - text values of an XBRL instance (ingest/xbrl.c, extract/xbrl_facts.c):
 * a text block's markup is stripped wherever its first tag is, plain text with '<' is kept as
 * written, nil facts are read as nil, and a text too long for one fact is cut at a word
 * boundary with a note, never inside a word or a UTF-8 character. Broken input: a text block
 * whose markup never closes still gives its text. */
#include "extract/facts.h"
#include "ingest/ingest.h"
#include "tests/testlib.h"

#include <string.h>

#define OPEN                                                                                                   \
    "<xbrli:xbrl xmlns:xbrli=\"http://www.xbrl.org/2003/instance\""                                            \
    " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:us-gaap=\"http://fasb.org/us-gaap/2023\""  \
    " xmlns:iso4217=\"http://www.xbrl.org/2003/iso4217\">"                                                     \
    "<xbrli:context id=\"c\"><xbrli:entity><xbrli:identifier scheme=\"s\">1</xbrli:identifier></xbrli:entity>" \
    "<xbrli:period><xbrli:instant>2023-12-31</xbrli:instant></xbrli:period></xbrli:context>"                   \
    "<xbrli:unit id=\"usd\"><xbrli:measure>iso4217:USD</xbrli:measure></xbrli:unit>"

static ds_document *parse(const char *src)
{
    ds_err err = {0};
    ds_document *d;
    DS_REQUIRE(ds_document_create(&d, &err) == DS_OK);
    d->name = "instance.xml";
    d->kind = DS_DOC_KIND_XBRL;
    ds_ingest_limits lim;
    ds_ingest_limits_default(&lim);
    ds_status st = ds_xbrl_parse(d, (const unsigned char *)src, strlen(src), &lim, &err);
    if (st != DS_OK)
        fprintf(stderr, "parse: %s\n", err.msg);
    DS_REQUIRE(st == DS_OK);
    return d;
}

static const ds_xbrl_fact *find(const ds_document *d, const char *concept)
{
    for (size_t i = 0; i < d->n_facts; i++)
        if (!strcmp(d->facts[i].concept, concept))
            return &d->facts[i];
    return NULL;
}

static void test_markup(void)
{
    ds_document *d = parse(
        OPEN "<us-gaap:DebtDisclosureTextBlock contextRef=\"c\">"
             "&lt;div&gt;&lt;p&gt;Note 7. Debt&lt;/p&gt;&lt;p&gt;Term loan &amp;amp; notes.&lt;/p&gt;&lt;/div&gt;"
             "</us-gaap:DebtDisclosureTextBlock>"
             "<us-gaap:LeasesTextBlock contextRef=\"c\">Note 8 Leases &lt;span style=\"x\"&gt;"
             "Operating leases&lt;/span&gt; expire in 2030.</us-gaap:LeasesTextBlock>"
             "<us-gaap:ConcentrationRiskTextBlock contextRef=\"c\">Risk where a &lt; b and c &gt; d."
             "</us-gaap:ConcentrationRiskTextBlock>"
             "<us-gaap:GoodwillTextBlock contextRef=\"c\">Intro &lt;div&gt;never closed"
             "</us-gaap:GoodwillTextBlock>"
             "</xbrli:xbrl>");
    const ds_xbrl_fact *f = find(d, "us-gaap:DebtDisclosureTextBlock");
    DS_CHECK(f && f->value && strstr(f->value, "Note 7. Debt") && strstr(f->value, "Term loan & notes.") &&
             !strchr(f->value, '<'));
    f = find(d, "us-gaap:LeasesTextBlock");
    DS_CHECK(f && f->value && !strchr(f->value, '<') && strstr(f->value, "Note 8 Leases") &&
             strstr(f->value, "Operating leases") && strstr(f->value, "expire in 2030."));
    DS_CHECK(f && f->text_off != SIZE_MAX); /* a text block is also text of the document */
    f = find(d, "us-gaap:ConcentrationRiskTextBlock");
    DS_CHECK(f && f->value && !strcmp(f->value, "Risk where a < b and c > d."));
    f = find(d, "us-gaap:GoodwillTextBlock");
    DS_CHECK(f && f->value && strstr(f->value, "Intro") && strstr(f->value, "never closed") && !strchr(f->value, '<'));
    ds_document_free(d);
}

static void test_nil(void)
{
    ds_document *d = parse(OPEN
                           "<us-gaap:CommitmentsAndContingencies contextRef=\"c\" unitRef=\"usd\" xsi:nil=\"true\"/>"
                           "<us-gaap:Assets contextRef=\"c\" unitRef=\"usd\" decimals=\"-6\">1000000</us-gaap:Assets>"
                           "</xbrli:xbrl>");
    const ds_xbrl_fact *f = find(d, "us-gaap:CommitmentsAndContingencies");
    DS_CHECK(f && f->is_nil && f->is_numeric);
    f = find(d, "us-gaap:Assets");
    DS_CHECK(f && !f->is_nil && f->value && !strcmp(f->value, "1000000"));
    ds_document_free(d);
}

/* 30,000 bytes of words with a two-byte character in each: the stored value is cut at a word
 * boundary, whole characters, and the document notes the cut. */
static void test_long_text(void)
{
    ds_buf src = DS_BUF_INIT;
    DS_REQUIRE(ds_buf_puts(&src, OPEN "<us-gaap:AccountingPoliciesTextBlock contextRef=\"c\">&lt;p&gt;") == DS_OK);
    while (src.len < 30000)
        DS_REQUIRE(ds_buf_puts(&src, "r\xc3\xa9sum\xc3\xa9 policy ") == DS_OK);
    DS_REQUIRE(ds_buf_puts(&src, "&lt;/p&gt;</us-gaap:AccountingPoliciesTextBlock></xbrli:xbrl>") == DS_OK);
    ds_document *d = parse(src.data);
    ds_chunk_list chunks = {0};
    ds_fact_list facts = {0};
    ds_err err = {0};
    DS_REQUIRE(ds_extract_xbrl_facts(d, &chunks, &facts, &err) == DS_OK);
    DS_REQUIRE(facts.n == 1);
    const char *v = facts.v[0].value_text;
    size_t n = v ? strlen(v) : 0;
    DS_CHECK(n > 19000 && n <= 20000);
    DS_CHECK(n > 0 && v[n - 1] != ' ' && (!strncmp(v + n - 6, "policy", 6) || !strncmp(v + n - 5, "sum\xc3\xa9", 5)));
    int noted = 0;
    for (size_t i = 0; i < d->n_notes; i++)
        noted |= strstr(d->notes[i], "stored as its first") != NULL;
    DS_CHECK(noted);
    ds_fact_list_free(&facts);
    ds_document_free(d);
    ds_buf_deinit(&src);
}

int main(void)
{
    test_markup();
    test_nil();
    test_long_text();
    return ds_test_done();
}
