/* decimal.h - exact decimal strings ("-1234500000", "0.25"): the form every numeric fact
 * value takes. Scaling by a power of ten moves the decimal point in the text, so "1,234.5 in
 * millions" becomes "1234500000" exactly, never through a float.
 * Owns nothing: results go into caller buffers. Threading: reentrant.
 */
#ifndef DS_EXTRACT_DECIMAL_H
#define DS_EXTRACT_DECIMAL_H

#include <stddef.h>

/* Is s a plain decimal: optional '-', digits, optional '.' and digits (at least one digit)? */
int ds_decimal_valid(const char *s);
/* Canonical form of a plain decimal: no leading zeros, no trailing fraction zeros, no "-0".
 * Returns 0, or -1 when s is not valid or out is too small. */
int ds_decimal_normalize(const char *s, char *out, size_t cap);
/* s times 10^exp10 (exp10 may be negative), canonical. 0 or -1 as above. */
int ds_decimal_scale(const char *s, int exp10, char *out, size_t cap);
/* Numeric comparison of two valid decimals: <0, 0, >0. Invalid inputs compare as strings. */
int ds_decimal_cmp(const char *a, const char *b);
/* Digits after the point in s ("1.250" -> 3, "12" -> 0). */
int ds_decimal_fraction_digits(const char *s);
/* The value as a double, for ratios and thresholds only (never stored). */
double ds_decimal_to_double(const char *s);

#endif
