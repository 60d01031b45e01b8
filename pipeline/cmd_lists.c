/* cmd_lists.c - `dossier lists load|status|screen|rescreen`: loading sanctions lists into the
 * database, showing the active versions, screening names against them from the command line,
 * and screening the stored documents again against the active versions (pipeline/rescreen.h). */
#include "pipeline/cli.h"
#include "pipeline/core/alloc.h"
#include "pipeline/db.h"
#include "pipeline/lists.h"
#include "pipeline/rescreen.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void help(void)
{
    printf("usage: dossier lists load [--published YYYY-MM-DD] [--version LABEL] [--force] [--no-rescreen] FILE...\n"
           "       dossier lists status\n"
           "       dossier lists screen [--person | --org] [--threshold X] NAME...\n"
           "       dossier lists rescreen [--max-documents N]\n\n"
           "  load    read sanctions lists and make them the active versions, all in one transaction:\n"
           "          OFAC SDN sdn.xml, OFAC sdn.csv (alt.csv, add.csv and sdn_comments.csv are read from\n"
           "          beside it; a folder holding sdn.csv works too), the EU consolidated list XML and the\n"
           "          UN consolidated list XML. The format is read from the content. A list whose bytes\n"
           "          equal the active version is left alone unless --force. The previous version is kept,\n"
           "          inactive, for the alerts that refer to it.\n"
           "            --published DATE  publication date for a list that states none (OFAC CSV)\n"
           "            --version LABEL   version label instead of the file's own\n"
           "            --force           load even when unchanged or under 90%% of the active entries\n"
           "            --no-rescreen     do not screen the stored documents against the lists afterwards\n"
           "  status  the active version of each list: version, publication date, entries, names\n"
           "  screen  score names against the active lists (threshold: screening.threshold)\n"
           "            --person, --org   what the names are (default: unknown)\n"
           "            --threshold X     score from which a name is reported\n"
           "  rescreen  screen the stored documents not yet screened against the active list versions\n"
           "          (their chunks, as a run screens a document): new mentions join their cases, a\n"
           "          new entry or company opens a case, a dismissed case stays dismissed. `load` does\n"
           "          it unless --no-rescreen. Running it again does nothing new.\n"
           "            --max-documents N stop after N documents (the next call goes on from there)\n\n"
           "Exit status: 0 done, 2 usage error or a file that is not a list or is malformed (nothing\n"
           "is changed then), 3 database unreachable, 4 other errors.\n");
}

static int connect_db(ds_cli *cli, PGconn **conn, int migrate, const char *what)
{
    ds_err err;
    ds_err_clear(&err);
    char *dsn = NULL;
    ds_status st = ds_db_resolve(&cli->cfg, cli->db_dsn, DS_DB_AUTOSTART, &cli->log, &dsn, NULL, &err);
    if (!st)
        st = ds_db_connect(dsn, conn, &err);
    if (!st && migrate)
        st = ds_db_migrate(*conn, &cli->log, NULL, &err);
    ds_free(dsn);
    if (st) {
        ds_cli_report(cli, what, &err);
        PQfinish(*conn);
        *conn = NULL;
        return ds_cli_exit_for(st);
    }
    return DS_EXIT_OK;
}

/* Screens the stored documents against the active lists and prints what it opened. */
static int rescreen_run(ds_cli *cli, PGconn *conn, long max_documents, const char *what)
{
    ds_rescreen_opts ro = {cli->cfg.screen_threshold, max_documents};
    ds_rescreen_stats rs;
    ds_err err;
    ds_err_clear(&err);
    ds_status st = ds_rescreen(conn, &ro, &cli->log, &rs, &err);
    if (st) {
        ds_cli_report(cli, what, &err);
        fprintf(stderr,
                "dossier: %s: rescreening stopped; the documents screened before stay done "
                "(dossier lists rescreen goes on)\n",
                what);
        return ds_cli_exit_for(st);
    }
    if (strcmp(rs.lists, "{}") == 0) {
        printf("rescreen: no sanctions list is loaded\n");
        return DS_EXIT_OK;
    }
    printf("rescreen: %ld document%s screened against list versions %s in %.1f s: %ld new mention%s, %ld new case%s",
           rs.documents, rs.documents == 1 ? "" : "s", rs.lists, rs.seconds, rs.alerts, rs.alerts == 1 ? "" : "s",
           rs.cases, rs.cases == 1 ? "" : "s");
    if (rs.left)
        printf("; %ld document%s left (run it again)", rs.left, rs.left == 1 ? "" : "s");
    printf("\n");
    return DS_EXIT_OK;
}

