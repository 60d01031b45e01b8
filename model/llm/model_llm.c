/* model_llm.c - a checkpoint, its tokenizer and identity, packaged as the extract stage's
 * generator (see model_llm.h). Owns the model and tokenizer it loads. Threading: one caller at
 * a time per ds_model_llm.
 */
#include "model/llm/model_llm.h"

#include "model/json_schema.h"
#include "pipeline/core/alloc.h"

#include <stdio.h>
#include <string.h>

/* A sequence kept between calls with the prompt it holds: the next prompt sharing its start
 * (the system text, and the document the tasks of one window share) only prefills the rest. */
#define N_SLOTS 2
typedef struct slot {
    ds_model_seq *seq;
    ds_tokens held; /* prompt tokens whose KV the sequence holds */
    unsigned long long used;
} slot;

struct ds_model_llm {
    ds_model *m;
    ds_tokenizer *tok;
    char name[256];
    char fingerprint[65];
    ds_llm_generator gen;
    slot slots[N_SLOTS];
    unsigned long long clock;
    size_t reused;           /* prompt tokens not prefilled again thanks to the slots */
    ds_llm_answer_info last; /* how the last constrained answer ended */
    /* Constrained decoding: the vocabulary trie (built at the first schema) and one compiled
     * schema with its matcher per distinct schema text (the tasks' schemas are static). */
    ds_json_vocab *jvocab;
    struct {
        const char *text; /* borrowed: the task's static schema */
        ds_json_schema *schema;
        ds_json_matcher *matcher;
    } schemas[4];
};

/* The matcher of schema (compiled on first use), at the start of a value. */
static ds_status matcher_for(ds_model_llm *l, const char *schema, ds_json_matcher **out, ds_err *err)
{
    *out = NULL;
    ds_status st = DS_OK;
    if (!l->jvocab) {
        const ds_model_config *cfg = ds_model_config_of(l->m);
        int32_t eos[2];
        int n_eos = 0;
        int32_t id = ds_tokenizer_token_id(l->tok, "<|im_end|>");
        if (id >= 0)
            eos[n_eos++] = id;
        id = ds_tokenizer_token_id(l->tok, "<|endoftext|>");
        if (id >= 0)
            eos[n_eos++] = id;
        if ((st = ds_json_vocab_from_tokenizer(&l->jvocab, l->tok, cfg->vocab_size, eos, n_eos, err)))
            return st;
    }
    int free_slot = -1;
    for (int i = 0; i < 4; i++) {
        if (l->schemas[i].text == schema) {
            ds_json_matcher_reset(l->schemas[i].matcher);
            *out = l->schemas[i].matcher;
            return DS_OK;
        }
        if (!l->schemas[i].text && free_slot < 0)
            free_slot = i;
    }
    if (free_slot < 0)
        return ds_err_set(err, DS_ERR_INTERNAL, "more than 4 distinct output schemas");
    ds_json_schema *js = NULL;
    ds_json_matcher *mt = NULL;
    if ((st = ds_json_schema_compile(&js, schema, strlen(schema), "task schema", err)))
        return st;
    if ((st = ds_json_matcher_create(&mt, js, l->jvocab, 0, err))) {
        ds_json_schema_free(js);
        return st;
    }
    l->schemas[free_slot].text = schema;
    l->schemas[free_slot].schema = js;
    l->schemas[free_slot].matcher = mt;
    *out = mt;
    return DS_OK;
}

/* The one place where decoding happens: greedy, and with a schema (and l to hold its matcher)
 * constrained so that at each step only tokens the schema allows next can be chosen: every
 * answer parses and fits the schema, or stops at max_new. */
static ds_status decode_under_schema(ds_model_llm *l, ds_model *m, ds_model_seq *seq, const int32_t *prompt, int n,
                                     const char *schema, int max_new, int32_t *out, int *got, ds_err *err)
{
    if (!l || !schema)
        return ds_model_generate_greedy(m, seq, prompt, n, max_new, out, got, NULL, NULL, err);
    ds_json_matcher *mt = NULL;
    ds_status st = matcher_for(l, schema, &mt, err);
    if (st)
        return st;
    l->last = (ds_llm_answer_info){0, 0, 0};
    if (max_new < ds_json_matcher_min_tokens(mt))
        return ds_err_set(err, DS_ERR_CONFIG,
                          "model.max_new_tokens %d is below the %d tokens the task's shortest JSON answer may need",
                          max_new, ds_json_matcher_min_tokens(mt));
    st = ds_model_generate(m, seq, prompt, n, max_new, NULL, mt, out, got, NULL, NULL, NULL, NULL, err);
    l->last.closed_early = ds_json_matcher_closing(mt);
    l->last.cut_item = ds_json_matcher_cut_item(mt);
    return st;
}

