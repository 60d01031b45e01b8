/* document_merge_test.c - tests of ds_doc_append_document (ingest/document_merge.c): offsets, pages,
 * sections, tables, facts, notes and metadata after merging, and clean failure when out of
 * memory. */
#include "ingest/document.h"
#include "pipeline/core/alloc.h"
#include "tests/testlib.h"

#include <stdint.h>

/* The text a block points at, as a fresh string (static slot). */
static const char *block_text(const ds_document *d, size_t i)
{
    static char buf[4][256];
    static int k = 0;
    char *b = buf[k++ % 4];
    const ds_block *bl = &d->blocks[i];
    size_t n = bl->text_len < 255 ? bl->text_len : 255;
    memcpy(b, d->text.data + bl->text_off, n);
    b[n] = '\0';
    return b;
}

/* A PDF-like part: two pages, a heading, a paragraph on page 2, a table, a fact, furniture. */
static ds_status make_paged(ds_document *d)
{
    ds_status st = DS_OK;
    static const char *const cells[] = {"Item", "2024", "Revenue", "1,234"};
    ds_xbrl_fact f = {.concept = "us-gaap:Revenues",
                      .value = "1234",
                      .is_numeric = 1,
                      .unit = "USD",
                      .context_id = "c1",
                      .period_end = "2024-12-31",
                      .dimensions = "",
                      .page = 2};
    st = st ? st : ds_doc_begin_page(d);
    st = st ? st : ds_doc_add_block(d, DS_BLOCK_KIND_HEADING, 1, "", "Annual report", 13, NULL);
    st = st ? st : ds_doc_begin_page(d);
    st = st ? st : ds_doc_add_block(d, DS_BLOCK_KIND_PARAGRAPH, 0, "Item 7", "Revenue grew.", 13, NULL);
    st = st ? st : ds_doc_add_table(d, "Item 7", 2, 2, 1, cells, NULL);
    f.text_off = d->text.len - 5; /* "1,234" */
    st = st ? st : ds_doc_add_fact(d, &f);
    st = st ? st : ds_doc_add_furniture(d, "Page 2 of 2");
    st = st ? st : ds_doc_add_note(d, "recovered a damaged xref");
    if (st == DS_OK) {
        d->meta.title = ds_doc_strdup(d, "Exhibit title");
        d->meta.fiscal_year = ds_doc_strdup(d, "2024");
        d->meta.company_name = ds_doc_strdup(d, "Part Company");
    }
    return st;
}

