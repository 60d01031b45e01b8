/* pdf_layout.c - layout analysis of one PDF page: poppler's characters and boxes become words
 * (with font size and weight), words become lines, lines are cut at multi-column gutters and put
 * in reading order (band by band, column by column), and every line is cut into segments (runs
 * of words between wide gaps, the cells of a possible table).
 *
 * Owns: nothing; everything it builds lives in the caller's scratch arena (see pdf_internal.h).
 * Poppler's strings and arrays are released before returning. No per-character allocation: a
 * page costs a handful of arena allocations sized from the character count.
 * Threading: reentrant; a page belongs to one thread.
 */
#include "ingest/pdf_internal.h"
#include "pipeline/core/utf8.h"

#include <poppler.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- characters to words ------------------------------------------------------------------ */

static int is_space_cp(unsigned cp)
{
    return cp == ' ' || cp == '\n' || cp == '\r' || cp == '\t' || cp == '\f' || cp == 0xA0 ||
           (cp >= 0x2000 && cp <= 0x200B) || cp == 0x202F || cp == 0x3000;
}

/* Case-insensitive "needle occurs in hay" for ASCII needles. */
static int has_word_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = hay; *p; p++) {
        size_t i = 0;
        while (i < n && p[i] && (p[i] | 0x20) == needle[i])
            i++;
        if (i == n)
            return 1;
    }
    return 0;
}

static int font_is_bold(const char *name)
{
    if (!name)
        return 0;
    return has_word_ci(name, "bold") || has_word_ci(name, "black") || has_word_ci(name, "heavy") ||
           has_word_ci(name, "demi") || has_word_ci(name, "semibold");
}

static int is_currency(const char *s, size_t n)
{
    return (n == 1 && s[0] == '$') || (n == 3 && memcmp(s, "\xE2\x82\xAC", 3) == 0) ||
           (n == 2 && (memcmp(s, "\xC2\xA3", 2) == 0 || memcmp(s, "\xC2\xA5", 2) == 0));
}

static int is_dash(const char *s, size_t n)
{
    return (n == 1 && s[0] == '-') ||
           (n == 3 && (memcmp(s, "\xE2\x80\x94", 3) == 0 || memcmp(s, "\xE2\x80\x93", 3) == 0 ||
                       memcmp(s, "\xE2\x88\x92", 3) == 0));
}

/* Sets tok, year and pure of a word from its bytes. */
static void classify(ds_pdf_word *w, const char *s, size_t n)
{
    w->tok = DS_PDF_TOK_TEXT;
    w->year = 0;
    w->pure = 0;
    if (is_currency(s, n)) {
        w->tok = DS_PDF_TOK_CUR;
        return;
    }
    if (is_dash(s, n)) {
        w->tok = DS_PDF_TOK_DASH;
        return;
    }
    if ((n == 1 && (s[0] == '(' || s[0] == ')' || s[0] == '%')) || (n == 2 && memcmp(s, ")%", 2) == 0)) {
        w->tok = DS_PDF_TOK_PUNCT;
        return;
    }
    size_t i = 0;
    int prefix = 0;
    for (;;) { /* leading ( $ - + and the UTF-8 minus, euro, pound */
        if (i < n && (s[i] == '(' || s[i] == '$' || s[i] == '-' || s[i] == '+')) {
            i++;
            prefix = 1;
        } else if (i + 3 <= n && (memcmp(s + i, "\xE2\x88\x92", 3) == 0 || memcmp(s + i, "\xE2\x82\xAC", 3) == 0)) {
            i += 3;
            prefix = 1;
        } else if (i + 2 <= n && memcmp(s + i, "\xC2\xA3", 2) == 0) {
            i += 2;
            prefix = 1;
        } else
            break;
    }
    size_t core = i, digits = 0;
    while (i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == ',' || s[i] == '.')) {
        digits += s[i] >= '0' && s[i] <= '9';
        i++;
    }
    if (digits == 0 || (!(s[core] >= '0' && s[core] <= '9') && s[core] != '.'))
        return;
    size_t core_end = i;
    if (s[core_end - 1] == ',')
        return; /* "31," belongs to a date */
    while (i < n && (s[i] == ')' || s[i] == '%' || s[i] == '*'))
        i++;
    if (i != n)
        return;
    w->tok = DS_PDF_TOK_NUM;
    w->pure = 1;
    if (!prefix && i == core_end && core_end - core == 4 && digits == 4) {
        int y = (s[core] - '0') * 1000 + (s[core + 1] - '0') * 100 + (s[core + 2] - '0') * 10 + (s[core + 3] - '0');
        w->year = y >= 1900 && y <= 2099;
    }
}

