/* redflags.c - the documented list of AML red-flag phrases (extract/redflags.md shows it) and
 * their search in a document's text. A phrase matches case-insensitively at word boundaries, a
 * space in it also matching a hyphen or a line break ("cash intensive" finds "cash-intensive");
 * a match is voided by a suppression cue in its sentence (the 10-K cover page asks every
 * registrant whether it "is a shell company") or, for some flags, by "anti-" right before it
 * ("anti-money laundering").
 * Owns: read-only tables. Threading: reentrant.
 */
#include "extract/entities.h"

#include "extract/evidence.h"
#include "pipeline/core/log.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define L(...) (const char *const[]){__VA_ARGS__, NULL}
#define NONE (const char *const[]){NULL}

static const ds_redflag flags[] = {
    {"RF-SHELL", "shell company", "entities with no operations or assets, used to hide ownership or move funds",
     L("shell company", "shell companies", "shell corporation", "shell corporations", "shell entity",
       "shell entities"),
     L("indicate by check mark", "check mark whether"), 0},
    {"RF-NOMINEE", "nominee director or shareholder", "a person holding a role or shares for someone undisclosed",
     L("nominee director", "nominee directors", "nominee shareholder", "nominee shareholders", "nominee owner",
       "nominee owners", "nominee arrangement", "nominee arrangements"),
     NONE, 0},
    {"RF-BEARER", "bearer shares", "ownership passes with the paper, leaving no register of owners",
     L("bearer shares", "bearer share", "bearer bonds", "bearer securities", "bearer instruments"), NONE, 0},
    {"RF-OFFSHORE", "offshore structure", "accounts or vehicles placed outside the home jurisdiction",
     L("offshore account", "offshore accounts", "offshore bank account", "offshore bank accounts",
       "offshore company", "offshore companies", "offshore entity", "offshore entities", "offshore trust",
       "offshore trusts", "offshore structure", "offshore structures", "offshore vehicle", "offshore vehicles",
       "offshore shell"),
     NONE, 0},
    {"RF-TAXHAVEN", "tax haven", "low-tax, low-disclosure jurisdictions",
     L("tax haven", "tax havens", "secrecy jurisdiction", "secrecy jurisdictions"), NONE, 0},
    {"RF-CASH", "cash-intensive business", "cash lets funds enter without a bank record",
     L("cash intensive", "large cash deposits", "large cash transactions", "bulk cash"), NONE, 0},
    {"RF-CORRESP", "correspondent account", "a bank serving another bank's customers it does not know",
     L("correspondent account", "correspondent accounts", "correspondent banking", "nested correspondent",
       "payable through account", "payable through accounts"),
     NONE, 0},
    {"RF-LAYERED", "layered ownership", "ownership chains that hide the beneficial owner",
     L("layered ownership", "layers of ownership", "multiple layers of", "complex ownership structure",
       "complex ownership structures", "opaque ownership", "circular ownership"),
     NONE, 0},
    {"RF-EVASION", "sanctions evasion", "dealing around sanctions or breaching them",
     L("sanctions evasion", "evade sanctions", "evading sanctions", "evasion of sanctions", "circumvent sanctions",
       "circumventing sanctions", "circumvention of sanctions", "sanctions violation", "sanctions violations",
       "violation of sanctions", "violations of sanctions", "violated sanctions"),
     NONE, 0},
    {"RF-SANCTIONED", "sanctioned parties", "business with sanctioned countries, persons or entities",
     L("sanctioned countries", "sanctioned country", "sanctioned jurisdictions", "sanctioned jurisdiction",
       "sanctioned persons", "sanctioned person", "sanctioned entities", "sanctioned entity",
       "sanctioned individuals", "sanctioned parties", "specially designated nationals", "sdn list"),
     L("may not", " could ", "screening", "procedures", "policies", "prohibit", "comply with", "compliance"), 0},
    {"RF-LAUNDERING", "money laundering", "laundering named as a fact, an allegation or an investigation",
     L("money laundering", "laundering of proceeds", "laundered funds", "launder money", "launder funds"), NONE, 1},
    {"RF-STRUCTURING", "structuring", "splitting transactions to stay under reporting thresholds",
     L("structuring of deposits", "structuring transactions", "structured transactions to avoid", "smurfing",
       "avoid currency transaction reporting", "avoid reporting requirements"),
     NONE, 0},
    {"RF-FRONT", "front company or straw man", "a company or person standing in for the real party",
     L("front company", "front companies", "straw man", "strawman", "straw buyer", "straw buyers", "straw owner"),
     NONE, 0},
    {"RF-TBML", "trade-based laundering", "value moved through mispriced or fictitious trade",
     L("over invoicing", "under invoicing", "trade based money laundering", "phantom shipment",
       "phantom shipments", "false invoicing", "fictitious invoices"),
     NONE, 0},
    {"RF-PEP", "politically exposed person", "officials and their relatives carry corruption risk",
     L("politically exposed person", "politically exposed persons"), NONE, 0},
    {"RF-BRIBERY", "bribery", "payments to obtain business improperly",
     L("bribery", "bribes", "bribe", "kickback", "kickbacks", "improper payments"),
     L("prohibit", "policies", "policy"), 1},
    {"RF-ENFORCEMENT", "enforcement action", "a settled or pending criminal or regulatory action",
     L("deferred prosecution agreement", "non prosecution agreement", "consent order", "cease and desist order",
       "plea agreement", "pleaded guilty", "guilty plea", "monitorship"),
     NONE, 0},
    {"RF-HAWALA", "informal value transfer", "money moved outside the banking system",
     L("hawala", "informal value transfer", "underground banking"), NONE, 0},
    {"RF-FTZ", "free trade zone", "zones with light customs and ownership checks",
     L("free trade zone", "free trade zones", "free zone", "free zones"), NONE, 0},
    {"RF-SOURCE", "unexplained source of funds", "money whose origin is not known",
     L("unexplained wealth", "unknown source of funds", "unexplained source of funds",
       "unverified source of funds", "source of funds could not be"),
     NONE, 0},
    {"RF-MIXER", "crypto mixing", "services that break the trail of crypto-asset transfers",
     L("cryptocurrency mixer", "crypto mixer", "mixing service", "mixing services", "tumbler service",
       "privacy coins"),
     NONE, 0},
};

