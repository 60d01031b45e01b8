/* nightly_test.c - `dossier nightly` end to end: sources from the configuration (an inbox
 * folder and a list file of paths and URLs served by a local HTTP server), URLs fetched with
 * retries, a run summary in the runs table and in a Prometheus textfile, exit codes for cron,
 * one run at a time (advisory lock: exit 5), and a second night that finds nothing new. */
#include "testlib.h"
#include "testlib_pg.h"

#include "ingest/http_server.h"
#include "pipeline/db.h"

#include <sys/stat.h>

int main(void)
{
    const char *dsn = ds_test_db_create("t_pipeline_nightly");
    const char *bin = getenv("DOSSIER_BIN");
    DS_REQUIRE(bin);
    char dir[2048], inbox[2100], path[2200], list[2200], cfg[2200], prom[2200], out[16384];
    snprintf(dir, sizeof dir, "%s", ds_test_tmpdir());
    snprintf(inbox, sizeof inbox, "%s/inbox", dir);
    mkdir(inbox, 0777);
    snprintf(path, sizeof path, "%s/memo.txt", inbox);
    ds_test_write_file(path, "CREDIT MEMO\n\nThe borrower's leverage rose to 4.2x.\n");
    snprintf(path, sizeof path, "%s/skip.tmp", inbox);
    ds_test_write_file(path, "excluded by the configuration\n");
    snprintf(path, sizeof path, "%s/extra.txt", dir);
    ds_test_write_file(path, "A listed local file.\n");

    ds_test_http *srv = ds_test_http_start("127.0.0.1", NULL, NULL);
    DS_REQUIRE(srv);
    int port = ds_test_http_port(srv);
    snprintf(list, sizeof list, "%s/urls.txt", dir);
    char body[1024];
    snprintf(body, sizeof body,
             "# nightly URL list\nhttp://127.0.0.1:%d/ok\nhttp://127.0.0.1:%d/flaky\nhttp://127.0.0.1:%d/404\n"
             "extra.txt\n",
             port, port, port);
    ds_test_write_file(list, body);
    snprintf(prom, sizeof prom, "%s/dossier.prom", dir);
    snprintf(cfg, sizeof cfg, "%s/dossier.yaml", dir);
    char yaml[16384];
    snprintf(yaml, sizeof yaml,
             "sources:\n  inbox: [\"%s\"]\n  exclude: [\"*.tmp\"]\n  url_lists: [\"%s\"]\n"
             "fetch:\n  user_agent: \"dossier tests test@example.com\"\n  cache_dir: \"%s/cache\"\n"
             "  retries: 2\n  max_requests_per_second: 50\n"
             "run:\n  metrics_textfile: \"%s\"\n",
             inbox, list, dir, prom);
    ds_test_write_file(cfg, yaml);

    int rc = ds_test_sh(out, sizeof out, "'%s' --config '%s' --db '%s' --log '%s/log.jsonl' nightly 2>&1", bin, cfg,
                        dsn, dir);
    DS_CHECKF(rc == 6, "nightly exit %d (want 6: a fetch failed): %s", rc, out);
    PGconn *c = PQconnectdb(dsn);
    DS_REQUIRE(PQstatus(c) == CONNECTION_OK);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM documents WHERE status = 'loaded'") == 4);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM documents WHERE name = 'skip.tmp'") == 0);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM documents WHERE source LIKE 'http://127.0.0.1:%/ok'") == 1);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM chunks WHERE text = 'recovered'") ==
             1); /* retried after a 500 */
    DS_CHECK(ds_test_pg_scalar(
                 c, "SELECT count(*) FROM runs WHERE kind = 'nightly' AND status = 'incomplete' AND docs_loaded = 4 "
                    "AND finished_at IS NOT NULL AND (stage_seconds ? 'parse')") == 1);
    DS_CHECK(strstr(out, "1 fetch failures") != NULL);
    ds_buf pb = DS_BUF_INIT;
    ds_err err;
    DS_REQUIRE(ds_buf_read_file(&pb, prom, 0, &err) == DS_OK);
    DS_CHECKF(strstr(pb.data, "dossier_run_documents{outcome=\"loaded\"} 4\n") != NULL, "%s", pb.data);
    DS_CHECK(strstr(pb.data, "# TYPE dossier_run_duration_seconds gauge") != NULL);
    DS_CHECK(strstr(pb.data, "dossier_run_success 0\n") != NULL);
    DS_CHECK(strstr(pb.data, "dossier_run_fetches{outcome=\"failed\"} 1\n") != NULL);
    ds_buf_deinit(&pb);

    /* A second night: nothing new (the server answers 304 for /ok). */
    rc = ds_test_sh(out, sizeof out, "'%s' --config '%s' --db '%s' --log '%s/log.jsonl' nightly 2>&1", bin, cfg, dsn,
                    dir);
    DS_CHECKF(rc == 6, "second nightly exit %d (want 6: the 404 again): %s", rc, out);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM documents") == 4);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT docs_unchanged FROM runs ORDER BY id DESC LIMIT 1") == 4);

    /* One nightly at a time: while another session holds the lock, nightly exits 5. */
    PGresult *r = PQexec(c, "SELECT pg_advisory_lock(7426031816)");
    PQclear(r);
    rc = ds_test_sh(out, sizeof out, "'%s' --config '%s' --db '%s' --log '%s/log.jsonl' nightly 2>&1", bin, cfg, dsn,
                    dir);
    DS_CHECKF(rc == 5, "locked nightly exit %d: %s", rc, out);
    DS_CHECK(strstr(out, "another nightly run holds the lock") != NULL);
    r = PQexec(c, "SELECT pg_advisory_unlock(7426031816)");
    PQclear(r);

    /* A configuration error names the key and exits 2. */
    snprintf(path, sizeof path, "%s/bad.yaml", dir);
    ds_test_write_file(path, "run:\n  workers: 2\n  lease: 10\n");
    rc = ds_test_sh(out, sizeof out, "'%s' --config '%s' --db '%s' nightly 2>&1", bin, path, dsn);
    DS_CHECK(rc == 2);
    DS_CHECKF(strstr(out, "run.lease") && strstr(out, ":3:"), "%s", out);
    /* An unreachable database exits 3. */
    rc = ds_test_sh(out, sizeof out, "'%s' --config '%s' --db 'host=/nonexistent dbname=x' nightly 2>&1", bin, cfg);
    DS_CHECKF(rc == 3, "unreachable exit %d: %s", rc, out);
    PQfinish(c);
    ds_test_http_stop(srv);
    return ds_test_done();
}
