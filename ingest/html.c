/* html.c - HTML and inline XBRL documents: ds_html_parse. Turns the tree into the document's
 * text as blocks (headings, paragraphs, list items, tables), with section paths
 * ("Part II > Item 7 > Liquidity") and pages cut at CSS page breaks, then runs the inline XBRL
 * fact pass (ixbrl.c) over the same tree.
 *
 * iXBRL is XHTML: it is parsed with the XML parser when well-formed and with the HTML parser
 * otherwise; plain HTML goes to the HTML parser (markup.c hardens both). Hidden content
 * (script, style, display:none, ix:header) stays out of the text. EDGAR tables are cleaned: a
 * "$" or ")" cell is merged into its value, empty spacer columns dropped, colspan and rowspan
 * placed. While walking, each fact element's text offset is left in its _private slot for the
 * fact pass. Owns: a scratch arena and the parsed tree for the duration of the call.
 * Threading: reentrant.
 */
#include "ingest/ingest.h"
#include "ingest/markup.h"
#include "ingest/xbrl_internal.h"

#include "pipeline/core/alloc.h"
#include "pipeline/core/vec.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_TABLE_COLS 1024
#define MAX_TABLE_CELLS (4u * 1024 * 1024)
#define SECTION_TITLE_MAX 80
#define HEADING_MAX 200

typedef struct style {
    unsigned bold : 1, pre : 1;
    float size; /* points, 0 when unknown */
} style;

/* Where text goes: the flowing paragraph or a table cell. */
typedef struct sink {
    ds_buf text;
    int space;             /* a space is due before the next character */
    size_t bold, plain;    /* visible characters in bold / not in bold */
    size_t sized, unsized; /* visible characters with / without a known font size */
    float min_size;
} sink;

enum { PEND_PARA, PEND_NEXT, PEND_ROW };

/* A fact element whose text offset is not known yet. */
typedef struct pend {
    xmlNode *node;
    int where;
    size_t pos; /* PEND_PARA: byte position in the paragraph */
    size_t row; /* PEND_ROW: raw row of the table being read */
} pend;

typedef struct sec_entry {
    int level;
    const char *title; /* scratch */
} sec_entry;

typedef struct tcell {
    size_t row, col, span;
    int th;
    const char *text; /* scratch; trimmed */
    size_t bold, plain, sized, unsized;
    float min_size;
} tcell;

typedef struct tbl {
    DS_VEC(tcell) cells;
    DS_VEC(unsigned char) row_head; /* per raw row: 1 when in thead */
    size_t n_rows, n_cols;
    size_t rowspan_left[MAX_TABLE_COLS];
} tbl;

typedef struct hw {
    ds_document *doc;
    const ds_mk_doc *md;
    ds_arena *scratch;
    size_t max_depth;
    sink para;
    int para_kind, para_level; /* kind of the block the paragraph will make */
    int cur_kind, cur_level;   /* innermost heading / list item being walked */
    DS_VEC(sec_entry) sec;
    ds_buf section;
    DS_VEC(pend) pend;
    tbl *table; /* the table being read, if any */
    size_t blocks_on_page;
    int last_is_pagenum, last_has_fact;
    char footer[128]; /* stem of the last page's running footer */
    size_t footer_len;
} hw;

/* ---- small text helpers ------------------------------------------------------------------ */

static void sink_reset(sink *s)
{
    ds_buf_clear(&s->text);
    s->space = 0;
    s->bold = s->plain = s->sized = s->unsized = 0;
    s->min_size = 0;
}

/* Appends text with whitespace collapsed: ASCII whitespace, U+00A0 and other Unicode spaces
 * become one space; zero-width characters and soft hyphens are dropped. */
static ds_status sink_text(sink *s, const char *t, size_t n, const style *st)
{
    const unsigned char *p = (const unsigned char *)t;
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        size_t l = 1;
        if (c >= 0xC0) {
            l = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
            if (i + l > n)
                l = n - i;
        }
        int space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
        int drop = 0;
        if (l == 2 && c == 0xC2 && p[i + 1] == 0xA0)
            space = 1; /* no-break space */
        else if (l == 2 && c == 0xC2 && p[i + 1] == 0xAD)
            drop = 1; /* soft hyphen */
        else if (l == 3 && c == 0xE2 && p[i + 1] == 0x80 && (p[i + 2] >= 0x80 && p[i + 2] <= 0x8A))
            space = 1; /* U+2000..U+200A */
        else if (l == 3 && c == 0xE2 && p[i + 1] == 0x80 && (p[i + 2] >= 0x8B && p[i + 2] <= 0x8D))
            drop = 1; /* zero-width space / joiners */
        else if (l == 3 && c == 0xEF && p[i + 1] == 0xBB && p[i + 2] == 0xBF)
            drop = 1; /* BOM */
        if (space) {
            s->space = 1;
        } else if (!drop) {
            if (s->space && s->text.len > 0 && s->text.data[s->text.len - 1] != '\n' && ds_buf_putc(&s->text, ' '))
                return DS_ERR_NOMEM;
            s->space = 0;
            if (ds_buf_append(&s->text, p + i, l))
                return DS_ERR_NOMEM;
            if (st) {
                if (st->bold)
                    s->bold++;
                else
                    s->plain++;
                if (st->size > 0) {
                    s->sized++;
                    if (s->min_size == 0 || st->size < s->min_size)
                        s->min_size = st->size;
                } else {
                    s->unsized++;
                }
            }
        }
        i += l;
    }
    return DS_OK;
}

/* Position the next visible character will take in the sink. */
static size_t sink_next_pos(const sink *s)
{
    return s->text.len + (s->space && s->text.len > 0 && s->text.data[s->text.len - 1] != '\n');
}

/* Text of an element as it appears in the document text (for locating facts in tables). */
static ds_status display_text(const ds_mk_doc *md, const xmlNode *n, ds_buf *out)
{
    ds_buf raw = DS_BUF_INIT;
    sink s = {0};
    ds_status st = ds_mk_text(md, n, 1, NULL, NULL, &raw);
    if (st == DS_OK)
        st = sink_text(&s, raw.data ? raw.data : "", raw.len, NULL);
    ds_buf_clear(out);
    if (st == DS_OK)
        st = ds_buf_append(out, s.text.data ? s.text.data : "", s.text.len);
    ds_buf_deinit(&raw);
    ds_buf_deinit(&s.text);
    return st;
}

static int starts_ci(const char *s, const char *p)
{
    return strncasecmp(s, p, strlen(p)) == 0;
}

/* "Part II" heading: returns the length of the roman numeral after "part ", 0 when not. */
static size_t part_heading(const char *t, size_t n)
{
    if (n < 6 || !starts_ci(t, "part") || (t[4] != ' '))
        return 0;
    size_t i = 5, k = 0;
    while (i + k < n && strchr("IVXivx", t[i + k]))
        k++;
    if (k == 0 || k > 4)
        return 0;
    char c = i + k < n ? t[i + k] : '\0';
    return (c == '\0' || c == ' ' || c == '.' || c == ':' || c == '-' || c == ',' || (unsigned char)c >= 0x80) ? k : 0;
}

