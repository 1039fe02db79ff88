// share.test.mjs — a setup as a link's hash and back (web/js/share.js), without a
// browser: every setting survives the round trip, values out of range are clamped as
// the form would, unreadable ones keep the default and are named, a link of another
// version gives the defaults, and the longest setup's link stays under 2,000 characters.
//
// Run: node --test tests/node/share.test.mjs

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { MAX_UNITS, parseLayerString } from '../../web/js/layers.js';
import { MAX_LAYERS, MNIST_INFO, PRESETS, defaultConfig } from '../../web/js/model_config.js';
import { MAX_LINK, decodeSetup, encodeSetup, setupLink, setupNotice } from '../../web/js/share.js';

const changed = () => ({
  ...defaultConfig(),
  layers: parseLayerString('conv2d:16:5:relu:same:2,avgpool:2,batchnorm,flatten,dropout:0.25,64:tanh,10:softmax'),
  optimizer: 'rmsprop', lr: 0.0025, loss: 'sparse_categorical_crossentropy', epochs: 7, batchSize: 64,
  trainLimit: 6000, validation: 'split', validationSplit: 0.2, shuffle: false, seed: 7,
});

test('every setting of a setup comes back from its link', () => {
  const c = changed();
  assert.notDeepEqual(c, defaultConfig());
  const got = decodeSetup(`#${encodeSetup(c)}`, MNIST_INFO);
  assert.deepEqual(got.config, c);
  assert.deepEqual(got.ignored, []);
  assert.deepEqual(got.clamped, []);
  assert.deepEqual(setupNotice(got), []);
  // each preset too
  for (const [name, p] of Object.entries(PRESETS)) {
    const d = { ...defaultConfig(), layers: p.layers, batchSize: p.batchSize };
    assert.deepEqual(decodeSetup(encodeSetup(d), MNIST_INFO).config, d, name);
  }
});

test('the link is readable: the layer text keeps its colons and commas', () => {
  const text = encodeSetup(defaultConfig());
  assert.match(text, /^nn=1&l=100:relu,10:softmax&o=adam&lr=0.001&loss=c&e=5&b=32&n=60000&val=test&sh=1&s=42$/);
  assert.equal(setupLink('http://x/index.html?test#old', defaultConfig()), `http://x/index.html?test#${text}`);
});

test('numbers out of range are clamped as the form clamps them, and named', () => {
  const got = decodeSetup('nn=1&e=5000&b=0&n=99999999&s=4294967296', MNIST_INFO);
  assert.equal(got.config.epochs, 1000);
  assert.equal(got.config.batchSize, 1);
  assert.equal(got.config.trainLimit, MNIST_INFO.nTrain);
  assert.equal(got.config.seed, 4294967295);
  assert.deepEqual(got.clamped.map((c) => c.key), ['e', 'b', 'n', 's']);
  assert.ok(setupNotice(got).every((n) => n.key === 'share.clamped'));
  // the data's own size bounds the samples: 2,000 training images
  assert.equal(decodeSetup('nn=1&n=5000', { ...MNIST_INFO, nTrain: 2000 }).config.trainLimit, 2000);
});

test('what cannot be read keeps the default and is named; unknown keys are named too', () => {
  const d = defaultConfig();
  const bad = [
    ['l', 'dense:abc'], ['l', '100:nosuch,10:softmax'], ['l', `${MAX_UNITS + 1}:relu,10:softmax`], ['l', ''],
    ['l', Array(MAX_LAYERS + 1).fill('10:relu').join(',')],
    ['o', 'adamw'], ['lr', '-1'], ['lr', '0'], ['lr', 'Infinity'], ['lr', '1e999'], ['loss', 'mse'],
    ['e', 'five'], ['e', '-3'], ['e', '2.5'], ['b', ''], ['val', '1.5'], ['val', '0'], ['sh', 'yes'], ['s', '-1'],
  ];
  for (const [k, v] of bad) {
    const got = decodeSetup(`nn=1&${k}=${encodeURIComponent(v)}`, MNIST_INFO);
    assert.deepEqual(got.config, d, `${k}=${v}`);
    assert.deepEqual(got.ignored.map((x) => [x.key, x.text]), [[k, v]], `${k}=${v}`);
    assert.deepEqual(setupNotice(got).map((n) => n.key), ['share.ignored']);
  }
  // a bad %-escape, and a key no version has
  assert.deepEqual(decodeSetup('nn=1&e=%E0%A4%A', MNIST_INFO).ignored.map((x) => x.key), ['e']);
  const odd = decodeSetup('nn=1&e=3&zoom=2', MNIST_INFO);
  assert.equal(odd.config.epochs, 3);
  assert.deepEqual(setupNotice(odd).map((n) => [n.key, n.params.key]), [['share.unknown', 'zoom']]);
});

test('a link of another version, or of no version, gives the defaults and says so', () => {
  const other = decodeSetup('nn=2&e=9', MNIST_INFO);
  assert.deepEqual(other.config, defaultConfig());
  assert.deepEqual(setupNotice(other), [{ key: 'share.otherVersion', params: { version: '2' } }]);
  const none = decodeSetup('#section-3', MNIST_INFO);
  assert.deepEqual(none.config, defaultConfig());
  assert.equal(setupNotice(none)[0].key, 'share.notALink');
  assert.equal(decodeSetup('', MNIST_INFO), null);
  assert.equal(decodeSetup('#', MNIST_INFO), null);
});

test('the longest setup the form allows makes a link under 2,000 characters', () => {
  const widest = parseLayerString(Array(MAX_LAYERS - 1).fill(`conv2d:${MAX_UNITS}:4095x4096:hard_sigmoid:valid:4095x4096`)
    .concat([`${MAX_UNITS}:softmax`]).join(','));
  assert.equal(widest.length, MAX_LAYERS);
  const c = { ...changed(), layers: widest, lr: 0.00012345678901234567, seed: 4294967295, validationSplit: 0.123456789 };
  const link = setupLink('https://someone.github.io/nnlab/index.html', c);
  assert.ok(link.length < MAX_LINK, `${link.length} characters`);
  assert.deepEqual(decodeSetup(link.split('#')[1], MNIST_INFO).config, c);
});
