// model_config.test.mjs — the page's rules without a browser: presets, the
// layer string the C core parses, validation verdicts, and the Keras code
// (for MLPs and CNNs).
//
// Run: node --test tests/node/model_config.test.mjs

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  PRESETS, cloneLayers, defaultConfig, kerasCode, largestLayer, layerString, parseLayerString, trainingCounts,
  validateFit, validateModel,
} from '../../web/js/model_config.js';

const keys = (errs) => errs.map((e) => `${e.field}${e.index ?? ''}:${e.key}`);

test('presets become nn_parse_layers strings and back, with their batch sizes', () => {
  assert.equal(layerString(PRESETS.logreg.layers), '10:softmax');
  assert.equal(layerString(PRESETS.mlp.layers), '100:relu,10:softmax');
  assert.equal(layerString(PRESETS.deep.layers), '256:relu,dropout:0.2,128:relu,10:softmax');
  assert.equal(layerString(PRESETS.cnnTfjs.layers),
    'conv2d:8:5:relu,maxpool:2,conv2d:16:5:relu,maxpool:2,flatten,10:softmax');
  assert.equal(layerString(PRESETS.cnnKeras.layers),
    'conv2d:32:3:relu,maxpool:2,conv2d:64:3:relu,maxpool:2,flatten,dropout:0.5,10:softmax');
  assert.deepEqual([PRESETS.cnnTfjs.batchSize, PRESETS.cnnKeras.batchSize, PRESETS.mlp.batchSize], [32, 128, 32]);
  assert.deepEqual(parseLayerString('256:relu,dropout:0.2,128:relu,10:softmax'), PRESETS.deep.layers);
  assert.deepEqual(parseLayerString('64,10:softmax')[0], { kind: 'dense', units: 64, activation: 'linear' });
  assert.deepEqual(parseLayerString('activation:tanh'), [{ kind: 'activation', activation: 'tanh' }]);
  assert.equal(parseLayerString('10:nonsense'), null);
  assert.equal(parseLayerString('conv2d:8:5:nonsense'), null);
  // A copy of a preset shares nothing with it.
  const copy = cloneLayers(PRESETS.cnnTfjs.layers);
  copy[0].kernel[0] = 7;
  assert.equal(PRESETS.cnnTfjs.layers[0].kernel[0], 5);
});

test('every layer the core writes reads back and writes the same text', () => {
  // As nn_format_layers writes them (src/layer_spec.c).
  const text = 'conv2d:32:3:relu,conv2d:32:3:relu:same,conv2d:16:5x3:tanh:valid:2,conv2d:4:3:linear:same:2x1,'
    + 'maxpool:2,avgpool:3,maxpool:2:1,maxpool:2:2:same,avgpool:3x2,flatten,batchnorm,dropout:0.5,'
    + 'activation:tanh,100:relu,10:softmax';
  assert.equal(layerString(parseLayerString(text)), text);
});

test('CNN fields are refused at their layer when impossible', () => {
  const c = defaultConfig();
  c.layers = cloneLayers(PRESETS.cnnTfjs.layers);
  assert.deepEqual(validateModel(c), []);
  c.layers[0].filters = 0;
  c.layers[0].kernel = [NaN, NaN];
  c.layers[1].pool = [2, 5000];
  c.layers[2].strides = [0, 1];
  assert.deepEqual(keys(validateModel(c)), ['filters0:err.filters', 'kernel0:err.kernel', 'pool1:err.pool',
    'strides2:err.strides']);
});

test('a too-large model is refused at the layer with the most parameters by the core\'s counts', () => {
  const shapes = { layers: [{ params: 208 }, { params: 0 }, { params: 3216 }, { params: 0 }, { params: 0 }, { params: 2570 }] };
  assert.equal(largestLayer(shapes), 2);
  assert.equal(largestLayer({ layers: [{ params: 0 }] }), -1);
  assert.equal(largestLayer(null), -1);
});

test('the default config (the seed MLP) is valid', () => {
  const c = defaultConfig();
  assert.deepEqual(validateModel(c), []);
  assert.deepEqual(validateFit(c), []);
});

