/* edgar_split.c - the EDGAR full-submission splitter: header fields, header summary, one part
 * per <DOCUMENT>, and uudecoding (see edgar_split.h for what is read and how damage is handled).
 *
 * Owns: a scratch arena per ds_edgar_split call for the strings events point to; it is freed
 * before the call returns. One pass over the input, line by line (memchr), so the cost is
 * linear in the input size. Threading: reentrant, no state between calls.
 */
#include "ingest/edgar_split.h"

#include "pipeline/core/arena.h"

#include <stdio.h>
#include <string.h>

#define MAX_GROUPS 16
#define MAX_GROUP_NAME 64
#define MAX_PART_FIELD 1024

/* One line of the input: [p, p + len) with the newline and trailing blanks/CR removed. */
typedef struct line {
    const unsigned char *p;
    size_t len;
    size_t start, next; /* offsets of the line and of the following line */
} line;

static void line_at(const unsigned char *d, size_t n, size_t pos, line *l)
{
    const unsigned char *nl = memchr(d + pos, '\n', n - pos);
    size_t end = nl ? (size_t)(nl - d) : n;
    size_t len = end - pos;
    while (len > 0 && (d[pos + len - 1] == '\r' || d[pos + len - 1] == ' ' || d[pos + len - 1] == '\t'))
        len--;
    l->p = d + pos;
    l->len = len;
    l->start = pos;
    l->next = nl ? end + 1 : n;
}

/* The line is exactly the structural tag s ("<DOCUMENT>"), upper case, at the line start. */
static int line_is(const line *l, const char *s)
{
    size_t k = strlen(s);
    return l->len == k && memcmp(l->p, s, k) == 0;
}

/* The line starts with tag s ("<TYPE>"); v and vn get the trimmed rest. */
static int line_tag(const line *l, const char *s, const unsigned char **v, size_t *vn)
{
    size_t k = strlen(s);
    if (l->len < k || memcmp(l->p, s, k) != 0)
        return 0;
    const unsigned char *p = l->p + k;
    size_t n = l->len - k;
    while (n > 0 && (*p == ' ' || *p == '\t')) {
        p++;
        n--;
    }
    *v = p;
    *vn = n;
    return 1;
}

static int is_blank(const line *l)
{
    return l->len == 0;
}

/* ---- dates ------------------------------------------------------------------------------- */

