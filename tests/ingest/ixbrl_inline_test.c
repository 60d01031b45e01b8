/* ixbrl_inline_test.c - ds_html_parse on small committed documents: inline XBRL facts (scale,
 * sign, formats, nested, nil, hidden, continuation chains, exclusions, typed and explicit
 * dimensions, divide units, prefixes bound to other names), cover metadata, and the text
 * model (headings, section paths, lists, EDGAR tables, hidden content, pages, furniture).
 * The same document is also read through the HTML parser fallback and must give the same
 * facts. */
#include "extract/facts.h"
#include "ingest/ingest.h"
#include "tests/testlib.h"

#include <stdint.h>

/* An iXBRL document whose prefixes are not the usual ones: gaap -> us-gaap, cover -> dei. */
#define IX_HEAD                                                                                       \
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"                                                    \
    "<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:ix=\"http://www.xbrl.org/2013/inlineXBRL\""   \
    " xmlns:ixt=\"http://www.xbrl.org/inlineXBRL/transformation/2020-02-12\""                         \
    " xmlns:ixt-sec=\"http://www.sec.gov/inlineXBRL/transformation/2015-08-31\""                      \
    " xmlns:xbrli=\"http://www.xbrl.org/2003/instance\" xmlns:xbrldi=\"http://xbrl.org/2006/xbrldi\"" \
    " xmlns:iso4217=\"http://www.xbrl.org/2003/iso4217\" xmlns:gaap=\"http://fasb.org/us-gaap/2023\"" \
    " xmlns:cover=\"http://xbrl.sec.gov/dei/2023\" xmlns:acme=\"http://acme.example/20231231\""       \
    " xmlns:xs=\"http://www.w3.org/2001/XMLSchema-instance\">\n"                                      \
    "<head><title>acme-20231231</title><style>.x{color:red}</style>"                                  \
    "<script>var secret = \"script text\";</script></head>\n<body>\n"

