/* config.c - loads dossier's YAML configuration (libyaml event parser) and DOSSIER_* overrides.
 *
 * Owns: the key table (the one place a key is declared: name, type, field, help) and the
 * strings it stores in ds_config. Nested mappings give dotted keys ("db.dsn"). Unknown keys,
 * wrong types and out-of-range values are errors naming the key and the line.
 * Threading: not reentrant per ds_config; distinct configs are independent.
 */
#include "pipeline/config.h"

#include "pipeline/core/alloc.h"
#include "pipeline/core/redact.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef enum key_type {
    KEY_TYPE_STR,
    KEY_TYPE_INT,
    KEY_TYPE_LONG,
    KEY_TYPE_DOUBLE,
    KEY_TYPE_LIST,
    KEY_TYPE_BOOL
} key_type;

typedef struct key_def {
    const char *name;
    key_type type;
    size_t off;
    double min, max; /* numeric range */
    const char *help;
} key_def;

#define F(field) offsetof(ds_config, field)
static const key_def keys[] = {
    {"state.dir", KEY_TYPE_STR, F(state_dir), 0, 0,
     "absolute folder for relative db.pgdata and fetch.cache_dir; empty: the checkout's var/ when run from its build "
     "tree, else /var/lib/dossier (root, or writable), else ~/.local/state/dossier"},
    {"db.dsn", KEY_TYPE_STR, F(db_dsn), 0, 0,
     "libpq connection string; empty (and no PG* variables): the private cluster under db.pgdata"},
    {"db.pgdata", KEY_TYPE_STR, F(db_pgdata), 0, 0,
     "folder of the private PostgreSQL cluster (relative: under state.dir)"},
    {"db.pg_bindir", KEY_TYPE_STR, F(db_pg_bindir), 0, 0, "folder holding initdb and pg_ctl"},
    {"log.file", KEY_TYPE_STR, F(log_file), 0, 0, "log file (JSON lines); - for stderr"},
    {"log.format", KEY_TYPE_STR, F(log_format), 0, 0, "json or text"},
    {"log.level", KEY_TYPE_STR, F(log_level), 0, 0, "debug, info, warn or error"},
    {"sources.inbox", KEY_TYPE_LIST, F(inbox), 0, 0, "folders scanned recursively for documents"},
    {"sources.include", KEY_TYPE_LIST, F(include), 0, 0,
     "glob patterns a relative path must match (empty: every file)"},
    {"sources.exclude", KEY_TYPE_LIST, F(exclude), 0, 0, "glob patterns of paths to skip"},
    {"sources.url_lists", KEY_TYPE_LIST, F(url_lists), 0, 0, "files listing paths and URLs, one per line"},
    {"fetch.user_agent", KEY_TYPE_STR, F(fetch_user_agent), 0, 0,
     "declared User-Agent (sec.gov requires \"Name email\")"},
    {"fetch.max_requests_per_second", KEY_TYPE_DOUBLE, F(fetch_max_rps), 0.01, 100,
     "per host; SEC fair access allows 10"},
    {"fetch.timeout_seconds", KEY_TYPE_INT, F(fetch_timeout_s), 1, 3600, "total time limit per request"},
    {"fetch.max_bytes", KEY_TYPE_LONG, F(fetch_max_bytes), 1, 1e12, "largest download accepted"},
    {"fetch.retries", KEY_TYPE_INT, F(fetch_retries), 0, 20, "retries on 429/5xx/timeouts, with backoff"},
    {"fetch.cache_dir", KEY_TYPE_STR, F(fetch_cache_dir), 0, 0,
     "downloads and ETag/Last-Modified state (relative: under state.dir)"},
    {"fetch.cross_host_redirects", KEY_TYPE_INT, F(fetch_cross_host_redirects), 0, 1,
     "1: follow redirects to another host (0: refuse them)"},
    {"watchlist.companies", KEY_TYPE_LIST, F(watch_companies), 0, 0,
     "companies whose new filings are fetched: CIKs, tickers or company names"},
    {"watchlist.ciks", KEY_TYPE_LIST, F(watch_ciks), 0, 0,
     "older name of watchlist.companies, still read (entries of both are watched)"},
    {"watchlist.file", KEY_TYPE_STR, F(watch_file), 0, 0,
     "file of more companies (CIK, ticker or name), one a line; '#' starts a comment"},
    {"watchlist.tickers_url", KEY_TYPE_STR, F(watch_tickers_url), 0, 0,
     "the SEC's ticker file, read to map tickers and names to CIKs (at most once a day)"},
    {"watchlist.forms", KEY_TYPE_LIST, F(watch_forms), 0, 0,
     "forms wanted; empty: 10-K 10-Q 8-K 20-F 6-K (and their /A)"},
    {"watchlist.since", KEY_TYPE_STR, F(watch_since), 0, 0,
     "earliest filing date (YYYY-MM-DD) taken; empty: all listed"},
    {"watchlist.data_url", KEY_TYPE_STR, F(watch_data_url), 0, 0, "where the submissions JSON is read"},
    {"watchlist.archives_url", KEY_TYPE_STR, F(watch_archives_url), 0, 0, "where filing documents are fetched"},
    {"watchlist.discovery", KEY_TYPE_STR, F(watch_discovery), 0, 0,
     "how new filings are found: submissions (one request per company), daily_index (one per day) or both"},
    {"watchlist.daily_index_url", KEY_TYPE_STR, F(watch_daily_index_url), 0, 0,
     "where EDGAR's daily form indexes are read (YYYY/QTRn/form.YYYYMMDD.idx below it)"},
    {"watchlist.daily_index_days", KEY_TYPE_INT, F(watch_daily_index_days), 1, 366,
     "days back the daily index is read at most; days read before are not read again"},
    {"watchlist.exhibits", KEY_TYPE_BOOL, F(watch_exhibits), 0, 1,
     "true: a new filing's exhibits of watchlist.exhibit_types are fetched and enqueued too"},
    {"watchlist.exhibit_types", KEY_TYPE_LIST, F(watch_exhibit_types), 0, 0,
     "exhibit types taken (EX-99 takes EX-99.1, EX-99.2...); empty: EX-99 EX-10 EX-21"},
    {"ingest.max_bytes", KEY_TYPE_LONG, F(ingest_max_bytes), 1, 1e12, "larger inputs are rejected (too_large)"},
    {"ingest.allowed_roots", KEY_TYPE_LIST, F(ingest_allowed_roots), 0, 0,
     "folders a symbolic link in a scanned folder may lead into"},
    {"ingest.max_pages", KEY_TYPE_INT, F(ingest_max_pages), 1, 1000000, "PDFs with more pages are rejected"},
    {"ingest.parse_in_child", KEY_TYPE_INT, F(ingest_parse_in_child), 0, 1,
     "1: parse each document in a child process under the limits below (0: in the worker)"},
    {"ingest.parse_cpu_seconds", KEY_TYPE_INT, F(ingest_parse_cpu_seconds), 0, 604800,
     "CPU seconds one document's parse may use (0: no limit)"},
    {"ingest.parse_memory_mb", KEY_TYPE_LONG, F(ingest_parse_memory_mb), 0, 1 << 24,
     "MiB of memory one document's parse may add (0: no limit)"},
    {"chunk.tokenizer", KEY_TYPE_STR, F(tokenizer), 0, 0,
     "tokenizer.json sizing chunks (default: the model's, else the bundled Qwen3 one)"},
    {"chunk.target_tokens", KEY_TYPE_INT, F(chunk_target_tokens), 32, 200000, "target chunk size in model tokens"},
    {"chunk.overlap_tokens", KEY_TYPE_INT, F(chunk_overlap_tokens), 0, 10000,
     "tokens repeated between consecutive prose chunks"},
    {"model.dir", KEY_TYPE_STR, F(model_dir), 0, 0, "Hugging Face checkpoint folder; empty: rules only"},
    {"model.backend", KEY_TYPE_STR, F(model_backend), 0, 0, "auto, cpu or cuda"},
    {"model.threads", KEY_TYPE_INT, F(model_threads), 0, 1024, "CPU threads (0: all cores)"},
    {"model.segment_tokens", KEY_TYPE_INT, F(model_segment_tokens), 16, 1 << 20,
     "segmented attention: tokens per segment"},
    {"model.max_context", KEY_TYPE_INT, F(model_max_context), 512, 1 << 22, "longest context a document may use"},
    {"model.output_int4", KEY_TYPE_INT, F(model_output_int4), 0, 1,
     "1: the output layer rounded to int4 at load on the CPU (faster decoding)"},
    {"model.copy_weights", KEY_TYPE_INT, F(model_copy_weights), 0, 1,
     "1: the 16-bit weights copied onto 2 MiB pages at load on the CPU (faster decoding, more memory)"},
    {"model.max_new_tokens", KEY_TYPE_INT, F(model_max_new_tokens), 1, 1 << 16, "answer tokens per model call"},
    {"screening.threshold", KEY_TYPE_DOUBLE, F(screen_threshold), 0.5, 1.0,
     "sanctions match score that raises an alert"},
    {"run.worker_id", KEY_TYPE_STR, F(run_worker_id), 0, 0,
     "this machine's name in leases and claims (with the process id); empty: the host name"},
    {"run.workers", KEY_TYPE_INT, F(run_workers), 1, 256, "worker processes on this host"},
    {"run.lease_seconds", KEY_TYPE_INT, F(run_lease_seconds), 5, 86400,
     "queue lease length; a lapsed lease is reclaimed"},
    {"run.max_attempts", KEY_TYPE_INT, F(run_max_attempts), 1, 100, "attempts before a document is quarantined"},
    {"run.retry_base_seconds", KEY_TYPE_INT, F(run_retry_base_s), 0, 86400, "first retry delay, doubled each attempt"},
    {"run.document_seconds", KEY_TYPE_INT, F(run_document_seconds), 0, 604800,
     "wall-time budget of one document; past it the document fails (0: none)"},
    {"run.metrics_textfile", KEY_TYPE_STR, F(metrics_textfile), 0, 0,
     "Prometheus textfile to write the run summary to"},
};
#undef F
#define N_KEYS (sizeof keys / sizeof keys[0])

