/*
 * test_model.c — the model: layer syntax, summary, layer gradients (finite
 * differences in double), whole-model backprop, determinism, fit's state
 * machine, divergence, and a small training run whose loss falls.
 */
#include "nn_fixtures.h"
#include "nn_test.h"

#include <stdint.h>

// ---------------------------------------------------------------------------
// Helpers

// A synthetic, learnable dataset: class c lights up pixel block c, plus noise.
static void make_blocks(nn_dataset *d, int n, int features, int classes, uint64_t seed) {
    nn_rng r;
    nn_rng_seed(&r, seed);
    d->n = n;
    d->rows = 1;
    d->cols = features;
    d->features = features;
    d->n_classes = classes;
    d->images = malloc((size_t)n * features);
    d->labels = malloc((size_t)n);
    int block = features / classes;
    for (int i = 0; i < n; i++) {
        int c = (int)(nn_rng_u32(&r) % (uint32_t)classes);
        d->labels[i] = (uint8_t)c;
        for (int j = 0; j < features; j++) {
            int on = j / block == c;
            d->images[(size_t)i * features + j] = (uint8_t)(on ? 150 + nn_rng_u32(&r) % 100 : nn_rng_u32(&r) % 90);
        }
    }
}

static nn_optimizer opt_of(nn_optimizer_kind k, float lr) {
    nn_optimizer o = nn_optimizer_defaults(k);
    if (lr > 0) o.learning_rate = lr;
    return o;
}

static int build(nn_model *m, int input, const char *layers, uint64_t seed, nn_optimizer_kind k, float lr,
                 nn_loss loss) {
    nn_layer_spec specs[NN_MAX_LAYERS];
    int n = nn_parse_layers(layers, specs, NN_MAX_LAYERS);
    if (n < 0) return n;
    int rc = nn_model_create(m, input, specs, n, seed);
    if (rc) return rc;
    nn_optimizer o = opt_of(k, lr);
    return nn_model_compile(m, &o, loss);
}

// ---------------------------------------------------------------------------
// Layer syntax

static void test_parse_layers(void) {
    nn_layer_spec s[8];
    int n = nn_parse_layers(" 100:relu , dropout:0.2, 64:tanh:he_normal, softmax,10", s, 8);
    CHECK(n == 5, "parsed %d layers: %s", n, nn_last_error());
    CHECK(s[0].kind == NN_LAYER_DENSE && s[0].units == 100 && s[0].activation == NN_ACT_RELU, "dense 100 relu");
    CHECK(s[0].kernel_initializer == NN_INIT_GLOROT_UNIFORM, "default initializer glorot_uniform");
    CHECK(s[1].kind == NN_LAYER_DROPOUT && fabsf(s[1].rate - 0.2f) < 1e-7f, "dropout 0.2");
    CHECK(s[2].kernel_initializer == NN_INIT_HE_NORMAL && s[2].activation == NN_ACT_TANH, "he_normal tanh");
    CHECK(s[3].kind == NN_LAYER_ACTIVATION && s[3].activation == NN_ACT_SOFTMAX, "bare activation");
    CHECK(s[4].kind == NN_LAYER_DENSE && s[4].activation == NN_ACT_LINEAR, "dense linear by default");

    char buf[256];
    CHECK_OK(nn_format_layers(s, n, buf, sizeof buf));
    nn_layer_spec t[8];
    CHECK(nn_parse_layers(buf, t, 8) == n && memcmp(s, t, sizeof(nn_layer_spec) * n) == 0,
          "format -> parse round trip: %s", buf);

    CHECK(nn_parse_layers("0:relu", s, 8) == NN_ERR_ARG && strstr(nn_last_error(), "0 units"), "0 units: %s",
          nn_last_error());
    CHECK(nn_parse_layers("100:rel", s, 8) == NN_ERR_ARG && strstr(nn_last_error(), "unknown activation 'rel'"),
          "typo: %s", nn_last_error());
    CHECK(nn_parse_layers("dropout:1.5", s, 8) == NN_ERR_ARG && strstr(nn_last_error(), "dropout rate"),
          "rate: %s", nn_last_error());
    CHECK(nn_parse_layers("10:relu:bogus", s, 8) == NN_ERR_ARG && strstr(nn_last_error(), "initializer"),
          "init: %s", nn_last_error());
    CHECK(nn_parse_layers("", s, 8) == NN_ERR_ARG, "empty list refused");
    CHECK(nn_parse_layers("1,2,3", s, 2) == NN_ERR_ARG && strstr(nn_last_error(), "too many"), "max layers");
    CHECK(nn_parse_layers("abc", s, 8) == NN_ERR_ARG, "garbage refused");
}

// ---------------------------------------------------------------------------
// Summary

static void test_summary(void) {
    nn_model m;
    char buf[4096];
    CHECK_OK(build(&m, 784, "10:softmax", 1, NN_OPT_ADAM, 0, NN_LOSS_CATEGORICAL_CROSSENTROPY));
    CHECK(m.n_params == 7850, "logistic regression has %zu params", m.n_params);
    int len = nn_model_summary(&m, buf, sizeof buf);
    CHECK(len > 0 && (size_t)len < sizeof buf, "summary length %d", len);
    CHECK(strstr(buf, "Total params: 7,850 (30.66 KB)") != NULL, "logreg summary:\n%s", buf);
    CHECK(strstr(buf, "dense (Dense)") && strstr(buf, "(None, 10)"), "row:\n%s", buf);
    nn_model_free(&m);

    CHECK_OK(build(&m, 784, "100:relu,dropout:0.5,10:softmax", 1, NN_OPT_ADAM, 0, NN_LOSS_CATEGORICAL_CROSSENTROPY));
    CHECK(m.n_params == 79510, "MLP has %zu params", m.n_params);
    nn_model_summary(&m, buf, sizeof buf);
    CHECK(strstr(buf, "Total params: 79,510 (310.59 KB)") && strstr(buf, "78,500") && strstr(buf, "1,010"),
          "MLP summary:\n%s", buf);
    CHECK(strstr(buf, "dense_1 (Dense)") && strstr(buf, "dropout (Dropout)"), "names:\n%s", buf);
    // Truncation: the return value is the full length, the buffer stays terminated.
    char small[16];
    int need = nn_model_summary(&m, small, sizeof small);
    CHECK(need == (int)strlen(buf) && strlen(small) == sizeof small - 1, "truncated summary needs %d", need);
    nn_model_free(&m);
}

