/* runtime.cu - device services of the CUDA backend (kernels_cuda.h): device selection, the
 * device arena (one cudaMalloc), streams, copies, pinned host memory, graph capture and
 * replay, and stream timers. Every call checked; nothing exits.
 * Owns: what each _create returns until its _free / _destroy. Threading: as the CUDA runtime
 * (per-thread current device); a stream or graph belongs to one thread at a time.
 */
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/internal.h"

#include <cuda_runtime.h>
#include <stdio.h>

extern "C" {
#include "pipeline/core/alloc.h"
}

extern "C" int ds_cuda_device_count(void)
{
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess) {
        cudaGetLastError(); /* clear the sticky error of a missing driver */
        return 0;
    }
    return n;
}

extern "C" int ds_cuda_device_probe(char *why, size_t n)
{
    int count = 0;
    const cudaError_t e = cudaGetDeviceCount(&count);
    if (e != cudaSuccess) {
        snprintf(why, n, "%s (%s)", cudaGetErrorString(e), cudaGetErrorName(e));
        cudaGetLastError();
        return -1;
    }
    snprintf(why, n, "%d device(s)", count);
    return count;
}

extern "C" ds_status ds_cuda_set_device(int dev, ds_err *err)
{
    DS_CUDA_TRY(cudaSetDevice(dev), err);
    return DS_OK;
}

extern "C" ds_status ds_cuda_mem_info(size_t *free_bytes, size_t *total_bytes, ds_err *err)
{
    DS_CUDA_TRY(cudaMemGetInfo(free_bytes, total_bytes), err);
    return DS_OK;
}

extern "C" ds_status ds_cuda_kernels_init(ds_err *err)
{
    return ds_cuda_attention_init(err);
}

extern "C" ds_status ds_cuda_arena_create(ds_cuda_arena *a, size_t bytes, ds_err *err)
{
    a->base = NULL;
    a->size = a->used = 0;
    void *p = NULL;
    cudaError_t e = cudaMalloc(&p, bytes ? bytes : 256);
    if (e != cudaSuccess) {
        cudaGetLastError();
        return ds_err_set(err, DS_ERR_NOMEM, "cuda: cannot allocate a device arena of %.2f GB: %s", bytes / 1e9,
                          cudaGetErrorString(e));
    }
    a->base = (char *)p;
    a->size = bytes;
    return DS_OK;
}

extern "C" void ds_cuda_arena_destroy(ds_cuda_arena *a)
{
    if (a && a->base)
        cudaFree(a->base);
    if (a) {
        a->base = NULL;
        a->size = a->used = 0;
    }
}

extern "C" void *ds_cuda_arena_alloc(ds_cuda_arena *a, size_t bytes)
{
    size_t at = (a->used + 255) & ~(size_t)255;
    if (at > a->size || bytes > a->size - at)
        return NULL;
    a->used = at + bytes;
    return a->base + at;
}

extern "C" ds_status ds_cuda_stream_create(cudaStream_t *s, ds_err *err)
{
    DS_CUDA_TRY(cudaStreamCreateWithFlags(s, cudaStreamNonBlocking), err);
    return DS_OK;
}

extern "C" void ds_cuda_stream_destroy(cudaStream_t s)
{
    if (s)
        cudaStreamDestroy(s);
}

extern "C" ds_status ds_cuda_stream_sync(cudaStream_t s, ds_err *err)
{
    DS_CUDA_TRY(cudaStreamSynchronize(s), err);
    return DS_OK;
}

extern "C" ds_status ds_cuda_copy_h2d(void *dst, const void *src, size_t n, cudaStream_t s, ds_err *err)
{
    if (n)
        DS_CUDA_TRY(cudaMemcpyAsync(dst, src, n, cudaMemcpyHostToDevice, s), err);
    return DS_OK;
}

extern "C" ds_status ds_cuda_copy_d2h(void *dst, const void *src, size_t n, cudaStream_t s, ds_err *err)
{
    if (n)
        DS_CUDA_TRY(cudaMemcpyAsync(dst, src, n, cudaMemcpyDeviceToHost, s), err);
    return DS_OK;
}

extern "C" ds_status ds_cuda_copy_d2d(void *dst, const void *src, size_t n, cudaStream_t s, ds_err *err)
{
    if (n)
        DS_CUDA_TRY(cudaMemcpyAsync(dst, src, n, cudaMemcpyDeviceToDevice, s), err);
    return DS_OK;
}

