/* rescreen.c - stored documents screened again against the active sanctions lists (see
 * rescreen.h). All SQL is parameterised. */
#include "pipeline/rescreen.h"

#include "extract/alerts.h"
#include "extract/screening/screen.h"
#include "ingest/document.h"
#include "pipeline/core/alloc.h"
#include "pipeline/core/clock.h"
#include "pipeline/db.h"
#include "pipeline/lists.h"
#include "pipeline/load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH "64" /* document ids read per query */

/* The loaded documents after id `after` not screened against lists, at most BATCH of them. */
static const char next_batch_sql[] = "SELECT id FROM documents WHERE status = 'loaded' AND id > $1::bigint "
                                     "AND screened_lists IS DISTINCT FROM $2::bigint[] ORDER BY id LIMIT " BATCH;

/* A document rebuilt from its stored chunks, one block per chunk at the chunk's first page; the
 * chunk list points into it. *doc is the caller's (ds_document_free), chunks->v in its arena. */
static ds_status rebuild(PGresult *r, const char *sha, const char *name, ds_document **out, ds_chunk_list *chunks)
{
    ds_document *doc;
    ds_err cerr;
    ds_status st = ds_document_create(&doc, &cerr);
    if (st != DS_OK)
        return st;
    *out = doc;
    snprintf(doc->sha256, sizeof doc->sha256, "%s", sha);
    doc->name = ds_doc_strdup(doc, name);
    int n = PQntuples(r);
    chunks->n = 0;
    chunks->v = ds_arena_calloc(&doc->arena, (size_t)(n > 0 ? n : 1) * sizeof *chunks->v);
    if (!doc->name || !chunks->v)
        return DS_ERR_NOMEM;
    for (int i = 0; i < n; i++) {
        int page = atoi(PQgetvalue(r, i, 1));
        while (doc->n_pages < page)
            if (ds_doc_begin_page(doc))
                return DS_ERR_NOMEM;
        ds_block *b = NULL;
        const char *text = PQgetvalue(r, i, 2);
        size_t len = (size_t)PQgetlength(r, i, 2);
        if (ds_doc_add_block(doc, DS_BLOCK_KIND_PARAGRAPH, 0, "", text, len, &b))
            return DS_ERR_NOMEM;
        ds_chunk *c = &chunks->v[chunks->n++];
        c->seq = atoi(PQgetvalue(r, i, 0));
        c->section = "";
        c->page_first = c->page_last = page;
        c->byte_start = b->text_off;
        c->byte_end = b->text_off + b->text_len;
        c->text = doc->text.data + b->text_off; /* fixed below: text may move while growing */
        c->text_len = b->text_len;
    }
    for (size_t i = 0; i < chunks->n; i++)
        chunks->v[i].text = doc->text.data + chunks->v[i].byte_start;
    return DS_OK;
}

/* Screens document id in its own transaction; *skipped when another process screened or
 * unloaded it meanwhile. */
static ds_status screen_one(PGconn *conn, const char *id, const ds_screen_index *idx, const char *lists,
                            double threshold, long *alerts, int *skipped, ds_err *err)
{
    *skipped = 0;
    PGresult *r = NULL;
    ds_document *doc = NULL;
    ds_alert_list found = {0};
    const char *p1[] = {id};
    const char *p2[] = {id, lists};
    ds_status st = ds_db_begin(conn, err);
    if (st)
        return st;
    /* the loader locks the queue row first too: a document is loaded or rescreened, one at a time */
    st = ds_db_exec(conn, NULL, err, "SELECT 1 FROM work_queue WHERE document_id = $1::bigint FOR UPDATE", 1, p1);
    if (st == DS_OK)
        st = ds_db_exec(conn, &r, err,
                        "SELECT sha256, name, coalesce(company_id::text, '') FROM documents WHERE id = $1::bigint "
                        "AND status = 'loaded' AND screened_lists IS DISTINCT FROM $2::bigint[] FOR UPDATE",
                        2, p2);
    if (st == DS_OK && PQntuples(r) == 0) {
        *skipped = 1;
        PQclear(r);
        ds_db_rollback(conn);
        return DS_OK;
    }
    char sha[65] = "", name[512] = "", company[24] = "";
    if (st == DS_OK) {
        snprintf(sha, sizeof sha, "%s", PQgetvalue(r, 0, 0));
        snprintf(name, sizeof name, "%s", PQgetvalue(r, 0, 1));
        snprintf(company, sizeof company, "%s", PQgetvalue(r, 0, 2));
    }
    PQclear(r);
    r = NULL;
    if (st == DS_OK)
        st = ds_db_exec(
            conn, &r, err,
            "SELECT seq, coalesce(page_first, 0), text FROM chunks WHERE document_id = $1::bigint ORDER BY seq", 1, p1);
    ds_chunk_list chunks = {0};
    if (st == DS_OK && rebuild(r, sha, name, &doc, &chunks) != DS_OK)
        st = ds_err_set(err, DS_ERR_NOMEM, "rescreening document %s (%s): out of memory", id, name);
    PQclear(r);
    if (st == DS_OK && ds_alerts_screen_text(doc, &chunks, idx, threshold, &found) != DS_OK)
        st = ds_err_set(err, DS_ERR_NOMEM, "rescreening document %s (%s): out of memory", id, name);
    for (size_t i = 0; st == DS_OK && i < found.n; i++)
        found.v[i].source_extractor = "rescreen";
    if (st == DS_OK)
        st = ds_load_alerts(conn, 0, id, company, &found, alerts, err);
    if (st == DS_OK)
        st = ds_db_exec(conn, NULL, err, "UPDATE documents SET screened_lists = $2::bigint[] WHERE id = $1::bigint", 2,
                        p2);
    if (st == DS_OK)
        st = ds_db_commit(conn, err);
    if (st) {
        ds_db_rollback(conn);
        ds_err_prefix(err, "rescreening document %s (%s)", id, name);
    }
    ds_alert_list_free(&found);
    ds_document_free(doc);
    return st;
}

