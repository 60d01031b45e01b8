/* watchlist_resolve.c - the watchlist's entries to CIKs (see watchlist.h): entries gathered from
 * the configuration lists and the watchlist file, CIKs taken as written, tickers and names looked
 * up in the SEC's ticker file (ingest/edgar_tickers.c), which is fetched at most once a day and
 * kept in the fetch cache: its body is the fetcher's cached file for the URL, and
 * fetch.cache_dir/sec-tickers.tsv records the URL, when it was fetched and where the body is.
 * Threading: one caller at a time. */
#include "pipeline/watchlist.h"

#include "ingest/edgar_tickers.h"
#include "ingest/fetch.h"
#include "pipeline/core/alloc.h"
#include "pipeline/core/buf.h"
#include "pipeline/core/outfile.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define TICKERS_STATE "sec-tickers.tsv"
#define TICKERS_MAX_BYTES (64u << 20)
#define MAX_CANDIDATES 5

/* One entry as read, with where it was read ("watchlist.companies", "watch.txt:3"). */
typedef struct entry {
    char *text;
    char *where;
} entry;

typedef struct entries {
    entry *v;
    size_t n, cap;
} entries;

static void entries_deinit(entries *e)
{
    for (size_t i = 0; i < e->n; i++) {
        ds_free(e->v[i].text);
        ds_free(e->v[i].where);
    }
    ds_free(e->v);
    memset(e, 0, sizeof *e);
}

/* Appends s (trimmed; nothing when empty) read at where. -1 when out of memory. */
static int entries_add(entries *e, const char *s, const char *where)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    if (n == 0)
        return 0;
    if (e->n == e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 16;
        entry *v = ds_realloc(e->v, cap * sizeof *v);
        if (!v)
            return -1;
        e->v = v;
        e->cap = cap;
    }
    entry *x = &e->v[e->n];
    x->text = ds_strndup(s, n);
    x->where = ds_strdup(where);
    if (!x->text || !x->where) {
        ds_free(x->text);
        ds_free(x->where);
        return -1;
    }
    e->n++;
    return 0;
}

/* The lines of the watchlist file: one entry a line, '#' starts a comment. */
static ds_status read_file(entries *e, const char *path, ds_err *err)
{
    ds_buf b = DS_BUF_INIT;
    ds_status st = ds_buf_read_file(&b, path, 1 << 24, err);
    if (st != DS_OK) {
        ds_buf_deinit(&b);
        return ds_err_prefix(err, "watchlist.file");
    }
    size_t line = 0;
    for (char *p = b.data; st == DS_OK && p && *p;) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        line++;
        char *hash = strchr(p, '#');
        if (hash)
            *hash = '\0';
        char where[4200];
        snprintf(where, sizeof where, "%s:%zu", path, line);
        if (entries_add(e, p, where) != 0)
            st = ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", path);
        p = nl ? nl + 1 : NULL;
    }
    ds_buf_deinit(&b);
    return st;
}

/* A CIK as written: 1 to 10 digits, not all zeros, optionally after "CIK" (any case) and blanks
 * or a colon. Returns it; 0 when s is no CIK, -1 when it is digits that make no CIK. */
static long long entry_cik(const char *s)
{
    if (strncasecmp(s, "cik", 3) == 0 && (isdigit((unsigned char)s[3]) || s[3] == ' ' || s[3] == ':')) {
        s += 3;
        while (*s == ' ' || *s == ':')
            s++;
        if (!*s)
            return 0;
    }
    size_t n = 0;
    while (isdigit((unsigned char)s[n]))
        n++;
    if (n == 0 || s[n])
        return 0;
    long long v = n <= 10 ? strtoll(s, NULL, 10) : 0;
    return v > 0 ? v : -1;
}

/* When the state file says the ticker file at url was fetched (*fetched, seconds since the
 * epoch) into a body still there (path): 1, else 0. */
