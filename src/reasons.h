/*
 * reasons.h — why a call failed, as a code the page can translate.
 *
 * Every refusal of the library is one line of NN_REASONS: an identifier, a
 * stable key ("idx.truncated", the page's i18n key is "reason.<key>") and the
 * English sentence as a template with named {params}. A failing function calls
 *
 *     return nn_fail(NN_ERR_FORMAT, NN_R_IDX_SHORT, NN_S("name", name), NN_U("len", len));
 *
 * which keeps three things until the next error: the English sentence made
 * from the template (nn_last_error(), what the CLI prints), the key
 * (nn_last_reason()) and the params as a JSON object of strings
 * (nn_last_reason_params()). The page fills its own language's sentence from
 * the key and the params; the English stays exactly what the CLI says.
 *
 * A param is text (NN_S), a number formatted as the sentence shows it (NN_I,
 * NN_U, NN_G, NN_F, NN_X), a word that is itself a line of the table
 * (NN_TERM: "training data", "bytes", so the page translates it too), or the
 * error set just before (NN_WHY: "layer 3: <why>" wraps the layer table's
 * sentence). In the JSON, the last two are nested objects
 * {"reason": key, "params": {...}}.
 *
 * The page's table (web/js/strings/reasons.js) has an English and a Chinese
 * sentence for every key; tests/node/reasons.test.mjs checks that its keys
 * and English sentences are these, and that every call supplies exactly the
 * {params} of its template. Keys are never reused for another meaning.
 */
#ifndef NN_REASONS_H
#define NN_REASONS_H

#include "nnlab.h"

