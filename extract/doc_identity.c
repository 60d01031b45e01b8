/* doc_identity.c - a PDF filing's identity from its cover page, headline and statement headers
 * (see doc_identity.h). Works on doc->text page by page, line by line; every search is bounded
 * by the page and line it runs in. Reentrant, no state. */
#include "extract/doc_identity.h"

#include "extract/dates.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define COVER_PAGES 6    /* an SEC cover sits in the first pages (after an annual report's letter) */
#define HEADER_PAGES 60  /* statement headers of an earnings release */
#define NAME_MAX_LEN 120 /* a registrant's name is one short line */

typedef struct span {
    const char *s;
    size_t n;
} span;

/* ---- small text helpers ---- */

static span page_text(const ds_document *doc, int p)
{
    size_t a = doc->page_offsets[p - 1];
    size_t b = p < doc->n_pages ? doc->page_offsets[p] : doc->text.len;
    if (b < a || b > doc->text.len)
        b = a;
    return (span){doc->text.data + a, b - a};
}

/* The next line of t from *pos, trimmed of spaces; 0 at the end. */
static int next_line(span t, size_t *pos, span *line)
{
    if (*pos >= t.n)
        return 0;
    const char *nl = memchr(t.s + *pos, '\n', t.n - *pos);
    size_t a = *pos, b = nl ? (size_t)(nl - t.s) : t.n;
    *pos = nl ? b + 1 : t.n;
    while (a < b && isspace((unsigned char)t.s[a]))
        a++;
    while (b > a && isspace((unsigned char)t.s[b - 1]))
        b--;
    *line = (span){t.s + a, b - a};
    return 1;
}

/* Offset of needle (ASCII, lower case) in s case-insensitively, or -1. */
static long find_ci(span s, const char *needle)
{
    size_t m = strlen(needle);
    for (size_t i = 0; m && i + m <= s.n; i++) {
        size_t k = 0;
        while (k < m && tolower((unsigned char)s.s[i + k]) == needle[k])
            k++;
        if (k == m)
            return (long)i;
    }
    return -1;
}

static int starts_ci(span s, const char *prefix)
{
    size_t m = strlen(prefix);
    if (s.n < m)
        return 0;
    for (size_t i = 0; i < m; i++)
        if (tolower((unsigned char)s.s[i]) != prefix[i])
            return 0;
    return 1;
}

/* Copies s into the arena with whitespace runs made single spaces, cut at max bytes on a UTF-8
 * boundary. NULL when out of memory. */
static const char *keep(ds_document *doc, span s, size_t max)
{
    char buf[512];
    size_t o = 0;
    if (max >= sizeof buf)
        max = sizeof buf - 1;
    for (size_t i = 0; i < s.n && o < max; i++) {
        unsigned char c = (unsigned char)s.s[i];
        if (isspace(c)) {
            if (o && buf[o - 1] != ' ')
                buf[o++] = ' ';
            continue;
        }
        buf[o++] = (char)c;
    }
    while (o && ((unsigned char)buf[o - 1] & 0xC0) == 0x80) /* drop a cut multi-byte tail */
        o--;
    if (o && (unsigned char)buf[o - 1] >= 0xC0)
        o--;
    while (o && buf[o - 1] == ' ')
        o--;
    buf[o] = '\0';
    return ds_doc_strdup(doc, buf);
}

static ds_status set_field(ds_document *doc, ds_id_field *f, span value, int page, span quote, ds_err *err)
{
    f->value = keep(doc, value, NAME_MAX_LEN);
    f->quote = keep(doc, quote, DS_ID_QUOTE_MAX);
    f->page = page;
    if (!f->value || !f->quote)
        return ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    return DS_OK;
}

static span cstr(const char *s)
{
    return (span){s, strlen(s)};
}

/* ---- printed dates ---- */

static const char *const months[12] = {"january", "february", "march",     "april",   "may",      "june",
                                       "july",    "august",   "september", "october", "november", "december"};

/* Month name (full, or three letters with an optional dot) at s; 1..12 with *used, else 0. */
static int month_at(const char *s, size_t n, size_t *used)
{
    for (int m = 0; m < 12; m++) {
        size_t full = strlen(months[m]);
        size_t k = 0;
        while (k < full && k < n && tolower((unsigned char)s[k]) == months[m][k])
            k++;
        if (k == full || (k >= 3 && (k == n || !isalpha((unsigned char)s[k])))) {
            if (k < full && k != 3 && !(m == 8 && k == 4)) /* "Sept" */
                continue;
            *used = k + (k < full && k < n && s[k] == '.');
            return m + 1;
        }
    }
    return 0;
}

