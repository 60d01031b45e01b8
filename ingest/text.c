/* text.c - plain-text documents (filings, press releases): paragraphs split at blank lines,
 * pages at form feeds (and EDGAR's <PAGE> marks), headings recognised from the usual shapes
 * of filings ("ITEM 7.", "PART II", short all-capital lines). Reentrant. */
#include "ingest/ingest.h"

#include "pipeline/core/buf.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Is this single line a heading? */
static int heading_level(const char *s, size_t n)
{
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\r'))
        n--;
    while (n && *s == ' ') {
        s++;
        n--;
    }
    if (n == 0 || n > 90)
        return 0;
    if (n >= 5 && strncasecmp(s, "PART ", 5) == 0)
        return 1;
    if (n >= 5 && strncasecmp(s, "ITEM ", 5) == 0 && isdigit((unsigned char)s[5 < n ? 5 : n - 1]))
        return 2;
    int letters = 0, upper = 0;
    for (size_t i = 0; i < n; i++) {
        if (isalpha((unsigned char)s[i])) {
            letters++;
            upper += isupper((unsigned char)s[i]) != 0;
        }
    }
    if (s[n - 1] == '.' || s[n - 1] == ',')
        return 0;
    return letters >= 4 && upper == letters ? 3 : 0;
}

/* Maintains the section path: headings of level L replace levels >= L. */
typedef struct section_path {
    char parts[4][128];
    int depth[4]; /* level of each part, 0 = unused */
    char joined[600];
} section_path;

static void section_set(section_path *sp, int level, const char *s, size_t n)
{
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\r' || s[n - 1] == '.'))
        n--;
    while (n && *s == ' ') {
        s++;
        n--;
    }
    int slot = level - 1;
    if (slot < 0 || slot > 3)
        return;
    snprintf(sp->parts[slot], sizeof sp->parts[slot], "%.*s", (int)(n > 120 ? 120 : n), s);
    sp->depth[slot] = level;
    for (int i = slot + 1; i < 4; i++)
        sp->depth[i] = 0;
    sp->joined[0] = '\0';
    for (int i = 0; i <= slot; i++) {
        if (!sp->depth[i])
            continue;
        size_t l = strlen(sp->joined);
        snprintf(sp->joined + l, sizeof sp->joined - l, "%s%s", l ? " > " : "", sp->parts[i]);
    }
}

ds_status ds_text_parse(ds_document *doc, const unsigned char *data, size_t n, const ds_ingest_limits *lim, ds_err *err)
{
    (void)lim;
    const char *s = (const char *)data;
    const char *src = doc->source ? doc->source : "document";
    section_path sp;
    memset(&sp, 0, sizeof sp);
    ds_buf para = DS_BUF_INIT;
    ds_status st = ds_doc_begin_page(doc);
    size_t i = 0;
    int any_text = 0;
    while (st == DS_OK && i <= n) {
        size_t e = i;
        while (e < n && s[e] != '\n' && s[e] != '\f')
            e++;
        size_t len = e - i;
        const char *line = s + i;
        if (len && line[len - 1] == '\r')
            len--;
        int is_page_mark = (len == 6 && strncmp(line, "<PAGE>", 6) == 0);
        int blank = 1;
        for (size_t k = 0; k < len; k++)
            if (!isspace((unsigned char)line[k]))
                blank = 0;
        int level = (!blank && !is_page_mark && para.len == 0) ? heading_level(line, len) : 0;
        /* The next line must be blank for a heading (a lone line). */
        if (level) {
            size_t nx = e + 1;
            int next_blank = 1;
            while (nx < n && s[nx] != '\n') {
                if (!isspace((unsigned char)s[nx]))
                    next_blank = 0;
                nx++;
            }
            if (!next_blank && e < n)
                level = 0;
        }
        if ((blank || is_page_mark || level) && para.len) {
            st = ds_doc_add_block(doc, DS_BLOCK_KIND_PARAGRAPH, 0, sp.joined, para.data, para.len, NULL);
            ds_buf_clear(&para);
            any_text = 1;
        }
        if (st)
            break;
        if (level) {
            section_set(&sp, level, line, len);
            st = ds_doc_add_block(doc, DS_BLOCK_KIND_HEADING, level, sp.joined, line, len, NULL);
            any_text = 1;
        } else if (!blank && !is_page_mark) {
            /* Joined with a space: hard-wrapped lines form one paragraph. */
            while (len && *line == ' ' && para.len == 0) {
                line++;
                len--;
            }
            if (para.len && ds_buf_putc(&para, ' '))
                st = DS_ERR_NOMEM;
            if (st == DS_OK && ds_buf_append(&para, line, len))
                st = DS_ERR_NOMEM;
        }
        if (st == DS_OK && ((e < n && s[e] == '\f') || is_page_mark) && e + 1 < n) {
            if (para.len) {
                st = ds_doc_add_block(doc, DS_BLOCK_KIND_PARAGRAPH, 0, sp.joined, para.data, para.len, NULL);
                ds_buf_clear(&para);
            }
            if (st == DS_OK)
                st = ds_doc_begin_page(doc);
        }
        i = e + 1;
    }
    if (st == DS_OK && para.len) { /* the last paragraph, when the text has no final newline */
        st = ds_doc_add_block(doc, DS_BLOCK_KIND_PARAGRAPH, 0, sp.joined, para.data, para.len, NULL);
        any_text = 1;
    }
    ds_buf_deinit(&para);
    if (st)
        return ds_err_set(err, st, "%s: %s while reading text", src, ds_status_str(st));
    if (!any_text)
        return ds_err_set(err, DS_ERR_EMPTY, "%s holds no text (only whitespace)", src);
    return DS_OK;
}
