/* load.h - loading one processed document into PostgreSQL in a single transaction: its
 * company, chunks, facts, SWOT items and entities by COPY, its AML alerts (inserted once: an
 * alert raised again is skipped and keeps its review status), its metadata and status, and
 * the queue row, all or none.
 * Internal to the pipeline stage. Threading: one connection per caller. */
#ifndef DS_PIPELINE_LOAD_H
#define DS_PIPELINE_LOAD_H

#include "extract/chunker.h"
#include "extract/extract.h"
#include "ingest/document.h"
#include "pipeline/run.h"

/* Returns DS_OK, DS_ERR_CANCELLED when this worker no longer holds the document's lease
 * (nothing written), or a database error (nothing written). */
ds_status ds_load_document(ds_run *run, long long doc_id, ds_document *doc, const ds_chunk_list *chunks,
                           const ds_extraction *x, ds_err *err);

#endif
