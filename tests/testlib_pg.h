/* testlib_pg.h - test helpers over libpq (ds_testlib only; the engine's test library has no
 * PostgreSQL). */
#ifndef DS_TESTLIB_PG_H
#define DS_TESTLIB_PG_H

#include <libpq-fe.h>

/* The first column of the first row of sql as a number; -1 when the query fails (its error
 * printed to stderr) or returns no row. */
long long ds_test_pg_scalar(PGconn *c, const char *sql);

#endif