static int state_read(const char *cache_dir, const char *url, long long *fetched, char *path, size_t cap)
{
    char sp[4200], line[8400];
    snprintf(sp, sizeof sp, "%s/%s", cache_dir, TICKERS_STATE);
    FILE *f = fopen(sp, "r");
    if (!f)
        return 0;
    int ok = 0;
    if (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL, *t3 = t2 ? strchr(t2 + 1, '\t') : NULL;
        if (t1 && t2 && t3) {
            *t1 = *t2 = *t3 = '\0';
            char *end;
            long long when = strtoll(t1 + 1, &end, 10);
            if (strcmp(line, url) == 0 && !*end && when > 0 && strlen(t3 + 1) < cap && access(t3 + 1, R_OK) == 0) {
                *fetched = when;
                snprintf(path, cap, "%s", t3 + 1);
                ok = 1;
            }
        }
    }
    fclose(f);
    return ok;
}

/* Records that the ticker file at url was fetched at `when` into path: one line, url, seconds,
 * the UTC date for people, path, replaced atomically. */
static ds_status state_write(const char *cache_dir, const char *url, long long when, const char *path, ds_err *err)
{
    if (strpbrk(url, "\t\n") || strpbrk(path, "\t\n"))
        return ds_err_set(err, DS_ERR_UNSUPPORTED, "%s: a URL or path with a tab or newline is not recorded",
                          TICKERS_STATE);
    char sp[4200], date[32];
    snprintf(sp, sizeof sp, "%s/%s", cache_dir, TICKERS_STATE);
    time_t t = (time_t)when;
    struct tm tm;
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
    ds_outfile o;
    ds_status st = ds_outfile_begin(&o, sp, DS_MODE_PRIVATE, err);
    if (st != DS_OK)
        return st;
    fprintf(o.f, "%s\t%lld\t%s\t%s\n", url, when, date, path);
    return ds_outfile_commit(&o, err);
}

/* Seconds since the epoch as a UTC date for messages. */
static const char *utc(long long when, char *buf, size_t cap)
{
    time_t t = (time_t)when;
    struct tm tm;
    strftime(buf, cap, "%Y-%m-%d %H:%M UTC", gmtime_r(&t, &tm));
    return buf;
}

/* Fills t from the ticker file: a copy less than a day old, else a (conditional) fetch, else an
 * older copy. A fetched file that parses is recorded with its date. DS_OK with t filled;
 * DS_ERR_NOMEM; any other status: no ticker file (warned; *fetch_failed when no fetch worked). */
