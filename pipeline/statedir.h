/* statedir.h - where dossier keeps its state: the private PostgreSQL cluster (db.pgdata) and the
 * download cache (fetch.cache_dir). A relative db.pgdata or fetch.cache_dir lies under the state
 * directory, never under the current folder:
 *   1. state.dir (DOSSIER_STATE_DIR) when set;
 *   2. the checkout's var/ when this binary runs from the checkout's build folder (make run);
 *   3. /var/lib/dossier when running as root, or when that folder exists and this account can
 *      write it (the service account of jobs/dossier-nightly.service);
 *   4. $XDG_STATE_HOME/dossier, else ~/.local/state/dossier.
 * Ownership: results go into caller buffers. Threading: reentrant (reads the environment).
 */
#ifndef DS_PIPELINE_STATEDIR_H
#define DS_PIPELINE_STATEDIR_H

#include "pipeline/config.h"
#include "pipeline/core/status.h"

#include <stddef.h>

/* The state directory (absolute) into out[cap]; *why names the rule that chose it. */
ds_status ds_state_dir(const ds_config *cfg, char *out, size_t cap, const char **why, ds_err *err);

/* Makes cfg->db_pgdata and cfg->fetch_cache_dir absolute: relative ones are put under the state
 * directory. Called once after the configuration is loaded. */
ds_status ds_state_resolve(ds_config *cfg, ds_err *err);

#endif
