/* statement_kind.c - what a statement table is and whose: a primary statement or a note
 * (its score), a part of the group (entity), a segment, a table of percentages, a headerless
 * continuation of the table before it, a balance sheet or a flow statement, and the table
 * remembered for the next one (see statement_internal.h).
 * Owns: nothing; strings go into the document's arena. Threading: reentrant.
 */
#include "extract/statement_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Whether a body row (from row hr) of the label column names the metric. */
static int has_metric_row(const ds_table *t, size_t hr, size_t label_col, const char *metric)
{
    for (size_t r = hr; r < t->n_rows; r++) {
        const char *m = ds_metric_for_label(ds_stmt_cell(t, r, label_col), NULL);
        if (m && !strcmp(m, metric))
            return 1;
    }
    return 0;
}

/* How much a table looks like a primary statement: two points for each distinct metric its
 * rows name, six for a statement title in the text just before it or its header rows
 * ("Consolidated Balance Sheets", "Statements of Cash Flows"), six off for a title of a part
 * or a restatement of the figures (segment, parent company only, guarantor or obligor group,
 * consolidating columns, selected or quarterly data, non-GAAP reconciliation). */
static int statement_score(const ds_table *t, size_t hr, size_t label_col, const long *section_of, const char *around,
                           const char *ctx)
{
    static const char *const titles[] = {"consolidated statements of",       "consolidated statement of",
                                         "consolidated balance sheet",       "balance sheets",
                                         "statements of operations",         "statements of income",
                                         "statements of earnings",           "statements of cash flows",
                                         "statements of financial position", "statement of financial condition"};
    static const char *const parts[] = {"segment",        "parent company", "registrant", "selected financial data",
                                        "quarterly",      "non gaap",       "pro forma",  "guarantor",
                                        "reconciliation", "guarantee",      "obligor",    "consolidating",
                                        "closed group"};
    const char *seen[32];
    size_t nseen = 0;
    for (size_t r = hr; r < t->n_rows; r++) {
        const char *m = ds_stmt_row_metric(t, r, label_col, section_of[r]);
        size_t k = 0;
        while (m && k < nseen && strcmp(seen[k], m))
            k++;
        if (m && k == nseen && nseen < sizeof seen / sizeof seen[0])
            seen[nseen++] = m;
    }
    int score = 2 * (int)nseen;
    char words[2048];
    for (int pass = 0; pass < 2; pass++) {
        ds_stmt_lower_words(pass ? ctx : around, words, sizeof words);
        int title = 0, part = 0;
        for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++)
            title |= strstr(words, titles[i]) != NULL;
        for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
            part |= strstr(words, parts[i]) != NULL;
        score += 6 * title - 6 * part;
    }
    return score;
}

#define ENTITY_TITLE_MAX 120 /* bytes of a title line before a table */

/* The sentence of a paragraph that introduces the table after it ("Summarized financial
 * information for our equity method investee ... is as follows:"): its last sentence when it
 * ends with a colon, narrowed to at most 2 * ENTITY_TITLE_MAX bytes. 0 when it is no such
 * paragraph. */
static int intro_sentence(const char **text, size_t *len)
{
    const char *s = *text;
    size_t n = *len;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    if (!n || s[n - 1] != ':')
        return 0;
    size_t start = n - 1;
    while (start > 0 && !(s[start - 1] == ' ' && start >= 2 && s[start - 2] == '.'))
        start--;
    if (n - start > 2 * ENTITY_TITLE_MAX)
        return 0;
    *text = s + start;
    *len = n - start;
    return 1;
}

/* The lowered words of the first title line before the table (the table's header ctx, then a
 * heading or a line of at most ENTITY_TITLE_MAX bytes among the CONTEXT_BLOCKS before it, or,
 * with intro set, the sentence of a longer paragraph introducing it) holding one of phrases;
 * written into words (cap 2 * ENTITY_TITLE_MAX + 2). Returns 1 when found, 0 when not. */
