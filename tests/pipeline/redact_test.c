/* redact_test.c - passwords hidden in shown and logged text (keyword and URI forms, quoted
 * values, words that only contain "password"), the text log escaping control characters, and
 * files written with explicit modes whatever the umask, never through a symbolic link. */
#include "testlib.h"

#include "pipeline/core/log.h"
#include "pipeline/core/outfile.h"
#include "pipeline/core/redact.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void check_redact(const char *in, const char *want)
{
    char out[512];
    ds_redact_secrets(out, sizeof out, in);
    DS_CHECKF(strcmp(out, want) == 0, "redact \"%s\": got \"%s\", want \"%s\"", in, out, want);
}

int main(void)
{
    check_redact("host=/tmp password=s3cret dbname=x", "host=/tmp password=*** dbname=x");
    check_redact("PASSWORD = 'a b\\' c' user=u", "PASSWORD = '***' user=u");
    /* text glued to a quoted value: redacting again changes nothing (found by fuzz_redact) */
    check_redact("password = 'i =t'\xff\xff"
                 "de=require",
                 "password = '***'\xff\xff"
                 "de=require");
    check_redact("password = '***'\xff\xff"
                 "de=require",
                 "password = '***'\xff\xff"
                 "de=require");
    check_redact("postgresql://alice:s3cret@db.example:5432/x", "postgresql://alice:***@db.example:5432/x");
    check_redact("postgresql://alice@db/x?password=s3cret", "postgresql://alice@db/x?password=***");
    check_redact("no_password=kept mypassword=kept", "no_password=kept mypassword=kept");
    check_redact("plain text: 3 documents", "plain text: 3 documents");
    check_redact("password=", "password=***");
    DS_CHECK(ds_redact_has_secret("x password=y"));
    DS_CHECK(!ds_redact_has_secret("https://www.sec.gov/a:b"));

    /* A text log line holds one record whatever the message. */
    char path[4096], buf[4096];
    snprintf(path, sizeof path, "%s/log.txt", ds_test_tmpdir());
    mode_t old = umask(077);
    ds_log log;
    DS_REQUIRE(ds_log_open(&log, path, 0, DS_LOG_LEVEL_DEBUG) == 0);
    DS_INFO(&log, "t", "name %s dsn %s", "a\nb\x1b[31m", "host=x password=pw1");
    ds_log_close(&log);
    struct stat st;
    DS_REQUIRE(stat(path, &st) == 0);
    DS_CHECKF((st.st_mode & 0777) == DS_MODE_PRIVATE, "log mode %o", st.st_mode & 0777);
    FILE *f = fopen(path, "r");
    DS_REQUIRE(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    DS_CHECKF(strchr(buf, '\n') == buf + n - 1, "one line: %s", buf);
    DS_CHECKF(strstr(buf, "a\\nb\\x1b[31m") && strstr(buf, "password=***") && !strstr(buf, "pw1"), "%s", buf);

    /* An atomic replacement: explicit mode, a link at the target replaced, not followed. */
    char target[4200], victim[4200];
    snprintf(target, sizeof target, "%s/out.prom", ds_test_tmpdir());
    snprintf(victim, sizeof victim, "%s/victim", ds_test_tmpdir());
    f = fopen(victim, "w");
    DS_REQUIRE(f);
    fputs("keep", f);
    fclose(f);
    unlink(target);
    DS_REQUIRE(symlink(victim, target) == 0);
    ds_outfile o;
    ds_err err;
    DS_REQUIRE(ds_outfile_begin(&o, target, DS_MODE_PUBLIC, &err) == DS_OK);
    fputs("metric 1\n", o.f);
    DS_REQUIRE(ds_outfile_commit(&o, &err) == DS_OK);
    DS_REQUIRE(lstat(target, &st) == 0);
    DS_CHECK(S_ISREG(st.st_mode) && (st.st_mode & 0777) == DS_MODE_PUBLIC);
    DS_REQUIRE(stat(victim, &st) == 0);
    DS_CHECK(st.st_size == 4);
    /* Opening through a link fails. */
    unlink(target);
    DS_REQUIRE(symlink(victim, target) == 0);
    DS_CHECK(ds_outfile_open(target, "a", DS_MODE_PRIVATE) == NULL);
    umask(old);
    return ds_test_done();
}
