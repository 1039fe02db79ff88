// export_tfjs.js — an nnlab model as a TensorFlow.js Layers model: model.json
// (topology + weights manifest) and weights.bin (the float32 weights), the
// pair tf.loadLayersModel() reads. Pure: it takes the bytes of a .nnl file and
// returns the two files, so the page and the Node tests share it.
//
// The topology is a Keras-style Sequential, as tfjs-layers 4.22 deserializes
// it: an InputLayer with batch_input_shape [null, h, w, c] for image models
// ([null, n] for flat ones), then one TF.js layer per nnlab layer, from the
// `tfjs` entries of the page's registry of layer kinds (layers.js). Weights are named "<layer>/<weight>" (TF.js matches them
// by name) and laid out in weights.bin in the order each TF.js layer creates
// them: Dense and Conv2D kernel then bias, BatchNormalization gamma, beta,
// moving_mean, moving_variance. Our kernels already have Keras's layouts,
// Dense (in, out) and Conv2D (kh, kw, in_channels, filters), so they are
// copied as they are.
//
// Activations with the same definition in both: linear relu sigmoid tanh
// softmax elu selu gelu (erf form in both) swish softplus softsign.
// leaky_relu has no TF.js activation name, but the LeakyReLU layer computes it,
// so Dense/Conv2D(leaky_relu) become Dense/Conv2D(linear) + LeakyReLU(alpha =
// 0.2, Keras 3's negative_slope). hard_sigmoid is refused: Keras 3 computes
// relu6(x + 3) / 6 while TF.js's hardSigmoid is clip(0.2·x + 0.5, 0, 1), so
// the exported model would silently predict something else.
//
// nnlab treats a 1×1×C map as flat (a Dense layer may follow a convolution
// that shrank the image to 1×1); TF.js keeps it 4-D, so there the export adds
// the Flatten that Keras needs — before such a Dense and at the output.

import { TFJS_FLATTEN, tfjsOf } from './layers.js';
import { readModelFile } from './model_file.js';

export const WEIGHTS_FILE = 'weights.bin';
const LEAKY_SLOPE = 0.2; // Keras 3 leaky_relu negative_slope (src/activations.c)

const SAME_NAME = new Set([
  'linear', 'relu', 'sigmoid', 'tanh', 'softmax', 'elu', 'selu', 'gelu', 'swish', 'softplus', 'softsign',
]);

// ---------------------------------------------------------------------------

// The export is impossible for this model: `key`/`params` index the i18n table.
export class ExportError extends Error {
  constructor(key, params, message) {
    super(message);
    this.key = key;
    this.params = params;
  }
}

// Keras-style unique names: dense, dense_1, dense_2, ...
function namer() {
  const seen = {};
  return (base) => {
    const k = seen[base] || 0;
    seen[base] = k + 1;
    return k ? `${base}_${k}` : base;
  };
}

function checkActivation(a, layerName) {
  if (a === 'hard_sigmoid') {
    throw new ExportError('export.errHardSigmoid', { layer: layerName },
      `${layerName}: hard_sigmoid cannot be exported to TensorFlow.js — Keras 3 computes ` +
      'relu6(x + 3) / 6 but TF.js hardSigmoid is 0.2·x + 0.5, so the predictions would differ');
  }
  if (a !== 'leaky_relu' && !SAME_NAME.has(a)) {
    throw new ExportError('export.errActivation', { layer: layerName, activation: a },
      `${layerName}: the activation ${a} has no TensorFlow.js equivalent`);
  }
}

// bytes: a .nnl file. Returns { modelJson, weightsBin (ArrayBuffer), weightSpecs }.
export function exportTfjs(bytes, { generatedBy = 'nnlab', weightsFile = WEIGHTS_FILE } = {}) {
  const model = readModelFile(bytes);
  const name = namer();
  const weightSpecs = [];
  const blocks = [];
  let image = !(model.inputShape[0] === 1 && model.inputShape[1] === 1);
  const layers = [{
    class_name: 'InputLayer',
    config: {
      batch_input_shape: [null, ...(image ? model.inputShape : [model.inputSize])],
      dtype: 'float32', sparse: false, name: 'input_layer',
    },
  }];

  const push = (className, config, layerName) => {
    layers.push({ class_name: className, config: { ...config, name: layerName, trainable: true, dtype: 'float32' } });
  };
  const flatten = () => {
    push('Flatten', TFJS_FLATTEN.config(), name('flatten'));
    image = false;
  };

  for (const l of model.layers) {
    const kind = tfjsOf(l.kind);
    const layerName = name(kind ? kind.base : l.kind);
    if (!kind) {
      throw new ExportError('export.errLayer', { layer: layerName },
        `${layerName}: this kind of layer cannot be exported to TensorFlow.js`);
    }
    if (kind.act) checkActivation(l.activation, layerName);
    const leaky = kind.act && l.activation === 'leaky_relu';
    if (kind.input === 'flat' && image) flatten();
    if (leaky && kind.act === 'layer') {
      push('LeakyReLU', { alpha: LEAKY_SLOPE }, layerName);
    } else {
      const config = kind.config(l);
      if (kind.act) config.activation = leaky ? 'linear' : l.activation;
      push(kind.className, config, layerName);
      for (const [w, shape, values] of kind.weights ? kind.weights(l) : []) {
        if (values.length !== shape.reduce((a, b) => a * b, 1)) {
          throw new Error(`${layerName}/${w}: ${values.length} values for shape [${shape}]`); // a reader bug
        }
        weightSpecs.push({ name: `${layerName}/${w}`, shape, dtype: 'float32' });
        blocks.push(values);
      }
      if (leaky) push('LeakyReLU', { alpha: LEAKY_SLOPE }, name('leaky_re_lu'));
    }
    if (kind.output) image = kind.output === 'image';
  }
  const out = model.layers[model.layers.length - 1].outShape;
  if (image && out[0] === 1 && out[1] === 1) flatten();

  const total = blocks.reduce((n, b) => n + b.length, 0);
  const weights = new Float32Array(total); // TF.js reads the host's (little-endian) float32
  let off = 0;
  for (const b of blocks) {
    weights.set(b, off);
    off += b.length;
  }

  const modelJson = {
    format: 'layers-model',
    generatedBy,
    convertedBy: null,
    modelTopology: {
      class_name: 'Sequential',
      config: { name: 'sequential', layers },
      keras_version: 'tfjs-layers 4.22.0',
      backend: 'tensor_flow.js',
    },
    weightsManifest: [{ paths: [weightsFile], weights: weightSpecs }],
  };
  return { modelJson, weightsBin: weights.buffer, weightSpecs };
}
