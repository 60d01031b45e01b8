/* llm_run_test.c - `dossier run` with model.dir set to a tiny random checkpoint (the real Qwen3
 * tokenizer): the run completes, the document loads its rule results, every model row carries
 * model name, checkpoint fingerprint and prompt version and passed the grounding check, and
 * the model's work is logged. A model that cannot run on a document (a context too small for
 * the prompt) leaves a note while the document still loads. The SWOT call over a document reuses
 * the facts call's KV for the whole document (document-first prompts), and answer budgets of a
 * few tokens give answers that parse and fit each task's schema. With the argument "pdfs" (ctest
 * t_extract_llm_pdfs, label slow): the real financial PDFs under a small answer budget leave no
 * answer unparsed, and every kept row is grounded.
 */
#include "extract/llm.h"
#include "model/llm/model_llm.h"
#include "tests/model/tiny_moe.h"
#include "testlib.h"
#include "testlib_pg.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Encodes head + doc + the task's tail as the driver does. */
static void task_prompt(const ds_tokenizer *tok, ds_llm_task t, const char *doc, ds_tokens *p)
{
    ds_err err;
    const char *head = ds_llm_prompt_head(), *task = ds_llm_prompt_task(t), *sch = ds_llm_schema(t),
               *suf = ds_llm_prompt_suffix(t);
    DS_REQUIRE(ds_tokenizer_encode(tok, head, strlen(head), 1, p, &err) == DS_OK);
    DS_REQUIRE(ds_tokenizer_encode(tok, doc, strlen(doc), 0, p, &err) == DS_OK);
    DS_REQUIRE(ds_tokenizer_encode(tok, task, strlen(task), 0, p, &err) == DS_OK);
    DS_REQUIRE(ds_tokenizer_encode(tok, sch, strlen(sch), 0, p, &err) == DS_OK);
    DS_REQUIRE(ds_tokenizer_encode(tok, suf, strlen(suf), 1, p, &err) == DS_OK);
}

/* The generator's kept sequences give the same answers as fresh ones; with the document first,
 * the second task's call over a document reuses the KV of the system text and the whole
 * document, and only prefills its own task. */
static void check_prefix_reuse(const char *ckpt)
{
    ds_model_opts mo;
    ds_model_opts_default(&mo);
    mo.n_threads = 2;
    ds_model_llm *l = NULL;
    ds_err err;
    DS_REQUIRE(ds_model_llm_open(&l, ckpt, &mo, 16, 4096, &err) == DS_OK);
    const ds_llm_generator *g = ds_model_llm_generator(l);
    DS_CHECK(g->max_new == 16 && g->max_context == 4096 && strcmp(g->model, "tiny-qwen3") == 0);
    char longdoc[4096] = "";
    for (int i = 0; i < 12; i++) /* a document much longer than the task's instructions */
        snprintf(longdoc + strlen(longdoc), sizeof longdoc - strlen(longdoc),
                 "<chunk id=%d>\nNet income was $%d million, and operating cash flow $%d million, in fiscal "
                 "20%02d.\n</chunk>\n",
                 i, 210 + i, 388 + 3 * i, 10 + i);
    const char *docs[] = {longdoc, "<chunk id=0>\nTotal debt was $5,600 million at year end.\n</chunk>\n",
                          "<chunk id=0>\nRevenue was $1,234 million.\n</chunk>\n"};
    for (int d = 0; d < 3; d++) {
        ds_tokens docpart = DS_TOKENS_INIT;
        const char *head = ds_llm_prompt_head();
        DS_REQUIRE(ds_tokenizer_encode(g->tok, head, strlen(head), 1, &docpart, &err) == DS_OK);
        DS_REQUIRE(ds_tokenizer_encode(g->tok, docs[d], strlen(docs[d]), 0, &docpart, &err) == DS_OK);
        for (int t = 0; t < 2; t++) {
            ds_tokens p = DS_TOKENS_INIT, a = DS_TOKENS_INIT, b = DS_TOKENS_INIT;
            task_prompt(g->tok, (ds_llm_task)t, docs[d], &p);
            DS_REQUIRE(g->generate(g->ctx, p.v, p.n, ds_llm_schema((ds_llm_task)t), 16, &a, &err) == DS_OK);
            ds_llm_answer_info info;
            g->answer_info(g->ctx, &info);
            if (t == 1) /* the swot call after the facts call of the same document */
                DS_CHECKF(info.reused >= docpart.n && (d > 0 || p.n - info.reused < p.n / 2),
                          "doc %d: second task reused %zu of %zu prompt tokens (document ends at %zu)", d, info.reused,
                          p.n, docpart.n);
            DS_REQUIRE(ds_model_generate_json(l, p.v, p.n, ds_llm_schema((ds_llm_task)t), 16, &b, &err) == DS_OK);
            DS_CHECKF(a.n == b.n && a.n > 0 && memcmp(a.v, b.v, a.n * sizeof(int32_t)) == 0,
                      "task %d doc %d: kept sequence answered differently", t, d);
            ds_tokens_deinit(&p);
            ds_tokens_deinit(&a);
            ds_tokens_deinit(&b);
        }
        ds_tokens_deinit(&docpart);
    }
    DS_CHECKF(ds_model_llm_reused_tokens(l) > 500, "reused %zu", ds_model_llm_reused_tokens(l));
    ds_model_llm_free(l);
}