static size_t skip_ws(const char *s, size_t n, size_t i)
{
    while (i < n && (isspace((unsigned char)s[i]) || s[i] == ','))
        i++;
    return i;
}

static int number_at(const char *s, size_t n, size_t *i, int max_digits)
{
    int v = 0, d = 0;
    while (*i < n && d < max_digits && isdigit((unsigned char)s[*i]))
        v = v * 10 + (s[(*i)++] - '0'), d++;
    return d ? v : -1;
}

/* A printed date at s: "December 31, 2020", "Dec. 31 2020", "31 December 2020". 0 with *days and
 * *used on success; -1 otherwise. */
static int date_at(const char *s, size_t n, long *days, size_t *used)
{
    size_t i = 0, k;
    int y, m, d;
    if ((m = month_at(s, n, &k)) != 0) {
        i = skip_ws(s, n, k);
        d = number_at(s, n, &i, 2);
        i = skip_ws(s, n, i);
        y = number_at(s, n, &i, 4);
    } else {
        d = number_at(s, n, &i, 2);
        i = skip_ws(s, n, i);
        if (d < 0 || !(m = month_at(s + i, n - i, &k)))
            return -1;
        i = skip_ws(s, n, i + k);
        y = number_at(s, n, &i, 4);
    }
    if (d < 1 || y < 1900 || y > 2199 || (i < n && isdigit((unsigned char)s[i])) || d > ds_date_days_in_month(y, m))
        return -1;
    *days = ds_date_from_ymd(y, m, d);
    *used = i;
    return 0;
}

/* The first date within 40 bytes after offset off of t. */
static int date_after(span t, size_t off, long *days)
{
    size_t used;
    for (size_t i = off; i < t.n && i < off + 40; i++)
        if ((i == 0 || !isalnum((unsigned char)t.s[i - 1])) && date_at(t.s + i, t.n - i, days, &used) == 0)
            return 0;
    return -1;
}

/* The line of t around offset off. */
static span line_around(span t, size_t off)
{
    size_t a = off, b = off;
    while (a > 0 && t.s[a - 1] != '\n')
        a--;
    while (b < t.n && t.s[b] != '\n')
        b++;
    while (a < b && isspace((unsigned char)t.s[a]))
        a++;
    return (span){t.s + a, b - a};
}

static ds_status set_date(ds_document *doc, ds_id_field *f, long days, int page, span quote, ds_err *err)
{
    char iso[11];
    ds_date_format(days, iso);
    return set_field(doc, f, cstr(iso), page, quote, err);
}

/* ---- the form ---- */

static const char *const sec_forms[] = {"10-k", "10-q", "8-k", "20-f", "40-f", "10-kt", "10-qt"};

/* "FORM 10-K" alone on a line: the SEC form in upper case, else NULL. */
static const char *form_line(span line, char out[8])
{
    if (line.n > 24 || !starts_ci(line, "form "))
        return NULL;
    span rest = {line.s + 5, line.n - 5};
    while (rest.n && rest.s[0] == ' ')
        rest.s++, rest.n--;
    for (size_t i = 0; i < sizeof sec_forms / sizeof sec_forms[0]; i++) {
        size_t m = strlen(sec_forms[i]);
        if (starts_ci(rest, sec_forms[i]) && (rest.n == m || !isalnum((unsigned char)rest.s[m]))) {
            for (size_t k = 0; k <= m; k++)
                out[k] = (char)toupper((unsigned char)sec_forms[i][k]);
            return out;
        }
    }
    return NULL;
}

/* The SEC cover page: a page of the first ones naming the Commission and a form line. Sets
 * the sec_form field; returns the page or 0. */
static int find_cover(ds_document *doc, ds_doc_identity *id, ds_err *err, ds_status *st)
{
    for (int p = 1; p <= doc->n_pages && p <= COVER_PAGES; p++) {
        span t = page_text(doc, p), line;
        if (find_ci(t, "securities and exchange commission") < 0)
            continue;
        char form[8];
        for (size_t pos = 0; next_line(t, &pos, &line);)
            if (form_line(line, form)) {
                *st = set_field(doc, &id->sec_form, cstr(form), p, line, err);
                return p;
            }
    }
    return 0;
}

