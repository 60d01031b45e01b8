/* fetch.c - the URL fetcher (see fetch.h): libcurl easy interface, one request at a time per
 * ds_fetcher, redirects followed here (not by curl) so that every hop is rate limited and its
 * scheme checked.
 *
 * Owns: the curl easy handle (connections are reused between requests), a token bucket per
 * host, the URL -> (cache file, ETag, Last-Modified) table loaded from and appended to
 * cache_dir/fetch-state.tsv, and a jitter generator; no global state apart from libcurl's
 * reference-counted global init. Threading: one thread at a time per fetcher.
 */
#include "ingest/fetch.h"

#include "pipeline/core/alloc.h"
#include "pipeline/core/buf.h"
#include "pipeline/core/clock.h"
#include "pipeline/core/outfile.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#if LIBCURL_VERSION_NUM < 0x075500
#error "libcurl 7.85 or later is needed (CURLOPT_PROTOCOLS_STR)"
#endif

#define STATE_FILE "fetch-state.tsv"
#define DEFAULT_UA "dossier/0.1"
#define SNIFF_MAX (256 * 1024) /* bodies at most this big are checked for the SEC's pages */

typedef struct host_bucket {
    char *name;
    double tokens;     /* requests that may start now */
    double last;       /* when tokens was computed (monotonic seconds) */
    double not_before; /* no request before this (after a 429 or a retry wait) */
} host_bucket;

typedef struct entry {
    char *url, *file, *etag, *lm;
} entry;

struct ds_fetcher {
    ds_fetch_options o;
    char *ua, *cache_dir;
    CURL *curl;
    host_bucket *hosts;
    size_t n_hosts, cap_hosts;
    entry *ents;
    size_t n_ents, cap_ents;
    size_t *slots; /* open-addressing table of entry index + 1, keyed by URL */
    size_t n_slots;
    uint64_t rng;
    uint64_t requests;
    unsigned tmp_counter;
    char errbuf[CURL_ERROR_SIZE];
};

/* ---- small helpers ----------------------------------------------------------------------- */

static void sleep_s(double s)
{
    if (s <= 0)
        return;
    struct timespec t;
    t.tv_sec = (time_t)s;
    t.tv_nsec = (long)((s - (double)t.tv_sec) * 1e9);
    while (nanosleep(&t, &t) == -1 && errno == EINTR) {
    }
}

static uint64_t fnv64(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return h;
}

/* xorshift64*: uniform in [0, 1). */
static double rand01(ds_fetcher *f)
{
    f->rng ^= f->rng >> 12;
    f->rng ^= f->rng << 25;
    f->rng ^= f->rng >> 27;
    return (double)((f->rng * 0x2545F4914F6CDD1Dull) >> 11) / 9007199254740992.0;
}

static int has_ctl(const char *s)
{
    for (; s && *s; s++)
        if ((unsigned char)*s < 32)
            return 1;
    return 0;
}

/* ---- options, create, free --------------------------------------------------------------- */

void ds_fetch_options_default(ds_fetch_options *o)
{
    memset(o, 0, sizeof *o);
    o->max_rps = 10;
    o->burst = 1;
    o->connect_timeout_ms = 10000;
    o->timeout_ms = 120000;
    o->max_retries = 4;
    o->backoff_base_ms = 1000;
    o->backoff_max_ms = 60000;
    o->max_redirects = 5;
}

static void entry_free(entry *e)
{
    ds_free(e->url);
    ds_free(e->file);
    ds_free(e->etag);
    ds_free(e->lm);
}

void ds_fetcher_free(ds_fetcher *f)
{
    if (!f)
        return;
    if (f->curl) {
        curl_easy_cleanup(f->curl);
        curl_global_cleanup();
    }
    for (size_t i = 0; i < f->n_hosts; i++)
        ds_free(f->hosts[i].name);
    ds_free(f->hosts);
    for (size_t i = 0; i < f->n_ents; i++)
        entry_free(&f->ents[i]);
    ds_free(f->ents);
    ds_free(f->slots);
    ds_free(f->ua);
    ds_free(f->cache_dir);
    ds_free(f);
}

/* mkdir -p */
static int make_dirs(const char *path)
{
    char *p = ds_strdup(path);
    if (!p)
        return -1;
    int rc = 0;
    for (char *s = p + 1; rc == 0; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, DS_MODE_DIR_PRIVATE) != 0 && errno != EEXIST)
            rc = -1;
        *s = c;
        if (c == '\0')
            break;
    }
    ds_free(p);
    struct stat sb;
    return rc == 0 && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode) ? 0 : -1;
}

/* ---- the URL table ----------------------------------------------------------------------- */

