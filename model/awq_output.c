/* awq_output.c - the output layer in int4, built at load when ds_model_opts.output_int4 asks.
 * The 16-bit lm_head (the embeddings when they are tied) is rounded to nearest, group 128 along
 * the hidden size, with the rounding of ds_awq_quant_group, into the AutoAWQ arrays (qweight,
 * qzeros, scales) and into the decode layout of ds_k_awq_repack; m->lm_head then points at it,
 * so a decoded token reads about a quarter of the output layer's bytes. The embedding lookups
 * keep the 16-bit rows, and the checkpoint is not changed: this is an extension of AutoAWQ,
 * whose checkpoints keep lm_head in 16 bits.
 * Owns: m->head_map (one mapping on 2 MiB pages, hugemap.h: the three arrays and the decode
 * layout) and
 * m->head_desc; ds_awq_output_free releases them. Threading: runs on the model's threads.
 */
#include "model/hugemap.h"
#include "model/model_internal.h"
#include "pipeline/core/alloc.h"

#include <stdint.h>
#include <string.h>

#define HEAD_GROUP 128
#define ROWS_PER_TASK 256 /* output rows quantised by one task (a multiple of 64) */

typedef struct head_job {
    ds_k_weight src; /* the 16-bit output layer */
    int N, K;
    uint8_t *q;       /* (K, N) 4-bit values, one a byte */
    uint8_t *z;       /* (K/G, N) zero points */
    uint16_t *scales; /* (K/G, N) */
    int32_t *qweight; /* (K, N/8) */
    int32_t *qzeros;  /* (K/G, N/8) */
    float *row;       /* per thread: K floats */
    int threads;
} head_job;

static float elem(ds_k_weight w, size_t i)
{
    const uint16_t *h = w.data;
    if (w.dtype == DS_K_BF16)
        return ds_k_bf16_to_f32(h[i]);
    if (w.dtype == DS_K_F16)
        return ds_k_f16_to_f32(h[i]);
    return ((const float *)w.data)[i];
}

/* Rows [task * ROWS_PER_TASK, ...) of the output layer: widened, then each group rounded. */
static void quant_rows(void *arg, int task, int thread)
{
    const head_job *j = arg;
    const int G = HEAD_GROUP, n0 = task * ROWS_PER_TASK;
    const int n1 = n0 + ROWS_PER_TASK < j->N ? n0 + ROWS_PER_TASK : j->N;
    float *row = j->row + (size_t)thread * j->K;
    for (int n = n0; n < n1; n++) {
        for (int k = 0; k < j->K; k++)
            row[k] = elem(j->src, (size_t)n * j->K + k);
        for (int g = 0; g < j->K / G; g++)
            ds_awq_quant_group(row + (size_t)g * G, G, 1, j->q + (size_t)g * G * j->N + n, j->N,
                               j->scales + (size_t)g * j->N + n, j->z + (size_t)g * j->N + n);
    }
}

/* Packs rows [task * G, (task + 1) * G) of q, and row task of z, in the AutoAWQ order. */
static void pack_rows(void *arg, int task, int thread)
{
    (void)thread;
    const head_job *j = arg;
    const int G = HEAD_GROUP, W = j->N / 8;
    ds_k_awq_pack(j->qweight + (size_t)task * G * W, j->q + (size_t)task * G * j->N, G, j->N);
    ds_k_awq_pack(j->qzeros + (size_t)task * W, j->z + (size_t)task * j->N, 1, j->N);
}

static size_t round64(size_t b)
{
    return (b + 63) / 64 * 64;
}

ds_status ds_awq_output_layer(ds_model *m, ds_err *err)
{
    const int N = (int)m->cfg.vocab_size, K = (int)m->cfg.hidden_size, G = HEAD_GROUP;
    if (m->lm_head.dtype == DS_K_AWQ4)
        return ds_err_set(err, DS_ERR_UNSUPPORTED, "model: the output layer is int4 already");
    const size_t rpb = ds_k_awq_repack_size(N, K, G);
    if (rpb == 0)
        return ds_err_set(err, DS_ERR_SHAPE,
                          "model: an int4 output layer needs a vocabulary divisible by 32 and a hidden size "
                          "divisible by %d (vocabulary %d, hidden %d)",
                          G, N, K);
    const size_t qw = round64((size_t)K * N / 2), qz = round64((size_t)(K / G) * N / 2);
    const size_t sc = round64((size_t)(K / G) * N * 2), rp = round64(rpb);
    const size_t total = qw + qz + sc + rp;
    size_t mapped;
    void *map = ds_huge_map(total, &mapped);
    if (!map)
        return ds_err_set(err, DS_ERR_NOMEM, "model: cannot map %zu bytes for the int4 output layer", total);
    const int threads = ds_model_n_threads(m);
    head_job j = {m->lm_head,
                  N,
                  K,
                  ds_malloc((size_t)K * N),
                  ds_malloc((size_t)(K / G) * N),
                  (uint16_t *)((char *)map + qw + qz),
                  (int32_t *)map,
                  (int32_t *)((char *)map + qw),
                  ds_malloc((size_t)threads * K * sizeof(float)),
                  threads};
    if (!j.q || !j.z || !j.row) {
        ds_free(j.q);
        ds_free(j.z);
        ds_free(j.row);
        ds_huge_unmap(map, mapped);
        return ds_err_set(err, DS_ERR_NOMEM, "model: out of memory quantising the output layer");
    }
    ds_kctx_parallel(m->kctx, quant_rows, &j, (N + ROWS_PER_TASK - 1) / ROWS_PER_TASK);
    ds_kctx_parallel(m->kctx, pack_rows, &j, K / G);
    ds_free(j.q);
    ds_free(j.z);
    ds_free(j.row);
    m->head_desc = (ds_k_awq){j.qweight, j.qzeros, j.scales, G, NULL};
    void *dst = (char *)map + qw + qz + sc;
    ds_k_awq_repack(dst, &m->head_desc, N, K);
    m->head_desc.repacked = dst;
    m->head_map = map;
    m->head_map_size = mapped;
    m->lm_head = (ds_k_weight){&m->head_desc, DS_K_AWQ4};
    return DS_OK;
}

void ds_awq_output_free(ds_model *m)
{
    ds_huge_unmap(m->head_map, m->head_map_size);
    m->head_map = NULL;
    m->head_map_size = 0;
}

const char *ds_model_output_layer_desc(const ds_model *m)
{
    if (m->head_map)
        return "int4, rounded at load (group 128; not in the checkpoint)";
    switch (m->lm_head.dtype) {
    case DS_K_BF16: return "bf16, as stored";
    case DS_K_F16: return "f16, as stored";
    case DS_K_F32: return "f32, as stored";
    default: return "int4, as stored";
    }
}
