/* sanctions_csv_fuzz.c - libFuzzer target for the OFAC CSV parser (extract/screening/sanctions.h).
 * The input is split at the first form feed into sdn.csv and alt.csv, and at a second one into
 * add.csv, so one input exercises the record reader, the linking of aliases and addresses and
 * the remarks scanning. Any input must give DS_OK or an error with a message, never a crash. */
#include "extract/screening/sanctions.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;
    const char *parts[3] = {p, NULL, NULL};
    size_t lens[3] = {size, 0, 0};
    const char *ff = memchr(p, '\f', size);
    if (ff) {
        lens[0] = (size_t)(ff - p);
        parts[1] = ff + 1;
        lens[1] = (size_t)(end - parts[1]);
        const char *ff2 = memchr(parts[1], '\f', lens[1]);
        if (ff2) {
            lens[1] = (size_t)(ff2 - parts[1]);
            parts[2] = ff2 + 1;
            lens[2] = (size_t)(end - parts[2]);
        }
    }
    ds_sanctions_csv_files f = {0};
    f.sdn = parts[0];
    f.sdn_n = lens[0];
    f.alt = parts[1];
    f.alt_n = lens[1];
    f.add = parts[2];
    f.add_n = lens[2];
    ds_sanctions_list *l = NULL;
    ds_err err;
    ds_err_clear(&err);
    ds_status st = ds_sanctions_parse_ofac_csv(&f, &l, &err);
    if (st == DS_OK) {
        /* Touch everything the parser handed out. */
        size_t total = 0;
        for (size_t i = 0; i < l->n_entries; i++) {
            total += strlen(l->entries[i].ext_id) + strlen(l->entries[i].name) + strlen(l->entries[i].attributes);
            for (size_t a = 0; a < l->entries[i].n_aliases; a++)
                total += strlen(l->entries[i].aliases[a].name);
        }
        (void)total;
        ds_sanctions_list_free(l);
    } else if (err.msg[0] == '\0') {
        __builtin_trap(); /* every failure must say why */
    }
    return 0;
}
