/* cli.h - the dossier command line: global options, the command table, exit codes.
 *
 * Owns: ds_cli, the per-invocation context (parsed global options, the loaded configuration,
 * the logger) that main creates and every command receives; nothing global.
 * Commands are listed once in pipeline/commands.def; each is `int fn(ds_cli *, argc, argv)`
 * returning a ds_exit code, and answers --help.
 */
#ifndef DS_PIPELINE_CLI_H
#define DS_PIPELINE_CLI_H

#include "pipeline/config.h"
#include "pipeline/core/log.h"

/* Exit codes, documented in README.md and `dossier --help`. */
typedef enum ds_exit {
    DS_EXIT_OK = 0,         /* success */
    DS_EXIT_REJECTED = 1,   /* completed, but some documents were rejected (failed/quarantined) */
    DS_EXIT_USAGE = 2,      /* usage or configuration error */
    DS_EXIT_DB = 3,         /* database unreachable */
    DS_EXIT_INTERNAL = 4,   /* internal error (out of memory, bug, I/O failure) */
    DS_EXIT_BUSY = 5,       /* another nightly run holds the lock */
    DS_EXIT_INCOMPLETE = 6, /* completed, but a fetch failed or documents wait for a retry */
    DS_EXIT_SIGNAL = 128    /* + the signal number: stopped by SIGINT (130) or SIGTERM (143) */
} ds_exit;

typedef struct ds_cli {
    const char *prog;        /* argv[0] */
    const char *config_path; /* --config, or DOSSIER_CONFIG; NULL: defaults only */
    const char *db_dsn;      /* --db; overrides the config (a copy: argv's password is blanked) */
    char *db_dsn_copy;       /* owned: the copy db_dsn points at */
    const char *log_path;    /* --log */
    int log_json;            /* --log-format json|text (default json when not a terminal) */
    int quiet;
    ds_config cfg; /* loaded before the command runs */
    ds_log log;
} ds_cli;

int ds_cli_main(int argc, char **argv);

/* Maps a status to the exit code a command returns. */
ds_exit ds_cli_exit_for(ds_status st);

/* Prints the standard "error: ..." line for err to stderr and logs it. */
void ds_cli_report(ds_cli *cli, const char *what, const ds_err *err);

#define DS_COMMAND(name, fn, summary) int fn(ds_cli *cli, int argc, char **argv);
#include "pipeline/commands.def"
#undef DS_COMMAND

#endif