ds_status ds_pdf_page_load(ds_arena *a, ds_pdf_page *pg, PopplerPage *pp)
{
    double pw = 0, ph = 0;
    poppler_page_get_size(pp, &pw, &ph);
    pg->width = (float)pw;
    pg->height = (float)ph;
    pg->n_words = 0;
    char *text = poppler_page_get_text(pp);
    if (!text) {
        pg->text = "";
        return DS_OK;
    }
    PopplerRectangle *rects = NULL;
    guint n_rects = 0;
    if (!poppler_page_get_text_layout(pp, &rects, &n_rects))
        n_rects = 0;
    GList *attrs = n_rects ? poppler_page_get_text_attributes(pp) : NULL;
    ds_status st = DS_OK;

    size_t tl = strlen(text);
    pg->text = ds_arena_strndup(a, text, tl);
    pg->text_len = tl;
    /* At most one word per character with a box. */
    pg->words = ds_arena_alloc(a, (n_rects + 1) * sizeof(ds_pdf_word));
    if (!pg->text || !pg->words) {
        st = DS_ERR_NOMEM;
        goto done;
    }

    GList *al = attrs;
    PopplerTextAttributes *cur = al ? al->data : NULL;
    float cur_size = cur ? (float)cur->font_size : 0.f;
    int cur_bold = cur ? font_is_bold(cur->font_name) : 0;

    const unsigned char *t = (const unsigned char *)pg->text;
    size_t p = 0;
    guint i = 0;
    int in_word = 0;
    ds_pdf_word w = {0};
    while (p < tl && i < n_rects) {
        size_t l = ds_utf8_seq_len(t + p, tl - p);
        unsigned cp = l ? ds_utf8_decode(t + p, &l) : t[p]; /* a stray byte counts as one */
        if (!l)
            l = 1;
        while (cur && (gint)i > cur->end_index) {
            al = al->next;
            cur = al ? al->data : NULL;
            if (cur) {
                cur_size = (float)cur->font_size;
                cur_bold = font_is_bold(cur->font_name);
            }
        }
        if (is_space_cp(cp)) {
            if (in_word) {
                w.len = (uint32_t)(p - w.off);
                pg->words[pg->n_words++] = w;
                in_word = 0;
            }
        } else {
            const PopplerRectangle *r = &rects[i];
            float x0 = (float)fmin(r->x1, r->x2), x1 = (float)fmax(r->x1, r->x2);
            float y0 = (float)fmin(r->y1, r->y2), y1 = (float)fmax(r->y1, r->y2);
            if (!isfinite(x0) || !isfinite(x1) || !isfinite(y0) || !isfinite(y1))
                x0 = x1 = y0 = y1 = 0;
            float sz = cur_size > 0 ? cur_size : (y1 - y0);
            if (in_word) {
                /* poppler separates words with spaces; also cut where the boxes jump. */
                float em = w.size > 0 ? w.size : 1;
                float cy = (y0 + y1) / 2;
                if (x0 < w.x1 - 0.5f * em - 1 || x0 - w.x1 > 0.6f * em || cy < w.y0 || cy > w.y1) {
                    w.len = (uint32_t)(p - w.off);
                    pg->words[pg->n_words++] = w;
                    in_word = 0;
                }
            }
            if (!in_word) {
                memset(&w, 0, sizeof w);
                w.off = (uint32_t)p;
                w.x0 = x0;
                w.x1 = x1;
                w.y0 = y0;
                w.y1 = y1;
                w.size = sz;
                w.bold = (uint8_t)cur_bold;
                in_word = 1;
            } else {
                w.x0 = fminf(w.x0, x0);
                w.x1 = fmaxf(w.x1, x1);
                w.y0 = fminf(w.y0, y0);
                w.y1 = fmaxf(w.y1, y1);
            }
        }
        p += l;
        i++;
    }
    if (in_word) {
        w.len = (uint32_t)(p - w.off);
        pg->words[pg->n_words++] = w;
    }
    for (uint32_t k = 0; k < pg->n_words; k++) {
        /* Poppler writes what fonts map to: a surrogate or a NUL would make invalid UTF-8 in
         * cells and titles, so such bytes become '?' (same length, offsets unchanged). */
        char *ws = pg->text + pg->words[k].off;
        const gchar *end;
        while (!g_utf8_validate(ws, (gssize)(pg->text + pg->words[k].off + pg->words[k].len - ws), &end)) {
            *(char *)end = '?';
            ws = (char *)end + 1;
        }
        classify(&pg->words[k], pg->text + pg->words[k].off, pg->words[k].len);
    }
done:
    if (attrs)
        poppler_page_free_text_attributes(attrs);
    g_free(rects);
    g_free(text);
    return st;
}

