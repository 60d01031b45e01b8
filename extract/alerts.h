/* alerts.h - AML alerts drawn from a document's entities: a mention of a jurisdiction on FATF's
 * high-risk list, "High-Risk Jurisdictions subject to a Call for Action" (kind
 * high_risk_jurisdiction; grey-list jurisdictions are marked on their entities only), a
 * red-flag phrase (red_flag), and a name in the text that matches a sanctions-list entry
 * through the screening index (sanctions_match; every candidate name window of the text is
 * looked up, see extract/name_spans.h and alerts_screen.c). One alert per document and subject:
 * per ISO code, per red-flag rule, per matched list entry; the first mention (for a sanctions
 * match the best-scoring one) is the evidence.
 *
 * Each alert carries a dedup_key built from its kind, the document's SHA-256, the normalised
 * subject and the matched entry, so loading a document again never raises it twice (the loader
 * inserts with ON CONFLICT (dedup_key) DO NOTHING, and alerts keep their review status).
 * Owns: alert strings live in the document's arena; a ds_alert_list's array is the caller's
 * (ds_alert_list_free). Threading: reentrant; the screening index is only read.
 */
#ifndef DS_EXTRACT_ALERTS_H
#define DS_EXTRACT_ALERTS_H

#include "extract/chunker.h"
#include "extract/entities.h"
#include "ingest/document.h"
#include "pipeline/core/status.h"

#include <stddef.h>

/* The sanctions screening index (extract/screening/screen.h). */
typedef struct ds_screen_index ds_screen_index;

typedef enum ds_alert_kind {
    DS_ALERT_SANCTIONS_MATCH,
    DS_ALERT_HIGH_RISK_JURISDICTION,
    DS_ALERT_RED_FLAG
} ds_alert_kind;

/* "sanctions_match", "high_risk_jurisdiction", "red_flag" (the database values). */
const char *ds_alert_kind_str(ds_alert_kind k);

typedef struct ds_alert {
    ds_alert_kind kind;
    const char *subject; /* as written at the first mention */
    /* "kind|sha256|normalised subject|matched entry". For a sanctions match the key ends after
     * the subject's "|": the loader appends the matched entry as "<list source>:<id in the
     * list>", which stays the same when a new version of the list is loaded. */
    const char *dedup_key;
    double score;             /* 0..1 for a sanctions match, -1 otherwise */
    long long list_id;        /* sanctions list version matched, 0 none */
    long long entry_id;       /* sanctions entry matched, 0 none */
    const char *list_version; /* NULL none */
    const char *matched_name; /* listed name matched, NULL none */
    const char *evidence;     /* JSON object */
    int page;
    int chunk_seq;                /* -1 none */
    const char *quote;            /* sentence of the first mention */
    size_t byte_off;              /* of the first mention */
    const char *source_extractor; /* "rules" or "screening" */
} ds_alert;

typedef struct ds_alert_list {
    ds_alert *v;
    size_t n, cap;
} ds_alert_list;

void ds_alert_list_free(ds_alert_list *l);
ds_status ds_alert_list_push(ds_alert_list *l, const ds_alert *a);

/* Alerts from the entities of doc and, with a screening index, from its text. screen NULL: no
 * sanctions screening; threshold 0..1 is the score a sanctions match must reach. chunks (may be
 * NULL) place the evidence. */
ds_status ds_alerts_build(ds_document *doc, const ds_chunk_list *chunks, const ds_entity_list *entities,
                          const ds_screen_index *screen, double threshold, ds_alert_list *out, ds_err *err);

/* Sanctions alerts from doc's text (alerts_screen.c): one per matched list entry, appended to
 * out. DS_ERR_NOMEM only. */
ds_status ds_alerts_screen_text(ds_document *doc, const ds_chunk_list *chunks, const ds_screen_index *screen,
                                double threshold, ds_alert_list *out);

#endif
