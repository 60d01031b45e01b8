/* chunker.h - structure-aware chunking of a ds_document, sized in model tokens.
 *
 * Sections first, then paragraphs: a chunk never spans two sections, a heading stays with the
 * text under it, a long paragraph is cut at sentence ends (then at spaces) with an overlap of
 * about overlap_tokens, and a table is never cut inside a row: a table split across chunks
 * repeats its header rows at the top of every part. Every chunk carries its sequence number,
 * section path, first and last page, character offsets into the document's text (code points,
 * as PostgreSQL counts them) and its exact token count.
 * Ownership: chunks and their strings live in the document's arena (freed with the document).
 * Threading: reentrant; the count function must be safe for the calling thread.
 */
#ifndef DS_EXTRACT_CHUNKER_H
#define DS_EXTRACT_CHUNKER_H

#include "ingest/document.h"
#include "pipeline/core/status.h"

#include <stddef.h>

/* Counts model tokens in s[0..n). */
typedef size_t (*ds_token_count_fn)(void *ctx, const char *s, size_t n);

typedef struct ds_chunk_opts {
    size_t target_tokens;    /* aim for chunks up to this size */
    size_t overlap_tokens;   /* repeated between pieces of one long paragraph */
    ds_token_count_fn count; /* required */
    void *count_ctx;
} ds_chunk_opts;

typedef struct ds_chunk {
    int seq;
    const char *section;
    int page_first, page_last;   /* 0 when the document has no pages */
    size_t byte_start, byte_end; /* into doc->text */
    size_t char_start, char_end; /* code points into doc->text */
    size_t token_count;
    int is_table;
    const char *text; /* chunk text (a table part starts with its header rows) */
    size_t text_len;
} ds_chunk;

typedef struct ds_chunk_list {
    ds_chunk *v; /* in the document's arena */
    size_t n;
} ds_chunk_list;

ds_status ds_chunk_document(ds_document *doc, const ds_chunk_opts *opts, ds_chunk_list *out, ds_err *err);

/* Index of the chunk holding byte offset off (the first one when chunks overlap); -1 if none. */
int ds_chunk_find(const ds_chunk_list *chunks, size_t byte_off);

/* Code points in s[0..n). */
size_t ds_utf8_count(const char *s, size_t n);

#endif
