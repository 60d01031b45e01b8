/* json_test.c - sampling and JSON-schema constrained decoding.
 *
 * Sampler: greedy is the argmax over the allowed ids; a seed replays; top-k 1 and a tiny top-p
 * are greedy; drawn frequencies follow softmax(logits / T) within 4 standard deviations; the
 * repetition penalty moves a repeated id's logit the Hugging Face way.
 * Grammar: hand-written accepted and rejected texts per schema, byte by byte.
 * End to end: a random tiny Qwen3-MoE over a synthetic vocabulary (every byte as one token plus
 * multi-byte JSON pieces) generates under several schemas with many seeds and temperatures;
 * every output must parse with jansson and fit the schema (checked by a validator written here
 * against the schema's jansson tree), and must end only when the value is complete.
 * Budget: in every state of random walks (the schemas above and the extract stage's facts and
 * SWOT schemas), the shortest completion steps through the automaton to a closed value that
 * parses and fits, its length is the state's cost, and its first byte lowers the cost by one
 * (so it is the shortest); generation with budgets from the minimal answer up, greedy and
 * sampled, always ends with a complete value that parses and fits within the budget.
 */
#include "extract/llm.h"
#include "model/json_internal.h"
#include "model/json_schema.h"
#include "model/model.h"
#include "model/sampler.h"
#include "tests/model/tiny_moe.h"
#include "tests/testlib.h"

#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- sampler ------------------------------------------------------------------------------- */

static void test_sampler(void)
{
    enum { V = 10 };
    float lg[V] = {0.5f, 2.0f, -1.0f, 1.5f, 2.0f, 0.0f, -3.0f, 1.0f, 0.2f, 0.1f};
    ds_err err;
    ds_sampler_params p;
    ds_sampler_params_default(&p);
    ds_sampler *s;
    DS_REQUIRE(ds_sampler_create(&s, V, &p, &err) == DS_OK);
    DS_CHECK(ds_sampler_sample(s, lg, NULL, NULL, 0) == 1); /* tie 1/4: lowest id */
    uint64_t mask = (1u << 3) | (1u << 7);
    DS_CHECK(ds_sampler_sample(s, lg, &mask, NULL, 0) == 3);
    uint64_t none = 0;
    DS_CHECK(ds_sampler_sample(s, lg, &none, NULL, 0) == -1);
    ds_sampler_free(s);

    /* frequencies at T = 0.8 */
    p.temperature = 0.8f;
    p.seed = 42;
    DS_REQUIRE(ds_sampler_create(&s, V, &p, &err) == DS_OK);
    const int N = 40000;
    int cnt[V] = {0};
    for (int i = 0; i < N; i++) {
        int32_t t = ds_sampler_sample(s, lg, NULL, NULL, 0);
        DS_REQUIRE(t >= 0 && t < V);
        cnt[t]++;
    }
    double z = 0, pr[V];
    for (int i = 0; i < V; i++)
        z += exp(lg[i] / 0.8);
    for (int i = 0; i < V; i++) {
        pr[i] = exp(lg[i] / 0.8) / z;
        double sd = sqrt(N * pr[i] * (1 - pr[i]));
        DS_CHECKF(fabs(cnt[i] - N * pr[i]) <= 4 * sd + 1, "id %d drawn %d, expected %.1f", i, cnt[i], N * pr[i]);
    }
    ds_sampler_free(s);

    /* replay: same seed, same ids; another seed differs */
    int32_t a[64], b[64], c[64];
    for (int r = 0; r < 3; r++) {
        p.seed = r == 2 ? 43 : 42;
        DS_REQUIRE(ds_sampler_create(&s, V, &p, &err) == DS_OK);
        for (int i = 0; i < 64; i++)
            (r == 0 ? a : r == 1 ? b : c)[i] = ds_sampler_sample(s, lg, NULL, NULL, 0);
        ds_sampler_free(s);
    }
    DS_CHECK(memcmp(a, b, sizeof a) == 0);
    DS_CHECK(memcmp(a, c, sizeof a) != 0);

    /* top-k 1 and top-p tiny are greedy; top-k 2 only draws the two best (ids 1 and 4) */
    p.top_k = 1;
    DS_REQUIRE(ds_sampler_create(&s, V, &p, &err) == DS_OK);
    for (int i = 0; i < 200; i++)
        DS_CHECK(ds_sampler_sample(s, lg, NULL, NULL, 0) == 1);
    ds_sampler_free(s);
    p.top_k = 2;
    DS_REQUIRE(ds_sampler_create(&s, V, &p, &err) == DS_OK);
    int seen1 = 0, seen4 = 0;
    for (int i = 0; i < 400; i++) {
        int32_t t = ds_sampler_sample(s, lg, NULL, NULL, 0);
        DS_CHECK(t == 1 || t == 4);
        seen1 += t == 1;
        seen4 += t == 4;
    }
    DS_CHECK(seen1 > 100 && seen4 > 100);
    ds_sampler_free(s);
    p.top_k = 0;
    p.top_p = 0.05f;
    DS_REQUIRE(ds_sampler_create(&s, V, &p, &err) == DS_OK);
    for (int i = 0; i < 200; i++)
        DS_CHECK(ds_sampler_sample(s, lg, NULL, NULL, 0) == 1);
    ds_sampler_free(s);
    /* top-p 0.5: ids 1 and 4 hold 0.61 of the mass at T 0.8, so only they are drawn */
    p.top_p = 0.5f;
    DS_REQUIRE(ds_sampler_create(&s, V, &p, &err) == DS_OK);
    for (int i = 0; i < 400; i++) {
        int32_t t = ds_sampler_sample(s, lg, NULL, NULL, 0);
        DS_CHECKF(t == 1 || t == 4, "top-p drew %d", t);
    }
    ds_sampler_free(s);

    /* repetition penalty: id 1 seen, logit 2 / 4 = 0.5 < id 4's 2 -> greedy picks 4 */
    ds_sampler_params_default(&p);
    p.repetition_penalty = 4.0f;
    DS_REQUIRE(ds_sampler_create(&s, V, &p, &err) == DS_OK);
    int32_t hist[2] = {1, 6};
    DS_CHECK(ds_sampler_sample(s, lg, NULL, hist, 2) == 4);
    hist[0] = 4;
    hist[1] = 1;
    DS_CHECK(ds_sampler_sample(s, lg, NULL, hist, 2) == 3);
    ds_sampler_free(s);
}

