/*
 * conv2d.c — window geometry (shared with pooling) and Conv2D as a
 * forward/backward pair through im2col and nn_gemm.
 *
 * Semantics follow Keras 3: keras/src/ops/operation_utils.py
 * compute_conv_output_shape ("valid": floor((in - k) / s) + 1, refused when
 * < 1; "same": floor((in - 1) / s) + 1 = ceil(in / s)); the TensorFlow
 * backend (keras/src/backend/tensorflow/nn.py conv) runs tf.nn.convolution
 * with padding "SAME", whose zeros are pad_total = max((out - 1)·s + k - in, 0),
 * pad_total / 2 before and the rest after. The kernel is stored as Keras's
 * (kh, kw, c, f) (keras/src/layers/convolutional/base_conv.py builds
 * kernel_shape = kernel_size + (input_channel, filters)), which is a row-major
 * (kh·kw·c, f) matrix, so the three products of a step are plain GEMMs and
 * the wasm_simd128 kernel serves convolutions as it serves Dense.
 *
 * Flatten needs no kernel: NHWC memory is already Keras's flatten order.
 *
 * Every sum outside nn_gemm (col2im, the bias) runs in a fixed order, so the
 * results are the same with every GEMM kernel and on every host.
 */
#include <string.h>

#include "reasons.h"

// ---------------------------------------------------------------------------
// Padding names and window geometry

static const char *const padding_names[] = {"valid", "same"};

const char *nn_padding_name(nn_padding p) {
    return (unsigned)p < 2 ? padding_names[p] : "?";
}

int nn_padding_from_name(const char *name) {
    for (int i = 0; i < 2; i++)
        if (name && strcmp(name, padding_names[i]) == 0) return i;
    return nn_unknown_name(NN_R_NAME_PADDING, name ? name : "", padding_names, 2);
}

// One spatial dimension: output size and the zeros before the input.
static void window_dim(int in, int k, int s, nn_padding padding, int *out, int *pad_before) {
    if (padding == NN_PADDING_SAME) {
        *out = (in + s - 1) / s;
        int total = (*out - 1) * s + k - in;
        *pad_before = total > 0 ? total / 2 : 0;
    } else {
        *out = in >= k ? (in - k) / s + 1 : 0;
        *pad_before = 0;
    }
}

int nn_window_init(nn_window *g, const char *layer, int h, int w, int kh, int kw, int sh, int sw,
                   nn_padding padding) {
    // Pooling layers speak of a pool, Conv2D of a kernel, as Keras's arguments do.
    nn_reason what = layer && strstr(layer, "Pooling") ? NN_R_TERM_POOL : NN_R_TERM_KERNEL;
    if (!layer) layer = "Conv2D";
    if (padding != NN_PADDING_VALID && padding != NN_PADDING_SAME)
        return nn_fail(NN_ERR_ARG, NN_R_WINDOW_PADDING, NN_S("layer", layer));
    if (kh < 1 || kw < 1)
        return nn_fail(NN_ERR_ARG, NN_R_WINDOW_SIZE, NN_S("layer", layer), NN_TERM("window", what), NN_I("kh", kh),
                       NN_I("kw", kw));
    if (sh < 1 || sw < 1)
        return nn_fail(NN_ERR_ARG, NN_R_WINDOW_STRIDES, NN_S("layer", layer), NN_I("sh", sh), NN_I("sw", sw));
    if (h < 1 || w < 1)
        return nn_fail(NN_ERR_ARG, NN_R_WINDOW_INPUT, NN_S("layer", layer), NN_I("h", h), NN_I("w", w));
    nn_window r = {.h = h, .w = w, .kh = kh, .kw = kw, .sh = sh, .sw = sw, .padding = padding};
    window_dim(h, kh, sh, padding, &r.oh, &r.pad_top);
    window_dim(w, kw, sw, padding, &r.ow, &r.pad_left);
    if (r.oh < 1 || r.ow < 1)
        return nn_fail(NN_ERR_ARG, NN_R_WINDOW_FIT, NN_S("layer", layer), NN_I("kh", kh), NN_I("kw", kw),
                       NN_TERM("window", what), NN_I("h", h), NN_I("w", w));
    *g = r;
    return NN_OK;
}

// ---------------------------------------------------------------------------
// im2col / col2im. Row (b, oy, ox) of col holds the window of that output
// pixel in (ky, kx, ch) order, the row order of the (kh, kw, c, f) kernel.

size_t nn_conv2d_col_floats(const nn_window *g, int B, int c) {
    return (size_t)B * g->oh * g->ow * g->kh * g->kw * c;
}

// A 1×1 kernel with stride 1 reads each pixel once, in order: col is x itself.
static int col_is_x(const nn_window *g) {
    return g->kh == 1 && g->kw == 1 && g->sh == 1 && g->sw == 1;
}

// A window row (ky) of output pixel (oy, ox) is kw·c consecutive floats of x
// (NHWC), cut where it leaves the input: [kx0, kx1) lies inside. Copying or
// adding whole rows instead of single pixels is what makes these passes cheap
// next to the GEMMs (a pixel of a 1-channel image is one float).
static void window_row(const nn_window *g, int ox, int *kx0, int *kx1) {
    int ix = ox * g->sw - g->pad_left;
    *kx0 = ix < 0 ? -ix : 0;
    *kx1 = g->w - ix < g->kw ? g->w - ix : g->kw;
    if (*kx1 < *kx0) *kx1 = *kx0;
}

// im2col and col2im are split between threads by images: image b's rows of
// col and its part of dx belong to it alone.
typedef struct {
    float *out;        // col (im2col) or dx (col2im)
    const float *in;   // x (im2col) or dcol (col2im)
    const nn_window *g;
    int c;
} window_job;

