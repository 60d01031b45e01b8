/* tokenizer_test.c - the tokenizer against Hugging Face's own ids, plus its unit behaviour.
 *
 * Part 1 (always): a small byte-level tokenizer written here checks merge order, legacy merges,
 * unknown-byte handling, load errors, invalid UTF-8, allocation failures, and the NFC fast-path
 * table against GLib. Part 2: the Qwen3 tokenizer.json (../shared, else the identical copy in
 * extract/data) and variants of it must give exactly the ids of
 * tests/model/tokenizer/golden.jsonl (made by gen_golden.mjs with the Hugging Face tokenizers
 * library), count must agree, decode must round-trip, and two threads with their own caches must
 * agree. */
#include "model/tokenizer/tokenizer.h"
#include "model/tokenizer/tokenizer_internal.h"
#include "pipeline/core/alloc.h"
#include "pipeline/core/buf.h"
#include "tests/testlib.h"

#include <glib.h>
#include <jansson.h>
#include <pthread.h>
#include <time.h>

/* ---- a small tokenizer written here --------------------------------------------------------- */

static void put_byte_char(ds_buf *b, int byte)
{
    int n = 0, c = -1;
    for (int x = 0; x <= byte; x++) {
        int printable = (x >= '!' && x <= '~') || (x >= 0xA1 && x <= 0xAC) || x >= 0xAE;
        c = printable ? x : 256 + n++;
    }
    char u[8];
    int l = g_unichar_to_utf8((gunichar)c, u);
    ds_buf_append(b, u, (size_t)l);
}

/* Vocabulary: the byte tokens (id = byte) but for 'z', "Ġa" in z's place (122), "ab" 256,
 * "bc" 257, "abc" 258; the added token <|end|> then takes 259 (the vocabulary's size, as Hugging
 * Face numbers added tokens). Merges as given (JSON text of the array). */
static char *small_json(const char *merges, const char *pretok, const char *extra_model)
{
    ds_buf b = DS_BUF_INIT;
    ds_buf_puts(&b, "{\"version\":\"1.0\",\"added_tokens\":[{\"id\":259,\"content\":\"<|end|>\",\"special\":true,"
                    "\"normalized\":false}],\"normalizer\":{\"type\":\"NFC\"},\"pre_tokenizer\":");
    ds_buf_puts(&b, pretok);
    ds_buf_puts(&b, ",\"decoder\":{\"type\":\"ByteLevel\"},\"model\":{\"type\":\"BPE\",");
    ds_buf_puts(&b, extra_model);
    ds_buf_puts(&b, "\"vocab\":{");
    for (int i = 0; i < 256; i++) {
        if (i == 'z')
            continue; /* one byte without a token */
        ds_buf_puts(&b, "\"");
        if (i == '"' || i == '\\')
            ds_buf_putc(&b, '\\');
        put_byte_char(&b, i);
        ds_buf_printf(&b, "\":%d,", i);
    }
    ds_buf_puts(&b, "\"ab\":256,\"bc\":257,\"abc\":258,\"\xC4\xA0"
                    "a\":122},\"merges\":");
    ds_buf_puts(&b, merges);
    ds_buf_puts(&b, "}}");
    return ds_buf_take(&b);
}

static const char *BL_PRETOK = "{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"use_regex\":true}";

static int encode_eq(ds_tokenizer *tok, const char *text, size_t n, int special, const int32_t *want, size_t nwant)
{
    ds_tokens t = DS_TOKENS_INIT;
    ds_err err;
    ds_status st = ds_tokenizer_encode(tok, text, n, special, &t, &err);
    int ok = st == DS_OK && t.n == nwant && (nwant == 0 || memcmp(t.v, want, nwant * sizeof *want) == 0);
    if (!ok) {
        fprintf(stderr, "  encode of \"%.*s\": status %d, %zu ids:", (int)n, text, (int)st, t.n);
        for (size_t i = 0; i < t.n; i++)
            fprintf(stderr, " %d", t.v[i]);
        fprintf(stderr, "\n");
    }
    ds_tokens_deinit(&t);
    return ok;
}

