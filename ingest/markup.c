/* markup.c - libxml2 parsing under limits and shared DOM helpers (see markup.h).
 *
 * Owns: the parser context during ds_mk_parse (freed before it returns) and, afterwards, the
 * tree and namespace table inside the ds_mk_doc. The nesting/element guard is per parse: it
 * lives in the parser context's _private slot and wraps that context's own SAX handler copy,
 * so nothing global is changed. Threading: reentrant.
 */
#include "ingest/markup.h"

#include "pipeline/core/alloc.h"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct mk_guard {
    startElementNsSAX2Func xml_start;
    startElementSAXFunc html_start;
    charactersSAXFunc characters, cdata;
    size_t max_depth, max_elements, elements;
    const void *text_parent; /* element the current run of text goes into */
    size_t text_run;         /* bytes of that run */
    int tripped;             /* 1: nesting, 2: element count, 3: text node size */
} mk_guard;

/* Returns 1 (and stops the parser) when one more element would break a limit. */
static int guard_trips(xmlParserCtxtPtr ctxt)
{
    mk_guard *g = ctxt->_private;
    if (g->tripped)
        return 1;
    if ((size_t)ctxt->nodeNr >= g->max_depth)
        g->tripped = 1;
    else if (++g->elements > g->max_elements)
        g->tripped = 2;
    if (g->tripped)
        xmlStopParser(ctxt);
    return g->tripped != 0;
}

/* One text node may hold at most DS_MK_MAX_TEXT bytes: libxml2 checks this only when it
 * appends to a node, not when a whole in-memory run arrives at once, so it is counted here. */
static int text_trips(xmlParserCtxtPtr ctxt, int len)
{
    mk_guard *g = ctxt->_private;
    if (g->tripped)
        return 1;
    if (g->text_parent != ctxt->node) {
        g->text_parent = ctxt->node;
        g->text_run = 0;
    }
    g->text_run += len > 0 ? (size_t)len : 0;
    if (g->text_run > DS_MK_MAX_TEXT) {
        g->tripped = 3;
        xmlStopParser(ctxt);
    }
    return g->tripped != 0;
}

static void guard_characters(void *ctx, const xmlChar *ch, int len)
{
    xmlParserCtxtPtr ctxt = ctx;
    if (!text_trips(ctxt, len))
        ((mk_guard *)ctxt->_private)->characters(ctx, ch, len);
}

static void guard_cdata(void *ctx, const xmlChar *ch, int len)
{
    xmlParserCtxtPtr ctxt = ctx;
    if (!text_trips(ctxt, len))
        ((mk_guard *)ctxt->_private)->cdata(ctx, ch, len);
}

static void guard_xml_start(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
                            int nb_namespaces, const xmlChar **namespaces, int nb_attributes, int nb_defaulted,
                            const xmlChar **attributes)
{
    xmlParserCtxtPtr ctxt = ctx;
    if (guard_trips(ctxt))
        return;
    ((mk_guard *)ctxt->_private)->text_parent = NULL;
    ((mk_guard *)ctxt->_private)
        ->xml_start(ctx, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes, nb_defaulted, attributes);
}

static void guard_html_start(void *ctx, const xmlChar *name, const xmlChar **atts)
{
    xmlParserCtxtPtr ctxt = ctx;
    if (guard_trips(ctxt))
        return;
    ((mk_guard *)ctxt->_private)->html_start(ctx, name, atts);
    /* The HTML tree builder drops the prefix of "ix:nonfraction"; put the full name back so
     * prefixed elements can still be told apart (attributes keep theirs). */
    const xmlChar *colon = name ? xmlStrchr(name, ':') : NULL;
    xmlNodePtr n = ctxt->node;
    if (colon && n && n->type == XML_ELEMENT_NODE && n->name && xmlStrEqual(n->name, colon + 1))
        xmlNodeSetName(n, name);
}

/* External entities and DTDs are never fetched, whatever the document asks for. */
static xmlParserInputPtr deny_entity(void *ctx, const xmlChar *public_id, const xmlChar *system_id)
{
    (void)ctx;
    (void)public_id;
    (void)system_id;
    return NULL;
}

