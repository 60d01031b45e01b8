/* scheduler_test.c - continuous batching: requests with different prompt lengths, token limits,
 * greedy and sampled, with and without a JSON schema, run through the scheduler under a small
 * token budget (prefill chunks mixed with decoding, sequences joining as others leave) give the
 * same ids as each request alone through ds_model_generate; the same with the prefix cache.
 */
#include "model/json_schema.h"
#include "model/model.h"
#include "model/prefix_cache.h"
#include "model/sampler.h"
#include "model/scheduler.h"
#include "tests/model/tiny_moe.h"
#include "tests/testlib.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum { NREQ = 10 };

int main(void)
{
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/m", ds_test_tmpdir());
    tiny_spec spec;
    tiny_spec_default(&spec);
    DS_REQUIRE(tiny_write(dir, &spec) == 0);
    ds_model_opts o;
    ds_model_opts_default(&o);
    o.n_threads = 1;
    ds_model *m;
    ds_err err;
    DS_REQUIRE(ds_model_load(&m, dir, &o, &err) == DS_OK);
    const int V = spec.vocab;
    /* vocabulary for the schema: single bytes (id 2 is eos) */
    const char *bytes[1024];
    size_t lens[1024];
    char single[256];
    for (int i = 0; i < V; i++) {
        single[i % 256] = (char)(i % 256);
        bytes[i] = i < 256 ? &single[i] : NULL;
        lens[i] = i < 256;
    }
    int32_t eos = 2;
    ds_json_vocab *voc;
    DS_REQUIRE(ds_json_vocab_create(&voc, V, bytes, lens, &eos, 1, &err) == DS_OK);
    const char *sj = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"},"
                     "\"b\":{\"type\":\"string\",\"maxLength\":6}},\"required\":[\"a\",\"b\"]}";
    ds_json_schema *sc;
    DS_REQUIRE(ds_json_schema_compile(&sc, sj, strlen(sj), "t", &err) == DS_OK);

    int32_t prompts[NREQ][200];
    int np[NREQ], maxt[NREQ];
    ds_sampler_params sp[NREQ];
    uint64_t r = 5;
    for (int q = 0; q < NREQ; q++) {
        np[q] = 10 + q * 19;
        maxt[q] = q % 3 == 2 ? 60 : 8 + q;
        for (int i = 0; i < np[q]; i++) {
            r ^= r << 13, r ^= r >> 7, r ^= r << 17;
            /* the first 70 tokens shared by all: the prefix cache has a page to share */
            prompts[q][i] = i < 70 ? (int32_t)((i * 37 + 11) % V) : (int32_t)(r % (uint64_t)V);
        }
        ds_sampler_params_default(&sp[q]);
        if (q % 2 == 1) {
            sp[q].temperature = 0.9f;
            sp[q].top_p = 0.9f;
            sp[q].seed = 100 + (uint64_t)q;
        }
    }
    /* alone */
    int32_t alone[NREQ][64];
    int n_alone[NREQ];
    for (int q = 0; q < NREQ; q++) {
        ds_model_seq *s;
        ds_sampler *smp = NULL;
        ds_json_matcher *jm = NULL;
        DS_REQUIRE(ds_model_seq_create(m, &s, &err) == DS_OK);
        if (sp[q].temperature > 0)
            DS_REQUIRE(ds_sampler_create(&smp, V, &sp[q], &err) == DS_OK);
        if (q % 3 == 2)
            DS_REQUIRE(ds_json_matcher_create(&jm, sc, voc, 0, &err) == DS_OK);
        int done;
        DS_REQUIRE(ds_model_generate(m, s, prompts[q], np[q], maxt[q], smp, jm, alone[q], &n_alone[q], &done, NULL,
                                     NULL, NULL, &err) == DS_OK);
        ds_model_seq_free(s);
        ds_sampler_free(smp);
        ds_json_matcher_free(jm);
    }
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1)
            DS_REQUIRE(ds_model_prefix_cache_enable(m, NULL, 0, &err) == DS_OK);
        ds_sched_opts so = {.token_budget = 48, .max_active = 4, .use_prefix_cache = pass};
        ds_sched *sch;
        DS_REQUIRE(ds_sched_create(&sch, m, &so, &err) == DS_OK);
        for (int q = 0; q < NREQ; q++) {
            int id;
            DS_REQUIRE(ds_sched_submit(sch, prompts[q], np[q], &sp[q], q % 3 == 2 ? sc : NULL, q % 3 == 2 ? voc : NULL,
                                       maxt[q], &id, &err) == DS_OK);
            DS_CHECK(id == q);
        }
        DS_REQUIRE(ds_sched_run(sch, &err) == DS_OK);
        for (int q = 0; q < NREQ; q++) {
            ds_sched_result res;
            DS_REQUIRE(ds_sched_result_of(sch, q, &res) == 0);
            DS_CHECK(res.done && res.status == DS_OK);
            DS_CHECKF(res.n_tokens == n_alone[q] &&
                          memcmp(res.tokens, alone[q], sizeof(int32_t) * (size_t)n_alone[q]) == 0,
                      "pass %d request %d: %d tokens batched, %d alone", pass, q, res.n_tokens, n_alone[q]);
            if (q % 3 == 2)
                DS_CHECK(res.complete);
        }
        ds_sched_stats ss;
        ds_sched_stats_of(sch, &ss);
        printf("pass %d: %llu steps, %llu prefill + %llu decode tokens, %llu reused, max batch %d\n", pass,
               (unsigned long long)ss.steps, (unsigned long long)ss.prefill_tokens,
               (unsigned long long)ss.decode_tokens, (unsigned long long)ss.reused_tokens, ss.max_batch);
        DS_CHECK(ss.max_batch >= 3);
        if (pass == 1)
            DS_CHECK(ss.reused_tokens > 0);
        ds_sched_free(sch);
    }
    ds_json_schema_free(sc);
    ds_json_vocab_free(voc);
    ds_model_free(m);
    return ds_test_done();
}
