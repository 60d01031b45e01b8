/* doc_wire.c - ds_document to bytes and back (format in doc_wire.h). */
#include "ingest/doc_wire.h"

#include "pipeline/core/alloc.h"

#include <string.h>

#define WIRE_MAGIC "DSDOC1\n"
#define WIRE_NULL UINT64_MAX

/* ---- encoding ---- */

static ds_status put_u64(ds_buf *b, uint64_t v)
{
    unsigned char x[8];
    for (int i = 0; i < 8; i++)
        x[i] = (unsigned char)(v >> (8 * i));
    return ds_buf_append(b, x, 8);
}

static ds_status put_bytes(ds_buf *b, const char *s, size_t n)
{
    ds_status st = put_u64(b, (uint64_t)n);
    return st == DS_OK && n ? ds_buf_append(b, s, n) : st;
}

static ds_status put_str(ds_buf *b, const char *s)
{
    return s ? put_bytes(b, s, strlen(s)) : put_u64(b, WIRE_NULL);
}

static ds_status put_meta(ds_buf *b, const ds_doc_meta *m)
{
    const char *f[] = {m->title,      m->author,      m->subject,      m->creator,    m->producer,
                       m->created,    m->modified,    m->company_name, m->cik,        m->form_type,
                       m->period_end, m->fiscal_year, m->accession,    m->filing_date};
    ds_status st = DS_OK;
    for (size_t i = 0; i < sizeof f / sizeof f[0] && st == DS_OK; i++)
        st = put_str(b, f[i]);
    return st;
}

static ds_status put_table(ds_buf *b, const ds_table *t)
{
    ds_status st = put_u64(b, t ? 1 : 0);
    if (!t || st)
        return st;
    st = put_u64(b, t->n_rows);
    if (st == DS_OK)
        st = put_u64(b, t->n_cols);
    if (st == DS_OK)
        st = put_u64(b, t->header_rows);
    for (size_t i = 0; i < t->n_rows * t->n_cols && st == DS_OK; i++)
        st = put_str(b, t->cells[i]);
    for (size_t r = 0; r < t->n_rows && st == DS_OK; r++)
        st = put_u64(b, t->row_offsets[r]);
    return st;
}

static ds_status put_block(ds_buf *b, const ds_block *k)
{
    uint32_t fs;
    memcpy(&fs, &k->font_size, sizeof fs);
    const uint64_t v[] = {(uint64_t)k->kind,
                          (uint64_t)(int64_t)k->level,
                          (uint64_t)(int64_t)k->page_first,
                          (uint64_t)(int64_t)k->page_last,
                          k->text_off,
                          k->text_len,
                          fs};
    ds_status st = DS_OK;
    for (size_t i = 0; i < sizeof v / sizeof v[0] && st == DS_OK; i++)
        st = put_u64(b, v[i]);
    if (st == DS_OK)
        st = put_str(b, k->section);
    return st == DS_OK ? put_table(b, k->table) : st;
}

static ds_status put_fact(ds_buf *b, const ds_xbrl_fact *f)
{
    const char *s[] = {f->concept, f->value,        f->decimals,   f->unit,       f->context_id,
                       f->entity,  f->period_start, f->period_end, f->dimensions, f->fact_id};
    ds_status st = DS_OK;
    for (size_t i = 0; i < sizeof s / sizeof s[0] && st == DS_OK; i++)
        st = put_str(b, s[i]);
    const uint64_t v[] = {(uint64_t)(int64_t)f->is_numeric, (uint64_t)(int64_t)f->is_nil, (uint64_t)(int64_t)f->page,
                          f->text_off};
    for (size_t i = 0; i < sizeof v / sizeof v[0] && st == DS_OK; i++)
        st = put_u64(b, v[i]);
    return st;
}

static ds_status put_strings(ds_buf *b, const char *const *v, size_t n)
{
    ds_status st = put_u64(b, n);
    for (size_t i = 0; i < n && st == DS_OK; i++)
        st = put_str(b, v[i]);
    return st;
}

