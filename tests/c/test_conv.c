/*
 * test_conv.c — the Conv2D, pooling and BatchNormalization kernels
 * (src/layers/conv2d.c, pool.c, batchnorm.c).
 *
 *  - geometry: Keras's output sizes and TF's SAME padding split, and the
 *    sentence for a window that does not fit;
 *  - conv forward against a direct 7-loop convolution over a sweep
 *    of batch, sizes, channels, filters, kernels, strides and paddings, with
 *    y and col pre-filled with NaN so an unwritten element fails; tolerance
 *    max(1e-5, 1e-6·|ref|); max and average pooling against direct loops too;
 *  - finite-difference gradients (kann's kad_check_grad): the objective is
 *    L = Σ r·y for a fixed random r, computed in double from the float
 *    forward, so backward with dy = r must give ∂L/∂(x, w, b, gamma, beta).
 *    Conv, pooling (away from ties) and the affine parts are linear, so a
 *    large step is exact up to round-off; batchnorm is not, and takes
 *    h = 1e-3 with a relative tolerance, as test_activations.c;
 *  - max-pooling ties (first in window order) and "same" windows at the
 *    border (padding never wins, even against negative inputs); average
 *    pooling divides by the positions inside the input;
 *  - batchnorm: per-channel mean 0 / variance ≈ 1 in training, the moving
 *    statistics after one step, inference with the moving statistics.
 */
#include "nn_test.h"

static nn_rng rng;

static float uniform_pm1(void) { return 2.0f * nn_rng_uniform(&rng) - 1.0f; }

static float *random_floats(size_t n) {
    float *p = malloc((n ? n : 1) * sizeof *p);
    for (size_t i = 0; i < n; i++) p[i] = uniform_pm1();
    return p;
}

static float *nan_floats(size_t n) {
    float *p = malloc((n ? n : 1) * sizeof *p);
    for (size_t i = 0; i < n; i++) p[i] = NAN;
    return p;
}

static double dot(const float *y, const float *r, size_t n) {
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += (double)y[i] * r[i];
    return s;
}

static int near(double got, double ref) {
    return fabs(got - ref) <= fmax(1e-5, 1e-6 * fabs(ref)); // NaN fails
}

// ---------------------------------------------------------------------------
// Geometry

static void check_geometry(int in, int k, int s, nn_padding p, int out, int pad_before) {
    nn_window g;
    int rc = nn_window_init(&g, "Conv2D", in, in, k, k, s, s, p);
    CHECK(rc == NN_OK, "in %d k %d s %d %s: %s", in, k, s, nn_padding_name(p), nn_last_error());
    if (rc != NN_OK) return;
    CHECK(g.oh == out && g.ow == out && g.pad_top == pad_before && g.pad_left == pad_before,
          "in %d k %d s %d %s: out %d×%d pad %d,%d, expected out %d pad %d", in, k, s,
          nn_padding_name(p), g.oh, g.ow, g.pad_top, g.pad_left, out, pad_before);
}

static void test_geometry(void) {
    check_geometry(28, 3, 1, NN_PADDING_VALID, 26, 0);
    check_geometry(28, 5, 2, NN_PADDING_SAME, 14, 1);  // pad_total (13·2 + 5 - 28) = 3: 1 before, 2 after
    check_geometry(5, 2, 2, NN_PADDING_VALID, 2, 0);
    check_geometry(5, 2, 2, NN_PADDING_SAME, 3, 0);    // pad_total 1: all of it after
    check_geometry(13, 2, 2, NN_PADDING_VALID, 6, 0);  // mnist_convnet's pooling: 26 → 13 → 6
    check_geometry(26, 2, 2, NN_PADDING_VALID, 13, 0);
    check_geometry(4, 3, 1, NN_PADDING_SAME, 4, 1);
    check_geometry(6, 1, 3, NN_PADDING_SAME, 2, 0);    // pad_total negative: no padding
    check_geometry(3, 5, 1, NN_PADDING_SAME, 3, 2);    // "same" fits any kernel

    nn_window g = {.oh = -7};
    int rc = nn_window_init(&g, "Conv2D", 3, 3, 5, 5, 1, 1, NN_PADDING_VALID);
    CHECK(rc == NN_ERR_ARG, "5×5 kernel on 3×3 valid accepted (%d)", rc);
    CHECK(g.oh == -7, "refused geometry still wrote the struct");
    const char *e = nn_last_error();
    CHECK(strstr(e, "Conv2D with a 5×5 kernel does not fit a 3×3 input with padding \"valid\"") &&
              strstr(e, "\"same\""),
          "sentence: %s", e);
    rc = nn_window_init(&g, "MaxPooling2D", 1, 6, 2, 2, 2, 2, NN_PADDING_VALID);
    e = nn_last_error();
    CHECK(rc == NN_ERR_ARG && strstr(e, "MaxPooling2D with a 2×2 pool does not fit a 1×6 input"),
          "pool sentence (%d): %s", rc, e);
    rc = nn_window_init(&g, "Conv2D", 8, 8, 3, 3, 0, 1, NN_PADDING_VALID);
    CHECK(rc == NN_ERR_ARG && strstr(nn_last_error(), "strides"), "stride 0: %s", nn_last_error());
    rc = nn_window_init(&g, "Conv2D", 8, 8, 0, 3, 1, 1, NN_PADDING_VALID);
    CHECK(rc == NN_ERR_ARG && strstr(nn_last_error(), "kernel size"), "kernel 0: %s",
          nn_last_error());
    rc = nn_window_init(&g, "Conv2D", 8, 8, 3, 3, 1, 1, (nn_padding)7);
    CHECK(rc == NN_ERR_ARG, "padding 7 accepted");

    CHECK(nn_padding_from_name("same") == NN_PADDING_SAME, "same");
    CHECK(nn_padding_from_name("valid") == NN_PADDING_VALID, "valid");
    CHECK(nn_padding_from_name("full") == -1 && strstr(nn_last_error(), "valid"), "full: %s",
          nn_last_error());
}