static const char ix_doc_fmt[] = IX_HEAD
    "<div style=\"display:none\"><ix:header><ix:hidden>"
    "<ix:nonNumeric name=\"cover:DocumentType\" contextRef=\"FY\">10-K</ix:nonNumeric>"
    "<ix:nonNumeric name=\"cover:EntityCentralIndexKey\" contextRef=\"FY\">0000999999</ix:nonNumeric>"
    "<ix:nonNumeric name=\"cover:DocumentFiscalYearFocus\" contextRef=\"FY\">2023</ix:nonNumeric>"
    "<ix:nonFraction name=\"gaap:CommitmentsAndContingencies\" contextRef=\"I2023\" unitRef=\"USD\" xs:nil=\"true\"/>"
    "</ix:hidden><ix:resources>"
    "<xbrli:context id=\"FY\"><xbrli:entity><xbrli:identifier scheme=\"http://www.sec.gov/CIK\">0000999999"
    "</xbrli:identifier></xbrli:entity><xbrli:period><xbrli:startDate>2023-01-01</xbrli:startDate>"
    "<xbrli:endDate>2023-12-31</xbrli:endDate></xbrli:period></xbrli:context>"
    "<xbrli:context id=\"I2023\"><xbrli:entity><xbrli:identifier scheme=\"http://www.sec.gov/CIK\">0000999999"
    "</xbrli:identifier></xbrli:entity><xbrli:period><xbrli:instant>2023-12-31</xbrli:instant></xbrli:period>"
    "</xbrli:context>"
    "<xbrli:context id=\"FY_seg\"><xbrli:entity><xbrli:identifier scheme=\"http://www.sec.gov/CIK\">0000999999"
    "</xbrli:identifier><xbrli:segment>"
    "<xbrldi:explicitMember dimension=\"gaap:StatementBusinessSegmentsAxis\">acme:WidgetsMember</xbrldi:explicitMember>"
    "<xbrldi:explicitMember dimension=\"acme:RegionAxis\">acme:EuropeMember</xbrldi:explicitMember>"
    "</xbrli:segment></xbrli:entity><xbrli:period><xbrli:startDate>2023-01-01</xbrli:startDate>"
    "<xbrli:endDate>2023-12-31</xbrli:endDate></xbrli:period></xbrli:context>"
    "<xbrli:context id=\"FY_typed\"><xbrli:entity><xbrli:identifier scheme=\"http://www.sec.gov/CIK\">0000999999"
    "</xbrli:identifier></xbrli:entity><xbrli:period><xbrli:startDate>2023-01-01</xbrli:startDate>"
    "<xbrli:endDate>2023-12-31</xbrli:endDate></xbrli:period><xbrli:scenario>"
    "<xbrldi:typedMember dimension=\"acme:ContractIdAxis\"><acme:ContractId> C-42 </acme:ContractId>"
    "</xbrldi:typedMember></xbrli:scenario></xbrli:context>"
    "<xbrli:unit id=\"USD\"><xbrli:measure>iso4217:USD</xbrli:measure></xbrli:unit>"
    "<xbrli:unit id=\"shares\"><xbrli:measure>xbrli:shares</xbrli:measure></xbrli:unit>"
    "<xbrli:unit id=\"pure\"><xbrli:measure>xbrli:pure</xbrli:measure></xbrli:unit>"
    "<xbrli:unit id=\"USDps\"><xbrli:divide><xbrli:unitNumerator><xbrli:measure>iso4217:USD</xbrli:measure>"
    "</xbrli:unitNumerator><xbrli:unitDenominator><xbrli:measure>xbrli:shares</xbrli:measure>"
    "</xbrli:unitDenominator></xbrli:divide></xbrli:unit>"
    "</ix:resources></ix:header></div>\n"
    "<p style=\"font-weight:bold\">ACME CORP</p>\n"
    "<p>Registrant: <ix:nonNumeric name=\"cover:EntityRegistrantName\" contextRef=\"FY\">Acme%sCorp"
    "</ix:nonNumeric>. Period ended <ix:nonNumeric name=\"cover:DocumentPeriodEndDate\" contextRef=\"FY\""
    " format=\"ixt:date-monthname-day-year-en\">December 31, 2023</ix:nonNumeric>. Shell company "
    "<ix:nonNumeric name=\"cover:EntityShellCompany\" contextRef=\"FY\" format=\"ixt-sec:boolballotbox\">"
    "\xE2\x98\x90</ix:nonNumeric></p>\n"
    "<div style=\"font-weight:bold\">PART I</div>\n"
    "<p><b>Item 7. Management&#8217;s Discussion and Analysis</b></p>\n"
    "<p><span style=\"font-weight:700\">Liquidity</span></p>\n"
    "<p>Net loss was $(<ix:nonFraction name=\"gaap:NetIncomeLoss\" contextRef=\"FY\" unitRef=\"USD\""
    " decimals=\"-5\" scale=\"6\" sign=\"-\" format=\"ixt:num-dot-decimal\" id=\"f-loss\">1,234.5</ix:nonFraction>)"
    " million, and the outstanding shares were <ix:nonFraction name=\"cover:EntityCommonStockSharesOutstanding\""
    " contextRef=\"I2023\" unitRef=\"shares\" decimals=\"INF\" format=\"ixt-sec:numwordsen\">twenty-one thousand"
    "</ix:nonFraction>. The term is <ix:nonNumeric name=\"acme:Term\" contextRef=\"FY\""
    " format=\"ixt-sec:durwordsen\">two years and six months</ix:nonNumeric>.</p>\n"
    "<table>\n"
    "<tr><td></td><td colspan=\"3\" style=\"font-weight:bold\">Year ended</td></tr>\n"
    "<tr><td>Revenue</td><td>$</td><td><ix:nonFraction name=\"gaap:Revenues\" contextRef=\"FY\" unitRef=\"USD\""
    " decimals=\"-3\" scale=\"3\" format=\"ixt:num-dot-decimal\">12,500</ix:nonFraction></td><td></td></tr>\n"
    "<tr><td>Widgets revenue</td><td>$</td><td><ix:nonFraction name=\"gaap:Revenues\" contextRef=\"FY_seg\""
    " unitRef=\"USD\" decimals=\"-3\" scale=\"3\" format=\"ixt:num-comma-decimal\">1.234,5</ix:nonFraction></td>"
    "<td></td></tr>\n"
    "<tr><td>Other loss</td><td>$</td><td>(<ix:nonFraction name=\"acme:OtherLoss\" contextRef=\"FY\""
    " unitRef=\"USD\" scale=\"3\" sign=\"-\" decimals=\"-3\" format=\"ixt:fixed-zero\">&#8212;</ix:nonFraction>"
    "</td><td>)</td></tr>\n"
    "<tr><td>Margin</td><td></td><td><ix:nonFraction name=\"acme:Margin\" contextRef=\"FY\" unitRef=\"pure\""
    " decimals=\"3\" scale=\"-2\" format=\"ixt:num-dot-decimal\">12.5</ix:nonFraction></td><td>%%</td></tr>\n"
    "<tr><td>Basic EPS</td><td>$</td><td><ix:nonFraction name=\"gaap:EarningsPerShareBasic\" contextRef=\"FY\""
    " unitRef=\"USDps\" decimals=\"2\">1.50</ix:nonFraction></td><td></td></tr>\n"
    "<tr><td>Backlog</td><td>$</td><td><ix:nonFraction name=\"acme:BacklogOuter\" contextRef=\"FY\""
    " unitRef=\"USD\" decimals=\"-3\" scale=\"3\" format=\"ixt:num-dot-decimal\"><ix:nonFraction"
    " name=\"acme:BacklogInner\" contextRef=\"FY\" unitRef=\"USD\" decimals=\"-3\" scale=\"3\""
    " format=\"ixt:num-dot-decimal\">7,000</ix:nonFraction></ix:nonFraction></td><td></td></tr>\n"
    "<tr><td>Contract C-42</td><td></td><td><ix:nonFraction name=\"acme:ContractValue\" contextRef=\"FY_typed\""
    " unitRef=\"USD\" decimals=\"0\">500</ix:nonFraction></td><td></td></tr>\n"
    "</table>\n"
    "<h3>Results</h3>\n"
    "<ul><li>First risk</li><li>Second risk</li></ul>\n"
    "<ix:nonNumeric name=\"gaap:DebtDisclosureTextBlock\" contextRef=\"FY\" escape=\"true\" continuedAt=\"c1\">"
    "<p>Debt note part one.</p><ix:exclude><p>Page 12</p></ix:exclude></ix:nonNumeric>\n"
    "<p>Unrelated paragraph.</p>\n"
    "<p>7</p>\n"
    "<hr style=\"page-break-after:always\"/>\n"
    "<ix:continuation id=\"c1\" continuedAt=\"c2\"><p>Part two.</p></ix:continuation>\n"
    "<ix:continuation id=\"c2\"><p>Part three.</p></ix:continuation>\n"
    "<ix:nonNumeric name=\"acme:Looping\" contextRef=\"FY\" continuedAt=\"loop\">Start</ix:nonNumeric>"
    "<ix:continuation id=\"loop\" continuedAt=\"loop\"> and again</ix:continuation>\n"
    "<div style=\"font-weight:bold\">PART II</div>\n"
    "<p><b>Item 1A. Risk Factors</b></p>\n"
    "<p>Risks are described here.</p>\n"
    "</body></html>\n";

