// worker.js — owns the wasm module (created once) and runs training in slices.
//
// Requests arrive as { id, type, ...args } (the types and their arguments
// are protocol.js's list) and are answered with { id, ok, result } or
// { id, ok: false, error, reason, params }: the English sentence and the
// reason the page translates (reasons.js).
// While a fit runs, the worker calls nn_wasm_fit_run one step at a time for
// at most SLICE_MS, then posts a 'progress' event with every batch's loss and
// accuracy of that slice and yields, so pause/stop messages get in between
// slices. A step is one batch or, after an epoch's last batch, one chunk of
// its validation (the model's batch capacity: 256 images, or a batch), so
// that a CNN validating on 10,000 test images does not hold the worker for
// seconds either. The worker never touches the DOM; the page never touches
// the wasm heap. Numbers come from the wasm glue as records of named doubles
// (record() below).

import { insideHandlers } from './inside_worker.js'; // see inside: feature maps, filters
import { METHODS } from './protocol.js';
import REASONS from './strings/reasons.js';

const SLICE_MS = 25;
const PREDICT_CHUNK = 256; // test images per call of predictTest

let models = 0; // models built or loaded so far: a long request notices a new one

let M = null;   // the Emscripten module
let api = null; // cwrapped nn_wasm_* functions

// Threads need shared memory, which a browser gives only to a cross-origin
// isolated page (COOP + COEP headers: scripts/serve.mjs and the service worker
// send them): there the threads module, with a pool of Web Workers made once;
// elsewhere the single-thread module (one binary cannot be both). A threads
// module that fails to load falls back to the other.
const MODULES = { threads: '../wasm/nnlab-threads.js', single: '../wasm/nnlab.js' };
const threading = { module: 'single', max: 1, reason: null }; // what init() reports

async function loadModule(which) {
  const { default: create } = await import(MODULES[which]);
  return create({ locateFile: (path) => new URL(`../wasm/${path}`, import.meta.url).href });
}

async function createModule() {
  if (!self.crossOriginIsolated) {
    threading.reason = 'notIsolated';
    return loadModule('single');
  }
  try {
    const mod = await loadModule('threads');
    threading.module = 'threads';
    threading.max = Math.max(1, Math.min(self.navigator.hardwareConcurrency || 1, 16));
    return mod;
  } catch (e) {
    threading.reason = 'threadsFailed';
    return loadModule('single');
  }
}

const modulePromise = createModule().then((mod) => {
  M = mod;
  const f = (name, ret, args) => mod.cwrap(`nn_wasm_${name}`, ret, args);
  api = {
    lastError: f('last_error', 'string', []),
    lastReason: f('last_reason', 'string', []),
    lastReasonParams: f('last_reason_params', 'string', []),
    kernelName: f('kernel_name', 'string', []),
    setThreads: f('set_threads', 'number', ['number']),
    warmUp: f('warm_up', null, []),
    threads: f('threads', 'number', []),
    datasetCount: f('dataset_count', 'number', ['number']),
    datasetImages: f('dataset_images', 'number', ['number']),
    datasetLabels: f('dataset_labels', 'number', ['number']),
    recordFields: f('record_fields', 'string', ['string']),
    modelBuild: f('model_build_shaped', 'number',
      ['string', 'number', 'number', 'number', 'number', 'string', 'number', 'string']),
    layerShapes: f('layer_shapes', 'number', ['string', 'number', 'number', 'number']),
    modelSummary: f('model_summary', 'string', []),
    modelLayers: f('model_layers', 'string', []),
    modelInfo: f('model_info', 'number', []),
    fitBegin: f('fit_begin', 'number', ['number', 'number', 'number', 'number', 'number', 'number', 'number']),
    fitRun: f('fit_run', 'number', ['number', 'number']),
    fitPoll: f('fit_poll', 'number', []),
    fitEnd: f('fit_end', null, []),
    evaluate: f('evaluate', 'number', ['number', 'number']),
    evalResult: f('eval_result', 'number', []),
    predictSamples: f('predict_samples', 'number', ['number', 'number', 'number', 'number']),
    historyEpochs: f('history_epochs', 'number', []),
    history: f('history', 'number', ['number']),
    modelSave: f('model_save', 'number', []),
    savedData: f('saved_data', 'number', []),
    savedFree: f('saved_free', null, []),
    modelCompile: f('model_compile', 'number', ['string', 'number', 'string']),
    modelRecompile: f('model_recompile', 'number', ['string', 'number', 'string']),
    predict: f('predict', 'number', ['number', 'number', 'number']),
    denseKernel: f('dense_kernel', 'number', ['number']),
    kernelSize: f('kernel_size', 'number', []),
    modelLoad: f('model_load', 'number', ['number', 'number']),
    modelLoadNamed: f('model_load_named', 'number', ['number', 'number', 'string', 'number', 'number']),
    datasetInfo: f('dataset_info', 'number', ['number']),
    datasetStage: f('dataset_stage', 'number', ['number', 'number', 'number', 'string', 'number', 'number', 'string']),
    datasetCommit: f('dataset_commit', 'number', []),
    datasetDiscard: f('dataset_discard', null, []),
    // see inside (inside_worker.js)
    layerInfo: f('layer_info', 'number', ['number']),
    layerName: f('layer_name', 'string', ['number']),
    layerClass: f('layer_class', 'string', ['number']),
    layerWeights: f('layer_weights', 'number', ['number']),
    layerOutputs: f('layer_outputs', 'number', ['number']),
    layerOutput: f('layer_output', 'number', ['number']),
  };
  for (const name of Object.keys(FIELDS)) FIELDS[name] = api.recordFields(name).split(',').filter(Boolean);
  return mod;
});

