/* discover.c - finds inputs (files, folders walked by ingest/sources.c with include/exclude
 * globs, list files of paths and URLs, URLs fetched politely by ingest/fetch.c into the cache)
 * and enqueues each document whose bytes are new: a document row keyed by SHA-256, the place it
 * was seen, and a work_queue row. Threading: one run context. */
#include "pipeline/db.h"
#include "pipeline/ratelimit.h"
#include "pipeline/run.h"
#include "pipeline/stop.h"

#include "ingest/fetch.h"
#include "ingest/ingest.h"
#include "ingest/sources.h"
#include "pipeline/core/alloc.h"
#include "pipeline/core/buf.h"
#include "pipeline/core/infile.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The database side of ds_run_enqueue_file: document row, where it was seen, work_queue row. */
static ds_status enqueue_known(ds_run *run, const char *sha, const char *bytes, const char *run_id, const char *abs,
                               const char *source, long long *out_id, ds_err *err)
{
    const char *name = strrchr(source, '/') && strrchr(source, '/')[1] ? strrchr(source, '/') + 1 : source;
    run->stats.seen++;

    const char *p[] = {sha, source, name, bytes, run_id};
    PGresult *r = NULL;
    ds_status st = ds_db_exec(run->conn, &r, err,
                              "WITH ins AS (INSERT INTO documents (sha256, source, name, bytes, first_run_id) "
                              "  VALUES ($1, $2, $3, $4::bigint, $5::bigint) ON CONFLICT (sha256) DO NOTHING "
                              "  RETURNING id, status) "
                              "SELECT id, status, true FROM ins UNION ALL "
                              "SELECT id, status, false FROM documents WHERE sha256 = $1 "
                              "  AND NOT EXISTS (SELECT 1 FROM ins)",
                              5, p);
    if (st)
        return st;
    char id[24];
    snprintf(id, sizeof id, "%s", PQgetvalue(r, 0, 0));
    char status[24];
    snprintf(status, sizeof status, "%s", PQgetvalue(r, 0, 1));
    int inserted = PQgetvalue(r, 0, 2)[0] == 't';
    PQclear(r);
    if (out_id)
        *out_id = atoll(id);
    const char *ps[] = {id, source};
    if ((st = ds_db_exec(run->conn, NULL, err,
                         "INSERT INTO document_sources (document_id, source) VALUES ($1::bigint, $2) "
                         "ON CONFLICT (document_id, source) DO UPDATE SET last_seen = now()",
                         2, ps)))
        return st;
    if (!inserted && strcmp(status, "queued") != 0 && strcmp(status, "processing") != 0) {
        /* loaded, failed (a permanent fault of these bytes) or quarantined: nothing to do. */
        run->stats.unchanged++;
        DS_DEBUG(run->log, "discover", "%s: same bytes already %s (document %s)", source, status, id);
        return DS_OK;
    }
    const char *pq[] = {id, abs, run_id};
    st = ds_db_exec(run->conn, &r, err,
                    "INSERT INTO work_queue (document_id, path, run_id) VALUES ($1::bigint, $2, $3::bigint) "
                    "ON CONFLICT (document_id) DO NOTHING RETURNING 1",
                    3, pq);
    if (st == DS_OK && PQntuples(r) > 0)
        run->stats.enqueued++;
    PQclear(r);
    return st;
}

/* Registers one file. Unreadable files, and anything but a regular file within ingest.max_bytes,
 * are recorded in the log and skipped. Names go to the database escaped (infile.h): a name that
 * is not UTF-8 is stored losslessly and the run goes on. */
