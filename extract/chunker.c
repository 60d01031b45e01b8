/* chunker.c - structure-aware chunking (see chunker.h for the rules it keeps). */
#include "extract/chunker.h"

#include "pipeline/core/alloc.h"
#include "pipeline/core/buf.h"
#include "pipeline/core/vec.h"

#include <string.h>

typedef DS_VEC(ds_chunk) chunk_vec;

typedef struct chunker {
    ds_document *doc;
    const ds_chunk_opts *o;
    chunk_vec out;
    /* The chunk being built: a run of whole blocks [first, last] of one section. */
    size_t cur_start, cur_end;
    size_t cur_tokens;
    const char *cur_section;
    int cur_open;
    int cur_table;        /* a small table joined the running chunk */
    int cur_heading_only; /* the running chunk holds only headings so far */
    /* Character offsets computed incrementally: byte offset -> code points. */
    size_t cc_byte, cc_chars;
} chunker;

size_t ds_utf8_count(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

/* Code points before byte offset off; offsets asked for are mostly increasing. */
static size_t char_at(chunker *c, size_t off)
{
    const char *t = c->doc->text.data;
    if (off < c->cc_byte) /* overlapping pieces step back a little */
        c->cc_chars -= ds_utf8_count(t + off, c->cc_byte - off);
    else
        c->cc_chars += ds_utf8_count(t + c->cc_byte, off - c->cc_byte);
    c->cc_byte = off;
    return c->cc_chars;
}

static size_t count(chunker *c, const char *s, size_t n)
{
    return n ? c->o->count(c->o->count_ctx, s, n) : 0;
}

/* Emits a chunk covering doc->text[start, end) with the given text (NULL: the span itself). */
static ds_status emit(chunker *c, size_t start, size_t end, const char *section, int is_table, const char *text,
                      size_t text_len)
{
    ds_document *d = c->doc;
    while (start < end && (d->text.data[start] == '\n' || d->text.data[start] == ' '))
        start++;
    while (end > start && (d->text.data[end - 1] == '\n' || d->text.data[end - 1] == ' '))
        end--;
    if (end <= start && !text)
        return DS_OK;
    ds_chunk ch = {0};
    ch.seq = (int)c->out.n;
    ch.section = section ? section : "";
    ch.byte_start = start;
    ch.byte_end = end;
    ch.char_start = char_at(c, start);
    ch.char_end = char_at(c, end);
    ch.page_first = ds_doc_page_of(d, start);
    ch.page_last = ds_doc_page_of(d, end > start ? end - 1 : start);
    ch.is_table = is_table;
    if (!text) {
        text = d->text.data + start;
        text_len = end - start;
    }
    char *copy = ds_arena_strndup(&d->arena, text, text_len);
    if (!copy)
        return DS_ERR_NOMEM;
    ch.text = copy;
    ch.text_len = text_len;
    ch.token_count = count(c, copy, text_len);
    return DS_VEC_PUSH(c->out, ch);
}

static ds_status flush(chunker *c)
{
    if (!c->cur_open)
        return DS_OK;
    c->cur_open = 0;
    return emit(c, c->cur_start, c->cur_end, c->cur_section, c->cur_table, NULL, 0);
}

typedef DS_VEC(size_t) offset_vec;

/* Is t[i] the end of a sentence (". ", "? ", "! ", "; ", or a line end)? */
static int sentence_end(const char *t, size_t i, size_t end)
{
    if (t[i] == '\n')
        return 1;
    return (t[i] == '.' || t[i] == '?' || t[i] == '!' || t[i] == ';') &&
           (i + 1 == end || t[i + 1] == ' ' || t[i + 1] == '\n');
}

/* The last candidate in cands whose prefix [from, cand) holds at most limit tokens; 0 if none.
 * Token counts grow with the prefix, so a binary search needs O(log n) counts. */
static size_t last_fitting(chunker *c, size_t from, const offset_vec *cands, size_t limit)
{
    size_t lo = 0, hi = cands->n, best = 0;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (count(c, c->doc->text.data + from, cands->v[mid] - from) <= limit) {
            best = cands->v[mid];
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return best;
}

/* Where the piece starting at from ends: the last sentence end that keeps it within target
 * tokens (if that uses at least half the target), else the last word end, else a cut at a
 * character boundary. Looks at most max_span bytes ahead, so the work is linear in the text. */
static ds_status cut_point(chunker *c, size_t from, size_t end, size_t target, size_t max_span, size_t *cut)
{
    const char *t = c->doc->text.data;
    /* Look ahead about 8 bytes a token (English prose runs 4 to 5), widening only when the
     * window does not yet reach target tokens. */
    size_t span = target * 8 + 64, span_end, total;
    for (;;) {
        span_end = end - from > span ? from + span : end;
        while (span_end > from + 1 && span_end < end && ((unsigned char)t[span_end] & 0xC0) == 0x80)
            span_end--;
        total = count(c, t + from, span_end - from);
        if (total > target || span_end == end || span >= max_span)
            break;
        span *= 2;
    }
    if (total <= target) {
        *cut = span_end;
        return DS_OK;
    }
    offset_vec sentences = {0}, words = {0};
    ds_status st = DS_OK;
    for (size_t i = from; i < span_end && st == DS_OK; i++) {
        if (sentence_end(t, i, end))
            st = DS_VEC_PUSH(sentences, i + 1);
        else if (t[i] == ' ')
            st = DS_VEC_PUSH(words, i + 1);
    }
    size_t best = st == DS_OK ? last_fitting(c, from, &sentences, target) : 0;
    if (st == DS_OK && (!best || count(c, t + from, best - from) < target / 2)) {
        for (size_t k = 0; k < sentences.n && st == DS_OK; k++) /* sentence ends are word ends too */
            st = DS_VEC_PUSH(words, sentences.v[k]);
        for (size_t a = 1; a < words.n; a++) /* keep offsets sorted (insertion: nearly sorted) */
            for (size_t b = a; b > 0 && words.v[b - 1] > words.v[b]; b--) {
                size_t tmp = words.v[b];
                words.v[b] = words.v[b - 1];
                words.v[b - 1] = tmp;
            }
        size_t w = st == DS_OK ? last_fitting(c, from, &words, target) : 0;
        if (w > best)
            best = w;
    }
    if (st == DS_OK && !best) {
        /* One "word" longer than the target: cut in proportion, at a character boundary. */
        best = from + (span_end - from) * target / total;
        while (best > from + 1 && ((unsigned char)t[best] & 0xC0) == 0x80)
            best--;
        if (best <= from)
            best = from + 1;
    }
    DS_VEC_FREE(sentences);
    DS_VEC_FREE(words);
    *cut = best;
    return st;
}

/* Start of the overlap before cut: the earliest word start after which at most overlap tokens
 * remain before cut. */
static ds_status overlap_start(chunker *c, size_t floor, size_t cut, size_t overlap, size_t *out)
{
    *out = cut;
    if (!overlap)
        return DS_OK;
    const char *t = c->doc->text.data;
    size_t reach = overlap * 8 + 64, from = cut - floor > reach ? cut - reach : floor;
    offset_vec starts = {0};
    ds_status st = DS_OK;
    for (size_t i = cut; i > from && st == DS_OK; i--) /* word starts, nearest first */
        if (t[i - 1] == ' ' || t[i - 1] == '\n')
            st = DS_VEC_PUSH(starts, i);
    /* Binary search over word starts for the farthest one whose tail fits. */
    size_t lo = 0, hi = starts.n;
    while (st == DS_OK && lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (starts.v[mid] < cut && count(c, t + starts.v[mid], cut - starts.v[mid]) <= overlap) {
            *out = starts.v[mid];
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    DS_VEC_FREE(starts);
    return st;
}

/* Cuts a long prose block into pieces at sentence ends (else word ends) of at most
 * target tokens, consecutive pieces sharing about overlap tokens. The first piece starts at
 * start (before the block when headings lead into it). */
static ds_status split_prose(chunker *c, const ds_block *b, size_t start)
{
    size_t end = b->text_off + b->text_len;
    size_t target = c->o->target_tokens, overlap = c->o->overlap_tokens;
    if (overlap * 2 > target)
        overlap = target / 4;
    const size_t max_span = target * 32 + 256; /* bytes: far more than target tokens can cover */
    size_t piece = start;
    ds_status st = DS_OK;
    while (piece < end && st == DS_OK) {
        size_t cut;
        if ((st = cut_point(c, piece, end, target, max_span, &cut)))
            break;
        if ((st = emit(c, piece, cut, b->section, 0, NULL, 0)))
            break;
        if (cut >= end)
            break;
        size_t next;
        if ((st = overlap_start(c, piece + 1, cut, overlap, &next)))
            break;
        piece = next > piece ? next : cut;
    }
    return st;
}

/* Emits a table in parts of whole rows, each repeating the header rows. */
static ds_status split_table(chunker *c, const ds_block *b)
{
    const ds_table *tb = b->table;
    const char *t = c->doc->text.data;
    size_t block_end = b->text_off + b->text_len;
    size_t hdr_end = tb->header_rows < tb->n_rows ? tb->row_offsets[tb->header_rows] : block_end;
    size_t hdr_tokens = count(c, t + b->text_off, hdr_end - b->text_off);
    size_t budget = c->o->target_tokens > hdr_tokens + 16 ? c->o->target_tokens - hdr_tokens : 16;
    ds_buf part = DS_BUF_INIT;
    ds_status st = DS_OK;
    size_t r = tb->header_rows;
    int first = 1;
    while (r < tb->n_rows && st == DS_OK) {
        size_t row_start = tb->row_offsets[r], tokens = 0, r_end = r;
        while (r_end < tb->n_rows) {
            size_t re = r_end + 1 < tb->n_rows ? tb->row_offsets[r_end + 1] : block_end;
            size_t rt = count(c, t + tb->row_offsets[r_end], re - tb->row_offsets[r_end]);
            if (tokens + rt > budget && r_end > r)
                break;
            tokens += rt;
            r_end++;
        }
        size_t span_end = r_end < tb->n_rows ? tb->row_offsets[r_end] : block_end;
        ds_buf_clear(&part);
        if (first) {
            /* The first part is a contiguous span: header and rows as they stand. */
            st = emit(c, b->text_off, span_end, b->section, 1, NULL, 0);
        } else {
            if (ds_buf_append(&part, t + b->text_off, hdr_end - b->text_off) ||
                ds_buf_append(&part, t + row_start, span_end - row_start))
                st = DS_ERR_NOMEM;
            size_t len = part.len;
            while (len && part.data[len - 1] == '\n')
                len--;
            if (st == DS_OK)
                st = emit(c, row_start, span_end, b->section, 1, part.data, len);
        }
        first = 0;
        r = r_end;
    }
    if (st == DS_OK && first) /* a table of header rows only */
        st = emit(c, b->text_off, block_end, b->section, 1, NULL, 0);
    ds_buf_deinit(&part);
    return st;
}

ds_status ds_chunk_document(ds_document *doc, const ds_chunk_opts *opts, ds_chunk_list *out, ds_err *err)
{
    out->v = NULL;
    out->n = 0;
    if (!opts->count || opts->target_tokens < 8)
        return ds_err_set(err, DS_ERR_INTERNAL, "chunker needs a token counter and a target of at least 8 tokens");
    chunker c = {.doc = doc, .o = opts};
    ds_status st = DS_OK;
    const char *t = doc->text.data;
    for (size_t i = 0; i < doc->n_blocks && st == DS_OK; i++) {
        const ds_block *b = &doc->blocks[i];
        if (b->text_len == 0)
            continue;
        const char *section = b->section ? b->section : "";
        /* A heading opens its own section; a new section path closes the running chunk. */
        int section_change = c.cur_open && strcmp(section, c.cur_section) != 0;
        if (c.cur_open && c.cur_heading_only) {
            /* Headings in a row lead into what follows; the chunk takes the deepest section. */
            section_change = 0;
            c.cur_section = section;
        } else if (b->kind == DS_BLOCK_KIND_HEADING || section_change) {
            if ((st = flush(&c)))
                break;
        }
        if (b->kind == DS_BLOCK_KIND_TABLE && b->table) {
            size_t tt = count(&c, t + b->text_off, b->text_len);
            /* A small table joins the running chunk when it fits whole; else it stands apart. */
            if (c.cur_open && c.cur_tokens + tt <= opts->target_tokens) {
                c.cur_end = b->text_off + b->text_len;
                c.cur_tokens += tt;
                c.cur_table = 1;
                c.cur_heading_only = 0;
                continue;
            }
            if ((st = flush(&c)))
                break;
            if (tt <= opts->target_tokens)
                st = emit(&c, b->text_off, b->text_off + b->text_len, section, 1, NULL, 0);
            else
                st = split_table(&c, b);
            continue;
        }
        size_t bt = count(&c, t + b->text_off, b->text_len);
        int is_heading = b->kind == DS_BLOCK_KIND_HEADING;
        if (c.cur_open && c.cur_tokens + bt > opts->target_tokens) {
            if (c.cur_heading_only && !is_heading) {
                /* Headings lead into the pieces of this block rather than standing alone. */
                c.cur_open = 0;
                st = split_prose(&c, b, c.cur_start);
                continue;
            }
            if ((st = flush(&c)))
                break;
        }
        if (!c.cur_open && bt > opts->target_tokens) {
            st = split_prose(&c, b, b->text_off);
            continue;
        }
        if (!c.cur_open) {
            c.cur_open = 1;
            c.cur_start = b->text_off;
            c.cur_tokens = 0;
            c.cur_table = 0;
            c.cur_heading_only = 1;
            c.cur_section = section;
        }
        c.cur_end = b->text_off + b->text_len;
        c.cur_tokens += bt;
        if (!is_heading)
            c.cur_heading_only = 0;
    }
    if (st == DS_OK)
        st = flush(&c);
    if (st) {
        DS_VEC_FREE(c.out);
        return ds_err_set(err, st, "chunking %s: %s", doc->source ? doc->source : "document", ds_status_str(st));
    }
    /* Move the array into the arena so the document owns it. */
    if (c.out.n) {
        out->v = ds_arena_alloc(&doc->arena, c.out.n * sizeof(ds_chunk));
        if (!out->v) {
            DS_VEC_FREE(c.out);
            return ds_err_set(err, DS_ERR_NOMEM, "out of memory");
        }
        memcpy(out->v, c.out.v, c.out.n * sizeof(ds_chunk));
        out->n = c.out.n;
    }
    DS_VEC_FREE(c.out);
    return DS_OK;
}

int ds_chunk_find(const ds_chunk_list *chunks, size_t off)
{
    if (chunks->n == 0)
        return -1;
    /* Chunks are in text order (starts non-decreasing): the first chunk whose end is past off. */
    size_t lo = 0, hi = chunks->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (chunks->v[mid].byte_end <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < chunks->n ? (int)lo : (int)chunks->n - 1;
}
