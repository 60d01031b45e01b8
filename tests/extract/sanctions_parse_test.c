/* sanctions_parse_test.c - the sanctions list parsers (screening/sanctions.h) on the real lists
 * in ../shared/data (OFAC SDN CSV, full and tiny; UN consolidated XML; EU consolidated XML
 * sample), on an OFAC sdn.xml written from real SDN rows (tests/extract/data), and on broken
 * input: truncated XML, a CSV row with a wrong column count, an unterminated quote, a DOCTYPE,
 * a file that is no list. Expected counts were taken from the files with an independent reader
 * (Python's csv and ElementTree). */
#include "testlib.h"

#include "extract/screening/sanctions.h"
#include "pipeline/core/alloc.h"
#include "pipeline/core/buf.h"

static ds_buf read_or_die(const char *path)
{
    ds_buf b = DS_BUF_INIT;
    ds_err err;
    if (ds_buf_read_file(&b, path, 0, &err) != DS_OK) {
        fprintf(stderr, "%s\n", err.msg);
        exit(1);
    }
    return b;
}

static const ds_sanctions_entry *find(const ds_sanctions_list *l, const char *ext_id)
{
    for (size_t i = 0; i < l->n_entries; i++)
        if (strcmp(l->entries[i].ext_id, ext_id) == 0)
            return &l->entries[i];
    return NULL;
}

static const ds_sanctions_alias *alias(const ds_sanctions_entry *e, const char *name)
{
    for (size_t i = 0; e && i < e->n_aliases; i++)
        if (strcmp(e->aliases[i].name, name) == 0)
            return &e->aliases[i];
    return NULL;
}

static size_t count_quality(const ds_sanctions_list *l, const char *q)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n_entries; i++)
        for (size_t a = 0; a < l->entries[i].n_aliases; a++) {
            const char *aq = l->entries[i].aliases[a].quality;
            n += q ? (aq && strcmp(aq, q) == 0) : aq == NULL;
        }
    return n;
}

static ds_sanctions_list *parse_trio(const char *dir, ds_status *st, ds_err *err)
{
    char p[4][4096];
    static const char *const names[4] = {"sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"};
    ds_buf b[4];
    for (int k = 0; k < 4; k++) {
        snprintf(p[k], sizeof p[k], "%s/%s", dir, names[k]);
        b[k] = read_or_die(p[k]);
    }
    ds_sanctions_csv_files f = {b[0].data, b[1].data, b[2].data, b[3].data, b[0].len, b[1].len,
                                b[2].len,  b[3].len,  p[0],      p[1],      p[2],     p[3]};
    ds_sanctions_list *l = NULL;
    *st = ds_sanctions_parse_ofac_csv(&f, &l, err);
    for (int k = 0; k < 4; k++)
        ds_buf_deinit(&b[k]);
    return l;
}

