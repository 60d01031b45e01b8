/* alloc.h - the one allocation interface of dossier.
 *
 * Every heap allocation in the project goes through ds_malloc/ds_calloc/ds_realloc/ds_free
 * so that a test can make the Nth allocation fail (ds_alloc_fail_after) and check that the
 * caller returns DS_ERR_NOMEM cleanly. ds_free(NULL) is a no-op.
 * Threading: allocation is thread-safe; the failure-injection counter is a process-wide test
 * hook (atomic), off unless a test sets it.
 */
#ifndef DS_CORE_ALLOC_H
#define DS_CORE_ALLOC_H

#include <stddef.h>

void *ds_malloc(size_t n);
void *ds_calloc(size_t count, size_t size);
void *ds_realloc(void *p, size_t n);
void ds_free(void *p);
/* Copies of strings; caller frees with ds_free. NULL in gives NULL out. */
char *ds_strdup(const char *s);
char *ds_strndup(const char *s, size_t n);
/* printf into a fresh string; caller frees with ds_free. */
char *ds_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Test hook: the allocation after n more succeed fails (n = 0: the next one); -1 turns it off. */
void ds_alloc_fail_after(long n);

#endif
