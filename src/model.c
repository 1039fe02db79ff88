/*
 * model.c — the Sequential model: create, compile, summary, predict,
 * evaluate and one training step.
 *
 * Memory follows llm.c: all weights and biases live in one flat block
 * (params) with named views per layer, and so do their gradients and each
 * optimizer state array, so an optimizer is a single loop over n_params
 * floats. Per-batch activations live in a second block (work) sized for
 * batch_capacity rows; it only grows outside the training step.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nnlab.h"

// Above this the model is refused before anything is allocated: the browser
// tab has at most 2 GB of wasm memory, and a teaching model never needs more.
#define NN_MAX_MODEL_BYTES (1024.0 * 1024.0 * 1024.0)
#define NN_MIN_BATCH_CAPACITY 256

// ---------------------------------------------------------------------------
// Sizes

static int layer_out(const nn_layer_spec *s, int in) { return s->kind == NN_LAYER_DENSE ? s->units : in; }

static double params_of(const nn_layer_spec *s, int in) {
    return s->kind == NN_LAYER_DENSE ? (double)in * s->units + s->units : 0.0;
}

// Floats of per-batch work for one row.
static double work_floats_per_row(int input_size, const nn_layer_spec *specs, int n) {
    double f = input_size;
    int in = input_size;
    for (int i = 0; i < n; i++) {
        int out = layer_out(&specs[i], in);
        int buffers = 2; // y and dy
        if (specs[i].kind == NN_LAYER_DENSE && specs[i].activation != NN_ACT_LINEAR) buffers++; // z
        if (specs[i].kind == NN_LAYER_DROPOUT) buffers++;                                       // mask
        f += (double)buffers * out;
        in = out;
    }
    return f + in; // one-hot targets
}

// In double: on wasm32 a size_t would wrap long before a silly model's size.
static double bytes_needed(int input_size, const nn_layer_spec *specs, int n_layers, int batch) {
    double params = 0;
    int in = input_size;
    for (int i = 0; i < n_layers; i++) {
        params += params_of(&specs[i], in);
        in = layer_out(&specs[i], in);
    }
    // params + grads + up to two optimizer slots, plus the work block
    return 4.0 * (4.0 * params + work_floats_per_row(input_size, specs, n_layers) * batch);
}

size_t nn_model_bytes_needed(int input_size, const nn_layer_spec *specs, int n_layers, int batch) {
    double bytes = bytes_needed(input_size, specs, n_layers, batch);
    return bytes > (double)SIZE_MAX ? SIZE_MAX : (size_t)bytes;
}

size_t nn_layer_param_count(const nn_layer *l) {
    return l->spec.kind == NN_LAYER_DENSE ? (size_t)l->in * l->out + l->out : 0;
}

int nn_model_output_size(const nn_model *m) {
    return m->n_layers ? m->layers[m->n_layers - 1].out : m->input_size;
}

// ---------------------------------------------------------------------------
// Creation

static void init_kernel(float *w, int fan_in, int fan_out, nn_initializer init, nn_rng *rng) {
    size_t n = (size_t)fan_in * fan_out;
    // Keras truncates normals at two standard deviations and rescales so the
    // variance is what was asked for (variance_scaling's 0.8796... constant).
    const float trunc = 0.87962566103423978f;
    switch (init) {
    case NN_INIT_GLOROT_UNIFORM:
    case NN_INIT_HE_UNIFORM: {
        float limit = init == NN_INIT_HE_UNIFORM ? sqrtf(6.0f / fan_in) : sqrtf(6.0f / (fan_in + fan_out));
        for (size_t i = 0; i < n; i++) w[i] = (2.0f * nn_rng_uniform(rng) - 1.0f) * limit;
        break;
    }
    case NN_INIT_GLOROT_NORMAL:
    case NN_INIT_HE_NORMAL: {
        float stddev = init == NN_INIT_HE_NORMAL ? sqrtf(2.0f / fan_in) : sqrtf(2.0f / (fan_in + fan_out));
        stddev /= trunc;
        for (size_t i = 0; i < n; i++) w[i] = nn_rng_truncated_normal(rng) * stddev;
        break;
    }
    default:
        memset(w, 0, n * sizeof *w);
    }
}

static int check_specs(int input_size, const nn_layer_spec *specs, int n) {
    if (input_size < 1 || input_size > NN_MAX_UNITS * 16)
        return nn_set_error(NN_ERR_ARG, "input size %d is impossible (1 to %d)", input_size, NN_MAX_UNITS * 16);
    if (n < 1) return nn_set_error(NN_ERR_ARG, "the model needs at least one layer");
    if (n > NN_MAX_LAYERS) return nn_set_error(NN_ERR_ARG, "too many layers: %d (at most %d)", n, NN_MAX_LAYERS);
    for (int i = 0; i < n; i++) {
        const nn_layer_spec *s = &specs[i];
        if (s->kind == NN_LAYER_DENSE && (s->units < 1 || s->units > NN_MAX_UNITS))
            return nn_set_error(NN_ERR_ARG, "layer %d: %d units is impossible; a Dense layer needs 1 to %d units",
                                i + 1, s->units, NN_MAX_UNITS);
        if (s->kind == NN_LAYER_DROPOUT && !(s->rate >= 0.0f && s->rate < 1.0f))
            return nn_set_error(NN_ERR_ARG, "layer %d: dropout rate %g must be in [0, 1)", i + 1, s->rate);
        if ((s->kind == NN_LAYER_DENSE || s->kind == NN_LAYER_ACTIVATION) &&
            (unsigned)s->activation >= NN_ACT_COUNT)
            return nn_set_error(NN_ERR_ARG, "layer %d: unknown activation", i + 1);
        if (s->kind == NN_LAYER_DENSE && (unsigned)s->kernel_initializer >= NN_INIT_COUNT)
            return nn_set_error(NN_ERR_ARG, "layer %d: unknown initializer", i + 1);
        if ((unsigned)s->kind > NN_LAYER_DROPOUT) return nn_set_error(NN_ERR_ARG, "layer %d: unknown kind", i + 1);
    }
    double bytes = bytes_needed(input_size, specs, n, NN_MIN_BATCH_CAPACITY);
    if (bytes > NN_MAX_MODEL_BYTES)
        return nn_set_error(NN_ERR_NOMEM,
                            "this model would need %.1f MB of memory for its weights, gradients, "
                            "optimizer state and one batch; the limit is %.0f MB. Use fewer units",
                            bytes / 1048576.0, NN_MAX_MODEL_BYTES / 1048576.0);
    return NN_OK;
}

// Points each layer's work views into m->work for `cap` rows.
static void point_work(nn_model *m, int cap) {
    float *p = m->work;
    m->x = p;
    p += (size_t)cap * m->input_size;
    for (int i = 0; i < m->n_layers; i++) {
        nn_layer *l = &m->layers[i];
        size_t sz = (size_t)cap * l->out;
        l->z = NULL;
        l->mask = NULL;
        if (l->spec.kind == NN_LAYER_DENSE) {
            l->z = p;
            p += sz;
            if (l->spec.activation == NN_ACT_LINEAR) {
                l->y = l->z;
            } else {
                l->y = p;
                p += sz;
            }
        } else {
            l->y = p;
            p += sz;
            if (l->spec.kind == NN_LAYER_DROPOUT) {
                l->mask = p;
                p += sz;
            }
        }
        l->dy = p;
        p += sz;
    }
    m->onehot = p;
}

// Grows the work block to hold `rows` rows. Never called inside a step once
// fit has begun (fit_begin sizes it for the batch).
static int ensure_capacity(nn_model *m, int rows) {
    if (rows <= m->batch_capacity) return NN_OK;
    int cap = rows < NN_MIN_BATCH_CAPACITY ? NN_MIN_BATCH_CAPACITY : rows;
    nn_layer_spec specs[NN_MAX_LAYERS];
    for (int i = 0; i < m->n_layers; i++) specs[i] = m->layers[i].spec;
    double floats = work_floats_per_row(m->input_size, specs, m->n_layers) * cap;
    if (floats * 4.0 > NN_MAX_MODEL_BYTES)
        return nn_set_error(NN_ERR_NOMEM, "a batch of %d rows would need %.1f MB of memory; use a smaller batch size",
                            rows, floats * 4.0 / 1048576.0);
    float *work = malloc((size_t)floats * sizeof(float));
    uint8_t *labels = malloc((size_t)cap);
    if (!work || !labels) {
        free(work);
        free(labels);
        return nn_set_error(NN_ERR_NOMEM, "out of memory for a batch of %d rows (%.1f MB)", rows,
                            floats * 4.0 / 1048576.0);
    }
    free(m->work);
    free(m->labels);
    m->work = work;
    m->labels = labels;
    m->batch_capacity = cap;
    point_work(m, cap);
    return NN_OK;
}

int nn_model_create(nn_model *m, int input_size, const nn_layer_spec *specs, int n_layers, uint64_t seed) {
    int rc = check_specs(input_size, specs, n_layers);
    if (rc) return rc;
    nn_model t;
    memset(&t, 0, sizeof t);
    t.input_size = input_size;
    t.n_layers = n_layers;
    t.seed = seed;
    t.first_dense = n_layers;
    nn_rng_seed(&t.rng, seed);
    int in = input_size;
    for (int i = 0; i < n_layers; i++) {
        nn_layer *l = &t.layers[i];
        l->spec = specs[i];
        l->in = in;
        l->out = layer_out(&specs[i], in);
        t.n_params += nn_layer_param_count(l);
        if (specs[i].kind == NN_LAYER_DENSE && t.first_dense == n_layers) t.first_dense = i;
        in = l->out;
    }
    t.params = calloc(t.n_params ? t.n_params : 1, sizeof(float));
    t.grads = calloc(t.n_params ? t.n_params : 1, sizeof(float));
    if (!t.params || !t.grads) {
        free(t.params);
        free(t.grads);
        return nn_set_error(NN_ERR_NOMEM, "out of memory for %zu parameters", t.n_params);
    }
    size_t off = 0;
    for (int i = 0; i < n_layers; i++) {
        nn_layer *l = &t.layers[i];
        if (l->spec.kind != NN_LAYER_DENSE) continue;
        l->w = t.params + off;
        l->dw = t.grads + off;
        off += (size_t)l->in * l->out;
        l->b = t.params + off; // Keras: bias starts at zeros (calloc)
        l->db = t.grads + off;
        off += l->out;
        init_kernel(l->w, l->in, l->out, l->spec.kernel_initializer, &t.rng);
    }
    rc = ensure_capacity(&t, NN_MIN_BATCH_CAPACITY);
    if (rc) {
        nn_model_free(&t);
        return rc;
    }
    *m = t; // every view points into heap blocks, so the copy keeps them valid
    return NN_OK;
}

void nn_model_free(nn_model *m) {
    if (!m) return;
    free(m->params);
    free(m->grads);
    free(m->slots[0]);
    free(m->slots[1]);
    free(m->work);
    free(m->labels);
    free(m->history.loss);
    free(m->history.accuracy);
    free(m->history.val_loss);
    free(m->history.val_accuracy);
    memset(m, 0, sizeof *m);
}

// ---------------------------------------------------------------------------
// Compile

static int check_compile(const nn_optimizer *opt, nn_loss loss) {
    if ((unsigned)loss >= NN_LOSS_COUNT) return nn_set_error(NN_ERR_ARG, "unknown loss");
    return nn_optimizer_check(opt);
}

int nn_model_compile(nn_model *m, const nn_optimizer *opt, nn_loss loss) {
    int rc = check_compile(opt, loss);
    if (rc) return rc;
    int slots = nn_optimizer_slots(opt);
    float *s[2] = {NULL, NULL};
    for (int i = 0; i < slots; i++) {
        s[i] = malloc((m->n_params ? m->n_params : 1) * sizeof(float));
        if (!s[i]) {
            free(s[0]);
            return nn_set_error(NN_ERR_NOMEM, "out of memory for the optimizer state");
        }
        float v = nn_optimizer_slot_init(opt, i);
        for (size_t j = 0; j < m->n_params; j++) s[i][j] = v;
    }
    free(m->slots[0]);
    free(m->slots[1]);
    m->slots[0] = s[0];
    m->slots[1] = s[1];
    m->optimizer = *opt;
    m->loss = loss;
    m->step = 0;
    m->nadam_u_product = 1.0f;
    m->compiled = 1;
    return NN_OK;
}

// Keras 3's compile() builds a new optimizer (fresh state); assigning
// model.optimizer.learning_rate keeps the state. Recompiling with the same
// kind is the second: only hyperparameters and the loss change. SGD whose
// momentum turns on or off needs a different number of state arrays, so it
// starts fresh too (Keras's SGD.build creates momentums only when momentum
// != 0, keras/src/optimizers/sgd.py).
int nn_model_recompile(nn_model *m, const nn_optimizer *opt, nn_loss loss) {
    int rc = check_compile(opt, loss);
    if (rc) return rc;
    if (!m->compiled || m->optimizer.kind != opt->kind ||
        nn_optimizer_slots(&m->optimizer) != nn_optimizer_slots(opt)) {
        rc = nn_model_compile(m, opt, loss);
        return rc ? rc : 1;
    }
    m->optimizer = *opt;
    m->loss = loss;
    return 0;
}

// ---------------------------------------------------------------------------
// Summary: the Keras 3 table

// Appends to buf like snprintf, tracking the length the full text needs.
typedef struct {
    char *buf;
    size_t size, len;
} nn_text;

static void put(nn_text *t, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->len < t->size ? t->buf + t->len : NULL, t->len < t->size ? t->size - t->len : 0, fmt, ap);
    va_end(ap);
    if (n > 0) t->len += (size_t)n;
}

// A cell: text padded to `width` characters (ASCII text, so bytes == chars).
static void cell(nn_text *t, const char *text, int width, int right) {
    put(t, right ? " %*s " : " %-*s ", width - 2, text);
}

static void rule(nn_text *t, const char *l, const char *mid, const char *r, const char *h, const int *w) {
    put(t, "%s", l);
    for (int c = 0; c < 3; c++) {
        for (int i = 0; i < w[c]; i++) put(t, "%s", h);
        put(t, "%s", c < 2 ? mid : r);
    }
    put(t, "\n");
}

static void thousands(char *out, size_t n) {
    char tmp[32];
    int len = snprintf(tmp, sizeof tmp, "%zu", n), o = 0;
    for (int i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0) out[o++] = ',';
        out[o++] = tmp[i];
    }
    out[o] = '\0';
}

static void readable_bytes(char *out, double bytes) {
    const char *units[] = {"B", "KB", "MB", "GB"};
    int u = 0;
    while (bytes >= 1024.0 && u < 3) {
        bytes /= 1024.0;
        u++;
    }
    sprintf(out, "%.2f %s", bytes, units[u]);
}

int nn_model_summary(const nn_model *m, char *buf, size_t size) {
    static const int w[3] = {33, 24, 15};
    static const char *const kind_names[] = {"Dense", "Activation", "Dropout"};
    static const char *const base_names[] = {"dense", "activation", "dropout"};
    nn_text t = {buf, size, 0};
    if (size) buf[0] = '\0';
    put(&t, "Model: \"sequential\"\n");
    rule(&t, "┏", "┳", "┓", "━", w);
    put(&t, "┃");
    cell(&t, "Layer (type)", w[0], 0);
    put(&t, "┃");
    cell(&t, "Output Shape", w[1], 0);
    put(&t, "┃");
    cell(&t, "Param #", w[2], 1);
    put(&t, "┃\n");
    rule(&t, "┡", "╇", "┩", "━", w);
    int seen[3] = {0, 0, 0};
    for (int i = 0; i < m->n_layers; i++) {
        const nn_layer *l = &m->layers[i];
        char name[64], shape[32], params[32];
        int k = l->spec.kind;
        if (seen[k]) snprintf(name, sizeof name, "%s_%d (%s)", base_names[k], seen[k], kind_names[k]);
        else snprintf(name, sizeof name, "%s (%s)", base_names[k], kind_names[k]);
        seen[k]++;
        snprintf(shape, sizeof shape, "(None, %d)", l->out);
        thousands(params, nn_layer_param_count(l));
        put(&t, "│");
        cell(&t, name, w[0], 0);
        put(&t, "│");
        cell(&t, shape, w[1], 0);
        put(&t, "│");
        cell(&t, params, w[2], 1);
        put(&t, "│\n");
        if (i + 1 < m->n_layers) rule(&t, "├", "┼", "┤", "─", w);
    }
    rule(&t, "└", "┴", "┘", "─", w);
    char count[32], bytes[32];
    thousands(count, m->n_params);
    readable_bytes(bytes, 4.0 * m->n_params);
    put(&t, " Total params: %s (%s)\n", count, bytes);
    put(&t, " Trainable params: %s (%s)\n", count, bytes);
    put(&t, " Non-trainable params: 0 (0.00 B)\n");
    return (int)t.len;
}

// ---------------------------------------------------------------------------
// Forward and backward passes over a batch already in place

// Runs the layers on x (B, input_size); returns the output (B, out).
static const float *forward(nn_model *m, const float *x, int B, int training) {
    const float *in = x;
    for (int i = 0; i < m->n_layers; i++) {
        nn_layer *l = &m->layers[i];
        switch (l->spec.kind) {
        case NN_LAYER_DENSE:
            nn_dense_forward(l->z, l->y, in, l->w, l->b, B, l->in, l->out, l->spec.activation);
            break;
        case NN_LAYER_ACTIVATION:
            nn_activation_forward(l->spec.activation, B, l->out, in, l->y);
            break;
        case NN_LAYER_DROPOUT:
            if (training && l->spec.rate > 0.0f) nn_dropout_forward(l->y, l->mask, in, B * l->out, l->spec.rate, &m->rng);
            else memcpy(l->y, in, (size_t)B * l->out * sizeof(float));
            break;
        }
        in = l->y;
    }
    return in;
}

static int needs_onehot(nn_loss l) { return l != NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY; }

// Softmax output + cross-entropy: the gradient w.r.t. the logits is (p - y)/B,
// exact and stable, so the softmax Jacobian is skipped.
static int fused_output(const nn_model *m) {
    const nn_layer *last = &m->layers[m->n_layers - 1];
    return last->spec.kind != NN_LAYER_DROPOUT && last->spec.activation == NN_ACT_SOFTMAX &&
           (m->loss == NN_LOSS_CATEGORICAL_CROSSENTROPY || m->loss == NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY);
}

// The logits of a fused output: the last Dense's pre-activation, or the input
// of a final Activation(softmax).
static const float *output_logits(const nn_model *m, const float *x) {
    const nn_layer *last = &m->layers[m->n_layers - 1];
    if (last->spec.kind == NN_LAYER_DENSE) return last->z;
    return m->n_layers > 1 ? m->layers[m->n_layers - 2].y : x;
}

// The loss of the batch just run forward: from the logits when fused (the
// loss the fused gradient belongs to), else the Keras loss of p; dp as for
// nn_loss_forward_backward (not written when fused).
static float batch_loss(const nn_model *m, const float *x, const uint8_t *labels, int B, int fused,
                        const float *p, float *dp) {
    int out = nn_model_output_size(m);
    const float *onehot = needs_onehot(m->loss) ? m->onehot : NULL;
    if (fused) return nn_softmax_crossentropy_from_logits(B, out, output_logits(m, x), onehot, labels);
    return nn_loss_forward_backward(m->loss, B, out, p, m->onehot, labels, dp);
}

// Back-propagates from the last layer's dy (already holding dL/dy, or dL/dz
// when `fused`) down to the parameter gradients.
static void backward(nn_model *m, const float *x, int B, int fused) {
    for (int i = m->n_layers - 1; i >= 0; i--) {
        nn_layer *l = &m->layers[i];
        const float *in = i ? m->layers[i - 1].y : x;
        float *din = i > m->first_dense ? m->layers[i - 1].dy : NULL;
        int skip_activation = fused && i == m->n_layers - 1;
        switch (l->spec.kind) {
        case NN_LAYER_DENSE:
            if (!skip_activation && l->spec.activation != NN_ACT_LINEAR)
                nn_activation_backward(l->spec.activation, B, l->out, l->z, l->y, l->dy, l->dy);
            nn_dense_backward(din, l->dw, l->db, l->dy, in, l->w, B, l->in, l->out);
            break;
        case NN_LAYER_ACTIVATION:
            if (!din) break;
            if (skip_activation) memcpy(din, l->dy, (size_t)B * l->out * sizeof(float));
            else nn_activation_backward(l->spec.activation, B, l->out, in, l->y, l->dy, din);
            break;
        case NN_LAYER_DROPOUT:
            if (din && l->spec.rate > 0.0f) nn_dropout_backward(din, l->dy, l->mask, B * l->out);
            else if (din) memcpy(din, l->dy, (size_t)B * l->out * sizeof(float));
            break;
        }
    }
}

static int count_correct(const float *p, const uint8_t *labels, int B, int cols) {
    int correct = 0;
    for (int r = 0; r < B; r++) {
        const float *row = p + (size_t)r * cols;
        int best = 0;
        if (cols == 1) best = row[0] > 0.5f; // a single sigmoid unit: class 1 above one half
        else
            for (int c = 1; c < cols; c++)
                if (row[c] > row[best]) best = c;
        correct += best == labels[r];
    }
    return correct;
}

// Validates labels against the output width and fills the one-hot targets.
static int prepare_targets(nn_model *m, const uint8_t *labels, int B) {
    int out = nn_model_output_size(m);
    int classes = out == 1 ? 2 : out;
    for (int r = 0; r < B; r++)
        if (labels[r] >= classes)
            return nn_set_error(NN_ERR_ARG,
                                "label %d does not fit a model with %d outputs: the last layer needs at least %d "
                                "units",
                                labels[r], out, labels[r] + 1);
    if (!needs_onehot(m->loss)) return NN_OK;
    if (out == 1) {
        for (int r = 0; r < B; r++) m->onehot[r] = (float)labels[r];
        return NN_OK;
    }
    return nn_to_categorical(labels, B, out, m->onehot);
}

// One pass over the gradient, far cheaper than the GEMMs: an exponent of all
// ones is NaN or Inf. Integer tests vectorise; a float sum would be a serial chain.
static int all_finite(const float *x, size_t n) {
    uint32_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &x[i], sizeof u);
        bad |= (u & 0x7f800000u) == 0x7f800000u;
    }
    return !bad;
}

static const char *finite_word(float x) { return isnan(x) ? "NaN" : "infinite"; }

int nn_model_train_batch(nn_model *m, const float *x, const uint8_t *labels, int B, float *loss, int *correct) {
    if (!m->compiled) return nn_set_error(NN_ERR_STATE, "the model must be compiled before training");
    if (B < 1) return nn_set_error(NN_ERR_ARG, "a batch needs at least one sample");
    int rc = ensure_capacity(m, B);
    if (rc) return rc;
    rc = prepare_targets(m, labels, B);
    if (rc) return rc;
    int out = nn_model_output_size(m);
    int fused = fused_output(m);
    nn_layer *last = &m->layers[m->n_layers - 1];
    const float *p = forward(m, x, B, 1);
    float l = batch_loss(m, x, labels, B, fused, p, fused ? NULL : last->dy);
    if (!isfinite(l))
        return nn_set_error(NN_ERR_DIVERGED,
                            "the loss became %s at step %lld: training diverged. Lower the learning rate "
                            "(now %g; try %g) and train again.",
                            finite_word(l), (long long)m->step + 1, m->optimizer.learning_rate,
                            m->optimizer.learning_rate / 10.0f);
    if (fused) nn_softmax_crossentropy_backward(B, out, p, needs_onehot(m->loss) ? m->onehot : NULL, labels, last->dy);
    backward(m, x, B, fused);
    if (!all_finite(m->grads, m->n_params))
        return nn_set_error(NN_ERR_DIVERGED,
                            "the gradient became NaN or infinite at step %lld: training diverged. Lower the "
                            "learning rate (now %g) and train again.",
                            (long long)m->step + 1, m->optimizer.learning_rate);
    m->step++;
    nn_optimizer_apply(&m->optimizer, m->n_params, m->params, m->grads, m->slots[0], m->slots[1], m->step,
                       &m->nadam_u_product);
    if (loss) *loss = l;
    if (correct) *correct = count_correct(p, labels, B, out);
    return NN_OK;
}

// ---------------------------------------------------------------------------
// Inference

int nn_model_predict(nn_model *m, const float *x, int n, float *probs) {
    int out = nn_model_output_size(m);
    for (int start = 0; start < n; start += m->batch_capacity) {
        int B = n - start < m->batch_capacity ? n - start : m->batch_capacity;
        const float *p = forward(m, x + (size_t)start * m->input_size, B, 0);
        memcpy(probs + (size_t)start * out, p, (size_t)B * out * sizeof(float));
    }
    return NN_OK;
}

static int check_data(const nn_model *m, const nn_dataset *d, const char *what) {
    if (d->features != m->input_size)
        return nn_set_error(NN_ERR_ARG, "the %s has %d pixels per image (%dx%d) but the model's input takes %d",
                            what, d->features, d->rows, d->cols, m->input_size);
    if (d->n < 1) return nn_set_error(NN_ERR_ARG, "the %s is empty", what);
    return NN_OK;
}

int nn_model_predict_dataset(nn_model *m, const nn_dataset *d, float *probs) {
    int rc = check_data(m, d, "data");
    if (rc) return rc;
    int out = nn_model_output_size(m);
    for (int start = 0; start < d->n; start += m->batch_capacity) {
        int B = d->n - start < m->batch_capacity ? d->n - start : m->batch_capacity;
        nn_dataset view = *d;
        view.images += (size_t)start * d->features;
        nn_dataset_gather(&view, NULL, B, m->x, NULL);
        memcpy(probs + (size_t)start * out, forward(m, m->x, B, 0), (size_t)B * out * sizeof(float));
    }
    return NN_OK;
}

int nn_model_evaluate(nn_model *m, const nn_dataset *d, int batch_size, nn_eval_result *res) {
    if (!m->compiled) return nn_set_error(NN_ERR_STATE, "the model must be compiled before evaluate");
    int rc = check_data(m, d, "evaluation data");
    if (rc) return rc;
    if (batch_size < 1) batch_size = 32;
    rc = ensure_capacity(m, batch_size);
    if (rc) return rc;
    // Evaluation has no gradient to keep, so it may use the whole work block.
    int chunk = m->batch_capacity;
    int out = nn_model_output_size(m);
    double loss_sum = 0.0;
    long correct = 0;
    for (int start = 0; start < d->n; start += chunk) {
        int B = d->n - start < chunk ? d->n - start : chunk;
        nn_dataset view = *d;
        view.images += (size_t)start * d->features;
        view.labels += start;
        nn_dataset_gather(&view, NULL, B, m->x, m->labels);
        rc = prepare_targets(m, m->labels, B);
        if (rc) return rc;
        const float *p = forward(m, m->x, B, 0);
        loss_sum += (double)batch_loss(m, m->x, m->labels, B, fused_output(m), p, NULL) * B;
        correct += count_correct(p, m->labels, B, out);
    }
    res->loss = (float)(loss_sum / d->n);
    res->accuracy = (float)((double)correct / d->n);
    return NN_OK;
}

int nn_model_reserve_batch(nn_model *m, int rows) { return ensure_capacity(m, rows); }
