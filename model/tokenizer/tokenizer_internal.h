/* tokenizer_internal.h - the tokenizer's private structures, for the files of model/tokenizer/ only.
 *
 * Owns: nothing itself; describes ds_tokenizer (immutable after load, shared by threads) and
 * ds_tokenizer_cache (one thread at a time). Not for use outside model/tokenizer/.
 */
#ifndef DS_EXTRACT_TOKENIZER_INTERNAL_H
#define DS_EXTRACT_TOKENIZER_INTERNAL_H

#include "model/tokenizer/tokenizer.h"
#include "pipeline/core/buf.h"
#include "pipeline/core/utf8.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* ---- character classes (tokenizer_unicode.c, generated) -------------------------------------- */

enum { DS_TOK_C_OTHER = 0, DS_TOK_C_L = 1, DS_TOK_C_N = 2, DS_TOK_C_WS = 3 };

extern const uint8_t ds_tok_uclass_stage1[0x1100];
extern const uint8_t ds_tok_uclass_stage2[][64];

/* Characters Hugging Face's NFC tables do not know (newer than its Unicode version): sorted
 * inclusive ranges. NFC must copy them unchanged and never combine them with a neighbour. */
extern const uint32_t ds_tok_nfc_opaque[][2];
extern const size_t ds_tok_nfc_opaque_n;

/* The class of a code point (0..0x10FFFF): \p{L}, \p{N}, \s or other, as Hugging Face sees it. */
static inline int ds_tok_uclass(uint32_t cp)
{
    const uint8_t *blk = ds_tok_uclass_stage2[ds_tok_uclass_stage1[cp >> 8]];
    return (blk[(cp & 255) >> 2] >> ((cp & 3) * 2)) & 3;
}

/* Decodes the character at s (valid UTF-8, at least one byte); *len gets its byte length. */
static inline uint32_t ds_tok_utf8_decode(const uint8_t *s, int *len)
{
    size_t l;
    uint32_t cp = ds_utf8_decode(s, &l);
    *len = (int)l;
    return cp;
}

/* 64-bit hash of a byte string (fast for the short strings words are). */
static inline uint64_t ds_tok_hash(const void *p, size_t n)
{
    const uint8_t *s = p;
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (n * 0xFF51AFD7ED558CCDull);
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xC4CEB9FE1A85EC53ull;
        h ^= h >> 29;
        s += 8;
        n -= 8;
    }
    if (n) {
        /* 1..7 bytes without a byte loop: two overlapping 4-byte loads, or three single bytes. */
        uint64_t w;
        if (n >= 4) {
            uint32_t a, b;
            memcpy(&a, s, 4);
            memcpy(&b, s + n - 4, 4);
            w = ((uint64_t)a << 32) | b;
        } else {
            w = (uint64_t)s[0] | ((uint64_t)s[n / 2] << 8) | ((uint64_t)s[n - 1] << 16);
        }
        h = (h ^ w) * 0xC4CEB9FE1A85EC53ull;
        h ^= h >> 29;
    }
    h *= 0xFF51AFD7ED558CCDull;
    return h ^ (h >> 32);
}

/* ---- pre-tokenizer steps -------------------------------------------------------------------- */

typedef enum ds_tok_split_kind {
    DS_TOK_SPLIT_NONE = 0, /* ByteLevel with use_regex false: the piece is one word */
    DS_TOK_SPLIT_GPT2,     /* 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+ */
    DS_TOK_SPLIT_LLAMA     /* the Qwen2 / Llama-3 pattern, \p{N} repeated at most max_digits times */
} ds_tok_split_kind;

typedef struct ds_tok_step {
    ds_tok_split_kind kind;
    int max_digits;    /* DS_TOK_SPLIT_LLAMA: 1 (Qwen2) or 3 (Llama-3) */
    bool prefix_space; /* ByteLevel add_prefix_space: prepend ' ' to each piece not starting so */
} ds_tok_step;

#define DS_TOK_MAX_STEPS 4

/* The end of the pre-token that starts at i (< n) in the valid UTF-8 s[0..n). */
size_t ds_tok_split_next(const ds_tok_step *step, const uint8_t *s, size_t n, size_t i);

/* Appends NFC(s[0..n)) to out (s valid UTF-8). */
ds_status ds_tok_nfc_append(const char *s, size_t n, ds_buf *out);
/* Non-zero when s[0..n) is valid UTF-8. */
int ds_tok_utf8_valid(const char *s, size_t n);
/* Appends s[0..n) to out with each invalid UTF-8 sequence replaced by U+FFFD. */
ds_status ds_tok_utf8_sanitize(const char *s, size_t n, ds_buf *out);
/* True when cp can never change under NFC nor change a neighbour (fast-path table). */
int ds_tok_nfc_inert(uint32_t cp);
/* True when cp is in ds_tok_nfc_opaque. */
int ds_tok_nfc_opaque_has(uint32_t cp);
/* Rust regex \w (Alphabetic, marks, decimal digits, connector punctuation, joiners), for
 * single_word added tokens. */
int ds_tok_is_word_char(uint32_t cp);

/* ---- added tokens ---------------------------------------------------------------------------- */

