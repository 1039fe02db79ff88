/*
 * test_cnn_model.c — convolutional models through the layer table: the layer
 * syntax for conv2d / maxpool / avgpool / flatten / batchnorm and its writer,
 * the sentences for shapes that do not flow, Keras's summary of
 * mnist_convnet, whole-model backprop of a small CNN against a double
 * forward, training, save → load with BatchNormalization's state, and every
 * layer's output for one image (the page's feature maps) against that forward.
 * (The kernels have their own tests in test_conv.c.)
 */
#include "nn_fixtures.h"
#include "nn_test.h"

static int has(const char *phrase) { return strstr(nn_last_error(), phrase) != NULL; }

static int build(nn_model *m, nn_shape in, const char *layers, uint64_t seed, nn_optimizer_kind k, float lr) {
    nn_layer_spec specs[NN_MAX_LAYERS];
    int n = nn_parse_layers(layers, specs, NN_MAX_LAYERS);
    if (n < 0) return n;
    int rc = nn_model_create_shaped(m, in, specs, n, seed);
    if (rc) return rc;
    nn_optimizer o = nn_optimizer_defaults(k);
    if (lr > 0) o.learning_rate = lr;
    return nn_model_compile(m, &o, NN_LOSS_CATEGORICAL_CROSSENTROPY);
}

// n images of side x side: class c (of 4) is a bright 3x3 blob in quadrant c, plus noise.
static void make_blobs(nn_dataset *d, int n, int side, uint64_t seed) {
    nn_rng r;
    nn_rng_seed(&r, seed);
    memset(d, 0, sizeof *d);
    d->n = n;
    d->rows = d->cols = side;
    d->features = side * side;
    d->n_classes = 4;
    d->images = malloc((size_t)n * d->features);
    d->labels = malloc((size_t)n);
    int half = side / 2;
    for (int i = 0; i < n; i++) {
        int c = (int)(nn_rng_u32(&r) % 4u);
        d->labels[i] = (uint8_t)c;
        int y0 = (c / 2) * half + (int)(nn_rng_u32(&r) % (uint32_t)(half - 2));
        int x0 = (c % 2) * half + (int)(nn_rng_u32(&r) % (uint32_t)(half - 2));
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++) {
                int on = y >= y0 && y < y0 + 3 && x >= x0 && x < x0 + 3;
                d->images[(size_t)i * d->features + y * side + x] =
                    (uint8_t)(on ? 180 + nn_rng_u32(&r) % 70 : nn_rng_u32(&r) % 60);
            }
    }
}

// ---------------------------------------------------------------------------
// Layer syntax

