/* facts.h - the fact record every extractor produces (XBRL, statement tables, model) and the
 * mapping from XBRL concepts to canonical credit metrics.
 *
 * Ownership: strings in a ds_fact are borrowed from the document's arena (or static tables)
 * and live as long as the document. Threading: reentrant; the concept table is read-only.
 */
#ifndef DS_EXTRACT_FACTS_H
#define DS_EXTRACT_FACTS_H

#include "extract/chunker.h"
#include "ingest/document.h"
#include "pipeline/core/status.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ds_fact {
    const char *concept;          /* us-gaap:Revenues, or a table row label */
    const char *metric;           /* canonical metric or NULL */
    const char *value;            /* exact decimal string, or NULL when not numeric */
    const char *value_text;       /* text value (non-numeric facts), or NULL */
    const char *unit, *decimals;
    const char *period_start, *period_end; /* ISO dates; start NULL for an instant */
    const char *dimensions;       /* "" for the consolidated value */
    const char *source_extractor; /* "ixbrl", "xbrl", "pdf_table", "model" */
    const char *quote;            /* text as shown, or NULL */
    int page;                     /* 0 unknown */
    int chunk_seq;                /* -1 none */
    size_t byte_off;              /* into doc->text, SIZE_MAX none */
} ds_fact;

typedef struct ds_fact_list {
    ds_fact *v;
    size_t n, cap;
} ds_fact_list;

void ds_fact_list_free(ds_fact_list *l);
ds_status ds_fact_list_push(ds_fact_list *l, const ds_fact *f);

/* Canonical metric of an XBRL concept ("us-gaap:Revenues" -> "revenue"), NULL when none.
 * Prefixes other than us-gaap/ifrs-full are never mapped. */
const char *ds_metric_for_concept(const char *concept);

/* Facts from the document's XBRL facts (inline or instance), tied to the chunk and page that
 * show them. Non-numeric facts longer than max_text bytes keep only their first max_text. */
ds_status ds_extract_xbrl_facts(ds_document *doc, const ds_chunk_list *chunks, ds_fact_list *out, ds_err *err);

#endif
