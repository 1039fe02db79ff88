// ui/model_view.js — the model.summary() and Keras code panes: the core's
// summary table of the current model (or why the builder's model is not it),
// the Keras code of the builder's model, and the Copy button.

import { setI18n } from '../i18n.js';
import { toast } from './dialog.js';

export class ModelView {
  constructor() {
    this.summary = document.getElementById('summary');
    this.code = document.getElementById('code');
    document.getElementById('btn-copy').addEventListener('click', () => this.copy());
  }

  // text: the core's summary() of the current model.
  showSummary(text) {
    delete this.summary.dataset.i18n;
    this.summary.textContent = text;
  }

  // The core refused the builder's model: the summary does not pass the
  // current model off as it.
  showNotBuilt() {
    setI18n(this.summary, 'model.notBuilt');
  }

  showCode(text) {
    this.code.textContent = text;
  }

  async copy() {
    const text = this.code.textContent;
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // Clipboard API refused (e.g. not a secure context): select the text instead.
      const range = document.createRange();
      range.selectNodeContents(this.code);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      document.execCommand('copy');
    }
    toast('code.copied');
  }
}
