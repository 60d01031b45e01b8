/* entities.c - organisation and person names in a document's text, by rules over its words
 * (see entities.h), and the entity list shared with the place and red-flag extractors.
 *
 * The text is cut into word tokens, each with the kind of gap before it (spaces, a comma, or a
 * break: line end, bracket, quote, colon, semicolon, dash, or a full stop ending a sentence).
 * Organisations are found from their legal-form suffix backwards over capitalised words and
 * connectors ("Procter & Gamble Co.", "Bank of America Corporation", "Acme Holdings, Inc.").
 * Persons are found after a title, after "/s/", or next to a role, as 2-4 name words (initials
 * and particles allowed) none of which is a known non-name word.
 * Owns: its token array (freed before returning); entity strings go to the document's arena.
 * Threading: reentrant.
 */
#include "extract/entities.h"

#include "extract/evidence.h"
#include "pipeline/core/alloc.h"
#include "pipeline/core/vec.h"
#include "pipeline/core/log.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

const char *ds_entity_kind_str(ds_entity_kind k)
{
    switch (k) {
    case DS_ENTITY_ORGANIZATION: return "organization";
    case DS_ENTITY_PERSON: return "person";
    case DS_ENTITY_COUNTRY: return "country";
    case DS_ENTITY_JURISDICTION: return "jurisdiction";
    case DS_ENTITY_RED_FLAG: return "red_flag";
    }
    return "organization";
}

