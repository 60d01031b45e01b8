/* redflags_eval.h - precision and recall of the red-flag rules on the labelled sentences of
 * tests/extract/data/redflags_labelled.tsv (one sentence per line, read from real filings, each
 * with the rules a reviewer would keep, "-" for none). Shared by t_extract_redflags_labelled and
 * bench_redflags. Counts per rule: a rule raised on a sentence labelled with it is a true
 * positive, raised on any other a false positive, not raised on one labelled with it a miss. */
#ifndef DS_TESTS_REDFLAGS_EVAL_H
#define DS_TESTS_REDFLAGS_EVAL_H

#include "extract/entities.h"

#include <stddef.h>

#define DS_RFEVAL_MAX_RULES 40

typedef ds_status (*ds_rfeval_fn)(ds_document *doc, const ds_chunk_list *chunks, ds_entity_list *out, ds_err *err);

typedef struct ds_rfeval_rule {
    const char *id;
    size_t tp, fp, fn, labelled;
} ds_rfeval_rule;

typedef struct ds_rfeval {
    ds_rfeval_rule rules[DS_RFEVAL_MAX_RULES];
    size_t n_rules;
    size_t sentences, positives; /* sentences read; of them, with at least one rule */
    size_t tp, fp, fn;           /* over all rules */
} ds_rfeval;

/* Runs fn over every sentence of the file at path. 0 on success, -1 when the file cannot be
 * read or a line is malformed (a message on stderr). verbose: print each error. */
int ds_rfeval_run(const char *path, ds_rfeval_fn fn, int verbose, ds_rfeval *out);
double ds_rfeval_precision(size_t tp, size_t fp);
double ds_rfeval_recall(size_t tp, size_t fn);
/* Prints the per-rule table (rule, labelled, tp, fp, fn, precision, recall) with a title. */
void ds_rfeval_print(const char *title, const ds_rfeval *r);

#endif
