/* extract.c - the extract stage in one call (see extract.h): a PDF's identity, facts, verified and duplicates resolved,
 * entities, places, red flags, SWOT rules and alerts, in that order. Reentrant. */
#include "extract/extract.h"

#include <string.h>

ds_status ds_extract_document(ds_document *doc, const ds_chunk_list *chunks, const ds_extract_opts *opts,
                              ds_extraction *out, ds_err *err)
{
    ds_status st = DS_OK;
    if (doc->kind == DS_DOC_KIND_PDF && (st = ds_doc_identity_read(doc, &out->identity, err)) == DS_OK)
        ds_doc_identity_apply(doc, &out->identity);
    if (st == DS_OK)
        st = ds_extract_xbrl_facts(doc, chunks, &out->facts, err);
    if (st == DS_OK)
        st = ds_extract_table_facts(doc, chunks, &out->facts, err);
    if (st == DS_OK)
        st = ds_facts_verify(&out->facts, err);
    if (st == DS_OK)
        st = ds_facts_resolve(&out->facts, &out->resolved, err);
    if (st == DS_OK)
        st = ds_extract_entities(doc, chunks, &out->entities, err);
    if (st == DS_OK)
        st = ds_extract_jurisdictions(doc, chunks, &out->entities, err);
    if (st == DS_OK)
        st = ds_extract_redflags(doc, chunks, &out->entities, err);
    if (st == DS_OK)
        st = ds_swot_rules_apply(doc, chunks, &out->facts, &out->swot, err);
    if (st == DS_OK)
        st = ds_alerts_build(doc, chunks, &out->entities, opts ? opts->screen : NULL,
                             opts ? opts->screen_threshold : 1.0, &out->alerts, err);
    return st;
}

void ds_extraction_free(ds_extraction *x)
{
    if (!x)
        return;
    ds_fact_list_free(&x->facts);
    ds_entity_list_free(&x->entities);
    ds_swot_list_free(&x->swot);
    ds_alert_list_free(&x->alerts);
    memset(&x->resolved, 0, sizeof x->resolved);
    memset(&x->identity, 0, sizeof x->identity);
}
