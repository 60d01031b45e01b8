/* names.c - name normalisation for matching (see names.h): folding (case, diacritics,
 * transliteration, punctuation) and the word rules for persons and organisations.
 *
 * Owns: the read-only word and transliteration tables. Threading: reentrant, no global state.
 * Diacritics: each character is decomposed with GLib's compatibility decomposition (NFKD, one
 * character at a time, which gives the same letters as normalising the whole string) and its
 * combining marks are dropped. Letters whose Latin spelling is not a decomposition (ß, æ, ø,
 * Cyrillic й and ё, Greek, Arabic) come from the table below, looked up before decomposing.
 */
#include "extract/screening/names.h"

#include "pipeline/core/alloc.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

/* ---- transliteration ------------------------------------------------------------------- */

typedef struct translit {
    gunichar c;
    const char *latin;
} translit;

/* Sorted by code point (binary search). Lower-case letters only: input is lower-cased first. */
static const translit translit_table[] = {
    {0x00DF, "ss"},
    {0x00E6, "ae"},
    {0x00F0, "d"},
    {0x00F8, "o"},
    {0x00FE, "th"},
    {0x0111, "d"},
    {0x0127, "h"},
    {0x0131, "i"},
    {0x0138, "k"},
    {0x0142, "l"},
    {0x014B, "ng"},
    {0x0153, "oe"},
    {0x017F, "s"},
    {0x0180, "b"},
    {0x0188, "c"},
    {0x0192, "f"},
    {0x01B6, "z"},
    {0x0253, "b"},
    {0x0257, "d"},
    {0x0268, "i"},
    /* Greek */
    {0x03B1, "a"},
    {0x03B2, "v"},
    {0x03B3, "g"},
    {0x03B4, "d"},
    {0x03B5, "e"},
    {0x03B6, "z"},
    {0x03B7, "i"},
    {0x03B8, "th"},
    {0x03B9, "i"},
    {0x03BA, "k"},
    {0x03BB, "l"},
    {0x03BC, "m"},
    {0x03BD, "n"},
    {0x03BE, "x"},
    {0x03BF, "o"},
    {0x03C0, "p"},
    {0x03C1, "r"},
    {0x03C2, "s"},
    {0x03C3, "s"},
    {0x03C4, "t"},
    {0x03C5, "y"},
    {0x03C6, "f"},
    {0x03C7, "ch"},
    {0x03C8, "ps"},
    {0x03C9, "o"},
    /* Cyrillic (Russian, Ukrainian, Belarusian, Serbian, Macedonian, Bulgarian, Kazakh) */
    {0x0430, "a"},
    {0x0431, "b"},
    {0x0432, "v"},
    {0x0433, "g"},
    {0x0434, "d"},
    {0x0435, "e"},
    {0x0436, "zh"},
    {0x0437, "z"},
    {0x0438, "i"},
    {0x0439, "y"},
    {0x043A, "k"},
    {0x043B, "l"},
    {0x043C, "m"},
    {0x043D, "n"},
    {0x043E, "o"},
    {0x043F, "p"},
    {0x0440, "r"},
    {0x0441, "s"},
    {0x0442, "t"},
    {0x0443, "u"},
    {0x0444, "f"},
    {0x0445, "kh"},
    {0x0446, "ts"},
    {0x0447, "ch"},
    {0x0448, "sh"},
    {0x0449, "shch"},
    {0x044A, ""},
    {0x044B, "y"},
    {0x044C, ""},
    {0x044D, "e"},
    {0x044E, "yu"},
    {0x044F, "ya"},
    {0x0450, "e"},
    {0x0451, "e"},
    {0x0452, "dj"},
    {0x0453, "gj"},
    {0x0454, "ye"},
    {0x0455, "dz"},
    {0x0456, "i"},
    {0x0457, "yi"},
    {0x0458, "j"},
    {0x0459, "lj"},
    {0x045A, "nj"},
    {0x045B, "c"},
    {0x045C, "kj"},
    {0x045D, "i"},
    {0x045E, "u"},
    {0x045F, "dz"},
    {0x0491, "g"},
    {0x0493, "gh"},
    {0x049B, "q"},
    {0x04A3, "ng"},
    {0x04AF, "u"},
    {0x04B1, "u"},
    {0x04BB, "h"},
    {0x04D9, "a"},
    {0x04E9, "o"},
    /* Arabic */
    {0x0621, ""},
    {0x0622, "a"},
    {0x0623, "a"},
    {0x0624, "w"},
    {0x0625, "i"},
    {0x0626, "y"},
    {0x0627, "a"},
    {0x0628, "b"},
    {0x0629, "a"},
    {0x062A, "t"},
    {0x062B, "th"},
    {0x062C, "j"},
    {0x062D, "h"},
    {0x062E, "kh"},
    {0x062F, "d"},
    {0x0630, "dh"},
    {0x0631, "r"},
    {0x0632, "z"},
    {0x0633, "s"},
    {0x0634, "sh"},
    {0x0635, "s"},
    {0x0636, "d"},
    {0x0637, "t"},
    {0x0638, "z"},
    {0x0639, ""},
    {0x063A, "gh"},
    {0x0640, ""},
    {0x0641, "f"},
    {0x0642, "q"},
    {0x0643, "k"},
    {0x0644, "l"},
    {0x0645, "m"},
    {0x0646, "n"},
    {0x0647, "h"},
    {0x0648, "w"},
    {0x0649, "a"},
    {0x064A, "y"},
    {0x0671, "a"},
    {0x067E, "p"},
    {0x0686, "ch"},
    {0x0698, "zh"},
    {0x06A9, "k"},
    {0x06AF, "g"},
    {0x06BE, "h"},
    {0x06C1, "h"},
    {0x06CC, "y"},
    {0x06D2, "y"},
};

