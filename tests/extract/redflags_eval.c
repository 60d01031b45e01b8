/* redflags_eval.c - scores the red-flag rules on the labelled sentences (redflags_eval.h): reads
 * the file, runs the extractor on each sentence as a one-paragraph document, counts per rule.
 * Owns: nothing beyond each call. Threading: reentrant. */
#include "redflags_eval.h"

#include "ingest/document.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double ds_rfeval_precision(size_t tp, size_t fp)
{
    return tp + fp ? (double)tp / (double)(tp + fp) : 1.0;
}

double ds_rfeval_recall(size_t tp, size_t fn)
{
    return tp + fn ? (double)tp / (double)(tp + fn) : 1.0;
}

static ds_rfeval_rule *rule_of(ds_rfeval *r, const char *id, size_t n)
{
    for (size_t i = 0; i < r->n_rules; i++)
        if (strlen(r->rules[i].id) == n && strncmp(r->rules[i].id, id, n) == 0)
            return &r->rules[i];
    size_t nf = 0;
    const ds_redflag *f = ds_redflags(&nf);
    for (size_t i = 0; i < nf && r->n_rules < DS_RFEVAL_MAX_RULES; i++)
        if (strlen(f[i].id) == n && strncmp(f[i].id, id, n) == 0) {
            r->rules[r->n_rules].id = f[i].id;
            return &r->rules[r->n_rules++];
        }
    return NULL;
}

/* The next label of the comma-separated list at *p: its start and *n; NULL at the end. */
static const char *next_label(const char **p, size_t *n)
{
    if (!**p)
        return NULL;
    const char *l = *p, *c = strchr(l, ',');
    *n = c ? (size_t)(c - l) : strlen(l);
    *p = l + *n + (c != NULL);
    return l;
}

/* Is rule id among the comma-separated labels? */
static int labelled(const char *labels, const char *id)
{
    size_t n;
    for (const char *p = labels, *l; (l = next_label(&p, &n));)
        if (n == strlen(id) && strncmp(l, id, n) == 0)
            return 1;
    return 0;
}

/* Scores one sentence: labels "RF-A,RF-B" or "-". */
static int score(ds_rfeval *r, const char *labels, const char *sentence, ds_rfeval_fn fn, int verbose)
{
    ds_err err;
    ds_document *doc;
    if (ds_document_create(&doc, &err) != DS_OK)
        return -1;
    doc->name = "labelled";
    ds_entity_list l = {0};
    int rc = -1;
    if (ds_doc_begin_page(doc) ||
        ds_doc_add_block(doc, DS_BLOCK_KIND_PARAGRAPH, 0, "", sentence, strlen(sentence), NULL) ||
        fn(doc, NULL, &l, &err))
        goto done;
    if (strcmp(labels, "-") != 0) {
        r->positives++;
        size_t n;
        for (const char *p = labels, *lab; (lab = next_label(&p, &n));) {
            ds_rfeval_rule *ru = rule_of(r, lab, n);
            if (!ru) {
                fprintf(stderr, "redflags_eval: unknown rule %.*s\n", (int)n, lab);
                goto done;
            }
            ru->labelled++;
            int raised = 0;
            for (size_t i = 0; i < l.n; i++)
                raised |= l.v[i].kind == DS_ENTITY_RED_FLAG && strcmp(l.v[i].detail, ru->id) == 0;
            if (!raised) {
                ru->fn++;
                r->fn++;
                if (verbose)
                    printf("  missed %s: %s\n", ru->id, sentence);
            }
        }
    }
    for (size_t i = 0; i < l.n; i++) {
        if (l.v[i].kind != DS_ENTITY_RED_FLAG)
            continue;
        int dup = 0;
        for (size_t j = 0; j < i; j++)
            dup |= l.v[j].kind == DS_ENTITY_RED_FLAG && strcmp(l.v[j].detail, l.v[i].detail) == 0;
        if (dup)
            continue;
        ds_rfeval_rule *ru = rule_of(r, l.v[i].detail, strlen(l.v[i].detail));
        if (!ru)
            goto done;
        if (labelled(labels, ru->id)) {
            ru->tp++;
            r->tp++;
        } else {
            ru->fp++;
            r->fp++;
            if (verbose)
                printf("  false %s (\"%s\"): %s\n", ru->id, l.v[i].name, sentence);
        }
    }
    r->sentences++;
    rc = 0;
done:
    ds_entity_list_free(&l);
    ds_document_free(doc);
    return rc;
}

int ds_rfeval_run(const char *path, ds_rfeval_fn fn, int verbose, ds_rfeval *out)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "redflags_eval: cannot open %s\n", path);
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    int rc = 0;
    long no = 0;
    while (rc == 0 && getline(&line, &cap, f) > 0) {
        no++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        char *t1 = strchr(line, '\t');
        char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        if (!t2 || !t2[1]) {
            fprintf(stderr, "redflags_eval: %s:%ld: want rules<TAB>source<TAB>sentence\n", path, no);
            rc = -1;
            break;
        }
        *t1 = '\0';
        rc = score(out, line, t2 + 1, fn, verbose);
        if (rc)
            fprintf(stderr, "redflags_eval: %s:%ld: cannot score the sentence\n", path, no);
    }
    free(line);
    fclose(f);
    return rc;
}

void ds_rfeval_print(const char *title, const ds_rfeval *r)
{
    printf("%s: %zu sentences, %zu with a red flag\n", title, r->sentences, r->positives);
    printf("  %-16s %9s %5s %5s %5s %9s %7s\n", "rule", "labelled", "tp", "fp", "fn", "precision", "recall");
    for (size_t i = 0; i < r->n_rules; i++) {
        const ds_rfeval_rule *u = &r->rules[i];
        printf("  %-16s %9zu %5zu %5zu %5zu %9.3f %7.3f\n", u->id, u->labelled, u->tp, u->fp, u->fn,
               ds_rfeval_precision(u->tp, u->fp), ds_rfeval_recall(u->tp, u->fn));
    }
    printf("  %-16s %9s %5zu %5zu %5zu %9.3f %7.3f\n", "all", "", r->tp, r->fp, r->fn,
           ds_rfeval_precision(r->tp, r->fp), ds_rfeval_recall(r->tp, r->fn));
}
