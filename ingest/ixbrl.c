/* ixbrl.c - inline XBRL facts: ix:nonFraction and ix:nonNumeric (nested, hidden, continued,
 * with exclusions, transformed, scaled and signed) with their contexts and units, from a
 * parsed XHTML/HTML tree into doc->facts (see ds_ixbrl_extract in xbrl_internal.h).
 *
 * Elements are recognised by namespace URI (inline XBRL 2008 or 2013), or by the "ix:" prefix
 * when the tree came from the HTML parser or the prefix is undeclared. Values are exact decimal
 * strings (decimal.c) or text; a fact that cannot be read is left out with a note in the
 * document, never guessed. Owns nothing after it returns (temporaries in the scratch arena).
 * Threading: reentrant.
 */
#include "pipeline/core/decimal.h"
#include "ingest/xbrl_internal.h"

#include "pipeline/core/alloc.h"
#include "pipeline/core/vec.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_NOTES 50

typedef struct ix_cont {
    const char *id;
    const xmlNode *node;
} ix_cont;

typedef struct ix_pass {
    ds_document *doc;
    const ds_mk_doc *md;
    ds_arena *scratch;
    ds_xbrl_defs defs;
    DS_VEC(const xmlNode *) facts;
    DS_VEC(ix_cont) conts;
    size_t notes;
    size_t max_depth;
    uintptr_t chain; /* continuation chains followed so far */
    size_t fractions;
} ix_pass;

int ds_ixbrl_is_fact(const ds_mk_doc *md, const xmlNode *el)
{
    if (!el || el->type != XML_ELEMENT_NODE || ds_mk_elem_ns(md, el) != DS_MK_NS_IX)
        return 0;
    const char *l = ds_mk_local(el->name);
    return !strcasecmp(l, "nonFraction") || !strcasecmp(l, "nonNumeric");
}

static ds_status note(ix_pass *p, const char *fmt, const char *a, const char *b)
{
    if (p->notes >= MAX_NOTES)
        return DS_OK;
    if (++p->notes == MAX_NOTES)
        return ds_doc_add_note(p->doc, "ixbrl: further fact notes left out");
    return ds_doc_add_note(p->doc, fmt, a ? a : "", b ? b : "");
}

/* Collects definitions, continuations and fact elements in document order. */
static ds_status collect(ix_pass *p, const xmlNode *n, size_t depth)
{
    if (depth > p->max_depth + 8)
        return DS_ERR_PARSE;
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        int taken = 0;
        ds_status st = ds_xbrl_defs_take(&p->defs, p->md, c, &taken);
        if (st != DS_OK)
            return st;
        if (taken)
            continue;
        if (ds_mk_elem_ns(p->md, c) == DS_MK_NS_IX) {
            const char *l = ds_mk_local(c->name);
            if (!strcasecmp(l, "nonFraction") || !strcasecmp(l, "nonNumeric")) {
                if (DS_VEC_PUSH(p->facts, c))
                    return DS_ERR_NOMEM;
            } else if (!strcasecmp(l, "continuation")) {
                ix_cont k = {ds_mk_attr(p->scratch, c, "id"), c};
                if (k.id && DS_VEC_PUSH(p->conts, k))
                    return DS_ERR_NOMEM;
            } else if (!strcasecmp(l, "fraction") && !p->fractions++) {
                st = ds_doc_add_note(p->doc, "ixbrl: ix:fraction facts are not read");
                if (st != DS_OK)
                    return st;
            }
        }
        st = collect(p, c, depth + 1);
        if (st != DS_OK)
            return st;
    }
    return DS_OK;
}

static int cmp_cont(const void *a, const void *b)
{
    return strcmp(((const ix_cont *)a)->id, ((const ix_cont *)b)->id);
}

static const xmlNode *find_cont(const ix_pass *p, const char *id)
{
    if (!p->conts.n)
        return NULL;
    ix_cont key = {id, NULL};
    const ix_cont *c = bsearch(&key, p->conts.v, p->conts.n, sizeof key, cmp_cont);
    return c ? c->node : NULL;
}

/* ix:exclude content is not part of any fact value. */
static int skip_exclude(void *ctx, const xmlNode *el)
{
    const ix_pass *p = ctx;
    return ds_mk_is(p->md, el, DS_MK_NS_IX, "exclude");
}

static int attr_true(const char *v)
{
    return v && (!strcasecmp(v, "true") || !strcmp(v, "1"));
}