static void test_ofac_csv(void)
{
    const char *dir = ds_test_shared("data/ofac_sdn_csv");
    if (!dir) {
        printf("note: ../shared/data/ofac_sdn_csv absent, skipped\n");
        return;
    }
    ds_err err;
    ds_status st;
    ds_sanctions_list *l = parse_trio(dir, &st, &err);
    DS_REQUIRE(st == DS_OK && l);
    DS_CHECK(l->source == DS_SANCTIONS_SOURCE_OFAC_SDN && l->format == DS_SANCTIONS_FORMAT_OFAC_CSV);
    DS_CHECK_STREQ(l->version, "");
    DS_CHECK_STREQ(l->published, "");
    DS_CHECKF(l->n_entries == 8976, "%zu entries", l->n_entries);
    DS_CHECKF(l->n_aliases == 14345, "%zu aliases", l->n_aliases);
    DS_CHECKF(count_quality(l, "strong") == 11904, "%zu strong", count_quality(l, "strong"));
    DS_CHECKF(count_quality(l, "weak") == 2441, "%zu weak", count_quality(l, "weak"));
    size_t types[4] = {0};
    for (size_t i = 0; i < l->n_entries; i++)
        types[l->entries[i].type]++;
    DS_CHECK(types[DS_SANCTIONS_TYPE_INDIVIDUAL] == 4620 && types[DS_SANCTIONS_TYPE_ENTITY] == 3673 &&
             types[DS_SANCTIONS_TYPE_VESSEL] == 406 && types[DS_SANCTIONS_TYPE_AIRCRAFT] == 277);
    const ds_sanctions_entry *e = find(l, "306");
    DS_REQUIRE(e);
    DS_CHECK_STREQ(e->name, "BANCO NACIONAL DE CUBA");
    DS_CHECK(e->type == DS_SANCTIONS_TYPE_ENTITY);
    DS_CHECK_STREQ(e->programs, "CUBA");
    DS_CHECK_STREQ(e->remarks, "a.k.a. 'BNC'.");
    DS_CHECK(e->n_aliases == 2);
    DS_CHECK(alias(e, "NATIONAL BANK OF CUBA") && strcmp(alias(e, "NATIONAL BANK OF CUBA")->quality, "strong") == 0);
    DS_CHECK(alias(e, "BNC") && strcmp(alias(e, "BNC")->quality, "weak") == 0);
    DS_CHECK(strstr(e->attributes, "\"city\":\"Zurich CH-8022\"") != NULL);
    e = find(l, "36");
    DS_REQUIRE(e);
    DS_CHECK_STREQ(e->name, "AEROCARIBBEAN AIRLINES");
    DS_CHECK_STREQ(e->attributes, "{\"addresses\":[{\"city\":\"Havana\",\"country\":\"Cuba\"}]}");
    DS_CHECK(alias(e, "AERO-CARIBBEAN") && strcmp(alias(e, "AERO-CARIBBEAN")->kind, "a.k.a.") == 0);
    /* A remarks field continued in sdn_comments.csv. */
    e = find(l, "28263");
    DS_REQUIRE(e && e->remarks);
    const char *tail = "hn'; Linked To: LAZARUS GROUP.";
    size_t rl = strlen(e->remarks), tl = strlen(tail);
    DS_CHECKF(rl > tl && strcmp(e->remarks + rl - tl, tail) == 0, "remarks end: %s",
              e->remarks + (rl > 40 ? rl - 40 : 0));
    /* Programmes: "SDGT] [IFSR" in the file. */
    int multi = 0;
    for (size_t i = 0; i < l->n_entries; i++)
        if (l->entries[i].programs && strstr(l->entries[i].programs, "; "))
            multi++;
    DS_CHECK(multi > 100);
    ds_sanctions_list_free(l);

    /* The tiny subset: aliases of entries not in it are skipped and counted. */
    dir = ds_test_shared("data/ofac_sdn_csv_tiny");
    DS_REQUIRE(dir);
    l = parse_trio(dir, &st, &err);
    DS_REQUIRE(st == DS_OK && l);
    DS_CHECK(l->n_entries == 17);
    e = find(l, "48603");
    DS_REQUIRE(e);
    DS_CHECK_STREQ(e->name, "KHOROSHEV, Dmitry Yuryevich");
    DS_CHECK(e->type == DS_SANCTIONS_TYPE_INDIVIDUAL);
    DS_CHECK(alias(e, "KHOROSHEV, Dmitriy Yurevich") && alias(e, "YURIEVICH, Dmitry") &&
             alias(e, "KHOROSHEV, Dmitrii Yuryevich") && alias(e, "LOCKBITSUPP"));
    DS_CHECK(l->n_skipped > 0);
    e = find(l, "40716");
    DS_CHECK(e && e->type == DS_SANCTIONS_TYPE_VESSEL &&
             strstr(e->attributes, "\"vessel_type\":\"Naval Auxiliary Vessel\""));
    e = find(l, "20540");
    DS_CHECK(e && e->type == DS_SANCTIONS_TYPE_AIRCRAFT && strcmp(e->name, "P-532") == 0);
    ds_sanctions_list_free(l);

    /* sdn.csv alone, through the content-detecting entry point. */
    ds_buf b = read_or_die(ds_test_shared("data/ofac_sdn_csv/sdn.csv"));
    DS_CHECK(ds_sanctions_detect(b.data, b.len) == DS_SANCTIONS_FORMAT_OFAC_CSV);
    DS_CHECK(ds_sanctions_parse(b.data, b.len, "sdn.csv", &l, &err) == DS_OK && l->n_entries == 8976);
    DS_CHECK(count_quality(l, "strong") == 0);
    ds_sanctions_list_free(l);
    ds_buf_deinit(&b);
    b = read_or_die(ds_test_shared("data/ofac_sdn_csv/alt.csv"));
    DS_CHECK(ds_sanctions_detect(b.data, b.len) == DS_SANCTIONS_FORMAT_UNKNOWN);
    ds_buf_deinit(&b);
}

