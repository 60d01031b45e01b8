/* fuzz_llm_parse.c - libFuzzer target for the model backend's answer parser and grounding
 * check (extract/model_extract.c, extract/grounding.c): any bytes give either items that match
 * the schema or DS_ERR_PARSE, and grounding them against the input itself never crashes.
 */
#include "extract/llm.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    ds_chunk c = {0};
    c.text = text;
    c.text_len = size;
    ds_chunk_list cl = {&c, 1};
    for (int t = 0; t < 2; t++) {
        ds_llm_output o = {0};
        ds_err err;
        ds_status st = ds_llm_parse((ds_llm_task)t, text, size, &o, &err);
        if (st != DS_OK && st != DS_ERR_PARSE)
            abort();
        if (st != DS_OK && (o.n_facts || o.n_swot))
            abort();
        for (size_t i = 0; i < o.n_facts; i++)
            if (!o.facts[i].metric || !o.facts[i].value || !o.facts[i].quote || o.facts[i].chunk < 0)
                abort();
        ds_ground_stats gs = {0};
        size_t before = o.n_facts + o.n_swot;
        ds_ground_output(&o, &cl, &gs);
        if (gs.facts_kept + gs.facts_dropped + gs.swot_kept + gs.swot_dropped != before)
            abort();
        ds_llm_output_free(&o);
    }
    char key[64];
    char *s = malloc(size + 1);
    if (s) {
        memcpy(s, data, size);
        s[size] = '\0';
        ds_ground_number_key(s, key, sizeof key);
        (void)ds_ground_number(text, size, s, NULL);
        (void)ds_ground_quote(text, size, s, NULL);
        free(s);
    }
    return 0;
}