static void test_create_refuses(void) {
    nn_layer_spec s[2] = {{.kind = NN_LAYER_DENSE, .units = 65536}, {.kind = NN_LAYER_DENSE, .units = 65536}};
    nn_model m;
    int rc = nn_model_create(&m, 784, s, 2, 1);
    CHECK(rc == NN_ERR_NOMEM && strstr(nn_last_error(), "MB"), "huge model refused with its size: %s",
          nn_last_error());
    s[0].units = 0;
    CHECK(nn_model_create(&m, 784, s, 1, 1) == NN_ERR_ARG, "0 units refused");
    CHECK(nn_model_create(&m, 0, s, 0, 1) == NN_ERR_ARG, "no layers refused");
    nn_optimizer o = opt_of(NN_OPT_ADAM, 0);
    CHECK_OK(build(&m, 4, "3:softmax", 1, NN_OPT_ADAM, 0, NN_LOSS_CATEGORICAL_CROSSENTROPY));
    o.learning_rate = -1;
    CHECK(nn_model_compile(&m, &o, NN_LOSS_CATEGORICAL_CROSSENTROPY) == NN_ERR_ARG &&
              strstr(nn_last_error(), "learning rate"),
          "negative lr refused: %s", nn_last_error());
    CHECK(m.compiled && m.optimizer.learning_rate > 0, "refused compile keeps the old settings");
    nn_model_free(&m);
}

static void test_initializers(void) {
    // Keras: glorot_uniform limit sqrt(6/(in+out)); he_normal stddev sqrt(2/in) truncated at 2 sd.
    nn_model m;
    CHECK_OK(build(&m, 400, "200", 7, NN_OPT_SGD, 0, NN_LOSS_MEAN_SQUARED_ERROR));
    double limit = sqrt(6.0 / 600.0), sum2 = 0;
    float mx = 0;
    for (int i = 0; i < 80000; i++) {
        mx = fmaxf(mx, fabsf(m.layers[0].w[i]));
        sum2 += (double)m.layers[0].w[i] * m.layers[0].w[i];
    }
    CHECK(mx <= limit && mx > 0.99 * limit, "glorot_uniform max %g, limit %g", mx, limit);
    CHECK_NEAR(sqrt(sum2 / 80000), limit / sqrt(3.0), 0.01 * limit, "glorot_uniform sd %g", sqrt(sum2 / 80000));
    for (int i = 0; i < 200; i++) CHECK(m.layers[0].b[i] == 0.0f, "bias starts at zero");
    nn_model_free(&m);
    CHECK_OK(build(&m, 400, "200:linear:he_normal", 7, NN_OPT_SGD, 0, NN_LOSS_MEAN_SQUARED_ERROR));
    sum2 = 0;
    mx = 0;
    for (int i = 0; i < 80000; i++) {
        mx = fmaxf(mx, fabsf(m.layers[0].w[i]));
        sum2 += (double)m.layers[0].w[i] * m.layers[0].w[i];
    }
    double sd = sqrt(2.0 / 400);
    CHECK_NEAR(sqrt(sum2 / 80000), sd, 0.03 * sd, "he_normal sd %g want %g", sqrt(sum2 / 80000), sd);
    CHECK(mx <= 2.0 * sd / 0.87962566103423978 + 1e-6, "he_normal truncated: max %g", mx);
    nn_model_free(&m);
}

// ---------------------------------------------------------------------------
// Layer gradients by finite differences, in double