/* "Item 7." / "Item 1A" heading: returns the length of the item number, 0 when not. */
static size_t item_heading(const char *t, size_t n)
{
    if (n < 6 || !starts_ci(t, "item") || t[4] != ' ')
        return 0;
    size_t i = 5, k = 0;
    while (i + k < n && isdigit((unsigned char)t[i + k]))
        k++;
    if (k == 0 || k > 2)
        return 0;
    if (i + k < n && strchr("ABCabc", t[i + k]) && (i + k + 1 == n || !isalpha((unsigned char)t[i + k + 1])))
        k++;
    char c = i + k < n ? t[i + k] : '\0';
    return (c == '\0' || c == ' ' || c == '.' || c == ':' || c == '-' || c == ',' || (unsigned char)c >= 0x80) ? k : 0;
}

/* Page furniture: "12", "iv", "F-3", "Page 4", "Page 4 of 90", "- 7 -". */
static int is_page_number(const char *t, size_t n)
{
    if (n == 0 || n > 16)
        return 0;
    size_t i = 0;
    if (starts_ci(t, "page "))
        i = 5;
    if (t[i] == '-' && n >= 3 && t[n - 1] == '-') {
        i++;
        n--;
        while (i < n && t[i] == ' ')
            i++;
        while (n > i && t[n - 1] == ' ')
            n--;
    }
    if (i + 2 <= n && isalpha((unsigned char)t[i]) && t[i + 1] == '-')
        i += 2;
    size_t d = 0;
    while (i + d < n && isdigit((unsigned char)t[i + d]))
        d++;
    if (d > 0 && d <= 4) {
        size_t j = i + d;
        if (j == n)
            return 1;
        if (starts_ci(t + j, " of ")) {
            j += 4;
            size_t e = 0;
            while (j + e < n && isdigit((unsigned char)t[j + e]))
                e++;
            return e > 0 && j + e == n;
        }
        return 0;
    }
    if (i > 0)
        return 0;
    for (size_t k = 0; k < n; k++)
        if (!strchr("ivxlcIVXLC", t[k]))
            return 0;
    return n <= 6;
}

/* ---- sections ----------------------------------------------------------------------------- */

static ds_status rebuild_section(hw *w)
{
    ds_buf_clear(&w->section);
    ds_status st = ds_buf_reserve(&w->section, 0);
    for (size_t i = 0; i < w->sec.n && st == DS_OK; i++)
        st = ds_buf_printf(&w->section, "%s%s", i ? " > " : "", w->sec.v[i].title);
    return st;
}

/* Short title for the section path: "Part II", "Item 7", or the heading cut to a length. */
static const char *section_title(hw *w, const char *t, size_t n)
{
    size_t k;
    if ((k = part_heading(t, n)) > 0) {
        char num[8];
        for (size_t i = 0; i < k; i++)
            num[i] = (char)toupper((unsigned char)t[5 + i]);
        num[k] = '\0';
        return ds_arena_printf(w->scratch, "Part %s", num);
    }
    if ((k = item_heading(t, n)) > 0) {
        char num[8];
        for (size_t i = 0; i < k; i++)
            num[i] = (char)toupper((unsigned char)t[5 + i]);
        num[k] = '\0';
        return ds_arena_printf(w->scratch, "Item %s", num);
    }
    size_t l = n;
    if (l > SECTION_TITLE_MAX) {
        l = SECTION_TITLE_MAX;
        while (l > 0 && ((unsigned char)t[l] & 0xC0) == 0x80)
            l--;
    }
    while (l > 0 && (t[l - 1] == ' ' || t[l - 1] == ':' || t[l - 1] == '.'))
        l--;
    return ds_arena_strndup(w->scratch, t, l);
}

static ds_status push_section(hw *w, int level, const char *t, size_t n)
{
    while (w->sec.n > 0 && w->sec.v[w->sec.n - 1].level >= level)
        w->sec.n--;
    sec_entry e = {level, section_title(w, t, n)};
    if (!e.title || DS_VEC_PUSH(w->sec, e))
        return DS_ERR_NOMEM;
    return rebuild_section(w);
}

/* Decides whether a paragraph is a heading: "Part I", "Item 7." and short bold or large-type
 * lines. Returns the level (1 Part, 2 Item, 3 other) or 0. */
static int heading_level(const char *t, size_t n, size_t bold, size_t plain, size_t unsized, float min_size)
{
    if (n == 0 || n > HEADING_MAX)
        return 0;
    size_t letters = 0;
    for (size_t i = 0; i < n; i++)
        letters += isalpha((unsigned char)t[i]) != 0;
    if (letters < 3)
        return 0;
    int strong = (bold > 0 && plain == 0) || (unsized == 0 && min_size >= 13.0f);
    int ends_period = t[n - 1] == '.';
    if (part_heading(t, n) && (strong || n <= 80))
        return 1;
    if (item_heading(t, n) && (strong || (n <= 150 && !ends_period)))
        return 2;
    /* "(in millions)", "(Unaudited)" and check-box lines are not headings */
    if (t[0] == '(' || (unsigned char)t[0] == 0xE2)
        return 0;
    if (strong && n <= 150 && !(ends_period && n > 60) && t[n - 1] != ',' && t[n - 1] != ';')
        return 3;
    return 0;
}

/* ---- blocks ------------------------------------------------------------------------------- */

static void set_offset(xmlNode *n, size_t off)
{
    n->_private = (void *)(uintptr_t)(off + 1);
}

/* Resolves facts waiting for the next block (and those inside the paragraph just written). */
static void resolve_pending(hw *w, const ds_block *b, int para)
{
    size_t keep = 0;
    int any = 0;
    for (size_t i = 0; i < w->pend.n; i++) {
        pend *p = &w->pend.v[i];
        if (para && p->where == PEND_PARA && p->pos >= b->text_len) {
            p->where = PEND_NEXT; /* its text starts in a later block */
            w->pend.v[keep++] = *p;
        } else if (p->where == PEND_NEXT || (para && p->where == PEND_PARA)) {
            set_offset(p->node, b->text_off + (p->where == PEND_PARA ? p->pos : 0));
            any = 1;
        } else {
            w->pend.v[keep++] = *p;
        }
    }
    w->pend.n = keep;
    w->last_has_fact = any;
}

static ds_status add_text_block(hw *w, int kind, int level, const char *t, size_t n, int para)
{
    ds_status st = DS_OK;
    if (kind == DS_BLOCK_KIND_HEADING) {
        if (part_heading(t, n))
            level = 1;
        else if (item_heading(t, n) && level > 2)
            level = 2;
        st = push_section(w, level, t, n);
    }
    ds_block *b = NULL;
    if (st == DS_OK)
        st = ds_doc_add_block(w->doc, (ds_block_kind)kind, kind == DS_BLOCK_KIND_HEADING ? level : 0,
                              w->section.data ? w->section.data : "", t, n, &b);
    if (st != DS_OK)
        return st;
    resolve_pending(w, b, para);
    w->blocks_on_page++;
    w->last_is_pagenum = kind == DS_BLOCK_KIND_PARAGRAPH && is_page_number(t, n);
    return DS_OK;
}

