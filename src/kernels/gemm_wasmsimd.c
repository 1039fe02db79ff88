/*
 * gemm_wasmsimd.c — the wasm_simd128 GEMM used by the browser build.
 *
 * XNNPACK's "splat" micro-kernel shape: C is cut into 4 x 8 tiles held in
 * eight f32x4 accumulators; each k step loads one row of op(B) (two vectors),
 * splats one value of op(A) per tile row and does 8 multiplies and 8 adds
 * (mul + add, not relaxed FMA, so every engine rounds the same way). That
 * keeps 8 accumulators + 2 B vectors + 1 splat in registers, which fits the
 * 16 xmm registers V8 has on x64.
 *
 * op(A) is read in place with strides whatever ta is: a splat loads a single
 * float, so a transposed A costs nothing. op(B) must be read as contiguous
 * rows of 8: with tb == 0 a full-width panel is read in place (packing it too
 * was measured ~15% slower on the 32x100x784 forward product); a transposed B,
 * or the last panel of fewer than 8 columns, is first copied, KC rows at a
 * time, into a small zero-padded stack buffer, and the copy is reused by every
 * 4-row tile of C. Panels of 4 columns or fewer use a 4 x 4 tile instead.
 *
 * Every element is accumulated in k order starting from beta * C (0 when
 * beta == 0), exactly as nn_f32_gemm__ref: splitting K into packed blocks only
 * stores the running sums in C and loads them again.
 */
#ifdef __wasm_simd128__

#include <stddef.h>
#include <wasm_simd128.h>

#include "nnlab.h"

#define NN_ALWAYS_INLINE inline __attribute__((always_inline))

// C is computed in blocks of MC rows x KC terms of the sum, so that the part
// of A a block reads (MC x KC floats, 128 KiB) stays in cache while every
// panel of 8 columns of C uses it, and the part of B (KC rows) while every
// tile of 4 rows does. Without it a tall product such as a convolution's
// weight gradient (288 x 64, summed over 15,488 rows) streamed all of A and B
// from memory for each tile and ran at a seventh of the speed.
// A packed panel is KC rows of 8 floats = 8 KiB of stack.
enum { MR = 4, NR = 8, KC = 256, MC = 128 };

// ---------------------------------------------------------------------------
// Partial rows of C (fewer than 4 or 8 columns)

