/* redflags_internal.h - what the red-flag search (redflags.c) shares with the reading of a
 * match's sentence (redflags_context.c): phrase matching and the context test. Internal to
 * extract/; other stages use extract/entities.h.
 * Owns: nothing. Threading: reentrant.
 */
#ifndef DS_EXTRACT_REDFLAGS_INTERNAL_H
#define DS_EXTRACT_REDFLAGS_INTERNAL_H

#include "extract/entities.h"

#include <ctype.h>
#include <stddef.h>

/* A byte that continues a word: a letter or digit, or any byte of a multi-byte UTF-8 character. */
static inline int ds_redflag_word_char(unsigned char c)
{
    return isalnum(c) || c >= 0x80;
}

/* Length of phrase (lower case; ' ' also matches '-', line breaks and no-break spaces) matched
 * case-insensitively at t[i] and ending at a word boundary, 0 when none. */
size_t ds_redflag_match_phrase(const char *t, size_t tl, size_t i, const char *phrase);

/* Does the match at low[off, off + len) of f report what the rule is about? low is the
 * lower-cased sentence that holds the match, n bytes. The cue nearest to the match (before it,
 * else after it) decides: a general cue ("may", "could", "laws", "policies", "from time to
 * time", ...) voids it, an event cue ("received", "entered", "in march 2021", ...) is required
 * when f->needs_event. A phrase of f->acts (act != 0: an act in itself, "voluntarily
 * disclosed") is voided only by a general cue right before it. */
int ds_redflag_context_keeps(const ds_redflag *f, int act, const char *low, size_t n, size_t off, size_t len);

#endif
