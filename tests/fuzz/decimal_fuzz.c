/* decimal_fuzz.c - libFuzzer target for the decimal module (pipeline/core/decimal.h). Any input
 * read as a lexical decimal, a displayed number, a statement cell or running text must give a
 * status, and every value it gives must be canonical: normalizing it again changes nothing, and
 * scaling it by 10^k and back gives it again. */
#include "pipeline/core/decimal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A canonical decimal is its own normal form and survives a shift there and back. */
static void check_canonical(const char *v)
{
    ds_buf a = DS_BUF_INIT, b = DS_BUF_INIT;
    if (!ds_dec_valid(v) || ds_dec_normalize(v, &a, NULL) != DS_OK || strcmp(a.data, v) != 0)
        abort();
    if (ds_dec_shift(v, 7, 0, &a, NULL) != DS_OK || ds_dec_shift(a.data, -7, 0, &b, NULL) != DS_OK ||
        strcmp(b.data, v) != 0 || ds_dec_cmp(b.data, v) != 0)
        abort();
    ds_buf_deinit(&a);
    ds_buf_deinit(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = malloc(size + 1);
    if (!in)
        return 0;
    memcpy(in, data, size);
    in[size] = '\0';
    ds_buf out = DS_BUF_INIT;
    ds_err err = {0};
    if (ds_dec_canon(in, size, &out, &err) == DS_OK)
        check_canonical(out.data);
    if (ds_dec_from_display(in, size, '.', &out, &err) == DS_OK)
        check_canonical(out.data);
    ds_dec_printed p;
    ds_status st = ds_dec_parse_printed(in, &p, &err);
    if ((st == DS_OK) == (p.kind == DS_DEC_PRINTED_TEXT))
        abort();
    if (p.kind == DS_DEC_PRINTED_VALUE || p.kind == DS_DEC_PRINTED_DASH)
        check_canonical(p.value);
    size_t n = strlen(in);
    for (size_t i = 0; i < n;) {
        if (!ds_dec_text_number_at(in, n, i)) {
            i++;
            continue;
        }
        size_t end = i;
        if (ds_dec_text_number(in, n, i, &end, &out, &err) != DS_OK || end <= i || end > n)
            abort();
        i = end;
    }
    ds_buf_deinit(&out);
    free(in);
    return 0;
}