size_t ds_mk_depth_limit(const ds_ingest_limits *lim)
{
    size_t d = lim && lim->max_xml_depth ? lim->max_xml_depth : DS_MK_DEFAULT_DEPTH;
    return d > DS_MK_DEFAULT_DEPTH ? DS_MK_DEFAULT_DEPTH : d;
}

/* libxml2's message, made to follow the project's style: lower-case start, no newline or
 * trailing period. */
static void tidy_message(const char *in, char *out, size_t cap)
{
    snprintf(out, cap, "%s", in ? in : "unknown error");
    size_t l = strlen(out);
    while (l > 0 && (out[l - 1] == '\n' || out[l - 1] == '.' || out[l - 1] == ' '))
        out[--l] = '\0';
    if (out[0] >= 'A' && out[0] <= 'Z' && !(out[1] >= 'A' && out[1] <= 'Z'))
        out[0] = (char)(out[0] - 'A' + 'a');
}

/* Next element in document order below root, or NULL. */
static xmlNode *next_in_tree(xmlNode *n, const xmlNode *root)
{
    if (n->children && n->type == XML_ELEMENT_NODE)
        return n->children;
    while (n && n != root) {
        if (n->next)
            return n->next;
        n = n->parent;
    }
    return NULL;
}

/* HTML mode: records xmlns:prefix attributes so prefixed names can still be resolved. */
static ds_status collect_html_ns(ds_mk_doc *d)
{
    xmlNode *root = xmlDocGetRootElement(d->xml);
    size_t cap = 0;
    for (xmlNode *n = root; n; n = next_in_tree(n, root)) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        for (xmlAttr *a = n->properties; a; a = a->next) {
            const char *nm = (const char *)a->name;
            if (strncasecmp(nm, "xmlns:", 6) != 0 || !a->children || a->children->type != XML_TEXT_NODE)
                continue;
            const char *pfx = nm + 6, *uri = (const char *)a->children->content;
            int seen = 0;
            for (size_t i = 0; i < d->n_ns && !seen; i++)
                seen = strcasecmp(d->ns_prefix[i], pfx) == 0;
            if (seen || !uri)
                continue;
            if (d->n_ns == cap) {
                size_t nc = cap ? cap * 2 : 16;
                char **p1 = ds_realloc(d->ns_prefix, nc * sizeof *p1);
                if (!p1)
                    return DS_ERR_NOMEM;
                d->ns_prefix = p1;
                char **p2 = ds_realloc(d->ns_uri, nc * sizeof *p2);
                if (!p2)
                    return DS_ERR_NOMEM;
                d->ns_uri = p2;
                cap = nc;
            }
            d->ns_prefix[d->n_ns] = ds_strdup(pfx);
            d->ns_uri[d->n_ns] = ds_strdup(uri);
            if (!d->ns_prefix[d->n_ns] || !d->ns_uri[d->n_ns]) {
                ds_free(d->ns_prefix[d->n_ns]);
                ds_free(d->ns_uri[d->n_ns]);
                return DS_ERR_NOMEM;
            }
            d->n_ns++;
        }
    }
    return DS_OK;
}

