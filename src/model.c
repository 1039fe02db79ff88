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

#include "reasons.h"

// Above this the model is refused before anything is allocated: the browser
// tab has at most 2 GB of wasm memory, and a teaching model never needs more.
#define NN_MAX_MODEL_BYTES (1024.0 * 1024.0 * 1024.0)
// Evaluation and prediction run in chunks of the work block's rows: at least
// 256 where that stays under 16 MB (Dense models: about 1 MB), else as many
// as fit in it, and never fewer than the batch. A CNN's work per row is large
// (440 KB for mnist_convnet), and 256 rows of it were 112 MB of a tab's heap.
#define NN_MIN_BATCH_CAPACITY 256
#define NN_MIN_CAPACITY_BYTES (16.0 * 1024.0 * 1024.0)
// Floats per sample of one layer's output (64 M): far above any model that fits the memory limit.
#define NN_MAX_LAYER_FLOATS (1 << 26)

// ---------------------------------------------------------------------------
// Sizes, asked of the layer table

// Output shapes of the layers (shapes[i] is layer i's input, shapes[n] the
// output); NN_OK or the first layer whose shapes do not flow, with its sentence.
int nn_model_infer_shapes(nn_shape input, const nn_layer_spec *specs, int n, nn_shape *shapes) {
    shapes[0] = input;
    for (int i = 0; i < n; i++) {
        const nn_layer_ops *ops = nn_layer_ops_of(specs[i].kind);
        if (!ops) return nn_fail(NN_ERR_ARG, NN_R_MODEL_UNKNOWN_KIND, NN_I("layer", i + 1));
        if (ops->infer(&specs[i], shapes[i], &shapes[i + 1]))
            return nn_fail(NN_ERR_ARG, NN_R_LAYER_AT, NN_I("layer", i + 1), NN_WHY("why"));
        // So that h * w * c fits an int (and wasm32's size_t) everywhere after.
        nn_shape o = shapes[i + 1];
        if ((double)o.h * o.w * o.c > NN_MAX_LAYER_FLOATS)
            return nn_fail(NN_ERR_NOMEM, NN_R_MODEL_LAYER_TOO_LARGE, NN_I("layer", i + 1),
                           NN_F("values", "%.0f", (double)o.h * o.w * o.c), NN_I("max", NN_MAX_LAYER_FLOATS));
    }
    return NN_OK;
}

// Floats of per-batch work for one row of layer `s`: y and dy, the
// pre-activation z of a layer with its own non-linear activation, and the
// kind's own work memory.
static double layer_floats_per_row(const nn_layer_spec *s, nn_shape in, nn_shape out, double *fixed) {
    const nn_layer_ops *ops = nn_layer_ops_of(s->kind);
    double size = (double)nn_shape_size(out);
    int buffers = 2; // y and dy
    if (ops->activation == 1 && s->activation != NN_ACT_LINEAR) buffers++; // z
    size_t per_row, fix;
    ops->work(s, in, out, &per_row, &fix);
    *fixed += (double)fix;
    return buffers * size + (double)per_row;
}

// Floats of per-batch work: per row (input, layers, one-hot targets) and fixed.
static double work_floats_per_row(const nn_shape *shapes, const nn_layer_spec *specs, int n, double *fixed) {
    double f = (double)nn_shape_size(shapes[0]);
    *fixed = 0;
    for (int i = 0; i < n; i++) f += layer_floats_per_row(&specs[i], shapes[i], shapes[i + 1], fixed);
    return f + (double)nn_shape_size(shapes[n]); // one-hot targets
}

// In double: on wasm32 a size_t would wrap long before a silly model's size.
static double bytes_of(const nn_shape *shapes, const nn_layer_spec *specs, int n_layers, int batch) {
    double params = 0, state = 0, fixed;
    for (int i = 0; i < n_layers; i++) {
        const nn_layer_ops *ops = nn_layer_ops_of(specs[i].kind);
        params += (double)ops->n_params(&specs[i], shapes[i], shapes[i + 1]);
        state += (double)ops->n_state(&specs[i], shapes[i], shapes[i + 1]);
    }
    double per_row = work_floats_per_row(shapes, specs, n_layers, &fixed);
    // params + grads + up to two optimizer slots, the state, plus the work block
    return 4.0 * (4.0 * params + state + per_row * batch + fixed);
}

