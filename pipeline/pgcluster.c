/* pgcluster.c - the private PostgreSQL cluster under db.pgdata (default <state dir>/pg): initdb, start,
 * stop, status, on a Unix socket only (listen_addresses = '', no TCP).
 *
 * Layout: <root>/data (PGDATA), <root>/run (socket), <root>/postgres.log. PostgreSQL refuses to
 * run as root, so when dossier runs as root the server runs under the `postgres` account, which
 * owns <root>; this is logged.
 *
 * Only the OS account running dossier (and the server's own account) can reach the cluster,
 * wherever its socket lives: the socket folder is 0700 and owned by the server account (an
 * existing one owned by anyone else is refused), and pg_hba.conf allows local peer
 * authentication only, through an ident map naming those two accounts: both may log in as the
 * administrator role `dossier` (the bootstrap superuser), this account also as the pipeline's
 * role (pgroles.c). `db start` rewrites both files on every start, so an existing cluster
 * created with trust is brought to this state.
 * Threading: call from one thread; the server is a separate process.
 */
#include "pipeline/db.h"

#include "pipeline/core/proc.h"
#include "pipeline/statedir.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef DOSSIER_PG_BINDIR
#define DOSSIER_PG_BINDIR "/usr/lib/postgresql/15/bin"
#endif

#define SERVER_ACCOUNT "postgres"
#define DB_NAME "dossier"
#define DB_USER DS_DB_ADMIN_ROLE

/* mkdir -p for an absolute path. */
static int mkdirs(const char *path, mode_t mode)
{
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0755) != 0 && errno != EEXIST) /* parents must be searchable by the server */
                return -1;
            *p = '/';
        }
    }
    return (mkdir(tmp, mode) != 0 && errno != EEXIST) ? -1 : 0;
}

ds_status ds_pgcluster_init(ds_pgcluster *c, const ds_config *cfg, ds_err *err)
{
    memset(c, 0, sizeof *c);
    const char *root = cfg->db_pgdata && *cfg->db_pgdata ? cfg->db_pgdata : "pg";
    if (root[0] == '/') {
        snprintf(c->root, sizeof c->root, "%s", root);
    } else { /* under the state directory, never the current folder */
        char dir[PATH_MAX];
        ds_status st = ds_state_dir(cfg, dir, sizeof dir, NULL, err);
        if (st != DS_OK)
            return st;
        if ((size_t)snprintf(c->root, sizeof c->root, "%s/%s", dir, root) >= sizeof c->root)
            return ds_err_set(err, DS_ERR_CONFIG, "db.pgdata path is too long");
    }
    snprintf(c->datadir, sizeof c->datadir, "%s/data", c->root);
    snprintf(c->logfile, sizeof c->logfile, "%s/postgres.log", c->root);
    snprintf(c->sockdir, sizeof c->sockdir, "%s/run", c->root);
    /* A Unix socket path must fit in sun_path (108 bytes with "/.s.PGSQL.5432"). */
    if (strlen(c->sockdir) + 16 > 100) {
        unsigned long h = 5381;
        for (const char *p = c->root; *p; p++)
            h = h * 33 + (unsigned char)*p;
        snprintf(c->sockdir, sizeof c->sockdir, "/tmp/dossier-pg-%08lx", h & 0xffffffffUL);
    }
    const char *bindir = cfg->db_pg_bindir && *cfg->db_pg_bindir ? cfg->db_pg_bindir : DOSSIER_PG_BINDIR;
    snprintf(c->bindir, sizeof c->bindir, "%s", bindir);
    c->run_as = geteuid() == 0 ? SERVER_ACCOUNT : NULL;
    return DS_OK;
}

void ds_pgcluster_dsn(const ds_pgcluster *c, int admin, char *out, size_t cap)
{
    snprintf(out, cap, "host=%s port=5432 dbname=" DB_NAME " user=%s connect_timeout=10", c->sockdir,
             admin ? DB_USER : DS_DB_PIPELINE_ROLE);
}

static void tool_path(const ds_pgcluster *c, const char *tool, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", c->bindir, tool);
}

