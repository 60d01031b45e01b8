/* bench_doc_screen.c - speed of screening a document's text against the full OFAC SDN list
 * (../shared/data/ofac_sdn_csv, primary names and strong aliases, vessels and aircraft kept
 * apart): a filing's text (../shared/data/edgar_fulltxt, markup removed) repeated to the
 * size of a 300-page filing (4 KB a page), with one listed name (as listed, "LAST, First" for
 * persons) written into every tenth page.
 *
 * Prints, for one thread (wall and CPU seconds; the CPU time is the figure on a loaded machine): the candidate windows of the text and the time to find them (the
 * baseline: scanning alone), and the time to screen the text (windows looked up in the index,
 * alerts built), with how many of the written listed names raised their entry's alert.
 * Then the real filings of ../shared/data/statements (10-Ks, 10-Qs, earnings releases that name
 * no sanctioned party as a counterparty): every alert they raise is printed, with the count per
 * document, as the alerts a reviewer would have to dismiss on ordinary filings.
 * Options: --pages N. Never fails on a figure; exits 0 (and says so) when the data is absent. */
#include "testlib.h"

#include "extract/alerts.h"
#include "extract/name_spans.h"
#include "extract/screening/sanctions.h"
#include "extract/screening/screen.h"
#include "ingest/ingest.h"
#include "pipeline/core/buf.h"

