/* chunker_test.c - structure-aware chunking: sections never mixed, headings kept with their
 * text, long paragraphs cut with overlap under the target, tables never cut inside a row and
 * their header repeated, offsets and pages exact. Counts tokens as whitespace-separated words
 * so expectations are exact. */
#include "testlib.h"

#include "extract/chunker.h"

#include <ctype.h>

static size_t count_words(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    size_t w = 0;
    int in = 0;
    for (size_t i = 0; i < n; i++) {
        int sp = isspace((unsigned char)s[i]) || s[i] == '|';
        if (!sp && !in)
            w++;
        in = !sp;
    }
    return w;
}

int main(void)
{
    ds_err err;
    ds_document *doc;
    DS_REQUIRE(ds_document_create(&doc, &err) == DS_OK);
    DS_REQUIRE(ds_doc_begin_page(doc) == DS_OK);
    DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_HEADING, 1, "Item 1", "Item 1. Business", 16, NULL) == DS_OK);
    const char *p1 = "We make widgets. Our customers are banks.";
    DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_PARAGRAPH, 0, "Item 1", p1, strlen(p1), NULL) == DS_OK);
    /* A long paragraph of 300 words in 30 sentences, on page 2. */
    DS_REQUIRE(ds_doc_begin_page(doc) == DS_OK);
    DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_HEADING, 1, "Item 7", "Item 7. MD&A", 12, NULL) == DS_OK);
    char longp[8192] = "";
    for (int s = 0; s < 30; s++) {
        char sent[300];
        snprintf(sent, sizeof sent, "Sentence %02d has exactly ten words in it, café ok. ", s);
        strcat(longp, sent);
    }
    size_t ll = strlen(longp) - 1;
    DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_PARAGRAPH, 0, "Item 7", longp, ll, NULL) == DS_OK);
    /* A table of 1 header row + 40 rows of 4 cells, on page 3. */
    DS_REQUIRE(ds_doc_begin_page(doc) == DS_OK);
    const char *cells[41 * 4];
    char store[41][4][32];
    snprintf(store[0][0], 32, "Item");
    snprintf(store[0][1], 32, "2023");
    snprintf(store[0][2], 32, "2022");
    snprintf(store[0][3], 32, "Change");
    for (int r = 1; r <= 40; r++)
        for (int c = 0; c < 4; c++)
            snprintf(store[r][c], 32, c ? "%d" : "Row%02d", c ? r * 100 + c : r);
    for (int r = 0; r <= 40; r++)
        for (int c = 0; c < 4; c++)
            cells[r * 4 + c] = store[r][c];
    ds_block *tb = NULL;
    DS_REQUIRE(ds_doc_add_table(doc, "Item 8", 41, 4, 1, cells, &tb) == DS_OK);

    ds_chunk_opts o = {.target_tokens = 60, .overlap_tokens = 10, .count = count_words};
    ds_chunk_list cl;
    DS_REQUIRE(ds_chunk_document(doc, &o, &cl, &err) == DS_OK);
    DS_REQUIRE(cl.n >= 6);
    int saw_table = 0;
    for (size_t i = 0; i < cl.n; i++) {
        const ds_chunk *c = &cl.v[i];
        DS_CHECK(c->seq == (int)i);
        DS_CHECKF(c->token_count <= 60, "chunk %zu has %zu tokens", i, c->token_count);
        DS_CHECK(c->token_count == count_words(NULL, c->text, c->text_len));
        /* Offsets: code points of the span, and pages from the document. */
        DS_CHECK(c->char_start == ds_utf8_count(doc->text.data, c->byte_start));
        DS_CHECK(c->char_end == ds_utf8_count(doc->text.data, c->byte_end));
        DS_CHECK(c->page_first == ds_doc_page_of(doc, c->byte_start));
        if (!c->is_table) {
            DS_CHECK(c->text_len == c->byte_end - c->byte_start);
            DS_CHECK(memcmp(c->text, doc->text.data + c->byte_start, c->text_len) == 0);
            DS_CHECK(strstr(c->text, " | ") == NULL);
        } else {
            saw_table++;
            /* Every table part starts with the header row and holds whole rows only. */
            DS_CHECKF(strncmp(c->text, "Item | 2023 | 2022 | Change", 27) == 0, "table part %zu: %.40s", i, c->text);
            DS_CHECK(c->page_first == 3 && c->page_last == 3);
            const char *last_nl = strrchr(c->text, '\n');
            DS_CHECK(last_nl && strncmp(last_nl + 1, "Row", 3) == 0);
            int cells_in_last = 1;
            for (const char *p = last_nl + 1; *p; p++)
                cells_in_last += *p == '|';
            DS_CHECK(cells_in_last == 4);
            DS_CHECK(strcmp(c->section, "Item 8") == 0);
        }
        DS_CHECK(strcmp(c->section, "Item 1") == 0 || strcmp(c->section, "Item 7") == 0 ||
                 strcmp(c->section, "Item 8") == 0);
    }
    DS_CHECK(saw_table >= 3);
    /* Item 1 is one chunk: heading with its paragraph, on page 1. */
    DS_CHECK(strncmp(cl.v[0].text, "Item 1. Business\n\nWe make widgets.", 34) == 0);
    DS_CHECK(cl.v[0].page_first == 1 && cl.v[0].page_last == 1);
    /* The long paragraph is split at sentence ends, and consecutive pieces overlap. */
    int prose_parts = 0;
    for (size_t i = 1; i < cl.n; i++)
        if (strcmp(cl.v[i].section, "Item 7") == 0 && !cl.v[i].is_table) {
            prose_parts++;
            if (i + 1 < cl.n && strcmp(cl.v[i + 1].section, "Item 7") == 0 && cl.v[i].byte_start > 0)
                DS_CHECK(cl.v[i + 1].byte_start < cl.v[i].byte_end);
        }
    DS_CHECK(prose_parts >= 5);
    /* Every row of the table appears in some chunk. */
    for (int r = 1; r <= 40; r++) {
        char needle[16];
        snprintf(needle, sizeof needle, "Row%02d |", r);
        int found = 0;
        for (size_t i = 0; i < cl.n; i++)
            if (cl.v[i].is_table && strstr(cl.v[i].text, needle))
                found++;
        DS_CHECKF(found == 1, "row %d found %d times", r, found);
    }
    /* ds_chunk_find gives the first chunk holding an offset (overlaps go to the earlier one). */
    for (size_t i = 0; i < cl.n; i++) {
        int j = ds_chunk_find(&cl, cl.v[i].byte_start);
        DS_CHECK(j >= 0 && (size_t)j <= i && cl.v[j].byte_start <= cl.v[i].byte_start &&
                 cl.v[i].byte_start < cl.v[j].byte_end);
        DS_CHECK(j == 0 || cl.v[j - 1].byte_end <= cl.v[i].byte_start);
    }
    ds_document_free(doc);
    return ds_test_done();
}
