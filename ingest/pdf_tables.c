/* pdf_tables.c - tables in a PDF page's ordered lines: runs of consecutive lines cut into
 * several segments whose x-positions line up (financial statements above all: a label column,
 * then numeric columns such as "$ 1,234", "(567)", "—"), with the period header rows above them
 * and the label-only rows ("Current assets:") between them.
 *
 * Columns come from the union of the segments' extents over the rows that have the usual number
 * of cells (numbers by their digits, so a "$" in the gap between two columns does not join
 * them); every segment then goes to the column it overlaps most, a text segment that spans two
 * columns being cut at its widest inner gap. Labels wrapped over two rows are joined back.
 *
 * Owns: the tables it adds to page->tables and their cells, in the parse's scratch arena.
 * Threading: reentrant; one page at a time.
 */
#include "ingest/pdf_internal.h"

#include "pipeline/core/alloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TBL_GAP_IN 3.0f    /* most blank space between rows inside a table, in ems */
#define TBL_GAP_FAR 6.0f   /* ... when a row with the same columns follows the gap */
#define TBL_GAP_HEAD 2.0f  /* ... between a header row and the row below it */
#define TBL_MAX_BRIDGE 4   /* rows without values in a row between two table rows */
#define TBL_MAX_HEAD 6     /* lines looked at above the first table row */
#define TBL_SPLIT_GAP 0.4f /* inner gap, in ems, at which a text segment may be cut */

static float em_of(const ds_pdf_line *l)
{
    return l->size > 1 ? l->size : 1;
}

static int same_flow(const ds_pdf_line *a, const ds_pdf_line *b)
{
    return a->region == b->region && a->col == b->col;
}

static int gap_ok(const ds_pdf_line *a, const ds_pdf_line *b, float ems)
{
    float em = fmaxf(em_of(a), em_of(b));
    return b->y0 >= a->y0 && b->y0 - a->y1 <= ems * em;
}

static int table_like(const ds_pdf_page *pg, const ds_pdf_line *l)
{
    if (l->ns < 2)
        return 0;
    if (l->ns >= 3)
        return 1;
    return pg->segs[l->s0 + 1].numeric;
}

/* Where the cells right of the label column start on a table-like line. */
static float right_start(const ds_pdf_page *pg, const ds_pdf_line *l)
{
    return pg->segs[l->s0 + 1].x0;
}

/* Where the last cell of a table-like line starts. */
static float last_start(const ds_pdf_page *pg, const ds_pdf_line *l)
{
    return pg->segs[l->s0 + l->ns - 1].x0;
}

static int label_only(const ds_pdf_page *pg, const ds_pdf_line *l, float rs)
{
    return l->ns == 1 && !pg->segs[l->s0].numeric && l->x1 < rs - 0.3f * em_of(l) && l->n_chars < 150;
}

/* A row without values inside a table: a section label or a wrapped label, short of the last
 * column. */
static int bridgeable(const ds_pdf_page *pg, const ds_pdf_line *l, float ls)
{
    if (table_like(pg, l) || l->x1 >= ls - 0.3f * em_of(l) || l->n_chars >= 200)
        return 0;
    for (uint32_t s = 0; s < l->ns; s++)
        if (pg->segs[l->s0 + s].numeric)
            return 0;
    return 1;
}

/* A line above a table whose cells all sit over the value columns: "Year ended December 31,". */
static int header_like(const ds_pdf_page *pg, const ds_pdf_line *l, float rs)
{
    if (l->ns == 0)
        return 0;
    for (uint32_t s = 0; s < l->ns; s++) {
        const ds_pdf_seg *g = &pg->segs[l->s0 + s];
        if (g->x0 < rs - 1.5f * em_of(l) || (g->numeric && !g->years))
            return 0;
    }
    return 1;
}

/* After a wide gap at line j: whether a table row with the same columns follows (past at most
 * TBL_MAX_BRIDGE rows without values). */
static int resumes(const ds_pdf_page *pg, uint32_t j, float rs, float ls)
{
    for (uint32_t k = j, b = 0; k < pg->n_lines && b <= TBL_MAX_BRIDGE; k++, b++) {
        const ds_pdf_line *l = &pg->lines[k];
        if (k > j && (!same_flow(&pg->lines[k - 1], l) || !gap_ok(&pg->lines[k - 1], l, TBL_GAP_IN)))
            return 0;
        if (table_like(pg, l))
            return fabsf(right_start(pg, l) - rs) <= 2 * em_of(l);
        if (!bridgeable(pg, l, ls))
            return 0;
    }
    return 0;
}

typedef struct band {
    float x0, x1;
} band;

static int band_cmp(const void *a, const void *b)
{
    float x = ((const band *)a)->x0, y = ((const band *)b)->x0;
    return x < y ? -1 : x > y;
}

