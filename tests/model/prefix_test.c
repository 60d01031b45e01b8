/* prefix_test.c - the prefix cache: a second document sharing the instruction prompt reuses its
 * KV pages and gets bit-identical logits to a run without the cache (same segmentation); the
 * cache file written by one process is read by another (a forked child loading the model anew)
 * with hits; a different checkpoint (another fingerprint) ignores that file.
 */
#include "model/model.h"
#include "model/prefix_cache.h"
#include "tests/model/tiny_moe.h"
#include "tests/testlib.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

enum { INSTR = 150, TAIL = 30, N = INSTR + TAIL };

static ds_model *load(const char *dir)
{
    ds_model_opts o;
    ds_model_opts_default(&o);
    o.n_threads = 1;
    o.segment_tokens = 64; /* every run computes the same 64-token steps */
    ds_model *m;
    ds_err err;
    if (ds_model_load(&m, dir, &o, &err) != DS_OK) {
        fprintf(stderr, "%s\n", err.msg);
        DS_REQUIRE(0);
    }
    return m;
}

static void prompt(int32_t *p, int doc, int vocab)
{
    uint64_t r = 99;
    for (int i = 0; i < N; i++) {
        if (i == INSTR)
            r = 1000 + (uint64_t)doc;
        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
        p[i] = (int32_t)(r % (uint64_t)vocab);
    }
}

/* Last-token logits of p through the cache (cached 1) or plain forward, and the reused count. */
static void run(ds_model *m, const int32_t *p, int cached, float *lg, int *reused)
{
    ds_model_seq *s;
    ds_err err;
    DS_REQUIRE(ds_model_seq_create(m, &s, &err) == DS_OK);
    *reused = 0;
    if (cached)
        DS_REQUIRE(ds_model_prefill_cached(m, s, p, N, DS_MODEL_LOGITS_LAST, lg, reused, &err) == DS_OK);
    else
        DS_REQUIRE(ds_model_forward(m, s, p, N, DS_MODEL_LOGITS_LAST, lg, &err) == DS_OK);
    /* decode a few tokens on top: shared pages must stay untouched (copy-on-write) */
    for (int i = 0; i < 3; i++) {
        int32_t t = ds_model_argmax(lg, ds_model_config_of(m)->vocab_size);
        DS_REQUIRE(ds_model_forward(m, s, &t, 1, DS_MODEL_LOGITS_LAST, lg, &err) == DS_OK);
    }
    ds_model_seq_free(s);
}

int main(void)
{
    char dir[4200], dir2[4200], cache[4200];
    snprintf(dir, sizeof dir, "%s/m", ds_test_tmpdir());
    snprintf(dir2, sizeof dir2, "%s/m2", ds_test_tmpdir());
    snprintf(cache, sizeof cache, "%s", ds_test_tmpdir());
    tiny_spec spec;
    tiny_spec_default(&spec);
    DS_REQUIRE(tiny_write(dir, &spec) == 0);
    spec.seed = 2;
    DS_REQUIRE(tiny_write(dir2, &spec) == 0);
    const int V = spec.vocab;
    int32_t p1[N], p2[N];
    prompt(p1, 1, V);
    prompt(p2, 2, V);
    DS_REQUIRE(memcmp(p1, p2, INSTR * sizeof(int32_t)) == 0);
    float *ref1 = malloc(sizeof(float) * V), *ref2 = malloc(sizeof(float) * V), *got = malloc(sizeof(float) * V);
    DS_REQUIRE(ref1 && ref2 && got);
    ds_err err;
    int reused;
    ds_model *m = load(dir);
    run(m, p1, 0, ref1, &reused);
    run(m, p2, 0, ref2, &reused);
    DS_REQUIRE(ds_model_prefix_cache_enable(m, cache, 0, &err) == DS_OK);
    run(m, p1, 1, got, &reused); /* miss: fills the cache */
    DS_CHECK(reused == 0);
    DS_CHECK(memcmp(got, ref1, sizeof(float) * V) == 0);
    run(m, p2, 1, got, &reused); /* hit on the instruction's two full pages */
    DS_CHECKF(reused == 128, "reused %d", reused);
    DS_CHECK(memcmp(got, ref2, sizeof(float) * V) == 0);
    run(m, p1, 1, got, &reused); /* hit on the whole first document's full pages */
    DS_CHECK(reused == 128);
    DS_CHECK(memcmp(got, ref1, sizeof(float) * V) == 0);
    ds_prefix_cache_stats ps;
    ds_model_prefix_cache_stats(m, &ps);
    printf("in process: %llu lookups, %llu hits, %ld pages\n", (unsigned long long)ps.lookups,
           (unsigned long long)ps.hits, ps.pages);
    DS_CHECK(ps.pages == 2); /* the instruction's two full pages (the tails fill no page) */
    DS_REQUIRE(ds_model_prefix_cache_save(m, &err) == DS_OK);
    ds_model_free(m);

    /* another process: reads the file, hits, same logits */
    fflush(stdout);
    pid_t pid = fork();
    DS_REQUIRE(pid >= 0);
    if (pid == 0) {
        ds_model *m2 = load(dir);
        int bad = ds_model_prefix_cache_enable(m2, cache, 0, &err) != DS_OK;
        ds_prefix_cache_stats cs;
        ds_model_prefix_cache_stats(m2, &cs);
        bad |= cs.loaded != 2;
        run(m2, p2, 1, got, &reused);
        bad |= reused != 128;
        bad |= memcmp(got, ref2, sizeof(float) * V) != 0;
        ds_model_prefix_cache_stats(m2, &cs);
        printf("second process: %ld pages loaded, hit rate %.2f\n", cs.loaded,
               cs.lookups ? (double)cs.hits / cs.lookups : 0.0);
        bad |= cs.hits == 0;
        ds_model_free(m2);
        fflush(stdout);
        _exit(bad);
    }
    int wst = 0;
    DS_REQUIRE(waitpid(pid, &wst, 0) == pid);
    DS_CHECKF(WIFEXITED(wst) && WEXITSTATUS(wst) == 0, "second process failed (status %d)", wst);

    /* another checkpoint: the fingerprint differs, the file is ignored */
    ds_model *m3 = load(dir2);
    DS_REQUIRE(ds_model_prefix_cache_enable(m3, cache, 0, &err) == DS_OK);
    ds_model_prefix_cache_stats(m3, &ps);
    DS_CHECK(ps.loaded == 0 && ps.pages == 0);
    run(m3, p1, 1, got, &reused);
    DS_CHECK(reused == 0);
    ds_model_free(m3);
    free(ref1);
    free(ref2);
    free(got);
    return ds_test_done();
}
