// app.js — wires the page together: data → bridge → worker, builder edits →
// model rebuilds and the summary/code views, training events → console,
// charts and the runs list. It holds the page's state; the ui/ modules only
// draw, and bridge.js is the only one that talks to the worker.

import { Bridge } from './bridge.js';
import { DataError, loadMnist } from './data.js';
import { readDatasetFiles } from './dataset_files.js';
import { apply, getLang, onLangChange, setI18n, setLang, t } from './i18n.js';
import { Lab } from './lab.js';
import {
  LOSS_ORDER, MNIST_INFO, OPTIMIZER_ORDER, adaptToData, chanceLevel, cloneConfig, dataInfo, defaultConfig, inputSize,
  kerasCode, largestLayer, layerString, modelWarnings, parseLayerString, setDataInfo, trainingCounts,
  validateFit, validateModel,
} from './model_config.js';
import { Builder } from './ui/builder.js';
import { Charts } from './ui/charts.js';
import { CrashBanner } from './ui/crash.js';
import { DatasetPicker } from './ui/dataset_picker.js';
import { showDataError, showDataLoaded, showDataProgress, showDataStage } from './ui/data_view.js';
import { confirmDialog, toast } from './ui/dialog.js';
import { showDigits } from './ui/digits.js';
import { downloadBlob, downloadUrl } from './ui/download.js';
import { RunsView } from './ui/runs.js';
import { TrainingView } from './ui/training.js';

const MODEL_KEYS = ['layers', 'optimizer', 'lr', 'loss', 'seed'];
const PALETTE = ['#4f46e5', '#e11d48', '#059669', '#d97706', '#0891b2', '#7c3aed', '#db2777', '#65a30d', '#475569'];
const RUNS_KEY = 'nnlab.runs.v1';
const SMOOTHING = 0.95;        // EMA factor of the per-batch curves (as TensorBoard's slider)
const BATCH_POINTS = 800;      // at most this many per-batch points per run
const BUILD_DELAY_MS = 200;    // debounce of model rebuilds while typing
const NN_ERR_DIVERGED = -5;    // nn_status: the loss became NaN or Inf

const state = {
  config: defaultConfig(),  // as edited
  committed: null,          // config the current wasm model was built from
  dataReady: false,
  workerReady: false,
  hasModel: false,
  train: 'idle',            // 'idle' | 'running' | 'paused'
  runs: [],
  current: null,            // the run being trained
  lastProgress: null,       // the last progress event, for tests and the console
  confirming: false,
  starting: false,          // a start request is on its way to the worker
  heapBytes: 0,             // wasm memory after loading the data
  dataFiles: null,          // the user's files in use (read again after a restart), null for MNIST
  buildError: null,         // { message, index }: the core refused to build the edited model
};

const bridge = new Bridge(new URL('./worker.js', import.meta.url));
let builder, charts, training, runsView, picker, crash, lab;

// ---------------------------------------------------------------------------
// Start-up

function init() {
  initLanguage();
  builder = new Builder({ onChange: onConfigChange });
  builder.setConfig(state.config);
  showDataShape(MNIST_INFO);
  picker = new DatasetPicker({ onFiles: useFiles, onMnist: useMnist });
  crash = new CrashBanner({ onRestart: restartWorker });
  training = new TrainingView({
    start: () => start(false), pause: () => bridge.pause(), resume: () => bridge.resume(),
    stop: () => bridge.stop(), step: step, evaluate, save: saveModel, load: loadModel,
  });
  charts = new Charts();
  charts.warmUp();
  runsView = new RunsView({ toggle: toggleRun, rename: renameRun, remove: removeRun, download: downloadRun });
  state.runs = loadRuns();
  redrawRuns();
  // Drawing, looking inside, saving and exporting (lab.js).
  lab = new Lab({
    bridge,
    app: {
      state: () => state, adopt: adoptModel, start: (resume) => start(false, resume),
      showError: (message) => training.showError(message),
    },
  });
  document.getElementById('show-batches').addEventListener('change', (e) => charts.setShowBatches(e.target.checked));
  document.querySelectorAll('[data-png]').forEach((b) => b.addEventListener('click', () => {
    downloadUrl(`nnlab-${b.dataset.png}.png`, charts.png(b.dataset.png));
  }));
  document.getElementById('btn-copy').addEventListener('click', copyCode);
  document.getElementById('btn-predict').addEventListener('click', () => predict(true));

  bridge.on('state', (e) => { state.train = e.state; refreshButtons(); });
  bridge.on('progress', onProgress);
  bridge.on('done', onDone);
  bridge.on('crash', onCrash);

  validateAndShow(state.config);
  refreshCode();
  refreshButtons();

  bridge.init().then(({ kernel }) => {
    state.workerReady = true;
    const pill = document.getElementById('kernel-pill');
    pill.hidden = false;
    setI18n(pill, kernel === 'wasmsimd' ? 'app.kernelSimd' : 'app.kernelScalar');
    // The pretrained MLP when it is there (drawing works at once), else a new model.
    return lab.startup().then((loaded) => (loaded ? null : rebuild()));
  }).catch((e) => training.showError(e.message));
  loadData();
  exposeForTests();
}

