// ui/builder.js — the model, compile and fit cards: an editable layer list,
// presets, and the option fields. It holds the config being edited, tells the
// app about every change (onChange(part) with part 'model', 'compile' or 'fit') and shows
// the validation messages the app hands back, next to their fields.

import { ACTIVATIONS, OPTIMIZERS, PRESETS, cloneConfig } from '../model_config.js';
import { apply, setI18n } from '../i18n.js';

const $ = (sel) => document.querySelector(sel);

// Numbers as typed: '' or garbage become NaN so validation catches them.
const num = (el) => (el.value.trim() === '' ? NaN : Number(el.value));

export class Builder {
  constructor({ onChange }) {
    this.onChange = onChange;
    this.config = null;
    this.input = { size: 784, rows: 28, cols: 28 }; // the data's images, for the Input row
    this.buildError = null;
    this.list = $('#layers');
    this.fields = {
      optimizer: $('#optimizer'), lr: $('#lr'), loss: $('#loss'),
      epochs: $('#epochs'), batchSize: $('#batchSize'), trainLimit: $('#trainLimit'),
      validationSplit: $('#validationSplit'), shuffle: $('#shuffle'), seed: $('#seed'),
    };
    for (const name of Object.keys(OPTIMIZERS)) {
      this.fields.optimizer.append(new Option(name, name));
    }
    this.wire();
  }

  wire() {
    document.querySelectorAll('[data-preset]').forEach((b) => b.addEventListener('click', () => {
      this.config.layers = PRESETS[b.dataset.preset].map((l) => ({ ...l }));
      this.renderLayers();
      this.changed('model');
    }));
    $('#add-dense').addEventListener('click', () => this.insert({ kind: 'dense', units: 64, activation: 'relu' }));
    $('#add-dropout').addEventListener('click', () => this.insert({ kind: 'dropout', rate: 0.2 }));

    // Layer rows: one delegated listener for typing, one for buttons.
    this.list.addEventListener('input', (e) => {
      const row = e.target.closest('[data-index]');
      if (!row) return;
      const layer = this.config.layers[Number(row.dataset.index)];
      if (e.target.name === 'units') layer.units = num(e.target);
      else if (e.target.name === 'rate') layer.rate = num(e.target);
      else if (e.target.name === 'activation') layer.activation = e.target.value;
      this.changed('model');
    });
    this.list.addEventListener('click', (e) => {
      const btn = e.target.closest('button[data-act]');
      if (!btn) return;
      const i = Number(btn.closest('[data-index]').dataset.index);
      const layers = this.config.layers;
      if (btn.dataset.act === 'remove') layers.splice(i, 1);
      else {
        const j = btn.dataset.act === 'up' ? i - 1 : i + 1;
        if (j < 0 || j >= layers.length) return;
        [layers[i], layers[j]] = [layers[j], layers[i]];
      }
      this.renderLayers();
      this.changed('model');
    });

    const f = this.fields;
    f.optimizer.addEventListener('change', () => {
      this.config.optimizer = f.optimizer.value;
      this.config.lr = OPTIMIZERS[f.optimizer.value].lr; // a new optimizer starts at its Keras default
      f.lr.value = this.config.lr;
      this.renderHints();
      this.changed('compile');
    });
    f.lr.addEventListener('input', () => { this.config.lr = num(f.lr); this.changed('compile'); });
    f.loss.addEventListener('change', () => { this.config.loss = f.loss.value; this.renderHints(); this.changed('compile'); });
    f.seed.addEventListener('input', () => { this.config.seed = num(f.seed); this.changed('model'); });
    for (const k of ['epochs', 'batchSize', 'trainLimit', 'validationSplit']) {
      f[k].addEventListener('input', () => { this.config[k] = num(f[k]); this.changed('fit'); });
    }
    f.shuffle.addEventListener('change', () => { this.config.shuffle = f.shuffle.checked; this.changed('fit'); });
    document.querySelectorAll('input[name="validation"]').forEach((r) => r.addEventListener('change', () => {
      this.config.validation = r.value;
      f.validationSplit.disabled = r.value !== 'split';
      this.changed('fit');
    }));
    document.querySelectorAll('[data-limit]').forEach((b) => b.addEventListener('click', () => {
      this.config.trainLimit = Number(b.dataset.limit);
      f.trainLimit.value = b.dataset.limit;
      this.changed('fit');
    }));
  }

  insert(layer) {
    // New layers go before the output layer, where hidden layers belong.
    const layers = this.config.layers;
    layers.splice(Math.max(0, layers.length - 1), 0, layer);
    this.renderLayers();
    this.changed('model');
  }

  changed(part) {
    this.onChange(part, cloneConfig(this.config));
  }

  getConfig() { return cloneConfig(this.config); }

  // Show a config (initial, reverted after a cancelled change, or loaded).
  setConfig(c) {
    this.config = cloneConfig(c);
    const f = this.fields;
    f.optimizer.value = c.optimizer;
    f.lr.value = c.lr;
    f.loss.value = c.loss;
    f.epochs.value = c.epochs;
    f.batchSize.value = c.batchSize;
    f.trainLimit.value = c.trainLimit;
    f.validationSplit.value = c.validationSplit;
    f.validationSplit.disabled = c.validation !== 'split';
    f.shuffle.checked = c.shuffle;
    f.seed.value = c.seed;
    document.querySelectorAll('input[name="validation"]').forEach((r) => { r.checked = r.value === c.validation; });
    this.renderLayers();
    this.renderHints();
  }

