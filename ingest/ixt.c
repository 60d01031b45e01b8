/* ixt.c - the inline XBRL transformation registry: turns a fact's displayed text into its
 * value according to its ix format (ixt: transformation registries 1 to 5 and the SEC's
 * ixt-sec set), see ds_ixt_apply in xbrl_internal.h.
 *
 * Numbers never pass through a float: numeric results come from decimal.c. Read-only tables
 * only. Threading: reentrant.
 */
#include "pipeline/core/decimal.h"
#include "ingest/xbrl_internal.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Lower-cases and drops '-' and '_' so "num-dot-decimal" and "numdotdecimal" compare equal. */
static void norm_name(const char *in, char *out, size_t cap)
{
    size_t w = 0;
    for (; *in && w + 1 < cap; in++)
        if (*in != '-' && *in != '_')
            out[w++] = (char)tolower((unsigned char)*in);
    out[w] = '\0';
}

/* ---- tokens: runs of ASCII letters or of digits; anything else separates ------------------ */

#define MAX_TOK 32

typedef struct tok {
    const char *s;
    size_t n;
    int digits; /* 1: digit run, 0: letter run */
} tok;

static size_t tokenize(const char *text, tok *t, size_t cap)
{
    size_t k = 0;
    const char *p = text;
    while (*p && k < cap) {
        int d = isdigit((unsigned char)*p) != 0, a = isalpha((unsigned char)*p) != 0 && !(*p & 0x80);
        if (!d && !a) {
            p++;
            continue;
        }
        const char *s = p;
        while (*p && (d ? isdigit((unsigned char)*p) : (isalpha((unsigned char)*p) && !(*p & 0x80))))
            p++;
        t[k].s = s;
        t[k].n = (size_t)(p - s);
        t[k].digits = d;
        k++;
    }
    return k;
}

static int tok_is(const tok *t, const char *w)
{
    return strlen(w) == t->n && strncasecmp(t->s, w, t->n) == 0;
}

static int tok_u64(const tok *t, uint64_t *v)
{
    if (!t->digits || t->n > 18)
        return 0;
    uint64_t x = 0;
    for (size_t i = 0; i < t->n; i++)
        x = x * 10 + (uint64_t)(t->s[i] - '0');
    *v = x;
    return 1;
}

/* ---- English number words ----------------------------------------------------------------- */

static int small_word(const tok *t, uint64_t *v)
{
    static const char *const w[] = {"zero",     "one",     "two",     "three",     "four",     "five",    "six",
                                    "seven",    "eight",   "nine",    "ten",       "eleven",   "twelve",  "thirteen",
                                    "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"};
    static const char *const tens[] = {"twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"};
    for (uint64_t i = 0; i < 20; i++)
        if (tok_is(t, w[i])) {
            *v = i;
            return 1;
        }
    for (uint64_t i = 0; i < 8; i++)
        if (tok_is(t, tens[i])) {
            *v = 20 + 10 * i;
            return 1;
        }
    return 0;
}

/* Value of the number words in t[0..n); 0 on success. "no", "none", "nil" are zero. */
static int words_value(const tok *t, size_t n, uint64_t *out)
{
    if (n == 0)
        return -1;
    if (n == 1 && (tok_is(t, "no") || tok_is(t, "none") || tok_is(t, "nil"))) {
        *out = 0;
        return 0;
    }
    static const struct {
        const char *w;
        uint64_t v;
    } scales[] = {
        {"thousand", 1000ull}, {"million", 1000000ull}, {"billion", 1000000000ull}, {"trillion", 1000000000000ull}};
    uint64_t total = 0, cur = 0, v;
    for (size_t i = 0; i < n; i++) {
        if (tok_is(&t[i], "and") || tok_is(&t[i], "a"))
            continue;
        if (small_word(&t[i], &v) || tok_u64(&t[i], &v)) {
            cur += v;
            continue;
        }
        if (tok_is(&t[i], "hundred")) {
            cur = (cur ? cur : 1) * 100;
            continue;
        }
        size_t k = 0;
        while (k < 4 && !tok_is(&t[i], scales[k].w))
            k++;
        if (k == 4)
            return -1;
        total += (cur ? cur : 1) * scales[k].v;
        cur = 0;
    }
    *out = total + cur;
    return 0;
}