/* ---- words to lines ----------------------------------------------------------------------- */

typedef struct fkey {
    float key;
    uint32_t idx;
} fkey;

static int fkey_cmp(const void *a, const void *b)
{
    float x = ((const fkey *)a)->key, y = ((const fkey *)b)->key;
    if (x < y)
        return -1;
    if (x > y)
        return 1;
    uint32_t i = ((const fkey *)a)->idx, j = ((const fkey *)b)->idx;
    return i < j ? -1 : i > j;
}

/* Bounding box, dominant size, boldness and byte count of words [w0, w0 + nw). */
static void line_stats(const ds_pdf_page *pg, ds_pdf_line *ln)
{
    const ds_pdf_word *w = pg->words + ln->w0;
    float sizes[8];
    uint32_t counts[8];
    int ns = 0;
    ln->x0 = ln->y0 = INFINITY;
    ln->x1 = ln->y1 = -INFINITY;
    ln->n_chars = 0;
    int bold = ln->nw > 0;
    for (uint32_t k = 0; k < ln->nw; k++) {
        ln->x0 = fminf(ln->x0, w[k].x0);
        ln->x1 = fmaxf(ln->x1, w[k].x1);
        ln->y0 = fminf(ln->y0, w[k].y0);
        ln->y1 = fmaxf(ln->y1, w[k].y1);
        ln->n_chars += w[k].len;
        if (!w[k].bold && w[k].tok != DS_PDF_TOK_PUNCT)
            bold = 0;
        float s = roundf(w[k].size * 2) / 2;
        int j = 0;
        while (j < ns && sizes[j] != s)
            j++;
        if (j == ns && ns < 8) {
            sizes[ns] = s;
            counts[ns++] = 0;
        }
        if (j < ns)
            counts[j] += w[k].len;
    }
    int best = 0;
    for (int j = 1; j < ns; j++)
        if (counts[j] > counts[best] || (counts[j] == counts[best] && sizes[j] > sizes[best]))
            best = j;
    ln->size = ns ? sizes[best] : 0;
    ln->bold = (uint8_t)bold;
}

static void sort_words_x(ds_pdf_word *w, uint32_t n)
{
    for (uint32_t i = 1; i < n; i++) {
        ds_pdf_word v = w[i];
        uint32_t j = i;
        while (j > 0 && w[j - 1].x0 > v.x0) {
            w[j] = w[j - 1];
            j--;
        }
        w[j] = v;
    }
}