static const ds_xbrl_fact *find(const ds_document *d, const char *concept, const char *ctx)
{
    for (size_t i = 0; i < d->n_facts; i++)
        if (!strcmp(d->facts[i].concept, concept) && (!ctx || !strcmp(d->facts[i].context_id, ctx)))
            return &d->facts[i];
    return NULL;
}

static void check_fact(const ds_document *d, const char *concept, const char *ctx, const char *value, const char *unit)
{
    const ds_xbrl_fact *f = find(d, concept, ctx);
    DS_CHECKF(f != NULL, "fact %s in %s missing", concept, ctx);
    if (!f)
        return;
    DS_CHECK_STREQ(f->value, value);
    if (unit)
        DS_CHECK_STREQ(f->unit, unit);
    else
        DS_CHECK(f->unit == NULL);
}

static const ds_block *block_with(const ds_document *d, const char *text)
{
    for (size_t i = 0; i < d->n_blocks; i++) {
        const ds_block *b = &d->blocks[i];
        if (b->text_len == strlen(text) && !memcmp(d->text.data + b->text_off, text, b->text_len))
            return b;
    }
    return NULL;
}

static ds_document *parse(const char *src, ds_doc_kind kind, ds_status *st)
{
    ds_err err = {0};
    ds_document *d;
    DS_REQUIRE(ds_document_create(&d, &err) == DS_OK);
    d->name = "inline.htm";
    d->kind = kind;
    ds_ingest_limits lim = {0};
    *st = ds_html_parse(d, (const unsigned char *)src, strlen(src), &lim, &err);
    if (*st != DS_OK)
        fprintf(stderr, "parse: %s\n", err.msg);
    return d;
}

