/* tokenizer.h - Hugging Face byte-level BPE tokenizer (the Qwen2/Qwen3, Llama-3 and GPT-2 family).
 *
 * Reads a `tokenizer.json` and encodes text to exactly the ids Hugging Face `tokenizers` gives
 * (encode with add_special_tokens=False: no post-processor template is applied), decodes ids back
 * to bytes, counts tokens, and answers vocabulary questions (the bytes a token stands for, the id
 * of a token) for constrained decoding.
 *
 * Supported tokenizer.json contents: model BPE (merges as "a b" strings or ["a","b"] pairs,
 * ignore_merges, unk_token/fuse_unk); normalizer null or NFC; pre-tokenizer ByteLevel (with or
 * without its GPT-2 regex, add_prefix_space) alone or after a Split whose regex is the GPT-2, the
 * Qwen2 or the Llama-3 pattern (Isolated, not inverted); decoder ByteLevel or null; added tokens
 * with their single_word, lstrip, rstrip, normalized and special flags. Anything else is refused
 * at load with DS_ERR_UNSUPPORTED rather than tokenized differently from Hugging Face.
 *
 * Input text is UTF-8. Hugging Face only accepts valid Unicode strings; here each invalid byte
 * sequence is replaced by U+FFFD first (the "maximal subpart" rule of Rust's from_utf8_lossy and
 * of the WHATWG decoder), so the ids are those Hugging Face gives for the lossily decoded text.
 * NFC is GLib's, except that the characters Hugging Face's older NFC tables do not know (a
 * generated list) are left alone, as Hugging Face leaves them.
 *
 * Owns: a ds_tokenizer owns all its tables; it is immutable after ds_tokenizer_load, so any number
 * of threads may use one at the same time. A ds_tokenizer_cache (word cache and scratch space)
 * belongs to one thread at a time; give each thread its own. Nothing here has global state.
 */
#ifndef DS_EXTRACT_TOKENIZER_H
#define DS_EXTRACT_TOKENIZER_H

#include "pipeline/core/buf.h"
#include "pipeline/core/status.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ds_tokenizer ds_tokenizer;
typedef struct ds_tokenizer_cache ds_tokenizer_cache;

/* A caller-owned growable array of token ids, laid out as DS_VEC(int32_t) (pipeline/core/vec.h),
 * so the DS_VEC_* macros work on it. Encode appends to it; free with ds_tokens_deinit. */
typedef struct ds_tokens {
    int32_t *v;
    size_t n, cap;
} ds_tokens;

#define DS_TOKENS_INIT \
    {                  \
        NULL, 0, 0     \
    }

void ds_tokens_init(ds_tokens *t);
void ds_tokens_deinit(ds_tokens *t); /* frees the ids; leaves t empty */
void ds_tokens_clear(ds_tokens *t);  /* length 0, keeps capacity */
ds_status ds_tokens_reserve(ds_tokens *t, size_t extra);

/* Loads a tokenizer.json into *out; the caller frees the tokenizer with ds_tokenizer_free. On
 * failure *out is NULL and err is filled (DS_ERR_IO, DS_ERR_PARSE, DS_ERR_TOKENIZER for
 * inconsistent contents, DS_ERR_UNSUPPORTED, DS_ERR_NOMEM). */
ds_status ds_tokenizer_load(ds_tokenizer **out, const char *path, ds_err *err);
/* The same from a JSON text in memory; name is used in error messages (may be NULL). */
ds_status ds_tokenizer_load_json(ds_tokenizer **out, const char *json, size_t n, const char *name, ds_err *err);
void ds_tokenizer_free(ds_tokenizer *tok); /* NULL is a no-op */

/* A word cache plus scratch space for encoding: optional, but it makes repeated encodes (the many
 * pieces of one document) several times faster. One per thread; it may be used with different
 * tokenizers (it empties itself when the tokenizer changes). Creates one in *out; free it with
 * ds_tokenizer_cache_free. On failure *out is NULL and err is filled (DS_ERR_NOMEM); a caller
 * may then go on without one, as a NULL cache is valid (encoding goes uncached). */
ds_status ds_tokenizer_cache_create(ds_tokenizer_cache **out, ds_err *err);
void ds_tokenizer_cache_free(ds_tokenizer_cache *cache); /* NULL is a no-op */

/* Encodes text[0..n) and APPENDS the ids to out. parse_special non-zero: special added tokens
 * written in the text (e.g. "<|im_start|>") become their ids, as Hugging Face does by default;
 * zero: they are tokenized as plain text (Hugging Face's encode_special_tokens=True), which is
 * what untrusted document text needs. Non-special added tokens are always matched. On failure
 * out keeps its earlier contents. */
ds_status ds_tokenizer_encode(const ds_tokenizer *tok, const char *text, size_t n, int parse_special, ds_tokens *out,
                              ds_err *err);
/* The same with the calling thread's cache (NULL: none). */
ds_status ds_tokenizer_encode_cached(const ds_tokenizer *tok, ds_tokenizer_cache *cache, const char *text, size_t n,
                                     int parse_special, ds_tokens *out, ds_err *err);

/* Number of ids encode with parse_special = 0 gives for text[0..n), for sizing document text.
 * Cannot fail but for memory; then it returns n (an upper bound for valid UTF-8 text). */
size_t ds_tokenizer_count(const ds_tokenizer *tok, const char *text, size_t n);
/* Number of ids ds_tokenizer_encode_cached would give, without storing them. */
ds_status ds_tokenizer_count_cached(const ds_tokenizer *tok, ds_tokenizer_cache *cache, const char *text, size_t n,
                                    int parse_special, size_t *count, ds_err *err);

/* APPENDS the bytes ids[0..n) stand for to out (raw bytes: a token sequence that cuts a UTF-8
 * character in two gives the partial bytes, not U+FFFD). skip_special drops special tokens.
 * DS_ERR_TOKENIZER for an id outside the vocabulary. */
ds_status ds_tokenizer_decode(const ds_tokenizer *tok, const int32_t *ids, size_t n, int skip_special, ds_buf *out,
                              ds_err *err);

/* One more than the largest id (model vocabulary and added tokens together). */
int32_t ds_tokenizer_vocab_size(const ds_tokenizer *tok);

/* The raw bytes token id stands for (what decode gives for it alone), borrowed from tok and valid
 * until ds_tokenizer_free; *len receives the length. NULL when id names no token. */
const char *ds_tokenizer_token_bytes(const ds_tokenizer *tok, int32_t id, size_t *len);

/* The id of a token written as in tokenizer.json (an added token's content such as "<|im_end|>",
 * or a vocabulary key such as "Ġthe"), as Hugging Face's token_to_id; -1 when absent. */
int32_t ds_tokenizer_token_id(const ds_tokenizer *tok, const char *token);

/* Non-zero when id is a special added token (skipped by decode with skip_special). */
int ds_tokenizer_is_special(const ds_tokenizer *tok, int32_t id);

#endif