ds_status ds_mk_parse(ds_mk_doc *out, ds_mk_mode mode, const unsigned char *data, size_t n, const ds_ingest_limits *lim,
                      const char *what, ds_err *err)
{
    memset(out, 0, sizeof *out);
    out->mode = mode == DS_MK_XML ? DS_MK_XML : DS_MK_HTML;
    if (!what)
        what = "document";
    if (lim && lim->max_bytes && n > lim->max_bytes)
        return ds_err_set(err, DS_ERR_TOO_LARGE, "%s: %zu bytes exceed the limit of %zu", what, n, lim->max_bytes);
    if (n > (size_t)INT_MAX)
        return ds_err_set(err, DS_ERR_TOO_LARGE, "%s: %zu bytes exceed the parser's limit of %d", what, n, INT_MAX);
    if (n == 0)
        return ds_err_set(err, DS_ERR_EMPTY, "%s: empty input", what);
    xmlInitParser();

    mk_guard g = {0};
    g.max_depth = ds_mk_depth_limit(lim);
    g.max_elements = DS_MK_MAX_ELEMENTS;
    xmlParserCtxtPtr ctxt;
    if (mode != DS_MK_XML) {
        ctxt = htmlCreateMemoryParserCtxt((const char *)data, (int)n);
        if (!ctxt)
            return ds_err_set(err, DS_ERR_NOMEM, "%s: cannot create the html parser", what);
        if (mode == DS_MK_HTML_UTF8)
            xmlSwitchEncoding(ctxt, XML_CHAR_ENCODING_UTF8);
        /* No HTML_PARSE_COMPACT: with it libxml2 skips its text-node size check. */
        htmlCtxtUseOptions(ctxt, HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_RECOVER);
        g.html_start = ctxt->sax->startElement;
        ctxt->sax->startElement = guard_html_start;
    } else {
        ctxt = xmlCreateMemoryParserCtxt((const char *)data, (int)n);
        if (!ctxt)
            return ds_err_set(err, DS_ERR_NOMEM, "%s: cannot create the xml parser", what);
        /* No XML_PARSE_NOENT, DTDLOAD, DTDATTR, DTDVALID, XINCLUDE or HUGE; no COMPACT either,
         * which makes libxml2 skip its 10 MB text-node limit. */
        xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
        g.xml_start = ctxt->sax->startElementNs;
        ctxt->sax->startElementNs = guard_xml_start;
        ctxt->sax->externalSubset = NULL;
    }
    ctxt->sax->resolveEntity = deny_entity;
    g.characters = ctxt->sax->characters;
    g.cdata = ctxt->sax->cdataBlock;
    if (g.characters)
        ctxt->sax->characters = guard_characters;
    if (g.cdata)
        ctxt->sax->cdataBlock = guard_cdata;
    ctxt->_private = &g;

    if (mode != DS_MK_XML)
        htmlParseDocument(ctxt);
    else
        xmlParseDocument(ctxt);

    xmlDocPtr doc = ctxt->myDoc;
    ctxt->myDoc = NULL;
    ds_status st = DS_OK;
    if (g.tripped == 1) {
        st = ds_err_set(err, DS_ERR_PARSE, "%s: element nesting deeper than %zu at line %d", what, g.max_depth,
                        ctxt->input ? ctxt->input->line : 0);
    } else if (g.tripped == 2) {
        st = ds_err_set(err, DS_ERR_TOO_LARGE, "%s: more than %zu elements", what, g.max_elements);
    } else if (g.tripped == 3) {
        st = ds_err_set(err, DS_ERR_TOO_LARGE, "%s: a text node exceeds %d bytes at line %d", what, DS_MK_MAX_TEXT,
                        ctxt->input ? ctxt->input->line : 0);
    } else if (ctxt->lastError.code == XML_ERR_NO_MEMORY) {
        /* libxml2 reports its own size limits (a text node over 10 MB without
         * XML_PARSE_HUGE) as a memory error and stops; the tree is then cut short */
        const char *m = ctxt->lastError.message ? ctxt->lastError.message : "";
        if (strstr(m, "huge") || strstr(m, "too long") || strstr(m, "limit"))
            st = ds_err_set(err, DS_ERR_TOO_LARGE, "%s: a text node exceeds the parser's size limit at line %d", what,
                            ctxt->lastError.line);
        else
            st = ds_err_set(err, DS_ERR_NOMEM, "%s: the parser ran out of memory", what);
    } else if (mode == DS_MK_XML && (!ctxt->wellFormed || !doc)) {
        char msg[300];
        const xmlError *e = &ctxt->lastError;
        tidy_message(e->message, msg, sizeof msg);
        st = ds_err_set(err, e->code == XML_ERR_NO_MEMORY ? DS_ERR_NOMEM : DS_ERR_PARSE,
                        "%s: not well-formed xml at line %d: %s", what, e->line, msg);
    } else if (!doc || !xmlDocGetRootElement(doc)) {
        st = ds_err_set(err, DS_ERR_PARSE, "%s: no markup found", what);
    }
    xmlFreeParserCtxt(ctxt);
    if (st != DS_OK) {
        if (doc)
            xmlFreeDoc(doc);
        return st;
    }
    out->xml = doc;
    if (mode != DS_MK_XML && collect_html_ns(out) != DS_OK) {
        ds_mk_doc_free(out);
        return ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", what);
    }
    return DS_OK;
}