static char **str_field(ds_config *c, const key_def *k)
{
    return (char **)((char *)c + k->off);
}

static int set_str(char **slot, const char *v)
{
    char *d = ds_strdup(v);
    if (!d)
        return -1;
    ds_free(*slot);
    *slot = d;
    return 0;
}

void ds_config_init(ds_config *c)
{
    memset(c, 0, sizeof *c);
    set_str(&c->db_pgdata, "pg");
    set_str(&c->log_file, "-");
    set_str(&c->log_level, "info");
    set_str(&c->model_backend, "auto");
    set_str(&c->fetch_cache_dir, "cache");
    set_str(&c->watch_data_url, "https://data.sec.gov");
    set_str(&c->watch_archives_url, "https://www.sec.gov/Archives/edgar/data");
    set_str(&c->watch_tickers_url, "https://www.sec.gov/files/company_tickers.json");
    set_str(&c->watch_discovery, "submissions");
    set_str(&c->watch_daily_index_url, "https://www.sec.gov/Archives/edgar/daily-index");
    c->watch_daily_index_days = 7;
    c->fetch_max_rps = 10.0;
    c->fetch_timeout_s = 120;
    c->fetch_max_bytes = 512L << 20;
    c->fetch_retries = 5;
    c->ingest_max_bytes = 256L << 20;
    c->ingest_max_pages = 5000;
    c->ingest_parse_in_child = 1;
    c->ingest_parse_cpu_seconds = 600;
    c->ingest_parse_memory_mb = 4096;
    c->chunk_target_tokens = 512;
    c->chunk_overlap_tokens = 64;
    c->model_segment_tokens = 2048;
    c->model_max_context = 200000;
    c->model_max_new_tokens = 512;
    c->screen_threshold = 0.88;
    c->run_workers = 1;
    c->run_lease_seconds = 600;
    c->run_max_attempts = 3;
    c->run_retry_base_s = 60;
    c->run_document_seconds = 1800;
}

