/* statement_rows.c - the rows of a statement table turned into facts: the section each row
 * stands under, its metric (ds_metric_for_label, with the section's reading), per-share and
 * share-count rows, dimensions for a breakdown, and one fact per value cell with its period,
 * exact scaled value, quote and place (see statement_internal.h).
 * Owns: nothing; fact strings go into the document's arena. Threading: reentrant.
 */
#include "extract/statement_internal.h"

#include "extract/dates.h"
#include "extract/evidence.h"
#include "pipeline/core/alloc.h"

#include <stdio.h>
#include <string.h>

/* The row's text in doc->text (without the newline). */
static void row_span(const table_ctx *tc, size_t r, size_t *off, size_t *len)
{
    const ds_table *t = tc->t;
    size_t start = t->row_offsets[r];
    size_t end = r + 1 < t->n_rows ? t->row_offsets[r + 1] : tc->block->text_off + tc->block->text_len;
    const char *txt = tc->doc->text.data;
    while (end > start && (txt[end - 1] == '\n' || txt[end - 1] == '\r'))
        end--;
    *off = start;
    *len = end - start;
}

/* The metric of a row, given its section: none under deferred taxes ("Deferred tax
 * liabilities: Depreciation and amortization" is a tax balance), and debt listed under
 * "Current liabilities:" is its current portion ("Term debt" twice on one balance sheet). */
const char *ds_stmt_row_metric(const ds_table *t, size_t r, size_t label_col, long section_row)
{
    char sk[256] = "";
    if (section_row >= 0)
        ds_label_key(ds_stmt_cell(t, (size_t)section_row, label_col), sk, sizeof sk);
    if (strstr(sk, "deferred tax") || strstr(sk, "tax assets") || strstr(sk, "tax liabilities"))
        return NULL;
    const char *m = ds_metric_for_label(ds_stmt_cell(t, r, label_col), NULL);
    if (m && !strcmp(m, "long_term_debt") && ds_stmt_has_phrase(sk, "current") && !strstr(sk, "non current") &&
        !strstr(sk, "noncurrent"))
        m = "current_portion_long_term_debt";
    return m;
}

void ds_stmt_row_values(const stmt_table *tb, size_t r, int *vals, int *pct)
{
    *vals = *pct = 0;
    for (size_t j = 0; j < tb->nv; j++) {
        ds_dec_printed_kind k = tb->nums[r * tb->nc + tb->vcols[j]].kind;
        *vals += k == DS_DEC_PRINTED_VALUE || k == DS_DEC_PRINTED_DASH;
        *pct += k == DS_DEC_PRINTED_PERCENT;
    }
}

ds_status ds_stmt_sections(const table_ctx *tc, stmt_table *tb, ds_err *err)
{
    /* Section of each row: the nearest label-only row above it. A label repeated under two
     * sections ("Americas: Net sales", "Europe: Net sales") is a breakdown, not the
     * consolidated figure: such rows get dimensions "section=<section>". */
    const ds_table *t = tb->t;
    tb->section_of = ds_calloc(tb->nr, sizeof *tb->section_of);
    if (!tb->section_of)
        return ds_stmt_oom(tc, err);
    long cur = -1;
    for (size_t r = tb->hr; r < tb->nr; r++) {
        int vals, pct;
        ds_stmt_row_values(tb, r, &vals, &pct);
        if (!vals && !pct && !ds_stmt_blank(ds_stmt_cell(t, r, tb->label_col)))
            cur = (long)r;
        tb->section_of[r] = vals ? cur : -1;
        /* "Total current liabilities" closes "Current liabilities:" */
        if (vals && cur >= 0) {
            char rk[256], ck[256];
            ds_label_key(ds_stmt_cell(t, r, tb->label_col), rk, sizeof rk);
            ds_label_key(ds_stmt_cell(t, (size_t)cur, tb->label_col), ck, sizeof ck);
            if (!strncmp(rk, "total ", 6) && *ck && strstr(rk + 6, ck))
                cur = -1;
        }
    }
    return DS_OK;
}

/* What one row states, for each of its cells. */
typedef struct row_info {
    size_t r;
    const char *metric, *concept, *dims, *unit, *quote;
    int per_share, shares, instant, exp10, page, chunk_seq;
    size_t roff;
} row_info;

/* Whether a section label (its key) introduces per-share amounts ("Earnings per common share -
 * basic:"), not share counts. */
static int per_share_section(const char *section_key)
{
    return (strstr(section_key, "per share") || strstr(section_key, "per common share")) &&
           !ds_stmt_has_phrase(section_key, "shares");
}

