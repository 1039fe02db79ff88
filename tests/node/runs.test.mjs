// runs.test.mjs — training runs as data (web/js/runs.js), without a browser:
// the smoothed per-batch curve (EMA, debiased, thinned to about 800 points),
// what an epoch records, the CSV and JSON files, and the list kept in
// storage (a running run is not kept; damaged storage loses nothing else).
//
// Run: node --test tests/node/runs.test.mjs

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  BATCH_POINTS, PALETTE, SMOOTHING, addBatches, loadRuns, newRun, nextRunNumber, recordEpoch, runCsv, runFileName,
  runJson, runName, saveRuns,
} from '../../web/js/runs.js';

const run = (n = 1, extra = {}) => ({ ...newRun({ n, name: `Run ${n}`, config: { epochs: 2 }, initialEpoch: 0,
  now: new Date(Date.UTC(2026, 11, 1)) }), ...extra });

// A fake localStorage.
function memoryStorage(initial = {}) {
  const items = { ...initial };
  return { items, getItem: (k) => (k in items ? items[k] : null), setItem: (k, v) => { items[k] = String(v); } };
}

test('a new run has its number, colour and empty series', () => {
  const r = run(11);
  assert.equal(r.color, PALETTE[0]);
  assert.equal(r.started, '2026-12-01T00:00:00.000Z');
  assert.deepEqual(r.series.loss, { epoch: [], val: [], batch: [] });
  assert.equal(nextRunNumber([run(3), run(7), run(2)]), 8);
  assert.equal(nextRunNumber([]), 1);
});

test('the per-batch curve is a debiased moving average at batch positions', () => {
  const r = run();
  const p = { epoch: 0, epochs: 1, step: 3, steps: 10 };
  addBatches(r, [2, 0.1, 1, 0.5, 0.5, 0.9], p, 0, null); // batches 1..3 of epoch 1
  const pts = r.series.loss.batch;
  assert.deepEqual(pts.map((q) => q.x), [0.1, 0.2, 0.3]);
  // After one batch the debiased average is the batch itself; then the EMA.
  assert.ok(Math.abs(pts[0].y - 2) < 1e-12);
  const ema2 = (1 - SMOOTHING) * (SMOOTHING * 2 + 1);
  assert.ok(Math.abs(pts[1].y - ema2 / (1 - SMOOTHING ** 2)) < 1e-12, `${pts[1].y}`);
  assert.ok(r.series.accuracy.batch[2].y > 0.1 && r.series.accuracy.batch[2].y < 0.9);
  // The fit's epochs are numbered after the model's (a continued fit: offset 4).
  addBatches(r, [1, 1], { ...p, step: 4 }, 4, null);
  assert.equal(r.series.loss.batch.at(-1).x, 4.4);
});

test('a long fit keeps about BATCH_POINTS batch points, and the last of each epoch', () => {
  const r = run();
  const steps = 1875;
  const epochs = 5;
  for (let e = 0; e < epochs; e++) {
    for (let s = 1; s <= steps; s += 25) {
      const k = Math.min(25, steps - s + 1);
      const batches = Array.from({ length: 2 * k }, () => 0.5);
      addBatches(r, batches, { epoch: e, epochs, step: s + k - 1, steps }, 0, s + k - 1 === steps);
    }
  }
  const n = r.series.loss.batch.length;
  assert.ok(n <= BATCH_POINTS + epochs && n > BATCH_POINTS * 0.9, `${n} points`);
  for (let e = 1; e <= epochs; e++) assert.ok(r.series.loss.batch.some((q) => q.x === e), `epoch ${e} end`);
});

