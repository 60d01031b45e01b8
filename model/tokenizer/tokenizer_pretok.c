/* tokenizer_pretok.c - the tokenizer's text preparation: UTF-8 checking and repair, NFC, and the
 * pre-tokenizer regexes as hand-written matchers.
 *
 * The matchers give exactly the splits Hugging Face's Oniguruma regexes give for the GPT-2
 * pattern and for the Qwen2 / Llama-3 pattern (leftmost alternative first, greedy with
 * backtracking, as worked out per alternative below), using the character classes of
 * tokenizer_unicode.c.
 * Owns: nothing; every function works on caller buffers.
 * Threading: pure functions, safe from any thread.
 */
#include "model/tokenizer/tokenizer_internal.h"

#include "pipeline/core/alloc.h"

#include <glib.h>

/* ---- UTF-8 ------------------------------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at s[0..n) (1..4), or 0 when it is not valid. */
static int utf8_seq(const uint8_t *s, size_t n)
{
    return (int)ds_utf8_seq_len(s, n);
}

int ds_tok_utf8_valid(const char *text, size_t n)
{
    const uint8_t *s = (const uint8_t *)text;
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
        int l = utf8_seq(s + i, n - i);
        if (!l)
            return 0;
        i += (size_t)l;
    }
    return 1;
}

/* Length of the longest prefix of s[0..n) that starts a valid sequence (the "maximal subpart"
 * that one U+FFFD replaces); at least 1. */
static size_t maximal_subpart(const uint8_t *s, size_t n)
{
    uint8_t b = s[0];
    size_t need;
    uint8_t lo = 0x80, hi = 0xBF;
    if (b >= 0xC2 && b < 0xE0)
        need = 2;
    else if (b >= 0xE0 && b < 0xF0) {
        need = 3;
        if (b == 0xE0)
            lo = 0xA0;
        if (b == 0xED)
            hi = 0x9F;
    } else if (b >= 0xF0 && b < 0xF5) {
        need = 4;
        if (b == 0xF0)
            lo = 0x90;
        if (b == 0xF4)
            hi = 0x8F;
    } else
        return 1;
    size_t k = 1;
    if (k < n && s[k] >= lo && s[k] <= hi) {
        k++;
        while (k < need && k < n && (s[k] & 0xC0) == 0x80)
            k++;
    }
    return k;
}

ds_status ds_tok_utf8_sanitize(const char *text, size_t n, ds_buf *out)
{
    const uint8_t *s = (const uint8_t *)text;
    size_t i = 0, run = 0;
    while (i < n) {
        int l = utf8_seq(s + i, n - i);
        if (l) {
            i += (size_t)l;
            continue;
        }
        if (ds_buf_append(out, s + run, i - run) != DS_OK || ds_buf_append(out, "\xEF\xBF\xBD", 3) != DS_OK)
            return DS_ERR_NOMEM;
        i += maximal_subpart(s + i, n - i);
        run = i;
    }
    return ds_buf_append(out, s + run, n - run);
}

/* ---- NFC -------------------------------------------------------------------------------------- */

int ds_tok_nfc_inert(uint32_t cp)
{
    /* Characters with no canonical decomposition, combining class 0, and never the second half
     * of a canonical composition: NFC leaves them and their neighbours as they are. The ranges
     * are checked against GLib's tables by tests/model/tokenizer_test.c. */
    return cp < 0x300 || (cp >= 0x2010 && cp <= 0x2027) || (cp >= 0x2030 && cp <= 0x205E) ||
           (cp >= 0x20A0 && cp <= 0x20C0) ||
           (cp >= 0x2190 && cp <= 0x21FF && cp != 0x219A && cp != 0x219B && cp != 0x21AE && cp != 0x21CD &&
            cp != 0x21CE && cp != 0x21CF) ||
           (cp >= 0x2500 && cp <= 0x25FF) || (cp >= 0x3000 && cp <= 0x3029) || (cp >= 0x3041 && cp <= 0x3096) ||
           (cp >= 0x30A1 && cp <= 0x30FA) || (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xAC00 && cp <= 0xD7A3) ||
           (cp >= 0xFF01 && cp <= 0xFF5E) || (cp >= 0x1F300 && cp <= 0x1FAFF);
}

