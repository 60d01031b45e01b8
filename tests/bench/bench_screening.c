/* bench_screening.c - sanctions screening on a labelled set built from the real OFAC SDN list
 * (../shared/data/ofac_sdn_csv, the 2021 list: 8,976 entries). Screened names are what the
 * pipeline screens: primary names and strong aliases (weak aliases are not screened).
 *
 * Positives: listed names with one typical variation each, drawn with a seeded generator:
 *   typo      one letter inserted, deleted, substituted, or two swapped (names of 6+ letters)
 *   reorder   the words in another order (OFAC's "LAST, First" written "First Last", or shuffled)
 *   middle    a middle name dropped (persons with 3+ names)
 *   translit  a transliteration variant (Mohammed/Muhammad, Dmitriy/Dmitry, kh/h, ou/u, ...)
 *             or the name written in Cyrillic (persons with a Slavic-looking name)
 *   legal     the legal form changed, added or dropped ("Ltd" -> "Limited", "LLC", ...)
 *   case      case and punctuation changed
 * A positive is found when its own entry is among the hits scoring >= the threshold.
 * Negatives: ordinary person names (common first names and surnames of many languages) and
 * company names (common words, an industry, a legal form); a negative that is on the list (its
 * words those of a listed name, in any order, middle names possibly dropped) is drawn again and
 * counted. A negative with any hit is a false positive.
 *
 * Prints recall, false-positive rate and names per second (one thread) for the index
 * (ds_screen_match) against the baseline of scoring every listed name with the same scorer
 * (ds_screen_match_all) in the same run, and the same with the UN and EU lists added.
 * Options: --positives N --negatives N --baseline N --seed S --threshold X --examples N.
 * Never fails on a figure; exits 0 (and says so) when the data is absent. */
#include "testlib.h"

#include "extract/screening/names.h"
#include "extract/screening/sanctions.h"
#include "extract/screening/screen.h"
#include "pipeline/config.h"
#include "pipeline/core/buf.h"

#include <ctype.h>
#include <stdint.h>
#include <time.h>

/* ---- generator --------------------------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    /* splitmix64 */
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static size_t pick(size_t n)
{
    return (size_t)(rnd() % n);
}

#define ARRAY_N(a) (sizeof(a) / sizeof((a)[0]))

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* ---- the listed names -------------------------------------------------------------------- */

typedef struct lname {
    long long entry;
    const char *name;
    ds_sanctions_type type;
} lname;

typedef struct names {
    lname *v;
    size_t n, cap;
} names;

static void names_push(names *ns, long long entry, const char *name, ds_sanctions_type type)
{
    if (ns->n == ns->cap) {
        ns->cap = ns->cap ? ns->cap * 2 : 1024;
        ns->v = realloc(ns->v, ns->cap * sizeof *ns->v);
    }
    ns->v[ns->n++] = (lname){entry, name, type};
}

/* Adds a parsed list's screened names (primary and non-weak aliases) to the index and to ns.
 * Entry ids are the list's ids plus offset (so lists do not collide). */
static size_t add_list(ds_screen_index *idx, names *ns, const ds_sanctions_list *l, long long list_id, long long offset,
                       const char *version, size_t *weak)
{
    size_t added = 0;
    for (size_t i = 0; i < l->n_entries; i++) {
        const ds_sanctions_entry *e = &l->entries[i];
        long long id = offset + atoll(e->ext_id);
        int person = e->type == DS_SANCTIONS_TYPE_INDIVIDUAL;
        ds_screen_index_add(idx, id, list_id, version, e->name, 0, person);
        names_push(ns, id, e->name, e->type);
        added++;
        for (size_t a = 0; a < e->n_aliases; a++) {
            if (e->aliases[a].quality && strcmp(e->aliases[a].quality, "weak") == 0) {
                (*weak)++;
                continue;
            }
            ds_screen_index_add(idx, id, list_id, version, e->aliases[a].name, 1, person);
            names_push(ns, id, e->aliases[a].name, e->type);
            added++;
        }
    }
    return added;
}

static ds_sanctions_list *parse_file(const char *path)
{
    ds_buf b = DS_BUF_INIT;
    ds_err err;
    ds_sanctions_list *l = NULL;
    if (ds_buf_read_file(&b, path, 0, &err) || ds_sanctions_parse(b.data, b.len, path, &l, &err)) {
        fprintf(stderr, "bench_screening: %s\n", err.msg);
        l = NULL;
    }
    ds_buf_deinit(&b);
    return l;
}

static ds_sanctions_list *parse_ofac(const char *dir)
{
    static const char *const files[4] = {"sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"};
    ds_buf b[4];
    char p[4][4200];
    ds_err err;
    for (int k = 0; k < 4; k++) {
        ds_buf_init(&b[k]);
        snprintf(p[k], sizeof p[k], "%s/%s", dir, files[k]);
        ds_buf_read_file(&b[k], p[k], 0, &err);
    }
    ds_sanctions_csv_files f = {b[0].data, b[1].data, b[2].data, b[3].data, b[0].len, b[1].len,
                                b[2].len,  b[3].len,  p[0],      p[1],      p[2],     p[3]};
    ds_sanctions_list *l = NULL;
    if (ds_sanctions_parse_ofac_csv(&f, &l, &err)) {
        fprintf(stderr, "bench_screening: %s\n", err.msg);
        l = NULL;
    }
    for (int k = 0; k < 4; k++)
        ds_buf_deinit(&b[k]);
    return l;
}

