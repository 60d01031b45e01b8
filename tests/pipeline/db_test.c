/* db_test.c - migrations (twice, comments on everything, refusing a newer schema) and COPY
 * of awkward text (quotes, tabs, newlines, backslashes, non-ASCII, NULL vs empty), against a
 * real PostgreSQL (the test cluster). */
#include "testlib.h"

#include "pipeline/db.h"

static PGconn *connect_or_die(const char *dsn)
{
    PGconn *conn = NULL;
    ds_err err;
    ds_status st = ds_db_connect(dsn, &conn, &err);
    if (st)
        fprintf(stderr, "%s\n", err.msg);
    DS_REQUIRE(st == DS_OK);
    return conn;
}

static long long scalar(PGconn *conn, const char *sql)
{
    PGresult *r = NULL;
    ds_err err;
    DS_REQUIRE(ds_db_exec(conn, &r, &err, sql, 0, NULL) == DS_OK);
    long long v = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    return v;
}

static void test_migrations(PGconn *conn)
{
    ds_err err;
    int applied = -1;
    DS_REQUIRE(ds_db_migrate(conn, NULL, &applied, &err) == DS_OK);
    DS_CHECK(applied == ds_db_schema_version_binary() || applied >= 1);
    int again = -1;
    DS_CHECK(ds_db_migrate(conn, NULL, &again, &err) == DS_OK);
    DS_CHECKF(again == 0, "second migrate applied %d", again);
    int v = 0;
    DS_CHECK(ds_db_schema_version(conn, &v, &err) == DS_OK && v == ds_db_schema_version_binary());
    /* Every table and every column carries a comment. */
    long long bare_tables = scalar(conn,
                                   "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                                   "WHERE n.nspname = 'public' AND c.relkind = 'r' "
                                   "AND obj_description(c.oid, 'pg_class') IS NULL");
    DS_CHECKF(bare_tables == 0, "%lld tables without COMMENT", bare_tables);
    long long bare_cols = scalar(conn, "SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                                       "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' "
                                       "AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped "
                                       "AND col_description(c.oid, a.attnum) IS NULL");
    DS_CHECKF(bare_cols == 0, "%lld columns without COMMENT", bare_cols);
    /* A database newer than the binary is refused. */
    DS_REQUIRE(ds_db_exec(conn, NULL, &err, "INSERT INTO schema_migrations VALUES (9999, '9999_future.sql')", 0,
                          NULL) == DS_OK);
    ds_status st = ds_db_migrate(conn, NULL, NULL, &err);
    DS_CHECK(st == DS_ERR_DB);
    DS_CHECKF(strstr(err.msg, "newer") != NULL, "message: %s", err.msg);
    DS_REQUIRE(ds_db_exec(conn, NULL, &err, "DELETE FROM schema_migrations WHERE version = 9999", 0, NULL) == DS_OK);
}

static void test_copy(PGconn *conn)
{
    ds_err err;
    static const char *const values[] = {
        "plain",
        "quotes \" and ' and \"\"",
        "tab\there\tand\tthere",
        "new\nline\r\nand carriage\rreturn",
        "back\\slash \\N \\t \\\\ end\\",
        "non-ASCII: café, 日本語, العربية, 😀, ‰ €",
        "",
        "\\.",
        "comma, semicolon; pipe | and {braces} [brackets]",
        "'; DROP TABLE copy_probe; --",
    };
    const size_t n = sizeof values / sizeof values[0];
    DS_REQUIRE(ds_db_exec(conn, NULL, &err, "CREATE TEMP TABLE copy_probe (i int, t text, u text)", 0, NULL) == DS_OK);
    ds_copy cp;
    DS_REQUIRE(ds_copy_begin(&cp, conn, "COPY copy_probe (i, t, u) FROM STDIN", &err) == DS_OK);
    for (size_t i = 0; i < n; i++) {
        DS_CHECK(ds_copy_int(&cp, (long long)i) == DS_OK);
        DS_CHECK(ds_copy_str(&cp, values[i]) == DS_OK);
        DS_CHECK(ds_copy_str(&cp, i % 2 ? NULL : values[i]) == DS_OK);
        DS_CHECK(ds_copy_row_end(&cp, &err) == DS_OK);
    }
    DS_REQUIRE(ds_copy_end(&cp, &err) == DS_OK);
    PGresult *r = NULL;
    DS_REQUIRE(ds_db_exec(conn, &r, &err, "SELECT i, t, u IS NULL, u FROM copy_probe ORDER BY i", 0, NULL) == DS_OK);
    DS_REQUIRE((size_t)PQntuples(r) == n);
    for (size_t i = 0; i < n; i++) {
        DS_CHECK_STREQ(PQgetvalue(r, (int)i, 1), values[i]);
        DS_CHECK((PQgetvalue(r, (int)i, 2)[0] == 't') == (i % 2 == 1));
        if (i % 2 == 0)
            DS_CHECK_STREQ(PQgetvalue(r, (int)i, 3), values[i]);
    }
    PQclear(r);
    DS_CHECK(scalar(conn, "SELECT count(*) FROM pg_class WHERE relname = 'copy_probe'") == 1);

    /* A COPY with a bad value fails as a whole and leaves nothing. */
    DS_REQUIRE(ds_copy_begin(&cp, conn, "COPY copy_probe (i, t, u) FROM STDIN", &err) == DS_OK);
    ds_copy_str(&cp, "100");
    ds_copy_str(&cp, "ok");
    ds_copy_str(&cp, "ok");
    ds_copy_row_end(&cp, &err);
    ds_copy_str(&cp, "not a number");
    ds_copy_str(&cp, "x");
    ds_copy_str(&cp, "y");
    ds_copy_row_end(&cp, &err);
    DS_CHECK(ds_copy_end(&cp, &err) == DS_ERR_DB);
    DS_CHECKF(strstr(err.msg, "integer") != NULL, "message: %s", err.msg);
    DS_CHECK(scalar(conn, "SELECT count(*) FROM copy_probe WHERE i = 100") == 0);
}

int main(void)
{
    const char *dsn = ds_test_db_create("t_pipeline_db");
    PGconn *conn = connect_or_die(dsn);
    test_migrations(conn);
    test_copy(conn);
    PQfinish(conn);
    return ds_test_done();
}
