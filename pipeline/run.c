/* run.c - the run context: tokenizer for chunk sizing, the runs row, the summary. */
#include "pipeline/run.h"

#include "model/tokenizer/tokenizer.h"
#include "pipeline/core/alloc.h"
#include "pipeline/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "extract/screening/screen.h"
#include "model/llm/model_llm.h"
#include "pipeline/lists.h"

#ifndef DOSSIER_VERSION
#define DOSSIER_VERSION "0"
#endif
#ifndef DOSSIER_SOURCE_DIR
#define DOSSIER_SOURCE_DIR "."
#endif
#ifndef DOSSIER_DATA_DIR
#define DOSSIER_DATA_DIR "/usr/local/share/dossier"
#endif

/* Counts with the run's word cache: chunking counts the same words many times. */
static size_t count_with_tokenizer(void *ctx, const char *s, size_t n)
{
    ds_run *run = ctx;
    size_t count = 0;
    ds_err err;
    if (ds_tokenizer_count_cached(run->tok, run->tok_cache, s, n, 0, &count, &err) != DS_OK)
        return ds_tokenizer_count(run->tok, s, n); /* the cache ran out of memory: count without */
    return count;
}

/* Without a tokenizer: about four bytes a token for English prose. Logged as an estimate. */
static size_t count_estimate(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    (void)s;
    return (n + 3) / 4;
}

