/* ingest_config.h - the configuration's fetch.* and sources keys as the ingest stage's option
 * structs (ingest/fetch.h, ingest/sources.h), so the stage never reads ds_config itself.
 *
 * Ownership: the filled structs borrow strings from cfg; they are valid while cfg is.
 * Threading: reentrant.
 */
#ifndef DS_PIPELINE_INGEST_CONFIG_H
#define DS_PIPELINE_INGEST_CONFIG_H

#include "ingest/fetch.h"
#include "ingest/sources.h"
#include "pipeline/config.h"

/* fetch.user_agent, fetch.max_requests_per_second, fetch.timeout_seconds, fetch.max_bytes,
 * fetch.retries and fetch.cache_dir over ds_fetch_options_default; log may be NULL. */
void ds_config_fetch_options(const ds_config *cfg, ds_log *log, ds_fetch_options *o);
/* sources.include and sources.exclude. */
void ds_config_source_filter(const ds_config *cfg, ds_source_filter *f);

#endif
