/* lists.h - sanctions lists in the database: loading list files into sanctions_lists,
 * sanctions_entries and sanctions_names (parsed by extract/screening/sanctions.h), and building the
 * screening index (extract/screening/screen.h) from the active lists.
 *
 * Loading is atomic per call: every file is read and parsed first, then one transaction
 * deactivates the previous active version of each list's source and inserts the new version
 * (COPY for entries and names). Old versions stay, inactive, so alerts keep pointing at the
 * entries they matched. A failure leaves the database as it was.
 *
 * Owns: nothing global; an index returned by ds_lists_build_index is the caller's
 * (ds_screen_index_free). Threading: one PGconn per thread, as libpq wants.
 */
#ifndef DS_PIPELINE_LISTS_H
#define DS_PIPELINE_LISTS_H

#include "extract/screening/screen.h"
#include "pipeline/core/status.h"

#include <libpq-fe.h>
#include <stddef.h>

typedef struct ds_lists_options {
    const char *published; /* YYYY-MM-DD for lists that state no date (OFAC CSV); NULL: none */
    const char *version;   /* version label overriding the file's; NULL: the file's (OFAC CSV:
                              "sha256:" and the first 12 hex digits of the files' hash) */
    int force;             /* load even when the active version has the same bytes */
} ds_lists_options;

typedef struct ds_lists_loaded {
    char source[32]; /* ofac_sdn, ofac_consolidated, eu_consolidated, un_consolidated */
    char format[16]; /* ofac-xml, ofac-csv, eu-xml, un-xml */
    char version[160];
    char published[16]; /* "" when unknown */
    char sha256[65];
    long long list_id;     /* the new version, or the active one when unchanged */
    long long replaced_id; /* the version deactivated, 0 when none */
    size_t entries, names, skipped;
    int unchanged; /* the active version already had these bytes: nothing loaded */
} ds_lists_loaded;

/* Loads n_paths lists. Each path is an XML list file (OFAC sdn.xml, EU or UN consolidated; the
 * format is detected from the content), an OFAC sdn.csv (alt.csv, add.csv and sdn_comments.csv
 * are read from beside it when present), or a folder holding sdn.csv. loaded (may be NULL)
 * receives one record per path. opts may be NULL. Errors name the file; DS_ERR_DB for the
 * database, DS_ERR_PARSE/DS_ERR_FORMAT/DS_ERR_EMPTY for bad input, DS_ERR_IO, DS_ERR_NOT_FOUND. */
ds_status ds_lists_load(PGconn *conn, const char *const *paths, size_t n_paths, const ds_lists_options *opts,
                        ds_lists_loaded *loaded, ds_err *err);

/* Builds a screening index from every name of the active lists (primary names and aliases,
 * except the aliases the lists call weak: OFAC, EU and UN advise against screening on them).
 * On success *out is the caller's. An empty index (no list loaded) is not an error. */
ds_status ds_lists_build_index(PGconn *conn, ds_screen_index **out, ds_err *err);

/* As ds_lists_build_index, and the ids of the active list versions the index holds, read in the
 * same snapshot, as a sorted PostgreSQL array literal ("{3,7}"; "{}" when no list is active)
 * written to list_ids (cap bytes; a longer literal is DS_ERR_INTERNAL). Call it outside a
 * transaction: it opens and ends its own. */
ds_status ds_lists_build_index_ids(PGconn *conn, ds_screen_index **out, char *list_ids, size_t cap, ds_err *err);

#endif