/* Writes the collected paragraph as a block. */
static ds_status flush(hw *w)
{
    sink *s = &w->para;
    const char *t = s->text.data;
    size_t n = s->text.len;
    while (n > 0 && (t[n - 1] == ' ' || t[n - 1] == '\n'))
        n--;
    if (n == 0) {
        sink_reset(s);
        return DS_OK;
    }
    int kind = w->para_kind, level = w->para_level;
    /* the plain (not bold) link back to the contents at the top of each page */
    int toc_link = kind != DS_BLOCK_KIND_LIST_ITEM && w->blocks_on_page == 0 && n == 17 && s->bold == 0 &&
                   strncasecmp(t, "table of contents", 17) == 0;
    if (kind == DS_BLOCK_KIND_PARAGRAPH &&
        (level = heading_level(t, n, s->bold, s->plain, s->unsized, s->min_size)) > 0)
        kind = DS_BLOCK_KIND_HEADING;
    ds_status st;
    if (toc_link) {
        char line[18];
        memcpy(line, t, 17);
        line[17] = '\0';
        st = ds_doc_add_furniture(w->doc, line);
        for (size_t i = 0; i < w->pend.n; i++) /* nothing waits on this line */
            if (w->pend.v[i].where == PEND_PARA)
                w->pend.v[i].where = PEND_NEXT;
    } else {
        st = add_text_block(w, kind, level, t, n, 1);
    }
    sink_reset(s);
    w->para_kind = DS_BLOCK_KIND_PARAGRAPH;
    w->para_level = 0;
    return st;
}

/* Length of the stem of a running footer ending in a page number, "Apple Inc. | Q3 2024 Form
 * 10-Q | 5" -> "Apple Inc. | Q3 2024 Form 10-Q"; 0 when t is no such line. */
static size_t footer_stem(const char *t, size_t n)
{
    if (n > 120)
        return 0;
    size_t e = n, d = 0;
    while (e > 0 && isdigit((unsigned char)t[e - 1]) && d < 5) {
        e--;
        d++;
    }
    if (d == 0 || d > 4 || e == 0 || (t[e - 1] != ' ' && t[e - 1] != '|'))
        return 0;
    while (e > 0 && (t[e - 1] == ' ' || t[e - 1] == '|' || t[e - 1] == '-'))
        e--;
    return e;
}

/* Moves the last block of the page to the furniture when it is a page footer: a bare page
 * number, or a line ending in a page number whose stem ended the previous page too. */
static ds_status drop_footer(hw *w)
{
    ds_document *doc = w->doc;
    if (w->blocks_on_page == 0 || w->last_has_fact || doc->n_blocks == 0)
        return DS_OK;
    ds_block *b = &doc->blocks[doc->n_blocks - 1];
    if (b->kind != DS_BLOCK_KIND_PARAGRAPH)
        return DS_OK;
    const char *t = doc->text.data + b->text_off;
    size_t stem = footer_stem(t, b->text_len);
    int running = stem > 0 && stem == w->footer_len && memcmp(t, w->footer, stem) == 0;
    if (stem > 0 && stem < sizeof w->footer) {
        memcpy(w->footer, t, stem);
        w->footer_len = stem;
    }
    if (!w->last_is_pagenum && !running)
        return DS_OK;
    char line[128];
    size_t l = b->text_len < sizeof line - 1 ? b->text_len : sizeof line - 1;
    memcpy(line, t, l);
    line[l] = '\0';
    ds_status st = ds_doc_add_furniture(doc, line);
    doc->text.len = b->text_off >= 2 ? b->text_off - 2 : 0; /* with its "\n\n" separator */
    doc->text.data[doc->text.len] = '\0';
    doc->n_blocks--;
    w->last_is_pagenum = 0;
    w->blocks_on_page--;
    return st;
}

/* A page break: ends the paragraph, drops a page footer, starts the next page (unless the
 * current one is still empty). */
static ds_status page_break(hw *w)
{
    ds_status st = flush(w);
    if (st == DS_OK)
        st = drop_footer(w);
    if (st != DS_OK || w->blocks_on_page == 0)
        return st;
    w->blocks_on_page = 0;
    return ds_doc_begin_page(w->doc);
}

/* ---- style -------------------------------------------------------------------------------- */

/* Calls fn(ctx, property, value) for each declaration of a style attribute, in one pass;
 * property and value are trimmed and lower-cased copies. */
static void css_each(const char *css, void (*fn)(void *, const char *, const char *), void *ctx)
{
    const char *p = css;
    while (*p) {
        const char *end = p;
        while (*end && *end != ';')
            end++;
        const char *colon = memchr(p, ':', (size_t)(end - p));
        if (colon) {
            char prop[32], val[64];
            size_t k = 0, v = 0;
            for (const char *q = p; q < colon && k + 1 < sizeof prop; q++)
                if (!isspace((unsigned char)*q))
                    prop[k++] = (char)tolower((unsigned char)*q);
            prop[k] = '\0';
            const char *q = colon + 1;
            while (q < end && isspace((unsigned char)*q))
                q++;
            for (; q < end && v + 1 < sizeof val; q++)
                val[v++] = (char)tolower((unsigned char)*q);
            while (v > 0 && isspace((unsigned char)val[v - 1]))
                v--;
            val[v] = '\0';
            fn(ctx, prop, val);
        }
        p = *end ? end + 1 : end;
    }
}

static float css_size(const char *v, float parent)
{
    char *end;
    float x = strtof(v, &end);
    if (end == v) {
        static const struct {
            const char *k;
            float pt;
        } kw[] = {{"xx-small", 7},  {"x-small", 7.5f}, {"small", 10},   {"medium", 12},
                  {"large", 13.5f}, {"x-large", 18},   {"xx-large", 24}};
        for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
            if (!strcmp(v, kw[i].k))
                return kw[i].pt;
        return parent;
    }
    if (x <= 0 || x > 500)
        return parent;
    if (!strncmp(end, "pt", 2))
        return x;
    if (!strncmp(end, "px", 2))
        return x * 0.75f;
    if (!strncmp(end, "em", 2) || !strncmp(end, "rem", 3))
        return x * (parent > 0 ? parent : 10);
    if (*end == '%')
        return x / 100 * (parent > 0 ? parent : 10);
    return parent;
}

enum { BRK_BEFORE = 1, BRK_AFTER = 2, DISPLAY_INLINE = 4, HIDDEN = 8 };

