/* forward_test.c - the fast forward pass against the reference (double, no cache) on every
 * fixture variant, and the invariances the engine promises: segmented = unsegmented prefill,
 * prefill in pieces + decoding = one prefill, batched = alone, 1 thread = 2 threads (bit for
 * bit), every instruction set = the reference, KV page sizes, truncation, sharded = single file;
 * and greedy's argmax against the plain loop.
 * Fresh random tokens per run (seed printed; DS_TEST_SEED replays).
 *
 * Stated bounds (normalised error over all logits, ||fast - ref|| / ||ref||):
 *   fast vs reference: 1e-4 (fp32 activations, fp32 accumulation, bf16 weights exact);
 *   re-associations of fp32 work (segmentation, batching, page size): 1e-5.
 * Inputs whose router has two experts within 1e-6 of the top-k boundary are redrawn: such a
 * near tie may legitimately select different experts in fp32 and in double.
 */
#include "model/model_internal.h"
#include "pipeline/core/clock.h"
#include "tests/model/tiny_moe.h"
#include "tests/testlib.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define REF_BOUND 1e-4
#define ASSOC_BOUND 1e-5

static uint64_t rng_state;
static uint64_t rnd(void)
{
    return ds_splitmix64(&rng_state);
}

static double nerr_fd(const float *y, const double *ref, size_t n)
{
    double num = 0, den = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(y[i]))
            return INFINITY;
        num += (y[i] - ref[i]) * (y[i] - ref[i]);
        den += ref[i] * ref[i];
    }
    return sqrt(num / (den > 0 ? den : 1));
}

static double nerr_ff(const float *y, const float *ref, size_t n)
{
    double num = 0, den = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(y[i]))
            return INFINITY;
        num += ((double)y[i] - ref[i]) * ((double)y[i] - ref[i]);
        den += (double)ref[i] * ref[i];
    }
    return sqrt(num / (den > 0 ? den : 1));
}

static ds_model *load(const char *dir, int threads, int segment, int page, int isa)
{
    ds_model_opts o;
    ds_model_opts_default(&o);
    o.n_threads = threads;
    o.segment_tokens = segment;
    o.kv_block_tokens = page;
    o.isa = isa;
    ds_model *m = NULL;
    ds_err err;
    if (ds_model_load(&m, dir, &o, &err) != DS_OK) {
        fprintf(stderr, "load %s: %s\n", dir, err.msg);
        DS_REQUIRE(0);
    }
    return m;
}

/* All logits of tokens through a fresh sequence, in pieces of the given sizes (0-terminated;
 * NULL: one call). */
static float *run(ds_model *m, const int32_t *tok, int n, const int *pieces)
{
    const int V = ds_model_config_of(m)->vocab_size;
    float *lg = malloc((size_t)n * V * sizeof(float));
    ds_model_seq *s;
    ds_err err;
    DS_REQUIRE(ds_model_seq_create(m, &s, &err) == DS_OK);
    int done = 0;
    for (int i = 0; done < n; i++) {
        int len = pieces && pieces[i] ? pieces[i] : n - done;
        if (len > n - done)
            len = n - done;
        ds_status st = ds_model_forward(m, s, tok + done, len, DS_MODEL_LOGITS_ALL, lg + (size_t)done * V, &err);
        if (st != DS_OK)
            fprintf(stderr, "forward: %s\n", err.msg);
        DS_REQUIRE(st == DS_OK);
        done += len;
    }
    DS_CHECK(ds_model_seq_len(s) == n);
    ds_model_seq_free(s);
    return lg;
}

/* Random tokens whose routing has no near tie (see the file comment), with their reference
 * logits; NULL when 20 draws on this model all had one. */
static double *draw(ds_model *m, int32_t *tok, int n)
{
    const int V = ds_model_config_of(m)->vocab_size;
    double *ref = malloc((size_t)n * V * sizeof(double));
    for (int attempt = 0; attempt < 20; attempt++) {
        for (int i = 0; i < n; i++)
            tok[i] = (int32_t)(rnd() % (uint64_t)V);
        ds_ref_info info;
        ds_err err;
        DS_REQUIRE(ds_model_reference_logits(m, tok, n, 1, ref, &info, &err) == DS_OK);
        if (info.min_router_margin > 1e-6)
            return ref;
    }
    free(ref);
    return NULL;
}

/* Spec s written to dir under a random seed (seed_base + 0..999) and loaded on 2 threads, with
 * tie-free tokens tok[n] and their reference in *ref. Some weights route many tokens within
 * 1e-6 of the top-k boundary (150 tokens had one in each of 20 draws for one seed): such a model
 * is replaced by one of another seed, up to 10 times. */
