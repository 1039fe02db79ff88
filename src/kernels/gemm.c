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
// GEMM dispatch, split between threads by output: rows of C in whole 4-row
// tiles, or (a C of few rows: a convolution's weight gradient of a 1-channel
// input, 9 x 32) columns in whole 8-wide panels. Each element of C is then
// computed by one thread with the same k order as one kernel call over all of
// C, so any number of threads gives the same bits.

static void gemm_one(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B,
                     int ldb, float beta, float *C, int ldc) {
#ifdef __wasm_simd128__
    nn_f32_gemm__wasmsimd(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc);
#else
    nn_f32_gemm__scalar(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc);
#endif
}

typedef struct {
    int ta, tb, M, N, K, lda, ldb, ldc, by_rows;
    const float *A, *B;
    float beta;
    float *C;
} gemm_job;

enum { TILE_M = 4, TILE_N = 8, MIN_PART_FLOPS = 1 << 17 };

static void gemm_part(void *ctx, int part, int parts) {
    const gemm_job *j = ctx;
    int lo, hi;
    if (j->by_rows) {
        nn_part_range(j->M, TILE_M, part, parts, &lo, &hi);
        if (lo >= hi) return;
        // row i of op(A) is row i of A, or column i of A when transposed
        const float *a = j->ta ? j->A + lo : j->A + (size_t)lo * j->lda;
        gemm_one(j->ta, j->tb, hi - lo, j->N, j->K, a, j->lda, j->B, j->ldb, j->beta,
                 j->C + (size_t)lo * j->ldc, j->ldc);
    } else {
        nn_part_range(j->N, TILE_N, part, parts, &lo, &hi);
        if (lo >= hi) return;
        const float *b = j->tb ? j->B + (size_t)lo * j->ldb : j->B + lo;
        gemm_one(j->ta, j->tb, j->M, hi - lo, j->K, j->A, j->lda, b, j->ldb, j->beta, j->C + lo, j->ldc);
    }
}

void nn_gemm(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B, int ldb,
             float beta, float *C, int ldc) {
    const int row_tiles = (M + TILE_M - 1) / TILE_M, col_panels = (N + TILE_N - 1) / TILE_N;
    const int by_rows = row_tiles >= 2 * nn_threads() || row_tiles >= col_panels;
    const int pieces = by_rows ? row_tiles : col_panels;
    double flops = 2.0 * M * N * K;
    int parts = nn_threads();
    if (parts > pieces) parts = pieces;
    while (parts > 1 && flops / parts < MIN_PART_FLOPS) parts--;
    if (parts <= 1) {
        gemm_one(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc);
        return;
    }
    gemm_job j = {ta, tb, M, N, K, lda, ldb, ldc, by_rows, A, B, beta, C};
    nn_parallel(gemm_part, &j, parts);
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

typedef struct {
    int M, N;
    float *y;
    const float *bias;
    const float *dy;
    float *db;
} bias_job;

// Rows [lo, hi) of y.
static void add_bias_rows(void *ctx, int lo, int hi) {
    const bias_job *j = ctx;
    for (int i = lo; i < hi; i++) {
        float *row = j->y + (size_t)i * j->N;
        for (int c = 0; c < j->N; c++) row[c] += j->bias[c];
    }
}

// y(M, N) += bias(N) broadcast over rows (split by rows).
void nn_add_bias(int M, int N, float *y, const float *bias) {
    bias_job j = {M, N, y, bias, NULL, NULL};
    nn_parallel_range(M, (size_t)N, add_bias_rows, &j);
}

// Columns [lo, hi) of db, each summed over the rows in order.
static void sum_rows_part(void *ctx, int part, int parts) {
    const bias_job *j = ctx;
    int lo, hi;
    nn_part_range(j->N, 8, part, parts, &lo, &hi);
    for (int c = lo; c < hi; c++) j->db[c] = 0.0f;
    for (int i = 0; i < j->M; i++) {
        const float *row = j->dy + (size_t)i * j->N;
        for (int c = lo; c < hi; c++) j->db[c] += row[c];
    }
}

// db(N) = sum over rows of dy(M, N), rows added in order (db is overwritten;
// split by columns).
void nn_sum_rows(int M, int N, const float *dy, float *db) {
    bias_job j = {M, N, NULL, NULL, dy, db};
    int parts = nn_parts_for((size_t)M * N);
    int most = (N + 7) / 8;
    nn_parallel(sum_rows_part, &j, parts < most ? parts : most);
}
