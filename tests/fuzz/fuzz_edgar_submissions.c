/* fuzz_edgar_submissions.c - libFuzzer target for the EDGAR submissions JSON reader
 * (ingest/edgar_submissions.c): parses the input and reads every string of every row kept. */
#include "ingest/edgar_submissions.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ds_edgar_submissions s;
    ds_err err;
    size_t sum = 0;
    if (ds_edgar_submissions_parse(&s, (const char *)data, size, &err) == DS_OK) {
        for (size_t i = 0; i < s.n; i++) {
            sum += strlen(s.v[i].accession) + strlen(s.v[i].form) + strlen(s.v[i].filing_date);
            sum += s.v[i].report_date ? strlen(s.v[i].report_date) : 0;
            sum += s.v[i].primary_document ? strlen(s.v[i].primary_document) : 0;
        }
        sum += s.name ? strlen(s.name) : 0;
        ds_edgar_submissions_deinit(&s);
    }
    return sum == (size_t)-1;
}
