/* http_server.c - the fetch tests' HTTP server (see http_server.h for the routes). Test code:
 * plain malloc and pthreads, no dossier allocation hooks (so failure injection in a test never
 * hits the server). */
#include "http_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_TARGETS 512
#define MAX_ARRIVALS 4096
#define BIG_SIZE (2u << 20)

typedef struct target_stat {
    char target[256];
    int hits;
    char inm[128];
} target_stat;

struct ds_test_http {
    int fd, port;
    pthread_t acceptor;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stopping, active;
    target_stat t[MAX_TARGETS];
    int n_t, total;
    double last_arrival, min_gap;
    double arrivals[MAX_ARRIVALS]; /* the first MAX_ARRIVALS since the last reset */
    int n_arrivals;
    char *rate_page, *undeclared_page;
    char file_root[1024]; /* /files/... are served from here ("" : none) */
    size_t rate_len, undeclared_len;
    char traps[16][256]; /* ds_test_http_trap's targets */
    int trap_rate[16], n_traps;
};

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static char *slurp(const char *path, size_t *n)
{
    *n = 0;
    if (!path)
        return NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc(len > 0 ? (size_t)len : 1);
    if (b)
        *n = fread(b, 1, (size_t)(len > 0 ? len : 0), f);
    fclose(f);
    return b;
}

static void send_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
        if (w <= 0) {
            if (w < 0 && errno == EINTR)
                continue;
            return;
        }
        c += w;
        n -= (size_t)w;
    }
}

static void respond(int fd, int status, const char *reason, const char *extra, const char *body, size_t n)
{
    char head[1024];
    int k = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nContent-Length: %zu\r\nConnection: close\r\n%s\r\n", status,
                     reason, n, extra ? extra : "");
    send_all(fd, head, (size_t)k);
    if (n)
        send_all(fd, body, n);
}

/* Records the request; returns how many times this target was requested before. */
static int record(ds_test_http *s, const char *target, const char *inm)
{
    pthread_mutex_lock(&s->mu);
    double t = mono();
    if (s->total > 0 && t - s->last_arrival < s->min_gap)
        s->min_gap = t - s->last_arrival;
    s->last_arrival = t;
    if (s->n_arrivals < MAX_ARRIVALS)
        s->arrivals[s->n_arrivals++] = t;
    s->total++;
    int before = 0;
    target_stat *ts = NULL;
    for (int i = 0; i < s->n_t; i++)
        if (strcmp(s->t[i].target, target) == 0)
            ts = &s->t[i];
    if (!ts && s->n_t < MAX_TARGETS) {
        ts = &s->t[s->n_t++];
        snprintf(ts->target, sizeof ts->target, "%.255s", target);
        ts->hits = 0;
    }
    if (ts) {
        before = ts->hits++;
        snprintf(ts->inm, sizeof ts->inm, "%.127s", inm);
    }
    pthread_mutex_unlock(&s->mu);
    return before;
}

static int stopping(ds_test_http *s)
{
    pthread_mutex_lock(&s->mu);
    int v = s->stopping;
    pthread_mutex_unlock(&s->mu);
    return v;
}

/* The value of header name in the request head (copied, trimmed), "" when absent. */
static void header(const char *req, const char *name, char *out, size_t cap)
{
    out[0] = '\0';
    size_t k = strlen(name);
    for (const char *p = strstr(req, "\r\n"); p; p = strstr(p + 2, "\r\n")) {
        const char *l = p + 2;
        if (strncasecmp(l, name, k) == 0 && l[k] == ':') {
            l += k + 1;
            while (*l == ' ')
                l++;
            size_t n = strcspn(l, "\r\n");
            if (n >= cap)
                n = cap - 1;
            memcpy(out, l, n);
            out[n] = '\0';
            return;
        }
    }
}

#define LAST_MODIFIED "Wed, 01 Jan 2025 00:00:00 GMT"

