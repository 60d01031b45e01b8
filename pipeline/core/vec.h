/* vec.h - typed growable arrays as macros over ds_realloc.
 *
 * DS_VEC(T) declares { T *v; size_t n, cap; }. DS_VEC_PUSH evaluates to DS_OK or DS_ERR_NOMEM
 * and leaves the vector unchanged on failure. Owner frees with DS_VEC_FREE.
 */
#ifndef DS_CORE_VEC_H
#define DS_CORE_VEC_H

#include "alloc.h"
#include "status.h"

#include <stddef.h>

#define DS_VEC(T)      \
    struct {           \
        T *v;          \
        size_t n, cap; \
    }

static inline ds_status ds_vec_grow_(void **v, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return DS_OK;
    size_t c = *cap ? *cap * 2 : 8;
    while (c < need)
        c *= 2;
    if (c > ((size_t)-1) / elem)
        return DS_ERR_NOMEM;
    void *nv = ds_realloc(*v, c * elem);
    if (!nv)
        return DS_ERR_NOMEM;
    *v = nv;
    *cap = c;
    return DS_OK;
}

#define DS_VEC_RESERVE(vec, count) ds_vec_grow_((void **)&(vec).v, &(vec).cap, (vec).n + (count), sizeof(*(vec).v))

#define DS_VEC_PUSH(vec, item) (DS_VEC_RESERVE(vec, 1) == DS_OK ? ((vec).v[(vec).n++] = (item), DS_OK) : DS_ERR_NOMEM)

#define DS_VEC_FREE(vec)         \
    do {                         \
        ds_free((vec).v);        \
        (vec).v = NULL;          \
        (vec).n = (vec).cap = 0; \
    } while (0)

#endif
