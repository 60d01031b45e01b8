/* rescreen.h - screening stored documents again against the active sanctions list versions
 * (`dossier lists rescreen`, and `dossier lists load` after loading).
 *
 * A document records the list versions its text was last screened against
 * (documents.screened_lists, written by the loader and here). Rescreening takes the loaded
 * documents whose record differs from the active versions, in id order and in batches, and
 * screens each one's stored chunks exactly as a run screens a document's text
 * (extract/alerts.h, ds_alerts_screen_text): each chunk is a block of a document rebuilt from
 * the chunks, at the chunk's first page. Each document is one transaction: its queue row and
 * document row are locked (so a worker loading it waits, and two rescreens never screen it
 * twice), its alerts inserted as the loader inserts them (ds_load_alerts: an alert or a mention
 * already stored is skipped, so a dismissed case stays dismissed and nothing is duplicated, while
 * a new entry opens a new case), and its record set to the active versions. Running it again
 * finds nothing to do; an entry gone from the list leaves its cases as they are.
 *
 * Memory: one document's chunks and alerts at a time, and one batch of document ids.
 * Owns: nothing after returning. Threading: one connection, one caller.
 */
#ifndef DS_PIPELINE_RESCREEN_H
#define DS_PIPELINE_RESCREEN_H

#include "pipeline/core/log.h"
#include "pipeline/core/status.h"

#include <libpq-fe.h>

typedef struct ds_rescreen_opts {
    double threshold;   /* score a match must reach (screening.threshold) */
    long max_documents; /* stop after this many documents; 0: all */
} ds_rescreen_opts;

typedef struct ds_rescreen_stats {
    char lists[256]; /* active list versions screened against, "{3,7}"; "{}" when none */
    long documents;  /* documents screened */
    long alerts;     /* new mentions (alerts) */
    long cases;      /* cases opened */
    long left;       /* documents still to screen when max_documents stopped it */
    double seconds;  /* wall time */
} ds_rescreen_stats;

/* Screens the documents not yet screened against the active lists. No active list: nothing is
 * done (stats->lists "{}"). log may be NULL. DS_ERR_DB on database errors (the document being
 * screened is rolled back; those before it stay done), DS_ERR_NOMEM. */
ds_status ds_rescreen(PGconn *conn, const ds_rescreen_opts *opts, ds_log *log, ds_rescreen_stats *stats, ds_err *err);

#endif