static entry *lookup(ds_fetcher *f, const char *url)
{
    if (!f->n_slots)
        return NULL;
    size_t j = fnv64(url) & (f->n_slots - 1);
    while (f->slots[j]) {
        entry *e = &f->ents[f->slots[j] - 1];
        if (strcmp(e->url, url) == 0)
            return e;
        j = (j + 1) & (f->n_slots - 1);
    }
    return NULL;
}

static ds_status rehash(ds_fetcher *f, size_t want)
{
    size_t n = 64;
    while (n < want * 2)
        n *= 2;
    size_t *s = ds_calloc(n, sizeof *s);
    if (!s)
        return DS_ERR_NOMEM;
    for (size_t i = 0; i < f->n_ents; i++) {
        size_t j = fnv64(f->ents[i].url) & (n - 1);
        while (s[j])
            j = (j + 1) & (n - 1);
        s[j] = i + 1;
    }
    ds_free(f->slots);
    f->slots = s;
    f->n_slots = n;
    return DS_OK;
}

/* Sets url's entry (adding it when new); strings are copied, NULL clears a validator. */
static ds_status set_entry(ds_fetcher *f, const char *url, const char *file, const char *etag, const char *lm,
                           entry **out)
{
    entry *e = lookup(f, url);
    if (!e) {
        if (f->n_ents == f->cap_ents) {
            size_t c = f->cap_ents ? f->cap_ents * 2 : 64;
            entry *v = ds_realloc(f->ents, c * sizeof *v);
            if (!v)
                return DS_ERR_NOMEM;
            f->ents = v;
            f->cap_ents = c;
        }
        if ((f->n_ents + 1) * 2 > f->n_slots && rehash(f, f->n_ents + 1) != DS_OK)
            return DS_ERR_NOMEM;
        e = &f->ents[f->n_ents];
        memset(e, 0, sizeof *e);
        if (!(e->url = ds_strdup(url)))
            return DS_ERR_NOMEM;
        f->n_ents++;
        size_t j = fnv64(url) & (f->n_slots - 1);
        while (f->slots[j])
            j = (j + 1) & (f->n_slots - 1);
        f->slots[j] = f->n_ents;
    }
    char *nf = ds_strdup(file), *ne = ds_strdup(etag), *nl = ds_strdup(lm);
    if ((file && !nf) || (etag && !ne) || (lm && !nl)) {
        ds_free(nf);
        ds_free(ne);
        ds_free(nl);
        return DS_ERR_NOMEM;
    }
    ds_free(e->file);
    ds_free(e->etag);
    ds_free(e->lm);
    e->file = nf;
    e->etag = ne;
    e->lm = nl;
    if (out)
        *out = e;
    return DS_OK;
}

static int safe_file_name(const char *s)
{
    return s && s[0] && s[0] != '.' && !strchr(s, '/') && strlen(s) < 200;
}

static char *state_path(const ds_fetcher *f)
{
    return ds_asprintf("%s/%s", f->cache_dir, STATE_FILE);
}

static ds_status write_line(ds_buf *b, const entry *e)
{
    return ds_buf_printf(b, "v1\t%s\t%s\t%s\t%s\n", e->url, e->file, e->etag ? e->etag : "", e->lm ? e->lm : "");
}

/* Rewrites the state file with one line per URL (temporary file, then rename). */
static ds_status compact_state(ds_fetcher *f)
{
    ds_buf b = DS_BUF_INIT;
    ds_status st = DS_OK;
    for (size_t i = 0; i < f->n_ents && st == DS_OK; i++)
        st = write_line(&b, &f->ents[i]);
    char *path = state_path(f);
    if (st == DS_OK && !path)
        st = DS_ERR_NOMEM;
    ds_outfile o;
    ds_err oerr;
    if (st == DS_OK && (st = ds_outfile_begin(&o, path, DS_MODE_PRIVATE, &oerr)) == DS_OK) {
        if (fwrite(b.data ? b.data : "", 1, b.len, o.f) != b.len) {
            ds_outfile_abort(&o);
            st = DS_ERR_IO;
        } else {
            st = ds_outfile_commit(&o, &oerr);
        }
    }
    ds_free(path);
    ds_buf_deinit(&b);
    return st;
}

