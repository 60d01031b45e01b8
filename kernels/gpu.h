/* gpu.h - what accelerator this process can use: the CUDA devices when the CUDA backend was
 * built and a driver and device are present, else none (the CPU backend is used), plus the
 * CPU's SIMD level. Threading: reentrant. */
#ifndef DS_KERNELS_GPU_H
#define DS_KERNELS_GPU_H

#include <stddef.h>

typedef struct ds_gpu_info {
    int built_with_cuda; /* the CUDA backend is compiled in */
    int device_count;    /* 0 when no driver/device */
    char name[128];      /* device 0 */
    int cc_major, cc_minor;
    size_t total_mem;
    char reason[256]; /* why no device is usable, in words */
} ds_gpu_info;

void ds_gpu_query(ds_gpu_info *out);

/* "avx512bf16", "avx512", "avx2", or "scalar": the best SIMD path this CPU supports. */
const char *ds_cpu_simd_level(void);

#endif
