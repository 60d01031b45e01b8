/* tokenizer_encode.c - encode, count and decode with a loaded tokenizer (see tokenizer.h).
 *
 * Encoding follows Hugging Face's pipeline: invalid UTF-8 repaired; added tokens with
 * normalized=false split out of the raw text; each remaining piece normalized (NFC) and split
 * on the added tokens with normalized=true; each remaining piece pre-tokenized (the Split and
 * ByteLevel steps) and every pre-token BPE-encoded through the word cache.
 * Owns: nothing beyond the call; ids go to the caller's ds_tokens, bytes to the caller's ds_buf.
 * Threading: reentrant; the tokenizer is only read, the cache must be the calling thread's.
 */
#include "model/tokenizer/tokenizer_internal.h"

#include "pipeline/core/alloc.h"

/* ---- ds_tokens -------------------------------------------------------------------------------- */

void ds_tokens_init(ds_tokens *t)
{
    t->v = NULL;
    t->n = t->cap = 0;
}

void ds_tokens_deinit(ds_tokens *t)
{
    ds_free(t->v);
    ds_tokens_init(t);
}

void ds_tokens_clear(ds_tokens *t)
{
    t->n = 0;
}

ds_status ds_tokens_reserve(ds_tokens *t, size_t extra)
{
    if (extra > SIZE_MAX / sizeof(int32_t) - t->n)
        return DS_ERR_NOMEM;
    size_t need = t->n + extra;
    if (need <= t->cap)
        return DS_OK;
    size_t cap = t->cap ? t->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 / sizeof(int32_t) ? need : cap * 2;
    int32_t *ids = ds_realloc(t->v, cap * sizeof *ids);
    if (!ids)
        return DS_ERR_NOMEM;
    t->v = ids;
    t->cap = cap;
    return DS_OK;
}

/* ---- the pipeline ------------------------------------------------------------------------------ */

typedef struct enc_ctx {
    const ds_tokenizer *tok;
    ds_tokenizer_cache *c;
    int parse_special;
    bool store; /* remember words in the cache */
    ds_tok_sink *sink;
} enc_ctx;

typedef ds_status (*piece_fn)(enc_ctx *x, const uint8_t *s, size_t n);

/* Pre-tokenizer step k and the ones after it over the piece s[0..n), then BPE. */
static ds_status pretok(enc_ctx *x, const uint8_t *s, size_t n, int k)
{
    if (n == 0)
        return DS_OK;
    const ds_tokenizer *tok = x->tok;
    if (k == tok->n_steps)
        return ds_tok_bpe_word(tok, x->c, s, n, x->store, x->sink);
    const ds_tok_step *step = &tok->steps[k];
    if (step->prefix_space && s[0] != ' ') {
        ds_buf *b = &x->c->prefixed[k];
        ds_buf_clear(b);
        if (ds_buf_putc(b, ' ') != DS_OK || ds_buf_append(b, s, n) != DS_OK)
            return DS_ERR_NOMEM;
        s = (const uint8_t *)b->data;
        n = b->len;
    }
    if (step->kind == DS_TOK_SPLIT_NONE)
        return pretok(x, s, n, k + 1);
    for (size_t i = 0; i < n;) {
        size_t e = ds_tok_split_next(step, s, n, i);
        ds_status st = pretok(x, s + i, e - i, k + 1);
        if (st != DS_OK)
            return st;
        i = e;
    }
    return DS_OK;
}

static ds_status emit_id(enc_ctx *x, int32_t id)
{
    x->sink->count++;
    ds_tokens *t = x->sink->out;
    if (!t)
        return DS_OK;
    if (t->n == t->cap && ds_tokens_reserve(t, 1) != DS_OK)
        return DS_ERR_NOMEM;
    t->v[t->n++] = id;
    return DS_OK;
}

/* Start of the trailing white-space run of s[0..end). */
static size_t trailing_space_start(const uint8_t *s, size_t end)
{
    while (end > 0) {
        size_t p = end - 1;
        while (p > 0 && (s[p] & 0xC0) == 0x80)
            p--;
        int l;
        if (ds_tok_uclass(ds_tok_utf8_decode(s + p, &l)) != DS_TOK_C_WS)
            break;
        end = p;
    }
    return end;
}

