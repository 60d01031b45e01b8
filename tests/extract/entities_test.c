/* entities_test.c - organisations, persons, countries and jurisdictions (with their FATF list)
 * and red-flag phrases found in a document built here, each with its byte offset, page, chunk
 * and the sentence quoted; names that must not be found; the documented red-flag list matches
 * the code. */
#include "testlib.h"

#include "extract/chunker.h"
#include "extract/entities.h"
#include "pipeline/core/buf.h"

static size_t count4(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    (void)s;
    return (n + 3) / 4;
}

static const ds_entity *find(const ds_entity_list *l, ds_entity_kind kind, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].kind == kind && strcmp(l->v[i].name, name) == 0)
            return &l->v[i];
    return NULL;
}

static size_t count_kind(const ds_entity_list *l, ds_entity_kind kind)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++)
        n += l->v[i].kind == kind;
    return n;
}

/* The mention is where it says, and its quote is the text around it. */
static void check_evidence(const ds_document *doc, const ds_chunk_list *chunks, const ds_entity *e)
{
    DS_CHECKF(strncmp(doc->text.data + e->byte_off, e->name, e->byte_len) == 0, "offset of %s", e->name);
    DS_CHECK(strlen(e->name) == e->byte_len);
    DS_CHECKF(e->quote && strstr(e->quote, e->name) != NULL, "quote of %s: %s", e->name, e->quote ? e->quote : "");
    DS_CHECKF(e->quote && strstr(doc->text.data, e->quote) != NULL, "quote of %s not in the text", e->name);
    DS_CHECK(e->page == ds_doc_page_of(doc, e->byte_off));
    DS_CHECKF(e->chunk_seq >= 0, "%s has no chunk", e->name);
    if (e->chunk_seq >= 0) {
        const ds_chunk *c = &chunks->v[e->chunk_seq];
        DS_CHECK(e->byte_off >= c->byte_start && e->byte_off < c->byte_end);
        DS_CHECKF(e->quote && memmem(c->text, c->text_len, e->quote, strlen(e->quote)) != NULL,
                  "quote of %s not verbatim in chunk %d", e->name, e->chunk_seq);
    }
    DS_CHECK(e->attributes && e->attributes[0] == '{');
    DS_CHECK_STREQ(e->source_extractor, "rules");
}

static const char *const paragraphs[] = {
    /* 0 */ "Acme Holdings, Inc. (the \"Company\") entered into a merger agreement with Beta Technologies Ltd. "
            "and Gamma GmbH on March 1, 2024. The Parent Company guaranteed it.",
    /* 1 */ "Our Chief Executive Officer John A. Smith and Mr. Robert Jones met with director Jane Doe.",
    /* 2 */
    "Mary Johnson, our Chief Financial Officer, signed the agreement with Procter & Gamble Co. and "
    "Bank of America Corporation.",
    /* 3 */
    "The Company has operations in Iran, the Democratic Republic of the Congo and the Cayman Islands, and "
    "sells to Iranian customers. Our offices are in Newark, New Jersey and Atlanta, Georgia.",
    /* 4 */
    "Indicate by check mark whether the registrant is a shell company (as defined in Rule 12b-2 of the "
    "Exchange Act). Yes No X",
    /* 5 */
    "The investigation concerns a shell company in a tax haven that used nominee directors, bearer shares "
    "and cash-intensive businesses to evade sanctions.",
    /* 6 */
    "We maintain an anti-money laundering program. The bank was fined for money laundering in "
    "Côte d’Ivoire and Germany.",
    /* 7 */ "/s/ Peter Parker",
    /* 8 */ "Revenue increased in the United States and the United\nKingdom. Sales in IRAN were nil.",
};