/* ---- grammar ------------------------------------------------------------------------------- */

static int accepts(const ds_json_schema *s, const char *text, int want_complete)
{
    jg_state st;
    ds_jg_init(s, &st);
    for (const char *c = text; *c; c++)
        if (!ds_jg_step(s, &st, (unsigned char)*c))
            return 0;
    return ds_jg_can_end(s, &st) == want_complete;
}

static const char *SCHEMA_A = "{\"type\":\"object\",\"properties\":{"
                              "\"name\":{\"type\":\"string\",\"maxLength\":12},"
                              "\"year\":{\"type\":\"integer\"},"
                              "\"ratio\":{\"type\":\"number\"},"
                              "\"ok\":{\"type\":\"boolean\"},"
                              "\"kind\":{\"enum\":[\"strength\",\"weakness\",\"threat\",3,null]},"
                              "\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"maxLength\":4},"
                              "\"minItems\":1,\"maxItems\":3},"
                              "\"sub\":{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"null\"},"
                              "\"y\":{\"type\":\"number\"}},\"required\":[\"y\"],\"additionalProperties\":false}"
                              "},\"required\":[\"name\",\"kind\"],\"additionalProperties\":false}";

static void test_grammar(void)
{
    ds_json_schema *s;
    ds_err err;
    DS_REQUIRE(ds_json_schema_compile(&s, SCHEMA_A, strlen(SCHEMA_A), "a", &err) == DS_OK);
    DS_CHECK(accepts(s, "{\"name\":\"abc\",\"kind\":\"threat\"}", 1));
    DS_CHECK(accepts(s, "{\"name\": \"\\u00e9\",\"kind\":3}", 0) == 0); /* no \u escapes */
    DS_CHECK(accepts(s,
                     "{\"name\": \"\xc3\xa9t\xc3\xa9\", \"year\": -12, \"ratio\": 0.5e+3,"
                     " \"ok\": false, \"kind\": null, \"tags\": [\"a\",\"bcd\"],"
                     " \"sub\": {\"y\": 1}}",
                     1));
    DS_CHECK(accepts(s, "{\"name\":\"abc\",\"kind\":\"threat\"", 0));     /* prefix */
    DS_CHECK(!accepts(s, "{\"kind\":\"threat\"}", 1));                    /* name required */
    DS_CHECK(!accepts(s, "{\"name\":\"abc\",\"kind\":\"threats\"}", 1));  /* not in enum */
    DS_CHECK(!accepts(s, "{\"name\":\"abcdefghijklm\",\"kind\":3}", 1));  /* 13 > maxLength */
    DS_CHECK(accepts(s, "{\"name\":\"abcdefghijkl\",\"kind\":3}", 1));    /* 12 */
    DS_CHECK(!accepts(s, "{\"name\":\"a\",\"year\":1.5,\"kind\":3}", 1)); /* integer */
    DS_CHECK(!accepts(s, "{\"name\":\"a\",\"year\":01,\"kind\":3}", 1));  /* leading zero */
    DS_CHECK(!accepts(s, "{\"name\":\"a\",\"kind\":3,\"tags\":[]}", 1));  /* minItems */
    DS_CHECK(!accepts(s, "{\"name\":\"a\",\"kind\":3,\"tags\":[\"a\",\"b\",\"c\",\"d\"]}", 1));
    DS_CHECK(!accepts(s, "{\"name\":\"a\",\"kind\":3,\"sub\":{\"x\":null}}", 1)); /* y */
    DS_CHECK(!accepts(s, "{\"name\":\"a\",\"kind\":3,\"extra\":1}", 1));
    DS_CHECK(!accepts(s, "{\"name\":\"a\xff\",\"kind\":3}", 1));        /* invalid utf-8 */
    DS_CHECK(!accepts(s, "{\"name\":\"\xed\xa0\x80\",\"kind\":3}", 1)); /* surrogate */
    DS_CHECK(!accepts(s, "{\"name\":\"a\",\"kind\":3} ", 1));           /* trailing bytes */
    DS_CHECK(!accepts(s, "{\"name\":\"a\",  \"kind\":3}", 1));          /* two spaces */
    ds_json_schema_free(s);

    const char *num = "{\"type\":\"number\"}";
    DS_REQUIRE(ds_json_schema_compile(&s, num, strlen(num), "n", &err) == DS_OK);
    DS_CHECK(accepts(s, "-0.25E-7", 1));
    DS_CHECK(accepts(s, "12", 1));
    DS_CHECK(accepts(s, "12.", 0));
    DS_CHECK(!accepts(s, "1234567890123456789012345", 1)); /* longer than 24 */
    ds_json_schema_free(s);

    const char *bad[] = {"{\"type\":\"string\",\"pattern\":1}", "{\"type\":[\"string\",\"null\"]}",
                         "{\"type\":\"object\",\"required\":[\"q\"]}", "[1]", "{"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ds_status st = ds_json_schema_compile(&s, bad[i], strlen(bad[i]), "bad", &err);
        if (i == 0) { /* unknown keywords are ignored */
            DS_CHECK(st == DS_OK);
            ds_json_schema_free(s);
        } else {
            DS_CHECKF(st != DS_OK, "schema %s accepted", bad[i]);
        }
    }
}

