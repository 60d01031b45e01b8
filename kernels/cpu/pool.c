/* pool.c - the kernel context: instruction-set choice, per-thread scratch and a small pthread
 * pool that runs a batch of tasks with the caller's thread taking part.
 *
 * A dispatch bumps a generation counter; workers spin briefly on it (decode steps issue many
 * small dispatches back to back), then sleep on a condition variable. Tasks are claimed with an
 * atomic counter; the caller returns when every worker has finished the generation.
 * Owns: the worker threads and scratch buffers. Threading: one dispatching caller at a time.
 */
#include "kernels/cpu/cpu_internal.h"

#include "pipeline/core/alloc.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#define SPIN_ITERS 4000

struct ds_kctx {
    int n_threads;
    ds_k_isa isa;
    const ds_k_impl *impl;
    float **scratch; /* per thread, DS_K_SCRATCH_FLOATS each */
    pthread_t *th;
    int n_started;
    pthread_mutex_t mu;
    pthread_cond_t cv_work, cv_done;
    unsigned gen;           /* dispatch generation, under mu */
    _Atomic unsigned agen;  /* its mirror, for spinning */
    _Atomic uint64_t claim; /* gen << 48 | n_tasks << 24 | next task index */
    _Atomic int done;       /* tasks finished in this generation */
    _Atomic int stop;
    /* the current dispatch; written before the claim counter is published */
    ds_k_task_fn fn;
    void *arg;
    int n_tasks;
};

typedef struct worker_arg {
    ds_kctx *c;
    int id;
} worker_arg;

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

ds_k_isa ds_k_isa_best(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    unsigned a, b, c, d;
    int f16c = __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 29));
    int avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && f16c;
    if (avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))
        return __builtin_cpu_supports("avx512vnni") ? DS_K_ISA_AVX512_VNNI : DS_K_ISA_AVX512;
    if (avx2)
        return DS_K_ISA_AVX2;
#endif
    return DS_K_ISA_SCALAR;
}

const char *ds_k_isa_name(ds_k_isa isa)
{
    switch (isa) {
    case DS_K_ISA_AVX512_VNNI: return "avx512vnni";
    case DS_K_ISA_AVX512: return "avx512";
    case DS_K_ISA_AVX2: return "avx2";
    case DS_K_ISA_SCALAR: return "scalar";
    default: return "auto";
    }
}

const ds_k_impl *ds_k_impl_for(ds_k_isa isa)
{
    switch (isa) {
    case DS_K_ISA_AVX512_VNNI: /* VNNI changes the int4 decode only (awq.c) */
    case DS_K_ISA_AVX512: return &ds_k_impl_avx512;
    case DS_K_ISA_AVX2: return &ds_k_impl_avx2;
    default: return &ds_k_impl_scalar;
    }
}

/* Claims and runs tasks until the current dispatch has none left. The claim word holds the
 * task count next to the index, so a claim decides its own validity: a worker that wakes late
 * and increments a finished dispatch's word gets an index past its count and stops; a valid
 * claim belongs to the dispatch in progress, which cannot end while the task runs, so fn/arg
 * (published before the word, read after the claim) are that dispatch's. */
#define CLAIM_BITS 24
#define CLAIM_MASK ((1ull << CLAIM_BITS) - 1)
#define MAX_TASKS ((int)(CLAIM_MASK >> 1))

static void run_tasks(ds_kctx *c, int id)
{
    for (;;) {
        uint64_t cl = atomic_fetch_add_explicit(&c->claim, 1, memory_order_acq_rel);
        int task = (int)(cl & CLAIM_MASK), n = (int)((cl >> CLAIM_BITS) & CLAIM_MASK);
        if (task >= n)
            return;
        c->fn(c->arg, task, id);
        if (atomic_fetch_add_explicit(&c->done, 1, memory_order_acq_rel) + 1 == n) {
            pthread_mutex_lock(&c->mu);
            pthread_cond_signal(&c->cv_done);
            pthread_mutex_unlock(&c->mu);
        }
    }
}

static void *worker_main(void *p)
{
    worker_arg *wa = p;
    ds_kctx *c = wa->c;
    int id = wa->id;
    ds_free(wa);
    unsigned seen = 0;
    for (;;) {
        for (int i = 0;
             i < SPIN_ITERS && atomic_load_explicit(&c->agen, memory_order_acquire) == seen && !atomic_load(&c->stop);
             i++)
            cpu_relax();
        if (atomic_load_explicit(&c->agen, memory_order_acquire) == seen) {
            pthread_mutex_lock(&c->mu);
            while (c->gen == seen && !atomic_load(&c->stop))
                pthread_cond_wait(&c->cv_work, &c->mu);
            pthread_mutex_unlock(&c->mu);
        }
        if (atomic_load(&c->stop))
            return NULL;
        seen = atomic_load_explicit(&c->agen, memory_order_acquire);
        run_tasks(c, id);
    }
}