void ds_mk_doc_free(ds_mk_doc *d)
{
    if (!d)
        return;
    if (d->xml)
        xmlFreeDoc(d->xml);
    for (size_t i = 0; i < d->n_ns; i++) {
        ds_free(d->ns_prefix[i]);
        ds_free(d->ns_uri[i]);
    }
    ds_free(d->ns_prefix);
    ds_free(d->ns_uri);
    memset(d, 0, sizeof *d);
}

const char *ds_mk_ns_uri(const ds_mk_doc *d, const xmlNode *n, const char *prefix, size_t prefix_len)
{
    char p[128];
    if (prefix_len >= sizeof p)
        return NULL;
    memcpy(p, prefix, prefix_len);
    p[prefix_len] = '\0';
    if (d->mode == DS_MK_XML) {
        xmlNsPtr ns = xmlSearchNs(d->xml, (xmlNode *)n, prefix_len ? (const xmlChar *)p : NULL);
        return ns && ns->href ? (const char *)ns->href : NULL;
    }
    for (size_t i = 0; i < d->n_ns; i++)
        if (strcasecmp(d->ns_prefix[i], p) == 0)
            return d->ns_uri[i];
    return NULL;
}

ds_mk_ns ds_mk_ns_of_uri(const char *uri)
{
    static const struct {
        const char *uri;
        ds_mk_ns ns;
    } known[] = {
        {"http://www.w3.org/1999/xhtml", DS_MK_NS_XHTML},
        {"http://www.xbrl.org/2013/inlineXBRL", DS_MK_NS_IX},
        {"http://www.xbrl.org/2008/inlineXBRL", DS_MK_NS_IX},
        {"http://www.xbrl.org/2003/instance", DS_MK_NS_XBRLI},
        {"http://xbrl.org/2006/xbrldi", DS_MK_NS_XBRLDI},
        {"http://www.xbrl.org/2003/linkbase", DS_MK_NS_LINK},
        {"http://www.w3.org/2001/XMLSchema-instance", DS_MK_NS_XSI},
    };
    if (!uri)
        return DS_MK_NS_OTHER;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(uri, known[i].uri) == 0)
            return known[i].ns;
    return DS_MK_NS_OTHER;
}

const char *ds_mk_local(const xmlChar *name)
{
    const char *s = (const char *)name, *c = s ? strrchr(s, ':') : NULL;
    return c ? c + 1 : s ? s : "";
}

ds_mk_ns ds_mk_elem_ns(const ds_mk_doc *d, const xmlNode *n)
{
    if (n->ns && n->ns->href && n->ns->href[0])
        return ds_mk_ns_of_uri((const char *)n->ns->href);
    const char *nm = (const char *)n->name, *c = nm ? strchr(nm, ':') : NULL;
    if (!c)
        return DS_MK_NS_NONE;
    const char *uri = ds_mk_ns_uri(d, n, nm, (size_t)(c - nm));
    if (uri)
        return ds_mk_ns_of_uri(uri);
    /* Undeclared prefix: go by the usual prefixes. */
    static const struct {
        const char *pfx;
        ds_mk_ns ns;
    } usual[] = {{"ix", DS_MK_NS_IX},     {"xbrli", DS_MK_NS_XBRLI}, {"xbrldi", DS_MK_NS_XBRLDI},
                 {"link", DS_MK_NS_LINK}, {"xsi", DS_MK_NS_XSI},     {"xhtml", DS_MK_NS_XHTML}};
    size_t pl = (size_t)(c - nm);
    for (size_t i = 0; i < sizeof usual / sizeof usual[0]; i++)
        if (strlen(usual[i].pfx) == pl && strncasecmp(nm, usual[i].pfx, pl) == 0)
            return usual[i].ns;
    return DS_MK_NS_OTHER;
}

int ds_mk_is(const ds_mk_doc *d, const xmlNode *n, ds_mk_ns ns, const char *local)
{
    return n && n->type == XML_ELEMENT_NODE && strcasecmp(ds_mk_local(n->name), local) == 0 &&
           ds_mk_elem_ns(d, n) == ns;
}

int ds_mk_is_html(const ds_mk_doc *d, const xmlNode *n, const char *tag)
{
    if (!n || n->type != XML_ELEMENT_NODE || strcasecmp((const char *)n->name, tag) != 0)
        return 0;
    ds_mk_ns ns = ds_mk_elem_ns(d, n);
    return ns == DS_MK_NS_NONE || ns == DS_MK_NS_XHTML;
}

