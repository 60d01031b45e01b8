/* decimal_printed.c - numbers as printed read into canonical decimals (see decimal.h): the
 * cells of financial statements ("$ (1,234.5)", "—", "12 %", "1,234 (a)") and the numbers of
 * running text that the grounding check compares ("12,345.6").
 *
 * Owns nothing beyond the caller's outputs. Threading: reentrant, no state.
 */
#include "pipeline/core/decimal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* ---- statement cells ------------------------------------------------------------------------- */

/* Copies a cell into out with spaces, dashes and marks made ASCII: no-break and thin spaces
 * become ' ', the dash family '-', daggers and superscript digits (footnote marks) go. */
static int simplify(const char *s, char *out, size_t cap, const char **currency)
{
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        if (o + 2 >= cap)
            return -1;
        if (p[0] == 0xC2 && (p[1] == 0xA0)) {
            out[o++] = ' ';
            p += 2;
        } else if (p[0] == 0xC2 && (p[1] == 0xB9 || p[1] == 0xB2 || p[1] == 0xB3)) {
            p += 2; /* ¹ ² ³ */
        } else if (p[0] == 0xC2 && p[1] == 0xA3) {
            *currency = "GBP";
            p += 2;
        } else if (p[0] == 0xC2 && p[1] == 0xA5) {
            *currency = "JPY";
            p += 2;
        } else if (p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0x89 || p[2] == 0xAF || p[2] == 0x8A)) {
            out[o++] = ' ';
            p += 3;
        } else if (p[0] == 0xE2 && p[1] == 0x80 && p[2] >= 0x92 && p[2] <= 0x95) {
            out[o++] = '-'; /* ‒ – — ― */
            p += 3;
        } else if (p[0] == 0xE2 && p[1] == 0x88 && p[2] == 0x92) {
            out[o++] = '-'; /* − */
            p += 3;
        } else if (p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA0 || p[2] == 0xA1)) {
            p += 3; /* † ‡ */
        } else if (p[0] == 0xE2 && p[1] == 0x81 && p[2] >= 0xB0 && p[2] <= 0xB9) {
            p += 3; /* superscript digits */
        } else if (p[0] == 0xE2 && p[1] == 0x82 && p[2] == 0xAC) {
            *currency = "EUR";
            p += 3;
        } else if (*p == '$') {
            if (!*currency || strcmp(*currency, "USD") != 0)
                *currency = "USD";
            p++;
        } else if (*p == '*') {
            p++;
        } else {
            out[o++] = (char)*p++;
        }
    }
    out[o] = '\0';
    return 0;
}

static void remove_word(char *s, const char *w, const char **currency, const char *code)
{
    char *hit = strstr(s, w);
    if (!hit)
        return;
    size_t n = strlen(w);
    memmove(hit, hit + n, strlen(hit + n) + 1);
    *currency = code;
}

/* Drops a trailing footnote mark "(1)" or "(a)" after a number from b[0..*n). */
static void drop_footnote_mark(char *b, size_t *n)
{
    if (*n < 4 || b[*n - 1] != ')')
        return;
    size_t open = *n - 1;
    while (open > 0 && b[open] != '(')
        open--;
    size_t inner = *n - 2 - open;
    int mark = b[open] == '(' && inner >= 1 && inner <= 2;
    for (size_t i = open + 1; mark && i < *n - 1; i++)
        if (!isalnum((unsigned char)b[i]))
            mark = 0;
    int digit_before = 0;
    for (size_t i = 0; mark && i < open; i++)
        if (isdigit((unsigned char)b[i]))
            digit_before = 1;
    if (mark && digit_before) {
        *n = open;
        b[*n] = '\0';
    }
}

/* Reads p[0..end) as digits with thousands commas (groups of three) and an optional fraction
 * into d (plain digits and '.'); its length, or 0 when it is not such a number. */
static size_t read_grouped(const char *p, const char *end, char *d, size_t cap)
{
    size_t o = 0;
    int group = 0, groups = 0, digits = 0;
    const char *q = p;
    for (; q < end && (isdigit((unsigned char)*q) || *q == ','); q++) {
        if (*q == ',') {
            if (group == 0 || (groups > 0 && group != 3) || (groups == 0 && group > 3))
                return 0;
            groups++;
            group = 0;
            continue;
        }
        if (o + 2 >= cap)
            break;
        d[o++] = *q;
        group++;
        digits++;
    }
    if (digits == 0 || (groups > 0 && group != 3))
        return 0;
    if (q < end && *q == '.') {
        d[o++] = '.';
        q++;
        int fd = 0;
        for (; q < end && isdigit((unsigned char)*q) && o + 2 < cap; q++, fd++)
            d[o++] = *q;
        if (fd == 0)
            return 0;
    }
    if (q != end)
        return 0;
    d[o] = '\0';
    return o;
}