static int file_exists(const char *p)
{
    struct stat st;
    return p && stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* Chunk sizing follows the model's tokenizer: the configured one, the checkpoint's, or the
 * Qwen3 tokenizer bundled with dossier. */
static const char *pick_tokenizer(const ds_config *cfg, char *buf, size_t cap)
{
    if (cfg->tokenizer && *cfg->tokenizer)
        return cfg->tokenizer;
    if (cfg->model_dir && *cfg->model_dir) {
        snprintf(buf, cap, "%s/tokenizer.json", cfg->model_dir);
        if (file_exists(buf))
            return buf;
    }
    snprintf(buf, cap, "%s/extract/data/qwen3-tokenizer.json", DOSSIER_SOURCE_DIR);
    if (file_exists(buf))
        return buf;
    snprintf(buf, cap, "%s/qwen3-tokenizer.json", DOSSIER_DATA_DIR);
    return file_exists(buf) ? buf : NULL;
}

/* The screening index, built once per run from the active sanctions lists; NULL when none is
 * loaded. */
static ds_status screen_init(ds_run *run, ds_err *err)
{
    ds_status st = ds_lists_build_index_ids(run->conn, &run->screen, run->screened_lists, sizeof run->screened_lists,
                                            err);
    if (st)
        return st;
    if (strcmp(run->screened_lists, "{}") != 0) {
        DS_INFO(run->log, "screening", "screening names against sanctions list versions %s", run->screened_lists);
    } else {
        ds_screen_index_free(run->screen);
        run->screen = NULL;
        DS_WARN(run->log, "screening", "no sanctions list is loaded: names are not screened (dossier lists load)");
    }
    return DS_OK;
}

ds_status ds_run_init(ds_run *run, const ds_config *cfg, ds_log *log, PGconn *conn, ds_err *err)
{
    memset(run, 0, sizeof *run);
    run->cfg = cfg;
    run->log = log;
    run->conn = conn;
    char host[64] = "localhost";
    gethostname(host, sizeof host - 1);
    if (cfg->run_worker_id && cfg->run_worker_id[0])
        snprintf(host, sizeof host, "%s", cfg->run_worker_id);
    snprintf(run->owner, sizeof run->owner, "%s:%ld", host, (long)getpid());
    char path[2048];
    const char *tp = pick_tokenizer(cfg, path, sizeof path);
    run->chunk_opts.target_tokens = (size_t)cfg->chunk_target_tokens;
    run->chunk_opts.overlap_tokens = (size_t)cfg->chunk_overlap_tokens;
    if (tp) {
        if (ds_tokenizer_load(&run->tok, tp, err) != DS_OK)
            return ds_err_prefix(err, "chunk.tokenizer");
        /* A cache that cannot be made is tolerated: with a NULL cache counting goes uncached. */
        ds_err cerr;
        if (ds_tokenizer_cache_create(&run->tok_cache, &cerr) != DS_OK)
            DS_DEBUG(log, "extract", "%s: token counts go uncached", cerr.msg);
        run->chunk_opts.count = count_with_tokenizer;
        run->chunk_opts.count_ctx = run;
        DS_DEBUG(log, "extract", "sizing chunks with tokenizer %s", tp);
    } else {
        run->chunk_opts.count = count_estimate;
        DS_WARN(log, "extract",
                "no tokenizer.json found (chunk.tokenizer unset, no model, no bundled copy): "
                "chunk sizes are estimated at 4 bytes per token");
    }
    run->progress = isatty(2);
    if (cfg->model_dir && *cfg->model_dir) { /* the model backend: one load per run */
        ds_model_opts mo;
        ds_model_opts_default(&mo);
        mo.n_threads = cfg->model_threads;
        mo.segment_tokens = cfg->model_segment_tokens;
        mo.max_context = cfg->model_max_context;
        mo.output_int4 = cfg->model_output_int4;
        mo.copy_weights = cfg->model_copy_weights;
        /* model.backend (validated with the configuration): auto takes a usable GPU and logs the
         * fall back to the CPU otherwise */
        mo.backend = ds_model_backend_parse(cfg->model_backend ? cfg->model_backend : "auto");
        mo.log = log;
        if (ds_model_llm_open(&run->llm, cfg->model_dir, &mo, cfg->model_max_new_tokens, cfg->model_max_context, err) !=
            DS_OK) {
            ds_run_deinit(run);
            return ds_err_prefix(err, "model.dir");
        }
        DS_INFO(log, "model", "model backend: %s (%s), fingerprint %s", ds_model_llm_generator(run->llm)->model,
                cfg->model_dir, ds_model_llm_generator(run->llm)->fingerprint);
    }
    ds_status st = screen_init(run, err);
    if (st) {
        ds_run_deinit(run);
        return ds_err_prefix(err, "sanctions screening index");
    }
    return DS_OK;
}

void ds_run_deinit(ds_run *run)
{
    if (!run)
        return;
    ds_tokenizer_cache_free(run->tok_cache);
    ds_tokenizer_free(run->tok);
    run->tok_cache = NULL;
    run->tok = NULL;
    ds_screen_index_free(run->screen);
    run->screen = NULL;
    ds_model_llm_free(run->llm);
    run->llm = NULL;
}

ds_status ds_run_begin(ds_run *run, const char *kind, const char *args, ds_err *err)
{
    char host[64] = "localhost", pid[24];
    gethostname(host, sizeof host - 1);
    snprintf(pid, sizeof pid, "%ld", (long)getpid());
    const char *p[] = {kind, host, pid, DOSSIER_VERSION, args ? args : ""};
    PGresult *r = NULL;
    ds_status st = ds_db_exec(run->conn, &r, err,
                              "INSERT INTO runs (kind, host, pid, dossier_version, args) "
                              "VALUES ($1, $2, $3::int, $4, $5) RETURNING id",
                              5, p);
    if (st == DS_OK)
        run->run_id = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    return st;
}

static const char *const stage_names[DS_STAGE_COUNT_] = {"read", "parse", "chunk", "extract", "load"};

ds_status ds_run_finish(ds_run *run, const char *status, ds_err *err)
{
    const ds_run_stats *s = &run->stats;
    char id[24], v[10][24], stages[512];
    snprintf(id, sizeof id, "%lld", run->run_id);
    long long vals[10] = {s->seen,  s->loaded, s->unchanged, s->failed, s->quarantined,
                          s->pages, s->chunks, s->facts,     s->tokens, s->bytes};
    for (int i = 0; i < 10; i++)
        snprintf(v[i], sizeof v[i], "%lld", vals[i]);
    size_t o = (size_t)snprintf(stages, sizeof stages, "{");
    for (int i = 0; i < DS_STAGE_COUNT_; i++)
        o += (size_t)snprintf(stages + o, sizeof stages - o, "%s\"%s\":%.3f", i ? "," : "", stage_names[i],
                              s->stage_s[i]);
    snprintf(stages + o, sizeof stages - o, "}");
    char fetch_failed[24], waiting[24];
    snprintf(fetch_failed, sizeof fetch_failed, "%ld", s->fetch_failed);
    snprintf(waiting, sizeof waiting, "%ld", s->waiting);
    const char *p[] = {id,   status, v[0], v[1], v[2],   v[3],         v[4],   v[5],
                       v[6], v[7],   v[8], v[9], stages, fetch_failed, waiting};
    return ds_db_exec(run->conn, NULL, err,
                      "UPDATE runs SET status = $2, finished_at = now(), docs_seen = $3::int, docs_loaded = $4::int, "
                      "docs_unchanged = $5::int, docs_failed = $6::int, docs_quarantined = $7::int, "
                      "pages = $8::bigint, chunks = $9::bigint, facts = $10::bigint, tokens = $11::bigint, "
                      "bytes = $12::bigint, stage_seconds = $13::jsonb, fetch_failed = $14::int, "
                      "docs_waiting = $15::int WHERE id = $1::bigint",
                      15, p);
}

/* Lists the documents this run left failed or quarantined, each with its reason (at most 50). */
static void print_failures(const ds_run *run)
{
    const ds_run_stats *s = &run->stats;
    if (s->failed + s->quarantined == 0 || !run->conn || PQstatus(run->conn) != CONNECTION_OK)
        return;
    char id[32];
    snprintf(id, sizeof id, "%lld", run->run_id);
    const char *params[] = {id};
    PGresult *r = NULL;
    ds_err err;
    if (ds_db_exec(
            run->conn, &r, &err,
            "SELECT d.status, d.name, coalesce(d.error_code, ''), coalesce(d.error_message, '') FROM documents d "
            "JOIN runs r ON r.id = $1::bigint WHERE d.status IN ('failed', 'quarantined') "
            "AND d.updated_at >= r.started_at ORDER BY d.name LIMIT 50",
            1, params) == DS_OK) {
        printf("  documents not loaded:\n");
        for (int i = 0; i < PQntuples(r); i++)
            printf("    %s %s: %s%s%s\n", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2),
                   *PQgetvalue(r, i, 3) ? " - " : "", PQgetvalue(r, i, 3));
    }
    PQclear(r);
}