static void test_syntax(void) {
    nn_layer_spec s[16];
    const char *text = "conv2d:32:3:relu, conv2d:32:3:relu:same, conv2d:16:5x3:tanh:valid:2, maxpool:2, "
                       "avgpool:3, maxpool:2:1:same, flatten, batchnorm, dropout:0.5, 10:softmax";
    int n = nn_parse_layers(text, s, 16);
    CHECK(n == 10, "parsed %d layers: %s", n, nn_last_error());
    CHECK(s[0].kind == NN_LAYER_CONV2D && s[0].filters == 32 && s[0].kernel_h == 3 && s[0].kernel_w == 3 &&
              s[0].activation == NN_ACT_RELU && s[0].padding == NN_PADDING_VALID && s[0].stride_h == 1 &&
              s[0].stride_w == 1 && s[0].kernel_initializer == NN_INIT_GLOROT_UNIFORM,
          "conv2d:32:3:relu is Conv2D(32, 3, activation='relu') with Keras's defaults");
    CHECK(s[1].padding == NN_PADDING_SAME, "same padding");
    CHECK(s[2].kernel_h == 5 && s[2].kernel_w == 3 && s[2].stride_h == 2 && s[2].stride_w == 2 &&
              s[2].activation == NN_ACT_TANH,
          "5x3 kernel, strides 2");
    CHECK(s[3].kind == NN_LAYER_MAX_POOLING2D && s[3].kernel_h == 2 && s[3].stride_h == 2 && s[3].stride_w == 2,
          "maxpool:2 has strides = pool size");
    CHECK(s[4].kind == NN_LAYER_AVERAGE_POOLING2D && s[4].kernel_w == 3 && s[4].stride_w == 3, "avgpool:3");
    CHECK(s[5].stride_h == 1 && s[5].padding == NN_PADDING_SAME, "maxpool strides and padding");
    CHECK(s[6].kind == NN_LAYER_FLATTEN && s[7].kind == NN_LAYER_BATCH_NORMALIZATION, "flatten, batchnorm");

    char buf[512];
    CHECK_OK(nn_format_layers(s, n, buf, sizeof buf));
    CHECK(strcmp(buf, "conv2d:32:3:relu,conv2d:32:3:relu:same,conv2d:16:5x3:tanh:valid:2,maxpool:2,avgpool:3,"
                      "maxpool:2:1:same,flatten,batchnorm,dropout:0.5,10:softmax") == 0,
          "written back: %s", buf);
    nn_layer_spec t[16];
    CHECK(nn_parse_layers(buf, t, 16) == n && memcmp(s, t, sizeof(nn_layer_spec) * n) == 0, "round trip: %s", buf);

    CHECK(nn_parse_layers("conv2d:32", s, 16) == NN_ERR_ARG && has("conv2d:FILTERS:KERNEL"), "no kernel: %s",
          nn_last_error());
    CHECK(nn_parse_layers("conv2d:0:3", s, 16) == NN_ERR_ARG && has("0 filters"), "0 filters: %s", nn_last_error());
    CHECK(nn_parse_layers("conv2d:8:3x:relu", s, 16) == NN_ERR_ARG && has("kernel size '3x'"), "kernel: %s",
          nn_last_error());
    CHECK(nn_parse_layers("conv2d:8:3:relu:full", s, 16) == NN_ERR_ARG && has("layer 1") && has("padding 'full'"),
          "padding: %s", nn_last_error());
    CHECK(nn_parse_layers("maxpool:0", s, 16) == NN_ERR_ARG && has("pool size"), "pool 0: %s", nn_last_error());
    CHECK(nn_parse_layers("flatten:2", s, 16) == NN_ERR_ARG && has("takes no options"), "flatten:2: %s",
          nn_last_error());
}

// ---------------------------------------------------------------------------
// Shapes that do not flow: the sentence a student reads

static int create(const char *layers, nn_shape in) {
    nn_layer_spec s[NN_MAX_LAYERS];
    int n = nn_parse_layers(layers, s, NN_MAX_LAYERS);
    if (n < 0) return n;
    nn_model m;
    int rc = nn_model_create_shaped(&m, in, s, n, 1);
    if (rc == NN_OK) nn_model_free(&m);
    return rc;
}

static void test_refusals(void) {
    nn_shape mnist = {28, 28, 1};
    CHECK(create("conv2d:8:3:relu,10:softmax", mnist) == NN_ERR_ARG && has("layer 2: Dense needs a flat input") &&
              has("(None, 26, 26, 8)") && has("add `flatten` before it"),
          "Dense on a 3-D input: %s", nn_last_error());
    CHECK(create("conv2d:8:7:relu", (nn_shape){5, 5, 1}) == NN_ERR_ARG && has("layer 1: Conv2D") &&
              has("7×7 kernel does not fit a 5×5 input"),
          "kernel larger than the input: %s", nn_last_error());
    // 28 → 26 → 13 → 11 → 5: no room for a 7x7 window.
    CHECK(create("conv2d:8:3:relu,maxpool:2,conv2d:8:3:relu,maxpool:2,conv2d:8:7", mnist) == NN_ERR_ARG &&
              has("layer 5: Conv2D with a 7×7 kernel does not fit a 5×5 input"),
          "shrunk too far: %s", nn_last_error());
    CHECK(create("flatten,100:relu,maxpool:2", mnist) == NN_ERR_ARG && has("layer 3: MaxPooling2D needs an image input") &&
              has("flat (None, 100)"),
          "maxpool on a flat input: %s", nn_last_error());
    CHECK(create("maxpool:2,10", nn_shape_flat(784)) == NN_ERR_ARG && has("layer 1: MaxPooling2D needs an image"),
          "maxpool on flat data: %s", nn_last_error());
    CHECK(create("conv2d:8:3:relu:same,flatten,10:softmax", mnist) == NN_OK, "same padding keeps 28x28: %s",
          nn_last_error());
    // The input shape a layer list gets from 28x28 images.
    nn_layer_spec s[4];
    int n = nn_parse_layers("100:relu,10:softmax", s, 4);
    nn_shape in = nn_input_shape_for(s, n, 28, 28, 1);
    CHECK(in.h == 1 && in.w == 1 && in.c == 784, "a Dense-only model reads 784 flat values");
    n = nn_parse_layers("flatten,10:softmax", s, 4);
    in = nn_input_shape_for(s, n, 28, 28, 1);
    CHECK(in.h == 28 && in.w == 28 && in.c == 1, "flatten reads the 28x28x1 image");
}

