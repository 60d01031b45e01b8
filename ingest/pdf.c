/* pdf.c - the PDF parser (ds_pdf_parse, see ingest.h): opens the bytes with poppler-glib, maps
 * poppler's failures to dossier statuses, reads the metadata and the outline, runs the layout
 * analysis of every page (pdf_layout.c, pdf_furniture.c, pdf_tables.c, pdf_blocks.c,
 * pdf_headings.c) and writes the result into the document: one ds_doc_begin_page per page, then
 * its headings, paragraphs, list items and tables with their section paths, running headers and
 * footers as furniture.
 *
 * Owns: the poppler document and pages (released before returning) and the scratch arena of the
 * parse. The caller's bytes are borrowed for the duration of the call (poppler reads them in
 * place, no copy).
 * Threading: reentrant; documents parsed in different threads share nothing of ours. Poppler
 * keeps process-wide parameters of its own, set up under its own lock.
 * Diagnostics: poppler-glib reports syntax errors through g_log (domain "Poppler", level INFO),
 * which glib's default handler does not print unless G_MESSAGES_DEBUG names the domain; this
 * library installs no log handler (that is the program's choice).
 */
#include "ingest/ingest.h"
#include "ingest/pdf_internal.h"

#include <poppler.h>

#include <string.h>

static const char *doc_name(const ds_document *doc)
{
    return doc->source ? doc->source : doc->name ? doc->name : "pdf";
}

/* Whether the bytes hold an /Encrypt entry (checked only when no text came out). */
static int mentions_encrypt(const unsigned char *d, size_t n)
{
    static const char pat[] = "/Encrypt";
    size_t m = sizeof pat - 1;
    for (size_t i = 0; i + m <= n; i++)
        if (d[i] == '/' && memcmp(d + i, pat, m) == 0)
            return 1;
    return 0;
}

/* Whether the last KiB holds the %%EOF marker (a truncated file has lost it). */
static int has_eof_marker(const unsigned char *d, size_t n)
{
    size_t from = n > 1024 ? n - 1024 : 0;
    for (size_t i = from; i + 5 <= n; i++)
        if (d[i] == '%' && memcmp(d + i, "%%EOF", 5) == 0)
            return 1;
    return 0;
}

/* Copies a poppler string (trimmed, NULL when empty) into the document and frees it. */
static ds_status take_meta(ds_document *doc, gchar *s, const char **out)
{
    *out = NULL;
    if (!s)
        return DS_OK;
    char *p = s, *e = s + strlen(s);
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        p++;
    while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
        e--;
    ds_status st = DS_OK;
    if (e > p) {
        char *c = ds_arena_strndup(&doc->arena, p, (size_t)(e - p));
        if (!c)
            st = DS_ERR_NOMEM;
        else if (!g_utf8_validate(c, -1, NULL))
            *out = NULL; /* poppler converts to UTF-8; anything else is dropped, not guessed */
        else
            *out = c;
    }
    g_free(s);
    return st;
}

static ds_status take_date(ds_document *doc, GDateTime *dt, const char **out)
{
    *out = NULL;
    if (!dt)
        return DS_OK;
    gchar *iso = g_date_time_format(dt, "%Y-%m-%dT%H:%M:%S%:z");
    g_date_time_unref(dt);
    return take_meta(doc, iso, out);
}

static ds_status read_meta(ds_document *doc, PopplerDocument *pd)
{
    ds_doc_meta *m = &doc->meta;
    if (take_meta(doc, poppler_document_get_title(pd), &m->title) ||
        take_meta(doc, poppler_document_get_author(pd), &m->author) ||
        take_meta(doc, poppler_document_get_subject(pd), &m->subject) ||
        take_meta(doc, poppler_document_get_creator(pd), &m->creator) ||
        take_meta(doc, poppler_document_get_producer(pd), &m->producer) ||
        take_date(doc, poppler_document_get_creation_date_time(pd), &m->created) ||
        take_date(doc, poppler_document_get_modification_date_time(pd), &m->modified))
        return DS_ERR_NOMEM;
    return DS_OK;
}

