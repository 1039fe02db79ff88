// worker.js — owns the wasm module (created once) and runs training in slices.
//
// Requests arrive as { id, type, ...args } and are answered with
// { id, ok, result | error }. While a fit runs, the worker calls
// nn_wasm_fit_run one batch at a time for at most SLICE_MS, then posts a
// 'progress' event with every batch's loss and accuracy of that slice and
// yields, so pause/stop messages get in between slices. The worker never
// touches the DOM; the page never touches the wasm heap.

import createNnlab from '../wasm/nnlab.js';

const SLICE_MS = 25;

let M = null;   // the Emscripten module
let api = null; // cwrapped nn_wasm_* functions

const modulePromise = createNnlab({
  locateFile: (path) => new URL(`../wasm/${path}`, import.meta.url).href,
}).then((mod) => {
  M = mod;
  const f = (name, ret, args) => mod.cwrap(`nn_wasm_${name}`, ret, args);
  api = {
    lastError: f('last_error', 'string', []),
    kernelName: f('kernel_name', 'string', []),
    datasetLoad: f('dataset_load', 'number', ['number', 'number', 'number', 'number', 'number']),
    datasetCount: f('dataset_count', 'number', ['number']),
    datasetImages: f('dataset_images', 'number', ['number']),
    datasetLabels: f('dataset_labels', 'number', ['number']),
    modelBuild: f('model_build', 'number', ['string', 'number', 'number', 'string', 'number', 'string']),
    modelSummary: f('model_summary', 'string', []),
    modelLayers: f('model_layers', 'string', []),
    modelInfo: f('model_info', 'number', []),
    fitBegin: f('fit_begin', 'number', ['number', 'number', 'number', 'number', 'number', 'number']),
    fitRun: f('fit_run', 'number', ['number', 'number']),
    fitPoll: f('fit_poll', 'number', []),
    fitEnd: f('fit_end', null, []),
    evaluate: f('evaluate', 'number', ['number', 'number']),
    predictSamples: f('predict_samples', 'number', ['number', 'number', 'number', 'number']),
    out: f('out', 'number', []),
    historyEpochs: f('history_epochs', 'number', []),
    history: f('history', 'number', ['number']),
    modelSave: f('model_save', 'number', []),
    savedData: f('saved_data', 'number', []),
    savedFree: f('saved_free', null, []),
    modelLoad: f('model_load', 'number', ['number', 'number']),
  };
  return mod;
});

// ---------------------------------------------------------------------------
// Helpers over the heap

class WasmError extends Error {}

function check(rc) {
  if (rc < 0) throw new WasmError(api.lastError() || `status ${rc}`);
  return rc;
}

function floats(ptr, n) {
  return Array.from(M.HEAPF32.subarray(ptr >> 2, (ptr >> 2) + n));
}

// Copy bytes into a fresh heap block, call fn(ptr, len), free the block.
function withBytes(bytes, fn) {
  const u8 = new Uint8Array(bytes);
  const ptr = M._malloc(Math.max(1, u8.length));
  if (!ptr) throw new WasmError('Out of memory.');
  try {
    M.HEAPU8.set(u8, ptr);
    return fn(ptr, u8.length);
  } finally {
    M._free(ptr);
  }
}

function poll() {
  const o = floats(api.fitPoll(), 18);
  return {
    epoch: o[0], epochs: o[1], step: o[2], steps: o[3], loss: o[4], accuracy: o[5],
    batchLoss: o[6], batchAccuracy: o[7],
    last: { epoch: o[8], loss: o[9], accuracy: o[10], valLoss: o[11], valAccuracy: o[12] },
    historyEpochs: o[13], done: o[14], fitting: o[15], nTrain: o[16], nVal: o[17],
  };
}

function modelInfo() {
  const o = floats(api.modelInfo(), 10);
  return {
    inputSize: o[0], nLayers: o[1], params: o[2], outputSize: o[3], compiled: !!o[4],
    optimizer: o[5], lr: o[6], loss: o[7], step: o[8], historyEpochs: o[9],
  };
}

function describeModel() {
  return { summary: api.modelSummary() || '', layers: api.modelLayers() || '', info: modelInfo() };
}

function history() {
  const n = api.historyEpochs();
  const series = (i) => (n ? floats(api.history(i), n).map((x) => (Number.isNaN(x) ? null : x)) : []);
  return { loss: series(0), accuracy: series(1), valLoss: series(2), valAccuracy: series(3) };
}

// ---------------------------------------------------------------------------
// The training loop

// state: 'idle' | 'running' | 'paused'
const fit = { state: 'idle', historyEpochs: 0, epochStart: 0, epochActive: 0, stepsThisEpoch: 0 };

function emit(type, payload) {
  self.postMessage({ event: type, ...payload });
}

function setState(state) {
  fit.state = state;
  emit('state', { state });
}

// A zero-delay macrotask that is not clamped to 4 ms like nested setTimeout.
const channel = new MessageChannel();
channel.port1.onmessage = () => slice();
const schedule = () => channel.port2.postMessage(0);

function finish(stopped, error) {
  api.fitEnd();
  setState('idle');
  emit('done', { stopped, error: error || null, history: history(), model: describeModel() });
}

