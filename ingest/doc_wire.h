/* doc_wire.h - a parsed ds_document as bytes and back: how a parse run in a child process (with
 * resource limits) hands its result to the worker (pipeline/parse_child.h).
 *
 * Format (version 1): the magic "DSDOC1\n", then every field of the document in a fixed order;
 * integers are 8-byte little-endian, a string is its length (8 bytes; all ones for NULL) and its
 * bytes. Counts are checked against what is left before anything is allocated, offsets against
 * the text they point into, so broken or hostile bytes give DS_ERR_PARSE, never a crash.
 *
 * Owns: encode appends to the caller's buffer; decode fills the caller's fresh document (its
 * arena and arrays, freed by ds_document_free). Threading: reentrant.
 */
#ifndef DS_INGEST_DOC_WIRE_H
#define DS_INGEST_DOC_WIRE_H

#include "ingest/document.h"

/* Appends the encoding of doc (source, name, kind, metadata, text, pages, blocks with their
 * tables, XBRL facts, furniture, notes) to out. */
ds_status ds_doc_wire_encode(const ds_document *doc, ds_buf *out, ds_err *err);

/* Reads an encoding into doc, which must be fresh from ds_document_create. On failure doc holds
 * part of it and is to be freed by the caller. */
ds_status ds_doc_wire_decode(ds_document *doc, const unsigned char *data, size_t n, ds_err *err);

#endif
