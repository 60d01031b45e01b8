/* run.h - one run of the pipeline: discovery of inputs into the work queue, claiming queued
 * documents with leases, taking each through every stage, and the run record.
 *
 * Owns: ds_run, the context of one process's part of a run (connection, run id, counters,
 * token counter). A document's processing owns its ds_document, freed when it is done.
 * Threading: a ds_run is used by one thread; parallelism is by worker processes, each with
 * its own ds_run and connection, sharing the queue through PostgreSQL.
 */
#ifndef DS_PIPELINE_RUN_H
#define DS_PIPELINE_RUN_H

#include "extract/chunker.h"
#include "pipeline/config.h"
#include "pipeline/core/log.h"
#include "pipeline/core/status.h"

#include <libpq-fe.h>
#include <stdio.h>

typedef enum ds_stage {
    DS_STAGE_READ,
    DS_STAGE_PARSE,
    DS_STAGE_CHUNK,
    DS_STAGE_EXTRACT,
    DS_STAGE_LOAD,
    DS_STAGE_COUNT_
} ds_stage;

/* Watchlist filings counted per form (an amendment with its form; other forms together) and
 * outcome; names from ds_run_filing_form_name and ds_run_filing_outcome_name. */
#define DS_FILING_FORMS 6
typedef enum ds_filing_outcome {
    DS_FILING_DISCOVERED,
    DS_FILING_FETCHED,
    DS_FILING_SKIPPED,
    DS_FILING_FAILED,
    DS_FILING_OUTCOMES_
} ds_filing_outcome;

typedef struct ds_run_stats {
    long seen, enqueued, unchanged, loaded, failed, quarantined, retried, fetched, fetch_failed;
    long waiting;          /* documents left waiting for a retry (backoff) when the run ended */
    long watch_unresolved; /* watchlist entries naming no company, or several (left out) */
    long filings[DS_FILING_FORMS][DS_FILING_OUTCOMES_]; /* watchlist */
    long long pages, chunks, facts, tokens, bytes;
    double stage_s[DS_STAGE_COUNT_];
    /* the model backend (zero without model.dir) */
    long model_calls, model_unparsed, model_truncated, model_salvaged, model_closed_early, model_cut_items;
    long long model_prompt_tokens, model_answer_tokens;
    double model_s;
    long model_windows, model_dropped, model_grown; /* dropped: by the grounding check or malformed */
    long long model_reused_tokens;
} ds_run_stats;

typedef struct ds_tokenizer ds_tokenizer;
typedef struct ds_tokenizer_cache ds_tokenizer_cache;
typedef struct ds_screen_index ds_screen_index;
typedef struct ds_model_llm ds_model_llm;

typedef struct ds_run {
    const ds_config *cfg;
    ds_log *log;
    PGconn *conn; /* owned by the caller */
    long long run_id;
    char owner[128];               /* host:pid, the lease owner */
    ds_tokenizer *tok;             /* owned; NULL: chunks are sized by an estimate (logged) */
    ds_tokenizer_cache *tok_cache; /* owned; this process's word cache for counting */
    ds_chunk_opts chunk_opts;
    ds_screen_index *screen;  /* owned; sanctions screening index of the active lists, NULL when none */
    char screened_lists[256]; /* the list versions in screen, "{3,7}" ("{}" none; "" not known) */
    ds_model_llm *llm;        /* owned; the model backend's checkpoint when model.dir is set, else NULL */
    ds_run_stats stats;
    int progress;    /* print a progress line (stderr is a terminal) */
    int idle_wait_s; /* keep polling an empty queue this long before returning */
    long progress_total;
    double doc_deadline; /* ds_now_s() past which the current document stops (0: no budget) */
    FILE *dry_run;       /* borrowed; non-NULL: the watchlist's filings that would be fetched are
                               listed here, and no filing, document or queue row is written */
} ds_run;

/* Prepares a run context (loads the tokenizer, the model checkpoint when model.dir is set,
 * builds the sanctions screening index when a list is loaded). conn is borrowed. */
ds_status ds_run_init(ds_run *run, const ds_config *cfg, ds_log *log, PGconn *conn, ds_err *err);
void ds_run_deinit(ds_run *run);

/* Inserts the runs row (kind: run, nightly, worker). */
ds_status ds_run_begin(ds_run *run, const char *kind, const char *args, ds_err *err);
/* Writes the counters and final status to the runs row. */
ds_status ds_run_finish(ds_run *run, const char *status, ds_err *err);

/* Walks paths (files or folders, recursively) and the entries of url_lists (paths and URLs,
 * URLs fetched into the cache), and enqueues every document whose bytes are not loaded yet.
 * include/exclude are glob lists from the config; any list may be NULL. */
ds_status ds_run_discover(ds_run *run, char *const *paths, int n_paths, const ds_str_list *include,
                          const ds_str_list *exclude, const ds_str_list *url_lists, ds_err *err);

/* Registers one file (local, or fetched from source) as a document and enqueues it when its
 * bytes are new (pipeline/discover.c). An unreadable file is logged and skipped. */
ds_status ds_run_enqueue_file(ds_run *run, const char *path, const char *source, ds_err *err);

/* Registers bytes already read and hashed (sha, their length as text) under path and source
 * (both escaped, infile.h) and enqueues them when new; *doc_id is their document. */
ds_status ds_run_enqueue_hashed(ds_run *run, const char *sha, const char *bytes, const char *run_id, const char *path,
                                const char *source, long long *doc_id, ds_err *err);

/* The watchlist (pipeline/watchlist.c): whether one is configured, and the discovery of its
 * companies' new EDGAR filings through fetcher (borrowed), each fetched and enqueued once (with
 * run->dry_run: listed there, nothing written). */
typedef struct ds_fetcher ds_fetcher;
int ds_run_has_watchlist(const ds_config *cfg);
const char *ds_run_filing_form_name(int form);
const char *ds_run_filing_outcome_name(int outcome);
ds_status ds_run_discover_watchlist(ds_run *run, ds_fetcher *fetcher, ds_err *err);
/* A dry run of the watchlist's discovery: its own fetcher under the shared rate limit, the
 * listing to run->dry_run (set by the caller). */
ds_status ds_run_plan_watchlist(ds_run *run, ds_err *err);

/* Claims and processes queued documents until none is ready. Document failures are recorded
 * and do not stop the loop; only database loss returns an error. */
ds_status ds_run_process_queue(ds_run *run, ds_err *err);

/* Prints the run summary (stdout). */
void ds_run_print_summary(const ds_run *run, double wall_s);

#endif
