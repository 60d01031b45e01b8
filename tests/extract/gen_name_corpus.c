/* gen_name_corpus.c - ds_gen_name_corpus SDN_DIR OUTDIR [--per-variation N] [--seed S]: writes the
 * sanctions name corpus (tests/extract/name_corpus.h) from the real OFAC SDN CSV files.
 *
 * Every variation gets N listed entries (persons and organisations; vessels and aircraft left
 * out) that the variation applies to, each mentioned once; each document holds 8 listed mentions
 * and twice as many ordinary names plus one, built from the committed word lists below (never
 * from the list; a name whose normalised form equals a listed name's is drawn again). Mentions sit
 * in sentences of payment schedules, related-party notes and board minutes, or in the rows of a
 * payment table; documents rotate between plain text, HTML and PDF (cairo + pango).
 * Determinism: one splitmix64 stream from --seed; the same seed gives the same corpus.
 * Owns: the parsed list and every string it builds, freed before exit. Single-threaded.
 */
#include "extract/screening/names.h"
#include "extract/screening/sanctions.h"
#include "pipeline/core/alloc.h"
#include "pipeline/core/buf.h"
#include "tests/extract/name_corpus.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <ctype.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PER_DOC 8
#define NAME_MAX_B 300

static const char *const GIVEN[] = {
    "James",   "Mary",    "Robert",    "Patricia", "Michael", "Jennifer", "William", "Linda",   "David",   "Elizabeth",
    "Richard", "Barbara", "Thomas",    "Susan",    "Charles", "Jessica",  "Daniel",  "Sarah",   "Matthew", "Karen",
    "Anthony", "Nancy",   "Mark",      "Lisa",     "Steven",  "Margaret", "Paul",    "Sandra",  "Andrew",  "Ashley",
    "Joshua",  "Emily",   "Kenneth",   "Donna",    "Kevin",   "Michelle", "Brian",   "Carol",   "George",  "Amanda",
    "Pierre",  "Sophie",  "Lukas",     "Hanna",    "Giulia",  "Marco",    "Ingrid",  "Henrik",  "Aoife",   "Siobhan",
    "Olga",    "Piotr",   "Agnieszka", "Tomasz",   "Lucia",   "Javier",   "Camille", "Mathieu", "Freya",   "Nils",
    "Priya",   "Rahul",   "Mei",       "Kenji",    "Yuki",    "Chloe",    "Oliver",  "Harriet", "Rupert",  "Imogen",
};
static const char *const SURNAMES[] = {
    "Smith",     "Johnson",   "Williams", "Brown",     "Jones",    "Miller",    "Davis",     "Wilson", "Anderson",
    "Taylor",    "Thomas",    "Moore",    "Martin",    "Jackson",  "Thompson",  "White",     "Harris", "Clark",
    "Lewis",     "Robinson",  "Walker",   "Young",     "Allen",    "King",      "Wright",    "Scott",  "Green",
    "Baker",     "Adams",     "Nelson",   "Hill",      "Campbell", "Mitchell",  "Roberts",   "Carter", "Phillips",
    "Evans",     "Turner",    "Parker",   "Collins",   "Edwards",  "Stewart",   "Morris",    "Murphy", "Cook",
    "Rogers",    "Morgan",    "Cooper",   "Peterson",  "Bailey",   "Schneider", "Fischer",   "Weber",  "Becker",
    "Lindqvist", "Johansson", "Rossi",    "Bianchi",   "Dubois",   "Lefebvre",  "Kowalczyk", "Nowak",  "Jensen",
    "Hansen",    "Sullivan",  "Kavanagh", "Fernandez", "Moreau",   "Whitfield", "Ashworth",
};
static const char *const COMPANY_WORDS[] = {
    "Northfield", "Bluewater", "Riverside",   "Summit",     "Harbour",    "Granite",   "Meadow",      "Oakridge",
    "Silverline", "Westbrook", "Lakeshore",   "Ironwood",   "Brightpath", "Clearview", "Stonebridge", "Fairway",
    "Highland",   "Redwood",   "Maplewood",   "Crestline",  "Evergreen",  "Pinecrest", "Broadleaf",   "Kingsway",
    "Seabright",  "Logistics", "Packaging",   "Components", "Foods",      "Textiles",  "Engineering", "Software",
    "Analytics",  "Freight",   "Ceramics",    "Timber",     "Dairy",      "Printing",  "Consulting",  "Plastics",
    "Furniture",  "Optics",    "Instruments", "Marine",     "Outfitters", "Bakeries",  "Orchards",    "Aggregates",
    "Coatings",   "Fabrics",
};
static const char *const LEGAL_FORMS[] = {"LLC", "Ltd", "Limited", "Inc.", "GmbH", "S.A.",
                                          "OOO", "JSC", "plc",     "B.V.", "AG",   "Corp."};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t next(rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static size_t pick(rng *r, size_t n)
{
    return n ? (size_t)(next(r) % n) : 0;
}

typedef struct mention {
    nc_variation var;
    nc_context ctx;
    long long ext_id; /* 0: ordinary */
    int person;
    char text[NAME_MAX_B];
} mention;

typedef struct corpus {
    const ds_sanctions_list *list;
    char **listed; /* sorted normalised forms of every listed name */
    size_t n_listed;
    unsigned char *used; /* entries already mentioned */
    ds_name_norm norm;
    rng r;
} corpus;

/* ---- names -------------------------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *norm_sorted(corpus *c, const char *name, int person)
{
    if (ds_name_normalize(&c->norm, name, (size_t)-1, person ? DS_NAME_KIND_PERSON : DS_NAME_KIND_ORG))
        return NULL;
    return c->norm.sorted.data ? c->norm.sorted.data : "";
}

static int listed_equal(corpus *c, const char *name, int person)
{
    const char *s = norm_sorted(c, name, person);
    return !s || bsearch(&s, c->listed, c->n_listed, sizeof *c->listed, cmp_str) != NULL;
}

static ds_status collect_listed(corpus *c)
{
    size_t cap = 0;
    for (size_t i = 0; i < c->list->n_entries; i++)
        cap += 1 + c->list->entries[i].n_aliases;
    c->listed = ds_calloc(cap ? cap : 1, sizeof *c->listed);
    if (!c->listed)
        return DS_ERR_NOMEM;
    for (size_t i = 0; i < c->list->n_entries; i++) {
        const ds_sanctions_entry *e = &c->list->entries[i];
        int person = e->type == DS_SANCTIONS_TYPE_INDIVIDUAL;
        for (size_t a = 0; a <= e->n_aliases; a++) {
            const char *s = norm_sorted(c, a == 0 ? e->name : e->aliases[a - 1].name, person);
            if (!s || !(c->listed[c->n_listed++] = ds_strdup(s)))
                return DS_ERR_NOMEM;
        }
    }
    qsort(c->listed, c->n_listed, sizeof *c->listed, cmp_str);
    return DS_OK;
}

/* Title case in place: the first letter of every word (after a space, hyphen or apostrophe)
 * upper case, the rest lower case (ASCII letters only). */
static void title_case(char *s)
{
    int start = 1;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (isalpha(ch) && ch < 0x80) {
            *s = (char)(start ? toupper(ch) : tolower(ch));
            start = 0;
        } else {
            start = !(ch >= 0x80 || isdigit(ch));
        }
    }
}

