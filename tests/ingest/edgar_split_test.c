/* edgar_split_test.c - tests of the EDGAR full-submission splitter (ingest/edgar_split.c) on the real
 * submissions in ../shared/data/edgar_fulltxt and on damaged and synthetic inputs. */
#include "ingest/edgar_split.h"
#include "pipeline/core/alloc.h"
#include "pipeline/core/buf.h"
#include "tests/testlib.h"

#include <stdint.h>

#define MAXP 64

/* What one split produced, copied out of the callbacks. */
typedef struct seen {
    int n_fields, n_headers, n_notes;
    char accession[64], form[64], filed[16], period[16], change[16], acceptance[32], dialect[16];
    char role[32], company[128], cik[32], fye[16];
    int has_header, doc_count, n_parties;
    int n_parts;
    struct {
        char type[64], seq[16], filename[128], desc[128], wrapper[8];
        size_t body_len;
        unsigned char head[48], tail[48];
        int uu, has_text, text_closed, doc_closed;
    } p[MAXP];
    char notes[8][256];
    /* One field to look up: key and group to match, value found. */
    const char *want_key, *want_group;
    char got_value[256];
    int got_count;
    int stop_after_parts; /* > 0: the callback stops the split after that many parts */
} seen;

static void cp(char *dst, size_t cap, const char *s)
{
    snprintf(dst, cap, "%s", s ? s : "(null)");
}

static ds_status collect(void *ctx, const ds_edgar_event *ev, ds_err *err)
{
    seen *s = ctx;
    switch (ev->kind) {
    case DS_EDGAR_EVENT_FIELD:
        s->n_fields++;
        DS_CHECK(s->n_headers == 0); /* fields come before the summary */
        if (s->want_key && strcmp(ev->field->key, s->want_key) == 0 &&
            (!s->want_group || strcmp(ev->field->group, s->want_group) == 0)) {
            if (s->got_count++ == 0)
                cp(s->got_value, sizeof s->got_value, ev->field->value);
        }
        break;
    case DS_EDGAR_EVENT_HEADER: {
        const ds_edgar_header *h = ev->header;
        s->n_headers++;
        s->has_header = h->has_header;
        cp(s->accession, sizeof s->accession, h->accession);
        cp(s->form, sizeof s->form, h->form_type);
        cp(s->filed, sizeof s->filed, h->filing_date);
        cp(s->period, sizeof s->period, h->period);
        cp(s->change, sizeof s->change, h->date_of_change);
        cp(s->acceptance, sizeof s->acceptance, h->acceptance);
        cp(s->dialect, sizeof s->dialect, h->dialect);
        cp(s->role, sizeof s->role, h->company_role);
        cp(s->company, sizeof s->company, h->company_name);
        cp(s->cik, sizeof s->cik, h->cik);
        cp(s->fye, sizeof s->fye, h->fiscal_year_end);
        s->doc_count = h->public_document_count;
        s->n_parties = h->n_parties;
        break;
    }
    case DS_EDGAR_EVENT_DOCUMENT: {
        const ds_edgar_part *p = ev->part;
        DS_CHECK(s->n_headers == 1);
        DS_CHECK(p->index == (size_t)s->n_parts);
        if (s->n_parts < MAXP) {
            int i = s->n_parts;
            cp(s->p[i].type, sizeof s->p[i].type, p->type);
            cp(s->p[i].seq, sizeof s->p[i].seq, p->sequence);
            cp(s->p[i].filename, sizeof s->p[i].filename, p->filename);
            cp(s->p[i].desc, sizeof s->p[i].desc, p->description);
            cp(s->p[i].wrapper, sizeof s->p[i].wrapper, p->wrapper);
            s->p[i].body_len = p->body_len;
            size_t k = p->body_len < 48 ? p->body_len : 48;
            memset(s->p[i].head, 0, 48);
            memset(s->p[i].tail, 0, 48);
            memcpy(s->p[i].head, p->body, k);
            memcpy(s->p[i].tail, p->body + p->body_len - k, k);
            s->p[i].uu = p->uuencoded;
            s->p[i].has_text = p->has_text;
            s->p[i].text_closed = p->text_closed;
            s->p[i].doc_closed = p->doc_closed;
        }
        s->n_parts++;
        if (s->stop_after_parts && s->n_parts == s->stop_after_parts)
            return ds_err_set(err, DS_ERR_CANCELLED, "stopped by the test");
        break;
    }
    case DS_EDGAR_EVENT_NOTE:
        if (s->n_notes < 8)
            cp(s->notes[s->n_notes], sizeof s->notes[0], ev->note);
        s->n_notes++;
        break;
    }
    return DS_OK;
}

static ds_status split_mem(const void *data, size_t n, seen *s)
{
    ds_err err = {0};
    ds_status st = ds_edgar_split(data, n, collect, s, &err);
    if (st != DS_OK && st != DS_ERR_CANCELLED)
        fprintf(stderr, "split: %s\n", err.msg);
    return st;
}