// ---------------------------------------------------------------------------
// Conv2D forward against the direct convolution

// TF's SAME padding before the input, computed here again so the direct loops
// do not trust the geometry under test: pad_total = max((out - 1)·s + k - in, 0)
// with out = ceil(in / s), pad_total / 2 of it before.
static int pad_before(int in, int k, int s, nn_padding p) {
    if (p != NN_PADDING_SAME) return 0;
    int total = ((in + s - 1) / s - 1) * s + k - in;
    return total > 0 ? total / 2 : 0;
}

// y(b, oy, ox, o) = Σ_{ky, kx, ch} x(b, iy, ix, ch) · w(ky, kx, ch, o) + bias(o),
// summed in float in (ky, kx, ch) order, the order of a GEMM over col's row:
// against a double sum the float round-off of K = kh·kw·c terms (288 for
// mnist_convnet's second layer) would exceed max(1e-5, 1e-6·|ref|) by itself.
// Padded positions add zeros, which change no float sum: they are skipped.
static float direct_conv(const float *x, const float *w, const float *bias, const nn_window *g,
                         int c, int f, int b, int oy, int ox, int o) {
    float s = 0.0f;
    int pt = pad_before(g->h, g->kh, g->sh, g->padding), pl = pad_before(g->w, g->kw, g->sw, g->padding);
    for (int ky = 0; ky < g->kh; ky++)
        for (int kx = 0; kx < g->kw; kx++) {
            int iy = oy * g->sh - pt + ky, ix = ox * g->sw - pl + kx;
            if (iy < 0 || iy >= g->h || ix < 0 || ix >= g->w) continue;
            for (int ch = 0; ch < c; ch++)
                s += x[(((size_t)b * g->h + iy) * g->w + ix) * c + ch] *
                     w[(((size_t)ky * g->kw + kx) * c + ch) * f + o];
        }
    return s + bias[o];
}

// Returns 1 if every output matched.
static int check_conv_forward(int B, int h, int wd, int c, int f, int kh, int kw, int s,
                              nn_padding p) {
    nn_window g;
    if (nn_window_init(&g, "Conv2D", h, wd, kh, kw, s, s, p) != NN_OK) return 1; // does not fit
    size_t nx = (size_t)B * h * wd * c, nw = (size_t)kh * kw * c * f, ny = (size_t)B * g.oh * g.ow * f;
    float *x = random_floats(nx), *w = random_floats(nw), *bias = random_floats(f);
    float *y = nan_floats(ny), *col = nan_floats(nn_conv2d_col_floats(&g, B, c));
    nn_conv2d_forward(y, col, x, w, bias, &g, B, c, f);
    int ok = 1;
    for (int b = 0; b < B && ok; b++)
        for (int oy = 0; oy < g.oh && ok; oy++)
            for (int ox = 0; ox < g.ow && ok; ox++)
                for (int o = 0; o < f && ok; o++) {
                    float ref = direct_conv(x, w, bias, &g, c, f, b, oy, ox, o);
                    float got = y[(((size_t)b * g.oh + oy) * g.ow + ox) * f + o];
                    if (!near(got, ref)) {
                        ok = 0;
                        CHECK(0, "B %d %d×%d×%d f %d k %d×%d s %d %s: y[%d,%d,%d,%d] = %g, direct %g",
                              B, h, wd, c, f, kh, kw, s, nn_padding_name(p), b, oy, ox, o, got, ref);
                    }
                }
    free(x), free(w), free(bias), free(y), free(col);
    return ok;
}