/* A title line "2023 Annual Report" / "Annual Report 2023" on a page before the cover. */
static int annual_report_title(ds_document *doc, int before, span *quote)
{
    for (int p = 1; p < before || (before == 0 && p <= 2); p++) {
        if (p > doc->n_pages)
            break;
        span t = page_text(doc, p), line;
        for (size_t pos = 0; next_line(t, &pos, &line);)
            if (line.n <= 60 && find_ci(line, "annual report") >= 0 && find_ci(line, "pursuant") < 0 &&
                find_ci(line, "form") < 0) {
                *quote = line;
                return p;
            }
    }
    return 0;
}

/* An earnings release's headline on the first page: a news-release banner or a line that
 * reports results. */
static int release_headline(ds_document *doc, span *quote)
{
    if (doc->n_pages < 1)
        return 0;
    span t = page_text(doc, 1), line, banner = {NULL, 0};
    for (size_t pos = 0; next_line(t, &pos, &line);) {
        if (line.n <= 40 && (find_ci(line, "news release") >= 0 || find_ci(line, "press release") >= 0 ||
                             find_ci(line, "for immediate release") >= 0)) {
            if (!banner.s)
                banner = line;
            continue;
        }
        if (line.n <= 160 && find_ci(line, "results") >= 0 &&
            (find_ci(line, " reports ") >= 0 || find_ci(line, " announces ") >= 0 || find_ci(line, " posts ") >= 0 ||
             find_ci(line, " reported ") >= 0 || find_ci(line, " delivers ") >= 0)) {
            *quote = line;
            return 1;
        }
    }
    if (banner.s)
        *quote = banner;
    return banner.s != NULL;
}

static ds_status read_form(ds_document *doc, ds_doc_identity *id, int *cover, ds_err *err)
{
    ds_status st = DS_OK;
    *cover = find_cover(doc, id, err, &st);
    span q;
    int p;
    if (st != DS_OK)
        return st;
    if ((!id->sec_form.value || !strcmp(id->sec_form.value, "10-K")) && (p = annual_report_title(doc, *cover, &q)))
        return set_field(doc, &id->form, cstr("annual report"), p, q, err);
    if (id->sec_form.value)
        return set_field(doc, &id->form, cstr(id->sec_form.value), id->sec_form.page, cstr(id->sec_form.quote), err);
    if (release_headline(doc, &q))
        return set_field(doc, &id->form, cstr("earnings release"), 1, q, err);
    return DS_OK;
}

/* ---- the registrant ---- */

static const char *const legal_forms[] = {"inc", "incorporated", "corp",    "corporation", "co",   "company",
                                          "plc", "ltd",          "limited", "llc",         "lp",   "partnership",
                                          "nv",  "sa",           "ag",      "se",          "trust"};

/* Whether word (letters and dots) is a legal form. */
static int legal_word(const char *s, size_t n)
{
    char w[16];
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < sizeof w; i++)
        if (isalpha((unsigned char)s[i]))
            w[o++] = (char)tolower((unsigned char)s[i]);
    w[o] = '\0';
    for (size_t i = 0; i < sizeof legal_forms / sizeof legal_forms[0]; i++)
        if (!strcmp(w, legal_forms[i]))
            return 1;
    return 0;
}

/* Whether the name's last word is a legal form ("Salesforce, Inc.", "AMCOR PLC"). */
static int ends_legal(span s)
{
    size_t b = s.n;
    while (b && (s.s[b - 1] == '.' || s.s[b - 1] == ',' || s.s[b - 1] == ' '))
        b--;
    size_t a = b;
    while (a && !isspace((unsigned char)s.s[a - 1]) && s.s[a - 1] != ',')
        a--;
    return b > a && legal_word(s.s + a, b - a);
}

