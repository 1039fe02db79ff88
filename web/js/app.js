// app.js — wires the page together: data → bridge → worker, builder edits →
// model rebuilds and the summary/code views, training events → console,
// charts and the runs list. It holds the page's state; the ui/ modules only
// draw, and bridge.js is the only one that talks to the worker.

import { Bridge } from './bridge.js';
import { DataError, loadMnist } from './data.js';
import { apply, getLang, onLangChange, setI18n, setLang, t } from './i18n.js';
import {
  LOSS_ORDER, OPTIMIZER_ORDER, cloneConfig, defaultConfig, kerasCode, layerString, modelWarnings,
  parseLayerString, trainingCounts, validateFit, validateModel,
} from './model_config.js';
import { Builder } from './ui/builder.js';
import { Charts } from './ui/charts.js';
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
};

const bridge = new Bridge(new URL('./worker.js', import.meta.url));
let builder, charts, training, runsView;

// ---------------------------------------------------------------------------
// Start-up

function init() {
  initLanguage();
  builder = new Builder({ onChange: onConfigChange });
  builder.setConfig(state.config);
  training = new TrainingView({
    start: () => start(false), pause: () => bridge.pause(), resume: () => bridge.resume(),
    stop: () => bridge.stop(), step: step, evaluate, save: saveModel, load: loadModel,
  });
  charts = new Charts();
  charts.warmUp();
  runsView = new RunsView({ toggle: toggleRun, rename: renameRun, remove: removeRun, download: downloadRun });
  state.runs = loadRuns();
  redrawRuns();
  document.getElementById('show-batches').addEventListener('change', (e) => charts.setShowBatches(e.target.checked));
  document.querySelectorAll('[data-png]').forEach((b) => b.addEventListener('click', () => {
    downloadUrl(`nnlab-${b.dataset.png}.png`, charts.png(b.dataset.png));
  }));
  document.getElementById('btn-copy').addEventListener('click', copyCode);
  document.getElementById('btn-predict').addEventListener('click', () => predict(true));

  bridge.on('state', (e) => { state.train = e.state; refreshButtons(); });
  bridge.on('progress', onProgress);
  bridge.on('done', onDone);
  bridge.on('crash', (e) => training.showError(e.message));

  validateAndShow(state.config);
  refreshCode();
  refreshButtons();

  bridge.init().then(({ kernel }) => {
    state.workerReady = true;
    const pill = document.getElementById('kernel-pill');
    pill.hidden = false;
    setI18n(pill, kernel === 'wasmsimd' ? 'app.kernelSimd' : 'app.kernelScalar');
    return rebuild();
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

async function loadData() {
  try {
    const sets = await loadMnist(new URL('../data/', import.meta.url), showDataProgress);
    showDataStage('data.sending');
    const counts = await bridge.loadData(sets);
    state.dataReady = true;
    state.heapBytes = counts.heapBytes;
    showDataLoaded(counts);
    refreshButtons();
  } catch (e) {
    showDataError(e instanceof DataError ? t(e.key, e.params) : e.message);
  }
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
    layerText: layerString(c.layers), seed: c.seed, optimizer: c.optimizer, lr: c.lr, loss: c.loss,
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
  if (state.committed && modelPart(state.committed) === modelPart(c) && state.hasModel) return;
  try {
    const model = await bridge.build(wasmConfig(c));
    state.committed = c;
    state.hasModel = true;
    showModel(model);
    training.showError(null);
  } catch (e) {
    training.showError(e.message);
  }
  refreshButtons();
}

function showModel(model) {
  document.getElementById('summary').textContent = model.summary;
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
  const canStart = validateModel(c).length === 0 && validateFit(c).length === 0;
  training.setState(state.train, {
    ready: state.dataReady && state.workerReady, canStart, hasModel: state.hasModel,
  });
  document.getElementById('btn-predict').disabled = !(state.hasModel && state.dataReady && state.train === 'idle');
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
    config: cloneConfig(c),
    history: { loss: [], accuracy: [], valLoss: [], valAccuracy: [] },
    series: { loss: series(), accuracy: series() },
    ema: { loss: 0, accuracy: 0, n: 0, since: 0 },
    started: new Date().toISOString(),
  };
}

async function start(stepOnly) {
  if (state.starting || state.train !== 'idle') return; // a double click
  const c = builder.getConfig();
  const errs = validateAndShow(c);
  if (errs.length) return;
  state.starting = true;
  state.config = c;
  const run = newRun(c);
  state.runs.push(run);
  state.current = run;
  state.lastProgress = null;
  training.showError(null);
  training.showEval(null);
  const counts = trainingCounts(c);
  training.beginRun({ nTrain: counts.train, nVal: counts.val });
  redrawRuns();
  try {
    const r = await bridge.start(wasmConfig(c), stepOnly);
    state.committed = c;
    state.hasModel = true;
    showModel(r.model);
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

function onDone({ stopped, error, model }) {
  const run = state.current;
  state.hasModel = true;
  if (model) showModel(model);
  if (run) {
    run.status = error ? 'failed' : stopped ? 'stopped' : 'done';
    if (stopped) training.note('train.stoppedNote');
  }
  if (error) training.showError(error);
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
    training.showError(e.message);
  }
}

let predictStart = 0;
async function predict(other) {
  if (other) predictStart = Math.floor(Math.random() * (10000 - 24));
  try {
    showDigits(await bridge.predict(predictStart, 24));
  } catch (e) {
    training.showError(e.message);
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
  if (state.train !== 'idle') {
    if (!(await confirmDialog('dialog.loadWhileTraining'))) return;
    await bridge.stop();
  }
  try {
    const { model } = await bridge.load(await file.arrayBuffer());
    showModel(model);
    state.hasModel = true;
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
    training.note('train.loadedNote', { name: file.name });
    if (state.dataReady) predict(false);
  } catch (e) {
    training.showError(e.message);
  }
  refreshButtons();
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
        heapBytes: state.heapBytes,
      };
    },
    get progress() { return state.lastProgress; },
    get runs() { return state.runs.map((r) => ({ name: r.name, status: r.status, history: r.history })); },
    points: (metric) => charts.pointCount(metric),
  };
}

apply(document);
init();
