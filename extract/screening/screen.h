/* screen.h - sanctions name screening: scoring a name against listed names (Jaro-Winkler and a
 * token-set measure over normalised names, screening/names.h) and an index that finds the listed
 * names worth scoring without comparing the query with every one.
 *
 * Score (0..1): names are normalised (extract/screening/names.h) and split into tokens. Noise words
 * (ds_name_is_noise: particles, legal forms, unambiguous titles, generational suffixes) and
 * single letters carry little weight.
 *   token-set  tokens are paired greedily, best first (between equal pairs, those at the same
 *              relative place first). Two tokens pair when they are the same, or within two
 *              characters in length with Jaro-Winkler >= 0.9, or share a spelling skeleton
 *              (ee->i, e->a, o->u, y->i, w->v, q->k, ph->f, kh->h, doubled letters once:
 *              Mohammed/Muhammad, Saeed/Said; counts 0.92), or are one edit apart with 3+
 *              characters (counts 0.9). A noise word pairs only within one edit ("al"/"el").
 *              A token may also pair with two or three adjacent tokens of the other name
 *              written together ("hassanali" / "hassan ali", "abdalhamid" / "abd al hamid";
 *              same, same skeleton or one edit). Value: paired similarity over (pairs + unpaired
 *              tokens), an unpaired noise word weighing 0.1; when only noise words are unpaired,
 *              the mean pair similarity less 0.01 for each. Between two names that may be
 *              persons, when one name's first and last tokens (unpaired noise aside) are paired
 *              and the other has nothing unpaired but noise (dropped or added middle names), the
 *              mean pair similarity less 0.03 for each unpaired token, if that is higher.
 *   jw         Jaro-Winkler of the ordered and of the sorted normalised strings, the larger,
 *              scaled down when their lengths differ by more than 15%.
 *   score      max(token-set, (token-set + jw) / 2); identical sorted forms score 1.
 *
 * Index: every listed name is filed under keys of its tokens: the first four bytes, the four
 * one-deletion variants of them (three-byte tokens: the token and its deletions), the first four
 * bytes of the skeleton, and for a token under four bytes the start of it written together with
 * the next token (and its deletions); noise words and one-letter tokens are not filed unless
 * the name has nothing else. A query token also looks under the start of itself written
 * together with its short neighbour. One edit near the start of a token, a variant with the
 * same skeleton, and words run together or split all still meet. A listed name is scored when
 * every filed query token meets it under some key, or when as many query tokens meet it as it
 * has filed tokens (the query holds extra names). The blocking can miss a pair of tokens that
 * Jaro-Winkler alone pairs with two edits in their first four letters (the screening test
 * measures the index against scoring every name: 99% of the hits or more).
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
    int kind; /* the listed name's kind: 1 person, 0 organisation, DS_SCREEN_VESSEL,
                 DS_SCREEN_AIRCRAFT, -1 unknown */
} ds_screen_hit;

/* Creates an empty index in *out; free it with ds_screen_index_free. On failure *out is NULL and
 * err is filled (DS_ERR_NOMEM). */
ds_status ds_screen_index_create(ds_screen_index **out, ds_err *err);
void ds_screen_index_free(ds_screen_index *idx); /* NULL is a no-op */

/* Kinds of listed names beyond the is_person values 1 (person), 0 (organisation) and -1
 * (unknown): a vessel or an aircraft matches only a query of its own kind or of unknown kind. */
#define DS_SCREEN_VESSEL 2
#define DS_SCREEN_AIRCRAFT 3

/* Adds one listed name of entry entry_id: its primary name (is_alias 0) or an alias (1).
 * is_person: 1 person, 0 organisation, DS_SCREEN_VESSEL, DS_SCREEN_AIRCRAFT, -1 unknown. The strings
 * are copied. Names that normalise to nothing are skipped. DS_ERR_USAGE after build,
 * DS_ERR_NOMEM. */
ds_status ds_screen_index_add(ds_screen_index *idx, long long entry_id, long long list_id, const char *list_version,
                              const char *name, int is_alias, int is_person);

/* Builds the key table; afterwards the index is immutable. */
ds_status ds_screen_index_build(ds_screen_index *idx, ds_err *err);

/* Names added (after skipping empty ones) and distinct entries. */
size_t ds_screen_index_names(const ds_screen_index *idx);

/* Screens query against the built index: hits scoring >= threshold, best name per entry, sorted
 * by score (descending, then entry_id). A query of a known kind (person 1, organisation 0,
 * vessel, aircraft) is matched only with entries of the same or unknown kind; -1 matches
 * anything. Writes at most max_hits hits and
 * returns how many it wrote (0 also when the index is not built or out of memory). */
size_t ds_screen_match(const ds_screen_index *idx, const char *query, int query_is_person, double threshold,
                       ds_screen_hit *hits, size_t max_hits);

/* ds_screen_match for text scanning: with rare_max > 0 only listed names that share a rare
 * token with the query are scored (a token is rare when its first four bytes file at most
 * rare_max names, or only a variant key meets: a misspelt start); a query with no rare token is
 * discarded before any scoring. A listed name made only of common tokens is then missed. */
size_t ds_screen_match_rare(const ds_screen_index *idx, const char *query, int query_is_person, double threshold,
                            size_t rare_max, ds_screen_hit *hits, size_t max_hits);

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
