/* evidence.h - where a piece of a document's text is, for the provenance every extracted row
 * carries: the chunk and page holding a byte offset, and the sentence around a mention, cut to
 * lie inside one block and one chunk so the quote is found verbatim in the chunk it cites.
 * Owns: nothing; quotes are copied into the document's arena. Threading: reentrant.
 */
#ifndef DS_EXTRACT_EVIDENCE_H
#define DS_EXTRACT_EVIDENCE_H

#include "extract/chunker.h"
#include "ingest/document.h"
#include "pipeline/core/status.h"

#include <stddef.h>

#define DS_EVIDENCE_MAX_QUOTE 600 /* bytes of a quote at most */

typedef struct ds_evidence {
    int page;         /* 1-based, 0 when the format has no pages */
    int chunk_seq;    /* -1 when no chunk holds the offset */
    size_t quote_off; /* where the quote starts in doc->text */
    size_t quote_len;
    const char *quote; /* in the document's arena */
} ds_evidence;

/* Sequence number of the chunk whose byte range holds off; -1 when none does. chunks may be
 * NULL. */
int ds_evidence_chunk(const ds_chunk_list *chunks, size_t off);

/* The block holding byte offset off, NULL when none does. */
const ds_block *ds_evidence_block(const ds_document *doc, size_t off);

/* The sentence holding [off, off + len) of doc->text: bounded by its block, by sentence ends
 * ('.', '!', '?' or ';' followed by a space, except after abbreviations such as "Inc." or "Mr."
 * and initials), by the chunk holding off, and by DS_EVIDENCE_MAX_QUOTE bytes around the
 * mention (cut at UTF-8 character boundaries). */
void ds_evidence_sentence(const ds_document *doc, const ds_chunk_list *chunks, size_t off, size_t len, size_t *start,
                          size_t *end);

/* Fills ev for the mention [off, off + len): page, chunk and the sentence copied into the
 * document's arena. DS_ERR_NOMEM when the copy fails. */
ds_status ds_evidence_at(ds_document *doc, const ds_chunk_list *chunks, size_t off, size_t len, ds_evidence *ev);

#endif
