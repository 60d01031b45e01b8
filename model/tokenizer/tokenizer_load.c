/* tokenizer_load.c - reads a Hugging Face tokenizer.json into a ds_tokenizer (see tokenizer.h).
 *
 * Owns: the ds_tokenizer it builds (vocabulary bytes, vocabulary and merge hash tables, added
 * tokens and their matchers, pre-tokenizer steps) until ds_tokenizer_free. Also answers the
 * vocabulary questions (vocab_size, token_bytes, token_id, is_special).
 * Threading: loading touches only the new object; the finished tokenizer is read-only, so the
 * query functions are safe from any number of threads.
 */
#include "model/tokenizer/tokenizer_internal.h"

#include "pipeline/core/alloc.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#define DS_TOK_MAX_VOCAB (1 << 24)

/* Byte-level alphabet (GPT-2's bytes_to_unicode): byte b is written as code point byte_char[b];
 * char_byte[c] (c < 0x144) gives the byte back, -1 for characters outside the alphabet. */
typedef struct bl_alpha {
    uint16_t byte_char[256];
    int16_t char_byte[0x144];
} bl_alpha;

static void bl_alpha_init(bl_alpha *a)
{
    for (int c = 0; c < 0x144; c++)
        a->char_byte[c] = -1;
    int n = 0;
    for (int b = 0; b < 256; b++) {
        int printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
        int c = printable ? b : 256 + n++;
        a->byte_char[b] = (uint16_t)c;
        a->char_byte[c] = (int16_t)b;
    }
}

/* Decodes a UTF-8 byte-level string into bytes (out has room for n bytes). Returns the length,
 * or -1 when s is not valid UTF-8 or has a character outside the alphabet. */
static long bl_decode(const bl_alpha *a, const char *s, size_t n, char *out)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t i = 0, o = 0;
    while (i < n) {
        uint32_t c;
        if (p[i] < 0x80) {
            c = p[i++];
        } else if ((p[i] & 0xE0) == 0xC0 && i + 1 < n && (p[i + 1] & 0xC0) == 0x80) {
            c = ((uint32_t)(p[i] & 0x1F) << 6) | (p[i + 1] & 0x3F);
            i += 2;
        } else {
            return -1; /* alphabet characters are all below U+0800 */
        }
        if (c >= 0x144 || a->char_byte[c] < 0)
            return -1;
        out[o++] = (char)a->char_byte[c];
    }
    return (long)o;
}

static size_t pow2_at_least(size_t n)
{
    size_t s = 16;
    while (s < n)
        s <<= 1;
    return s;
}

int32_t ds_tok_vocab_find(const ds_tokenizer *tok, const void *bytes, size_t n)
{
    if (!tok->vocab_slots)
        return -1;
    size_t i = (size_t)ds_tok_hash(bytes, n) & tok->vocab_mask;
    for (;;) {
        uint32_t v = tok->vocab_slots[i];
        if (v == 0)
            return -1;
        int32_t id = (int32_t)(v - 1);
        size_t len = tok->tok_off[id + 1] - tok->tok_off[id];
        if (len == n && memcmp(tok->tok_bytes + tok->tok_off[id], bytes, n) == 0)
            return id;
        i = (i + 1) & tok->vocab_mask;
    }
}

static void vocab_insert(ds_tokenizer *tok, int32_t id)
{
    const char *b = tok->tok_bytes + tok->tok_off[id];
    size_t n = tok->tok_off[id + 1] - tok->tok_off[id];
    size_t i = (size_t)ds_tok_hash(b, n) & tok->vocab_mask;
    while (tok->vocab_slots[i] != 0) {
        int32_t o = (int32_t)(tok->vocab_slots[i] - 1);
        size_t on = tok->tok_off[o + 1] - tok->tok_off[o];
        if (on == n && memcmp(tok->tok_bytes + tok->tok_off[o], b, n) == 0) {
            tok->vocab_slots[i] = (uint32_t)id + 1; /* same bytes twice: the later key wins */
            return;
        }
        i = (i + 1) & tok->vocab_mask;
    }
    tok->vocab_slots[i] = (uint32_t)id + 1;
}

