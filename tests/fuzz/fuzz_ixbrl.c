/* fuzz_ixbrl.c - libFuzzer target for the HTML / inline XBRL / XBRL instance parsers and type
 * detection. Every input is detected, then read as inline XBRL (XML parser first), as plain
 * HTML and as an XBRL instance, under small limits; the resulting documents must keep the
 * model's invariants (valid UTF-8 text, blocks and facts inside it, canonical decimals). */
#include "ingest/ingest.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int valid_utf8(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        size_t l = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (l == 0 || c == 0 || i + l > n)
            return 0;
        for (size_t k = 1; k < l; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
        i += l;
    }
    return 1;
}

/* "-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?" and not "-0" */
static int canonical_decimal(const char *v)
{
    const char *p = v;
    if (*p == '-')
        p++;
    if (!(*p >= '0' && *p <= '9'))
        return 0;
    if (*p == '0' && p[1] >= '0' && p[1] <= '9')
        return 0;
    while (*p >= '0' && *p <= '9')
        p++;
    if (*p == '.') {
        p++;
        if (!*p)
            return 0;
        while (*p >= '0' && *p <= '9')
            p++;
        if (p[-1] == '0')
            return 0;
    }
    return *p == '\0' && strcmp(v, "-0") != 0;
}

static void check(const ds_document *d)
{
    if (!valid_utf8((const unsigned char *)d->text.data, d->text.len) || strlen(d->text.data) != d->text.len)
        abort();
    for (size_t i = 0; i < d->n_blocks; i++) {
        const ds_block *b = &d->blocks[i];
        if (b->text_off + b->text_len > d->text.len || !b->section)
            abort();
        if (b->kind == DS_BLOCK_KIND_TABLE && (!b->table || !b->table->n_rows || !b->table->n_cols))
            abort();
    }
    for (int p = 1; p < d->n_pages; p++)
        if (d->page_offsets[p] < d->page_offsets[p - 1] || d->page_offsets[p] > d->text.len)
            abort();
    for (size_t i = 0; i < d->n_facts; i++) {
        const ds_xbrl_fact *f = &d->facts[i];
        if (!f->concept || !f->value || !f->dimensions)
            abort();
        if (f->text_off != SIZE_MAX && f->text_off > d->text.len)
            abort();
        if (f->is_numeric && !f->is_nil && !canonical_decimal(f->value) && strcmp(f->value, "INF") &&
            strcmp(f->value, "-INF") && strcmp(f->value, "NaN") && d->kind != DS_DOC_KIND_XBRL)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const ds_ingest_limits lim = {1u << 20, 0, 64};
    (void)ds_ingest_detect(data, size, "input.htm");
    static const ds_doc_kind kinds[] = {DS_DOC_KIND_IXBRL, DS_DOC_KIND_HTML, DS_DOC_KIND_XBRL};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        ds_err err;
        ds_document *d;
        if (ds_document_create(&d, &err) != DS_OK)
            return 0;
        d->name = "fuzz";
        d->kind = kinds[k];
        ds_status st = kinds[k] == DS_DOC_KIND_XBRL ? ds_xbrl_parse(d, data, size, &lim, &err)
                                                    : ds_html_parse(d, data, size, &lim, &err);
        if (st >= DS_STATUS_COUNT_)
            abort();
        check(d);
        ds_document_free(d);
    }
    return 0;
}
