/* arena.c - bump allocator (see arena.h). */
#include "arena.h"

#include "alloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct ds_arena_block {
    ds_arena_block *prev;
    size_t cap, used;
    _Alignas(16) unsigned char data[];
};

void ds_arena_init(ds_arena *a, size_t block_size)
{
    a->head = NULL;
    a->block_size = block_size ? block_size : 64 * 1024;
    a->used_total = 0;
}

void ds_arena_deinit(ds_arena *a)
{
    if (!a)
        return;
    ds_arena_block *b = a->head;
    while (b) {
        ds_arena_block *p = b->prev;
        ds_free(b);
        b = p;
    }
    a->head = NULL;
    a->used_total = 0;
}

void ds_arena_reset(ds_arena *a)
{
    if (!a || !a->head)
        return;
    ds_arena_block *b = a->head;
    while (b->prev) {
        ds_arena_block *p = b->prev;
        ds_free(b);
        b = p;
    }
    /* b is the oldest block; keep the last one allocated instead if it is larger. */
    ds_free(b);
    a->head = NULL;
    a->used_total = 0;
}

void *ds_arena_alloc(ds_arena *a, size_t n)
{
    size_t need = (n + 15u) & ~(size_t)15u;
    if (need < n)
        return NULL;
    ds_arena_block *b = a->head;
    if (!b || b->cap - b->used < need) {
        size_t cap = a->block_size;
        if (need > cap)
            cap = need;
        if (cap > SIZE_MAX - sizeof(ds_arena_block))
            return NULL;
        ds_arena_block *nb = ds_malloc(sizeof(ds_arena_block) + cap);
        if (!nb)
            return NULL;
        nb->cap = cap;
        nb->used = 0;
        nb->prev = b;
        a->head = b = nb;
    }
    void *p = b->data + b->used;
    b->used += need;
    a->used_total += need;
    return p;
}

void *ds_arena_calloc(ds_arena *a, size_t n)
{
    void *p = ds_arena_alloc(a, n);
    if (p)
        memset(p, 0, n);
    return p;
}

char *ds_arena_strndup(ds_arena *a, const char *s, size_t n)
{
    if (!s)
        return NULL;
    size_t len = strnlen(s, n);
    char *d = ds_arena_alloc(a, len + 1);
    if (!d)
        return NULL;
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

char *ds_arena_strdup(ds_arena *a, const char *s)
{
    return s ? ds_arena_strndup(a, s, strlen(s)) : NULL;
}

char *ds_arena_printf(ds_arena *a, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = NULL;
    if (n >= 0 && (s = ds_arena_alloc(a, (size_t)n + 1)) != NULL)
        vsnprintf(s, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return s;
}