static ds_model *model_drawn(tiny_spec *s, const char *dir, uint64_t seed_base, int32_t *tok, int n, double **ref)
{
    for (int attempt = 0; attempt < 10; attempt++) {
        s->seed = seed_base + rnd() % 1000;
        DS_REQUIRE(tiny_write(dir, s) == 0);
        ds_model *m = load(dir, 2, 256, 64, 0);
        if ((*ref = draw(m, tok, n)))
            return m;
        ds_model_free(m);
    }
    DS_REQUIRE(!"no tie-free input on 10 models of 20 draws each");
    return NULL;
}

static void test_variant(const char *variant)
{
    tiny_spec s;
    DS_REQUIRE(tiny_spec_variant(&s, variant) == 0);
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/%s", ds_test_tmpdir(), variant);
    const int V = s.vocab, n = 40;
    int32_t tok[40];
    double *ref;
    ds_model *m = model_drawn(&s, dir, 1, tok, n, &ref);
    float *lg = run(m, tok, n, NULL);
    double e = nerr_fd(lg, ref, (size_t)n * V);
    printf("%-8s fast vs reference: %.3g\n", variant, e);
    DS_CHECKF(e < REF_BOUND, "%s: fast vs reference %.3g (seed %llu)", variant, e, (unsigned long long)s.seed);
    /* decoding after a prefill, token by token, gives the same logits */
    int pieces[64] = {17};
    for (int i = 1; i < 64; i++)
        pieces[i] = 1;
    float *lg2 = run(m, tok, n, pieces);
    e = nerr_ff(lg2, lg, (size_t)n * V);
    DS_CHECKF(e < ASSOC_BOUND, "%s: prefill+decode vs one prefill %.3g", variant, e);
    free(lg2);
    free(lg);
    free(ref);
    ds_model_free(m);
}