// clang-format off
#define NN_REASONS(X)                                                                                        \
    /* --- names: the *_from_name look-ups ------------------------------------------------------- */       \
    X(NN_R_NAME_ACTIVATION, "name.activation", "unknown activation '{name}' (choose from {choices})")          \
    X(NN_R_NAME_OPTIMIZER, "name.optimizer", "unknown optimizer '{name}' (choose from {choices})")             \
    X(NN_R_NAME_LOSS, "name.loss", "unknown loss '{name}' (choose from {choices})")                            \
    X(NN_R_NAME_INITIALIZER, "name.initializer", "unknown initializer '{name}' (choose from {choices})")       \
    X(NN_R_NAME_PADDING, "name.padding", "unknown padding '{name}' (choose from {choices})")                   \
    /* --- a function called with a missing pointer (a program's mistake, not a student's) ------ */       \
    X(NN_R_API_NULL, "api.null", "{function}: NULL argument")                                                  \
    X(NN_R_API_NULL_ARG, "api.nullArg", "{function}: {arg} is NULL")                                           \
    /* --- the layer syntax, "100:relu,dropout:0.2,10:softmax" ----------------------------------- */       \
    X(NN_R_LAYER_AT, "layer.at", "layer {layer}: {why}")                                                       \
    X(NN_R_PARSE_CONV2D, "parse.conv2d", "layer {layer} ('{text}'): a convolution is "                         \
      "conv2d:FILTERS:KERNEL[:ACTIVATION[:PADDING[:STRIDES]]], e.g. conv2d:32:3:relu")                         \
    X(NN_R_PARSE_FILTERS, "parse.filters",                                                                     \
      "layer {layer}: {filters} filters is impossible; a Conv2D layer needs 1 to {max} filters")               \
    X(NN_R_PARSE_KERNEL, "parse.kernel", "layer {layer}: kernel size '{text}' must be like 3 or 5x5 (1 to 4096)") \
    X(NN_R_PARSE_STRIDES, "parse.strides", "layer {layer}: strides '{text}' must be like 1, 2 or 2x1 (1 to 4096)") \
    X(NN_R_PARSE_POOL, "parse.pool", "layer {layer}: pool size '{text}' must be like 2 or 3x3 (1 to 4096)")    \
    X(NN_R_PARSE_POOL_PARTS, "parse.poolParts", "layer {layer}: too many ':' parts for a pooling layer")       \
    X(NN_R_PARSE_NO_OPTIONS, "parse.noOptions", "layer {layer}: {kind} takes no options ('{text}')")           \
    X(NN_R_PARSE_PARTS, "parse.parts", "layer {layer} ('{text}'): too many ':' parts")                         \
    X(NN_R_PARSE_DROPOUT, "parse.dropout", "layer {layer}: dropout rate '{text}' must be a number from 0 up to " \
      "(not including) 1, e.g. dropout:0.2")                                                                   \
    X(NN_R_PARSE_UNITS_SYNTAX, "parse.unitsSyntax", "layer {layer} ('{text}'): expected a number of units like " \
      "100:relu, dropout:0.2, conv2d:32:3:relu, maxpool:2, flatten, batchnorm or an activation name")         \
    X(NN_R_PARSE_UNITS, "parse.units",                                                                         \
      "layer {layer}: {units} units is impossible; a Dense layer needs 1 to {max} units")                      \
    X(NN_R_PARSE_NONE, "parse.none", "no layers given")                                                        \
    X(NN_R_PARSE_EMPTY, "parse.empty", "no layers given: try \"100:relu,10:softmax\"")                         \
    X(NN_R_PARSE_TOO_MANY, "parse.tooMany", "too many layers: at most {max} are allowed")                      \
    X(NN_R_FORMAT_SIZE, "parse.formatSize", "layer list does not fit in {size} bytes")                         \
    /* --- the layer table: shapes that do not flow, settings out of range ----------------------- */       \
    X(NN_R_LAYER_ACTIVATION, "layer.activation", "unknown activation")                                         \
    X(NN_R_LAYER_INITIALIZER, "layer.initializer", "unknown initializer")                                      \
    X(NN_R_LAYER_FLAT_INPUT, "layer.flatInput", "{layer} needs an image input (height, width, channels), but " \
      "its input is flat {shape}: put it before `flatten` and the Dense layers")                               \
    X(NN_R_LAYER_WINDOW_MAX, "layer.windowMax",                                                                \
      "{layer}: windows and strides are at most 4096 (got {kh}x{kw}, {sh}x{sw})")                              \
    X(NN_R_LAYER_UNITS, "layer.units", "{units} units is impossible; a Dense layer needs 1 to {max} units")    \
    X(NN_R_LAYER_DENSE_FLAT, "layer.denseFlat", "Dense needs a flat input, but its input has shape {shape}: "  \
      "add `flatten` before it (e.g. \"flatten,{units}:{activation}\")")                                       \
    X(NN_R_LAYER_DROPOUT, "layer.dropout", "dropout rate {rate} must be in [0, 1)")                            \
    X(NN_R_LAYER_FILTERS, "layer.filters", "{filters} filters is impossible; a Conv2D layer needs 1 to {max} filters") \
    X(NN_R_WINDOW_PADDING, "window.padding", "{layer}: padding must be \"valid\" or \"same\".")                \
    X(NN_R_WINDOW_SIZE, "window.size", "{layer}: the {window} size must be at least 1×1 (got {kh}×{kw}).")     \
    X(NN_R_WINDOW_STRIDES, "window.strides", "{layer}: strides must be at least 1 (got {sh}×{sw}).")           \
    X(NN_R_WINDOW_INPUT, "window.input", "{layer} needs an input of at least 1×1 pixels (got {h}×{w}).")       \
    X(NN_R_WINDOW_FIT, "window.fit", "{layer} with a {kh}×{kw} {window} does not fit a {h}×{w} input with "    \
      "padding \"valid\": every output pixel needs a whole {kh}×{kw} window inside the input. Use padding "    \
      "\"same\", a smaller {window}, or fewer layers that shrink the image before this one.")                  \
    /* --- the model: create, compile, train a batch, evaluate ----------------------------------- */       \
    X(NN_R_MODEL_UNKNOWN_KIND, "model.unknownKind", "layer {layer}: unknown kind")                             \
    X(NN_R_MODEL_LAYER_TOO_LARGE, "model.layerTooLarge", "layer {layer}: its output has {values} values per "  \
      "sample (at most {max}): use fewer filters or units")                                                    \
    X(NN_R_MODEL_INPUT, "model.input", "input size {size} is impossible (1 to {max})")                         \
    X(NN_R_MODEL_NO_LAYERS, "model.noLayers", "the model needs at least one layer")                            \
    X(NN_R_MODEL_TOO_MANY_LAYERS, "model.tooManyLayers", "too many layers: {n} (at most {max})")               \
    X(NN_R_MODEL_UNAVAILABLE, "model.unavailable", "layer {layer}: {kind} is not available in this build of nnlab yet") \
    X(NN_R_MODEL_TOO_LARGE, "model.tooLarge", "this model would need {mb} MB of memory for its weights, "      \
      "gradients, optimizer state and one batch; the limit is {limit} MB. Use fewer units")                    \
    X(NN_R_MODEL_BATCH_TOO_LARGE, "model.batchTooLarge",                                                       \
      "a batch of {rows} rows would need {mb} MB of memory; use a smaller batch size")                         \
    X(NN_R_MODEL_BATCH_NOMEM, "model.batchNomem", "out of memory for a batch of {rows} rows ({mb} MB)")        \
    X(NN_R_MODEL_PARAMS_NOMEM, "model.paramsNomem", "out of memory for {n} parameters")                        \
    X(NN_R_MODEL_LOSS, "model.loss", "unknown loss")                                                           \
    X(NN_R_MODEL_SLOTS_NOMEM, "model.slotsNomem", "out of memory for the optimizer state")                     \
    X(NN_R_MODEL_LABEL, "model.label", "label {label} does not fit a model with {outputs} outputs: the last "  \
      "layer needs at least {need} units")                                                                     \
    X(NN_R_MODEL_TRAIN_UNCOMPILED, "model.trainUncompiled", "the model must be compiled before training")      \
    X(NN_R_MODEL_EVALUATE_UNCOMPILED, "model.evaluateUncompiled", "the model must be compiled before evaluate") \
    X(NN_R_MODEL_EMPTY_BATCH, "model.emptyBatch", "a batch needs at least one sample")                         \
    X(NN_R_MODEL_DIVERGED_LOSS, "model.divergedLoss", "the loss became {value} at step {step}: training "      \
      "diverged. Lower the learning rate (now {lr}; try {try}) and train again.")                              \
    X(NN_R_MODEL_DIVERGED_GRADIENT, "model.divergedGradient", "the gradient became NaN or infinite at step "   \
      "{step}: training diverged. Lower the learning rate (now {lr}) and train again.")                        \
    X(NN_R_MODEL_OUTPUTS_ARGS, "model.outputsArgs", "layer outputs need an input and room for {n} pointers")   \
    X(NN_R_DATA_PIXELS, "data.pixels",                                                                         \
      "the {what} has {features} pixels per image ({rows}x{cols}) but the model's input takes {inputs}")       \
    X(NN_R_DATA_EMPTY, "data.empty", "the {what} is empty")                                                    \
    X(NN_R_DATA_IMAGE_SIZE, "data.imageSize",                                                                  \
      "the {what} has {rows}x{cols} images but the model's input takes {h}x{w}x{c} images")                    \
    X(NN_R_DATA_RANGE, "data.range", "samples {start} to {end} are outside the {n} of the data")               \
    /* --- fit ------------------------------------------------------------------------------------ */       \
    X(NN_R_FIT_LABELS, "fit.labels", "the {what} has label {label} but the model has {outputs} outputs: make " \
      "the last layer at least {need} units wide")                                                             \
    X(NN_R_FIT_FEATURES, "fit.features", "the {what} has {features} values per sample ({rows}x{cols} images) " \
      "but the model's input takes {inputs}")                                                                  \
    X(NN_R_FIT_HISTORY_NOMEM, "fit.historyNomem", "out of memory for the training history")                    \
    X(NN_R_FIT_UNCOMPILED, "fit.uncompiled", "the model must be compiled before fit")                          \
    X(NN_R_FIT_EPOCHS, "fit.epochs", "epochs must not be negative (got {epochs})")                             \
    X(NN_R_FIT_BATCH_SIZE, "fit.batchSize", "batch_size must be at least 1 (got {batch})")                     \
    X(NN_R_FIT_SPLIT, "fit.split", "validation_split must be in [0, 1) (got {split})")                         \
    X(NN_R_FIT_SPLIT_EMPTY, "fit.splitEmpty", "validation_split {split} of {n} samples leaves {train} for "    \
      "training and {val} for validation; both need at least one")                                             \
    X(NN_R_FIT_ORDER_NOMEM, "fit.orderNomem", "out of memory for the shuffle order")                           \
    X(NN_R_FIT_ROLLED_BACK, "fit.rolledBack",                                                                  \
      "{why} The model was rolled back to its weights at the start of epoch {epoch}.")                         \
    /* --- optimizers and losses -------------------------------------------------------------- */          \
    X(NN_R_OPT_KIND, "opt.kind", "unknown optimizer")                                                          \
    X(NN_R_OPT_LR, "opt.lr", "learning rate {lr} must be a positive number (Keras default for {optimizer}: {default})") \
    X(NN_R_OPT_MOMENTUM, "opt.momentum", "momentum {momentum} must be in [0, 1]")                              \
    X(NN_R_OPT_DECAY, "opt.decay", "{setting} {value} must be in [0, 1)")                                      \
    X(NN_R_OPT_EPSILON, "opt.epsilon", "epsilon {epsilon} must be a number >= 0")                              \
    X(NN_R_OPT_ACCUMULATOR, "opt.accumulator", "initial_accumulator_value {value} must be a number >= 0")      \
    X(NN_R_LOSS_NO_TARGETS, "loss.noTargets", "{loss} needs targets: no one-hot rows and no labels were given") \
    X(NN_R_LOSS_KIND, "loss.kind", "unknown loss {loss}")                                                      \
    X(NN_R_LOSS_SPARSE_OUTPUTS, "loss.sparseOutputs", "the model's output has {outputs} {units} but the data " \
      "has {classes} classes; sparse_categorical_crossentropy needs a unit for every label (0 to {max}): end " \
      "the model with Dense({classes})")                                                                       \
    X(NN_R_LOSS_OUTPUTS, "loss.outputs", "the model's output has {outputs} {units} but the data has {classes} " \
      "classes; {loss} needs one unit per class: end the model with Dense({classes})")                         \
    X(NN_R_LOSS_CATEGORICAL_SIZES, "loss.categoricalSizes",                                                    \
      "to_categorical: impossible sizes ({n} labels, {classes} classes)")                                      \
    X(NN_R_LOSS_CATEGORICAL_BUFFER, "loss.categoricalBuffer", "to_categorical: missing buffer")                \
    X(NN_R_LOSS_CATEGORICAL_LABEL, "loss.categoricalLabel", "label {label} at position {index} is not a "      \
      "class: with {classes} classes labels must be 0..{max}")                                                 \
    /* --- model files (.nnl) --------------------------------------------------------------------- */       \
    X(NN_R_FILE_SAVE_UNCREATED, "file.saveUncreated", "cannot save: the model has not been created")           \
    X(NN_R_FILE_SAVE_TOO_LARGE, "file.saveTooLarge", "the model is too large to save")                         \
    X(NN_R_FILE_SAVE_NOMEM, "file.saveNomem", "out of memory for a {mb} MB model file")                        \
    X(NN_R_FILE_PATH_LONG, "file.pathLong", "the path is too long: {path}")                                    \
    X(NN_R_FILE_WRITE, "file.write", "cannot write {path}: {why}")                                             \
    X(NN_R_FILE_DISK_FULL, "file.diskFull", "cannot write {path}: the disk may be full")                       \
    X(NN_R_FILE_EMPTY, "file.empty", "{name}: the file is empty")                                              \
    X(NN_R_FILE_MAGIC, "file.magic",                                                                           \
      "{name}: not an nnlab model file (it does not start with the nnlab signature)")                          \
    X(NN_R_FILE_TRUNCATED, "file.truncated", "{name}: the file is truncated: it has {len} bytes, but its "     \
      "contents need at least {need} — it was not saved completely")                                           \
    X(NN_R_FILE_NEWER, "file.newer",                                                                           \
      "{name}: made by a newer nnlab (version {version}); this one reads version {reads} — update nnlab")      \
    X(NN_R_FILE_VERSION0, "file.version0", "{name}: file version 0 does not exist: the file is damaged")       \
    X(NN_R_FILE_CHECKSUM, "file.checksum", "{name}: checksum mismatch: the file is damaged")                   \
    X(NN_R_FILE_INCONSISTENT, "file.inconsistent", "{name}: the file is inconsistent: {detail}")               \
    X(NN_R_FILE_CANNOT_BUILD, "file.cannotBuild", "{name}: the model in the file cannot be built: {why}")      \
    X(NN_R_FILE_BAD_COMPILE, "file.badCompile", "{name}: the compile settings in the file are invalid: {why}") \
    X(NN_R_FILE_PARAM_MISMATCH, "file.paramMismatch", "{name}: parameter count does not match the layers")     \
    X(NN_R_FILE_EXTRA, "file.extra", "{name}: {extra} unexpected {bytes} after the end of the model: the file is damaged") \
    X(NN_R_FILE_HISTORY_NOMEM, "file.historyNomem", "{name}: out of memory for the history")                   \
    X(NN_R_FILE_INPUT_MISMATCH, "file.inputMismatch", "{name}: the model takes {inputs} values per sample "    \
      "but the loaded images have {features}; load matching data first")                                      \
    X(NN_R_FILE_CLASSES_MISMATCH, "file.classesMismatch",                                                      \
      "{name}: the model has {outputs} outputs but the loaded data has {classes} classes")                     \
    /* the {detail} of file.inconsistent: the count that contradicts the rest */                             \
    X(NN_R_BAD_LAYER_COUNT, "bad.layerCount", "it declares {n} layers (1 to {max} possible)")                  \
    X(NN_R_BAD_HEADER_LENGTH, "bad.headerLength", "its header length is {declared} bytes but {read} were read") \
    X(NN_R_BAD_INPUT_SIZE, "bad.inputSize", "input size {size}")                                               \
    X(NN_R_BAD_INPUT_SHAPE, "bad.inputShape", "input shape {h}x{w}x{c}")                                       \
    X(NN_R_BAD_KIND, "bad.kind", "layer {layer} has unknown kind {kind}")                                      \
    X(NN_R_BAD_UNITS, "bad.units", "layer {layer} has {units} units")                                          \
    X(NN_R_BAD_PARAMS, "bad.params", "it stores {stored} parameters, but its layers have {expected}")          \
    X(NN_R_BAD_STATE, "bad.state", "it stores {stored} non-trainable values, but its layers have {expected}")  \
    X(NN_R_BAD_LAYER_RECORD, "bad.layerRecord", "layer {layer} records output {h}x{w}x{c} with {params} + "    \
      "{state} parameters, but its settings give {wantH}x{wantW}x{wantC} with {wantParams} + {wantState}")     \
    X(NN_R_BAD_COMPILED, "bad.compiled", "compiled flag {flag}")                                               \
    X(NN_R_BAD_OPTIMIZER, "bad.optimizer", "unknown optimizer {kind}")                                         \
    X(NN_R_BAD_STEP, "bad.step", "step {step}")                                                                \
    X(NN_R_BAD_RNG, "bad.rng", "its random generator state is invalid")                                        \
    X(NN_R_BAD_SLOTS, "bad.slots", "it stores {stored} optimizer state arrays, {optimizer} needs {want}")      \
    X(NN_R_BAD_EPOCHS, "bad.epochs", "it records {epochs} epochs")                                             \
    /* --- IDX files and datasets ---------------------------------------------------------------- */        \
    X(NN_R_IDX_SHORT, "idx.short",                                                                             \
      "{name}: the file is only {len} bytes long, too short for an IDX header (at least 8 bytes)")             \
    X(NN_R_IDX_GZIPPED, "idx.gzipped",                                                                         \
      "{name}: expected magic {want}, found {got} — is the file still gzipped? Unpack it first (gunzip).")     \
    X(NN_R_IDX_NOT_IDX, "idx.notIdx", "{name}: expected magic {want}, found {got} — this is not an IDX file")  \
    X(NN_R_IDX_TYPE, "idx.type", "{name}: expected magic {want}, found {got} — the elements are of type "      \
      "{type}, but only unsigned bytes (0x08) are supported")                                                  \
    X(NN_R_IDX_NDIM, "idx.ndim", "{name}: expected magic {want}, found {got} — the file has {ndim} "           \
      "dimensions, but only 1 (labels) or 3 (images) are supported")                                           \
    X(NN_R_IDX_HEADER_TRUNCATED, "idx.headerTruncated",                                                        \
      "{name}: the file is truncated: its header needs {need} bytes, found {len}")                             \
    X(NN_R_IDX_ZERO_IMAGES, "idx.zeroImages", "{name}: the file contains zero images")                         \
    X(NN_R_IDX_ZERO_LABELS, "idx.zeroLabels", "{name}: the file contains zero labels")                         \
    X(NN_R_IDX_ZERO_ROWS, "idx.zeroRows", "{name}: the images have zero rows")                                 \
    X(NN_R_IDX_ZERO_COLUMNS, "idx.zeroColumns", "{name}: the images have zero columns")                        \
    X(NN_R_IDX_TOO_MANY_LABELS, "idx.tooManyLabels", "{name}: the header declares {n} labels, more than this " \
      "program accepts ({max}) — the header is corrupt")                                                       \
    X(NN_R_IDX_TOO_MANY_PIXELS, "idx.tooManyPixels", "{name}: the header declares {n} x {rows} x {cols} "      \
      "pixels, more than this program accepts ({max}) — the header is corrupt")                                \
    X(NN_R_IDX_TRUNCATED, "idx.truncated", "{name}: the file is truncated: its header describes {want} bytes " \
      "(a {header}-byte header and {count} elements), found only {len} — download it again")                   \
    X(NN_R_IDX_EXTRA, "idx.extra", "{name}: the file has {extra} unexpected {bytes} after its data (expected " \
      "{want} bytes in all, found {len})")                                                                     \
    X(NN_R_IDX_TOO_LARGE, "idx.tooLarge", "{name}: the file is larger than 2 GiB")                             \
    X(NN_R_IDX_NO_BYTES, "idx.noBytes", "{name}: no bytes given")                                              \
    X(NN_R_IDX_NOMEM, "idx.nomem", "{name}: out of memory for {n} bytes of data")                              \
    X(NN_R_IDX_IMAGES_NDIM, "idx.imagesNdim", "{name}: expected images with 3 dimensions (count, rows, cols), " \
      "found {ndim} ({dims}) — is it a labels file?")                                                          \
    X(NN_R_IDX_LABELS_NDIM, "idx.labelsNdim", "{name}: expected labels with 1 dimension (count), found {ndim} " \
      "({dims}) — is it an images file?")                                                                      \
    X(NN_R_IDX_COUNT, "idx.count", "{images} has {n} images but {labels} has {m} labels")                      \
    X(NN_R_GZIP_NOMEM, "gzip.nomem", "{name}: out of memory to unpack the file")                               \
    X(NN_R_GZIP_TOO_LARGE, "gzip.tooLarge", "{name}: the file unpacks to more than 2 GiB")                     \
    X(NN_R_GZIP_TRAILING, "gzip.trailing", "{name}: {extra} unexpected bytes after the end of the gzip data — " \
      "the file is damaged; download it again")                                                               \
    X(NN_R_GZIP_TRUNCATED, "gzip.truncated", "{name}: the gzip data is truncated (the file ends inside the "   \
      "compressed stream) — download it again")                                                               \
    X(NN_R_GZIP_CORRUPT, "gzip.corrupt", "{name}: the gzip data is corrupt ({why}) — download it again")       \
    X(NN_R_IO_OPEN, "io.open", "cannot open {path}: {why}")                                                    \
    X(NN_R_IO_NOMEM, "io.nomem", "{path}: out of memory reading the file")                                     \
    X(NN_R_IO_READ, "io.read", "cannot read {path}")                                                           \
    X(NN_R_IO_GZ_EXISTS, "io.gzExists", "cannot open {path}, but {gz} exists — unpack it first (gunzip)")      \
    X(NN_R_DATASET_DIR_LONG, "dataset.dirLong", "the data directory path is too long: {dir}")                  \
    X(NN_R_DATASET_TEST_SIZE, "dataset.testSize",                                                              \
      "{name}: the images are {rows}x{cols} but the training images ({train}) are {trainRows}x{trainCols}")    \
    X(NN_R_DATASET_TEST_LABEL, "dataset.testLabel", "{name}: label {label} is out of range: the training "     \
      "labels ({train}) have classes 0 to {max}")                                                              \
    X(NN_R_DATASET_SLICE, "dataset.slice", "cannot take samples [{start}, {end}) of a dataset of {n} samples") \
    X(NN_R_DATASET_SLICE_NOMEM, "dataset.sliceNomem", "out of memory copying {n} samples")                     \
    /* --- threads (src/parallel.c) ------------------------------------------------------------ */         \
    X(NN_R_THREADS_RANGE, "threads.range", "threads must be 1 to {max} (asked for {n})")                      \
    X(NN_R_THREADS_NONE, "threads.none", "this build of nnlab runs on one thread (asked for {n})")           \
    X(NN_R_THREADS_START, "threads.start", "could not start thread {k} of {n}")                              \
    /* --- the browser glue (src/wasm_api.c) --------------------------------------------------- */         \
    X(NN_R_WASM_WHICH, "wasm.which", "Unknown dataset {which} (0 is train, 1 is test).")                       \
    X(NN_R_WASM_NO_MODEL, "wasm.noModel", "There is no model yet: build one first.")                           \
    X(NN_R_WASM_BUSY_DATA, "wasm.busyData", "Stop training before loading data.")                              \
    X(NN_R_WASM_BUSY_BUILD, "wasm.busyBuild", "Stop training before building a new model.")                    \
    X(NN_R_WASM_BUSY_COMPILE, "wasm.busyCompile", "Stop training before compiling.")                           \
    X(NN_R_WASM_BUSY_LOAD, "wasm.busyLoad", "Stop training before loading a model.")                           \
    X(NN_R_WASM_TEXT_NOMEM, "wasm.textNomem", "Out of memory for {n} bytes of text.")                          \
    X(NN_R_WASM_NOT_STAGED, "wasm.notStaged", "Both the training and the test set must be staged.")            \
    X(NN_R_WASM_NO_TRAIN, "wasm.noTrain", "The training data is not loaded yet.")                              \
    X(NN_R_WASM_NO_TEST, "wasm.noTest", "The test data is not loaded yet.")                                    \
    X(NN_R_WASM_NOT_FITTING, "wasm.notFitting", "No training is running.")                                     \
    X(NN_R_WASM_NO_DATA, "wasm.noData", "That data is not loaded yet.")                                        \
    X(NN_R_WASM_NO_DENSE, "wasm.noDense", "The model has no Dense layer number {n}.")                          \
    X(NN_R_WASM_NO_LAYER, "wasm.noLayer", "The model has no layer number {n} (it has {count}).")               \
    X(NN_R_WASM_NO_WEIGHTS, "wasm.noWeights", "Layer {layer} ({kind}) has no weights.")                        \
    X(NN_R_WASM_NO_OUTPUTS, "wasm.noOutputs", "Run the model on an image first.")                              \
    /* --- words put into the sentences above (NN_TERM), translated with them ------------------- */         \
    X(NN_R_TERM_DATA, "term.data", "data")                                                                     \
    X(NN_R_TERM_TRAINING_DATA, "term.trainingData", "training data")                                           \
    X(NN_R_TERM_VALIDATION_DATA, "term.validationData", "validation data")                                     \
    X(NN_R_TERM_EVALUATION_DATA, "term.evaluationData", "evaluation data")                                     \
    X(NN_R_TERM_NAN, "term.nan", "NaN")                                                                        \
    X(NN_R_TERM_INFINITE, "term.infinite", "infinite")                                                         \
    X(NN_R_TERM_BYTE, "term.byte", "byte")                                                                     \
    X(NN_R_TERM_BYTES, "term.bytes", "bytes")                                                                  \
    X(NN_R_TERM_UNIT, "term.unit", "unit")                                                                     \
    X(NN_R_TERM_UNITS, "term.units", "units")                                                                  \
    X(NN_R_TERM_KERNEL, "term.kernel", "kernel")                                                               \
    X(NN_R_TERM_POOL, "term.pool", "pool")                                                                     \
    X(NN_R_TERM_EITHER_MAGIC, "term.eitherMagic", "0x00000801 (labels) or 0x00000803 (images)")                \
    X(NN_R_TERM_UNCOMPILED, "term.uncompiled", "an uncompiled model")
