/*
 * test_recompile.c — compiling a trained model again.
 *
 * nn_model_recompile keeps the weights and history always, and the optimizer
 * state when the kind stays (a lowered learning rate then continues the same
 * run, as setting model.optimizer.learning_rate in Keras); another kind
 * starts the state fresh. A refused setting changes nothing.
 */
#include "nn_fixtures.h"
#include "nn_test.h"

#define FEATURES 10
#define CLASSES 4

static const nn_layer_spec SPECS[] = {
    {NN_LAYER_DENSE, 12, NN_ACT_RELU, NN_INIT_HE_NORMAL, 0.0f},
    {NN_LAYER_DENSE, CLASSES, NN_ACT_SOFTMAX, NN_INIT_GLOROT_UNIFORM, 0.0f},
};

static nn_optimizer opt_with_lr(nn_optimizer_kind k, float lr) {
    nn_optimizer o = nn_optimizer_defaults(k);
    o.learning_rate = lr;
    return o;
}

static void make_model(nn_model *m, nn_optimizer_kind k) {
    CHECK_OK(nn_model_create(m, FEATURES, SPECS, 2, 42));
    nn_optimizer o = opt_with_lr(k, 0.01f);
    CHECK_OK(nn_model_compile(m, &o, NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY));
}

// Train `k` batches of 8, starting at batch `first` of d.
static void train_batches(nn_model *m, const nn_dataset *d, int first, int k) {
    CHECK_OK(nn_fix_train_batches(m, d, first, k));
}

static int same(const float *a, const float *b, size_t n) { return memcmp(a, b, n * sizeof(float)) == 0; }

// The same kind keeps slots, step and Nadam's product; training on equals an
// uninterrupted run whose learning rate was changed in place.
static void test_same_kind_keeps_state(void) {
    nn_dataset d;
    CHECK_OK(nn_fix_dataset(&d, 64, FEATURES, CLASSES, 7));
    nn_model a, b;
    make_model(&a, NN_OPT_NADAM);
    make_model(&b, NN_OPT_NADAM);
    train_batches(&a, &d, 0, 3);
    train_batches(&b, &d, 0, 3);
    float *w = malloc(a.n_params * sizeof(float)), *m0 = malloc(a.n_params * sizeof(float));
    memcpy(w, a.params, a.n_params * sizeof(float));
    memcpy(m0, a.slots[0], a.n_params * sizeof(float));
    float u = a.nadam_u_product;

    nn_optimizer lower = opt_with_lr(NN_OPT_NADAM, 0.001f);
    int rc = nn_model_recompile(&a, &lower, NN_LOSS_CATEGORICAL_CROSSENTROPY);
    CHECK(rc == 0, "same kind: state kept (returned %d: %s)", rc, nn_last_error());
    CHECK(same(a.params, w, a.n_params), "weights identical after recompile");
    CHECK(same(a.slots[0], m0, a.n_params), "first moments kept");
    CHECK(a.step == 3 && a.nadam_u_product == u, "step %lld and Nadam product kept", (long long)a.step);
    CHECK(a.optimizer.learning_rate == 0.001f && a.loss == NN_LOSS_CATEGORICAL_CROSSENTROPY,
          "learning rate and loss changed");

    b.optimizer.learning_rate = 0.001f; // what Keras's model.optimizer.learning_rate = ... does
    b.loss = NN_LOSS_CATEGORICAL_CROSSENTROPY;
    train_batches(&a, &d, 3, 2);
    train_batches(&b, &d, 3, 2);
    CHECK(same(a.params, b.params, a.n_params) && same(a.slots[1], b.slots[1], a.n_params),
          "a continued step equals the uninterrupted run");
    CHECK(!same(a.params, w, a.n_params), "and it did train");

    // The check above could fail: compile() (fresh state) gives other weights.
    nn_model c;
    make_model(&c, NN_OPT_NADAM);
    train_batches(&c, &d, 0, 3);
    CHECK_OK(nn_model_compile(&c, &lower, NN_LOSS_CATEGORICAL_CROSSENTROPY));
    CHECK(c.step == 0, "compile starts at step 0");
    train_batches(&c, &d, 3, 2);
    CHECK(!same(c.params, b.params, c.n_params), "fresh state trains differently");
    nn_model_free(&a);
    nn_model_free(&b);
    nn_model_free(&c);
    free(w);
    free(m0);
    nn_dataset_free(&d);
}

