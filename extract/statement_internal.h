/* statement_internal.h - internal to extract/: the steps of reading one statement table into
 * facts (statement_tables.c drives them) and what they share: the document-wide context
 * (table_ctx), the state of the table being read (stmt_table), periods and scales read from
 * header text.
 *
 * The steps, in order: header rows, label and value columns, context text
 * (statement_headers.c); the table's kind, segment and entity (statement_kind.c); scale and
 * currency (statement_scale.c); the period of each value column (statement_columns.c, over
 * the date phrases of statement_dates.c); sections and one fact per cell (statement_rows.c).
 * Owns: nothing; a stmt_table's buffers and arrays are released by ds_stmt_table_deinit.
 * Threading: reentrant; one document per table_ctx.
 */
#ifndef DS_EXTRACT_STATEMENT_INTERNAL_H
#define DS_EXTRACT_STATEMENT_INTERNAL_H

#include "extract/facts.h"
#include "pipeline/core/buf.h"
#include "pipeline/core/decimal.h"

#include <stddef.h>

#define MAX_COLS 64        /* wider tables are not statements */
#define CONTEXT_BLOCKS 3   /* headings/paragraphs looked at before a table */
#define CONTEXT_BYTES 800  /* of each */
#define DATES_LINE_MAX 120 /* a line of column dates above a headerless table */
#define RESTATED_PENALTY 6 /* statement score off a figure another statement reports */
#define MAX_FY_ENDS 64

/* ---- periods and scales in header text (statement_dates.c, statement_scale.c) ------------- */

typedef struct period_info {
    int months;     /* duration in months, 0 when not stated */
    int year;       /* 0 when none */
    int month, day; /* 0 when none */
    int n_years;    /* years seen in the text */
    int years[8];
} period_info;

typedef struct scale_info {
    int found;
    int exp10;       /* 3, 6, 9: the scale of the amounts */
    int share_exp10; /* the scale of share counts */
} scale_info;

/* Reads durations, dates and years from header text. With anchored, a month and day count
 * only right after "ended", "ending", "as of", "as at" or "at" (text around a table). */
void ds_stmt_parse_period(const char *text, int anchored, period_info *pi);
/* The durations a text names, in the order it names them ("Three Months Ended ..., Six Months
 * Ended ..."): up to cap into months; their number. */
size_t ds_stmt_durations_in_order(const char *text, int *months, size_t cap);
/* A line of text that is only dates (at most DATES_LINE_MAX bytes): their ends in order, up to
 * cap; their number. */
size_t ds_stmt_line_of_dates(const char *text, size_t len, long *ends, size_t cap);
/* Whether the space-separated lowered words hold phrase as whole words. */
int ds_stmt_has_phrase(const char *words, const char *phrase);
/* Lower-case copy of s into out[0..cap) with every run of non-alphanumerics one space. */
void ds_stmt_lower_words(const char *s, char *out, size_t cap);
/* Lower-case copy of s into out[0..cap). */
void ds_stmt_lower_copy(const char *s, char *out, size_t cap);
/* Case-insensitive substring test over the first 600 bytes of hay (needle lower case). */
int ds_stmt_contains_ci(const char *hay, const char *needle);
/* The scale of a table from text around it (see statement_scale.c); strict takes only the
 * phrases that name a scale unambiguously. Keeps si when it is already found. */
void ds_stmt_find_scale(const char *text, int strict, scale_info *si);

/* ---- the document and one table ------------------------------------------------------------- */

typedef struct col_period {
    int ok;
    int year, month, day;
    int months; /* 0 unknown */
    char end[11];
} col_period;

