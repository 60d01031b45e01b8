/* doc_wire_test.c - the parsed-document encoding (ingest/doc_wire.h): real documents of every
 * kind with tables and XBRL facts (a 10-Q PDF, an iXBRL page, an XBRL instance, an EDGAR
 * submission) survive encode -> decode field for field, and a second encoding of the decoded
 * document is byte-identical to the first; broken bytes (every truncation of an encoding, every
 * single-byte change of a small one, wrong magic, trailing bytes, absurd counts) give
 * DS_ERR_PARSE, never a crash or a document pointing outside its text. */
#include "testlib.h"

#include "ingest/doc_wire.h"
#include "ingest/ingest.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static ds_document *parse_file(const char *rel)
{
    const char *path = ds_test_shared(rel);
    if (!path)
        return NULL;
    ds_buf data = DS_BUF_INIT;
    ds_err err;
    DS_REQUIRE(ds_buf_read_file(&data, path, 0, &err) == DS_OK);
    ds_document *doc;
    DS_REQUIRE(ds_document_create(&doc, &err) == DS_OK);
    doc->source = ds_doc_strdup(doc, path);
    doc->name = ds_doc_strdup(doc, strrchr(path, '/') + 1);
    ds_status st = ds_ingest_parse(doc, (const unsigned char *)data.data, data.len, NULL, &err);
    DS_CHECKF(st == DS_OK, "%s: %s", rel, err.msg);
    ds_buf_deinit(&data);
    return doc;
}

static int same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Every field of a and b, tables and facts included. */
static void check_equal(const ds_document *a, const ds_document *b, const char *what)
{
    DS_CHECKF(a->kind == b->kind && a->n_bytes == b->n_bytes && strcmp(a->sha256, b->sha256) == 0 &&
                  same_str(a->source, b->source) && same_str(a->name, b->name),
              "%s: identity differs", what);
    DS_CHECKF(same_str(a->meta.company_name, b->meta.company_name) && same_str(a->meta.title, b->meta.title) &&
                  same_str(a->meta.form_type, b->meta.form_type) && same_str(a->meta.filing_date, b->meta.filing_date),
              "%s: metadata differs", what);
    DS_CHECKF(a->text.len == b->text.len && memcmp(a->text.data, b->text.data, a->text.len) == 0, "%s: text differs",
              what);
    DS_CHECKF(a->n_pages == b->n_pages && (a->n_pages == 0 || memcmp(a->page_offsets, b->page_offsets,
                                                                     sizeof(size_t) * (size_t)a->n_pages) == 0),
              "%s: pages differ", what);
    DS_REQUIRE(a->n_blocks == b->n_blocks);
    for (size_t i = 0; i < a->n_blocks; i++) {
        const ds_block *x = &a->blocks[i], *y = &b->blocks[i];
        int same = x->kind == y->kind && x->level == y->level && x->page_first == y->page_first &&
                   x->page_last == y->page_last && x->text_off == y->text_off && x->text_len == y->text_len &&
                   x->font_size == y->font_size && same_str(x->section, y->section) && !x->table == !y->table;
        if (same && x->table) {
            const ds_table *s = x->table, *t = y->table;
            same = s->n_rows == t->n_rows && s->n_cols == t->n_cols && s->header_rows == t->header_rows;
            for (size_t k = 0; same && k < s->n_rows * s->n_cols; k++)
                same = same_str(s->cells[k], t->cells[k]);
            for (size_t r = 0; same && r < s->n_rows; r++)
                same = s->row_offsets[r] == t->row_offsets[r];
        }
        DS_CHECKF(same, "%s: block %zu differs", what, i);
    }
    DS_REQUIRE(a->n_facts == b->n_facts);
    for (size_t i = 0; i < a->n_facts; i++) {
        const ds_xbrl_fact *x = &a->facts[i], *y = &b->facts[i];
        DS_CHECKF(same_str(x->concept, y->concept) && same_str(x->value, y->value) &&
                      same_str(x->decimals, y->decimals) && same_str(x->unit, y->unit) &&
                      same_str(x->context_id, y->context_id) && same_str(x->entity, y->entity) &&
                      same_str(x->period_start, y->period_start) && same_str(x->period_end, y->period_end) &&
                      same_str(x->dimensions, y->dimensions) && same_str(x->fact_id, y->fact_id) &&
                      x->is_numeric == y->is_numeric && x->is_nil == y->is_nil && x->page == y->page &&
                      x->text_off == y->text_off,
                  "%s: fact %zu differs", what, i);
    }
    DS_CHECKF(a->n_furniture == b->n_furniture && a->n_notes == b->n_notes, "%s: furniture or notes differ", what);
    for (size_t i = 0; i < a->n_notes && i < b->n_notes; i++)
        DS_CHECK(strcmp(a->notes[i], b->notes[i]) == 0);
}

