// model_file_v2.test.mjs — the page's JS reader (web/js/model_file.js) on
// version-2 files: a CNN with BatchNormalization saved by the C core (the
// fuzz seed tests/fuzz/corpus/model_file/cnn, made by tests/fuzz/make_seeds.c)
// reads with its shapes, weights and moving statistics; the committed
// version-1 file still reads. (Its TF.js export: export_tfjs.test.mjs.)
//
// Run: node --test tests/node/model_file_v2.test.mjs

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { readModelFile } from '../../web/js/model_file.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (p) => fs.readFileSync(path.join(repo, p));

describe('model files version 2 in JavaScript', () => {
  test('a CNN with BatchNormalization reads with shapes, weights and state', () => {
    // conv2d:2:3:relu:same,batchnorm,avgpool:2:1,maxpool:2,conv2d:2:2:tanh:valid:2,flatten,2:softmax on 6x6x1
    const m = readModelFile(read('tests/fuzz/corpus/model_file/cnn'));
    assert.deepEqual(m.inputShape, [6, 6, 1]);
    assert.deepEqual(m.layers.map((l) => l.kind), ['conv2d', 'batch_normalization', 'average_pooling2d',
      'max_pooling2d', 'conv2d', 'flatten', 'dense']);
    assert.deepEqual(m.layers.map((l) => l.outShape), [[6, 6, 2], [6, 6, 2], [5, 5, 2], [2, 2, 2], [1, 1, 2],
      [1, 1, 2], [1, 1, 2]]);
    const [conv, bn] = m.layers;
    assert.deepEqual(conv.kernelSize, [3, 3]);
    assert.equal(conv.padding, 'same');
    assert.equal(conv.kernel.length, 3 * 3 * 1 * 2);
    assert.equal(conv.bias.length, 2);
    assert.equal(bn.gamma.length, 2);
    assert.equal(bn.movingVariance.length, 2);
    assert.ok(bn.movingVariance.every((v) => v > 0 && v !== 1), 'moving variance trained away from 1');
    assert.equal(m.nState, 4);
    assert.equal(m.nParams, 20 + 4 + (2 * 2 * 2 * 2 + 2) + (2 * 2 + 2));
  });

  test('the committed version-1 file still reads', () => {
    const m = readModelFile(read('tests/data/tiny_model_v1.bin'));
    assert.deepEqual(m.inputShape, [1, 1, 4]);
    assert.deepEqual(m.layers.map((l) => [l.kind, l.in, l.out]), [['dense', 4, 3], ['dropout', 3, 3], ['dense', 3, 2]]);
    assert.equal(m.layers[0].kernel.length, 12);
    assert.equal(m.nState, 0);
  });
});