typedef struct table_ctx {
    int collect; /* first pass: only learn fiscal year ends */
    /* Year-long columns with their own full date ("Year ended December 3, 2021"): the end of
     * each fiscal year, for columns that give only the year (52/53-week years end on
     * different days). */
    struct {
        int year;
        long end;
    } fy_end[MAX_FY_ENDS];
    size_t n_fy_end;
    ds_document *doc;
    const ds_chunk_list *chunks;
    ds_fact_list *out;
    const char *extractor;
    const ds_block *block;
    const ds_table *t;
    size_t bi;     /* block index */
    int doc_scale; /* the document states a scale somewhere: -1 not looked yet, 0 no, 1 yes */
    /* The last table that gave facts (second pass): a table right after it with no period
     * header of its own and as many value columns continues it (a balance sheet's equity
     * section printed after "Commitments and contingencies"). */
    struct {
        int valid;
        size_t bi, nv;
        int page, score, any_months, table_seq;
        col_period cp[MAX_COLS];
        scale_info sc;
        const char *currency, *dims;
    } last;
} table_ctx;

/* One table being read: what each step finds, for the steps after it. */
typedef struct stmt_table {
    const ds_table *t;
    size_t nr, nc;
    ds_dec_printed *nums; /* nr x nc cells as printed; owned */
    size_t hr;            /* header rows */
    size_t label_col;
    size_t vcols[MAX_COLS], nv;   /* value columns */
    ds_buf col_text[MAX_COLS];    /* header text over each value column */
    ds_buf ctx, around;           /* header cells and label-only top rows; text before the table */
    const char *ctx_s, *around_s; /* their text, never NULL once read */
    const char *segment;          /* "segment=<heading>" or NULL */
    scale_info sc;
    period_info pctx, paround; /* periods named by ctx and around */
    col_period cp[MAX_COLS];   /* period of each value column */
    int continued;             /* continues the last table (its columns, scale, currency) */
    int any_months, instant_table;
    const char *currency;
    long *section_of; /* nr: label-only row heading each row's section, or -1; owned */
    int score, cash_flow_table, table_seq;
    const char *entity; /* "entity=<title>" for a part of the group, or NULL */
} stmt_table;

/* The cell at row r, column c ("" for none). */
const char *ds_stmt_cell(const ds_table *t, size_t r, size_t c);
/* Whether s holds only white space (no-break spaces included). */
int ds_stmt_blank(const char *s);
/* The metric of body row r given the label-only row heading its section (-1 for none). */
const char *ds_stmt_row_metric(const ds_table *t, size_t r, size_t label_col, long section_row);
/* Counts the value cells (numbers and dashes) and percentages of body row r. */
void ds_stmt_row_values(const stmt_table *tb, size_t r, int *vals, int *pct);
/* DS_ERR_NOMEM with the message every step gives. */
ds_status ds_stmt_oom(const table_ctx *tc, ds_err *err);

/* statement_headers.c: header rows (0 when no body is left under them), label and value
 * columns (0 without value columns), and the context text. */
int ds_stmt_header_rows(stmt_table *tb);
int ds_stmt_columns(stmt_table *tb);
ds_status ds_stmt_context(const table_ctx *tc, stmt_table *tb, ds_err *err);

/* statement_scale.c */
int ds_stmt_doc_states_scale(table_ctx *tc);
const char *ds_stmt_currency(const table_ctx *tc, const char *context);

/* statement_kind.c: a segment heading over the table; tables of percentages; whether a
 * headerless table continues the last one; the statement's kind (0 when no row names a
 * metric); its score, entity and sequence, remembered as tc->last. */
const char *ds_stmt_segment(const table_ctx *tc);
int ds_stmt_percent_table(const table_ctx *tc, const char *ctx);
int ds_stmt_continues_last(const table_ctx *tc, const stmt_table *tb);
int ds_stmt_kind(const table_ctx *tc, stmt_table *tb);
ds_status ds_stmt_identity(table_ctx *tc, stmt_table *tb, ds_err *err);

/* statement_columns.c: the period of each value column (0 when none has one, or in the
 * collect pass, which only learns fiscal year ends), and the start of a flow's period. */
int ds_stmt_column_periods(table_ctx *tc, stmt_table *tb);
long ds_stmt_period_start(const table_ctx *tc, const col_period *cp);

/* statement_rows.c: the section of each row, then one fact per value cell of each row. */
ds_status ds_stmt_sections(const table_ctx *tc, stmt_table *tb, ds_err *err);
ds_status ds_stmt_row_facts(table_ctx *tc, stmt_table *tb, ds_err *err);

#endif