// ---------------------------------------------------------------------------
// summary(): Keras's mnist_convnet example (keras.io/examples/vision/mnist_convnet)

static const char *const MNIST_CONVNET_SUMMARY =
    "Model: \"sequential\"\n"
    "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓\n"
    "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃\n"
    "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩\n"
    "│ conv2d (Conv2D)                 │ (None, 26, 26, 32)     │           320 │\n"
    "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
    "│ max_pooling2d (MaxPooling2D)    │ (None, 13, 13, 32)     │             0 │\n"
    "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
    "│ conv2d_1 (Conv2D)               │ (None, 11, 11, 64)     │        18,496 │\n"
    "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
    "│ max_pooling2d_1 (MaxPooling2D)  │ (None, 5, 5, 64)       │             0 │\n"
    "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
    "│ flatten (Flatten)               │ (None, 1600)           │             0 │\n"
    "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
    "│ dropout (Dropout)               │ (None, 1600)           │             0 │\n"
    "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
    "│ dense (Dense)                   │ (None, 10)             │        16,010 │\n"
    "└─────────────────────────────────┴────────────────────────┴───────────────┘\n"
    " Total params: 34,826 (136.04 KB)\n"
    " Trainable params: 34,826 (136.04 KB)\n"
    " Non-trainable params: 0 (0.00 B)\n";

static void test_summary(void) {
    nn_model m;
    char buf[8192];
    CHECK_OK(build(&m, (nn_shape){28, 28, 1},
                   "conv2d:32:3:relu,maxpool:2,conv2d:64:3:relu,maxpool:2,flatten,dropout:0.5,10:softmax", 1,
                   NN_OPT_ADAM, 0));
    nn_model_summary(&m, buf, sizeof buf);
    CHECK(strcmp(buf, MNIST_CONVNET_SUMMARY) == 0, "mnist_convnet summary:\n%s", buf);
    nn_model_free(&m);

    // BatchNormalization: 4 per channel in the row (gamma, beta, moving mean and
    // variance), the moving statistics non-trainable; long names wrap as Keras's table does.
    CHECK_OK(build(&m, (nn_shape){28, 28, 1}, "conv2d:32:3:relu,batchnorm,avgpool:2,flatten,10:softmax", 1,
                   NN_OPT_ADAM, 0));
    nn_model_summary(&m, buf, sizeof buf);
    CHECK(m.n_params == 320 + 64 + 13 * 13 * 32 * 10 + 10 && m.n_state == 64, "params %zu, state %zu", m.n_params,
          m.n_state);
    CHECK(strstr(buf, "│ batch_normalization             │ (None, 26, 26, 32)     │           128 │\n"
                      "│ (BatchNormalization)            │                        │               │\n") &&
              strstr(buf, "│ average_pooling2d               │ (None, 13, 13, 32)     │             0 │\n"
                          "│ (AveragePooling2D)              │                        │               │\n"),
          "wrapped rows:\n%s", buf);
    CHECK(strstr(buf, " Total params: 54,538 (213.04 KB)\n Trainable params: 54,474 (212.79 KB)\n"
                      " Non-trainable params: 64 (256.00 B)\n"),
          "totals:\n%s", buf);
    nn_model_free(&m);
}

// ---------------------------------------------------------------------------
// Whole-model backprop: the gradient of one SGD step with lr 1 (w - g) against
// central differences of the loss computed in double by a separate forward
// over the whole batch (BatchNormalization uses the batch's statistics).

typedef struct {
    int h, w, c;
    double *v; // (B, h, w, c)
} dbl_t;