static NN_ALWAYS_INLINE v128_t load_part(const float *c, int n) {
    float t[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    for (int s = 0; s < n && s < 4; s++) t[s] = c[s];
    return wasm_v128_load(t);
}

static NN_ALWAYS_INLINE void store_part(float *c, int n, v128_t v) {
    float t[4];
    wasm_v128_store(t, v);
    for (int s = 0; s < n && s < 4; s++) c[s] = t[s];
}

// ---------------------------------------------------------------------------
// Micro-kernels. a: the tile's first row of op(A), element (r, p) at
// a[r * ars + p * acs]; b: op(B) rows of 8 (or 4) readable floats, ldb apart;
// c: the tile of C, mr <= 4 rows and nr columns of it stored. Missing rows
// repeat the last real one (same inputs, same sums), so the loop never tests.

static NN_ALWAYS_INLINE void ukernel_4x8(int kc, int mr, int nr, const float *a, ptrdiff_t ars,
                                         ptrdiff_t acs, const float *b, ptrdiff_t ldb, float beta,
                                         float *c, ptrdiff_t ldc) {
    const float *a0 = a;
    const float *a1 = mr > 1 ? a0 + ars : a0;
    const float *a2 = mr > 2 ? a1 + ars : a1;
    const float *a3 = mr > 3 ? a2 + ars : a2;
    float *c0 = c;
    float *c1 = mr > 1 ? c0 + ldc : c0;
    float *c2 = mr > 2 ? c1 + ldc : c1;
    float *c3 = mr > 3 ? c2 + ldc : c2;

    v128_t x00, x01, x10, x11, x20, x21, x30, x31;
    if (beta == 0.0f) {
        x00 = x01 = x10 = x11 = x20 = x21 = x30 = x31 = wasm_f32x4_splat(0.0f);
    } else if (nr == NR) {
        v128_t vb = wasm_f32x4_splat(beta);
        x00 = wasm_f32x4_mul(vb, wasm_v128_load(c0));
        x01 = wasm_f32x4_mul(vb, wasm_v128_load(c0 + 4));
        x10 = wasm_f32x4_mul(vb, wasm_v128_load(c1));
        x11 = wasm_f32x4_mul(vb, wasm_v128_load(c1 + 4));
        x20 = wasm_f32x4_mul(vb, wasm_v128_load(c2));
        x21 = wasm_f32x4_mul(vb, wasm_v128_load(c2 + 4));
        x30 = wasm_f32x4_mul(vb, wasm_v128_load(c3));
        x31 = wasm_f32x4_mul(vb, wasm_v128_load(c3 + 4));
    } else {
        v128_t vb = wasm_f32x4_splat(beta);
        x00 = wasm_f32x4_mul(vb, load_part(c0, nr));
        x01 = wasm_f32x4_mul(vb, load_part(c0 + 4, nr - 4));
        x10 = wasm_f32x4_mul(vb, load_part(c1, nr));
        x11 = wasm_f32x4_mul(vb, load_part(c1 + 4, nr - 4));
        x20 = wasm_f32x4_mul(vb, load_part(c2, nr));
        x21 = wasm_f32x4_mul(vb, load_part(c2 + 4, nr - 4));
        x30 = wasm_f32x4_mul(vb, load_part(c3, nr));
        x31 = wasm_f32x4_mul(vb, load_part(c3 + 4, nr - 4));
    }

    for (int p = 0; p < kc; p++) {
        const v128_t b0 = wasm_v128_load(b);
        const v128_t b1 = wasm_v128_load(b + 4);
        b += ldb;
        const v128_t v0 = wasm_v128_load32_splat(a0);
        const v128_t v1 = wasm_v128_load32_splat(a1);
        const v128_t v2 = wasm_v128_load32_splat(a2);
        const v128_t v3 = wasm_v128_load32_splat(a3);
        a0 += acs;
        a1 += acs;
        a2 += acs;
        a3 += acs;
        x00 = wasm_f32x4_add(x00, wasm_f32x4_mul(v0, b0));
        x01 = wasm_f32x4_add(x01, wasm_f32x4_mul(v0, b1));
        x10 = wasm_f32x4_add(x10, wasm_f32x4_mul(v1, b0));
        x11 = wasm_f32x4_add(x11, wasm_f32x4_mul(v1, b1));
        x20 = wasm_f32x4_add(x20, wasm_f32x4_mul(v2, b0));
        x21 = wasm_f32x4_add(x21, wasm_f32x4_mul(v2, b1));
        x30 = wasm_f32x4_add(x30, wasm_f32x4_mul(v3, b0));
        x31 = wasm_f32x4_add(x31, wasm_f32x4_mul(v3, b1));
    }

    // Highest row first: an aliased (repeated) row is overwritten by the real one.
    if (nr == NR) {
        wasm_v128_store(c3, x30);
        wasm_v128_store(c3 + 4, x31);
        wasm_v128_store(c2, x20);
        wasm_v128_store(c2 + 4, x21);
        wasm_v128_store(c1, x10);
        wasm_v128_store(c1 + 4, x11);
        wasm_v128_store(c0, x00);
        wasm_v128_store(c0 + 4, x01);
    } else {
        store_part(c3, nr, x30);
        store_part(c3 + 4, nr - 4, x31);
        store_part(c2, nr, x20);
        store_part(c2 + 4, nr - 4, x21);
        store_part(c1, nr, x10);
        store_part(c1 + 4, nr - 4, x11);
        store_part(c0, nr, x00);
        store_part(c0 + 4, nr - 4, x01);
    }
}

static NN_ALWAYS_INLINE void ukernel_4x4(int kc, int mr, int nr, const float *a, ptrdiff_t ars,
                                         ptrdiff_t acs, const float *b, ptrdiff_t ldb, float beta,
                                         float *c, ptrdiff_t ldc) {
    const float *a0 = a;
    const float *a1 = mr > 1 ? a0 + ars : a0;
    const float *a2 = mr > 2 ? a1 + ars : a1;
    const float *a3 = mr > 3 ? a2 + ars : a2;
    float *c0 = c;
    float *c1 = mr > 1 ? c0 + ldc : c0;
    float *c2 = mr > 2 ? c1 + ldc : c1;
    float *c3 = mr > 3 ? c2 + ldc : c2;

    v128_t x0, x1, x2, x3;
    if (beta == 0.0f) {
        x0 = x1 = x2 = x3 = wasm_f32x4_splat(0.0f);
    } else {
        v128_t vb = wasm_f32x4_splat(beta);
        x0 = wasm_f32x4_mul(vb, load_part(c0, nr));
        x1 = wasm_f32x4_mul(vb, load_part(c1, nr));
        x2 = wasm_f32x4_mul(vb, load_part(c2, nr));
        x3 = wasm_f32x4_mul(vb, load_part(c3, nr));
    }
    for (int p = 0; p < kc; p++) {
        const v128_t b0 = wasm_v128_load(b);
        b += ldb;
        x0 = wasm_f32x4_add(x0, wasm_f32x4_mul(wasm_v128_load32_splat(a0), b0));
        x1 = wasm_f32x4_add(x1, wasm_f32x4_mul(wasm_v128_load32_splat(a1), b0));
        x2 = wasm_f32x4_add(x2, wasm_f32x4_mul(wasm_v128_load32_splat(a2), b0));
        x3 = wasm_f32x4_add(x3, wasm_f32x4_mul(wasm_v128_load32_splat(a3), b0));
        a0 += acs;
        a1 += acs;
        a2 += acs;
        a3 += acs;
    }
    store_part(c3, nr, x3);
    store_part(c2, nr, x2);
    store_part(c1, nr, x1);
    store_part(c0, nr, x0);
}

// ---------------------------------------------------------------------------
// Packing: out(kc, w) = op(B) rows [0, kc) of columns [0, nr), zero-padded to w.

static void pack_b(int kc, int nr, int w, const float *b, ptrdiff_t brs, ptrdiff_t bcs,
                   float *out) {
    for (int p = 0; p < kc; p++) {
        float *o = out + (ptrdiff_t)p * w;
        for (int s = 0; s < nr; s++) o[s] = b[p * brs + s * bcs];
        for (int s = nr; s < w; s++) o[s] = 0.0f;
    }
}

// ---------------------------------------------------------------------------
// Driver

static NN_ALWAYS_INLINE void blocked(int M, int N, int K, const float *A, ptrdiff_t ars,
                                     ptrdiff_t acs, const float *B, int tb, ptrdiff_t ldb,
                                     float beta, float *C, ptrdiff_t ldc) {
    __attribute__((aligned(16))) float pack[KC * NR];
    const ptrdiff_t brs = tb ? 1 : ldb, bcs = tb ? ldb : 1;
    for (int i0 = 0; i0 < M; i0 += MC) {
        const int i1 = M - i0 < MC ? M : i0 + MC;
        // KC rows of op(B) at a time; later blocks continue the sums left in C.
        // do-while: with K == 0 one pass still writes beta * C.
        int k0 = 0;
        do {
            const int kc = K - k0 < KC ? K - k0 : KC;
            const float kbeta = k0 == 0 ? beta : 1.0f;
            for (int j = 0; j < N; j += NR) {
                const int nr = N - j < NR ? N - j : NR;
                const float *b = B + j * bcs + k0 * brs;
                if (!tb && nr == NR) { // full-width rows of B, read in place
                    for (int i = i0; i < i1; i += MR)
                        ukernel_4x8(kc, i1 - i < MR ? i1 - i : MR, NR, A + i * ars + k0 * acs, ars,
                                    acs, b, ldb, kbeta, C + i * ldc + j, ldc);
                    continue;
                }
                const int w = nr > 4 ? 8 : 4;
                pack_b(kc, nr, w, b, brs, bcs, pack);
                for (int i = i0; i < i1; i += MR) {
                    const int mr = i1 - i < MR ? i1 - i : MR;
                    const float *a = A + i * ars + k0 * acs;
                    if (w == 8)
                        ukernel_4x8(kc, mr, nr, a, ars, acs, pack, 8, kbeta, C + i * ldc + j, ldc);
                    else
                        ukernel_4x4(kc, mr, nr, a, ars, acs, pack, 4, kbeta, C + i * ldc + j, ldc);
                }
            }
            k0 += kc;
        } while (k0 < K);
    }
}

// A is (M, K) with row stride lda, or (K, M) when ta; B is (K, N), or (N, K)
// when tb; C is (M, N) with row stride ldc.
void nn_f32_gemm__wasmsimd(int ta, int tb, int M, int N, int K, const float *A, int lda,
                           const float *B, int ldb, float beta, float *C, int ldc) {
    if (M <= 0 || N <= 0) return;
    // Literal unit strides let each call specialise the inlined body.
    if (!ta)
        blocked(M, N, K, A, lda, 1, B, tb, ldb, beta, C, ldc);
    else
        blocked(M, N, K, A, 1, lda, B, tb, ldb, beta, C, ldc);
}

#else
typedef int nn_gemm_wasmsimd_not_built; // ISO C forbids an empty translation unit
#endif // __wasm_simd128__
