// ui/chart_table.js — the charts as text, for screen readers and for anyone
// who wants the numbers: a one-line summary of the current run's last epoch
// ("Epoch 3/10 · loss 0.1200 · accuracy 0.9650 · val_loss … · val_accuracy …"),
// a live region that says each epoch once, and a table of every epoch of that
// run (epoch, loss, accuracy, val_loss, val_accuracy) in a <details> under the
// charts. The canvases name the summary line as their description.
//
// app.js calls show(run) wherever the runs are redrawn; it reads only the
// run's history and setup, never the charts.

import { onLangChange, setI18n } from '../i18n.js';

const COLUMNS = [
  ['loss', 'loss'], ['accuracy', 'accuracy'], ['valLoss', 'val_loss'], ['valAccuracy', 'val_accuracy'],
];

// The 4 decimals Keras prints; '–' for an epoch without validation.
const num = (v) => (Number.isFinite(v) ? v.toFixed(4) : '–');

export class ChartTable {
  constructor() {
    this.live = document.getElementById('chart-live');
    this.box = document.getElementById('chart-table');
    this.run = null;
    this.shown = null; // the run and epoch count shown now, so that an unchanged run is not rebuilt
    onLangChange(() => {
      this.shown = null;
      this.render();
    });
  }

  // run: the run being trained, else the last one (null when there is none).
  show(run) {
    this.run = run || null;
    this.render();
  }

  render() {
    const run = this.run;
    const h = run && run.history;
    const n = h ? h.loss.length : 0;
    const key = run ? `${run.id}:${run.name}:${n}:${run.config.epochs}` : '';
    if (key === this.shown) return;
    this.shown = key;
    this.renderLine(run, n);
    this.renderTable(run, n);
  }

  // The last epoch in one line. Its text changes once per epoch, so the live
  // region speaks once per epoch (never per batch).
  renderLine(run, n) {
    if (!run || !n) {
      setI18n(this.live, 'access.liveNone');
      return;
    }
    const h = run.history;
    const i = n - 1;
    const params = {
      epoch: (run.initialEpoch || 0) + n, epochs: run.config.epochs,
      loss: num(h.loss[i]), acc: num(h.accuracy[i]), valLoss: num(h.valLoss[i]), valAcc: num(h.valAccuracy[i]),
    };
    setI18n(this.live, Number.isFinite(h.valLoss[i]) ? 'access.liveVal' : 'access.live', params);
  }

  renderTable(run, n) {
    this.box.textContent = '';
    if (!run || !n) return;
    const table = document.createElement('table');
    table.className = 'chart-table';
    const caption = document.createElement('caption');
    setI18n(caption, 'access.tableCaption', { name: run.name });
    const head = document.createElement('tr');
    head.append(cell('th', null, 'access.colEpoch'), ...COLUMNS.map(([, name]) => cell('th', name)));
    head.querySelectorAll('th').forEach((th) => th.setAttribute('scope', 'col'));
    const body = document.createElement('tbody');
    const h = run.history;
    for (let i = 0; i < n; i++) {
      const tr = document.createElement('tr');
      const epoch = cell('th', String((run.initialEpoch || 0) + i + 1));
      epoch.setAttribute('scope', 'row');
      tr.append(epoch, ...COLUMNS.map(([k]) => cell('td', num(h[k][i]))));
      body.append(tr);
    }
    const thead = document.createElement('thead');
    thead.append(head);
    table.append(caption, thead, body);
    this.box.append(table);
  }
}

// A table cell with text, or with a translated text when key is given.
function cell(tag, text, key) {
  const el = document.createElement(tag);
  if (key) setI18n(el, key);
  else el.textContent = text;
  return el;
}
