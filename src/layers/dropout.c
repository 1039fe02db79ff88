/*
 * dropout.c — inverted dropout (Keras Dropout): while training each input is
 * zeroed with probability `rate` and the survivors are scaled by 1/(1-rate),
 * so nothing changes at inference, where the layer is the identity.
 */
#include "nnlab.h"

// y, mask and x are n floats (a whole batch, flattened)
void nn_dropout_forward(float *y, float *mask, const float *x, int n, float rate, nn_rng *rng) {
    float keep = 1.0f / (1.0f - rate);
    for (int i = 0; i < n; i++) {
        mask[i] = nn_rng_uniform(rng) < rate ? 0.0f : keep;
        y[i] = x[i] * mask[i];
    }
}

// dx, dy and mask are n floats; dx may alias dy
void nn_dropout_backward(float *dx, const float *dy, const float *mask, int n) {
    for (int i = 0; i < n; i++) dx[i] = dy[i] * mask[i];
}