static void test_extract(void)
{
    ds_err err;
    ds_document *doc;
    DS_REQUIRE(ds_document_create(&doc, &err) == DS_OK);
    doc->name = "entities-test";
    for (size_t i = 0; i < sizeof paragraphs / sizeof paragraphs[0]; i++) {
        if (i == 0 || i == 4)
            DS_REQUIRE(ds_doc_begin_page(doc) == DS_OK);
        DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_PARAGRAPH, 0, "", paragraphs[i], strlen(paragraphs[i]), NULL) ==
                   DS_OK);
    }
    ds_chunk_opts co = {60, 8, count4, NULL};
    ds_chunk_list chunks = {0};
    DS_REQUIRE(ds_chunk_document(doc, &co, &chunks, &err) == DS_OK);
    DS_REQUIRE(chunks.n >= 2);
    ds_entity_list l = {0};
    DS_REQUIRE(ds_extract_entities(doc, &chunks, &l, &err) == DS_OK);
    DS_REQUIRE(ds_extract_jurisdictions(doc, &chunks, &l, &err) == DS_OK);
    DS_REQUIRE(ds_extract_redflags(doc, &chunks, &l, &err) == DS_OK);
    int failures_before = ds_test_failures;

    /* organisations */
    const char *orgs[] = {"Acme Holdings, Inc.", "Beta Technologies Ltd.", "Gamma GmbH", "Procter & Gamble Co.",
                          "Bank of America Corporation"};
    for (size_t i = 0; i < sizeof orgs / sizeof orgs[0]; i++) {
        const ds_entity *e = find(&l, DS_ENTITY_ORGANIZATION, orgs[i]);
        DS_CHECKF(e != NULL, "organisation %s not found", orgs[i]);
        if (e)
            check_evidence(doc, &chunks, e);
    }
    DS_CHECKF(count_kind(&l, DS_ENTITY_ORGANIZATION) == 5, "%zu organisations", count_kind(&l, DS_ENTITY_ORGANIZATION));
    const ds_entity *acme = find(&l, DS_ENTITY_ORGANIZATION, "Acme Holdings, Inc.");
    if (acme) {
        DS_CHECK(acme->byte_off == 0);
        DS_CHECK(acme->page == 1);
        DS_CHECK_STREQ(acme->name_norm, "acme holdings inc");
        DS_CHECK_STREQ(acme->detail, "Inc.");
        DS_CHECK_STREQ(acme->quote, "Acme Holdings, Inc. (the \"Company\") entered into a merger agreement with Beta "
                                    "Technologies Ltd. and Gamma GmbH on March 1, 2024.");
    }

    /* persons */
    const char *persons[] = {"John A. Smith", "Robert Jones", "Jane Doe", "Mary Johnson", "Peter Parker"};
    for (size_t i = 0; i < sizeof persons / sizeof persons[0]; i++) {
        const ds_entity *e = find(&l, DS_ENTITY_PERSON, persons[i]);
        DS_CHECKF(e != NULL, "person %s not found", persons[i]);
        if (e)
            check_evidence(doc, &chunks, e);
    }
    DS_CHECKF(count_kind(&l, DS_ENTITY_PERSON) == 5, "%zu persons", count_kind(&l, DS_ENTITY_PERSON));
    const ds_entity *js = find(&l, DS_ENTITY_PERSON, "John A. Smith");
    if (js)
        DS_CHECK_STREQ(js->detail, "Chief Executive Officer");
    const ds_entity *mj = find(&l, DS_ENTITY_PERSON, "Mary Johnson");
    if (mj)
        DS_CHECK_STREQ(mj->detail, "Chief Financial Officer");

    /* places */
    const ds_entity *iran = find(&l, DS_ENTITY_COUNTRY, "Iran");
    DS_CHECK(iran && iran->fatf && iran->fatf->list == DS_FATF_CALL_FOR_ACTION);
    if (iran) {
        check_evidence(doc, &chunks, iran);
        DS_CHECK_STREQ(iran->detail, "IR");
        DS_CHECK(strstr(iran->attributes, "\"fatf_as_of\":\"" DS_FATF_AS_OF "\"") != NULL);
    }
    const ds_entity *iranian = find(&l, DS_ENTITY_COUNTRY, "Iranian");
    DS_CHECK(iranian && strcmp(iranian->detail, "IR") == 0 && strstr(iranian->attributes, "\"demonym\":true"));
    DS_CHECK(find(&l, DS_ENTITY_COUNTRY, "IRAN") != NULL);
    const ds_entity *drc = find(&l, DS_ENTITY_COUNTRY, "Democratic Republic of the Congo");
    DS_CHECK(drc && strcmp(drc->detail, "CD") == 0 && drc->fatf && drc->fatf->list == DS_FATF_INCREASED_MONITORING);
    const ds_entity *cay = find(&l, DS_ENTITY_JURISDICTION, "Cayman Islands");
    DS_CHECK(cay && strcmp(cay->detail, "KY") == 0 && cay->fatf == NULL);
    const ds_entity *ci = find(&l, DS_ENTITY_COUNTRY, "Côte d’Ivoire");
    DS_CHECK(ci && strcmp(ci->detail, "CI") == 0 && ci->fatf);
    if (ci)
        check_evidence(doc, &chunks, ci);
    DS_CHECK(find(&l, DS_ENTITY_COUNTRY, "Germany") != NULL);
    DS_CHECK(find(&l, DS_ENTITY_COUNTRY, "United States") != NULL);
    DS_CHECK(find(&l, DS_ENTITY_COUNTRY, "United\nKingdom") != NULL); /* across a line break */
    /* "New Jersey" and "Georgia" (US states) are no countries; "Congo" is not found twice */
    DS_CHECK(find(&l, DS_ENTITY_JURISDICTION, "Jersey") == NULL);
    DS_CHECK(find(&l, DS_ENTITY_COUNTRY, "Georgia") == NULL);
    DS_CHECK(find(&l, DS_ENTITY_COUNTRY, "Congo") == NULL);
    DS_CHECKF(count_kind(&l, DS_ENTITY_COUNTRY) == 8, "%zu countries", count_kind(&l, DS_ENTITY_COUNTRY));

    /* red flags: the cover-page "shell company" and "anti-money laundering" do not count */
    size_t shell = 0;
    for (size_t i = 0; i < l.n; i++)
        if (l.v[i].kind == DS_ENTITY_RED_FLAG && strcmp(l.v[i].detail, "RF-SHELL") == 0) {
            shell++;
            DS_CHECK(l.v[i].byte_off > (size_t)(strstr(doc->text.data, "The investigation") - doc->text.data));
            DS_CHECK(l.v[i].page == 2);
        }
    DS_CHECK(shell == 1);
    const char *flags[][2] = {{"tax haven", "RF-TAXHAVEN"},      {"nominee directors", "RF-NOMINEE"},
                              {"bearer shares", "RF-BEARER"},    {"cash-intensive", "RF-CASH"},
                              {"evade sanctions", "RF-EVASION"}, {"money laundering", "RF-LAUNDERING"}};
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        const ds_entity *e = find(&l, DS_ENTITY_RED_FLAG, flags[i][0]);
        DS_CHECKF(e != NULL, "red flag %s not found", flags[i][0]);
        if (e) {
            DS_CHECK_STREQ(e->detail, flags[i][1]);
            DS_CHECK(e->flag && strcmp(e->flag->id, flags[i][1]) == 0);
            check_evidence(doc, &chunks, e);
        }
    }
    const ds_entity *ml = find(&l, DS_ENTITY_RED_FLAG, "money laundering");
    if (ml)
        DS_CHECK(ml->byte_off == (size_t)(strstr(doc->text.data, "for money laundering") + 4 - doc->text.data));
    DS_CHECKF(count_kind(&l, DS_ENTITY_RED_FLAG) == 7, "%zu red flags", count_kind(&l, DS_ENTITY_RED_FLAG));
    if (ds_test_failures > failures_before) /* show what was found */
        for (size_t i = 0; i < l.n; i++)
            fprintf(stderr, "  %s | %s | %s | p%d c%d\n", ds_entity_kind_str(l.v[i].kind), l.v[i].name,
                    l.v[i].detail ? l.v[i].detail : "", l.v[i].page, l.v[i].chunk_seq);
    ds_entity_list_free(&l);
    ds_entity_list_free(NULL);
    ds_document_free(doc);
}

