/*
 * test_optimizers.c — every optimizer against its Keras 3 rule, worked out
 * separately in double.
 *
 * Three steps (so t = 1, 2, 3 and the bias corrections and Nadam's schedule
 * all change) on w = [1, -2, 0.5] with a different gradient each step, run
 * twice per optimizer: with Keras defaults, and with "loud" hyperparameters
 * (large lr, eps 1e-2, small betas) under which every term of the rule moves
 * the result far beyond float round-off — e.g. eps inside vs outside the
 * square root differs by ~1e-3 there. The reference below is written from
 * the Keras docstrings / papers in textbook form, not from src/optimizers.c.
 */
#include "nn_test.h"

#define NW 3
#define STEPS 3

static const float w0[NW] = {1.0f, -2.0f, 0.5f};
static const float grads[STEPS][NW] = {
    {0.1f, -0.3f, 0.2f},
    {-0.2f, 0.1f, 0.4f},
    {0.05f, -0.25f, -0.1f},
};

// ---------------------------------------------------------------------------
// Reference rules in double

typedef struct ref_state {
    double w[NW], a[NW], b[NW]; // weights and two state arrays
} ref_state;

// Nadam's u_t = b1 (1 - 0.5 * 0.96^t), Keras 3 (Dozat 2016).
static double nadam_u(double b1, int t) { return b1 * (1.0 - 0.5 * pow(0.96, t)); }

static void ref_step(const nn_optimizer *o, ref_state *s, const float *gf, int t) {
    const double lr = o->learning_rate, b1 = o->beta_1, b2 = o->beta_2, eps = o->epsilon;
    for (int i = 0; i < NW; i++) {
        const double g = gf[i];
        double *w = &s->w[i], *a = &s->a[i], *b = &s->b[i];
        switch (o->kind) {
        case NN_OPT_SGD:
            // Keras docstring: velocity = momentum*velocity - lr*g; w = w + velocity
            // nesterov: w = w + momentum*velocity - lr*g
            if (o->momentum == 0.0f) {
                *w -= lr * g;
            } else {
                *a = o->momentum * *a - lr * g;
                *w += o->nesterov ? o->momentum * *a - lr * g : *a;
            }
            break;
        case NN_OPT_ADAM: {
            *a = b1 * *a + (1 - b1) * g;
            *b = b2 * *b + (1 - b2) * g * g;
            double step = lr * sqrt(1 - pow(b2, t)) / (1 - pow(b1, t));
            *w -= step * *a / (sqrt(*b) + eps);
            break;
        }
        case NN_OPT_RMSPROP:
            *a = o->rho * *a + (1 - o->rho) * g * g;
            *w -= lr * g / sqrt(*a + eps);
            break;
        case NN_OPT_ADAMAX:
            // Kingma & Ba §7.1: u = max(b2 u, |g|); w -= lr/(1 - b1^t) * m/(u + eps)
            *a = b1 * *a + (1 - b1) * g;
            *b = fmax(b2 * *b, fabs(g));
            *w -= lr / (1 - pow(b1, t)) * *a / (*b + eps);
            break;
        case NN_OPT_ADAGRAD:
            *a += g * g;
            *w -= lr * g / sqrt(*a + eps);
            break;
        case NN_OPT_NADAM: {
            // The products are rebuilt from scratch every step.
            double prod = 1.0;
            for (int k = 1; k <= t; k++) prod *= nadam_u(b1, k);
            double u_t = nadam_u(b1, t), u_next = nadam_u(b1, t + 1);
            *a = b1 * *a + (1 - b1) * g;
            *b = b2 * *b + (1 - b2) * g * g;
            double m_hat = u_next * *a / (1 - prod * u_next) + (1 - u_t) * g / (1 - prod);
            double v_hat = *b / (1 - pow(b2, t));
            *w -= lr * m_hat / (sqrt(v_hat) + eps);
            break;
        }
        default:
            break;
        }
    }
}