static void test_un(void)
{
    const char *path = ds_test_shared("data/un_consolidated_xml/UN_consolidated.xml");
    if (!path) {
        printf("note: UN list absent, skipped\n");
        return;
    }
    ds_buf b = read_or_die(path);
    DS_CHECK(ds_sanctions_detect(b.data, b.len) == DS_SANCTIONS_FORMAT_UN_XML);
    ds_sanctions_list *l = NULL;
    ds_err err;
    DS_REQUIRE(ds_sanctions_parse(b.data, b.len, path, &l, &err) == DS_OK);
    DS_CHECK(l->source == DS_SANCTIONS_SOURCE_UN);
    DS_CHECK_STREQ(l->published, "2026-02-27");
    DS_CHECK_STREQ(l->version, "2026-02-27T00:00:09.554Z");
    DS_CHECKF(l->n_entries == 1003, "%zu entries", l->n_entries);
    DS_CHECKF(l->n_aliases == 3118, "%zu aliases", l->n_aliases);
    DS_CHECK(count_quality(l, "strong") == 1514 && count_quality(l, "weak") == 615);
    const ds_sanctions_entry *e = find(l, "6907994");
    DS_REQUIRE(e);
    DS_CHECK_STREQ(e->name, "FRANK KAKOLELE BWAMBALE");
    DS_CHECK_STREQ(e->programs, "DRC");
    DS_CHECK(e->n_aliases == 3 && alias(e, "AIGLE BLANC"));
    e = find(l, "6908664");
    DS_CHECK(e && strcmp(e->name, "GÉDÉON KYUNGU MUTANGA WA BAFUNKWA KANONGA") == 0);
    e = find(l, "6908402");
    DS_REQUIRE(e);
    DS_CHECK_STREQ(e->name, "ADF");
    DS_CHECK(e->type == DS_SANCTIONS_TYPE_ENTITY);
    const ds_sanctions_alias *a = alias(e, "Allied Democratic Forces");
    DS_CHECK(a && a->quality == NULL && strcmp(a->kind, "a.k.a.") == 0);
    a = alias(e, "NALU");
    DS_CHECK(a && strcmp(a->kind, "f.k.a.") == 0);
    e = find(l, "6908434");
    DS_CHECK(e && alias(e, "عبدالخالق الحوثي") && strcmp(alias(e, "عبدالخالق الحوثي")->kind, "original script") == 0);
    ds_sanctions_list_free(l);

    /* Truncated in the middle: a parse error naming the file and a line, never a partial list. */
    l = (ds_sanctions_list *)&l;
    DS_CHECK(ds_sanctions_parse(b.data, b.len / 2, "UN_consolidated.xml", &l, &err) == DS_ERR_PARSE);
    DS_CHECK(l == NULL);
    DS_CHECKF(strstr(err.msg, "UN_consolidated.xml: line ") != NULL, "message: %s", err.msg);
    ds_buf_deinit(&b);
}