static void merge_insert(ds_tokenizer *tok, int32_t a, int32_t b, uint32_t rank, int32_t id)
{
    uint64_t key = ((uint64_t)(uint32_t)a << 32) | (uint32_t)b;
    uint64_t h = (key + 1) * 0x9E3779B97F4A7C15ull;
    size_t i = (size_t)(h >> 40) & tok->merge_mask;
    while (tok->merges[i].key != 0 && tok->merges[i].key != key + 1)
        i = (i + 1) & tok->merge_mask;
    if (tok->merges[i].key == 0)
        tok->n_merges++;
    /* A pair listed twice keeps its last rank, as Hugging Face's merge map does. */
    tok->merges[i] = (ds_tok_merge){key + 1, rank, id};
}

/* ---- small JSON helpers ----------------------------------------------------------------------- */

static int j_bool(const json_t *o, const char *key, int dflt)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return dflt;
    return json_is_true(v);
}

static const char *j_str(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int j_is_empty_str_or_null(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return !v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0);
}

/* ---- pre-tokenizer, normalizer, decoder ------------------------------------------------------ */

static const char PAT_GPT2[] = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
static const char PAT_QWEN2[] =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|"
    "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
static const char PAT_LLAMA3[] =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|"
    "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

static ds_status add_pretok(ds_tokenizer *tok, const json_t *pt, int *saw_bytelevel, const char *name, ds_err *err)
{
    const char *type = j_str(pt, "type");
    if (!type)
        return ds_err_set(err, DS_ERR_TOKENIZER, "%s: pre_tokenizer without a type", name);
    if (strcmp(type, "Sequence") == 0) {
        json_t *list = json_object_get(pt, "pretokenizers");
        if (!json_is_array(list))
            return ds_err_set(err, DS_ERR_TOKENIZER, "%s: Sequence pre_tokenizer without a list", name);
        size_t i;
        json_t *item;
        json_array_foreach(list, i, item)
        {
            ds_status st = add_pretok(tok, item, saw_bytelevel, name, err);
            if (st != DS_OK)
                return st;
        }
        return DS_OK;
    }
    if (*saw_bytelevel)
        return ds_err_set(err, DS_ERR_UNSUPPORTED, "%s: pre_tokenizer step %s after ByteLevel is not supported", name,
                          type);
    if (tok->n_steps >= DS_TOK_MAX_STEPS)
        return ds_err_set(err, DS_ERR_UNSUPPORTED, "%s: too many pre_tokenizer steps", name);
    ds_tok_step *step = &tok->steps[tok->n_steps];
    memset(step, 0, sizeof *step);
    if (strcmp(type, "ByteLevel") == 0) {
        step->kind = j_bool(pt, "use_regex", 1) ? DS_TOK_SPLIT_GPT2 : DS_TOK_SPLIT_NONE;
        step->prefix_space = j_bool(pt, "add_prefix_space", 1);
        *saw_bytelevel = 1;
    } else if (strcmp(type, "Split") == 0) {
        json_t *pat = json_object_get(pt, "pattern");
        const char *re = pat ? j_str(pat, "Regex") : NULL;
        const char *behavior = j_str(pt, "behavior");
        if (!re)
            return ds_err_set(err, DS_ERR_UNSUPPORTED, "%s: Split pre_tokenizer without a regex", name);
        if (!behavior || strcmp(behavior, "Isolated") != 0 || j_bool(pt, "invert", 0))
            return ds_err_set(err, DS_ERR_UNSUPPORTED, "%s: Split pre_tokenizer behaviour %s%s is not supported", name,
                              behavior ? behavior : "(none)", j_bool(pt, "invert", 0) ? " inverted" : "");
        if (strcmp(re, PAT_QWEN2) == 0) {
            step->kind = DS_TOK_SPLIT_LLAMA;
            step->max_digits = 1;
        } else if (strcmp(re, PAT_LLAMA3) == 0) {
            step->kind = DS_TOK_SPLIT_LLAMA;
            step->max_digits = 3;
        } else if (strcmp(re, PAT_GPT2) == 0) {
            step->kind = DS_TOK_SPLIT_GPT2;
        } else {
            return ds_err_set(err, DS_ERR_UNSUPPORTED,
                              "%s: Split pre_tokenizer regex %.200s is not one of the known ones", name, re);
        }
    } else {
        return ds_err_set(err, DS_ERR_UNSUPPORTED, "%s: pre_tokenizer %s is not supported", name, type);
    }
    tok->n_steps++;
    return DS_OK;
}