static ds_status open_error(const ds_document *doc, GError *ge, ds_err *err)
{
    const char *src = doc_name(doc);
    const char *why = ge && ge->message ? ge->message : "unknown error";
    ds_status st;
    if (ge && ge->domain == POPPLER_ERROR && ge->code == POPPLER_ERROR_ENCRYPTED)
        st = ds_err_set(err, DS_ERR_ENCRYPTED, "%s: pdf is encrypted and needs a password", src);
    else if (ge && ge->domain == POPPLER_ERROR && ge->code == POPPLER_ERROR_DAMAGED)
        st = ds_err_set(err, DS_ERR_DAMAGED, "%s: pdf is damaged beyond repair (poppler: %s)", src, why);
    else if (ge && ge->domain == POPPLER_ERROR && ge->code == POPPLER_ERROR_BAD_CATALOG)
        st = ds_err_set(err, DS_ERR_DAMAGED, "%s: pdf catalog cannot be read (poppler: %s)", src, why);
    else
        st = ds_err_set(err, DS_ERR_DAMAGED, "%s: pdf cannot be opened (poppler: %s)", src, why);
    if (ge)
        g_error_free(ge);
    return st;
}

/* Writes the analysed blocks into the document, page by page, with section paths. */
static ds_status emit(ds_pdf_ctx *ctx)
{
    ds_document *doc = ctx->doc;
    ds_pdf_sections secs;
    memset(&secs, 0, sizeof secs);
    ds_buf_init(&secs.path);
    ds_status st = DS_OK;
    size_t bi = 0;
    for (int p = 0; p < ctx->n_pages && st == DS_OK; p++) {
        st = ds_doc_begin_page(doc);
        for (; st == DS_OK && bi < ctx->blocks.n && ctx->blocks.v[bi].page == p; bi++) {
            const ds_pdf_block *b = &ctx->blocks.v[bi];
            ds_block *out = NULL;
            if (b->kind == DS_BLOCK_KIND_HEADING)
                st = ds_pdf_sections_enter(&secs, &ctx->scratch, b->level, b->text, b->len);
            const char *section = secs.path.data ? secs.path.data : "";
            if (st != DS_OK)
                break;
            if (b->kind == DS_BLOCK_KIND_TABLE)
                st = ds_doc_add_table(doc, section, b->table->n_rows, b->table->n_cols, b->table->header_rows,
                                      b->table->cells, &out);
            else
                st = ds_doc_add_block(doc, (ds_block_kind)b->kind, b->kind == DS_BLOCK_KIND_HEADING ? b->level : 0,
                                      section, b->text, b->len, &out);
            if (st == DS_OK && out)
                out->font_size = b->size;
        }
    }
    ds_buf_deinit(&secs.path);
    return st;
}