/* ---- words of a raw name ----------------------------------------------------------------- */

typedef struct words {
    char w[40][64];
    size_t n;
} words;

/* Splits on spaces and commas; with natural, "LAST, First" becomes First ... LAST. */
static void split_words(const char *name, int natural, words *out)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", name);
    char *comma = strchr(buf, ',');
    int one_comma = comma && !strchr(comma + 1, ',');
    out->n = 0;
    char *parts[2] = {buf, NULL};
    if (natural && one_comma) {
        *comma = '\0';
        parts[0] = comma + 1;
        parts[1] = buf;
    }
    for (int p = 0; p < 2 && parts[p]; p++) {
        char *save = NULL;
        for (char *t = strtok_r(parts[p], " ,", &save); t && out->n < 40; t = strtok_r(NULL, " ,", &save))
            snprintf(out->w[out->n++], 64, "%s", t);
    }
}

static void join_words(const words *w, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < w->n && o + 1 < cap; i++)
        o += (size_t)snprintf(out + o, cap - o, "%s%s", i ? " " : "", w->w[i]);
}

/* ---- variations -------------------------------------------------------------------------- */

enum { V_TYPO, V_REORDER, V_MIDDLE, V_TRANSLIT, V_LEGAL, V_CASE, V_COUNT };
static const char *const vnames[V_COUNT] = {"typo", "reorder", "middle", "translit", "legal", "case"};

static int var_typo(const char *name, char *out, size_t cap)
{
    size_t n = strlen(name), letters = 0;
    for (size_t i = 0; i < n; i++)
        letters += isalpha((unsigned char)name[i]) != 0;
    if (letters < 6 || n + 2 > cap)
        return 0;
    size_t pos;
    do
        pos = pick(n);
    while (!isalpha((unsigned char)name[pos]));
    char c = (char)('A' + pick(26));
    memcpy(out, name, n + 1);
    switch (pick(4)) {
    case 0: /* substitution */
        if (toupper((unsigned char)name[pos]) == c)
            c = c == 'Z' ? 'A' : (char)(c + 1);
        out[pos] = c;
        break;
    case 1: /* deletion */ memmove(out + pos, out + pos + 1, n - pos); break;
    case 2: /* insertion */
        memmove(out + pos + 1, out + pos, n - pos + 1);
        out[pos] = c;
        break;
    default: /* transposition with the next letter */
        if (pos + 1 >= n || !isalpha((unsigned char)name[pos + 1]) || name[pos] == name[pos + 1])
            return 0;
        out[pos] = name[pos + 1];
        out[pos + 1] = name[pos];
        break;
    }
    return 1;
}

/* The words the normaliser keeps (no titles, no legal forms, "LAST, First" turned round),
 * capitalised: what reordering and dropping middle names work on, so that they move and drop
 * names rather than titles or parts of a legal form. */
static void name_words(const char *name, ds_sanctions_type type, words *w)
{
    ds_name_norm nn;
    ds_name_norm_init(&nn);
    ds_name_normalize(&nn, name, (size_t)-1,
                      type == DS_SANCTIONS_TYPE_INDIVIDUAL ? DS_NAME_KIND_PERSON : DS_NAME_KIND_ORG);
    split_words(nn.ordered.data ? nn.ordered.data : "", 0, w);
    ds_name_norm_deinit(&nn);
    for (size_t i = 0; i < w->n; i++)
        w->w[i][0] = (char)toupper((unsigned char)w->w[i][0]);
}

static int var_reorder(const char *name, ds_sanctions_type type, char *out, size_t cap)
{
    words w;
    name_words(name, type, &w);
    if (w.n < 2)
        return 0;
    words o = w;
    int same = 1;
    for (int tries = 0; tries < 8 && same; tries++) {
        for (size_t i = w.n - 1; i > 0; i--) {
            size_t j = pick(i + 1);
            char t[64];
            memcpy(t, w.w[i], 64);
            memcpy(w.w[i], w.w[j], 64);
            memcpy(w.w[j], t, 64);
        }
        same = 1;
        for (size_t i = 0; i < w.n; i++)
            same &= strcmp(w.w[i], o.w[i]) == 0;
    }
    join_words(&w, out, cap);
    return !same;
}

static int var_middle(const char *name, ds_sanctions_type type, char *out, size_t cap)
{
    if (type != DS_SANCTIONS_TYPE_INDIVIDUAL)
        return 0;
    words w;
    name_words(name, type, &w);
    if (w.n < 3)
        return 0;
    size_t d = 1 + pick(w.n - 2);
    memmove(w.w[d], w.w[d + 1], (w.n - d - 1) * sizeof w.w[0]);
    w.n--;
    join_words(&w, out, cap);
    return 1;
}

