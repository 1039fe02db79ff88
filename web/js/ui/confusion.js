// ui/confusion.js — the confusion matrix as a 10×10 heatmap table (rows: true
// class, columns: predicted class), in counts or row-normalised, with the
// per-class accuracy (recall) at the end of each row and the overall accuracy
// (trace / total) above. Clicking a cell asks the explorer for those images.

import { setI18n } from '../i18n.js';

const $ = (sel) => document.querySelector(sel);

export class ConfusionView {
  // onCell(trueClass, predClass)
  constructor({ onCell }) {
    this.table = $('#confusion');
    this.total = $('#confusion-total');
    this.mode = 'counts';
    this.counts = null;
    this.buttons = [...document.querySelectorAll('[data-confusion-mode]')];
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
    this.render();
  }

  // counts (k*k), summary from metrics.summarize.
  show(counts, k, summary) {
    this.counts = counts;
    this.k = k;
    this.summary = summary;
    this.render();
  }

  render() {
    for (const b of this.buttons) b.classList.toggle('active', b.dataset.confusionMode === this.mode);
    if (!this.counts) {
      setI18n(this.total, 'confusion.waiting');
      return;
    }
    const { k, counts, summary } = this;
    setI18n(this.total, 'confusion.total', {
      acc: (summary.accuracy * 100).toFixed(2), correct: summary.correct, n: summary.total,
    });
    const rows = this.mode === 'rows';
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
        td.textContent = rows ? (v ? pct(f) : '') : v ? String(v) : '';
        paint(td, f, r === c, v);
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
  }
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
function paint(td, f, diagonal, v) {
  if (!v) return;
  const a = diagonal ? 0.12 + 0.88 * f : Math.min(1, 0.08 + Math.sqrt(f) * 1.5);
  td.style.background = diagonal ? `rgba(79, 70, 229, ${a.toFixed(3)})` : `rgba(225, 29, 72, ${a.toFixed(3)})`;
  td.classList.toggle('dark', a > 0.55);
  td.classList.add(diagonal ? 'diag' : 'off');
}
