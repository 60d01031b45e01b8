/* edgar_parse_test.c - tests of ds_edgar_parse (ingest/edgar.c) end to end, with the real HTML, XBRL,
 * PDF and text parsers: metadata from the header, one section per part, skipped parts as
 * notes, a uuencoded PDF read with its pages, and the failure rules. */
#include "ingest/ingest.h"
#include "pipeline/core/alloc.h"
#include "pipeline/core/buf.h"
#include "tests/testlib.h"

static char *read_shared(const char *rel, size_t *n)
{
    const char *path = ds_test_shared(rel);
    if (!path) {
        printf("skip part: %s not found\n", rel);
        return NULL;
    }
    ds_buf b = DS_BUF_INIT;
    ds_err err = {0};
    DS_REQUIRE(ds_buf_read_file(&b, path, 0, &err) == DS_OK);
    *n = b.len;
    return ds_buf_take(&b);
}

static ds_status parse(ds_document *doc, const char *name, const void *data, size_t n, ds_err *err)
{
    ds_ingest_limits lim;
    ds_ingest_limits_default(&lim);
    doc->name = ds_doc_strdup(doc, name);
    doc->kind = DS_DOC_KIND_EDGAR;
    return ds_edgar_parse(doc, data, n, &lim, err);
}

static int has_section_prefix(const ds_document *d, const char *prefix)
{
    for (size_t i = 0; i < d->n_blocks; i++)
        if (strncmp(d->blocks[i].section, prefix, strlen(prefix)) == 0)
            return 1;
    return 0;
}

static int has_note(const ds_document *d, const char *a, const char *b)
{
    for (size_t i = 0; i < d->n_notes; i++)
        if (strstr(d->notes[i], a) && (!b || strstr(d->notes[i], b)))
            return 1;
    return 0;
}

static int text_has(const ds_document *d, const char *s)
{
    return d->text.data && strcasestr(d->text.data, s) != NULL;
}

static void test_tesla(void)
{
    size_t n;
    char *data = read_shared("data/edgar_fulltxt/0001564590-20-004475-minimal.txt", &n);
    if (!data)
        return;
    ds_err err = {0};
    ds_document *d;
    DS_REQUIRE(ds_document_create(&d, &err) == DS_OK);
    ds_status st = parse(d, "0001564590-20-004475-minimal.txt", data, n, &err);
    DS_CHECKF(st == DS_OK, "%s", err.msg);
    DS_CHECK_STREQ(d->meta.accession, "0001564590-20-004475");
    DS_CHECK_STREQ(d->meta.form_type, "10-K");
    DS_CHECK_STREQ(d->meta.filing_date, "2020-02-13");
    DS_CHECK_STREQ(d->meta.period_end, "2019-12-31");
    DS_CHECK_STREQ(d->meta.company_name, "Tesla, Inc.");
    DS_CHECK_STREQ(d->meta.cik, "0001318605");
    DS_CHECK_STREQ(d->meta.created, "2020-02-13T07:12:18");
    DS_CHECK_STREQ(d->meta.fiscal_year, "2019");
    DS_CHECK(has_section_prefix(d, "EX-21.1 tsla-ex211_20191231.htm"));
    DS_CHECK(text_has(d, "Tesla Energy Operations, Inc. (Delaware)"));
    ds_document_free(d);
    ds_free(data);
}

static void test_8k(void)
{
    size_t n;
    char *data = read_shared("data/edgar_fulltxt/0001213900-25-032135.txt", &n);
    if (!data)
        return;
    ds_err err = {0};
    ds_document *d;
    DS_REQUIRE(ds_document_create(&d, &err) == DS_OK);
    ds_status st = parse(d, "0001213900-25-032135.txt", data, n, &err);
    DS_CHECKF(st == DS_OK, "%s", err.msg);
    DS_CHECK_STREQ(d->meta.company_name, "ABVC BIOPHARMA, INC.");
    DS_CHECK_STREQ(d->meta.form_type, "8-K");
    DS_CHECK(d->meta.fiscal_year == NULL || strcmp(d->meta.fiscal_year, "2025") == 0);
    DS_CHECK(has_section_prefix(d, "8-K ea0238372-8k_abvcbio.htm"));
    DS_CHECK(has_section_prefix(d, "EX-99.1 ea023837201ex99-1_abvcbio.htm"));
    DS_CHECK(d->n_facts > 0); /* from the inline XBRL of the 8-K */
    DS_CHECK(has_note(d, "GRAPHIC ex99-1_001.jpg", "skipped"));
    DS_CHECK(has_note(d, "EX-101.SCH abvc-20250415.xsd", "skipped"));
    DS_CHECK(has_note(d, "XML R1.htm", "sec renderer"));
    DS_CHECK(has_note(d, "ZIP 0001213900-25-032135-xbrl.zip", "skipped"));
    DS_CHECK(has_note(d, "XML ea0238372-8k_abvcbio_htm.xml", "inline xbrl"));
    ds_document_free(d);
    ds_free(data);
}

