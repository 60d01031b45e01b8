/* nccl.cu - tensor parallelism over the GPUs of one host: NCCL communicators for devices of
 * this process and the in-place all-reduce (sum) the engine issues after o_proj and down_proj
 * (kernels_cuda.h). Compiled against NCCL when the build found it (DS_HAVE_NCCL); otherwise
 * every call reports DS_ERR_UNSUPPORTED. One thread drives all ranks: calls for all ranks go in
 * one ncclGroupStart / ncclGroupEnd.
 * Owns: the communicators of a ds_cuda_comm. Threading: one caller at a time per comm.
 */
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/internal.h"

extern "C" {
#include "pipeline/core/alloc.h"
}

#ifdef DS_HAVE_NCCL
#include <nccl.h>

struct ds_cuda_comm {
    int n;
    ncclComm_t *comms;
};

extern "C" int ds_cuda_have_nccl(void)
{
    return 1;
}

extern "C" ds_status ds_cuda_comm_create(ds_cuda_comm **out, const int *devices, int n, ds_err *err)
{
    *out = NULL;
    DS_CUDA_ARG(n >= 1 && n <= 64, err, "nccl: %d ranks", n);
    ds_cuda_comm *c = (ds_cuda_comm *)ds_calloc(1, sizeof *c);
    ncclComm_t *comms = (ncclComm_t *)ds_calloc((size_t)n, sizeof(ncclComm_t));
    if (!c || !comms) {
        ds_free(c);
        ds_free(comms);
        return ds_err_set(err, DS_ERR_NOMEM, "nccl: out of memory");
    }
    ncclResult_t r = ncclCommInitAll(comms, n, devices);
    if (r != ncclSuccess) {
        ds_free(c);
        ds_free(comms);
        return ds_err_set(err, DS_ERR_CUDA, "nccl: cannot set up %d ranks: %s", n, ncclGetErrorString(r));
    }
    c->n = n;
    c->comms = comms;
    *out = c;
    return DS_OK;
}

extern "C" void ds_cuda_comm_free(ds_cuda_comm *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->n; i++)
        ncclCommDestroy(c->comms[i]);
    ds_free(c->comms);
    ds_free(c);
}

extern "C" ds_status ds_cuda_allreduce_sum(ds_cuda_comm *c, float *const *buf, size_t n, cudaStream_t const *streams,
                                           ds_err *err)
{
    if (c->n == 1 || n == 0)
        return DS_OK;
    ncclResult_t r = ncclGroupStart();
    for (int i = 0; i < c->n && r == ncclSuccess; i++)
        r = ncclAllReduce(buf[i], buf[i], n, ncclFloat32, ncclSum, c->comms[i], streams[i]);
    ncclResult_t r2 = ncclGroupEnd();
    if (r == ncclSuccess)
        r = r2;
    if (r != ncclSuccess)
        return ds_err_set(err, DS_ERR_CUDA, "nccl all-reduce of %zu floats: %s", n, ncclGetErrorString(r));
    return DS_OK;
}

#else

struct ds_cuda_comm {
    int n;
};

extern "C" int ds_cuda_have_nccl(void)
{
    return 0;
}

extern "C" ds_status ds_cuda_comm_create(ds_cuda_comm **out, const int *devices, int n, ds_err *err)
{
    (void)devices;
    *out = NULL;
    return ds_err_set(err, DS_ERR_UNSUPPORTED, "nccl: this build has no NCCL (%d ranks asked)", n);
}

extern "C" void ds_cuda_comm_free(ds_cuda_comm *c)
{
    ds_free(c);
}

extern "C" ds_status ds_cuda_allreduce_sum(ds_cuda_comm *c, float *const *buf, size_t n, cudaStream_t const *streams,
                                           ds_err *err)
{
    (void)c;
    (void)buf;
    (void)streams;
    return ds_err_set(err, DS_ERR_UNSUPPORTED, "nccl: this build has no NCCL (%zu floats)", n);
}

#endif