static double *dalloc(size_t n) { return calloc(n ? n : 1, sizeof(double)); }

// TF's SAME: pad_total = max((out - 1) * s + k - in, 0), the smaller half before.
static int pad_before(int in, int k, int s, nn_padding p, int out) {
    if (p != NN_PADDING_SAME) return 0;
    int total = (out - 1) * s + k - in;
    return total > 0 ? total / 2 : 0;
}

static void ref_window(const nn_layer *l, dbl_t *x, int B, dbl_t *y) {
    const nn_layer_spec *s = &l->spec;
    int kind = s->kind;
    y->h = l->out_shape.h, y->w = l->out_shape.w, y->c = l->out_shape.c;
    y->v = dalloc((size_t)B * y->h * y->w * y->c);
    int pt = pad_before(x->h, s->kernel_h, s->stride_h, s->padding, y->h);
    int pl = pad_before(x->w, s->kernel_w, s->stride_w, s->padding, y->w);
    for (int b = 0; b < B; b++)
        for (int oy = 0; oy < y->h; oy++)
            for (int ox = 0; ox < y->w; ox++)
                for (int o = 0; o < y->c; o++) {
                    double acc = kind == NN_LAYER_CONV2D ? l->b[o] : kind == NN_LAYER_MAX_POOLING2D ? -HUGE_VAL : 0;
                    int count = 0;
                    for (int ky = 0; ky < s->kernel_h; ky++)
                        for (int kx = 0; kx < s->kernel_w; kx++) {
                            int iy = oy * s->stride_h + ky - pt, ix = ox * s->stride_w + kx - pl;
                            if (iy < 0 || ix < 0 || iy >= x->h || ix >= x->w) continue;
                            const double *px = x->v + (((size_t)b * x->h + iy) * x->w + ix) * x->c;
                            count++;
                            if (kind == NN_LAYER_CONV2D) {
                                for (int ci = 0; ci < x->c; ci++)
                                    acc += px[ci] * l->w[((ky * s->kernel_w + kx) * x->c + ci) * y->c + o];
                            } else if (kind == NN_LAYER_MAX_POOLING2D) {
                                if (px[o] > acc) acc = px[o];
                            } else {
                                acc += px[o];
                            }
                        }
                    if (kind == NN_LAYER_AVERAGE_POOLING2D) acc /= count;
                    y->v[(((size_t)b * y->h + oy) * y->w + ox) * y->c + o] = acc;
                }
}

static double act(nn_activation a, double z) {
    switch (a) {
    case NN_ACT_TANH: return tanh(z);
    case NN_ACT_RELU: return z > 0 ? z : 0;
    case NN_ACT_SIGMOID: return 1 / (1 + exp(-z));
    default: return z;
    }
}

// Layer l on a (B, h, w, c), in double, written from the definitions; a.v is
// freed and replaced by the output. BatchNormalization uses the batch's
// statistics when training, the moving ones otherwise (Keras's call(training)).
static void ref_layer(const nn_layer *l, dbl_t *io, int B, int training) {
    dbl_t a = *io;
    dbl_t y = {l->out_shape.h, l->out_shape.w, l->out_shape.c, NULL};
    size_t rows = (size_t)B * y.h * y.w; // positions, each of c values
    switch (l->spec.kind) {
    case NN_LAYER_CONV2D:
    case NN_LAYER_MAX_POOLING2D:
    case NN_LAYER_AVERAGE_POOLING2D: ref_window(l, &a, B, &y); break;
    case NN_LAYER_DENSE:
        y.v = dalloc((size_t)B * l->out);
        for (int r = 0; r < B; r++)
            for (int o = 0; o < l->out; o++) {
                double z = l->b[o];
                for (int k = 0; k < l->in; k++) z += a.v[(size_t)r * l->in + k] * l->w[(size_t)k * l->out + o];
                y.v[(size_t)r * l->out + o] = z;
            }
        break;
    case NN_LAYER_BATCH_NORMALIZATION:
        y.v = dalloc(rows * y.c);
        for (int c = 0; c < y.c; c++) {
            double mean = 0, var = 0;
            for (size_t r = 0; r < rows; r++) mean += a.v[r * y.c + c];
            mean /= (double)rows;
            for (size_t r = 0; r < rows; r++) var += (a.v[r * y.c + c] - mean) * (a.v[r * y.c + c] - mean);
            var /= (double)rows; // Keras normalises with the biased batch variance
            if (!training) mean = l->state[c], var = l->state[y.c + c];
            for (size_t r = 0; r < rows; r++)
                y.v[r * y.c + c] = l->w[c] * (a.v[r * y.c + c] - mean) / sqrt(var + NN_BN_EPSILON) + l->b[c];
        }
        break;
    default: // Flatten, Dropout(0), Activation: the values as they are
        y.v = dalloc(rows * y.c);
        memcpy(y.v, a.v, rows * y.c * sizeof(double));
    }
    if (l->ops->activation) {
        for (size_t i = 0; i < rows * y.c; i++) y.v[i] = act(l->spec.activation, y.v[i]);
        if (l->spec.activation == NN_ACT_SOFTMAX)
            for (size_t r = 0; r < rows; r++) {
                double *p = y.v + r * y.c, mx = p[0], sum = 0;
                for (int c = 1; c < y.c; c++) mx = p[c] > mx ? p[c] : mx;
                for (int c = 0; c < y.c; c++) sum += (p[c] = exp(p[c] - mx));
                for (int c = 0; c < y.c; c++) p[c] /= sum;
            }
    }
    free(a.v);
    *io = y;
}

