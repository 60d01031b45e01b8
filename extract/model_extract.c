/* model_extract.c - the model backend's per-document driver: packs a document's chunks into
 * contexts that fit model.max_context, asks the generator for facts and for a SWOT analysis
 * under their schemas, parses the answers tolerantly (jansson), keeps what the grounding check
 * passes and turns it into ds_fact / ds_swot_item records. Also the checkpoint's identity
 * (fingerprint and name) stored with every row.
 * Owns: its token buffers for one call; records' strings go to the document's arena.
 * Threading: reentrant; the generator is used by the calling thread only.
 */
#include "extract/llm.h"

#include "extract/dates.h"
#include "ingest/ingest.h"
#include "pipeline/core/alloc.h"
#include "pipeline/core/buf.h"
#include "pipeline/core/clock.h"
#include "pipeline/core/decimal.h"

#include <ctype.h>
#include <dirent.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_FIELD 4000  /* bytes of one string field at most */
#define MAX_ATTEMPTS 64 /* JSON start positions tried in one answer */

/* ---- parsing ------------------------------------------------------------------------------------ */

void ds_llm_output_free(ds_llm_output *o)
{
    if (!o)
        return;
    for (size_t i = 0; i < o->n_facts; i++) {
        ds_free(o->facts[i].metric);
        ds_free(o->facts[i].value);
        ds_free(o->facts[i].period);
        ds_free(o->facts[i].unit);
        ds_free(o->facts[i].quote);
    }
    for (size_t i = 0; i < o->n_swot; i++) {
        ds_free(o->swot[i].statement);
        ds_free(o->swot[i].quote);
    }
    ds_free(o->facts);
    ds_free(o->swot);
    memset(o, 0, sizeof *o);
}

/* The string member key of item, or NULL when absent, not a string, or too long. */
static const char *str_field(json_t *item, const char *key, int allow_empty)
{
    json_t *v = json_object_get(item, key);
    if (!json_is_string(v))
        return NULL;
    size_t len = json_string_length(v);
    const char *s = json_string_value(v);
    if (len > MAX_FIELD || (!allow_empty && len == 0) || strlen(s) != len)
        return NULL;
    return s;
}

static int chunk_field(json_t *item, int *out)
{
    json_t *v = json_object_get(item, "chunk");
    if (!json_is_integer(v))
        return 0;
    json_int_t c = json_integer_value(v);
    if (c < 0 || c > INT32_MAX)
        return 0;
    *out = (int)c;
    return 1;
}

static ds_status push_fact(ds_llm_output *o, json_t *item)
{
    const char *metric = str_field(item, "metric", 0), *value = str_field(item, "value", 0),
               *period = str_field(item, "period", 1), *unit = str_field(item, "unit", 1),
               *quote = str_field(item, "quote", 0);
    int chunk;
    if (!json_is_object(item) || !metric || !value || !period || !unit || !quote || !chunk_field(item, &chunk)) {
        o->malformed++;
        return DS_OK;
    }
    if (o->n_facts == o->cap_facts) {
        size_t cap = o->cap_facts ? o->cap_facts * 2 : 8;
        ds_llm_fact *v = ds_realloc(o->facts, cap * sizeof *v);
        if (!v)
            return DS_ERR_NOMEM;
        o->facts = v;
        o->cap_facts = cap;
    }
    ds_llm_fact f = {ds_strdup(metric), ds_strdup(value), ds_strdup(period), ds_strdup(unit), ds_strdup(quote), chunk};
    if (!f.metric || !f.value || !f.period || !f.unit || !f.quote) {
        ds_free(f.metric);
        ds_free(f.value);
        ds_free(f.period);
        ds_free(f.unit);
        ds_free(f.quote);
        return DS_ERR_NOMEM;
    }
    o->facts[o->n_facts++] = f;
    return DS_OK;
}

static int category_of(const char *s, ds_swot_category *c)
{
    static const char *const names[] = {"strength", "weakness", "opportunity", "threat"};
    for (int i = 0; i < 4; i++)
        if (s && strcmp(s, names[i]) == 0) {
            *c = (ds_swot_category)i;
            return 1;
        }
    return 0;
}