static ds_status read_normalizer(ds_tokenizer *tok, const json_t *nm, const char *name, ds_err *err)
{
    if (!nm || json_is_null(nm))
        return DS_OK;
    const char *type = j_str(nm, "type");
    if (type && strcmp(type, "NFC") == 0) {
        tok->nfc = true;
        return DS_OK;
    }
    if (type && strcmp(type, "Sequence") == 0) {
        json_t *list = json_object_get(nm, "normalizers");
        size_t i;
        json_t *item;
        if (!json_is_array(list))
            return ds_err_set(err, DS_ERR_TOKENIZER, "%s: Sequence normalizer without a list", name);
        json_array_foreach(list, i, item)
        {
            ds_status st = read_normalizer(tok, item, name, err);
            if (st != DS_OK)
                return st;
        }
        return DS_OK;
    }
    return ds_err_set(err, DS_ERR_UNSUPPORTED, "%s: normalizer %s is not supported", name, type ? type : "(untyped)");
}

/* ---- added-token matchers -------------------------------------------------------------------- */

static ds_status build_matcher(ds_tokenizer *tok, ds_tok_matcher *m, bool normalized)
{
    size_t n = 0;
    for (size_t i = 0; i < tok->n_added; i++)
        if (tok->added[i].normalized == normalized && tok->added[i].pattern_len > 0)
            n++;
    memset(m->start, 0, sizeof m->start);
    m->n = n;
    m->order = NULL;
    if (n == 0)
        return DS_OK;
    m->order = ds_malloc(n * sizeof *m->order);
    if (!m->order)
        return DS_ERR_NOMEM;
    /* Counting sort by first byte, then insertion sort by length (longest first) within a byte. */
    uint32_t count[256] = {0};
    for (size_t i = 0; i < tok->n_added; i++)
        if (tok->added[i].normalized == normalized && tok->added[i].pattern_len > 0)
            count[(uint8_t)tok->added[i].pattern[0]]++;
    uint32_t pos = 0;
    for (int b = 0; b < 256; b++) {
        m->start[b] = pos;
        pos += count[b];
    }
    m->start[256] = pos;
    uint32_t fill[256];
    memcpy(fill, m->start, sizeof fill);
    for (size_t i = 0; i < tok->n_added; i++) {
        const ds_tok_added *a = &tok->added[i];
        if (a->normalized != normalized || a->pattern_len == 0)
            continue;
        uint8_t b = (uint8_t)a->pattern[0];
        uint32_t k = fill[b]++;
        /* keep [start[b], k] ordered by length descending, earlier token first among equals */
        while (k > m->start[b] && tok->added[m->order[k - 1]].pattern_len < a->pattern_len) {
            m->order[k] = m->order[k - 1];
            k--;
        }
        m->order[k] = (uint32_t)i;
    }
    return DS_OK;
}

/* ---- load ------------------------------------------------------------------------------------- */

typedef struct id_src {
    const char *s; /* the key or content as written in tokenizer.json */
    size_t n;
    uint8_t flags;
} id_src;

static ds_status read_merge(const json_t *item, const char **a, size_t *an, const char **b, size_t *bn, int *skip)
{
    *skip = 0;
    if (json_is_array(item) && json_array_size(item) == 2 && json_is_string(json_array_get(item, 0)) &&
        json_is_string(json_array_get(item, 1))) {
        *a = json_string_value(json_array_get(item, 0));
        *an = json_string_length(json_array_get(item, 0));
        *b = json_string_value(json_array_get(item, 1));
        *bn = json_string_length(json_array_get(item, 1));
        return DS_OK;
    }
    if (json_is_string(item)) {
        const char *s = json_string_value(item);
        size_t n = json_string_length(item);
        if (n >= 8 && memcmp(s, "#version", 8) == 0) {
            *skip = 1;
            return DS_OK;
        }
        const char *sp = memchr(s, ' ', n);
        if (!sp || memchr(sp + 1, ' ', n - (size_t)(sp + 1 - s)))
            return DS_ERR_TOKENIZER; /* exactly two parts, as Hugging Face requires */
        *a = s;
        *an = (size_t)(sp - s);
        *b = sp + 1;
        *bn = n - *an - 1;
        return DS_OK;
    }
    return DS_ERR_TOKENIZER;
}

