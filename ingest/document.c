/* document.c - construction helpers for ds_document (see document.h for the invariants). */
#include "ingest/document.h"

#include "pipeline/core/alloc.h"
#include "pipeline/core/utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const kind_names[] = {"unknown", "pdf", "html", "ixbrl", "xbrl", "edgar", "text"};

const char *ds_doc_kind_str(ds_doc_kind k)
{
    return (unsigned)k < sizeof kind_names / sizeof kind_names[0] ? kind_names[k] : "unknown";
}

ds_status ds_document_create(ds_document **out, ds_err *err)
{
    *out = NULL;
    ds_document *doc = ds_calloc(1, sizeof *doc);
    if (!doc)
        return ds_err_set(err, DS_ERR_NOMEM, "document: out of memory");
    ds_arena_init(&doc->arena, 256 * 1024);
    ds_buf_init(&doc->text);
    if (ds_buf_reserve(&doc->text, 0) != DS_OK) {
        ds_free(doc);
        return ds_err_set(err, DS_ERR_NOMEM, "document: out of memory");
    }
    *out = doc;
    return DS_OK;
}

void ds_document_free(ds_document *doc)
{
    if (!doc)
        return;
    ds_buf_deinit(&doc->text);
    ds_free(doc->page_offsets);
    ds_free(doc->blocks);
    ds_free(doc->facts);
    ds_free(doc->furniture);
    ds_free(doc->notes);
    ds_arena_deinit(&doc->arena);
    ds_free(doc);
}

/* Grows an array of elem-sized items held in *arr with capacity *cap to hold n + 1. */
static ds_status grow(void **arr, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return DS_OK;
    size_t c = *cap ? *cap * 2 : 16;
    void *p = ds_realloc(*arr, c * elem);
    if (!p)
        return DS_ERR_NOMEM;
    *arr = p;
    *cap = c;
    return DS_OK;
}

ds_status ds_doc_begin_page(ds_document *doc)
{
    if (grow((void **)&doc->page_offsets, &doc->page_cap, (size_t)doc->n_pages, sizeof(size_t)))
        return DS_ERR_NOMEM;
    doc->page_offsets[doc->n_pages++] = doc->text.len;
    return DS_OK;
}