// ---------------------------------------------------------------------------
// Errors: the English sentence (message) and the reason the page translates
// ({ reason, params }: the core's key and params, src/reasons.h; or the
// worker's own, 'worker.*', whose English is in strings/reasons.js).

class WasmError extends Error {
  constructor(message, reason = null, params = {}) {
    super(message);
    this.reason = reason;
    this.params = params;
  }
}

// The error the core just refused with (status rc).
function coreError(rc) {
  const message = api.lastError();
  if (!message) return fail('worker.status', { rc });
  let params = null;
  try {
    params = JSON.parse(api.lastReasonParams());
  } catch {
    // not expected (the core drops params that do not fit); the English sentence stands
  }
  return new WasmError(message, params && api.lastReason() ? api.lastReason() : null, params || {});
}

// One of the worker's own refusals ('worker.nomem', or a core reason it shares: 'wasm.noModel').
function fail(reason, params = {}) {
  const english = REASONS.en[`reason.${reason}`].replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));
  return new WasmError(english, reason, params);
}

// The error as the reply and the 'done' event carry it: the sentence and its reason.
const errorFields = (err) => ({
  error: String(err && err.message ? err.message : err),
  reason: (err && err.reason) || null,
  params: (err && err.params) || {},
});

function check(rc) {
  if (rc < 0) throw coreError(rc);
  return rc;
}

// ---------------------------------------------------------------------------
// Helpers over the heap

function floats(ptr, n) {
  return Array.from(M.HEAPF32.subarray(ptr >> 2, (ptr >> 2) + n));
}

// The field names of each record of src/wasm_api.c, as the glue lists them.
const FIELDS = {
  fit: null, model: null, dataset: null, eval: null, kernel: null, layer: null, shapes: null, shape: null,
};

// The record `name` at ptr as an object of its named fields.
function record(name, ptr) {
  const at = ptr >> 3;
  return Object.fromEntries(FIELDS[name].map((field, i) => [field, M.HEAPF64[at + i]]));
}

// Copy bytes into a fresh heap block, call fn(ptr, len), free the block.
function withBytes(bytes, fn) {
  const u8 = new Uint8Array(bytes);
  const ptr = M._malloc(Math.max(1, u8.length));
  if (!ptr) throw fail('worker.nomem');
  try {
    M.HEAPU8.set(u8, ptr);
    return fn(ptr, u8.length);
  } finally {
    M._free(ptr);
  }
}

// The running fit; `last` is the last finished epoch.
function poll() {
  const { lastEpoch, lastLoss, lastAccuracy, lastValLoss, lastValAccuracy, ...p } = record('fit', api.fitPoll());
  return {
    ...p, last: { epoch: lastEpoch, loss: lastLoss, accuracy: lastAccuracy, valLoss: lastValLoss, valAccuracy: lastValAccuracy },
  };
}

function modelInfo() {
  const info = record('model', api.modelInfo());
  return { ...info, compiled: !!info.compiled };
}

// Samples, image size and classes of a loaded set (0 train, 1 test).
function datasetInfo(which) {
  return record('dataset', api.datasetInfo(which));
}