/* The BPE model object of root, checked for the options this tokenizer supports; sets
 * ignore_merges and fuse_unk. *vocab and *merges are borrowed from root. */
static ds_status read_bpe_options(ds_tokenizer *tok, const json_t *root, json_t **model_out, json_t **vocab_out,
                                  json_t **merges_out, const char *name, ds_err *err)
{
    json_t *model = json_object_get(root, "model");
    if (!json_is_object(model))
        return ds_err_set(err, DS_ERR_TOKENIZER, "%s: no model object", name);
    const char *mtype = j_str(model, "type");
    if (mtype && strcmp(mtype, "BPE") != 0)
        return ds_err_set(err, DS_ERR_UNSUPPORTED, "%s: model type %s is not supported (BPE only)", name, mtype);
    json_t *vocab = json_object_get(model, "vocab");
    json_t *merges = json_object_get(model, "merges");
    if (!json_is_object(vocab) || !json_is_array(merges))
        return ds_err_set(err, DS_ERR_TOKENIZER, "%s: BPE model without vocab or merges", name);
    json_t *dropout = json_object_get(model, "dropout");
    if (dropout && !json_is_null(dropout) && json_number_value(dropout) != 0.0)
        return ds_err_set(err, DS_ERR_UNSUPPORTED, "%s: BPE dropout is not supported", name);
    if (!j_is_empty_str_or_null(model, "continuing_subword_prefix") ||
        !j_is_empty_str_or_null(model, "end_of_word_suffix"))
        return ds_err_set(err, DS_ERR_UNSUPPORTED,
                          "%s: continuing_subword_prefix / end_of_word_suffix are not supported", name);
    if (j_bool(model, "byte_fallback", 0))
        return ds_err_set(err, DS_ERR_UNSUPPORTED, "%s: byte_fallback is not supported", name);
    tok->ignore_merges = j_bool(model, "ignore_merges", 0);
    tok->fuse_unk = j_bool(model, "fuse_unk", 0);
    *model_out = model;
    *vocab_out = vocab;
    *merges_out = merges;
    return DS_OK;
}

/* Largest id and longest key of the vocabulary, into *max_id and *longest. */
static ds_status scan_vocab(const json_t *vocab, long *max_id, size_t *longest, const char *name, ds_err *err)
{
    const char *key;
    size_t key_len;
    json_t *val;
    json_object_keylen_foreach((json_t *)vocab, key, key_len, val)
    {
        if (!json_is_integer(val) || json_integer_value(val) < 0 || json_integer_value(val) >= DS_TOK_MAX_VOCAB)
            return ds_err_set(err, DS_ERR_TOKENIZER, "%s: vocabulary entry %.80s has a bad id", name, key);
        if (json_integer_value(val) > *max_id)
            *max_id = (long)json_integer_value(val);
        if (key_len > *longest)
            *longest = key_len;
    }
    return DS_OK;
}

