/* bench_engine.c - the engine services around the forward pass, each against a baseline measured
 * in the same run on the 735M-parameter benchmark model (generated into $DS_BINARY_DIR/bench735m
 * when absent, 1.5 GB; --model DIR for another):
 *   JSON-schema masks on the real 151,936-id Qwen3 vocabulary: ms per mask (all, and built
 *     rather than cached) against ms per decode step (the baseline);
 *   KV tiers: decode with L1/L2 capacities small enough to send pages to disk, against tiers off
 *     (the baseline), with per-tier hit rates;
 *   scheduler: B requests batched against the same requests one at a time (the baseline).
 * Never fails on timing.
 *   bench_engine [--model DIR] [--threads N] [--batch B] [--schema FILE]
 */
#include "model/tokenizer/tokenizer.h"
#include "model/json_schema.h"
#include "model/model.h"
#include "model/sampler.h"
#include "model/scheduler.h"
#include "tests/model/tiny_moe.h"
#include "tests/testlib.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static ds_model *load(const char *dir, int threads, long l1, long l2, const char *disk)
{
    ds_model_opts o;
    ds_model_opts_default(&o);
    o.n_threads = threads;
    o.kv_tier_tokens[0] = l1;
    o.kv_tier_tokens[1] = l2;
    o.kv_disk_dir = disk;
    ds_model *m;
    ds_err err;
    if (ds_model_load(&m, dir, &o, &err) != DS_OK) {
        fprintf(stderr, "bench_engine: %s\n", err.msg);
        exit(1);
    }
    return m;
}

static void prompt(int32_t *p, int n, int V, uint64_t seed)
{
    for (int i = 0; i < n; i++) {
        seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
        p[i] = (int32_t)(seed % (uint64_t)V);
    }
}

/* decode tok/s of one sequence after a prompt of np tokens, and the model's KV report */
static double decode_rate(ds_model *m, int np, int ng, ds_model_kv_report *kv)
{
    const int V = ds_model_config_of(m)->vocab_size;
    int32_t *p = malloc(sizeof(int32_t) * (size_t)np), out[256];
    ds_model_seq *s;
    ds_err err;
    DS_REQUIRE(p && ng <= 256 && ds_model_seq_create(m, &s, &err) == DS_OK);
    prompt(p, np, V, 77);
    int n = 0;
    double tp, td;
    DS_REQUIRE(ds_model_generate(m, s, p, np, ng, NULL, NULL, out, &n, NULL, &tp, &td, NULL, &err) == DS_OK);
    ds_model_kv_stats(m, kv);
    ds_model_seq_free(s);
    free(p);
    return n > 1 ? (n - 1) / td : 0;
}