static void test_small(void)
{
    ds_err err;
    /* (b,c) ranks before (a,b): "abc" -> a bc (no merge a+bc). */
    char *j = small_json("[[\"b\",\"c\"],[\"a\",\"b\"],[\"ab\",\"c\"],[\"\xC4\xA0\",\"a\"]]", BL_PRETOK, "");
    ds_tokenizer *tok;
    DS_REQUIRE(ds_tokenizer_load_json(&tok, j, strlen(j), "small", &err) == DS_OK);
    DS_CHECK(ds_tokenizer_vocab_size(tok) == 260);
    DS_CHECK(encode_eq(tok, "abc", 3, 1, (int32_t[]){'a', 257}, 2));
    DS_CHECK(encode_eq(tok, "ab", 2, 1, (int32_t[]){256}, 1));
    DS_CHECK(encode_eq(tok, "x abc", 5, 1, (int32_t[]){'x', 122, 257}, 3));
    /* 'z' has no token and there is no unk: dropped, as Hugging Face does. */
    DS_CHECK(encode_eq(tok, "aza", 3, 1, (int32_t[]){'a', 'a'}, 2));
    DS_CHECK(encode_eq(tok, "<|end|>ab", 9, 1, (int32_t[]){259, 256}, 2));
    DS_CHECK(encode_eq(tok, "", 0, 1, NULL, 0));
    DS_CHECK(ds_tokenizer_token_id(tok, "<|end|>") == 259);
    DS_CHECK(ds_tokenizer_token_id(tok, "\xC4\xA0"
                                        "a") == 122);
    DS_CHECK(ds_tokenizer_token_id(tok, " a") == -1);
    size_t len = 0;
    const char *b = ds_tokenizer_token_bytes(tok, 122, &len);
    DS_CHECK(b && len == 2 && memcmp(b, " a", 2) == 0);
    DS_CHECK(ds_tokenizer_token_bytes(tok, 260, &len) == NULL && len == 0);
    DS_CHECK(ds_tokenizer_token_bytes(tok, -1, &len) == NULL);
    DS_CHECK(ds_tokenizer_is_special(tok, 259) && !ds_tokenizer_is_special(tok, 122));
    ds_tokenizer_free(tok);
    ds_free(j);

    /* (a,b) first: "abc" -> ab c -> abc; legacy "a b" merges with a #version line. */
    j = small_json("[\"#version: 0.2\",\"a b\",\"b c\",\"ab c\"]", BL_PRETOK, "");
    DS_REQUIRE(ds_tokenizer_load_json(&tok, j, strlen(j), "small", &err) == DS_OK);
    DS_CHECK(encode_eq(tok, "abc", 3, 1, (int32_t[]){258}, 1));
    DS_CHECK(encode_eq(tok, "abcabc abc", 10, 1, (int32_t[]){258, 258, ' ', 258}, 4));
    /* Invalid UTF-8 is replaced by U+FFFD (EF BF BD) before encoding; no crash. */
    DS_CHECK(encode_eq(tok,
                       "a\xFF"
                       "b",
                       3, 1, (int32_t[]){'a', 0xEF, 0xBF, 0xBD, 'b'}, 5));
    DS_CHECK(encode_eq(tok, "\xE2\x82", 2, 1, (int32_t[]){0xEF, 0xBF, 0xBD}, 3));
    /* Decode. */
    ds_buf out = DS_BUF_INIT;
    DS_CHECK(ds_tokenizer_decode(tok, (int32_t[]){258, 259, 122}, 3, 0, &out, &err) == DS_OK);
    DS_CHECK(out.len == 12 && memcmp(out.data, "abc<|end|> a", 12) == 0);
    ds_buf_clear(&out);
    DS_CHECK(ds_tokenizer_decode(tok, (int32_t[]){258, 259, 122}, 3, 1, &out, &err) == DS_OK);
    DS_CHECK_STREQ(out.data, "abc a");
    DS_CHECK(ds_tokenizer_decode(tok, (int32_t[]){258, 9999}, 2, 0, &out, &err) == DS_ERR_TOKENIZER);
    DS_CHECK_STREQ(out.data, "abc a");
    DS_CHECK(ds_tokenizer_decode(tok, (int32_t[]){260}, 1, 0, &out, &err) == DS_ERR_TOKENIZER);
    ds_buf_deinit(&out);
    /* Words longer than the scan limit go through the heap merge: same result. */
    char longw[301];
    int32_t want[100];
    for (int i = 0; i < 100; i++) {
        memcpy(longw + 3 * i, "abc", 3);
        want[i] = 258;
    }
    DS_CHECK(encode_eq(tok, longw, 300, 1, want, 100));
    /* Allocation failures while loading and encoding end in NOMEM or success, never a crash. */
    int saw_fail = 0, saw_ok = 0;
    for (long k = 0; k < 60; k++) {
        ds_alloc_fail_after(k);
        ds_tokenizer *t2;
        ds_status lst = ds_tokenizer_load_json(&t2, j, strlen(j), "small", &err);
        ds_alloc_fail_after(-1);
        if (lst != DS_OK) {
            DS_CHECK(lst == DS_ERR_NOMEM && err.code == DS_ERR_NOMEM && t2 == NULL);
            saw_fail++;
            continue;
        }
        saw_ok++;
        ds_tokens t = DS_TOKENS_INIT;
        for (long m = 0; m < 12; m++) {
            ds_alloc_fail_after(m);
            ds_status st = ds_tokenizer_encode(t2, longw, 300, 1, &t, &err);
            ds_alloc_fail_after(-1);
            DS_CHECK(st == DS_OK || st == DS_ERR_NOMEM);
            DS_CHECK(st != DS_OK || t.n == 100);
            ds_tokens_clear(&t);
        }
        ds_tokens_deinit(&t);
        ds_tokenizer_free(t2);
    }
    DS_CHECK(saw_fail > 0 && saw_ok > 0);
    ds_tokenizer_free(tok);
    ds_free(j);

    /* Load errors name the problem. */
    ds_tokenizer *bad;
    j = small_json("[[\"a\",\"q q\"]]", BL_PRETOK, "");
    DS_CHECK(ds_tokenizer_load_json(&bad, j, strlen(j), "small", &err) == DS_ERR_TOKENIZER && bad == NULL &&
             err.code == DS_ERR_TOKENIZER);
    ds_free(j);
    j = small_json("[]", "{\"type\":\"Whitespace\"}", "");
    DS_CHECK(ds_tokenizer_load_json(&bad, j, strlen(j), "small", &err) == DS_ERR_UNSUPPORTED && bad == NULL &&
             err.code == DS_ERR_UNSUPPORTED);
    ds_free(j);
    j = small_json("[]", "{\"type\":\"Split\",\"pattern\":{\"Regex\":\"\\\\w+\"},\"behavior\":\"Isolated\"}", "");
    DS_CHECK(ds_tokenizer_load_json(&bad, j, strlen(j), "small", &err) == DS_ERR_UNSUPPORTED && bad == NULL &&
             err.code == DS_ERR_UNSUPPORTED);
    ds_free(j);
    j = small_json("[]", BL_PRETOK, "\"byte_fallback\":true,");
    DS_CHECK(ds_tokenizer_load_json(&bad, j, strlen(j), "small", &err) == DS_ERR_UNSUPPORTED && bad == NULL &&
             err.code == DS_ERR_UNSUPPORTED);
    ds_free(j);
    DS_CHECK(ds_tokenizer_load_json(&bad, "{\"model\":", 9, "broken", &err) == DS_ERR_PARSE && bad == NULL &&
             err.code == DS_ERR_PARSE);
    DS_CHECK(ds_tokenizer_load(&bad, "/nonexistent/tokenizer.json", &err) == DS_ERR_NOT_FOUND && bad == NULL &&
             err.code == DS_ERR_NOT_FOUND);
    ds_tokenizer_free(NULL);
    ds_tokenizer_cache_free(NULL);
}