/* tok->added from root's added_tokens; raises *max_id and *longest to cover them. */
static ds_status read_added_tokens(ds_tokenizer *tok, const json_t *root, json_t *vocab, long *max_id, size_t *longest,
                                   const char *name, ds_err *err)
{
    json_t *added = json_object_get(root, "added_tokens");
    if (added && !json_is_null(added) && !json_is_array(added))
        return ds_err_set(err, DS_ERR_TOKENIZER, "%s: added_tokens is not a list", name);
    size_t n_added_json = json_is_array(added) ? json_array_size(added) : 0;
    tok->added = n_added_json ? ds_calloc(n_added_json, sizeof *tok->added) : NULL;
    if (n_added_json && !tok->added)
        return ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", name);
    /* Ids as Hugging Face's AddedVocabulary gives them, in file order: a content already added
     * or in the vocabulary keeps that id, a new one takes the next free id after the vocabulary
     * (normally the id written in the file). Empty contents are ignored; a content added twice
     * keeps its first id and takes the later flags. */
    size_t vocab_len = json_object_size(vocab);
    long max_added = -1;
    for (size_t i = 0; i < n_added_json; i++) {
        json_t *t = json_array_get(added, i);
        json_t *c = json_object_get(t, "content");
        if (!json_is_object(t) || !json_is_string(c))
            return ds_err_set(err, DS_ERR_TOKENIZER, "%s: added token %zu has no content", name, i);
        size_t clen = json_string_length(c);
        if (clen == 0)
            continue;
        ds_tok_added *a = NULL;
        for (size_t k = 0; k < tok->n_added && !a; k++)
            if (tok->added[k].len == clen && memcmp(tok->added[k].content, json_string_value(c), clen) == 0)
                a = &tok->added[k];
        if (!a) {
            a = &tok->added[tok->n_added];
            a->len = clen;
            a->content = ds_malloc(clen + 1);
            if (!a->content)
                return ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", name);
            memcpy(a->content, json_string_value(c), clen + 1);
            tok->n_added++;
            json_t *in_vocab = json_object_getn(vocab, a->content, clen);
            long id = in_vocab                                       ? (long)json_integer_value(in_vocab)
                      : max_added < 0 || max_added < (long)vocab_len ? (long)vocab_len
                                                                     : max_added + 1;
            if (id >= DS_TOK_MAX_VOCAB)
                return ds_err_set(err, DS_ERR_TOKENIZER, "%s: too many added tokens", name);
            a->id = (int32_t)id;
            if (id > max_added)
                max_added = id;
        }
        a->special = a->special || j_bool(t, "special", 0);
        a->lstrip = j_bool(t, "lstrip", 0);
        a->rstrip = j_bool(t, "rstrip", 0);
        a->single_word = j_bool(t, "single_word", 0);
        a->normalized = j_bool(t, "normalized", !j_bool(t, "special", 0));
        if ((long)a->id > *max_id)
            *max_id = a->id;
        if (clen > *longest)
            *longest = clen;
    }
    return DS_OK;
}

/* Bytes and flags of every id (tok_off, tok_flags, tok_bytes): byte-level keys decoded,
 * anything else taken as written (the ByteLevel decoder's rule). tmp has room for the longest
 * key. */
static ds_status build_token_bytes(ds_tokenizer *tok, json_t *vocab, const bl_alpha *alpha, char *tmp, const char *name,
                                   ds_err *err)
{
    ds_status st = DS_OK;
    ds_buf pool = DS_BUF_INIT;
    size_t nv = (size_t)tok->vocab_size;
    id_src *src = ds_calloc(nv, sizeof *src);
    tok->tok_off = ds_malloc((nv + 1) * sizeof *tok->tok_off);
    tok->tok_flags = ds_calloc(nv, 1);
    if (!src || !tok->tok_off || !tok->tok_flags) {
        st = ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", name);
        goto out;
    }
    const char *key;
    size_t key_len;
    json_t *val;
    json_object_keylen_foreach(vocab, key, key_len, val)
    {
        int32_t id = (int32_t)json_integer_value(val);
        src[id] = (id_src){key, key_len, DS_TOK_F_PRESENT};
    }
    for (size_t i = 0; i < tok->n_added; i++) {
        const ds_tok_added *a = &tok->added[i];
        src[a->id].s = a->content;
        src[a->id].n = a->len;
        src[a->id].flags |= DS_TOK_F_PRESENT | DS_TOK_F_ADDED | (a->special ? DS_TOK_F_SPECIAL : 0);
    }
    for (size_t id = 0; id < nv; id++) {
        tok->tok_off[id] = (uint32_t)pool.len;
        tok->tok_flags[id] = src[id].flags;
        if (!(src[id].flags & DS_TOK_F_PRESENT))
            continue;
        long dn = bl_decode(alpha, src[id].s, src[id].n, tmp);
        ds_status ast = dn >= 0 ? ds_buf_append(&pool, tmp, (size_t)dn) : ds_buf_append(&pool, src[id].s, src[id].n);
        if (ast != DS_OK || pool.len > UINT32_MAX) {
            st = ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", name);
            goto out;
        }
    }
    tok->tok_off[nv] = (uint32_t)pool.len;
    if (ds_buf_reserve(&pool, 1) != DS_OK) {
        st = ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", name);
        goto out;
    }
    tok->tok_bytes = ds_buf_take(&pool);
out:
    ds_free(src);
    ds_buf_deinit(&pool);
    return st;
}

