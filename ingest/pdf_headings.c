/* pdf_headings.c - headings of a PDF and the section path of every block. A short block is a
 * heading when it matches an entry of the PDF outline on its page (level: the entry's depth), or
 * opens with a filing marker ("PART II" level 1, "Item 7." the level below), or is set larger
 * than the body text or wholly in bold (levels by style: larger first, bold before regular at
 * one size, below the outline and filing levels; only styles recurring on several pages count
 * as levels). The body size is the size most characters have.
 *
 * Owns: the outline entries and section titles, in the parse's scratch arena.
 * Threading: reentrant; one ds_pdf_ctx at a time. Poppler objects are used only inside
 * ds_pdf_outline_load, on the caller's document.
 */
#include "ingest/pdf_internal.h"

#include <poppler.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define OUTLINE_MAX_ENTRIES 20000
#define OUTLINE_MAX_DEPTH 16
#define SECTION_TITLE_MAX 120

const char *ds_pdf_norm_key(ds_arena *a, const char *s, size_t n)
{
    char *k = ds_arena_alloc(a, n + 1);
    if (!k)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z')
            k[o++] = (char)(c | 0x20);
        else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80)
            k[o++] = (char)c;
    }
    k[o] = '\0';
    return k;
}

/* ---- outline -------------------------------------------------------------------------------- */

typedef struct outline_walk {
    ds_pdf_ctx *ctx;
    PopplerDocument *pd;
    DS_VEC(ds_pdf_outline_entry) v;
    int n_pages;
} outline_walk;

static int dest_page(PopplerDocument *pd, PopplerDest *d)
{
    if (!d)
        return -1;
    if (d->type == POPPLER_DEST_NAMED && d->named_dest) {
        PopplerDest *r = poppler_document_find_dest(pd, d->named_dest);
        int p = r ? r->page_num - 1 : -1;
        if (r)
            poppler_dest_free(r);
        return p;
    }
    return d->page_num - 1;
}

static ds_status walk(outline_walk *w, PopplerIndexIter *it, int depth)
{
    do {
        if (w->v.n >= OUTLINE_MAX_ENTRIES)
            return DS_OK;
        PopplerAction *act = poppler_index_iter_get_action(it);
        ds_status st = DS_OK;
        if (act && act->any.title && act->any.title[0]) {
            int page = -1;
            if (act->type == POPPLER_ACTION_GOTO_DEST)
                page = dest_page(w->pd, act->goto_dest.dest);
            if (page >= w->n_pages)
                page = -1;
            ds_pdf_outline_entry e = {0};
            e.key = ds_pdf_norm_key(&w->ctx->scratch, act->any.title, strlen(act->any.title));
            e.page = page;
            e.depth = depth;
            e.seq = (int)w->v.n;
            if (!e.key || DS_VEC_PUSH(w->v, e))
                st = DS_ERR_NOMEM;
        }
        if (act)
            poppler_action_free(act);
        if (st != DS_OK)
            return st;
        if (depth + 1 < OUTLINE_MAX_DEPTH) {
            PopplerIndexIter *child = poppler_index_iter_get_child(it);
            if (child) {
                st = walk(w, child, depth + 1);
                poppler_index_iter_free(child);
                if (st != DS_OK)
                    return st;
            }
        }
    } while (poppler_index_iter_next(it));
    return DS_OK;
}

static int entry_cmp(const void *a, const void *b)
{
    const ds_pdf_outline_entry *x = a, *y = b;
    if (x->page != y->page)
        return x->page < y->page ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

ds_status ds_pdf_outline_load(ds_pdf_ctx *ctx, PopplerDocument *pd)
{
    ctx->outline = NULL;
    ctx->n_outline = 0;
    ctx->outline_max_depth = -1;
    PopplerIndexIter *it = poppler_index_iter_new(pd);
    if (!it)
        return DS_OK;
    outline_walk w = {ctx, pd, {NULL, 0, 0}, ctx->n_pages};
    ds_status st = walk(&w, it, 0);
    poppler_index_iter_free(it);
    if (st == DS_OK && w.v.n > 0) {
        ctx->outline = ds_arena_alloc(&ctx->scratch, w.v.n * sizeof *ctx->outline);
        if (!ctx->outline)
            st = DS_ERR_NOMEM;
        else {
            memcpy(ctx->outline, w.v.v, w.v.n * sizeof *ctx->outline);
            ctx->n_outline = w.v.n;
            qsort(ctx->outline, ctx->n_outline, sizeof *ctx->outline, entry_cmp);
        }
    }
    DS_VEC_FREE(w.v);
    return st;
}

/* ---- body size ------------------------------------------------------------------------------ */

float ds_pdf_body_size(const ds_pdf_ctx *ctx)
{
    float sizes[64];
    size_t counts[64];
    int ns = 0;
    for (int p = 0; p < ctx->n_pages; p++) {
        const ds_pdf_page *pg = &ctx->pages[p];
        for (uint32_t l = 0; l < pg->n_lines; l++) {
            const ds_pdf_line *ln = &pg->lines[l];
            if (ln->furniture)
                continue;
            for (uint32_t k = 0; k < ln->nw; k++) {
                float s = roundf(pg->words[ln->w0 + k].size * 2) / 2;
                int j = 0;
                while (j < ns && sizes[j] != s)
                    j++;
                if (j == ns) {
                    if (ns == 64)
                        continue;
                    sizes[ns] = s;
                    counts[ns++] = 0;
                }
                counts[j] += pg->words[ln->w0 + k].len;
            }
        }
    }
    int best = -1;
    for (int j = 0; j < ns; j++)
        if (best < 0 || counts[j] > counts[best])
            best = j;
    return best >= 0 ? sizes[best] : 0;
}

/* ---- heading levels ------------------------------------------------------------------------- */

static int has_letter(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z') || (unsigned char)s[i] >= 0xC0)
            return 1;
    return 0;
}

static size_t word_count(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && (i == 0 || s[i - 1] == ' '))
            w++;
    return w;
}

