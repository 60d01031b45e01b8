/* heartbeat.c - lease renewal thread of a worker (see heartbeat.h). */
#include "pipeline/heartbeat.h"

#include "pipeline/core/alloc.h"
#include "pipeline/core/clock.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct ds_heartbeat {
    PGconn *conn; /* owned, used only by the thread */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int quit;
    long long doc_id; /* 0: nothing to renew */
    double since;     /* when doc_id was taken (CLOCK_MONOTONIC seconds) */
    long renewals;
    int lease_s, budget_s;
    char owner[128];
    ds_log *log;
};

static void renew(ds_heartbeat *hb, long long doc_id)
{
    char id[24], lease[16];
    snprintf(id, sizeof id, "%lld", doc_id);
    snprintf(lease, sizeof lease, "%d", hb->lease_s);
    const char *p[] = {id, hb->owner, lease};
    PGresult *r = PQexecParams(hb->conn,
                               "UPDATE work_queue SET lease_expires = now() + make_interval(secs => $3::int) "
                               "WHERE document_id = $1::bigint AND state = 'leased' AND lease_owner = $2",
                               3, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) == PGRES_COMMAND_OK && atoi(PQcmdTuples(r)) == 1)
        DS_DEBUG(hb->log, "queue", "lease of document %lld renewed for %d s", doc_id, hb->lease_s);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        DS_WARN(hb->log, "queue", "cannot renew the lease of document %lld: %s", doc_id, PQerrorMessage(hb->conn));
        if (PQstatus(hb->conn) == CONNECTION_BAD)
            PQreset(hb->conn);
    }
    PQclear(r);
}

static void *heartbeat_main(void *arg)
{
    ds_heartbeat *hb = arg;
    pthread_mutex_lock(&hb->mu);
    while (!hb->quit) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        long period_ms = hb->lease_s * 1000L / 3;
        until.tv_sec += period_ms / 1000;
        until.tv_nsec += (period_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        int rc = pthread_cond_timedwait(&hb->cv, &hb->mu, &until);
        if (hb->quit || rc != ETIMEDOUT || hb->doc_id == 0)
            continue;
        long long doc = hb->doc_id;
        double age = ds_now_s() - hb->since;
        if (hb->budget_s > 0 && age > hb->budget_s + hb->lease_s)
            continue; /* stuck past its budget: let the lease lapse */
        hb->renewals++;
        pthread_mutex_unlock(&hb->mu);
        renew(hb, doc); /* outside the lock: the worker never waits on the network for us */
        pthread_mutex_lock(&hb->mu);
    }
    pthread_mutex_unlock(&hb->mu);
    return NULL;
}

/* A connection with conn's parameters. */
static PGconn *connect_like(PGconn *conn)
{
    PQconninfoOption *opts = PQconninfo(conn);
    if (!opts)
        return NULL;
    const char *keys[64], *vals[64];
    int n = 0;
    for (PQconninfoOption *o = opts; o->keyword && n < 63; o++)
        if (o->val && *o->val) {
            keys[n] = o->keyword;
            vals[n++] = o->val;
        }
    keys[n] = vals[n] = NULL;
    PGconn *c = PQconnectdbParams(keys, vals, 0);
    PQconninfoFree(opts);
    return c;
}

ds_status ds_heartbeat_create(ds_heartbeat **out, PGconn *conn, const char *owner, int lease_s, int budget_s,
                              ds_log *log, ds_err *err)
{
    *out = NULL;
    ds_heartbeat *hb = ds_calloc(1, sizeof *hb);
    if (!hb)
        return ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    hb->conn = connect_like(conn);
    if (!hb->conn || PQstatus(hb->conn) != CONNECTION_OK) {
        ds_status st = ds_err_set(err, DS_ERR_DB_UNREACHABLE, "lease heartbeat connection: %s",
                                  hb->conn ? PQerrorMessage(hb->conn) : "out of memory");
        PQfinish(hb->conn);
        ds_free(hb);
        return st;
    }
    hb->lease_s = lease_s > 0 ? lease_s : 1;
    hb->budget_s = budget_s;
    hb->log = log;
    snprintf(hb->owner, sizeof hb->owner, "%s", owner);
    pthread_mutex_init(&hb->mu, NULL);
    pthread_cond_init(&hb->cv, NULL);
    if (pthread_create(&hb->thread, NULL, heartbeat_main, hb) != 0) {
        pthread_cond_destroy(&hb->cv);
        pthread_mutex_destroy(&hb->mu);
        PQfinish(hb->conn);
        ds_free(hb);
        return ds_err_set(err, DS_ERR_INTERNAL, "cannot start the lease heartbeat thread");
    }
    *out = hb;
    return DS_OK;
}

void ds_heartbeat_free(ds_heartbeat *hb)
{
    if (!hb)
        return;
    pthread_mutex_lock(&hb->mu);
    hb->quit = 1;
    pthread_cond_signal(&hb->cv);
    pthread_mutex_unlock(&hb->mu);
    pthread_join(hb->thread, NULL);
    pthread_cond_destroy(&hb->cv);
    pthread_mutex_destroy(&hb->mu);
    PQfinish(hb->conn);
    ds_free(hb);
}

void ds_heartbeat_watch(ds_heartbeat *hb, long long doc_id)
{
    if (!hb)
        return;
    pthread_mutex_lock(&hb->mu);
    hb->doc_id = doc_id;
    hb->since = ds_now_s();
    pthread_cond_signal(&hb->cv); /* the next renewal comes one period after the claim */
    pthread_mutex_unlock(&hb->mu);
}

void ds_heartbeat_unwatch(ds_heartbeat *hb)
{
    ds_heartbeat_watch(hb, 0);
}

long ds_heartbeat_renewals(ds_heartbeat *hb)
{
    if (!hb)
        return 0;
    pthread_mutex_lock(&hb->mu);
    long n = hb->renewals;
    pthread_mutex_unlock(&hb->mu);
    return n;
}
