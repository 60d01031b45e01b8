/* redflags_context.c - reads the sentence around a red-flag phrase to tell an actual event
 * ("In December 2019, the Company received a grand jury subpoena") from a general description
 * ("we may be subject to subpoenas", "laws prohibiting bribery", "the regulator can issue a cease
 * and desist order"). Two lists of cues, general and event; the cue nearest to the phrase in its
 * sentence, looked for before the phrase and then after it, says which the phrase belongs to.
 * Works on the sentence lower-cased by redflags.c (redflags_internal.h).
 * Owns: read-only tables. Threading: reentrant.
 */
#include "extract/redflags_internal.h"

#include <ctype.h>
#include <string.h>

typedef enum cue_kind { CUE_NONE, CUE_GENERAL, CUE_EVENT } cue_kind;

/* Bytes before an act ("voluntarily disclosed") within which a general cue still voids it
 * ("may have voluntarily disclosed"). */
#define ACT_GENERAL_REACH 40

/* Words that put a sentence in general or hypothetical terms: modal verbs, conditions, laws and
 * programmes, a regulator's powers, habits ("from time to time"). */
static const char *const general_cues[] = {"may",
                                           "might",
                                           "could",
                                           "would",
                                           "can",
                                           "cannot",
                                           "should",
                                           "if",
                                           "unless",
                                           "whether",
                                           "potential",
                                           "potentially",
                                           "possible",
                                           "possibly",
                                           "any",
                                           "such as",
                                           "including",
                                           "laws",
                                           "law",
                                           "regulations",
                                           "regulation",
                                           "regulatory requirements",
                                           "provisions",
                                           "rules",
                                           "policies",
                                           "policy",
                                           "procedures",
                                           "program",
                                           "programs",
                                           "programme",
                                           "programmes",
                                           "designed to",
                                           "intended to",
                                           "aimed at",
                                           "risk",
                                           "risks",
                                           "failure to",
                                           "fail to",
                                           "fails to",
                                           "from time to time",
                                           "ordinary course",
                                           "no assurance",
                                           "in the event",
                                           "in the future",
                                           "authority to",
                                           "power to",
                                           "powers",
                                           "comply",
                                           "complying",
                                           "compliance",
                                           "monitor",
                                           "monitoring",
                                           "sometimes",
                                           "prohibit",
                                           "prohibits",
                                           "prohibited",
                                           "prohibiting",
                                           "require",
                                           "requires",
                                           "like many",
                                           "generally",
                                           "typically",
                                           "often",
                                           "frequently",
                                           "routine",
                                           "regular",
                                           "expose",
                                           "exposure",
                                           "whereby",
                                           "shall",
                                           "will not",
                                           "avoid",
                                           "prevent",
                                           "against companies",
                                           "scrutiny",
                                           "definition",
                                           "defined",
                                           "means",
                                           "check mark",
                                           "indicate by",
                                           "no amounts",
                                           "do not",
                                           "does not",
                                           "up to",
                                           "various",
                                           "in some circumstances",
                                           "where circumstances warrant",
                                           NULL};

/* Words that report something that happened to the company or is under way. */
static const char *const event_cues[] = {"received",
                                         "has received",
                                         "served",
                                         "issued",
                                         "sent",
                                         "entered",
                                         "agreed",
                                         "settled",
                                         "paid",
                                         "pleaded",
                                         "consented",
                                         "opened",
                                         "commenced",
                                         "initiated",
                                         "launched",
                                         "filed",
                                         "approved",
                                         "awarded",
                                         "accepted",
                                         "granted",
                                         "concluded",
                                         "determined",
                                         "notified",
                                         "contacted",
                                         "cooperating",
                                         "cooperate",
                                         "cooperated",
                                         "produced",
                                         "provided documents",
                                         "providing documents",
                                         "responded",
                                         "in response to",
                                         "ongoing",
                                         "pending",
                                         "currently",
                                         "is being investigated",
                                         "been investigated",
                                         "seeks",
                                         "seeking",
                                         "requests",
                                         "the complaint",
                                         "operates under",
                                         "pursuant to the terms",
                                         "in accordance with the",
                                         "made",
                                         "breached",
                                         "obtained",
                                         "previously reported",
                                         "previously disclosed",
                                         "as previously",
                                         "resulted",
                                         "resolution of",
                                         "seek documents",
                                         "continues to",
                                         "did not comply",
                                         "not in compliance",
                                         "was in default",
                                         "were in default",
                                         NULL};