extern "C" ds_status ds_cuda_copy_h2d_2d(void *dst, const void *src, size_t pitch, size_t width, size_t rows,
                                         cudaStream_t s, ds_err *err)
{
    if (width && rows)
        DS_CUDA_TRY(cudaMemcpy2DAsync(dst, width, src, pitch, width, rows, cudaMemcpyHostToDevice, s), err);
    return DS_OK;
}

extern "C" ds_status ds_cuda_memset(void *dst, int byte, size_t n, cudaStream_t s, ds_err *err)
{
    if (n)
        DS_CUDA_TRY(cudaMemsetAsync(dst, byte, n, s), err);
    return DS_OK;
}

extern "C" ds_status ds_cuda_host_alloc(void **p, size_t n, ds_err *err)
{
    *p = NULL;
    DS_CUDA_TRY(cudaMallocHost(p, n ? n : 1), err);
    return DS_OK;
}

extern "C" void ds_cuda_host_free(void *p)
{
    if (p)
        cudaFreeHost(p);
}

struct ds_cuda_graph {
    cudaGraph_t graph;
    cudaGraphExec_t exec;
};

extern "C" ds_status ds_cuda_capture_begin(cudaStream_t s, ds_err *err)
{
    DS_CUDA_TRY(cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal), err);
    return DS_OK;
}

extern "C" ds_status ds_cuda_capture_end(cudaStream_t s, ds_cuda_graph **out, ds_err *err)
{
    *out = NULL;
    cudaGraph_t g = NULL;
    cudaError_t e = cudaStreamEndCapture(s, &g);
    if (e != cudaSuccess) {
        cudaGetLastError();
        if (g)
            cudaGraphDestroy(g);
        return ds_err_set(err, DS_ERR_CUDA, "cuda graph capture: %s", cudaGetErrorString(e));
    }
    cudaGraphExec_t x = NULL;
    e = cudaGraphInstantiate(&x, g, 0);
    if (e != cudaSuccess) {
        cudaGraphDestroy(g);
        return ds_err_set(err, DS_ERR_CUDA, "cuda graph instantiate: %s", cudaGetErrorString(e));
    }
    ds_cuda_graph *r = (ds_cuda_graph *)ds_calloc(1, sizeof *r);
    if (!r) {
        cudaGraphExecDestroy(x);
        cudaGraphDestroy(g);
        return ds_err_set(err, DS_ERR_NOMEM, "cuda graph: out of memory");
    }
    r->graph = g;
    r->exec = x;
    *out = r;
    return DS_OK;
}

extern "C" ds_status ds_cuda_graph_launch(ds_cuda_graph *g, cudaStream_t s, ds_err *err)
{
    DS_CUDA_TRY(cudaGraphLaunch(g->exec, s), err);
    return DS_OK;
}

extern "C" void ds_cuda_graph_free(ds_cuda_graph *g)
{
    if (!g)
        return;
    cudaGraphExecDestroy(g->exec);
    cudaGraphDestroy(g->graph);
    ds_free(g);
}

struct ds_cuda_timer {
    cudaEvent_t a, b;
};

extern "C" ds_status ds_cuda_timer_create(ds_cuda_timer **t, ds_err *err)
{
    *t = (ds_cuda_timer *)ds_calloc(1, sizeof **t);
    if (!*t)
        return ds_err_set(err, DS_ERR_NOMEM, "cuda timer: out of memory");
    cudaError_t e = cudaEventCreate(&(*t)->a);
    if (e == cudaSuccess)
        e = cudaEventCreate(&(*t)->b);
    if (e != cudaSuccess) {
        ds_free(*t);
        *t = NULL;
        return ds_err_set(err, DS_ERR_CUDA, "cuda timer: %s", cudaGetErrorString(e));
    }
    return DS_OK;
}

extern "C" void ds_cuda_timer_free(ds_cuda_timer *t)
{
    if (!t)
        return;
    cudaEventDestroy(t->a);
    cudaEventDestroy(t->b);
    ds_free(t);
}

extern "C" ds_status ds_cuda_timer_start(ds_cuda_timer *t, cudaStream_t s, ds_err *err)
{
    DS_CUDA_TRY(cudaEventRecord(t->a, s), err);
    return DS_OK;
}

extern "C" ds_status ds_cuda_timer_stop(ds_cuda_timer *t, cudaStream_t s, double *ms, ds_err *err)
{
    DS_CUDA_TRY(cudaEventRecord(t->b, s), err);
    DS_CUDA_TRY(cudaEventSynchronize(t->b), err);
    float f = 0;
    DS_CUDA_TRY(cudaEventElapsedTime(&f, t->a, t->b), err);
    *ms = f;
    return DS_OK;
}