/* The answer fits the task's schema: one object with only the task's array, whose items hold
 * exactly the required keys with their types (chunk an integer, category one of four). */
static int fits_schema(ds_llm_task t, json_t *v)
{
    static const char *const fkeys[] = {"metric", "value", "period", "unit", "chunk", "quote"};
    static const char *const skeys[] = {"category", "statement", "chunk", "quote"};
    const char *const *keys = t == DS_LLM_SWOT ? skeys : fkeys;
    size_t nk = t == DS_LLM_SWOT ? 4 : 6;
    json_t *arr = json_object_get(v, t == DS_LLM_SWOT ? "swot" : "facts");
    if (!json_is_object(v) || json_object_size(v) != 1 || !json_is_array(arr))
        return 0;
    size_t i;
    json_t *it;
    json_array_foreach(arr, i, it)
    {
        if (!json_is_object(it) || json_object_size(it) != nk)
            return 0;
        for (size_t k = 0; k < nk; k++) {
            json_t *f = json_object_get(it, keys[k]);
            if (strcmp(keys[k], "chunk") == 0 ? !json_is_integer(f) : !json_is_string(f))
                return 0;
        }
        const char *cat = json_string_value(json_object_get(it, "category"));
        if (t == DS_LLM_SWOT && strcmp(cat, "strength") && strcmp(cat, "weakness") && strcmp(cat, "opportunity") &&
            strcmp(cat, "threat"))
            return 0;
    }
    return 1;
}

/* Budgets of a few tokens, from the shortest answer the schema allows up, with the real
 * tokenizer's vocabulary: every answer is closed within its budget, parses whole and fits the
 * schema; a budget below the shortest answer is a configuration error. */
static void check_small_budgets(const char *ckpt)
{
    ds_model_opts mo;
    ds_model_opts_default(&mo);
    mo.n_threads = 2;
    ds_model_llm *l = NULL;
    ds_err err;
    DS_REQUIRE(ds_model_llm_open(&l, ckpt, &mo, 16, 4096, &err) == DS_OK);
    const ds_llm_generator *g = ds_model_llm_generator(l);
    int runs = 0, closed = 0;
    size_t items = 0;
    for (int t = 0; t < 2; t++) {
        ds_tokens p = DS_TOKENS_INIT;
        task_prompt(g->tok, (ds_llm_task)t, "<chunk id=0>\nRevenue was $1,234 million.\n</chunk>\n", &p);
        int min = 1;
        for (ds_status st; min < 64; min++) {
            ds_tokens a = DS_TOKENS_INIT;
            st = ds_model_generate_json(l, p.v, p.n, ds_llm_schema((ds_llm_task)t), min, &a, &err);
            ds_tokens_deinit(&a);
            if (st != DS_ERR_CONFIG)
                break;
        }
        DS_CHECKF(min > 3 && min < 64, "task %d: shortest answer budget %d", t, min);
        static const int extra[] = {0, 1, 2, 3, 5, 8, 13, 21, 34, 55};
        for (int e = 0; e < 10; e++) {
            const int budget = min + extra[e];
            ds_tokens a = DS_TOKENS_INIT;
            ds_buf text = DS_BUF_INIT;
            DS_REQUIRE(g->generate(g->ctx, p.v, p.n, ds_llm_schema((ds_llm_task)t), budget, &a, &err) == DS_OK);
            ds_llm_answer_info info;
            g->answer_info(g->ctx, &info);
            closed += info.closed_early != 0;
            size_t n = a.n; /* the model's end-of-text id ends a closed answer (2 in the tiny config) */
            if (n && a.v[n - 1] == ds_model_config_of(ds_model_llm_model(l))->eos_token_ids[0])
                n--;
            DS_REQUIRE(ds_tokenizer_decode(g->tok, a.v, n, 1, &text, &err) == DS_OK);
            json_error_t jerr;
            json_t *v = json_loadb(text.data ? text.data : "", text.len, 0, &jerr);
            DS_CHECKF(a.n <= (size_t)budget && v && fits_schema((ds_llm_task)t, v),
                      "task %d budget %d: %zu tokens, answer does not parse or fit: %s", t, budget, a.n,
                      text.data ? text.data : "");
            ds_llm_output o = {0};
            DS_CHECK(ds_llm_parse((ds_llm_task)t, text.data ? text.data : "", text.len, &o, &err) == DS_OK &&
                     !o.salvaged);
            runs++;
            items += o.n_facts + o.n_swot + o.malformed;
            if (e == 9)
                printf("task %d, budget %d: %s\n", t, budget, text.data ? text.data : "");
            ds_llm_output_free(&o);
            json_decref(v);
            ds_buf_deinit(&text);
            ds_tokens_deinit(&a);
        }
        ds_tokens_deinit(&p);
    }
    printf("small budgets: %d answers, %d closed early, %zu items\n", runs, closed, items);
    DS_CHECK(closed > 0 && items > 0);
    ds_model_llm_free(l);
}