static void test_conv_forward(void) {
    static const int Bs[] = {1, 3}, sizes[][2] = {{5, 7}, {6, 6}}, cs[] = {1, 3}, fs[] = {1, 4};
    static const int kernels[][2] = {{1, 1}, {3, 3}, {2, 3}}, strides[] = {1, 2};
    int cases = 0, passed = 0;
    for (int bi = 0; bi < 2; bi++)
        for (int si = 0; si < 2; si++)
            for (int ci = 0; ci < 2; ci++)
                for (int fi = 0; fi < 2; fi++)
                    for (int ki = 0; ki < 3; ki++)
                        for (int st = 0; st < 2; st++)
                            for (int p = 0; p < 2; p++) {
                                cases++;
                                passed += check_conv_forward(Bs[bi], sizes[si][0], sizes[si][1],
                                                             cs[ci], fs[fi], kernels[ki][0],
                                                             kernels[ki][1], strides[st],
                                                             (nn_padding)p);
                            }
    // mnist_convnet's layers, and a kernel as large as the input.
    cases += 3;
    passed += check_conv_forward(2, 28, 28, 1, 32, 3, 3, 1, NN_PADDING_VALID);
    passed += check_conv_forward(2, 13, 13, 32, 64, 3, 3, 1, NN_PADDING_VALID);
    passed += check_conv_forward(2, 5, 4, 2, 3, 5, 4, 1, NN_PADDING_VALID);
    CHECK(passed == cases, "%d of %d conv shapes wrong", cases - passed, cases);
    printf("     %d conv shapes against the direct convolution\n", cases);
}

// ---------------------------------------------------------------------------
// Conv2D gradients by finite differences

typedef struct {
    nn_window g;
    int B, c, f;
    float *x, *w, *b, *r, *y, *col;
} conv_case;

static double conv_objective(conv_case *k) {
    nn_conv2d_forward(k->y, k->col, k->x, k->w, k->b, &k->g, k->B, k->c, k->f);
    return dot(k->y, k->r, (size_t)k->B * k->g.oh * k->g.ow * k->f);
}

// Central differences of L over every element of p[0..n): worst error in
// units of the tolerance (<= 1 passes). L is linear in p, so step 0.5
// (exact in float for these magnitudes) leaves only round-off.
static double fd_worst(double (*L)(void *), void *ctx, float *p, size_t n, const float *grad,
                       float h, double rel, double abs_tol, size_t *worst_i) {
    double worst = 0.0;
    for (size_t i = 0; i < n; i++) {
        float keep = p[i];
        p[i] = keep + h;
        double lp = L(ctx);
        float up = p[i];
        p[i] = keep - h;
        double lm = L(ctx);
        float down = p[i];
        p[i] = keep;
        double fd = (lp - lm) / ((double)up - down);
        double err = fabs(fd - grad[i]) / (abs_tol + rel * fmax(fabs(fd), fabs(grad[i])));
        if (err > worst || isnan(err)) worst = isnan(err) ? INFINITY : err, *worst_i = i;
    }
    return worst;
}

static double conv_L(void *ctx) { return conv_objective(ctx); }

