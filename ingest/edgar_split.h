/* edgar_split.h - splitter of EDGAR full-submission .txt files (SGML wrapper), internal to the
 * ingest stage: ds_edgar_parse (edgar.c) drives it, tests and the fuzz target call it directly.
 *
 * What it reads: an optional header before the first <DOCUMENT> in either dialect,
 *   key-value  (<SEC-HEADER> or the older <IMS-HEADER>: "ACCESSION NUMBER:\t0001..." with
 *               tab-indented groups such as "FILER:" / "\tCOMPANY DATA:"), or
 *   tag style  (the dissemination form: "<ACCESSION-NUMBER>0001...", "<FILER>" ... "</FILER>"),
 * then every <DOCUMENT> ... </DOCUMENT> with its <TYPE>, <SEQUENCE>, <FILENAME>, <DESCRIPTION>
 * and the bytes between <TEXT> and </TEXT> (an inner <XBRL>/<XML>/<PDF> wrapper removed).
 * Damage is tolerated: a missing </TEXT> or </DOCUMENT> ends the part at the next <DOCUMENT>
 * or the end of input and marks it truncated; over-long header lines are skipped with a note.
 *
 * Ownership: everything an event points to is borrowed and valid only during the callback;
 * part bodies point into the caller's input. Threading: reentrant, no state between calls.
 */
#ifndef DS_INGEST_EDGAR_SPLIT_H
#define DS_INGEST_EDGAR_SPLIT_H

#include "pipeline/core/buf.h"
#include "pipeline/core/status.h"

#include <stddef.h>

/* Longest header line that is read; longer lines are skipped (DS_EDGAR_EVENT_NOTE). */
#define DS_EDGAR_MAX_HEADER_LINE 65536

/* One header field. Keys are canonical: the key-value dialect's name ("COMPANY CONFORMED NAME");
 * tag-style names are mapped to it (<CONFORMED-NAME> -> "COMPANY CONFORMED NAME"), other tags
 * keep their name ("ACCEPTANCE-DATETIME"). */
typedef struct ds_edgar_field {
    const char *group; /* enclosing groups joined by "/": "FILER/COMPANY DATA"; "" at top level */
    const char *key;
    const char *value; /* trimmed, as written */
    size_t offset;     /* byte offset of the line in the input */
} ds_edgar_field;

/* Summary of the header. Dates are ISO 8601 ("2025-01-10", "2025-01-10T17:15:38" for the
 * acceptance time, EDGAR local time); a field absent or malformed in the input is NULL. */
typedef struct ds_edgar_header {
    int has_header;          /* 1 when at least one header field was read */
    const char *dialect;     /* "key-value", "tags" (the syntax most fields used) or "none" */
    const char *accession;   /* "0001104659-25-002604" */
    const char *form_type;   /* CONFORMED SUBMISSION TYPE */
    const char *filing_date; /* FILED AS OF DATE */
    const char *period;      /* CONFORMED PERIOD OF REPORT */
    const char *date_of_change;
    const char *acceptance;    /* ACCEPTANCE-DATETIME */
    int public_document_count; /* -1 when absent */
    /* The company the filing is about, chosen among the parties by role: ISSUER, then
     * SUBJECT COMPANY, FILER, FILED BY, REPORTING-OWNER, then a party with no role. */
    const char *company_role; /* "ISSUER", "FILER", ... or "" */
    const char *company_name;
    const char *cik;
    const char *fiscal_year_end; /* "MMDD" as written ("1231") */
    int n_parties;               /* parties (roles with company or owner data) seen */
} ds_edgar_header;

/* One document of the submission. */
typedef struct ds_edgar_part {
    size_t index;              /* 0-based order in the file */
    size_t offset;             /* byte offset of its <DOCUMENT> line */
    const char *type;          /* <TYPE>, "" when absent */
    const char *sequence;      /* <SEQUENCE>, "" when absent */
    const char *filename;      /* <FILENAME>, "" when absent */
    const char *description;   /* <DESCRIPTION>, "" when absent */
    const char *wrapper;       /* "XBRL", "XML", "PDF" or "" */
    const unsigned char *body; /* into the input: the lines between <TEXT> (or the wrapper's
                                  opening line) and </TEXT> (or the wrapper's closing line), the
                                  last line's newline included */
    size_t body_len;
    int uuencoded;   /* body is "begin NNN name" ... "end" */
    int has_text;    /* a <TEXT> line was found */
    int text_closed; /* </TEXT> found */
    int doc_closed;  /* </DOCUMENT> found */
} ds_edgar_part;

typedef enum ds_edgar_event_kind {
    DS_EDGAR_EVENT_FIELD,    /* ev->field: one header field, in input order */
    DS_EDGAR_EVENT_HEADER,   /* ev->header: once, after the header (has_header 0 when none) */
    DS_EDGAR_EVENT_DOCUMENT, /* ev->part: one per <DOCUMENT>, in input order */
    DS_EDGAR_EVENT_NOTE      /* ev->note: something skipped or repaired, for the record */
} ds_edgar_event_kind;

typedef struct ds_edgar_event {
    ds_edgar_event_kind kind;
    const ds_edgar_field *field;
    const ds_edgar_header *header;
    const ds_edgar_part *part;
    const char *note;
} ds_edgar_event;

/* Returning anything but DS_OK stops the split; ds_edgar_split then returns that status
 * (the callback fills err). */
typedef ds_status (*ds_edgar_split_fn)(void *ctx, const ds_edgar_event *ev, ds_err *err);

/* Splits data[0, n). Never fails on malformed input (damage is reported through the parts'
 * flags and notes); fails only with DS_ERR_NOMEM or a callback's status. */
ds_status ds_edgar_split(const unsigned char *data, size_t n, ds_edgar_split_fn fn, void *ctx, ds_err *err);

/* Decodes a uuencoded body ("begin 644 name" ... "end") and appends the bytes to out. The name
 * on the begin line goes to name (NUL-terminated, truncated to cap; may be NULL). *complete is
 * 1 when the "end" line was reached, 0 when the input stops early (what was decoded is kept).
 * DS_ERR_PARSE when there is no begin line or a data line is not uuencoding. */
ds_status ds_edgar_uudecode(const unsigned char *in, size_t n, ds_buf *out, char *name, size_t cap, int *complete,
                            ds_err *err);

/* "20250110" -> "2025-01-10" into out[11]; "20250110171538" -> "2025-01-10T17:15:38" into
 * out[20]. Returns 1 on success, 0 (out = "") when s is not a valid date of that form. */
int ds_edgar_iso_date(const char *s, char out[11]);
int ds_edgar_iso_datetime(const char *s, char out[20]);

#endif
