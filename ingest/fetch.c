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
    double tokens;      /* requests that may start now */
    double last;        /* when tokens was computed (monotonic seconds) */
    double not_before;  /* no request before this (after a 429 or a retry wait) */
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

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

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
        if (mkdir(p, 0777) != 0 && errno != EEXIST)
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
    char *path = state_path(f), *tmp = ds_asprintf("%s/.%s.%ld.tmp", f->cache_dir, STATE_FILE, (long)getpid());
    if (st == DS_OK && (!path || !tmp))
        st = DS_ERR_NOMEM;
    if (st == DS_OK) {
        FILE *fp = fopen(tmp, "wb");
        if (!fp || fwrite(b.data ? b.data : "", 1, b.len, fp) != b.len) {
            st = DS_ERR_IO;
        }
        if (fp && fclose(fp) != 0)
            st = DS_ERR_IO;
        if (st == DS_OK && rename(tmp, path) != 0)
            st = DS_ERR_IO;
        if (st != DS_OK)
            unlink(tmp);
    }
    ds_free(path);
    ds_free(tmp);
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
        int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
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
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                 c == '-' || c == '_';
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

static int is_sec_host(const char *host)
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
    b->last = now_s();
    b->not_before = 0;
    f->n_hosts++;
    return b;
}

/* Waits until the host's bucket allows one more request, and takes it. */
static void acquire(ds_fetcher *f, host_bucket *b)
{
    double t = now_s();
    if (t < b->not_before) {
        sleep_s(b->not_before - t);
        t = now_s();
    }
    b->tokens = fmin(f->o.burst, b->tokens + (t - b->last) * f->o.max_rps);
    b->last = t;
    if (b->tokens < 1) {
        sleep_s((1 - b->tokens) / f->o.max_rps);
        t = now_s();
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
    char *redirect;     /* Location resolved against the URL, ds_malloc'd */
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
    case CURLE_HTTP2_STREAM:
        return 1;
    default:
        return 0;
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

/* ---- the fetch --------------------------------------------------------------------------- */

ds_status ds_fetcher_get(ds_fetcher *f, const char *url, ds_fetch_result *res, ds_err *err)
{
    memset(res, 0, sizeof *res);
    char host[256];
    ds_status st = check_url(url, host, sizeof host, err);
    if (st != DS_OK)
        return st;
    if (is_sec_host(host) && (!f->ua || !strchr(f->ua, '@')))
        return ds_err_set(err, DS_ERR_CONFIG,
                          "url %s: sec.gov requires a declared user agent with a contact e-mail "
                          "(fetch.user_agent, e.g. \"Company Name admin@example.com\")",
                          url);

    entry *e = lookup(f, url);
    char *file = e ? ds_strdup(e->file) : new_file_name(f, url);
    char *cache_path = file ? ds_asprintf("%s/%s", f->cache_dir, file) : NULL;
    char *tmp = file ? ds_asprintf("%s/.part-%ld-%u-%s", f->cache_dir, (long)getpid(), f->tmp_counter++, file) : NULL;
    char *cur = ds_strdup(url);
    response r = {0};
    if (!file || !cache_path || !tmp || !cur) {
        st = ds_err_set(err, DS_ERR_NOMEM, "url %s: out of memory", url);
        goto done;
    }
    struct stat sb;
    int have_cached = e && (e->etag || e->lm) && stat(cache_path, &sb) == 0 && S_ISREG(sb.st_mode);
    const entry *cond = have_cached ? e : NULL;

    for (int attempt = 1;; attempt++) {
        res->attempts = attempt;
        double wait = 0;
        ds_status fail = DS_OK; /* this try's failure, retried when `retry` */
        int retry = 0;
        /* One try: redirect hops included. */
        int hops = 0;
        xfer x = {0};
        ds_free(cur);
        if (!(cur = ds_strdup(url))) {
            st = ds_err_set(err, DS_ERR_NOMEM, "url %s: out of memory", url);
            goto done;
        }
        for (;;) {
            char hop_host[256];
            if ((st = check_url(cur, hop_host, sizeof hop_host, err)) != DS_OK) {
                ds_err_prefix(err, "url %s: redirected", url);
                goto done;
            }
            host_bucket *b = bucket(f, hop_host);
            if (!b) {
                st = ds_err_set(err, DS_ERR_NOMEM, "url %s: out of memory", url);
                goto done;
            }
            acquire(f, b);
            memset(&x, 0, sizeof x);
            x.max = f->o.max_bytes;
            if (!(x.fp = fopen(tmp, "wb"))) {
                st = ds_err_set(err, DS_ERR_IO, "url %s: cannot write %s: %s", url, tmp, strerror(errno));
                goto done;
            }
            response_clear(&r);
            st = perform(f, cur, cond, &x, &r);
            if (fclose(x.fp) != 0)
                x.io_error = 1;
            if (st != DS_OK) {
                ds_err_set(err, st, "url %s: out of memory", url);
                goto done;
            }
            res->http_status = (int)r.status;
            if (r.rc == CURLE_OK && is_redirect(r.status) && r.redirect) {
                if (++hops > f->o.max_redirects) {
                    st = ds_err_set(err, DS_ERR_HTTP, "url %s: too many redirects (more than %d)", url,
                                    f->o.max_redirects);
                    goto done;
                }
                ds_free(cur);
                cur = r.redirect;
                r.redirect = NULL;
                continue;
            }
            break;
        }

        /* Classify the outcome of the try. */
        if (x.too_large || r.rc == CURLE_FILESIZE_EXCEEDED) {
            st = ds_err_set(err, DS_ERR_TOO_LARGE, "url %s: body over the limit of %llu bytes", url,
                            (unsigned long long)f->o.max_bytes);
            goto done;
        }
        if (x.io_error) {
            st = ds_err_set(err, DS_ERR_IO, "url %s: cannot write %s", url, tmp);
            goto done;
        }
        if (r.rc != CURLE_OK) {
            fail = r.rc == CURLE_OPERATION_TIMEDOUT ? DS_ERR_TIMEOUT : DS_ERR_NET;
            ds_err_set(err, fail, "url %s: %s", url, f->errbuf[0] ? f->errbuf : curl_easy_strerror(r.rc));
            retry = retryable_curl(r.rc);
        } else {
            sec_page page = sniff_sec_page(tmp, &r, x.n);
            if (page == SEC_PAGE_UNDECLARED) {
                res->throttled = 1;
                st = ds_err_set(err, DS_ERR_CONFIG,
                                "url %s: the sec refuses undeclared automated tools; declare a user agent "
                                "with a contact e-mail (fetch.user_agent)",
                                url);
                goto done;
            }
            if (page == SEC_PAGE_RATE || r.status == 429) {
                res->throttled = 1;
                fail = DS_ERR_HTTP;
                ds_err_set(err, fail, "url %s: throttled by the server (%s)", url,
                           page == SEC_PAGE_RATE ? "sec rate limit page" : "status 429");
                retry = 1;
            } else if (r.status >= 200 && r.status < 300) {
                if (rename(tmp, cache_path) != 0) {
                    st = ds_err_set(err, DS_ERR_IO, "url %s: cannot rename to %s: %s", url, cache_path,
                                    strerror(errno));
                    goto done;
                }
                res->n_bytes = x.n;
                res->etag = dup_or_null(r.etag);
                res->last_modified = dup_or_null(r.lm);
                /* Remember the validators (or forget stale ones) for the next run. */
                if (r.etag || r.lm || (e && (e->etag || e->lm))) {
                    entry *ne;
                    if ((st = set_entry(f, url, file, r.etag, r.lm, &ne)) != DS_OK) {
                        ds_err_set(err, st, "url %s: out of memory", url);
                        goto done;
                    }
                    append_state(f, ne);
                }
                break;
            } else if (r.status == 304) {
                unlink(tmp);
                if (!have_cached) {
                    st = ds_err_set(err, DS_ERR_HTTP, "url %s: 304 not modified, but no copy is cached", url);
                    goto done;
                }
                res->from_cache = 1;
                res->n_bytes = (uint64_t)sb.st_size;
                res->etag = dup_or_null(r.etag ? r.etag : e->etag);
                res->last_modified = dup_or_null(r.lm ? r.lm : e->lm);
                break;
            } else if (r.status == 404 || r.status == 410) {
                st = ds_err_set(err, DS_ERR_NOT_FOUND, "url %s: status %ld", url, r.status);
                goto done;
            } else {
                fail = DS_ERR_HTTP;
                ds_err_set(err, fail, "url %s: status %ld", url, r.status);
                retry = r.status == 500 || r.status == 502 || r.status == 503 || r.status == 504 ||
                        r.status == 408;
            }
        }
        unlink(tmp);
        if (!retry || attempt > f->o.max_retries) {
            st = fail;
            goto done;
        }
        /* Wait: exponential backoff with jitter, or longer when the server says so. */
        double base = (double)f->o.backoff_base_ms / 1000.0 * pow(2.0, attempt - 1);
        double cap = (double)f->o.backoff_max_ms / 1000.0;
        if (base > cap)
            base = cap;
        wait = base / 2 + rand01(f) * base / 2;
        if (r.retry_after >= 0) {
            if ((double)r.retry_after > cap) {
                st = ds_err_set(err, fail, "url %s: server asks to retry after %lld s, over the limit of %.0f s",
                                url, (long long)r.retry_after, cap);
                goto done;
            }
            if ((double)r.retry_after > wait)
                wait = (double)r.retry_after;
        }
        DS_WARN(f->o.log, "fetch", "%s: try %d failed (%s); retrying in %.2f s", url, attempt, err ? err->msg : "",
                wait);
        /* The whole host waits (a throttle or an ailing server concerns every URL there). */
        host_bucket *b = bucket(f, host);
        if (b && now_s() + wait > b->not_before)
            b->not_before = now_s() + wait;
        else if (!b)
            sleep_s(wait);
    }

    /* Success. */
    res->path = ds_strdup(cache_path);
    res->final_url = ds_strdup(cur);
    res->content_type = dup_or_null(r.content_type);
    if (!res->path || !res->final_url) {
        st = ds_err_set(err, DS_ERR_NOMEM, "url %s: out of memory", url);
        goto done;
    }
    st = DS_OK;
    if (err)
        ds_err_clear(err);
done:
    if (st != DS_OK && tmp)
        unlink(tmp);
    response_clear(&r);
    ds_free(file);
    ds_free(cache_path);
    ds_free(tmp);
    ds_free(cur);
    return st;
}
