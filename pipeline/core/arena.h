/* arena.h - bump allocator with a clear lifetime (one per document, reset when it is done).
 *
 * Owns: its blocks, obtained through ds_malloc. Everything allocated from an arena is freed
 * at once by ds_arena_reset or ds_arena_free; nothing from it is freed one by one.
 * Threading: one arena belongs to one thread at a time.
 */
#ifndef DS_CORE_ARENA_H
#define DS_CORE_ARENA_H

#include <stddef.h>

typedef struct ds_arena_block ds_arena_block;

typedef struct ds_arena {
    ds_arena_block *head; /* current block; older blocks chained behind it */
    size_t block_size;    /* default size of a new block */
    size_t used_total;    /* bytes handed out since the last reset */
} ds_arena;

void ds_arena_init(ds_arena *a, size_t block_size);
/* Frees every block; the arena may be reused after ds_arena_init. No-op on NULL. */
void ds_arena_deinit(ds_arena *a);
/* Frees all but keeps the first block for reuse. */
void ds_arena_reset(ds_arena *a);
/* 16-byte aligned memory valid until reset/deinit; NULL when out of memory. */
void *ds_arena_alloc(ds_arena *a, size_t n);
void *ds_arena_calloc(ds_arena *a, size_t n);
char *ds_arena_strdup(ds_arena *a, const char *s);
char *ds_arena_strndup(ds_arena *a, const char *s, size_t n);
char *ds_arena_printf(ds_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
