// export_tfjs.js — an nnlab model as a TensorFlow.js Layers model: model.json
// (topology + weights manifest) and weights.bin (the float32 weights), the
// pair tf.loadLayersModel() reads. Pure: it takes the bytes of a .nnl file and
// returns the two files, so the page and the Node tests share it.
//
// Mapping (Keras 3 names on our side, tfjs-layers 4.22 on the other):
//   Dense(units, activation)  → Dense, weights "<name>/kernel" (in, out) then "<name>/bias" (out)
//   Dropout(rate)             → Dropout (identity at inference, as ours)
//   Activation(a)             → Activation
// Activations with the same definition in both: linear relu sigmoid tanh
// softmax elu selu gelu (erf form in both) swish softplus softsign.
// leaky_relu has no TF.js activation name, but the LeakyReLU layer computes it,
// so Dense(leaky_relu) becomes Dense(linear) + LeakyReLU(alpha = 0.2, Keras 3's
// negative_slope). hard_sigmoid is refused: Keras 3 computes relu6(x + 3) / 6
// while TF.js's hardSigmoid is clip(0.2·x + 0.5, 0, 1), so the exported model
// would silently predict something else.

import { readModelFile } from './model_file.js';

export const WEIGHTS_FILE = 'weights.bin';
const LEAKY_SLOPE = 0.2; // Keras 3 leaky_relu negative_slope (src/activations.c)

const SAME_NAME = new Set([
  'linear', 'relu', 'sigmoid', 'tanh', 'softmax', 'elu', 'selu', 'gelu', 'swish', 'softplus', 'softsign',
]);

const INITIALIZER_CLASS = {
  glorot_uniform: 'GlorotUniform',
  glorot_normal: 'GlorotNormal',
  he_normal: 'HeNormal',
  he_uniform: 'HeUniform',
  zeros: 'Zeros',
};

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

// bytes: a .nnl file. Returns { modelJson, weightsBin (ArrayBuffer), weightSpecs }.
export function exportTfjs(bytes, { generatedBy = 'nnlab', weightsFile = WEIGHTS_FILE } = {}) {
  const model = readModelFile(bytes);
  const name = namer();
  const layers = [];
  const weightSpecs = [];
  const blocks = [];

  const push = (className, config) => {
    if (layers.length === 0) {
      config.batch_input_shape = [null, model.inputSize];
      config.dtype = 'float32';
    }
    layers.push({ class_name: className, config: { ...config, trainable: true } });
  };
  const leakyRelu = () => push('LeakyReLU', { alpha: LEAKY_SLOPE, name: name('leaky_re_lu') });
  const checkActivation = (a, layerName) => {
    if (a === 'hard_sigmoid') {
      throw new ExportError('export.errHardSigmoid', { layer: layerName },
        `${layerName}: hard_sigmoid cannot be exported to TensorFlow.js — Keras 3 computes ` +
        'relu6(x + 3) / 6 but TF.js hardSigmoid is 0.2·x + 0.5, so the predictions would differ');
    }
    if (a !== 'leaky_relu' && !SAME_NAME.has(a)) {
      throw new ExportError('export.errActivation', { layer: layerName, activation: a },
        `${layerName}: the activation ${a} has no TensorFlow.js equivalent`);
    }
  };

  for (const l of model.layers) {
    if (l.kind === 'dense') {
      const layerName = name('dense');
      checkActivation(l.activation, layerName);
      push('Dense', {
        units: l.units,
        activation: l.activation === 'leaky_relu' ? 'linear' : l.activation,
        use_bias: true,
        kernel_initializer: { class_name: INITIALIZER_CLASS[l.initializer] || 'GlorotUniform', config: { seed: null } },
        bias_initializer: { class_name: 'Zeros', config: {} },
        kernel_regularizer: null,
        bias_regularizer: null,
        activity_regularizer: null,
        kernel_constraint: null,
        bias_constraint: null,
        name: layerName,
      });
      weightSpecs.push({ name: `${layerName}/kernel`, shape: [l.in, l.out], dtype: 'float32' });
      weightSpecs.push({ name: `${layerName}/bias`, shape: [l.out], dtype: 'float32' });
      blocks.push(l.kernel, l.bias);
      if (l.activation === 'leaky_relu') leakyRelu();
    } else if (l.kind === 'dropout') {
      push('Dropout', { rate: l.rate, noise_shape: null, seed: null, name: name('dropout') });
    } else if (l.kind !== 'activation') {
      // Convolutions, pooling, Flatten and BatchNormalization come in a later step.
      const layerName = name(l.kind);
      throw new ExportError('export.errLayer', { layer: layerName },
        `${layerName}: this layer cannot be exported to TensorFlow.js yet (only Dense, Dropout and Activation layers can)`);
    } else {
      const layerName = name('activation');
      checkActivation(l.activation, layerName);
      if (l.activation === 'leaky_relu') leakyRelu();
      else push('Activation', { activation: l.activation, name: layerName });
    }
  }

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
