/* fuzz_extract.c - libFuzzer target for the extract stage: the input becomes a document (the
 * first line a heading, lines up to a blank line paragraphs, the rest a table whose cells are
 * split at '|' and whose first line is its header) and goes through every extractor: tables to
 * facts, duplicate resolution, names, places, red flags, SWOT rules and alerts. Any crash, leak
 * or undefined behaviour is a bug. */
#include "extract/extract.h"
#include "pipeline/core/alloc.h"

#include <stdint.h>
#include <string.h>

static size_t count4(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    (void)s;
    return (n + 3) / 4;
}

#define MAX_CELLS 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    char *buf = ds_malloc(size + 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    ds_document *doc;
    if (ds_document_create(&doc, NULL) != DS_OK) {
        ds_free(buf);
        return 0;
    }
    doc->kind = size % 2 ? DS_DOC_KIND_PDF : DS_DOC_KIND_HTML;
    ds_doc_begin_page(doc);
    /* lines */
    char *lines[1024];
    size_t nl = 0;
    for (char *p = buf; p && nl < 1024;) {
        lines[nl++] = p;
        char *e = memchr(p, '\n', (size_t)(buf + size - p));
        if (!e)
            break;
        *e = '\0';
        p = e + 1;
    }
    size_t i = 0;
    if (nl)
        ds_doc_add_block(doc, DS_BLOCK_KIND_HEADING, 1, "", lines[0], strlen(lines[0]), NULL);
    for (i = 1; i < nl && lines[i][0]; i++)
        ds_doc_add_block(doc, i % 3 ? DS_BLOCK_KIND_PARAGRAPH : DS_BLOCK_KIND_LIST_ITEM, 0, "", lines[i],
                         strlen(lines[i]), NULL);
    /* the table: rows from the lines after the blank one */
    size_t first = i + 1, rows = first < nl ? nl - first : 0, cols = 1;
    for (size_t r = 0; r < rows; r++) {
        size_t c = 1;
        for (const char *p = lines[first + r]; *p; p++)
            c += *p == '|';
        if (c > cols)
            cols = c;
    }
    if (rows && rows * cols <= MAX_CELLS) {
        const char **cells = ds_calloc(rows * cols, sizeof *cells);
        if (cells) {
            for (size_t r = 0; r < rows; r++) {
                char *p = lines[first + r];
                for (size_t c = 0; c < cols && p; c++) {
                    cells[r * cols + c] = p;
                    char *bar = strchr(p, '|');
                    if (bar)
                        *bar = '\0';
                    p = bar ? bar + 1 : NULL;
                }
            }
            ds_doc_add_table(doc, "", rows, cols, 1, cells, NULL);
            ds_free(cells);
        }
    }
    if (size > 3)
        doc->meta.period_end = (data[0] & 1) ? "2023-06-30" : NULL;
    ds_chunk_opts co = {64, 8, count4, NULL};
    ds_chunk_list chunks = {0};
    ds_err err;
    if (ds_chunk_document(doc, &co, &chunks, &err) == DS_OK) {
        ds_extraction x = {0};
        ds_extract_document(doc, &chunks, NULL, &x, &err);
        ds_extraction_free(&x);
    }
    ds_document_free(doc);
    ds_free(buf);
    return 0;
}