static const char *translit_lookup(gunichar c)
{
    size_t lo = 0, hi = sizeof translit_table / sizeof translit_table[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (translit_table[mid].c == c)
            return translit_table[mid].latin;
        if (translit_table[mid].c < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static int is_apostrophe(gunichar c)
{
    switch (c) {
    case 0x0027:
    case 0x0060:
    case 0x00B4:
    case 0x02B9:
    case 0x02BB:
    case 0x02BC:
    case 0x02BE:
    case 0x02BF:
    case 0x2018:
    case 0x2019:
    case 0x201B:
    case 0x2032: return 1;
    default: return 0;
    }
}

/* ---- folding ----------------------------------------------------------------------------- */

typedef struct folder {
    ds_buf *out;
    int sep; /* a separator is pending before the next letter */
    ds_status st;
} folder;

static void emit_bytes(folder *f, const char *s, size_t n)
{
    if (n == 0 || f->st)
        return;
    if (f->sep && f->out->len > 0 && f->out->data[f->out->len - 1] != ' ' && ds_buf_putc(f->out, ' '))
        f->st = DS_ERR_NOMEM;
    f->sep = 0;
    if (!f->st && ds_buf_append(f->out, s, n))
        f->st = DS_ERR_NOMEM;
}

static void emit_unichar(folder *f, gunichar c)
{
    char u[8];
    int n = g_unichar_to_utf8(c, u);
    emit_bytes(f, u, (size_t)n);
}

/* One character after lower-casing and decomposition: letters and digits out, marks dropped,
 * everything else a separator. */
static void fold_base(folder *f, gunichar c)
{
    if (c < 0x80) {
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            char ch = (char)c;
            emit_bytes(f, &ch, 1);
        } else if (c >= 'A' && c <= 'Z') {
            char ch = (char)(c - 'A' + 'a');
            emit_bytes(f, &ch, 1);
        } else {
            f->sep = 1;
        }
        return;
    }
    if (g_unichar_ismark(c))
        return;
    const char *t = translit_lookup(c);
    if (t) {
        emit_bytes(f, t, strlen(t));
        return;
    }
    if (g_unichar_isdigit(c)) {
        int v = g_unichar_digit_value(c);
        if (v >= 0 && v <= 9) {
            char ch = (char)('0' + v);
            emit_bytes(f, &ch, 1);
            return;
        }
    }
    if (g_unichar_isalpha(c) || g_unichar_isdigit(c))
        emit_unichar(f, c);
    else
        f->sep = 1;
}

static void fold_char(folder *f, gunichar c)
{
    gunichar lc = g_unichar_tolower(c);
    if (lc < 0x80) {
        fold_base(f, lc);
        return;
    }
    const char *t = translit_lookup(lc);
    if (t) {
        emit_bytes(f, t, strlen(t));
        return;
    }
    if (lc >= 0xAC00 && lc <= 0xD7A3) { /* Hangul syllables stay whole */
        emit_unichar(f, lc);
        return;
    }
    gunichar dec[G_UNICHAR_MAX_DECOMPOSITION_LENGTH];
    gsize n = g_unichar_fully_decompose(lc, TRUE, dec, G_N_ELEMENTS(dec));
    for (gsize i = 0; i < n; i++) {
        gunichar d = g_unichar_tolower(dec[i]);
        if (d == '&') {
            f->sep = 1;
            emit_bytes(f, "and", 3);
            f->sep = 1;
        } else {
            fold_base(f, d);
        }
    }
}

static int is_word_char(gunichar c)
{
    return g_unichar_isalnum(c) && !is_apostrophe(c);
}

/* Decodes UTF-8 into code points; an invalid byte becomes a space. Caller frees. */
static gunichar *decode(const char *s, size_t len, size_t *n_out)
{
    gunichar *u = ds_malloc((len + 1) * sizeof *u);
    if (!u)
        return NULL;
    size_t n = 0;
    const char *p = s, *end = s + len;
    while (p < end) {
        gunichar c = g_utf8_get_char_validated(p, end - p);
        if (c == (gunichar)-1 || c == (gunichar)-2 || c == 0) {
            u[n++] = ' ';
            p++;
            continue;
        }
        u[n++] = c;
        p = g_utf8_next_char(p);
    }
    *n_out = n;
    return u;
}

ds_status ds_name_fold(ds_buf *out, const char *s, size_t len)
{
    if (!s)
        return DS_OK;
    if (len == (size_t)-1)
        len = strlen(s);
    size_t n = 0;
    gunichar *u = decode(s, len, &n);
    if (!u)
        return DS_ERR_NOMEM;
    folder f = {out, out->len > 0, DS_OK};
    for (size_t i = 0; i < n && !f.st; i++) {
        gunichar c = u[i];
        if (is_apostrophe(c))
            continue;
        if (c == '.') {
            /* Dotted initials: "S.A." -> "sa": a dot between two single letters is dropped. */
            int single_before = i >= 1 && is_word_char(u[i - 1]) && (i < 2 || !is_word_char(u[i - 2]));
            int single_after = i + 1 < n && g_unichar_isalpha(u[i + 1]) && (i + 2 >= n || !is_word_char(u[i + 2]));
            if (single_before && single_after)
                continue;
            f.sep = 1;
            continue;
        }
        if (c == '&') {
            f.sep = 1;
            emit_bytes(&f, "and", 3);
            f.sep = 1;
            continue;
        }
        fold_char(&f, c);
    }
    ds_free(u);
    if (!f.st && out->len > 0 && out->data[out->len - 1] == ' ')
        out->data[--out->len] = '\0';
    if (!f.st && !out->data && ds_buf_reserve(out, 1) == DS_OK)
        out->data[0] = '\0';
    return f.st;
}

/* ---- word tables ------------------------------------------------------------------------- */

/* Legal forms removed from the end of an organisation name (phrases of folded tokens). */
#define MISSPELT_FORM_MIN 6 /* letters of a legal-form word read through one typo ("limitewd") */

static const char *const legal_suffixes[] = {
    "llc",
    "llp",
    "lllp",
    "ltd",
    "limited",
    "ltda",
    "lda",
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "cos",
    "company",
    "companies",
    "plc",
    "gmbh",
    "mbh",
    "ag",
    "kg",
    "kgaa",
    "ohg",
    "ug",
    "sa",
    "sas",
    "sasu",
    "sarl",
    "sarlu",
    "srl",
    "srls",
    "sl",
    "slu",
    "spa",
    "sapa",
    "snc",
    "sca",
    "scs",
    "bv",
    "nv",
    "cv",
    "vof",
    "lp",
    "pllc",
    "ooo",
    "zao",
    "oao",
    "pao",
    "ao",
    "jsc",
    "pjsc",
    "ojsc",
    "cjsc",
    "pjs",
    "psa",
    "tov",
    "pat",
    "prat",
    "dd",
    "doo",
    "ad",
    "as",
    "asa",
    "ab",
    "publ",
    "oy",
    "oyj",
    "aps",
    "sro",
    "kft",
    "zrt",
    "nyrt",
    "bhd",
    "sdn",
    "pte",
    "pty",
    "pvt",
    "kk",
    "ltee",
    "group",
    "grp",
    "holding",
    "holdings",
    "fze",
    "fzco",
    "fzc",
    "fzllc",
    "wll",
    "est",
    "establishment",
    "sal",
    "saog",
    "saoc",
    "psc",
    "qsc",
    "qpsc",
    "sprl",
    "bvba",
    "scrl",
    "eurl",
    "eirl",
    "tbk",
    "sti",
    "sae",
    "uab",
    "sia",
    "ehf",
    "hf",
    "sp",
    "spzoo",
    "sa de cv",
    "s de rl de cv",
    "s de rl",
    "sapi de cv",
    "sab de cv",
    "s en c",
    "de cv",
    "de rl",
    "joint stock company",
    "joint stock",
    "limited liability company",
    "limited liability partnership",
    "limited liability",
    "limited partnership",
    "public limited company",
    "private limited company",
    "private limited",
    "company limited",
    "pvt ltd",
    "co kg",
    "gmbh co kg",
    "spol s r o",
    "s r o",
    "sp z o o",
    "sp z oo",
    "s a",
    "s l",
    "s r l",
    "s p a",
    "s a s",
    "b v",
    "n v",
    "a g",
    "l l c",
    "p l c",
    "joint venture",
    "fz llc",
    "fz co",
    "sdn bhd",
    "and co",
    "and company",
    "and co kg",
    "gmbh and co kg",
    "gmbh and co",
    "and cie",
    "et cie",
    "s a de c v",
    "de c v",
    "s de r l de c v",
    "s de r l",
    "c v",
    "partnership",
    "ca",
    "c a",
    "jointstock",
    "jointstock company",
    "cia",
    "y cia",
    "s p r de r l de c v",
    "spr de rl de cv",
    "s p r de r l",
    "spr de rl",
    "s c de r l de c v",
    "sc de rl de cv",
    "s c s",
    "s en c s",
    "e u",
    "s a c",
    "sac",
    "s a s",
    "open joint stock company",
    "closed joint stock company",
    "public joint stock company",
};

/* Legal forms found at the start (Russian and Ukrainian forms, Indonesian PT/CV, "the"). */
static const char *const legal_prefixes[] = {
    "ooo",
    "zao",
    "oao",
    "pao",
    "ao",
    "tov",
    "pat",
    "prat",
    "jsc",
    "pjsc",
    "ojsc",
    "cjsc",
    "pt",
    "cv",
    "uab",
    "sia",
    "llc",
    "the",
    "open joint stock company",
    "closed joint stock company",
    "public joint stock company",
    "private joint stock company",
    "joint stock company",
    "limited liability company",
    "open joint stock",
    "closed joint stock",
    "public joint stock",
    "joint stock",
    "aktsionernoe obshchestvo",
    "otkrytoe aktsionernoe obshchestvo",
    "zakrytoe aktsionernoe obshchestvo",
    "publichnoe aktsionernoe obshchestvo",
    "obshchestvo s ogranichennoi otvetstvennostyu",
    "obshchestvo s ogranichennoy otvetstvennostyu",
    "tovarystvo z obmezhenoyu vidpovidalnistyu",
};

/* Honorifics removed from the start of any name that is not an organisation. */
static const char *const honorifics_strong[] = {
    "mr",        "mrs",        "ms",        "miss",       "mx",      "mister",  "dr",    "doctor", "prof",
    "professor", "sir",        "dame",      "herr",       "frau",    "mme",     "mlle",  "madame", "monsieur",
    "sheikh",    "shaikh",     "sheik",     "shaykh",     "cheikh",  "haji",    "hajji", "hadji",  "alhaji",
    "mullah",    "mulla",      "maulana",   "maulvi",     "mawlawi", "mawlana", "molvi", "rev",    "reverend",
    "hon",       "honourable", "honorable", "excellency", "hrh",
};

/* Titles and ranks removed from the start of a known person's name only. */
static const char *const honorifics_person[] = {
    "general",    "gen",          "colonel",       "col",     "major",   "maj",      "captain",   "capt",
    "lieutenant", "lt",           "brigadier",     "brig",    "admiral", "adm",      "commander", "cmdr",
    "cdr",        "sergeant",     "sgt",           "lord",    "lady",    "eng",      "engr",      "engineer",
    "ayatollah",  "hojatoleslam", "hojjatoleslam", "emir",    "prince",  "princess", "king",      "queen",
    "president",  "minister",     "judge",         "justice", "father",  "imam",
};

static const char *const suffixes_person[] = {"jr", "jnr", "sr", "snr", "junior", "senior", "ii", "iii", "iv"};

static const char *const particles[] = {
    "al", "el",  "ul",  "bin", "ibn", "ben", "bint", "de",  "del", "della", "der", "den", "di",
    "da", "do",  "dos", "das", "du",  "la",  "le",   "les", "des", "van",   "von", "y",   "the",
    "of", "and", "und", "et",  "ter", "ten", "for",  "in",  "on",  "at",    "to",  "or",  "an",
};

static int in_set(const char *const *set, size_t n, const char *tok, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(set[i]) == len && memcmp(set[i], tok, len) == 0)
            return 1;
    return 0;
}

#define IN_SET(set, tok, len) in_set((set), sizeof(set) / sizeof((set)[0]), (tok), (len))

int ds_name_is_legal_form(const char *token, size_t len)
{
    if (len == (size_t)-1)
        len = strlen(token);
    if (len == 3 && memcmp(token, "the", 3) == 0)
        return 0;
    return (memchr(token, ' ', len) == NULL) &&
           (IN_SET(legal_suffixes, token, len) || IN_SET(legal_prefixes, token, len));
}

int ds_name_is_misspelt_legal_form(const char *token, size_t len)
{
    if (len == (size_t)-1)
        len = strlen(token);
    if (len < MISSPELT_FORM_MIN || ds_name_is_legal_form(token, len))
        return 0;
    for (size_t i = 0; i < sizeof legal_suffixes / sizeof legal_suffixes[0]; i++) {
        size_t l = strlen(legal_suffixes[i]);
        if (l >= MISSPELT_FORM_MIN && !memchr(legal_suffixes[i], ' ', l) &&
            ds_name_within_one_edit(token, len, legal_suffixes[i], l))
            return 1;
    }
    return 0;
}

int ds_name_is_honorific(const char *token, size_t len)
{
    if (len == (size_t)-1)
        len = strlen(token);
    return IN_SET(honorifics_strong, token, len) || IN_SET(honorifics_person, token, len);
}

int ds_name_is_particle(const char *token, size_t len)
{
    if (len == (size_t)-1)
        len = strlen(token);
    return IN_SET(particles, token, len);
}

/* ---- tokens and rules -------------------------------------------------------------------- */

typedef struct tok {
    const char *s;
    size_t n;
} tok;

static size_t split(const char *s, size_t len, tok *t, size_t cap)
{
    size_t n = 0, i = 0;
    while (i < len && n < cap) {
        while (i < len && s[i] == ' ')
            i++;
        size_t start = i;
        while (i < len && s[i] != ' ')
            i++;
        if (i > start)
            t[n++] = (tok){s + start, i - start};
    }
    return n;
}

/* Tokens in phrase (space-separated) if t[from..from+k) spells it, else 0. */
static size_t phrase_len_at(const char *phrase, const tok *t, size_t nt, size_t from, int at_end)
{
    tok p[8];
    size_t k = split(phrase, strlen(phrase), p, 8);
    if (k == 0 || k > nt)
        return 0;
    size_t start = at_end ? nt - k : from;
    for (size_t i = 0; i < k; i++)
        if (t[start + i].n != p[i].n || memcmp(t[start + i].s, p[i].s, p[i].n) != 0)
            return 0;
    return k;
}

int ds_name_within_one_edit(const char *a, size_t la, const char *b, size_t lb)
{
    if (la < lb) {
        const char *t = a;
        a = b;
        b = t;
        size_t tl = la;
        la = lb;
        lb = tl;
    }
    if (la - lb > 1)
        return 0;
    size_t i = 0;
    while (i < lb && a[i] == b[i])
        i++;
    if (i == lb)
        return 1; /* equal, or a has one extra byte at the end */
    if (la == lb) {
        if (memcmp(a + i + 1, b + i + 1, la - i - 1) == 0)
            return 1; /* substitution */
        return i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] && memcmp(a + i + 2, b + i + 2, la - i - 2) == 0;
    }
    return memcmp(a + i + 1, b + i, lb - i) == 0; /* deletion from a */
}

