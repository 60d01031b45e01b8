/* name_corpus_test.c - t_extract_name_corpus: generates the sanctions name corpus with
 * ds_gen_name_corpus (path in argv[1]) from the real SDN list, screens every document through
 * ingest -> chunks -> alerts, and fails when recall (overall, per variation) falls below, or the
 * false-alert share of ordinary names rises above, the levels committed in
 * tests/extract/data/name_corpus_levels.tsv. Also checks the corpus itself: every variation is
 * present, ordinary names are at least twice the listed ones, the same seed gives the same
 * truth, and a damaged truth file is refused. Skips when ../shared/data is absent. */
#include "testlib.h"

#include "tests/extract/name_corpus.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PER_VARIATION 150

typedef struct levels {
    double min_recall[NC_N_VARIATIONS + 1]; /* [NC_ORDINARY]: overall */
    double max_false;                       /* false alerts / ordinary names */
} levels;

static void read_levels(levels *l)
{
    FILE *f = fopen(ds_test_source("tests/extract/data/name_corpus_levels.tsv"), "r");
    DS_REQUIRE(f);
    for (int i = 0; i <= NC_N_VARIATIONS; i++)
        l->min_recall[i] = -1;
    l->max_false = -1;
    char line[256], key[64];
    double v;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || sscanf(line, "%63s %lf", key, &v) != 2)
            continue;
        int var = nc_variation_of(key);
        if (strcmp(key, "overall") == 0)
            l->min_recall[NC_ORDINARY] = v;
        else if (strcmp(key, "false_alert_share") == 0)
            l->max_false = v;
        else if (var >= 0 && var < NC_ORDINARY)
            l->min_recall[var] = v;
        else
            DS_CHECKF(0, "name_corpus_levels.tsv: unknown key %s", key);
    }
    fclose(f);
    for (int i = 0; i <= NC_ORDINARY; i++)
        DS_CHECKF(l->min_recall[i] >= 0, "name_corpus_levels.tsv: no level for %s",
                  i == NC_ORDINARY ? "overall" : nc_variation_name((nc_variation)i));
    DS_CHECK(l->max_false >= 0);
}

static void generate(const char *gen, const char *sdn_dir, const char *out, int seed)
{
    char msg[2048];
    int rc = ds_test_sh(msg, sizeof msg, "'%s' '%s' '%s' --per-variation %d --seed %d", gen, sdn_dir, out,
                        PER_VARIATION, seed);
    if (rc != 0)
        fprintf(stderr, "%s\n", msg);
    DS_REQUIRE(rc == 0);
}

int main(int argc, char **argv)
{
    DS_REQUIRE(argc >= 2);
    const char *sdn = ds_test_shared("data/ofac_sdn_csv/sdn.csv");
    if (!sdn)
        ds_test_skip("../shared/data/ofac_sdn_csv absent");
    char sdn_dir[4096], dir[4096], again[4096], out[256];
    snprintf(sdn_dir, sizeof sdn_dir, "%s", sdn);
    *strrchr(sdn_dir, '/') = 0;
    snprintf(dir, sizeof dir, "%s/corpus", ds_test_tmpdir());
    snprintf(again, sizeof again, "%s/again", ds_test_tmpdir());
    generate(argv[1], sdn_dir, dir, 13);
    generate(argv[1], sdn_dir, again, 13);
    DS_CHECKF(ds_test_sh(out, sizeof out, "cmp '%s/truth.tsv' '%s/truth.tsv'", dir, again) == 0,
              "same seed, different truth: %s", out);

    levels lv;
    read_levels(&lv);
    ds_err err;
    ds_screen_index *idx = NULL;
    DS_REQUIRE(nc_sdn_index(sdn_dir, &idx, &err) == DS_OK);
    nc_tally t;
    ds_status st = nc_evaluate(dir, idx, 0.88, 1, &t, &err);
    if (st)
        fprintf(stderr, "%s\n", err.msg);
    DS_REQUIRE(st == DS_OK);
    nc_print(&t);
    size_t listed = 0, found = 0;
    for (int v = 0; v < NC_ORDINARY; v++) {
        DS_CHECKF(t.listed[v] >= PER_VARIATION / 2, "variation %s: only %zu mentions",
                  nc_variation_name((nc_variation)v), t.listed[v]);
        double r = nc_recall(t.found[v], t.listed[v]);
        DS_CHECKF(r >= lv.min_recall[v], "variation %s: recall %.4f below the level %.4f",
                  nc_variation_name((nc_variation)v), r, lv.min_recall[v]);
        listed += t.listed[v];
        found += t.found[v];
    }
    DS_CHECKF(t.ordinary >= 2 * listed, "%zu ordinary names for %zu listed", t.ordinary, listed);
    double overall = nc_recall(found, listed), share = (double)t.false_alerts / (double)t.ordinary;
    DS_CHECKF(overall >= lv.min_recall[NC_ORDINARY], "overall recall %.4f below the level %.4f", overall,
              lv.min_recall[NC_ORDINARY]);
    DS_CHECKF(share <= lv.max_false, "false alerts %.4f of ordinary names, above the level %.4f", share, lv.max_false);
    for (int f = 0; f < NC_N_FMTS; f++)
        DS_CHECK(t.fmt_listed[f] > 0);

    /* a damaged truth file is refused with a message, not misread */
    DS_REQUIRE(ds_test_sh(NULL, 0, "printf 'file\\tvariation\\n%s\\tbogus\\n' x > '%s/truth.tsv'", "x", again) == 0);
    nc_tally bad;
    DS_CHECK(nc_evaluate(again, idx, 0.88, 0, &bad, &err) == DS_ERR_PARSE);
    ds_screen_index_free(idx);
    return ds_test_done();
}
