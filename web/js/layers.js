// layers.js — the one registry of layer kinds in the page, as src/layer_table.c
// is the core's: for each kind its Keras names, the fields the builder edits
// (with their limits and i18n keys), a new layer's defaults, where the builder
// inserts one, the layer syntax the core parses (and reading it back), the
// Keras Python line, the short description of the runs list, the names of its
// weights in model files, the i18n key of a refusal of its shapes and its
// TensorFlow.js layer (`tfjs`, for export_tfjs.js). The builder,
// model_config.js, the runs list, the model-file reader and the TF.js export
// ask this table instead of switching on kinds.
//
// What the core decides is not repeated here: shapes, parameter counts and
// whether shapes flow come from the worker (nn_wasm_layer_shapes). The enum
// orders (KINDS, ACTIVATIONS, PADDINGS), which model files store as numbers,
// are copies of include/nnlab.h that tests/node/layer_registry.test.mjs checks
// against files the CLI writes.

import { reasonText } from './reasons.js';

// ---------------------------------------------------------------------------
// Vocabulary (enum orders of include/nnlab.h)

export const ACTIVATIONS = [
  'linear', 'relu', 'sigmoid', 'tanh', 'softmax', 'elu', 'selu', 'gelu', 'swish',
  'leaky_relu', 'softplus', 'softsign', 'hard_sigmoid',
];
export const PADDINGS = ['valid', 'same'];
export const MAX_UNITS = 65536;  // NN_MAX_UNITS: Dense units, Conv2D filters
export const MAX_WINDOW = 4096;  // kernel, pool and stride sizes (src/layer_spec.c)

// ---------------------------------------------------------------------------
// Pairs: Keras's kernel_size=(3, 3). Written "3" when square, else "5x3".

export function formatPair([h, w]) {
  return h === w ? String(h) : `${h}x${w}`;
}

// "3" or "5x3" (or "5X3") as [h, w]; [NaN, NaN] for anything else.
export function parsePair(text) {
  const m = /^\s*(\d+)\s*(?:[xX×]\s*(\d+))?\s*$/.exec(String(text));
  if (!m) return [NaN, NaN];
  return [Number(m[1]), Number(m[2] ?? m[1])];
}

const samePair = (a, b) => a[0] === b[0] && a[1] === b[1];
const isInt = (v) => Number.isInteger(v);
const pyPair = ([h, w]) => `(${h}, ${w})`;
const pyFloat = (x) => {
  const s = String(x);
  return /[.e]/.test(s) ? s : `${s}.0`;
};
const times = ([h, w]) => `${h}×${w}`;

// ---------------------------------------------------------------------------
// Shapes [h, w, c] as the worker gives them; a flat vector of n values is
// [1, 1, n] (nn_shape_is_flat).

export const isFlat = ([h, w]) => h === 1 && w === 1;
// As Keras prints an output shape without the batch: (24, 24, 8), (10,).
export const shapeText = (s) => (isFlat(s) ? `(${s[2]},)` : `(${s.join(', ')})`);
// As the core's sentences and summary() print it: (None, 24, 24, 8), (None, 10).
export const batchShapeText = (s) => (isFlat(s) ? `(None, ${s[2]})` : `(None, ${s.join(', ')})`);

// A refusal of shapes that do not flow, in words of the page's languages:
// the core decides that (and where) the shapes do not flow and words it in
// English; the kinds below only pick the i18n key for that verdict from the
// layer and its input shape (a Dense layer on an image; an image layer on a
// flat input; a window larger than the image).
const denseRefusal = (l, input) => (isFlat(input) ? null
  : { key: 'shape.denseFlat', params: { units: l.units, activation: l.activation } });
const windowRefusal = (size) => (l, input) => (isFlat(input) ? { key: 'shape.needsImage' }
  : { key: 'shape.window', params: { size: times(size(l)), h: input[0], w: input[1] } });

// ---------------------------------------------------------------------------
// Fields the builder edits. type: 'int' (a number input), 'rate' (a number
// in [0, 1)), 'pair' (a text input, "3" or "5x3"), 'select' (options).
// label: the i18n key of its label; error: the i18n key of its refusal.