static void test_dense_gradient(void) {
    enum { B = 3, IN = 5, OUT = 4 };
    float x[B * IN], w[IN * OUT], b[OUT], z[B * OUT], y[B * OUT], r[B * OUT];
    float dx[B * IN], dw[IN * OUT], db[OUT];
    nn_rng g;
    nn_rng_seed(&g, 3);
    for (int i = 0; i < B * IN; i++) x[i] = nn_rng_normal(&g);
    for (int i = 0; i < IN * OUT; i++) w[i] = nn_rng_normal(&g) * 0.5f;
    for (int i = 0; i < OUT; i++) b[i] = nn_rng_normal(&g) * 0.1f;
    for (int i = 0; i < B * OUT; i++) r[i] = nn_rng_normal(&g);
    // L = sum r * (x w + b): dz = r
    nn_dense_backward(dx, dw, db, r, x, w, B, IN, OUT);
    // The objective in double, straight from the definition.
    #define OBJ(val)                                                                            \
        do {                                                                                    \
            double s_ = 0;                                                                      \
            for (int i_ = 0; i_ < B; i_++)                                                      \
                for (int o_ = 0; o_ < OUT; o_++) {                                              \
                    double zz_ = b[o_];                                                         \
                    for (int k_ = 0; k_ < IN; k_++) zz_ += (double)x[i_ * IN + k_] * w[k_ * OUT + o_]; \
                    s_ += r[i_ * OUT + o_] * zz_;                                               \
                }                                                                               \
            val = s_;                                                                           \
        } while (0)
    struct { float *p, *grad; int n; const char *name; } groups[3] = {
        {x, dx, B * IN, "dx"}, {w, dw, IN * OUT, "dw"}, {b, db, OUT, "db"}};
    for (int gi = 0; gi < 3; gi++)
        for (int i = 0; i < groups[gi].n; i++) {
            float keep = groups[gi].p[i];
            double lp, lm, h = 1e-2;
            groups[gi].p[i] = keep + (float)h;
            OBJ(lp);
            groups[gi].p[i] = keep - (float)h;
            OBJ(lm);
            groups[gi].p[i] = keep;
            double fd = (lp - lm) / (2 * h);
            CHECK_NEAR(groups[gi].grad[i], fd, 1e-4 + 1e-3 * fabs(fd), "%s[%d] analytic %g fd %g", groups[gi].name,
                       i, groups[gi].grad[i], fd);
        }
    #undef OBJ
    // Forward matches the definition too.
    nn_dense_forward(z, y, x, w, b, B, IN, OUT, NN_ACT_TANH);
    for (int i = 0; i < B; i++)
        for (int o = 0; o < OUT; o++) {
            double zz = b[o];
            for (int k = 0; k < IN; k++) zz += (double)x[i * IN + k] * w[k * OUT + o];
            CHECK_NEAR(z[i * OUT + o], zz, 1e-5, "z");
            CHECK_NEAR(y[i * OUT + o], tanh(zz), 1e-5, "y = tanh(z)");
        }
    // dx may be skipped for the first layer
    float dw2[IN * OUT];
    nn_dense_backward(NULL, dw2, db, r, x, w, B, IN, OUT);
    CHECK(memcmp(dw, dw2, sizeof dw) == 0, "dw does not depend on dx being asked for");
}

static void test_dropout(void) {
    enum { N = 20000 };
    static float x[N], y[N], mask[N], dy[N], dx[N];
    nn_rng g;
    nn_rng_seed(&g, 5);
    for (int i = 0; i < N; i++) {
        x[i] = 1.0f;
        dy[i] = 2.0f;
    }
    nn_dropout_forward(y, mask, x, N, 0.25f, &g);
    int zeros = 0;
    double sum = 0;
    for (int i = 0; i < N; i++) {
        zeros += y[i] == 0.0f;
        sum += y[i];
        CHECK(y[i] == 0.0f || fabsf(y[i] - 1.0f / 0.75f) < 1e-6f, "kept values scaled by 1/(1-rate)");
    }
    CHECK(fabs(zeros / (double)N - 0.25) < 0.02, "dropped fraction %g", zeros / (double)N);
    CHECK(fabs(sum / N - 1.0) < 0.03, "inverted dropout keeps the mean: %g", sum / N);
    // The gradient of L = sum dy*y w.r.t. x is dy*mask, exactly (the layer is linear in x).
    nn_dropout_backward(dx, dy, mask, N);
    for (int i = 0; i < N; i += 97) CHECK(dx[i] == dy[i] * mask[i] && (mask[i] == 0) == (y[i] == 0), "dx");
}

// ---------------------------------------------------------------------------
// Whole-model backprop: gradients read off an SGD step with lr 1 (w - g), against
// finite differences of the loss computed in double by a separate forward pass.

static double ref_loss(const nn_model *m, const float *x, const uint8_t *labels, int B) {
    // Dense / Activation / Dropout(0) with linear, tanh, relu, sigmoid or softmax; cross-entropy.
    double total = 0;
    for (int r = 0; r < B; r++) {
        double a[64], na[64];
        for (int j = 0; j < m->input_size; j++) a[j] = x[r * m->input_size + j];
        for (int li = 0; li < m->n_layers; li++) {
            const nn_layer *l = &m->layers[li];
            if (l->spec.kind == NN_LAYER_DROPOUT) continue; // rate 0 here: the identity
            for (int o = 0; o < l->out; o++) {
                double z = a[o];
                if (l->spec.kind == NN_LAYER_DENSE) {
                    z = l->b[o];
                    for (int k = 0; k < l->in; k++) z += a[k] * l->w[k * l->out + o];
                }
                switch (l->spec.activation) {
                case NN_ACT_TANH: na[o] = tanh(z); break;
                case NN_ACT_RELU: na[o] = z > 0 ? z : 0; break;
                case NN_ACT_SIGMOID: na[o] = 1 / (1 + exp(-z)); break;
                default: na[o] = z;
                }
            }
            if (l->spec.activation == NN_ACT_SOFTMAX) {
                double mx = na[0], s = 0;
                for (int o = 1; o < l->out; o++) mx = na[o] > mx ? na[o] : mx;
                for (int o = 0; o < l->out; o++) s += (na[o] = exp(na[o] - mx));
                for (int o = 0; o < l->out; o++) na[o] /= s;
            }
            memcpy(a, na, sizeof(double) * l->out);
        }
        total += -log(a[labels[r]]);
    }
    return total / B;
}

