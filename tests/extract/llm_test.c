/* llm_test.c - the model backend's pieces without the engine: the embedded schemas against
 * extract/schemas/, the prompt layout, the tolerant parser, the grounding check (values and
 * quotes that are in the cited chunk kept; absent ones, numbers shown only in another chunk and
 * near-miss quotes dropped), and the per-document driver fed by a scripted generator (windows
 * split by max_context, grounded records carrying model, fingerprint and prompt version).
 */
#include "extract/llm.h"
#include "testlib.h"

#include "pipeline/core/alloc.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static void test_schemas(void)
{
    const char *files[] = {"extract/schemas/facts-v2.json", "extract/schemas/swot-v2.json"};
    for (int t = 0; t < 2; t++) {
        json_error_t e;
        json_t *file = json_load_file(ds_test_source(files[t]), 0, &e);
        json_t *emb = json_loads(ds_llm_schema((ds_llm_task)t), 0, &e);
        DS_REQUIRE(file && emb);
        DS_CHECKF(json_equal(file, emb), "embedded schema %d differs from %s", t, files[t]);
        json_decref(file);
        json_decref(emb);
    }
    DS_CHECK_STREQ(ds_llm_prompt_version(DS_LLM_FACTS), "facts-v2");
    DS_CHECK_STREQ(ds_llm_prompt_version(DS_LLM_SWOT), "swot-v2");
}

static ds_chunk mk_chunk(int seq, const char *text)
{
    ds_chunk c = {0};
    c.seq = seq;
    c.text = text;
    c.text_len = strlen(text);
    c.byte_end = c.text_len;
    c.page_first = c.page_last = seq + 1;
    return c;
}

static void test_prompt(void)
{
    ds_chunk v[2] = {mk_chunk(0, "Revenue was $1,234 million."), mk_chunk(1, "Debt rose.")};
    ds_chunk_list cl = {v, 2};
    ds_buf b = DS_BUF_INIT, w = DS_BUF_INIT;
    DS_REQUIRE(ds_llm_prompt_text(DS_LLM_FACTS, &cl, 0, 2, &b) == DS_OK);
    DS_REQUIRE(ds_llm_prompt_text(DS_LLM_SWOT, &cl, 0, 2, &w) == DS_OK);
    const char *head = ds_llm_prompt_head();
    DS_CHECK(strncmp(b.data, head, strlen(head)) == 0); /* the shared system text comes first */
    const char *s = strstr(b.data, ds_llm_schema(DS_LLM_FACTS)), *c0 = strstr(b.data, "<chunk id=0>\nRevenue"),
               *c1 = strstr(b.data, "<chunk id=1>\nDebt rose.\n</chunk>"),
               *task = strstr(b.data, ds_llm_prompt_task(DS_LLM_FACTS));
    DS_CHECK(s && c0 && c1 && task && c0 < c1 && c1 < task && task < s); /* document, then the task */
    DS_CHECK(strstr(b.data, "<|im_start|>assistant\n") != NULL);
    /* both tasks' prompts are the same up to the end of the document */
    size_t doc_end = (size_t)(c1 - b.data) + strlen("<chunk id=1>\nDebt rose.\n</chunk>\n");
    size_t same = 0;
    while (same < b.len && same < w.len && b.data[same] == w.data[same])
        same++;
    DS_CHECKF(same >= doc_end && same < b.len, "facts and swot prompts share %zu bytes, the document ends at %zu", same,
              doc_end);
    ds_buf_deinit(&b);
    ds_buf_deinit(&w);
}

