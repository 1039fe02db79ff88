/*
 * dense.c — the fully connected layer as a forward/backward pair.
 *
 * The three products a Dense layer needs go through nn_gemm, so the fastest
 * kernel compiled in (wasm_simd128 or the blocked scalar one) does the work.
 */
#include "nnlab.h"

// z is (B, out) pre-activation, y is (B, out) output (may equal z for linear),
// x is (B, in), w is (in, out), b is (out)
void nn_dense_forward(float *z, float *y, const float *x, const float *w, const float *b, int B,
                      int in, int out, nn_activation act) {
    nn_gemm(0, 0, B, out, in, x, in, w, out, 0.0f, z, out);
    nn_add_bias(B, out, z, b);
    if (act != NN_ACT_LINEAR || y != z) nn_activation_forward(act, B, out, z, y);
}

// dx is (B, in) or NULL, dw is (in, out), db is (out), dz is (B, out),
// x is (B, in), w is (in, out)
void nn_dense_backward(float *dx, float *dw, float *db, const float *dz, const float *x,
                       const float *w, int B, int in, int out) {
    nn_gemm(1, 0, in, out, B, x, in, dz, out, 0.0f, dw, out);
    nn_sum_rows(B, out, dz, db);
    // The first layer needs no input gradient: skipping it saves a third of its work.
    if (dx) nn_gemm(0, 1, B, in, out, dz, out, w, out, 0.0f, dx, in);
}
