/* sources_test.c - tests of the input sources (ingest/sources.c) on a temporary tree: order, globs,
 * hidden files, symbolic-link loops, broken links, special files, depth, and list files. */
#include "ingest/sources.h"
#include "pipeline/core/alloc.h"
#include "tests/testlib.h"

#include <errno.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

static char root[4096];

static const char *at(const char *rel)
{
    static char buf[4][4200];
    static int k = 0;
    char *b = buf[k++ % 4];
    snprintf(b, sizeof buf[0], "%s/%s", root, rel);
    return b;
}

static void put(const char *rel, const char *content)
{
    FILE *f = fopen(at(rel), "wb");
    DS_REQUIRE(f);
    fputs(content, f);
    fclose(f);
}

static void dir(const char *rel)
{
    DS_REQUIRE(mkdir(at(rel), 0755) == 0);
}

/* The items' rel joined by ",". */
static const char *rels(const ds_source_list *l)
{
    static char buf[4096];
    size_t k = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < l->n; i++)
        k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%s", i ? "," : "", l->v[i].rel);
    return buf;
}

static void make_tree(void)
{
    snprintf(root, sizeof root, "%s/tree", ds_test_tmpdir());
    DS_REQUIRE(mkdir(root, 0755) == 0);
    put("a.pdf", "0123456789");
    put("b.htm", "<p>b</p>");
    put(".hidden.pdf", "h");
    dir("sub");
    put("sub/c.pdf", "c");
    dir("sub/deeper");
    put("sub/deeper/d.txt", "d");
    put("sub/deeper/e.pdf", "e");
    dir("archive");
    put("archive/old.pdf", "old");
    dir("Z");
    put("Z/z.pdf", "z");
    dir(".git");
    put(".git/config", "x");
    DS_REQUIRE(symlink("..", at("sub/up")) == 0);   /* loop back to the root */
    DS_REQUIRE(symlink("sub", at("sublink")) == 0); /* the same folder twice */
    DS_REQUIRE(symlink("nowhere.pdf", at("broken.pdf")) == 0);
    DS_REQUIRE(symlink("a.pdf", at("link.pdf")) == 0); /* a link to a file is a file */
    DS_REQUIRE(mkfifo(at("fifo"), 0644) == 0);
    struct timeval tv[2] = {{1700000000, 0}, {1700000000, 0}};
    DS_REQUIRE(utimes(at("a.pdf"), tv) == 0);
}