/* A misspelt long legal-form word ("compnay", "grup", "limted"): one edit from a one-word form
 * of 5 or more letters, the token 4 or more. */
static int fuzzy_legal(const tok *t)
{
    if (t->n < 4)
        return 0;
    for (size_t i = 0; i < sizeof legal_suffixes / sizeof legal_suffixes[0]; i++) {
        size_t l = strlen(legal_suffixes[i]);
        if (l >= 5 && !memchr(legal_suffixes[i], ' ', l) && ds_name_within_one_edit(t->s, t->n, legal_suffixes[i], l))
            return 1;
    }
    return 0;
}

/* A misspelt title of 5+ letters at the start of a person's name ("sheik", "shiekh", "generl"). */
static int fuzzy_honorific(const tok *t)
{
    if (t->n < 5)
        return 0;
    const char *const *sets[2] = {honorifics_strong, honorifics_person};
    size_t sizes[2] = {sizeof honorifics_strong / sizeof honorifics_strong[0],
                       sizeof honorifics_person / sizeof honorifics_person[0]};
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < sizes[k]; i++) {
            size_t l = strlen(sets[k][i]);
            if (l >= 5 && ds_name_within_one_edit(t->s, t->n, sets[k][i], l))
                return 1;
        }
    return 0;
}

/* Longest legal-form phrase at the end (at_end) or the start of t, in tokens; a misspelt
 * one-word form at the end counts too. */
