// ui/crash.js — the banner shown when the training worker died or its
// WebAssembly module stopped: what happened, what is kept, and a button that
// restarts the worker. It only draws; onRestart() is the app's.

import { apply, setI18n } from '../i18n.js';

export class CrashBanner {
  constructor({ onRestart }) {
    const el = document.createElement('div');
    el.className = 'error-banner crash-banner';
    el.id = 'crash-banner';
    el.setAttribute('role', 'alert');
    el.hidden = true;
    el.innerHTML = `
      <p><strong class="what"></strong> <span data-i18n="crash.kept"></span></p>
      <p class="detail" hidden></p>
      <button type="button" class="btn btn-primary btn-small" id="btn-restart" data-i18n="crash.restart"></button>`;
    const anchor = document.getElementById('train-error');
    anchor.after(el);
    apply(el);
    this.el = el;
    this.button = el.querySelector('#btn-restart');
    this.button.addEventListener('click', () => onRestart());
  }

  // kind: 'worker' (the worker is gone) or 'wasm' (its module stopped, msg says how).
  show(kind, msg) {
    this.el.hidden = false;
    setI18n(this.el.querySelector('.what'), kind === 'wasm' ? 'crash.wasm' : 'crash.worker', { msg });
    this.detail(null);
    this.button.disabled = false;
    setI18n(this.button, 'crash.restart');
  }

  restarting() {
    this.button.disabled = true;
    setI18n(this.button, 'crash.restarting');
  }

  // The restart itself failed: say why and offer it again.
  failed(msg) {
    this.detail('crash.restartFailed', { msg });
    this.button.disabled = false;
    setI18n(this.button, 'crash.restart');
  }

  detail(key, params) {
    const p = this.el.querySelector('.detail');
    p.hidden = !key;
    if (key) setI18n(p, key, params);
  }

  hide() {
    this.el.hidden = true;
  }
}
