/* alerts_screen.c - sanctions alerts from a document's text: every candidate name window
 * (extract/name_spans.h) is looked up in the screening index (extract/screen.h) with the same
 * normalisation and scores as `dossier lists screen`, and each matched list entry becomes one
 * alert of the document holding its best-scoring mention (first one on ties), with the number of
 * runs of text that mention it.
 *
 * Precision rules: a window's kind (person / organisation / unknown) must fit the entry's (the
 * index refuses the clash); a window with a single significant token (noise words aside: "Smith
 * Holdings", a surname alone) alerts only on an exact match of a listed name that is itself a
 * single token (or, for an organisation with a legal form, that token of 6+ bytes with one
 * typo), and not when the window leaves out a name word of an organisation's name before
 * it ("Timber AG" in "Oakridge Timber AG"); windows of one word are looked up only when written
 * in capitals (4+ bytes); a
 * window inside a longer window of the same run that matched another entry at least as well
 * is taken for part of that name and raises nothing.
 *
 * What the document says around a window (extract/name_context.h) counts too (words_fit): a
 * window without a legal form whose significant words the document also writes in lower case is
 * made of ordinary words ("CAPITAL" in a heading, "Global Energy" in a sentence) and raises
 * nothing; nor does a window that is a place as a whole ("Hong Kong", "Arizona"), or an acronym
 * alone for a listed organisation; a window with a legal form is never a listed person; a listed
 * vessel or aircraft matches only where the text around the window speaks of a vessel or an
 * aircraft (a tanker called "DANIEL" is not the given name in a signature block).
 *
 * Owns: a table of matched entries while it runs (freed before returning); alert strings go to
 * the document's arena. Threading: reentrant; the index is only read.
 */
#include "extract/alerts.h"

#include "extract/entities.h"
#include "extract/evidence.h"
#include "extract/name_context.h"
#include "extract/name_spans.h"
#include "extract/screening/names.h"
#include "extract/screening/screen.h"
#include "pipeline/core/alloc.h"
#include "pipeline/core/log.h"
#include "pipeline/core/vec.h"

#include <stdio.h>
#include <string.h>

#define MAX_HITS 8
#define QUERY_MAX 400  /* bytes of a window looked up */
#define EXACT 0.999    /* score a single-token window needs, but for TYPO_MIN_LEN */
#define TYPO_MIN_LEN 6 /* bytes of a one-word organisation name that may carry one typo */
#define RARE_MAX 256   /* a window needs a token filing at most this many listed names */

typedef struct mention {
    ds_screen_hit hit;
    size_t off, len, run;
    size_t runs; /* runs of text mentioning the entry */
    int is_person;
} mention;

typedef struct scan_ctx {
    const ds_screen_index *screen;
    const char *text; /* the document's text */
    size_t text_len;
    const ds_doc_vocab *vocab; /* the document's ordinary (lower-case) words */
    double threshold;
    DS_VEC(mention) raw;   /* every window's hits, in scan order */
    DS_VEC(mention) found; /* one per entry */
    ds_name_norm norm;
    int nomem;
} scan_ctx;

/* Significant (non-noise) tokens of a normalised name; the first one in *first (length *first_len). */
static size_t significant_tokens(const ds_name_norm *n, const char **first, size_t *first_len)
{
    const char *s = n->ordered.data ? n->ordered.data : "";
    size_t count = 0, len = n->ordered.len;
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && s[j] != ' ')
            j++;
        if (j > i + 1 && !ds_name_is_noise(s + i, j - i) && count++ == 0) {
            *first = s + i;
            *first_len = j - i;
        }
        i = j + 1;
    }
    return count;
}

/* Whether a window with one significant token may raise the hit: an exact match of a listed name
 * of one significant token, or, for an organisation's window (it carries a legal form), that
 * token misspelt by one edit when both spellings have TYPO_MIN_LEN bytes or more ("Carvaan
 * Company" for "CARAVAN COMPANY"). A longer window always may. */
static int single_token_ok(scan_ctx *c, const char *query, const ds_name_span *s, const ds_screen_hit *h)
{
    int kind = s->is_person;
    if (ds_name_normalize(&c->norm, query, (size_t)-1, (ds_name_kind)kind)) {
        c->nomem = 1;
        return 0;
    }
    const char *qt = NULL, *lt = NULL;
    size_t qn = 0, ln = 0;
    if (significant_tokens(&c->norm, &qt, &qn) >= 2)
        return 1;
    if (s->clipped || (h->score < EXACT && (kind != 0 || qn < TYPO_MIN_LEN)))
        return 0;
    char qtok[QUERY_MAX];
    memcpy(qtok, qt, qn);
    if (ds_name_normalize(&c->norm, h->matched_name, (size_t)-1, DS_NAME_KIND_UNKNOWN)) {
        c->nomem = 1;
        return 0;
    }
    if (significant_tokens(&c->norm, &lt, &ln) > 1)
        return 0;
    return h->score >= EXACT || (ln >= TYPO_MIN_LEN && ds_name_within_one_edit(qtok, qn, lt, ln));
}