/* /files/rel: the file under file_root, with an ETag from its size; 304 when it matches. */
static void serve_file(ds_test_http *s, int fd, const char *rel, const char *inm)
{
    char full[2100], etag[64], extra[160];
    pthread_mutex_lock(&s->mu);
    snprintf(full, sizeof full, "%s/%s", s->file_root, rel);
    pthread_mutex_unlock(&s->mu);
    size_t n = 0;
    char *body = slurp(full, &n);
    if (!body) {
        respond(fd, 404, "Not Found", NULL, "no file\n", 8);
        return;
    }
    snprintf(etag, sizeof etag, "\"f%zu\"", n);
    snprintf(extra, sizeof extra, "ETag: %s\r\n", etag);
    if (strcmp(inm, etag) == 0)
        respond(fd, 304, "Not Modified", extra, NULL, 0);
    else
        respond(fd, 200, "OK", extra, body, n);
    free(body);
}

static void handle(ds_test_http *s, int fd)
{
    char req[16384];
    size_t n = 0;
    while (n < sizeof req - 1) {
        struct pollfd pf = {fd, POLLIN, 0};
        if (poll(&pf, 1, 5000) <= 0)
            return;
        ssize_t r = recv(fd, req + n, sizeof req - 1 - n, 0);
        if (r <= 0)
            return;
        n += (size_t)r;
        req[n] = '\0';
        if (strstr(req, "\r\n\r\n"))
            break;
    }
    char method[16], target[1024];
    if (sscanf(req, "%15s %1023s", method, target) != 2)
        return;
    char inm[128], ims[128], ua[512];
    header(req, "If-None-Match", inm, sizeof inm);
    header(req, "If-Modified-Since", ims, sizeof ims);
    header(req, "User-Agent", ua, sizeof ua);
    int before = record(s, target, inm);
    char path[1024];
    snprintf(path, sizeof path, "%.*s", (int)strcspn(target, "?"), target);

    if (strcmp(path, "/ok") == 0) {
        if (strcmp(inm, "\"v1\"") == 0)
            respond(fd, 304, "Not Modified", "ETag: \"v1\"\r\n", NULL, 0);
        else
            respond(fd, 200, "OK", "Content-Type: text/plain\r\nETag: \"v1\"\r\nLast-Modified: " LAST_MODIFIED "\r\n",
                    "hello world\n", 12);
    } else if (strcmp(path, "/lm") == 0) {
        if (strcmp(ims, LAST_MODIFIED) == 0)
            respond(fd, 304, "Not Modified", NULL, NULL, 0);
        else
            respond(fd, 200, "OK", "Last-Modified: " LAST_MODIFIED "\r\n", "by date\n", 8);
    } else if (strcmp(path, "/ua") == 0) {
        respond(fd, 200, "OK", NULL, ua, strlen(ua));
    } else if (strcmp(path, "/count") == 0) {
        respond(fd, 200, "OK", NULL, "n\n", 2);
    } else if (strcmp(path, "/flaky") == 0) {
        if (before == 0)
            respond(fd, 500, "Internal Server Error", NULL, "oops\n", 5);
        else
            respond(fd, 200, "OK", NULL, "recovered\n", 10);
    } else if (strcmp(path, "/500") == 0) {
        respond(fd, 500, "Internal Server Error", NULL, "oops\n", 5);
    } else if (strcmp(path, "/429") == 0 || strcmp(path, "/429date") == 0) {
        if (before > 0) {
            respond(fd, 200, "OK", NULL, "after 429\n", 10);
        } else if (strcmp(path, "/429") == 0) {
            respond(fd, 429, "Too Many Requests", "Retry-After: 1\r\n", "slow down\n", 10);
        } else {
            char extra[128], date[64];
            time_t t = time(NULL) + 2;
            struct tm g;
            gmtime_r(&t, &g);
            strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &g);
            snprintf(extra, sizeof extra, "Retry-After: %s\r\n", date);
            respond(fd, 429, "Too Many Requests", extra, "slow down\n", 10);
        }
    } else if (strcmp(path, "/429long") == 0) {
        respond(fd, 429, "Too Many Requests", "Retry-After: 3600\r\n", "slow down\n", 10);
    } else if (strcmp(path, "/404") == 0) {
        respond(fd, 404, "Not Found", NULL, "no\n", 3);
    } else if (strcmp(path, "/slow") == 0) {
        for (int i = 0; i < 60 && !stopping(s); i++)
            usleep(50000);
        respond(fd, 200, "OK", NULL, "late\n", 5);
    } else if (strcmp(path, "/truncated") == 0) {
        char body[100];
        memset(body, 't', sizeof body);
        const char *head = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n";
        send_all(fd, head, strlen(head));
        send_all(fd, body, sizeof body);
    } else if (strcmp(path, "/big") == 0 || strcmp(path, "/bigchunked") == 0) {
        char *body = malloc(BIG_SIZE);
        if (body) {
            memset(body, 'x', BIG_SIZE);
            if (strcmp(path, "/big") == 0) {
                respond(fd, 200, "OK", NULL, body, BIG_SIZE);
            } else {
                const char *head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
                send_all(fd, head, strlen(head));
                for (size_t off = 0; off < BIG_SIZE; off += 65536) {
                    char len[32];
                    int k = snprintf(len, sizeof len, "%x\r\n", 65536);
                    send_all(fd, len, (size_t)k);
                    send_all(fd, body + off, 65536);
                    send_all(fd, "\r\n", 2);
                }
                send_all(fd, "0\r\n\r\n", 5);
            }
            free(body);
        }
    } else if (strcmp(path, "/redirect") == 0) {
        respond(fd, 302, "Found", "Location: /ok?from=redirect\r\n", NULL, 0);
    } else if (strcmp(path, "/loop") == 0) {
        respond(fd, 302, "Found", "Location: /loop\r\n", NULL, 0);
    } else if (strcmp(path, "/tohost") == 0) {
        char loc[128];
        snprintf(loc, sizeof loc, "Location: http://localhost:%d/ok?from=tohost\r\n", s->port);
        respond(fd, 302, "Found", loc, NULL, 0);
    } else if (strcmp(path, "/tofile") == 0) {
        respond(fd, 302, "Found", "Location: file:///etc/passwd\r\n", NULL, 0);
    } else if ((strcmp(path, "/rate") == 0 || strcmp(path, "/alwaysrate") == 0) && s->rate_page) {
        if (before == 0 || strcmp(path, "/alwaysrate") == 0)
            respond(fd, 200, "OK", "Content-Type: text/html\r\n", s->rate_page, s->rate_len);
        else
            respond(fd, 200, "OK", "Content-Type: text/plain\r\n", "fine\n", 5);
    } else if (strcmp(path, "/undeclared") == 0 && s->undeclared_page) {
        respond(fd, 403, "Forbidden", "Content-Type: text/html\r\n", s->undeclared_page, s->undeclared_len);
    } else if (strncmp(path, "/files/", 7) == 0 && s->file_root[0] && !strstr(path, "..")) {
        int trap = -1;
        pthread_mutex_lock(&s->mu);
        for (int i = 0; i < s->n_traps && before == 0; i++)
            if (strcmp(s->traps[i], path) == 0)
                trap = s->trap_rate[i];
        pthread_mutex_unlock(&s->mu);
        if (trap == 0)
            respond(fd, 429, "Too Many Requests", "Retry-After: 1\r\n", "slow down\n", 10);
        else if (trap == 1 && s->rate_page)
            respond(fd, 200, "OK", "Content-Type: text/html\r\n", s->rate_page, s->rate_len);
        else
            serve_file(s, fd, path + 7, inm);
    } else {
        respond(fd, 404, "Not Found", NULL, "no route\n", 9);
    }
}

