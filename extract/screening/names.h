/* names.h - normalisation of person and organisation names for matching: case folding,
 * punctuation removal, diacritics stripped (NFKD, combining marks dropped), Cyrillic, Greek and
 * Arabic letters transliterated to Latin, legal-form words removed from organisation names,
 * honorifics and generational suffixes removed from person names, and the tokens kept both in
 * the name's order and sorted (for order-independent comparison).
 *
 * Used by sanctions screening (screening/screen.c) and by the entity extractor (legal forms and
 * titles mark organisations and persons), so nothing here is specific to sanctions lists.
 *
 * Owns: nothing global; the word tables are read-only. A ds_name_norm owns its buffers
 * (ds_name_norm_deinit frees them). Threading: every function is reentrant.
 * Input is UTF-8; invalid byte sequences act as word separators.
 */
#ifndef DS_EXTRACT_NAMES_H
#define DS_EXTRACT_NAMES_H

#include "pipeline/core/buf.h"
#include "pipeline/core/status.h"

#include <stddef.h>

/* What a name is known to be. The values match the is_person convention of the screening API
 * (1 person, 0 not a person, -1 unknown). */
typedef enum ds_name_kind {
    DS_NAME_KIND_UNKNOWN = -1,
    DS_NAME_KIND_ORG = 0,   /* organisation, vessel, aircraft: legal-form words removed */
    DS_NAME_KIND_PERSON = 1 /* "LAST, First Middle" turned to "first middle last"; titles removed */
} ds_name_kind;

/* Names longer than this many tokens keep only the first DS_NAME_MAX_TOKENS. */
#define DS_NAME_MAX_TOKENS 32

typedef struct ds_name_norm {
    ds_buf ordered; /* tokens in the name's order, one space between them */
    ds_buf sorted;  /* the same tokens sorted bytewise, one space between them */
    size_t n_tokens;
    ds_name_kind kind; /* the rules applied: for an unknown name, ORG when it carries a legal
                              form, else UNKNOWN (strong honorifics and suffixes removed) */
} ds_name_norm;

void ds_name_norm_init(ds_name_norm *n);
void ds_name_norm_deinit(ds_name_norm *n); /* frees the buffers; NULL is a no-op */

/* Normalises name (len bytes; len (size_t)-1: NUL-terminated) into out, replacing what it held.
 * Rules by kind:
 *   every name: ds_name_fold, then "&" reads "and";
 *   PERSON:  a name with exactly one comma is "LAST, First Middle" and is turned round; leading
 *            honorifics and ranks (Mr, Dr, Sheikh, General...) and generational suffixes (Jr,
 *            Sr, II, III) are removed;
 *   ORG:     legal-form words and phrases (Ltd, LLC, GmbH, S.A. de C.V., OOO, Joint Stock
 *            Company, Group, Holdings...) are removed from the end and the start, repeatedly;
 *   UNKNOWN: ORG rules when a legal form is found at either end, else the unambiguous honorifics
 *            (Mr, Mrs, Dr, Sheikh...) at the start are removed (suffixes stay: "Seastar III").
 * A one-word legal form of 5+ letters misspelt by one edit ("Compnay") counts at the end.
 * A removal that would leave no token is not made. Returns DS_ERR_NOMEM only. */
ds_status ds_name_normalize(ds_name_norm *out, const char *name, size_t len, ds_name_kind kind);

/* Folds text into lower-case tokens separated by single spaces, appending to out: NFKD with
 * combining marks dropped, ß/æ/ø/œ/ł... spelt out, Cyrillic/Greek/Arabic/Persian letters
 * transliterated, apostrophes removed inside words ("O'Brien" -> "obrien"), dotted initials
 * joined ("S.A." -> "sa"), every other non-letter non-digit a separator. Letters of other
 * scripts (CJK, Hangul, Hebrew...) are kept as they are, lower-cased. DS_ERR_NOMEM only. */
ds_status ds_name_fold(ds_buf *out, const char *s, size_t len);

/* Whether a single folded token is a legal-form word ("ltd", "gmbh", "ooo", "plc"...). */
int ds_name_is_legal_form(const char *token, size_t len);
/* Whether a single folded token of 6+ letters is a one-word legal form of 6+ letters misspelt by
 * one edit ("limitewd", "compnay", "holdngs"); 0 for the form itself. */
int ds_name_is_misspelt_legal_form(const char *token, size_t len);
/* Whether a single folded token is an honorific, title or rank ("mr", "dr", "sheikh", "general"). */
int ds_name_is_honorific(const char *token, size_t len);
/* Whether a single folded token is a name particle or stop word ("al", "bin", "de", "van",
 * "of", "and", "for"...). */
int ds_name_is_particle(const char *token, size_t len);
/* Whether a single folded token carries little of a name's identity wherever it stands: a
 * particle, a legal-form word (or one misspelt: "compnay"), an unambiguous honorific ("haji",
 * "sheikh", "mr") or a generational suffix ("jr", "iii"). Screening weighs such words lightly. */
int ds_name_is_noise(const char *token, size_t len);
/* Whether two byte strings are at most one edit apart: one insertion, deletion or substitution,
 * or two adjacent bytes swapped ("carvaan" / "caravan"). */
int ds_name_within_one_edit(const char *a, size_t la, const char *b, size_t lb);

/* For raw text (e.g. a capitalised sequence found in a document): how many trailing words form a
 * legal form ("Acme Holdings Co., Ltd." -> 3: holdings co ltd), 0 when none. */
int ds_name_legal_form_suffix(const char *text, size_t len);
/* For raw text: how many leading words are honorifics or ranks ("Dr. Mr John" -> 2). */
int ds_name_honorific_prefix(const char *text, size_t len);

#endif