static void check_conv_gradient(int B, int h, int wd, int c, int f, int kh, int kw, int s,
                                nn_padding p) {
    conv_case k = {.B = B, .c = c, .f = f};
    if (nn_window_init(&k.g, "Conv2D", h, wd, kh, kw, s, s, p) != NN_OK) {
        CHECK(0, "geometry refused: %s", nn_last_error());
        return;
    }
    size_t nx = (size_t)B * h * wd * c, nw = (size_t)kh * kw * c * f;
    size_t ny = (size_t)B * k.g.oh * k.g.ow * f, ncol = nn_conv2d_col_floats(&k.g, B, c);
    k.x = random_floats(nx), k.w = random_floats(nw), k.b = random_floats(f);
    k.r = random_floats(ny), k.y = nan_floats(ny), k.col = nan_floats(ncol);
    float *dx = nan_floats(nx), *dw = nan_floats(nw), *db = nan_floats(f);
    float *dw2 = nan_floats(nw), *db2 = nan_floats(f), *col2 = nan_floats(ncol);
    // Backward reads the col forward leaves.
    nn_conv2d_forward(k.y, k.col, k.x, k.w, k.b, &k.g, B, c, f);
    nn_conv2d_backward(dx, dw, db, k.col, k.r, k.x, k.w, &k.g, B, c, f);
    // Without dx (first layer): the same dw and db, bit for bit.
    nn_conv2d_forward(k.y, col2, k.x, k.w, k.b, &k.g, B, c, f);
    nn_conv2d_backward(NULL, dw2, db2, col2, k.r, k.x, k.w, &k.g, B, c, f);
    CHECK(memcmp(dw, dw2, nw * sizeof *dw) == 0 && memcmp(db, db2, f * sizeof *db) == 0,
          "k %d×%d s %d %s: dw/db differ when dx is NULL", kh, kw, s, nn_padding_name(p));

    struct {
        const char *name;
        float *p, *grad;
        size_t n;
    } groups[] = {{"dx", k.x, dx, nx}, {"dw", k.w, dw, nw}, {"db", k.b, db, f}};
    for (int gi = 0; gi < 3; gi++) {
        size_t wi = 0;
        double worst = fd_worst(conv_L, &k, groups[gi].p, groups[gi].n, groups[gi].grad, 0.5f, 1e-4,
                                1e-4, &wi);
        CHECK(worst <= 1.0, "B %d %d×%d×%d f %d k %d×%d s %d %s: %s[%zu] = %g off (%.3g of tolerance)",
              B, h, wd, c, f, kh, kw, s, nn_padding_name(p), groups[gi].name, wi, groups[gi].grad[wi],
              worst);
    }
    free(k.x), free(k.w), free(k.b), free(k.r), free(k.y), free(k.col);
    free(dx), free(dw), free(db), free(dw2), free(db2), free(col2);
}

static void test_conv_gradients(void) {
    for (int p = 0; p < 2; p++) {
        check_conv_gradient(2, 5, 6, 2, 3, 3, 3, 1, (nn_padding)p);
        check_conv_gradient(2, 5, 6, 2, 3, 3, 3, 2, (nn_padding)p);
        check_conv_gradient(2, 5, 6, 2, 3, 2, 3, 2, (nn_padding)p);
        check_conv_gradient(2, 5, 6, 2, 3, 1, 1, 1, (nn_padding)p); // col is x itself
        check_conv_gradient(1, 7, 5, 3, 2, 3, 2, 3, (nn_padding)p); // stride > kernel: gaps
    }
}

// ---------------------------------------------------------------------------
// Pooling against direct loops

// The input positions of output (oy, ox) along one axis: [t0, t1) ∩ [0, in).
static void direct_window(int o, int s, int pad, int k, int in, int *a, int *z) {
    *a = o * s - pad, *z = *a + k;
    if (*a < 0) *a = 0;
    if (*z > in) *z = in;
}

static int check_pool_forward(int B, int h, int wd, int c, int k, int s, nn_padding p) {
    nn_window g;
    if (nn_window_init(&g, "MaxPooling2D", h, wd, k, k, s, s, p) != NN_OK) return 1;
    size_t nx = (size_t)B * h * wd * c, ny = (size_t)B * g.oh * g.ow * c;
    float *x = random_floats(nx), *ymax = nan_floats(ny), *yavg = nan_floats(ny);
    int32_t *am = malloc(nn_maxpool2d_argmax_ints(&g, B, c) * sizeof *am);
    for (size_t i = 0; i < ny; i++) am[i] = -1;
    nn_maxpool2d_forward(ymax, am, x, &g, B, c);
    nn_avgpool2d_forward(yavg, x, &g, B, c);
    int ok = 1;
    for (int b = 0; b < B && ok; b++)
        for (int oy = 0; oy < g.oh && ok; oy++)
            for (int ox = 0; ox < g.ow && ok; ox++)
                for (int ch = 0; ch < c && ok; ch++) {
                    int y0, y1, x0, x1;
                    direct_window(oy, s, pad_before(h, k, s, p), k, h, &y0, &y1);
                    direct_window(ox, s, pad_before(wd, k, s, p), k, wd, &x0, &x1);
                    double mx = -INFINITY, sum = 0.0;
                    int arg = -1;
                    for (int iy = y0; iy < y1; iy++)
                        for (int ix = x0; ix < x1; ix++) {
                            int i = (int)((((size_t)b * h + iy) * wd + ix) * c + ch);
                            sum += x[i];
                            if (x[i] > mx) mx = x[i], arg = i;
                        }
                    double avg = sum / ((y1 - y0) * (x1 - x0));
                    size_t o = (((size_t)b * g.oh + oy) * g.ow + ox) * c + ch;
                    if (ymax[o] != (float)mx || am[o] != arg || !near(yavg[o], avg)) {
                        ok = 0;
                        CHECK(0, "B %d %d×%d×%d pool %d s %d %s at [%d,%d,%d,%d]: max %g (arg %d), "
                                 "direct %g (arg %d); avg %g, direct %g",
                              B, h, wd, c, k, s, nn_padding_name(p), b, oy, ox, ch, ymax[o], am[o], mx,
                              arg, yavg[o], avg);
                    }
                }
    free(x), free(ymax), free(yavg), free(am);
    return ok;
}