/* ---- durations ---------------------------------------------------------------------------- */

enum { DUR_Y, DUR_M, DUR_W, DUR_D, DUR_H };

/* Writes an xs:duration from the given parts; a part < 0 is absent. Zero parts after the
 * first present one are left out, and an all-zero duration has no sign. */
static ds_status dur_format(int neg, int64_t y, int64_t m, int64_t d, int64_t h, ds_buf *out)
{
    ds_buf_clear(out);
    int all_zero = y <= 0 && m <= 0 && d <= 0 && h <= 0;
    ds_status st = ds_buf_puts(out, neg && !all_zero ? "-P" : "P");
    if (all_zero) {
        if (y >= 0)
            return ds_buf_puts(out, "0Y");
        if (m >= 0)
            return ds_buf_puts(out, "0M");
        if (d >= 0)
            return ds_buf_puts(out, "0D");
        return ds_buf_puts(out, "T0H");
    }
    if (st == DS_OK && y >= 0)
        st = ds_buf_printf(out, "%lldY", (long long)y);
    if (st == DS_OK && m >= 0 && (m != 0 || y < 0))
        st = ds_buf_printf(out, "%lldM", (long long)m);
    if (st == DS_OK && d >= 0 && (d != 0 || (y < 0 && m < 0)))
        st = ds_buf_printf(out, "%lldD", (long long)d);
    if (st == DS_OK && h >= 0 && (h != 0 || (y < 0 && m < 0 && d < 0)))
        st = ds_buf_printf(out, "T%lldH", (long long)h);
    return st;
}

/* Integer part of canonical x times factor (a decimal literal); also gives the fraction. */
static ds_status mul_split(const char *x, const char *factor, uint64_t *ip, ds_buf *frac)
{
    ds_buf p = DS_BUF_INIT;
    ds_status st = ds_dec_mul(x, factor, &p, NULL);
    if (st == DS_OK)
        st = ds_dec_split(p.data, ip, frac, NULL);
    ds_buf_deinit(&p);
    return st;
}

/* ixt-sec duryear/durmonth/durweek/durday/durhour: a decimal number of the unit; fractions
 * spill into the next smaller units (a month is 30.4375 days), truncated. */
static ds_status dur_number(const char *text, int unit, ds_buf *out)
{
    ds_buf c = DS_BUF_INIT, f = DS_BUF_INIT, f2 = DS_BUF_INIT;
    uint64_t ip = 0, a = 0, b = 0;
    int64_t y = -1, m = -1, d = -1, h = -1;
    ds_status st = strlen(text) > 40 ? DS_ERR_PARSE : ds_dec_canon(text, strlen(text), &c, NULL);
    if (st != DS_OK)
        goto done;
    int neg = c.data[0] == '-';
    const char *abs = c.data + neg;
    st = ds_dec_split(abs, &ip, &f, NULL);
    if (st != DS_OK)
        goto done;
    switch (unit) {
    case DUR_Y:
        st = mul_split(f.data, "12", &a, &f2);
        if (st == DS_OK)
            st = mul_split(f2.data, "30.4375", &b, &c);
        y = (int64_t)ip, m = (int64_t)a, d = (int64_t)b;
        break;
    case DUR_M:
        st = mul_split(f.data, "30.4375", &a, &f2);
        m = (int64_t)ip, d = (int64_t)a;
        break;
    case DUR_W:
        st = mul_split(abs, "7", &a, &f2);
        d = (int64_t)a;
        break;
    case DUR_D:
        st = mul_split(f.data, "24", &a, &f2);
        d = (int64_t)ip, h = (int64_t)a;
        break;
    default: h = (int64_t)ip; break;
    }
    if (st == DS_OK)
        st = dur_format(neg, y, m, d, h, out);
done:
    ds_buf_deinit(&c);
    ds_buf_deinit(&f);
    ds_buf_deinit(&f2);
    return st;
}

