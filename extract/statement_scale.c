/* statement_scale.c - the scale ("in millions, except per share data", "$'000") and the
 * currency of a statement table, from its cells, its header and the text before it; whether
 * the document states a scale at all (see statement_internal.h).
 * Owns: nothing. Threading: reentrant, read-only tables.
 */
#include "extract/statement_internal.h"

#include <ctype.h>
#include <string.h>

void ds_stmt_lower_copy(const char *s, char *out, size_t cap)
{
    size_t o = 0;
    for (; *s && o + 1 < cap; s++)
        out[o++] = (char)tolower((unsigned char)*s);
    out[o] = '\0';
}

static const struct {
    const char *pat;
    int exp10;
    int strict_ok;
} scale_pats[] = {
    {"in thousands", 3, 1},
    {"in millions", 6, 1},
    {"in billions", 9, 1},
    {"thousands of dollars", 3, 1},
    {"millions of dollars", 6, 1},
    {"billions of dollars", 9, 1},
    {"(thousands", 3, 1},
    {"(millions", 6, 1},
    {"(billions", 9, 1},
    {"in $000", 3, 1},
    {"($000", 3, 1},
    {"$'000", 3, 1},
    {"£'000", 3, 1},
    {"€'000", 3, 1},
    {"in 000s", 3, 1},
    {"(000s)", 3, 1},
    {"(000's)", 3, 1},
    {"(000)", 3, 1},
    {"in $ millions", 6, 1},
    {"in $ thousands", 3, 1},
    {"in $ billions", 9, 1},
    {"$ in millions", 6, 1},
    {"$ in thousands", 3, 1},
    {"$ in billions", 9, 1},
    {"($ million", 6, 1},
    {"($ thousand", 3, 1},
    {"($ billion", 9, 1},
    {"(in million", 6, 1},
    {"thousands", 3, 0},
    {"millions", 6, 0},
    {"billions", 9, 0},
    {"$m", 6, 0},
    {"£m", 6, 0},
    {"€m", 6, 0},
    {"$bn", 9, 0},
    {"£bn", 9, 0},
    {"€bn", 9, 0},
};

/* The earliest scale mention at or after from; its position and exponent, or NULL. */
static const char *earliest_scale(const char *from, int strict, int *exp10)
{
    const char *best = NULL;
    for (size_t i = 0; i < sizeof scale_pats / sizeof scale_pats[0]; i++) {
        if (strict && !scale_pats[i].strict_ok)
            continue;
        size_t pl = strlen(scale_pats[i].pat);
        for (const char *hit = strstr(from, scale_pats[i].pat); hit; hit = strstr(hit + 1, scale_pats[i].pat)) {
            /* "$m" must not start a word ("$more") */
            if (!scale_pats[i].strict_ok && isalpha((unsigned char)hit[pl]))
                continue;
            if (!best || hit < best) {
                best = hit;
                *exp10 = scale_pats[i].exp10;
            }
            break;
        }
    }
    return best;
}

/* The scale of a table from text around it: the first scale mentioned is the amounts'; share
 * counts follow it unless an "except" clause names shares ("except share data": unscaled;
 * "except number of shares which are reflected in thousands": their own scale). strict: only
 * the explicit forms (for prose before the table). */
void ds_stmt_find_scale(const char *text, int strict, scale_info *si)
{
    if (si->found || !text)
        return;
    char l[CONTEXT_BYTES * 2];
    ds_stmt_lower_copy(text, l, sizeof l);
    int e = 0;
    const char *hit = earliest_scale(l, strict, &e);
    if (!hit)
        return;
    si->found = 1;
    si->exp10 = e;
    si->share_exp10 = e;
    const char *ex = strstr(hit, "except");
    const char *sh = ex ? strstr(ex, "share") : NULL;
    if (sh) {
        /* "per share" alone does not speak of share counts */
        int counts = 0;
        for (const char *p = ex; (p = strstr(p, "share")) != NULL; p++)
            if (!(p >= l + 4 && strncmp(p - 4, "per ", 4) == 0))
                counts = 1;
        if (counts) {
            int se = 0;
            si->share_exp10 = earliest_scale(sh, strict, &se) ? se : 0;
        }
    }
}

/* Whether the document's text states a scale anywhere ("in millions"), looked up once. */
int ds_stmt_doc_states_scale(table_ctx *tc)
{
    static const char *const pats[] = {"in thousands",         "in millions",         "in billions",
                                       "thousands of dollars", "millions of dollars", "billions of dollars"};
    if (tc->doc_scale < 0) {
        const char *text = tc->doc->text.data ? tc->doc->text.data : "";
        tc->doc_scale = 0;
        for (size_t i = 0; i < sizeof pats / sizeof pats[0] && !tc->doc_scale; i++)
            tc->doc_scale = strcasestr(text, pats[i]) != NULL;
    }
    return tc->doc_scale;
}

int ds_stmt_contains_ci(const char *hay, const char *needle)
{
    char l[600];
    ds_stmt_lower_copy(hay, l, sizeof l);
    return strstr(l, needle) != NULL;
}

const char *ds_stmt_currency(const table_ctx *tc, const char *context)
{
    const ds_table *t = tc->t;
    for (size_t i = 0; i < t->n_rows * t->n_cols; i++) {
        const char *s = t->cells[i] ? t->cells[i] : "";
        if (strchr(s, '$'))
            return "USD";
        if (strstr(s, "\xE2\x82\xAC"))
            return "EUR";
        if (strstr(s, "\xC2\xA3"))
            return "GBP";
    }
    if (strchr(context, '$') || ds_stmt_contains_ci(context, "dollars"))
        return "USD";
    if (strstr(context, "\xE2\x82\xAC") || ds_stmt_contains_ci(context, "euro"))
        return "EUR";
    if (strstr(context, "\xC2\xA3") || ds_stmt_contains_ci(context, "pounds sterling"))
        return "GBP";
    return NULL;
}