/* What an HTML tag means for the text layout. */
enum {
    TF_BLOCK = 1, /* starts and ends a paragraph */
    TF_SKIP = 2,  /* never text: script, style... */
    TF_BOLD = 4,  /* bold by default */
    TF_PRE = 8,   /* keeps its lines */
    TF_FONT = 16, /* <font size=> */
    TF_HEAD = 32, /* <head>: only the title is read */
    TF_TABLE = 64,
    TF_BR = 128,
    TF_LI = 256,
    TF_HEADING = 512, /* h1..h6 */
};

typedef struct tag_def {
    const char *name;
    unsigned flags;
} tag_def;

static int cmp_tag(const void *key, const void *el)
{
    return strcmp(key, ((const tag_def *)el)->name);
}

static unsigned tag_flags(const char *tag)
{
    static const tag_def tags[] = {
        /* sorted by name */
        {"address", TF_BLOCK},
        {"article", TF_BLOCK},
        {"aside", TF_BLOCK},
        {"b", TF_BOLD},
        {"blockquote", TF_BLOCK},
        {"body", TF_BLOCK},
        {"br", TF_BR},
        {"caption", TF_BLOCK},
        {"center", TF_BLOCK},
        {"dd", TF_BLOCK},
        {"div", TF_BLOCK},
        {"dl", TF_BLOCK},
        {"dt", TF_BLOCK},
        {"fieldset", TF_BLOCK},
        {"figcaption", TF_BLOCK},
        {"figure", TF_BLOCK},
        {"font", TF_FONT},
        {"footer", TF_BLOCK},
        {"form", TF_BLOCK},
        {"h1", TF_BLOCK | TF_HEADING | TF_BOLD},
        {"h2", TF_BLOCK | TF_HEADING | TF_BOLD},
        {"h3", TF_BLOCK | TF_HEADING | TF_BOLD},
        {"h4", TF_BLOCK | TF_HEADING | TF_BOLD},
        {"h5", TF_BLOCK | TF_HEADING | TF_BOLD},
        {"h6", TF_BLOCK | TF_HEADING | TF_BOLD},
        {"head", TF_HEAD},
        {"header", TF_BLOCK},
        {"hr", TF_BLOCK},
        {"html", TF_BLOCK},
        {"iframe", TF_SKIP},
        {"li", TF_BLOCK | TF_LI},
        {"main", TF_BLOCK},
        {"nav", TF_BLOCK},
        {"noscript", TF_SKIP},
        {"object", TF_SKIP},
        {"ol", TF_BLOCK},
        {"p", TF_BLOCK},
        {"pre", TF_BLOCK | TF_PRE},
        {"script", TF_SKIP},
        {"section", TF_BLOCK},
        {"select", TF_SKIP},
        {"strong", TF_BOLD},
        {"style", TF_SKIP},
        {"svg", TF_SKIP},
        {"table", TF_BLOCK | TF_TABLE},
        {"tbody", TF_BLOCK},
        {"td", TF_BLOCK},
        {"template", TF_SKIP},
        {"tfoot", TF_BLOCK},
        {"th", TF_BLOCK | TF_BOLD},
        {"thead", TF_BLOCK},
        {"title", TF_SKIP},
        {"tr", TF_BLOCK},
        {"ul", TF_BLOCK},
    };
    char low[16];
    size_t i = 0;
    for (; tag[i] && i + 1 < sizeof low; i++)
        low[i] = (char)tolower((unsigned char)tag[i]);
    if (tag[i])
        return 0;
    low[i] = '\0';
    const tag_def *hit = bsearch(low, tags, sizeof tags / sizeof tags[0], sizeof tags[0], cmp_tag);
    return hit ? hit->flags : 0;
}

typedef struct css_state {
    style *s;
    int breaks;
} css_state;

static void css_apply(void *ctx, const char *prop, const char *v)
{
    css_state *c = ctx;
    if (!strcmp(prop, "display")) {
        if (!strcmp(v, "none"))
            c->breaks |= HIDDEN;
        else if (!strncmp(v, "inline", 6))
            c->breaks |= DISPLAY_INLINE;
    } else if (!strcmp(prop, "font-weight")) {
        c->s->bold = !strcmp(v, "bold") || !strcmp(v, "bolder") || atoi(v) >= 600;
    } else if (!strcmp(prop, "font-size")) {
        c->s->size = css_size(v, c->s->size);
    } else if (!strcmp(prop, "font")) { /* shorthand: "bold 12pt Times" */
        if (strstr(v, "bold"))
            c->s->bold = 1;
        for (const char *p = v; *p; p++)
            if (isdigit((unsigned char)*p) && (p == v || p[-1] == ' ')) {
                c->s->size = css_size(p, c->s->size);
                break;
            }
    } else if ((!strcmp(prop, "page-break-before") && !strcmp(v, "always")) ||
               (!strcmp(prop, "break-before") && !strcmp(v, "page"))) {
        c->breaks |= BRK_BEFORE;
    } else if ((!strcmp(prop, "page-break-after") && !strcmp(v, "always")) ||
               (!strcmp(prop, "break-after") && !strcmp(v, "page"))) {
        c->breaks |= BRK_AFTER;
    }
}

/* Applies an element's presentational attributes; returns 0 when the element is hidden. */
static int apply_style(hw *w, const xmlNode *n, unsigned flags, style *s, int *breaks)
{
    *breaks = 0;
    if (flags & TF_BOLD)
        s->bold = 1;
    if (flags & TF_PRE)
        s->pre = 1;
    if (flags & TF_FONT) {
        const char *sz = ds_mk_attr(w->scratch, n, "size");
        if (sz && *sz) {
            static const float pts[] = {7.5f, 10, 12, 13.5f, 18, 24, 36};
            long v = strtol(sz, NULL, 10);
            if (sz[0] == '+' || sz[0] == '-')
                v += 3;
            if (v >= 1 && v <= 7)
                s->size = pts[v - 1];
        }
    }
    const char *css = NULL;
    for (const xmlAttr *a = n->properties; a; a = a->next) { /* one pass over the attributes */
        const char *nm = (const char *)a->name;
        if (!strcasecmp(nm, "hidden"))
            return 0;
        if (!strcasecmp(nm, "style"))
            css = ds_mk_attr(w->scratch, n, "style");
    }
    if (!css || !*css)
        return 1;
    css_state c = {s, 0};
    css_each(css, css_apply, &c);
    *breaks = c.breaks;
    return !(c.breaks & HIDDEN);
}

/* ---- the walk ----------------------------------------------------------------------------- */

static ds_status walk(hw *w, xmlNode *n, style st, sink *cell, size_t depth);
static ds_status read_table(hw *w, xmlNode *table, style st, size_t depth);

static ds_status walk_children(hw *w, xmlNode *n, style st, sink *cell, size_t depth)
{
    for (xmlNode *c = n->children; c; c = c->next) {
        ds_status s = walk(w, c, st, cell, depth + 1);
        if (s != DS_OK)
            return s;
    }
    return DS_OK;
}