const ds_redflag *ds_redflags(size_t *n)
{
    *n = sizeof flags / sizeof flags[0];
    return flags;
}

static int joiner(unsigned char c)
{
    return c == ' ' || c == '-' || c == '\n' || c == '\t' || c == '\r';
}

/* Length of the phrase matched at t[i], 0 when none. */
static size_t match_phrase(const char *t, size_t tl, size_t i, const char *phrase)
{
    size_t j = i;
    for (const char *p = phrase; *p; p++) {
        if (*p == ' ') {
            size_t k = j;
            while (k < tl && joiner((unsigned char)t[k]))
                k++;
            /* "\xC2\xA0" (no-break space) too */
            while (k + 1 < tl && (unsigned char)t[k] == 0xC2 && (unsigned char)t[k + 1] == 0xA0)
                k += 2;
            if (k == j)
                return 0;
            j = k;
            continue;
        }
        if (j >= tl || tolower((unsigned char)t[j]) != *p)
            return 0;
        j++;
    }
    if (j < tl && (isalnum((unsigned char)t[j]) || (unsigned char)t[j] >= 0x80))
        return 0;
    return j - i;
}

static int after_anti(const char *t, size_t i)
{
    size_t k = i;
    while (k > 0 && joiner((unsigned char)t[k - 1]))
        k--;
    static const char *const pre[] = {"anti", "counter", "counter-", NULL};
    for (size_t p = 0; pre[p]; p++) {
        size_t n = strlen(pre[p]);
        if (k >= n && strncasecmp(t + k - n, pre[p], n) == 0 && (k == n || !isalpha((unsigned char)t[k - n - 1])))
            return 1;
    }
    return 0;
}