static void test_pool_forward(void) {
    static const int sizes[][2] = {{5, 7}, {6, 6}, {1, 3}}, pools[][2] = {{2, 2}, {3, 1}, {3, 2}, {2, 1}};
    int cases = 0, passed = 0;
    for (int B = 1; B <= 3; B += 2)
        for (int si = 0; si < 3; si++)
            for (int c = 1; c <= 5; c += 2 /* 5: the SIMD lanes and the rest */)
                for (int pi = 0; pi < 4; pi++)
                    for (int p = 0; p < 2; p++) {
                        cases++;
                        passed += check_pool_forward(B, sizes[si][0], sizes[si][1], c, pools[pi][0],
                                                     pools[pi][1], (nn_padding)p);
                    }
    CHECK(passed == cases, "%d of %d pooling shapes wrong", cases - passed, cases);
    printf("     %d pooling shapes against direct loops\n", cases);
}

// ---------------------------------------------------------------------------
// Max pooling: ties and the border

static void test_maxpool_ties_and_border(void) {
    nn_window g;
    // All equal: the first position of each window in row-major order wins.
    // Six channels: four through the wasm SIMD lanes, two through the rest.
    enum { C = 6 };
    CHECK_OK(nn_window_init(&g, "MaxPooling2D", 4, 4, 2, 2, 2, 2, NN_PADDING_VALID));
    float x[4 * 4 * C], y[2 * 2 * C];
    int32_t am[2 * 2 * C];
    for (int i = 0; i < 4 * 4 * C; i++) x[i] = 0.5f;
    nn_maxpool2d_forward(y, am, x, &g, 1, C);
    for (int oy = 0; oy < 2; oy++)
        for (int ox = 0; ox < 2; ox++)
            for (int ch = 0; ch < C; ch++) {
                int o = (oy * 2 + ox) * C + ch, first = ((2 * oy) * 4 + 2 * ox) * C + ch;
                CHECK(am[o] == first && y[o] == 0.5f, "ties: argmax[%d] = %d, first is %d", o, am[o],
                      first);
            }
    // A tie that is not the window's first element: [[1, 3], [3, 2]] picks the 3 in row 0.
    float t[4] = {1, 3, 3, 2}, ty;
    int32_t ta;
    CHECK_OK(nn_window_init(&g, "MaxPooling2D", 2, 2, 2, 2, 2, 2, NN_PADDING_VALID));
    nn_maxpool2d_forward(&ty, &ta, t, &g, 1, 1);
    CHECK(ty == 3.0f && ta == 1, "[[1,3],[3,2]]: max %g at %d, expected 3 at 1", ty, ta);

    // "same" at the border, all inputs negative: the padded zeros must not win.
    // 5×5, pool 2, stride 2: pad_total 1, all after; the last row / column of
    // windows holds one input row / column.
    CHECK_OK(nn_window_init(&g, "MaxPooling2D", 5, 5, 2, 2, 2, 2, NN_PADDING_SAME));
    float xn[25], yn[9];
    int32_t an[9];
    for (int i = 0; i < 25; i++) xn[i] = -1.0f - (float)i; // strictly decreasing: the max is the window's first
    nn_maxpool2d_forward(yn, an, xn, &g, 1, 1);
    for (int oy = 0; oy < 3; oy++)
        for (int ox = 0; ox < 3; ox++) {
            int o = oy * 3 + ox, first = (2 * oy) * 5 + 2 * ox;
            CHECK(an[o] == first && yn[o] == xn[first], "same border: y[%d] = %g at %d, expected %g at %d",
                  o, yn[o], an[o], xn[first], first);
        }
    // pool 3, stride 1, "same" on 4×4 of equal negatives: pad 1 before, so the
    // corner window starts at (-1, -1) and its first input is (0, 0).
    CHECK_OK(nn_window_init(&g, "MaxPooling2D", 4, 4, 3, 3, 1, 1, NN_PADDING_SAME));
    float xe[16], ye[16];
    int32_t ae[16];
    for (int i = 0; i < 16; i++) xe[i] = -2.0f;
    nn_maxpool2d_forward(ye, ae, xe, &g, 1, 1);
    CHECK(ye[0] == -2.0f && ae[0] == 0, "corner: %g at %d", ye[0], ae[0]);
    CHECK(ye[5] == -2.0f && ae[5] == 0, "(1,1): window from (0,0): %g at %d", ye[5], ae[5]);
    CHECK(ye[15] == -2.0f && ae[15] == 10, "(3,3): window from (2,2): %g at %d", ye[15], ae[15]);
}