static size_t legal_match(const tok *t, size_t nt, int at_end)
{
    const char *const *set = at_end ? legal_suffixes : legal_prefixes;
    size_t n = at_end ? sizeof legal_suffixes / sizeof legal_suffixes[0]
                      : sizeof legal_prefixes / sizeof legal_prefixes[0];
    size_t best = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = phrase_len_at(set[i], t, nt, 0, at_end);
        if (k > best)
            best = k;
    }
    if (best == 0 && at_end && nt > 0 && fuzzy_legal(&t[nt - 1]))
        best = 1;
    return best;
}

/* Removes legal forms at both ends; never removes the last remaining token. Returns whether any
 * was found. Tokens are shifted in place. */
static int strip_legal(tok *t, size_t *nt)
{
    int found = 0;
    for (;;) {
        size_t k = legal_match(t, *nt, 0);
        if (k == 0 || k >= *nt)
            break;
        memmove(t, t + k, (*nt - k) * sizeof *t);
        *nt -= k;
        found = 1;
    }
    for (;;) {
        size_t k = legal_match(t, *nt, 1);
        if (k == 0 || k >= *nt)
            break;
        *nt -= k;
        found = 1;
    }
    return found;
}

static void strip_person(tok *t, size_t *nt, int known_person)
{
    /* Generational suffixes of a known person (an unknown name keeps them: "Seastar III" may
     * be a ship). */
    for (size_t i = 0; i<*nt && * nt> 1;) {
        if (known_person && IN_SET(suffixes_person, t[i].s, t[i].n)) {
            memmove(t + i, t + i + 1, (*nt - i - 1) * sizeof *t);
            (*nt)--;
            continue;
        }
        i++;
    }
    while (*nt > 1 && (IN_SET(honorifics_strong, t[0].s, t[0].n) ||
                       (known_person && (IN_SET(honorifics_person, t[0].s, t[0].n) || fuzzy_honorific(&t[0]))))) {
        memmove(t, t + 1, (*nt - 1) * sizeof *t);
        (*nt)--;
    }
}

