/* watchlist_fleet_test.c - the watchlist run by two machines at once: two config files with their
 * own run.worker_id ("machine-a" with two worker processes, discovery by submissions JSON and the
 * daily form index; "machine-b" with one, by the daily form index alone), one database, against a
 * local HTTP server serving fixtures in EDGAR's published formats (submissions JSON, daily form
 * indexes with a weekend day missing, filing index pages with exhibits, primary documents from
 * ../shared/data, the SEC's throttle page and a 429 with Retry-After on the first request of two
 * indexes). Each night one machine runs `nightly` (one at a time across hosts) and the other
 * `worker` beside it; the second night they swap. Checked: no more than 10 requests start in any one-second window (the server's
 * arrival times), every new filing is fetched and processed once (one claim, one request per
 * document, one attempt per queued document), a company off the watchlist and an unwanted form
 * are never fetched, the exhibits of the wanted types are fetched and linked to their filing, a
 * 10-K/A found only by the daily index is linked to the 10-K it amends, a second night of
 * both machines fetches nothing twice, a dry run by the daily index lists and writes nothing,
 * and a failed fetch of a daily index find is taken again the next night. */
#include "testlib.h"
#include "testlib_pg.h"

#include "ingest/http_server.h"

#include <libpq-fe.h>

static void text(PGconn *c, const char *sql, char *out, size_t cap)
{
    PGresult *r = PQexec(c, sql);
    snprintf(out, cap, "%s", PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) ? PQgetvalue(r, 0, 0) : "");
    PQclear(r);
}

static void mkdirs(const char *root, const char *rel)
{
    DS_REQUIRE(ds_test_sh(NULL, 0, "mkdir -p '%s/%s'", root, rel) == 0);
}

/* A primary document or exhibit: a file of ../shared/data when there, else a small page. */
static void put_doc(const char *files, const char *rel, const char *shared_rel, const char *fallback)
{
    char p[2400];
    snprintf(p, sizeof p, "%s/%s", files, rel);
    const char *src = shared_rel ? ds_test_shared(shared_rel) : NULL;
    if (src) {
        DS_REQUIRE(ds_test_sh(NULL, 0, "cp '%s' '%s'", src, p) == 0);
        return;
    }
    char body[1024];
    snprintf(body, sizeof body, "<html><body><p>%s</p></body></html>\n", fallback);
    ds_test_write_file(p, body);
}

/* A filing index page in EDGAR's layout: period, then rows of seq, description, file, type. */
static void put_index(const char *files, long long cik, const char *acc, const char *form, const char *period,
                      const char *const *rows, int n)
{
    char nodash[24], dir[512], p[2400], body[8192];
    size_t k = 0;
    for (const char *c = acc; *c; c++)
        if (*c != '-')
            nodash[k++] = *c;
    nodash[k] = '\0';
    snprintf(dir, sizeof dir, "Archives/%lld/%s", cik, nodash);
    mkdirs(files, dir);
    int len = snprintf(
        body, sizeof body,
        "<html><head><title>EDGAR Filing Documents for %s</title></head><body>\n"
        "<div id=\"formName\"><strong>Form %s</strong></div>\n"
        "<div class=\"formGrouping\"><div class=\"infoHead\">Filing Date</div><div class=\"info\">x</div>"
        "<div class=\"infoHead\">Period of Report</div>\n<div class=\"info\">%s</div></div>\n"
        "<table class=\"tableFile\" summary=\"Document Format Files\">\n"
        "<tr><th scope=\"col\">Seq</th><th scope=\"col\">Description</th><th scope=\"col\">Document</th>"
        "<th scope=\"col\">Type</th><th scope=\"col\">Size</th></tr>\n",
        acc, form, period);
    for (int i = 0; i < n; i += 3)
        len += snprintf(body + len, sizeof body - (size_t)len,
                        "<tr>\n<td scope=\"row\">%d</td>\n<td scope=\"row\">%s</td>\n"
                        "<td scope=\"row\"><a href=\"/Archives/edgar/data/%lld/%s/%s\">%s</a></td>\n"
                        "<td scope=\"row\">%s</td>\n<td scope=\"row\">1000</td>\n</tr>\n",
                        i / 3 + 1, rows[i], cik, nodash, rows[i + 1], rows[i + 1], rows[i + 2]);
    snprintf(body + len, sizeof body - (size_t)len,
             "<tr><td scope=\"row\">&nbsp;</td><td scope=\"row\">Complete submission text file</td>"
             "<td scope=\"row\"><a href=\"/Archives/edgar/data/%lld/%s/%s.txt\">%s.txt</a></td>"
             "<td scope=\"row\">&nbsp;</td><td>9</td></tr>\n</table></body></html>\n",
             cik, nodash, acc, acc);
    snprintf(p, sizeof p, "%s/%s/%s-index.htm", files, dir, acc);
    ds_test_write_file(p, body);
}

