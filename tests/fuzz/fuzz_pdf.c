/* fuzz_pdf.c - the PDF parser as a libFuzzer target: any bytes must give a status, never a
 * crash, a leak or undefined behaviour; a successful parse must keep the document invariants. */
#include "ingest/ingest.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ds_err err = {0};
    ds_document *doc;
    if (ds_document_create(&doc, &err) != DS_OK)
        return 0;
    doc->source = "fuzz.pdf";
    ds_ingest_limits lim = {64u << 20, 200, 0};
    ds_status st = ds_pdf_parse(doc, data, size, &lim, &err);
    if (st == DS_OK) {
        for (size_t i = 0; i < doc->n_blocks; i++)
            if (doc->blocks[i].text_off + doc->blocks[i].text_len > doc->text.len)
                abort();
    } else if (err.code != st || err.msg[0] == '\0') {
        abort();
    }
    ds_document_free(doc);
    return 0;
}