void ds_entity_list_free(ds_entity_list *l)
{
    if (!l)
        return;
    ds_free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

ds_status ds_entity_list_push(ds_entity_list *l, const ds_entity *e)
{
    if (l->n == l->cap) {
        size_t c = l->cap ? l->cap * 2 : 64;
        ds_entity *v = ds_realloc(l->v, c * sizeof *v);
        if (!v)
            return DS_ERR_NOMEM;
        l->v = v;
        l->cap = c;
    }
    l->v[l->n++] = *e;
    return DS_OK;
}

/* Latin-1 supplement and a few Latin Extended-A letters folded to ASCII. */
static char fold2(unsigned char a, unsigned char b)
{
    if (a == 0xC3) {
        static const char m[64] = "AAAAAAACEEEEIIIIDNOOOOOxOUUUUYTsaaaaaaaceeeeiiiidnooooo/ouuuuyty";
        char c = m[b & 0x3F];
        return (char)tolower((unsigned char)c);
    }
    if (a == 0xC4 || a == 0xC5) {
        /* Ā..ſ: pairs upper/lower in order */
        static const char ext[] = "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiijjjjkkkllllllllllnnnnnnnnnoooooooo"
                                  "rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";
        unsigned idx = (unsigned)(a - 0xC4) * 64u + (unsigned)(b & 0x3F);
        return idx < sizeof ext - 1 ? ext[idx] : 0;
    }
    return 0;
}

size_t ds_entity_normalize(const char *name, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    int space = 0;
    if (!cap)
        return 0;
    const unsigned char *p = (const unsigned char *)name, *end = p + n;
    while (p < end && o + 2 < cap) {
        char c = 0;
        size_t step = 1;
        if (*p < 0x80) {
            if (*p == '\'') {
                p++;
                continue;
            }
            c = isalnum(*p) ? (char)tolower(*p) : 0;
        } else if (p + 1 < end && (*p == 0xC3 || *p == 0xC4 || *p == 0xC5)) {
            c = fold2(p[0], p[1]);
            step = 2;
        } else if (p + 2 < end && p[0] == 0xE2 && p[1] == 0x80 && p[2] == 0x99) {
            p += 3; /* ’ */
            continue;
        } else {
            step = (*p >= 0xF0) ? 4 : (*p >= 0xE0) ? 3 : 2;
        }
        if (c && isalnum((unsigned char)c)) {
            if (space && o)
                out[o++] = ' ';
            space = 0;
            out[o++] = c;
        } else {
            space = 1;
        }
        p += step;
    }
    out[o] = '\0';
    return o;
}

/* JSON string body of s[0..n) into out (escaped, truncated safely). */
static void json_body(const char *s, size_t n, char *out, size_t cap)
{
    char tmp[512];
    if (n >= sizeof tmp)
        n = sizeof tmp - 1;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    ds_json_escape(out, cap, tmp);
}

ds_status ds_entity_add(ds_document *doc, const ds_chunk_list *chunks, ds_entity_list *out, ds_entity_kind kind,
                        size_t off, size_t len, const char *detail, const char *attributes, const ds_fatf_entry *fatf_e,
                        const ds_redflag *flag)
{
    char norm[512];
    ds_entity_normalize(doc->text.data + off, len, norm, sizeof norm);
    if (!*norm)
        return DS_OK;
    size_t seen = 0;
    for (size_t i = out->n; i-- > 0;)
        if (out->v[i].kind == kind && strcmp(out->v[i].name_norm, norm) == 0 && ++seen >= DS_ENTITY_MAX_MENTIONS)
            return DS_OK;
    ds_entity e = {0};
    e.kind = kind;
    e.name = ds_arena_strndup(&doc->arena, doc->text.data + off, len);
    e.name_norm = ds_arena_strdup(&doc->arena, norm);
    e.detail = detail ? ds_arena_strdup(&doc->arena, detail) : NULL;
    e.attributes = ds_arena_strdup(&doc->arena, attributes ? attributes : "{}");
    e.byte_off = off;
    e.byte_len = len;
    e.source_extractor = "rules";
    e.fatf = fatf_e;
    e.flag = flag;
    ds_evidence ev;
    if (!e.name || !e.name_norm || (detail && !e.detail) || !e.attributes ||
        ds_evidence_at(doc, chunks, off, len, &ev) != DS_OK)
        return DS_ERR_NOMEM;
    e.page = ev.page;
    e.chunk_seq = ev.chunk_seq;
    e.quote = ev.quote;
    return ds_entity_list_push(out, &e);
}

/* ---- tokens ---------------------------------------------------------------------------------- */

enum { GAP_SPACE = 0, GAP_COMMA = 1, GAP_BREAK = 2 };

typedef struct tok {
    size_t off, len;
    unsigned char gap;     /* before this token */
    unsigned char signed_; /* "/s/" right before it */
    unsigned char in_org;  /* part of an organisation name found */
} tok;

typedef DS_VEC(tok) tok_vec;

static int word_byte(const unsigned char *p, const unsigned char *end)
{
    if (*p < 0x80)
        return isalnum(*p) || *p == '&';
    /* UTF-8 punctuation that separates words: quotes, dashes, bullets, no-break space */
    if (p[0] == 0xC2 && p + 1 < end && (p[1] == 0xA0 || p[1] == 0xAB || p[1] == 0xBB || p[1] == 0xB7))
        return 0;
    if (p[0] == 0xE2 && p + 2 < end && p[1] == 0x80 && p[2] != 0x99)
        return 0;
    if (p[0] == 0xE2 && p + 2 < end && (p[1] == 0x96 || p[1] == 0x97 || p[1] == 0x98)) /* boxes */
        return 0;
    return 1;
}

static size_t utf8_len(unsigned char c)
{
    return c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

static ds_status tokenize(const char *text, size_t tl, tok_vec *out)
{
    const unsigned char *t = (const unsigned char *)text, *end = t + tl;
    size_t i = 0;
    int gap = GAP_BREAK, sig = 0;
    while (i < tl) {
        if (!word_byte(t + i, end)) {
            unsigned char c = t[i];
            if (c == ',')
                gap = gap > GAP_COMMA ? gap : GAP_COMMA;
            else if (c == '\n' || c == '|' || c == ';' || c == ':' || c == '(' || c == ')' || c == '[' || c == ']' ||
                     c == '"' || c == '!' || c == '?' || c >= 0x80)
                gap = GAP_BREAK;
            else if (c == '/' && i + 2 < tl && t[i + 1] == 's' && t[i + 2] == '/') {
                sig = 1;
                gap = GAP_BREAK;
                i += 3;
                continue;
            } else if (c == '/' || c == '.' || c == '-')
                gap = GAP_BREAK;
            i += c >= 0x80 ? utf8_len(c) : 1;
            continue;
        }
        size_t s = i;
        while (i < tl) {
            if (word_byte(t + i, end)) {
                i += t[i] >= 0x80 ? utf8_len(t[i]) : 1;
            } else if ((t[i] == '.' || t[i] == '\'' || t[i] == '-') && i > s) {
                /* inside a word ("J.P.", "O'Brien", "Smith-Jones") or a final period ("Inc.") */
                if (t[i] == '.' || (i + 1 < tl && word_byte(t + i + 1, end)))
                    i++;
                else
                    break;
            } else {
                break;
            }
        }
        if (i > tl)
            i = tl;
        tok k = {s, i - s, (unsigned char)gap, (unsigned char)sig, 0};
        if (DS_VEC_PUSH(*out, k))
            return DS_ERR_NOMEM;
        gap = GAP_SPACE;
        sig = 0;
    }
    return DS_OK;
}

/* Token text without a final period. */
static size_t core_len(const char *t, const tok *k)
{
    size_t n = k->len;
    while (n > 1 && t[k->off + n - 1] == '.')
        n--;
    return n;
}

static int tok_is(const char *t, const tok *k, const char *w)
{
    size_t n = strlen(w);
    return k->len == n && strncmp(t + k->off, w, n) == 0;
}

static int tok_in(const char *t, const tok *k, const char *const *list)
{
    size_t n = core_len(t, k);
    char c0 = t[k->off];
    for (size_t i = 0; list[i]; i++)
        if (list[i][0] == c0 && strncmp(t + k->off, list[i], n) == 0 && list[i][n] == '\0')
            return 1;
    return 0;
}

static int tok_in_ci(const char *t, const tok *k, const char *const *list)
{
    size_t n = core_len(t, k);
    int c0 = tolower((unsigned char)t[k->off]);
    for (size_t i = 0; list[i]; i++)
        if (tolower((unsigned char)list[i][0]) == c0 && strncasecmp(t + k->off, list[i], n) == 0 && list[i][n] == '\0')
            return 1;
    return 0;
}

static int upper_start(const char *t, const tok *k)
{
    unsigned char a = (unsigned char)t[k->off], b = k->len > 1 ? (unsigned char)t[k->off + 1] : 0;
    if (a >= 'A' && a <= 'Z')
        return 1;
    if (a == 0xC3 && b >= 0x80 && b <= 0x9E)
        return 1;
    if ((a == 0xC4 || a == 0xC5) && (b & 1) == 0)
        return 1;
    return 0;
}

static int has_lower(const char *t, const tok *k)
{
    for (size_t i = 0; i < k->len; i++) {
        unsigned char c = (unsigned char)t[k->off + i];
        if (c >= 'a' && c <= 'z')
            return 1;
        if (c == 0xC3 && i + 1 < k->len && (unsigned char)t[k->off + i + 1] >= 0x9F)
            return 1;
    }
    return 0;
}

static int is_digit_tok(const char *t, const tok *k)
{
    return isdigit((unsigned char)t[k->off]);
}

/* Does a full stop end a sentence after this token? Not after initials, abbreviations or
 * legal forms. */
static const char *const abbreviations[] = {
    "Inc", "Corp", "Co",    "Ltd",  "Mr",    "Mrs", "Ms",  "Dr",    "No",    "St",    "Jr",   "Sr",     "vs",
    "etc", "e.g",  "i.e",   "U.S",  "S.A",   "N.V", "B.V", "L.P",   "L.L.C", "S.p.A", "Prof", "Messrs", "Nos",
    "Pty", "Pte",  "P.L.C", "K.K",  "S.r.l", "S.L", "U.K", "U.A.E", "Jan",   "Feb",   "Mar",  "Apr",    "Jun",
    "Jul", "Aug",  "Sep",   "Sept", "Oct",   "Nov", "Dec", "INC",   "CORP",  "LTD",   "CO",   NULL};

static int ends_sentence(const char *t, const tok *k)
{
    if (t[k->off + k->len - 1] != '.')
        return 0;
    size_t n = core_len(t, k);
    if (n == 1 && isupper((unsigned char)t[k->off]))
        return 0;
    if (tok_in(t, k, abbreviations))
        return 0;
    return 1;
}

/* ---- organisations ----------------------------------------------------------------------------- */

/* Legal forms; weak ones ("Company", "Holdings") need a name word that is not generic. */
static const char *const strong_forms[] = {
    "Inc",         "Incorporated", "Corp",    "Corporation", "LLC",   "L.L.C",  "LLP", "L.L.P", "LP",    "L.P", "Ltd",
    "Limited",     "PLC",          "plc",     "P.L.C",       "GmbH",  "AG",     "S.A", "SA",    "S.A.S", "SAS", "N.V",
    "NV",          "B.V",          "BV",      "SpA",         "S.p.A", "S.r.l",  "Srl", "AB",    "ASA",   "Oy",  "Oyj",
    "K.K",         "Pty",          "Pte",     "SE",          "Bhd",   "Berhad", "S.L", "Co",    "KG",    "INC", "CORP",
    "CORPORATION", "LTD",          "LIMITED", "GMBH",        "S.P.A", "SPA",    NULL};
static const char *const weak_forms[] = {"Company", "Holdings", "Holding", "Group",
                                         "COMPANY", "HOLDINGS", "GROUP",   NULL};
static const char *const org_connectors[] = {"&",   "and", "of",  "de", "du", "des", "la",  "le",  "der", "den",
                                             "van", "von", "for", "y",  "e",  "et",  "the", "und", NULL};
static const char *const org_stop_start[] = {"The",
                                             "A",
                                             "An",
                                             "Our",
                                             "Its",
                                             "Their",
                                             "This",
                                             "That",
                                             "These",
                                             "Those",
                                             "In",
                                             "On",
                                             "At",
                                             "By",
                                             "For",
                                             "From",
                                             "With",
                                             "To",
                                             "And",
                                             "Or",
                                             "As",
                                             "Under",
                                             "Per",
                                             "Each",
                                             "Both",
                                             "Such",
                                             "Between",
                                             "Among",
                                             "Dear",
                                             "Certain",
                                             "Including",
                                             "Through",
                                             "Pursuant",
                                             "Also",
                                             "However",
                                             "During",
                                             "Since",
                                             "When",
                                             "After",
                                             "Before",
                                             "Upon",
                                             "Following",
                                             "Although",
                                             "While",
                                             "If",
                                             "Because",
                                             "Unlike",
                                             "Like",
                                             "Neither",
                                             "Either",
                                             "Only",
                                             "All",
                                             "Any",
                                             "No",
                                             "Not",
                                             "Other",
                                             "Another",
                                             "See",
                                             "Note",
                                             "Item",
                                             "Section",
                                             "Part",
                                             "Exhibit",
                                             "We",
                                             "It",
                                             "He",
                                             "She",
                                             "They",
                                             "Via",
                                             "Whereas",
                                             "Acquired",
                                             "Subsidiary",
                                             "Subsidiaries",
                                             "Affiliates",
                                             "Former",
                                             "Formerly",
                                             "Vice",
                                             "President",
                                             "Chief",
                                             "Officer",
                                             "Executive",
                                             "Finance",
                                             "Director",
                                             "Directors",
                                             "Board",
                                             "Stockholders",
                                             "Shareholders",
                                             "Chairman",
                                             "Secretary",
                                             "Treasurer",
                                             "Counsel",
                                             "Senior",
                                             "CFO",
                                             "CEO",
                                             NULL};
static const char *const generic_words[] = {
    "The",        "Company",        "Parent",     "Operating",  "Holding", "Holdings",  "Investment",  "Subsidiary",
    "Registrant", "Insurance",      "Trust",      "Management", "Group",   "Our",       "Its",         "This",
    "Each",       "Such",           "Combined",   "New",        "Old",     "Successor", "Predecessor", "Member",
    "Managing",   "Acquiring",      "Target",     "Surviving",  "Merged",  "Private",   "Public",      "Limited",
    "Liability",  "Partnership",    "Finance",    "Financing",  "Issuer",  "Guarantor", "Borrower",    "Lender",
    "Agent",      "Administrative", "Collateral", NULL};

/* Words of a document or an arrangement, not of a name: "Form 10-K of Netflix, Inc.",
 * "Consent of Ernst & Young LLP", "Stock Plan and Netflix, Inc." keep only what follows the
 * last "of" or "and" after such a word. */
static const char *const document_words[] = {"Form",         "Report",
                                             "Consent",      "Plan",
                                             "Agreement",    "Quarterly",
                                             "Annual",       "Amended",
                                             "Restated",     "Stock",
                                             "Company",      "Letter",
                                             "Schedule",     "Exhibit",
                                             "Indenture",    "Certificate",
                                             "Articles",     "Bylaws",
                                             "Statement",    "Statements",
                                             "Registration", "Proxy",
                                             "Opinion",      "Power",
                                             "Attorney",     "Subsidiaries",
                                             "List",         "Code",
                                             "Policy",       "Award",
                                             "Employment",   "Incentive",
                                             "Purchase",     "Guarantee",
                                             "Deed",         "Supplemental",
                                             "Directors",    "Board",
                                             "Stockholders", "Shareholders",
                                             "Offer",        "Terms",
                                             "Notice",       "Auditors",
                                             "Firm",         NULL};

static int is_form(const char *t, const tok *k, int *weak)
{
    if (tok_in(t, k, strong_forms)) {
        *weak = 0;
        return 1;
    }
    if (tok_in(t, k, weak_forms)) {
        *weak = 1;
        return 1;
    }
    return 0;
}

/* A word that may sit inside an organisation name: capitalised, a digit-led word ("3M"), an
 * all-capital word, or a connector. */
static int org_word(const char *t, const tok *k)
{
    return upper_start(t, k) || is_digit_tok(t, k) || tok_in(t, k, org_connectors);
}

static ds_status find_orgs(ds_document *doc, const ds_chunk_list *chunks, tok *tk, size_t nt, ds_entity_list *out)
{
    const char *t = doc->text.data;
    for (size_t i = 0; i < nt; i++) {
        int weak = 0;
        if (!is_form(t, &tk[i], &weak))
            continue;
        /* "documents incorporated by reference" */
        if (tok_is(t, &tk[i], "Incorporated") && i + 1 < nt &&
            (tok_is(t, &tk[i + 1], "by") || tok_is(t, &tk[i + 1], "herein")))
            continue;
        /* forward: further forms ("Holdings, Inc.", "Co., Ltd.", "Pty Ltd") */
        size_t last = i;
        while (last + 1 < nt && tk[last + 1].gap <= GAP_COMMA && !ends_sentence(t, &tk[last])) {
            int w2;
            if (!is_form(t, &tk[last + 1], &w2) || w2)
                break;
            last++;
            weak = 0;
        }
        /* backward: capitalised words and connectors in the same phrase */
        size_t first = i;
        int words = 0;
        while (first > 0 && i - first < 8) {
            const tok *prev = &tk[first - 1];
            const tok *cur = &tk[first];
            int gap_ok = cur->gap == GAP_SPACE || (cur->gap == GAP_COMMA && first == i);
            int w3;
            if (!gap_ok || ends_sentence(t, prev) || !org_word(t, prev) || prev->in_org)
                break;
            if (is_form(t, prev, &w3) && !w3)
                break; /* the end of another name */
            first--;
        }
        /* trim leading connectors, sentence and role words, and numbers ("10.8 Adobe Inc.") */
        while (first < i && (tok_in(t, &tk[first], org_connectors) || tok_in(t, &tk[first], org_stop_start) ||
                             strspn(t + tk[first].off, "0123456789.") >= tk[first].len))
            first++;
        {
            int doc_word = 0;
            size_t cut = first;
            for (size_t k = first; k < i; k++) {
                if (tok_in(t, &tk[k], document_words))
                    doc_word = 1;
                else if (doc_word && (tok_is(t, &tk[k], "of") || tok_is(t, &tk[k], "and")))
                    cut = k + 1;
            }
            first = cut;
        }
        for (size_t k = first; k < i; k++)
            if (!tok_in(t, &tk[k], org_connectors) && (!weak || !tok_in(t, &tk[k], generic_words)))
                words++;
        if (words == 0 || first == i)
            continue;
        size_t off = tk[first].off;
        size_t end = tk[last].off + tk[last].len;
        if (t[end - 1] == '.' && !tok_in(t, &tk[last], abbreviations) &&
            !memchr(t + tk[last].off, '.', core_len(t, &tk[last])))
            end--; /* "Beta LLC." ends a sentence; "Acme Inc." and "Beta S.A." keep their point */
        char attrs[128], form[64];
        size_t fl = end - tk[last].off < sizeof form - 1 ? end - tk[last].off : sizeof form - 1;
        memcpy(form, t + tk[last].off, fl);
        form[fl] = '\0';
        char esc[96];
        json_body(form, fl, esc, sizeof esc);
        snprintf(attrs, sizeof attrs, "{\"legal_form\":\"%s\"}", esc);
        ds_status st = ds_entity_add(doc, chunks, out, DS_ENTITY_ORGANIZATION, off, end - off, form, attrs, NULL, NULL);
        if (st)
            return st;
        for (size_t k = first; k <= last; k++)
            tk[k].in_org = 1;
        i = last;
    }
    return DS_OK;
}

/* ---- persons ------------------------------------------------------------------------------------- */

static const char *const titles[] = {"Mr", "Mrs", "Ms", "Dr", "Miss", "Sir", "Dame", "Prof", "Professor", NULL};
static const char *const particles[] = {"van", "von", "de", "der", "da",  "di",  "del", "la",  "le",
                                        "bin", "al",  "el", "du",  "ten", "ter", "dos", "das", NULL};
static const char *const name_suffixes[] = {"Jr", "Sr", "II", "III", "IV", NULL};
static const char *const not_names[] = {"Board",
                                        "Directors",
                                        "Director",
                                        "Committee",
                                        "Audit",
                                        "Compensation",
                                        "Nominating",
                                        "Governance",
                                        "Officer",
                                        "Officers",
                                        "Chief",
                                        "Executive",
                                        "Financial",
                                        "Operating",
                                        "Accounting",
                                        "Vice",
                                        "President",
                                        "Senior",
                                        "Chairman",
                                        "Chair",
                                        "Annual",
                                        "Report",
                                        "Item",
                                        "Note",
                                        "Notes",
                                        "Part",
                                        "Section",
                                        "Act",
                                        "Securities",
                                        "Exchange",
                                        "Commission",
                                        "Form",
                                        "United",
                                        "States",
                                        "America",
                                        "American",
                                        "New",
                                        "York",
                                        "Street",
                                        "Avenue",
                                        "Road",
                                        "Suite",
                                        "Bank",
                                        "Trust",
                                        "Fund",
                                        "Group",
                                        "Holdings",
                                        "Corporation",
                                        "Company",
                                        "Inc",
                                        "Plan",
                                        "Agreement",
                                        "Credit",
                                        "Facility",
                                        "Stock",
                                        "Common",
                                        "Preferred",
                                        "Class",
                                        "Series",
                                        "Our",
                                        "We",
                                        "Its",
                                        "His",
                                        "Her",
                                        "Their",
                                        "The",
                                        "This",
                                        "That",
                                        "Management",
                                        "Consolidated",
                                        "Statements",
                                        "Statement",
                                        "Total",
                                        "Net",
                                        "Income",
                                        "Revenue",
                                        "Revenues",
                                        "Standards",
                                        "Update",
                                        "Federal",
                                        "Reserve",
                                        "Internal",
                                        "Service",
                                        "Department",
                                        "Treasury",
                                        "Office",
                                        "Foreign",
                                        "Assets",
                                        "Control",
                                        "Nasdaq",
                                        "Global",
                                        "Market",
                                        "Select",
                                        "Equity",
                                        "Incentive",
                                        "Employment",
                                        "General",
                                        "Counsel",
                                        "Secretary",
                                        "Treasurer",
                                        "Partner",
                                        "Partners",
                                        "Founder",
                                        "Independent",
                                        "Trustee",
                                        "Risk",
                                        "Factors",
                                        "Legal",
                                        "Proceedings",
                                        "Properties",
                                        "Table",
                                        "Contents",
                                        "Exhibit",
                                        "Index",
                                        "Signatures",
                                        "Signature",
                                        "Date",
                                        "Title",
                                        "Name",
                                        "Age",
                                        "Position",
                                        "Dear",
                                        "Sincerely",
                                        "Shareholders",
                                        "Stockholders",
                                        "Members",
                                        "University",
                                        "College",
                                        "School",
                                        "Institute",
                                        "Council",
                                        "Association",
                                        "Capital",
                                        "Advisors",
                                        "Investments",
                                        "Energy",
                                        "Systems",
                                        "Technologies",
                                        "Services",
                                        "Solutions",
                                        "International",
                                        "National",
                                        "Regional",
                                        "County",
                                        "State",
                                        "City",
                                        "District",
                                        "Court",
                                        "Honorable",
                                        "Justice",
                                        "Attorney",
                                        "Program",
                                        "Ministry",
                                        "Government",
                                        "Republic",
                                        "Kingdom",
                                        "Islands",
                                        "Island",
                                        "North",
                                        "South",
                                        "East",
                                        "West",
                                        "Central",
                                        "Northern",
                                        "Southern",
                                        "Eastern",
                                        "Western",
                                        "Asia",
                                        "Europe",
                                        "Africa",
                                        "Pacific",
                                        "Atlantic",
                                        "Middle",
                                        "Latin",
                                        "Quarterly",
                                        "Fiscal",
                                        "Year",
                                        "Years",
                                        "Quarter",
                                        "Month",
                                        "Monday",
                                        "Tuesday",
                                        "Wednesday",
                                        "Thursday",
                                        "Friday",
                                        "Saturday",
                                        "Sunday",
                                        "January",
                                        "February",
                                        "March",
                                        "April",
                                        "May",
                                        "June",
                                        "July",
                                        "August",
                                        "September",
                                        "October",
                                        "November",
                                        "December",
                                        "Principal",
                                        "Business",
                                        "Operations",
                                        "Results",
                                        "Liquidity",
                                        "Resources",
                                        "Critical",
                                        "Policies",
                                        "Estimates",
                                        "Executives",
                                        "Named",
                                        "Summary",
                                        "Overview",
                                        "Item",
                                        "Corporate",
                                        "Interim",
                                        "Acting",
                                        "Former",
                                        "Lead",
                                        "Presiding",
                                        "Human",
                                        "Capital",
                                        "Technology",
                                        "Information",
                                        "Security",
                                        "Cybersecurity",
                                        "Compliance",
                                        "Sustainability",
                                        "Environmental",
                                        "Social",
                                        "Share",
                                        "Shares",
                                        "Dividend",
                                        "Dividends",
                                        "Warrant",
                                        "Warrants",
                                        "Notes",
                                        "Senior",
                                        "Secured",
                                        "Unsecured",
                                        "Term",
                                        "Loan",
                                        "Revolving",
                                        "Tax",
                                        "Taxes",
                                        "Law",
                                        "Laws",
                                        "Regulation",
                                        "Regulations",
                                        "Rule",
                                        "Rules",
                                        "Medicare",
                                        "Medicaid",
                                        "Health",
                                        "Care",
                                        "Affordable",
                                        "Products",
                                        "Product",
                                        "Sales",
                                        "Marketing",
                                        "Research",
                                        "Development",
                                        "Cost",
                                        "Costs",
                                        "Operating",
                                        "Other",
                                        "Gross",
                                        "Profit",
                                        "Loss",
                                        "Cash",
                                        "Flows",
                                        "Balance",
                                        "Sheets",
                                        "Sheet",
                                        "Annex",
                                        "Schedule",
                                        "Appendix",
                                        "Registrant",
                                        "Registrants",
                                        "Commission",
                                        "Hon",
                                        "Limited",
                                        "Ltd",
                                        "Corp",
                                        "LLC",
                                        "LLP",
                                        "Plc",
                                        "PLC",
                                        "Chairwoman",
                                        "Chairperson",
                                        "CEO",
                                        "CFO",
                                        "COO",
                                        "Co",
                                        "Mr",
                                        "Mrs",
                                        "Ms",
                                        "Dr",
                                        "Digital",
                                        "Media",
                                        "Cloud",
                                        "Experience",
                                        "Property",
                                        "Intellectual",
                                        "Transactions",
                                        "Related",
                                        "Grant",
                                        "Restricted",
                                        "Employee",
                                        "Employees",
                                        "Worldwide",
                                        "Field",
                                        "Software",
                                        "Platform",
                                        "Document",
                                        "Documents",
                                        "Creative",
                                        "Finance",
                                        "Strategy",
                                        "Engineering",
                                        "Data",
                                        "Analytics",
                                        "Customer",
                                        "Customers",
                                        "Independence",
                                        "Relationships",
                                        "Certain",
                                        "Materials",
                                        "Applied",
                                        "Partners",
                                        "Chair",
                                        "Manager",
                                        "Managers",
                                        NULL};

/* Roles, as lower-case word sequences; the first word decides a quick test. */
static const char *const roles[] = {"chief executive officer",
                                    "chief financial officer",
                                    "chief operating officer",
                                    "chief accounting officer",
                                    "chief legal officer",
                                    "chief technology officer",
                                    "chief compliance officer",
                                    "chief risk officer",
                                    "chief investment officer",
                                    "chief marketing officer",
                                    "chief people officer",
                                    "principal executive officer",
                                    "principal financial officer",
                                    "principal accounting officer",
                                    "executive vice president",
                                    "senior vice president",
                                    "vice president",
                                    "vice chairman",
                                    "executive chairman",
                                    "president",
                                    "chairman",
                                    "chairwoman",
                                    "chairperson",
                                    "chair",
                                    "independent director",
                                    "non executive director",
                                    "executive director",
                                    "managing director",
                                    "nominee director",
                                    "director",
                                    "corporate secretary",
                                    "secretary",
                                    "treasurer",
                                    "general counsel",
                                    "controller",
                                    "co founder",
                                    "founder",
                                    "ceo",
                                    "cfo",
                                    "coo",
                                    "cto",
                                    "managing partner",
                                    "general partner",
                                    "trustee",
                                    "beneficial owner",
                                    "executive officer",
                                    "officer",
                                    NULL};

static const char *const fillers[] = {
    "our",   "the",    "its",    "a",         "an",   "as",        "is",       "was",     "who",    "serves", "served",
    "has",   "been",   "former", "current",   "then", "currently", "formerly", "interim", "acting", "also",   "will",
    "serve", "became", "named",  "appointed", "his",  "her",       "their",    "lead",    "sole",   NULL};

static int name_word(const char *t, const tok *k, int allcaps_ok)
{
    size_t n = core_len(t, k);
    if (!upper_start(t, k) || tok_in(t, k, not_names))
        return 0;
    if (n == 1)
        return 2; /* an initial */
    /* "J.P." initials */
    int dotted = 1;
    for (size_t i = 0; i < k->len; i++) {
        char c = t[k->off + i];
        if (!((i % 2 == 0 && isupper((unsigned char)c)) || (i % 2 == 1 && c == '.')))
            dotted = 0;
    }
    if (dotted && k->len >= 2)
        return 2;
    if (!has_lower(t, k) && !allcaps_ok)
        return 0;
    /* "Adobe’s" is a possessive, not a name word */
    if ((n > 2 && t[k->off + n - 2] == '\'' && t[k->off + n - 1] == 's') ||
        (n > 4 && !memcmp(t + k->off + n - 4, "\xE2\x80\x99s", 4)))
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)t[k->off + i];
        if (isdigit(c) || c == '&')
            return 0;
    }
    char buf[64];
    if (n < sizeof buf) {
        memcpy(buf, t + k->off, n);
        buf[n] = '\0';
        if (ds_country_code(buf, NULL))
            return 0;
    }
    return 1;
}