/* Reads a shared file; NULL (and a message) when ../shared is absent. */
static char *read_shared(const char *rel, size_t *n)
{
    const char *path = ds_test_shared(rel);
    if (!path) {
        printf("skip part: %s not found\n", rel);
        return NULL;
    }
    ds_buf b = DS_BUF_INIT;
    ds_err err = {0};
    DS_REQUIRE(ds_buf_read_file(&b, path, 0, &err) == DS_OK);
    *n = b.len;
    return ds_buf_take(&b);
}

static int head_is(const seen *s, int i, const char *prefix)
{
    return memcmp(s->p[i].head, prefix, strlen(prefix)) == 0;
}

static int tail_is(const seen *s, int i, const char *suffix)
{
    size_t k = strlen(suffix);
    size_t have = s->p[i].body_len < 48 ? s->p[i].body_len : 48;
    return k <= have && memcmp(s->p[i].tail + have - k, suffix, k) == 0;
}

static void test_tender_offer(void)
{
    size_t n;
    char *d = read_shared("data/edgar_fulltxt/0001104659-25-002604.txt", &n);
    if (!d)
        return;
    seen s = {.want_key = "COMPANY CONFORMED NAME", .want_group = "FILED BY/COMPANY DATA"};
    DS_CHECK(split_mem(d, n, &s) == DS_OK);
    DS_CHECK(s.n_headers == 1);
    DS_CHECK(s.has_header == 1);
    DS_CHECK_STREQ(s.dialect, "key-value");
    DS_CHECK_STREQ(s.accession, "0001104659-25-002604");
    DS_CHECK_STREQ(s.form, "SC TO-T/A");
    DS_CHECK_STREQ(s.filed, "2025-01-10");
    DS_CHECK_STREQ(s.change, "2025-01-10");
    DS_CHECK_STREQ(s.period, "(null)");
    DS_CHECK_STREQ(s.acceptance, "2025-01-10T17:15:38");
    DS_CHECK(s.doc_count == 2);
    /* Subject company first (the filing is about it), not the bidder that filed it. */
    DS_CHECK_STREQ(s.role, "SUBJECT COMPANY");
    DS_CHECK_STREQ(s.company, "CVR ENERGY INC");
    DS_CHECK_STREQ(s.cik, "0001376139");
    DS_CHECK_STREQ(s.fye, "1231");
    DS_CHECK(s.n_parties == 3);
    DS_CHECK_STREQ(s.got_value, "ICAHN ENTERPRISES HOLDINGS L.P.");
    DS_CHECK(s.got_count == 1);
    DS_CHECK(s.n_parts == 2);
    DS_CHECK_STREQ(s.p[0].type, "SC TO-T/A");
    DS_CHECK_STREQ(s.p[0].seq, "1");
    DS_CHECK_STREQ(s.p[0].filename, "tm252901d1_sctota.htm");
    DS_CHECK_STREQ(s.p[0].desc, "SC TO-T/A");
    DS_CHECK_STREQ(s.p[1].type, "EX-99.(A)(5)(C)");
    DS_CHECK_STREQ(s.p[1].seq, "2");
    DS_CHECK_STREQ(s.p[1].filename, "tm252901d1_ex99-a5c.htm");
    for (int i = 0; i < 2; i++) {
        DS_CHECK(s.p[i].has_text && s.p[i].text_closed && s.p[i].doc_closed && !s.p[i].uu);
        DS_CHECK_STREQ(s.p[i].wrapper, "");
    }
    DS_CHECK(s.n_notes == 0);
    /* The group members are six repeated top-level fields. */
    seen g = {.want_key = "GROUP MEMBERS", .want_group = ""};
    DS_CHECK(split_mem(d, n, &g) == DS_OK);
    DS_CHECK(g.got_count == 6);
    DS_CHECK_STREQ(g.got_value, "AMERICAN ENTERTAINMENT PROPERTIES CORP.");
    ds_free(d);
}

static void test_form4(void)
{
    size_t n;
    char *d = read_shared("data/edgar_fulltxt/0001127602-25-001055.txt", &n);
    if (!d)
        return;
    seen s = {.want_key = "COMPANY CONFORMED NAME", .want_group = "REPORTING-OWNER/OWNER DATA"};
    DS_CHECK(split_mem(d, n, &s) == DS_OK);
    DS_CHECK_STREQ(s.accession, "0001127602-25-001055");
    DS_CHECK_STREQ(s.form, "4");
    DS_CHECK_STREQ(s.filed, "2025-01-10");
    DS_CHECK_STREQ(s.period, "2025-01-10");
    DS_CHECK_STREQ(s.acceptance, "2025-01-10T16:07:30");
    DS_CHECK_STREQ(s.role, "ISSUER");
    DS_CHECK_STREQ(s.company, "AAR CORP");
    DS_CHECK_STREQ(s.cik, "0000001750");
    DS_CHECK_STREQ(s.fye, "0531");
    DS_CHECK(s.n_parties == 2);
    DS_CHECK_STREQ(s.got_value, "Garascia Jessica A.");
    DS_CHECK(s.n_parts == 2);
    DS_CHECK_STREQ(s.p[0].type, "4");
    DS_CHECK_STREQ(s.p[0].filename, "form4.xml");
    DS_CHECK_STREQ(s.p[0].desc, "PRIMARY DOCUMENT");
    DS_CHECK_STREQ(s.p[0].wrapper, "XML");
    DS_CHECK(head_is(&s, 0, "<?xml"));
    DS_CHECK(tail_is(&s, 0, "</ownershipDocument>\n"));
    DS_CHECK_STREQ(s.p[1].type, "EX-24");
    DS_CHECK_STREQ(s.p[1].seq, "2");
    DS_CHECK_STREQ(s.p[1].filename, "doc1.htm");
    DS_CHECK_STREQ(s.p[1].desc, "POWER OF ATTORNEY: POA");
    ds_free(d);
}