static int rescreen_cmd(ds_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'}, {"max-documents", required_argument, NULL, 'm'}, {NULL, 0, NULL, 0}};
    long max_documents = 0;
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "hm:", opts, NULL)) != -1) {
        switch (c) {
        case 'h': help(); return DS_EXIT_OK;
        case 'm': {
            char *end;
            max_documents = strtol(optarg, &end, 10);
            if (*end || end == optarg || max_documents < 1) {
                fprintf(stderr, "dossier lists rescreen: --max-documents takes a whole number from 1\n");
                return DS_EXIT_USAGE;
            }
            break;
        }
        default: return DS_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "dossier lists rescreen: unknown argument \"%s\"\n", argv[optind]);
        return DS_EXIT_USAGE;
    }
    PGconn *conn = NULL;
    int rc = connect_db(cli, &conn, 1, "lists rescreen");
    if (rc)
        return rc;
    rc = rescreen_run(cli, conn, max_documents, "lists rescreen");
    PQfinish(conn);
    return rc;
}

static int load_cmd(ds_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},          {"published", required_argument, NULL, 'p'},
        {"version", required_argument, NULL, 'v'}, {"force", no_argument, NULL, 'f'},
        {"no-rescreen", no_argument, NULL, 'R'},   {NULL, 0, NULL, 0}};
    ds_lists_options lo = {0};
    int c, rescreen = 1;
    optind = 0;
    while ((c = getopt_long(argc, argv, "hp:v:f", opts, NULL)) != -1) {
        switch (c) {
        case 'h': help(); return DS_EXIT_OK;
        case 'p': lo.published = optarg; break;
        case 'v': lo.version = optarg; break;
        case 'f': lo.force = 1; break;
        case 'R': rescreen = 0; break;
        default: return DS_EXIT_USAGE;
        }
    }
    int n = argc - optind;
    if (n <= 0) {
        fprintf(stderr, "dossier lists load: give one or more list files (see dossier lists --help)\n");
        return DS_EXIT_USAGE;
    }
    PGconn *conn = NULL;
    int rc = connect_db(cli, &conn, 1, "lists load");
    if (rc)
        return rc;
    ds_lists_loaded *rec = ds_calloc((size_t)n, sizeof *rec);
    if (!rec) {
        PQfinish(conn);
        return DS_EXIT_INTERNAL;
    }
    ds_err err;
    ds_err_clear(&err);
    ds_status st = ds_lists_load(conn, (const char *const *)(argv + optind), (size_t)n, &lo, rec, &err);
    if (st) {
        PQfinish(conn);
        ds_cli_report(cli, "lists load", &err);
        fprintf(stderr, "dossier: lists load: nothing was changed\n");
        ds_free(rec);
        return st == DS_ERR_PARSE || st == DS_ERR_FORMAT || st == DS_ERR_EMPTY ? DS_EXIT_USAGE : ds_cli_exit_for(st);
    }
    for (int i = 0; i < n; i++) {
        const ds_lists_loaded *r = &rec[i];
        if (r->unchanged) {
            printf("%s: %s unchanged (active version %lld has the same bytes; --force reloads)\n", argv[optind + i],
                   r->source, r->list_id);
            continue;
        }
        printf("%s: %s (%s) version %s, published %s: %zu entries, %zu names", argv[optind + i], r->source, r->format,
               r->version, r->published[0] ? r->published : "unknown", r->entries, r->names);
        if (r->skipped)
            printf(", %zu rows of unknown entries skipped", r->skipped);
        if (r->replaced_id)
            printf("; replaces version %lld", r->replaced_id);
        printf("\n");
        DS_INFO(&cli->log, "lists", "loaded %s version %s as list %lld: %zu entries, %zu names", r->source, r->version,
                r->list_id, r->entries, r->names);
    }
    ds_free(rec);
    rc = rescreen ? rescreen_run(cli, conn, 0, "lists load") : DS_EXIT_OK;
    PQfinish(conn);
    return rc;
}

