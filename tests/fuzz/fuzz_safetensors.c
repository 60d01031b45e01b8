/* fuzz_safetensors.c - libFuzzer target for the safetensors header validator
 * (model/safetensors.c). Any input must either be rejected with DS_ERR_MODEL and a message, or
 * yield tensors whose byte ranges lie inside the input: every accepted tensor's first and last
 * byte are read, so a range check that lets a bad offset through shows up under ASan.
 */
#include "model/checkpoint_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* a private copy sized exactly, so reads past the end are caught */
    uint8_t *img = malloc(size ? size : 1);
    if (!img)
        return 0;
    memcpy(img, data, size);
    ds_st_file f;
    ds_err err;
    ds_status st = ds_st_parse(&f, img, size, "fuzz.safetensors", &err);
    if (st == DS_OK) {
        volatile uint8_t sink = 0;
        for (size_t i = 0; i < f.n_tensors; i++) {
            const ds_st_tensor *t = &f.tensors[i];
            if (t->end > t->begin) {
                sink ^= ((const uint8_t *)t->data)[0];
                sink ^= ((const uint8_t *)t->data)[t->end - t->begin - 1];
            }
            if ((size_t)(t->end - t->begin) != t->nelem * ds_st_dtype_size(t->dtype))
                abort();
        }
        (void)sink;
    } else if (err.msg[0] == '\0') {
        abort(); /* every rejection says why */
    }
    ds_st_close(&f);
    free(img);
    return 0;
}
