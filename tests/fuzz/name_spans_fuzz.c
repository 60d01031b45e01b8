/* name_spans_fuzz.c - libFuzzer target for the candidate-name scanner (extract/name_spans.h)
 * and the text screening built on it (extract/alerts.h) against a small index. Any input must
 * give windows inside the text and DS_OK, never a crash. */
#include "extract/alerts.h"
#include "extract/name_spans.h"
#include "extract/screening/screen.h"
#include "ingest/document.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check_window(void *ctx, const char *text, const ds_name_span *s)
{
    (void)text;
    if (s->len == 0 || s->off + s->len > *(const size_t *)ctx)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ds_name_spans_scan((const char *)data, size, check_window, &size);
    ds_err err;
    ds_screen_index *idx = NULL;
    ds_document *doc = NULL;
    if (ds_screen_index_create(&idx, &err) == DS_OK && ds_document_create(&doc, &err) == DS_OK &&
        ds_screen_index_add(idx, 1, 1, "v", "YOUSEF, Hasan", 0, 1) == DS_OK &&
        ds_screen_index_add(idx, 2, 1, "v", "BANCO NACIONAL DE CUBA", 0, 0) == DS_OK &&
        ds_screen_index_build(idx, &err) == DS_OK && ds_doc_append_text(doc, (const char *)data, size, NULL) == DS_OK) {
        ds_alert_list l = {0};
        if (ds_alerts_screen_text(doc, NULL, idx, 0.88, &l) != DS_OK)
            abort();
        ds_alert_list_free(&l);
    }
    ds_document_free(doc);
    ds_screen_index_free(idx);
    return 0;
}
