/* watchlist_test.c - `dossier nightly` with a watchlist, against a local HTTP server serving
 * fixtures in EDGAR's formats (submissions JSON, filing documents under Archives/CIK/ACCESSION,
 * the SEC's ticker file): the wanted forms filed since the configured date are recorded and
 * fetched once, an amendment is linked to what it amends and its document carries the filing's
 * date, a second night fetches nothing twice (the submissions JSON by conditional GET), and a new
 * filing the next night is the only one fetched. Then entries by ticker and by company name are
 * resolved through the ticker file (fetched once, cached with its date, fetched again
 * conditionally when a day old), unknown, ambiguous and malformed entries are warned and left
 * out while the others go on, `nightly --dry-run` lists the filings that would be fetched and
 * writes nothing, and without a ticker file the CIK entries still go on. */
#include "testlib.h"
#include "testlib_pg.h"

#include "ingest/http_server.h"

#include <libpq-fe.h>
#include <sys/stat.h>

static void mkdirs(const char *root, const char *rel)
{
    char p[2400];
    snprintf(p, sizeof p, "mkdir -p '%s/%s'", root, rel);
    DS_REQUIRE(ds_test_sh(NULL, 0, "%s", p) == 0);
}

static void write_doc(const char *files, const char *rel, const char *text)
{
    char p[2400], body[1024];
    snprintf(p, sizeof p, "%s/%s", files, rel);
    snprintf(body, sizeof body, "<html><body><p>%s</p></body></html>\n", text);
    ds_test_write_file(p, body);
}

/* Company 42: a 10-K, its amendment, a Form 4 (not wanted) and an 8-K from before `since`;
 * with extra_8k, also a newer 8-K (listed first, as EDGAR lists newest first). */
static void write_submissions_42(const char *files, int extra_8k)
{
    char p[2400], body[4096];
    snprintf(p, sizeof p, "%s/submissions/CIK0000000042.json", files);
    snprintf(body, sizeof body,
             "{\"cik\":\"0000000042\",\"name\":\"Example Holdings Inc\",\"filings\":{\"recent\":{"
             "\"accessionNumber\":[%s\"0000000042-24-000003\",\"0000000042-24-000002\",\"0000000042-24-000001\","
             "\"0000000042-19-000001\"],"
             "\"filingDate\":[%s\"2024-03-01\",\"2024-02-20\",\"2024-02-01\",\"2019-05-01\"],"
             "\"reportDate\":[%s\"2023-12-31\",\"2024-02-18\",\"2023-12-31\",\"\"],"
             "\"form\":[%s\"10-K/A\",\"4\",\"10-K\",\"8-K\"],"
             "\"primaryDocument\":[%s\"exm-10ka.htm\",\"form4.xml\",\"exm-10k.htm\",\"old.htm\"]},\"files\":[]}}",
             extra_8k ? "\"0000000042-24-000004\"," : "", extra_8k ? "\"2024-04-02\"," : "",
             extra_8k ? "\"2024-04-01\"," : "", extra_8k ? "\"8-K\"," : "", extra_8k ? "\"exm-8k.htm\"," : "");
    ds_test_write_file(p, body);
}

static int nightly(const char *bin, const char *cfg, const char *dsn, const char *dir, char *out, size_t cap)
{
    return ds_test_sh(out, cap, "'%s' --config '%s' --db '%s' --log '%s/log.jsonl' nightly 2>&1", bin, cfg, dsn, dir);
}

/* The log's records (JSON lines) into out. */
static void read_log(const char *dir, char *out, size_t cap)
{
    ds_test_sh(out, cap, "cat '%s/log.jsonl'", dir);
}

static int dry_run(const char *bin, const char *cfg, const char *dsn, const char *dir, char *out, size_t cap)
{
    return ds_test_sh(out, cap, "'%s' --config '%s' --db '%s' --log '%s/log.jsonl' nightly --dry-run 2>'%s/dry.err'",
                      bin, cfg, dsn, dir, dir);
}

/* Ticker and name entries, the ticker file's cache, warnings, and --dry-run. Runs after the
 * nights above: filings of 42 (four) and 77 (one) are fetched. */
