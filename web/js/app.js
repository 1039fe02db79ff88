// app.js — wires the page together: data → bridge → worker, builder edits →
// shapes from the core, model rebuilds and the summary/code views, training
// events → console, charts and the runs list. It holds the page's state; the
// ui/ modules draw, the pure modules (model_config.js, layers.js, runs.js)
// compute, and bridge.js is the only one that talks to the worker.

import { Bridge } from './bridge.js';
import { loadMnist } from './data.js';
import { readDatasetFiles } from './dataset_files.js';
import { apply, getLang, onLangChange, setLang, t } from './i18n.js';
import { Lab } from './lab.js';
import { refusalText } from './layers.js';
import {
  LOSS_ORDER, MNIST_INFO, OPTIMIZER_ORDER, adaptToData, atChanceLevel, cloneConfig, dataInfo, defaultConfig, inputShape,
  inputSize, kerasCode, largestLayer, layerString, modelWarnings, parseLayerString, setDataInfo,
  validateFit, validateModel,
} from './model_config.js';
import { initOffline } from './offline.js';
import { errorString, errorText, translated } from './reasons.js'; // the core's errors in the page's language
import {
  addBatches, loadRuns, newRun as makeRun, nextRunNumber, recordEpoch, runCsv, runFileName, runJson, runName,
  saveRuns as keepRuns,
} from './runs.js';
import { STORE_KEY as SETUP_KEY, decodeSetup, encodeSetup } from './share.js';
import { Builder } from './ui/builder.js';
import { Charts } from './ui/charts.js';
import { ChartTable } from './ui/chart_table.js';
import { CrashBanner } from './ui/crash.js';
import { DatasetPicker } from './ui/dataset_picker.js';
import { showDataError, showDataLoaded, showDataProgress, showDataStage } from './ui/data_view.js';
import { choiceDialog, confirmDialog, toast } from './ui/dialog.js';
import { enableOtherImages, showDigits, wireOtherImages } from './ui/digits.js';
import { downloadBlob } from './ui/download.js';
import { ModelView } from './ui/model_view.js';
import { RunsView } from './ui/runs.js';
import { ShareView } from './ui/share_view.js';
import { ThreadsView } from './ui/threads_view.js';
import { initLanguageButtons, initProjector, initSkipLink } from './ui/topbar.js';
import { TrainingView } from './ui/training.js';

// The settings that need new weights; the others (optimizer, learning rate,
// loss: compile; epochs, batch size, ...: fit) apply to the current model when
// training continues, as compile() again in Keras keeps the weights.
const MODEL_KEYS = ['layers', 'seed'];
const BUILD_DELAY_MS = 200;    // debounce of model rebuilds while typing
// The browser tests open the page as index.html?test: only then does it
// expose window.nnlab and let the worker take debug requests.
const TESTING = new URLSearchParams(location.search).has('test');
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
  kernel: null,             // the worker's GEMM kernel ('wasmsimd')
  threads: null,            // the worker's { module, count, max, reason }
  dataFiles: null,          // the user's files in use (read again after a restart), null for MNIST
  buildError: null,         // { message, index, text?, from }: the core refused the edited model, its
                            // shapes ('shapes': they do not flow) or building it ('build': memory)
  shapes: null,             // the worker's layerShapes() of the edited layers (null while asked)
  shapesKey: null,          // the layer text and input shape those shapes are (being) asked for
  model: null,              // the worker's description of the current model ({ summary, layers, info })
  savedStep: 0,             // the model's optimizer step when it was built, loaded or downloaded
  letGo: false,             // the user agreed to replace the current model
  modelRun: null,           // id of the run that trained the current model last (its curve goes on)
  fitId: 0,                 // the worker's id of the fit state.current shows; other fits' events are ignored
  epochOffset: 0,           // epochs the model had when this fit began (Keras's initial_epoch)
};

const bridge = new Bridge(new URL('./worker.js', import.meta.url));
let builder, charts, training, runsView, picker, crash, lab, modelView, shareView, threadsView;

// ---------------------------------------------------------------------------
// Start-up

