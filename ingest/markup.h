/* markup.h - internal to ingest/: libxml2 parsing under limits, and the small DOM helpers the
 * HTML, inline XBRL and XBRL instance parsers share.
 *
 * Parsing is hardened: no network (NONET), no entity substitution (no NOENT), no DTD loading,
 * libxml2's size limits kept (no HUGE), element nesting and element count capped through a
 * per-parse SAX hook, and the input size checked against the caller's limit. Entity reference
 * nodes that remain in a tree are never expanded by the helpers here.
 * Owns: a ds_mk_doc owns its libxml2 tree and namespace table; ds_mk_doc_free releases them.
 * Threading: reentrant (one ds_mk_doc per thread); libxml2 must have been initialised, which
 * ds_mk_parse does through xmlInitParser (the program should also call it once at start-up
 * before starting threads).
 */
#ifndef DS_INGEST_MARKUP_H
#define DS_INGEST_MARKUP_H

#include "ingest/ingest.h"
#include "pipeline/core/arena.h"
#include "pipeline/core/buf.h"
#include "pipeline/core/status.h"

#include <libxml/tree.h>

#include <stddef.h>

/* Default element nesting limit when the caller gives none (libxml2's own limit without
 * XML_PARSE_HUGE is 256 as well, so a larger request is capped there). */
#define DS_MK_DEFAULT_DEPTH 256
/* Bytes of text in one text node: libxml2's limit without XML_PARSE_HUGE, enforced for every
 * input path. */
#define DS_MK_MAX_TEXT 10000000
/* Elements in one document; beyond this the DOM would cost too much memory. */
#define DS_MK_MAX_ELEMENTS 3000000

typedef enum ds_mk_mode {
    DS_MK_XML,      /* libxml2 XML parser: well-formed only */
    DS_MK_HTML,     /* libxml2 HTML parser: always recovers */
    DS_MK_HTML_UTF8 /* the HTML parser on input known to be UTF-8 (a fragment) */
} ds_mk_mode;

/* Namespaces the parsers care about, recognised by URI (any version) or, for names without a
 * namespace (HTML parser, undeclared prefix), by the prefix in the element's name. */
typedef enum ds_mk_ns {
    DS_MK_NS_NONE, /* no namespace and no prefix: plain (X)HTML */
    DS_MK_NS_XHTML,
    DS_MK_NS_IX,     /* inline XBRL 2008 / 2013 */
    DS_MK_NS_XBRLI,  /* XBRL 2003 instance */
    DS_MK_NS_XBRLDI, /* XBRL dimensions instance */
    DS_MK_NS_LINK,   /* XBRL linkbase */
    DS_MK_NS_XSI,    /* XML Schema instance */
    DS_MK_NS_OTHER
} ds_mk_ns;

typedef struct ds_mk_doc {
    xmlDocPtr xml;
    ds_mk_mode mode;
    /* HTML mode: the xmlns:prefix="uri" attributes seen in the document (first wins). */
    size_t n_ns;
    char **ns_prefix, **ns_uri;
} ds_mk_doc;

/* Parses data with the given parser. `what` names the document in messages. Returns DS_OK,
 * DS_ERR_PARSE (XML not well-formed, nesting deeper than the limit), DS_ERR_TOO_LARGE (input
 * over lim->max_bytes, too many elements) or DS_ERR_NOMEM. lim may be NULL (defaults). */
ds_status ds_mk_parse(ds_mk_doc *out, ds_mk_mode mode, const unsigned char *data, size_t n, const ds_ingest_limits *lim,
                      const char *what, ds_err *err);
void ds_mk_doc_free(ds_mk_doc *d); /* NULL or already freed: no-op */

/* The element nesting limit lim asks for (default and cap DS_MK_DEFAULT_DEPTH). */
size_t ds_mk_depth_limit(const ds_ingest_limits *lim);

/* Namespace URI of a prefix in the scope of node n ("" prefix: default namespace); NULL when
 * undeclared. Works in both modes (HTML mode uses the xmlns attributes of the document). */
const char *ds_mk_ns_uri(const ds_mk_doc *d, const xmlNode *n, const char *prefix, size_t prefix_len);
ds_mk_ns ds_mk_ns_of_uri(const char *uri);
/* Namespace class of element n. */
ds_mk_ns ds_mk_elem_ns(const ds_mk_doc *d, const xmlNode *n);
/* Local name of an element or attribute (after any "prefix:" kept in its name). */
const char *ds_mk_local(const xmlChar *name);
/* 1 when element n has namespace class ns and local name `local` (ASCII case-insensitive). */
int ds_mk_is(const ds_mk_doc *d, const xmlNode *n, ds_mk_ns ns, const char *local);
/* 1 when n is a plain HTML element named tag (no namespace or XHTML; case-insensitive). */
int ds_mk_is_html(const ds_mk_doc *d, const xmlNode *n, const char *tag);

/* Value of n's attribute whose local name is `local` (ASCII case-insensitive, any namespace
 * or prefix), or NULL. Borrowed from the tree, or copied into scratch when the value is split
 * over several nodes. Entity references in values are dropped, never expanded. */
const char *ds_mk_attr(ds_arena *scratch, const xmlNode *n, const char *local);

/* Appends the text of n's subtree to b. Text and CDATA are copied; entity references are
 * skipped; an element for which skip(ctx, el) returns 1 is skipped with its subtree; when
 * block_breaks is set, block-level HTML elements and <br> add a space around their text.
 * Whitespace is left as it is. Recursion is bounded by the parse's nesting limit. */
typedef int (*ds_mk_skip_fn)(void *ctx, const xmlNode *el);
ds_status ds_mk_text(const ds_mk_doc *d, const xmlNode *n, int block_breaks, ds_mk_skip_fn skip, void *ctx, ds_buf *b);
/* Collapses runs of XML whitespace (space, tab, CR, LF) into one space and trims both ends,
 * in place. Other characters (U+00A0 included) are kept. */
void ds_mk_collapse(ds_buf *b);
/* 1 when tag (lower-case HTML element name) is block-level for text layout. */
int ds_mk_is_block_tag(const char *tag);

#endif