static void test_eu(void)
{
    const char *path = ds_test_shared("data/eu_consolidated_xml/sample_eu_fsf.xml");
    if (!path) {
        printf("note: EU list absent, skipped\n");
        return;
    }
    ds_buf b = read_or_die(path);
    DS_CHECK(ds_sanctions_detect(b.data, b.len) == DS_SANCTIONS_FORMAT_EU_XML);
    ds_sanctions_list *l = NULL;
    ds_err err;
    DS_REQUIRE(ds_sanctions_parse(b.data, b.len, path, &l, &err) == DS_OK);
    DS_CHECK(l->source == DS_SANCTIONS_SOURCE_EU);
    DS_CHECK_STREQ(l->published, "2026-08-05");
    DS_CHECK(l->n_entries == 5 && l->n_aliases == 40);
    const ds_sanctions_entry *e = find(l, "191");
    DS_REQUIRE(e);
    DS_CHECK_STREQ(e->name, "Khalid Sheikh MOHAMMED");
    DS_CHECK(e->type == DS_SANCTIONS_TYPE_INDIVIDUAL && e->n_aliases == 6);
    DS_CHECK_STREQ(e->programs, "TERR");
    DS_CHECK(alias(e, "Ali Salem") && strcmp(alias(e, "Ali Salem")->quality, "strong") == 0);
    DS_CHECK(strstr(e->attributes, "\"dates_of_birth\":[\"1965-04-14\",\"1964-03-01\"]") != NULL);
    e = find(l, "3822");
    DS_REQUIRE(e);
    DS_CHECK_STREQ(e->name, "Parchin Chemical Industries (PCI)");
    DS_CHECK(e->type == DS_SANCTIONS_TYPE_ENTITY && e->n_aliases == 15);
    DS_CHECK(alias(e, "صنایع شیمیایی پارچین") != NULL);
    e = find(l, "521");
    DS_CHECK(e && e->remarks && strncmp(e->remarks, "Believed to be in Afghanistan", 29) == 0);
    ds_sanctions_list_free(l);
    /* Cut just before the closing tag. */
    char *end = strstr(b.data, "</export>");
    DS_REQUIRE(end);
    DS_CHECK(ds_sanctions_parse(b.data, (size_t)(end - b.data), "eu.xml", &l, &err) == DS_ERR_PARSE);
    ds_buf_deinit(&b);
}

static void test_ofac_xml(void)
{
    ds_buf b = read_or_die(ds_test_source("tests/extract/data/ofac_sdn_sample.xml"));
    DS_CHECK(ds_sanctions_detect(b.data, b.len) == DS_SANCTIONS_FORMAT_OFAC_XML);
    ds_sanctions_list *l = NULL;
    ds_err err;
    DS_REQUIRE(ds_sanctions_parse(b.data, b.len, "sdn.xml", &l, &err) == DS_OK);
    DS_CHECK(l->format == DS_SANCTIONS_FORMAT_OFAC_XML && l->n_entries == 5 && l->n_aliases == 8);
    DS_CHECK_STREQ(l->published, "2021-12-20");
    DS_CHECK_STREQ(l->version, "2021-12-20");
    const ds_sanctions_entry *e = find(l, "48603");
    DS_REQUIRE(e);
    DS_CHECK_STREQ(e->name, "KHOROSHEV, Dmitry Yuryevich");
    DS_CHECK(e->type == DS_SANCTIONS_TYPE_INDIVIDUAL);
    DS_CHECK(alias(e, "KHOROSHEV, Dmitriy Yurevich") &&
             strcmp(alias(e, "KHOROSHEV, Dmitriy Yurevich")->quality, "strong") == 0);
    DS_CHECK(alias(e, "LOCKBITSUPP") && strcmp(alias(e, "LOCKBITSUPP")->quality, "weak") == 0);
    DS_CHECK(strstr(e->attributes, "\"nationalities\":[\"Russia\"]") != NULL);
    e = find(l, "11195");
    DS_CHECK(e && strcmp(e->programs, "NPWMD; IFSR; IRAN-CON-ARMS-EO") == 0 && e->type == DS_SANCTIONS_TYPE_ENTITY);
    e = find(l, "10278");
    DS_CHECK(e &&
             strstr(e->attributes, "\"ids\":[{\"type\":\"Passport\",\"number\":\"P0017003\",\"country\":\"Belize\"}]"));
    DS_CHECK(find(l, "40716") && find(l, "40716")->type == DS_SANCTIONS_TYPE_VESSEL);
    DS_CHECK(find(l, "20540") && find(l, "20540")->type == DS_SANCTIONS_TYPE_AIRCRAFT);
    ds_sanctions_list_free(l);
    /* Truncated. */
    DS_CHECK(ds_sanctions_parse(b.data, b.len - 40, "sdn.xml", &l, &err) == DS_ERR_PARSE);
    DS_CHECKF(strstr(err.msg, "sdn.xml: line") != NULL, "message: %s", err.msg);
    ds_buf_deinit(&b);
}