static int suppressed(const ds_document *doc, const ds_chunk_list *chunks, const ds_redflag *f, size_t off,
                      size_t len)
{
    if (!f->suppress[0])
        return 0;
    size_t s, e;
    ds_evidence_sentence(doc, chunks, off, len, &s, &e);
    char low[DS_EVIDENCE_MAX_QUOTE + 1];
    size_t n = e - s < DS_EVIDENCE_MAX_QUOTE ? e - s : DS_EVIDENCE_MAX_QUOTE;
    for (size_t k = 0; k < n; k++)
        low[k] = (char)tolower((unsigned char)doc->text.data[s + k]);
    low[n] = '\0';
    for (size_t k = 0; f->suppress[k]; k++)
        if (strstr(low, f->suppress[k]))
            return 1;
    return 0;
}

ds_status ds_extract_redflags(ds_document *doc, const ds_chunk_list *chunks, ds_entity_list *out, ds_err *err)
{
    const char *t = doc->text.data ? doc->text.data : "";
    size_t tl = doc->text.len;
    const size_t nf = sizeof flags / sizeof flags[0];
    for (size_t i = 0; i < tl;) {
        unsigned char c = (unsigned char)tolower((unsigned char)t[i]);
        if (!isalpha(c) || (i > 0 && (isalnum((unsigned char)t[i - 1]) || (unsigned char)t[i - 1] >= 0x80))) {
            i++;
            continue;
        }
        const ds_redflag *best = NULL;
        size_t bl = 0;
        for (size_t f = 0; f < nf; f++)
            for (size_t p = 0; flags[f].phrases[p]; p++) {
                if ((unsigned char)flags[f].phrases[p][0] != c)
                    continue;
                size_t n = match_phrase(t, tl, i, flags[f].phrases[p]);
                if (n > bl) {
                    bl = n;
                    best = &flags[f];
                }
            }
        if (!best) {
            i++;
            continue;
        }
        if ((best->no_anti && after_anti(t, i)) || suppressed(doc, chunks, best, i, bl)) {
            i += bl;
            continue;
        }
        char attrs[256], cat[128];
        ds_json_escape(cat, sizeof cat, best->category);
        snprintf(attrs, sizeof attrs, "{\"rule\":\"%s\",\"category\":\"%s\"}", best->id, cat);
        ds_status st = ds_entity_add(doc, chunks, out, DS_ENTITY_RED_FLAG, i, bl, best->id, attrs, NULL, best);
        if (st)
            return ds_err_set(err, st, "out of memory listing red flags of %s", doc->name ? doc->name : "document");
        i += bl;
    }
    return DS_OK;
}

ds_status ds_redflags_table(ds_buf *out)
{
    ds_status st = ds_buf_puts(out, "| id | category | phrases | not counted when | why |\n"
                                    "| --- | --- | --- | --- | --- |\n");
    for (size_t f = 0; f < sizeof flags / sizeof flags[0] && st == DS_OK; f++) {
        st = ds_buf_printf(out, "| %s | %s | ", flags[f].id, flags[f].category);
        for (size_t p = 0; flags[f].phrases[p] && st == DS_OK; p++)
            st = ds_buf_printf(out, "%s\"%s\"", p ? ", " : "", flags[f].phrases[p]);
        if (st == DS_OK)
            st = ds_buf_puts(out, " | ");
        const char *sep = "";
        if (flags[f].no_anti && st == DS_OK) {
            st = ds_buf_puts(out, "right after \"anti-\" or \"counter-\"");
            sep = "; ";
        }
        if (flags[f].suppress[0] && st == DS_OK) {
            st = ds_buf_printf(out, "%sthe sentence has ", sep);
            for (size_t k = 0; flags[f].suppress[k] && st == DS_OK; k++)
                st = ds_buf_printf(out, "%s\"%s\"", k ? " or " : "", flags[f].suppress[k]);
            sep = "; ";
        }
        if (!*sep && st == DS_OK)
            st = ds_buf_puts(out, "-");
        if (st == DS_OK)
            st = ds_buf_printf(out, " | %s |\n", flags[f].description);
    }
    return st;
}
