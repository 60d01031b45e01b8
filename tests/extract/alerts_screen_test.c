/* alerts_screen_test.c - sanctions alerts from document text: listed names written the ways
 * documents write them (inverted, title case, middle name dropped, one typo, legal forms, table
 * cells) are found among ordinary names, single tokens and kind clashes do not alert, one
 * alert per entry per document, and broken text is scanned safely. */
#include "extract/alerts.h"
#include "extract/name_spans.h"
#include "extract/screening/screen.h"
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ds_screen_index *small_index(void)
{
    static const struct {
        const char *name;
        int person;
    } list[] = {
        {"YOUSEF, Hasan", 1},
        {"AL-HUSSEINI, Wael Mahmoud", 1},
        {"JOINT STOCK COMPANY RUSSIAN AGRICULTURAL BANK", 0},
        {"KHOROSHEV, Dmitry Yuryevich", 1},
        {"BANCO NACIONAL DE CUBA", 0},
        {"OCEAN STAR", DS_SCREEN_VESSEL},
        {"SMITH, John Albert", 1},
        {"HAMAS", 0},
        {"POSH 8 DYNAMIC B.V.", 0},
        {"LEVERAGE, S.A.", 0},
        {"'ABD AL-'AZIZ, Fahd Muhammad", 1},
        {"LAW ENFORCEMENT FORCES OF THE ISLAMIC REPUBLIC OF IRAN COOPERATIVE FOUNDATION", 0},
        {"KANG, Hong-Mun", 1},
        {"CAPITAL S.A.L.", 0},
        {"DANIEL", DS_SCREEN_VESSEL},
    };
    ds_err err;
    ds_screen_index *idx;
    DS_REQUIRE(ds_screen_index_create(&idx, &err) == DS_OK);
    for (size_t i = 0; i < sizeof list / sizeof list[0]; i++)
        DS_REQUIRE(ds_screen_index_add(idx, (long long)i + 1, 1, "v1", list[i].name, 0, list[i].person) == DS_OK);
    DS_REQUIRE(ds_screen_index_build(idx, &err) == DS_OK);
    return idx;
}

static ds_document *doc_of(const char *text)
{
    ds_err err;
    ds_document *doc;
    DS_REQUIRE(ds_document_create(&doc, &err) == DS_OK);
    DS_REQUIRE(ds_doc_append_text(doc, text, strlen(text), NULL) == DS_OK);
    snprintf(doc->sha256, sizeof doc->sha256, "%064d", 0);
    return doc;
}

static int alerted(const ds_alert_list *l, long long entry)
{
    int n = 0;
    for (size_t i = 0; i < l->n; i++)
        n += l->v[i].kind == DS_ALERT_SANCTIONS_MATCH && l->v[i].entry_id == entry;
    return n;
}

static void screen_text(const ds_screen_index *idx, const char *text, ds_alert_list *out)
{
    ds_document *doc = doc_of(text);
    memset(out, 0, sizeof *out);
    DS_CHECK(ds_alerts_screen_text(doc, NULL, idx, 0.88, out) == DS_OK);
    for (size_t i = 0; i < out->n; i++) {
        DS_CHECK(out->v[i].quote && out->v[i].subject && out->v[i].dedup_key && out->v[i].evidence);
        DS_CHECK(strstr(out->v[i].evidence, "\"token_set\":") != NULL);
    }
    /* the strings live in the arena: check before freeing */
    ds_document_free(doc);
}

static void test_variations(const ds_screen_index *idx)
{
    static const struct {
        const char *text;
        long long entry;
    } cases[] = {
        {"Payments were made to YOUSEF, Hasan during the year.", 1},
        {"The board approved a loan to Hasan Yousef on 3 May.", 1},
        {"A consultant, Wael Al-Husseini, received fees.", 2},
        {"Wael Mahmoud AL-HUSSEINI signed the agreement.", 2},
        {"Deposits with Joint Stock Company Russian Agricultural Bank were closed.", 3},
        {"Deposits with JSC Russian Agricultural Bank were closed.", 3},
        {"Dmitri Khoroshev was a director.", 4},
        {"Counterparty | Amount\nBanco Nacional de Cuba | 1,000\n", 5},
        {"Transfers to Banco Nacionall de Cuba S.A. in March.", 5},
        {"Funds reached HAMAS through a charity.", 8},
        {"Payments to Posh 8 Dynamic B.V. in June.", 9},                 /* a number inside the name */
        {"Deposits | Leverage, S.A. | 1,000\n", 10},                     /* legal form after a comma */
        {"Fees paid to Fahd Muhammad 'Abd Al-'Aziz were refunded.", 11}, /* apostrophes between words */
        {"A grant to the Law Enforcement Forces of the Islamic Republic of Iran Cooperative Foundation "
         "was made.",
         12}, /* a name of eleven words */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ds_alert_list l;
        screen_text(idx, cases[i].text, &l);
        DS_CHECKF(alerted(&l, cases[i].entry) == 1, "entry %lld in: %s", cases[i].entry, cases[i].text);
        ds_alert_list_free(&l);
    }
}