static void test_resolution(const char *bin, const char *dsn, const char *dir, const char *files, ds_test_http *srv,
                            PGconn *c)
{
    int port = ds_test_http_port(srv);
    char path[2400], cfg[2200], yaml[8192], watch[2200], log[65536], out[16384];
    /* Company 55, known to the watchlist only by name; its 10-K and an 8-K. */
    mkdirs(files, "Archives/55/000000005524000001");
    mkdirs(files, "Archives/55/000000005524000002");
    snprintf(path, sizeof path, "%s/submissions/CIK0000000055.json", files);
    ds_test_write_file(path, "{\"cik\":\"0000000055\",\"name\":\"New Co Inc\",\"filings\":{\"recent\":{"
                             "\"accessionNumber\":[\"0000000055-24-000002\",\"0000000055-24-000001\"],"
                             "\"filingDate\":[\"2024-07-01\",\"2024-06-01\"],\"reportDate\":[\"\",\"2023-12-31\"],"
                             "\"form\":[\"8-K\",\"10-K\"],\"primaryDocument\":[\"newco-8k.htm\",\"newco-10k.htm\"]}}}");
    write_doc(files, "Archives/55/000000005524000001/newco-10k.htm", "New Co annual report. Revenue was 5 million.");
    write_doc(files, "Archives/55/000000005524000002/newco-8k.htm", "New Co current report.");
    snprintf(path, sizeof path, "%s/company_tickers.json", files);
    ds_test_write_file(path, "{\"0\":{\"cik_str\":320193,\"ticker\":\"AAPL\",\"title\":\"Apple Inc.\"},"
                             "\"1\":{\"cik_str\":42,\"ticker\":\"EXH\",\"title\":\"Example Holdings Inc\"},"
                             "\"2\":{\"cik_str\":55,\"ticker\":\"NEWC\",\"title\":\"New Co Inc\"},"
                             "\"3\":{\"cik_str\":77,\"ticker\":\"SECO\",\"title\":\"Second Co\"},"
                             "\"4\":{\"cik_str\":88,\"ticker\":\"SAME\",\"title\":\"Same Name Corp\"},"
                             "\"5\":{\"cik_str\":89,\"ticker\":\"SAM2\",\"title\":\"Same Name Corp.\"}}\n");
    snprintf(watch, sizeof watch, "%s/watch2.txt", dir);
    ds_test_write_file(watch, "# by name, unknown, ambiguous, a CIK again, not a CIK\n"
                              "New Co, Inc.\nNobody Corp   # not listed\nSame Name Corp\nCIK 0000000042\n00\n");
    snprintf(cfg, sizeof cfg, "%s/dossier2.yaml", dir);
    snprintf(yaml, sizeof yaml,
             "fetch:\n  user_agent: \"dossier tests test@example.com\"\n  cache_dir: \"%s/cache\"\n  retries: 1\n"
             "watchlist:\n  companies: [\"exh\"]\n  ciks: [\"77\"]\n  file: \"%s\"\n  since: \"2020-01-01\"\n"
             "  data_url: \"http://127.0.0.1:%d/files\"\n  archives_url: \"http://127.0.0.1:%d/files/Archives\"\n"
             "  tickers_url: \"http://127.0.0.1:%d/files/company_tickers.json\"\n",
             dir, watch, port, port, port);
    ds_test_write_file(cfg, yaml);
    long long runs = ds_test_pg_scalar(c, "SELECT count(*) FROM runs"),
              queue = ds_test_pg_scalar(c, "SELECT count(*) FROM work_queue");

    /* --dry-run: resolves, lists 55's two filings, writes nothing. */
    ds_test_sh(NULL, 0, "rm -f '%s/log.jsonl'", dir);
    int rc = dry_run(bin, cfg, dsn, dir, out, sizeof out);
    DS_CHECKF(rc == 0, "dry run exit %d: %s", rc, out);
    char want[1024];
    snprintf(want, sizeof want,
             "\n55\tNew Co Inc\t10-K\t0000000055-24-000001\t2024-06-01\t"
             "http://127.0.0.1:%d/files/Archives/55/000000005524000001/newco-10k.htm\n",
             port);
    DS_CHECKF(strstr(out, want) != NULL, "%s", out);
    snprintf(want, sizeof want,
             "\n55\tNew Co Inc\t8-K\t0000000055-24-000002\t2024-07-01\t"
             "http://127.0.0.1:%d/files/Archives/55/000000005524000002/newco-8k.htm\n",
             port);
    DS_CHECKF(strstr(out, want) != NULL, "%s", out);
    DS_CHECKF(strstr(out, "\ncik\tcompany\tform\taccession\tfiling_date\turl\n") != NULL, "%s", out);
    DS_CHECKF(strstr(out, "\n42\t") == NULL && strstr(out, "\n77\t") == NULL, "fetched filings listed: %s", out);
    DS_CHECKF(strstr(out, "# exh\tCIK 42\tExample Holdings Inc, by ticker\n") != NULL, "%s", out);
    DS_CHECKF(strstr(out, "# New Co, Inc.\tCIK 55\tNew Co Inc, by name\n") != NULL, "%s", out);
    DS_CHECKF(strstr(out, "# watchlist entries: 7, companies: 3, not resolved: 3") != NULL, "%s", out);
    DS_CHECKF(strstr(out, "# filings to fetch: 2, already fetched: 4, fetch failures: 0\n") != NULL, "%s", out);
    read_log(dir, log, sizeof log);
    DS_CHECKF(strstr(log, "\\\"Nobody Corp\\\" is no CIK, and no ticker or company name") != NULL, "%s", log);
    DS_CHECKF(strstr(log, "watch2.txt:4: \\\"Same Name Corp\\\" names 2 companies: CIK 88 Same Name Corp (SAME), "
                          "CIK 89 Same Name Corp. (SAM2)") != NULL,
              "%s", log);
    DS_CHECKF(strstr(log, "watch2.txt:6: \\\"00\\\" is not a CIK") != NULL, "%s", log);
    DS_CHECKF(strstr(log, "\\\"exh\\\" is CIK 42 (Example Holdings Inc, by ticker)") != NULL, "%s", log);
    DS_CHECKF(strstr(log, "\\\"New Co, Inc.\\\" is CIK 55 (New Co Inc, by name)") != NULL, "%s", log);
    DS_CHECK(ds_test_http_hits(srv, "/files/company_tickers.json") == 1);
    DS_CHECK(ds_test_http_hits(srv, "/files/Archives/55/000000005524000001/newco-10k.htm") == 0);
    DS_CHECK(ds_test_http_hits(srv, "/files/submissions/CIK0000000055.json") == 1);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM filings") == 4);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM documents") == 4);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM work_queue") == queue);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM runs") == runs);
    /* Its requests took slots of the shared rate limit. */
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM fetch_rate_limits WHERE host_key = '127.0.0.1'") == 1);
    snprintf(path, sizeof path, "%s/cache/sec-tickers.tsv", dir);
    struct stat sb;
    DS_CHECKF(stat(path, &sb) == 0, "no %s", path);

    /* The night itself: 55's filings fetched, the ticker file from the cache (a day not over). */
    rc = nightly(bin, cfg, dsn, dir, out, sizeof out);
    DS_CHECKF(rc == 0, "nightly with names exit %d: %s", rc, out);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM filings WHERE cik = 55 AND status = 'fetched'") == 2);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM filings") == 6);
    DS_CHECK(ds_test_http_hits(srv, "/files/company_tickers.json") == 1);
    DS_CHECKF(strstr(out, "3 watchlist entries not resolved") != NULL, "%s", out);

    /* A day later: fetched again, conditionally; nothing new to list. */
    DS_REQUIRE(ds_test_sh(NULL, 0, "sed -i 's/\\t[0-9]*\\t/\\t1000000000\\t/' '%s'", path) == 0);
    rc = dry_run(bin, cfg, dsn, dir, out, sizeof out);
    DS_CHECKF(rc == 0, "dry run exit %d: %s", rc, out);
    DS_CHECK(ds_test_http_hits(srv, "/files/company_tickers.json") == 2);
    char inm[128];
    ds_test_http_last_inm(srv, "/files/company_tickers.json", inm, sizeof inm);
    DS_CHECKF(inm[0] != '\0', "the ticker file was not asked for conditionally");
    DS_CHECKF(strstr(out, "# filings to fetch: 0, already fetched: 6, fetch failures: 0\n") != NULL, "%s", out);
    DS_CHECKF(ds_test_pg_scalar(c, "SELECT count(*) FROM filings") == 6, "dry run wrote filings");

    /* No ticker file and no copy of it: CIK entries go on, the others are warned; a fetch failed. */
    snprintf(cfg, sizeof cfg, "%s/dossier3.yaml", dir);
    snprintf(yaml, sizeof yaml,
             "fetch:\n  user_agent: \"dossier tests test@example.com\"\n  cache_dir: \"%s/cache3\"\n  retries: 0\n"
             "watchlist:\n  companies: [\"EXH\", \"0000000077\"]\n  since: \"2020-01-01\"\n"
             "  data_url: \"http://127.0.0.1:%d/files\"\n  archives_url: \"http://127.0.0.1:%d/files/Archives\"\n"
             "  tickers_url: \"http://127.0.0.1:%d/files/missing_tickers.json\"\n",
             dir, port, port, port);
    ds_test_write_file(cfg, yaml);
    ds_test_sh(NULL, 0, "rm -f '%s/log.jsonl'", dir);
    rc = dry_run(bin, cfg, dsn, dir, out, sizeof out);
    DS_CHECKF(rc == 6, "dry run without a ticker file exit %d: %s", rc, out);
    DS_CHECKF(strstr(out, "# watchlist entries: 2, companies: 1, not resolved: 1") != NULL, "%s", out);
    DS_CHECKF(strstr(out, "# filings to fetch: 0, already fetched: 1, fetch failures: 1\n") != NULL, "%s", out);
    read_log(dir, log, sizeof log);
    DS_CHECKF(strstr(log, "\\\"EXH\\\" cannot be resolved without the ticker file") != NULL, "%s", log);
}