static void check_facts(const ds_document *d)
{
    DS_CHECKF(d->n_facts == 20, "%zu facts", d->n_facts);
    /* scale 6 and sign "-" on "1,234.5" */
    check_fact(d, "us-gaap:NetIncomeLoss", "FY", "-1234500000", "USD");
    check_fact(d, "dei:EntityCommonStockSharesOutstanding", "I2023", "21000", "shares");
    check_fact(d, "us-gaap:Revenues", "FY", "12500000", "USD");
    check_fact(d, "us-gaap:Revenues", "FY_seg", "1234500", "USD");
    check_fact(d, "acme:OtherLoss", "FY", "0", "USD");
    check_fact(d, "acme:Margin", "FY", "0.125", "pure");
    check_fact(d, "us-gaap:EarningsPerShareBasic", "FY", "1.5", "USD/shares");
    check_fact(d, "acme:BacklogOuter", "FY", "7000000", "USD");
    check_fact(d, "acme:BacklogInner", "FY", "7000000", "USD");
    check_fact(d, "acme:ContractValue", "FY_typed", "500", "USD");
    check_fact(d, "dei:EntityRegistrantName", "FY",
               "Acme\xC2\xA0"
               "Corp",
               NULL);
    check_fact(d, "dei:DocumentPeriodEndDate", "FY", "2023-12-31", NULL);
    check_fact(d, "dei:EntityShellCompany", "FY", "false", NULL);
    check_fact(d, "acme:Term", "FY", "P2Y6M", NULL);
    check_fact(d, "dei:DocumentType", "FY", "10-K", NULL);
    /* continuation chain, with ix:exclude content left out */
    check_fact(d, "us-gaap:DebtDisclosureTextBlock", "FY", "Debt note part one. Part two. Part three.", NULL);
    /* a continuation pointing at itself ends with a note, not a hang */
    check_fact(d, "acme:Looping", "FY", "Start and again", NULL);

    const ds_xbrl_fact *f = find(d, "us-gaap:CommitmentsAndContingencies", "I2023");
    DS_CHECK(f && f->is_nil && f->is_numeric && f->value && !f->value[0]);
    DS_CHECK(f && f->period_start == NULL && f->period_end && !strcmp(f->period_end, "2023-12-31"));
    DS_CHECK(f && f->text_off == SIZE_MAX && f->page == 0); /* hidden: not in the text */

    f = find(d, "us-gaap:NetIncomeLoss", "FY");
    DS_CHECK(f && f->is_numeric && !f->is_nil);
    DS_CHECK(f && f->decimals && !strcmp(f->decimals, "-5"));
    DS_CHECK(f && f->fact_id && !strcmp(f->fact_id, "f-loss"));
    DS_CHECK(f && f->entity && !strcmp(f->entity, "0000999999"));
    DS_CHECK(f && f->period_start && !strcmp(f->period_start, "2023-01-01"));
    DS_CHECK(f && f->dimensions && !strcmp(f->dimensions, ""));
    /* the fact's displayed text is at its offset in the document text */
    DS_CHECK(f && f->text_off < d->text.len && !strncmp(d->text.data + f->text_off, "1,234.5", 7));
    DS_CHECK(f && f->page == 1);

    f = find(d, "us-gaap:Revenues", "FY_seg");
    DS_CHECK_STREQ(f ? f->dimensions : NULL,
                   "acme:RegionAxis=acme:EuropeMember;us-gaap:StatementBusinessSegmentsAxis=acme:WidgetsMember");
    DS_CHECK(f && f->text_off < d->text.len && !strncmp(d->text.data + f->text_off, "1.234,5", 7));
    f = find(d, "acme:ContractValue", "FY_typed");
    DS_CHECK_STREQ(f ? f->dimensions : NULL, "acme:ContractIdAxis=C-42");
    f = find(d, "us-gaap:DebtDisclosureTextBlock", "FY");
    DS_CHECK(f && !f->is_numeric && f->unit == NULL && f->decimals == NULL);
    DS_CHECK(f && f->text_off < d->text.len && !strncmp(d->text.data + f->text_off, "Debt note part one.", 19));

    /* cover facts */
    DS_CHECK_STREQ(d->meta.company_name, "Acme\xC2\xA0"
                                         "Corp");
    DS_CHECK_STREQ(d->meta.cik, "0000999999");
    DS_CHECK_STREQ(d->meta.form_type, "10-K");
    DS_CHECK_STREQ(d->meta.period_end, "2023-12-31");
    DS_CHECK_STREQ(d->meta.fiscal_year, "2023");
    DS_CHECK_STREQ(d->meta.title, "acme-20231231");
}