static void expect_error(const char *what, const char *data, ds_status want, const char *msg_part)
{
    ds_sanctions_list *l = NULL;
    ds_err err;
    ds_err_clear(&err);
    ds_status st = ds_sanctions_parse(data, strlen(data), what, &l, &err);
    DS_CHECKF(st == want, "%s: status %s, want %s (%s)", what, ds_status_str(st), ds_status_str(want), err.msg);
    DS_CHECK(l == NULL);
    DS_CHECKF(strstr(err.msg, msg_part) != NULL, "%s: message \"%s\" lacks \"%s\"", what, err.msg, msg_part);
}

static void test_broken(void)
{
    expect_error("wrong_columns.csv",
                 "1,\"A\",-0- ,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n2,\"B\",-0- ,\"X\",-0- \r\n",
                 DS_ERR_PARSE, "wrong_columns.csv: line 2: 5 fields, expected 12");
    expect_error(
        "open_quote.csv",
        "1,\"A\",-0- ,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n2,\"B,-0- ,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- "
        ",-0- ,-0- \r\n",
        DS_ERR_PARSE, "open_quote.csv: line 2:");
    expect_error(
        "dup.csv",
        "1,\"A\",-0- ,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n1,\"B\",-0- ,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- "
        ",-0- ,-0- \r\n",
        DS_ERR_PARSE, "ent_num 1 appears twice");
    expect_error("noname.csv", "1,-0- ,-0- ,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n", DS_ERR_PARSE,
                 "entry 1 has no name");
    expect_error("plain.txt", "hello, world\n", DS_ERR_FORMAT, "plain.txt: not a sanctions list");
    expect_error("empty.xml", "", DS_ERR_EMPTY, "empty.xml: empty file");
    expect_error("other.xml", "<?xml version=\"1.0\"?><html><body/></html>", DS_ERR_FORMAT, "not a sanctions list");
    expect_error("doctype.xml",
                 "<?xml version=\"1.0\"?><!DOCTYPE sdnList [<!ENTITY a \"aaaa\">]><sdnList><sdnEntry><uid>1</uid>"
                 "<lastName>&a;</lastName></sdnEntry></sdnList>",
                 DS_ERR_PARSE, "document type declarations are not accepted");
    expect_error("external.xml",
                 "<?xml version=\"1.0\"?><!DOCTYPE sdnList SYSTEM \"http://example.invalid/x.dtd\"><sdnList/>",
                 DS_ERR_PARSE, "document type declarations are not accepted");
    expect_error("nouid.xml", "<sdnList><sdnEntry><lastName>X</lastName></sdnEntry></sdnList>", DS_ERR_PARSE,
                 "nouid.xml: line 1: sdnEntry without uid");
    expect_error("noentries.xml", "<sdnList></sdnList>", DS_ERR_EMPTY, "no sdnEntry");
    expect_error(
        "un_noname.xml",
        "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>5</DATAID></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>",
        DS_ERR_PARSE, "INDIVIDUAL 5 has no name");
    expect_error("eu_bad.xml", "<export xmlns=\"http://eu.europa.ec/fpi/fsd/export\"><sanctionEntity logicalId=\"1\">",
                 DS_ERR_PARSE, "eu_bad.xml: line");
}

