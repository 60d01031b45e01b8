/* ixbrl_shared_test.c - the HTML / inline XBRL / XBRL instance parsers on real filings from
 * ../shared/data (skipped when that folder is absent):
 *  - aeon-20230930x10q.htm against aeon-20230930x10q_htm.xml, the SEC's own extraction of the
 *    same filing: the 1,132 facts of one must equal those of the other (concept, period,
 *    dimensions, unit, decimals, nil, exact value; text blocks compared as text), and both
 *    files hold the same 374 contexts. Duplicate facts (the same concept, context and unit
 *    shown twice, e.g. in a statement and again in a note) are kept by both sides, so the two
 *    fact lists are compared as multisets, duplicates included;
 *  - known values of Apple and Oracle 10-Qs, checked by hand against their HTML;
 *  - ixbrl.simple.html (undeclared ix prefix, dangling continuations), nflx-20100930.xml
 *    (2009 taxonomy URIs), WatersCorp.8-K.xbrl.xml (default-namespace instance). */
#include "ingest/ingest.h"
#include "pipeline/core/alloc.h"
#include "pipeline/core/buf.h"
#include "tests/testlib.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <stdint.h>

static ds_document *load(const char *rel, int xbrl)
{
    const char *path = ds_test_shared(rel);
    DS_REQUIRE(path != NULL);
    ds_buf b = DS_BUF_INIT;
    ds_err err = {0};
    DS_REQUIRE(ds_buf_read_file(&b, path, 0, &err) == DS_OK);
    ds_document *d;
    DS_REQUIRE(ds_document_create(&d, &err) == DS_OK);
    d->name = rel;
    d->kind = ds_ingest_detect((const unsigned char *)b.data, b.len, rel);
    DS_CHECK(d->kind == (xbrl ? DS_DOC_KIND_XBRL : DS_DOC_KIND_IXBRL));
    ds_ingest_limits lim = {64u << 20, 0, 0};
    ds_status st = xbrl ? ds_xbrl_parse(d, (const unsigned char *)b.data, b.len, &lim, &err)
                        : ds_html_parse(d, (const unsigned char *)b.data, b.len, &lim, &err);
    DS_CHECKF(st == DS_OK, "%s: %s", rel, err.msg);
    ds_buf_deinit(&b);
    return d;
}

