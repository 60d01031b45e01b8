/* doc_wire_fuzz.c - libFuzzer target for the parsed-document decoder (ingest/doc_wire.h): any
 * bytes give DS_OK or DS_ERR_PARSE, and a decoded document points only inside its own text and
 * encodes back to the same bytes. */
#include "ingest/doc_wire.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ds_err err;
    ds_document *doc;
    if (ds_document_create(&doc, &err) != DS_OK)
        return 0;
    ds_status st = ds_doc_wire_decode(doc, data, size, &err);
    if (st != DS_OK && st != DS_ERR_PARSE && st != DS_ERR_NOMEM)
        abort();
    if (st == DS_OK) {
        for (size_t i = 0; i < doc->n_blocks; i++) {
            const ds_block *b = &doc->blocks[i];
            if (b->text_off > doc->text.len || b->text_len > doc->text.len - b->text_off)
                abort();
        }
        ds_buf again = DS_BUF_INIT;
        if (ds_doc_wire_encode(doc, &again, &err) == DS_OK && (again.len != size || memcmp(again.data, data, size)))
            abort();
        ds_buf_deinit(&again);
    }
    ds_document_free(doc);
    return 0;
}
