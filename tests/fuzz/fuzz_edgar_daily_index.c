/* fuzz_edgar_daily_index.c - libFuzzer target for EDGAR's daily form index reader
 * (ingest/edgar_daily_index.c): parses the input and reads every string of every row kept. */
#include "ingest/edgar_daily_index.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ds_edgar_daily_index x;
    ds_err err;
    size_t sum = 0;
    if (ds_edgar_daily_index_parse(&x, (const char *)data, size, &err) == DS_OK) {
        for (size_t i = 0; i < x.n; i++)
            sum += strlen(x.v[i].form) + strlen(x.v[i].company) + strlen(x.v[i].accession) +
                   strlen(x.v[i].filing_date) + (size_t)(x.v[i].cik > 0);
        ds_edgar_daily_index_deinit(&x);
    }
    return sum == (size_t)-1;
}