/* ---- validator (against the schema's jansson tree) ----------------------------------------- */

static size_t utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static int validate(json_t *v, json_t *sch)
{
    json_t *en = json_object_get(sch, "enum");
    if (en) {
        size_t i;
        json_t *e;
        json_array_foreach(en, i, e) if (json_equal(e, v)) return 1;
        return 0;
    }
    const char *t = json_string_value(json_object_get(sch, "type"));
    if (strcmp(t, "object") == 0) {
        if (!json_is_object(v))
            return 0;
        json_t *props = json_object_get(sch, "properties"), *req = json_object_get(sch, "required");
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x)
        {
            json_t *ps = json_object_get(props, k);
            if (!ps || !validate(x, ps))
                return 0;
        }
        size_t i;
        json_array_foreach(req, i, x) if (!json_object_get(v, json_string_value(x))) return 0;
        return 1;
    }
    if (strcmp(t, "array") == 0) {
        if (!json_is_array(v))
            return 0;
        json_t *mn = json_object_get(sch, "minItems"), *mx = json_object_get(sch, "maxItems");
        if (mn && (json_int_t)json_array_size(v) < json_integer_value(mn))
            return 0;
        if (mx && (json_int_t)json_array_size(v) > json_integer_value(mx))
            return 0;
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) if (!validate(x, json_object_get(sch, "items"))) return 0;
        return 1;
    }
    if (strcmp(t, "string") == 0) {
        if (!json_is_string(v))
            return 0;
        json_t *mx = json_object_get(sch, "maxLength"), *mn = json_object_get(sch, "minLength");
        size_t n = utf8_len(json_string_value(v));
        return (!mx || (json_int_t)n <= json_integer_value(mx)) && (!mn || (json_int_t)n >= json_integer_value(mn));
    }
    if (strcmp(t, "integer") == 0)
        return json_is_integer(v);
    if (strcmp(t, "number") == 0)
        return json_is_number(v);
    if (strcmp(t, "boolean") == 0)
        return json_is_boolean(v);
    if (strcmp(t, "null") == 0)
        return json_is_null(v);
    return 0;
}