#include <dirent.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAGE_BYTES 4096

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double cpu(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int kind_of(ds_sanctions_type t)
{
    return t == DS_SANCTIONS_TYPE_INDIVIDUAL ? 1
           : t == DS_SANCTIONS_TYPE_VESSEL   ? DS_SCREEN_VESSEL
           : t == DS_SANCTIONS_TYPE_AIRCRAFT ? DS_SCREEN_AIRCRAFT
                                             : 0;
}

static ds_screen_index *sdn_index(ds_sanctions_list **out)
{
    ds_err err;
    ds_buf sdn = DS_BUF_INIT, alt = DS_BUF_INIT;
    DS_REQUIRE(ds_buf_read_file(&sdn, ds_test_shared("data/ofac_sdn_csv/sdn.csv"), 0, &err) == DS_OK);
    DS_REQUIRE(ds_buf_read_file(&alt, ds_test_shared("data/ofac_sdn_csv/alt.csv"), 0, &err) == DS_OK);
    ds_sanctions_csv_files f = {0};
    f.sdn = sdn.data;
    f.sdn_n = sdn.len;
    f.alt = alt.data;
    f.alt_n = alt.len;
    DS_REQUIRE(ds_sanctions_parse_ofac_csv(&f, out, &err) == DS_OK);
    ds_buf_deinit(&sdn);
    ds_buf_deinit(&alt);
    ds_screen_index *idx;
    DS_REQUIRE(ds_screen_index_create(&idx, &err) == DS_OK);
    for (size_t i = 0; i < (*out)->n_entries; i++) {
        const ds_sanctions_entry *e = &(*out)->entries[i];
        long long id = atoll(e->ext_id);
        DS_REQUIRE(ds_screen_index_add(idx, id, 1, "sdn", e->name, 0, kind_of(e->type)) == DS_OK);
        for (size_t a = 0; a < e->n_aliases; a++)
            if (!e->aliases[a].quality || strcmp(e->aliases[a].quality, "weak") != 0)
                DS_REQUIRE(ds_screen_index_add(idx, id, 1, "sdn", e->aliases[a].name, 1, kind_of(e->type)) == DS_OK);
    }
    DS_REQUIRE(ds_screen_index_build(idx, &err) == DS_OK);
    return idx;
}

/* The filing's text without markup, blank runs squeezed. */
static void plain_text(ds_buf *out, const ds_buf *raw)
{
    int in_tag = 0;
    for (size_t i = 0; i < raw->len; i++) {
        char c = raw->data[i];
        if (c == '<')
            in_tag = 1;
        else if (c == '>')
            in_tag = 0;
        else if (!in_tag && !(c == '\n' && out->len && out->data[out->len - 1] == '\n'))
            DS_REQUIRE(ds_buf_append(out, &c, 1) == DS_OK);
    }
}

static int count_window(void *ctx, const char *text, const ds_name_span *s)
{
    (void)text;
    (void)s;
    (*(size_t *)ctx)++;
    return 0;
}

/* Screens each PDF of ../shared/data/statements and prints its alerts: what ordinary filings
 * cost a reviewer. */
static void real_filings(const ds_screen_index *idx)
{
    const char *dir = ds_test_shared("data/statements");
    DIR *d = dir ? opendir(dir) : NULL;
    if (!d)
        return;
    size_t docs = 0, pages = 0, total = 0, with_alerts = 0;
    double cpu_s = 0;
    struct dirent *de;
    printf("\nreal filings (%s): alerts raised on ordinary filings\n", dir);
    while ((de = readdir(d))) {
        size_t nl = strlen(de->d_name);
        if (nl < 5 || strcmp(de->d_name + nl - 4, ".pdf") != 0)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        ds_err err;
        ds_buf raw = DS_BUF_INIT;
        ds_document *doc;
        ds_ingest_limits lim;
        ds_ingest_limits_default(&lim);
        DS_REQUIRE(ds_document_create(&doc, &err) == DS_OK && ds_buf_read_file(&raw, path, 0, &err) == DS_OK);
        if (ds_ingest_parse(doc, (const unsigned char *)raw.data, raw.len, &lim, &err) == DS_OK) {
            ds_alert_list alerts = {0};
            double c0 = cpu();
            DS_REQUIRE(ds_alerts_screen_text(doc, NULL, idx, 0.88, &alerts) == DS_OK);
            cpu_s += cpu() - c0;
            docs++;
            pages += (size_t)doc->n_pages;
            total += alerts.n;
            with_alerts += alerts.n > 0;
            for (size_t a = 0; a < alerts.n; a++)
                printf("  %-40s \"%s\" ~ \"%s\" (%.3f)\n", de->d_name, alerts.v[a].subject, alerts.v[a].matched_name,
                       alerts.v[a].score);
            ds_alert_list_free(&alerts);
        }
        ds_document_free(doc);
        ds_buf_deinit(&raw);
    }
    closedir(d);
    printf("real filings: %zu documents, %zu pages, %zu alerts in %zu documents, screening %.3f s CPU\n", docs, pages,
           total, with_alerts, cpu_s);
}

int main(int argc, char **argv)
{
    int pages = 300;
    for (int i = 1; i + 1 < argc; i += 2)
        if (strcmp(argv[i], "--pages") == 0)
            pages = atoi(argv[i + 1]);
    const char *filing = ds_test_shared("data/edgar_fulltxt/0001213900-25-032135.txt");
    if (!filing || !ds_test_shared("data/ofac_sdn_csv/sdn.csv")) {
        printf("bench_doc_screen: ../shared/data absent, nothing measured\n");
        return 0;
    }
    ds_sanctions_list *list = NULL;
    ds_screen_index *idx = sdn_index(&list);
    ds_err err;
    ds_buf raw = DS_BUF_INIT, plain = DS_BUF_INIT;
    DS_REQUIRE(ds_buf_read_file(&raw, filing, 0, &err) == DS_OK);
    plain_text(&plain, &raw);
    ds_document *doc;
    DS_REQUIRE(ds_document_create(&doc, &err) == DS_OK && plain.len > PAGE_BYTES);
    size_t written = 0, src = 0;
    long long *entries = calloc((size_t)pages, sizeof *entries);
    DS_REQUIRE(entries);
    for (int p = 0; p < pages; p++) {
        if (src + PAGE_BYTES > plain.len)
            src = 0;
        DS_REQUIRE(ds_doc_append_text(doc, plain.data + src, PAGE_BYTES, NULL) == DS_OK);
        src += PAGE_BYTES;
        if (p % 10 == 5) {
            const ds_sanctions_entry *e = &list->entries[((size_t)p * 7919) % list->n_entries];
            char s[600];
            const char *what = e->type == DS_SANCTIONS_TYPE_VESSEL     ? "for the charter of the vessel "
                               : e->type == DS_SANCTIONS_TYPE_AIRCRAFT ? "for the lease of the aircraft "
                                                                       : "to ";
            snprintf(s, sizeof s, "\nA payment was made %s%s during the period.\n", what, e->name);
            DS_REQUIRE(ds_doc_append_text(doc, s, strlen(s), NULL) == DS_OK);
            entries[written++] = atoll(e->ext_id);
        }
    }
    snprintf(doc->sha256, sizeof doc->sha256, "%064d", 0);
    size_t windows = 0;
    double t0 = now(), c0 = cpu();
    ds_name_spans_scan(doc->text.data, doc->text.len, count_window, &windows);
    double scan_s = now() - t0, scan_cpu = cpu() - c0;
    ds_alert_list alerts = {0};
    t0 = now();
    c0 = cpu();
    DS_REQUIRE(ds_alerts_screen_text(doc, NULL, idx, 0.88, &alerts) == DS_OK);
    double screen_s = now() - t0, screen_cpu = cpu() - c0;
    size_t found = 0, examples = 0;
    for (size_t w = 0; w < written; w++) {
        size_t a = 0;
        while (a < alerts.n && alerts.v[a].entry_id != entries[w])
            a++;
        found += a < alerts.n;
        if (a == alerts.n && examples++ < 5)
            printf("missed: entry %lld\n", entries[w]);
    }
    for (size_t a = 0, shown = 0; a < alerts.n && shown < 8; a++) {
        size_t w = 0;
        while (w < written && entries[w] != alerts.v[a].entry_id)
            w++;
        if (w == written && shown++ < 8)
            printf("other alert: \"%s\" ~ \"%s\" (%.3f)\n", alerts.v[a].subject, alerts.v[a].matched_name,
                   alerts.v[a].score);
    }
    printf("bench_doc_screen: %d pages, %zu bytes of text, SDN index of %zu names, one thread\n", pages, doc->text.len,
           ds_screen_index_names(idx));
    printf("%-28s %10s %10s %12s\n", "step", "wall s", "cpu s", "windows/s");
    printf("%-28s %10.3f %10.3f %12.0f   (baseline: %zu windows)\n", "scan only", scan_s, scan_cpu,
           windows / (scan_cpu > 0 ? scan_cpu : 1e-9), windows);
    printf("%-28s %10.3f %10.3f %12.0f\n", "scan + lookup + alerts", screen_s, screen_cpu,
           windows / (screen_cpu > 0 ? screen_cpu : 1e-9));
    printf("listed names written: %zu, their entry alerted: %zu; alerts in all: %zu (target: < 5 s for 300 pages)\n",
           written, found, alerts.n);
    real_filings(idx);
    free(entries);
    ds_alert_list_free(&alerts);
    ds_document_free(doc);
    ds_buf_deinit(&raw);
    ds_buf_deinit(&plain);
    ds_screen_index_free(idx);
    ds_sanctions_list_free(list);
    return 0;
}