/* The NFC fast path may skip only characters NFC can neither change nor combine with. */
static void test_nfc_inert(void)
{
    static uint8_t second[0x30000];
    for (gunichar c = 0; c < 0x30000; c++) {
        gunichar a, b;
        if (g_unichar_decompose(c, &a, &b) && b != 0 && b < 0x30000)
            second[b] = 1;
    }
    int bad = 0;
    for (uint32_t c = 0; c < 0x110000; c++) {
        if (!ds_tok_nfc_inert(c) || (c >= 0xD800 && c <= 0xDFFF) || c == 0)
            continue;
        char u[8];
        int l = g_unichar_to_utf8(c, u);
        gchar *nf = g_utf8_normalize(u, l, G_NORMALIZE_NFC);
        int same = nf && strlen(nf) == (size_t)l && memcmp(nf, u, (size_t)l) == 0;
        g_free(nf);
        int hangul_vt = (c >= 0x1161 && c <= 0x1175) || (c >= 0x11A8 && c <= 0x11C2);
        if (!same || g_unichar_combining_class(c) != 0 || (c < 0x30000 && second[c]) || hangul_vt) {
            if (bad++ < 5)
                fprintf(stderr, "  U+%04X is in the NFC fast path but NFC can change it\n", c);
        }
    }
    DS_CHECK(bad == 0);
    /* And the segment normalizer composes across the fast path's boundaries. */
    ds_buf b = DS_BUF_INIT;
    const char *in = "cafe\xCC\x81 \xE4\xB8\xAD"
                     "a\xCC\xA3\xCC\x81"
                     "x\xE1\x84\x80\xE1\x85\xA1";
    DS_CHECK(ds_tok_nfc_append(in, strlen(in), &b) == DS_OK);
    gchar *want = g_utf8_normalize(in, -1, G_NORMALIZE_NFC);
    DS_CHECK_STREQ(b.data, want);
    g_free(want);
    /* Long runs of marks (the canonical reordering done before GLib's) give GLib's result, and
     * fast: 0F73 decomposes to 0F71 0F72, out of order against the 0F72 before it. */
    static const char *unit[] = {"\xE0\xBD\xB2\xE0\xBD\xB3", "\xCC\x81\xCC\x96\xCD\x85\xCC\xA3",
                                 "\xE1\x85\xA1\xE1\x86\xA8\xCC\x81", "\xEA\xB0\x80\xE1\x86\xA8\xCC\x88"};
    for (size_t k = 0; k < sizeof unit / sizeof unit[0]; k++) {
        ds_buf in2 = DS_BUF_INIT;
        ds_buf_puts(&in2, "a");
        for (int r = 0; r < 3000; r++)
            ds_buf_puts(&in2, unit[k]);
        ds_buf_clear(&b);
        DS_CHECK(ds_tok_nfc_append(in2.data, in2.len, &b) == DS_OK);
        want = g_utf8_normalize(in2.data, (gssize)in2.len, G_NORMALIZE_NFC);
        DS_CHECKF(want && b.len == strlen(want) && memcmp(b.data, want, b.len) == 0, "long segment %zu", k);
        g_free(want);
        ds_buf_deinit(&in2);
    }
    ds_buf_clear(&b);
    ds_buf big = DS_BUF_INIT;
    ds_buf_puts(&big, "a");
    for (int r = 0; r < 100000; r++)
        ds_buf_puts(&big, unit[0]);
    clock_t t0 = clock();
    DS_CHECK(ds_tok_nfc_append(big.data, big.len, &b) == DS_OK);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    DS_CHECKF(secs < 5.0, "NFC of 600 KB of crafted marks took %.1f s", secs);
    ds_buf_deinit(&big);
    ds_buf_deinit(&b);
}

