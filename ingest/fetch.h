/* fetch.h - URL fetching with libcurl, polite by construction: a declared User-Agent (required
 * for sec.gov), at most N requests per second per host (token bucket per host, default 10: the
 * SEC's fair-access limit), retries with exponential backoff and jitter on 429, 5xx, timeouts
 * and dropped connections (honouring Retry-After in seconds or as an HTTP date), conditional
 * GET with the ETag/Last-Modified remembered between runs, size and time limits, TLS
 * verification always on, few redirects, http and https only. The SEC's "rate exceeded" page,
 * which it serves with status 200, counts as a throttle, never as a document.
 *
 * Files: bodies land in cache_dir (one file per URL, named from a hash of the URL and its last
 * path segment), written to a temporary name and renamed, so a reader never sees half a file;
 * validators go to cache_dir/fetch-state.tsv (one line appended per change, read at create).
 * Several processes may share a cache folder; each keeps its own rate limit unless a shared gate
 * (ds_fetch_gate, e.g. pipeline/ratelimit.c's one in PostgreSQL) is given: then every request
 * also takes a slot from the gate, and a throttle (429, Retry-After, the SEC's rate page)
 * pauses every fetcher sharing it.
 *
 * Ownership: a ds_fetcher owns its curl handle, host table and state; ds_fetch_result strings
 * are the caller's (ds_fetch_result_deinit). Threading: one thread at a time per ds_fetcher
 * (each thread may have its own). Process: call curl_global_init once in main before threads.
 */
#ifndef DS_INGEST_FETCH_H
#define DS_INGEST_FETCH_H

#include "pipeline/core/log.h"
#include "pipeline/core/status.h"

#include <stdint.h>

typedef struct ds_fetcher ds_fetcher;

/* A rate limit shared beyond one fetcher (other processes, other machines). Callbacks run on
 * the fetcher's thread; ctx is borrowed for the fetcher's lifetime. */
typedef struct ds_fetch_gate {
    /* Blocks until one request to host may start. A failure fails the fetch with its status. */
    ds_status (*acquire)(void *ctx, const char *host, ds_err *err);
    /* Every user of the gate waits `seconds` (from now) before its next request to host. */
    void (*pause)(void *ctx, const char *host, double seconds);
    void *ctx;
} ds_fetch_gate;

typedef struct ds_fetch_options {
    const char *user_agent;    /* "Company Name admin@example.com"; sec.gov needs one with an '@' */
    const char *cache_dir;     /* required; created if missing */
    double max_rps;            /* requests per second per host; 0: 10 */
    double burst;              /* requests allowed back to back; 0: 1 (even spacing) */
    long connect_timeout_ms;   /* 0: 10 s */
    long timeout_ms;           /* one whole request; 0: 120 s */
    uint64_t max_bytes;        /* body size limit (decoded); 0: none */
    int max_retries;           /* retries after the first try; default 4 */
    long backoff_base_ms;      /* wait before the first retry, doubled each time; 0: 1000 */
    long backoff_max_ms;       /* longest single wait, Retry-After included; 0: 60 s. A server
                                 asking for longer is not retried */
    int max_redirects;         /* 0: 5 */
    int cross_host_redirects;  /* 0: a redirect to another host fails the fetch; 1: followed */
    uint64_t seed;             /* jitter; 0: from the clock and pid */
    ds_log *log;               /* retries and throttles are logged here; NULL: silent */
    const ds_fetch_gate *gate; /* shared limit taken before every request too; NULL: none.
                                  Borrowed for the fetcher's lifetime */
} ds_fetch_options;

typedef struct ds_fetch_result {
    int http_status; /* status of the last response (200, 304, 404...); 0 when none came */
    char *path;      /* the body: a file under cache_dir, kept until this URL is fetched again */
    char *final_url; /* after redirects */
    char *etag;      /* NULL when the server sent none */
    char *last_modified;
    char *content_type;
    uint64_t n_bytes;
    int from_cache; /* the server said 304: path is the copy from an earlier run */
    int attempts;   /* tries for this URL, retries included (redirect hops are not tries) */
    int throttled;  /* the server asked to slow down (429, SEC rate page) at least once */
} ds_fetch_result;

/* Fills the defaults above (no user agent, no cache folder). */
void ds_fetch_options_default(ds_fetch_options *o);

/* Creates a fetcher; reads the validator state in cache_dir. Strings in o are copied. */
ds_status ds_fetcher_create(ds_fetcher **out, const ds_fetch_options *o, ds_err *err);
void ds_fetcher_free(ds_fetcher *f);

/* Fetches url into the cache. DS_OK: res->path holds the body (status 200, or 304 and the copy
 * from before). Failures: DS_ERR_UNSUPPORTED (not http/https, also after a redirect),
 * DS_ERR_CONFIG (sec.gov without a declared User-Agent, or the SEC's undeclared-tool page),
 * DS_ERR_NOT_FOUND (404, 410), DS_ERR_HTTP (other statuses, throttled to the end, too many
 * redirects), DS_ERR_TOO_LARGE, DS_ERR_TIMEOUT, DS_ERR_NET, DS_ERR_IO (cache folder). res is
 * filled as far as known in every case (caller deinits it). */
ds_status ds_fetcher_get(ds_fetcher *f, const char *url, ds_fetch_result *res, ds_err *err);

void ds_fetch_result_deinit(ds_fetch_result *r);

/* Whether host (lower case) is the SEC's: sec.gov or a name under it. The SEC counts requests
 * to all of them together. */
int ds_fetch_is_sec_host(const char *host);

/* Requests sent by this fetcher so far (every try and redirect hop). */
uint64_t ds_fetcher_requests(const ds_fetcher *f);

#endif
