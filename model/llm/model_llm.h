/* model_llm.h - the engine behind the extract stage's model backend (extract/llm.h): a loaded
 * checkpoint with its tokenizer, name and fingerprint, and the generator that answers a prompt
 * under a JSON schema.
 * Owns: a ds_model_llm owns its model and tokenizer (ds_model_llm_free). Threading: one
 * thread at a time per ds_model_llm (the engine serialises forward passes).
 */
#ifndef DS_MODEL_MODEL_LLM_H
#define DS_MODEL_MODEL_LLM_H

#include "extract/llm.h"
#include "model/tokenizer/tokenizer.h"
#include "model/model.h"
#include "pipeline/core/status.h"

typedef struct ds_model_llm ds_model_llm;

/* Loads the checkpoint in dir with opts (may be NULL) and dir/tokenizer.json, and computes the
 * name and fingerprint. max_new: answer tokens per call (0: 256). max_context: positions one
 * call may use (0: the model's max_position_embeddings). Caller frees with ds_model_llm_free. */
ds_status ds_model_llm_open(ds_model_llm **out, const char *dir, const ds_model_opts *opts, int max_new,
                            int max_context, ds_err *err);
void ds_model_llm_free(ds_model_llm *l);

/* The generator for ds_llm_extract_document (borrowed from l). It keeps two sequences between
 * calls, so a prompt that starts like an earlier one (the system text; the whole document for the
 * second task over one window) only prefills what differs; answers are the same as from a fresh
 * sequence. answer_info's reused gives the prompt tokens the last call did not prefill. */
const ds_llm_generator *ds_model_llm_generator(const ds_model_llm *l);
ds_model *ds_model_llm_model(const ds_model_llm *l);
/* Prompt tokens whose prefill the kept sequences saved so far. */
size_t ds_model_llm_reused_tokens(const ds_model_llm *l);

/* Generates the answer to prompt[0..n) under a JSON schema in a fresh sequence, appending at
 * most max_new ids to out: decoding is constrained by the schema (each step may only choose a
 * token the schema allows next) and closed early when the budget runs out (json_schema.h,
 * ds_json_matcher_mask_within), so the answer always parses and fits. DS_ERR_CONFIG when max_new
 * is below the schema's shortest answer. The
 * generator of ds_model_llm_generator gives the same ids while reusing the shared prompt start. */
ds_status ds_model_generate_json(ds_model_llm *l, const int32_t *prompt, size_t n, const char *schema, int max_new,
                                 ds_tokens *out, ds_err *err);

#endif