static void check_model_gradient(const char *layers, nn_loss loss) {
    enum { B = 4, IN = 6 };
    nn_model m;
    CHECK_OK(build(&m, IN, layers, 11, NN_OPT_SGD, 1.0f, loss));
    nn_rng g;
    nn_rng_seed(&g, 12);
    float x[B * IN];
    uint8_t labels[B];
    for (int i = 0; i < B * IN; i++) x[i] = nn_rng_uniform(&g);
    for (int i = 0; i < B; i++) labels[i] = (uint8_t)(nn_rng_u32(&g) % 3);
    float *before = malloc(m.n_params * sizeof(float));
    memcpy(before, m.params, m.n_params * sizeof(float));
    float l;
    int correct;
    CHECK_OK(nn_model_train_batch(&m, x, labels, B, &l, &correct));
    float *grad = malloc(m.n_params * sizeof(float));
    for (size_t i = 0; i < m.n_params; i++) grad[i] = before[i] - m.params[i];
    memcpy(m.params, before, m.n_params * sizeof(float));
    CHECK_NEAR(l, ref_loss(&m, x, labels, B), 1e-5, "%s: loss %g vs double reference", layers, l);
    double worst, fd = 0;
    size_t at = 0;
    int bad = nn_fix_grad_check(&m, ref_loss, x, labels, B, grad, 2e-5, 1e-3, &worst, &at, &fd);
    CHECK(bad == 0, "%s %s: %d gradients off, first param %zu: analytic %g fd %g", layers, nn_loss_name(loss), bad,
          at, bad ? grad[at] : 0.0f, fd);
    printf("     %-34s %-32s worst |analytic - fd| = %.2e\n", layers, nn_loss_name(loss), worst);
    free(before);
    free(grad);
    nn_model_free(&m);
}

static void test_model_gradients(void) {
    check_model_gradient("3:softmax", NN_LOSS_CATEGORICAL_CROSSENTROPY);
    check_model_gradient("5:tanh,4:relu,3:softmax", NN_LOSS_CATEGORICAL_CROSSENTROPY);
    check_model_gradient("5:sigmoid,3:softmax", NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY);
    check_model_gradient("5:tanh,3,softmax", NN_LOSS_CATEGORICAL_CROSSENTROPY);     // separate Activation
    check_model_gradient("5:tanh,dropout:0,3:softmax", NN_LOSS_CATEGORICAL_CROSSENTROPY); // dropout in the path
}

// ---------------------------------------------------------------------------
// Training

typedef struct {
    int batches, epochs, stop_after;
    float first_loss, last_loss;
} counter;

static int count_batch(void *u, const nn_progress *p) {
    counter *c = u;
    if (c->batches++ == 0) c->first_loss = p->batch_loss;
    return c->stop_after && c->batches >= c->stop_after;
}
static int count_epoch(void *u, const nn_epoch_log *log) {
    counter *c = u;
    c->epochs++;
    c->last_loss = log->loss;
    return 0;
}

static void test_training_loss_falls(void) {
    nn_dataset train, val;
    make_blocks(&train, 1000, 40, 4, 21);
    make_blocks(&val, 300, 40, 4, 22);
    nn_model m;
    CHECK_OK(build(&m, 40, "16:relu,4:softmax", 1, NN_OPT_ADAM, 0.01f, NN_LOSS_CATEGORICAL_CROSSENTROPY));
    nn_eval_result before, after;
    CHECK_OK(nn_model_evaluate(&m, &val, 32, &before));
    counter c = {0};
    nn_fit_options o = nn_fit_defaults();
    o.epochs = 3;
    o.batch_size = 30; // 1000 = 33 * 30 + 10: the last partial batch counts
    o.validation_data = &val;
    o.on_batch = count_batch;
    o.on_epoch = count_epoch;
    o.user = &c;
    CHECK_OK(nn_fit(&m, &train, &o));
    CHECK(c.batches == 3 * 34, "3 epochs of 34 batches, got %d", c.batches);
    CHECK(c.epochs == 3 && m.history.epochs == 3, "history has %d epochs", m.history.epochs);
    CHECK(m.step == 3 * 34, "optimizer steps %lld", (long long)m.step);
    CHECK_OK(nn_model_evaluate(&m, &val, 32, &after));
    CHECK(after.loss < 0.5f * before.loss, "loss falls: %g -> %g", before.loss, after.loss);
    CHECK(after.accuracy > 0.9f, "accuracy %g", after.accuracy);
    CHECK(m.history.loss[2] < m.history.loss[0], "history loss falls %g -> %g", m.history.loss[0], m.history.loss[2]);
    CHECK_NEAR(m.history.val_loss[2], after.loss, 1e-6, "val_loss is evaluate() on the validation data");
    CHECK_NEAR(m.history.val_accuracy[2], after.accuracy, 1e-6, "val_accuracy");
    printf("     loss %.4f -> %.4f, accuracy %.3f -> %.3f\n", before.loss, after.loss, before.accuracy, after.accuracy);

    // sparse labels train the same network the same way as one-hot ones
    nn_model a, b;
    CHECK_OK(build(&a, 40, "8:tanh,4:softmax", 2, NN_OPT_SGD, 0.1f, NN_LOSS_CATEGORICAL_CROSSENTROPY));
    CHECK_OK(build(&b, 40, "8:tanh,4:softmax", 2, NN_OPT_SGD, 0.1f, NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY));
    o = nn_fit_defaults();
    CHECK_OK(nn_fit(&a, &train, &o));
    CHECK_OK(nn_fit(&b, &train, &o));
    double diff = 0;
    for (size_t i = 0; i < a.n_params; i++) diff = fmax(diff, fabs(a.params[i] - b.params[i]));
    CHECK(diff < 1e-5, "sparse and one-hot CE give the same weights (max diff %g)", diff);
    nn_model_free(&a);
    nn_model_free(&b);
    nn_model_free(&m);
    nn_dataset_free(&train);
    nn_dataset_free(&val);
}

