/* cmd_doctor.c - `dossier doctor`: checks libraries, configuration, database and GPU, and says
 * plainly what is wrong and what will be used. Exit 0 when everything needed works. */
#include "pipeline/cli.h"
#include "pipeline/db.h"
#include "pipeline/statedir.h"

#include "kernels/gpu.h"
#include "pipeline/core/alloc.h"

#include <cairo.h>
#include <curl/curl.h>
#include <getopt.h>
#include <limits.h>
#include <libxml/xmlversion.h>
#include <pango/pango.h>
#include <poppler.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

static void line(int *problems, const char *what, int ok, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* One result line; ok: 1 fine, 0 a problem (counted), -1 a note, -2 a warning (not counted). */
static void line(int *problems, const char *what, int ok, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    printf("[%s] %-10s %s\n", ok > 0 ? " ok " : ok == 0 ? "FAIL" : ok == -1 ? "note" : "warn", what, msg);
    if (ok == 0)
        (*problems)++;
}

/* A hash-chained audit trail: the alert trail (migration 6 on) or the case trail (migration 22
 * on). Table and function names come from this fixed table, never from input. */
typedef struct audit_chain {
    const char *what; /* "alert", "case" */
    const char *sql;  /* first break (or one NULL row) and the row count */
} audit_chain;

static const audit_chain audit_chains[] = {
    {"alert", "SELECT v.chain_pos, v.audit_id, v.problem, (SELECT count(*) FROM aml_alert_audit) "
              "FROM (SELECT 1) one LEFT JOIN aml_alert_audit_verify() v ON true"},
    {"case", "SELECT v.chain_pos, v.audit_id, v.problem, (SELECT count(*) FROM aml_case_audit) "
             "FROM (SELECT 1) one LEFT JOIN aml_case_audit_verify() v ON true"},
};

/* Intact, or where the chain breaks. */
static void check_audit_chain(int *problems, PGconn *conn, const audit_chain *c)
{
    PGresult *r = NULL;
    ds_err err;
    if (ds_db_exec(conn, &r, &err, c->sql, 0, NULL) != DS_OK) {
        line(problems, "audit", 0, "cannot verify the %s audit trail: %s", c->what, err.msg);
        return;
    }
    if (PQgetisnull(r, 0, 0))
        line(problems, "audit", 1, "%s audit trail intact (%s rows, hash chain verified)", c->what,
             PQgetvalue(r, 0, 3));
    else
        line(problems, "audit", 0, "%s audit trail broken at position %s (audit row %s): %s", c->what,
             PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2));
    PQclear(r);
}

/* Who owns the schema's objects and whom the pipeline logs in as (this connection's role): a
 * warning when that role is a superuser or may act as an owner (external DSNs may be set up so;
 * the README says how a DBA gives the pipeline a role of its own). */
static void check_roles(int *problems, PGconn *conn)
{
    PGresult *r = NULL;
    ds_err err;
    if (ds_db_exec(
            conn, &r, &err,
            "WITH o AS (SELECT relowner AS owner FROM pg_class WHERE relnamespace = 'public'::regnamespace "
            "AND relkind IN ('r', 'p', 'v', 'm', 'S', 'f') "
            "UNION SELECT proowner FROM pg_proc WHERE pronamespace = 'public'::regnamespace) "
            "SELECT coalesce((SELECT string_agg(pg_get_userbyid(owner), ', ' ORDER BY pg_get_userbyid(owner)) "
            "FROM (SELECT DISTINCT owner FROM o) d), '(nothing)'), session_user, "
            "(SELECT rolsuper FROM pg_roles WHERE rolname = session_user), "
            "EXISTS (SELECT 1 FROM (SELECT DISTINCT owner FROM o) d WHERE pg_has_role(session_user, owner, 'MEMBER'))",
            0, NULL) != DS_OK) {
        line(problems, "roles", 0, "cannot read the roles: %s", err.msg);
        return;
    }
    const char *owners = PQgetvalue(r, 0, 0), *login = PQgetvalue(r, 0, 1);
    int super = PQgetvalue(r, 0, 2)[0] == 't', owner = PQgetvalue(r, 0, 3)[0] == 't';
    int split = strcmp(owners, "dossier_owner") == 0;
    if (super || owner)
        line(problems, "roles", -2,
             "objects owned by %s; the pipeline logs in as %s, %s: it could disable the audit triggers and rewrite "
             "the trail (README, Security: give the pipeline a role of its own)",
             owners, login, super ? "a superuser" : "which owns them or may act as their owner");
    else
        line(problems, "roles", split ? 1 : -2,
             "objects owned by %s%s; the pipeline logs in as %s (not superuser, "
             "owns nothing)",
             owners, split ? "" : " (not dossier_owner alone: run `dossier db migrate`)", login);
    PQclear(r);
}

