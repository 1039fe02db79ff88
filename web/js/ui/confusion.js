// ui/confusion.js — the confusion matrix as a 10×10 heatmap table (rows: true
// class, columns: predicted class), in counts or row-normalised, with the
// per-class accuracy (recall) at the end of each row and the overall accuracy
// (trace / total) above. Clicking a cell asks the explorer for those images.
// Each cell is a button named by its count and classes; the matrix is one Tab
// stop, the arrow keys move between its cells (Home/End: along the row).

import { setI18n, t } from '../i18n.js';

const $ = (sel) => document.querySelector(sel);

export class ConfusionView {
  // onCell(trueClass, predClass)
  constructor({ onCell }) {
    this.table = $('#confusion');
    this.total = $('#confusion-total');
    this.mode = 'counts';
    this.counts = null;
    this.buttons = [...document.querySelectorAll('[data-confusion-mode]')];
    this.focus = [0, 0]; // the cell that has the matrix's Tab stop
    for (const b of this.buttons) {
      b.addEventListener('click', () => {
        this.mode = b.dataset.confusionMode;
        this.render();
      });
    }
    this.table.addEventListener('click', (e) => {
      const td = e.target.closest('td[data-true]');
      if (td) onCell(Number(td.dataset.true), Number(td.dataset.pred));
    });
    this.table.addEventListener('keydown', (e) => this.key(e));
    this.render();
  }

  // Arrow keys move the focus between cells (Enter and Space click, as on any button).
  key(e) {
    const td = e.target.closest('td[data-true]');
    if (!td || !this.counts) return;
    const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    let r = Number(td.dataset.true), c = Number(td.dataset.pred);
    if (moves[e.key]) {
      r = Math.min(this.k - 1, Math.max(0, r + moves[e.key][0]));
      c = Math.min(this.k - 1, Math.max(0, c + moves[e.key][1]));
    } else if (e.key === 'Home') c = 0;
    else if (e.key === 'End') c = this.k - 1;
    else return;
    e.preventDefault();
    this.focus = [r, c];
    this.table.querySelectorAll('td[data-true] > button').forEach((b) => { b.tabIndex = -1; });
    const b = this.table.querySelector(`td[data-true="${r}"][data-pred="${c}"] > button`);
    b.tabIndex = 0;
    b.focus();
  }

  // counts (k*k), summary from metrics.summarize.
  show(counts, k, summary) {
    this.counts = counts;
    this.k = k;
    this.summary = summary;
    this.render();
  }

  render() {
    for (const b of this.buttons) {
      b.classList.toggle('active', b.dataset.confusionMode === this.mode);
      b.setAttribute('aria-pressed', String(b.dataset.confusionMode === this.mode));
    }
    if (!this.counts) {
      setI18n(this.total, 'confusion.waiting');
      return;
    }
    const { k, counts, summary } = this;
    setI18n(this.total, 'confusion.total', {
      acc: (summary.accuracy * 100).toFixed(2), correct: summary.correct, n: summary.total,
    });
    const rows = this.mode === 'rows';
    const hadFocus = this.table.contains(document.activeElement);
    if (this.focus[0] >= k || this.focus[1] >= k) this.focus = [0, 0];
    const frag = document.createDocumentFragment();
    const head = document.createElement('tr');
    const corner = document.createElement('th');
    corner.className = 'corner';
    setI18n(corner, 'confusion.corner');
    head.append(corner);
    for (let c = 0; c < k; c++) head.append(th(String(c), 'c-col'));
    const accHead = document.createElement('th');
    accHead.className = 'acc';
    setI18n(accHead, 'confusion.accuracy');
    head.append(accHead);
    frag.append(head);
    for (let r = 0; r < k; r++) {
      const tr = document.createElement('tr');
      tr.append(th(String(r), 'c-row'));
      const n = summary.perClass[r].n;
      for (let c = 0; c < k; c++) {
        const v = counts[r * k + c];
        const f = n ? v / n : 0;
        const td = document.createElement('td');
        td.dataset.true = String(r);
        td.dataset.pred = String(c);
        const b = document.createElement('button');
        b.type = 'button';
        b.tabIndex = r === this.focus[0] && c === this.focus[1] ? 0 : -1;
        b.textContent = rows ? (v ? pct(f) : '') : v ? String(v) : '';
        // The name starts with the number shown, then says which digits (the headers are far away).
        label(b, rows ? 'access.cellRow' : 'access.cellCount', { n: rows ? pct(f) : v, y: r, p: c });
        paint(td, f, r === c, v);
        td.append(b);
        tr.append(td);
      }
      const acc = document.createElement('td');
      acc.className = 'acc';
      acc.textContent = n ? `${(summary.perClass[r].accuracy * 100).toFixed(1)}%` : '–';
      tr.append(acc);
      frag.append(tr);
    }
    this.table.textContent = '';
    this.table.append(frag);
    if (hadFocus) this.table.querySelector('button[tabindex="0"]').focus();
  }
}

// An accessible name that follows the language switch (i18n.js apply()).
function label(el, key, params) {
  el.dataset.i18nLabel = key;
  el.dataset.i18nParams = JSON.stringify(params);
  el.setAttribute('aria-label', t(key, params));
}

function th(text, cls) {
  const el = document.createElement('th');
  el.className = cls;
  el.textContent = text;
  return el;
}

// Percent of the row, without the sign (the toggle says "row %"), so that
// every cell fits: 97, 2.4, 0.1.
function pct(f) {
  const v = f * 100;
  return v >= 9.95 ? v.toFixed(0) : v.toFixed(1);
}

// Diagonal cells in the accent colour by their share of the row; mistakes in
// red, on a square-root scale so that a few percent already shows.
const DIAGONAL = [79, 70, 229], MISTAKE = [225, 29, 72];
function paint(td, f, diagonal, v) {
  if (!v) return;
  const a = diagonal ? 0.12 + 0.88 * f : Math.min(1, 0.08 + Math.sqrt(f) * 1.5);
  const rgb = diagonal ? DIAGONAL : MISTAKE;
  td.style.background = `rgba(${rgb.join(', ')}, ${a.toFixed(3)})`;
  // White text on the darker cells, black on the lighter ones: above or below a
  // luminance of 0.18 one of the two has a contrast of 4.5:1 at least.
  td.classList.toggle('dark', luminance(rgb.map((x) => a * x + (1 - a) * 255)) < 0.18);
  td.classList.add(diagonal ? 'diag' : 'off');
}

// WCAG relative luminance of an sRGB colour (0..255 each).
function luminance([r, g, b]) {
  const lin = (x) => {
    const c = x / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}
