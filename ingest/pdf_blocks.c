/* pdf_blocks.c - groups a PDF page's ordered lines into blocks: tables (found before, kept
 * whole), list items (a line opening with a bullet) and paragraphs. A paragraph ends at a column
 * change, a blank gap, a change of font size or weight, a bullet, or a short line followed by an
 * indented one or by a filing marker ("PART II", "Item 7."). Blocks carry what heading detection
 * needs (size, weight, line count, filing marker); levels are decided later over the document.
 *
 * Owns: the block texts, in the parse's scratch arena; the blocks go to ctx->blocks.
 * Threading: reentrant; one ds_pdf_ctx at a time.
 */
#include "ingest/pdf_internal.h"

#include <math.h>
#include <string.h>
#include <strings.h>

/* Bytes of a bullet glyph opening s (n bytes), 0 if none. */
static size_t bullet_len(const char *s, size_t n)
{
    static const char *const bullets[] = {
        "\xE2\x80\xA2", /* • */
        "\xE2\x97\x8F", /* ● */
        "\xE2\x97\xA6", /* ◦ */
        "\xE2\x96\xAA", /* ▪ */
        "\xE2\x96\xA0", /* ■ */
        "\xE2\x80\xA3", /* ‣ */
        "\xE2\x81\x83", /* ⁃ */
        "\xEF\x82\xB7", /* U+F0B7, Symbol-font bullet */
        "\xEF\x82\xA7", /* U+F0A7, Wingdings bullet */
        "\xEF\x81\xAC", /* U+F06C, Wingdings round bullet */
        "\xC2\xB7",     /* · */
    };
    for (size_t i = 0; i < sizeof bullets / sizeof bullets[0]; i++) {
        size_t l = strlen(bullets[i]);
        if (n >= l && memcmp(s, bullets[i], l) == 0)
            return l;
    }
    return 0;
}

static int line_bullet(const ds_pdf_page *pg, const ds_pdf_line *l)
{
    if (l->nw == 0)
        return 0;
    const ds_pdf_word *w = &pg->words[l->w0];
    return bullet_len(pg->text + w->off, w->len) > 0 && (w->len > 3 || l->nw > 1);
}

