/* name_spans.c - candidate name windows in text (see name_spans.h).
 *
 * The text is cut into words (letters, digits, inner apostrophes, hyphens and dotted initials;
 * a word's final full stop belongs to it when the word is an initial, a legal form or a title).
 * The gap after a word is a space (blanks and one line end, or one bracket among them: "ZARON
 * BIO-TECH (ASIA) LIMITED"), a comma, or a break (anything else:
 * sentence ends, brackets, quotes, colons, cell separators (a tab, or three blanks in a row as
 * between the columns of a text table), blank lines). A run is a sequence of
 * capitalised words joined by spaces, with lower-case particles, "&" and numbers inside it (a
 * window never starts with a number).
 * Owns: a small array of words per run (on the stack). Threading: reentrant.
 */
#include "extract/name_spans.h"

#include "extract/screening/names.h"

#include <string.h>

#define MAX_RUN DS_NAME_SPAN_MAX_RUN
#define LONG_MAX 16 /* words of a long run offered whole */
#define FOLD_MAX 32 /* bytes of a word folded to test it against the word lists */
#define CELL_GAP 3  /* blanks in a row that separate the cells of a text table */

typedef enum gap { GAP_SPACE, GAP_COMMA, GAP_BREAK } gap;

typedef struct word {
    size_t off, len;
    int cap;       /* 1 capitalised (or a letter of no case), 0 lower case, -1 starts with a digit */
    int upper;     /* no lower-case ASCII letter */
    int connector; /* lower-case particle or "&" */
    int legal, honorific;
    int stop; /* a particle or stop word whatever its case ("The", "Of") */
    gap after;
} word;

static int is_sep_utf8(const unsigned char *s, size_t n)
{
    if (n >= 2 && s[0] == 0xC2 && (s[1] == 0xA0 || s[1] == 0xAB || s[1] == 0xBB || s[1] == 0xB7))
        return 2;
    if (n >= 3 && s[0] == 0xE2 && (s[1] == 0x80 || s[1] == 0x81 || s[1] == 0x82))
        return 3;
    return 0;
}

static int word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

