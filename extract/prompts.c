/* prompts.c - the model backend's versioned prompts and JSON schemas. The schemas are the
 * texts of extract/schemas/facts-v2.json and swot-v2.json (a test checks they are equal as
 * JSON); changing a prompt or a schema means a new version string. The document comes first,
 * after a system text the same for every document and task, and the task's instructions and
 * schema follow it: the facts and SWOT calls of one window share the prompt up to the end of
 * the document, so the second call reuses the first's KV for the whole document.
 * Owns: nothing (static tables). Threading: reentrant.
 */
#include "extract/llm.h"

#include <stdio.h>

static const char facts_schema[] =
    "{\"type\":\"object\",\"properties\":{\"facts\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
    "\"properties\":{\"metric\":{\"type\":\"string\"},\"value\":{\"type\":\"string\"},"
    "\"period\":{\"type\":\"string\"},\"unit\":{\"type\":\"string\"},\"chunk\":{\"type\":\"integer\"},"
    "\"quote\":{\"type\":\"string\"}},"
    "\"required\":[\"metric\",\"value\",\"period\",\"unit\",\"chunk\",\"quote\"],"
    "\"additionalProperties\":false}}},\"required\":[\"facts\"],\"additionalProperties\":false}";

static const char swot_schema[] =
    "{\"type\":\"object\",\"properties\":{\"swot\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
    "\"properties\":{\"category\":{\"type\":\"string\",\"enum\":[\"strength\",\"weakness\",\"opportunity\","
    "\"threat\"]},\"statement\":{\"type\":\"string\"},\"chunk\":{\"type\":\"integer\"},"
    "\"quote\":{\"type\":\"string\"}},\"required\":[\"category\",\"statement\",\"chunk\",\"quote\"],"
    "\"additionalProperties\":false}}},\"required\":[\"swot\"],\"additionalProperties\":false}";

static const char head[] =
    "<|im_start|>system\nYou are a credit analyst's assistant. You read financial documents and answer "
    "with JSON only, following the schema exactly. Use only what the document says: never compute, "
    "estimate or invent a value. Every item cites the id of the chunk that shows it and copies a quote "
    "from that chunk verbatim.<|im_end|>\n"
    "<|im_start|>user\nThe document comes first, in chunks; the task follows it.\n";

static const char facts_task[] =
    "\nTask facts-v2: list the financial facts the document above states (revenue, cost of revenue, "
    "gross profit, operating income, net income, EPS, total assets, current assets, current liabilities, "
    "total liabilities, equity, cash, operating cash flow, capital expenditure, debt, interest expense, "
    "depreciation and amortisation, and other reported amounts). For each: metric (snake_case name), value "
    "exactly as printed (\"$1,234\", \"(56.7)\"), period as printed (\"fiscal 2023\", \"three months ended "
    "June 30, 2024\"), unit (\"USD millions\", \"percent\", \"shares\"), chunk (the id of the chunk showing "
    "it) and quote (the sentence or table row showing the value, copied verbatim from that chunk).\n"
    "Answer with one JSON object under this schema:\n";

static const char swot_task[] =
    "\nTask swot-v2: write a SWOT analysis of the company from the document above: its strengths, "
    "weaknesses, opportunities and threats as a credit analyst sees them. For each item: category "
    "(strength, weakness, opportunity or threat), statement (one sentence in your words), chunk (the id of "
    "the chunk supporting it) and quote (the words of that chunk supporting it, copied verbatim).\n"
    "Answer with one JSON object under this schema:\n";

static const char suffix[] = "\nAnswer with the JSON object only.<|im_end|>\n<|im_start|>assistant\n";

const char *ds_llm_prompt_version(ds_llm_task t)
{
    return t == DS_LLM_SWOT ? "swot-v2" : "facts-v2";
}

const char *ds_llm_schema(ds_llm_task t)
{
    return t == DS_LLM_SWOT ? swot_schema : facts_schema;
}

const char *ds_llm_prompt_head(void)
{
    return head;
}

const char *ds_llm_prompt_task(ds_llm_task t)
{
    return t == DS_LLM_SWOT ? swot_task : facts_task;
}

const char *ds_llm_prompt_suffix(ds_llm_task t)
{
    (void)t;
    return suffix;
}

void ds_llm_chunk_open(int seq, char *out, size_t cap)
{
    if (cap)
        snprintf(out, cap, "<chunk id=%d>\n", seq);
}

ds_status ds_llm_prompt_text(ds_llm_task t, const ds_chunk_list *chunks, size_t first, size_t end, ds_buf *out)
{
    ds_status st = ds_buf_puts(out, head);
    for (size_t i = first; i < end && i < chunks->n && st == DS_OK; i++) {
        char open[48];
        ds_llm_chunk_open(chunks->v[i].seq, open, sizeof open);
        st = ds_buf_puts(out, open);
        if (st == DS_OK)
            st = ds_buf_append(out, chunks->v[i].text, chunks->v[i].text_len);
        if (st == DS_OK)
            st = ds_buf_puts(out, DS_LLM_CHUNK_CLOSE);
    }
    if (st == DS_OK)
        st = ds_buf_puts(out, ds_llm_prompt_task(t));
    if (st == DS_OK)
        st = ds_buf_puts(out, ds_llm_schema(t));
    if (st == DS_OK)
        st = ds_buf_puts(out, suffix);
    return st;
}