/* Whether row r stands under a per-share section. */
static int under_per_share_section(const stmt_table *tb, size_t r)
{
    if (tb->section_of[r] < 0)
        return 0;
    char sk[256];
    ds_label_key(ds_stmt_cell(tb->t, (size_t)tb->section_of[r], tb->label_col), sk, sizeof sk);
    return per_share_section(sk);
}

/* Dimensions "section=<section>" for a row whose label and metric another section repeats (rows
 * under a per-share section repeat a label for another quantity and do not count); "" otherwise.
 * NULL when out of memory. */
static const char *section_dims(const table_ctx *tc, const stmt_table *tb, size_t r, const char *key,
                                const char *metric)
{
    const ds_table *t = tb->t;
    for (size_t r2 = tb->hr; r2 < tb->nr && tb->section_of[r] >= 0; r2++) {
        char key2[256];
        if (r2 == r || tb->section_of[r2] < 0 || tb->section_of[r2] == tb->section_of[r] ||
            under_per_share_section(tb, r2))
            continue;
        ds_label_key(ds_stmt_cell(t, r2, tb->label_col), key2, sizeof key2);
        const char *m2 = ds_stmt_row_metric(t, r2, tb->label_col, tb->section_of[r2]);
        if (strcmp(key, key2) == 0 && (m2 == metric || (m2 && metric && !strcmp(m2, metric)))) {
            char sk[200];
            ds_label_key(ds_stmt_cell(t, (size_t)tb->section_of[r], tb->label_col), sk, sizeof sk);
            return ds_arena_printf(&tc->doc->arena, "section=%s", sk);
        }
    }
    return "";
}

/* Reads row r (label key in key, section label above it) into ri: metric, concept, per-share
 * or share count, scale, unit, dimensions, quote and place. */
static ds_status row_meaning(const table_ctx *tc, const stmt_table *tb, size_t r, const char *key,
                             const char *section_label, row_info *ri, ds_err *err)
{
    ds_document *doc = tc->doc;
    const char *label = ds_stmt_cell(tb->t, r, tb->label_col);
    ri->r = r;
    ri->metric = ds_stmt_row_metric(tb->t, r, tb->label_col, tb->section_of[r]);
    ri->concept = label;
    int generic = !strcmp(key, "basic") || !strcmp(key, "diluted") || !strcmp(key, "basic and diluted");
    /* "Shares used in computing earnings per share: Basic" counts shares; "Earnings per share:
     * Basic" is a per-share amount. */
    int section_counts_shares = generic && ds_stmt_has_phrase(section_label, "shares");
    ri->per_share = strstr(key, "per share") || strstr(key, "per common share") ||
                    (generic && !section_counts_shares &&
                     (strstr(section_label, "per share") || strstr(section_label, "per common share")));
    /* A row of amounts under "Earnings per common share - basic:" is a per-share amount whatever
     * its label ("Net income attributable to ...": not the net income). */
    if (!ri->per_share && !generic && !strstr(key, "shares") && under_per_share_section(tb, r)) {
        ri->per_share = 1;
        if (!ds_metric_is_per_share(ri->metric))
            ri->metric = NULL;
    }
    if (generic) {
        if (ri->per_share)
            ri->metric = key[0] == 'd' ? "eps_diluted" : "eps_basic";
        ri->concept = ds_arena_printf(&doc->arena, "%s: %s", *section_label ? section_label : "", label);
        if (!ri->concept)
            return ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    }
    if (ds_metric_is_per_share(ri->metric))
        ri->per_share = 1;
    ri->dims = tb->entity ? tb->entity : tb->segment ? tb->segment : "";
    if (!generic && !tb->entity) {
        const char *sd = section_dims(tc, tb, r, key, ri->metric);
        if (!sd)
            return ds_err_set(err, DS_ERR_NOMEM, "out of memory");
        if (*sd)
            ri->dims = sd;
    }
    ri->shares = !ri->per_share && (strstr(key, "shares") || section_counts_shares);
    ri->exp10 = ri->per_share || !tb->sc.found ? 0 : ri->shares ? tb->sc.share_exp10 : tb->sc.exp10;
    if (ri->per_share)
        ri->unit = tb->currency ? ds_arena_printf(&doc->arena, "%s/shares", tb->currency) : NULL;
    else if (ri->shares)
        ri->unit = "shares";
    else
        ri->unit = tb->currency;
    ri->instant = ri->metric ? ds_metric_is_instant(ri->metric) : tb->instant_table;
    size_t rlen;
    row_span(tc, r, &ri->roff, &rlen);
    ri->quote = ds_arena_strndup(&doc->arena, doc->text.data + ri->roff, rlen);
    if (!ri->quote)
        return ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    ri->page = ds_doc_page_of(doc, ri->roff);
    ri->chunk_seq = ds_evidence_chunk(tc->chunks, ri->roff);
    return DS_OK;
}

