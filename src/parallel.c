/*
 * parallel.c — a persistent pool of threads for the work of one step.
 *
 * nn_parallel(fn, ctx, parts) runs fn(ctx, part, parts) for part = 0 .. parts-1,
 * part 0 on the calling thread and part i on pool thread i, and returns when
 * all are done. The callers split by output (rows of C, images, ranges of a
 * flat array) so that each output element is computed by exactly one part in
 * the same order as with one thread: results are bit-identical for any number
 * of threads (tests/c/test_threads.c).
 *
 * The pool is created once (nn_set_threads) and kept. A pool thread spins for
 * a short while after each region, because the next one usually follows in
 * microseconds (the next GEMM of the step), then sleeps on a condition
 * variable until woken. Pool threads only compute: no allocation, no printing,
 * no calls into JavaScript. With Emscripten 3.1.6 a pool thread that proxies a
 * call to the thread waiting for it would deadlock (emscripten issue 15100).
 *
 * Built without threads (the single-thread browser module), nn_parallel runs
 * the parts one after the other and nn_set_threads accepts only 1.
 */
#include <stddef.h>

#include "nnlab.h"
#include "reasons.h"

#if defined(NN_THREADS)
#include <pthread.h>
#include <stdatomic.h>
#endif

static int n_threads = 1; // threads a region uses, the caller's included

int nn_threads(void) { return n_threads; }

// Split [0, n) into `parts` ranges in units of `unit` (the last takes the
// rest): part's range is [*lo, *hi), empty when there is not enough work.
void nn_part_range(int n, int unit, int part, int parts, int *lo, int *hi) {
    int units = (n + unit - 1) / unit;
    int a = (int)((long long)units * part / parts) * unit;
    int b = (int)((long long)units * (part + 1) / parts) * unit;
    *lo = a < n ? a : n;
    *hi = b < n ? b : n;
}

// Work below this many floats stays on one thread: waking the pool costs more.
enum { MIN_PART_FLOATS = 1 << 14 };

int nn_parts_for(size_t floats) {
    size_t parts = floats / MIN_PART_FLOATS;
    if (parts > (size_t)n_threads) parts = (size_t)n_threads;
    return parts < 1 ? 1 : (int)parts;
}

// nn_parallel_range: part p of the region takes items [lo, hi) of [0, n).
typedef struct {
    nn_range_fn fn;
    void *ctx;
    int n;
} range_job;

static void range_part(void *ctx, int part, int parts) {
    const range_job *j = ctx;
    int lo, hi;
    nn_part_range(j->n, 1, part, parts, &lo, &hi);
    if (lo < hi) j->fn(j->ctx, lo, hi);
}

void nn_parallel_range(int n, size_t floats_per_item, nn_range_fn fn, void *ctx) {
    if (n <= 0) return;
    int parts = nn_parts_for((size_t)n * floats_per_item);
    if (parts > n) parts = n;
    if (parts <= 1) {
        fn(ctx, 0, n);
        return;
    }
    range_job j = {fn, ctx, n};
    nn_parallel(range_part, &j, parts);
}

#if !defined(NN_THREADS)

int nn_set_threads(int n) {
    if (n == 1) return NN_OK;
    return nn_fail(NN_ERR_ARG, NN_R_THREADS_NONE, NN_I("n", n));
}

void nn_parallel(nn_part_fn fn, void *ctx, int parts) {
    for (int p = 0; p < parts; p++) fn(ctx, p, parts);
}

#else

// Iterations a thread spins before it sleeps (a few tens of microseconds).
enum { SPIN = 20000 };

static struct {
    pthread_t thread[NN_MAX_THREADS];
    int started;                  // pool threads running (n_threads - 1 at most used)
    pthread_mutex_t lock;
    pthread_cond_t wake;          // a new region, for sleeping pool threads
    pthread_cond_t done;          // the last part finished, for a sleeping caller
    atomic_uint region;           // incremented for each region
    atomic_int pending;           // pool threads still in the region
    nn_part_fn fn;
    void *ctx;
    int parts;
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER,
          .done = PTHREAD_COND_INITIALIZER};

static inline void relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

static void *pool_main(void *arg) {
    const int id = (int)(size_t)arg; // 1 .. NN_MAX_THREADS - 1
    unsigned seen = 0;
    for (;;) {
        unsigned r;
        int spins = 0;
        while ((r = atomic_load_explicit(&pool.region, memory_order_acquire)) == seen && spins < SPIN) {
            relax();
            spins++;
        }
        if (r == seen) {
            pthread_mutex_lock(&pool.lock);
            while ((r = atomic_load_explicit(&pool.region, memory_order_acquire)) == seen)
                pthread_cond_wait(&pool.wake, &pool.lock);
            pthread_mutex_unlock(&pool.lock);
        }
        seen = r;
        if (id < pool.parts) pool.fn(pool.ctx, id, pool.parts);
        if (atomic_fetch_sub_explicit(&pool.pending, 1, memory_order_acq_rel) == 1) {
            pthread_mutex_lock(&pool.lock);
            pthread_cond_signal(&pool.done);
            pthread_mutex_unlock(&pool.lock);
        }
    }
    return NULL;
}

int nn_set_threads(int n) {
    if (n < 1 || n > NN_MAX_THREADS)
        return nn_fail(NN_ERR_ARG, NN_R_THREADS_RANGE, NN_I("max", NN_MAX_THREADS), NN_I("n", n));
    while (pool.started < n - 1) {
        int id = pool.started + 1;
        if (pthread_create(&pool.thread[id - 1], NULL, pool_main, (void *)(size_t)id) != 0)
            return nn_fail(NN_ERR_NOMEM, NN_R_THREADS_START, NN_I("k", id + 1), NN_I("n", n));
        pthread_detach(pool.thread[id - 1]);
        pool.started++;
    }
    n_threads = n;
    return NN_OK;
}

// Every started pool thread takes part in every region (those past `parts`
// only check in), so that none can miss a region and see the next one early.
void nn_parallel(nn_part_fn fn, void *ctx, int parts) {
    if (parts > n_threads) parts = n_threads;
    if (parts <= 1 || pool.started == 0) {
        for (int p = 0; p < parts; p++) fn(ctx, p, parts);
        return;
    }
    pool.fn = fn;
    pool.ctx = ctx;
    pool.parts = parts;
    atomic_store_explicit(&pool.pending, pool.started, memory_order_relaxed);
    pthread_mutex_lock(&pool.lock);
    atomic_fetch_add_explicit(&pool.region, 1, memory_order_release);
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.lock);

    fn(ctx, 0, parts);

    int spins = 0;
    while (atomic_load_explicit(&pool.pending, memory_order_acquire) != 0 && spins < SPIN) {
        relax();
        spins++;
    }
    if (atomic_load_explicit(&pool.pending, memory_order_acquire) != 0) {
        pthread_mutex_lock(&pool.lock);
        while (atomic_load_explicit(&pool.pending, memory_order_acquire) != 0)
            pthread_cond_wait(&pool.done, &pool.lock);
        pthread_mutex_unlock(&pool.lock);
    }
}

#endif
