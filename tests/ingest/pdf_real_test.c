/* pdf_real_test.c - the PDF parser on real SEC filings (../shared/data/financial_pdf, skipped when
 * absent): page counts, metadata, FinanceBench evidence found on its page, financial statements
 * kept whole as tables with their period header rows, running headers and footers removed,
 * SEC section paths, and the document invariants (valid UTF-8, page of every character). */
#include "ingest/ingest.h"
#include "pipeline/core/alloc.h"
#include "pipeline/core/buf.h"
#include "tests/testlib.h"

#include <ctype.h>
#include <glib.h>
#include <stdint.h>

static int starts_with(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

static ds_document *parse(const char *path, ds_status *st)
{
    ds_buf b = DS_BUF_INIT;
    ds_err err = {0};
    DS_REQUIRE(ds_buf_read_file(&b, path, 0, &err) == DS_OK);
    ds_document *doc;
    DS_REQUIRE(ds_document_create(&doc, &err) == DS_OK);
    doc->source = path;
    *st = ds_pdf_parse(doc, (const unsigned char *)b.data, b.len, NULL, &err);
    if (*st != DS_OK)
        fprintf(stderr, "%s: %s\n", path, err.msg);
    ds_buf_deinit(&b);
    return doc;
}

static void page_span(const ds_document *doc, int page, size_t *a, size_t *b)
{
    *a = doc->page_offsets[page - 1];
    *b = page < doc->n_pages ? doc->page_offsets[page] : doc->text.len;
}

/* The invariants document.h promises, on any parsed PDF. */
static void check_invariants(const ds_document *doc, int pages)
{
    DS_CHECKF(doc->n_pages == pages, "pages %d, expected %d", doc->n_pages, pages);
    DS_CHECK(g_utf8_validate(doc->text.data, (gssize)doc->text.len, NULL));
    for (int p = 1; p < doc->n_pages; p++)
        DS_CHECK(doc->page_offsets[p] >= doc->page_offsets[p - 1]);
    for (size_t i = 0; i < doc->n_blocks; i++) {
        const ds_block *b = &doc->blocks[i];
        DS_CHECK(b->text_off + b->text_len <= doc->text.len);
        DS_CHECK(b->page_first >= 1 && b->page_first <= doc->n_pages);
        DS_CHECK(ds_doc_page_of(doc, b->text_off) == b->page_first);
        DS_CHECK(b->page_first == b->page_last); /* PDF blocks never straddle pages */
        DS_CHECK(b->section != NULL);
        if (b->kind == DS_BLOCK_KIND_TABLE) {
            DS_CHECK(b->table && b->table->n_rows >= 2 && b->table->n_cols >= 2);
            DS_CHECK(b->table->header_rows < b->table->n_rows);
        }
        if (b->kind == DS_BLOCK_KIND_HEADING)
            DS_CHECK(b->level >= 1 && b->level <= 6);
    }
}

/* The table block on `page` holding a row equal to cells[0..n); NULL if none. */
static const ds_block *table_with_row(const ds_document *doc, int page, const char *const *cells, size_t n)
{
    for (size_t i = 0; i < doc->n_blocks; i++) {
        const ds_block *b = &doc->blocks[i];
        if (b->kind != DS_BLOCK_KIND_TABLE || b->page_first != page || b->table->n_cols != n)
            continue;
        for (size_t r = 0; r < b->table->n_rows; r++) {
            size_t c = 0;
            while (c < n && strcmp(b->table->cells[r * n + c], cells[c]) == 0)
                c++;
            if (c == n)
                return b;
        }
    }
    return NULL;
}

static int table_has_label(const ds_table *t, const char *label)
{
    for (size_t r = 0; r < t->n_rows; r++)
        if (strcmp(t->cells[r * t->n_cols], label) == 0)
            return 1;
    return 0;
}

static const ds_block *block_with_text(const ds_document *doc, ds_block_kind kind, const char *text)
{
    size_t n = strlen(text);
    for (size_t i = 0; i < doc->n_blocks; i++) {
        const ds_block *b = &doc->blocks[i];
        if (b->kind == kind && b->text_len == n && memcmp(doc->text.data + b->text_off, text, n) == 0)
            return b;
    }
    return NULL;
}

static size_t count_occurrences(const ds_document *doc, const char *needle)
{
    size_t n = 0;
    for (const char *p = doc->text.data; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

/* ---- FinanceBench evidence -------------------------------------------------------------------- */

/* Decodes the JSON string starting after the opening quote at s into out; returns the position
 * after the closing quote. */
static const char *json_string(const char *s, ds_buf *out)
{
    ds_buf_clear(out);
    while (*s && *s != '"') {
        if (*s != '\\') {
            ds_buf_putc(out, *s++);
            continue;
        }
        s++;
        char c = *s++;
        if (c == 'n' || c == 't' || c == 'r')
            ds_buf_putc(out, ' ');
        else if (c == 'u') {
            unsigned cp = (unsigned)strtoul((char[]){s[0], s[1], s[2], s[3], 0}, NULL, 16);
            s += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && s[0] == '\\' && s[1] == 'u') {
                unsigned lo = (unsigned)strtoul((char[]){s[2], s[3], s[4], s[5], 0}, NULL, 16);
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                s += 6;
            }
            char u[8];
            int l = g_unichar_to_utf8(cp, u);
            ds_buf_append(out, u, (size_t)l);
        } else if (c)
            ds_buf_putc(out, c);
    }
    return *s ? s + 1 : s;
}

/* Share of the evidence's words (3+ characters, case folded) found in text[a, b). */
static double coverage(const char *lower, size_t a, size_t b, char **words, size_t n_words)
{
    if (n_words == 0)
        return 0;
    size_t found = 0;
    char save = ((char *)lower)[b];
    ((char *)lower)[b] = '\0';
    for (size_t i = 0; i < n_words; i++)
        found += strstr(lower + a, words[i]) != NULL;
    ((char *)lower)[b] = save;
    return (double)found / (double)n_words;
}

static size_t split_words(char *s, char **words, size_t max)
{
    size_t n = 0;
    for (char *p = s; *p && n < max;) {
        while (*p && (isspace((unsigned char)*p) || strchr(",.:;()$|", *p)))
            p++;
        char *w = p;
        while (*p && !isspace((unsigned char)*p))
            p++;
        char *e = p;
        while (e > w && strchr(",.:;()$|", e[-1]))
            e--;
        if (*p)
            *p++ = '\0';
        *e = '\0';
        if (e - w >= 3) {
            for (char *q = w; *q; q++)
                *q = (char)tolower((unsigned char)*q);
            int dup = 0;
            for (size_t i = 0; i < n && !dup; i++)
                dup = strcmp(words[i], w) == 0;
            if (!dup)
                words[n++] = w;
        }
    }
    return n;
}

/* Every evidence passage of FinanceBench questions about the parsed filings must be found on
 * its page (evidence_page_num is zero-based), and better there than on any other page. */
static int check_evidence(const char *jsonl, const char *doc_name, ds_document *doc)
{
    FILE *f = fopen(jsonl, "r");
    if (!f)
        return 0;
    char *lower = ds_strndup(doc->text.data, doc->text.len);
    for (char *p = lower; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    char *line = NULL;
    size_t cap = 0;
    int checked = 0;
    ds_buf ev = DS_BUF_INIT;
    char key[128];
    snprintf(key, sizeof key, "\"doc_name\":\"%s\"", doc_name);
    while (getline(&line, &cap, f) > 0) {
        if (!strstr(line, key))
            continue;
        for (const char *s = line; (s = strstr(s, "\"evidence_text\":\"")) != NULL;) {
            s = json_string(s + 17, &ev);
            const char *pn = strstr(s, "\"evidence_page_num\":");
            if (!pn)
                break;
            int page = atoi(pn + 20) + 1;
            char *words[512];
            size_t nw = split_words(ev.data, words, 512);
            double best_other = 0, here = 0;
            for (int p = 1; p <= doc->n_pages; p++) {
                size_t a, b;
                page_span(doc, p, &a, &b);
                double c = coverage(lower, a, b, words, nw);
                if (p == page)
                    here = c;
                else if (c > best_other)
                    best_other = c;
            }
            printf("  evidence %s page %d: %zu words, %.1f%% found there, best other page %.1f%%\n", doc_name, page, nw,
                   100 * here, 100 * best_other);
            DS_CHECKF(here >= 0.9, "%s evidence on page %d: only %.2f of its words", doc_name, page, here);
            DS_CHECKF(here > best_other, "%s evidence on page %d matches another page better", doc_name, page);
            checked++;
        }
    }
    free(line);
    fclose(f);
    ds_buf_deinit(&ev);
    ds_free(lower);
    return checked;
}

/* ---- per filing ------------------------------------------------------------------------------- */

static void netflix(const char *jsonl)
{
    char path[4096];
    snprintf(path, sizeof path, "%s", ds_test_shared("data/financial_pdf/NETFLIX_2015_10K.pdf"));
    ds_status st;
    ds_document *doc = parse(path, &st);
    DS_REQUIRE(st == DS_OK);
    check_invariants(doc, 72);
    DS_CHECK_STREQ(doc->meta.title, "0001065280-16-000047");
    DS_CHECK_STREQ(doc->meta.producer, "EDGAR PDF Generator");
    DS_CHECK_STREQ(doc->meta.created, "2016-01-28T14:57:45-05:00");
    DS_CHECK_STREQ(doc->meta.modified, "2016-01-28T15:01:30-05:00");

    /* Statement of operations (page 40): one table, label + three years, two header rows. */
    const char *revenues[] = {"Revenues", "$ 6,779,511", "$ 5,504,656", "$ 4,374,562"};
    const ds_block *t = table_with_row(doc, 40, revenues, 4);
    DS_CHECK(t != NULL);
    if (t) {
        const char *years[] = {"", "2015", "2014", "2013"};
        DS_CHECK(t->table->header_rows == 2);
        DS_CHECK(table_with_row(doc, 40, years, 4) == t);
        const char *interest[] = {"Interest expense", "(132,716)", "(50,219)", "(29,142)"};
        const char *loss[] = {"Loss on extinguishment of debt", "—", "—", "(25,129)"};
        const char *diluted[] = {"Diluted", "436,456", "431,894", "425,327"};
        DS_CHECK(table_with_row(doc, 40, interest, 4) == t);
        DS_CHECK(table_with_row(doc, 40, loss, 4) == t);
        DS_CHECK(table_with_row(doc, 40, diluted, 4) == t); /* the last row: the table is whole */
        DS_CHECK(strstr(t->section, "CONSOLIDATED STATEMENTS OF OPERATIONS") != NULL);
    }
    /* Balance sheet (page 43) kept whole, from the first asset to the last equity line. */
    const char *cash[] = {"Cash and cash equivalents", "$ 1,809,330", "$ 1,113,608"};
    t = table_with_row(doc, 43, cash, 3);
    DS_CHECK(t != NULL);
    if (t) {
        DS_CHECK(table_has_label(t->table, "Total current assets"));
        DS_CHECK(table_has_label(t->table, "Total assets"));
        DS_CHECK(table_has_label(t->table, "Total liabilities and stockholders’ equity"));
        DS_CHECK(t->table->header_rows >= 1);
    }
    /* The table of contents is a table, not a run of headings. */
    const char *toc[] = {"Item 7.",
                         "Management’s Discussion and Analysis of Financial Condition and Results of Operations", "17"};
    DS_CHECK(table_with_row(doc, 2, toc, 3) != NULL);

    /* Sections: Item 7 under PART II, and its subsections under it. */
    const ds_block *h = block_with_text(
        doc, DS_BLOCK_KIND_HEADING,
        "Item 7. Management’s Discussion and Analysis of Financial Condition and Results of Operations");
    DS_CHECK(h != NULL);
    if (h) {
        DS_CHECK(h->level == 2);
        DS_CHECK(h->page_first == 19);
        DS_CHECK(starts_with(h->section, "PART II > Item 7. Management’s Discussion"));
    }
    h = block_with_text(doc, DS_BLOCK_KIND_HEADING, "Liquidity and Capital Resources");
    DS_CHECK(h != NULL);
    if (h)
        DS_CHECK_STREQ(h->section, "PART II > Item 7. Management’s Discussion and Analysis of Financial Condition and "
                                   "Results of Operations > Liquidity and Capital Resources");

    /* Furniture: the "Table of Contents" link on top of each page and the page numbers. */
    DS_CHECK(doc->n_furniture == 2);
    DS_CHECK(doc->n_furniture >= 1 && strcmp(doc->furniture[0], "Table of Contents") == 0);
    DS_CHECK(count_occurrences(doc, "Table of Contents") == 0);
    DS_CHECK(block_with_text(doc, DS_BLOCK_KIND_PARAGRAPH, "38") == NULL);

    int n = check_evidence(jsonl, "NETFLIX_2015_10K", doc);
    DS_CHECKF(n == 2, "%d netflix evidence passages", n);
    ds_document_free(doc);
}

static void adobe(const char *jsonl)
{
    char path[4096];
    snprintf(path, sizeof path, "%s", ds_test_shared("data/financial_pdf/ADOBE_2022_10K.pdf"));
    ds_status st;
    ds_document *doc = parse(path, &st);
    DS_REQUIRE(st == DS_OK);
    check_invariants(doc, 99);
    DS_CHECK_STREQ(doc->meta.title, "ADBE 10-K FY22");
    DS_CHECK_STREQ(doc->meta.author, "Adobe Inc.");
    DS_CHECK_STREQ(doc->meta.creator, "Workiva");
    DS_CHECK_STREQ(doc->meta.created, "2023-01-17T18:57:54+00:00");

    /* Balance sheet, page 53: whole, dated header rows. */
    const char *cash[] = {"Cash and cash equivalents", "$ 4,236", "$ 3,844"};
    const ds_block *t = table_with_row(doc, 53, cash, 3);
    DS_CHECK(t != NULL);
    if (t) {
        const char *dates[] = {"", "December 2,", "December 3,"};
        const char *years[] = {"", "2022", "2021"};
        const char *total[] = {"Total liabilities and stockholders’ equity", "$ 27,165", "$ 27,241"};
        const char *wrapped[] = {("Common stock, $0.0001 par value; 900 shares authorized; 601 shares issued; 462 "
                                  "and 475 shares outstanding, respectively"),
                                 "—", "—"};
        DS_CHECK(t->table->header_rows == 2);
        DS_CHECK(table_with_row(doc, 53, dates, 3) == t);
        DS_CHECK(table_with_row(doc, 53, years, 3) == t);
        DS_CHECK(table_with_row(doc, 53, total, 3) == t);
        DS_CHECK(table_with_row(doc, 53, wrapped, 3) == t);
        DS_CHECK(table_has_label(t->table, "Total assets"));
        DS_CHECK_STREQ(t->section, "PART II > ITEM 8. FINANCIAL STATEMENTS AND SUPPLEMENTARY DATA > CONSOLIDATED "
                                   "BALANCE SHEETS");
    }
    /* Headings from the PDF outline: levels follow its depth. */
    const ds_block *h = block_with_text(doc, DS_BLOCK_KIND_HEADING, "LIQUIDITY AND CAPITAL RESOURCES");
    DS_CHECK(h != NULL);
    if (h) {
        DS_CHECK(h->level == 3);
        DS_CHECK(h->page_first == 47);
        DS_CHECK_STREQ(h->section, "PART II > ITEM 7. MANAGEMENT’S DISCUSSION AND ANALYSIS OF FINANCIAL CONDITION "
                                   "AND RESULTS OF OPERATIONS > LIQUIDITY AND CAPITAL RESOURCES");
    }
    /* The table of contents on page 2 is one table, so it opens no section. */
    const char *toc[] = {"Item 7.",
                         "Management's Discussion and Analysis of Financial Condition and Results of Operations", "36"};
    DS_CHECK(table_with_row(doc, 2, toc, 3) != NULL);
    for (size_t i = 0; i < doc->n_blocks; i++)
        if (doc->blocks[i].page_first == 2)
            DS_CHECK(doc->blocks[i].kind != DS_BLOCK_KIND_HEADING || doc->blocks[i].level > 2);

    DS_CHECK(doc->n_furniture == 2);
    DS_CHECK(block_with_text(doc, DS_BLOCK_KIND_PARAGRAPH, "54") == NULL);
    int n = check_evidence(jsonl, "ADOBE_2022_10K", doc);
    DS_CHECKF(n == 2, "%d adobe evidence passages", n);
    ds_document_free(doc);
}

static void apple(void)
{
    char path[4096];
    snprintf(path, sizeof path, "%s", ds_test_shared("data/financial_pdf/2023 Q3 AAPL.pdf"));
    ds_status st;
    ds_document *doc = parse(path, &st);
    DS_REQUIRE(st == DS_OK);
    check_invariants(doc, 29);
    DS_CHECK_STREQ(doc->meta.title, "0000320193-23-000077");
    DS_CHECK(doc->meta.modified != NULL);

    /* Statement of operations, page 4: two periods of two quarters, three header rows. */
    const char *net[] = {"Net income", "$ 19,881", "$ 19,442", "$ 74,039", "$ 79,082"};
    const ds_block *t = table_with_row(doc, 4, net, 5);
    DS_CHECK(t != NULL);
    if (t) {
        const char *dates[] = {"", "July 1,", "June 25,", "July 1,", "June 25,"};
        const char *other[] = {"Other income/(expense), net", "(265)", "(10)", "(594)", "(97)"};
        const char *basic[] = {"Basic", "15,697,614", "16,162,945", "15,792,497", "16,277,824"};
        DS_CHECK(t->table->header_rows == 3);
        DS_CHECK(table_with_row(doc, 4, dates, 5) == t);
        DS_CHECK(table_with_row(doc, 4, other, 5) == t);
        DS_CHECK(table_with_row(doc, 4, basic, 5) == t);
        DS_CHECK(starts_with(t->section, "PART I — FINANCIAL INFORMATION > Item 1. Financial Statements"));
    }
    /* A label wrapped over two lines is one row (comprehensive income, page 5). */
    const char *wrapped[] = {"Total change in unrealized gains/losses on marketable debt securities", "(282)",
                             "(3,055)", "2,148", "(9,819)"};
    DS_CHECK(table_with_row(doc, 5, wrapped, 5) != NULL);

    /* The footer "Apple Inc. | Q3 2023 Form 10-Q | n" is furniture, gone from the text. */
    DS_CHECK(doc->n_furniture == 1);
    DS_CHECK(doc->n_furniture >= 1 && strcmp(doc->furniture[0], "Apple Inc. | Q3 2023 Form 10-Q | 1") == 0);
    DS_CHECK(count_occurrences(doc, "Q3 2023 Form 10-Q |") == 0);
    ds_document_free(doc);
}

int main(void)
{
    const char *j = ds_test_shared("data/financial_pdf/financebench_open_source.jsonl");
    if (!j)
        ds_test_skip("../shared/data/financial_pdf is absent");
    char jsonl[4096];
    snprintf(jsonl, sizeof jsonl, "%s", j);
    netflix(jsonl);
    adobe(jsonl);
    apple();
    return ds_test_done();
}
