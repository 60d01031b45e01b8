/* sanctions_xml_fuzz.c - libFuzzer target for the XML sanctions list parsers (OFAC sdn.xml, EU
 * and UN consolidated lists), reached through ds_sanctions_parse, which picks the parser from
 * the content. Any input must give DS_OK or an error with a message, never a crash. */
#include "extract/screening/sanctions.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ds_sanctions_list *l = NULL;
    ds_err err;
    ds_err_clear(&err);
    ds_status st = ds_sanctions_parse((const char *)data, size, "fuzz.xml", &l, &err);
    if (st == DS_OK) {
        size_t total = strlen(l->version) + strlen(l->published);
        for (size_t i = 0; i < l->n_entries; i++) {
            total += strlen(l->entries[i].ext_id) + strlen(l->entries[i].name) + strlen(l->entries[i].attributes);
            for (size_t a = 0; a < l->entries[i].n_aliases; a++)
                total += strlen(l->entries[i].aliases[a].name);
        }
        (void)total;
        ds_sanctions_list_free(l);
    } else if (err.msg[0] == '\0') {
        __builtin_trap();
    }
    return 0;
}
