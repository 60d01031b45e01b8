/* pdf_furniture.c - running headers and footers of a PDF: among the first and last lines of a
 * page whose text (digits normalised, so "Page 3" and "Page 14" agree) recurs on most pages.
 * They are flagged so that layout drops them from the text, and each distinct one is recorded
 * once in the document's furniture list (its first occurrence's text).
 *
 * Owns: a hash table in the parse's scratch arena, gone with it.
 * Threading: reentrant; works on one ds_pdf_ctx.
 */
#include "ingest/pdf_internal.h"

#include <string.h>

enum {
    FURN_PER_EDGE = 3, /* lines looked at from the top and from the bottom of each page */
    FURN_KEY_MAX = 160 /* bytes of a line kept in its key */
};

typedef struct fentry {
    const char *key;
    uint32_t hash;
    int pages; /* pages it was seen on */
    int last_page;
    int recorded;
} fentry;

typedef struct ftable {
    fentry *e;
    size_t cap; /* power of two */
} ftable;

static uint32_t fnv1a(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static fentry *lookup(ftable *t, const char *key, uint32_t h)
{
    for (size_t i = h & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        fentry *e = &t->e[i];
        if (!e->key || (e->hash == h && strcmp(e->key, key) == 0))
            return e;
    }
}

static int is_roman(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!strchr("ivxlcdm", *s))
            return 0;
    return 1;
}

/* The line's key into b: lower-case ASCII, each run of digits one '#', a lone roman numeral
 * '#', spaces collapsed. */
static ds_status line_key(const ds_pdf_page *pg, const ds_pdf_line *ln, ds_buf *b)
{
    ds_buf_clear(b);
    if (ds_pdf_words_text(pg, ln->w0, ln->nw, b))
        return DS_ERR_NOMEM;
    size_t o = 0;
    for (size_t i = 0; i < b->len && o < FURN_KEY_MAX; i++) {
        char c = b->data[i];
        if (c >= '0' && c <= '9') {
            if (o == 0 || b->data[o - 1] != '#')
                b->data[o++] = '#';
            continue;
        }
        if (c >= 'A' && c <= 'Z')
            c = (char)(c | 0x20);
        if (c == ' ' && (o == 0 || b->data[o - 1] == ' '))
            continue;
        b->data[o++] = c;
    }
    while (o > 0 && b->data[o - 1] == ' ')
        o--;
    b->len = o;
    b->data[o] = '\0';
    if (is_roman(b->data)) {
        b->len = 1;
        b->data[0] = '#';
        b->data[1] = '\0';
    }
    return DS_OK;
}

/* Whether line l (y order) is among the first or last lines of its page. No position band:
 * some generators put the page number right under the last line of text, wherever that is;
 * recurrence on most pages is what makes a line furniture. */
static int is_candidate(const ds_pdf_page *pg, uint32_t l)
{
    return l < FURN_PER_EDGE || l + FURN_PER_EDGE >= pg->n_lines;
}

ds_status ds_pdf_furniture_mark(ds_pdf_ctx *ctx)
{
    int with_text = 0;
    for (int p = 0; p < ctx->n_pages; p++)
        with_text += ctx->pages[p].n_lines > 0;
    if (with_text < 3)
        return DS_OK;
    ftable t;
    t.cap = 64;
    while (t.cap < (size_t)ctx->n_pages * FURN_PER_EDGE * 2 * 2)
        t.cap *= 2;
    t.e = ds_arena_calloc(&ctx->scratch, t.cap * sizeof *t.e);
    if (!t.e)
        return DS_ERR_NOMEM;

    for (int p = 0; p < ctx->n_pages; p++) {
        const ds_pdf_page *pg = &ctx->pages[p];
        for (uint32_t l = 0; l < pg->n_lines; l++) {
            if (!is_candidate(pg, l))
                continue;
            if (line_key(pg, &pg->lines[l], &ctx->tmp))
                return DS_ERR_NOMEM;
            if (ctx->tmp.len == 0)
                continue;
            uint32_t h = fnv1a(ctx->tmp.data);
            fentry *e = lookup(&t, ctx->tmp.data, h);
            if (!e->key) {
                if (!(e->key = ds_arena_strndup(&ctx->scratch, ctx->tmp.data, ctx->tmp.len)))
                    return DS_ERR_NOMEM;
                e->hash = h;
                e->last_page = -1;
            }
            if (e->last_page != p) {
                e->pages++;
                e->last_page = p;
            }
        }
    }

    int need = (with_text + 1) / 2;
    if (need < 3)
        need = 3;
    for (int p = 0; p < ctx->n_pages; p++) {
        ds_pdf_page *pg = &ctx->pages[p];
        uint32_t marked = 0;
        for (uint32_t l = 0; l < pg->n_lines; l++) {
            if (!is_candidate(pg, l))
                continue;
            if (line_key(pg, &pg->lines[l], &ctx->tmp))
                return DS_ERR_NOMEM;
            if (ctx->tmp.len == 0)
                continue;
            fentry *e = lookup(&t, ctx->tmp.data, fnv1a(ctx->tmp.data));
            if (e->key && e->pages >= need) {
                pg->lines[l].furniture = 1;
                marked++;
            }
        }
        if (marked == pg->n_lines) { /* all the page says: content, not furniture */
            for (uint32_t l = 0; l < pg->n_lines; l++)
                pg->lines[l].furniture = 0;
            continue;
        }
        for (uint32_t l = 0; l < pg->n_lines; l++) {
            if (!pg->lines[l].furniture)
                continue;
            if (line_key(pg, &pg->lines[l], &ctx->tmp))
                return DS_ERR_NOMEM;
            fentry *e = lookup(&t, ctx->tmp.data, fnv1a(ctx->tmp.data));
            if (!e->recorded) {
                e->recorded = 1;
                ds_buf_clear(&ctx->tmp);
                if (ds_pdf_words_text(pg, pg->lines[l].w0, pg->lines[l].nw, &ctx->tmp) ||
                    ds_doc_add_furniture(ctx->doc, ctx->tmp.data))
                    return DS_ERR_NOMEM;
            }
        }
    }
    return DS_OK;
}
