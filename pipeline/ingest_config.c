/* ingest_config.c - ds_config to the ingest stage's fetch options and source filter (see
 * ingest_config.h). Reentrant. */
#include "pipeline/ingest_config.h"

void ds_config_fetch_options(const ds_config *cfg, ds_log *log, ds_fetch_options *o)
{
    ds_fetch_options_default(o);
    o->user_agent = cfg->fetch_user_agent && cfg->fetch_user_agent[0] ? cfg->fetch_user_agent : NULL;
    o->cache_dir = cfg->fetch_cache_dir;
    if (cfg->fetch_max_rps > 0)
        o->max_rps = cfg->fetch_max_rps;
    if (cfg->fetch_timeout_s > 0)
        o->timeout_ms = (long)cfg->fetch_timeout_s * 1000;
    if (cfg->fetch_max_bytes > 0)
        o->max_bytes = (uint64_t)cfg->fetch_max_bytes;
    if (cfg->fetch_retries >= 0)
        o->max_retries = cfg->fetch_retries;
    o->log = log;
}

void ds_config_source_filter(const ds_config *cfg, ds_source_filter *f)
{
    *f = (ds_source_filter){0};
    f->include = (const char *const *)cfg->include.v;
    f->n_include = (size_t)cfg->include.n;
    f->exclude = (const char *const *)cfg->exclude.v;
    f->n_exclude = (size_t)cfg->exclude.n;
}
