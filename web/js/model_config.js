// model_config.js — what the user builds, as plain data: presets, Keras names and
// defaults, validation, and the equivalent Keras Python code. Layers are the
// registry's (layers.js: fields, layer syntax, Keras lines); shapes and
// parameter counts are the core's, asked through the worker. No DOM here, so
// every rule lives in one place and the UI only shows its verdicts.

import {
  ACTIVATIONS, MAX_UNITS, kerasLine, layerProblems, layerString, parseLayerString, readsImage,
} from './layers.js';

export { ACTIVATIONS, MAX_UNITS, layerString, parseLayerString };

// ---------------------------------------------------------------------------
// Keras vocabulary (matches include/nnlab.h)

export const INPUT_SIZE = 784;
export const N_CLASSES = 10;
export const MAX_LAYERS = 32;   // NN_MAX_LAYERS

// Keras 3 default learning rates; the Python class name for the code view.
export const OPTIMIZERS = {
  sgd: { lr: 0.01, cls: 'SGD' },
  adam: { lr: 0.001, cls: 'Adam' },
  rmsprop: { lr: 0.001, cls: 'RMSprop' },
  adamax: { lr: 0.001, cls: 'Adamax' },
  adagrad: { lr: 0.001, cls: 'Adagrad' },
  nadam: { lr: 0.001, cls: 'Nadam' },
};
// A learning rate far above the usual range: more than 100 × Keras's default
// for the optimizer (above 1 for sgd, above 0.1 for the others). Training then
// diverges or stays at chance level. A warning, not a refusal: Keras accepts
// any positive rate. The C core has the same rule, nn_optimizer_lr_is_high()
// in src/optimizers.c.
export const lrIsHigh = (optimizer, lr) => lr > 100 * OPTIMIZERS[optimizer].lr;

// Index in the C enum nn_optimizer_kind.
export const OPTIMIZER_ORDER = ['sgd', 'adam', 'rmsprop', 'adamax', 'adagrad', 'nadam'];

export const LOSSES = ['categorical_crossentropy', 'sparse_categorical_crossentropy'];
// Index in the C enum nn_loss.
export const LOSS_ORDER = [
  'categorical_crossentropy', 'sparse_categorical_crossentropy', 'mean_squared_error',
  'binary_crossentropy',
];

export const TRAIN_SIZE = 60000;

// ---------------------------------------------------------------------------
// The data the model is built for: MNIST, or the user's own IDX files. The
// functions below read it by default, so the page sets it once per dataset.

export const MNIST_INFO = Object.freeze({
  name: 'MNIST', builtin: true, rows: 28, cols: 28, classes: 10, nTrain: TRAIN_SIZE, nTest: 10000,
});

let current = MNIST_INFO;

// info: { name, builtin, rows, cols, classes, nTrain, nTest, files? } where files
// names the four IDX files ({ trainImages, trainLabels, testImages, testLabels }).
export function setDataInfo(info) {
  current = info;
}

export function dataInfo() {
  return current;
}

export const inputSize = (data = current) => data.rows * data.cols;
// One image of the data, [h, w, c] (grey images: one channel).
export const inputShape = (data = current) => [data.rows, data.cols, 1];