static int status_cmd(ds_cli *cli)
{
    PGconn *conn = NULL;
    int rc = connect_db(cli, &conn, 0, "lists status");
    if (rc)
        return rc;
    ds_err err;
    ds_err_clear(&err);
    PGresult *r = NULL;
    ds_status st = ds_db_exec(
        conn, &r, &err,
        "SELECT l.source, l.version, coalesce(l.published::text, 'unknown'), l.entry_count, "
        "(SELECT count(*) FROM sanctions_names n JOIN sanctions_entries e ON e.id = n.entry_id WHERE e.list_id = "
        "l.id), "
        "to_char(l.loaded_at, 'YYYY-MM-DD HH24:MI'), "
        "(SELECT count(*) FROM sanctions_lists o WHERE o.source = l.source AND NOT o.active), l.id "
        "FROM sanctions_lists l WHERE l.active ORDER BY l.source",
        0, NULL);
    if (st) {
        ds_cli_report(cli, "lists status", &err);
        PQfinish(conn);
        return ds_cli_exit_for(st);
    }
    if (PQntuples(r) == 0)
        printf("no sanctions list loaded (dossier lists load FILE...)\n");
    else
        printf("%-16s %6s %-30s %-10s %8s %8s %-16s %s\n", "source", "id", "version", "published", "entries", "names",
               "loaded", "older");
    for (int i = 0; i < PQntuples(r); i++)
        printf("%-16s %6s %-30s %-10s %8s %8s %-16s %s\n", PQgetvalue(r, i, 0), PQgetvalue(r, i, 7),
               PQgetvalue(r, i, 1), PQgetvalue(r, i, 2), PQgetvalue(r, i, 3), PQgetvalue(r, i, 4), PQgetvalue(r, i, 5),
               PQgetvalue(r, i, 6));
    PQclear(r);
    PQfinish(conn);
    return DS_EXIT_OK;
}

static int screen_cmd(ds_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                         {"person", no_argument, NULL, 'P'},
                                         {"org", no_argument, NULL, 'O'},
                                         {"threshold", required_argument, NULL, 't'},
                                         {NULL, 0, NULL, 0}};
    int person = -1, c;
    double threshold = cli->cfg.screen_threshold;
    optind = 0;
    while ((c = getopt_long(argc, argv, "hPOt:", opts, NULL)) != -1) {
        switch (c) {
        case 'h': help(); return DS_EXIT_OK;
        case 'P': person = 1; break;
        case 'O': person = 0; break;
        case 't': {
            char *end;
            threshold = strtod(optarg, &end);
            if (*end || threshold < 0 || threshold > 1) {
                fprintf(stderr, "dossier lists screen: --threshold takes a number from 0 to 1\n");
                return DS_EXIT_USAGE;
            }
            break;
        }
        default: return DS_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "dossier lists screen: give one or more names\n");
        return DS_EXIT_USAGE;
    }
    PGconn *conn = NULL;
    int rc = connect_db(cli, &conn, 0, "lists screen");
    if (rc)
        return rc;
    ds_err err;
    ds_err_clear(&err);
    ds_screen_index *idx = NULL;
    ds_status st = ds_lists_build_index(conn, &idx, &err);
    PQfinish(conn);
    if (st) {
        ds_cli_report(cli, "lists screen", &err);
        return ds_cli_exit_for(st);
    }
    ds_screen_hit hits[20];
    for (int i = optind; i < argc; i++) {
        size_t n = ds_screen_match(idx, argv[i], person, threshold, hits, 20);
        printf("%s: %zu hit%s\n", argv[i], n, n == 1 ? "" : "s");
        for (size_t k = 0; k < n; k++)
            printf("  %.4f  entry %lld  list %lld (%s)  %s  [jw %.3f, token-set %.3f]\n", hits[k].score,
                   hits[k].entry_id, hits[k].list_id, hits[k].list_version, hits[k].matched_name, hits[k].jw,
                   hits[k].token_set);
    }
    ds_screen_index_free(idx);
    return DS_EXIT_OK;
}

int ds_cmd_lists(ds_cli *cli, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        help();
        return argc < 2 ? DS_EXIT_USAGE : DS_EXIT_OK;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "load") == 0)
        return load_cmd(cli, argc - 1, argv + 1);
    if (strcmp(sub, "status") == 0) {
        if (argc > 2 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)) {
            help();
            return DS_EXIT_OK;
        }
        if (argc > 2) {
            fprintf(stderr, "dossier lists status: unknown %s \"%s\"\n", argv[2][0] == '-' ? "option" : "argument",
                    argv[2]);
            return DS_EXIT_USAGE;
        }
        return status_cmd(cli);
    }
    if (strcmp(sub, "screen") == 0)
        return screen_cmd(cli, argc - 1, argv + 1);
    if (strcmp(sub, "rescreen") == 0)
        return rescreen_cmd(cli, argc - 1, argv + 1);
    fprintf(stderr, "dossier lists: unknown subcommand \"%s\" (see dossier lists --help)\n", sub);
    return DS_EXIT_USAGE;
}
