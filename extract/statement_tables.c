/* statement_tables.c - facts from the tables of a document (financial statements in PDFs and
 * HTML filings): drives the steps of statement_internal.h over every table, in two passes (the
 * first learns the fiscal year ends the tables state, the second gives the facts). Row labels
 * are matched to canonical metrics, numbers read as printed, values scaled exactly by the
 * table's "in thousands/millions/billions", and columns tied to the periods of the header rows
 * (see ds_extract_table_facts in facts.h).
 *
 * Owns: nothing beyond the call; fact strings go into the document's arena, scratch memory is
 * freed before returning. Threading: reentrant; one document per call.
 */
#include "extract/statement_internal.h"

#include "pipeline/core/alloc.h"

#include <string.h>

ds_status ds_stmt_oom(const table_ctx *tc, ds_err *err)
{
    const char *name = tc->doc->name ? tc->doc->name : "document";
    return ds_err_set(err, DS_ERR_NOMEM, "out of memory reading a table of %s", name);
}

static void table_init(stmt_table *tb, const ds_table *t)
{
    memset(tb, 0, sizeof *tb);
    tb->t = t;
    tb->nr = t->n_rows;
    tb->nc = t->n_cols;
    for (size_t j = 0; j < MAX_COLS; j++)
        ds_buf_init(&tb->col_text[j]);
    ds_buf_init(&tb->ctx);
    ds_buf_init(&tb->around);
}

static void table_deinit(stmt_table *tb)
{
    ds_free(tb->nums);
    ds_free(tb->section_of);
    for (size_t j = 0; j < MAX_COLS; j++)
        ds_buf_deinit(&tb->col_text[j]);
    ds_buf_deinit(&tb->ctx);
    ds_buf_deinit(&tb->around);
}

/* The steps of one table, in order; a step that finds the table gives no facts ends it. */
static ds_status read_table(table_ctx *tc, stmt_table *tb, ds_err *err)
{
    tb->nums = ds_calloc(tb->nr * tb->nc, sizeof *tb->nums);
    if (!tb->nums)
        return ds_stmt_oom(tc, err);
    for (size_t i = 0; i < tb->nr * tb->nc; i++)
        (void)ds_dec_parse_printed(tb->t->cells[i], &tb->nums[i], NULL); /* the kind says what it is */
    if (!ds_stmt_header_rows(tb) || !ds_stmt_columns(tb))
        return DS_OK;
    DS_TRY(ds_stmt_context(tc, tb, err));
    tb->segment = ds_stmt_segment(tc);
    /* "Statements of Operations (As a percentage of total revenues)": ratios, not amounts. */
    if (ds_stmt_percent_table(tc, tb->ctx_s))
        return DS_OK;
    ds_stmt_find_scale(tb->ctx_s, 0, &tb->sc);
    ds_stmt_find_scale(tb->around_s, 1, &tb->sc);
    if (!ds_stmt_column_periods(tc, tb) || !ds_stmt_kind(tc, tb))
        return DS_OK;
    DS_TRY(ds_stmt_sections(tc, tb, err));
    DS_TRY(ds_stmt_identity(tc, tb, err));
    return ds_stmt_row_facts(tc, tb, err);
}

static ds_status table_facts(table_ctx *tc, ds_err *err)
{
    const ds_table *t = tc->t;
    if (t->n_rows < 2 || t->n_cols < 2 || t->n_cols > MAX_COLS || !t->row_offsets)
        return DS_OK;
    stmt_table tb;
    table_init(&tb, t);
    ds_status st = read_table(tc, &tb, err);
    table_deinit(&tb);
    return st;
}

ds_status ds_extract_table_facts(ds_document *doc, const ds_chunk_list *chunks, ds_fact_list *out, ds_err *err)
{
    table_ctx tc = {0};
    tc.doc = doc;
    tc.chunks = chunks;
    tc.out = out;
    tc.extractor = doc->kind == DS_DOC_KIND_PDF ? "pdf_table" : "html_table";
    tc.doc_scale = -1;
    /* Pass 1 learns the fiscal year ends the tables state; pass 2 emits the facts. */
    for (int pass = 0; pass < 2; pass++) {
        tc.collect = pass == 0;
        tc.last.valid = 0;
        for (size_t i = 0; i < doc->n_blocks; i++) {
            const ds_block *b = &doc->blocks[i];
            if (b->kind != DS_BLOCK_KIND_TABLE || !b->table)
                continue;
            tc.block = b;
            tc.t = b->table;
            tc.bi = i;
            ds_status st = table_facts(&tc, err);
            if (st)
                return st;
        }
    }
    return DS_OK;
}
