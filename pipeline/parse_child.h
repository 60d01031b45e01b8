/* parse_child.h - a document's parse (ds_ingest_parse) run in a forked child process under
 * resource limits, so that a decompression bomb, a runaway or crashing parser (Poppler has no
 * size cap of its own) costs one document, not the worker: the child gets a CPU-time limit
 * (RLIMIT_CPU) and may grow its address space by at most a set amount (RLIMIT_AS, counted from
 * what it inherits), and the parent kills it at the document's wall-clock deadline or on a stop
 * signal. The parsed document comes back through a pipe (ingest/doc_wire.h).
 *
 * Outcomes: the child's own status and message (a damaged PDF stays DS_ERR_DAMAGED ...);
 * DS_ERR_BUDGET when the CPU limit or the deadline ended it; DS_ERR_TOO_LARGE when it ran out of
 * its memory; DS_ERR_DAMAGED when the parser crashed (the signal is named); DS_ERR_CANCELLED on a
 * stop signal.
 *
 * RLIMIT_AS does not bind a build with AddressSanitizer, whose allocator reserves its address space
 * up front; there only the CPU limit and the deadline hold.
 *
 * Owns: the child process for the duration of the call. Threading: fork from one thread; the
 * child only parses (it uses no lock another thread of the parent may hold: no log, no
 * database connection) and leaves with _exit.
 */
#ifndef DS_PIPELINE_PARSE_CHILD_H
#define DS_PIPELINE_PARSE_CHILD_H

#include "ingest/ingest.h"

typedef struct ds_parse_limits {
    int cpu_seconds;   /* CPU seconds the child may use; 0: no limit */
    long memory_mb;    /* address space the child may add to what it inherits, in MiB; 0: no limit */
    double deadline;   /* ds_now() time at which the child is killed; 0: none */
    int (*stop)(void); /* non-zero: kill the child and return DS_ERR_CANCELLED; NULL: never */
} ds_parse_limits;

/* Parses data into doc (fresh from ds_document_create, with source and name set) in a child
 * process under pl. On success doc holds what ds_ingest_parse would have given in-process; on
 * failure doc->kind is the detected kind when the child got that far. */
ds_status ds_parse_in_child(ds_document *doc, const unsigned char *data, size_t n, const ds_ingest_limits *lim,
                            const ds_parse_limits *pl, ds_err *err);

#endif