ds_status ds_pdf_page_lines(ds_arena *a, ds_pdf_page *pg)
{
    uint32_t n = pg->n_words;
    pg->n_lines = 0;
    if (n == 0)
        return DS_OK;
    fkey *keys = ds_arena_alloc(a, n * sizeof *keys);
    uint32_t *line_of = ds_arena_alloc(a, n * sizeof *line_of);
    ds_pdf_line *lines = ds_arena_alloc(a, n * sizeof *lines);
    ds_pdf_word *sorted = ds_arena_alloc(a, n * sizeof *sorted);
    if (!keys || !line_of || !lines || !sorted)
        return DS_ERR_NOMEM;
    for (uint32_t i = 0; i < n; i++) {
        keys[i].key = (pg->words[i].y0 + pg->words[i].y1) / 2;
        keys[i].idx = i;
    }
    qsort(keys, n, sizeof *keys, fkey_cmp);

    /* Greedy: a word joins the current line when it overlaps the line's band vertically and
     * its centre is near the line's mean centre (so that lines of two columns that sit half a
     * line apart do not chain into one). */
    uint32_t nl = 0;
    float ly0 = 0, ly1 = 0, csum = 0, hmax = 0;
    uint32_t cnt = 0;
    for (uint32_t k = 0; k < n; k++) {
        const ds_pdf_word *w = &pg->words[keys[k].idx];
        float h = fmaxf(w->y1 - w->y0, 0.1f), c = (w->y0 + w->y1) / 2;
        int join = 0;
        if (nl > 0) {
            float ov = fminf(ly1, w->y1) - fmaxf(ly0, w->y0);
            float mc = csum / (float)cnt;
            join = ov >= 0.4f * fminf(h, ly1 - ly0) && fabsf(c - mc) <= 0.6f * fmaxf(h, hmax);
        }
        if (!join) {
            lines[nl].nw = 0;
            nl++;
            ly0 = w->y0;
            ly1 = w->y1;
            csum = 0;
            cnt = 0;
            hmax = 0;
        }
        ly0 = fminf(ly0, w->y0);
        ly1 = fmaxf(ly1, w->y1);
        csum += c;
        cnt++;
        hmax = fmaxf(hmax, h);
        line_of[keys[k].idx] = nl - 1;
        lines[nl - 1].nw++;
    }
    uint32_t off = 0;
    for (uint32_t l = 0; l < nl; l++) {
        lines[l].w0 = off;
        off += lines[l].nw;
        lines[l].nw = 0;
    }
    /* Scatter in poppler order (mostly left to right already), then sort each line by x. */
    for (uint32_t i = 0; i < n; i++) {
        ds_pdf_line *ln = &lines[line_of[i]];
        sorted[ln->w0 + ln->nw++] = pg->words[i];
    }
    for (uint32_t l = 0; l < nl; l++) {
        ds_pdf_line *ln = &lines[l];
        sort_words_x(sorted + ln->w0, ln->nw);
        ln->s0 = ln->ns = 0;
        ln->table = -1;
        ln->region = 0;
        ln->col = 0;
        ln->ncols = 1;
        ln->furniture = 0;
    }
    pg->words = sorted;
    pg->lines = lines;
    pg->n_lines = nl;
    for (uint32_t l = 0; l < nl; l++)
        line_stats(pg, &lines[l]);
    return DS_OK;
}

/* ---- columns and reading order ------------------------------------------------------------ */

typedef struct colscan {
    const ds_pdf_page *pg;
    float xa;    /* page x of cell 0 */
    int cells;   /* 1-point cells across the middle of the page */
    int min_run; /* narrowest gutter, in cells */
} colscan;

static void mark_line(const colscan *cs, uint8_t *occ, const ds_pdf_line *ln)
{
    const ds_pdf_word *w = cs->pg->words + ln->w0;
    float cells = (float)cs->cells;
    for (uint32_t k = 0; k < ln->nw; k++) {
        float a = floorf(w[k].x0 - cs->xa), b = ceilf(w[k].x1 - cs->xa);
        if (!(b > 0) || !(a < cells)) /* also false for NaN */
            continue;
        int c0 = a < 0 ? 0 : (int)a, c1 = b > cells ? cs->cells : (int)b;
        if (c1 > c0)
            memset(occ + c0, 1, (size_t)(c1 - c0));
    }
}

/* Free runs of at least min_run cells: the widest max of them into g0/g1 (page x), widest
 * first. Returns how many. */