static void test_8k(void)
{
    size_t n;
    char *d = read_shared("data/edgar_fulltxt/0001213900-25-032135.txt", &n);
    if (!d)
        return;
    seen s = {.want_key = "ITEM INFORMATION", .want_group = ""};
    DS_CHECK(split_mem(d, n, &s) == DS_OK);
    DS_CHECK_STREQ(s.accession, "0001213900-25-032135");
    DS_CHECK_STREQ(s.form, "8-K");
    DS_CHECK_STREQ(s.filed, "2025-04-15");
    DS_CHECK_STREQ(s.period, "2025-04-15");
    DS_CHECK_STREQ(s.acceptance, "2025-04-15T16:30:25");
    DS_CHECK_STREQ(s.role, "FILER");
    DS_CHECK_STREQ(s.company, "ABVC BIOPHARMA, INC.");
    DS_CHECK_STREQ(s.cik, "0001173313");
    DS_CHECK_STREQ(s.fye, "1231");
    DS_CHECK(s.doc_count == 15);
    DS_CHECK(s.got_count == 4);
    DS_CHECK_STREQ(s.got_value, "Results of Operations and Financial Condition");
    static const char *const want[][3] = {
        {"8-K", "1", "ea0238372-8k_abvcbio.htm"},
        {"EX-99.1", "2", "ea023837201ex99-1_abvcbio.htm"},
        {"GRAPHIC", "3", "ex99-1_001.jpg"},
        {"EX-101.SCH", "4", "abvc-20250415.xsd"},
        {"EX-101.PRE", "5", "abvc-20250415_pre.xml"},
        {"EX-101.LAB", "6", "abvc-20250415_lab.xml"},
        {"XML", "8", "R1.htm"},
        {"EXCEL", "9", "Financial_Report.xlsx"},
        {"XML", "10", "Show.js"},
        {"XML", "11", "report.css"},
        {"XML", "13", "FilingSummary.xml"},
        {"JSON", "15", "MetaLinks.json"},
        {"ZIP", "16", "0001213900-25-032135-xbrl.zip"},
        {"XML", "17", "ea0238372-8k_abvcbio_htm.xml"},
    };
    DS_REQUIRE(s.n_parts == 14);
    for (int i = 0; i < 14; i++) {
        DS_CHECK_STREQ(s.p[i].type, want[i][0]);
        DS_CHECK_STREQ(s.p[i].seq, want[i][1]);
        DS_CHECK_STREQ(s.p[i].filename, want[i][2]);
        DS_CHECK(s.p[i].text_closed && s.p[i].doc_closed);
        int uu = i == 2 || i == 7 || i == 12;
        DS_CHECKF(s.p[i].uu == uu, "part %d", i);
    }
    DS_CHECK_STREQ(s.p[0].wrapper, "XBRL");
    DS_CHECK(head_is(&s, 0, "<?xml version='1.0' encoding='ASCII'?>"));
    DS_CHECK(tail_is(&s, 0, "</html>\n"));
    DS_CHECK_STREQ(s.p[3].wrapper, "XBRL");
    DS_CHECK(head_is(&s, 3, "<?xml"));
    DS_CHECK_STREQ(s.p[10].wrapper, "XML");
    DS_CHECK_STREQ(s.p[13].wrapper, "XML");
    DS_CHECK(tail_is(&s, 13, "</xbrl>\n"));
    DS_CHECK_STREQ(s.p[6].desc, "IDEA: XBRL DOCUMENT");
    DS_CHECK(s.n_notes == 0);
    ds_free(d);
}

/* Finds part i's body in the file again and uudecodes it. */
typedef struct uu_ctx {
    int want_index;
    ds_buf out;
    char name[64];
    int complete;
    ds_status st;
} uu_ctx;

static ds_status uu_collect(void *ctx, const ds_edgar_event *ev, ds_err *err)
{
    uu_ctx *u = ctx;
    if (ev->kind == DS_EDGAR_EVENT_DOCUMENT && ev->part->index == (size_t)u->want_index)
        u->st = ds_edgar_uudecode(ev->part->body, ev->part->body_len, &u->out, u->name, sizeof u->name, &u->complete,
                                  err);
    return DS_OK;
}