typedef struct ds_tok_added {
    char *content; /* as in tokenizer.json */
    size_t len;
    char *pattern; /* what is matched: content, or NFC(content) for normalized tokens */
    size_t pattern_len;
    int32_t id;
    bool special, lstrip, rstrip, single_word, normalized;
} ds_tok_added;

/* A leftmost-longest matcher over a set of added tokens (Aho-Corasick LeftmostLongest semantics):
 * candidates indexed by first byte, longest first. */
typedef struct ds_tok_matcher {
    uint32_t start[257]; /* order[start[b] .. start[b+1]) begin with byte b */
    uint32_t *order;     /* indices into ds_tokenizer.added */
    size_t n;
} ds_tok_matcher;

/* ---- the tokenizer --------------------------------------------------------------------------- */

enum {
    DS_TOK_F_PRESENT = 1,  /* the id names a token */
    DS_TOK_F_ADDED = 2,    /* an added token (its content decides its bytes) */
    DS_TOK_F_SPECIAL = 4,  /* a special added token */
    DS_TOK_F_BYTELEVEL = 8 /* vocabulary key made only of byte-level characters */
};

typedef struct ds_tok_merge {
    uint64_t key; /* ((left id << 32) | right id) + 1; 0 marks an empty slot */
    uint32_t rank;
    int32_t id;
} ds_tok_merge;

struct ds_tokenizer {
    char *name;
    uint64_t fingerprint; /* hash of the JSON text: identifies the tokenizer to caches */
    int32_t vocab_size;   /* largest id + 1 */
    uint32_t *tok_off;    /* [vocab_size + 1]: bytes of id i are tok_bytes[tok_off[i]..tok_off[i+1]) */
    char *tok_bytes;
    uint8_t *tok_flags; /* [vocab_size] DS_TOK_F_* */

    /* model vocabulary by bytes (byte-level keys only): slots hold id + 1, 0 is empty */
    uint32_t *vocab_slots;
    size_t vocab_mask;
    /* vocabulary keys that are not byte-level strings: only token_id can reach them */
    char **odd_keys;
    int32_t *odd_ids;
    size_t n_odd;

    int32_t byte_id[256]; /* id of the one-byte token of each byte, -1 when absent */

    ds_tok_merge *merges; /* open addressing, power-of-two size */
    size_t merge_mask;
    size_t n_merges;

    bool ignore_merges;
    bool fuse_unk;
    int32_t unk_id; /* -1: none */
    bool nfc;

    ds_tok_step steps[DS_TOK_MAX_STEPS];
    int n_steps;

    ds_tok_added *added;
    size_t n_added;
    ds_tok_matcher raw_matcher;  /* tokens with normalized=false, matched before normalizing */
    ds_tok_matcher norm_matcher; /* tokens with normalized=true, matched after */
};

/* The merge of (a, b): its rank and the merged id, or 0 when the pair does not merge. */
static inline const ds_tok_merge *ds_tok_merge_find(const ds_tokenizer *tok, int32_t a, int32_t b)
{
    uint64_t key = ((uint64_t)(uint32_t)a << 32) | (uint32_t)b;
    uint64_t h = (key + 1) * 0x9E3779B97F4A7C15ull;
    size_t i = (size_t)(h >> 40) & tok->merge_mask;
    for (;;) {
        const ds_tok_merge *m = &tok->merges[i];
        if (m->key == key + 1)
            return m;
        if (m->key == 0)
            return NULL;
        i = (i + 1) & tok->merge_mask;
    }
}

/* The model vocabulary id of a byte string, -1 when absent. */
int32_t ds_tok_vocab_find(const ds_tokenizer *tok, const void *bytes, size_t n);

/* ---- the word cache and scratch space (one thread at a time) -------------------------------- */

typedef struct ds_tok_word {
    uint32_t hash; /* high half of the word's hash, never 0; 0: empty slot */
    uint32_t key_off;
    uint32_t ids_off;
    uint16_t key_len;
    uint16_t n_ids;
} ds_tok_word;

struct ds_tokenizer_cache {
    uint64_t fingerprint; /* tokenizer the cached words belong to */
    ds_tok_word *slots;
    size_t mask, used;
    uint8_t *keys;
    size_t keys_len, keys_cap;
    int32_t *ids;
    size_t ids_len, ids_cap;

    ds_buf clean;                      /* input with invalid UTF-8 replaced */
    ds_buf norm;                       /* a piece after normalization */
    ds_buf prefixed[DS_TOK_MAX_STEPS]; /* pieces given a leading space by ByteLevel */
    /* BPE scratch */
    int32_t *sym;
    int32_t *prev, *next;
    void *heap;
    size_t scratch_cap, heap_cap;
};

void ds_tok_cache_init(ds_tokenizer_cache *c);
void ds_tok_cache_deinit(ds_tokenizer_cache *c);
void ds_tok_cache_reset(ds_tokenizer_cache *c, uint64_t fingerprint);

/* Where encode puts ids: appended to out, or only counted when out is NULL. */
typedef struct ds_tok_sink {
    ds_tokens *out;
    size_t count;
} ds_tok_sink;

/* BPE-encodes one pre-token (raw bytes) into the sink, looking it up in the cache first and
 * remembering it there when store is set. */
ds_status ds_tok_bpe_word(const ds_tokenizer *tok, ds_tokenizer_cache *c, const uint8_t *w, size_t n, bool store,
                          ds_tok_sink *sink);

#endif