// The size of a model whose shapes flow; HUGE_VAL when they do not.
static double bytes_needed(nn_shape input, const nn_layer_spec *specs, int n_layers, int batch) {
    nn_shape shapes[NN_MAX_LAYERS + 1];
    if (n_layers < 0 || n_layers > NN_MAX_LAYERS || nn_model_infer_shapes(input, specs, n_layers, shapes)) return HUGE_VAL;
    return bytes_of(shapes, specs, n_layers, batch);
}

size_t nn_model_bytes_needed(int input_size, const nn_layer_spec *specs, int n_layers, int batch) {
    double bytes = bytes_needed(nn_shape_flat(input_size), specs, n_layers, batch);
    return bytes > (double)SIZE_MAX ? SIZE_MAX : (size_t)bytes;
}

size_t nn_layer_param_count(const nn_layer *l) { return l->n_params; }

int nn_model_output_size(const nn_model *m) {
    return m->n_layers ? m->layers[m->n_layers - 1].out : m->input_size;
}

nn_shape nn_input_shape_for(const nn_layer_spec *specs, int n_layers, int rows, int cols, int channels) {
    for (int i = 0; i < n_layers; i++) {
        const nn_layer_ops *ops = nn_layer_ops_of(specs[i].kind);
        if (ops && ops->wants_image) return (nn_shape){rows, cols, channels};
    }
    return nn_shape_flat(rows * cols * channels);
}

// ---------------------------------------------------------------------------
// Creation

static int check_specs(nn_shape input, const nn_layer_spec *specs, int n, nn_shape *shapes) {
    double size = (double)input.h * input.w * input.c;
    if (input.h < 1 || input.w < 1 || input.c < 1 || size > NN_MAX_UNITS * 16)
        return nn_fail(NN_ERR_ARG, NN_R_MODEL_INPUT,
                       NN_F("size", "%.0f", input.h < 1 || input.w < 1 || input.c < 1
                                                ? fmin(fmin(input.h, input.w), input.c) : size),
                       NN_I("max", NN_MAX_UNITS * 16));
    if (n < 1) return nn_fail(NN_ERR_ARG, NN_R_MODEL_NO_LAYERS);
    if (n > NN_MAX_LAYERS) return nn_fail(NN_ERR_ARG, NN_R_MODEL_TOO_MANY_LAYERS, NN_I("n", n), NN_I("max", NN_MAX_LAYERS));
    int rc = nn_model_infer_shapes(input, specs, n, shapes);
    if (rc) return rc;
    for (int i = 0; i < n; i++) {
        const nn_layer_ops *ops = nn_layer_ops_of(specs[i].kind);
        if (!ops->forward)
            return nn_fail(NN_ERR_ARG, NN_R_MODEL_UNAVAILABLE, NN_I("layer", i + 1), NN_S("kind", ops->keras_class));
    }
    double bytes = bytes_of(shapes, specs, n, NN_MIN_BATCH_CAPACITY);
    if (bytes > NN_MAX_MODEL_BYTES)
        return nn_fail(NN_ERR_NOMEM, NN_R_MODEL_TOO_LARGE, NN_F("mb", "%.1f", bytes / 1048576.0),
                       NN_F("limit", "%.0f", NN_MAX_MODEL_BYTES / 1048576.0));
    return NN_OK;
}

static float *take(float **p, size_t n) {
    float *at = *p;
    *p += n;
    return at;
}

