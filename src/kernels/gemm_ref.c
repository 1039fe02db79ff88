/*
 * gemm_ref.c — the naive GEMM, the oracle every other kernel is tested against.
 *
 * A plain triple loop over C(M, N) = beta * C + op(A)(M, K) · op(B)(K, N), no
 * blocking, no tricks: it should be obviously right rather than fast. Each
 * element is accumulated in float, in k order, starting from beta * C (or from
 * 0 when beta == 0, so C is never read and NaN in it cannot leak). The tiled
 * kernels keep that same order, so without FMA contraction they agree with
 * this one bit for bit; the tests still allow a small tolerance.
 */
#include <stddef.h>

#include "nnlab.h"

// ---------------------------------------------------------------------------

// A is (M, K) with row stride lda, or (K, M) when ta; B is (K, N), or (N, K)
// when tb; C is (M, N) with row stride ldc.
void nn_f32_gemm__ref(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B,
                      int ldb, float beta, float *C, int ldc) {
    for (int i = 0; i < M; i++) {
        for (int j = 0; j < N; j++) {
            float *c = &C[(ptrdiff_t)i * ldc + j];
            float acc = beta == 0.0f ? 0.0f : beta * *c;
            for (int p = 0; p < K; p++) {
                float a = ta ? A[(ptrdiff_t)p * lda + i] : A[(ptrdiff_t)i * lda + p];
                float b = tb ? B[(ptrdiff_t)j * ldb + p] : B[(ptrdiff_t)p * ldb + j];
                acc += a * b;
            }
            *c = acc;
        }
    }
}