static ds_status push_swot(ds_llm_output *o, json_t *item)
{
    const char *statement = str_field(item, "statement", 0), *quote = str_field(item, "quote", 0);
    ds_swot_category cat;
    int chunk;
    if (!json_is_object(item) || !statement || !quote || !category_of(str_field(item, "category", 0), &cat) ||
        !chunk_field(item, &chunk)) {
        o->malformed++;
        return DS_OK;
    }
    if (o->n_swot == o->cap_swot) {
        size_t cap = o->cap_swot ? o->cap_swot * 2 : 8;
        ds_llm_swot *v = ds_realloc(o->swot, cap * sizeof *v);
        if (!v)
            return DS_ERR_NOMEM;
        o->swot = v;
        o->cap_swot = cap;
    }
    ds_llm_swot s = {cat, ds_strdup(statement), ds_strdup(quote), chunk};
    if (!s.statement || !s.quote) {
        ds_free(s.statement);
        ds_free(s.quote);
        return DS_ERR_NOMEM;
    }
    o->swot[o->n_swot++] = s;
    return DS_OK;
}

/* Pushes the items of arr (a JSON array); out->last_kept says whether the last was kept. */
static ds_status push_items(ds_llm_task t, json_t *arr, ds_llm_output *out)
{
    ds_status st = DS_OK;
    size_t idx;
    json_t *item;
    json_array_foreach(arr, idx, item)
    {
        size_t before = out->n_facts + out->n_swot;
        st = t == DS_LLM_SWOT ? push_swot(out, item) : push_fact(out, item);
        if (st != DS_OK)
            break;
        out->last_kept = out->n_facts + out->n_swot > before;
    }
    return st;
}

/* The complete items of the task's array in an answer cut short. DS_ERR_PARSE when there is no
 * array. */
static ds_status salvage(ds_llm_task t, const char *text, size_t n, ds_llm_output *out, ds_err *err)
{
    const char *key = t == DS_LLM_SWOT ? "swot" : "facts";
    size_t a, e;
    if (!ds_llm_salvage_array(text, n, key, &a, &e))
        return ds_err_set(err, DS_ERR_PARSE, "model answer holds no JSON %s object (%zu bytes)", key, n);
    ds_buf b = DS_BUF_INIT;
    ds_status st = ds_buf_puts(&b, "[");
    if (st == DS_OK)
        st = ds_buf_append(&b, text + a, e - a);
    if (st == DS_OK)
        st = ds_buf_puts(&b, "]");
    if (st != DS_OK) {
        ds_buf_deinit(&b);
        return ds_err_set(err, DS_ERR_NOMEM, "out of memory salvaging the model's %s answer", key);
    }
    json_error_t jerr;
    json_t *arr = json_loadb(b.data, b.len, 0, &jerr);
    ds_buf_deinit(&b);
    if (!json_is_array(arr)) {
        json_decref(arr);
        return ds_err_set(err, DS_ERR_PARSE,
                          "model answer: no complete JSON %s value, and its array does not "
                          "parse up to its last item (%zu bytes)",
                          key, n);
    }
    st = push_items(t, arr, out);
    json_decref(arr);
    if (st != DS_OK)
        return ds_err_set(err, st, "out of memory parsing the model's %s answer", key);
    out->salvaged = 1;
    return DS_OK;
}

ds_status ds_llm_parse(ds_llm_task t, const char *text, size_t n, ds_llm_output *out, ds_err *err)
{
    const char *key = t == DS_LLM_SWOT ? "swot" : "facts";
    int attempts = 0;
    for (size_t i = 0; i < n && attempts < MAX_ATTEMPTS; i++) {
        if (text[i] != '{' && text[i] != '[')
            continue;
        attempts++;
        json_error_t jerr;
        json_t *root = json_loadb(text + i, n - i, JSON_DISABLE_EOF_CHECK, &jerr);
        if (!root)
            continue;
        json_t *arr = json_is_array(root) ? root : json_object_get(root, key);
        if (!json_is_array(arr)) { /* a JSON value of another shape: skip it whole */
            json_decref(root);
            if (jerr.position > 1 && (size_t)jerr.position <= n - i)
                i += (size_t)jerr.position - 1;
            continue;
        }
        ds_status st = push_items(t, arr, out);
        json_decref(root);
        if (st != DS_OK)
            return ds_err_set(err, st, "out of memory parsing the model's %s answer", key);
        return DS_OK;
    }
    return salvage(t, text, n, out, err);
}

/* ---- identity of the checkpoint ------------------------------------------------------------------ */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static ds_status append_file(ds_buf *b, const char *path, size_t max, ds_err *err)
{
    ds_buf f = DS_BUF_INIT;
    ds_status st = ds_buf_read_file(&f, path, max, err);
    if (st == DS_OK && ds_buf_append(b, f.data, f.len) != DS_OK)
        st = ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    ds_buf_deinit(&f);
    return st;
}