/* The vocabulary by bytes holds the byte-level keys whose id stands for exactly their bytes;
 * the other keys (not byte-level, or sharing an id) are reachable by token_id only. Fills
 * vocab_slots, odd_keys and odd_ids, then byte_id. tmp has room for the longest key. */
static ds_status index_vocab(ds_tokenizer *tok, json_t *vocab, const bl_alpha *alpha, char *tmp, const char *name,
                             ds_err *err)
{
    const char *key;
    size_t key_len;
    json_t *val;
    size_t n_insert = 0, n_odd = 0;
    for (int pass = 0; pass < 2; pass++) {
        json_object_keylen_foreach(vocab, key, key_len, val)
        {
            int32_t id = (int32_t)json_integer_value(val);
            long dn = bl_decode(alpha, key, key_len, tmp);
            size_t have = tok->tok_off[id + 1] - tok->tok_off[id];
            int ok = dn >= 0 && (size_t)dn == have && memcmp(tok->tok_bytes + tok->tok_off[id], tmp, have) == 0;
            if (pass == 0) {
                n_insert += ok;
                n_odd += !ok;
                continue;
            }
            if (ok) {
                tok->tok_flags[id] |= DS_TOK_F_BYTELEVEL;
                vocab_insert(tok, id);
                continue;
            }
            tok->odd_keys[tok->n_odd] = ds_strndup(key, key_len);
            if (!tok->odd_keys[tok->n_odd])
                return ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", name);
            tok->odd_ids[tok->n_odd++] = id;
        }
        if (pass == 0) {
            tok->vocab_mask = pow2_at_least(n_insert * 2) - 1;
            tok->vocab_slots = ds_calloc(tok->vocab_mask + 1, sizeof *tok->vocab_slots);
            tok->odd_keys = n_odd ? ds_calloc(n_odd, sizeof *tok->odd_keys) : NULL;
            tok->odd_ids = n_odd ? ds_calloc(n_odd, sizeof *tok->odd_ids) : NULL;
            if (!tok->vocab_slots || (n_odd && (!tok->odd_keys || !tok->odd_ids)))
                return ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", name);
        }
    }
    for (int b = 0; b < 256; b++) {
        char c = (char)b;
        tok->byte_id[b] = ds_tok_vocab_find(tok, &c, 1);
    }
    return DS_OK;
}

/* The unknown token's id (tok->unk_id, -1 when the model names none). */
static ds_status read_unk(ds_tokenizer *tok, const json_t *model, json_t *vocab, const char *name, ds_err *err)
{
    const char *unk = j_str(model, "unk_token");
    tok->unk_id = -1;
    if (!unk)
        return DS_OK;
    json_t *u = json_object_get(vocab, unk);
    if (!u)
        return ds_err_set(err, DS_ERR_TOKENIZER, "%s: unk_token %.80s is not in the vocabulary", name, unk);
    tok->unk_id = (int32_t)json_integer_value(u);
    return DS_OK;
}

/* Merges: (left id, right id) -> (rank, merged id), into tok->merges. */
static ds_status read_merges(ds_tokenizer *tok, json_t *vocab, const json_t *merges, size_t longest, const char *name,
                             ds_err *err)
{
    ds_status st = DS_OK;
    size_t nm = json_array_size(merges);
    tok->merge_mask = pow2_at_least(nm + nm / 2 + 1) - 1;
    tok->merges = ds_calloc(tok->merge_mask + 1, sizeof *tok->merges);
    char *cat = ds_malloc(2 * longest + 2);
    if (!tok->merges || !cat) {
        ds_free(cat);
        return ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", name);
    }
    size_t cat_cap = 2 * longest + 2;
    uint32_t rank = 0;
    for (size_t i = 0; i < nm; i++) {
        const char *a = NULL, *b = NULL;
        size_t an = 0, bn = 0;
        int skip;
        if (read_merge(json_array_get(merges, i), &a, &an, &b, &bn, &skip) != DS_OK) {
            st = ds_err_set(err, DS_ERR_TOKENIZER, "%s: merge %zu is not two tokens", name, i + 1);
            break;
        }
        if (skip)
            continue;
        json_t *ja = json_object_getn(vocab, a, an);
        json_t *jb = json_object_getn(vocab, b, bn);
        json_t *jm = NULL;
        if (ja && jb && an + bn <= cat_cap) {
            memcpy(cat, a, an);
            memcpy(cat + an, b, bn);
            jm = json_object_getn(vocab, cat, an + bn);
        }
        if (!ja || !jb || !jm) {
            st = ds_err_set(err, DS_ERR_TOKENIZER,
                            "%s: merge %zu (%.60s %.60s) uses a token missing from the vocabulary", name, i + 1, a, b);
            break;
        }
        merge_insert(tok, (int32_t)json_integer_value(ja), (int32_t)json_integer_value(jb), rank++,
                     (int32_t)json_integer_value(jm));
    }
    ds_free(cat);
    return st;
}

