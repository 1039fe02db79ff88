// runs.js — training runs as plain data, without the DOM: a new run, what an
// epoch and a slice of batches add to it (the per-batch curve is smoothed as
// TensorBoard's slider smooths: an exponential moving average, debiased), its
// history as CSV and JSON files, and the list kept in localStorage. app.js
// holds the list; ui/runs.js and ui/charts.js draw it; Node tests import this.

// Okabe and Ito's colours, which stay apart for colour-blind eyes too (their
// yellow, too pale on white, gives way to a dark grey); a new run takes the
// first colour no run in the list has, so the runs on a chart never share one.
export const PALETTE = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#000000', '#7f7f7f'];
export const RUNS_KEY = 'nnlab.runs.v1';
export const SMOOTHING = 0.95;   // EMA factor of the per-batch curves
export const BATCH_POINTS = 800; // at most this many per-batch points per run

// A new run, number n (one more than any in the list), named `name`, of a
// fit whose setup is `config` (epochs: the number of its last epoch) and
// which starts after `initialEpoch` epochs of its model; `runs`, the list it
// joins (for a colour none of them has).
export function newRun({ n, name, config, initialEpoch, now = new Date(), runs = [] }) {
  const series = () => ({ epoch: [], val: [], batch: [] });
  return {
    id: `r${now.getTime().toString(36)}${n}`,
    n,
    name,
    color: freeColor(runs, n),
    visible: true,
    status: 'running',
    initialEpoch,
    config,
    history: { loss: [], accuracy: [], valLoss: [], valAccuracy: [] },
    series: { loss: series(), accuracy: series() },
    ema: { loss: 0, accuracy: 0, n: 0, since: 0 },
    started: now.toISOString(),
  };
}

function freeColor(runs, n) {
  const used = new Set(runs.map((r) => r.color));
  return PALETTE.find((c) => !used.has(c)) ?? PALETTE[(n - 1) % PALETTE.length];
}

// A run's name from its setup: "MLP 100 relu · adam 0.001 · 5 epochs",
// "CNN 32-64 · adam 0.001 · 12 epochs", "Logistic regression · sgd 0.01 · 1 epoch".
// The model part names the hidden layers (all but the output layer), Conv2D
// layers by their filters; t is i18n's t (the words are the page's language).
export function runName(c, epochs, t) {
  const out = c.layers.findLastIndex((l) => l.kind === 'dense');
  const hidden = c.layers.slice(0, Math.max(0, out));
  const convs = hidden.filter((l) => l.kind === 'conv2d').map((l) => l.filters);
  const denses = hidden.filter((l) => l.kind === 'dense').map((l) => `${l.units} ${l.activation}`);
  let model;
  if (convs.length) model = [`CNN ${convs.join('-')}`, ...denses].join(' + ');
  else if (denses.length) model = `MLP ${denses.join(', ')}`;
  else model = t('runs.logreg');
  const e = epochs === 1 ? t('runs.epoch') : t('runs.epochs', { n: epochs });
  return `${model} · ${c.optimizer} ${c.lr} · ${e}`;
}

// The number the next run gets.
export const nextRunNumber = (runs) => runs.reduce((m, r) => Math.max(m, r.n), 0) + 1;

// What a finished epoch adds to a run, at x on the epoch axis: e is { loss,
// accuracy, valLoss, valAccuracy } (val NaN without validation).
export function recordEpoch(run, x, e) {
  const val = Number.isFinite(e.valLoss);
  run.history.loss.push(e.loss);
  run.history.accuracy.push(e.accuracy);
  run.history.valLoss.push(val ? e.valLoss : null);
  run.history.valAccuracy.push(val ? e.valAccuracy : null);
  run.series.loss.epoch.push({ x, y: e.loss });
  run.series.accuracy.epoch.push({ x, y: e.accuracy });
  if (val) {
    run.series.loss.val.push({ x, y: e.valLoss });
    run.series.accuracy.val.push({ x, y: e.valAccuracy });
  }
}

// A slice of batches: batches holds (loss, accuracy) pairs of the batches up
// to p.step of epoch p.epoch (p.steps a epoch, p.epochs epochs in this fit;
// the fit began after `offset` epochs); epochEnd: the slice ends the epoch.
// Every batch moves the moving average; one point in `stride` is kept (and
// the last of an epoch), so a long run keeps about BATCH_POINTS points.
export function addBatches(run, batches, p, offset, epochEnd) {
  const k = batches.length / 2;
  const stride = Math.max(1, Math.ceil((p.steps * p.epochs) / BATCH_POINTS));
  const e = run.ema;
  for (let i = 0; i < k; i++) {
    e.n++;
    e.loss = SMOOTHING * e.loss + (1 - SMOOTHING) * batches[2 * i];
    e.accuracy = SMOOTHING * e.accuracy + (1 - SMOOTHING) * batches[2 * i + 1];
    if (++e.since >= stride || (epochEnd && i === k - 1)) {
      e.since = 0;
      const debias = 1 - SMOOTHING ** e.n; // the average starts at 0
      const x = offset + p.epoch + (p.step - (k - 1 - i)) / p.steps;
      run.series.loss.batch.push({ x, y: e.loss / debias });
      run.series.accuracy.batch.push({ x, y: e.accuracy / debias });
    }
  }
}

// ---------------------------------------------------------------------------
// Files

// The file name of a run's history: nnlab-<name>.<ext>.
export const runFileName = (run, ext) => `nnlab-${run.name.replace(/[^\w.-]+/g, '_')}.${ext}`;

// The history as Keras's History.history names it, with the run's setup.
export function runJson(run) {
  const h = run.history;
  return JSON.stringify({
    name: run.name, started: run.started, status: run.status, config: run.config,
    history: { loss: h.loss, accuracy: h.accuracy, val_loss: h.valLoss, val_accuracy: h.valAccuracy },
  }, null, 2);
}

// One line per epoch (empty cells where there was no validation).
export function runCsv(run) {
  const rows = ['epoch,loss,accuracy,val_loss,val_accuracy'];
  const h = run.history;
  const f = (v) => (v == null ? '' : String(v));
  for (let i = 0; i < h.loss.length; i++) {
    rows.push([i + 1, f(h.loss[i]), f(h.accuracy[i]), f(h.valLoss[i]), f(h.valAccuracy[i])].join(','));
  }
  return `${rows.join('\n')}\n`;
}

// ---------------------------------------------------------------------------
// Persistence: the finished runs (a running one is not kept half-way), in
// `storage` (localStorage, or any object with getItem / setItem).

export function saveRuns(storage, runs) {
  try {
    const keep = runs.filter((r) => r.status !== 'running').map(({ ema, ...r }) => r);
    storage.setItem(RUNS_KEY, JSON.stringify(keep));
  } catch {
    // Storage full or disabled: runs simply are not remembered.
  }
}

// The runs kept, those that still read as runs (an older or damaged entry is dropped).
export function loadRuns(storage) {
  try {
    const runs = JSON.parse(storage.getItem(RUNS_KEY) || '[]');
    return Array.isArray(runs) ? runs.filter((r) => r && r.series && r.history && r.config) : [];
  } catch {
    return [];
  }
}
