// ui/runs.js — the list of training runs under the charts: colour, a tick to
// overlay the run, its name (rename in place), its setup, its final metrics,
// and buttons to download its history (CSV, JSON) or delete it.

import { apply, t } from '../i18n.js';
import { describeLayer, readsImage } from '../layers.js';
import { INPUT_SIZE } from '../model_config.js';

// What a run's model reads: 784 values, or 28×28×1 images for a CNN (runs
// kept from before CNNs have only inputSize).
function inputText(c) {
  if (c.inputShape && readsImage(c.layers)) return c.inputShape.join('×');
  return c.inputSize ?? INPUT_SIZE;
}

// One line saying how a run was set up: 784 → 100 relu → 10 softmax · adam 0.001 · …
// (a CNN: 28×28×1 → Conv2D 8 5×5 relu → MaxPool 2×2 → … → 10 softmax).
function describe(c) {
  const arch = [inputText(c), ...c.layers.map(describeLayer)].join(' → ');
  const loss = t(c.loss === 'sparse_categorical_crossentropy' ? 'runs.lossSparse' : 'runs.lossCat');
  return `${arch} · ${c.optimizer} ${c.lr} · ${loss} · ${t('runs.descFit', { n: c.trainLimit, e: c.epochs, b: c.batchSize })}`;
}

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

export class RunsView {
  // handlers: { toggle(id, on), rename(id, name), remove(id), download(id, format) }
  constructor(handlers) {
    this.el = document.getElementById('runs');
    this.handlers = handlers;
    this.el.addEventListener('change', (e) => {
      const id = e.target.closest('[data-run]')?.dataset.run;
      if (id && e.target.name === 'visible') handlers.toggle(id, e.target.checked);
    });
    this.el.addEventListener('click', (e) => {
      const btn = e.target.closest('button[data-act]');
      if (!btn) return;
      const id = btn.closest('[data-run]').dataset.run;
      const act = btn.dataset.act;
      if (act === 'rename') this.startRename(id);
      else if (act === 'delete') handlers.remove(id);
      else handlers.download(id, act);
    });
  }

  render(runs, currentId) {
    if (!runs.length) {
      this.el.innerHTML = '<li class="empty" data-i18n="runs.empty"></li>';
      apply(this.el);
      return;
    }
    this.el.innerHTML = runs.map((r) => {
      const h = r.history;
      const last = h.loss.length - 1;
      const metric = (k) => (last >= 0 && h[k][last] != null ? h[k][last].toFixed(4) : '–');
      const status = ['running', 'stopped', 'failed', 'diverged'].includes(r.status) ? `<span data-i18n="runs.${r.status}"></span> · ` : '';
      return `<li class="run${r.id === currentId ? ' current' : ''}" data-run="${r.id}">
        <input type="checkbox" name="visible" ${r.visible ? 'checked' : ''} data-i18n-title="runs.overlay">
        <span class="swatch" data-color="${esc(r.color)}"></span>
        <div class="run-main">
          <div class="run-name">${esc(r.name)}</div>
          <div class="run-desc" title="${esc(describe(r.config))}">${status}${esc(describe(r.config))}</div>
        </div>
        <div class="run-metrics" title="val_accuracy · val_loss">${metric('valAccuracy')} · ${metric('valLoss')}</div>
        <div class="run-actions">
          <button type="button" class="link" data-act="rename" data-i18n="runs.rename"></button>
          <button type="button" class="link" data-act="csv">CSV</button>
          <button type="button" class="link" data-act="json">JSON</button>
          <button type="button" class="link" data-act="delete" data-i18n="runs.delete"></button>
        </div>
      </li>`;
    }).join('');
    // Through the CSSOM: the Content-Security-Policy allows no style attributes.
    this.el.querySelectorAll('.swatch[data-color]').forEach((s) => { s.style.background = s.dataset.color; });
    apply(this.el);
  }

  startRename(id) {
    const nameEl = this.el.querySelector(`[data-run="${id}"] .run-name`);
    const input = document.createElement('input');
    input.value = nameEl.textContent;
    input.maxLength = 60;
    nameEl.replaceChildren(input);
    input.focus();
    input.select();
    let done = false;
    const finish = (save) => {
      if (done) return;
      done = true;
      const name = input.value.trim();
      this.handlers.rename(id, save && name ? name : null);
    };
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') finish(true);
      if (e.key === 'Escape') finish(false);
    });
    input.addEventListener('blur', () => finish(true));
  }
}
