/* cmd_run.c - the commands that process documents: `run PATH...`, `nightly` (configured
 * sources, one run at a time cluster-wide) and `worker` (queue only). Each can start several
 * worker processes on this host (--workers N); they share the queue through PostgreSQL, and
 * each reports its counters to the coordinator through a pipe. */
#include "pipeline/cli.h"
#include "pipeline/core/clock.h"
#include "pipeline/db.h"
#include "pipeline/metrics.h"
#include "pipeline/run.h"
#include "pipeline/stop.h"

#include "pipeline/core/alloc.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Key of the advisory lock that makes `nightly` one at a time across hosts. */
#define NIGHTLY_LOCK_KEY "7426031816"

typedef enum run_kind { RUN_KIND_RUN, RUN_KIND_NIGHTLY, RUN_KIND_WORKER } run_kind;

static const char *kind_name(run_kind k)
{
    return k == RUN_KIND_RUN ? "run" : k == RUN_KIND_NIGHTLY ? "nightly" : "worker";
}

static void help(run_kind k)
{
    if (k == RUN_KIND_RUN)
        printf("usage: dossier run [--workers N] PATH...\n\n"
               "Processes the given files and folders (recursively): detect, parse, chunk, extract,\n"
               "load. The same bytes are one document: already loaded inputs are skipped.\n");
    else if (k == RUN_KIND_NIGHTLY)
        printf("usage: dossier nightly [--workers N] [--dry-run]\n\n"
               "Processes the configured sources (sources.inbox, sources.url_lists, the watchlist's\n"
               "new EDGAR filings), one run at a time across every host sharing the database\n"
               "(advisory lock).\n\n"
               "--dry-run lists the watchlist's filings that would be fetched (CIK, company, form,\n"
               "accession, filing date, document URL; tab-separated, '#' lines are notes) and\n"
               "changes nothing: it reads the ticker file and each company's submissions JSON\n"
               "(through the shared rate limit and the fetch cache) and writes no filing, document,\n"
               "queue or run row. Folders and URL lists are not read.\n");
    else
        printf("usage: dossier worker [--workers N] [--idle-wait S]\n\n"
               "Claims queued documents and processes them until the queue has none ready. Start\n"
               "as many as you like, on any hosts sharing the database.\n");
    printf("\noptions:\n"
           "  -w, --workers N   worker processes on this host (default run.workers)\n");
    if (k == RUN_KIND_NIGHTLY)
        printf("  -n, --dry-run     list the filings that would be fetched; change nothing\n");
    printf("      --idle-wait S keep polling an empty queue for S seconds before exiting (other\n"
           "                    hosts may still be enqueueing; default 0)\n"
           "  -h, --help        this help\n");
}

/* Adds a child's counters to the parent's. */
static void add_stats(ds_run_stats *a, const ds_run_stats *b)
{
    a->loaded += b->loaded;
    a->failed += b->failed;
    a->quarantined += b->quarantined;
    a->retried += b->retried;
    a->pages += b->pages;
    a->chunks += b->chunks;
    a->facts += b->facts;
    a->tokens += b->tokens;
    a->bytes += b->bytes;
    a->model_calls += b->model_calls;
    a->model_unparsed += b->model_unparsed;
    a->model_truncated += b->model_truncated;
    a->model_salvaged += b->model_salvaged;
    a->model_closed_early += b->model_closed_early;
    a->model_cut_items += b->model_cut_items;
    a->model_prompt_tokens += b->model_prompt_tokens;
    a->model_answer_tokens += b->model_answer_tokens;
    a->model_s += b->model_s;
    a->model_windows += b->model_windows;
    a->model_dropped += b->model_dropped;
    a->model_grown += b->model_grown;
    a->model_reused_tokens += b->model_reused_tokens;
    for (int i = 0; i < DS_STAGE_COUNT_; i++)
        a->stage_s[i] += b->stage_s[i];
}