const char *ds_mk_attr(ds_arena *scratch, const xmlNode *n, const char *local)
{
    if (!n || n->type != XML_ELEMENT_NODE)
        return NULL;
    for (const xmlAttr *a = n->properties; a; a = a->next) {
        if (strcasecmp(ds_mk_local(a->name), local) != 0)
            continue;
        if (strncasecmp((const char *)a->name, "xmlns:", 6) == 0)
            continue;
        const xmlNode *c = a->children;
        if (!c)
            return "";
        if (c->type == XML_TEXT_NODE && !c->next)
            return c->content ? (const char *)c->content : "";
        ds_buf b = DS_BUF_INIT;
        for (; c; c = c->next)
            if (c->type == XML_TEXT_NODE && c->content && ds_buf_puts(&b, (const char *)c->content)) {
                ds_buf_deinit(&b);
                return NULL;
            }
        const char *v = ds_arena_strdup(scratch, b.data ? b.data : "");
        ds_buf_deinit(&b);
        return v;
    }
    return NULL;
}

static int cmp_name(const void *key, const void *el)
{
    return strcmp(key, *(const char *const *)el);
}

int ds_mk_is_block_tag(const char *tag)
{
    static const char *const blocks[] = {
        /* sorted */
        "address", "article", "aside", "blockquote", "body",       "br",      "caption", "center", "dd",
        "div",     "dl",      "dt",    "fieldset",   "figcaption", "figure",  "footer",  "form",   "h1",
        "h2",      "h3",      "h4",    "h5",         "h6",         "header",  "hr",      "html",   "li",
        "main",    "nav",     "ol",    "p",          "pre",        "section", "table",   "tbody",  "td",
        "tfoot",   "th",      "thead", "tr",         "ul"};
    char low[16];
    size_t i = 0;
    for (; tag[i] && i + 1 < sizeof low; i++)
        low[i] = (char)(tag[i] >= 'A' && tag[i] <= 'Z' ? tag[i] - 'A' + 'a' : tag[i]);
    if (tag[i])
        return 0;
    low[i] = '\0';
    return bsearch(low, blocks, sizeof blocks / sizeof blocks[0], sizeof blocks[0], cmp_name) != NULL;
}

static ds_status text_rec(const ds_mk_doc *d, const xmlNode *n, int block_breaks, ds_mk_skip_fn skip, void *ctx,
                          ds_buf *b, int depth)
{
    if (depth > 4 * DS_MK_DEFAULT_DEPTH)
        return DS_ERR_PARSE;
    for (const xmlNode *c = n->children; c; c = c->next) {
        ds_status st = DS_OK;
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            if (c->content)
                st = ds_buf_puts(b, (const char *)c->content);
        } else if (c->type == XML_ELEMENT_NODE) {
            if (skip && skip(ctx, c))
                continue;
            int brk = block_breaks &&
                      (ds_mk_is_html(d, c, (const char *)c->name) && ds_mk_is_block_tag((const char *)c->name));
            if (brk)
                st = ds_buf_putc(b, ' ');
            if (st == DS_OK)
                st = text_rec(d, c, block_breaks, skip, ctx, b, depth + 1);
            if (st == DS_OK && brk)
                st = ds_buf_putc(b, ' ');
        }
        if (st != DS_OK)
            return st;
    }
    return DS_OK;
}

ds_status ds_mk_text(const ds_mk_doc *d, const xmlNode *n, int block_breaks, ds_mk_skip_fn skip, void *ctx, ds_buf *b)
{
    if (!b->data && ds_buf_reserve(b, 0))
        return DS_ERR_NOMEM;
    return text_rec(d, n, block_breaks, skip, ctx, b, 0);
}

void ds_mk_collapse(ds_buf *b)
{
    if (!b->data)
        return;
    size_t w = 0;
    int pending_space = 0;
    for (size_t r = 0; r < b->len; r++) {
        char c = b->data[r];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            pending_space = w > 0;
            continue;
        }
        if (pending_space)
            b->data[w++] = ' ';
        pending_space = 0;
        b->data[w++] = c;
    }
    b->len = w;
    b->data[w] = '\0';
}
