/* heartbeat.h - keeps a worker's lease on the document it processes alive: a thread with its
 * own database connection renews the lease every lease/3 seconds while the document is worked
 * on, so a slow document is never taken by another worker while this one is alive. Renewal
 * stops once the document has run past its time budget plus one lease, so a worker stuck in
 * an uninterruptible stage lets the lease lapse (and the document ends quarantined after
 * run.max_attempts).
 *
 * Owns: the thread and its connection (ds_heartbeat_free ends both). Threading: watch/unwatch
 * are called by the worker's thread; the state they share with the heartbeat thread is under
 * a mutex.
 */
#ifndef DS_PIPELINE_HEARTBEAT_H
#define DS_PIPELINE_HEARTBEAT_H

#include "pipeline/core/log.h"
#include "pipeline/core/status.h"

#include <libpq-fe.h>

typedef struct ds_heartbeat ds_heartbeat;

/* Connects with the same parameters as conn (borrowed only here) and starts the thread.
 * owner is the lease owner (copied); budget_s 0 means no time budget. */
ds_status ds_heartbeat_create(ds_heartbeat **out, PGconn *conn, const char *owner, int lease_s, int budget_s,
                              ds_log *log, ds_err *err);
void ds_heartbeat_free(ds_heartbeat *hb);

/* Starts renewing the lease of document doc_id (the worker's current one). */
void ds_heartbeat_watch(ds_heartbeat *hb, long long doc_id);
/* Stops renewing (the document is done or released). */
void ds_heartbeat_unwatch(ds_heartbeat *hb);
/* Leases renewed so far (for tests and the log). */
long ds_heartbeat_renewals(ds_heartbeat *hb);

#endif
