/* bench_statements.c - statement accuracy against hand-read truth: every statement PDF that has
 * a truth TSV (tests/extract/data/statements_truth/<name>.tsv, format in
 * ../shared/data/statements/README.md) is parsed and extracted in process, and each key metric
 * the truth prints is scored right (exactly one consolidated value for the metric, period end
 * and period length, equal to the printed value times its scale; cost of revenue by
 * magnitude), wrong (some other value) or missing. Prints per document and metric, the totals,
 * the share right, and the PDF stage's time against `pdftotext -layout` on the same files.
 *
 * Usage: bench_statements [--check MIN_RIGHT_PERMILLE MAX_WRONG] [--only NAME]... [truth_dir]
 * With --check it is a test (no timing): exit 1 when the share right (per mille) falls below
 * the floor, the wrong count rises above the ceiling, or any consolidated fact of a truth row's
 * metric and period that disagrees with the printed value is verified or reported rather than
 * unverified or conflict (the product's promise: a wrong value is never shown as verified,
 * counted over every such fact, not only the one scored); exit 0 with a "skip" line when the truth
 * folder or the shared corpus is absent. Right and wrong values are also counted by their
 * verification status. The truth folder defaults to $DS_SOURCE_DIR/tests/extract/data/
 * statements_truth; PDFs are looked up in statements/ and financial_pdf/ of the shared data.
 * Each document's identity (extract/doc_identity.h) is printed against the truth's cover rows:
 * company (by name key), form and period end; the identity count is printed for all documents
 * and for the hold-out set the truth README names. --min-identity N: the check also fails when
 * fewer than N identity fields are right. */
#include "testlib.h"

#include "extract/extract.h"
#include "ingest/ingest.h"
#include "pipeline/core/buf.h"
#include "pipeline/core/clock.h"

#include <ctype.h>
#include <dirent.h>
#include <strings.h>
#include <time.h>

typedef struct truth_row {
    char metric[32], end[16], value[48];
    int months;
} truth_row;

/* Verification statuses counted for right and wrong values (extract/verify.c). */
static const char *const statuses[] = {"verified", "reported", "unverified", "conflict", "none"};
#define N_STATUS (sizeof statuses / sizeof statuses[0])

typedef struct score {
    int right, wrong, missing;
    int right_by[N_STATUS], wrong_by[N_STATUS];
    int wrong_trusted; /* facts of a truth row's metric and period that disagree with it yet are
                          verified or reported: the product promises none */
    double ds_s, pdftotext_s;
    int id_right, id_all, ho_id_right, ho_id_all; /* identity fields right / scored; ho_: hold-out set */
    int ho_right, ho_wrong, ho_missing;           /* key metrics of the hold-out set */
} score;

/* The truth's identity (cover rows: company, form, period) and whether the document is in the
 * hold-out set named by the truth README. */
typedef struct truth_identity {
    char company[256], form[32], period[16];
    int holdout;
} truth_identity;

static size_t count4(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    (void)s;
    return (n + 3) / 4;
}

/* Field i (0-based) of a tab-separated line into out; "" when absent. */
static void field(const char *line, int i, char *out, size_t cap)
{
    const char *p = line;
    for (; i > 0 && p; i--) {
        p = strchr(p, '\t');
        p = p ? p + 1 : NULL;
    }
    size_t n = p ? strcspn(p, "\t\r\n") : 0;
    if (n >= cap)
        n = cap - 1;
    memcpy(out, p ? p : "", n);
    out[n] = '\0';
}

/* The truth's metric rows with a value (identity rows and "not printed" rows are left out). */
static size_t read_truth(const char *path, truth_row *rows, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char line[2048], months[8];
    size_t n = 0;
    while (fgets(line, sizeof line, f) && n < cap) {
        truth_row r;
        field(line, 0, r.metric, sizeof r.metric);
        field(line, 1, r.end, sizeof r.end);
        field(line, 2, months, sizeof months);
        field(line, 5, r.value, sizeof r.value);
        if (!strcmp(r.metric, "metric") || !*r.end || !*r.value)
            continue;
        r.months = atoi(months);
        rows[n++] = r;
    }
    fclose(f);
    return n;
}

/* The truth's company, form and period rows (value column). */
static void read_truth_identity(const char *path, truth_identity *ti)
{
    FILE *f = fopen(path, "r");
    char line[2048], metric[32];
    memset(ti->company, 0, sizeof ti->company), memset(ti->form, 0, sizeof ti->form);
    memset(ti->period, 0, sizeof ti->period);
    while (f && fgets(line, sizeof line, f)) {
        field(line, 0, metric, sizeof metric);
        if (!strcmp(metric, "company"))
            field(line, 5, ti->company, sizeof ti->company);
        else if (!strcmp(metric, "form"))
            field(line, 5, ti->form, sizeof ti->form);
        else if (!strcmp(metric, "period"))
            field(line, 5, ti->period, sizeof ti->period);
    }
    if (f)
        fclose(f);
}

