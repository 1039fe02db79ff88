// robustness_config.test.mjs — the rules behind "bring your own data",
// without a browser: reading and checking IDX files (web/js/dataset_files.js,
// with Node's File and DecompressionStream), telling the four files apart,
// and the model config following the data (web/js/model_config.js).
//
// Run: node --test tests/browser/robustness_config.test.mjs

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { readDatasetFiles, readIdxHeader } from '../../web/js/dataset_files.js';
import {
  MNIST_INFO, adaptToData, defaultConfig, kerasCode, largestLayer, trainingCounts, validateFit, validateModel,
} from '../../web/js/model_config.js';
import { gzip, idxHeader, idxImages, toyData, toyFiles } from './idx_fixtures.mjs';

const ab = (buf) => buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
const files = (obj) => Object.entries(obj).map(([name, buf]) => new File([buf], name));
const fault = async (promise) => {
  try {
    await promise;
  } catch (e) {
    return [e.key, e.params];
  }
  return null;
};

test('IDX headers: kinds and sizes, and every fault by name', () => {
  const { images, labels } = toyData(10, { rows: 5, cols: 7 });
  assert.deepEqual(readIdxHeader(ab(images), 'a'), { kind: 'images', n: 10, rows: 5, cols: 7, offset: 16 });
  assert.deepEqual(readIdxHeader(ab(labels), 'b'), { kind: 'labels', n: 10, offset: 8 });
  const key = (buf) => {
    try {
      readIdxHeader(ab(buf), 'f');
    } catch (e) {
      return e.key;
    }
    return null;
  };
  assert.equal(key(Buffer.alloc(5)), 'data.errShort');
  assert.equal(key(Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0])), 'dataset.errNotIdx');
  assert.equal(key(idxHeader([1, 1, 1], 0x0d)), 'dataset.errType');
  assert.equal(key(idxHeader([1, 1])), 'dataset.errNdim');
  assert.equal(key(images.subarray(0, 12)), 'dataset.errTruncated');
  assert.equal(key(images.subarray(0, 100)), 'dataset.errTruncated');
  assert.equal(key(Buffer.concat([images, Buffer.alloc(1)])), 'dataset.errExtra');
  assert.equal(key(idxImages(0, 5, 7, [])), 'dataset.errNoImages');
  assert.equal(key(idxHeader([0])), 'dataset.errNoLabels');
  assert.equal(key(idxHeader([3, 0, 7])), 'dataset.errZeroSize');
  assert.equal(key(idxHeader([0xffffffff, 0xffff, 0xffff])), 'dataset.errOverflow');
  assert.equal(key(idxHeader([65536, 2048, 1024])), 'dataset.errOverflow'); // 2^37 > 2^31 - 1
  assert.equal(key(Buffer.concat([idxHeader([1, 2048, 1024]), Buffer.alloc(2048 * 1024)])), 'dataset.errTooLarge');
});