/* Name words from token i: returns how many tokens the name spans (0 when no name), needing
 * at least min_words full words; the name ends on a full word (a suffix may follow). */
static size_t collect_name(const char *t, const tok *tk, size_t nt, size_t i, int min_words, int allcaps_ok)
{
    size_t j = i, last_word_end = 0;
    int words = 0;
    while (j < nt && j - i < 6) {
        const tok *k = &tk[j];
        if (j > i && (k->gap != GAP_SPACE || ends_sentence(t, &tk[j - 1]) || k->in_org)) {
            /* "John Smith, Jr." */
            if (j > i && k->gap == GAP_COMMA && tok_in(t, k, name_suffixes) && words >= 2)
                last_word_end = j + 1;
            break;
        }
        if (k->in_org)
            break;
        int w = name_word(t, k, allcaps_ok);
        if (w == 1) {
            words++;
            last_word_end = j + 1;
        } else if (w == 2) {
            /* initial: fine inside a name */
        } else if (j > i && tok_in(t, k, particles)) {
            /* particle */
        } else if (j > i && tok_in(t, k, name_suffixes) && words >= 2) {
            last_word_end = j + 1;
            j++;
            break;
        } else {
            break;
        }
        j++;
        if (words >= 4)
            break;
    }
    if (words < min_words || !last_word_end)
        return 0;
    /* the first token must be a name word or an initial */
    if (!name_word(t, &tk[i], allcaps_ok))
        return 0;
    return last_word_end - i;
}