/* Spelling variants seen across transliteration systems (lower case, applied once). */
static const char *const translit_rules[][2] = {
    {"mohammed", "muhammad"},
    {"mohammad", "muhammad"},
    {"muhammad", "mohammed"},
    {"mohamed", "mohammad"},
    {"ahmed", "ahmad"},
    {"ahmad", "ahmed"},
    {"yusuf", "yousef"},
    {"yousef", "yusuf"},
    {"abdul", "abdel"},
    {"abdel", "abdul"},
    {"omar", "umar"},
    {"umar", "omar"},
    {"osama", "usama"},
    {"usama", "osama"},
    {"hassan", "hasan"},
    {"hasan", "hassan"},
    {"mahmoud", "mahmud"},
    {"mahmud", "mahmoud"},
    {"mustafa", "mustapha"},
    {"ibrahim", "ebrahim"},
    {"khalid", "khaled"},
    {"khaled", "khalid"},
    {"said", "saeed"},
    {"saeed", "said"},
    {"sergey", "sergei"},
    {"sergei", "sergey"},
    {"yuri", "yury"},
    {"yury", "yuri"},
    {"dmitry", "dmitriy"},
    {"dmitriy", "dmitry"},
    {"alexander", "aleksandr"},
    {"aleksandr", "alexander"},
    {"evgeny", "yevgeny"},
    {"yevgeniy", "evgeny"},
    {"iy", "y"},
    {"ii", "iy"},
    {"yevich", "ievich"},
    {"ievich", "yevich"},
    {"kh", "h"},
    {"ks", "x"},
    {"ph", "f"},
    {"ou", "u"},
    {"oo", "u"},
    {"ee", "i"},
    {"ts", "tz"},
    {"sch", "sh"},
    {"w", "v"},
    {"q", "k"},
    {"ei", "ey"},
    {"ai", "ay"},
    {"ay", "ai"},
    {"j", "dj"},
};

/* Latin to Cyrillic, longest first (Russian conventions). */
static const char *const to_cyr[][2] = {
    {"shch", "щ"}, {"zh", "ж"},  {"kh", "х"}, {"ts", "ц"}, {"ch", "ч"}, {"sh", "ш"}, {"yu", "ю"}, {"ya", "я"},
    {"yo", "ё"},   {"iy", "ий"}, {"a", "а"},  {"b", "б"},  {"v", "в"},  {"g", "г"},  {"d", "д"},  {"e", "е"},
    {"z", "з"},    {"i", "и"},   {"y", "ы"},  {"k", "к"},  {"l", "л"},  {"m", "м"},  {"n", "н"},  {"o", "о"},
    {"p", "п"},    {"r", "р"},   {"s", "с"},  {"t", "т"},  {"u", "у"},  {"f", "ф"},  {"h", "х"},  {"c", "к"},
    {"j", "й"},    {"q", "к"},   {"w", "в"},  {"x", "кс"},
};

static int slavic(const char *w)
{
    static const char *const ends[] = {"ov",   "ev",   "ova", "eva", "sky", "skiy", "skaya", "enko",
                                       "chuk", "vich", "vna", "yev", "iev", "yeva", "ieva"};
    size_t n = strlen(w);
    for (size_t i = 0; i < ARRAY_N(ends); i++) {
        size_t e = strlen(ends[i]);
        if (n > e + 2 && strcasecmp(w + n - e, ends[i]) == 0)
            return 1;
    }
    return 0;
}