const FIELDS = {
  units: { name: 'units', type: 'int', min: 1, max: MAX_UNITS, label: 'layer.units', error: 'err.units' },
  filters: { name: 'filters', type: 'int', min: 1, max: MAX_UNITS, label: 'layer.filters', error: 'err.filters' },
  kernel: { name: 'kernel', type: 'pair', min: 1, max: MAX_WINDOW, label: 'layer.kernel', error: 'err.kernel' },
  strides: { name: 'strides', type: 'pair', min: 1, max: MAX_WINDOW, label: 'layer.strides', error: 'err.strides' },
  pool: { name: 'pool', type: 'pair', min: 1, max: MAX_WINDOW, label: 'layer.pool', error: 'err.pool' },
  padding: { name: 'padding', type: 'select', options: PADDINGS, label: 'layer.padding' },
  activation: { name: 'activation', type: 'select', options: ACTIVATIONS, label: 'layer.activation' },
  rate: { name: 'rate', type: 'rate', label: 'layer.rate', error: 'err.rate' },
};

// Is the value of field f acceptable?
function fieldOk(f, v) {
  if (f.type === 'int') return isInt(v) && v >= f.min && v <= f.max;
  if (f.type === 'rate') return v >= 0 && v < 1;
  if (f.type === 'pair') return Array.isArray(v) && v.every((x) => isInt(x) && x >= f.min && x <= f.max);
  return f.options.includes(v);
}

// ---------------------------------------------------------------------------
// Where the builder puts a new layer of each kind, so that the model it
// gives still reads like one: image layers before Flatten and the Dense
// layers, Flatten before the first Dense layer, the others before the output.

const beforeFirst = (layers, kinds) => {
  const i = layers.findIndex((l) => kinds.includes(l.kind));
  return i < 0 ? layers.length : i;
};
const beforeOutput = (layers) => Math.max(0, layers.length - 1);

const INITIALIZER_CLASS = {
  glorot_uniform: 'GlorotUniform',
  glorot_normal: 'GlorotNormal',
  he_normal: 'HeNormal',
  he_uniform: 'HeUniform',
  zeros: 'Zeros',
};

// ---------------------------------------------------------------------------
// TensorFlow.js export (web/js/export_tfjs.js): each kind's `tfjs` entry gives
// its TF.js class, the base of its Keras name, its config and its weights
// [name, shape, values], all from a model file's layer (model_file.js).
// `act` marks the kinds with an activation: 'fused' (Dense, Conv2D: config
// field `activation`; leaky_relu makes it linear and a LeakyReLU follows) or
// 'layer' (Activation; leaky_relu makes it a LeakyReLU). `input: 'flat'`
// asks for a 2-D tensor; `output` says whether the tensor is an image (4-D)
// or flat (2-D) after the layer, for the kinds that decide it.

const initializer = (name) => ({ class_name: name, config: name === 'Zeros' || name === 'Ones' ? {} : { seed: null } });

// What Dense and Conv2D share: the bias, the initializers, no regularizers.
const withKernel = (l) => ({
  use_bias: true,
  kernel_initializer: initializer(INITIALIZER_CLASS[l.initializer] || 'GlorotUniform'),
  bias_initializer: initializer('Zeros'),
  kernel_regularizer: null,
  bias_regularizer: null,
  activity_regularizer: null,
  kernel_constraint: null,
  bias_constraint: null,
});

// The pooling layers keep the window in the Conv2D fields of the file.
const tfjsPooling = (l) => ({
  pool_size: l.kernelSize, strides: l.strides, padding: l.padding, data_format: 'channels_last',
});

export const TFJS_FLATTEN = {
  className: 'Flatten', base: 'flatten', output: 'flat', config: () => ({ data_format: 'channels_last' }),
};

// ---------------------------------------------------------------------------
// The kinds, in the order of nn_layer_kind. weights: the names of a layer's
// two parameter arrays in model files, the second one value per output channel.

const KERNEL_BIAS = ['kernel', 'bias'];

