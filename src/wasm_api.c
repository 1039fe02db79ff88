/*
 * wasm_api.c — the functions the browser worker calls, a thin layer over nnlab.h.
 *
 * JavaScript cannot hold C structs comfortably, so this file keeps the one
 * model, the two datasets (train, test) and the running fit as globals and
 * exports small functions over them with plain int/float/pointer arguments.
 * There is no training logic here: every function forwards to the core and
 * returns its status (NN_OK or negative; nn_wasm_last_error() has the
 * sentence). Numbers the worker polls are written into one small float block
 * (nn_wasm_out), read from JavaScript through HEAPF32.
 *
 * A new model replaces the current one only once it was created (or loaded)
 * successfully, so a bad layer string never loses a trained model.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nnlab.h"

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

// Numbers handed back to JavaScript; see nn_wasm_fit_poll and nn_wasm_model_info.
static float out[32];
// Text handed back (summary, layer string); grown as needed.
static char *text;
static size_t text_cap;
// The last saved model file, until nn_wasm_saved_free.
static uint8_t *saved;
static size_t saved_len;


static int check_which(int which) {
    if (which != NN_WASM_TRAIN && which != NN_WASM_TEST)
        return nn_set_error(NN_ERR_ARG, "Unknown dataset %d (0 is train, 1 is test).", which);
    return NN_OK;
}

static int need_model(void) {
    if (!have_model)
        return nn_set_error(NN_ERR_STATE, "There is no model yet: build one first.");
    return NN_OK;
}

static int need_idle(const char *what) {
    if (fitting)
        return nn_set_error(NN_ERR_STATE, "Stop training before %s.", what);
    return NN_OK;
}

static int grow_text(size_t need) {
    if (need <= text_cap) return NN_OK;
    char *t = realloc(text, need);
    if (!t) return nn_set_error(NN_ERR_NOMEM, "Out of memory for %zu bytes of text.", need);
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
// Errors and build facts

NN_EXPORT const char *nn_wasm_last_error(void) { return nn_last_error(); }

NN_EXPORT const char *nn_wasm_kernel_name(void) { return nn_gemm_kernel_name(); }

// The float block that polling functions fill.
NN_EXPORT float *nn_wasm_out(void) { return out; }

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

// out[0..4] = samples, rows, cols, features, classes of a loaded set (zeros if none).
NN_EXPORT float *nn_wasm_dataset_info(int which) {
    memset(out, 0, sizeof out);
    if (check_which(which) || !have_data[which]) return out;
    const nn_dataset *d = &data[which];
    out[0] = (float)d->n;
    out[1] = (float)d->rows;
    out[2] = (float)d->cols;
    out[3] = (float)d->features;
    out[4] = (float)d->n_classes;
    return out;
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
    if (rc || (rc = need_idle("loading data"))) return rc;
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
    int rc = need_idle("loading data");
    if (rc) return rc;
    if (!have_staged[NN_WASM_TRAIN] || !have_staged[NN_WASM_TEST])
        return nn_set_error(NN_ERR_STATE, "Both the training and the test set must be staged.");
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
    int rc = need_idle("building a new model");
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

// The same for images of h x w x c given explicitly.
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
    if (rc || (rc = need_idle("compiling"))) return rc;
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

// out[0..9] = input size, layers, parameters, output size, compiled,
// optimizer kind, learning rate, loss kind, optimizer steps, history epochs;
// out[10..13] = input height, width, channels, non-trainable parameters.
NN_EXPORT float *nn_wasm_model_info(void) {
    memset(out, 0, sizeof out);
    if (!have_model) return out;
    out[0] = (float)model.input_size;
    out[1] = (float)model.n_layers;
    out[2] = (float)model.n_params;
    out[3] = (float)nn_model_output_size(&model);
    out[4] = (float)model.compiled;
    out[5] = (float)model.optimizer.kind;
    out[6] = model.optimizer.learning_rate;
    out[7] = (float)model.loss;
    out[8] = (float)model.step;
    out[9] = (float)model.history.epochs;
    out[10] = (float)model.input_shape.h;
    out[11] = (float)model.input_shape.w;
    out[12] = (float)model.input_shape.c;
    out[13] = (float)model.n_state;
    return out;
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
// when validate_on_test, else on `validation_split` of the training samples.
NN_EXPORT int nn_wasm_fit_begin(int epochs, int batch_size, int shuffle, float validation_split,
                                int validate_on_test, int train_limit) {
    int rc = need_model();
    if (rc) return rc;
    if (!have_data[NN_WASM_TRAIN])
        return nn_set_error(NN_ERR_STATE, "The training data is not loaded yet.");
    if (validate_on_test && !have_data[NN_WASM_TEST])
        return nn_set_error(NN_ERR_STATE, "The test data is not loaded yet.");
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
    rc = nn_fit_begin(&fit, &model, train, &o);
    if (rc) {
        end_fit();
        return rc;
    }
    fitting = 1;
    return NN_OK;
}

// Run up to max_steps batches; returns batches run or a negative status.
NN_EXPORT int nn_wasm_fit_run(int max_steps, int stop_at_epoch_end) {
    if (!fitting) return nn_set_error(NN_ERR_STATE, "No training is running.");
    return nn_fit_run(&fit, max_steps, stop_at_epoch_end);
}

// out[0..7]  = the last batch's nn_progress: epoch, epochs, step, steps, loss,
//              accuracy, batch loss, batch accuracy (epoch and step stay on the
//              finished epoch after its last batch, so the line can show 1875/1875)
// out[8..13] = last finished epoch: epoch, loss, accuracy, val loss, val accuracy, and
//              history epochs of the model
// out[14..19] = done, fitting, training samples, validation samples, steps per
//              epoch, epoch about to run
NN_EXPORT float *nn_wasm_fit_poll(void) {
    memset(out, 0, sizeof out);
    if (!fitting) return out;
    const nn_progress *p = &fit.progress;
    out[0] = (float)p->epoch;
    out[1] = (float)fit.opt.epochs;
    out[2] = (float)p->step;
    out[3] = (float)fit.steps;
    out[4] = p->loss;
    out[5] = p->accuracy;
    out[6] = p->batch_loss;
    out[7] = p->batch_accuracy;
    out[8] = (float)fit.last_epoch.epoch;
    out[9] = fit.last_epoch.loss;
    out[10] = fit.last_epoch.accuracy;
    out[11] = fit.last_epoch.val_loss;
    out[12] = fit.last_epoch.val_accuracy;
    out[13] = (float)model.history.epochs;
    out[14] = (float)fit.done;
    out[15] = (float)fitting;
    out[16] = (float)fit.n_train;
    out[17] = (float)fit.n_val;
    out[18] = (float)fit.steps;
    out[19] = (float)fit.epoch;
    return out;
}

// End the fit (finished or stopped); the model keeps what it learned.
NN_EXPORT void nn_wasm_fit_end(void) { end_fit(); }

// ---------------------------------------------------------------------------
// Evaluate, predict, history

// out[0] = loss, out[1] = accuracy over the whole set `which`.
NN_EXPORT int nn_wasm_evaluate(int which, int batch_size) {
    int rc = check_which(which);
    if (rc || (rc = need_model())) return rc;
    if (!have_data[which]) return nn_set_error(NN_ERR_STATE, "That data is not loaded yet.");
    nn_eval_result r;
    rc = nn_model_evaluate(&model, &data[which], batch_size, &r);
    if (rc) return rc;
    out[0] = r.loss;
    out[1] = r.accuracy;
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
    if (!have_data[which]) return nn_set_error(NN_ERR_STATE, "That data is not loaded yet.");
    nn_dataset part;
    if ((rc = nn_dataset_slice(&data[which], start, count, &part))) return rc;
    rc = nn_model_predict_dataset(&model, &part, probs);
    nn_dataset_free(&part);
    return rc;
}

// The kernel (in, out) of the k-th Dense layer (0-based, counting Dense layers
// only), for drawing what the first layer learned; out[0] = in, out[1] = out.
// NULL (and an error) when the model has no such layer.
NN_EXPORT const float *nn_wasm_dense_kernel(int k) {
    memset(out, 0, sizeof out);
    if (need_model()) return NULL;
    for (int i = 0, seen = 0; i < model.n_layers; i++) {
        const nn_layer *l = &model.layers[i];
        if (l->spec.kind != NN_LAYER_DENSE || seen++ != k) continue;
        out[0] = (float)l->in;
        out[1] = (float)l->out;
        return l->w;
    }
    nn_set_error(NN_ERR_ARG, "The model has no Dense layer number %d.", k + 1);
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
        nn_set_error(NN_ERR_ARG, "The model has no layer number %d (it has %d).", i + 1, model.n_layers);
        return NULL;
    }
    return &model.layers[i];
}

// out[0] = kind (nn_layer_kind), out[1..3] = output h, w, c, out[4..6] = input
// h, w, c, out[7] = trainable parameters, out[8] = kernel dims (0: no weights),
// out[9..12] = the kernel's Keras shape (Conv2D kh, kw, c, f; Dense in, out),
// out[13] = floats of the second array (bias, beta), which follows the kernel.
// NULL (and an error) when there is no such layer.
NN_EXPORT float *nn_wasm_layer_info(int i) {
    memset(out, 0, sizeof out);
    const nn_layer *l = layer_at(i);
    if (!l) return NULL;
    int dims[4];
    out[0] = (float)l->spec.kind;
    out[1] = (float)l->out_shape.h;
    out[2] = (float)l->out_shape.w;
    out[3] = (float)l->out_shape.c;
    out[4] = (float)l->in_shape.h;
    out[5] = (float)l->in_shape.w;
    out[6] = (float)l->in_shape.c;
    out[7] = (float)l->n_params;
    out[8] = (float)nn_layer_kernel_shape(l, dims);
    for (int d = 0; d < 4; d++) out[9 + d] = (float)dims[d];
    out[13] = l->n_params ? (float)(l->n_params - (size_t)(l->b - l->w)) : 0.0f;
    return out;
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
        nn_set_error(NN_ERR_ARG, "Layer %d (%s) has no weights.", i + 1, l->ops->keras_class);
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
        nn_set_error(NN_ERR_STATE, "Run the model on an image first.");
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
    int rc = need_idle("loading a model");
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
    int rc = need_idle("loading a model");
    if (rc) return rc;
    nn_model m;
    memset(&m, 0, sizeof m);
    if ((rc = nn_model_load_buffer(&m, bytes, (size_t)len, name))) return rc;
    if (input_size > 0 && m.input_size != input_size)
        rc = nn_set_error(NN_ERR_FORMAT, "%s: the model takes %d values per sample but the "
                          "loaded images have %d; load matching data first", name, m.input_size,
                          input_size);
    else if (classes > 0 && nn_model_output_size(&m) < classes)
        rc = nn_set_error(NN_ERR_FORMAT, "%s: the model has %d outputs but the loaded data has "
                          "%d classes", name, nn_model_output_size(&m), classes);
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
