/* pdf_internal.h - the working model shared by the files of the PDF parser (ds_pdf_parse):
 * pdf.c (entry, open, metadata, errors, emission), pdf_layout.c (words, lines, columns,
 * segments, reading order), pdf_furniture.c (running headers/footers), pdf_tables.c (tables),
 * pdf_blocks.c (paragraphs, list items, heading candidates), pdf_headings.c (body size, outline,
 * heading levels, section paths). Only ingest/pdf*.c include it.
 *
 * Owns: nothing by itself. Every structure below lives in the parse's scratch arena
 * (ds_pdf_ctx.scratch) and is released in one go when ds_pdf_parse returns; nothing here is
 * freed one by one. Coordinates are PDF points with the origin at the top-left of the page
 * (y grows downwards), as poppler's text layout reports them.
 * Threading: a ds_pdf_ctx belongs to one call of ds_pdf_parse; nothing here is shared.
 */
#ifndef DS_INGEST_PDF_INTERNAL_H
#define DS_INGEST_PDF_INTERNAL_H

#include "ingest/document.h"
#include "pipeline/core/arena.h"
#include "pipeline/core/buf.h"
#include "pipeline/core/status.h"
#include "pipeline/core/vec.h"

#include <stddef.h>
#include <stdint.h>

typedef struct _PopplerPage PopplerPage;
typedef struct _PopplerDocument PopplerDocument;

/* What a word looks like, for table detection. */
typedef enum ds_pdf_tok {
    DS_PDF_TOK_TEXT,
    DS_PDF_TOK_NUM,  /* 1,234  (567)  12.5%  $1,234 */
    DS_PDF_TOK_DASH, /* a lone dash standing for zero: "—" "–" "-" */
    DS_PDF_TOK_CUR,  /* a lone currency sign: "$" */
    DS_PDF_TOK_PUNCT /* a lone "(" ")" "%" */
} ds_pdf_tok;

typedef struct ds_pdf_word {
    float x0, y0, x1, y1;
    float size;        /* font size, points */
    uint32_t off, len; /* bytes of the word in page->text */
    uint8_t tok;       /* ds_pdf_tok */
    uint8_t bold;      /* font name says bold/black/heavy/semibold */
    uint8_t year;      /* a bare year, 1900..2099 */
    uint8_t pure;      /* a number with nothing trailing (no "," ":"), for cell splitting */
} ds_pdf_word;

/* A run of words of one line separated from its neighbours by a wide gap: a table cell
 * candidate. A lone currency sign is folded into the number after it. */
typedef struct ds_pdf_seg {
    float x0, x1; /* extent, currency sign included */
    float nx0;    /* x0 without a leading currency sign */
    uint32_t w0, nw;
    uint8_t numeric; /* only numbers, dashes, currency signs, brackets; at least one number/dash */
    uint8_t years;   /* numeric and every number a bare year */
} ds_pdf_seg;

typedef struct ds_pdf_line {
    float x0, y0, x1, y1;
    float size;         /* the size most of its characters have */
    float cx0, cx1;     /* text extent of the column the line sits in */
    uint32_t w0, nw;    /* words [w0, w0 + nw) of page->words, left to right */
    uint32_t s0, ns;    /* segments [s0, s0 + ns) of page->segs */
    uint32_t n_chars;   /* bytes of its words */
    int32_t table;      /* index in page->tables, -1 when not a table row */
    uint16_t region;    /* layout band of the page, top to bottom */
    uint8_t col, ncols; /* column within the band and the band's column count */
    uint8_t bold;       /* every word bold */
    uint8_t furniture;  /* a running header/footer (removed from the text) */
} ds_pdf_line;

typedef struct ds_pdf_table {
    uint32_t first, n_lines; /* rows are page->lines[first, first + n_lines) */
    size_t n_rows, n_cols, header_rows;
    const char **cells; /* n_rows * n_cols, "" when empty */
    float size;
} ds_pdf_table;

typedef struct ds_pdf_page {
    int index; /* 0-based */
    float width, height;
    char *text; /* poppler's text of the page (words point into it) */
    size_t text_len;
    ds_pdf_word *words;
    uint32_t n_words;
    ds_pdf_line *lines; /* y order after ds_pdf_page_lines; reading order (furniture
                                     dropped, columns split) after ds_pdf_page_order */
    uint32_t n_lines;
    ds_pdf_seg *segs;
    uint32_t n_segs;
    ds_pdf_table *tables;
    uint32_t n_tables;
} ds_pdf_page;

