/*
 * losses.c — Keras losses as a mean over the batch, with their gradients.
 *
 * The definitions follow Keras 3 (keras/src/losses/losses.py and
 * keras/src/backend/numpy/nn.py):
 *   categorical_crossentropy   p is divided by its row sum, clipped to
 *                              [eps, 1 - eps] (eps = 1e-7), then -Σ y log p
 *   sparse_categorical_...     the same with the target given as a label
 *   mean_squared_error         mean over cols of (p - y)², then over rows
 *   binary_crossentropy        element-wise on p clipped to [eps, 1 - eps],
 *                              mean over cols, then over rows
 * Gradients are those of exactly these expressions: zero where the clip is
 * active, and the cross-entropy gradient passes through the row-sum
 * normalisation (which adds a constant per row that cancels against a
 * softmax Jacobian). Per-row sums are kept in double: a batch of a few
 * hundred rows of 10 classes costs nothing, and the loss shown to the user
 * does not drift with the batch size.
 *
 * A model whose last layer is a softmax trained with either cross-entropy is
 * the exception (model.c): like Keras's TensorFlow backend, which takes the
 * logits the softmax cached on its output (`_keras_logits`, then
 * tf.nn.softmax_cross_entropy_with_logits; keras/src/backend/tensorflow/nn.py),
 * it reports nn_softmax_crossentropy_from_logits and trains with the fused
 * gradient (p - y) / rows, both unclipped and consistent with each other. A
 * confident wrong prediction then costs its true -log p, not -log 1e-7.
 *
 * A label >= cols never reads out of bounds: such a row has an all-zero
 * target (as jax.nn.one_hot makes it), so it adds 0 to the loss and to the
 * gradient. Callers are expected to validate labels (nn_to_categorical does).
 */
#include <math.h>
#include <string.h>

#include "reasons.h"

// ---------------------------------------------------------------------------
// Names

static const char *const loss_names[NN_LOSS_COUNT] = {
    [NN_LOSS_CATEGORICAL_CROSSENTROPY] = "categorical_crossentropy",
    [NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY] = "sparse_categorical_crossentropy",
    [NN_LOSS_MEAN_SQUARED_ERROR] = "mean_squared_error",
    [NN_LOSS_BINARY_CROSSENTROPY] = "binary_crossentropy",
};

const char *nn_loss_name(nn_loss l) {
    if ((int)l < 0 || l >= NN_LOSS_COUNT) return "unknown";
    return loss_names[l];
}

int nn_loss_from_name(const char *name) {
    if (!name) return nn_unknown_name(NN_R_NAME_LOSS, "", loss_names, NN_LOSS_COUNT);
    // Keras registers the short aliases "mse" and "MSE" for mean_squared_error.
    if (strcmp(name, "mse") == 0 || strcmp(name, "MSE") == 0) return NN_LOSS_MEAN_SQUARED_ERROR;
    for (int i = 0; i < NN_LOSS_COUNT; i++)
        if (strcmp(name, loss_names[i]) == 0) return i;
    return nn_unknown_name(NN_R_NAME_LOSS, name, loss_names, NN_LOSS_COUNT);
}

// ---------------------------------------------------------------------------
// Targets: one-hot rows when given, else built on the fly from labels.

static inline float target_at(const float *onehot, const uint8_t *labels, int cols, int r, int j) {
    return onehot ? onehot[(size_t)r * cols + j] : (float)(labels[r] == j);
}

// ---------------------------------------------------------------------------
// Losses. Each returns the mean loss and, if dp is not NULL, writes
// d(mean loss)/dp. p, onehot and dp are (rows, cols), labels is (rows).
// The per-element losses (MSE, BCE) are scaled by 1/(rows·cols).

