/* ratelimit_test.c - the request rate limit shared through PostgreSQL: three worker processes in
 * two groups (separate cache folders and connections, one database) fetch from one local HTTP
 * server, and the server sees no more than 10 requests in any one-second window in total,
 * though each process alone would go faster; a pause set by one process (a server's
 * Retry-After, the SEC's throttle page) holds the others back; the SEC's hosts count as one. */
#include "testlib.h"

#include "ingest/fetch.h"
#include "ingest/http_server.h"
#include "pipeline/db.h"
#include "pipeline/ratelimit.h"

#include <curl/curl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WORKERS 3
#define PER_WORKER 15

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static PGconn *connect_db(const char *dsn)
{
    PGconn *c = NULL;
    ds_err err;
    ds_status st = ds_db_connect(dsn, &c, &err);
    if (st != DS_OK)
        fprintf(stderr, "%s\n", err.msg);
    DS_REQUIRE(st == DS_OK);
    return c;
}

/* A fetcher that would go at 1000 requests per second on its own, limited by the gate. */
static ds_fetcher *gated_fetcher(const char *cache, const ds_fetch_gate *gate)
{
    ds_fetch_options o;
    ds_fetch_options_default(&o);
    o.user_agent = "Dossier Tests tests@example.com";
    o.cache_dir = cache;
    o.max_rps = 1000;
    o.backoff_base_ms = 20;
    o.backoff_max_ms = 5000;
    o.timeout_ms = 5000;
    o.gate = gate;
    ds_fetcher *f = NULL;
    ds_err err;
    if (ds_fetcher_create(&f, &o, &err) != DS_OK) {
        fprintf(stderr, "fetcher: %s\n", err.msg);
        return NULL;
    }
    return f;
}

/* One worker process: its own connection, limit and fetcher; exit status 0 when every fetch
 * worked. */
static int worker(const char *dsn, const char *cache, int port, int id)
{
    PGconn *c = connect_db(dsn);
    ds_ratelimit *rl = NULL;
    ds_err err;
    if (ds_ratelimit_create(&rl, c, 10, 0, NULL, &err) != DS_OK)
        return 2;
    ds_fetcher *f = gated_fetcher(cache, ds_ratelimit_gate(rl));
    int bad = f ? 0 : 1;
    for (int k = 0; f && k < PER_WORKER; k++) {
        char url[128];
        snprintf(url, sizeof url, "http://127.0.0.1:%d/count?w=%d&k=%d", port, id, k);
        ds_fetch_result r;
        if (ds_fetcher_get(f, url, &r, &err) != DS_OK) {
            fprintf(stderr, "worker %d: %s\n", id, err.msg);
            bad++;
        }
        ds_fetch_result_deinit(&r);
    }
    ds_fetcher_free(f);
    ds_ratelimit_free(rl);
    PQfinish(c);
    return bad ? 1 : 0;
}

static void test_three_workers(const char *dsn, ds_test_http *srv, const char *dir)
{
    char cache_a[2100], cache_b[2100];
    snprintf(cache_a, sizeof cache_a, "%s/host-a", dir);
    snprintf(cache_b, sizeof cache_b, "%s/host-b", dir);
    ds_test_http_reset_stats(srv);
    double t0 = mono();
    pid_t pids[WORKERS];
    for (int i = 0; i < WORKERS; i++) {
        fflush(NULL);
        pids[i] = fork();
        DS_REQUIRE(pids[i] >= 0);
        if (pids[i] == 0)
            _exit(worker(dsn, i == 2 ? cache_b : cache_a, ds_test_http_port(srv), i));
    }
    for (int i = 0; i < WORKERS; i++) {
        int ws = 0;
        DS_REQUIRE(waitpid(pids[i], &ws, 0) == pids[i]);
        DS_CHECKF(WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "worker %d status %d", i, ws);
    }
    double took = mono() - t0;
    int total = ds_test_http_hits(srv, NULL), peak = ds_test_http_max_in_window(srv, 1.0);
    printf("%d requests from %d processes in %.2f s; at most %d in any 1 s window\n", total, WORKERS, took, peak);
    DS_CHECKF(total == WORKERS * PER_WORKER, "%d requests", total);
    DS_CHECKF(peak <= 10, "%d requests in one second", peak);
    /* 45 requests at 10 per 1.1 s: four full windows at least. */
    DS_CHECKF(took >= 4.0, "took %.2f s", took);
}

