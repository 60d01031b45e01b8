/* config.h - dossier's configuration: one YAML file (libyaml), DOSSIER_* environment overrides,
 * and defaults that make a fresh clone run with nothing set up.
 *
 * Owns: ds_config and every string in it (freed by ds_config_deinit). Keys are declared once in
 * the table in config.c (name, type, field, help); unknown keys and bad values are errors that
 * name the key and the line. Environment: a key "fetch.user_agent" is overridden by
 * DOSSIER_FETCH_USER_AGENT. Threading: read-only after ds_config_load.
 */
#ifndef DS_PIPELINE_CONFIG_H
#define DS_PIPELINE_CONFIG_H

#include "pipeline/core/status.h"

#include <stddef.h>

#define DS_CONFIG_MAX_LIST 32

typedef struct ds_str_list {
    char *v[DS_CONFIG_MAX_LIST];
    int n;
} ds_str_list;

typedef struct ds_config {
    /* state (pipeline/statedir.h) */
    char *state_dir; /* where relative db.pgdata and fetch.cache_dir lie; empty: chosen by rule */
    /* db */
    char *db_dsn;       /* libpq connection string; NULL/"" with no PG* env: private cluster */
    char *db_pgdata;    /* private cluster folder; relative: under the state directory (default pg) */
    char *db_pg_bindir; /* where initdb/pg_ctl live */
    /* log */
    char *log_file;   /* "-" = stderr */
    char *log_format; /* json | text */
    char *log_level;  /* debug | info | warn | error */
    /* sources */
    ds_str_list inbox;     /* folders scanned recursively */
    ds_str_list include;   /* glob patterns a file name must match (empty: all) */
    ds_str_list exclude;   /* glob patterns that skip a file */
    ds_str_list url_lists; /* files listing paths and URLs, one per line */
    /* fetch */
    char *fetch_user_agent; /* required by sec.gov: "Company Name admin@example.com" */
    double fetch_max_rps;   /* per host */
    int fetch_timeout_s;
    long fetch_max_bytes;
    int fetch_retries;
    char *fetch_cache_dir; /* downloaded files + ETag/Last-Modified state; relative: under the state directory */
    /* watchlist (pipeline/watchlist.c) */
    ds_str_list watch_companies; /* companies watched: CIKs, tickers or company names */
    ds_str_list watch_ciks;      /* the older name of watch_companies, still read (either may hold any entry) */
    char *watch_file;            /* file of entries like watch_companies', one a line ('#' comments); empty: none */
    char *watch_tickers_url;     /* the SEC's ticker file, mapping tickers and names to CIKs */
    ds_str_list watch_forms;     /* forms wanted (amendments /A follow their form); empty: the default set */
    char *watch_since;           /* earliest filing date, YYYY-MM-DD; empty: none */
    char *watch_data_url;        /* base of the submissions JSON (https://data.sec.gov) */
    char *watch_archives_url;    /* base of the filing archives (https://www.sec.gov/Archives/edgar/data) */
    char *watch_discovery;       /* submissions | daily_index | both */
    char *watch_daily_index_url; /* base of the daily form indexes (https://www.sec.gov/Archives/edgar/daily-index) */
    int watch_daily_index_days;  /* days back the daily index is read at most */
    int watch_exhibits;          /* 1: a new filing's exhibits of watch_exhibit_types are fetched too */
    ds_str_list watch_exhibit_types; /* exhibit types taken (a prefix before '.'); empty: EX-99 EX-10 EX-21 */
    /* ingest */
    long ingest_max_bytes; /* larger inputs are rejected as too_large */
    int ingest_max_pages;
    int ingest_parse_in_child;        /* 1: parse in a child process under the limits below */
    int ingest_parse_cpu_seconds;     /* RLIMIT_CPU of that child; 0: none */
    long ingest_parse_memory_mb;      /* address space it may add, MiB; 0: none */
    ds_str_list ingest_allowed_roots; /* folders symbolic links found by a scan may lead into */
    /* chunk */
    char *tokenizer; /* tokenizer.json; default: the bundled Qwen3 tokenizer */
    int chunk_target_tokens;
    int chunk_overlap_tokens;
    /* model */
    char *model_dir;          /* Hugging Face checkpoint dir; empty: rules only */
    char *model_backend;      /* auto | cpu | cuda */
    int model_threads;        /* 0: all cores */
    int model_segment_tokens; /* segmented attention segment size */
    int model_max_context;
    int model_output_int4;    /* 1: the output layer rounded to int4 at load (CPU) */
    int model_copy_weights;   /* 1: the 16-bit weights copied onto 2 MiB pages at load (CPU) */
    int model_max_new_tokens; /* answer tokens per model call */
    /* screening */
    double screen_threshold; /* 0..1 */
    /* run */
    char *run_worker_id; /* this machine's name in leases and claims; empty: the host name */
    int run_workers;
    int run_lease_seconds;
    int run_max_attempts;
    int run_retry_base_s;
    int run_document_seconds;       /* wall-time budget of one document; 0: none */
    int fetch_cross_host_redirects; /* 1: follow redirects to another host */
    char *metrics_textfile;         /* Prometheus textfile path; empty: none */
} ds_config;

/* Fills defaults. */
void ds_config_init(ds_config *cfg);
void ds_config_deinit(ds_config *cfg);
/* Loads path (NULL: defaults only) then DOSSIER_* overrides. On error, err names key and line. */
ds_status ds_config_load(ds_config *cfg, const char *path, ds_err *err);
/* Warns on file (a FILE *) about each DOSSIER_* environment variable that names no setting, with
 * the closest known name when one is near (a typo); returns how many. */
size_t ds_config_warn_unknown_env(void *file);
/* Writes every key with its value and help, as YAML (for `dossier doctor --config`). */
void ds_config_dump(const ds_config *cfg, void *file);

#endif