// Run batches for up to `budgetMs` (or exactly `maxSteps` of them).
function runSteps(budgetMs, maxSteps) {
  const t0 = performance.now();
  const batches = [];
  let p = null;
  let epochEnd = null;
  let steps = 0;
  while (steps < maxSteps && (budgetMs === Infinity || performance.now() - t0 < budgetMs)) {
    const n = api.fitRun(1, 1);
    if (n < 0) {
      emitProgress(batches, poll(), null, performance.now() - t0);
      return { error: api.lastError() };
    }
    p = poll();
    if (n > 0) {
      steps += n;
      batches.push(p.batchLoss, p.batchAccuracy);
    }
    if (p.historyEpochs > fit.historyEpochs) {
      fit.historyEpochs = p.historyEpochs;
      epochEnd = p.last;
      break;
    }
    if (p.done || n === 0) break;
  }
  if (!p) p = poll();
  emitProgress(batches, p, epochEnd, performance.now() - t0);
  return { done: !!p.done };
}

function emitProgress(batches, p, epochEnd, ms) {
  fit.epochActive += ms;
  fit.stepsThisEpoch += batches.length / 2;
  const msPerStep = fit.stepsThisEpoch ? fit.epochActive / fit.stepsThisEpoch : 0;
  emit('progress', {
    batches: new Float32Array(batches),
    p,
    elapsed: fit.epochActive / 1000,
    msPerStep,
    epochEnd,
  });
  if (epochEnd) {
    fit.epochActive = 0;
    fit.stepsThisEpoch = 0;
  }
}

function slice() {
  if (fit.state !== 'running') return;
  const r = runSteps(SLICE_MS, Infinity);
  if (r.error) finish(false, r.error);
  else if (r.done) finish(false);
  else schedule();
}

// ---------------------------------------------------------------------------
// Requests

const handlers = {
  async init() {
    await modulePromise;
    return { kernel: api.kernelName() };
  },

  // sets: { train: {images, labels}, test: {images, labels} } as transferred ArrayBuffers.
  loadData({ sets }) {
    const counts = {};
    for (const [which, name] of [[0, 'train'], [1, 'test']]) {
      const s = sets[name];
      withBytes(s.images, (ip, il) => withBytes(s.labels, (lp, ll) => check(api.datasetLoad(which, ip, il, lp, ll))));
      counts[name] = api.datasetCount(which);
    }
    counts.heapBytes = M.HEAPU8.length; // wasm memory after loading (it never shrinks)
    return counts;
  },

  // Create and compile a model; the previous one stays if anything fails.
  build({ config }) {
    if (fit.state !== 'idle') throw new WasmError('Stop training before building a new model.');
    const { layerText, seed, optimizer, lr, loss } = config;
    check(api.modelBuild(layerText, 784, seed >>> 0, optimizer, lr, loss));
    return describeModel();
  },

  // Begin a fit of a freshly built model. step: run one batch and pause.
  start({ config, step }) {
    const built = handlers.build({ config });
    const f = config.fit;
    check(api.fitBegin(f.epochs, f.batchSize, f.shuffle ? 1 : 0, f.validationSplit,
      f.validation === 'test' ? 1 : 0, f.trainLimit));
    const p = poll();
    fit.historyEpochs = p.historyEpochs;
    fit.epochActive = 0;
    fit.stepsThisEpoch = 0;
    if (step) {
      setState('paused');
      handlers.step();
    } else {
      setState('running');
      schedule();
    }
    return { model: built, nTrain: p.nTrain, nVal: p.nVal, steps: p.steps, epochs: p.epochs };
  },

  pause() {
    if (fit.state === 'running') setState('paused');
    return { state: fit.state };
  },

  resume() {
    if (fit.state === 'paused') {
      setState('running');
      schedule();
    }
    return { state: fit.state };
  },

  step() {
    if (fit.state !== 'paused') throw new WasmError('Pause training before stepping.');
    const r = runSteps(Infinity, 1);
    if (r.error) finish(false, r.error);
    else if (r.done) finish(false);
    return { state: fit.state };
  },

  stop() {
    if (fit.state !== 'idle') finish(true);
    return { state: fit.state };
  },

  evaluate({ which, batchSize }) {
    check(api.evaluate(which === 'train' ? 0 : 1, batchSize || 256));
    const o = floats(api.out(), 2);
    return { loss: o[0], accuracy: o[1] };
  },

  // Predictions for `count` test samples from `start`, with their pixels and labels.
  predict({ start, count }) {
    const probsPtr = M._malloc(count * 10 * 4);
    try {
      check(api.predictSamples(1, start, count, probsPtr));
      const probs = new Float32Array(M.HEAPF32.subarray(probsPtr >> 2, (probsPtr >> 2) + count * 10));
      const img = api.datasetImages(1) + start * 784;
      const pixels = new Uint8Array(M.HEAPU8.subarray(img, img + count * 784));
      const lab = api.datasetLabels(1) + start;
      const labels = new Uint8Array(M.HEAPU8.subarray(lab, lab + count));
      return { probs, pixels, labels };
    } finally {
      M._free(probsPtr);
    }
  },

  save() {
    const len = check(api.modelSave());
    const ptr = api.savedData();
    const bytes = M.HEAPU8.slice(ptr, ptr + len).buffer;
    api.savedFree();
    return { bytes };
  },

  load({ bytes }) {
    if (fit.state !== 'idle') throw new WasmError('Stop training before loading a model.');
    withBytes(bytes, (ptr, len) => check(api.modelLoad(ptr, len)));
    return { model: describeModel(), history: history() };
  },
};

self.onmessage = async (e) => {
  const { id, type, ...args } = e.data;
  try {
    if (!api && type !== 'init') await modulePromise;
    const result = await handlers[type](args);
    const transfer = [];
    if (result && result.bytes) transfer.push(result.bytes);
    self.postMessage({ id, ok: true, result }, transfer);
  } catch (err) {
    self.postMessage({ id, ok: false, error: String(err && err.message ? err.message : err) });
  }
};