/* End of the leading white-space run of s[i..n). */
static size_t leading_space_end(const uint8_t *s, size_t n, size_t i)
{
    while (i < n) {
        int l;
        if (ds_tok_uclass(ds_tok_utf8_decode(s + i, &l)) != DS_TOK_C_WS)
            break;
        i += (size_t)l;
    }
    return i;
}

/* Splits s[0..n) on the tokens of matcher m as Hugging Face's AddedVocabulary::find_matches:
 * leftmost-longest matches, scanning on after each match; special tokens skipped unless
 * parse_special; single_word, lstrip and rstrip applied. Text between goes to fn. */
static ds_status split_added(enc_ctx *x, const ds_tok_matcher *m, const uint8_t *s, size_t n, piece_fn fn)
{
    if (m->n == 0)
        return fn(x, s, n);
    const ds_tokenizer *tok = x->tok;
    size_t scan = 0, start_offset = 0;
    ds_status st;
    while (scan < n) {
        const ds_tok_added *hit = NULL;
        size_t i = scan;
        for (; i < n && !hit; i++) {
            uint8_t b = s[i];
            for (uint32_t k = m->start[b]; k < m->start[b + 1]; k++) {
                const ds_tok_added *a = &tok->added[m->order[k]];
                if (a->pattern_len <= n - i && memcmp(a->pattern, s + i, a->pattern_len) == 0) {
                    hit = a;
                    break;
                }
            }
        }
        if (!hit)
            break;
        size_t start = i - 1, stop = start + hit->pattern_len;
        scan = stop;
        if (hit->special && !x->parse_special)
            continue;
        if (hit->single_word) {
            int l;
            bool word_before = false, word_after = false;
            if (start > 0) {
                size_t p = start - 1;
                while (p > 0 && (s[p] & 0xC0) == 0x80)
                    p--;
                word_before = ds_tok_is_word_char(ds_tok_utf8_decode(s + p, &l));
            }
            if (stop < n)
                word_after = ds_tok_is_word_char(ds_tok_utf8_decode(s + stop, &l));
            if (word_before || word_after)
                continue;
        }
        if (hit->lstrip) {
            size_t ns = trailing_space_start(s, start);
            start = ns > start_offset ? ns : start_offset;
        }
        if (hit->rstrip)
            stop = leading_space_end(s, n, stop);
        if (start_offset < start && (st = fn(x, s + start_offset, start - start_offset)) != DS_OK)
            return st;
        if ((st = emit_id(x, hit->id)) != DS_OK)
            return st;
        start_offset = stop;
    }
    if (start_offset < n)
        return fn(x, s + start_offset, n - start_offset);
    return DS_OK;
}

static ds_status normalized_piece(enc_ctx *x, const uint8_t *s, size_t n)
{
    return pretok(x, s, n, 0);
}

/* Whether NFC can change s[0..n). */
static bool nfc_needed(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (!(w & 0x8080808080808080ull)) {
                i += 8;
                continue;
            }
        }
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        int l;
        if (!ds_tok_nfc_inert(ds_tok_utf8_decode(s + i, &l)))
            return true;
        i += (size_t)l;
    }
    return false;
}

static ds_status raw_piece(enc_ctx *x, const uint8_t *s, size_t n)
{
    if (x->tok->nfc && nfc_needed(s, n)) {
        ds_buf *b = &x->c->norm;
        ds_buf_clear(b);
        if (ds_tok_nfc_append((const char *)s, n, b) != DS_OK)
            return DS_ERR_NOMEM;
        s = (const uint8_t *)b->data;
        n = b->len;
    }
    return split_added(x, &x->tok->norm_matcher, s, n, normalized_piece);
}