static ds_status load_state(ds_fetcher *f, ds_err *err)
{
    char *path = state_path(f);
    if (!path)
        return ds_err_set(err, DS_ERR_NOMEM, "fetch state: out of memory");
    struct stat sb;
    if (stat(path, &sb) != 0) {
        ds_free(path);
        return DS_OK; /* first run */
    }
    ds_buf b = DS_BUF_INIT;
    ds_status st = ds_buf_read_file(&b, path, (size_t)1 << 30, err);
    size_t lines = 0;
    for (char *p = b.data; st == DS_OK && p && *p;) {
        char *nl = strchr(p, '\n');
        if (!nl)
            break; /* a line cut short by a crash: ignored */
        *nl = '\0';
        lines++;
        char *fld[5] = {0};
        int k = 0;
        for (char *s = p; k < 5; k++) {
            fld[k] = s;
            char *t = strchr(s, '\t');
            if (!t) {
                k++;
                break;
            }
            *t = '\0';
            s = t + 1;
        }
        if (k == 5 && strcmp(fld[0], "v1") == 0 && fld[1][0] && safe_file_name(fld[2]))
            st = set_entry(f, fld[1], fld[2], fld[3][0] ? fld[3] : NULL, fld[4][0] ? fld[4] : NULL, NULL);
        p = nl + 1;
    }
    ds_buf_deinit(&b);
    if (st == DS_OK && lines > 2 * f->n_ents + 64)
        st = compact_state(f); /* best effort: a failure only leaves a longer file */
    if (st == DS_ERR_IO)
        st = DS_OK;
    if (st != DS_OK && err && err->code == DS_OK)
        ds_err_set(err, st, "fetch state %s: cannot read", path);
    ds_free(path);
    return st;
}

/* Appends one line for e (one write on an O_APPEND descriptor). */
static void append_state(ds_fetcher *f, const entry *e)
{
    ds_buf b = DS_BUF_INIT;
    char *path = state_path(f);
    if (path && write_line(&b, e) == DS_OK) {
        int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, DS_MODE_PRIVATE);
        if (fd >= 0) {
            if (write(fd, b.data, b.len) != (ssize_t)b.len)
                DS_WARN(f->o.log, "fetch", "cannot append to %s: %s", path, strerror(errno));
            close(fd);
        }
    }
    ds_free(path);
    ds_buf_deinit(&b);
}

/* The cache file name of a new URL: hash, then the last path segment made safe. */
static char *new_file_name(ds_fetcher *f, const char *url)
{
    const char *end = url + strcspn(url, "?#");
    const char *seg = end;
    while (seg > url && seg[-1] != '/')
        seg--;
    char tail[81];
    size_t k = 0;
    for (const char *p = seg; p < end && k < sizeof tail - 1; p++) {
        char c = *p;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
                 c == '_';
        tail[k++] = ok ? c : '_';
    }
    tail[k] = '\0';
    if (k == 0 || (k <= 2 && tail[0] == '.'))
        strcpy(tail, "body");
    uint64_t h = fnv64(url);
    for (unsigned n = 0;; n++) {
        char *name = n ? ds_asprintf("%016llx-%u-%s", (unsigned long long)h, n, tail)
                       : ds_asprintf("%016llx-%s", (unsigned long long)h, tail);
        if (!name)
            return NULL;
        int used = 0;
        for (size_t i = 0; i < f->n_ents && !used; i++)
            used = f->ents[i].file && strcmp(f->ents[i].file, name) == 0;
        if (!used)
            return name;
        ds_free(name);
    }
}

ds_status ds_fetcher_create(ds_fetcher **out, const ds_fetch_options *o, ds_err *err)
{
    *out = NULL;
    if (!o || !o->cache_dir || !o->cache_dir[0])
        return ds_err_set(err, DS_ERR_CONFIG, "fetch: no cache folder (fetch.cache_dir)");
    if (has_ctl(o->user_agent))
        return ds_err_set(err, DS_ERR_CONFIG, "fetch: user agent holds control characters");
    ds_fetcher *f = ds_calloc(1, sizeof *f);
    if (!f)
        return ds_err_set(err, DS_ERR_NOMEM, "fetch: out of memory");
    f->o = *o;
    ds_fetch_options d;
    ds_fetch_options_default(&d);
    if (!(f->o.max_rps > 0))
        f->o.max_rps = d.max_rps;
    if (!(f->o.burst >= 1))
        f->o.burst = d.burst;
    if (f->o.connect_timeout_ms <= 0)
        f->o.connect_timeout_ms = d.connect_timeout_ms;
    if (f->o.timeout_ms <= 0)
        f->o.timeout_ms = d.timeout_ms;
    if (f->o.max_retries < 0)
        f->o.max_retries = 0;
    if (f->o.backoff_base_ms <= 0)
        f->o.backoff_base_ms = d.backoff_base_ms;
    if (f->o.backoff_max_ms <= 0)
        f->o.backoff_max_ms = d.backoff_max_ms;
    if (f->o.max_redirects <= 0)
        f->o.max_redirects = d.max_redirects;
    f->rng = o->seed ? o->seed : ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid() ^ 0x9E3779B97F4A7C15ull;
    f->ua = o->user_agent && o->user_agent[0] ? ds_strdup(o->user_agent) : NULL;
    f->cache_dir = ds_strdup(o->cache_dir);
    if ((o->user_agent && o->user_agent[0] && !f->ua) || !f->cache_dir) {
        ds_fetcher_free(f);
        return ds_err_set(err, DS_ERR_NOMEM, "fetch: out of memory");
    }
    f->o.user_agent = f->ua;
    f->o.cache_dir = f->cache_dir;
    size_t cl = strlen(f->cache_dir);
    while (cl > 1 && f->cache_dir[cl - 1] == '/')
        f->cache_dir[--cl] = '\0';
    if (make_dirs(f->cache_dir) != 0) {
        ds_status st = ds_err_set(err, DS_ERR_IO, "fetch: cache folder %s: %s", f->cache_dir, strerror(errno));
        ds_fetcher_free(f);
        return st;
    }
    ds_status st = load_state(f, err);
    if (st != DS_OK) {
        ds_fetcher_free(f);
        return st;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        ds_fetcher_free(f);
        return ds_err_set(err, DS_ERR_NET, "fetch: libcurl initialisation failed");
    }
    if (!(f->curl = curl_easy_init())) {
        curl_global_cleanup();
        ds_fetcher_free(f);
        return ds_err_set(err, DS_ERR_NOMEM, "fetch: cannot create a curl handle");
    }
    *out = f;
    return DS_OK;
}