const pool = (kind, keras, syntax, short) => ({
  kind, keras, syntax, image: true, fields: [FIELDS.pool],
  tfjs: { className: keras, base: kind, output: 'image', config: tfjsPooling },
  create: () => ({ kind, pool: [2, 2], strides: null, padding: 'valid' }),
  refusal: windowRefusal((l) => l.pool),
  insertAt: (layers) => beforeFirst(layers, ['flatten', 'dense']),
  // strides null: the pool size, as Keras's strides=None.
  text: (l) => {
    const strides = l.strides || l.pool;
    if (l.padding === 'same') return `${syntax}:${formatPair(l.pool)}:${formatPair(strides)}:same`;
    if (!samePair(strides, l.pool)) return `${syntax}:${formatPair(l.pool)}:${formatPair(strides)}`;
    return `${syntax}:${formatPair(l.pool)}`;
  },
  // maxpool[:POOL[:STRIDES[:PADDING]]]
  read: (p) => {
    if (p[0] !== syntax || p.length > 4) return null;
    const size = p[1] ? parsePair(p[1]) : [2, 2];
    const strides = p[2] ? parsePair(p[2]) : null;
    const padding = p[3] || 'valid';
    if (!PADDINGS.includes(padding)) return null;
    return { kind, pool: size, strides: strides && !samePair(strides, size) ? strides : null, padding };
  },
  code: (l) => {
    let args = `pool_size=${pyPair(l.pool)}`;
    if (l.strides) args += `, strides=${pyPair(l.strides)}`;
    if (l.padding === 'same') args += ', padding="same"';
    return `layers.${keras}(${args})`;
  },
  describe: (l) => `${short} ${times(l.pool)}`,
  // What the builder shows of settings it does not edit (from a model file).
  extra: (l) => [l.strides && `strides=${pyPair(l.strides)}`, l.padding === 'same' && 'padding="same"']
    .filter(Boolean).join(', '),
});

const plain = (kind, keras, syntax, image, insertAt) => ({
  kind, keras, syntax, image, fields: [],
  create: () => ({ kind }),
  insertAt,
  text: () => syntax,
  read: (p) => (p[0] === syntax && p.length === 1 ? { kind } : null),
  code: () => `layers.${keras}()`,
  describe: () => keras,
});

