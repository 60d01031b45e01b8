/* swot_rules.c - the rules backend of the SWOT analysis (see swot.h and extract/swot_rules.md):
 * metric rules over the document's consolidated facts (growth, margins, leverage, liquidity,
 * coverage) and text rules over its paragraphs (going concern, material weakness, covenant
 * breach, litigation, customer concentration, new markets, products and acquisitions).
 *
 * Metric rules compare the latest fiscal year (or quarter) with the same period a year before.
 * Ratios are computed in double from the exact values and shown rounded; the exact inputs go
 * into the evidence. Text rules look for an anchor phrase, then check the sentence holding it:
 * required cues, suppression cues (negations, definitions) and, for factual rules, hypothetical
 * wording ("could", "may", "if") that marks a risk-factor warning rather than a fact.
 * Owns: nothing beyond the call (a lower-case copy of the text, freed); items go to the arena.
 * Threading: reentrant; tables are read-only.
 */
#include "extract/swot.h"

#include "extract/dates.h"
#include "pipeline/core/decimal.h"
#include "extract/evidence.h"
#include "pipeline/core/alloc.h"
#include "pipeline/core/log.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the rule list ------------------------------------------------------------------------------ */

static const ds_swot_rule rules[] = {
    {"SWOT-GRW-01", DS_SWOT_STRENGTH, "metrics", "revenue up 10% or more on the same period a year earlier"},
    {"SWOT-GRW-02", DS_SWOT_WEAKNESS, "metrics", "revenue down 5% or more on the same period a year earlier"},
    {"SWOT-MAR-01", DS_SWOT_STRENGTH, "metrics", "operating margin (operating income / revenue) of 15% or more"},
    {"SWOT-MAR-02", DS_SWOT_WEAKNESS, "metrics", "operating loss (operating margin below 0)"},
    {"SWOT-MAR-03", DS_SWOT_STRENGTH, "metrics", "net margin (net income / revenue) of 10% or more"},
    {"SWOT-MAR-04", DS_SWOT_WEAKNESS, "metrics", "net loss (net income below 0)"},
    {"SWOT-MAR-05", DS_SWOT_STRENGTH, "metrics", "operating margin up 2 percentage points or more in a year"},
    {"SWOT-MAR-06", DS_SWOT_WEAKNESS, "metrics", "operating margin down 2 percentage points or more in a year"},
    {"SWOT-LEV-01", DS_SWOT_WEAKNESS, "metrics",
     "debt to equity above 2 (debt = current debt + long-term debt; equity above 0)"},
    {"SWOT-LEV-02", DS_SWOT_THREAT, "metrics",
     "debt to EBITDA above 4 (EBITDA = operating income + depreciation and amortization, above 0)"},
    {"SWOT-LEV-03", DS_SWOT_WEAKNESS, "metrics", "stockholders' equity of 0 or below"},
    {"SWOT-LIQ-01", DS_SWOT_WEAKNESS, "metrics", "current ratio (current assets / current liabilities) below 1"},
    {"SWOT-LIQ-02", DS_SWOT_STRENGTH, "metrics", "current ratio above 2"},
    {"SWOT-LIQ-03", DS_SWOT_WEAKNESS, "metrics", "negative cash flow from operating activities"},
    {"SWOT-COV-01", DS_SWOT_THREAT, "metrics",
     "interest coverage (operating income / interest expense) below 2, interest expense above 0"},
    {"SWOT-GC-01", DS_SWOT_THREAT, "text",
     "a sentence states \"substantial doubt\" about the ability to continue as a \"going concern\" (not "
     "negated, not alleviated, not hypothetical)"},
    {"SWOT-ICW-01", DS_SWOT_WEAKNESS, "text",
     "a material weakness in internal control is identified or controls are not effective (not remediated, "
     "not a definition, not hypothetical)"},
    {"SWOT-CVT-01", DS_SWOT_THREAT, "text",
     "a covenant breach, violation, default or waiver is stated (not \"in compliance\", not hypothetical)"},
    {"SWOT-LIT-01", DS_SWOT_THREAT, "text",
     "a lawsuit, class action or complaint is filed or pending against the company (not hypothetical, not "
     "\"not a party\")"},
    {"SWOT-CUS-01", DS_SWOT_WEAKNESS, "text",
     "one customer (or a few named as such) accounts for 10% or more of revenue or sales (\"no customer\" excluded)"},
    {"SWOT-OPP-01", DS_SWOT_OPPORTUNITY, "text", "expansion into new markets or geographies (not in a risk warning)"},
    {"SWOT-OPP-02", DS_SWOT_OPPORTUNITY, "text",
     "the company launched, introduced or released new products or services (not in a risk warning)"},
    {"SWOT-OPP-03", DS_SWOT_OPPORTUNITY, "text",
     "an acquisition or merger completed or agreed (not in a risk warning)"},
};