void ds_config_deinit(ds_config *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < N_KEYS; i++) {
        if (keys[i].type == KEY_TYPE_STR) {
            ds_free(*str_field(c, &keys[i]));
        } else if (keys[i].type == KEY_TYPE_LIST) {
            ds_str_list *l = (ds_str_list *)((char *)c + keys[i].off);
            for (int j = 0; j < l->n; j++)
                ds_free(l->v[j]);
            l->n = 0;
        }
    }
    memset(c, 0, sizeof *c);
}

static const key_def *find_key(const char *name)
{
    for (size_t i = 0; i < N_KEYS; i++)
        if (strcmp(keys[i].name, name) == 0)
            return &keys[i];
    return NULL;
}

/* Is name the prefix of some key followed by '.' (a section like "db")? */
static int is_section(const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < N_KEYS; i++)
        if (strncmp(keys[i].name, name, n) == 0 && keys[i].name[n] == '.')
            return 1;
    return 0;
}

/* Stores a scalar into key k; where says where it came from for messages. */
static ds_status set_value(ds_config *c, const key_def *k, const char *v, const char *where, ds_err *err)
{
    char *end;
    errno = 0;
    switch (k->type) {
    case KEY_TYPE_STR:
        if (set_str(str_field(c, k), v))
            return ds_err_set(err, DS_ERR_NOMEM, "out of memory");
        if (strcmp(k->name, "log.format") == 0 && strcmp(v, "json") && strcmp(v, "text"))
            return ds_err_set(err, DS_ERR_CONFIG, "%s: log.format must be json or text, not \"%s\"", where, v);
        if (strcmp(k->name, "log.level") == 0 && strcmp(v, "debug") && strcmp(v, "info") && strcmp(v, "warn") &&
            strcmp(v, "error"))
            return ds_err_set(err, DS_ERR_CONFIG, "%s: log.level must be debug, info, warn or error, not \"%s\"", where,
                              v);
        if (strcmp(k->name, "watchlist.discovery") == 0 && strcmp(v, "submissions") && strcmp(v, "daily_index") &&
            strcmp(v, "both"))
            return ds_err_set(err, DS_ERR_CONFIG,
                              "%s: watchlist.discovery must be submissions, daily_index or both, not \"%s\"", where, v);
        if (strcmp(k->name, "model.backend") == 0 && strcmp(v, "auto") && strcmp(v, "cpu") && strcmp(v, "cuda"))
            return ds_err_set(err, DS_ERR_CONFIG, "%s: model.backend must be auto, cpu or cuda, not \"%s\"", where, v);
        return DS_OK;
    case KEY_TYPE_INT:
    case KEY_TYPE_LONG: {
        long long x = strtoll(v, &end, 10);
        if (end == v || *end || errno || x < (long long)k->min || x > (long long)k->max)
            return ds_err_set(err, DS_ERR_CONFIG, "%s: %s must be an integer from %.0f to %.0f, not \"%s\"", where,
                              k->name, k->min, k->max, v);
        if (k->type == KEY_TYPE_INT)
            *(int *)((char *)c + k->off) = (int)x;
        else
            *(long *)((char *)c + k->off) = (long)x;
        return DS_OK;
    }
    case KEY_TYPE_DOUBLE: {
        double x = strtod(v, &end);
        if (end == v || *end || errno || x < k->min || x > k->max)
            return ds_err_set(err, DS_ERR_CONFIG, "%s: %s must be a number from %g to %g, not \"%s\"", where, k->name,
                              k->min, k->max, v);
        *(double *)((char *)c + k->off) = x;
        return DS_OK;
    }
    case KEY_TYPE_BOOL: {
        int t = !strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "on") || !strcmp(v, "1");
        int f = !strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "off") || !strcmp(v, "0");
        if (!t && !f)
            return ds_err_set(err, DS_ERR_CONFIG, "%s: %s must be true or false, not \"%s\"", where, k->name, v);
        *(int *)((char *)c + k->off) = t;
        return DS_OK;
    }
    case KEY_TYPE_LIST: {
        ds_str_list *l = (ds_str_list *)((char *)c + k->off);
        if (l->n >= DS_CONFIG_MAX_LIST)
            return ds_err_set(err, DS_ERR_CONFIG, "%s: %s holds more than %d items", where, k->name,
                              DS_CONFIG_MAX_LIST);
        if (!(l->v[l->n] = ds_strdup(v)))
            return ds_err_set(err, DS_ERR_NOMEM, "out of memory");
        l->n++;
        return DS_OK;
    }
    }
    return DS_ERR_INTERNAL;
}

