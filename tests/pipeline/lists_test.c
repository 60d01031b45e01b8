/* lists_test.c - sanctions lists in PostgreSQL (pipeline/lists.h): the real OFAC CSV trio, UN
 * and EU lists loaded in one call with the right counts and fields; loading the same bytes again
 * changes nothing; another version replaces the active one atomically (one active version per
 * source, the old one kept inactive with its entries); broken files (truncated XML, a CSV row
 * with a wrong column count, a companion file given instead of sdn.csv) are refused with a
 * message naming the file and leave the active lists untouched, even when given together with
 * good files; the screening index built from the active lists finds known entries. */
#include "testlib.h"

#include "pipeline/db.h"
#include "pipeline/lists.h"

#include <sys/stat.h>

static PGconn *conn;

static long long scalar(const char *sql, const char *param)
{
    PGresult *r = NULL;
    ds_err err;
    const char *p[1] = {param};
    if (ds_db_exec(conn, &r, &err, sql, param ? 1 : 0, param ? p : NULL) != DS_OK) {
        fprintf(stderr, "%s: %s\n", sql, err.msg);
        exit(1);
    }
    long long v = PQntuples(r) && !PQgetisnull(r, 0, 0) ? atoll(PQgetvalue(r, 0, 0)) : -1;
    PQclear(r);
    return v;
}

static char *text(const char *sql, const char *param)
{
    static char out[4][512];
    static int slot;
    PGresult *r = NULL;
    ds_err err;
    const char *p[1] = {param};
    DS_REQUIRE(ds_db_exec(conn, &r, &err, sql, param ? 1 : 0, param ? p : NULL) == DS_OK);
    char *o = out[slot++ % 4];
    snprintf(o, 512, "%s", PQntuples(r) ? (PQgetisnull(r, 0, 0) ? "(null)" : PQgetvalue(r, 0, 0)) : "(none)");
    PQclear(r);
    return o;
}

static long long active_id(const char *source)
{
    return scalar("SELECT id FROM sanctions_lists WHERE source = $1 AND active", source);
}

static void write_file(const char *path, const char *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    DS_REQUIRE(f);
    DS_REQUIRE(fwrite(data, 1, n, f) == n);
    fclose(f);
}

static ds_status load(const char *const *paths, size_t n, const ds_lists_options *o, ds_lists_loaded *rec, ds_err *err)
{
    ds_err_clear(err);
    return ds_lists_load(conn, paths, n, o, rec, err);
}

/* One active version per source, always. */
static void check_one_active(void)
{
    DS_CHECK(scalar("SELECT count(*) FROM (SELECT source FROM sanctions_lists WHERE active GROUP BY source "
                    "HAVING count(*) > 1) x",
                    NULL) == 0);
}

