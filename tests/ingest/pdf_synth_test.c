/* pdf_synth_test.c - the PDF parser on PDFs drawn here with cairo, where every expected word, cell
 * and position is known: a two-column page (reading order column by column), a financial table
 * (exact cells, header row, kept apart from the prose), a page with only an image (no text
 * layer), running headers and footers, SEC filing headings with section paths, an outline,
 * metadata, page numbers of characters, size limits, zero bytes and a truncated file. */
#include "ingest/ingest.h"
#include "pipeline/core/buf.h"
#include "tests/testlib.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>

#define PAGE_W 612.0
#define PAGE_H 792.0

/* ---- drawing ------------------------------------------------------------------------------ */

static cairo_status_t to_buf(void *closure, const unsigned char *data, unsigned int length)
{
    return ds_buf_append(closure, data, length) == DS_OK ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

typedef struct pdf {
    ds_buf bytes;
    cairo_surface_t *surface;
    cairo_t *cr;
} pdf;

static void pdf_open(pdf *p)
{
    ds_buf_init(&p->bytes);
    p->surface = cairo_pdf_surface_create_for_stream(to_buf, &p->bytes, PAGE_W, PAGE_H);
    p->cr = cairo_create(p->surface);
    DS_REQUIRE(cairo_status(p->cr) == CAIRO_STATUS_SUCCESS);
}

static void pdf_close(pdf *p)
{
    cairo_destroy(p->cr);
    cairo_surface_finish(p->surface);
    DS_REQUIRE(cairo_surface_status(p->surface) == CAIRO_STATUS_SUCCESS);
    cairo_surface_destroy(p->surface);
}

static void font(pdf *p, double size, int bold)
{
    cairo_select_font_face(p->cr, "DejaVu Serif", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(p->cr, size);
}

static double width_of(pdf *p, const char *s)
{
    cairo_text_extents_t e;
    cairo_text_extents(p->cr, s, &e);
    return e.x_advance;
}

static void text_at(pdf *p, double x, double y, const char *s)
{
    cairo_move_to(p->cr, x, y);
    cairo_show_text(p->cr, s);
}

static void text_right(pdf *p, double right, double y, const char *s)
{
    text_at(p, right - width_of(p, s), y, s);
}

/* Sets words[0..n) as a ragged-right paragraph of width w from (x, y); appends the words,
 * space-separated, to expect; returns the y below the last line. */
static double paragraph(pdf *p, double x, double y, double w, double lead, const char *const *words, size_t n,
                        ds_buf *expect)
{
    char line[1024] = "";
    for (size_t i = 0; i <= n; i++) {
        char trial[1024];
        if (i < n)
            snprintf(trial, sizeof trial, "%s%s%s", line, line[0] ? " " : "", words[i]);
        if (i == n || (line[0] && width_of(p, trial) > w)) {
            text_at(p, x, y, line);
            y += lead;
            if (i == n)
                break;
            snprintf(line, sizeof line, "%s", words[i]);
        } else
            snprintf(line, sizeof line, "%s", trial);
    }
    if (expect) {
        for (size_t i = 0; i < n; i++) {
            if (expect->len && ds_buf_putc(expect, ' '))
                DS_REQUIRE(0);
            ds_buf_puts(expect, words[i]);
        }
    }
    return y;
}

/* n words cycled from a vocabulary, with a numbered tag now and then so texts differ. */
static size_t make_words(const char *const *vocab, size_t nv, size_t n, char store[][24], const char **out)
{
    for (size_t i = 0; i < n; i++) {
        if (i % 7 == 6)
            snprintf(store[i], 24, "%s%zu", vocab[i % nv], i);
        else
            snprintf(store[i], 24, "%s", vocab[i % nv]);
        out[i] = store[i];
    }
    return n;
}

static ds_document *parse_bytes(const ds_buf *b, const char *name, ds_status *st, ds_err *err,
                                const ds_ingest_limits *lim)
{
    ds_document *doc;
    DS_REQUIRE(ds_document_create(&doc, err) == DS_OK);
    doc->source = name;
    *st = ds_pdf_parse(doc, (const unsigned char *)b->data, b->len, lim, err);
    return doc;
}

static const char *block_text(const ds_document *doc, size_t i, ds_buf *tmp)
{
    ds_buf_clear(tmp);
    ds_buf_append(tmp, doc->text.data + doc->blocks[i].text_off, doc->blocks[i].text_len);
    return tmp->data ? tmp->data : "";
}

/* ---- two columns -------------------------------------------------------------------------- */

static void two_columns(void)
{
    static const char *const left_vocab[] = {"ledger", "assets",    "accrual",  "revenue", "margin",
                                             "equity", "liability", "deferred", "income",  "balance"};
    static const char *const right_vocab[] = {"customer", "market", "growth",  "pricing", "segment",
                                              "channel",  "demand", "product", "region",  "outlook"};
    static const char *const foot_vocab[] = {"closing", "remarks", "span", "the",   "whole", "width",
                                             "of",      "this",    "page", "below", "both",  "columns"};
    char ls[90][24], rs[90][24], fs[40][24];
    const char *lw[90], *rw[90], *fw[40];
    make_words(left_vocab, 10, 90, ls, lw);
    make_words(right_vocab, 10, 90, rs, rw);
    make_words(foot_vocab, 12, 40, fs, fw);

    pdf p;
    pdf_open(&p);
    /* Each column holds two paragraphs (a blank line between), the left one split 60 + 30
     * words and the right one 30 + 60, so no paragraph break faces another across the gutter. */
    ds_buf l1 = DS_BUF_INIT, l2 = DS_BUF_INIT, r1 = DS_BUF_INIT, r2 = DS_BUF_INIT, foot = DS_BUF_INIT;
    ds_buf tmp = DS_BUF_INIT;
    font(&p, 16, 1);
    text_at(&p, (PAGE_W - width_of(&p, "Quarterly Review")) / 2, 72, "Quarterly Review");
    font(&p, 10, 0);
    double yl = paragraph(&p, 54, 110, 240, 13, lw, 60, &l1);
    yl = paragraph(&p, 54, yl + 13, 240, 13, lw + 60, 30, &l2);
    double yr = paragraph(&p, 318, 110, 240, 13, rw, 30, &r1);
    yr = paragraph(&p, 318, yr + 13, 240, 13, rw + 30, 60, &r2);
    paragraph(&p, 54, (yl > yr ? yl : yr) + 20, 504, 13, fw, 40, &foot);
    pdf_close(&p);

    ds_status st;
    ds_err err = {0};
    ds_document *doc = parse_bytes(&p.bytes, "two-columns.pdf", &st, &err, NULL);
    DS_CHECKF(st == DS_OK, "%s", err.msg);
    DS_CHECK(doc->n_pages == 1);
    DS_CHECKF(doc->n_blocks == 6, "%zu blocks", doc->n_blocks);
    if (doc->n_blocks == 6) {
        DS_CHECK(doc->blocks[0].kind == DS_BLOCK_KIND_HEADING);
        DS_CHECK_STREQ(block_text(doc, 0, &tmp), "Quarterly Review");
        DS_CHECK_STREQ(block_text(doc, 1, &tmp), l1.data); /* the whole left column first */
        DS_CHECK_STREQ(block_text(doc, 2, &tmp), l2.data);
        DS_CHECK_STREQ(block_text(doc, 3, &tmp), r1.data);
        DS_CHECK_STREQ(block_text(doc, 4, &tmp), r2.data);
        DS_CHECK_STREQ(block_text(doc, 5, &tmp), foot.data);
        for (size_t i = 1; i < 6; i++) {
            DS_CHECK(doc->blocks[i].kind == DS_BLOCK_KIND_PARAGRAPH);
            DS_CHECK_STREQ(doc->blocks[i].section, "Quarterly Review");
            DS_CHECK(doc->blocks[i].font_size == 10.0f);
        }
    }
    ds_document_free(doc);
    ds_buf_deinit(&l1);
    ds_buf_deinit(&l2);
    ds_buf_deinit(&r1);
    ds_buf_deinit(&r2);
    ds_buf_deinit(&foot);
    ds_buf_deinit(&tmp);
    ds_buf_deinit(&p.bytes);
}

/* ---- a financial table -------------------------------------------------------------------- */

static void table_page(void)
{
    static const char *const rows[][3] = {
        {"", "2023", "2022"},
        {"Revenue", "$ 1,234", "$ 1,100"},
        {"Cost of revenue", "(567)", "(500)"},
        {"Operating expenses:", "", ""},
        {"Research and development", "120", "110"},
        {"Other", "\xE2\x80\x94", "12"},
        {"Net income", "$ 547", "$ 490"},
    };
    pdf p;
    pdf_open(&p);
    font(&p, 12, 1);
    text_at(&p, 72, 72, "Consolidated Results");
    font(&p, 10, 0);
    text_at(&p, 72, 100, "The table below shows the results of the year.");
    double y = 130;
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++, y += 14) {
        text_at(&p, r == 4 ? 84 : 72, y, rows[r][0]);
        for (int c = 1; c <= 2; c++) {
            const char *v = rows[r][c];
            double right = c == 1 ? 400 : 500;
            if (v[0] == '$') { /* the sign at the column's left, the amount right-aligned */
                text_at(&p, right - 60, y, "$");
                v += 2;
            }
            text_right(&p, right, y, v);
        }
    }
    text_at(&p, 72, y + 20, "Amounts are in millions of dollars.");
    pdf_close(&p);

    ds_status st;
    ds_err err = {0};
    ds_buf tmp = DS_BUF_INIT;
    ds_document *doc = parse_bytes(&p.bytes, "table.pdf", &st, &err, NULL);
    DS_CHECKF(st == DS_OK, "%s", err.msg);
    DS_CHECKF(doc->n_blocks == 4, "%zu blocks", doc->n_blocks);
    if (doc->n_blocks == 4) {
        DS_CHECK(doc->blocks[0].kind == DS_BLOCK_KIND_HEADING);
        DS_CHECK_STREQ(block_text(doc, 1, &tmp), "The table below shows the results of the year.");
        DS_CHECK(doc->blocks[2].kind == DS_BLOCK_KIND_TABLE);
        DS_CHECK_STREQ(block_text(doc, 3, &tmp), "Amounts are in millions of dollars.");
        const ds_table *t = doc->blocks[2].table;
        DS_REQUIRE(t != NULL);
        DS_CHECKF(t->n_rows == 7 && t->n_cols == 3, "%zux%zu", t->n_rows, t->n_cols);
        DS_CHECK(t->header_rows == 1);
        if (t->n_rows == 7 && t->n_cols == 3)
            for (size_t r = 0; r < 7; r++)
                for (size_t c = 0; c < 3; c++)
                    DS_CHECK_STREQ(t->cells[r * 3 + c], rows[r][c]);
        /* The table's text in the document: cells joined by " | ", rows by newlines. */
        DS_CHECK(strstr(block_text(doc, 2, &tmp), "Revenue | $ 1,234 | $ 1,100\nCost of revenue | (567) | (500)") !=
                 NULL);
        DS_CHECK(t->row_offsets[1] == doc->blocks[2].text_off + strlen(" | 2023 | 2022\n"));
        DS_CHECK_STREQ(doc->blocks[2].section, "Consolidated Results");
    }
    ds_document_free(doc);
    ds_buf_deinit(&tmp);
    ds_buf_deinit(&p.bytes);
}

/* ---- a page with only an image ------------------------------------------------------------ */

static void image_only(void)
{
    pdf p;
    pdf_open(&p);
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 64, 64);
    unsigned char *px = cairo_image_surface_get_data(img);
    for (int i = 0; i < 64 * cairo_image_surface_get_stride(img); i++)
        px[i] = (unsigned char)(i * 37);
    cairo_surface_mark_dirty(img);
    cairo_scale(p.cr, 4, 4);
    cairo_set_source_surface(p.cr, img, 20, 20);
    cairo_paint(p.cr);
    cairo_surface_destroy(img);
    pdf_close(&p);

    ds_status st;
    ds_err err = {0};
    ds_document *doc = parse_bytes(&p.bytes, "scan.pdf", &st, &err, NULL);
    DS_CHECK(st == DS_ERR_NO_TEXT);
    DS_CHECK(err.code == DS_ERR_NO_TEXT);
    DS_CHECK(strstr(err.msg, "scan.pdf") != NULL);
    ds_document_free(doc);
    ds_buf_deinit(&p.bytes);
}