static void clear_list(ds_config *c, const key_def *k)
{
    ds_str_list *l = (ds_str_list *)((char *)c + k->off);
    for (int j = 0; j < l->n; j++)
        ds_free(l->v[j]);
    l->n = 0;
}

/* Parser state: a stack of mapping prefixes. */
typedef struct yaml_walk {
    yaml_parser_t p;
    const char *path;
    ds_config *cfg;
    ds_err *err;
} yaml_walk;

static ds_status next_event(yaml_walk *w, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&w->p, ev))
        return ds_err_set(w->err, DS_ERR_CONFIG, "%s:%zu: yaml error: %s", w->path, w->p.problem_mark.line + 1,
                          w->p.problem ? w->p.problem : "syntax error");
    return DS_OK;
}

static ds_status walk_mapping(yaml_walk *w, const char *prefix);

static ds_status walk_value(yaml_walk *w, const char *key, size_t line)
{
    yaml_event_t ev;
    char where[600];
    snprintf(where, sizeof where, "%s:%zu", w->path, line);
    ds_status st = next_event(w, &ev);
    if (st)
        return st;
    const key_def *k = find_key(key);
    if (ev.type == YAML_MAPPING_START_EVENT) {
        yaml_event_delete(&ev);
        if (!is_section(key))
            return ds_err_set(w->err, DS_ERR_CONFIG, "%s: unknown section \"%s\"", where, key);
        return walk_mapping(w, key);
    }
    if (!k) {
        yaml_event_delete(&ev);
        return ds_err_set(w->err, DS_ERR_CONFIG, "%s: unknown key \"%s\"%s", where, key,
                          is_section(key) ? " (a section: expected a mapping)" : "");
    }
    if (ev.type == YAML_SCALAR_EVENT) {
        if (k->type == KEY_TYPE_LIST)
            clear_list(w->cfg, k);
        st = set_value(w->cfg, k, (const char *)ev.data.scalar.value, where, w->err);
        yaml_event_delete(&ev);
        return st;
    }
    if (ev.type == YAML_SEQUENCE_START_EVENT && k->type == KEY_TYPE_LIST) {
        yaml_event_delete(&ev);
        clear_list(w->cfg, k);
        for (;;) {
            if ((st = next_event(w, &ev)))
                return st;
            if (ev.type == YAML_SEQUENCE_END_EVENT) {
                yaml_event_delete(&ev);
                return DS_OK;
            }
            if (ev.type != YAML_SCALAR_EVENT) {
                yaml_event_delete(&ev);
                return ds_err_set(w->err, DS_ERR_CONFIG, "%s: %s must be a list of strings", where, key);
            }
            snprintf(where, sizeof where, "%s:%zu", w->path, ev.start_mark.line + 1);
            st = set_value(w->cfg, k, (const char *)ev.data.scalar.value, where, w->err);
            yaml_event_delete(&ev);
            if (st)
                return st;
        }
    }
    yaml_event_delete(&ev);
    return ds_err_set(w->err, DS_ERR_CONFIG, "%s: %s must be %s", where, key,
                      k->type == KEY_TYPE_LIST ? "a list or a single string" : "a single value");
}

