/* worker.c - the queue loop: claim a ready document with FOR UPDATE SKIP LOCKED and a lease,
 * process it, record success or failure (permanent faults at once, transient ones retried
 * with exponential backoff and jitter until run.max_attempts, then quarantined). Leases of
 * dead workers are reclaimed: any lapsed lease, and at once those of processes on this host
 * that no longer exist. A lost database connection is re-established before giving up.
 * Threading: one ds_run per process.
 */
#include "pipeline/db.h"
#include "pipeline/core/clock.h"
#include "pipeline/heartbeat.h"
#include "pipeline/process.h"
#include "pipeline/run.h"
#include "pipeline/stop.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Frees leases held by processes of this host (its run.worker_id, else its host name: the
 * owner's part before the process id) that have died (a killed worker or run). */
static ds_status reclaim_local_dead(ds_run *run, ds_err *err)
{
    char prefix[sizeof run->owner];
    snprintf(prefix, sizeof prefix, "%s", run->owner);
    char *colon = strrchr(prefix, ':');
    if (colon)
        colon[1] = '\0';
    const char *p[] = {prefix};
    PGresult *r = NULL;
    ds_status st = ds_db_exec(run->conn, &r, err,
                              "SELECT DISTINCT lease_owner FROM work_queue WHERE state = 'leased' "
                              "AND starts_with(lease_owner, $1)",
                              1, p);
    if (st)
        return st;
    for (int i = 0; i < PQntuples(r) && st == DS_OK; i++) {
        const char *owner = PQgetvalue(r, i, 0);
        long pid = atol(owner + strlen(prefix));
        if (pid <= 0 || pid == (long)getpid() || !(kill((pid_t)pid, 0) != 0 && errno == ESRCH))
            continue;
        const char *po[] = {owner};
        st = ds_db_exec(run->conn, NULL, err,
                        "UPDATE work_queue SET lease_expires = now() WHERE state = 'leased' AND lease_owner = $1", 1,
                        po);
        DS_INFO(run->log, "queue", "reclaimed documents leased by %s, which is no longer running", owner);
    }
    PQclear(r);
    return st;
}

typedef struct claim {
    long long doc_id;
    char path[4096];
    int attempts;
} claim;

/* Quarantines the documents whose lease lapsed after their last allowed attempt (the worker
 * died, or stayed stuck past the document's time budget, run.max_attempts times). */
static ds_status quarantine_exhausted(ds_run *run, ds_err *err)
{
    char max[16];
    snprintf(max, sizeof max, "%d", run->cfg->run_max_attempts);
    const char *p[] = {max};
    PGresult *r = NULL;
    ds_status st = ds_db_exec(
        run->conn, &r, err,
        "WITH q AS (UPDATE work_queue SET state = 'quarantined', lease_owner = NULL, lease_expires = NULL, "
        "    last_error = 'lease lapsed after the last attempt', updated_at = now() "
        "  WHERE state IN ('leased', 'pending') AND attempts >= $1::int "
        "    AND (state = 'pending' OR lease_expires < now()) RETURNING document_id, attempts) "
        "UPDATE documents d SET status = 'quarantined', error_code = 'TIMEOUT', updated_at = now(), "
        "  error_message = 'quarantined after ' || q.attempts || ' attempts: its lease lapsed each time (the "
        "worker died or the document exceeded its time budget)' "
        "FROM q WHERE d.id = q.document_id RETURNING d.id",
        1, p);
    if (st)
        return st;
    for (int i = 0; i < PQntuples(r); i++) {
        run->stats.quarantined++;
        DS_ERROR(run->log, "run", "document %s quarantined after %s attempts whose leases lapsed", PQgetvalue(r, i, 0),
                 max);
    }
    PQclear(r);
    return DS_OK;
}

/* 1 claimed, 0 nothing ready. */
static ds_status claim_next(ds_run *run, claim *c, int *got, ds_err *err)
{
    char lease[16], max[16];
    snprintf(lease, sizeof lease, "%d", run->cfg->run_lease_seconds);
    snprintf(max, sizeof max, "%d", run->cfg->run_max_attempts);
    const char *p[] = {run->owner, lease, max};
    PGresult *r = NULL;
    *got = 0;
    ds_status st = quarantine_exhausted(run, err);
    if (st)
        return st;
    st = ds_db_exec(
        run->conn, &r, err,
        "UPDATE work_queue q SET state = 'leased', attempts = q.attempts + 1, lease_owner = $1, "
        "  lease_expires = now() + make_interval(secs => $2::int), updated_at = now() "
        "WHERE q.document_id = (SELECT document_id FROM work_queue "
        "  WHERE ((state = 'pending' AND not_before <= now()) OR (state = 'leased' AND lease_expires < now())) "
        "    AND attempts < $3::int "
        "  ORDER BY not_before, document_id FOR UPDATE SKIP LOCKED LIMIT 1) "
        "RETURNING q.document_id, q.path, q.attempts",
        3, p);
    if (st)
        return st;
    if (PQntuples(r) == 1) {
        c->doc_id = atoll(PQgetvalue(r, 0, 0));
        snprintf(c->path, sizeof c->path, "%s", PQgetvalue(r, 0, 1));
        c->attempts = atoi(PQgetvalue(r, 0, 2));
        *got = 1;
    }
    PQclear(r);
    if (*got) {
        char id[24];
        snprintf(id, sizeof id, "%lld", c->doc_id);
        const char *pd[] = {id};
        st = ds_db_exec(run->conn, NULL, err,
                        "UPDATE documents SET status = 'processing', attempts = attempts + 1, updated_at = now() "
                        "WHERE id = $1::bigint",
                        1, pd);
    }
    return st;
}