/* One line of a daily form index, fixed width as EDGAR writes it. */
static int idx_line(char *out, size_t cap, const char *form, const char *name, long long cik, const char *ymd,
                    const char *acc)
{
    return snprintf(out, cap, "%-12s%-62s%-12lld%-12s%s%lld/%s.txt\n", form, name, cik, ymd, "edgar/data/", cik, acc);
}

static void put_daily(const char *files, const char *ymd, const char *lines)
{
    char dir[256], p[2400], body[8192];
    int month = atoi(ymd + 4);
    snprintf(dir, sizeof dir, "daily-index/%.4s/QTR%d", ymd, (month - 1) / 3 + 1);
    mkdirs(files, dir);
    snprintf(
        body, sizeof body,
        "Description:           Daily Index of EDGAR Dissemination Feed by Form Type\n"
        "Last Data Received:    %s\nComments:              webmaster@sec.gov\n"
        "Anonymous FTP:         ftp://ftp.sec.gov/edgar/\n \n \n \n"
        "Form Type   Company Name                                                  CIK         Date Filed  File Name\n"
        "---------------------------------------------------------------------------------------------------------"
        "------------------------------------\n%s",
        ymd, lines);
    snprintf(p, sizeof p, "%s/%s/form.%s.idx", files, dir, ymd);
    ds_test_write_file(p, body);
}

static void write_config(const char *path, const char *dir, const char *id, int workers, const char *how, int port,
                         const char *since)
{
    char yaml[4096];
    snprintf(yaml, sizeof yaml,
             "fetch:\n  user_agent: \"dossier tests test@example.com\"\n  cache_dir: \"%s/cache-%s\"\n  retries: 3\n"
             "watchlist:\n  ciks: [\"42\", \"77\"]\n  since: \"%s\"\n  discovery: %s\n  daily_index_days: 5\n"
             "  exhibits: true\n  exhibit_types: [\"EX-99\", \"EX-10\", \"EX-21\"]\n"
             "  data_url: \"http://127.0.0.1:%d/files\"\n  archives_url: \"http://127.0.0.1:%d/files/Archives\"\n"
             "  daily_index_url: \"http://127.0.0.1:%d/files/daily-index\"\n"
             "run:\n  worker_id: \"%s\"\n  workers: %d\n",
             dir, id, since, how, port, port, port, id, workers);
    ds_test_write_file(path, yaml);
}

/* One night of the two machines at once: `nightly` on the first (discovery, then its workers)
 * and `worker` on the other (nightly is one run at a time across hosts, so the second machine
 * works the queue), each with its own config; exit statuses into rc[2] (nightly, worker). */
static void night(const char *bin, const char *dir, const char *dsn, const char *nightly_cfg, const char *worker_cfg,
                  int night_no, int rc[2])
{
    char out[4096];
    ds_test_sh(out, sizeof out,
               "cd '%s' && ( '%s' --config %s --db '%s' --log n%d.jsonl nightly >n%d.out 2>&1; echo $? >n.rc ) & "
               "( cd '%s' && '%s' --config %s --db '%s' --log w%d.jsonl worker --idle-wait 8 >w%d.out 2>&1; "
               "echo $? >w.rc ); wait",
               dir, bin, nightly_cfg, dsn, night_no, night_no, dir, bin, worker_cfg, dsn, night_no, night_no);
    ds_test_sh(out, sizeof out, "cat '%s/n.rc'", dir);
    rc[0] = atoi(out);
    ds_test_sh(out, sizeof out, "cat '%s/w.rc'", dir);
    rc[1] = atoi(out);
    if (rc[0] || rc[1]) {
        ds_test_sh(out, sizeof out, "tail -c 1500 '%s/n%d.out' '%s/w%d.out'", dir, night_no, dir, night_no);
        fprintf(stderr, "%s\n", out);
    }
}

