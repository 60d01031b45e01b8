/* hugemap.h - anonymous memory for the model's weights on 2 MiB pages: the copied 16-bit
 * weights (model.c), the repacked int4 weights (awq.c) and the int4 output layer
 * (awq_output.c), each read once per decoded token, where a walk over 4 KiB pages costs a
 * TLB miss every 4 KiB. The mapping starts on a 2 MiB boundary and is asked for transparent
 * huge pages (MADV_HUGEPAGE, which the kernel honours when THP is "always" or "madvise").
 * Pure functions; the caller owns the mapping.
 */
#ifndef DS_MODEL_HUGEMAP_H
#define DS_MODEL_HUGEMAP_H

#include <stddef.h>

/* A zeroed, writable mapping of at least bytes (> 0) bytes, 2 MiB-aligned; its size (a
 * multiple of 2 MiB) in *mapped, for ds_huge_unmap. NULL when the address space is short. */
void *ds_huge_map(size_t bytes, size_t *mapped);
/* Releases a mapping of ds_huge_map; p NULL: nothing. */
void ds_huge_unmap(void *p, size_t mapped);

#endif
