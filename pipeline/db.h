/* db.h - the pipeline's PostgreSQL access: choosing the connection, the private cluster under
 * var/pg, migrations, COPY loading, and the document store.
 *
 * Owns: PGconn handles it returns (caller closes with PQfinish). All SQL goes through
 * PQexecParams/PQprepare with parameters; bulk rows through COPY FROM STDIN.
 * Threading: one connection per thread/process.
 */
#ifndef DS_PIPELINE_DB_H
#define DS_PIPELINE_DB_H

#include "pipeline/config.h"
#include "pipeline/core/buf.h"
#include "pipeline/core/log.h"
#include "pipeline/core/status.h"

#include <libpq-fe.h>

/* ---- private cluster (pipeline/pgcluster.c) ---------------------------------------------- */
typedef struct ds_pgcluster {
    char root[1024];    /* absolute db.pgdata */
    char datadir[1100]; /* root/data */
    char sockdir[1100]; /* root/run, or a short /tmp path when that is too long for a socket */
    char logfile[1100]; /* root/postgres.log */
    char bindir[1024];  /* initdb, pg_ctl */
    const char *run_as; /* "postgres" when we are root, else NULL */
} ds_pgcluster;

ds_status ds_pgcluster_init(ds_pgcluster *c, const ds_config *cfg, ds_err *err);
/* initdb if needed, start if not running, create the database. Idempotent. */
ds_status ds_pgcluster_start(ds_pgcluster *c, ds_log *log, ds_err *err);
ds_status ds_pgcluster_stop(ds_pgcluster *c, ds_log *log, ds_err *err);
/* 1 running, 0 stopped (or not initialised). */
int ds_pgcluster_running(ds_pgcluster *c);
/* The role the pipeline logs in as (migration 0021; the private cluster lets it log in). */
#define DS_DB_PIPELINE_ROLE "dossier_pipeline"
/* The private cluster's bootstrap superuser: its administrator (db start, migrate, psql). */
#define DS_DB_ADMIN_ROLE "dossier"
/* Connection string for the cluster's database: as the pipeline's role, or with admin as the
 * bootstrap superuser. */
void ds_pgcluster_dsn(const ds_pgcluster *c, int admin, char *out, size_t cap);
/* pipeline/pgroles.c: applies the migrations as the bootstrap superuser (count in *applied
 * when non-NULL), then lets the pipeline's role log in, a member of dossier_writer only. The
 * cluster must be running. Idempotent. */
ds_status ds_pgcluster_prepare(ds_pgcluster *c, ds_log *log, int *applied, ds_err *err);

/* ---- connections (pipeline/db.c) --------------------------------------------------------- */
/* ds_db_resolve flags. */
enum {
    DS_DB_AUTOSTART = 1, /* start the private cluster; unless DS_DB_ADMIN also migrate it (as its
                            administrator) so that the pipeline's role can log in */
    DS_DB_ADMIN = 2,     /* the private cluster's administrator (DS_DB_ADMIN_ROLE), not the pipeline */
};
/* Resolves the connection: --db, then db.dsn, then libpq's PG* environment (the same for the
 * pipeline and an administrator: the DSN says who logs in); with none of them, the private
 * cluster as DS_DB_PIPELINE_ROLE, or DS_DB_ADMIN_ROLE with DS_DB_ADMIN. *dsn is caller-freed. */
ds_status ds_db_resolve(const ds_config *cfg, const char *cli_dsn, int flags, ds_log *log, char **dsn, int *is_private,
                        ds_err *err);
/* Connects; DS_ERR_DB_UNREACHABLE with libpq's message when it cannot. */
ds_status ds_db_connect(const char *dsn, PGconn **out, ds_err *err);
/* Runs a parameterised command; DS_ERR_DB with the server message on failure. The result
 * is returned through res when non-NULL (caller PQclears), else cleared. */
ds_status ds_db_exec(PGconn *conn, PGresult **res, ds_err *err, const char *sql, int n, const char *const *params);
ds_status ds_db_begin(PGconn *conn, ds_err *err);
ds_status ds_db_commit(PGconn *conn, ds_err *err);
void ds_db_rollback(PGconn *conn);

/* ---- migrations (pipeline/migrate.c) ----------------------------------------------------- */
/* Applies the compiled-in migrations not yet applied, each in its own transaction, under an
 * advisory lock; refuses a database whose schema is newer than this binary. */
ds_status ds_db_migrate(PGconn *conn, ds_log *log, int *applied, ds_err *err);
int ds_db_schema_version_binary(void);
ds_status ds_db_schema_version(PGconn *conn, int *version, ds_err *err);

/* ---- COPY (pipeline/copy.c) -------------------------------------------------------------- */
typedef struct ds_copy {
    PGconn *conn;
    ds_buf row; /* rows waiting to be sent */
    int fields_in_row;
    long rows;
    int active;
} ds_copy;

/* Starts "COPY table (cols) FROM STDIN" (text format). */
ds_status ds_copy_begin(ds_copy *cp, PGconn *conn, const char *copy_sql, ds_err *err);
/* Appends a field to the current row: text escaped for COPY text format; NULL is \N. */
ds_status ds_copy_field(ds_copy *cp, const char *s, size_t n);
ds_status ds_copy_str(ds_copy *cp, const char *s); /* NUL-terminated or NULL */
ds_status ds_copy_int(ds_copy *cp, long long v);
ds_status ds_copy_row_end(ds_copy *cp, ds_err *err);
/* Sends the rest and ends COPY; returns the server's verdict. */
ds_status ds_copy_end(ds_copy *cp, ds_err *err);
/* Aborts with a reason (PQputCopyEnd(conn, reason)) and drains results. */
void ds_copy_abort(ds_copy *cp, const char *reason);

#endif