/* The 8-byte header length and the JSON header of a safetensors file. */
static ds_status append_header(ds_buf *b, const char *path, ds_err *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return ds_err_set(err, DS_ERR_IO, "%s: cannot open", path);
    unsigned char len8[8];
    ds_status st = DS_OK;
    if (fread(len8, 1, 8, fp) != 8) {
        st = ds_err_set(err, DS_ERR_MODEL, "%s: no safetensors header", path);
    } else {
        uint64_t hl = 0;
        for (int i = 7; i >= 0; i--)
            hl = hl << 8 | len8[i];
        if (hl > (uint64_t)100 << 20) {
            st = ds_err_set(err, DS_ERR_MODEL, "%s: safetensors header of %llu bytes is too large", path,
                            (unsigned long long)hl);
        } else if (ds_buf_append(b, len8, 8) || ds_buf_reserve(b, (size_t)hl)) {
            st = ds_err_set(err, DS_ERR_NOMEM, "out of memory");
        } else {
            size_t got = fread(b->data + b->len, 1, (size_t)hl, fp);
            if (got != (size_t)hl)
                st = ds_err_set(err, DS_ERR_MODEL, "%s: safetensors header cut short at offset %zu", path, 8 + got);
            else {
                b->len += got;
                b->data[b->len] = '\0';
            }
        }
    }
    fclose(fp);
    return st;
}

ds_status ds_llm_fingerprint(const char *dir, char out[65], ds_err *err)
{
    out[0] = '\0';
    ds_buf b = DS_BUF_INIT;
    char path[4096];
    snprintf(path, sizeof path, "%s/config.json", dir);
    ds_status st = append_file(&b, path, 16 << 20, err);
    DIR *d = st == DS_OK ? opendir(dir) : NULL;
    if (st == DS_OK && !d)
        st = ds_err_set(err, DS_ERR_IO, "%s: cannot list the checkpoint folder", dir);
    char **names = NULL;
    size_t n = 0, cap = 0;
    for (struct dirent *e; st == DS_OK && (e = readdir(d));) {
        size_t l = strlen(e->d_name);
        if (l < 12 || strcmp(e->d_name + l - 12, ".safetensors") != 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            char **v = ds_realloc(names, cap * sizeof *v);
            if (!v) {
                st = ds_err_set(err, DS_ERR_NOMEM, "out of memory");
                break;
            }
            names = v;
        }
        if (!(names[n] = ds_strdup(e->d_name)))
            st = ds_err_set(err, DS_ERR_NOMEM, "out of memory");
        else
            n++;
    }
    if (d)
        closedir(d);
    if (st == DS_OK && n == 0)
        st = ds_err_set(err, DS_ERR_MODEL, "%s: no safetensors file", dir);
    if (st == DS_OK)
        qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n && st == DS_OK; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (ds_buf_puts(&b, names[i]))
            st = ds_err_set(err, DS_ERR_NOMEM, "out of memory");
        else
            st = append_header(&b, path, err);
    }
    for (size_t i = 0; i < n; i++)
        ds_free(names[i]);
    ds_free(names);
    if (st == DS_OK)
        ds_ingest_sha256((const unsigned char *)b.data, b.len, out);
    ds_buf_deinit(&b);
    return st;
}

void ds_llm_model_name(const char *dir, char *out, size_t cap)
{
    if (!cap)
        return;
    out[0] = '\0';
    char path[4096];
    snprintf(path, sizeof path, "%s/config.json", dir);
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    const char *keys[] = {"name", "_name_or_path"};
    for (int k = 0; k < 2 && root && !out[0]; k++) {
        const char *v = json_string_value(json_object_get(root, keys[k]));
        if (v && *v)
            snprintf(out, cap, "%s", v);
    }
    json_decref(root);
    if (out[0])
        return;
    size_t l = strlen(dir);
    while (l > 1 && dir[l - 1] == '/')
        l--;
    size_t s = l;
    while (s > 0 && dir[s - 1] != '/')
        s--;
    snprintf(out, cap, "%.*s", (int)(l - s), dir + s);
}

/* ---- records ----------------------------------------------------------------------------------- */

static const ds_chunk *chunk_of(const ds_chunk_list *chunks, int seq)
{
    for (size_t i = 0; i < chunks->n; i++)
        if (chunks->v[i].seq == seq)
            return &chunks->v[i];
    return NULL;
}

/* Byte offset in doc->text of offset off in chunk c's text, when the chunk's text is the
 * document's own span (a table part repeating its header is not); SIZE_MAX otherwise. */
