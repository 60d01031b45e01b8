/* parse_child_test.c - a parse in a child process (pipeline/parse_child.h) gives what the same
 * parse gives in-process: a real 10-Q PDF with its tables and an XBRL instance with its facts
 * encode to the same bytes either way, and a file named .pdf that is not one fails with the same
 * code and message; a deadline already past ends the child with DS_ERR_BUDGET and a stop request
 * with DS_ERR_CANCELLED, the child reaped in both cases. */
#include "testlib.h"

#include "ingest/doc_wire.h"
#include "pipeline/core/clock.h"
#include "pipeline/parse_child.h"

#include <string.h>
#include <sys/wait.h>

static int stop_now(void)
{
    return 1;
}

static ds_document *fresh(const char *name)
{
    ds_err err;
    ds_document *doc;
    DS_REQUIRE(ds_document_create(&doc, &err) == DS_OK);
    doc->source = ds_doc_strdup(doc, name);
    doc->name = ds_doc_strdup(doc, name);
    return doc;
}

/* In the child and in-process: same status, message and (on success) same encoding. */
static void same_both_ways(const char *name, const void *data, size_t n)
{
    ds_parse_limits pl = {60, 2048, 0, NULL};
    ds_document *a = fresh(name), *b = fresh(name);
    ds_err ea, eb;
    ds_err_clear(&ea);
    ds_err_clear(&eb);
    ds_status sa = ds_parse_in_child(a, data, n, NULL, &pl, &ea);
    ds_status sb = ds_ingest_parse(b, data, n, NULL, &eb);
    DS_CHECKF(sa == sb, "%s: child %s (%s), in-process %s", name, ds_status_str(sa), ea.msg, ds_status_str(sb));
    DS_CHECK(a->kind == b->kind);
    if (sa != DS_OK) {
        DS_CHECK_STREQ(ea.msg, eb.msg);
    } else {
        ds_buf x = DS_BUF_INIT, y = DS_BUF_INIT;
        DS_REQUIRE(ds_doc_wire_encode(a, &x, &ea) == DS_OK && ds_doc_wire_encode(b, &y, &eb) == DS_OK);
        DS_CHECKF(x.len == y.len && memcmp(x.data, y.data, x.len) == 0, "%s: the child's document differs", name);
        printf("ok: %s: %d pages, %zu blocks, %zu facts, same as in-process\n", name, a->n_pages, a->n_blocks,
               a->n_facts);
        ds_buf_deinit(&x);
        ds_buf_deinit(&y);
    }
    ds_document_free(a);
    ds_document_free(b);
}

static void real_file(const char *rel)
{
    const char *path = ds_test_shared(rel);
    if (!path) {
        printf("(no %s: skipped)\n", rel);
        return;
    }
    ds_buf data = DS_BUF_INIT;
    ds_err err;
    DS_REQUIRE(ds_buf_read_file(&data, path, 0, &err) == DS_OK);
    same_both_ways(strrchr(path, '/') + 1, data.data, data.len);
    ds_buf_deinit(&data);
}

static void ended(const char *what, ds_parse_limits pl, ds_status want)
{
    const char *text = "Revenue was $1,234 million in 2023.\n";
    ds_document *doc = fresh("ended.txt");
    ds_err err;
    ds_status st = ds_parse_in_child(doc, (const unsigned char *)text, strlen(text), NULL, &pl, &err);
    DS_CHECKF(st == want, "%s: got %s (%s)", what, ds_status_str(st), st ? err.msg : "");
    DS_CHECK(waitpid(-1, NULL, WNOHANG) < 0); /* no child left unreaped */
    DS_CHECK(doc->text.len == 0);
    ds_document_free(doc);
}

int main(void)
{
    real_file("data/financial_pdf/2023 Q3 AAPL.pdf");
    real_file("data/xbrl_instance/nflx-20100930.xml");
    same_both_ways("oops.pdf", "oops", 4);
    ds_parse_limits past = {0, 0, ds_now_s() - 1, NULL}, stop = {0, 0, 0, stop_now};
    ended("deadline passed", past, DS_ERR_BUDGET);
    ended("stop requested", stop, DS_ERR_CANCELLED);
    return ds_test_done();
}