/* The BPE model of root: options, vocabulary and added tokens, token bytes, the vocabulary
 * index, the unknown token and the merges, in that order. */
static ds_status load_model(ds_tokenizer *tok, const json_t *root, const bl_alpha *alpha, const char *name, ds_err *err)
{
    json_t *model = NULL, *vocab = NULL, *merges = NULL;
    DS_TRY(read_bpe_options(tok, root, &model, &vocab, &merges, name, err));
    long max_id = -1;
    size_t longest = 0;
    DS_TRY(scan_vocab(vocab, &max_id, &longest, name, err));
    DS_TRY(read_added_tokens(tok, root, vocab, &max_id, &longest, name, err));
    if (max_id < 0)
        return ds_err_set(err, DS_ERR_TOKENIZER, "%s: empty vocabulary", name);
    tok->vocab_size = (int32_t)(max_id + 1);

    char *tmp = ds_malloc(longest + 1); /* one decoded key at a time */
    ds_status st = DS_OK;
    if (!tmp)
        st = ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", name);
    if (st == DS_OK)
        st = build_token_bytes(tok, vocab, alpha, tmp, name, err);
    if (st == DS_OK)
        st = index_vocab(tok, vocab, alpha, tmp, name, err);
    ds_free(tmp);
    DS_TRY(st);
    DS_TRY(read_unk(tok, model, vocab, name, err));
    return read_merges(tok, vocab, merges, longest, name, err);
}

ds_status ds_tokenizer_load_json(ds_tokenizer **out, const char *json, size_t n, const char *name, ds_err *err)
{
    *out = NULL;
    if (!name)
        name = "tokenizer.json";
    json_error_t je;
    json_t *root = json_loadb(json, n, JSON_ALLOW_NUL, &je);
    if (!root)
        return ds_err_set(err, DS_ERR_PARSE, "%s: line %d column %d: %s", name, je.line, je.column, je.text);
    ds_tokenizer *tok = ds_calloc(1, sizeof *tok);
    if (!tok) {
        json_decref(root);
        return ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", name);
    }
    ds_status st = DS_OK;
    tok->name = ds_strdup(name);
    tok->fingerprint = ds_tok_hash(json, n) | 1;
    bl_alpha alpha;
    bl_alpha_init(&alpha);
    if (!tok->name) {
        st = ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", name);
        goto fail;
    }
    if (!json_is_object(root)) {
        st = ds_err_set(err, DS_ERR_TOKENIZER, "%s: not a JSON object", name);
        goto fail;
    }
    if ((st = load_model(tok, root, &alpha, name, err)) != DS_OK)
        goto fail;
    if ((st = read_normalizer(tok, json_object_get(root, "normalizer"), name, err)) != DS_OK)
        goto fail;

    json_t *pt = json_object_get(root, "pre_tokenizer");
    int saw_bytelevel = 0;
    if (pt && !json_is_null(pt) && (st = add_pretok(tok, pt, &saw_bytelevel, name, err)) != DS_OK)
        goto fail;
    if (!saw_bytelevel) {
        st = ds_err_set(err, DS_ERR_UNSUPPORTED, "%s: no ByteLevel pre_tokenizer: not a byte-level BPE tokenizer",
                        name);
        goto fail;
    }
    json_t *dec = json_object_get(root, "decoder");
    if (dec && !json_is_null(dec)) {
        const char *dt = j_str(dec, "type");
        if (!dt || strcmp(dt, "ByteLevel") != 0) {
            st = ds_err_set(err, DS_ERR_UNSUPPORTED, "%s: decoder %s is not supported", name, dt ? dt : "(untyped)");
            goto fail;
        }
    }

    /* What each added token matches: its content, normalized when the token asks for it. */
    for (size_t i = 0; i < tok->n_added; i++) {
        ds_tok_added *a = &tok->added[i];
        if (a->normalized && tok->nfc) {
            ds_buf b = DS_BUF_INIT;
            if (ds_tok_nfc_append(a->content, a->len, &b) != DS_OK || ds_buf_reserve(&b, 0) != DS_OK) {
                ds_buf_deinit(&b);
                st = ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", name);
                goto fail;
            }
            a->pattern_len = b.len;
            a->pattern = ds_buf_take(&b);
        } else {
            a->pattern = a->content;
            a->pattern_len = a->len;
        }
    }
    if (build_matcher(tok, &tok->raw_matcher, false) != DS_OK ||
        build_matcher(tok, &tok->norm_matcher, true) != DS_OK) {
        st = ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", name);
        goto fail;
    }
    json_decref(root);
    *out = tok;
    return DS_OK;

fail:
    json_decref(root);
    ds_tokenizer_free(tok);
    return st;
}

