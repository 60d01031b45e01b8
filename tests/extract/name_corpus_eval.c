/* name_corpus_eval.c - scores the pipeline's document screening on the generated name corpus
 * (name_corpus.h): each document is read, parsed by ds_ingest_parse, chunked by
 * ds_chunk_document and screened by ds_alerts_screen_text, the same calls `dossier run` makes;
 * a listed mention counts as found when its document has an alert for its entry, and an alert
 * for an entry the document does not mention is a false alert.
 * Owns: the truth file's text and each document while it is scored. Single-threaded.
 */
#include "tests/extract/name_corpus.h"

#include "extract/alerts.h"
#include "extract/chunker.h"
#include "extract/screening/sanctions.h"
#include "ingest/ingest.h"
#include "pipeline/core/buf.h"
#include "pipeline/core/clock.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NC_NAME(e, s) s,
static const char *const VAR_NAMES[] = {NC_VARIATIONS(NC_NAME)};
static const char *const CTX_NAMES[] = {NC_CONTEXTS(NC_NAME)};
#undef NC_NAME

const char *nc_variation_name(nc_variation v)
{
    return v < NC_N_VARIATIONS ? VAR_NAMES[v] : "?";
}
const char *nc_context_name(nc_context c)
{
    return c < NC_N_CONTEXTS ? CTX_NAMES[c] : "?";
}

int nc_variation_of(const char *name)
{
    for (int i = 0; i < NC_N_VARIATIONS; i++)
        if (strcmp(name, VAR_NAMES[i]) == 0)
            return i;
    return -1;
}

int nc_context_of(const char *name)
{
    for (int i = 0; i < NC_N_CONTEXTS; i++)
        if (strcmp(name, CTX_NAMES[i]) == 0)
            return i;
    return -1;
}

double nc_recall(size_t found, size_t listed)
{
    return listed ? (double)found / (double)listed : 1.0;
}

static int kind_of(ds_sanctions_type t)
{
    return t == DS_SANCTIONS_TYPE_INDIVIDUAL ? 1
           : t == DS_SANCTIONS_TYPE_VESSEL   ? DS_SCREEN_VESSEL
           : t == DS_SANCTIONS_TYPE_AIRCRAFT ? DS_SCREEN_AIRCRAFT
                                             : 0;
}

ds_status nc_sdn_list(const char *sdn_dir, ds_sanctions_list **out, ds_err *err)
{
    char p[4096];
    ds_buf sdn = DS_BUF_INIT, alt = DS_BUF_INIT;
    snprintf(p, sizeof p, "%s/sdn.csv", sdn_dir);
    ds_status st = ds_buf_read_file(&sdn, p, 0, err);
    snprintf(p, sizeof p, "%s/alt.csv", sdn_dir);
    if (st == DS_OK)
        st = ds_buf_read_file(&alt, p, 0, err);
    if (st == DS_OK) {
        ds_sanctions_csv_files f = {0};
        f.sdn = sdn.data;
        f.sdn_n = sdn.len;
        f.alt = alt.data;
        f.alt_n = alt.len;
        st = ds_sanctions_parse_ofac_csv(&f, out, err);
    }
    ds_buf_deinit(&sdn);
    ds_buf_deinit(&alt);
    return st;
}

ds_status nc_sdn_index(const char *sdn_dir, ds_screen_index **out, ds_err *err)
{
    ds_sanctions_list *list = NULL;
    *out = NULL;
    ds_status st = nc_sdn_list(sdn_dir, &list, err);
    ds_screen_index *idx = NULL;
    if (st == DS_OK)
        st = ds_screen_index_create(&idx, err);
    for (size_t i = 0; st == DS_OK && i < list->n_entries; i++) {
        const ds_sanctions_entry *e = &list->entries[i];
        long long id = atoll(e->ext_id);
        st = ds_screen_index_add(idx, id, 1, "sdn", e->name, 0, kind_of(e->type));
        for (size_t a = 0; st == DS_OK && a < e->n_aliases; a++)
            if (!e->aliases[a].quality || strcmp(e->aliases[a].quality, "weak") != 0)
                st = ds_screen_index_add(idx, id, 1, "sdn", e->aliases[a].name, 1, kind_of(e->type));
    }
    if (st == DS_OK)
        st = ds_screen_index_build(idx, err);
    ds_sanctions_list_free(list);
    if (st != DS_OK) {
        ds_screen_index_free(idx);
        return st;
    }
    *out = idx;
    return DS_OK;
}