/* Text inside <pre>: lines kept, a blank line ends the paragraph. */
static ds_status pre_text(hw *w, const char *t, const style *st)
{
    const char *p = t;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t l = nl ? (size_t)(nl - p) : strlen(p);
        int blank = 1;
        for (size_t i = 0; i < l && blank; i++)
            blank = p[i] == ' ' || p[i] == '\t' || p[i] == '\r';
        ds_status s;
        if (blank && nl)
            s = w->para.text.len ? flush(w) : DS_OK;
        else
            s = sink_text(&w->para, p, l, st);
        if (s == DS_OK && nl && !blank && w->para.text.len) {
            w->para.space = 0;
            s = ds_buf_putc(&w->para.text, '\n');
        }
        if (s != DS_OK)
            return s;
        if (!nl)
            break;
        p = nl + 1;
    }
    return DS_OK;
}

static ds_status walk(hw *w, xmlNode *n, style st, sink *cell, size_t depth)
{
    if (depth > w->max_depth + 8)
        return DS_ERR_PARSE;
    sink *s = cell ? cell : &w->para;
    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
        if (!n->content)
            return DS_OK;
        if (!cell && s->text.len == 0) { /* a new paragraph takes the current kind */
            w->para_kind = w->cur_kind;
            w->para_level = w->cur_level;
        }
        if (st.pre && !cell)
            return pre_text(w, (const char *)n->content, &st);
        return sink_text(s, (const char *)n->content, strlen((const char *)n->content), &st);
    }
    if (n->type != XML_ELEMENT_NODE)
        return DS_OK; /* comments, PIs, entity references (never expanded) */

    ds_mk_ns ns = ds_mk_elem_ns(w->md, n);
    if (ns != DS_MK_NS_NONE && ns != DS_MK_NS_XHTML) {
        if (ns == DS_MK_NS_IX) {
            const char *l = ds_mk_local(n->name);
            if (!strcasecmp(l, "header"))
                return DS_OK; /* hidden facts, contexts, units */
            if (ds_ixbrl_is_fact(w->md, n)) {
                pend p = {n, PEND_NEXT, 0, 0};
                if (cell && w->table) {
                    p.where = PEND_ROW;
                    p.row = w->table->n_rows;
                } else if (!cell && w->para.text.len > 0) {
                    p.where = PEND_PARA;
                    p.pos = sink_next_pos(&w->para);
                }
                if (DS_VEC_PUSH(w->pend, p))
                    return DS_ERR_NOMEM;
            }
        } else if (ns == DS_MK_NS_XBRLI || ns == DS_MK_NS_LINK) {
            return DS_OK; /* definitions outside ix:header are not text */
        }
        return walk_children(w, n, st, cell, depth);
    }

    const char *tag = (const char *)n->name;
    unsigned flags = tag_flags(tag);
    if (flags & TF_SKIP)
        return DS_OK;
    if (flags & TF_HEAD) {
        for (xmlNode *c = n->children; c; c = c->next)
            if (ds_mk_is_html(w->md, c, "title") && !w->doc->meta.title) {
                ds_buf t = DS_BUF_INIT;
                ds_status s2 = ds_mk_text(w->md, c, 0, NULL, NULL, &t);
                if (s2 == DS_OK) {
                    ds_mk_collapse(&t);
                    if (t.len && !(w->doc->meta.title = ds_doc_strdup(w->doc, t.data)))
                        s2 = DS_ERR_NOMEM;
                }
                ds_buf_deinit(&t);
                if (s2 != DS_OK)
                    return s2;
            }
        return DS_OK;
    }
    int breaks;
    if (!apply_style(w, n, flags, &st, &breaks))
        return DS_OK;
    ds_status r = DS_OK;
    if ((breaks & BRK_BEFORE) && !cell)
        r = page_break(w);
    if (r != DS_OK)
        return r;

    if ((flags & TF_TABLE) && !cell) {
        r = flush(w);
        if (r == DS_OK)
            r = read_table(w, n, st, depth);
    } else if (flags & TF_BR) {
        s->space = 1;
    } else if ((flags & TF_BLOCK) && !(breaks & DISPLAY_INLINE)) {
        if (cell) {
            s->space = 1;
            r = walk_children(w, n, st, cell, depth);
            s->space = 1;
        } else {
            int save_kind = w->cur_kind, save_level = w->cur_level;
            r = flush(w);
            if (flags & TF_HEADING) {
                w->cur_kind = DS_BLOCK_KIND_HEADING;
                w->cur_level = tag[1] - '0';
            } else if (flags & TF_LI) {
                w->cur_kind = DS_BLOCK_KIND_LIST_ITEM;
                w->cur_level = 0;
            }
            if (r == DS_OK)
                r = walk_children(w, n, st, cell, depth);
            if (r == DS_OK)
                r = flush(w);
            w->cur_kind = save_kind;
            w->cur_level = save_level;
        }
    } else {
        r = walk_children(w, n, st, cell, depth);
    }
    if (r == DS_OK && (breaks & BRK_AFTER) && !cell)
        r = page_break(w);
    return r;
}

/* ---- tables ------------------------------------------------------------------------------- */

static ds_status read_cell(hw *w, tbl *t, xmlNode *td, style st, size_t col, size_t span, size_t depth)
{
    sink s = {0};
    int breaks;
    ds_status r = DS_OK;
    if (apply_style(w, td, tag_flags((const char *)td->name), &st, &breaks))
        r = walk_children(w, td, st, &s, depth);
    if (r == DS_OK && ds_buf_reserve(&s.text, 0))
        r = DS_ERR_NOMEM;
    if (r == DS_OK) {
        size_t l = s.text.len;
        while (l > 0 && (s.text.data[l - 1] == ' ' || s.text.data[l - 1] == '\n'))
            l--;
        tcell c = {t->n_rows,
                   col,
                   span,
                   !strcasecmp((const char *)td->name, "th"),
                   ds_arena_strndup(w->scratch, s.text.data, l),
                   s.bold,
                   s.plain,
                   s.sized,
                   s.unsized,
                   s.min_size};
        if (!c.text || DS_VEC_PUSH(t->cells, c))
            r = DS_ERR_NOMEM;
    }
    ds_buf_deinit(&s.text);
    return r;
}

