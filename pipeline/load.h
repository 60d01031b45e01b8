/* load.h - loading one processed document into PostgreSQL in a single transaction: its
 * company, chunks, facts, SWOT items and entities by COPY, its AML alerts (inserted once: an
 * alert raised again is skipped and keeps its review status; a sanctions alert is filed into
 * its case by the database, sql/0022_aml_cases.sql), its metadata, the sanctions list versions
 * it was screened against (run->screened_lists) and status, and the queue row, all or none.
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

/* Inserts alerts of document doc_id (decimal text) inside the caller's transaction;
 * company_id "" when none, run_id 0 when no run raised them. An alert whose dedup_key is
 * stored already, or a sanctions alert whose case holds a mention in this document already, is
 * skipped; *inserted (may be NULL) is increased by the alerts inserted. */
ds_status ds_load_alerts(PGconn *conn, long long run_id, const char *doc_id, const char *company_id,
                         const ds_alert_list *alerts, long *inserted, ds_err *err);

#endif
