/* document.h - the one Document model every parser fills (pages, blocks, tables, XBRL facts).
 *
 * Owns: a ds_document owns everything reachable from it through its arena (doc->arena); every
 * string and array in it is allocated there, and ds_document_free releases it all at once.
 * Parsers append through the ds_doc_* helpers, which keep the invariants below.
 * Invariants: doc->text is the document's full plain text in UTF-8 (valid UTF-8 always);
 * every block's [text_off, text_off + text_len) lies inside it; pages are 1-based and
 * doc->page_offsets[p-1] is where page p starts in doc->text, so the page of any character is
 * known. Threading: a document belongs to one thread at a time.
 */
#ifndef DS_INGEST_DOCUMENT_H
#define DS_INGEST_DOCUMENT_H

#include "pipeline/core/arena.h"
#include "pipeline/core/buf.h"
#include "pipeline/core/status.h"

#include <stddef.h>
#include <stdint.h>

typedef enum ds_doc_kind {
    DS_DOC_KIND_UNKNOWN,
    DS_DOC_KIND_PDF,
    DS_DOC_KIND_HTML,  /* HTML without inline XBRL */
    DS_DOC_KIND_IXBRL, /* HTML with inline XBRL (10-K, 10-Q, 20-F, 8-K) */
    DS_DOC_KIND_XBRL,  /* XBRL instance XML */
    DS_DOC_KIND_EDGAR, /* EDGAR full-submission .txt (SGML wrapper) */
    DS_DOC_KIND_TEXT
} ds_doc_kind;

const char *ds_doc_kind_str(ds_doc_kind k); /* "pdf", "html", ... stable, used in the database */

typedef enum ds_block_kind {
    DS_BLOCK_KIND_PARAGRAPH,
    DS_BLOCK_KIND_HEADING,
    DS_BLOCK_KIND_TABLE,
    DS_BLOCK_KIND_LIST_ITEM
} ds_block_kind;

/* A table: n_rows x n_cols cells, row-major; a missing cell is "". Rows [0, header_rows) are
 * the header. The table's plain text (cells joined by " | ", rows by "\n") is also in doc->text
 * at the block's offsets, so chunks and quotes can cite it. */
typedef struct ds_table {
    size_t n_rows, n_cols;
    size_t header_rows;
    const char **cells;
    /* Character offset in doc->text where each row's text starts (n_rows entries). */
    size_t *row_offsets;
} ds_table;

typedef struct ds_block {
    ds_block_kind kind;
    int level;                 /* heading level 1..6; 0 for other kinds */
    int page_first, page_last; /* 1-based; 0 when the format has no pages */
    size_t text_off, text_len; /* into doc->text */
    const char *section;       /* section path, "Item 7 > Liquidity"; "" at top level */
    float font_size;           /* points, PDF only; 0 otherwise */
    ds_table *table;           /* DS_BLOCK_KIND_TABLE only */
} ds_block;

/* One XBRL fact (inline or instance). Numeric values are exact decimal strings with scale and
 * sign applied ("-1234500000", "0.25"), never passed through a float. */
typedef struct ds_xbrl_fact {
    const char *concept; /* "us-gaap:Revenues" (prefix as declared in the document) */
    const char *value;   /* decimal string if numeric, else text (HTML stripped) */
    int is_numeric;
    int is_nil;
    const char *decimals; /* "-6", "INF", or NULL */
    const char *unit;     /* "USD", "shares", "USD/shares"; NULL for non-numeric */
    const char *context_id;
    const char *entity;       /* entity identifier (CIK) of the context */
    const char *period_start; /* ISO date, NULL for an instant */
    const char *period_end;   /* ISO date: end of duration, or the instant */
    const char *dimensions;   /* "axis=member;axis2=member2" sorted by axis; "" if none */
    const char *fact_id;      /* id attribute, if any */
    int page;                 /* 1-based page, 0 if unknown */
    size_t text_off;          /* where the fact's displayed text sits in doc->text (or SIZE_MAX) */
} ds_xbrl_fact;

typedef struct ds_doc_meta {
    const char *title, *author, *subject, *creator, *producer;
    const char *created, *modified; /* ISO 8601 */
    /* Filing metadata (EDGAR header, dei: cover facts). NULL when unknown. */
    const char *company_name, *cik, *form_type, *period_end, *fiscal_year, *accession, *filing_date;
} ds_doc_meta;

typedef struct ds_document {
    ds_arena arena;     /* owns everything below */
    char sha256[65];    /* hex of the source bytes */
    const char *source; /* path or URL it came from */
    const char *name;   /* file name or EDGAR document name */
    ds_doc_kind kind;
    ds_doc_meta meta;
    uint64_t n_bytes;

    ds_buf text; /* full text, UTF-8 (owned buffer, freed by ds_document_free) */
    int n_pages;
    size_t *page_offsets; /* n_pages entries */
    size_t page_cap;

    ds_block *blocks;
    size_t n_blocks, blocks_cap;
    ds_xbrl_fact *facts;
    size_t n_facts, facts_cap;

    /* Lines removed as running headers/footers (kept as metadata). */
    const char **furniture;
    size_t n_furniture, furniture_cap;

    /* Notes for the record (skipped uuencoded parts, recovered damage...). */
    const char **notes;
    size_t n_notes, notes_cap;
} ds_document;

/* Creates an empty document in *out; caller frees with ds_document_free. On failure *out is NULL
 * and err is filled (DS_ERR_NOMEM). */
ds_status ds_document_create(ds_document **out, ds_err *err);
void ds_document_free(ds_document *doc);

/* Starts page p (must be n_pages + 1) at the current end of the text. */
ds_status ds_doc_begin_page(ds_document *doc);
/* Page (1-based) of a text offset; 0 when the document has no pages. */
int ds_doc_page_of(const ds_document *doc, size_t off);
/* Appends text (made valid UTF-8) and returns its offset through *off (may be NULL). */
ds_status ds_doc_append_text(ds_document *doc, const char *s, size_t n, size_t *off);
/* Appends a block whose text is appended first: text_off/len are filled in, page_first/last
 * are derived from the offsets. Returns a pointer into doc->blocks valid until the next push. */
ds_status ds_doc_add_block(ds_document *doc, ds_block_kind kind, int level, const char *section, const char *text,
                           size_t n, ds_block **out);
/* Appends a table block: copies cells into the arena and writes the table's text. */
ds_status ds_doc_add_table(ds_document *doc, const char *section, size_t n_rows, size_t n_cols, size_t header_rows,
                           const char *const *cells, ds_block **out);
/* Appends a fact; strings are copied into the arena. */
ds_status ds_doc_add_fact(ds_document *doc, const ds_xbrl_fact *fact);
ds_status ds_doc_add_furniture(ds_document *doc, const char *line);
ds_status ds_doc_add_note(ds_document *doc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Copies a string into the document's arena (NULL stays NULL; NULL on out of memory). */
const char *ds_doc_strdup(ds_document *doc, const char *s);

/* Appends everything of src to dst (document_merge.c): its text after a blank line, pages,
 * blocks (tables copied), facts, furniture and notes, with offsets and page numbers moved to
 * dst's; blocks get the section "<prefix> > <their section>" (just prefix at top level), notes
 * "<prefix>: <note>". Metadata fields dst lacks are taken from src. src is not changed. On
 * failure (DS_ERR_NOMEM) dst may hold part of src and should be discarded. */
ds_status ds_doc_append_document(ds_document *dst, const ds_document *src, const char *section_prefix);

#endif