/* A line that can be a registrant's name: short, has a letter, not a caption or a number. */
static int name_like(span l)
{
    if (l.n < 2 || l.n > NAME_MAX_LEN || l.s[0] == '(' || find_ci(l, "commission") >= 0 ||
        find_ci(l, "file number") >= 0 || find_ci(l, "ended") >= 0 || find_ci(l, "transition") >= 0 ||
        memchr(l.s, ':', l.n) || find_ci(l, "registrant") >= 0)
        return 0;
    int letters = 0;
    for (size_t i = 0; i < l.n; i++)
        letters += isalpha((unsigned char)l.s[i]) != 0;
    return letters >= 2;
}

/* Up to 6 lines before offset end of t, nearest first, empty lines skipped. */
static int lines_before(span t, size_t end, span *out, int cap)
{
    int n = 0;
    size_t b = end;
    while (n < cap && b > 0) {
        size_t e = b;
        while (e > 0 && t.s[e - 1] == '\n')
            e--;
        if (e == 0)
            break;
        size_t a = e;
        while (a > 0 && t.s[a - 1] != '\n')
            a--;
        span l = line_around(t, a);
        l.n = e - (size_t)(l.s - t.s);
        while (l.n && isspace((unsigned char)l.s[l.n - 1]))
            l.n--;
        if (l.n)
            out[n++] = l;
        b = a;
    }
    return n;
}

/* The cover's name: the topmost of the name lines just above "(Exact name of registrant(s) ...)"
 * (a combined filing lists its registrants there, the parent first), else the line after
 * "Commission file number". */
static ds_status cover_company(ds_document *doc, ds_doc_identity *id, int page, ds_err *err)
{
    span t = page_text(doc, page), above[6], line;
    long at = find_ci(t, "exact name of registrant");
    if (at >= 0) {
        span cap = line_around(t, (size_t)at);
        int n = lines_before(t, (size_t)(cap.s - t.s), above, 6), top = -1;
        for (int i = 0; i < n && i < 3 && name_like(above[i]); i++)
            top = i;
        if (top >= 0)
            return set_field(doc, &id->company, above[top], page, above[top], err);
    }
    int after = 0;
    for (size_t pos = 0; next_line(t, &pos, &line);) {
        if (find_ci(line, "commission file number") >= 0) {
            after = 1;
        } else if (after && line.n) {
            if (name_like(line))
                return set_field(doc, &id->company, line, page, line, err);
            break;
        }
    }
    return DS_OK;
}

/* Trims a name found before a statement title: trailing "and Subsidiaries", spaces, dashes. */
static span trim_name(span s, int *subsidiaries)
{
    long k = find_ci(s, " and subsidiaries");
    if (k < 0)
        k = find_ci(s, " and its subsidiaries");
    *subsidiaries = k >= 0;
    if (k >= 0)
        s.n = (size_t)k;
    while (s.n && (isspace((unsigned char)s.s[s.n - 1]) || s.s[s.n - 1] == '-' || s.s[s.n - 1] == '|'))
        s.n--;
    while (s.n && isspace((unsigned char)s.s[0]))
        s.s++, s.n--;
    return s;
}

/* The statement title in line: offset of "consolidated" in a line naming a statement or a
 * balance sheet, or -1. */
static long statement_title(span line)
{
    long c = find_ci(line, "consolidated");
    if (c < 0 || line.n > 200)
        return -1;
    span rest = {line.s + c, line.n - (size_t)c};
    return find_ci(rest, "statement") >= 0 || find_ci(rest, "balance sheet") >= 0 ? c : -1;
}

/* The name printed with a statement title: before it on its line ("Salesforce, Inc. Condensed
 * Consolidated ...", "X and Subsidiaries Consolidated ..."), or on a line just above it. A name
 * counts when it ends in a legal form or is followed by "and Subsidiaries". */
static int header_name(span t, span line, long c, span *name)
{
    static const char *const lead[] = {"condensed ", "unaudited ", "audited "};
    span pre = {line.s, (size_t)c};
    for (int again = 1; again;) {
        again = 0;
        for (size_t i = 0; i < sizeof lead / sizeof lead[0]; i++) {
            size_t m = strlen(lead[i]);
            while (pre.n && isspace((unsigned char)pre.s[pre.n - 1]))
                pre.n--;
            if (pre.n + 1 >= m && find_ci((span){pre.s + pre.n + 1 - m, m - 1}, lead[i]) == 0)
                pre.n -= m - 1, again = 1;
        }
    }
    int subs;
    span cand = trim_name(pre, &subs);
    if (!cand.n) {
        span above[1];
        if (lines_before(t, (size_t)(line.s - t.s), above, 1) != 1)
            return 0;
        cand = trim_name(above[0], &subs);
    }
    if (!name_like(cand) || cand.n > 80 || !(subs || ends_legal(cand)))
        return 0;
    *name = cand;
    return 1;
}

