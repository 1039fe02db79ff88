// ui/dataset_picker.js — "bring your own data" in the data card: a file picker
// and a drop zone (the whole card) for four IDX files, the names of the files
// in use, a way back to MNIST, and the message when files are refused. It only
// draws and reports: onFiles(files) and onMnist() are the app's to handle.

import { apply, setI18n } from '../i18n.js';
import { errorText } from '../reasons.js';

export class DatasetPicker {
  constructor({ onFiles, onMnist }) {
    this.card = document.getElementById('card-data');
    const root = document.createElement('div');
    root.className = 'dataset-picker';
    root.innerHTML = `
      <p class="hint" data-i18n="dataset.hint"></p>
      <div class="dataset-actions">
        <label class="btn btn-small file-btn"><span data-i18n="dataset.pick"></span><input type="file" id="dataset-files" multiple></label>
        <button type="button" class="btn btn-ghost btn-small" id="dataset-mnist" data-i18n="dataset.backToMnist" hidden></button>
        <span class="hint" id="dataset-status"></span>
      </div>
      <p class="hint dataset-names" id="dataset-names" hidden></p>
      <p class="error-banner" id="dataset-error" role="alert" hidden><span class="msg"></span> <span data-i18n="dataset.unchanged"></span></p>
      <div class="drop-overlay" aria-hidden="true"><span data-i18n="dataset.drop"></span></div>`;
    this.card.append(root);
    apply(root);
    this.input = root.querySelector('#dataset-files');
    this.mnist = root.querySelector('#dataset-mnist');
    this.status = root.querySelector('#dataset-status');
    this.names = root.querySelector('#dataset-names');
    this.error = root.querySelector('#dataset-error');

    this.input.addEventListener('change', () => {
      const files = Array.from(this.input.files);
      this.input.value = '';
      if (files.length) onFiles(files);
    });
    this.mnist.addEventListener('click', () => onMnist());

    // Only file drags light the card up. Events still bubble: model files
    // (.nnl) dropped here are left to the page-wide model drop (ui/model_io.js).
    const hasFiles = (e) => e.dataTransfer && Array.from(e.dataTransfer.types || []).includes('Files');
    this.card.addEventListener('dragover', (e) => {
      if (!hasFiles(e) || this.busy) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
      this.card.classList.add('dropping');
    });
    this.card.addEventListener('dragleave', (e) => {
      if (!this.card.contains(e.relatedTarget)) this.card.classList.remove('dropping');
    });
    this.card.addEventListener('drop', (e) => {
      this.card.classList.remove('dropping');
      const files = Array.from((e.dataTransfer && e.dataTransfer.files) || []);
      if (!files.length || files.every((f) => /\.nnl$/i.test(f.name))) return;
      e.preventDefault();
      if (!this.busy) onFiles(files);
    });
  }

  // While files are read and handed over: a status line, no second pick.
  setBusy(n) {
    this.busy = n > 0;
    this.input.disabled = this.busy;
    this.mnist.disabled = this.busy;
    if (this.busy) setI18n(this.status, 'dataset.reading', { n });
    else this.status.textContent = '';
  }

  // err: a DataError ({key, params}, translated) or an Error from the C core
  // (its reason translated, reasons.js); null hides the message.
  showError(err) {
    this.error.hidden = !err;
    if (!err) return;
    const msg = this.error.querySelector('.msg');
    const text = errorText(err);
    if (text.key) setI18n(msg, text.key, text.params);
    else {
      delete msg.dataset.i18n;
      msg.textContent = text;
    }
  }

  // The dataset in use: MNIST, or the user's files (info.files names them).
  showCurrent(info) {
    const custom = !info.builtin;
    this.mnist.hidden = !custom;
    this.names.hidden = !custom;
    if (custom) {
      const f = info.files;
      setI18n(this.names, 'dataset.files', { files: [f.trainImages, f.trainLabels, f.testImages, f.testLabels].join(', ') });
    }
  }
}