function init() {
  initLanguage();
  // The setup of a shared link, else the one the form had before this reload.
  const setup = readSetup();
  if (setup) state.config = setup.config;
  builder = new Builder({ onChange: onConfigChange });
  builder.setConfig(state.config);
  builder.setInput(MNIST_INFO);
  modelView = new ModelView();
  picker = new DatasetPicker({ onFiles: useFiles, onMnist: useMnist });
  crash = new CrashBanner({ onRestart: restartWorker });
  training = new TrainingView({
    start: () => start(false), pause: () => bridge.pause(), resume: () => bridge.resume(),
    stop: () => bridge.stop(), step: step, evaluate, save: saveModel, load: loadModel,
  });
  charts = new Charts();
  charts.wireControls();
  charts.warmUp();
  initProjector(); // after the charts: it enlarges their labels too
  initSkipLink();
  runsView = new RunsView({ toggle: toggleRun, rename: renameRun, remove: removeRun, download: downloadRun });
  state.runs = loadRuns(storage());
  redrawRuns();
  // Drawing, looking inside, saving and exporting (lab.js).
  lab = new Lab({
    bridge,
    app: {
      state: () => state, adopt: adoptModel, start: (resume) => start(false, resume),
      showError: (message) => training.showError(message),
    },
  });
  wireOtherImages(() => predict(true));
  shareView = new ShareView({ config: () => builder.getConfig(), reset: resetSetup });
  if (setup) shareView.showNotice(setup.notice);

  bridge.on('state', (e) => { state.train = e.state; refreshButtons(); });
  bridge.on('progress', onProgress);
  bridge.on('done', onDone);
  bridge.on('crash', onCrash);

  validateAndShow(state.config);
  refreshCode();
  refreshButtons();

  threadsView = new ThreadsView(async (n) => (state.threads = await bridge.setThreads(n)));
  bridge.init(TESTING).then(({ kernel, threads }) => {
    state.workerReady = true;
    state.kernel = kernel;
    state.threads = threads;
    threadsView.start(threads, kernel);
    // The pretrained model when it is there (drawing works at once), else a new
    // model; with a setup (a link, the form before a reload), only a pretrained
    // model of its layers, whose compile and fit settings then stay the setup's.
    return lab.startup(setup && layerString(setup.config.layers)).then((loaded) => {
      if (!loaded) return rebuild();
      if (setup) showSetup({ ...setup.config, layers: builder.getConfig().layers });
      return null;
    });
  }).catch((e) => training.showError(errorText(e)));
  initOffline(loadData()); // the service worker, once MNIST is here (offline.js says why)
  if (TESTING) exposeForTests();
}

function initLanguage() {
  initLanguageButtons();
  onLangChange(() => {
    if (runsView) redrawRuns();
    if (training) training.relabel();
    if (shareView) shareView.relabel();
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
    if (state.hasModel) predict(false); // the pretrained model may be there first
  } catch (e) {
    showDataError(errorString(e));
  }
}

// ---------------------------------------------------------------------------
// Other data: the user's IDX files, or MNIST again. Files are read and checked
// in full, then handed to the worker, which swaps both sets in only when both
// parse; until then nothing changes, so a refused file loses nothing.

// Other data means a new model for it: stop training first, and keep a model
// trained here from being lost without asking.
async function stopFirst() {
  if (state.train !== 'idle') {
    if (!(await confirmDialog('dialog.dataWhileTraining'))) return false;
    await bridge.stop();
  }
  return mayReplaceModel('dialog.dataReplaces', LOAD_CHOICES);
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
  builder.setInput(info);
  const c = adaptToData(builder.getConfig(), before, info);
  builder.setConfig(c);
  state.config = c;
  state.committed = null; // a new model, built for this data
  state.letGo = true;     // (the user was asked before the data was loaded)
  validateAndShow(c);
  refreshCode();
  refreshButtons();
  rebuild().then(() => {
    if (state.hasModel && state.committed) predict(false);
  });
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
    const { threads } = await bridge.init(TESTING);
    state.workerReady = true;
    state.threads = threads;
    await threadsView.start(threads, state.kernel);
    if (state.dataFiles) {
      const got = await readDatasetFiles(state.dataFiles);
      applyData(got.info, await bridge.loadData(got.sets, got.names));
    } else {
      applyData(MNIST_INFO, await bridge.loadData(await loadMnist(MNIST_URL, () => {})));
    }
    crash.hide();
  } catch (e) {
    crash.failed(errorString(e));
  }
  refreshButtons();
}

