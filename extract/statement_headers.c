/* statement_headers.c - the frame of a statement table: its header rows (the parser's, or the
 * leading rows of years), the label column and the value columns, the text of the header
 * cells over each value column, and the text before the table (see statement_internal.h).
 * Owns: nothing beyond the stmt_table's buffers it fills. Threading: reentrant.
 */
#include "extract/statement_internal.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

const char *ds_stmt_cell(const ds_table *t, size_t r, size_t c)
{
    const char *s = t->cells[r * t->n_cols + c];
    return s ? s : "";
}

int ds_stmt_blank(const char *s)
{
    for (; *s; s++)
        if (!isspace((unsigned char)*s) && (unsigned char)*s != 0xC2 && (unsigned char)*s != 0xA0)
            return 0;
    return 1;
}

static int year_like(const char *s)
{
    period_info pi = {0};
    ds_stmt_parse_period(s, 0, &pi);
    ds_dec_printed cn;
    (void)ds_dec_parse_printed(s, &cn, NULL);
    return pi.year != 0 && (cn.kind != DS_DEC_PRINTED_VALUE || strlen(cn.value) == 4);
}

/* Whether any cell of the first hr rows, past the first column, names a year. */
static int header_has_year(const ds_table *t, size_t hr)
{
    for (size_t r = 0; r < hr; r++)
        for (size_t c = 1; c < t->n_cols; c++)
            if (year_like(ds_stmt_cell(t, r, c)))
                return 1;
    return 0;
}

/* Text around the table: up to CONTEXT_BLOCKS headings/paragraphs before it (nearest first),
 * stopping at another table. */
static ds_status around_text(const table_ctx *tc, ds_buf *out)
{
    const ds_document *doc = tc->doc;
    for (size_t k = 1; k <= CONTEXT_BLOCKS && k <= tc->bi; k++) {
        const ds_block *b = &doc->blocks[tc->bi - k];
        if (b->kind == DS_BLOCK_KIND_TABLE)
            break;
        size_t n = b->text_len < CONTEXT_BYTES ? b->text_len : CONTEXT_BYTES;
        if (ds_buf_append(out, doc->text.data + b->text_off, n) || ds_buf_putc(out, '\n'))
            return DS_ERR_NOMEM;
    }
    return DS_OK;
}

/* Assigns header text to value columns for one header row (see the file comment). */
static ds_status assign_header_row(const ds_table *t, size_t r, size_t label_col, const size_t *vcols, size_t nv,
                                   ds_buf *col_text)
{
    size_t idx[MAX_COLS], cnt = 0;
    for (size_t c = 0; c < t->n_cols; c++)
        if (c != label_col && !ds_stmt_blank(ds_stmt_cell(t, r, c)))
            idx[cnt++] = c;
    if (cnt == 0)
        return DS_OK;
    int over_value_cols = 0;
    for (size_t k = 0; k < cnt; k++)
        for (size_t j = 0; j < nv; j++)
            over_value_cols |= idx[k] == vcols[j];
    for (size_t j = 0; j < nv; j++) {
        size_t src;
        if (cnt == nv) {
            src = idx[j];
        } else if (nv % cnt == 0) {
            src = idx[j / (nv / cnt)];
        } else {
            /* a row whose cells sit over value columns of their own names those columns only
             * ("2023 | | 2022 | | Percent" over "Amount | to Sales | Amount | to Sales |
             * Increase"); else the nearest header cell at or left of the column, else the first
             * to its right */
            src = SIZE_MAX;
            for (size_t k = 0; k < cnt; k++)
                if (over_value_cols ? idx[k] == vcols[j] : idx[k] <= vcols[j])
                    src = idx[k];
            if (src == SIZE_MAX && over_value_cols)
                continue;
            if (src == SIZE_MAX)
                src = idx[0];
        }
        if (ds_buf_puts(&col_text[j], ds_stmt_cell(t, r, src)) || ds_buf_putc(&col_text[j], ' '))
            return DS_ERR_NOMEM;
    }
    /* One cell holding every column's year ("2023 2022"): the years go in order. */
    if (cnt == 1 && nv > 1) {
        period_info pi = {0};
        ds_stmt_parse_period(ds_stmt_cell(t, r, idx[0]), 0, &pi);
        if ((size_t)pi.n_years == nv)
            for (size_t j = 0; j < nv; j++)
                if (ds_buf_printf(&col_text[j], " \x01%d ", pi.years[j]))
                    return DS_ERR_NOMEM;
    }
    return DS_OK;
}

