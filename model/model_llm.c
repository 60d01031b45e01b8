/* model_llm.c - a checkpoint, its tokenizer and identity, packaged as the extract stage's
 * generator (see model_llm.h). Owns the model and tokenizer it loads. Threading: one caller at
 * a time per ds_model_llm.
 */
#include "model/model_llm.h"

#include "pipeline/core/alloc.h"

#include <stdio.h>
#include <string.h>

struct ds_model_llm {
    ds_model *m;
    ds_tokenizer *tok;
    char name[256];
    char fingerprint[65];
    ds_llm_generator gen;
};

ds_status ds_model_generate_json(ds_model *m, const int32_t *prompt, size_t n, const char *schema, int max_new,
                                 ds_tokens *out, ds_err *err)
{
    (void)schema; /* greedy decoding for now; a schema token mask goes here */
    if (n == 0 || n > (size_t)INT32_MAX || max_new <= 0)
        return ds_err_set(err, DS_ERR_USAGE, "generate: empty prompt or no answer tokens");
    ds_model_seq *seq = NULL;
    ds_status st = ds_model_seq_create(m, &seq, err);
    if (st != DS_OK)
        return st;
    st = ds_tokens_reserve(out, (size_t)max_new);
    if (st != DS_OK) {
        ds_model_seq_free(seq);
        return ds_err_set(err, st, "out of memory");
    }
    int got = 0;
    st = ds_model_generate_greedy(m, seq, prompt, (int)n, max_new, out->v + out->n, &got, NULL, NULL, err);
    if (st == DS_OK)
        out->n += (size_t)got;
    ds_model_seq_free(seq);
    return st;
}

static ds_status generate(void *ctx, const int32_t *prompt, size_t n, const char *schema, int max_new,
                          ds_tokens *out, ds_err *err)
{
    ds_model_llm *l = ctx;
    return ds_model_generate_json(l->m, prompt, n, schema, max_new, out, err);
}

ds_status ds_model_llm_open(ds_model_llm **out, const char *dir, const ds_model_opts *opts, int max_new,
                            int max_context, ds_err *err)
{
    *out = NULL;
    ds_model_llm *l = ds_calloc(1, sizeof *l);
    if (!l)
        return ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    ds_status st = ds_llm_fingerprint(dir, l->fingerprint, err);
    if (st == DS_OK)
        st = ds_model_load(&l->m, dir, opts, err);
    if (st == DS_OK) {
        char path[4096];
        snprintf(path, sizeof path, "%s/tokenizer.json", dir);
        l->tok = ds_tokenizer_load(path, err);
        if (!l->tok)
            st = err ? err->code : DS_ERR_TOKENIZER;
    }
    if (st == DS_OK) {
        const ds_model_config *cfg = ds_model_config_of(l->m);
        if (ds_tokenizer_vocab_size(l->tok) > cfg->vocab_size)
            st = ds_err_set(err, DS_ERR_TOKENIZER, "%s: tokenizer has %d ids, the model's vocabulary %d", dir,
                            (int)ds_tokenizer_vocab_size(l->tok), cfg->vocab_size);
        int ctx = max_context > 0 ? max_context : cfg->max_position_embeddings;
        if (cfg->max_position_embeddings > 0 && ctx > cfg->max_position_embeddings &&
            cfg->rope_scaling.type != DS_MODEL_ROPE_YARN)
            ctx = cfg->max_position_embeddings;
        ds_llm_model_name(dir, l->name, sizeof l->name);
        l->gen.generate = generate;
        l->gen.ctx = l;
        l->gen.tok = l->tok;
        l->gen.max_context = ctx;
        l->gen.max_new = max_new > 0 ? max_new : 256;
        l->gen.model = l->name;
        l->gen.fingerprint = l->fingerprint;
    }
    if (st != DS_OK) {
        ds_model_llm_free(l);
        return st;
    }
    *out = l;
    return DS_OK;
}

void ds_model_llm_free(ds_model_llm *l)
{
    if (!l)
        return;
    ds_tokenizer_free(l->tok);
    ds_model_free(l->m);
    ds_free(l);
}

const ds_llm_generator *ds_model_llm_generator(const ds_model_llm *l) { return &l->gen; }

ds_model *ds_model_llm_model(const ds_model_llm *l) { return l->m; }