/* ---- end to end ---------------------------------------------------------------------------- */

static const char *PIECES[] = {"{\"",          "\":",         "\": ",   "\",",  "\", \"", "\"}",   "}",
                               "},",           "[\"",         "\"]",    "],",   "true",   "false", "null",
                               "name",         "kind",        "tags",   "year", "ratio",  "sub",   "strength",
                               "threat",       "0.",          "12",     "-",    "e+",     "\\n",   "\xc3\xa9",
                               "\xe2\x82\xac", "ab",          " \"",    "\"\"", "1,",     "ok",    ":{\"",
                               "\"y\":",       "weak",        "ness\"", "[",    "]",      "x",     "{\"name\":\"",
                               "\"kind\":",    "\"tags\":[\""};

static const char *SCHEMAS[] = {
    NULL, /* SCHEMA_A */
    "{\"type\":\"array\",\"items\":{\"type\":\"number\"},\"maxItems\":6}",
    "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"array\",\"items\":{\"type\":"
    "\"object\",\"properties\":{\"k\":{\"enum\":[\"x\",\"y\",\"zz\"]},\"v\":{\"type\":"
    "\"integer\"}},\"required\":[\"k\",\"v\"]},\"minItems\":2,\"maxItems\":4},"
    "\"s\":{\"type\":\"string\",\"minLength\":3,\"maxLength\":5}},\"required\":[\"a\",\"s\"]}",
    "{\"type\":\"string\",\"maxLength\":20}",
    "{\"type\":\"integer\"}",
};