static void test_merge(void)
{
    ds_err err;
    ds_document *dst, *a, *b;
    DS_REQUIRE(ds_document_create(&dst, &err) == DS_OK && ds_document_create(&a, &err) == DS_OK &&
               ds_document_create(&b, &err) == DS_OK);
    dst->meta.company_name = ds_doc_strdup(dst, "Filing Company");
    /* An HTML-like part with no pages, then the paged part. */
    DS_REQUIRE(ds_doc_add_block(a, DS_BLOCK_KIND_PARAGRAPH, 0, "", "Cover page.", 11, NULL) == DS_OK);
    DS_REQUIRE(make_paged(b) == DS_OK);

    DS_CHECK(ds_doc_append_document(dst, a, "8-K main.htm") == DS_OK);
    DS_CHECK(ds_doc_append_document(dst, b, "EX-99.1 ex.pdf") == DS_OK);

    DS_REQUIRE(dst->n_blocks == 4);
    DS_CHECK_STREQ(block_text(dst, 0), "Cover page.");
    DS_CHECK_STREQ(dst->blocks[0].section, "8-K main.htm");
    DS_CHECK(dst->blocks[0].page_first == 0 && dst->blocks[0].page_last == 0);
    DS_CHECK_STREQ(block_text(dst, 1), "Annual report");
    DS_CHECK_STREQ(dst->blocks[1].section, "EX-99.1 ex.pdf");
    DS_CHECK(dst->blocks[1].kind == DS_BLOCK_KIND_HEADING && dst->blocks[1].level == 1);
    DS_CHECK(dst->blocks[1].page_first == 1);
    DS_CHECK_STREQ(block_text(dst, 2), "Revenue grew.");
    DS_CHECK_STREQ(dst->blocks[2].section, "EX-99.1 ex.pdf > Item 7");
    DS_CHECK(dst->blocks[2].page_first == 2 && dst->blocks[2].page_last == 2);
    /* Text layout: parts separated by a blank line, exactly as the parts' own text. */
    DS_CHECK(strncmp(dst->text.data, "Cover page.\n\nAnnual report\n\nRevenue grew.", 41) == 0);
    DS_CHECK(dst->text.len == a->text.len + 2 + b->text.len);
    /* Pages moved to where the paged part starts. */
    DS_REQUIRE(dst->n_pages == 2);
    DS_CHECK(dst->page_offsets[0] == a->text.len + 2);
    DS_CHECK(ds_doc_page_of(dst, dst->blocks[2].text_off) == 2);
    /* The table: cells and row offsets. */
    const ds_block *tb = &dst->blocks[3];
    DS_REQUIRE(tb->kind == DS_BLOCK_KIND_TABLE && tb->table);
    DS_CHECK(tb->table != b->blocks[2].table); /* a copy, owned by dst */
    DS_CHECK(tb->table->n_rows == 2 && tb->table->n_cols == 2 && tb->table->header_rows == 1);
    DS_CHECK_STREQ(tb->table->cells[2], "Revenue");
    DS_CHECK(strncmp(dst->text.data + tb->table->row_offsets[1], "Revenue | 1,234", 15) == 0);
    DS_CHECK_STREQ(block_text(dst, 3), "Item | 2024\nRevenue | 1,234");
    /* The fact: page and text offset follow. */
    DS_REQUIRE(dst->n_facts == 1);
    DS_CHECK_STREQ(dst->facts[0].concept, "us-gaap:Revenues");
    DS_CHECK(dst->facts[0].concept != b->facts[0].concept);
    DS_CHECK(dst->facts[0].page == 2);
    DS_CHECK(strncmp(dst->text.data + dst->facts[0].text_off, "1,234", 5) == 0);
    /* Furniture and notes. */
    DS_CHECK(dst->n_furniture == 1 && strcmp(dst->furniture[0], "Page 2 of 2") == 0);
    DS_REQUIRE(dst->n_notes == 1);
    DS_CHECK_STREQ(dst->notes[0], "EX-99.1 ex.pdf: recovered a damaged xref");
    /* Metadata: dst keeps its own, takes what it lacks. */
    DS_CHECK_STREQ(dst->meta.company_name, "Filing Company");
    DS_CHECK_STREQ(dst->meta.title, "Exhibit title");
    DS_CHECK_STREQ(dst->meta.fiscal_year, "2024");
    /* src is unchanged and can go first. */
    DS_CHECK(b->n_blocks == 3 && b->n_pages == 2 && b->blocks[1].text_off < b->text.len);
    ds_document_free(a);
    ds_document_free(b);

    /* A second paged part: page numbers keep counting. */
    ds_document *c;
    DS_REQUIRE(ds_document_create(&c, &err) == DS_OK && make_paged(c) == DS_OK);
    DS_CHECK(ds_doc_append_document(dst, c, NULL) == DS_OK);
    DS_CHECK(dst->n_pages == 4);
    DS_CHECK(dst->blocks[dst->n_blocks - 2].page_first == 4);
    DS_CHECK_STREQ(dst->blocks[dst->n_blocks - 2].section, "Item 7");
    DS_CHECK(dst->n_facts == 2 && dst->facts[1].page == 4);
    DS_CHECK_STREQ(dst->notes[1], "recovered a damaged xref");
    ds_document_free(c);

    /* An empty part changes nothing. */
    ds_document *e;
    DS_REQUIRE(ds_document_create(&e, &err) == DS_OK);
    size_t len = dst->text.len, nb = dst->n_blocks;
    DS_CHECK(ds_doc_append_document(dst, e, "EX-1") == DS_OK);
    DS_CHECK(dst->text.len == len && dst->n_blocks == nb);
    ds_document_free(e);
    ds_document_free(dst);
}

/* Every allocation in turn fails: the merge returns DS_ERR_NOMEM and nothing leaks or crashes. */
static void test_nomem(void)
{
    int failures = 0, successes = 0;
    for (long k = 0; k < 400; k++) {
        ds_err err;
        ds_document *dst, *src;
        DS_REQUIRE(ds_document_create(&dst, &err) == DS_OK && ds_document_create(&src, &err) == DS_OK &&
                   make_paged(src) == DS_OK);
        DS_REQUIRE(ds_doc_add_block(dst, DS_BLOCK_KIND_PARAGRAPH, 0, "", "x", 1, NULL) == DS_OK);
        ds_alloc_fail_after(k);
        ds_status st = ds_doc_append_document(dst, src, "EX-99 x.pdf");
        ds_alloc_fail_after(-1);
        DS_CHECK(st == DS_OK || st == DS_ERR_NOMEM);
        if (st == DS_OK)
            successes++;
        else
            failures++;
        ds_document_free(src);
        ds_document_free(dst);
        if (st == DS_OK)
            break;
    }
    DS_CHECK(failures > 0 && successes == 1);
}

int main(void)
{
    test_merge();
    test_nomem();
    return ds_test_done();
}