static ds_status load_tickers(ds_edgar_tickers *t, const ds_config *cfg, ds_fetcher *fetcher, ds_log *log,
                              int *fetch_failed)
{
    const char *url = cfg->watch_tickers_url && *cfg->watch_tickers_url ? cfg->watch_tickers_url
                                                                        : DS_WATCHLIST_TICKERS_URL;
    const char *dir = cfg->fetch_cache_dir;
    char cached[4096], date[40];
    long long fetched = 0, now = (long long)time(NULL);
    int have = state_read(dir, url, &fetched, cached, sizeof cached), fresh = 0;
    char *path = NULL;
    ds_err err;
    ds_status st = DS_OK;
    memset(t, 0, sizeof *t);
    if (have && fetched <= now + 300 && now - fetched < DS_WATCHLIST_TICKERS_MAX_AGE_S) {
        DS_INFO(log, "watchlist", "ticker file %s: the copy fetched %s (less than a day old)", url,
                utc(fetched, date, sizeof date));
        path = ds_strdup(cached);
    } else {
        ds_fetch_result res;
        memset(&res, 0, sizeof res);
        if ((st = ds_fetcher_get(fetcher, url, &res, &err)) == DS_OK) {
            if (res.from_cache)
                DS_INFO(log, "watchlist", "ticker file %s: not modified since the copy of %s", url,
                        have ? utc(fetched, date, sizeof date) : "an earlier run");
            else
                DS_INFO(log, "watchlist", "ticker file %s: fetched, %llu bytes", url, (unsigned long long)res.n_bytes);
            path = ds_strdup(res.path);
            fetched = now;
            fresh = 1;
        } else if (have) {
            DS_WARN(log, "watchlist", "ticker file %s: %s; using the copy fetched %s", url, err.msg,
                    utc(fetched, date, sizeof date));
            path = ds_strdup(cached);
            st = DS_OK;
        } else {
            DS_WARN(log, "watchlist", "ticker file %s: %s", url, err.msg);
            *fetch_failed = 1;
        }
        ds_fetch_result_deinit(&res);
        if (st != DS_OK)
            return st;
    }
    if (!path)
        return DS_ERR_NOMEM;
    ds_buf b = DS_BUF_INIT;
    st = ds_buf_read_file(&b, path, TICKERS_MAX_BYTES, &err);
    if (st == DS_OK)
        st = ds_edgar_tickers_parse(t, b.data, b.len, &err);
    ds_buf_deinit(&b);
    if (st == DS_OK) {
        DS_INFO(log, "watchlist", "ticker file %s: %zu tickers, fetched %s", url, t->n,
                utc(fetched, date, sizeof date));
        ds_err serr;
        if (fresh && state_write(dir, url, now, path, &serr) != DS_OK)
            DS_WARN(log, "watchlist", "ticker file %s: its date is not recorded (it will be fetched again): %s", url,
                    serr.msg);
    } else if (st != DS_ERR_NOMEM) {
        DS_WARN(log, "watchlist", "ticker file %s (%s): %s", url, path, err.msg);
    }
    ds_free(path);
    return st;
}

/* Adds cik for entry e (once per CIK: a later entry naming the same company is logged). */
static ds_status add_company(ds_watchlist *w, const entry *e, long long cik, const char *title, ds_watchlist_by by,
                             ds_log *log, ds_err *err)
{
    for (size_t i = 0; i < w->n; i++)
        if (w->v[i].cik == cik) {
            DS_INFO(log, "watchlist", "%s: \"%s\" is CIK %lld, as \"%s\" is already", e->where, e->text, cik,
                    w->v[i].entry);
            return DS_OK;
        }
    ds_watchlist_company *v = ds_realloc(w->v, (w->n + 1) * sizeof *v);
    if (!v)
        return ds_err_set(err, DS_ERR_NOMEM, "watchlist: out of memory");
    w->v = v;
    ds_watchlist_company *c = &w->v[w->n];
    c->cik = cik;
    c->by = by;
    c->entry = ds_strdup(e->text);
    c->title = title ? ds_strdup(title) : NULL;
    if (!c->entry || (title && !c->title)) {
        ds_free(c->entry);
        ds_free(c->title);
        return ds_err_set(err, DS_ERR_NOMEM, "watchlist: out of memory");
    }
    w->n++;
    return DS_OK;
}

/* The title of cik's first row in the ticker file, NULL when none. */
static const char *title_of(const ds_edgar_tickers *t, long long cik)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->v[i].cik == cik && t->v[i].title)
            return t->v[i].title;
    return NULL;
}

/* Warns that e names several companies, listing them. */
static void warn_ambiguous(const ds_edgar_tickers *t, const entry *e, ds_log *log)
{
    const ds_edgar_ticker *cand[MAX_CANDIDATES];
    size_t n = ds_edgar_tickers_name_matches(t, e->text, cand, MAX_CANDIDATES);
    char list[1024] = "";
    size_t o = 0;
    for (size_t i = 0; i < n && i < MAX_CANDIDATES && o + 1 < sizeof list; i++)
        o += (size_t)snprintf(list + o, sizeof list - o, "%sCIK %lld %s%s%s%s", i ? ", " : "", cand[i]->cik,
                              cand[i]->title, cand[i]->ticker ? " (" : "", cand[i]->ticker ? cand[i]->ticker : "",
                              cand[i]->ticker ? ")" : "");
    DS_WARN(log, "watchlist", "%s: \"%s\" names %zu companies: %s%s; write the CIK or the ticker instead; left out",
            e->where, e->text, n, list, n > MAX_CANDIDATES ? ", ..." : "");
}