typedef struct truth_row {
    char *file, *text;
    int var, ctx;
    long long ext_id;
} truth_row;

static size_t count4(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    (void)s;
    return (n + 3) / 4;
}

static int fmt_of(const char *file)
{
    const char *dot = strrchr(file, '.');
    return dot && strcmp(dot, ".pdf") == 0 ? NC_FMT_PDF : dot && strcmp(dot, ".html") == 0 ? NC_FMT_HTML : NC_FMT_TXT;
}

/* s's ASCII letters and digits, lower case, into out (cap bytes). */
static void letters(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    for (; *s && n + 1 < cap; s++)
        if (isalnum((unsigned char)*s))
            out[n++] = (char)tolower((unsigned char)*s);
    out[n] = 0;
}

/* Whether the alert's window lies inside one of the document's listed mentions (a part of a
 * listed name matching another entry) rather than in an ordinary name or the prose. */
static int inside_listed(const truth_row *rows, size_t n, const char *subject)
{
    char a[512], b[512];
    letters(subject ? subject : "", a, sizeof a);
    for (size_t i = 0; i < n && a[0]; i++) {
        if (rows[i].ext_id == 0)
            continue;
        letters(rows[i].text, b, sizeof b);
        if (strstr(b, a))
            return 1;
    }
    return 0;
}

/* Screens one document and tallies rows[0, n) (all of that file). */
static ds_status score_doc(const char *dir, const truth_row *rows, size_t n, const ds_screen_index *idx,
                           double threshold, int verbose, nc_tally *t, ds_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, rows[0].file);
    ds_buf data = DS_BUF_INIT;
    ds_status st = ds_buf_read_file(&data, path, 0, err);
    if (st)
        return st;
    double t0 = ds_now_s();
    ds_document *doc;
    ds_chunk_list chunks = {0};
    ds_alert_list alerts = {0};
    ds_ingest_limits lim;
    ds_ingest_limits_default(&lim);
    ds_chunk_opts co = {512, 64, count4, NULL};
    st = ds_document_create(&doc, err);
    if (st == DS_OK)
        st = ds_ingest_parse(doc, (const unsigned char *)data.data, data.len, &lim, err);
    if (st == DS_OK)
        st = ds_chunk_document(doc, &co, &chunks, err);
    if (st == DS_OK)
        st = ds_alerts_screen_text(doc, &chunks, idx, threshold, &alerts);
    t->seconds += ds_now_s() - t0;
    if (st == DS_OK) {
        t->documents++;
        t->bytes += data.len;
        t->pages += doc->n_pages > 0 ? (size_t)doc->n_pages : 1;
        int fmt = fmt_of(rows[0].file);
        for (size_t i = 0; i < n; i++) {
            const truth_row *r = &rows[i];
            if (r->ext_id == 0) {
                t->ordinary++;
                continue;
            }
            int hit = 0;
            for (size_t a = 0; a < alerts.n && !hit; a++)
                hit = alerts.v[a].entry_id == r->ext_id;
            t->listed[r->var]++, t->found[r->var] += (size_t)hit;
            t->ctx_listed[r->ctx]++, t->ctx_found[r->ctx] += (size_t)hit;
            t->fmt_listed[fmt]++, t->fmt_found[fmt] += (size_t)hit;
            if (!hit && verbose)
                printf("missed  %s %-24s %lld \"%s\"\n", r->file, nc_variation_name((nc_variation)r->var), r->ext_id,
                       r->text);
        }
        for (size_t a = 0; a < alerts.n; a++) {
            int known = 0;
            for (size_t i = 0; i < n && !known; i++)
                known = rows[i].ext_id != 0 && rows[i].ext_id == alerts.v[a].entry_id;
            if (known)
                continue;
            int part = inside_listed(rows, n, alerts.v[a].subject);
            if (part)
                t->false_in_listed++;
            else
                t->false_alerts++;
            if (verbose)
                printf("%s %s \"%s\" ~ %lld \"%s\" (%.3f)\n", part ? "part   " : "false  ", rows[0].file,
                       alerts.v[a].subject, alerts.v[a].entry_id, alerts.v[a].matched_name, alerts.v[a].score);
        }
    } else {
        st = ds_err_prefix(err, "%s", path);
    }
    ds_alert_list_free(&alerts);
    ds_document_free(doc);
    ds_buf_deinit(&data);
    return st;
}

