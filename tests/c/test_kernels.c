/*
 * test_kernels.c — every compiled GEMM kernel against the naive reference, and
 * the reference against a double-precision sum.
 *
 * Sizes sweep 1..33 in one dimension while the other two take a spread that
 * includes 1, primes and non-multiples of the 4 x 8 tile, then prime shapes
 * and the shapes a 784-100-10 MLP and a 784-10 logistic regression actually
 * run, in all four (ta, tb) cases, with beta 0 and 1 and with row strides
 * wider than the rows. With beta == 0, C starts as NaN so an element the
 * kernel forgets to write (or reads) fails; the padding between rows of C is
 * checked bit for bit, so a kernel that writes outside its tile fails too.
 * Matrices are allocated to their exact stored extent, so an over-read shows
 * up under the sanitizer build. Fixed seeds throughout.
 *
 * No tolerance: every kernel must give the reference's bits. The README
 * promises the same numbers with every kernel (scalar natively, wasm_simd128
 * in the browser), and it holds because each element is summed in the same k
 * order from the same start, with every multiply and add rounded on its own
 * (the build passes -ffp-contract=off, so no FMA fuses them on one side and
 * not the other). A kernel that reorders its sums fails here, not later as a
 * training run that differs between the CLI and the page.
 */
#include "nn_test.h"

static const struct {
    const char *name;
    nn_gemm_fn fn;
} kernels[] = {
    {"scalar", nn_f32_gemm__scalar},
#ifdef __wasm_simd128__
    {"wasmsimd", nn_f32_gemm__wasmsimd},
#endif
};
enum { N_KERNELS = sizeof kernels / sizeof kernels[0] };

static nn_rng rng;

static float uniform_pm1(void) { return 2.0f * nn_rng_uniform(&rng) - 1.0f; }

// A stored matrix (rows, cols) with row stride ld, allocated to exactly
// (rows - 1) * ld + cols floats: reading past the last element is an overflow.
static float *alloc_matrix(int rows, int cols, int ld) {
    size_t n = rows > 0 && cols > 0 ? (size_t)(rows - 1) * ld + cols : 1;
    float *m = malloc(n * sizeof *m);
    for (size_t i = 0; i < n; i++) m[i] = uniform_pm1();
    return m;
}

// ---------------------------------------------------------------------------
// One case: all kernels against the reference

static const float PAD_VALUE = -12345.0f; // C's row padding, must stay as is

// Runs every kernel on one shape; returns the number of kernels that failed.
static int check_gemm(int ta, int tb, int M, int N, int K, int pad, float beta) {
    int a_rows = ta ? K : M, a_cols = ta ? M : K;
    int b_rows = tb ? N : K, b_cols = tb ? K : N;
    int lda = (a_cols > 0 ? a_cols : 1) + pad, ldb = (b_cols > 0 ? b_cols : 1) + pad;
    int ldc = N + pad;
    float *A = alloc_matrix(a_rows, a_cols, lda);
    float *B = alloc_matrix(b_rows, b_cols, ldb);
    size_t nc = (size_t)M * ldc;
    float *C0 = malloc(nc * sizeof *C0), *Cref = malloc(nc * sizeof *Cref);
    float *C = malloc(nc * sizeof *C);
    for (int i = 0; i < M; i++)
        for (int j = 0; j < ldc; j++)
            C0[(size_t)i * ldc + j] = j >= N ? PAD_VALUE : beta == 0.0f ? NAN : uniform_pm1();
    memcpy(Cref, C0, nc * sizeof *C0);
    nn_f32_gemm__ref(ta, tb, M, N, K, A, lda, B, ldb, beta, Cref, ldc);

    int failed = 0;
    for (int k = 0; k < N_KERNELS; k++) {
        memcpy(C, C0, nc * sizeof *C);
        kernels[k].fn(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc);
        int bad = 0, bi = 0, bj = 0;
        for (int i = 0; i < M && !bad; i++)
            for (int j = 0; j < ldc && !bad; j++) {
                size_t e = (size_t)i * ldc + j;
                // Bit for bit: the row padding stays as it was, the rest is the reference's.
                const float *want = j >= N ? &C0[e] : &Cref[e];
                if (memcmp(&C[e], want, sizeof *C) != 0) bad = 1, bi = i, bj = j;
            }
        size_t e = (size_t)bi * ldc + bj;
        // A broken kernel fails thousands of shapes: name the first few, count the rest.
        static int reported = 0;
        if (bad && reported++ >= 20) {
            nn_test_checks++, nn_test_failures++;
            failed++;
            continue;
        }
        CHECK(!bad, "%s %dx%dx%d ta=%d tb=%d beta=%g pad=%d: C[%d][%d] = %.9g, expected %.9g%s",
              kernels[k].name, M, N, K, ta, tb, beta, pad, bi, bj, C[e], Cref[e],
              bj >= N ? " (row padding overwritten)" : " (not bit-identical)");
        failed += bad;
    }
    free(A), free(B), free(C0), free(Cref), free(C);
    return failed;
}