/* The band an extent overlaps most (or lies nearest to). */
static uint32_t band_at(const band *bands, uint32_t nb, float a, float b)
{
    uint32_t best = 0;
    float best_ov = -INFINITY;
    for (uint32_t k = 0; k < nb; k++) {
        float ov = fminf(b, bands[k].x1) - fmaxf(a, bands[k].x0); /* negative: distance */
        if (ov > best_ov) {
            best_ov = ov;
            best = k;
        }
    }
    return best;
}

static int starts_lower(const ds_buf *b)
{
    return b->len > 0 && b->data[0] >= 'a' && b->data[0] <= 'z';
}

/* Whether a label reads as unfinished: ends with a comma or a joining word. */
static int label_open(const ds_buf *b)
{
    static const char *const joins[] = {" and", " or",   " of",   " in",  " to", " for", " by",
                                        " the", " from", " with", " net", " on", " at"};
    if (b->len == 0)
        return 0;
    if (b->data[b->len - 1] == ',' || b->data[b->len - 1] == ';')
        return 1;
    for (size_t i = 0; i < sizeof joins / sizeof joins[0]; i++) {
        size_t l = strlen(joins[i]);
        if (b->len >= l && memcmp(b->data + b->len - l, joins[i], l) == 0)
            return 1;
    }
    return 0;
}

typedef struct grid {
    uint32_t rows, cols;
    ds_buf *txt;   /* rows * cols */
    uint8_t *num;  /* holds an amount (a number other than a year) */
    uint8_t *dead; /* row folded into another */
} grid;

#define CELL(g, r, c) ((size_t)(r) * (g)->cols + (c))

static ds_status cell_add(grid *g, size_t c, const ds_pdf_page *pg, uint32_t w0, uint32_t nw)
{
    if (g->txt[c].len && ds_buf_putc(&g->txt[c], ' '))
        return DS_ERR_NOMEM;
    return ds_pdf_words_text(pg, w0, nw, &g->txt[c]);
}

/* Appends cell src to cell dst (space between), leaving src empty. */
static ds_status cell_join(grid *g, size_t dst, size_t src)
{
    if (g->txt[src].len == 0)
        return DS_OK;
    if ((g->txt[dst].len && ds_buf_putc(&g->txt[dst], ' ')) ||
        ds_buf_append(&g->txt[dst], g->txt[src].data, g->txt[src].len))
        return DS_ERR_NOMEM;
    ds_buf_clear(&g->txt[src]);
    g->num[dst] |= g->num[src];
    g->num[src] = 0;
    return DS_OK;
}

/* Puts the row's segments into cells. A text segment whose words fall into different columns
 * is cut where a gap of TBL_SPLIT_GAP ems separates them. */
static ds_status fill_row(grid *g, uint32_t r, const ds_pdf_page *pg, const ds_pdf_line *ln, const band *bands)
{
    for (uint32_t s = 0; s < ln->ns; s++) {
        const ds_pdf_seg *sg = &pg->segs[ln->s0 + s];
        if (sg->numeric) {
            size_t c = CELL(g, r, band_at(bands, g->cols, sg->nx0, sg->x1));
            if (cell_add(g, c, pg, sg->w0, sg->nw))
                return DS_ERR_NOMEM;
            g->num[c] |= !sg->years;
            continue;
        }
        uint32_t run = sg->w0, end = sg->w0 + sg->nw;
        const ds_pdf_word *w = pg->words;
        uint32_t cur = band_at(bands, g->cols, w[run].x0, w[run].x1);
        for (uint32_t q = run + 1; q <= end; q++) {
            uint32_t bq = q < end ? band_at(bands, g->cols, w[q].x0, w[q].x1) : cur;
            if (q < end && (bq == cur || w[q].x0 - w[q - 1].x1 < TBL_SPLIT_GAP * em_of(ln)))
                continue;
            /* The run [run, q) goes to the band its extent overlaps most. */
            size_t c = CELL(g, r, band_at(bands, g->cols, w[run].x0, w[q - 1].x1));
            if (cell_add(g, c, pg, run, q - run))
                return DS_ERR_NOMEM;
            run = q;
            cur = bq;
        }
    }
    return DS_OK;
}

static int row_has(const grid *g, uint32_t r, uint32_t from)
{
    for (uint32_t c = from; c < g->cols; c++)
        if (g->txt[CELL(g, r, c)].len)
            return 1;
    return 0;
}

static int row_amounts(const grid *g, uint32_t r)
{
    for (uint32_t c = 0; c < g->cols; c++)
        if (g->num[CELL(g, r, c)])
            return 1;
    return 0;
}

/* Joins labels wrapped over several rows (rows from `from` on; the header is left alone),
 * bottom up so that a label wrapped over three lines folds into its value row:
 * a label-only row before a row whose label goes on (lower case, or the first part ends open);
 * a row without values before a row that only continues its cells (empty label); a row with
 * values whose label is unfinished before a row holding only the rest of the label. */