static int tok_cmp(const void *a, const void *b)
{
    const tok *x = a, *y = b;
    size_t n = x->n < y->n ? x->n : y->n;
    int c = memcmp(x->s, y->s, n);
    if (c)
        return c;
    return x->n < y->n ? -1 : x->n > y->n;
}

static ds_status join(ds_buf *b, const tok *t, size_t n)
{
    ds_buf_clear(b);
    if (ds_buf_reserve(b, 1))
        return DS_ERR_NOMEM;
    b->data[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i && ds_buf_putc(b, ' '))
            return DS_ERR_NOMEM;
        if (ds_buf_append(b, t[i].s, t[i].n))
            return DS_ERR_NOMEM;
    }
    return DS_OK;
}

void ds_name_norm_init(ds_name_norm *n)
{
    ds_buf_init(&n->ordered);
    ds_buf_init(&n->sorted);
    n->n_tokens = 0;
    n->kind = DS_NAME_KIND_UNKNOWN;
}

void ds_name_norm_deinit(ds_name_norm *n)
{
    if (!n)
        return;
    ds_buf_deinit(&n->ordered);
    ds_buf_deinit(&n->sorted);
    n->n_tokens = 0;
}

/* Byte offset of the only comma (ASCII, fullwidth or Arabic) in s, or -1 when none or several. */
static long only_comma(const char *s, size_t len)
{
    long at = -1;
    int count = 0;
    for (size_t i = 0; i < len; i++) {
        size_t w = 0;
        if (s[i] == ',')
            w = 1;
        else if (i + 2 < len && (unsigned char)s[i] == 0xEF && (unsigned char)s[i + 1] == 0xBC &&
                 (unsigned char)s[i + 2] == 0x8C)
            w = 3; /* U+FF0C */
        else if (i + 1 < len && (unsigned char)s[i] == 0xD8 && (unsigned char)s[i + 1] == 0x8C)
            w = 2; /* U+060C */
        if (w) {
            count++;
            at = (long)i;
            i += w - 1;
        }
    }
    return count == 1 ? at : -1;
}