/* Section-path markers found in SEC filings. */
typedef enum ds_pdf_sec { DS_PDF_SEC_NONE, DS_PDF_SEC_PART, DS_PDF_SEC_ITEM } ds_pdf_sec;

/* A block waiting to be written into the document (pages are analysed before any is written,
 * because running headers and heading levels depend on the whole document). */
typedef struct ds_pdf_block {
    int page;      /* 0-based */
    uint8_t kind;  /* ds_block_kind */
    uint8_t level; /* heading level once assigned */
    uint8_t bold;
    uint8_t sec;           /* ds_pdf_sec */
    int16_t outline_depth; /* 0-based depth of the outline entry it matched, -1 none */
    uint16_t n_lines;
    float size;
    const char *text; /* scratch; NULL for tables */
    size_t len;
    ds_pdf_table *table; /* tables only */
} ds_pdf_block;

typedef struct ds_pdf_outline_entry {
    const char *key; /* normalised title (see ds_pdf_norm_key) */
    int page;        /* 0-based destination page, -1 unknown */
    int depth;       /* 0 at the top */
    int seq;         /* position in the outline */
    int used;
} ds_pdf_outline_entry;

typedef struct ds_pdf_ctx {
    ds_document *doc;
    const char *src;  /* name for messages */
    ds_arena scratch; /* everything of this parse */
    ds_pdf_page *pages;
    int n_pages;
    DS_VEC(ds_pdf_block) blocks;
    ds_pdf_outline_entry *outline; /* sorted by page */
    size_t n_outline;
    int outline_max_depth;
    float body_size;
    ds_buf tmp; /* reusable text buffer */
} ds_pdf_ctx;

/* pdf_layout.c ---------------------------------------------------------------------------- */
/* Reads the page's characters, boxes and fonts from poppler into words (one call each of
 * poppler_page_get_text, _get_text_layout and _get_text_attributes). */
ds_status ds_pdf_page_load(ds_arena *a, ds_pdf_page *pg, PopplerPage *pp);
/* Groups words into lines (y order), words left to right. */
ds_status ds_pdf_page_lines(ds_arena *a, ds_pdf_page *pg);
/* Finds multi-column bands, splits lines at the gutters, drops furniture lines, orders lines
 * for reading (band by band, column by column) and cuts every line into segments. */
ds_status ds_pdf_page_order(ds_arena *a, ds_pdf_page *pg);
/* Appends the text of words [w0, w0 + nw) to b, joined by spaces ("(" and ")" kept tight). */
ds_status ds_pdf_words_text(const ds_pdf_page *pg, uint32_t w0, uint32_t nw, ds_buf *b);

/* pdf_furniture.c ------------------------------------------------------------------------- */
/* Marks lines repeated near the top or bottom of most pages; records each distinct one in
 * ctx->doc through ds_doc_add_furniture. */
ds_status ds_pdf_furniture_mark(ds_pdf_ctx *ctx);

/* pdf_tables.c ---------------------------------------------------------------------------- */
/* Finds tables among the page's ordered lines and fills page->tables (cells in scratch). */
ds_status ds_pdf_tables_find(ds_arena *a, ds_pdf_page *pg);

/* pdf_blocks.c ---------------------------------------------------------------------------- */
/* Groups the page's ordered lines into paragraph, list-item and table blocks (ctx->blocks). */
ds_status ds_pdf_blocks_build(ds_pdf_ctx *ctx, ds_pdf_page *pg);

/* pdf_headings.c -------------------------------------------------------------------------- */
/* Normalised comparison key of a title: ASCII letters and digits lower-cased, the rest
 * dropped (non-ASCII bytes kept). Into the arena; NULL on out of memory. */
const char *ds_pdf_norm_key(ds_arena *a, const char *s, size_t n);
ds_status ds_pdf_outline_load(ds_pdf_ctx *ctx, PopplerDocument *pd);
/* The size most body characters have (furniture excluded). */
float ds_pdf_body_size(const ds_pdf_ctx *ctx);
/* Decides which blocks are headings and their levels. */
ds_status ds_pdf_headings_assign(ds_pdf_ctx *ctx);

/* Section stack used while writing blocks out: "PART II > Item 7. ... > Liquidity". */
typedef struct ds_pdf_sections {
    int level[6];
    const char *title[6];
    int depth;
    ds_buf path;
} ds_pdf_sections;
/* Enters a heading of the given level; the path then ends with it. */
ds_status ds_pdf_sections_enter(ds_pdf_sections *s, ds_arena *a, int level, const char *text, size_t len);

#endif