/* The first name printed with a primary statement's title in the first pages. */
static ds_status statement_company(ds_document *doc, ds_doc_identity *id, ds_err *err)
{
    for (int p = 1; p <= doc->n_pages && p <= HEADER_PAGES; p++) {
        span t = page_text(doc, p), line, name;
        for (size_t pos = 0; next_line(t, &pos, &line);) {
            long c = statement_title(line);
            if (c >= 0 && header_name(t, line, c, &name))
                return set_field(doc, &id->company, name, p, line, err);
        }
    }
    return DS_OK;
}

/* The brand of a headline ("Amcor reports fiscal 2023 results": "Amcor") followed within three
 * words by a legal form somewhere in the text ("Amcor plc"): the first such name. */
static ds_status brand_company(ds_document *doc, ds_doc_identity *id, span headline, ds_err *err)
{
    size_t bn = 0;
    while (bn < headline.n && !isspace((unsigned char)headline.s[bn]))
        bn++;
    if (bn < 2)
        return DS_OK;
    for (int p = 1; p <= doc->n_pages && p <= HEADER_PAGES; p++) {
        span t = page_text(doc, p);
        for (size_t i = 0; i + bn <= t.n; i++) {
            if ((i && isalnum((unsigned char)t.s[i - 1])) || strncasecmp(t.s + i, headline.s, bn))
                continue;
            size_t e = i + bn;
            for (int w = 0; w < 4 && e < t.n && t.s[e] != '\n'; w++) {
                while (e < t.n && (t.s[e] == ' ' || t.s[e] == ','))
                    e++;
                size_t a = e;
                while (e < t.n && !isspace((unsigned char)t.s[e]) && t.s[e] != ',')
                    e++;
                if (e > a && legal_word(t.s + a, e - a))
                    return set_field(doc, &id->company, (span){t.s + i, e - i}, p, line_around(t, i), err);
                if (e == a || !isupper((unsigned char)t.s[a]))
                    break;
            }
        }
    }
    return DS_OK;
}

static ds_status read_company(ds_document *doc, ds_doc_identity *id, int cover, ds_err *err)
{
    ds_status st = cover ? cover_company(doc, id, cover, err) : DS_OK;
    if (st == DS_OK && !id->company.value)
        st = statement_company(doc, id, err);
    if (st == DS_OK && !id->company.value && id->form.value && !strcmp(id->form.value, "earnings release"))
        st = brand_company(doc, id, cstr(id->form.quote), err);
    return st;
}

/* "Central Index Key: 0000320193" or "CIK 320193" on the cover pages. */
static ds_status read_cik(ds_document *doc, ds_doc_identity *id, ds_err *err)
{
    static const char *const keys[] = {"central index key", "cik"};
    for (int p = 1; p <= doc->n_pages && p <= COVER_PAGES; p++) {
        span t = page_text(doc, p);
        for (size_t k = 0; k < 2; k++) {
            long at = find_ci(t, keys[k]);
            if (at < 0 || (at > 0 && isalnum((unsigned char)t.s[at - 1])))
                continue;
            size_t i = (size_t)at + strlen(keys[k]), lim = i + 24, d0;
            while (i < t.n && i < lim && !isdigit((unsigned char)t.s[i]) && t.s[i] != '\n')
                i++;
            while (i < t.n && t.s[i] == '0')
                i++;
            for (d0 = i; i < t.n && isdigit((unsigned char)t.s[i]); i++)
                ;
            if (i > d0 && i - d0 <= 10 && (i == t.n || !isalnum((unsigned char)t.s[i])))
                return set_field(doc, &id->cik, (span){t.s + d0, i - d0}, p, line_around(t, (size_t)at), err);
        }
    }
    return DS_OK;
}

/* ---- the period ---- */

