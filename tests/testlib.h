/* testlib.h - the small test harness every dossier test links (tests/testlib.c).
 *
 * DS_CHECK records a failure and goes on; DS_REQUIRE stops the test. A test's main returns
 * ds_test_done(), which prints a summary and gives the exit status (0 pass, 1 fail, 77 skip).
 * Paths: ds_test_source(rel) is a file in the source tree, ds_test_shared(rel) one in
 * ../shared/ (NULL when absent, so a test can skip). Strings returned are static per call slot
 * (valid until the 8th next call).
 */
#ifndef DS_TESTLIB_H
#define DS_TESTLIB_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern int ds_test_failures;
extern int ds_test_checks;

#define DS_CHECK(cond)                                                               \
    do {                                                                             \
        ds_test_checks++;                                                            \
        if (!(cond)) {                                                               \
            ds_test_failures++;                                                      \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                            \
    } while (0)

#define DS_CHECKF(cond, ...)                                                         \
    do {                                                                             \
        ds_test_checks++;                                                            \
        if (!(cond)) {                                                               \
            ds_test_failures++;                                                      \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                            \
            fputc('\n', stderr);                                                     \
        }                                                                            \
    } while (0)

#define DS_REQUIRE(cond)                                                                      \
    do {                                                                                      \
        ds_test_checks++;                                                                     \
        if (!(cond)) {                                                                        \
            fprintf(stderr, "%s:%d: required check failed: %s\n", __FILE__, __LINE__, #cond); \
            exit(1);                                                                          \
        }                                                                                     \
    } while (0)

#define DS_CHECK_STREQ(a, b)                                                                                  \
    do {                                                                                                      \
        const char *a_ = (a), *b_ = (b);                                                                      \
        DS_CHECKF(a_ &&b_ &&strcmp(a_, b_) == 0, "\"%s\" != \"%s\"", a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
    } while (0)

int ds_test_done(void);
/* Prints "skip: why" and exits 77 (ctest reports it as skipped when SKIP_RETURN_CODE is 77). */
void ds_test_skip(const char *why) __attribute__((noreturn));
const char *ds_test_source(const char *rel);
const char *ds_test_shared(const char *rel);
const char *ds_test_tmpdir(void); /* a fresh folder for this test process */
/* Writes body to path (created or truncated); stops the test when it cannot. */
void ds_test_write_file(const char *path, const char *body);
/* Runs a shell command, returns its exit status; output captured into out (may be NULL). */
int ds_test_sh(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Creates (dropping first) a database for this test in the test cluster and returns its
 * connection string (static storage). Needs the `pg` fixture. */
const char *ds_test_db_create(const char *name);
#endif
