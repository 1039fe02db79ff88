/*
 * nnlab.h — the one public header of the nnlab training core.
 *
 * A small C11 library that trains feed-forward networks with Keras semantics:
 * Input(n) followed by Dense / Activation / Dropout layers, compiled with a
 * Keras loss and optimizer, fitted with mini-batches. It is built natively
 * (tests, CLI, benchmarks) and with Emscripten for the browser.
 *
 * Conventions
 *  - Every function that can fail returns NN_OK (0) or a negative nn_status;
 *    nn_last_error() then holds a sentence a student understands, and
 *    nn_last_reason() its code and params, for a page in another language.
 *  - The library never prints and never exits.
 *  - Matrices are row-major float32. Shape comments read (rows, cols).
 *  - Images stay uint8 in memory and are scaled to [0,1] per batch.
 */
#ifndef NNLAB_H
#define NNLAB_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// ---------------------------------------------------------------------------
// Status and errors

typedef enum nn_status {
    NN_OK = 0,
    NN_ERR_ARG = -1,      // an argument or setting is impossible
    NN_ERR_NOMEM = -2,    // an allocation failed or would be too large
    NN_ERR_IO = -3,       // a file could not be opened, read or written
    NN_ERR_FORMAT = -4,   // a file's contents are not what they should be
    NN_ERR_DIVERGED = -5, // the loss became NaN or Inf
    NN_ERR_STATE = -6     // a call made at the wrong time (e.g. fit before compile)
} nn_status;