void ds_run_print_summary(const ds_run *run, double wall_s)
{
    const ds_run_stats *s = &run->stats;
    printf("run %lld: %ld seen, %ld loaded, %ld unchanged, %ld failed, %ld quarantined\n", run->run_id, s->seen,
           s->loaded, s->unchanged, s->failed, s->quarantined);
    if (s->fetched || s->fetch_failed)
        printf("  %ld URLs fetched, %ld fetch failures\n", s->fetched, s->fetch_failed);
    if (s->waiting)
        printf("  %ld documents wait for a retry (run.retry_base_seconds backoff)\n", s->waiting);
    if (s->watch_unresolved)
        printf("  %ld watchlist entries not resolved to a company (see the log)\n", s->watch_unresolved);
    for (int i = 0; i < DS_FILING_FORMS; i++)
        if (s->filings[i][DS_FILING_DISCOVERED] || s->filings[i][DS_FILING_SKIPPED] || s->filings[i][DS_FILING_FAILED])
            printf("  filings %-5s %ld new, %ld fetched, %ld already fetched, %ld failed\n", ds_run_filing_form_name(i),
                   s->filings[i][DS_FILING_DISCOVERED], s->filings[i][DS_FILING_FETCHED],
                   s->filings[i][DS_FILING_SKIPPED], s->filings[i][DS_FILING_FAILED]);
    printf("  %lld pages, %lld chunks, %lld facts, %lld tokens, %.1f MB in %.2f s", s->pages, s->chunks, s->facts,
           s->tokens, (double)s->bytes / 1e6, wall_s);
    if (wall_s > 0 && s->pages)
        printf(" (%.1f pages/s)", (double)s->pages / wall_s);
    printf("\n  stages:");
    for (int i = 0; i < DS_STAGE_COUNT_; i++)
        printf(" %s %.2fs", stage_names[i], s->stage_s[i]);
    printf("\n");
    if (s->model_calls)
        printf("  model: %ld calls, %lld prompt and %lld answer tokens in %.2f s; %ld unparsed, %ld truncated, "
               "%ld salvaged, %ld closed early (%ld cut items dropped)\n",
               s->model_calls, s->model_prompt_tokens, s->model_answer_tokens, s->model_s, s->model_unparsed,
               s->model_truncated, s->model_salvaged, s->model_closed_early, s->model_cut_items);
    if (s->model_calls)
        printf("  model: %ld windows, %lld prompt tokens reused, %ld facts budgets grown for table rows, %ld items "
               "dropped by the grounding check or malformed\n",
               s->model_windows, s->model_reused_tokens, s->model_grown, s->model_dropped);
    print_failures(run);
    fflush(stdout);
}
