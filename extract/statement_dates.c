/* statement_dates.c - periods in the header text of statement tables: durations ("Three
 * Months Ended", "52 weeks", "Fiscal Year"), dates and years, in words or numbers, and lines
 * that are only dates (see statement_internal.h).
 * Owns: nothing. Threading: reentrant, read-only tables.
 */
#include "extract/statement_internal.h"

#include "extract/dates.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const char *const month_names[12][2] = {
    {"january", "jan"},   {"february", "feb"}, {"march", "mar"},    {"april", "apr"},
    {"may", "may"},       {"june", "jun"},     {"july", "jul"},     {"august", "aug"},
    {"september", "sep"}, {"october", "oct"},  {"november", "nov"}, {"december", "dec"},
};

/* Lower-case copy with every run of non-alphanumerics one space. */
void ds_stmt_lower_words(const char *s, char *out, size_t cap)
{
    size_t o = 0;
    int sp = 1;
    for (const unsigned char *p = (const unsigned char *)s; *p && o + 2 < cap; p++) {
        if (isalnum(*p)) {
            out[o++] = (char)tolower(*p);
            sp = 0;
        } else if (!sp) {
            out[o++] = ' ';
            sp = 1;
        }
    }
    while (o && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
}

/* Is w (a word in a words string) a month? 1..12 or 0. */
static int month_of(const char *w, size_t n)
{
    for (int m = 0; m < 12; m++) {
        if (strlen(month_names[m][0]) == n && strncmp(w, month_names[m][0], n) == 0)
            return m + 1;
        if (strlen(month_names[m][1]) == n && strncmp(w, month_names[m][1], n) == 0)
            return m + 1;
        if (m == 8 && n == 4 && strncmp(w, "sept", 4) == 0)
            return 9;
    }
    return 0;
}

static int word_num(const char *w, size_t n)
{
    if (n == 0 || n > 4)
        return -1;
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)w[i]))
            return -1;
        v = v * 10 + (w[i] - '0');
    }
    return v;
}