/* Records a document failure; decides between failed, retry and quarantine. */
static ds_status record_failure(ds_run *run, const claim *c, ds_doc_kind kind, const ds_err *fail, ds_err *err)
{
    int permanent = ds_status_is_permanent(fail->code);
    int exhausted = c->attempts >= run->cfg->run_max_attempts;
    const char *doc_status = permanent ? "failed" : exhausted ? "quarantined" : "queued";
    const char *q_state = permanent ? "done" : exhausted ? "quarantined" : "pending";
    /* Backoff: base * 2^(attempts-1), with +-25% jitter. */
    double delay = run->cfg->run_retry_base_s;
    for (int i = 1; i < c->attempts && delay < 86400; i++)
        delay *= 2;
    delay *= 0.75 + 0.5 * ((double)(((unsigned)getpid() * 2654435761u + (unsigned)c->doc_id) % 1000) / 1000.0);
    char id[24], delay_s[32];
    snprintf(id, sizeof id, "%lld", c->doc_id);
    snprintf(delay_s, sizeof delay_s, "%.3f", permanent || exhausted ? 0.0 : delay);
    const char *pd[] = {id, doc_status, ds_status_name(fail->code), fail->msg, run->owner, ds_doc_kind_str(kind)};
    const char *pq[] = {id, q_state, fail->msg, delay_s, run->owner};
    ds_status st = ds_db_begin(run->conn, err);
    if (st == DS_OK)
        st = ds_db_exec(run->conn, NULL, err,
                        "UPDATE documents SET status = $2, error_code = $3, error_message = $4, kind = $6, "
                        "  updated_at = now() "
                        "WHERE id = $1::bigint AND EXISTS (SELECT 1 FROM work_queue WHERE document_id = $1::bigint "
                        "  AND lease_owner = $5)",
                        6, pd);
    if (st == DS_OK)
        st = ds_db_exec(run->conn, NULL, err,
                        "UPDATE work_queue SET state = $2, last_error = $3, lease_owner = NULL, lease_expires = NULL, "
                        "  not_before = now() + make_interval(secs => $4::double precision), updated_at = now() "
                        "WHERE document_id = $1::bigint AND lease_owner = $5",
                        5, pq);
    if (st == DS_OK)
        st = ds_db_commit(run->conn, err);
    if (st) {
        ds_db_rollback(run->conn);
        return st;
    }
    if (permanent) {
        run->stats.failed++;
        DS_WARN(run->log, "run", "document %lld failed: %s", c->doc_id, fail->msg);
    } else if (exhausted) {
        run->stats.quarantined++;
        DS_ERROR(run->log, "run", "document %lld quarantined after %d attempts: %s", c->doc_id, c->attempts, fail->msg);
    } else {
        run->stats.retried++;
        DS_WARN(run->log, "run", "document %lld attempt %d failed, retry in %.0f s: %s", c->doc_id, c->attempts, delay,
                fail->msg);
    }
    return DS_OK;
}

/* Re-establishes a lost connection, for up to about a minute (PostgreSQL restarting). */
static int reconnect(ds_run *run)
{
    for (int i = 0; i < 60; i++) {
        if (PQstatus(run->conn) == CONNECTION_OK)
            return 1;
        PQreset(run->conn);
        if (PQstatus(run->conn) == CONNECTION_OK) {
            DS_WARN(run->log, "db", "database connection re-established");
            return 1;
        }
        sleep(1);
    }
    return 0;
}

static void progress(ds_run *run)
{
    if (!run->progress)
        return;
    const ds_run_stats *s = &run->stats;
    fprintf(stderr, "\r\033[K[dossier] %ld loaded, %ld failed, %ld unchanged | %lld pages, %lld chunks, %lld facts",
            s->loaded, s->failed + s->quarantined, s->unchanged, s->pages, s->chunks, s->facts);
    fflush(stderr);
}