static ds_status join_wrapped(grid *g, uint32_t from)
{
    for (uint32_t r = g->rows; r-- > from;) {
        if (g->dead[r])
            continue;
        uint32_t n = r + 1;
        while (n < g->rows && g->dead[n])
            n++;
        if (n >= g->rows)
            continue;
        int only_label = g->txt[CELL(g, r, 0)].len > 0 && !row_has(g, r, 1);
        if (only_label && (starts_lower(&g->txt[CELL(g, n, 0)]) || label_open(&g->txt[CELL(g, r, 0)])) &&
            g->txt[CELL(g, n, 0)].len > 0 && row_has(g, n, 1)) {
            if (cell_join(g, CELL(g, r, 0), CELL(g, n, 0)))
                return DS_ERR_NOMEM;
            ds_buf t = g->txt[CELL(g, r, 0)]; /* the joined label moves down to the value row */
            g->txt[CELL(g, r, 0)] = g->txt[CELL(g, n, 0)];
            g->txt[CELL(g, n, 0)] = t;
            g->dead[r] = 1;
            continue;
        }
        if (!row_amounts(g, r) && g->txt[CELL(g, r, g->cols - 1)].len == 0 && row_has(g, r, 0) &&
            g->txt[CELL(g, n, 0)].len == 0 && row_has(g, n, 1)) {
            /* Everything of row r moves into row n, in front of n's own text. */
            for (uint32_t c = 0; c < g->cols; c++) {
                size_t a = CELL(g, r, c), b = CELL(g, n, c);
                if (cell_join(g, a, b))
                    return DS_ERR_NOMEM;
                ds_buf t = g->txt[a];
                g->txt[a] = g->txt[b];
                g->txt[b] = t;
                uint8_t u = g->num[a];
                g->num[a] = g->num[b];
                g->num[b] = u;
            }
            g->dead[r] = 1;
            continue;
        }
        if (row_has(g, r, 1) && label_open(&g->txt[CELL(g, r, 0)]) && g->txt[CELL(g, n, 0)].len > 0 &&
            !row_has(g, n, 1)) {
            if (cell_join(g, CELL(g, r, 0), CELL(g, n, 0)))
                return DS_ERR_NOMEM;
            g->dead[n] = 1;
        }
    }
    return DS_OK;
}

/* Builds the table over lines [top, last]. */
static ds_status build_table(ds_arena *a, ds_pdf_page *pg, uint32_t top, uint32_t last, ds_pdf_table *t)
{
    ds_status st = DS_OK;
    uint32_t n_lines = last - top + 1;

    /* The usual cell count of the table's rows. */
    uint32_t hist[8] = {0};
    for (uint32_t l = top; l <= last; l++)
        if (table_like(pg, &pg->lines[l]))
            hist[pg->lines[l].ns < 7 ? pg->lines[l].ns : 7]++;
    uint32_t mode = 2;
    for (uint32_t k = 2; k < 8; k++)
        if (hist[k] >= hist[mode])
            mode = k;

    size_t nseg = 0;
    for (uint32_t l = top; l <= last; l++)
        nseg += pg->lines[l].ns;
    band *bands = ds_arena_alloc(a, (nseg + 1) * sizeof *bands);
    if (!bands)
        return DS_ERR_NOMEM;
    uint32_t nb = 0;
    for (uint32_t l = top; l <= last; l++) {
        const ds_pdf_line *ln = &pg->lines[l];
        if (!table_like(pg, ln) || ln->ns < (mode < 7 ? mode : 7))
            continue;
        for (uint32_t s = 0; s < ln->ns; s++) {
            const ds_pdf_seg *g = &pg->segs[ln->s0 + s];
            bands[nb].x0 = g->numeric ? g->nx0 : g->x0;
            bands[nb].x1 = g->x1;
            nb++;
        }
    }
    qsort(bands, nb, sizeof *bands, band_cmp);
    uint32_t merged = 0;
    float tol = 0.25f * em_of(&pg->lines[top]);
    for (uint32_t k = 0; k < nb; k++) {
        if (merged > 0 && bands[k].x0 <= bands[merged - 1].x1 + tol)
            bands[merged - 1].x1 = fmaxf(bands[merged - 1].x1, bands[k].x1);
        else
            bands[merged++] = bands[k];
    }
    nb = merged ? merged : 1;
    if (!merged) {
        bands[0].x0 = pg->lines[top].x0;
        bands[0].x1 = pg->lines[top].x1;
    }

    grid g = {n_lines, nb, NULL, NULL, NULL};
    size_t ncell = (size_t)n_lines * nb;
    g.txt = ds_calloc(ncell, sizeof *g.txt);
    g.num = ds_calloc(ncell, 1);
    g.dead = ds_calloc(n_lines, 1);
    const char **cells = ds_arena_alloc(a, (ncell + 1) * sizeof *cells);
    if (!g.txt || !g.num || !g.dead || !cells) {
        st = DS_ERR_NOMEM;
        goto out;
    }
    for (uint32_t r = 0; r < n_lines && st == DS_OK; r++)
        st = fill_row(&g, r, pg, &pg->lines[top + r], bands);
    if (st != DS_OK)
        goto out;

    /* Header rows: leading rows without amounts, with something right of the label column,
     * and no label (the first row may have one: "Title of each class"). */
    uint32_t header = 0;
    for (uint32_t r = 0; r < n_lines && header + 1 < n_lines; r++) {
        if (row_amounts(&g, r) || !row_has(&g, r, 1) || (r > 0 && g.txt[CELL(&g, r, 0)].len > 0))
            break;
        header++;
    }
    if ((st = join_wrapped(&g, header)) != DS_OK)
        goto out;

    size_t rows = 0, hdr = 0;
    for (uint32_t r = 0; r < n_lines; r++) {
        if (g.dead[r])
            continue;
        hdr += r < header;
        for (uint32_t c = 0; c < nb; c++) {
            const ds_buf *b = &g.txt[CELL(&g, r, c)];
            const char *v = b->len ? ds_arena_strndup(a, b->data, b->len) : "";
            if (!v) {
                st = DS_ERR_NOMEM;
                goto out;
            }
            cells[rows * nb + c] = v;
        }
        rows++;
    }
    t->first = top;
    t->n_lines = n_lines;
    t->n_rows = rows;
    t->n_cols = nb;
    t->header_rows = hdr;
    t->cells = cells;
    t->size = pg->lines[last].size;
out:
    if (g.txt)
        for (size_t c = 0; c < ncell; c++)
            ds_buf_deinit(&g.txt[c]);
    ds_free(g.txt);
    ds_free(g.num);
    ds_free(g.dead);
    return st;
}