static double ref_loss(const nn_model *m, const float *x, const uint8_t *labels, int B) {
    dbl_t a = {m->input_shape.h, m->input_shape.w, m->input_shape.c, dalloc((size_t)B * m->input_size)};
    for (int i = 0; i < B * m->input_size; i++) a.v[i] = x[i];
    for (int li = 0; li < m->n_layers; li++) ref_layer(&m->layers[li], &a, B, 1);
    double total = 0;
    for (int r = 0; r < B; r++) total += -log(a.v[(size_t)r * a.c + labels[r]]);
    free(a.v);
    return total / B;
}

static void check_cnn_gradient(nn_shape in, const char *layers) {
    enum { B = 3 };
    nn_model m;
    CHECK_OK(build(&m, in, layers, 11, NN_OPT_SGD, 1.0f));
    if (!m.params) return;
    nn_rng g;
    nn_rng_seed(&g, 12);
    float *x = malloc((size_t)B * m.input_size * sizeof(float));
    uint8_t labels[B];
    for (int i = 0; i < B * m.input_size; i++) x[i] = nn_rng_uniform(&g);
    for (int i = 0; i < B; i++) labels[i] = (uint8_t)(nn_rng_u32(&g) % 3);
    // BatchNormalization's gamma and beta start at 1 and 0; move them so their gradients are general.
    for (int i = 0; i < m.n_layers; i++)
        if (m.layers[i].spec.kind == NN_LAYER_BATCH_NORMALIZATION)
            for (int c = 0; c < m.layers[i].out_shape.c; c++) {
                m.layers[i].w[c] = 0.5f + nn_rng_uniform(&g);
                m.layers[i].b[c] = nn_rng_uniform(&g) - 0.5f;
            }
    float *before = malloc(m.n_params * sizeof(float)), *grad = malloc(m.n_params * sizeof(float));
    memcpy(before, m.params, m.n_params * sizeof(float));
    float l;
    CHECK_OK(nn_model_train_batch(&m, x, labels, B, &l, NULL));
    for (size_t i = 0; i < m.n_params; i++) grad[i] = before[i] - m.params[i];
    memcpy(m.params, before, m.n_params * sizeof(float));
    CHECK_NEAR(l, ref_loss(&m, x, labels, B), 2e-5, "%s: loss %g vs double reference", layers, l);
    double worst, fd = 0;
    size_t at = 0;
    int bad = nn_fix_grad_check(&m, ref_loss, x, labels, B, grad, 5e-5, 2e-3, &worst, &at, &fd);
    CHECK(bad == 0, "%s: %d gradients off, first param %zu of %zu: analytic %g fd %g", layers, bad, at,
          m.n_params, bad ? grad[at] : 0.0f, fd);
    printf("     %-58s worst |analytic - fd| = %.2e\n", layers, worst);
    free(x);
    free(before);
    free(grad);
    nn_model_free(&m);
}