/* Splits the truth file's text (modified in place) into rows; caller frees *rows. */
static ds_status parse_truth(char *s, truth_row **rows, size_t *n, ds_err *err)
{
    size_t cap = 1;
    for (const char *p = s; *p; p++)
        cap += *p == '\n';
    *rows = calloc(cap, sizeof **rows);
    *n = 0;
    if (!*rows)
        return ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    char *line = strchr(s, '\n'); /* the header */
    for (int no = 2; line && line[1]; no++) {
        line++;
        char *end = strchr(line, '\n');
        if (end)
            *end = 0;
        char *f[6];
        int k = 0;
        for (char *p = line; k < 6; k++) {
            f[k] = p;
            char *tab = k < 5 ? strchr(p, '\t') : NULL;
            if (k < 5 && !tab)
                return ds_err_set(err, DS_ERR_PARSE, "truth.tsv line %d: %d fields, expected 6", no, k + 1);
            if (tab)
                *tab = 0, p = tab + 1;
        }
        truth_row *r = &(*rows)[(*n)++];
        r->file = f[0];
        r->var = nc_variation_of(f[1]);
        r->ctx = nc_context_of(f[2]);
        r->ext_id = atoll(f[3]);
        r->text = f[5];
        if (r->var < 0 || r->ctx < 0 || (r->ext_id == 0) != (r->var == NC_ORDINARY))
            return ds_err_set(err, DS_ERR_PARSE, "truth.tsv line %d: bad variation, context or entry", no);
        line = end;
    }
    return DS_OK;
}

ds_status nc_evaluate(const char *dir, const ds_screen_index *idx, double threshold, int verbose, nc_tally *out,
                      ds_err *err)
{
    memset(out, 0, sizeof *out);
    char path[4096];
    snprintf(path, sizeof path, "%s/truth.tsv", dir);
    ds_buf truth = DS_BUF_INIT;
    ds_status st = ds_buf_read_file(&truth, path, 0, err);
    if (st == DS_OK && ds_buf_append(&truth, "", 1) != DS_OK)
        st = ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    truth_row *rows = NULL;
    size_t n = 0;
    if (st == DS_OK)
        st = parse_truth(truth.data, &rows, &n, err);
    for (size_t a = 0; a < n && st == DS_OK;) {
        size_t b = a;
        while (b < n && strcmp(rows[b].file, rows[a].file) == 0)
            b++;
        st = score_doc(dir, rows + a, b - a, idx, threshold, verbose, out, err);
        a = b;
    }
    free(rows);
    ds_buf_deinit(&truth);
    return st;
}

void nc_print(const nc_tally *t)
{
    size_t listed = 0, found = 0;
    printf("%-26s %8s %8s %8s\n", "variation", "written", "alerted", "recall");
    for (int v = 0; v < NC_ORDINARY; v++) {
        printf("%-26s %8zu %8zu %8.4f\n", nc_variation_name((nc_variation)v), t->listed[v], t->found[v],
               nc_recall(t->found[v], t->listed[v]));
        listed += t->listed[v];
        found += t->found[v];
    }
    printf("%-26s %8zu %8zu %8.4f\n", "overall", listed, found, nc_recall(found, listed));
    for (int c = 0; c < NC_N_CONTEXTS; c++)
        printf("  context %-17s %8zu %8zu %8.4f\n", nc_context_name((nc_context)c), t->ctx_listed[c], t->ctx_found[c],
               nc_recall(t->ctx_found[c], t->ctx_listed[c]));
    static const char *const fmts[] = {"txt", "html", "pdf"};
    for (int f = 0; f < NC_N_FMTS; f++)
        printf("  format %-18s %8zu %8zu %8.4f\n", fmts[f], t->fmt_listed[f], t->fmt_found[f],
               nc_recall(t->fmt_found[f], t->fmt_listed[f]));
    printf("ordinary names %zu, false alerts %zu (%.3f%% of ordinary names)\n", t->ordinary, t->false_alerts,
           t->ordinary ? 100.0 * (double)t->false_alerts / (double)t->ordinary : 0.0);
    printf("alerts of another entry from a part of a listed mention: %zu\n", t->false_in_listed);
    printf("documents %zu (%zu pages, %zu bytes): ingest + chunks + screening %.3f s wall\n", t->documents, t->pages,
           t->bytes, t->seconds);
}
