/* ingest.h - public interface of the ingest stage: type detection and parsing of one input into
 * a ds_document (see document.h), plus the per-format parsers it dispatches to.
 *
 * Ownership: the caller creates the document (ds_document_create), sets source/name, and frees
 * it; a parser only appends to it. A parser that fails returns a ds_status (DS_ERR_ENCRYPTED,
 * DS_ERR_DAMAGED, DS_ERR_NO_TEXT, DS_ERR_PARSE, DS_ERR_FORMAT, DS_ERR_TOO_LARGE, DS_ERR_EMPTY...)
 * with a message in err naming the document; the document may then hold partial content, which
 * the caller discards. Threading: parsers are reentrant; no parser keeps state between calls.
 */
#ifndef DS_INGEST_INGEST_H
#define DS_INGEST_INGEST_H

#include "ingest/document.h"
#include "pipeline/core/status.h"

#include <stddef.h>

typedef struct ds_ingest_limits {
    size_t max_bytes;     /* whole input; 0: no limit */
    int max_pages;        /* PDF pages; 0: no limit */
    size_t max_xml_depth; /* element nesting for HTML/XML; 0: library default */
} ds_ingest_limits;

void ds_ingest_limits_default(ds_ingest_limits *lim);

/* Guesses the format from the bytes (magic numbers, markup) and, only as a tie-breaker, the file
 * name. Never trusts the extension alone: a .pdf that is HTML is HTML. */
ds_doc_kind ds_ingest_detect(const unsigned char *data, size_t n, const char *name);

/* Hex SHA-256 of the bytes into out[65]. */
void ds_ingest_sha256(const unsigned char *data, size_t n, char out[65]);

/* Detects the kind, sets doc->kind, doc->sha256 and doc->n_bytes, and runs the parser. */
ds_status ds_ingest_parse(ds_document *doc, const unsigned char *data, size_t n, const ds_ingest_limits *lim,
                          ds_err *err);

/* The per-format parsers (doc->kind already set by the caller). */
ds_status ds_text_parse(ds_document *doc, const unsigned char *data, size_t n, const ds_ingest_limits *lim,
                        ds_err *err);
ds_status ds_pdf_parse(ds_document *doc, const unsigned char *data, size_t n, const ds_ingest_limits *lim, ds_err *err);
ds_status ds_html_parse(ds_document *doc, const unsigned char *data, size_t n, const ds_ingest_limits *lim,
                        ds_err *err); /* HTML and inline XBRL */
ds_status ds_xbrl_parse(ds_document *doc, const unsigned char *data, size_t n, const ds_ingest_limits *lim,
                        ds_err *err); /* XBRL instance */
ds_status ds_edgar_parse(ds_document *doc, const unsigned char *data, size_t n, const ds_ingest_limits *lim,
                         ds_err *err); /* full-submission .txt */

#endif
