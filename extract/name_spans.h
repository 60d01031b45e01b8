/* name_spans.h - spans of a document's text that may be listed names, found without recognising
 * an entity first, the way screening systems scan text: runs of name-like words (title case or
 * upper case, initials, particles such as "al", "bin", "de", "van" inside), cut at sentence and
 * cell punctuation, and every window of 1..DS_NAME_SPAN_MAX_WORDS words of a run offered for
 * look-up, and a run longer than that once whole (up to DS_NAME_SPAN_MAX_RUN words); a run
 * ending in a comma followed by another run also yields "LAST, First Middle" windows (the person
 * form of lists), or, when the second run is one to three legal-form words, the organisation's
 * name with them ("Leverage, S.A."). Apostrophes, dashes and brackets between words do not end
 * a run; a number joins a run but never opens a window. Each window carries the kind it reads as: a person when
 * written in the list's inverted form or after an honorific, an organisation when it ends in a
 * legal form, otherwise unknown.
 *
 * Owns: nothing; spans are offsets into the caller's text. Threading: reentrant.
 */
#ifndef DS_EXTRACT_NAME_SPANS_H
#define DS_EXTRACT_NAME_SPANS_H

#include <stddef.h>

#define DS_NAME_SPAN_MAX_WORDS 6
#define DS_NAME_SPAN_MAX_RUN 24 /* words of one run looked at; a longer run is cut */

typedef struct ds_name_span {
    size_t off, len; /* bytes of the window in the text */
    size_t run;      /* index of the run the window belongs to (windows of one run overlap) */
    int n_words;     /* words in the window (particles included) */
    int is_person;   /* 1 person, 0 organisation, -1 unknown (the screening convention) */
    int upper;       /* every cased letter of the window is upper case */
    int clipped;     /* an organisation's window (it or its run ends in a legal form) that
                          leaves out a name word before it: "Timber AG" in "Oakridge Timber AG" */
} ds_name_span;

/* Called for every window; a non-zero return stops the scan and is returned by the scan. */
typedef int (*ds_name_span_fn)(void *ctx, const char *text, const ds_name_span *span);

/* Scans text[0, len) (UTF-8; invalid bytes act as letters of no case) and calls fn for every
 * window. Returns 0 or fn's non-zero value. */
int ds_name_spans_scan(const char *text, size_t len, ds_name_span_fn fn, void *ctx);

#endif