/* ixt-sec durwordsen: "seven years", "90 days", "two years and six months", "five-year". */
static ds_status dur_words(const char *text, ds_buf *out)
{
    tok t[MAX_TOK];
    size_t n = tokenize(text, t, MAX_TOK), start = 0;
    int64_t part[4] = {-1, -1, -1, -1}; /* Y M D (weeks folded into days), unused */
    int any = 0;
    for (size_t i = 0; i < n; i++) {
        int unit = -1;
        static const char *const names[][2] = {
            {"year", "years"}, {"month", "months"}, {"week", "weeks"}, {"day", "days"}};
        for (int u = 0; u < 4 && unit < 0; u++)
            if (tok_is(&t[i], names[u][0]) || tok_is(&t[i], names[u][1]))
                unit = u;
        if (unit < 0)
            continue;
        uint64_t v;
        if (words_value(t + start, i - start, &v) != 0 || v > 1000000)
            return DS_ERR_PARSE;
        int slot = unit == 0 ? 0 : unit == 1 ? 1 : 2;
        int64_t add = unit == 2 ? (int64_t)v * 7 : (int64_t)v;
        part[slot] = (part[slot] < 0 ? 0 : part[slot]) + add;
        any = 1;
        start = i + 1;
        if (start < n && tok_is(&t[start], "and"))
            start++;
    }
    if (!any || start != n)
        return DS_ERR_PARSE;
    ds_buf_clear(out);
    if (part[0] <= 0 && part[1] <= 0 && part[2] <= 0)
        return dur_format(0, part[0], part[1], part[2], -1, out);
    ds_status st = ds_buf_putc(out, 'P');
    if (st == DS_OK && part[0] >= 0)
        st = ds_buf_printf(out, "%lldY", (long long)part[0]);
    if (st == DS_OK && part[1] >= 0)
        st = ds_buf_printf(out, "%lldM", (long long)part[1]);
    if (st == DS_OK && part[2] >= 0)
        st = ds_buf_printf(out, "%lldD", (long long)part[2]);
    return st;
}

/* ---- dates -------------------------------------------------------------------------------- */