static void dispatch(ds_kctx *c, ds_k_task_fn fn, void *arg, int n_tasks)
{
    /* The previous dispatch is complete: no task of it can still be claimed or running. */
    pthread_mutex_lock(&c->mu);
    c->gen++;
    c->fn = fn;
    c->arg = arg;
    c->n_tasks = n_tasks;
    atomic_store_explicit(&c->done, 0, memory_order_relaxed);
    atomic_store_explicit(&c->claim, ((uint64_t)(c->gen & 0xffff) << 48) | ((uint64_t)n_tasks << CLAIM_BITS),
                          memory_order_release);
    atomic_store_explicit(&c->agen, c->gen, memory_order_release);
    pthread_cond_broadcast(&c->cv_work);
    pthread_mutex_unlock(&c->mu);
    run_tasks(c, 0);
    /* Wait for tasks other threads claimed; workers still asleep are not waited for. */
    for (int i = 0; i < SPIN_ITERS && atomic_load(&c->done) < n_tasks; i++)
        cpu_relax();
    if (atomic_load(&c->done) < n_tasks) {
        pthread_mutex_lock(&c->mu);
        while (atomic_load(&c->done) < n_tasks)
            pthread_cond_wait(&c->cv_done, &c->mu);
        pthread_mutex_unlock(&c->mu);
    }
}

/* Runs batch b of tasks of a dispatch too large for one claim word. */
typedef struct batch_arg {
    ds_k_task_fn fn;
    void *arg;
    int base;
} batch_arg;

static void batch_task(void *a, int task, int thread)
{
    batch_arg *b = a;
    b->fn(b->arg, b->base + task, thread);
}

void ds_kctx_parallel(ds_kctx *c, ds_k_task_fn fn, void *arg, int n_tasks)
{
    if (n_tasks <= 0)
        return;
    if (c->n_threads == 1 || n_tasks == 1) {
        for (int t = 0; t < n_tasks; t++)
            fn(arg, t, 0);
        return;
    }
    if (n_tasks <= MAX_TASKS) {
        dispatch(c, fn, arg, n_tasks);
        return;
    }
    for (int base = 0; base < n_tasks; base += MAX_TASKS) {
        batch_arg b = {fn, arg, base};
        dispatch(c, batch_task, &b, n_tasks - base < MAX_TASKS ? n_tasks - base : MAX_TASKS);
    }
}

void ds_kctx_free(ds_kctx *c)
{
    if (!c)
        return;
    if (c->n_started) {
        pthread_mutex_lock(&c->mu);
        atomic_store(&c->stop, 1);
        pthread_cond_broadcast(&c->cv_work);
        pthread_mutex_unlock(&c->mu);
        for (int i = 0; i < c->n_started; i++)
            pthread_join(c->th[i], NULL);
    }
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->cv_work);
    pthread_cond_destroy(&c->cv_done);
    if (c->scratch)
        for (int i = 0; i < c->n_threads; i++)
            ds_free(c->scratch[i]);
    ds_free(c->scratch);
    ds_free(c->th);
    ds_free(c);
}

ds_status ds_kctx_create(ds_kctx **out, int n_threads, ds_k_isa isa, ds_err *err)
{
    *out = NULL;
    ds_k_isa best = ds_k_isa_best();
    if (isa == DS_K_ISA_AUTO)
        isa = best;
    if (isa < DS_K_ISA_SCALAR || isa > DS_K_ISA_LAST)
        return ds_err_set(err, DS_ERR_USAGE, "kernels: unknown instruction set %d", (int)isa);
    if (isa > best)
        return ds_err_set(err, DS_ERR_UNSUPPORTED, "kernels: this cpu lacks %s (best: %s)", ds_k_isa_name(isa),
                          ds_k_isa_name(best));
    if (n_threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        n_threads = n > 0 ? (int)n : 1;
    }
    if (n_threads > 256)
        n_threads = 256;
    ds_kctx *c = ds_calloc(1, sizeof *c);
    if (!c)
        return ds_err_set(err, DS_ERR_NOMEM, "kernels: out of memory");
    c->n_threads = n_threads;
    c->isa = isa;
    c->impl = ds_k_impl_for(isa);
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv_work, NULL);
    pthread_cond_init(&c->cv_done, NULL);
    c->scratch = ds_calloc((size_t)n_threads, sizeof *c->scratch);
    c->th = ds_calloc((size_t)n_threads, sizeof *c->th);
    if (!c->scratch || !c->th)
        goto nomem;
    for (int i = 0; i < n_threads; i++)
        if (!(c->scratch[i] = ds_malloc(DS_K_SCRATCH_FLOATS * sizeof(float))))
            goto nomem;
    for (int i = 1; i < n_threads; i++) {
        worker_arg *wa = ds_malloc(sizeof *wa);
        if (!wa)
            goto nomem;
        wa->c = c;
        wa->id = i;
        if (pthread_create(&c->th[c->n_started], NULL, worker_main, wa) != 0) {
            ds_free(wa);
            ds_kctx_free(c);
            return ds_err_set(err, DS_ERR_INTERNAL, "kernels: cannot start worker thread %d", i);
        }
        c->n_started++;
    }
    *out = c;
    return DS_OK;
nomem:
    ds_kctx_free(c);
    return ds_err_set(err, DS_ERR_NOMEM, "kernels: out of memory for %d threads", n_threads);
}

int ds_kctx_threads(const ds_kctx *c)
{
    return c->n_threads;
}
ds_k_isa ds_kctx_isa(const ds_kctx *c)
{
    return c->isa;
}
const ds_k_impl *ds_kctx_impl(const ds_kctx *c)
{
    return c->impl;
}
float *ds_kctx_scratch(const ds_kctx *c, int thread)
{
    return c->scratch[thread];
}
