/* ingest_config.c - tests of pipeline/ingest_config.c: the configuration's defaults and values
 * reach the fetch options and the source filter. */
#include "pipeline/ingest_config.h"
#include "pipeline/core/alloc.h"
#include "tests/testlib.h"

int main(void)
{
    ds_config cfg;
    ds_config_init(&cfg);
    ds_fetch_options o;
    ds_config_fetch_options(&cfg, NULL, &o);
    /* Defaults: the SEC's 10 requests per second, no declared agent until one is configured. */
    DS_CHECK(o.max_rps == 10.0);
    DS_CHECK(o.user_agent == NULL);
    DS_CHECK(o.cache_dir && o.cache_dir[0]);
    DS_CHECK(o.timeout_ms == (long)cfg.fetch_timeout_s * 1000);
    DS_CHECK(o.max_retries == cfg.fetch_retries);
    DS_CHECK(o.max_redirects == 5 && o.burst == 1);

    ds_free(cfg.fetch_user_agent);
    cfg.fetch_user_agent = ds_strdup("Example Corp ops@example.com");
    cfg.fetch_max_rps = 2.5;
    cfg.fetch_timeout_s = 7;
    cfg.fetch_max_bytes = 1234;
    cfg.fetch_retries = 0;
    ds_config_fetch_options(&cfg, NULL, &o);
    DS_CHECK_STREQ(o.user_agent, "Example Corp ops@example.com");
    DS_CHECK(o.max_rps == 2.5 && o.timeout_ms == 7000 && o.max_bytes == 1234 && o.max_retries == 0);

    ds_source_filter f;
    ds_config_source_filter(&cfg, &f);
    DS_CHECK(f.n_include == (size_t)cfg.include.n && f.n_exclude == (size_t)cfg.exclude.n);
    cfg.exclude.v[cfg.exclude.n++] = ds_strdup("archive");
    ds_config_source_filter(&cfg, &f);
    DS_CHECK(!ds_source_filter_match(&f, "2024/archive/x.pdf"));
    if (f.n_include == 0) /* no include patterns by default: everything else passes */
        DS_CHECK(ds_source_filter_match(&f, "2024/new/x.pdf"));
    ds_config_deinit(&cfg);
    return ds_test_done();
}