function initLanguage() {
  document.querySelectorAll('[data-lang]').forEach((b) => b.addEventListener('click', () => setLang(b.dataset.lang)));
  onLangChange(() => {
    document.querySelectorAll('[data-lang]').forEach((b) => b.classList.toggle('active', b.dataset.lang === getLang()));
    if (runsView) redrawRuns();
    if (training) training.relabel();
  });
  setLang(getLang());
}

const MNIST_URL = new URL('../data/', import.meta.url);

async function loadData() {
  try {
    const sets = await loadMnist(MNIST_URL, showDataProgress);
    showDataStage('data.sending');
    const counts = await bridge.loadData(sets);
    state.dataReady = true;
    state.heapBytes = counts.heapBytes;
    showDataLoaded(counts);
    refreshButtons();
    lab.dataLoaded();
  } catch (e) {
    showDataError(e instanceof DataError ? t(e.key, e.params) : e.message);
  }
}

// ---------------------------------------------------------------------------
// Other data: the user's IDX files, or MNIST again. Files are read and checked
// in full, then handed to the worker, which swaps both sets in only when both
// parse; until then nothing changes, so a refused file loses nothing.

async function stopFirst() {
  if (state.train === 'idle') return true;
  if (!(await confirmDialog('dialog.dataWhileTraining'))) return false;
  await bridge.stop();
  return true;
}

async function useFiles(files) {
  if (!state.dataReady || !(await stopFirst())) return;
  picker.showError(null);
  picker.setBusy(files.length);
  try {
    const got = await readDatasetFiles(files);
    const counts = await bridge.loadData(got.sets, got.names);
    state.dataFiles = files;
    applyData(got.info, counts);
  } catch (e) {
    picker.showError(e);
  } finally {
    picker.setBusy(0);
  }
}

async function useMnist() {
  if (!(await stopFirst())) return;
  picker.showError(null);
  picker.setBusy(4);
  try {
    const counts = await bridge.loadData(await loadMnist(MNIST_URL, () => {}));
    state.dataFiles = null;
    applyData(MNIST_INFO, counts);
  } catch (e) {
    picker.showError(e);
  } finally {
    picker.setBusy(0);
  }
}

// The worker holds new data: fit the page and the model to it.
function applyData(info, counts) {
  const before = dataInfo();
  setDataInfo(info);
  state.dataReady = true;
  state.heapBytes = counts.heapBytes;
  showDataLoaded(counts, info);
  lab.dataLoaded();
  picker.showCurrent(info);
  showDataShape(info);
  const c = adaptToData(builder.getConfig(), before, info);
  builder.setConfig(c);
  state.config = c;
  state.committed = null; // a new model, built for this data
  validateAndShow(c);
  refreshCode();
  refreshButtons();
  rebuild().then(() => {
    if (state.hasModel && state.committed) predict(false);
  });
}

// Fields whose limits come from the data: test-set size, training samples.
function showDataShape(info) {
  setI18n(document.querySelector('[data-i18n="fit.valTest"]'), 'fit.valTest', { n: info.nTest });
  document.getElementById('trainLimit').max = info.nTrain;
  document.querySelectorAll('[data-limit]').forEach((b) => {
    if (b.dataset.i18n === 'fit.all') b.dataset.limit = info.nTrain;
    else b.hidden = Number(b.dataset.limit) >= info.nTrain;
  });
  builder.setInput(info);
}