static void test_uudecode(void)
{
    size_t n;
    char *d = read_shared("data/edgar_fulltxt/0001213900-25-032135.txt", &n);
    if (!d)
        return;
    ds_err err = {0};
    /* The graphic is a JPEG: SOI marker first, EOI marker last. */
    uu_ctx u = {.want_index = 2, .out = DS_BUF_INIT};
    DS_CHECK(ds_edgar_split((unsigned char *)d, n, uu_collect, &u, &err) == DS_OK);
    DS_CHECK(u.st == DS_OK);
    DS_CHECK(u.complete == 1);
    DS_CHECK_STREQ(u.name, "ex99-1_001.jpg");
    DS_REQUIRE(u.out.len > 100);
    const unsigned char *j = (const unsigned char *)u.out.data;
    DS_CHECK(j[0] == 0xFF && j[1] == 0xD8 && j[2] == 0xFF);
    DS_CHECK(j[u.out.len - 2] == 0xFF && j[u.out.len - 1] == 0xD9);
    ds_buf_deinit(&u.out);
    /* The XBRL zip: a local file header first, an end-of-central-directory record at the end. */
    uu_ctx z = {.want_index = 12, .out = DS_BUF_INIT};
    DS_CHECK(ds_edgar_split((unsigned char *)d, n, uu_collect, &z, &err) == DS_OK);
    DS_CHECK(z.st == DS_OK && z.complete == 1);
    DS_CHECK_STREQ(z.name, "0001213900-25-032135-xbrl.zip");
    DS_REQUIRE(z.out.len > 22);
    DS_CHECK(memcmp(z.out.data, "PK\x03\x04", 4) == 0);
    DS_CHECK(memcmp(z.out.data + z.out.len - 22, "PK\x05\x06", 4) == 0);
    ds_buf_deinit(&z.out);
    ds_free(d);

    /* Known vector: "Cat" encodes as "#0V%T". */
    const char *enc = "begin 644 cat.txt\n#0V%T\n`\nend\n";
    ds_buf b = DS_BUF_INIT;
    int complete = 0;
    char name[16];
    DS_CHECK(ds_edgar_uudecode((const unsigned char *)enc, strlen(enc), &b, name, sizeof name, &complete, &err) ==
             DS_OK);
    DS_CHECK(complete == 1 && b.len == 3 && memcmp(b.data, "Cat", 3) == 0);
    DS_CHECK_STREQ(name, "cat.txt");
    ds_buf_clear(&b);
    /* Trailing blanks stripped in transit still decode (a blank is zero bits). */
    const char *stripped = "begin 644 z\n#````\nend\n";
    const char *stripped2 = "begin 644 z\n#\nend\n";
    DS_CHECK(ds_edgar_uudecode((const unsigned char *)stripped, strlen(stripped), &b, NULL, 0, &complete, &err) ==
             DS_OK);
    ds_buf c = DS_BUF_INIT;
    DS_CHECK(ds_edgar_uudecode((const unsigned char *)stripped2, strlen(stripped2), &c, NULL, 0, &complete, &err) ==
             DS_OK);
    DS_CHECK(b.len == 3 && c.len == 3 && memcmp(b.data, "\0\0\0", 3) == 0 && memcmp(c.data, "\0\0\0", 3) == 0);
    ds_buf_deinit(&c);
    ds_buf_clear(&b);
    /* Truncated: no end line. */
    const char *trunc = "begin 644 cat.txt\n#0V%T\n";
    DS_CHECK(ds_edgar_uudecode((const unsigned char *)trunc, strlen(trunc), &b, NULL, 0, &complete, &err) == DS_OK);
    DS_CHECK(complete == 0 && b.len == 3);
    ds_buf_clear(&b);
    /* Not uuencoding. */
    const char *bad = "hello\n";
    DS_CHECK(ds_edgar_uudecode((const unsigned char *)bad, strlen(bad), &b, NULL, 0, &complete, &err) == DS_ERR_PARSE);
    const char *badc = "begin 644 x\n#0V\x01T\nend\n";
    DS_CHECK(ds_edgar_uudecode((const unsigned char *)badc, strlen(badc), &b, NULL, 0, &complete, &err) ==
             DS_ERR_PARSE);
    DS_CHECK(strstr(err.msg, "offset") != NULL);
    DS_CHECK(ds_edgar_uudecode((const unsigned char *)"", 0, &b, NULL, 0, &complete, &err) == DS_ERR_PARSE);
    ds_buf_deinit(&b);
}