uint64_t ds_fetcher_requests(const ds_fetcher *f)
{
    return f ? f->requests : 0;
}

void ds_fetch_result_deinit(ds_fetch_result *r)
{
    if (!r)
        return;
    ds_free(r->path);
    ds_free(r->final_url);
    ds_free(r->etag);
    ds_free(r->last_modified);
    ds_free(r->content_type);
    memset(r, 0, sizeof *r);
}

/* ---- URLs and hosts ---------------------------------------------------------------------- */

/* Checks url is http(s) with a host; the host, lower-cased, into host[cap]. */
static ds_status check_url(const char *url, char *host, size_t cap, ds_err *err)
{
    if (!url || !url[0] || has_ctl(url))
        return ds_err_set(err, DS_ERR_UNSUPPORTED, "url \"%s\": empty or holds control characters", url ? url : "");
    CURLU *u = curl_url();
    if (!u)
        return ds_err_set(err, DS_ERR_NOMEM, "url %s: out of memory", url);
    ds_status st = DS_OK;
    char *scheme = NULL, *h = NULL;
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK)
        st = ds_err_set(err, DS_ERR_UNSUPPORTED, "url %s: not a valid absolute url", url);
    else if (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0)
        st = ds_err_set(err, DS_ERR_UNSUPPORTED, "url %s: scheme %s refused (only http and https)", url, scheme);
    else if (curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK || !h[0] || strlen(h) >= cap)
        st = ds_err_set(err, DS_ERR_UNSUPPORTED, "url %s: no usable host", url);
    else {
        size_t i = 0;
        for (; h[i]; i++)
            host[i] = (char)(h[i] >= 'A' && h[i] <= 'Z' ? h[i] + 32 : h[i]);
        host[i] = '\0';
    }
    curl_free(scheme);
    curl_free(h);
    curl_url_cleanup(u);
    return st;
}

int ds_fetch_is_sec_host(const char *host)
{
    size_t n = strlen(host);
    return strcmp(host, "sec.gov") == 0 || (n > 8 && strcmp(host + n - 8, ".sec.gov") == 0);
}

static host_bucket *bucket(ds_fetcher *f, const char *host)
{
    for (size_t i = 0; i < f->n_hosts; i++)
        if (strcmp(f->hosts[i].name, host) == 0)
            return &f->hosts[i];
    if (f->n_hosts == f->cap_hosts) {
        size_t c = f->cap_hosts ? f->cap_hosts * 2 : 8;
        host_bucket *v = ds_realloc(f->hosts, c * sizeof *v);
        if (!v)
            return NULL;
        f->hosts = v;
        f->cap_hosts = c;
    }
    host_bucket *b = &f->hosts[f->n_hosts];
    if (!(b->name = ds_strdup(host)))
        return NULL;
    b->tokens = f->o.burst;
    b->last = ds_now_s();
    b->not_before = 0;
    f->n_hosts++;
    return b;
}