static int month_of(const tok *t)
{
    static const char *const m[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
    if (t->digits || t->n < 3)
        return 0;
    for (int i = 0; i < 12; i++)
        if (strncasecmp(t->s, m[i], 3) == 0)
            return i + 1;
    return 0;
}

static int days_in(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

/* order: a string of 'D', 'M', 'Y' giving the order of the parts in the text. */
static ds_status date_parse(const char *text, const char *order, ds_buf *out)
{
    tok all[MAX_TOK], t[MAX_TOK];
    size_t na = tokenize(text, all, MAX_TOK), n = 0;
    for (size_t i = 0; i < na; i++) /* keep numbers and month names ("30th of May" -> 30 May) */
        if (all[i].digits || month_of(&all[i]))
            t[n++] = all[i];
    size_t parts = strlen(order);
    if (n != parts)
        return DS_ERR_PARSE;
    int y = -1, m = -1, d = -1;
    for (size_t i = 0; i < parts; i++) {
        uint64_t v = 0;
        if (order[i] == 'M') {
            m = month_of(&t[i]);
            if (!m) {
                if (!tok_u64(&t[i], &v) || t[i].n > 2)
                    return DS_ERR_PARSE;
                m = (int)v;
            }
        } else {
            if (!tok_u64(&t[i], &v))
                return DS_ERR_PARSE;
            if (order[i] == 'D') {
                if (t[i].n > 2)
                    return DS_ERR_PARSE;
                d = (int)v;
            } else {
                if (t[i].n == 2)
                    v += 2000;
                else if (t[i].n != 4)
                    return DS_ERR_PARSE;
                y = (int)v;
            }
        }
    }
    if (m < 1 || m > 12)
        return DS_ERR_PARSE;
    ds_buf_clear(out);
    if (y < 0) /* gMonthDay */
        return d >= 1 && d <= days_in(2000, m) ? ds_buf_printf(out, "--%02d-%02d", m, d) : DS_ERR_PARSE;
    if (d < 0) /* gYearMonth */
        return ds_buf_printf(out, "%04d-%02d", y, m);
    if (d < 1 || d > days_in(y, m))
        return DS_ERR_PARSE;
    return ds_buf_printf(out, "%04d-%02d-%02d", y, m, d);
}

/* ixt-sec datequarterend: "third quarter 2023", "2023 Q3" -> last day of that quarter. */
static ds_status date_quarter_end(const char *text, ds_buf *out)
{
    tok t[MAX_TOK];
    size_t n = tokenize(text, t, MAX_TOK);
    int q = 0, y = 0;
    static const char *const qw[] = {"first", "second", "third", "fourth"};
    for (size_t i = 0; i < n; i++) {
        uint64_t v;
        if (t[i].digits && t[i].n == 4 && tok_u64(&t[i], &v))
            y = (int)v;
        else if (t[i].digits && t[i].n == 1 && tok_u64(&t[i], &v) && v >= 1 && v <= 4)
            q = (int)v;
        else if (!t[i].digits && tok_is(&t[i], "last"))
            q = 4;
        else if (!t[i].digits && t[i].n == 1 && (t[i].s[0] == 'q' || t[i].s[0] == 'Q') && i + 1 < n &&
                 t[i + 1].digits && t[i + 1].n == 1)
            continue;
        else
            for (int k = 0; k < 4; k++)
                if (tok_is(&t[i], qw[k]))
                    q = k + 1;
    }
    if (!q || !y)
        return DS_ERR_PARSE;
    static const char *const ends[] = {"03-31", "06-30", "09-30", "12-31"};
    ds_buf_clear(out);
    return ds_buf_printf(out, "%04d-%s", y, ends[q - 1]);
}

/* ---- code lists --------------------------------------------------------------------------- */

typedef struct code_entry {
    const char *name, *code;
} code_entry;

static const code_entry states[] = {{"alabama", "AL"},
                                    {"alaska", "AK"},
                                    {"arizona", "AZ"},
                                    {"arkansas", "AR"},
                                    {"california", "CA"},
                                    {"colorado", "CO"},
                                    {"connecticut", "CT"},
                                    {"delaware", "DE"},
                                    {"florida", "FL"},
                                    {"georgia", "GA"},
                                    {"hawaii", "HI"},
                                    {"idaho", "ID"},
                                    {"illinois", "IL"},
                                    {"indiana", "IN"},
                                    {"iowa", "IA"},
                                    {"kansas", "KS"},
                                    {"kentucky", "KY"},
                                    {"louisiana", "LA"},
                                    {"maine", "ME"},
                                    {"maryland", "MD"},
                                    {"massachusetts", "MA"},
                                    {"michigan", "MI"},
                                    {"minnesota", "MN"},
                                    {"mississippi", "MS"},
                                    {"missouri", "MO"},
                                    {"montana", "MT"},
                                    {"nebraska", "NE"},
                                    {"nevada", "NV"},
                                    {"new hampshire", "NH"},
                                    {"new jersey", "NJ"},
                                    {"new mexico", "NM"},
                                    {"new york", "NY"},
                                    {"north carolina", "NC"},
                                    {"north dakota", "ND"},
                                    {"ohio", "OH"},
                                    {"oklahoma", "OK"},
                                    {"oregon", "OR"},
                                    {"pennsylvania", "PA"},
                                    {"rhode island", "RI"},
                                    {"south carolina", "SC"},
                                    {"south dakota", "SD"},
                                    {"tennessee", "TN"},
                                    {"texas", "TX"},
                                    {"utah", "UT"},
                                    {"vermont", "VT"},
                                    {"virginia", "VA"},
                                    {"washington", "WA"},
                                    {"west virginia", "WV"},
                                    {"wisconsin", "WI"},
                                    {"wyoming", "WY"},
                                    {"district of columbia", "DC"},
                                    {"american samoa", "AS"},
                                    {"samoa", "AS"},
                                    {"guam", "GU"},
                                    {"northern mariana islands", "MP"},
                                    {"puerto rico", "PR"},
                                    {"united states minor outlying islands", "UM"},
                                    {"virgin islands, u.s.", "VI"},
                                    {"alberta", "AB"},
                                    {"british columbia", "BC"},
                                    {"manitoba", "MB"},
                                    {"new brunswick", "NB"},
                                    {"newfoundland", "NL"},
                                    {"newfoundland and labrador", "NL"},
                                    {"nova scotia", "NS"},
                                    {"northwest territories", "NT"},
                                    {"nunavut", "NU"},
                                    {"ontario", "ON"},
                                    {"prince edward island", "PE"},
                                    {"quebec", "QC"},
                                    {"qu\xc3\xa9"
                                     "bec",
                                     "QC"},
                                    {"saskatchewan", "SK"},
                                    {"yukon", "YT"},
                                    {NULL, NULL}};

static const code_entry exchanges[] = {{"box exchange", "BOX"},
                                       {"cboe byx exchange", "CboeBYX"},
                                       {"cboe bzx exchange", "CboeBZX"},
                                       {"cboe c2 exchange", "C2"},
                                       {"cboe edga exchange", "CboeEDGA"},
                                       {"cboe edgx exchange", "CboeEDGX"},
                                       {"cboe exchange", "CBOE"},
                                       {"chicago stock exchange", "CHX"},
                                       {"investors exchange", "IEX"},
                                       {"miami international securities exchange", "MIAX"},
                                       {"miax pearl", "PEARL"},
                                       {"nasdaq bx", "BX"},
                                       {"nasdaq gemx", "GEMX"},
                                       {"nasdaq ise", "ISE"},
                                       {"nasdaq mrx", "MRX"},
                                       {"nasdaq phlx", "Phlx"},
                                       {"nyse", "NYSE"},
                                       {"new york stock exchange", "NYSE"},
                                       {"nyse american", "NYSEAMER"},
                                       {"nyse arca", "NYSEArca"},
                                       {"nyse national", "NYSENAT"},
                                       {"nasdaq", "NASDAQ"},
                                       {"nasdaq stock market", "NASDAQ"},
                                       {"nasdaq global market", "NASDAQ"},
                                       {"nasdaq global select market", "NASDAQ"},
                                       {"nasdaq capital market", "NASDAQ"},
                                       {NULL, NULL}};

static const code_entry filer_categories[] = {
    {"large accelerated filer", "Large Accelerated Filer"}, {"accelerated filer", "Accelerated Filer"},
    {"non-accelerated filer", "Non-accelerated Filer"},     {"non accelerated filer", "Non-accelerated Filer"},
    {"nonaccelerated filer", "Non-accelerated Filer"},      {NULL, NULL}};

static const code_entry countries[] = {{"united states", "US"},
                                       {"united states of america", "US"},
                                       {"usa", "US"},
                                       {"u.s.a.", "US"},
                                       {"canada", "CA"},
                                       {"mexico", "MX"},
                                       {"united kingdom", "GB"},
                                       {"england", "GB"},
                                       {"great britain", "GB"},
                                       {"ireland", "IE"},
                                       {"france", "FR"},
                                       {"germany", "DE"},
                                       {"netherlands", "NL"},
                                       {"belgium", "BE"},
                                       {"luxembourg", "LU"},
                                       {"switzerland", "CH"},
                                       {"austria", "AT"},
                                       {"italy", "IT"},
                                       {"spain", "ES"},
                                       {"portugal", "PT"},
                                       {"sweden", "SE"},
                                       {"norway", "NO"},
                                       {"denmark", "DK"},
                                       {"finland", "FI"},
                                       {"iceland", "IS"},
                                       {"poland", "PL"},
                                       {"greece", "GR"},
                                       {"cyprus", "CY"},
                                       {"malta", "MT"},
                                       {"israel", "IL"},
                                       {"china", "CN"},
                                       {"hong kong", "HK"},
                                       {"taiwan", "TW"},
                                       {"japan", "JP"},
                                       {"south korea", "KR"},
                                       {"republic of korea", "KR"},
                                       {"singapore", "SG"},
                                       {"india", "IN"},
                                       {"australia", "AU"},
                                       {"new zealand", "NZ"},
                                       {"brazil", "BR"},
                                       {"argentina", "AR"},
                                       {"chile", "CL"},
                                       {"colombia", "CO"},
                                       {"peru", "PE"},
                                       {"bermuda", "BM"},
                                       {"cayman islands", "KY"},
                                       {"british virgin islands", "VG"},
                                       {"bahamas", "BS"},
                                       {"panama", "PA"},
                                       {"marshall islands", "MH"},
                                       {"jersey", "JE"},
                                       {"guernsey", "GG"},
                                       {"isle of man", "IM"},
                                       {"south africa", "ZA"},
                                       {"united arab emirates", "AE"},
                                       {"saudi arabia", "SA"},
                                       {"russian federation", "RU"},
                                       {"russia", "RU"},
                                       {"ukraine", "UA"},
                                       {"turkey", "TR"},
                                       {"indonesia", "ID"},
                                       {"malaysia", "MY"},
                                       {"thailand", "TH"},
                                       {"philippines", "PH"},
                                       {"vietnam", "VN"},
                                       {"viet nam", "VN"},
                                       {NULL, NULL}};

/* Looks text up in a list: case-insensitive, whitespace collapsed, "the " and a trailing
 * ", LLC" / ", Inc." dropped. */
static ds_status code_lookup(const code_entry *list, const char *text, ds_buf *out)
{
    char key[160];
    size_t w = 0;
    int space = 0;
    for (const char *p = text; *p && w + 2 < sizeof key; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = w > 0;
            continue;
        }
        if (c == 0xC2 && (unsigned char)p[1] == 0xA0) { /* no-break space */
            p++;
            space = w > 0;
            continue;
        }
        if (space)
            key[w++] = ' ';
        space = 0;
        key[w++] = (char)tolower(c);
    }
    key[w] = '\0';
    char *k = key;
    if (strncmp(k, "the ", 4) == 0)
        k += 4;
    static const char *const tails[] = {", llc", " llc", ", inc.", ", inc", " inc.", " inc", "."};
    for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++) {
        size_t l = strlen(k), tl = strlen(tails[i]);
        if (l > tl && strcmp(k + l - tl, tails[i]) == 0)
            k[l - tl] = '\0';
    }
    for (const code_entry *e = list; e->name; e++)
        if (strcmp(k, e->name) == 0) {
            ds_buf_clear(out);
            return ds_buf_puts(out, e->code);
        }
    return DS_ERR_PARSE;
}