/* Whether name is listed in the "Hold-out set" section of the truth README. */
static int holdout_listed(const char *truth_dir, const char *name)
{
    char path[4400], line[2048];
    snprintf(path, sizeof path, "%s/README.md", truth_dir);
    FILE *f = fopen(path, "r");
    int in = 0, hit = 0;
    size_t n = strlen(name);
    while (f && !hit && fgets(line, sizeof line, f)) {
        if (!strncmp(line, "## ", 3))
            in = strstr(line, "Hold-out") != NULL;
        for (const char *p = line; in && (p = strstr(p, name)) != NULL; p++)
            if ((p == line || !isalnum((unsigned char)p[-1])) && !isalnum((unsigned char)p[n]) && p[n] != '_')
                hit = 1;
    }
    if (f)
        fclose(f);
    return hit;
}

/* Scores the identity read from the PDF against the truth (company by name key, form and
 * period exactly) and prints it. */
static void score_identity(const char *name, const ds_doc_identity *id, const truth_identity *ti, score *s)
{
    char k1[256], k2[256];
    const char *got[3] = {id->company.value, id->form.value, id->period_end.value};
    const char *want[3] = {ti->company, ti->form, ti->period};
    int ok[3];
    ds_doc_identity_name_key(got[0], k1, sizeof k1);
    ds_doc_identity_name_key(want[0], k2, sizeof k2);
    ok[0] = got[0] && !strcmp(k1, k2);
    ok[1] = got[1] && !strcasecmp(got[1], want[1]);
    ok[2] = got[2] && !strcmp(got[2], want[2]);
    for (int i = 0; i < 3; i++) {
        if (!*want[i])
            continue;
        s->id_all++, s->id_right += ok[i];
        if (ti->holdout)
            s->ho_id_all++, s->ho_id_right += ok[i];
    }
    printf("  identity%s %-20s company %s \"%s\"%s form %s \"%s\"%s period %s %s%s FY %s %s\n",
           ti->holdout ? "(hold-out)" : "", name, ok[0] ? "ok" : "WRONG", got[0] ? got[0] : "-",
           ok[0] ? "" : " (truth)", ok[1] ? "ok" : "WRONG", got[1] ? got[1] : "-", ok[1] ? "" : " (truth)",
           ok[2] ? "ok" : "WRONG", got[2] ? got[2] : "-", ok[2] ? "" : " (truth)",
           id->fiscal_year.value ? id->fiscal_year.value : "-", id->fiscal_period.value ? id->fiscal_period.value : "");
    for (int i = 0; i < 3; i++)
        if (!ok[i])
            printf("    truth %s: %s\n", i == 0 ? "company" : i == 1 ? "form" : "period", want[i]);
}

static long days_between(const char *a, const char *b)
{
    struct tm ta = {0}, tb = {0};
    if (sscanf(a, "%d-%d-%d", &ta.tm_year, &ta.tm_mon, &ta.tm_mday) != 3 ||
        sscanf(b, "%d-%d-%d", &tb.tm_year, &tb.tm_mon, &tb.tm_mday) != 3)
        return -1;
    ta.tm_year -= 1900, tb.tm_year -= 1900, ta.tm_mon--, tb.tm_mon--;
    return (long)((timegm(&tb) - timegm(&ta)) / 86400);
}

/* Whether a fact covers the truth row's period: same end, an instant for months 0, else a
 * duration of about that many months (52/53-week years included). */
static int same_period(const ds_fact *f, const truth_row *r)
{
    if (strcmp(f->period_end, r->end))
        return 0;
    if (r->months == 0)
        return f->period_start == NULL;
    if (!f->period_start)
        return 0;
    long d = days_between(f->period_start, f->period_end);
    long want = (long)r->months * 365 / 12;
    return d >= want - 16 && d <= want + 16;
}

static const char *fact_metric(const char *truth_metric)
{
    return strcmp(truth_metric, "total_equity") ? truth_metric : "equity";
}

static int value_equal(const char *metric, const char *got, const char *want)
{
    if (!strcmp(metric, "cost_of_revenue")) {
        got += *got == '-';
        want += *want == '-';
    }
    return !strcmp(got, want);
}

/* Scores one truth row against the extraction, printing a line for anything not right. */
static size_t status_of(const ds_fact *f)
{
    for (size_t i = 0; i + 1 < N_STATUS; i++)
        if (f->verification && !strcmp(f->verification, statuses[i]))
            return i;
    return N_STATUS - 1;
}