/* The cover's "For the fiscal year ended <date>" / "For the quarterly period ended <date>". */
static ds_status cover_period(ds_document *doc, ds_doc_identity *id, int page, ds_err *err)
{
    static const char *const keys[] = {"fiscal year ended", "quarterly period ended", "year ended", "quarter ended",
                                       "period ended"};
    span t = page_text(doc, page);
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        long at = find_ci(t, keys[k]);
        long days;
        if (at >= 0 && date_after(t, (size_t)at + strlen(keys[k]), &days) == 0)
            return set_date(doc, &id->period_end, days, page, line_around(t, (size_t)at), err);
    }
    return DS_OK;
}

typedef struct best_date {
    long days;
    int page;
    span quote;
} best_date;

static void keep_latest(best_date *b, long days, int page, span quote)
{
    if (!b->page || days > b->days)
        *b = (best_date){days, page, quote};
}

/* "June 30," with its year further on, as table headers print it ("Twelve Months Ended June 30,"
 * over "2022 | 2023"): the month and day with the latest year within 200 bytes. */
static int date_loose_after(span t, size_t off, long *days)
{
    if (date_after(t, off, days) == 0)
        return 0;
    size_t i = skip_ws(t.s, t.n, off), k;
    int m = i < t.n ? month_at(t.s + i, t.n - i, &k) : 0, d, y = 0;
    if (!m)
        return -1;
    i = skip_ws(t.s, t.n, i + k);
    if ((d = number_at(t.s, t.n, &i, 2)) < 1)
        return -1;
    for (size_t j = i; j + 4 <= t.n && j < i + 200; j++) {
        size_t e = j;
        int v = (j == 0 || !isalnum((unsigned char)t.s[j - 1])) ? number_at(t.s, t.n, &e, 4) : -1;
        if (e - j == 4 && v >= 1950 && v <= 2199 && (e == t.n || !isalnum((unsigned char)t.s[e])) && v > y)
            y = v;
    }
    if (!y || d > ds_date_days_in_month(y, m))
        return -1;
    *days = ds_date_from_ymd(y, m, d);
    return 0;
}

/* Dates in the cells of the tables on page p, those after cap left out. */
static void table_dates(const ds_document *doc, int p, long cap, best_date *b)
{
    for (size_t i = 0; i < doc->n_blocks; i++) {
        const ds_block *bl = &doc->blocks[i];
        if (bl->kind != DS_BLOCK_KIND_TABLE || !bl->table || bl->page_first != p)
            continue;
        const ds_table *tb = bl->table;
        for (size_t c = 0; c < tb->n_rows * tb->n_cols; c++) {
            span cell = cstr(tb->cells[c] ? tb->cells[c] : "");
            long days;
            size_t used;
            for (size_t k = 0; k < cell.n && k < 40; k++)
                if ((k == 0 || !isalnum((unsigned char)cell.s[k - 1])) &&
                    date_at(cell.s + k, cell.n - k, &days, &used) == 0) {
                    if (days <= cap)
                        keep_latest(b, days, p, cell);
                    break;
                }
        }
    }
}

/* The "ended <date>" mentions of page p, those after cap left out; with first set, only the
 * first one. */
static void ended_dates(const ds_document *doc, int p, long cap, int first, best_date *b)
{
    span t = page_text(doc, p);
    for (size_t at = 0; at < t.n;) {
        long k = find_ci((span){t.s + at, t.n - at}, "ended");
        if (k < 0)
            break;
        long days;
        at += (size_t)k + 5;
        if (date_loose_after(t, at, &days) == 0 && days <= cap) {
            keep_latest(b, days, p, line_around(t, at));
            if (first)
                return;
        }
    }
}

/* The first full date on page 1 (a release's dateline): no period ends after it. */
static long release_date(const ds_document *doc)
{
    span t = page_text(doc, 1);
    long days;
    size_t used;
    for (size_t i = 0; i < t.n; i++)
        if ((i == 0 || !isalnum((unsigned char)t.s[i - 1])) && date_at(t.s + i, t.n - i, &days, &used) == 0)
            return days;
    return 0x7fffffffL;
}

/* A period not stated on a cover: an earnings release's first "ended <date>" on page 1 (its lead
 * paragraph), else the latest date after "ended" in the text or, for a release, in a table, no
 * later than the release's own date. */