static int var_translit(const char *name, ds_sanctions_type type, char *out, size_t cap)
{
    if (type != DS_SANCTIONS_TYPE_INDIVIDUAL)
        return 0; /* company names are mostly translated, not transliterated */
    char low[1024];
    snprintf(low, sizeof low, "%s", name);
    for (char *p = low; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    words w;
    split_words(low, 1, &w);
    int is_slavic = 0;
    for (size_t i = 0; i < w.n; i++)
        is_slavic |= slavic(w.w[i]);
    if (is_slavic && pick(2) == 0) {
        /* Written in Cyrillic, in natural order. */
        char nat[1024];
        join_words(&w, nat, sizeof nat);
        size_t o = 0;
        for (const char *p = nat; *p && o + 8 < cap;) {
            size_t r = 0;
            while (r < ARRAY_N(to_cyr) && strncmp(p, to_cyr[r][0], strlen(to_cyr[r][0])) != 0)
                r++;
            if (r < ARRAY_N(to_cyr)) {
                o += (size_t)snprintf(out + o, cap - o, "%s", to_cyr[r][1]);
                p += strlen(to_cyr[r][0]);
            } else {
                out[o++] = *p++;
                out[o] = '\0';
            }
        }
        return 1;
    }
    /* A spelling rule at a random place where one applies. */
    size_t sites[256][2], ns = 0;
    for (size_t r = 0; r < ARRAY_N(translit_rules); r++)
        for (const char *p = low; (p = strstr(p, translit_rules[r][0])) != NULL && ns < 256; p++)
            sites[ns][0] = r, sites[ns][1] = (size_t)(p - low), ns++;
    if (ns == 0)
        return 0;
    size_t s = pick(ns);
    const char *from = translit_rules[sites[s][0]][0], *to = translit_rules[sites[s][0]][1];
    snprintf(out, cap, "%.*s%s%s", (int)sites[s][1], low, to, low + sites[s][1] + strlen(from));
    return 1;
}

static const char *const forms[] = {"Ltd",         "Limited",      "LLC",    "Inc.",  "Corp.",
                                    "Co., Ltd.",   "GmbH",         "S.A.",   "PLC",   "Company",
                                    "Corporation", "Holdings Ltd", "L.L.C.", "Group", "S.A. de C.V."};

static int var_legal(const char *name, ds_sanctions_type type, char *out, size_t cap)
{
    if (type != DS_SANCTIONS_TYPE_ENTITY)
        return 0;
    words w;
    split_words(name, 0, &w);
    /* The longest tail of words that is all legal form. */
    size_t tail = 0;
    for (size_t k = 1; k < w.n && k <= 5; k++) {
        char t[512] = "";
        words tw = {.n = 0};
        for (size_t i = w.n - k; i < w.n; i++)
            memcpy(tw.w[tw.n++], w.w[i], 64);
        join_words(&tw, t, sizeof t);
        ds_buf f = DS_BUF_INIT;
        ds_name_fold(&f, t, (size_t)-1);
        size_t ntok = 0;
        for (size_t i = 0; f.data && i < f.len; i++)
            ntok += (i == 0 || f.data[i - 1] == ' ') && f.data[i] != ' ';
        ds_buf_deinit(&f);
        if (ntok > 0 && (size_t)ds_name_legal_form_suffix(t, (size_t)-1) == ntok)
            tail = k;
    }
    words base = w;
    base.n = w.n - tail;
    char b[900];
    join_words(&base, b, sizeof b);
    if (tail > 0 && pick(4) == 0) {
        snprintf(out, cap, "%s", b); /* dropped */
    } else {
        snprintf(out, cap, "%s %s", b, forms[pick(ARRAY_N(forms))]);
    }
    return strcmp(out, name) != 0;
}

static int var_case(const char *name, char *out, size_t cap)
{
    size_t o = 0;
    int mode = (int)pick(3), punct = (int)pick(3), start = 1;
    for (const char *p = name; *p && o + 2 < cap; p++) {
        char c = *p;
        if (strchr(".,'-/()\"", c)) {
            if (punct == 0)
                continue; /* removed */
            if (punct == 1) {
                if (o && out[o - 1] != ' ')
                    out[o++] = ' '; /* a space instead */
                start = 1;
                continue;
            }
        }
        if (isalpha((unsigned char)c)) {
            c = mode == 0 ? (char)tolower((unsigned char)c) : mode == 1 && !start ? (char)tolower((unsigned char)c) : c;
            start = 0;
        } else {
            start = 1;
        }
        out[o++] = c;
    }
    out[o] = '\0';
    if (punct == 2 && o + 2 < cap)
        strcat(out, ".");
    return strcmp(out, name) != 0;
}

static int make_variant(const lname *ln, int v, char *out, size_t cap)
{
    switch (v) {
    case V_TYPO: return var_typo(ln->name, out, cap);
    case V_REORDER: return var_reorder(ln->name, ln->type, out, cap);
    case V_MIDDLE: return var_middle(ln->name, ln->type, out, cap);
    case V_TRANSLIT: return var_translit(ln->name, ln->type, out, cap);
    case V_LEGAL: return var_legal(ln->name, ln->type, out, cap);
    default: return var_case(ln->name, out, cap);
    }
}

/* ---- negatives --------------------------------------------------------------------------- */

static const char *const first_names[] = {
    "James",     "Mary",    "John",        "Patricia", "Robert",    "Jennifer", "Michael", "Linda",     "William",
    "Elizabeth", "David",   "Barbara",     "Richard",  "Susan",     "Joseph",   "Jessica", "Thomas",    "Sarah",
    "Charles",   "Karen",   "Christopher", "Nancy",    "Daniel",    "Lisa",     "Matthew", "Betty",     "Anthony",
    "Margaret",  "Mark",    "Sandra",      "Paul",     "Emily",     "Steven",   "Laura",   "Andrew",    "Michelle",
    "Kevin",     "Rebecca", "Brian",       "Emma",     "George",    "Olivia",   "Peter",   "Sophie",    "Hannah",
    "Lucas",     "Jose",    "Maria",       "Juan",     "Carmen",    "Luis",     "Ana",     "Carlos",    "Lucia",
    "Javier",    "Elena",   "Miguel",      "Isabel",   "Pedro",     "Sofia",    "Diego",   "Valentina", "Hans",
    "Anna",      "Klaus",   "Ursula",      "Stefan",   "Katrin",    "Jurgen",   "Monika",  "Pierre",    "Marie",
    "Jean",      "Camille", "Francois",    "Claire",   "Luc",       "Chloe",    "Marco",   "Giulia",    "Giuseppe",
    "Francesca", "Luca",    "Chiara",      "Ivan",     "Olga",      "Sergei",   "Natalia", "Alexei",    "Tatiana",
    "Mikhail",   "Irina",   "Andrei",      "Svetlana", "Wei",       "Li",       "Jun",     "Mei",       "Hiroshi",
    "Yuki",      "Takeshi", "Sakura",      "Min-jun",  "Ji-woo",    "Raj",      "Priya",   "Amit",      "Sunita",
    "Arjun",     "Lakshmi", "Mohammed",    "Fatima",   "Ahmed",     "Aisha",    "Ali",     "Omar",      "Layla",
    "Hassan",    "Zainab",  "Mustafa",     "Mehmet",   "Ayse",      "Emre",     "Elif",    "Kwame",     "Amara",
    "Chinedu",   "Ngozi",   "Tiago",       "Beatriz",  "Joao",      "Mariana",  "Lars",    "Ingrid",    "Sven",
    "Astrid",    "Piotr",   "Agnieszka",   "Tomasz",   "Katarzyna", "Dimitris", "Eleni",   "Nikos",     "Sean",
    "Siobhan",   "Liam"};

static const char *const surnames[] = {
    "Smith",    "Johnson",  "Williams",  "Brown",      "Jones",        "Miller",    "Davis",   "Wilson",    "Anderson",
    "Taylor",   "Moore",    "Jackson",   "Martin",     "Thompson",     "White",     "Harris",  "Clark",     "Lewis",
    "Robinson", "Walker",   "Young",     "Allen",      "King",         "Wright",    "Scott",   "Hill",      "Green",
    "Adams",    "Baker",    "Nelson",    "Carter",     "Mitchell",     "Roberts",   "Turner",  "Phillips",  "Campbell",
    "Parker",   "Evans",    "Edwards",   "Collins",    "Stewart",      "Morris",    "Murphy",  "Cook",      "Rogers",
    "Garcia",   "Martinez", "Rodriguez", "Lopez",      "Hernandez",    "Gonzalez",  "Perez",   "Sanchez",   "Ramirez",
    "Torres",   "Flores",   "Rivera",    "Gomez",      "Diaz",         "Fernandez", "Moreno",  "Jimenez",   "Ruiz",
    "Alvarez",  "Romero",   "Muller",    "Schmidt",    "Schneider",    "Fischer",   "Weber",   "Meyer",     "Wagner",
    "Becker",   "Schulz",   "Hoffmann",  "Dubois",     "Lefebvre",     "Moreau",    "Laurent", "Simon",     "Michel",
    "Leroy",    "Rossi",    "Russo",     "Ferrari",    "Esposito",     "Bianchi",   "Romano",  "Colombo",   "Ricci",
    "Ivanov",   "Smirnov",  "Kuznetsov", "Popov",      "Vasiliev",     "Petrov",    "Sokolov", "Mikhailov", "Novikov",
    "Fedorov",  "Wang",     "Zhang",     "Liu",        "Chen",         "Yang",      "Huang",   "Zhao",      "Wu",
    "Zhou",     "Sato",     "Suzuki",    "Takahashi",  "Tanaka",       "Watanabe",  "Kim",     "Lee",       "Park",
    "Choi",     "Sharma",   "Patel",     "Singh",      "Kumar",        "Gupta",     "Reddy",   "Khan",      "Hussain",
    "Rahman",   "Haddad",   "Mansour",   "Nasser",     "Yilmaz",       "Kaya",      "Demir",   "Sahin",     "Okafor",
    "Mensah",   "Silva",    "Santos",    "Oliveira",   "Souza",        "Pereira",   "Nielsen", "Hansen",    "Johansson",
    "Larsen",   "Nowak",    "Kowalski",  "Wisniewski", "Papadopoulos", "Murphy",    "Kelly",   "OBrien",    "Walsh",
    "Byrne"};

static const char *const co_words[] = {
    "Northern", "Southern", "Eastern",  "Western",    "Blue",     "Green",    "Red",     "Silver",    "Golden",
    "River",    "Lake",     "Mountain", "Summit",     "Pacific",  "Atlantic", "Coastal", "Prairie",   "Valley",
    "Harbor",   "Bridge",   "Crown",    "Eagle",      "Falcon",   "Oak",      "Maple",   "Cedar",     "Pine",
    "Stone",    "Iron",     "Bright",   "Clear",      "Swift",    "Prime",    "Apex",    "Pioneer",   "Heritage",
    "Liberty",  "Unity",    "Keystone", "Horizon",    "Meridian", "Sterling", "Granite", "Willow",    "Aurora",
    "Beacon",   "Compass",  "Anchor",   "Lighthouse", "Orchard",  "Meadow",   "Sunrise", "Riverside", "Hillside",
    "Lakeside", "Parkway",  "Central",  "National",   "United",   "First",    "Premier", "Advanced",  "Modern",
    "Smart",    "Digital",  "Creative", "Precision",  "Dynamic",  "Reliable", "Quality", "Superior"};

static const char *const co_trades[] = {
    "Logistics",   "Foods",        "Software",  "Capital",     "Textiles", "Pharma",      "Construction", "Energy",
    "Dental",      "Consulting",   "Media",     "Furniture",   "Bakery",   "Motors",      "Plastics",     "Chemicals",
    "Engineering", "Insurance",    "Realty",    "Partners",    "Systems",  "Solutions",   "Analytics",    "Labs",
    "Brewing",     "Apparel",      "Printing",  "Packaging",   "Robotics", "Hospitality", "Healthcare",   "Electronics",
    "Design",      "Farms",        "Dairy",     "Landscaping", "Plumbing", "Roofing",     "Marketing",    "Studios",
    "Outfitters",  "Pet Supplies", "Auto Parts"};

static const char *const co_forms[] = {"Ltd",   "LLC", "Inc.", "GmbH", "S.A.",   "plc",     "Limited",
                                       "Corp.", "Co.", "B.V.", "AG",   "S.r.l.", "Pty Ltd", ""};

static void make_negative(char *out, size_t cap, int *is_person)
{
    if (pick(2) == 0) {
        *is_person = 1;
        const char *f = first_names[pick(ARRAY_N(first_names))];
        const char *s = surnames[pick(ARRAY_N(surnames))];
        if (pick(10) < 3) {
            const char *m = first_names[pick(ARRAY_N(first_names))];
            snprintf(out, cap, "%s %s %s", f, m, s);
        } else {
            snprintf(out, cap, "%s %s", f, s);
        }
    } else {
        *is_person = 0;
        const char *w1 = co_words[pick(ARRAY_N(co_words))];
        const char *t = co_trades[pick(ARRAY_N(co_trades))];
        const char *f = co_forms[pick(ARRAY_N(co_forms))];
        if (pick(3) == 0) {
            const char *w2 = co_words[pick(ARRAY_N(co_words))];
            snprintf(out, cap, "%s %s %s %s", w1, w2, t, f);
        } else {
            snprintf(out, cap, "%s %s %s", w1, t, f);
        }
        size_t n = strlen(out);
        while (n && out[n - 1] == ' ')
            out[--n] = '\0';
    }
}

/* Whether a negative is on the list: its normalised words are those of a listed name, in any
 * order, with middle names of a person possibly dropped (the positives' own variations).
 * Listed names are looked up through their words. */
typedef struct tokref {
    const char *tok;
    uint32_t name;
} tokref;

typedef struct normed {
    char (*tok)[32][64]; /* per listed name: normalised words in order */
    int *ntok;
    tokref *refs;
    size_t n, nrefs;
} normed;

static int tokens_of(const char *s, char t[][64], int cap)
{
    int n = 0;
    const char *p = s;
    while (*p && n < cap) {
        while (*p == ' ')
            p++;
        const char *e = p;
        while (*e && *e != ' ')
            e++;
        if (e > p)
            snprintf(t[n++], 64, "%.*s", (int)(e - p), p);
        p = e;
    }
    return n;
}

static int tokref_cmp(const void *a, const void *b)
{
    return strcmp(((const tokref *)a)->tok, ((const tokref *)b)->tok);
}

static void normed_build(normed *nl, const names *ns)
{
    nl->n = ns->n;
    nl->tok = calloc(ns->n, sizeof *nl->tok);
    nl->ntok = calloc(ns->n, sizeof *nl->ntok);
    nl->refs = NULL;
    nl->nrefs = 0;
    size_t cap = 0;
    for (size_t i = 0; i < ns->n; i++) {
        ds_name_norm nn;
        ds_name_norm_init(&nn);
        ds_name_normalize(&nn, ns->v[i].name, (size_t)-1,
                          ns->v[i].type == DS_SANCTIONS_TYPE_INDIVIDUAL ? DS_NAME_KIND_PERSON : DS_NAME_KIND_ORG);
        nl->ntok[i] = tokens_of(nn.ordered.data ? nn.ordered.data : "", nl->tok[i], 32);
        ds_name_norm_deinit(&nn);
        for (int t = 0; t < nl->ntok[i]; t++) {
            if (nl->nrefs == cap) {
                cap = cap ? cap * 2 : 4096;
                nl->refs = realloc(nl->refs, cap * sizeof *nl->refs);
            }
            nl->refs[nl->nrefs++] = (tokref){nl->tok[i][t], (uint32_t)i};
        }
    }
    qsort(nl->refs, nl->nrefs, sizeof *nl->refs, tokref_cmp);
}

static void normed_free(normed *nl)
{
    free(nl->tok);
    free(nl->ntok);
    free(nl->refs);
}

static int on_list(const normed *nl, const names *ns, const char *neg, int is_person)
{
    ds_name_norm q;
    ds_name_norm_init(&q);
    ds_name_normalize(&q, neg, (size_t)-1, is_person ? DS_NAME_KIND_PERSON : DS_NAME_KIND_ORG);
    char qt[32][64];
    int nq = tokens_of(q.ordered.data ? q.ordered.data : "", qt, 32);
    ds_name_norm_deinit(&q);
    if (nq == 0)
        return 1;
    /* Names holding the query's first word. */
    size_t lo = 0, hi = nl->nrefs;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(nl->refs[mid].tok, qt[0]) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t r = lo; r < nl->nrefs && strcmp(nl->refs[r].tok, qt[0]) == 0; r++) {
        size_t i = nl->refs[r].name;
        int nt = nl->ntok[i];
        if (nt < nq)
            continue;
        int used[32] = {0}, all = 1;
        for (int a = 0; a < nq && all; a++) {
            int f = 0;
            for (int b = 0; b < nt && !f; b++)
                if (!used[b] && strcmp(qt[a], nl->tok[i][b]) == 0)
                    used[b] = f = 1;
            all = f;
        }
        if (!all)
            continue;
        if (nt == nq)
            return 1; /* the same words */
        if (ns->v[i].type == DS_SANCTIONS_TYPE_INDIVIDUAL && used[0] && used[nt - 1])
            return 1; /* a listed person with middle names dropped */
    }
    return 0;
}