static int free_runs(const colscan *cs, const uint8_t *occ, float *g0, float *g1, int max)
{
    int n = 0;
    for (int c = 0; c < cs->cells;) {
        if (occ[c]) {
            c++;
            continue;
        }
        int s = c;
        while (c < cs->cells && !occ[c])
            c++;
        if (c - s < cs->min_run)
            continue;
        float a = cs->xa + (float)s, b = cs->xa + (float)c;
        int k;
        if (n < max)
            k = n++;
        else if (b - a > g1[max - 1] - g0[max - 1])
            k = max - 1;
        else
            continue;
        g0[k] = a;
        g1[k] = b;
        for (; k > 0 && g1[k] - g0[k] > g1[k - 1] - g0[k - 1]; k--) {
            float t0 = g0[k], t1 = g1[k];
            g0[k] = g0[k - 1];
            g1[k] = g1[k - 1];
            g0[k - 1] = t0;
            g1[k - 1] = t1;
        }
    }
    return n;
}

/* Whether the words of lines idx[0..n) lying within [lo, hi) read like a column of prose:
 * most lines have several words there, few of them numbers, few lines have a wide inner gap
 * (table cells do), and most lines run to near the column's right edge. */
static int column_is_prose(const ds_pdf_page *pg, const uint32_t *idx, uint32_t n, float lo, float hi)
{
    uint32_t parts = 0, words = 0, nums = 0, full = 0, gappy = 0;
    float cx0 = INFINITY, cx1 = -INFINITY;
    for (uint32_t i = 0; i < n; i++) {
        const ds_pdf_line *ln = &pg->lines[idx[i]];
        const ds_pdf_word *w = pg->words + ln->w0;
        for (uint32_t k = 0; k < ln->nw; k++)
            if (w[k].x0 >= lo && w[k].x1 <= hi) {
                cx0 = fminf(cx0, w[k].x0);
                cx1 = fmaxf(cx1, w[k].x1);
            }
    }
    if (!(cx1 > cx0))
        return 0;
    float width = cx1 - cx0;
    for (uint32_t i = 0; i < n; i++) {
        const ds_pdf_line *ln = &pg->lines[idx[i]];
        const ds_pdf_word *w = pg->words + ln->w0;
        uint32_t cnt = 0;
        int gap = 0;
        float px1 = -INFINITY;
        for (uint32_t k = 0; k < ln->nw; k++)
            if (w[k].x0 >= lo && w[k].x1 <= hi) {
                if (cnt && w[k].x0 - px1 > 1.2f * fmaxf(w[k].size, 1.f))
                    gap = 1;
                cnt++;
                nums += w[k].tok != DS_PDF_TOK_TEXT;
                px1 = fmaxf(px1, w[k].x1);
            }
        if (cnt) {
            parts++;
            words += cnt;
            gappy += gap;
            full += px1 >= cx1 - 0.25f * width;
        }
    }
    return parts >= 3 && words >= 4 * parts && nums * 4 <= words && gappy * 5 <= parts && full * 2 >= parts;
}

/* Lines of idx[0..n) with words on both sides of the gutter [g0, g1]. */
static uint32_t both_sides(const ds_pdf_page *pg, const uint32_t *idx, uint32_t n, float g0, float g1)
{
    uint32_t both = 0;
    for (uint32_t i = 0; i < n; i++) {
        const ds_pdf_line *ln = &pg->lines[idx[i]];
        both += ln->nw > 0 && pg->words[ln->w0].x0 < g0 && pg->words[ln->w0 + ln->nw - 1].x1 > g1;
    }
    return both;
}

/* Picks the gutters of region idx[0..n) among the candidate free runs: each accepted gutter
 * must leave prose on both sides. Returns the count, gutters sorted left to right. */