static void test_invariances(void)
{
    tiny_spec s;
    tiny_spec_variant(&s, "temp");
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/inv", ds_test_tmpdir());
    const int V = s.vocab, n = 150;
    int32_t tok[150];
    double *ref;
    ds_model *m2 = model_drawn(&s, dir, 7, tok, n, &ref);
    float *base = run(m2, tok, n, NULL);
    DS_CHECKF(nerr_fd(base, ref, (size_t)n * V) < REF_BOUND, "150 tokens vs reference %.3g",
              nerr_fd(base, ref, (size_t)n * V));

    /* 1 thread gives the same bits as 2 */
    ds_model *m1 = load(dir, 1, 256, 64, 0);
    float *one = run(m1, tok, n, NULL);
    DS_CHECK(memcmp(one, base, (size_t)n * V * sizeof(float)) == 0);
    free(one);
    ds_model_free(m1);

    /* weights copied to anonymous 2 MiB pages: the same bits */
    {
        ds_model_opts o;
        ds_model_opts_default(&o);
        o.n_threads = 2;
        o.copy_weights = 1;
        ds_model *mc = NULL;
        ds_err err;
        DS_REQUIRE(ds_model_load(&mc, dir, &o, &err) == DS_OK);
        float *cp = run(mc, tok, n, NULL);
        DS_CHECK(memcmp(cp, base, (size_t)n * V * sizeof(float)) == 0);
        free(cp);
        ds_model_free(mc);
    }

    /* segmented prefill (segments of 16 and of 13 tokens) equals the unsegmented one */
    int segs[] = {16, 13};
    for (int i = 0; i < 2; i++) {
        ds_model *ms = load(dir, 2, segs[i], 64, 0);
        float *lg = run(ms, tok, n, NULL);
        double e = nerr_ff(lg, base, (size_t)n * V);
        printf("segments of %d vs one: %.3g\n", segs[i], e);
        DS_CHECKF(e < ASSOC_BOUND, "segment %d: %.3g", segs[i], e);
        free(lg);
        ds_model_free(ms);
    }
    /* KV pages of 16 tokens */
    {
        ds_model *mp = load(dir, 2, 256, 16, 0);
        float *lg = run(mp, tok, n, NULL);
        DS_CHECKF(nerr_ff(lg, base, (size_t)n * V) < ASSOC_BOUND, "page 16: %.3g", nerr_ff(lg, base, (size_t)n * V));
        free(lg);
        ds_model_free(mp);
    }
    /* every instruction set this CPU has */
    for (int isa = DS_K_ISA_SCALAR; isa <= (int)ds_k_isa_best(); isa++) {
        ds_model *mi = load(dir, 2, 64, 64, isa);
        float *lg = run(mi, tok, n, NULL);
        double e = nerr_fd(lg, ref, (size_t)n * V);
        printf("isa %s vs reference: %.3g\n", ds_k_isa_name((ds_k_isa)isa), e);
        DS_CHECKF(e < REF_BOUND, "isa %s: %.3g", ds_k_isa_name((ds_k_isa)isa), e);
        free(lg);
        ds_model_free(mi);
    }

    /* batched: three sequences in one call (one of them continuing) equal each alone */
    {
        ds_model_seq *a, *b, *c;
        ds_err err;
        DS_REQUIRE(ds_model_seq_create(m2, &a, &err) == DS_OK);
        DS_REQUIRE(ds_model_seq_create(m2, &b, &err) == DS_OK);
        DS_REQUIRE(ds_model_seq_create(m2, &c, &err) == DS_OK);
        float *la = malloc((size_t)n * V * 4), *lb = malloc((size_t)n * V * 4), *lc = malloc((size_t)V * 4);
        /* b already holds 30 tokens */
        DS_REQUIRE(ds_model_forward(m2, b, tok, 30, DS_MODEL_LOGITS_ALL, lb, &err) == DS_OK);
        int32_t tok2[150];
        for (int i = 0; i < n; i++)
            tok2[i] = tok[(i * 7) % n];
        ds_model_batch_item items[3] = {{a, tok, n, DS_MODEL_LOGITS_ALL, la},
                                        {b, tok + 30, n - 30, DS_MODEL_LOGITS_ALL, lb + 30 * V},
                                        {c, tok2, 77, DS_MODEL_LOGITS_LAST, lc}};
        DS_REQUIRE(ds_model_forward_batch(m2, items, 3, &err) == DS_OK);
        DS_CHECK(ds_model_seq_len(a) == n && ds_model_seq_len(b) == n && ds_model_seq_len(c) == 77);
        DS_CHECKF(nerr_ff(la, base, (size_t)n * V) < ASSOC_BOUND, "batched a: %.3g", nerr_ff(la, base, (size_t)n * V));
        DS_CHECKF(nerr_ff(lb, base, (size_t)n * V) < ASSOC_BOUND, "batched b: %.3g", nerr_ff(lb, base, (size_t)n * V));
        float *alone = run(m2, tok2, 77, NULL);
        DS_CHECKF(nerr_ff(lc, alone + 76 * V, V) < ASSOC_BOUND, "batched c: %.3g", nerr_ff(lc, alone + 76 * V, V));
        free(alone);

        /* truncation: forget the last 50 positions of a, run them again: same logits */
        ds_model_seq_truncate(a, n - 50);
        DS_CHECK(ds_model_seq_len(a) == n - 50);
        DS_REQUIRE(ds_model_forward(m2, a, tok + n - 50, 50, DS_MODEL_LOGITS_ALL, la, &err) == DS_OK);
        DS_CHECKF(nerr_ff(la, base + (size_t)(n - 50) * V, (size_t)50 * V) < ASSOC_BOUND, "after truncation: %.3g",
                  nerr_ff(la, base + (size_t)(n - 50) * V, (size_t)50 * V));

        /* errors: a token outside the vocabulary, the same sequence twice, no tokens */
        int32_t badtok = V;
        DS_CHECK(ds_model_forward(m2, a, &badtok, 1, DS_MODEL_LOGITS_NONE, NULL, &err) == DS_ERR_USAGE &&
                 strstr(err.msg, "outside the vocabulary"));
        ds_model_batch_item twice[2] = {{a, tok, 1, DS_MODEL_LOGITS_NONE, NULL},
                                        {a, tok, 1, DS_MODEL_LOGITS_NONE, NULL}};
        DS_CHECK(ds_model_forward_batch(m2, twice, 2, &err) == DS_ERR_USAGE);
        DS_CHECK(ds_model_forward(m2, a, tok, 0, DS_MODEL_LOGITS_LAST, la, &err) == DS_ERR_USAGE);
        DS_CHECK(ds_model_seq_len(a) == n);
        free(la);
        free(lb);
        free(lc);
        ds_model_seq_free(a);
        ds_model_seq_free(b);
        ds_model_seq_free(c);
    }

    /* greedy generation: the first token is the argmax of the reference's last row */
    {
        ds_model_seq *g;
        ds_err err;
        DS_REQUIRE(ds_model_seq_create(m2, &g, &err) == DS_OK);
        int32_t out[8];
        int nout = 0;
        DS_REQUIRE(ds_model_generate_greedy(m2, g, tok, 20, 8, out, &nout, NULL, NULL, &err) == DS_OK);
        DS_CHECK(nout >= 1 && nout <= 8);
        double *r20 = malloc((size_t)V * sizeof(double));
        DS_REQUIRE(ds_model_reference_logits(m2, tok, 20, 0, r20, NULL, &err) == DS_OK);
        int best = 0;
        for (int i = 1; i < V; i++)
            if (r20[i] > r20[best])
                best = i;
        DS_CHECKF(out[0] == best, "greedy first token %d, reference argmax %d", out[0], best);
        free(r20);
        ds_model_seq_free(g);
    }
    free(base);
    free(ref);
    ds_model_free(m2);

    /* the sharded checkpoint holds the same model as the single file, bit for bit */
    tiny_spec_variant(&s, "sharded");
    char d1[4200], d3[4200];
    snprintf(d1, sizeof d1, "%s/one", ds_test_tmpdir());
    snprintf(d3, sizeof d3, "%s/three", ds_test_tmpdir());
    DS_REQUIRE(tiny_write(d3, &s) == 0);
    s.shards = 0;
    DS_REQUIRE(tiny_write(d1, &s) == 0);
    ds_model *ma = load(d1, 2, 256, 64, 0), *mb = load(d3, 2, 256, 64, 0);
    float *la = run(ma, tok, 30, NULL), *lb = run(mb, tok, 30, NULL);
    DS_CHECK(memcmp(la, lb, (size_t)30 * V * 4) == 0);
    free(la);
    free(lb);
    ds_model_free(ma);
    ds_model_free(mb);
}

