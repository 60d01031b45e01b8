/* name_context.c - a document's ordinary words and the vessel / aircraft context of a window
 * (see name_context.h). The vocabulary is an open-addressing hash set of (offset, length) pairs
 * into the text, sized to twice the words it may hold. */
#include "extract/name_context.h"

#include "pipeline/core/alloc.h"

#include <stdint.h>
#include <string.h>

#define MIN_WORD 3
#define CONTEXT_BYTES 160

typedef struct slot {
    uint32_t off, len; /* len 0: empty */
} slot;

struct ds_doc_vocab {
    const char *text;
    slot *slots;
    size_t mask;
};

static int is_lower(unsigned char c)
{
    return c >= 'a' && c <= 'z';
}
static int is_letter(unsigned char c)
{
    return is_lower(c) || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static uint64_t hash_word(const char *w, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)w[i]) * 1099511628211ull;
    return h;
}

/* Calls fn for each all-lower-case word of MIN_WORD letters or more; stops when fn returns non-zero. */
static int each_lower_word(const char *t, size_t len, int (*fn)(void *, size_t, size_t), void *ctx)
{
    for (size_t i = 0; i < len;) {
        if (!is_letter((unsigned char)t[i])) {
            i++;
            continue;
        }
        size_t j = i;
        int lower = 1;
        while (j < len && is_letter((unsigned char)t[j]))
            lower &= is_lower((unsigned char)t[j++]);
        if (lower && j - i >= MIN_WORD && j - i < UINT32_MAX) {
            int r = fn(ctx, i, j - i);
            if (r)
                return r;
        }
        i = j;
    }
    return 0;
}

static int count_word(void *ctx, size_t off, size_t n)
{
    (void)off;
    (void)n;
    (*(size_t *)ctx)++;
    return 0;
}

static int insert_word(void *ctx, size_t off, size_t n)
{
    ds_doc_vocab *v = ctx;
    for (size_t h = hash_word(v->text + off, n) & v->mask;; h = (h + 1) & v->mask) {
        slot *s = &v->slots[h];
        if (!s->len) {
            s->off = (uint32_t)off;
            s->len = (uint32_t)n;
            return 0;
        }
        if (s->len == n && memcmp(v->text + s->off, v->text + off, n) == 0)
            return 0;
    }
}

ds_status ds_doc_vocab_build(const char *text, size_t len, ds_doc_vocab **out)
{
    *out = NULL;
    if (len >= UINT32_MAX)
        len = UINT32_MAX - 1; /* offsets are 32-bit; a longer text keeps the words of its first 4 GiB */
    size_t words = 0, cap = 16;
    each_lower_word(text, len, count_word, &words);
    while (cap < 2 * words + 1)
        cap *= 2;
    ds_doc_vocab *v = ds_calloc(1, sizeof *v);
    if (!v || !(v->slots = ds_calloc(cap, sizeof *v->slots))) {
        ds_free(v);
        return DS_ERR_NOMEM;
    }
    v->text = text;
    v->mask = cap - 1;
    each_lower_word(text, len, insert_word, v);
    *out = v;
    return DS_OK;
}

void ds_doc_vocab_free(ds_doc_vocab *v)
{
    if (!v)
        return;
    ds_free(v->slots);
    ds_free(v);
}

int ds_doc_vocab_has(const ds_doc_vocab *v, const char *word, size_t n)
{
    if (!v || n < MIN_WORD)
        return 0;
    for (size_t h = hash_word(word, n) & v->mask;; h = (h + 1) & v->mask) {
        const slot *s = &v->slots[h];
        if (!s->len)
            return 0;
        if (s->len == n && memcmp(v->text + s->off, word, n) == 0)
            return 1;
    }
}

static const char *const craft_words[] = {
    "vessel",  "vessels", "tanker",    "tankers",  "ship",     "ships",    "m/v", "mv",         "imo", "flag",
    "flagged", "cargo",   "freighter", "aircraft", "airplane", "airliner", "jet", "helicopter", "tail"};

/* Whether t[i, i + n) is one of craft_words, in any case, standing as a whole word. */
static int craft_word_at(const char *t, size_t len, size_t i)
{
    if (i > 0 && is_letter((unsigned char)t[i - 1]))
        return 0;
    for (size_t w = 0; w < sizeof craft_words / sizeof craft_words[0]; w++) {
        size_t n = strlen(craft_words[w]), k = 0;
        if (i + n > len)
            continue;
        while (k < n && (t[i + k] | 0x20) == craft_words[w][k])
            k++;
        if (k == n && (i + n == len || !is_letter((unsigned char)t[i + n])))
            return 1;
    }
    return 0;
}

int ds_craft_context(const char *text, size_t len, size_t off, size_t n)
{
    size_t from = off > CONTEXT_BYTES ? off - CONTEXT_BYTES : 0;
    size_t to = off + n + CONTEXT_BYTES < len ? off + n + CONTEXT_BYTES : len;
    for (size_t i = from; i < to; i++)
        if (craft_word_at(text, to, i))
            return 1;
    return 0;
}
