/* config_test.c - the YAML configuration: values, lists, environment overrides, and errors
 * that name the key and the line. */
#include "testlib.h"

#include "pipeline/config.h"

#include <stdlib.h>

static const char *write_file(const char *name, const char *body)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s", ds_test_tmpdir(), name);
    FILE *f = fopen(path, "w");
    DS_REQUIRE(f != NULL);
    fputs(body, f);
    fclose(f);
    return path;
}

static ds_status load(const char *body, ds_config *cfg, ds_err *err)
{
    ds_config_init(cfg);
    return ds_config_load(cfg, write_file("c.yaml", body), err);
}

int main(void)
{
    ds_config cfg;
    ds_err err;
    unsetenv("DOSSIER_RUN_WORKERS");
    DS_CHECK(load("db:\n  dsn: \"host=/tmp dbname=x\"\nrun:\n  workers: 4\n  lease_seconds: 30\n"
                  "sources:\n  inbox:\n    - /data/a\n    - /data/b\n  exclude: '*.tmp'\n"
                  "screening:\n  threshold: 0.9\n",
                  &cfg, &err) == DS_OK);
    DS_CHECK_STREQ(cfg.db_dsn, "host=/tmp dbname=x");
    DS_CHECK(cfg.run_workers == 4 && cfg.run_lease_seconds == 30);
    DS_CHECK(cfg.inbox.n == 2);
    DS_CHECK_STREQ(cfg.inbox.v[1], "/data/b");
    DS_CHECK(cfg.exclude.n == 1);
    DS_CHECK(cfg.screen_threshold > 0.89 && cfg.screen_threshold < 0.91);
    DS_CHECK(cfg.chunk_target_tokens == 512); /* default kept */
    ds_config_deinit(&cfg);

    /* An unknown key names itself and its line. */
    DS_CHECK(load("db:\n  dsn: x\nrun:\n  wrokers: 4\n", &cfg, &err) == DS_ERR_CONFIG);
    DS_CHECKF(strstr(err.msg, "run.wrokers") && strstr(err.msg, ":4:"), "message: %s", err.msg);
    ds_config_deinit(&cfg);
    DS_CHECK(load("nosuchsection:\n  a: 1\n", &cfg, &err) == DS_ERR_CONFIG);
    DS_CHECKF(strstr(err.msg, "nosuchsection") && strstr(err.msg, ":1:"), "message: %s", err.msg);
    ds_config_deinit(&cfg);
    /* A bad value names the key, the line and the range. */
    DS_CHECK(load("# comment\nrun:\n  workers: many\n", &cfg, &err) == DS_ERR_CONFIG);
    DS_CHECKF(strstr(err.msg, "run.workers") && strstr(err.msg, ":3:") && strstr(err.msg, "many"), "message: %s",
              err.msg);
    ds_config_deinit(&cfg);
    DS_CHECK(load("screening:\n  threshold: 1.5\n", &cfg, &err) == DS_ERR_CONFIG);
    DS_CHECKF(strstr(err.msg, "screening.threshold"), "message: %s", err.msg);
    ds_config_deinit(&cfg);
    DS_CHECK(load("log:\n  format: xml\n", &cfg, &err) == DS_ERR_CONFIG);
    DS_CHECKF(strstr(err.msg, "log.format"), "message: %s", err.msg);
    ds_config_deinit(&cfg);
    /* Broken YAML gives the line. */
    DS_CHECK(load("run:\n  workers: [1, 2\n", &cfg, &err) == DS_ERR_CONFIG);
    DS_CHECKF(strstr(err.msg, "c.yaml:"), "message: %s", err.msg);
    ds_config_deinit(&cfg);

    /* Environment overrides the file; lists are colon-separated. */
    setenv("DOSSIER_RUN_WORKERS", "7", 1);
    setenv("DOSSIER_SOURCES_INBOX", "/x:/y:/z", 1);
    DS_CHECK(load("run:\n  workers: 2\n", &cfg, &err) == DS_OK);
    DS_CHECK(cfg.run_workers == 7);
    DS_CHECK(cfg.inbox.n == 3);
    ds_config_deinit(&cfg);
    setenv("DOSSIER_RUN_WORKERS", "0", 1);
    DS_CHECK(load("", &cfg, &err) == DS_ERR_CONFIG);
    DS_CHECKF(strstr(err.msg, "DOSSIER_RUN_WORKERS"), "message: %s", err.msg);
    ds_config_deinit(&cfg);
    unsetenv("DOSSIER_RUN_WORKERS");
    unsetenv("DOSSIER_SOURCES_INBOX");

    /* The watchlist's discovery path, the daily index window, exhibits (a boolean) and the
     * machine's worker id; defaults, then set, then refused values naming the key. */
    ds_config_init(&cfg);
    DS_CHECK_STREQ(cfg.watch_discovery, "submissions");
    DS_CHECK(cfg.watch_daily_index_days == 7 && cfg.watch_exhibits == 0 && cfg.watch_exhibit_types.n == 0);
    ds_config_deinit(&cfg);
    DS_CHECK(load("watchlist:\n  discovery: both\n  daily_index_days: 30\n  exhibits: true\n"
                  "  exhibit_types: [EX-99, EX-4]\nrun:\n  worker_id: machine-a\n",
                  &cfg, &err) == DS_OK);
    DS_CHECK_STREQ(cfg.watch_discovery, "both");
    DS_CHECK(cfg.watch_daily_index_days == 30 && cfg.watch_exhibits == 1 && cfg.watch_exhibit_types.n == 2);
    DS_CHECK_STREQ(cfg.run_worker_id, "machine-a");
    ds_config_deinit(&cfg);
    DS_CHECK(load("watchlist:\n  exhibits: no\n", &cfg, &err) == DS_OK && cfg.watch_exhibits == 0);
    ds_config_deinit(&cfg);
    DS_CHECK(load("watchlist:\n  discovery: rss\n", &cfg, &err) == DS_ERR_CONFIG);
    DS_CHECKF(strstr(err.msg, "c.yaml:2: watchlist.discovery must be submissions, daily_index or both"), "%s", err.msg);
    ds_config_deinit(&cfg);
    DS_CHECK(load("watchlist:\n  exhibits: maybe\n", &cfg, &err) == DS_ERR_CONFIG);
    DS_CHECKF(strstr(err.msg, "watchlist.exhibits must be true or false"), "%s", err.msg);
    ds_config_deinit(&cfg);
    DS_CHECK(load("watchlist:\n  daily_index_days: 0\n", &cfg, &err) == DS_ERR_CONFIG);
    ds_config_deinit(&cfg);

    /* The sample configuration shipped in jobs/ loads cleanly. */
    ds_config_init(&cfg);
    DS_CHECKF(ds_config_load(&cfg, ds_test_source("jobs/dossier.yaml"), &err) == DS_OK, "%s", err.msg);
    ds_config_deinit(&cfg);
    return ds_test_done();
}
