/* markup_hostile_test.c - the HTML / iXBRL / XBRL parsers against hostile and broken input:
 * entity expansion bombs, external entities and DTDs (file and network: a local listening
 * socket must see no connection), deep nesting, invalid UTF-8, malformed markup, truncation,
 * size limits, a generated 50 MB single line, and allocation failures at every step. Each
 * must end in a clear status (DS_OK or a named error), never a crash, hang or expansion. */
#include "ingest/ingest.h"
#include "pipeline/core/alloc.h"
#include "pipeline/core/buf.h"
#include "tests/testlib.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef ds_status (*parse_fn)(ds_document *, const unsigned char *, size_t, const ds_ingest_limits *, ds_err *);

static ds_document *run(parse_fn fn, ds_doc_kind kind, const char *src, size_t n, const ds_ingest_limits *lim,
                        ds_status *st, ds_err *err)
{
    ds_document *d;
    DS_REQUIRE(ds_document_create(&d, err) == DS_OK);
    d->name = "hostile";
    d->kind = kind;
    memset(err, 0, sizeof *err);
    *st = fn(d, (const unsigned char *)src, n, lim, err);
    return d;
}

/* Valid UTF-8 throughout, and blocks inside the text. */
static int doc_consistent(const ds_document *d)
{
    const unsigned char *s = (const unsigned char *)d->text.data;
    for (size_t i = 0; i < d->text.len;) {
        unsigned char c = s[i];
        size_t l = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (l == 0 || c == 0 || i + l > d->text.len)
            return 0;
        for (size_t k = 1; k < l; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
        i += l;
    }
    for (size_t i = 0; i < d->n_blocks; i++)
        if (d->blocks[i].text_off + d->blocks[i].text_len > d->text.len)
            return 0;
    for (size_t i = 0; i < d->n_facts; i++)
        if (d->facts[i].text_off != SIZE_MAX && d->facts[i].text_off > d->text.len)
            return 0;
    return 1;
}

static size_t longest_value(const ds_document *d)
{
    size_t m = 0;
    for (size_t i = 0; i < d->n_facts; i++)
        if (d->facts[i].value && strlen(d->facts[i].value) > m)
            m = strlen(d->facts[i].value);
    return m;
}

#define LOL_DTD                                                                         \
    "<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n"                                         \
    "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"           \
    "<!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n" \
    "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n" \
    "<!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n" \
    "<!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n" \
    "<!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n" \
    "<!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n" \
    "<!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n" \
    "<!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n]>\n"

#define INSTANCE_OPEN                                                                                           \
    "<xbrli:xbrl xmlns:xbrli=\"http://www.xbrl.org/2003/instance\" xmlns:dei=\"http://xbrl.sec.gov/dei/2023\">" \
    "<xbrli:context id=\"c\"><xbrli:entity><xbrli:identifier scheme=\"s\">1</xbrli:identifier></xbrli:entity>"  \
    "<xbrli:period><xbrli:instant>2023-12-31</xbrli:instant></xbrli:period></xbrli:context>"

#define IX_OPEN                                                                                            \
    "<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:ix=\"http://www.xbrl.org/2013/inlineXBRL\""        \
    " xmlns:xbrli=\"http://www.xbrl.org/2003/instance\" xmlns:dei=\"http://xbrl.sec.gov/dei/2023\"><body>" \
    "<div style=\"display:none\"><ix:header><ix:resources><xbrli:context id=\"c\"><xbrli:entity>"          \
    "<xbrli:identifier scheme=\"s\">1</xbrli:identifier></xbrli:entity><xbrli:period>"                     \
    "<xbrli:instant>2023-12-31</xbrli:instant></xbrli:period></xbrli:context></ix:resources></ix:header></div>"

static void test_billion_laughs(void)
{
    static const char inst[] = "<?xml version=\"1.0\"?>\n" LOL_DTD INSTANCE_OPEN
                               "<dei:EntityRegistrantName contextRef=\"c\">&lol9;</dei:EntityRegistrantName>"
                               "</xbrli:xbrl>";
    static const char ix[] = "<?xml version=\"1.0\"?>\n" LOL_DTD IX_OPEN
                             "<p>Name: <ix:nonNumeric name=\"dei:EntityRegistrantName\" contextRef=\"c\">&lol9;"
                             "</ix:nonNumeric></p></body></html>";
    ds_status st;
    ds_err err;
    clock_t t0 = clock();
    ds_document *d = run(ds_xbrl_parse, DS_DOC_KIND_XBRL, inst, strlen(inst), NULL, &st, &err);
    printf("billion laughs, instance: %s (%s)\n", ds_status_name(st), err.msg);
    DS_CHECK(st == DS_OK || st == DS_ERR_PARSE || st == DS_ERR_EMPTY);
    DS_CHECK(longest_value(d) < 1000 && d->text.len < 1000 && doc_consistent(d));
    ds_document_free(d);

    d = run(ds_html_parse, DS_DOC_KIND_IXBRL, ix, strlen(ix), NULL, &st, &err);
    printf("billion laughs, ixbrl: %s (%s), %zu facts, %zu bytes of text\n", ds_status_name(st), err.msg, d->n_facts,
           d->text.len);
    DS_CHECK(st == DS_OK || st == DS_ERR_PARSE || st == DS_ERR_NO_TEXT);
    DS_CHECK(longest_value(d) < 1000 && d->text.len < 2000 && doc_consistent(d));
    DS_CHECK(strstr(d->text.data, "lollollol") == NULL);
    ds_document_free(d);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    DS_CHECKF(secs < 10, "%.1f s", secs);
}

static int listen_local(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    DS_REQUIRE(fd >= 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    DS_REQUIRE(bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && listen(fd, 8) == 0);
    socklen_t l = sizeof a;
    DS_REQUIRE(getsockname(fd, (struct sockaddr *)&a, &l) == 0);
    *port = ntohs(a.sin_port);
    return fd;
}

static int connection_waiting(int fd)
{
    struct pollfd p = {fd, POLLIN, 0};
    return poll(&p, 1, 200) > 0;
}

static void test_external_entities(void)
{
    /* a local file holding a marker, and a local server that must never be contacted */
    char path[4200];
    snprintf(path, sizeof path, "%s/secret.txt", ds_test_tmpdir());
    FILE *f = fopen(path, "w");
    DS_REQUIRE(f != NULL);
    fputs("XXE-MARKER-7f3a\n", f);
    fclose(f);
    int port;
    int fd = listen_local(&port);

    char dtd[12000], inst[16000], ix[16000];
    snprintf(dtd, sizeof dtd,
             "<!DOCTYPE x SYSTEM \"http://127.0.0.1:%d/external.dtd\" [\n"
             "<!ENTITY file SYSTEM \"file://%s\">\n"
             "<!ENTITY passwd SYSTEM \"file:///etc/passwd\">\n"
             "<!ENTITY net SYSTEM \"http://127.0.0.1:%d/entity\">\n"
             "<!ENTITY %% pe SYSTEM \"http://127.0.0.1:%d/pe.dtd\">\n"
             "<!ENTITY %% pefile SYSTEM \"file://%s\">\n"
             "%%pe; %%pefile;\n]>\n",
             port, path, port, port, path);
    snprintf(inst, sizeof inst,
             "<?xml version=\"1.0\"?>\n%s" INSTANCE_OPEN
             "<dei:EntityRegistrantName contextRef=\"c\">A&file;B&passwd;C&net;D</dei:EntityRegistrantName>"
             "<dei:DocumentType contextRef=\"c\">10-K</dei:DocumentType></xbrli:xbrl>",
             dtd);
    snprintf(ix, sizeof ix,
             "<?xml version=\"1.0\"?>\n%s" IX_OPEN
             "<p>Text &file; and &passwd; and &net;.</p><p><ix:nonNumeric name=\"dei:EntityRegistrantName\""
             " contextRef=\"c\">A&file;B&passwd;C&net;D</ix:nonNumeric></p></body></html>",
             dtd);
    ds_status st;
    ds_err err;
    const char *srcs[2] = {inst, ix};
    for (int k = 0; k < 2; k++) {
        ds_document *d = k == 0 ? run(ds_xbrl_parse, DS_DOC_KIND_XBRL, inst, strlen(inst), NULL, &st, &err)
                                : run(ds_html_parse, DS_DOC_KIND_IXBRL, ix, strlen(ix), NULL, &st, &err);
        printf("external entities, %s: %s (%s), %zu facts\n", k ? "ixbrl" : "instance", ds_status_name(st), err.msg,
               d->n_facts);
        DS_CHECK(st == DS_OK || st == DS_ERR_PARSE);
        DS_CHECK(doc_consistent(d));
        DS_CHECK(strstr(d->text.data, "XXE-MARKER") == NULL && strstr(d->text.data, "root:") == NULL);
        for (size_t i = 0; i < d->n_facts; i++) {
            DS_CHECK(strstr(d->facts[i].value, "XXE-MARKER") == NULL);
            DS_CHECK(strstr(d->facts[i].value, "root:") == NULL);
        }
        if (st == DS_OK && k == 0) { /* parsed: the references are simply not expanded */
            DS_CHECK(d->n_facts == 2);
            DS_CHECK(d->n_facts > 0 && !strcmp(d->facts[0].value, "ABCD"));
        }
        DS_CHECKF(!connection_waiting(fd), "%s document opened a network connection", k ? "ixbrl" : "instance");
        ds_document_free(d);
        (void)srcs;
    }
    /* plain HTML pointing at the server (the HTML parser loads nothing) */
    char html[600];
    snprintf(html, sizeof html,
             "<!DOCTYPE html SYSTEM \"http://127.0.0.1:%d/html.dtd\"><html><head>"
             "<link rel=\"stylesheet\" href=\"http://127.0.0.1:%d/s.css\"></head><body>"
             "<img src=\"http://127.0.0.1:%d/i.png\"><p>Hello &amp; bye</p></body></html>",
             port, port, port);
    ds_document *d = run(ds_html_parse, DS_DOC_KIND_HTML, html, strlen(html), NULL, &st, &err);
    DS_CHECK(st == DS_OK && strstr(d->text.data, "Hello & bye") != NULL);
    DS_CHECK(!connection_waiting(fd));
    ds_document_free(d);
    close(fd);
}

static char *repeat(const char *head, const char *unit, size_t times, const char *mid, const char *close_unit,
                    const char *tail, size_t *len)
{
    ds_buf b = DS_BUF_INIT;
    DS_REQUIRE(ds_buf_puts(&b, head) == DS_OK);
    for (size_t i = 0; i < times; i++)
        DS_REQUIRE(ds_buf_puts(&b, unit) == DS_OK);
    DS_REQUIRE(ds_buf_puts(&b, mid) == DS_OK);
    for (size_t i = 0; close_unit && i < times; i++)
        DS_REQUIRE(ds_buf_puts(&b, close_unit) == DS_OK);
    DS_REQUIRE(ds_buf_puts(&b, tail) == DS_OK);
    *len = b.len;
    return ds_buf_take(&b);
}

static void test_deep_nesting(void)
{
    ds_status st;
    ds_err err;
    size_t n;
    char *html = repeat("<html><body>", "<div>", 100000, "deep", "</div>", "</body></html>", &n);
    ds_document *d = run(ds_html_parse, DS_DOC_KIND_HTML, html, n, NULL, &st, &err);
    printf("100000 nested divs: %s (%s)\n", ds_status_name(st), err.msg);
    DS_CHECK(st == DS_ERR_PARSE && strstr(err.msg, "nesting") != NULL);
    ds_document_free(d);
    ds_free(html);

    char *ix = repeat("<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\"><body>", "<span>", 100000,
                      "deep", "</span>", "</body></html>", &n);
    d = run(ds_html_parse, DS_DOC_KIND_IXBRL, ix, n, NULL, &st, &err);
    printf("100000 nested spans, xhtml: %s (%s)\n", ds_status_name(st), err.msg);
    DS_CHECK(st == DS_ERR_PARSE);
    ds_document_free(d);
    ds_free(ix);

    char *inst = repeat("<?xml version=\"1.0\"?>" INSTANCE_OPEN, "<a:t xmlns:a=\"urn:a\">", 100000, "1", "</a:t>",
                        "</xbrli:xbrl>", &n);
    d = run(ds_xbrl_parse, DS_DOC_KIND_XBRL, inst, n, NULL, &st, &err);
    printf("100000 nested elements, instance: %s (%s)\n", ds_status_name(st), err.msg);
    DS_CHECK(st == DS_ERR_PARSE);
    ds_document_free(d);
    ds_free(inst);

    /* the caller's limit */
    ds_ingest_limits lim = {0, 0, 50};
    html = repeat("<html><body>", "<div>", 60, "deep", "</div>", "</body></html>", &n);
    d = run(ds_html_parse, DS_DOC_KIND_HTML, html, n, &lim, &st, &err);
    DS_CHECK(st == DS_ERR_PARSE && strstr(err.msg, "deeper than 50") != NULL);
    ds_document_free(d);
    ds_free(html);
    html = repeat("<html><body>", "<div>", 40, "deep", "</div>", "</body></html>", &n);
    d = run(ds_html_parse, DS_DOC_KIND_HTML, html, n, &lim, &st, &err);
    DS_CHECK(st == DS_OK && d->n_blocks == 1);
    ds_document_free(d);
    ds_free(html);
    /* unclosed inline tags nest without end in the HTML parser as well */
    html = repeat("<html><body>", "<font>x", 5000, "", NULL, "</body></html>", &n);
    d = run(ds_html_parse, DS_DOC_KIND_HTML, html, n, NULL, &st, &err);
    DS_CHECK(st == DS_ERR_PARSE || st == DS_OK);
    DS_CHECK(doc_consistent(d));
    ds_document_free(d);
    ds_free(html);
}

static void test_broken(void)
{
    ds_status st;
    ds_err err;
    /* invalid UTF-8 in a page that says it is UTF-8, and in an iXBRL document */
    static const char bad_utf8[] = "<html><head><meta charset=\"utf-8\"></head><body><p>caf\xE9 \xFF\xFE ok "
                                   "\xC3\x28 \xED\xA0\x80 end</p></body></html>";
    ds_document *d = run(ds_html_parse, DS_DOC_KIND_HTML, bad_utf8, sizeof bad_utf8 - 1, NULL, &st, &err);
    DS_CHECK(st == DS_OK && doc_consistent(d) && strstr(d->text.data, "end") != NULL);
    ds_document_free(d);
    static const char bad_ix[] = "<?xml version=\"1.0\" encoding=\"utf-8\"?>" IX_OPEN
                                 "<p>Name <ix:nonNumeric name=\"dei:EntityRegistrantName\" contextRef=\"c\">"
                                 "Caf\xE9 \xFF</ix:nonNumeric></p></body></html>";
    d = run(ds_html_parse, DS_DOC_KIND_IXBRL, bad_ix, sizeof bad_ix - 1, NULL, &st, &err);
    DS_CHECK(st == DS_OK && doc_consistent(d) && d->n_facts == 1);
    ds_document_free(d);

    /* malformed markup */
    static const char *const broken[] = {
        "<html><body><p>unclosed <b>bold <table><tr><td>cell</p></td></tr><td>stray</table></div></span>"
        "<p attr=noquote>tail",
        "<<<>>>&&&;<p>x</p><//p><!-- unterminated comment",
        "<table><tr><td colspan=\"999999999\">wide</td><td rowspan=\"-5\">neg</td></tr><tr><td>b</td></tr></table>",
        "<table><tr><td colspan=\"0\">a</td><td colspan=\"abc\">b</td></tr></table><table></table><tr><td>orphan",
        "<p style=\"font-size:9999999999999pt;font-weight:;display\">odd style</p><p style=\";;:;:\">x</p>",
        "<ix:nonFraction name=\"a:b\" contextRef=\"nope\" unitRef=\"nope\" scale=\"99999999999\">1</ix:nonFraction>"
        "<ix:nonFraction name=\"a:b\" scale=\"-7\" format=\"ixt:num-dot-decimal\">abc</ix:nonFraction>"
        "<ix:nonNumeric name=\"\">no name</ix:nonNumeric><ix:nonNumeric>no attrs</ix:nonNumeric>",
        "<pre>line one\nline two\n\n\nparagraph two\n</pre><pre></pre>",
        "\xEF\xBB\xBF<html><body><h1></h1><h7>seven</h7><li>loose item</li></body></html>",
        "<html><body>" /* only whitespace */ "   \n\t </body></html>",
    };
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
        d = run(ds_html_parse, DS_DOC_KIND_HTML, broken[i], strlen(broken[i]), NULL, &st, &err);
        DS_CHECKF(st == DS_OK || st == DS_ERR_NO_TEXT || st == DS_ERR_PARSE, "case %zu: %s", i, ds_status_name(st));
        DS_CHECK(doc_consistent(d));
        ds_document_free(d);
    }
    d = run(ds_html_parse, DS_DOC_KIND_HTML, broken[0], strlen(broken[0]), NULL, &st, &err);
    DS_CHECK(st == DS_OK && strstr(d->text.data, "cell") && strstr(d->text.data, "tail"));
    ds_document_free(d);
    d = run(ds_html_parse, DS_DOC_KIND_HTML, broken[5], strlen(broken[5]), NULL, &st, &err);
    DS_CHECK(st == DS_OK && d->n_facts == 0 && d->n_notes >= 2); /* bad facts left out, with notes */
    ds_document_free(d);
    d = run(ds_html_parse, DS_DOC_KIND_HTML, broken[6], strlen(broken[6]), NULL, &st, &err);
    DS_CHECK(st == DS_OK && d->n_blocks == 2 && strstr(d->text.data, "line one\nline two") != NULL);
    ds_document_free(d);
    d = run(ds_html_parse, DS_DOC_KIND_HTML, broken[8], strlen(broken[8]), NULL, &st, &err);
    DS_CHECK(st == DS_ERR_NO_TEXT);
    ds_document_free(d);
    d = run(ds_html_parse, DS_DOC_KIND_HTML, "", 0, NULL, &st, &err);
    DS_CHECK(st == DS_ERR_EMPTY);
    ds_document_free(d);

    /* not XBRL at all */
    static const char not_xbrl[] = "<?xml version=\"1.0\"?><catalog><book>x</book></catalog>";
    d = run(ds_xbrl_parse, DS_DOC_KIND_XBRL, not_xbrl, sizeof not_xbrl - 1, NULL, &st, &err);
    DS_CHECK(st == DS_ERR_FORMAT && strstr(err.msg, "catalog") != NULL);
    ds_document_free(d);
    static const char bad_xml[] = "<?xml version=\"1.0\"?>" INSTANCE_OPEN "<dei:X contextRef=\"c\">1</dei:Y>";
    d = run(ds_xbrl_parse, DS_DOC_KIND_XBRL, bad_xml, sizeof bad_xml - 1, NULL, &st, &err);
    DS_CHECK(st == DS_ERR_PARSE && strstr(err.msg, "line 1") != NULL);
    printf("mismatched tag: %s\n", err.msg);
    ds_document_free(d);

    /* every truncation of an inline XBRL document */
    static const char ixdoc[] = "<?xml version=\"1.0\"?>" IX_OPEN
                                "<p>Name <ix:nonNumeric name=\"dei:EntityRegistrantName\" contextRef=\"c\">Acme"
                                "</ix:nonNumeric> <ix:nonFraction name=\"dei:X\" contextRef=\"c\" unitRef=\"u\""
                                " scale=\"3\">1,5</ix:nonFraction></p></body></html>";
    for (size_t cut = 1; cut < sizeof ixdoc - 1; cut += 7) {
        d = run(ds_html_parse, DS_DOC_KIND_IXBRL, ixdoc, cut, NULL, &st, &err);
        DS_CHECK(st == DS_OK || st == DS_ERR_NO_TEXT || st == DS_ERR_PARSE);
        DS_CHECK(doc_consistent(d));
        ds_document_free(d);
        d = run(ds_xbrl_parse, DS_DOC_KIND_XBRL, ixdoc, cut, NULL, &st, &err);
        DS_CHECK(st != DS_OK);
        ds_document_free(d);
    }
}

static void test_limits(void)
{
    ds_status st;
    ds_err err;
    ds_ingest_limits small = {100, 0, 0};
    char page[300];
    snprintf(page, sizeof page, "<html><body><p>%0200d</p></body></html>", 7);
    ds_document *d = run(ds_html_parse, DS_DOC_KIND_HTML, page, strlen(page), &small, &st, &err);
    DS_CHECK(st == DS_ERR_TOO_LARGE && strstr(err.msg, "hostile") != NULL);
    ds_document_free(d);
    d = run(ds_xbrl_parse, DS_DOC_KIND_XBRL, page, strlen(page), &small, &st, &err);
    DS_CHECK(st == DS_ERR_TOO_LARGE);
    ds_document_free(d);

    /* a 50 MB single line, made here: one paragraph of 50 MB, then 50 MB of 24 kB paragraphs */
    const size_t big = 50u << 20;
    ds_buf b = DS_BUF_INIT;
    DS_REQUIRE(ds_buf_reserve(&b, big + 200) == DS_OK);
    ds_buf_puts(&b, "<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\"><body><p>");
    size_t head = b.len;
    while (b.len < head + big)
        ds_buf_puts(&b, "word and number 1234567 ");
    ds_buf_puts(&b, "</p></body></html>");
    DS_REQUIRE(memchr(b.data, '\n', b.len) == NULL);
    ds_ingest_limits lim16 = {16u << 20, 0, 0};
    clock_t t0 = clock();
    d = run(ds_html_parse, DS_DOC_KIND_HTML, b.data, b.len, &lim16, &st, &err);
    DS_CHECK(st == DS_ERR_TOO_LARGE);
    ds_document_free(d);
    /* no byte limit: libxml2's own limit on one text node (10 MB without XML_PARSE_HUGE) */
    d = run(ds_html_parse, DS_DOC_KIND_HTML, b.data + 21, b.len - 21, NULL, &st, &err);
    printf("50 MB paragraph, html: %s (%s)\n", ds_status_name(st), err.msg);
    DS_CHECK(st == DS_ERR_TOO_LARGE || (st == DS_OK && d->text.len >= big - 100));
    DS_CHECK(doc_consistent(d));
    ds_document_free(d);
    d = run(ds_html_parse, DS_DOC_KIND_IXBRL, b.data, b.len, NULL, &st, &err);
    printf("50 MB paragraph, xhtml: %s (%s)\n", ds_status_name(st), err.msg);
    DS_CHECK(st == DS_ERR_TOO_LARGE || (st == DS_OK && d->text.len >= big - 100));
    ds_document_free(d);
    ds_buf paras = DS_BUF_INIT;
    DS_REQUIRE(ds_buf_reserve(&paras, big + 30000) == DS_OK);
    ds_buf_puts(&paras, "<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\"><body>");
    size_t n_paras = 0;
    while (paras.len < big) {
        ds_buf_puts(&paras, "<p>");
        for (int w = 0; w < 1000; w++)
            ds_buf_puts(&paras, "word and number 1234567 ");
        ds_buf_puts(&paras, "end</p>");
        n_paras++;
    }
    ds_buf_puts(&paras, "</body></html>");
    for (int k = 0; k < 2; k++) { /* HTML parser, then XML parser */
        d = run(ds_html_parse, k ? DS_DOC_KIND_IXBRL : DS_DOC_KIND_HTML, paras.data + (k ? 0 : 21),
                paras.len - (k ? 0 : 21), NULL, &st, &err);
        printf("50 MB of paragraphs on one line, %s: %s, %zu blocks, %zu bytes of text\n", k ? "xhtml" : "html",
               ds_status_name(st), d->n_blocks, d->text.len);
        DS_CHECK(st == DS_OK && d->n_blocks == n_paras && d->text.len > big - 100000 && d->n_notes == 0);
        DS_CHECK(doc_consistent(d));
        ds_document_free(d);
    }
    ds_buf_deinit(&paras);
    /* an instance with a 50 MB value: refused by the XML parser's limits */
    ds_buf x = DS_BUF_INIT;
    DS_REQUIRE(ds_buf_reserve(&x, big + 1000) == DS_OK);
    ds_buf_puts(&x, "<?xml version=\"1.0\"?>" INSTANCE_OPEN "<dei:EntityRegistrantName contextRef=\"c\">");
    ds_buf_append(&x, b.data + head, big);
    ds_buf_puts(&x, "</dei:EntityRegistrantName></xbrli:xbrl>");
    d = run(ds_xbrl_parse, DS_DOC_KIND_XBRL, x.data, x.len, NULL, &st, &err);
    printf("50 MB value, instance: %s (%s)\n", ds_status_name(st), err.msg);
    DS_CHECK(st == DS_ERR_PARSE || st == DS_ERR_TOO_LARGE);
    ds_document_free(d);
    ds_buf_deinit(&x);
    ds_buf_deinit(&b);
    printf("50 MB cases: %.1f s cpu\n", (double)(clock() - t0) / CLOCKS_PER_SEC);
}

/* Every allocation of a parse fails once in turn: the parse reports DS_ERR_NOMEM or gives the
 * full result, and never crashes or leaks (ASan checks the latter). */
static void test_alloc_failures(void)
{
    static const char doc[] = "<?xml version=\"1.0\"?>" IX_OPEN
                              "<p><b>Item 7. Discussion</b></p><p>Name <ix:nonNumeric name=\"dei:EntityRegistrantName\""
                              " contextRef=\"c\" continuedAt=\"k\">Acme</ix:nonNumeric></p>"
                              "<ix:continuation id=\"k\"> Corp</ix:continuation>"
                              "<table><tr><td>Revenue</td><td>$</td><td><ix:nonFraction name=\"dei:X\" contextRef=\"c\""
                              " unitRef=\"u\" scale=\"3\" format=\"ixt:num-dot-decimal\">1,5</ix:nonFraction></td>"
                              "<td>)</td></tr><tr><td>Cost</td><td></td><td>7</td><td></td></tr></table>"
                              "<p style=\"page-break-after:always\">3</p><ul><li>item</li></ul></body></html>";
    ds_status st;
    ds_err err;
    ds_document *ref = run(ds_html_parse, DS_DOC_KIND_IXBRL, doc, sizeof doc - 1, NULL, &st, &err);
    DS_REQUIRE(st == DS_OK);
    size_t nomem = 0, ok_run = 0, n;
    for (n = 0; n < 4000 && ok_run < 200; n++) { /* 200 clean runs in a row: past the last allocation */
        ds_document *d;
        if (ds_document_create(&d, &err) != DS_OK)
            continue;
        d->kind = DS_DOC_KIND_IXBRL;
        ds_alloc_fail_after((long)n);
        st = ds_html_parse(d, (const unsigned char *)doc, sizeof doc - 1, NULL, &err);
        ds_alloc_fail_after(-1);
        if (st == DS_ERR_NOMEM) {
            nomem++;
            ok_run = 0;
        } else {
            DS_CHECKF(st == DS_OK, "failure after %zu allocations: %s", n, ds_status_name(st));
            DS_CHECKF(d->n_facts == ref->n_facts && d->n_blocks == ref->n_blocks && d->text.len == ref->text.len &&
                          d->n_pages == ref->n_pages,
                      "allocation %zu failed silently: %zu facts, %zu blocks", n, d->n_facts, d->n_blocks);
            ok_run++;
        }
        ds_document_free(d);
    }
    printf("allocation failures: %zu runs, %zu reported out of memory\n", n, nomem);
    DS_CHECK(nomem > 10);
    ds_document_free(ref);
}

int main(void)
{
    test_billion_laughs();
    test_external_entities();
    test_deep_nesting();
    test_broken();
    test_limits();
    test_alloc_failures();
    return ds_test_done();
}
