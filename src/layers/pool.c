/*
 * pool.c — MaxPooling2D and AveragePooling2D as forward/backward pairs over
 * the window geometry of conv2d.c (nn_window).
 *
 * Keras 3 pools through tf.nn.max_pool / tf.nn.avg_pool
 * (keras/src/backend/tensorflow/nn.py max_pool, average_pool; strides default
 * to pool_size there). TF's semantics, from tensorflow/core/kernels:
 *  - max: maxpooling_op.cc SpatialMaxPoolWithArgMaxHelper (what the CPU
 *    MaxPoolGrad routes the gradient with) visits only input positions, so
 *    "same" padding never wins, and replaces the running max only when
 *    `output < input`, scanning rows then columns: ties go to the first
 *    position in row-major window order. dx = 0, then dx[argmax] += dy.
 *  - average: avgpooling_op.cc AvgPoolingGradOp clips each window to the
 *    input (GetBroadcastSize) and divides by rsize·csize, the positions
 *    inside the input, as the forward SpatialAvgPooling does.
 *
 * A window always holds at least one input position: "same" pads fewer than
 * k rows before the input and the last window starts inside it.
 */
#include <string.h>
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

#include "nnlab.h"

// The input rows [*y0, *y1) and columns [*x0, *x1) of output pixel (oy, ox).
static void window_clip(const nn_window *g, int oy, int ox, int *y0, int *y1, int *x0, int *x1) {
    int ty = oy * g->sh - g->pad_top, tx = ox * g->sw - g->pad_left;
    *y0 = ty > 0 ? ty : 0;
    *y1 = ty + g->kh < g->h ? ty + g->kh : g->h;
    *x0 = tx > 0 ? tx : 0;
    *x1 = tx + g->kw < g->w ? tx + g->kw : g->w;
}

// ---------------------------------------------------------------------------
// MaxPooling2D

size_t nn_maxpool2d_argmax_ints(const nn_window *g, int B, int c) {
    return (size_t)B * g->oh * g->ow * c;
}

// The first position of a window is copied, every later one wins where it is
// strictly greater (TF's ties). clang does not vectorise the two selects by
// itself (it extracts lanes), so the wasm build spells them out: max pooling
// took a tenth of a mnist_convnet step before.
static void max_first(float *restrict y, int32_t *restrict argmax, const float *restrict xp,
                      int32_t base, int c) {
    for (int ch = 0; ch < c; ch++) y[ch] = xp[ch], argmax[ch] = base + ch;
}

static void max_more(float *restrict y, int32_t *restrict argmax, const float *restrict xp,
                     int32_t base, int c) {
    int ch = 0;
#ifdef __wasm_simd128__
    v128_t idx = wasm_i32x4_add(wasm_i32x4_splat(base), wasm_i32x4_make(0, 1, 2, 3));
    for (; ch + 4 <= c; ch += 4, idx = wasm_i32x4_add(idx, wasm_i32x4_splat(4))) {
        v128_t yv = wasm_v128_load(y + ch), xv = wasm_v128_load(xp + ch);
        v128_t wins = wasm_f32x4_lt(yv, xv);
        wasm_v128_store(y + ch, wasm_v128_bitselect(xv, yv, wins));
        wasm_v128_store(argmax + ch, wasm_v128_bitselect(idx, wasm_v128_load(argmax + ch), wins));
    }
#endif
    for (; ch < c; ch++) {
        int wins = y[ch] < xp[ch];
        y[ch] = wins ? xp[ch] : y[ch];
        argmax[ch] = wins ? base + ch : argmax[ch];
    }
}

// Pooling is split between threads by images: an image's windows read and
// write only that image.
typedef struct {
    float *y;            // y (forward) or dx (backward)
    int32_t *argmax;     // written by max forward
    const int32_t *arg;  // read by max backward
    const float *x;      // x (forward) or dy (backward)
    const nn_window *g;
    int c;
} pool_job;

// y is (B, oh, ow, c), argmax is (B, oh, ow, c), x is (B, h, w, c)
static void maxpool_forward_images(void *ctx, int b0, int b1) {
    const pool_job *j = ctx;
    const nn_window *g = j->g;
    const int c = j->c;
    float *y = j->y + (size_t)b0 * g->oh * g->ow * c;
    int32_t *argmax = j->argmax + (size_t)b0 * g->oh * g->ow * c;
    for (int b = b0; b < b1; b++)
        for (int oy = 0; oy < g->oh; oy++)
            for (int ox = 0; ox < g->ow; ox++, y += c, argmax += c) {
                int y0, y1, x0, x1;
                window_clip(g, oy, ox, &y0, &y1, &x0, &x1);
                for (int iy = y0; iy < y1; iy++)
                    for (int ix = x0; ix < x1; ix++) {
                        int32_t base = (int32_t)((((size_t)b * g->h + iy) * g->w + ix) * c);
                        if (iy == y0 && ix == x0)
                            max_first(y, argmax, j->x + base, base, c);
                        else
                            max_more(y, argmax, j->x + base, base, c);
                    }
            }
}