/* What a window's words say before any hit is weighed. */
typedef struct window_words {
    int legal;       /* a legal-form word anywhere in it ("Limited Hong Kong") */
    int place;       /* the window as a whole is a place ("Hong Kong", "Arizona") */
    int ordinary;    /* significant words the document also writes in lower case */
    int informative; /* other significant words of 3+ bytes holding a letter */
    size_t info_len; /* bytes of the last informative word */
} window_words;

static int has_letter(const char *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!(t[i] >= '0' && t[i] <= '9'))
            return 1;
    return 0;
}

static ds_status read_window(scan_ctx *c, const char *query, const ds_name_span *s, window_words *w)
{
    memset(w, 0, sizeof *w);
    w->legal = s->is_person == 0;
    w->place = ds_is_place_name(query);
    ds_buf *f = &c->norm.sorted; /* scratch: normalisation rewrites it */
    ds_buf_clear(f);
    if (ds_name_fold(f, query, (size_t)-1))
        return DS_ERR_NOMEM;
    const char *t = f->data ? f->data : "";
    for (size_t i = 0, len = f->len; i < len;) {
        size_t j = i;
        while (j < len && t[j] != ' ')
            j++;
        size_t n = j - i;
        if (n && ds_name_is_legal_form(t + i, n))
            w->legal = 1;
        else if (n > 1 && !ds_name_is_noise(t + i, n)) {
            if (ds_doc_vocab_has(c->vocab, t + i, n))
                w->ordinary++;
            else if (n >= 3 && has_letter(t + i, n)) {
                w->informative++;
                w->info_len = n;
            }
        }
        i = j + 1;
    }
    return DS_OK;
}

/* Whether the window's words leave the hit standing: without a legal form, a place as a whole
 * names no party, nor do words that are all ordinary or short ("ID No"), but for an exact match
 * of short words alone ("MS-13"); a lone informative word of 4 bytes or less (an acronym) does not
 * stand for a listed organisation; a listed person is never a window with a legal form; a
 * listed vessel or aircraft needs a vessel or an aircraft spoken of around the window. */
static int words_fit(const scan_ctx *c, const ds_name_span *s, const window_words *w, const ds_screen_hit *h)
{
    if (h->kind == DS_SCREEN_VESSEL || h->kind == DS_SCREEN_AIRCRAFT)
        if (!ds_craft_context(c->text, c->text_len, s->off, s->len))
            return 0;
    if (w->legal)
        return h->kind != 1;
    if (w->place || (w->informative == 0 && (w->ordinary > 0 || h->score < EXACT)))
        return 0;
    return !(w->informative == 1 && w->ordinary == 0 && w->info_len <= 4 && h->kind == 0);
}

/* Merges a window's hit into the entry's mention: the best-scoring window (first on ties), and
 * the count of runs naming the entry. */
static void record(scan_ctx *c, const mention *w)
{
    for (size_t i = 0; i < c->found.n; i++) {
        mention *m = &c->found.v[i];
        if (m->hit.entry_id != w->hit.entry_id)
            continue;
        size_t runs = m->runs + (m->run != w->run);
        if (w->hit.score > m->hit.score)
            *m = *w;
        m->runs = runs;
        m->run = w->run;
        return;
    }
    if (DS_VEC_PUSH(c->found, *w))
        c->nomem = 1;
}

/* A hit whose window lies strictly inside another window of its run that matched another entry
 * at least as well is part of that longer name ("Abd Hamza" inside "HAMZA, Abd al-Rahman"). */
static int inside_better(const scan_ctx *c, const mention *m)
{
    for (size_t j = 0; j < c->raw.n; j++) {
        const mention *o = &c->raw.v[j];
        if (o->run == m->run && o->hit.entry_id != m->hit.entry_id && o->len > m->len && o->off <= m->off &&
            o->off + o->len >= m->off + m->len && o->hit.score >= m->hit.score)
            return 1;
    }
    return 0;
}

static int on_span(void *ctx, const char *text, const ds_name_span *s)
{
    scan_ctx *c = ctx;
    if (s->len >= QUERY_MAX || (s->n_words == 1 && (!s->upper || s->len < 4)))
        return 0;
    char q[QUERY_MAX];
    memcpy(q, text + s->off, s->len);
    q[s->len] = 0;
    ds_screen_hit hits[MAX_HITS];
    size_t nh = ds_screen_match_rare(c->screen, q, s->is_person, c->threshold, RARE_MAX, hits, MAX_HITS);
    window_words w;
    if (nh && read_window(c, q, s, &w) != DS_OK)
        c->nomem = 1;
    for (size_t i = 0; i < nh && !c->nomem; i++)
        if (words_fit(c, s, &w, &hits[i]) && single_token_ok(c, q, s, &hits[i])) {
            mention m = {
                .hit = hits[i], .off = s->off, .len = s->len, .run = s->run, .runs = 1, .is_person = s->is_person};
            if (DS_VEC_PUSH(c->raw, m))
                c->nomem = 1;
        }
    return c->nomem;
}