static long long scalar(PGconn *conn, const char *sql, int n, const char *const *p, ds_err *err, ds_status *st)
{
    PGresult *r = NULL;
    long long v = 0;
    if (*st == DS_OK)
        *st = ds_db_exec(conn, &r, err, sql, n, p);
    if (*st == DS_OK)
        v = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    return v;
}

ds_status ds_rescreen(PGconn *conn, const ds_rescreen_opts *opts, ds_log *log, ds_rescreen_stats *stats, ds_err *err)
{
    memset(stats, 0, sizeof *stats);
    double t0 = ds_now_s();
    ds_screen_index *idx = NULL;
    ds_status st = ds_lists_build_index_ids(conn, &idx, stats->lists, sizeof stats->lists, err);
    if (st)
        return ds_err_prefix(err, "sanctions screening index");
    if (strcmp(stats->lists, "{}") == 0) {
        ds_screen_index_free(idx);
        DS_WARN(log, "rescreen", "no sanctions list is loaded: nothing to screen against");
        return DS_OK;
    }
    long long cases_before = scalar(conn, "SELECT coalesce(max(id), 0) FROM aml_cases", 0, NULL, err, &st);
    char after[24] = "0";
    int more = 1;
    while (st == DS_OK && more) {
        PGresult *r = NULL;
        const char *p[] = {after, stats->lists};
        st = ds_db_exec(conn, &r, err, next_batch_sql, 2, p);
        int n = st == DS_OK ? PQntuples(r) : 0;
        more = n > 0;
        for (int i = 0; i < n && st == DS_OK; i++) {
            if (opts->max_documents > 0 && stats->documents >= opts->max_documents) {
                more = 0;
                break;
            }
            snprintf(after, sizeof after, "%s", PQgetvalue(r, i, 0));
            int skipped = 0;
            long before = stats->alerts;
            st = screen_one(conn, after, idx, stats->lists, opts->threshold, &stats->alerts, &skipped, err);
            if (st == DS_OK && !skipped) {
                stats->documents++;
                DS_DEBUG(log, "rescreen", "document %s: %ld new mention(s)", after, stats->alerts - before);
            }
        }
        PQclear(r);
    }
    if (st == DS_OK) {
        char cb[24];
        snprintf(cb, sizeof cb, "%lld", cases_before);
        const char *pc[] = {cb};
        stats->cases = (long)scalar(conn, "SELECT count(*) FROM aml_cases WHERE id > $1::bigint", 1, pc, err, &st);
        const char *pl[] = {stats->lists};
        stats->left = (long)scalar(conn,
                                   "SELECT count(*) FROM documents WHERE status = 'loaded' "
                                   "AND screened_lists IS DISTINCT FROM $1::bigint[]",
                                   1, pl, err, &st);
    }
    ds_screen_index_free(idx);
    stats->seconds = ds_now_s() - t0;
    if (st == DS_OK)
        DS_INFO(log, "rescreen",
                "screened %ld document(s) against list versions %s in %.1f s: %ld new mention(s), %ld new case(s), "
                "%ld document(s) left",
                stats->documents, stats->lists, stats->seconds, stats->alerts, stats->cases, stats->left);
    return st;
}
