/* text_test.c - the plain-text parser: hard-wrapped lines joined into paragraphs (also the
 * last one without a final newline), pages at form feeds, filing headings and section paths,
 * invalid UTF-8 replaced, whitespace-only input refused. */
#include "testlib.h"

#include "ingest/ingest.h"

static ds_document *parse(const char *s, ds_status *st, ds_err *err)
{
    ds_document *doc;
    DS_REQUIRE(ds_document_create(&doc, err) == DS_OK);
    doc->source = "test.txt";
    *st = ds_text_parse(doc, (const unsigned char *)s, strlen(s), NULL, err);
    return doc;
}

static const char *block_text(const ds_document *d, size_t i, char *buf, size_t cap)
{
    snprintf(buf, cap, "%.*s", (int)d->blocks[i].text_len, d->text.data + d->blocks[i].text_off);
    return buf;
}

int main(void)
{
    ds_status st;
    ds_err err;
    char b[512];
    ds_document *d = parse("first line\nsecond line", &st, &err);
    DS_CHECK(st == DS_OK);
    DS_REQUIRE(d->n_blocks == 1);
    DS_CHECK_STREQ(block_text(d, 0, b, sizeof b), "first line second line");
    ds_document_free(d);

    d = parse("PART II\n\nITEM 7. MANAGEMENT'S DISCUSSION\n\nRevenue grew.\nA lot.\f\nPage "
              "two\ntext.\n\f\nLIQUIDITY\n\nCash.",
              &st, &err);
    DS_CHECK(st == DS_OK);
    DS_CHECK(d->n_pages == 3);
    DS_REQUIRE(d->n_blocks == 6);
    DS_CHECK(d->blocks[0].kind == DS_BLOCK_KIND_HEADING && d->blocks[0].level == 1);
    DS_CHECK(d->blocks[1].kind == DS_BLOCK_KIND_HEADING && d->blocks[1].level == 2);
    DS_CHECK_STREQ(d->blocks[1].section, "PART II > ITEM 7. MANAGEMENT'S DISCUSSION");
    DS_CHECK_STREQ(block_text(d, 2, b, sizeof b), "Revenue grew. A lot.");
    DS_CHECK(d->blocks[2].page_first == 1);
    DS_CHECK_STREQ(block_text(d, 3, b, sizeof b), "Page two text.");
    DS_CHECK(d->blocks[3].page_first == 2);
    DS_CHECK(d->blocks[4].kind == DS_BLOCK_KIND_HEADING && d->blocks[4].page_first == 3);
    DS_CHECK_STREQ(d->blocks[5].section, "PART II > ITEM 7. MANAGEMENT'S DISCUSSION > LIQUIDITY");
    DS_CHECK_STREQ(block_text(d, 5, b, sizeof b), "Cash.");
    ds_document_free(d);

    d = parse("bad \xff\xfe bytes and \xc3\x28 here\n", &st, &err);
    DS_CHECK(st == DS_OK);
    DS_CHECK(d->n_blocks == 1 && strstr(d->text.data, "bad \xEF\xBF\xBD\xEF\xBF\xBD bytes") != NULL);
    ds_document_free(d);

    d = parse(" \n\t\r\n  \n", &st, &err);
    DS_CHECK(st == DS_ERR_EMPTY);
    DS_CHECKF(strstr(err.msg, "test.txt") != NULL, "%s", err.msg);
    ds_document_free(d);
    return ds_test_done();
}
