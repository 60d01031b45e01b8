/* llm.h - the model backend of the extract stage: versioned prompts asking a language model for
 * facts and for a SWOT analysis as JSON under a schema (extract/prompts.c, schemas in
 * extract/schemas/), the tolerant parser of its answers, the grounding check that drops every
 * value or quote not found in the chunk it cites (extract/grounding.c), and the per-document
 * driver (extract/model_extract.c) that packs a document's chunks into as few contexts as
 * model.max_context allows and turns grounded answers into ds_fact / ds_swot_item records.
 *
 * The driver does not call the engine itself: text generation goes through a ds_llm_generator
 * (model/llm/model_llm.h provides the one backed by a ds_model), so the engine's constrained
 * decoding plugs in behind that single function.
 * Owns: parsed outputs (ds_llm_output_free); records pushed into the caller's lists hold
 * strings in the document's arena. Threading: reentrant; the prompt and schema tables are
 * read-only; a generator is used by one thread at a time.
 */
#ifndef DS_EXTRACT_LLM_H
#define DS_EXTRACT_LLM_H

#include "extract/chunker.h"
#include "extract/facts.h"
#include "extract/swot.h"
#include "model/tokenizer/tokenizer.h"
#include "ingest/document.h"
#include "pipeline/core/log.h"
#include "pipeline/core/status.h"

#include <stddef.h>
#include <stdint.h>

/* ---- prompts (extract/prompts.c) ----------------------------------------------------------- */

typedef enum ds_llm_task { DS_LLM_FACTS, DS_LLM_SWOT } ds_llm_task;

/* "facts-v2", "swot-v2": stored with every row the task produces. Static strings. */
const char *ds_llm_prompt_version(ds_llm_task t);
/* The task's JSON schema (the text of extract/schemas/<version>.json). Static. */
const char *ds_llm_schema(ds_llm_task t);
/* The prompt puts the document first, so that the calls of every task over one window share
 * its KV up to the end of the document: ds_llm_prompt_head (chat header, system text and the
 * user turn's opening, the same for every task and document), the chunks, then the task's
 * instructions (ds_llm_prompt_task), its schema (ds_llm_schema) and ds_llm_prompt_suffix (end of
 * the user turn, start of the assistant's). Static. */
const char *ds_llm_prompt_head(void);
const char *ds_llm_prompt_task(ds_llm_task t);
const char *ds_llm_prompt_suffix(ds_llm_task t);
/* The tag opening a chunk in the prompt: "<chunk id=7>\n" into out (NUL-terminated). The
 * chunk's text follows it, then "\n</chunk>\n" (DS_LLM_CHUNK_CLOSE). */
void ds_llm_chunk_open(int seq, char *out, size_t cap);
#define DS_LLM_CHUNK_CLOSE "\n</chunk>\n"

/* The whole prompt as text for chunks [first, end) (for logs and tests; the driver encodes the
 * pieces separately so that document text never yields special tokens). Appends to out. */
ds_status ds_llm_prompt_text(ds_llm_task t, const ds_chunk_list *chunks, size_t first, size_t end, ds_buf *out);

/* ---- parsing the model's answer (extract/model_extract.c) ------------------------------------ */

typedef struct ds_llm_fact {
    char *metric, *value, *period, *unit, *quote; /* owned by the output */
    int chunk;
} ds_llm_fact;

typedef struct ds_llm_swot {
    ds_swot_category category;
    char *statement, *quote; /* owned by the output */
    int chunk;
} ds_llm_swot;

typedef struct ds_llm_output {
    ds_llm_fact *facts;
    size_t n_facts, cap_facts;
    ds_llm_swot *swot;
    size_t n_swot, cap_swot;
    size_t malformed; /* items present but not matching the schema (skipped) */
    int last_kept;    /* the array's last item was kept (not malformed) */
    int salvaged;     /* the value was cut short: only its complete array items were read */
} ds_llm_output;

/* Parses a model answer for task t: the first JSON value in text[0..n) that is an object with
 * the task's array ("facts" / "swot") or such an array itself, ignoring text before and after
 * it. When no such value is complete (an answer cut by its token budget), the
 * complete items of the task's array are read (out->salvaged set): the answer up to its last
 * complete item, with the array and object closed. Items that do not match the schema are counted in out->malformed and skipped. Appends to
 * out (zeroed by the caller). DS_ERR_PARSE when no such JSON value is found (out unchanged);
 * DS_ERR_NOMEM. Never reads past text[n). */
ds_status ds_llm_parse(ds_llm_task t, const char *text, size_t n, ds_llm_output *out, ds_err *err);
void ds_llm_output_free(ds_llm_output *o);
/* In an answer cut short (extract/llm_salvage.c): the array under "key" (else the answer itself
 * when it starts with '['), *start just after its '[' and *end after its last complete item, so
 * that '[' + text[*start, *end) + ']' is the array's complete items. 0 when there is no such
 * array or no complete item in it. Never reads past text[n). */
int ds_llm_salvage_array(const char *text, size_t n, const char *key, size_t *start, size_t *end);

/* ---- grounding (extract/grounding.c) ------------------------------------------------------- */

/* The digits of a number as printed, the form compared: "$1,234" "1234", "(1,234)" "1234",
 * "$1.2 million" "1.2", "-3.50%" "3.50", "12" "12". Signs, currency, thousands separators,
 * scale words and units are dropped; the decimal point is kept. Returns the length written
 * (out NUL-terminated when cap > 0); 0 when s holds no digit, or more than one number. */
size_t ds_ground_number_key(const char *s, char *out, size_t cap);
/* 1 when text[0..n) shows the number value (some number in it has the same key); the byte
 * offset of that number goes to *off (may be NULL). */