static const char report[] =
    "ANNUAL REPORT\n\nRevenue was $1,234 million in 2023, up 12% from $1,102 million in 2022. Net income was "
    "$210 million.\n\nRISK FACTORS\n\nOur lenders may call the term loan early. Total debt was $5,600 million "
    "at December 31, 2023.\n";

/* Every model row present passed the grounding check: re-check it against its chunk. */
static void check_grounded(PGconn *c)
{
    PGresult *r = PQexec(c, "SELECT ch.text, f.value_text, f.quote FROM facts f JOIN chunks ch ON ch.document_id = "
                            "f.document_id AND ch.seq = f.chunk_seq WHERE f.source_extractor = 'model' UNION ALL "
                            "SELECT ch.text, NULL, s.quote FROM swot_items s JOIN chunks ch ON ch.document_id = "
                            "s.document_id AND ch.seq = s.chunk_seq WHERE s.source_extractor = 'model'");
    DS_REQUIRE(PQresultStatus(r) == PGRES_TUPLES_OK);
    for (int i = 0; i < PQntuples(r); i++) {
        const char *text = PQgetvalue(r, i, 0);
        DS_CHECK(ds_ground_quote(text, strlen(text), PQgetvalue(r, i, 2), NULL));
        if (!PQgetisnull(r, i, 1))
            DS_CHECK(ds_ground_number(text, strlen(text), PQgetvalue(r, i, 1), NULL));
    }
    printf("model rows: %d\n", PQntuples(r));
    PQclear(r);
}

/* The real financial PDFs under a small answer budget: random weights always run to the
 * budget, so every answer is closed early by the decoder; none may be left unparsed. */
static void run_pdfs(const char *bin, const char *dsn, const char *dir, const char *ckpt)
{
    const char *pdfs = ds_test_shared("data/financial_pdf");
    if (!pdfs) {
        printf("SKIP: no shared financial PDFs\n");
        return;
    }
    char inbox[2200], cfg[2200], yaml[4096], out[32768];
    snprintf(inbox, sizeof inbox, "%s/pdfs", dir);
    DS_REQUIRE(ds_test_sh(NULL, 0, "mkdir -p '%s' && cp '%s'/*.pdf '%s'/", inbox, pdfs, inbox) == 0);
    snprintf(cfg, sizeof cfg, "%s/pdfs.yaml", dir);
    /* A budget of 128 answer tokens (grown up to 4x for table rows): random weights run every
     * answer to its budget, so closing is exercised on every call at a quarter of the default's
     * decoding time. */
    snprintf(yaml, sizeof yaml, "model:\n  dir: \"%s\"\n  threads: 2\n  max_context: 8192\n  max_new_tokens: 128\n",
             ckpt);
    ds_test_write_file(cfg, yaml);
    int rc = ds_test_sh(out, sizeof out, "'%s' --config '%s' --db '%s' --log '%s/pdfs.jsonl' run '%s' 2>&1", bin, cfg,
                        dsn, dir, inbox);
    DS_CHECKF(rc == 0, "dossier run exited %d: %s", rc, out);
    const char *line = strstr(out, "model: ");
    long calls = 0, unparsed = -1, truncated = -1, salvaged = -1, closed = -1, cut = -1;
    long long pt = 0, at = 0;
    double secs = 0;
    DS_REQUIRE(line);
    printf("%.*s\n", (int)strcspn(line, "\n"), line);
    DS_REQUIRE(sscanf(line,
                      "model: %ld calls, %lld prompt and %lld answer tokens in %lf s; %ld unparsed, %ld truncated, "
                      "%ld salvaged, %ld closed early (%ld cut",
                      &calls, &pt, &at, &secs, &unparsed, &truncated, &salvaged, &closed, &cut) == 9);
    DS_CHECK(calls > 0 && unparsed == 0 && truncated == 0 && salvaged == 0);
    DS_CHECKF(closed > 0, "no answer was closed early in %ld calls", calls);
    PGconn *c = PQconnectdb(dsn);
    DS_REQUIRE(PQstatus(c) == CONNECTION_OK);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM documents WHERE name LIKE '%.pdf' AND status = 'loaded'") >= 3);
    check_grounded(c);
    PQfinish(c);
}