/* ---- running headers and footers, page numbers -------------------------------------------- */

static void furniture(void)
{
    static const char *const vocab[] = {"board", "approved", "the", "annual",  "budget",
                                        "after", "review",   "of",  "capital", "plans"};
    char store[60][24];
    const char *w[60];
    make_words(vocab, 10, 60, store, w);
    pdf p;
    pdf_open(&p);
    for (int pg = 1; pg <= 4; pg++) {
        char s[64];
        font(&p, 9, 0);
        text_at(&p, 72, 40, "ACME Corp Annual Report 2023");
        font(&p, 10, 0);
        double y = paragraph(&p, 72, 100, 468, 13, w + pg * 5, 40, NULL);
        snprintf(s, sizeof s, "marker-page-%d", pg); /* mid-page: not a header candidate */
        text_at(&p, 72, y + 13, s);
        paragraph(&p, 72, y + 39, 468, 13, w + pg * 4, 40, NULL);
        font(&p, 9, 0);
        snprintf(s, sizeof s, "Page %d of 4", pg);
        text_at(&p, 280, 760, s);
        cairo_show_page(p.cr);
    }
    pdf_close(&p);

    ds_status st;
    ds_err err = {0};
    ds_document *doc = parse_bytes(&p.bytes, "furniture.pdf", &st, &err, NULL);
    DS_CHECKF(st == DS_OK, "%s", err.msg);
    DS_CHECK(doc->n_pages == 4);
    DS_CHECKF(doc->n_furniture == 2, "%zu furniture lines", doc->n_furniture);
    if (doc->n_furniture == 2) {
        DS_CHECK_STREQ(doc->furniture[0], "ACME Corp Annual Report 2023");
        DS_CHECK_STREQ(doc->furniture[1], "Page 1 of 4");
    }
    DS_CHECK(strstr(doc->text.data, "ACME") == NULL);
    DS_CHECK(strstr(doc->text.data, "of 4") == NULL);
    for (int pg = 1; pg <= 4; pg++) {
        char s[64];
        snprintf(s, sizeof s, "marker-page-%d", pg);
        const char *at = strstr(doc->text.data, s);
        DS_CHECK(at != NULL);
        if (at)
            DS_CHECKF(ds_doc_page_of(doc, (size_t)(at - doc->text.data)) == pg, "%s on page %d", s,
                      ds_doc_page_of(doc, (size_t)(at - doc->text.data)));
    }
    ds_document_free(doc);

    /* Limits: four pages over a limit of three, bytes over a byte limit. */
    ds_ingest_limits lim = {0, 3, 0};
    doc = parse_bytes(&p.bytes, "furniture.pdf", &st, &err, &lim);
    DS_CHECK(st == DS_ERR_TOO_LARGE && strstr(err.msg, "4 pages") != NULL);
    ds_document_free(doc);
    lim.max_pages = 0;
    lim.max_bytes = p.bytes.len - 1;
    doc = parse_bytes(&p.bytes, "furniture.pdf", &st, &err, &lim);
    DS_CHECK(st == DS_ERR_TOO_LARGE && strstr(err.msg, "furniture.pdf") != NULL);
    ds_document_free(doc);

    /* Truncated: the first half of the file. */
    ds_buf half = DS_BUF_INIT;
    ds_buf_append(&half, p.bytes.data, p.bytes.len / 2);
    doc = parse_bytes(&half, "half.pdf", &st, &err, NULL);
    printf("  truncated generated pdf (%zu of %zu bytes): %s %s\n", half.len, p.bytes.len, ds_status_name(st),
           st ? err.msg : "");
    DS_CHECK(st == DS_ERR_DAMAGED); /* cairo writes the page tree last: nothing to recover */
    DS_CHECK(strstr(err.msg, "half.pdf") != NULL);
    ds_document_free(doc);
    ds_buf_deinit(&half);
    ds_buf_deinit(&p.bytes);
}