/* chown -R of the cluster folders to the server account (root only). */
static ds_status give_to_server(ds_pgcluster *c, ds_err *err)
{
    if (!c->run_as)
        return DS_OK;
    struct passwd *pw = getpwnam(c->run_as);
    if (!pw)
        return ds_err_set(err, DS_ERR_CONFIG,
                          "running as root, but the account %s (to run PostgreSQL) does not exist: install the "
                          "postgresql package or run dossier as an ordinary user",
                          c->run_as);
    char uid[32];
    snprintf(uid, sizeof uid, "%d:%d", (int)pw->pw_uid, (int)pw->pw_gid);
    char *argv1[] = {"chown", "-R", uid, c->root, NULL};
    int code = 0;
    ds_status st = ds_proc_run(argv1, NULL, NULL, &code, err);
    if (st == DS_OK && code == 0 && strncmp(c->sockdir, c->root, strlen(c->root)) != 0) {
        char *argv2[] = {"chown", "-R", uid, c->sockdir, NULL};
        st = ds_proc_run(argv2, NULL, NULL, &code, err);
    }
    if (st == DS_OK && code != 0)
        st = ds_err_set(err, DS_ERR_IO, "chown %s to %s failed", c->root, c->run_as);
    /* The server account must be able to reach its folder. */
    if (st == DS_OK) {
        char *argv3[] = {"test", "-w", c->root, NULL};
        if (ds_proc_run(argv3, c->run_as, NULL, &code, err) == DS_OK && code != 0)
            st = ds_err_set(err, DS_ERR_CONFIG,
                            "the %s account cannot reach %s (a parent folder is not searchable by others); "
                            "set db.pgdata to a path it can reach",
                            c->run_as, c->root);
    }
    return st;
}

int ds_pgcluster_running(ds_pgcluster *c)
{
    char pg_ctl[1200];
    tool_path(c, "pg_ctl", pg_ctl, sizeof pg_ctl);
    char *argv[] = {pg_ctl, "status", "-D", c->datadir, NULL};
    struct stat st;
    if (stat(c->datadir, &st) != 0)
        return 0;
    int code = -1;
    ds_buf out = DS_BUF_INIT;
    ds_err e;
    ds_status s = ds_proc_run(argv, c->run_as, &out, &code, &e);
    ds_buf_deinit(&out);
    return s == DS_OK && code == 0;
}

static ds_status run_tool(ds_pgcluster *c, char *const argv[], ds_err *err)
{
    ds_buf out = DS_BUF_INIT;
    int code = 0;
    ds_status st = ds_proc_run(argv, c->run_as, &out, &code, err);
    if (st == DS_OK && code != 0) {
        size_t n = out.len;
        while (n > 0 && (out.data[n - 1] == '\n' || out.data[n - 1] == ' '))
            n--;
        const char *tail = out.data ? out.data : "";
        if (n > 400)
            tail += n - 400;
        st = ds_err_set(err, DS_ERR_DB_UNREACHABLE, "%s failed (exit %d): %.*s", argv[0], code,
                        (int)(n > 400 ? 400 : n), tail);
    }
    ds_buf_deinit(&out);
    return st;
}

static ds_status create_database(ds_pgcluster *c, ds_err *err)
{
    char dsn[1400];
    snprintf(dsn, sizeof dsn, "host=%s port=5432 dbname=postgres user=" DB_USER " connect_timeout=10", c->sockdir);
    PGconn *conn = NULL;
    ds_status st = ds_db_connect(dsn, &conn, err);
    if (st)
        return st;
    const char *params[] = {DB_NAME};
    PGresult *r = NULL;
    st = ds_db_exec(conn, &r, err, "SELECT 1 FROM pg_database WHERE datname = $1", 1, params);
    if (st == DS_OK && PQntuples(r) == 0)
        st = ds_db_exec(conn, NULL, err, "CREATE DATABASE " DB_NAME " ENCODING 'UTF8' TEMPLATE template0", 0, NULL);
    PQclear(r);
    PQfinish(conn);
    return st;
}

/* The socket folder: created 0700, or when it exists, a real folder (not a link) owned by this
 * account or the server account, then set to 0700. */
static ds_status secure_sockdir(ds_pgcluster *c, ds_err *err)
{
    if (mkdirs(c->sockdir, 0700) != 0)
        return ds_err_set(err, DS_ERR_IO, "cannot create %s: %s", c->sockdir, strerror(errno));
    struct stat sb;
    if (lstat(c->sockdir, &sb) != 0)
        return ds_err_set(err, DS_ERR_IO, "%s: %s", c->sockdir, strerror(errno));
    struct passwd *pw = c->run_as ? getpwnam(c->run_as) : NULL;
    if (!S_ISDIR(sb.st_mode) || (sb.st_uid != geteuid() && !(pw && sb.st_uid == pw->pw_uid)))
        return ds_err_set(err, DS_ERR_CONFIG,
                          "socket folder %s is not a folder owned by this account or the server account: "
                          "another account may have made it; remove it or set db.pgdata",
                          c->sockdir);
    if (chmod(c->sockdir, 0700) != 0)
        return ds_err_set(err, DS_ERR_IO, "chmod %s: %s", c->sockdir, strerror(errno));
    return DS_OK;
}

