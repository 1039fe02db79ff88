// lab.js — drawing, looking inside, saving and exporting: the parts of the page
// that work on the current model rather than on training it.
//
//  - the pad: each change of the drawing is preprocessed (preprocess.js) and
//    sent to the worker for a prediction, one request in flight at a time;
//  - a pretrained model (assets/: the MLP, or the CNN when chosen last) is
//    loaded at start, so drawing works before any training; the card says
//    which model answers and lets the student choose the other one;
//  - the feature maps of the drawing and the filters (inside.js);
//  - the test-set explorer and the confusion matrix are recomputed from the
//    model's probabilities for all test images whenever the model changes and
//    after every epoch; the first-layer weights also every LIVE_MS while
//    training;
//  - the last trained model goes to IndexedDB (store.js) and is offered again
//    after a reload; .nnl files can be dropped on the page; the model exports
//    to TF.js (export_tfjs.js).
//
// Like app.js it holds state and wires things; the ui/ modules draw and the
// bridge is the only way to the worker.

import { coalesced } from './coalesced.js';
import { exportTfjs } from './export_tfjs.js';
import { onLangChange } from './i18n.js';
import { Inside } from './inside.js';
import { argmaxRows, confusion, summarize } from './metrics.js';
import { PRETRAINED_IDS, Pretrained } from './pretrained.js';
import { SIZE, alphaOf, toMnist } from './preprocess.js';
import { errorText } from './reasons.js';
import { deleteLastModel, getLastModel, putLastModel } from './store.js';
import { ConfusionView } from './ui/confusion.js';
import { toast } from './ui/dialog.js';
import { downloadBlob } from './ui/download.js';
import { DrawView } from './ui/draw_view.js';
import { Explorer } from './ui/explorer.js';
import { ModelIoView } from './ui/model_io.js';
import { PAD_SIZE } from './ui/pad.js';
import { PretrainedChooser } from './ui/pretrained_chooser.js';
import { WeightsView } from './ui/weights.js';

const ASSETS = new URL('../assets/', import.meta.url);
const PRETRAINED_KEY = 'nnlab.pretrained'; // the pretrained model chosen last ('mlp', 'cnn')
const LIVE_MS = 1000; // weights and the pad's answer refresh this often while training

export class Lab {
  // app: { state(): the page's state, adopt(bytes, source): load a model file
  //        into the worker and the builder, start(resume), showError(message) }
  constructor({ bridge, app }) {
    this.bridge = bridge;
    this.app = app;
    this.model = null;       // the worker's describeModel() of the current model
    this.source = { kind: 'none' };
    this.epochs = 0;         // epochs the current model has been trained for
    this.pretrained = new Pretrained(ASSETS); // the models in assets/
    this.test = null;        // the test set, for the explorer
    this.inspected = null;   // { counts, summary, k } of the last refresh
    this.padProbs = null;
    this.padInput = null;
    this.counts = { pad: 0, inspect: 0, weights: 0 };
    this.lastLive = 0;
    this.padFrame = 0;

    this.draw = new DrawView({
      onInk: () => this.schedulePad(), usePretrained: () => this.usePretrained(this.chosenPretrained()),
    });
    this.explorer = new Explorer();
    this.confusion = new ConfusionView({
      onCell: (y, p) => {
        this.explorer.setFilter({ wrongOnly: false, trueClass: y, predClass: p });
        this.explorer.reveal();
      },
    });
    this.weights = new WeightsView();
    this.chooser = new PretrainedChooser({ choose: (id) => this.usePretrained(id) });
    this.inside = new Inside({ bridge, app }); // feature maps and filters
    this.io = new ModelIoView({
      continueTraining: () => this.app.start(true),
      usePretrained: () => this.usePretrained(this.chosenPretrained()),
      exportTfjs: () => this.exportTfjs(),
      loadFile: async (file) => this.app.adopt(await file.arrayBuffer(), { kind: 'file', name: file.name }),
      restore: () => this.restore(),
      forget: () => this.forget(),
    });

    this.predictPad = coalesced(() => this.predictPadNow());
    this.inspect = coalesced(() => this.inspectNow());
    this.refreshWeights = coalesced(() => this.weightsNow());

    bridge.on('progress', (e) => this.onProgress(e));
    bridge.on('done', (e) => this.onDone(e));
    onLangChange(() => {
      this.showSource();
      this.explorer.render();
      this.confusion.render();
    });
  }

  // ---------------------------------------------------------------------------
  // Start-up: the pretrained model, and the one kept from last time