static void upper_case(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x80)
            *s = (char)toupper((unsigned char)*s);
}

/* Splits "LAST, Given Middle" into its parts (no comma: the whole name is `last`). */
static void split_person(const char *name, char *last, char *given)
{
    const char *comma = strchr(name, ',');
    size_t n = comma ? (size_t)(comma - name) : strlen(name);
    snprintf(last, NAME_MAX_B, "%.*s", (int)n, name);
    given[0] = 0;
    if (comma) {
        const char *g = comma + 1;
        while (*g == ' ')
            g++;
        snprintf(given, NAME_MAX_B, "%s", g);
    }
}

static size_t count_words(const char *s)
{
    size_t n = 0;
    for (int in = 0; *s; s++) {
        int w = *s != ' ';
        n += w && !in;
        in = w;
    }
    return n;
}

/* One edit (substitution, deletion, transposition or insertion) inside the word starting at w
 * (an ASCII letter run of 5+ bytes), never at its first letter. */
static void typo_in_word(rng *r, char *s, size_t w, size_t wl)
{
    size_t at = w + 1 + pick(r, wl - 1);
    char lower = (char)('a' + pick(r, 26));
    int up = isupper((unsigned char)s[at]);
    char ins = up ? (char)toupper((unsigned char)lower) : lower;
    switch (pick(r, 4)) {
    case 0: s[at] = s[at] == ins ? (char)(ins == 'a' || ins == 'A' ? ins + 1 : ins - 1) : ins; break;
    case 1: memmove(s + at, s + at + 1, strlen(s + at)); break;
    case 2:
        if (at + 1 < w + wl && s[at] != s[at + 1]) {
            char t = s[at];
            s[at] = s[at + 1];
            s[at + 1] = t;
        } else {
            memmove(s + at, s + at + 1, strlen(s + at));
        }
        break;
    default:
        if (strlen(s) + 2 < NAME_MAX_B) {
            memmove(s + at + 1, s + at, strlen(s + at) + 1);
            s[at] = ins;
        }
        break;
    }
}

