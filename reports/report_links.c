/* report_links.c - the link from a figure, SWOT item or alert back to its document: the URL it
 * was fetched from, or a file:// URI of the path it was read from, with #page=N for a PDF page
 * (PDF viewers open that page) or #id for an inline XBRL figure of an HTML document (browsers
 * scroll to the element that shows it). A document known only by a relative path gets no link.
 * Strings live in the report's arena. Reentrant. */
#include "reports/report_data.h"

#include <stdio.h>
#include <string.h>

/* Characters kept as they are in a path (RFC 3986 unreserved, plus '/'). */
static int plain(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~' || c == '/';
}

const char *rpt_href(ds_report_data *d, const char *source, const char *kind, int page)
{
    if (!source || !*source)
        return "";
    int url = strncmp(source, "https://", 8) == 0 || strncmp(source, "http://", 7) == 0;
    if (!url && source[0] != '/')
        return "";
    size_t n = strlen(source);
    char *out = ds_arena_alloc(&d->arena, 3 * n + 40);
    if (!out)
        return "";
    size_t o = 0;
    if (url) {
        memcpy(out, source, n); /* fetched as written; the HTML writer escapes it */
        o = n;
    } else {
        memcpy(out, "file://", 7);
        o = 7;
        for (const unsigned char *s = (const unsigned char *)source; *s; s++)
            if (plain(*s))
                out[o++] = (char)*s;
            else
                o += (size_t)sprintf(out + o, "%%%02X", *s);
    }
    out[o] = '\0';
    if (page > 0 && kind && strcmp(kind, "pdf") == 0)
        sprintf(out + o, "#page=%d", page);
    return out;
}

const char *rpt_href_anchor(ds_report_data *d, const char *source, const char *kind, int page, const char *anchor)
{
    const char *base = rpt_href(d, source, kind, page);
    if (!*base || !anchor || !*anchor || !kind || (strcmp(kind, "ixbrl") != 0 && strcmp(kind, "html") != 0) ||
        strchr(base, '#'))
        return base;
    size_t n = strlen(base), a = strlen(anchor);
    char *out = ds_arena_alloc(&d->arena, n + 3 * a + 2);
    if (!out)
        return base;
    memcpy(out, base, n);
    size_t o = n;
    out[o++] = '#';
    for (const unsigned char *s = (const unsigned char *)anchor; *s; s++)
        if (plain(*s) && *s != '/')
            out[o++] = (char)*s;
        else
            o += (size_t)sprintf(out + o, "%%%02X", *s);
    out[o] = '\0';
    return out;
}