ds_status ds_pdf_tables_find(ds_arena *a, ds_pdf_page *pg)
{
    uint32_t n = pg->n_lines;
    pg->n_tables = 0;
    pg->tables = NULL;
    uint32_t cap = 0, floor_line = 0; /* lines before floor_line belong to earlier tables */
    for (uint32_t i = 0; i < n;) {
        const ds_pdf_line *li = &pg->lines[i];
        if (!table_like(pg, li)) {
            i++;
            continue;
        }
        float rs = right_start(pg, li), ls = last_start(pg, li);
        uint32_t last = i, count = 1, bridged = 0;
        for (uint32_t j = i + 1; j < n && same_flow(&pg->lines[j - 1], &pg->lines[j]); j++) {
            const ds_pdf_line *prev = &pg->lines[j - 1], *lj = &pg->lines[j];
            if (!gap_ok(prev, lj, TBL_GAP_IN) && !(gap_ok(prev, lj, TBL_GAP_FAR) && resumes(pg, j, rs, ls)))
                break;
            if (table_like(pg, lj)) {
                last = j;
                count++;
                bridged = 0;
                rs = fminf(rs, right_start(pg, lj));
                ls = fminf(ls, last_start(pg, lj));
            } else if (bridged < TBL_MAX_BRIDGE && bridgeable(pg, lj, ls))
                bridged++;
            else
                break;
        }
        if (count < 2) {
            i++;
            continue;
        }
        /* Header rows above: lines over the value columns, with label-only lines between. */
        uint32_t top = i;
        for (uint32_t k = i; k > floor_line && i - k < TBL_MAX_HEAD; k--) {
            const ds_pdf_line *up = &pg->lines[k - 1], *below = &pg->lines[k];
            if (!same_flow(up, below) || !gap_ok(up, below, TBL_GAP_HEAD))
                break;
            if (header_like(pg, up, rs))
                top = k - 1;
            else if (!label_only(pg, up, rs))
                break;
        }
        if (pg->n_tables == cap) {
            uint32_t nc = cap ? cap * 2 : 4;
            ds_pdf_table *nt = ds_arena_alloc(a, nc * sizeof *nt);
            if (!nt)
                return DS_ERR_NOMEM;
            if (cap)
                memcpy(nt, pg->tables, cap * sizeof *nt);
            pg->tables = nt;
            cap = nc;
        }
        ds_pdf_table *t = &pg->tables[pg->n_tables];
        ds_status st = build_table(a, pg, top, last, t);
        if (st != DS_OK)
            return st;
        for (uint32_t l = top; l <= last; l++)
            pg->lines[l].table = (int32_t)pg->n_tables;
        pg->n_tables++;
        floor_line = last + 1;
        i = last + 1;
    }
    return DS_OK;
}