static size_t doc_offset(const ds_document *doc, const ds_chunk *c, size_t off)
{
    if (c->byte_end - c->byte_start == c->text_len && c->byte_end <= doc->text.len &&
        memcmp(doc->text.data + c->byte_start, c->text, c->text_len) == 0)
        return c->byte_start + off;
    return SIZE_MAX;
}

/* Case-insensitive search for word in s. */
static int has_word(const char *s, const char *word)
{
    size_t wl = strlen(word);
    for (; s && *s; s++)
        if (strncasecmp(s, word, wl) == 0)
            return 1;
    return 0;
}

/* Power of ten a scale word in s stands for ("$1.2 million", "USD thousands"); 0 when none. */
static int scale_of(const char *s)
{
    if (has_word(s, "billion"))
        return 9;
    if (has_word(s, "million"))
        return 6;
    if (has_word(s, "thousand"))
        return 3;
    return 0;
}

/* The exact decimal of a printed value for the database, as the table extractor gives it:
 * "(1,234)" -1234, "$1.2 million" 1200000; a scale word in the value, else in the unit,
 * applies except to per-share metrics; amounts positive by definition keep the magnitude.
 * NULL when the value is not one number. */
static const char *decimal_of(ds_document *doc, const char *printed, const char *unit, const char *metric)
{
    char key[128], num[160];
    size_t kl = ds_ground_number_key(printed, key, sizeof key);
    if (!kl)
        return NULL;
    const char *digit = strpbrk(printed, "0123456789.");
    const char *minus = strchr(printed, '-');
    int neg = strchr(printed, '(') != NULL || (minus && digit && minus < digit);
    if (metric && ds_metric_is_magnitude(metric))
        neg = 0;
    if (key[kl - 1] == '.')
        key[--kl] = '\0';
    snprintf(num, sizeof num, "%s%s%s", neg ? "-" : "", key[0] == '.' ? "0" : "", key);
    int exp10 = scale_of(printed);
    if (!exp10)
        exp10 = scale_of(unit);
    if (metric && ds_metric_is_per_share(metric))
        exp10 = 0;
    ds_buf scaled = DS_BUF_INIT;
    const char *value = NULL;
    if (ds_dec_shift(num, exp10, 0, &scaled, NULL) == DS_OK)
        value = ds_arena_strdup(&doc->arena, scaled.data);
    ds_buf_deinit(&scaled);
    return value;
}

/* The period of a printed phrase: "December 31, 2023", "year ended December 31, 2023", "three
 * months ended June 30, 2024", "2023-12-31". *end gets the ISO end date; *start the first day
 * for a stated duration (year, six/nine/three months, quarter), NULL for an instant (balance
 * sheet metrics, "as of"). Both NULL when the phrase names no day or a flow has no duration. */
static void period_of(ds_document *doc, const char *printed, const char *metric, const char **start, const char **end)
{
    static const char *const months[] = {"january", "february", "march",     "april",   "may",      "june",
                                         "july",    "august",   "september", "october", "november", "december"};
    *start = *end = NULL;
    long days = -1;
    for (const char *p = printed; p && *p && days < 0; p++) {
        if (isdigit((unsigned char)p[0]) && strlen(p) >= 10 && p[4] == '-') {
            char iso[11];
            memcpy(iso, p, 10);
            iso[10] = '\0';
            if (ds_date_parse(iso, &days) != 0)
                days = -1;
            continue;
        }
        for (int m = 0; m < 12 && days < 0; m++) {
            size_t ml = strlen(months[m]);
            if (strncasecmp(p, months[m], ml) != 0 || (p > printed && isalpha((unsigned char)p[-1])))
                continue;
            const char *q = p + ml;
            while (*q == ' ' || *q == '.')
                q++;
            char *e;
            long d = strtol(q, &e, 10);
            if (e == q)
                continue;
            while (*e == ',' || *e == ' ')
                e++;
            char *e2;
            long y = strtol(e, &e2, 10);
            if (e2 - e == 4 && d >= 1 && d <= ds_date_days_in_month((int)y, m + 1))
                days = ds_date_from_ymd((int)y, m + 1, (int)d);
        }
    }
    if (days < 0)
        return;
    int span = 0;
    if (has_word(printed, "three months") || has_word(printed, "quarter") || has_word(printed, "13 weeks"))
        span = 3;
    else if (has_word(printed, "six months") || has_word(printed, "26 weeks"))
        span = 6;
    else if (has_word(printed, "nine months") || has_word(printed, "39 weeks"))
        span = 9;
    else if (has_word(printed, "year") || has_word(printed, "twelve months") || has_word(printed, "52 weeks"))
        span = 12;
    int instant = (metric && ds_metric_is_instant(metric)) || has_word(printed, "as of");
    if (!instant && !span)
        return;
    char iso[11];
    ds_date_format(days, iso);
    *end = ds_arena_strdup(&doc->arena, iso);
    if (!instant) {
        ds_date_format(ds_date_period_start(days, span), iso);
        *start = ds_arena_strdup(&doc->arena, iso);
    }
}