export const KINDS = [
  {
    kind: 'dense', keras: 'Dense', image: false, fields: [FIELDS.units, FIELDS.activation], weights: KERNEL_BIAS,
    tfjs: {
      className: 'Dense', base: 'dense', act: 'fused', input: 'flat', output: 'flat',
      config: (l) => ({ units: l.units, ...withKernel(l) }),
      weights: (l) => [['kernel', [l.in, l.out], l.kernel], ['bias', [l.out], l.bias]],
    },
    create: () => ({ kind: 'dense', units: 64, activation: 'relu' }),
    insertAt: beforeOutput,
    text: (l) => `${l.units}:${l.activation}`,
    // UNITS[:ACTIVATION[:INITIALIZER]] (the builder does not edit initializers: dropped), or dense:...
    read: (p) => {
      const q = p[0] === 'dense' ? p.slice(1) : p;
      if (!/^\d+$/.test(q[0]) || q.length > 3 || (q[1] && !ACTIVATIONS.includes(q[1]))) return null;
      return { kind: 'dense', units: Number(q[0]), activation: q[1] || 'linear' };
    },
    code: (l) => (l.activation === 'linear' ? `layers.Dense(${l.units})` : `layers.Dense(${l.units}, activation="${l.activation}")`),
    describe: (l) => `${l.units} ${l.activation}`,
    refusal: denseRefusal,
  },
  {
    kind: 'activation', keras: 'Activation', image: false, fields: [FIELDS.activation],
    tfjs: { className: 'Activation', base: 'activation', act: 'layer', config: () => ({}) },
    create: () => ({ kind: 'activation', activation: 'relu' }),
    insertAt: beforeOutput,
    text: (l) => `activation:${l.activation}`,
    read: (p) => {
      const name = p[0] === 'activation' ? p[1] : p.length === 1 ? p[0] : null;
      return ACTIVATIONS.includes(name) && p.length <= 2 ? { kind: 'activation', activation: name } : null;
    },
    code: (l) => `layers.Activation("${l.activation}")`,
    describe: (l) => `Activation ${l.activation}`,
  },
  {
    kind: 'dropout', keras: 'Dropout', image: false, fields: [FIELDS.rate],
    tfjs: { className: 'Dropout', base: 'dropout', config: (l) => ({ rate: l.rate, noise_shape: null, seed: null }) },
    create: () => ({ kind: 'dropout', rate: 0.2 }),
    insertAt: beforeOutput,
    text: (l) => `dropout:${l.rate}`,
    read: (p) => (p[0] === 'dropout' && p.length === 2 && p[1] !== '' && Number.isFinite(Number(p[1]))
      ? { kind: 'dropout', rate: Number(p[1]) } : null),
    code: (l) => `layers.Dropout(${pyFloat(l.rate)})`,
    describe: (l) => `Dropout ${l.rate}`,
  },
  { ...plain('flatten', 'Flatten', 'flatten', true, (layers) => beforeFirst(layers, ['dense'])), tfjs: TFJS_FLATTEN },
  {
    kind: 'conv2d', keras: 'Conv2D', image: true, weights: KERNEL_BIAS,
    fields: [FIELDS.filters, FIELDS.kernel, FIELDS.strides, FIELDS.padding, FIELDS.activation],
    tfjs: {
      className: 'Conv2D', base: 'conv2d', act: 'fused', output: 'image',
      config: (l) => ({
        filters: l.filters, kernel_size: l.kernelSize, strides: l.strides, padding: l.padding,
        data_format: 'channels_last', dilation_rate: [1, 1], ...withKernel(l),
      }),
      weights: (l) => [['kernel', [...l.kernelSize, l.inShape[2], l.filters], l.kernel], ['bias', [l.filters], l.bias]],
    },
    create: () => ({ kind: 'conv2d', filters: 32, kernel: [3, 3], strides: [1, 1], padding: 'valid', activation: 'relu' }),
    refusal: windowRefusal((l) => l.kernel),
    insertAt: (layers) => beforeFirst(layers, ['flatten', 'dense']),
    // conv2d:FILTERS:KERNEL:ACTIVATION[:PADDING[:STRIDES]], as nn_format_layers writes it.
    text: (l) => {
      const head = `conv2d:${l.filters}:${formatPair(l.kernel)}:${l.activation}`;
      if (!samePair(l.strides, [1, 1])) return `${head}:${l.padding}:${formatPair(l.strides)}`;
      return l.padding === 'same' ? `${head}:same` : head;
    },
    read: (p) => {
      if (p[0] !== 'conv2d' || p.length < 3 || p.length > 6 || !/^\d+$/.test(p[1])) return null;
      const activation = p[3] || 'linear';
      const padding = p[4] || 'valid';
      if (!ACTIVATIONS.includes(activation) || !PADDINGS.includes(padding)) return null;
      return {
        kind: 'conv2d', filters: Number(p[1]), kernel: parsePair(p[2]), strides: p[5] ? parsePair(p[5]) : [1, 1],
        padding, activation,
      };
    },
    code: (l) => {
      let args = `${l.filters}, kernel_size=${pyPair(l.kernel)}`;
      if (!samePair(l.strides, [1, 1])) args += `, strides=${pyPair(l.strides)}`;
      if (l.padding === 'same') args += ', padding="same"';
      if (l.activation !== 'linear') args += `, activation="${l.activation}"`;
      return `layers.Conv2D(${args})`;
    },
    describe: (l) => `Conv2D ${l.filters} ${times(l.kernel)}${samePair(l.strides, [1, 1]) ? '' : ` /${formatPair(l.strides)}`}`
      + `${l.padding === 'same' ? ' same' : ''} ${l.activation}`,
  },
  pool('max_pooling2d', 'MaxPooling2D', 'maxpool', 'MaxPool'),
  pool('average_pooling2d', 'AveragePooling2D', 'avgpool', 'AvgPool'),
  {
    ...plain('batch_normalization', 'BatchNormalization', 'batchnorm', false, beforeOutput), weights: ['gamma', 'beta'],
    // NN_BN_MOMENTUM and NN_BN_EPSILON of include/nnlab.h, Keras's defaults.
    tfjs: {
      className: 'BatchNormalization', base: 'batch_normalization',
      config: () => ({
        axis: -1, momentum: 0.99, epsilon: 0.001, center: true, scale: true,
        beta_initializer: initializer('Zeros'), gamma_initializer: initializer('Ones'),
        moving_mean_initializer: initializer('Zeros'), moving_variance_initializer: initializer('Ones'),
        beta_regularizer: null, gamma_regularizer: null, beta_constraint: null, gamma_constraint: null,
      }),
      weights: (l) => {
        const c = [l.outShape[2]];
        return [['gamma', c, l.gamma], ['beta', c, l.beta], ['moving_mean', c, l.movingMean],
          ['moving_variance', c, l.movingVariance]];
      },
    },
  },
];