static void test_determinism_and_state_machine(void) {
    nn_dataset train;
    make_blocks(&train, 500, 20, 5, 31);
    nn_fit_options o = nn_fit_defaults();
    o.epochs = 2;
    o.batch_size = 16;
    o.validation_split = 0.2f;
    nn_model a, b, c;
    CHECK_OK(build(&a, 20, "12:relu,dropout:0.3,5:softmax", 9, NN_OPT_ADAM, 0, NN_LOSS_CATEGORICAL_CROSSENTROPY));
    CHECK_OK(build(&b, 20, "12:relu,dropout:0.3,5:softmax", 9, NN_OPT_ADAM, 0, NN_LOSS_CATEGORICAL_CROSSENTROPY));
    CHECK_OK(build(&c, 20, "12:relu,dropout:0.3,5:softmax", 10, NN_OPT_ADAM, 0, NN_LOSS_CATEGORICAL_CROSSENTROPY));
    CHECK_OK(nn_fit(&a, &train, &o));
    // b: the same fit in slices of 7 steps, stopping at the epoch end, as the browser does
    nn_fit_state s;
    CHECK_OK(nn_fit_begin(&s, &b, &train, &o));
    CHECK(s.n_train == 400 && s.n_val == 100 && s.steps == 25, "split: %d train, %d val, %d steps", s.n_train,
          s.n_val, s.steps);
    int total = 0, calls = 0;
    while (!s.done) {
        int ran = nn_fit_run(&s, 7, 1);
        CHECK(ran >= 0 && ran <= 7, "run returns the steps it ran (%d)", ran);
        if (ran < 0) break;
        total += ran;
        calls++;
    }
    nn_fit_end(&s);
    CHECK(total == 50 && calls == 8, "50 steps in 8 slices (4 per epoch), got %d in %d", total, calls);
    CHECK(memcmp(a.params, b.params, a.n_params * sizeof(float)) == 0, "slices give bit-identical weights");
    CHECK(a.history.val_loss[1] == b.history.val_loss[1], "same validation");
    CHECK(!isnan(a.history.val_loss[0]), "validation_split validates");
    CHECK_OK(nn_fit(&c, &train, &o));
    CHECK(memcmp(a.params, c.params, a.n_params * sizeof(float)) != 0, "another seed, other weights");
    nn_model_free(&a);
    nn_model_free(&b);
    nn_model_free(&c);

    // on_batch can stop a fit; history only records whole epochs
    counter cnt = {0};
    cnt.stop_after = 5;
    o.on_batch = count_batch;
    o.user = &cnt;
    CHECK_OK(build(&a, 20, "5:softmax", 1, NN_OPT_SGD, 0, NN_LOSS_CATEGORICAL_CROSSENTROPY));
    CHECK_OK(nn_fit(&a, &train, &o));
    CHECK(cnt.batches == 5 && a.step == 5 && a.history.epochs == 0, "stopped after %d batches", cnt.batches);
    nn_model_free(&a);
    nn_dataset_free(&train);
}

// validate_in_steps: the validation of each epoch runs in steps of its own,
// one chunk of the batch capacity (256 rows) each, and gives exactly the
// history and weights of the fit that validates inside the last batch's step.
static void test_validation_in_steps(void) {
    nn_dataset train, val;
    make_blocks(&train, 300, 20, 5, 33);
    make_blocks(&val, 600, 20, 5, 34); // 600 = 256 + 256 + 88: three chunks
    nn_fit_options o = nn_fit_defaults();
    o.epochs = 2;
    o.batch_size = 32;
    o.validation_data = &val;
    nn_model a, b;
    CHECK_OK(build(&a, 20, "12:relu,5:softmax", 5, NN_OPT_ADAM, 0, NN_LOSS_CATEGORICAL_CROSSENTROPY));
    CHECK_OK(build(&b, 20, "12:relu,5:softmax", 5, NN_OPT_ADAM, 0, NN_LOSS_CATEGORICAL_CROSSENTROPY));
    CHECK_OK(nn_fit(&a, &train, &o));
    o.validate_in_steps = 1;
    nn_fit_state s;
    CHECK_OK(nn_fit_begin(&s, &b, &train, &o));
    int batches = 0, chunks = 0, seen_at[4] = {0};
    while (!s.done) {
        int was = s.validating;
        int ran = nn_fit_run(&s, 1, 1);
        CHECK(ran == 1, "one step per call (%d): %s", ran, nn_last_error());
        if (ran != 1) break;
        if (was) {
            if (chunks < 4) seen_at[chunks] = s.validating ? s.val_at : -1;
            chunks++;
        } else {
            batches++;
            CHECK(s.validating == (s.step == s.steps), "validating after the last batch only (step %d)", s.step);
        }
    }
    nn_fit_end(&s);
    CHECK(batches == 2 * 10 && chunks == 2 * 3, "%d batches, %d validation chunks", batches, chunks);
    CHECK(seen_at[0] == 256 && seen_at[1] == 512 && seen_at[2] == -1, "validated %d, %d, then done (%d)", seen_at[0],
          seen_at[1], seen_at[2]);
    CHECK(b.history.epochs == 2, "%d epochs recorded", b.history.epochs);
    for (int e = 0; e < 2; e++)
        CHECK(a.history.val_loss[e] == b.history.val_loss[e] && a.history.val_accuracy[e] == b.history.val_accuracy[e] &&
                  a.history.loss[e] == b.history.loss[e],
              "epoch %d: val_loss %.9g vs %.9g", e, a.history.val_loss[e], b.history.val_loss[e]);
    CHECK(memcmp(a.params, b.params, a.n_params * sizeof(float)) == 0, "the same weights");
    nn_eval_result r;
    CHECK_OK(nn_model_evaluate(&b, &val, 32, &r));
    CHECK(r.loss == b.history.val_loss[1], "evaluate %.9g, history %.9g", r.loss, b.history.val_loss[1]);
    nn_model_free(&a);
    nn_model_free(&b);
    nn_dataset_free(&train);
    nn_dataset_free(&val);
}

