/* process.c - takes one document through every stage: read, detect and parse, chunk,
 * extract, load. Owns the document for the duration and frees it. Threading: one run context.
 */
#include "pipeline/process.h"
#include "pipeline/core/clock.h"

#include "extract/chunker.h"
#include "extract/extract.h"
#include "model/llm/model_llm.h"
#include "ingest/ingest.h"
#include "pipeline/core/infile.h"
#include "pipeline/core/alloc.h"
#include "pipeline/core/buf.h"
#include "pipeline/db.h"
#include "pipeline/load.h"
#include "pipeline/parse_child.h"
#include "pipeline/stop.h"

#include <stdio.h>
#include <string.h>

static void add_model_stats(ds_run_stats *s, const ds_llm_stats *ls)
{
    s->model_calls += ls->calls;
    s->model_unparsed += (long)ls->unparsed;
    s->model_truncated += (long)ls->truncated;
    s->model_salvaged += (long)ls->salvaged;
    s->model_closed_early += (long)ls->closed_early;
    s->model_cut_items += (long)ls->cut_items;
    s->model_prompt_tokens += (long long)ls->prompt_tokens;
    s->model_answer_tokens += (long long)ls->answer_tokens;
    s->model_s += ls->seconds;
    s->model_windows += (long)ls->windows;
    s->model_dropped += (long)(ls->ground.facts_dropped + ls->ground.swot_dropped + ls->malformed);
    s->model_grown += (long)ls->grown;
    s->model_reused_tokens += (long long)ls->reused_tokens;
}

/* Between stages: a stop signal ends the document (it goes back to the queue), and so does
 * running past the per-document time budget (it fails). */
static ds_status checkpoint(ds_run *run, const char *next, const char *name, ds_err *err)
{
    int sig = ds_stop_requested();
    if (sig)
        return ds_err_set(err, DS_ERR_CANCELLED, "%s: interrupted by signal %d before %s", name, sig, next);
    if (run->doc_deadline > 0 && ds_now_s() > run->doc_deadline)
        return ds_err_set(err, DS_ERR_BUDGET, "%s: took longer than run.document_seconds (%d s); stopped before %s",
                          name, run->cfg->run_document_seconds, next);
    return DS_OK;
}

/* The bytes read must be those discovery hashed: a file changed since is queued again under
 * its new hash (as a new document) and this document fails with DS_ERR_CHANGED, so new bytes
 * are never stored under the old identity. */
static ds_status check_identity(ds_run *run, long long doc_id, const char *path, const ds_buf *data, ds_err *err)
{
    char id[24], sha[65], bytes[24], run_id[24];
    snprintf(id, sizeof id, "%lld", doc_id);
    const char *p[] = {id};
    PGresult *r = NULL;
    ds_status st = ds_db_exec(run->conn, &r, err, "SELECT sha256, source FROM documents WHERE id = $1::bigint", 1, p);
    if (st)
        return st;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return ds_err_set(err, DS_ERR_NOT_FOUND, "document %lld is gone", doc_id);
    }
    ds_ingest_sha256((const unsigned char *)data->data, data->len, sha);
    if (strcmp(sha, PQgetvalue(r, 0, 0)) == 0) {
        PQclear(r);
        return DS_OK;
    }
    char *source = ds_strdup(PQgetvalue(r, 0, 1));
    PQclear(r);
    if (!source)
        return ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    snprintf(bytes, sizeof bytes, "%zu", data->len);
    snprintf(run_id, sizeof run_id, "%lld", run->run_id);
    long long new_id = 0;
    st = ds_run_enqueue_hashed(run, sha, bytes, run_id, path, source, &new_id, err);
    ds_free(source);
    if (st)
        return st;
    return ds_err_set(err, DS_ERR_CHANGED,
                      "%s changed after it was queued (now sha256 %.12s...): queued again as "
                      "document %lld",
                      path, sha, new_id);
}