int ds_tok_nfc_opaque_has(uint32_t cp)
{
    size_t lo = 0, hi = ds_tok_nfc_opaque_n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp < ds_tok_nfc_opaque[mid][0])
            hi = mid;
        else if (cp > ds_tok_nfc_opaque[mid][1])
            lo = mid + 1;
        else
            return 1;
    }
    return 0;
}

/* Stable sort of a[0..n) by combining class (c[i] the class of a[i]): insertion for short runs,
 * counting sort for long ones. */
static ds_status sort_by_class(gunichar *a, uint8_t *c, size_t n)
{
    if (n < 32) {
        for (size_t i = 1; i < n; i++) {
            gunichar x = a[i];
            uint8_t k = c[i];
            size_t j = i;
            for (; j > 0 && c[j - 1] > k; j--) {
                a[j] = a[j - 1];
                c[j] = c[j - 1];
            }
            a[j] = x;
            c[j] = k;
        }
        return DS_OK;
    }
    size_t start[257] = {0};
    for (size_t i = 0; i < n; i++)
        start[c[i] + 1]++;
    for (int k = 1; k <= 256; k++)
        start[k] += start[k - 1];
    gunichar *tmp = ds_malloc(n * sizeof *tmp);
    if (!tmp)
        return DS_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        tmp[start[c[i]]++] = a[i];
    memcpy(a, tmp, n * sizeof *a);
    for (size_t i = 0, k = 0; k < 256; k++)
        while (i < start[k])
            c[i++] = (uint8_t)k;
    ds_free(tmp);
    return DS_OK;
}

/* NFC of a long segment. GLib puts combining marks in canonical order with a bubble sort, which
 * is quadratic in a run of marks (seconds for a few hundred KB of crafted text); so the segment
 * is decomposed and put in canonical order here first, and GLib's own pass finds nothing left
 * to move. The result is GLib's NFC of the segment. Caller frees with g_free; NULL on failure. */
static gchar *nfc_long(const uint8_t *s, size_t n)
{
    size_t cap = n + 16, len = 0;
    gunichar *u = ds_malloc(cap * sizeof *u);
    uint8_t *cls = NULL;
    gchar *res = NULL, *utf8 = NULL;
    if (!u)
        return NULL;
    for (size_t i = 0; i < n;) {
        int l;
        gunichar d[G_UNICHAR_MAX_DECOMPOSITION_LENGTH];
        gsize k = g_unichar_fully_decompose(ds_tok_utf8_decode(s + i, &l), FALSE, d, G_N_ELEMENTS(d));
        i += (size_t)l;
        if (len + k > cap) {
            cap = (len + k) * 2;
            gunichar *nu = ds_realloc(u, cap * sizeof *u);
            if (!nu)
                goto out;
            u = nu;
        }
        memcpy(u + len, d, k * sizeof *d);
        len += k;
    }
    cls = ds_malloc(len + 1);
    if (!cls)
        goto out;
    for (size_t i = 0; i < len; i++)
        cls[i] = (uint8_t)g_unichar_combining_class(u[i]);
    for (size_t i = 0; i < len;) {
        if (!cls[i]) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < len && cls[j])
            j++;
        if (sort_by_class(u + i, cls + i, j - i) != DS_OK)
            goto out;
        i = j;
    }
    glong wn = 0;
    utf8 = g_ucs4_to_utf8(u, (glong)len, NULL, &wn, NULL);
    if (utf8)
        res = g_utf8_normalize(utf8, wn, G_NORMALIZE_NFC);
out:
    g_free(utf8);
    ds_free(cls);
    ds_free(u);
    return res;
}