// ---------------------------------------------------------------------------
// Pooling gradients

typedef struct {
    nn_window g;
    int B, c, max;
    float *x, *r, *y;
    int32_t *am;
} pool_case;

static double pool_L(void *ctx) {
    pool_case *k = ctx;
    if (k->max)
        nn_maxpool2d_forward(k->y, k->am, k->x, &k->g, k->B, k->c);
    else
        nn_avgpool2d_forward(k->y, k->x, &k->g, k->B, k->c);
    return dot(k->y, k->r, (size_t)k->B * k->g.oh * k->g.ow * k->c);
}

static void check_pool_gradient(int max, int B, int h, int wd, int c, int kk, int s, nn_padding p) {
    pool_case k = {.B = B, .c = c, .max = max};
    const char *layer = max ? "MaxPooling2D" : "AveragePooling2D";
    CHECK_OK(nn_window_init(&k.g, layer, h, wd, kk, kk, s, s, p));
    size_t nx = (size_t)B * h * wd * c, ny = (size_t)B * k.g.oh * k.g.ow * c;
    k.x = malloc(nx * sizeof *k.x), k.r = random_floats(ny), k.y = nan_floats(ny);
    k.am = malloc(ny * sizeof *k.am);
    // Distinct values 0.25 apart (a shuffled ramp) and steps of 0.0625: no
    // argmax changes between x - h and x + h, and every value stays exact.
    int32_t *perm = malloc(nx * sizeof *perm);
    for (size_t i = 0; i < nx; i++) perm[i] = (int32_t)i;
    nn_rng_shuffle(&rng, perm, (int)nx);
    for (size_t i = 0; i < nx; i++) k.x[i] = 0.25f * (float)perm[i] - 8.0f;
    float *dx = nan_floats(nx);
    pool_L(&k);
    if (max)
        nn_maxpool2d_backward(dx, k.r, k.am, &k.g, B, c);
    else
        nn_avgpool2d_backward(dx, k.r, &k.g, B, c);
    size_t wi = 0;
    // Average pooling is linear: a step of 1 keeps the round-off of y small
    // next to the difference it makes.
    double worst = fd_worst(pool_L, &k, k.x, nx, dx, max ? 0.0625f : 1.0f, 1e-4, 1e-5, &wi);
    CHECK(worst <= 1.0, "%s %d×%d×%d pool %d s %d %s: dx[%zu] = %g off (%.3g of tolerance)", layer,
          h, wd, c, kk, s, nn_padding_name(p), wi, dx[wi], worst);
    free(k.x), free(k.r), free(k.y), free(k.am), free(perm), free(dx);
}

static void test_pool_gradients(void) {
    for (int max = 0; max < 2; max++)
        for (int p = 0; p < 2; p++) {
            check_pool_gradient(max, 2, 5, 7, 3, 2, 2, (nn_padding)p);
            check_pool_gradient(max, 2, 5, 7, 3, 3, 1, (nn_padding)p); // overlapping windows
            check_pool_gradient(max, 1, 6, 6, 2, 3, 2, (nn_padding)p);
        }
}

static void test_avgpool_same_divisor(void) {
    // Ones through pool 2, stride 2, "same" on 3×3: the last row and column of
    // windows hold 2 or 1 inputs and must still average to 1 (0.5 / 0.25 if
    // the padding were counted). Backward spreads dy / count.
    nn_window g;
    CHECK_OK(nn_window_init(&g, "AveragePooling2D", 3, 3, 2, 2, 2, 2, NN_PADDING_SAME));
    float x[9], y[4], dy[4] = {1, 1, 1, 1}, dx[9];
    for (int i = 0; i < 9; i++) x[i] = 1.0f;
    nn_avgpool2d_forward(y, x, &g, 1, 1);
    for (int i = 0; i < 4; i++) CHECK(y[i] == 1.0f, "y[%d] = %g, expected 1", i, y[i]);
    nn_avgpool2d_backward(dx, dy, &g, 1, 1);
    static const float expect[9] = {0.25f, 0.25f, 0.5f, 0.25f, 0.25f, 0.5f, 0.5f, 0.5f, 1.0f};
    for (int i = 0; i < 9; i++)
        CHECK(dx[i] == expect[i], "dx[%d] = %g, expected %g", i, dx[i], expect[i]);
}