static void test_generate(void)
{
    const char *dir = ds_test_tmpdir();
    tiny_spec spec;
    tiny_spec_default(&spec);
    DS_REQUIRE(tiny_write(dir, &spec) == 0);
    ds_model *m;
    ds_err err;
    ds_model_opts o;
    ds_model_opts_default(&o);
    o.n_threads = 1;
    DS_REQUIRE(ds_model_load(&m, dir, &o, &err) == DS_OK);
    const int V = ds_model_config_of(m)->vocab_size;
    DS_REQUIRE(V >= 256 + (int)(sizeof PIECES / sizeof *PIECES));
    const char *bytes[1024];
    size_t lens[1024];
    char single[256];
    for (int i = 0; i < V; i++) {
        bytes[i] = NULL;
        lens[i] = 0;
        if (i < 256) {
            single[i] = (char)i;
            bytes[i] = &single[i];
            lens[i] = 1;
        } else if (i - 256 < (int)(sizeof PIECES / sizeof *PIECES)) {
            bytes[i] = PIECES[i - 256];
            lens[i] = strlen(PIECES[i - 256]);
        }
    }
    int32_t eos = 2;
    ds_json_vocab *voc;
    DS_REQUIRE(ds_json_vocab_create(&voc, V, bytes, lens, &eos, 1, &err) == DS_OK);
    int runs = 0, valid = 0, complete = 0;
    for (size_t si = 0; si < sizeof SCHEMAS / sizeof *SCHEMAS; si++) {
        const char *sj = SCHEMAS[si] ? SCHEMAS[si] : SCHEMA_A;
        ds_json_schema *sc;
        DS_REQUIRE(ds_json_schema_compile(&sc, sj, strlen(sj), "e2e", &err) == DS_OK);
        json_t *sch = json_loads(sj, 0, NULL);
        DS_REQUIRE(sch);
        for (int seed = 0; seed < 12; seed++) {
            ds_sampler_params p;
            ds_sampler_params_default(&p);
            p.temperature = seed % 3 == 0 ? 0.0f : seed % 3 == 1 ? 1.0f : 3.0f;
            p.top_p = seed % 4 == 1 ? 0.9f : 1.0f;
            p.seed = (uint64_t)seed * 7919 + si;
            ds_sampler *smp;
            ds_json_matcher *jm;
            ds_model_seq *seq;
            DS_REQUIRE(ds_sampler_create(&smp, V, &p, &err) == DS_OK);
            DS_REQUIRE(ds_json_matcher_create(&jm, sc, voc, 0, &err) == DS_OK);
            DS_REQUIRE(ds_model_seq_create(m, &seq, &err) == DS_OK);
            int32_t prompt[3] = {(int32_t)(5 + seed), 100, (int32_t)(200 + si)};
            int32_t out[600];
            int n_out = 0, done = 0;
            ds_status st = ds_model_generate(m, seq, prompt, 3, 600, smp, jm, out, &n_out, &done, NULL, NULL, NULL,
                                             &err);
            DS_CHECKF(st == DS_OK, "generate: %s", err.msg);
            runs++;
            complete += done;
            /* bytes of the output, eos last */
            char text[8192];
            size_t tl = 0;
            int eos_seen = 0, eos_inside = 0;
            for (int i = 0; i < n_out; i++) {
                if (out[i] == eos) {
                    eos_seen = 1;
                    eos_inside |= i != n_out - 1;
                    continue;
                }
                DS_REQUIRE(tl + lens[out[i]] < sizeof text);
                memcpy(text + tl, bytes[out[i]], lens[out[i]]);
                tl += lens[out[i]];
            }
            text[tl] = 0;
            DS_CHECK(!eos_inside);
            DS_CHECKF(done && eos_seen, "schema %zu seed %d: not finished after %d tokens: %s", si, seed, n_out, text);
            json_error_t je;
            json_t *v = json_loadb(text, tl, JSON_DECODE_ANY, &je);
            DS_CHECKF(v != NULL, "schema %zu seed %d: does not parse (%s): %s", si, seed, je.text, text);
            if (v) {
                int ok = validate(v, sch);
                DS_CHECKF(ok, "schema %zu seed %d: does not fit: %s", si, seed, text);
                valid += ok;
                json_decref(v);
            }
            if (seed == 1)
                printf("schema %zu, T %.1f: %s\n", si, p.temperature, text);
            ds_model_seq_free(seq);
            ds_json_matcher_free(jm);
            ds_sampler_free(smp);
        }
        json_decref(sch);
        ds_json_schema_free(sc);
    }
    printf("end to end: %d runs, %d complete, %d valid\n", runs, complete, valid);
    DS_CHECK(valid == runs);
    ds_json_vocab_free(voc);
    ds_model_free(m);
}

