// ui/explorer.js — the test-set explorer: a page of test images, each with its
// true and predicted label (red when they differ); filters for misclassified
// images, for one true class, or for one cell of the confusion matrix; and for
// the image clicked, its probability bars. The grid is one Tab stop: the arrow
// keys move between its images (Home/End: first and last), Enter shows one.

import { setI18n, t } from '../i18n.js';
import { select } from '../metrics.js';
import { ProbBars } from './bars.js';
import { drawGrey } from './images.js';

const PAGE = 48;
const $ = (sel) => document.querySelector(sel);

export class Explorer {
  constructor() {
    this.grid = $('#explore-grid');
    this.countEl = $('#explore-count');
    this.prev = $('#explore-prev');
    this.next = $('#explore-next');
    this.wrong = $('#explore-wrong');
    this.classSel = $('#explore-class');
    this.pair = $('#explore-pair');
    this.detail = $('#explore-detail');
    this.detailCanvas = $('#explore-detail-canvas');
    this.detailText = $('#explore-detail-text');
    this.bars = new ProbBars($('#explore-bars'));
    this.filter = { wrongOnly: false, trueClass: -1, predClass: -1 };
    this.page = 0;
    this.selected = -1;
    this.data = null;
    this.preds = null;
    this.cells = [];

    this.wrong.addEventListener('change', () => this.setFilter({ wrongOnly: this.wrong.checked }));
    this.classSel.addEventListener('change', () => this.setFilter({ trueClass: Number(this.classSel.value), predClass: -1 }));
    this.pair.addEventListener('click', () => this.setFilter({ trueClass: -1, predClass: -1 }));
    this.prev.addEventListener('click', () => this.turn(-1));
    this.next.addEventListener('click', () => this.turn(1));
    this.grid.addEventListener('click', (e) => {
      const cell = e.target.closest('[data-index]');
      if (cell) this.choose(Number(cell.dataset.index));
    });
    this.grid.addEventListener('keydown', (e) => this.key(e));
    this.render();
  }

  // The test set: pixels (n, rows*cols) uint8, labels (n), k classes.
  setData({ pixels, labels, rows, cols, k }) {
    this.data = { pixels, labels, rows, cols, k, size: rows * cols };
    this.classSel.textContent = '';
    const all = document.createElement('option');
    all.value = '-1';
    setI18n(all, 'explore.allClasses');
    this.classSel.append(all);
    for (let c = 0; c < k; c++) {
      const o = document.createElement('option');
      o.value = String(c);
      o.textContent = String(c);
      this.classSel.append(o);
    }
    this.classSel.value = String(this.filter.trueClass);
    this.render();
  }

  // The current model's probabilities (n, k) and predicted classes (n).
  setPredictions(probs, preds, k) {
    this.probs = probs;
    this.preds = preds;
    this.outputs = k;
    this.render();
    if (this.selected >= 0) this.choose(this.selected);
  }

  setFilter(f) {
    Object.assign(this.filter, f);
    this.wrong.checked = this.filter.wrongOnly;
    this.classSel.value = String(this.filter.trueClass);
    this.page = 0;
    this.render();
  }

  // Bring the explorer into view (after a click in the confusion matrix).
  reveal() {
    $('#card-explorer').scrollIntoView({ behavior: 'smooth', block: 'start' });
  }

  turn(d) {
    this.page += d;
    this.render();
  }

