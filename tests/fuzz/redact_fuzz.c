/* redact_fuzz.c - libFuzzer target for the secret redactor (pipeline/core/redact.h). Any input
 * must be copied within the buffer, NUL-terminated, and hold no password the redactor can still
 * find: redacting twice changes nothing. */
#include "pipeline/core/redact.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = malloc(size + 1);
    if (!in)
        return 0;
    memcpy(in, data, size);
    in[size] = '\0';
    char once[4096], twice[4096], small[8];
    size_t n = ds_redact_secrets(once, sizeof once, in);
    if (n >= sizeof once || once[n] != '\0')
        abort();
    ds_redact_secrets(twice, sizeof twice, once);
    if (n + 1 < sizeof once && strcmp(once, twice) != 0)
        abort();
    if (ds_redact_secrets(small, sizeof small, in) >= sizeof small)
        abort();
    free(in);
    return 0;
}