static void test_tesla_minimal(void)
{
    size_t n;
    char *d = read_shared("data/edgar_fulltxt/0001564590-20-004475-minimal.txt", &n);
    if (!d)
        return;
    seen s = {.want_key = "FORMER CONFORMED NAME", .want_group = "FILER/FORMER COMPANY"};
    DS_CHECK(split_mem(d, n, &s) == DS_OK);
    DS_CHECK_STREQ(s.accession, "0001564590-20-004475");
    DS_CHECK_STREQ(s.form, "10-K");
    DS_CHECK_STREQ(s.filed, "2020-02-13");
    DS_CHECK_STREQ(s.period, "2019-12-31");
    DS_CHECK_STREQ(s.acceptance, "2020-02-13T07:12:18");
    DS_CHECK(s.doc_count == 160);
    DS_CHECK_STREQ(s.role, "FILER");
    DS_CHECK_STREQ(s.company, "Tesla, Inc.");
    DS_CHECK_STREQ(s.cik, "0001318605");
    DS_CHECK_STREQ(s.fye, "1231");
    DS_CHECK_STREQ(s.got_value, "TESLA MOTORS INC");
    DS_REQUIRE(s.n_parts == 2);
    DS_CHECK_STREQ(s.p[0].type, "10-K");
    DS_CHECK_STREQ(s.p[0].filename, "tsla-10k_20191231.htm");
    /* <XBRL> opened but never closed: the wrapper goes, the body ends at </html>. */
    DS_CHECK_STREQ(s.p[0].wrapper, "XBRL");
    DS_CHECK(tail_is(&s, 0, "</html>\n"));
    DS_CHECK_STREQ(s.p[1].type, "EX-21.1");
    DS_CHECK_STREQ(s.p[1].seq, "2"); /* "2  " in the file */
    DS_CHECK_STREQ(s.p[1].filename, "tsla-ex211_20191231.htm");
    DS_CHECK_STREQ(s.p[1].desc, "EX-21.1 SUBSIDIARIES");
    DS_CHECK(head_is(&s, 1, "<html>"));
    DS_CHECK(tail_is(&s, 1, "</html>\n"));
    ds_free(d);
}

static void test_header_only(void)
{
    size_t n;
    char *d = read_shared("data/edgar_fulltxt/header_with_double_newlines.txt", &n);
    if (!d)
        return;
    seen s = {.want_key = "SERIES-ID",
              .want_group = "SERIES-AND-CLASSES-CONTRACTS-DATA/NEW-SERIES-AND-CLASSES-CONTRACTS/NEW-SERIES"};
    DS_CHECK(split_mem(d, n, &s) == DS_OK);
    DS_CHECK(s.has_header == 1);
    DS_CHECK_STREQ(s.dialect, "key-value");
    DS_CHECK_STREQ(s.accession, "0001193125-24-066744");
    DS_CHECK_STREQ(s.form, "485APOS");
    DS_CHECK_STREQ(s.filed, "2024-03-13");
    DS_CHECK_STREQ(s.change, "2024-06-26");
    DS_CHECK_STREQ(s.acceptance, "2024-03-13T15:00:33");
    DS_CHECK(s.doc_count == 7);
    DS_CHECK_STREQ(s.role, "FILER");
    DS_CHECK_STREQ(s.company, "iSHARES TRUST");
    DS_CHECK_STREQ(s.cik, "0001100663");
    DS_CHECK_STREQ(s.fye, "1231");
    DS_CHECK(s.n_parties == 2);
    DS_CHECK_STREQ(s.got_value, "S000085230");
    DS_CHECK(s.n_parts == 0);
    seen c = {.want_key = "CLASS-CONTRACT-NAME",
              .want_group = "SERIES-AND-CLASSES-CONTRACTS-DATA/NEW-SERIES-AND-CLASSES-CONTRACTS/NEW-SERIES/"
                            "CLASS-CONTRACT"};
    DS_CHECK(split_mem(d, n, &c) == DS_OK);
    DS_CHECK_STREQ(c.got_value, "iShares iBonds Dec 2044 Term Treasury ETF");
    ds_free(d);
}

static void test_1995_headerless(void)
{
    size_t n;
    char *d = read_shared("data/edgar_fulltxt/0000899681-95-000096.txt", &n);
    if (!d)
        return;
    seen s = {0};
    DS_CHECK(split_mem(d, n, &s) == DS_OK);
    /* This copy of the 1995 submission starts at its first <DOCUMENT>: no header at all. */
    DS_CHECK(s.has_header == 0);
    DS_CHECK(s.n_fields == 0);
    DS_CHECK_STREQ(s.dialect, "none");
    DS_CHECK_STREQ(s.accession, "(null)");
    DS_CHECK(s.doc_count == -1);
    DS_REQUIRE(s.n_parts == 2);
    DS_CHECK_STREQ(s.p[0].type, "S-3/A");
    DS_CHECK_STREQ(s.p[0].seq, "1");
    DS_CHECK_STREQ(s.p[0].filename, "");
    DS_CHECK_STREQ(s.p[1].type, "EX-99");
    DS_CHECK_STREQ(s.p[1].seq, "2");
    DS_CHECK(s.p[1].doc_closed); /* the file ends right after </DOCUMENT>, no newline */
    DS_CHECK(tail_is(&s, 1, "May 22, 1995\n\n\n"));
    DS_CHECK(s.n_notes == 0);
    ds_free(d);
}