/* Long letter-only words of s (5+ letters): their starts and lengths; returns how many. */
static size_t long_words(const char *s, size_t *at, size_t *len, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; s[i] && n < cap;) {
        size_t j = i;
        while (s[j] && isalpha((unsigned char)s[j]))
            j++;
        if (j - i >= 5) {
            at[n] = i;
            len[n++] = j - i;
        }
        i = j > i ? j : i + 1;
    }
    return n;
}

/* out = a + sep + b, cut to NAME_MAX_B - 1 bytes. */
static void join(char *out, const char *a, const char *sep, const char *b)
{
    size_t n = 0;
    const char *parts[3] = {a, sep, b};
    for (int k = 0; k < 3; k++)
        for (const char *p = parts[k]; *p && n + 1 < NAME_MAX_B; p++)
            out[n++] = *p;
    out[n] = 0;
}

/* The person as "Given Last" in title case (given may be empty). */
static void first_last(char *out, const char *given, const char *last)
{
    join(out, given, *given ? " " : "", last);
    title_case(out);
}

/* The organisation's name without its trailing legal form, into base; the number of words
 * removed (0: none). */
static int strip_legal(const char *name, char *base)
{
    int k = ds_name_legal_form_suffix(name, strlen(name));
    snprintf(base, NAME_MAX_B, "%s", name);
    if (k <= 0)
        return 0;
    for (int w = 0; w < k; w++) {
        size_t n = strlen(base);
        while (n > 0 && (base[n - 1] == ' ' || base[n - 1] == ',' || base[n - 1] == '.'))
            n--;
        while (n > 0 && base[n - 1] != ' ' && base[n - 1] != ',')
            n--;
        base[n] = 0;
    }
    size_t n = strlen(base);
    while (n > 0 && (base[n - 1] == ' ' || base[n - 1] == ','))
        base[--n] = 0;
    return k;
}

/* A strong alias that reads as another spelling of the primary name (a transliteration). */
static const char *spelling_alias(const ds_sanctions_entry *e, int person)
{
    for (size_t a = 0; a < e->n_aliases; a++) {
        const ds_sanctions_alias *al = &e->aliases[a];
        if (al->quality && strcmp(al->quality, "weak") == 0)
            continue;
        double s = ds_screen_score(e->name, person, al->name, person, NULL, NULL);
        if (s >= 0.75 && s < 0.999)
            return al->name;
    }
    return NULL;
}