/* xsi:nil="true" (the attribute's prefix may be anything bound to XMLSchema-instance). */
static int is_nil(const ix_pass *p, const xmlNode *el)
{
    for (const xmlAttr *a = el->properties; a; a = a->next) {
        if (strcasecmp(ds_mk_local(a->name), "nil") != 0)
            continue;
        int xsi = a->ns && a->ns->href && ds_mk_ns_of_uri((const char *)a->ns->href) == DS_MK_NS_XSI;
        if (!a->ns) { /* HTML parser: "xsi:nil" kept as the name */
            const char *nm = (const char *)a->name, *c = strchr(nm, ':');
            const char *uri = c ? ds_mk_ns_uri(p->md, el, nm, (size_t)(c - nm)) : NULL;
            xsi = c && (!uri || ds_mk_ns_of_uri(uri) == DS_MK_NS_XSI);
        }
        if (xsi && a->children && a->children->type == XML_TEXT_NODE)
            return attr_true((const char *)a->children->content);
    }
    return 0;
}

/* Local part of a format QName ("ixt:num-dot-decimal" -> "num-dot-decimal"). */
static const char *format_local(const char *format)
{
    const char *c = format ? strrchr(format, ':') : NULL;
    return c ? c + 1 : format;
}

static ds_status numeric_value(ix_pass *p, const xmlNode *el, const char *name, ds_buf *out, int *ok)
{
    *ok = 0;
    ds_buf text = DS_BUF_INIT, v = DS_BUF_INIT;
    ds_status st = ds_mk_text(p->md, el, 0, skip_exclude, p, &text);
    if (st != DS_OK)
        goto done;
    ds_mk_collapse(&text);
    const char *format = ds_mk_attr(p->scratch, el, "format");
    const char *scale_s = ds_mk_attr(p->scratch, el, "scale");
    const char *sign = ds_mk_attr(p->scratch, el, "sign");
    ds_status tr;
    if (format && *format) {
        tr = ds_ixt_apply(format_local(format), text.data, 1, &v);
        if (tr == DS_ERR_UNSUPPORTED) {
            st = note(p, "ixbrl: unknown numeric format %s (fact %s), read as a plain number", format, name);
            tr = DS_OK;
        }
    } else {
        tr = ds_dec_canon(text.data, text.len, &v, NULL);
        if (tr == DS_ERR_PARSE) /* not a bare decimal: read it as displayed */
            tr = ds_dec_from_display(text.data, text.len, '.', &v, NULL);
    }
    if (tr == DS_ERR_NOMEM || st != DS_OK) {
        st = DS_ERR_NOMEM;
        goto done;
    }
    if (tr != DS_OK) {
        st = note(p, "ixbrl: fact %s: displayed value \"%s\" is not a number, fact left out", name, text.data);
        goto done;
    }
    if (!strcmp(v.data, "INF") || !strcmp(v.data, "-INF") || !strcmp(v.data, "NaN")) {
        st = ds_buf_puts(out, v.data);
        *ok = st == DS_OK;
        goto done;
    }
    long scale = 0;
    if (scale_s && *scale_s) {
        char *end;
        scale = strtol(scale_s, &end, 10);
        while (*end == ' ')
            end++;
        if (*end || scale > DS_DEC_MAX_SHIFT || scale < -DS_DEC_MAX_SHIFT) {
            st = note(p, "ixbrl: fact %s: scale \"%s\" out of range, fact left out", name, scale_s);
            goto done;
        }
    }
    st = ds_dec_shift(v.data, (int)scale, sign && !strcmp(sign, "-"), out, NULL);
    *ok = st == DS_OK;
done:
    ds_buf_deinit(&text);
    ds_buf_deinit(&v);
    return st;
}

static ds_status text_value(ix_pass *p, const xmlNode *el, const char *name, ds_buf *out, int *ok)
{
    *ok = 0;
    ds_buf text = DS_BUF_INIT;
    int escape = attr_true(ds_mk_attr(p->scratch, el, "escape"));
    ds_status st = ds_mk_text(p->md, el, escape, skip_exclude, p, &text);
    const char *next = ds_mk_attr(p->scratch, el, "continuedAt");
    /* Continuation elements visited for this fact carry its stamp in their _private slot (fact
     * elements use that slot for text offsets, continuations are never facts). */
    void *stamp = (void *)(uintptr_t)(++p->chain);
    while (st == DS_OK && next && *next) {
        xmlNode *c = (xmlNode *)find_cont(p, next);
        if (!c || c->_private == stamp) {
            st = note(p,
                      c ? "ixbrl: fact %s: continuation %s is circular" : "ixbrl: fact %s: continuation %s not found",
                      name, next);
            break;
        }
        c->_private = stamp;
        st = ds_mk_text(p->md, c, escape, skip_exclude, p, &text);
        next = ds_mk_attr(p->scratch, c, "continuedAt");
    }
    if (st != DS_OK)
        goto done;
    ds_mk_collapse(&text);
    const char *format = ds_mk_attr(p->scratch, el, "format");
    if (format && *format) {
        ds_status tr = ds_ixt_apply(format_local(format), text.data, 0, out);
        if (tr == DS_ERR_NOMEM) {
            st = tr;
            goto done;
        }
        if (tr == DS_ERR_UNSUPPORTED || tr == DS_ERR_PARSE) {
            st = note(p,
                      tr == DS_ERR_PARSE ? "ixbrl: text \"%s\" does not fit format %s, kept as displayed"
                                         : "ixbrl: text \"%s\" has unknown format %s, kept as displayed",
                      text.data, format);
            ds_buf_clear(out);
            if (st == DS_OK)
                st = ds_buf_puts(out, text.data);
        }
    } else {
        st = ds_buf_puts(out, text.data);
    }
    *ok = st == DS_OK;
done:
    ds_buf_deinit(&text);
    return st;
}