/* An old-style submission (1993-1996) with an <IMS-HEADER> and unindented groups. */
static void test_ims_header(void)
{
    const char *t = "<IMS-DOCUMENT>0000950109-94-000123.txt : 19940330\n"
                    "<IMS-HEADER>0000950109-94-000123.hdr.sgml : 19940330\n"
                    "ACCESSION NUMBER:\t0000950109-94-000123\n"
                    "CONFORMED SUBMISSION TYPE:\t10-K\n"
                    "PUBLIC DOCUMENT COUNT:\t3\n"
                    "CONFORMED PERIOD OF REPORT:\t19931231\n"
                    "FILED AS OF DATE:\t19940330\n"
                    "FILER:\n"
                    "COMPANY DATA:\n"
                    "COMPANY CONFORMED NAME:\tEXAMPLE INDUSTRIES INC\n"
                    "CENTRAL INDEX KEY:\t0000012345\n"
                    "FISCAL YEAR END:\t1231\n"
                    "</IMS-HEADER>\n"
                    "<DOCUMENT>\n<TYPE>10-K\n<SEQUENCE>1\n<DESCRIPTION>ANNUAL REPORT\n<TEXT>\nbody one\n</TEXT>\n"
                    "</DOCUMENT>\n"
                    "<DOCUMENT>\n<TYPE>EX-27\n<SEQUENCE>2\n<TEXT>\n<PAGE>\nbody two\n</TEXT>\n</DOCUMENT>\n"
                    "</IMS-DOCUMENT>\n"
                    "<DOCUMENT>\n<TYPE>IGNORED\n<TEXT>\nafter the end\n</TEXT>\n</DOCUMENT>\n";
    seen s = {0};
    DS_CHECK(split_mem(t, strlen(t), &s) == DS_OK);
    DS_CHECK_STREQ(s.dialect, "key-value");
    DS_CHECK_STREQ(s.accession, "0000950109-94-000123");
    DS_CHECK_STREQ(s.form, "10-K");
    DS_CHECK_STREQ(s.period, "1993-12-31");
    DS_CHECK_STREQ(s.filed, "1994-03-30");
    DS_CHECK_STREQ(s.role, "FILER");
    DS_CHECK_STREQ(s.company, "EXAMPLE INDUSTRIES INC");
    DS_CHECK_STREQ(s.cik, "0000012345");
    DS_CHECK(s.doc_count == 3);
    DS_REQUIRE(s.n_parts == 2);
    DS_CHECK_STREQ(s.p[0].desc, "ANNUAL REPORT");
    DS_CHECK(s.p[0].body_len == 9 && head_is(&s, 0, "body one\n"));
    DS_CHECK(head_is(&s, 1, "<PAGE>\nbody two"));
}

/* The tag-style (dissemination) header. */
static void test_tag_header(void)
{
    const char *t = "<SUBMISSION>\n"
                    "<ACCEPTANCE-DATETIME>20190430162156\n"
                    "<ACCESSION-NUMBER>0001104659-19-025328\n"
                    "<TYPE>10-Q\n"
                    "<PUBLIC-DOCUMENT-COUNT>119\n"
                    "<PERIOD>20190331\n"
                    "<FILING-DATE>20190430\n"
                    "<DATE-OF-FILING-DATE-CHANGE>20190430\n"
                    "<FILER>\n<COMPANY-DATA>\n<CONFORMED-NAME>INTERNATIONAL BUSINESS MACHINES CORP\n"
                    "<CIK>0000051143\n<ASSIGNED-SIC>3570\n<FISCAL-YEAR-END>1231\n</COMPANY-DATA>\n"
                    "<FILING-VALUES>\n<FORM-TYPE>10-Q\n<ACT>34\n</FILING-VALUES>\n"
                    "<BUSINESS-ADDRESS>\n<STREET1>1 NEW ORCHARD ROAD\n<CITY>ARMONK\n</BUSINESS-ADDRESS>\n"
                    "</FILER>\n"
                    "<DOCUMENT>\n<TYPE>10-Q\n<SEQUENCE>1\n<FILENAME>ibm-10q.htm\n<TEXT>\n<html></html>\n</TEXT>\n"
                    "</DOCUMENT>\n</SUBMISSION>\n";
    seen s = {.want_key = "CITY", .want_group = "FILER/BUSINESS ADDRESS"};
    DS_CHECK(split_mem(t, strlen(t), &s) == DS_OK);
    DS_CHECK_STREQ(s.dialect, "tags");
    DS_CHECK_STREQ(s.accession, "0001104659-19-025328");
    DS_CHECK_STREQ(s.form, "10-Q");
    DS_CHECK_STREQ(s.period, "2019-03-31");
    DS_CHECK_STREQ(s.filed, "2019-04-30");
    DS_CHECK_STREQ(s.acceptance, "2019-04-30T16:21:56");
    DS_CHECK(s.doc_count == 119);
    DS_CHECK_STREQ(s.role, "FILER");
    DS_CHECK_STREQ(s.company, "INTERNATIONAL BUSINESS MACHINES CORP");
    DS_CHECK_STREQ(s.cik, "0000051143");
    DS_CHECK_STREQ(s.fye, "1231");
    DS_CHECK_STREQ(s.got_value, "ARMONK");
    DS_REQUIRE(s.n_parts == 1);
    DS_CHECK_STREQ(s.p[0].filename, "ibm-10q.htm");
    DS_CHECK(s.p[0].body_len == strlen("<html></html>\n"));
}