/* Writes entry e as variation v into out; 0 when v does not apply to e. */
static int make_variation(corpus *c, const ds_sanctions_entry *e, nc_variation v, char *out)
{
    int person = e->type == DS_SANCTIONS_TYPE_INDIVIDUAL;
    char last[NAME_MAX_B], given[NAME_MAX_B], base[NAME_MAX_B];
    split_person(e->name, last, given);
    if (strlen(e->name) + 12 >= NAME_MAX_B || count_words(e->name) < 2)
        return 0;
    switch (v) {
    case NC_AS_LISTED: snprintf(out, NAME_MAX_B, "%s", e->name); return 1;
    case NC_TITLE_CASE:
    case NC_TABLE_CELL:
        if (person)
            first_last(out, given, last);
        else
            snprintf(out, NAME_MAX_B, "%s", e->name), title_case(out);
        return 1;
    case NC_REORDERED:
        if (!person || !*given)
            return 0;
        upper_case(last);
        snprintf(base, NAME_MAX_B, "%s", given);
        title_case(base);
        join(out, base, " ", last);
        return 1;
    case NC_MIDDLE_DROPPED: {
        if (!person || count_words(given) < 2)
            return 0;
        char *sp = strrchr(given, ' ');
        *sp = 0;
        first_last(out, given, last);
        return 1;
    }
    case NC_TYPO1:
    case NC_TYPO2: {
        if (person)
            first_last(out, given, last);
        else
            snprintf(out, NAME_MAX_B, "%s", e->name), title_case(out);
        size_t at[8], len[8];
        size_t n = long_words(out, at, len, 8);
        size_t need = v == NC_TYPO1 ? 1 : 2;
        if (n < need || (v == NC_TYPO2 && strlen(out) < 15))
            return 0;
        size_t first = pick(&c->r, n), second = (first + 1 + pick(&c->r, n - 1)) % n;
        if (v == NC_TYPO2 && second > first) /* edit the later word first: earlier offsets hold */
            typo_in_word(&c->r, out, at[second], len[second]);
        typo_in_word(&c->r, out, at[first], len[first]);
        if (v == NC_TYPO2 && second < first)
            typo_in_word(&c->r, out, at[second], len[second]);
        return 1;
    }
    case NC_ALIAS: {
        const char *al = spelling_alias(e, person);
        if (!al)
            return 0;
        char al_last[NAME_MAX_B], al_given[NAME_MAX_B];
        split_person(al, al_last, al_given);
        if (person)
            first_last(out, al_given, al_last);
        else
            snprintf(out, NAME_MAX_B, "%s", al);
        return count_words(out) >= 2;
    }
    case NC_ORG_NO_LEGAL:
    case NC_ORG_OTHER_LEGAL: {
        if (person || !strip_legal(e->name, base) || count_words(base) < 2)
            return 0;
        title_case(base);
        if (v == NC_ORG_NO_LEGAL) {
            snprintf(out, NAME_MAX_B, "%s", base);
            return 1;
        }
        const char *orig = e->name + strlen(base);
        for (int tries = 0; tries < 8; tries++) {
            const char *lf = LEGAL_FORMS[pick(&c->r, COUNT(LEGAL_FORMS))];
            char probe[NAME_MAX_B];
            snprintf(probe, sizeof probe, "%s", lf);
            upper_case(probe);
            if (!strstr(orig, probe)) {
                join(out, base, " ", lf);
                return 1;
            }
        }
        return 0;
    }
    default: return 0;
    }
}

static void ordinary_name(corpus *c, mention *m)
{
    do {
        const char *g = GIVEN[pick(&c->r, COUNT(GIVEN))], *s = SURNAMES[pick(&c->r, COUNT(SURNAMES))];
        m->person = pick(&c->r, 3) != 0;
        if (m->person) {
            const char *mid = GIVEN[pick(&c->r, COUNT(GIVEN))];
            char up[64];
            snprintf(up, sizeof up, "%s", s);
            upper_case(up);
            switch (pick(&c->r, 4)) {
            case 0: snprintf(m->text, NAME_MAX_B, "%s %s", g, s); break;
            case 1: snprintf(m->text, NAME_MAX_B, "%s %s %s", g, mid, s); break;
            case 2: snprintf(m->text, NAME_MAX_B, "%s, %s", up, g); break;
            default: snprintf(m->text, NAME_MAX_B, "%s %s", g, up); break;
            }
        } else {
            const char *a = COMPANY_WORDS[pick(&c->r, 25)],
                       *b = COMPANY_WORDS[25 + pick(&c->r, COUNT(COMPANY_WORDS) - 25)];
            const char *lf = LEGAL_FORMS[pick(&c->r, COUNT(LEGAL_FORMS))];
            switch (pick(&c->r, 3)) {
            case 0: snprintf(m->text, NAME_MAX_B, "%s %s %s", a, b, lf); break;
            case 1: snprintf(m->text, NAME_MAX_B, "%s %s", s, b); break;
            default: snprintf(m->text, NAME_MAX_B, "%s & %s %s", s, SURNAMES[pick(&c->r, COUNT(SURNAMES))], lf); break;
            }
        }
    } while (listed_equal(c, m->text, m->person));
    m->var = NC_ORDINARY;
    m->ext_id = 0;
}

