/* cmd_db.c - `dossier db start|stop|status|migrate|psql`: the private cluster under var/pg and
 * the schema of whatever database is configured. */
#include "pipeline/cli.h"
#include "pipeline/db.h"

#include "pipeline/core/alloc.h"
#include "pipeline/core/buf.h"
#include "pipeline/core/proc.h"
#include "pipeline/core/redact.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void help(void)
{
    printf("usage: dossier db <start|stop|status|migrate|psql> [-- psql arguments]\n\n"
           "  start    create (initdb) and start the private cluster under db.pgdata, then migrate\n"
           "  stop     stop the private cluster\n"
           "  status   say where the database is, whether it answers, its schema version and role\n"
           "  migrate  apply the migrations this binary holds (idempotent)\n"
           "  psql     open psql on the database\n\n"
           "With no connection configured (--db, db.dsn, PG* variables) the database is the private\n"
           "cluster: Unix socket only, no TCP. As root, its server runs under the postgres account.\n"
           "There start, migrate and psql log in as " DS_DB_ADMIN_ROLE ", the cluster's superuser; run, nightly,\n"
           "worker and status as " DS_DB_PIPELINE_ROLE ", which owns nothing and cannot touch the audit\n"
           "trail. With a connection configured, every command logs in as it says.\n");
}

static int is_private(ds_cli *cli)
{
    char *dsn = NULL;
    int priv = 0;
    ds_err err;
    if (ds_db_resolve(&cli->cfg, cli->db_dsn, 0, NULL, &dsn, &priv, &err) != DS_OK)
        priv = 0;
    ds_free(dsn);
    return priv;
}