/* ---- SEC headings, outline, metadata ------------------------------------------------------ */

static const ds_block *find_block(const ds_document *doc, const char *text)
{
    size_t n = strlen(text);
    for (size_t i = 0; i < doc->n_blocks; i++)
        if (doc->blocks[i].text_len == n && memcmp(doc->text.data + doc->blocks[i].text_off, text, n) == 0)
            return &doc->blocks[i];
    return NULL;
}

static void headings(void)
{
    static const char *const vocab[] = {"cash",   "flows",  "from", "operations", "remained",
                                        "strong", "during", "the",  "quarter",    "and"};
    char store[40][24];
    const char *w[40];
    make_words(vocab, 10, 40, store, w);
    pdf p;
    pdf_open(&p);
    cairo_pdf_surface_set_metadata(p.surface, CAIRO_PDF_METADATA_TITLE, "Synthetic Filing");
    cairo_pdf_surface_set_metadata(p.surface, CAIRO_PDF_METADATA_AUTHOR, "Dossier Tests");
    cairo_pdf_surface_set_metadata(p.surface, CAIRO_PDF_METADATA_SUBJECT, "layout");
    cairo_pdf_surface_set_metadata(p.surface, CAIRO_PDF_METADATA_CREATOR, "pdf_synth");
    cairo_pdf_surface_set_metadata(p.surface, CAIRO_PDF_METADATA_CREATE_DATE, "2023-01-02T03:04:05Z");
    cairo_pdf_surface_set_metadata(p.surface, CAIRO_PDF_METADATA_MOD_DATE, "2023-02-03T04:05:06+01:00");
    ds_buf body1 = DS_BUF_INIT, body2 = DS_BUF_INIT, body3 = DS_BUF_INIT;
    font(&p, 12, 1);
    text_at(&p, 72, 72, "PART II");
    font(&p, 11, 1);
    text_at(&p, 72, 100, "Item 7. Management's Discussion and Analysis");
    font(&p, 10, 0);
    double y = paragraph(&p, 72, 126, 468, 13, w, 30, &body1);
    font(&p, 10, 1);
    text_at(&p, 72, y + 14, "Liquidity and Capital Resources");
    font(&p, 10, 0);
    paragraph(&p, 72, y + 40, 468, 13, w + 5, 30, &body2);
    cairo_show_page(p.cr);
    /* Page 2: a title set like body text, a heading only through the outline. */
    font(&p, 10, 0);
    text_at(&p, 72, 72, "Risk Overview");
    paragraph(&p, 72, 98, 468, 13, w + 10, 30, &body3);
    cairo_pdf_surface_add_outline(p.surface, CAIRO_PDF_OUTLINE_ROOT, "Risk Overview", "page=2 pos=[72 60]", 0);
    pdf_close(&p);

    ds_status st;
    ds_err err = {0};
    ds_document *doc = parse_bytes(&p.bytes, "headings.pdf", &st, &err, NULL);
    DS_CHECKF(st == DS_OK, "%s", err.msg);
    DS_CHECK_STREQ(doc->meta.title, "Synthetic Filing");
    DS_CHECK_STREQ(doc->meta.author, "Dossier Tests");
    DS_CHECK_STREQ(doc->meta.subject, "layout");
    DS_CHECK_STREQ(doc->meta.creator, "pdf_synth");
    DS_CHECK(doc->meta.producer && strncmp(doc->meta.producer, "cairo", 5) == 0);
    DS_CHECK_STREQ(doc->meta.created, "2023-01-02T03:04:05+00:00");
    DS_CHECK_STREQ(doc->meta.modified, "2023-02-03T04:05:06+01:00");

    const ds_block *b = find_block(doc, "PART II");
    DS_CHECK(b && b->kind == DS_BLOCK_KIND_HEADING && b->level == 1);
    b = find_block(doc, "Item 7. Management's Discussion and Analysis");
    DS_CHECK(b && b->kind == DS_BLOCK_KIND_HEADING && b->level == 2);
    if (b)
        DS_CHECK_STREQ(b->section, "PART II > Item 7. Management's Discussion and Analysis");
    b = find_block(doc, body1.data);
    DS_CHECK(b && b->kind == DS_BLOCK_KIND_PARAGRAPH);
    if (b)
        DS_CHECK_STREQ(b->section, "PART II > Item 7. Management's Discussion and Analysis");
    b = find_block(doc, "Liquidity and Capital Resources");
    DS_CHECK(b && b->kind == DS_BLOCK_KIND_HEADING && b->level == 3);
    b = find_block(doc, body2.data);
    DS_CHECK(b != NULL);
    if (b)
        DS_CHECK_STREQ(b->section,
                       "PART II > Item 7. Management's Discussion and Analysis > Liquidity and Capital Resources");
    /* The outline entry makes "Risk Overview" a top-level heading (depth 0: level 1). */
    b = find_block(doc, "Risk Overview");
    DS_CHECK(b && b->kind == DS_BLOCK_KIND_HEADING && b->level == 1 && b->page_first == 2);
    b = find_block(doc, body3.data);
    DS_CHECK(b && b->page_first == 2);
    if (b)
        DS_CHECK_STREQ(b->section, "Risk Overview");
    ds_document_free(doc);
    ds_buf_deinit(&body1);
    ds_buf_deinit(&body2);
    ds_buf_deinit(&body3);
    ds_buf_deinit(&p.bytes);
}