// ---------------------------------------------------------------------------
// A worker that died, or whose wasm module stopped: keep the configuration,
// the runs and the charts; offer a restart, which sends the data again and
// builds the model afresh.

function onCrash({ message, kind }) {
  state.workerReady = false;
  state.dataReady = false;
  state.hasModel = false;
  state.committed = null;
  state.train = 'idle';
  state.starting = false;
  const run = state.current;
  if (run) {
    run.status = 'failed';
    state.current = null;
    saveRuns();
    redrawRuns();
  }
  training.showError(null);
  crash.show(kind, message);
  refreshButtons();
}

async function restartWorker() {
  crash.restarting();
  bridge.restart();
  try {
    await bridge.init();
    state.workerReady = true;
    if (state.dataFiles) {
      const got = await readDatasetFiles(state.dataFiles);
      applyData(got.info, await bridge.loadData(got.sets, got.names));
    } else {
      applyData(MNIST_INFO, await bridge.loadData(await loadMnist(MNIST_URL, () => {})));
    }
    crash.hide();
  } catch (e) {
    crash.failed(e instanceof DataError ? t(e.key, e.params) : e.message);
  }
  refreshButtons();
}

// ---------------------------------------------------------------------------
// Editing the model

function modelPart(c) {
  return JSON.stringify(MODEL_KEYS.map((k) => c[k]));
}

function validateAndShow(c) {
  const errs = [...validateModel(c), ...validateFit(c)];
  builder.showErrors(errs, modelWarnings(c));
  return errs;
}

let buildTimer = null;

async function onConfigChange(part, c) {
  if (state.confirming) return;
  const errs = validateAndShow(c);
  if (part === 'model' && state.train !== 'idle') {
    state.confirming = true;
    const ok = await confirmDialog('dialog.changeWhileTraining');
    state.confirming = false;
    if (!ok) {
      // Put the model fields back as the running model has them; keep fit edits.
      const back = cloneConfig(state.committed);
      const now = builder.getConfig();
      for (const k of Object.keys(now)) if (!MODEL_KEYS.includes(k)) back[k] = now[k];
      builder.setConfig(back);
      state.config = back;
      validateAndShow(back);
      refreshCode();
      return;
    }
    await bridge.stop();
    c = builder.getConfig();
  }
  state.config = c;
  if (errs.length === 0) refreshCode();
  refreshButtons();
  if (part === 'model' && validateModel(c).length === 0) {
    clearTimeout(buildTimer);
    buildTimer = setTimeout(rebuild, BUILD_DELAY_MS);
  }
}

function wasmConfig(c) {
  return {
    layerText: layerString(c.layers), inputSize: inputSize(), seed: c.seed, optimizer: c.optimizer, lr: c.lr, loss: c.loss,
    fit: {
      epochs: c.epochs, batchSize: c.batchSize, shuffle: c.shuffle, validation: c.validation,
      validationSplit: c.validationSplit, trainLimit: c.trainLimit,
    },
  };
}

// Build the edited model in the worker (the old one stays if this fails).
async function rebuild() {
  if (!state.workerReady || state.train !== 'idle') return;
  const c = cloneConfig(state.config);
  if (validateModel(c).length) return;
  if (state.committed && modelPart(state.committed) === modelPart(c) && state.hasModel) {
    showBuildError(null);
    refreshButtons();
    return;
  }
  try {
    const model = await bridge.build(wasmConfig(c));
    state.committed = c;
    state.hasModel = true;
    showModel(model, { kind: 'untrained' });
    showBuildError(null);
    training.showError(null);
  } catch (e) {
    if (!bridge.dead) showBuildError(e.message);
  }
  refreshButtons();
}

// The core refused to build the edited model (too large for memory, say):
// the message goes next to the largest Dense layer, the previous model stays,
// and Start waits for a model that builds.
function showBuildError(message) {
  state.buildError = message ? { message, index: largestLayer(state.config) } : null;
  builder.setBuildError(state.buildError);
}