ds_status ds_tok_nfc_append(const char *text, size_t n, ds_buf *out)
{
    const uint8_t *s = (const uint8_t *)text;
    /* s[done..i) is known to be unchanged by NFC and not yet copied; no segment may start before
     * floor (just after a NUL, which GLib cannot take, or after an opaque character). */
    size_t i = 0, done = 0, floor = 0;
    while (i < n) {
        if (s[i] < 0x80) {
            if (s[i] == 0)
                floor = i + 1;
            i++;
            continue;
        }
        int l;
        uint32_t cp = ds_tok_utf8_decode(s + i, &l);
        if (ds_tok_nfc_inert(cp)) {
            i += (size_t)l;
            continue;
        }
        if (ds_tok_nfc_opaque_has(cp)) {
            i += (size_t)l;
            floor = i;
            continue;
        }
        /* A segment NFC may change: from the character before (a starter the marks may compose
         * with) up to the next inert or opaque character. */
        size_t seg = i, lo = done > floor ? done : floor;
        if (seg > lo) {
            seg--;
            while (seg > lo && (s[seg] & 0xC0) == 0x80)
                seg--;
        }
        size_t e = i + (size_t)l;
        while (e < n && s[e] >= 0x80) {
            int el;
            uint32_t ecp = ds_tok_utf8_decode(s + e, &el);
            if (ds_tok_nfc_inert(ecp) || ds_tok_nfc_opaque_has(ecp))
                break;
            e += (size_t)el;
        }
        if (ds_buf_append(out, s + done, seg - done) != DS_OK)
            return DS_ERR_NOMEM;
        gchar *nf = e - seg > 256 ? nfc_long(s + seg, e - seg)
                                  : g_utf8_normalize((const gchar *)s + seg, (gssize)(e - seg), G_NORMALIZE_NFC);
        ds_status st = nf ? ds_buf_puts(out, nf) : ds_buf_append(out, s + seg, e - seg);
        g_free(nf);
        if (st != DS_OK)
            return DS_ERR_NOMEM;
        done = i = e;
    }
    return ds_buf_append(out, s + done, n - done);
}

/* ---- \w for single_word added tokens ---------------------------------------------------------- */

int ds_tok_is_word_char(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || cp == '_';
    if (cp == 0x200C || cp == 0x200D)
        return 1;
    switch (g_unichar_type(cp)) {
    case G_UNICODE_UPPERCASE_LETTER:
    case G_UNICODE_LOWERCASE_LETTER:
    case G_UNICODE_TITLECASE_LETTER:
    case G_UNICODE_MODIFIER_LETTER:
    case G_UNICODE_OTHER_LETTER:
    case G_UNICODE_LETTER_NUMBER:
    case G_UNICODE_DECIMAL_NUMBER:
    case G_UNICODE_NON_SPACING_MARK:
    case G_UNICODE_SPACING_MARK:
    case G_UNICODE_ENCLOSING_MARK:
    case G_UNICODE_CONNECT_PUNCTUATION: return 1;
    default:
        return (cp >= 0x24B6 && cp <= 0x24E9) || (cp >= 0x1F130 && cp <= 0x1F149) || (cp >= 0x1F150 && cp <= 0x1F169) ||
               (cp >= 0x1F170 && cp <= 0x1F189);
    }
}

/* ---- pre-tokenizer matchers --------------------------------------------------------------------- */

/* Class and code point of the character at s[i] (i < n, valid UTF-8). */
static inline int cls_at(const uint8_t *s, size_t i, uint32_t *cp, int *len)
{
    uint8_t b = s[i];
    if (b < 0x80) {
        *cp = b;
        *len = 1;
        return ds_tok_uclass(b);
    }
    *cp = ds_tok_utf8_decode(s + i, len);
    return ds_tok_uclass(*cp);
}

/* End of the run of characters of class k starting at i. */
static inline size_t scan_class(const uint8_t *s, size_t n, size_t i, int k)
{
    while (i < n) {
        uint32_t cp;
        int l;
        if (cls_at(s, i, &cp, &l) != k)
            break;
        i += (size_t)l;
    }
    return i;
}

/* The white-space alternatives shared by both patterns, at a white-space character i:
 * `\s+(?!\S)` then `\s+` (and, with newlines, `\s*[\r\n]+` first for the Llama family). */
static inline size_t match_space(const uint8_t *s, size_t n, size_t i, bool newline_alt)
{
    size_t e = i, last = i, nl = (size_t)-1;
    while (e < n) {
        uint32_t cp;
        int l;
        if (cls_at(s, e, &cp, &l) != DS_TOK_C_WS)
            break;
        if (cp == '\r' || cp == '\n')
            nl = e;
        last = e;
        e += (size_t)l;
    }
    /* \s*[\r\n]+ : greedy \s* gives back characters until [\r\n]+ can match: the match ends just
     * after the last \r or \n of the run. */
    if (newline_alt && nl != (size_t)-1)
        return nl + 1;
    /* \s+(?!\S): the whole run at the end of the text, else the run less its last character
     * (which then precedes a non-space), when that leaves at least one. */
    if (e == n)
        return e;
    if (last > i)
        return last;
    return e; /* \s+ */
}

