/*
 * test_losses.c — losses: values worked by hand, finite-difference gradients
 * w.r.t. p, the fused softmax + cross-entropy gradient against the chain
 * rule, sparse == categorical, clipping, and to_categorical.
 *
 * Finite differences use h = 1e-3 on p kept inside [0.05, 0.95], far from
 * the clip at 1e-7, so every loss is smooth around the sample.
 */
#include "nn_test.h"

#define ROWS 3
#define COLS 5
#define N (ROWS * COLS)

static void random_probs(nn_rng *rng, float *p) {
    for (int i = 0; i < N; i++) p[i] = 0.05f + 0.9f * nn_rng_uniform(rng);
}

// |a - b| within 1% of the larger plus an absolute floor.
static int close_grad(double a, double b) {
    return fabs(a - b) <= 1e-2 * fmax(fabs(a), fabs(b)) + 1e-3;
}

static void check_gradient(nn_loss l, const float *p0, const float *onehot,
                           const uint8_t *labels) {
    float p[N], dp[N];
    memcpy(p, p0, sizeof p);
    float loss = nn_loss_forward_backward(l, ROWS, COLS, p, onehot, labels, dp);
    CHECK(isfinite(loss) && loss > 0.0f, "%s: loss %g", nn_loss_name(l), loss);
    const float h = 1e-3f;
    int bad = 0;
    double nonzero = 0.0;
    for (int i = 0; i < N && !bad; i++) {
        float pp[N], pm[N];
        memcpy(pp, p, sizeof pp);
        memcpy(pm, p, sizeof pm);
        pp[i] += h;
        pm[i] -= h;
        double fd = ((double)nn_loss_forward_backward(l, ROWS, COLS, pp, onehot, labels, NULL) -
                     (double)nn_loss_forward_backward(l, ROWS, COLS, pm, onehot, labels, NULL)) /
                    ((double)pp[i] - pm[i]);
        nonzero += fabs(dp[i]);
        if (!close_grad(fd, dp[i])) {
            bad = 1;
            CHECK(0, "%s: dp[%d] = %.6g, finite difference %.6g", nn_loss_name(l), i, dp[i], fd);
        }
    }
    CHECK(nonzero > 0.1, "%s: gradient is all zero", nn_loss_name(l));
}

static void test_gradients(void) {
    nn_rng rng;
    nn_rng_seed(&rng, 2024);
    float p[N], onehot[N], soft[N];
    uint8_t labels[ROWS] = {0, 3, 4};
    CHECK_OK(nn_to_categorical(labels, ROWS, COLS, onehot));

    // p need not be normalised: Keras divides by the row sum, and the
    // gradient must follow that too.
    random_probs(&rng, p);
    check_gradient(NN_LOSS_CATEGORICAL_CROSSENTROPY, p, onehot, NULL);
    check_gradient(NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, p, NULL, labels);

    // Soft targets (label smoothing) exercise every term of the cross-entropy.
    for (int i = 0; i < N; i++) soft[i] = 0.9f * onehot[i] + 0.1f / COLS;
    check_gradient(NN_LOSS_CATEGORICAL_CROSSENTROPY, p, soft, NULL);

    // MSE and BCE with arbitrary real / [0, 1] targets.
    float t[N];
    for (int i = 0; i < N; i++) t[i] = nn_rng_uniform(&rng);
    check_gradient(NN_LOSS_MEAN_SQUARED_ERROR, p, t, NULL);
    check_gradient(NN_LOSS_BINARY_CROSSENTROPY, p, t, NULL);
    check_gradient(NN_LOSS_BINARY_CROSSENTROPY, p, onehot, NULL);
}

// ---------------------------------------------------------------------------
// Values worked by hand