/* A worker process: own connection, own context, same run id. Writes its counters to fd. */
static int child_worker(ds_cli *cli, const char *dsn, long long run_id, int idle_wait_s, int fd)
{
    ds_err err;
    ds_err_clear(&err);
    PGconn *conn = NULL;
    ds_run run;
    int rc = DS_EXIT_OK;
    if (ds_db_connect(dsn, &conn, &err) != DS_OK) {
        ds_cli_report(cli, "worker", &err);
        return ds_cli_exit_for(err.code);
    }
    if (ds_run_init(&run, &cli->cfg, &cli->log, conn, &err) == DS_OK) {
        run.run_id = run_id;
        run.progress = 0;
        run.idle_wait_s = idle_wait_s;
        if (ds_run_process_queue(&run, &err) != DS_OK) {
            ds_cli_report(cli, "worker", &err);
            rc = ds_cli_exit_for(err.code);
        }
        ssize_t w = write(fd, &run.stats, sizeof run.stats);
        (void)w;
    } else {
        ds_cli_report(cli, "worker", &err);
        rc = ds_cli_exit_for(err.code);
    }
    ds_run_deinit(&run);
    PQfinish(conn);
    return rc;
}

/* Processes the queue with n processes (this one included). */
static ds_status process_with_workers(ds_cli *cli, ds_run *run, const char *dsn, int n, ds_err *err)
{
    pid_t pids[256];
    int fds[256];
    int started = 0;
    pid_t parent = getpid();
    for (int i = 1; i < n && i < 256; i++) {
        int p[2];
        if (pipe(p) != 0)
            return ds_err_set(err, DS_ERR_IO, "pipe: %s", strerror(errno));
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
            close(p[0]);
            close(p[1]);
            return ds_err_set(err, DS_ERR_IO, "fork: %s", strerror(errno));
        }
        if (pid == 0) {
            close(p[0]);
            /* The parent's database session must end when the parent does: a copy of its socket
             * kept open here would keep its backend, and the row locks of a transaction it had
             * open, alive, and this worker would wait on them. (Not PQfinish: that would end the
             * parent's session while the parent uses it.) */
            if (PQsocket(run->conn) >= 0)
                close(PQsocket(run->conn));
            if (ds_stop_with_parent(parent) != 0) /* workers never outlive the run */
                _exit(DS_EXIT_SIGNAL + SIGTERM);
            /* The child must not use the parent's connection socket. */
            _exit(child_worker(cli, dsn, run->run_id, run->idle_wait_s, p[1]));
        }
        close(p[1]);
        pids[started] = pid;
        fds[started++] = p[0];
    }
    ds_status st = ds_run_process_queue(run, err);
    for (int i = 0; i < started && ds_stop_requested(); i++)
        kill(pids[i], SIGTERM); /* a stop asked of the parent alone reaches every worker */
    for (int i = 0; i < started; i++) {
        ds_run_stats cs;
        if (read(fds[i], &cs, sizeof cs) == (ssize_t)sizeof cs)
            add_stats(&run->stats, &cs);
        close(fds[i]);
        int wst;
        waitpid(pids[i], &wst, 0);
        if (!WIFEXITED(wst) || WEXITSTATUS(wst) != 0)
            DS_WARN(run->log, "run", "worker process %ld ended with status %d", (long)pids[i],
                    WIFEXITED(wst) ? WEXITSTATUS(wst) : 128 + WTERMSIG(wst));
    }
    return st;
}

/* Documents left waiting for a retry (in backoff) anywhere in the queue. */
static void count_waiting(ds_run *run)
{
    PGresult *r = NULL;
    ds_err err;
    if (ds_db_exec(run->conn, &r, &err, "SELECT count(*) FROM work_queue WHERE state = 'pending' AND attempts > 0", 0,
                   NULL) == DS_OK)
        run->stats.waiting = atol(PQgetvalue(r, 0, 0));
    PQclear(r);
}

/* The runs.status a run ends with: failed (aborted), interrupted (stopped by a signal),
 * rejected (documents failed or quarantined), incomplete (fetch failures or documents waiting
 * for a retry) or ok. */
static const char *run_status(ds_status st, const ds_run_stats *s)
{
    if (st)
        return "failed";
    if (ds_stop_requested())
        return "interrupted";
    if (s->failed + s->quarantined)
        return "rejected";
    return s->fetch_failed + s->waiting ? "incomplete" : "ok";
}