/* Picks an unused entry the variation applies to; 0 when none is left. */
static int listed_mention(corpus *c, nc_variation v, mention *m)
{
    size_t n = c->list->n_entries;
    for (size_t tries = 0; tries < 4 * n; tries++) {
        size_t i = pick(&c->r, n);
        const ds_sanctions_entry *e = &c->list->entries[i];
        if (c->used[i] || (e->type != DS_SANCTIONS_TYPE_INDIVIDUAL && e->type != DS_SANCTIONS_TYPE_ENTITY))
            continue;
        if (!make_variation(c, e, v, m->text))
            continue;
        c->used[i] = 1;
        m->var = v;
        m->ext_id = atoll(e->ext_id);
        m->person = e->type == DS_SANCTIONS_TYPE_INDIVIDUAL;
        return 1;
    }
    return 0;
}

/* ---- documents ---------------------------------------------------------------------------- */

static const char *const MONTHS[] = {"January", "February", "March",     "April",   "May",      "June",
                                     "July",    "August",   "September", "October", "November", "December"};

/* The sentence holding m in its context. */
static void sentence(corpus *c, const mention *m, char *out, size_t cap)
{
    int day = 1 + (int)pick(&c->r, 28);
    const char *mon = MONTHS[pick(&c->r, 12)];
    int amt = 10 + (int)pick(&c->r, 990);
    switch (m->ctx) {
    case NC_CTX_PAYMENT:
        snprintf(out, cap, "On %d %s 2024 a payment of USD %d,%03d was made to %s under the services agreement.", day,
                 mon, amt, (int)pick(&c->r, 1000), m->text);
        break;
    case NC_CTX_RELATED:
        if (m->person)
            snprintf(out, cap,
                     "During the year the group paid consulting fees of $%d thousand to %s, a close "
                     "family member of a director.",
                     amt, m->text);
        else
            snprintf(out, cap,
                     "The group purchased goods for $%d thousand from %s, an entity under common "
                     "control, on normal commercial terms.",
                     amt, m->text);
        break;
    default:
        if (m->person)
            snprintf(out, cap,
                     "The board noted that %s had been appointed as an adviser to the audit committee "
                     "with effect from %d %s.",
                     m->text, day, mon);
        else
            snprintf(out, cap,
                     "The board approved the framework agreement with %s and authorised the treasurer "
                     "to sign it.",
                     m->text);
        break;
    }
}

typedef struct doc {
    mention m[3 * PER_DOC + 1];
    size_t n;
    char para[3 * PER_DOC + 1][NAME_MAX_B + 300];
    size_t n_para;
    const mention *rows[3 * PER_DOC + 1];
    size_t n_rows;
} doc;

static ds_status write_txt(const doc *d, int no, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return DS_ERR_IO;
    fprintf(f, "Compliance pack %d\n\nMinutes, notes and payment schedule\n\n", no);
    for (size_t i = 0; i < d->n_para; i++)
        fprintf(f, "%s\n\n", d->para[i]);
    fprintf(f, "Payment schedule\n\n%-12s  %-44s  %12s  %s\n", "Date", "Counterparty", "Amount", "Purpose");
    for (size_t i = 0; i < d->n_rows; i++)
        fprintf(f, "%-12s  %-44s  %12s  %s\n", "2024-06-30", d->rows[i]->text, "45,000.00", "services");
    return fclose(f) ? DS_ERR_IO : DS_OK;
}

static void html_text(FILE *f, const char *s)
{
    for (; *s; s++)
        if (*s == '&')
            fputs("&amp;", f);
        else if (*s == '<')
            fputs("&lt;", f);
        else
            fputc(*s, f);
}

static ds_status write_html(const doc *d, int no, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return DS_ERR_IO;
    fprintf(f,
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Compliance pack %d</title></head>"
            "<body>\n<h1>Compliance pack %d</h1>\n",
            no, no);
    for (size_t i = 0; i < d->n_para; i++) {
        fputs("<p>", f);
        html_text(f, d->para[i]);
        fputs("</p>\n", f);
    }
    fputs("<h2>Payment schedule</h2>\n<table>\n<tr><th>Date</th><th>Counterparty</th><th>Amount</th>"
          "<th>Purpose</th></tr>\n",
          f);
    for (size_t i = 0; i < d->n_rows; i++) {
        fputs("<tr><td>2024-06-30</td><td>", f);
        html_text(f, d->rows[i]->text);
        fputs("</td><td>45,000.00</td><td>services</td></tr>\n", f);
    }
    fputs("</table>\n</body></html>\n", f);
    return fclose(f) ? DS_ERR_IO : DS_OK;
}