static void test_fit_refuses(void) {
    nn_dataset train;
    make_blocks(&train, 50, 20, 5, 41);
    nn_model m;
    nn_fit_options o = nn_fit_defaults();
    nn_layer_spec s[1] = {{.kind = NN_LAYER_DENSE, .units = 5, .activation = NN_ACT_SOFTMAX}};
    CHECK_OK(nn_model_create(&m, 20, s, 1, 1));
    CHECK(nn_fit(&m, &train, &o) == NN_ERR_STATE && strstr(nn_last_error(), "compiled"), "fit before compile");
    nn_model_free(&m);
    CHECK_OK(build(&m, 20, "3:softmax", 1, NN_OPT_SGD, 0, NN_LOSS_CATEGORICAL_CROSSENTROPY));
    CHECK(nn_fit(&m, &train, &o) == NN_ERR_ARG && strstr(nn_last_error(), "label 4"), "labels beyond outputs: %s",
          nn_last_error());
    nn_model_free(&m);
    CHECK_OK(build(&m, 21, "5:softmax", 1, NN_OPT_SGD, 0, NN_LOSS_CATEGORICAL_CROSSENTROPY));
    CHECK(nn_fit(&m, &train, &o) == NN_ERR_ARG && strstr(nn_last_error(), "input"), "input size mismatch: %s",
          nn_last_error());
    nn_model_free(&m);
    CHECK_OK(build(&m, 20, "5:softmax", 1, NN_OPT_SGD, 0, NN_LOSS_CATEGORICAL_CROSSENTROPY));
    o.epochs = -1;
    CHECK(nn_fit(&m, &train, &o) == NN_ERR_ARG, "-1 epochs");
    o.epochs = 1;
    o.batch_size = 0;
    CHECK(nn_fit(&m, &train, &o) == NN_ERR_ARG, "batch 0");
    o.batch_size = 32;
    o.validation_split = 0.001f; // ceil(50 * 0.999) = 50: nothing left to validate on
    CHECK(nn_fit(&m, &train, &o) == NN_ERR_ARG && strstr(nn_last_error(), "validation_split"), "split: %s",
          nn_last_error());
    CHECK(m.step == 0 && m.history.epochs == 0, "refused fits change nothing");
    nn_model_free(&m);
    nn_dataset_free(&train);
}

// fit(epochs=0) trains nothing, as Keras's: no step, no history, same weights.
static void test_fit_zero_epochs(void) {
    nn_dataset train;
    make_blocks(&train, 50, 20, 5, 42);
    nn_model m;
    CHECK_OK(build(&m, 20, "5:softmax", 1, NN_OPT_ADAM, 0, NN_LOSS_CATEGORICAL_CROSSENTROPY));
    float w0 = m.params[0], w9 = m.params[m.n_params - 1];
    nn_fit_options o = nn_fit_defaults();
    o.epochs = 0;
    CHECK_OK(nn_fit(&m, &train, &o));
    CHECK(m.step == 0 && m.history.epochs == 0, "nothing trained (step %lld, %d epochs)", (long long)m.step,
          m.history.epochs);
    CHECK(m.params[0] == w0 && m.params[m.n_params - 1] == w9, "weights unchanged");
    nn_fit_state s;
    CHECK_OK(nn_fit_begin(&s, &m, &train, &o));
    CHECK(s.done && nn_fit_run(&s, 10, 0) == 0, "the state machine is done at once");
    nn_fit_end(&s);
    nn_model_free(&m);
    nn_dataset_free(&train);
}