/* `nightly --dry-run`: the watchlist's filings that would be fetched, on stdout. No lock, no
 * migration, no run row: the schema must be current already. */
static int nightly_dry_run(ds_cli *cli)
{
    if (!ds_run_has_watchlist(&cli->cfg)) {
        printf("# no watchlist configured (watchlist.companies, watchlist.ciks, watchlist.file): no filings\n");
        return DS_EXIT_OK;
    }
    ds_stop_install();
    ds_err err;
    ds_err_clear(&err);
    char *dsn = NULL;
    PGconn *conn = NULL;
    int have = 0, want = ds_db_schema_version_binary();
    ds_status st = ds_db_resolve(&cli->cfg, cli->db_dsn, DS_DB_AUTOSTART, &cli->log, &dsn, NULL, &err);
    if (st == DS_OK)
        st = ds_db_connect(dsn, &conn, &err);
    if (st == DS_OK && (st = ds_db_schema_version(conn, &have, &err)) == DS_OK && have < want)
        st = ds_err_set(&err, DS_ERR_CONFIG,
                        "the database schema is at version %d, this dossier needs %d: run `dossier db migrate` "
                        "first (a dry run changes nothing)",
                        have, want);
    ds_run run;
    memset(&run, 0, sizeof run);
    run.cfg = &cli->cfg;
    run.log = &cli->log;
    run.conn = conn;
    run.dry_run = stdout;
    if (st == DS_OK)
        st = ds_run_plan_watchlist(&run, &err);
    fflush(stdout);
    int rc = DS_EXIT_OK;
    if (st) {
        ds_cli_report(cli, "nightly", &err);
        rc = ds_cli_exit_for(st);
    } else if (ds_stop_requested()) {
        rc = DS_EXIT_SIGNAL + ds_stop_requested();
    } else if (run.stats.fetch_failed) {
        rc = DS_EXIT_INCOMPLETE; /* the listing misses what could not be read */
    }
    PQfinish(conn);
    ds_free(dsn);
    return rc;
}