  // The data the model takes: info.rows × info.cols images.
  setInput(info) {
    this.input = { size: info.rows * info.cols, rows: info.rows, cols: info.cols };
    if (this.config) this.renderLayers();
  }

  // err: { message, index } when the core refused to build the model (shown
  // at layer `index`, or under the list), null to clear.
  setBuildError(err) {
    this.buildError = err;
    this.showErrors(this.errors || [], this.warnings || []);
  }

  // --- rendering -----------------------------------------------------------

  renderLayers() {
    const { size, rows: h, cols: w } = this.input;
    const rows = [`<li class="layer input"><span class="layer-kind">Input</span><span>shape=(${size},) <span class="muted">${h}×${w}</span></span><span></span></li>`];
    const n = this.config.layers.length;
    this.config.layers.forEach((l, i) => {
      const fields = l.kind === 'dense'
        ? `<label><span data-i18n="layer.units">units</span><input type="number" name="units" min="1" step="1" value="${fmt(l.units)}"></label>
           <label><span data-i18n="layer.activation">activation</span><select name="activation">${ACTIVATIONS.map((a) => `<option${a === l.activation ? ' selected' : ''}>${a}</option>`).join('')}</select></label>`
        : `<label><span data-i18n="layer.rate">rate</span><input type="number" name="rate" min="0" max="0.99" step="0.05" value="${fmt(l.rate)}"></label>`;
      rows.push(`<li class="layer" data-index="${i}">
        <span class="layer-kind ${l.kind}">${l.kind === 'dense' ? 'Dense' : 'Dropout'}</span>
        <div class="layer-fields">${fields}</div>
        <div class="layer-actions">
          <button type="button" class="icon-btn" data-act="up" data-i18n-title="layer.up" ${i === 0 ? 'disabled' : ''}>↑</button>
          <button type="button" class="icon-btn" data-act="down" data-i18n-title="layer.down" ${i === n - 1 ? 'disabled' : ''}>↓</button>
          <button type="button" class="icon-btn" data-act="remove" data-i18n-title="layer.remove">✕</button>
        </div>
        <p class="field-error" data-error-for="layer-${i}"></p>
      </li>`);
    });
    this.list.innerHTML = rows.join('');
    apply(this.list);
    this.showErrors(this.errors || [], this.warnings || []);
  }

  renderHints() {
    const c = this.config;
    setI18n($('#lr-default'), 'compile.lrDefault', { lr: OPTIMIZERS[c.optimizer].lr });
    setI18n($('#loss-hint'), c.loss === 'sparse_categorical_crossentropy' ? 'compile.sparseHint' : 'compile.catHint');
  }

  // errs: [{field, index?, key, params}] from model_config.js validate*();
  // warnings: the same shape from modelWarnings(), where those without a field
  // are about the whole model.
  showErrors(errs, warnings = []) {
    this.errors = errs;
    this.warnings = warnings;
    document.querySelectorAll('.field-error[data-error-for]').forEach((p) => {
      p.textContent = '';
      p.removeAttribute('data-i18n');
    });
    document.querySelectorAll('.invalid').forEach((el) => el.classList.remove('invalid'));
    for (const e of errs) {
      const p = document.querySelector(`.field-error[data-error-for="${target(e)}"]`);
      if (p && !p.textContent) setI18n(p, e.key, e.params);
      const input = e.index !== undefined
        ? this.list.querySelector(`[data-index="${e.index}"] [name="${e.field}"]`)
        : this.fields[e.field];
      if (input) {
        input.classList.add('invalid');
        input.setAttribute('aria-invalid', 'true');
      }
    }
    const be = this.buildError;
    if (be) {
      const p = document.querySelector(`.field-error[data-error-for="${be.index >= 0 ? `layer-${be.index}` : 'layers'}"]`)
        || document.querySelector('.field-error[data-error-for="layers"]');
      if (p && !p.textContent) {
        p.removeAttribute('data-i18n');
        p.textContent = be.message;
      }
      const input = this.list.querySelector(`[data-index="${be.index}"] [name="units"]`);
      if (input) {
        input.classList.add('invalid');
        input.setAttribute('aria-invalid', 'true');
      }
    }
    document.querySelectorAll('[aria-invalid]:not(.invalid)').forEach((el) => el.removeAttribute('aria-invalid'));
    this.showWarnings(warnings);
  }

  // A field's warning goes under its error line, unless that shows an error
  // (which says more); the first one about the whole model goes under the layers.
  showWarnings(warnings) {
    document.querySelectorAll('[data-warn-for]').forEach((p) => p.remove());
    for (const w of warnings.filter((x) => x.field)) {
      const err = document.querySelector(`.field-error[data-error-for="${target(w)}"]`);
      if (!err || err.textContent) continue;
      const p = document.createElement('p');
      p.className = 'field-error hint warn'; // laid out as an error line, in the warning colour
      p.dataset.warnFor = target(w);
      setI18n(p, w.key, w.params);
      err.after(p);
    }
    const general = warnings.find((x) => !x.field);
    const warn = $('#model-warn');
    warn.hidden = !general;
    if (general) setI18n(warn, general.key, general.params);
  }
}

// The error line a problem belongs to: its layer's row, or its field's.
function target(e) {
  return e.index !== undefined ? `layer-${e.index}` : e.field;
}

function fmt(v) {
  return Number.isFinite(v) ? String(v) : '';
}