/* How many leading words of raw text form a legal form ("AO Gazprom" -> 1), 0 when none. */
static int legal_prefix_words(const char *text, size_t len)
{
    ds_buf f = DS_BUF_INIT;
    if (ds_name_fold(&f, text, len) || !f.data) {
        ds_buf_deinit(&f);
        return 0;
    }
    tok t[DS_NAME_MAX_TOKENS];
    size_t nt = split(f.data, f.len, t, DS_NAME_MAX_TOKENS);
    int k = (int)legal_match(t, nt, 0);
    ds_buf_deinit(&f);
    return k;
}

ds_status ds_name_normalize(ds_name_norm *out, const char *name, size_t len, ds_name_kind kind)
{
    ds_buf folded = DS_BUF_INIT;
    ds_status st = DS_OK;
    if (!name)
        name = "";
    if (len == (size_t)-1)
        len = strlen(name);
    out->n_tokens = 0;
    out->kind = kind;
    long comma = kind != DS_NAME_KIND_ORG ? only_comma(name, len) : -1;
    if (comma >= 0 && kind == DS_NAME_KIND_UNKNOWN) {
        /* "LAST, First" marks a person, unless a legal form stands on either side of the comma
         * ("ANGLO-CARIBBEAN CO., LTD.", "SUEX OTC, S.R.O."). */
        size_t w = name[comma] == ',' ? 1 : ((unsigned char)name[comma] == 0xEF ? 3 : 2);
        if (ds_name_legal_form_suffix(name, (size_t)comma) > 0 ||
            ds_name_legal_form_suffix(name + comma + w, len - (size_t)comma - w) > 0 ||
            legal_prefix_words(name + comma + w, len - (size_t)comma - w) > 0)
            comma = -1;
        else
            kind = DS_NAME_KIND_PERSON;
        out->kind = kind;
    }
    if (comma >= 0) {
        /* "LAST, First Middle": the part after the comma first. */
        size_t w = name[comma] == ',' ? 1 : ((unsigned char)name[comma] == 0xEF ? 3 : 2);
        st = ds_name_fold(&folded, name + comma + w, len - (size_t)comma - w);
        size_t first_len = folded.len;
        if (!st)
            st = ds_name_fold(&folded, name, (size_t)comma);
        if (!st && (first_len == 0 || folded.len == first_len)) {
            /* One side is empty: fold the whole name as written. */
            ds_buf_clear(&folded);
            st = ds_name_fold(&folded, name, len);
        }
    } else {
        st = ds_name_fold(&folded, name, len);
    }
    if (st)
        goto done;
    tok t[DS_NAME_MAX_TOKENS];
    size_t nt = folded.data ? split(folded.data, folded.len, t, DS_NAME_MAX_TOKENS) : 0;
    if (kind == DS_NAME_KIND_ORG) {
        strip_legal(t, &nt);
    } else if (kind == DS_NAME_KIND_PERSON) {
        strip_person(t, &nt, 1);
    } else {
        /* Unknown: a legal form at either end makes it an organisation. */
        if (nt > 1 && (legal_match(t, nt, 1) || legal_match(t, nt, 0))) {
            strip_legal(t, &nt);
            out->kind = DS_NAME_KIND_ORG;
        } else {
            strip_person(t, &nt, 0);
        }
    }
    out->n_tokens = nt;
    st = join(&out->ordered, t, nt);
    if (st)
        goto done;
    qsort(t, nt, sizeof *t, tok_cmp);
    st = join(&out->sorted, t, nt);
done:
    ds_buf_deinit(&folded);
    return st;
}