int ds_stmt_header_rows(stmt_table *tb)
{
    /* Header rows: as the parser says, or the leading rows holding only years and text. A
     * parser's header that names no year ("For the Years Ended December 31,") goes on through
     * the rows of years right under it ("In millions | 2022 | 2021"). */
    const ds_table *t = tb->t;
    size_t nr = tb->nr, nc = tb->nc;
    size_t hr = t->header_rows < nr ? t->header_rows : 0;
    if (hr == 0 || !header_has_year(t, hr)) {
        size_t from = hr;
        for (size_t r = from; r < nr && r < from + 4; r++) {
            int years = 0, values = 0;
            for (size_t c = 1; c < nc; c++) {
                const char *s = ds_stmt_cell(t, r, c);
                if (tb->nums[r * nc + c].kind == DS_DEC_PRINTED_VALUE && !year_like(s))
                    values++;
                else if (year_like(s))
                    years++;
            }
            if (values)
                break;
            if (years)
                hr = r + 1;
        }
    }
    tb->hr = hr;
    return hr < nr;
}

int ds_stmt_columns(stmt_table *tb)
{
    size_t nr = tb->nr, nc = tb->nc;
    /* Label column: the one with the most text cells in the body. */
    size_t label_col = 0, best = 0;
    for (size_t c = 0; c < nc; c++) {
        size_t n = 0;
        for (size_t r = tb->hr; r < nr; r++)
            if (tb->nums[r * nc + c].kind == DS_DEC_PRINTED_TEXT)
                n++;
        if (n > best) {
            best = n;
            label_col = c;
        }
    }
    tb->label_col = label_col;
    /* Value columns: right of the label column, with a number in the body. */
    tb->nv = 0;
    for (size_t c = label_col + 1; c < nc; c++) {
        int any = 0;
        for (size_t r = tb->hr; r < nr; r++)
            if (tb->nums[r * nc + c].kind == DS_DEC_PRINTED_VALUE || tb->nums[r * nc + c].kind == DS_DEC_PRINTED_DASH)
                any = 1;
        if (any)
            tb->vcols[tb->nv++] = c;
    }
    return tb->nv > 0;
}

/* The header cells, then the label-only rows at the top of the body ("(in millions, except
 * per share data)") and a scale printed in a value column there ("OPERATING ACTIVITIES: | |
 * (in millions)"), into tb->ctx. */
static ds_status header_context(stmt_table *tb)
{
    const ds_table *t = tb->t;
    size_t nc = tb->nc;
    for (size_t r = 0; r < tb->hr; r++)
        for (size_t c = 0; c < nc; c++)
            if (ds_buf_puts(&tb->ctx, ds_stmt_cell(t, r, c)) || ds_buf_putc(&tb->ctx, ' '))
                return DS_ERR_NOMEM;
    for (size_t r = tb->hr; r < tb->nr && r < tb->hr + 2; r++) {
        int vals = 0;
        for (size_t j = 0; j < tb->nv; j++)
            vals += tb->nums[r * nc + tb->vcols[j]].kind != DS_DEC_PRINTED_BLANK;
        if (!vals && (ds_buf_puts(&tb->ctx, ds_stmt_cell(t, r, tb->label_col)) || ds_buf_putc(&tb->ctx, ' ')))
            return DS_ERR_NOMEM;
        for (size_t j = 0; j < tb->nv; j++) {
            const char *cell = ds_stmt_cell(t, r, tb->vcols[j]);
            if (tb->nums[r * nc + tb->vcols[j]].kind == DS_DEC_PRINTED_TEXT &&
                (ds_stmt_contains_ci(cell, "thousand") || ds_stmt_contains_ci(cell, "million") ||
                 ds_stmt_contains_ci(cell, "billion")) &&
                (ds_buf_puts(&tb->ctx, cell) || ds_buf_putc(&tb->ctx, ' ')))
                return DS_ERR_NOMEM;
        }
    }
    return DS_OK;
}

ds_status ds_stmt_context(const table_ctx *tc, stmt_table *tb, ds_err *err)
{
    /* Context: every header cell, then the text before the table. */
    ds_status st = header_context(tb);
    if (st == DS_OK)
        st = around_text(tc, &tb->around);
    for (size_t r = 0; r < tb->hr && st == DS_OK; r++)
        st = assign_header_row(tb->t, r, tb->label_col, tb->vcols, tb->nv, tb->col_text);
    if (st)
        return ds_stmt_oom(tc, err);
    tb->ctx_s = tb->ctx.data ? tb->ctx.data : "";
    tb->around_s = tb->around.data ? tb->around.data : "";
    return DS_OK;
}