// source: where a new current model comes from ({ kind: 'untrained' |
// 'trained' | 'pretrained' | 'file' | 'restored', name }); none when the same
// model moved on.
function showModel(model, source) {
  document.getElementById('summary').textContent = model.summary;
  lab.modelShown(model, source);
}

function refreshCode() {
  document.getElementById('code').textContent = kerasCode(state.config);
}

async function copyCode() {
  const text = document.getElementById('code').textContent;
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Clipboard API refused (e.g. not a secure context): select the text instead.
    const range = document.createRange();
    range.selectNodeContents(document.getElementById('code'));
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    document.execCommand('copy');
  }
  toast('code.copied');
}

function refreshButtons() {
  const c = state.config;
  const canStart = validateModel(c).length === 0 && validateFit(c).length === 0 && !state.buildError;
  training.setState(state.train, {
    ready: state.dataReady && state.workerReady, canStart, hasModel: state.hasModel,
  });
  document.getElementById('btn-predict').disabled = !(state.hasModel && state.dataReady && state.train === 'idle');
  if (lab) lab.refresh();
}

// ---------------------------------------------------------------------------
// Training

function newRun(c) {
  const n = state.runs.reduce((m, r) => Math.max(m, r.n), 0) + 1;
  const series = () => ({ epoch: [], val: [], batch: [] });
  return {
    id: `r${Date.now().toString(36)}${n}`,
    n,
    name: t('runs.defaultName', { n }),
    color: PALETTE[(n - 1) % PALETTE.length],
    visible: true,
    status: 'running',
    config: { ...cloneConfig(c), inputSize: inputSize() },
    history: { loss: [], accuracy: [], valLoss: [], valAccuracy: [] },
    series: { loss: series(), accuracy: series() },
    ema: { loss: 0, accuracy: 0, n: 0, since: 0 },
    started: new Date().toISOString(),
  };
}

// resume: train the current model further (weights, optimizer state and
// history kept) instead of building a fresh one from the builder.
async function start(stepOnly, resume = false) {
  if (state.starting || state.train !== 'idle') return; // a double click
  const c = builder.getConfig();
  const errs = validateAndShow(c);
  if (errs.length) return;
  state.starting = true;
  state.config = c;
  const run = newRun(c);
  if (resume) run.name = t('lab.continuedName', { n: run.n });
  state.runs.push(run);
  state.current = run;
  state.lastProgress = null;
  training.showError(null);
  training.showEval(null);
  const counts = trainingCounts(c);
  training.beginRun({ nTrain: counts.train, nVal: counts.val });
  redrawRuns();
  try {
    const r = await bridge.start(wasmConfig(c), stepOnly, resume);
    state.committed = c;
    state.hasModel = true;
    showModel(r.model, { kind: 'trained' });
  } catch (e) {
    state.runs = state.runs.filter((x) => x !== run);
    state.current = null;
    training.showError(e.message);
    redrawRuns();
  }
  state.starting = false;
  refreshButtons();
}

async function step() {
  if (state.train === 'idle') return start(true);
  try {
    await bridge.step();
  } catch (e) {
    training.showError(e.message);
  }
}

