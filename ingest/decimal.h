/* decimal.h - internal to ingest/: exact decimal arithmetic on strings for XBRL values.
 *
 * A canonical decimal is an optional '-', the integer digits without leading zeros ("0" when
 * there are none), and, when the value has a fraction, '.' and the fraction digits without
 * trailing zeros: "0", "-1234500000", "0.25". Zero is always "0". Nothing here goes through a
 * float. Outputs are written into a caller-owned ds_buf (cleared first).
 * Threading: reentrant, no state.
 */
#ifndef DS_INGEST_DECIMAL_H
#define DS_INGEST_DECIMAL_H

#include "pipeline/core/buf.h"
#include "pipeline/core/status.h"

#include <stddef.h>
#include <stdint.h>

/* Largest |scale| accepted by ds_dec_shift; XBRL scales in practice lie within -10..12. */
#define DS_DEC_MAX_SHIFT 64

/* Parses an xsd:decimal lexical form ("  +001.2300 ", "-.5", "12.") into canonical form.
 * DS_ERR_PARSE when s is not a decimal (no digits, stray characters, exponent). */
ds_status ds_dec_canon(const char *s, size_t n, ds_buf *out);

/* Reads a displayed number: every digit counts, `point` is the decimal separator (its last
 * occurrence wins when followed by digits), everything else (group separators, spaces,
 * currency signs) is ignored. Gives a canonical non-negative decimal; DS_ERR_PARSE without
 * digits. "1,234.50" with '.' -> "1234.5"; "1.234,5" with ',' -> "1234.5". */
ds_status ds_dec_from_display(const char *s, size_t n, char point, ds_buf *out);

/* Multiplies a canonical decimal by 10^scale and negates it when negate is set:
 * ("1234.5", 6, 1) -> "-1234500000". DS_ERR_PARSE when |scale| > DS_DEC_MAX_SHIFT or the
 * input is not canonical-shaped. */
ds_status ds_dec_shift(const char *canon, int scale, int negate, ds_buf *out);

/* Exact product of two decimals (any lexical form ds_dec_canon accepts), canonical. */
ds_status ds_dec_mul(const char *a, const char *b, ds_buf *out);

/* Splits a non-negative canonical decimal into its integer part (DS_ERR_PARSE when it does
 * not fit in 18 digits) and its fraction as a canonical decimal "0.xxx" or "0". */
ds_status ds_dec_split(const char *canon, uint64_t *int_part, ds_buf *frac);

#endif