/* ---- the golden file ------------------------------------------------------------------------------ */

typedef struct gcase {
    const char *variant, *name;
    int special;
    char *text;
    size_t n;
    int valid; /* text is valid UTF-8 */
    int32_t *ids;
    size_t n_ids;
} gcase;

static char *hex_decode(const char *hex, size_t *n)
{
    size_t l = strlen(hex) / 2;
    char *o = ds_malloc(l + 1);
    for (size_t i = 0; i < l; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        o[i] = (char)v;
    }
    o[l] = 0;
    *n = l;
    return o;
}

/* The base tokenizer.json with a variant's patch applied (see gen_golden.mjs), as JSON text. */
static char *variant_json(const ds_buf *base, json_t *patch)
{
    json_t *j = json_loadb(base->data, base->len, 0, NULL);
    if (!j)
        return NULL;
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(patch, "set"), k, v) json_object_set(j, k, v);
    json_t *model = json_object_get(j, "model");
    json_object_foreach(json_object_get(patch, "model_set"), k, v) json_object_set(model, k, v);
    if (json_is_true(json_object_get(patch, "merges_legacy"))) {
        json_t *m = json_object_get(model, "merges");
        for (size_t i = 0; i < json_array_size(m); i++) {
            json_t *p = json_array_get(m, i);
            if (!json_is_array(p))
                continue;
            char *s = ds_asprintf("%s %s", json_string_value(json_array_get(p, 0)),
                                  json_string_value(json_array_get(p, 1)));
            json_array_set_new(m, i, json_string(s));
            ds_free(s);
        }
    }
    json_t *app = json_object_get(patch, "added_tokens_append");
    if (app)
        json_array_extend(json_object_get(j, "added_tokens"), app);
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return text;
}

