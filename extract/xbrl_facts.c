/* xbrl_facts.c - turns the document's XBRL facts into ds_fact rows with provenance: canonical
 * metric, the chunk and page that show the value, and the quote as displayed. Reentrant. */
#include "extract/facts.h"

#include "pipeline/core/alloc.h"

#include <stdint.h>
#include <string.h>

#define MAX_TEXT_VALUE 20000

void ds_fact_list_free(ds_fact_list *l)
{
    if (!l)
        return;
    ds_free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

ds_status ds_fact_list_push(ds_fact_list *l, const ds_fact *f)
{
    if (l->n == l->cap) {
        size_t c = l->cap ? l->cap * 2 : 64;
        ds_fact *v = ds_realloc(l->v, c * sizeof *v);
        if (!v)
            return DS_ERR_NOMEM;
        l->v = v;
        l->cap = c;
    }
    l->v[l->n++] = *f;
    return DS_OK;
}

/* Length of s cut to at most max bytes at a word boundary (a space or line break in the last
 * 256 bytes), else at the start of a UTF-8 character: never inside a word's bytes. */
static size_t text_cut(const char *s, size_t max)
{
    for (size_t i = max; i > 0 && i + 256 > max; i--)
        if (s[i] == ' ' || s[i] == '\n')
            return i;
    size_t i = max;
    while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
        i--;
    return i;
}

ds_status ds_extract_xbrl_facts(ds_document *doc, const ds_chunk_list *chunks, ds_fact_list *out, ds_err *err)
{
    const char *extractor = doc->kind == DS_DOC_KIND_XBRL ? "xbrl" : "ixbrl";
    for (size_t i = 0; i < doc->n_facts; i++) {
        const ds_xbrl_fact *x = &doc->facts[i];
        ds_fact f = {0};
        f.concept = x->concept;
        f.metric = ds_metric_for_concept(x->concept);
        f.unit = x->unit;
        f.decimals = x->decimals;
        f.period_start = x->period_start;
        f.period_end = x->period_end;
        f.dimensions = x->dimensions ? x->dimensions : "";
        f.source_extractor = extractor;
        f.chunk_seq = -1;
        f.byte_off = SIZE_MAX;
        f.page = x->page;
        if (x->is_nil) {
            f.is_nil = 1; /* stored as nil: neither a value nor a text */
        } else if (x->is_numeric) {
            f.value = x->value;
        } else if (x->value && strlen(x->value) > MAX_TEXT_VALUE) {
            size_t len = text_cut(x->value, MAX_TEXT_VALUE);
            f.value_text = ds_arena_strndup(&doc->arena, x->value, len);
            if (!f.value_text ||
                ds_doc_add_note(doc, "xbrl: fact %s: text of %zu bytes stored as its first %zu (whole in the chunks)",
                                x->concept, strlen(x->value), len))
                return ds_err_set(err, DS_ERR_NOMEM, "out of memory");
        } else {
            f.value_text = x->value;
        }
        if (x->text_off != SIZE_MAX && x->text_off < doc->text.len) {
            f.byte_off = x->text_off;
            int c = ds_chunk_find(chunks, x->text_off);
            if (c >= 0 && x->text_off >= chunks->v[c].byte_start && x->text_off < chunks->v[c].byte_end)
                f.chunk_seq = chunks->v[c].seq;
            if (!f.page)
                f.page = ds_doc_page_of(doc, x->text_off);
            /* a displayed inline fact: its element's id places it in the source page */
            if (doc->kind == DS_DOC_KIND_IXBRL && x->fact_id && *x->fact_id)
                f.anchor = x->fact_id;
        }
        if (ds_fact_list_push(out, &f))
            return ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    }
    return DS_OK;
}
