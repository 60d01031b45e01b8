/* name_corpus.h - the generated sanctions name corpus: documents (text, HTML, PDF) that mention
 * names of the real OFAC SDN list written the ways documents write them, among ordinary names,
 * and the truth of every mention (truth.tsv).
 *
 * Pieces: gen_name_corpus.c writes the corpus (the tool ds_gen_name_corpus); name_corpus_eval.c
 * runs every document through the pipeline's document path (ingest -> chunks -> screening
 * alerts) and scores the alerts against the truth. bench_name_corpus and t_extract_name_corpus use
 * both.
 *
 * truth.tsv: a header line, then one line per mention:
 *   file  variation  context  ext_id  kind  text
 * ext_id is the SDN ent_num of a listed mention and 0 for an ordinary name; kind is "person" or
 * "organization"; context is one of payment_schedule, related_party, board_minutes, table.
 * Each listed entry is mentioned once in the whole corpus.
 * Threading: single-threaded. Ownership: structs own their vectors; _deinit frees them.
 */
#ifndef DS_TESTS_NAME_CORPUS_H
#define DS_TESTS_NAME_CORPUS_H

#include "extract/screening/sanctions.h"
#include "extract/screening/screen.h"
#include "pipeline/core/status.h"

#include <stddef.h>

/* The variations of a listed name; NC_ORDINARY marks an ordinary name. */
#define NC_VARIATIONS(X)                          \
    X(NC_AS_LISTED, "as_listed")                  \
    X(NC_TITLE_CASE, "title_case")                \
    X(NC_REORDERED, "first_last_reordered")       \
    X(NC_MIDDLE_DROPPED, "middle_dropped")        \
    X(NC_TYPO1, "one_typo")                       \
    X(NC_TYPO2, "two_typos")                      \
    X(NC_ALIAS, "alias_variant")                  \
    X(NC_ORG_NO_LEGAL, "org_without_legal_form")  \
    X(NC_ORG_OTHER_LEGAL, "org_other_legal_form") \
    X(NC_TABLE_CELL, "table_cell")                \
    X(NC_ORDINARY, "ordinary")

#define NC_ENUM(e, s) e,
typedef enum nc_variation { NC_VARIATIONS(NC_ENUM) NC_N_VARIATIONS } nc_variation;
#undef NC_ENUM

#define NC_CONTEXTS(X)                    \
    X(NC_CTX_PAYMENT, "payment_schedule") \
    X(NC_CTX_RELATED, "related_party")    \
    X(NC_CTX_MINUTES, "board_minutes")    \
    X(NC_CTX_TABLE, "table")

#define NC_ENUM(e, s) e,
typedef enum nc_context { NC_CONTEXTS(NC_ENUM) NC_N_CONTEXTS } nc_context;
#undef NC_ENUM

const char *nc_variation_name(nc_variation v);
const char *nc_context_name(nc_context c);
/* -1 when the name is not known. */
int nc_variation_of(const char *name);
int nc_context_of(const char *name);

/* Document formats, by file extension. */
enum { NC_FMT_TXT, NC_FMT_HTML, NC_FMT_PDF, NC_N_FMTS };

typedef struct nc_tally {
    size_t listed[NC_N_VARIATIONS], found[NC_N_VARIATIONS]; /* by variation (ordinary: unused) */
    size_t ctx_listed[NC_N_CONTEXTS], ctx_found[NC_N_CONTEXTS];
    size_t fmt_listed[NC_N_FMTS], fmt_found[NC_N_FMTS];
    size_t ordinary;        /* ordinary names written */
    size_t false_alerts;    /* alerts of entries the document does not mention, outside its listed
                             mentions (ordinary names, prose) */
    size_t false_in_listed; /* such alerts from a window inside a listed mention */
    size_t documents, bytes, pages;
    double seconds; /* ingest + chunking + screening, wall */
} nc_tally;

/* Runs every document of the corpus in dir through ingest, chunking and screening against idx
 * (entry ids are SDN ent_nums) at threshold, and tallies the outcome. With verbose, prints
 * each missed mention and each false alert. */
ds_status nc_evaluate(const char *dir, const ds_screen_index *idx, double threshold, int verbose, nc_tally *out,
                      ds_err *err);

/* The SDN list of sdn_dir (sdn.csv + alt.csv), parsed; caller frees with ds_sanctions_list_free. */
ds_status nc_sdn_list(const char *sdn_dir, ds_sanctions_list **out, ds_err *err);

/* The SDN list of sdn_dir (sdn.csv + alt.csv) as a screening index the way `dossier` builds it
 * (weak aliases left out; entry ids are the ent_nums). Caller frees with ds_screen_index_free. */
ds_status nc_sdn_index(const char *sdn_dir, ds_screen_index **out, ds_err *err);

double nc_recall(size_t found, size_t listed);

/* Prints the tally as a table (recall by variation, context and format; false alerts; time). */
void nc_print(const nc_tally *t);

#endif
