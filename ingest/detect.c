/* detect.c - ds_ingest_detect: the format of an input from its bytes. Magic numbers and markup
 * decide; the file name's extension only breaks ties between what the bytes allow (a .pdf
 * that is HTML is HTML, a .txt that is a PDF is a PDF).
 *
 * Order: PDF magic (%PDF- in the first 1024 bytes), EDGAR submission tags, XML with an
 * xbrli:xbrl root (XBRL), HTML with inline XBRL (IXBRL), HTML, valid UTF-8 text, unknown.
 * Owns nothing; reads at most the whole input once. Threading: reentrant.
 */
#include "ingest/ingest.h"
#include "pipeline/core/utf8.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#define HEAD 4096
#define UTF8_CHECK (1u << 20)

static int is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
}

/* Case-insensitive search of needle in [h, h + n). */
static const unsigned char *find_ci(const unsigned char *h, size_t n, const char *needle)
{
    size_t l = strlen(needle);
    if (l == 0 || n < l)
        return NULL;
    unsigned char f = (unsigned char)tolower((unsigned char)needle[0]);
    for (size_t i = 0; i + l <= n; i++)
        if ((unsigned char)tolower(h[i]) == f && strncasecmp((const char *)h + i, needle, l) == 0)
            return h + i;
    return NULL;
}

static int starts_ci(const unsigned char *s, size_t n, const char *p)
{
    size_t l = strlen(p);
    return n >= l && strncasecmp((const char *)s, p, l) == 0;
}

/* Index of the first byte after a BOM and whitespace. */
static size_t skip_ws(const unsigned char *d, size_t n, size_t i)
{
    if (i == 0 && n >= 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF)
        i = 3;
    while (i < n && is_ws(d[i]))
        i++;
    return i;
}

static int edgar_start(const unsigned char *d, size_t n)
{
    static const char *const tags[] = {"<SEC-DOCUMENT>", "<SEC-HEADER>", "<IMS-DOCUMENT>", "<IMS-HEADER>",
                                       "<ACCEPTANCE-DATETIME>"};
    size_t i = skip_ws(d, n, 0);
    if (starts_ci(d + i, n - i, "-----BEGIN PRIVACY-ENHANCED MESSAGE-----")) {
        /* PEM-wrapped submissions: the SEC header follows the PEM header lines */
        size_t lim = n < HEAD ? n : HEAD;
        for (size_t k = 0; k < sizeof tags / sizeof tags[0]; k++)
            if (find_ci(d, lim, tags[k]))
                return 1;
        return 0;
    }
    for (size_t k = 0; k < sizeof tags / sizeof tags[0]; k++)
        if (starts_ci(d + i, n - i, tags[k]))
            return 1;
    if (starts_ci(d + i, n - i, "<DOCUMENT>")) { /* a bare EDGAR document: <DOCUMENT> then <TYPE> */
        size_t j = skip_ws(d, n, i + 10);
        return starts_ci(d + j, n - j, "<TYPE>");
    }
    if (starts_ci(d + i, n - i, "<SUBMISSION>")) {
        size_t j = skip_ws(d, n, i + 12);
        return starts_ci(d + j, n - j, "<ACCESSION-NUMBER>") || starts_ci(d + j, n - j, "<TYPE>");
    }
    return 0;
}

/* Name of the root element (after the XML declaration, comments, PIs and DOCTYPE), copied
 * into out; 0 when the start is not markup. */
static int root_name(const unsigned char *d, size_t n, char *out, size_t cap)
{
    size_t lim = n < 65536 ? n : 65536, i = skip_ws(d, lim, 0);
    while (i < lim && d[i] == '<') {
        if (starts_ci(d + i, lim - i, "<!--")) {
            const unsigned char *e = find_ci(d + i + 4, lim - i - 4, "-->");
            if (!e)
                return 0;
            i = (size_t)(e - d) + 3;
        } else if (i + 1 < lim && (d[i + 1] == '?' || d[i + 1] == '!')) {
            /* a declaration; DOCTYPE may hold an internal subset in [...] */
            size_t depth = 0;
            for (i += 2; i < lim; i++) {
                if (d[i] == '[')
                    depth++;
                else if (d[i] == ']' && depth)
                    depth--;
                else if (d[i] == '>' && !depth)
                    break;
            }
            if (i >= lim)
                return 0;
            i++;
        } else {
            size_t k = 0;
            i++;
            while (i < lim && k + 1 < cap &&
                   (isalnum(d[i]) || d[i] == ':' || d[i] == '-' || d[i] == '_' || d[i] == '.'))
                out[k++] = (char)d[i++];
            out[k] = '\0';
            return k > 0;
        }
        i = skip_ws(d, lim, i);
    }
    return 0;
}

/* 1 when the first `lim` bytes are valid UTF-8 without NUL or other C0 controls (tab, CR, LF,
 * FF and ESC allowed); a sequence cut by the end of the window is accepted. */
