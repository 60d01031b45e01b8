/* decimal.c - exact decimal strings: validation, canonical form, scaling by powers of ten and
 * comparison, all on the digits as text (see decimal.h). Reentrant. */
#include "extract/decimal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int ds_decimal_valid(const char *s)
{
    if (!s || !*s)
        return 0;
    if (*s == '-')
        s++;
    int digits = 0, dot = 0;
    for (; *s; s++) {
        if (isdigit((unsigned char)*s))
            digits++;
        else if (*s == '.' && !dot)
            dot = 1;
        else
            return 0;
    }
    return digits > 0;
}

/* Splits a valid decimal into sign, integer digits and fraction digits (views into s). */
static void split(const char *s, int *neg, const char **ip, size_t *il, const char **fp, size_t *fl)
{
    *neg = *s == '-';
    if (*neg)
        s++;
    const char *dot = strchr(s, '.');
    *ip = s;
    *il = dot ? (size_t)(dot - s) : strlen(s);
    *fp = dot ? dot + 1 : s + *il;
    *fl = dot ? strlen(dot + 1) : 0;
}

int ds_decimal_scale(const char *s, int exp10, char *out, size_t cap)
{
    if (!ds_decimal_valid(s) || exp10 > 60 || exp10 < -60)
        return -1;
    int neg;
    const char *ip, *fp;
    size_t il, fl;
    split(s, &neg, &ip, &il, &fp, &fl);
    /* All digits in one string, with the point after `point` of them. */
    char digits[256];
    if (il + fl + 1 > sizeof digits)
        return -1;
    memcpy(digits, ip, il);
    memcpy(digits + il, fp, fl);
    size_t nd = il + fl;
    long point = (long)il + exp10;
    /* Leading zeros of the integer part and trailing zeros of the fraction go. */
    long first = 0, last = (long)nd; /* digits[first, last) are kept */
    while (first < last && first < point && digits[first] == '0')
        first++;
    while (last > first && last > point && digits[last - 1] == '0')
        last--;
    size_t o = 0;
    int any_nonzero = 0;
    for (long i = first; i < last; i++)
        if (digits[i] != '0')
            any_nonzero = 1;
    if (!any_nonzero) {
        if (cap < 2)
            return -1;
        out[0] = '0';
        out[1] = '\0';
        return 0;
    }
    if (neg && any_nonzero) {
        if (o + 1 >= cap)
            return -1;
        out[o++] = '-';
    }
    /* Integer part: positions [first, point). */
    if (point <= first) {
        if (o + 1 >= cap)
            return -1;
        out[o++] = '0';
    } else {
        for (long i = first; i < point; i++) {
            if (o + 1 >= cap)
                return -1;
            out[o++] = i < (long)nd ? digits[i] : '0';
        }
    }
    /* Fraction part: positions [point, last). */
    if (last > point) {
        if (o + 1 >= cap)
            return -1;
        out[o++] = '.';
        for (long i = point; i < last; i++) {
            if (o + 1 >= cap)
                return -1;
            out[o++] = i < 0 || i < first ? '0' : digits[i];
        }
    }
    out[o] = '\0';
    return 0;
}

int ds_decimal_normalize(const char *s, char *out, size_t cap)
{
    return ds_decimal_scale(s, 0, out, cap);
}

int ds_decimal_cmp(const char *a, const char *b)
{
    char na[128], nb[128];
    if (ds_decimal_normalize(a, na, sizeof na) || ds_decimal_normalize(b, nb, sizeof nb))
        return strcmp(a ? a : "", b ? b : "");
    int nega = na[0] == '-', negb = nb[0] == '-';
    if (nega != negb)
        return nega ? -1 : 1;
    const char *pa = na + nega, *pb = nb + negb;
    const char *da = strchr(pa, '.'), *db = strchr(pb, '.');
    size_t la = da ? (size_t)(da - pa) : strlen(pa), lb = db ? (size_t)(db - pb) : strlen(pb);
    int c;
    if (la != lb) {
        c = la < lb ? -1 : 1;
    } else {
        c = strncmp(pa, pb, la);
        if (c == 0) {
            const char *fa = da ? da + 1 : "", *fb = db ? db + 1 : "";
            while (*fa || *fb) {
                char x = *fa ? *fa++ : '0', y = *fb ? *fb++ : '0';
                if (x != y) {
                    c = x < y ? -1 : 1;
                    break;
                }
            }
        } else {
            c = c < 0 ? -1 : 1;
        }
    }
    return nega ? -c : c;
}

int ds_decimal_fraction_digits(const char *s)
{
    const char *dot = s ? strchr(s, '.') : NULL;
    return dot ? (int)strlen(dot + 1) : 0;
}

double ds_decimal_to_double(const char *s)
{
    return s ? strtod(s, NULL) : 0.0;
}