static char *fact_key(const ds_xbrl_fact *f)
{
    return ds_asprintf("%s|%s|%s|%s|%s|%s|%s|%d|%s", f->concept, f->entity ? f->entity : "",
                       f->period_start ? f->period_start : "", f->period_end ? f->period_end : "", f->dimensions,
                       f->unit ? f->unit : "", f->decimals ? f->decimals : "", f->is_nil, f->value ? f->value : "");
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **sorted_keys(const ds_document *d)
{
    char **k = calloc(d->n_facts + 1, sizeof *k);
    DS_REQUIRE(k != NULL);
    for (size_t i = 0; i < d->n_facts; i++)
        k[i] = fact_key(&d->facts[i]);
    qsort(k, d->n_facts, sizeof *k, cmp_str);
    return k;
}

/* Number of xbrli:context elements in a file, counted with libxml2 directly. */
static size_t count_contexts(const char *rel)
{
    const char *path = ds_test_shared(rel);
    ds_buf b = DS_BUF_INIT;
    ds_err err;
    DS_REQUIRE(path && ds_buf_read_file(&b, path, 0, &err) == DS_OK);
    size_t off = 0;
    while (off < b.len && (b.data[off] == '\n' || b.data[off] == '\r' || b.data[off] == ' '))
        off++; /* the .htm has a blank line before its XML declaration */
    xmlDocPtr x = xmlReadMemory(b.data + off, (int)(b.len - off), NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR);
    ds_buf_deinit(&b);
    DS_REQUIRE(x != NULL);
    size_t n = 0;
    xmlNode *root = xmlDocGetRootElement(x);
    for (xmlNode *c = root; c;) {
        if (c->type == XML_ELEMENT_NODE && c->ns && !strcmp((const char *)c->name, "context") &&
            !strcmp((const char *)c->ns->href, "http://www.xbrl.org/2003/instance"))
            n++;
        if (c->children && c->type == XML_ELEMENT_NODE) {
            c = c->children;
            continue;
        }
        while (c && !c->next && c != root)
            c = c->parent;
        c = c && c != root ? c->next : NULL;
    }
    xmlFreeDoc(x);
    return n;
}

static const ds_xbrl_fact *by_id(const ds_document *d, const char *id)
{
    for (size_t i = 0; i < d->n_facts; i++)
        if (d->facts[i].fact_id && !strcmp(d->facts[i].fact_id, id))
            return &d->facts[i];
    return NULL;
}

static void expect(const ds_document *d, const char *id, const char *concept, const char *value, const char *unit,
                   const char *shown)
{
    const ds_xbrl_fact *f = by_id(d, id);
    DS_CHECKF(f != NULL, "fact %s missing", id);
    if (!f)
        return;
    DS_CHECK_STREQ(f->concept, concept);
    DS_CHECK_STREQ(f->value, value);
    if (unit)
        DS_CHECK_STREQ(f->unit, unit);
    if (shown) /* the displayed number sits at the fact's offset in the text */
        DS_CHECKF(f->text_off < d->text.len && !strncmp(d->text.data + f->text_off, shown, strlen(shown)),
                  "%s: text at offset is \"%.20s\"", id,
                  f->text_off < d->text.len ? d->text.data + f->text_off : "(none)");
}

static void test_aeon(void)
{
    ds_document *ix = load("data/ixbrl_html/aeon-20230930x10q.htm", 0);
    ds_document *in = load("data/xbrl_instance/aeon-20230930x10q_htm.xml", 1);
    DS_CHECKF(ix->n_facts == 1132, "ixbrl: %zu facts", ix->n_facts);
    DS_CHECKF(in->n_facts == 1132, "instance: %zu facts", in->n_facts);
    DS_CHECK(count_contexts("data/ixbrl_html/aeon-20230930x10q.htm") == 374);
    DS_CHECK(count_contexts("data/xbrl_instance/aeon-20230930x10q_htm.xml") == 374);

    char **a = sorted_keys(ix), **b = sorted_keys(in);
    size_t i = 0, j = 0, diffs = 0, dups_a = 0, dups_b = 0;
    while (i < ix->n_facts || j < in->n_facts) {
        int c = i >= ix->n_facts ? 1 : j >= in->n_facts ? -1 : strcmp(a[i], b[j]);
        if (c == 0) {
            i++;
            j++;
            continue;
        }
        if (++diffs <= 10)
            fprintf(stderr, "only in %s: %.300s\n", c < 0 ? "ixbrl" : "instance", c < 0 ? a[i] : b[j]);
        if (c < 0)
            i++;
        else
            j++;
    }
    DS_CHECKF(diffs == 0, "%zu facts differ", diffs);
    for (size_t k = 1; k < ix->n_facts; k++)
        dups_a += !strcmp(a[k], a[k - 1]);
    for (size_t k = 1; k < in->n_facts; k++)
        dups_b += !strcmp(b[k], b[k - 1]);
    DS_CHECK(dups_a == dups_b);
    printf("aeon: %zu facts each side, %zu differences, %zu exact duplicates on each side\n", ix->n_facts, diffs,
           dups_a);
    /* fact ids are kept by the SEC: the same id has the same value */
    size_t same_id = 0;
    for (size_t k = 0; k < ix->n_facts; k++) {
        const ds_xbrl_fact *f = &ix->facts[k], *g = f->fact_id ? by_id(in, f->fact_id) : NULL;
        same_id += g && !strcmp(f->value, g->value) && !strcmp(f->concept, g->concept);
    }
    DS_CHECK(same_id == 1132);
    for (size_t k = 0; k < ix->n_facts; k++) {
        ds_free(a[k]);
        ds_free(b[k]);
    }
    free(a);
    free(b);

    /* scale, sign and SEC transforms in this filing */
    const ds_xbrl_fact *f = by_id(ix, "Hidden_U882MLf-yUKuU3yt3pb0oA");
    DS_CHECK(f && !strcmp(f->value, "-0.04") && !strcmp(f->unit, "USD/shares"));
    DS_CHECK_STREQ(ix->meta.company_name, "AEON Biopharma,\xC2\xA0Inc.");
    DS_CHECK_STREQ(ix->meta.cik, "0001837607");
    DS_CHECK_STREQ(ix->meta.form_type, "10-Q");
    DS_CHECK_STREQ(ix->meta.period_end, "2023-09-30");
    DS_CHECK_STREQ(ix->meta.fiscal_year, "2023");
    DS_CHECK_STREQ(in->meta.period_end, "2023-09-30");

    /* the text: sections and pages */
    int mdna = 0;
    for (size_t k = 0; k < ix->n_blocks; k++) {
        const ds_block *bl = &ix->blocks[k];
        if (!strncmp(bl->section, "Part I > Item 2", 15) && bl->kind == DS_BLOCK_KIND_HEADING &&
            !strncmp(ix->text.data + bl->text_off, "Liquidity", 9))
            mdna = 1;
    }
    DS_CHECK(mdna);
    DS_CHECKF(ix->n_pages == 66, "%d pages", ix->n_pages); /* 65 page breaks */
    ds_document_free(ix);
    ds_document_free(in);
}

static void test_apple(void)
{
    ds_document *d = load("data/ixbrl_html/Apple.10-Q.html", 0);
    DS_CHECKF(d->n_facts == 781, "%zu facts", d->n_facts); /* 683 ix:nonFraction + 98 ix:nonNumeric */
    /* "85,777" (millions, scale 6) in the statement of operations */
    expect(d, "f-62", "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax", "85777000000", "USD", "85,777");
    expect(d, "f-110", "us-gaap:NetIncomeLoss", "21448000000", "USD", "21,448");
    /* "(265)" shown, sign="-", no format */
    expect(d, "f-99", "us-gaap:NonoperatingIncomeExpense", "-265000000", "USD", "265");
    /* "1.40" per share, scale 0 */
    expect(d, "f-118", "us-gaap:EarningsPerShareDiluted", "1.4", "USD/shares", "1.40");
    const ds_xbrl_fact *f = by_id(d, "f-62");
    DS_CHECK(f && f->period_start && !strcmp(f->period_start, "2024-03-31") && !strcmp(f->period_end, "2024-06-29"));
    DS_CHECK(f && f->page == 3 && f->decimals && !strcmp(f->decimals, "-6"));
    DS_CHECK_STREQ(d->meta.company_name, "Apple Inc.");
    DS_CHECK_STREQ(d->meta.cik, "0000320193");
    DS_CHECK_STREQ(d->meta.fiscal_year, "2024");
    DS_CHECK_STREQ(d->meta.period_end, "2024-06-29");
    DS_CHECK(d->n_pages == 24);
    /* the statement of operations as a table: "$" cells merged into the values */
    DS_CHECK(strstr(d->text.data, "Products | $61,564 | $60,584 | $224,908 | $230,901") != NULL);
    int item2 = 0;
    for (size_t k = 0; k < d->n_blocks; k++)
        item2 |= d->blocks[k].kind == DS_BLOCK_KIND_HEADING && !strcmp(d->blocks[k].section, "Part I > Item 2");
    DS_CHECK(item2);
    ds_document_free(d);
}

static void test_oracle(void)
{
    ds_document *d = load("data/ixbrl_html/Oracle.10-Q.html", 0);
    DS_CHECKF(d->n_facts == 566, "%zu facts", d->n_facts); /* 495 + 71 */
    expect(d, "F_8098ba38-aec0-4b8d-995b-b943c1b6308f", "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax",
           "13307000000", "USD", "13,307");
    /* "(20,939)" with sign="-" */
    expect(d, "F_de3072a9-a493-40c9-b532-d810c27087c9", "us-gaap:RetainedEarningsAccumulatedDeficit", "-20939000000",
           "USD", "20,939");
    DS_CHECK_STREQ(d->meta.company_name, "Oracle Corporation");
    DS_CHECK_STREQ(d->meta.cik, "0001341439");
    DS_CHECK_STREQ(d->meta.fiscal_year, "2025");
    DS_CHECK_STREQ(d->meta.period_end, "2024-08-31");
    ds_document_free(d);
}

static void test_simple(void)
{
    ds_document *d = load("data/ixbrl_html/ixbrl.simple.html", 0);
    DS_CHECK(d->n_facts == 7);
    DS_CHECK_STREQ(d->meta.form_type, "DEF 14A");
    DS_CHECK_STREQ(d->meta.cik, "0000016040");
    const ds_xbrl_fact *f = NULL;
    for (size_t k = 0; k < d->n_facts; k++)
        if (!strcmp(d->facts[k].concept, "ecd:PeoName"))
            f = &d->facts[k];
    DS_CHECK(f && !strcmp(f->value, "Sean D. Keohane"));
    DS_CHECK(f && f->period_start && !strcmp(f->period_start, "2022-10-01"));
    /* its continuations are not in the file: noted, value kept */
    int noted = 0;
    for (size_t k = 0; k < d->n_notes; k++)
        noted += strstr(d->notes[k], "TextSelection_97707940 not found") != NULL;
    DS_CHECK(noted == 1);
    DS_CHECK(strstr(d->text.data, "Pay Versus Performance") != NULL);
    DS_CHECK(strstr(d->text.data, "0000016040") == NULL); /* hidden */
    ds_document_free(d);
}

static void test_instances(void)
{
    ds_document *d = load("data/xbrl_instance/nflx-20100930.xml", 1);
    DS_CHECKF(d->n_facts == 303, "%zu facts", d->n_facts);
    int rev = 0, shares = 0;
    for (size_t k = 0; k < d->n_facts; k++) {
        const ds_xbrl_fact *f = &d->facts[k];
        if (!strcmp(f->concept, "us-gaap:Revenues") && f->period_start && !strcmp(f->period_start, "2010-07-01"))
            rev += !strcmp(f->value, "553219000") && !strcmp(f->unit, "USD") && !strcmp(f->period_end, "2010-09-30");
        if (!strcmp(f->concept, "dei:EntityCommonStockSharesOutstanding"))
            shares += !strcmp(f->value, "52257495") && !strcmp(f->decimals, "INF") && !strcmp(f->unit, "shares");
        DS_CHECK(strncmp(f->concept, "us-gaap-", 8) != 0);
    }
    DS_CHECK(rev == 1 && shares == 1);
    DS_CHECK_STREQ(d->meta.company_name, "NETFLIX INC");
    DS_CHECK_STREQ(d->meta.cik, "0001065280");
    DS_CHECK_STREQ(d->meta.form_type, "10-Q");
    ds_document_free(d);

    d = load("data/xbrl_instance/WatersCorp.8-K.xbrl.xml", 1);
    DS_CHECK(d->n_facts == 22);
    DS_CHECK_STREQ(d->meta.company_name, "WATERS CORP /DE/");
    DS_CHECK_STREQ(d->meta.cik, "0001000697");
    DS_CHECK_STREQ(d->meta.form_type, "8-K");
    DS_CHECK_STREQ(d->meta.period_end, "2024-01-08");
    for (size_t k = 0; k < d->n_facts; k++) {
        const ds_xbrl_fact *f = &d->facts[k];
        DS_CHECK(!f->is_numeric && f->unit == NULL && !strncmp(f->concept, "dei:", 4));
        DS_CHECK(f->period_start && !strcmp(f->period_start, "2024-01-08") && !strcmp(f->period_end, "2024-01-08"));
        DS_CHECK(f->entity && !strcmp(f->entity, "0001000697"));
    }
    const ds_xbrl_fact *f = by_id(d, "Hidden_dei_SecurityExchangeName");
    DS_CHECK(f && !strcmp(f->value, "NYSE"));
    ds_document_free(d);
}

int main(void)
{
    if (!ds_test_shared("data/ixbrl_html/aeon-20230930x10q.htm") ||
        !ds_test_shared("data/xbrl_instance/aeon-20230930x10q_htm.xml"))
        ds_test_skip("../shared/data is absent");
    xmlInitParser();
    test_aeon();
    test_apple();
    test_oracle();
    test_simple();
    test_instances();
    return ds_test_done();
}