/* A role starting at token i: number of tokens it spans, else 0. */
static size_t role_at(const char *t, const tok *tk, size_t nt, size_t i)
{
    int c0 = tolower((unsigned char)t[tk[i].off]);
    if (!c0 || !strchr("bcdefgimnopstv", c0))
        return 0; /* no role starts with another letter */
    for (size_t r = 0; roles[r]; r++) {
        if (roles[r][0] != c0)
            continue;
        const char *p = roles[r];
        size_t j = i;
        int ok = 1;
        while (*p) {
            const char *sp = strchr(p, ' ');
            size_t wl = sp ? (size_t)(sp - p) : strlen(p);
            if (j >= nt || (j > i && tk[j].gap != GAP_SPACE && !(tk[j].gap == GAP_BREAK && t[tk[j].off - 1] == '-'))) {
                ok = 0;
                break;
            }
            size_t n = core_len(t, &tk[j]);
            /* a hyphenated token "Co-Founder" or "Non-Executive" spans two role words */
            const char *tw = t + tk[j].off;
            if (n == wl && strncasecmp(tw, p, wl) == 0) {
                j++;
                p += wl;
                if (*p == ' ')
                    p++;
                continue;
            }
            if (sp && n > wl && tw[wl] == '-') {
                const char *p2 = sp + 1;
                const char *sp2 = strchr(p2, ' ');
                size_t wl2 = sp2 ? (size_t)(sp2 - p2) : strlen(p2);
                if (strncasecmp(tw, p, wl) == 0 && n == wl + 1 + wl2 && strncasecmp(tw + wl + 1, p2, wl2) == 0) {
                    j++;
                    p = sp2 ? sp2 + 1 : p2 + wl2;
                    continue;
                }
            }
            ok = 0;
            break;
        }
        if (ok)
            return j - i;
    }
    return 0;
}

