/* migrate.c - applies the SQL migrations compiled into the binary (sql/NNNN_name.sql), in
 * order, each in its own transaction, recorded in schema_migrations. Idempotent; refuses a
 * database whose schema is newer than this binary. Concurrent migrators serialise on an
 * advisory lock.
 *
 * Roles: migrations up to the role split (0021) run as the connecting account; 0021 hands
 * every object to dossier_owner, and each later migration runs under SET LOCAL ROLE
 * dossier_owner, so what it creates is owned by that role (a migration that must create a role
 * does so between RESET ROLE and SET ROLE dossier_owner). The connecting account must be a
 * superuser or a member of dossier_owner. A schema already current needs no privilege at all:
 * the pipeline's own role (which may not create anything) passes straight through.
 * Threading: one connection, one caller.
 */
#include "pipeline/db.h"
#include "pipeline/migrations.h"

#include <stdio.h>
#include <stdlib.h>

/* Arbitrary constant identifying dossier's migration lock. */
#define MIGRATE_LOCK_KEY "7426031815"
/* The migration that creates dossier_owner and hands it the schema; later ones run as it. */
#define MIGRATE_ROLE_SPLIT 21

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

/* *all = 1 when every migration this binary holds is recorded (a lower-numbered one merged
 * after a higher one was applied still counts as missing). */
static ds_status all_applied(PGconn *conn, int *all, ds_err *err)
{
    char list[16 * 256] = "{";
    size_t o = 1;
    for (int i = 0; i < ds_migrations_count && o + 16 < sizeof list; i++)
        o += (size_t)snprintf(list + o, sizeof list - o, "%s%d", i ? "," : "", ds_migrations[i].version);
    snprintf(list + o, sizeof list - o, "}");
    const char *p[] = {list};
    PGresult *r = NULL;
    ds_status st = ds_db_exec(conn, &r, err, "SELECT count(*) FROM schema_migrations WHERE version = ANY($1::int[])", 1,
                              p);
    *all = st == DS_OK && atoi(PQgetvalue(r, 0, 0)) == ds_migrations_count;
    PQclear(r);
    return st;
}

static ds_status newer_error(int current, int mine, ds_err *err)
{
    return ds_err_set(err, DS_ERR_DB,
                      "database schema is version %d, newer than this dossier binary (%d): upgrade dossier", current,
                      mine);
}

/* A schema behind this binary: refuses, naming the role, when this session may not create in
 * the schema (the pipeline's role), rather than failing on the first statement. */
static ds_status check_can_migrate(PGconn *conn, int current, int mine, ds_err *err)
{
    PGresult *r = NULL;
    ds_status st = ds_db_exec(conn, &r, err,
                              "SELECT has_schema_privilege('public', 'CREATE') "
                              "OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) "
                              "OR (to_regrole('dossier_owner') IS NOT NULL "
                              "AND pg_has_role('dossier_owner', 'MEMBER')), session_user",
                              0, NULL);
    if (st == DS_OK && PQgetvalue(r, 0, 0)[0] != 't')
        st = ds_err_set(err, DS_ERR_DB,
                        "the database schema is at version %d, this dossier needs %d, and role %s may not migrate "
                        "it: run `dossier db migrate` as the schema owner's administrator (README, Security)",
                        current, mine, PQgetvalue(r, 0, 1));
    PQclear(r);
    return st;
}

/* Inside a migration's transaction: become dossier_owner, so what it creates is that role's. */
static ds_status set_owner_role(PGconn *conn, const char *name, ds_err *err)
{
    ds_status st = ds_db_exec(conn, NULL, err, "SET LOCAL ROLE dossier_owner", 0, NULL);
    if (st)
        ds_err_prefix(err,
                      "migration %s runs as dossier_owner: connect as a superuser or a member of "
                      "dossier_owner (README, Security)",
                      name);
    return st;
}

ds_status ds_db_migrate(PGconn *conn, ds_log *log, int *applied, ds_err *err)
{
    int n_applied = 0;
    if (applied)
        *applied = 0;
    int current = 0, mine = ds_db_schema_version_binary(), all = 0;
    ds_status st = ds_db_schema_version(conn, &current, err);
    if (st == DS_OK && current == mine && (st = all_applied(conn, &all, err)) == DS_OK && all)
        return DS_OK; /* nothing to do: no lock, no privilege needed */
    if (st == DS_OK && current > mine)
        return newer_error(current, mine, err);
    if (st == DS_OK)
        st = check_can_migrate(conn, current, mine, err);
    if (st)
        return st;
    if ((st = ds_db_exec(conn, NULL, err, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")", 0, NULL)))
        return st;
    if ((st = exec_script(conn, bootstrap_sql, "bootstrap", err)))
        goto out;
    if ((st = ds_db_schema_version(conn, &current, err)))
        goto out;
    if (current > mine) {
        st = newer_error(current, mine, err);
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
        if (m->version > MIGRATE_ROLE_SPLIT)
            st = set_owner_role(conn, m->name, err);
        if (st == DS_OK)
            st = exec_script(conn, m->sql, m->name, err);
        if (st == DS_OK) {
            const char *p2[] = {vbuf, m->name};
            st = ds_db_exec(conn, NULL, err, "INSERT INTO schema_migrations (version, name) VALUES ($1::int, $2)", 2,
                            p2);
        }
        if (st == DS_OK)
            st = ds_db_commit(conn, err);
        if (st)
            ds_db_rollback(conn);
        PQclear(PQexec(conn, "RESET ROLE")); /* a migration's own SET ROLE ends with it */
        if (st)
            goto out;
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