// Run STEPS updates through nn_optimizer_apply and the reference; compare
// after every step.
static void check_rule(const char *what, const nn_optimizer *o, double tol) {
    float w[NW], s0[NW], s1[NW], u_product = 1.0f;
    ref_state ref;
    memcpy(w, w0, sizeof w);
    for (int i = 0; i < NW; i++) {
        s0[i] = nn_optimizer_slot_init(o, 0);
        s1[i] = nn_optimizer_slot_init(o, 1);
        ref.w[i] = w0[i];
        ref.a[i] = o->kind == NN_OPT_ADAGRAD ? o->initial_accumulator_value : 0.0;
        ref.b[i] = 0.0;
    }
    int slots = nn_optimizer_slots(o);
    for (int t = 1; t <= STEPS; t++) {
        nn_optimizer_apply(o, NW, w, grads[t - 1], slots > 0 ? s0 : NULL, slots > 1 ? s1 : NULL,
                           t, &u_product);
        ref_step(o, &ref, grads[t - 1], t);
        for (int i = 0; i < NW; i++)
            CHECK_NEAR(w[i], ref.w[i], tol, "%s: step %d w[%d] = %.9g, want %.9g", what, t, i,
                       w[i], ref.w[i]);
    }
    // The weights must actually have moved, or the comparison proves little.
    for (int i = 0; i < NW; i++)
        CHECK(fabs(w[i] - w0[i]) > 10 * tol, "%s: w[%d] barely moved", what, i);
}

static void test_every_rule_with_defaults(void) {
    for (int k = 0; k < NN_OPT_COUNT; k++) {
        nn_optimizer o = nn_optimizer_defaults((nn_optimizer_kind)k);
        check_rule(nn_optimizer_name((nn_optimizer_kind)k), &o, 1e-6);
    }
    nn_optimizer o = nn_optimizer_defaults(NN_OPT_SGD);
    o.momentum = 0.9f;
    check_rule("sgd momentum 0.9", &o, 1e-6);
    o.nesterov = 1;
    check_rule("sgd nesterov 0.9", &o, 1e-6);
}

static void test_every_rule_loud(void) {
    for (int k = 0; k < NN_OPT_COUNT; k++) {
        nn_optimizer o = nn_optimizer_defaults((nn_optimizer_kind)k);
        o.learning_rate = 0.1f;
        o.beta_1 = 0.7f;
        o.beta_2 = 0.8f;
        o.rho = 0.6f;
        o.epsilon = 1e-2f;
        o.initial_accumulator_value = 0.05f;
        char what[64];
        snprintf(what, sizeof what, "%s (loud)", nn_optimizer_name((nn_optimizer_kind)k));
        check_rule(what, &o, 2e-6);
    }
    nn_optimizer o = nn_optimizer_defaults(NN_OPT_SGD);
    o.learning_rate = 0.5f;
    o.momentum = 0.6f;
    check_rule("sgd momentum (loud)", &o, 2e-6);
    o.nesterov = 1;
    check_rule("sgd nesterov (loud)", &o, 2e-6);
}

// ---------------------------------------------------------------------------
// Numbers worked by hand

static void test_hand_values(void) {
    // sgd: w - 0.01 g
    float w[NW], m[NW] = {0}, v[NW] = {0};
    memcpy(w, w0, sizeof w);
    nn_sgd_update(NW, w, grads[0], NULL, 0.01f, 0.0f, 0);
    CHECK_NEAR(w[0], 0.999, 1e-7, "sgd w[0] = %.9g", w[0]);
    CHECK_NEAR(w[1], -1.997, 1e-7, "sgd w[1] = %.9g", w[1]);
    CHECK_NEAR(w[2], 0.498, 1e-7, "sgd w[2] = %.9g", w[2]);

    // Adam's first step is lr·sign(g) up to eps: m̂/sqrt(v̂) = g/|g|.
    memcpy(w, w0, sizeof w);
    nn_adam_update(NW, w, grads[0], m, v, 0.001f, 0.9f, 0.999f, 1e-7f, 1);
    CHECK_NEAR(w[0], 0.999, 1e-6, "adam w[0] = %.9g", w[0]);
    CHECK_NEAR(w[1], -1.999, 1e-6, "adam w[1] = %.9g", w[1]);
    CHECK_NEAR(w[2], 0.499, 1e-6, "adam w[2] = %.9g", w[2]);

    // The example in Keras's RMSprop docstring: lr 0.1, var 10, loss var²/2
    // (gradient 10) gives 9.683772 after one step.
    float var = 10.0f, grad = 10.0f, vel = 0.0f;
    nn_rmsprop_update(1, &var, &grad, &vel, 0.1f, 0.9f, 1e-7f);
    CHECK_NEAR(var, 9.683772, 1e-6, "rmsprop docstring example = %.9g", var);

    // Adagrad, lr 0.001: w - lr g / sqrt(0.1 + g²): for g = 0.1, sqrt(0.11).
    float acc[NW] = {0.1f, 0.1f, 0.1f};
    memcpy(w, w0, sizeof w);
    nn_adagrad_update(NW, w, grads[0], acc, 0.001f, 1e-7f);
    CHECK_NEAR(w[0], 1.0 - 0.0001 / sqrt(0.11), 1e-7, "adagrad w[0] = %.9g", w[0]);
    CHECK_NEAR(acc[1], 0.19, 1e-7, "adagrad acc[1] = %.9g", acc[1]);
}