// ---------------------------------------------------------------------------
// Tests

// The reference itself: a hand-computed product in all four layouts.
static void test_ref_small(void) {
    const float a[6] = {1, 2, 3, 4, 5, 6};      // (2, 3)
    const float at[6] = {1, 4, 2, 5, 3, 6};     // its transpose (3, 2)
    const float b[6] = {7, 8, 9, 10, 11, 12};   // (3, 2)
    const float bt[6] = {7, 9, 11, 8, 10, 12};  // its transpose (2, 3)
    const float want[4] = {58, 64, 139, 154};
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) {
            float c[4] = {NAN, NAN, NAN, NAN};
            nn_f32_gemm__ref(ta, tb, 2, 2, 3, ta ? at : a, ta ? 2 : 3, tb ? bt : b, tb ? 3 : 2,
                             0.0f, c, 2);
            for (int e = 0; e < 4; e++)
                CHECK(c[e] == want[e], "ref ta=%d tb=%d: c[%d] = %g, expected %g", ta, tb, e,
                      c[e], want[e]);
            float one[4] = {1, 1, 1, 1};
            nn_f32_gemm__ref(ta, tb, 2, 2, 3, ta ? at : a, ta ? 2 : 3, tb ? bt : b, tb ? 3 : 2,
                             1.0f, one, 2);
            for (int e = 0; e < 4; e++)
                CHECK(one[e] == want[e] + 1, "ref beta=1 ta=%d tb=%d: c[%d] = %g", ta, tb, e,
                      one[e]);
        }
}

// The reference against a sum in double. A float sum of the K + 1 terms
// beta * c (exact for beta 0 or 1) and a * b is off by at most
// gamma_(K+1) * (|beta * c| + sum |a b|), gamma_n = n u / (1 - n u), u = 2^-24
// (Higham, Accuracy and Stability of Numerical Algorithms, 3.1), so this bound
// is rigorous: exceeding it means a wrong element, not rounding.
static void test_ref_vs_double(void) {
    static const int shapes[][3] = {{1, 1, 1}, {7, 5, 3}, {33, 17, 31}, {32, 100, 784},
                                    {784, 10, 32}, {13, 61, 127}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int t = 0; t < 4; t++) {
            int M = shapes[s][0], N = shapes[s][1], K = shapes[s][2], ta = t >> 1, tb = t & 1;
            int lda = (ta ? M : K) + 2, ldb = (tb ? K : N) + 1, ldc = N + 3;
            float *A = alloc_matrix(ta ? K : M, ta ? M : K, lda);
            float *B = alloc_matrix(tb ? N : K, tb ? K : N, ldb);
            float *C = alloc_matrix(M, N, ldc), *C0 = alloc_matrix(M, N, ldc);
            memcpy(C0, C, ((size_t)(M - 1) * ldc + N) * sizeof *C);
            float beta = (float)(t & 1); // both betas over the four layouts
            nn_f32_gemm__ref(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc);
            double u = 1.0 / 16777216.0, gamma = (K + 1) * u / (1 - (K + 1) * u);
            int bad = 0, bi = 0, bj = 0;
            double bsum = 0.0, bbound = 0.0;
            for (int i = 0; i < M && !bad; i++)
                for (int j = 0; j < N && !bad; j++) {
                    double c0 = beta * C0[(size_t)i * ldc + j], sum = c0, mag = fabs(c0);
                    for (int p = 0; p < K; p++) {
                        double a = ta ? A[(size_t)p * lda + i] : A[(size_t)i * lda + p];
                        double b = tb ? B[(size_t)j * ldb + p] : B[(size_t)p * ldb + j];
                        sum += a * b, mag += fabs(a * b);
                    }
                    if (!(fabs(C[(size_t)i * ldc + j] - sum) <= gamma * mag))
                        bad = 1, bi = i, bj = j, bsum = sum, bbound = gamma * mag;
                }
            CHECK(!bad, "ref %dx%dx%d ta=%d tb=%d beta=%g: C[%d][%d] = %.9g, double sum %.9g, "
                  "bound %.3g", M, N, K, ta, tb, beta, bi, bj, C[(size_t)bi * ldc + bj], bsum,
                  bbound);
            free(A), free(B), free(C), free(C0);
        }
}