ds_status ds_doc_wire_encode(const ds_document *doc, ds_buf *out, ds_err *err)
{
    ds_status st = ds_buf_append(out, WIRE_MAGIC, strlen(WIRE_MAGIC));
    if (st == DS_OK)
        st = put_str(out, doc->source);
    if (st == DS_OK)
        st = put_str(out, doc->name);
    if (st == DS_OK)
        st = put_bytes(out, doc->sha256, strlen(doc->sha256));
    if (st == DS_OK)
        st = put_u64(out, (uint64_t)doc->kind);
    if (st == DS_OK)
        st = put_u64(out, doc->n_bytes);
    if (st == DS_OK)
        st = put_meta(out, &doc->meta);
    if (st == DS_OK)
        st = put_bytes(out, doc->text.data ? doc->text.data : "", doc->text.len);
    if (st == DS_OK)
        st = put_u64(out, (uint64_t)doc->n_pages);
    for (int i = 0; i < doc->n_pages && st == DS_OK; i++)
        st = put_u64(out, doc->page_offsets[i]);
    if (st == DS_OK)
        st = put_u64(out, doc->n_blocks);
    for (size_t i = 0; i < doc->n_blocks && st == DS_OK; i++)
        st = put_block(out, &doc->blocks[i]);
    if (st == DS_OK)
        st = put_u64(out, doc->n_facts);
    for (size_t i = 0; i < doc->n_facts && st == DS_OK; i++)
        st = put_fact(out, &doc->facts[i]);
    if (st == DS_OK)
        st = put_strings(out, doc->furniture, doc->n_furniture);
    if (st == DS_OK)
        st = put_strings(out, doc->notes, doc->n_notes);
    return st == DS_OK ? DS_OK : ds_err_set(err, st, "out of memory encoding the parsed document");
}

/* ---- decoding ---- */

typedef struct reader {
    const unsigned char *p, *end;
    ds_document *doc;
    ds_err *err;
    ds_status st; /* the first failure; later reads do nothing */
} reader;

static ds_status bad(reader *r, const char *what)
{
    if (r->st == DS_OK)
        r->st = ds_err_set(r->err, DS_ERR_PARSE, "parsed-document bytes broken: %s", what);
    return r->st;
}

static uint64_t get_u64(reader *r)
{
    if (r->st)
        return 0;
    if ((size_t)(r->end - r->p) < 8) {
        bad(r, "truncated");
        return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)r->p[i] << (8 * i);
    r->p += 8;
    return v;
}

/* A count of items each at least min_bytes long: never more than the bytes left allow. */
static size_t get_count(reader *r, size_t min_bytes, const char *what)
{
    uint64_t n = get_u64(r);
    if (r->st == DS_OK && n > (uint64_t)(r->end - r->p) / min_bytes)
        bad(r, what);
    return r->st ? 0 : (size_t)n;
}

/* A string copied into the document's arena; NULL for the NULL marker (or on failure). */
static const char *get_str(reader *r)
{
    uint64_t n = get_u64(r);
    if (r->st || n == WIRE_NULL)
        return NULL;
    if (n > (uint64_t)(r->end - r->p)) {
        bad(r, "string longer than what is left");
        return NULL;
    }
    if (memchr(r->p, 0, (size_t)n)) {
        bad(r, "NUL inside a string");
        return NULL;
    }
    char *s = ds_arena_strndup(&r->doc->arena, (const char *)r->p, (size_t)n);
    if (!s && r->st == DS_OK)
        r->st = ds_err_set(r->err, DS_ERR_NOMEM, "out of memory");
    r->p += n;
    return s;
}

static int get_int(reader *r)
{
    int64_t v = (int64_t)get_u64(r);
    if (r->st == DS_OK && (v < -2147483647LL || v > 2147483647LL))
        bad(r, "integer out of range");
    return r->st ? 0 : (int)v;
}