static void test_cnn_gradients(void) {
    nn_shape img = {7, 6, 2}; // odd sizes, two channels
    check_cnn_gradient(img, "conv2d:3:3:tanh,flatten,3:softmax");
    check_cnn_gradient(img, "conv2d:3:3x2:relu:same:2,maxpool:2,flatten,3:softmax");
    check_cnn_gradient(img, "conv2d:4:2:sigmoid:valid:2,avgpool:2:1:same,flatten,dropout:0,3:softmax");
    check_cnn_gradient(img, "conv2d:3:3:linear,batchnorm,activation:tanh,conv2d:2:2:tanh,flatten,3:softmax");
    check_cnn_gradient(img, "flatten,5:tanh,batchnorm,3:softmax"); // BatchNormalization on a flat input
}

// ---------------------------------------------------------------------------
// Training and files

static void test_cnn_trains(void) {
    nn_dataset train, val;
    make_blobs(&train, 400, 12, 1);
    make_blobs(&val, 200, 12, 2);
    nn_model m;
    CHECK_OK(build(&m, (nn_shape){12, 12, 1}, "conv2d:4:3:relu,batchnorm,maxpool:2,flatten,4:softmax", 3,
                   NN_OPT_ADAM, 0.01f));
    nn_eval_result before, after;
    CHECK_OK(nn_model_evaluate(&m, &val, 32, &before));
    nn_fit_options o = nn_fit_defaults();
    o.epochs = 3;
    o.batch_size = 16;
    o.validation_data = &val;
    CHECK_OK(nn_fit(&m, &train, &o));
    CHECK_OK(nn_model_evaluate(&m, &val, 32, &after));
    CHECK(m.history.loss[2] < 0.5f * m.history.loss[0], "training loss falls: %g -> %g", m.history.loss[0],
          m.history.loss[2]);
    CHECK(after.loss < 0.5f * before.loss && after.accuracy > 0.85f, "validation %g (%.3f) -> %g (%.3f)",
          before.loss, before.accuracy, after.loss, after.accuracy);
    printf("     loss %.4f -> %.4f, validation accuracy %.3f -> %.3f\n", m.history.loss[0], m.history.loss[2],
           before.accuracy, after.accuracy);
    // The moving variance moved away from its initial ones.
    const nn_layer *bn = &m.layers[1];
    int moved = 0;
    for (int c = 0; c < 4; c++) moved += bn->state[4 + c] != 1.0f;
    CHECK(moved == 4, "the moving statistics are updated in training");

    // Data of another image size is refused with a sentence.
    nn_dataset other;
    make_blobs(&other, 10, 12, 3);
    other.rows = 16;
    other.cols = 9;
    CHECK(nn_fit(&m, &other, &o) == NN_ERR_ARG && has("16x9 images") && has("12x12x1"), "other images: %s",
          nn_last_error());
    nn_dataset_free(&other);
    nn_model_free(&m);
    nn_dataset_free(&train);
    nn_dataset_free(&val);
}

