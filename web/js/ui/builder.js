// ui/builder.js — the model, compile and fit cards: an editable layer list,
// presets, and the option fields. It holds the config being edited, tells the
// app about every change (onChange(part) with part 'model', 'compile' or 'fit') and shows
// the validation messages the app hands back, next to their fields.
//
// Each layer's row is made from the layer registry (layers.js): its fields,
// and under them the output shape and parameter count the core computed
// (setShapes); the first layer whose shapes do not flow, or that the core
// refused to build, is marked with the core's sentence (setBuildError).

import { formatPair, kindOf, newLayer, parsePair, shapeText } from '../layers.js';
import { OPTIMIZERS, PRESETS, cloneConfig, cloneLayers } from '../model_config.js';
import { apply, setI18n } from '../i18n.js';

const $ = (sel) => document.querySelector(sel);

// Numbers as typed: '' or garbage become NaN so validation catches them.
const num = (el) => (el.value.trim() === '' ? NaN : Number(el.value));

// The "+ Layer" buttons, in the order a convnet is usually written.
const ADD_ORDER = ['dense', 'conv2d', 'max_pooling2d', 'average_pooling2d', 'flatten', 'dropout',
  'batch_normalization', 'activation'];

// Parameter counts as Keras's summary() prints them (34,826), in either language.
const count = new Intl.NumberFormat('en-US');

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

// A piece of translatable text that does not break inside.
function piece(key, params) {
  const span = document.createElement('span');
  setI18n(span, key, params);
  return span;
}

// One input of a registry field, showing the layer's value.
function fieldHtml(f, value) {
  const label = `<span data-i18n="${f.label}"></span>`;
  let input;
  if (f.type === 'select') {
    input = `<select name="${f.name}">${f.options.map((o) => `<option${o === value ? ' selected' : ''}>${o}</option>`).join('')}</select>`;
  } else if (f.type === 'pair') {
    const shown = Array.isArray(value) && value.every(Number.isFinite) ? formatPair(value) : '';
    input = `<input type="text" name="${f.name}" class="pair" value="${esc(shown)}" spellcheck="false" autocomplete="off">`;
  } else if (f.type === 'rate') {
    input = `<input type="number" name="${f.name}" min="0" max="0.99" step="0.05" value="${fmt(value)}">`;
  } else {
    input = `<input type="number" name="${f.name}" min="${f.min}" step="1" value="${fmt(value)}">`;
  }
  return `<label>${label}${input}</label>`;
}

// A field's value as typed.
function readField(f, el) {
  if (f.type === 'select') return el.value;
  if (f.type === 'pair') return parsePair(el.value);
  return num(el);
}