// 1..33 in one dimension, a spread in the other two, all layouts, both betas,
// tight and padded strides.
static void test_sweep(void) {
    static const int spread[] = {1, 2, 3, 4, 5, 7, 8, 9, 12, 16, 17, 31, 33};
    const int ns = sizeof spread / sizeof spread[0];
    int cases = 0, failed = 0;
    for (int t = 0; t < 4; t++)
        for (int dim = 0; dim < 3; dim++)
            for (int x = 1; x <= 33; x++)
                for (int u = 0; u < ns; u++)
                    for (int v = 0; v < ns; v++) {
                        int d[3];
                        d[dim] = x, d[(dim + 1) % 3] = spread[u], d[(dim + 2) % 3] = spread[v];
                        for (int beta = 0; beta < 2; beta++)
                            for (int pad = 0; pad < 4; pad += 3) {
                                failed += check_gemm(t >> 1, t & 1, d[0], d[1], d[2], pad,
                                                     (float)beta) > 0;
                                cases++;
                            }
                    }
    CHECK(failed == 0, "%d of %d sweep shapes failed", failed, cases);
}

// Every combination of four primes, sizes no tile divides; the layout, beta and
// padding rotate. (K longer than the SIMD kernel's 256-row blocks is in the
// real shapes below.)
static void test_primes(void) {
    static const int primes[] = {37, 61, 97, 127};
    for (int m = 0; m < 4; m++)
        for (int n = 0; n < 4; n++)
            for (int k = 0; k < 4; k++) {
                int t = (m + n + k) % 4;
                check_gemm(t >> 1, t & 1, primes[m], primes[n], primes[k], (m + k) % 2 ? 5 : 0,
                           (float)((n + k) % 2));
            }
}

// The products of Dense layers at batch 32: forward x·w, dx = dz·wᵀ, dw = xᵀ·dz
// for 784-100-10 and 784-10, each tried in every layout.
static void test_real_shapes(void) {
    static const int shapes[][3] = {
        {32, 100, 784}, {32, 784, 100}, {784, 100, 32}, // layer 784 -> 100
        {32, 10, 100},  {32, 100, 10},  {100, 10, 32},  // layer 100 -> 10
        {32, 10, 784},  {32, 784, 10},  {784, 10, 32},  // logistic regression 784 -> 10
        {1, 100, 784},  {17, 10, 784},  {54, 100, 300}, // odd batches; K = 300 past one KC block
    };
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int t = 0; t < 4; t++)
            for (int beta = 0; beta < 2; beta++)
                check_gemm(t >> 1, t & 1, shapes[s][0], shapes[s][1], shapes[s][2],
                           beta ? 0 : 4, (float)beta);
}