static int is_canonical(const char *m)
{
    static const char *const names[] = {"revenue",
                                        "cost_of_revenue",
                                        "gross_profit",
                                        "operating_income",
                                        "net_income",
                                        "eps_basic",
                                        "eps_diluted",
                                        "total_assets",
                                        "current_assets",
                                        "current_liabilities",
                                        "total_liabilities",
                                        "equity",
                                        "cash",
                                        "operating_cash_flow",
                                        "capex",
                                        "short_term_debt",
                                        "long_term_debt",
                                        "interest_expense",
                                        "depreciation_amortization"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(m, names[i]) == 0)
            return 1;
    return 0;
}

static ds_status add_records(const ds_llm_generator *gen, ds_llm_task t, ds_document *doc, const ds_chunk_list *chunks,
                             const ds_llm_output *o, ds_fact_list *facts, ds_swot_list *swot, ds_err *err)
{
    ds_arena *a = &doc->arena;
    const char *model = ds_arena_strdup(a, gen->model ? gen->model : "");
    const char *fp = ds_arena_strdup(a, gen->fingerprint ? gen->fingerprint : "");
    const char *pv = ds_llm_prompt_version(t);
    if (!model || !fp)
        return ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < o->n_facts; i++) {
        const ds_llm_fact *lf = &o->facts[i];
        const ds_chunk *c = chunk_of(chunks, lf->chunk);
        size_t qoff = 0;
        ds_ground_quote(c->text, c->text_len, lf->quote, &qoff);
        ds_fact f = {0};
        f.concept = ds_arena_strdup(a, lf->metric);
        f.metric = is_canonical(lf->metric) ? ds_arena_strdup(a, lf->metric) : ds_metric_for_label(lf->metric, NULL);
        f.value = decimal_of(doc, lf->value, lf->unit, f.metric);
        f.value_text = ds_arena_strdup(a, lf->value);
        f.unit = *lf->unit ? ds_arena_strdup(a, lf->unit) : NULL;
        period_of(doc, lf->period, f.metric, &f.period_start, &f.period_end);
        f.dimensions = "";
        f.source_extractor = "model";
        f.quote = ds_arena_strdup(a, lf->quote);
        f.page = c->page_first;
        f.chunk_seq = c->seq;
        f.byte_off = doc_offset(doc, c, qoff);
        f.model = model;
        f.model_fingerprint = fp;
        f.prompt_version = pv;
        if (!f.concept || !f.value_text || !f.quote || ds_fact_list_push(facts, &f) != DS_OK)
            return ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < o->n_swot; i++) {
        const ds_llm_swot *ls = &o->swot[i];
        const ds_chunk *c = chunk_of(chunks, ls->chunk);
        size_t qoff = 0;
        ds_ground_quote(c->text, c->text_len, ls->quote, &qoff);
        json_t *ev = json_pack("[{s:i, s:s}]", "chunk", ls->chunk, "quote", ls->quote);
        char *evs = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
        json_decref(ev);
        ds_swot_item it = {0};
        it.category = ls->category;
        it.rule_id = NULL;
        it.statement = ds_arena_strdup(a, ls->statement);
        it.evidence = evs ? ds_arena_strdup(a, evs) : NULL;
        free(evs); /* jansson's allocator */
        it.page = c->page_first;
        it.chunk_seq = c->seq;
        it.quote = ds_arena_strdup(a, ls->quote);
        it.byte_off = doc_offset(doc, c, qoff);
        it.source_extractor = "model";
        it.model = model;
        it.model_fingerprint = fp;
        it.prompt_version = pv;
        if (!it.statement || !it.evidence || !it.quote || ds_swot_list_push(swot, &it) != DS_OK)
            return ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    }
    return DS_OK;
}

/* ---- the driver ------------------------------------------------------------------------------------ */

/* An answer the decoder closed early while an item was in progress ends with that item, finished
 * with minimal values: it is dropped (kept or counted malformed by the parser, it goes either
 * way) and counted. */