const char *ds_swot_category_str(ds_swot_category c)
{
    switch (c) {
    case DS_SWOT_STRENGTH: return "strength";
    case DS_SWOT_WEAKNESS: return "weakness";
    case DS_SWOT_OPPORTUNITY: return "opportunity";
    case DS_SWOT_THREAT: return "threat";
    }
    return "strength";
}

const ds_swot_rule *ds_swot_rules(size_t *n)
{
    *n = sizeof rules / sizeof rules[0];
    return rules;
}

ds_status ds_swot_rules_table(ds_buf *out)
{
    ds_status st = ds_buf_puts(out, "| rule | category | basis | fires when |\n| --- | --- | --- | --- |\n");
    for (size_t i = 0; i < sizeof rules / sizeof rules[0] && st == DS_OK; i++)
        st = ds_buf_printf(out, "| %s | %s | %s | %s |\n", rules[i].id, ds_swot_category_str(rules[i].category),
                           rules[i].basis, rules[i].condition);
    return st;
}

static const ds_swot_rule *rule(const char *id)
{
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if (strcmp(rules[i].id, id) == 0)
            return &rules[i];
    return &rules[0];
}

void ds_swot_list_free(ds_swot_list *l)
{
    if (!l)
        return;
    ds_free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

ds_status ds_swot_list_push(ds_swot_list *l, const ds_swot_item *it)
{
    if (l->n == l->cap) {
        size_t c = l->cap ? l->cap * 2 : 16;
        ds_swot_item *v = ds_realloc(l->v, c * sizeof *v);
        if (!v)
            return DS_ERR_NOMEM;
        l->v = v;
        l->cap = c;
    }
    l->v[l->n++] = *it;
    return DS_OK;
}

/* ---- metrics ---------------------------------------------------------------------------------- */

typedef struct ctx {
    ds_document *doc;
    const ds_chunk_list *chunks;
    const ds_fact_list *facts;
    ds_swot_list *out;
    int fy_month;
} ctx;

static int source_rank(const char *src)
{
    if (!src)
        return 3;
    if (!strcmp(src, "ixbrl") || !strcmp(src, "xbrl"))
        return 0;
    if (!strcmp(src, "pdf_table") || !strcmp(src, "html_table"))
        return 1;
    return 2;
}

static int usable(const ds_fact *f)
{
    long d;
    return f->metric && (!f->dimensions || !*f->dimensions) && ds_dec_valid(f->value) &&
           ds_date_parse(f->period_end, &d) == 0;
}

static const char *label_of(const ctx *c, const ds_fact *f)
{
    ds_fiscal_period fp;
    if (ds_fiscal_period_classify(f->period_start, f->period_end, c->fy_month, &fp))
        return NULL;
    return fp.label;
}

/* The preferred fact of a metric for a period: end date and label ("FY", "Q3", "instant"). */
static const ds_fact *get(const ctx *c, const char *metric, const char *end, const char *label)
{
    const ds_fact *best = NULL;
    for (size_t i = 0; i < c->facts->n; i++) {
        const ds_fact *f = &c->facts->v[i];
        if (!usable(f) || strcmp(f->metric, metric) || strcmp(f->period_end, end))
            continue;
        const char *l = label_of(c, f);
        if (!l || strcmp(l, label))
            continue;
        if (!best || source_rank(f->source_extractor) < source_rank(best->source_extractor))
            best = f;
    }
    return best;
}

static double val(const ds_fact *f)
{
    return ds_dec_to_double(f->value);
}

/* "1234567.5" -> "1,234,567.5" */
static void fmt_amount(const char *v, char *out, size_t cap)
{
    const char *p = v;
    size_t o = 0;
    if (*p == '-' && o + 1 < cap)
        out[o++] = *p++;
    const char *dot = strchr(p, '.');
    size_t il = dot ? (size_t)(dot - p) : strlen(p);
    for (size_t i = 0; i < il && o + 2 < cap; i++) {
        if (i && (il - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = p[i];
    }
    for (const char *q = p + il; *q && o + 1 < cap; q++)
        out[o++] = *q;
    out[o] = '\0';
}

static ds_status ev_fact(ds_buf *ev, const ds_fact *f)
{
    char concept[512];
    ds_json_escape(concept, sizeof concept, f->concept ? f->concept : "");
    ds_status st = ds_buf_printf(ev, "%s{\"metric\":\"%s\",\"concept\":\"%s\",\"value\":\"%s\"", ev->len > 1 ? "," : "",
                                 f->metric, concept, f->value);
    if (st == DS_OK && f->unit)
        st = ds_buf_printf(ev, ",\"unit\":\"%s\"", f->unit);
    if (st == DS_OK && f->period_start)
        st = ds_buf_printf(ev, ",\"period_start\":\"%s\"", f->period_start);
    if (st == DS_OK)
        st = ds_buf_printf(ev, ",\"period_end\":\"%s\",\"source\":\"%s\"", f->period_end,
                           f->source_extractor ? f->source_extractor : "");
    if (st == DS_OK && f->page > 0)
        st = ds_buf_printf(ev, ",\"page\":%d", f->page);
    if (st == DS_OK && f->chunk_seq >= 0)
        st = ds_buf_printf(ev, ",\"chunk\":%d", f->chunk_seq);
    if (st == DS_OK)
        st = ds_buf_putc(ev, '}');
    return st;
}

static ds_status ev_ratio(ds_buf *ev, const char *name, double v, const char *threshold)
{
    return ds_buf_printf(ev, "%s{\"ratio\":\"%s\",\"value\":%.4f,\"threshold\":\"%s\"}", ev->len > 1 ? "," : "", name,
                         v, threshold);
}

/* Emits a metric item: statement, facts (NULL-ended) and one ratio. */
static ds_status emit_metric(ctx *c, const char *rule_id, const char *statement, const ds_fact *const *facts,
                             const char *ratio, double rv, const char *threshold)
{
    ds_buf ev = DS_BUF_INIT;
    ds_status st = ds_buf_putc(&ev, '[');
    const ds_fact *main = NULL;
    for (size_t i = 0; facts[i] && st == DS_OK; i++) {
        st = ev_fact(&ev, facts[i]);
        if (!main || (main->page <= 0 && facts[i]->page > 0))
            main = facts[i];
    }
    if (st == DS_OK && ratio)
        st = ev_ratio(&ev, ratio, rv, threshold);
    if (st == DS_OK)
        st = ds_buf_putc(&ev, ']');
    ds_swot_item it = {0};
    it.category = rule(rule_id)->category;
    it.rule_id = rule_id;
    it.statement = ds_arena_strdup(&c->doc->arena, statement);
    it.evidence = st == DS_OK ? ds_arena_strdup(&c->doc->arena, ev.data) : NULL;
    it.page = main ? main->page : 0;
    it.chunk_seq = main ? main->chunk_seq : -1;
    it.byte_off = SIZE_MAX;
    it.source_extractor = "rules";
    ds_buf_deinit(&ev);
    if (st || !it.statement || !it.evidence)
        return DS_ERR_NOMEM;
    return ds_swot_list_push(c->out, &it);
}

/* The fiscal year end month: the document's period end, else the commonest month among
 * year-long facts, else December. */
static int fy_end_month(const ds_document *doc, const ds_fact_list *facts)
{
    long d;
    int y, m, dd;
    const char *form = doc->meta.form_type; /* a quarter's end says nothing of the year's */
    if (doc->meta.period_end && ds_date_parse(doc->meta.period_end, &d) == 0 &&
        (!form ||
         (strncmp(form, "10-Q", 4) != 0 && strncmp(form, "8-K", 3) != 0 && strcmp(form, "earnings release") != 0))) {
        ds_date_to_ymd(d, &y, &m, &dd);
        return dd <= 7 ? (m == 1 ? 12 : m - 1) : m;
    }
    int count[13] = {0};
    for (size_t i = 0; i < facts->n; i++) {
        const ds_fact *f = &facts->v[i];
        long s, e;
        if (!usable(f) || !f->period_start || ds_date_parse(f->period_start, &s) || ds_date_parse(f->period_end, &e))
            continue;
        if (e - s + 1 >= 350 && e - s + 1 <= 380) {
            ds_date_to_ymd(e, &y, &m, &dd);
            count[dd <= 7 ? (m == 1 ? 12 : m - 1) : m]++;
        }
    }
    int best = 12;
    for (int k = 1; k <= 12; k++)
        if (count[k] > count[best])
            best = k;
    return best;
}

static const char *const flow_metrics[] = {"revenue", "operating_income", "net_income", NULL};

/* Latest period of a label kind ("FY" or any quarter "Q") among the flow metrics. */
static int latest_period(const ctx *c, int quarters, char end[11], const char **label)
{
    long best = LONG_MIN;
    for (size_t i = 0; i < c->facts->n; i++) {
        const ds_fact *f = &c->facts->v[i];
        if (!usable(f) || !f->period_start)
            continue;
        int flow = 0;
        for (size_t k = 0; flow_metrics[k]; k++)
            flow |= !strcmp(f->metric, flow_metrics[k]);
        const char *l = label_of(c, f);
        if (!flow || !l || (quarters ? l[0] != 'Q' : strcmp(l, "FY")))
            continue;
        long e;
        ds_date_parse(f->period_end, &e);
        if (e > best) {
            best = e;
            *label = l;
            snprintf(end, 11, "%s", f->period_end);
        }
    }
    return best != LONG_MIN;
}

/* The end of the same period a year before (350..380 days earlier), closest to 365. */
static int prior_period(const ctx *c, const char *end, const char *label, char prior[11])
{
    long e, best_gap = LONG_MAX;
    ds_date_parse(end, &e);
    for (size_t i = 0; i < c->facts->n; i++) {
        const ds_fact *f = &c->facts->v[i];
        long pe;
        if (!usable(f) || !f->period_start || ds_date_parse(f->period_end, &pe))
            continue;
        const char *l = label_of(c, f);
        if (!l || strcmp(l, label) || e - pe < 350 || e - pe > 380)
            continue;
        long gap = labs(e - pe - 365);
        if (gap < best_gap) {
            best_gap = gap;
            snprintf(prior, 11, "%s", f->period_end);
        }
    }
    return best_gap != LONG_MAX;
}

#define FACTS(...) ((const ds_fact *const[]){__VA_ARGS__, NULL})

/* The debt reported at a period end: short-term debt, else short-term borrowings plus the
 * current portion of long-term debt, and long-term debt. */
typedef struct debt_facts {
    const ds_fact *std, *stb, *cpl, *ltd;
} debt_facts;

/* Fills d for the instant end; 0 when no debt fact is reported there. */
static int debt_at(const ctx *c, const char *end, debt_facts *d)
{
    d->std = get(c, "short_term_debt", end, "instant");
    d->stb = get(c, "short_term_borrowings", end, "instant");
    d->cpl = get(c, "current_portion_long_term_debt", end, "instant");
    d->ltd = get(c, "long_term_debt", end, "instant");
    return d->std || d->stb || d->cpl || d->ltd;
}

static double debt_total(const debt_facts *d)
{
    return (d->std ? val(d->std) : (d->stb ? val(d->stb) : 0) + (d->cpl ? val(d->cpl) : 0)) +
           (d->ltd ? val(d->ltd) : 0);
}

/* Appends the facts debt_total used to parts from index k on (room for four more). */
static void debt_parts(const debt_facts *d, const ds_fact **parts, size_t k)
{
    if (d->std)
        parts[k++] = d->std;
    else {
        if (d->stb)
            parts[k++] = d->stb;
        if (d->cpl)
            parts[k++] = d->cpl;
    }
    if (d->ltd)
        parts[k++] = d->ltd;
}

/* The period the metric rules read: the latest fiscal year or quarter (*label "FY" or a quarter
 * label, *have_dur 1), else the latest balance sheet instant (*have_dur 0). 0 when the
 * document has neither. */
static int rules_period(const ctx *c, char end[11], const char **label, int *have_dur)
{
    *have_dur = latest_period(c, 0, end, label) || latest_period(c, 1, end, label);
    if (*have_dur)
        return 1;
    /* balance sheet only: the latest instant */
    long best = LONG_MIN;
    for (size_t i = 0; i < c->facts->n; i++) {
        const ds_fact *f = &c->facts->v[i];
        long e;
        if (usable(f) && !f->period_start && ds_date_parse(f->period_end, &e) == 0 && e > best) {
            best = e;
            snprintf(end, 11, "%s", f->period_end);
        }
    }
    return best != LONG_MIN;
}

/* Growth, operating and net margin rules of the period ending end (prior: the same period a
 * year before, or NULL; pl names the period in the statement). */
static ds_status growth_margin_rules(ctx *c, const char *end, const char *prior, const char *label, const char *pl)
{
    char s[512], a[64], b[64];
    ds_status st = DS_OK;
    const ds_fact *rev = get(c, "revenue", end, label);
    const ds_fact *rev0 = prior ? get(c, "revenue", prior, label) : NULL;
    const ds_fact *op = get(c, "operating_income", end, label);
    const ds_fact *op0 = prior ? get(c, "operating_income", prior, label) : NULL;
    const ds_fact *ni = get(c, "net_income", end, label);
    /* growth */
    if (rev && rev0 && val(rev0) != 0) {
        double g = (val(rev) - val(rev0)) / fabs(val(rev0));
        fmt_amount(rev0->value, a, sizeof a);
        fmt_amount(rev->value, b, sizeof b);
        if (g >= 0.10) {
            snprintf(s, sizeof s, "Revenue grew %.1f%% year over year, from %s to %s (%s ended %s).", g * 100, a, b, pl,
                     end);
            st = emit_metric(c, "SWOT-GRW-01", s, FACTS(rev, rev0), "revenue_yoy_growth", g, "0.10");
        } else if (g <= -0.05) {
            snprintf(s, sizeof s, "Revenue fell %.1f%% year over year, from %s to %s (%s ended %s).", -g * 100, a, b,
                     pl, end);
            st = emit_metric(c, "SWOT-GRW-02", s, FACTS(rev, rev0), "revenue_yoy_growth", g, "-0.05");
        }
    }
    /* margins */
    if (st == DS_OK && rev && val(rev) > 0 && op) {
        double m = val(op) / val(rev);
        if (m >= 0.15) {
            snprintf(s, sizeof s, "Operating margin of %.1f%% (%s ended %s).", m * 100, pl, end);
            st = emit_metric(c, "SWOT-MAR-01", s, FACTS(op, rev), "operating_margin", m, "0.15");
        } else if (m < 0) {
            fmt_amount(op->value, a, sizeof a);
            snprintf(s, sizeof s, "Operating loss of %s, an operating margin of %.1f%% (%s ended %s).", a + 1, m * 100,
                     pl, end);
            st = emit_metric(c, "SWOT-MAR-02", s, FACTS(op, rev), "operating_margin", m, "0");
        }
        if (st == DS_OK && rev0 && op0 && val(rev0) > 0) {
            double m0 = val(op0) / val(rev0), d = (m - m0) * 100;
            if (d >= 2) {
                snprintf(s, sizeof s,
                         "Operating margin rose %.1f percentage points, from %.1f%% to %.1f%% (%s ended %s).", d,
                         m0 * 100, m * 100, pl, end);
                st = emit_metric(c, "SWOT-MAR-05", s, FACTS(op, rev, op0, rev0), "operating_margin_change_pp", d, "2");
            } else if (d <= -2) {
                snprintf(s, sizeof s,
                         "Operating margin fell %.1f percentage points, from %.1f%% to %.1f%% (%s ended %s).", -d,
                         m0 * 100, m * 100, pl, end);
                st = emit_metric(c, "SWOT-MAR-06", s, FACTS(op, rev, op0, rev0), "operating_margin_change_pp", d, "-2");
            }
        }
    }
    if (st == DS_OK && ni && val(ni) < 0) {
        fmt_amount(ni->value, a, sizeof a);
        snprintf(s, sizeof s, "Net loss of %s (%s ended %s).", a + 1, pl, end);
        if (rev && val(rev) > 0)
            st = emit_metric(c, "SWOT-MAR-04", s, FACTS(ni, rev), "net_margin", val(ni) / val(rev), "0");
        else
            st = emit_metric(c, "SWOT-MAR-04", s, FACTS(ni), NULL, 0, NULL);
    } else if (st == DS_OK && ni && rev && val(rev) > 0 && val(ni) / val(rev) >= 0.10) {
        snprintf(s, sizeof s, "Net margin of %.1f%% (%s ended %s).", val(ni) / val(rev) * 100, pl, end);
        st = emit_metric(c, "SWOT-MAR-03", s, FACTS(ni, rev), "net_margin", val(ni) / val(rev), "0.10");
    }
    return st;
}

/* Interest coverage, operating cash flow and debt / EBITDA rules of the period ending end. */
static ds_status cover_cash_debt_rules(ctx *c, const char *end, const char *label, const char *pl)
{
    char s[512], a[64];
    ds_status st = DS_OK;
    const ds_fact *op = get(c, "operating_income", end, label);
    const ds_fact *da = get(c, "depreciation_amortization", end, label);
    const ds_fact *ie = get(c, "interest_expense", end, label);
    const ds_fact *ocf = get(c, "operating_cash_flow", end, label);
    /* coverage */
    if (st == DS_OK && op && ie && fabs(val(ie)) > 0) {
        double cov = val(op) / fabs(val(ie));
        if (cov < 2) {
            snprintf(
                s, sizeof s,
                "Interest coverage of %.2fx: operating income covers interest expense less than twice (%s ended %s).",
                cov, pl, end);
            st = emit_metric(c, "SWOT-COV-01", s, FACTS(op, ie), "interest_coverage", cov, "2");
        }
    }
    /* operating cash flow */
    if (st == DS_OK && ocf && val(ocf) < 0) {
        fmt_amount(ocf->value, a, sizeof a);
        snprintf(s, sizeof s, "Operating activities used %s of cash (%s ended %s).", a + 1, pl, end);
        st = emit_metric(c, "SWOT-LIQ-03", s, FACTS(ocf), NULL, 0, NULL);
    }
    /* debt / EBITDA needs the flows of the period and the debt at its end */
    if (st == DS_OK && op && da) {
        debt_facts d;
        if (debt_at(c, end, &d) && (!strcmp(label, "FY"))) {
            double debt = debt_total(&d);
            double ebitda = val(op) + fabs(val(da));
            if (ebitda > 0 && debt / ebitda > 4) {
                snprintf(s, sizeof s, "Debt of %.2f times EBITDA (%s ended %s).", debt / ebitda, pl, end);
                const ds_fact *parts[7] = {op, da, NULL, NULL, NULL, NULL, NULL};
                debt_parts(&d, parts, 2);
                st = emit_metric(c, "SWOT-LEV-02", s, parts, "debt_to_ebitda", debt / ebitda, "4");
            }
        }
    }
    return st;
}

/* Liquidity and leverage rules of the balance sheet at end. */
static ds_status balance_rules(ctx *c, const char *end)
{
    char s[512], a[64];
    ds_status st = DS_OK;
    const ds_fact *ca = get(c, "current_assets", end, "instant");
    const ds_fact *cl = get(c, "current_liabilities", end, "instant");
    const ds_fact *eq = get(c, "equity", end, "instant");
    debt_facts d;
    int any_debt = debt_at(c, end, &d);
    if (ca && cl && val(cl) > 0) {
        double cr = val(ca) / val(cl);
        if (cr < 1) {
            snprintf(s, sizeof s, "Current ratio of %.2f: current liabilities exceed current assets (at %s).", cr, end);
            st = emit_metric(c, "SWOT-LIQ-01", s, FACTS(ca, cl), "current_ratio", cr, "1");
        } else if (cr > 2) {
            snprintf(s, sizeof s, "Current ratio of %.2f (at %s).", cr, end);
            st = emit_metric(c, "SWOT-LIQ-02", s, FACTS(ca, cl), "current_ratio", cr, "2");
        }
    }
    if (st == DS_OK && eq && val(eq) <= 0) {
        fmt_amount(eq->value, a, sizeof a);
        snprintf(s, sizeof s, "Stockholders' equity is %s (at %s).", val(eq) < 0 ? "negative" : "nil", end);
        st = emit_metric(c, "SWOT-LEV-03", s, FACTS(eq), NULL, 0, NULL);
    } else if (st == DS_OK && eq && any_debt) {
        double de = debt_total(&d) / val(eq);
        if (de > 2) {
            snprintf(s, sizeof s, "Debt of %.2f times stockholders' equity (at %s).", de, end);
            const ds_fact *parts[6] = {eq, NULL, NULL, NULL, NULL, NULL};
            debt_parts(&d, parts, 1);
            st = emit_metric(c, "SWOT-LEV-01", s, parts, "debt_to_equity", de, "2");
        }
    }
    return st;
}
#undef FACTS

static ds_status metric_rules(ctx *c, ds_err *err)
{
    char end[11] = "", prior[11] = "";
    const char *label = NULL;
    int have_dur;
    if (!rules_period(c, end, &label, &have_dur))
        return DS_OK;
    int have_prior = have_dur && prior_period(c, end, label, prior);
    const char *pl = have_dur ? (strcmp(label, "FY") ? "quarter" : "fiscal year") : "";
    ds_status st = DS_OK;
    if (have_dur) {
        st = growth_margin_rules(c, end, have_prior ? prior : NULL, label, pl);
        if (st == DS_OK)
            st = cover_cash_debt_rules(c, end, label, pl);
    }
    if (st == DS_OK)
        st = balance_rules(c, end);
    if (st)
        return ds_err_set(err, st, "out of memory applying SWOT rules to %s", c->doc->name ? c->doc->name : "document");
    return DS_OK;
}

/* ---- text ---------------------------------------------------------------------------------------- */

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

typedef struct text_rule {
    const char *id;
    const char *statement;
    const char *const *anchors;  /* any of them, lower case */
    const char *const *requires; /* any of them in the sentence (none: no requirement) */
    const char *const *suppress; /* none of them in the sentence */
    int factual;                 /* hypothetical wording voids the sentence */
    int pct_min;                 /* a percentage at least this large must be in the sentence */
} text_rule;

/* Wording of risk factors and possibilities, not of facts. */
static const char *const hypothetical[] = {" could ",   " may ",        " might ",       " would ",   " if ",
                                           " should ",  "no assurance", "cannot assure", "can be no", "in the event",
                                           " whether ", "unless ",      " potential ",   NULL};
/* Wording of risk warnings around opportunities. */
static const char *const risky[] = {
    " risk",     " fail",   " unable", "not be successful", "no assurance",   "cannot assure",
    " may not ", " could ", " can ",   " impact",           "our ability to", " depend",
    NULL};

static const text_rule text_rules[] = {
    {"SWOT-GC-01", "The document states substantial doubt about the ability to continue as a going concern.",
     L("substantial doubt"), L("going concern"),
     L("alleviat", "no substantial doubt", "not raise substantial doubt", "did not identify", "not believe",
       "no longer", "do not have substantial doubt", "does not have substantial doubt", "not substantial doubt"),
     1, 0},
    {"SWOT-ICW-01", "The document reports a material weakness in internal control over financial reporting.",
     L("material weakness"),
     L("identified", "not effective", "ineffective", "existed", "exists", "resulted in", "due to", "because of"),
     L("no material weakness", "did not identify", "not identified any", "has been remediated", "have been remediated",
       "was remediated", "were remediated", "is a deficiency, or a combination", "is a deficiency or a combination",
       "remediation was completed", "definition", "assessing the risk", "risk that a material weakness",
       "our audit included", "obtaining an understanding"),
     1, 0},
    {"SWOT-CVT-01", "The document reports a breach of, default under or waiver of a debt covenant.", L("covenant"),
     L("not in compliance", "breach", "violation", "violated", "waiver", "event of default", "failed to comply",
       "non-compliance", "noncompliance", "default under"),
     L("in compliance with all", "were in compliance", "was in compliance", "are in compliance", "remain in compliance",
       "remained in compliance", "no event of default", "no events of default"),
     1, 0},
    {"SWOT-LIT-01", "The document reports litigation filed or pending against the company.",
     L("class action", "lawsuit", "complaint", "litigation", "legal proceedings", "filed suit"),
     L("filed", "named as a defendant", "named as defendants", "is a defendant", "are defendants", "alleging",
       "alleges", "verdict", "judgment against", "pending"),
     L("not currently a party", "not a party to any", "no material legal proceedings", "not presently a party",
       "are not party", "not aware of any"),
     1, 0},
    {"SWOT-CUS-01", "The document reports customer concentration: one customer accounts for a large share of revenue.",
     L("one customer", "single customer", "largest customer", "largest customers", "customer a ", "customer b ",
       "two customers", "three customers", "one distributor", "largest distributor", "ten largest customers",
       "top ten customers", "top five customers", "major customer", "significant customer", "one client",
       "largest client"),
     L("% of", " percent of"),
     L("no customer accounted", "no single customer", "no one customer", "none of our customers", "no other customer",
       "did not have any customer", "no customers", "no customer ", "not have any customer"),
     0, 10},
    {"SWOT-OPP-01", "The document reports expansion into new markets.",
     L("expand into", "expanded into", "expanding into", "expansion into", "entered new markets", "enter new markets",
       "entry into new", "new markets", "new geographic markets", "new international markets",
       "launched operations in"),
     NONE, risky, 0, 0},
    {"SWOT-OPP-02", "The document reports new products or services launched or introduced.",
     L("launched a new", "launched new", "launched our new", "introduced a new", "introduced new", "introduced our new",
       "released a new", "we launched", "we introduced", "began shipping", "announced the following new",
       "new product launches"),
     L("product", "service", "platform", "app", "feature", "model", "device", "version", "offering", "solution",
       "brand", "store"),
     risky, 0, 0},
    {"SWOT-OPP-03", "The document reports an acquisition or merger completed or agreed.",
     L("completed the acquisition of", "completed its acquisition of", "completed our acquisition of", "we acquired",
       "the company acquired", "acquired all of the outstanding", "agreed to acquire",
       "definitive agreement to acquire", "definitive merger agreement", "completed the merger",
       "entered into an agreement to acquire"),
     NONE, risky, 0, 0},
};

static int any_in(const char *s, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (strstr(s, list[i]))
            return 1;
    return 0;
}

/* Hypothetical wording in a sentence key; "May 3" and "in May 2023" are dates, not "may". */
static int is_hypothetical(const char *key)
{
    for (size_t i = 0; hypothetical[i]; i++) {
        size_t n = strlen(hypothetical[i]);
        for (const char *h = strstr(key, hypothetical[i]); h; h = strstr(h + 1, hypothetical[i])) {
            if (strcmp(hypothetical[i], " may ") == 0 && isdigit((unsigned char)h[n]))
                continue;
            return 1;
        }
    }
    return 0;
}

/* Largest percentage written in s ("23%", "12.5 %", "15 percent"); -1 when none. */
static double max_percent(const char *s)
{
    double best = -1;
    for (const char *p = s; *p; p++) {
        if (*p != '%' && strncmp(p, " percent", 8) != 0)
            continue;
        const char *e = p;
        while (e > s && e[-1] == ' ')
            e--;
        const char *b = e;
        while (b > s && (isdigit((unsigned char)b[-1]) || b[-1] == '.'))
            b--;
        if (b < e) {
            double v = strtod(b, NULL);
            if (v > best)
                best = v;
        }
    }
    return best;
}

/* A sentence in lower case with spaces around, for cue tests (" may " at its start too). */
static void sentence_key(const char *text, size_t s, size_t e, char *out, size_t cap)
{
    size_t o = 0;
    out[o++] = ' ';
    for (size_t i = s; i < e && o + 2 < cap; i++) {
        char ch = (char)tolower((unsigned char)text[i]);
        out[o++] = ch == '\n' || ch == '\t' ? ' ' : ch;
    }
    out[o++] = ' ';
    out[o] = '\0';
}

static ds_status text_rule_apply(ctx *c, const char *lower, const text_rule *r)
{
    ds_document *doc = c->doc;
    const char *text = doc->text.data;
    ds_buf ev = DS_BUF_INIT;
    ds_status st = ds_buf_putc(&ev, '[');
    int hits = 0;
    ds_evidence first = {0};
    size_t last_sentence_end = 0;
    /* Anchors are found in text order: the next occurrence of each is kept and searched again
     * only once passed, so the text is scanned once per anchor. */
    const char *next[32];
    size_t na = 0;
    for (; r->anchors[na] && na < 32; na++)
        next[na] = strstr(lower, r->anchors[na]);
    size_t pos = 0;
    while (st == DS_OK && hits < 3) {
        const char *best = NULL;
        size_t alen = 0;
        for (size_t a = 0; a < na; a++) {
            if (next[a] && next[a] < lower + pos)
                next[a] = strstr(lower + pos, r->anchors[a]);
            if (next[a] && (!best || next[a] < best)) {
                best = next[a];
                alen = strlen(r->anchors[a]);
            }
        }
        if (!best)
            break;
        size_t off = (size_t)(best - lower);
        pos = off + alen;
        if (off < last_sentence_end)
            continue;
        const ds_block *b = ds_evidence_block(doc, off);
        if (!b || b->kind == DS_BLOCK_KIND_TABLE || b->kind == DS_BLOCK_KIND_HEADING)
            continue;
        size_t s, e;
        ds_evidence_sentence(doc, c->chunks, off, alen, &s, &e);
        char key[DS_EVIDENCE_MAX_QUOTE + 8];
        sentence_key(text, s, e, key, sizeof key);
        if ((r->requires[0] && !any_in(key, r->requires)) || any_in(key, r->suppress) ||
            (r->factual && is_hypothetical(key)) || (r->pct_min && max_percent(key) < r->pct_min))
            continue;
        last_sentence_end = e;
        ds_evidence ev1;
        if (ds_evidence_at(doc, c->chunks, off, alen, &ev1) != DS_OK) {
            st = DS_ERR_NOMEM;
            break;
        }
        char q[DS_EVIDENCE_MAX_QUOTE * 2 + 16];
        ds_json_escape(q, sizeof q, ev1.quote);
        st = ds_buf_printf(&ev, "%s{\"quote\":\"%s\",\"page\":%d,\"chunk\":%d}", hits ? "," : "", q, ev1.page,
                           ev1.chunk_seq);
        if (!hits)
            first = ev1;
        hits++;
    }
    if (st == DS_OK)
        st = ds_buf_putc(&ev, ']');
    if (st == DS_OK && hits) {
        ds_swot_item it = {0};
        it.category = rule(r->id)->category;
        it.rule_id = r->id;
        it.statement = r->statement;
        it.evidence = ds_arena_strdup(&doc->arena, ev.data);
        it.page = first.page;
        it.chunk_seq = first.chunk_seq;
        it.quote = first.quote;
        it.byte_off = first.quote_off;
        it.source_extractor = "rules";
        st = it.evidence ? ds_swot_list_push(c->out, &it) : DS_ERR_NOMEM;
    }
    ds_buf_deinit(&ev);
    return st;
}

ds_status ds_swot_rules_apply(ds_document *doc, const ds_chunk_list *chunks, const ds_fact_list *facts,
                              ds_swot_list *out, ds_err *err)
{
    static const ds_fact_list none = {NULL, 0, 0};
    ctx c = {doc, chunks, facts ? facts : &none, out, 12};
    c.fy_month = fy_end_month(doc, c.facts);
    ds_status st = metric_rules(&c, err);
    if (st)
        return st;
    char *lower = ds_malloc(doc->text.len + 1);
    if (!lower)
        return ds_err_set(err, DS_ERR_NOMEM, "out of memory applying SWOT rules to %s",
                          doc->name ? doc->name : "document");
    for (size_t i = 0; i < doc->text.len; i++)
        lower[i] = (char)tolower((unsigned char)doc->text.data[i]);
    lower[doc->text.len] = '\0';
    for (size_t i = 0; i < sizeof text_rules / sizeof text_rules[0] && st == DS_OK; i++)
        st = text_rule_apply(&c, lower, &text_rules[i]);
    ds_free(lower);
    if (st)
        return ds_err_set(err, st, "out of memory applying SWOT rules to %s", doc->name ? doc->name : "document");
    return DS_OK;
}