static void test_values(void) {
    // Two rows, labels 0 and 2: CE = mean(-ln 0.7, -ln 0.6).
    const float p[2 * 3] = {0.7f, 0.2f, 0.1f, 0.1f, 0.3f, 0.6f};
    const uint8_t labels[2] = {0, 2};
    float y[2 * 3];
    CHECK_OK(nn_to_categorical(labels, 2, 3, y));

    float ce1 = nn_loss_forward_backward(NN_LOSS_CATEGORICAL_CROSSENTROPY, 1, 3, p, y, NULL, NULL);
    CHECK_NEAR(ce1, -log(0.7), 1e-6, "CE([0.7,0.2,0.1], 0) = %.9g, want -ln 0.7", ce1);

    float ce = nn_loss_forward_backward(NN_LOSS_CATEGORICAL_CROSSENTROPY, 2, 3, p, y, NULL, NULL);
    CHECK_NEAR(ce, (-log(0.7) - log(0.6)) / 2, 1e-6, "CE of two rows = %.9g", ce);

    // MSE: mean over cols, then rows: ((.09+.04+.01)/3 + (.01+.09+.16)/3) / 2
    float mse = nn_loss_forward_backward(NN_LOSS_MEAN_SQUARED_ERROR, 2, 3, p, y, NULL, NULL);
    double mse_want = ((0.09 + 0.04 + 0.01) / 3 + (0.01 + 0.09 + 0.16) / 3) / 2;
    CHECK_NEAR(mse, mse_want, 1e-6, "MSE = %.9g, want %.9g", mse, mse_want);

    // BCE of row 0: -(ln 0.7 + ln 0.8 + ln 0.9) / 3
    float bce = nn_loss_forward_backward(NN_LOSS_BINARY_CROSSENTROPY, 1, 3, p, y, NULL, NULL);
    double bce_want = -(log(0.7) + log(0.8) + log(0.9)) / 3;
    CHECK_NEAR(bce, bce_want, 1e-6, "BCE = %.9g, want %.9g", bce, bce_want);

    // Keras divides p by its row sum: doubling p changes nothing.
    const float p2[3] = {1.4f, 0.4f, 0.2f};
    float ce2 = nn_loss_forward_backward(NN_LOSS_CATEGORICAL_CROSSENTROPY, 1, 3, p2, y, NULL, NULL);
    CHECK_NEAR(ce2, -log(0.7), 1e-6, "CE of unnormalised p = %.9g", ce2);

    // CE gradient worked by hand for a normalised row with label c:
    // dp_k = 1 - [k == c] / p_c (the 1 is the row-sum normalisation).
    float dp[3];
    nn_loss_forward_backward(NN_LOSS_CATEGORICAL_CROSSENTROPY, 1, 3, p, y, NULL, dp);
    CHECK_NEAR(dp[0], 1.0 - 1.0 / 0.7, 1e-5, "dp[0] = %.9g", dp[0]);
    CHECK_NEAR(dp[1], 1.0, 1e-5, "dp[1] = %.9g", dp[1]);
    CHECK_NEAR(dp[2], 1.0, 1e-5, "dp[2] = %.9g", dp[2]);

    // MSE gradient: 2 (p - y) / (rows * cols)
    float dm[6];
    nn_loss_forward_backward(NN_LOSS_MEAN_SQUARED_ERROR, 2, 3, p, y, NULL, dm);
    CHECK_NEAR(dm[0], 2 * (0.7 - 1.0) / 6, 1e-6, "dmse[0] = %.9g", dm[0]);
    CHECK_NEAR(dm[4], 2 * 0.3 / 6, 1e-6, "dmse[4] = %.9g", dm[4]);
}

