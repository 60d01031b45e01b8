/* alerts.c - AML alerts from a document's entities (see alerts.h): FATF-listed jurisdictions and
 * red-flag phrases; sanctions-list matches come from the text scan (alerts_screen.c). Reentrant. */
#include "extract/alerts.h"

#include "pipeline/core/alloc.h"
#include "pipeline/core/log.h"

#include <stdio.h>
#include <string.h>

const char *ds_alert_kind_str(ds_alert_kind k)
{
    switch (k) {
    case DS_ALERT_SANCTIONS_MATCH: return "sanctions_match";
    case DS_ALERT_HIGH_RISK_JURISDICTION: return "high_risk_jurisdiction";
    case DS_ALERT_RED_FLAG: return "red_flag";
    }
    return "red_flag";
}

void ds_alert_list_free(ds_alert_list *l)
{
    if (!l)
        return;
    ds_free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

ds_status ds_alert_list_push(ds_alert_list *l, const ds_alert *a)
{
    if (l->n == l->cap) {
        size_t c = l->cap ? l->cap * 2 : 16;
        ds_alert *v = ds_realloc(l->v, c * sizeof *v);
        if (!v)
            return DS_ERR_NOMEM;
        l->v = v;
        l->cap = c;
    }
    l->v[l->n++] = *a;
    return DS_OK;
}

/* Is entity i the first of its group (same kind and key) in the list? Counts the group. */
typedef const char *(*group_key_fn)(const ds_entity *e);

/* FATF's high-risk jurisdictions are those "subject to a Call for Action"; a jurisdiction under
 * increased monitoring (the grey list) is marked on its entity but raises no alert. */
static const char *key_iso(const ds_entity *e)
{
    return e->fatf && e->fatf->list == DS_FATF_CALL_FOR_ACTION ? e->fatf->code : NULL;
}

static const char *key_flag(const ds_entity *e)
{
    return e->kind == DS_ENTITY_RED_FLAG && e->flag ? e->flag->id : NULL;
}

static int first_of_group(const ds_entity_list *l, size_t i, group_key_fn key, size_t *count)
{
    const char *k = key(&l->v[i]);
    if (!k)
        return 0;
    for (size_t j = 0; j < i; j++) {
        const char *kj = key(&l->v[j]);
        if (kj && l->v[j].kind == l->v[i].kind && strcmp(kj, k) == 0)
            return 0;
    }
    size_t n = 0;
    for (size_t j = i; j < l->n; j++) {
        const char *kj = key(&l->v[j]);
        if (kj && l->v[j].kind == l->v[i].kind && strcmp(kj, k) == 0)
            n++;
    }
    *count = n;
    return 1;
}

static void base_alert(ds_alert *a, ds_alert_kind kind, const ds_entity *e, const char *source)
{
    memset(a, 0, sizeof *a);
    a->kind = kind;
    a->subject = e->name;
    a->score = -1;
    a->page = e->page;
    a->chunk_seq = e->chunk_seq;
    a->quote = e->quote;
    a->byte_off = e->byte_off;
    a->source_extractor = source;
}

static ds_status push(ds_document *doc, ds_alert *a, const char *key_subject, const char *key_entry,
                      const char *evidence, ds_alert_list *out)
{
    a->dedup_key = ds_arena_printf(&doc->arena, "%s|%s|%s|%s", ds_alert_kind_str(a->kind), doc->sha256, key_subject,
                                   key_entry);
    a->evidence = ds_arena_strdup(&doc->arena, evidence);
    if (!a->dedup_key || !a->evidence)
        return DS_ERR_NOMEM;
    return ds_alert_list_push(out, a);
}

ds_status ds_alerts_build(ds_document *doc, const ds_chunk_list *chunks, const ds_entity_list *ents,
                          const ds_screen_index *screen, double threshold, ds_alert_list *out, ds_err *err)
{
    ds_status st = DS_OK;
    char ev[1024], esc[512];
    for (size_t i = 0; i < ents->n && st == DS_OK; i++) {
        const ds_entity *e = &ents->v[i];
        size_t mentions = 0;
        ds_alert a;
        if (first_of_group(ents, i, key_iso, &mentions)) {
            base_alert(&a, DS_ALERT_HIGH_RISK_JURISDICTION, e, "rules");
            ds_json_escape(esc, sizeof esc, e->name);
            snprintf(ev, sizeof ev,
                     "{\"iso\":\"%s\",\"name\":\"%s\",\"fatf_list\":\"%s\",\"fatf_list_title\":\"%s\","
                     "\"fatf_as_of\":\"%s\",\"mentions\":%zu}",
                     e->fatf->code, esc, ds_fatf_list_str(e->fatf->list), ds_fatf_list_title(e->fatf->list),
                     DS_FATF_AS_OF, mentions);
            char entry[96];
            snprintf(entry, sizeof entry, "fatf:%s:%s", ds_fatf_list_str(e->fatf->list), DS_FATF_AS_OF);
            st = push(doc, &a, e->fatf->code, entry, ev, out);
        } else if (first_of_group(ents, i, key_flag, &mentions)) {
            base_alert(&a, DS_ALERT_RED_FLAG, e, "rules");
            ds_json_escape(esc, sizeof esc, e->name);
            snprintf(ev, sizeof ev,
                     "{\"rule\":\"%s\",\"category\":\"%s\",\"description\":\"%s\",\"phrase\":\"%s\",\"mentions\":%zu}",
                     e->flag->id, e->flag->category, e->flag->description, esc, mentions);
            st = push(doc, &a, e->flag->category, e->flag->id, ev, out);
        }
    }
    if (st == DS_OK && screen)
        st = ds_alerts_screen_text(doc, chunks, screen, threshold, out);
    if (st)
        return ds_err_set(err, st, "out of memory building alerts of %s", doc->name ? doc->name : "document");
    return DS_OK;
}
