/* statement_columns.c - the period of each value column of a statement table: the year, end
 * date and duration its header names, completed from the text over and around the table, the
 * durations of column groups, a line of dates above a headerless table, and the fiscal
 * calendar the document's tables teach (52/53-week years, fiscal year ends) (see
 * statement_internal.h).
 * Owns: nothing. Threading: reentrant; the fiscal year ends live in the caller's table_ctx.
 */
#include "extract/statement_internal.h"

#include "extract/dates.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* The year a fiscal year ending on end is named by: an end in the first week of January
 * closes the year before (a 52/53-week year ending January 1, 2023 is fiscal 2022). */
static int fiscal_year_of(long end)
{
    int y, m, d;
    ds_date_to_ymd(end, &y, &m, &d);
    return m == 1 && d <= 7 ? y - 1 : y;
}

/* Durations the line right above the table names in order ("Three Months Ended June 30,
 * Twelve Months Ended June 30," over "2022 | 2023 | 2022 | 2023"): one a group of the nv value
 * columns, into months (at most cap). The count of groups, 0 when the line names fewer than two
 * different durations or they do not divide the columns evenly. */
static size_t column_group_durations(const table_ctx *tc, size_t nv, int *months, size_t cap)
{
    if (tc->bi == 0 || tc->doc->blocks[tc->bi - 1].kind == DS_BLOCK_KIND_TABLE)
        return 0;
    const ds_block *b = &tc->doc->blocks[tc->bi - 1];
    char line[CONTEXT_BYTES + 1];
    size_t n = b->text_len < CONTEXT_BYTES ? b->text_len : CONTEXT_BYTES;
    memcpy(line, tc->doc->text.data + b->text_off, n);
    line[n] = '\0';
    size_t groups = ds_stmt_durations_in_order(line, months, cap);
    int differ = 0;
    for (size_t k = 1; k < groups; k++)
        differ |= months[k] != months[0];
    return groups >= 2 && differ && nv % groups == 0 ? groups : 0;
}

/* A headerless table under a line of as many dates as it has value columns ("July 31, 2023
 * January 31, 2023", among the CONTEXT_BLOCKS before it): the columns' period ends, in order,
 * with months as the text around states. 1 when found. */
static int dates_line_periods(const table_ctx *tc, size_t nv, int months, col_period *cp)
{
    for (size_t k = 1; k <= CONTEXT_BLOCKS && k <= tc->bi; k++) {
        const ds_block *b = &tc->doc->blocks[tc->bi - k];
        long ends[MAX_COLS];
        if (b->kind == DS_BLOCK_KIND_TABLE)
            return 0;
        if (ds_stmt_line_of_dates(tc->doc->text.data + b->text_off, b->text_len, ends, MAX_COLS) != nv)
            continue;
        for (size_t j = 0; j < nv; j++) {
            memset(&cp[j], 0, sizeof cp[j]);
            cp[j].ok = 1;
            ds_date_to_ymd(ends[j], &cp[j].year, &cp[j].month, &cp[j].day);
            cp[j].months = months;
            ds_date_format(ends[j], cp[j].end);
        }
        return 1;
    }
    return 0;
}

/* Day of the week, 0 Sunday (1970-01-01 was a Thursday). */
static int weekday(long days)
{
    return (int)(((days % 7) + 7 + 4) % 7);
}

/* Is the fiscal year a 52/53-week one: the learnt ends fall on one weekday and two of them are
 * 364 or 371 days apart? *fiscal_month: the month the years end in (an end in the first days
 * of a month counts for the month before); *nearest: the end is the weekday nearest the month
 * end (some end falls in the next month) rather than the last such weekday of the month. */
static int weekly_calendar(const table_ctx *tc, int *fiscal_month, int *nearest)
{
    if (tc->n_fy_end < 2)
        return 0;
    int wd = weekday(tc->fy_end[0].end), pairs = 0, spill = 0, count[13] = {0};
    for (size_t i = 0; i < tc->n_fy_end; i++) {
        int y, m, d;
        if (weekday(tc->fy_end[i].end) != wd)
            return 0;
        ds_date_to_ymd(tc->fy_end[i].end, &y, &m, &d);
        if (d <= 7) {
            spill = 1;
            m = m == 1 ? 12 : m - 1;
        }
        count[m]++;
        for (size_t k = i + 1; k < tc->n_fy_end; k++) {
            long diff = labs(tc->fy_end[i].end - tc->fy_end[k].end);
            pairs += diff == 364 || diff == 371;
        }
    }
    if (!pairs)
        return 0;
    int best = 1;
    for (int m = 2; m <= 12; m++)
        if (count[m] > count[best])
            best = m;
    if (fiscal_month)
        *fiscal_month = best;
    if (nearest)
        *nearest = spill;
    return 1;
}

/* Days from c to the nearest last day of month fm. */
static long month_end_distance(long c, int fm)
{
    int y, m, d;
    ds_date_to_ymd(c, &y, &m, &d);
    long best = LONG_MAX;
    for (int yy = y - 1; yy <= y + 1; yy++) {
        long a = ds_date_from_ymd(yy, fm, ds_date_days_in_month(yy, fm));
        if (labs(c - a) < best)
            best = labs(c - a);
    }
    return best;
}

