/* swot.h - SWOT items (strengths, weaknesses, opportunities, threats) from documented rules
 * over a document's metrics and text: the rules backend, used when no model checkpoint is
 * configured. Every item names its rule and carries its evidence: the facts and ratios used
 * (metric rules) or quotes found verbatim in a chunk with their page (text rules).
 * The rule list is data (ds_swot_rules); extract/swot_rules.md shows it as ds_swot_rules_table
 * prints it.
 * Owns: item strings live in the document's arena; a ds_swot_list's array is the caller's
 * (ds_swot_list_free). Threading: reentrant; the rule table is read-only.
 */
#ifndef DS_EXTRACT_SWOT_H
#define DS_EXTRACT_SWOT_H

#include "extract/chunker.h"
#include "extract/facts.h"
#include "ingest/document.h"
#include "pipeline/core/buf.h"
#include "pipeline/core/status.h"

#include <stddef.h>

typedef enum ds_swot_category {
    DS_SWOT_STRENGTH,
    DS_SWOT_WEAKNESS,
    DS_SWOT_OPPORTUNITY,
    DS_SWOT_THREAT
} ds_swot_category;

/* "strength", "weakness", "opportunity", "threat" (the database values). */
const char *ds_swot_category_str(ds_swot_category c);

typedef struct ds_swot_rule {
    const char *id; /* "SWOT-GRW-01" */
    ds_swot_category category;
    const char *basis;     /* "metrics" or "text" */
    const char *condition; /* when it fires, in words */
} ds_swot_rule;

const ds_swot_rule *ds_swot_rules(size_t *n);
/* The rules as a Markdown table (id, category, basis, condition). */
ds_status ds_swot_rules_table(ds_buf *out);

typedef struct ds_swot_item {
    ds_swot_category category;
    const char *rule_id;
    const char *statement;        /* the item in words (arena) */
    const char *evidence;         /* JSON array (arena): facts and ratios, or quotes */
    int page;                     /* of the main evidence; 0 unknown */
    int chunk_seq;                /* of the main evidence; -1 none */
    const char *quote;            /* main quote (text rules), NULL for metric rules */
    size_t byte_off;              /* of the quote, SIZE_MAX none */
    const char *source_extractor; /* "rules" or "model" */
    /* model backend only (NULL otherwise): model name, checkpoint fingerprint, prompt version */
    const char *model, *model_fingerprint, *prompt_version;
} ds_swot_item;

typedef struct ds_swot_list {
    ds_swot_item *v;
    size_t n, cap;
} ds_swot_list;

void ds_swot_list_free(ds_swot_list *l);
ds_status ds_swot_list_push(ds_swot_list *l, const ds_swot_item *it);

/* Applies every rule to the document. Metric rules read the consolidated facts (dimensions ""),
 * preferring XBRL over table facts, for the latest fiscal year in the document (else its
 * latest quarter) against the same period a year earlier; text rules read paragraphs and list
 * items. Each rule gives at most one item per document. */
ds_status ds_swot_rules_apply(ds_document *doc, const ds_chunk_list *chunks, const ds_fact_list *facts,
                              ds_swot_list *out, ds_err *err);

#endif