static int status_cmd(ds_cli *cli)
{
    ds_err err;
    ds_err_clear(&err);
    char *dsn = NULL;
    int priv = 0;
    if (ds_db_resolve(&cli->cfg, cli->db_dsn, 0, &cli->log, &dsn, &priv, &err) != DS_OK) {
        ds_cli_report(cli, "db status", &err);
        return ds_cli_exit_for(err.code);
    }
    if (priv) {
        ds_pgcluster c;
        ds_pgcluster_init(&c, &cli->cfg, &err);
        int up = ds_pgcluster_running(&c);
        printf("database: private cluster in %s (%s)\n", c.datadir, up ? "running" : "stopped");
        printf("socket:   %s (no TCP)%s\n", c.sockdir, c.run_as ? "; server runs as postgres" : "");
        if (!up) {
            ds_free(dsn);
            printf("start it with `dossier db start` (run and nightly start it on demand)\n");
            return DS_EXIT_DB;
        }
    } else {
        char shown[2048];
        ds_redact_secrets(shown, sizeof shown, dsn);
        printf("database: %s\n", *dsn ? shown : "(libpq PG* environment)");
    }
    PGconn *conn = NULL;
    int rc = DS_EXIT_OK;
    if (ds_db_connect(dsn, &conn, &err) != DS_OK) {
        if (priv)
            ds_err_prefix(&err, "the pipeline's role cannot log in (`dossier db start` brings an older cluster up "
                                "to date)");
        ds_cli_report(cli, "db status", &err);
        rc = DS_EXIT_DB;
    } else {
        printf("role:     %s%s\n", PQuser(conn),
               priv ? " (the pipeline's; administration as " DS_DB_ADMIN_ROLE ")" : "");
        int v = 0;
        if (ds_db_schema_version(conn, &v, &err) == DS_OK)
            printf("schema:   version %d (this binary: %d)%s\n", v, ds_db_schema_version_binary(),
                   v < ds_db_schema_version_binary() ? " - run `dossier db migrate`" : "");
        printf("server:   PostgreSQL %d\n", PQserverVersion(conn));
        PGresult *r = NULL;
        if (v > 0 && ds_db_exec(conn, &r, &err, "SELECT status, count(*) FROM documents GROUP BY 1 ORDER BY 1", 0,
                                NULL) == DS_OK) {
            for (int i = 0; i < PQntuples(r); i++)
                printf("documents %-12s %s\n", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
        }
        PQclear(r);
    }
    PQfinish(conn);
    ds_free(dsn);
    return rc;
}

/* Appends value to b quoted for a libpq keyword=value string. */
static int append_quoted(ds_buf *b, const char *value)
{
    int bad = ds_buf_append(b, "'", 1) != DS_OK;
    for (const char *v = value; *v && !bad; v++)
        bad = (*v == '\'' || *v == '\\' ? ds_buf_append(b, "\\", 1) : DS_OK) != DS_OK ||
              ds_buf_append(b, v, 1) != DS_OK;
    return bad || ds_buf_append(b, "'", 1) != DS_OK ? -1 : 0;
}

/* The connection string psql gets: dsn without its password, which goes into PGPASSWORD (the
 * environment, not argv: argv is visible to every local user in ps). */
static ds_status dsn_for_psql(const char *dsn, ds_buf *out, ds_err *err)
{
    char *perr = NULL;
    PQconninfoOption *opts = PQconninfoParse(dsn, &perr);
    if (!opts) {
        ds_status st = ds_err_set(err, DS_ERR_CONFIG, "cannot parse the connection string: %s",
                                  perr ? perr : "out of memory");
        PQfreemem(perr);
        return st;
    }
    int bad = 0;
    for (PQconninfoOption *o = opts; o->keyword && !bad; o++) {
        if (!o->val || !*o->val)
            continue;
        if (strcmp(o->keyword, "password") == 0) {
            bad = setenv("PGPASSWORD", o->val, 1) != 0;
            continue;
        }
        bad = (out->len && ds_buf_append(out, " ", 1) != DS_OK) ||
              ds_buf_append(out, o->keyword, strlen(o->keyword)) != DS_OK || ds_buf_append(out, "=", 1) != DS_OK ||
              append_quoted(out, o->val) != 0;
    }
    PQconninfoFree(opts);
    if (bad || ds_buf_append(out, "", 0) != DS_OK)
        return ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    return DS_OK;
}

static int psql_cmd(ds_cli *cli, int argc, char **argv)
{
    ds_err err;
    ds_err_clear(&err);
    char *dsn = NULL;
    int priv = 0;
    if (ds_db_resolve(&cli->cfg, cli->db_dsn, DS_DB_AUTOSTART | DS_DB_ADMIN, &cli->log, &dsn, &priv, &err) != DS_OK) {
        ds_cli_report(cli, "db psql", &err);
        return ds_cli_exit_for(err.code);
    }
    if (priv && !cli->quiet)
        fprintf(stderr, "dossier db psql: logging in to the private cluster as " DS_DB_ADMIN_ROLE
                        ", its superuser (the pipeline logs in as " DS_DB_PIPELINE_ROLE ")\n");
    char *args[64];
    int n = 0;
    ds_buf conninfo = DS_BUF_INIT;
    args[n++] = "psql";
    if (*dsn) {
        if (dsn_for_psql(dsn, &conninfo, &err) != DS_OK) {
            ds_cli_report(cli, "db psql", &err);
            ds_free(dsn);
            return ds_cli_exit_for(err.code);
        }
        args[n++] = "-d";
        args[n++] = conninfo.data;
    }
    for (int i = 0; i < argc && n < 62; i++)
        args[n++] = argv[i];
    args[n] = NULL;
    ds_proc_exec(args, NULL, &err);
    ds_cli_report(cli, "db psql", &err);
    ds_buf_deinit(&conninfo);
    ds_free(dsn);
    return DS_EXIT_INTERNAL;
}

/* db migrate: the private cluster as its administrator (then the pipeline's role may log in),
 * or the configured database as the DSN's role; says which role it used. */
static int migrate_cmd(ds_cli *cli)
{
    ds_err err;
    ds_err_clear(&err);
    char *dsn = NULL;
    PGconn *conn = NULL;
    int applied = 0, priv = 0;
    char role[128] = DS_DB_ADMIN_ROLE;
    ds_status st = ds_db_resolve(&cli->cfg, cli->db_dsn, DS_DB_ADMIN, &cli->log, &dsn, &priv, &err);
    if (st == DS_OK && priv) {
        ds_pgcluster c;
        st = ds_pgcluster_init(&c, &cli->cfg, &err);
        if (st == DS_OK)
            st = ds_pgcluster_start(&c, &cli->log, &err);
        if (st == DS_OK)
            st = ds_pgcluster_prepare(&c, &cli->log, &applied, &err);
    } else if (st == DS_OK) {
        st = ds_db_connect(dsn, &conn, &err);
        if (st == DS_OK)
            st = ds_db_migrate(conn, &cli->log, &applied, &err);
        if (st == DS_OK)
            snprintf(role, sizeof role, "%s", PQuser(conn));
    }
    PQfinish(conn);
    ds_free(dsn);
    if (st) {
        ds_cli_report(cli, "db migrate", &err);
        return ds_cli_exit_for(st);
    }
    printf("schema at version %d (%d migration%s applied now, as %s%s)\n", ds_db_schema_version_binary(), applied,
           applied == 1 ? "" : "s", role,
           priv ? ", the private cluster's superuser; the pipeline logs in as " DS_DB_PIPELINE_ROLE : "");
    return DS_EXIT_OK;
}

int ds_cmd_db(ds_cli *cli, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        help();
        return argc < 2 ? DS_EXIT_USAGE : DS_EXIT_OK;
    }
    const char *sub = argv[1];
    if (argc > 2 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)) {
        help();
        return DS_EXIT_OK;
    }
    if (strcmp(sub, "psql") != 0 && argc > 2) {
        fprintf(stderr,
                "dossier db %s: unknown %s \"%s\" (db %s takes none; global options such as --db go "
                "before or after the command)\n",
                sub, argv[2][0] == '-' ? "option" : "argument", argv[2], sub);
        return DS_EXIT_USAGE;
    }
    ds_err err;
    ds_err_clear(&err);
    if (strcmp(sub, "status") == 0)
        return status_cmd(cli);
    if (strcmp(sub, "psql") == 0) {
        int skip = argc > 2 && strcmp(argv[2], "--") == 0 ? 3 : 2;
        return psql_cmd(cli, argc - skip, argv + skip);
    }
    if (strcmp(sub, "start") == 0 || strcmp(sub, "stop") == 0) {
        if (!is_private(cli)) {
            fprintf(stderr,
                    "dossier db %s: a database connection is configured; db %s manages only the private "
                    "cluster\n",
                    sub, sub);
            return DS_EXIT_USAGE;
        }
        ds_pgcluster c;
        ds_status st = ds_pgcluster_init(&c, &cli->cfg, &err);
        if (st == DS_OK && strcmp(sub, "stop") == 0) {
            st = ds_pgcluster_stop(&c, &cli->log, &err);
            if (st == DS_OK)
                printf("private cluster in %s stopped\n", c.datadir);
        } else if (st == DS_OK) {
            int applied = 0;
            st = ds_pgcluster_start(&c, &cli->log, &err);
            if (st == DS_OK)
                st = ds_pgcluster_prepare(&c, &cli->log, &applied, &err);
            if (st == DS_OK)
                printf("private cluster running in %s (socket %s%s); migrated as " DS_DB_ADMIN_ROLE
                       ", the pipeline logs in as " DS_DB_PIPELINE_ROLE "\n",
                       c.datadir, c.sockdir, c.run_as ? ", server runs as postgres because dossier runs as root" : "");
        }
        if (st) {
            ds_cli_report(cli, "db", &err);
            return ds_cli_exit_for(st);
        }
        return DS_EXIT_OK;
    }
    if (strcmp(sub, "migrate") == 0)
        return migrate_cmd(cli);
    fprintf(stderr, "dossier db: unknown subcommand \"%s\" (see dossier db --help)\n", sub);
    return DS_EXIT_USAGE;
}