test('four files: gzip by magic, which is which by header and name (or size), classes from the training labels', async () => {
  const gz = toyFiles({ gz: true });
  const got = await readDatasetFiles(files(gz).reverse());
  assert.deepEqual(got.info, {
    name: null, builtin: false, rows: 12, cols: 12, classes: 3, nTrain: 300, nTest: 60,
    files: {
      trainImages: 'train-images-idx3-ubyte.gz', trainLabels: 'train-labels-idx1-ubyte.gz',
      testImages: 't10k-images-idx3-ubyte.gz', testLabels: 't10k-labels-idx1-ubyte.gz',
    },
  });
  assert.equal(got.sets.train.images.byteLength, 16 + 300 * 144);
  assert.equal(got.sets.test.labels.byteLength, 8 + 60);
  // Names that say nothing: the larger set trains.
  const raw = toyFiles();
  const anon = { a: raw['t10k-labels-idx1-ubyte'], b: raw['train-images-idx3-ubyte'], c: raw['t10k-images-idx3-ubyte'], d: raw['train-labels-idx1-ubyte'] };
  assert.deepEqual((await readDatasetFiles(files(anon))).names, { trainImages: 'b', trainLabels: 'd', testImages: 'c', testLabels: 'a' });
  // "test" in a name marks the test set even when it is the larger one.
  const big = { 'x-test-img': toyData(500, { seed: 3 }).images, 'x-test-lbl': toyData(500, { seed: 3 }).labels, 'x-img': raw['t10k-images-idx3-ubyte'], 'x-lbl': raw['t10k-labels-idx1-ubyte'] };
  const named = await readDatasetFiles(files(big));
  assert.deepEqual([named.info.nTrain, named.info.nTest], [60, 500]);

  const damaged = gzip(raw['train-images-idx3-ubyte']);
  damaged.fill(0x55, 40, 200);
  assert.equal((await fault(readDatasetFiles(files({ ...raw, 'train-images-idx3-ubyte': damaged }))))[0], 'dataset.errGzip');
  const one = Buffer.from(raw['train-labels-idx1-ubyte']);
  one.fill(0, 8);
  assert.deepEqual(await fault(readDatasetFiles(files({ ...raw, 'train-labels-idx1-ubyte': one }))),
    ['dataset.errOneClass', { name: 'train-labels-idx1-ubyte' }]);
  assert.deepEqual(await fault(readDatasetFiles(files({ a: raw['train-images-idx3-ubyte'] }))), ['dataset.errFileCount', { n: 1 }]);
});

test('the config follows the data: last layer, limits, validation, Keras code', () => {
  const toy = { name: null, builtin: false, rows: 12, cols: 12, classes: 3, nTrain: 300, nTest: 60,
    files: { trainImages: 'tr-i.gz', trainLabels: 'tr-l', testImages: 'te-i', testLabels: 'te-l' } };
  const c = adaptToData(defaultConfig(), MNIST_INFO, toy);
  assert.equal(c.layers.at(-1).units, 3);
  assert.equal(c.trainLimit, 300);
  assert.deepEqual(validateModel(c, toy), []);
  assert.deepEqual(validateFit(c, toy), []);
  assert.deepEqual(validateModel(c).map((e) => e.key), ['err.lastUnits']); // MNIST wants 10
  assert.deepEqual(trainingCounts(c, toy), { train: 300, val: 60 });
  assert.deepEqual(validateFit({ ...c, trainLimit: 301 }, toy).map((e) => e.key), ['err.trainLimit']);
  // A limit the user chose survives a switch that leaves room for it.
  assert.equal(adaptToData({ ...defaultConfig(), trainLimit: 200 }, MNIST_INFO, toy).trainLimit, 200);
  // The same data again (a restart) changes nothing.
  const edited = { ...defaultConfig(), trainLimit: 1234 };
  assert.deepEqual(adaptToData(edited, MNIST_INFO, MNIST_INFO), edited);

  const code = kerasCode(c, toy);
  assert.match(code, /^import gzip\nimport numpy as np\nimport keras/);
  assert.match(code, /x_train, y_train = load_idx\("tr-i\.gz"\), load_idx\("tr-l"\)/);
  assert.match(code, /reshape\(-1, 144\)/);
  assert.match(code, /keras\.Input\(shape=\(144,\)\)/);
  assert.match(code, /to_categorical\(y_test, 3\)/);
  assert.doesNotMatch(code, /x_train\[:/);
  assert.match(kerasCode(c), /keras\.datasets\.mnist\.load_data\(\)/);

  // Where "too large" goes: the layer with the most weights, by the core's
  // counts (the worker's shapes of 64 relu, dropout, 65536 relu, 10 softmax).
  const layers = [{ params: 144 * 64 + 64 }, { params: 0 }, { params: 64 * 65536 + 65536 }, { params: 655370 }];
  assert.equal(largestLayer({ layers }), 3 - 1);
  assert.equal(largestLayer({ layers: [{ params: 0 }] }), -1);
});