/* ---- empty and truncated real input ------------------------------------------------------- */

static void empty_and_truncated(void)
{
    ds_buf none = DS_BUF_INIT;
    ds_status st;
    ds_err err = {0};
    ds_document *doc = parse_bytes(&none, "empty.pdf", &st, &err, NULL);
    printf("  zero bytes: %s %s\n", ds_status_name(st), err.msg);
    DS_CHECK(st == DS_ERR_EMPTY);
    DS_CHECK(strstr(err.msg, "empty.pdf") != NULL);
    ds_document_free(doc);

    const char *real = ds_test_shared("data/financial_pdf/NETFLIX_2015_10K.pdf");
    if (!real)
        return;
    ds_buf b = DS_BUF_INIT;
    DS_REQUIRE(ds_buf_read_file(&b, real, 0, &err) == DS_OK);
    b.len /= 2;
    doc = parse_bytes(&b, "netflix-first-half.pdf", &st, &err, NULL);
    printf("  first half of NETFLIX_2015_10K.pdf: %s %s\n", ds_status_name(st), err.msg);
    DS_CHECK(st == DS_ERR_DAMAGED); /* poppler finds no page tree in the first half */
    DS_CHECK(strstr(err.msg, "netflix-first-half.pdf") != NULL);
    ds_document_free(doc);
    ds_buf_deinit(&b);
}

int main(void)
{
    two_columns();
    table_page();
    image_only();
    furniture();
    headings();
    empty_and_truncated();
    /* Drop cairo's and fontconfig's process-wide caches so the leak checker sees only ours. */
    cairo_debug_reset_static_data();
    FcFini();
    return ds_test_done();
}