int main(int argc, char **argv)
{
    const char *dsn = ds_test_db_create(argc > 1 ? "t_extract_llm_pdfs" : "t_extract_llm_run");
    const char *bin = getenv("DOSSIER_BIN");
    DS_REQUIRE(bin);
    char dir[2048], ckpt[2100], inbox[2100], path[2200], cfg[2200], out[32768], cmd[8192];
    snprintf(dir, sizeof dir, "%s", ds_test_tmpdir());
    snprintf(ckpt, sizeof ckpt, "%s/tiny-qwen3", dir);
    tiny_spec t;
    tiny_spec_default(&t);
    t.vocab = 151936; /* the Qwen3 tokenizer's ids */
    t.tie_embeddings = 1;
    t.layers = 2;
    DS_REQUIRE(tiny_write(ckpt, &t) == 0);
    const char *tok = ds_test_shared("models/qwen3-tokenizer/tokenizer.json");
    if (!tok)
        tok = ds_test_source("extract/data/qwen3-tokenizer.json");
    snprintf(cmd, sizeof cmd, "cp '%s' '%s/tokenizer.json'", tok, ckpt);
    DS_REQUIRE(system(cmd) == 0);
    if (argc > 1 && strcmp(argv[1], "pdfs") == 0) {
        run_pdfs(bin, dsn, dir, ckpt);
        return ds_test_done();
    }
    char fp[65];
    ds_err err;
    DS_REQUIRE(ds_llm_fingerprint(ckpt, fp, &err) == DS_OK);
    check_prefix_reuse(ckpt);
    check_small_budgets(ckpt);

    snprintf(inbox, sizeof inbox, "%s/inbox", dir);
    mkdir(inbox, 0777);
    snprintf(path, sizeof path, "%s/report.txt", inbox);
    ds_test_write_file(path, report);
    snprintf(cfg, sizeof cfg, "%s/dossier.yaml", dir);
    char yaml[8192];
    snprintf(yaml, sizeof yaml, "model:\n  dir: \"%s\"\n  threads: 2\n  max_new_tokens: 24\n  max_context: 4096\n",
             ckpt);
    ds_test_write_file(cfg, yaml);
    int rc = ds_test_sh(out, sizeof out, "'%s' --config '%s' --db '%s' --log '%s/log.jsonl' run '%s' 2>&1", bin, cfg,
                        dsn, dir, inbox);
    DS_CHECKF(rc == 0, "dossier run exited %d: %s", rc, out);
    /* the run summary: the SWOT call of each window reused the facts call's document */
    const char *wl = strstr(out, "model: ");
    wl = wl ? strstr(wl + 1, "model: ") : NULL;
    long windows = 0, grown = -1, dropped = -1;
    long long reused = 0;
    DS_CHECKF(wl && sscanf(wl,
                           "model: %ld windows, %lld prompt tokens reused, %ld facts budgets grown for table "
                           "rows, %ld items dropped",
                           &windows, &reused, &grown, &dropped) == 4,
              "no model windows line: %s", out);
    DS_CHECKF(windows >= 1 && reused > 100 * windows && grown >= 0 && dropped >= 0, "%ld windows, %lld reused", windows,
              reused);

    PGconn *c = PQconnectdb(dsn);
    DS_REQUIRE(PQstatus(c) == CONNECTION_OK);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM documents WHERE name = 'report.txt' AND status = 'loaded'") ==
             1);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM chunks") > 0);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM facts WHERE source_extractor <> 'model'") >= 0);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM facts WHERE source_extractor = 'model' AND (model IS NULL OR "
                                  "model_fingerprint IS NULL OR prompt_version IS DISTINCT FROM 'facts-v2')") == 0);
    DS_CHECK(ds_test_pg_scalar(c,
                               "SELECT count(*) FROM swot_items WHERE source_extractor = 'model' AND (model IS NULL OR "
                               "model_fingerprint IS NULL OR prompt_version IS DISTINCT FROM 'swot-v2')") == 0);
    char q[1024];
    snprintf(q, sizeof q,
             "SELECT count(*) FROM (SELECT model, model_fingerprint FROM facts WHERE source_extractor = 'model' "
             "UNION ALL SELECT model, model_fingerprint FROM swot_items WHERE source_extractor = 'model') m "
             "WHERE model <> 'tiny-qwen3' OR model_fingerprint <> '%s'",
             fp);
    DS_CHECK(ds_test_pg_scalar(c, q) == 0);
    DS_CHECK(ds_test_pg_scalar(
                 c, "SELECT count(*) FROM facts WHERE model IS NOT NULL AND source_extractor <> 'model'") == 0);
    check_grounded(c);
    DS_CHECK(
        ds_test_pg_scalar(c, "SELECT count(*) FROM facts WHERE source_extractor = 'model' AND chunk_seq IS NULL") == 0);
    snprintf(cmd, sizeof cmd, "grep -c 'model calls' '%s/log.jsonl'", dir);
    DS_CHECKF(ds_test_sh(out, sizeof out, "%s", cmd) == 0 && atoi(out) == 1, "no model summary in the log: %s", out);
    snprintf(cmd, sizeof cmd, "grep -q 'tiny-qwen3' '%s/log.jsonl'", dir);
    DS_CHECK(ds_test_sh(NULL, 0, "%s", cmd) == 0);
    /* model.backend (default auto) reaches the run: the backend choice is logged, the CUDA one
     * or the fall back to the CPU */
    snprintf(cmd, sizeof cmd, "grep -c -e 'model backend auto: ' -e 'model backend: cuda' '%s/log.jsonl'", dir);
    DS_CHECKF(ds_test_sh(out, sizeof out, "%s", cmd) == 0 && atoi(out) == 1, "no backend choice in the log: %s", out);

    /* a context too small for the prompt: the model fails on the document, the run goes on */
    snprintf(path, sizeof path, "%s/second.txt", inbox);
    ds_test_write_file(path,
                       "CREDIT MEMO\n\nThe borrower's leverage rose to 4.2x. Substantial doubt about its ability to "
                       "continue as a going concern was raised.\n");
    snprintf(yaml, sizeof yaml, "model:\n  dir: \"%s\"\n  threads: 2\n  max_new_tokens: 500\n  max_context: 512\n",
             ckpt);
    ds_test_write_file(cfg, yaml);
    rc = ds_test_sh(out, sizeof out, "'%s' --config '%s' --db '%s' --log '%s/log2.jsonl' run '%s' 2>&1", bin, cfg, dsn,
                    dir, inbox);
    DS_CHECKF(rc == 0, "second run exited %d: %s", rc, out);
    DS_CHECKF(ds_test_pg_scalar(c, "SELECT count(*) FROM documents WHERE name = 'second.txt' AND status = 'loaded' AND "
                                   "meta->>'notes' LIKE '%model backend failed:%max_context%'") == 1,
              "second.txt: %s", out);
    DS_CHECK(ds_test_pg_scalar(c, "SELECT count(*) FROM swot_items s JOIN documents d ON d.id = s.document_id WHERE "
                                  "d.name = 'second.txt' AND s.source_extractor = 'rules'") >= 1);
    PQfinish(c);

    /* a checkpoint folder that is not one: the run refuses to start */
    snprintf(yaml, sizeof yaml, "model:\n  dir: \"%s\"\n", inbox);
    ds_test_write_file(cfg, yaml);
    rc = ds_test_sh(out, sizeof out, "'%s' --config '%s' --db '%s' run '%s' 2>&1", bin, cfg, dsn, inbox);
    DS_CHECKF(rc != 0 && strstr(out, "model.dir"), "bad model.dir: rc %d: %s", rc, out);
    return ds_test_done();
}