// The core's last refusal as { message, reason, params } (errorFields' names).
function refusal(rc) {
  const { error, reason, params } = errorFields(coreError(rc));
  return { message: error, reason, params };
}

// Each layer's output shape for a layer text on images of shape [h, w, c],
// from the core's layer table: { input: [h, w, c], layers: [{ shape, params,
// state }] for the layers that flow, error: null or { index, status, message,
// reason, params } (the first layer that does not flow, with the core's
// sentence and its reason) }; a text that does not parse gives { parseError: sentence }.
function layerShapes(text, [h, w, c]) {
  const ptr = api.layerShapes(text, h, w, c);
  if (!ptr) return { parseError: api.lastError() };
  const head = record('shapes', ptr);
  const rowBytes = 8 * FIELDS.shape.length;
  const row = (i) => record('shape', ptr + 8 * FIELDS.shapes.length + rowBytes * i);
  const flowing = head.failed < 0 ? head.layers : head.failed;
  const layers = [];
  for (let i = 1; i <= flowing; i++) {
    const r = row(i);
    layers.push({ shape: [r.h, r.w, r.c], params: r.params, state: r.state });
  }
  const input = row(0);
  return {
    input: [input.h, input.w, input.c], layers,
    error: head.failed < 0 ? null : { index: head.failed, status: head.status, ...refusal(head.status) },
  };
}

const MNIST_NAMES = {
  trainImages: 'train-images', trainLabels: 'train-labels', testImages: 't10k-images', testLabels: 't10k-labels',
};

// The current model, compiled again with config's optimizer, learning rate
// and loss, as Keras's compile() again: the weights stay; the optimizer's
// state stays too unless its kind changed (then it starts fresh: reset).
function current(config) {
  if (fit.state !== 'idle') throw fail('worker.busyContinue');
  if (!modelInfo().inputSize) throw fail('wasm.noModel');
  const reset = check(api.modelRecompile(config.optimizer, config.lr, config.loss)) === 1;
  return { ...describeModel(), reset };
}

// probs(n, k) for x(n, input size) floats, through the heap.
function predictFloats(x, n, k) {
  const xp = M._malloc(Math.max(1, x.length * 4));
  const pp = M._malloc(Math.max(1, n * k * 4));
  try {
    if (!xp || !pp) throw fail('worker.nomem');
    M.HEAPF32.set(x, xp >> 2);
    check(api.predict(xp, n, pp));
    return M.HEAPF32.slice(pp >> 2, (pp >> 2) + n * k);
  } finally {
    M._free(xp);
    M._free(pp);
  }
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

// state: 'idle' | 'running' | 'paused'; id: the fit the events belong to
// (every 'progress', 'state' and 'done' carries it, and start's reply names
// it before any of them is sent, so the page never mixes two fits up).
// validating: the epoch's batches are done and its validation runs (the
// next steps are chunks of it, not batches).
const fit = { state: 'idle', id: 0, historyEpochs: 0, epochActive: 0, stepsThisEpoch: 0, validating: false };

function emit(type, payload) {
  self.postMessage({ event: type, fitId: fit.id, ...payload });
}

function setState(state) {
  fit.state = state;
  emit('state', { state });
}

// A zero-delay macrotask that is not clamped to 4 ms like nested setTimeout.
const channel = new MessageChannel();
channel.port1.onmessage = () => slice();
const schedule = () => channel.port2.postMessage(0);

// error: the WasmError that ended the fit, if any; code: its nn_status
// (NN_ERR_DIVERGED = -5: the model was rolled back). The event carries its
// sentence (error) and reason (reason, params).
function finish(stopped, error, code = 0) {
  api.fitEnd();
  setState('idle');
  const why = error ? errorFields(error) : { error: null, reason: null, params: {} };
  emit('done', { stopped, ...why, code, history: history(), model: describeModel() });
}

// Run steps for up to `budgetMs` (or exactly `maxSteps` batches, and the
// validation that follows the last batch of an epoch).
function runSteps(budgetMs, maxSteps) {
  const t0 = performance.now();
  const batches = [];
  let p = null;
  let epochEnd = null;
  let steps = 0;
  while ((steps < maxSteps || fit.validating) && (budgetMs === Infinity || performance.now() - t0 < budgetMs)) {
    const n = api.fitRun(1, 1);
    if (n < 0) {
      emitProgress(batches, poll(), null, performance.now() - t0);
      return { error: coreError(n), code: n };
    }
    p = poll();
    if (n > 0 && !fit.validating) {
      steps += n;
      batches.push(p.batchLoss, p.batchAccuracy);
    }
    fit.validating = !!p.validating;
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
    validating: p.validating ? { at: p.valAt, n: p.valN } : null,
    elapsed: fit.epochActive / 1000,
    msPerStep,
    epochEnd,
  });
  if (epochEnd) {
    fit.epochActive = 0;
    fit.stepsThisEpoch = 0;
  }
}

