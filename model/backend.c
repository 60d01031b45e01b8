/* backend.c - the choice of backend for a loaded model and the glue to the CUDA engine
 * (cuda_engine.h): model.backend auto|cpu|cuda, the fallback to the CPU (logged) when no device
 * is usable, sequences mirrored as device page tables, and forward / greedy generation routed
 * to the device. The CPU structures stay allocated, so a model can always fall back.
 * Owns: the engine (m->cuda) and each sequence's device pages. Threading: as ds_model.
 */
#include "model/cuda_engine.h"
#include "model/model_internal.h"

#include "pipeline/core/log.h"

#include <stdio.h>
#include <string.h>

void ds_cuda_engine_opts_default(ds_cuda_engine_opts *o)
{
    memset(o, 0, sizeof *o);
    o->prec = DS_CUDA_PREC_BF16;
    o->tp = 1;
    o->graphs = 1;
}

int ds_model_backend_parse(const char *s)
{
    if (!s || strcmp(s, "cpu") == 0)
        return DS_MODEL_BACKEND_CPU;
    if (strcmp(s, "auto") == 0)
        return DS_MODEL_BACKEND_AUTO;
    if (strcmp(s, "cuda") == 0)
        return DS_MODEL_BACKEND_CUDA;
    return -1;
}

const char *ds_model_backend_name(const ds_model *m)
{
    return m->backend_desc[0] ? m->backend_desc : "cpu";
}

static void set_cpu_desc(ds_model *m)
{
    snprintf(m->backend_desc, sizeof m->backend_desc, "cpu, %s kernels, %d threads",
             ds_k_isa_name(ds_kctx_isa(m->kctx)), ds_kctx_threads(m->kctx));
}

ds_status ds_model_backend_open(ds_model *m, ds_err *err)
{
    set_cpu_desc(m);
    const int want = m->opts.backend;
    if (want != DS_MODEL_BACKEND_AUTO && want != DS_MODEL_BACKEND_CUDA)
        return DS_OK;
    ds_log *log = m->opts.log;
    char why[256] = "";
    if (!ds_cuda_engine_available(why, sizeof why)) {
        ds_log_write(log, want == DS_MODEL_BACKEND_CUDA ? DS_LOG_LEVEL_WARN : DS_LOG_LEVEL_INFO, "model",
                     "model backend %s: %s; the CPU backend is used (%s)",
                     want == DS_MODEL_BACKEND_CUDA ? "cuda" : "auto", why, m->backend_desc);
        return DS_OK;
    }
    ds_cuda_engine_opts o;
    ds_cuda_engine_opts_default(&o);
    o.prec = m->opts.cuda_exact ? DS_CUDA_PREC_FP32 : DS_CUDA_PREC_BF16;
    o.tp = m->opts.cuda_devices > 0 ? m->opts.cuda_devices : 1;
    o.page_tokens = m->opts.kv_block_tokens;
    if (m->opts.cuda_exact)
        o.segment_tokens = m->opts.segment_tokens;
    if (m->opts.max_context > 0)
        o.kv_tokens = (long)m->opts.max_context * 4; /* room for a few sequences */
    o.log = log;
    ds_err e2;
    ds_status st = ds_cuda_engine_create(&m->cuda, m, &o, &e2);
    if (st != DS_OK) {
        if (want == DS_MODEL_BACKEND_CUDA) {
            if (err)
                *err = e2;
            return st;
        }
        ds_log_write(log, DS_LOG_LEVEL_WARN, "model",
                     "model backend auto: the CUDA backend did not start (%s); the CPU backend is used", e2.msg);
        return DS_OK;
    }
    snprintf(m->backend_desc, sizeof m->backend_desc, "%s", ds_cuda_engine_describe(m->cuda));
    ds_log_write(log, DS_LOG_LEVEL_INFO, "model", "model backend: %s, KV cache of %ld tokens", m->backend_desc,
                 ds_cuda_engine_kv_capacity(m->cuda));
    return DS_OK;
}

void ds_model_backend_close(ds_model *m)
{
    if (m->cuda) {
        ds_cuda_engine_free(m->cuda);
        m->cuda = NULL;
    }
}

void ds_model_backend_seq_free(ds_model_seq *s)
{
    if (s->cuda_seq) {
        ds_cuda_seq_free(s->cuda_seq);
        s->cuda_seq = NULL;
    }
}

void ds_model_backend_seq_truncate(ds_model_seq *s, int n)
{
    if (s->cuda_seq)
        ds_cuda_seq_truncate(s->cuda_seq, n);
}

static ds_status seq_of(ds_model *m, ds_model_seq *s, ds_err *err)
{
    if (s->cuda_seq)
        return DS_OK;
    ds_status st = ds_cuda_seq_create(m->cuda, &s->cuda_seq, err);
    if (st != DS_OK)
        return st;
    if (s->kv.n_tokens > 0) /* positions computed on the CPU cannot move to the device */
        return ds_err_set(err, DS_ERR_USAGE,
                          "model: a sequence with %d positions from the CPU backend continues on CUDA", s->kv.n_tokens);
    return DS_OK;
}

ds_status ds_model_backend_forward(ds_model *m, const ds_model_batch_item *items, int n_items, ds_err *err)
{
    for (int i = 0; i < n_items; i++) {
        const ds_model_batch_item *it = &items[i];
        ds_status st = seq_of(m, it->seq, err);
        if (st == DS_OK)
            st = ds_cuda_engine_forward(m->cuda, it->seq->cuda_seq, it->tokens, it->n, it->want, it->logits, err);
        it->seq->kv.n_tokens = ds_cuda_seq_len(it->seq->cuda_seq);
        if (st != DS_OK)
            return st;
    }
    return DS_OK;
}

ds_status ds_model_backend_generate(ds_model *m, ds_model_seq *seq, const int32_t *prompt, int n_prompt, int max_new,
                                    int32_t *out, int *n_out, double *prefill_s, double *decode_s, ds_err *err)
{
    ds_status st = seq_of(m, seq, err);
    if (st != DS_OK)
        return st;
    ds_cuda_sampling greedy = {0.0f, 1.0f, 0, 1};
    st = ds_cuda_engine_generate(m->cuda, seq->cuda_seq, prompt, n_prompt, max_new, &greedy, out, n_out, prefill_s,
                                 decode_s, err);
    seq->kv.n_tokens = ds_cuda_seq_len(seq->cuda_seq);
    return st;
}
