/* detect_test.c - ds_ingest_detect on a table of committed inputs (the bytes decide, the
 * extension only breaks ties: a .pdf that is HTML, a .txt that is a PDF) and, when
 * ../shared/data is present, on the real documents there. */
#include "ingest/ingest.h"
#include "pipeline/core/buf.h"
#include "tests/testlib.h"

typedef struct dcase {
    const char *what;
    const char *data;
    size_t len; /* 0: strlen(data) */
    const char *name;
    ds_doc_kind want;
} dcase;

static const char garbage500[] =
    "\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1c\x1d\x1e\x1f";

int main(void)
{
    char pdf_late[1200], pdf_too_late[2400];
    memset(pdf_late, 'x', sizeof pdf_late);
    memcpy(pdf_late + 1000, "%PDF-1.4", 8); /* within the first 1024 bytes */
    pdf_late[sizeof pdf_late - 1] = '\0';
    memset(pdf_too_late, 'x', sizeof pdf_too_late);
    memcpy(pdf_too_late + 2000, "%PDF-1.4", 8);
    pdf_too_late[sizeof pdf_too_late - 1] = '\0';
    static const char latin1[] = "Caf\xe9 cr\xe8me, r\xe9sum\xe9 and na\xefve text.\n";

    const dcase cases[] = {
        {"pdf", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", 0, "a.pdf", DS_DOC_KIND_PDF},
        {"txt that is a pdf", "%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", 0, "report.txt", DS_DOC_KIND_PDF},
        {"pdf after junk", pdf_late, 0, "x.bin", DS_DOC_KIND_PDF},
        {"pdf magic too late", pdf_too_late, 0, "x.pdf", DS_DOC_KIND_UNKNOWN},
        {"text named .pdf", "oops", 0, "statement.PDF", DS_DOC_KIND_UNKNOWN},
        {"pdf magic too late, not named .pdf", pdf_too_late, 0, "x.bin", DS_DOC_KIND_TEXT},
        {"pdf that is html", "<!DOCTYPE html><html><body><p>Not a PDF</p></body></html>", 0, "filing.pdf",
         DS_DOC_KIND_HTML},
        {"edgar sec-document", "<SEC-DOCUMENT>0001-23-000001.txt : 20230101\n<SEC-HEADER>...", 0, "a.txt",
         DS_DOC_KIND_EDGAR},
        {"edgar sec-header", "<SEC-HEADER>0001-23-000001.hdr.sgml : 20230101\n", 0, NULL, DS_DOC_KIND_EDGAR},
        {"edgar ims-document", "\n<IMS-DOCUMENT>0000950123-94-000001.txt : 19940101\n", 0, NULL, DS_DOC_KIND_EDGAR},
        {"edgar pem", "-----BEGIN PRIVACY-ENHANCED MESSAGE-----\nProc-Type: 2001,MIC-CLEAR\n\n<SEC-DOCUMENT>x\n", 0,
         NULL, DS_DOC_KIND_EDGAR},
        {"edgar bare document", "<DOCUMENT>\n<TYPE>10-K\n<SEQUENCE>1\n<TEXT>\nhello\n</TEXT>\n</DOCUMENT>\n", 0, NULL,
         DS_DOC_KIND_EDGAR},
        {"edgar html body", "<SEC-DOCUMENT>x\n<DOCUMENT>\n<TYPE>10-K\n<TEXT>\n<html><body><ix:header>", 0, "a.htm",
         DS_DOC_KIND_EDGAR},
        {"xbrl prefixed",
         "<?xml version=\"1.0\"?>\n<!-- c -->\n<xbrli:xbrl xmlns:xbrli=\"http://www.xbrl.org/2003/instance\">", 0,
         "a.xml", DS_DOC_KIND_XBRL},
        {"xbrl default ns", "<?xml version=\"1.0\"?><xbrl xmlns=\"http://www.xbrl.org/2003/instance\"></xbrl>", 0,
         "a.htm", DS_DOC_KIND_XBRL},
        {"ixbrl by namespace",
         "<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\" "
         "xmlns:ix=\"http://www.xbrl.org/2013/inlineXBRL\"><body></body></html>",
         0, "a.htm", DS_DOC_KIND_IXBRL},
        {"ixbrl by ix:header", "<html><body><div style=\"display:none\"><ix:header></ix:header></div></body></html>", 0,
         "a.html", DS_DOC_KIND_IXBRL},
        {"ixbrl 2008", "<html xmlns:ix=\"http://www.xbrl.org/2008/inlineXBRL\"><body></body></html>", 0, NULL,
         DS_DOC_KIND_IXBRL},
        {"html doctype", "\xef\xbb\xbf  <!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0//EN\" \"x\">\n<html lang=\"en\">",
         0, NULL, DS_DOC_KIND_HTML},
        {"html fragment", "<div><p>Hello</p></div>", 0, NULL, DS_DOC_KIND_HTML},
        {"html with leading comment", "<!-- saved --><HTML><BODY>x</BODY></HTML>", 0, "x.dat", DS_DOC_KIND_HTML},
        {"html after a text line", "Saved page\n<html><body>x</body></html>", 0, NULL, DS_DOC_KIND_HTML},
        {"mentions of tags deep in text",
         "A note about the <ix:header> element and <html> tags, far into\n"
         "the text of a plain document.",
         0, "notes.txt", DS_DOC_KIND_TEXT},
        {"other xml", "<?xml version=\"1.0\"?><CONSOLIDATED_LIST><INDIVIDUALS/></CONSOLIDATED_LIST>", 0, "un.xml",
         DS_DOC_KIND_TEXT},
        {"unknown markup named .htm", "<?xml version=\"1.0\"?><report><line>x</line></report>", 0, "r.htm",
         DS_DOC_KIND_HTML},
        {"utf-8 text", "Plain text \xe2\x80\x94 with an em dash.\n", 0, NULL, DS_DOC_KIND_TEXT},
        {"csv", "name,amount\nacme,12\n", 0, "a.csv", DS_DOC_KIND_TEXT},
        {"latin-1 text named .txt", latin1, 0, "notes.txt", DS_DOC_KIND_TEXT},
        {"latin-1 text without a name", latin1, 0, NULL, DS_DOC_KIND_UNKNOWN},
        {"binary", garbage500, 0, "a.txt", DS_DOC_KIND_UNKNOWN},
        {"nul bytes", "ab\0cd", 5, "a.txt", DS_DOC_KIND_UNKNOWN},
        {"zip", "PK\x03\x04\x14\x00\x00\x00", 8, "a.pdf", DS_DOC_KIND_UNKNOWN},
        {"empty", "", 0, "a.htm", DS_DOC_KIND_UNKNOWN},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const dcase *c = &cases[i];
        size_t n = c->len ? c->len : strlen(c->data);
        ds_doc_kind got = ds_ingest_detect((const unsigned char *)c->data, n, c->name);
        DS_CHECKF(got == c->want, "%s: got %s, want %s", c->what, ds_doc_kind_str(got), ds_doc_kind_str(c->want));
    }
    DS_CHECK(ds_ingest_detect(NULL, 0, NULL) == DS_DOC_KIND_UNKNOWN);

    /* a text file named .pdf fails with an error that says so, and is not loaded as text */
    ds_err err;
    ds_document *not_pdf;
    DS_REQUIRE(ds_document_create(&not_pdf, &err) == DS_OK);
    not_pdf->name = "inbox/statement.pdf";
    ds_status st = ds_ingest_parse(not_pdf, (const unsigned char *)"oops", 4, NULL, &err);
    DS_CHECKF(st == DS_ERR_FORMAT && strstr(err.msg, "not a PDF"), "text named .pdf: status %d: %s", st, err.msg);
    DS_CHECK(not_pdf->kind == DS_DOC_KIND_UNKNOWN);
    ds_document_free(not_pdf);

    /* the real documents, when present */
    static const struct {
        const char *rel;
        ds_doc_kind want;
    } real[] = {
        {"data/ixbrl_html/Apple.10-Q.html", DS_DOC_KIND_IXBRL},
        {"data/ixbrl_html/Oracle.10-Q.html", DS_DOC_KIND_IXBRL},
        {"data/ixbrl_html/aeon-20230930x10q.htm", DS_DOC_KIND_IXBRL},
        {"data/ixbrl_html/ixbrl.simple.html", DS_DOC_KIND_IXBRL},
        {"data/xbrl_instance/nflx-20100930.xml", DS_DOC_KIND_XBRL},
        {"data/xbrl_instance/aeon-20230930x10q_htm.xml", DS_DOC_KIND_XBRL},
        {"data/xbrl_instance/WatersCorp.8-K.xbrl.xml", DS_DOC_KIND_XBRL},
        {"data/edgar_fulltxt/0001213900-25-032135.txt", DS_DOC_KIND_EDGAR},
        {"data/edgar_fulltxt/0000899681-95-000096.txt", DS_DOC_KIND_EDGAR},
        {"data/edgar_fulltxt/0001127602-25-001055.txt", DS_DOC_KIND_EDGAR},
        {"data/edgar_fulltxt/0001564590-20-004475-minimal.txt", DS_DOC_KIND_EDGAR},
        {"data/edgar_fulltxt/header_with_double_newlines.txt", DS_DOC_KIND_EDGAR},
        {"data/edgar_fulltxt/0001104659-25-002604.txt", DS_DOC_KIND_EDGAR},
        {"data/sec_responses/rate-exceeded.html", DS_DOC_KIND_HTML},
        {"data/sec_responses/SEC.AutomatedTool.html", DS_DOC_KIND_HTML},
        {"data/financial_pdf/2023 Q3 AAPL.pdf", DS_DOC_KIND_PDF},
        {"data/broken_pdf/qpdf/empty.pdf", DS_DOC_KIND_PDF},
        {"data/broken_pdf/qpdf/bad1.pdf", DS_DOC_KIND_UNKNOWN}, /* "oops\n" named .pdf: failed, not text */
        {"data/ofac_sdn_csv_tiny/sdn.csv", DS_DOC_KIND_TEXT},
        {"data/un_consolidated_xml/UN_consolidated.xml", DS_DOC_KIND_TEXT},
        {"data/sec_companyfacts/company_submission.json", DS_DOC_KIND_TEXT},
    };
    size_t seen = 0;
    for (size_t i = 0; i < sizeof real / sizeof real[0]; i++) {
        const char *path = ds_test_shared(real[i].rel);
        if (!path)
            continue;
        ds_buf b = DS_BUF_INIT;
        ds_err err;
        DS_REQUIRE(ds_buf_read_file(&b, path, 0, &err) == DS_OK);
        ds_doc_kind got = ds_ingest_detect((const unsigned char *)b.data, b.len, real[i].rel);
        DS_CHECKF(got == real[i].want, "%s: got %s, want %s", real[i].rel, ds_doc_kind_str(got),
                  ds_doc_kind_str(real[i].want));
        ds_buf_deinit(&b);
        seen++;
    }
    printf("detect: %zu table cases, %zu real documents\n", sizeof cases / sizeof cases[0], seen);
    return ds_test_done();
}