test('impossible settings are refused, each at its field', () => {
  const c = defaultConfig();
  c.layers[0].units = 0;
  c.lr = 0;
  c.seed = -1;
  assert.deepEqual(keys(validateModel(c)), ['units0:err.units', 'lr:err.lr', 'seed:err.seed']);

  const d = defaultConfig();
  d.layers.splice(1, 0, { kind: 'dropout', rate: 1 });
  d.layers[2].units = 7;
  assert.deepEqual(keys(validateModel(d)), ['rate1:err.rate', 'units2:err.lastUnits']);
  d.layers = [];
  assert.deepEqual(keys(validateModel(d)), ['layers:err.noLayers']);

  const f = defaultConfig();
  f.trainLimit = 2000;
  f.batchSize = 2001;
  assert.deepEqual(keys(validateFit(f)), ['batchSize:err.batchTooLarge']);
  f.batchSize = 2000;
  assert.deepEqual(validateFit(f), []);
  f.validation = 'split';
  f.validationSplit = 0.5; // 1000 left for training
  assert.deepEqual(keys(validateFit(f)), ['batchSize:err.batchTooLarge']);
  f.validationSplit = 1;
  assert.deepEqual(keys(validateFit(f)), ['validationSplit:err.split']);
  f.validationSplit = 0.1;
  f.epochs = 0;
  f.batchSize = NaN;
  assert.deepEqual(keys(validateFit(f)), ['epochs:err.epochs', 'batchSize:err.batch']);
});

test('validation split counts match Keras (first ceil(n * (1 - split)) train)', () => {
  const c = { ...defaultConfig(), validation: 'split', validationSplit: 0.1, trainLimit: 60000 };
  assert.deepEqual(trainingCounts(c), { train: 54000, val: 6000 });
  assert.deepEqual(trainingCounts({ ...c, trainLimit: 2001 }), { train: 1801, val: 200 });
  assert.deepEqual(trainingCounts({ ...c, validation: 'test' }), { train: 60000, val: 10000 });
});

test('the Keras code follows the loss, optimizer, layers and fit options', () => {
  const c = defaultConfig();
  let code = kerasCode(c);
  assert.match(code, /keras\.Input\(shape=\(784,\)\)/);
  assert.match(code, /layers\.Dense\(100, activation="relu"\)/);
  assert.match(code, /to_categorical\(y_train, 10\)/);
  assert.match(code, /Adam\(learning_rate=0\.001\)/);
  assert.match(code, /validation_data=\(x_test, y_test\)/);
  assert.doesNotMatch(code, /x_train\[:/);

  c.loss = 'sparse_categorical_crossentropy';
  c.optimizer = 'sgd';
  c.lr = 0.01;
  c.layers = cloneLayers(PRESETS.deep.layers);
  c.trainLimit = 6000;
  c.validation = 'split';
  c.shuffle = false;
  code = kerasCode(c);
  assert.doesNotMatch(code, /to_categorical/);
  assert.match(code, /loss="sparse_categorical_crossentropy"/);
  assert.match(code, /SGD\(learning_rate=0\.01\)/);
  assert.match(code, /layers\.Dropout\(0\.2\)/);
  assert.match(code, /x_train\[:6000\], y_train\[:6000\]/);
  assert.match(code, /validation_split=0\.1/);
  assert.match(code, /shuffle=False/);
});

test('the Keras code of a CNN reads images (28, 28, 1) and names its layers as Keras does', () => {
  const c = defaultConfig();
  c.layers = cloneLayers(PRESETS.cnnKeras.layers);
  c.batchSize = 128;
  const code = kerasCode(c);
  assert.match(code, /x_train = x_train\.reshape\(-1, 28, 28, 1\)\.astype\("float32"\) \/ 255/);
  assert.match(code, /keras\.Input\(shape=\(28, 28, 1\)\)/);
  assert.match(code, /layers\.Conv2D\(32, kernel_size=\(3, 3\), activation="relu"\),\n {4}layers\.MaxPooling2D\(pool_size=\(2, 2\)\),/);
  assert.match(code, /layers\.Flatten\(\),\n {4}layers\.Dropout\(0\.5\),\n {4}layers\.Dense\(10, activation="softmax"\),/);
  assert.match(code, /batch_size=128/);
  // Strides, padding and the other kinds.
  c.layers = parseLayerString('conv2d:4:5x3:linear:same:2,avgpool:3:1:same,batchnorm,activation:tanh,flatten,10:softmax');
  const more = kerasCode(c);
  assert.match(more, /layers\.Conv2D\(4, kernel_size=\(5, 3\), strides=\(2, 2\), padding="same"\),/);
  assert.match(more, /layers\.AveragePooling2D\(pool_size=\(3, 3\), strides=\(1, 1\), padding="same"\),/);
  assert.match(more, /layers\.BatchNormalization\(\),\n {4}layers\.Activation\("tanh"\),/);
});