// col rows of images [b0, b1): col is (B·oh·ow, kh·kw·c), x is (B, h, w, c)
static void im2col_images(void *ctx, int b0, int b1) {
    const window_job *j = ctx;
    const nn_window *g = j->g;
    const int c = j->c, row = g->kw * c; // floats in one window row
    float *col = j->out + (size_t)b0 * g->oh * g->ow * g->kh * row;
    for (int b = b0; b < b1; b++) {
        const float *xb = j->in + (size_t)b * g->h * g->w * c;
        for (int oy = 0; oy < g->oh; oy++)
            for (int ox = 0; ox < g->ow; ox++) {
                int kx0, kx1;
                window_row(g, ox, &kx0, &kx1);
                const int ix0 = ox * g->sw - g->pad_left + kx0;
                for (int ky = 0; ky < g->kh; ky++, col += row) {
                    int iy = oy * g->sh - g->pad_top + ky;
                    if (iy < 0 || iy >= g->h) {
                        memset(col, 0, (size_t)row * sizeof(float));
                        continue;
                    }
                    const float *src = xb + ((size_t)iy * g->w + ix0) * c;
                    const int lo = kx0 * c, hi = kx1 * c;
                    for (int t = 0; t < lo; t++) col[t] = 0.0f;
                    for (int t = lo; t < hi; t++) col[t] = src[t - lo];
                    for (int t = hi; t < row; t++) col[t] = 0.0f;
                }
            }
    }
}

static void im2col(float *col, const float *x, const nn_window *g, int B, int c) {
    window_job j = {col, x, g, c};
    nn_parallel_range(B, (size_t)g->oh * g->ow * g->kh * g->kw * c, im2col_images, &j);
}

// dx(B, h, w, c) = 0, then += every window's slice of dcol (B·oh·ow, kh·kw·c),
// windows in row order: overlapping windows add up in a fixed order.
static void col2im_images(void *ctx, int b0, int b1) {
    const window_job *j = ctx;
    const nn_window *g = j->g;
    const int c = j->c, row = g->kw * c;
    const float *dcol = j->in + (size_t)b0 * g->oh * g->ow * g->kh * row;
    memset(j->out + (size_t)b0 * g->h * g->w * c, 0, (size_t)(b1 - b0) * g->h * g->w * c * sizeof(float));
    for (int b = b0; b < b1; b++) {
        float *dxb = j->out + (size_t)b * g->h * g->w * c;
        for (int oy = 0; oy < g->oh; oy++)
            for (int ox = 0; ox < g->ow; ox++) {
                int kx0, kx1;
                window_row(g, ox, &kx0, &kx1);
                const int ix0 = ox * g->sw - g->pad_left + kx0;
                for (int ky = 0; ky < g->kh; ky++, dcol += row) {
                    int iy = oy * g->sh - g->pad_top + ky;
                    if (iy < 0 || iy >= g->h) continue;
                    float *d = dxb + ((size_t)iy * g->w + ix0) * c;
                    const float *s = dcol + kx0 * c;
                    const int n = (kx1 - kx0) * c;
                    for (int t = 0; t < n; t++) d[t] += s[t];
                }
            }
    }
}

static void col2im(float *dx, const float *dcol, const nn_window *g, int B, int c) {
    window_job j = {dx, dcol, g, c};
    nn_parallel_range(B, (size_t)g->oh * g->ow * g->kh * g->kw * c, col2im_images, &j);
}

// ---------------------------------------------------------------------------
// Conv2D

// y is (B, oh, ow, f), col is (B·oh·ow, kh·kw·c) work, x is (B, h, w, c),
// w is (kh, kw, c, f), b is (f)
void nn_conv2d_forward(float *y, float *col, const float *x, const float *w, const float *b,
                       const nn_window *g, int B, int c, int f) {
    int M = B * g->oh * g->ow, K = g->kh * g->kw * c;
    const float *a = x;
    if (!col_is_x(g)) {
        im2col(col, x, g, B, c);
        a = col;
    }
    nn_gemm(0, 0, M, f, K, a, K, w, f, 0.0f, y, f);
    nn_add_bias(M, f, y, b);
}

// Backward reads the col that forward left in the layer's own work memory
// (each Conv2D layer has one) instead of building it again: one pass over
// B·oh·ow·kh·kw·c floats fewer per step, which for the small CNN's 5×5 kernel
// on one channel was a sixth of the step. After dW the same buffer takes
// dcol = dy·Wᵀ for col2im.
//
// dx is (B, h, w, c) or NULL, dw is (kh, kw, c, f), db is (f), col is
// forward's im2col of x (clobbered), dy is (B, oh, ow, f), x is (B, h, w, c),
// w is (kh, kw, c, f)
void nn_conv2d_backward(float *dx, float *dw, float *db, float *col, const float *dy,
                        const float *x, const float *w, const nn_window *g, int B, int c, int f) {
    int M = B * g->oh * g->ow, K = g->kh * g->kw * c;
    if (col_is_x(g)) {
        nn_gemm(1, 0, K, f, M, x, K, dy, f, 0.0f, dw, f);
        nn_sum_rows(M, f, dy, db);
        if (dx) nn_gemm(0, 1, M, K, f, dy, f, w, f, 0.0f, dx, K);
        return;
    }
    nn_gemm(1, 0, K, f, M, col, K, dy, f, 0.0f, dw, f);
    nn_sum_rows(M, f, dy, db);
    // The first layer needs no input gradient: skipping it saves a third of the work.
    if (!dx) return;
    nn_gemm(0, 1, M, K, f, dy, f, w, f, 0.0f, col, K);
    col2im(dx, col, g, B, c);
}