int ds_doc_page_of(const ds_document *doc, size_t off)
{
    if (doc->n_pages == 0)
        return 0;
    size_t lo = 0, hi = (size_t)doc->n_pages; /* last page whose start <= off */
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (doc->page_offsets[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    return (int)lo + 1;
}

ds_status ds_doc_append_text(ds_document *doc, const char *s, size_t n, size_t *off)
{
    if (off)
        *off = doc->text.len;
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0;
    while (i < n) {
        size_t l = p[i] == 0 ? 0 : ds_utf8_seq_len(p + i, n - i);
        if (l) {
            i += l;
            continue;
        }
        /* Invalid byte or NUL: flush the valid run, then write U+FFFD. */
        if (ds_buf_append(&doc->text, s + run, i - run) || ds_buf_append(&doc->text, "\xEF\xBF\xBD", 3))
            return DS_ERR_NOMEM;
        i++;
        run = i;
    }
    return ds_buf_append(&doc->text, s + run, n - run);
}

ds_status ds_doc_add_block(ds_document *doc, ds_block_kind kind, int level, const char *section, const char *text,
                           size_t n, ds_block **out)
{
    size_t off;
    if (grow((void **)&doc->blocks, &doc->blocks_cap, doc->n_blocks, sizeof(ds_block)))
        return DS_ERR_NOMEM;
    /* Blocks are separated by a blank line in the document text. */
    if (doc->text.len > 0 && ds_buf_puts(&doc->text, "\n\n"))
        return DS_ERR_NOMEM;
    if (ds_doc_append_text(doc, text, n, &off))
        return DS_ERR_NOMEM;
    const char *sec = ds_doc_strdup(doc, section ? section : "");
    if (!sec)
        return DS_ERR_NOMEM;
    ds_block *b = &doc->blocks[doc->n_blocks++];
    memset(b, 0, sizeof *b);
    b->kind = kind;
    b->level = level;
    b->section = sec;
    b->text_off = off;
    b->text_len = doc->text.len - off;
    b->page_first = ds_doc_page_of(doc, off);
    b->page_last = ds_doc_page_of(doc, doc->text.len > off ? doc->text.len - 1 : off);
    if (out)
        *out = b;
    return DS_OK;
}

ds_status ds_doc_add_table(ds_document *doc, const char *section, size_t n_rows, size_t n_cols, size_t header_rows,
                           const char *const *cells, ds_block **out)
{
    if (n_cols && n_rows > ((size_t)-1) / sizeof(char *) / n_cols)
        return DS_ERR_NOMEM;
    ds_table *t = ds_arena_calloc(&doc->arena, sizeof *t);
    const char **c = ds_arena_calloc(&doc->arena, n_rows * n_cols * sizeof(char *) + 1);
    size_t *rows = ds_arena_calloc(&doc->arena, n_rows * sizeof(size_t) + 1);
    if (!t || !c || !rows)
        return DS_ERR_NOMEM;
    ds_buf txt = DS_BUF_INIT;
    size_t *rel = ds_calloc(n_rows + 1, sizeof(size_t));
    ds_status st = rel ? DS_OK : DS_ERR_NOMEM;
    for (size_t r = 0; r < n_rows && st == DS_OK; r++) {
        rel[r] = txt.len;
        for (size_t k = 0; k < n_cols && st == DS_OK; k++) {
            const char *cell = cells[r * n_cols + k] ? cells[r * n_cols + k] : "";
            c[r * n_cols + k] = ds_arena_strdup(&doc->arena, cell);
            if (!c[r * n_cols + k])
                st = DS_ERR_NOMEM;
            else if (k > 0)
                st = ds_buf_puts(&txt, " | ");
            if (st == DS_OK)
                st = ds_buf_puts(&txt, cell);
        }
        if (st == DS_OK && r + 1 < n_rows)
            st = ds_buf_putc(&txt, '\n');
    }
    ds_block *b = NULL;
    if (st == DS_OK)
        st = ds_doc_add_block(doc, DS_BLOCK_KIND_TABLE, 0, section, txt.data ? txt.data : "", txt.len, &b);
    if (st == DS_OK) {
        for (size_t r = 0; r < n_rows; r++)
            rows[r] = b->text_off + rel[r];
        t->n_rows = n_rows;
        t->n_cols = n_cols;
        t->header_rows = header_rows;
        t->cells = c;
        t->row_offsets = rows;
        b->table = t;
        if (out)
            *out = b;
    }
    ds_free(rel);
    ds_buf_deinit(&txt);
    return st;
}

const char *ds_doc_strdup(ds_document *doc, const char *s)
{
    return s ? ds_arena_strdup(&doc->arena, s) : NULL;
}

ds_status ds_doc_add_fact(ds_document *doc, const ds_xbrl_fact *f)
{
    if (grow((void **)&doc->facts, &doc->facts_cap, doc->n_facts, sizeof(ds_xbrl_fact)))
        return DS_ERR_NOMEM;
    ds_xbrl_fact c = *f;
#define DUP_(field)                                            \
    if (f->field && !(c.field = ds_doc_strdup(doc, f->field))) \
        return DS_ERR_NOMEM;
    DUP_(concept)
    DUP_(value)
    DUP_(decimals)
    DUP_(unit)
    DUP_(context_id)
    DUP_(entity)
    DUP_(period_start)
    DUP_(period_end)
    DUP_(dimensions)
    DUP_(fact_id)
#undef DUP_
    if (!c.dimensions)
        c.dimensions = "";
    doc->facts[doc->n_facts++] = c;
    return DS_OK;
}

static ds_status push_str(ds_document *doc, const char ***arr, size_t *n, size_t *cap, const char *s)
{
    if (grow((void **)arr, cap, *n, sizeof(char *)))
        return DS_ERR_NOMEM;
    const char *d = ds_doc_strdup(doc, s);
    if (!d)
        return DS_ERR_NOMEM;
    (*arr)[(*n)++] = d;
    return DS_OK;
}

ds_status ds_doc_add_furniture(ds_document *doc, const char *line)
{
    return push_str(doc, &doc->furniture, &doc->n_furniture, &doc->furniture_cap, line);
}

ds_status ds_doc_add_note(ds_document *doc, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return push_str(doc, &doc->notes, &doc->n_notes, &doc->notes_cap, msg);
}
