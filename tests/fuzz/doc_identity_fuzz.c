/* doc_identity_fuzz.c - libFuzzer target for the PDF identity reader (extract/doc_identity.h):
 * the input is a document's text, pages split at form feeds, one table block made of the first
 * page's lines. Any input must give DS_OK, pages inside the document, and values that are
 * short NUL-terminated strings, never a crash. */
#include "extract/doc_identity.h"
#include "ingest/document.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const ds_id_field *f, int n_pages)
{
    if (!f->value)
        return;
    if (!f->quote || f->page < 1 || f->page > n_pages || strlen(f->value) > 512 || strlen(f->quote) > DS_ID_QUOTE_MAX)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ds_document *doc;
    if (ds_document_create(&doc, NULL) != DS_OK)
        return 0;
    doc->kind = DS_DOC_KIND_PDF;
    const char *s = (const char *)data;
    for (size_t a = 0; a <= size && doc->n_pages < 64;) {
        const char *ff = memchr(s + a, '\f', size - a);
        size_t b = ff ? (size_t)(ff - s) : size;
        if (ds_doc_begin_page(doc) != DS_OK ||
            ds_doc_add_block(doc, DS_BLOCK_KIND_PARAGRAPH, 0, "", s + a, b - a, NULL) != DS_OK)
            break;
        if (doc->n_pages == 1) { /* the first bytes again as a 2x2 table */
            const char *cells[4] = {"", "", "", ""};
            char c[4][32];
            for (int i = 0; i < 4; i++) {
                size_t off = (size_t)i * 31, n = off < b - a ? (b - a - off < 31 ? b - a - off : 31) : 0;
                memcpy(c[i], s + a + (off < b - a ? off : 0), n);
                c[i][n] = '\0';
                cells[i] = memchr(c[i], '\0', n) ? "" : c[i];
            }
            ds_doc_add_table(doc, "", 2, 2, 1, cells, NULL);
        }
        a = b + 1;
    }
    ds_doc_identity id;
    ds_err err;
    if (ds_doc_identity_read(doc, &id, &err) != DS_OK)
        abort();
    const ds_id_field *f[] = {&id.company,    &id.cik,         &id.form,         &id.sec_form,
                              &id.period_end, &id.fiscal_year, &id.fiscal_period};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        check(f[i], doc->n_pages);
    char key[64];
    ds_doc_identity_name_key(id.company.value, key, sizeof key);
    char *z = malloc(size + 1); /* the input as a name: NUL-terminated copy */
    if (z) {
        memcpy(z, data, size);
        z[size] = '\0';
        ds_doc_identity_name_key(z, key, 1 + size % sizeof key);
        free(z);
    }
    ds_document_free(doc);
    return 0;
}