// ---------------------------------------------------------------------------
// Batch normalization

// x (N, c) with channel j drawn around 5j - 3 with spread 2 + j.
static float *bn_input(int N, int c) {
    float *x = malloc((size_t)N * c * sizeof *x);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < c; j++) x[(size_t)i * c + j] = 5.0f * j - 3.0f + (2.0f + j) * uniform_pm1();
    return x;
}

static void moments(const float *x, int N, int c, int j, double *mean, double *var) {
    double s = 0.0, q = 0.0;
    for (int i = 0; i < N; i++) s += x[(size_t)i * c + j];
    *mean = s / N;
    for (int i = 0; i < N; i++) {
        double d = x[(size_t)i * c + j] - *mean;
        q += d * d;
    }
    *var = q / N;
}

static void test_batchnorm_forward(void) {
    enum { B = 4, H = 5, W = 3, C = 3, N = B * H * W };
    float *x = bn_input(N, C), y[N * C], save[2 * C];
    float gamma[C] = {1, 1, 1}, beta[C] = {0, 0, 0}, mm[C] = {0, 0, 0}, mv[C] = {1, 1, 1};
    CHECK(nn_batchnorm_save_floats(C) == 2 * C, "save floats %zu", nn_batchnorm_save_floats(C));
    for (int i = 0; i < N * C; i++) y[i] = NAN;
    nn_batchnorm_forward_train(y, save, mm, mv, x, gamma, beta, N, C, NN_BN_MOMENTUM, NN_BN_EPSILON);
    for (int j = 0; j < C; j++) {
        double xm, xv, ym, yv;
        moments(x, N, C, j, &xm, &xv);
        moments(y, N, C, j, &ym, &yv);
        // Normalized: mean 0 and variance var / (var + eps), which is 1 to 1e-3 / var.
        CHECK(fabs(ym) < 1e-5, "channel %d: output mean %g", j, ym);
        CHECK(fabs(yv - xv / (xv + 1e-3)) < 1e-5 && fabs(yv - 1.0) < 1e-3 / xv + 1e-5,
              "channel %d: output variance %g (input variance %g)", j, yv, xv);
        // One step from (0, 1): moving = 0.99·moving + 0.01·batch, biased variance.
        CHECK(fabs(mm[j] - 0.01 * xm) <= 1e-6 * (1 + fabs(xm)), "channel %d: moving_mean %g, expected %g",
              j, mm[j], 0.01 * xm);
        CHECK(fabs(mv[j] - (0.99 + 0.01 * xv)) <= 1e-6 * (1 + xv), "channel %d: moving_var %g, expected %g",
              j, mv[j], 0.99 + 0.01 * xv);
        CHECK(fabs(save[j] - xm) <= 1e-6 * (1 + fabs(xm)) &&
                  fabs(save[C + j] - 1.0 / sqrt(xv + 1e-3)) <= 1e-6,
              "channel %d: saved mean %g inv_std %g", j, save[j], save[C + j]);
    }
    // Inference: the moving statistics, untouched, with gamma and beta.
    float g2[C] = {0.5f, 2.0f, -1.0f}, b2[C] = {0.1f, -0.2f, 0.3f}, mm0[C], mv0[C];
    memcpy(mm0, mm, sizeof mm), memcpy(mv0, mv, sizeof mv);
    nn_batchnorm_forward_infer(y, x, g2, b2, mm, mv, N, C, NN_BN_EPSILON);
    CHECK(memcmp(mm0, mm, sizeof mm) == 0 && memcmp(mv0, mv, sizeof mv) == 0,
          "inference changed the moving statistics");
    int bad = 0;
    for (int i = 0; i < N && !bad; i++)
        for (int j = 0; j < C; j++) {
            double ref = g2[j] * (x[i * C + j] - mm[j]) / sqrt(mv[j] + 1e-3) + b2[j];
            if (!(fabs(y[i * C + j] - ref) <= 1e-5 * (1 + fabs(ref)))) {
                bad = 1;
                CHECK(0, "inference y[%d,%d] = %g, expected %g", i, j, y[i * C + j], ref);
                break;
            }
        }
    free(x);
}