static void test_precision(const ds_screen_index *idx)
{
    static const char *const texts[] = {
        "Mr. Yousef joined the board.",                  /* one token: a surname alone */
        "Mr. Smith joined the board.",                   /* one token of a listed person */
        "Hamos Holdings Ltd supplied steel.",            /* one significant token, not exact */
        "Peter Smith was appointed.",                    /* surname shared */
        "The Ocean Star Hotel LLC leased the premises.", /* org with more words */
        "Agricultural Bank of Canada and Maria Gonzalez Lopez attended.",
        "Hamas",                                         /* title case single word */
        "John Albert Smith Ltd was paid.",               /* a company against a listed person */
        "Goods came from Oakridge Hamas Ltd in May.",    /* a part of a longer company name */
        "CAPITAL RESOURCES\nOur capital needs are met.", /* a heading word the text uses as a word */
        "LEVERAGE\nWe keep leverage low.",               /* the same, for a listed S.A. */
        "Our offices in Hong Kong and Singapore.",       /* a place is not a listed person */
        "Offices: Acme Limited Hong Kong",               /* a window with a legal form is no person */
        "Signed by DANIEL\nDirector",                    /* a listed tanker needs a vessel spoken of */
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        ds_alert_list l;
        screen_text(idx, texts[i], &l);
        DS_CHECKF(l.n == 0, "false alert (%s ~ %s) in: %s", l.n ? l.v[0].subject : "", l.n ? l.v[0].matched_name : "",
                  texts[i]);
        ds_alert_list_free(&l);
    }
    /* the same names where the text says what they are */
    static const struct {
        const char *text;
        long long entry;
    } fit[] = {
        {"Funds went to CAPITAL S.A.L. in Beirut.", 14},
        {"The vessel DANIEL called at the port.", 15},
        {"Payments to KANG, Hong-Mun were made.", 13},
    };
    for (size_t i = 0; i < sizeof fit / sizeof fit[0]; i++) {
        ds_alert_list f;
        screen_text(idx, fit[i].text, &f);
        DS_CHECKF(alerted(&f, fit[i].entry) == 1, "entry %lld in: %s", fit[i].entry, fit[i].text);
        ds_alert_list_free(&f);
    }
    /* many mentions of one entry: one alert counting its runs */
    ds_alert_list l;
    screen_text(idx, "YOUSEF, Hasan paid. Hasan Yousef paid again. Later Hasan YOUSEF left.", &l);
    DS_CHECK(l.n == 1);
    ds_alert_list_free(&l);
}

static int count_span(void *ctx, const char *text, const ds_name_span *s)
{
    (void)text;
    size_t *n = ctx;
    (*n)++;
    DS_REQUIRE(s->len > 0 && s->n_words >= 1 && s->n_words <= DS_NAME_SPAN_MAX_RUN + 3);
    return 0;
}

/* Broken input: random bytes, cut UTF-8, lone punctuation; every span stays inside the text. */
static void test_broken(const ds_screen_index *idx)
{
    unsigned long long x = 42;
    char buf[4096];
    for (int round = 0; round < 200; round++) {
        size_t n = (size_t)(round * 19 % (int)sizeof buf);
        for (size_t i = 0; i < n; i++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            static const char pool[] = "Ab, &.-'\n|\xC2\xA0\xE2\x80\x94\xD0\x98Zq ";
            buf[i] = (x >> 40) % 3 ? pool[(x >> 33) % (sizeof pool - 1)] : (char)(x >> 24);
        }
        size_t spans = 0;
        DS_CHECK(ds_name_spans_scan(buf, n, count_span, &spans) == 0);
        buf[n] = 0;
        ds_alert_list l;
        ds_err err;
        ds_document *doc;
        DS_REQUIRE(ds_document_create(&doc, &err) == DS_OK && ds_doc_append_text(doc, buf, n, NULL) == DS_OK);
        memset(&l, 0, sizeof l);
        DS_CHECK(ds_alerts_screen_text(doc, NULL, idx, 0.88, &l) == DS_OK);
        ds_alert_list_free(&l);
        ds_document_free(doc);
    }
    size_t spans = 0;
    DS_CHECK(ds_name_spans_scan("", 0, count_span, &spans) == 0 && spans == 0);
    DS_CHECK(ds_name_spans_scan(",,, & .", 7, count_span, &spans) == 0 && spans == 0);
}

int main(void)
{
    ds_screen_index *idx = small_index();
    test_variations(idx);
    test_precision(idx);
    test_broken(idx);
    ds_screen_index_free(idx);
    return ds_test_done();
}