static void test_clipping(void) {
    // A confident wrong prediction: p = 0 for the label is clipped to 1e-7.
    const float p[3] = {1.0f, 0.0f, 0.0f};
    const uint8_t label = 1;
    float y[3], dp[3];
    CHECK_OK(nn_to_categorical(&label, 1, 3, y));
    float ce = nn_loss_forward_backward(NN_LOSS_CATEGORICAL_CROSSENTROPY, 1, 3, p, y, NULL, dp);
    CHECK_NEAR(ce, -log(1e-7), 1e-3, "clipped CE = %.9g, want -ln 1e-7 = 16.118", ce);
    CHECK(isfinite(dp[0]) && isfinite(dp[1]) && isfinite(dp[2]), "clipped CE gradient not finite");
    // The clip is active on the label, so its gradient is zero (as TF's clip_by_value).
    CHECK(dp[1] == 0.0f, "gradient through an active clip: %g", dp[1]);

    float bce = nn_loss_forward_backward(NN_LOSS_BINARY_CROSSENTROPY, 1, 3, p, y, NULL, dp);
    // All three elements are clipped. p0 = 1 vs y0 = 0 and p1 = 0 vs y1 = 1
    // each cost -ln 1e-7; p2 = 0 vs y2 = 0 costs -ln(1 - 1e-7) ≈ 1e-7.
    double want = (-log(1e-7) * 2) / 3;
    CHECK_NEAR(bce, want, 1e-2, "clipped BCE = %.9g, want %.9g", bce, want);
    CHECK(dp[0] == 0.0f && dp[1] == 0.0f && dp[2] == 0.0f, "BCE gradient through active clip");
}

static void test_sparse_equals_categorical(void) {
    nn_rng rng;
    nn_rng_seed(&rng, 17);
    enum { R = 8, C = 10 };
    float p[R * C], y[R * C], da[R * C], db[R * C];
    uint8_t labels[R];
    for (int r = 0; r < R; r++) labels[r] = (uint8_t)(nn_rng_u32(&rng) % C);
    float z[R * C];
    for (int i = 0; i < R * C; i++) z[i] = 3.0f * nn_rng_normal(&rng);
    nn_activation_forward(NN_ACT_SOFTMAX, R, C, z, p);
    CHECK_OK(nn_to_categorical(labels, R, C, y));
    float a = nn_loss_forward_backward(NN_LOSS_CATEGORICAL_CROSSENTROPY, R, C, p, y, NULL, da);
    float b = nn_loss_forward_backward(NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, R, C, p, NULL,
                                       labels, db);
    CHECK(a == b, "sparse %.9g != categorical %.9g", b, a);
    CHECK(memcmp(da, db, sizeof da) == 0, "sparse and categorical gradients differ");

    // Independent value: the mean of -ln p[label].
    double want = 0.0;
    for (int r = 0; r < R; r++) want -= log(p[r * C + labels[r]]);
    want /= R;
    CHECK_NEAR(a, want, 1e-5, "CE = %.9g, want %.9g", a, want);
}

// A label >= cols must not be read out of bounds; the row has no target.
static void test_sparse_label_out_of_range(void) {
    const float p[2 * 3] = {0.7f, 0.2f, 0.1f, 0.2f, 0.3f, 0.5f};
    const uint8_t labels[2] = {0, 200};
    float dp[6], dz[6];
    float l = nn_loss_forward_backward(NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, 2, 3, p, NULL,
                                       labels, dp);
    CHECK_NEAR(l, -log(0.7) / 2, 1e-6, "loss with a bad label = %.9g", l);
    CHECK(dp[3] == 0.0f && dp[4] == 0.0f && dp[5] == 0.0f, "bad-label row has a gradient");
    nn_softmax_crossentropy_backward(2, 3, p, NULL, labels, dz);
    CHECK(dz[3] == 0.0f && dz[4] == 0.0f && dz[5] == 0.0f, "fused: bad-label row has a gradient");
    CHECK_NEAR(dz[0], (0.7 - 1.0) / 2, 1e-7, "fused dz[0] = %.9g", dz[0]);
}

// ---------------------------------------------------------------------------
// Fused softmax + cross-entropy

