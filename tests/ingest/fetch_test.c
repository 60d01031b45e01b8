/* fetch_test.c - tests of the URL fetcher (ingest/fetch.c) against the local server of
 * tests/ingest/http_server.c: success and conditional GET across runs, retries and their
 * counts, Retry-After in both forms, timeouts, truncation, size limits, redirects, refused
 * schemes, the User-Agent rule for sec.gov, the SEC's rate page served with 200, and the
 * per-host rate limit measured in time. */
#include "ingest/fetch.h"
#include "pipeline/core/alloc.h"
#include "pipeline/core/buf.h"
#include "tests/ingest/http_server.h"
#include "tests/testlib.h"

#include <curl/curl.h>
#include <dirent.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static ds_test_http *srv;
static char base[128];
static char cache[4096];

static double mono(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static const char *url(const char *path)
{
    static char buf[8][256];
    static int k = 0;
    char *b = buf[k++ % 8];
    snprintf(b, sizeof buf[0], "%s%s", base, path);
    return b;
}

/* Options for fast functional tests: no rate limit to speak of, short waits. */
static void fast_options(ds_fetch_options *o)
{
    ds_fetch_options_default(o);
    o->user_agent = "Dossier Tests tests@example.com";
    o->cache_dir = cache;
    o->max_rps = 1000;
    o->burst = 1;
    o->backoff_base_ms = 20;
    o->backoff_max_ms = 5000;
    o->max_retries = 3;
    o->timeout_ms = 5000;
    o->connect_timeout_ms = 2000;
    o->seed = 42;
}

static ds_fetcher *make(const ds_fetch_options *o)
{
    ds_fetcher *f = NULL;
    ds_err err = {0};
    ds_status st = ds_fetcher_create(&f, o, &err);
    if (st != DS_OK)
        fprintf(stderr, "create: %s\n", err.msg);
    DS_REQUIRE(st == DS_OK && f);
    return f;
}

static char *read_body(const char *path)
{
    ds_buf b = DS_BUF_INIT;
    ds_err err = {0};
    if (!path || ds_buf_read_file(&b, path, 0, &err) != DS_OK) {
        ds_buf_deinit(&b);
        return NULL;
    }
    return ds_buf_take(&b);
}

static int body_is(const ds_fetch_result *r, const char *want)
{
    char *b = read_body(r->path);
    int ok = b && strcmp(b, want) == 0;
    ds_free(b);
    return ok;
}

/* Files in the cache folder whose name starts with prefix. */
static int count_files(const char *prefix)
{
    DIR *d = opendir(cache);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
            n++;
    if (d)
        closedir(d);
    return n;
}

/* Files in the cache folder whose name ends with suffix. */
static int count_suffix(const char *suffix)
{
    DIR *d = opendir(cache);
    int n = 0;
    struct dirent *e;
    size_t k = strlen(suffix);
    while (d && (e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l >= k && strcmp(e->d_name + l - k, suffix) == 0)
            n++;
    }
    if (d)
        closedir(d);
    return n;
}

static void test_ok_and_conditional(void)
{
    ds_fetch_options o;
    fast_options(&o);
    ds_fetcher *f = make(&o);
    ds_fetch_result r;
    ds_err err = {0};
    DS_CHECK(ds_fetcher_get(f, url("/ok"), &r, &err) == DS_OK);
    DS_CHECK(r.http_status == 200 && !r.from_cache && r.attempts == 1 && !r.throttled);
    DS_CHECK(r.n_bytes == 12 && body_is(&r, "hello world\n"));
    DS_CHECK_STREQ(r.etag, "\"v1\"");
    DS_CHECK_STREQ(r.last_modified, "Wed, 01 Jan 2025 00:00:00 GMT");
    DS_CHECK_STREQ(r.content_type, "text/plain");
    DS_CHECK_STREQ(r.final_url, url("/ok"));
    DS_CHECK(strncmp(r.path, cache, strlen(cache)) == 0);
    char first_path[4096];
    snprintf(first_path, sizeof first_path, "%s", r.path);
    ds_fetch_result_deinit(&r);
    /* The same fetcher again: conditional, 304, the cached body. */
    DS_CHECK(ds_fetcher_get(f, url("/ok"), &r, &err) == DS_OK);
    DS_CHECK(r.http_status == 304 && r.from_cache && body_is(&r, "hello world\n"));
    DS_CHECK_STREQ(r.path, first_path);
    ds_fetch_result_deinit(&r);
    ds_fetcher_free(f);

    /* A new fetcher (next run) remembers the ETag through the state file. */
    f = make(&o);
    DS_CHECK(ds_fetcher_get(f, url("/ok"), &r, &err) == DS_OK);
    DS_CHECK(r.http_status == 304 && r.from_cache && r.n_bytes == 12 && body_is(&r, "hello world\n"));
    char inm[128];
    ds_test_http_last_inm(srv, "/ok", inm, sizeof inm);
    DS_CHECK_STREQ(inm, "\"v1\"");
    DS_CHECK(ds_test_http_hits(srv, "/ok") == 3);
    /* Cached copy gone: no conditional header, a full 200 again. */
    unlink(r.path);
    ds_fetch_result_deinit(&r);
    DS_CHECK(ds_fetcher_get(f, url("/ok"), &r, &err) == DS_OK);
    DS_CHECK(r.http_status == 200 && !r.from_cache && body_is(&r, "hello world\n"));
    ds_fetch_result_deinit(&r);
    /* Last-Modified alone works too. */
    DS_CHECK(ds_fetcher_get(f, url("/lm"), &r, &err) == DS_OK && r.http_status == 200);
    ds_fetch_result_deinit(&r);
    ds_fetcher_free(f);
    f = make(&o);
    DS_CHECK(ds_fetcher_get(f, url("/lm"), &r, &err) == DS_OK);
    DS_CHECK(r.http_status == 304 && r.from_cache && body_is(&r, "by date\n"));
    ds_fetch_result_deinit(&r);
    /* The User-Agent is the declared one. */
    DS_CHECK(ds_fetcher_get(f, url("/ua"), &r, &err) == DS_OK && body_is(&r, "Dossier Tests tests@example.com"));
    ds_fetch_result_deinit(&r);
    ds_fetcher_free(f);

    /* The state file holds the URL and its validator; no temporary files are left. */
    char sp[4200];
    snprintf(sp, sizeof sp, "%s/fetch-state.tsv", cache);
    char *state = read_body(sp);
    DS_CHECK(state && strstr(state, url("/ok")) && strstr(state, "\"v1\""));
    ds_free(state);
    DS_CHECK(count_files(".part-") == 0);
}

static void test_retries(void)
{
    ds_fetch_options o;
    fast_options(&o);
    ds_fetcher *f = make(&o);
    ds_fetch_result r;
    ds_err err = {0};

    /* 500 then 200: one retry. */
    DS_CHECK(ds_fetcher_get(f, url("/flaky"), &r, &err) == DS_OK);
    DS_CHECK(r.attempts == 2 && r.http_status == 200 && body_is(&r, "recovered\n"));
    DS_CHECK(ds_test_http_hits(srv, "/flaky") == 2);
    ds_fetch_result_deinit(&r);

    /* Always 500: 1 + max_retries tries, with growing waits (20, 40, 80 ms, halved at worst). */
    double t0 = mono();
    DS_CHECK(ds_fetcher_get(f, url("/500"), &r, &err) == DS_ERR_HTTP);
    double dt = mono() - t0;
    DS_CHECK(r.attempts == 4 && r.http_status == 500);
    DS_CHECK(ds_test_http_hits(srv, "/500") == 4);
    DS_CHECKF(dt >= 0.065, "%.3f s", dt);
    DS_CHECK(strstr(err.msg, "status 500") != NULL);
    ds_fetch_result_deinit(&r);

    /* 404: no retry. */
    DS_CHECK(ds_fetcher_get(f, url("/404"), &r, &err) == DS_ERR_NOT_FOUND);
    DS_CHECK(r.attempts == 1 && r.http_status == 404 && ds_test_http_hits(srv, "/404") == 1);
    ds_fetch_result_deinit(&r);

    /* 429 with Retry-After: 1 (seconds): waits at least that, then succeeds. */
    t0 = mono();
    DS_CHECK(ds_fetcher_get(f, url("/429"), &r, &err) == DS_OK);
    dt = mono() - t0;
    DS_CHECK(r.attempts == 2 && r.throttled && body_is(&r, "after 429\n"));
    DS_CHECKF(dt >= 0.95 && dt < 4.0, "%.3f s", dt);
    ds_fetch_result_deinit(&r);

    /* Retry-After as an HTTP date 2 s ahead (1 s resolution: between 1 and 2 s from now). */
    t0 = mono();
    DS_CHECK(ds_fetcher_get(f, url("/429date"), &r, &err) == DS_OK);
    dt = mono() - t0;
    DS_CHECK(r.attempts == 2 && r.throttled);
    DS_CHECKF(dt >= 0.9 && dt < 4.0, "%.3f s", dt);
    ds_fetch_result_deinit(&r);

    /* Retry-After beyond backoff_max: not retried, the reason says so. */
    t0 = mono();
    DS_CHECK(ds_fetcher_get(f, url("/429long"), &r, &err) == DS_ERR_HTTP);
    DS_CHECK(r.attempts == 1 && r.throttled && r.http_status == 429);
    DS_CHECK(strstr(err.msg, "3600") != NULL);
    DS_CHECK(mono() - t0 < 3.0);
    ds_fetch_result_deinit(&r);

    /* Truncated body (Content-Length larger than what came): a network error, retried. */
    o.max_retries = 2;
    ds_fetcher *g = make(&o);
    DS_CHECK(ds_fetcher_get(g, url("/truncated"), &r, &err) == DS_ERR_NET);
    DS_CHECK(r.attempts == 3 && ds_test_http_hits(srv, "/truncated") == 3);
    ds_fetch_result_deinit(&r);
    ds_fetcher_free(g);

    /* Slow server: the total time limit cuts each try; retried once, then DS_ERR_TIMEOUT. */
    o.max_retries = 1;
    o.timeout_ms = 400;
    g = make(&o);
    t0 = mono();
    DS_CHECK(ds_fetcher_get(g, url("/slow"), &r, &err) == DS_ERR_TIMEOUT);
    dt = mono() - t0;
    DS_CHECK(r.attempts == 2);
    DS_CHECKF(dt >= 0.8 && dt < 3.5, "%.3f s", dt);
    ds_fetch_result_deinit(&r);
    ds_fetcher_free(g);
    ds_fetcher_free(f);
    DS_CHECK(count_files(".part-") == 0);
}

static void test_limits_and_redirects(void)
{
    ds_fetch_options o;
    fast_options(&o);
    o.max_bytes = 1 << 20;
    ds_fetcher *f = make(&o);
    ds_fetch_result r;
    ds_err err = {0};

    /* Over the size limit, with and without a Content-Length: not retried, nothing kept. */
    DS_CHECK(ds_fetcher_get(f, url("/big"), &r, &err) == DS_ERR_TOO_LARGE);
    DS_CHECK(r.attempts == 1 && r.path == NULL);
    ds_fetch_result_deinit(&r);
    DS_CHECK(ds_fetcher_get(f, url("/bigchunked"), &r, &err) == DS_ERR_TOO_LARGE);
    DS_CHECK(r.attempts == 1);
    ds_fetch_result_deinit(&r);
    DS_CHECK(count_files(".part-") == 0);
    DS_CHECK(count_suffix("-big") == 0 && count_suffix("-bigchunked") == 0);
    /* Under a larger limit the same body comes whole. */
    ds_fetch_options o2 = o;
    o2.max_bytes = 4u << 20;
    ds_fetcher *g = make(&o2);
    DS_CHECK(ds_fetcher_get(g, url("/bigchunked"), &r, &err) == DS_OK && r.n_bytes == (2u << 20));
    ds_fetch_result_deinit(&r);
    ds_fetcher_free(g);

    /* A redirect is followed; a loop stops after max_redirects; file:// is refused. */
    DS_CHECK(ds_fetcher_get(f, url("/redirect"), &r, &err) == DS_OK);
    DS_CHECK(body_is(&r, "hello world\n") && r.attempts == 1);
    DS_CHECK_STREQ(r.final_url, url("/ok?from=redirect"));
    ds_fetch_result_deinit(&r);
    DS_CHECK(ds_fetcher_get(f, url("/loop"), &r, &err) == DS_ERR_HTTP);
    DS_CHECK(strstr(err.msg, "redirects") != NULL);
    DS_CHECK(ds_test_http_hits(srv, "/loop") == o.max_redirects + 1);
    ds_fetch_result_deinit(&r);
    DS_CHECK(ds_fetcher_get(f, url("/tofile"), &r, &err) == DS_ERR_UNSUPPORTED);
    DS_CHECK(strstr(err.msg, "file") != NULL);
    ds_fetch_result_deinit(&r);
    /* A redirect to another host is refused unless allowed; the final URL is reported. */
    DS_CHECK(ds_fetcher_get(f, url("/tohost"), &r, &err) == DS_ERR_HTTP);
    DS_CHECKF(strstr(err.msg, "another host") != NULL, "%s", err.msg);
    DS_CHECK(ds_test_http_hits(srv, "/ok?from=tohost") == 0);
    ds_fetch_result_deinit(&r);
    ds_fetch_options o3 = o;
    o3.cross_host_redirects = 1;
    ds_fetcher *h = make(&o3);
    DS_CHECK(ds_fetcher_get(h, url("/tohost"), &r, &err) == DS_OK && body_is(&r, "hello world\n"));
    DS_CHECK(r.final_url && strstr(r.final_url, "http://localhost:") == r.final_url);
    ds_fetch_result_deinit(&r);
    ds_fetcher_free(h);

    /* Schemes other than http(s), and non-URLs, never reach the network. */
    uint64_t before = ds_fetcher_requests(f);
    DS_CHECK(ds_fetcher_get(f, "file:///etc/passwd", &r, &err) == DS_ERR_UNSUPPORTED);
    DS_CHECK(ds_fetcher_get(f, "ftp://127.0.0.1/x", &r, &err) == DS_ERR_UNSUPPORTED);
    DS_CHECK(ds_fetcher_get(f, "not a url", &r, &err) == DS_ERR_UNSUPPORTED);
    DS_CHECK(ds_fetcher_get(f, "", &r, &err) == DS_ERR_UNSUPPORTED);
    DS_CHECK(ds_fetcher_requests(f) == before);
    ds_fetcher_free(f);
}

static void test_sec_rules(void)
{
    ds_fetch_options o;
    fast_options(&o);
    ds_fetch_result r;
    ds_err err = {0};
    /* No declared user agent: sec.gov refused before any request. */
    o.user_agent = NULL;
    ds_fetcher *f = make(&o);
    DS_CHECK(ds_fetcher_get(f, "https://www.sec.gov/Archives/edgar/data/320193/x.txt", &r, &err) == DS_ERR_CONFIG);
    DS_CHECK(strstr(err.msg, "user agent") != NULL);
    DS_CHECK(ds_fetcher_get(f, "https://data.sec.gov/submissions/CIK0000320193.json", &r, &err) == DS_ERR_CONFIG);
    DS_CHECK(ds_fetcher_requests(f) == 0);
    /* Other hosts are fetched with the default agent. */
    DS_CHECK(ds_fetcher_get(f, url("/ua"), &r, &err) == DS_OK);
    char *ua = read_body(r.path);
    DS_CHECK(ua && strncmp(ua, "dossier/", 8) == 0);
    ds_free(ua);
    ds_fetch_result_deinit(&r);
    ds_fetcher_free(f);
    /* An agent without a contact address is not a declaration. */
    o.user_agent = "dossier";
    f = make(&o);
    DS_CHECK(ds_fetcher_get(f, "https://www.sec.gov/", &r, &err) == DS_ERR_CONFIG);
    ds_fetcher_free(f);

    if (!ds_test_shared("data/sec_responses/rate-exceeded.html")) {
        printf("skip part: sec response pages not found\n");
        return;
    }
    fast_options(&o);
    f = make(&o);
    /* The rate page served with 200 is a throttle: retried, then the real body. */
    DS_CHECK(ds_fetcher_get(f, url("/rate"), &r, &err) == DS_OK);
    DS_CHECK(r.attempts == 2 && r.throttled && body_is(&r, "fine\n"));
    ds_fetch_result_deinit(&r);
    /* Always the rate page: a failure after all tries, never a document in the cache. */
    DS_CHECK(ds_fetcher_get(f, url("/alwaysrate"), &r, &err) == DS_ERR_HTTP);
    DS_CHECK(r.attempts == 4 && r.throttled && r.http_status == 200 && r.path == NULL);
    DS_CHECK(strstr(err.msg, "throttled") != NULL);
    ds_fetch_result_deinit(&r);
    DS_CHECK(count_suffix("-alwaysrate") == 0 && count_files(".part-") == 0);
    /* The undeclared-tool page: a configuration problem, not retried. */
    DS_CHECK(ds_fetcher_get(f, url("/undeclared"), &r, &err) == DS_ERR_CONFIG);
    DS_CHECK(r.attempts == 1);
    ds_fetch_result_deinit(&r);
    ds_fetcher_free(f);
}

static void test_rate_limit(ds_test_http *other)
{
    ds_fetch_options o;
    fast_options(&o);
    o.max_rps = 10; /* the default, the SEC's limit */
    ds_fetcher *f = make(&o);
    ds_fetch_result r;
    ds_err err = {0};
    ds_test_http_reset_stats(srv);
    /* 20 requests to one host at 10/s: 19 intervals of 0.1 s at least. */
    double t0 = mono();
    int ok = 0;
    for (int i = 0; i < 20; i++) {
        char p[64];
        snprintf(p, sizeof p, "/count?i=%d", i);
        ok += ds_fetcher_get(f, url(p), &r, &err) == DS_OK;
        ds_fetch_result_deinit(&r);
    }
    double dt = mono() - t0;
    DS_CHECK(ok == 20);
    DS_CHECKF(dt >= 1.85, "20 requests at 10/s took %.3f s", dt);
    DS_CHECKF(ds_test_http_min_gap(srv) >= 0.08, "closest requests %.3f s apart", ds_test_http_min_gap(srv));
    printf("rate limit: 20 requests to one host at 10/s took %.3f s (closest %.3f s apart)\n", dt,
           ds_test_http_min_gap(srv));
    ds_fetcher_free(f);

    /* Two hosts: each has its own bucket, so 10 + 10 requests take about half as long. */
    if (!other) {
        printf("skip part: no second loopback address\n");
        return;
    }
    f = make(&o);
    char other_base[128];
    snprintf(other_base, sizeof other_base, "http://127.0.0.2:%d", ds_test_http_port(other));
    t0 = mono();
    ok = 0;
    for (int i = 0; i < 20; i++) {
        char u[256];
        snprintf(u, sizeof u, "%s/count?two=%d", i % 2 ? other_base : base, i);
        ok += ds_fetcher_get(f, u, &r, &err) == DS_OK;
        ds_fetch_result_deinit(&r);
    }
    dt = mono() - t0;
    DS_CHECK(ok == 20);
    /* one limit shared by both hosts would need at least 1.9 s; the margin is for a loaded machine */
    DS_CHECKF(dt >= 0.85 && dt < 1.85, "10 + 10 requests on two hosts took %.3f s", dt);
    printf("rate limit: 10 + 10 requests on two hosts at 10/s each took %.3f s\n", dt);
    ds_fetcher_free(f);
}

static void test_create_errors(void)
{
    ds_fetch_options o;
    ds_fetch_options_default(&o);
    ds_fetcher *f = NULL;
    ds_err err = {0};
    DS_CHECK(ds_fetcher_create(&f, &o, &err) == DS_ERR_CONFIG && f == NULL); /* no cache folder */
    o.cache_dir = "/proc/version/cannot";
    DS_CHECK(ds_fetcher_create(&f, &o, &err) == DS_ERR_IO && f == NULL);
    o.cache_dir = cache;
    o.user_agent = "bad\r\nX-Injected: 1";
    DS_CHECK(ds_fetcher_create(&f, &o, &err) == DS_ERR_CONFIG && f == NULL);
    ds_fetcher_free(NULL);
    ds_fetch_result_deinit(NULL);
    /* A damaged state file is read as far as it makes sense. */
    char sp[4200];
    snprintf(sp, sizeof sp, "%s/damaged/fetch-state.tsv", ds_test_tmpdir());
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/damaged", ds_test_tmpdir());
    mkdir(dir, 0755);
    FILE *fp = fopen(sp, "w");
    fprintf(fp, "v1\thttp://a/x\t../../etc/passwd\t\"e\"\t\nnonsense\nv1\thttp://a/y\tfile-y\t\t\nv1\tcut");
    fclose(fp);
    ds_fetch_options_default(&o);
    o.cache_dir = dir;
    DS_CHECK(ds_fetcher_create(&f, &o, &err) == DS_OK);
    ds_fetcher_free(f);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    snprintf(cache, sizeof cache, "%s/cache/sub", ds_test_tmpdir());
    srv = ds_test_http_start("127.0.0.1", ds_test_shared("data/sec_responses/rate-exceeded.html"),
                             ds_test_shared("data/sec_responses/SEC.AutomatedTool.html"));
    DS_REQUIRE(srv);
    snprintf(base, sizeof base, "http://127.0.0.1:%d", ds_test_http_port(srv));
    ds_test_http *other = ds_test_http_start("127.0.0.2", NULL, NULL);

    test_create_errors();
    test_ok_and_conditional();
    test_retries();
    test_limits_and_redirects();
    test_sec_rules();
    test_rate_limit(other);

    ds_test_http_stop(other);
    ds_test_http_stop(srv);
    curl_global_cleanup();
    return ds_test_done();
}
