/* cli.c - global options, configuration and logger set-up, and dispatch to the commands of
 * pipeline/commands.def. The only place (with main) that decides the process exit code. */
#include "pipeline/cli.h"
#include "pipeline/statedir.h"
#include "pipeline/core/alloc.h"
#include "pipeline/core/redact.h"

#include <curl/curl.h>
#include <getopt.h>
#include <libxml/parser.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef DOSSIER_VERSION
#define DOSSIER_VERSION "0"
#endif

typedef struct command {
    const char *name;
    int (*fn)(ds_cli *, int, char **);
    const char *summary;
} command;

static const command commands[] = {
#define DS_COMMAND(name, fn, summary) {name, fn, summary},
#include "pipeline/commands.def"
#undef DS_COMMAND
};

static void usage(FILE *f)
{
    fprintf(f, "usage: dossier [global options] <command> [options] [args]\n"
               "\n"
               "Nightly document intelligence for credit and AML review: PDFs and SEC filings into\n"
               "facts, SWOT analyses and AML alerts in PostgreSQL.\n"
               "\n"
               "global options:\n"
               "  -c, --config FILE      configuration file (YAML); also DOSSIER_CONFIG\n"
               "      --db DSN           PostgreSQL connection string (overrides db.dsn and PG*)\n"
               "      --log FILE         log file, JSON lines (- for stderr)\n"
               "      --log-format F     json or text\n"
               "  -q, --quiet            warnings and errors only\n"
               "  -V, --version          print the version\n"
               "  -h, --help             this help; `dossier <command> --help` for a command\n"
               "\n"
               "commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n"
               "exit codes:\n"
               "  0  success\n"
               "  1  completed, but some documents were rejected (failed or quarantined)\n"
               "  2  usage or configuration error\n"
               "  3  database unreachable\n"
               "  4  internal error\n"
               "  5  another nightly run holds the lock\n"
               "  6  completed, but a URL fetch failed or documents wait for a retry\n"
               "  130, 143  stopped by SIGINT or SIGTERM (the run is marked interrupted)\n");
}

ds_exit ds_cli_exit_for(ds_status st)
{
    switch (st) {
    case DS_OK: return DS_EXIT_OK;
    case DS_ERR_USAGE:
    case DS_ERR_CONFIG:
    case DS_ERR_NOT_FOUND: return DS_EXIT_USAGE;
    case DS_ERR_DB_UNREACHABLE: return DS_EXIT_DB;
    case DS_ERR_BUSY: return DS_EXIT_BUSY;
    default: return DS_EXIT_INTERNAL;
    }
}

void ds_cli_report(ds_cli *cli, const char *what, const ds_err *err)
{
    fprintf(stderr, "dossier: %s%s%s\n", what ? what : "", what ? ": " : "",
            err->msg[0] ? err->msg : ds_status_str(err->code));
    if (cli->log.out && cli->log.out != stderr)
        DS_ERROR(&cli->log, "cli", "%s%s%s", what ? what : "", what ? ": " : "", err->msg);
}

/* GLib/poppler warnings about damaged input go to our log, not raw to stderr. */
static void glib_log_to_ds(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer user)
{
    ds_log *log = user;
    DS_DEBUG(log, domain ? domain : "glib", "%s%s", (level & G_LOG_LEVEL_CRITICAL) ? "critical: " : "", message);
}

/* --db: the DSN is copied and the password in argv's copy is overwritten, so other local accounts
 * reading /proc/PID/cmdline (ps) do not see it once options are parsed. The window before that is
 * why the README advises DOSSIER_DB_DSN or a passfile. */
static int take_dsn(ds_cli *cli, char *arg)
{
    ds_free(cli->db_dsn_copy);
    cli->db_dsn = cli->db_dsn_copy = ds_strdup(arg);
    if (!cli->db_dsn_copy) {
        fprintf(stderr, "dossier: out of memory\n");
        return 1;
    }
    size_t n = strlen(arg);
    if (ds_redact_has_secret(arg)) {
        char *shown = ds_malloc(n + 8);
        if (!shown) {
            memset(arg, '*', n); /* nothing better: hide all of it */
            return 0;
        }
        size_t k = ds_redact_secrets(shown, n + 8, cli->db_dsn_copy);
        memset(arg, '\0', n);
        memcpy(arg, shown, k < n ? k : n); /* cut, never longer than the original */
        ds_free(shown);
    }
    return 0;
}

/* Applies one global option (getopt code c); 0 when taken, 1 on a bad value (message printed). */
static int apply_global(ds_cli *cli, int c, char *arg)
{
    switch (c) {
    case 'c': cli->config_path = arg; return 0;
    case 'd': return take_dsn(cli, arg);
    case 'l': cli->log_path = arg; return 0;
    case 'f':
        if (strcmp(arg, "json") && strcmp(arg, "text")) {
            fprintf(stderr, "dossier: --log-format must be json or text\n");
            return 1;
        }
        cli->log_json = strcmp(arg, "json") == 0;
        return 0;
    case 'q': cli->quiet = 1; return 0;
    default: return 1;
    }
}

/* Global long options written after the command (`dossier db migrate --db DSN`) are taken as if
 * written before it and removed from the command's arguments; scanning stops at "--", so what
 * follows it (psql's arguments) is left alone. Returns the new argc, or -1 on a bad option. */