int ds_cmd_doctor(ds_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'}, {"show-config", no_argument, NULL, 's'}, {NULL, 0, NULL, 0}};
    int c, show = 0;
    while ((c = getopt_long(argc, argv, "hs", opts, NULL)) != -1) {
        if (c == 'h') {
            printf("usage: dossier doctor [--show-config]\n\nChecks libraries, configuration, database and GPU "
                   "and says what is wrong.\n  --show-config   print the effective configuration (YAML)\n");
            return DS_EXIT_OK;
        }
        if (c == 's')
            show = 1;
        else
            return DS_EXIT_USAGE;
    }
    int problems = 0, db_down = 0;
    /* Libraries. */
    line(&problems, "poppler", 1, "poppler-glib %s", poppler_get_version());
    line(&problems, "libxml2", 1, "libxml2 %s", LIBXML_DOTTED_VERSION);
    curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);
    line(&problems, "libcurl", cv->ssl_version != NULL, "libcurl %s, TLS %s", cv->version,
         cv->ssl_version ? cv->ssl_version : "missing (https will fail)");
    line(&problems, "libyaml", 1, "libyaml %s", yaml_get_version_string());
    line(&problems, "libpq", 1, "libpq %d", PQlibVersion());
    line(&problems, "cairo", 1, "cairo %s, pango %s", cairo_version_string(), pango_version_string());

    /* Configuration. */
    line(&problems, "config", 1, "%s",
         cli->config_path ? cli->config_path : "no file: built-in defaults and DOSSIER_* variables");
    {
        char dir[PATH_MAX];
        const char *why = "";
        ds_err serr;
        ds_err_clear(&serr);
        if (ds_state_dir(&cli->cfg, dir, sizeof dir, &why, &serr) == DS_OK)
            line(&problems, "state", 1, "%s (%s); private cluster %s, cache %s", dir, why, cli->cfg.db_pgdata,
                 cli->cfg.fetch_cache_dir);
        else
            line(&problems, "state", 0, "%s", serr.msg);
    }
    if (cli->cfg.model_dir && *cli->cfg.model_dir) {
        char p[2048];
        struct stat st;
        snprintf(p, sizeof p, "%s/config.json", cli->cfg.model_dir);
        line(&problems, "model", stat(p, &st) == 0, "%s%s", cli->cfg.model_dir,
             stat(p, &st) == 0 ? "" : ": no config.json there");
    } else {
        line(&problems, "model", -1, "no checkpoint configured: facts from XBRL and rules, SWOT from the rule set");
    }
    if (cli->cfg.fetch_user_agent == NULL || !*cli->cfg.fetch_user_agent)
        line(&problems, "fetch", -1, "fetch.user_agent is not set: URL sources on sec.gov will be refused");
    for (int i = 0; i < cli->cfg.inbox.n; i++) {
        struct stat st;
        line(&problems, "inbox", stat(cli->cfg.inbox.v[i], &st) == 0 && S_ISDIR(st.st_mode), "%s", cli->cfg.inbox.v[i]);
    }

    /* Database. */
    char *dsn = NULL;
    int priv = 0;
    ds_err err;
    ds_err_clear(&err);
    if (ds_db_resolve(&cli->cfg, cli->db_dsn, 0, NULL, &dsn, &priv, &err) != DS_OK) {
        line(&problems, "database", 0, "%s", err.msg);
    } else {
        ds_pgcluster pc;
        int skip = 0;
        if (priv && ds_pgcluster_init(&pc, &cli->cfg, &err) == DS_OK && !ds_pgcluster_running(&pc)) {
            line(&problems, "database", -1,
                 "private cluster in %s is not running; `dossier run` starts it (or `dossier db start`)", pc.datadir);
            skip = 1;
        }
        PGconn *conn = NULL;
        if (!skip && ds_db_connect(dsn, &conn, &err) != DS_OK) {
            line(&problems, "database", 0, "%s%s", err.msg,
                 priv ? " (the pipeline's role: `dossier db start` brings an older private cluster up to date)" : "");
            db_down = 1;
        } else if (!skip) {
            int v = 0;
            ds_db_schema_version(conn, &v, &err);
            int mine = ds_db_schema_version_binary();
            line(&problems, "database", v <= mine, "PostgreSQL %d, schema version %d of %d%s", PQserverVersion(conn), v,
                 mine,
                 v < mine   ? " (run `dossier db migrate`)"
                 : v > mine ? " (database is newer than this binary)"
                            : "");
            if (v >= 6)
                check_audit_chain(&problems, conn, &audit_chains[0]);
            if (v >= 22)
                check_audit_chain(&problems, conn, &audit_chains[1]);
            if (v > 0)
                check_roles(&problems, conn);
        }
        PQfinish(conn);
    }
    ds_free(dsn);

    /* Accelerator. */
    ds_gpu_info gi;
    ds_gpu_query(&gi);
    if (gi.device_count > 0)
        line(&problems, "gpu", 1, "%d CUDA device(s): %s (compute %d.%d, %.1f GiB); the CUDA backend will be used",
             gi.device_count, gi.name, gi.cc_major, gi.cc_minor, (double)gi.total_mem / (1024.0 * 1024 * 1024));
    else
        line(&problems, "gpu", -1, "no GPU present (%s): the CPU backend will be used", gi.reason);
    line(&problems, "cpu", 1, "SIMD path: %s", ds_cpu_simd_level());

    if (show) {
        printf("\n# effective configuration\n");
        ds_config_dump(&cli->cfg, stdout);
    }
    printf("%s\n", problems ? "problems found" : "all checks passed");
    /* An unreachable database outranks configuration problems: the README's exit code 3. */
    return db_down ? DS_EXIT_DB : problems ? DS_EXIT_USAGE : DS_EXIT_OK;
}