typedef struct pdfw {
    cairo_t *cr;
    PangoLayout *pl;
    double y;
} pdfw;

static void pdf_text(pdfw *p, const char *font, const char *s, double x, double w)
{
    PangoFontDescription *fd = pango_font_description_from_string(font);
    pango_layout_set_font_description(p->pl, fd);
    pango_font_description_free(fd);
    pango_layout_set_width(p->pl, (int)(w * PANGO_SCALE));
    pango_layout_set_wrap(p->pl, PANGO_WRAP_WORD);
    pango_layout_set_text(p->pl, s, -1);
    cairo_move_to(p->cr, x, p->y);
    pango_cairo_show_layout(p->cr, p->pl);
}

static double pdf_height(pdfw *p)
{
    int w, h;
    pango_layout_get_size(p->pl, &w, &h);
    return (double)h / PANGO_SCALE;
}

static void pdf_need(pdfw *p, double h)
{
    if (p->y + h > 780) {
        cairo_show_page(p->cr);
        p->y = 60;
    }
}

static ds_status write_pdf(const doc *d, int no, const char *path)
{
    cairo_surface_t *surf = cairo_pdf_surface_create(path, 595.28, 841.89);
    cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATE_DATE, "2024-06-30T09:00:00Z");
    cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_MOD_DATE, "2024-06-30T09:00:00Z");
    pdfw p = {cairo_create(surf), NULL, 60};
    p.pl = pango_cairo_create_layout(p.cr);
    pango_cairo_context_set_resolution(pango_layout_get_context(p.pl), 72.0);
    pango_layout_context_changed(p.pl);
    char title[64];
    snprintf(title, sizeof title, "Compliance pack %d", no);
    pdf_text(&p, "Sans Bold 13", title, 60, 470);
    p.y += 30;
    for (size_t i = 0; i < d->n_para; i++) {
        pdf_text(&p, "Serif 10", "", 60, 470);
        pango_layout_set_text(p.pl, d->para[i], -1);
        pdf_need(&p, pdf_height(&p));
        pdf_text(&p, "Serif 10", d->para[i], 60, 470);
        p.y += pdf_height(&p) + 8;
    }
    pdf_need(&p, 60);
    pdf_text(&p, "Sans Bold 10.5", "Payment schedule", 60, 470);
    p.y += 22;
    static const char *const head[] = {"Date", "Counterparty", "Amount", "Purpose"};
    static const double col[] = {60, 130, 400, 470};
    for (size_t i = 0; i <= d->n_rows; i++) {
        pdf_need(&p, 14);
        for (int k = 0; k < 4; k++) {
            const char *s = i == 0   ? head[k]
                            : k == 0 ? "2024-06-30"
                            : k == 1 ? d->rows[i - 1]->text
                            : k == 2 ? "45,000.00"
                                     : "services";
            pdf_text(&p, i == 0 ? "Sans Bold 8" : "Sans 8", s, col[k], k == 1 ? 265 : 65);
        }
        p.y += 14;
    }
    g_object_unref(p.pl);
    cairo_destroy(p.cr);
    cairo_surface_finish(surf);
    cairo_status_t cs = cairo_surface_status(surf);
    cairo_surface_destroy(surf);
    return cs == CAIRO_STATUS_SUCCESS ? DS_OK : DS_ERR_IO;
}

/* Fills one document: PER_DOC listed mentions (from the variation cursor), 2 * PER_DOC + 1
 * ordinary names, shuffled, each in a sentence or a table row. */
static void build_doc(corpus *c, doc *d, const mention *listed, size_t n_listed)
{
    d->n = d->n_para = d->n_rows = 0;
    for (size_t i = 0; i < n_listed; i++)
        d->m[d->n++] = listed[i];
    for (size_t i = 0; i < 2 * n_listed + 1; i++)
        ordinary_name(c, &d->m[d->n++]);
    for (size_t i = d->n; i > 1; i--) {
        size_t j = pick(&c->r, i);
        mention t = d->m[i - 1];
        d->m[i - 1] = d->m[j];
        d->m[j] = t;
    }
    for (size_t i = 0; i < d->n; i++) {
        mention *m = &d->m[i];
        if (m->var == NC_TABLE_CELL || (m->var == NC_ORDINARY && pick(&c->r, 4) == 0)) {
            m->ctx = NC_CTX_TABLE;
            d->rows[d->n_rows++] = m;
        } else {
            m->ctx = (nc_context)pick(&c->r, 3);
            sentence(c, m, d->para[d->n_para], sizeof d->para[0]);
            d->n_para++;
        }
    }
}