// Points each layer's work views into m->work for `cap` rows.
static void point_work(nn_model *m, int cap) {
    float *p = m->work;
    m->x = take(&p, (size_t)cap * m->input_size);
    for (int i = 0; i < m->n_layers; i++) {
        nn_layer *l = &m->layers[i];
        size_t sz = (size_t)cap * l->out, per_row, fixed;
        l->ops->work(&l->spec, l->in_shape, l->out_shape, &per_row, &fixed);
        l->z = NULL;
        if (l->ops->activation == 1) {
            l->z = take(&p, sz);
            l->y = l->spec.activation == NN_ACT_LINEAR ? l->z : take(&p, sz);
        } else {
            l->y = take(&p, sz);
        }
        l->scratch = per_row ? take(&p, (size_t)cap * per_row) : NULL;
        l->dy = take(&p, sz);
    }
    m->onehot = take(&p, (size_t)cap * nn_model_output_size(m));
    for (int i = 0; i < m->n_layers; i++) {
        nn_layer *l = &m->layers[i];
        size_t per_row, fixed;
        l->ops->work(&l->spec, l->in_shape, l->out_shape, &per_row, &fixed);
        l->fixed = fixed ? take(&p, fixed) : NULL;
    }
}

// Grows the work block to hold `rows` rows. Never called inside a step once
// fit has begun (fit_begin sizes it for the batch).
static int ensure_capacity(nn_model *m, int rows) {
    if (rows <= m->batch_capacity) return NN_OK;
    nn_layer_spec specs[NN_MAX_LAYERS];
    nn_shape shapes[NN_MAX_LAYERS + 1];
    shapes[0] = m->input_shape;
    for (int i = 0; i < m->n_layers; i++) {
        specs[i] = m->layers[i].spec;
        shapes[i + 1] = m->layers[i].out_shape;
    }
    double fixed, per_row = work_floats_per_row(shapes, specs, m->n_layers, &fixed);
    int cap = rows;
    if (cap < NN_MIN_BATCH_CAPACITY) {
        double fit = NN_MIN_CAPACITY_BYTES / (4.0 * per_row);
        int more = fit < NN_MIN_BATCH_CAPACITY ? (int)fit : NN_MIN_BATCH_CAPACITY;
        if (more > cap) cap = more;
    }
    double floats = per_row * cap + fixed;
    if (floats * 4.0 > NN_MAX_MODEL_BYTES)
        return nn_fail(NN_ERR_NOMEM, NN_R_MODEL_BATCH_TOO_LARGE, NN_I("rows", rows),
                       NN_F("mb", "%.1f", floats * 4.0 / 1048576.0));
    float *work = malloc((size_t)floats * sizeof(float));
    uint8_t *labels = malloc((size_t)cap);
    if (!work || !labels) {
        free(work);
        free(labels);
        return nn_fail(NN_ERR_NOMEM, NN_R_MODEL_BATCH_NOMEM, NN_I("rows", rows), NN_F("mb", "%.1f", floats * 4.0 / 1048576.0));
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
    return nn_model_create_shaped(m, nn_shape_flat(input_size), specs, n_layers, seed);
}

int nn_model_create_shaped(nn_model *m, nn_shape input, const nn_layer_spec *specs, int n_layers,
                           uint64_t seed) {
    nn_shape shapes[NN_MAX_LAYERS + 1];
    int rc = check_specs(input, specs, n_layers, shapes);
    if (rc) return rc;
    nn_model t;
    memset(&t, 0, sizeof t);
    t.input_shape = input;
    t.input_size = (int)nn_shape_size(input);
    t.n_layers = n_layers;
    t.seed = seed;
    t.first_dense = n_layers;
    nn_rng_seed(&t.rng, seed);
    for (int i = 0; i < n_layers; i++) {
        nn_layer *l = &t.layers[i];
        l->spec = specs[i];
        l->ops = nn_layer_ops_of(specs[i].kind);
        l->in_shape = shapes[i];
        l->out_shape = shapes[i + 1];
        l->in = (int)nn_shape_size(shapes[i]);
        l->out = (int)nn_shape_size(shapes[i + 1]);
        l->n_params = (size_t)l->ops->n_params(&l->spec, l->in_shape, l->out_shape); // checked to fit
        l->n_state = (size_t)l->ops->n_state(&l->spec, l->in_shape, l->out_shape);
        t.n_params += l->n_params;
        t.n_state += l->n_state;
        if (l->n_params && t.first_dense == n_layers) t.first_dense = i;
    }
    t.params = calloc(t.n_params ? t.n_params : 1, sizeof(float));
    t.grads = calloc(t.n_params ? t.n_params : 1, sizeof(float));
    t.state = t.n_state ? calloc(t.n_state, sizeof(float)) : NULL;
    if (!t.params || !t.grads || (t.n_state && !t.state)) {
        free(t.params);
        free(t.grads);
        free(t.state);
        return nn_fail(NN_ERR_NOMEM, NN_R_MODEL_PARAMS_NOMEM, NN_U("n", t.n_params));
    }
    // Each layer's parameters: the kernel, then one float per output channel
    // (the bias; BatchNormalization's gamma, then beta).
    size_t off = 0, state_off = 0;
    for (int i = 0; i < n_layers; i++) {
        nn_layer *l = &t.layers[i];
        if (l->n_params) {
            size_t second = (size_t)l->out_shape.c;
            l->w = t.params + off;
            l->dw = t.grads + off;
            l->b = t.params + off + l->n_params - second; // Keras: bias starts at zeros (calloc)
            l->db = t.grads + off + l->n_params - second;
            off += l->n_params;
        }
        if (l->n_state) {
            l->state = t.state + state_off;
            state_off += l->n_state;
        }
        if (l->ops->init) l->ops->init(l, &t.rng);
    }
    rc = ensure_capacity(&t, 1); // the smallest block: a fit grows it to its batch size
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
    free(m->state);
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
    if ((unsigned)loss >= NN_LOSS_COUNT) return nn_fail(NN_ERR_ARG, NN_R_MODEL_LOSS);
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
            return nn_fail(NN_ERR_NOMEM, NN_R_MODEL_SLOTS_NOMEM);
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

// A row of the table. Text too wide for its cell wraps at its last space
// that fits, as Keras's rich table does ("batch_normalization" above
// "(BatchNormalization)").
static void row(nn_text *t, const char *name, const char *shape, const char *params, const int *w) {
    const char *rest = name;
    int first = 1;
    while (first || *rest) {
        int len = (int)strlen(rest), take = len;
        if (len > w[0] - 2) {
            take = w[0] - 2;
            for (int i = w[0] - 2; i > 0; i--)
                if (rest[i] == ' ') {
                    take = i;
                    break;
                }
        }
        char part[128];
        snprintf(part, sizeof part, "%.*s", take, rest);
        rest += take;
        while (*rest == ' ') rest++;
        put(t, "│");
        cell(t, part, w[0], 0);
        put(t, "│");
        cell(t, first ? shape : "", w[1], 0);
        put(t, "│");
        cell(t, first ? params : "", w[2], 1);
        put(t, "│\n");
        first = 0;
    }
}

static void total_line(nn_text *t, const char *what, size_t n) {
    char count[32], bytes[32];
    thousands(count, n);
    readable_bytes(bytes, 4.0 * (double)n);
    put(t, " %s: %s (%s)\n", what, count, bytes);
}

// Keras numbers layers per class: conv2d, conv2d_1, ...
char *nn_model_layer_name(const nn_model *m, int i, char *buf, size_t size) {
    const nn_layer *l = &m->layers[i];
    int before = 0;
    for (int j = 0; j < i; j++) before += m->layers[j].spec.kind == l->spec.kind;
    if (before) snprintf(buf, size, "%s_%d", l->ops->keras_name, before);
    else snprintf(buf, size, "%s", l->ops->keras_name);
    return buf;
}

int nn_model_summary(const nn_model *m, char *buf, size_t size) {
    static const int w[3] = {33, 24, 15};
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
    for (int i = 0; i < m->n_layers; i++) {
        const nn_layer *l = &m->layers[i];
        char base[64], name[96], shape[48], params[32];
        snprintf(name, sizeof name, "%s (%s)", nn_model_layer_name(m, i, base, sizeof base), l->ops->keras_class);
        nn_shape_format(l->out_shape, shape, sizeof shape);
        thousands(params, l->n_params + l->n_state); // Keras counts every weight of the layer
        row(&t, name, shape, params, w);
        if (i + 1 < m->n_layers) rule(&t, "├", "┼", "┤", "─", w);
    }
    rule(&t, "└", "┴", "┘", "─", w);
    total_line(&t, "Total params", m->n_params + m->n_state);
    total_line(&t, "Trainable params", m->n_params);
    total_line(&t, "Non-trainable params", m->n_state);
    return (int)t.len;
}

// ---------------------------------------------------------------------------
// Forward and backward passes over a batch already in place

// Runs the layers on x (B, input_size); returns the output (B, out).
static const float *forward(nn_model *m, const float *x, int B, int training) {
    const float *in = x;
    for (int i = 0; i < m->n_layers; i++) {
        nn_layer *l = &m->layers[i];
        l->ops->forward(l, in, B, training, &m->rng);
        in = l->y;
    }
    return in;
}

static int needs_onehot(nn_loss l) { return l != NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY; }

// Softmax output + cross-entropy: the gradient w.r.t. the logits is (p - y)/B,
// exact and stable, so the softmax Jacobian is skipped.
static int fused_output(const nn_model *m) {
    const nn_layer *last = &m->layers[m->n_layers - 1];
    return last->ops->activation != 0 && last->spec.activation == NN_ACT_SOFTMAX &&
           (m->loss == NN_LOSS_CATEGORICAL_CROSSENTROPY || m->loss == NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY);
}

// The logits of a fused output: the last layer's pre-activation (Dense,
// Conv2D), or the input of a final Activation(softmax).
static const float *output_logits(const nn_model *m, const float *x) {
    const nn_layer *last = &m->layers[m->n_layers - 1];
    if (last->ops->activation == 1) return last->z;
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
        int rows = B * l->out_shape.h * l->out_shape.w, cols = l->out_shape.c; // softmax over the last axis
        if (l->ops->activation == 1 && !skip_activation && l->spec.activation != NN_ACT_LINEAR)
            nn_activation_backward(l->spec.activation, rows, cols, l->z, l->y, l->dy, l->dy);
        if (l->ops->activation == 2 && skip_activation) {
            if (din) memcpy(din, l->dy, (size_t)B * l->out * sizeof(float));
            continue;
        }
        l->ops->backward(l, in, din, B);
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
            return nn_fail(NN_ERR_ARG, NN_R_MODEL_LABEL, NN_I("label", labels[r]), NN_I("outputs", out),
                           NN_I("need", labels[r] + 1));
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

static nn_reason finite_word(float x) { return isnan(x) ? NN_R_TERM_NAN : NN_R_TERM_INFINITE; }

int nn_model_train_batch(nn_model *m, const float *x, const uint8_t *labels, int B, float *loss, int *correct) {
    if (!m->compiled) return nn_fail(NN_ERR_STATE, NN_R_MODEL_TRAIN_UNCOMPILED);
    if (B < 1) return nn_fail(NN_ERR_ARG, NN_R_MODEL_EMPTY_BATCH);
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
        return nn_fail(NN_ERR_DIVERGED, NN_R_MODEL_DIVERGED_LOSS, NN_TERM("value", finite_word(l)),
                       NN_I("step", m->step + 1), NN_G("lr", m->optimizer.learning_rate),
                       NN_G("try", m->optimizer.learning_rate / 10.0f));
    if (fused) nn_softmax_crossentropy_backward(B, out, p, needs_onehot(m->loss) ? m->onehot : NULL, labels, last->dy);
    backward(m, x, B, fused);
    if (!all_finite(m->grads, m->n_params))
        return nn_fail(NN_ERR_DIVERGED, NN_R_MODEL_DIVERGED_GRADIENT, NN_I("step", m->step + 1),
                       NN_G("lr", m->optimizer.learning_rate));
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

// forward() leaves every layer's batch output in its y, so one sample's
// outputs are the first rows: nothing to copy or allocate.
int nn_model_layer_outputs(nn_model *m, const float *x, const float **outputs) {
    if (!x || !outputs) return nn_fail(NN_ERR_ARG, NN_R_MODEL_OUTPUTS_ARGS, NN_I("n", m->n_layers));
    forward(m, x, 1, 0);
    for (int i = 0; i < m->n_layers; i++) outputs[i] = m->layers[i].y;
    return NN_OK;
}

// what: a term (NN_R_TERM_DATA, ...), as the sentence calls the data.
static int check_data(const nn_model *m, const nn_dataset *d, nn_reason what) {
    if (d->features != m->input_size)
        return nn_fail(NN_ERR_ARG, NN_R_DATA_PIXELS, NN_TERM("what", what), NN_I("features", d->features),
                       NN_I("rows", d->rows), NN_I("cols", d->cols), NN_I("inputs", m->input_size));
    if (d->n < 1) return nn_fail(NN_ERR_ARG, NN_R_DATA_EMPTY, NN_TERM("what", what));
    return nn_check_image_size_of(m, d, what);
}

// what: the data as the sentence names it, a term or the caller's text.
static int check_image_size(const nn_model *m, const nn_dataset *d, nn_arg what) {
    nn_shape s = m->input_shape;
    if (nn_shape_is_flat(s) || (d->rows == s.h && d->cols == s.w && s.c == 1)) return NN_OK;
    return nn_fail(NN_ERR_ARG, NN_R_DATA_IMAGE_SIZE, what, NN_I("rows", d->rows), NN_I("cols", d->cols),
                   NN_I("h", s.h), NN_I("w", s.w), NN_I("c", s.c));
}

int nn_model_check_image_size(const nn_model *m, const nn_dataset *d, const char *what) {
    return check_image_size(m, d, NN_S("what", what));
}

int nn_check_image_size_of(const nn_model *m, const nn_dataset *d, nn_reason what) {
    return check_image_size(m, d, NN_TERM("what", what));
}

int nn_model_predict_dataset(nn_model *m, const nn_dataset *d, float *probs) {
    int rc = check_data(m, d, NN_R_TERM_DATA);
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
    if (!m->compiled) return nn_fail(NN_ERR_STATE, NN_R_MODEL_EVALUATE_UNCOMPILED);
    int rc = check_data(m, d, NN_R_TERM_EVALUATION_DATA);
    if (rc) return rc;
    if (batch_size < 1) batch_size = 32;
    rc = ensure_capacity(m, batch_size);
    if (rc) return rc;
    double loss_sum = 0.0;
    int64_t correct = 0;
    if ((rc = nn_model_evaluate_part(m, d, 0, d->n, &loss_sum, &correct))) return rc;
    res->loss = (float)(loss_sum / d->n);
    res->accuracy = (float)((double)correct / d->n);
    return NN_OK;
}

int nn_model_evaluate_part(nn_model *m, const nn_dataset *d, int start, int count, double *loss_sum,
                           int64_t *correct) {
    if (!m->compiled) return nn_fail(NN_ERR_STATE, NN_R_MODEL_EVALUATE_UNCOMPILED);
    if (start < 0 || count < 0 || start > d->n - count)
        return nn_fail(NN_ERR_ARG, NN_R_DATA_RANGE, NN_I("start", start), NN_I("end", (long long)start + count),
                       NN_I("n", d->n));
    // Evaluation has no gradient to keep, so it may use the whole work block.
    int chunk = m->batch_capacity;
    int out = nn_model_output_size(m);
    for (int at = start; at < start + count; at += chunk) {
        int B = start + count - at < chunk ? start + count - at : chunk;
        nn_dataset view = *d;
        view.images += (size_t)at * d->features;
        view.labels += at;
        nn_dataset_gather(&view, NULL, B, m->x, m->labels);
        int rc = prepare_targets(m, m->labels, B);
        if (rc) return rc;
        const float *p = forward(m, m->x, B, 0);
        *loss_sum += (double)batch_loss(m, m->x, m->labels, B, fused_output(m), p, NULL) * B;
        *correct += count_correct(p, m->labels, B, out);
    }
    return NN_OK;
}

int nn_model_reserve_batch(nn_model *m, int rows) { return ensure_capacity(m, rows); }
