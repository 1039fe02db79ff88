/*
 * activations.c — element-wise activations and row-wise softmax, forward and backward.
 *
 * Definitions follow Keras 3 (keras/src/activations/activations.py and the
 * numpy backend keras/src/backend/numpy/nn.py): leaky_relu uses
 * negative_slope 0.2, gelu is the exact erf form (approximate=False),
 * hard_sigmoid is clip(x/6 + 0.5, 0, 1), selu uses the Klambauer constants.
 *
 * Each activation is one plain loop over rows*cols values; the switch sits
 * outside the loop so the compiler sees a straight-line body it can vectorise
 * (no function pointer per element). Backward passes get both the input x and
 * the output y of the forward pass and use whichever makes f' cheapest and
 * most accurate: sigmoid and tanh from y, the piecewise ones from x.
 */
#include <math.h>
#include <string.h>

#include "reasons.h"

// Keras 3 constants (keras/src/backend/numpy/nn.py: selu, leaky_relu).
#define SELU_ALPHA 1.6732632423543772848170429916717f
#define SELU_SCALE 1.0507009873554804934193349852946f
#define LEAKY_SLOPE 0.2f
#define INV_SQRT2 0.70710678118654752440f
#define INV_SQRT_2PI 0.39894228040143267794f

// ---------------------------------------------------------------------------
// Names

static const char *const act_names[NN_ACT_COUNT] = {
    [NN_ACT_LINEAR] = "linear",       [NN_ACT_RELU] = "relu",
    [NN_ACT_SIGMOID] = "sigmoid",     [NN_ACT_TANH] = "tanh",
    [NN_ACT_SOFTMAX] = "softmax",     [NN_ACT_ELU] = "elu",
    [NN_ACT_SELU] = "selu",           [NN_ACT_GELU] = "gelu",
    [NN_ACT_SWISH] = "swish",         [NN_ACT_LEAKY_RELU] = "leaky_relu",
    [NN_ACT_SOFTPLUS] = "softplus",   [NN_ACT_SOFTSIGN] = "softsign",
    [NN_ACT_HARD_SIGMOID] = "hard_sigmoid",
};

const char *nn_activation_name(nn_activation a) {
    if ((int)a < 0 || a >= NN_ACT_COUNT) return "unknown";
    return act_names[a];
}

int nn_activation_from_name(const char *name) {
    if (!name) return nn_unknown_name(NN_R_NAME_ACTIVATION, "", act_names, NN_ACT_COUNT);
    // Keras exports the same function as keras.activations.silu and .swish.
    if (strcmp(name, "silu") == 0) return NN_ACT_SWISH;
    for (int i = 0; i < NN_ACT_COUNT; i++)
        if (strcmp(name, act_names[i]) == 0) return i;
    return nn_unknown_name(NN_R_NAME_ACTIVATION, name, act_names, NN_ACT_COUNT);
}

// ---------------------------------------------------------------------------
// Forward

// Row-wise softmax; subtracting the row max keeps exp() finite for any input.
// x and y are (rows, cols) and may alias.
static void softmax_forward(int rows, int cols, const float *x, float *y) {
    for (int r = 0; r < rows; r++) {
        const float *xr = x + (size_t)r * cols;
        float *yr = y + (size_t)r * cols;
        float mx = xr[0];
        for (int j = 1; j < cols; j++) mx = xr[j] > mx ? xr[j] : mx;
        float sum = 0.0f;
        for (int j = 0; j < cols; j++) {
            yr[j] = expf(xr[j] - mx);
            sum += yr[j];
        }
        float inv = 1.0f / sum;
        for (int j = 0; j < cols; j++) yr[j] *= inv;
    }
}