/* A pause set through one connection holds back a request through another, and the SEC's
 * hosts share one limit. */
static void test_pause(const char *dsn)
{
    PGconn *a = connect_db(dsn), *b = connect_db(dsn);
    ds_ratelimit *ra = NULL, *rb = NULL;
    ds_err err;
    DS_REQUIRE(ds_ratelimit_create(&ra, a, 10, 0, NULL, &err) == DS_OK);
    DS_REQUIRE(ds_ratelimit_create(&rb, b, 10, 0, NULL, &err) == DS_OK);
    DS_CHECK_STREQ(ds_ratelimit_key("www.sec.gov"), "sec.gov");
    DS_CHECK_STREQ(ds_ratelimit_key("data.sec.gov"), "sec.gov");
    DS_CHECK_STREQ(ds_ratelimit_key("example.com"), "example.com");
    DS_CHECK_STREQ(ds_ratelimit_key("notsec.gov"), "notsec.gov");
    ds_ratelimit_pause(ra, "www.sec.gov", 1.0);
    double t0 = mono();
    DS_CHECK(ds_ratelimit_acquire(rb, "data.sec.gov", &err) == DS_OK);
    double waited = mono() - t0;
    DS_CHECKF(waited >= 0.9, "waited %.3f s", waited);
    /* Another service is not held back. */
    t0 = mono();
    DS_CHECK(ds_ratelimit_acquire(rb, "example.org", &err) == DS_OK);
    DS_CHECKF(mono() - t0 < 0.5, "waited %.3f s", mono() - t0);
    ds_ratelimit_free(ra);
    ds_ratelimit_free(rb);
    PQfinish(a);
    PQfinish(b);
}

/* A 429 with Retry-After and the SEC's rate page, met by one fetcher, pause the service for
 * everyone: the shared row records it. */
static void test_throttle_pauses_all(const char *dsn, ds_test_http *srv, const char *dir)
{
    PGconn *c = connect_db(dsn);
    ds_ratelimit *rl = NULL;
    ds_err err;
    DS_REQUIRE(ds_ratelimit_create(&rl, c, 10, 0, NULL, &err) == DS_OK);
    char cache[2100], url[128];
    snprintf(cache, sizeof cache, "%s/throttle", dir);
    ds_fetcher *f = gated_fetcher(cache, ds_ratelimit_gate(rl));
    DS_REQUIRE(f);
    const char *targets[] = {"/429", "/rate"};
    for (int i = 0; i < 2; i++) {
        PGresult *u = PQexec(c, "UPDATE fetch_rate_limits SET paused_until = NULL");
        DS_REQUIRE(PQresultStatus(u) == PGRES_COMMAND_OK);
        PQclear(u);
        snprintf(url, sizeof url, "http://127.0.0.1:%d%s", ds_test_http_port(srv), targets[i]);
        ds_fetch_result r;
        DS_CHECKF(ds_fetcher_get(f, url, &r, &err) == DS_OK, "%s: %s", targets[i], err.msg);
        DS_CHECK(r.throttled);
        ds_fetch_result_deinit(&r);
        PGresult *q = PQexec(c, "SELECT count(*) FROM fetch_rate_limits WHERE host_key = '127.0.0.1' "
                                "AND paused_until IS NOT NULL");
        DS_CHECKF(PQntuples(q) == 1 && atoi(PQgetvalue(q, 0, 0)) == 1, "%s: no shared pause", targets[i]);
        PQclear(q);
    }
    ds_fetcher_free(f);
    ds_ratelimit_free(rl);
    PQfinish(c);
}

int main(void)
{
    const char *dsn = ds_test_db_create("t_pipeline_ratelimit");
    PGconn *c = connect_db(dsn);
    ds_err err;
    DS_REQUIRE(ds_db_migrate(c, NULL, NULL, &err) == DS_OK);
    PQfinish(c);
    const char *rate = ds_test_shared("data/sec_responses/rate-exceeded.html");
    ds_test_http *srv = ds_test_http_start("127.0.0.1", rate, NULL);
    DS_REQUIRE(srv);
    char dir[2048];
    snprintf(dir, sizeof dir, "%s", ds_test_tmpdir());
    curl_global_init(CURL_GLOBAL_DEFAULT);
    test_three_workers(dsn, srv, dir);
    test_pause(dsn);
    if (rate)
        test_throttle_pauses_all(dsn, srv, dir);
    curl_global_cleanup();
    ds_test_http_stop(srv);
    return ds_test_done();
}