static void test_form4_and_1995(void)
{
    size_t n;
    char *data = read_shared("data/edgar_fulltxt/0001127602-25-001055.txt", &n);
    if (data) {
        ds_err err = {0};
        ds_document *d;
        DS_REQUIRE(ds_document_create(&d, &err) == DS_OK);
        DS_CHECKF(parse(d, "x.txt", data, n, &err) == DS_OK, "%s", err.msg);
        DS_CHECK_STREQ(d->meta.company_name, "AAR CORP");
        DS_CHECK(d->meta.fiscal_year == NULL); /* not a periodic report */
        DS_CHECK(has_section_prefix(d, "EX-24 doc1.htm"));
        DS_CHECK(text_has(d, "attorney"));
        ds_document_free(d);
        ds_free(data);
    }
    data = read_shared("data/edgar_fulltxt/0000899681-95-000096.txt", &n);
    if (data) {
        ds_err err = {0};
        ds_document *d;
        DS_REQUIRE(ds_document_create(&d, &err) == DS_OK);
        DS_CHECKF(parse(d, "/some/dir/0000899681-95-000096.txt", data, n, &err) == DS_OK, "%s", err.msg);
        DS_CHECK_STREQ(d->meta.accession, "0000899681-95-000096");
        DS_CHECK(has_note(d, "accession number taken from the file name", NULL));
        DS_CHECK(has_section_prefix(d, "S-3/A 1"));
        DS_CHECK(has_section_prefix(d, "EX-99 2"));
        DS_CHECK(text_has(d, "Consent of Independent Auditors"));
        ds_document_free(d);
        ds_free(data);
    }
}

/* uuencodes src into b as EDGAR does ("begin 644 name", 45-byte lines, "`", "end"). */
static void uuencode(ds_buf *b, const unsigned char *src, size_t n, const char *name)
{
    ds_buf_printf(b, "begin 644 %s\n", name);
    for (size_t i = 0; i < n; i += 45) {
        size_t k = n - i < 45 ? n - i : 45;
        ds_buf_putc(b, (char)(32 + k));
        for (size_t g = 0; g < k; g += 3) {
            unsigned char t[3] = {0, 0, 0};
            for (size_t j = 0; j < 3 && g + j < k; j++)
                t[j] = src[i + g + j];
            unsigned v[4] = {t[0] >> 2u, ((t[0] & 3u) << 4) | (t[1] >> 4u), ((t[1] & 15u) << 2) | (t[2] >> 6u),
                             t[2] & 63u};
            for (int j = 0; j < 4; j++)
                ds_buf_putc(b, (char)(v[j] ? 32 + v[j] : '`'));
        }
        ds_buf_putc(b, '\n');
    }
    ds_buf_puts(b, "`\nend\n");
}

static void test_uuencoded_pdf(void)
{
    size_t n;
    char *pdf = read_shared("data/financial_pdf/2023 Q3 AAPL.pdf", &n);
    if (!pdf)
        return;
    ds_buf sub = DS_BUF_INIT;
    ds_buf_puts(&sub, "<SEC-DOCUMENT>0000320193-23-000077.txt : 20230804\n<SEC-HEADER>x\n"
                      "ACCESSION NUMBER:\t0000320193-23-000077\nCONFORMED SUBMISSION TYPE:\t10-Q\n"
                      "CONFORMED PERIOD OF REPORT:\t20230701\nFILER:\n\tCOMPANY DATA:\n"
                      "\t\tCOMPANY CONFORMED NAME:\tApple Inc.\n\t\tFISCAL YEAR END:\t0930\n</SEC-HEADER>\n"
                      "<DOCUMENT>\n<TYPE>10-Q\n<SEQUENCE>1\n<FILENAME>aapl-10q.txt\n<TEXT>\n"
                      "Quarterly report, plain text part.\n</TEXT>\n</DOCUMENT>\n"
                      "<DOCUMENT>\n<TYPE>PDF\n<SEQUENCE>2\n<FILENAME>aapl-10q.pdf\n<TEXT>\n<PDF>\n");
    uuencode(&sub, (unsigned char *)pdf, n, "aapl-10q.pdf");
    ds_buf_puts(&sub, "</PDF>\n</TEXT>\n</DOCUMENT>\n</SEC-DOCUMENT>\n");
    ds_err err = {0};
    ds_document *d;
    DS_REQUIRE(ds_document_create(&d, &err) == DS_OK);
    ds_status st = parse(d, "aapl.txt", sub.data, sub.len, &err);
    DS_CHECKF(st == DS_OK, "%s", err.msg);
    DS_CHECK(d->n_pages > 1);
    DS_CHECK(has_section_prefix(d, "PDF aapl-10q.pdf"));
    DS_CHECK(has_section_prefix(d, "10-Q aapl-10q.txt"));
    /* Page numbers run on through the parts: the PDF's blocks come after the text part's. */
    int last_text_page = -1, first_pdf_page = 0;
    for (size_t i = 0; i < d->n_blocks; i++) {
        if (strncmp(d->blocks[i].section, "10-Q ", 5) == 0 && d->blocks[i].page_last > last_text_page)
            last_text_page = d->blocks[i].page_last;
        if (strncmp(d->blocks[i].section, "PDF ", 4) == 0 && !first_pdf_page)
            first_pdf_page = d->blocks[i].page_first;
    }
    DS_CHECK(last_text_page >= 0 && first_pdf_page > last_text_page);
    DS_CHECK(d->n_pages >= first_pdf_page);
    DS_CHECK(text_has(d, "Quarterly report, plain text part."));
    DS_CHECK_STREQ(d->meta.fiscal_year, "2023"); /* period 2023-07-01, year end 0930 */
    ds_document_free(d);
    ds_buf_deinit(&sub);
    ds_free(pdf);
}

