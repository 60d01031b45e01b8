/* gpu_query_none.c - device discovery in builds without the CUDA backend (see gpu.h): no device,
 * and the reason. CMake builds this file or gpu_query.c, never both. */
#include "kernels/gpu.h"

#include <stdio.h>
#include <string.h>

void ds_gpu_query(ds_gpu_info *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->reason, sizeof out->reason, "this build has no CUDA backend (nvcc was not found at build time)");
}