static void round_trip(const char *rel, int want_tables, int want_facts)
{
    ds_document *doc = parse_file(rel);
    if (!doc) {
        printf("(no %s: skipped)\n", rel);
        return;
    }
    size_t tables = 0;
    for (size_t i = 0; i < doc->n_blocks; i++)
        tables += doc->blocks[i].table != NULL;
    DS_CHECKF(!want_tables || tables > 0, "%s: no table to carry", rel);
    DS_CHECKF(!want_facts || doc->n_facts > 0, "%s: no fact to carry", rel);
    ds_buf one = DS_BUF_INIT, two = DS_BUF_INIT;
    ds_err err;
    DS_REQUIRE(ds_doc_wire_encode(doc, &one, &err) == DS_OK);
    ds_document *back;
    DS_REQUIRE(ds_document_create(&back, &err) == DS_OK);
    DS_CHECKF(ds_doc_wire_decode(back, (const unsigned char *)one.data, one.len, &err) == DS_OK, "%s: %s", rel,
              err.msg);
    check_equal(doc, back, rel);
    DS_REQUIRE(ds_doc_wire_encode(back, &two, &err) == DS_OK);
    DS_CHECKF(one.len == two.len && memcmp(one.data, two.data, one.len) == 0, "%s: second encoding differs", rel);
    printf("ok: %s: %zu bytes of text, %zu blocks (%zu tables), %zu facts -> %zu bytes\n", rel, doc->text.len,
           doc->n_blocks, tables, doc->n_facts, one.len);
    ds_buf_deinit(&one);
    ds_buf_deinit(&two);
    ds_document_free(back);
    ds_document_free(doc);
}

/* A decoded document never points outside itself. */
static void check_sane(const ds_document *d)
{
    for (size_t i = 0; i < d->n_blocks; i++) {
        const ds_block *b = &d->blocks[i];
        if (b->text_off > d->text.len || b->text_len > d->text.len - b->text_off || !b->section)
            abort();
        for (size_t r = 0; b->table && r < b->table->n_rows; r++)
            if (b->table->row_offsets[r] > d->text.len)
                abort();
    }
    for (int i = 0; i < d->n_pages; i++)
        if (d->page_offsets[i] > d->text.len)
            abort();
}

static ds_status decode(const void *p, size_t n)
{
    ds_err err;
    ds_document *d;
    DS_REQUIRE(ds_document_create(&d, &err) == DS_OK);
    ds_status st = ds_doc_wire_decode(d, p, n, &err);
    if (st == DS_OK)
        check_sane(d);
    ds_document_free(d);
    return st;
}

static void broken(void)
{
    /* a small document with a table and a fact */
    ds_err err;
    ds_document *doc;
    DS_REQUIRE(ds_document_create(&doc, &err) == DS_OK);
    doc->name = "small.pdf";
    doc->kind = DS_DOC_KIND_PDF;
    const char *cells[] = {"", "2023", "Revenue", "1,234"};
    DS_REQUIRE(ds_doc_begin_page(doc) == DS_OK);
    DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_HEADING, 1, "", "Statement", 9, NULL) == DS_OK);
    DS_REQUIRE(ds_doc_add_table(doc, "Statement", 2, 2, 1, cells, NULL) == DS_OK);
    ds_xbrl_fact f = {"us-gaap:Revenues", "1234", 1,    0, "-6", "USD", "c1", "0000320193", NULL,
                      "2023-09-30",       "",     NULL, 1, 0};
    DS_REQUIRE(ds_doc_add_fact(doc, &f) == DS_OK);
    DS_REQUIRE(ds_doc_add_note(doc, "a note") == DS_OK);
    ds_buf enc = DS_BUF_INIT;
    DS_REQUIRE(ds_doc_wire_encode(doc, &enc, &err) == DS_OK);
    DS_CHECK(decode(enc.data, enc.len) == DS_OK);
    int bad_prefix = 0;
    for (size_t n = 0; n < enc.len; n++)
        bad_prefix += decode(enc.data, n) != DS_ERR_PARSE;
    DS_CHECKF(bad_prefix == 0, "%d truncations decoded", bad_prefix);
    unsigned char *copy = malloc(enc.len + 1);
    DS_REQUIRE(copy);
    size_t accepted = 0;
    for (size_t i = 0; i < enc.len; i++) /* every byte changed: parse error or a sane document */
        for (int v = 0; v < 256; v += 51) {
            memcpy(copy, enc.data, enc.len);
            copy[i] = (unsigned char)(copy[i] ^ (v | 1));
            ds_status st = decode(copy, enc.len);
            DS_CHECK(st == DS_OK || st == DS_ERR_PARSE);
            accepted += st == DS_OK;
        }
    printf("ok: %zu truncations refused; %zu of %zu byte changes still decode (string contents)\n", enc.len, accepted,
           enc.len * 6);
    memcpy(copy, enc.data, enc.len);
    copy[0] = 'X';
    DS_CHECK(decode(copy, enc.len) == DS_ERR_PARSE);
    memcpy(copy, enc.data, enc.len);
    copy[enc.len] = 0;
    DS_CHECK(decode(copy, enc.len + 1) == DS_ERR_PARSE); /* trailing byte */
    /* a block count of 2^60 after a valid header: refused before any allocation */
    DS_CHECK(decode("DSDOC1\n\xff\xff\xff\xff\xff\xff\xff\xff", 15) == DS_ERR_PARSE);
    free(copy);
    ds_buf_deinit(&enc);
    ds_document_free(doc);
}

int main(void)
{
    round_trip("data/financial_pdf/2023 Q3 AAPL.pdf", 1, 0);
    round_trip("data/ixbrl_html/ixbrl.simple.html", 0, 1);
    round_trip("data/xbrl_instance/nflx-20100930.xml", 0, 1);
    round_trip("data/edgar_fulltxt/0000899681-95-000096.txt", 0, 0);
    broken();
    return ds_test_done();
}
