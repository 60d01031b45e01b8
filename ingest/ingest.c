/* ingest.c - the ingest stage's entry: limits, SHA-256 identity and dispatch to the parser of
 * the detected format. Reentrant. */
#include "ingest/ingest.h"

#include <glib.h>
#include <string.h>
#include <strings.h>

void ds_ingest_limits_default(ds_ingest_limits *lim)
{
    lim->max_bytes = 256u << 20;
    lim->max_pages = 5000;
    lim->max_xml_depth = 256;
}

void ds_ingest_sha256(const unsigned char *data, size_t n, char out[65])
{
    GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);
    /* g_checksum_update takes gssize: feed large inputs in pieces. */
    while (n > 0) {
        size_t piece = n > (1u << 30) ? (1u << 30) : n;
        g_checksum_update(c, data, (gssize)piece);
        data += piece;
        n -= piece;
    }
    const char *hex = g_checksum_get_string(c);
    memcpy(out, hex, 64);
    out[64] = '\0';
    g_checksum_free(c);
}

ds_status ds_ingest_parse(ds_document *doc, const unsigned char *data, size_t n, const ds_ingest_limits *lim,
                          ds_err *err)
{
    const char *src = doc->source ? doc->source : "document";
    ds_ingest_sha256(data, n, doc->sha256);
    doc->n_bytes = n;
    if (n == 0)
        return ds_err_set(err, DS_ERR_EMPTY, "%s is empty (0 bytes)", src);
    if (lim && lim->max_bytes && n > lim->max_bytes)
        return ds_err_set(err, DS_ERR_TOO_LARGE, "%s is %zu bytes, over the limit of %zu", src, n, lim->max_bytes);
    doc->kind = ds_ingest_detect(data, n, doc->name ? doc->name : src);
    switch (doc->kind) {
    case DS_DOC_KIND_PDF: return ds_pdf_parse(doc, data, n, lim, err);
    case DS_DOC_KIND_HTML:
    case DS_DOC_KIND_IXBRL: return ds_html_parse(doc, data, n, lim, err);
    case DS_DOC_KIND_XBRL: return ds_xbrl_parse(doc, data, n, lim, err);
    case DS_DOC_KIND_EDGAR: return ds_edgar_parse(doc, data, n, lim, err);
    case DS_DOC_KIND_TEXT: return ds_text_parse(doc, data, n, lim, err);
    case DS_DOC_KIND_UNKNOWN: break;
    }
    const char *name = doc->name ? doc->name : src, *dot = strrchr(name, '.');
    if (dot && !strchr(dot, '/') && !strcasecmp(dot, ".pdf"))
        return ds_err_set(err, DS_ERR_FORMAT, "%s: named .pdf but not a PDF (no %%PDF- header in the first 1024 bytes)",
                          src);
    return ds_err_set(err, DS_ERR_FORMAT, "%s: unrecognised format (not PDF, HTML, XBRL, EDGAR or UTF-8 text)", src);
}