/* Whether a styled line reads as a title: not "(in millions)", not a sentence going on in lower
 * case, not a repeated "... (Continued)" page header. */
static int title_like(const char *s, size_t n)
{
    static const char cont[] = "(continued)";
    size_t cl = sizeof cont - 1;
    if (n == 0 || s[0] == '(' || (s[0] >= 'a' && s[0] <= 'z'))
        return 0;
    if (n >= cl) {
        size_t i = 0;
        while (i < cl && (s[n - cl + i] | 0x20) == cont[i])
            i++;
        if (i == cl)
            return 0;
    }
    return 1;
}

/* Matches the block against the unused outline entries of its page (or of no known page). */
static int outline_match(ds_pdf_ctx *ctx, const ds_pdf_block *b)
{
    if (!ctx->n_outline)
        return -1;
    const char *key = ds_pdf_norm_key(&ctx->scratch, b->text, b->len);
    if (!key || !key[0])
        return -1;
    size_t kl = strlen(key);
    /* Entries are sorted by page, those of unknown page (-1) first: scan those, then the run
     * of the block's page (found by bisection). */
    size_t lo = 0, hi = ctx->n_outline;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ctx->outline[mid].page < b->page)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = 0; i < ctx->n_outline; i++) {
        if (ctx->outline[i].page != -1 && i < lo)
            i = lo;
        if (i >= ctx->n_outline || ctx->outline[i].page > b->page)
            break;
        ds_pdf_outline_entry *e = &ctx->outline[i];
        if (e->used || (e->page != -1 && e->page != b->page))
            continue;
        size_t el = strlen(e->key);
        if (el == 0)
            continue;
        int ok = strcmp(e->key, key) == 0 || (el >= 8 && kl > el && strncmp(key, e->key, el) == 0 && kl <= el * 2) ||
                 (kl >= 8 && el > kl && strncmp(e->key, key, kl) == 0 && el <= kl * 2);
        if (ok) {
            e->used = 1;
            return e->depth;
        }
    }
    return -1;
}

typedef struct style {
    float size;
    int bold;
    int pages; /* pages it heads something on */
    int last_page;
} style;

static int style_cmp(const void *a, const void *b)
{
    const style *x = a, *y = b;
    if (x->size != y->size)
        return x->size > y->size ? -1 : 1;
    return y->bold - x->bold;
}

