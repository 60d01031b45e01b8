/* decimal.c - exact decimal arithmetic on strings: canonical form, scaling by powers of ten,
 * products, comparison (see decimal.h; numbers as printed are read by decimal_printed.c).
 *
 * Owns nothing beyond the caller's output buffer. A value is handled as a sign, a digit string
 * and a power of ten (value = digits x 10^exp); results are written back in canonical form.
 * Threading: reentrant, no state.
 */
#include "pipeline/core/decimal.h"

#include "pipeline/core/alloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Returns st, with err filled when st is a failure: what went wrong and (a prefix of) the input. */
static ds_status fail(ds_err *err, ds_status st, const char *what, const char *s, size_t n)
{
    if (st == DS_OK || !err)
        return st;
    if (st == DS_ERR_NOMEM)
        return ds_err_set(err, st, "out of memory reading a decimal");
    return ds_err_set(err, st, "%s: \"%.*s\"", what, (int)(n > 40 ? 40 : n), s);
}

/* Writes sign, digits[0..nd) and exp in canonical form. */
static ds_status emit(int neg, const char *digits, size_t nd, long exp, ds_buf *out)
{
    ds_buf_clear(out);
    while (nd > 0 && digits[0] == '0') {
        digits++;
        nd--;
    }
    while (nd > 0 && digits[nd - 1] == '0') {
        nd--;
        exp++;
    }
    if (nd == 0)
        return ds_buf_puts(out, "0");
    ds_status st = neg ? ds_buf_putc(out, '-') : DS_OK;
    if (st)
        return st;
    if (exp >= 0) {
        st = ds_buf_append(out, digits, nd);
        for (long i = 0; i < exp && st == DS_OK; i++)
            st = ds_buf_putc(out, '0');
        return st;
    }
    size_t f = (size_t)-exp;
    if (nd > f) {
        st = ds_buf_append(out, digits, nd - f);
        if (st == DS_OK)
            st = ds_buf_putc(out, '.');
        if (st == DS_OK)
            st = ds_buf_append(out, digits + nd - f, f);
        return st;
    }
    st = ds_buf_puts(out, "0.");
    for (size_t i = 0; i < f - nd && st == DS_OK; i++)
        st = ds_buf_putc(out, '0');
    if (st == DS_OK)
        st = ds_buf_append(out, digits, nd);
    return st;
}

/* Parses an xsd:decimal lexical form into sign, digits (into *digits) and exponent. */
static ds_status parse_lexical(const char *s, size_t n, int *neg, ds_buf *digits, long *exp)
{
    size_t i = 0;
    while (i < n && is_ws(s[i]))
        i++;
    while (n > i && is_ws(s[n - 1]))
        n--;
    *neg = 0;
    *exp = 0;
    ds_buf_clear(digits);
    if (i < n && (s[i] == '+' || s[i] == '-'))
        *neg = s[i++] == '-';
    int seen_digit = 0, seen_point = 0;
    for (; i < n; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            if (ds_buf_putc(digits, c))
                return DS_ERR_NOMEM;
            seen_digit = 1;
            if (seen_point)
                (*exp)--;
        } else if (c == '.' && !seen_point) {
            seen_point = 1;
        } else {
            return DS_ERR_PARSE;
        }
    }
    return seen_digit ? DS_OK : DS_ERR_PARSE;
}

ds_status ds_dec_canon(const char *s, size_t n, ds_buf *out, ds_err *err)
{
    ds_buf d = DS_BUF_INIT;
    int neg;
    long exp;
    ds_status st = parse_lexical(s, n, &neg, &d, &exp);
    if (st == DS_OK)
        st = emit(neg, d.data, d.len, exp, out);
    ds_buf_deinit(&d);
    return fail(err, st, "not a decimal", s, n);
}

ds_status ds_dec_from_display(const char *s, size_t n, char point, ds_buf *out, ds_err *err)
{
    /* The decimal separator is the last `point` that has a digit after it. */
    size_t pt = n;
    for (size_t i = n; i-- > 0;) {
        if (s[i] == point) {
            for (size_t j = i + 1; j < n; j++)
                if (s[j] >= '0' && s[j] <= '9') {
                    pt = i;
                    break;
                }
            break;
        }
    }
    ds_buf d = DS_BUF_INIT;
    long exp = 0;
    ds_status st = DS_OK;
    for (size_t i = 0; i < n && st == DS_OK; i++) {
        if (s[i] >= '0' && s[i] <= '9') {
            st = ds_buf_putc(&d, s[i]);
            if (i > pt)
                exp--;
        }
    }
    if (st == DS_OK)
        st = d.len ? emit(0, d.data, d.len, exp, out) : DS_ERR_PARSE;
    ds_buf_deinit(&d);
    return fail(err, st, "no digits in displayed number", s, n);
}

ds_status ds_dec_shift(const char *s, int scale, int negate, ds_buf *out, ds_err *err)
{
    if (scale > DS_DEC_MAX_SHIFT || scale < -DS_DEC_MAX_SHIFT)
        return ds_err_set(err, DS_ERR_PARSE, "decimal scale %d outside -%d..%d", scale, DS_DEC_MAX_SHIFT,
                          DS_DEC_MAX_SHIFT);
    ds_buf d = DS_BUF_INIT;
    int neg;
    long exp;
    ds_status st = parse_lexical(s, strlen(s), &neg, &d, &exp);
    if (st == DS_OK)
        st = emit(negate ? !neg : neg, d.data, d.len, exp + scale, out);
    ds_buf_deinit(&d);
    return fail(err, st, "not a decimal", s, strlen(s));
}