static ds_status read_row(hw *w, tbl *t, xmlNode *tr, style st, int in_head, size_t depth)
{
    int breaks;
    if (!apply_style(w, tr, TF_BLOCK, &st, &breaks))
        return DS_OK;
    unsigned char busy[MAX_TABLE_COLS];
    for (size_t c = 0; c < MAX_TABLE_COLS; c++)
        busy[c] = t->rowspan_left[c] > 0;
    size_t col = 0;
    ds_status r = DS_OK;
    for (xmlNode *td = tr->children; td && r == DS_OK; td = td->next) {
        if (!ds_mk_is_html(w->md, td, "td") && !ds_mk_is_html(w->md, td, "th"))
            continue;
        while (col < MAX_TABLE_COLS && busy[col])
            col++;
        if (col >= MAX_TABLE_COLS)
            break;
        const char *cs = ds_mk_attr(w->scratch, td, "colspan"), *rs = ds_mk_attr(w->scratch, td, "rowspan");
        long span = cs ? strtol(cs, NULL, 10) : 1, rows = rs ? strtol(rs, NULL, 10) : 1;
        if (span < 1)
            span = 1;
        if ((size_t)span > MAX_TABLE_COLS - col)
            span = (long)(MAX_TABLE_COLS - col);
        if (rows < 1)
            rows = 1;
        if (rows > 1000)
            rows = 1000;
        r = read_cell(w, t, td, st, col, (size_t)span, depth + 1);
        for (size_t c = col; c < col + (size_t)span; c++) {
            t->rowspan_left[c] = (size_t)rows; /* decremented below, for this row too */
            busy[c] = 2;
        }
        col += (size_t)span;
        if (col > t->n_cols)
            t->n_cols = col;
    }
    for (size_t c = 0; c < MAX_TABLE_COLS; c++)
        if (t->rowspan_left[c] > 0)
            t->rowspan_left[c]--;
    if (r == DS_OK && DS_VEC_PUSH(t->row_head, (unsigned char)in_head))
        r = DS_ERR_NOMEM;
    t->n_rows++;
    return r;
}

static int is_prefix_token(const char *s)
{
    static const char *const tok[] = {
        "$", "US$", "C$", "A$", "\xE2\x82\xAC", "\xC2\xA3", "\xC2\xA5", "(", "$(", "\xE2\x82\xAC(", "\xC2\xA3("};
    for (size_t i = 0; i < sizeof tok / sizeof tok[0]; i++)
        if (!strcmp(s, tok[i]))
            return 1;
    return 0;
}

static int is_suffix_token(const char *s)
{
    return !strcmp(s, ")") || !strcmp(s, "%") || !strcmp(s, ")%") || !strcmp(s, "%)") || !strcmp(s, "pts") ||
           !strcmp(s, "bps");
}

static int is_bullet(const char *s)
{
    static const char *const b[] = {"\xE2\x80\xA2",
                                    "\xE2\x97\x8F",
                                    "\xC2\xB7",
                                    "\xE2\x97\xA6",
                                    "\xE2\x96\xAA",
                                    "\xE2\x96\xA0",
                                    "-",
                                    "\xE2\x80\x93",
                                    "\xE2\x80\x94",
                                    "*",
                                    "o",
                                    "\xEF\x82\xB7",
                                    "\xC2\xA7"};
    for (size_t i = 0; i < sizeof b / sizeof b[0]; i++)
        if (!strcmp(s, b[i]))
            return 1;
    size_t n = strlen(s); /* "(1)", "1.", "(a)", "a)" */
    if (n < 2 || n > 5)
        return 0;
    size_t i = s[0] == '(';
    size_t k = 0;
    while (i + k < n - 1 && isalnum((unsigned char)s[i + k]))
        k++;
    return k >= 1 && k <= 3 && i + k == n - 1 && (s[n - 1] == ')' || s[n - 1] == '.');
}

/* Merges "$" / "(" cells into the next value and ")" / "%" cells into the previous one. */
static ds_status merge_row(hw *w, tcell *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!c[i].text[0] || !is_suffix_token(c[i].text))
            continue;
        for (size_t j = i; j-- > 0;)
            if (c[j].text[0]) {
                if (!(c[j].text = ds_arena_printf(w->scratch, "%s%s", c[j].text, c[i].text)))
                    return DS_ERR_NOMEM;
                c[i].text = "";
                break;
            }
    }
    for (size_t i = n; i-- > 0;) {
        if (!c[i].text[0] || !is_prefix_token(c[i].text))
            continue;
        for (size_t j = i + 1; j < n; j++)
            if (c[j].text[0]) {
                if (!(c[j].text = ds_arena_printf(w->scratch, "%s%s", c[i].text, c[j].text)))
                    return DS_ERR_NOMEM;
                c[i].text = "";
                break;
            }
    }
    return DS_OK;
}

/* Resolves facts read inside the table: by their displayed text within their row's text. */
static ds_status resolve_rows(hw *w, const size_t *rowmap, size_t n_raw, const size_t *row_start, const size_t *row_end)
{
    ds_buf disp = DS_BUF_INIT;
    ds_status st = DS_OK;
    size_t keep = 0;
    size_t cursor_row = SIZE_MAX, cursor = 0;
    for (size_t i = 0; i < w->pend.n && st == DS_OK; i++) {
        pend *p = &w->pend.v[i];
        if (p->where != PEND_ROW) {
            w->pend.v[keep++] = *p;
            continue;
        }
        size_t r = p->row < n_raw ? rowmap[p->row] : SIZE_MAX;
        if (r == SIZE_MAX)
            continue; /* row dropped: offset stays unknown */
        if (r != cursor_row) {
            cursor_row = r;
            cursor = row_start[r];
        }
        st = display_text(w->md, p->node, &disp);
        size_t off = row_start[r];
        if (st == DS_OK && disp.len > 0 && cursor < row_end[r]) {
            const char *hit = memmem(w->doc->text.data + cursor, row_end[r] - cursor, disp.data, disp.len);
            if (hit) {
                off = (size_t)(hit - w->doc->text.data);
                cursor = off + disp.len;
            }
        }
        set_offset(p->node, off);
    }
    w->pend.n = keep;
    ds_buf_deinit(&disp);
    return st;
}

/* Which of t's ncol columns to keep: those where a single-column cell has text; a spanning cell
 * with no such column in its span keeps its first column. keep: ncol + 1 zeroed bytes. */
static void keep_columns(const tbl *t, unsigned char *keep)
{
    for (size_t i = 0; i < t->cells.n; i++)
        if (t->cells.v[i].span == 1 && t->cells.v[i].text[0])
            keep[t->cells.v[i].col] = 1;
    for (size_t i = 0; i < t->cells.n; i++) {
        const tcell *c = &t->cells.v[i];
        if (c->span > 1 && c->text[0]) {
            int any = 0;
            for (size_t k = c->col; k < c->col + c->span && !any; k++)
                any = keep[k];
            if (!any)
                keep[c->col] = 1;
        }
    }
}

/* The text of t's cells into grid (nr x nc, by rowmap and colmap; cells landing in one slot are
 * joined with a space) and their type sizes and weights into stats. */
static ds_status fill_grid(hw *w, const tbl *t, const size_t *rowmap, const size_t *colmap, size_t nc,
                           const char **grid, sink *stats)
{
    ds_status st = DS_OK;
    for (size_t i = 0; i < t->cells.n && st == DS_OK; i++) {
        const tcell *c = &t->cells.v[i];
        if (!c->text[0])
            continue;
        size_t target = SIZE_MAX;
        for (size_t k = c->col; k < c->col + c->span && target == SIZE_MAX; k++)
            if (colmap[k] != SIZE_MAX)
                target = colmap[k];
        if (target == SIZE_MAX)
            continue;
        const char **slot = &grid[rowmap[c->row] * nc + target];
        *slot = *slot ? ds_arena_printf(w->scratch, "%s %s", *slot, c->text) : c->text;
        if (!*slot)
            st = DS_ERR_NOMEM;
        stats->bold += c->bold;
        stats->plain += c->plain;
        stats->unsized += c->unsized;
        if (c->sized && (stats->min_size == 0 || c->min_size < stats->min_size))
            stats->min_size = c->min_size;
    }
    return st;
}

