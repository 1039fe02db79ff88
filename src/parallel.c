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
 * up to a millisecond after each region, because the next one usually follows
 * in microseconds (the next GEMM of the step), then sleeps on a condition
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
#include <time.h>
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

// A few dozen products and passes of a step's sizes on every thread: in a
// browser each pool thread runs the module in a Web Worker of its own, whose
// first minutes of code run unoptimised (V8 compiles hot wasm functions again
// later), which cost the first 50 steps of an MLP epoch 7 instead of 0.7 ms
// each on 2 threads. Run once after the pool is made, before training.
void nn_warm_up(void) {
    enum { M = 64, N = 256, K = 256, ROUNDS = 60 };
    static float a[M * K], b[K * N], c[M * N]; // zeros: the values do not matter
    for (int r = 0; r < ROUNDS; r++) {
        nn_gemm(r & 1, 0, M, N, K, a, (r & 1) ? M : K, b, N, 0.0f, c, N);
        nn_gemm(0, r & 1, M, N, K, a, K, b, (r & 1) ? K : N, 1.0f, c, N);
        nn_activation_forward(NN_ACT_RELU, M, N, c, c);
        nn_activation_backward(NN_ACT_RELU, M, N, c, c, c, c);
    }
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

// How long a thread spins before it sleeps. A pool thread waits for the next
// region, which within a step follows in microseconds (the next GEMM, after a
// bias or a loss the caller computes alone); waking a sleeping thread costs
// tens of microseconds natively and more in a browser (Atomics.wait/notify),
// which on the small CNN's many short regions cost more than the second
// thread gave. Between the page's 25 ms slices the pool does sleep.
enum { SPIN_NS = 1000000 };

static struct {
    pthread_t thread[NN_MAX_THREADS];
    int started;                  // pool threads running (n_threads - 1 at most used)
    pthread_mutex_t lock;
    pthread_cond_t wake;          // a new region, for sleeping pool threads
    pthread_cond_t done;          // the last part finished, for a sleeping caller
    atomic_uint region;           // incremented for each region
    atomic_int pending;           // pool threads still in the region
    atomic_int sleepers;          // pool threads asleep (or going to sleep) on `wake`
    atomic_int caller_sleeps;     // the caller is asleep (or going to sleep) on `done`
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

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

// Spin until done() or spin_ns have passed (the clock read every 64 turns);
// whether it is done.
static int spin_until(int (*done)(void), long long spin_ns) {
    long long end = 0;
    for (unsigned i = 0;; i++) {
        if (done()) return 1;
        if ((i & 63) == 0) {
            long long t = now_ns();
            if (!end) end = t + spin_ns;
            else if (t > end) return 0;
        }
        relax();
    }
}

static _Thread_local unsigned my_seen;
static int region_moved(void) { return atomic_load(&pool.region) != my_seen; }
static int all_done(void) { return atomic_load(&pool.pending) == 0; }

// The sleeper counts make the caller skip the lock and the wake-up call when
// nobody sleeps (the usual case within a step). Each side announces itself
// and then checks (sequentially consistent atomics), so one of the two always
// sees the other: a region is never missed, nor the end of one.
static void *pool_main(void *arg) {
    const int id = (int)(size_t)arg; // 1 .. NN_MAX_THREADS - 1
    for (;;) {
        if (!spin_until(region_moved, SPIN_NS)) {
            pthread_mutex_lock(&pool.lock);
            atomic_fetch_add(&pool.sleepers, 1);
            while (!region_moved()) pthread_cond_wait(&pool.wake, &pool.lock);
            atomic_fetch_sub(&pool.sleepers, 1);
            pthread_mutex_unlock(&pool.lock);
        }
        my_seen = atomic_load(&pool.region);
        if (id < pool.parts) pool.fn(pool.ctx, id, pool.parts);
        if (atomic_fetch_sub(&pool.pending, 1) == 1 && atomic_load(&pool.caller_sleeps)) {
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
    atomic_store(&pool.pending, pool.started);
    atomic_fetch_add(&pool.region, 1);
    if (atomic_load(&pool.sleepers) > 0) {
        pthread_mutex_lock(&pool.lock);
        pthread_cond_broadcast(&pool.wake);
        pthread_mutex_unlock(&pool.lock);
    }

    fn(ctx, 0, parts);

    if (!spin_until(all_done, SPIN_NS)) {
        pthread_mutex_lock(&pool.lock);
        atomic_store(&pool.caller_sleeps, 1);
        while (!all_done()) pthread_cond_wait(&pool.done, &pool.lock);
        atomic_store(&pool.caller_sleeps, 0);
        pthread_mutex_unlock(&pool.lock);
    }
}

#endif