/* ---- the run ----------------------------------------------------------------------------- */

typedef struct query {
    char text[1024];
    const char *source; /* the listed name it was made from; NULL for a negative */
    long long entry;    /* 0 for a negative */
    int variation;      /* -1 for a negative */
    int is_person;
} query;

typedef struct result {
    double recall, fpr, rate;
    size_t found, pos, fp, neg;
} result;

static result run(const ds_screen_index *idx, const query *qs, size_t n, double threshold, int brute, int *found_out)
{
    result r = {0};
    ds_screen_hit hits[64];
    double t0 = now();
    for (size_t i = 0; i < n; i++) {
        size_t h = brute ? ds_screen_match_all(idx, qs[i].text, -1, threshold, hits, 64)
                         : ds_screen_match(idx, qs[i].text, -1, threshold, hits, 64);
        int found = 0;
        if (qs[i].entry) {
            for (size_t k = 0; k < h; k++)
                found |= hits[k].entry_id == qs[i].entry;
            r.pos++;
            r.found += (size_t)found;
        } else {
            r.neg++;
            found = h > 0;
            r.fp += (size_t)found;
        }
        if (found_out)
            found_out[i] = found;
    }
    double dt = now() - t0;
    r.rate = dt > 0 ? (double)n / dt : 0;
    r.recall = r.pos ? (double)r.found / (double)r.pos : 0;
    r.fpr = r.neg ? (double)r.fp / (double)r.neg : 0;
    return r;
}