static void test_failures(void)
{
    ds_err err = {0};
    ds_document *d;
    DS_REQUIRE(ds_document_create(&d, &err) == DS_OK);
    const char *html = "<html><body><p>not a submission</p></body></html>\n";
    DS_CHECK(parse(d, "x.txt", html, strlen(html), &err) == DS_ERR_FORMAT);
    DS_CHECK(strstr(err.msg, "x.txt") != NULL);
    ds_document_free(d);

    size_t n;
    char *hdr = read_shared("data/edgar_fulltxt/header_with_double_newlines.txt", &n);
    if (hdr) {
        DS_REQUIRE(ds_document_create(&d, &err) == DS_OK);
        DS_CHECK(parse(d, "h.txt", hdr, n, &err) == DS_ERR_EMPTY);
        DS_CHECK_STREQ(d->meta.accession, "0001193125-24-066744");
        ds_document_free(d);
        ds_free(hdr);
    }

    /* Only a broken PDF: the filing fails with the PDF's reason; with a text part beside it,
     * the filing is read and the PDF becomes a note. */
    const char *bad = "<DOCUMENT>\n<TYPE>EX-99\n<FILENAME>bad.pdf\n<TEXT>\n%PDF-1.4\ngarbage\n</TEXT>\n</DOCUMENT>\n";
    DS_REQUIRE(ds_document_create(&d, &err) == DS_OK);
    ds_status st = parse(d, "b.txt", bad, strlen(bad), &err);
    DS_CHECK(st != DS_OK && st != DS_ERR_NOMEM);
    DS_CHECK(strstr(err.msg, "no part of 1 could be read") != NULL);
    ds_document_free(d);
    ds_buf two = DS_BUF_INIT;
    ds_buf_puts(&two, bad);
    ds_buf_puts(&two, "<DOCUMENT>\n<TYPE>EX-1\n<FILENAME>ok.txt\n<TEXT>\nReadable words here.\n</TEXT>\n</DOCUMENT>\n");
    DS_REQUIRE(ds_document_create(&d, &err) == DS_OK);
    DS_CHECKF(parse(d, "b.txt", two.data, two.len, &err) == DS_OK, "%s", err.msg);
    DS_CHECK(has_note(d, "EX-99 bad.pdf", "not read"));
    DS_CHECK(text_has(d, "Readable words here."));
    ds_document_free(d);
    ds_buf_deinit(&two);

    /* Only graphics. */
    const char *gr = "<DOCUMENT>\n<TYPE>GRAPHIC\n<FILENAME>a.jpg\n<TEXT>\nbegin 644 a.jpg\n#0V%T\n`\nend\n</TEXT>\n"
                     "</DOCUMENT>\n";
    DS_REQUIRE(ds_document_create(&d, &err) == DS_OK);
    DS_CHECK(parse(d, "g.txt", gr, strlen(gr), &err) == DS_ERR_NO_TEXT);
    DS_CHECK(has_note(d, "GRAPHIC a.jpg", "skipped"));
    ds_document_free(d);

    /* No limits given: the defaults apply. */
    DS_REQUIRE(ds_document_create(&d, &err) == DS_OK);
    DS_CHECK(ds_edgar_parse(d, (const unsigned char *)gr, strlen(gr), NULL, &err) == DS_ERR_NO_TEXT);
    ds_document_free(d);

    /* Over the size limit. */
    ds_ingest_limits lim;
    ds_ingest_limits_default(&lim);
    lim.max_bytes = 10;
    DS_REQUIRE(ds_document_create(&d, &err) == DS_OK);
    DS_CHECK(ds_edgar_parse(d, (const unsigned char *)gr, strlen(gr), &lim, &err) == DS_ERR_TOO_LARGE);
    ds_document_free(d);
}

int main(void)
{
    test_tesla();
    test_8k();
    test_form4_and_1995();
    test_uuencoded_pdf();
    test_failures();
    return ds_test_done();
}