/* The documents every filing's fetch asks for, each exactly `want` times. */
static const char *const docs[] = {
    "/files/Archives/42/000000004224000001/exm-10k.htm",
    "/files/Archives/42/000000004224000001/exm-ex21.htm",
    "/files/Archives/42/000000004224000003/exm-10ka.htm",
    "/files/Archives/77/000000007724000009/sc-8k.xml",
    "/files/Archives/77/000000007724000009/sc-ex991.txt",
    "/files/Archives/77/000000007724000009/sc-ex101.htm",
    "/files/Archives/42/000000004224000001/0000000042-24-000001-index.htm",
    "/files/Archives/42/000000004224000003/0000000042-24-000003-index.htm",
    "/files/Archives/77/000000007724000009/0000000077-24-000009-index.htm",
};

static void check_fetched_once(ds_test_http *srv)
{
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++)
        DS_CHECKF(ds_test_http_hits(srv, docs[i]) == 1, "%s requested %d times", docs[i],
                  ds_test_http_hits(srv, docs[i]));
    DS_CHECK(ds_test_http_hits(srv, "/files/Archives/99/000000009924000005/0000000099-24-000005-index.htm") == 0);
    DS_CHECK(ds_test_http_hits(srv, "/files/Archives/42/000000004224000002/0000000042-24-000002-index.htm") == 0);
    DS_CHECK(ds_test_http_hits(srv, "/files/Archives/77/000000007724000009/sc-20240101.xml") == 0);
}