/* The end of the fiscal year before the one ending on end: learnt from the tables, else from a
 * 52/53-week calendar; LONG_MIN when unknown. */
static long prior_fy_end(const table_ctx *tc, long end)
{
    for (size_t k = 0; k < tc->n_fy_end; k++) {
        long d = end - tc->fy_end[k].end;
        if (d >= 350 && d <= 380)
            return tc->fy_end[k].end;
    }
    int fm, nearest;
    if (!weekly_calendar(tc, &fm, &nearest))
        return LONG_MIN;
    long c1 = end - 364, c2 = end - 371;
    if (nearest)
        return month_end_distance(c1, fm) <= month_end_distance(c2, fm) ? c1 : c2;
    /* the last such weekday of the month: the candidate in the month's last 7 days */
    int y, m, d;
    ds_date_to_ymd(c1, &y, &m, &d);
    return m == fm && d > ds_date_days_in_month(y, m) - 7 ? c1 : c2;
}

/* The commonest month and day among the fiscal year ends learnt; 0 when none. */
static void common_fy_end(const table_ctx *tc, int *month, int *day)
{
    int best = 0;
    for (size_t i = 0; i < tc->n_fy_end; i++) {
        int y, m, d, n = 0;
        ds_date_to_ymd(tc->fy_end[i].end, &y, &m, &d);
        for (size_t k = 0; k < tc->n_fy_end; k++) {
            int y2, m2, d2;
            ds_date_to_ymd(tc->fy_end[k].end, &y2, &m2, &d2);
            n += m2 == m && d2 == d;
        }
        if (n > best) {
            best = n;
            *month = m;
            *day = d;
        }
    }
}

/* The periods the text over and around the table names; a date in the header cells themselves
 * counts without an anchor ("December 31,"). */
static void table_periods(stmt_table *tb)
{
    ds_stmt_parse_period(tb->ctx_s, 1, &tb->pctx);
    ds_stmt_parse_period(tb->around_s, 1, &tb->paround);
    if (tb->pctx.month)
        return;
    period_info loose = {0};
    char hdr_nums[1200] = "";
    size_t o = 0;
    for (size_t r = 0; r < tb->hr; r++)
        for (size_t c = 0; c < tb->nc; c++) {
            const char *s = ds_stmt_cell(tb->t, r, c);
            size_t n = strlen(s);
            if (o + n + 2 < sizeof hdr_nums) {
                memcpy(hdr_nums + o, s, n);
                o += n;
                hdr_nums[o++] = ' ';
                hdr_nums[o] = '\0';
            }
        }
    ds_stmt_parse_period(hdr_nums, 0, &loose);
    tb->pctx.month = loose.month;
    tb->pctx.day = loose.day;
}

/* The period value column j's header names (pc); 0 when it names no year, or a comparison or
 * a ratio rather than a period, or its cells are mostly percentages. */
static int column_header_period(const stmt_table *tb, size_t j, period_info *pc)
{
    const char *ct = tb->col_text[j].data ? tb->col_text[j].data : "";
    ds_stmt_parse_period(ct, 0, pc);
    const char *forced = strchr(ct, '\x01'); /* a year split out of a shared cell */
    if (forced) {
        int y = 0;
        for (const char *p = forced + 1; isdigit((unsigned char)*p); p++)
            y = y * 10 + (*p - '0');
        pc->year = y;
    }
    if (!pc->year)
        return 0;
    /* "2015 vs. 2014", "Change", "% Increase", "Percent to Sales": a comparison or a ratio,
     * not a period */
    char lc[600];
    ds_stmt_lower_copy(ct, lc, sizeof lc);
    if (strstr(lc, " vs") || strstr(lc, "versus") || strstr(lc, "change") || strstr(lc, "variance") ||
        strstr(lc, "increase") || strstr(lc, "decrease") || strchr(lc, '%') || strstr(lc, "percent"))
        return 0;
    size_t n_pct = 0, n_val = 0;
    for (size_t r = tb->hr; r < tb->nr; r++) {
        n_pct += tb->nums[r * tb->nc + tb->vcols[j]].kind == DS_DEC_PRINTED_PERCENT;
        n_val += tb->nums[r * tb->nc + tb->vcols[j]].kind == DS_DEC_PRINTED_VALUE;
    }
    return n_pct <= n_val;
}

/* The end date of a column whose header names pc: the column's own; else the fiscal year end
 * learnt from the document for a year-long or balance-sheet column; else the table's; else the
 * document's period end day; else the commonest fiscal year end day of the document; else
 * December 31. */