/* A layout table (one column, a single short row, or bullets in the first column): one block per
 * row, a list item with bullets, a heading when a single row reads as one. */
static ds_status emit_layout_rows(hw *w, const char **grid, size_t nr, size_t nc, int bullets, const sink *stats,
                                  size_t *row_start, size_t *row_end)
{
    ds_status st = DS_OK;
    ds_buf line = DS_BUF_INIT;
    for (size_t r = 0; r < nr && st == DS_OK; r++) {
        ds_buf_clear(&line);
        st = ds_buf_reserve(&line, 0);
        for (size_t k = bullets ? 1 : 0; k < nc && st == DS_OK; k++)
            if (grid[r * nc + k])
                st = ds_buf_printf(&line, "%s%s", line.len ? " " : "", grid[r * nc + k]);
        if (st != DS_OK || line.len == 0)
            continue;
        int kind = bullets ? DS_BLOCK_KIND_LIST_ITEM : DS_BLOCK_KIND_PARAGRAPH, level = 0;
        if (!bullets && nr == 1 &&
            (level = heading_level(line.data, line.len, stats->bold, stats->plain, stats->unsized, stats->min_size)))
            kind = DS_BLOCK_KIND_HEADING;
        st = add_text_block(w, kind, level, line.data, line.len, 0);
        if (st == DS_OK) {
            const ds_block *b = &w->doc->blocks[w->doc->n_blocks - 1];
            row_start[r] = b->text_off;
            row_end[r] = b->text_off + b->text_len;
        }
    }
    ds_buf_deinit(&line);
    return st;
}

/* How many leading rows of the grid are column headings: rows marked as heads, else leading
 * all-<th> rows, else (EDGAR) leading rows with an empty first column; at most nr - 1. */
static size_t table_head_rows(const tbl *t, const size_t *rowmap, size_t nraw, const char **grid, size_t nr, size_t nc)
{
    size_t head = 0;
    for (size_t r = 0; r < nraw && rowmap[r] == head && t->row_head.v[r]; r++)
        head++;
    if (head == 0) { /* leading all-<th> rows */
        size_t ri = 0;
        for (size_t i = 0; i < t->cells.n;) {
            size_t j = i, th = 1, any = 0;
            while (j < t->cells.n && t->cells.v[j].row == t->cells.v[i].row) {
                if (t->cells.v[j].text[0]) {
                    any = 1;
                    th &= (size_t)t->cells.v[j].th;
                }
                j++;
            }
            if (any) {
                if (!th || rowmap[t->cells.v[i].row] != ri)
                    break;
                ri++;
            }
            i = j;
        }
        head = ri;
    }
    if (head == 0) { /* EDGAR: leading rows with an empty first column are column headings */
        size_t r = 0;
        while (r < nr && !grid[r * nc])
            r++;
        if (r < nr)
            head = r;
    }
    if (head >= nr)
        head = nr - 1;
    return head;
}

/* A data table: one table block of the grid with its heading rows. */
static ds_status emit_data_table(hw *w, const tbl *t, const size_t *rowmap, size_t nraw, const char **grid, size_t nr,
                                 size_t nc, size_t *row_start, size_t *row_end)
{
    size_t head = table_head_rows(t, rowmap, nraw, grid, nr, nc);
    ds_block *b = NULL;
    ds_status st = ds_doc_add_table(w->doc, w->section.data ? w->section.data : "", nr, nc, head, grid, &b);
    if (st == DS_OK) {
        resolve_pending(w, b, 0);
        w->blocks_on_page++;
        w->last_is_pagenum = 0;
        for (size_t r = 0; r < nr; r++) {
            row_start[r] = b->table->row_offsets[r];
            row_end[r] = r + 1 < nr ? b->table->row_offsets[r + 1] : b->text_off + b->text_len;
        }
    }
    return st;
}

/* Writes table t: its currency and parenthesis cells merged, empty rows and columns dropped,
 * then as text blocks (a layout table) or as one table block, each row's text range recorded. */
static ds_status emit_table(hw *w, tbl *t)
{
    ds_status st = DS_OK;
    size_t nraw = t->n_rows, ncol = t->n_cols;
    size_t *rowmap = NULL, *row_start = NULL, *row_end = NULL, *colmap = NULL;
    const char **grid = NULL;
    unsigned char *keep = NULL;
    sink stats = {0};
    /* merge currency and parenthesis cells, row by row (cells are in row order) */
    for (size_t i = 0; i < t->cells.n && st == DS_OK;) {
        size_t j = i;
        while (j < t->cells.n && t->cells.v[j].row == t->cells.v[i].row)
            j++;
        st = merge_row(w, t->cells.v + i, j - i);
        i = j;
    }
    rowmap = ds_malloc((nraw + 1) * sizeof *rowmap);
    colmap = ds_malloc((ncol + 1) * sizeof *colmap);
    keep = ds_calloc(ncol + 1, 1);
    if (st != DS_OK || !rowmap || !colmap || !keep) {
        st = st != DS_OK ? st : DS_ERR_NOMEM;
        goto done;
    }
    keep_columns(t, keep);
    size_t nc = 0, nr = 0;
    for (size_t k = 0; k < ncol; k++)
        colmap[k] = keep[k] ? nc++ : SIZE_MAX;
    for (size_t r = 0; r < nraw; r++)
        rowmap[r] = SIZE_MAX;
    for (size_t i = 0; i < t->cells.n; i++) /* rows with some text are kept */
        if (t->cells.v[i].text[0])
            rowmap[t->cells.v[i].row] = 0;
    for (size_t r = 0; r < nraw; r++)
        if (rowmap[r] != SIZE_MAX)
            rowmap[r] = nr++;
    if (nr == 0 || nc == 0)
        goto done;
    if (nr > MAX_TABLE_CELLS / nc) {
        st = ds_doc_add_note(w->doc, "table of %zu x %zu cells written as text", nr, nc);
        nc = 1; /* fall through to one paragraph per row below */
        for (size_t k = 0; k < ncol; k++)
            colmap[k] = 0;
    }
    grid = ds_calloc(nr * nc, sizeof *grid);
    row_start = ds_calloc(nr, sizeof *row_start);
    row_end = ds_calloc(nr, sizeof *row_end);
    if (st != DS_OK || !grid || !row_start || !row_end) {
        st = st != DS_OK ? st : DS_ERR_NOMEM;
        goto done;
    }
    st = fill_grid(w, t, rowmap, colmap, nc, grid, &stats);
    if (st != DS_OK)
        goto done;

    /* layout tables: one column, a single short row, or bullets in the first column */
    int bullets = nc == 2;
    for (size_t r = 0; r < nr && bullets; r++)
        bullets = grid[r * nc] && is_bullet(grid[r * nc]) && grid[r * nc + 1];
    if (nc == 1 || bullets || (nr == 1 && nc <= 3))
        st = emit_layout_rows(w, grid, nr, nc, bullets, &stats, row_start, row_end);
    else
        st = emit_data_table(w, t, rowmap, nraw, grid, nr, nc, row_start, row_end);
    if (st == DS_OK)
        st = resolve_rows(w, rowmap, nraw, row_start, row_end);
done:
    ds_free(rowmap);
    ds_free(colmap);
    ds_free(keep);
    ds_free(grid);
    ds_free(row_start);
    ds_free(row_end);
    return st;
}