/* ---- the registry ------------------------------------------------------------------------- */

static ds_status set(ds_buf *out, const char *s)
{
    ds_buf_clear(out);
    return ds_buf_puts(out, s);
}

/* num-unit-decimal: "5 dollars and 25 cents" -> 5.25. */
static ds_status num_unit(const char *text, ds_buf *out)
{
    ds_buf b = DS_BUF_INIT;
    ds_status st = DS_OK;
    const char *p = text;
    while (*p && !isalpha((unsigned char)*p))
        p++;
    st = ds_buf_append(&b, text, (size_t)(p - text));
    while (st == DS_OK && *p && !isdigit((unsigned char)*p))
        p++;
    int frac = 0;
    for (; st == DS_OK && *p; p++)
        if (isdigit((unsigned char)*p)) {
            if (!frac++)
                st = ds_buf_putc(&b, '\x01');
            if (st == DS_OK)
                st = ds_buf_putc(&b, *p);
        }
    if (st == DS_OK)
        st = ds_dec_from_display(b.data ? b.data : "", b.len, '\x01', out, NULL);
    ds_buf_deinit(&b);
    return st;
}

static int has(const char *s, const char *sub)
{
    return strstr(s, sub) != NULL;
}

ds_status ds_ixt_apply(const char *format_local, const char *text, int numeric, ds_buf *out)
{
    char f[64];
    norm_name(format_local ? format_local : "", f, sizeof f);
    size_t tl = strlen(text);

    /* numbers */
    if (!strncmp(f, "numdotdecimal", 13) || !strcmp(f, "numcommadot") || !strcmp(f, "numspacedot") ||
        !strcmp(f, "numdot") || !strcmp(f, "numapostrophedot"))
        return ds_dec_from_display(text, tl, '.', out, NULL);
    if (!strncmp(f, "numcommadecimal", 15) || !strcmp(f, "numdotcomma") || !strcmp(f, "numspacecomma") ||
        !strcmp(f, "numcomma") || !strcmp(f, "numapostrophecomma"))
        return ds_dec_from_display(text, tl, ',', out, NULL);
    if (!strncmp(f, "numunitdecimal", 14))
        return num_unit(text, out);
    if (!strcmp(f, "zerodash") || !strcmp(f, "fixedzero") || !strcmp(f, "numzerodash") || !strcmp(f, "numdash"))
        return set(out, "0");
    if (!strcmp(f, "numwordsen") || !strcmp(f, "numwordsen2") || !strcmp(f, "numword") || !strcmp(f, "numwordsenus")) {
        tok t[MAX_TOK];
        uint64_t v;
        size_t n = tokenize(text, t, MAX_TOK);
        if (n == MAX_TOK || words_value(t, n, &v) != 0)
            return DS_ERR_PARSE;
        ds_buf_clear(out);
        return ds_buf_printf(out, "%llu", (unsigned long long)v);
    }
    if (!strcmp(f, "numinf"))
        return set(out, "INF");
    if (!strcmp(f, "numneginf"))
        return set(out, "-INF");
    if (!strcmp(f, "numnan"))
        return set(out, "NaN");

    /* fixed values and booleans */
    if (!strcmp(f, "fixedempty") || !strcmp(f, "nocontent"))
        return set(out, "");
    if (!strcmp(f, "fixedfalse") || !strcmp(f, "booleanfalse"))
        return set(out, "false");
    if (!strcmp(f, "fixedtrue") || !strcmp(f, "booleantrue"))
        return set(out, "true");
    if (!strcmp(f, "boolballotbox") || !strcmp(f, "yesnoballotbox")) {
        int yes = has(text, "\xE2\x98\x92") || has(text, "\xE2\x98\x91"); /* U+2612, U+2611 */
        int no = has(text, "\xE2\x98\x90");                               /* U+2610 */
        if (yes == no)
            return DS_ERR_PARSE;
        if (f[0] == 'b')
            return set(out, yes ? "true" : "false");
        return set(out, yes ? "Yes" : "No");
    }

    /* durations */
    if (!strcmp(f, "duryear"))
        return dur_number(text, DUR_Y, out);
    if (!strcmp(f, "durmonth"))
        return dur_number(text, DUR_M, out);
    if (!strcmp(f, "durweek"))
        return dur_number(text, DUR_W, out);
    if (!strcmp(f, "durday"))
        return dur_number(text, DUR_D, out);
    if (!strcmp(f, "durhour"))
        return dur_number(text, DUR_H, out);
    if (!strcmp(f, "durwordsen"))
        return dur_words(text, out);

    /* dates: the order of day, month and year is in the name */
    if (!strcmp(f, "datequarterend"))
        return date_quarter_end(text, out);
    if (!strncmp(f, "date", 4) && !has(f, "era") && !has(f, "jp") && !has(f, "ko") && !has(f, "zh")) {
        const char *order = NULL;
        if (has(f, "yearmonthday"))
            order = "YMD";
        else if (has(f, "daymonthyear") || has(f, "daymonthnameyear") || has(f, "slasheu") || has(f, "doteu") ||
                 has(f, "longuk") || has(f, "shortuk"))
            order = "DMY";
        else if (has(f, "monthdayyear") || has(f, "monthnamedayyear") || has(f, "slashus") || has(f, "dotus") ||
                 has(f, "longus") || has(f, "shortus"))
            order = "MDY";
        else if (has(f, "monthyear") || has(f, "monthnameyear") || has(f, "longmonthyear") || has(f, "shortmonthyear"))
            order = "MY";
        else if (has(f, "yearmonth"))
            order = "YM";
        else if (has(f, "daymonth") || has(f, "daymonthname") || has(f, "longdaymonth") || has(f, "shortdaymonth"))
            order = "DM";
        else if (has(f, "monthday") || has(f, "monthnameday") || has(f, "longmonthday") || has(f, "shortmonthday"))
            order = "MD";
        if (order)
            return date_parse(text, order, out);
    }

    /* SEC code lists */
    if (!strcmp(f, "stateprovnameen"))
        return code_lookup(states, text, out);
    if (!strcmp(f, "exchnameen"))
        return code_lookup(exchanges, text, out);
    if (!strcmp(f, "entityfilercategoryen"))
        return code_lookup(filer_categories, text, out);
    if (!strcmp(f, "countrynameen"))
        return code_lookup(countries, text, out);

    /* Unknown: a numeric fact is read as a plain displayed number, text is kept as it is. */
    ds_status st = numeric ? ds_dec_from_display(text, tl, '.', out, NULL) : set(out, text);
    return st == DS_OK ? DS_ERR_UNSUPPORTED : st;
}