  // Loads the pretrained model chosen last (the MLP at first) as the current
  // model; false if it is not there (the page then builds an untrained model
  // as before).
  // layers: the layer text the page's setup asks for (a link, the form before
  // a reload), or none: then the pretrained model chosen last; with it, the
  // pretrained model of those layers if there is one. Whether one was loaded.
  async startup(layers) {
    this.offerStored();
    await this.pretrained.probe();
    const chosen = this.chosenPretrained();
    if (!layers) return this.usePretrained(chosen);
    for (const id of [chosen, ...PRETRAINED_IDS.filter((x) => x !== chosen)]) {
      const got = this.pretrained.has(id) && (await this.pretrained.get(id));
      if (got && got.info.config && got.info.config.layers === layers) return this.usePretrained(id);
    }
    return false;
  }

  // The pretrained model the student chose last ('mlp' at first, or when
  // that one is not on the site): what the "Pretrained model" buttons load.
  chosenPretrained() {
    let id = 'mlp';
    try {
      id = localStorage.getItem(PRETRAINED_KEY) || id;
    } catch {
      // no storage: the MLP
    }
    return this.pretrained.has(id) ? id : 'mlp';
  }

  // Make pretrained model `id` ('mlp', 'cnn') the current one; remembered for next time.
  async usePretrained(id = 'mlp') {
    const got = await this.pretrained.get(id);
    if (!got) return false;
    const ok = await this.app.adopt(got.bytes, { kind: 'pretrained', which: id, name: this.pretrained.fileOf(id) });
    if (ok) {
      try {
        localStorage.setItem(PRETRAINED_KEY, id);
      } catch {
        // not remembered
      }
    }
    return ok;
  }

  async offerStored() {
    try {
      const record = await getLastModel();
      this.io.offerRestore(record && record.bytes ? record : null);
    } catch {
      // No IndexedDB (private mode, file://): nothing to offer.
    }
  }

  async restore() {
    try {
      const record = await getLastModel();
      if (record && (await this.app.adopt(record.bytes, { kind: 'restored' }))) this.io.offerRestore(null);
    } catch (e) {
      this.app.showError(errorText(e));
    }
  }

  async forget() {
    this.io.offerRestore(null);
    try {
      await deleteLastModel();
    } catch {
      // already gone
    }
    this.counts.forgotten = (this.counts.forgotten || 0) + 1; // tests wait for the deletion
  }

  // ---------------------------------------------------------------------------
  // The current model

  // The app shows a model: built (untrained), trained here, or loaded. source:
  // { kind: 'untrained' | 'trained' | 'pretrained' | 'file' | 'restored', name }
  // or undefined when the same model only moved on (a fit ended).
  modelShown(model, source) {
    this.model = model;
    if (source) this.source = source;
    this.epochs = model.info.historyEpochs;
    this.showSource();
    this.predictPad();
    this.inspect();
    this.inside.modelShown(model);
  }

  showSource() {
    const kind = this.source.kind;
    const info = this.model && this.model.info;
    const n = this.epochs;
    const opts = { pretrainedAvailable: this.pretrained.has('mlp') };
    if (!info) {
      this.draw.showSource('source.none', {}, opts);
      return;
    }
    if (info.inputSize !== SIZE * SIZE) {
      this.draw.showSource('source.other', { n: info.inputSize }, { ...opts, unusable: 'draw.wrongInput' });
      return;
    }
    if (kind === 'pretrained') {
      const acc = this.pretrained.accuracy(this.source.which);
      const key = this.source.which === 'cnn' ? 'source.pretrainedCnn' : 'source.pretrained';
      this.draw.showSource(acc ? `${key}Acc` : key, { acc: (acc * 100).toFixed(1) }, opts);
    } else if (kind === 'file') {
      this.draw.showSource('source.file', { name: this.source.name, n }, opts);
    } else if (kind === 'restored') {
      this.draw.showSource('source.restored', { n }, opts);
    } else if (kind === 'trained' || info.step > 0) {
      this.draw.showSource('source.trained', { n }, opts);
    } else {
      this.draw.showSource('source.untrained', {}, { ...opts, untrained: true });
    }
  }

  // The page's buttons follow its state (called from app.refreshButtons).
  refresh() {
    const s = this.app.state();
    const idle = s.train === 'idle';
    const info = this.model && this.model.info;
    this.io.setButtons({
      canContinue: idle && s.dataReady && s.workerReady && s.hasModel && !!info && info.step > 0 && !s.buildError,
      canExport: idle && s.hasModel,
      canPretrained: { available: this.pretrained.has('mlp'), enabled: idle && s.workerReady },
      training: !idle,
    });
    this.chooser.set({
      available: this.pretrained.found, active: this.source.kind === 'pretrained' ? this.source.which : null,
      enabled: idle && s.workerReady,
    });
  }

  dataLoaded() {
    this.test = null; // (another dataset may have replaced the test set)
    this.inspect();
    this.inside.dataLoaded();
  }

