/* json_schema.h - JSON-schema constrained decoding: a schema compiled to a byte-level pushdown
 * automaton, a vocabulary's byte trie, and per-sequence matchers that give, at each decoding
 * step, the bitmask of token ids whose bytes keep the output a valid prefix of a JSON value that
 * fits the schema (and end-of-sequence ids only once the value is complete).
 *
 * Supported schema subset (anything else is refused with DS_ERR_UNSUPPORTED):
 *   {"type":"object","properties":{...},"required":[...],"additionalProperties":false}
 *     (at most 64 properties; only listed properties are produced, in the order listed, each
 *     optional one may be left out; additionalProperties true/absent is treated as false,
 *     which still fits the schema)
 *   {"type":"array","items":S,"minItems":n,"maxItems":n}
 *   {"type":"string","maxLength":n,"minLength":n}   (lengths in code points)
 *   {"enum":[...]} and {"const":v} of any JSON values (at most 64; matched as their compact text)
 *   {"type":"number"} / {"type":"integer"} (at most 24 characters: 18 integer digits, 2 exponent digits), {"type":"boolean"},
 *   {"type":"null"}; nesting to depth 30.
 * Output form: compact JSON, with at most one space after ':' and ','; strings are valid UTF-8
 * without \u escapes (the escapes \" \\ \/ \b \f \n \r \t are allowed).
 *
 * Ownership: ds_json_schema and ds_json_vocab are immutable once built and may be shared by any
 * number of matchers and threads; each is freed by its _free. A ds_json_matcher belongs to one
 * sequence and one thread at a time; it references (does not own) its schema and vocabulary,
 * which must outlive it. Masks returned are borrowed from the matcher until its next call.
 */
#ifndef DS_MODEL_JSON_SCHEMA_H
#define DS_MODEL_JSON_SCHEMA_H

#include "pipeline/core/status.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ds_json_schema ds_json_schema;
typedef struct ds_json_vocab ds_json_vocab;
typedef struct ds_json_matcher ds_json_matcher;
typedef struct ds_tokenizer ds_tokenizer;

/* Compiles the schema text json[0..n); name is used in messages (may be NULL). */
ds_status ds_json_schema_compile(ds_json_schema **out, const char *json, size_t n, const char *name, ds_err *err);
/* The same from a file. */
ds_status ds_json_schema_load(ds_json_schema **out, const char *path, ds_err *err);
void ds_json_schema_free(ds_json_schema *s);

/* A vocabulary of n_tokens ids: bytes[i][0..lens[i]) is what id i stands for (NULL or length 0:
 * never allowed, e.g. special tokens); eos[0..n_eos) are the end-of-sequence ids, allowed only
 * when the value is complete. The arrays are copied. */
ds_status ds_json_vocab_create(ds_json_vocab **out, int n_tokens, const char *const *bytes, const size_t *lens,
                               const int32_t *eos, int n_eos, ds_err *err);
/* From a tokenizer, sized to the model's vocabulary (ids past the tokenizer's are never
 * allowed); special tokens other than the eos ids are never allowed. */
ds_status ds_json_vocab_from_tokenizer(ds_json_vocab **out, const ds_tokenizer *tk, int n_tokens, const int32_t *eos,
                                       int n_eos, ds_err *err);
void ds_json_vocab_free(ds_json_vocab *v);
int ds_json_vocab_size(const ds_json_vocab *v);

/* A matcher at the start of the value. It keeps a cache of masks keyed by the automaton state
 * (at most cache_entries masks; 0: 256). */
ds_status ds_json_matcher_create(ds_json_matcher **out, const ds_json_schema *s, const ds_json_vocab *v,
                                 int cache_entries, ds_err *err);
void ds_json_matcher_free(ds_json_matcher *m);
/* Back to the start of the value (the cache is kept). */
void ds_json_matcher_reset(ds_json_matcher *m);

/* The allowed ids now: (vocab + 63) / 64 words, bit i % 64 of word i / 64 for id i. Borrowed
 * until the next call on m. Never empty: before completion some byte always continues the
 * value if the vocabulary has the 256 single bytes; otherwise the caller sees an empty mask
 * (ds_sampler_sample returns -1). */
const uint64_t *ds_json_matcher_mask(ds_json_matcher *m);
/* The allowed ids when at most left more ids may be produced (this one included): those of
 * ds_json_matcher_mask after which the shortest completion the schema accepts still fits, so a
 * sequence that only takes such ids ends with a complete value within its budget (when the
 * vocabulary holds the single bytes). Far from the end it is ds_json_matcher_mask itself; near
 * it the value is closed early: strings end, arrays close before another item, an unfinished
 * object gets its required properties with minimal values (empty strings, 0, the shortest enum
 * value). Borrowed until the next call on m. Requires ds_json_matcher_min_tokens(m) <= left. */
const uint64_t *ds_json_matcher_mask_within(ds_json_matcher *m, int left);
/* Ids needed at least to finish the value from here (each byte one id at worst, plus an eos id
 * where the value does not close itself); 0 once finished. At the start: the minimal answer. */
int ds_json_matcher_min_tokens(const ds_json_matcher *m);
/* 1 when, since the start, a budget mask had to leave out an id the schema allowed (the value
 * was closed early). */
int ds_json_matcher_closing(const ds_json_matcher *m);
/* 1 when, as closing began, an array item was in progress: the item the value then ends with was
 * finished with minimal values and is not what the model meant (callers drop it). */
int ds_json_matcher_cut_item(const ds_json_matcher *m);
/* Advances over token id (it must be allowed: DS_ERR_PARSE otherwise, state unchanged). An eos
 * id is accepted only when the value is complete and finishes the matcher. */
ds_status ds_json_matcher_accept(ds_json_matcher *m, int32_t id, ds_err *err);
/* 1 when the bytes so far form a complete value (an eos id would be allowed). */
int ds_json_matcher_complete(const ds_json_matcher *m);
/* 1 once an eos id was accepted, or the value is complete and nothing else can follow. */
int ds_json_matcher_finished(const ds_json_matcher *m);

typedef struct ds_json_mask_stats {
    uint64_t masks, cache_hits;
    uint64_t trie_nodes_walked;
    uint64_t budget_masks; /* masks that left out ids to close within the budget */
    double build_s;        /* time spent building masks that missed the cache */
} ds_json_mask_stats;
void ds_json_matcher_stats(const ds_json_matcher *m, ds_json_mask_stats *st);

#endif
