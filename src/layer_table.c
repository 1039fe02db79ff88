/*
 * layer_table.c — the one table of layer kinds (kann's kad_op_list,
 * ConvNetJS's layer objects): for each kind its Keras names, shape inference
 * with the sentence a student reads when shapes do not flow, its trainable
 * and non-trainable sizes, its work memory, initialisation and the
 * forward/backward glue from an nn_layer to the kernels in src/layers/.
 *
 * model.c, the summary, the model file and the wasm glue ask this table; only
 * parsing and formatting the layer syntax (layer_spec.c) read a kind's
 * options one by one. A new kind is its kernels in src/layers/ plus one
 * entry here.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "reasons.h"

// ---------------------------------------------------------------------------
// Shapes

nn_shape nn_shape_flat(int n) { return (nn_shape){1, 1, n}; }

size_t nn_shape_size(nn_shape s) { return (size_t)s.h * (size_t)s.w * (size_t)s.c; }

int nn_shape_is_flat(nn_shape s) { return s.h == 1 && s.w == 1; }

char *nn_shape_format(nn_shape s, char *buf, size_t size) {
    if (nn_shape_is_flat(s)) snprintf(buf, size, "(None, %d)", s.c);
    else snprintf(buf, size, "(None, %d, %d, %d)", s.h, s.w, s.c);
    return buf;
}

// ---------------------------------------------------------------------------
// Initialisation (Keras initializers: keras/src/initializers/random_initializers.py)

// n kernel values with the given fans.
static void init_kernel(float *w, size_t n, int fan_in, int fan_out, nn_initializer init, nn_rng *rng) {
    // Keras truncates normals at two standard deviations and rescales so the
    // variance is what was asked for (variance_scaling's 0.8796... constant).
    const float trunc = 0.87962566103423978f;
    switch (init) {
    case NN_INIT_GLOROT_UNIFORM:
    case NN_INIT_HE_UNIFORM: {
        float limit = init == NN_INIT_HE_UNIFORM ? sqrtf(6.0f / fan_in) : sqrtf(6.0f / (fan_in + fan_out));
        for (size_t i = 0; i < n; i++) w[i] = (2.0f * nn_rng_uniform(rng) - 1.0f) * limit;
        break;
    }
    case NN_INIT_GLOROT_NORMAL:
    case NN_INIT_HE_NORMAL: {
        float stddev = init == NN_INIT_HE_NORMAL ? sqrtf(2.0f / fan_in) : sqrtf(2.0f / (fan_in + fan_out));
        stddev /= trunc;
        for (size_t i = 0; i < n; i++) w[i] = nn_rng_truncated_normal(rng) * stddev;
        break;
    }
    default:
        memset(w, 0, n * sizeof *w);
    }
}

// ---------------------------------------------------------------------------
// Checks shared by several kinds

static int check_activation(const nn_layer_spec *s) {
    if ((unsigned)s->activation >= NN_ACT_COUNT) return nn_fail(NN_ERR_ARG, NN_R_LAYER_ACTIVATION);
    return NN_OK;
}

static int check_initializer(const nn_layer_spec *s) {
    if ((unsigned)s->kernel_initializer >= NN_INIT_COUNT) return nn_fail(NN_ERR_ARG, NN_R_LAYER_INITIALIZER);
    return NN_OK;
}

// Conv2D and pooling read an image; a flat input has no height and width.
static int check_image(const char *what, nn_shape in) {
    char shape[48];
    if (nn_shape_is_flat(in))
        return nn_fail(NN_ERR_ARG, NN_R_LAYER_FLAT_INPUT, NN_S("layer", what),
                       NN_S("shape", nn_shape_format(in, shape, sizeof shape)));
    return NN_OK;
}

// The window of a Conv2D or pooling layer on input `in` (the kernel's nn_window_init).
static int window_of(const nn_layer_spec *s, const char *what, nn_shape in, nn_window *g) {
    return nn_window_init(g, what, in.h, in.w, s->kernel_h, s->kernel_w, s->stride_h, s->stride_w, s->padding);
}

// Conv2D and pooling: an image input and a window that fits it, then the output size.
static int infer_window(const char *what, const nn_layer_spec *s, nn_shape in, int c, nn_shape *out) {
    int rc = check_image(what, in);
    if (rc) return rc;
    // Beyond the sizes nn_window_init checks: so that products stay far from overflow.
    if (s->kernel_h > 4096 || s->kernel_w > 4096 || s->stride_h > 4096 || s->stride_w > 4096)
        return nn_fail(NN_ERR_ARG, NN_R_LAYER_WINDOW_MAX, NN_S("layer", what), NN_I("kh", s->kernel_h),
                       NN_I("kw", s->kernel_w), NN_I("sh", s->stride_h), NN_I("sw", s->stride_w));
    nn_window g;
    if ((rc = window_of(s, what, in, &g))) return rc;
    *out = (nn_shape){g.oh, g.ow, c};
    return NN_OK;
}

static uint64_t none(const nn_layer_spec *s, nn_shape in, nn_shape out) { return 0; }

static void no_work(const nn_layer_spec *s, nn_shape in, nn_shape out, size_t *per_row, size_t *fixed) {
    *per_row = 0;
    *fixed = 0;
}

// Rows and columns of an activation over the last axis, as Keras applies
// softmax (axis -1): B * h * w rows of c.
static int act_rows(const nn_layer *l, int B) { return B * l->out_shape.h * l->out_shape.w; }

// ---------------------------------------------------------------------------
// Dense (keras/src/layers/core/dense.py)

static int dense_infer(const nn_layer_spec *s, nn_shape in, nn_shape *out) {
    if (s->units < 1 || s->units > NN_MAX_UNITS)
        return nn_fail(NN_ERR_ARG, NN_R_LAYER_UNITS, NN_I("units", s->units), NN_I("max", NN_MAX_UNITS));
    int rc = check_activation(s);
    if (rc || (rc = check_initializer(s))) return rc;
    // Keras would apply a Dense layer to the last axis only; a student who
    // writes one after a convolution almost always forgot Flatten.
    char shape[48];
    if (!nn_shape_is_flat(in))
        return nn_fail(NN_ERR_ARG, NN_R_LAYER_DENSE_FLAT, NN_S("shape", nn_shape_format(in, shape, sizeof shape)),
                       NN_I("units", s->units), NN_S("activation", nn_activation_name(s->activation)));
    *out = nn_shape_flat(s->units);
    return NN_OK;
}

static uint64_t dense_params(const nn_layer_spec *s, nn_shape in, nn_shape out) {
    return (uint64_t)nn_shape_size(in) * (uint64_t)s->units + (uint64_t)s->units;
}

static void dense_init(nn_layer *l, nn_rng *rng) {
    init_kernel(l->w, (size_t)l->in * l->out, l->in, l->out, l->spec.kernel_initializer, rng);
}

static void dense_forward(nn_layer *l, const float *x, int B, int training, nn_rng *rng) {
    nn_dense_forward(l->z, l->y, x, l->w, l->b, B, l->in, l->out, l->spec.activation);
}

static void dense_backward(nn_layer *l, const float *x, float *dx, int B) {
    nn_dense_backward(dx, l->dw, l->db, l->dy, x, l->w, B, l->in, l->out);
}

static int dense_kernel_shape(const nn_layer *l, int *dims) {
    dims[0] = l->in;
    dims[1] = l->out;
    return 2;
}

// ---------------------------------------------------------------------------
// Activation (keras/src/layers/activations/activation.py)

static int activation_infer(const nn_layer_spec *s, nn_shape in, nn_shape *out) {
    int rc = check_activation(s);
    if (rc) return rc;
    *out = in;
    return NN_OK;
}

static void activation_forward(nn_layer *l, const float *x, int B, int training, nn_rng *rng) {
    nn_activation_forward(l->spec.activation, act_rows(l, B), l->out_shape.c, x, l->y);
}

static void activation_backward(nn_layer *l, const float *x, float *dx, int B) {
    if (dx) nn_activation_backward(l->spec.activation, act_rows(l, B), l->out_shape.c, x, l->y, l->dy, dx);
}

// ---------------------------------------------------------------------------
// Dropout (keras/src/layers/regularization/dropout.py): the mask is the work memory

static int dropout_infer(const nn_layer_spec *s, nn_shape in, nn_shape *out) {
    if (!(s->rate >= 0.0f && s->rate < 1.0f))
        return nn_fail(NN_ERR_ARG, NN_R_LAYER_DROPOUT, NN_G("rate", s->rate));
    *out = in;
    return NN_OK;
}

static void dropout_work(const nn_layer_spec *s, nn_shape in, nn_shape out, size_t *per_row, size_t *fixed) {
    *per_row = nn_shape_size(out);
    *fixed = 0;
}

static void dropout_forward(nn_layer *l, const float *x, int B, int training, nn_rng *rng) {
    if (training && l->spec.rate > 0.0f) nn_dropout_forward(l->y, l->scratch, x, B * l->out, l->spec.rate, rng);
    else memcpy(l->y, x, (size_t)B * l->out * sizeof(float));
}

static void dropout_backward(nn_layer *l, const float *x, float *dx, int B) {
    if (dx && l->spec.rate > 0.0f) nn_dropout_backward(dx, l->dy, l->scratch, B * l->out);
    else if (dx) memcpy(dx, l->dy, (size_t)B * l->out * sizeof(float));
}

// ---------------------------------------------------------------------------
// Flatten (keras/src/layers/reshaping/flatten.py): NHWC memory is already in
// Flatten's order, so the layer only renames the shape.

static int flatten_infer(const nn_layer_spec *s, nn_shape in, nn_shape *out) {
    *out = nn_shape_flat((int)nn_shape_size(in));
    return NN_OK;
}

static void copy_forward(nn_layer *l, const float *x, int B, int training, nn_rng *rng) {
    memcpy(l->y, x, (size_t)B * l->out * sizeof(float));
}

static void copy_backward(nn_layer *l, const float *x, float *dx, int B) {
    if (dx) memcpy(dx, l->dy, (size_t)B * l->out * sizeof(float));
}

// ---------------------------------------------------------------------------
// Conv2D (keras/src/layers/convolutional/base_conv.py): kernel
// (kh, kw, in_channels, filters) as Keras stores it, bias (filters).

static int conv2d_infer(const nn_layer_spec *s, nn_shape in, nn_shape *out) {
    if (s->filters < 1 || s->filters > NN_MAX_UNITS)
        return nn_fail(NN_ERR_ARG, NN_R_LAYER_FILTERS, NN_I("filters", s->filters), NN_I("max", NN_MAX_UNITS));
    int rc = check_activation(s);
    if (rc || (rc = check_initializer(s))) return rc;
    return infer_window("Conv2D", s, in, s->filters, out);
}

static uint64_t conv2d_params(const nn_layer_spec *s, nn_shape in, nn_shape out) {
    return (uint64_t)s->kernel_h * (uint64_t)s->kernel_w * (uint64_t)in.c * (uint64_t)s->filters + (uint64_t)s->filters;
}

// Keras's compute_fans for a conv kernel: the receptive field times the
// input or output channels (keras/src/initializers/random_initializers.py).
static void conv2d_init(nn_layer *l, nn_rng *rng) {
    int field = l->spec.kernel_h * l->spec.kernel_w;
    init_kernel(l->w, (size_t)field * l->in_shape.c * l->spec.filters, field * l->in_shape.c,
                field * l->spec.filters, l->spec.kernel_initializer, rng);
}

// The window of a built layer (its shapes were checked at creation).
static nn_window layer_window(const nn_layer *l) {
    nn_window g;
    window_of(&l->spec, l->ops->keras_class, l->in_shape, &g);
    return g;
}

// im2col's columns for one row of the batch (the kernel reuses them in backward).
static void conv2d_work(const nn_layer_spec *s, nn_shape in, nn_shape out, size_t *per_row, size_t *fixed) {
    nn_window g;
    window_of(s, "Conv2D", in, &g);
    *per_row = nn_conv2d_col_floats(&g, 1, in.c);
    *fixed = 0;
}

static void conv2d_forward(nn_layer *l, const float *x, int B, int training, nn_rng *rng) {
    nn_window g = layer_window(l);
    nn_conv2d_forward(l->z, l->scratch, x, l->w, l->b, &g, B, l->in_shape.c, l->spec.filters);
    if (l->y != l->z) nn_activation_forward(l->spec.activation, act_rows(l, B), l->out_shape.c, l->z, l->y);
}

static void conv2d_backward(nn_layer *l, const float *x, float *dx, int B) {
    nn_window g = layer_window(l);
    nn_conv2d_backward(dx, l->dw, l->db, l->scratch, l->dy, x, l->w, &g, B, l->in_shape.c, l->spec.filters);
}

static int conv2d_kernel_shape(const nn_layer *l, int *dims) {
    dims[0] = l->spec.kernel_h;
    dims[1] = l->spec.kernel_w;
    dims[2] = l->in_shape.c;
    dims[3] = l->spec.filters;
    return 4;
}

// ---------------------------------------------------------------------------
// MaxPooling2D and AveragePooling2D (keras/src/layers/pooling/base_pooling.py)

static int max_pool_infer(const nn_layer_spec *s, nn_shape in, nn_shape *out) {
    return infer_window("MaxPooling2D", s, in, in.c, out);
}

static int avg_pool_infer(const nn_layer_spec *s, nn_shape in, nn_shape *out) {
    return infer_window("AveragePooling2D", s, in, in.c, out);
}

// The argmax indices (int32, one per output value) live in the float work memory.
static void max_pool_work(const nn_layer_spec *s, nn_shape in, nn_shape out, size_t *per_row, size_t *fixed) {
    nn_window g;
    window_of(s, "MaxPooling2D", in, &g);
    *per_row = nn_maxpool2d_argmax_ints(&g, 1, in.c) * sizeof(int32_t) / sizeof(float);
    *fixed = 0;
}

static void max_pool_forward(nn_layer *l, const float *x, int B, int training, nn_rng *rng) {
    nn_window g = layer_window(l);
    nn_maxpool2d_forward(l->y, (int32_t *)(void *)l->scratch, x, &g, B, l->in_shape.c);
}

static void max_pool_backward(nn_layer *l, const float *x, float *dx, int B) {
    nn_window g = layer_window(l);
    if (dx) nn_maxpool2d_backward(dx, l->dy, (const int32_t *)(void *)l->scratch, &g, B, l->in_shape.c);
}

static void avg_pool_forward(nn_layer *l, const float *x, int B, int training, nn_rng *rng) {
    nn_window g = layer_window(l);
    nn_avgpool2d_forward(l->y, x, &g, B, l->in_shape.c);
}

static void avg_pool_backward(nn_layer *l, const float *x, float *dx, int B) {
    nn_window g = layer_window(l);
    if (dx) nn_avgpool2d_backward(dx, l->dy, &g, B, l->in_shape.c);
}

// ---------------------------------------------------------------------------
// BatchNormalization (keras/src/layers/normalization/batch_normalization.py):
// axis -1, gamma and beta trainable, moving mean and variance not.

static int batchnorm_infer(const nn_layer_spec *s, nn_shape in, nn_shape *out) {
    *out = in;
    return NN_OK;
}

static uint64_t batchnorm_params(const nn_layer_spec *s, nn_shape in, nn_shape out) { return 2 * (uint64_t)in.c; }

static uint64_t batchnorm_state(const nn_layer_spec *s, nn_shape in, nn_shape out) { return 2 * (uint64_t)in.c; }

// gamma ones, beta zeros, moving mean zeros, moving variance ones (Keras's defaults).
static void batchnorm_init(nn_layer *l, nn_rng *rng) {
    int c = l->in_shape.c;
    for (int i = 0; i < c; i++) {
        l->w[i] = 1.0f;
        l->b[i] = 0.0f;
        l->state[i] = 0.0f;
        l->state[c + i] = 1.0f;
    }
}

// The batch statistics forward keeps for backward.
static void batchnorm_work(const nn_layer_spec *s, nn_shape in, nn_shape out, size_t *per_row, size_t *fixed) {
    *per_row = 0;
    *fixed = nn_batchnorm_save_floats(in.c);
}

// Training uses (and updates the moving averages with) the batch's
// statistics; inference the moving ones, as Keras's call(training=...).
static void batchnorm_forward(nn_layer *l, const float *x, int B, int training, nn_rng *rng) {
    int c = l->in_shape.c, N = B * l->in_shape.h * l->in_shape.w;
    if (training)
        nn_batchnorm_forward_train(l->y, l->fixed, l->state, l->state + c, x, l->w, l->b, N, c, NN_BN_MOMENTUM,
                                   NN_BN_EPSILON);
    else
        nn_batchnorm_forward_infer(l->y, x, l->w, l->b, l->state, l->state + c, N, c, NN_BN_EPSILON);
}

static void batchnorm_backward(nn_layer *l, const float *x, float *dx, int B) {
    int c = l->in_shape.c, N = B * l->in_shape.h * l->in_shape.w;
    nn_batchnorm_backward(dx, l->dw, l->db, l->dy, l->fixed, x, l->w, N, c);
}

// gamma (c); beta is the second array.
static int batchnorm_kernel_shape(const nn_layer *l, int *dims) {
    dims[0] = l->in_shape.c;
    return 1;
}

// ---------------------------------------------------------------------------
// The table, indexed by nn_layer_kind. A kind whose forward is NULL is known
// (its files parse and print) but not built in yet.

static const nn_layer_ops table[NN_LAYER_KIND_COUNT] = {
    [NN_LAYER_DENSE] = {"Dense", "dense", 1, 0, dense_infer, dense_params, none, no_work, dense_init,
                        dense_forward, dense_backward, dense_kernel_shape},
    [NN_LAYER_ACTIVATION] = {"Activation", "activation", 2, 0, activation_infer, none, none, no_work, NULL,
                             activation_forward, activation_backward},
    [NN_LAYER_DROPOUT] = {"Dropout", "dropout", 0, 0, dropout_infer, none, none, dropout_work, NULL,
                          dropout_forward, dropout_backward},
    [NN_LAYER_FLATTEN] = {"Flatten", "flatten", 0, 1, flatten_infer, none, none, no_work, NULL, copy_forward,
                          copy_backward},
    [NN_LAYER_CONV2D] = {"Conv2D", "conv2d", 1, 1, conv2d_infer, conv2d_params, none, conv2d_work, conv2d_init,
                         conv2d_forward, conv2d_backward, conv2d_kernel_shape},
    [NN_LAYER_MAX_POOLING2D] = {"MaxPooling2D", "max_pooling2d", 0, 1, max_pool_infer, none, none, max_pool_work,
                                NULL, max_pool_forward, max_pool_backward},
    [NN_LAYER_AVERAGE_POOLING2D] = {"AveragePooling2D", "average_pooling2d", 0, 1, avg_pool_infer, none, none,
                                    no_work, NULL, avg_pool_forward, avg_pool_backward},
    [NN_LAYER_BATCH_NORMALIZATION] = {"BatchNormalization", "batch_normalization", 0, 0, batchnorm_infer,
                                      batchnorm_params, batchnorm_state, batchnorm_work, batchnorm_init,
                                      batchnorm_forward, batchnorm_backward, batchnorm_kernel_shape},
};

const nn_layer_ops *nn_layer_ops_of(nn_layer_kind kind) {
    return (unsigned)kind < NN_LAYER_KIND_COUNT ? &table[kind] : NULL;
}

int nn_layer_kernel_shape(const nn_layer *l, int dims[4]) {
    for (int i = 0; i < 4; i++) dims[i] = 0;
    return l->n_params && l->ops->kernel_shape ? l->ops->kernel_shape(l, dims) : 0;
}