export class Builder {
  constructor({ onChange }) {
    this.onChange = onChange;
    this.config = null;
    this.input = { rows: 28, cols: 28 }; // the data's images, for the Input row
    this.buildError = null;
    this.shapes = null;   // the worker's shapes of the layers shown, null while unknown
    this.list = $('#layers');
    this.fields = {
      optimizer: $('#optimizer'), lr: $('#lr'), loss: $('#loss'),
      epochs: $('#epochs'), batchSize: $('#batchSize'), trainLimit: $('#trainLimit'),
      validationSplit: $('#validationSplit'), shuffle: $('#shuffle'), seed: $('#seed'),
    };
    for (const name of Object.keys(OPTIMIZERS)) {
      this.fields.optimizer.append(new Option(name, name));
    }
    const add = $('#add-layers');
    for (const kind of ADD_ORDER) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'btn btn-ghost btn-small';
      b.id = `add-${kind}`;
      b.dataset.add = kind;
      setI18n(b, 'model.addLayer', { layer: kindOf(kind).keras });
      add.append(b);
    }
    this.wire();
  }

  wire() {
    // A preset is its layers and the batch size it is trained with.
    document.querySelectorAll('[data-preset]').forEach((b) => b.addEventListener('click', () => {
      const p = PRESETS[b.dataset.preset];
      this.config.layers = cloneLayers(p.layers);
      this.config.batchSize = p.batchSize;
      this.fields.batchSize.value = p.batchSize;
      this.renderLayers();
      this.changed('model');
    }));
    document.querySelectorAll('[data-add]').forEach((b) => b.addEventListener('click', () => this.insert(b.dataset.add)));

    // Layer rows: one delegated listener for typing, one for buttons.
    this.list.addEventListener('input', (e) => {
      const row = e.target.closest('[data-index]');
      if (!row) return;
      const layer = this.config.layers[Number(row.dataset.index)];
      const f = kindOf(layer).fields.find((x) => x.name === e.target.name);
      if (!f) return;
      layer[f.name] = readField(f, e.target);
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

  // A new layer of `kind`, where the registry says that kind belongs.
  insert(kind) {
    const layers = this.config.layers;
    layers.splice(kindOf(kind).insertAt(layers), 0, newLayer(kind));
    this.renderLayers();
    this.changed('model');
  }

  changed(part) {
    this.shapes = null; // the shapes shown belong to the layers before the change
    this.renderShapes();
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
    this.shapes = null;
    this.renderLayers();
    this.renderHints();
  }

  // The data the model takes: info.rows × info.cols images, and the fields
  // whose limits come from it (test-set size, training samples).
  setInput(info) {
    this.input = { rows: info.rows, cols: info.cols };
    setI18n(document.querySelector('[data-i18n="fit.valTest"]'), 'fit.valTest', { n: info.nTest });
    this.fields.trainLimit.max = info.nTrain;
    document.querySelectorAll('[data-limit]').forEach((b) => {
      if (b.dataset.i18n === 'fit.all') b.dataset.limit = info.nTrain;
      else b.hidden = Number(b.dataset.limit) >= info.nTrain;
    });
    if (this.config) this.renderLayers();
  }

  // shapes: the worker's layerShapes() of the layers shown ({ input, layers:
  // [{ shape, params, state }], error }, or { parseError } while a field is
  // impossible), null while unknown.
  setShapes(shapes) {
    this.shapes = shapes;
    this.renderShapes();
  }

  // err: { message, index, text? } when the core refused the model — its
  // shapes do not flow at layer `index`, or it could not be built — shown at
  // that layer (or under the list when index < 0), as text ({ key, params }
  // of the i18n table) when given, else as the core's message; null to clear.
  setBuildError(err) {
    this.buildError = err;
    this.renderShapes();
    this.showErrors(this.errors || [], this.warnings || []);
  }

  // --- rendering -----------------------------------------------------------

  renderLayers() {
    const rows = [`<li class="layer input">
      <span class="layer-kind">Input</span>
      <span class="layer-shape" id="input-shape"></span>
      <span></span>
    </li>`];
    const n = this.config.layers.length;
    this.config.layers.forEach((l, i) => {
      const k = kindOf(l);
      const extra = k.extra ? k.extra(l) : '';
      const fields = k.fields.map((f) => fieldHtml(f, l[f.name])).join('')
        + (extra ? `<span class="muted layer-extra">${esc(extra)}</span>` : '');
      const name = k.keras.replace(/([a-z])([A-Z])/g, '$1<wbr>$2');
      rows.push(`<li class="layer" data-index="${i}" data-kind="${l.kind}">
        <span class="layer-kind ${l.kind}">${name}</span>
        <span class="layer-shape" data-shape-for="${i}"></span>
        <div class="layer-actions">
          <button type="button" class="icon-btn" data-act="up" data-i18n-title="layer.up" ${i === 0 ? 'disabled' : ''}>↑</button>
          <button type="button" class="icon-btn" data-act="down" data-i18n-title="layer.down" ${i === n - 1 ? 'disabled' : ''}>↓</button>
          <button type="button" class="icon-btn" data-act="remove" data-i18n-title="layer.remove">✕</button>
        </div>
        ${fields ? `<div class="layer-fields">${fields}</div>` : ''}
        <p class="field-error" data-error-for="layer-${i}"></p>
      </li>`);
    });
    this.list.innerHTML = rows.join('');
    apply(this.list);
    this.renderShapes();
    this.showErrors(this.errors || [], this.warnings || []);
  }

  // The Input row and each layer's output shape: the core's, once it answered.
  renderShapes() {
    const s = this.shapes && !this.shapes.parseError ? this.shapes : null;
    const { rows, cols } = this.input;
    const input = document.getElementById('input-shape');
    if (input) {
      // A Dense-only model reads the image as one flat vector, as the core builds it.
      if (s && s.input[0] === 1 && s.input[1] === 1 && rows * cols !== 1) {
        setI18n(input, 'shape.inputFlat', { shape: shapeText(s.input), h: rows, w: cols, c: 1 });
      } else {
        setI18n(input, 'shape.input', { shape: shapeText(s ? s.input : [rows, cols, 1]) });
      }
    }
    this.list.querySelectorAll('[data-shape-for]').forEach((el) => {
      const i = Number(el.dataset.shapeFor);
      const row = el.closest('.layer');
      const be = this.buildError;
      const refused = !!be && be.index === i;
      row.classList.toggle('no-flow', refused);
      const l = s && s.layers[i];
      el.textContent = '';
      if (l) {
        const params = l.params + l.state; // as summary()'s Param # (BatchNormalization: both)
        el.append(piece('shape.out', { shape: shapeText(l.shape) }));
        if (params) el.append(' ', piece('shape.params', { n: count.format(params) }));
      } else {
        // After a refused layer nothing flows; while a field is impossible nothing is known.
        el.append(refused ? piece('shape.noFlow') : s ? '—' : this.shapes ? '' : '…');
      }
    });
  }

  renderHints() {
    const c = this.config;
    setI18n($('#lr-default'), 'compile.lrDefault', { lr: OPTIMIZERS[c.optimizer].lr });
    setI18n($('#loss-hint'), c.loss === 'sparse_categorical_crossentropy' ? 'compile.sparseHint' : 'compile.catHint');
  }

  // errs: [{field, index?, key, params}] from model_config.js validate*();
  // warnings: the same shape from modelWarnings(), where those without a field
  // are about the whole model. A layer's own field errors come first, then
  // the core's refusal (setBuildError).
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
      if (p && !p.textContent && be.text) setI18n(p, be.text.key, be.text.params);
      else if (p && !p.textContent) {
        p.removeAttribute('data-i18n');
        delete p.dataset.i18nParams;
        p.textContent = be.message;
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