typedef struct {
    int N, c;
    float *x, *gamma, *beta, *r, *y, *save, *mm, *mv;
} bn_case;

// L = sum(y · r) for BatchNormalization in training mode, computed in double
// from the float inputs (batch mean, biased variance, epsilon 1e-3), so that
// the central differences are not limited by float round-off.
static double bn_L(void *ctx) {
    bn_case *k = ctx;
    double L = 0.0;
    for (int j = 0; j < k->c; j++) {
        double mean = 0.0, var = 0.0;
        for (int i = 0; i < k->N; i++) mean += k->x[(size_t)i * k->c + j];
        mean /= k->N;
        for (int i = 0; i < k->N; i++) {
            double d = k->x[(size_t)i * k->c + j] - mean;
            var += d * d;
        }
        var /= k->N;
        double inv = 1.0 / sqrt(var + (double)NN_BN_EPSILON);
        for (int i = 0; i < k->N; i++) {
            size_t e = (size_t)i * k->c + j;
            L += ((double)k->gamma[j] * (k->x[e] - mean) * inv + k->beta[j]) * k->r[e];
        }
    }
    return L;
}

static void check_batchnorm_gradient(int N, int c) {
    bn_case k = {.N = N, .c = c};
    size_t n = (size_t)N * c;
    k.x = bn_input(N, c), k.gamma = random_floats(c), k.beta = random_floats(c);
    k.r = random_floats(n), k.y = nan_floats(n), k.save = nan_floats(nn_batchnorm_save_floats(c));
    k.mm = malloc(c * sizeof *k.mm), k.mv = malloc(c * sizeof *k.mv);
    float *dx = nan_floats(n), *dg = nan_floats(c), *dbt = nan_floats(c);
    float *dg2 = nan_floats(c), *db2 = nan_floats(c);
    for (int j = 0; j < c; j++) k.mm[j] = 0.0f, k.mv[j] = 1.0f;
    nn_batchnorm_forward_train(k.y, k.save, k.mm, k.mv, k.x, k.gamma, k.beta, N, c, NN_BN_MOMENTUM,
                               NN_BN_EPSILON);
    nn_batchnorm_backward(dx, dg, dbt, k.r, k.save, k.x, k.gamma, N, c);
    nn_batchnorm_backward(NULL, dg2, db2, k.r, k.save, k.x, k.gamma, N, c);
    CHECK(memcmp(dg, dg2, c * sizeof *dg) == 0 && memcmp(dbt, db2, c * sizeof *dbt) == 0,
          "N %d c %d: dgamma/dbeta differ when dx is NULL", N, c);
    struct {
        const char *name;
        float *p, *grad;
        size_t n;
        float h;
    } groups[] = {{"dx", k.x, dx, n, 1e-3f}, {"dgamma", k.gamma, dg, c, 0.25f}, {"dbeta", k.beta, dbt, c, 0.25f}};
    for (int gi = 0; gi < 3; gi++) {
        size_t wi = 0;
        // y is linear in gamma and beta; in x it is not: h = 1e-3 leaves a
        // truncation error of order h², far below the tolerance.
        double worst = fd_worst(bn_L, &k, groups[gi].p, groups[gi].n, groups[gi].grad, groups[gi].h,
                                1e-3, 1e-5, &wi);
        CHECK(worst <= 1.0, "N %d c %d: %s[%zu] = %g off (%.3g of tolerance)", N, c, groups[gi].name,
              wi, groups[gi].grad[wi], worst);
    }
    free(k.x), free(k.gamma), free(k.beta), free(k.r), free(k.y), free(k.save), free(k.mm), free(k.mv);
    free(dx), free(dg), free(dbt), free(dg2), free(db2);
}

static void test_batchnorm_gradients(void) {
    check_batchnorm_gradient(2 * 2 * 3, 3); // (B 2, 2×3 map, 3 channels)
    check_batchnorm_gradient(5, 4);         // a (B, n) input after Dense
    check_batchnorm_gradient(7, 70);        // more channels than one block of sums
}

int main(void) {
    nn_rng_seed(&rng, 20240610);
    RUN(test_geometry);
    RUN(test_conv_forward);
    RUN(test_conv_gradients);
    RUN(test_pool_forward);
    RUN(test_maxpool_ties_and_border);
    RUN(test_pool_gradients);
    RUN(test_avgpool_same_divisor);
    RUN(test_batchnorm_forward);
    RUN(test_batchnorm_gradients);
    return nn_test_report();
}