ds_status ds_run_enqueue_file(ds_run *run, const char *path, const char *source, ds_err *err)
{
    char abs_raw[PATH_MAX];
    if (!realpath(path, abs_raw))
        snprintf(abs_raw, sizeof abs_raw, "%s", path);
    ds_buf data = DS_BUF_INIT, abs_esc = DS_BUF_INIT, src_esc = DS_BUF_INIT;
    ds_err ferr;
    size_t limit = run->cfg->ingest_max_bytes > 0 ? (size_t)run->cfg->ingest_max_bytes : 0;
    ds_status fst = ds_infile_read(&data, abs_raw, limit, DS_INFILE_NOFOLLOW, &ferr);
    if (fst == DS_OK &&
        (ds_infile_name_escape(&abs_esc, abs_raw) || ds_infile_name_escape(&src_esc, source ? source : abs_raw)))
        fst = ds_err_set(&ferr, DS_ERR_NOMEM, "out of memory");
    if (fst != DS_OK) {
        ds_buf esc = DS_BUF_INIT;
        ds_infile_name_escape(&esc, abs_raw);
        DS_WARN(run->log, "discover", "skipping %s: %s", esc.data ? esc.data : "?", ferr.msg);
        ds_buf_deinit(&esc);
        ds_buf_deinit(&data);
        ds_buf_deinit(&abs_esc);
        ds_buf_deinit(&src_esc);
        return fst == DS_ERR_NOMEM ? ds_err_set(err, fst, "%s", ferr.msg) : DS_OK;
    }
    char sha[65], bytes[24], run_id[24];
    ds_ingest_sha256((const unsigned char *)data.data, data.len, sha);
    snprintf(bytes, sizeof bytes, "%zu", data.len);
    snprintf(run_id, sizeof run_id, "%lld", run->run_id);
    ds_buf_deinit(&data);
    ds_status st = enqueue_known(run, sha, bytes, run_id, abs_esc.data, src_esc.data, NULL, err);
    ds_buf_deinit(&abs_esc);
    ds_buf_deinit(&src_esc);
    return st;
}

ds_status ds_run_enqueue_hashed(ds_run *run, const char *sha, const char *bytes, const char *run_id, const char *path,
                                const char *source, long long *doc_id, ds_err *err)
{
    return enqueue_known(run, sha, bytes, run_id, path, source, doc_id, err);
}

static void make_filter(ds_source_filter *f, const ds_str_list *include, const ds_str_list *exclude,
                        const ds_str_list *allowed)
{
    memset(f, 0, sizeof *f);
    if (include) {
        f->include = (const char *const *)include->v;
        f->n_include = (size_t)include->n;
    }
    if (exclude) {
        f->exclude = (const char *const *)exclude->v;
        f->n_exclude = (size_t)exclude->n;
    }
    f->allowed_roots = (const char *const *)allowed->v;
    f->n_allowed_roots = (size_t)allowed->n;
}

/* The run's fetcher, created on first use; its requests also take slots from the rate limit
 * shared through the database with every other process (gate, borrowed). */
static ds_status open_fetcher(ds_run *run, const ds_fetch_gate *gate, ds_fetcher **fetcher, ds_err *err)
{
    ds_fetch_options o;
    ds_fetch_options_default(&o);
    o.user_agent = run->cfg->fetch_user_agent;
    o.cache_dir = run->cfg->fetch_cache_dir;
    o.max_rps = run->cfg->fetch_max_rps;
    o.timeout_ms = (long)run->cfg->fetch_timeout_s * 1000;
    o.max_bytes = (uint64_t)run->cfg->fetch_max_bytes;
    o.max_retries = run->cfg->fetch_retries;
    o.cross_host_redirects = run->cfg->fetch_cross_host_redirects;
    o.log = run->log;
    o.gate = gate;
    return ds_fetcher_create(fetcher, &o, err);
}