/* A longer context through many segments and pages: still the reference's logits, and the KV
 * cache holds exactly the pages the positions need (memory linear in the context). */
static void test_long(void)
{
    tiny_spec s;
    tiny_spec_variant(&s, "long");
    s.yarn = 1; /* positions far past original_max_position_embeddings */
    s.seed = 11 + rnd() % 1000;
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/long", ds_test_tmpdir());
    DS_REQUIRE(tiny_write(dir, &s) == 0);
    ds_model *m = load(dir, 2, 256, 64, 0);
    const int n = 2500, V = s.vocab;
    int32_t *tok = malloc(sizeof(int32_t) * n);
    double *ref = malloc(sizeof(double) * V);
    ds_err err;
    ds_ref_info info;
    for (int attempt = 0; attempt < 4; attempt++) { /* redraw on a near tie, see the top */
        for (int i = 0; i < n; i++)
            tok[i] = (int32_t)(rnd() % (uint64_t)V);
        DS_REQUIRE(ds_model_reference_logits(m, tok, n, 0, ref, &info, &err) == DS_OK);
        if (info.min_router_margin > 1e-6)
            break;
    }
    ds_model_seq *seq;
    DS_REQUIRE(ds_model_seq_create(m, &seq, &err) == DS_OK);
    float *lg = malloc(sizeof(float) * V);
    DS_REQUIRE(ds_model_forward(m, seq, tok, n, DS_MODEL_LOGITS_LAST, lg, &err) == DS_OK);
    double e = nerr_fd(lg, ref, V);
    printf("2500 tokens (10 segments, 40 pages) vs reference: %.3g (router margin %.2g)\n", e, info.min_router_margin);
    if (info.min_router_margin > 1e-6)
        DS_CHECKF(e < REF_BOUND, "long context: %.3g", e);
    ds_model_kv_report kv;
    ds_model_kv_stats(m, &kv);
    DS_CHECKF(kv.pages_in_use == (n + 63) / 64, "%ld pages for %d positions", kv.pages_in_use, n);
    ds_model_seq_free(seq);
    ds_model_kv_stats(m, &kv);
    DS_CHECK(kv.pages_in_use == 0);
    free(tok);
    free(ref);
    free(lg);
    ds_model_free(m);
}

/* ds_model_argmax (two vectorised passes) against the plain loop it replaces, on random logits
 * of random lengths with few distinct values (ties), NaNs, infinities and signed zeros. */
static void test_argmax(void)
{
    static const float special[] = {NAN, INFINITY, -INFINITY, 0.0f, -0.0f, 1.0f, -1.0f};
    float *l = malloc(sizeof(float) * 4096);
    for (int round = 0; round < 2000; round++) {
        const int n = 1 + (int)(rnd() % 4096), distinct = 1 + (int)(rnd() % 64);
        for (int i = 0; i < n; i++)
            l[i] = rnd() % 50 == 0 ? special[rnd() % 7] : (float)(int)(rnd() % (uint64_t)distinct) - 20.0f;
        int want = 0;
        for (int i = 1; i < n; i++)
            if (l[i] > l[want])
                want = i;
        const int got = ds_model_argmax(l, n);
        DS_CHECKF(got == want, "argmax of %d logits: %d, the plain loop %d", n, got, want);
        if (got != want)
            break;
    }
    free(l);
}

int main(void)
{
    const char *sd = getenv("DS_TEST_SEED");
    rng_state = sd ? strtoull(sd, NULL, 0) : (uint64_t)time(NULL);
    printf("seed %llu (DS_TEST_SEED to replay)\n", (unsigned long long)rng_state);
    static const char *variants[] = {"moe", "temp", "mixed", "dense", "tied", "yarn", "f16", "f32"};
    for (size_t i = 0; i < sizeof variants / sizeof *variants; i++)
        test_variant(variants[i]);
    test_invariances();
    test_long();
    test_argmax();
    return ds_test_done();
}