static int hoist_globals(ds_cli *cli, int argc, char **argv)
{
    static const struct {
        const char *name;
        int code, takes_arg;
    } g[] = {{"--config", 'c', 1}, {"--db", 'd', 1}, {"--log", 'l', 1}, {"--log-format", 'f', 1}, {"--quiet", 'q', 0}};
    int out = 1;
    int i = 1;
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
        int k = -1;
        size_t len = 0;
        for (int j = 0; j < (int)(sizeof g / sizeof g[0]) && k < 0; j++) {
            len = strlen(g[j].name);
            if (strncmp(argv[i], g[j].name, len) == 0 &&
                (argv[i][len] == '\0' || (argv[i][len] == '=' && g[j].takes_arg)))
                k = j;
        }
        if (k < 0) {
            argv[out++] = argv[i];
            continue;
        }
        char *val = NULL;
        if (g[k].takes_arg && argv[i][len] == '=')
            val = argv[i] + len + 1;
        else if (g[k].takes_arg && i + 1 < argc)
            val = argv[++i];
        else if (g[k].takes_arg) {
            fprintf(stderr, "dossier: option %s needs a value\n", g[k].name);
            return -1;
        }
        if (apply_global(cli, g[k].code, val) != 0)
            return -1;
    }
    for (; i < argc; i++)
        argv[out++] = argv[i];
    argv[out] = NULL;
    return out;
}

/* The whole command line: global options, the configuration and the log, then the command. */
static int cli_main(ds_cli *cli, int argc, char **argv)
{
    cli->prog = argv[0];
    cli->log_json = -1;
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'}, {"db", required_argument, NULL, 'd'},
        {"log", required_argument, NULL, 'l'},    {"log-format", required_argument, NULL, 'f'},
        {"quiet", no_argument, NULL, 'q'},        {"version", no_argument, NULL, 'V'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    int c;
    opterr = 1;
    while ((c = getopt_long(argc, argv, "+c:qVh", opts, NULL)) != -1) {
        if (c == 'V') {
            printf("dossier %s\n", DOSSIER_VERSION);
            return DS_EXIT_OK;
        }
        if (c == 'h') {
            usage(stdout);
            return DS_EXIT_OK;
        }
        int rc = c == '?' || c == ':' ? -1 : apply_global(cli, c, optarg);
        if (rc != 0) {
            if (rc < 0)
                usage(stderr);
            return DS_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return DS_EXIT_USAGE;
    }
    const char *name = argv[optind];
    const command *cmd = NULL;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, name) == 0)
            cmd = &commands[i];
    if (!cmd) {
        fprintf(stderr, "dossier: unknown command \"%s\" (see dossier --help)\n", name);
        return DS_EXIT_USAGE;
    }
    int cmd_argc = hoist_globals(cli, argc - optind, argv + optind);
    if (cmd_argc < 0)
        return DS_EXIT_USAGE;
    argc = optind + cmd_argc;
    if (!cli->config_path && getenv("DOSSIER_CONFIG") && *getenv("DOSSIER_CONFIG"))
        cli->config_path = getenv("DOSSIER_CONFIG");
    ds_config_init(&cli->cfg);
    ds_err err;
    ds_err_clear(&err);
    ds_config_warn_unknown_env(stderr);
    if (ds_config_load(&cli->cfg, cli->config_path, &err) != DS_OK || ds_state_resolve(&cli->cfg, &err) != DS_OK) {
        fprintf(stderr, "dossier: %s\n", err.msg);
        ds_config_deinit(&cli->cfg);
        return ds_cli_exit_for(err.code);
    }
    const char *log_path = cli->log_path ? cli->log_path : cli->cfg.log_file;
    int to_tty = (!log_path || strcmp(log_path, "-") == 0) && isatty(2);
    /* --log-format, then log.format, then text for a terminal and JSON lines for anything else. */
    int json = cli->log_json >= 0                            ? cli->log_json
               : cli->cfg.log_format && *cli->cfg.log_format ? strcmp(cli->cfg.log_format, "json") == 0
                                                             : !to_tty;
    int ok = 1;
    ds_log_level level = ds_log_level_parse(cli->cfg.log_level, &ok);
    if (cli->quiet || (to_tty && level < DS_LOG_LEVEL_WARN && !getenv("DOSSIER_LOG_LEVEL")))
        level = DS_LOG_LEVEL_WARN; /* a terminal gets the progress line, not the info stream */
    if (ds_log_open(&cli->log, log_path, json, level) != 0)
        fprintf(stderr, "dossier: cannot open log file %s, logging to stderr\n", log_path);
    cli->log.tty = to_tty;
    g_log_set_default_handler(glib_log_to_ds, &cli->log);

    optind++; /* argv[optind] is the command; commands parse from there */
    int sub_argc = argc - optind + 1;
    char **sub_argv = argv + optind - 1;
    optind = 0;                            /* glibc: 0 re-initialises getopt for the command's own options */
    curl_global_init(CURL_GLOBAL_DEFAULT); /* once, before any thread, as libcurl requires */
    xmlInitParser();                       /* likewise for libxml2 */
    int rc = cmd->fn(cli, sub_argc, sub_argv);
    curl_global_cleanup();
    xmlCleanupParser();
    ds_log_close(&cli->log);
    ds_config_deinit(&cli->cfg);
    return rc;
}

int ds_cli_main(int argc, char **argv)
{
    ds_cli cli;
    memset(&cli, 0, sizeof cli);
    int rc = cli_main(&cli, argc, argv);
    ds_free(cli.db_dsn_copy);
    return rc;
}