static ds_status one_fact(ix_pass *p, const xmlNode *el)
{
    const char *name = ds_mk_attr(p->scratch, el, "name");
    if (!name || !*name)
        return note(p, "ixbrl: fact without a name left out", NULL, NULL);
    int numeric = !strcasecmp(ds_mk_local(el->name), "nonFraction");
    ds_xbrl_fact f = {0};
    f.concept = ds_xbrl_qname(p->scratch, p->md, el, name);
    if (!f.concept)
        return DS_ERR_NOMEM;
    f.is_numeric = numeric;
    f.is_nil = is_nil(p, el);
    f.fact_id = ds_mk_attr(p->scratch, el, "id");
    f.context_id = ds_mk_attr(p->scratch, el, "contextRef");
    f.decimals = numeric ? ds_mk_attr(p->scratch, el, "decimals") : NULL;
    const ds_xbrl_context *ctx = ds_xbrl_defs_context(&p->defs, f.context_id);
    if (ctx) {
        f.entity = ctx->entity;
        f.period_start = ctx->start;
        f.period_end = ctx->end;
        f.dimensions = ctx->dims;
    } else if (note(p, "ixbrl: fact %s: context %s not found", f.concept, f.context_id)) {
        return DS_ERR_NOMEM;
    }
    if (numeric) {
        const char *uref = ds_mk_attr(p->scratch, el, "unitRef");
        const ds_xbrl_unit *u = ds_xbrl_defs_unit(&p->defs, uref);
        f.unit = u ? u->measure : uref;
        if (!u && note(p, "ixbrl: fact %s: unit %s not found", f.concept, uref))
            return DS_ERR_NOMEM;
    }
    ds_buf v = DS_BUF_INIT;
    ds_status st = ds_buf_reserve(&v, 0);
    int ok = 1;
    if (st == DS_OK && !f.is_nil)
        st = numeric ? numeric_value(p, el, f.concept, &v, &ok) : text_value(p, el, f.concept, &v, &ok);
    if (st == DS_OK && ok) {
        f.value = v.data;
        uintptr_t pos = (uintptr_t)el->_private;
        f.text_off = pos ? (size_t)(pos - 1) : SIZE_MAX;
        f.page = pos ? ds_doc_page_of(p->doc, f.text_off) : 0;
        st = ds_doc_add_fact(p->doc, &f);
        if (st == DS_OK)
            st = ds_xbrl_cover_meta(p->doc, &f);
    }
    ds_buf_deinit(&v);
    return st;
}

ds_status ds_ixbrl_extract(ds_document *doc, const ds_mk_doc *md, ds_arena *scratch, ds_err *err)
{
    ix_pass p;
    memset(&p, 0, sizeof p);
    p.doc = doc;
    p.md = md;
    p.scratch = scratch;
    p.max_depth = DS_MK_DEFAULT_DEPTH;
    ds_xbrl_defs_init(&p.defs, scratch);
    const char *what = doc->name ? doc->name : "document";
    ds_status st = DS_OK;
    xmlNode *root = xmlDocGetRootElement(md->xml);
    if (root) {
        int taken = 0;
        st = ds_xbrl_defs_take(&p.defs, md, root, &taken);
        if (st == DS_OK && !taken)
            st = collect(&p, root, 0);
    }
    if (st == DS_OK) {
        ds_xbrl_defs_finish(&p.defs);
        if (p.conts.n)
            qsort(p.conts.v, p.conts.n, sizeof *p.conts.v, cmp_cont);
        for (size_t i = 0; i < p.facts.n && st == DS_OK; i++)
            st = one_fact(&p, p.facts.v[i]);
    }
    ds_xbrl_defs_deinit(&p.defs);
    DS_VEC_FREE(p.facts);
    DS_VEC_FREE(p.conts);
    if (st == DS_ERR_NOMEM)
        return ds_err_set(err, st, "%s: out of memory reading inline xbrl facts", what);
    if (st != DS_OK)
        return ds_err_set(err, st, "%s: inline xbrl: %s", what, ds_status_str(st));
    return DS_OK;
}
