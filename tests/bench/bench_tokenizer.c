/* bench_tokenizer.c - single-threaded tokenizer speed on real financial text, against
 * transformers.js and the Hugging Face tokenizers Rust library measured in the same run.
 *
 * The text: the financial PDFs of ../shared/data through pdftotext, the iXBRL filings with their
 * tags stripped, the FinanceBench evidence file and the EDGAR full-text filings (about 3 MB).
 * dossier encodes it as one text and as 8 KB pieces (with and without a cache), and counts 2 KB
 * pieces as the chunker does; the baselines run through
 * tests/model/tokenizer/bench_baseline.mjs when node and its node_modules are there. Prints a
 * table; never fails on timing. Usage: bench_tokenizer [TOKENIZER_DIR]. */
#include "model/tokenizer/tokenizer.h"
#include "pipeline/core/alloc.h"
#include "pipeline/core/buf.h"
#include "tests/testlib.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef DS_BENCH_SOURCE_DIR
#define DS_BENCH_SOURCE_DIR "."
#endif

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU time of this process: on a shared machine it measures the work, not the waiting. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void run_capture(ds_buf *out, const char *cmd)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
        ds_buf_append(out, chunk, n);
    pclose(p);
}

/* Appends the text of an HTML file: tags dropped (script/style with their content), block ends
 * as newlines, the common entities decoded. */
static void append_html_text(ds_buf *out, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (s[i] == '<') {
            size_t e = i + 1;
            while (e < n && s[e] != '>')
                e++;
            if (e - i > 7 && (strncasecmp(s + i, "<script", 7) == 0 || strncasecmp(s + i, "<style", 6) == 0)) {
                const char *close = strncasecmp(s + i, "<script", 7) == 0 ? "</script" : "</style";
                size_t cl = strlen(close);
                while (e + cl < n && strncasecmp(s + e, close, cl) != 0)
                    e++;
                while (e < n && s[e] != '>')
                    e++;
            } else if (strncasecmp(s + i, "</p", 3) == 0 || strncasecmp(s + i, "</div", 5) == 0 ||
                       strncasecmp(s + i, "</tr", 4) == 0 || strncasecmp(s + i, "<br", 3) == 0) {
                ds_buf_putc(out, '\n');
            } else if (strncasecmp(s + i, "</td", 4) == 0) {
                ds_buf_putc(out, '\t');
            }
            i = e + 1;
            continue;
        }
        if (s[i] == '&') {
            static const struct {
                const char *ent, *text;
            } ents[] = {{"&nbsp;", "\xC2\xA0"},
                        {"&#160;", "\xC2\xA0"},
                        {"&amp;", "&"},
                        {"&lt;", "<"},
                        {"&gt;", ">"},
                        {"&quot;", "\""},
                        {"&#8217;", "\xE2\x80\x99"},
                        {"&#8220;", "\xE2\x80\x9C"},
                        {"&#8221;", "\xE2\x80\x9D"},
                        {"&#8212;", "\xE2\x80\x94"},
                        {"&#8211;", "\xE2\x80\x93"},
                        {"&#39;", "'"},
                        {"&#9744;", "\xE2\x98\x90"},
                        {"&#9746;", "\xE2\x98\x92"}};
            size_t k;
            for (k = 0; k < sizeof ents / sizeof ents[0]; k++) {
                size_t l = strlen(ents[k].ent);
                if (i + l <= n && memcmp(s + i, ents[k].ent, l) == 0) {
                    ds_buf_puts(out, ents[k].text);
                    i += l;
                    break;
                }
            }
            if (k < sizeof ents / sizeof ents[0])
                continue;
        }
        ds_buf_putc(out, s[i++]);
    }
    ds_buf_putc(out, '\n');
}

static void build_corpus(ds_buf *text, const char *shared)
{
    static const char *pdfs[] = {"2023 Q3 AAPL.pdf", "NETFLIX_2015_10K.pdf", "ADOBE_2022_10K.pdf"};
    for (size_t i = 0; i < 3; i++) {
        char cmd[4096];
        snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s/data/financial_pdf/%s' - 2>/dev/null", shared, pdfs[i]);
        run_capture(text, cmd);
    }
    static const char *htmls[] = {"Apple.10-Q.html", "Oracle.10-Q.html", "aeon-20230930x10q.htm"};
    for (size_t i = 0; i < 3; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/data/ixbrl_html/%s", shared, htmls[i]);
        ds_buf h = DS_BUF_INIT;
        if (ds_buf_read_file(&h, path, 0, NULL) == DS_OK)
            append_html_text(text, h.data, h.len);
        ds_buf_deinit(&h);
    }
    char fb[4096];
    snprintf(fb, sizeof fb, "%s/data/financial_pdf/financebench_open_source.jsonl", shared);
    ds_buf_read_file(text, fb, 0, NULL); /* questions and evidence passages from 10-Ks, as JSON */
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/data/edgar_fulltxt", shared);
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        ds_buf_read_file(text, path, 0, NULL);
    }
    if (d)
        closedir(d);
}