// Work run outside a request: a wasm trap there is fatal as in a request.
function guarded(fn) {
  if (broken) return;
  try {
    fn();
  } catch (err) {
    fatal(err);
  }
}

function slice() {
  if (fit.state !== 'running') return;
  guarded(() => {
    const r = runSteps(SLICE_MS, Infinity);
    if (r.error) finish(false, r.error, r.code);
    else if (r.done) finish(false);
    else schedule();
  });
}

// ---------------------------------------------------------------------------
// Requests

// { module: 'threads' | 'single', count, max, reason } (reason: why one thread only).
const threadInfo = () => ({ ...threading, count: api.threads() });

const handlers = {
  // lock: a Web Lock name held for the worker's whole life. The page asks for
  // the same lock and is granted it only once this worker is gone (terminated,
  // closed or crashed), which is how it notices a death that sends no message.
  async init({ lock, test } = {}) {
    await modulePromise;
    testing = !!test;
    const locks = self.navigator.locks;
    if (lock && locks) {
      await new Promise((held) => {
        locks.request(lock, () => {
          held();
          return new Promise(() => {});
        });
      });
    }
    // min(4, cores) threads to begin with, as the page's selector says.
    // (then the pool's workers run optimised code from the first step: nn_warm_up)
    if (threading.max > 1) {
      api.setThreads(Math.min(4, threading.max));
      api.warmUp();
    }
    return { kernel: api.kernelName(), lock: !!(lock && locks), threads: threadInfo() };
  },

  // n threads from the next step on (the numbers stay the same for any n).
  setThreads({ n }) {
    const rc = api.setThreads(n); // the core refuses what it cannot do (a count out of range, no threads)
    if (rc !== 0) throw coreError(rc);
    return threadInfo();
  },

  // sets: { train: {images, labels}, test: {images, labels} } as transferred
  // ArrayBuffers; names: the four files' names, for messages. Both sets are
  // parsed and checked before either replaces the loaded data, so a bad file
  // changes nothing.
  loadData({ sets, names = MNIST_NAMES }) {
    if (fit.state !== 'idle') throw fail('wasm.busyData');
    try {
      for (const [which, name] of [[0, 'train'], [1, 'test']]) {
        const s = sets[name];
        withBytes(s.images, (ip, il) => withBytes(s.labels, (lp, ll) => check(
          api.datasetStage(which, ip, il, names[`${name}Images`], lp, ll, names[`${name}Labels`]))));
      }
      check(api.datasetCommit());
    } finally {
      api.datasetDiscard();
    }
    return {
      train: api.datasetCount(0), test: api.datasetCount(1), info: datasetInfo(0),
      heapBytes: M.HEAPU8.length, // wasm memory after loading (it never shrinks)
    };
  },

  // Create and compile a model for images of config.inputShape [h, w, c] (a
  // Dense-only model reads them flat); the previous one stays if anything fails.
  build({ config }) {
    if (fit.state !== 'idle') throw fail('wasm.busyBuild');
    const { layerText, seed, optimizer, lr, loss, inputShape: [h, w, c] } = config;
    check(api.modelBuild(layerText, h, w, c, seed >>> 0, optimizer, lr, loss));
    models++;
    return describeModel();
  },

  layerShapes({ layers, shape }) {
    return layerShapes(layers, shape);
  },

  // Begin a fit of config.fit.epochs more epochs. resume: train the current
  // model on (weights, optimizer state and history kept, as a second
  // model.fit() in Keras, epochs numbered on from initialEpoch), compiled
  // with config's settings; otherwise build a fresh one from config first.
  // step: run one batch and pause. The reply goes out before any event of
  // this fit: the first batch runs in a later task.
  start({ config, step, resume }) {
    const built = resume ? current(config) : handlers.build({ config });
    const f = config.fit;
    check(api.fitBegin(f.epochs, f.batchSize, f.shuffle ? 1 : 0, f.validationSplit,
      f.validation === 'test' ? 1 : 0, f.trainLimit, 1));
    const p = poll();
    fit.id++;
    fit.historyEpochs = p.historyEpochs;
    fit.epochActive = 0;
    fit.stepsThisEpoch = 0;
    fit.validating = false;
    setState(step ? 'paused' : 'running');
    if (step) setTimeout(() => guarded(() => { if (fit.state === 'paused') handlers.step(); }));
    else schedule();
    return {
      fitId: fit.id, model: built, reset: !!built.reset, initialEpoch: p.historyEpochs,
      nTrain: p.nTrain, nVal: p.nVal, steps: p.steps, epochs: p.epochs,
    };
  },

  // The page's heartbeat (bridge.js, when it has no Web Locks).
  ping() {
    return null;
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
    if (fit.state !== 'paused') throw fail('worker.notPaused');
    const r = runSteps(Infinity, 1);
    if (r.error) finish(false, r.error, r.code);
    else if (r.done) finish(false);
    return { state: fit.state };
  },

  // An epoch whose batches are done is validated first (as Keras, which
  // never stops inside validation), so its history is complete.
  stop() {
    if (fit.state === 'idle') return { state: fit.state };
    const r = fit.validating ? runSteps(Infinity, 0) : {};
    if (r.error) finish(false, r.error, r.code);
    else finish(true);
    return { state: fit.state };
  },

  evaluate({ which, batchSize }) {
    check(api.evaluate(which === 'train' ? 0 : 1, batchSize || 256));
    return record('eval', api.evalResult());
  },

  // Predictions for `count` test samples from `start`, with their pixels and labels.
  predict({ start, count }) {
    const outputs = modelInfo().outputSize;
    const { features, rows, cols } = datasetInfo(1);
    const probsPtr = M._malloc(Math.max(1, count * outputs * 4));
    if (!probsPtr) throw fail('worker.nomem');
    try {
      check(api.predictSamples(1, start, count, probsPtr));
      const probs = new Float32Array(M.HEAPF32.subarray(probsPtr >> 2, (probsPtr >> 2) + count * outputs));
      const img = api.datasetImages(1) + start * features;
      const pixels = new Uint8Array(M.HEAPU8.subarray(img, img + count * features));
      const lab = api.datasetLabels(1) + start;
      const labels = new Uint8Array(M.HEAPU8.subarray(lab, lab + count));
      return { probs, pixels, labels, rows, cols };
    } finally {
      M._free(probsPtr);
    }
  },

  // --- drawing and looking inside (the pad, the explorer, the weights view)

  // Probabilities for images drawn on the pad: x (n, input size) in [0, 1].
  predictPixels({ x }) {
    const { inputSize, outputSize } = modelInfo();
    if (!inputSize) throw fail('wasm.noModel');
    const n = Math.floor(x.length / inputSize);
    return { probs: predictFloats(x, n, outputSize), k: outputSize };
  },

  // The test images and labels, copied once for the explorer.
  testSet() {
    const n = api.datasetCount(1);
    if (!n) throw fail('wasm.noTest');
    const { rows, cols, features, classes } = datasetInfo(1);
    const img = api.datasetImages(1);
    const lab = api.datasetLabels(1);
    return {
      n, rows, cols, classes,
      pixels: M.HEAPU8.slice(img, img + n * features),
      labels: M.HEAPU8.slice(lab, lab + n),
    };
  },

  // The current model's probabilities (n, k) for every test image, in chunks
  // (predict_samples copies the images it reads; a chunk keeps that small).
  // While a fit runs, the slices of training go on between chunks: 10,000
  // test images through a CNN take seconds, which would hold training up.
  async predictTest() {
    const n = api.datasetCount(1);
    const k = modelInfo().outputSize;
    const chunk = Math.min(n, PREDICT_CHUNK);
    const probs = new Float32Array(n * k);
    const ptr = M._malloc(Math.max(1, chunk * k * 4));
    if (!ptr) throw fail('worker.nomem');
    const model = models;
    try {
      let since = performance.now();
      for (let start = 0; start < n; start += chunk) {
        const count = Math.min(chunk, n - start);
        check(api.predictSamples(1, start, count, ptr));
        probs.set(M.HEAPF32.subarray(ptr >> 2, (ptr >> 2) + count * k), start * k);
        if (fit.state === 'running' && performance.now() - since > SLICE_MS) {
          await new Promise((resolve) => { setTimeout(resolve, 0); });
          if (models !== model || broken) throw fail('worker.modelChanged');
          since = performance.now();
        }
      }
      return { probs, n, k };
    } finally {
      M._free(ptr);
    }
  },

  // The first Dense layer's kernel (inputs, units).
  firstLayer() {
    const ptr = api.denseKernel(0);
    if (!ptr) throw coreError(-1);
    const { inputs, units } = record('kernel', api.kernelSize());
    return { inputs, units, kernel: M.HEAPF32.slice(ptr >> 2, (ptr >> 2) + inputs * units) };
  },

  // The current model and its history as the core holds them (the page's
  // tests compare the run's history with this).
  describe() {
    return { ...describeModel(), history: history() };
  },

  save() {
    const len = check(api.modelSave());
    const ptr = api.savedData();
    const bytes = M.HEAPU8.slice(ptr, ptr + len).buffer;
    api.savedFree();
    return { bytes };
  },

  // check.name: the file's name for messages; with check.inputSize and
  // check.classes, a model that does not fit the loaded data is refused (the
  // current one stays).
  load({ bytes, check: fits = {} }) {
    const { name, inputSize = 0, classes = 0 } = fits;
    if (fit.state !== 'idle') throw fail('wasm.busyLoad');
    withBytes(bytes, (ptr, len) => check(name
      ? api.modelLoadNamed(ptr, len, name, inputSize, classes)
      : api.modelLoad(ptr, len)));
    models++;
    return { model: describeModel(), history: history() };
  },

  // Test hooks, reached only through window.nnlab.debug (tests/browser/
  // robustness*.test.mjs): 'trap' makes the module read far outside its
  // memory, a real wasm trap; 'hog' allocates the heap up to its maximum so
  // that the next memory growth fails (about 1 MB stays free for small
  // things), 'release' gives it back; 'close' ends the worker from inside;
  // anything else ('size') just reports the heap size. Only for a page that
  // said it is the tests' (init with test).
  debug({ action }) {
    if (!testing) throw fail('worker.debugOnly');
    if (action === 'trap') api.datasetStage(0, -16, 16, 'trap', -16, 8, 'trap');
    else if (action === 'hog') {
      for (const size of [64 << 20, 1 << 20]) {
        for (let p = M._malloc(size); p; p = M._malloc(size)) hog.push(p);
      }
      M._free(hog.pop());
    } else if (action === 'release') {
      hog.forEach((p) => M._free(p));
      hog = [];
    } else if (action === 'close') self.close();
    return { heapBytes: M.HEAPU8.length, hogBlocks: hog.length };
  },
};

