/* awq.c - AutoAWQ checkpoints on load: quantization_config from config.json and the binding of
 * a linear layer's qweight / qzeros / scales (see awq.h), every dtype and shape checked
 * against the config like the rest of the loader; then the repacking of the bound weights into
 * the decode layout of the CPU kernels.
 * Owns: the repacked copy (m->awq_rp) once ds_awq_repack ran; descriptors are the caller's.
 * Threading: reentrant on distinct models.
 */
#include "model/awq.h"

#include "model/hugemap.h"
#include "model/model_internal.h"
#include "pipeline/core/alloc.h"
#include "pipeline/core/buf.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

ds_status ds_awq_config_load(ds_awq_config *q, const char *dir, ds_err *err)
{
    memset(q, 0, sizeof *q);
    char path[4096];
    snprintf(path, sizeof path, "%s/config.json", dir);
    ds_buf b = DS_BUF_INIT;
    ds_status st = ds_buf_read_file(&b, path, 16u << 20, err);
    if (st != DS_OK) {
        ds_buf_deinit(&b);
        return st;
    }
    json_error_t je;
    json_t *root = json_loadb(b.data ? b.data : "", b.len, 0, &je);
    ds_buf_deinit(&b);
    if (!root)
        return ds_err_set(err, DS_ERR_MODEL, "%s: line %d: %s", path, je.line, je.text);
    const json_t *qc = json_object_get(root, "quantization_config");
    if (!qc || json_is_null(qc)) {
        json_decref(root);
        return DS_OK;
    }
    st = DS_OK;
    const char *method = json_string_value(json_object_get(qc, "quant_method"));
    const json_t *bits = json_object_get(qc, "bits"), *gs = json_object_get(qc, "group_size");
    const json_t *zp = json_object_get(qc, "zero_point");
    const char *version = json_string_value(json_object_get(qc, "version"));
    if (!json_is_object(qc) || !method)
        st = ds_err_set(err, DS_ERR_MODEL, "%s: quantization_config has no quant_method", path);
    else if (strcmp(method, "awq") != 0)
        st = ds_err_set(err, DS_ERR_UNSUPPORTED, "%s: quantization method %.40s is not supported (awq only)", path,
                        method);
    else if (!json_is_integer(bits) || json_integer_value(bits) != 4)
        st = ds_err_set(err, DS_ERR_UNSUPPORTED, "%s: awq bits must be 4", path);
    else if (!json_is_integer(gs) || json_integer_value(gs) < 8 || json_integer_value(gs) > 65536 ||
             json_integer_value(gs) % 8 != 0)
        st = ds_err_set(err, DS_ERR_MODEL, "%s: awq group_size must be a multiple of 8 in [8, 65536]", path);
    else if (zp && !json_is_true(zp))
        st = ds_err_set(err, DS_ERR_UNSUPPORTED, "%s: awq without zero_point is not supported", path);
    else if (version && strcmp(version, "gemm") != 0 && strcmp(version, "GEMM") != 0)
        st = ds_err_set(err, DS_ERR_UNSUPPORTED, "%s: awq version %.20s is not supported (gemm layout only)", path,
                        version);
    if (st == DS_OK) {
        q->enabled = 1;
        q->bits = 4;
        q->group_size = (int)json_integer_value(gs);
        q->zero_point = 1;
    }
    json_decref(root);
    return st;
}

static ds_status check(const ds_model *m, const ds_st_tensor *t, const char *name, ds_st_dtype dt, long d0, long d1,
                       ds_err *err)
{
    if (!t)
        return ds_err_set(err, DS_ERR_MODEL, "%s: tensor %s is missing", m->ckpt->dir, name);
    if (t->dtype != dt)
        return ds_err_set(err, DS_ERR_MODEL, "%s: tensor %s has dtype %s (%s expected)", m->ckpt->dir, name,
                          ds_st_dtype_name(t->dtype), ds_st_dtype_name(dt));
    if (t->ndim != 2 || t->shape[0] != d0 || t->shape[1] != d1)
        return ds_err_set(err, DS_ERR_SHAPE, "%s: tensor %s has shape [%lld%s%lld], the config implies [%ld, %ld]",
                          m->ckpt->dir, name, t->ndim > 0 ? (long long)t->shape[0] : 0LL, t->ndim > 1 ? ", " : " ",
                          t->ndim > 1 ? (long long)t->shape[1] : 0LL, d0, d1);
    return DS_OK;
}