static int choose_gutters(const ds_pdf_page *pg, const uint32_t *idx, uint32_t n, const float *c0, const float *c1,
                          int nc, float *out0, float *out1)
{
    int ng = 0;
    for (int c = 0; c < nc; c++) {
        /* Columns the candidate would split: bounded by the gutters already chosen. */
        float lo = -INFINITY, hi = INFINITY;
        for (int g = 0; g < ng; g++) {
            if (out1[g] <= c0[c])
                lo = fmaxf(lo, out1[g]);
            if (out0[g] >= c1[c])
                hi = fminf(hi, out0[g]);
        }
        /* Text columns sit side by side on most lines of the band. */
        uint32_t both = both_sides(pg, idx, n, c0[c], c1[c]);
        if (both >= 3 && both * 5 >= n * 3 && column_is_prose(pg, idx, n, lo, c0[c]) &&
            column_is_prose(pg, idx, n, c1[c], hi)) {
            int k = ng++;
            while (k > 0 && out0[k - 1] > c0[c]) {
                out0[k] = out0[k - 1];
                out1[k] = out1[k - 1];
                k--;
            }
            out0[k] = c0[c];
            out1[k] = c1[c];
        }
    }
    return ng;
}

#define DS_PDF_MAX_GUTTERS 3

/* The band of lines idx[i..m) that share a column gutter, by the 1-point occupancy of the
 * middle of the page (occ and tmp: cs->cells bytes each, swapped as the band grows). Sets *j
 * past the band's last line and returns its gutters (0: not columns), their edges in g0, g1. */
static int find_band(const colscan *cs, const ds_pdf_page *pg, const uint32_t *idx, uint32_t i, uint32_t m,
                     uint8_t **occ, uint8_t **tmp, uint32_t *j, float *g0, float *g1)
{
    int ng = 0;
    float r0[DS_PDF_MAX_GUTTERS], r1[DS_PDF_MAX_GUTTERS];
    memset(*occ, 0, (size_t)cs->cells);
    mark_line(cs, *occ, &pg->lines[idx[i]]);
    if (free_runs(cs, *occ, r0, r1, DS_PDF_MAX_GUTTERS) > 0) {
        /* Grow the band while a common gutter survives. */
        while (*j < m) {
            memcpy(*tmp, *occ, (size_t)cs->cells);
            mark_line(cs, *tmp, &pg->lines[idx[*j]]);
            if (free_runs(cs, *tmp, r0, r1, DS_PDF_MAX_GUTTERS) == 0)
                break;
            uint8_t *sw = *occ;
            *occ = *tmp;
            *tmp = sw;
            (*j)++;
        }
        if (*j - i >= 3) {
            int nr = free_runs(cs, *occ, r0, r1, DS_PDF_MAX_GUTTERS);
            ng = choose_gutters(pg, idx + i, *j - i, r0, r1, nr, g0, g1);
        }
    }
    /* Not columns: a long band (a table) is single column as a whole; otherwise take
     * one line and look again from the next. */
    if (ng == 0 && *j - i < 3)
        *j = i + 1;
    return ng;
}

/* Lines idx[i..j) split at the ng gutters g0/g1 into out[*no..], column by column, each top to
 * bottom, every part knowing its column's extent. */
static void emit_columns(const ds_pdf_page *pg, const uint32_t *idx, uint32_t i, uint32_t j, int ng, const float *g0,
                         const float *g1, uint16_t region, ds_pdf_line *out, uint32_t *no_p)
{
    uint32_t no = *no_p;
    for (int c = 0; c <= ng; c++) {
        float lo = c == 0 ? -INFINITY : g1[c - 1], hi = c == ng ? INFINITY : g0[c];
        float cx0 = INFINITY, cx1 = -INFINITY;
        uint32_t first = no;
        for (uint32_t k = i; k < j; k++) {
            const ds_pdf_line *ln = &pg->lines[idx[k]];
            uint32_t a0 = ln->nw, a1 = 0;
            for (uint32_t q = 0; q < ln->nw; q++) {
                float mid = (pg->words[ln->w0 + q].x0 + pg->words[ln->w0 + q].x1) / 2;
                if (mid >= lo && mid < hi) {
                    if (a0 == ln->nw)
                        a0 = q;
                    a1 = q + 1;
                }
            }
            if (a0 >= a1)
                continue;
            ds_pdf_line part = *ln;
            part.w0 = ln->w0 + a0;
            part.nw = a1 - a0;
            line_stats(pg, &part);
            part.region = region;
            part.col = (uint8_t)c;
            part.ncols = (uint8_t)(ng + 1);
            cx0 = fminf(cx0, part.x0);
            cx1 = fmaxf(cx1, part.x1);
            out[no++] = part;
        }
        for (uint32_t k = first; k < no; k++) {
            out[k].cx0 = cx0;
            out[k].cx1 = cx1;
        }
    }
    *no_p = no;
}