const BY_KIND = Object.fromEntries(KINDS.map((k) => [k.kind, k]));

// The registry entry of a layer (or of a kind's name).
export function kindOf(layerOrKind) {
  const k = BY_KIND[typeof layerOrKind === 'string' ? layerOrKind : layerOrKind.kind];
  if (!k) throw new Error(`unknown layer kind ${JSON.stringify(layerOrKind)}`);
  return k;
}

// The TF.js export entry of a model file's layer kind, null for none.
export const tfjsOf = (kind) => (BY_KIND[kind] ? BY_KIND[kind].tfjs || null : null);

// A new layer of `kind` with the builder's defaults.
export const newLayer = (kind) => kindOf(kind).create();

// ---------------------------------------------------------------------------
// Layer lists

// "conv2d:8:5:relu,maxpool:2,flatten,10:softmax" (nn_parse_layers syntax).
export function layerString(layers) {
  return layers.map((l) => kindOf(l).text(l)).join(',');
}

// The reverse, for the layer text of a model the worker loaded (as
// nn_format_layers writes it). null when a layer reads as no kind here.
export function parseLayerString(text) {
  const layers = [];
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const p = part.split(':').map((s) => s.trim());
    let layer = null;
    for (const k of KINDS) if (!layer) layer = k.read(p);
    if (!layer) return null;
    layers.push(layer);
  }
  return layers;
}

// Does the list read an image (height, width, channels) rather than a flat
// vector? As nn_input_shape_for: when any layer needs one.
export const readsImage = (layers) => layers.some((l) => kindOf(l).image);

// Problems of each layer's fields, in validateModel()'s shape: { field, index,
// key, params }.
export function layerProblems(layers) {
  const errs = [];
  layers.forEach((l, index) => {
    for (const f of kindOf(l).fields) {
      if (!fieldOk(f, l[f.name])) errs.push({ field: f.name, index, key: f.error, params: { min: f.min, max: f.max } });
    }
  });
  return errs;
}

// The Keras line of a layer, e.g. layers.Conv2D(32, kernel_size=(3, 3), activation="relu").
export const kerasLine = (l) => kindOf(l).code(l);

// A short description for the runs list: "Conv2D 32 3×3 relu", "100 relu".
export const describeLayer = (l) => kindOf(l).describe(l);

// The words for the core's refusal `error` ({ index, message, status, reason,
// params } from the worker) of `layers`, whose shapes up to there are `shapes`
// ({ input, layers: [{ shape }] }): { key, params } of the i18n table, where
// params.core is the core's sentence (its reason in the page's language, else
// the English text) and params.n the layer's number.
export function refusalText(layers, shapes, error) {
  const i = error.index;
  const layer = layers[i];
  const input = i === 0 ? shapes.input : shapes.layers[i - 1].shape;
  const core = reasonText(error.reason, error.params) || error.message;
  const params = { core, n: i + 1, layer: layer ? kindOf(layer).keras : '', shape: batchShapeText(input) };
  const NN_ERR_NOMEM = -2; // the output is too large for one sample
  const k = layer && error.status !== NN_ERR_NOMEM ? kindOf(layer).refusal?.(layer, input) : null;
  if (error.status === NN_ERR_NOMEM) return { key: 'shape.tooLarge', params };
  return k ? { key: k.key, params: { ...params, ...k.params } } : { key: 'shape.other', params };
}