function onProgress({ batches, p, elapsed, msPerStep, epochEnd }) {
  const run = state.current;
  if (!run) return;
  const k = batches.length / 2;
  const stride = Math.max(1, Math.ceil((p.steps * p.epochs) / BATCH_POINTS));
  for (let i = 0; i < k; i++) {
    const e = run.ema;
    e.n++;
    e.loss = SMOOTHING * e.loss + (1 - SMOOTHING) * batches[2 * i];
    e.accuracy = SMOOTHING * e.accuracy + (1 - SMOOTHING) * batches[2 * i + 1];
    if (++e.since >= stride || (epochEnd && i === k - 1)) {
      e.since = 0;
      const debias = 1 - SMOOTHING ** e.n;
      const x = p.epoch + (p.step - (k - 1 - i)) / p.steps;
      run.series.loss.batch.push({ x, y: e.loss / debias });
      run.series.accuracy.batch.push({ x, y: e.accuracy / debias });
    }
  }
  if (epochEnd) {
    noteChance(run, epochEnd);
    const x = epochEnd.epoch + 1;
    const val = Number.isFinite(epochEnd.valLoss);
    run.history.loss.push(epochEnd.loss);
    run.history.accuracy.push(epochEnd.accuracy);
    run.history.valLoss.push(val ? epochEnd.valLoss : null);
    run.history.valAccuracy.push(val ? epochEnd.valAccuracy : null);
    run.series.loss.epoch.push({ x, y: epochEnd.loss });
    run.series.accuracy.epoch.push({ x, y: epochEnd.accuracy });
    if (val) {
      run.series.loss.val.push({ x, y: epochEnd.valLoss });
      run.series.accuracy.val.push({ x, y: epochEnd.valAccuracy });
    }
    redrawRuns(false);
  }
  charts.touch();
  state.lastProgress = { ...p, elapsed, msPerStep, totalSteps: run.ema.n };
  training.update({
    epoch: p.epoch, epochs: p.epochs, step: p.step, steps: p.steps, elapsed, msPerStep,
    loss: p.loss, accuracy: p.accuracy, done: !!epochEnd,
    valLoss: epochEnd && Number.isFinite(epochEnd.valLoss) ? epochEnd.valLoss : null,
    valAccuracy: epochEnd && Number.isFinite(epochEnd.valAccuracy) ? epochEnd.valAccuracy : null,
  });
}

// An epoch that left the training accuracy at chance level: say so in the
// console, once per run, with the hint a divergence gets.
const chanceNoted = new WeakSet();
function noteChance(run, epochEnd) {
  const note = chanceNoted.has(run) ? null : chanceLevel(epochEnd, dataInfo().classes, run.config.lr);
  if (!note) return;
  chanceNoted.add(run);
  training.note('train.chanceNote', note);
}

function onDone({ stopped, error, code, model }) {
  const run = state.current;
  const diverged = code === NN_ERR_DIVERGED; // the core rolled the model back; finished epochs stay
  state.hasModel = true;
  if (model) showModel(model);
  if (run) {
    run.status = error ? (diverged ? 'diverged' : 'failed') : stopped ? 'stopped' : 'done';
    if (stopped) training.note('train.stoppedNote');
    if (diverged) training.note('train.divergedNote');
  }
  if (error) training.showError(error, diverged ? 'train.diverged' : null);
  state.current = null;
  saveRuns();
  redrawRuns();
  refreshButtons();
  if (state.dataReady) predict(false);
}

async function evaluate() {
  try {
    training.showEval(await bridge.evaluate('test'));
  } catch (e) {
    if (!bridge.dead) training.showError(e.message);
  }
}

let predictStart = 0;
async function predict(other) {
  const count = Math.min(24, dataInfo().nTest);
  if (other || predictStart + count > dataInfo().nTest) predictStart = Math.floor(Math.random() * (dataInfo().nTest - count + 1));
  try {
    showDigits(await bridge.predict(predictStart, count));
  } catch (e) {
    if (!bridge.dead) training.showError(e.message);
  }
}

// ---------------------------------------------------------------------------
// Model files

async function saveModel() {
  try {
    const { bytes } = await bridge.save();
    downloadBlob('nnlab-model.nnl', new Blob([bytes], { type: 'application/octet-stream' }));
  } catch (e) {
    training.showError(e.message);
  }
}

async function loadModel(file) {
  await adoptModel(await file.arrayBuffer(), { kind: 'file', name: file.name });
}

// Names for messages about model files that are not the user's files.
const SOURCE_FILES = { pretrained: 'pretrained-mlp.nnl', restored: 'the model kept in this browser' };