static ds_status write_corpus(corpus *c, const char *outdir, size_t per_var)
{
    mention *all = ds_calloc(per_var * NC_ORDINARY + 1, sizeof *all);
    doc *d = ds_calloc(1, sizeof *d);
    char path[4096];
    snprintf(path, sizeof path, "%s/truth.tsv", outdir);
    FILE *truth = fopen(path, "w");
    ds_status st = all && d && truth ? DS_OK : DS_ERR_NOMEM;
    size_t n = 0;
    for (int v = 0; v < NC_ORDINARY && st == DS_OK; v++)
        for (size_t k = 0; k < per_var; k++)
            if (!listed_mention(c, (nc_variation)v, &all[n]))
                break;
            else
                n++;
    for (size_t i = n; i > 1 && st == DS_OK; i--) { /* variations spread over the documents */
        size_t j = pick(&c->r, i);
        mention t = all[i - 1];
        all[i - 1] = all[j];
        all[j] = t;
    }
    if (st == DS_OK)
        fprintf(truth, "file\tvariation\tcontext\text_id\tkind\ttext\n");
    static const char *const ext[] = {"txt", "html", "pdf"};
    for (size_t at = 0, no = 0; at < n && st == DS_OK; at += PER_DOC, no++) {
        build_doc(c, d, all + at, n - at < PER_DOC ? n - at : PER_DOC);
        char name[64];
        snprintf(name, sizeof name, "doc%04zu.%s", no, ext[no % 3]);
        snprintf(path, sizeof path, "%s/%s", outdir, name);
        st = no % 3 == 0   ? write_txt(d, (int)no, path)
             : no % 3 == 1 ? write_html(d, (int)no, path)
                           : write_pdf(d, (int)no, path);
        for (size_t i = 0; i < d->n && st == DS_OK; i++)
            fprintf(truth, "%s\t%s\t%s\t%lld\t%s\t%s\n", name, nc_variation_name(d->m[i].var),
                    nc_context_name(d->m[i].ctx), d->m[i].ext_id, d->m[i].person ? "person" : "organization",
                    d->m[i].text);
    }
    if (truth && fclose(truth) && st == DS_OK)
        st = DS_ERR_IO;
    ds_free(all);
    ds_free(d);
    return st;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s SDN_DIR OUTDIR [--per-variation N] [--seed S]\n", argv[0]);
        return 2;
    }
    size_t per_var = 150;
    uint64_t seed = 13;
    for (int i = 3; i + 1 < argc; i += 2)
        if (strcmp(argv[i], "--per-variation") == 0)
            per_var = (size_t)atol(argv[i + 1]);
        else if (strcmp(argv[i], "--seed") == 0)
            seed = strtoull(argv[i + 1], NULL, 10);
    ds_err err = {0};
    ds_sanctions_list *list = NULL;
    corpus c = {0};
    c.r.s = seed;
    ds_name_norm_init(&c.norm);
    mkdir(argv[2], 0777);
    ds_status st = nc_sdn_list(argv[1], &list, &err);
    if (st == DS_OK) {
        c.list = list;
        c.used = ds_calloc(list->n_entries, 1);
        st = c.used ? collect_listed(&c) : DS_ERR_NOMEM;
    }
    if (st == DS_OK)
        st = write_corpus(&c, argv[2], per_var);
    if (st != DS_OK)
        fprintf(stderr, "ds_gen_name_corpus: %s %s\n", ds_status_str(st), err.msg);
    for (size_t i = 0; i < c.n_listed; i++)
        ds_free(c.listed[i]);
    ds_free(c.listed);
    ds_free(c.used);
    ds_name_norm_deinit(&c.norm);
    ds_sanctions_list_free(list);
    pango_cairo_font_map_set_default(NULL);
    cairo_debug_reset_static_data();
    FcFini();
    return st == DS_OK ? 0 : 1;
}
