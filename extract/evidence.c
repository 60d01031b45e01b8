/* evidence.c - chunk, page and sentence of a mention (see evidence.h). Reentrant. */
#include "extract/evidence.h"

#include <ctype.h>
#include <string.h>

int ds_evidence_chunk(const ds_chunk_list *chunks, size_t off)
{
    if (!chunks || chunks->n == 0)
        return -1;
    int c = ds_chunk_find(chunks, off);
    if (c < 0 || off < chunks->v[c].byte_start || off >= chunks->v[c].byte_end)
        return -1;
    return chunks->v[c].seq;
}

/* Blocks are in text order: a binary search. */
const ds_block *ds_evidence_block(const ds_document *doc, size_t off)
{
    size_t lo = 0, hi = doc->n_blocks;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (doc->blocks[mid].text_off + doc->blocks[mid].text_len <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < doc->n_blocks && doc->blocks[lo].text_off <= off)
        return &doc->blocks[lo];
    return NULL;
}

/* Words after which a period does not end a sentence. */
static int abbreviation_before(const char *text, size_t lo, size_t dot)
{
    static const char *const abbr[] = {"inc",  "corp", "co",  "ltd",   "mr",    "mrs",  "ms",  "dr",     "no",  "st",
                                       "jr",   "sr",   "vs",  "etc",   "e.g",   "i.e",  "u.s", "s.a",    "n.v", "b.v",
                                       "l.p",  "plc",  "llc", "prof",  "gen",   "sen",  "rep", "approx", "fig", "nos",
                                       "dept", "est",  "u.k", "s.p.a", "l.l.c", "sept", "jan", "feb",    "mar", "apr",
                                       "jun",  "jul",  "aug", "oct",   "nov",   "dec",  "hon"};
    size_t s = dot;
    while (s > lo && (isalpha((unsigned char)text[s - 1]) || text[s - 1] == '.'))
        s--;
    size_t n = dot - s;
    if (n == 1 && isupper((unsigned char)text[s]))
        return 1; /* an initial: "J. Smith" */
    if (n == 0 || n > 6)
        return 0;
    char w[8];
    for (size_t i = 0; i < n; i++)
        w[i] = (char)tolower((unsigned char)text[s + i]);
    w[n] = '\0';
    for (size_t i = 0; i < sizeof abbr / sizeof abbr[0]; i++)
        if (strcmp(abbr[i], w) == 0)
            return 1;
    return 0;
}

static int sentence_end_at(const char *text, size_t lo, size_t hi, size_t i)
{
    char c = text[i];
    if (c == '\n')
        return 1;
    if (c != '.' && c != '!' && c != '?' && c != ';')
        return 0;
    if (i + 1 < hi && !isspace((unsigned char)text[i + 1]))
        return 0;
    if (c == '.' && abbreviation_before(text, lo, i))
        return 0;
    return 1;
}

static size_t utf8_back(const char *t, size_t i, size_t lo)
{
    while (i > lo && ((unsigned char)t[i] & 0xC0) == 0x80)
        i--;
    return i;
}

void ds_evidence_sentence(const ds_document *doc, const ds_chunk_list *chunks, size_t off, size_t len, size_t *start,
                          size_t *end)
{
    const char *t = doc->text.data;
    size_t tl = doc->text.len;
    if (off > tl)
        off = tl;
    if (off + len > tl)
        len = tl - off;
    size_t lo = 0, hi = tl;
    const ds_block *b = ds_evidence_block(doc, off);
    if (b) {
        lo = b->text_off;
        hi = b->text_off + b->text_len;
    }
    int c = chunks && chunks->n ? ds_chunk_find(chunks, off) : -1;
    if (c >= 0 && off >= chunks->v[c].byte_start && off < chunks->v[c].byte_end) {
        if (chunks->v[c].byte_start > lo)
            lo = chunks->v[c].byte_start;
        if (chunks->v[c].byte_end < hi)
            hi = chunks->v[c].byte_end;
    }
    if (off + len > hi)
        len = hi > off ? hi - off : 0;
    size_t s = off;
    while (s > lo && !sentence_end_at(t, lo, hi, s - 1))
        s--;
    size_t e = off + len;
    while (e < hi && !sentence_end_at(t, lo, hi, e))
        e++;
    if (e < hi && t[e] != '\n')
        e++; /* keep the full stop */
    /* Bound the length around the mention. */
    size_t half = DS_EVIDENCE_MAX_QUOTE / 2;
    if (e - s > DS_EVIDENCE_MAX_QUOTE) {
        if (off - s > half)
            s = utf8_back(t, off - half, off - half > lo ? lo : off - half);
        if (e - s > DS_EVIDENCE_MAX_QUOTE)
            e = utf8_back(t, s + DS_EVIDENCE_MAX_QUOTE, s);
        if (e < off + len)
            e = off + len;
    }
    while (s < e && isspace((unsigned char)t[s]))
        s++;
    while (e > s && isspace((unsigned char)t[e - 1]))
        e--;
    *start = s;
    *end = e;
}

ds_status ds_evidence_at(ds_document *doc, const ds_chunk_list *chunks, size_t off, size_t len, ds_evidence *ev)
{
    size_t s, e;
    ds_evidence_sentence(doc, chunks, off, len, &s, &e);
    ev->page = ds_doc_page_of(doc, off);
    ev->chunk_seq = ds_evidence_chunk(chunks, off);
    ev->quote_off = s;
    ev->quote_len = e - s;
    ev->quote = ds_arena_strndup(&doc->arena, doc->text.data + s, e - s);
    return ev->quote ? DS_OK : DS_ERR_NOMEM;
}
