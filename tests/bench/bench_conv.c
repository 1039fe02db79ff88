/*
 * bench_conv.c — one Conv2D forward + backward at the shape of mnist_convnet's
 * second layer (batch 128, 13×13×32 → 11×11×64, kernel 3×3, "valid"), next to
 * the three GEMMs alone at the same sizes, to show how much of the step the
 * GEMMs are (the rest is im2col, col2im, bias). Prints figures; not a test.
 *
 *   build/bench_conv [repeats]     (wasm: node --no-experimental-fetch build-wasm/bench_conv.js)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "nnlab.h"

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static float *filled(size_t n, nn_rng *rng) {
    float *p = malloc(n * sizeof *p);
    for (size_t i = 0; i < n; i++) p[i] = 2.0f * nn_rng_uniform(rng) - 1.0f;
    return p;
}

int main(int argc, char **argv) {
    int repeats = argc > 1 ? atoi(argv[1]) : 5;
    if (repeats < 1) repeats = 1;
    const int B = 128, H = 13, W = 13, C = 32, F = 64, K = 3;
    nn_window g;
    if (nn_window_init(&g, "Conv2D", H, W, K, K, 1, 1, NN_PADDING_VALID) != NN_OK) {
        fprintf(stderr, "%s\n", nn_last_error());
        return 1;
    }
    nn_rng rng;
    nn_rng_seed(&rng, 1);
    size_t nx = (size_t)B * H * W * C, ny = (size_t)B * g.oh * g.ow * F, nw = (size_t)K * K * C * F;
    size_t ncol = nn_conv2d_col_floats(&g, B, C);
    float *x = filled(nx, &rng), *w = filled(nw, &rng), *b = filled(F, &rng), *dy = filled(ny, &rng);
    float *y = malloc(ny * sizeof *y), *col = malloc(ncol * sizeof *col);
    float *dx = malloc(nx * sizeof *dx), *dw = malloc(nw * sizeof *dw), *db = malloc(F * sizeof *db);
    int M = B * g.oh * g.ow, KK = K * K * C;

    double best_fwd = 1e30, best_bwd = 1e30, best_gemm = 1e30, best_each[3] = {1e30, 1e30, 1e30};
    for (int r = 0; r < repeats; r++) {
        double t0 = now_ms();
        nn_conv2d_forward(y, col, x, w, b, &g, B, C, F);
        double t1 = now_ms();
        nn_conv2d_backward(dx, dw, db, col, dy, x, w, &g, B, C, F);
        double t2 = now_ms();
        // The same three products on the col buffer as it is now (its values do not matter).
        double te[4];
        te[0] = now_ms();
        nn_gemm(0, 0, M, F, KK, col, KK, w, F, 0.0f, y, F); // y = col·W
        te[1] = now_ms();
        nn_gemm(1, 0, KK, F, M, col, KK, dy, F, 0.0f, dw, F); // dW = colᵀ·dy
        te[2] = now_ms();
        nn_gemm(0, 1, M, KK, F, dy, F, w, F, 0.0f, col, KK); // dcol = dy·Wᵀ
        te[3] = now_ms();
        double t3 = te[3];
        for (int i = 0; i < 3; i++)
            if (te[i + 1] - te[i] < best_each[i]) best_each[i] = te[i + 1] - te[i];
        if (t1 - t0 < best_fwd) best_fwd = t1 - t0;
        if (t2 - t1 < best_bwd) best_bwd = t2 - t1;
        if (t3 - te[0] < best_gemm) best_gemm = t3 - te[0];
    }
    double flops = 3.0 * 2.0 * M * (double)F * KK, total = best_fwd + best_bwd;
    printf("BENCH conv2d B=%d %dx%dx%d -> %dx%dx%d k%dx%d kernel=%s\n", B, H, W, C, g.oh, g.ow, F, K,
           K, nn_gemm_kernel_name());
    printf("  forward  %8.2f ms\n  backward %8.2f ms (with dx)\n  total    %8.2f ms  %.2f GFLOP/s\n",
           best_fwd, best_bwd, total, flops / total / 1e6);
    printf("  3 GEMMs  %8.2f ms  %.2f GFLOP/s  = %.0f%% of the step (best of %d)\n", best_gemm,
           flops / best_gemm / 1e6, 100.0 * best_gemm / total, repeats);
    printf("  y=col·W %.2f ms, dW=colᵀ·dy %.2f ms, dcol=dy·Wᵀ %.2f ms\n", best_each[0], best_each[1],
           best_each[2]);
    free(x), free(w), free(b), free(dy), free(y), free(col), free(dx), free(dw), free(db);
    return 0;
}
