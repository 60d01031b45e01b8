/* fuzz_tokenizer.c - libFuzzer target for the tokenizer: any bytes must encode without a crash,
 * count must agree with encode, the cache must not change results, and decode must accept every
 * id encode gave. Uses the Qwen3 tokenizer.json under $DS_SHARED_DIR (else the copy bundled in
 * $DS_SOURCE_DIR/extract/data) when present, else a small byte-level tokenizer built here. The
 * first input byte picks the options; the rest is the text. */
#include "model/tokenizer/tokenizer.h"
#include "pipeline/core/alloc.h"
#include "pipeline/core/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Fuzz-target state: one tokenizer for the whole process (test code, not library code). */
static ds_tokenizer *g_tok;
static ds_tokenizer_cache *g_cache;

static void put_char(ds_buf *b, unsigned c)
{
    char u[4];
    int l = 0;
    if (c < 0x80)
        u[l++] = (char)c;
    else {
        u[l++] = (char)(0xC0 | (c >> 6));
        u[l++] = (char)(0x80 | (c & 0x3F));
    }
    ds_buf_append(b, u, (size_t)l);
}

static ds_tokenizer *small_tokenizer(void)
{
    ds_buf b = DS_BUF_INIT;
    ds_buf_puts(&b, "{\"added_tokens\":[{\"id\":300,\"content\":\"<|s|>\",\"special\":true,\"normalized\":false},"
                    "{\"id\":301,\"content\":\"<m>\",\"special\":false,\"lstrip\":true,\"rstrip\":true,"
                    "\"single_word\":true,\"normalized\":true}],\"normalizer\":{\"type\":\"NFC\"},"
                    "\"pre_tokenizer\":{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"Split\",\"pattern\":"
                    "{\"Regex\":\"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\\\r\\\\n\\\\p{L}\\\\p{N}]?\\\\p{L}+|\\\\p{N}| ?"
                    "[^\\\\s\\\\p{L}\\\\p{N}]+[\\\\r\\\\n]*|\\\\s*[\\\\r\\\\n]+|\\\\s+(?!\\\\S)|\\\\s+\"},"
                    "\"behavior\":\"Isolated\",\"invert\":false},{\"type\":\"ByteLevel\",\"add_prefix_space\":true,"
                    "\"use_regex\":false}]},\"model\":{\"type\":\"BPE\",\"vocab\":{");
    int n = 0;
    for (int x = 0; x < 256; x++) {
        int printable = (x >= '!' && x <= '~') || (x >= 0xA1 && x <= 0xAC) || x >= 0xAE;
        unsigned c = printable ? (unsigned)x : 256u + (unsigned)n++;
        ds_buf_puts(&b, "\"");
        if (c == '"' || c == '\\')
            ds_buf_putc(&b, '\\');
        put_char(&b, c);
        ds_buf_printf(&b, "\":%d,", x);
    }
    ds_buf_puts(&b, "\"th\":256,\"the\":257,\"\xC4\xA0the\":258,\"in\":259,\"\xC4\xA0\xC4\xA0\":260},"
                    "\"merges\":[\"t h\",\"th e\",\"\xC4\xA0 the\",\"i n\",\"\xC4\xA0 \xC4\xA0\"]}}");
    ds_err err;
    ds_tokenizer *tok;
    if (ds_tokenizer_load_json(&tok, b.data, b.len, "fuzz", &err) != DS_OK)
        fprintf(stderr, "fuzz_tokenizer: %s\n", err.msg);
    ds_buf_deinit(&b);
    return tok;
}

static void setup(void)
{
    const char *dir = getenv("DS_SHARED_DIR"), *src = getenv("DS_SOURCE_DIR");
    char path[4096];
    ds_status st = DS_ERR_NOT_FOUND;
    if (dir && *dir) {
        snprintf(path, sizeof path, "%s/models/qwen3-tokenizer/tokenizer.json", dir);
        st = ds_tokenizer_load(&g_tok, path, NULL);
    }
    if (st != DS_OK && src && *src) {
        snprintf(path, sizeof path, "%s/extract/data/qwen3-tokenizer.json", src);
        st = ds_tokenizer_load(&g_tok, path, NULL);
    }
    if (st != DS_OK)
        g_tok = small_tokenizer();
    if (!g_tok || ds_tokenizer_cache_create(&g_cache, NULL) != DS_OK)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_tok)
        setup();
    int flags = size ? data[0] : 0;
    const char *text = size ? (const char *)data + 1 : "";
    size_t n = size ? size - 1 : 0;
    int special = flags & 1;

    ds_tokens a = DS_TOKENS_INIT, b = DS_TOKENS_INIT;
    ds_err err;
    if (ds_tokenizer_encode_cached(g_tok, g_cache, text, n, special, &a, &err) != DS_OK)
        abort();
    if (flags & 2) {
        if (ds_tokenizer_encode(g_tok, text, n, special, &b, &err) != DS_OK || a.n != b.n ||
            (a.n && memcmp(a.v, b.v, a.n * sizeof *a.v) != 0))
            abort(); /* the cache changed the result */
    }
    size_t count = 0;
    if (ds_tokenizer_count_cached(g_tok, g_cache, text, n, special, &count, &err) != DS_OK || count != a.n)
        abort();
    ds_buf out = DS_BUF_INIT;
    if (ds_tokenizer_decode(g_tok, a.v, a.n, flags & 4, &out, &err) != DS_OK)
        abort();
    /* The raw bytes read as ids: decode either succeeds or refuses an unknown id. */
    ds_buf_clear(&out);
    int32_t ids[64];
    size_t k = 0;
    for (size_t i = 0; i + 4 <= n && k < 64; i += 4) {
        uint32_t v;
        memcpy(&v, text + i, 4);
        ids[k++] = (int32_t)(v % (uint32_t)(ds_tokenizer_vocab_size(g_tok) + 16));
    }
    ds_status st = ds_tokenizer_decode(g_tok, ids, k, 0, &out, &err);
    if (st != DS_OK && st != DS_ERR_TOKENIZER)
        abort();
    ds_buf_deinit(&out);
    ds_tokens_deinit(&a);
    ds_tokens_deinit(&b);
    return 0;
}