// -Σ_j y_j log clip(p_j / S), S = Σ_k p_k. With q = p / S and g_j = dL/dq_j
// (= -y_j / q_j inside the clip range, 0 outside), the chain rule through
// the normalisation gives dL/dp_k = (g_k - Σ_j g_j q_j) / S.
static float crossentropy(int rows, int cols, const float *p, const float *onehot,
                          const uint8_t *labels, float *dp) {
    const double lo = NN_EPSILON, hi = 1.0 - (double)NN_EPSILON;
    double total = 0.0;
    for (int r = 0; r < rows; r++) {
        const float *pr = p + (size_t)r * cols;
        double s = 0.0;
        for (int j = 0; j < cols; j++) s += pr[j];
        double loss = 0.0, gq = 0.0;
        for (int j = 0; j < cols; j++) {
            double y = target_at(onehot, labels, cols, r, j);
            if (y == 0.0) continue;
            double q = pr[j] / s;
            double c = q < lo ? lo : (q > hi ? hi : q);
            loss -= y * log(c);
            if (q >= lo && q <= hi) gq += (-y / c) * q;
        }
        total += loss;
        if (!dp) continue;
        float *dr = dp + (size_t)r * cols;
        for (int j = 0; j < cols; j++) {
            double y = target_at(onehot, labels, cols, r, j);
            double q = pr[j] / s;
            double g = (y != 0.0 && q >= lo && q <= hi) ? -y / q : 0.0;
            dr[j] = (float)((g - gq) / s / rows);
        }
    }
    return (float)(total / rows);
}

static float mean_squared_error(int rows, int cols, const float *p, const float *onehot,
                                const uint8_t *labels, float *dp) {
    const double scale = 1.0 / ((double)rows * cols);
    double total = 0.0;
    for (int r = 0; r < rows; r++) {
        const float *pr = p + (size_t)r * cols;
        for (int j = 0; j < cols; j++) {
            double d = (double)pr[j] - target_at(onehot, labels, cols, r, j);
            total += d * d;
            if (dp) dp[(size_t)r * cols + j] = (float)(2.0 * d * scale);
        }
    }
    return (float)(total * scale);
}

static float binary_crossentropy(int rows, int cols, const float *p, const float *onehot,
                                 const uint8_t *labels, float *dp) {
    const double lo = NN_EPSILON, hi = 1.0 - (double)NN_EPSILON;
    const double scale = 1.0 / ((double)rows * cols);
    double total = 0.0;
    for (int r = 0; r < rows; r++) {
        const float *pr = p + (size_t)r * cols;
        for (int j = 0; j < cols; j++) {
            double y = target_at(onehot, labels, cols, r, j);
            double q = pr[j];
            double c = q < lo ? lo : (q > hi ? hi : q);
            total -= y * log(c) + (1.0 - y) * log(1.0 - c);
            if (dp) {
                double g = (q >= lo && q <= hi) ? (-y / c + (1.0 - y) / (1.0 - c)) : 0.0;
                dp[(size_t)r * cols + j] = (float)(g * scale);
            }
        }
    }
    return (float)(total * scale);
}

float nn_loss_forward_backward(nn_loss l, int rows, int cols, const float *p,
                               const float *onehot, const uint8_t *labels, float *dp) {
    if (rows <= 0 || cols <= 0) return 0.0f;
    // The sparse loss reads labels; the others prefer one-hot rows but fall
    // back to labels, which describe the same targets.
    if (l == NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY && labels) onehot = NULL;
    if (!onehot && !labels) {
        if (dp) memset(dp, 0, (size_t)rows * cols * sizeof *dp);
        nn_fail(NN_ERR_ARG, NN_R_LOSS_NO_TARGETS, NN_S("loss", nn_loss_name(l)));
        return NAN;
    }
    switch (l) {
    case NN_LOSS_CATEGORICAL_CROSSENTROPY:
    case NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY:
        return crossentropy(rows, cols, p, onehot, labels, dp);
    case NN_LOSS_MEAN_SQUARED_ERROR:
        return mean_squared_error(rows, cols, p, onehot, labels, dp);
    case NN_LOSS_BINARY_CROSSENTROPY:
        return binary_crossentropy(rows, cols, p, onehot, labels, dp);
    default:
        if (dp) memset(dp, 0, (size_t)rows * cols * sizeof *dp);
        nn_fail(NN_ERR_ARG, NN_R_LOSS_KIND, NN_I("loss", (int)l));
        return NAN;
    }
}

// ---------------------------------------------------------------------------
// Output width against the classes

