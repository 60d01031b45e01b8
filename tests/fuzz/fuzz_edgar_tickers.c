/* fuzz_edgar_tickers.c - libFuzzer target for the SEC ticker file reader (ingest/edgar_tickers.c):
 * parses the input, reads every row kept and looks up the first line of the input as a ticker or
 * name. */
#include "ingest/edgar_tickers.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ds_edgar_tickers t;
    ds_err err;
    size_t sum = 0;
    if (ds_edgar_tickers_parse(&t, (const char *)data, size, &err) == DS_OK) {
        for (size_t i = 0; i < t.n; i++) {
            sum += t.v[i].ticker ? strlen(t.v[i].ticker) : 0;
            sum += t.v[i].title ? strlen(t.v[i].title) : 0;
            sum += t.v[i].cik > 0 ? 0 : 1;
        }
        char entry[64];
        size_t k = 0;
        for (; k < size && k + 1 < sizeof entry && data[k] && data[k] != '\n'; k++)
            entry[k] = (char)data[k];
        entry[k] = '\0';
        long long cik;
        sum += (size_t)ds_edgar_tickers_lookup(&t, entry, &cik);
        ds_edgar_tickers_deinit(&t);
    }
    return sum == (size_t)-1;
}
