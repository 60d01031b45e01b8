/* sources.h - where the inputs come from: a folder scanned recursively and list files of paths
 * and URLs. Each gives ds_source_items (a local path or an http(s) URL, with size and mtime);
 * fetching URLs is fetch.h's job, parsing is ingest.h's.
 *
 * Ownership: a ds_source_list owns its items and every string in them (ds_malloc); free with
 * ds_source_list_deinit. Threading: reentrant; a list belongs to one thread at a time.
 */
#ifndef DS_INGEST_SOURCES_H
#define DS_INGEST_SOURCES_H

#include "pipeline/core/log.h"
#include "pipeline/core/status.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ds_source_item {
    char *path;    /* local file, as reachable from the working directory; NULL for a URL */
    char *url;     /* http:// or https:// URL; NULL for a local file */
    char *rel;     /* path relative to the scanned folder ("2024/q1/x.pdf"); for list entries,
                       the entry as written in the list */
    uint64_t size; /* bytes (0 for a URL: unknown until fetched) */
    int64_t mtime; /* modification time, seconds since the epoch (0 for a URL) */
    int missing;   /* a listed path that does not exist (kept so the run records it as failed) */
} ds_source_item;

typedef struct ds_source_list {
    ds_source_item *v;
    size_t n, cap;
    size_t n_skipped; /* entries left out: unreadable, broken links, loops, special files */
} ds_source_list;

/* Which files of a folder are taken. Patterns are fnmatch(3) globs: one without '/' matches the
 * file's base name at any depth ("*.pdf"); one with '/' matches the whole relative path, '*'
 * not crossing '/' ("2024/q[1-4]*.pdf"). An exclude pattern matching a folder skips all of it;
 * one without '/' excludes any path with a matching component ("archive"). */
typedef struct ds_source_filter {
    const char *const *include; /* empty: every file */
    size_t n_include;
    const char *const *exclude;
    size_t n_exclude;
    int include_hidden;               /* also names starting with '.' (skipped by default) */
    int max_depth;                    /* folder nesting below the root; 0: 64 */
    const char *const *allowed_roots; /* folders a symbolic link found by a scan may lead into, */
    size_t n_allowed_roots;           /* besides the scanned folder itself (links elsewhere are skipped) */
} ds_source_filter;

void ds_source_list_init(ds_source_list *l);
void ds_source_list_deinit(ds_source_list *l);

/* Appends the regular files under root (following symbolic links; a folder reached twice is
 * read once, and links up to the root or its ancestors are loops, skipped) in byte order of
 * their relative paths. Unreadable folders
 * and broken links are skipped, counted in n_skipped and logged (log may be NULL). Fails when
 * root itself cannot be read (DS_ERR_NOT_FOUND, DS_ERR_IO) or out of memory. */
ds_status ds_source_scan_dir(ds_source_list *out, const char *root, const ds_source_filter *filter, ds_log *log,
                             ds_err *err);

/* Appends the entries of a list file, in its order, each once: one path or URL per line;
 * blank lines and lines whose first non-blank character is '#' are ignored. Relative paths are
 * taken from the list file's folder; a listed folder is scanned (filter may be NULL); a missing
 * path is kept with missing = 1. Fails on an unreadable list, a URL scheme other than http or
 * https, or a line over 8 KiB (DS_ERR_CONFIG, naming file and line); out is then unchanged. */
ds_status ds_source_read_list(ds_source_list *out, const char *list_path, const ds_source_filter *filter, ds_log *log,
                              ds_err *err);

/* Whether rel (a relative path) passes the filter's include and exclude patterns. */
int ds_source_filter_match(const ds_source_filter *filter, const char *rel);

#endif
