/*
 * bench_gemm.c — GFLOPS of every compiled GEMM kernel on the products the
 * benchmark's networks really run.
 *
 * For each Dense layer: forward y = x·w (B, in)·(in, out), input gradient
 * dx = dz·wᵀ, weight gradient dw = xᵀ·dz. The layers are those of the
 * 784-100-10 MLP and of 784-10 logistic regression at batch 32. (The first
 * layer's dx is listed for completeness; training does not need it.) For each
 * Conv2D layer the three products im2col feeds, with B·oh·ow rows and
 * kh·kw·c columns: forward col·W, weight gradient colᵀ·dy, input gradient
 * dcol = dy·Wᵀ (not for a first layer) — of Keras's mnist_convnet at batch
 * 128 and of the TF.js tutorial's small CNN at batch 32, with their Dense
 * layers. Each kernel runs each shape for about 0.3 s (best of many short
 * trials); the naive reference only on the small products (a dash
 * otherwise). It measures, it does not judge: nothing here fails.
 */
#define _POSIX_C_SOURCE 199309L // clock_gettime
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "nnlab.h"

static const struct {
    const char *name;
    nn_gemm_fn fn;
} kernels[] = {
    {"ref", nn_f32_gemm__ref},
    {"scalar", nn_f32_gemm__scalar},
#ifdef __wasm_simd128__
    {"wasmsimd", nn_f32_gemm__wasmsimd},
#endif
};
enum { N_KERNELS = sizeof kernels / sizeof kernels[0] };

static const struct {
    const char *what;
    int ta, tb, M, N, K;
} shapes[] = {
    {"mlp 784->100 forward x.w", 0, 0, 32, 100, 784},
    {"mlp 784->100 dx = dz.wT", 0, 1, 32, 784, 100},
    {"mlp 784->100 dw = xT.dz", 1, 0, 784, 100, 32},
    {"mlp 100->10  forward x.w", 0, 0, 32, 10, 100},
    {"mlp 100->10  dx = dz.wT", 0, 1, 32, 100, 10},
    {"mlp 100->10  dw = xT.dz", 1, 0, 100, 10, 32},
    {"logreg 784->10 forward", 0, 0, 32, 10, 784},
    {"logreg 784->10 dw = xT.dz", 1, 0, 784, 10, 32},
    {"convnet conv1 forward", 0, 0, 86528, 32, 9},
    {"convnet conv1 dw", 1, 0, 9, 32, 86528},
    {"convnet conv2 forward", 0, 0, 15488, 64, 288},
    {"convnet conv2 dw", 1, 0, 288, 64, 15488},
    {"convnet conv2 dcol", 0, 1, 15488, 288, 64},
    {"convnet dense forward", 0, 0, 128, 10, 1600},
    {"convnet dense dw", 1, 0, 1600, 10, 128},
    {"convnet dense dx", 0, 1, 128, 1600, 10},
    {"cnn conv1 forward", 0, 0, 18432, 8, 25},
    {"cnn conv1 dw", 1, 0, 25, 8, 18432},
    {"cnn conv2 forward", 0, 0, 2048, 16, 200},
    {"cnn conv2 dw", 1, 0, 200, 16, 2048},
    {"cnn conv2 dcol", 0, 1, 2048, 200, 16},
    {"cnn dense forward", 0, 0, 32, 10, 256},
    {"cnn dense dw", 1, 0, 256, 10, 32},
    {"cnn dense dx", 0, 1, 32, 256, 10},
};
// The reference kernel only below this many multiply-adds (seconds per call above).
#define REF_MAX_MACS 2e7
enum { N_SHAPES = sizeof shapes / sizeof shapes[0] };

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static float *random_matrix(size_t n, nn_rng *r) {
    float *m = malloc(n * sizeof *m);
    for (size_t i = 0; i < n; i++) m[i] = 2.0f * nn_rng_uniform(r) - 1.0f;
    return m;
}

// GFLOPS of one kernel on one shape: find how many calls take ~2 ms, then
// time such short trials for ~0.3 s and keep the fastest. On a shared
// machine a long trial always includes other processes' time slices; a short
// one often runs undisturbed, so the best short trial measures the kernel.
static double gflops(nn_gemm_fn fn, int ta, int tb, int M, int N, int K, const float *A,
                     const float *B, float *C) {
    int lda = ta ? M : K, ldb = tb ? K : N;
    long reps = 1;
    double t;
    for (;;) {
        double t0 = now();
        for (long r = 0; r < reps; r++) fn(ta, tb, M, N, K, A, lda, B, ldb, 0.0f, C, N);
        t = now() - t0;
        if (t >= 0.002) break;
        reps *= 2;
    }
    double best = t, start = now();
    for (int trial = 0; trial < 10 || now() - start < 0.3; trial++) {
        double t0 = now();
        for (long r = 0; r < reps; r++) fn(ta, tb, M, N, K, A, lda, B, ldb, 0.0f, C, N);
        t = now() - t0;
        if (t < best) best = t;
    }
    return 2.0 * M * N * K * (double)reps / best * 1e-9;
}

int main(void) {
    nn_rng rng;
    nn_rng_seed(&rng, 1);
    printf("GEMM GFLOPS, nn_gemm uses \"%s\"\n", nn_gemm_kernel_name());
    printf("%-28s %2s %2s %14s", "product", "ta", "tb", "M x N x K");
    for (int k = 0; k < N_KERNELS; k++) printf(" %9s", kernels[k].name);
    printf("\n");
    for (int s = 0; s < N_SHAPES; s++) {
        int M = shapes[s].M, N = shapes[s].N, K = shapes[s].K;
        float *A = random_matrix((size_t)M * K, &rng), *B = random_matrix((size_t)K * N, &rng);
        float *C = malloc((size_t)M * N * sizeof *C);
        char dims[32];
        snprintf(dims, sizeof dims, "%dx%dx%d", M, N, K);
        printf("%-28s %2d %2d %14s", shapes[s].what, shapes[s].ta, shapes[s].tb, dims);
        fflush(stdout);
        for (int k = 0; k < N_KERNELS; k++) {
            if (kernels[k].fn == nn_f32_gemm__ref && (double)M * N * K > REF_MAX_MACS)
                printf(" %9s", "-");
            else
                printf(" %9.2f", gflops(kernels[k].fn, shapes[s].ta, shapes[s].tb, M, N, K, A, B, C));
            fflush(stdout);
        }
        printf("\n");
        free(A), free(B), free(C);
    }
    return 0;
}