/* Waits until the host's bucket allows one more request, and takes it. */
static void acquire(ds_fetcher *f, host_bucket *b)
{
    double t = ds_now_s();
    if (t < b->not_before) {
        sleep_s(b->not_before - t);
        t = ds_now_s();
    }
    b->tokens = fmin(f->o.burst, b->tokens + (t - b->last) * f->o.max_rps);
    b->last = t;
    if (b->tokens < 1) {
        sleep_s((1 - b->tokens) / f->o.max_rps);
        t = ds_now_s();
        b->tokens = fmin(f->o.burst, b->tokens + (t - b->last) * f->o.max_rps);
        b->last = t;
        if (b->tokens < 1) /* woke a hair early */
            b->tokens = 1;
    }
    b->tokens -= 1;
}

/* ---- one request ------------------------------------------------------------------------- */

typedef struct xfer {
    FILE *fp;
    uint64_t n, max;
    int too_large, io_error;
} xfer;

static size_t on_write(char *p, size_t sz, size_t nm, void *ud)
{
    xfer *x = ud;
    size_t k = sz * nm;
    if (x->max && x->n + k > x->max) {
        x->too_large = 1;
        return 0;
    }
    if (fwrite(p, 1, k, x->fp) != k) {
        x->io_error = 1;
        return 0;
    }
    x->n += k;
    return k;
}

typedef struct response {
    CURLcode rc;
    long status;
    char *redirect; /* Location resolved against the URL, ds_malloc'd */
    char *etag, *lm, *content_type;
    curl_off_t retry_after; /* seconds, -1 when none */
} response;

static void response_clear(response *r)
{
    ds_free(r->redirect);
    ds_free(r->etag);
    ds_free(r->lm);
    ds_free(r->content_type);
    memset(r, 0, sizeof *r);
}

static char *header_value(CURL *c, const char *name)
{
    struct curl_header *h = NULL;
    if (curl_easy_header(c, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK || !h || !h->value || !h->value[0] ||
        has_ctl(h->value))
        return NULL;
    return ds_strdup(h->value);
}

static ds_status perform(ds_fetcher *f, const char *url, const entry *cond, xfer *x, response *r)
{
    CURL *c = f->curl;
    struct curl_slist *hdrs = NULL, *t;
    char *inm = cond && cond->etag ? ds_asprintf("If-None-Match: %s", cond->etag) : NULL;
    char *ims = cond && cond->lm ? ds_asprintf("If-Modified-Since: %s", cond->lm) : NULL;
    ds_status st = DS_OK;
    if ((cond && cond->etag && !inm) || (cond && cond->lm && !ims))
        st = DS_ERR_NOMEM;
    if (st == DS_OK && inm) {
        if (!(t = curl_slist_append(hdrs, inm)))
            st = DS_ERR_NOMEM;
        else
            hdrs = t;
    }
    if (st == DS_OK && ims) {
        if (!(t = curl_slist_append(hdrs, ims)))
            st = DS_ERR_NOMEM;
        else
            hdrs = t;
    }
    memset(r, 0, sizeof *r);
    r->retry_after = -1;
    if (st == DS_OK) {
        curl_easy_reset(c);
        f->errbuf[0] = '\0';
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
        curl_easy_setopt(c, CURLOPT_USERAGENT, f->ua ? f->ua : DEFAULT_UA);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, f->o.connect_timeout_ms);
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, f->o.timeout_ms);
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
        curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, f->errbuf);
        if (x->max)
            curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->max);
        if (hdrs)
            curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
        r->rc = curl_easy_perform(c);
        f->requests++;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
        char *loc = NULL, *ct = NULL;
        curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &loc);
        curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
        curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &r->retry_after);
        struct curl_header *ra = NULL;
        if (curl_easy_header(c, "Retry-After", 0, CURLH_HEADER, -1, &ra) != CURLHE_OK)
            r->retry_after = -1;
        r->redirect = loc ? ds_strdup(loc) : NULL;
        r->content_type = ct ? ds_strdup(ct) : NULL;
        r->etag = header_value(c, "ETag");
        r->lm = header_value(c, "Last-Modified");
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    }
    curl_slist_free_all(hdrs);
    ds_free(inm);
    ds_free(ims);
    return st;
}

/* What the SEC says in its pages; they come with status 200 (rate) or 403 (undeclared tool). */
typedef enum sec_page { SEC_PAGE_NONE, SEC_PAGE_RATE, SEC_PAGE_UNDECLARED } sec_page;