static ds_status read_rows(hw *w, tbl *t, xmlNode *parent, style st, int in_head, size_t depth)
{
    if (depth > w->max_depth + 8)
        return DS_ERR_PARSE;
    ds_status r = DS_OK;
    for (xmlNode *c = parent->children; c && r == DS_OK; c = c->next) {
        if (ds_mk_is_html(w->md, c, "tr"))
            r = read_row(w, t, c, st, in_head, depth + 1);
        else if (ds_mk_is_html(w->md, c, "thead"))
            r = read_rows(w, t, c, st, 1, depth + 1);
        else if (ds_mk_is_html(w->md, c, "tbody") || ds_mk_is_html(w->md, c, "tfoot"))
            r = read_rows(w, t, c, st, in_head, depth + 1);
        else if (ds_mk_is_html(w->md, c, "caption"))
            r = walk(w, c, st, NULL, depth + 1);
        else if (c->type == XML_ELEMENT_NODE && ds_mk_elem_ns(w->md, c) == DS_MK_NS_IX)
            r = read_rows(w, t, c, st, in_head, depth + 1); /* ix:* wrapping rows */
    }
    return r;
}

static ds_status read_table(hw *w, xmlNode *table, style st, size_t depth)
{
    tbl *t = ds_calloc(1, sizeof *t);
    if (!t)
        return DS_ERR_NOMEM;
    tbl *outer = w->table;
    w->table = t;
    ds_status r = read_rows(w, t, table, st, 0, depth);
    if (r == DS_OK)
        r = flush(w); /* a caption */
    if (r == DS_OK)
        r = emit_table(w, t);
    /* facts still waiting on a row of this table stay unlocated */
    size_t keep = 0;
    for (size_t i = 0; i < w->pend.n; i++)
        if (w->pend.v[i].where != PEND_ROW)
            w->pend.v[keep++] = w->pend.v[i];
    w->pend.n = keep;
    w->table = outer;
    DS_VEC_FREE(t->cells);
    DS_VEC_FREE(t->row_head);
    ds_free(t);
    return r;
}

/* ---- entry point -------------------------------------------------------------------------- */

static ds_status html_text(ds_document *doc, const ds_mk_doc *md, ds_arena *scratch, const ds_ingest_limits *lim)
{
    hw w;
    memset(&w, 0, sizeof w);
    w.doc = doc;
    w.md = md;
    w.scratch = scratch;
    w.max_depth = ds_mk_depth_limit(lim);
    w.para_kind = w.cur_kind = DS_BLOCK_KIND_PARAGRAPH;
    ds_status st = ds_buf_reserve(&w.section, 0);
    if (st == DS_OK && doc->n_pages == 0)
        st = ds_doc_begin_page(doc);
    style s0 = {0};
    xmlNode *root = xmlDocGetRootElement(md->xml);
    if (st == DS_OK && root)
        st = walk(&w, root, s0, NULL, 0);
    if (st == DS_OK)
        st = flush(&w);
    if (st == DS_OK)
        st = drop_footer(&w); /* the footer of the last page */
    ds_buf_deinit(&w.para.text);
    ds_buf_deinit(&w.section);
    DS_VEC_FREE(w.sec);
    DS_VEC_FREE(w.pend);
    return st;
}

/* Start of "<?xml" after a BOM and whitespace, or SIZE_MAX. */
static size_t xml_decl_at(const unsigned char *d, size_t n)
{
    size_t i = 0;
    if (n >= 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF)
        i = 3;
    while (i < n && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n'))
        i++;
    return n - i >= 5 && memcmp(d + i, "<?xml", 5) == 0 ? i : SIZE_MAX;
}

ds_status ds_html_parse(ds_document *doc, const unsigned char *data, size_t n, const ds_ingest_limits *lim, ds_err *err)
{
    const char *what = doc->name ? doc->name : doc->source ? doc->source : "html document";
    if (n == 0)
        return ds_err_set(err, DS_ERR_EMPTY, "%s: empty input", what);
    if (lim && lim->max_bytes && n > lim->max_bytes)
        return ds_err_set(err, DS_ERR_TOO_LARGE, "%s: %zu bytes exceed the limit of %zu", what, n, lim->max_bytes);
    ds_arena scratch;
    ds_arena_init(&scratch, 64 * 1024);
    ds_mk_doc md;
    memset(&md, 0, sizeof md);
    ds_status st = DS_ERR_PARSE;
    size_t decl = xml_decl_at(data, n);
    if (doc->kind == DS_DOC_KIND_IXBRL || decl != SIZE_MAX) {
        /* XHTML: the XML parser keeps namespaces and case; a leading blank line before the XML
         * declaration (common in EDGAR files) is skipped. */
        size_t off = decl != SIZE_MAX ? decl : 0;
        ds_err xerr = {0};
        st = ds_mk_parse(&md, DS_MK_XML, data + off, n - off, lim, what, &xerr);
        if (st == DS_ERR_NOMEM || st == DS_ERR_TOO_LARGE) {
            if (err)
                *err = xerr;
            goto done;
        }
        if (st != DS_OK && ds_doc_add_note(doc, "%s; read with the html parser", xerr.msg) != DS_OK) {
            st = ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", what);
            goto done;
        }
    }
    if (st != DS_OK)
        st = ds_mk_parse(&md, DS_MK_HTML, data, n, lim, what, err);
    if (st != DS_OK)
        goto done;
    st = html_text(doc, &md, &scratch, lim);
    if (st != DS_OK) {
        ds_err_set(err, st, "%s: %s while reading the html text", what, ds_status_str(st));
        goto done;
    }
    st = ds_ixbrl_extract(doc, &md, &scratch, err);
    if (st == DS_OK && doc->n_facts > 0 && doc->kind == DS_DOC_KIND_HTML)
        doc->kind = DS_DOC_KIND_IXBRL;
    if (st == DS_OK && doc->text.len == 0 && doc->n_facts == 0)
        st = ds_err_set(err, DS_ERR_NO_TEXT, "%s: no text in the html", what);
done:
    ds_mk_doc_free(&md);
    ds_arena_deinit(&scratch);
    return st;
}