/* Masks against brute force: random walks through the schemas, the matcher's mask compared at
 * every step with each token's bytes walked alone through the automaton (no trie, no cache, no
 * string-room shortcut). */
static void test_masks_exact(void)
{
    enum { V = 256 + (int)(sizeof PIECES / sizeof *PIECES) };
    const char *bytes[V];
    size_t lens[V];
    static char single[256];
    for (int i = 0; i < V; i++) {
        if (i < 256) {
            single[i] = (char)i;
            bytes[i] = &single[i];
            lens[i] = 1;
        } else {
            bytes[i] = PIECES[i - 256];
            lens[i] = strlen(PIECES[i - 256]);
        }
    }
    int32_t eos = 2;
    ds_json_vocab *voc;
    ds_err err;
    DS_REQUIRE(ds_json_vocab_create(&voc, V, bytes, lens, &eos, 1, &err) == DS_OK);
    uint64_t r = 777;
    int steps = 0, bad = 0;
    for (size_t si = 0; si < sizeof SCHEMAS / sizeof *SCHEMAS; si++) {
        const char *sj = SCHEMAS[si] ? SCHEMAS[si] : SCHEMA_A;
        ds_json_schema *sc;
        DS_REQUIRE(ds_json_schema_compile(&sc, sj, strlen(sj), "exact", &err) == DS_OK);
        for (int walk = 0; walk < 30; walk++) {
            ds_json_matcher *jm;
            DS_REQUIRE(ds_json_matcher_create(&jm, sc, voc, 8, &err) == DS_OK);
            jg_state st;
            ds_jg_init(sc, &st);
            for (int step = 0; step < 400 && !ds_json_matcher_finished(jm); step++) {
                const uint64_t *mask = ds_json_matcher_mask(jm);
                int allowed[V], na = 0;
                for (int t = 0; t < V; t++) {
                    int want;
                    if (t == eos) {
                        want = ds_jg_can_end(sc, &st);
                    } else {
                        jg_state w = st;
                        want = 1;
                        for (size_t k = 0; k < lens[t] && want; k++)
                            want = ds_jg_step(sc, &w, (unsigned char)bytes[t][k]);
                    }
                    int got = (int)(mask[t >> 6] >> (t & 63) & 1);
                    if (got != want && bad++ < 5)
                        fprintf(stderr, "schema %zu walk %d step %d: token %d mask %d, brute %d\n", si, walk, step, t,
                                got, want);
                    if (want)
                        allowed[na++] = t;
                }
                steps++;
                DS_REQUIRE(na > 0);
                r ^= r << 13, r ^= r >> 7, r ^= r << 17;
                int t = allowed[r % (uint64_t)na];
                if (t == eos)
                    break;
                DS_REQUIRE(ds_json_matcher_accept(jm, t, &err) == DS_OK);
                for (size_t k = 0; k < lens[t]; k++)
                    DS_REQUIRE(ds_jg_step(sc, &st, (unsigned char)bytes[t][k]));
            }
            ds_json_matcher_free(jm);
        }
        ds_json_schema_free(sc);
    }
    printf("masks against brute force: %d steps, %d differences\n", steps, bad);
    DS_CHECK(bad == 0);
    ds_json_vocab_free(voc);
}

/* ---- budgets ------------------------------------------------------------------------------ */

static const char *budget_schema(size_t i)
{
    const size_t n = sizeof SCHEMAS / sizeof *SCHEMAS;
    if (i < n)
        return SCHEMAS[i] ? SCHEMAS[i] : SCHEMA_A;
    return i == n ? ds_llm_schema(DS_LLM_FACTS) : i == n + 1 ? ds_llm_schema(DS_LLM_SWOT) : NULL;
}

/* The completion of st: closes the value, parses, fits, has the state's cost as length and is
 * locally shortest. Returns the number of failed checks. */