static void check_text(const ds_document *d)
{
    const char *t = d->text.data;
    DS_CHECK(strstr(t, "script text") == NULL);
    DS_CHECK(strstr(t, "color:red") == NULL);
    DS_CHECK(strstr(t, "10-K") == NULL);       /* only in ix:header */
    DS_CHECK(strstr(t, "0000999999") == NULL); /* context identifiers are not text */
    DS_CHECK(strstr(t, "Registrant: Acme Corp. Period ended December 31, 2023.") != NULL);

    const ds_block *b = block_with(d, "ACME CORP");
    DS_CHECK(b && b->kind == DS_BLOCK_KIND_HEADING);
    b = block_with(d, "PART I");
    DS_CHECK(b && b->kind == DS_BLOCK_KIND_HEADING && b->level == 1);
    b = block_with(d, "Item 7. Management\xE2\x80\x99s Discussion and Analysis");
    DS_CHECK(b && b->kind == DS_BLOCK_KIND_HEADING && b->level == 2);
    DS_CHECK_STREQ(b ? b->section : NULL, "Part I > Item 7");
    b = block_with(d, "Liquidity");
    DS_CHECK(b && b->kind == DS_BLOCK_KIND_HEADING && b->level == 3);
    DS_CHECK_STREQ(b ? b->section : NULL, "Part I > Item 7 > Liquidity");
    b = block_with(d, "Net loss was $(1,234.5) million, and the outstanding shares were twenty-one thousand. "
                      "The term is two years and six months.");
    DS_CHECK(b && b->kind == DS_BLOCK_KIND_PARAGRAPH);
    DS_CHECK_STREQ(b ? b->section : NULL, "Part I > Item 7 > Liquidity");
    b = block_with(d, "Results");
    DS_CHECK(b && b->kind == DS_BLOCK_KIND_HEADING && b->level == 3);
    b = block_with(d, "First risk");
    DS_CHECK(b && b->kind == DS_BLOCK_KIND_LIST_ITEM);
    DS_CHECK_STREQ(b ? b->section : NULL, "Part I > Item 7 > Results");
    b = block_with(d, "Second risk");
    DS_CHECK(b && b->kind == DS_BLOCK_KIND_LIST_ITEM);
    b = block_with(d, "Risks are described here.");
    DS_CHECK_STREQ(b ? b->section : NULL, "Part II > Item 1A");
    DS_CHECK(b && b->page_first == 2);

    /* the table: "$" and ")" merged into their values, spacer columns dropped */
    const ds_table *tb = NULL;
    for (size_t i = 0; i < d->n_blocks && !tb; i++)
        if (d->blocks[i].kind == DS_BLOCK_KIND_TABLE)
            tb = d->blocks[i].table;
    DS_REQUIRE(tb != NULL);
    DS_CHECKF(tb->n_cols == 2 && tb->n_rows == 8, "%zu x %zu", tb->n_rows, tb->n_cols);
    DS_CHECK(tb->header_rows == 1);
    if (tb->n_cols == 2 && tb->n_rows == 8) {
        DS_CHECK_STREQ(tb->cells[0 * 2 + 1], "Year ended");
        DS_CHECK_STREQ(tb->cells[1 * 2 + 0], "Revenue");
        DS_CHECK_STREQ(tb->cells[1 * 2 + 1], "$12,500");
        DS_CHECK_STREQ(tb->cells[3 * 2 + 1], "$(\xE2\x80\x94)");
        DS_CHECK_STREQ(tb->cells[4 * 2 + 1], "12.5%");
        DS_CHECK(strncmp(t + tb->row_offsets[1], "Revenue | $12,500", 17) == 0);
    }

    /* pages: "7" before the page break is a footer */
    DS_CHECK(d->n_pages == 2);
    DS_CHECK(block_with(d, "7") == NULL);
    int found = 0;
    for (size_t i = 0; i < d->n_furniture; i++)
        found |= !strcmp(d->furniture[i], "7");
    DS_CHECK(found);
    /* every block lies in the text and is valid */
    for (size_t i = 0; i < d->n_blocks; i++)
        DS_CHECK(d->blocks[i].text_off + d->blocks[i].text_len <= d->text.len);
}