/* Folds a word to lower-case ASCII (non-ASCII kept) for the word-list tests; 0 when too long. */
static size_t fold(const char *t, const word *w, char *out)
{
    size_t n = 0;
    for (size_t i = 0; i < w->len; i++) {
        unsigned char c = (unsigned char)t[w->off + i];
        if (c == '.' || c == '\'' || c == '-')
            continue;
        if (n + 1 >= FOLD_MAX)
            return 0;
        out[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    out[n] = 0;
    return n;
}

static void classify(const char *t, word *w)
{
    unsigned char c0 = (unsigned char)t[w->off];
    w->cap = (c0 >= 'A' && c0 <= 'Z') || c0 >= 0x80 ? 1 : (c0 >= '0' && c0 <= '9') ? -1 : 0;
    w->upper = 1;
    for (size_t i = 0; i < w->len; i++)
        if (t[w->off + i] >= 'a' && t[w->off + i] <= 'z')
            w->upper = 0;
    char f[FOLD_MAX];
    size_t n = fold(t, w, f);
    w->connector = (w->len == 1 && c0 == '&') || (w->cap == 0 && n > 0 && ds_name_is_particle(f, n));
    w->stop = n > 0 && ds_name_is_particle(f, n);
    w->legal = n > 0 && (ds_name_is_legal_form(f, n) || ds_name_is_misspelt_legal_form(f, n));
    w->honorific = n > 0 && ds_name_is_honorific(f, n);
}

/* Reads the word starting at *pos (a word byte or '&'); leaves *pos after it. */
static void read_word(const char *t, size_t len, size_t *pos, word *w)
{
    size_t i = *pos;
    w->off = i;
    if (t[i] == '&') {
        i++;
    } else {
        while (i < len) {
            unsigned char c = (unsigned char)t[i];
            if (c >= 0x80 && is_sep_utf8((const unsigned char *)t + i, len - i))
                break;
            if (word_byte(c)) {
                i++;
            } else if ((c == '\'' || c == '-' || c == '.') && i + 1 < len && word_byte((unsigned char)t[i + 1]) &&
                       (unsigned char)t[i + 1] < 0x80) {
                i++;
            } else {
                break;
            }
        }
    }
    w->len = i - w->off;
    classify(t, w);
    /* a final full stop belongs to an initial, a dotted form, a legal form or a title */
    if (i < len && t[i] == '.' && w->cap == 1 &&
        (w->len == 1 || w->legal || w->honorific || memchr(t + w->off, '.', w->len))) {
        i++;
        w->len++;
    }
    *pos = i;
}

/* Skips the gap after a word and classifies it; leaves *pos at the next word (or len). */
static gap read_gap(const char *t, size_t len, size_t *pos)
{
    size_t i = *pos;
    int commas = 0, lines = 0, other = 0, blanks = 0, brackets = 0;
    while (i < len && t[i] != '&' && !word_byte((unsigned char)t[i])) {
        unsigned char c = (unsigned char)t[i];
        blanks = c == ' ' ? blanks + 1 : 0;
        if (c == '\t' || blanks == CELL_GAP)
            other++; /* a column gap of a text table */
        else if (c == ',')
            commas++;
        else if (c == '(' || c == ')')
            brackets++;
        else if (c == '\n')
            lines++;
        else if (c != ' ' && c != '\r' && c != '\'' && c != '-')
            other++; /* apostrophes and dashes stay inside a name ("'Abd Al-'Aziz",
                        "EVROBET - RUMANIA EOOD") */
        i++;
    }
    while (i < len && (unsigned char)t[i] >= 0x80) {
        int n = is_sep_utf8((const unsigned char *)t + i, len - i);
        if (!n)
            break;
        other += !((unsigned char)t[i] == 0xC2 && (unsigned char)t[i + 1] == 0xA0);
        i += (size_t)n;
        while (i < len && t[i] != '&' && !word_byte((unsigned char)t[i])) {
            other += t[i] != ' ';
            i++;
        }
    }
    *pos = i;
    if (other || lines > 1 || commas > 1 || brackets > 1 || (brackets && commas))
        return GAP_BREAK;
    return commas ? GAP_COMMA : GAP_SPACE;
}

static int name_word(const word *w)
{
    return w->cap == 1 || w->connector;
}

static int window_kind(const word *w, size_t a, size_t b)
{
    if (w[b - 1].legal)
        return 0;
    if (w[a].honorific)
        return 1;
    return -1;
}

static int emit(const char *t, const word *w, size_t a, size_t b, size_t run, int kind, int clipped, ds_name_span_fn fn,
                void *ctx)
{
    ds_name_span s = {.off = w[a].off,
                      .len = w[b - 1].off + w[b - 1].len - w[a].off,
                      .run = run,
                      .n_words = (int)(b - a),
                      .is_person = kind,
                      .upper = 1,
                      .clipped = clipped};
    for (size_t i = a; i < b; i++)
        s.upper &= w[i].upper || w[i].connector;
    return fn(ctx, t, &s);
}

/* Every window of the run w[0, n) that starts and ends with a capitalised word. */
static int run_windows(const char *t, const word *w, size_t n, size_t run, ds_name_span_fn fn, void *ctx)
{
    int org_run = w[n - 1].legal; /* every window of an organisation's name reads as one */
    /* a long name, whole: one with particles inside ("... OF THE ISLAMIC REPUBLIC OF IRAN ...") or
     * a legal form at its end, of at most LONG_MAX words */
    int linked = org_run;
    for (size_t i = 1; i + 1 < n && !linked; i++)
        linked = w[i].connector || w[i].stop;
    if (linked && n > DS_NAME_SPAN_MAX_WORDS && n <= LONG_MAX && !w[0].connector && w[0].cap != -1) {
        int rc = emit(t, w, 0, n, run, org_run ? 0 : -1, 0, fn, ctx);
        if (rc)
            return rc;
    }
    for (size_t a = 0; a < n; a++) {
        if (w[a].connector || w[a].cap == -1)
            continue;
        for (size_t b = a + 1; b <= n && b - a <= DS_NAME_SPAN_MAX_WORDS; b++) {
            if (w[b - 1].connector)
                continue;
            int clipped = (org_run || w[b - 1].legal) && a > 0 && !w[a - 1].stop && !w[a - 1].connector;
            int rc = emit(t, w, a, b, run, org_run ? 0 : window_kind(w, a, b), clipped, fn, ctx);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* "Leverage, S.A.", "Deep Offshore Technology Company, P.J.S.": a run of legal-form words after
 * the comma completes the organisation's name before it; every window of r ending at the comma,
 * with them. */
static int org_comma_windows(const char *t, const word *w, size_t nr, size_t ns, size_t run, ds_name_span_fn fn,
                             void *ctx)
{
    if (ns > 3)
        return 0;
    for (size_t i = nr; i < nr + ns; i++)
        if (!w[i].legal)
            return 0;
    for (size_t a = nr; a-- > 0 && nr - a <= DS_NAME_SPAN_MAX_WORDS;) {
        if (w[a].connector || w[a].cap == -1)
            continue;
        int rc = emit(t, w, a, nr + ns, run, 0, a > 0 && !w[a - 1].stop && !w[a - 1].connector, fn, ctx);
        if (rc)
            return rc;
    }
    return 1;
}

/* "LAST, First Middle": the last one or two words of run r[0, nr) with the first one to three
 * words of the run s[0, ns) that follows its comma, unless r ends in a legal form; r and s are
 * adjacent in one array. */
static int inverted_windows(const char *t, const word *w, size_t nr, size_t ns, size_t run, ds_name_span_fn fn,
                            void *ctx)
{
    int rc = org_comma_windows(t, w, nr, ns, run, fn, ctx);
    if (rc)
        return rc == 1 ? 0 : rc;
    if (w[nr - 1].legal) /* "Acme Company, Trading Division": an organisation, not a surname */
        return 0;
    for (size_t la = 1; la <= 2 && la <= nr; la++) {
        if (w[nr - la].connector)
            continue;
        for (size_t lb = 1; lb <= 3 && lb <= ns; lb++) {
            const word *last = &w[nr + lb - 1];
            if (last->connector || last->legal || w[nr].legal)
                continue;
            int rc = emit(t, w, nr - la, nr + lb, run, 1, 0, fn, ctx);
            if (rc)
                return rc;
        }
    }
    return 0;
}

int ds_name_spans_scan(const char *text, size_t len, ds_name_span_fn fn, void *ctx)
{
    word w[2 * MAX_RUN];
    size_t n = 0, prev_n = 0, run = 0, pos = 0;
    int prev_comma = 0;
    read_gap(text, len, &pos);
    while (pos < len) {
        word cur;
        read_word(text, len, &pos, &cur);
        if (cur.len == 0) { /* a byte no word starts with: step over it */
            pos++;
            read_gap(text, len, &pos);
            continue;
        }
        cur.after = read_gap(text, len, &pos);
        /* a number inside a name ("Posh 8 Dynamic B.V.", "Threat 39") joins a run, never opens one */
        int joins = (name_word(&cur) || (cur.cap == -1 && n > 0)) && n < MAX_RUN && (n > 0 || !cur.connector);
        if (joins)
            w[prev_n + n++] = cur;
        if (!joins || cur.after != GAP_SPACE || pos >= len) {
            /* close the run: trim trailing connectors, emit, link a comma to the next run */
            while (n > 0 && w[prev_n + n - 1].connector)
                n--;
            int rc = 0;
            if (n > 0) {
                rc = run_windows(text, w + prev_n, n, run, fn, ctx);
                if (!rc && prev_comma && prev_n > 0)
                    rc = inverted_windows(text, w, prev_n, n, run - 1, fn, ctx);
            }
            if (rc)
                return rc;
            int comma = n > 0 && joins && cur.after == GAP_COMMA;
            if (comma) {
                memmove(w, w + prev_n, n * sizeof *w);
                prev_n = n;
            } else {
                prev_n = 0;
            }
            prev_comma = comma;
            run += n > 0;
            n = 0;
        }
    }
    return 0;
}