static void test_parse(void)
{
    ds_err err;
    ds_llm_output o = {0};
    const char *junk =
        "Sure! Here it is:\n```json\n{\"facts\":[{\"metric\":\"revenue\",\"value\":\"$1,234\","
        "\"period\":\"2023\",\"unit\":\"USD millions\",\"chunk\":0,\"quote\":\"Revenue was $1,234 "
        "million\"},{\"metric\":\"x\"},7,{\"metric\":\"m\",\"value\":\"1\",\"period\":\"\",\"unit\":\"\","
        "\"chunk\":\"0\",\"quote\":\"q\"}]}\n```\nHope this helps {";
    DS_REQUIRE(ds_llm_parse(DS_LLM_FACTS, junk, strlen(junk), &o, &err) == DS_OK);
    DS_CHECK(o.n_facts == 1 && o.malformed == 3);
    DS_CHECK(o.n_facts == 1 && strcmp(o.facts[0].value, "$1,234") == 0 && o.facts[0].chunk == 0);
    ds_llm_output_free(&o);

    const char *arr = "[{\"category\":\"threat\",\"statement\":\"Lenders may call the loan.\",\"chunk\":1,"
                      "\"quote\":\"may call the term loan\"},{\"category\":\"risk\",\"statement\":\"s\",\"chunk\":1,"
                      "\"quote\":\"qqqqqqqqq\"}] trailing";
    memset(&o, 0, sizeof o);
    DS_REQUIRE(ds_llm_parse(DS_LLM_SWOT, arr, strlen(arr), &o, &err) == DS_OK);
    DS_CHECK(o.n_swot == 1 && o.swot[0].category == DS_SWOT_THREAT && o.malformed == 1);
    ds_llm_output_free(&o);

    const char *bad[] = {"", "no json at all", "{\"facts\": [", "{\"other\": []}", "[[[[", "{\"swot\":[]}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&o, 0, sizeof o);
        DS_CHECKF(ds_llm_parse(DS_LLM_FACTS, bad[i], strlen(bad[i]), &o, &err) == DS_ERR_PARSE, "bad[%zu]", i);
        DS_CHECK(o.n_facts == 0);
        ds_llm_output_free(&o);
    }
    /* cut short: the complete items are read, the one cut is not */
    const char *cut2 = "{\"facts\": [{\"metric\":\"revenue\",\"value\":\"$1,234\",\"period\":\"2023\",\"unit\":\"USD\","
                       "\"chunk\":0,\"quote\":\"Revenue was $1,234 [million] {\\\"x\"},{\"metric\":\"net_income\","
                       "\"value\":\"$210\",\"period\":\"2023\",\"unit\":\"USD\",\"chunk\":0,\"quote\":\"Net in";
    memset(&o, 0, sizeof o);
    DS_REQUIRE(ds_llm_parse(DS_LLM_FACTS, cut2, strlen(cut2), &o, &err) == DS_OK);
    DS_CHECK(o.salvaged == 1 && o.n_facts == 1 && o.malformed == 0 && o.last_kept == 1);
    DS_CHECK(o.n_facts == 1 && strcmp(o.facts[0].quote, "Revenue was $1,234 [million] {\"x") == 0);
    ds_llm_output_free(&o);
    const char *cut3 = "[{\"category\":\"threat\",\"statement\":\"s\",\"chunk\":1,\"quote\":\"qqqqqqqqq\"}, 7, {\"cat";
    memset(&o, 0, sizeof o);
    DS_REQUIRE(ds_llm_parse(DS_LLM_SWOT, cut3, strlen(cut3), &o, &err) == DS_OK);
    DS_CHECK(o.salvaged == 1 && o.n_swot == 1 && o.malformed == 1 && o.last_kept == 0);
    ds_llm_output_free(&o);
    /* not NUL-terminated: the parser stays inside n */
    char cut[] = {'{', '"', 'f', 'a', 'c', 't', 's', '"', ':', '[', ']', '}', 'X'};
    memset(&o, 0, sizeof o);
    DS_CHECK(ds_llm_parse(DS_LLM_FACTS, cut, 12, &o, &err) == DS_OK && o.n_facts == 0);
    ds_llm_output_free(&o);
}