static ds_status run(const ds_tokenizer *tok, ds_tokenizer_cache *cache, const char *text, size_t n, int parse_special,
                     ds_tok_sink *sink, ds_err *err)
{
    if (!tok || (!text && n))
        return ds_err_set(err, DS_ERR_USAGE, "tokenizer: no tokenizer or no text");
    ds_tokenizer_cache local;
    ds_tokenizer_cache *c = cache;
    if (!c) {
        ds_tok_cache_init(&local);
        c = &local;
    }
    if (c->fingerprint != tok->fingerprint)
        ds_tok_cache_reset(c, tok->fingerprint);
    /* A cache made for this call only pays for itself on longer texts. */
    enc_ctx x = {tok, c, parse_special, cache != NULL || n >= 2048, sink};
    ds_status st = DS_OK;
    const uint8_t *s = (const uint8_t *)text;
    if (!ds_tok_utf8_valid(text, n)) {
        ds_buf_clear(&c->clean);
        if (ds_tok_utf8_sanitize(text, n, &c->clean) != DS_OK) {
            st = DS_ERR_NOMEM;
            goto done;
        }
        s = (const uint8_t *)c->clean.data;
        n = c->clean.len;
    }
    st = split_added(&x, &tok->raw_matcher, s, n, raw_piece);
done:
    if (c == &local)
        ds_tok_cache_deinit(&local);
    if (st != DS_OK)
        ds_err_set(err, st, "%s: %s while encoding %zu bytes", tok->name, ds_status_str(st), n);
    return st;
}

ds_status ds_tokenizer_encode_cached(const ds_tokenizer *tok, ds_tokenizer_cache *cache, const char *text, size_t n,
                                     int parse_special, ds_tokens *out, ds_err *err)
{
    if (!out)
        return ds_err_set(err, DS_ERR_USAGE, "tokenizer: no output array");
    size_t n0 = out->n;
    ds_tok_sink sink = {out, 0};
    if (out->cap - out->n < n / 4 + 16)
        (void)ds_tokens_reserve(out, n / 4 + 16); /* a guess; growing later is fine too */
    ds_status st = run(tok, cache, text, n, parse_special, &sink, err);
    if (st != DS_OK)
        out->n = n0;
    return st;
}

ds_status ds_tokenizer_encode(const ds_tokenizer *tok, const char *text, size_t n, int parse_special, ds_tokens *out,
                              ds_err *err)
{
    return ds_tokenizer_encode_cached(tok, NULL, text, n, parse_special, out, err);
}

ds_status ds_tokenizer_count_cached(const ds_tokenizer *tok, ds_tokenizer_cache *cache, const char *text, size_t n,
                                    int parse_special, size_t *count, ds_err *err)
{
    ds_tok_sink sink = {NULL, 0};
    ds_status st = run(tok, cache, text, n, parse_special, &sink, err);
    if (count)
        *count = st == DS_OK ? sink.count : 0;
    return st;
}

size_t ds_tokenizer_count(const ds_tokenizer *tok, const char *text, size_t n)
{
    size_t count = 0;
    if (ds_tokenizer_count_cached(tok, NULL, text, n, 0, &count, NULL) != DS_OK)
        return n;
    return count;
}

ds_status ds_tokenizer_decode(const ds_tokenizer *tok, const int32_t *ids, size_t n, int skip_special, ds_buf *out,
                              ds_err *err)
{
    if (!tok || !out || (!ids && n))
        return ds_err_set(err, DS_ERR_USAGE, "tokenizer: no tokenizer, ids or output");
    size_t len0 = out->len;
    for (size_t i = 0; i < n; i++) {
        int32_t id = ids[i];
        if (id < 0 || id >= tok->vocab_size || !(tok->tok_flags[id] & DS_TOK_F_PRESENT)) {
            if (out->data) {
                out->len = len0;
                out->data[len0] = '\0';
            }
            return ds_err_set(err, DS_ERR_TOKENIZER, "%s: token id %d at position %zu is not in the vocabulary",
                              tok->name, (int)id, i);
        }
        if (skip_special && (tok->tok_flags[id] & DS_TOK_F_SPECIAL))
            continue;
        if (ds_buf_append(out, tok->tok_bytes + tok->tok_off[id], tok->tok_off[id + 1] - tok->tok_off[id]) != DS_OK) {
            if (out->data) {
                out->len = len0;
                out->data[len0] = '\0';
            }
            return ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory decoding %zu ids", tok->name, n);
        }
    }
    return ds_buf_reserve(out, 0) == DS_OK ? DS_OK : ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", tok->name);
}