/* Plain HTML, EDGAR style: tables with split "$" and ")" cells, colspan headers, rowspan. */
static void test_edgar_table(void)
{
    static const char html[] =
        "<html><body><p>Intro text</p><table>"
        "<tr><td></td><td colspan=\"3\" align=\"center\"><b>Three Months Ended</b></td><td></td>"
        "<td colspan=\"3\"><b>Nine Months Ended</b></td></tr>"
        "<tr><td></td><td colspan=\"3\">2024</td><td></td><td colspan=\"3\">2023</td></tr>"
        "<tr><td>Net sales</td><td>$</td><td>85,777</td><td></td><td></td><td>$</td><td>81,797</td><td></td></tr>"
        "<tr><td>Other income/(expense), net</td><td></td><td>(142</td><td>)</td><td></td><td></td><td>(265</td>"
        "<td>)</td></tr>"
        "<tr><td>Gross margin</td><td></td><td>46.3</td><td>%</td><td></td><td></td><td>44.5</td><td>%</td></tr>"
        "<tr><td rowspan=\"2\">Segments</td><td></td><td>1</td><td></td><td></td><td></td><td>2</td><td></td></tr>"
        "<tr><td></td><td>3</td><td></td><td></td><td></td><td>4</td><td></td></tr>"
        "<tr><td>&nbsp;</td><td>&nbsp;</td><td></td><td></td><td></td><td></td><td></td><td></td></tr>"
        "</table></body></html>";
    ds_status st;
    ds_document *d = parse(html, DS_DOC_KIND_HTML, &st);
    DS_CHECK(st == DS_OK);
    const ds_table *tb = NULL;
    for (size_t i = 0; i < d->n_blocks && !tb; i++)
        if (d->blocks[i].kind == DS_BLOCK_KIND_TABLE)
            tb = d->blocks[i].table;
    DS_REQUIRE(tb != NULL);
    DS_CHECKF(tb->n_rows == 7 && tb->n_cols == 3, "%zu x %zu", tb->n_rows, tb->n_cols);
    DS_CHECK(tb->header_rows == 2);
    if (tb->n_rows == 7 && tb->n_cols == 3) {
        const char *want[7][3] = {{"", "Three Months Ended", "Nine Months Ended"},
                                  {"", "2024", "2023"},
                                  {"Net sales", "$85,777", "$81,797"},
                                  {"Other income/(expense), net", "(142)", "(265)"},
                                  {"Gross margin", "46.3%", "44.5%"},
                                  {"Segments", "1", "2"},
                                  {"", "3", "4"}};
        for (size_t r = 0; r < 7; r++)
            for (size_t c = 0; c < 3; c++)
                DS_CHECK_STREQ(tb->cells[r * 3 + c], want[r][c]);
    }
    DS_CHECK(strstr(d->text.data, "Net sales | $85,777 | $81,797") != NULL);
    ds_document_free(d);
}