/* Mentions of one name are capped per document. */
static void test_cap(void)
{
    ds_err err;
    ds_document *doc;
    DS_REQUIRE(ds_document_create(&doc, &err) == DS_OK);
    ds_buf b = DS_BUF_INIT;
    for (int i = 0; i < 40; i++)
        DS_REQUIRE(ds_buf_puts(&b, "Sales to Iran grew. ") == DS_OK);
    DS_REQUIRE(ds_doc_add_block(doc, DS_BLOCK_KIND_PARAGRAPH, 0, "", b.data, b.len, NULL) == DS_OK);
    ds_entity_list l = {0};
    DS_REQUIRE(ds_extract_jurisdictions(doc, NULL, &l, &err) == DS_OK);
    DS_CHECK(l.n == DS_ENTITY_MAX_MENTIONS);
    DS_CHECK(l.n && l.v[0].chunk_seq == -1 && strcmp(l.v[0].quote, "Sales to Iran grew.") == 0);
    ds_entity_list_free(&l);
    ds_buf_deinit(&b);
    ds_document_free(doc);
}

static void test_tables(void)
{
    char norm[64];
    ds_entity_normalize("Société Générale S.A.", strlen("Société Générale S.A."), norm, sizeof norm);
    DS_CHECK_STREQ(norm, "societe generale s a");
    ds_entity_normalize("O’Brien & Łukasz", strlen("O’Brien & Łukasz"), norm, sizeof norm);
    DS_CHECK_STREQ(norm, "obrien lukasz");
    int terr = -1;
    DS_CHECK_STREQ(ds_country_code("British Virgin Islands", &terr), "VG");
    DS_CHECK(terr == 1);
    DS_CHECK_STREQ(ds_country_code("Burma", &terr), "MM");
    DS_CHECK(terr == 0);
    DS_CHECK(ds_country_code("Georgia", NULL) == NULL);
    DS_CHECK(ds_country_code("Atlantis", NULL) == NULL);
    size_t n;
    const ds_fatf_entry *fe = ds_fatf_entries(&n);
    size_t cfa = 0;
    for (size_t i = 0; i < n; i++) {
        cfa += fe[i].list == DS_FATF_CALL_FOR_ACTION;
        /* every FATF entry is found by its own name */
        DS_CHECKF(ds_country_code(fe[i].name, NULL) && strcmp(ds_country_code(fe[i].name, NULL), fe[i].code) == 0,
                  "FATF entry %s", fe[i].name);
    }
    DS_CHECK(cfa == 3);
    DS_CHECK(n == 28);
    DS_CHECK(ds_fatf_lookup("KP") && ds_fatf_lookup("KP")->list == DS_FATF_CALL_FOR_ACTION);
    DS_CHECK(ds_fatf_lookup("FR") == NULL);
    /* extract/redflags.md holds the table the code prints */
    ds_buf md = DS_BUF_INIT, tbl = DS_BUF_INIT;
    ds_err err;
    DS_REQUIRE(ds_buf_read_file(&md, ds_test_source("extract/redflags.md"), 0, &err) == DS_OK);
    DS_REQUIRE(ds_redflags_table(&tbl) == DS_OK);
    DS_CHECKF(strstr(md.data, tbl.data) != NULL, "extract/redflags.md is out of date; the table is:\n%s", tbl.data);
    ds_buf_deinit(&md);
    ds_buf_deinit(&tbl);
}

int main(void)
{
    test_extract();
    test_cap();
    test_tables();
    return ds_test_done();
}
