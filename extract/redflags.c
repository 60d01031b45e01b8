/* redflags.c - the documented list of AML red-flag phrases (extract/redflags.md shows it) and
 * their search in a document's text. A phrase matches case-insensitively at word boundaries, a
 * space in it also matching a hyphen or a line break ("cash intensive" finds "cash-intensive");
 * a match is voided by a suppression cue in its sentence (the 10-K cover page asks every
 * registrant whether it "is a shell company"), for some flags by "anti-" right before it
 * ("anti-money laundering"), and by the reading of its sentence (redflags_context.c): a phrase
 * said in general terms does not count, and the event rules (inquiry, enforcement, violation,
 * covenant, going concern) count only where the sentence reports an event.
 * Owns: read-only tables. Threading: reentrant.
 */
#include "extract/entities.h"

#include "extract/evidence.h"
#include "extract/redflags_internal.h"
#include "pipeline/core/log.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define L(...)            \
    (const char *const[]) \
    {                     \
        __VA_ARGS__, NULL \
    }
#define NONE              \
    (const char *const[]) \
    {                     \
        NULL              \
    }

static const ds_redflag flags[] = {
    {"RF-SHELL", "shell company", "entities with no operations or assets, used to hide ownership or move funds",
     L("shell company", "shell companies", "shell corporation", "shell corporations", "shell entity", "shell entities"),
     L("indicate by check mark", "check mark whether"), 0, 0, NONE},
    {"RF-NOMINEE", "nominee director or shareholder", "a person holding a role or shares for someone undisclosed",
     L("nominee director", "nominee directors", "nominee shareholder", "nominee shareholders", "nominee owner",
       "nominee owners", "nominee arrangement", "nominee arrangements"),
     NONE, 0, 0, NONE},
    {"RF-BEARER", "bearer shares", "ownership passes with the paper, leaving no register of owners",
     L("bearer shares", "bearer share", "bearer bonds", "bearer securities", "bearer instruments"), NONE, 0, 0, NONE},
    {"RF-OFFSHORE", "offshore structure", "accounts or vehicles placed outside the home jurisdiction",
     L("offshore account", "offshore accounts", "offshore bank account", "offshore bank accounts", "offshore company",
       "offshore companies", "offshore entity", "offshore entities", "offshore trust", "offshore trusts",
       "offshore structure", "offshore structures", "offshore vehicle", "offshore vehicles", "offshore shell"),
     NONE, 0, 0, NONE},
    {"RF-TAXHAVEN", "tax haven", "low-tax, low-disclosure jurisdictions",
     L("tax haven", "tax havens", "secrecy jurisdiction", "secrecy jurisdictions"), NONE, 0, 0, NONE},
    {"RF-CASH", "cash-intensive business", "cash lets funds enter without a bank record",
     L("cash intensive", "large cash deposits", "large cash transactions", "bulk cash"), NONE, 0, 0, NONE},
    {"RF-CORRESP", "correspondent account", "a bank serving another bank's customers it does not know",
     L("correspondent account", "correspondent accounts", "correspondent banking", "nested correspondent",
       "payable through account", "payable through accounts"),
     NONE, 0, 0, NONE},
    {"RF-LAYERED", "layered ownership", "ownership chains that hide the beneficial owner",
     L("layered ownership", "layers of ownership", "multiple layers of", "complex ownership structure",
       "complex ownership structures", "opaque ownership", "circular ownership"),
     NONE, 0, 0, NONE},
    {"RF-EVASION", "sanctions evasion", "dealing around sanctions or breaching them",
     L("sanctions evasion", "evade sanctions", "evading sanctions", "evasion of sanctions", "circumvent sanctions",
       "circumventing sanctions", "circumvention of sanctions", "sanctions violation", "sanctions violations",
       "violation of sanctions", "violations of sanctions", "violated sanctions"),
     NONE, 0, 0, NONE},
    {"RF-SANCTIONED", "sanctioned parties", "business with sanctioned countries, persons or entities",
     L("sanctioned countries", "sanctioned country", "sanctioned jurisdictions", "sanctioned jurisdiction",
       "sanctioned persons", "sanctioned person", "sanctioned entities", "sanctioned entity", "sanctioned individuals",
       "sanctioned parties", "specially designated nationals", "sdn list", "subject to economic sanctions",
       "subject to sanctions", "specific license", "united states sanctions", "u.s. sanctions"),
     L("may not", " could ", "screening", "procedures", "policies", "prohibit", "comply with", "compliance"), 0, 0,
     NONE},
    {"RF-LAUNDERING", "money laundering", "laundering named as a fact, an allegation or an investigation",
     L("money laundering", "laundering of proceeds", "laundered funds", "launder money", "launder funds"), NONE, 1, 0,
     NONE},
    {"RF-STRUCTURING", "structuring", "splitting transactions to stay under reporting thresholds",
     L("structuring of deposits", "structuring transactions", "structured transactions to avoid", "smurfing",
       "avoid currency transaction reporting", "avoid reporting requirements"),
     NONE, 0, 0, NONE},
    {"RF-FRONT", "front company or straw man", "a company or person standing in for the real party",
     L("front company", "front companies", "straw man", "strawman", "straw buyer", "straw buyers", "straw owner"), NONE,
     0, 0, NONE},
    {"RF-TBML", "trade-based laundering", "value moved through mispriced or fictitious trade",
     L("over invoicing", "under invoicing", "trade based money laundering", "phantom shipment", "phantom shipments",
       "false invoicing", "fictitious invoices"),
     NONE, 0, 0, NONE},
    {"RF-PEP", "politically exposed person", "officials and their relatives carry corruption risk",
     L("politically exposed person", "politically exposed persons"), NONE, 0, 0, NONE},
    {"RF-BRIBERY", "bribery", "payments to obtain business improperly",
     L("bribery", "bribes", "bribe", "kickback", "kickbacks", "improper payments"),
     L("prohibit", "policies", "policy", "bribery act"), 1, 0, NONE},
    {"RF-ENFORCEMENT", "enforcement action", "a consent order, settlement, plea or penalty the company is under",
     L("deferred prosecution agreement", "non prosecution agreement", "consent order", "consent orders",
       "consent decree", "consent decrees", "administrative consent order", "cease and desist order", "plea agreement",
       "guilty plea", "monitorship", "civil penalty", "civil penalties", "enforceable undertaking",
       "corporate integrity agreement", "penalty order"),
     NONE, 0, 1, L("pleaded guilty", "consented to a civil penalty", "settled the", "settled a")},
    {"RF-INQUIRY", "government inquiry", "a subpoena, demand or investigation the company received or is under",
     L("subpoena", "subpoenas", "grand jury subpoena", "civil investigative demand", "civil investigative demands",
       "cids", "investigation", "investigations", "inquiry", "inquiries", "investigating", "request for information",
       "requests for information", "wells notice"),
     NONE, 0, 1, NONE},
    {"RF-VIOLATION", "violation disclosed", "a violation the company disclosed or a regulator found or charged",
     L("violation", "violations", "violated", "notice of violation", "finding of violation", "non compliance"),
     L("class action", "plaintiff", "plaintiffs", "putative", "complaint", "complaints", "lawsuit", "qui tam",
       "legal proceeding", "alleging that", "infringement", "infringing"),
     0, 1,
     L("self reported", "voluntarily disclosed", "voluntary self disclosure", "voluntary self disclosures",
       "self disclosure", "self disclosures")},
    {"RF-COVENANT", "covenant breach", "a broken loan covenant or an event of default that occurred",
     L("covenant", "covenants", "event of default", "events of default"),
     L("not to compete", "restrictive covenant agreement"), 0, 1,
     L("technical default", "technical defaults", "covenant violation", "covenant violations", "covenant breach",
       "breach of covenant", "breached the covenant", "breached covenants", "not in compliance with the covenants")},
    {"RF-GOINGCONCERN", "going-concern doubt", "doubt that the company can meet its obligations for a year",
     L("going concern doubt"), NONE, 0, 0,
     L("substantial doubt about", "substantial doubt regarding", "going concern is dependent",
       "going concern depends")},
    {"RF-HAWALA", "informal value transfer", "money moved outside the banking system",
     L("hawala", "informal value transfer", "underground banking"), NONE, 0, 0, NONE},
    {"RF-FTZ", "free trade zone", "zones with light customs and ownership checks",
     L("free trade zone", "free trade zones", "free zone", "free zones"), NONE, 0, 0, NONE},
    {"RF-SOURCE", "unexplained source of funds", "money whose origin is not known",
     L("unexplained wealth", "unknown source of funds", "unexplained source of funds", "unverified source of funds",
       "source of funds could not be"),
     NONE, 0, 0, NONE},
    {"RF-MIXER", "crypto mixing", "services that break the trail of crypto-asset transfers",
     L("cryptocurrency mixer", "crypto mixer", "mixing service", "mixing services", "tumbler service", "privacy coins"),
     NONE, 0, 0, NONE},
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

size_t ds_redflag_match_phrase(const char *t, size_t tl, size_t i, const char *phrase)
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
    if (j < tl && ds_redflag_word_char((unsigned char)t[j]))
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

/* Does the lower-cased sentence low hold one of f's suppression cues? */
static int suppressed(const char *low, const ds_redflag *f)
{
    for (size_t k = 0; f->suppress[k]; k++)
        if (strstr(low, f->suppress[k]))
            return 1;
    return 0;
}

/* The longest phrase of any flag at t[i]: its flag (NULL none), *len and *act (a phrase of the
 * flag's acts). */
static const ds_redflag *longest_at(const char *t, size_t tl, size_t i, size_t *len, int *act)
{
    const ds_redflag *best = NULL;
    unsigned char c = (unsigned char)tolower((unsigned char)t[i]);
    *len = 0;
    for (size_t f = 0; f < sizeof flags / sizeof flags[0]; f++)
        for (int a = 0; a < 2; a++) {
            const char *const *ph = a ? flags[f].acts : flags[f].phrases;
            for (size_t p = 0; ph[p]; p++) {
                if ((unsigned char)ph[p][0] != c)
                    continue;
                size_t n = ds_redflag_match_phrase(t, tl, i, ph[p]);
                if (n > *len) {
                    *len = n;
                    *act = a;
                    best = &flags[f];
                }
            }
        }
    return best;
}

static ds_status add_flag(ds_document *doc, const ds_chunk_list *chunks, ds_entity_list *out, const ds_redflag *f,
                          size_t off, size_t len, ds_err *err)
{
    char attrs[256], cat[128];
    ds_json_escape(cat, sizeof cat, f->category);
    snprintf(attrs, sizeof attrs, "{\"rule\":\"%s\",\"category\":\"%s\"}", f->id, cat);
    ds_status st = ds_entity_add(doc, chunks, out, DS_ENTITY_RED_FLAG, off, len, f->id, attrs, NULL, f);
    if (st)
        return ds_err_set(err, st, "out of memory listing red flags of %s", doc->name ? doc->name : "document");
    return DS_OK;
}

static ds_status scan(ds_document *doc, const ds_chunk_list *chunks, ds_entity_list *out, int read, ds_err *err)
{
    const char *t = doc->text.data ? doc->text.data : "";
    size_t tl = doc->text.len;
    for (size_t i = 0; i < tl;) {
        if (!isalpha((unsigned char)t[i]) || (i > 0 && ds_redflag_word_char((unsigned char)t[i - 1]))) {
            i++;
            continue;
        }
        size_t bl = 0;
        int act = 0;
        const ds_redflag *best = longest_at(t, tl, i, &bl, &act);
        if (!best) {
            i++;
            continue;
        }
        /* the sentence, lower-cased once for the suppression cues and the reading of it
         * (ds_evidence_sentence keeps it within DS_EVIDENCE_MAX_QUOTE bytes) */
        size_t s, e;
        ds_evidence_sentence(doc, chunks, i, bl, &s, &e);
        char low[DS_EVIDENCE_MAX_QUOTE + 1];
        size_t n = e - s < DS_EVIDENCE_MAX_QUOTE ? e - s : DS_EVIDENCE_MAX_QUOTE;
        for (size_t k = 0; k < n; k++)
            low[k] = (char)tolower((unsigned char)t[s + k]);
        low[n] = '\0';
        int keep = !(best->no_anti && after_anti(t, i)) && !suppressed(low, best);
        if (keep && read) /* a match the sentence does not wholly hold has no context to read */
            keep = s <= i && i + bl <= s + n ? ds_redflag_context_keeps(best, act, low, n, i - s, bl)
                                             : !best->needs_event;
        if (keep) {
            ds_status st = add_flag(doc, chunks, out, best, i, bl, err);
            if (st)
                return st;
        }
        i += bl;
    }
    return DS_OK;
}

ds_status ds_extract_redflags(ds_document *doc, const ds_chunk_list *chunks, ds_entity_list *out, ds_err *err)
{
    return scan(doc, chunks, out, 1, err);
}

ds_status ds_extract_redflags_phrases(ds_document *doc, const ds_chunk_list *chunks, ds_entity_list *out, ds_err *err)
{
    return scan(doc, chunks, out, 0, err);
}

static ds_status list_phrases(ds_buf *out, const char *const *ph, const char *sep)
{
    ds_status st = DS_OK;
    for (size_t p = 0; ph[p] && st == DS_OK; p++)
        st = ds_buf_printf(out, "%s\"%s\"", p ? sep : "", ph[p]);
    return st;
}

ds_status ds_redflags_table(ds_buf *out)
{
    ds_status st = ds_buf_puts(out, "| id | category | phrases | not counted when | why |\n"
                                    "| --- | --- | --- | --- | --- |\n");
    for (size_t f = 0; f < sizeof flags / sizeof flags[0] && st == DS_OK; f++) {
        st = ds_buf_printf(out, "| %s | %s | ", flags[f].id, flags[f].category);
        if (st == DS_OK)
            st = list_phrases(out, flags[f].phrases, ", ");
        if (flags[f].acts[0] && st == DS_OK) {
            st = ds_buf_puts(out, "; events in themselves: ");
            if (st == DS_OK)
                st = list_phrases(out, flags[f].acts, ", ");
        }
        if (st == DS_OK)
            st = ds_buf_puts(out, flags[f].needs_event ? " | no event cue is the nearest cue in the sentence"
                                                       : " | a general cue is the nearest cue in the sentence");
        if (flags[f].no_anti && st == DS_OK)
            st = ds_buf_puts(out, "; right after \"anti-\" or \"counter-\"");
        if (flags[f].suppress[0] && st == DS_OK) {
            st = ds_buf_puts(out, "; the sentence has ");
            if (st == DS_OK)
                st = list_phrases(out, flags[f].suppress, " or ");
        }
        if (st == DS_OK)
            st = ds_buf_printf(out, " | %s |\n", flags[f].description);
    }
    return st;
}
