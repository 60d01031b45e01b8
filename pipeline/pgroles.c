/* pgroles.c - the private cluster's roles: brings its database to this binary's schema as the
 * bootstrap superuser (`dossier`, the cluster's administrator), then lets the pipeline's role
 * (`dossier_pipeline`, made by migration 0021: a member of dossier_writer only) log in and
 * keeps it that way: not superuser, no CREATEDB/CREATEROLE/REPLICATION/BYPASSRLS, no other
 * membership. Peer authentication lets only the OS account running dossier log in as either
 * (pg_ident.conf, written by pgcluster.c). The schema's objects belong to dossier_owner, whom
 * nobody logs in as (migration 0021).
 * Owns: the admin connection it opens and closes. Threading: one caller.
 */
#include "pipeline/db.h"

#include <string.h>

/* Run as the superuser after every migration: idempotent. */
static const char pipeline_login_sql[] =
    "ALTER ROLE " DS_DB_PIPELINE_ROLE " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT;"
    "DO $$ DECLARE r record; BEGIN"
    "  FOR r IN SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid"
    "           WHERE m.member = '" DS_DB_PIPELINE_ROLE "'::regrole AND g.rolname <> 'dossier_writer' LOOP"
    "    EXECUTE format('REVOKE %I FROM " DS_DB_PIPELINE_ROLE "', r.rolname);"
    "  END LOOP;"
    "END $$;"
    "GRANT dossier_writer TO " DS_DB_PIPELINE_ROLE ";";

ds_status ds_pgcluster_prepare(ds_pgcluster *c, ds_log *log, int *applied, ds_err *err)
{
    char dsn[1500];
    ds_pgcluster_dsn(c, 1, dsn, sizeof dsn);
    PGconn *conn = NULL;
    ds_status st = ds_db_connect(dsn, &conn, err);
    if (st == DS_OK)
        st = ds_db_migrate(conn, log, applied, err);
    if (st == DS_OK) {
        PGresult *r = PQexec(conn, pipeline_login_sql);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            const char *m = PQerrorMessage(conn);
            size_t n = strlen(m);
            while (n && m[n - 1] == '\n')
                n--;
            st = ds_err_set(err, DS_ERR_DB, "cannot let %s log in: %.*s", DS_DB_PIPELINE_ROLE, (int)n, m);
        }
        PQclear(r);
    }
    PQfinish(conn);
    return st;
}