// Another kind, or an uncompiled model, starts the optimizer fresh; the
// weights and history stay.
static void test_other_kind_starts_fresh(void) {
    nn_dataset d;
    CHECK_OK(nn_fix_dataset(&d, 64, FEATURES, CLASSES, 8));
    nn_model a;
    make_model(&a, NN_OPT_ADAM);
    nn_fit_options fo = nn_fit_defaults();
    fo.batch_size = 16;
    CHECK_OK(nn_fit(&a, &d, &fo));
    float *w = malloc(a.n_params * sizeof(float));
    memcpy(w, a.params, a.n_params * sizeof(float));
    nn_optimizer rms = opt_with_lr(NN_OPT_RMSPROP, 0.002f);
    int rc = nn_model_recompile(&a, &rms, NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY);
    CHECK(rc == 1, "another kind: fresh state (returned %d)", rc);
    CHECK(same(a.params, w, a.n_params), "weights identical");
    CHECK(a.history.epochs == 1, "history kept (%d epochs)", a.history.epochs);
    CHECK(a.step == 0 && a.optimizer.kind == NN_OPT_RMSPROP, "step 0, rmsprop");
    int zero = 1;
    for (size_t i = 0; i < a.n_params; i++) zero &= a.slots[0][i] == 0.0f;
    CHECK(zero && a.slots[1] == NULL, "rmsprop's one slot starts at zero");

    // SGD turning momentum on needs a slot it did not have.
    nn_optimizer sgd = opt_with_lr(NN_OPT_SGD, 0.1f);
    CHECK(nn_model_recompile(&a, &sgd, NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY) == 1, "sgd: fresh");
    sgd.momentum = 0.9f;
    CHECK(nn_model_recompile(&a, &sgd, NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY) == 1 && a.slots[0],
          "sgd with momentum: fresh, with a momentum slot");
    sgd.momentum = 0.5f;
    CHECK(nn_model_recompile(&a, &sgd, NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY) == 0,
          "sgd, other momentum: kept");

    nn_model u;
    CHECK_OK(nn_model_create(&u, FEATURES, SPECS, 2, 1));
    CHECK(nn_model_recompile(&u, &rms, NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY) == 1 && u.compiled,
          "an uncompiled model is compiled fresh");
    nn_model_free(&u);
    nn_model_free(&a);
    free(w);
    nn_dataset_free(&d);
}

// A refused setting leaves weights, state, optimizer and loss as they were.
static void test_error_leaves_model(void) {
    nn_dataset d;
    CHECK_OK(nn_fix_dataset(&d, 32, FEATURES, CLASSES, 9));
    nn_model a;
    make_model(&a, NN_OPT_ADAM);
    train_batches(&a, &d, 0, 2);
    nn_model before;
    memcpy(&before, &a, sizeof a);
    size_t n = a.n_params;
    float *copy = malloc(3 * n * sizeof(float));
    memcpy(copy, a.params, n * sizeof(float));
    memcpy(copy + n, a.slots[0], n * sizeof(float));
    memcpy(copy + 2 * n, a.slots[1], n * sizeof(float));
    nn_optimizer bad[3] = {opt_with_lr(NN_OPT_ADAM, 0.0f), opt_with_lr(NN_OPT_SGD, NAN),
                           opt_with_lr(NN_OPT_ADAM, 0.01f)};
    bad[2].beta_1 = 1.5f;
    for (int i = 0; i < 3; i++) {
        int rc = nn_model_recompile(&a, &bad[i], NN_LOSS_MEAN_SQUARED_ERROR);
        CHECK(rc == NN_ERR_ARG && nn_last_error()[0], "setting %d refused (%d)", i, rc);
    }
    CHECK(nn_model_recompile(&a, &bad[2], (nn_loss)99) == NN_ERR_ARG, "unknown loss refused");
    CHECK(memcmp(&a, &before, sizeof a) == 0, "the model struct is unchanged");
    CHECK(same(a.params, copy, n) && same(a.slots[0], copy + n, n) && same(a.slots[1], copy + 2 * n, n),
          "weights and slots unchanged");
    free(copy);
    nn_model_free(&a);
    nn_dataset_free(&d);
}

int main(void) {
    RUN(test_same_kind_keeps_state);
    RUN(test_other_kind_starts_fresh);
    RUN(test_error_leaves_model);
    return nn_test_report();
}