static sec_page sniff_sec_page(const char *path, const response *r, uint64_t n)
{
    if (n == 0 || n > SNIFF_MAX || (r->content_type && !strcasestr(r->content_type, "html")))
        return SEC_PAGE_NONE;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return SEC_PAGE_NONE;
    char *buf = ds_malloc((size_t)n + 1);
    size_t got = buf ? fread(buf, 1, (size_t)n, fp) : 0;
    fclose(fp);
    sec_page p = SEC_PAGE_NONE;
    if (buf) {
        buf[got] = '\0';
        /* The pages' titles: specific enough that a filing quoting them is not mistaken. */
        static const char rate[] = "SEC.gov | Request Rate Threshold Exceeded";
        static const char undeclared[] = "SEC.gov | Your Request Originates from an Undeclared Automated Tool";
        if (memmem(buf, got, rate, sizeof rate - 1))
            p = SEC_PAGE_RATE;
        else if (memmem(buf, got, undeclared, sizeof undeclared - 1))
            p = SEC_PAGE_UNDECLARED;
    }
    ds_free(buf);
    return p;
}

static int retryable_curl(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM: return 1;
    default: return 0;
    }
}

static int is_redirect(long s)
{
    return s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
}

static char *dup_or_null(const char *s)
{
    return s ? ds_strdup(s) : NULL;
}

/* ---- the fetch, step by step ------------------------------------------------------------ */

/* One URL's fetch in progress. Strings are owned (job_deinit). */
typedef struct fetch_job {
    const char *url; /* borrowed from the caller */
    char host[256];
    entry *e; /* the URL's remembered validators, NULL when new */
    char *file, *cache_path, *tmp, *cur;
    struct stat sb; /* the cached copy, when have_cached */
    int have_cached;
    const entry *cond; /* validators sent (conditional GET), NULL when none */
    xfer x;            /* the last hop's body */
    response r;        /* the last hop's response */
} fetch_job;

/* What a try came to. */
typedef enum try_outcome { TRY_DONE, TRY_FAILED, TRY_RETRY } try_outcome;

static void job_deinit(fetch_job *j)
{
    if (j->tmp)
        unlink(j->tmp);
    response_clear(&j->r);
    ds_free(j->file);
    ds_free(j->cache_path);
    ds_free(j->tmp);
    ds_free(j->cur);
}

/* Checks the URL and names its cache and temporary files. */
static ds_status job_init(ds_fetcher *f, fetch_job *j, const char *url, ds_err *err)
{
    memset(j, 0, sizeof *j);
    j->url = url;
    ds_status st = check_url(url, j->host, sizeof j->host, err);
    if (st != DS_OK)
        return st;
    if (ds_fetch_is_sec_host(j->host) && (!f->ua || !strchr(f->ua, '@')))
        return ds_err_set(err, DS_ERR_CONFIG,
                          "url %s: sec.gov requires a declared user agent with a contact e-mail "
                          "(fetch.user_agent, e.g. \"Company Name admin@example.com\")",
                          url);
    j->e = lookup(f, url);
    j->file = j->e ? ds_strdup(j->e->file) : new_file_name(f, url);
    j->cache_path = j->file ? ds_asprintf("%s/%s", f->cache_dir, j->file) : NULL;
    j->tmp = j->file ? ds_asprintf("%s/.part-%ld-%u-%s", f->cache_dir, (long)getpid(), f->tmp_counter++, j->file)
                     : NULL;
    if (!j->file || !j->cache_path || !j->tmp)
        return ds_err_set(err, DS_ERR_NOMEM, "url %s: out of memory", url);
    j->have_cached = j->e && (j->e->etag || j->e->lm) && stat(j->cache_path, &j->sb) == 0 && S_ISREG(j->sb.st_mode);
    j->cond = j->have_cached ? j->e : NULL;
    return DS_OK;
}

/* Waits for the local bucket and the shared gate, then sends one request to j->cur. */
static ds_status send_hop(ds_fetcher *f, fetch_job *j, ds_err *err)
{
    char hop_host[256];
    ds_status st = check_url(j->cur, hop_host, sizeof hop_host, err);
    if (st != DS_OK) {
        ds_err_prefix(err, "url %s: redirected", j->url);
        return st;
    }
    host_bucket *b = bucket(f, hop_host);
    if (!b)
        return ds_err_set(err, DS_ERR_NOMEM, "url %s: out of memory", j->url);
    acquire(f, b);
    if (f->o.gate && (st = f->o.gate->acquire(f->o.gate->ctx, hop_host, err)) != DS_OK) {
        ds_err_prefix(err, "url %s: shared rate limit", j->url);
        return st;
    }
    memset(&j->x, 0, sizeof j->x);
    j->x.max = f->o.max_bytes;
    if (!(j->x.fp = ds_outfile_open(j->tmp, "w", DS_MODE_PRIVATE)))
        return ds_err_set(err, DS_ERR_IO, "url %s: cannot write %s: %s", j->url, j->tmp, strerror(errno));
    response_clear(&j->r);
    st = perform(f, j->cur, j->cond, &j->x, &j->r);
    if (fclose(j->x.fp) != 0)
        j->x.io_error = 1;
    if (st != DS_OK)
        return ds_err_set(err, st, "url %s: out of memory", j->url);
    return DS_OK;
}