ds_status ds_watchlist_resolve(ds_watchlist *out, const ds_config *cfg, ds_fetcher *fetcher, ds_log *log, ds_err *err)
{
    memset(out, 0, sizeof *out);
    entries e = {0};
    ds_status st = DS_OK;
    const ds_str_list *lists[] = {&cfg->watch_companies, &cfg->watch_ciks};
    const char *names[] = {"watchlist.companies", "watchlist.ciks"};
    for (int l = 0; l < 2 && st == DS_OK; l++)
        for (int i = 0; i < lists[l]->n && st == DS_OK; i++)
            if (entries_add(&e, lists[l]->v[i], names[l]) != 0)
                st = ds_err_set(err, DS_ERR_NOMEM, "watchlist: out of memory");
    if (st == DS_OK && cfg->watch_file && cfg->watch_file[0])
        st = read_file(&e, cfg->watch_file, err);
    out->entries = e.n;

    size_t lookups = 0;
    for (size_t i = 0; i < e.n; i++)
        lookups += entry_cik(e.v[i].text) == 0;
    ds_edgar_tickers t = {0};
    int have_tickers = 0;
    if (st == DS_OK && lookups) {
        ds_status ts = load_tickers(&t, cfg, fetcher, log, &out->tickers_failed);
        if (ts == DS_ERR_NOMEM)
            st = ds_err_set(err, ts, "watchlist: ticker file: out of memory");
        have_tickers = ts == DS_OK;
    }
    for (size_t i = 0; i < e.n && st == DS_OK; i++) {
        const entry *x = &e.v[i];
        long long cik = entry_cik(x->text);
        if (cik < 0) {
            DS_WARN(log, "watchlist", "%s: \"%s\" is not a CIK (1 to 10 digits, not all zeros); left out", x->where,
                    x->text);
            out->unresolved++;
            continue;
        }
        if (cik > 0) {
            DS_DEBUG(log, "watchlist", "%s: CIK %lld", x->where, cik);
            st = add_company(out, x, cik, NULL, DS_WATCHLIST_BY_CIK, log, err);
            continue;
        }
        if (!have_tickers) {
            DS_WARN(log, "watchlist", "%s: \"%s\" cannot be resolved without the ticker file; left out", x->where,
                    x->text);
            out->unresolved++;
            continue;
        }
        ds_edgar_match m = ds_edgar_tickers_lookup(&t, x->text, &cik);
        if (m == DS_EDGAR_MATCH_TICKER || m == DS_EDGAR_MATCH_NAME) {
            const char *title = title_of(&t, cik);
            DS_INFO(log, "watchlist", "%s: \"%s\" is CIK %lld (%s, by %s)", x->where, x->text, cik,
                    title ? title : "no name given", m == DS_EDGAR_MATCH_TICKER ? "ticker" : "name");
            st = add_company(out, x, cik, title,
                             m == DS_EDGAR_MATCH_TICKER ? DS_WATCHLIST_BY_TICKER : DS_WATCHLIST_BY_NAME, log, err);
        } else if (m == DS_EDGAR_MATCH_AMBIGUOUS) {
            warn_ambiguous(&t, x, log);
            out->unresolved++;
        } else {
            DS_WARN(log, "watchlist",
                    "%s: \"%s\" is no CIK, and no ticker or company name in the SEC's ticker file; left out", x->where,
                    x->text);
            out->unresolved++;
        }
    }
    ds_edgar_tickers_deinit(&t);
    entries_deinit(&e);
    if (st != DS_OK)
        ds_watchlist_deinit(out);
    return st;
}

void ds_watchlist_deinit(ds_watchlist *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->n; i++) {
        ds_free(w->v[i].entry);
        ds_free(w->v[i].title);
    }
    ds_free(w->v);
    memset(w, 0, sizeof *w);
}
