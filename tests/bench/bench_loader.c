/* bench_loader.c - dossier's COPY loader against `psql \copy` on the same rows, same table
 * shape, same database, in one run. Rows look like chunk rows: ~200 bytes of text with a
 * composite primary key. Prints rows/s for both and the ratio (target: at least 0.8).
 * Database: PG* variables when set, else the private cluster under var/pg (started). */
#include "testlib.h"

#include "pipeline/core/alloc.h"
#include "pipeline/core/clock.h"
#include "pipeline/db.h"
#include "pipeline/run.h"

#include <stdint.h>

#define ROWS 200000

static uint64_t rng(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* ~200 bytes of text with the characters COPY must escape now and then. */
static void make_text(char *out, size_t cap, uint64_t *s)
{
    static const char *words[] = {"revenue",     "increased",   "liquidity", "the",    "company",
                                  "credit",      "facility",    "net",       "income", "tab\there",
                                  "line\nbreak", "back\\slash", "café",      "margin"};
    size_t o = 0;
    while (o < 190 && o + 16 < cap) {
        const char *w = words[rng(s) % (sizeof words / sizeof words[0])];
        o += (size_t)snprintf(out + o, cap - o, "%s ", w);
    }
    out[o] = '\0';
}

static void exec_or_die(PGconn *conn, const char *sql)
{
    ds_err err;
    if (ds_db_exec(conn, NULL, &err, sql, 0, NULL) != DS_OK) {
        fprintf(stderr, "bench_loader: %s: %s\n", sql, err.msg);
        exit(1);
    }
}

static const char *table_sql(const char *name, char *buf, size_t cap)
{
    snprintf(buf, cap,
             "DROP TABLE IF EXISTS bench.%s; CREATE TABLE bench.%s (document_id bigint, seq int, section text, "
             "page_first int, page_last int, char_start bigint, char_end bigint, token_count int, text text, "
             "PRIMARY KEY (document_id, seq))",
             name, name);
    return buf;
}

int main(void)
{
    ds_config cfg;
    ds_config_init(&cfg);
    char *dsn = NULL;
    ds_err err;
    if (ds_db_resolve(&cfg, NULL, DS_DB_AUTOSTART, NULL, &dsn, NULL, &err) != DS_OK) {
        fprintf(stderr, "bench_loader: %s\n", err.msg);
        return 1;
    }
    PGconn *conn = NULL;
    if (ds_db_connect(dsn, &conn, &err) != DS_OK) {
        fprintf(stderr, "bench_loader: %s\n", err.msg);
        return 1;
    }
    PGresult *r = PQexec(conn, "CREATE SCHEMA IF NOT EXISTS bench");
    PQclear(r);
    char sql[1024];
    r = PQexec(conn, table_sql("ours", sql, sizeof sql));
    PQclear(r);
    r = PQexec(conn, table_sql("psql", sql, sizeof sql));
    PQclear(r);

    /* The rows, in memory, and as a COPY text file for psql. */
    char(*texts)[256] = ds_malloc(sizeof(*texts) * ROWS);
    DS_REQUIRE(texts);
    uint64_t seed = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < ROWS; i++)
        make_text(texts[i], sizeof texts[i], &seed);
    char path[4096];
    snprintf(path, sizeof path, "%s/rows.copy", ds_test_tmpdir());
    {
        /* Written with the loader's own escaping, so psql reads the very same rows. */
        FILE *f = fopen(path, "w");
        DS_REQUIRE(f);
        for (int i = 0; i < ROWS; i++) {
            fprintf(f, "%d\t%d\tItem 7 > Liquidity\t%d\t%d\t%d\t%d\t%d\t", i / 100, i % 100, i / 40 + 1, i / 40 + 1,
                    i * 200, i * 200 + 200, 48);
            for (const char *p = texts[i]; *p; p++) {
                if (*p == '\t')
                    fputs("\\t", f);
                else if (*p == '\n')
                    fputs("\\n", f);
                else if (*p == '\\')
                    fputs("\\\\", f);
                else
                    fputc(*p, f);
            }
            fputc('\n', f);
        }
        fclose(f);
    }

    /* dossier's loader: rows built, escaped and sent from memory, in one transaction. */
    double t0 = ds_now_s();
    exec_or_die(conn, "BEGIN");
    ds_copy cp;
    DS_REQUIRE(ds_copy_begin(&cp, conn,
                             "COPY bench.ours (document_id, seq, section, page_first, page_last, char_start, "
                             "char_end, token_count, text) FROM STDIN",
                             &err) == DS_OK);
    for (int i = 0; i < ROWS; i++) {
        ds_copy_int(&cp, i / 100);
        ds_copy_int(&cp, i % 100);
        ds_copy_str(&cp, "Item 7 > Liquidity");
        ds_copy_int(&cp, i / 40 + 1);
        ds_copy_int(&cp, i / 40 + 1);
        ds_copy_int(&cp, (long long)i * 200);
        ds_copy_int(&cp, (long long)i * 200 + 200);
        ds_copy_int(&cp, 48);
        ds_copy_str(&cp, texts[i]);
        if (ds_copy_row_end(&cp, &err) != DS_OK)
            break;
    }
    if (ds_copy_end(&cp, &err) != DS_OK) {
        fprintf(stderr, "bench_loader: %s\n", err.msg);
        return 1;
    }
    exec_or_die(conn, "COMMIT");
    double ours = ds_now_s() - t0;

    /* Baseline: psql \copy of the same rows from a file, in one transaction. */
    char cmd[8192], out[4096];
    snprintf(cmd, sizeof cmd,
             "psql -X -q -v ON_ERROR_STOP=1 -d '%s' -c 'BEGIN' -c \"\\copy bench.psql (document_id, seq, section, "
             "page_first, page_last, char_start, char_end, token_count, text) FROM '%s'\" -c 'COMMIT' 2>&1",
             dsn, path);
    t0 = ds_now_s();
    int rc = ds_test_sh(out, sizeof out, "%s", cmd);
    double base = ds_now_s() - t0;
    if (rc != 0) {
        fprintf(stderr, "bench_loader: psql failed: %s\n", out);
        return 1;
    }
    r = PQexec(conn, "SELECT (SELECT count(*) FROM bench.ours), (SELECT count(*) FROM bench.psql), "
                     "(SELECT count(*) FROM bench.ours o JOIN bench.psql p USING (document_id, seq) "
                     " WHERE o.text = p.text)");
    long n1 = atol(PQgetvalue(r, 0, 0)), n2 = atol(PQgetvalue(r, 0, 1)), same = atol(PQgetvalue(r, 0, 2));
    PQclear(r);
    printf("loader benchmark: %d chunk-shaped rows (~200 B text, primary key), one transaction each\n", ROWS);
    printf("%-28s %12s %14s\n", "loader", "seconds", "rows/s");
    printf("%-28s %12.3f %14.0f\n", "psql \\copy (baseline)", base, ROWS / base);
    printf("%-28s %12.3f %14.0f\n", "dossier COPY loader", ours, ROWS / ours);
    printf("ratio dossier/psql: %.2f (target >= 0.80); rows identical: %s (%ld/%ld/%ld)\n", base / ours,
           n1 == ROWS && n2 == ROWS && same == ROWS ? "yes" : "NO", n1, n2, same);
    exec_or_die(conn, "DROP SCHEMA bench CASCADE");
    PQfinish(conn);
    ds_free(texts);
    free(dsn);
    ds_config_deinit(&cfg);
    return n1 == ROWS && same == ROWS ? 0 : 1;
}
