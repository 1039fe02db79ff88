/*
 * gemm.c — nn_gemm picks the fastest GEMM compiled in, plus the two small
 * row/column loops a Dense layer needs around it (bias add, bias gradient).
 *
 * The choice is made at compile time, as kann picks __SSE__: a wasm module
 * built with -msimd128 only runs where SIMD exists, so there is nothing to
 * detect at run time.
 */
#include <stddef.h>

#include "nnlab.h"

// ---------------------------------------------------------------------------
// GEMM dispatch

void nn_gemm(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B, int ldb,
             float beta, float *C, int ldc) {
#ifdef __wasm_simd128__
    nn_f32_gemm__wasmsimd(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc);
#else
    nn_f32_gemm__scalar(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc);
#endif
}

const char *nn_gemm_kernel_name(void) {
#ifdef __wasm_simd128__
    return "wasmsimd";
#else
    return "scalar";
#endif
}

// ---------------------------------------------------------------------------
// Bias. Plain loops: clang vectorises them for wasm SIMD by itself, and
// versions written with wasm_simd128 intrinsics measured the same in Node
// (32 x 100; ~10 ns better per call at 32 x 10, next to microseconds of GEMM).

// y(M, N) += bias(N) broadcast over rows.
void nn_add_bias(int M, int N, float *y, const float *bias) {
    for (int i = 0; i < M; i++) {
        float *row = y + (size_t)i * N;
        for (int j = 0; j < N; j++) row[j] += bias[j];
    }
}

// db(N) = sum over rows of dy(M, N), rows added in order (db is overwritten).
void nn_sum_rows(int M, int N, const float *dy, float *db) {
    for (int j = 0; j < N; j++) db[j] = 0.0f;
    for (int i = 0; i < M; i++) {
        const float *row = dy + (size_t)i * N;
        for (int j = 0; j < N; j++) db[j] += row[j];
    }
}