/* Whether redirect target b leaves the host of a. A target that is not a usable http(s) URL
 * is not judged here: the next hop refuses it with its own error. */
static int other_host(const char *a, const char *b)
{
    char ha[256], hb[256];
    ds_err e;
    return check_url(a, ha, sizeof ha, &e) == DS_OK && check_url(b, hb, sizeof hb, &e) == DS_OK &&
           strcasecmp(ha, hb) != 0;
}

/* One try: the request and its redirect hops; j->x and j->r describe the last response. */
static ds_status try_once(ds_fetcher *f, fetch_job *j, ds_fetch_result *res, ds_err *err)
{
    ds_free(j->cur);
    if (!(j->cur = ds_strdup(j->url)))
        return ds_err_set(err, DS_ERR_NOMEM, "url %s: out of memory", j->url);
    for (int hops = 0;;) {
        ds_status st = send_hop(f, j, err);
        if (st != DS_OK)
            return st;
        res->http_status = (int)j->r.status;
        if (j->r.rc != CURLE_OK || !is_redirect(j->r.status) || !j->r.redirect)
            return DS_OK;
        if (++hops > f->o.max_redirects)
            return ds_err_set(err, DS_ERR_HTTP, "url %s: too many redirects (more than %d)", j->url,
                              f->o.max_redirects);
        if (!f->o.cross_host_redirects && other_host(j->url, j->r.redirect))
            return ds_err_set(err, DS_ERR_HTTP,
                              "url %s: redirected to another host (%s); not followed "
                              "(fetch.cross_host_redirects)",
                              j->url, j->r.redirect);
        ds_free(j->cur);
        j->cur = j->r.redirect;
        j->r.redirect = NULL;
    }
}

/* A 2xx body: moved into the cache, its validators remembered for the next run. */
static ds_status keep_body(ds_fetcher *f, fetch_job *j, ds_fetch_result *res, ds_err *err)
{
    if (rename(j->tmp, j->cache_path) != 0)
        return ds_err_set(err, DS_ERR_IO, "url %s: cannot rename to %s: %s", j->url, j->cache_path, strerror(errno));
    res->n_bytes = j->x.n;
    res->etag = dup_or_null(j->r.etag);
    res->last_modified = dup_or_null(j->r.lm);
    if (j->r.etag || j->r.lm || (j->e && (j->e->etag || j->e->lm))) {
        entry *ne;
        ds_status st = set_entry(f, j->url, j->file, j->r.etag, j->r.lm, &ne);
        if (st != DS_OK)
            return ds_err_set(err, st, "url %s: out of memory", j->url);
        append_state(f, ne);
    }
    return DS_OK;
}

/* A 304: the copy from before stands. */
static ds_status keep_cached(fetch_job *j, ds_fetch_result *res, ds_err *err)
{
    unlink(j->tmp);
    if (!j->have_cached)
        return ds_err_set(err, DS_ERR_HTTP, "url %s: 304 not modified, but no copy is cached", j->url);
    res->from_cache = 1;
    res->n_bytes = (uint64_t)j->sb.st_size;
    res->etag = dup_or_null(j->r.etag ? j->r.etag : j->e->etag);
    res->last_modified = dup_or_null(j->r.lm ? j->r.lm : j->e->lm);
    return DS_OK;
}

/* Classifies a completed HTTP response. *st is the failure (TRY_FAILED, TRY_RETRY) or DS_OK. */
static try_outcome classify_http(ds_fetcher *f, fetch_job *j, ds_fetch_result *res, ds_status *st, ds_err *err)
{
    const response *r = &j->r;
    sec_page page = sniff_sec_page(j->tmp, r, j->x.n);
    if (page == SEC_PAGE_UNDECLARED) {
        res->throttled = 1;
        *st = ds_err_set(err, DS_ERR_CONFIG,
                         "url %s: the sec refuses undeclared automated tools; declare a user agent "
                         "with a contact e-mail (fetch.user_agent)",
                         j->url);
        return TRY_FAILED;
    }
    if (page == SEC_PAGE_RATE || r->status == 429) {
        res->throttled = 1;
        *st = ds_err_set(err, DS_ERR_HTTP, "url %s: throttled by the server (%s)", j->url,
                         page == SEC_PAGE_RATE ? "sec rate limit page" : "status 429");
        return TRY_RETRY;
    }
    if (r->status >= 200 && r->status < 300)
        return (*st = keep_body(f, j, res, err)) == DS_OK ? TRY_DONE : TRY_FAILED;
    if (r->status == 304)
        return (*st = keep_cached(j, res, err)) == DS_OK ? TRY_DONE : TRY_FAILED;
    if (r->status == 404 || r->status == 410) {
        *st = ds_err_set(err, DS_ERR_NOT_FOUND, "url %s: status %ld", j->url, r->status);
        return TRY_FAILED;
    }
    *st = ds_err_set(err, DS_ERR_HTTP, "url %s: status %ld", j->url, r->status);
    int retry = r->status == 500 || r->status == 502 || r->status == 503 || r->status == 504 || r->status == 408;
    return retry ? TRY_RETRY : TRY_FAILED;
}

