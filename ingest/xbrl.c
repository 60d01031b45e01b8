/* xbrl.c - XBRL instance documents: ds_xbrl_parse. Reads xbrli:context, xbrli:unit and the
 * facts under the xbrli:xbrl root (tuples flattened) into the same fact model as inline XBRL:
 * concept names by namespace URI, exact canonical decimals for numeric facts, text blocks
 * (escaped XHTML) reduced to text. Text-block facts also become paragraphs of the document
 * text, under a section named after their concept.
 *
 * The XML parser is the hardened one of markup.c (no network, no entity expansion, no DTD,
 * nesting and size limits). Owns: a scratch arena and the tree for the duration of the call.
 * Threading: reentrant.
 */
#include "pipeline/core/decimal.h"
#include "ingest/ingest.h"
#include "ingest/markup.h"
#include "ingest/xbrl_internal.h"

#include "pipeline/core/alloc.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#define MAX_NOTES 50

typedef struct xpass {
    ds_document *doc;
    const ds_mk_doc *md;
    ds_arena *scratch;
    const ds_ingest_limits *lim;
    ds_xbrl_defs defs;
    size_t notes;
    size_t max_depth;
} xpass;

static ds_status note(xpass *p, const char *fmt, const char *a, const char *b)
{
    if (p->notes >= MAX_NOTES)
        return DS_OK;
    if (++p->notes == MAX_NOTES)
        return ds_doc_add_note(p->doc, "xbrl: further fact notes left out");
    return ds_doc_add_note(p->doc, fmt, a ? a : "", b ? b : "");
}

static int skip_code(void *ctx, const xmlNode *el)
{
    const ds_mk_doc *md = ctx;
    return ds_mk_is_html(md, el, "script") || ds_mk_is_html(md, el, "style") || ds_mk_is_html(md, el, "head");
}

/* 1 when s holds a tag anywhere: '<' then a letter, '/' or '!', and a '>' after it. A text
 * block may open with text before its first tag ("Note 4 <div>..."); "a < b" is not a tag. */