/* Pages cut at CSS page breaks; bare page numbers and running footers go to the furniture. */
static void test_pages(void)
{
    static const char html[] = "<html><body><p>Page one text.</p><p>Acme Corp | Form 10-K | 1</p>"
                               "<div style=\"page-break-after:always\"></div>"
                               "<p>Page two text.</p><p>Acme Corp | Form 10-K | 2</p>"
                               "<div style=\"break-before:page\"></div>"
                               "<p>Table of Contents</p><p>Page three text.</p><p>Acme Corp | Form 10-K | 3</p>"
                               "<hr style=\"page-break-after:always\"><hr style=\"page-break-after:always\">"
                               "<p>Page four text.</p><p>ii</p></body></html>";
    ds_status st;
    ds_document *d = parse(html, DS_DOC_KIND_HTML, &st);
    DS_CHECK(st == DS_OK);
    DS_CHECKF(d->n_pages == 4, "%d pages", d->n_pages); /* two breaks in a row make one */
    const ds_block *b = block_with(d, "Page three text.");
    DS_CHECK(b && b->page_first == 3 && b->page_last == 3);
    b = block_with(d, "Page four text.");
    DS_CHECK(b && b->page_first == 4);
    DS_CHECK(block_with(d, "Acme Corp | Form 10-K | 1") != NULL); /* not yet known to repeat */
    DS_CHECK(block_with(d, "Acme Corp | Form 10-K | 2") == NULL);
    DS_CHECK(block_with(d, "Acme Corp | Form 10-K | 3") == NULL);
    DS_CHECK(block_with(d, "Table of Contents") == NULL);
    DS_CHECK(block_with(d, "ii") == NULL);
    DS_CHECKF(d->n_furniture == 4, "%zu furniture lines", d->n_furniture);
    DS_CHECK(d->n_blocks == 5);
    ds_document_free(d);
}

/* The facts drawn from the document carry their element's id as an anchor when the element is
 * shown (a link's #fragment); a hidden fact and one without an id carry none. */
static void check_anchors(ds_document *d)
{
    ds_chunk_list chunks = {0};
    ds_fact_list facts = {0};
    ds_err err = {0};
    DS_REQUIRE(ds_extract_xbrl_facts(d, &chunks, &facts, &err) == DS_OK);
    int seen = 0;
    for (size_t i = 0; i < facts.n; i++) {
        const ds_fact *f = &facts.v[i];
        if (!strcmp(f->concept, "us-gaap:NetIncomeLoss")) {
            DS_CHECK(f->anchor && !strcmp(f->anchor, "f-loss"));
            seen++;
        } else if (!strcmp(f->concept, "dei:DocumentType") ||
                   !strcmp(f->concept, "dei:EntityCommonStockSharesOutstanding")) {
            DS_CHECK(f->anchor == NULL);
            seen++;
        }
    }
    DS_CHECK(seen == 3);
    ds_fact_list_free(&facts);
}

int main(void)
{
    char src[sizeof ix_doc_fmt + 64];

    /* well-formed XHTML: the XML parser */
    snprintf(src, sizeof src, ix_doc_fmt, "&#160;");
    ds_status st;
    ds_document *a = parse(src, DS_DOC_KIND_IXBRL, &st);
    DS_CHECK(st == DS_OK);
    check_facts(a);
    check_text(a);
    for (size_t i = 0; i < a->n_notes; i++)
        printf("note: %s\n", a->notes[i]);
    DS_CHECK(a->n_notes == 1); /* the circular continuation */
    check_anchors(a);

    /* the same with an HTML entity XML does not know: falls back to the HTML parser */
    snprintf(src, sizeof src, ix_doc_fmt, "&nbsp;");
    ds_document *b = parse(src, DS_DOC_KIND_IXBRL, &st);
    DS_CHECK(st == DS_OK);
    DS_CHECK(b->n_notes >= 1 && strstr(b->notes[0], "html parser") != NULL);
    check_facts(b);
    check_text(b);
    DS_CHECK(a->n_facts == b->n_facts);
    for (size_t i = 0; i < a->n_facts && i < b->n_facts; i++) {
        const ds_xbrl_fact *x = &a->facts[i], *y = &b->facts[i];
        DS_CHECK_STREQ(x->concept, y->concept);
        DS_CHECK_STREQ(x->value, y->value);
        DS_CHECK_STREQ(x->context_id, y->context_id);
        DS_CHECK_STREQ(x->dimensions, y->dimensions);
        DS_CHECK(x->text_off == y->text_off);
    }
    DS_CHECK(a->text.len == b->text.len && !memcmp(a->text.data, b->text.data, a->text.len));
    ds_document_free(a);
    ds_document_free(b);

    test_edgar_table();
    test_pages();
    return ds_test_done();
}
