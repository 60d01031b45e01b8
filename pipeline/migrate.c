/* migrate.c - applies the SQL migrations compiled into the binary (sql/NNNN_name.sql), in
 * order, each in its own transaction, recorded in schema_migrations. Idempotent; refuses a
 * database whose schema is newer than this binary. Concurrent migrators serialise on an
 * advisory lock. Threading: one connection, one caller.
 */
#include "pipeline/db.h"
#include "pipeline/migrations.h"

#include <stdio.h>
#include <stdlib.h>

/* Arbitrary constant identifying dossier's migration lock. */
#define MIGRATE_LOCK_KEY "7426031815"

static const char bootstrap_sql[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version integer PRIMARY KEY,"
    " name text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now());"
    "COMMENT ON TABLE schema_migrations IS 'Migrations applied to this database, one row per sql/NNNN file.';"
    "COMMENT ON COLUMN schema_migrations.version IS 'Number of the migration file.';"
    "COMMENT ON COLUMN schema_migrations.name IS 'File name of the migration.';"
    "COMMENT ON COLUMN schema_migrations.applied_at IS 'When it was applied.';";

int ds_db_schema_version_binary(void)
{
    int v = 0;
    for (int i = 0; i < ds_migrations_count; i++)
        if (ds_migrations[i].version > v)
            v = ds_migrations[i].version;
    return v;
}

ds_status ds_db_schema_version(PGconn *conn, int *version, ds_err *err)
{
    PGresult *r = NULL;
    *version = 0;
    ds_status st = ds_db_exec(conn, &r, err, "SELECT to_regclass('schema_migrations') IS NOT NULL", 0, NULL);
    if (st)
        return st;
    int exists = PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    if (!exists)
        return DS_OK;
    st = ds_db_exec(conn, &r, err, "SELECT coalesce(max(version), 0) FROM schema_migrations", 0, NULL);
    if (st == DS_OK)
        *version = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    return st;
}

/* Runs a multi-statement script (simple query protocol: migrations hold no data parameters). */
static ds_status exec_script(PGconn *conn, const char *sql, const char *name, ds_err *err)
{
    PGresult *r = PQexec(conn, sql);
    ExecStatusType t = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    ds_status st = DS_OK;
    if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK)
        st = ds_err_set(err, DS_ERR_DB, "migration %s failed: %s", name,
                        r ? PQresultErrorMessage(r) : PQerrorMessage(conn));
    PQclear(r);
    return st;
}

ds_status ds_db_migrate(PGconn *conn, ds_log *log, int *applied, ds_err *err)
{
    int n_applied = 0;
    if (applied)
        *applied = 0;
    ds_status st = ds_db_exec(conn, NULL, err, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")", 0, NULL);
    if (st)
        return st;
    if ((st = exec_script(conn, bootstrap_sql, "bootstrap", err)))
        goto out;
    int current = 0;
    if ((st = ds_db_schema_version(conn, &current, err)))
        goto out;
    int mine = ds_db_schema_version_binary();
    if (current > mine) {
        st = ds_err_set(err, DS_ERR_DB,
                        "database schema is version %d, newer than this dossier binary (%d): upgrade dossier", current,
                        mine);
        goto out;
    }
    for (int i = 0; i < ds_migrations_count; i++) {
        const ds_migration *m = &ds_migrations[i];
        char vbuf[16];
        snprintf(vbuf, sizeof vbuf, "%d", m->version);
        const char *p1[] = {vbuf};
        PGresult *r = NULL;
        if ((st = ds_db_exec(conn, &r, err, "SELECT 1 FROM schema_migrations WHERE version = $1::int", 1, p1)))
            goto out;
        int done = PQntuples(r) > 0;
        PQclear(r);
        if (done)
            continue;
        if ((st = ds_db_begin(conn, err)))
            goto out;
        st = exec_script(conn, m->sql, m->name, err);
        if (st == DS_OK) {
            const char *p2[] = {vbuf, m->name};
            st = ds_db_exec(conn, NULL, err, "INSERT INTO schema_migrations (version, name) VALUES ($1::int, $2)", 2,
                            p2);
        }
        if (st == DS_OK)
            st = ds_db_commit(conn, err);
        if (st) {
            ds_db_rollback(conn);
            goto out;
        }
        DS_INFO(log, "db", "applied migration %s", m->name);
        n_applied++;
    }
out:;
    PGresult *r = PQexec(conn, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")");
    PQclear(r);
    if (applied)
        *applied = n_applied;
    return st;
}