// Keras compares the shapes of target and output: categorical_crossentropy
// raises "Arguments `target` and `output` must have the same shape"
// (keras/src/backend/tensorflow/nn.py), and so do the other losses on one-hot
// targets; the sparse loss indexes the output with the label, so a wider
// output works and a narrower one fails on a label out of range.
int nn_loss_check_outputs(nn_loss l, int outputs, int n_classes) {
    if (l == NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY) {
        if (outputs >= n_classes) return NN_OK;
        return nn_fail(NN_ERR_ARG, NN_R_LOSS_SPARSE_OUTPUTS, NN_I("outputs", outputs),
                       NN_TERM("units", outputs == 1 ? NN_R_TERM_UNIT : NN_R_TERM_UNITS), NN_I("classes", n_classes),
                       NN_I("max", n_classes - 1));
    }
    // One unit for two classes: the label itself (0 or 1) is the target.
    int binary = outputs == 1 && n_classes <= 2 && l != NN_LOSS_CATEGORICAL_CROSSENTROPY;
    if (outputs == n_classes || binary) return NN_OK;
    return nn_fail(NN_ERR_ARG, NN_R_LOSS_OUTPUTS, NN_I("outputs", outputs),
                   NN_TERM("units", outputs == 1 ? NN_R_TERM_UNIT : NN_R_TERM_UNITS), NN_I("classes", n_classes),
                   NN_S("loss", nn_loss_name(l)));
}

// ---------------------------------------------------------------------------
// Softmax + cross-entropy, fused

// The exact gradient of -Σ y log softmax(z) w.r.t. z is p·Σy - y, which is
// the familiar p - y when the target row sums to 1 (one-hot); a row whose
// label is out of range has no target and gets a zero gradient.
void nn_softmax_crossentropy_backward(int rows, int cols, const float *p, const float *onehot,
                                      const uint8_t *labels, float *dz) {
    if (rows <= 0 || cols <= 0) return;
    const float inv = 1.0f / (float)rows;
    for (int r = 0; r < rows; r++) {
        const float *pr = p + (size_t)r * cols;
        float *dr = dz + (size_t)r * cols;
        if (onehot) {
            const float *yr = onehot + (size_t)r * cols;
            float ysum = 0.0f;
            for (int j = 0; j < cols; j++) ysum += yr[j];
            for (int j = 0; j < cols; j++) dr[j] = (pr[j] * ysum - yr[j]) * inv;
        } else if (labels && labels[r] < cols) {
            for (int j = 0; j < cols; j++) dr[j] = pr[j] * inv;
            dr[labels[r]] -= inv;
        } else {
            memset(dr, 0, (size_t)cols * sizeof *dr);
        }
    }
}

// Mean of -Σ_j y_j log softmax(z)_j with log softmax(z)_j = z_j - max -
// log Σ_k exp(z_k - max): stable for any finite logits, in double.
float nn_softmax_crossentropy_from_logits(int rows, int cols, const float *z, const float *onehot,
                                          const uint8_t *labels) {
    if (rows <= 0 || cols <= 0) return 0.0f;
    double total = 0.0;
    for (int r = 0; r < rows; r++) {
        const float *zr = z + (size_t)r * cols;
        double max = zr[0], sum = 0.0;
        for (int j = 1; j < cols; j++) max = zr[j] > max ? zr[j] : max;
        for (int j = 0; j < cols; j++) sum += exp((double)zr[j] - max);
        double lse = max + log(sum);
        if (onehot) {
            const float *yr = onehot + (size_t)r * cols;
            for (int j = 0; j < cols; j++)
                if (yr[j] != 0.0f) total += yr[j] * (lse - zr[j]);
        } else if (labels && labels[r] < cols) {
            total += lse - zr[labels[r]];
        }
    }
    return (float)(total / rows);
}

// ---------------------------------------------------------------------------
// One-hot targets

int nn_to_categorical(const uint8_t *labels, int n, int n_classes, float *out) {
    if (n < 0 || n_classes <= 0)
        return nn_fail(NN_ERR_ARG, NN_R_LOSS_CATEGORICAL_SIZES, NN_I("n", n), NN_I("classes", n_classes));
    if (n == 0) return NN_OK;
    if (!labels || !out) return nn_fail(NN_ERR_ARG, NN_R_LOSS_CATEGORICAL_BUFFER);
    // Check every label before writing, so a failed call leaves out untouched.
    for (int i = 0; i < n; i++)
        if (labels[i] >= n_classes)
            return nn_fail(NN_ERR_ARG, NN_R_LOSS_CATEGORICAL_LABEL, NN_I("label", labels[i]), NN_I("index", i),
                           NN_I("classes", n_classes), NN_I("max", n_classes - 1));
    memset(out, 0, (size_t)n * n_classes * sizeof *out);
    for (int i = 0; i < n; i++) out[(size_t)i * n_classes + labels[i]] = 1.0f;
    return NN_OK;
}