// K == 0 leaves beta * C (zeros for beta == 0, even over NaN); empty M or N
// touch nothing.
static void test_degenerate(void) {
    for (int t = 0; t < 4; t++) {
        check_gemm(t >> 1, t & 1, 5, 9, 0, 2, 0.0f);
        check_gemm(t >> 1, t & 1, 5, 9, 0, 0, 1.0f);
        for (int k = 0; k < N_KERNELS; k++) {
            float c = 42.0f, a = 1.0f, b = 1.0f;
            kernels[k].fn(t >> 1, t & 1, 0, 1, 1, &a, 1, &b, 1, 0.0f, &c, 1);
            kernels[k].fn(t >> 1, t & 1, 1, 0, 1, &a, 1, &b, 1, 0.0f, &c, 1);
            CHECK(c == 42.0f, "%s: M or N == 0 wrote C", kernels[k].name);
        }
    }
}

// nn_gemm names the kernel this build should pick and passes its arguments
// through unchanged (ta, tb and the strides all matter for this shape).
static void test_dispatch(void) {
#ifdef __wasm_simd128__
    const char *want = "wasmsimd";
    nn_gemm_fn fn = nn_f32_gemm__wasmsimd;
#else
    const char *want = "scalar";
    nn_gemm_fn fn = nn_f32_gemm__scalar;
#endif
    CHECK(strcmp(nn_gemm_kernel_name(), want) == 0, "nn_gemm_kernel_name() = %s, expected %s",
          nn_gemm_kernel_name(), want);
    enum { M = 13, N = 29, K = 71 };
    float *A = alloc_matrix(M, K, K), *B = alloc_matrix(N, K, K);
    float c1[M * N], c2[M * N];
    nn_gemm(0, 1, M, N, K, A, K, B, K, 0.0f, c1, N);
    fn(0, 1, M, N, K, A, K, B, K, 0.0f, c2, N);
    CHECK(memcmp(c1, c2, sizeof c1) == 0, "nn_gemm differs from nn_f32_gemm__%s", want);
    free(A), free(B);
}

// Against the obvious loops: both add in row order, so bit for bit.
static void test_add_bias_sum_rows(void) {
    static const int ms[] = {0, 1, 3, 32}, ns[] = {1, 3, 4, 5, 10, 100, 101};
    for (size_t a = 0; a < sizeof ms / sizeof ms[0]; a++)
        for (size_t b = 0; b < sizeof ns / sizeof ns[0]; b++) {
            int M = ms[a], N = ns[b];
            float *y = alloc_matrix(M, N, N), *bias = alloc_matrix(1, N, N);
            float *want = malloc(((size_t)M * N + 1) * sizeof *want);
            for (int e = 0; e < M * N; e++) want[e] = y[e] + bias[e % N];
            nn_add_bias(M, N, y, bias);
            int bad = 0;
            for (int e = 0; e < M * N; e++) bad += !(y[e] == want[e]);
            CHECK(bad == 0, "nn_add_bias %dx%d: %d wrong elements", M, N, bad);

            float *db = malloc(N * sizeof *db);
            for (int j = 0; j < N; j++) db[j] = NAN; // overwritten, never read
            nn_sum_rows(M, N, y, db);
            bad = 0;
            for (int j = 0; j < N; j++) {
                float s = 0.0f;
                for (int i = 0; i < M; i++) s += y[i * N + j];
                bad += memcmp(&db[j], &s, sizeof s) != 0;
            }
            CHECK(bad == 0, "nn_sum_rows %dx%d: %d wrong sums", M, N, bad);
            free(y), free(bias), free(want), free(db);
        }
}

int main(void) {
    nn_rng_seed(&rng, 20240611);
    RUN(test_ref_small);
    RUN(test_ref_vs_double);
    RUN(test_sweep);
    RUN(test_primes);
    RUN(test_real_shapes);
    RUN(test_degenerate);
    RUN(test_dispatch);
    RUN(test_add_bias_sum_rows);
    return nn_test_report();
}
