/* json_internal.h - the compiled schema (a node table) and the byte-level pushdown automaton
 * state shared by json_schema.c (compiler), json_grammar.c (transitions) and json_mask.c (token
 * masks). Stage-internal.
 *
 * The automaton's state is a stack of frames, one per open value; a frame is 16 bytes and the
 * stack at most DS_JG_MAX_DEPTH deep, so a state is a small key for the mask cache.
 * Threading: the schema is immutable; states are plain values.
 */
#ifndef DS_MODEL_JSON_INTERNAL_H
#define DS_MODEL_JSON_INTERNAL_H

#include "model/json_schema.h"

#include <stdint.h>

#define DS_JG_MAX_DEPTH 32
#define DS_JG_MAX_ALTS 64
#define DS_JG_NUM_MAX 24

typedef enum jg_kind {
    JG_ROOT,
    JG_OBJECT,
    JG_ARRAY,
    JG_STRING,
    JG_NUMBER,
    JG_INTEGER,
    JG_LITERALS /* enum, const, boolean, null: alternatives of fixed text */
} jg_kind;

typedef struct jg_prop {
    char *key; /* the key's text followed by '"' (what follows the opening quote), owned */
    int key_len;
    int node;
    int required;
} jg_prop;

typedef struct jg_node {
    jg_kind kind;
    /* object */
    jg_prop *props;
    int n_props;
    /* array */
    int items, min_items, max_items; /* max_items -1: unbounded */
    /* string */
    int min_len, max_len; /* max_len -1: unbounded */
    /* literals */
    char **alts; /* owned texts */
    int *alt_len;
    int n_alts;
    /* shortest completion (json_budget.c): bytes of the shortest value of this node; objects:
       req_sum[a] = bytes of the required properties from index a on ("key":value each, no
       commas), req_cnt[a] = their number (n_props + 1 entries each, owned) */
    int min_bytes;
    int *req_sum, *req_cnt;
} jg_node;

struct ds_json_schema {
    jg_node *nodes;
    int n_nodes, cap_nodes;
    int root;
};

/* One open value. Meaning of the fields per kind (phase values are the J_* constants in
 * json_grammar.c):
 *   object: a = index of the next property that may come; b = byte offset in the key being
 *           matched; cand = properties still matching that key, or the chosen one's bit
 *   array: a = items so far
 *   string: a = code points so far (clamped for cache keys); b = UTF-8 continuation state
 *   number: a = characters so far
 *   literals: b = byte offset; cand = alternatives still matching */
typedef struct jg_frame {
    uint16_t node;
    uint8_t phase;
    uint8_t b;
    uint32_t a;
    uint64_t cand;
} jg_frame;

/* A string frame's phase with this bit set ignores maxLength (json_mask.c walks such a state and
 * then removes the tokens that would add more code points than the string has room for). */
#define DS_JG_UNBOUNDED 0x80

/* Phase of a string frame inside its body (before any escape or multi-byte character). */
#define DS_JG_STRING_BODY 1

typedef struct jg_state {
    int depth; /* frames in use; 0 = dead (rejected) */
    jg_frame f[DS_JG_MAX_DEPTH];
} jg_state;

/* The start state of s (a root frame expecting the value). */
void ds_jg_init(const ds_json_schema *s, jg_state *st);
/* Feeds one byte; returns 0 and leaves *st undefined when the byte is not allowed. */
int ds_jg_step(const ds_json_schema *s, jg_state *st, unsigned char c);
/* 1 when the bytes fed so far form a complete value (end of output allowed here). */
int ds_jg_can_end(const ds_json_schema *s, const jg_state *st);
/* 1 when the value is complete and no byte can follow. */
int ds_jg_closed(const ds_json_schema *s, const jg_state *st);
/* Canonical form of a state for the mask cache: counters that cannot change what a token of at
 * most max_tok_bytes bytes does are clamped. Writes key bytes into out (size
 * >= sizeof(jg_state)); returns the length. */
int ds_jg_key(const ds_json_schema *s, const jg_state *st, int max_tok_bytes, unsigned char *out);

/* Shortest completion lengths (json_budget.c). Fills min_bytes/req_sum/req_cnt of every node;
 * DS_ERR_NOMEM. Called once by the compiler. */
ds_status ds_jg_prepare_budget(ds_json_schema *s, ds_err *err);
/* Tokens needed at least to finish from st: bytes of the shortest completion the schema accepts
 * (each byte is one token at worst), plus one for an end-of-sequence id when the root value
 * does not close itself (numbers, literals). 0 once closed; INT32_MAX / 2 at most. */
int ds_jg_cost(const ds_json_schema *s, const jg_state *st);
/* The shortest completion's bytes into out[0..cap) (NUL-terminated when it fits); returns its
 * length, or -1 when it does not fit in cap. For tests and logs. */
int ds_jg_completion(const ds_json_schema *s, const jg_state *st, char *out, int cap);
/* 1 when some array of st has an item in progress (begun, or due after a comma). */
int ds_jg_item_open(const ds_json_schema *s, const jg_state *st);

#endif
