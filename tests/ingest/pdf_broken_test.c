/* pdf_broken_test.c - the PDF parser on malformed and encrypted PDFs from parser test suites
 * (../shared/data/broken_pdf, skipped when absent). Each file's status is what poppler-glib
 * 22.x makes of it: encrypted files needing a password give DS_ERR_ENCRYPTED, files poppler
 * cannot rebuild give DS_ERR_DAMAGED, files it repairs give their text. Every failure message
 * names the file. Also each file cut in half, which must give a status and never crash. */
#include "ingest/ingest.h"
#include "pipeline/core/buf.h"
#include "tests/testlib.h"

typedef struct expect {
    const char *file;
    ds_status status;
    const char *text; /* a string the text must hold when DS_OK */
} expect;

static const expect cases[] = {
    /* encrypted: a user password is needed */
    {"pdfminer/aes-128.pdf", DS_ERR_ENCRYPTED, NULL},
    {"pdfminer/aes-256-r6.pdf", DS_ERR_ENCRYPTED, NULL},
    {"pdfminer/rc4-40.pdf", DS_ERR_ENCRYPTED, NULL},
    {"qpdf/encrypted-40-bit-R3.pdf", DS_ERR_ENCRYPTED, NULL},
    {"qpdf/bad-encryption-length.pdf", DS_ERR_ENCRYPTED, NULL},
    {"qpdf/enc-XI-R6,V5,U=view,O=master.pdf", DS_ERR_ENCRYPTED, NULL},
    /* encrypted without /ID: poppler opens it but decrypts no text */
    {"pdfminer/encrypted_doc_no_id.pdf", DS_ERR_ENCRYPTED, NULL},
    /* owner password only: readable */
    {"qpdf/enc-XI-R6,V5,O=master.pdf", DS_OK, "Potato 29"},
    /* damaged beyond poppler's repair */
    {"qpdf/bad1.pdf", DS_ERR_DAMAGED, NULL},
    {"qpdf/issue-335b.pdf", DS_ERR_DAMAGED, NULL},
    /* a well-formed page tree with no pages */
    {"qpdf/empty.pdf", DS_ERR_EMPTY, NULL},
    /* the only content stream cannot be decoded: no text */
    {"qpdf/broken-lzw.pdf", DS_ERR_NO_TEXT, NULL},
    /* damaged, repaired by poppler */
    {"qpdf/bad2.pdf", DS_OK, "Potato"},
    {"qpdf/bad3.pdf", DS_OK, "Potato"},
    {"qpdf/bad-xref.pdf", DS_OK, "Potato"},
    {"qpdf/bad-xref-entry.pdf", DS_OK, "Potato"},
    {"qpdf/bad-token-startxref.pdf", DS_OK, "Potato"},
    {"qpdf/xref-errors.pdf", DS_OK, "Potato"},
    {"qpdf/zero-offset.pdf", DS_OK, "Potato"},
    {"qpdf/damaged-stream.pdf", DS_OK, "Potato"},
    {"qpdf/global_damaged.pdf", DS_OK, "Potato"},
    {"qpdf/no-pages-types.pdf", DS_OK, "Potato"},
    {"qpdf/recover-xref-stream.pdf", DS_OK, "Potato"},
    {"qpdf/bad-jpeg.pdf", DS_OK, "/DCTDecode"},
    {"pdfminer/base.pdf", DS_OK, "Secret!"},
    {"pdfminer/issue-886-xref-stream-widths.pdf", DS_OK, NULL},
    {"pdfminer/issue-1113-evil-xobjects.pdf", DS_OK, "Hello world"},
};

static ds_status run(const char *path, const unsigned char *data, size_t n, ds_document **out, ds_err *err)
{
    ds_document *doc;
    DS_REQUIRE(ds_document_create(&doc, err) == DS_OK);
    doc->source = path;
    ds_err_clear(err);
    ds_status st = ds_pdf_parse(doc, data, n, NULL, err);
    if (st != DS_OK) {
        DS_CHECK(err->code == st);
        DS_CHECKF(strstr(err->msg, path) != NULL, "message does not name the file: %s", err->msg);
    }
    *out = doc;
    return st;
}

int main(void)
{
    const char *dir = ds_test_shared("data/broken_pdf");
    if (!dir)
        ds_test_skip("../shared/data/broken_pdf is absent");
    char root[4096];
    snprintf(root, sizeof root, "%s", dir);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", root, cases[i].file);
        ds_buf b = DS_BUF_INIT;
        ds_err err = {0};
        DS_REQUIRE(ds_buf_read_file(&b, path, 0, &err) == DS_OK);
        ds_document *doc;
        ds_status st = run(path, (const unsigned char *)b.data, b.len, &doc, &err);
        printf("  %-45s %-10s %s\n", cases[i].file, ds_status_name(st), st ? err.msg + strlen(root) + 1 : "");
        DS_CHECKF(st == cases[i].status, "%s: %s, expected %s", cases[i].file, ds_status_name(st),
                  ds_status_name(cases[i].status));
        if (st == DS_OK) {
            DS_CHECK(doc->n_pages >= 1);
            if (cases[i].text)
                DS_CHECKF(strstr(doc->text.data, cases[i].text) != NULL, "%s: no \"%s\" in the text", cases[i].file,
                          cases[i].text);
        }
        ds_document_free(doc);
        /* The first half of the file: any status, a message naming it, no crash. */
        if (b.len > 1) {
            st = run(path, (const unsigned char *)b.data, b.len / 2, &doc, &err);
            DS_CHECK(st == DS_OK || st == DS_ERR_DAMAGED || st == DS_ERR_ENCRYPTED || st == DS_ERR_NO_TEXT ||
                     st == DS_ERR_EMPTY);
            ds_document_free(doc);
        }
        ds_buf_deinit(&b);
    }
    return ds_test_done();
}