/* Single-column lines span the page's text extent. */
static void span_single_lines(ds_pdf_line *out, uint32_t no)
{
    float px0 = INFINITY, px1 = -INFINITY;
    for (uint32_t k = 0; k < no; k++)
        if (out[k].ncols == 1) {
            px0 = fminf(px0, out[k].x0);
            px1 = fmaxf(px1, out[k].x1);
        }
    for (uint32_t k = 0; k < no; k++)
        if (out[k].ncols == 1) {
            out[k].cx0 = px0;
            out[k].cx1 = px1;
        }
}

/* The segments of line ln (words apart by a wide gap, a currency sign or numbers apart), their
 * numeric flags, then a lone currency sign folded into the number after it; appended to
 * pg->segs. */
static void line_segments(ds_pdf_page *pg, ds_pdf_line *ln)
{
    ln->s0 = pg->n_segs;
    const ds_pdf_word *w = pg->words + ln->w0;
    for (uint32_t q = 0; q < ln->nw; q++) {
        int split = q == 0;
        if (!split) {
            const ds_pdf_word *pw = &w[q - 1], *cw = &w[q];
            float em = fmaxf(fmaxf(pw->size, cw->size), 1.f);
            float gap = cw->x0 - pw->x1;
            int pnum = (pw->tok == DS_PDF_TOK_NUM && pw->pure) || pw->tok == DS_PDF_TOK_DASH ||
                       (pw->tok == DS_PDF_TOK_PUNCT && pg->text[pw->off] != '(');
            int cnum = (cw->tok == DS_PDF_TOK_NUM && cw->pure) || cw->tok == DS_PDF_TOK_DASH;
            split = gap > 1.0f * em || (cw->tok == DS_PDF_TOK_CUR && gap > 0.1f * em) ||
                    (pnum && cnum && gap > 0.35f * em);
        }
        if (split) {
            ds_pdf_seg *s = &pg->segs[pg->n_segs++];
            s->x0 = s->nx0 = w[q].x0;
            s->x1 = w[q].x1;
            s->w0 = ln->w0 + q;
            s->nw = 1;
        } else {
            ds_pdf_seg *s = &pg->segs[pg->n_segs - 1];
            s->x1 = fmaxf(s->x1, w[q].x1);
            s->nw++;
        }
    }
    /* Numeric flags, then fold a lone currency sign into the number after it. */
    uint32_t end = pg->n_segs;
    for (uint32_t s = ln->s0; s < end; s++) {
        ds_pdf_seg *sg = &pg->segs[s];
        int num = 0, other = 0, nonyear = 0;
        for (uint32_t q = 0; q < sg->nw; q++) {
            const ds_pdf_word *x = &pg->words[sg->w0 + q];
            if (x->tok == DS_PDF_TOK_TEXT)
                other = 1;
            else if (x->tok == DS_PDF_TOK_NUM || x->tok == DS_PDF_TOK_DASH) {
                num = 1;
                if (!x->year)
                    nonyear = 1;
            }
        }
        sg->numeric = (uint8_t)(num && !other);
        sg->years = (uint8_t)(sg->numeric && !nonyear);
    }
    uint32_t outs = ln->s0;
    for (uint32_t s = ln->s0; s < end; s++) {
        ds_pdf_seg sg = pg->segs[s];
        if (sg.nw == 1 && pg->words[sg.w0].tok == DS_PDF_TOK_CUR && s + 1 < end && pg->segs[s + 1].numeric) {
            ds_pdf_seg nx = pg->segs[s + 1];
            sg.x1 = nx.x1;
            sg.nx0 = nx.x0;
            sg.nw += nx.nw;
            sg.numeric = 1;
            sg.years = nx.years;
            s++;
        }
        pg->segs[outs++] = sg;
    }
    pg->n_segs = outs;
    ln->ns = pg->n_segs - ln->s0;
}