static const char *kind_name(int is_person)
{
    return is_person == 1 ? "person" : is_person == 0 ? "organization" : "unknown";
}

static ds_status push_alert(ds_document *doc, const ds_chunk_list *chunks, const mention *m, double threshold,
                            ds_name_norm *norm, ds_alert_list *out)
{
    ds_evidence ev;
    ds_status st = ds_evidence_at(doc, chunks, m->off, m->len, &ev);
    if (st)
        return st;
    ds_alert a;
    memset(&a, 0, sizeof a);
    a.kind = DS_ALERT_SANCTIONS_MATCH;
    a.subject = ds_arena_strndup(&doc->arena, doc->text.data + m->off, m->len);
    a.score = m->hit.score;
    a.list_id = m->hit.list_id;
    a.entry_id = m->hit.entry_id;
    a.list_version = ds_doc_strdup(doc, m->hit.list_version);
    a.matched_name = ds_doc_strdup(doc, m->hit.matched_name);
    a.page = ev.page;
    a.chunk_seq = ev.chunk_seq;
    a.quote = ev.quote;
    a.byte_off = m->off;
    a.source_extractor = "screening";
    if (ds_name_normalize(norm, m->hit.matched_name ? m->hit.matched_name : "", (size_t)-1, DS_NAME_KIND_UNKNOWN))
        return DS_ERR_NOMEM;
    char name[512], matched[512], evbuf[1500];
    ds_json_escape(name, sizeof name, a.subject ? a.subject : "");
    ds_json_escape(matched, sizeof matched, m->hit.matched_name ? m->hit.matched_name : "");
    snprintf(evbuf, sizeof evbuf,
             "{\"score\":%.4f,\"jw\":%.4f,\"token_set\":%.4f,\"threshold\":%.4f,\"entity_kind\":\"%s\","
             "\"name\":\"%s\",\"matched_name\":\"%s\",\"entry_id\":%lld,\"list_id\":%lld,\"mentions\":%zu,"
             "\"char_offset_bytes\":%zu,\"extractor\":\"text_scan\"}",
             m->hit.score, m->hit.jw, m->hit.token_set, threshold, kind_name(m->is_person), name, matched,
             m->hit.entry_id, m->hit.list_id, m->runs, m->off);
    /* one alert per listed name and document; the loader appends the entry's stable identity */
    a.dedup_key = ds_arena_printf(&doc->arena, "%s|%s|%.*s|", ds_alert_kind_str(a.kind), doc->sha256,
                                  (int)norm->sorted.len, norm->sorted.data ? norm->sorted.data : "");
    a.evidence = ds_arena_strdup(&doc->arena, evbuf);
    if (!a.subject || (m->hit.list_version && !a.list_version) || (m->hit.matched_name && !a.matched_name) ||
        !a.dedup_key || !a.evidence)
        return DS_ERR_NOMEM;
    return ds_alert_list_push(out, &a);
}

ds_status ds_alerts_screen_text(ds_document *doc, const ds_chunk_list *chunks, const ds_screen_index *screen,
                                double threshold, ds_alert_list *out)
{
    scan_ctx c;
    memset(&c, 0, sizeof c);
    c.screen = screen;
    c.threshold = threshold;
    c.text = doc->text.data ? doc->text.data : "";
    c.text_len = doc->text.len;
    ds_doc_vocab *vocab = NULL;
    if (ds_doc_vocab_build(c.text, c.text_len, &vocab) != DS_OK)
        return DS_ERR_NOMEM;
    c.vocab = vocab;
    ds_name_norm_init(&c.norm);
    ds_name_spans_scan(c.text, c.text_len, on_span, &c);
    for (size_t i = 0; i < c.raw.n && !c.nomem; i++)
        if (!inside_better(&c, &c.raw.v[i]))
            record(&c, &c.raw.v[i]);
    ds_status st = c.nomem ? DS_ERR_NOMEM : DS_OK;
    for (size_t i = 0; i < c.found.n && st == DS_OK; i++)
        st = push_alert(doc, chunks, &c.found.v[i], threshold, &c.norm, out);
    ds_name_norm_deinit(&c.norm);
    ds_doc_vocab_free(vocab);
    DS_VEC_FREE(c.raw);
    DS_VEC_FREE(c.found);
    return st;
}