// clang-format on

#define NN_REASON_ENUM(id, key, text) id,
typedef enum nn_reason { NN_R_NONE = 0, NN_REASONS(NN_REASON_ENUM) NN_REASON_COUNT } nn_reason;

// The key and the English template of a reason ("" for NN_R_NONE or out of range).
const char *nn_reason_key(nn_reason r);
const char *nn_reason_template(nn_reason r);

// ---------------------------------------------------------------------------
// Params

typedef enum { NN_ARG_STR, NN_ARG_INT, NN_ARG_UINT, NN_ARG_DOUBLE, NN_ARG_TERM, NN_ARG_WHY } nn_arg_type;

typedef struct nn_arg {
    const char *name; // the {name} of the template it fills
    nn_arg_type type; // which member of v holds the value
    const char *fmt;  // printf conversion of a number, for its type: "%lld", "%llu", "%g", "0x%08llx"
    union {
        const char *s;        // NN_ARG_STR (NULL reads as "")
        long long i;          // NN_ARG_INT
        unsigned long long u; // NN_ARG_UINT
        double d;             // NN_ARG_DOUBLE
        int r;                // NN_ARG_TERM: an nn_reason without params
    } v;
} nn_arg;

#define NN_S(name, text) ((nn_arg){(name), NN_ARG_STR, NULL, {.s = (text)}})
#define NN_I(name, x) ((nn_arg){(name), NN_ARG_INT, "%lld", {.i = (long long)(x)}})
#define NN_U(name, x) ((nn_arg){(name), NN_ARG_UINT, "%llu", {.u = (unsigned long long)(x)}})
#define NN_G(name, x) ((nn_arg){(name), NN_ARG_DOUBLE, "%g", {.d = (double)(x)}})
// fmt: a conversion of a double ("%.1f"), or of an unsigned long long ("0x%08llx").
#define NN_F(name, fmt, x) ((nn_arg){(name), NN_ARG_DOUBLE, (fmt), {.d = (double)(x)}})
#define NN_X(name, fmt, x) ((nn_arg){(name), NN_ARG_UINT, (fmt), {.u = (unsigned long long)(x)}})
#define NN_TERM(name, reason) ((nn_arg){(name), NN_ARG_TERM, NULL, {.r = (reason)}})
// The error set before this call (its sentence, key and params), which this one wraps.
#define NN_WHY(name) ((nn_arg){(name), NN_ARG_WHY, NULL, {.i = 0}})

// Set the last error to `reason` with these params and return `status`. The
// sentence is the template with each {name} replaced; a {name} without a
// param stays as it is (tests/node/reasons.test.mjs makes sure none does).
int nn_fail_args(int status, nn_reason reason, const nn_arg *args, int n);

// nn_fail(status, reason, params...): the params as an array (the leading {0}
// lets the list be empty).
#define nn_fail(status, reason, ...)                                                                  \
    nn_fail_args((status), (reason), (const nn_arg[]){{0}, __VA_ARGS__} + 1,                        \
                 (int)(sizeof((const nn_arg[]){{0}, __VA_ARGS__}) / sizeof(nn_arg)) - 1)

// For the *_from_name look-ups: fails with `reason` (an NN_R_NAME_* line:
// "unknown <what> '<name>' (choose from a, b, ...)") and returns -1.
int nn_unknown_name(nn_reason reason, const char *name, const char *const *choices, int n);

// nn_model_check_image_size with `what` a term (NN_R_TERM_TRAINING_DATA, ...), so
// that the page translates the name of the data too.
int nn_check_image_size_of(const nn_model *m, const nn_dataset *d, nn_reason what);

#endif