int main(void)
{
    const char *dsn = ds_test_db_create("t_pipeline_watchlist");
    const char *bin = getenv("DOSSIER_BIN");
    DS_REQUIRE(bin);
    char dir[2048], files[2100], path[2400], cfg[2200], out[16384];
    snprintf(dir, sizeof dir, "%s", ds_test_tmpdir());
    snprintf(files, sizeof files, "%s/files", dir);
    mkdirs(files, "submissions");
    mkdirs(files, "Archives/42/000000004224000001");
    mkdirs(files, "Archives/42/000000004224000003");
    mkdirs(files, "Archives/42/000000004224000004");
    mkdirs(files, "Archives/77/000000007724000009");
    write_submissions_42(files, 0);
    snprintf(path, sizeof path, "%s/submissions/CIK0000000077.json", files);
    ds_test_write_file(path,
                       "{\"cik\":\"0000000077\",\"name\":\"Second Co\",\"filings\":{\"recent\":{"
                       "\"accessionNumber\":[\"0000000077-24-000009\"],\"filingDate\":[\"2024-05-10\"],"
                       "\"reportDate\":[\"2024-03-31\"],\"form\":[\"10-Q\"],\"primaryDocument\":[\"sc-10q.htm\"]}}}");
    write_doc(files, "Archives/42/000000004224000001/exm-10k.htm", "Annual report. Revenue was 100 million.");
    write_doc(files, "Archives/42/000000004224000003/exm-10ka.htm", "Amended annual report. Revenue was 90 million.");
    write_doc(files, "Archives/42/000000004224000004/exm-8k.htm", "Current report: a new credit facility.");
    write_doc(files, "Archives/77/000000007724000009/sc-10q.htm", "Quarterly report of the second company.");

    ds_test_http *srv = ds_test_http_start("127.0.0.1", NULL, NULL);
    DS_REQUIRE(srv);
    ds_test_http_set_root(srv, files);
    int port = ds_test_http_port(srv);
    char watch[2200], yaml[8192];
    snprintf(watch, sizeof watch, "%s/watch.txt", dir);
    ds_test_write_file(watch, "# portfolio\n77   # second company\n");
    snprintf(cfg, sizeof cfg, "%s/dossier.yaml", dir);
    snprintf(yaml, sizeof yaml,
             "fetch:\n  user_agent: \"dossier tests test@example.com\"\n  cache_dir: \"%s/cache\"\n  retries: 1\n"
             "watchlist:\n  ciks: [\"42\"]\n  file: \"%s\"\n  since: \"2020-01-01\"\n"
             "  data_url: \"http://127.0.0.1:%d/files\"\n  archives_url: \"http://127.0.0.1:%d/files/Archives\"\n"
             "run:\n  metrics_textfile: \"%s/dossier.prom\"\n",
             dir, watch, port, port, dir);
    ds_test_write_file(cfg, yaml);

    int rc = nightly(bin, cfg, dsn, dir, out, sizeof out);
    DS_CHECKF(rc == 0, "nightly exit %d: %s", rc, out);
    PGconn *c = PQconnectdb(dsn);
    DS_REQUIRE(PQstatus(c) == CONNECTION_OK);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM filings") == 3);
    DS_CHECK(
        ds_test_pg_scalar(c, "SELECT count(*) FROM filings WHERE status = 'fetched' AND document_id IS NOT NULL") == 3);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM filings WHERE form IN ('4', '8-K')") == 0);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM filings WHERE accession = '0000000042-24-000003' "
                                  "AND amends_accession = '0000000042-24-000001'") == 1);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM filings WHERE amends_accession IS NOT NULL") == 1);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM filing_history WHERE accession = '0000000042-24-000003' "
                                  "AND filing_rank = 1") == 1);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM filing_history WHERE accession = '0000000042-24-000001' "
                                  "AND filing_rank = 2") == 1);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM documents d JOIN filings f ON f.document_id = d.id "
                                  "WHERE d.accession = f.accession AND d.filing_date = f.filing_date") == 3);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM documents WHERE status = 'loaded'") == 3);
    DS_CHECK(ds_test_http_hits(srv, "/files/Archives/42/000000004224000001/exm-10k.htm") == 1);
    DS_CHECKF(strstr(out, "filings 10-K  2 new, 2 fetched, 0 already fetched, 0 failed") != NULL, "%s", out);
    char prom[2300];
    snprintf(prom, sizeof prom, "%s/dossier.prom", dir);
    ds_test_sh(out, sizeof out, "cat '%s'", prom);
    DS_CHECKF(strstr(out, "dossier_run_filings{form=\"10-Q\",outcome=\"fetched\"} 1\n") != NULL, "%s", out);

    /* A second night: nothing new, nothing fetched twice. */
    rc = nightly(bin, cfg, dsn, dir, out, sizeof out);
    DS_CHECKF(rc == 0, "second nightly exit %d: %s", rc, out);
    DS_CHECK(ds_test_http_hits(srv, "/files/Archives/42/000000004224000001/exm-10k.htm") == 1);
    DS_CHECK(ds_test_http_hits(srv, "/files/Archives/42/000000004224000003/exm-10ka.htm") == 1);
    DS_CHECK(ds_test_http_hits(srv, "/files/Archives/77/000000007724000009/sc-10q.htm") == 1);
    char inm[128];
    ds_test_http_last_inm(srv, "/files/submissions/CIK0000000042.json", inm, sizeof inm);
    DS_CHECKF(inm[0] != '\0', "the submissions JSON was not asked for conditionally");
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM documents") == 3);
    DS_CHECKF(strstr(out, "filings 10-K  0 new, 0 fetched, 2 already fetched, 0 failed") != NULL, "%s", out);

    /* A new filing another process has claimed for its fetch: left to it. */
    write_submissions_42(files, 1);
    DS_CHECK(ds_test_pg_scalar(
                 c,
                 "WITH i AS (INSERT INTO filings (accession, cik, form, filing_date, status, claimed_by, claimed_at) "
                 "VALUES ('0000000042-24-000004', 42, '8-K', '2024-04-02', 'fetching', 'elsewhere:1', now()) "
                 "RETURNING 1) SELECT count(*) FROM i") == 1);
    rc = nightly(bin, cfg, dsn, dir, out, sizeof out);
    DS_CHECKF(rc == 0, "nightly beside a claim exit %d: %s", rc, out);
    DS_CHECK(ds_test_http_hits(srv, "/files/Archives/42/000000004224000004/exm-8k.htm") == 0);
    DS_CHECK(ds_test_pg_scalar(
                 c, "SELECT count(*) FROM filings WHERE claimed_by = 'elsewhere:1' AND status = 'fetching'") == 1);

    /* Its claim lapses (that process died): only it is fetched, by the next night. */
    DS_CHECK(ds_test_pg_scalar(c, "WITH u AS (UPDATE filings SET claimed_at = now() - interval '1 day' "
                                  "WHERE accession = '0000000042-24-000004' RETURNING 1) SELECT count(*) FROM u") == 1);
    rc = nightly(bin, cfg, dsn, dir, out, sizeof out);
    DS_CHECKF(rc == 0, "third nightly exit %d: %s", rc, out);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM filings") == 4);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM filings WHERE form = '8-K' AND status = 'fetched'") == 1);
    DS_CHECK(ds_test_http_hits(srv, "/files/Archives/42/000000004224000004/exm-8k.htm") == 1);
    DS_CHECK(ds_test_http_hits(srv, "/files/Archives/42/000000004224000001/exm-10k.htm") == 1);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM documents WHERE status = 'loaded'") == 4);

    test_resolution(bin, dsn, dir, files, srv, c);

    PQfinish(c);
    ds_test_http_stop(srv);
    return ds_test_done();
}