typedef struct golden {
    json_t *header;
    gcase *v;
    size_t n;
    json_t **lines;
} golden;

static int load_golden(golden *g)
{
    ds_buf b = DS_BUF_INIT;
    ds_err err;
    const char *path = ds_test_source("tests/model/tokenizer/golden.jsonl");
    if (ds_buf_read_file(&b, path, 0, &err) != DS_OK) {
        fprintf(stderr, "cannot read %s: %s\n", path, err.msg);
        return 0;
    }
    size_t lines = 0;
    for (size_t i = 0; i < b.len; i++)
        lines += b.data[i] == '\n';
    g->v = ds_calloc(lines, sizeof *g->v);
    g->lines = ds_calloc(lines, sizeof *g->lines);
    g->n = 0;
    char *p = b.data;
    int first = 1;
    while (*p) {
        char *nl = strchr(p, '\n');
        size_t l = nl ? (size_t)(nl - p) : strlen(p);
        json_error_t je;
        json_t *j = json_loadb(p, l, JSON_ALLOW_NUL, &je);
        DS_REQUIRE(j != NULL);
        if (first) {
            g->header = j;
            first = 0;
        } else {
            gcase *c = &g->v[g->n];
            g->lines[g->n] = j;
            c->variant = json_string_value(json_object_get(j, "variant"));
            c->name = json_string_value(json_object_get(j, "name"));
            c->special = (int)json_integer_value(json_object_get(j, "special"));
            json_t *t = json_object_get(j, "text");
            if (t) {
                c->n = json_string_length(t);
                c->text = ds_malloc(c->n + 1);
                memcpy(c->text, json_string_value(t), c->n + 1);
                c->valid = 1;
            } else {
                c->text = hex_decode(json_string_value(json_object_get(j, "hex")), &c->n);
                c->valid = g_utf8_validate(c->text, (gssize)c->n, NULL);
            }
            json_t *ids = json_object_get(j, "ids");
            c->n_ids = json_array_size(ids);
            c->ids = ds_malloc((c->n_ids + 1) * sizeof *c->ids);
            for (size_t i = 0; i < c->n_ids; i++)
                c->ids[i] = (int32_t)json_integer_value(json_array_get(ids, i));
            g->n++;
        }
        p += l + (nl ? 1 : 0);
    }
    ds_buf_deinit(&b);
    return 1;
}

static void free_golden(golden *g)
{
    for (size_t i = 0; i < g->n; i++) {
        ds_free(g->v[i].text);
        ds_free(g->v[i].ids);
        json_decref(g->lines[i]);
    }
    ds_free(g->v);
    ds_free(g->lines);
    json_decref(g->header);
}

