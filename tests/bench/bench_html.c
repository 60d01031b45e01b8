/* bench_html.c - throughput of ds_html_parse / ds_xbrl_parse on the real filings in
 * ../shared/data, against a baseline measured in the same run: libxml2 alone building the same
 * tree (xmlReadMemory for well-formed XHTML and instances, htmlReadMemory otherwise) with the
 * same safety options. Prints a table; never fails on timing. */
#include "ingest/ingest.h"
#include "pipeline/core/buf.h"
#include "tests/testlib.h"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>

#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(void)
{
    static const char *const files[] = {
        "data/ixbrl_html/aeon-20230930x10q.htm",
        "data/ixbrl_html/Oracle.10-Q.html",
        "data/ixbrl_html/Apple.10-Q.html",
        "data/ixbrl_html/ixbrl.simple.html",
        "data/xbrl_instance/aeon-20230930x10q_htm.xml",
        "data/xbrl_instance/nflx-20100930.xml",
    };
    const int reps = 5;
    xmlInitParser();
    printf("%-46s %9s %12s %12s %9s %7s %7s\n", "file", "bytes", "libxml2 ms", "dossier ms", "MB/s", "blocks", "facts");
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        const char *path = ds_test_shared(files[i]);
        if (!path) {
            printf("%-46s (absent)\n", files[i]);
            continue;
        }
        ds_buf b = DS_BUF_INIT;
        ds_err err;
        if (ds_buf_read_file(&b, path, 0, &err) != DS_OK)
            continue;
        ds_doc_kind kind = ds_ingest_detect((const unsigned char *)b.data, b.len, files[i]);
        size_t off = 0;
        while (off < b.len && (b.data[off] == '\n' || b.data[off] == '\r' || b.data[off] == ' '))
            off++;
        double best_base = 1e9, best = 1e9;
        size_t blocks = 0, facts = 0;
        for (int r = 0; r < reps; r++) {
            double t0 = now();
            xmlDocPtr x = xmlReadMemory(b.data + off, (int)(b.len - off), NULL, NULL,
                                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
            if (!x)
                x = htmlReadMemory(b.data, (int)b.len, NULL, NULL,
                                   HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
            xmlFreeDoc(x);
            double t1 = now();
            ds_document *d;
            DS_REQUIRE(ds_document_create(&d, &err) == DS_OK);
            d->kind = kind;
            const unsigned char *u = (const unsigned char *)b.data;
            ds_status st = kind == DS_DOC_KIND_XBRL ? ds_xbrl_parse(d, u, b.len, NULL, &err)
                                                    : ds_html_parse(d, u, b.len, NULL, &err);
            double t2 = now();
            if (st != DS_OK)
                printf("%s: %s\n", files[i], err.msg);
            blocks = d->n_blocks;
            facts = d->n_facts;
            ds_document_free(d);
            if (t1 - t0 < best_base)
                best_base = t1 - t0;
            if (t2 - t1 < best)
                best = t2 - t1;
        }
        printf("%-46s %9zu %12.2f %12.2f %9.1f %7zu %7zu\n", files[i], b.len, best_base * 1e3, best * 1e3,
               (double)b.len / best / 1e6, blocks, facts);
        ds_buf_deinit(&b);
    }
    printf("(best of %d runs; baseline: libxml2 building the tree only, no text model or facts)\n", reps);
    return 0;
}