static void score_row(const char *name, const ds_extraction *x, const truth_row *r, score *s)
{
    const char *metric = fact_metric(r->metric);
    const ds_fact *hit = NULL, *other = NULL;
    for (size_t i = 0; i < x->facts.n; i++) {
        const ds_fact *f = &x->facts.v[i];
        if (!f->metric || !f->value || *f->dimensions || strcmp(f->metric, metric) || !same_period(f, r))
            continue;
        if (value_equal(r->metric, f->value, r->value)) {
            hit = f;
            continue;
        }
        if (!other)
            other = f;
        size_t k = status_of(f);
        if (k <= 1) { /* verified or reported */
            s->wrong_trusted++;
            printf("  WRONG BUT %s %-20s %s %s %2dm: shown %s (page %d, by %s), printed %s\n", statuses[k], name,
                   r->metric, r->end, r->months, f->value, f->page, f->verification_check ? f->verification_check : "-",
                   r->value);
        }
    }
    if (other) {
        s->wrong++;
        s->wrong_by[status_of(other)]++;
        printf("  wrong   %-20s %s %s %2dm: shown %s (page %d, %s by %s), printed %s\n", name, r->metric, r->end,
               r->months, other->value, other->page, statuses[status_of(other)],
               other->verification_check ? other->verification_check : "-", r->value);
    } else if (hit) {
        s->right++;
        s->right_by[status_of(hit)]++;
    } else {
        s->missing++;
        printf("  missing %-20s %s %s %2dm: printed %s\n", name, r->metric, r->end, r->months, r->value);
    }
}

static double pdftotext_time(const char *pdf)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "pdftotext -layout '%s' /dev/null 2>/dev/null", pdf);
    double t0 = ds_now_s();
    int rc = system(cmd);
    return rc == 0 ? ds_now_s() - t0 : 0.0;
}

/* Parses and extracts one PDF, scores it against its truth rows. 0 when the PDF is absent. */
static int bench_doc(const char *name, const char *pdf, const truth_row *rows, size_t nrows, const truth_identity *ti,
                     int timed, score *total)
{
    ds_buf b = DS_BUF_INIT;
    ds_err err;
    if (ds_buf_read_file(&b, pdf, 0, &err) != DS_OK)
        return 0;
    ds_document *doc;
    DS_REQUIRE(ds_document_create(&doc, &err) == DS_OK);
    doc->kind = DS_DOC_KIND_PDF;
    doc->name = name;
    ds_ingest_limits lim;
    memset(&lim, 0, sizeof lim);
    ds_extraction x = {0};
    ds_chunk_list chunks = {0};
    ds_chunk_opts co = {512, 32, count4, NULL};
    double t0 = ds_now_s();
    ds_status st = ds_pdf_parse(doc, (const unsigned char *)b.data, b.len, &lim, &err);
    double t_parse = ds_now_s() - t0;
    if (st == DS_OK)
        st = ds_chunk_document(doc, &co, &chunks, &err);
    if (st == DS_OK)
        st = ds_extract_document(doc, &chunks, NULL, &x, &err);
    score s = {0};
    if (st != DS_OK)
        printf("  failed  %-20s %s\n", name, err.msg);
    for (size_t i = 0; i < nrows; i++) {
        if (st == DS_OK)
            score_row(name, &x, &rows[i], &s);
        else
            s.missing++;
    }
    if (st == DS_OK)
        score_identity(name, &x.identity, ti, &s);
    s.ds_s = t_parse;
    s.pdftotext_s = timed ? pdftotext_time(pdf) : 0.0;
    printf("%-36s right %2d wrong %2d missing %2d  parse %.2fs pdftotext %.2fs\n", name, s.right, s.wrong, s.missing,
           s.ds_s, s.pdftotext_s);
    total->right += s.right, total->wrong += s.wrong, total->missing += s.missing;
    total->wrong_trusted += s.wrong_trusted;
    for (size_t k = 0; k < N_STATUS; k++)
        total->right_by[k] += s.right_by[k], total->wrong_by[k] += s.wrong_by[k];
    total->ds_s += s.ds_s, total->pdftotext_s += s.pdftotext_s;
    total->id_right += s.id_right, total->id_all += s.id_all;
    total->ho_id_right += s.ho_id_right, total->ho_id_all += s.ho_id_all;
    if (ti->holdout)
        total->ho_right += s.right, total->ho_wrong += s.wrong, total->ho_missing += s.missing;
    ds_extraction_free(&x);
    ds_document_free(doc);
    ds_buf_deinit(&b);
    return 1;
}

/* The PDF of a truth file's name in the shared corpus, or NULL. */
static const char *pdf_of(const char *name)
{
    static const char *const dirs[] = {"data/statements", "data/financial_pdf"};
    char rel[1024];
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(rel, sizeof rel, "%s/%s.pdf", dirs[i], name);
        const char *p = ds_test_shared(rel);
        if (p)
            return p;
    }
    return NULL;
}