static void test_fused_softmax_crossentropy(void) {
    nn_rng rng;
    nn_rng_seed(&rng, 31);
    enum { R = 6, C = 10 };
    float z[R * C], p[R * C], y[R * C], dp[R * C], chain[R * C], fused[R * C], fused_sparse[R * C];
    uint8_t labels[R];
    for (int i = 0; i < R * C; i++) z[i] = 2.0f * nn_rng_normal(&rng);
    for (int r = 0; r < R; r++) labels[r] = (uint8_t)(nn_rng_u32(&rng) % C);
    nn_activation_forward(NN_ACT_SOFTMAX, R, C, z, p);
    CHECK_OK(nn_to_categorical(labels, R, C, y));

    nn_loss_forward_backward(NN_LOSS_CATEGORICAL_CROSSENTROPY, R, C, p, y, NULL, dp);
    nn_activation_backward(NN_ACT_SOFTMAX, R, C, z, p, dp, chain);
    nn_softmax_crossentropy_backward(R, C, p, y, NULL, fused);
    nn_softmax_crossentropy_backward(R, C, p, NULL, labels, fused_sparse);

    double worst = 0.0;
    for (int i = 0; i < R * C; i++) {
        worst = fmax(worst, fabs(chain[i] - fused[i]));
        // (p - y) / rows worked out directly
        double want = (p[i] - y[i]) / R;
        CHECK_NEAR(fused[i], want, 1e-7, "fused[%d] = %.9g, want %.9g", i, fused[i], want);
        CHECK(fused[i] == fused_sparse[i], "fused one-hot and sparse differ at %d", i);
    }
    CHECK(worst < 1e-5, "fused and chained gradients differ by %.3g", worst);
    for (int r = 0; r < R; r++) {
        double s = 0.0;
        for (int j = 0; j < C; j++) s += fused[r * C + j];
        CHECK_NEAR(s, 0.0, 1e-6, "row %d of dz sums to %g", r, s);
    }
}

// The loss the fused gradient belongs to, from the logits: unclipped, stable,
// and with (p - y) / rows as its exact gradient.
static void test_from_logits(void) {
    // A confident wrong prediction: softmax gives the label p = 2e-9, which the
    // clip raises to 1e-7 (16.118); the logits give the true cost, 20.
    const float z[3] = {20.0f, 0.0f, 0.0f};
    const uint8_t label = 1;
    float y[3], p[3];
    CHECK_OK(nn_to_categorical(&label, 1, 3, y));
    nn_activation_forward(NN_ACT_SOFTMAX, 1, 3, z, p);
    double want = 20.0 + log(1.0 + 2.0 * exp(-20.0));
    float clipped = nn_loss_forward_backward(NN_LOSS_CATEGORICAL_CROSSENTROPY, 1, 3, p, y, NULL, NULL);
    float fl = nn_softmax_crossentropy_from_logits(1, 3, z, y, NULL);
    float fs = nn_softmax_crossentropy_from_logits(1, 3, z, NULL, &label);
    CHECK_NEAR(clipped, -log(1e-7), 1e-3, "the clipped loss is -ln 1e-7 (%.9g)", clipped);
    CHECK_NEAR(fl, want, 1e-5, "from logits %.9g, want %.9g", fl, want);
    CHECK(fl == fs, "one-hot %.9g and sparse %.9g agree", fl, fs);
    // Logits far beyond exp's range stay finite.
    const float big[2] = {1000.0f, -1000.0f};
    float fb = nn_softmax_crossentropy_from_logits(1, 2, big, NULL, &label);
    CHECK_NEAR(fb, 2000.0, 1e-3, "logits ±1000: %.9g", fb);

    // Ordinary logits: the same value as the clipped loss of softmax(z), and
    // the fused gradient is its derivative (central differences).
    nn_rng rng;
    nn_rng_seed(&rng, 5);
    enum { R = 4, C = 6 };
    float zr[R * C], pr[R * C], dz[R * C];
    uint8_t labels[R];
    for (int i = 0; i < R * C; i++) zr[i] = 2.0f * nn_rng_normal(&rng);
    for (int r = 0; r < R; r++) labels[r] = (uint8_t)(nn_rng_u32(&rng) % C);
    nn_activation_forward(NN_ACT_SOFTMAX, R, C, zr, pr);
    float a = nn_softmax_crossentropy_from_logits(R, C, zr, NULL, labels);
    float b = nn_loss_forward_backward(NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, R, C, pr, NULL, labels, NULL);
    CHECK_NEAR(a, b, 1e-6, "from logits %.9g = from probabilities %.9g", a, b);
    nn_softmax_crossentropy_backward(R, C, pr, NULL, labels, dz);
    double worst = 0.0;
    for (int i = 0; i < R * C; i++) {
        const float h = 1e-2f, z0 = zr[i];
        zr[i] = z0 + h;
        double up = nn_softmax_crossentropy_from_logits(R, C, zr, NULL, labels);
        zr[i] = z0 - h;
        double down = nn_softmax_crossentropy_from_logits(R, C, zr, NULL, labels);
        zr[i] = z0;
        worst = fmax(worst, fabs((up - down) / (2.0 * h) - dz[i]));
    }
    CHECK(worst < 1e-4, "fused gradient vs differences of the from-logits loss: %.3g", worst);
}

