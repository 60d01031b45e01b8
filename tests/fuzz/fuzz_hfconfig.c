/* fuzz_hfconfig.c - libFuzzer target for the Hugging Face config.json reader
 * (model/hfconfig.c): any text is either a config whose values passed the range checks, or an
 * error with a message; never a crash or a leak.
 */
#include "model/checkpoint_internal.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ds_model_config c;
    ds_err err;
    err.msg[0] = '\0';
    if (ds_hfconfig_parse(&c, (const char *)data, size, "fuzz/config.json", &err) == DS_OK) {
        if (c.hidden_size <= 0 || c.num_layers <= 0 || c.num_heads % c.num_kv_heads != 0 || c.head_dim % 2 != 0 ||
            (c.num_experts > 0 && c.num_experts_per_tok > c.num_experts))
            abort();
        for (int l = 0; l < c.num_layers && l < 64; l++)
            (void)ds_model_config_layer_is_moe(&c, l);
        ds_model_config_deinit(&c);
    } else if (err.msg[0] == '\0') {
        abort();
    }
    return 0;
}