static void test_broken(void)
{
    /* Truncated in the middle of the second document's text. */
    const char *t = "<SEC-HEADER>x\nACCESSION NUMBER:\t0000000001-25-000001\n</SEC-HEADER>\n"
                    "<DOCUMENT>\n<TYPE>8-K\n<TEXT>\nfirst\n</TEXT>\n</DOCUMENT>\n"
                    "<DOCUMENT>\n<TYPE>EX-99\n<FILENAME>ex.htm\n<TEXT>\n<p>second, cut";
    seen s = {0};
    DS_CHECK(split_mem(t, strlen(t), &s) == DS_OK);
    DS_CHECK_STREQ(s.accession, "0000000001-25-000001");
    DS_REQUIRE(s.n_parts == 2);
    DS_CHECK(s.p[0].text_closed && s.p[0].doc_closed);
    DS_CHECK(!s.p[1].text_closed && !s.p[1].doc_closed);
    DS_CHECK(s.p[1].body_len == strlen("<p>second, cut"));
    DS_CHECK(s.n_notes == 1 && strstr(s.notes[0], "truncated") && strstr(s.notes[0], "</TEXT>"));

    /* Missing </DOCUMENT>: the next <DOCUMENT> ends the first, both are kept. */
    const char *m = "<DOCUMENT>\n<TYPE>A\n<TEXT>\none\n</TEXT>\n"
                    "<DOCUMENT>\n<TYPE>B\n<TEXT>\ntwo\n</TEXT>\n</DOCUMENT>\n";
    seen s2 = {0};
    DS_CHECK(split_mem(m, strlen(m), &s2) == DS_OK);
    DS_REQUIRE(s2.n_parts == 2);
    DS_CHECK_STREQ(s2.p[0].type, "A");
    DS_CHECK(s2.p[0].text_closed && !s2.p[0].doc_closed && s2.p[0].body_len == 4);
    DS_CHECK_STREQ(s2.p[1].type, "B");
    DS_CHECK(s2.p[1].doc_closed && s2.p[1].body_len == 4);
    DS_CHECK(s2.n_notes == 1 && strstr(s2.notes[0], "</DOCUMENT>"));

    /* Missing </TEXT> and </DOCUMENT>: the text runs to the next document. */
    const char *m2 = "<DOCUMENT>\n<TYPE>A\n<TEXT>\none\n<DOCUMENT>\n<TYPE>B\n<TEXT>\ntwo\n</TEXT>\n</DOCUMENT>\n";
    seen s3 = {0};
    DS_CHECK(split_mem(m2, strlen(m2), &s3) == DS_OK);
    DS_REQUIRE(s3.n_parts == 2);
    DS_CHECK(!s3.p[0].text_closed && s3.p[0].body_len == 4 && head_is(&s3, 0, "one\n"));

    /* No <TEXT> at all. */
    const char *nt = "<DOCUMENT>\n<TYPE>A\n</DOCUMENT>\n";
    seen s4 = {0};
    DS_CHECK(split_mem(nt, strlen(nt), &s4) == DS_OK);
    DS_CHECK(s4.n_parts == 1 && !s4.p[0].has_text && s4.p[0].body_len == 0 && s4.n_notes == 1);

    /* Not EDGAR at all, empty input, NULL input. */
    seen s5 = {0};
    const char *html = "<html><body><p>hello</p></body></html>\n";
    DS_CHECK(split_mem(html, strlen(html), &s5) == DS_OK);
    DS_CHECK(s5.n_parts == 0 && s5.has_header == 0 && s5.n_headers == 1);
    seen s6 = {0};
    DS_CHECK(split_mem("", 0, &s6) == DS_OK && s6.n_headers == 1 && s6.n_parts == 0);
    seen s6b = {0};
    DS_CHECK(split_mem(NULL, 5, &s6b) == DS_OK && s6b.n_parts == 0);

    /* CRLF line ends and a byte order mark. */
    const char *crlf = "\xEF\xBB\xBF<SEC-HEADER>x\r\nACCESSION NUMBER:\t0000000002-25-000002\r\n"
                       "</SEC-HEADER>\r\n<DOCUMENT>\r\n<TYPE>10-K\r\n<TEXT>\r\nabc\r\n</TEXT>\r\n</DOCUMENT>\r\n";
    seen s7 = {0};
    DS_CHECK(split_mem(crlf, strlen(crlf), &s7) == DS_OK);
    DS_CHECK_STREQ(s7.accession, "0000000002-25-000002");
    DS_CHECK(s7.n_parts == 1 && s7.p[0].body_len == 5 && head_is(&s7, 0, "abc\r\n"));

    /* Bad dates give NULL, not garbage. */
    const char *bd = "FILED AS OF DATE:\t20251340\nCONFORMED PERIOD OF REPORT:\t2025\n"
                     "<ACCEPTANCE-DATETIME>20250229120000\n";
    seen s8 = {0};
    DS_CHECK(split_mem(bd, strlen(bd), &s8) == DS_OK);
    DS_CHECK(s8.has_header == 1);
    DS_CHECK_STREQ(s8.filed, "(null)");
    DS_CHECK_STREQ(s8.period, "(null)");
    DS_CHECK_STREQ(s8.acceptance, "(null)"); /* 2025 is not a leap year */

    /* A callback's failure stops the split and is returned. */
    const char *two = "<DOCUMENT>\n<TEXT>\na\n</TEXT>\n</DOCUMENT>\n<DOCUMENT>\n<TEXT>\nb\n</TEXT>\n</DOCUMENT>\n";
    seen s9 = {.stop_after_parts = 1};
    DS_CHECK(split_mem(two, strlen(two), &s9) == DS_ERR_CANCELLED);
    DS_CHECK(s9.n_parts == 1);
}