// Nadam: the running product, and a NULL product (rebuilt from t) agreeing.
static void test_nadam_product(void) {
    float wa[NW], wb[NW], ma[NW] = {0}, va[NW] = {0}, mb[NW] = {0}, vb[NW] = {0};
    float prod = 1.0f;
    memcpy(wa, w0, sizeof wa);
    memcpy(wb, w0, sizeof wb);
    for (int t = 1; t <= STEPS; t++) {
        nn_nadam_update(NW, wa, grads[t - 1], ma, va, 0.001f, 0.9f, 0.999f, 1e-7f, t, &prod);
        nn_nadam_update(NW, wb, grads[t - 1], mb, vb, 0.001f, 0.9f, 0.999f, 1e-7f, t, NULL);
    }
    double want = 1.0;
    for (int t = 1; t <= STEPS; t++) want *= 0.9 * (1.0 - 0.5 * pow(0.96, t));
    CHECK_NEAR(prod, want, 1e-7, "u_product after 3 steps = %.9g, want %.9g", prod, want);
    for (int i = 0; i < NW; i++)
        CHECK_NEAR(wa[i], wb[i], 1e-7, "nadam with and without u_product differ at %d", i);
}

// ---------------------------------------------------------------------------
// Defaults, slots and names

static void test_defaults(void) {
    for (int k = 0; k < NN_OPT_COUNT; k++) {
        nn_optimizer o = nn_optimizer_defaults((nn_optimizer_kind)k);
        const char *name = nn_optimizer_name((nn_optimizer_kind)k);
        CHECK(o.kind == (nn_optimizer_kind)k, "%s: kind %d", name, o.kind);
        CHECK(o.learning_rate == (k == NN_OPT_SGD ? 0.01f : 0.001f), "%s: lr %g", name,
              o.learning_rate);
        CHECK(o.epsilon == 1e-7f, "%s: epsilon %g", name, o.epsilon);
        CHECK(o.beta_1 == 0.9f && o.beta_2 == 0.999f, "%s: betas %g %g", name, o.beta_1,
              o.beta_2);
        CHECK(o.momentum == 0.0f && o.nesterov == 0, "%s: momentum %g nesterov %d", name,
              o.momentum, o.nesterov);
        CHECK(o.rho == 0.9f, "%s: rho %g", name, o.rho);
        CHECK(o.initial_accumulator_value == 0.1f, "%s: initial accumulator %g", name,
              o.initial_accumulator_value);
    }
    const int slots[NN_OPT_COUNT] = {[NN_OPT_SGD] = 0,     [NN_OPT_ADAM] = 2,
                                     [NN_OPT_RMSPROP] = 1, [NN_OPT_ADAMAX] = 2,
                                     [NN_OPT_ADAGRAD] = 1, [NN_OPT_NADAM] = 2};
    for (int k = 0; k < NN_OPT_COUNT; k++) {
        nn_optimizer o = nn_optimizer_defaults((nn_optimizer_kind)k);
        CHECK(nn_optimizer_slots(&o) == slots[k], "%s: %d slots", nn_optimizer_name(o.kind),
              nn_optimizer_slots(&o));
    }
    nn_optimizer sgd = nn_optimizer_defaults(NN_OPT_SGD);
    sgd.momentum = 0.9f;
    CHECK(nn_optimizer_slots(&sgd) == 1, "sgd with momentum needs 1 slot");
    nn_optimizer ada = nn_optimizer_defaults(NN_OPT_ADAGRAD);
    CHECK(nn_optimizer_slot_init(&ada, 0) == 0.1f, "adagrad accumulator starts at 0.1");
    nn_optimizer adam = nn_optimizer_defaults(NN_OPT_ADAM);
    CHECK(nn_optimizer_slot_init(&adam, 0) == 0.0f && nn_optimizer_slot_init(&adam, 1) == 0.0f,
          "adam moments start at 0");
}

