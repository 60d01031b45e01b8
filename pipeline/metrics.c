/* metrics.c - Prometheus textfile of the run summary (see metrics.h). */
#include "pipeline/metrics.h"

#include "pipeline/core/outfile.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* The run's outcome: one unlabelled 0/1 gauge whose name never changes, the status as a
 * labelled info series, and the counts that make a run unsuccessful as series of their own. */
static void write_outcome(FILE *f, const ds_run_stats *s, const char *status)
{
    static const char *const statuses[] = {"ok", "rejected", "incomplete", "failed", "interrupted"};
    fprintf(f,
            "# HELP dossier_run_success 1 when the last run ended ok (no document failed, no fetch failed, none "
            "waiting for a retry), else 0.\n"
            "# TYPE dossier_run_success gauge\n"
            "dossier_run_success %d\n"
            "# HELP dossier_run_status The last run's status (1 for the one it ended with).\n"
            "# TYPE dossier_run_status gauge\n",
            strcmp(status, "ok") == 0);
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
        fprintf(f, "dossier_run_status{status=\"%s\"} %d\n", statuses[i], strcmp(status, statuses[i]) == 0);
    fprintf(f,
            "# HELP dossier_run_fetches URL fetches by outcome in the last run.\n"
            "# TYPE dossier_run_fetches gauge\n"
            "dossier_run_fetches{outcome=\"fetched\"} %ld\n"
            "dossier_run_fetches{outcome=\"failed\"} %ld\n"
            "# HELP dossier_run_documents_waiting Documents waiting for a retry (backoff) when the last run ended.\n"
            "# TYPE dossier_run_documents_waiting gauge\n"
            "dossier_run_documents_waiting %ld\n"
            "# HELP dossier_run_watchlist_unresolved Watchlist entries the last run could not resolve to a company.\n"
            "# TYPE dossier_run_watchlist_unresolved gauge\n"
            "dossier_run_watchlist_unresolved %ld\n",
            s->fetched, s->fetch_failed, s->waiting, s->watch_unresolved);
}

ds_status ds_metrics_write_textfile(const char *path, const ds_run *run, const char *status, double wall_s, ds_err *err)
{
    ds_outfile out;
    ds_status st = ds_outfile_begin(&out, path, DS_MODE_PUBLIC, err);
    if (st)
        return st;
    FILE *f = out.f;
    const ds_run_stats *s = &run->stats;
    fprintf(f, "# HELP dossier_run_documents Documents by outcome in the last run.\n"
               "# TYPE dossier_run_documents gauge\n");
    const char *names[] = {"seen", "loaded", "unchanged", "failed", "quarantined", "retried"};
    long vals[] = {s->seen, s->loaded, s->unchanged, s->failed, s->quarantined, s->retried};
    for (int i = 0; i < 6; i++)
        fprintf(f, "dossier_run_documents{outcome=\"%s\"} %ld\n", names[i], vals[i]);
    fprintf(f,
            "# HELP dossier_run_items Pages, chunks, facts and tokens processed in the last run.\n"
            "# TYPE dossier_run_items gauge\n"
            "dossier_run_items{kind=\"pages\"} %lld\n"
            "dossier_run_items{kind=\"chunks\"} %lld\n"
            "dossier_run_items{kind=\"facts\"} %lld\n"
            "dossier_run_items{kind=\"tokens\"} %lld\n"
            "dossier_run_items{kind=\"bytes\"} %lld\n",
            s->pages, s->chunks, s->facts, s->tokens, s->bytes);
    fprintf(f,
            "# HELP dossier_run_model_answers Model backend answers by outcome in the last run.\n"
            "# TYPE dossier_run_model_answers gauge\n"
            "dossier_run_model_answers{outcome=\"all\"} %ld\n"
            "dossier_run_model_answers{outcome=\"unparsed\"} %ld\n"
            "dossier_run_model_answers{outcome=\"truncated\"} %ld\n"
            "dossier_run_model_answers{outcome=\"salvaged\"} %ld\n"
            "dossier_run_model_answers{outcome=\"closed_early\"} %ld\n"
            "# HELP dossier_run_model_cut_items Items dropped because the answer budget cut them.\n"
            "# TYPE dossier_run_model_cut_items gauge\n"
            "dossier_run_model_cut_items %ld\n",
            s->model_calls, s->model_unparsed, s->model_truncated, s->model_salvaged, s->model_closed_early,
            s->model_cut_items);
    fprintf(f, "# HELP dossier_run_filings Watchlist filings by form and outcome in the last run.\n"
               "# TYPE dossier_run_filings gauge\n");
    for (int i = 0; i < DS_FILING_FORMS; i++)
        for (int o = 0; o < DS_FILING_OUTCOMES_; o++)
            fprintf(f, "dossier_run_filings{form=\"%s\",outcome=\"%s\"} %ld\n", ds_run_filing_form_name(i),
                    ds_run_filing_outcome_name(o), s->filings[i][o]);
    const char *stages[] = {"read", "parse", "chunk", "extract", "load"};
    fprintf(f, "# HELP dossier_run_stage_seconds Seconds spent per stage in the last run (all workers).\n"
               "# TYPE dossier_run_stage_seconds gauge\n");
    for (int i = 0; i < DS_STAGE_COUNT_; i++)
        fprintf(f, "dossier_run_stage_seconds{stage=\"%s\"} %.3f\n", stages[i], s->stage_s[i]);
    write_outcome(f, s, status);
    fprintf(f,
            "# HELP dossier_run_duration_seconds Wall time of the last run.\n"
            "# TYPE dossier_run_duration_seconds gauge\n"
            "dossier_run_duration_seconds %.3f\n"
            "# HELP dossier_run_last_finish_timestamp_seconds When the last run finished.\n"
            "# TYPE dossier_run_last_finish_timestamp_seconds gauge\n"
            "dossier_run_last_finish_timestamp_seconds %ld\n",
            wall_s, (long)time(NULL));
    return ds_outfile_commit(&out, err);
}