static ds_status fallback_period(ds_document *doc, ds_doc_identity *id, int release, ds_err *err)
{
    best_date b = {0, 0, {NULL, 0}};
    long cap = release ? release_date(doc) : 0x7fffffffL;
    if (release)
        ended_dates(doc, 1, cap, 1, &b);
    int lead = b.page != 0;
    for (int p = 1; !lead && p <= doc->n_pages && p <= HEADER_PAGES; p++) {
        ended_dates(doc, p, cap, 0, &b);
        if (release)
            table_dates(doc, p, cap, &b);
    }
    return b.page ? set_date(doc, &id->period_end, b.days, b.page, b.quote, err) : DS_OK;
}

/* ---- the fiscal year and quarter as the company names them ---- */

static const char *const ordinals[4] = {"first", "second", "third", "fourth"};

/* A fiscal year written at s: "fiscal 2024", "fiscal year 2024", "FY2024", "FY24"; the year or 0. */
static int fiscal_year_at(span s, size_t *used)
{
    size_t i;
    int fy = 0;
    if (starts_ci(s, "fiscal year "))
        i = 12;
    else if (starts_ci(s, "fiscal "))
        i = 7;
    else if (starts_ci(s, "fy"))
        i = 2 + (s.n > 2 && (s.s[2] == ' ' || s.s[2] == '\'')), fy = 1;
    else
        return 0;
    size_t d = i;
    int y = number_at(s.s, s.n, &i, 4);
    if (y < 0 || (i < s.n && isalnum((unsigned char)s.s[i])))
        return 0;
    *used = i;
    if (i - d == 4)
        return y >= 1950 && y <= 2199 ? y : 0;
    return fy && i - d == 2 ? 2000 + y : 0;
}

/* "<ordinal> quarter [of] <fiscal year>" or "<fiscal year> <ordinal> quarter" at s: the quarter
 * 1..4 with *year, else 0. */
static int fiscal_quarter_at(span s, int *year)
{
    size_t used;
    for (int q = 0; q < 4; q++) {
        size_t m = strlen(ordinals[q]);
        if (!starts_ci(s, ordinals[q]) || !starts_ci((span){s.s + m, s.n - m}, " quarter"))
            continue;
        size_t i = m + 8;
        i += starts_ci((span){s.s + i, s.n - i}, " of") ? 3 : 0;
        i += i < s.n && s.s[i] == ' ';
        if ((*year = fiscal_year_at((span){s.s + i, s.n - i}, &used)) != 0)
            return q + 1;
    }
    if ((*year = fiscal_year_at(s, &used)) != 0) {
        size_t j = used + (used < s.n && s.s[used] == ' ');
        span r = {s.s + j, s.n - j};
        for (int q = 0; q < 4; q++)
            if (starts_ci(r, ordinals[q]) &&
                starts_ci((span){r.s + strlen(ordinals[q]), r.n - strlen(ordinals[q])}, " quarter"))
                return q + 1;
    }
    if (s.n > 3 && (s.s[0] == 'Q' || s.s[0] == 'q') && s.s[1] >= '1' && s.s[1] <= '4' && s.s[2] == ' ' &&
        (*year = fiscal_year_at((span){s.s + 3, s.n - 3}, &used)) != 0)
        return s.s[1] - '0';
    return 0;
}

static int annual_form(const char *form)
{
    return form && (!strcmp(form, "10-K") || !strcmp(form, "annual report") || !strcmp(form, "20-F") ||
                    !strcmp(form, "40-F") || !strcmp(form, "10-KT"));
}

/* A quarter named on the first pages ("second quarter fiscal 2024", "Q3 FY24"), or for an
 * annual document the fiscal year its headline names ("fiscal 2023 results"); failing those,
 * an annual period's end year (the year before when a 52/53-week year ends in the first week
 * of January). Quarters are only ever taken as written. */