// See inside (inside_worker.js): featureMaps, filters.
Object.assign(handlers, insideHandlers(() => ({ M, ...api }), record));

let hog = []; // blocks held by debug('hog')
let testing = false; // init said the page is the browser tests' (debug requests allowed)

// protocol.js lists every request: one handler each, and none beside them.
for (const name of new Set([...Object.keys(METHODS), ...Object.keys(handlers)])) {
  if (!(name in METHODS) || !(name in handlers)) {
    throw new Error(`worker.js: request '${name}' needs an entry in protocol.js and a handler here`);
  }
}

// A trap or an abort inside the wasm module leaves its memory in an unknown
// state: the worker reports it once ('fatal') and refuses every later request;
// the page offers to restart it. Errors the C core returns are not fatal.
let broken = null;

function fatal(err) {
  if (broken) return;
  broken = String(err && err.message ? err.message : err);
  fit.state = 'idle';
  emit('fatal', { message: broken });
}

self.onmessage = async (e) => {
  const { id, type, ...args } = e.data;
  try {
    if (broken) throw fail('worker.stopped', { msg: broken });
    if (!(type in METHODS)) throw fail('worker.unknownRequest', { type });
    if (!api && type !== 'init') await modulePromise;
    const result = await handlers[type](args);
    const transfer = [];
    if (result && result.bytes) transfer.push(result.bytes);
    self.postMessage({ id, ok: true, result }, transfer);
  } catch (err) {
    if (err instanceof WebAssembly.RuntimeError) fatal(err); // Emscripten's abort() throws one too
    self.postMessage({ id, ok: false, ...errorFields(err) });
  }
};