static int run_command(ds_cli *cli, run_kind kind, int argc, char **argv)
{
    static const struct option opts[] = {{"workers", required_argument, NULL, 'w'},
                                         {"idle-wait", required_argument, NULL, 'i'},
                                         {"dry-run", no_argument, NULL, 'n'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int workers = cli->cfg.run_workers, c, idle_wait = 0, dry_run = 0;
    while ((c = getopt_long(argc, argv, "w:i:nh", opts, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (kind != RUN_KIND_NIGHTLY) {
                fprintf(stderr, "dossier %s: --dry-run is an option of nightly\n", kind_name(kind));
                return DS_EXIT_USAGE;
            }
            dry_run = 1;
            break;
        case 'i':
            idle_wait = atoi(optarg);
            if (idle_wait < 0 || idle_wait > 86400) {
                fprintf(stderr, "dossier %s: --idle-wait must be 0..86400 seconds\n", kind_name(kind));
                return DS_EXIT_USAGE;
            }
            break;
        case 'w':
            workers = atoi(optarg);
            if (workers < 1 || workers > 256) {
                fprintf(stderr, "dossier %s: --workers must be 1..256\n", kind_name(kind));
                return DS_EXIT_USAGE;
            }
            break;
        case 'h': help(kind); return DS_EXIT_OK;
        default: help(kind); return DS_EXIT_USAGE;
        }
    }
    if (dry_run)
        return nightly_dry_run(cli);
    if (kind == RUN_KIND_RUN && optind >= argc) {
        fprintf(stderr, "dossier run: give at least one file or folder (see dossier run --help)\n");
        return DS_EXIT_USAGE;
    }
    if (kind == RUN_KIND_NIGHTLY && cli->cfg.inbox.n == 0 && cli->cfg.url_lists.n == 0 &&
        !ds_run_has_watchlist(&cli->cfg)) {
        fprintf(stderr, "dossier nightly: no sources configured (sources.inbox, sources.url_lists or watchlist)\n");
        return DS_EXIT_USAGE;
    }
    ds_stop_install();
    double t0 = ds_now_s();
    ds_err err;
    ds_err_clear(&err);
    char *dsn = NULL;
    PGconn *conn = NULL;
    ds_run run;
    int run_ready = 0, rc = DS_EXIT_OK;
    ds_status st = ds_db_resolve(&cli->cfg, cli->db_dsn, DS_DB_AUTOSTART, &cli->log, &dsn, NULL, &err);
    if (st == DS_OK)
        st = ds_db_connect(dsn, &conn, &err);
    if (st == DS_OK)
        st = ds_db_migrate(conn, &cli->log, NULL, &err);
    if (st == DS_OK && kind == RUN_KIND_NIGHTLY) {
        PGresult *r = NULL;
        st = ds_db_exec(conn, &r, &err, "SELECT pg_try_advisory_lock(" NIGHTLY_LOCK_KEY ")", 0, NULL);
        if (st == DS_OK && PQgetvalue(r, 0, 0)[0] != 't')
            st = ds_err_set(&err, DS_ERR_BUSY, "another nightly run holds the lock; not starting");
        PQclear(r);
    }
    if (st == DS_OK && (st = ds_run_init(&run, &cli->cfg, &cli->log, conn, &err)) == DS_OK) {
        run_ready = 1;
        run.idle_wait_s = idle_wait;
    }
    if (st == DS_OK) {
        char args[1024] = "";
        size_t o = 0;
        for (int i = 0; i < argc && o + 2 < sizeof args; i++)
            o += (size_t)snprintf(args + o, sizeof args - o, "%s%s", i ? " " : "", argv[i]);
        st = ds_run_begin(&run, kind_name(kind), args, &err);
    }
    if (st == DS_OK && kind == RUN_KIND_RUN)
        st = ds_run_discover(&run, argv + optind, argc - optind, NULL, NULL, NULL, &err);
    if (st == DS_OK && kind == RUN_KIND_NIGHTLY)
        st = ds_run_discover(&run, cli->cfg.inbox.v, cli->cfg.inbox.n, &cli->cfg.include, &cli->cfg.exclude,
                             &cli->cfg.url_lists, &err);
    if (st == DS_OK && !ds_stop_requested())
        st = process_with_workers(cli, &run, dsn, workers, &err);
    if (run_ready && run.run_id) {
        const ds_run_stats *s = &run.stats;
        if (PQstatus(conn) == CONNECTION_OK)
            count_waiting(&run);
        const char *status = run_status(st, s);
        ds_err ferr;
        if (PQstatus(conn) == CONNECTION_OK && ds_run_finish(&run, status, &ferr) != DS_OK)
            DS_WARN(&cli->log, "run", "cannot record the run summary: %s", ferr.msg);
        if (!cli->quiet)
            ds_run_print_summary(&run, ds_now_s() - t0);
        if (cli->cfg.metrics_textfile && *cli->cfg.metrics_textfile) {
            ds_err merr;
            if (ds_metrics_write_textfile(cli->cfg.metrics_textfile, &run, status, ds_now_s() - t0, &merr) != DS_OK)
                DS_WARN(&cli->log, "run", "metrics: %s", merr.msg);
        }
        if (st == DS_OK && ds_stop_requested())
            rc = DS_EXIT_SIGNAL + ds_stop_requested();
        else if (st == DS_OK && (s->failed + s->quarantined))
            rc = DS_EXIT_REJECTED;
        else if (st == DS_OK && (s->fetch_failed + s->waiting))
            rc = DS_EXIT_INCOMPLETE;
    }
    if (st) {
        ds_cli_report(cli, kind_name(kind), &err);
        rc = ds_cli_exit_for(st);
    }
    if (run_ready)
        ds_run_deinit(&run);
    PQfinish(conn);
    ds_free(dsn);
    return rc;
}

int ds_cmd_run(ds_cli *cli, int argc, char **argv)
{
    return run_command(cli, RUN_KIND_RUN, argc, argv);
}

int ds_cmd_nightly(ds_cli *cli, int argc, char **argv)
{
    return run_command(cli, RUN_KIND_NIGHTLY, argc, argv);
}

int ds_cmd_worker(ds_cli *cli, int argc, char **argv)
{
    return run_command(cli, RUN_KIND_WORKER, argc, argv);
}