static void forward_rows(nn_activation a, int rows, int cols, const float *x, float *y) {
    size_t n = (size_t)rows * cols;
    switch (a) {
    case NN_ACT_LINEAR:
        if (x != y) memmove(y, x, n * sizeof *y);
        break;
    case NN_ACT_RELU:
        for (size_t i = 0; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
        break;
    case NN_ACT_SIGMOID:
        // For x << 0, expf(-x) overflows to inf and y becomes 0, never NaN.
        for (size_t i = 0; i < n; i++) y[i] = 1.0f / (1.0f + expf(-x[i]));
        break;
    case NN_ACT_TANH:
        for (size_t i = 0; i < n; i++) y[i] = tanhf(x[i]);
        break;
    case NN_ACT_SOFTMAX:
        softmax_forward(rows, cols, x, y);
        break;
    case NN_ACT_ELU:
        for (size_t i = 0; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : expm1f(x[i]);
        break;
    case NN_ACT_SELU:
        for (size_t i = 0; i < n; i++)
            y[i] = SELU_SCALE * (x[i] > 0.0f ? x[i] : SELU_ALPHA * expm1f(x[i]));
        break;
    case NN_ACT_GELU:
        for (size_t i = 0; i < n; i++) y[i] = 0.5f * x[i] * (1.0f + erff(x[i] * INV_SQRT2));
        break;
    case NN_ACT_SWISH:
        for (size_t i = 0; i < n; i++) y[i] = x[i] / (1.0f + expf(-x[i]));
        break;
    case NN_ACT_LEAKY_RELU:
        for (size_t i = 0; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : LEAKY_SLOPE * x[i];
        break;
    case NN_ACT_SOFTPLUS:
        // log(1 + e^x) = max(x, 0) + log1p(e^-|x|): no overflow for large x.
        for (size_t i = 0; i < n; i++)
            y[i] = (x[i] > 0.0f ? x[i] : 0.0f) + log1pf(expf(-fabsf(x[i])));
        break;
    case NN_ACT_SOFTSIGN:
        for (size_t i = 0; i < n; i++) y[i] = x[i] / (1.0f + fabsf(x[i]));
        break;
    case NN_ACT_HARD_SIGMOID:
        for (size_t i = 0; i < n; i++) {
            float t = x[i] * (1.0f / 6.0f) + 0.5f;
            t = t > 0.0f ? t : 0.0f;
            y[i] = t < 1.0f ? t : 1.0f;
        }
        break;
    default:
        break;
    }
}

// ---------------------------------------------------------------------------
// Backward: dx = dy * f'(x). dx may alias dy (each dx[i] reads only dy[i],
// and softmax reads a whole row of dy before writing it). Loads sit outside
// the ?: arms: a load inside one arm is conditional, which wasm cannot
// vectorise (it has no masked loads).

// dx_j = y_j * (dy_j - sum_k y_k dy_k): the softmax Jacobian applied to dy.
// y, dy and dx are (rows, cols); dx may alias dy.
static void softmax_backward(int rows, int cols, const float *y, const float *dy, float *dx) {
    for (int r = 0; r < rows; r++) {
        const float *yr = y + (size_t)r * cols;
        const float *dyr = dy + (size_t)r * cols;
        float *dxr = dx + (size_t)r * cols;
        float dot = 0.0f;
        for (int j = 0; j < cols; j++) dot += yr[j] * dyr[j];
        for (int j = 0; j < cols; j++) dxr[j] = yr[j] * (dyr[j] - dot);
    }
}

static void backward_rows(nn_activation a, int rows, int cols, const float *x, const float *y,
                          const float *dy, float *dx) {
    size_t n = (size_t)rows * cols;
    switch (a) {
    case NN_ACT_LINEAR:
        if (dx != dy) memmove(dx, dy, n * sizeof *dx);
        break;
    case NN_ACT_RELU:
        for (size_t i = 0; i < n; i++) {
            float d = dy[i];
            dx[i] = x[i] > 0.0f ? d : 0.0f;
        }
        break;
    case NN_ACT_SIGMOID:
        for (size_t i = 0; i < n; i++) dx[i] = dy[i] * y[i] * (1.0f - y[i]);
        break;
    case NN_ACT_TANH:
        for (size_t i = 0; i < n; i++) dx[i] = dy[i] * (1.0f - y[i] * y[i]);
        break;
    case NN_ACT_SOFTMAX:
        softmax_backward(rows, cols, y, dy, dx);
        break;
    case NN_ACT_ELU:
        // For x <= 0, f'(x) = e^x = y + 1.
        for (size_t i = 0; i < n; i++) {
            float neg = y[i] + 1.0f;
            dx[i] = dy[i] * (x[i] > 0.0f ? 1.0f : neg);
        }
        break;
    case NN_ACT_SELU:
        // For x <= 0, f'(x) = scale*alpha*e^x = y + scale*alpha.
        for (size_t i = 0; i < n; i++) {
            float neg = y[i] + SELU_SCALE * SELU_ALPHA;
            dx[i] = dy[i] * (x[i] > 0.0f ? SELU_SCALE : neg);
        }
        break;
    case NN_ACT_GELU:
        // d/dx [x Φ(x)] = Φ(x) + x φ(x)
        for (size_t i = 0; i < n; i++) {
            float cdf = 0.5f * (1.0f + erff(x[i] * INV_SQRT2));
            float pdf = INV_SQRT_2PI * expf(-0.5f * x[i] * x[i]);
            dx[i] = dy[i] * (cdf + x[i] * pdf);
        }
        break;
    case NN_ACT_SWISH:
        // d/dx [x σ(x)] = σ (1 + x (1 - σ)); σ is recomputed because y/x fails at 0.
        for (size_t i = 0; i < n; i++) {
            float s = 1.0f / (1.0f + expf(-x[i]));
            dx[i] = dy[i] * s * (1.0f + x[i] * (1.0f - s));
        }
        break;
    case NN_ACT_LEAKY_RELU:
        for (size_t i = 0; i < n; i++) dx[i] = dy[i] * (x[i] > 0.0f ? 1.0f : LEAKY_SLOPE);
        break;
    case NN_ACT_SOFTPLUS:
        for (size_t i = 0; i < n; i++) dx[i] = dy[i] / (1.0f + expf(-x[i]));
        break;
    case NN_ACT_SOFTSIGN:
        for (size_t i = 0; i < n; i++) {
            float d = 1.0f + fabsf(x[i]);
            dx[i] = dy[i] / (d * d);
        }
        break;
    case NN_ACT_HARD_SIGMOID:
        for (size_t i = 0; i < n; i++) {
            float d = dy[i] * (1.0f / 6.0f);
            dx[i] = (x[i] > -3.0f && x[i] < 3.0f) ? d : 0.0f;
        }
        break;
    default:
        break;
    }
}

// ---------------------------------------------------------------------------
// Split between threads by rows: every element (every softmax row) is
// computed by one thread as it would be by one.

typedef struct {
    nn_activation a;
    int rows, cols;
    const float *x, *y, *dy;
    float *out;
} act_job;

// Rows [lo, hi).
static void forward_part(void *ctx, int lo, int hi) {
    const act_job *j = ctx;
    size_t at = (size_t)lo * j->cols;
    forward_rows(j->a, hi - lo, j->cols, j->x + at, j->out + at);
}

static void backward_part(void *ctx, int lo, int hi) {
    const act_job *j = ctx;
    size_t at = (size_t)lo * j->cols;
    backward_rows(j->a, hi - lo, j->cols, j->x ? j->x + at : NULL, j->y ? j->y + at : NULL, j->dy + at,
                  j->out + at);
}

void nn_activation_forward(nn_activation a, int rows, int cols, const float *x, float *y) {
    if (rows <= 0 || cols <= 0) return;
    act_job j = {a, rows, cols, x, NULL, NULL, y};
    nn_parallel_range(rows, (size_t)cols, forward_part, &j);
}

void nn_activation_backward(nn_activation a, int rows, int cols, const float *x, const float *y,
                            const float *dy, float *dx) {
    if (rows <= 0 || cols <= 0) return;
    act_job j = {a, rows, cols, x, y, dy, dx};
    nn_parallel_range(rows, (size_t)cols, backward_part, &j);
}
