/* document_merge.c - ds_doc_append_document: appends one parsed document to another, as the
 * EDGAR parser does with each part of a submission (see document.h for the contract).
 *
 * Owns: nothing; everything copied lands in dst's arena and arrays. Threading: dst and src
 * belong to the calling thread for the duration of the call.
 */
#include "ingest/document.h"

#include "pipeline/core/alloc.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Grows *arr (capacity *cap, elem-sized items) to hold need items. */
static ds_status grow_to(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return DS_OK;
    size_t c = *cap ? *cap : 16;
    while (c < need)
        c *= 2;
    if (c > SIZE_MAX / elem)
        return DS_ERR_NOMEM;
    void *p = ds_realloc(*arr, c * elem);
    if (!p)
        return DS_ERR_NOMEM;
    *arr = p;
    *cap = c;
    return DS_OK;
}

static const char *join_section(ds_document *dst, const char *prefix, const char *section)
{
    if (!prefix || !prefix[0])
        return ds_doc_strdup(dst, section ? section : "");
    if (!section || !section[0])
        return ds_doc_strdup(dst, prefix);
    return ds_arena_printf(&dst->arena, "%s > %s", prefix, section);
}

static ds_table *copy_table(ds_document *dst, const ds_table *t, size_t base)
{
    ds_table *c = ds_arena_calloc(&dst->arena, sizeof *c);
    if (!c)
        return NULL;
    *c = *t;
    size_t n = t->n_rows * t->n_cols;
    if (t->n_cols && t->n_rows > SIZE_MAX / sizeof(char *) / t->n_cols)
        return NULL;
    const char **cells = ds_arena_calloc(&dst->arena, n * sizeof(char *) + 1);
    size_t *rows = ds_arena_calloc(&dst->arena, t->n_rows * sizeof(size_t) + 1);
    if (!cells || !rows)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!(cells[i] = ds_arena_strdup(&dst->arena, t->cells && t->cells[i] ? t->cells[i] : "")))
            return NULL;
    for (size_t r = 0; r < t->n_rows; r++)
        rows[r] = (t->row_offsets ? t->row_offsets[r] : 0) + base;
    c->cells = cells;
    c->row_offsets = rows;
    return c;
}

static int shift_page(int page, int base)
{
    return page > 0 ? page + base : page;
}

static ds_status merge_meta(ds_document *dst, const ds_document *src)
{
    const char **d[] = {&dst->meta.title,     &dst->meta.author,     &dst->meta.subject,    &dst->meta.creator,
                        &dst->meta.producer,  &dst->meta.created,    &dst->meta.modified,   &dst->meta.company_name,
                        &dst->meta.cik,       &dst->meta.form_type,  &dst->meta.period_end, &dst->meta.fiscal_year,
                        &dst->meta.accession, &dst->meta.filing_date};
    const char *const s[] = {src->meta.title,     src->meta.author,     src->meta.subject,    src->meta.creator,
                             src->meta.producer,  src->meta.created,    src->meta.modified,   src->meta.company_name,
                             src->meta.cik,       src->meta.form_type,  src->meta.period_end, src->meta.fiscal_year,
                             src->meta.accession, src->meta.filing_date};
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
        if (!*d[i] && s[i] && !(*d[i] = ds_doc_strdup(dst, s[i])))
            return DS_ERR_NOMEM;
    return DS_OK;
}

ds_status ds_doc_append_document(ds_document *dst, const ds_document *src, const char *section_prefix)
{
    /* Text: after a blank line, as ds_doc_add_block separates blocks. */
    if (src->text.len > 0 && dst->text.len > 0 && ds_buf_puts(&dst->text, "\n\n") != DS_OK)
        return DS_ERR_NOMEM;
    size_t base = dst->text.len;
    int page_base = dst->n_pages;
    if (src->text.len > 0 && ds_buf_append(&dst->text, src->text.data, src->text.len) != DS_OK)
        return DS_ERR_NOMEM;

    if (src->n_pages > 0) {
        size_t cap = dst->page_cap;
        if (grow_to((void **)&dst->page_offsets, &cap, (size_t)dst->n_pages + (size_t)src->n_pages, sizeof(size_t)) !=
            DS_OK)
            return DS_ERR_NOMEM;
        dst->page_cap = cap;
        for (int p = 0; p < src->n_pages; p++)
            dst->page_offsets[dst->n_pages++] = base + src->page_offsets[p];
    }

    if (grow_to((void **)&dst->blocks, &dst->blocks_cap, dst->n_blocks + src->n_blocks, sizeof(ds_block)) != DS_OK)
        return DS_ERR_NOMEM;
    for (size_t i = 0; i < src->n_blocks; i++) {
        ds_block b = src->blocks[i];
        b.text_off += base;
        b.page_first = shift_page(b.page_first, page_base);
        b.page_last = shift_page(b.page_last, page_base);
        if (!(b.section = join_section(dst, section_prefix, b.section)))
            return DS_ERR_NOMEM;
        if (b.table && !(b.table = copy_table(dst, b.table, base)))
            return DS_ERR_NOMEM;
        dst->blocks[dst->n_blocks++] = b;
    }

    for (size_t i = 0; i < src->n_facts; i++) {
        ds_xbrl_fact f = src->facts[i];
        f.page = shift_page(f.page, page_base);
        if (f.text_off != SIZE_MAX)
            f.text_off += base;
        if (ds_doc_add_fact(dst, &f) != DS_OK)
            return DS_ERR_NOMEM;
    }
    for (size_t i = 0; i < src->n_furniture; i++)
        if (ds_doc_add_furniture(dst, src->furniture[i]) != DS_OK)
            return DS_ERR_NOMEM;
    for (size_t i = 0; i < src->n_notes; i++) {
        ds_status st = section_prefix && section_prefix[0]
                           ? ds_doc_add_note(dst, "%s: %s", section_prefix, src->notes[i])
                           : ds_doc_add_note(dst, "%s", src->notes[i]);
        if (st != DS_OK)
            return DS_ERR_NOMEM;
    }
    return merge_meta(dst, src);
}