static void test_windows_1252(void)
{
    /* Bytes that are not UTF-8 are read as Windows-1252. */
    const char csv[] =
        "7,\"M\xdcLLER, J\xfcrgen\",\"individual\",\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"caf\xe9 \x80\"\r\n";
    ds_sanctions_list *l = NULL;
    ds_err err;
    DS_REQUIRE(ds_sanctions_parse(csv, sizeof csv - 1, "latin.csv", &l, &err) == DS_OK);
    DS_CHECK_STREQ(l->entries[0].name, "MÜLLER, Jürgen");
    DS_CHECK_STREQ(l->entries[0].remarks, "café €");
    ds_sanctions_list_free(l);
}

/* Every allocation failing in turn: each parser gives DS_OK or DS_ERR_NOMEM, never a crash or
 * (under the sanitizers) a leak. */
static void test_out_of_memory(void)
{
    ds_buf xml = read_or_die(ds_test_source("tests/extract/data/ofac_sdn_sample.xml"));
    static const char csv[] =
        "10,\"A, B\",\"individual\",\"X] [Y\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"a.k.a. 'C'.\"\r\n"
        "11,\"D LTD.\",-0- ,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n";
    static const char alt[] = "10,1,\"aka\",\"E, F\",-0- \r\n11,2,\"fka\",\"G\",-0- \r\n";
    static const char add[] = "10,1,\"Street\",\"City\",\"Country\",-0- \r\n";
    int nomem = 0, ok = 0;
    for (long n = 0; n < 400; n++) {
        ds_sanctions_list *l = NULL;
        ds_err err;
        ds_alloc_fail_after(n);
        ds_status st = ds_sanctions_parse(xml.data, xml.len, "sdn.xml", &l, &err);
        ds_alloc_fail_after(-1);
        DS_CHECKF(st == DS_OK || st == DS_ERR_NOMEM, "xml, allocation %ld failing: %s", n, ds_status_str(st));
        nomem += st == DS_ERR_NOMEM;
        ok += st == DS_OK;
        ds_sanctions_list_free(l);
        ds_sanctions_csv_files f = {0};
        f.sdn = csv;
        f.sdn_n = sizeof csv - 1;
        f.alt = alt;
        f.alt_n = sizeof alt - 1;
        f.add = add;
        f.add_n = sizeof add - 1;
        l = NULL;
        ds_alloc_fail_after(n);
        st = ds_sanctions_parse_ofac_csv(&f, &l, &err);
        ds_alloc_fail_after(-1);
        DS_CHECKF(st == DS_OK || st == DS_ERR_NOMEM, "csv, allocation %ld failing: %s", n, ds_status_str(st));
        if (st == DS_OK)
            DS_CHECK(l->n_entries == 2 && l->n_aliases == 3);
        ds_sanctions_list_free(l);
    }
    DS_CHECK(nomem > 0 && ok > 0);
    ds_buf_deinit(&xml);
}

int main(void)
{
    test_out_of_memory();
    test_ofac_csv();
    test_un();
    test_eu();
    test_ofac_xml();
    test_broken();
    test_windows_1252();
    DS_CHECK(strcmp(ds_sanctions_source_name(DS_SANCTIONS_SOURCE_EU), "eu_consolidated") == 0);
    DS_CHECK(strcmp(ds_sanctions_type_name(DS_SANCTIONS_TYPE_VESSEL), "vessel") == 0);
    ds_sanctions_list_free(NULL);
    return ds_test_done();
}