void ds_test_http_trap(ds_test_http *s, const char *target, int rate_page)
{
    pthread_mutex_lock(&s->mu);
    if (s->n_traps < 16) {
        snprintf(s->traps[s->n_traps], sizeof s->traps[0], "%.255s", target);
        s->trap_rate[s->n_traps++] = rate_page;
    }
    pthread_mutex_unlock(&s->mu);
}

void ds_test_http_set_root(ds_test_http *s, const char *dir)
{
    pthread_mutex_lock(&s->mu);
    snprintf(s->file_root, sizeof s->file_root, "%s", dir ? dir : "");
    pthread_mutex_unlock(&s->mu);
}

typedef struct conn {
    ds_test_http *s;
    int fd;
} conn;

static void *conn_main(void *arg)
{
    conn *c = arg;
    handle(c->s, c->fd);
    shutdown(c->fd, SHUT_WR);
    close(c->fd);
    pthread_mutex_lock(&c->s->mu);
    c->s->active--;
    pthread_cond_broadcast(&c->s->cv);
    pthread_mutex_unlock(&c->s->mu);
    free(c);
    return NULL;
}

static void *accept_main(void *arg)
{
    ds_test_http *s = arg;
    while (!stopping(s)) {
        struct pollfd pf = {s->fd, POLLIN, 0};
        if (poll(&pf, 1, 50) <= 0)
            continue;
        int fd = accept(s->fd, NULL, NULL);
        if (fd < 0)
            continue;
        conn *c = malloc(sizeof *c);
        if (!c) {
            close(fd);
            continue;
        }
        c->s = s;
        c->fd = fd;
        pthread_mutex_lock(&s->mu);
        s->active++;
        pthread_mutex_unlock(&s->mu);
        pthread_t th;
        pthread_attr_t at;
        pthread_attr_init(&at);
        pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&th, &at, conn_main, c) != 0) {
            close(fd);
            free(c);
            pthread_mutex_lock(&s->mu);
            s->active--;
            pthread_mutex_unlock(&s->mu);
        }
        pthread_attr_destroy(&at);
    }
    return NULL;
}