static uint32_t fnv_ids(const int32_t *ids, size_t n)
{
    uint32_t h = 0x811c9dc5u;
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < 4; k++) {
            h ^= ((uint32_t)ids[i] >> (8 * k)) & 255;
            h *= 0x01000193u;
        }
    return h;
}

typedef struct row {
    char name[96];
    double seconds; /* wall */
    double cpu;     /* CPU seconds */
    size_t bytes, tokens;
    uint32_t fnv;
} row;

/* Piece boundaries: every chunk bytes, backed off to a character start. */
static size_t next_cut(const char *s, size_t n, size_t start, size_t chunk)
{
    size_t e = start + chunk < n ? start + chunk : n;
    while (e < n && ((unsigned char)s[e] & 0xC0) == 0x80)
        e--;
    return e;
}

enum { MODE_WHOLE, MODE_PIECES_CACHE, MODE_PIECES_NOCACHE, MODE_COUNT };

static row measure(const ds_tokenizer *tok, const ds_buf *text, int mode, size_t chunk, const char *name)
{
    row r = {.bytes = text->len};
    snprintf(r.name, sizeof r.name, "%s", name);
    r.seconds = r.cpu = 1e30;
    ds_tokens ids = DS_TOKENS_INIT;
    for (int rep = 0; rep < 5; rep++) {
        ds_tokens_clear(&ids);
        /* A cache that cannot be made stays NULL: encoding then goes uncached. */
        ds_tokenizer_cache *cache = NULL;
        ds_err cerr;
        if (mode != MODE_PIECES_NOCACHE && mode != MODE_COUNT && ds_tokenizer_cache_create(&cache, &cerr) != DS_OK)
            fprintf(stderr, "%s: %s: measured uncached\n", name, cerr.msg);
        size_t count = 0;
        double t0 = now(), c0 = cpu_now();
        if (mode == MODE_WHOLE) {
            ds_tokenizer_encode_cached(tok, cache, text->data, text->len, 1, &ids, NULL);
        } else {
            for (size_t s = 0; s < text->len;) {
                size_t e = next_cut(text->data, text->len, s, chunk);
                if (mode == MODE_COUNT)
                    count += ds_tokenizer_count(tok, text->data + s, e - s);
                else
                    ds_tokenizer_encode_cached(tok, cache, text->data + s, e - s, 1, &ids, NULL);
                s = e;
            }
        }
        double dt = now() - t0, dc = cpu_now() - c0;
        ds_tokenizer_cache_free(cache);
        if (dt < r.seconds)
            r.seconds = dt;
        if (dc < r.cpu)
            r.cpu = dc;
        r.tokens = mode == MODE_COUNT ? count : ids.n;
    }
    r.fnv = mode == MODE_COUNT ? 0 : fnv_ids(ids.v, ids.n);
    ds_tokens_deinit(&ids);
    return r;
}

static int run_baselines(const char *corpus, const char *tokdir, row *rows, int max)
{
    const char *src = getenv("DS_SOURCE_DIR") ? getenv("DS_SOURCE_DIR") : DS_BENCH_SOURCE_DIR;
    char nm[4096], cmd[8192];
    snprintf(nm, sizeof nm, "%s/tests/model/tokenizer/node_modules", src);
    struct stat st;
    if (stat(nm, &st) != 0 || system("node --version >/dev/null 2>&1") != 0) {
        printf("note: node or %s missing (npm install there): no baselines\n", nm);
        return 0;
    }
    snprintf(cmd, sizeof cmd, "node '%s/tests/model/tokenizer/bench_baseline.mjs' '%s' '%s'", src, corpus, tokdir);
    ds_buf out = DS_BUF_INIT;
    run_capture(&out, cmd);
    int n = 0;
    for (char *line = out.data; line && *line && n < max;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = 0;
        row r;
        memset(&r, 0, sizeof r);
        char *p = strstr(line, "\"name\":\"");
        if (p) {
            p += 8;
            char *q = strchr(p, '"');
            snprintf(r.name, sizeof r.name, "%.*s (baseline)", (int)(q ? q - p : 0), p);
            sscanf(strstr(line, "\"seconds\":") + 10, "%lf", &r.seconds);
            sscanf(strstr(line, "\"cpu\":") + 6, "%lf", &r.cpu);
            sscanf(strstr(line, "\"bytes\":") + 8, "%zu", &r.bytes);
            sscanf(strstr(line, "\"tokens\":") + 9, "%zu", &r.tokens);
            sscanf(strstr(line, "\"fnv\":") + 6, "%u", &r.fnv);
            rows[n++] = r;
        }
        line = nl ? nl + 1 : NULL;
    }
    ds_buf_deinit(&out);
    return n;
}

