/* testlib_pg.c - test helpers over libpq (see testlib_pg.h). */
#include "testlib_pg.h"

#include <stdio.h>
#include <stdlib.h>

long long ds_test_pg_scalar(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    long long v = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) ? atoll(PQgetvalue(r, 0, 0)) : -1;
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        fprintf(stderr, "%s: %s\n", sql, PQerrorMessage(c));
    PQclear(r);
    return v;
}