ds_status ds_tokenizer_load(ds_tokenizer **out, const char *path, ds_err *err)
{
    *out = NULL;
    ds_buf b = DS_BUF_INIT;
    ds_status st = ds_buf_read_file(&b, path, (size_t)1 << 30, err);
    if (st == DS_OK)
        st = ds_tokenizer_load_json(out, b.data, b.len, path, err);
    ds_buf_deinit(&b);
    return st;
}

void ds_tokenizer_free(ds_tokenizer *tok)
{
    if (!tok)
        return;
    for (size_t i = 0; i < tok->n_added; i++) {
        if (tok->added[i].pattern != tok->added[i].content)
            ds_free(tok->added[i].pattern);
        ds_free(tok->added[i].content);
    }
    ds_free(tok->added);
    ds_free(tok->raw_matcher.order);
    ds_free(tok->norm_matcher.order);
    for (size_t i = 0; i < tok->n_odd; i++)
        ds_free(tok->odd_keys[i]);
    ds_free(tok->odd_keys);
    ds_free(tok->odd_ids);
    ds_free(tok->merges);
    ds_free(tok->vocab_slots);
    ds_free(tok->tok_bytes);
    ds_free(tok->tok_off);
    ds_free(tok->tok_flags);
    ds_free(tok->name);
    ds_free(tok);
}

/* ---- vocabulary queries ---------------------------------------------------------------------- */

int32_t ds_tokenizer_vocab_size(const ds_tokenizer *tok)
{
    return tok ? tok->vocab_size : 0;
}

const char *ds_tokenizer_token_bytes(const ds_tokenizer *tok, int32_t id, size_t *len)
{
    if (len)
        *len = 0;
    if (!tok || id < 0 || id >= tok->vocab_size || !(tok->tok_flags[id] & DS_TOK_F_PRESENT))
        return NULL;
    if (len)
        *len = tok->tok_off[id + 1] - tok->tok_off[id];
    return tok->tok_bytes + tok->tok_off[id];
}

int ds_tokenizer_is_special(const ds_tokenizer *tok, int32_t id)
{
    return tok && id >= 0 && id < tok->vocab_size && (tok->tok_flags[id] & DS_TOK_F_SPECIAL);
}

int32_t ds_tokenizer_token_id(const ds_tokenizer *tok, const char *token)
{
    if (!tok || !token)
        return -1;
    size_t n = strlen(token);
    for (size_t i = 0; i < tok->n_added; i++)
        if (tok->added[i].len == n && memcmp(tok->added[i].content, token, n) == 0)
            return tok->added[i].id;
    for (size_t i = 0; i < tok->n_odd; i++)
        if (strcmp(tok->odd_keys[i], token) == 0)
            return tok->odd_ids[i];
    bl_alpha alpha;
    bl_alpha_init(&alpha);
    char small[256];
    char *tmp = n < sizeof small ? small : ds_malloc(n + 1);
    if (!tmp)
        return -1;
    long dn = bl_decode(&alpha, token, n, tmp);
    int32_t id = dn >= 0 ? ds_tok_vocab_find(tok, tmp, (size_t)dn) : -1;
    if (tmp != small)
        ds_free(tmp);
    return id;
}