static ds_status walk_mapping(yaml_walk *w, const char *prefix)
{
    for (;;) {
        yaml_event_t ev;
        ds_status st = next_event(w, &ev);
        if (st)
            return st;
        if (ev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&ev);
            return DS_OK;
        }
        if (ev.type != YAML_SCALAR_EVENT) {
            size_t line = ev.start_mark.line + 1;
            yaml_event_delete(&ev);
            return ds_err_set(w->err, DS_ERR_CONFIG, "%s:%zu: expected a key", w->path, line);
        }
        char key[256];
        snprintf(key, sizeof key, "%s%s%s", prefix, *prefix ? "." : "", (const char *)ev.data.scalar.value);
        size_t line = ev.start_mark.line + 1;
        yaml_event_delete(&ev);
        if ((st = walk_value(w, key, line)))
            return st;
    }
}

static ds_status load_file(ds_config *cfg, const char *path, ds_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return ds_err_set(err, DS_ERR_CONFIG, "cannot open config %s: %s", path, strerror(errno));
    yaml_walk w = {.path = path, .cfg = cfg, .err = err};
    if (!yaml_parser_initialize(&w.p)) {
        fclose(f);
        return ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    }
    yaml_parser_set_input_file(&w.p, f);
    ds_status st = DS_OK;
    yaml_event_t ev;
    int depth_doc = 0;
    while (st == DS_OK) {
        if ((st = next_event(&w, &ev)))
            break;
        yaml_event_type_t t = ev.type;
        size_t line = ev.start_mark.line + 1;
        yaml_event_delete(&ev);
        if (t == YAML_STREAM_END_EVENT)
            break;
        if (t == YAML_STREAM_START_EVENT || t == YAML_DOCUMENT_END_EVENT)
            continue;
        if (t == YAML_DOCUMENT_START_EVENT) {
            if (++depth_doc > 1)
                st = ds_err_set(err, DS_ERR_CONFIG, "%s:%zu: only one YAML document is allowed", path, line);
            continue;
        }
        if (t == YAML_MAPPING_START_EVENT)
            st = walk_mapping(&w, "");
        else if (!(t == YAML_SCALAR_EVENT)) /* an empty file yields a null scalar */
            st = ds_err_set(err, DS_ERR_CONFIG, "%s:%zu: the configuration must be a mapping", path, line);
    }
    yaml_parser_delete(&w.p);
    fclose(f);
    return st;
}

