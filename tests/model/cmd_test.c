/* cmd_test.c - `dossier model info|generate|bench` on a tiny checkpoint, called through
 * ds_cmd_model with stdout captured: the printed facts match the checkpoint, generate prints
 * the same ids as the library's greedy loop, bench reports its figures, and bad usage exits 2.
 */
#include "model/tokenizer/tokenizer.h"
#include <jansson.h>
#include "model/model.h"
#include "pipeline/cli.h"
#include "tests/model/tiny_moe.h"
#include "tests/testlib.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char out[1 << 16];

/* Runs the command with stdout and stderr captured into out; returns its exit code. */
static int run(int argc, char **argv)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/cmd_out.txt", ds_test_tmpdir());
    fflush(stdout);
    fflush(stderr);
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
    int so = dup(1), se = dup(2);
    dup2(fd, 1);
    dup2(fd, 2);
    ds_cli cli;
    memset(&cli, 0, sizeof cli);
    int rc = ds_cmd_model(&cli, argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(so, 1);
    dup2(se, 2);
    close(so);
    close(se);
    close(fd);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(out, 1, sizeof out - 1, f) : 0;
    out[n] = '\0';
    if (f)
        fclose(f);
    return rc;
}

int main(void)
{
    tiny_spec s;
    tiny_spec_variant(&s, "temp");
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/cmd", ds_test_tmpdir());
    DS_REQUIRE(tiny_write(dir, &s) == 0);

    char *info[] = {"model", "info", dir, NULL};
    DS_CHECK(run(3, info) == 0);
    DS_CHECK(strstr(out, "Qwen3MoeForCausalLM") != NULL);
    DS_CHECK(strstr(out, "3 (3 sparse MoE, 0 dense MLP)") != NULL);
    DS_CHECK(strstr(out, "8, top-3, moe_intermediate 48") != NULL);
    DS_CHECK(strstr(out, "BF16 ") != NULL);
    char *info_t[] = {"model", "info", "--tensors", dir, NULL};
    DS_CHECK(run(4, info_t) == 0 && strstr(out, "model.layers.2.mlp.router_temperature") &&
             strstr(out, "model.layers.0.mlp.experts.7.down_proj.weight"));

    /* generate: the ids the library's greedy loop gives */
    char *gen[] = {"model",         "generate",     "--model", dir,     "--prompt-ids",
                   "5 17 99 3 250", "--max-tokens", "6",       "--ids", NULL};
    DS_CHECK(run(9, gen) == 0);
    ds_model *m;
    ds_err err;
    DS_REQUIRE(ds_model_load(&m, dir, NULL, &err) == DS_OK);
    ds_model_seq *seq;
    DS_REQUIRE(ds_model_seq_create(m, &seq, &err) == DS_OK);
    int32_t prompt[] = {5, 17, 99, 3, 250}, ids[6];
    int n = 0;
    DS_REQUIRE(ds_model_generate_greedy(m, seq, prompt, 5, 6, ids, &n, NULL, NULL, &err) == DS_OK);
    char want[256] = "";
    for (int i = 0; i < n; i++)
        snprintf(want + strlen(want), sizeof want - strlen(want), "%s%d", i ? " " : "", ids[i]);
    strcat(want, "\n");
    DS_CHECKF(strncmp(out, want, strlen(want)) == 0, "generate printed \"%s\", want \"%s\"", out, want);
    /* bytes per decode step: weights, plus the fp32 KV cache growing with the context */
    {
        const ds_model_config *mc = ds_model_config_of(m);
        const uint64_t b0 = ds_model_decode_bytes(m, 0), b10 = ds_model_decode_bytes(m, 10);
        DS_CHECKF(b10 - b0 == (uint64_t)10 * mc->num_layers * 2 * mc->num_kv_heads * mc->head_dim * 4,
                  "decode bytes: KV part %llu", (unsigned long long)(b10 - b0));
        DS_CHECKF(b0 > (uint64_t)mc->vocab_size * mc->hidden_size && b0 < ds_model_weight_bytes(m),
                  "decode bytes %llu of %llu weight bytes", (unsigned long long)b0,
                  (unsigned long long)ds_model_weight_bytes(m));
    }
    ds_model_seq_free(seq);
    ds_model_free(m);

    char *bench[] = {"model", "bench",     "--model", dir, "--prompt-tokens", "40", "--gen-tokens", "5", "--batch",
                     "3",     "--segment", "16",      NULL};
    DS_CHECK(run(12, bench) == 0);
    DS_CHECKF(strstr(out, "prefill        3 x 40 tokens") && strstr(out, "decode         3 x 5 tokens") &&
                  strstr(out, "peak memory") && strstr(out, "L1 100.0%"),
              "bench printed: %s", out);
    /* a cold first pass on its own line, the median of warm passes, decode against its bound */
    DS_CHECKF(strstr(out, "cold start     first pass: prefill 3 x 40 tokens") &&
                  strstr(out, "median of 3 warm passes") && strstr(out, "MB read per decode step") &&
                  strstr(out, "GB/s on ") && strstr(out, "steps/s, measured "),
              "bench printed: %s", out);

    /* text prompts through DIR/tokenizer.json (the Qwen3 tokenizer, a model with its vocabulary) */
    {
        tiny_spec t;
        tiny_spec_default(&t);
        t.vocab = 151936;
        t.tie_embeddings = 1;
        t.layers = 2;
        char tdir[4200], cmd[9000];
        snprintf(tdir, sizeof tdir, "%s/tok", ds_test_tmpdir());
        DS_REQUIRE(tiny_write(tdir, &t) == 0);
        const char *src = ds_test_shared("models/qwen3-tokenizer/tokenizer.json");
        if (!src)
            src = ds_test_source("extract/data/qwen3-tokenizer.json");
        snprintf(cmd, sizeof cmd, "cp '%s' '%s/tokenizer.json'", src, tdir);
        DS_REQUIRE(system(cmd) == 0);
        char *g1[] = {"model",        "generate", "--model", tdir, "--prompt", "The annual report of",
                      "--max-tokens", "5",        "--ids",   NULL};
        DS_CHECK(run(9, g1) == 0);
        /* the same through the library: encode, then greedy */
        ds_err e2;
        ds_tokenizer *tk;
        DS_REQUIRE(ds_tokenizer_load(&tk, src, &e2) == DS_OK);
        ds_tokens pt = DS_TOKENS_INIT;
        DS_REQUIRE(ds_tokenizer_encode(tk, "The annual report of", 20, 1, &pt, &e2) == DS_OK);
        DS_CHECK(pt.n == 4); /* "The", " annual", " report", " of" */
        ds_model *tm;
        DS_REQUIRE(ds_model_load(&tm, tdir, NULL, &e2) == DS_OK);
        ds_model_seq *ts;
        DS_REQUIRE(ds_model_seq_create(tm, &ts, &e2) == DS_OK);
        int32_t gi[5];
        int gn = 0;
        DS_REQUIRE(ds_model_generate_greedy(tm, ts, pt.v, (int)pt.n, 5, gi, &gn, NULL, NULL, &e2) == DS_OK);
        char w2[256] = "";
        for (int i = 0; i < gn; i++)
            snprintf(w2 + strlen(w2), sizeof w2 - strlen(w2), "%s%d", i ? " " : "", gi[i]);
        DS_CHECKF(strncmp(out, w2, strlen(w2)) == 0, "text prompt gave \"%s\", want \"%s\"", out, w2);
        /* without --ids the answer is decoded text */
        char *g2[] = {"model",        "generate", "--model", tdir, "--prompt", "The annual report of",
                      "--max-tokens", "5",        NULL};
        DS_CHECK(run(8, g2) == 0);
        ds_buf text = DS_BUF_INIT;
        DS_REQUIRE(ds_tokenizer_decode(tk, gi, (size_t)gn, 1, &text, &e2) == DS_OK);
        DS_CHECKF(strncmp(out, text.data ? text.data : "", text.len) == 0, "decoded \"%s\" vs \"%s\"", out, text.data);
        ds_buf_deinit(&text);
        /* --chat wraps the prompt in the im_start template */
        char *g3[] = {"model",  "generate",     "--model", tdir,    "--prompt", "Hi",
                      "--chat", "--max-tokens", "2",       "--ids", NULL};
        DS_CHECK(run(10, g3) == 0);
        /* --json-schema: sampled, the decoded answer is one JSON value fitting the schema */
        char schema[4300];
        snprintf(schema, sizeof schema, "%s/schema.json", tdir);
        FILE *sf = fopen(schema, "w");
        DS_REQUIRE(sf);
        fputs("{\"type\":\"object\",\"properties\":{\"company\":{\"type\":\"string\","
              "\"maxLength\":20},\"fiscal_year\":{\"type\":\"integer\"},\"strengths\":{"
              "\"type\":\"array\",\"items\":{\"type\":\"string\",\"maxLength\":10},"
              "\"maxItems\":2},\"risk\":{\"enum\":[\"low\",\"medium\",\"high\"]}},"
              "\"required\":[\"company\",\"fiscal_year\",\"risk\"]}",
              sf);
        fclose(sf);
        for (int seed = 1; seed <= 3; seed++) {
            char seed_s[16];
            snprintf(seed_s, sizeof seed_s, "%d", seed);
            char *g4[] = {"model",
                          "generate",
                          "--model",
                          tdir,
                          "--prompt",
                          "Facts:",
                          "--max-tokens",
                          "1500",
                          "--json-schema",
                          schema,
                          "--temperature",
                          "1.0",
                          "--top-p",
                          "0.95",
                          "--seed",
                          seed_s,
                          NULL};
            DS_CHECK(run(16, g4) == 0);
            json_error_t je;
            json_t *v = json_loads(out, JSON_DECODE_ANY, &je);
            DS_CHECKF(v && json_is_object(v) && json_is_string(json_object_get(v, "company")) &&
                          json_is_integer(json_object_get(v, "fiscal_year")) &&
                          json_is_string(json_object_get(v, "risk")),
                      "seed %d: schema output \"%s\" (%s)", seed, out, v ? "parsed" : je.text);
            json_decref(v);
        }
        /* the same seed gives the same answer; greedy with a schema also completes */
        char *g5[] = {"model",        "generate", "--model",       tdir,   "--prompt", "Facts:",
                      "--max-tokens", "1500",     "--json-schema", schema, "--ids",    NULL};
        DS_CHECK(run(11, g5) == 0);
        ds_tokens_deinit(&pt);
        ds_model_seq_free(ts);
        ds_model_free(tm);
        ds_tokenizer_free(tk);
    }

    /* usage errors */
    char *no_model[] = {"model", "generate", "--prompt-ids", "1", NULL};
    DS_CHECK(run(4, no_model) == DS_EXIT_USAGE);
    char *bad_ids[] = {"model", "generate", "--model", dir, "--prompt-ids", "1 x", NULL};
    DS_CHECK(run(6, bad_ids) == DS_EXIT_USAGE);
    char *text[] = {"model", "generate", "--model", dir, "--prompt", "hello", NULL};
    DS_CHECK(run(6, text) == DS_EXIT_USAGE && strstr(out, "tokenizer.json")); /* none in dir */
    char *missing[] = {"model", "info", "/nonexistent/checkpoint", NULL};
    DS_CHECK(run(3, missing) == DS_EXIT_USAGE && strstr(out, "/nonexistent/checkpoint"));
    char *sub[] = {"model", "frobnicate", NULL};
    DS_CHECK(run(2, sub) == DS_EXIT_USAGE);
    char *help[] = {"model", "--help", NULL};
    DS_CHECK(run(2, help) == 0 && strstr(out, "usage: dossier model info"));
    return ds_test_done();
}
