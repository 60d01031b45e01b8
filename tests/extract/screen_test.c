/* screen_test.c - sanctions screening (screening/screen.h): Jaro-Winkler against published values,
 * what the combined score does with each kind of variation, the index giving the same hits as
 * scoring every name (on the real OFAC SDN list when ../shared is present), and matching from
 * several threads at once. */
#include "testlib.h"

#include "extract/screening/sanctions.h"
#include "extract/screening/screen.h"
#include "pipeline/core/alloc.h"
#include "pipeline/core/buf.h"

#include <math.h>
#include <pthread.h>

static double jw(const char *a, const char *b)
{
    return ds_screen_jaro_winkler(a, strlen(a), b, strlen(b));
}

static double score(const char *a, int ap, const char *b, int bp)
{
    return ds_screen_score(a, ap, b, bp, NULL, NULL);
}

static void test_jaro_winkler(void)
{
    /* Winkler's examples. */
    DS_CHECKF(fabs(jw("MARTHA", "MARHTA") - 0.9611) < 0.0001, "%f", jw("MARTHA", "MARHTA"));
    DS_CHECKF(fabs(jw("DWAYNE", "DUANE") - 0.8400) < 0.0001, "%f", jw("DWAYNE", "DUANE"));
    DS_CHECKF(fabs(jw("DIXON", "DICKSONX") - 0.8133) < 0.0001, "%f", jw("DIXON", "DICKSONX"));
    DS_CHECK(jw("", "") == 1.0 && jw("a", "") == 0.0 && jw("abc", "abc") == 1.0 && jw("abc", "xyz") == 0.0);
    DS_CHECK(fabs(jw("CRATE", "TRACE") - jw("TRACE", "CRATE")) < 1e-12);
}

static void test_scores(void)
{
    const double t = 0.88;
    /* Case, punctuation, legal forms, token order. */
    DS_CHECK(score("Anglo Caribbean Company Limited", 0, "ANGLO-CARIBBEAN CO., LTD.", 0) == 1.0);
    DS_CHECK(score("Rosneft Oil Co", -1, "OPEN JOINT-STOCK COMPANY ROSNEFT OIL COMPANY", 0) == 1.0);
    DS_CHECK(score("Elvis Angus Logan Morey", 1, "LOGAN MOREY, Elvis Angus", 1) == 1.0);
    DS_CHECK(score("Morey Logan Angus Elvis", -1, "LOGAN MOREY, Elvis Angus", 1) == 1.0);
    /* Transliteration and spelling variants. */
    DS_CHECK(score("Дмитрий Юрьевич Хорошев", 1, "KHOROSHEV, Dmitry Yuryevich", 1) >= t);
    DS_CHECK(score("Dmitriy Yurievich Khoroshev", -1, "KHOROSHEV, Dmitry Yuryevich", 1) >= t);
    DS_CHECK(score("Muhammad Hasan", 1, "MOHAMMED, Hassan", 1) >= t);
    /* One typo anywhere, including short tokens and merged tokens. */
    DS_CHECK(score("Banco Nacinal de Cuba", 0, "BANCO NACIONAL DE CUBA", 0) >= t);
    DS_CHECK(score("Mohammad Hassan Aly", -1, "ALI, Mohammad Hassan", 1) >= t);
    DS_CHECK(score("Mohammad Hassanali", -1, "ALI, Mohammad Hassan", 1) >= t);
    DS_CHECK(score("Tasca", 0, "TASCA", 0) == 1.0 && score("Taska", 0, "TASCA", 0) >= t);
    /* Dropped middle names count for persons, not for organisations. */
    DS_CHECK(score("Dmitry Khoroshev", 1, "KHOROSHEV, Dmitry Yuryevich", 1) >= t);
    DS_CHECK(score("Ibrahim Asiri", 1, "Ibrahim Hassan Tali Asiri", 1) >= t);
    DS_CHECK(score("Bank Iran", 0, "Bank Melli Iran", 0) < t);
    /* Different names stay below the threshold. */
    DS_CHECK(score("John Smith", -1, "SMITH, Jane", 1) < t);
    DS_CHECK(score("Global Trading", -1, "GLOBAL TRADING INTERNATIONAL", 0) < t);
    DS_CHECK(score("Maria Garcia", 1, "GARCIA LOPEZ, Maria Del Carmen", 1) < t);
    DS_CHECK(score("Dmitry Petrov", 1, "KHOROSHEV, Dmitry Yuryevich", 1) < t);
    DS_CHECK(score("Acme Widgets", 0, "ANGLO-CARIBBEAN CO., LTD.", 0) < 0.5);
    /* Scores are symmetric in the measures and within [0, 1]. */
    double j = -1, ts = -1;
    double s = ds_screen_score("Mohammad Hassanali", -1, "ALI, Mohammad Hassan", 1, &j, &ts);
    DS_CHECK(s >= 0 && s <= 1 && j >= 0 && j <= 1 && ts >= 0 && ts <= 1);
    DS_CHECK(ds_screen_score("", -1, "X", -1, &j, &ts) == 0.0 && j == 0.0 && ts == 0.0);
}