/* Whether words (lowered, one space between) hold phrase as whole words. */
int ds_stmt_has_phrase(const char *words, const char *phrase)
{
    size_t n = strlen(phrase);
    for (const char *p = strstr(words, phrase); p; p = strstr(p + 1, phrase))
        if ((p == words || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
            return 1;
    return 0;
}

/* Duration phrases of period headers and the months they mean; the first listed that a text
 * holds is its duration. */
static const struct {
    const char *phrase;
    int months;
} durations[] = {
    {"three months", 3},   {"3 months", 3},
    {"first quarter", 3},  {"second quarter", 3},
    {"third quarter", 3},  {"fourth quarter", 3},
    {"quarter ended", 3},  {"quarter ending", 3},
    {"quarters ended", 3}, {"quarters ending", 3},
    {"13 weeks", 3},       {"thirteen weeks", 3},
    {"three month", 3},    {"six months", 6},
    {"6 months", 6},       {"26 weeks", 6},
    {"six month", 6},      {"nine months", 9},
    {"9 months", 9},       {"39 weeks", 9},
    {"nine month", 9},     {"twelve months", 12},
    {"12 months", 12},     {"year ended", 12},
    {"years ended", 12},   {"year ending", 12},
    {"years ending", 12},  {"fiscal year", 12},
    {"fiscal years", 12},  {"52 weeks", 12},
    {"53 weeks", 12},      {"for the year", 12},
    {"fiscal", 12},        {"fy", 12},
};

/* Reads durations, dates and years from header text. With anchored, a month and day count
 * only right after "ended", "ending", "as of", "as at" or "at" (text around a table). */
void ds_stmt_parse_period(const char *text, int anchored, period_info *pi)
{
    char w[1200];
    ds_stmt_lower_words(text, w, sizeof w);
    if (!pi->months)
        for (size_t i = 0; i < sizeof durations / sizeof durations[0]; i++)
            if (ds_stmt_has_phrase(w, durations[i].phrase)) {
                pi->months = durations[i].months;
                break;
            }
    /* Walk the words. */
    const char *prev[3] = {"", "", ""};
    size_t prevn[3] = {0, 0, 0};
    for (const char *p = w; *p;) {
        const char *e = strchr(p, ' ');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        int m = month_of(p, n);
        int num = word_num(p, n);
        /* "fy2023", "fy23" */
        if (n >= 4 && n <= 6 && p[0] == 'f' && p[1] == 'y' && word_num(p + 2, n - 2) >= 0) {
            int y = word_num(p + 2, n - 2);
            if (n == 4)
                y += 2000;
            if (y >= 1900 && y <= 2100 && pi->n_years < 8)
                pi->years[pi->n_years++] = y;
            if (!pi->year && y >= 1900 && y <= 2100)
                pi->year = y;
            if (!pi->months)
                pi->months = 12;
        } else if (num >= 1900 && num <= 2100 && n == 4) {
            if (pi->n_years < 8)
                pi->years[pi->n_years++] = num;
            if (!pi->year)
                pi->year = num;
        } else if (m && !pi->month) {
            /* month day | day month */
            const char *nx = e ? e + 1 : "";
            const char *nxe = strchr(nx, ' ');
            size_t nxn = nxe ? (size_t)(nxe - nx) : strlen(nx);
            int day = word_num(nx, nxn);
            int pday = word_num(prev[0], prevn[0]);
            int dd = day >= 1 && day <= 31 ? day : (pday >= 1 && pday <= 31 ? pday : 0);
            int anchor_ok = !anchored;
            /* the words before "month" (or before "day month") */
            int back = (dd && dd == pday && !(day >= 1 && day <= 31)) ? 1 : 0;
            const char *a1 = prev[back], *a2 = back + 1 < 3 ? prev[back + 1] : "";
            size_t a1n = prevn[back], a2n = back + 1 < 3 ? prevn[back + 1] : 0;
            if ((a1n == 5 && strncmp(a1, "ended", 5) == 0) || (a1n == 6 && strncmp(a1, "ending", 6) == 0) ||
                (a1n == 2 && strncmp(a1, "at", 2) == 0) ||
                (a1n == 2 && strncmp(a1, "of", 2) == 0 && a2n == 2 && strncmp(a2, "as", 2) == 0) ||
                (a1n == 2 && strncmp(a1, "at", 2) == 0 && a2n == 2 && strncmp(a2, "as", 2) == 0))
                anchor_ok = 1;
            if (dd && anchor_ok) {
                pi->month = m;
                pi->day = dd;
            }
        }
        prev[2] = prev[1];
        prevn[2] = prevn[1];
        prev[1] = prev[0];
        prevn[1] = prevn[0];
        prev[0] = p;
        prevn[0] = n;
        p = e ? e + 1 : p + n;
    }
}

/* The durations a text names, in the order it names them ("Three Months Ended June 30,
 * Twelve Months Ended June 30,": 3 then 12), at most cap; the count. */
size_t ds_stmt_durations_in_order(const char *text, int *months, size_t cap)
{
    char w[1200];
    ds_stmt_lower_words(text, w, sizeof w);
    size_t n = 0;
    for (const char *p = w; *p && n < cap;) {
        int hit = 0;
        size_t hl = 0;
        for (size_t i = 0; i < sizeof durations / sizeof durations[0] && !hit; i++) {
            size_t l = strlen(durations[i].phrase);
            if (!strncmp(p, durations[i].phrase, l) && (p[l] == ' ' || p[l] == '\0'))
                hit = durations[i].months, hl = l;
        }
        if (hit)
            months[n++] = hit;
        p += hit ? hl : strcspn(p, " ");
        while (*p == ' ')
            p++;
    }
    return n;
}

/* Full dates ("July 31, 2023") a short line names, in order, as day numbers into ends (at most
 * cap); the count, or 0 when the line says more than the dates and a word or two ("As of"). */
size_t ds_stmt_line_of_dates(const char *text, size_t len, long *ends, size_t cap)
{
    char raw[DATES_LINE_MAX + 1], w[2 * DATES_LINE_MAX + 2];
    if (len > DATES_LINE_MAX)
        return 0;
    memcpy(raw, text, len);
    raw[len] = '\0';
    ds_stmt_lower_words(raw, w, sizeof w);
    size_t n = 0, other = 0;
    for (const char *p = w; *p;) {
        const char *q[3];
        size_t l[3];
        int k = 0;
        for (const char *r = p; k < 3 && *r; k++) {
            q[k] = r;
            l[k] = strcspn(r, " ");
            r += l[k];
            while (*r == ' ')
                r++;
        }
        int m = month_of(p, l[0]);
        int day = k == 3 ? word_num(q[1], l[1]) : -1, year = k == 3 ? word_num(q[2], l[2]) : -1;
        if (m && day >= 1 && day <= ds_date_days_in_month(year > 0 ? year : 2000, m) && l[2] == 4 && year >= 1900 &&
            year <= 2100) {
            if (n < cap)
                ends[n] = ds_date_from_ymd(year, m, day);
            n++;
            p = q[2] + l[2];
        } else {
            other++;
            p += l[0];
        }
        while (*p == ' ')
            p++;
    }
    return other <= 2 && n <= cap ? n : 0;
}