ds_status ds_pdf_page_order(ds_arena *a, ds_pdf_page *pg)
{
    uint32_t m = 0;
    uint32_t *idx = ds_arena_alloc(a, (pg->n_lines + 1) * sizeof *idx);
    if (!idx)
        return DS_ERR_NOMEM;
    for (uint32_t l = 0; l < pg->n_lines; l++)
        if (!pg->lines[l].furniture)
            idx[m++] = l;
    /* A split line yields one part per column: at most m * (gutters + 1) lines. */
    ds_pdf_line *out = ds_arena_alloc(a, ((size_t)m * (DS_PDF_MAX_GUTTERS + 1) + 1) * sizeof *out);
    pg->segs = ds_arena_alloc(a, (pg->n_words + 1) * sizeof *pg->segs);
    if (!out || !pg->segs)
        return DS_ERR_NOMEM;
    uint32_t no = 0;

    /* Gutters are looked for across the middle 60% of the page, at 1-point resolution (pages
     * wider than the PDF maximum of 14400 points are not searched). */
    colscan cs = {pg, 0.2f * pg->width, 0, 6};
    if (pg->width > 50 && pg->width <= 14400)
        cs.cells = (int)(0.6f * pg->width);
    uint8_t *occ = NULL, *tmp = NULL;
    if (cs.cells > 8 && m >= 3) {
        occ = ds_arena_alloc(a, (size_t)cs.cells);
        tmp = ds_arena_alloc(a, (size_t)cs.cells);
        if (!occ || !tmp)
            return DS_ERR_NOMEM;
    }
    uint16_t region = 0;
    int last_multi = -1; /* -1 nothing written yet, 0 single column, 1 columns */
    uint32_t i = 0;
    while (i < m) {
        uint32_t j = i + 1;
        int ng = 0;
        float g0[DS_PDF_MAX_GUTTERS], g1[DS_PDF_MAX_GUTTERS];
        if (occ)
            ng = find_band(&cs, pg, idx, i, m, &occ, &tmp, &j, g0, g1);
        if (ng == 0) {
            if (last_multi == 1)
                region++;
            for (uint32_t k = i; k < j; k++) {
                out[no] = pg->lines[idx[k]];
                out[no].region = region;
                out[no].col = 0;
                out[no].ncols = 1;
                no++;
            }
            last_multi = 0;
            i = j;
            continue;
        }
        if (last_multi >= 0)
            region++;
        emit_columns(pg, idx, i, j, ng, g0, g1, region, out, &no);
        last_multi = 1;
        i = j;
    }
    span_single_lines(out, no);

    /* Segments. */
    pg->n_segs = 0;
    for (uint32_t k = 0; k < no; k++)
        line_segments(pg, &out[k]);
    pg->lines = out;
    pg->n_lines = no;
    return DS_OK;
}

ds_status ds_pdf_words_text(const ds_pdf_page *pg, uint32_t w0, uint32_t nw, ds_buf *b)
{
    for (uint32_t q = 0; q < nw; q++) {
        const ds_pdf_word *w = &pg->words[w0 + q];
        const char *s = pg->text + w->off;
        if (q > 0) {
            const ds_pdf_word *p = &pg->words[w0 + q - 1];
            int tight = (w->tok == DS_PDF_TOK_PUNCT && (s[0] == ')' || s[0] == '%')) ||
                        (p->tok == DS_PDF_TOK_PUNCT && pg->text[p->off] == '(');
            if (!tight && ds_buf_putc(b, ' '))
                return DS_ERR_NOMEM;
        }
        if (ds_buf_append(b, s, w->len))
            return DS_ERR_NOMEM;
    }
    return DS_OK;
}