int ds_ground_number(const char *text, size_t n, const char *value, size_t *off);
/* 1 when quote is found in text[0..n) after normalising both: case, runs of white space, and
 * typographic quote marks and dashes (’ ‘ “ ” – —) folded to ASCII; leading and trailing
 * spaces ignored. Quotes shorter than DS_GROUND_MIN_QUOTE normalised bytes never match. The
 * byte offset in text where the match starts goes to *off (may be NULL). */
int ds_ground_quote(const char *text, size_t n, const char *quote, size_t *off);
#define DS_GROUND_MIN_QUOTE 8

typedef struct ds_ground_stats {
    size_t facts_kept, facts_dropped;
    size_t swot_kept, swot_dropped;
} ds_ground_stats;

/* Keeps, in place, the items of o that pass the check against chunks: the cited chunk exists,
 * the quote is found in it, and (facts) the value is found in it too. Adds to stats. */
void ds_ground_output(ds_llm_output *o, const ds_chunk_list *chunks, ds_ground_stats *stats);

/* ---- the per-document driver (extract/model_extract.c) -------------------------------------- */

/* Generates the answer to prompt[0..n_prompt) under the JSON schema (text), appending at most
 * max_new token ids to out. The one place where constrained decoding plugs in. */
typedef ds_status (*ds_llm_generate_fn)(void *ctx, const int32_t *prompt, size_t n_prompt, const char *schema,
                                        int max_new, ds_tokens *out, ds_err *err);

typedef struct ds_llm_answer_info {
    int closed_early; /* the decoder closed the JSON value early to stay within max_new */
    int cut_item;     /* ... while an array item was in progress: the answer's last item is that
                         item finished with minimal values, not what the model meant */
    size_t reused;    /* prompt tokens taken from an earlier call's KV instead of prefilled */
} ds_llm_answer_info;

typedef struct ds_llm_generator {
    ds_llm_generate_fn generate;
    void *ctx;
    const ds_tokenizer *tok; /* the model's tokenizer (borrowed) */
    int max_context;         /* positions one call may use (prompt + answer) */
    int max_new;             /* answer tokens per call */
    const char *model;       /* model name, stored with every row (borrowed) */
    const char *fingerprint; /* hex SHA-256 of the checkpoint (borrowed) */
    /* How the last answer ended (may be NULL: nothing known). */
    void (*answer_info)(void *ctx, ds_llm_answer_info *out);
} ds_llm_generator;

typedef struct ds_llm_stats {
    int calls;
    size_t prompt_tokens, answer_tokens;
    size_t unparsed;       /* answers with no JSON value of the schema */
    size_t truncated;      /* answers that used all max_new tokens without closing (salvaged or unparsed) */
    size_t salvaged;       /* answers read up to their last complete array item */
    size_t closed_early;   /* answers the decoder closed early to fit max_new */
    size_t cut_items;      /* items dropped because the budget cut them */
    size_t malformed;      /* items skipped for not matching the schema */
    size_t skipped_chunks; /* chunks too long for one context on their own */
    size_t windows;        /* facts windows of chunks (one facts call each) */
    size_t swot_windows;   /* SWOT windows (one SWOT call each; whole facts windows joined) */
    size_t grown;          /* facts answers given more than max_new tokens for their table rows */
    size_t row_splits;     /* windows ended early so that their table rows fit the largest budget */
    size_t reused_tokens;  /* prompt tokens not prefilled again (answer_info's reused) */
    ds_ground_stats ground;
    double seconds;
} ds_llm_stats;

/* Answer budgets that fit the work: a facts answer may hold an item for every table row of its
 * window, so a window's facts call gets DS_LLM_ROW_ANSWER_TOKENS per table row (a line of a
 * table chunk), at least max_new and at most the largest budget: half of what max_context leaves
 * after the fixed prompt (never less than max_new), so where the context allows it the whole
 * document is one window. A window whose rows would need more is split before the chunk that
 * crosses it. SWOT answers get max_new, over windows that join consecutive facts windows while
 * they fit max_context, so a split for table rows adds facts calls only. */
#define DS_LLM_ROW_ANSWER_TOKENS 48
/* Table rows of a chunk (its non-blank lines when it is a table part; 0 for prose). */
size_t ds_llm_table_rows(const ds_chunk *c);

/* Runs both tasks over the document: the chunks are packed in order into windows that fit
 * max_context with the prompt and the window's facts budget (above), one facts call each; a SWOT
 * call follows the facts call of the window that starts each SWOT window and shares its prompt up
 * to the end of that facts window's chunks. Grounded facts are
 * appended to facts and SWOT items to swot with source_extractor "model", the model name,
 * fingerprint and prompt version (strings in the document's arena). The number of dropped
 * items is logged (component "model"). An answer that cannot be parsed counts in
 * stats->unparsed and is not an error; generation errors are returned (what earlier windows
 * gave stays in the lists). */
ds_status ds_llm_extract_document(const ds_llm_generator *gen, ds_document *doc, const ds_chunk_list *chunks,
                                  ds_log *log, ds_fact_list *facts, ds_swot_list *swot, ds_llm_stats *stats,
                                  ds_err *err);

/* Checkpoint identity: hex SHA-256 over config.json and every safetensors file's header (the
 * 8-byte length and the JSON header), files in name order. */
ds_status ds_llm_fingerprint(const char *dir, char out[65], ds_err *err);
/* The model's name: config.json's "name" (or "_name_or_path"), else the directory's last
 * component. Writes into out (NUL-terminated). */
void ds_llm_model_name(const char *dir, char *out, size_t cap);

#endif
