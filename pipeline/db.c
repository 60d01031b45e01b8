/* db.c - choosing and opening the PostgreSQL connection, and small parameterised helpers.
 * Threading: connections are not shared between threads. */
#include "pipeline/db.h"

#include "pipeline/core/alloc.h"

#include <stdlib.h>
#include <string.h>

static int env_set(const char *name)
{
    const char *v = getenv(name);
    return v && *v;
}

ds_status ds_db_resolve(const ds_config *cfg, const char *cli_dsn, int flags, ds_log *log, char **dsn, int *is_private,
                        ds_err *err)
{
    *dsn = NULL;
    if (is_private)
        *is_private = 0;
    const char *chosen = NULL;
    if (cli_dsn && *cli_dsn)
        chosen = cli_dsn;
    else if (cfg->db_dsn && *cfg->db_dsn)
        chosen = cfg->db_dsn;
    else if (env_set("PGHOST") || env_set("PGDATABASE") || env_set("PGSERVICE") || env_set("PGHOSTADDR"))
        chosen = ""; /* libpq reads PG* itself */
    if (chosen) {
        *dsn = ds_strdup(chosen);
        return *dsn ? DS_OK : ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    }
    ds_pgcluster c;
    ds_status st = ds_pgcluster_init(&c, cfg, err);
    if (st)
        return st;
    if (flags & DS_DB_AUTOSTART) {
        if ((st = ds_pgcluster_start(&c, log, err)))
            return st;
        if (!(flags & DS_DB_ADMIN) && (st = ds_pgcluster_prepare(&c, log, NULL, err)))
            return st;
    }
    char buf[1500];
    ds_pgcluster_dsn(&c, (flags & DS_DB_ADMIN) != 0, buf, sizeof buf);
    if (is_private)
        *is_private = 1;
    *dsn = ds_strdup(buf);
    return *dsn ? DS_OK : ds_err_set(err, DS_ERR_NOMEM, "out of memory");
}

ds_status ds_db_connect(const char *dsn, PGconn **out, ds_err *err)
{
    *out = NULL;
    PGconn *conn = PQconnectdb(dsn ? dsn : "");
    if (!conn)
        return ds_err_set(err, DS_ERR_NOMEM, "out of memory creating a connection");
    if (PQstatus(conn) != CONNECTION_OK) {
        char msg[400];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(conn));
        size_t n = strlen(msg);
        while (n && (msg[n - 1] == '\n' || msg[n - 1] == '.'))
            msg[--n] = '\0';
        PQfinish(conn);
        return ds_err_set(err, DS_ERR_DB_UNREACHABLE, "cannot connect to postgresql: %s", msg);
    }
    /* Quiet NOTICEs (e.g. "relation already exists, skipping"). */
    PGresult *r = PQexec(conn, "SET client_min_messages = warning");
    PQclear(r);
    *out = conn;
    return DS_OK;
}

ds_status ds_db_exec(PGconn *conn, PGresult **res, ds_err *err, const char *sql, int n, const char *const *params)
{
    if (res)
        *res = NULL;
    PGresult *r = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType t = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK) {
        const char *m = r ? PQresultErrorMessage(r) : PQerrorMessage(conn);
        char msg[480];
        snprintf(msg, sizeof msg, "%s", m && *m ? m : "no result");
        size_t len = strlen(msg);
        while (len && msg[len - 1] == '\n')
            msg[--len] = '\0';
        ds_status code = PQstatus(conn) == CONNECTION_BAD ? DS_ERR_DB_UNREACHABLE : DS_ERR_DB;
        PQclear(r);
        return ds_err_set(err, code, "%s", msg);
    }
    if (res)
        *res = r;
    else
        PQclear(r);
    return DS_OK;
}

ds_status ds_db_begin(PGconn *conn, ds_err *err)
{
    return ds_db_exec(conn, NULL, err, "BEGIN", 0, NULL);
}

ds_status ds_db_commit(PGconn *conn, ds_err *err)
{
    return ds_db_exec(conn, NULL, err, "COMMIT", 0, NULL);
}

void ds_db_rollback(PGconn *conn)
{
    PGresult *r = PQexec(conn, "ROLLBACK");
    PQclear(r);
}