ds_status ds_awq_bind(const ds_model *m, const ds_awq_config *q, const char *name, long rows, long cols, ds_k_awq *desc,
                      ds_k_weight *w, uint64_t *bytes, ds_err *err)
{
    size_t n = strlen(name);
    if (!q->enabled || n < 7 || strcmp(name + n - 7, ".weight") != 0 || n > 400)
        return DS_ERR_NOT_FOUND;
    char base[400], nq[420], nz[420], ns[420];
    memcpy(base, name, n - 7);
    base[n - 7] = 0;
    snprintf(nq, sizeof nq, "%s.qweight", base);
    const ds_st_tensor *tq = ds_ckpt_find(m->ckpt, nq);
    if (!tq)
        return DS_ERR_NOT_FOUND;
    snprintf(nz, sizeof nz, "%s.qzeros", base);
    snprintf(ns, sizeof ns, "%s.scales", base);
    const long N = rows, K = cols, G = q->group_size;
    if (N % 8 != 0 || K % G != 0)
        return ds_err_set(err, DS_ERR_SHAPE,
                          "%s: %s is [%ld, %ld]: awq needs outputs divisible by 8 and inputs by the "
                          "group size %ld",
                          m->ckpt->dir, base, N, K, G);
    const ds_st_tensor *tz = ds_ckpt_find(m->ckpt, nz), *ts = ds_ckpt_find(m->ckpt, ns);
    ds_status st;
    if ((st = check(m, tq, nq, DS_ST_I32, K, N / 8, err)) != DS_OK ||
        (st = check(m, tz, nz, DS_ST_I32, K / G, N / 8, err)) != DS_OK ||
        (st = check(m, ts, ns, DS_ST_F16, K / G, N, err)) != DS_OK)
        return st;
    *desc = (ds_k_awq){tq->data, tz->data, ts->data, (int)G, NULL};
    *w = (ds_k_weight){desc, DS_K_AWQ4};
    *bytes = (tq->end - tq->begin) + (tz->end - tz->begin) + (ts->end - ts->begin);
    return DS_OK;
}

/* ---- decode layout ------------------------------------------------------------------------ */

typedef struct repack_job {
    ds_model *m;
    size_t *off; /* per descriptor: offset in the mapping, or SIZE_MAX when not repacked */
    int *fds;    /* the checkpoint's files, for ds_ckpt_release */
} repack_job;

static void repack_task(void *arg, int task, int thread)
{
    (void)thread;
    const repack_job *r = arg;
    ds_model *m = r->m;
    if (r->off[task] == SIZE_MAX)
        return;
    ds_k_awq *d = &m->awq_desc[task];
    void *dst = (char *)m->awq_rp + r->off[task];
    const int N = m->awq_nk[2 * task], K = m->awq_nk[2 * task + 1], G = d->group;
    ds_k_awq_repack(dst, d, N, K);
    d->repacked = dst;
    /* the kernels of AVX2 and AVX-512 machines read only the decode layout from here on: the
     * AutoAWQ arrays leave memory (a model as large as its host's memory would not hold both) */
    ds_ckpt_release(m->ckpt, r->fds, d->qweight, (size_t)K * N / 2);
    ds_ckpt_release(m->ckpt, r->fds, d->qzeros, (size_t)(K / G) * N / 2);
    ds_ckpt_release(m->ckpt, r->fds, d->scales, (size_t)(K / G) * N * 2);
}

ds_status ds_awq_repack(ds_model *m, ds_err *err)
{
    const int n = m->n_awq_desc;
    if (n == 0)
        return DS_OK;
    size_t *off = ds_malloc(sizeof *off * (size_t)n);
    if (!off)
        return ds_err_set(err, DS_ERR_NOMEM, "model: out of memory");
    size_t total = 0;
    for (int i = 0; i < n; i++) {
        const size_t b = ds_k_awq_repack_size(m->awq_nk[2 * i], m->awq_nk[2 * i + 1], m->awq_desc[i].group);
        off[i] = b ? total : SIZE_MAX;
        total += (b + 63) / 64 * 64;
    }
    if (total == 0) {
        ds_free(off);
        return DS_OK;
    }
    size_t mapped;
    void *map = ds_huge_map(total, &mapped);
    if (!map) {
        ds_free(off);
        return ds_err_set(err, DS_ERR_NOMEM, "model: cannot map %zu bytes for the repacked int4 weights", total);
    }
    m->awq_rp = map;
    m->awq_rp_size = mapped;
    repack_job r = {m, off, ds_ckpt_fds_open(m->ckpt)};
    ds_kctx_parallel(m->kctx, repack_task, &r, n);
    ds_ckpt_fds_close(m->ckpt, r.fds);
    ds_free(off);
    return DS_OK;
}

void ds_awq_repack_free(ds_model *m)
{
    ds_huge_unmap(m->awq_rp, m->awq_rp_size);
    m->awq_rp = NULL;
    m->awq_rp_size = 0;
}
