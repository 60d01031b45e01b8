/* hugemap.c - 2 MiB-aligned anonymous mappings for weights (see hugemap.h). */
#include "model/hugemap.h"

#include <stdint.h>
#include <sys/mman.h>

#define HUGE_PAGE ((size_t)2 << 20)

void *ds_huge_map(size_t bytes, size_t *mapped)
{
    *mapped = 0;
    const size_t size = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    /* one huge page more than asked, then the unaligned head and the tail given back */
    char *map = mmap(NULL, size + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED)
        return NULL;
    char *base = (char *)(((uintptr_t)map + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
    if (base > map)
        munmap(map, (size_t)(base - map));
    if (base + size < map + size + HUGE_PAGE)
        munmap(base + size, (size_t)(map + size + HUGE_PAGE - (base + size)));
#ifdef MADV_HUGEPAGE
    madvise(base, size, MADV_HUGEPAGE);
#endif
    *mapped = size;
    return base;
}

void ds_huge_unmap(void *p, size_t mapped)
{
    if (p)
        munmap(p, mapped);
}
