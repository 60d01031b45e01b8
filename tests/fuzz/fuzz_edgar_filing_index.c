/* fuzz_edgar_filing_index.c - libFuzzer target for the EDGAR filing index page reader
 * (ingest/edgar_filing_index.c): parses the input and reads every string of every row kept. */
#include "ingest/edgar_filing_index.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ds_edgar_filing_index x;
    ds_err err;
    size_t sum = 0;
    if (ds_edgar_filing_index_parse(&x, (const char *)data, size, "10-K", &err) == DS_OK) {
        for (size_t i = 0; i < x.n; i++)
            sum += strlen(x.v[i].document) + strlen(x.v[i].type) + strlen(x.v[i].description) + (size_t)x.v[i].seq;
        sum += strlen(x.period) + (x.primary >= 0 ? strlen(x.v[x.primary].document) : 0);
        ds_edgar_filing_index_deinit(&x);
    }
    return sum == (size_t)-1;
}