ds_status ds_process_document(ds_run *run, long long doc_id, const char *path, ds_process_result *res, ds_err *err)
{
    memset(res, 0, sizeof *res);
    ds_run_stats *s = &run->stats;
    ds_buf data = DS_BUF_INIT;
    ds_extraction x = {0};
    ds_chunk_list chunks = {0};
    ds_document *doc;
    DS_TRY(ds_document_create(&doc, err));
    doc->source = ds_doc_strdup(doc, path);
    const char *slash = strrchr(path, '/');
    doc->name = ds_doc_strdup(doc, slash ? slash + 1 : path);

    double t0 = ds_now_s();
    size_t limit = run->cfg->ingest_max_bytes > 0 ? (size_t)run->cfg->ingest_max_bytes : 0;
    ds_buf raw = DS_BUF_INIT; /* queued paths are escaped (infile.h) */
    ds_status st = ds_infile_name_unescape(&raw, path) == DS_OK
                       ? ds_infile_read(&data, raw.data, limit, DS_INFILE_NOFOLLOW, err)
                       : ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    ds_buf_deinit(&raw);
    if (st == DS_OK)
        st = check_identity(run, doc_id, path, &data, err);
    double t1 = ds_now_s();
    s->stage_s[DS_STAGE_READ] += t1 - t0;
    if (st == DS_OK)
        st = checkpoint(run, "parse", doc->name, err);
    if (st == DS_OK) {
        ds_ingest_limits lim;
        ds_ingest_limits_default(&lim);
        lim.max_bytes = limit;
        lim.max_pages = run->cfg->ingest_max_pages;
        ds_parse_limits pl = {run->cfg->ingest_parse_cpu_seconds, run->cfg->ingest_parse_memory_mb, run->doc_deadline,
                              ds_stop_requested};
        st = run->cfg->ingest_parse_in_child
                 ? ds_parse_in_child(doc, (const unsigned char *)data.data, data.len, &lim, &pl, err)
                 : ds_ingest_parse(doc, (const unsigned char *)data.data, data.len, &lim, err);
        res->kind = doc->kind;
    }
    ds_buf_deinit(&data);
    double t2 = ds_now_s();
    s->stage_s[DS_STAGE_PARSE] += t2 - t1;
    if (st == DS_OK)
        st = checkpoint(run, "chunking", doc->name, err);
    if (st == DS_OK)
        st = ds_chunk_document(doc, &run->chunk_opts, &chunks, err);
    double t3 = ds_now_s();
    s->stage_s[DS_STAGE_CHUNK] += t3 - t2;
    if (st == DS_OK)
        st = checkpoint(run, "extraction", doc->name, err);
    if (st == DS_OK) {
        ds_extract_opts xo = {run->screen, run->cfg->screen_threshold};
        st = ds_extract_document(doc, &chunks, &xo, &x, err);
    }
    if (st == DS_OK && run->llm)
        st = checkpoint(run, "the model backend", doc->name, err);
    if (st == DS_OK && run->llm) { /* the model backend after the rules; its failure is a note */
        ds_err merr;
        ds_llm_stats ls;
        if (ds_llm_extract_document(ds_model_llm_generator(run->llm), doc, &chunks, run->log, &x.facts, &x.swot, &ls,
                                    &merr) != DS_OK) {
            DS_WARN(run->log, "model", "%s: model backend failed: %s", doc->name, merr.msg);
            ds_doc_add_note(doc, "model backend failed: %s", merr.msg);
        }
        add_model_stats(s, &ls);
    }
    double t4 = ds_now_s();
    s->stage_s[DS_STAGE_EXTRACT] += t4 - t3;
    if (st == DS_OK)
        st = checkpoint(run, "loading", doc->name, err);
    if (st == DS_OK) {
        res->parsed = 1;
        st = ds_load_document(run, doc_id, doc, &chunks, &x, err);
        s->stage_s[DS_STAGE_LOAD] += ds_now_s() - t4;
        if (st == DS_OK) {
            res->pages = doc->n_pages;
            res->chunks = (long)chunks.n;
            res->facts = (long)x.facts.n;
            for (size_t i = 0; i < chunks.n; i++)
                res->tokens += (long long)chunks.v[i].token_count;
            res->bytes = (long long)doc->n_bytes;
        }
    }
    ds_extraction_free(&x);
    ds_document_free(doc);
    return st;
}

int ds_status_is_permanent(ds_status st)
{
    switch (st) {
    case DS_ERR_EMPTY:
    case DS_ERR_ENCRYPTED:
    case DS_ERR_DAMAGED:
    case DS_ERR_NO_TEXT:
    case DS_ERR_FORMAT:
    case DS_ERR_PARSE:
    case DS_ERR_TOO_LARGE:
    case DS_ERR_UNSUPPORTED:
    case DS_ERR_BUDGET:
    case DS_ERR_CHANGED: return 1;
    default: return 0;
    }
}