/* ---- the index --------------------------------------------------------------------------- */

typedef struct qset {
    char **q;
    size_t n;
} qset;

/* Cheap deterministic generator (xorshift). */
static unsigned long long rng_state = 88172645463325252ULL;
static unsigned long long rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static char *perturb(const char *s)
{
    size_t n = strlen(s);
    char *o = malloc(n + 2);
    memcpy(o, s, n + 1);
    if (n < 4)
        return o;
    size_t i = 1 + rnd() % (n - 2);
    switch (rnd() % 4) {
    case 0: o[i] = (char)('a' + rnd() % 26); break;  /* substitution */
    case 1: memmove(o + i, o + i + 1, n - i); break; /* deletion */
    case 2:
        memmove(o + i + 1, o + i, n - i + 1);
        o[i] = 'e';
        break; /* insertion */
    default: {
        char c = o[i];
        o[i] = o[i + 1];
        o[i + 1] = c;
    } /* transposition */
    }
    return o;
}

static int same_hits(const ds_screen_hit *a, size_t na, const ds_screen_hit *b, size_t nb)
{
    if (na != nb)
        return 0;
    for (size_t i = 0; i < na; i++)
        if (a[i].entry_id != b[i].entry_id || a[i].score != b[i].score || strcmp(a[i].matched_name, b[i].matched_name))
            return 0;
    return 1;
}

typedef struct thr {
    const ds_screen_index *idx;
    const qset *qs;
    ds_screen_hit (*expect)[8];
    size_t *nexpect;
    int mismatches;
} thr;

static void *thread_main(void *arg)
{
    thr *t = arg;
    ds_screen_hit hits[8];
    for (int round = 0; round < 3; round++)
        for (size_t i = 0; i < t->qs->n; i++) {
            size_t n = ds_screen_match(t->idx, t->qs->q[i], -1, 0.88, hits, 8);
            if (!same_hits(hits, n, t->expect[i], t->nexpect[i]))
                t->mismatches++;
        }
    return NULL;
}