/* Gives a claimed document back to the queue untouched (not an attempt): the database went
 * away mid-document, or the run was asked to stop. */
static ds_status release_lease(ds_run *run, long long doc_id, ds_err *err)
{
    char id[24];
    snprintf(id, sizeof id, "%lld", doc_id);
    const char *p[] = {id, run->owner};
    ds_status st = ds_db_exec(
        run->conn, NULL, err,
        "UPDATE work_queue SET state = 'pending', lease_owner = NULL, lease_expires = NULL, "
        "attempts = greatest(attempts - 1, 0) WHERE document_id = $1::bigint AND lease_owner = $2",
        2, p);
    if (st == DS_OK)
        st = ds_db_exec(run->conn, NULL, err,
                        "UPDATE documents SET status = 'queued', attempts = greatest(attempts - 1, 0), "
                        "updated_at = now() WHERE id = $1::bigint AND status = 'processing'",
                        1, p);
    return st;
}

/* Processes one claimed document under the lease heartbeat and the per-document time budget. */
static ds_status process_claimed(ds_run *run, ds_heartbeat *hb, const claim *c, ds_process_result *res, ds_err *fail)
{
    int budget = run->cfg->run_document_seconds;
    run->doc_deadline = budget > 0 ? ds_now_s() + budget : 0;
    ds_heartbeat_watch(hb, c->doc_id);
    ds_status st = ds_process_document(run, c->doc_id, c->path, res, fail);
    ds_heartbeat_unwatch(hb);
    run->doc_deadline = 0;
    return st;
}

static ds_status queue_loop(ds_run *run, ds_heartbeat *hb, ds_err *err);

ds_status ds_run_process_queue(ds_run *run, ds_err *err)
{
    ds_status st = reclaim_local_dead(run, err);
    if (st)
        return st;
    ds_heartbeat *hb = NULL;
    if ((st = ds_heartbeat_create(&hb, run->conn, run->owner, run->cfg->run_lease_seconds,
                                  run->cfg->run_document_seconds, run->log, err)))
        return st;
    st = queue_loop(run, hb, err);
    ds_heartbeat_free(hb);
    return st;
}

static ds_status queue_loop(ds_run *run, ds_heartbeat *hb, ds_err *err)
{
    ds_status st = DS_OK;
    double idle_since = 0;
    while (!ds_stop_requested()) {
        claim c;
        int got = 0;
        st = claim_next(run, &c, &got, err);
        if (st == DS_ERR_DB_UNREACHABLE && reconnect(run))
            continue;
        if (st)
            return st;
        if (!got) {
            /* Nothing ready: wait for other hosts still enqueueing, up to idle_wait_s. */
            double now = ds_now_s();
            if (idle_since == 0)
                idle_since = now;
            if (now - idle_since >= run->idle_wait_s)
                break;
            sleep(1);
            continue;
        }
        idle_since = 0;
        ds_process_result res;
        ds_err fail;
        ds_err_clear(&fail);
        st = process_claimed(run, hb, &c, &res, &fail);
        if (st == DS_ERR_CANCELLED && ds_stop_requested() && PQstatus(run->conn) == CONNECTION_OK) {
            DS_WARN(run->log, "run", "stopping on signal %d: document %lld goes back to the queue", ds_stop_requested(),
                    c.doc_id);
            if ((st = release_lease(run, c.doc_id, err)))
                return st;
            break;
        } else if (st == DS_OK) {
            run->stats.loaded++;
            run->stats.pages += res.pages;
            run->stats.chunks += res.chunks;
            run->stats.facts += res.facts;
            run->stats.tokens += res.tokens;
            run->stats.bytes += res.bytes;
            DS_INFO(run->log, "run", "loaded document %lld (%s, %s): %d pages, %ld chunks, %ld facts", c.doc_id,
                    ds_doc_kind_str(res.kind), c.path, res.pages, res.chunks, res.facts);
        } else if (st == DS_ERR_CANCELLED) {
            DS_WARN(run->log, "run", "%s", fail.msg);
        } else if (PQstatus(run->conn) == CONNECTION_BAD) {
            /* The database went away mid-document: nothing of it was committed; its lease lapses
             * or is reclaimed, and it is processed again. */
            DS_WARN(run->log, "db", "connection lost while loading document %lld: %s", c.doc_id, fail.msg);
            if (!reconnect(run))
                return ds_err_set(err, DS_ERR_DB_UNREACHABLE, "database connection lost: %s", fail.msg);
            if ((st = release_lease(run, c.doc_id, err)))
                return st;
        } else {
            if ((st = record_failure(run, &c, res.kind, &fail, err))) {
                if (st == DS_ERR_DB_UNREACHABLE && reconnect(run))
                    continue;
                return st;
            }
        }
        progress(run);
    }
    if (run->progress)
        fputc('\n', stderr);
    return DS_OK;
}