ds_status ds_dec_mul(const char *a, const char *b, ds_buf *out, ds_err *err)
{
    ds_buf da = DS_BUF_INIT, db = DS_BUF_INIT;
    int na, nb;
    long ea, eb;
    unsigned *acc = NULL;
    char *res = NULL;
    ds_status st = parse_lexical(a, strlen(a), &na, &da, &ea);
    if (st == DS_OK)
        st = parse_lexical(b, strlen(b), &nb, &db, &eb);
    if (st != DS_OK)
        goto done;
    size_t la = da.len, lb = db.len, lr = la + lb;
    acc = ds_calloc(lr, sizeof *acc);
    res = ds_malloc(lr + 1);
    if (!acc || !res) {
        st = DS_ERR_NOMEM;
        goto done;
    }
    /* Schoolbook product, least significant digit at acc[lr - 1]. */
    for (size_t i = la; i-- > 0;) {
        unsigned carry = 0;
        for (size_t j = lb; j-- > 0;) {
            unsigned v = acc[i + j + 1] + (unsigned)(da.data[i] - '0') * (unsigned)(db.data[j] - '0') + carry;
            acc[i + j + 1] = v % 10;
            carry = v / 10;
        }
        acc[i] += carry;
    }
    for (size_t k = 0; k < lr; k++)
        res[k] = (char)('0' + acc[k]);
    st = emit(na != nb, res, lr, ea + eb, out);
done:
    ds_free(acc);
    ds_free(res);
    ds_buf_deinit(&da);
    ds_buf_deinit(&db);
    return fail(err, st, "not a decimal factor", a, strlen(a));
}

ds_status ds_dec_split(const char *canon, uint64_t *int_part, ds_buf *frac, ds_err *err)
{
    ds_buf d = DS_BUF_INIT;
    int neg;
    long exp;
    ds_status st = parse_lexical(canon, strlen(canon), &neg, &d, &exp);
    if (st != DS_OK || neg) {
        ds_buf_deinit(&d);
        return fail(err, st != DS_OK ? st : DS_ERR_PARSE, "not a non-negative decimal", canon, strlen(canon));
    }
    size_t nd = d.len, f = exp < 0 ? (size_t)-exp : 0;
    size_t ni = nd > f ? nd - f : 0; /* integer digits */
    uint64_t v = 0;
    size_t sig = 0;
    for (size_t i = 0; i < ni; i++) {
        if (sig || d.data[i] != '0')
            sig++;
        if (sig > 18) {
            ds_buf_deinit(&d);
            return fail(err, DS_ERR_PARSE, "integer part over 18 digits", canon, strlen(canon));
        }
        v = v * 10 + (uint64_t)(d.data[i] - '0');
    }
    for (long e = exp; e > 0; e--) { /* positive exponent: trailing zeros of the integer */
        if (++sig > 18) {
            ds_buf_deinit(&d);
            return fail(err, DS_ERR_PARSE, "integer part over 18 digits", canon, strlen(canon));
        }
        v *= 10;
    }
    *int_part = v;
    st = f ? emit(0, d.data + ni, nd - ni, -(long)f, frac) : emit(0, "0", 1, 0, frac);
    ds_buf_deinit(&d);
    return fail(err, st, "cannot split", canon, strlen(canon));
}

ds_status ds_dec_normalize(const char *s, ds_buf *out, ds_err *err)
{
    if (!ds_dec_valid(s))
        return fail(err, DS_ERR_PARSE, "not a plain decimal", s ? s : "", s ? strlen(s) : 0);
    return ds_dec_canon(s, strlen(s), out, err);
}

/* ---- queries --------------------------------------------------------------------------------- */

int ds_dec_valid(const char *s)
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

int ds_dec_cmp(const char *a, const char *b)
{
    ds_buf ca = DS_BUF_INIT, cb = DS_BUF_INIT;
    int c;
    if (ds_dec_normalize(a, &ca, NULL) || ds_dec_normalize(b, &cb, NULL)) {
        c = strcmp(a ? a : "", b ? b : "");
        goto done;
    }
    int nega = ca.data[0] == '-', negb = cb.data[0] == '-';
    if (nega != negb) {
        c = nega ? -1 : 1;
        goto done;
    }
    const char *pa = ca.data + nega, *pb = cb.data + negb;
    const char *da = strchr(pa, '.'), *db = strchr(pb, '.');
    size_t la = da ? (size_t)(da - pa) : strlen(pa), lb = db ? (size_t)(db - pb) : strlen(pb);
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
    c = nega ? -c : c;
done:
    ds_buf_deinit(&ca);
    ds_buf_deinit(&cb);
    return c;
}

int ds_dec_fraction_digits(const char *s)
{
    const char *dot = s ? strchr(s, '.') : NULL;
    return dot ? (int)strlen(dot + 1) : 0;
}

double ds_dec_to_double(const char *s)
{
    return s ? strtod(s, NULL) : 0.0;
}