static void test_numbers(void)
{
    char k[64];
    struct {
        const char *in, *key;
    } cases[] = {{"$1,234", "1234"},
                 {"(1,234)", "1234"},
                 {"$1.2 million", "1.2"},
                 {"-3.50%", "3.50"},
                 {"12", "12"},
                 {"USD 0.75", "0.75"},
                 {".5", ".5"},
                 {"2023 and 2022", ""},
                 {"n/a", ""},
                 {"1,234,567", "1234567"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ds_ground_number_key(cases[i].in, k, sizeof k);
        DS_CHECKF(strcmp(k, cases[i].key) == 0, "%s -> %s, want %s", cases[i].in, k, cases[i].key);
    }
    const char *t = "Net loss was $(1,234) thousand, against 12,345 in 2022 and 1.25 per share.";
    size_t off = 0;
    DS_CHECK(ds_ground_number(t, strlen(t), "(1,234)", &off) && off == (size_t)(strstr(t, "1,234") - t));
    DS_CHECK(ds_ground_number(t, strlen(t), "$1,234", NULL));
    DS_CHECK(ds_ground_number(t, strlen(t), "12,345", NULL));
    DS_CHECK(ds_ground_number(t, strlen(t), "$1.25", NULL));
    DS_CHECK(!ds_ground_number(t, strlen(t), "1,23", NULL));  /* a part of a printed number */
    DS_CHECK(!ds_ground_number(t, strlen(t), "2,345", NULL)); /* the tail of 12,345 */
    DS_CHECK(!ds_ground_number(t, strlen(t), "1.2", NULL));   /* 1.25 is not 1.2 */
    DS_CHECK(!ds_ground_number(t, strlen(t), "5,000", NULL));
    DS_CHECK(!ds_ground_number(t, strlen(t), "none", NULL));
}

static void test_quotes(void)
{
    const char *t = "Our lenders may call the \xe2\x80\x9cterm loan\xe2\x80\x9d early.\n  The company\xe2\x80\x99s "
                    "liquidity is ADEQUATE.";
    size_t off = 0;
    DS_CHECK(ds_ground_quote(t, strlen(t), "lenders may call the \"term loan\" early", &off) &&
             off == (size_t)(strstr(t, "lenders") - t));
    DS_CHECK(ds_ground_quote(t, strlen(t), "  early. the company's liquidity   is adequate ", &off) &&
             off == (size_t)(strstr(t, "early") - t));
    DS_CHECK(!ds_ground_quote(t, strlen(t), "lenders may call the term loan early", NULL));       /* quotes dropped */
    DS_CHECK(!ds_ground_quote(t, strlen(t), "lenders might call the \"term loan\" early", NULL)); /* one word */
    DS_CHECK(!ds_ground_quote(t, strlen(t), "liquidity is adequate!", NULL));
    DS_CHECK(!ds_ground_quote(t, strlen(t), "early", NULL)); /* too short to mean anything */
    DS_CHECK(!ds_ground_quote(t, strlen(t), "", NULL));
}

static const char chunk0[] = "Revenue was $1,234 million in 2023, up 12% from 2022.";
static const char chunk1[] = "Total debt was $5,600 million. Our lenders may call the term loan early.";

static void test_ground_output(void)
{
    ds_chunk v[2] = {mk_chunk(0, chunk0), mk_chunk(1, chunk1)};
    ds_chunk_list cl = {v, 2};
    const char *ans =
        "{\"facts\":["
        "{\"metric\":\"revenue\",\"value\":\"$1,234\",\"period\":\"2023\",\"unit\":\"USD millions\",\"chunk\":0,"
        "\"quote\":\"Revenue was $1,234 million in 2023\"}," /* kept */
        "{\"metric\":\"total_debt\",\"value\":\"$5,600\",\"period\":\"2023\",\"unit\":\"USD millions\",\"chunk\":0,"
        "\"quote\":\"Revenue was $1,234 million in 2023\"}," /* number only in chunk 1: dropped */
        "{\"metric\":\"revenue\",\"value\":\"$1,243\",\"period\":\"2023\",\"unit\":\"USD millions\",\"chunk\":0,"
        "\"quote\":\"Revenue was $1,234 million in 2023\"}," /* value not printed: dropped */
        "{\"metric\":\"revenue\",\"value\":\"$1,234\",\"period\":\"2023\",\"unit\":\"USD millions\",\"chunk\":0,"
        "\"quote\":\"Revenue was $1,234 millions in 2023\"}," /* near-miss quote: dropped */
        "{\"metric\":\"revenue\",\"value\":\"$1,234\",\"period\":\"2023\",\"unit\":\"USD millions\",\"chunk\":9,"
        "\"quote\":\"Revenue was $1,234 million in 2023\"}" /* no such chunk: dropped */
        "]}";
    ds_llm_output o = {0};
    ds_err err;
    ds_ground_stats gs = {0};
    DS_REQUIRE(ds_llm_parse(DS_LLM_FACTS, ans, strlen(ans), &o, &err) == DS_OK && o.n_facts == 5);
    ds_ground_output(&o, &cl, &gs);
    DS_CHECK(o.n_facts == 1 && gs.facts_kept == 1 && gs.facts_dropped == 4);
    DS_CHECK(o.n_facts == 1 && strcmp(o.facts[0].metric, "revenue") == 0);
    ds_llm_output_free(&o);

    const char *sw = "{\"swot\":[{\"category\":\"threat\",\"statement\":\"Lenders may accelerate the loan.\","
                     "\"chunk\":1,\"quote\":\"our lenders may call the term loan early\"},"
                     "{\"category\":\"strength\",\"statement\":\"Revenue grew.\",\"chunk\":1,"
                     "\"quote\":\"Revenue was $1,234 million\"}," /* quote is in chunk 0 */
                     "{\"category\":\"weakness\",\"statement\":\"Debt is high.\",\"chunk\":1,"
                     "\"quote\":\"Total debt was $5,600 billion\"}]}"; /* near miss */
    memset(&o, 0, sizeof o);
    memset(&gs, 0, sizeof gs);
    DS_REQUIRE(ds_llm_parse(DS_LLM_SWOT, sw, strlen(sw), &o, &err) == DS_OK && o.n_swot == 3);
    ds_ground_output(&o, &cl, &gs);
    DS_CHECK(o.n_swot == 1 && gs.swot_kept == 1 && gs.swot_dropped == 2);
    DS_CHECK(o.n_swot == 1 && o.swot[0].category == DS_SWOT_THREAT);
    ds_llm_output_free(&o);
}

/* A scripted generator: answers in turn, encoded with the real tokenizer. */
typedef struct script {
    const ds_tokenizer *tok;
    const char *const *answers;
    int n, next;
    size_t max_prompt;
    int max_context, max_new;
    int over_budget;
    int budgets[16]; /* max_new of each call */
    int n_calls;
} script;

static ds_status scripted(void *ctx, const int32_t *prompt, size_t n, const char *schema, int max_new, ds_tokens *out,
                          ds_err *err)
{
    script *s = ctx;
    (void)prompt;
    if (!schema || n + (size_t)max_new > (size_t)s->max_context)
        s->over_budget++;
    if (n > s->max_prompt)
        s->max_prompt = n;
    if (s->n_calls < 16)
        s->budgets[s->n_calls++] = max_new;
    const char *a = s->next < s->n ? s->answers[s->next] : "";
    s->next++;
    return ds_tokenizer_encode(s->tok, a, strlen(a), 0, out, err);
}

static void test_driver(const ds_tokenizer *tok)
{
    ds_err err;
    ds_document *doc;
    DS_REQUIRE(ds_document_create(&doc, &err) == DS_OK);
    doc->name = "report.txt";
    DS_REQUIRE(ds_buf_puts(&doc->text, chunk0) == DS_OK && ds_buf_puts(&doc->text, "\n\n") == DS_OK &&
               ds_buf_puts(&doc->text, chunk1) == DS_OK);
    ds_chunk v[2] = {mk_chunk(0, doc->text.data), mk_chunk(1, doc->text.data + strlen(chunk0) + 2)};
    v[0].text_len = strlen(chunk0);
    v[0].byte_end = v[0].text_len;
    v[1].text_len = strlen(chunk1);
    v[1].byte_start = strlen(chunk0) + 2;
    v[1].byte_end = v[1].byte_start + v[1].text_len;
    ds_chunk_list cl = {v, 2};
    const char *answers[] = {
        /* facts: one grounded in chunk 0, one citing chunk 0 for chunk 1's number */
        "{\"facts\":[{\"metric\":\"revenue\",\"value\":\"$1,234\",\"period\":\"year ended December 31, 2023\","
        "\"unit\":\"USD millions\",\"chunk\":0,\"quote\":\"Revenue was $1,234 million in "
        "2023\"},{\"metric\":\"debt\",\"value\":\"5,600\","
        "\"period\":\"2023\",\"unit\":\"USD millions\",\"chunk\":0,\"quote\":\"Total debt was $5,600 million\"}]}",
        /* swot: a grounded threat */
        "junk {\"swot\":[{\"category\":\"threat\",\"statement\":\"Lenders may accelerate.\",\"chunk\":1,"
        "\"quote\":\"lenders may call the term loan early\"}]}",
    };
    script s = {tok, answers, 2, 0, 0, 4096, 64, 0, {0}, 0};
    ds_llm_generator gen = {scripted, &s, tok, 4096, 64, "tiny", "abc123", NULL};
    ds_fact_list facts = {0};
    ds_swot_list swot = {0};
    ds_llm_stats st;
    DS_REQUIRE(ds_llm_extract_document(&gen, doc, &cl, NULL, &facts, &swot, &st, &err) == DS_OK);
    DS_CHECK(st.calls == 2 && s.over_budget == 0);
    DS_CHECK(st.ground.facts_kept == 1 && st.ground.facts_dropped == 1 && st.ground.swot_kept == 1);
    DS_REQUIRE(facts.n == 1 && swot.n == 1);
    const ds_fact *f = &facts.v[0];
    DS_CHECK_STREQ(f->source_extractor, "model");
    DS_CHECK_STREQ(f->model, "tiny");
    DS_CHECK_STREQ(f->model_fingerprint, "abc123");
    DS_CHECK_STREQ(f->prompt_version, "facts-v2");
    DS_CHECK_STREQ(f->metric, "revenue");
    DS_CHECK_STREQ(f->value, "1234000000"); /* scaled by the unit, as table facts are */
    DS_CHECK_STREQ(f->period_start, "2023-01-01");
    DS_CHECK_STREQ(f->period_end, "2023-12-31");
    DS_CHECK_STREQ(f->value_text, "$1,234");
    DS_CHECK(f->chunk_seq == 0 && f->byte_off == 0);
    const ds_swot_item *it = &swot.v[0];
    DS_CHECK_STREQ(it->prompt_version, "swot-v2");
    DS_CHECK_STREQ(it->source_extractor, "model");
    DS_CHECK(it->chunk_seq == 1 && it->category == DS_SWOT_THREAT && it->page == 2);
    DS_CHECK(it->byte_off == v[1].byte_start + (size_t)(strstr(chunk1, "lenders") - chunk1));
    DS_CHECK(it->evidence && strstr(it->evidence, "\"chunk\":1"));

    /* a small max_context: one window per chunk, so four calls; each prompt within budget */
    ds_fact_list f2 = {0};
    ds_swot_list s2 = {0};
    size_t head = s.max_prompt;
    script s3 = {tok, answers, 0, 0, 0, 0, 64, 0, {0}, 0};
    ds_llm_generator g3 = gen;
    g3.ctx = &s3;
    g3.max_context = (int)head + 64 - 10; /* both chunks no longer fit together */
    s3.max_context = g3.max_context;
    DS_REQUIRE(ds_llm_extract_document(&g3, doc, &cl, NULL, &f2, &s2, &st, &err) == DS_OK);
    DS_CHECK(st.calls == 4 && s3.over_budget == 0 && st.unparsed == 4);
    /* too small for the prompt alone: an error, nothing added */
    g3.max_context = 100;
    DS_CHECK(ds_llm_extract_document(&g3, doc, &cl, NULL, &f2, &s2, &st, &err) == DS_ERR_CONFIG);
    DS_CHECK(f2.n == 0 && s2.n == 0);
    ds_fact_list_free(&f2);
    ds_swot_list_free(&s2);
    ds_fact_list_free(&facts);
    ds_swot_list_free(&swot);
    ds_document_free(doc);
}

/* Tokens of the prompt around the chunks: the head and the longer of the two task tails. */
static size_t fixed_prompt_tokens(const ds_tokenizer *tok)
{
    ds_tokens t = DS_TOKENS_INIT;
    ds_err err;
    const char *h = ds_llm_prompt_head();
    DS_REQUIRE(ds_tokenizer_encode(tok, h, strlen(h), 1, &t, &err) == DS_OK);
    size_t head = t.n, tail = 0;
    for (int k = 0; k < 2; k++) {
        t.n = 0;
        const char *parts[] = {ds_llm_prompt_task((ds_llm_task)k), ds_llm_schema((ds_llm_task)k),
                               ds_llm_prompt_suffix((ds_llm_task)k)};
        for (int i = 0; i < 3; i++)
            DS_REQUIRE(ds_tokenizer_encode(tok, parts[i], strlen(parts[i]), i == 2, &t, &err) == DS_OK);
        tail = t.n > tail ? t.n : tail;
    }
    ds_tokens_deinit(&t);
    return head + tail;
}

/* Table rows grow the facts budget up to half of what max_context leaves after the prompt; a
 * window whose rows would need more is split, and the splits add no SWOT call; where the
 * context allows, the whole document is one window; every call fits max_context. */
static void test_budgets(const ds_tokenizer *tok)
{
    ds_chunk t3 = mk_chunk(0, "x");
    t3.is_table = 1;
    t3.text = "Revenue | 1,234 | 1,102\n\nCost of revenue | 700 | 650\nGross profit | 534 | 452";
    t3.text_len = strlen(t3.text);
    DS_CHECK(ds_llm_table_rows(&t3) == 3);
    ds_chunk prose = mk_chunk(0, "Revenue rose.\nDebt fell.\n");
    DS_CHECK(ds_llm_table_rows(&prose) == 0);
    ds_chunk t8 = t3;
    t8.text =
        "Assets | 1 | 2\nCash | 3 | 4\nDebt | 5 | 6\nEquity | 7 | 8\nA | 1 | 2\nB | 3 | 4\nC | 5 | 6\nD | 7 | 8\n";
    t8.text_len = strlen(t8.text);
    DS_CHECK(ds_llm_table_rows(&t8) == 8);
    ds_chunk v[5] = {prose, t3, t3, prose, t8};
    for (int i = 0; i < 5; i++) {
        v[i].seq = i;
        v[i].byte_start = v[i].byte_end = 0;
    }
    ds_chunk_list cl = {v, 5};
    ds_err err;
    ds_document *doc;
    DS_REQUIRE(ds_document_create(&doc, &err) == DS_OK);
    doc->name = "tables.txt";
    /* largest budget 256 tokens (room 513 after the prompt): 3, 3 and 8 rows of 48 give facts
     * windows {0,1} {2,3} {4}, and one SWOT window {0..4} after the first facts call */
    int ctx = (int)fixed_prompt_tokens(tok) + 513;
    script s = {tok, NULL, 0, 0, 0, ctx, 64, 0, {0}, 0};
    ds_llm_generator gen = {scripted, &s, tok, ctx, 64, "tiny", "abc123", NULL};
    ds_fact_list facts = {0};
    ds_swot_list swot = {0};
    ds_llm_stats st;
    DS_REQUIRE(ds_llm_extract_document(&gen, doc, &cl, NULL, &facts, &swot, &st, &err) == DS_OK);
    const int want[] = {3 * DS_LLM_ROW_ANSWER_TOKENS, 64, 3 * DS_LLM_ROW_ANSWER_TOKENS, 256};
    DS_CHECKF(st.windows == 3 && st.swot_windows == 1 && st.row_splits == 2 && st.grown == 3 && s.n_calls == 4 &&
                  s.over_budget == 0,
              "%zu windows, %zu SWOT windows, %zu split, %zu grown, %d calls", st.windows, st.swot_windows,
              st.row_splits, st.grown, s.n_calls);
    for (int i = 0; i < 4 && i < s.n_calls; i++)
        DS_CHECKF(s.budgets[i] == want[i], "call %d: budget %d, expected %d", i, s.budgets[i], want[i]);
    /* a large context: the whole document in one window, 14 rows of answer, one SWOT call */
    script big = {tok, NULL, 0, 0, 0, 4096, 64, 0, {0}, 0};
    ds_llm_generator gb = gen;
    gb.ctx = &big;
    gb.max_context = 4096;
    DS_REQUIRE(ds_llm_extract_document(&gb, doc, &cl, NULL, &facts, &swot, &st, &err) == DS_OK);
    DS_CHECKF(st.windows == 1 && st.swot_windows == 1 && big.n_calls == 2 && big.over_budget == 0 &&
                  big.budgets[0] == 14 * DS_LLM_ROW_ANSWER_TOKENS,
              "large context: %zu windows, %d calls, facts budget %d", st.windows, big.n_calls, big.budgets[0]);
    /* a context with room for the table's chunk but not its whole budget: what is left, never over */
    script s2 = {tok, NULL, 0, 0, 0, 0, 64, 0, {0}, 0};
    ds_llm_generator g2 = gen;
    g2.ctx = &s2;
    ds_chunk_list one = {&v[4], 1};
    DS_REQUIRE(ds_llm_extract_document(&g2, doc, &one, NULL, &facts, &swot, &st, &err) == DS_OK);
    g2.max_context = s2.max_context = (int)s2.max_prompt + 100;
    s2.n_calls = 0;
    s2.over_budget = 0;
    DS_REQUIRE(ds_llm_extract_document(&g2, doc, &one, NULL, &facts, &swot, &st, &err) == DS_OK);
    DS_CHECKF(s2.over_budget == 0 && s2.n_calls == 2 && s2.budgets[0] >= 64 && s2.budgets[0] <= 100,
              "small context: %d calls, budget %d, over %d", s2.n_calls, s2.budgets[0], s2.over_budget);
    DS_CHECK(facts.n == 0 && swot.n == 0);
    ds_fact_list_free(&facts);
    ds_swot_list_free(&swot);
    ds_document_free(doc);
}

static void test_identity(void)
{
    char name[64];
    ds_llm_model_name("/models/Qwen3-30B-A3B/", name, sizeof name);
    DS_CHECK_STREQ(name, "Qwen3-30B-A3B");
    char fp[65];
    ds_err err;
    DS_CHECK(ds_llm_fingerprint("/nonexistent/checkpoint", fp, &err) != DS_OK && fp[0] == '\0');
}

int main(void)
{
    test_schemas();
    test_prompt();
    test_parse();
    test_numbers();
    test_quotes();
    test_ground_output();
    test_identity();
    const char *tp = ds_test_shared("models/qwen3-tokenizer/tokenizer.json");
    if (!tp)
        tp = ds_test_source("extract/data/qwen3-tokenizer.json");
    ds_err err;
    ds_tokenizer *tok;
    DS_REQUIRE(ds_tokenizer_load(&tok, tp, &err) == DS_OK);
    test_driver(tok);
    test_budgets(tok);
    ds_tokenizer_free(tok);
    return ds_test_done();
}