static ds_status not_a_number(ds_dec_printed *out, const char *cell, ds_err *err)
{
    out->kind = DS_DEC_PRINTED_TEXT;
    out->value[0] = '\0';
    if (!err)
        return DS_ERR_PARSE;
    return ds_err_set(err, DS_ERR_PARSE, "not a printed number: \"%.40s\"", cell);
}

ds_status ds_dec_parse_printed(const char *cell, ds_dec_printed *out, ds_err *err)
{
    char b[DS_DEC_PRINTED_CELL_MAX + 8];
    out->kind = DS_DEC_PRINTED_BLANK;
    out->value[0] = '\0';
    out->currency = NULL;
    if (!cell)
        return DS_OK;
    if (strlen(cell) > DS_DEC_PRINTED_CELL_MAX || simplify(cell, b, sizeof b, &out->currency))
        return not_a_number(out, cell, err);
    remove_word(b, "US", &out->currency, "USD"); /* what "US$" leaves */
    remove_word(b, "USD", &out->currency, "USD");
    remove_word(b, "EUR", &out->currency, "EUR");
    remove_word(b, "GBP", &out->currency, "GBP");
    if (strchr(b, '%')) {
        out->kind = DS_DEC_PRINTED_PERCENT;
        return DS_OK;
    }
    size_t n = 0; /* spaces out */
    for (size_t i = 0; b[i]; i++)
        if (!isspace((unsigned char)b[i]))
            b[n++] = b[i];
    b[n] = '\0';
    if (n == 0)
        return DS_OK; /* blank (a lone "$" or mark) */
    drop_footnote_mark(b, &n);
    if (strspn(b, "-") == n) {
        out->kind = DS_DEC_PRINTED_DASH;
        snprintf(out->value, sizeof out->value, "0");
        return DS_OK;
    }
    const char *p = b, *end = b + n;
    int neg = 0;
    if (*p == '(') {
        neg = 1;
        p++;
    }
    if (end > p && end[-1] == ')') {
        neg = 1;
        end--;
    }
    if (p < end && *p == '-') {
        neg = 1;
        p++;
    }
    if (p < end && *p == '(') /* "-(5)" is not a form statements use */
        return not_a_number(out, cell, err);
    char d[80];
    size_t dl = read_grouped(p, end, d, sizeof d);
    if (!dl)
        return not_a_number(out, cell, err);
    ds_buf canon = DS_BUF_INIT;
    ds_status st = ds_dec_canon(d, dl, &canon, err);
    if (st == DS_OK) {
        int minus = neg && strcmp(canon.data, "0") != 0; /* "-0" is 0 */
        if (canon.len + (size_t)minus + 1 > sizeof out->value)
            st = not_a_number(out, cell, err);
        else
            snprintf(out->value, sizeof out->value, "%s%s", minus ? "-" : "", canon.data);
    }
    ds_buf_deinit(&canon);
    if (st == DS_OK)
        out->kind = DS_DEC_PRINTED_VALUE;
    else
        out->kind = DS_DEC_PRINTED_TEXT;
    return st;
}

/* ---- numbers in running text ----------------------------------------------------------------- */

int ds_dec_text_number_at(const char *s, size_t n, size_t i)
{
    if (isdigit((unsigned char)s[i]))
        return 1;
    return s[i] == '.' && i + 1 < n && isdigit((unsigned char)s[i + 1]) &&
           (i == 0 || !isdigit((unsigned char)s[i - 1]));
}

ds_status ds_dec_text_number(const char *s, size_t n, size_t i, size_t *end, ds_buf *key, ds_err *err)
{
    ds_buf_clear(key);
    ds_status st = ds_buf_reserve(key, 16);
    while (st == DS_OK && i < n) {
        char c = s[i];
        if (!isdigit((unsigned char)c) && !((c == ',' || c == '.') && i + 1 < n && isdigit((unsigned char)s[i + 1])))
            break;
        if (c != ',')
            st = ds_buf_putc(key, c);
        i++;
    }
    *end = i;
    if (st != DS_OK)
        return ds_err_set(err, st, "out of memory reading a printed number");
    return DS_OK;
}