static void drop_cut_item(const ds_llm_answer_info *info, ds_llm_task t, ds_llm_output *o, ds_llm_stats *stats)
{
    if (!info->cut_item || o->salvaged)
        return;
    stats->cut_items++;
    if (!o->last_kept) {
        if (o->malformed)
            o->malformed--;
        return;
    }
    if (t == DS_LLM_SWOT && o->n_swot) {
        ds_llm_swot *s = &o->swot[--o->n_swot];
        ds_free(s->statement);
        ds_free(s->quote);
    } else if (t == DS_LLM_FACTS && o->n_facts) {
        ds_llm_fact *f = &o->facts[--o->n_facts];
        ds_free(f->metric);
        ds_free(f->value);
        ds_free(f->period);
        ds_free(f->unit);
        ds_free(f->quote);
    }
}

static ds_status append_tokens(ds_tokens *dst, const ds_tokens *src)
{
    ds_status st = ds_tokens_reserve(dst, src->n);
    if (st == DS_OK) {
        memcpy(dst->v + dst->n, src->v, src->n * sizeof(int32_t));
        dst->n += src->n;
    }
    return st;
}

/* The encoded pieces of a document's prompts: the shared head, each chunk (tag, text, closing
 * tag) and each task's tail (instructions, schema, suffix). */
typedef struct prompt_parts {
    ds_tokens head, tail[2];
    ds_tokens *ctoks; /* chunks->n */
    size_t n;
} prompt_parts;

static void parts_deinit(prompt_parts *p)
{
    for (size_t i = 0; i < p->n && p->ctoks; i++)
        ds_tokens_deinit(&p->ctoks[i]);
    ds_free(p->ctoks);
    ds_tokens_deinit(&p->head);
    ds_tokens_deinit(&p->tail[0]);
    ds_tokens_deinit(&p->tail[1]);
}

/* One call: prompt = head + chunk tokens of [first, end) + tail[task], answer of at most budget
 * tokens; the answer is parsed, grounded and recorded. */
static ds_status run_window(const ds_llm_generator *gen, ds_llm_task t, const prompt_parts *pp, size_t first,
                            size_t end, int budget, ds_document *doc, const ds_chunk_list *chunks, ds_log *log,
                            ds_fact_list *facts, ds_swot_list *swot, ds_llm_stats *stats, ds_err *err)
{
    ds_tokens prompt = DS_TOKENS_INIT, answer = DS_TOKENS_INIT;
    ds_buf text = DS_BUF_INIT;
    ds_llm_output o = {0};
    ds_status st = append_tokens(&prompt, &pp->head);
    for (size_t i = first; i < end && st == DS_OK; i++)
        st = append_tokens(&prompt, &pp->ctoks[i]);
    if (st == DS_OK)
        st = append_tokens(&prompt, &pp->tail[t]);
    if (st != DS_OK)
        st = ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    if (st == DS_OK)
        st = gen->generate(gen->ctx, prompt.v, prompt.n, ds_llm_schema(t), budget, &answer, err);
    ds_llm_answer_info info = {0, 0, 0};
    if (st == DS_OK) {
        if (gen->answer_info)
            gen->answer_info(gen->ctx, &info);
        stats->calls++;
        stats->prompt_tokens += prompt.n;
        stats->answer_tokens += answer.n;
        stats->closed_early += info.closed_early != 0;
        stats->reused_tokens += info.reused;
        stats->grown += budget > gen->max_new;
        st = ds_tokenizer_decode(gen->tok, answer.v, answer.n, 1, &text, err);
    }
    if (st == DS_OK) {
        ds_err perr;
        ds_status pst = ds_llm_parse(t, text.data ? text.data : "", text.len, &o, &perr);
        if (pst != DS_OK) {
            if (perr.code == DS_ERR_NOMEM)
                st = ds_err_set(err, DS_ERR_NOMEM, "%s", perr.msg);
            else
                stats->unparsed++;
            DS_DEBUG(log, "model", "%s: %s answer for chunks %zu..%zu not parsed: %s", doc->name,
                     ds_llm_prompt_version(t), first, end, perr.msg);
        }
        stats->truncated += (pst != DS_OK || o.salvaged) && answer.n >= (size_t)budget;
        stats->salvaged += o.salvaged;
        if (pst == DS_OK)
            drop_cut_item(&info, t, &o, stats);
    }
    if (st == DS_OK) {
        stats->malformed += o.malformed;
        ds_ground_output(&o, chunks, &stats->ground);
        st = add_records(gen, t, doc, chunks, &o, facts, swot, err);
    }
    ds_llm_output_free(&o);
    ds_buf_deinit(&text);
    ds_tokens_deinit(&prompt);
    ds_tokens_deinit(&answer);
    return st;
}

