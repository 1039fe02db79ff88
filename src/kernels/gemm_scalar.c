/*
 * gemm_scalar.c — the register-blocked portable GEMM: native builds, and wasm
 * builds without SIMD.
 *
 * C is cut into 4 x 8 tiles. A tile's 32 sums stay in registers for the whole
 * k loop, so each step loads 4 values of op(A) and 8 of op(B) for 32
 * multiply-adds, where the naive loop loads two values per multiply-add and
 * walks B down a column. Transposed operands need no copy: op(A)(i, p) is
 * a[i * ars + p * acs] and op(B)(p, j) is b[p * brs + j * bcs]; the four
 * (ta, tb) cases call one always-inlined body with their own strides, so with
 * tb == 0 the compiler sees that a row of the tile is 8 contiguous floats.
 *
 * A tile row is two 4-wide values of type f32x4. Where the compiler has
 * vectors (gcc/clang on SSE, NEON, wasm SIMD) that type is a GNU C vector and
 * the tile compiles to 8 vector multiply-adds per k step; elsewhere (wasm
 * without SIMD) it is four floats and the same code is plain scalar. Written
 * as scalar loops instead, gcc 12 vectorised the k loop as an in-order
 * reduction and ran no faster than the naive loop (which gcc vectorises
 * across j by itself); lowering GNU vectors to scalars, on the other hand,
 * cost the wasm scalar build about 30% of its speed.
 *
 * Every element is accumulated in k order starting from beta * C (0 when
 * beta == 0), exactly as nn_f32_gemm__ref does.
 */
#include <stddef.h>
#include <string.h>

#include "nnlab.h"

#if defined(__GNUC__)
#define NN_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define NN_ALWAYS_INLINE inline
#endif

// ---------------------------------------------------------------------------
// Four floats

#if defined(__GNUC__) && (defined(__SSE2__) || defined(__ARM_NEON) || defined(__wasm_simd128__))
typedef float f32x4 __attribute__((vector_size(16)));

static NN_ALWAYS_INLINE f32x4 f4_load(const float *p) {
    f32x4 v;
    memcpy(&v, p, sizeof v); // unaligned
    return v;
}
static NN_ALWAYS_INLINE void f4_store(float *p, f32x4 v) { memcpy(p, &v, sizeof v); }
static NN_ALWAYS_INLINE f32x4 f4_set(float x0, float x1, float x2, float x3) {
    return (f32x4){x0, x1, x2, x3};
}
static NN_ALWAYS_INLINE f32x4 f4_zero(void) { return (f32x4){0.0f, 0.0f, 0.0f, 0.0f}; }
// acc + s * v, lane by lane
static NN_ALWAYS_INLINE f32x4 f4_madd(f32x4 acc, float s, f32x4 v) {
    return acc + (f32x4){s, s, s, s} * v;
}
static NN_ALWAYS_INLINE f32x4 f4_scale(float s, f32x4 v) { return (f32x4){s, s, s, s} * v; }
#else
typedef struct {
    float e[4]; // lanes
} f32x4;

static NN_ALWAYS_INLINE f32x4 f4_load(const float *p) {
    f32x4 v = {{p[0], p[1], p[2], p[3]}};
    return v;
}
static NN_ALWAYS_INLINE void f4_store(float *p, f32x4 v) {
    for (int l = 0; l < 4; l++) p[l] = v.e[l];
}
static NN_ALWAYS_INLINE f32x4 f4_set(float x0, float x1, float x2, float x3) {
    f32x4 v = {{x0, x1, x2, x3}};
    return v;
}
static NN_ALWAYS_INLINE f32x4 f4_zero(void) { return f4_set(0.0f, 0.0f, 0.0f, 0.0f); }
static NN_ALWAYS_INLINE f32x4 f4_madd(f32x4 acc, float s, f32x4 v) {
    for (int l = 0; l < 4; l++) acc.e[l] += s * v.e[l];
    return acc;
}
static NN_ALWAYS_INLINE f32x4 f4_scale(float s, f32x4 v) {
    for (int l = 0; l < 4; l++) v.e[l] *= s;
    return v;
}
#endif

// ---------------------------------------------------------------------------
// Tiles

enum { MR = 4, NV = 2, NR = 4 * NV }; // 4 rows x 2 vectors of 4 columns

