/* ratelimit.h - the request rate limit shared through PostgreSQL by every fetching process on
 * every machine (table fetch_rate_limits, migration 0010): at most `limit` requests start in
 * any window of `window_s` seconds per remote service, the SEC's hosts (www.sec.gov,
 * data.sec.gov...) counted together as one. A pause (Retry-After, a throttle page) holds every
 * process back until it ends. Plugs into the fetcher as its ds_fetch_gate.
 *
 * How: one INSERT ... ON CONFLICT DO UPDATE per request takes the service's row lock, grants the
 * earliest start time no sooner than now, the pause's end, the last grant, and one window after
 * the grant `limit` places back, and returns how long to wait; the times are the database
 * server's clock, so the machines' clocks do not matter. Grants are in order, so no window
 * holds more than `limit` of them.
 *
 * Ownership: a ds_ratelimit borrows its connection (which must not be inside a transaction
 * while fetching, or the row lock would be held); free with ds_ratelimit_free. Threading: the
 * connection's thread.
 */
#ifndef DS_PIPELINE_RATELIMIT_H
#define DS_PIPELINE_RATELIMIT_H

#include "ingest/fetch.h"
#include "pipeline/core/log.h"
#include "pipeline/core/status.h"

#include <libpq-fe.h>

typedef struct ds_ratelimit ds_ratelimit;

/* The SEC's fair-access limit: requests per second per client, all its hosts together. */
#define DS_RATELIMIT_SEC 10

/* limit: requests per window (0: 10, the SEC's fair-access limit, which also caps the SEC's
 * hosts whatever limit says); window_s: seconds (0: 1.1,
 * one second and a margin for the time between the grant and the request reaching the server). */
ds_status ds_ratelimit_create(ds_ratelimit **out, PGconn *conn, int limit, double window_s, ds_log *log, ds_err *err);
void ds_ratelimit_free(ds_ratelimit *rl);

/* The key a host is counted under: "sec.gov" for the SEC's hosts, else the host itself. */
const char *ds_ratelimit_key(const char *host);

/* Waits for a slot for host (blocking); DS_ERR_DB when the database cannot grant one. */
ds_status ds_ratelimit_acquire(ds_ratelimit *rl, const char *host, ds_err *err);
/* Holds every process back from host's service for `seconds` from now (a longer pause set
 * before stays). A failure is logged. */
void ds_ratelimit_pause(ds_ratelimit *rl, const char *host, double seconds);

/* The gate for ds_fetch_options.gate; borrowed from rl. */
const ds_fetch_gate *ds_ratelimit_gate(ds_ratelimit *rl);

#endif