static ds_status read_fiscal(ds_document *doc, ds_doc_identity *id, ds_err *err)
{
    char buf[8];
    int annual = annual_form(id->form.value) || annual_form(id->sec_form.value);
    for (int p = 1; p <= doc->n_pages && p <= 3 && !annual; p++) {
        span t = page_text(doc, p);
        for (size_t i = 0; i < t.n; i++) {
            int year, q;
            if ((i && isalnum((unsigned char)t.s[i - 1])) || !(q = fiscal_quarter_at((span){t.s + i, t.n - i}, &year)))
                continue;
            span line = line_around(t, i);
            snprintf(buf, sizeof buf, "%d", year);
            ds_status st = set_field(doc, &id->fiscal_year, cstr(buf), p, line, err);
            snprintf(buf, sizeof buf, "Q%d", q);
            return st ? st : set_field(doc, &id->fiscal_period, cstr(buf), p, line, err);
        }
    }
    if (!annual || !id->period_end.value)
        return DS_OK;
    ds_status st = set_field(doc, &id->fiscal_period, cstr("FY"), id->form.page, cstr(id->form.quote), err);
    span head = cstr(id->form.quote);
    for (size_t i = 0; st == DS_OK && i < head.n; i++) {
        size_t used;
        int y = (i == 0 || !isalnum((unsigned char)head.s[i - 1]))
                    ? fiscal_year_at((span){head.s + i, head.n - i}, &used)
                    : 0;
        if (y) {
            snprintf(buf, sizeof buf, "%d", y);
            return set_field(doc, &id->fiscal_year, cstr(buf), id->form.page, head, err);
        }
    }
    int y = 0, m = 0, d = 0;
    long days;
    if (st == DS_OK && ds_date_parse(id->period_end.value, &days) == 0) {
        ds_date_to_ymd(days, &y, &m, &d);
        snprintf(buf, sizeof buf, "%d", m == 1 && d <= 7 ? y - 1 : y);
        st = set_field(doc, &id->fiscal_year, cstr(buf), id->period_end.page, cstr(id->period_end.quote), err);
    }
    return st;
}

ds_status ds_doc_identity_read(ds_document *doc, ds_doc_identity *out, ds_err *err)
{
    memset(out, 0, sizeof *out);
    if (!doc->n_pages || !doc->page_offsets)
        return DS_OK;
    int cover = 0;
    ds_status st = read_form(doc, out, &cover, err);
    if (st == DS_OK)
        st = read_company(doc, out, cover, err);
    if (st == DS_OK)
        st = read_cik(doc, out, err);
    if (st == DS_OK && cover)
        st = cover_period(doc, out, cover, err);
    if (st == DS_OK && !out->period_end.value && out->form.value)
        st = fallback_period(doc, out, !strcmp(out->form.value, "earnings release"), err);
    if (st == DS_OK)
        st = read_fiscal(doc, out, err);
    return st;
}

void ds_doc_identity_apply(ds_document *doc, const ds_doc_identity *id)
{
    ds_doc_meta *m = &doc->meta;
    if (!m->company_name)
        m->company_name = id->company.value;
    if (!m->cik)
        m->cik = id->cik.value;
    if (!m->form_type)
        m->form_type = id->sec_form.value ? id->sec_form.value : id->form.value;
    if (!m->period_end)
        m->period_end = id->period_end.value;
    if (!m->fiscal_year)
        m->fiscal_year = id->fiscal_year.value;
}

/* ---- the name key ---- */

static size_t put_word(char *out, size_t o, size_t cap, const char *w, size_t n)
{
    static const char *const from[] = {"corporation", "company", "incorporated", "limited"};
    static const char *const to[] = {"corp", "co", "inc", "ltd"};
    for (size_t i = 0; i < 4; i++)
        if (n == strlen(from[i]) && !memcmp(w, from[i], n))
            w = to[i], n = strlen(to[i]);
    if (o == 0 && n == 3 && !memcmp(w, "the", 3))
        return 0;
    if (o && o + 1 < cap)
        out[o++] = ' ';
    for (size_t i = 0; i < n && o + 1 < cap; i++)
        out[o++] = w[i];
    return o;
}

void ds_doc_identity_name_key(const char *name, char *out, size_t cap)
{
    char w[128];
    size_t o = 0, n = 0;
    if (!cap)
        return;
    for (const unsigned char *p = (const unsigned char *)(name ? name : "");; p++) {
        if (*p == '\'' || (p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0x98 || p[2] == 0x99))) {
            p += *p == '\'' ? 0 : 2; /* apostrophes join: McDonald's */
            continue;
        }
        if (*p && (isalnum(*p) || *p >= 0x80)) {
            if (n + 1 < sizeof w)
                w[n++] = (char)tolower(*p);
            continue;
        }
        if (n)
            o = put_word(out, o, cap, w, n);
        n = 0;
        if (*p == '&')
            o = put_word(out, o, cap, "and", 3);
        if (!*p)
            break;
    }
    out[o] = '\0';
}
