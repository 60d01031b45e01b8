/* decimal.h - exact decimals as text, the form every numeric fact value takes, and numbers as
 * printed (statement cells, numbers in running text) read into that form.
 *
 * A canonical decimal is an optional '-', the integer digits without leading zeros ("0" when
 * there are none), and, when the value has a fraction, '.' and the fraction digits without
 * trailing zeros: "0", "-1234500000", "0.25". Zero is always "0". Nothing here goes through a
 * float except ds_dec_to_double, which is for ratios and thresholds only.
 *
 * One interface: a call that can fail returns a ds_status and writes its results through
 * output parameters (a ds_buf is cleared first; on failure its content is unspecified); the
 * detail goes to the ds_err when one is given (NULL is allowed, and skips formatting, for hot
 * loops). Queries that cannot fail (ds_dec_valid, ds_dec_cmp, ...) return their answer.
 * Implemented by decimal.c (arithmetic) and decimal_printed.c (numbers as printed).
 * Owns nothing beyond the caller's outputs. Threading: reentrant, no state.
 */
#ifndef DS_CORE_DECIMAL_H
#define DS_CORE_DECIMAL_H

#include "buf.h"
#include "status.h"

#include <stddef.h>
#include <stdint.h>

/* Largest |scale| accepted by ds_dec_shift; XBRL scales in practice lie within -10..12. */
#define DS_DEC_MAX_SHIFT 64

/* ---- queries ------------------------------------------------------------------------------ */

/* Is s a plain decimal: optional '-', digits, optional '.' and digits (at least one digit)? */
int ds_dec_valid(const char *s);
/* Numeric comparison of two plain decimals: <0, 0, >0. Invalid inputs compare as strings. */
int ds_dec_cmp(const char *a, const char *b);
/* Digits after the point in s ("1.250" -> 3, "12" -> 0). */
int ds_dec_fraction_digits(const char *s);
/* The value as a double, for ratios and thresholds only (never stored). */
double ds_dec_to_double(const char *s);

/* ---- exact arithmetic --------------------------------------------------------------------- */

/* Parses an xsd:decimal lexical form ("  +001.2300 ", "-.5", "12.") into canonical form.
 * DS_ERR_PARSE when s is not a decimal (no digits, stray characters, exponent). */
ds_status ds_dec_canon(const char *s, size_t n, ds_buf *out, ds_err *err);

/* Canonical form of a plain decimal (ds_dec_valid: no spaces, no '+'); DS_ERR_PARSE otherwise. */
ds_status ds_dec_normalize(const char *s, ds_buf *out, ds_err *err);

/* Reads a displayed number: every digit counts, `point` is the decimal separator (its last
 * occurrence wins when followed by digits), everything else (group separators, spaces,
 * currency signs) is ignored. Gives a canonical non-negative decimal; DS_ERR_PARSE without
 * digits. "1,234.50" with '.' -> "1234.5"; "1.234,5" with ',' -> "1234.5". */
ds_status ds_dec_from_display(const char *s, size_t n, char point, ds_buf *out, ds_err *err);

/* Multiplies a decimal (any form ds_dec_canon accepts) by 10^scale and negates it when negate
 * is set: ("1234.5", 6, 1) -> "-1234500000". DS_ERR_PARSE when |scale| > DS_DEC_MAX_SHIFT or
 * the input is not a decimal. */
ds_status ds_dec_shift(const char *s, int scale, int negate, ds_buf *out, ds_err *err);

/* Exact product of two decimals (any lexical form ds_dec_canon accepts), canonical. */
ds_status ds_dec_mul(const char *a, const char *b, ds_buf *out, ds_err *err);

/* Splits a non-negative canonical decimal into its integer part (DS_ERR_PARSE when it does
 * not fit in 18 digits) and its fraction as a canonical decimal "0.xxx" or "0". */
ds_status ds_dec_split(const char *canon, uint64_t *int_part, ds_buf *frac, ds_err *err);

/* ---- numbers as printed ------------------------------------------------------------------- */

typedef enum ds_dec_printed_kind {
    DS_DEC_PRINTED_BLANK,  /* empty cell, or only a currency sign or footnote mark */
    DS_DEC_PRINTED_TEXT,   /* text, not a number */
    DS_DEC_PRINTED_VALUE,  /* a number */
    DS_DEC_PRINTED_DASH,   /* "—", "-", "–": zero */
    DS_DEC_PRINTED_PERCENT /* a percentage */
} ds_dec_printed_kind;

#define DS_DEC_PRINTED_CELL_MAX 160 /* longer cells are text, not numbers */

/* A table cell read as a statement prints it. */
typedef struct ds_dec_printed {
    ds_dec_printed_kind kind;
    char value[80];       /* VALUE and DASH: canonical, sign applied, unscaled ("-1234.5") */
    const char *currency; /* "USD", "EUR", "GBP", "JPY" (static) or NULL */
} ds_dec_printed;

/* Reads a statement cell: "$ (1,234.5)" -1234.5 USD, "—" a dash (zero), "12 %" a percentage,
 * footnote marks ("1,234 (a)", daggers, superscript digits) and no-break or thin spaces
 * ignored, thousands groups checked ("1,23" is text). NULL is a blank cell. DS_OK for blank,
 * value, dash and percentage; DS_ERR_PARSE (out->kind TEXT) for anything else. */
ds_status ds_dec_parse_printed(const char *cell, ds_dec_printed *out, ds_err *err);

/* Does a number printed in running text start at s[i]: a digit, or '.' before a digit that
 * follows no digit? (For scans that reach i outside any number.) */
int ds_dec_text_number_at(const char *s, size_t n, size_t i);

/* The number printed in running text from s[i]: digits, with ',' or '.' inside when a digit
 * follows. *end gets the offset after it; key its digits and points, group commas dropped
 * ("12,345.6" -> "12345.6"). */
ds_status ds_dec_text_number(const char *s, size_t n, size_t i, size_t *end, ds_buf *key, ds_err *err);

#endif
