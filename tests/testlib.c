/* testlib.c - the test harness (see testlib.h). */
#include "testlib.h"

#include <stdarg.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int ds_test_failures = 0;
int ds_test_checks = 0;

int ds_test_done(void)
{
    if (ds_test_failures) {
        fprintf(stderr, "FAILED: %d of %d checks\n", ds_test_failures, ds_test_checks);
        return 1;
    }
    printf("ok: %d checks\n", ds_test_checks);
    return 0;
}

void ds_test_skip(const char *why)
{
    printf("skip: %s\n", why);
    exit(77);
}

static char *slot(void)
{
    static char slots[8][4096];
    static int next = 0;
    char *s = slots[next];
    next = (next + 1) % 8;
    return s;
}

const char *ds_test_source(const char *rel)
{
    const char *root = getenv("DS_SOURCE_DIR");
    char *s = slot();
    snprintf(s, 4096, "%s/%s", root ? root : ".", rel);
    return s;
}

const char *ds_test_shared(const char *rel)
{
    const char *root = getenv("DS_SHARED_DIR");
    char *s = slot();
    snprintf(s, 4096, "%s/%s", root ? root : "../shared", rel);
    struct stat st;
    return stat(s, &st) == 0 ? s : NULL;
}

const char *ds_test_tmpdir(void)
{
    static char dir[4096];
    if (dir[0])
        return dir;
    const char *bin = getenv("DS_BINARY_DIR");
    snprintf(dir, sizeof dir, "%s/testtmp", bin ? bin : "/tmp");
    mkdir(dir, 0777);
    snprintf(dir + strlen(dir), sizeof dir - strlen(dir), "/t%ld", (long)getpid());
    char cmd[8300];
    snprintf(cmd, sizeof cmd, "rm -rf '%.4000s' && mkdir -p '%.4000s'", dir, dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot create %s\n", dir);
    return dir;
}

int ds_test_sh(char *out, size_t cap, const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    size_t n = 0;
    char tmp[4096];
    size_t got;
    while ((got = fread(tmp, 1, sizeof tmp, p)) > 0) {
        if (out && n + 1 < cap) {
            size_t c = got < cap - 1 - n ? got : cap - 1 - n;
            memcpy(out + n, tmp, c);
            n += c;
        }
    }
    if (out && cap)
        out[n] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

const char *ds_test_db_create(const char *name)
{
    static char dsn[1024];
    const char *host = getenv("PGHOST");
    char out[2048];
    int rc = ds_test_sh(out, sizeof out,
                        "psql -X -q -v ON_ERROR_STOP=1 -d postgres -c 'DROP DATABASE IF EXISTS %s WITH (FORCE)' "
                        "-c 'CREATE DATABASE %s' 2>&1",
                        name, name);
    if (rc != 0) {
        fprintf(stderr, "cannot create test database %s: %s\n", name, out);
        exit(1);
    }
    snprintf(dsn, sizeof dsn, "host=%s dbname=%s user=%s", host ? host : "/tmp", name,
             getenv("PGUSER") ? getenv("PGUSER") : "dossier");
    return dsn;
}

void ds_test_write_file(const char *path, const char *body)
{
    FILE *f = fopen(path, "w");
    DS_REQUIRE(f != NULL);
    fputs(body, f);
    fclose(f);
}
