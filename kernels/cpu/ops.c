/* ops.c - the optimized CPU ops of kernels.h: each splits its work into tasks for the
 * context's pool and runs the instruction-set implementation chosen at context creation.
 *
 * Task boundaries never change how an output element is computed (matmul slices start on
 * panel multiples, row ops split by rows), so results do not depend on the thread count.
 * Small ops run on the calling thread: a dispatch costs more than they do.
 * Threading: one caller per context at a time.
 */
#include "kernels/cpu/awq_internal.h"
#include "kernels/cpu/cpu_internal.h"

#include <math.h>

#define SMALL_ELEMS 8192 /* element-wise ops below this run inline */
#define MAX_GROUP 1024   /* matmul jobs per dispatch */

/* ---- matmul ------------------------------------------------------------------------------ */

typedef struct mm_plan {
    const ds_kctx *c;
    const ds_k_matmul_job *jobs;
    int n_jobs;
    int first_task[MAX_GROUP + 1]; /* task index where each job starts */
    int cols[MAX_GROUP];           /* columns per task of each job */
} mm_plan;

static void mm_task(void *arg, int task, int thread)
{
    const mm_plan *p = arg;
    int lo = 0, hi = p->n_jobs - 1;
    while (lo < hi) { /* the job whose range holds task */
        int mid = (lo + hi + 1) / 2;
        if (p->first_task[mid] <= task)
            lo = mid;
        else
            hi = mid - 1;
    }
    const ds_k_matmul_job *j = &p->jobs[lo];
    int n0 = (task - p->first_task[lo]) * p->cols[lo];
    int n1 = n0 + p->cols[lo] < j->N ? n0 + p->cols[lo] : j->N;
    if (j->w.dtype == DS_K_AWQ4)
        ds_k_awq_slice(ds_kctx_isa(p->c), j, n0, n1, ds_kctx_scratch(p->c, thread));
    else
        ds_kctx_impl(p->c)->matmul(j, n0, n1, ds_kctx_scratch(p->c, thread));
}

/* The least multiple of panel that is also one of DS_K_AWQ_RP. */
static int lcm_panel(int panel)
{
    int m = panel;
    while (m % DS_K_AWQ_RP != 0)
        m += panel;
    return m;
}

static void matmul_batch(ds_kctx *c, const ds_k_matmul_job *jobs, int n_jobs)
{
    mm_plan p;
    p.c = c;
    p.jobs = jobs;
    p.n_jobs = n_jobs;
    const int panel = ds_kctx_impl(c)->panel;
    const int nt = ds_kctx_threads(c);
    double total = 0;
    for (int i = 0; i < n_jobs; i++)
        total += (double)jobs[i].T * jobs[i].N * (jobs[i].K + 1);
    /* About 8 tasks per thread, none under ~64K multiply-adds, slices of whole panels; a few
     * tokens (decode): one task per thread, so that each thread streams one contiguous stretch
     * of the weights (the prefetchers lose their stride at each new task: 8 tasks a thread read
     * 30B-A3B int4 expert weights at about 55% of the streaming rate, 1 at about 70%) */
    int decode = 1;
    for (int i = 0; i < n_jobs; i++)
        decode &= jobs[i].T <= 4;
    double target = total / (decode ? nt : nt * 8.0);
    if (target < 65536.0)
        target = 65536.0;
    int tasks = 0;
    for (int i = 0; i < n_jobs; i++) {
        const ds_k_matmul_job *j = &jobs[i];
        p.first_task[i] = tasks;
        if (j->N <= 0 || j->T <= 0) {
            p.cols[i] = 1;
            continue;
        }
        double per_col = (double)j->T * (j->K + 1);
        long cols = (long)(target / per_col);
        /* int4 weights, a few tokens: slices of whole panels of the repacked layout */
        const int pn = j->w.dtype == DS_K_AWQ4 && j->T <= 4 ? lcm_panel(panel) : panel;
        cols = (cols + pn - 1) / pn * pn;
        if (cols < pn)
            cols = pn;
        if (cols > j->N)
            cols = (j->N + pn - 1) / pn * pn;
        p.cols[i] = (int)cols;
        tasks += (int)((j->N + cols - 1) / cols);
    }
    p.first_task[n_jobs] = tasks;
    if (nt == 1 || tasks == 1) {
        for (int t = 0; t < tasks; t++)
            mm_task(&p, t, 0);
        return;
    }
    ds_kctx_parallel(c, mm_task, &p, tasks);
}

