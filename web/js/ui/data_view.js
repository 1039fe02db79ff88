// ui/data_view.js — the data card and the header pill: progress while the
// MNIST files download, then the sample counts (of MNIST or the user's data).

import { setI18n } from '../i18n.js';

const $ = (sel) => document.querySelector(sel);

export function showDataProgress(fraction, bytes) {
  const bar = $('#data-bar');
  const known = Number.isFinite(fraction);
  bar.parentElement.classList.toggle('indeterminate', !known);
  bar.style.width = known ? `${(fraction * 100).toFixed(1)}%` : '';
  setI18n($('#data-text'), 'data.progress', { mb: (bytes / 1e6).toFixed(1), pct: known ? Math.round(fraction * 100) : '…' });
}

export function showDataStage(key) {
  setI18n($('#data-text'), key);
}

// info: the dataset (model_config.js MNIST_INFO, or the user's files).
export function showDataLoaded(counts, info = { builtin: true }) {
  const bar = $('#data-bar');
  bar.parentElement.classList.remove('indeterminate');
  bar.style.width = '100%';
  $('#data-counts').textContent = `${counts.train} / ${counts.test}`;
  $('#data-counts-row').hidden = false;
  $('#data-error').hidden = true;
  const custom = !info.builtin;
  setI18n($('#card-data h2'), custom ? 'data.titleCustom' : 'data.title');
  if (custom) {
    setI18n($('#data-text'), 'data.readyCustom', { rows: info.rows, cols: info.cols, classes: info.classes, max: info.classes - 1 });
  } else {
    setI18n($('#data-text'), 'data.ready');
  }
  const pill = $('#data-pill');
  pill.className = 'pill pill-ok';
  setI18n(pill, custom ? 'data.pillCustom' : 'data.pill', { train: counts.train, test: counts.test });
}

export function showDataError(message) {
  const el = $('#data-error');
  el.hidden = false;
  el.textContent = message;
  setI18n($('#data-text'), 'data.failed');
  const pill = $('#data-pill');
  pill.className = 'pill';
  setI18n(pill, 'data.failed');
}