static void test_names(void) {
    const char *keras[NN_OPT_COUNT] = {"sgd", "adam", "rmsprop", "adamax", "adagrad", "nadam"};
    for (int k = 0; k < NN_OPT_COUNT; k++) {
        CHECK(strcmp(nn_optimizer_name((nn_optimizer_kind)k), keras[k]) == 0, "optimizer %d is %s",
              k, nn_optimizer_name((nn_optimizer_kind)k));
        CHECK(nn_optimizer_from_name(keras[k]) == k, "%s does not round-trip", keras[k]);
    }
    // keras.optimizers.get is case-insensitive for built-in optimizers.
    CHECK(nn_optimizer_from_name("Adam") == NN_OPT_ADAM, "Adam");
    CHECK(nn_optimizer_from_name("RMSprop") == NN_OPT_RMSPROP, "RMSprop");
    CHECK(nn_optimizer_from_name("SGD") == NN_OPT_SGD, "SGD");
    CHECK(nn_optimizer_from_name("adamw") == -1, "adamw is not supported");
    CHECK(nn_optimizer_from_name("ada") == -1, "a prefix is not a name");
    CHECK(nn_optimizer_from_name("") == -1, "empty name accepted");
    CHECK(nn_optimizer_from_name(NULL) == -1, "NULL name accepted");
}

// Keras 3's ranges: SGD momentum in [0, 1] (1 included), lr > 0.
static void test_check(void) {
    nn_optimizer o = nn_optimizer_defaults(NN_OPT_SGD);
    o.momentum = 1.0f;
    CHECK_OK(nn_optimizer_check(&o));
    o.momentum = 1.0001f;
    CHECK(nn_optimizer_check(&o) == NN_ERR_ARG && strstr(nn_last_error(), "momentum 1.0001 must be in [0, 1]"),
          "momentum above 1: %s", nn_last_error());
    o.momentum = NAN;
    CHECK(nn_optimizer_check(&o) == NN_ERR_ARG, "NaN momentum refused");
    o = nn_optimizer_defaults(NN_OPT_ADAM);
    o.learning_rate = 0.0f;
    CHECK(nn_optimizer_check(&o) == NN_ERR_ARG && strstr(nn_last_error(), "learning rate 0 must be a positive"),
          "lr 0: %s", nn_last_error());
    o.learning_rate = 0.001f;
    o.beta_2 = 1.0f;
    CHECK(nn_optimizer_check(&o) == NN_ERR_ARG && strstr(nn_last_error(), "beta_2 1 must be in [0, 1)"),
          "beta_2 1: %s", nn_last_error());

    // One step with momentum 1 keeps the whole velocity: m = m - lr g, w += m.
    float w[1] = {1.0f}, g[1] = {0.5f}, m[1] = {0.25f};
    nn_sgd_update(1, w, g, m, 0.1f, 1.0f, 0);
    CHECK(m[0] == 0.25f - 0.05f && w[0] == 1.0f + m[0], "momentum 1 step: m %g w %g", m[0], w[0]);
}

// The warning threshold: 100 x Keras's default, per kind.
static void test_lr_is_high(void) {
    for (int k = 0; k < NN_OPT_COUNT; k++) {
        nn_optimizer o = nn_optimizer_defaults((nn_optimizer_kind)k);
        float limit = k == NN_OPT_SGD ? 1.0f : 0.1f;
        CHECK(!nn_optimizer_lr_is_high(&o), "%s: the default is not high", nn_optimizer_name(o.kind));
        o.learning_rate = limit;
        CHECK(!nn_optimizer_lr_is_high(&o), "%s: %g is not high", nn_optimizer_name(o.kind), limit);
        o.learning_rate = limit * 1.01f;
        CHECK(nn_optimizer_lr_is_high(&o), "%s: %g is high", nn_optimizer_name(o.kind), o.learning_rate);
    }
}

int main(void) {
    RUN(test_hand_values);
    RUN(test_every_rule_with_defaults);
    RUN(test_every_rule_loud);
    RUN(test_nadam_product);
    RUN(test_defaults);
    RUN(test_names);
    RUN(test_check);
    RUN(test_lr_is_high);
    return nn_test_report();
}
