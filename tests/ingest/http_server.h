/* http_server.h - a small threaded HTTP/1.1 server for the fetch tests, started by the test
 * itself on a loopback address and an ephemeral port (tests/ingest/http_server.c).
 *
 * Routes (the query string is ignored for routing but counted as part of the target):
 *   /ok            200 "hello world\n", ETag "v1", Last-Modified; 304 on If-None-Match "v1"
 *   /lm            200 "by date\n", Last-Modified only; 304 when If-Modified-Since equals it
 *   /ua            200, the request's User-Agent as the body
 *   /count         200 "n\n"
 *   /flaky         500 on the first request of a target, 200 "recovered\n" after
 *   /500           always 500
 *   /404           404
 *   /429           429 with Retry-After: 1 on the first request of a target, then 200
 *   /429date       the same with Retry-After as an HTTP date 2 s ahead
 *   /429long       always 429 with Retry-After: 3600
 *   /slow          sleeps 3 s before answering
 *   /truncated     Content-Length: 1000, 100 bytes, then closes
 *   /big           200 with Content-Length and 2 MiB of body
 *   /bigchunked    200, chunked, 2 MiB, no length
 *   /redirect      302 to /ok?from=redirect
 *   /loop          302 to /loop
 *   /tohost        302 to http://localhost:PORT/ok?from=tohost (another host name, same server)
 *   /tofile        302 to file:///etc/passwd
 *   /rate          the SEC rate page with status 200 on the first request of a target, then 200 "fine\n"
 *   /alwaysrate    always the SEC rate page with status 200
 *   /undeclared    the SEC undeclared-tool page with status 403
 *   /files/REL     the file REL under the folder set by ds_test_http_set_root, ETag from its
 *                  size, 304 on a matching If-None-Match; the first request of a target set by
 *                  ds_test_http_trap answers 429 (Retry-After: 1) or the SEC rate page instead
 * Threading: one thread accepts, one thread per connection; every connection is closed after
 * one response. All state is behind one mutex.
 */
#ifndef DS_TEST_HTTP_SERVER_H
#define DS_TEST_HTTP_SERVER_H

typedef struct ds_test_http ds_test_http;

/* Starts a server on addr ("127.0.0.1"); the SEC pages are read from the two files (NULL: the
 * routes answer 404). NULL when the address cannot be bound. */
ds_test_http *ds_test_http_start(const char *addr, const char *rate_page, const char *undeclared_page);
int ds_test_http_port(const ds_test_http *s);
/* Requests received for target ("/ok" or "/count?i=3"); -1 for all targets together. */
int ds_test_http_hits(ds_test_http *s, const char *target);
/* Smallest gap in seconds between two consecutive requests (any target) received so far;
 * a large value when fewer than two. */
double ds_test_http_min_gap(ds_test_http *s);
/* The If-None-Match header of the last request to target ("" when none). Copied into out. */
void ds_test_http_last_inm(ds_test_http *s, const char *target, char *out, int cap);
void ds_test_http_reset_stats(ds_test_http *s);
/* Serves /files/... from dir (copied; NULL: stop). */
void ds_test_http_set_root(ds_test_http *s, const char *dir);
/* Most requests received in any window of window_s seconds (half-open) since the last reset,
 * over the first 4096 requests. */
int ds_test_http_max_in_window(ds_test_http *s, double window_s);
/* The first request of target (a /files/... path) answers 429 with Retry-After: 1 (rate_page
 * 0) or the SEC rate page with status 200 (rate_page 1), the later ones the file. At most 16. */
void ds_test_http_trap(ds_test_http *s, const char *target, int rate_page);
/* Stops accepting, waits for running handlers, frees. */
void ds_test_http_stop(ds_test_http *s);

#endif