/* (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,max}| ?[^\s\p{L}\p{N}]+[\r\n]*|
 * \s*[\r\n]+|\s+(?!\S)|\s+ */
static size_t match_llama(const uint8_t *s, size_t n, size_t i, int max_digits)
{
    uint32_t c0;
    int l0;
    int k0 = cls_at(s, i, &c0, &l0);
    size_t j = i + (size_t)l0;

    if (c0 == '\'' && j < n) {
        /* Case-insensitive: the only non-ASCII character that folds to one of s t r v m l d e is
         * U+017F LATIN SMALL LETTER LONG S. */
        uint32_t c1;
        int l1;
        cls_at(s, j, &c1, &l1);
        uint32_t f1 = c1 == 0x17F ? 's' : (c1 >= 'A' && c1 <= 'Z' ? c1 + 32 : c1);
        if (f1 == 's' || f1 == 't' || f1 == 'm' || f1 == 'd')
            return j + (size_t)l1;
        size_t k = j + (size_t)l1;
        if ((f1 == 'r' || f1 == 'v' || f1 == 'l') && k < n) {
            uint32_t f2 = s[k] >= 'A' && s[k] <= 'Z' ? s[k] + 32u : s[k];
            if (((f1 == 'r' || f1 == 'v') && f2 == 'e') || (f1 == 'l' && f2 == 'l'))
                return k + 1;
        }
    }
    if (k0 == DS_TOK_C_L)
        return scan_class(s, n, j, DS_TOK_C_L);
    if (k0 != DS_TOK_C_N && c0 != '\r' && c0 != '\n' && j < n) {
        uint32_t c1;
        int l1;
        if (cls_at(s, j, &c1, &l1) == DS_TOK_C_L)
            return scan_class(s, n, j + (size_t)l1, DS_TOK_C_L);
    }
    if (k0 == DS_TOK_C_N) {
        for (int count = 1; count < max_digits && j < n; count++) {
            uint32_t c1;
            int l1;
            if (cls_at(s, j, &c1, &l1) != DS_TOK_C_N)
                break;
            j += (size_t)l1;
        }
        return j;
    }
    size_t p = (size_t)-1;
    if (k0 == DS_TOK_C_OTHER)
        p = j;
    else if (c0 == ' ' && j < n) {
        uint32_t c1;
        int l1;
        if (cls_at(s, j, &c1, &l1) == DS_TOK_C_OTHER)
            p = j + (size_t)l1;
    }
    if (p != (size_t)-1) {
        p = scan_class(s, n, p, DS_TOK_C_OTHER);
        while (p < n && (s[p] == '\r' || s[p] == '\n'))
            p++;
        return p;
    }
    return match_space(s, n, i, true);
}

/* 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+ */
static size_t match_gpt2(const uint8_t *s, size_t n, size_t i)
{
    uint32_t c0;
    int l0;
    int k0 = cls_at(s, i, &c0, &l0);
    size_t j = i + (size_t)l0;

    if (c0 == '\'' && j < n) {
        uint8_t c1 = s[j];
        if (c1 == 's' || c1 == 't' || c1 == 'm' || c1 == 'd')
            return j + 1;
        if (j + 1 < n && (((c1 == 'r' || c1 == 'v') && s[j + 1] == 'e') || (c1 == 'l' && s[j + 1] == 'l')))
            return j + 2;
    }
    if (k0 != DS_TOK_C_WS)
        return scan_class(s, n, j, k0);
    if (c0 == ' ' && j < n) {
        uint32_t c1;
        int l1;
        int k1 = cls_at(s, j, &c1, &l1);
        if (k1 != DS_TOK_C_WS)
            return scan_class(s, n, j + (size_t)l1, k1);
    }
    return match_space(s, n, i, false);
}

size_t ds_tok_split_next(const ds_tok_step *step, const uint8_t *s, size_t n, size_t i)
{
    switch (step->kind) {
    case DS_TOK_SPLIT_LLAMA: return match_llama(s, n, i, step->max_digits);
    case DS_TOK_SPLIT_GPT2: return match_gpt2(s, n, i);
    default: return n;
    }
}
