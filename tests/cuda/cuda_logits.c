/* cuda_logits.c - the CUDA backend's logits for given token ids, for the independent Hugging Face
 * `transformers` reference of the device run (tests/cuda/hf_reference.py, run_on_gpu.sh):
 *   cuda_logits tiny DIR
 *       writes the tiny Qwen3-MoE test checkpoint (no router temperature, which is this
 *       project's extension) into DIR and its AutoAWQ int4 version (group 16) into DIR-awq;
 *       CPU only, so the device run can carry both;
 *   cuda_logits run DIR fp32|bf16 OUT TOKEN...
 *       every position's logits (float32, n x vocab, row-major) of the CUDA engine over the
 *       tokens, one prefill, into the file OUT.
 * Exit status 0, 77 when `run` finds no device, 1 on an error (its message on stderr).
 */
#include "model/awq.h"
#include "model/cuda_engine.h"
#include "model/model.h"
#include "kernels/cuda/kernels_cuda.h"
#include "tests/model/tiny_moe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int write_tiny(const char *dir)
{
    tiny_spec s;
    tiny_spec_default(&s);
    s.seed = 11;
    if (tiny_write(dir, &s) != 0)
        return 1;
    char q[4200];
    snprintf(q, sizeof q, "%s-awq", dir);
    ds_awq_quant_opts o = {.group_size = 16, .n_threads = 2};
    ds_awq_quant_report rep;
    ds_err err;
    if (ds_awq_quantize(dir, q, &o, &rep, &err) != DS_OK) {
        fprintf(stderr, "cuda_logits: quantize %s: %s\n", dir, err.msg);
        return 1;
    }
    printf("wrote %s and %s\n", dir, q);
    return 0;
}

static int run(const char *dir, const char *prec, const char *out, int n, char **tok_args)
{
    char why[256];
    if (ds_cuda_device_probe(why, sizeof why) <= 0) {
        printf("cuda_logits: no usable CUDA device: %s\n", why);
        return 77;
    }
    int32_t *tok = malloc(sizeof(int32_t) * (size_t)n);
    for (int i = 0; i < n; i++)
        tok[i] = (int32_t)atoi(tok_args[i]);
    ds_model_opts mo;
    ds_model_opts_default(&mo);
    mo.n_threads = 2;
    ds_model *m = NULL;
    ds_cuda_engine *e = NULL;
    ds_cuda_seq *s = NULL;
    float *lg = NULL;
    int rc = 1;
    ds_err err;
    memset(&err, 0, sizeof err);
    ds_cuda_engine_opts eo;
    ds_cuda_engine_opts_default(&eo);
    eo.prec = strcmp(prec, "bf16") ? DS_CUDA_PREC_FP32 : DS_CUDA_PREC_BF16;
    eo.kv_tokens = n + 64;
    if (ds_model_load(&m, dir, &mo, &err) != DS_OK || ds_cuda_engine_create(&e, m, &eo, &err) != DS_OK ||
        ds_cuda_seq_create(e, &s, &err) != DS_OK)
        goto done;
    const int V = ds_model_config_of(m)->vocab_size;
    lg = malloc(sizeof(float) * (size_t)n * V);
    if (ds_cuda_engine_forward(e, s, tok, n, DS_MODEL_LOGITS_ALL, lg, &err) != DS_OK)
        goto done;
    FILE *f = fopen(out, "wb");
    if (!f || fwrite(lg, sizeof(float), (size_t)n * V, f) != (size_t)n * V) {
        snprintf(err.msg, sizeof err.msg, "cannot write %s", out);
        if (f)
            fclose(f);
        goto done;
    }
    rc = fclose(f) == 0 ? 0 : 1;
done:
    if (rc)
        fprintf(stderr, "cuda_logits: %s\n", err.msg);
    free(lg);
    free(tok);
    ds_cuda_seq_free(s);
    ds_cuda_engine_free(e);
    ds_model_free(m);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "tiny"))
        return write_tiny(argv[2]);
    if (argc >= 6 && !strcmp(argv[1], "run"))
        return run(argv[2], argv[3], argv[4], argc - 5, argv + 5);
    fprintf(stderr, "usage: cuda_logits tiny DIR | cuda_logits run DIR fp32|bf16 OUT TOKEN...\n");
    return 2;
}