static ds_status encode(const ds_tokenizer *tok, const char *s, size_t n, int special, ds_tokens *out, ds_err *err)
{
    return ds_tokenizer_encode(tok, s, n, special, out, err);
}

/* Encodes the pieces of the document's prompts into pp (zeroed by the caller). */
static ds_status encode_parts(const ds_tokenizer *tok, const ds_chunk_list *chunks, prompt_parts *pp, ds_err *err)
{
    pp->ctoks = chunks->n ? ds_calloc(chunks->n, sizeof *pp->ctoks) : NULL;
    if (chunks->n && !pp->ctoks)
        return ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    pp->n = chunks->n;
    const char *h = ds_llm_prompt_head();
    ds_status st = encode(tok, h, strlen(h), 1, &pp->head, err);
    for (int t = 0; t < 2 && st == DS_OK; t++) {
        const char *task = ds_llm_prompt_task((ds_llm_task)t), *sch = ds_llm_schema((ds_llm_task)t),
                   *suf = ds_llm_prompt_suffix((ds_llm_task)t);
        st = encode(tok, task, strlen(task), 0, &pp->tail[t], err);
        if (st == DS_OK)
            st = encode(tok, sch, strlen(sch), 0, &pp->tail[t], err);
        if (st == DS_OK)
            st = encode(tok, suf, strlen(suf), 1, &pp->tail[t], err);
    }
    for (size_t i = 0; i < chunks->n && st == DS_OK; i++) {
        char open[48];
        ds_llm_chunk_open(chunks->v[i].seq, open, sizeof open);
        st = encode(tok, open, strlen(open), 0, &pp->ctoks[i], err);
        if (st == DS_OK) /* document text: special-token strings in it stay plain text */
            st = encode(tok, chunks->v[i].text, chunks->v[i].text_len, 0, &pp->ctoks[i], err);
        if (st == DS_OK)
            st = encode(tok, DS_LLM_CHUNK_CLOSE, strlen(DS_LLM_CHUNK_CLOSE), 0, &pp->ctoks[i], err);
    }
    return st;
}

size_t ds_llm_table_rows(const ds_chunk *c)
{
    if (!c->is_table)
        return 0;
    size_t rows = 0;
    int blank = 1;
    for (size_t i = 0; i < c->text_len; i++) {
        char ch = c->text[i];
        if (ch == '\n') {
            rows += !blank;
            blank = 1;
        } else if (ch != ' ' && ch != '\t' && ch != '\r') {
            blank = 0;
        }
    }
    return rows + !blank;
}

/* How windows are cut: room is max_context less the fixed prompt (head and the longer tail). */
typedef struct window_plan {
    size_t room;    /* tokens for the chunks and the answer */
    size_t max_new; /* the smallest facts budget */
    size_t largest; /* the largest facts budget */
} window_plan;

static size_t facts_budget(const window_plan *wp, size_t rows)
{
    size_t need = rows * DS_LLM_ROW_ANSWER_TOKENS;
    return need < wp->max_new ? wp->max_new : need > wp->largest ? wp->largest : need;
}

/* The window starting at chunk first: its end and facts budget. *end == first when chunk first
 * does not fit with max_new answer tokens; *split set when the window ends because its rows
 * would need more than the largest budget. */
static void pack_window(const window_plan *wp, const prompt_parts *pp, const ds_chunk_list *chunks, size_t first,
                        size_t *end, size_t *budget, int *split)
{
    size_t e = first, used = 0, rows = 0;
    *split = 0;
    while (e < chunks->n) {
        size_t r = rows + ds_llm_table_rows(&chunks->v[e]), n = pp->ctoks[e].n;
        if (e > first && r > rows && r * DS_LLM_ROW_ANSWER_TOKENS > wp->largest) {
            *split = 1;
            break;
        }
        if (used + n + facts_budget(wp, r) > wp->room)
            break;
        used += n;
        rows = r;
        e++;
    }
    *budget = facts_budget(wp, rows);
    if (e == first && pp->ctoks[first].n + wp->max_new <= wp->room) { /* one chunk, with what is left */
        size_t left = wp->room - pp->ctoks[first].n, need = facts_budget(wp, ds_llm_table_rows(&chunks->v[first]));
        e = first + 1;
        *budget = need < left ? need : left;
    }
    *end = e;
}

/* The end of the SWOT window that starts with the facts window [first, end): later facts windows
 * are added whole while their chunks fit max_context with a max_new answer, so table rows that
 * split the facts windows do not multiply SWOT calls, and the SWOT call still shares its prompt
 * up to end with the facts call just made. */