/* DOSSIER_DB_DSN for db.dsn, DOSSIER_FETCH_MAX_REQUESTS_PER_SECOND for fetch.max_requests_per_second. */
static void env_name(const char *key, char *out, size_t cap)
{
    size_t o = (size_t)snprintf(out, cap, "DOSSIER_");
    for (const char *p = key; *p && o + 1 < cap; p++)
        out[o++] = *p == '.' ? '_' : (char)toupper((unsigned char)*p);
    out[o] = '\0';
}

static ds_status load_env(ds_config *cfg, ds_err *err)
{
    for (size_t i = 0; i < N_KEYS; i++) {
        char name[128];
        env_name(keys[i].name, name, sizeof name);
        const char *v = getenv(name);
        if (!v)
            continue;
        char where[160];
        snprintf(where, sizeof where, "environment %s", name);
        if (keys[i].type == KEY_TYPE_LIST) {
            /* Lists from the environment are colon-separated, like PATH. */
            clear_list(cfg, &keys[i]);
            char *copy = ds_strdup(v), *save = NULL;
            if (!copy)
                return ds_err_set(err, DS_ERR_NOMEM, "out of memory");
            ds_status st = DS_OK;
            for (char *t = strtok_r(copy, ":", &save); t && st == DS_OK; t = strtok_r(NULL, ":", &save))
                st = set_value(cfg, &keys[i], t, where, err);
            ds_free(copy);
            if (st)
                return st;
        } else {
            ds_status st = set_value(cfg, &keys[i], v, where, err);
            if (st)
                return st;
        }
    }
    return DS_OK;
}