int ds_name_legal_form_suffix(const char *text, size_t len)
{
    ds_buf f = DS_BUF_INIT;
    if (ds_name_fold(&f, text, len) || !f.data) {
        ds_buf_deinit(&f);
        return 0;
    }
    tok t[DS_NAME_MAX_TOKENS];
    size_t nt = split(f.data, f.len, t, DS_NAME_MAX_TOKENS), total = 0;
    for (;;) {
        size_t k = legal_match(t, nt, 1);
        if (k == 0)
            break;
        nt -= k;
        total += k;
    }
    ds_buf_deinit(&f);
    return (int)total;
}

int ds_name_honorific_prefix(const char *text, size_t len)
{
    ds_buf f = DS_BUF_INIT;
    if (ds_name_fold(&f, text, len) || !f.data) {
        ds_buf_deinit(&f);
        return 0;
    }
    tok t[DS_NAME_MAX_TOKENS];
    size_t nt = split(f.data, f.len, t, DS_NAME_MAX_TOKENS);
    int k = 0;
    while ((size_t)k < nt && ds_name_is_honorific(t[k].s, t[k].n))
        k++;
    ds_buf_deinit(&f);
    return k;
}

int ds_name_is_noise(const char *token, size_t len)
{
    if (len == (size_t)-1)
        len = strlen(token);
    if (IN_SET(particles, token, len) || IN_SET(honorifics_strong, token, len) || IN_SET(suffixes_person, token, len))
        return 1;
    if (IN_SET(legal_suffixes, token, len) || IN_SET(legal_prefixes, token, len))
        return 1;
    tok t = {token, len};
    return fuzzy_legal(&t);
}