  onProgress({ p, epochEnd }) {
    if (epochEnd) {
      this.epochs = p.historyEpochs;
      this.showSource();
      this.inspect();
      this.predictPad();
      this.lastLive = performance.now();
      return;
    }
    // Between epochs, the weights and the pad's answer move with the model.
    const now = performance.now();
    if (now - this.lastLive >= LIVE_MS) {
      this.lastLive = now;
      this.refreshWeights();
      if (!this.draw.isEmpty()) this.predictPad();
    }
  }

  // A fit ended: keep the model for next time.
  async onDone({ error, model }) {
    if (error || !model || !model.info.step) return;
    try {
      const { bytes } = await this.bridge.save();
      await putLastModel({
        bytes, savedAt: new Date().toISOString(), layers: model.layers, epochs: model.info.historyEpochs,
        params: model.info.params,
      });
      this.io.offerRestore(null); // the banner offered an older one
      this.counts.stored = (this.counts.stored || 0) + 1;
    } catch {
      // Storage refused (quota, private mode): the model simply is not kept.
    }
  }

  // ---------------------------------------------------------------------------
  // The pad

  schedulePad() {
    if (this.padFrame) return;
    this.padFrame = requestAnimationFrame(() => {
      this.padFrame = 0;
      this.predictPad();
    });
  }

  async predictPadNow() {
    const x = this.draw.isEmpty() ? null : toMnist(alphaOf(this.draw.pixels()), PAD_SIZE, PAD_SIZE);
    this.padInput = x && Float32Array.from(x);
    this.inside.padChanged(this.padInput);
    this.draw.showInput(x);
    const info = this.model && this.model.info;
    if (!x || !info || info.inputSize !== x.length) {
      this.padProbs = null;
      this.draw.showProbs(null);
      return;
    }
    try {
      const { probs } = await this.bridge.predictPixels(x);
      this.padProbs = probs;
      this.draw.showProbs(probs);
      this.counts.pad++;
    } catch {
      // The model changed under the request (e.g. a rebuild); the next change asks again.
    }
  }

  // ---------------------------------------------------------------------------
  // Looking inside

  async inspectNow() {
    const s = this.app.state();
    if (!s.dataReady || !s.hasModel || !this.model) return;
    try {
      if (!this.test) {
        const d = await this.bridge.testSet();
        let k = d.classes || 0;
        for (const y of d.labels) if (y >= k) k = y + 1;
        this.test = { ...d, k };
        this.explorer.setData({ pixels: d.pixels, labels: d.labels, rows: d.rows, cols: d.cols, k });
      }
      const r = await this.bridge.predictTest();
      const k = Math.max(r.k, this.test.k);
      const preds = argmaxRows(r.probs, r.n, r.k);
      const counts = confusion(this.test.labels, preds, k);
      const summary = summarize(counts, k);
      this.inspected = { counts, summary, k };
      this.explorer.setPredictions(r.probs, preds, r.k);
      this.confusion.show(counts, k, summary);
      this.counts.inspect++;
    } catch {
      // The worker was busy with a new model or data; the next change asks again.
    }
    await this.refreshWeights();
  }

  async weightsNow() {
    if (!this.app.state().hasModel) return;
    try {
      this.weights.show(await this.bridge.firstLayer());
      this.counts.weights++;
    } catch {
      // no model or no Dense layer yet
    }
  }

  // ---------------------------------------------------------------------------
  // Export

  async exportTfjs() {
    try {
      const { bytes } = await this.bridge.save();
      const { modelJson, weightsBin } = exportTfjs(bytes);
      downloadBlob('model.json', new Blob([JSON.stringify(modelJson)], { type: 'application/json' }));
      downloadBlob('weights.bin', new Blob([weightsBin], { type: 'application/octet-stream' }));
      toast('export.done');
    } catch (e) {
      this.app.showError(errorText(e)); // an ExportError, a ModelFileError (i18n keys) or the core's reason
    }
  }

  // What the browser tests read (no behaviour of their own).
  snapshot() {
    const c = this.inspected;
    return {
      source: this.source.kind,
      sourceText: this.draw.source.textContent,
      epochs: this.epochs,
      padProbs: this.padProbs && Array.from(this.padProbs),
      padInput: this.padInput && Array.from(this.padInput),
      padBusy: this.predictPad.busy() || !!this.padFrame,
      inspectBusy: this.inspect.busy(),
      counts: { ...this.counts },
      confusion: c && { counts: Array.from(c.counts), k: c.k, total: c.summary.total, correct: c.summary.correct },
      strokes: this.draw.pad.strokes.length,
      pretrained: this.source.kind === 'pretrained' ? this.source.which : null,
      inside: this.inside.snapshot(),
    };
  }
}