/* Classifies the outcome of a try. */
static try_outcome classify(ds_fetcher *f, fetch_job *j, ds_fetch_result *res, ds_status *st, ds_err *err)
{
    if (j->x.too_large || j->r.rc == CURLE_FILESIZE_EXCEEDED) {
        *st = ds_err_set(err, DS_ERR_TOO_LARGE, "url %s: body over the limit of %llu bytes", j->url,
                         (unsigned long long)f->o.max_bytes);
        return TRY_FAILED;
    }
    if (j->x.io_error) {
        *st = ds_err_set(err, DS_ERR_IO, "url %s: cannot write %s", j->url, j->tmp);
        return TRY_FAILED;
    }
    if (j->r.rc != CURLE_OK) {
        *st = j->r.rc == CURLE_OPERATION_TIMEDOUT ? DS_ERR_TIMEOUT : DS_ERR_NET;
        ds_err_set(err, *st, "url %s: %s", j->url, f->errbuf[0] ? f->errbuf : curl_easy_strerror(j->r.rc));
        return retryable_curl(j->r.rc) ? TRY_RETRY : TRY_FAILED;
    }
    return classify_http(f, j, res, st, err);
}

/* Before retry `attempt`+1: exponential backoff with jitter, or longer when the server says so;
 * the whole host waits (a throttle or an ailing server concerns every URL there), and so does
 * every fetcher sharing the gate when the server asked for it. DS_OK to retry, else the
 * failure `fail` (a wait over backoff_max_ms). */
static ds_status back_off(ds_fetcher *f, fetch_job *j, int attempt, int throttled, ds_status fail, ds_err *err)
{
    double base = (double)f->o.backoff_base_ms / 1000.0 * pow(2.0, attempt - 1);
    double cap = (double)f->o.backoff_max_ms / 1000.0;
    if (base > cap)
        base = cap;
    double wait = base / 2 + rand01(f) * base / 2;
    if (j->r.retry_after >= 0) {
        if ((double)j->r.retry_after > cap)
            return ds_err_set(err, fail, "url %s: server asks to retry after %lld s, over the limit of %.0f s", j->url,
                              (long long)j->r.retry_after, cap);
        if ((double)j->r.retry_after > wait)
            wait = (double)j->r.retry_after;
    }
    DS_WARN(f->o.log, "fetch", "%s: try %d failed (%s); retrying in %.2f s", j->url, attempt, err ? err->msg : "",
            wait);
    if (f->o.gate && (throttled || j->r.retry_after >= 0))
        f->o.gate->pause(f->o.gate->ctx, j->host, wait);
    host_bucket *b = bucket(f, j->host);
    if (b && ds_now_s() + wait > b->not_before)
        b->not_before = ds_now_s() + wait;
    else if (!b)
        sleep_s(wait);
    return DS_OK;
}

/* The result's strings for a fetch that succeeded. */
static ds_status finish(fetch_job *j, ds_fetch_result *res, ds_err *err)
{
    res->path = ds_strdup(j->cache_path);
    res->final_url = ds_strdup(j->cur);
    res->content_type = dup_or_null(j->r.content_type);
    if (!res->path || !res->final_url)
        return ds_err_set(err, DS_ERR_NOMEM, "url %s: out of memory", j->url);
    if (err)
        ds_err_clear(err);
    return DS_OK;
}

ds_status ds_fetcher_get(ds_fetcher *f, const char *url, ds_fetch_result *res, ds_err *err)
{
    memset(res, 0, sizeof *res);
    fetch_job j;
    ds_status st = job_init(f, &j, url, err);
    for (int attempt = 1; st == DS_OK; attempt++) {
        res->attempts = attempt;
        if ((st = try_once(f, &j, res, err)) != DS_OK)
            break;
        try_outcome o = classify(f, &j, res, &st, err);
        if (o == TRY_DONE) {
            st = finish(&j, res, err);
            break;
        }
        unlink(j.tmp);
        if (o == TRY_FAILED || attempt > f->o.max_retries)
            break;
        st = back_off(f, &j, attempt, res->throttled, st, err);
        if (st != DS_OK)
            break;
    }
    job_deinit(&j);
    return st;
}