/* Variables in the DOSSIER_ namespace read by something other than a configuration key: the
 * configuration path itself, and the job and test scripts. */
static const char *const env_extra[] = {"DOSSIER_CONFIG", "DOSSIER_BIN", "DOSSIER_WORKERS", "DOSSIER_PG_BINDIR"};

/* Edit distance of two short names (insert, delete, substitute), capped at 127 characters. */
static size_t name_distance(const char *a, const char *b)
{
    size_t la = strnlen(a, 127), lb = strnlen(b, 127), row[128];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            diag = up;
            row[j] = best;
        }
    }
    return row[lb];
}

/* Is name (NAME=value cut at '=') a variable dossier reads? Fills near with the closest known one. */
static int env_known(const char *name, char *near, size_t cap)
{
    size_t best = 3; /* suggest only a name within two edits */
    near[0] = '\0';
    for (size_t i = 0; i < N_KEYS + sizeof env_extra / sizeof env_extra[0]; i++) {
        char known[128];
        if (i < N_KEYS)
            env_name(keys[i].name, known, sizeof known);
        else
            snprintf(known, sizeof known, "%s", env_extra[i - N_KEYS]);
        size_t d = name_distance(name, known);
        if (d == 0)
            return 1;
        if (d < best) {
            best = d;
            snprintf(near, cap, "%s", known);
        }
    }
    return 0;
}

extern char **environ;

size_t ds_config_warn_unknown_env(void *file)
{
    FILE *f = file;
    size_t n = 0;
    for (char **e = environ; e && *e; e++) {
        if (strncmp(*e, "DOSSIER_", 8) != 0)
            continue;
        char name[128], near[128];
        size_t len = strcspn(*e, "=");
        snprintf(name, sizeof name, "%.*s", (int)(len < sizeof name ? len : sizeof name - 1), *e);
        if (env_known(name, near, sizeof near))
            continue;
        fprintf(f, "dossier: warning: environment variable %s is not a dossier setting and is ignored%s%s%s\n", name,
                near[0] ? " (did you mean " : "", near, near[0] ? "?)" : "");
        n++;
    }
    return n;
}

ds_status ds_config_load(ds_config *cfg, const char *path, ds_err *err)
{
    if (path) {
        ds_status st = load_file(cfg, path, err);
        if (st)
            return st;
    }
    return load_env(cfg, err);
}

void ds_config_dump(const ds_config *cfg, void *file)
{
    FILE *f = file;
    const char *section = "";
    size_t seclen = 0;
    for (size_t i = 0; i < N_KEYS; i++) {
        const key_def *k = &keys[i];
        const char *dot = strchr(k->name, '.');
        size_t sl = (size_t)(dot - k->name);
        if (sl != seclen || strncmp(section, k->name, sl) != 0) {
            fprintf(f, "%.*s:\n", (int)sl, k->name);
            section = k->name;
            seclen = sl;
        }
        fprintf(f, "  # %s\n  %s: ", k->help, dot + 1);
        const char *base = (const char *)cfg + k->off;
        switch (k->type) {
        case KEY_TYPE_STR: { /* passwords (db.dsn) are never shown */
            char shown[2048];
            ds_redact_secrets(shown, sizeof shown, *(char *const *)base);
            fprintf(f, "\"%s\"\n", shown);
            break;
        }
        case KEY_TYPE_INT: fprintf(f, "%d\n", *(const int *)base); break;
        case KEY_TYPE_BOOL: fprintf(f, "%s\n", *(const int *)base ? "true" : "false"); break;
        case KEY_TYPE_LONG: fprintf(f, "%ld\n", *(const long *)base); break;
        case KEY_TYPE_DOUBLE: fprintf(f, "%g\n", *(const double *)base); break;
        case KEY_TYPE_LIST: {
            const ds_str_list *l = (const ds_str_list *)base;
            fprintf(f, "[");
            for (int j = 0; j < l->n; j++)
                fprintf(f, "%s\"%s\"", j ? ", " : "", l->v[j]);
            fprintf(f, "]\n");
            break;
        }
        }
    }
}
