/* cuda_engine_none.c - the CUDA engine's interface (cuda_engine.h) in a build without the CUDA
 * backend: CMakeLists.txt compiles this file instead of cuda_engine.c when nvcc was not found.
 * Every call fails with DS_ERR_UNSUPPORTED and says why; nothing is allocated. */
#include "model/cuda_engine.h"

#include <stdio.h>

int ds_cuda_engine_available(char *why, size_t cap)
{
    if (why && cap)
        snprintf(why, cap, "this build has no CUDA backend (nvcc was not found at build time)");
    return 0;
}

static ds_status none(ds_err *err)
{
    return ds_err_set(err, DS_ERR_UNSUPPORTED, "this build has no CUDA backend");
}

ds_status ds_cuda_engine_create(ds_cuda_engine **out, const ds_model *m, const ds_cuda_engine_opts *o, ds_err *err)
{
    (void)m;
    (void)o;
    *out = NULL;
    return none(err);
}

ds_status ds_cuda_engine_create_random(ds_cuda_engine **out, const ds_model_config *cfg, int awq_group, uint64_t seed,
                                       const ds_cuda_engine_opts *o, ds_err *err)
{
    (void)cfg, (void)awq_group, (void)seed, (void)o;
    *out = NULL;
    return none(err);
}

void ds_cuda_engine_free(ds_cuda_engine *e)
{
    (void)e;
}
const char *ds_cuda_engine_describe(const ds_cuda_engine *e)
{
    (void)e;
    return "none";
}
size_t ds_cuda_engine_weight_bytes(const ds_cuda_engine *e)
{
    (void)e;
    return 0;
}
long ds_cuda_engine_kv_capacity(const ds_cuda_engine *e)
{
    (void)e;
    return 0;
}
int ds_cuda_engine_graph_active(const ds_cuda_engine *e)
{
    (void)e;
    return 0;
}

ds_status ds_cuda_seq_create(ds_cuda_engine *e, ds_cuda_seq **out, ds_err *err)
{
    (void)e;
    *out = NULL;
    return none(err);
}
void ds_cuda_seq_free(ds_cuda_seq *s)
{
    (void)s;
}
int ds_cuda_seq_len(const ds_cuda_seq *s)
{
    (void)s;
    return 0;
}
void ds_cuda_seq_truncate(ds_cuda_seq *s, int n)
{
    (void)s, (void)n;
}

ds_status ds_cuda_engine_forward(ds_cuda_engine *e, ds_cuda_seq *s, const int32_t *tokens, int n, ds_model_logits want,
                                 float *logits, ds_err *err)
{
    (void)e, (void)s, (void)tokens, (void)n, (void)want, (void)logits;
    return none(err);
}

ds_status ds_cuda_engine_generate(ds_cuda_engine *e, ds_cuda_seq *s, const int32_t *prompt, int n_prompt, int max_new,
                                  const ds_cuda_sampling *smp, int32_t *out, int *n_out, double *prefill_s,
                                  double *decode_s, ds_err *err)
{
    (void)e, (void)s, (void)prompt, (void)n_prompt, (void)max_new, (void)smp, (void)out, (void)prefill_s,
        (void)decode_s;
    *n_out = 0;
    return none(err);
}

ds_status ds_cuda_engine_set_mask(ds_cuda_engine *e, const uint32_t *allow, ds_err *err)
{
    (void)e, (void)allow;
    return none(err);
}

ds_status ds_cuda_engine_bench_moe(ds_cuda_engine *e, int T, int reps, double *ms, ds_err *err)
{
    (void)e, (void)T, (void)reps;
    *ms = 0;
    return none(err);
}
