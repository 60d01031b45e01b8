/* xbrl_internal.h - internal to ingest/: the XBRL fact model pieces shared by the inline XBRL
 * (ixbrl.c) and instance (xbrl.c) parsers: contexts and units (xbrl_context.c), concept name
 * resolution by namespace URI and cover-page metadata (xbrl_context.c), the inline XBRL
 * transformation registry (ixt.c), and the inline XBRL fact pass called by ds_html_parse.
 *
 * Owns: a ds_xbrl_defs owns its arrays (ds_malloc); the strings in it live in the scratch
 * arena given at init, which must outlive it. Threading: one defs per parse, no shared state.
 */
#ifndef DS_INGEST_XBRL_INTERNAL_H
#define DS_INGEST_XBRL_INTERNAL_H

#include "ingest/document.h"
#include "ingest/markup.h"
#include "pipeline/core/arena.h"
#include "pipeline/core/buf.h"
#include "pipeline/core/status.h"

typedef struct ds_xbrl_context {
    const char *id;
    const char *entity;      /* identifier text (CIK) */
    const char *start, *end; /* start NULL for an instant; both NULL for forever */
    const char *dims;        /* "axis=member;..." sorted by axis, "" when none */
    size_t seq;              /* order of appearance */
} ds_xbrl_context;

typedef struct ds_xbrl_unit {
    const char *id;
    const char *measure; /* "USD", "shares", "USD/shares", "USD*shares" */
    size_t seq;
} ds_xbrl_unit;

typedef struct ds_xbrl_defs {
    ds_arena *scratch;
    ds_xbrl_context *ctx;
    size_t n_ctx, cap_ctx;
    ds_xbrl_unit *unit;
    size_t n_unit, cap_unit;
    int sorted;
} ds_xbrl_defs;

void ds_xbrl_defs_init(ds_xbrl_defs *d, ds_arena *scratch);
void ds_xbrl_defs_deinit(ds_xbrl_defs *d);
/* When el is an xbrli:context or xbrli:unit element, records it and sets *taken. */
ds_status ds_xbrl_defs_take(ds_xbrl_defs *d, const ds_mk_doc *md, const xmlNode *el, int *taken);
/* Sorts for lookup; call once all definitions are taken. Duplicate ids: the first wins. */
void ds_xbrl_defs_finish(ds_xbrl_defs *d);
const ds_xbrl_context *ds_xbrl_defs_context(const ds_xbrl_defs *d, const char *id);
const ds_xbrl_unit *ds_xbrl_defs_unit(const ds_xbrl_defs *d, const char *id);

/* The conventional prefix of a well-known taxonomy namespace URI ("us-gaap", "ifrs-full",
 * "dei", "srt", and a few other SEC taxonomies), NULL for any other URI. */
const char *ds_xbrl_std_prefix(const char *uri);
/* Resolves QName text ("gaap:Revenues") in the scope of node n to "us-gaap:Revenues": a
 * well-known namespace gets its conventional prefix, any other keeps the document's prefix.
 * The result is in scratch (or is qname itself when unchanged). */
const char *ds_xbrl_qname(ds_arena *scratch, const ds_mk_doc *md, const xmlNode *n, const char *qname);
/* Concept name of an instance fact element: prefix from its namespace URI as above. */
const char *ds_xbrl_elem_concept(ds_arena *scratch, const ds_mk_doc *md, const xmlNode *el);

/* Copies dei: cover facts (registrant name, CIK, document type, period end, fiscal year focus)
 * into doc->meta when those fields are still unset and the fact has no dimensions. */
ds_status ds_xbrl_cover_meta(ds_document *doc, const ds_xbrl_fact *f);

/* Inline XBRL transformation by the format's local name ("num-dot-decimal", "numdotdecimal",
 * "zerodash", "datemonthdayyearen", "durwordsen", ...; case and '-' ignored).
 * text: the displayed text, whitespace-collapsed. For numeric facts *out is a canonical
 * non-negative decimal (or INF/NaN); for others the transformed text.
 * Returns DS_OK, DS_ERR_UNSUPPORTED for an unknown format (out holds the text unchanged), or
 * DS_ERR_PARSE when the text does not fit the format. */
ds_status ds_ixt_apply(const char *format_local, const char *text, int numeric, ds_buf *out);

/* The inline XBRL pass: collects contexts, units, continuations and every ix:nonFraction /
 * ix:nonNumeric of md into doc->facts (with cover metadata). Fact elements whose _private
 * slot holds (text offset + 1), set by the HTML text pass, get that offset and its page. */
ds_status ds_ixbrl_extract(ds_document *doc, const ds_mk_doc *md, ds_arena *scratch, ds_err *err);
/* 1 when el is an ix:nonFraction or ix:nonNumeric element. */
int ds_ixbrl_is_fact(const ds_mk_doc *md, const xmlNode *el);

#endif