static int valid_utf8_text(const unsigned char *d, size_t n)
{
    size_t lim = n < UTF8_CHECK ? n : UTF8_CHECK;
    for (size_t i = 0; i < lim;) {
        unsigned char c = d[i];
        if (c < 0x80) {
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1B)
                return 0;
            if (c == 0x7F)
                return 0;
            i++;
            continue;
        }
        size_t len = ds_utf8_seq_len(d + i, lim - i);
        if (len == 0) /* invalid, or a sequence cut by the window's end (accepted when the file goes on) */
            return lim < n && ds_utf8_seq_len(d + i, n - i) > 0 ? 1 : 0;
        i += len;
    }
    return 1;
}

/* Mostly printable 8-bit text (Latin-1 and similar legacy encodings). */
static int legacy_text(const unsigned char *d, size_t n)
{
    size_t lim = n < UTF8_CHECK ? n : UTF8_CHECK;
    for (size_t i = 0; i < lim; i++)
        if ((d[i] < 0x20 && d[i] != '\t' && d[i] != '\n' && d[i] != '\r' && d[i] != '\f') || d[i] == 0x7F)
            return 0;
    return 1;
}

static const char *extension(const char *name)
{
    if (!name)
        return "";
    const char *slash = strrchr(name, '/'), *dot = strrchr(name, '.');
    return dot && (!slash || dot > slash) ? dot + 1 : "";
}

static int ext_is(const char *ext, const char *const *list)
{
    for (; *list; list++)
        if (!strcasecmp(ext, *list))
            return 1;
    return 0;
}

static const char *const html_ext[] = {"htm", "html", "xhtml", "xht", NULL};
static const char *const text_ext[] = {"txt", "text", "asc", "csv", "md", NULL};
static const char *const pdf_ext[] = {"pdf", NULL};

/* Tags that mark HTML when seen near the start. */
static int html_tags(const unsigned char *d, size_t n)
{
    static const char *const tags[] = {"<html", "<body", "<head", "<table", "<div",    "<p>",           "<p ",
                                       "<font", "<span", "<br",   "<title", "<center", "<!doctype html"};
    size_t lim = n < HEAD ? n : HEAD;
    for (size_t k = 0; k < sizeof tags / sizeof tags[0]; k++)
        if (find_ci(d, lim, tags[k]))
            return 1;
    return 0;
}

/* 1 when a line of d[0..n) starts (after blanks) with "<html". */
static int html_line(const unsigned char *d, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && (d[j] == ' ' || d[j] == '\t'))
            j++;
        if (starts_ci(d + j, n - j, "<html"))
            return 1;
        const unsigned char *nl = memchr(d + j, '\n', n - j);
        if (!nl)
            break;
        i = (size_t)(nl - d) + 1;
    }
    return 0;
}

ds_doc_kind ds_ingest_detect(const unsigned char *data, size_t n, const char *name)
{
    if (!data || n == 0)
        return DS_DOC_KIND_UNKNOWN;
    const char *ext = extension(name);
    if (find_ci(data, n < 1024 ? n : 1024, "%PDF-"))
        return DS_DOC_KIND_PDF;
    if (edgar_start(data, n))
        return DS_DOC_KIND_EDGAR;

    char root[64];
    int markup = root_name(data, n, root, sizeof root);
    if (markup) {
        const char *local = strrchr(root, ':');
        local = local ? local + 1 : root;
        if (!strcmp(local, "xbrl"))
            return DS_DOC_KIND_XBRL;
    }
    int html = markup && !strcasecmp(root, "html");
    if (!html && markup) /* a fragment or sloppy page starting with markup */
        html = html_tags(data, n) || ext_is(ext, html_ext);
    if (!html && !markup) /* text before the first tag: HTML when a line opens <html> early */
        html = html_line(data, n < 1024 ? n : 1024);
    if (html) {
        /* inline XBRL: the namespace on the root or an ix:header anywhere */
        if (find_ci(data, n < 65536 ? n : 65536, "http://www.xbrl.org/2013/inlineXBRL") ||
            find_ci(data, n < 65536 ? n : 65536, "http://www.xbrl.org/2008/inlineXBRL") ||
            find_ci(data, n, "<ix:header"))
            return DS_DOC_KIND_IXBRL;
        return DS_DOC_KIND_HTML;
    }
    if (ext_is(ext, pdf_ext)) /* a .pdf without PDF magic is not read as text */
        return DS_DOC_KIND_UNKNOWN;
    if (valid_utf8_text(data, n))
        return DS_DOC_KIND_TEXT;
    /* not UTF-8: legacy 8-bit text is text only when the name says so */
    if (legacy_text(data, n)) {
        if (ext_is(ext, text_ext))
            return DS_DOC_KIND_TEXT;
        if (ext_is(ext, html_ext))
            return DS_DOC_KIND_HTML;
    }
    return DS_DOC_KIND_UNKNOWN;
}
