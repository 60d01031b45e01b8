/* extract.h - everything the extract stage draws from one chunked document, in one call:
 * facts (XBRL, then statement tables, duplicates resolved), entities (organisations, persons,
 * countries and jurisdictions, red-flag phrases), SWOT items from the rules, and AML alerts
 * (with sanctions screening when an index is given).
 * Owns: a ds_extraction's arrays (ds_extraction_free); their strings live in the document's
 * arena, so the extraction is used before the document is freed. Threading: reentrant.
 */
#ifndef DS_EXTRACT_EXTRACT_H
#define DS_EXTRACT_EXTRACT_H

#include "extract/alerts.h"
#include "extract/chunker.h"
#include "extract/doc_identity.h"
#include "extract/entities.h"
#include "extract/facts.h"
#include "extract/swot.h"
#include "ingest/document.h"
#include "pipeline/core/status.h"

typedef struct ds_extract_opts {
    const ds_screen_index *screen; /* borrowed; NULL: names are not screened */
    double screen_threshold;       /* 0..1 */
} ds_extract_opts;

typedef struct ds_extraction {
    ds_fact_list facts;
    ds_resolve_stats resolved;
    ds_entity_list entities;
    ds_swot_list swot;
    ds_alert_list alerts;
    ds_doc_identity identity; /* PDF only: cover, headline and statement headers (doc_identity.h) */
} ds_extraction;

/* Fills out (zeroed by the caller, or freed before) from doc and its chunks. On failure out
 * keeps what was done and is still freed with ds_extraction_free. */
ds_status ds_extract_document(ds_document *doc, const ds_chunk_list *chunks, const ds_extract_opts *opts,
                              ds_extraction *out, ds_err *err);
void ds_extraction_free(ds_extraction *x);

#endif