static ds_status enqueue_list(ds_run *run, ds_source_list *l, const ds_fetch_gate *gate, ds_fetcher **fetcher,
                              ds_err *err)
{
    for (size_t i = 0; i < l->n && !ds_stop_requested(); i++) {
        const ds_source_item *it = &l->v[i];
        ds_status st = DS_OK;
        if (it->url) {
            if (!*fetcher && (st = open_fetcher(run, gate, fetcher, err)))
                return st;
            ds_fetch_result res;
            ds_err ferr;
            memset(&res, 0, sizeof res);
            if (ds_fetcher_get(*fetcher, it->url, &res, &ferr) == DS_OK) {
                run->stats.fetched++;
                if (res.final_url && strcmp(res.final_url, it->url) != 0)
                    DS_INFO(run->log, "fetch", "%s redirected to %s", it->url, res.final_url);
                st = ds_run_enqueue_file(run, res.path, it->url, err);
            } else {
                run->stats.fetch_failed++;
                DS_WARN(run->log, "fetch", "%s", ferr.msg);
            }
            ds_fetch_result_deinit(&res);
        } else if (it->missing) {
            DS_WARN(run->log, "discover", "listed file %s does not exist", it->rel);
        } else {
            st = ds_run_enqueue_file(run, it->path, NULL, err);
        }
        if (st)
            return st;
    }
    return DS_OK;
}

ds_status ds_run_discover(ds_run *run, char *const *paths, int n_paths, const ds_str_list *include,
                          const ds_str_list *exclude, const ds_str_list *url_lists, ds_err *err)
{
    ds_source_filter filter;
    make_filter(&filter, include, exclude, &run->cfg->ingest_allowed_roots);
    ds_source_list l;
    ds_source_list_init(&l);
    ds_fetcher *fetcher = NULL;
    ds_ratelimit *rl = NULL;
    int per_window = run->cfg->fetch_max_rps >= 1 ? (int)run->cfg->fetch_max_rps : 1;
    ds_status st = ds_ratelimit_create(&rl, run->conn, per_window, 0, run->log, err);
    for (int i = 0; i < n_paths && st == DS_OK; i++) {
        struct stat sb;
        if (stat(paths[i], &sb) != 0) {
            st = ds_err_set(err, DS_ERR_NOT_FOUND, "%s: %s", paths[i], strerror(errno));
            break;
        }
        if (S_ISDIR(sb.st_mode))
            st = ds_source_scan_dir(&l, paths[i], &filter, run->log, err);
        else
            st = ds_run_enqueue_file(run, paths[i], NULL, err);
    }
    for (int i = 0; url_lists && i < url_lists->n && st == DS_OK; i++)
        st = ds_source_read_list(&l, url_lists->v[i], &filter, run->log, err);
    if (st == DS_OK)
        st = enqueue_list(run, &l, rl ? ds_ratelimit_gate(rl) : NULL, &fetcher, err);
    if (st == DS_OK && ds_run_has_watchlist(run->cfg) &&
        (fetcher || (st = open_fetcher(run, ds_ratelimit_gate(rl), &fetcher, err)) == DS_OK))
        st = ds_run_discover_watchlist(run, fetcher, err);
    ds_fetcher_free(fetcher);
    ds_ratelimit_free(rl);
    ds_source_list_deinit(&l);
    if (st == DS_OK)
        DS_INFO(run->log, "discover", "%ld inputs seen, %ld enqueued, %ld unchanged, %ld fetched, %ld fetch failures",
                run->stats.seen, run->stats.enqueued, run->stats.unchanged, run->stats.fetched,
                run->stats.fetch_failed);
    return st;
}

ds_status ds_run_plan_watchlist(ds_run *run, ds_err *err)
{
    ds_fetcher *fetcher = NULL;
    ds_ratelimit *rl = NULL;
    int per_window = run->cfg->fetch_max_rps >= 1 ? (int)run->cfg->fetch_max_rps : 1;
    ds_status st = ds_ratelimit_create(&rl, run->conn, per_window, 0, run->log, err);
    if (st == DS_OK && (st = open_fetcher(run, ds_ratelimit_gate(rl), &fetcher, err)) == DS_OK)
        st = ds_run_discover_watchlist(run, fetcher, err);
    ds_fetcher_free(fetcher);
    ds_ratelimit_free(rl);
    return st;
}
