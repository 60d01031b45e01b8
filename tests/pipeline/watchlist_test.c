/* watchlist_test.c - `dossier nightly` with a watchlist, against a local HTTP server serving
 * fixtures in EDGAR's formats (submissions JSON, filing documents under Archives/CIK/ACCESSION):
 * the wanted forms filed since the configured date are recorded and fetched once, an amendment
 * is linked to what it amends and its document carries the filing's date, a second night
 * fetches nothing twice (the submissions JSON by conditional GET), and a new filing the next
 * night is the only one fetched. */
#include "testlib.h"

#include "ingest/http_server.h"

#include <libpq-fe.h>
#include <sys/stat.h>

static void write_file(const char *path, const char *body)
{
    FILE *f = fopen(path, "w");
    DS_REQUIRE(f != NULL);
    fputs(body, f);
    fclose(f);
}

static long long scalar(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    long long v = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) ? atoll(PQgetvalue(r, 0, 0)) : -1;
    PQclear(r);
    return v;
}

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
    write_file(p, body);
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
    write_file(p, body);
}

static int nightly(const char *bin, const char *cfg, const char *dsn, const char *dir, char *out, size_t cap)
{
    return ds_test_sh(out, cap, "'%s' --config '%s' --db '%s' --log '%s/log.jsonl' nightly 2>&1", bin, cfg, dsn, dir);
}

int main(void)
{
    const char *dsn = ds_test_db_create("t_watchlist");
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
    write_file(path, "{\"cik\":\"0000000077\",\"name\":\"Second Co\",\"filings\":{\"recent\":{"
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
    write_file(watch, "# portfolio\n77   # second company\n");
    snprintf(cfg, sizeof cfg, "%s/dossier.yaml", dir);
    snprintf(yaml, sizeof yaml,
             "fetch:\n  user_agent: \"dossier tests test@example.com\"\n  cache_dir: \"%s/cache\"\n  retries: 1\n"
             "watchlist:\n  ciks: [\"42\"]\n  file: \"%s\"\n  since: \"2020-01-01\"\n"
             "  data_url: \"http://127.0.0.1:%d/files\"\n  archives_url: \"http://127.0.0.1:%d/files/Archives\"\n"
             "run:\n  metrics_textfile: \"%s/dossier.prom\"\n",
             dir, watch, port, port, dir);
    write_file(cfg, yaml);

    int rc = nightly(bin, cfg, dsn, dir, out, sizeof out);
    DS_CHECKF(rc == 0, "nightly exit %d: %s", rc, out);
    PGconn *c = PQconnectdb(dsn);
    DS_REQUIRE(PQstatus(c) == CONNECTION_OK);
    DS_CHECK(scalar(c, "SELECT count(*) FROM filings") == 3);
    DS_CHECK(scalar(c, "SELECT count(*) FROM filings WHERE status = 'fetched' AND document_id IS NOT NULL") == 3);
    DS_CHECK(scalar(c, "SELECT count(*) FROM filings WHERE form IN ('4', '8-K')") == 0);
    DS_CHECK(scalar(c, "SELECT count(*) FROM filings WHERE accession = '0000000042-24-000003' "
                       "AND amends_accession = '0000000042-24-000001'") == 1);
    DS_CHECK(scalar(c, "SELECT count(*) FROM filings WHERE amends_accession IS NOT NULL") == 1);
    DS_CHECK(scalar(c, "SELECT count(*) FROM filing_history WHERE accession = '0000000042-24-000003' "
                       "AND filing_rank = 1") == 1);
    DS_CHECK(scalar(c, "SELECT count(*) FROM filing_history WHERE accession = '0000000042-24-000001' "
                       "AND filing_rank = 2") == 1);
    DS_CHECK(scalar(c, "SELECT count(*) FROM documents d JOIN filings f ON f.document_id = d.id "
                       "WHERE d.accession = f.accession AND d.filing_date = f.filing_date") == 3);
    DS_CHECK(scalar(c, "SELECT count(*) FROM documents WHERE status = 'loaded'") == 3);
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
    DS_CHECK(scalar(c, "SELECT count(*) FROM documents") == 3);
    DS_CHECKF(strstr(out, "filings 10-K  0 new, 0 fetched, 2 already fetched, 0 failed") != NULL, "%s", out);

    /* A new filing: only it is fetched. */
    write_submissions_42(files, 1);
    rc = nightly(bin, cfg, dsn, dir, out, sizeof out);
    DS_CHECKF(rc == 0, "third nightly exit %d: %s", rc, out);
    DS_CHECK(scalar(c, "SELECT count(*) FROM filings") == 4);
    DS_CHECK(scalar(c, "SELECT count(*) FROM filings WHERE form = '8-K' AND status = 'fetched'") == 1);
    DS_CHECK(ds_test_http_hits(srv, "/files/Archives/42/000000004224000004/exm-8k.htm") == 1);
    DS_CHECK(ds_test_http_hits(srv, "/files/Archives/42/000000004224000001/exm-10k.htm") == 1);
    DS_CHECK(scalar(c, "SELECT count(*) FROM documents WHERE status = 'loaded'") == 4);

    PQfinish(c);
    ds_test_http_stop(srv);
    return ds_test_done();
}
