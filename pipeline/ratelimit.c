/* ratelimit.c - the request rate limit shared through PostgreSQL (see ratelimit.h). Owns the
 * ds_ratelimit (its limits and gate); the connection is borrowed. */
#include "pipeline/ratelimit.h"

#include "pipeline/core/alloc.h"
#include "pipeline/db.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct ds_ratelimit {
    PGconn *conn;
    int limit;
    double window_s;
    ds_log *log;
    ds_fetch_gate gate;
};

/* Grants the next start time for a service and returns the seconds until it (maybe negative).
 * The row is created by the first request; the new slot array keeps the last `limit` grants. */
static const char grant_sql[] =
    "INSERT INTO fetch_rate_limits AS r (host_key, slots, updated_at) "
    "VALUES ($1, ARRAY[clock_timestamp()], clock_timestamp()) "
    "ON CONFLICT (host_key) DO UPDATE SET updated_at = clock_timestamp(), slots = ("
    "  SELECT (r.slots || g.t)[greatest(1, cardinality(r.slots) + 2 - $2::int):] "
    "  FROM (SELECT greatest(clock_timestamp(), r.paused_until, r.slots[cardinality(r.slots)], "
    "               r.slots[cardinality(r.slots) + 1 - $2::int] + $3::float8 * interval '1 second') AS t) g) "
    "RETURNING extract(epoch FROM r.slots[cardinality(r.slots)] - clock_timestamp())";

static const char pause_sql[] = "INSERT INTO fetch_rate_limits AS r (host_key, paused_until) "
                                "VALUES ($1, clock_timestamp() + $2::float8 * interval '1 second') "
                                "ON CONFLICT (host_key) DO UPDATE SET updated_at = clock_timestamp(), "
                                "  paused_until = greatest(r.paused_until, excluded.paused_until)";

static void sleep_for(double s)
{
    if (!(s > 0))
        return;
    struct timespec t;
    t.tv_sec = (time_t)s;
    t.tv_nsec = (long)((s - (double)t.tv_sec) * 1e9);
    while (nanosleep(&t, &t) == -1 && errno == EINTR) {
    }
}

const char *ds_ratelimit_key(const char *host)
{
    return ds_fetch_is_sec_host(host) ? "sec.gov" : host;
}

ds_status ds_ratelimit_acquire(ds_ratelimit *rl, const char *host, ds_err *err)
{
    char limit[16], window[32];
    const char *key = ds_ratelimit_key(host);
    /* The SEC's fair-access limit holds whatever the configuration says. */
    int n = strcmp(key, "sec.gov") == 0 && rl->limit > DS_RATELIMIT_SEC ? DS_RATELIMIT_SEC : rl->limit;
    snprintf(limit, sizeof limit, "%d", n);
    snprintf(window, sizeof window, "%.6f", rl->window_s);
    const char *p[] = {key, limit, window};
    PGresult *r = NULL;
    ds_status st = ds_db_exec(rl->conn, &r, err, grant_sql, 3, p);
    if (st != DS_OK) {
        ds_err_prefix(err, "rate limit for %s", host);
        return st;
    }
    double wait = PQntuples(r) == 1 ? atof(PQgetvalue(r, 0, 0)) : 0;
    PQclear(r);
    if (wait > 0)
        DS_DEBUG(rl->log, "fetch", "%s: shared rate limit, waiting %.3f s", host, wait);
    sleep_for(wait);
    return DS_OK;
}

void ds_ratelimit_pause(ds_ratelimit *rl, const char *host, double seconds)
{
    char secs[32];
    snprintf(secs, sizeof secs, "%.6f", seconds > 0 ? seconds : 0);
    const char *p[] = {ds_ratelimit_key(host), secs};
    ds_err err;
    if (ds_db_exec(rl->conn, NULL, &err, pause_sql, 2, p) != DS_OK)
        DS_WARN(rl->log, "fetch", "cannot pause the shared rate limit for %s: %s", host, err.msg);
    else
        DS_INFO(rl->log, "fetch", "%s: every fetching process paused for %.1f s", ds_ratelimit_key(host), seconds);
}

static ds_status gate_acquire(void *ctx, const char *host, ds_err *err)
{
    return ds_ratelimit_acquire(ctx, host, err);
}

static void gate_pause(void *ctx, const char *host, double seconds)
{
    ds_ratelimit_pause(ctx, host, seconds);
}

ds_status ds_ratelimit_create(ds_ratelimit **out, PGconn *conn, int limit, double window_s, ds_log *log, ds_err *err)
{
    *out = NULL;
    if (limit < 0 || window_s < 0)
        return ds_err_set(err, DS_ERR_CONFIG, "rate limit: %d requests in %.3f s is not a limit", limit, window_s);
    ds_ratelimit *rl = ds_calloc(1, sizeof *rl);
    if (!rl)
        return ds_err_set(err, DS_ERR_NOMEM, "rate limit: out of memory");
    rl->conn = conn;
    rl->limit = limit ? limit : DS_RATELIMIT_SEC;
    rl->window_s = window_s > 0 ? window_s : 1.1;
    rl->log = log;
    rl->gate.acquire = gate_acquire;
    rl->gate.pause = gate_pause;
    rl->gate.ctx = rl;
    *out = rl;
    return DS_OK;
}

void ds_ratelimit_free(ds_ratelimit *rl)
{
    ds_free(rl);
}

const ds_fetch_gate *ds_ratelimit_gate(ds_ratelimit *rl)
{
    return &rl->gate;
}