/* The fact of value column j of the row ri, pushed to tc->out (none for a cell without a
 * number or a column without a period). */
static ds_status cell_fact(table_ctx *tc, const stmt_table *tb, const row_info *ri, size_t j, ds_err *err)
{
    ds_document *doc = tc->doc;
    const ds_dec_printed *cn = &tb->nums[ri->r * tb->nc + tb->vcols[j]];
    if (!tb->cp[j].ok || (cn->kind != DS_DEC_PRINTED_VALUE && cn->kind != DS_DEC_PRINTED_DASH))
        return DS_OK;
    const char *digits = cn->value;
    if (ds_metric_is_magnitude(ri->metric) && digits[0] == '-')
        digits++; /* "Interest expense (62,229)": an expense of 62,229 */
    ds_buf scaled = DS_BUF_INIT;
    ds_status sst = ds_dec_shift(digits, ri->exp10, 0, &scaled, NULL);
    const char *value = sst == DS_OK ? ds_arena_strdup(&doc->arena, scaled.data) : NULL;
    ds_buf_deinit(&scaled);
    if (sst == DS_ERR_NOMEM)
        return ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    if (sst != DS_OK)
        return DS_OK;
    ds_fact f = {0};
    f.concept = ri->concept;
    f.metric = ri->metric;
    f.value = value;
    f.unit = ri->unit;
    f.decimals = cn->kind == DS_DEC_PRINTED_DASH
                     ? NULL
                     : ds_arena_printf(&doc->arena, "%d", ds_dec_fraction_digits(cn->value) - ri->exp10);
    f.period_end = ds_arena_strdup(&doc->arena, tb->cp[j].end);
    if (!ri->instant) {
        char sbuf[11];
        ds_date_format(ds_stmt_period_start(tc, &tb->cp[j]), sbuf);
        f.period_start = ds_arena_strdup(&doc->arena, sbuf);
        if (!f.period_start)
            return ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    }
    f.dimensions = ri->dims;
    f.source_extractor = tc->extractor;
    f.quote = ri->quote;
    f.page = ri->page;
    f.chunk_seq = ri->chunk_seq;
    f.byte_off = ri->roff;
    f.statement_score = tb->cash_flow_table && ri->metric && !strcmp(ri->metric, "net_income")
                            ? tb->score - RESTATED_PENALTY
                            : tb->score;
    f.table_seq = tb->table_seq;
    f.scale_doubt = !tb->sc.found && !ri->per_share && !ri->shares && ds_stmt_doc_states_scale(tc);
    if (!f.value || !f.period_end || (cn->kind != DS_DEC_PRINTED_DASH && !f.decimals))
        return ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    if (ds_fact_list_push(tc->out, &f))
        return ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    return DS_OK;
}

ds_status ds_stmt_row_facts(table_ctx *tc, stmt_table *tb, ds_err *err)
{
    char section_label[256] = "";
    ds_status st = DS_OK;
    for (size_t r = tb->hr; r < tb->nr && st == DS_OK; r++) {
        const char *label = ds_stmt_cell(tb->t, r, tb->label_col);
        int vals, pct;
        ds_stmt_row_values(tb, r, &vals, &pct);
        char key[256];
        if (!vals) {
            if (!ds_stmt_blank(label) && !pct) {
                ds_label_key(label, key, sizeof key);
                snprintf(section_label, sizeof section_label, "%s", key);
            }
            continue;
        }
        /* a percentage in a column of change ("Inc/(Dec) | 94 %") leaves the row's amounts
         * standing; one in a period column makes the row a ratio */
        int pct_period = 0;
        for (size_t j = 0; j < tb->nv; j++)
            pct_period |= tb->cp[j].ok && tb->nums[r * tb->nc + tb->vcols[j]].kind == DS_DEC_PRINTED_PERCENT;
        if (pct_period || strchr(label, '%') || ds_stmt_blank(label))
            continue;
        ds_label_key(label, key, sizeof key);
        row_info ri = {0};
        st = row_meaning(tc, tb, r, key, section_label, &ri, err);
        for (size_t j = 0; j < tb->nv && st == DS_OK; j++)
            st = cell_fact(tc, tb, &ri, j, err);
    }
    return st;
}