static int has_tag(const char *s)
{
    for (const char *lt = strchr(s, '<'); lt; lt = strchr(lt + 1, '<')) {
        char c = lt[1];
        if ((c == '/' || c == '!' || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')) && strchr(lt + 2, '>'))
            return 1;
    }
    return 0;
}

/* Text of a value: escaped XHTML (a text block), wherever its first tag is, is parsed with the
 * hardened HTML parser and reduced to its text with block breaks; anything else is only
 * whitespace-collapsed. Sets *markup when the value was markup. */
static ds_status plain_text(const xpass *p, const char *value, ds_buf *out, int *markup)
{
    *markup = 0;
    ds_buf_clear(out);
    const char *s = value;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    if (has_tag(s)) {
        ds_mk_doc frag;
        ds_err ferr;
        if (ds_mk_parse(&frag, DS_MK_HTML_UTF8, (const unsigned char *)s, strlen(s), p->lim, "text block", &ferr) ==
            DS_OK) {
            ds_status st = ds_mk_text(&frag, xmlDocGetRootElement(frag.xml), 1, skip_code, &frag, out);
            ds_mk_doc_free(&frag);
            if (st != DS_OK)
                return st;
            *markup = 1;
            ds_mk_collapse(out);
            return DS_OK;
        }
    }
    ds_status st = ds_buf_puts(out, value);
    if (st == DS_OK)
        ds_mk_collapse(out);
    return st;
}

static int has_element_child(const xmlNode *n)
{
    for (const xmlNode *c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return 1;
    return 0;
}

static int is_nil(const xmlNode *el)
{
    for (const xmlAttr *a = el->properties; a; a = a->next)
        if (!strcmp((const char *)a->name, "nil") && a->ns && a->ns->href &&
            ds_mk_ns_of_uri((const char *)a->ns->href) == DS_MK_NS_XSI && a->children &&
            a->children->type == XML_TEXT_NODE && a->children->content)
            return !strcmp((const char *)a->children->content, "true") ||
                   !strcmp((const char *)a->children->content, "1");
    return 0;
}

static ds_status facts_under(xpass *p, const xmlNode *parent, size_t depth);

static ds_status one_fact(xpass *p, const xmlNode *el, size_t depth)
{
    const char *ctx_id = ds_mk_attr(p->scratch, el, "contextRef");
    if (!ctx_id) /* a tuple (or something that is not a fact): its children may be facts */
        return has_element_child(el) ? facts_under(p, el, depth + 1) : DS_OK;
    ds_xbrl_fact f = {0};
    f.concept = ds_xbrl_elem_concept(p->scratch, p->md, el);
    if (!f.concept)
        return DS_ERR_NOMEM;
    f.context_id = ctx_id;
    f.fact_id = ds_mk_attr(p->scratch, el, "id");
    f.is_nil = is_nil(el);
    f.text_off = SIZE_MAX;
    const char *uref = ds_mk_attr(p->scratch, el, "unitRef");
    f.is_numeric = uref != NULL;
    const ds_xbrl_context *c = ds_xbrl_defs_context(&p->defs, ctx_id);
    if (c) {
        f.entity = c->entity;
        f.period_start = c->start;
        f.period_end = c->end;
        f.dimensions = c->dims;
    } else if (note(p, "xbrl: fact %s: context %s not found", f.concept, ctx_id)) {
        return DS_ERR_NOMEM;
    }
    if (uref) {
        const ds_xbrl_unit *u = ds_xbrl_defs_unit(&p->defs, uref);
        f.unit = u ? u->measure : uref;
        f.decimals = ds_mk_attr(p->scratch, el, "decimals");
        if (!u && note(p, "xbrl: fact %s: unit %s not found", f.concept, uref))
            return DS_ERR_NOMEM;
    }
    ds_buf raw = DS_BUF_INIT, v = DS_BUF_INIT;
    ds_status st = ds_mk_text(p->md, el, 0, NULL, NULL, &raw);
    int markup = 0;
    if (st == DS_OK)
        st = ds_buf_reserve(&v, 0);
    if (st == DS_OK && !f.is_nil) {
        if (f.is_numeric) {
            ds_status d = ds_dec_canon(raw.data, raw.len, &v, NULL);
            if (d == DS_ERR_PARSE) { /* INF, NaN, a float in exponent form: kept as written */
                ds_buf_clear(&v);
                st = ds_buf_append(&v, raw.data, raw.len);
                if (st == DS_OK)
                    ds_mk_collapse(&v);
                if (st == DS_OK && strcmp(v.data, "INF") && strcmp(v.data, "-INF") && strcmp(v.data, "NaN"))
                    st = note(p, "xbrl: fact %s: value \"%s\" is not a decimal, kept as written", f.concept, v.data);
            } else {
                st = d;
            }
        } else {
            st = plain_text(p, raw.data, &v, &markup);
        }
    }
    if (st == DS_OK) {
        f.value = v.data;
        if (markup && v.len > 0) {
            ds_block *b = NULL;
            st = ds_doc_add_block(p->doc, DS_BLOCK_KIND_PARAGRAPH, 0, f.concept, v.data, v.len, &b);
            if (st == DS_OK)
                f.text_off = b->text_off;
        }
        if (st == DS_OK)
            st = ds_doc_add_fact(p->doc, &f);
        if (st == DS_OK)
            st = ds_xbrl_cover_meta(p->doc, &f);
    }
    ds_buf_deinit(&raw);
    ds_buf_deinit(&v);
    return st;
}

static ds_status facts_under(xpass *p, const xmlNode *parent, size_t depth)
{
    if (depth > p->max_depth + 8)
        return DS_ERR_PARSE;
    for (const xmlNode *c = parent->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        ds_mk_ns ns = ds_mk_elem_ns(p->md, c);
        if (ns == DS_MK_NS_XBRLI || ns == DS_MK_NS_LINK)
            continue; /* contexts, units, schemaRef, footnoteLink */
        ds_status st = one_fact(p, c, depth);
        if (st != DS_OK)
            return st;
    }
    return DS_OK;
}

ds_status ds_xbrl_parse(ds_document *doc, const unsigned char *data, size_t n, const ds_ingest_limits *lim, ds_err *err)
{
    const char *what = doc->name ? doc->name : doc->source ? doc->source : "xbrl instance";
    if (n == 0)
        return ds_err_set(err, DS_ERR_EMPTY, "%s: empty input", what);
    ds_arena scratch;
    ds_arena_init(&scratch, 64 * 1024);
    ds_mk_doc md;
    ds_status st = ds_mk_parse(&md, DS_MK_XML, data, n, lim, what, err);
    if (st != DS_OK) {
        ds_arena_deinit(&scratch);
        return st;
    }
    xpass p;
    memset(&p, 0, sizeof p);
    p.doc = doc;
    p.md = &md;
    p.scratch = &scratch;
    p.lim = lim;
    p.max_depth = ds_mk_depth_limit(lim);
    ds_xbrl_defs_init(&p.defs, &scratch);
    xmlNode *root = xmlDocGetRootElement(md.xml);
    if (!ds_mk_is(&md, root, DS_MK_NS_XBRLI, "xbrl")) {
        st = ds_err_set(err, DS_ERR_FORMAT, "%s: root element <%s> is not xbrli:xbrl", what,
                        root && root->name ? (const char *)root->name : "?");
        goto done;
    }
    for (const xmlNode *c = root->children; c && st == DS_OK; c = c->next) {
        int taken;
        if (c->type == XML_ELEMENT_NODE)
            st = ds_xbrl_defs_take(&p.defs, &md, c, &taken);
    }
    if (st == DS_OK) {
        ds_xbrl_defs_finish(&p.defs);
        st = facts_under(&p, root, 0);
    }
    if (st != DS_OK)
        ds_err_set(err, st, "%s: %s while reading xbrl facts", what, ds_status_str(st));
    else if (doc->n_facts == 0)
        st = ds_err_set(err, DS_ERR_EMPTY, "%s: xbrl instance without facts", what);
done:
    ds_xbrl_defs_deinit(&p.defs);
    ds_mk_doc_free(&md);
    ds_arena_deinit(&scratch);
    return st;
}