void ds_k_matmul_grouped(ds_kctx *c, const ds_k_matmul_job *jobs, int n_jobs)
{
    for (int i = 0; i < n_jobs; i += MAX_GROUP)
        matmul_batch(c, jobs + i, n_jobs - i < MAX_GROUP ? n_jobs - i : MAX_GROUP);
}

void ds_k_matmul(ds_kctx *c, float *y, const float *x, ds_k_weight w, int T, int N, int K, int accumulate)
{
    ds_k_matmul_job j = {y, x, w, T, N, K, accumulate};
    matmul_batch(c, &j, 1);
}

/* ---- row and element-wise ops ----------------------------------------------------------- */

typedef struct row_op {
    const ds_kctx *c;
    int kind;
    float *y;
    const float *x, *w, *u;
    const void *table;
    ds_k_dtype dt;
    const int32_t *ids;
    int rows_per_task, R, D, H;
    size_t n;
    float eps;
} row_op;

enum { OP_RMSNORM, OP_ROPE, OP_SILU, OP_SOFTMAX, OP_ADD, OP_EMBED };

static void row_task(void *arg, int task, int thread)
{
    (void)thread;
    const row_op *o = arg;
    const ds_k_impl *im = ds_kctx_impl(o->c);
    size_t r0 = (size_t)task * o->rows_per_task;
    size_t r1 = r0 + o->rows_per_task;
    switch (o->kind) {
    case OP_RMSNORM:
        if (r1 > (size_t)o->R)
            r1 = o->R;
        im->rmsnorm(o->y + r0 * o->D, o->x + r0 * o->D, o->w, (int)(r1 - r0), o->D, o->eps);
        break;
    case OP_ROPE:
        if (r1 > (size_t)o->R)
            r1 = o->R;
        im->rope(o->y + r0 * o->H * o->D, o->x + r0 * (o->D / 2), o->w + r0 * (o->D / 2), (int)(r1 - r0), o->H, o->D);
        break;
    case OP_SOFTMAX:
        if (r1 > (size_t)o->R)
            r1 = o->R;
        im->softmax(o->y + r0 * o->D, o->x + r0 * o->D, (int)(r1 - r0), o->D, o->eps);
        break;
    case OP_EMBED:
        if (r1 > (size_t)o->R)
            r1 = o->R;
        for (size_t r = r0; r < r1; r++)
            im->widen(o->y + r * o->D, (const char *)o->table + (size_t)o->ids[r] * o->D * ds_k_dtype_size(o->dt),
                      o->dt, (size_t)o->D);
        break;
    case OP_SILU:
    case OP_ADD:
        /* rows of one element: a task is a chunk of rows_per_task elements */
        if (r1 > o->n)
            r1 = o->n;
        if (o->kind == OP_SILU)
            im->silu_mul(o->y + r0, o->x + r0, o->u + r0, r1 - r0);
        else
            im->add(o->y + r0, o->x + r0, r1 - r0);
        break;
    }
}

/* Splits R rows of `cost` elements each into tasks. */
static void run_rows(ds_kctx *c, row_op *o, size_t R, size_t cost)
{
    o->c = c;
    const int nt = ds_kctx_threads(c);
    if (nt == 1 || R * cost < SMALL_ELEMS || R == 1) {
        o->rows_per_task = (int)(R > 0x7fffffff ? 0x7fffffff : R);
        if (R)
            row_task(o, 0, 0);
        return;
    }
    size_t per = (R + (size_t)nt * 4 - 1) / ((size_t)nt * 4);
    if (per * cost < SMALL_ELEMS / 2)
        per = (SMALL_ELEMS / 2 + cost - 1) / cost;
    if (cost == 1)
        per = (per + 63) / 64 * 64;
    o->rows_per_task = (int)per;
    ds_kctx_parallel(c, row_task, o, (int)((R + per - 1) / per));
}

void ds_k_rmsnorm(ds_kctx *c, float *y, const float *x, const float *w, int R, int D, float eps)
{
    row_op o = {.kind = OP_RMSNORM, .y = y, .x = x, .w = w, .R = R, .D = D, .eps = eps};
    run_rows(c, &o, (size_t)R, (size_t)D);
}