/* "no" negates the words it stands before ("no Event of Default has occurred"), not a phrase
 * further on ("No single customer accounted for ...") nor one before it ("a shell company with
 * no operations"): it is a general cue only within NEGATION_REACH bytes before the match. */
static const char *const negations[] = {"no", NULL};
#define NEGATION_REACH 24

static const char *const months[] = {"january", "february",  "march",   "april",    "may",      "june", "july",
                                     "august",  "september", "october", "november", "december", NULL};

static int year_at(const char *t, size_t tl, size_t i)
{
    return i + 4 <= tl && (strncmp(t + i, "19", 2) == 0 || strncmp(t + i, "20", 2) == 0) &&
           isdigit((unsigned char)t[i + 2]) && isdigit((unsigned char)t[i + 3]) &&
           (i + 4 == tl || !ds_redflag_word_char((unsigned char)t[i + 4]));
}

/* A dated event at t[i] (lower case): "in 2019", "since 2017", "during 2021", "in march 2020",
 * "on may 26, 2020", "may 2007", "the 2009 (order)". Returns its length, 0 when none. */
static size_t date_at(const char *t, size_t tl, size_t i)
{
    static const char *const lead[] = {"in ", "since ", "during ", "on ", "the ", "", NULL};
    for (size_t l = 0; lead[l]; l++) {
        size_t n = strlen(lead[l]);
        if (i + n > tl || strncmp(t + i, lead[l], n) != 0)
            continue;
        size_t j = i + n;
        if (n && year_at(t, tl, j))
            return j + 4 - i;
        for (size_t m = 0; months[m]; m++) {
            size_t ml = strlen(months[m]);
            if (j + ml + 1 > tl || strncmp(t + j, months[m], ml) != 0 || t[j + ml] != ' ')
                continue;
            size_t k = j + ml + 1;
            while (k < tl && (isdigit((unsigned char)t[k]) || t[k] == ','))
                k++;
            while (k < tl && t[k] == ' ')
                k++;
            if (year_at(t, tl, k))
                return k + 4 - i;
        }
    }
    return 0;
}

/* Length of a cue of the list at t[i], 0 when none. */
static size_t cue_at(const char *t, size_t tl, size_t i, const char *const *cues)
{
    size_t best = 0;
    for (size_t c = 0; cues[c]; c++) {
        if (cues[c][0] != t[i])
            continue;
        size_t n = ds_redflag_match_phrase(t, tl, i, cues[c]);
        if (n > best)
            best = n;
    }
    return best;
}

/* The cues nearest to [ms, me) in t[0, tl): *before (*dist: bytes from its end to ms) and *after. */
static void nearest_cues(const char *t, size_t tl, size_t ms, size_t me, cue_kind *before_out, size_t *dist,
                         cue_kind *after_out)
{
    cue_kind before = CUE_NONE, after = CUE_NONE;
    size_t before_end = 0, after_start = tl;
    for (size_t i = 0; i < tl; i++) {
        if (!isalpha((unsigned char)t[i]) || (i > 0 && ds_redflag_word_char((unsigned char)t[i - 1])))
            continue;
        if (i >= ms && i < me)
            continue;
        size_t g = cue_at(t, tl, i, general_cues);
        size_t ng = cue_at(t, tl, i, negations);
        if (ng > g && i + ng <= ms && ms - (i + ng) <= NEGATION_REACH)
            g = ng;
        size_t ev = cue_at(t, tl, i, event_cues);
        size_t d = date_at(t, tl, i);
        if (d > ev)
            ev = d;
        if (!g && !ev)
            continue;
        cue_kind k = ev >= g ? CUE_EVENT : CUE_GENERAL;
        size_t end = i + (ev >= g ? ev : g);
        if (end <= ms && (end > before_end || before == CUE_NONE)) { /* ties: the longer cue, met first */
            before = k;
            before_end = end;
        } else if (i >= me && i < after_start) {
            after = k;
            after_start = i;
        }
    }
    *before_out = before;
    *dist = before != CUE_NONE ? ms - before_end : 0;
    *after_out = after;
}

int ds_redflag_context_keeps(const ds_redflag *f, int act, const char *low, size_t n, size_t off, size_t len)
{
    size_t dist = 0;
    cue_kind before, after;
    nearest_cues(low, n, off, off + len, &before, &dist, &after);
    if (act)
        return !(before == CUE_GENERAL && dist <= ACT_GENERAL_REACH);
    cue_kind k = before != CUE_NONE ? before : after;
    if (f->needs_event)
        return k == CUE_EVENT;
    return k != CUE_GENERAL;
}