static void build_queries(const names *ns, const normed *nl, size_t npos, size_t nneg, query *qs, size_t *vcount,
                          size_t *redrawn)
{
    size_t n = 0;
    while (n < npos) {
        const lname *ln = &ns->v[pick(ns->n)];
        int v = (int)pick(V_COUNT);
        query *q = &qs[n];
        if (!make_variant(ln, v, q->text, sizeof q->text) || strcmp(q->text, ln->name) == 0)
            continue;
        q->entry = ln->entry;
        q->source = ln->name;
        q->variation = v;
        q->is_person = ln->type == DS_SANCTIONS_TYPE_INDIVIDUAL;
        vcount[v]++;
        n++;
    }
    *redrawn = 0;
    while (n < npos + nneg) {
        query *q = &qs[n];
        make_negative(q->text, sizeof q->text, &q->is_person);
        if (on_list(nl, ns, q->text, q->is_person)) {
            (*redrawn)++;
            continue;
        }
        q->entry = 0;
        q->source = NULL;
        q->variation = -1;
        n++;
    }
}

int main(int argc, char **argv)
{
    size_t npos = 5000, nneg = 10000, nbase = 300, examples = 10;
    uint64_t seed = 20240501;
    ds_config cfg;
    ds_config_init(&cfg);
    double threshold = cfg.screen_threshold;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--positives") == 0)
            npos = strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--negatives") == 0)
            nneg = strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--baseline") == 0)
            nbase = strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--seed") == 0)
            seed = strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--threshold") == 0)
            threshold = strtod(argv[i + 1], NULL);
        else if (strcmp(argv[i], "--examples") == 0)
            examples = strtoul(argv[i + 1], NULL, 10);
    }
    ds_config_deinit(&cfg);
    const char *dir = ds_test_shared("data/ofac_sdn_csv");
    if (!dir) {
        printf("bench_screening: ../shared/data/ofac_sdn_csv absent, nothing to measure\n");
        return 0;
    }
    char ofac_dir[4096];
    snprintf(ofac_dir, sizeof ofac_dir, "%s", dir);
    ds_sanctions_list *ofac = parse_ofac(ofac_dir);
    if (!ofac)
        return 0;
    rng_state = seed;

    /* The SDN list alone. */
    ds_err err;
    ds_screen_index *idx;
    DS_REQUIRE(ds_screen_index_create(&idx, &err) == DS_OK);
    names ns = {0};
    size_t weak = 0;
    double t0 = now();
    size_t indexed = add_list(idx, &ns, ofac, 1, 0, "ofac-2021", &weak);
    ds_screen_index_build(idx, &err);
    double build_s = now() - t0;
    normed nl;
    normed_build(&nl, &ns);
    query *qs = calloc(npos + nneg, sizeof *qs);
    size_t vcount[V_COUNT] = {0}, redrawn = 0;
    build_queries(&ns, &nl, npos, nneg, qs, vcount, &redrawn);

    printf("screening benchmark: seed %llu, threshold %.2f (screening.threshold), queries screened as kind unknown\n",
           (unsigned long long)seed, threshold);
    printf("list: OFAC SDN CSV (2021), %zu entries; %zu names screened (primary names and strong aliases; %zu weak "
           "aliases not screened); index built in %.3f s\n",
           ofac->n_entries, indexed, weak, build_s);
    printf("positives: %zu (", npos);
    for (int v = 0; v < V_COUNT; v++)
        printf("%s%s %zu", v ? ", " : "", vnames[v], vcount[v]);
    printf(")\nnegatives: %zu ordinary person and company names (%zu drawn again because they were on the list)\n\n",
           nneg, redrawn);

    int *found = calloc(npos + nneg, sizeof *found);
    result ri = run(idx, qs, npos + nneg, threshold, 0, found);
    /* The baseline on a sample of the same queries (positives and negatives alike). */
    size_t nb = nbase < npos + nneg ? nbase : npos + nneg;
    query *sample = calloc(nb ? nb : 1, sizeof *sample);
    for (size_t i = 0; i < nb; i++)
        sample[i] = qs[(i * (npos + nneg)) / nb];
    int *fb = calloc(nb ? nb : 1, sizeof *fb), *fi = calloc(nb ? nb : 1, sizeof *fi);
    result rb = run(idx, sample, nb, threshold, 1, fb);
    result ris = run(idx, sample, nb, threshold, 0, fi);
    size_t agree = 0;
    for (size_t i = 0; i < nb; i++)
        agree += fb[i] == fi[i];

    printf("%-34s %8s %10s %12s %10s\n", "method", "recall", "FPR", "names/s", "queries");
    printf("%-34s %8.4f %9.3f%% %12.0f %10zu\n", "index (ds_screen_match)", ri.recall, 100.0 * ri.fpr, ri.rate,
           npos + nneg);
    printf("%-34s %8.4f %9.3f%% %12.0f %10zu\n", "index, baseline sample", ris.recall, 100.0 * ris.fpr, ris.rate, nb);
    printf("%-34s %8.4f %9.3f%% %12.1f %10zu\n", "baseline: score every name", rb.recall, 100.0 * rb.fpr, rb.rate, nb);
    printf("speed-up over the baseline: %.0fx; index and baseline agree on %zu of %zu sample queries\n",
           rb.rate > 0 ? ri.rate / rb.rate : 0.0, agree, nb);
    printf("targets: recall >= 0.99 (%s), FPR <= 0.5%% (%s)\n\n", ri.recall >= 0.99 ? "met" : "NOT met",
           ri.fpr <= 0.005 ? "met" : "NOT met");
    printf("recall by variation:");
    for (int v = 0; v < V_COUNT; v++) {
        size_t f = 0, t = 0;
        for (size_t i = 0; i < npos; i++)
            if (qs[i].variation == v) {
                t++;
                f += (size_t)found[i];
            }
        printf(" %s %.4f (%zu/%zu)", vnames[v], t ? (double)f / (double)t : 0.0, f, t);
    }
    printf("\n");
    size_t fpp = 0, np = 0, fpc = 0, nc = 0;
    for (size_t i = npos; i < npos + nneg; i++) {
        if (qs[i].is_person) {
            np++;
            fpp += (size_t)found[i];
        } else {
            nc++;
            fpc += (size_t)found[i];
        }
    }
    printf("false positives: persons %zu of %zu, companies %zu of %zu\n", fpp, np, fpc, nc);

    /* A few misses and false positives, with what they matched. */
    ds_screen_hit hits[4];
    size_t shown = 0;
    for (size_t i = 0; i < npos && shown < examples; i++)
        if (!found[i]) {
            double sc = ds_screen_score(qs[i].text, -1, qs[i].source, qs[i].is_person, NULL, NULL);
            printf("missed (%s): \"%s\" made from \"%s\" (entry %lld; score %.3f)\n", vnames[qs[i].variation],
                   qs[i].text, qs[i].source, qs[i].entry, sc);
            shown++;
        }
    shown = 0;
    for (size_t i = npos; i < npos + nneg && shown < examples; i++)
        if (found[i]) {
            size_t h = ds_screen_match(idx, qs[i].text, -1, threshold, hits, 4);
            printf("false positive: \"%s\" matched \"%s\" (%.3f)\n", qs[i].text, h ? hits[0].matched_name : "?",
                   h ? hits[0].score : 0.0);
            shown++;
        }

    /* The same queries against SDN + UN + EU. */
    const char *unp = ds_test_shared("data/un_consolidated_xml/UN_consolidated.xml");
    char unpath[4096] = "";
    if (unp)
        snprintf(unpath, sizeof unpath, "%s", unp);
    const char *eup = ds_test_shared("data/eu_consolidated_xml/sample_eu_fsf.xml");
    if (unp && eup) {
        ds_sanctions_list *un = parse_file(unpath), *eu = parse_file(eup);
        if (un && eu) {
            ds_screen_index *big;
            DS_REQUIRE(ds_screen_index_create(&big, &err) == DS_OK);
            names ns2 = {0};
            size_t weak2 = 0, n2 = 0;
            t0 = now();
            n2 += add_list(big, &ns2, ofac, 1, 0, "ofac-2021", &weak2);
            n2 += add_list(big, &ns2, un, 2, 1000000000LL, "un", &weak2);
            n2 += add_list(big, &ns2, eu, 3, 2000000000LL, "eu", &weak2);
            ds_screen_index_build(big, &err);
            double b2 = now() - t0;
            result r2 = run(big, qs, npos + nneg, threshold, 0, NULL);
            result r2b = run(big, sample, nb, threshold, 1, NULL);
            printf("\nwith the UN (%zu entries) and EU sample (%zu entries) lists added: %zu names screened (index "
                   "built in %.3f s)\n",
                   un->n_entries, eu->n_entries, n2, b2);
            printf("%-34s %8.4f %9.3f%% %12.0f %10zu\n", "index (ds_screen_match)", r2.recall, 100.0 * r2.fpr, r2.rate,
                   npos + nneg);
            printf("%-34s %8.4f %9.3f%% %12.1f %10zu\n", "baseline: score every name", r2b.recall, 100.0 * r2b.fpr,
                   r2b.rate, nb);
            ds_screen_index_free(big);
            free(ns2.v);
        }
        ds_sanctions_list_free(un);
        ds_sanctions_list_free(eu);
    }

    normed_free(&nl);
    free(qs);
    free(sample);
    free(found);
    free(fb);
    free(fi);
    free(ns.v);
    ds_screen_index_free(idx);
    ds_sanctions_list_free(ofac);
    return 0;
}
