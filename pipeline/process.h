/* process.h - one document through the stages (pipeline/process.c). Internal to pipeline/. */
#ifndef DS_PIPELINE_PROCESS_H
#define DS_PIPELINE_PROCESS_H

#include "ingest/document.h"
#include "pipeline/run.h"

typedef struct ds_process_result {
    ds_doc_kind kind;
    int parsed;
    int pages;
    long chunks, facts;
    long long tokens, bytes;
} ds_process_result;

/* Reads path, parses, chunks, extracts and loads document doc_id (whose lease run holds).
 * Adds stage times to run->stats. On failure nothing of the document is in the database. */
ds_status ds_process_document(ds_run *run, long long doc_id, const char *path, ds_process_result *res, ds_err *err);

/* Failures that retrying the same bytes cannot fix (the document is recorded failed at once). */
int ds_status_is_permanent(ds_status st);

#endif