// The last error as a human sentence ("" when none). Thread-local where possible.
const char *nn_last_error(void);
// Why, as a code a program can translate (the page does): the stable key of
// the reason ("idx.truncated"; "" when the sentence has none), and its params
// as a JSON object ({"name": "train-images", "len": "3"}): strings, or for a
// word or an error inside this one, {"reason": key, "params": {...}}. The
// sentence is the reason's English template filled with the same params; the
// reasons are listed in src/reasons.h.
const char *nn_last_reason(void);
const char *nn_last_reason_params(void);
// Set the last error (printf-style), without a reason, and return `status`,
// so callers can write `return nn_set_error(NN_ERR_ARG, "...", ...)`. The
// library itself fails with a reason (nn_fail, src/reasons.h); this is for
// programs built on it, such as the CLI.
int nn_set_error(int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void nn_clear_error(void);

// ---------------------------------------------------------------------------
// Random numbers: one seed fixes initialisation, shuffling and dropout.

typedef struct nn_rng {
    uint64_t state; // PCG32 state
    uint64_t inc;   // PCG32 stream (odd)
} nn_rng;

void nn_rng_seed(nn_rng *r, uint64_t seed);
uint32_t nn_rng_u32(nn_rng *r);
float nn_rng_uniform(nn_rng *r);                 // [0, 1)
float nn_rng_normal(nn_rng *r);                  // standard normal
float nn_rng_truncated_normal(nn_rng *r);        // standard normal, resampled outside ±2
void nn_rng_shuffle(nn_rng *r, int32_t *idx, int n); // Fisher-Yates

// ---------------------------------------------------------------------------
// Threads (src/parallel.c). The work of a step is split by output between a
// persistent pool of threads: each output element is computed by one thread, in
// the same order whatever their number, so results are bit-identical for any
// count. Native builds and the browser's threads module have threads; the
// single-thread module accepts only 1.

#define NN_MAX_THREADS 16
// NN_OK, or NN_ERR_ARG outside 1..NN_MAX_THREADS (or above 1 without threads).
int nn_set_threads(int n);
int nn_threads(void);
// Runs a few products and passes on every thread (~50 ms), so that a browser's
// pool workers have optimised code before training starts.
void nn_warm_up(void);
// part `part` of `parts` of a region; the parts write disjoint outputs.
typedef void (*nn_part_fn)(void *ctx, int part, int parts);
// Runs fn(ctx, p, parts) for every p < min(parts, nn_threads()) and returns
// when all are done; part 0 runs on the caller.
void nn_parallel(nn_part_fn fn, void *ctx, int parts);
// [*lo, *hi): part `part` of `parts` of [0, n), cut at multiples of `unit`.
void nn_part_range(int n, int unit, int part, int parts, int *lo, int *hi);
// How many parts a pass over `floats` floats is worth (1 below ~16k floats).
int nn_parts_for(size_t floats);
// fn(ctx, lo, hi) over parts of [0, n) (items: images, rows), as many parts as
// n · floats_per_item floats of work are worth; one call [0, n) on one thread.
typedef void (*nn_range_fn)(void *ctx, int lo, int hi);
void nn_parallel_range(int n, size_t floats_per_item, nn_range_fn fn, void *ctx);

// ---------------------------------------------------------------------------
// Kernels (src/kernels/). One signature for every GEMM:
//   C(M, N) = beta * C + op(A)(M, K) · op(B)(K, N)
// op(X) is X or Xᵀ (ta / tb non-zero). lda, ldb, ldc are row strides of the
// matrices as stored. beta is 0 or 1; with beta == 0, C is only written (NaN in
// C does not leak). nn_gemm picks the fastest kernel compiled in (wasm_simd128
// under __wasm_simd128__, the blocked scalar kernel otherwise); the naive
// reference is the test oracle.

typedef void (*nn_gemm_fn)(int ta, int tb, int M, int N, int K, const float *A, int lda,
                           const float *B, int ldb, float beta, float *C, int ldc);
void nn_gemm(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B, int ldb,
             float beta, float *C, int ldc);
void nn_f32_gemm__ref(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B,
                      int ldb, float beta, float *C, int ldc);
void nn_f32_gemm__scalar(int ta, int tb, int M, int N, int K, const float *A, int lda,
                         const float *B, int ldb, float beta, float *C, int ldc);
#ifdef __wasm_simd128__
void nn_f32_gemm__wasmsimd(int ta, int tb, int M, int N, int K, const float *A, int lda,
                           const float *B, int ldb, float beta, float *C, int ldc);
#endif
// Name of the kernel nn_gemm uses ("wasmsimd", "scalar").
const char *nn_gemm_kernel_name(void);

// y(M, N) += bias(N) broadcast over rows
void nn_add_bias(int M, int N, float *y, const float *bias);
// db(N) = sum over rows of dy(M, N)   (overwrites db)
void nn_sum_rows(int M, int N, const float *dy, float *db);

// ---------------------------------------------------------------------------
// Activations (Keras names). Softmax works row-wise over `cols`.

typedef enum nn_activation {
    NN_ACT_LINEAR = 0,
    NN_ACT_RELU,
    NN_ACT_SIGMOID,
    NN_ACT_TANH,
    NN_ACT_SOFTMAX,
    NN_ACT_ELU,
    NN_ACT_SELU,
    NN_ACT_GELU,
    NN_ACT_SWISH, // also "silu"
    NN_ACT_LEAKY_RELU,
    NN_ACT_SOFTPLUS,
    NN_ACT_SOFTSIGN,
    NN_ACT_HARD_SIGMOID,
    NN_ACT_COUNT
} nn_activation;

// Keras name of an activation ("relu"); and the reverse (accepts "silu"). -1 if unknown.
const char *nn_activation_name(nn_activation a);
int nn_activation_from_name(const char *name);

// y = f(x) for `rows` rows of `cols` values; x and y may alias.
void nn_activation_forward(nn_activation a, int rows, int cols, const float *x, float *y);
// dx = dy * f'(x), computed from the input x and output y of the forward pass.
// dx may alias dy. For softmax this is the full row Jacobian product.
void nn_activation_backward(nn_activation a, int rows, int cols, const float *x, const float *y,
                            const float *dy, float *dx);

// ---------------------------------------------------------------------------
// Losses. Targets are given as integer labels; one-hot targets for the
// categorical / MSE / binary losses are made per batch (nn_to_categorical).

typedef enum nn_loss {
    NN_LOSS_CATEGORICAL_CROSSENTROPY = 0,
    NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY,
    NN_LOSS_MEAN_SQUARED_ERROR,
    NN_LOSS_BINARY_CROSSENTROPY,
    NN_LOSS_COUNT
} nn_loss;

const char *nn_loss_name(nn_loss l);
int nn_loss_from_name(const char *name); // accepts "mse" too; -1 if unknown

#define NN_EPSILON 1e-7f // Keras backend.epsilon(), used to clip probabilities

// Mean loss over `rows` samples of predictions p (rows, cols).
//   one-hot losses read `onehot` (rows, cols); sparse reads `labels` (rows).
// If `dp` is not NULL it receives d(mean loss)/dp (rows, cols).
float nn_loss_forward_backward(nn_loss l, int rows, int cols, const float *p,
                               const float *onehot, const uint8_t *labels, float *dp);
// The fused, numerically stable gradient of (softmax + cross-entropy) with
// respect to the logits: dz = (p - y) / rows. p is the softmax output.
void nn_softmax_crossentropy_backward(int rows, int cols, const float *p, const float *onehot,
                                      const uint8_t *labels, float *dz);

// Whether an output of `outputs` units can be fitted with loss `l` on data of
// `n_classes` classes, as Keras's shape check: the one-hot losses need one
// unit per class (mean_squared_error and binary_crossentropy also take a
// single unit for two classes, the label being the target), the sparse loss
// at least one unit per class. NN_OK, or NN_ERR_ARG with a sentence that says
// which Dense layer to end the model with.
int nn_loss_check_outputs(nn_loss l, int outputs, int n_classes);

// The loss whose gradient that is: mean of -Σ y log softmax(z) computed from
// the logits z (rows, cols) with a stable log-softmax, unclipped (as Keras's
// TensorFlow backend does for a softmax output). Targets as for the loss.
float nn_softmax_crossentropy_from_logits(int rows, int cols, const float *z, const float *onehot,
                                          const uint8_t *labels);

// out(n, n_classes) = one-hot of labels(n). Fails if a label >= n_classes.
int nn_to_categorical(const uint8_t *labels, int n, int n_classes, float *out);

// ---------------------------------------------------------------------------
// Optimizers: each is one loop over a flat parameter array.
// t is the 1-based step count after this update.

typedef enum nn_optimizer_kind {
    NN_OPT_SGD = 0,
    NN_OPT_ADAM,
    NN_OPT_RMSPROP,
    NN_OPT_ADAMAX,
    NN_OPT_ADAGRAD,
    NN_OPT_NADAM,
    NN_OPT_COUNT
} nn_optimizer_kind;

typedef struct nn_optimizer {
    nn_optimizer_kind kind; // which update rule
    float learning_rate;    // Keras default: 0.01 for sgd, 0.001 for the others
    float beta_1;           // adam/adamax/nadam first-moment decay (0.9)
    float beta_2;           // adam/adamax/nadam second-moment decay (0.999)
    float epsilon;          // 1e-7 for every Keras optimizer
    float momentum;         // sgd momentum (0.0)
    int nesterov;           // sgd Nesterov momentum (0)
    float rho;              // rmsprop decay (0.9)
    float initial_accumulator_value; // adagrad (0.1)
} nn_optimizer;

const char *nn_optimizer_name(nn_optimizer_kind k);
int nn_optimizer_from_name(const char *name); // -1 if unknown
// Keras defaults for an optimizer kind.
nn_optimizer nn_optimizer_defaults(nn_optimizer_kind k);
// The settings compile accepts (Keras 3's ranges): learning rate > 0,
// momentum in [0, 1], beta_1, beta_2 and rho in [0, 1), epsilon and
// initial_accumulator_value >= 0. NN_OK, or NN_ERR_ARG naming the setting.
int nn_optimizer_check(const nn_optimizer *o);
// 1 when the learning rate is far above the optimizer's usual range:
// lr > 100 x Keras's default for the kind, i.e. above 1.0 for sgd and above
// 0.1 for the others. Such a rate usually makes the loss diverge or leaves
// the accuracy at chance; a reason to warn, not to refuse.
int nn_optimizer_lr_is_high(const nn_optimizer *o);

void nn_sgd_update(size_t n, float *w, const float *g, float *m, float lr, float momentum,
                   int nesterov);
void nn_adam_update(size_t n, float *w, const float *g, float *m, float *v, float lr, float b1,
                    float b2, float eps, int64_t t);
void nn_rmsprop_update(size_t n, float *w, const float *g, float *v, float lr, float rho,
                       float eps);
void nn_adamax_update(size_t n, float *w, const float *g, float *m, float *u, float lr, float b1,
                      float b2, float eps, int64_t t);
void nn_adagrad_update(size_t n, float *w, const float *g, float *acc, float lr, float eps);
// Keras 3 Nadam keeps a running product of momentum schedules: *u_product
// (starts at 1) is updated by the call.
void nn_nadam_update(size_t n, float *w, const float *g, float *m, float *v, float lr, float b1,
                     float b2, float eps, int64_t t, float *u_product);
// Number of per-parameter state arrays an optimizer needs (0, 1 or 2).
int nn_optimizer_slots(const nn_optimizer *o);
// Initial value of the state arrays (0, or adagrad's initial accumulator).
float nn_optimizer_slot_init(const nn_optimizer *o, int slot);
// One update of all n parameters; t is the 1-based step; u_product for nadam.
void nn_optimizer_apply(const nn_optimizer *o, size_t n, float *w, const float *g, float *s0,
                        float *s1, int64_t t, float *u_product);

// ---------------------------------------------------------------------------
// Data: IDX files (MNIST format) and datasets.

typedef struct nn_idx {
    int type;         // element type code: 0x08 (unsigned byte) is the only one accepted
    int ndim;         // 1 (labels) or 3 (images)
    int dims[3];      // sizes, outermost first
    size_t count;     // number of elements = product of dims
    uint8_t *data;    // count bytes, owned (free with nn_idx_free)
} nn_idx;

// Parse an IDX file held in memory. `name` is used in error messages
// ("train-images"). Validates magic, dimensions, overflow and length.
// Native builds (with zlib, NN_HAVE_ZLIB) unpack gzipped bytes first; the
// wasm build refuses them with "is the file still gzipped?".
int nn_idx_parse(const uint8_t *bytes, size_t len, const char *name, nn_idx *out);
// The same for a file, raw or (native builds) gzipped.
int nn_idx_load(const char *path, nn_idx *out);
// The file to read for `path`: path itself when it can be opened, else
// "<path>.gz" when that can be and this build reads gzip, else path. Written
// into buf (size bytes); returns buf. The dataset loaders use it, so a data
// directory may hold train-images-idx3-ubyte.gz.
const char *nn_idx_path(const char *path, char *buf, size_t size);
// Read a whole file (up to 2 GiB) into a malloc'd buffer; free with free().
int nn_read_file(const char *path, uint8_t **out, size_t *len);
void nn_idx_free(nn_idx *x);

typedef struct nn_dataset {
    int n;             // number of samples
    int rows, cols;    // image size (28, 28 for MNIST)
    int features;      // rows * cols
    int n_classes;     // 1 + largest label (10 for MNIST), or as set
    uint8_t *images;   // (n, features) pixels 0..255, owned
    uint8_t *labels;   // (n) class indices, owned
} nn_dataset;

// Build a dataset from an images IDX (ndim 3) and a labels IDX (ndim 1).
// Takes ownership of both buffers on success (the idx structs are emptied).
int nn_dataset_from_idx(nn_idx *images, nn_idx *labels, nn_dataset *out);
// The same, naming the two files in its messages (user-chosen files).
int nn_dataset_from_idx_named(nn_idx *images, nn_idx *labels, const char *images_name,
                              const char *labels_name, nn_dataset *out);
// Load an images file and a labels file (each through nn_idx_path). *out is
// written only on success.
int nn_dataset_load_files(const char *images_path, const char *labels_path, nn_dataset *out);
// Load "<dir>/<prefix>-images-idx3-ubyte" and "...-labels-idx1-ubyte";
// prefix is "train" or "t10k". *out is written only on success.
int nn_dataset_load_mnist(const char *dir, const char *prefix, nn_dataset *out);
// A test set must have the training images' size and only the training
// classes (0 to the largest training label); on success test->n_classes
// becomes the training count. Messages name the files.
int nn_dataset_check_test(const nn_dataset *train, const char *train_images,
                          const char *train_labels, nn_dataset *test, const char *test_images,
                          const char *test_labels);
// A copy of samples [start, start + count) of src.
int nn_dataset_slice(const nn_dataset *src, int start, int count, nn_dataset *out);
void nn_dataset_free(nn_dataset *d);
// x(count, features) = images[idx[i]] / 255, for i < count (idx NULL: consecutive from 0).
void nn_dataset_gather(const nn_dataset *d, const int32_t *idx, int count, float *x,
                       uint8_t *labels);

// ---------------------------------------------------------------------------
// Layers

// Shapes of one sample, NHWC as Keras and TensorFlow.js: height, width,
// channels. A flat vector of n values is (1, 1, n), so NHWC memory is already
// in the order Keras's Flatten gives, and a Dense layer after Flatten has its
// kernel rows in Keras's order.
typedef struct nn_shape {
    int h, w, c; // height, width, channels (a flat vector: 1, 1, n)
} nn_shape;

nn_shape nn_shape_flat(int n);         // (1, 1, n)
size_t nn_shape_size(nn_shape s);      // h * w * c
int nn_shape_is_flat(nn_shape s);      // h == 1 and w == 1
// Keras's way of printing a batch shape: "(None, 784)" for a flat shape,
// "(None, 26, 26, 32)" otherwise. Returns buf.
char *nn_shape_format(nn_shape s, char *buf, size_t size);

// The kinds, in the order their numbers have in model files (never reorder).
typedef enum nn_layer_kind {
    NN_LAYER_DENSE = 0,
    NN_LAYER_ACTIVATION,
    NN_LAYER_DROPOUT,
    NN_LAYER_FLATTEN,
    NN_LAYER_CONV2D,
    NN_LAYER_MAX_POOLING2D,
    NN_LAYER_AVERAGE_POOLING2D,
    NN_LAYER_BATCH_NORMALIZATION,
    NN_LAYER_KIND_COUNT
} nn_layer_kind;

typedef enum nn_initializer {
    NN_INIT_GLOROT_UNIFORM = 0,
    NN_INIT_GLOROT_NORMAL,
    NN_INIT_HE_NORMAL,
    NN_INIT_HE_UNIFORM,
    NN_INIT_ZEROS,
    NN_INIT_COUNT
} nn_initializer;

const char *nn_initializer_name(nn_initializer i);
int nn_initializer_from_name(const char *name); // -1 if unknown

// Dense: y(B, out) = act(x(B, in) · w(in, out) + b(out)); z keeps the pre-activation.
void nn_dense_forward(float *z, float *y, const float *x, const float *w, const float *b, int B,
                      int in, int out, nn_activation act);
// Given dz (B, out) (the gradient w.r.t. the pre-activation), accumulate nothing:
// dw(in, out) = xᵀ·dz, db(out) = sum rows dz, and dx(B, in) = dz·wᵀ when dx is not NULL.
void nn_dense_backward(float *dx, float *dw, float *db, const float *dz, const float *x,
                       const float *w, int B, int in, int out);

// --- Convolution, pooling and batch normalization kernels (src/layers/conv2d.c, pool.c, batchnorm.c)
// Images are NHWC as in Keras and TF.js: x is (B, h, w, c), so Flatten needs no
// kernel (the memory is already in Keras's flatten order). Every buffer comes
// from the caller; the *_floats / *_ints helpers give their sizes so work
// memory is sized once per batch size. Activations are applied by the caller,
// as for Dense (nn_activation_forward / backward).

typedef enum nn_padding {
    NN_PADDING_VALID = 0, // only windows that fit inside the input
    NN_PADDING_SAME       // TF's SAME: out = ceil(in / stride), zeros around the input
} nn_padding;

const char *nn_padding_name(nn_padding p); // "valid", "same"
int nn_padding_from_name(const char *name); // -1 (with a sentence) if unknown

// Window geometry shared by Conv2D and the pooling layers (Keras's
// compute_conv_output_shape / compute_pooling_output_shape).
typedef struct nn_window {
    int h, w;              // input height and width
    int kh, kw;            // kernel (Conv2D) or pool size (pooling)
    int sh, sw;            // strides
    nn_padding padding;    // valid or same
    int pad_top, pad_left; // rows / columns of zeros before the input ("same": pad_total / 2,
                           // the odd one goes to the bottom / right as in TF); 0 for "valid"
    int oh, ow;            // output height and width (>= 1)
} nn_window;

// Fill *g for an input of h x w. `layer` is the Keras class ("Conv2D",
// "MaxPooling2D", "AveragePooling2D"), used in the sentence. NN_ERR_ARG when a
// size or stride is < 1, or the window does not fit ("valid" and kernel > input);
// *g is only written on success.
int nn_window_init(nn_window *g, const char *layer, int h, int w, int kh, int kw, int sh, int sw,
                   nn_padding padding);

// Conv2D: y(B·oh·ow, f) = col · W + b, col = im2col(x), W is Keras's kernel
// (kh, kw, c, f) read as a (kh·kw·c, f) matrix (export is a plain copy).
// col is work memory of nn_conv2d_col_floats floats; backward rebuilds col
// from x rather than keeping forward's (see conv2d.c), so one col buffer, sized
// for the largest convolution, serves every Conv2D layer of a model.
size_t nn_conv2d_col_floats(const nn_window *g, int B, int c); // (B·oh·ow, kh·kw·c)
// y is (B, oh, ow, f), col is work (nn_conv2d_col_floats), x is (B, h, w, c),
// w is (kh, kw, c, f), b is (f)
void nn_conv2d_forward(float *y, float *col, const float *x, const float *w, const float *b,
                       const nn_window *g, int B, int c, int f);
// dx is (B, h, w, c) or NULL (first layer), overwritten; dw is (kh, kw, c, f) and
// db is (f), overwritten; col holds what nn_conv2d_forward left in it for this
// x (its im2col), clobbered;
// dy is (B, oh, ow, f) the gradient w.r.t. the pre-activation output;
// x is (B, h, w, c) forward's input, w is (kh, kw, c, f)
void nn_conv2d_backward(float *dx, float *dw, float *db, float *col, const float *dy,
                        const float *x, const float *w, const nn_window *g, int B, int c, int f);

// MaxPooling2D: the max over the window's input positions (padding never wins).
// argmax holds, per output, the flat index into x (b, y, x, ch) of the winner;
// ties go to the first position in row-major window order, as TF's CPU kernel.
// Flat indices are int32: B·h·w·c must stay below 2^31.
size_t nn_maxpool2d_argmax_ints(const nn_window *g, int B, int c); // (B, oh, ow, c)
// y is (B, oh, ow, c), argmax is (B, oh, ow, c), x is (B, h, w, c)
void nn_maxpool2d_forward(float *y, int32_t *argmax, const float *x, const nn_window *g, int B,
                          int c);
// dx is (B, h, w, c), overwritten; dy is (B, oh, ow, c); argmax from forward
void nn_maxpool2d_backward(float *dx, const float *dy, const int32_t *argmax, const nn_window *g,
                           int B, int c);

// AveragePooling2D: the mean over the window's input positions; with "same"
// padding the divisor counts only the positions inside the input (as TF).
// y is (B, oh, ow, c), x is (B, h, w, c)
void nn_avgpool2d_forward(float *y, const float *x, const nn_window *g, int B, int c);
// dx is (B, h, w, c), overwritten; dy is (B, oh, ow, c)
void nn_avgpool2d_backward(float *dx, const float *dy, const nn_window *g, int B, int c);

// BatchNormalization(axis=-1): x is read as (N, c) with N = B·h·w (N = B for a
// (B, n) input, c = n). Keras defaults: momentum 0.99, epsilon 1e-3.
#define NN_BN_MOMENTUM 0.99f
#define NN_BN_EPSILON 1e-3f
size_t nn_batchnorm_save_floats(int c); // (2, c): batch mean, then 1/sqrt(var + eps)
// Training: batch mean and biased variance per channel, y = gamma·x̂ + beta;
// moving_mean/var (c) are updated in place (m = momentum·m + (1 - momentum)·batch).
// y is (N, c), save is (2, c) kept for backward, x is (N, c), gamma and beta are (c)
void nn_batchnorm_forward_train(float *y, float *save, float *moving_mean, float *moving_var,
                                const float *x, const float *gamma, const float *beta, int N, int c,
                                float momentum, float epsilon);
// Inference: the moving statistics instead of the batch's. y is (N, c), x is
// (N, c), gamma, beta, moving_mean, moving_var are (c)
void nn_batchnorm_forward_infer(float *y, const float *x, const float *gamma, const float *beta,
                                const float *moving_mean, const float *moving_var, int N, int c,
                                float epsilon);
// Training-mode backward. dx is (N, c) or NULL, overwritten; dgamma, dbeta are (c),
// overwritten; dy is (N, c); save from forward_train; x is (N, c) forward's input,
// gamma is (c)
void nn_batchnorm_backward(float *dx, float *dgamma, float *dbeta, const float *dy,
                           const float *save, const float *x, const float *gamma, int N, int c);
// Inverted dropout: y = x * mask, mask = 0 or 1/(1-rate). Training only.
void nn_dropout_forward(float *y, float *mask, const float *x, int n, float rate, nn_rng *rng);
void nn_dropout_backward(float *dx, const float *dy, const float *mask, int n);

// ---------------------------------------------------------------------------
// Model

#define NN_MAX_LAYERS 32
#define NN_MAX_UNITS 65536

// What the user asked for. The first five fields are today's Dense /
// Activation / Dropout settings; fields a kind does not use stay zero.
typedef struct nn_layer_spec {
    nn_layer_kind kind;        // which entry of the layer table
    int units;                 // Dense: output width
    nn_activation activation;  // Dense and Conv2D (after the affine map), Activation
    nn_initializer kernel_initializer; // Dense and Conv2D kernel; the bias is always zeros
    float rate;                // Dropout: fraction of inputs dropped while training
    int filters;               // Conv2D: output channels
    int kernel_h, kernel_w;    // Conv2D kernel size; pooling window (pool_size)
    int stride_h, stride_w;    // Conv2D strides (1); pooling strides (pool_size)
    nn_padding padding;        // Conv2D and pooling
} nn_layer_spec;

// Layer list syntax shared by the CLI and the page:
//   "100:relu,10:softmax"       Dense(units, activation) — activation defaults to linear
//   "100:relu:he_normal"        with a kernel initializer
//   "dropout:0.2"               Dropout(rate)
//   "activation:tanh" or "relu" Activation layer
//   "conv2d:32:3:relu"          Conv2D(filters, kernel 3x3, activation), padding valid, stride 1
//   "conv2d:32:3:relu:same", "conv2d:32:5x5:relu:valid:2"   padding, then strides
//   "maxpool:2", "avgpool:2"    Max/AveragePooling2D(pool_size), strides = pool_size;
//                               "maxpool:2:1:same" gives strides and padding
//   "flatten", "batchnorm"      Flatten, BatchNormalization
// Returns the number of layers parsed (<= max) or a negative status.
int nn_parse_layers(const char *text, nn_layer_spec *specs, int max);
// Writes the same syntax back; returns NN_OK or NN_ERR_ARG if it does not fit.
int nn_format_layers(const nn_layer_spec *specs, int n, char *buf, size_t size);

typedef struct nn_layer nn_layer;

// One entry of the layer table (src/layer_table.c): everything the model,
// the summary, the file format and the glue need to know about a kind, so
// none of them switches on kinds. Sizes are per sample; B is the batch.
typedef struct nn_layer_ops {
    const char *keras_class; // "Conv2D": summary, errors, export
    const char *keras_name;  // "conv2d": base of the layer names Keras gives (conv2d, conv2d_1)
    // How the layer's activation works: 0 it has none, 1 it applies
    // spec.activation after its own map and keeps the pre-activation z (Dense,
    // Conv2D), 2 the layer is the activation (Activation). The model does the
    // activation's backward (and skips it for a fused softmax output).
    int activation;
    int wants_image;         // needs an image (h, w, c) input: the model keeps the data's shape
    // Output shape for input shape `in`, or NN_ERR_ARG with the sentence a
    // student reads (the model prefixes "layer N: ").
    int (*infer)(const nn_layer_spec *s, nn_shape in, nn_shape *out);
    // Trainable and non-trainable floats, in 64 bits: the size check runs
    // before anything is allocated, where wasm32's size_t would wrap.
    uint64_t (*n_params)(const nn_layer_spec *s, nn_shape in, nn_shape out);
    uint64_t (*n_state)(const nn_layer_spec *s, nn_shape in, nn_shape out);
    // Work memory beyond y, dy (and z): floats per batch row and fixed floats.
    void (*work)(const nn_layer_spec *s, nn_shape in, nn_shape out, size_t *per_row, size_t *fixed);
    void (*init)(nn_layer *l, nn_rng *rng); // parameters and state (NULL: all zeros)
    // y (and z) from x (B, in); training selects Dropout / BatchNormalization behaviour.
    void (*forward)(nn_layer *l, const float *x, int B, int training, nn_rng *rng);
    // From dy (w.r.t. z when the layer has its own activation): dw, db into
    // the gradient block, and dx (B, in) unless dx is NULL (not needed).
    void (*backward)(nn_layer *l, const float *x, float *dx, int B);
    // Keras's shape of the layer's first weight array (Dense (in, out),
    // Conv2D (kh, kw, c, f), BatchNormalization gamma (c)) into dims; returns
    // how many dims. NULL for a kind without weights.
    int (*kernel_shape)(const nn_layer *l, int *dims);
} nn_layer_ops;

// The table entry of a kind, NULL when the kind is unknown.
const nn_layer_ops *nn_layer_ops_of(nn_layer_kind kind);

struct nn_layer {
    nn_layer_spec spec;       // what the user asked for
    const nn_layer_ops *ops;  // its table entry
    nn_shape in_shape, out_shape; // per-sample shapes
    int in, out;              // input and output floats per sample (h * w * c)
    size_t n_params;          // trainable floats (a view into model->params)
    size_t n_state;           // non-trainable floats (a view into model->state)
    float *w, *b;             // kernel and the per-output-channel second array: Dense and
                              // Conv2D kernel and bias, BatchNormalization gamma and beta
    float *dw, *db;           // their gradients, views into model->grads
    float *state;             // BatchNormalization: moving mean then moving variance
    float *z;                 // pre-activation (B, out) of Dense/Conv2D; equals y when linear
    float *y;                 // batch output (B, out), view into work
    float *dy;                // gradient w.r.t. y (B, out), view into work
    float *scratch;           // the kind's work memory (Dropout's mask, ...): per_row
                              // floats for each row of the batch capacity
    float *fixed;             // the kind's fixed work floats (NULL if none)
};

typedef struct nn_history {
    int epochs;          // epochs recorded
    int capacity;        // allocated length of each array
    float *loss;         // per-epoch running mean of the training loss
    float *accuracy;     // per-epoch training accuracy
    float *val_loss;     // per-epoch validation loss (NaN when no validation)
    float *val_accuracy; // per-epoch validation accuracy (NaN when no validation)
} nn_history;

typedef struct nn_model {
    nn_shape input_shape;    // one sample: (28, 28, 1) for MNIST images, (1, 1, n) for flat data
    int input_size;          // floats per sample (h * w * c: 784 for MNIST)
    int n_layers;            // layers after the input
    nn_layer layers[NN_MAX_LAYERS];
    uint64_t seed;           // seed given at creation
    nn_rng rng;              // drives initialisation, shuffling and dropout

    size_t n_params;         // trainable scalars
    float *params;           // all weights and biases, one block
    float *grads;            // their gradients, same layout
    float *slots[2];         // optimizer state arrays, same layout (NULL if unused)
    size_t n_state;          // non-trainable scalars (BatchNormalization's moving statistics)
    float *state;            // their block: never seen by the optimizer (NULL when n_state is 0)

    int first_dense;         // index of the first layer with parameters: no input gradient is
                             // needed before it
    int compiled;            // compile() has been called
    nn_optimizer optimizer;  // update rule and hyperparameters
    nn_loss loss;            // training loss
    int64_t step;            // optimizer steps taken (Adam's t)
    float nadam_u_product;   // Nadam momentum schedule product

    int batch_capacity;      // rows the work buffers hold
    float *work;             // activations and gradients for one batch, one block
    float *x;                // batch input (batch_capacity, input_size)
    float *onehot;           // batch one-hot targets (batch_capacity, n_classes)
    uint8_t *labels;         // batch labels (batch_capacity)

    nn_history history;      // per-epoch metrics of every fit so far
} nn_model;

// Create a model: Input(shape=(input_size,)) then the layers. Weights are
// initialised from `seed`. Returns NN_OK and fills *out, or an error
// (shapes that do not flow and impossible sizes are refused, with the layer
// and a sentence, before anything large is allocated).
int nn_model_create(nn_model *m, int input_size, const nn_layer_spec *specs, int n_layers,
                    uint64_t seed);
// The same with Input(shape=(h, w, c)).
int nn_model_create_shaped(nn_model *m, nn_shape input, const nn_layer_spec *specs, int n_layers,
                           uint64_t seed);
// Shape inference through the layer table: shapes[0] = input, shapes[i + 1]
// the output of layer i. NN_OK, or NN_ERR_ARG with "layer N: <sentence>".
int nn_model_infer_shapes(nn_shape input, const nn_layer_spec *specs, int n_layers, nn_shape *shapes);
// The input shape a layer list takes for images of rows x cols x channels:
// the image itself when a layer needs one (Conv2D, pooling, Flatten), else
// the flat (1, 1, rows * cols * channels), as a Dense-only model reads MNIST.
nn_shape nn_input_shape_for(const nn_layer_spec *specs, int n_layers, int rows, int cols,
                            int channels);
void nn_model_free(nn_model *m);
// Output width of the model (the last layer's).
int nn_model_output_size(const nn_model *m);
// Bytes the model would need for its parameters, gradients and optimizer
// state plus work buffers for `batch` rows, without allocating.
size_t nn_model_bytes_needed(int input_size, const nn_layer_spec *specs, int n_layers, int batch);

// Weights and history stay; the optimizer state starts fresh (step 0).
int nn_model_compile(nn_model *m, const nn_optimizer *opt, nn_loss loss);
// Compile again keeping the weights and history. With the same optimizer kind
// (and number of state arrays) the optimizer state, step count and Nadam
// product are kept and only the hyperparameters and the loss change, as
// setting model.optimizer.learning_rate in Keras. Otherwise (another kind, or
// not compiled yet) it is nn_model_compile. Returns 0 when the state was
// kept, 1 when it started fresh, or a negative status (model unchanged).
int nn_model_recompile(nn_model *m, const nn_optimizer *opt, nn_loss loss);
// Sizes the work buffers for batches of `rows` (fit does this before its first
// step, so the training step itself never allocates).
int nn_model_reserve_batch(nn_model *m, int rows);

// The Keras summary() table, written into buf (NUL-terminated, truncated to size).
// Returns the number of characters the full table needs (like snprintf).
int nn_model_summary(const nn_model *m, char *buf, size_t size);
// Trainable parameters of a layer (0 for Activation/Dropout/Flatten/pooling).
size_t nn_layer_param_count(const nn_layer *l);
// Keras's shape of a layer's kernel (its first weight array; the second, the
// bias or beta, is l->b with out_shape.c floats) into dims[0..3]: Dense
// (in, out), Conv2D (kh, kw, c, f), BatchNormalization (c). Returns the
// number of dims, 0 for a layer without weights.
int nn_layer_kernel_shape(const nn_layer *l, int dims[4]);
// The name Keras gives layer i of the model ("conv2d", "conv2d_1": numbered
// per class, as in summary()), written into buf; returns buf.
char *nn_model_layer_name(const nn_model *m, int i, char *buf, size_t size);
// Inference (training off, as predict) on one sample x (input_size floats),
// keeping every layer's output: outputs[i] points to layer i's out_shape
// values (h, w, c), inside the model's work block, valid until the model runs
// again. Nothing is allocated. NN_OK or NN_ERR_ARG.
int nn_model_layer_outputs(nn_model *m, const float *x, const float **outputs);

// A model with an image input (28, 28, 1) reads only images of that size: NN_OK
// for a flat input or matching images, else NN_ERR_ARG naming `what` ("training
// data"). The number of values per sample is checked by the callers.
int nn_model_check_image_size(const nn_model *m, const nn_dataset *d, const char *what);

// probs(n, out) for n samples of x(n, input_size), in chunks of the work buffers.
int nn_model_predict(nn_model *m, const float *x, int n, float *probs);
// Same, reading uint8 images of a dataset (scaled to [0,1]).
int nn_model_predict_dataset(nn_model *m, const nn_dataset *d, float *probs);

typedef struct nn_eval_result {
    float loss;     // mean loss over the data
    float accuracy; // fraction classified correctly
} nn_eval_result;

int nn_model_evaluate(nn_model *m, const nn_dataset *d, int batch_size, nn_eval_result *res);
// Part of an evaluation, to run it in pieces: samples [start, start + count)
// of d (checked against the model by the caller), in chunks of the model's
// batch capacity, add their summed loss to *loss_sum and their correct
// predictions to *correct. Pieces that start at multiples of the capacity sum
// in the order nn_model_evaluate does, to the same result.
int nn_model_evaluate_part(nn_model *m, const nn_dataset *d, int start, int count, double *loss_sum,
                           int64_t *correct);

// One optimizer step on a batch x(B, input_size) with labels(B). Reports the
// batch's mean loss and number correct. Returns NN_ERR_DIVERGED (weights
// untouched by this step) when the loss or the gradient is not finite.
int nn_model_train_batch(nn_model *m, const float *x, const uint8_t *labels, int B,
                         float *loss, int *correct);

// ---------------------------------------------------------------------------
// fit(): a state machine, so the browser can run it a few batches at a time
// (pause, resume, one step); nn_fit() runs it to the end with callbacks.

typedef struct nn_progress {
    int epoch;          // 0-based epoch in this fit
    int epochs;         // total epochs of this fit
    int step;           // batches done in this epoch (1-based after a step)
    int steps;          // batches per epoch
    float loss;         // running mean loss over this epoch so far
    float accuracy;     // running accuracy over this epoch so far
    float batch_loss;   // loss of the last batch
    float batch_accuracy; // accuracy of the last batch
} nn_progress;

typedef struct nn_epoch_log {
    int epoch;          // 0-based epoch in this fit
    int epochs;         // total epochs of this fit
    float loss, accuracy;         // running means over the epoch
    float val_loss, val_accuracy; // NaN when there is no validation
} nn_epoch_log;

typedef struct nn_fit_options {
    int epochs;              // Keras default 1; 0 trains nothing
    int batch_size;          // Keras default 32
    int shuffle;             // reshuffle every epoch (default 1)
    float validation_split;  // fraction of the training data held out (last samples, as Keras)
    const nn_dataset *validation_data; // used instead of validation_split when not NULL
    // Called after every batch; return non-zero to stop the fit.
    int (*on_batch)(void *user, const nn_progress *p);
    // Called after every epoch (with validation metrics); non-zero stops.
    int (*on_epoch)(void *user, const nn_epoch_log *log);
    void *user;              // passed to the callbacks
    // 0: an epoch's validation runs inside its last step; 1: in steps of its
    // own (one chunk of the model's batch capacity each), so that a caller
    // running one step at a time (the browser) hears from the fit at least once
    // a chunk. Both give the same metrics.
    int validate_in_steps;
} nn_fit_options;

nn_fit_options nn_fit_defaults(void);

typedef struct nn_fit_state {
    nn_model *model;          // model being trained
    const nn_dataset *train;  // training data (not owned)
    nn_fit_options opt;       // options as given
    int n_train;              // samples used for training (after validation_split)
    int n_val;                // validation samples taken from the end of train
    int32_t *order;           // shuffled indices of training samples (n_train)
    int epoch;                // current epoch (0-based)
    int step;                 // batches done in the current epoch
    int steps;                // batches per epoch (last partial batch included)
    double loss_sum;          // sum of batch loss * batch size this epoch
    int64_t correct;          // correct predictions this epoch
    int64_t seen;             // samples seen this epoch
    nn_progress progress;     // last batch's progress
    nn_epoch_log last_epoch;  // last finished epoch's log
    int validating;           // the epoch's batches are done and its validation runs in steps
    int val_at;               // samples validated so far this epoch
    int val_n;                // samples the epoch validates on (0: no validation)
    double val_loss_sum;      // their summed loss so far
    int64_t val_correct;      // and correct predictions
    int done;                 // all epochs finished, or stopped
    float *snapshot;          // params, optimizer slots and state at the start of the epoch
    int64_t snapshot_step;    // the optimizer step count then
    float snapshot_u_product; // and Nadam's schedule product
} nn_fit_state;

int nn_fit_begin(nn_fit_state *s, nn_model *m, const nn_dataset *train, const nn_fit_options *o);
// Run up to max_steps steps (stopping early at the end of an epoch if
// stop_at_epoch_end): a step is a training batch or, with
// validate_in_steps, one chunk of an epoch's validation (s->validating says
// whether the fit is in that phase). Validation runs and history is appended
// when an epoch ends. Returns the number of steps run (>= 0) or a negative status; on
// NN_ERR_DIVERGED the model is rolled back to its state at the start of the
// epoch (the last one known to be finite) and the fit is over.
int nn_fit_run(nn_fit_state *s, int max_steps, int stop_at_epoch_end);
void nn_fit_end(nn_fit_state *s);
// The whole fit, with callbacks.
int nn_fit(nn_model *m, const nn_dataset *train, const nn_fit_options *o);

// ---------------------------------------------------------------------------
// Model files (.nnl): architecture, compile settings, weights, optimizer state
// and history, little-endian, with a magic, a version and a CRC-32.
// The format is described in src/model_file.c.

#define NN_FILE_MAGIC "NNLAB\x1a\r\n"
#define NN_FILE_VERSION 2 // written; version 1 files (Dense models) are still read

// Serialise into a malloc'd buffer (*out, *len); free with free().
int nn_model_save_buffer(const nn_model *m, uint8_t **out, size_t *len);
// Build a model from a buffer; *m is only written on success.
int nn_model_load_buffer(nn_model *m, const uint8_t *bytes, size_t len, const char *name);
int nn_model_save(const nn_model *m, const char *path);
int nn_model_load(nn_model *m, const char *path);

uint32_t nn_crc32(const uint8_t *data, size_t len);

#ifdef __cplusplus
}
#endif
#endif // NNLAB_H