static void answer_info(void *ctx, ds_llm_answer_info *out)
{
    const ds_model_llm *l = ctx;
    *out = l->last;
}

ds_status ds_model_generate_json(ds_model_llm *l, const int32_t *prompt, size_t n, const char *schema, int max_new,
                                 ds_tokens *out, ds_err *err)
{
    ds_model *m = l->m;
    if (n == 0 || n > (size_t)INT32_MAX || max_new <= 0)
        return ds_err_set(err, DS_ERR_USAGE, "generate: empty prompt or no answer tokens");
    ds_model_seq *seq = NULL;
    ds_status st = ds_model_seq_create(m, &seq, err);
    if (st != DS_OK)
        return st;
    if (ds_tokens_reserve(out, (size_t)max_new) != DS_OK) {
        ds_model_seq_free(seq);
        return ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    }
    int got = 0;
    st = decode_under_schema(l, m, seq, prompt, (int)n, schema, max_new, out->v + out->n, &got, err);
    if (st == DS_OK)
        out->n += (size_t)got;
    ds_model_seq_free(seq);
    return st;
}

static size_t common_prefix(const ds_tokens *a, const int32_t *b, size_t n)
{
    size_t i = 0;
    while (i < a->n && i < n && a->v[i] == b[i])
        i++;
    return i;
}

/* Generation through the slot sharing the longest start with the prompt: its sequence is cut
 * back to the shared part and only the rest is prefilled, which gives the same tokens as a fresh
 * sequence (the cache holds exactly the positions of the shared tokens). With the document first
 * (extract/prompts.c), the second task's call over a window reuses the whole window's KV. */
static ds_status generate(void *ctx, const int32_t *prompt, size_t n, const char *schema, int max_new, ds_tokens *out,
                          ds_err *err)
{
    ds_model_llm *l = ctx;
    if (n == 0 || n > (size_t)INT32_MAX || max_new <= 0)
        return ds_err_set(err, DS_ERR_USAGE, "generate: empty prompt or no answer tokens");
    slot *best = &l->slots[0];
    size_t keep = 0;
    for (int i = 0; i < N_SLOTS; i++) {
        slot *s = &l->slots[i];
        size_t c = s->seq ? common_prefix(&s->held, prompt, n) : 0;
        if (c > keep || (keep == 0 && c == 0 && s->used < best->used)) {
            best = s;
            keep = c;
        }
    }
    if (keep >= n) /* at least one token is prefilled, for the logits of the first answer token */
        keep = n - 1;
    ds_status st = DS_OK;
    if (!best->seq)
        st = ds_model_seq_create(l->m, &best->seq, err);
    if (st == DS_OK) {
        ds_model_seq_truncate(best->seq, (int)keep);
        ds_tokens_clear(&best->held);
        if (ds_tokens_reserve(&best->held, n) != DS_OK || ds_tokens_reserve(out, (size_t)max_new) != DS_OK)
            st = ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    }
    int got = 0;
    if (st == DS_OK)
        st = decode_under_schema(l, l->m, best->seq, prompt + keep, (int)(n - keep), schema, max_new, out->v + out->n,
                                 &got, err);
    if (st == DS_OK) {
        out->n += (size_t)got;
        memcpy(best->held.v, prompt, n * sizeof(int32_t));
        best->held.n = n;
        best->used = ++l->clock;
        l->reused += keep;
        l->last.reused = keep;
    } else if (best->seq) { /* the sequence's contents are unknown now */
        ds_model_seq_free(best->seq);
        best->seq = NULL;
        ds_tokens_clear(&best->held);
    }
    return st;
}

size_t ds_model_llm_reused_tokens(const ds_model_llm *l)
{
    return l->reused;
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
        st = ds_tokenizer_load(&l->tok, path, err);
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
        l->gen.answer_info = answer_info;
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
    for (int i = 0; i < N_SLOTS; i++) {
        ds_model_seq_free(l->slots[i].seq);
        ds_tokens_deinit(&l->slots[i].held);
    }
    for (int i = 0; i < 4; i++) {
        ds_json_matcher_free(l->schemas[i].matcher);
        ds_json_schema_free(l->schemas[i].schema);
    }
    ds_json_vocab_free(l->jvocab);
    ds_tokenizer_free(l->tok);
    ds_model_free(l->m);
    ds_free(l);
}

const ds_llm_generator *ds_model_llm_generator(const ds_model_llm *l)
{
    return &l->gen;
}

ds_model *ds_model_llm_model(const ds_model_llm *l)
{
    return l->m;
}
