/* redflags_labelled_test.c - the red-flag rules on sentences read by hand from the filings in
 * ../shared/data (tests/extract/data/redflags_labelled.tsv): precision and recall over all rules
 * at least FLOOR_PRECISION and FLOOR_RECALL, and each rule holding the levels it reached. The
 * same sentences searched for the phrases alone (no reading of the sentence) must fall below the
 * floors, so the floors measure the reading. Made-up sentences check one cue at a time, and a
 * malformed file is refused. */
#include "testlib.h"

#include "redflags_eval.h"

#include <stdio.h>
#include <string.h>

/* Over all rules: the phrases alone reach precision 0.35, the sentences read 0.97 (recall 0.99
 * and 0.92). */
#define FLOOR_PRECISION 0.90
#define FLOOR_RECALL 0.90

static int meets_floors(const ds_rfeval *r)
{
    return ds_rfeval_precision(r->tp, r->fp) >= FLOOR_PRECISION && ds_rfeval_recall(r->tp, r->fn) >= FLOOR_RECALL;
}

/* Levels reached per rule (precision, recall), held here; a rule not listed has no labelled
 * sentence and must raise no false positive. */
static const struct {
    const char *id;
    double precision, recall;
} held[] = {
    {"RF-INQUIRY", 0.96, 0.92},    {"RF-ENFORCEMENT", 1.0, 0.92}, {"RF-VIOLATION", 1.0, 0.85},
    {"RF-GOINGCONCERN", 1.0, 1.0}, {"RF-SANCTIONED", 1.0, 1.0},   {"RF-COVENANT", 0.5, 1.0},
};

static void test_levels(void)
{
    ds_rfeval r, base;
    const char *path = ds_test_source("tests/extract/data/redflags_labelled.tsv");
    DS_REQUIRE(ds_rfeval_run(path, ds_extract_redflags, 0, &r) == 0);
    ds_rfeval_print("red flags, sentences read", &r);
    DS_CHECKF(r.sentences >= 300, "%zu sentences", r.sentences);
    DS_CHECKF(r.positives >= 60 && r.sentences - r.positives >= 200, "%zu positives", r.positives);
    double p = ds_rfeval_precision(r.tp, r.fp), rc = ds_rfeval_recall(r.tp, r.fn);
    DS_CHECKF(meets_floors(&r), "precision %.3f recall %.3f, below the floors %.2f / %.2f", p, rc, FLOOR_PRECISION,
              FLOOR_RECALL);
    for (size_t i = 0; i < r.n_rules; i++) {
        const ds_rfeval_rule *u = &r.rules[i];
        int found = 0;
        for (size_t h = 0; h < sizeof held / sizeof held[0]; h++)
            if (strcmp(held[h].id, u->id) == 0) {
                found = 1;
                DS_CHECKF(ds_rfeval_precision(u->tp, u->fp) >= held[h].precision - 1e-9, "%s precision %.3f < %.3f",
                          u->id, ds_rfeval_precision(u->tp, u->fp), held[h].precision);
                DS_CHECKF(ds_rfeval_recall(u->tp, u->fn) >= held[h].recall - 1e-9, "%s recall %.3f < %.3f", u->id,
                          ds_rfeval_recall(u->tp, u->fn), held[h].recall);
            }
        if (!found)
            DS_CHECKF(u->fp == 0, "%s raised %zu times on sentences that are no red flag", u->id, u->fp);
    }
    if (ds_test_failures) /* show the errors */
        DS_REQUIRE(ds_rfeval_run(path, ds_extract_redflags, 1, &r) == 0);

    /* the phrases alone, without reading the sentence, are far less precise: the floors fail
     * them (a floor that the baseline passes would not measure the reading) */
    DS_REQUIRE(ds_rfeval_run(path, ds_extract_redflags_phrases, 0, &base) == 0);
    ds_rfeval_print("red flags, phrases only", &base);
    DS_CHECKF(!meets_floors(&base), "the phrases-only baseline passes the floors: precision %.3f recall %.3f",
              ds_rfeval_precision(base.tp, base.fp), ds_rfeval_recall(base.tp, base.fn));
    DS_CHECK(ds_rfeval_precision(base.tp, base.fp) < 0.5);
    DS_CHECK(base.tp >= r.tp);
}

/* The reading on sentences made up for the purpose, one cue at a time. */
static void test_cases(void)
{
    static const char *const cases[] = {
        /* an event cue before the match, a general cue before it */
        "RF-INQUIRY\tcase\tIn December 2019, the Company received a grand jury subpoena.",
        "-\tcase\tWe may be subject to subpoenas from time to time.",
        "-\tcase\tWe are subject to laws prohibiting bribery.",
        /* "no" negates only the words right after it */
        "-\tcase\tNo Default or Event of Default has occurred and is continuing.",
        "RF-SHELL\tcase\tThe Company is a shell company with no operations.",
        "RF-SHELL\tcase\tNo customer accounted for more than 10% of revenues while the Company was a shell company.",
        /* an act is an event by its wording, unless a general cue stands right before it */
        "RF-VIOLATION\tcase\tThe Company voluntarily disclosed the matter to the agency.",
        "-\tcase\tThe Company may have voluntarily disclosed the matter.",
        /* a breach stated as non-compliance; compliance stated is not one */
        "RF-COVENANT\tcase\tAs of June 30, 2024 we did not comply with the minimum fixed charge coverage ratio "
        "covenant.",
        "RF-COVENANT\tcase\tThe Company was not in compliance with a financial covenant as of December 31, 2024.",
        "-\tcase\tWe were in compliance with all covenants under our credit agreement as of December 31, 2024.",
        "-\tcase\tFailure to comply with these covenants could result in an event of default.",
    };
    char path[512];
    snprintf(path, sizeof path, "%s/cases.tsv", ds_test_tmpdir());
    FILE *f = fopen(path, "w");
    DS_REQUIRE(f);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        fprintf(f, "%s\n", cases[i]);
    fclose(f);
    ds_rfeval r;
    DS_REQUIRE(ds_rfeval_run(path, ds_extract_redflags, 1, &r) == 0);
    DS_CHECKF(r.sentences == sizeof cases / sizeof cases[0] && r.fp == 0 && r.fn == 0, "%zu sentences, %zu fp, %zu fn",
              r.sentences, r.fp, r.fn);
}

static void test_malformed(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/bad.tsv", ds_test_tmpdir());
    FILE *f = fopen(path, "w");
    DS_REQUIRE(f);
    fputs("# comment\nRF-INQUIRY\tsome/doc.pdf\tWe received a subpoena in 2020.\nRF-INQUIRY only two\n", f);
    fclose(f);
    ds_rfeval r;
    DS_CHECK(ds_rfeval_run(path, ds_extract_redflags, 0, &r) == -1);
    f = fopen(path, "w");
    DS_REQUIRE(f);
    fputs("RF-NO-SUCH-RULE\tsome/doc.pdf\tWe received a subpoena in 2020.\n", f);
    fclose(f);
    DS_CHECK(ds_rfeval_run(path, ds_extract_redflags, 0, &r) == -1);
    snprintf(path, sizeof path, "%s/absent.tsv", ds_test_tmpdir());
    DS_CHECK(ds_rfeval_run(path, ds_extract_redflags, 0, &r) == -1);
}

int main(void)
{
    test_levels();
    test_cases();
    test_malformed();
    return ds_test_done();
}