// Make the bytes of a model file the current model — a file picked or
// dropped, the pretrained MLP, the model kept in IndexedDB — and show its setup
// in the builder. Returns whether it worked (the previous model stays if not).
async function adoptModel(bytes, source) {
  if (state.train !== 'idle') {
    if (!(await confirmDialog('dialog.loadWhileTraining'))) return false;
    await bridge.stop();
  }
  let ok = false;
  try {
    // Named in messages; a model for other data is refused and the current one stays.
    const name = source.name || SOURCE_FILES[source.kind] || 'model file';
    const check = { name, inputSize: inputSize(), classes: dataInfo().classes };
    const { model } = await bridge.load(bytes, check);
    state.hasModel = true;
    showModel(model, source);
    const layers = parseLayerString(model.layers);
    const c = builder.getConfig();
    if (layers) c.layers = layers;
    c.optimizer = OPTIMIZER_ORDER[model.info.optimizer] || c.optimizer;
    c.lr = Number(model.info.lr.toPrecision(6));
    const loss = LOSS_ORDER[model.info.loss];
    if (loss === 'categorical_crossentropy' || loss === 'sparse_categorical_crossentropy') c.loss = loss;
    builder.setConfig(c);
    state.config = c;
    state.committed = c;
    validateAndShow(c);
    refreshCode();
    if (source.kind === 'file') training.note('train.loadedNote', { name: source.name });
    if (state.dataReady) predict(false);
    ok = true;
  } catch (e) {
    training.showError(e.message);
  }
  refreshButtons();
  return ok;
}

// ---------------------------------------------------------------------------
// Runs

function redrawRuns(full = true) {
  runsView.render(state.runs, state.current && state.current.id);
  if (full) charts.setRuns(state.runs);
}

function toggleRun(id, on) {
  const r = state.runs.find((x) => x.id === id);
  if (r) r.visible = on;
  saveRuns();
  charts.setRuns(state.runs);
}

function renameRun(id, name) {
  const r = state.runs.find((x) => x.id === id);
  if (r && name) r.name = name;
  saveRuns();
  redrawRuns();
}

function removeRun(id) {
  if (state.current && state.current.id === id) {
    toast('runs.cannotDelete');
    return;
  }
  state.runs = state.runs.filter((x) => x.id !== id);
  saveRuns();
  redrawRuns();
}

function downloadRun(id, format) {
  const r = state.runs.find((x) => x.id === id);
  if (!r) return;
  const base = `nnlab-${r.name.replace(/[^\w.-]+/g, '_')}`;
  if (format === 'json') {
    const data = { name: r.name, started: r.started, status: r.status, config: r.config, history: {
      loss: r.history.loss, accuracy: r.history.accuracy,
      val_loss: r.history.valLoss, val_accuracy: r.history.valAccuracy,
    } };
    downloadBlob(`${base}.json`, new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
  } else {
    const rows = ['epoch,loss,accuracy,val_loss,val_accuracy'];
    const h = r.history;
    const f = (v) => (v == null ? '' : String(v));
    for (let i = 0; i < h.loss.length; i++) {
      rows.push([i + 1, f(h.loss[i]), f(h.accuracy[i]), f(h.valLoss[i]), f(h.valAccuracy[i])].join(','));
    }
    downloadBlob(`${base}.csv`, new Blob([`${rows.join('\n')}\n`], { type: 'text/csv' }));
  }
}

function saveRuns() {
  try {
    const keep = state.runs.filter((r) => r.status !== 'running').map(({ ema, ...r }) => r);
    localStorage.setItem(RUNS_KEY, JSON.stringify(keep));
  } catch {
    // Storage full or disabled: runs simply are not remembered.
  }
}

function loadRuns() {
  try {
    const runs = JSON.parse(localStorage.getItem(RUNS_KEY) || '[]');
    return runs.filter((r) => r && r.series && r.history && r.config);
  } catch {
    return [];
  }
}

// ---------------------------------------------------------------------------
// Hooks the browser tests read (no behaviour of their own).

function exposeForTests() {
  window.nnlab = {
    get state() {
      return {
        train: state.train, dataReady: state.dataReady, hasModel: state.hasModel, workerReady: state.workerReady,
        heapBytes: state.heapBytes, starting: state.starting,
      };
    },
    get progress() { return state.lastProgress; },
    get runs() { return state.runs.map((r) => ({ name: r.name, status: r.status, history: r.history })); },
    get data() { return dataInfo(); },
    points: (metric) => charts.pointCount(metric),
    get lab() { return lab.snapshot(); },
    // Test-only handles (tests/browser/robustness*.test.mjs): the live worker,
    // and the worker's debug hooks (a wasm trap, filling the heap, closing).
    debug: {
      worker: () => bridge.worker,
      call: (action) => bridge.debug(action),
      predict: (start, count) => bridge.predict(start, count),
      evaluate: () => bridge.evaluate('test'),
    },
  };
}

apply(document);
init();