static int wanted(const char *name, char **only, int nonly)
{
    for (int i = 0; i < nonly; i++)
        if (!strcmp(only[i], name))
            return 1;
    return nonly == 0;
}

int main(int argc, char **argv)
{
    int check = 0, min_permille = 0, max_wrong = 0, nonly = 0, min_identity = 0;
    char *only[64];
    const char *truth_dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--check") && i + 2 < argc) {
            check = 1;
            min_permille = atoi(argv[++i]);
            max_wrong = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--min-identity") && i + 1 < argc) {
            min_identity = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--only") && i + 1 < argc && nonly < 64) {
            only[nonly++] = argv[++i];
        } else {
            truth_dir = argv[i];
        }
    }
    char dflt[4096];
    if (!truth_dir) {
        const char *src = getenv("DS_SOURCE_DIR");
        snprintf(dflt, sizeof dflt, "%s/tests/extract/data/statements_truth", src ? src : ".");
        truth_dir = dflt;
    }
    DIR *d = opendir(truth_dir);
    if (!d) {
        printf("skip: no statement truth at %s\n", truth_dir);
        return 0;
    }
    char *names[256];
    int nnames = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL && nnames < 256;) {
        size_t l = strlen(e->d_name);
        if (l > 4 && !strcmp(e->d_name + l - 4, ".tsv"))
            names[nnames++] = strndup(e->d_name, l - 4);
    }
    closedir(d);
    for (int i = 0; i < nnames; i++) /* stable order for reading and comparing runs */
        for (int k = i + 1; k < nnames; k++)
            if (strcmp(names[k], names[i]) < 0) {
                char *t = names[i];
                names[i] = names[k];
                names[k] = t;
            }
    score total = {0};
    int docs = 0;
    static truth_row rows[512];
    for (int i = 0; i < nnames; i++) {
        const char *pdf = wanted(names[i], only, nonly) ? pdf_of(names[i]) : NULL;
        char path[4400];
        snprintf(path, sizeof path, "%s/%s.tsv", truth_dir, names[i]);
        size_t n = pdf ? read_truth(path, rows, sizeof rows / sizeof rows[0]) : 0;
        truth_identity ti;
        read_truth_identity(path, &ti);
        ti.holdout = holdout_listed(truth_dir, names[i]);
        if (n)
            docs += bench_doc(names[i], pdf, rows, n, &ti, !check, &total);
        free(names[i]);
    }
    if (docs == 0) {
        printf("skip: no statement PDF with truth (shared data or truth absent)\n");
        return 0;
    }
    int all = total.right + total.wrong + total.missing;
    int permille = all ? total.right * 1000 / all : 0;
    printf("documents %d  metrics %d  right %d wrong %d missing %d  share right %d.%d%%\n", docs, all, total.right,
           total.wrong, total.missing, permille / 10, permille % 10);
    for (int w = 0; w < 2; w++) {
        printf("%s values:", w ? "wrong" : "right");
        for (size_t k = 0; k < N_STATUS; k++)
            printf(" %s %d", statuses[k], w ? total.wrong_by[k] : total.right_by[k]);
        printf("\n");
    }
    int ho_all = total.ho_right + total.ho_wrong + total.ho_missing;
    printf("hold-out documents' metrics %d: right %d wrong %d missing %d  share right %.1f%%\n", ho_all, total.ho_right,
           total.ho_wrong, total.ho_missing, ho_all ? 100.0 * total.ho_right / ho_all : 0.0);
    printf("wrong values shown verified or reported: %d (must be 0)\n", total.wrong_trusted);
    printf("identity %d of %d fields right (company, form, period end); hold-out documents %d of %d\n", total.id_right,
           total.id_all, total.ho_id_right, total.ho_id_all);
    if (!check)
        printf("PDF stage %.2fs, pdftotext -layout %.2fs: %.2fx\n", total.ds_s, total.pdftotext_s,
               total.pdftotext_s > 0 ? total.ds_s / total.pdftotext_s : 0.0);
    if (!check)
        return 0;
    int ok = 1;
    if (permille < min_permille || total.wrong > max_wrong) {
        printf("FAIL: share right %d per mille (floor %d), wrong %d (ceiling %d)\n", permille, min_permille,
               total.wrong, max_wrong);
        ok = 0;
    }
    if (total.wrong_trusted) {
        printf("FAIL: %d values that disagree with the truth are shown verified or reported (must be 0)\n",
               total.wrong_trusted);
        ok = 0;
    }
    if (total.id_right < min_identity) {
        printf("FAIL: identity %d fields right (floor %d)\n", total.id_right, min_identity);
        ok = 0;
    }
    return ok ? 0 : 1;
}
