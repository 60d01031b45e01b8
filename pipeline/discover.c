/* discover.c - finds input files (files and folders walked recursively, include/exclude
 * globs on the path relative to the folder given) and enqueues each document whose bytes are
 * new: a document row keyed by SHA-256, the place it was seen, and a work_queue row.
 * Threading: one run context. */
#include "pipeline/db.h"
#include "pipeline/run.h"

#include "ingest/ingest.h"
#include "pipeline/core/alloc.h"
#include "pipeline/core/buf.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int glob_any(const ds_str_list *l, const char *rel, const char *base)
{
    for (int i = 0; l && i < l->n; i++)
        if (fnmatch(l->v[i], rel, FNM_PATHNAME | FNM_PERIOD) == 0 || fnmatch(l->v[i], base, FNM_PERIOD) == 0)
            return 1;
    return 0;
}

typedef struct walk {
    ds_run *run;
    const ds_str_list *include, *exclude;
    ds_err *err;
    int depth;
} walk;

/* Registers one file. Unreadable files are recorded in the log and skipped. */
static ds_status enqueue_file(walk *w, const char *path)
{
    ds_run *run = w->run;
    char abs[PATH_MAX];
    if (!realpath(path, abs))
        snprintf(abs, sizeof abs, "%s", path);
    ds_buf data = DS_BUF_INIT;
    ds_err ferr;
    size_t limit = run->cfg->ingest_max_bytes > 0 ? (size_t)run->cfg->ingest_max_bytes : 0;
    ds_status fst = ds_buf_read_file(&data, abs, 0, &ferr);
    if (fst != DS_OK) {
        DS_WARN(run->log, "discover", "skipping %s: %s", abs, ferr.msg);
        ds_buf_deinit(&data);
        return fst == DS_ERR_NOMEM ? ds_err_set(w->err, fst, "%s", ferr.msg) : DS_OK;
    }
    (void)limit; /* the size limit is enforced when the document is parsed, so it is recorded */
    char sha[65], bytes[24], run_id[24];
    ds_ingest_sha256((const unsigned char *)data.data, data.len, sha);
    snprintf(bytes, sizeof bytes, "%zu", data.len);
    snprintf(run_id, sizeof run_id, "%lld", run->run_id);
    ds_buf_deinit(&data);
    const char *name = strrchr(abs, '/') ? strrchr(abs, '/') + 1 : abs;
    run->stats.seen++;

    const char *p[] = {sha, abs, name, bytes, run_id};
    PGresult *r = NULL;
    ds_status st = ds_db_exec(run->conn, &r, w->err,
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
    const char *ps[] = {id, abs};
    if ((st = ds_db_exec(run->conn, NULL, w->err,
                         "INSERT INTO document_sources (document_id, source) VALUES ($1::bigint, $2) "
                         "ON CONFLICT (document_id, source) DO UPDATE SET last_seen = now()",
                         2, ps)))
        return st;
    if (!inserted && strcmp(status, "queued") != 0 && strcmp(status, "processing") != 0) {
        /* loaded, failed (a permanent fault of these bytes) or quarantined: nothing to do. */
        run->stats.unchanged++;
        DS_DEBUG(run->log, "discover", "%s: same bytes already %s (document %s)", abs, status, id);
        return DS_OK;
    }
    const char *pq[] = {id, abs, run_id};
    st = ds_db_exec(run->conn, &r, w->err,
                    "INSERT INTO work_queue (document_id, path, run_id) VALUES ($1::bigint, $2, $3::bigint) "
                    "ON CONFLICT (document_id) DO NOTHING RETURNING 1",
                    3, pq);
    if (st == DS_OK && PQntuples(r) > 0)
        run->stats.enqueued++;
    PQclear(r);
    return st;
}

static ds_status walk_path(walk *w, const char *path, const char *rel)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        if (w->depth == 0)
            return ds_err_set(w->err, DS_ERR_NOT_FOUND, "%s: %s", path, strerror(errno));
        return DS_OK;
    }
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    if (S_ISREG(st.st_mode)) {
        if (w->depth > 0) {
            if (w->include && w->include->n && !glob_any(w->include, rel, base))
                return DS_OK;
            if (glob_any(w->exclude, rel, base))
                return DS_OK;
        }
        return enqueue_file(w, path);
    }
    if (!S_ISDIR(st.st_mode))
        return DS_OK;
    if (w->depth > 64)
        return DS_OK; /* symlink loops and absurd depth */
    if (w->depth > 0 && base[0] == '.')
        return DS_OK; /* hidden folders */
    DIR *d = opendir(path);
    if (!d) {
        DS_WARN(w->run->log, "discover", "cannot read folder %s: %s", path, strerror(errno));
        return DS_OK;
    }
    /* Sorted, so runs are reproducible. */
    struct dirent **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    ds_status s = DS_OK;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            struct dirent **nn = ds_realloc(names, cap * sizeof *nn);
            if (!nn) {
                s = ds_err_set(w->err, DS_ERR_NOMEM, "out of memory");
                break;
            }
            names = nn;
        }
        names[n] = ds_malloc(sizeof(struct dirent));
        if (!names[n]) {
            s = ds_err_set(w->err, DS_ERR_NOMEM, "out of memory");
            break;
        }
        memcpy(names[n++], e, sizeof(struct dirent));
    }
    closedir(d);
    for (size_t i = 0; i + 1 < n; i++) /* insertion sort: folders are small */
        for (size_t j = i + 1; j > 0 && strcmp(names[j - 1]->d_name, names[j]->d_name) > 0; j--) {
            struct dirent *t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    for (size_t i = 0; i < n && s == DS_OK; i++) {
        char child[PATH_MAX], crel[PATH_MAX];
        snprintf(child, sizeof child, "%s/%s", path, names[i]->d_name);
        snprintf(crel, sizeof crel, "%s%s%s", rel, *rel ? "/" : "", names[i]->d_name);
        w->depth++;
        s = walk_path(w, child, crel);
        w->depth--;
    }
    for (size_t i = 0; i < n; i++)
        ds_free(names[i]);
    ds_free(names);
    return s;
}

ds_status ds_run_discover(ds_run *run, char *const *paths, int n_paths, const ds_str_list *include,
                          const ds_str_list *exclude, ds_err *err)
{
    walk w = {.run = run, .include = include, .exclude = exclude, .err = err};
    for (int i = 0; i < n_paths; i++) {
        ds_status st = walk_path(&w, paths[i], "");
        if (st)
            return st;
    }
    DS_INFO(run->log, "discover", "%ld inputs seen, %ld enqueued, %ld unchanged", run->stats.seen,
            run->stats.enqueued, run->stats.unchanged);
    return DS_OK;
}