// ---------------------------------------------------------------------------
// Editing the model

function modelPart(c) {
  return JSON.stringify(MODEL_KEYS.map((k) => c[k]));
}

function validateAndShow(c) {
  keepSetup(c);
  const errs = [...validateModel(c), ...validateFit(c)];
  builder.showErrors(errs, modelWarnings(c));
  refreshShapes(c);
  return errs;
}

const shapesKey = (c) => `${layerString(c.layers)} on ${inputShape().join('x')}`;

// Ask the worker for the output shape of each edited layer (the core's shape
// inference, through the layer table), unless it was asked for these layers
// on this input already. The first layer that does not flow is marked with
// the core's sentence and Start waits; only the latest answer is shown.
let shapesAsked = Promise.resolve(); // the last request, which rebuild() waits for

function refreshShapes(c) {
  const key = shapesKey(c);
  if (key === state.shapesKey) {
    if (state.shapes) builder.setShapes(state.shapes); // (the builder forgets them on every edit)
    return shapesAsked;
  }
  state.shapesKey = key;
  state.shapes = null;
  shapesAsked = askShapes(c, key);
  return shapesAsked;
}

async function askShapes(c, key) {
  let shapes;
  try {
    shapes = await bridge.layerShapes(layerString(c.layers), inputShape());
  } catch {
    if (state.shapesKey === key) state.shapesKey = null; // (a dead worker) asked again after a restart
    return;
  }
  if (state.shapesKey !== key) return;
  // A text that does not parse has field errors the page already shows.
  state.shapes = shapes.parseError ? null : shapes;
  builder.setShapes(shapes);
  const e = shapes.error;
  if (e) showBuildError({ ...e, text: refusalText(c.layers, shapes, e), from: 'shapes' });
  else if (state.buildError && state.buildError.from === 'shapes') showBuildError(null);
  refreshButtons();
}

// Do the edited layers flow, by the core's answer for them?
const shapesFlow = (c) => !!state.shapes && state.shapesKey === shapesKey(c) && !state.shapes.error;

let buildTimer = null;