static void test_sample_xml(void)
{
    /* Works without ../shared: the OFAC sdn.xml written from real rows. */
    const char *src = ds_test_source("tests/extract/data/ofac_sdn_sample.xml");
    ds_lists_loaded rec[2];
    ds_err err;
    DS_REQUIRE(load(&src, 1, NULL, rec, &err) == DS_OK);
    DS_CHECK_STREQ(rec[0].source, "ofac_sdn");
    DS_CHECK_STREQ(rec[0].format, "ofac-xml");
    DS_CHECK_STREQ(rec[0].version, "2021-12-20");
    DS_CHECK(rec[0].entries == 5 && rec[0].names == 13 && !rec[0].unchanged && rec[0].replaced_id == 0);
    long long first = active_id("ofac_sdn");
    DS_CHECK(first == rec[0].list_id);
    char idbuf[32];
    snprintf(idbuf, sizeof idbuf, "%lld", first);
    DS_CHECK_STREQ(text("SELECT published::text FROM sanctions_lists WHERE id = $1::bigint", idbuf), "2021-12-20");
    DS_CHECK(scalar("SELECT entry_count FROM sanctions_lists WHERE id = $1::bigint", idbuf) == 5);
    DS_CHECK_STREQ(text("SELECT e.name || '|' || e.entry_type || '|' || e.programs FROM sanctions_entries e "
                        "WHERE e.list_id = $1::bigint AND e.ext_id = '48603'",
                        idbuf),
                   "KHOROSHEV, Dmitry Yuryevich|individual|CYBER2");
    DS_CHECK_STREQ(text("SELECT n.alias_quality FROM sanctions_names n JOIN sanctions_entries e ON e.id = n.entry_id "
                        "WHERE e.list_id = $1::bigint AND n.name = 'LOCKBITSUPP'",
                        idbuf),
                   "weak");
    DS_CHECK_STREQ(text("SELECT n.name_norm FROM sanctions_names n JOIN sanctions_entries e ON e.id = n.entry_id "
                        "WHERE e.list_id = $1::bigint AND n.name = 'KHOROSHEV, Dmitry Yuryevich'",
                        idbuf),
                   "dmitry khoroshev yuryevich");
    /* The same bytes again: nothing happens. */
    DS_REQUIRE(load(&src, 1, NULL, rec, &err) == DS_OK);
    DS_CHECK(rec[0].unchanged && rec[0].list_id == first);
    DS_CHECK(scalar("SELECT count(*) FROM sanctions_lists WHERE source = 'ofac_sdn'", NULL) == 1);
    /* --force: a new version replaces it. */
    ds_lists_options o = {0};
    o.force = 1;
    o.version = "forced";
    DS_REQUIRE(load(&src, 1, &o, rec, &err) == DS_OK);
    DS_CHECK(!rec[0].unchanged && rec[0].replaced_id == first && rec[0].list_id != first);
    DS_CHECK(active_id("ofac_sdn") == rec[0].list_id);
    DS_CHECK_STREQ(text("SELECT version FROM sanctions_lists WHERE source = 'ofac_sdn' AND active", NULL), "forced");
    DS_CHECK(scalar("SELECT count(*) FROM sanctions_entries WHERE list_id = $1::bigint", idbuf) == 5); /* old kept */
    check_one_active();
    /* Truncated: refused, the active version untouched. */
    ds_buf b = DS_BUF_INIT;
    DS_REQUIRE(ds_buf_read_file(&b, src, 0, &err) == DS_OK);
    char bad[4200];
    snprintf(bad, sizeof bad, "%s/truncated_sdn.xml", ds_test_tmpdir());
    write_file(bad, b.data, b.len * 2 / 3);
    ds_buf_deinit(&b);
    long long before = active_id("ofac_sdn");
    const char *badp = bad;
    ds_status st = load(&badp, 1, NULL, rec, &err);
    DS_CHECK(st == DS_ERR_PARSE);
    DS_CHECKF(strstr(err.msg, "truncated_sdn.xml: line") != NULL, "message: %s", err.msg);
    DS_CHECK(active_id("ofac_sdn") == before);
    /* Clean up for the real lists below. */
    DS_REQUIRE(ds_db_exec(conn, NULL, &err, "DELETE FROM sanctions_lists", 0, NULL) == DS_OK);
}

