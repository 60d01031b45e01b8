/* screen.h - sanctions name screening: scoring a name against listed names (Jaro-Winkler and a
 * token-set measure over normalised names, extract/names.h) and an index that finds the listed
 * names worth scoring without comparing the query with every one.
 *
 * Score: the larger of
 *   - the token-set measure: tokens paired greedily by similarity (Jaro-Winkler >= 0.9, or one
 *     edit apart for tokens of 3+ characters, which counts 0.9), matched similarity over all
 *     tokens (name particles such as "al", "bin", "de" count a quarter when unpaired); for two
 *     person names, tokens missing from the middle of one of them (dropped middle names) cost
 *     only 0.03 each;
 *   - Jaro-Winkler of the ordered and of the sorted normalised strings (the larger), scaled down
 *     when their lengths differ by more than 15% (so a short name is not a match for a long
 *     name that merely starts with it).
 * Identical sorted forms score 1. Scores are in [0, 1].
 *
 * Index: every name is filed under keys of its tokens: the first four bytes and the four
 * one-deletion variants of them (three bytes for shorter tokens, one-character tokens and
 * particles not filed), so one typo, insertion, deletion or transposition near the start of a
 * token still meets. A listed name becomes a candidate when all query tokens but one (all of a
 * one-token query) meet it under some key; candidates are then scored.
 *
 * Owns: the index owns copies of every string given to it (names, list versions); hits point
 * into the index and stay valid until ds_screen_index_free. Threading: add and build from one
 * thread; after ds_screen_index_build the index is immutable and ds_screen_match may be called
 * from any number of threads at once.
 */
#ifndef DS_EXTRACT_SCREEN_H
#define DS_EXTRACT_SCREEN_H

#include "pipeline/core/status.h"

#include <stddef.h>

typedef struct ds_screen_index ds_screen_index;

typedef struct ds_screen_hit {
    long long entry_id, list_id;
    const char *list_version; /* borrowed from the index */
    const char *matched_name; /* the listed name (primary or alias) as given; borrowed */
    double score, jw, token_set;
} ds_screen_hit;

/* NULL when out of memory. Free with ds_screen_index_free. */
ds_screen_index *ds_screen_index_create(void);
void ds_screen_index_free(ds_screen_index *idx); /* NULL is a no-op */

/* Adds one listed name of entry entry_id: its primary name (is_alias 0) or an alias (1).
 * is_person: 1 person, 0 not a person (organisation, vessel, aircraft), -1 unknown. The strings
 * are copied. Names that normalise to nothing are skipped. DS_ERR_USAGE after build,
 * DS_ERR_NOMEM. */
ds_status ds_screen_index_add(ds_screen_index *idx, long long entry_id, long long list_id, const char *list_version,
                              const char *name, int is_alias, int is_person);

/* Builds the key table; afterwards the index is immutable. */
ds_status ds_screen_index_build(ds_screen_index *idx, ds_err *err);

/* Names added (after skipping empty ones) and distinct entries. */
size_t ds_screen_index_names(const ds_screen_index *idx);

/* Screens query against the built index: hits scoring >= threshold, best name per entry, sorted
 * by score (descending, then entry_id). A person query (1) is not matched with non-person
 * entries (0) and the other way round; -1 matches anything. Writes at most max_hits hits and
 * returns how many it wrote (0 also when the index is not built or out of memory). */
size_t ds_screen_match(const ds_screen_index *idx, const char *query, int query_is_person, double threshold,
                       ds_screen_hit *hits, size_t max_hits);

/* The same result by scoring every listed name (no index): the reference the index is tested
 * against and the baseline of the screening benchmark. */
size_t ds_screen_match_all(const ds_screen_index *idx, const char *query, int query_is_person, double threshold,
                           ds_screen_hit *hits, size_t max_hits);

/* Scores two raw names directly (normalising both); jw and token_set may be NULL. */
double ds_screen_score(const char *a, int a_is_person, const char *b, int b_is_person, double *jw, double *token_set);

/* Jaro-Winkler similarity of two byte strings (prefix scale 0.1, prefix up to 4, boost above
 * 0.7); strings longer than 255 bytes are compared on their first 255. */
double ds_screen_jaro_winkler(const char *a, size_t la, const char *b, size_t lb);

#endif