// c(mr, nr) = beta * c + a(mr, K) · b(K, nr) for mr <= MR rows and nr <= 4 * nv
// columns. With nv == 1 (an edge of at most 4 columns) only half the tile is
// computed. Missing rows and columns repeat the last real one, so the k loop
// never tests bounds; only the real mr x nr results are stored. C is read
// before anything is written, so the repeats are harmless with beta != 0.
static NN_ALWAYS_INLINE void tile(int nv, int mr, int nr, int K, const float *a, ptrdiff_t ars,
                                  ptrdiff_t acs, const float *b, ptrdiff_t brs, ptrdiff_t bcs,
                                  float beta, float *c, ptrdiff_t ldc) {
    const int contiguous = bcs == 1 && nr == 4 * nv; // rows of op(B) load as vectors
    const float *ar[MR], *bc[NR];
    for (int r = 0; r < MR; r++) ar[r] = a + (r < mr ? r : mr - 1) * ars;
    for (int s = 0; s < NR; s++) bc[s] = b + (s < nr ? s : nr - 1) * bcs;

    f32x4 acc[MR][NV];
    for (int r = 0; r < MR; r++)
        for (int v = 0; v < nv; v++) {
            if (beta == 0.0f) {
                acc[r][v] = f4_zero();
            } else {
                const float *cr = c + (r < mr ? r : mr - 1) * ldc;
                float t[4];
                for (int l = 0; l < 4; l++) {
                    int s = 4 * v + l;
                    t[l] = cr[s < nr ? s : nr - 1];
                }
                acc[r][v] = f4_scale(beta, f4_load(t));
            }
        }

    for (int p = 0; p < K; p++) {
        f32x4 bv[NV];
        for (int v = 0; v < nv; v++) {
            if (contiguous)
                bv[v] = f4_load(b + p * brs + 4 * v);
            else
                bv[v] = f4_set(bc[4 * v][p * brs], bc[4 * v + 1][p * brs], bc[4 * v + 2][p * brs],
                               bc[4 * v + 3][p * brs]);
        }
        for (int r = 0; r < MR; r++) {
            float av = ar[r][p * acs];
            for (int v = 0; v < nv; v++) acc[r][v] = f4_madd(acc[r][v], av, bv[v]);
        }
    }

    for (int r = 0; r < mr; r++)
        for (int v = 0; v < nv; v++) {
            float *cr = c + r * ldc + 4 * v;
            if (nr >= 4 * v + 4) {
                f4_store(cr, acc[r][v]);
            } else {
                float t[4];
                f4_store(t, acc[r][v]);
                for (int l = 0; l < nr - 4 * v; l++) cr[l] = t[l];
            }
        }
}

// ---------------------------------------------------------------------------
// Driver

// C is computed in blocks of MC rows x KC terms of the sum, so that the part
// of A a block reads stays in cache for every tile of the block, and the KC
// rows of B for every row of tiles (as in gemm_wasmsimd.c, which says why).
// Later blocks of the sum start from the sums left in C: the order of the
// additions is the same as without blocks.
enum { KC = 256, MC = 128 };

static NN_ALWAYS_INLINE void blocked(int M, int N, int K, const float *A, ptrdiff_t ars,
                                     ptrdiff_t acs, const float *B, ptrdiff_t brs, ptrdiff_t bcs,
                                     float beta, float *C, ptrdiff_t ldc) {
    for (int i0 = 0; i0 < M; i0 += MC) {
        const int i1 = M - i0 < MC ? M : i0 + MC;
        // do-while: with K == 0 one pass still writes beta * C.
        int k0 = 0;
        do {
            const int kc = K - k0 < KC ? K - k0 : KC;
            const float kbeta = k0 == 0 ? beta : 1.0f;
            for (int i = i0; i < i1; i += MR) {
                const int mr = i1 - i < MR ? i1 - i : MR;
                const float *a = A + i * ars + k0 * acs;
                const float *b = B + k0 * brs;
                float *c = C + i * ldc;
                for (int j = 0; j < N; j += NR) {
                    const int nr = N - j < NR ? N - j : NR;
                    if (mr == MR && nr == NR) // the common case, with constant bounds
                        tile(NV, MR, NR, kc, a, ars, acs, b + j * bcs, brs, bcs, kbeta, c + j, ldc);
                    else if (nr > 4)
                        tile(NV, mr, nr, kc, a, ars, acs, b + j * bcs, brs, bcs, kbeta, c + j, ldc);
                    else
                        tile(1, mr, nr, kc, a, ars, acs, b + j * bcs, brs, bcs, kbeta, c + j, ldc);
                }
            }
            k0 += kc;
        } while (k0 < K);
    }
}

// A is (M, K) with row stride lda, or (K, M) when ta; B is (K, N), or (N, K)
// when tb; C is (M, N) with row stride ldc.
void nn_f32_gemm__scalar(int ta, int tb, int M, int N, int K, const float *A, int lda,
                         const float *B, int ldb, float beta, float *C, int ldc) {
    if (M <= 0 || N <= 0) return;
    // Literal unit strides let each call specialise the inlined body.
    if (!ta && !tb)
        blocked(M, N, K, A, lda, 1, B, ldb, 1, beta, C, ldc);
    else if (!ta && tb)
        blocked(M, N, K, A, lda, 1, B, 1, ldb, beta, C, ldc);
    else if (ta && !tb)
        blocked(M, N, K, A, 1, lda, B, ldb, 1, beta, C, ldc);
    else
        blocked(M, N, K, A, 1, lda, B, 1, ldb, beta, C, ldc);
}