/* Everything after opening: pages, analysis, output. */
static ds_status analyse(ds_pdf_ctx *ctx, PopplerDocument *pd, const unsigned char *data, size_t n, ds_err *err)
{
    const char *src = ctx->src;
    ds_status st = ds_pdf_outline_load(ctx, pd);
    if (st != DS_OK)
        return ds_err_set(err, st, "%s: out of memory reading the pdf outline", src);

    size_t total_words = 0;
    for (int p = 0; p < ctx->n_pages; p++) {
        ds_pdf_page *pg = &ctx->pages[p];
        pg->index = p;
        pg->text = "";
        PopplerPage *pp = poppler_document_get_page(pd, p);
        if (!pp) {
            if (ds_doc_add_note(ctx->doc, "pdf page %d could not be read; left empty", p + 1))
                return ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", src);
            continue;
        }
        st = ds_pdf_page_load(&ctx->scratch, pg, pp);
        g_object_unref(pp);
        if (st == DS_OK)
            st = ds_pdf_page_lines(&ctx->scratch, pg);
        if (st != DS_OK)
            return ds_err_set(err, st, "%s: out of memory reading pdf page %d", src, p + 1);
        total_words += pg->n_words;
    }
    if (total_words == 0) {
        if (mentions_encrypt(data, n))
            return ds_err_set(err, DS_ERR_ENCRYPTED, "%s: pdf is encrypted and no text could be decrypted (%d pages)",
                              src, ctx->n_pages);
        return ds_err_set(err, DS_ERR_NO_TEXT, "%s: pdf has no text layer (%d page%s; scanned or images only)", src,
                          ctx->n_pages, ctx->n_pages == 1 ? "" : "s");
    }

    if ((st = ds_pdf_furniture_mark(ctx)) != DS_OK)
        return ds_err_set(err, st, "%s: out of memory finding running headers", src);
    for (int p = 0; p < ctx->n_pages; p++) {
        ds_pdf_page *pg = &ctx->pages[p];
        if (pg->n_lines == 0)
            continue;
        if ((st = ds_pdf_page_order(&ctx->scratch, pg)) != DS_OK ||
            (st = ds_pdf_tables_find(&ctx->scratch, pg)) != DS_OK)
            return ds_err_set(err, st, "%s: out of memory analysing pdf page %d", src, p + 1);
    }
    ctx->body_size = ds_pdf_body_size(ctx);
    for (int p = 0; p < ctx->n_pages; p++)
        if (ctx->pages[p].n_lines && (st = ds_pdf_blocks_build(ctx, &ctx->pages[p])) != DS_OK)
            return ds_err_set(err, st, "%s: out of memory building blocks of pdf page %d", src, p + 1);
    if ((st = ds_pdf_headings_assign(ctx)) != DS_OK || (st = emit(ctx)) != DS_OK)
        return ds_err_set(err, st, "%s: out of memory writing the pdf text", src);
    return DS_OK;
}

ds_status ds_pdf_parse(ds_document *doc, const unsigned char *data, size_t n, const ds_ingest_limits *lim, ds_err *err)
{
    const char *src = doc_name(doc);
    if (n == 0 || !data)
        return ds_err_set(err, DS_ERR_EMPTY, "%s: pdf is empty (0 bytes)", src);
    if (lim && lim->max_bytes && n > lim->max_bytes)
        return ds_err_set(err, DS_ERR_TOO_LARGE, "%s: pdf is %zu bytes, over the limit of %zu", src, n, lim->max_bytes);

    GBytes *bytes = g_bytes_new_static(data, n);
    GError *ge = NULL;
    PopplerDocument *pd = poppler_document_new_from_bytes(bytes, NULL, &ge);
    g_bytes_unref(bytes); /* the document holds its own reference */
    if (!pd)
        return open_error(doc, ge, err);

    ds_status st = DS_OK;
    ds_pdf_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.doc = doc;
    ctx.src = src;
    ds_arena_init(&ctx.scratch, 1u << 20);
    ds_buf_init(&ctx.tmp);

    int truncated = !has_eof_marker(data, n);
    int n_pages = poppler_document_get_n_pages(pd);
    if (n_pages <= 0) {
        if (truncated)
            st = ds_err_set(err, DS_ERR_DAMAGED, "%s: pdf is truncated (no %%%%EOF) and no page could be recovered",
                            src);
        else
            st = ds_err_set(err, DS_ERR_EMPTY, "%s: pdf has no pages", src);
        goto out;
    }
    if (truncated && ds_doc_add_note(doc, "pdf has no %%%%EOF marker at its end: it may be truncated")) {
        st = ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", src);
        goto out;
    }
    if (lim && lim->max_pages > 0 && n_pages > lim->max_pages) {
        st = ds_err_set(err, DS_ERR_TOO_LARGE, "%s: pdf has %d pages, over the limit of %d", src, n_pages,
                        lim->max_pages);
        goto out;
    }
    if (read_meta(doc, pd) != DS_OK) {
        st = ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory reading pdf metadata", src);
        goto out;
    }
    ctx.n_pages = n_pages;
    ctx.pages = ds_arena_calloc(&ctx.scratch, (size_t)n_pages * sizeof *ctx.pages);
    if (!ctx.pages) {
        st = ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory for %d pdf pages", src, n_pages);
        goto out;
    }
    st = analyse(&ctx, pd, data, n, err);
out:
    DS_VEC_FREE(ctx.blocks);
    ds_buf_deinit(&ctx.tmp);
    ds_arena_deinit(&ctx.scratch);
    g_object_unref(pd);
    return st;
}
