/* kvtier_test.c - the KV cache tiers: pages keep their bytes through every move (random
 * pin/unpin/ref traffic over a cache with tiny L1/L2 capacities and an L3 folder, checked
 * against a shadow copy), and the forward pass with tiers on (capacities small enough to push
 * pages to disk between steps) gives bit-identical logits to tiers off, while L2 and L3 serve
 * pins.
 */
#include "model/kvcache.h"
#include "model/model.h"
#include "tests/model/tiny_moe.h"
#include "tests/testlib.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint64_t rs = 12345;
static uint64_t rnd(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return rs;
}

static void test_pages(void)
{
    ds_kv_cache_opts o = {.layers = 2,
                          .kv_heads = 1,
                          .head_dim = 8,
                          .page_tokens = 16,
                          .tier_tokens = {48, 32, 0},
                          .disk_dir = ds_test_tmpdir()};
    ds_kv_cache *c;
    ds_err err;
    DS_REQUIRE(ds_kv_cache_create(&c, &o, &err) == DS_OK);
    const size_t pf = ds_kv_page_floats(c);
    enum { N = 40 };
    ds_kv_page_id ids[N];
    float *shadow = malloc(N * pf * sizeof(float));
    DS_REQUIRE(shadow);
    for (int i = 0; i < N; i++) {
        DS_REQUIRE(ds_kv_page_alloc(c, &ids[i], &err) == DS_OK);
        float *p;
        DS_REQUIRE(ds_kv_pin(c, ids[i], &p, &err) == DS_OK);
        for (size_t k = 0; k < pf; k++)
            p[k] = shadow[i * pf + k] = (float)(rnd() % 100000) / 7.0f;
        ds_kv_unpin(c, ids[i]);
    }
    int bad = 0;
    for (int r = 0; r < 2000; r++) {
        int i = (int)(rnd() % N), j = (int)(rnd() % N);
        float *p, *q;
        DS_REQUIRE(ds_kv_pin(c, ids[i], &p, &err) == DS_OK);
        DS_REQUIRE(ds_kv_pin(c, ids[j], &q, &err) == DS_OK);
        bad += memcmp(p, shadow + i * pf, pf * sizeof(float)) != 0;
        bad += memcmp(q, shadow + j * pf, pf * sizeof(float)) != 0;
        if (r % 7 == 0) { /* write through a pin */
            p[r % pf] += 1.0f;
            shadow[i * pf + r % pf] += 1.0f;
        }
        ds_kv_unpin(c, ids[j]);
        ds_kv_unpin(c, ids[i]);
    }
    DS_CHECKF(bad == 0, "%d page reads differed from what was written", bad);
    ds_kv_stats st;
    ds_kv_cache_stats(c, &st);
    DS_CHECK(st.hits[DS_KV_TIER_L2] > 0 && st.hits[DS_KV_TIER_L3] > 0 && st.hits[DS_KV_TIER_L1] > 0);
    DS_CHECK(st.tier_pages[0] <= 3 && st.tier_pages[1] <= 2 && st.tier_pages[2] == N - 5);
    printf("pages: pins %llu, hits L1 %llu L2 %llu L3 %llu, moves %llu down %llu up\n", (unsigned long long)st.pins,
           (unsigned long long)st.hits[0], (unsigned long long)st.hits[1], (unsigned long long)st.hits[2],
           (unsigned long long)st.moves_down, (unsigned long long)st.moves_up);
    for (int i = 0; i < N; i++)
        ds_kv_page_unref(c, ids[i]);
    ds_kv_cache_stats(c, &st);
    DS_CHECK(st.pages_in_use == 0 && st.tier_pages[0] == 0 && st.tier_pages[1] == 0 && st.tier_pages[2] == 0);
    ds_kv_cache_free(c);
    free(shadow);
}

static float *run(const char *dir, int tiers, int n_prompt, const int32_t *tok, int n_gen, ds_model_kv_report *kv)
{
    ds_model_opts o;
    ds_model_opts_default(&o);
    o.n_threads = 1;
    o.segment_tokens = 32;
    o.kv_block_tokens = 16;
    char disk[4200];
    snprintf(disk, sizeof disk, "%s", ds_test_tmpdir());
    if (tiers) {
        o.kv_tier_tokens[0] = 32;
        o.kv_tier_tokens[1] = 48;
        o.kv_disk_dir = disk;
    }
    ds_model *m;
    ds_err err;
    DS_REQUIRE(ds_model_load(&m, dir, &o, &err) == DS_OK);
    const int V = ds_model_config_of(m)->vocab_size;
    float *lg = malloc(sizeof(float) * (size_t)V * (n_prompt + n_gen));
    DS_REQUIRE(lg);
    ds_model_seq *s, *s2;
    DS_REQUIRE(ds_model_seq_create(m, &s, &err) == DS_OK);
    DS_REQUIRE(ds_model_seq_create(m, &s2, &err) == DS_OK);
    /* a second sequence interleaved so pages of both compete for the tiers */
    DS_REQUIRE(ds_model_forward(m, s2, tok + 7, 100, DS_MODEL_LOGITS_NONE, NULL, &err) == DS_OK);
    DS_REQUIRE(ds_model_forward(m, s, tok, n_prompt, DS_MODEL_LOGITS_ALL, lg, &err) == DS_OK);
    for (int i = 0; i < n_gen; i++) {
        int32_t next = ds_model_argmax(lg + (size_t)(n_prompt + i - 1) * V, V);
        DS_REQUIRE(ds_model_forward(m, s, &next, 1, DS_MODEL_LOGITS_LAST, lg + (size_t)(n_prompt + i) * V, &err) ==
                   DS_OK);
        DS_REQUIRE(ds_model_forward(m, s2, &next, 1, DS_MODEL_LOGITS_NONE, NULL, &err) == DS_OK);
    }
    ds_model_kv_stats(m, kv);
    ds_model_seq_free(s);
    ds_model_seq_free(s2);
    ds_model_free(m);
    return lg;
}

static void test_forward(void)
{
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/m", ds_test_tmpdir());
    tiny_spec spec;
    tiny_spec_default(&spec);
    DS_REQUIRE(tiny_write(dir, &spec) == 0);
    int32_t tok[300];
    for (int i = 0; i < 300; i++)
        tok[i] = (int32_t)(rnd() % (uint64_t)spec.vocab);
    const int np = 150, ng = 20;
    ds_model_kv_report k0, k1;
    float *a = run(dir, 0, np, tok, ng, &k0);
    float *b = run(dir, 1, np, tok, ng, &k1);
    const size_t n = (size_t)spec.vocab * (np + ng);
    DS_CHECKF(memcmp(a, b, n * sizeof(float)) == 0, "logits differ with tiers on");
    printf("forward: tiers off L1 %.1f%%; on: share of pins L1 %.1f%% L2 %.1f%% L3 %.1f%%, "
           "per-tier hit rates L1 %.1f%% L2 %.1f%% L3 %.1f%%, %llu moves down\n",
           k0.hit_rate[0] * 100, k1.hit_rate[0] * 100, k1.hit_rate[1] * 100, k1.hit_rate[2] * 100,
           k1.tier_hit_rate[0] * 100, k1.tier_hit_rate[1] * 100, k1.tier_hit_rate[2] * 100, k1.moves_down);
    DS_CHECK(k0.hit_rate[0] == 1.0);
    DS_CHECK(k1.hit_rate[1] > 0 && k1.hit_rate[2] > 0);
    free(a);
    free(b);
}

int main(void)
{
    test_pages();
    test_forward();
    return ds_test_done();
}