static ds_status add_person(ds_document *doc, const ds_chunk_list *chunks, tok *tk, size_t i, size_t n, const char *how,
                            const char *detail, ds_entity_list *out)
{
    const char *t = doc->text.data;
    size_t off = tk[i].off, end = tk[i + n - 1].off + tk[i + n - 1].len;
    if (t[end - 1] == '.' && core_len(t, &tk[i + n - 1]) > 1 && !tok_in(t, &tk[i + n - 1], name_suffixes))
        end--;
    char attrs[256], esc[160];
    json_body(detail ? detail : "", detail ? strlen(detail) : 0, esc, sizeof esc);
    snprintf(attrs, sizeof attrs, "{\"found_by\":\"%s\"%s%s%s}", how, detail ? ",\"context\":\"" : "",
             detail ? esc : "", detail ? "\"" : "");
    return ds_entity_add(doc, chunks, out, DS_ENTITY_PERSON, off, end - off, detail, attrs, NULL, NULL);
}

static void role_text(const char *t, const tok *tk, size_t i, size_t n, char *out, size_t cap)
{
    size_t s = tk[i].off, e = tk[i + n - 1].off + core_len(t, &tk[i + n - 1]);
    size_t l = e - s < cap - 1 ? e - s : cap - 1;
    memcpy(out, t + s, l);
    out[l] = '\0';
}