static int report_mismatch(const gcase *c, const ds_tokens *got)
{
    static int shown = 0;
    if (shown++ >= 15)
        return 0;
    size_t i = 0;
    while (i < got->n && i < c->n_ids && got->v[i] == c->ids[i])
        i++;
    fprintf(stderr, "  mismatch %s/%s special=%d: %zu ids, want %zu; first difference at %zu:", c->variant, c->name,
            c->special, got->n, c->n_ids, i);
    for (size_t k = i; k < i + 6 && k < got->n; k++)
        fprintf(stderr, " %d", got->v[k]);
    fprintf(stderr, " | want");
    for (size_t k = i; k < i + 6 && k < c->n_ids; k++)
        fprintf(stderr, " %d", c->ids[k]);
    fprintf(stderr, "\n");
    return 0;
}

typedef struct thread_job {
    const ds_tokenizer *tok;
    const golden *g;
    int mismatches;
} thread_job;

static void *thread_main(void *arg)
{
    thread_job *job = arg;
    /* Should the cache not be made, cache is NULL, which is valid: encoding then goes uncached. */
    ds_tokenizer_cache *cache;
    (void)ds_tokenizer_cache_create(&cache, NULL);
    ds_tokens t = DS_TOKENS_INIT;
    for (int round = 0; round < 2; round++)
        for (size_t i = 0; i < job->g->n; i++) {
            const gcase *c = &job->g->v[i];
            if (strcmp(c->variant, "base") != 0)
                continue;
            ds_tokens_clear(&t);
            if (ds_tokenizer_encode_cached(job->tok, cache, c->text, c->n, c->special, &t, NULL) != DS_OK ||
                t.n != c->n_ids || memcmp(t.v, c->ids, t.n * sizeof *t.v) != 0)
                job->mismatches++;
        }
    ds_tokens_deinit(&t);
    ds_tokenizer_cache_free(cache);
    return NULL;
}