static int title_phrase(const table_ctx *tc, const char *ctx, const char *const *phrases, size_t n, int intro,
                        char *words)
{
    const ds_document *doc = tc->doc;
    char raw[2 * ENTITY_TITLE_MAX + 2];
    for (size_t k = 0; k <= CONTEXT_BLOCKS && k <= tc->bi; k++) {
        const char *text;
        size_t len;
        if (k == 0) {
            text = ctx, len = strlen(ctx);
        } else {
            const ds_block *b = &doc->blocks[tc->bi - k];
            if (b->kind == DS_BLOCK_KIND_TABLE)
                break;
            text = doc->text.data + b->text_off, len = b->text_len;
            if (b->kind != DS_BLOCK_KIND_HEADING && len > ENTITY_TITLE_MAX && !(intro && intro_sentence(&text, &len)))
                continue;
        }
        if (len >= sizeof raw)
            len = sizeof raw - 1;
        memcpy(raw, text, len);
        raw[len] = '\0';
        ds_stmt_lower_words(raw, words, 2 * ENTITY_TITLE_MAX + 2);
        for (size_t i = 0; i < n; i++)
            if (ds_stmt_has_phrase(words, phrases[i]))
                return 1;
    }
    return 0;
}

/* A statement of part of the group, or of other entities, rather than the consolidated one: a
 * title line before the table (a heading, or a line of at most ENTITY_TITLE_MAX bytes, among
 * the CONTEXT_BLOCKS before it, or the sentence of a paragraph introducing it) or its header
 * naming a closed group under a deed of cross guarantee, an obligor or guarantor group, the
 * parent company alone or the registrant's own condensed statements (Schedule I, "Condensed Financial Information of Parent"), or
 * unconsolidated or equity-method investees ("combined summarized balance sheets of the
 * Company's unconsolidated joint ventures").
 * Such a table prints the same lines as the consolidated statement ("Total assets") with other
 * amounts; its rows get dimensions "entity=<title>" so they never stand for the company.
 * Returns the dimensions (in the document's arena), NULL when the table names no such part,
 * or "" when out of memory (*oom set). */
static const char *entity_subset(const table_ctx *tc, const char *ctx, int *oom)
{
    static const char *const parts[] = {
        "cross guarantee", "closed group", "obligor group", "guarantor",  "guarantors",
        "parent company",  "parent only",  "of parent",     "registrant", "condensed financial information",
        "unconsolidated",  "equity method"};
    char words[2 * ENTITY_TITLE_MAX + 2];
    if (!title_phrase(tc, ctx, parts, sizeof parts / sizeof parts[0], 1, words))
        return NULL;
    const char *dims = ds_arena_printf(&tc->doc->arena, "entity=%s", words);
    *oom = dims == NULL;
    return dims ? dims : "";
}

/* Whether the table's header or a title line before it (a heading, or a line of at most
 * ENTITY_TITLE_MAX bytes, among the CONTEXT_BLOCKS before it) says its figures are a percentage
 * of something ("As a percentage of total revenues"). */
int ds_stmt_percent_table(const table_ctx *tc, const char *ctx)
{
    static const char *const phrases[] = {"as a percentage of", "as a percent of", "percentage of total",
                                          "percentage of net"};
    char words[2 * ENTITY_TITLE_MAX + 2];
    return title_phrase(tc, ctx, phrases, sizeof phrases / sizeof phrases[0], 0, words);
}

/* Whether the table continues the last one that gave facts: as many value columns, no text in
 * them on its first row (a header of its own, "(Millions) | Employee-Related"), on the same or
 * the next page, with only paragraphs in between (no heading, no other table; the section
 * lines a statement prints, "Shareholders' Equity", "Commitments and contingencies") and at
 * most CONTEXT_BLOCKS of them. Called for a table with no period of its own. */
int ds_stmt_continues_last(const table_ctx *tc, const stmt_table *tb)
{
    const ds_dec_printed *nums = tb->nums;
    const size_t *vcols = tb->vcols;
    size_t nv = tb->nv;
    if (!tc->last.valid || tc->last.nv != nv || tc->bi <= tc->last.bi || tc->bi - tc->last.bi > CONTEXT_BLOCKS + 1)
        return 0;
    if (tc->block->page_first > tc->last.page + 1)
        return 0;
    for (size_t j = 0; j < nv; j++)
        if (nums[vcols[j]].kind == DS_DEC_PRINTED_TEXT)
            return 0;
    for (size_t k = tc->last.bi + 1; k < tc->bi; k++) {
        const ds_block *b = &tc->doc->blocks[k];
        if (b->kind == DS_BLOCK_KIND_TABLE || b->kind == DS_BLOCK_KIND_HEADING)
            return 0;
    }
    return 1;
}

