// model_config.test.mjs — the page's rules without a browser: presets, the
// layer string the C core parses, validation verdicts, and the Keras code.
//
// Run: node --test tests/node/model_config.test.mjs

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  PRESETS, defaultConfig, kerasCode, layerString, parseLayerString, trainingCounts, validateFit, validateModel,
} from '../../web/js/model_config.js';

const keys = (errs) => errs.map((e) => `${e.field}${e.index ?? ''}:${e.key}`);

test('presets become nn_parse_layers strings and back', () => {
  assert.equal(layerString(PRESETS.logreg), '10:softmax');
  assert.equal(layerString(PRESETS.mlp), '100:relu,10:softmax');
  assert.equal(layerString(PRESETS.deep), '256:relu,dropout:0.2,128:relu,10:softmax');
  assert.deepEqual(parseLayerString('256:relu,dropout:0.2,128:relu,10:softmax'), PRESETS.deep);
  assert.deepEqual(parseLayerString('64,10:softmax')[0], { kind: 'dense', units: 64, activation: 'linear' });
  assert.equal(parseLayerString('activation:tanh'), null); // the builder has no Activation row
  assert.equal(parseLayerString('10:nonsense'), null);
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
  c.layers = PRESETS.deep.map((l) => ({ ...l }));
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