static void test_index(void)
{
    ds_err err;
    ds_screen_index *idx;
    DS_REQUIRE(ds_screen_index_create(&idx, &err) == DS_OK);
    const char *dir = ds_test_shared("data/ofac_sdn_csv/sdn.csv");
    ds_sanctions_list *l = NULL;
    if (dir) {
        ds_buf sdn = DS_BUF_INIT, alt = DS_BUF_INIT;
        DS_REQUIRE(ds_buf_read_file(&sdn, dir, 0, &err) == DS_OK);
        DS_REQUIRE(ds_buf_read_file(&alt, ds_test_shared("data/ofac_sdn_csv/alt.csv"), 0, &err) == DS_OK);
        ds_sanctions_csv_files f = {0};
        f.sdn = sdn.data;
        f.sdn_n = sdn.len;
        f.alt = alt.data;
        f.alt_n = alt.len;
        DS_REQUIRE(ds_sanctions_parse_ofac_csv(&f, &l, &err) == DS_OK);
        ds_buf_deinit(&sdn);
        ds_buf_deinit(&alt);
    } else {
        printf("note: ../shared absent, index test on a small built-in list\n");
        static const char *const names[] = {
            "BANCO NACIONAL DE CUBA",   "KHOROSHEV, Dmitry Yuryevich", "IRAN AIRCRAFT MANUFACTURING INDUSTRIAL COMPANY",
            "LOGAN MOREY, Elvis Angus", "ROSNEFT TRADING S.A.",        "HARAKAT-UL JIHAD ISLAMI",
            "NATIONAL BANK OF CUBA"};
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            DS_CHECK(ds_screen_index_add(idx, (long long)i + 1, 1, "builtin", names[i], 0, i == 1 || i == 3) == DS_OK);
    }
    size_t added = 0;
    for (size_t i = 0; l && i < l->n_entries; i++) {
        const ds_sanctions_entry *e = &l->entries[i];
        int person = e->type == DS_SANCTIONS_TYPE_INDIVIDUAL;
        DS_CHECK(ds_screen_index_add(idx, atoll(e->ext_id), 7, "test-version", e->name, 0, person) == DS_OK);
        added++;
        for (size_t a = 0; a < e->n_aliases; a++) {
            if (e->aliases[a].quality && strcmp(e->aliases[a].quality, "weak") == 0)
                continue;
            DS_CHECK(ds_screen_index_add(idx, atoll(e->ext_id), 7, "test-version", e->aliases[a].name, 1, person) ==
                     DS_OK);
            added++;
        }
    }
    /* Nothing matches before the index is built; nothing can be added after. */
    ds_screen_hit hits[32], all[32];
    DS_CHECK(ds_screen_match(idx, "BANCO NACIONAL DE CUBA", -1, 0.5, hits, 32) == 0);
    DS_CHECK(ds_screen_index_build(idx, &err) == DS_OK);
    DS_CHECK(ds_screen_index_add(idx, 1, 1, "v", "late name", 0, 0) == DS_ERR_USAGE);
    DS_CHECK(ds_screen_index_build(idx, &err) == DS_OK); /* building twice is harmless */
    if (l)
        DS_CHECKF(ds_screen_index_names(idx) == added, "%zu names indexed of %zu", ds_screen_index_names(idx), added);

    /* Known entries. */
    size_t n = ds_screen_match(idx, "National Bank of Cuba", 0, 0.88, hits, 32);
    DS_CHECK(n >= 1 && hits[0].score == 1.0);
    if (l) {
        DS_CHECK(n >= 1 && hits[0].entry_id == 306 && hits[0].list_id == 7);
        DS_CHECK_STREQ(n ? hits[0].list_version : NULL, "test-version");
        DS_CHECK_STREQ(n ? hits[0].matched_name : NULL, "NATIONAL BANK OF CUBA");
    }
    n = ds_screen_match(idx, "Banco Nacional de Cuba S.A.", -1, 0.88, hits, 32);
    DS_CHECK(n >= 1 && hits[0].score == 1.0);
    /* A person query does not match organisations. */
    DS_CHECK(ds_screen_match(idx, "Banco Nacional de Cuba", 1, 0.88, hits, 32) == 0);
    /* Hits are sorted and each entry comes once. */
    n = ds_screen_match(idx, "Mohammad Ali", -1, 0.6, hits, 32);
    for (size_t i = 1; i < n; i++) {
        DS_CHECK(hits[i - 1].score >= hits[i].score);
        for (size_t k = 0; k < i; k++)
            DS_CHECK(hits[k].entry_id != hits[i].entry_id);
    }
    DS_CHECK(ds_screen_match(idx, "", -1, 0.5, hits, 32) == 0);
    DS_CHECK(ds_screen_match(idx, "Banco Nacional de Cuba", -1, 0.88, NULL, 0) == 0);

    /* The index against scoring every name, on perturbed list names and on other names. */
    qset qs = {calloc(300, sizeof(char *)), 0};
    static const char *const others[] = {"John Smith",  "Acme Trading Ltd", "Maria Garcia",  "Global Shipping Co",
                                         "Ivan Petrov", "Ali Hassan",       "Banco Central", "Oil Company"};
    for (size_t i = 0; i < 300; i++) {
        if (l && i % 4 != 3) {
            const ds_sanctions_entry *e = &l->entries[rnd() % l->n_entries];
            qs.q[qs.n++] = perturb(e->name);
        } else {
            qs.q[qs.n++] = perturb(others[rnd() % 8]);
        }
    }
    size_t found_all = 0, found_idx = 0, extra = 0, differ = 0;
    ds_screen_hit(*expect)[8] = calloc(qs.n, sizeof *expect);
    size_t *nexpect = calloc(qs.n, sizeof *nexpect);
    for (size_t i = 0; i < qs.n; i++) {
        size_t ni = ds_screen_match(idx, qs.q[i], -1, 0.8, hits, 32);
        size_t na = ds_screen_match_all(idx, qs.q[i], -1, 0.8, all, 32);
        found_all += na;
        for (size_t k = 0; k < ni; k++) {
            size_t j = 0;
            while (j < na && all[j].entry_id != hits[k].entry_id)
                j++;
            if (j == na)
                extra++;
            else if (all[j].score != hits[k].score)
                differ++;
            else
                found_idx++;
        }
        nexpect[i] = ds_screen_match(idx, qs.q[i], -1, 0.88, expect[i], 8);
    }
    printf("index: %zu of %zu brute-force hits (score >= 0.8) found through the index\n", found_idx, found_all);
    DS_CHECKF(extra == 0, "%zu index hits that scoring every name does not give", extra);
    DS_CHECKF(differ == 0, "%zu hits scored differently", differ);
    DS_CHECKF(found_idx * 100 >= found_all * 99, "index found %zu of %zu", found_idx, found_all);

    /* Reentrancy: four threads at once give the single-thread answers. */
    pthread_t th[4];
    thr args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (thr){idx, &qs, expect, nexpect, 0};
        DS_REQUIRE(pthread_create(&th[i], NULL, thread_main, &args[i]) == 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        DS_CHECKF(args[i].mismatches == 0, "thread %d: %d answers differ", i, args[i].mismatches);
    }
    for (size_t i = 0; i < qs.n; i++)
        free(qs.q[i]);
    free(qs.q);
    free(expect);
    free(nexpect);
    ds_sanctions_list_free(l);
    ds_screen_index_free(idx);
    ds_screen_index_free(NULL);
}