static void test_save_load_with_state(void) {
    nn_dataset d;
    make_blobs(&d, 64, 10, 4);
    nn_model a, b;
    CHECK_OK(build(&a, (nn_shape){10, 10, 1}, "conv2d:3:3:relu:same,batchnorm,avgpool:2,flatten,batchnorm,4:softmax",
                   5, NN_OPT_ADAM, 0.01f));
    nn_fit_options o = nn_fit_defaults();
    o.batch_size = 8;
    CHECK_OK(nn_fit(&a, &d, &o));
    uint8_t *buf;
    size_t len;
    CHECK_OK(nn_model_save_buffer(&a, &buf, &len));
    CHECK_OK(nn_model_load_buffer(&b, buf, len, "cnn.nnl"));
    CHECK(b.input_shape.h == 10 && b.input_shape.w == 10 && b.input_shape.c == 1, "input shape");
    CHECK(b.n_state == a.n_state && b.n_state == 2 * 3 + 2 * 75 &&
              memcmp(a.state, b.state, a.n_state * sizeof(float)) == 0,
          "state comes back bit for bit (%zu values)", b.n_state);
    CHECK(a.n_params == b.n_params && memcmp(a.params, b.params, a.n_params * sizeof(float)) == 0, "params");
    for (int i = 0; i < a.n_layers; i++)
        CHECK(memcmp(&a.layers[i].spec, &b.layers[i].spec, sizeof(nn_layer_spec)) == 0, "layer %d spec", i);
    float *pa = malloc((size_t)d.n * 4 * sizeof(float)), *pb = malloc((size_t)d.n * 4 * sizeof(float));
    CHECK_OK(nn_model_predict_dataset(&a, &d, pa));
    CHECK_OK(nn_model_predict_dataset(&b, &d, pb));
    CHECK(memcmp(pa, pb, (size_t)d.n * 4 * sizeof(float)) == 0, "identical predictions after load");
    // Training continues identically from the file.
    CHECK_OK(nn_fit(&a, &d, &o));
    CHECK_OK(nn_fit(&b, &d, &o));
    CHECK(memcmp(a.params, b.params, a.n_params * sizeof(float)) == 0 &&
              memcmp(a.state, b.state, a.n_state * sizeof(float)) == 0,
          "the same training afterwards");
    // A state that does not match the layers is refused.
    uint8_t *edit = malloc(len);
    memcpy(edit, buf, len);
    size_t n_state_at = 128 + 64 * (size_t)a.n_layers - 8;
    edit[n_state_at] ^= 1;
    uint32_t crc = nn_crc32(edit, len - 4);
    for (int i = 0; i < 4; i++) edit[len - 4 + i] = (uint8_t)(crc >> (8 * i));
    CHECK(nn_model_load_buffer(&b, edit, len, "cnn.nnl") == NN_ERR_FORMAT && has("non-trainable"), "state count: %s",
          nn_last_error());
    free(edit);
    free(pa);
    free(pb);
    free(buf);
    nn_model_free(&a);
    nn_model_free(&b);
    nn_dataset_free(&d);
}

// A diverging fit rolls the moving statistics back with the weights.
static void test_rollback_includes_state(void) {
    nn_dataset d;
    make_blobs(&d, 64, 8, 6);
    nn_model m;
    CHECK_OK(build(&m, (nn_shape){8, 8, 1}, "conv2d:2:3:relu,batchnorm,flatten,4:softmax", 7, NN_OPT_SGD, 0.1f));
    nn_fit_options o = nn_fit_defaults();
    o.batch_size = 8;
    CHECK_OK(nn_fit(&m, &d, &o));
    float *state = malloc(m.n_state * sizeof(float)), *params = malloc(m.n_params * sizeof(float));
    memcpy(state, m.state, m.n_state * sizeof(float));
    memcpy(params, m.params, m.n_params * sizeof(float));
    m.optimizer.learning_rate = 1e30f; // the next steps blow up
    o.epochs = 2;
    int rc = nn_fit(&m, &d, &o);
    CHECK(rc == NN_ERR_DIVERGED, "diverged: %d %s", rc, nn_last_error());
    CHECK(memcmp(params, m.params, m.n_params * sizeof(float)) == 0 &&
              memcmp(state, m.state, m.n_state * sizeof(float)) == 0,
          "weights and moving statistics rolled back together");
    free(state);
    free(params);
    nn_model_free(&m);
    nn_dataset_free(&d);
}

// ---------------------------------------------------------------------------
// Every layer's output for one image (the page's feature maps): the values
// forward leaves in each layer equal the double forward layer by layer, in
// inference (BatchNormalization with its moving statistics, Dropout off); the
// last one is predict's answer; nothing is allocated; names and kernel shapes
// are Keras's.

