/* grounding.c - the model backend's grounding check: a value must be printed, and a quote
 * written, in the chunk the model cites, or the item is dropped. Numbers are compared by their
 * printed digits ("$1,234" and "(1,234)" both show 1234); quotes after folding case, white
 * space runs and typographic quote marks and dashes.
 * Owns: nothing beyond a call (dropped items' strings are freed). Threading: reentrant.
 */
#include "extract/llm.h"

#include "pipeline/core/alloc.h"
#include "pipeline/core/decimal.h"

#include <ctype.h>
#include <string.h>

/* ---- numbers --------------------------------------------------------------------------------- */

/* The key of the number printed in running text at s[i] (ds_dec_text_number: digits and
 * points, group commas dropped) into key[0..cap); returns where the number ends. *klen gets the
 * key's length, 0 when it does not fit. */
static size_t number_at(const char *s, size_t n, size_t i, char *key, size_t cap, size_t *klen)
{
    ds_buf b = DS_BUF_INIT;
    size_t end = i;
    ds_status st = ds_dec_text_number(s, n, i, &end, &b, NULL);
    *klen = 0;
    if (cap)
        key[0] = '\0';
    if (st == DS_OK && b.len < cap) {
        memcpy(key, b.data, b.len + 1);
        *klen = b.len;
    }
    ds_buf_deinit(&b);
    return end;
}

size_t ds_ground_number_key(const char *s, char *out, size_t cap)
{
    if (cap)
        out[0] = '\0';
    if (!s || cap < 2)
        return 0;
    size_t n = strlen(s), found = 0, len = 0;
    for (size_t i = 0; i < n;) {
        if (ds_dec_text_number_at(s, n, i)) {
            char key[128];
            size_t kl;
            size_t e = number_at(s, n, i, key, sizeof key, &kl);
            if (++found > 1 || kl == 0 || kl + 1 > cap) {
                out[0] = '\0';
                return 0;
            }
            memcpy(out, key, kl + 1);
            len = kl;
            i = e;
        } else {
            i++;
        }
    }
    return found == 1 ? len : 0;
}

int ds_ground_number(const char *text, size_t n, const char *value, size_t *off)
{
    char want[128];
    size_t wl = ds_ground_number_key(value, want, sizeof want);
    if (!text || wl == 0)
        return 0;
    for (size_t i = 0; i < n;) {
        if (ds_dec_text_number_at(text, n, i)) {
            char key[128];
            size_t kl;
            size_t e = number_at(text, n, i, key, sizeof key, &kl);
            if (kl == wl && memcmp(key, want, wl) == 0) {
                if (off)
                    *off = i;
                return 1;
            }
            i = e;
        } else {
            i++;
        }
    }
    return 0;
}

/* ---- quotes ---------------------------------------------------------------------------------- */

/* Folds text[0..n) into out (lower case, one space per white space run, typographic marks to
 * ASCII); map[j] is the byte offset in text of out[j]. out and map hold n + 1 entries. */
static size_t fold(const char *text, size_t n, char *out, size_t *map)
{
    size_t o = 0;
    int space = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)text[i];
        size_t step = 1;
        char f = 0;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            f = ' ';
        } else if (c == 0xC2 && i + 1 < n && (unsigned char)text[i + 1] == 0xA0) {
            f = ' ';
            step = 2;
        } else if (c == 0xE2 && i + 2 < n && (unsigned char)text[i + 1] == 0x80) {
            unsigned char d = (unsigned char)text[i + 2];
            if (d == 0x98 || d == 0x99 || d == 0x9B)
                f = '\'';
            else if (d == 0x9C || d == 0x9D || d == 0x9F)
                f = '"';
            else if (d == 0x93 || d == 0x94 || d == 0x92)
                f = '-';
            if (f)
                step = 3;
            else
                f = (char)c;
        } else {
            f = (char)tolower(c);
        }
        if (f == ' ') {
            if (!space && o) {
                map[o] = i;
                out[o++] = ' ';
            }
            space = 1;
        } else {
            space = 0;
            map[o] = i;
            out[o++] = f;
        }
        i += step;
    }
    while (o && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
    return o;
}

int ds_ground_quote(const char *text, size_t n, const char *quote, size_t *off)
{
    if (!text || !quote)
        return 0;
    size_t qn = strlen(quote);
    char *ft = ds_malloc(n + 1), *fq = ds_malloc(qn + 1);
    size_t *mt = ds_malloc(sizeof(size_t) * (n + 1)), *mq = ds_malloc(sizeof(size_t) * (qn + 1));
    int found = 0;
    if (ft && fq && mt && mq) {
        size_t tl = fold(text, n, ft, mt), ql = fold(quote, qn, fq, mq);
        if (ql >= DS_GROUND_MIN_QUOTE && ql <= tl) {
            for (size_t i = 0; i + ql <= tl; i++) {
                if (ft[i] == fq[0] && memcmp(ft + i, fq, ql) == 0) {
                    found = 1;
                    if (off)
                        *off = mt[i];
                    break;
                }
            }
        }
    }
    ds_free(ft);
    ds_free(fq);
    ds_free(mt);
    ds_free(mq);
    return found;
}

/* ---- the check over a parsed answer ------------------------------------------------------------ */

static const ds_chunk *chunk_by_seq(const ds_chunk_list *chunks, int seq)
{
    if (seq >= 0 && (size_t)seq < chunks->n && chunks->v[seq].seq == seq)
        return &chunks->v[seq];
    for (size_t i = 0; i < chunks->n; i++)
        if (chunks->v[i].seq == seq)
            return &chunks->v[i];
    return NULL;
}

static void fact_clear(ds_llm_fact *f)
{
    ds_free(f->metric);
    ds_free(f->value);
    ds_free(f->period);
    ds_free(f->unit);
    ds_free(f->quote);
}

void ds_ground_output(ds_llm_output *o, const ds_chunk_list *chunks, ds_ground_stats *stats)
{
    size_t w = 0;
    for (size_t i = 0; i < o->n_facts; i++) {
        ds_llm_fact *f = &o->facts[i];
        const ds_chunk *c = chunk_by_seq(chunks, f->chunk);
        int ok = c && ds_ground_number(c->text, c->text_len, f->value, NULL) &&
                 ds_ground_quote(c->text, c->text_len, f->quote, NULL);
        if (ok) {
            o->facts[w++] = *f;
            if (stats)
                stats->facts_kept++;
        } else {
            fact_clear(f);
            if (stats)
                stats->facts_dropped++;
        }
    }
    o->n_facts = w;
    w = 0;
    for (size_t i = 0; i < o->n_swot; i++) {
        ds_llm_swot *s = &o->swot[i];
        const ds_chunk *c = chunk_by_seq(chunks, s->chunk);
        int ok = c && s->statement && *s->statement && ds_ground_quote(c->text, c->text_len, s->quote, NULL);
        if (ok) {
            o->swot[w++] = *s;
            if (stats)
                stats->swot_kept++;
        } else {
            ds_free(s->statement);
            ds_free(s->quote);
            if (stats)
                stats->swot_dropped++;
        }
    }
    o->n_swot = w;
}