static void test_golden(const char *tokenizer_path)
{
    golden g;
    memset(&g, 0, sizeof g);
    DS_REQUIRE(load_golden(&g));
    DS_CHECK(g.n > 1000);
    ds_buf base = DS_BUF_INIT;
    ds_err err;
    DS_REQUIRE(ds_buf_read_file(&base, tokenizer_path, 0, &err) == DS_OK);

    json_t *variants = json_object_get(g.header, "variants");
    const char *vname;
    json_t *patch;
    ds_tokenizer_cache *cache;
    DS_REQUIRE(ds_tokenizer_cache_create(&cache, &err) == DS_OK);
    ds_tokenizer *base_tok = NULL;
    size_t total = 0, failed = 0, roundtrips = 0;
    json_object_foreach(variants, vname, patch)
    {
        char *text = variant_json(&base, patch);
        DS_REQUIRE(text != NULL);
        ds_tokenizer *tok;
        ds_status lst = ds_tokenizer_load_json(&tok, text, strlen(text), vname, &err);
        free(text);
        DS_CHECKF(lst == DS_OK, "variant %s: %s", vname, err.msg);
        if (lst != DS_OK)
            continue;
        int nfc = tok->nfc, prefix = 0;
        for (int s = 0; s < tok->n_steps; s++)
            prefix |= tok->steps[s].prefix_space;
        ds_tokens t = DS_TOKENS_INIT;
        ds_buf dec = DS_BUF_INIT;
        size_t k = 0;
        for (size_t i = 0; i < g.n; i++) {
            const gcase *c = &g.v[i];
            if (strcmp(c->variant, vname) != 0)
                continue;
            total++;
            ds_tokens_clear(&t);
            /* Every seventh case without a cache, the others through one shared cache. */
            ds_status st = (k++ % 7 == 0) ? ds_tokenizer_encode(tok, c->text, c->n, c->special, &t, &err)
                                          : ds_tokenizer_encode_cached(tok, cache, c->text, c->n, c->special, &t, &err);
            int same = st == DS_OK && t.n == c->n_ids && memcmp(t.v, c->ids, t.n * sizeof *t.v) == 0;
            if (!same) {
                failed++;
                report_mismatch(c, &t);
                continue;
            }
            size_t count = 0;
            DS_CHECK(ds_tokenizer_count_cached(tok, cache, c->text, c->n, c->special, &count, &err) == DS_OK &&
                     count == c->n_ids);
            if (!c->special)
                DS_CHECK(ds_tokenizer_count(tok, c->text, c->n) == c->n_ids);
            /* decode(encode(x)) == x for valid text the normalizer leaves alone. */
            if (c->valid && !prefix && tok->norm_matcher.n == 0) {
                gchar *nf = nfc ? g_utf8_normalize(c->text, (gssize)c->n, G_NORMALIZE_NFC) : NULL;
                if (!nfc || (nf && strlen(nf) == c->n && memcmp(nf, c->text, c->n) == 0)) {
                    ds_buf_clear(&dec);
                    DS_CHECK(ds_tokenizer_decode(tok, t.v, t.n, 0, &dec, &err) == DS_OK);
                    DS_CHECKF(dec.len == c->n && memcmp(dec.data, c->text, c->n) == 0, "round trip of %s/%s", vname,
                              c->name);
                    roundtrips++;
                }
                g_free(nf);
            }
        }
        ds_tokens_deinit(&t);
        ds_buf_deinit(&dec);
        if (strcmp(vname, "base") == 0)
            base_tok = tok;
        else
            ds_tokenizer_free(tok);
    }
    printf("golden: %zu cases, %zu differ from Hugging Face; %zu round trips\n", total, failed, roundtrips);
    DS_CHECK(failed == 0);
    DS_CHECK(roundtrips > 500);

    DS_REQUIRE(base_tok != NULL);
    /* Vocabulary queries, against values read off the Hugging Face library. */
    DS_CHECK(ds_tokenizer_vocab_size(base_tok) == 151669);
    DS_CHECK(ds_tokenizer_token_id(base_tok, "<|im_end|>") == 151645);
    DS_CHECK(ds_tokenizer_token_id(base_tok, "\xC4\xA0the") == 279);
    DS_CHECK(ds_tokenizer_token_id(base_tok, "\xC4\x8A") == 198);
    DS_CHECK(ds_tokenizer_token_id(base_tok, "no such token at all") == -1);
    size_t len;
    const char *b = ds_tokenizer_token_bytes(base_tok, 279, &len);
    DS_CHECK(b && len == 4 && memcmp(b, " the", 4) == 0);
    b = ds_tokenizer_token_bytes(base_tok, 151644, &len);
    DS_CHECK(b && len == 12 && memcmp(b, "<|im_start|>", 12) == 0);
    DS_CHECK(ds_tokenizer_is_special(base_tok, 151643) && !ds_tokenizer_is_special(base_tok, 151667));
    ds_buf out = DS_BUF_INIT;
    DS_CHECK(ds_tokenizer_decode(base_tok, (int32_t[]){151644, 872, 198, 279, 151645}, 5, 1, &out, &err) == DS_OK);
    DS_CHECK_STREQ(out.data, "user\n the");
    ds_buf_deinit(&out);
    for (int32_t id = 0; id < ds_tokenizer_vocab_size(base_tok); id++)
        if (!ds_tokenizer_token_bytes(base_tok, id, &len) || len == 0) {
            DS_CHECKF(0, "id %d has no bytes", (int)id);
            break;
        }

    /* Two threads, one tokenizer, a cache each. */
    thread_job jobs[2] = {{base_tok, &g, 0}, {base_tok, &g, 0}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&th[i], NULL, thread_main, &jobs[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    DS_CHECK(jobs[0].mismatches == 0 && jobs[1].mismatches == 0);

    ds_tokenizer_free(base_tok);
    ds_tokenizer_cache_free(cache);
    ds_buf_deinit(&base);
    free_golden(&g);
}

int main(void)
{
    test_small();
    test_nfc_inert();
    /* The Qwen3 tokenizer.json of ../shared, else the identical copy bundled in extract/data. */
    const char *path = ds_test_shared("models/qwen3-tokenizer/tokenizer.json");
    FILE *bundled = path ? NULL : fopen(ds_test_source("extract/data/qwen3-tokenizer.json"), "rb");
    if (bundled) {
        fclose(bundled);
        path = ds_test_source("extract/data/qwen3-tokenizer.json");
    }
    if (!path)
        printf("note: no Qwen3 tokenizer.json (../shared absent, no bundled copy): golden comparison skipped\n");
    else
        test_golden(path);
    return ds_test_done();
}