// ---------------------------------------------------------------------------
// to_categorical and names

static void test_to_categorical(void) {
    const uint8_t labels[4] = {2, 0, 3, 2};
    float out[4 * 4];
    CHECK_OK(nn_to_categorical(labels, 4, 4, out));
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            CHECK(out[i * 4 + j] == (j == labels[i] ? 1.0f : 0.0f), "out[%d][%d] = %g", i, j,
                  out[i * 4 + j]);

    // A label outside 0..n_classes-1 fails and leaves out untouched.
    const uint8_t bad[3] = {1, 10, 0};
    float out2[3 * 10];
    for (int i = 0; i < 3 * 10; i++) out2[i] = -7.0f;
    nn_clear_error();
    int rc = nn_to_categorical(bad, 3, 10, out2);
    CHECK(rc == NN_ERR_ARG, "label 10 of 10 classes returned %d", rc);
    CHECK(strstr(nn_last_error(), "10") != NULL, "error does not name the label: %s",
          nn_last_error());
    int untouched = 1;
    for (int i = 0; i < 3 * 10; i++) untouched &= out2[i] == -7.0f;
    CHECK(untouched, "failed to_categorical wrote its output");
    CHECK(nn_to_categorical(labels, 4, 0, out) == NN_ERR_ARG, "0 classes accepted");
    CHECK(nn_to_categorical(labels, -1, 4, out) == NN_ERR_ARG, "negative count accepted");
}

static void test_names(void) {
    const char *keras[NN_LOSS_COUNT] = {"categorical_crossentropy",
                                        "sparse_categorical_crossentropy", "mean_squared_error",
                                        "binary_crossentropy"};
    for (int l = 0; l < NN_LOSS_COUNT; l++) {
        CHECK(strcmp(nn_loss_name((nn_loss)l), keras[l]) == 0, "loss %d is %s", l,
              nn_loss_name((nn_loss)l));
        CHECK(nn_loss_from_name(keras[l]) == l, "%s does not round-trip", keras[l]);
    }
    CHECK(nn_loss_from_name("mse") == NN_LOSS_MEAN_SQUARED_ERROR, "mse alias");
    CHECK(nn_loss_from_name("hinge") == -1, "hinge is not supported");
    CHECK(nn_loss_from_name(NULL) == -1, "NULL name accepted");
}

int main(void) {
    RUN(test_values);
    RUN(test_clipping);
    RUN(test_gradients);
    RUN(test_sparse_equals_categorical);
    RUN(test_sparse_label_out_of_range);
    RUN(test_fused_softmax_crossentropy);
    RUN(test_from_logits);
    RUN(test_to_categorical);
    RUN(test_names);
    return nn_test_report();
}