  render() {
    const ready = this.data && this.preds;
    this.detail.hidden = !ready || this.selected < 0;
    if (!ready) {
      setI18n(this.countEl, 'explore.waiting');
      this.prev.disabled = true;
      this.next.disabled = true;
      return;
    }
    const { labels } = this.data;
    this.indices = select(labels, this.preds, this.filter);
    const pages = Math.max(1, Math.ceil(this.indices.length / PAGE));
    this.page = Math.max(0, Math.min(this.page, pages - 1));
    setI18n(this.countEl, 'explore.count', { n: this.indices.length, page: this.page + 1, pages });
    this.prev.disabled = this.page === 0;
    this.next.disabled = this.page >= pages - 1;
    const f = this.filter;
    this.pair.hidden = f.predClass < 0;
    if (f.predClass >= 0) setI18n(this.pair, 'explore.pair', { y: f.trueClass, p: f.predClass });

    const shown = this.indices.slice(this.page * PAGE, (this.page + 1) * PAGE);
    while (this.cells.length < shown.length) this.cells.push(this.makeCell());
    this.cells.forEach((c, j) => {
      if (j >= shown.length) {
        c.el.hidden = true;
        return;
      }
      const i = shown[j];
      c.el.hidden = false;
      c.el.dataset.index = String(i);
      c.el.classList.toggle('wrong', labels[i] !== this.preds[i]);
      c.el.classList.toggle('selected', i === this.selected);
      c.el.title = t('explore.cellTitle', { i, y: labels[i], p: this.preds[i] });
      drawGrey(c.canvas, this.data.pixels, this.data.cols, this.data.rows, i * this.data.size);
      c.truth.textContent = String(labels[i]);
      c.pred.textContent = String(this.preds[i]);
    });
    if (!this.grid.firstChild || shown.length === 0) this.showEmpty(shown.length === 0);
    else this.showEmpty(false);
    this.setTabStop();
  }

  // The one cell of the grid that Tab reaches: the selected image if shown, else the first.
  setTabStop(at) {
    const shown = this.cells.filter((c) => !c.el.hidden).map((c) => c.el);
    const stop = at || shown.find((el) => Number(el.dataset.index) === this.selected) || shown[0];
    for (const el of shown) el.tabIndex = el === stop ? 0 : -1;
  }

  key(e) {
    const shown = this.cells.filter((c) => !c.el.hidden).map((c) => c.el);
    const i = shown.indexOf(e.target.closest('.ex-cell'));
    if (i < 0) return;
    // The grid's columns: the cells on the first cell's row.
    const cols = shown.filter((el) => el.offsetTop === shown[0].offsetTop).length;
    const to = { ArrowLeft: i - 1, ArrowRight: i + 1, ArrowUp: i - cols, ArrowDown: i + cols, Home: 0, End: shown.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    const el = shown[Math.max(0, Math.min(shown.length - 1, to))];
    this.setTabStop(el);
    el.focus();
  }

  showEmpty(on) {
    let el = this.grid.querySelector('.explore-empty');
    if (on && !el) {
      el = document.createElement('p');
      el.className = 'hint explore-empty';
      setI18n(el, 'explore.none');
      this.grid.append(el);
    }
    if (el) el.hidden = !on;
  }

  makeCell() {
    const el = document.createElement('button');
    el.type = 'button';
    el.className = 'ex-cell';
    const canvas = document.createElement('canvas');
    const line = document.createElement('span');
    line.className = 'ex-line';
    const truth = document.createElement('span');
    truth.className = 'ex-true';
    const arrow = document.createElement('span');
    arrow.className = 'ex-arrow';
    arrow.textContent = '→';
    const pred = document.createElement('span');
    pred.className = 'ex-pred';
    line.append(truth, arrow, pred);
    el.append(canvas, line);
    this.grid.append(el);
    return { el, canvas, truth, pred };
  }

  // Show image i's probability bars.
  choose(i) {
    if (!this.data || !this.preds) return;
    this.selected = i;
    const { labels } = this.data;
    const k = this.outputs;
    const probs = this.probs.subarray(i * k, (i + 1) * k);
    drawGrey(this.detailCanvas, this.data.pixels, this.data.cols, this.data.rows, i * this.data.size);
    this.bars.render(probs, k, labels[i]);
    const p = this.preds[i];
    setI18n(this.detailText, labels[i] === p ? 'explore.detailRight' : 'explore.detailWrong',
      { i, y: labels[i], p, pct: (probs[p] * 100).toFixed(1) });
    this.detail.hidden = false;
    for (const c of this.cells) c.el.classList.toggle('selected', Number(c.el.dataset.index) === i && !c.el.hidden);
    this.setTabStop();
  }
}