const char *ds_stmt_segment(const table_ctx *tc)
{
    /* A table under a heading naming a segment ("Domestic Streaming Segment") breaks the
     * company down: its rows get dimensions "segment=<heading>". */
    ds_document *doc = tc->doc;
    for (size_t k = 1; k <= CONTEXT_BLOCKS && k <= tc->bi; k++) {
        const ds_block *b = &doc->blocks[tc->bi - k];
        if (b->kind == DS_BLOCK_KIND_TABLE)
            break;
        if (b->kind != DS_BLOCK_KIND_HEADING)
            continue;
        char hk[256], hb[256];
        size_t hl = b->text_len < sizeof hb - 1 ? b->text_len : sizeof hb - 1;
        memcpy(hb, doc->text.data + b->text_off, hl);
        hb[hl] = '\0';
        ds_label_key(hb, hk, sizeof hk);
        if (ds_stmt_has_phrase(hk, "segment") || ds_stmt_has_phrase(hk, "segments"))
            return ds_arena_printf(&doc->arena, "segment=%s", hk);
        break;
    }
    return NULL;
}

int ds_stmt_kind(const table_ctx *tc, stmt_table *tb)
{
    /* Statement kind: a table with no duration and mostly balance-sheet rows is a balance sheet. */
    int n_inst = 0, n_flow = 0;
    tb->any_months = tb->pctx.months || tb->paround.months || (tb->continued && tc->last.any_months);
    for (size_t j = 0; j < tb->nv; j++)
        tb->any_months |= tb->cp[j].months != 0;
    for (size_t r = tb->hr; r < tb->nr; r++) {
        const char *m = ds_metric_for_label(ds_stmt_cell(tb->t, r, tb->label_col), NULL);
        if (m && ds_metric_is_instant(m))
            n_inst++;
        else if (m)
            n_flow++;
    }
    if (n_inst + n_flow == 0)
        return 0; /* nothing a credit analyst asks for: not a statement */
    tb->instant_table = !tb->any_months && n_inst >= n_flow;
    tb->currency = ds_stmt_currency(tc, tb->ctx_s);
    if (!tb->currency && tb->continued)
        tb->currency = tc->last.currency;
    if (!tb->currency)
        tb->currency = ds_stmt_currency(tc, tb->around_s);
    return 1;
}

ds_status ds_stmt_identity(table_ctx *tc, stmt_table *tb, ds_err *err)
{
    tb->score = statement_score(tb->t, tb->hr, tb->label_col, tb->section_of, tb->around_s, tb->ctx_s);
    /* A cash flow statement starts from the net income the income statement reports (before
     * the share of noncontrolling interests): its net income row counts as a restatement there,
     * RESTATED_PENALTY below the table's score. */
    tb->cash_flow_table = has_metric_row(tb->t, tb->hr, tb->label_col, "operating_cash_flow");
    int oom = 0;
    tb->entity = entity_subset(tc, tb->ctx_s, &oom);
    if (oom)
        return ds_stmt_oom(tc, err);
    /* A table printed right under one of a part of the group, with no title between, is of
     * that part too (an investee's income statement right under its balance sheet). */
    if (!tb->entity && tc->last.valid && tc->last.bi + 1 == tc->bi && tc->last.dims &&
        !strncmp(tc->last.dims, "entity=", 7))
        tb->entity = tc->last.dims;
    tb->table_seq = (int)tc->bi + 1;
    if (tb->continued) {
        if (tc->last.score > tb->score)
            tb->score = tc->last.score;
        if (!tb->entity && !tb->segment)
            tb->entity = tc->last.dims; /* the statement's part ("entity=...") or segment */
        tb->table_seq = tc->last.table_seq;
    }
    tc->last.valid = 1;
    tc->last.bi = tc->bi;
    tc->last.nv = tb->nv;
    tc->last.page = tc->block->page_last > tc->block->page_first ? tc->block->page_last : tc->block->page_first;
    tc->last.score = tb->score;
    tc->last.any_months = tb->any_months;
    tc->last.table_seq = tb->table_seq;
    memcpy(tc->last.cp, tb->cp, tb->nv * sizeof tb->cp[0]);
    tc->last.sc = tb->sc;
    tc->last.currency = tb->currency;
    tc->last.dims = tb->entity ? tb->entity : tb->segment;
    return DS_OK;
}