static void test_real_lists(void)
{
    const char *ofac = ds_test_shared("data/ofac_sdn_csv");
    const char *tiny = ds_test_shared("data/ofac_sdn_csv_tiny");
    const char *un = ds_test_shared("data/un_consolidated_xml/UN_consolidated.xml");
    const char *eu = ds_test_shared("data/eu_consolidated_xml/sample_eu_fsf.xml");
    if (!ofac || !tiny || !un || !eu) {
        printf("note: ../shared/data lists absent, real-list part skipped\n");
        return;
    }
    char ofac_dir[4096], tiny_dir[4096], un_path[4096], eu_path[4096];
    snprintf(ofac_dir, sizeof ofac_dir, "%s", ofac);
    snprintf(tiny_dir, sizeof tiny_dir, "%s", tiny);
    snprintf(un_path, sizeof un_path, "%s", un);
    snprintf(eu_path, sizeof eu_path, "%s", eu);
    ds_err err;
    ds_lists_loaded rec[3];

    /* All three in one call. */
    const char *all[3] = {ofac_dir, un_path, eu_path};
    ds_status st = load(all, 3, NULL, rec, &err);
    DS_REQUIRE(st == DS_OK || (fprintf(stderr, "%s\n", err.msg), 0));
    DS_CHECK(strcmp(rec[0].source, "ofac_sdn") == 0 && rec[0].entries == 8976 && rec[0].names == 8976 + 14345);
    DS_CHECK(strncmp(rec[0].version, "sha256:", 7) == 0 && strlen(rec[0].version) == 19 && rec[0].published[0] == 0);
    DS_CHECK(strcmp(rec[1].source, "un_consolidated") == 0 && rec[1].entries == 1003 && rec[1].names == 1003 + 3118);
    DS_CHECK_STREQ(rec[1].published, "2026-02-27");
    DS_CHECK(strcmp(rec[2].source, "eu_consolidated") == 0 && rec[2].entries == 5 && rec[2].names == 45);
    DS_CHECK(scalar("SELECT count(*) FROM sanctions_lists WHERE active", NULL) == 3);
    long long ofac_id = active_id("ofac_sdn"), un_id = active_id("un_consolidated");
    char oid[32], uid[32];
    snprintf(oid, sizeof oid, "%lld", ofac_id);
    snprintf(uid, sizeof uid, "%lld", un_id);
    DS_CHECK(scalar("SELECT count(*) FROM sanctions_entries WHERE list_id = $1::bigint", oid) == 8976);
    DS_CHECK(scalar("SELECT count(*) FROM sanctions_names n JOIN sanctions_entries e ON e.id = n.entry_id "
                    "WHERE e.list_id = $1::bigint AND n.alias_quality = 'weak'",
                    oid) == 2441);
    DS_CHECK(scalar("SELECT count(*) FROM sanctions_entries WHERE list_id = $1::bigint AND entry_type = 'vessel'",
                    oid) == 406);
    DS_CHECK_STREQ(
        text("SELECT name || '|' || entry_type || '|' || programs || '|' || (attributes->'addresses'->0->>'city') "
             "FROM sanctions_entries WHERE list_id = $1::bigint AND ext_id = '306'",
             oid),
        "BANCO NACIONAL DE CUBA|entity|CUBA|Zurich CH-8022");
    DS_CHECK_STREQ(text("SELECT n.name_norm FROM sanctions_names n JOIN sanctions_entries e ON e.id = n.entry_id "
                        "WHERE e.list_id = $1::bigint AND n.name = 'NATIONAL BANK OF CUBA'",
                        oid),
                   "bank cuba national of");
    DS_CHECK_STREQ(text("SELECT published::text || '|' || entry_count FROM sanctions_lists WHERE id = $1::bigint", uid),
                   "2026-02-27|1003");
    DS_CHECK_STREQ(text("SELECT name FROM sanctions_entries WHERE list_id = $1::bigint AND ext_id = '6908664'", uid),
                   "GÉDÉON KYUNGU MUTANGA WA BAFUNKWA KANONGA");
    DS_CHECK(strlen(text("SELECT file_sha256 FROM sanctions_lists WHERE id = $1::bigint", oid)) == 64);

    /* Again: unchanged, nothing new. */
    DS_REQUIRE(load(all, 3, NULL, rec, &err) == DS_OK);
    DS_CHECK(rec[0].unchanged && rec[1].unchanged && rec[2].unchanged);
    DS_CHECK(scalar("SELECT count(*) FROM sanctions_lists", NULL) == 3);

    /* Another OFAC version (the tiny subset, with a publication date) replaces the full one. */
    ds_lists_options o = {0};
    o.published = "2021-12-31";
    const char *t1[1] = {tiny_dir};
    /* 17 entries after 8,976: a truncated download until forced */
    DS_CHECK(load(t1, 1, &o, rec, &err) == DS_ERR_PARSE);
    DS_CHECKF(strstr(err.msg, "fewer than 90% of the 8976") && strstr(err.msg, "--force"), "message: %s", err.msg);
    DS_CHECK(active_id("ofac_sdn") == ofac_id);
    o.force = 1;
    DS_REQUIRE(load(t1, 1, &o, rec, &err) == DS_OK);
    o.force = 0;
    DS_CHECK(rec[0].replaced_id == ofac_id && rec[0].entries == 17);
    long long tiny_id = active_id("ofac_sdn");
    DS_CHECK(tiny_id == rec[0].list_id && tiny_id != ofac_id);
    DS_CHECK(scalar("SELECT count(*) FROM sanctions_lists WHERE source = 'ofac_sdn'", NULL) == 2);
    DS_CHECK_STREQ(text("SELECT published::text FROM sanctions_lists WHERE source = 'ofac_sdn' AND active", NULL),
                   "2021-12-31");
    DS_CHECK(scalar("SELECT count(*) FROM sanctions_entries WHERE list_id = $1::bigint", oid) == 8976); /* kept */
    DS_CHECK(active_id("un_consolidated") == un_id);
    check_one_active();

    /* OFAC's consolidated non-SDN list (the same layout in cons_*.csv) is a list of its own. */
    char consdir[4200], conspath[4300], consalt[4300];
    snprintf(consdir, sizeof consdir, "%s/cons", ds_test_tmpdir());
    mkdir(consdir, 0755);
    snprintf(conspath, sizeof conspath, "%s/cons_prim.csv", consdir);
    snprintf(consalt, sizeof consalt, "%s/cons_alt.csv", consdir);
    const char cons_prim[] = "9001,\"EXAMPLE TRADING FZE\",-0- ,\"NS-PLC\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n"
                             "9002,\"DOE, Richard\",\"individual\",\"MBS\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n";
    const char cons_alt[] = "9001,101,\"aka\",\"EXAMPLE TRADING FREE ZONE ESTABLISHMENT\",-0- \r\n";
    write_file(conspath, cons_prim, sizeof cons_prim - 1);
    write_file(consalt, cons_alt, sizeof cons_alt - 1);
    const char *c1[1] = {conspath};
    o.published = "2022-01-05";
    st = load(c1, 1, &o, rec, &err);
    DS_CHECKF(st == DS_OK, "consolidated: %s", err.msg);
    DS_CHECK(strcmp(rec[0].source, "ofac_consolidated") == 0 && rec[0].entries == 2 && rec[0].replaced_id == 0);
    DS_CHECK(active_id("ofac_sdn") == tiny_id && active_id("ofac_consolidated") > 0);
    DS_CHECK(scalar("SELECT count(*) FROM sanctions_names n JOIN sanctions_entries e ON e.id = n.entry_id "
                    "JOIN sanctions_lists l ON l.id = e.list_id WHERE l.source = 'ofac_consolidated'",
                    NULL) == 3);
    check_one_active();

    /* Broken files: refused with a message, nothing changes, even beside a good file. */
    const char *dir = ds_test_tmpdir();
    char trunc[4200], csvdir[4200], csvpath[4300], altpath[4300];
    snprintf(trunc, sizeof trunc, "%s/UN_truncated.xml", dir);
    ds_buf b = DS_BUF_INIT;
    DS_REQUIRE(ds_buf_read_file(&b, un_path, 0, &err) == DS_OK);
    write_file(trunc, b.data, b.len / 2);
    ds_buf_deinit(&b);
    snprintf(csvdir, sizeof csvdir, "%s/badcsv", dir);
    mkdir(csvdir, 0755);
    snprintf(csvpath, sizeof csvpath, "%s/sdn.csv", csvdir);
    const char bad_csv[] = "36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n"
                           "173,\"ANGLO-CARIBBEAN CO., LTD.\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n";
    write_file(csvpath, bad_csv, sizeof bad_csv - 1);
    long long before_lists = scalar("SELECT count(*) FROM sanctions_lists", NULL);
    long long before_entries = scalar("SELECT count(*) FROM sanctions_entries", NULL);

    const char *p1[1] = {trunc};
    st = load(p1, 1, NULL, rec, &err);
    DS_CHECK(st == DS_ERR_PARSE);
    DS_CHECKF(strstr(err.msg, "UN_truncated.xml: line ") && strstr(err.msg, "malformed xml"), "message: %s", err.msg);
    const char *p2[1] = {csvdir};
    st = load(p2, 1, NULL, rec, &err);
    DS_CHECK(st == DS_ERR_PARSE);
    DS_CHECKF(strstr(err.msg, "sdn.csv: line 2: 11 fields, expected 12") != NULL, "message: %s", err.msg);
    /* A good list (the full OFAC list, which would replace the tiny one) with a broken one. */
    const char *p3[2] = {ofac_dir, trunc};
    st = load(p3, 2, NULL, rec, &err);
    DS_CHECK(st == DS_ERR_PARSE);
    DS_CHECK(active_id("ofac_sdn") == tiny_id && active_id("un_consolidated") == un_id);
    snprintf(altpath, sizeof altpath, "%s/alt.csv", ofac_dir);
    const char *p4[1] = {altpath};
    st = load(p4, 1, NULL, rec, &err);
    DS_CHECK(st == DS_ERR_FORMAT);
    DS_CHECKF(strstr(err.msg, "give sdn.csv") != NULL, "message: %s", err.msg);
    const char *p5[1] = {"/nonexistent/list.xml"};
    DS_CHECK(load(p5, 1, NULL, rec, &err) == DS_ERR_NOT_FOUND);
    DS_CHECK(scalar("SELECT count(*) FROM sanctions_lists", NULL) == before_lists);
    DS_CHECK(scalar("SELECT count(*) FROM sanctions_entries", NULL) == before_entries);
    DS_CHECK(scalar("SELECT count(*) FROM sanctions_lists WHERE active", NULL) == 4); /* with ofac_consolidated */

    /* sdn.csv given as a file: its companions are found beside it; replaces the tiny list. */
    char sdnpath[4300];
    snprintf(sdnpath, sizeof sdnpath, "%s/sdn.csv", ofac_dir);
    const char *p6[1] = {sdnpath};
    DS_REQUIRE(load(p6, 1, NULL, rec, &err) == DS_OK);
    DS_CHECK(rec[0].replaced_id == tiny_id && rec[0].entries == 8976 && rec[0].names == 8976 + 14345);
    check_one_active();

    /* The screening index from the active lists: no weak aliases. */
    ds_screen_index *idx = NULL;
    DS_REQUIRE(ds_lists_build_index(conn, &idx, &err) == DS_OK);
    size_t want = (8976 + 11904) + (1003 + 3118 - 615) + 45 + 3; /* + the consolidated list */
    DS_CHECKF(ds_screen_index_names(idx) == want, "%zu names, want %zu", ds_screen_index_names(idx), want);
    ds_screen_hit hits[8];
    size_t n = ds_screen_match(idx, "National Bank of Cuba", -1, 0.88, hits, 8);
    DS_REQUIRE(n >= 1);
    char eid[32];
    snprintf(eid, sizeof eid, "%lld", hits[0].entry_id);
    DS_CHECK_STREQ(text("SELECT ext_id FROM sanctions_entries WHERE id = $1::bigint", eid), "306");
    DS_CHECK(hits[0].list_id == active_id("ofac_sdn") && hits[0].score == 1.0);
    DS_CHECK_STREQ(hits[0].list_version, rec[0].version);
    n = ds_screen_match(idx, "Frank Kakorere Bwambale", 1, 0.88, hits, 8);
    DS_CHECK(n >= 1 && hits[0].list_id == un_id);
    n = ds_screen_match(idx, "BNC", -1, 0.88, hits, 8); /* a weak alias only */
    for (size_t i = 0; i < n; i++)
        DS_CHECK(strcmp(hits[i].matched_name, "BNC") != 0);
    ds_screen_index_free(idx);
}

int main(void)
{
    const char *dsn = ds_test_db_create("t_pipeline_lists");
    ds_err err;
    if (ds_db_connect(dsn, &conn, &err) != DS_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    DS_REQUIRE(ds_db_migrate(conn, NULL, NULL, &err) == DS_OK);
    /* An empty database gives an empty index. */
    ds_screen_index *idx = NULL;
    DS_CHECK(ds_lists_build_index(conn, &idx, &err) == DS_OK && ds_screen_index_names(idx) == 0);
    ds_screen_index_free(idx);
    ds_lists_loaded rec;
    DS_CHECK(ds_lists_load(conn, NULL, 0, NULL, &rec, &err) == DS_ERR_USAGE);
    ds_lists_options bad = {0};
    bad.published = "31/12/2021";
    const char *src = ds_test_source("tests/extract/data/ofac_sdn_sample.xml");
    DS_CHECK(ds_lists_load(conn, &src, 1, &bad, &rec, &err) == DS_ERR_USAGE);
    test_sample_xml();
    test_real_lists();
    PQfinish(conn);
    return ds_test_done();
}