ds_status ds_pdf_headings_assign(ds_pdf_ctx *ctx)
{
    float body = ctx->body_size > 0 ? ctx->body_size : 10;
    style styles[32];
    int n_styles = 0, any_outline = 0, has_part = 0, has_item = 0;
    enum { NOT = 0, BY_OUTLINE, BY_SEC, BY_FONT };
    uint8_t *how = ds_arena_calloc(&ctx->scratch, ctx->blocks.n + 1);
    if (!how)
        return DS_ERR_NOMEM;

    for (size_t i = 0; i < ctx->blocks.n; i++) {
        ds_pdf_block *b = &ctx->blocks.v[i];
        if (b->kind == DS_BLOCK_KIND_TABLE || b->n_lines > 3 || b->len > 200 || !has_letter(b->text, b->len))
            continue;
        int d = outline_match(ctx, b);
        if (d >= 0) {
            b->outline_depth = (int16_t)d;
            how[i] = BY_OUTLINE;
            any_outline = 1;
            if (d > ctx->outline_max_depth)
                ctx->outline_max_depth = d;
            continue;
        }
        if (b->sec != DS_PDF_SEC_NONE) {
            how[i] = BY_SEC;
            has_part |= b->sec == DS_PDF_SEC_PART;
            has_item |= b->sec == DS_PDF_SEC_ITEM;
            continue;
        }
        if (b->kind == DS_BLOCK_KIND_LIST_ITEM || !title_like(b->text, b->len))
            continue;
        int larger = b->size >= body * 1.15f;
        int bold = b->bold && b->size >= body * 0.95f && b->text[b->len - 1] != '.' &&
                   word_count(b->text, b->len) <= 20;
        if (!larger && !bold)
            continue;
        how[i] = BY_FONT;
        style s = {roundf(b->size * 2) / 2, b->bold, 0, -1};
        int k = 0;
        while (k < n_styles && (styles[k].size != s.size || styles[k].bold != s.bold))
            k++;
        if (k == n_styles && n_styles < 32)
            styles[n_styles++] = s;
        if (k < n_styles && styles[k].last_page != b->page) {
            styles[k].pages++;
            styles[k].last_page = b->page;
        }
    }
    qsort(styles, (size_t)n_styles, sizeof *styles, style_cmp);
    /* A style's rank counts the styles above it that recur on several pages: a cover page's
     * one-off big type does not push every real heading down a level. */
    int rank[32];
    for (int k = 0, above = 0; k < n_styles; k++) {
        rank[k] = above;
        above += styles[k].pages >= 2;
    }

    int sec_part = 1, sec_item = 1 + has_part;
    int font_base = any_outline ? ctx->outline_max_depth + 2 : 1 + has_part + has_item;
    if (any_outline) { /* filing markers the outline missed keep their usual levels */
        sec_part = 1;
        sec_item = 2;
        if (font_base < 3 && (has_part || has_item))
            font_base = 3;
    }
    for (size_t i = 0; i < ctx->blocks.n; i++) {
        ds_pdf_block *b = &ctx->blocks.v[i];
        int level = 0;
        switch (how[i]) {
        case BY_OUTLINE: level = b->outline_depth + 1; break;
        case BY_SEC: level = b->sec == DS_PDF_SEC_PART ? sec_part : sec_item; break;
        case BY_FONT: {
            float size = roundf(b->size * 2) / 2;
            int k = 0;
            while (k < n_styles && (styles[k].size != size || styles[k].bold != b->bold))
                k++;
            level = font_base + (k < n_styles ? rank[k] : n_styles);
            break;
        }
        default: continue;
        }
        b->kind = DS_BLOCK_KIND_HEADING;
        b->level = (uint8_t)(level < 1 ? 1 : level > 6 ? 6 : level);
    }
    return DS_OK;
}

/* ---- section paths -------------------------------------------------------------------------- */

ds_status ds_pdf_sections_enter(ds_pdf_sections *s, ds_arena *a, int level, const char *text, size_t len)
{
    /* The title: spaces collapsed, at most SECTION_TITLE_MAX bytes, cut between characters. */
    char buf[SECTION_TITLE_MAX + 1];
    size_t o = 0;
    for (size_t i = 0; i < len && o < SECTION_TITLE_MAX; i++) {
        char c = text[i];
        if (c == '\n' || c == '\t')
            c = ' ';
        if (c == ' ' && (o == 0 || buf[o - 1] == ' '))
            continue;
        buf[o++] = c;
    }
    if (o == SECTION_TITLE_MAX) { /* drop a character the cut went through */
        size_t lead = o;
        while (lead > 0 && lead + 4 > o && ((unsigned char)buf[lead - 1] & 0xC0) == 0x80)
            lead--;
        if (lead > 0 && (unsigned char)buf[lead - 1] >= 0xC0) {
            unsigned char c = (unsigned char)buf[lead - 1];
            size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
            if (lead - 1 + need > o)
                o = lead - 1;
        }
    }
    while (o > 0 && buf[o - 1] == ' ')
        o--;
    buf[o] = '\0';
    const char *title = ds_arena_strndup(a, buf, o);
    if (!title)
        return DS_ERR_NOMEM;

    while (s->depth > 0 && s->level[s->depth - 1] >= level)
        s->depth--;
    if (s->depth == 6)
        s->depth = 5;
    s->level[s->depth] = level;
    s->title[s->depth] = title;
    s->depth++;
    ds_buf_clear(&s->path);
    for (int i = 0; i < s->depth; i++)
        if ((i > 0 && ds_buf_puts(&s->path, " > ")) || ds_buf_puts(&s->path, s->title[i]))
            return DS_ERR_NOMEM;
    return DS_OK;
}