static int check_completion(const ds_json_schema *sc, json_t *sch, const jg_state *st, const char *prefix, size_t np)
{
    char comp[4096], text[8192];
    int n = ds_jg_completion(sc, st, comp, sizeof comp);
    int cost = ds_jg_cost(sc, st);
    if (n < 0)
        return 1;
    jg_state w = *st;
    for (int i = 0; i < n; i++)
        if (!ds_jg_step(sc, &w, (unsigned char)comp[i])) {
            fprintf(stderr, "completion %s|%s rejected at its byte %d\n", prefix, comp, i);
            return 1;
        }
    int eos = !ds_jg_closed(sc, &w);
    if (!ds_jg_can_end(sc, &w) || n + eos != cost) {
        fprintf(stderr, "completion %s|%s: cost %d, length %d, closed %d\n", prefix, comp, cost, n, !eos);
        return 1;
    }
    if (n > 0) {
        jg_state one = *st;
        ds_jg_step(sc, &one, (unsigned char)comp[0]);
        if (ds_jg_cost(sc, &one) != cost - 1) {
            fprintf(stderr, "completion %s|%s: first byte leaves cost %d of %d\n", prefix, comp, ds_jg_cost(sc, &one),
                    cost);
            return 1;
        }
    }
    if (np + (size_t)n >= sizeof text)
        return 0;
    memcpy(text, prefix, np);
    memcpy(text + np, comp, (size_t)n);
    json_t *v = json_loadb(text, np + (size_t)n, JSON_DECODE_ANY, NULL);
    int ok = v && validate(v, sch);
    if (!ok)
        fprintf(stderr, "completion %.*s does not parse or fit\n", (int)(np + (size_t)n), text);
    json_decref(v);
    return !ok;
}

static void test_completion(void)
{
    uint64_t r = 4242;
    int states = 0, bad = 0;
    for (size_t si = 0; budget_schema(si); si++) {
        const char *sj = budget_schema(si);
        ds_json_schema *sc;
        ds_err err;
        DS_REQUIRE(ds_json_schema_compile(&sc, sj, strlen(sj), "completion", &err) == DS_OK);
        json_t *sch = json_loads(sj, 0, NULL);
        DS_REQUIRE(sch);
        for (int walk = 0; walk < 40; walk++) {
            jg_state st;
            ds_jg_init(sc, &st);
            char text[8192];
            size_t tl = 0;
            for (int step = 0; step < 300 && !ds_jg_closed(sc, &st); step++) {
                bad += check_completion(sc, sch, &st, text, tl);
                states++;
                /* a random allowed byte, biased to printable ones */
                unsigned char ok[256];
                int na = 0;
                for (int c = 1; c < 256; c++) {
                    jg_state w = st;
                    if (ds_jg_step(sc, &w, (unsigned char)c))
                        ok[na++] = (unsigned char)c;
                }
                if (na == 0)
                    break;
                r ^= r << 13, r ^= r >> 7, r ^= r << 17;
                unsigned char c = ok[r % (uint64_t)na];
                DS_REQUIRE(ds_jg_step(sc, &st, c));
                text[tl++] = (char)c;
            }
            if (ds_jg_closed(sc, &st))
                bad += check_completion(sc, sch, &st, text, tl);
        }
        json_decref(sch);
        ds_json_schema_free(sc);
    }
    printf("shortest completions: %d states, %d failures\n", states, bad);
    DS_CHECK(bad == 0);
}