static void test_scan(void)
{
    ds_source_list l;
    ds_err err = {0};
    ds_source_list_init(&l);
    DS_REQUIRE(ds_source_scan_dir(&l, root, NULL, NULL, &err) == DS_OK);
    /* Byte order of relative paths; upper case first; hidden names, the loop, the second link,
     * the broken link and the fifo left out. Which of sub and sublink is read first decides the
     * path of the shared folder: sub (sorted before sublink). */
    DS_CHECK_STREQ(rels(&l), "Z/z.pdf,a.pdf,archive/old.pdf,b.htm,link.pdf,sub/c.pdf,sub/deeper/d.txt,"
                             "sub/deeper/e.pdf");
    DS_CHECK(l.n_skipped == 4); /* sub/up, sublink, broken.pdf, fifo */
    ds_source_item *a = &l.v[1];
    DS_CHECK(a->size == 10 && a->mtime == 1700000000 && a->url == NULL && !a->missing);
    DS_CHECK_STREQ(a->path, at("a.pdf"));
    ds_source_list_deinit(&l);

    /* Includes and excludes. */
    const char *pdf[] = {"*.pdf"}, *arch[] = {"archive"}, *subpdf[] = {"sub/*.pdf"}, *deep[] = {"sub/deeper"};
    ds_source_filter f = {.include = pdf, .n_include = 1, .exclude = arch, .n_exclude = 1};
    DS_REQUIRE(ds_source_scan_dir(&l, root, &f, NULL, &err) == DS_OK);
    DS_CHECK_STREQ(rels(&l), "Z/z.pdf,a.pdf,link.pdf,sub/c.pdf,sub/deeper/e.pdf");
    ds_source_list_deinit(&l);
    ds_source_filter g = {.include = subpdf, .n_include = 1, .exclude = deep, .n_exclude = 1};
    DS_REQUIRE(ds_source_scan_dir(&l, root, &g, NULL, &err) == DS_OK);
    DS_CHECK_STREQ(rels(&l), "sub/c.pdf");
    ds_source_list_deinit(&l);
    ds_source_filter h = {.include = pdf, .n_include = 1, .include_hidden = 1, .max_depth = 1};
    DS_REQUIRE(ds_source_scan_dir(&l, root, &h, NULL, &err) == DS_OK);
    DS_CHECK_STREQ(rels(&l), ".hidden.pdf,Z/z.pdf,a.pdf,archive/old.pdf,link.pdf,sub/c.pdf");
    ds_source_list_deinit(&l);

    /* A trailing slash changes nothing; a file as root is that file; errors name the path. */
    char slash[4200];
    snprintf(slash, sizeof slash, "%s/sub//", root);
    DS_REQUIRE(ds_source_scan_dir(&l, slash, NULL, NULL, &err) == DS_OK);
    DS_CHECK_STREQ(rels(&l), "c.pdf,deeper/d.txt,deeper/e.pdf");
    DS_CHECK(strstr(l.v[0].path, "//") == NULL);
    ds_source_list_deinit(&l);
    DS_REQUIRE(ds_source_scan_dir(&l, at("a.pdf"), NULL, NULL, &err) == DS_OK);
    DS_CHECK(l.n == 1 && strcmp(l.v[0].rel, "a.pdf") == 0 && l.v[0].size == 10);
    ds_source_list_deinit(&l);
    DS_CHECK(ds_source_scan_dir(&l, at("absent"), NULL, NULL, &err) == DS_ERR_NOT_FOUND);
    DS_CHECK(strstr(err.msg, "absent") != NULL);
    DS_CHECK(ds_source_scan_dir(&l, at("fifo"), NULL, NULL, &err) == DS_ERR_IO);
    DS_CHECK(l.n == 0);

    /* The filter alone. */
    DS_CHECK(ds_source_filter_match(&f, "x/y/report.pdf"));
    DS_CHECK(!ds_source_filter_match(&f, "x/archive/report.pdf"));
    DS_CHECK(!ds_source_filter_match(&f, "x/y/report.htm"));
    DS_CHECK(ds_source_filter_match(NULL, "anything"));
    DS_CHECK(!ds_source_filter_match(&g, "sub/deeper/e.pdf"));

    /* An unreadable folder is skipped, not fatal (root ignores permissions: check only as a user). */
    if (geteuid() != 0) {
        DS_REQUIRE(chmod(at("archive"), 0) == 0);
        DS_REQUIRE(ds_source_scan_dir(&l, root, NULL, NULL, &err) == DS_OK);
        DS_CHECK(strstr(rels(&l), "archive") == NULL && l.n_skipped == 5);
        ds_source_list_deinit(&l);
        chmod(at("archive"), 0755);
    }
}