void nn_maxpool2d_forward(float *y, int32_t *argmax, const float *x, const nn_window *g, int B,
                          int c) {
    pool_job j = {y, argmax, NULL, x, g, c};
    nn_parallel_range(B, (size_t)g->h * g->w * c, maxpool_forward_images, &j);
}

// dx is (B, h, w, c), dy is (B, oh, ow, c), argmax is (B, oh, ow, c): an
// image's argmax points into that image.
static void maxpool_backward_images(void *ctx, int b0, int b1) {
    const pool_job *j = ctx;
    const nn_window *g = j->g;
    const size_t in = (size_t)g->h * g->w * j->c, out = (size_t)g->oh * g->ow * j->c;
    memset(j->y + b0 * in, 0, (size_t)(b1 - b0) * in * sizeof(float));
    for (size_t i = b0 * out; i < b1 * out; i++) j->y[j->arg[i]] += j->x[i];
}

void nn_maxpool2d_backward(float *dx, const float *dy, const int32_t *argmax, const nn_window *g,
                           int B, int c) {
    pool_job j = {dx, NULL, argmax, dy, g, c};
    nn_parallel_range(B, (size_t)g->h * g->w * c, maxpool_backward_images, &j);
}

// ---------------------------------------------------------------------------
// AveragePooling2D

// y is (B, oh, ow, c), x is (B, h, w, c)
static void avgpool_forward_images(void *ctx, int b0, int b1) {
    const pool_job *j = ctx;
    const nn_window *g = j->g;
    const int c = j->c;
    float *y = j->y + (size_t)b0 * g->oh * g->ow * c;
    for (int b = b0; b < b1; b++)
        for (int oy = 0; oy < g->oh; oy++)
            for (int ox = 0; ox < g->ow; ox++, y += c) {
                int y0, y1, x0, x1;
                window_clip(g, oy, ox, &y0, &y1, &x0, &x1);
                for (int ch = 0; ch < c; ch++) y[ch] = 0.0f;
                for (int iy = y0; iy < y1; iy++)
                    for (int ix = x0; ix < x1; ix++) {
                        const float *xp = j->x + (((size_t)b * g->h + iy) * g->w + ix) * c;
                        for (int ch = 0; ch < c; ch++) y[ch] += xp[ch];
                    }
                float count = (float)((y1 - y0) * (x1 - x0));
                for (int ch = 0; ch < c; ch++) y[ch] /= count;
            }
}

void nn_avgpool2d_forward(float *y, const float *x, const nn_window *g, int B, int c) {
    pool_job j = {y, NULL, NULL, x, g, c};
    nn_parallel_range(B, (size_t)g->h * g->w * c, avgpool_forward_images, &j);
}

// dx is (B, h, w, c), overwritten; dy is (B, oh, ow, c)
static void avgpool_backward_images(void *ctx, int b0, int b1) {
    const pool_job *j = ctx;
    const nn_window *g = j->g;
    const int c = j->c;
    const float *dy = j->x + (size_t)b0 * g->oh * g->ow * c;
    memset(j->y + (size_t)b0 * g->h * g->w * c, 0, (size_t)(b1 - b0) * g->h * g->w * c * sizeof(float));
    for (int b = b0; b < b1; b++)
        for (int oy = 0; oy < g->oh; oy++)
            for (int ox = 0; ox < g->ow; ox++, dy += c) {
                int y0, y1, x0, x1;
                window_clip(g, oy, ox, &y0, &y1, &x0, &x1);
                float count = (float)((y1 - y0) * (x1 - x0));
                for (int iy = y0; iy < y1; iy++)
                    for (int ix = x0; ix < x1; ix++) {
                        float *d = j->y + (((size_t)b * g->h + iy) * g->w + ix) * c;
                        for (int ch = 0; ch < c; ch++) d[ch] += dy[ch] / count;
                    }
            }
}

void nn_avgpool2d_backward(float *dx, const float *dy, const nn_window *g, int B, int c) {
    pool_job j = {dx, NULL, NULL, dy, g, c};
    nn_parallel_range(B, (size_t)g->h * g->w * c, avgpool_backward_images, &j);
}