int main(int argc, char **argv)
{
    const char *model = NULL, *schema = NULL;
    int threads = 2, batch = 8;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--model") && i + 1 < argc)
            model = argv[++i];
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--batch") && i + 1 < argc)
            batch = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--schema") && i + 1 < argc)
            schema = argv[++i];
        else {
            printf("usage: bench_engine [--model DIR] [--threads N] [--batch B] [--schema FILE]\n");
            return 2;
        }
    }
    if (threads < 1 || batch < 1 || batch > 64)
        return 2;
    char gen_dir[4096];
    if (!model) {
        const char *bin = getenv("DS_BINARY_DIR");
        snprintf(gen_dir, sizeof gen_dir, "%s/bench735m", bin ? bin : ".");
        char cfg[4200];
        struct stat st;
        snprintf(cfg, sizeof cfg, "%s/config.json", gen_dir);
        if (stat(cfg, &st) != 0) {
            tiny_spec s;
            tiny_spec_bench735m(&s);
            printf("generating the 735M-parameter benchmark model into %s ...\n", gen_dir);
            if (tiny_write(gen_dir, &s) != 0)
                return 1;
        }
        model = gen_dir;
    }
    if (!schema)
        schema = ds_test_source("tests/model/schemas/swot.json");
    const char *tkp = ds_test_shared("models/qwen3-tokenizer/tokenizer.json");
    if (!tkp)
        tkp = ds_test_source("extract/data/qwen3-tokenizer.json");
    ds_err err;

    /* ---- JSON masks ---- */
    ds_model *m = load(model, threads, 0, 0, NULL);
    const ds_model_config *c = ds_model_config_of(m);
    const int V = c->vocab_size;
    ds_tokenizer *tk;
    DS_REQUIRE(ds_tokenizer_load(&tk, tkp, &err) == DS_OK);
    ds_json_schema *sc;
    ds_json_vocab *jv;
    DS_REQUIRE(ds_json_schema_load(&sc, schema, &err) == DS_OK);
    double t0 = now();
    DS_REQUIRE(ds_json_vocab_from_tokenizer(&jv, tk, V, c->eos_token_ids, c->n_eos, &err) == DS_OK);
    double t_trie = now() - t0;
    ds_model_kv_report kv0;
    double base = decode_rate(m, 64, 24, &kv0);
    printf("model %s, %d threads, vocabulary %d\n\n", model, threads, V);
    printf("%-52s %12s %12s\n", "JSON-schema masks", "ms", "of a step");
    printf("%-52s %12.2f\n", "baseline: decode step (unconstrained, ms)", 1e3 / base);
    printf("%-52s %12.1f\n", "vocabulary byte trie, once per tokenizer", t_trie * 1e3);
    for (int T = 0; T < 2; T++) {
        ds_sampler_params sp;
        ds_sampler_params_default(&sp);
        sp.temperature = T ? 1.0f : 0.0f;
        sp.seed = 3;
        ds_sampler *smp = NULL;
        ds_json_matcher *jm;
        ds_model_seq *s;
        DS_REQUIRE(ds_sampler_create(&smp, V, &sp, &err) == DS_OK);
        DS_REQUIRE(ds_json_matcher_create(&jm, sc, jv, 0, &err) == DS_OK);
        DS_REQUIRE(ds_model_seq_create(m, &s, &err) == DS_OK);
        int32_t p[64], out[96];
        prompt(p, 64, V, 5 + (uint64_t)T);
        int n = 0, done = 0;
        double tp, td, tm;
        DS_REQUIRE(ds_model_generate(m, s, p, 64, 96, smp, jm, out, &n, &done, &tp, &td, &tm, &err) == DS_OK);
        ds_json_mask_stats ms;
        ds_json_matcher_stats(jm, &ms);
        double per = ms.masks ? tm * 1e3 / ms.masks : 0;
        uint64_t built = ms.masks - ms.cache_hits;
        char label[96];
        snprintf(label, sizeof label, "mask, %s (%d tokens, %.0f%% cached)", T ? "T=1.0" : "greedy", n,
                 ms.masks ? 100.0 * ms.cache_hits / ms.masks : 0.0);
        printf("%-52s %12.3f %11.1f%%\n", label, per, per * base / 10);
        printf("%-52s %12.3f %11.1f%%\n", "  a mask built (cache miss)", built ? ms.build_s * 1e3 / built : 0.0,
               built ? ms.build_s * 1e3 / built * base / 10 : 0.0);
        ds_model_seq_free(s);
        ds_json_matcher_free(jm);
        ds_sampler_free(smp);
    }
    ds_json_vocab_free(jv);
    ds_json_schema_free(sc);
    ds_tokenizer_free(tk);

    /* ---- scheduler ---- */
    const int np = 48, ng = 16;
    int32_t *pr = malloc(sizeof(int32_t) * (size_t)np * batch);
    DS_REQUIRE(pr);
    prompt(pr, np * batch, V, 11);
    double tt[2];
    long gen[2] = {0, 0};
    ds_sched_stats ss = {0};
    for (int mode = 0; mode < 2; mode++) {
        ds_sched_opts so = {.token_budget = 512, .max_active = mode ? 1 : batch};
        ds_sched *sch;
        t0 = now();
        DS_REQUIRE(ds_sched_create(&sch, m, &so, &err) == DS_OK);
        for (int b = 0; b < batch; b++) {
            int id;
            DS_REQUIRE(ds_sched_submit(sch, pr + (size_t)b * np, np, NULL, NULL, NULL, ng, &id, &err) == DS_OK);
        }
        DS_REQUIRE(ds_sched_run(sch, &err) == DS_OK);
        tt[mode] = now() - t0;
        for (int b = 0; b < batch; b++) {
            ds_sched_result r;
            ds_sched_result_of(sch, b, &r);
            gen[mode] += r.n_tokens;
        }
        if (!mode)
            ds_sched_stats_of(sch, &ss);
        ds_sched_free(sch);
    }
    printf("\n%-52s %12s %12s\n", "scheduler", "tok/s", "x baseline");
    printf("%-52s %12.2f %12.2f\n", "baseline: requests one at a time (generated)", gen[1] / tt[1], 1.0);
    char lb[96];
    snprintf(lb, sizeof lb, "batched, %d requests of %d+%d (%llu steps)", batch, np, ng, (unsigned long long)ss.steps);
    printf("%-52s %12.2f %12.2f\n", lb, gen[0] / tt[0], (gen[0] / tt[0]) / (gen[1] / tt[1]));
    free(pr);
    ds_model_free(m);

    /* ---- KV tiers ---- */
    char disk[4200];
    snprintf(disk, sizeof disk, "%s", ds_test_tmpdir());
    ds_model *mt = load(model, threads, 128, 128, disk);
    ds_model_kv_report kv;
    m = load(model, threads, 0, 0, NULL);
    double off = decode_rate(m, 512, 16, &kv0);
    ds_model_free(m);
    double on = decode_rate(mt, 512, 16, &kv);
    printf("\n%-52s %12s %s\n", "KV tiers (512-token context)", "decode tok/s", "hit rates");
    printf("%-52s %12.2f L1 %.0f%%\n", "baseline: one tier, unlimited", off, kv0.hit_rate[0] * 100);
    printf("%-52s %12.2f L1 %.0f%%, L2 %.0f%%, L3 %.0f%% of pins; per tier L1 %.0f%% "
           "L2 %.0f%% L3 %.0f%%; %llu moves down\n",
           "L1 128 + L2 128 tokens, rest on disk", on, kv.hit_rate[0] * 100, kv.hit_rate[1] * 100, kv.hit_rate[2] * 100,
           kv.tier_hit_rate[0] * 100, kv.tier_hit_rate[1] * 100, kv.tier_hit_rate[2] * 100, kv.moves_down);
    ds_model_free(mt);
    return 0;
}