static int digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int num(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

static int valid_ymd(int y, int m, int d)
{
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return !(m == 2 && d == 29 && !leap);
}

/* "YYYYMMDD..." (digits checked) -> "YYYY-MM-DD" in out[0, 10), not terminated. */
static void iso_copy(const char *s, char *out)
{
    memcpy(out, s, 4);
    out[4] = '-';
    memcpy(out + 5, s + 4, 2);
    out[7] = '-';
    memcpy(out + 8, s + 6, 2);
}

int ds_edgar_iso_date(const char *s, char out[11])
{
    out[0] = '\0';
    if (!s || strlen(s) != 8 || !digits(s, 8))
        return 0;
    int y = num(s, 4), m = num(s + 4, 2), d = num(s + 6, 2);
    if (!valid_ymd(y, m, d))
        return 0;
    iso_copy(s, out);
    out[10] = '\0';
    return 1;
}

int ds_edgar_iso_datetime(const char *s, char out[20])
{
    out[0] = '\0';
    if (!s || strlen(s) != 14 || !digits(s, 14))
        return 0;
    int y = num(s, 4), m = num(s + 4, 2), d = num(s + 6, 2);
    int hh = num(s + 8, 2), mm = num(s + 10, 2), ss = num(s + 12, 2);
    if (!valid_ymd(y, m, d) || hh > 23 || mm > 59 || ss > 60)
        return 0;
    iso_copy(s, out);
    out[10] = 'T';
    memcpy(out + 11, s + 8, 2);
    out[13] = ':';
    memcpy(out + 14, s + 10, 2);
    out[16] = ':';
    memcpy(out + 17, s + 12, 2);
    out[19] = '\0';
    return 1;
}

/* ---- header ------------------------------------------------------------------------------ */

/* Tag-style names that differ from the key-value dialect's names. */
static const char *const tag_names[][2] = {
    {"ACCESSION-NUMBER", "ACCESSION NUMBER"},
    {"TYPE", "CONFORMED SUBMISSION TYPE"},
    {"PUBLIC-DOCUMENT-COUNT", "PUBLIC DOCUMENT COUNT"},
    {"PERIOD", "CONFORMED PERIOD OF REPORT"},
    {"FILING-DATE", "FILED AS OF DATE"},
    {"DATE-OF-FILING-DATE-CHANGE", "DATE AS OF CHANGE"},
    {"CONFORMED-NAME", "COMPANY CONFORMED NAME"},
    {"CIK", "CENTRAL INDEX KEY"},
    {"ASSIGNED-SIC", "STANDARD INDUSTRIAL CLASSIFICATION"},
    {"IRS-NUMBER", "IRS NUMBER"},
    {"STATE-OF-INCORPORATION", "STATE OF INCORPORATION"},
    {"FISCAL-YEAR-END", "FISCAL YEAR END"},
    {"FORM-TYPE", "FORM TYPE"},
    {"ACT", "SEC ACT"},
    {"FILE-NUMBER", "SEC FILE NUMBER"},
    {"FILM-NUMBER", "FILM NUMBER"},
    {"FORMER-CONFORMED-NAME", "FORMER CONFORMED NAME"},
    {"DATE-CHANGED", "DATE OF NAME CHANGE"},
    {"COMPANY-DATA", "COMPANY DATA"},
    {"OWNER-DATA", "OWNER DATA"},
    {"FILING-VALUES", "FILING VALUES"},
    {"BUSINESS-ADDRESS", "BUSINESS ADDRESS"},
    {"MAIL-ADDRESS", "MAIL ADDRESS"},
    {"SUBJECT-COMPANY", "SUBJECT COMPANY"},
    {"FILED-BY", "FILED BY"},
    {"FORMER-COMPANY", "FORMER COMPANY"},
    {"GROUP-MEMBERS", "GROUP MEMBERS"},
};

/* Tags with no value and no closing tag: flags, not groups. */
static const char *const flag_tags[] = {"PRIVATE-TO-PUBLIC", "DELETION", "CORRECTION",
                                        "CONFIRMING-COPY",   "PAPER",    "TIMESTAMP"};

/* Party roles, best first: the company a filing is about. */
static const char *const roles[] = {"ISSUER", "SUBJECT COMPANY", "FILER", "FILED BY", "REPORTING-OWNER"};
#define N_ROLES (int)(sizeof roles / sizeof roles[0])

static int role_rank(const char *key)
{
    for (int i = 0; i < N_ROLES; i++)
        if (strcmp(key, roles[i]) == 0)
            return i;
    if (strcmp(key, "REPORTING OWNER") == 0)
        return 4;
    return -1;
}

typedef struct group {
    char name[MAX_GROUP_NAME];
    int is_tag;
    int depth; /* indentation level, key-value groups only */
} group;

typedef struct party {
    int rank; /* role_rank, N_ROLES for no role */
    const char *name, *cik, *fye;
} party;

typedef struct splitter {
    const unsigned char *d;
    size_t n;
    ds_edgar_split_fn fn;
    void *ctx;
    ds_err *err;
    ds_arena arena;
    group groups[MAX_GROUPS];
    int n_groups;
    int n_tag_fields, n_kv_fields;
    party cur, best;
    int have_cur, have_best;
    const char *container; /* value of <SEC-DOCUMENT>/<SEC-HEADER>/<IMS-...> */
    ds_edgar_header hdr;
} splitter;

static ds_status emit(splitter *s, const ds_edgar_event *ev)
{
    return s->fn(s->ctx, ev, s->err);
}

static ds_status note(splitter *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static ds_status note(splitter *s, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ds_edgar_event ev = {.kind = DS_EDGAR_EVENT_NOTE, .note = msg};
    return emit(s, &ev);
}

static char *dup(splitter *s, const void *p, size_t n)
{
    return ds_arena_strndup(&s->arena, (const char *)p, n);
}

static void party_finish(splitter *s)
{
    if (!s->have_cur)
        return;
    if (s->cur.name || s->cur.cik) {
        s->hdr.n_parties++;
        if (!s->have_best || s->cur.rank < s->best.rank) {
            s->best = s->cur;
            s->have_best = 1;
        }
    }
    s->have_cur = 0;
    memset(&s->cur, 0, sizeof s->cur);
}

static void party_start(splitter *s, int rank)
{
    party_finish(s);
    s->cur.rank = rank;
    s->have_cur = 1;
}

static void push_group(splitter *s, const char *name, size_t n, int is_tag, int depth)
{
    if (s->n_groups == MAX_GROUPS)
        return; /* deeper nesting than any real header: fields keep the outer path */
    group *g = &s->groups[s->n_groups++];
    if (n >= MAX_GROUP_NAME)
        n = MAX_GROUP_NAME - 1;
    memcpy(g->name, name, n);
    g->name[n] = '\0';
    g->is_tag = is_tag;
    g->depth = depth;
}

/* Records a leaf in the summary and emits it. */
static ds_status leaf(splitter *s, const char *key, const char *value, size_t offset)
{
    char path[MAX_GROUPS * MAX_GROUP_NAME + MAX_GROUPS];
    size_t pl = 0;
    path[0] = '\0';
    for (int i = 0; i < s->n_groups; i++) {
        size_t k = strlen(s->groups[i].name);
        if (pl + k + 2 > sizeof path)
            break;
        if (pl)
            path[pl++] = '/';
        memcpy(path + pl, s->groups[i].name, k + 1);
        pl += k;
    }
    const char *v = value;
    ds_edgar_header *h = &s->hdr;
    char iso[20];
    if (strcmp(key, "ACCESSION NUMBER") == 0 && !h->accession)
        h->accession = v;
    else if (strcmp(key, "CONFORMED SUBMISSION TYPE") == 0 && !h->form_type)
        h->form_type = v;
    else if (strcmp(key, "FILED AS OF DATE") == 0 && !h->filing_date && ds_edgar_iso_date(v, iso))
        h->filing_date = dup(s, iso, strlen(iso));
    else if (strcmp(key, "CONFORMED PERIOD OF REPORT") == 0 && !h->period && ds_edgar_iso_date(v, iso))
        h->period = dup(s, iso, strlen(iso));
    else if (strcmp(key, "DATE AS OF CHANGE") == 0 && !h->date_of_change && ds_edgar_iso_date(v, iso))
        h->date_of_change = dup(s, iso, strlen(iso));
    else if (strcmp(key, "ACCEPTANCE-DATETIME") == 0 && !h->acceptance && ds_edgar_iso_datetime(v, iso))
        h->acceptance = dup(s, iso, strlen(iso));
    else if (strcmp(key, "PUBLIC DOCUMENT COUNT") == 0 && h->public_document_count < 0 && strlen(v) <= 6 && v[0] &&
             digits(v, strlen(v)))
        h->public_document_count = num(v, strlen(v));
    else if (strcmp(key, "COMPANY CONFORMED NAME") == 0 || strcmp(key, "CENTRAL INDEX KEY") == 0 ||
             strcmp(key, "FISCAL YEAR END") == 0) {
        if (!s->have_cur)
            party_start(s, N_ROLES);
        if (strcmp(key, "COMPANY CONFORMED NAME") == 0) {
            if (s->cur.name) /* a second company under one role: a new party */
                party_start(s, s->cur.rank);
            s->cur.name = v;
        } else if (strcmp(key, "CENTRAL INDEX KEY") == 0) {
            if (!s->cur.cik)
                s->cur.cik = v;
        } else if (!s->cur.fye) {
            s->cur.fye = v;
        }
    }
    if (!h->has_header)
        h->has_header = 1;
    ds_edgar_field f = {.group = path, .key = key, .value = v, .offset = offset};
    ds_edgar_event ev = {.kind = DS_EDGAR_EVENT_FIELD, .field = &f};
    return emit(s, &ev);
}

static int is_key_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ' ' || c == '-' ||
           c == '(' || c == ')' || c == '&' || c == '/' || c == '.' || c == ',' || c == '\'' || c == '_';
}

static ds_status header_tag_line(splitter *s, const line *l)
{
    const unsigned char *p = l->p + 1;
    size_t n = l->len - 1;
    int closing = n > 0 && p[0] == '/';
    if (closing) {
        p++;
        n--;
    }
    size_t k = 0;
    while (k < n && p[k] != '>')
        k++;
    if (k == n || k == 0 || k >= MAX_GROUP_NAME)
        return DS_OK; /* not a tag */
    for (size_t i = 0; i < k; i++)
        if (!((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= '0' && p[i] <= '9') || p[i] == '-'))
            return DS_OK;
    char name[MAX_GROUP_NAME];
    memcpy(name, p, k);
    name[k] = '\0';
    const char *canon = name;
    for (size_t i = 0; i < sizeof tag_names / sizeof tag_names[0]; i++)
        if (strcmp(name, tag_names[i][0]) == 0)
            canon = tag_names[i][1];
    /* A tag line sits at column 0: it closes the indentation groups above the innermost tag. */
    while (s->n_groups > 0 && !s->groups[s->n_groups - 1].is_tag)
        s->n_groups--;
    if (closing) {
        for (int i = s->n_groups - 1; i >= 0; i--)
            if (s->groups[i].is_tag && strcmp(s->groups[i].name, canon) == 0) {
                s->n_groups = i;
                break;
            }
        return DS_OK;
    }
    const unsigned char *v = p + k + 1;
    size_t vn = n - k - 1;
    while (vn > 0 && (*v == ' ' || *v == '\t')) {
        v++;
        vn--;
    }
    if (strcmp(name, "SUBMISSION") == 0)
        return DS_OK; /* the dissemination form's container */
    if (strcmp(name, "SEC-DOCUMENT") == 0 || strcmp(name, "SEC-HEADER") == 0 || strcmp(name, "IMS-DOCUMENT") == 0 ||
        strcmp(name, "IMS-HEADER") == 0) {
        if (!s->container && vn > 0 && !(s->container = dup(s, v, vn)))
            return DS_ERR_NOMEM;
        return DS_OK;
    }
    if (vn == 0) {
        for (size_t i = 0; i < sizeof flag_tags / sizeof flag_tags[0]; i++)
            if (strcmp(name, flag_tags[i]) == 0)
                return DS_OK;
        int rank = role_rank(canon);
        if (rank >= 0)
            party_start(s, rank);
        push_group(s, canon, strlen(canon), 1, 0);
        return DS_OK;
    }
    const char *val = dup(s, v, vn), *key = dup(s, canon, strlen(canon));
    if (!val || !key)
        return DS_ERR_NOMEM;
    if (strcmp(name, "ACCEPTANCE-DATETIME") != 0)
        s->n_tag_fields++;
    return leaf(s, key, val, l->start);
}

static ds_status header_kv_line(splitter *s, const line *l)
{
    /* Indentation in columns (tab stops of 8), one level per tab. */
    size_t i = 0, col = 0;
    while (i < l->len && (l->p[i] == ' ' || l->p[i] == '\t')) {
        col = l->p[i] == '\t' ? (col / 8 + 1) * 8 : col + 1;
        i++;
    }
    int depth = (int)(col / 8);
    size_t ks = i;
    while (i < l->len && l->p[i] != ':' && is_key_char(l->p[i]))
        i++;
    if (i == l->len || l->p[i] != ':')
        return DS_OK; /* not a field line */
    size_t ke = i;
    while (ke > ks && l->p[ke - 1] == ' ')
        ke--;
    if (ke - ks < 2 || !((l->p[ks] >= 'A' && l->p[ks] <= 'Z') || (l->p[ks] >= 'a' && l->p[ks] <= 'z')))
        return DS_OK;
    i++;
    while (i < l->len && (l->p[i] == ' ' || l->p[i] == '\t'))
        i++;
    /* Close the indentation groups this line is not inside of. */
    while (s->n_groups > 0 && !s->groups[s->n_groups - 1].is_tag && s->groups[s->n_groups - 1].depth >= depth)
        s->n_groups--;
    const char *key = dup(s, l->p + ks, ke - ks);
    if (!key)
        return DS_ERR_NOMEM;
    if (i == l->len) {
        int rank = role_rank(key);
        if (rank >= 0)
            party_start(s, rank);
        push_group(s, key, strlen(key), 0, depth);
        return DS_OK;
    }
    const char *val = dup(s, l->p + i, l->len - i);
    if (!val)
        return DS_ERR_NOMEM;
    s->n_kv_fields++;
    return leaf(s, key, val, l->start);
}

static ds_status header_line(splitter *s, const line *l)
{
    if (l->next - l->start > DS_EDGAR_MAX_HEADER_LINE)
        return note(s, "header line at offset %zu is %zu bytes long; skipped", l->start, l->next - l->start);
    if (is_blank(l))
        return DS_OK;
    return l->p[0] == '<' ? header_tag_line(s, l) : header_kv_line(s, l);
}

/* Accession number pattern 0001234567-25-000123 at the start of s. */
static int accession_at(const char *s)
{
    return strlen(s) >= 20 && digits(s, 10) && s[10] == '-' && digits(s + 11, 2) && s[13] == '-' && digits(s + 14, 6) &&
           !(s[20] >= '0' && s[20] <= '9');
}

static ds_status header_finish(splitter *s)
{
    ds_edgar_header *h = &s->hdr;
    party_finish(s);
    if (s->have_best) {
        h->company_role = s->best.rank < N_ROLES ? roles[s->best.rank] : "";
        h->company_name = s->best.name;
        h->cik = s->best.cik;
        h->fiscal_year_end = s->best.fye;
    }
    /* "<SEC-DOCUMENT>0001104659-25-002604.txt : 20250110": fallbacks for accession and date. */
    if (s->container) {
        if (!h->accession && accession_at(s->container) && !(h->accession = dup(s, s->container, 20)))
            return DS_ERR_NOMEM;
        const char *c = strstr(s->container, " : ");
        char iso[11];
        if (!h->filing_date && c && ds_edgar_iso_date(c + 3, iso) && !(h->filing_date = dup(s, iso, 10)))
            return DS_ERR_NOMEM;
        if (h->accession || h->filing_date)
            h->has_header = 1;
    }
    h->dialect = !h->has_header ? "none" : s->n_tag_fields > s->n_kv_fields ? "tags" : "key-value";
    ds_edgar_event ev = {.kind = DS_EDGAR_EVENT_HEADER, .header = h};
    return emit(s, &ev);
}

/* ---- documents --------------------------------------------------------------------------- */

static int is_doc_boundary(const line *l)
{
    return l->len > 0 && l->p[0] == '<' &&
           (line_is(l, "<DOCUMENT>") || line_is(l, "</DOCUMENT>") || line_is(l, "</SEC-DOCUMENT>") ||
            line_is(l, "</IMS-DOCUMENT>"));
}

/* A uuencoding begin line: "begin 644 name". */
static int is_begin_line(const unsigned char *p, size_t n)
{
    if (n < 10 || memcmp(p, "begin ", 6) != 0)
        return 0;
    size_t i = 6, k = 0;
    while (i < n && p[i] >= '0' && p[i] <= '7') {
        i++;
        k++;
    }
    return k >= 3 && k <= 4 && i < n && p[i] == ' ' && i + 1 < n;
}

static const char *part_field(splitter *s, const unsigned char *v, size_t vn)
{
    return dup(s, v, vn < MAX_PART_FIELD ? vn : MAX_PART_FIELD);
}

/* Reads the document whose <DOCUMENT> line is at pos; returns the offset after it. */
static ds_status split_document(splitter *s, size_t pos, size_t index, size_t *after)
{
    const unsigned char *d = s->d;
    size_t n = s->n;
    ds_edgar_part part = {
        .index = index, .offset = pos, .type = "", .sequence = "", .filename = "", .description = "", .wrapper = ""};
    line l;
    line_at(d, n, pos, &l);
    pos = l.next;
    /* Metadata lines up to <TEXT>. */
    while (pos < n) {
        line_at(d, n, pos, &l);
        if (line_is(&l, "<TEXT>")) {
            part.has_text = 1;
            pos = l.next;
            break;
        }
        if (is_doc_boundary(&l))
            break;
        const unsigned char *v;
        size_t vn;
        const char **slot = NULL;
        if (line_tag(&l, "<TYPE>", &v, &vn))
            slot = &part.type;
        else if (line_tag(&l, "<SEQUENCE>", &v, &vn))
            slot = &part.sequence;
        else if (line_tag(&l, "<FILENAME>", &v, &vn))
            slot = &part.filename;
        else if (line_tag(&l, "<DESCRIPTION>", &v, &vn))
            slot = &part.description;
        if (slot && (*slot)[0] == '\0' && !(*slot = part_field(s, v, vn)))
            return DS_ERR_NOMEM;
        pos = l.next;
    }
    /* The body: up to the last </TEXT> before the document's end. */
    size_t body_start = pos, body_end = pos, text_end = 0;
    if (part.has_text) {
        while (pos < n) {
            line_at(d, n, pos, &l);
            if (l.len > 0 && l.p[0] == '<') {
                if (line_is(&l, "</TEXT>")) {
                    part.text_closed = 1;
                    text_end = l.start;
                } else if (is_doc_boundary(&l)) {
                    break;
                }
            }
            pos = l.next;
        }
        body_end = part.text_closed ? text_end : pos;
    }
    if (pos < n) {
        line_at(d, n, pos, &l);
        if (line_is(&l, "</DOCUMENT>")) {
            part.doc_closed = 1;
            pos = l.next;
        }
    }
    *after = pos;
    /* The body runs up to the start of the </TEXT> line, so its last line keeps its newline
     * (a text file ends with one). The wrapper tags go. */
    if (body_start < body_end) {
        line_at(d, body_end, body_start, &l);
        static const char *const wrappers[][3] = {
            {"<XBRL>", "</XBRL>", "XBRL"}, {"<XML>", "</XML>", "XML"}, {"<PDF>", "</PDF>", "PDF"}};
        for (size_t w = 0; w < 3; w++) {
            if (!line_is(&l, wrappers[w][0]))
                continue;
            part.wrapper = wrappers[w][2];
            body_start = l.next;
            /* The closing tag, if the last non-blank line is one (any of the three). */
            size_t e = body_end;
            while (e > body_start && (d[e - 1] == '\n' || d[e - 1] == '\r' || d[e - 1] == ' ' || d[e - 1] == '\t'))
                e--;
            for (size_t c = 0; c < 3; c++) {
                size_t k = strlen(wrappers[c][1]);
                if (e - body_start >= k && memcmp(d + e - k, wrappers[c][1], k) == 0 &&
                    (e - k == body_start || d[e - k - 1] == '\n')) {
                    body_end = e - k;
                    break;
                }
            }
            break;
        }
    }
    part.body = d + body_start;
    part.body_len = body_end > body_start ? body_end - body_start : 0;
    /* uuencoded: the first non-blank line is "begin NNN name". */
    for (size_t q = body_start; q < body_end;) {
        line_at(d, body_end, q, &l);
        if (!is_blank(&l)) {
            part.uuencoded = is_begin_line(l.p, l.len);
            break;
        }
        q = l.next;
    }
    ds_status st = DS_OK;
    if (!part.has_text)
        st = note(s, "document %zu (%s) at offset %zu has no <TEXT>", index + 1, part.type, part.offset);
    else if (!part.text_closed || !part.doc_closed)
        st = note(s, "document %zu (%s) at offset %zu is truncated: missing %s", index + 1, part.type, part.offset,
                  !part.text_closed ? "</TEXT>" : "</DOCUMENT>");
    if (st != DS_OK)
        return st;
    ds_edgar_event ev = {.kind = DS_EDGAR_EVENT_DOCUMENT, .part = &part};
    return emit(s, &ev);
}

ds_status ds_edgar_split(const unsigned char *data, size_t n, ds_edgar_split_fn fn, void *ctx, ds_err *err)
{
    splitter s;
    memset(&s, 0, sizeof s);
    s.d = data;
    s.n = data ? n : 0;
    s.fn = fn;
    s.ctx = ctx;
    s.err = err;
    s.hdr.public_document_count = -1;
    ds_arena_init(&s.arena, 16 * 1024);
    ds_status st = DS_OK;
    size_t pos = 0;
    int header_closed = 0;
    line l;
    /* A UTF-8 byte order mark is not part of the first line. */
    if (s.n >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (st == DS_OK && pos < s.n) {
        line_at(data, s.n, pos, &l);
        if (line_is(&l, "<DOCUMENT>"))
            break;
        if (line_is(&l, "</SEC-HEADER>") || line_is(&l, "</IMS-HEADER>"))
            header_closed = 1;
        else if (!header_closed)
            st = header_line(&s, &l);
        pos = l.next;
    }
    if (st == DS_OK)
        st = header_finish(&s);
    size_t index = 0;
    while (st == DS_OK && pos < s.n) {
        line_at(data, s.n, pos, &l);
        if (line_is(&l, "</SEC-DOCUMENT>") || line_is(&l, "</IMS-DOCUMENT>") || line_is(&l, "</SUBMISSION>"))
            break;
        if (line_is(&l, "<DOCUMENT>")) {
            st = split_document(&s, pos, index++, &pos);
            continue;
        }
        pos = l.next;
    }
    ds_arena_deinit(&s.arena);
    if (st == DS_ERR_NOMEM && err && err->code != DS_ERR_NOMEM)
        ds_err_set(err, DS_ERR_NOMEM, "edgar split: out of memory");
    return st;
}

/* ---- uudecode ---------------------------------------------------------------------------- */

ds_status ds_edgar_uudecode(const unsigned char *in, size_t n, ds_buf *out, char *name, size_t cap, int *complete,
                            ds_err *err)
{
    size_t pos = 0;
    int found = 0;
    line l;
    *complete = 0;
    if (name && cap)
        name[0] = '\0';
    while (pos < n && !found) {
        line_at(in, n, pos, &l);
        pos = l.next;
        if (is_blank(&l))
            continue;
        if (!is_begin_line(l.p, l.len))
            return ds_err_set(err, DS_ERR_PARSE, "uuencoded part: no begin line at offset %zu", l.start);
        found = 1;
        const unsigned char *sp = memchr(l.p + 6, ' ', l.len - 6);
        if (name && cap && sp) {
            size_t k = l.len - (size_t)(sp + 1 - l.p);
            if (k >= cap)
                k = cap - 1;
            memcpy(name, sp + 1, k);
            name[k] = '\0';
        }
    }
    if (!found)
        return ds_err_set(err, DS_ERR_PARSE, "uuencoded part: no begin line");
    while (pos < n) {
        /* Data lines keep their trailing blanks (a blank encodes zero bits), only CR goes. */
        const unsigned char *nl = memchr(in + pos, '\n', n - pos);
        size_t end = nl ? (size_t)(nl - in) : n, start = pos;
        pos = nl ? end + 1 : n;
        size_t len = end - start;
        if (len > 0 && in[start + len - 1] == '\r')
            len--;
        const unsigned char *p = in + start;
        size_t t = len;
        while (t > 0 && (p[t - 1] == ' ' || p[t - 1] == '\t'))
            t--;
        if (t == 3 && memcmp(p, "end", 3) == 0) {
            *complete = 1;
            return DS_OK;
        }
        if (t == 0)
            continue;
        unsigned count = (unsigned)(p[0] - 32) & 63u;
        if (p[0] < 32 || p[0] > 96)
            return ds_err_set(err, DS_ERR_PARSE, "uuencoded part: bad length character at offset %zu", start);
        if (count == 0)
            continue; /* the "`" line before "end" */
        size_t need = (count + 2) / 3 * 4;
        unsigned char quad[4], outb[3];
        size_t written = 0;
        for (size_t g = 0; g < need; g += 4) {
            for (size_t k = 0; k < 4; k++) {
                size_t at = 1 + g + k;
                unsigned char c = at < len ? p[at] : ' ';
                if (c < 32 || c > 96)
                    return ds_err_set(err, DS_ERR_PARSE, "uuencoded part: bad character at offset %zu", start + at);
                quad[k] = (unsigned char)((c - 32) & 63);
            }
            outb[0] = (unsigned char)(quad[0] << 2 | quad[1] >> 4);
            outb[1] = (unsigned char)(quad[1] << 4 | quad[2] >> 2);
            outb[2] = (unsigned char)(quad[2] << 6 | quad[3]);
            size_t k = count - written < 3 ? count - written : 3;
            if (ds_buf_append(out, outb, k) != DS_OK)
                return ds_err_set(err, DS_ERR_NOMEM, "uuencoded part: out of memory");
            written += k;
        }
    }
    return DS_OK; /* input ended before "end": *complete stays 0 */
}