static size_t swot_window_end(const window_plan *wp, const prompt_parts *pp, const ds_chunk_list *chunks, size_t first,
                              size_t end)
{
    size_t used = 0;
    for (size_t i = first; i < end; i++)
        used += pp->ctoks[i].n;
    while (end < chunks->n) {
        size_t next, budget, more = 0;
        int split;
        pack_window(wp, pp, chunks, end, &next, &budget, &split);
        if (next == end) /* a chunk too long for any window: the SWOT window stops before it */
            break;
        for (size_t i = end; i < next; i++)
            more += pp->ctoks[i].n;
        if (used + more + wp->max_new > wp->room)
            break;
        used += more;
        end = next;
    }
    return end;
}

/* The per-document log line (component "model"). */
static void log_stats(ds_log *log, const ds_document *doc, const ds_llm_stats *s)
{
    DS_INFO(log, "model",
            "%s: %d model calls in %zu facts and %zu SWOT windows, %zu prompt and %zu answer tokens in %.2f s (%zu "
            "prompt tokens "
            "reused); facts kept %zu dropped %zu, swot kept %zu dropped %zu by the grounding check; %zu unparsed "
            "answers, %zu malformed items; %zu answers closed early (%zu cut items dropped), %zu truncated, %zu "
            "salvaged; %zu facts budgets grown for table rows, %zu windows split for them",
            doc->name, s->calls, s->windows, s->swot_windows, s->prompt_tokens, s->answer_tokens, s->seconds,
            s->reused_tokens, s->ground.facts_kept, s->ground.facts_dropped, s->ground.swot_kept,
            s->ground.swot_dropped, s->unparsed, s->malformed, s->closed_early, s->cut_items, s->truncated, s->salvaged,
            s->grown, s->row_splits);
}

ds_status ds_llm_extract_document(const ds_llm_generator *gen, ds_document *doc, const ds_chunk_list *chunks,
                                  ds_log *log, ds_fact_list *facts, ds_swot_list *swot, ds_llm_stats *stats,
                                  ds_err *err)
{
    ds_llm_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    if (!gen || !gen->generate || !gen->tok || gen->max_new <= 0)
        return ds_err_set(err, DS_ERR_USAGE, "model backend: no generator, tokenizer or answer budget");
    double t0 = ds_now_s();
    prompt_parts pp;
    memset(&pp, 0, sizeof pp);
    ds_status st = encode_parts(gen->tok, chunks, &pp, err);
    size_t fixed = pp.head.n + (pp.tail[0].n > pp.tail[1].n ? pp.tail[0].n : pp.tail[1].n);
    if (st == DS_OK && (gen->max_context <= 0 || (size_t)gen->max_context <= fixed + (size_t)gen->max_new))
        st = ds_err_set(err, DS_ERR_CONFIG,
                        "model.max_context %d leaves no room for the document after a %zu-token prompt and answer",
                        gen->max_context, fixed + (size_t)gen->max_new);
    window_plan wp = {0, (size_t)gen->max_new, (size_t)gen->max_new};
    if (st == DS_OK) {
        wp.room = (size_t)gen->max_context - fixed;
        wp.largest = wp.room / 2 > wp.max_new ? wp.room / 2 : wp.max_new;
    }
    size_t swot_end = 0; /* chunks before it have had their SWOT call */
    for (size_t first = 0; first < chunks->n && st == DS_OK;) {
        size_t end, budget;
        int split;
        pack_window(&wp, &pp, chunks, first, &end, &budget, &split);
        if (end == first) {
            DS_WARN(log, "model", "%s: chunk %d of %zu tokens does not fit model.max_context; skipped", doc->name,
                    chunks->v[first].seq, pp.ctoks[first].n);
            stats->skipped_chunks++;
            first++;
            continue;
        }
        stats->windows++;
        stats->row_splits += split != 0;
        st = run_window(gen, DS_LLM_FACTS, &pp, first, end, (int)budget, doc, chunks, log, facts, swot, stats, err);
        if (st == DS_OK && first >= swot_end) {
            swot_end = swot_window_end(&wp, &pp, chunks, first, end);
            stats->swot_windows++;
            st = run_window(gen, DS_LLM_SWOT, &pp, first, swot_end, gen->max_new, doc, chunks, log, facts, swot, stats,
                            err);
        }
        first = end;
    }
    stats->seconds = ds_now_s() - t0;
    if (st == DS_OK)
        log_stats(log, doc, stats);
    parts_deinit(&pp);
    return st;
}