test('an epoch records its history and its points; no validation leaves gaps', () => {
  const r = run();
  recordEpoch(r, 1, { loss: 0.5, accuracy: 0.8, valLoss: 0.4, valAccuracy: 0.85 });
  recordEpoch(r, 2, { loss: 0.3, accuracy: 0.9, valLoss: NaN, valAccuracy: NaN });
  assert.deepEqual(r.history, { loss: [0.5, 0.3], accuracy: [0.8, 0.9], valLoss: [0.4, null], valAccuracy: [0.85, null] });
  assert.deepEqual(r.series.accuracy.epoch, [{ x: 1, y: 0.8 }, { x: 2, y: 0.9 }]);
  assert.deepEqual(r.series.loss.val, [{ x: 1, y: 0.4 }]);
  assert.equal(runCsv(r), 'epoch,loss,accuracy,val_loss,val_accuracy\n1,0.5,0.8,0.4,0.85\n2,0.3,0.9,,\n');
  const json = JSON.parse(runJson(r));
  assert.deepEqual(json.history, { loss: [0.5, 0.3], accuracy: [0.8, 0.9], val_loss: [0.4, null], val_accuracy: [0.85, null] });
  assert.equal(json.name, 'Run 1');
  assert.equal(runFileName({ name: 'CNN vs MLP / 2' }, 'csv'), 'nnlab-CNN_vs_MLP_2.csv');
});

test('finished runs are kept in storage, a running one is not, damaged storage reads as none', () => {
  const storage = memoryStorage();
  const done = run(1, { status: 'done' });
  recordEpoch(done, 1, { loss: 0.5, accuracy: 0.8, valLoss: 0.4, valAccuracy: 0.85 });
  saveRuns(storage, [done, run(2)]);
  const back = loadRuns(storage);
  assert.equal(back.length, 1);
  assert.equal(back[0].ema, undefined); // the moving average is not kept
  assert.deepEqual(back[0].history, done.history);
  assert.deepEqual(loadRuns(memoryStorage({ 'nnlab.runs.v1': '{not json' })), []);
  assert.deepEqual(loadRuns(memoryStorage({ 'nnlab.runs.v1': '{"a":1}' })), []);
  assert.deepEqual(loadRuns(memoryStorage({ 'nnlab.runs.v1': '[null, {"name": "x"}]' })), []);
  assert.deepEqual(loadRuns(null), []); // no storage at all
  saveRuns(null, [done]); // and saving to none does not throw
  const full = { getItem: () => null, setItem: () => { throw new Error('QuotaExceededError'); } };
  saveRuns(full, [done]);
});

test('a new run takes the first colour no run in the list has; all taken, they repeat by number', () => {
  const runs = [run(1), run(2), run(3)];
  runs[1].color = PALETTE[4];
  const next = newRun({ n: 4, name: 'x', config: {}, initialEpoch: 0, runs });
  assert.equal(next.color, PALETTE[1]);
  const full = PALETTE.map((c, i) => ({ ...run(i + 1), color: c }));
  assert.equal(newRun({ n: 10, name: 'x', config: {}, initialEpoch: 0, runs: full }).color, PALETTE[9 % PALETTE.length]);
  assert.equal(new Set(PALETTE).size, PALETTE.length);
});

test('a run is named by its hidden layers, optimizer, learning rate and epochs', async () => {
  const { parseLayerString } = await import('../../web/js/layers.js');
  const t = (key, p) => ({ 'runs.logreg': 'Logistic regression', 'runs.epoch': '1 epoch', 'runs.epochs': `${p && p.n} epochs` })[key];
  const c = (text, optimizer = 'adam', lr = 0.001) => ({ layers: parseLayerString(text), optimizer, lr });
  assert.equal(runName(c('100:relu,10:softmax'), 5, t), 'MLP 100 relu · adam 0.001 · 5 epochs');
  assert.equal(runName(c('256:relu,dropout:0.2,128:tanh,10:softmax', 'sgd', 0.01), 1, t), 'MLP 256 relu, 128 tanh · sgd 0.01 · 1 epoch');
  assert.equal(runName(c('10:softmax', 'sgd', 0.5), 3, t), 'Logistic regression · sgd 0.5 · 3 epochs');
  assert.equal(runName(c('conv2d:32:3:relu,maxpool:2,conv2d:64:3:relu,maxpool:2,flatten,dropout:0.5,10:softmax'), 12, t),
    'CNN 32-64 · adam 0.001 · 12 epochs');
  assert.equal(runName(c('conv2d:8:5:relu,flatten,64:relu,10:softmax'), 2, t), 'CNN 8 + 64 relu · adam 0.001 · 2 epochs');
});