/* Allocation failures while adding, building and matching: a status or no hits, no crash. */
static void test_out_of_memory(void)
{
    static const char *const names[] = {"BANCO NACIONAL DE CUBA", "KHOROSHEV, Dmitry Yuryevich", "ROSNEFT TRADING S.A.",
                                        "HARAKAT-UL JIHAD ISLAMI"};
    int built = 0;
    for (long n = 0; n < 200; n++) {
        ds_alloc_fail_after(n);
        ds_err err;
        ds_screen_index *idx;
        ds_status st = ds_screen_index_create(&idx, &err);
        DS_CHECK(st == DS_OK ? idx != NULL : idx == NULL && err.code == DS_ERR_NOMEM);
        for (size_t i = 0; i < 4 && !st; i++)
            st = ds_screen_index_add(idx, (long long)i + 1, 1, "v", names[i], 0, i == 1);
        if (!st)
            st = ds_screen_index_build(idx, &err);
        ds_screen_hit hits[4];
        size_t h = st ? 0 : ds_screen_match(idx, "Dmitry Khoroshev", 1, 0.88, hits, 4);
        ds_alloc_fail_after(-1);
        DS_CHECKF(st == DS_OK || st == DS_ERR_NOMEM, "allocation %ld failing: %s", n, ds_status_str(st));
        DS_CHECK(h <= 1);
        if (!st) {
            built++;
            DS_CHECK(ds_screen_match(idx, "Dmitry Khoroshev", 1, 0.88, hits, 4) == 1 && hits[0].entry_id == 2);
        }
        ds_screen_index_free(idx);
    }
    DS_CHECK(built > 0);
}

int main(void)
{
    test_out_of_memory();
    test_jaro_winkler();
    test_scores();
    test_index();
    return ds_test_done();
}