// The config fitted to other data: the last Dense layer gets one unit per
// class, and the training-sample limit stays within the data ("all" stays
// all). What the data does not change is left as the user set it.
export function adaptToData(c, from, to) {
  const out = cloneConfig(c);
  const denses = out.layers.filter((l) => l.kind === 'dense');
  if (denses.length && to.classes !== from.classes) denses[denses.length - 1].units = to.classes;
  if (to.nTrain !== from.nTrain && (out.trainLimit >= from.nTrain || out.trainLimit > to.nTrain)) {
    out.trainLimit = to.nTrain;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Presets

// A preset is a model and the batch size it is trained with: the MLPs at
// Keras's default 32; the CNN of TensorFlow.js's "handwritten digit
// recognition with CNNs" tutorial; Keras's mnist_convnet example (34,826
// parameters, batch 128).
const preset = (text, batchSize) => Object.freeze({ layers: parseLayerString(text), batchSize });

export const PRESETS = {
  logreg: preset('10:softmax', 32),
  mlp: preset('100:relu,10:softmax', 32),
  deep: preset('256:relu,dropout:0.2,128:relu,10:softmax', 32),
  cnnTfjs: preset('conv2d:8:5:relu,maxpool:2,conv2d:16:5:relu,maxpool:2,flatten,10:softmax', 32),
  cnnKeras: preset('conv2d:32:3:relu,maxpool:2,conv2d:64:3:relu,maxpool:2,flatten,dropout:0.5,10:softmax', 128),
};

// Layers are plain objects, their pairs arrays: a copy shares nothing.
export const cloneLayers = (layers) => layers.map((l) => JSON.parse(JSON.stringify(l)));

export function defaultConfig() {
  return {
    layers: cloneLayers(PRESETS.mlp.layers),
    optimizer: 'adam',
    lr: OPTIMIZERS.adam.lr,
    loss: 'categorical_crossentropy',
    epochs: 5,
    batchSize: 32,
    shuffle: true,
    validation: 'test',     // 'test' or 'split'
    validationSplit: 0.1,
    trainLimit: TRAIN_SIZE,
    seed: 42,
  };
}

export function cloneConfig(c) {
  return { ...c, layers: cloneLayers(c.layers) };
}

// ---------------------------------------------------------------------------
// Validation. Each problem is { field, index?, key, params } where key is an
// i18n key; the UI puts the message next to the field.

const isInt = (v) => Number.isInteger(v);

export function trainingCounts(c, data = current) {
  const n = Math.min(c.trainLimit, data.nTrain);
  if (c.validation === 'split') {
    // Keras trains on the first ceil(n * (1 - split)) samples, validates on the rest.
    const train = Math.ceil(n * (1 - c.validationSplit));
    return { train, val: n - train };
  }
  return { train: n, val: data.nTest };
}

export function validateModel(c, data = current) {
  const errs = [];
  if (c.layers.length === 0) errs.push({ field: 'layers', key: 'err.noLayers' });
  if (c.layers.length > MAX_LAYERS) errs.push({ field: 'layers', key: 'err.tooManyLayers', params: { max: MAX_LAYERS } });
  errs.push(...layerProblems(c.layers));
  const out = outputLayer(c);
  const n = data.classes;
  // Without a Dense layer the model outputs its inputs and has no weights to
  // train (it "trained" to accuracy 0): refused whatever the loss.
  if (c.layers.length && out.index < 0) errs.push({ field: 'layers', key: 'err.noDense', params: { inputs: inputSize(data), n } });
  if (out.index >= 0 && isInt(out.units) && out.units >= 1 && out.units <= MAX_UNITS) {
    const at = { field: 'units', index: out.index, params: { units: out.units, n } };
    // One-hot targets (Keras's to_categorical(y, classes)) have exactly one
    // column per class; integer labels only need an output for each of them.
    if (c.loss !== 'sparse_categorical_crossentropy' && out.units !== n) errs.push({ ...at, key: 'err.lastUnits' });
    else if (out.units < n) errs.push({ ...at, key: 'err.lastUnitsSparse' });
  }
  if (!(c.lr > 0 && Number.isFinite(c.lr))) errs.push({ field: 'lr', key: 'err.lr' });
  if (!isInt(c.seed) || c.seed < 0 || c.seed > 4294967295) errs.push({ field: 'seed', key: 'err.seed' });
  return errs;
}

export function validateFit(c, data = current) {
  const errs = [];
  if (!isInt(c.epochs) || c.epochs < 1 || c.epochs > 1000) errs.push({ field: 'epochs', key: 'err.epochs' });
  if (!isInt(c.trainLimit) || c.trainLimit < 1 || c.trainLimit > data.nTrain)
    errs.push({ field: 'trainLimit', key: 'err.trainLimit', params: { max: data.nTrain } });
  if (c.validation === 'split' && !(c.validationSplit > 0 && c.validationSplit < 1))
    errs.push({ field: 'validationSplit', key: 'err.split' });
  const { train } = trainingCounts(c, data);
  if (!isInt(c.batchSize) || c.batchSize < 1) errs.push({ field: 'batchSize', key: 'err.batch' });
  else if (errs.length === 0 && c.batchSize > train)
    errs.push({ field: 'batchSize', key: 'err.batchTooLarge', params: { n: train } });
  return errs;
}

// Index of the layer with the most parameters by the core's counts (shapes
// from the worker: { layers: [{ params }] }), where a message that the model
// is too large belongs; -1 when no layer has any.
export function largestLayer(shapes) {
  let best = -1;
  (shapes ? shapes.layers : []).forEach((l, i) => {
    if (l.params > 0 && (best < 0 || l.params > shapes.layers[best].params)) best = i;
  });
  return best;
}

// The last Dense layer, which gives the model's outputs: { index, units,
// activation }, index -1 when there is none.
export function outputLayer(c) {
  const i = c.layers.findLastIndex((l) => l.kind === 'dense');
  return i < 0 ? { index: -1 } : { index: i, units: c.layers[i].units, activation: c.layers[i].activation };
}

// Advice that does not block training, in the shape of validateModel()'s
// problems; those without a field are about the whole model.
export function modelWarnings(c, data = current) {
  const warns = [];
  if (c.lr > 0 && OPTIMIZERS[c.optimizer] && lrIsHigh(c.optimizer, c.lr)) {
    const usual = OPTIMIZERS[c.optimizer].lr;
    warns.push({ field: 'lr', key: 'warn.lrHigh', params: { lr: c.lr, optimizer: c.optimizer, usual, max: 100 * usual } });
  }
  const out = outputLayer(c);
  if (c.loss === 'sparse_categorical_crossentropy' && out.units > data.classes && out.units <= MAX_UNITS) {
    warns.push({ field: 'units', index: out.index, key: 'warn.wideOutput',
      params: { units: out.units, n: data.classes, extra: out.units - data.classes } });
  }
  if (out.index >= 0 && out.activation !== 'softmax') warns.push({ key: 'warn.softmax' });
  return warns;
}

// ---------------------------------------------------------------------------
// Training

// Is an epoch's training accuracy at chance level: below 1.5 / classes, no
// better than guessing with room for noise (0.15 for MNIST's 10 classes)?
// (The CLI draws the same line after each epoch: src/cli/commands.c.)
export function atChanceLevel(accuracy, classes) {
  return accuracy < 1.5 / classes;
}

// ---------------------------------------------------------------------------
// The same model in Keras 3 Python

const pyFloat = (x) => {
  const s = String(x);
  return /[.e]/.test(s) ? s : `${s}.0`;
};

// The user's IDX files have no keras.datasets loader: read them with NumPy.
function loadIdxLines(files) {
  const q = (name) => JSON.stringify(name); // a valid Python string literal too
  return [
    'def load_idx(path):',
    '    """An IDX file (raw or .gz) as a NumPy array: (n, rows, cols) or (n,)."""',
    '    with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:',
    '        data = f.read()',
    '    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(data[3])]',
    '    return np.frombuffer(data, np.uint8, offset=4 + 4 * data[3]).reshape(shape)',
    '',
    `x_train, y_train = load_idx(${q(files.trainImages)}), load_idx(${q(files.trainLabels)})`,
    `x_test, y_test = load_idx(${q(files.testImages)}), load_idx(${q(files.testLabels)})`,
  ];
}

// The code in its parts, each a list of lines: data (imports, loading,
// scaling, labels), model (the seed, Sequential, summary), compile and fit.
export function kerasParts(c, data = current) {
  const sparse = c.loss === 'sparse_categorical_crossentropy';
  // A model with image layers reads (rows, cols, 1), as Keras's mnist_convnet; a Dense one the flat vector.
  const shape = readsImage(c.layers) ? `${data.rows}, ${data.cols}, 1` : `${inputSize(data)}`;
  let lines = [];
  const parts = {};
  if (!data.builtin) lines.push('import gzip', 'import numpy as np');
  lines.push('import keras');
  lines.push('from keras import layers');
  lines.push('');
  if (data.builtin) lines.push('(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()');
  else lines.push(...loadIdxLines(data.files));
  lines.push(`x_train = x_train.reshape(-1, ${shape}).astype("float32") / 255`);
  lines.push(`x_test = x_test.reshape(-1, ${shape}).astype("float32") / 255`);
  if (c.trainLimit < data.nTrain) {
    lines.push(`x_train, y_train = x_train[:${c.trainLimit}], y_train[:${c.trainLimit}]`);
  }
  if (!sparse) {
    lines.push(`y_train = keras.utils.to_categorical(y_train, ${data.classes})`);
    lines.push(`y_test = keras.utils.to_categorical(y_test, ${data.classes})`);
  }
  parts.data = lines;
  lines = [];
  lines.push(`keras.utils.set_random_seed(${c.seed})`);
  lines.push('model = keras.Sequential([');
  lines.push(`    keras.Input(shape=(${readsImage(c.layers) ? shape : `${shape},`})),`);
  for (const l of c.layers) lines.push(`    ${kerasLine(l)},`);
  lines.push('])');
  lines.push('model.summary()');
  parts.model = lines;
  lines = [];
  const opt = OPTIMIZERS[c.optimizer];
  lines.push('model.compile(');
  lines.push(`    optimizer=keras.optimizers.${opt.cls}(learning_rate=${pyFloat(c.lr)}),`);
  lines.push(`    loss="${c.loss}",`);
  lines.push('    metrics=["accuracy"],');
  lines.push(')');
  parts.compile = lines;
  lines = [];
  const val = c.validation === 'test'
    ? 'validation_data=(x_test, y_test)'
    : `validation_split=${pyFloat(c.validationSplit)}`;
  lines.push('history = model.fit(');
  lines.push('    x_train, y_train,');
  lines.push(`    epochs=${c.epochs}, batch_size=${c.batchSize}, shuffle=${c.shuffle ? 'True' : 'False'},`);
  lines.push(`    ${val},`);
  lines.push(')');
  parts.fit = lines;
  return parts;
}

export function kerasCode(c, data = current) {
  const p = kerasParts(c, data);
  return [...p.data, '', ...p.model, '', ...p.compile, ...p.fit].join('\n');
}
