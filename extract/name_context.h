/* name_context.h - what a document says around a candidate name, for the precision of document
 * screening (extract/alerts_screen.c): the document's ordinary words (those it writes in lower
 * case somewhere, so "CAPITAL" in a heading is the word capital, not a listed company), and
 * whether a vessel or an aircraft is spoken of next to a window (a listed tanker called "DANIEL"
 * is not a person's given name in a signature block).
 * Owns: ds_doc_vocab (a set of (offset, length) pairs into the caller's text, which must outlive
 * it). Threading: a vocabulary is read-only once built. */
#ifndef DS_EXTRACT_NAME_CONTEXT_H
#define DS_EXTRACT_NAME_CONTEXT_H

#include "pipeline/core/status.h"

#include <stddef.h>

typedef struct ds_doc_vocab ds_doc_vocab;

/* The words of text[0, len) written in lower case ASCII letters only, 3 letters or more.
 * DS_ERR_NOMEM on failure (*out NULL). Free with ds_doc_vocab_free. */
ds_status ds_doc_vocab_build(const char *text, size_t len, ds_doc_vocab **out);
void ds_doc_vocab_free(ds_doc_vocab *v); /* NULL is a no-op */

/* Whether word[0, n) (lower case ASCII) is one of the document's ordinary words. */
int ds_doc_vocab_has(const ds_doc_vocab *v, const char *word, size_t n);

/* Whether the text within 160 bytes either side of the window text[off, off + n) names a vessel or an aircraft ("vessel", "tanker", "ship", "M/V", "IMO", "flag", "aircraft",
 * ...), as a whole word in any case. */
int ds_craft_context(const char *text, size_t len, size_t off, size_t n);

#endif