ds_test_http *ds_test_http_start(const char *addr, const char *rate_page, const char *undeclared_page)
{
    ds_test_http *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->min_gap = 1e9;
    s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    int one = 1;
    setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (s->fd < 0 || inet_pton(AF_INET, addr, &sa.sin_addr) != 1 ||
        bind(s->fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(s->fd, 64) != 0) {
        if (s->fd >= 0)
            close(s->fd);
        free(s);
        return NULL;
    }
    socklen_t sl = sizeof sa;
    getsockname(s->fd, (struct sockaddr *)&sa, &sl);
    s->port = ntohs(sa.sin_port);
    s->rate_page = slurp(rate_page, &s->rate_len);
    s->undeclared_page = slurp(undeclared_page, &s->undeclared_len);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    if (pthread_create(&s->acceptor, NULL, accept_main, s) != 0) {
        close(s->fd);
        free(s->rate_page);
        free(s->undeclared_page);
        free(s);
        return NULL;
    }
    return s;
}

int ds_test_http_port(const ds_test_http *s)
{
    return s->port;
}

int ds_test_http_hits(ds_test_http *s, const char *target)
{
    pthread_mutex_lock(&s->mu);
    int h = target ? 0 : s->total;
    for (int i = 0; target && i < s->n_t; i++)
        if (strcmp(s->t[i].target, target) == 0)
            h = s->t[i].hits;
    pthread_mutex_unlock(&s->mu);
    return h;
}

double ds_test_http_min_gap(ds_test_http *s)
{
    pthread_mutex_lock(&s->mu);
    double g = s->min_gap;
    pthread_mutex_unlock(&s->mu);
    return g;
}

void ds_test_http_last_inm(ds_test_http *s, const char *target, char *out, int cap)
{
    pthread_mutex_lock(&s->mu);
    out[0] = '\0';
    for (int i = 0; i < s->n_t; i++)
        if (strcmp(s->t[i].target, target) == 0)
            snprintf(out, (size_t)cap, "%s", s->t[i].inm);
    pthread_mutex_unlock(&s->mu);
}

void ds_test_http_reset_stats(ds_test_http *s)
{
    pthread_mutex_lock(&s->mu);
    s->total = 0;
    s->min_gap = 1e9;
    s->n_arrivals = 0;
    pthread_mutex_unlock(&s->mu);
}

int ds_test_http_max_in_window(ds_test_http *s, double window_s)
{
    pthread_mutex_lock(&s->mu);
    int best = 0;
    /* Arrivals are recorded in order under the mutex: a sliding window over them. */
    for (int i = 0, j = 0; j < s->n_arrivals; j++) {
        while (s->arrivals[j] - s->arrivals[i] >= window_s)
            i++;
        if (j - i + 1 > best)
            best = j - i + 1;
    }
    pthread_mutex_unlock(&s->mu);
    return best;
}

void ds_test_http_stop(ds_test_http *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->stopping = 1;
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->acceptor, NULL);
    pthread_mutex_lock(&s->mu);
    while (s->active > 0)
        pthread_cond_wait(&s->cv, &s->mu);
    pthread_mutex_unlock(&s->mu);
    close(s->fd);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    free(s->rate_page);
    free(s->undeclared_page);
    free(s);
}