// The output width against the classes (Keras's shape check): the one-hot
// losses need one unit per class, the sparse loss at least one.
static void test_output_width(void) {
    nn_dataset train;
    make_blocks(&train, 50, 20, 5, 43);
    nn_fit_options o = nn_fit_defaults();
    nn_model m;
    static const struct {
        const char *layers;
        nn_loss loss;
        const char *phrase; // NULL: accepted
    } cases[] = {
        {"8:relu", NN_LOSS_CATEGORICAL_CROSSENTROPY,
         "the model's output has 8 units but the data has 5 classes; categorical_crossentropy needs one unit "
         "per class: end the model with Dense(5)"},
        {"tanh", NN_LOSS_CATEGORICAL_CROSSENTROPY, "output has 20 units"},    // no Dense layer at all
        {"dropout:0.2", NN_LOSS_MEAN_SQUARED_ERROR, "mean_squared_error needs one unit per class"},
        {"8:sigmoid", NN_LOSS_BINARY_CROSSENTROPY, "Dense(5)"},
        {"8:softmax", NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, NULL}, // wider: labels index into it
        {"5:softmax", NN_LOSS_CATEGORICAL_CROSSENTROPY, NULL},
        {"5:sigmoid", NN_LOSS_BINARY_CROSSENTROPY, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CHECK_OK(build(&m, 20, cases[i].layers, 1, NN_OPT_SGD, 0, cases[i].loss));
        int rc = nn_fit(&m, &train, &o);
        if (cases[i].phrase)
            CHECK(rc == NN_ERR_ARG && strstr(nn_last_error(), cases[i].phrase) && m.step == 0,
                  "%s with %s refused: %s", cases[i].layers, nn_loss_name(cases[i].loss), nn_last_error());
        else
            CHECK(rc == NN_OK, "%s with %s trains: %s", cases[i].layers, nn_loss_name(cases[i].loss),
                  nn_last_error());
        nn_model_free(&m);
    }
    // Narrower for the sparse loss: a class without a unit (here one no sample has yet).
    train.n_classes = 7;
    CHECK_OK(build(&m, 20, "5:softmax", 1, NN_OPT_SGD, 0, NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY));
    CHECK(nn_fit(&m, &train, &o) == NN_ERR_ARG && strstr(nn_last_error(), "a unit for every label (0 to 6)"),
          "sparse, narrower: %s", nn_last_error());
    nn_model_free(&m);
    // One sigmoid unit for two classes: the label is the target.
    CHECK(nn_loss_check_outputs(NN_LOSS_BINARY_CROSSENTROPY, 1, 2) == NN_OK, "binary, one unit");
    CHECK(nn_loss_check_outputs(NN_LOSS_CATEGORICAL_CROSSENTROPY, 1, 2) == NN_ERR_ARG, "cce, one unit");
    nn_dataset_free(&train);
}

// ---------------------------------------------------------------------------
// Exact metrics on a model whose weights are set by hand

// Dense(3, softmax) on 2 inputs, kernel [[20, 0, 0], [0, 5, 0]], bias 0, and
// four samples with known logits: three right, one confidently wrong.
// From the logits the loss of the wrong one is 20 + ln(1 + 2e-20); the
// clipped loss of the probabilities would make it -ln 1e-7 = 16.118.
static void hand_model_data(nn_dataset *d) {
    static const uint8_t px[4 * 2] = {255, 0, 0, 255, 255, 0, 255, 255};
    static const uint8_t lab[4] = {0, 1, 1, 0};
    d->n = 4, d->rows = 1, d->cols = 2, d->features = 2, d->n_classes = 3;
    d->images = malloc(sizeof px);
    d->labels = malloc(sizeof lab);
    memcpy(d->images, px, sizeof px);
    memcpy(d->labels, lab, sizeof lab);
}

static void set_hand_weights(nn_model *m) {
    static const float w[2 * 3] = {20, 0, 0, 0, 5, 0};
    memcpy(m->layers[0].w, w, sizeof w);
    memset(m->layers[0].b, 0, 3 * sizeof(float));
}

static double hand_loss(void) {
    double l0 = log(1 + 2 * exp(-20.0));         // logits (20, 0, 0), label 0
    double l1 = log(exp(5.0) + 2) - 5;           // (0, 5, 0), label 1
    double l2 = 20 + log(1 + 2 * exp(-20.0));    // (20, 0, 0), label 1: confident and wrong
    double l3 = log(exp(20.0) + exp(5.0) + 1) - 20; // (20, 5, 0), label 0
    return (l0 + l1 + l2 + l3) / 4;
}

static void test_exact_metrics(void) {
    nn_dataset d;
    hand_model_data(&d);
    const double want = hand_loss();
    // The softmax in the Dense layer, or as a layer of its own: the same logits.
    const char *layers[] = {"3:softmax", "3,activation:softmax"};
    for (int v = 0; v < 2; v++) {
        nn_model m;
        CHECK_OK(build(&m, 2, layers[v], 1, NN_OPT_SGD, 1e-6f, NN_LOSS_CATEGORICAL_CROSSENTROPY));
        set_hand_weights(&m);
        nn_eval_result r;
        CHECK_OK(nn_model_evaluate(&m, &d, 32, &r));
        CHECK_NEAR(r.loss, want, 1e-5 * want, "%s: evaluate loss %.7f, want %.7f (from the logits)", layers[v],
                   r.loss, want);
        CHECK(r.accuracy == 0.75f, "%s: evaluate accuracy %.4f, want 3 of 4", layers[v], r.accuracy);
        // The sparse loss reports the same.
        CHECK(nn_model_recompile(&m, &m.optimizer, NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY) == 0, "recompiled");
        CHECK_OK(nn_model_evaluate(&m, &d, 3, &r));
        CHECK_NEAR(r.loss, want, 1e-5 * want, "%s: sparse, batches of 3: loss %.7f", layers[v], r.loss);
        CHECK(r.accuracy == 0.75f, "%s: sparse accuracy %.4f", layers[v], r.accuracy);

        // A training step reports the metrics of the weights before it.
        float x[8], loss;
        uint8_t y[4];
        int correct;
        nn_dataset_gather(&d, NULL, 4, x, y);
        CHECK_OK(nn_model_train_batch(&m, x, y, 4, &loss, &correct));
        CHECK_NEAR(loss, want, 1e-5 * want, "%s: train_batch loss %.7f", layers[v], loss);
        CHECK(correct == 3, "%s: train_batch correct %d, want 3", layers[v], correct);

        // fit: one batch of the whole set, so the epoch's metrics are those too.
        set_hand_weights(&m);
        nn_fit_options o = nn_fit_defaults();
        o.batch_size = 4;
        CHECK_OK(nn_fit(&m, &d, &o));
        CHECK(m.history.epochs == 1 && m.history.accuracy[0] == 0.75f, "%s: fit accuracy %.4f", layers[v],
              m.history.accuracy[0]);
        CHECK_NEAR(m.history.loss[0], want, 1e-5 * want, "%s: fit loss %.7f", layers[v], m.history.loss[0]);
        nn_model_free(&m);
    }
    nn_dataset_free(&d);
}

// ---------------------------------------------------------------------------
// Shuffling between epochs

// The order of an epoch, then of the next, from fit's state machine.
static void two_epoch_orders(int shuffle, int32_t *first, int32_t *second, int n) {
    nn_dataset train;
    make_blocks(&train, n, 10, 5, 61);
    nn_model m;
    CHECK_OK(build(&m, 10, "5:softmax", 1, NN_OPT_SGD, 0, NN_LOSS_CATEGORICAL_CROSSENTROPY));
    nn_fit_options o = nn_fit_defaults();
    o.epochs = 2;
    o.batch_size = 8;
    o.shuffle = shuffle;
    nn_fit_state s;
    CHECK_OK(nn_fit_begin(&s, &m, &train, &o));
    memcpy(first, s.order, (size_t)n * sizeof *first);
    CHECK(nn_fit_run(&s, 1000, 1) == s.steps && s.epoch == 1, "one epoch ran");
    memcpy(second, s.order, (size_t)n * sizeof *second);
    nn_fit_end(&s);
    nn_model_free(&m);
    nn_dataset_free(&train);
}

static void test_shuffle_between_epochs(void) {
    enum { N = 40 };
    int32_t a[N], b[N];
    two_epoch_orders(1, a, b, N);
    int same_as_start = 0, same = 0, sum = 0;
    for (int i = 0; i < N; i++) {
        same_as_start += a[i] == i;
        same += a[i] == b[i];
        sum += b[i];
    }
    CHECK(same_as_start < N / 2, "shuffle = 1: the first epoch is shuffled (%d of %d in place)", same_as_start, N);
    CHECK(same < N / 2 && sum == N * (N - 1) / 2, "and the second epoch in another order (%d of %d alike)", same,
          N);
    two_epoch_orders(0, a, b, N);
    int kept = 0;
    for (int i = 0; i < N; i++) kept += a[i] == i && b[i] == i;
    CHECK(kept == N, "shuffle = 0: both epochs in the data's order (%d of %d)", kept, N);
}

static void test_divergence(void) {
    nn_dataset train;
    make_blocks(&train, 400, 20, 4, 51);
    nn_model m;
    nn_fit_options o = nn_fit_defaults();
    o.epochs = 2;
    CHECK_OK(build(&m, 20, "64:relu,64:relu,4:linear", 1, NN_OPT_SGD, 0.001f, NN_LOSS_MEAN_SQUARED_ERROR));
    CHECK_OK(nn_fit(&m, &train, &o)); // two sound epochs first
    float *sound = malloc(m.n_params * sizeof(float));
    memcpy(sound, m.params, m.n_params * sizeof(float));
    nn_optimizer fast = opt_of(NN_OPT_SGD, 10.0f);
    CHECK_OK(nn_model_compile(&m, &fast, NN_LOSS_MEAN_SQUARED_ERROR));
    int64_t sound_step = 0; // compile resets the optimizer
    o.epochs = 20;
    int rc = nn_fit(&m, &train, &o);
    CHECK(rc == NN_ERR_DIVERGED, "lr 10 diverges (rc %d)", rc);
    CHECK(strstr(nn_last_error(), "Lower the learning rate") != NULL, "hint: %s", nn_last_error());
    CHECK(strstr(nn_last_error(), "rolled back") != NULL, "says what happened to the model: %s", nn_last_error());
    CHECK(m.history.epochs == 2, "history keeps the sound epochs only (%d)", m.history.epochs);
    CHECK(m.step == sound_step, "optimizer step rolled back too (%lld)", (long long)m.step);
    CHECK(memcmp(sound, m.params, m.n_params * sizeof(float)) == 0, "rolled back to the weights before the fit");
    int finite = 1;
    for (size_t i = 0; i < m.n_params; i++) finite &= isfinite(m.params[i]);
    CHECK(finite, "the model keeps finite weights after divergence");
    free(sound);
    // ... and is still usable: a lower learning rate trains on from there
    nn_optimizer sgd = opt_of(NN_OPT_SGD, 0.001f);
    CHECK_OK(nn_model_compile(&m, &sgd, NN_LOSS_MEAN_SQUARED_ERROR));
    o.epochs = 1;
    CHECK_OK(nn_fit(&m, &train, &o));
    CHECK(m.history.epochs == 3 && isfinite(m.history.loss[2]), "recompiled model trains on");
    nn_model_free(&m);
    nn_dataset_free(&train);
}

// Every optimizer learns the toy problem with its Keras defaults.
static void test_every_optimizer_trains(void) {
    nn_dataset train;
    make_blocks(&train, 600, 20, 4, 61);
    for (int k = 0; k < NN_OPT_COUNT; k++) {
        nn_model m;
        float lr = k == NN_OPT_SGD || k == NN_OPT_ADAGRAD ? 0.1f : 0.01f; // a toy problem, few steps
        CHECK_OK(build(&m, 20, "8:relu,4:softmax", 3, (nn_optimizer_kind)k, lr, NN_LOSS_CATEGORICAL_CROSSENTROPY));
        nn_eval_result before, after;
        CHECK_OK(nn_model_evaluate(&m, &train, 32, &before));
        nn_fit_options o = nn_fit_defaults();
        o.epochs = 5;
        CHECK_OK(nn_fit(&m, &train, &o));
        CHECK_OK(nn_model_evaluate(&m, &train, 32, &after));
        CHECK(after.loss < 0.5f * before.loss, "%s: loss %g -> %g", nn_optimizer_name(k), before.loss, after.loss);
        nn_model_free(&m);
    }
    nn_dataset_free(&train);
}

int main(void) {
    RUN(test_parse_layers);
    RUN(test_summary);
    RUN(test_create_refuses);
    RUN(test_initializers);
    RUN(test_dense_gradient);
    RUN(test_dropout);
    RUN(test_model_gradients);
    RUN(test_training_loss_falls);
    RUN(test_determinism_and_state_machine);
    RUN(test_validation_in_steps);
    RUN(test_fit_refuses);
    RUN(test_fit_zero_epochs);
    RUN(test_output_width);
    RUN(test_exact_metrics);
    RUN(test_shuffle_between_epochs);
    RUN(test_divergence);
    RUN(test_every_optimizer_trains);
    return nn_test_report();
}