static void test_huge_header_line(void)
{
    /* A 1 MiB header line with no newline inside, then a normal submission. */
    size_t big = 1 << 20;
    const char *pre = "<SEC-HEADER>x\nCOMPANY CONFORMED NAME:\t";
    const char *post = "\nACCESSION NUMBER:\t0000000003-25-000003\n</SEC-HEADER>\n"
                       "<DOCUMENT>\n<TYPE>10-K\n<TEXT>\nok\n</TEXT>\n</DOCUMENT>\n";
    size_t n = strlen(pre) + big + strlen(post);
    char *d = ds_malloc(n + 1);
    DS_REQUIRE(d);
    memcpy(d, pre, strlen(pre));
    memset(d + strlen(pre), 'A', big);
    memcpy(d + strlen(pre) + big, post, strlen(post) + 1);
    seen s = {0};
    DS_CHECK(split_mem(d, n, &s) == DS_OK);
    DS_CHECK(s.n_notes == 1 && strstr(s.notes[0], "skipped"));
    DS_CHECK_STREQ(s.company, "(null)");
    DS_CHECK_STREQ(s.accession, "0000000003-25-000003");
    DS_CHECK(s.n_parts == 1 && s.p[0].body_len == 3);
    /* A whole input that is one huge line, no newline at all. */
    memset(d, 'B', n);
    seen s2 = {0};
    DS_CHECK(split_mem(d, n, &s2) == DS_OK);
    DS_CHECK(s2.n_parts == 0 && s2.n_notes == 1 && s2.has_header == 0);
    ds_free(d);
}

/* Every prefix of a real submission splits without error, and never yields more parts than
 * the whole file has (run under ASan this also checks every read stays inside the input). */
static void test_prefixes(void)
{
    size_t n;
    char *d = read_shared("data/edgar_fulltxt/0001127602-25-001055.txt", &n);
    if (!d)
        return;
    int bad = 0;
    for (size_t k = 0; k <= n; k += 7) {
        char *copy = ds_malloc(k ? k : 1); /* exact size: ASan sees any overrun */
        memcpy(copy, d, k);
        seen s = {0};
        if (split_mem(copy, k, &s) != DS_OK || s.n_parts > 2 || s.n_headers != 1)
            bad++;
        ds_free(copy);
    }
    DS_CHECK(bad == 0);
    ds_free(d);
}

static void test_dates(void)
{
    char d[11], t[20];
    DS_CHECK(ds_edgar_iso_date("20240229", d) && strcmp(d, "2024-02-29") == 0);
    DS_CHECK(!ds_edgar_iso_date("20230229", d) && d[0] == '\0');
    DS_CHECK(!ds_edgar_iso_date("2024022", d));
    DS_CHECK(!ds_edgar_iso_date("2024-02-2", d));
    DS_CHECK(!ds_edgar_iso_date(NULL, d));
    DS_CHECK(ds_edgar_iso_datetime("20001231235959", t) && strcmp(t, "2000-12-31T23:59:59") == 0);
    DS_CHECK(!ds_edgar_iso_datetime("20001231245959", t));
}

int main(void)
{
    test_dates();
    test_tender_offer();
    test_form4();
    test_8k();
    test_uudecode();
    test_tesla_minimal();
    test_header_only();
    test_1995_headerless();
    test_ims_header();
    test_tag_header();
    test_broken();
    test_huge_header_line();
    test_prefixes();
    return ds_test_done();
}