static void column_end(const table_ctx *tc, const stmt_table *tb, const period_info *pc, col_period *cp)
{
    long learnt = LONG_MIN;
    if (!pc->month && (cp->months == 0 || cp->months == 12))
        for (size_t k = 0; k < tc->n_fy_end; k++)
            if (tc->fy_end[k].year == pc->year)
                learnt = tc->fy_end[k].end;
    if (learnt != LONG_MIN) {
        int y;
        ds_date_to_ymd(learnt, &y, &cp->month, &cp->day);
        cp->year = y;
    } else {
        int meta_m = 0, meta_d = 0, cm = 0, cd = 0;
        long meta_days;
        if (tc->doc->meta.period_end && ds_date_parse(tc->doc->meta.period_end, &meta_days) == 0) {
            int y;
            ds_date_to_ymd(meta_days, &y, &meta_m, &meta_d);
        }
        common_fy_end(tc, &cm, &cd);
        const period_info *px = &tb->pctx, *pa = &tb->paround;
        cp->month = pc->month   ? pc->month
                    : px->month ? px->month
                    : pa->month ? pa->month
                    : meta_m    ? meta_m
                    : cm        ? cm
                                : 12;
        cp->day = pc->month ? pc->day : px->month ? px->day : pa->month ? pa->day : meta_m ? meta_d : cm ? cd : 31;
        /* a year-long or balance column named by its year alone, whose fiscal year ends in
         * the first week of January (a 52/53-week year): the year closes the next January */
        if (!pc->month && cp->month == 1 && cp->day <= 7 && (cp->months == 0 || cp->months == 12))
            cp->year++;
    }
    int dim = ds_date_days_in_month(cp->year, cp->month);
    if (cp->day > dim)
        cp->day = dim;
    ds_date_format(ds_date_from_ymd(cp->year, cp->month, cp->day), cp->end);
}

/* First pass: a year-long column with its own full date teaches its fiscal year's end. */
static void learn_fy_end(table_ctx *tc, const period_info *pc, const col_period *cp)
{
    if (!tc->collect || !pc->month || cp->months != 12 || tc->n_fy_end >= MAX_FY_ENDS)
        return;
    long e = ds_date_from_ymd(cp->year, cp->month, cp->day);
    int fy = fiscal_year_of(e);
    for (size_t k = 0; k < tc->n_fy_end; k++)
        if (tc->fy_end[k].year == fy)
            return;
    tc->fy_end[tc->n_fy_end].year = fy;
    tc->fy_end[tc->n_fy_end].end = e;
    tc->n_fy_end++;
}

int ds_stmt_column_periods(table_ctx *tc, stmt_table *tb)
{
    size_t nv = tb->nv;
    table_periods(tb);
    int group_months[8];
    size_t n_group = column_group_durations(tc, nv, group_months, 8);
    for (size_t j = 0; j < nv; j++) {
        col_period *cp = &tb->cp[j];
        memset(cp, 0, sizeof *cp);
        period_info pc = {0};
        if (!column_header_period(tb, j, &pc))
            continue;
        cp->year = pc.year;
        cp->months = pc.months         ? pc.months
                     : tb->pctx.months ? tb->pctx.months
                     : n_group         ? group_months[j / (nv / n_group)]
                                       : tb->paround.months;
        column_end(tc, tb, &pc, cp);
        learn_fy_end(tc, &pc, cp);
        cp->ok = 1;
    }
    if (tc->collect)
        return 0;
    /* Columns sharing one period are not period columns (a fair-value table dated once). */
    for (size_t j = 0; j < nv; j++)
        for (size_t k = j + 1; k < nv; k++)
            if (tb->cp[j].year && tb->cp[k].year && !strcmp(tb->cp[j].end, tb->cp[k].end) &&
                (tb->cp[j].months ? tb->cp[j].months : 12) == (tb->cp[k].months ? tb->cp[k].months : 12))
                tb->cp[j].ok = tb->cp[k].ok = 0;
    int any_period = 0;
    for (size_t j = 0; j < nv; j++)
        any_period |= tb->cp[j].ok;
    /* A table with no header and no period of its own right after a statement continues it:
     * its columns, scale and currency are the statement's. */
    tb->continued = !any_period && tb->hr == 0 && ds_stmt_continues_last(tc, tb);
    if (tb->continued) {
        memcpy(tb->cp, tc->last.cp, nv * sizeof tb->cp[0]);
        tb->sc = tc->last.sc;
        any_period = 1;
    }
    if (!any_period && tb->hr == 0)
        any_period = dates_line_periods(tc, nv, tb->pctx.months ? tb->pctx.months : tb->paround.months, tb->cp);
    return any_period;
}

long ds_stmt_period_start(const table_ctx *tc, const col_period *cp)
{
    long end_days;
    ds_date_parse(cp->end, &end_days);
    int months = cp->months ? cp->months : 12;
    long prior = months == 12 ? prior_fy_end(tc, end_days) : LONG_MIN;
    if (prior != LONG_MIN)
        return prior + 1;
    if (weekly_calendar(tc, NULL, NULL) && (months == 3 || months == 6 || months == 9))
        return end_days - (long)months / 3 * 91 + 1; /* 13, 26, 39 weeks */
    return ds_date_period_start(end_days, months);
}
