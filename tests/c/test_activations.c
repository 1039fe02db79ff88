/*
 * test_activations.c — activations: values worked by hand, finite-difference
 * gradients, numerical stability at extreme inputs, and names.
 *
 * The gradient check (after kann's kad_check_grad) uses the scalar objective
 * L(x) = Σ r_ij f(x)_ij with fixed random r, so backward with dy = r must
 * equal ∂L/∂x. The forward pass is float, so the central difference takes a
 * step h = 1e-3 (truncation ~h²·f''' stays far below float round-off / h)
 * and divides by the step actually taken after rounding x ± h to float.
 */
#include "nn_test.h"

#define ROWS 4
#define COLS 7
#define N (ROWS * COLS)

static double objective(nn_activation a, const float *x, const double *r) {
    float y[N];
    nn_activation_forward(a, ROWS, COLS, x, y);
    double s = 0.0;
    for (int i = 0; i < N; i++) s += r[i] * y[i];
    return s;
}

// Inputs in [-4, 4], kept 0.05 away from the kinks of relu, leaky_relu,
// selu (0) and hard_sigmoid (±3), where a central difference straddles two
// slopes and means nothing.
static void random_inputs(nn_rng *rng, float *x, double *r) {
    for (int i = 0; i < N; i++) {
        float v;
        do {
            v = 8.0f * nn_rng_uniform(rng) - 4.0f;
        } while (fabsf(v) < 0.05f || fabsf(fabsf(v) - 3.0f) < 0.05f);
        x[i] = v;
        r[i] = 2.0 * nn_rng_uniform(rng) - 1.0;
    }
}

static void check_gradient(nn_activation a, nn_rng *rng) {
    float x[N], y[N], dy[N], dx[N], dxa[N];
    double r[N];
    random_inputs(rng, x, r);
    nn_activation_forward(a, ROWS, COLS, x, y);
    for (int i = 0; i < N; i++) dy[i] = (float)r[i];
    nn_activation_backward(a, ROWS, COLS, x, y, dy, dx);

    // dx may alias dy: the result must not change.
    memcpy(dxa, dy, sizeof dxa);
    nn_activation_backward(a, ROWS, COLS, x, y, dxa, dxa);
    int same = memcmp(dx, dxa, sizeof dx) == 0;
    CHECK(same, "%s: backward with dx == dy differs", nn_activation_name(a));

    const float h = 1e-3f;
    double worst = 0.0;
    int worst_i = 0;
    for (int i = 0; i < N; i++) {
        float xp[N], xm[N];
        memcpy(xp, x, sizeof xp);
        memcpy(xm, x, sizeof xm);
        xp[i] = x[i] + h;
        xm[i] = x[i] - h;
        double fd = (objective(a, xp, r) - objective(a, xm, r)) / ((double)xp[i] - xm[i]);
        double err = fabs(fd - dx[i]) / (1e-2 * fmax(fabs(fd), fabs(dx[i])) + 1e-3);
        if (err > worst) worst = err, worst_i = i;
    }
    CHECK(worst <= 1.0, "%s: gradient off at x[%d] = %g (error %.3g of tolerance)",
          nn_activation_name(a), worst_i, x[worst_i], worst);
}

static void test_gradients(void) {
    nn_rng rng;
    nn_rng_seed(&rng, 1234);
    for (int a = 0; a < NN_ACT_COUNT; a++) check_gradient((nn_activation)a, &rng);
}

// A gradient check passes trivially if backward and forward are both zero;
// make sure every activation's gradient is non-zero somewhere in the sample.
static void test_gradients_not_trivial(void) {
    nn_rng rng;
    nn_rng_seed(&rng, 99);
    for (int a = 0; a < NN_ACT_COUNT; a++) {
        float x[N], y[N], dy[N], dx[N];
        double r[N];
        random_inputs(&rng, x, r);
        for (int i = 0; i < N; i++) dy[i] = (float)r[i];
        nn_activation_forward((nn_activation)a, ROWS, COLS, x, y);
        nn_activation_backward((nn_activation)a, ROWS, COLS, x, y, dy, dx);
        double s = 0.0;
        for (int i = 0; i < N; i++) s += fabs(dx[i]);
        CHECK(s > 0.1, "%s: gradient is all zero", nn_activation_name((nn_activation)a));
    }
}