static void test_layer_outputs(void) {
    const char *layers = "conv2d:3:3:relu,batchnorm,maxpool:2,conv2d:2:2x3:tanh:same,conv2d:2:2:relu,"
                         "avgpool:2,flatten,dropout:0.5,4:softmax";
    nn_shape in = {9, 10, 1};
    nn_model m;
    CHECK_OK(build(&m, in, layers, 5, NN_OPT_ADAM, 0));
    if (!m.params) return;
    nn_rng g;
    nn_rng_seed(&g, 6);
    // BatchNormalization's gamma, beta and moving statistics away from their
    // starting values, so that inference differs from the identity.
    nn_layer *bn = &m.layers[1];
    for (int c = 0; c < 3; c++) {
        bn->w[c] = 0.5f + nn_rng_uniform(&g);
        bn->b[c] = nn_rng_uniform(&g) - 0.5f;
        bn->state[c] = 0.2f * c;
        bn->state[3 + c] = 0.5f + c;
    }
    float x[90];
    for (int i = 0; i < 90; i++) x[i] = nn_rng_uniform(&g);
    const float *outs[NN_MAX_LAYERS];
    float *work = m.work;
    CHECK_OK(nn_model_layer_outputs(&m, x, outs));
    CHECK(m.work == work, "the work block was not reallocated");

    dbl_t a = {in.h, in.w, in.c, dalloc(90)};
    for (int i = 0; i < 90; i++) a.v[i] = x[i];
    for (int li = 0; li < m.n_layers; li++) {
        const nn_layer *l = &m.layers[li];
        ref_layer(l, &a, 1, 0);
        double worst = 0;
        for (int i = 0; i < l->out; i++) worst = fmax(worst, fabs(outs[li][i] - a.v[i]) / fmax(1.0, fabs(a.v[i])));
        CHECK(worst <= 1e-5, "layer %d (%s): outputs differ from the double forward by %g", li + 1,
              l->ops->keras_class, worst);
    }
    free(a.v);
    float probs[4];
    const float *last = outs[m.n_layers - 1];
    float kept[4] = {last[0], last[1], last[2], last[3]};
    CHECK_OK(nn_model_predict(&m, x, 1, probs));
    CHECK(memcmp(probs, kept, sizeof probs) == 0, "the last layer's output is predict's answer");

    // A second image gives other maps from the same pointers.
    float x2[90];
    for (int i = 0; i < 90; i++) x2[i] = 1.0f - x[i];
    const float *outs2[NN_MAX_LAYERS];
    CHECK_OK(nn_model_layer_outputs(&m, x2, outs2));
    CHECK(outs2[0] == outs[0] && outs2[0][0] != kept[0], "the same buffers, new values");

    static const char *const names[] = {"conv2d", "batch_normalization", "max_pooling2d", "conv2d_1", "conv2d_2",
                                        "average_pooling2d", "flatten", "dropout", "dense"};
    char name[64];
    for (int li = 0; li < m.n_layers; li++)
        CHECK(strcmp(nn_model_layer_name(&m, li, name, sizeof name), names[li]) == 0, "layer %d is %s", li + 1,
              name);
    int dims[4];
    CHECK(nn_layer_kernel_shape(&m.layers[0], dims) == 4 && dims[0] == 3 && dims[1] == 3 && dims[2] == 1 &&
              dims[3] == 3,
          "conv2d kernel (3, 3, 1, 3): %d (%d, %d, %d, %d)", nn_layer_kernel_shape(&m.layers[0], dims), dims[0],
          dims[1], dims[2], dims[3]);
    CHECK(nn_layer_kernel_shape(&m.layers[3], dims) == 4 && dims[0] == 2 && dims[1] == 3 && dims[2] == 3 &&
              dims[3] == 2,
          "conv2d_1 kernel (2, 3, 3, 2)");
    CHECK(nn_layer_kernel_shape(&m.layers[1], dims) == 1 && dims[0] == 3, "batch_normalization gamma (3)");
    CHECK(nn_layer_kernel_shape(&m.layers[2], dims) == 0 && dims[0] == 0, "max_pooling2d has no kernel");
    const nn_layer *dense = &m.layers[8];
    CHECK(nn_layer_kernel_shape(dense, dims) == 2 && dims[0] == dense->in && dims[1] == 4, "dense kernel (%d, 4)",
          dense->in);
    // The kernel then the bias, as the layer's parameters are laid out.
    CHECK(m.layers[0].b == m.layers[0].w + 3 * 3 * 1 * 3, "conv2d bias after its kernel");
    CHECK(nn_model_layer_outputs(&m, NULL, outs) == NN_ERR_ARG, "no input is refused");
    nn_model_free(&m);
}

int main(void) {
    RUN(test_syntax);
    RUN(test_refusals);
    RUN(test_summary);
    RUN(test_cnn_gradients);
    RUN(test_cnn_trains);
    RUN(test_save_load_with_state);
    RUN(test_rollback_includes_state);
    RUN(test_layer_outputs);
    return nn_test_report();
}