static ds_status find_persons(ds_document *doc, const ds_chunk_list *chunks, tok *tk, size_t nt, ds_entity_list *out)
{
    const char *t = doc->text.data;
    ds_status st = DS_OK;
    for (size_t i = 0; i < nt && st == DS_OK; i++) {
        if (tk[i].in_org)
            continue;
        char detail[96];
        size_t n;
        /* 1. after a title: "Mr. Smith", "Dr. Jane A. Doe" */
        if (tok_in(t, &tk[i], titles) && i + 1 < nt && tk[i + 1].gap == GAP_SPACE &&
            (n = collect_name(t, tk, nt, i + 1, 1, 0)) > 0) {
            role_text(t, tk, i, 1, detail, sizeof detail);
            st = add_person(doc, chunks, tk, i + 1, n, "title", detail, out);
            i += n;
            continue;
        }
        /* 2. a signature: "/s/ John Smith" */
        if (tk[i].signed_ && (n = collect_name(t, tk, nt, i, 2, 1)) > 0) {
            st = add_person(doc, chunks, tk, i, n, "signature", NULL, out);
            i += n - 1;
            continue;
        }
        /* 3. role, then the name: "Chief Executive Officer John Smith", "director Jane Doe" */
        size_t r = role_at(t, tk, nt, i);
        if (r) {
            size_t j = i + r;
            /* "Chairman of the Board (of Directors)", "President and Chief Executive Officer" */
            for (;;) {
                if (j + 2 < nt && tok_is(t, &tk[j], "of") && tok_is(t, &tk[j + 1], "the") &&
                    tok_is(t, &tk[j + 2], "Board") && tk[j].gap == GAP_SPACE) {
                    j += 3;
                    if (j + 1 < nt && tok_is(t, &tk[j], "of") && tok_is(t, &tk[j + 1], "Directors"))
                        j += 2;
                } else if (j + 1 < nt && tok_is(t, &tk[j], "and") && tk[j].gap == GAP_SPACE &&
                           role_at(t, tk, nt, j + 1)) {
                    j += 1 + role_at(t, tk, nt, j + 1);
                } else {
                    break;
                }
            }
            /* only a space between role and name: "President, Digital Media" names a business */
            if (j < nt && tk[j].gap == GAP_SPACE && !tk[j].in_org && (n = collect_name(t, tk, nt, j, 2, 0)) > 0) {
                role_text(t, tk, i, r, detail, sizeof detail);
                st = add_person(doc, chunks, tk, j, n, "role_before", detail, out);
                i = j + n - 1;
                continue;
            }
            i += r - 1;
            continue;
        }
        /* 4. the name, then a role: "John Smith, our Chief Financial Officer" */
        if (i > 0 && name_word(t, &tk[i - 1], 0) == 1 && tk[i].gap == GAP_SPACE && !ends_sentence(t, &tk[i - 1]))
            continue; /* not the start of a capitalised sequence */
        if ((n = collect_name(t, tk, nt, i, 2, 0)) > 0) {
            size_t j = i + n, skipped = 0;
            if (j < nt && (tk[j].gap == GAP_COMMA || tk[j].gap == GAP_BREAK) && !ends_sentence(t, &tk[j - 1]) &&
                t[tk[j].off - 1] != '\n') {
                while (j < nt && skipped < 4 && tok_in_ci(t, &tk[j], fillers) && !role_at(t, tk, nt, j)) {
                    j++;
                    skipped++;
                }
                size_t rr = j < nt ? role_at(t, tk, nt, j) : 0;
                if (rr) {
                    role_text(t, tk, j, rr, detail, sizeof detail);
                    st = add_person(doc, chunks, tk, i, n, "role_after", detail, out);
                    i = j + rr - 1;
                    continue;
                }
            }
        }
    }
    return st;
}

ds_status ds_extract_entities(ds_document *doc, const ds_chunk_list *chunks, ds_entity_list *out, ds_err *err)
{
    tok_vec tv = {0};
    ds_status st = tokenize(doc->text.data ? doc->text.data : "", doc->text.len, &tv);
    if (st == DS_OK)
        st = find_orgs(doc, chunks, tv.v, tv.n, out);
    if (st == DS_OK)
        st = find_persons(doc, chunks, tv.v, tv.n, out);
    DS_VEC_FREE(tv);
    if (st)
        return ds_err_set(err, st, "out of memory finding names in %s", doc->name ? doc->name : "document");
    return DS_OK;
}