static void test_list(void)
{
    char list[4200];
    snprintf(list, sizeof list, "%s/inputs.list", root);
    FILE *f = fopen(list, "w");
    DS_REQUIRE(f);
    fprintf(f,
            "# nightly inputs\n"
            "\n"
            "  a.pdf  \n"
            "sub/c.pdf\r\n"
            "https://www.sec.gov/Archives/edgar/data/320193/000032019323000077/0000320193-23-000077.txt\n"
            "   # indented comment\n"
            "HTTP://example.com/page#frag\n"
            "missing.pdf\n"
            "a.pdf\n"
            "sub\n"
            "%s\n",
            at("b.htm"));
    fclose(f);
    ds_source_list l;
    ds_err err = {0};
    ds_source_list_init(&l);
    DS_REQUIRE(ds_source_read_list(&l, list, NULL, NULL, &err) == DS_OK);
    /* List order; duplicates (a.pdf twice, sub/c.pdf again through the folder) once. */
    DS_REQUIRE(l.n == 8);
    DS_CHECK_STREQ(l.v[0].rel, "a.pdf");
    DS_CHECK_STREQ(l.v[0].path, at("a.pdf"));
    DS_CHECK(l.v[0].size == 10 && l.v[0].mtime == 1700000000);
    DS_CHECK_STREQ(l.v[1].rel, "sub/c.pdf");
    DS_CHECK(l.v[2].path == NULL && l.v[2].size == 0);
    DS_CHECK_STREQ(l.v[2].url,
                   "https://www.sec.gov/Archives/edgar/data/320193/000032019323000077/0000320193-23-000077.txt");
    DS_CHECK_STREQ(l.v[3].url, "HTTP://example.com/page#frag");
    DS_CHECK_STREQ(l.v[4].rel, "missing.pdf");
    DS_CHECK(l.v[4].missing == 1 && l.v[4].size == 0);
    DS_CHECK_STREQ(l.v[5].rel, "sub/deeper/d.txt");
    DS_CHECK_STREQ(l.v[6].rel, "sub/deeper/e.pdf");
    DS_CHECK_STREQ(l.v[7].path, at("b.htm"));
    for (size_t i = 0; i < l.n; i++)
        DS_CHECK(i == 4 || !l.v[i].missing);

    /* A bad scheme fails the list, names the line, and leaves the list as it was. */
    size_t before = l.n;
    f = fopen(list, "w");
    fprintf(f, "a.pdf\n\nftp://example.com/x.pdf\n");
    fclose(f);
    DS_CHECK(ds_source_read_list(&l, list, NULL, NULL, &err) == DS_ERR_CONFIG);
    DS_CHECK(strstr(err.msg, "inputs.list:3") != NULL && strstr(err.msg, "ftp") != NULL);
    DS_CHECK(l.n == before);
    f = fopen(list, "w");
    fprintf(f, "file:///etc/passwd\n");
    fclose(f);
    DS_CHECK(ds_source_read_list(&l, list, NULL, NULL, &err) == DS_ERR_CONFIG);
    /* Over-long line. */
    f = fopen(list, "w");
    for (int i = 0; i < 9000; i++)
        fputc('x', f);
    fputc('\n', f);
    fclose(f);
    DS_CHECK(ds_source_read_list(&l, list, NULL, NULL, &err) == DS_ERR_CONFIG);
    DS_CHECK(strstr(err.msg, ":1:") != NULL);
    /* Missing list file; an empty list. */
    DS_CHECK(ds_source_read_list(&l, at("no.list"), NULL, NULL, &err) != DS_OK);
    f = fopen(list, "w");
    fclose(f);
    DS_CHECK(ds_source_read_list(&l, list, NULL, NULL, &err) == DS_OK && l.n == before);
    ds_source_list_deinit(&l);
    ds_source_list_deinit(NULL);
}

/* Out of memory at every allocation in turn: a clean DS_ERR_NOMEM and no leak. */
static void test_nomem(void)
{
    int done = 0;
    for (long k = 0; k < 2000 && !done; k++) {
        ds_source_list l;
        ds_err err = {0};
        ds_source_list_init(&l);
        ds_alloc_fail_after(k);
        ds_status st = ds_source_scan_dir(&l, root, NULL, NULL, &err);
        ds_alloc_fail_after(-1);
        DS_CHECK(st == DS_OK || st == DS_ERR_NOMEM);
        done = st == DS_OK;
        ds_source_list_deinit(&l);
    }
    DS_CHECK(done);
}

int main(void)
{
    make_tree();
    test_scan();
    test_list();
    test_nomem();
    return ds_test_done();
}