int main(void)
{
    const char *dsn = ds_test_db_create("t_pipeline_watchlist_fleet");
    const char *bin = getenv("DOSSIER_BIN");
    DS_REQUIRE(bin);
    PGconn *c = PQconnectdb(dsn);
    DS_REQUIRE(PQstatus(c) == CONNECTION_OK);
    char dir[2048], files[2100], path[2400], day[5][16], since[16], rate[2400];
    snprintf(dir, sizeof dir, "%s", ds_test_tmpdir());
    snprintf(files, sizeof files, "%s/files", dir);
    /* Days by the database's clock, as discovery counts them: day[k] is k days ago. */
    for (int k = 0; k < 5; k++) {
        char sql[160];
        snprintf(sql, sizeof sql, "SELECT to_char((now() AT TIME ZONE 'UTC')::date - %d, 'YYYYMMDD')", k);
        text(c, sql, day[k], sizeof day[k]);
        DS_REQUIRE(strlen(day[k]) == 8);
    }
    text(c, "SELECT to_char((now() AT TIME ZONE 'UTC')::date - 10, 'YYYY-MM-DD')", since, sizeof since);
    char iso3[16], iso2[16];
    snprintf(iso3, sizeof iso3, "%.4s-%.2s-%.2s", day[3], day[3] + 4, day[3] + 6);
    snprintf(iso2, sizeof iso2, "%.4s-%.2s-%.2s", day[2], day[2] + 4, day[2] + 6);

    /* Company 42: its 10-K three days ago (in its submissions JSON too), a Form 4 (not wanted)
     * the same day, its 10-K/A yesterday (in the daily index only: the JSON lags). Company 77:
     * an 8-K two days ago with two wanted exhibits and an XBRL one. Company 99 is not watched. */
    mkdirs(files, "submissions");
    snprintf(path, sizeof path, "%s/submissions/CIK0000000042.json", files);
    char body[4096];
    snprintf(body, sizeof body,
             "{\"cik\":\"0000000042\",\"name\":\"Example Holdings Inc\",\"filings\":{\"recent\":{"
             "\"accessionNumber\":[\"0000000042-24-000001\"],\"filingDate\":[\"%s\"],\"reportDate\":[\"2023-12-31\"],"
             "\"form\":[\"10-K\"],\"primaryDocument\":[\"exm-10k.htm\"]}}}",
             iso3);
    ds_test_write_file(path, body);
    snprintf(path, sizeof path, "%s/submissions/CIK0000000077.json", files);
    snprintf(body, sizeof body,
             "{\"cik\":\"0000000077\",\"name\":\"Second Co\",\"filings\":{\"recent\":{"
             "\"accessionNumber\":[\"0000000077-24-000009\"],\"filingDate\":[\"%s\"],\"reportDate\":[\"%s\"],"
             "\"form\":[\"8-K\"],\"primaryDocument\":[\"sc-8k.xml\"]}}}",
             iso2, iso2);
    ds_test_write_file(path, body);
    const char *r10k[] = {"10-K", "exm-10k.htm", "10-K", "SUBSIDIARIES", "exm-ex21.htm", "EX-21.1"};
    const char *r10ka[] = {"10-K/A", "exm-10ka.htm", "10-K/A"};
    const char *r8k[] = {
        "8-K",          "sc-8k.xml", "8-K",           "PRESS RELEASE",   "sc-ex991.txt", "EX-99.1", "CREDIT AGREEMENT",
        "sc-ex101.htm", "EX-10.1",   "XBRL INSTANCE", "sc-20240101.xml", "EX-101.INS"};
    const char *r99[] = {"10-K", "other.htm", "10-K"};
    put_index(files, 42, "0000000042-24-000001", "10-K", "2023-12-31", r10k, 6);
    put_index(files, 42, "0000000042-24-000003", "10-K/A", "2023-12-31", r10ka, 3);
    put_index(files, 77, "0000000077-24-000009", "8-K", iso2, r8k, 12);
    put_index(files, 99, "0000000099-24-000005", "10-K", "2023-12-31", r99, 3);
    put_doc(files, "Archives/42/000000004224000001/exm-10k.htm", "data/ixbrl_html/ixbrl.simple.html",
            "Annual report. Revenue was 100 million.");
    put_doc(files, "Archives/42/000000004224000001/exm-ex21.htm", NULL,
            "Subsidiaries of the registrant: Example Sub LLC.");
    put_doc(files, "Archives/42/000000004224000003/exm-10ka.htm", "data/edgar_fulltxt/0001564590-20-004475-minimal.txt",
            "Amended annual report.");
    put_doc(files, "Archives/77/000000007724000009/sc-8k.xml", "data/xbrl_instance/WatersCorp.8-K.xbrl.xml",
            "Current report.");
    put_doc(files, "Archives/77/000000007724000009/sc-ex991.txt", "data/edgar_fulltxt/0001127602-25-001055.txt",
            "Press release: results.");
    put_doc(files, "Archives/77/000000007724000009/sc-ex101.htm", NULL, "Credit agreement with a new lender.");
    put_doc(files, "Archives/77/000000007724000009/sc-20240101.xml", NULL, "xbrl");
    char l3[2048], l2[1024], l1[1024];
    int n = idx_line(l3, sizeof l3, "10-K", "Example Holdings Inc", 42, day[3], "0000000042-24-000001");
    n += idx_line(l3 + n, sizeof l3 - (size_t)n, "10-K", "Not Watched Corp", 99, day[3], "0000000099-24-000005");
    idx_line(l3 + n, sizeof l3 - (size_t)n, "4", "Example Holdings Inc", 42, day[3], "0000000042-24-000002");
    idx_line(l2, sizeof l2, "8-K", "Second Co", 77, day[2], "0000000077-24-000009");
    idx_line(l1, sizeof l1, "10-K/A", "Example Holdings Inc", 42, day[1], "0000000042-24-000003");
    put_daily(files, day[3], l3);
    put_daily(files, day[2], l2);
    put_daily(files, day[1], l1);
    /* day[4] (a weekend) and day[0] (not yet published) have no index: 404. */

    const char *rate_page = ds_test_shared("data/sec_responses/rate-exceeded.html");
    if (!rate_page) {
        snprintf(rate, sizeof rate, "%s/rate.html", dir);
        ds_test_write_file(rate, "<html><head><title>SEC.gov | Request Rate Threshold Exceeded</title></head><body>"
                                 "<h1>Your Request Originates from an Undeclared Automated Tool</h1>"
                                 "Request Rate Threshold Exceeded</body></html>");
        rate_page = rate;
    }
    ds_test_http *srv = ds_test_http_start("127.0.0.1", rate_page, NULL);
    DS_REQUIRE(srv);
    ds_test_http_set_root(srv, files);
    int port = ds_test_http_port(srv);
    char t2[256], t1[256];
    snprintf(t2, sizeof t2, "/files/daily-index/%.4s/QTR%d/form.%s.idx", day[2], (atoi(day[2] + 4) - 1) / 3 + 1,
             day[2]);
    snprintf(t1, sizeof t1, "/files/daily-index/%.4s/QTR%d/form.%s.idx", day[1], (atoi(day[1] + 4) - 1) / 3 + 1,
             day[1]);
    ds_test_http_trap(srv, t2, 0); /* 429, Retry-After: 1 */
    ds_test_http_trap(srv, t1, 1); /* the SEC's rate page */
    snprintf(path, sizeof path, "%s/a.yaml", dir);
    write_config(path, dir, "machine-a", 2, "both", port, since);
    snprintf(path, sizeof path, "%s/b.yaml", dir);
    write_config(path, dir, "machine-b", 1, "daily_index", port, since);

    int rc[2];
    night(bin, dir, dsn, "a.yaml", "b.yaml", 1, rc);
    DS_CHECKF(rc[0] == 0 && rc[1] == 0, "first night: machine-a nightly exit %d, machine-b worker exit %d", rc[0],
              rc[1]);
    int most = ds_test_http_max_in_window(srv, 1.0);
    printf("first night: %d requests, at most %d in one second\n", ds_test_http_hits(srv, NULL), most);
    DS_CHECKF(most <= 10, "%d requests in one second", most);
    DS_CHECKF(ds_test_http_hits(srv, t2) >= 2 && ds_test_http_hits(srv, t1) >= 2, "the throttled indexes: %d, %d",
              ds_test_http_hits(srv, t2), ds_test_http_hits(srv, t1));
    check_fetched_once(srv);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM filings") == 3);
    DS_CHECK(
        ds_test_pg_scalar(c, "SELECT count(*) FROM filings WHERE status = 'fetched' AND document_id IS NOT NULL") == 3);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM filings WHERE claimed_by ~ '^machine-[ab]:[0-9]+$'") == 3);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM filings WHERE accession = '0000000042-24-000003' "
                                  "AND found_by = 'daily_index' AND report_date = '2023-12-31' "
                                  "AND amends_accession = '0000000042-24-000001'") == 1);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM filings WHERE amends_accession IS NOT NULL") == 1);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM filing_history WHERE accession = '0000000042-24-000003' "
                                  "AND filing_rank = 1") == 1);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM filings WHERE accession = '0000000042-24-000003' "
                                  "AND primary_document = 'exm-10ka.htm'") == 1);
    DS_CHECK(ds_test_pg_scalar(
                 c, "SELECT count(*) FROM filing_documents WHERE status = 'fetched' AND document_id IS NOT NULL") == 3);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM filing_documents WHERE accession = '0000000077-24-000009' "
                                  "AND type IN ('EX-99.1', 'EX-10.1')") == 2);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM filing_documents WHERE type LIKE 'EX-101%'") == 0);
    /* Every document queued once, processed in one attempt by one of the three workers. */
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM documents") == 6);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM work_queue") == 6);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM work_queue WHERE state = 'done' AND attempts = 1") == 6);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM documents WHERE status = 'loaded'") == 6);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM edgar_index_days WHERE status = 'read'") == 3);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM edgar_index_days WHERE status = 'absent'") == 2);
    DS_CHECK(
        ds_test_pg_scalar(
            c,
            "SELECT count(*) FROM edgar_index_days WHERE day = (now() AT TIME ZONE 'UTC')::date - 3 AND matched = 1") ==
        1);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM runs WHERE kind = 'nightly' AND status = 'ok'") == 1);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM runs WHERE kind = 'worker' AND status = 'ok'") == 1);
    char split[256];
    text(c, "SELECT string_agg(kind || ' ' || docs_loaded, ', ' ORDER BY id) FROM runs", split, sizeof split);
    printf("documents loaded per run: %s\n", split);

    /* The second night the machines swap: machine-b's nightly reads the daily index alone and
     * finds a new 8-K of 42 in today's index, published now; machine-a works the queue. Nothing
     * is fetched twice, the days read are not read again. */
    char l0[1024];
    idx_line(l0, sizeof l0, "8-K", "Example Holdings Inc", 42, day[0], "0000000042-24-000007");
    put_daily(files, day[0], l0);
    const char *r8k42[] = {"8-K", "exm-8k.htm", "8-K"};
    put_index(files, 42, "0000000042-24-000007", "8-K", iso2, r8k42, 3);
    put_doc(files, "Archives/42/000000004224000007/exm-8k.htm", NULL, "Current report: a new credit facility.");
    int idx3 = ds_test_http_hits(srv, t2);
    ds_test_http_reset_stats(srv);
    night(bin, dir, dsn, "b.yaml", "a.yaml", 2, rc);
    DS_CHECKF(rc[0] == 0 && rc[1] == 0, "second night: machine-b nightly exit %d, machine-a worker exit %d", rc[0],
              rc[1]);
    most = ds_test_http_max_in_window(srv, 1.0);
    printf("second night: %d requests, at most %d in one second\n", ds_test_http_hits(srv, NULL), most);
    DS_CHECKF(most <= 10, "%d requests in one second", most);
    check_fetched_once(srv);
    DS_CHECK(ds_test_http_hits(srv, t2) == idx3);
    DS_CHECK(ds_test_http_hits(srv, "/files/Archives/42/000000004224000007/exm-8k.htm") == 1);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM documents") == 7);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM filings") == 4);
    DS_CHECK(ds_test_pg_scalar(
                 c, "SELECT count(*) FROM filings WHERE accession = '0000000042-24-000007' AND status = 'fetched' "
                    "AND claimed_by LIKE 'machine-b:%' AND found_by = 'daily_index'") == 1);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM work_queue WHERE state = 'done' AND attempts = 1") == 7);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM edgar_index_days WHERE status = 'read'") == 4);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM edgar_index_days WHERE status = 'absent'") == 1);

    /* A dry run by the daily index: day[4]'s index appears late with a 10-Q of 77, and day[3]
     * is forgotten; the 10-Q is listed with its filing index page, the 10-K of day[3] counted as
     * already fetched, and nothing is written (no filing, no day). */
    char l4[1024], out[8192], want[512];
    idx_line(l4, sizeof l4, "10-Q", "Second Co", 77, day[4], "0000000077-24-000011");
    put_daily(files, day[4], l4);
    DS_CHECK(
        ds_test_pg_scalar(c, "WITH d AS (DELETE FROM edgar_index_days WHERE day = (now() AT TIME ZONE 'UTC')::date - 3 "
                             "RETURNING 1) SELECT count(*) FROM d") == 1);
    int drc = ds_test_sh(out, sizeof out, "cd '%s' && '%s' --config b.yaml --db '%s' --log dry.jsonl nightly --dry-run",
                         dir, bin, dsn);
    DS_CHECKF(drc == 0, "dry run exit %d: %s", drc, out);
    snprintf(want, sizeof want,
             "\n77\tSecond Co\t10-Q\t0000000077-24-000011\t%.4s-%.2s-%.2s\t"
             "http://127.0.0.1:%d/files/Archives/77/000000007724000011/0000000077-24-000011-index.htm\n",
             day[4], day[4] + 4, day[4] + 6, port);
    DS_CHECKF(strstr(out, want) != NULL, "%s", out);
    DS_CHECKF(strstr(out, "# filings to fetch: 1, already fetched: 1, fetch failures: 0\n") != NULL, "%s", out);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM filings") == 4);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM edgar_index_days") == 4);

    /* A filing of the daily index whose fetch failed is taken again the next night, though its
     * day is read; the late 10-Q is fetched with it. */
    const char *r10q[] = {"10-Q", "sc-10q.htm", "10-Q"};
    put_index(files, 77, "0000000077-24-000011", "10-Q", iso2, r10q, 3);
    put_doc(files, "Archives/77/000000007724000011/sc-10q.htm", NULL, "Quarterly report of the second company.");
    DS_CHECK(ds_test_pg_scalar(c, "WITH u AS (UPDATE filings SET status = 'failed', error_message = 'test' "
                                  "WHERE accession = '0000000042-24-000007' RETURNING 1) SELECT count(*) FROM u") == 1);
    drc = ds_test_sh(out, sizeof out, "cd '%s' && '%s' --config b.yaml --db '%s' --log n3.jsonl nightly 2>&1", dir, bin,
                     dsn);
    DS_CHECKF(drc == 0, "third night exit %d: %s", drc, out);
    DS_CHECK(ds_test_http_hits(srv, "/files/Archives/42/000000004224000007/exm-8k.htm") == 2);
    DS_CHECK(ds_test_http_hits(srv, "/files/Archives/77/000000007724000011/sc-10q.htm") == 1);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM filings WHERE status = 'fetched'") == 5);
    check_fetched_once(srv);

    PQfinish(c);
    ds_test_http_stop(srv);
    return ds_test_done();
}