static void test_budget(void)
{
    const char *dir = ds_test_tmpdir();
    tiny_spec spec;
    tiny_spec_default(&spec);
    DS_REQUIRE(tiny_write(dir, &spec) == 0);
    ds_model *m;
    ds_err err;
    ds_model_opts o;
    ds_model_opts_default(&o);
    o.n_threads = 1;
    DS_REQUIRE(ds_model_load(&m, dir, &o, &err) == DS_OK);
    const int V = ds_model_config_of(m)->vocab_size;
    const char *bytes[1024];
    size_t lens[1024];
    char single[256];
    for (int i = 0; i < V; i++) {
        bytes[i] = NULL;
        lens[i] = 0;
        if (i < 256) {
            single[i] = (char)i;
            bytes[i] = &single[i];
            lens[i] = 1;
        } else if (i - 256 < (int)(sizeof PIECES / sizeof *PIECES)) {
            bytes[i] = PIECES[i - 256];
            lens[i] = strlen(PIECES[i - 256]);
        }
    }
    int32_t eos = 2;
    ds_json_vocab *voc;
    DS_REQUIRE(ds_json_vocab_create(&voc, V, bytes, lens, &eos, 1, &err) == DS_OK);
    int runs = 0, valid = 0, closed_early = 0;
    for (size_t si = 0; budget_schema(si); si++) {
        const char *sj = budget_schema(si);
        ds_json_schema *sc;
        DS_REQUIRE(ds_json_schema_compile(&sc, sj, strlen(sj), "budget", &err) == DS_OK);
        json_t *sch = json_loads(sj, 0, NULL);
        DS_REQUIRE(sch);
        ds_json_matcher *jm;
        DS_REQUIRE(ds_json_matcher_create(&jm, sc, voc, 0, &err) == DS_OK);
        const int min = ds_json_matcher_min_tokens(jm);
        for (int extra = 0; extra < 24; extra += 1 + extra / 4) {
            for (int seed = 0; seed < 3; seed++) {
                const int budget = min + extra;
                ds_sampler_params p;
                ds_sampler_params_default(&p);
                p.temperature = seed == 0 ? 0.0f : seed == 1 ? 1.0f : 3.0f;
                p.seed = (uint64_t)seed * 31 + si * 7 + (uint64_t)extra;
                ds_sampler *smp;
                ds_model_seq *seq;
                DS_REQUIRE(ds_sampler_create(&smp, V, &p, &err) == DS_OK);
                DS_REQUIRE(ds_model_seq_create(m, &seq, &err) == DS_OK);
                ds_json_matcher_reset(jm);
                int32_t prompt[3] = {(int32_t)(9 + seed), 101, (int32_t)(210 + si)};
                int32_t out[128];
                int n_out = 0, done = 0;
                DS_REQUIRE(budget <= (int)(sizeof out / sizeof *out));
                ds_status st = ds_model_generate(m, seq, prompt, 3, budget, smp, jm, out, &n_out, &done, NULL, NULL,
                                                 NULL, &err);
                DS_CHECKF(st == DS_OK, "generate: %s", err.msg);
                runs++;
                closed_early += ds_json_matcher_closing(jm);
                char text[8192];
                size_t tl = 0;
                for (int i = 0; i < n_out; i++)
                    if (out[i] != eos) {
                        memcpy(text + tl, bytes[out[i]], lens[out[i]]);
                        tl += lens[out[i]];
                    }
                text[tl] = 0;
                DS_CHECKF(n_out <= budget && ds_json_matcher_complete(jm),
                          "schema %zu budget %d: %d tokens, complete %d: %s", si, budget, n_out,
                          ds_json_matcher_complete(jm), text);
                json_t *v = json_loadb(text, tl, JSON_DECODE_ANY, NULL);
                int ok = v && validate(v, sch);
                DS_CHECKF(ok, "schema %zu budget %d: does not parse or fit: %s", si, budget, text);
                valid += ok;
                json_decref(v);
                if (seed == 1 && extra == 3)
                    printf("schema %zu, budget %d: %s\n", si, budget, text);
                ds_model_seq_free(seq);
                ds_sampler_free(smp);
            }
        }
        ds_json_matcher_free(jm);
        json_decref(sch);
        ds_json_schema_free(sc);
    }
    printf("budgets: %d runs, %d valid, %d closed early\n", runs, valid, closed_early);
    DS_CHECK(valid == runs);
    DS_CHECK(closed_early > 0);
    ds_json_vocab_free(voc);
    ds_model_free(m);
}

int main(void)
{
    test_completion();
    test_budget();
    test_sampler();
    test_grammar();
    test_masks_exact();
    test_generate();
    return ds_test_done();
}