// ---------------------------------------------------------------------------
// Values worked by hand

static float f1(nn_activation a, float x) {
    float y;
    nn_activation_forward(a, 1, 1, &x, &y);
    return y;
}

static void test_values(void) {
    const double e = exp(1.0);
    const double selu_alpha = 1.6732632423543772, selu_scale = 1.0507009873554805;
    struct {
        nn_activation a;
        float x;
        double want;
    } cases[] = {
        {NN_ACT_LINEAR, 3.5f, 3.5},
        {NN_ACT_RELU, -1.0f, 0.0},
        {NN_ACT_RELU, 2.0f, 2.0},
        {NN_ACT_SIGMOID, 0.0f, 0.5},
        {NN_ACT_SIGMOID, 2.0f, 1.0 / (1.0 + exp(-2.0))},
        {NN_ACT_TANH, 0.5f, (e - 1.0) / (e + 1.0)}, // tanh(1/2) = (e - 1)/(e + 1)
        {NN_ACT_ELU, -1.0f, 1.0 / e - 1.0},
        {NN_ACT_ELU, 2.0f, 2.0},
        {NN_ACT_SELU, 1.0f, 1.0507009873554805},
        {NN_ACT_SELU, -1.0f, selu_scale * selu_alpha * (1.0 / e - 1.0)},
        {NN_ACT_GELU, 1.0f, 0.8413447460685429},   // Φ(1)
        {NN_ACT_GELU, -1.0f, -0.15865525393145707}, // -Φ(-1)
        {NN_ACT_GELU, 0.0f, 0.0},
        {NN_ACT_SWISH, 1.0f, 1.0 / (1.0 + 1.0 / e)},
        {NN_ACT_LEAKY_RELU, -1.0f, -0.2}, // Keras 3 negative_slope default
        {NN_ACT_LEAKY_RELU, 3.0f, 3.0},
        {NN_ACT_SOFTPLUS, 0.0f, log(2.0)},
        {NN_ACT_SOFTPLUS, 100.0f, 100.0}, // no exp overflow
        {NN_ACT_SOFTPLUS, -100.0f, exp(-100.0)},
        {NN_ACT_SOFTSIGN, 1.0f, 0.5},
        {NN_ACT_SOFTSIGN, -3.0f, -0.75},
        {NN_ACT_HARD_SIGMOID, 1.0f, 1.0 / 6.0 + 0.5},
        {NN_ACT_HARD_SIGMOID, -3.0f, 0.0},
        {NN_ACT_HARD_SIGMOID, 3.0f, 1.0},
        {NN_ACT_HARD_SIGMOID, -10.0f, 0.0},
        {NN_ACT_HARD_SIGMOID, 10.0f, 1.0},
        {NN_ACT_SIGMOID, -100.0f, 0.0}, // exp(100) overflows to inf: y must be 0, not NaN
        {NN_ACT_SIGMOID, 100.0f, 1.0},
        {NN_ACT_SWISH, -100.0f, 0.0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        float y = f1(cases[i].a, cases[i].x);
        CHECK(fabs(y - cases[i].want) <= 1e-6 + 1e-6 * fabs(cases[i].want),
              "%s(%g) = %.9g, want %.9g", nn_activation_name(cases[i].a), cases[i].x, y,
              cases[i].want);
    }
}

static void test_softmax(void) {
    // [1, 2, 3] worked by hand: e^k / (e + e² + e³)
    float x[2][3] = {{1, 2, 3}, {1000, 1000, -1000}};
    float y[2][3];
    nn_activation_forward(NN_ACT_SOFTMAX, 2, 3, &x[0][0], &y[0][0]);
    double e1 = exp(1.0), e2 = exp(2.0), e3 = exp(3.0), s = e1 + e2 + e3;
    CHECK_NEAR(y[0][0], e1 / s, 1e-6, "softmax[0] = %.9g", y[0][0]);
    CHECK_NEAR(y[0][1], e2 / s, 1e-6, "softmax[1] = %.9g", y[0][1]);
    CHECK_NEAR(y[0][2], e3 / s, 1e-6, "softmax[2] = %.9g", y[0][2]);
    // Huge logits: the row max is subtracted, so nothing overflows.
    CHECK(isfinite(y[1][0]) && isfinite(y[1][1]) && isfinite(y[1][2]),
          "softmax of [1000, 1000, -1000] is not finite");
    CHECK_NEAR(y[1][0], 0.5, 1e-6, "softmax(1000,1000,-1000)[0] = %g", y[1][0]);
    CHECK_NEAR(y[1][2], 0.0, 1e-30, "softmax(1000,1000,-1000)[2] = %g", y[1][2]);

    // Rows sum to 1, and the forward pass works in place.
    nn_rng rng;
    nn_rng_seed(&rng, 7);
    float z[5 * 11];
    for (int i = 0; i < 5 * 11; i++) z[i] = 20.0f * nn_rng_normal(&rng);
    nn_activation_forward(NN_ACT_SOFTMAX, 5, 11, z, z);
    for (int r = 0; r < 5; r++) {
        double sum = 0.0;
        for (int j = 0; j < 11; j++) sum += z[r * 11 + j];
        CHECK_NEAR(sum, 1.0, 1e-5, "softmax row %d sums to %.9g", r, sum);
    }
}

static void test_in_place_forward(void) {
    nn_rng rng;
    nn_rng_seed(&rng, 5);
    for (int a = 0; a < NN_ACT_COUNT; a++) {
        float x[N], y[N], z[N];
        for (int i = 0; i < N; i++) x[i] = z[i] = 4.0f * nn_rng_normal(&rng);
        nn_activation_forward((nn_activation)a, ROWS, COLS, x, y);
        nn_activation_forward((nn_activation)a, ROWS, COLS, z, z);
        CHECK(memcmp(y, z, sizeof y) == 0, "%s: in-place forward differs",
              nn_activation_name((nn_activation)a));
    }
}

// ---------------------------------------------------------------------------
// Names

static void test_names(void) {
    const char *keras[NN_ACT_COUNT] = {
        "linear", "relu", "sigmoid",  "tanh",     "softmax",  "elu",         "selu",
        "gelu",   "swish", "leaky_relu", "softplus", "softsign", "hard_sigmoid",
    };
    for (int a = 0; a < NN_ACT_COUNT; a++) {
        const char *name = nn_activation_name((nn_activation)a);
        CHECK(strcmp(name, keras[a]) == 0, "activation %d is called %s, want %s", a, name,
              keras[a]);
        CHECK(nn_activation_from_name(name) == a, "%s does not round-trip", name);
    }
    CHECK(nn_activation_from_name("silu") == NN_ACT_SWISH, "silu is not swish");
    CHECK(nn_activation_from_name("Relu") == -1, "names are case-sensitive, as in Keras");
    CHECK(nn_activation_from_name("mish") == -1, "mish is not supported");
    CHECK(nn_activation_from_name("") == -1, "empty name accepted");
    CHECK(nn_activation_from_name(NULL) == -1, "NULL name accepted");
}

int main(void) {
    RUN(test_values);
    RUN(test_softmax);
    RUN(test_in_place_forward);
    RUN(test_gradients);
    RUN(test_gradients_not_trivial);
    RUN(test_names);
    return nn_test_report();
}
