/*
 * batchnorm.c — BatchNormalization(axis=-1) as a forward/backward pair.
 *
 * Keras 3 (keras/src/layers/normalization/batch_normalization.py call): in
 * training, mean and variance come from ops.moments over every axis but the
 * last; the TensorFlow backend (keras/src/backend/tensorflow/nn.py moments)
 * runs tf.nn.moments, whose variance is the biased mean of squared
 * deviations. The moving statistics are then assigned
 *   moving = moving·momentum + batch·(1 - momentum)
 * with that same biased variance, and the output is
 *   gamma·(x - mean)/sqrt(var + epsilon) + beta   (tf.nn.batch_normalization).
 * At inference the moving statistics replace the batch's.
 *
 * Forward keeps only the mean and 1/sqrt(var + eps) per channel (2c floats);
 * backward recomputes x̂ from x, which it gets anyway, instead of holding a
 * copy of the whole activation per layer.
 *
 * The per-channel sums run over N = B·h·w rows (86528 for a 26×26 map at
 * batch 128), so they accumulate in double, rows in order: accurate, and the
 * same bits everywhere. Channels go in blocks whose accumulators live on the
 * stack, so each row is read contiguously.
 */
#include <math.h>

#include "nnlab.h"

#define BLOCK 64 // channels summed at once

size_t nn_batchnorm_save_floats(int c) { return 2 * (size_t)c; }

// Channels [j0, j0 + nb) of y(N, c) = gamma·(x - mean)·inv_std + beta; mean,
// inv_std, gamma and beta point at channel j0.
static void normalize(float *y, const float *x, const float *mean, const float *inv_std,
                      const float *gamma, const float *beta, int N, int c, int j0, int nb) {
    for (size_t i = 0; i < (size_t)N; i++) {
        const float *xr = x + i * c + j0;
        float *yr = y + i * c + j0;
        for (int j = 0; j < nb; j++) yr[j] = gamma[j] * ((xr[j] - mean[j]) * inv_std[j]) + beta[j];
    }
}

// y is (N, c), save is (2, c), moving_mean and moving_var are (c), x is (N, c),
// gamma and beta are (c)
void nn_batchnorm_forward_train(float *y, float *save, float *moving_mean, float *moving_var,
                                const float *x, const float *gamma, const float *beta, int N, int c,
                                float momentum, float epsilon) {
    float *mean = save, *inv_std = save + c;
    for (int j0 = 0; j0 < c; j0 += BLOCK) {
        int nb = c - j0 < BLOCK ? c - j0 : BLOCK;
        double s[BLOCK] = {0}, q[BLOCK] = {0}, m[BLOCK];
        for (size_t i = 0; i < (size_t)N; i++) {
            const float *xr = x + i * c + j0;
            for (int j = 0; j < nb; j++) s[j] += xr[j];
        }
        for (int j = 0; j < nb; j++) m[j] = s[j] / N;
        // Two passes (deviations from the mean), not E[x²] - E[x]²: no cancellation.
        for (size_t i = 0; i < (size_t)N; i++) {
            const float *xr = x + i * c + j0;
            for (int j = 0; j < nb; j++) {
                double d = xr[j] - m[j];
                q[j] += d * d;
            }
        }
        for (int j = 0; j < nb; j++) {
            float var = (float)(q[j] / N);
            mean[j0 + j] = (float)m[j];
            inv_std[j0 + j] = 1.0f / sqrtf(var + epsilon);
            moving_mean[j0 + j] = moving_mean[j0 + j] * momentum + mean[j0 + j] * (1.0f - momentum);
            moving_var[j0 + j] = moving_var[j0 + j] * momentum + var * (1.0f - momentum);
        }
        normalize(y, x, mean + j0, inv_std + j0, gamma + j0, beta + j0, N, c, j0, nb);
    }
}

// y is (N, c), x is (N, c), gamma, beta, moving_mean and moving_var are (c)
void nn_batchnorm_forward_infer(float *y, const float *x, const float *gamma, const float *beta,
                                const float *moving_mean, const float *moving_var, int N, int c,
                                float epsilon) {
    for (int j0 = 0; j0 < c; j0 += BLOCK) {
        int nb = c - j0 < BLOCK ? c - j0 : BLOCK;
        float inv_std[BLOCK]; // on the stack: the caller keeps no buffer for inference
        for (int j = 0; j < nb; j++) inv_std[j] = 1.0f / sqrtf(moving_var[j0 + j] + epsilon);
        normalize(y, x, moving_mean + j0, inv_std, gamma + j0, beta + j0, N, c, j0, nb);
    }
}

// With x̂ = (x - mean)·inv_std and y = gamma·x̂ + beta:
//   dbeta = Σ dy,  dgamma = Σ dy·x̂,
//   dx = gamma·inv_std/N · (N·dy - dbeta - x̂·dgamma)
// (the batch mean and variance depend on every x, hence the two sums in dx).
// dx is (N, c) or NULL, dgamma and dbeta are (c), dy is (N, c), save is (2, c),
// x is (N, c), gamma is (c)
void nn_batchnorm_backward(float *dx, float *dgamma, float *dbeta, const float *dy,
                           const float *save, const float *x, const float *gamma, int N, int c) {
    const float *mean = save, *inv_std = save + c;
    for (int j0 = 0; j0 < c; j0 += BLOCK) {
        int nb = c - j0 < BLOCK ? c - j0 : BLOCK;
        double sb[BLOCK] = {0}, sg[BLOCK] = {0};
        for (size_t i = 0; i < (size_t)N; i++) {
            const float *xr = x + i * c + j0, *dyr = dy + i * c + j0;
            for (int j = 0; j < nb; j++) {
                float xhat = (xr[j] - mean[j0 + j]) * inv_std[j0 + j];
                sb[j] += dyr[j];
                sg[j] += (double)dyr[j] * xhat;
            }
        }
        for (int j = 0; j < nb; j++) dbeta[j0 + j] = (float)sb[j], dgamma[j0 + j] = (float)sg[j];
    }
    if (!dx) return;
    for (size_t i = 0; i < (size_t)N; i++) {
        const float *xr = x + i * c, *dyr = dy + i * c;
        float *dxr = dx + i * c;
        for (int j = 0; j < c; j++) {
            float xhat = (xr[j] - mean[j]) * inv_std[j];
            float k = gamma[j] * inv_std[j] / (float)N;
            dxr[j] = k * ((float)N * dyr[j] - dbeta[j] - xhat * dgamma[j]);
        }
    }
}