/* Writes one cluster configuration file with mode 0600 (owned by the server account). */
static ds_status write_conf(ds_pgcluster *c, const char *name, const char *text, ds_err *err)
{
    char path[1300];
    snprintf(path, sizeof path, "%s/%s", c->datadir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return ds_err_set(err, DS_ERR_IO, "cannot write %s: %s", path, strerror(errno));
    size_t n = strlen(text);
    int ok = write(fd, text, n) == (ssize_t)n && fchmod(fd, 0600) == 0;
    struct passwd *pw = c->run_as ? getpwnam(c->run_as) : NULL;
    if (ok && pw)
        ok = fchown(fd, pw->pw_uid, pw->pw_gid) == 0;
    if (close(fd) != 0)
        ok = 0;
    return ok ? DS_OK : ds_err_set(err, DS_ERR_IO, "cannot write %s: %s", path, strerror(errno));
}

/* pg_hba.conf: local peer authentication through the map "dossier"; pg_ident.conf: this account
 * and the server account may log in as the dossier role (the administrator), this account also
 * as the pipeline's role. Nothing else, no trust, no TCP. */
static ds_status write_auth(ds_pgcluster *c, ds_err *err)
{
    struct passwd *me = getpwuid(geteuid());
    if (!me)
        return ds_err_set(err, DS_ERR_CONFIG, "this account (uid %d) has no name", (int)geteuid());
    char ident[600];
    const char *server = c->run_as ? c->run_as : me->pw_name;
    snprintf(ident, sizeof ident,
             "# written by dossier on every `db start`\n"
             "dossier %s " DB_USER "\n"
             "dossier %s " DB_USER "\n"
             "dossier %s " DS_DB_PIPELINE_ROLE "\n",
             me->pw_name, server, me->pw_name);
    ds_status st = write_conf(c, "pg_ident.conf", ident, err);
    if (st == DS_OK)
        st = write_conf(c, "pg_hba.conf",
                        "# written by dossier on every `db start`: Unix socket only, peer authentication\n"
                        "local all all peer map=dossier\n",
                        err);
    return st;
}

ds_status ds_pgcluster_start(ds_pgcluster *c, ds_log *log, ds_err *err)
{
    struct stat sb;
    char path[1300];
    if (mkdirs(c->root, 0700) != 0)
        return ds_err_set(err, DS_ERR_IO, "cannot create %s: %s", c->root, strerror(errno));
    ds_status st = secure_sockdir(c, err);
    if (st == DS_OK)
        st = give_to_server(c, err);
    if (st)
        return st;
    snprintf(path, sizeof path, "%s/PG_VERSION", c->datadir);
    if (stat(path, &sb) != 0) {
        char initdb[1200];
        tool_path(c, "initdb", initdb, sizeof initdb);
        if (stat(initdb, &sb) != 0)
            return ds_err_set(err, DS_ERR_CONFIG, "initdb not found at %s: install postgresql or set db.pg_bindir",
                              initdb);
        DS_INFO(log, "db", "creating private PostgreSQL cluster in %s", c->datadir);
        char *argv[] = {
            initdb, "-D",          c->datadir,          "-U", DB_USER, "--auth-local=peer", "--auth-host=reject", "-E",
            "UTF8", "--no-locale", "--no-instructions", NULL};
        if ((st = run_tool(c, argv, err)))
            return st;
    }
    if ((st = write_auth(c, err)))
        return st;
    char pg_ctl[1200];
    tool_path(c, "pg_ctl", pg_ctl, sizeof pg_ctl);
    if (ds_pgcluster_running(c)) { /* an existing server reads the new authentication rules */
        char *argv[] = {pg_ctl, "reload", "-D", c->datadir, NULL};
        if ((st = run_tool(c, argv, err)))
            return st;
    } else {
        char opts[1400];
        snprintf(opts, sizeof opts,
                 "-c listen_addresses='' -c unix_socket_directories='%s' -c port=5432 "
                 "-c max_connections=100 -c fsync=on",
                 c->sockdir);
        char *argv[] = {pg_ctl, "start", "-D", c->datadir, "-l", c->logfile, "-w", "-t", "60", "-o", opts, NULL};
        DS_INFO(log, "db", "starting private PostgreSQL (socket %s, no TCP)%s", c->sockdir,
                c->run_as ? "; running as root, so the server runs under the postgres account" : "");
        if ((st = run_tool(c, argv, err)))
            return ds_err_prefix(err, "starting the private cluster (log: %s)", c->logfile);
    }
    return create_database(c, err);
}

ds_status ds_pgcluster_stop(ds_pgcluster *c, ds_log *log, ds_err *err)
{
    if (!ds_pgcluster_running(c))
        return DS_OK;
    char pg_ctl[1200];
    tool_path(c, "pg_ctl", pg_ctl, sizeof pg_ctl);
    char *argv[] = {pg_ctl, "stop", "-D", c->datadir, "-m", "fast", "-w", NULL};
    DS_INFO(log, "db", "stopping private PostgreSQL in %s", c->datadir);
    return run_tool(c, argv, err);
}
