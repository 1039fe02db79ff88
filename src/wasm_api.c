/*
 * wasm_api.c — the functions the browser worker calls, a thin layer over nnlab.h.
 *
 * JavaScript cannot hold C structs comfortably, so this file keeps the one
 * model, the two datasets (train, test) and the running fit as globals and
 * exports small functions over them with plain int/float/pointer arguments.
 * There is no training logic here: every function forwards to the core and
 * returns its status (NN_OK or negative; nn_wasm_last_error() has the
 * sentence). Numbers the worker polls come back as records: a struct of
 * doubles whose field names nn_wasm_record_fields() lists, so the worker reads
 * named fields and counts stay exact far above 2^24 (see "Records" below).
 *
 * A new model replaces the current one only once it was created (or loaded)
 * successfully, so a bad layer string never loses a trained model.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reasons.h"

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#define NN_EXPORT EMSCRIPTEN_KEEPALIVE
#else
#define NN_EXPORT
#endif

// ---------------------------------------------------------------------------
// State shared by every call

enum { NN_WASM_TRAIN = 0, NN_WASM_TEST = 1 };

static nn_model model;           // the current model
static int have_model;           // model holds a created model
static nn_dataset data[2];       // train and test sets, as loaded
static int have_data[2];         // data[i] holds a dataset
static nn_dataset fit_subset;    // first `train_limit` training samples of the running fit
static int have_fit_subset;      // fit_subset is allocated
static nn_fit_state fit;         // the running fit
static int fitting;              // fit is begun and not yet ended

// Text handed back (summary, layer string); grown as needed.
static char *text;
static size_t text_cap;
// The last saved model file, until nn_wasm_saved_free.
static uint8_t *saved;
static size_t saved_len;


static int check_which(int which) {
    if (which != NN_WASM_TRAIN && which != NN_WASM_TEST)
        return nn_fail(NN_ERR_ARG, NN_R_WASM_WHICH, NN_I("which", which));
    return NN_OK;
}

static int need_model(void) {
    if (!have_model)
        return nn_fail(NN_ERR_STATE, NN_R_WASM_NO_MODEL);
    return NN_OK;
}

// why: what waits for the fit to end (NN_R_WASM_BUSY_*: "Stop training before loading data.").
static int need_idle(nn_reason why) {
    if (fitting) return nn_fail(NN_ERR_STATE, why);
    return NN_OK;
}

static int grow_text(size_t need) {
    if (need <= text_cap) return NN_OK;
    char *t = realloc(text, need);
    if (!t) return nn_fail(NN_ERR_NOMEM, NN_R_WASM_TEXT_NOMEM, NN_U("n", need));
    text = t;
    text_cap = need;
    return NN_OK;
}

// Replace the current model by a successfully built one.
static int have_layer_out; // nn_wasm_layer_outputs ran on the current model (see layer_out)

static void adopt_model(nn_model *m) {
    have_layer_out = 0; // they pointed into the old model's work block
    if (have_model) nn_model_free(&model);
    model = *m;
    have_model = 1;
}

// ---------------------------------------------------------------------------
// Records: numbers handed back to JavaScript. Each is a struct of doubles
// (exact for every count below 2^53, where a float stops at 2^24) declared
// once by its field list; nn_wasm_record_fields() gives the names in struct
// order, from which the worker reads named fields, so this file is the only
// place that orders them. Names are the JavaScript ones (camelCase).

#define NN_REC_MEMBER(name) double name;
#define NN_REC_NAME(name) #name ","

// A fit's state after the last step (epoch and step stay on a finished epoch
// after its last batch, so the line can show 1875/1875; "last*" is the last
// finished epoch; historyEpochs counts the model's epochs; validating: the
// epoch's batches are done and valAt of its valN validation samples are).
#define FIT_FIELDS(X) X(epoch) X(epochs) X(step) X(steps) X(loss) X(accuracy) X(batchLoss) X(batchAccuracy) \
    X(lastEpoch) X(lastLoss) X(lastAccuracy) X(lastValLoss) X(lastValAccuracy) X(historyEpochs) X(done)     \
    X(fitting) X(nTrain) X(nVal) X(nextEpoch) X(validating) X(valAt) X(valN)
// The current model: sizes, compile settings (optimizer and loss as their
// enum numbers), optimizer steps, input shape, non-trainable values.
#define MODEL_FIELDS(X) X(inputSize) X(nLayers) X(params) X(outputSize) X(compiled) X(optimizer) X(lr) X(loss) \
    X(step) X(historyEpochs) X(inputH) X(inputW) X(inputC) X(nState)
// A loaded dataset.
#define DATASET_FIELDS(X) X(n) X(rows) X(cols) X(features) X(classes)
// An evaluation.
#define EVAL_FIELDS(X) X(loss) X(accuracy)
// A Dense kernel's size (inputs, units).
#define KERNEL_FIELDS(X) X(inputs) X(units)
// One layer of the current model: its kind (nn_layer_kind), output and input
// shapes, trainable parameters, the kernel's Keras shape (kernelDims of
// kernel0..3: Conv2D kh, kw, c, f; Dense in, out; 0 dims: no weights), and
// the floats of the second array (bias, beta), which follows the kernel.
#define LAYER_FIELDS(X) X(kind) X(outH) X(outW) X(outC) X(inH) X(inW) X(inC) X(params) X(kernelDims) \
    X(kernel0) X(kernel1) X(kernel2) X(kernel3) X(second)
// nn_wasm_layer_shapes: the head, then one SHAPE row for the input and one per layer.
#define SHAPES_FIELDS(X) X(layers) X(failed) X(status)
#define SHAPE_FIELDS(X) X(h) X(w) X(c) X(params) X(state)

typedef struct { FIT_FIELDS(NN_REC_MEMBER) } fit_record;
typedef struct { MODEL_FIELDS(NN_REC_MEMBER) } model_record;
typedef struct { DATASET_FIELDS(NN_REC_MEMBER) } dataset_record;
typedef struct { EVAL_FIELDS(NN_REC_MEMBER) } eval_record;
typedef struct { KERNEL_FIELDS(NN_REC_MEMBER) } kernel_record;
typedef struct { LAYER_FIELDS(NN_REC_MEMBER) } layer_record;
typedef struct { SHAPE_FIELDS(NN_REC_MEMBER) } shape_record;
typedef struct {
    SHAPES_FIELDS(NN_REC_MEMBER)
    shape_record rows[NN_MAX_LAYERS + 1]; // rows[0] the input, rows[i + 1] layer i's output
} shapes_record;

static fit_record fit_rec;
static model_record model_rec;
static dataset_record dataset_rec;
static eval_record eval_rec;
static kernel_record kernel_rec;
static layer_record layer_rec;
static shapes_record shapes_rec;

// The field names of record `which` ("fit", "model", "dataset", "eval",
// "kernel", "layer", "shapes", "shape": a row of "shapes"), comma-separated, or NULL.
NN_EXPORT const char *nn_wasm_record_fields(const char *which) {
    static const struct { const char *which, *names; } records[] = {
        {"fit", FIT_FIELDS(NN_REC_NAME)},         {"model", MODEL_FIELDS(NN_REC_NAME)},
        {"dataset", DATASET_FIELDS(NN_REC_NAME)}, {"eval", EVAL_FIELDS(NN_REC_NAME)},
        {"kernel", KERNEL_FIELDS(NN_REC_NAME)},   {"layer", LAYER_FIELDS(NN_REC_NAME)},
        {"shapes", SHAPES_FIELDS(NN_REC_NAME)},
        {"shape", SHAPE_FIELDS(NN_REC_NAME)},
    };
    for (size_t i = 0; i < sizeof records / sizeof records[0]; i++)
        if (strcmp(which, records[i].which) == 0) return records[i].names;
    return NULL;
}

// ---------------------------------------------------------------------------
// Errors and build facts

NN_EXPORT const char *nn_wasm_last_error(void) { return nn_last_error(); }

// Why, for the page to say it in its language: the reason's key and its
// params as JSON (nn_last_reason, src/reasons.h).
NN_EXPORT const char *nn_wasm_last_reason(void) { return nn_last_reason(); }
NN_EXPORT const char *nn_wasm_last_reason_params(void) { return nn_last_reason_params(); }

NN_EXPORT const char *nn_wasm_kernel_name(void) { return nn_gemm_kernel_name(); }

// Threads of the training (the threads module; the other accepts 1 only).
NN_EXPORT int nn_wasm_set_threads(int n) { return nn_set_threads(n); }
NN_EXPORT int nn_wasm_threads(void) { return nn_threads(); }
NN_EXPORT void nn_wasm_warm_up(void) { nn_warm_up(); }

// ---------------------------------------------------------------------------
// Data: the worker copies the decompressed IDX bytes into the heap and stages
// each set; the parsed copy is owned here and the input may be freed.

NN_EXPORT int nn_wasm_dataset_count(int which) {
    if (check_which(which) || !have_data[which]) return 0;
    return data[which].n;
}

// Pixels (n, features) and labels (n) of a loaded set, for showing samples.
NN_EXPORT const uint8_t *nn_wasm_dataset_images(int which) {
    return check_which(which) || !have_data[which] ? NULL : data[which].images;
}
NN_EXPORT const uint8_t *nn_wasm_dataset_labels(int which) {
    return check_which(which) || !have_data[which] ? NULL : data[which].labels;
}

// The "dataset" record of a loaded set (zeros if none).
NN_EXPORT const dataset_record *nn_wasm_dataset_info(int which) {
    memset(&dataset_rec, 0, sizeof dataset_rec);
    if (check_which(which) || !have_data[which]) return &dataset_rec;
    const nn_dataset *d = &data[which];
    dataset_rec = (dataset_record){d->n, d->rows, d->cols, d->features, d->n_classes};
    return &dataset_rec;
}

// ---------------------------------------------------------------------------
// Data, all or nothing: each set is staged (parsed and checked, every message
// naming the user's file), then nn_wasm_dataset_commit checks the two sets
// against each other and only then swaps them in. A bad file therefore leaves
// the loaded data as it was.

static nn_dataset staged[2];        // parsed but not yet in use
static int have_staged[2];          // staged[i] holds a dataset
static char staged_names[2][2][96]; // [set][images, labels] file names, for messages

NN_EXPORT void nn_wasm_dataset_discard(void) {
    for (int i = 0; i < 2; i++) {
        if (have_staged[i]) nn_dataset_free(&staged[i]);
        have_staged[i] = 0;
    }
}

NN_EXPORT int nn_wasm_dataset_stage(int which, const uint8_t *images, int images_len,
                                    const char *images_name, const uint8_t *labels,
                                    int labels_len, const char *labels_name) {
    int rc = check_which(which);
    if (rc || (rc = need_idle(NN_R_WASM_BUSY_DATA))) return rc;
    nn_idx xi = {0}, yi = {0};
    nn_dataset d = {0};
    rc = nn_idx_parse(images, (size_t)images_len, images_name, &xi);
    if (rc == NN_OK) rc = nn_idx_parse(labels, (size_t)labels_len, labels_name, &yi);
    if (rc == NN_OK) rc = nn_dataset_from_idx_named(&xi, &yi, images_name, labels_name, &d);
    nn_idx_free(&xi);
    nn_idx_free(&yi);
    if (rc) return rc;
    if (have_staged[which]) nn_dataset_free(&staged[which]);
    staged[which] = d;
    have_staged[which] = 1;
    snprintf(staged_names[which][0], sizeof staged_names[which][0], "%s", images_name);
    snprintf(staged_names[which][1], sizeof staged_names[which][1], "%s", labels_name);
    return NN_OK;
}

// Replace the loaded train and test sets by the staged ones. The training
// labels define the classes; test images must have the same size.
NN_EXPORT int nn_wasm_dataset_commit(void) {
    int rc = need_idle(NN_R_WASM_BUSY_DATA);
    if (rc) return rc;
    if (!have_staged[NN_WASM_TRAIN] || !have_staged[NN_WASM_TEST])
        return nn_fail(NN_ERR_STATE, NN_R_WASM_NOT_STAGED);
    rc = nn_dataset_check_test(&staged[NN_WASM_TRAIN], staged_names[0][0], staged_names[0][1],
                               &staged[NN_WASM_TEST], staged_names[1][0], staged_names[1][1]);
    if (rc) {
        nn_wasm_dataset_discard();
        return rc;
    }
    for (int i = 0; i < 2; i++) {
        if (have_data[i]) nn_dataset_free(&data[i]);
        data[i] = staged[i];
        have_data[i] = 1;
        have_staged[i] = 0;
    }
    return NN_OK;
}

// ---------------------------------------------------------------------------
// Model: create, compile, describe

// The optimizer (Keras defaults, learning rate lr when lr > 0) and loss named.
static int optimizer_and_loss(const char *optimizer, float lr, const char *loss, nn_optimizer *opt,
                              nn_loss *l) {
    int kind = nn_optimizer_from_name(optimizer);
    if (kind < 0) return NN_ERR_ARG; // the look-up's sentence lists the choices
    int li = nn_loss_from_name(loss);
    if (li < 0) return NN_ERR_ARG;
    *opt = nn_optimizer_defaults((nn_optimizer_kind)kind);
    if (lr > 0) opt->learning_rate = lr;
    *l = (nn_loss)li;
    return NN_OK;
}

// Create a model (the input then the layers of `layer_text`, e.g.
// "100:relu,10:softmax") into *m, compiled when `optimizer` is not NULL. The
// input is the image (h, w, c) when a layer needs one (Conv2D, pooling,
// Flatten), else flat, as nn_input_shape_for decides.
static int build(nn_model *m, const char *layer_text, nn_shape image, uint32_t seed,
                 const char *optimizer, float lr, const char *loss) {
    nn_layer_spec specs[NN_MAX_LAYERS];
    nn_optimizer opt;
    nn_loss l = NN_LOSS_CATEGORICAL_CROSSENTROPY;
    int rc = need_idle(NN_R_WASM_BUSY_BUILD);
    if (rc) return rc;
    if (optimizer && (rc = optimizer_and_loss(optimizer, lr, loss, &opt, &l))) return rc;
    int n = nn_parse_layers(layer_text, specs, NN_MAX_LAYERS);
    if (n < 0) return n;
    memset(m, 0, sizeof *m);
    nn_shape input = nn_input_shape_for(specs, n, image.h, image.w, image.c);
    if ((rc = nn_model_create_shaped(m, input, specs, n, seed))) return rc;
    if (optimizer && (rc = nn_model_compile(m, &opt, l))) {
        nn_model_free(m);
        return rc;
    }
    return NN_OK;
}

// The image of `input_size` values: the loaded training images when they
// have that many pixels, else a flat (1, 1, input_size) (so convolutions are
// refused with their sentence).
static nn_shape image_of(int input_size) {
    const nn_dataset *d = &data[NN_WASM_TRAIN];
    if (have_data[NN_WASM_TRAIN] && d->features == input_size) return (nn_shape){d->rows, d->cols, 1};
    return nn_shape_flat(input_size);
}

// A new, uncompiled model replaces the current one (which stays on error).
NN_EXPORT int nn_wasm_model_create(const char *layer_text, int input_size, uint32_t seed) {
    nn_model m;
    int rc = build(&m, layer_text, image_of(input_size), seed, NULL, 0.0f, NULL);
    if (rc == NN_OK) adopt_model(&m);
    return rc;
}

// Create and compile in one step: the current model is replaced only when
// both succeed. lr <= 0 keeps the optimizer's Keras default.
NN_EXPORT int nn_wasm_model_build(const char *layer_text, int input_size, uint32_t seed,
                                  const char *optimizer, float lr, const char *loss) {
    nn_model m;
    int rc = build(&m, layer_text, image_of(input_size), seed, optimizer, lr, loss);
    if (rc == NN_OK) adopt_model(&m);
    return rc;
}

// The same for images of h x w x c given explicitly (a Dense-only model
// reads them flat), as the page builds: it does not depend on which data is loaded.
NN_EXPORT int nn_wasm_model_build_shaped(const char *layer_text, int h, int w, int c, uint32_t seed,
                                         const char *optimizer, float lr, const char *loss) {
    nn_model m;
    int rc = build(&m, layer_text, (nn_shape){h, w, c}, seed, optimizer, lr, loss);
    if (rc == NN_OK) adopt_model(&m);
    return rc;
}

// Compile the current model with nn_model_compile or nn_model_recompile.
static int compile_current(int (*how)(nn_model *, const nn_optimizer *, nn_loss),
                           const char *optimizer, float lr, const char *loss) {
    nn_optimizer opt;
    nn_loss l;
    int rc = need_model();
    if (rc || (rc = need_idle(NN_R_WASM_BUSY_COMPILE))) return rc;
    if ((rc = optimizer_and_loss(optimizer, lr, loss, &opt, &l))) return rc;
    return how(&model, &opt, l);
}

// Compile (again) the current model, keeping its weights as Keras does; the
// optimizer state starts fresh.
NN_EXPORT int nn_wasm_model_compile(const char *optimizer, float lr, const char *loss) {
    return compile_current(nn_model_compile, optimizer, lr, loss);
}

// Compile again keeping the weights and, for the same optimizer kind, its
// state (only lr and the loss change). Returns 0 when the optimizer state was
// kept, 1 when it started fresh, or a negative status (model unchanged).
NN_EXPORT int nn_wasm_model_recompile(const char *optimizer, float lr, const char *loss) {
    return compile_current(nn_model_recompile, optimizer, lr, loss);
}

// The Keras summary() table of the current model, or NULL on error.
NN_EXPORT const char *nn_wasm_model_summary(void) {
    if (need_model()) return NULL;
    char probe[1];
    int need = nn_model_summary(&model, probe, sizeof probe);
    if (need < 0 || grow_text((size_t)need + 1)) return NULL;
    nn_model_summary(&model, text, text_cap);
    return text;
}

// The layer list of the current model in the nn_parse_layers syntax, or NULL.
NN_EXPORT const char *nn_wasm_model_layers(void) {
    if (need_model()) return NULL;
    nn_layer_spec specs[NN_MAX_LAYERS];
    for (int i = 0; i < model.n_layers; i++) specs[i] = model.layers[i].spec;
    if (grow_text(256)) return NULL;
    while (nn_format_layers(specs, model.n_layers, text, text_cap) != NN_OK) {
        if (text_cap > (1u << 20) || grow_text(text_cap * 2)) return NULL;
    }
    return text;
}

// The "model" record of the current model (zeros if none).
NN_EXPORT const model_record *nn_wasm_model_info(void) {
    memset(&model_rec, 0, sizeof model_rec);
    if (!have_model) return &model_rec;
    model_record *r = &model_rec;
    r->inputSize = model.input_size;
    r->nLayers = model.n_layers;
    r->params = (double)model.n_params;
    r->outputSize = nn_model_output_size(&model);
    r->compiled = model.compiled;
    r->optimizer = model.optimizer.kind;
    r->lr = model.optimizer.learning_rate;
    r->loss = model.loss;
    r->step = (double)model.step;
    r->historyEpochs = model.history.epochs;
    r->inputH = model.input_shape.h;
    r->inputW = model.input_shape.w;
    r->inputC = model.input_shape.c;
    r->nState = (double)model.n_state;
    return r;
}

// ---------------------------------------------------------------------------
// Shapes as the student edits: every layer's output shape without building
// anything, as the old deeplearn.js model builder showed them.

// The "shapes" record of `layer_text` on images of h x w x c: the input shape
// nn_input_shape_for picks (rows[0]), then each layer's output shape and
// trainable and non-trainable counts from the layer table, up to the first
// layer whose shapes do not flow: `failed` is its index (-1 when all flow),
// `status` its nn_status and nn_wasm_last_error() the core's sentence
// ("layer N: ..."); its row and those after it stay zero. Returns the
// record, or NULL when the text does not parse (the sentence says why).
NN_EXPORT const shapes_record *nn_wasm_layer_shapes(const char *layer_text, int h, int w, int c) {
    nn_layer_spec specs[NN_MAX_LAYERS];
    nn_shape shapes[NN_MAX_LAYERS + 1];
    memset(&shapes_rec, 0, sizeof shapes_rec);
    int n = nn_parse_layers(layer_text, specs, NN_MAX_LAYERS);
    if (n < 0) return NULL;
    shapes_rec.layers = n;
    shapes_rec.failed = -1;
    nn_shape input = nn_input_shape_for(specs, n, h, w, c);
    shapes_rec.rows[0] = (shape_record){input.h, input.w, input.c, 0, 0};
    // Layer by layer through the model's own inference (with its checks on
    // sizes), so that the first layer refused is known exactly.
    for (int i = 0; i < n; i++) {
        int rc = nn_model_infer_shapes(input, specs, i + 1, shapes);
        if (rc) {
            shapes_rec.failed = i;
            shapes_rec.status = rc;
            break;
        }
        const nn_layer_ops *ops = nn_layer_ops_of(specs[i].kind);
        nn_shape in = shapes[i], o = shapes[i + 1];
        shapes_rec.rows[i + 1] = (shape_record){o.h, o.w, o.c, (double)ops->n_params(&specs[i], in, o),
                                                (double)ops->n_state(&specs[i], in, o)};
    }
    return &shapes_rec;
}

// ---------------------------------------------------------------------------
// fit, a few batches at a time

static void end_fit(void) {
    if (fitting) nn_fit_end(&fit);
    fitting = 0;
    if (have_fit_subset) nn_dataset_free(&fit_subset);
    have_fit_subset = 0;
}

// Begin a fit of the current model on the training set, limited to its first
// `train_limit` samples when 0 < train_limit < n. Validation on the test set
// when validate_on_test, else on `validation_split` of the training samples;
// in steps of nn_wasm_fit_run of its own when validate_in_steps (the page),
// else inside an epoch's last step.
NN_EXPORT int nn_wasm_fit_begin(int epochs, int batch_size, int shuffle, float validation_split,
                                int validate_on_test, int train_limit, int validate_in_steps) {
    int rc = need_model();
    if (rc) return rc;
    if (!have_data[NN_WASM_TRAIN])
        return nn_fail(NN_ERR_STATE, NN_R_WASM_NO_TRAIN);
    if (validate_on_test && !have_data[NN_WASM_TEST])
        return nn_fail(NN_ERR_STATE, NN_R_WASM_NO_TEST);
    end_fit();
    const nn_dataset *train = &data[NN_WASM_TRAIN];
    if (train_limit > 0 && train_limit < train->n) {
        rc = nn_dataset_slice(train, 0, train_limit, &fit_subset);
        if (rc) return rc;
        have_fit_subset = 1;
        train = &fit_subset;
    }
    nn_fit_options o = nn_fit_defaults();
    o.epochs = epochs;
    o.batch_size = batch_size;
    o.shuffle = shuffle;
    o.validation_split = validate_on_test ? 0.0f : validation_split;
    o.validation_data = validate_on_test ? &data[NN_WASM_TEST] : NULL;
    o.validate_in_steps = validate_in_steps;
    rc = nn_fit_begin(&fit, &model, train, &o);
    if (rc) {
        end_fit();
        return rc;
    }
    fitting = 1;
    return NN_OK;
}

// Run up to max_steps steps (batches, or chunks of validation); returns the
// steps run or a negative status.
NN_EXPORT int nn_wasm_fit_run(int max_steps, int stop_at_epoch_end) {
    if (!fitting) return nn_fail(NN_ERR_STATE, NN_R_WASM_NOT_FITTING);
    return nn_fit_run(&fit, max_steps, stop_at_epoch_end);
}

// The "fit" record of the running fit (zeros when none runs).
NN_EXPORT const fit_record *nn_wasm_fit_poll(void) {
    memset(&fit_rec, 0, sizeof fit_rec);
    if (!fitting) return &fit_rec;
    const nn_progress *p = &fit.progress;
    const nn_epoch_log *e = &fit.last_epoch;
    fit_rec = (fit_record){
        .epoch = p->epoch, .epochs = fit.opt.epochs, .step = p->step, .steps = fit.steps,
        .loss = p->loss, .accuracy = p->accuracy, .batchLoss = p->batch_loss,
        .batchAccuracy = p->batch_accuracy, .lastEpoch = e->epoch, .lastLoss = e->loss,
        .lastAccuracy = e->accuracy, .lastValLoss = e->val_loss, .lastValAccuracy = e->val_accuracy,
        .historyEpochs = model.history.epochs, .done = fit.done, .fitting = fitting,
        .nTrain = fit.n_train, .nVal = fit.n_val, .nextEpoch = fit.epoch, .validating = fit.validating,
        .valAt = fit.val_at, .valN = fit.val_n,
    };
    return &fit_rec;
}

// End the fit (finished or stopped); the model keeps what it learned.
NN_EXPORT void nn_wasm_fit_end(void) { end_fit(); }

// ---------------------------------------------------------------------------
// Evaluate, predict, history

// Loss and accuracy over the whole set `which`, in the "eval" record
// (nn_wasm_eval_result).
NN_EXPORT const eval_record *nn_wasm_eval_result(void) { return &eval_rec; }

NN_EXPORT int nn_wasm_evaluate(int which, int batch_size) {
    int rc = check_which(which);
    if (rc || (rc = need_model())) return rc;
    if (!have_data[which]) return nn_fail(NN_ERR_STATE, NN_R_WASM_NO_DATA);
    nn_eval_result r;
    rc = nn_model_evaluate(&model, &data[which], batch_size, &r);
    if (rc) return rc;
    eval_rec = (eval_record){r.loss, r.accuracy};
    return NN_OK;
}

// probs(n, outputs) for x(n, input size) already in the heap.
NN_EXPORT int nn_wasm_predict(const float *x, int n, float *probs) {
    int rc = need_model();
    if (rc) return rc;
    return nn_model_predict(&model, x, n, probs);
}

// probs(count, outputs) for samples [start, start + count) of set `which`.
NN_EXPORT int nn_wasm_predict_samples(int which, int start, int count, float *probs) {
    int rc = check_which(which);
    if (rc || (rc = need_model())) return rc;
    if (!have_data[which]) return nn_fail(NN_ERR_STATE, NN_R_WASM_NO_DATA);
    nn_dataset part;
    if ((rc = nn_dataset_slice(&data[which], start, count, &part))) return rc;
    rc = nn_model_predict_dataset(&model, &part, probs);
    nn_dataset_free(&part);
    return rc;
}

// The kernel (in, out) of the k-th Dense layer (0-based, counting Dense layers
// only), for drawing what the first layer learned; its size is the "kernel"
// record (nn_wasm_kernel_size). NULL (and an error) when there is no such layer.
NN_EXPORT const kernel_record *nn_wasm_kernel_size(void) { return &kernel_rec; }

NN_EXPORT const float *nn_wasm_dense_kernel(int k) {
    memset(&kernel_rec, 0, sizeof kernel_rec);
    if (need_model()) return NULL;
    for (int i = 0, seen = 0; i < model.n_layers; i++) {
        const nn_layer *l = &model.layers[i];
        if (l->spec.kind != NN_LAYER_DENSE || seen++ != k) continue;
        kernel_rec = (kernel_record){l->in, l->out};
        return l->w;
    }
    nn_fail(NN_ERR_ARG, NN_R_WASM_NO_DENSE, NN_I("n", k + 1));
    return NULL;
}

// ---------------------------------------------------------------------------
// Looking inside one layer: its shapes, name, weights and, after
// nn_wasm_layer_outputs, its output for one image (the page's feature maps
// and filters).

static const float *layer_out[NN_MAX_LAYERS]; // layer outputs of the last nn_wasm_layer_outputs
static const float *layer_out_work;           // the work block they point into

static const nn_layer *layer_at(int i) {
    if (need_model()) return NULL;
    if (i < 0 || i >= model.n_layers) {
        nn_fail(NN_ERR_ARG, NN_R_WASM_NO_LAYER, NN_I("n", i + 1), NN_I("count", model.n_layers));
        return NULL;
    }
    return &model.layers[i];
}

// The "layer" record of layer i, or NULL (and an error) when there is no such layer.
NN_EXPORT const layer_record *nn_wasm_layer_info(int i) {
    memset(&layer_rec, 0, sizeof layer_rec);
    const nn_layer *l = layer_at(i);
    if (!l) return NULL;
    int dims[4] = {0};
    int n = nn_layer_kernel_shape(l, dims);
    layer_rec = (layer_record){
        .kind = l->spec.kind, .outH = l->out_shape.h, .outW = l->out_shape.w, .outC = l->out_shape.c,
        .inH = l->in_shape.h, .inW = l->in_shape.w, .inC = l->in_shape.c, .params = (double)l->n_params,
        .kernelDims = n, .kernel0 = dims[0], .kernel1 = dims[1], .kernel2 = dims[2], .kernel3 = dims[3],
        .second = l->n_params ? (double)(l->n_params - (size_t)(l->b - l->w)) : 0.0,
    };
    return &layer_rec;
}

// Keras's name of layer i ("conv2d_1"), or NULL.
NN_EXPORT const char *nn_wasm_layer_name(int i) {
    if (!layer_at(i) || grow_text(64)) return NULL;
    return nn_model_layer_name(&model, i, text, text_cap);
}

// Keras's class of layer i ("Conv2D"), or NULL.
NN_EXPORT const char *nn_wasm_layer_class(int i) {
    const nn_layer *l = layer_at(i);
    return l ? l->ops->keras_class : NULL;
}

// The parameters of layer i: its kernel then its second array (nn_wasm_layer_info
// gives both shapes), or NULL when it has none.
NN_EXPORT const float *nn_wasm_layer_weights(int i) {
    const nn_layer *l = layer_at(i);
    if (!l) return NULL;
    if (!l->n_params) {
        nn_fail(NN_ERR_ARG, NN_R_WASM_NO_WEIGHTS, NN_I("layer", i + 1), NN_S("kind", l->ops->keras_class));
        return NULL;
    }
    return l->w;
}

// Run the current model in inference on one sample x (input size floats)
// and keep every layer's output for nn_wasm_layer_output.
NN_EXPORT int nn_wasm_layer_outputs(const float *x) {
    have_layer_out = 0;
    int rc = need_model();
    if (rc || (rc = nn_model_layer_outputs(&model, x, layer_out))) return rc;
    have_layer_out = 1;
    layer_out_work = model.work;
    return NN_OK;
}

// Layer i's output (out h * w * c floats, NHWC) from the last
// nn_wasm_layer_outputs, or NULL. Read it before anything else runs the
// model: a training step or a prediction overwrites it, and a larger batch
// moves the work block (then this refuses).
NN_EXPORT const float *nn_wasm_layer_output(int i) {
    if (!layer_at(i)) return NULL;
    if (!have_layer_out || layer_out_work != model.work) {
        nn_fail(NN_ERR_STATE, NN_R_WASM_NO_OUTPUTS);
        return NULL;
    }
    return layer_out[i];
}

NN_EXPORT int nn_wasm_history_epochs(void) { return have_model ? model.history.epochs : 0; }

// One history series: 0 loss, 1 accuracy, 2 val_loss, 3 val_accuracy.
NN_EXPORT const float *nn_wasm_history(int which) {
    if (!have_model) return NULL;
    const nn_history *h = &model.history;
    switch (which) {
    case 0: return h->loss;
    case 1: return h->accuracy;
    case 2: return h->val_loss;
    case 3: return h->val_accuracy;
    default: return NULL;
    }
}

// ---------------------------------------------------------------------------
// Model files

// Serialise the current model; returns the length (data at nn_wasm_saved_data)
// or a negative status.
NN_EXPORT int nn_wasm_model_save(void) {
    int rc = need_model();
    if (rc) return rc;
    uint8_t *buf = NULL;
    size_t len = 0;
    if ((rc = nn_model_save_buffer(&model, &buf, &len))) return rc;
    free(saved);
    saved = buf;
    saved_len = len;
    return (int)len;
}

NN_EXPORT const uint8_t *nn_wasm_saved_data(void) { return saved; }

NN_EXPORT void nn_wasm_saved_free(void) {
    free(saved);
    saved = NULL;
    saved_len = 0;
}

// Replace the current model by one read from a model file in the heap.
NN_EXPORT int nn_wasm_model_load(const uint8_t *bytes, int len) {
    int rc = need_idle(NN_R_WASM_BUSY_LOAD);
    if (rc) return rc;
    nn_model m;
    memset(&m, 0, sizeof m);
    if ((rc = nn_model_load_buffer(&m, bytes, (size_t)len, "model file"))) return rc;
    adopt_model(&m);
    return NN_OK;
}

// The same, naming the file in messages, and refusing (keeping the current
// model) a model that does not fit the loaded data: input_size features per
// sample and at least `classes` outputs (either check skipped when 0).
NN_EXPORT int nn_wasm_model_load_named(const uint8_t *bytes, int len, const char *name,
                                       int input_size, int classes) {
    int rc = need_idle(NN_R_WASM_BUSY_LOAD);
    if (rc) return rc;
    nn_model m;
    memset(&m, 0, sizeof m);
    if ((rc = nn_model_load_buffer(&m, bytes, (size_t)len, name))) return rc;
    if (input_size > 0 && m.input_size != input_size)
        rc = nn_fail(NN_ERR_FORMAT, NN_R_FILE_INPUT_MISMATCH, NN_S("name", name), NN_I("inputs", m.input_size),
                     NN_I("features", input_size));
    else if (classes > 0 && nn_model_output_size(&m) < classes)
        rc = nn_fail(NN_ERR_FORMAT, NN_R_FILE_CLASSES_MISMATCH, NN_S("name", name),
                     NN_I("outputs", nn_model_output_size(&m)), NN_I("classes", classes));
    if (rc) {
        nn_model_free(&m);
        return rc;
    }
    adopt_model(&m);
    return NN_OK;
}

// ---------------------------------------------------------------------------
// Release everything (the worker calls this before it closes).

NN_EXPORT void nn_wasm_free(void) {
    end_fit();
    if (have_model) nn_model_free(&model);
    have_model = 0;
    for (int i = 0; i < 2; i++) {
        if (have_data[i]) nn_dataset_free(&data[i]);
        have_data[i] = 0;
    }
    nn_wasm_saved_free();
    free(text);
    text = NULL;
    text_cap = 0;
}