int main(int argc, char **argv)
{
    const char *shared_env = getenv("DS_SHARED_DIR");
    char shared[2048];
    snprintf(shared, sizeof shared, "%s", shared_env ? shared_env : DS_BENCH_SOURCE_DIR "/../shared");
    char tokdir[4096];
    snprintf(tokdir, sizeof tokdir, "%s", argc > 1 ? argv[1] : "");
    if (!tokdir[0])
        snprintf(tokdir, sizeof tokdir, "%s/models/qwen3-tokenizer", shared);
    char tokpath[8192];
    snprintf(tokpath, sizeof tokpath, "%s/tokenizer.json", tokdir);
    struct stat st;
    if (stat(tokpath, &st) != 0) {
        printf("skip: no %s\n", tokpath);
        return 0;
    }

    ds_buf text = DS_BUF_INIT;
    build_corpus(&text, shared);
    if (text.len < 100000) {
        printf("skip: too little text from %s/data (%zu bytes)\n", shared, text.len);
        ds_buf_deinit(&text);
        return 0;
    }
    char corpus[] = "/tmp/ds_bench_tokenizer_XXXXXX";
    int fd = mkstemp(corpus);
    FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (f) {
        fwrite(text.data, 1, text.len, f);
        fclose(f);
    }

    ds_err err;
    double t0 = now();
    ds_tokenizer *tok;
    ds_status lst = ds_tokenizer_load(&tok, tokpath, &err);
    double load_s = now() - t0;
    if (lst != DS_OK) {
        printf("error: %s\n", err.msg);
        return 1;
    }

    row rows[12];
    int n = 0;
    rows[n++] = measure(tok, &text, MODE_WHOLE, 0, "dossier: whole text, fresh cache");
    rows[n++] = measure(tok, &text, MODE_PIECES_CACHE, 8192, "dossier: 8 KB pieces, one cache");
    rows[n++] = measure(tok, &text, MODE_PIECES_NOCACHE, 8192, "dossier: 8 KB pieces, no cache");
    rows[n++] = measure(tok, &text, MODE_COUNT, 2048, "dossier: count of 2 KB pieces");
    int nb = f ? run_baselines(corpus, tokdir, rows + n, 12 - n) : 0;
    n += nb;
    unlink(corpus);

    printf("\ntokenizer benchmark: %.2f MB of financial text (pdftotext of 3 10-K/10-Q PDFs, 3 iXBRL\n"
           "filings as text, FinanceBench evidence JSON, EDGAR full-text filings),\n"
           "Qwen3 tokenizer.json, one thread, best of 5 for dossier; dossier load %.2f s. MB/s from CPU time\n"
           "(the machine is shared; wall-clock MB/s beside it), tokens/s from CPU time.\n\n",
           text.len / 1e6, load_s);
    printf("| %-50s | %8s | %11s | %11s | %9s | %-8s |\n", "tokenizer", "MB/s", "MB/s (wall)", "tokens/s", "tokens",
           "same ids");
    printf("|%.52s|%.10s|%.13s|%.13s|%.11s|%.10s|\n", "----------------------------------------------------",
           "----------", "-------------", "-------------", "-----------", "----------");
    for (int i = 0; i < n; i++) {
        /* Pieces are cut mid-word, so only whole-text rows can be compared with row 0. */
        const char *same = i == 0                                                           ? "-"
                           : i < 4                                                          ? "(pieces)"
                           : rows[i].fnv == rows[0].fnv && rows[i].tokens == rows[0].tokens ? "yes"
                                                                                            : "NO";
        printf("| %-50s | %8.2f | %11.2f | %11.0f | %9zu | %-8s |\n", rows[i].name, rows[i].bytes / 1e6 / rows[i].cpu,
               rows[i].bytes / 1e6 / rows[i].seconds, rows[i].tokens / rows[i].cpu, rows[i].tokens, same);
    }
    if (nb)
        printf("\nspeed-up over the transformers.js baseline (whole text, CPU time): %.1fx\n",
               rows[4].cpu / rows[0].cpu);
    ds_tokenizer_free(tok);
    ds_buf_deinit(&text);
    return 0;
}