static void *alloc_array(reader *r, size_t n, size_t elem)
{
    if (r->st || n == 0)
        return NULL;
    void *p = ds_calloc(n, elem);
    if (!p)
        r->st = ds_err_set(r->err, DS_ERR_NOMEM, "out of memory");
    return p;
}

static ds_table *get_table(reader *r, size_t text_len)
{
    uint64_t has = get_u64(r);
    if (r->st == DS_OK && has > 1)
        bad(r, "table flag");
    if (r->st || has == 0)
        return NULL;
    size_t rows = get_count(r, 8, "table rows"), cols = get_count(r, 8, "table columns");
    size_t header = (size_t)get_u64(r);
    if (r->st == DS_OK && (header > rows || (cols && rows > (size_t)(r->end - r->p) / 8 / cols)))
        bad(r, "table shape");
    if (r->st)
        return NULL;
    ds_table *t = ds_arena_calloc(&r->doc->arena, sizeof *t);
    const char **cells = ds_arena_calloc(&r->doc->arena, rows * cols * sizeof(char *) + 1);
    size_t *offs = ds_arena_calloc(&r->doc->arena, rows * sizeof(size_t) + 1);
    if (!t || !cells || !offs) {
        r->st = ds_err_set(r->err, DS_ERR_NOMEM, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < rows * cols && r->st == DS_OK; i++)
        cells[i] = get_str(r);
    for (size_t i = 0; i < rows && r->st == DS_OK; i++)
        if ((offs[i] = (size_t)get_u64(r)) > text_len)
            bad(r, "table row offset past the text");
    t->n_rows = rows;
    t->n_cols = cols;
    t->header_rows = header;
    t->cells = cells;
    t->row_offsets = offs;
    return r->st ? NULL : t;
}

static void get_block(reader *r, ds_block *b)
{
    size_t text_len = r->doc->text.len;
    uint64_t kind = get_u64(r);
    if (r->st == DS_OK && kind > DS_BLOCK_KIND_LIST_ITEM)
        bad(r, "block kind");
    b->kind = (ds_block_kind)kind;
    b->level = get_int(r);
    b->page_first = get_int(r);
    b->page_last = get_int(r);
    b->text_off = (size_t)get_u64(r);
    b->text_len = (size_t)get_u64(r);
    uint64_t fs64 = get_u64(r);
    if (r->st == DS_OK && fs64 > UINT32_MAX)
        bad(r, "font size");
    uint32_t fs = (uint32_t)fs64;
    memcpy(&b->font_size, &fs, sizeof fs);
    if (r->st == DS_OK && (b->text_off > text_len || b->text_len > text_len - b->text_off || b->page_first < 0 ||
                           b->page_last < b->page_first || b->page_last > r->doc->n_pages))
        bad(r, "block out of range");
    b->section = get_str(r);
    if (r->st == DS_OK && !b->section)
        bad(r, "block without a section");
    b->table = get_table(r, text_len);
    if (r->st == DS_OK && b->kind == DS_BLOCK_KIND_TABLE && !b->table)
        bad(r, "table block without its table");
}

static void get_fact(reader *r, ds_xbrl_fact *f)
{
    const char **s[] = {&f->concept, &f->value,        &f->decimals,   &f->unit,       &f->context_id,
                        &f->entity,  &f->period_start, &f->period_end, &f->dimensions, &f->fact_id};
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
        *s[i] = get_str(r);
    f->is_numeric = get_int(r);
    f->is_nil = get_int(r);
    f->page = get_int(r);
    f->text_off = (size_t)get_u64(r);
    if (r->st == DS_OK && (!f->concept || f->page < 0))
        bad(r, "fact without a concept");
    if (r->st == DS_OK && f->text_off != SIZE_MAX && f->text_off > r->doc->text.len)
        bad(r, "fact offset past the text");
}

static const char **get_strings(reader *r, size_t *n, size_t *cap)
{
    size_t k = get_count(r, 8, "string count");
    const char **v = alloc_array(r, k, sizeof *v);
    *n = 0;
    *cap = v ? k : 0;
    for (size_t i = 0; i < k && r->st == DS_OK; i++)
        if (!(v[(*n)++] = get_str(r)))
            bad(r, "NULL in a string list");
    return v;
}

static void get_header(reader *r)
{
    ds_document *d = r->doc;
    size_t ml = strlen(WIRE_MAGIC);
    if ((size_t)(r->end - r->p) < ml || memcmp(r->p, WIRE_MAGIC, ml) != 0) {
        bad(r, "no magic (not a version 1 encoding)");
        return;
    }
    r->p += ml;
    d->source = get_str(r);
    d->name = get_str(r);
    const char *sha = get_str(r);
    if (r->st == DS_OK && (!sha || strlen(sha) > 64))
        bad(r, "sha256");
    if (r->st == DS_OK)
        memcpy(d->sha256, sha, strlen(sha) + 1);
    uint64_t kind = get_u64(r);
    if (r->st == DS_OK && kind > DS_DOC_KIND_TEXT)
        bad(r, "document kind");
    d->kind = (ds_doc_kind)kind;
    d->n_bytes = get_u64(r);
    const char **m[] = {&d->meta.title,     &d->meta.author,     &d->meta.subject,    &d->meta.creator,
                        &d->meta.producer,  &d->meta.created,    &d->meta.modified,   &d->meta.company_name,
                        &d->meta.cik,       &d->meta.form_type,  &d->meta.period_end, &d->meta.fiscal_year,
                        &d->meta.accession, &d->meta.filing_date};
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        *m[i] = get_str(r);
}

static void get_text_and_pages(reader *r)
{
    ds_document *d = r->doc;
    uint64_t n = get_u64(r);
    if (r->st == DS_OK && n > (uint64_t)(r->end - r->p))
        bad(r, "text longer than what is left");
    if (r->st == DS_OK && ds_buf_append(&d->text, r->p, (size_t)n) != DS_OK)
        r->st = ds_err_set(r->err, DS_ERR_NOMEM, "out of memory");
    if (r->st == DS_OK)
        r->p += n;
    size_t pages = get_count(r, 8, "page count");
    if (r->st == DS_OK && pages > 2147483647u)
        bad(r, "page count");
    d->page_offsets = alloc_array(r, pages, sizeof(size_t));
    d->page_cap = r->st ? 0 : pages;
    d->n_pages = r->st ? 0 : (int)pages;
    for (size_t i = 0; i < pages && r->st == DS_OK; i++) {
        d->page_offsets[i] = (size_t)get_u64(r);
        if (r->st == DS_OK && (d->page_offsets[i] > d->text.len || (i && d->page_offsets[i] < d->page_offsets[i - 1])))
            bad(r, "page offsets");
    }
}

ds_status ds_doc_wire_decode(ds_document *doc, const unsigned char *data, size_t n, ds_err *err)
{
    reader r = {data, data + n, doc, err, DS_OK};
    get_header(&r);
    get_text_and_pages(&r);
    size_t nb = get_count(&r, 8 * 9, "block count");
    doc->blocks = alloc_array(&r, nb, sizeof(ds_block));
    doc->blocks_cap = r.st ? 0 : nb;
    for (size_t i = 0; i < nb && r.st == DS_OK; i++, doc->n_blocks++)
        get_block(&r, &doc->blocks[i]);
    size_t nf = get_count(&r, 8 * 14, "fact count");
    doc->facts = alloc_array(&r, nf, sizeof(ds_xbrl_fact));
    doc->facts_cap = r.st ? 0 : nf;
    for (size_t i = 0; i < nf && r.st == DS_OK; i++, doc->n_facts++)
        get_fact(&r, &doc->facts[i]);
    doc->furniture = get_strings(&r, &doc->n_furniture, &doc->furniture_cap);
    doc->notes = get_strings(&r, &doc->n_notes, &doc->notes_cap);
    if (r.st == DS_OK && r.p != r.end)
        bad(&r, "bytes after the end");
    return r.st;
}
