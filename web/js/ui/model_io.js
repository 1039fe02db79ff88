// ui/model_io.js — the model's ways in and out beside the training controls:
// "Continue training", "Pretrained MLP", "Export for TF.js", dropping a .nnl
// file anywhere on the page, and the banner that offers the model kept in
// IndexedDB after a reload.

import { setI18n } from '../i18n.js';

const $ = (sel) => document.querySelector(sel);

// A model file by its name (drag-and-drop gives no other reliable hint).
export const isModelFile = (file) => /\.nnl$/i.test(file.name);

export class ModelIoView {
  // handlers: { continueTraining(), usePretrained(), exportTfjs(), loadFile(file), restore(), forget() }
  constructor(handlers) {
    this.btn = { cont: $('#btn-continue'), pretrained: $('#btn-pretrained'), export: $('#btn-export') };
    this.btn.cont.addEventListener('click', handlers.continueTraining);
    this.btn.pretrained.addEventListener('click', handlers.usePretrained);
    this.btn.export.addEventListener('click', handlers.exportTfjs);
    this.banner = $('#restore-banner');
    $('#restore-ok').addEventListener('click', handlers.restore);
    $('#restore-forget').addEventListener('click', handlers.forget);
    this.dropping(handlers.loadFile);
  }

  // training: a fit is running or paused. lab.css then lets the browser skip
  // the inspection cards while they are off screen; the class goes a little
  // after training ends, so that laying them out again does not land on the
  // frames that show the end of the run (on-screen cards are drawn anyway).
  setButtons({ canContinue, canExport, canPretrained, training }) {
    clearTimeout(this.trainingOff);
    if (training) document.body.classList.add('nn-training');
    else this.trainingOff = setTimeout(() => document.body.classList.remove('nn-training'), 400);
    this.btn.cont.disabled = !canContinue;
    this.btn.export.disabled = !canExport;
    this.btn.pretrained.disabled = !canPretrained.enabled;
    this.btn.pretrained.hidden = !canPretrained.available;
  }

  // record: what store.js kept ({ layers, epochs, savedAt }), or null to hide the banner.
  offerRestore(record) {
    this.banner.hidden = !record;
    if (!record) return;
    const when = new Date(record.savedAt);
    setI18n($('#restore-text'), 'store.offer', {
      layers: record.layers.replace(/,/g, ' → '), epochs: record.epochs,
      date: `${when.toLocaleDateString()} ${when.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`,
    });
  }

  // Model files dropped anywhere on the page. Other files are left alone
  // (another handler may want them, e.g. datasets).
  dropping(loadFile) {
    const hasFiles = (e) => e.dataTransfer && [...e.dataTransfer.types].includes('Files');
    let depth = 0;
    document.addEventListener('dragenter', (e) => {
      if (!hasFiles(e)) return;
      depth++;
      document.body.classList.add('dragging-file');
    });
    document.addEventListener('dragleave', () => {
      depth = Math.max(0, depth - 1);
      if (!depth) document.body.classList.remove('dragging-file');
    });
    document.addEventListener('dragover', (e) => {
      if (hasFiles(e)) e.preventDefault(); // allow the drop (and never navigate to the file)
    });
    document.addEventListener('drop', (e) => {
      depth = 0;
      document.body.classList.remove('dragging-file');
      const file = [...(e.dataTransfer?.files || [])].find(isModelFile);
      if (!file) return;
      e.preventDefault();
      loadFile(file);
    });
  }
}