void ds_k_rope(ds_kctx *c, float *x, const float *cos, const float *sin, int T, int H, int D)
{
    row_op o = {.kind = OP_ROPE, .y = x, .x = cos, .w = sin, .R = T, .D = D, .H = H};
    run_rows(c, &o, (size_t)T, (size_t)H * D);
}

void ds_k_silu_mul(ds_kctx *c, float *y, const float *g, const float *u, size_t n)
{
    row_op o = {.kind = OP_SILU, .y = y, .x = g, .u = u, .n = n};
    run_rows(c, &o, n, 1);
}

void ds_k_softmax(ds_kctx *c, float *y, const float *x, int R, int N, float scale)
{
    row_op o = {.kind = OP_SOFTMAX, .y = y, .x = x, .R = R, .D = N, .eps = scale};
    run_rows(c, &o, (size_t)R, (size_t)N);
}

void ds_k_add(ds_kctx *c, float *y, const float *x, size_t n)
{
    row_op o = {.kind = OP_ADD, .y = y, .x = x, .n = n};
    run_rows(c, &o, n, 1);
}

void ds_k_embed(ds_kctx *c, float *y, ds_k_weight table, const int32_t *ids, int T, int D)
{
    row_op o = {.kind = OP_EMBED, .y = y, .table = table.data, .dt = table.dtype, .ids = ids, .R = T, .D = D};
    run_rows(c, &o, (size_t)T, (size_t)D);
}

void ds_k_topk(int32_t *idx, float *val, const float *x, int R, int N, int k)
{
    for (int r = 0; r < R; r++) {
        const float *xr = x + (size_t)r * N;
        int32_t *ir = idx + (size_t)r * k;
        float *vr = val + (size_t)r * k;
        int have = 0;
        /* Insertion into a sorted list of at most k; strict comparison keeps the lower index
         * first among equal values. */
        for (int i = 0; i < N; i++) {
            float v = xr[i];
            if (have == k && !(v > vr[k - 1]))
                continue;
            int p = have < k ? have : k - 1;
            while (p > 0 && v > vr[p - 1]) {
                vr[p] = vr[p - 1];
                ir[p] = ir[p - 1];
                p--;
            }
            vr[p] = v;
            ir[p] = i;
            if (have < k)
                have++;
        }
        for (; have < k; have++) {
            vr[have] = -INFINITY;
            ir[have] = -1;
        }
    }
}

/* ---- attention ------------------------------------------------------------------------------ */

typedef struct att_op {
    const ds_kctx *c;
    float *out;
    const float *q;
    const ds_k_kv_pages *kv;
    int pos0, T, Hq, Hkv, D, qt, n_tiles;
    float scale;
} att_op;

static void att_task(void *arg, int task, int thread)
{
    const att_op *o = arg;
    /* Later query tiles see more keys: hand them out first. */
    int tile = o->n_tiles - 1 - task / o->Hkv, h = task % o->Hkv;
    int t0 = tile * o->qt, t1 = t0 + o->qt < o->T ? t0 + o->qt : o->T;
    ds_kctx_impl(o->c)->attention(o->out, o->q, o->kv, o->pos0, o->T, o->Hq, o->Hkv, o->D, o->scale, h, t0, t1,
                                  ds_kctx_scratch(o->c, thread));
}

void ds_k_attention(ds_kctx *c, float *out, const float *q, const ds_k_kv_pages *kv, int pos0, int T, int Hq, int Hkv,
                    int D, float scale)
{
    if (T <= 0)
        return;
    const int G = Hq / Hkv;
    if (D > DS_K_ATT_MAX_D || G > DS_K_ATT_ROWS || kv->page_tokens % 16 != 0) {
        ds_k_attention_ref(out, q, kv, pos0, T, Hq, Hkv, D, scale);
        return;
    }
    att_op o = {c, out, q, kv, pos0, T, Hq, Hkv, D, DS_K_ATT_ROWS / G, 0, scale};
    o.n_tiles = (T + o.qt - 1) / o.qt;
    /* A short context (a decoding step early in a sequence) costs less than a dispatch. */
    double work = (double)T * (pos0 + T) * Hq * D;
    if (work < (double)(1 << 20)) {
        for (int t = 0; t < o.n_tiles * Hkv; t++)
            att_task(&o, t, 0);
        return;
    }
    ds_kctx_parallel(c, att_task, &o, o.n_tiles * Hkv);
}