// part: 'model' (layers, seed: new weights), 'compile' or 'fit' (applied when
// training continues).
async function onConfigChange(part, c) {
  if (state.confirming) return;
  const errs = validateAndShow(c);
  if (part === 'model' && state.train !== 'idle') {
    if (!(await mayReplaceModel('dialog.changeWhileTraining', REPLACE_CHOICES))) {
      keepModelFields();
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

// Put the builder's model fields back as the current model has them (edits
// of the other fields stay).
function keepModelFields() {
  const back = builder.getConfig();
  for (const k of MODEL_KEYS) if (state.committed) back[k] = cloneConfig(state.committed)[k];
  builder.setConfig(back);
  state.config = back;
  validateAndShow(back);
  refreshCode();
  showBuildError(null);
  refreshButtons();
}

const REPLACE_CHOICES = [
  { value: 'keep', key: 'dialog.keepModel' },
  { value: 'download', key: 'dialog.downloadThenBuild' },
  { value: 'replace', key: 'dialog.buildNew' },
];
const LOAD_CHOICES = [
  { value: 'keep', key: 'dialog.cancel' },
  { value: 'download', key: 'dialog.downloadThenLoad' },
  { value: 'replace', key: 'dialog.loadIt' },
];
const START_CHOICES = [
  { value: 'keep', key: 'dialog.cancel' },
  { value: 'download', key: 'dialog.downloadThenStart' },
  { value: 'replace', key: 'dialog.startNew' },
];

// May the current model be replaced by a new one? Yes at once when nothing
// would be lost; when it was trained here and not downloaded since, the user
// chooses: keep it (false), download it first, or replace it.
async function mayReplaceModel(key, choices) {
  if (!unsaved()) return true;
  state.confirming = true;
  const answer = await choiceDialog(key, {}, choices);
  state.confirming = false;
  if (answer === 'keep' || (answer === 'download' && !(await saveModel()))) return false;
  state.letGo = true;
  return true;
}

// Would replacing the current model lose training? While a fit runs, once a
// batch has run; when idle, when its step moved since it was built, loaded or
// downloaded (a divergence that rolled it back to there loses nothing).
function unsaved() {
  if (state.letGo || !state.model) return false;
  if (state.train !== 'idle') return !!state.lastProgress;
  return state.model.info.step !== state.savedStep;
}

function wasmConfig(c) {
  return {
    layerText: layerString(c.layers), inputShape: inputShape(), seed: c.seed, optimizer: c.optimizer, lr: c.lr, loss: c.loss,
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
  // Shapes that do not flow: the core's sentence is shown already, and building would fail with it.
  await refreshShapes(c);
  if (state.train !== 'idle' || modelPart(c) !== modelPart(state.config)) return; // (changed meanwhile)
  if (state.buildError && state.buildError.from === 'shapes' && state.shapesKey === shapesKey(c)) return;
  if (state.committed && modelPart(state.committed) === modelPart(c) && state.hasModel) {
    showBuildError(null);
    refreshButtons();
    return;
  }
  if (!(await mayReplaceModel('dialog.replaceModel', REPLACE_CHOICES))) {
    keepModelFields();
    return;
  }
  try {
    const model = await bridge.build(wasmConfig(c));
    state.committed = c;
    setModel(model, { kind: 'untrained' });
    showBuildError(null);
    training.showError(null);
    picker.showError(null);
  } catch (e) {
    if (!bridge.dead) showBuildError({ message: e.message, text: translated(e), from: 'build' });
  }
  refreshButtons();
}

// A new current model (built, or a file loaded): nothing of it is unsaved, and
// no run's curve goes on with it.
function setModel(model, source) {
  state.hasModel = true;
  state.savedStep = model.info.step;
  state.letGo = false;
  state.modelRun = null;
  showModel(model, source);
}

// The core refused the edited model (its shapes do not flow, or it is too
// large for memory, say): the message goes next to the layer it names ("layer
// N: ..."), else next to the layer with the most parameters; the summary says
// that the builder's model was not built, and Start and Continue wait for a
// model that builds (the previous one stays in the worker: drawing still uses it).
// err: { message, index?, text?, from } or null.
function showBuildError(err) {
  if (err && err.index === undefined) {
    const m = /^layer (\d+):/.exec(err.message);
    err = { ...err, index: m ? Number(m[1]) - 1 : largestLayer(state.shapes) };
  }
  state.buildError = err;
  builder.setBuildError(err);
  if (err) modelView.showNotBuilt();
  else if (state.model) modelView.showSummary(state.model.summary);
}

// source: where a new current model comes from ({ kind: 'untrained' |
// 'trained' | 'pretrained' | 'file' | 'restored', name }); none when the same
// model moved on.
function showModel(model, source) {
  state.model = model;
  modelView.showSummary(model.summary);
  lab.modelShown(model, source);
}

function refreshCode() {
  modelView.showCode(kerasCode(state.config));
}

function refreshButtons() {
  const c = state.config;
  const canStart = validateModel(c).length === 0 && validateFit(c).length === 0 && !state.buildError && shapesFlow(c);
  training.setState(state.train, {
    ready: state.dataReady && state.workerReady, canStart, hasModel: state.hasModel && !!state.model,
  });
  enableOtherImages(state.hasModel && state.dataReady && state.train === 'idle');
  if (lab) lab.refresh();
}

// ---------------------------------------------------------------------------
// Training

// initialEpoch: epochs the model had before this run (its curve starts there).
function newRun(c, initialEpoch) {
  const n = nextRunNumber(state.runs);
  const config = runConfig(c, initialEpoch, initialEpoch + c.epochs);
  return makeRun({ n, name: uniqueName(runName(c, c.epochs, t)), config, initialEpoch, runs: state.runs });
}

// A name no run in the list has: "… (2)" for the second run of one setup.
function uniqueName(name) {
  const names = new Set(state.runs.map((r) => r.name));
  let k = 1, got = name;
  while (names.has(got)) got = `${name} (${++k})`;
  return got;
}

// A run's setup as Keras's fit(initial_epoch=..., epochs=...) takes it:
// epochs is the number of the run's last epoch.
function runConfig(c, initialEpoch, lastEpoch) {
  return { ...cloneConfig(c), inputSize: inputSize(), inputShape: inputShape(), initialEpoch, epochs: lastEpoch };
}

// The run whose curve ends where the current model's history ends: the one
// that trained it last, if it is still in the list.
function runToExtend(initialEpoch) {
  const run = state.runs.find((r) => r.id === state.modelRun);
  return run && (run.initialEpoch || 0) + run.history.loss.length === initialEpoch ? run : null;
}

// Train. resume: the current model on, compiled with the builder's optimizer,
// learning rate and loss (weights and history kept; a changed optimizer kind
// starts its state fresh), its curve and epoch numbers going on. Otherwise a
// new model from the builder, asked first when a trained one would be lost.
// stepOnly: one batch, then paused.
async function start(stepOnly, resume = false) {
  if (state.starting || state.train !== 'idle' || state.confirming) return; // a double click
  const c = builder.getConfig();
  if (validateAndShow(c).length) return;
  if (!resume && !(await mayReplaceModel('dialog.startNewModel', START_CHOICES))) return;
  state.starting = true;
  state.config = c;
  state.lastProgress = null;
  training.showError(null);
  training.showEval(null);
  picker.showError(null);
  const before = state.model && state.model.info;
  let r;
  try {
    r = await bridge.start(wasmConfig(c), stepOnly, resume);
  } catch (e) {
    training.showError(errorText(e));
    state.starting = false;
    refreshButtons();
    return;
  }
  // No event of this fit has arrived yet: the worker answers start first.
  state.fitId = r.fitId;
  state.epochOffset = r.initialEpoch;
  if (resume) showModel(r.model);
  else setModel(r.model, { kind: 'trained' });
  state.letGo = false;
  let run = resume && runToExtend(r.initialEpoch);
  if (run) {
    run.status = 'running';
    run.config = runConfig(c, run.initialEpoch || 0, r.initialEpoch + c.epochs);
  } else {
    run = newRun(c, r.initialEpoch);
    if (resume) run.name = uniqueName(t('lab.continuedName', { name: runName(c, c.epochs, t) }));
    state.runs.push(run);
  }
  state.current = run;
  state.modelRun = run.id;
  training.beginRun({ nTrain: r.nTrain, nVal: r.nVal });
  if (resume) {
    training.note(c.epochs > 1 ? 'train.continuing' : 'train.continuingOne', {
      from: r.initialEpoch + 1, to: r.initialEpoch + c.epochs, optimizer: c.optimizer, lr: c.lr,
    });
    if (r.reset) {
      const was = before && OPTIMIZER_ORDER[before.optimizer];
      training.note('train.optimizerReset', { from: was || '?', to: c.optimizer });
    }
    state.committed = { ...cloneConfig(state.committed || c), optimizer: c.optimizer, lr: c.lr, loss: c.loss };
  } else {
    state.committed = c;
  }
  redrawRuns();
  state.starting = false;
  refreshButtons();
}

// One step continues the current model (a fit of one batch that then waits),
// or, while a fit is paused, runs its next batch.
async function step() {
  if (state.train === 'idle') return start(true, true);
  try {
    await bridge.step();
  } catch (e) {
    training.showError(errorText(e));
  }
}

function onProgress({ fitId, batches, p, elapsed, msPerStep, epochEnd, validating }) {
  const run = state.current;
  if (!run || fitId !== state.fitId) return;
  const off = state.epochOffset;
  // Recorded before anything is drawn, so whatever the charts do, the
  // history holds every epoch the worker computed.
  if (epochEnd) {
    recordEpoch(run, off + epochEnd.epoch + 1, epochEnd);
    noteChance(run, off + epochEnd.epoch + 1, epochEnd.accuracy);
  }
  addBatches(run, batches, p, off, epochEnd);
  if (epochEnd) redrawRuns(false);
  charts.touch();
  state.lastProgress = { ...p, elapsed, msPerStep, totalSteps: run.ema.n };
  training.update({
    epoch: off + p.epoch, epochs: off + p.epochs, step: p.step, steps: p.steps, elapsed, msPerStep,
    loss: p.loss, accuracy: p.accuracy, done: !!epochEnd, validating,
    valLoss: epochEnd && Number.isFinite(epochEnd.valLoss) ? epochEnd.valLoss : null,
    valAccuracy: epochEnd && Number.isFinite(epochEnd.valAccuracy) ? epochEnd.valAccuracy : null,
  });
}

// An epoch that left the training accuracy at chance level: say so, once per
// run, with the advice a divergence gets.
const chanceNoted = new WeakSet();
function noteChance(run, epoch, accuracy) {
  const classes = dataInfo().classes;
  if (chanceNoted.has(run) || !atChanceLevel(accuracy, classes)) return;
  chanceNoted.add(run);
  const params = { epoch, acc: accuracy.toFixed(4), n: classes };
  training.showError([{ key: 'train.chanceNote', params }, lrHint(run.config.lr)], 'train.notLearning');
}

function onDone({ fitId, stopped, error, reason, params, code, model }) {
  if (fitId !== state.fitId) return;
  const run = state.current;
  const diverged = code === NN_ERR_DIVERGED; // the core rolled the model back; finished epochs stay
  state.hasModel = true;
  if (model) showModel(model);
  if (run) {
    run.status = error ? (diverged ? 'diverged' : 'failed') : stopped ? 'stopped' : 'done';
    if (stopped) training.note('train.stoppedNote');
    if (diverged) training.note('train.divergedNote');
  }
  if (diverged && run) {
    const epoch = state.epochOffset + (state.lastProgress ? state.lastProgress.epoch : 0) + 1;
    training.showError([{ key: 'train.divergedIn', params: { epoch } }, lrHint(run.config.lr)], 'train.diverged');
  } else if (error) training.showError(errorText({ message: error, reason, params }));
  state.current = null;
  saveRuns();
  redrawRuns();
  refreshButtons();
  if (state.dataReady) predict(false);
}

// The advice for a loss that diverged or stays at chance level, in the page's language.
function lrHint(lr) {
  return { key: 'train.lrHint', params: { lr, try: Number((lr / 10).toPrecision(3)) } };
}

async function evaluate() {
  try {
    training.showEval(await bridge.evaluate('test'));
  } catch (e) {
    if (!bridge.dead) training.showError(errorText(e));
  }
}

let predictStart = 0;
async function predict(other) {
  const count = Math.min(24, dataInfo().nTest);
  if (other || predictStart + count > dataInfo().nTest) predictStart = Math.floor(Math.random() * (dataInfo().nTest - count + 1));
  try {
    showDigits(await bridge.predict(predictStart, count));
  } catch (e) {
    if (!bridge.dead) training.showError(errorText(e));
  }
}

// ---------------------------------------------------------------------------
// Model files

// Download the current model; true when it worked (it is then no longer unsaved).
async function saveModel() {
  try {
    const { bytes } = await bridge.save();
    downloadBlob('nnlab-model.nnl', new Blob([bytes], { type: 'application/octet-stream' }));
    if (state.train === 'idle' && state.model) state.savedStep = state.model.info.step;
    return true;
  } catch (e) {
    training.showError(errorText(e));
    return false;
  }
}

async function loadModel(file) {
  await adoptModel(await file.arrayBuffer(), { kind: 'file', name: file.name });
}

// Names for messages about model files that are not the user's files.
// (Words, not file names, in the page's language: the core puts them into its sentences.)
const SOURCE_FILES = { pretrained: () => 'pretrained-mlp.nnl', restored: () => t('modelName.restored') };

// Make the bytes of a model file the current model — a file picked or
// dropped, the pretrained MLP, the model kept in IndexedDB — and show its setup
// in the builder. Returns whether it worked (the previous model stays if not).
async function adoptModel(bytes, source) {
  const running = state.train !== 'idle';
  if (!(await mayReplaceModel(running ? 'dialog.loadWhileTraining' : 'dialog.loadReplaces', LOAD_CHOICES))) {
    return false;
  }
  if (running) await bridge.stop();
  let ok = false;
  try {
    // Named in messages; a model for other data is refused and the current one stays.
    const name = source.name || (SOURCE_FILES[source.kind] || (() => t('modelName.file')))();
    const check = { name, inputSize: inputSize(), classes: dataInfo().classes };
    const { model } = await bridge.load(bytes, check);
    setModel(model, source);
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
    showBuildError(null);
    picker.showError(null);
    if (source.kind === 'file') training.note('train.loadedNote', { name: source.name });
    if (state.dataReady) predict(false);
    ok = true;
  } catch (e) {
    training.showError(errorText(e));
  }
  refreshButtons();
  return ok;
}

// ---------------------------------------------------------------------------
// Runs

// The charts' numbers as text (a summary line and a table), beside the charts.
const chartTable = new ChartTable();

function redrawRuns(full = true) {
  runsView.render(state.runs, state.current && state.current.id);
  if (full) charts.setRuns(state.runs);
  chartTable.show(state.current || state.runs.at(-1));
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

// Deleting a run can be undone (from the toast that says it went): it goes
// back to its place in the list.
function removeRun(id) {
  if (state.current && state.current.id === id) {
    toast('runs.cannotDelete');
    return;
  }
  const at = state.runs.findIndex((x) => x.id === id);
  if (at < 0) return;
  const [run] = state.runs.splice(at, 1);
  saveRuns();
  redrawRuns();
  toast('runs.deleted', { name: run.name }, {
    key: 'runs.undo',
    act: () => {
      if (state.runs.some((x) => x.id === run.id)) return;
      state.runs.splice(Math.min(at, state.runs.length), 0, run);
      saveRuns();
      redrawRuns();
    },
  });
}

function downloadRun(id, format) {
  const r = state.runs.find((x) => x.id === id);
  if (!r) return;
  if (format === 'json') downloadBlob(runFileName(r, 'json'), new Blob([runJson(r)], { type: 'application/json' }));
  else downloadBlob(runFileName(r, 'csv'), new Blob([runCsv(r)], { type: 'text/csv' }));
}

function saveRuns() {
  keepRuns(storage(), state.runs);
}

// localStorage, or null where the page may not use it (runs then are not kept).
function storage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------
// The setup in the link and in storage (share.js)

// { config, notice } of the link this page was opened with, else of the form
// as it was before the reload (no notice: the page wrote it), else null.
function readSetup() {
  const linked = decodeSetup(location.hash, dataInfo());
  if (linked) return { config: linked.config, notice: linked };
  let kept = null;
  try {
    kept = decodeSetup(storage()?.getItem(SETUP_KEY), dataInfo());
  } catch {
    // unreadable storage: the defaults
  }
  return kept && kept.version === '1' && kept.ignored.length === 0 ? { config: kept.config, notice: null } : null;
}

// The form as it is now goes into the page's URL (replaced, not a new history
// entry per keystroke) and into storage.
function keepSetup(c) {
  const text = encodeSetup(c);
  if (location.hash.slice(1) !== text) history.replaceState(history.state, '', `#${text}`);
  try {
    storage()?.setItem(SETUP_KEY, text);
  } catch {
    // not remembered, still in the URL
  }
}

// Show setup c in the form as the current edit (its model part builds when it differs).
function showSetup(c) {
  builder.setConfig(c);
  onConfigChange('model', builder.getConfig());
}

function resetSetup() {
  showSetup(defaultConfig());
}

// ---------------------------------------------------------------------------
// Hooks the browser tests read (no behaviour of their own), on index.html?test only.

function exposeForTests() {
  window.nnlab = {
    get state() {
      return {
        train: state.train, dataReady: state.dataReady, hasModel: state.hasModel, workerReady: state.workerReady,
        heapBytes: state.heapBytes, starting: state.starting, buildError: !!state.buildError,
        model: state.model && state.model.info, shapes: state.shapes, threads: state.threads,
      };
    },
    get progress() { return state.lastProgress; },
    // The form's setup, and the layer text of the model the worker holds.
    get setup() { return { form: builder.getConfig(), model: state.model && state.model.layers }; },
    get runs() {
      return state.runs.map((r) => ({
        name: r.name, status: r.status, history: r.history, initialEpoch: r.initialEpoch || 0,
        epochX: r.series.loss.epoch.map((pt) => pt.x), valX: r.series.loss.val.map((pt) => pt.x),
      }));
    },
    get data() { return dataInfo(); },
    points: (metric) => charts.pointCount(metric),
    drawnRuns: (metric) => charts.drawnRuns(metric),
    get lab() { return lab.snapshot(); },
    // Test-only handles (tests/browser/robustness*.test.mjs): the live worker,
    // and the worker's debug hooks (a wasm trap, filling the heap, closing).
    debug: {
      worker: () => bridge.worker,
      call: (action) => bridge.debug(action),
      predict: (start, count) => bridge.predict(start, count),
      evaluate: () => bridge.evaluate('test'),
      describe: () => bridge.describe(),
    },
  };
}

apply(document);
init();