/* PART I..IV / Item 7., Item 1A: the markers of SEC filings' sections. */
static ds_pdf_sec sec_kind(const char *s, size_t n)
{
    if (n >= 6 && strncasecmp(s, "part ", 5) == 0) {
        size_t i = 5, r = 0;
        while (i < n && strchr("IVXivx", s[i]) && r < 4) {
            i++;
            r++;
        }
        if (r > 0 && (i == n || !((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z')))
            return DS_PDF_SEC_PART;
    }
    if (n >= 6 && strncasecmp(s, "item ", 5) == 0) {
        size_t i = 5, d = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9' && d < 2) {
            i++;
            d++;
        }
        if (d > 0 && i < n && strchr("ABCabc", s[i]))
            i++;
        if (d > 0 && (i == n || s[i] == '.' || s[i] == ':' || s[i] == ' ' || (unsigned char)s[i] >= 0x80))
            return DS_PDF_SEC_ITEM;
    }
    return DS_PDF_SEC_NONE;
}

static ds_pdf_sec line_sec(const ds_pdf_page *pg, const ds_pdf_line *l)
{
    if (l->nw < 2)
        return DS_PDF_SEC_NONE;
    const ds_pdf_word *a = &pg->words[l->w0], *b = &pg->words[l->w0 + 1];
    char buf[24];
    size_t n = 0;
    if (a->len + b->len + 1 >= sizeof buf)
        return DS_PDF_SEC_NONE;
    memcpy(buf, pg->text + a->off, a->len);
    n = a->len;
    buf[n++] = ' ';
    memcpy(buf + n, pg->text + b->off, b->len);
    n += b->len;
    buf[n] = '\0';
    return sec_kind(buf, n);
}

static float em_of(const ds_pdf_line *l)
{
    return l->size > 1 ? l->size : 1;
}

static int ends_short(const ds_pdf_line *l)
{
    float width = l->cx1 - l->cx0;
    return l->x1 < l->cx1 - fmaxf(2 * em_of(l), 0.12f * width);
}

/* Whether cur starts a new block after prev (first: the block's first line). */
static int breaks(const ds_pdf_page *pg, const ds_pdf_line *first, const ds_pdf_line *prev, const ds_pdf_line *cur)
{
    if (cur->table >= 0 || prev->region != cur->region || prev->col != cur->col || cur->y0 < prev->y0)
        return 1;
    float em = fmaxf(em_of(prev), em_of(cur));
    if (cur->y0 - prev->y1 > 0.6f * em)
        return 1;
    if (fabsf(cur->size - first->size) > 0.12f * em_of(first) || cur->bold != prev->bold)
        return 1;
    if (line_bullet(pg, cur))
        return 1;
    if (ends_short(prev) &&
        (cur->x0 > cur->cx0 + em || line_sec(pg, cur) != DS_PDF_SEC_NONE || line_sec(pg, first) != DS_PDF_SEC_NONE))
        return 1;
    return 0;
}

ds_status ds_pdf_blocks_build(ds_pdf_ctx *ctx, ds_pdf_page *pg)
{
    ds_buf *b = &ctx->tmp;
    uint32_t n = pg->n_lines;
    for (uint32_t i = 0; i < n;) {
        const ds_pdf_line *l = &pg->lines[i];
        ds_pdf_block blk;
        memset(&blk, 0, sizeof blk);
        blk.page = pg->index;
        blk.outline_depth = -1;
        if (l->table >= 0) {
            ds_pdf_table *t = &pg->tables[l->table];
            blk.kind = DS_BLOCK_KIND_TABLE;
            blk.table = t;
            blk.size = t->size;
            blk.n_lines = (uint16_t)(t->n_lines > 0xFFFF ? 0xFFFF : t->n_lines);
            if (DS_VEC_PUSH(ctx->blocks, blk))
                return DS_ERR_NOMEM;
            i = t->first + t->n_lines;
            continue;
        }
        uint32_t j = i + 1;
        while (j < n && !breaks(pg, l, &pg->lines[j - 1], &pg->lines[j]))
            j++;
        int list = line_bullet(pg, l);
        int bold = 1;
        ds_buf_clear(b);
        for (uint32_t k = i; k < j; k++) {
            const ds_pdf_line *lk = &pg->lines[k];
            uint32_t w0 = lk->w0, nw = lk->nw;
            bold &= lk->bold;
            if (k == i && list) {
                const ds_pdf_word *w = &pg->words[w0];
                size_t bl = bullet_len(pg->text + w->off, w->len);
                if (bl < w->len) { /* bullet glued to the first word */
                    if (ds_buf_append(b, pg->text + w->off + bl, w->len - bl))
                        return DS_ERR_NOMEM;
                    if (nw > 1 && ds_buf_putc(b, ' '))
                        return DS_ERR_NOMEM;
                }
                w0++;
                nw--;
            } else if (k > i && b->len > 0) {
                /* A line ending in a hyphen after a letter continues the word. */
                char last = b->data[b->len - 1];
                char before = b->len > 1 ? b->data[b->len - 2] : ' ';
                int hyphen = last == '-' && ((before | 0x20) >= 'a' && (before | 0x20) <= 'z');
                if (!hyphen && ds_buf_putc(b, ' '))
                    return DS_ERR_NOMEM;
            }
            if (ds_pdf_words_text(pg, w0, nw, b))
                return DS_ERR_NOMEM;
        }
        blk.kind = list ? DS_BLOCK_KIND_LIST_ITEM : DS_BLOCK_KIND_PARAGRAPH;
        blk.bold = (uint8_t)bold;
        blk.size = l->size;
        blk.n_lines = (uint16_t)(j - i > 0xFFFF ? 0xFFFF : j - i);
        blk.sec = (uint8_t)(b->len < 300 ? sec_kind(b->data ? b->data : "", b->len) : DS_PDF_SEC_NONE);
        blk.len = b->len;
        blk.text = ds_arena_strndup(&ctx->scratch, b->data ? b->data : "", b->len);
        if (!blk.text || DS_VEC_PUSH(ctx->blocks, blk))
            return DS_ERR_NOMEM;
        i = j;
    }
    return DS_OK;
}
