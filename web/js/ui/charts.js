// ui/charts.js — two Chart.js charts (loss, accuracy). Each visible run adds
// three datasets per chart: training per epoch (solid), validation per epoch
// (dashed) and training per batch, smoothed (thin). New points are pushed into
// the run's arrays and the charts are told to update('none') — a few times a
// second, one chart per task, never a full re-creation.
//
// Chart.js never sees the run's arrays: each dataset gets a copy of its own,
// which catches up with the run's array just before that chart updates. With
// `parsing: false` Chart.js patches push() on every data array it is given and
// handles each push at once, through the controller at the dataset's index;
// after the datasets are replaced (a tick under the charts) that controller
// belongs to another dataset until the next update(), and the push throws
// inside Chart.js. On the run's arrays that throw went into the code recording
// the run, which then lost epochs (issue 9). Updating at once after every
// change of datasets would close that window too, but would leave the run's
// data wired into Chart.js; this way recording a run never runs chart code,
// and the copies are pushed to only right before update(), by which time any
// array Chart.js listens to belongs to the dataset it was given with.

import { t } from '../i18n.js';
import { downloadUrl } from './download.js';

const UPDATE_MS = 200;

// Paint a white background so downloaded PNGs are not transparent.
const whiteBackground = {
  id: 'whiteBackground',
  beforeDraw(chart) {
    const { ctx } = chart;
    ctx.save();
    ctx.globalCompositeOperation = 'destination-over';
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, chart.width, chart.height);
    ctx.restore();
  },
};

function alpha(hex, a) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
}

export class Charts {
  constructor() {
    const Chart = window.Chart;
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.font.size = 12;
    Chart.defaults.color = '#667085';
    this.charts = {};
    for (const metric of ['loss', 'accuracy']) {
      this.charts[metric] = new Chart(document.getElementById(`chart-${metric}`), {
        type: 'line',
        data: { datasets: [] },
        plugins: [whiteBackground],
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          parsing: false,
          normalized: true,
          spanGaps: true,
          interaction: { mode: 'nearest', intersect: false, axis: 'x' },
          plugins: {
            // One entry a run (its epoch curve), in the run's colour: the
            // key above the charts says which line is training, validation, batches.
            legend: {
              display: true,
              position: 'bottom',
              onClick: () => {},
              labels: {
                boxWidth: 14,
                boxHeight: 3,
                filter: (item, data) => data.datasets[item.datasetIndex].kind === 'train',
                generateLabels: (chart) => chart.data.datasets.map((d, i) => ({
                  text: d.runName, fillStyle: d.borderColor, strokeStyle: d.borderColor, lineWidth: 0,
                  datasetIndex: i, hidden: false,
                })),
              },
            },
            tooltip: {
              filter: (item) => item.dataset.kind !== 'batch',
              callbacks: {
                title: (items) => (items.length ? `${t('charts.epoch')} ${formatX(items[0].parsed.x)}` : ''),
                label: (item) => ` ${item.dataset.label}: ${item.parsed.y.toFixed(4)}`,
              },
            },
          },
          scales: {
            x: {
              type: 'linear', min: 0, suggestedMax: 1,
              title: { display: true, text: t('charts.epoch') },
              ticks: { precision: 0, maxRotation: 0, minRotation: 0 },
              grid: { color: '#eef0f4' },
            },
            y: {
              beginAtZero: metric === 'loss',
              ticks: { maxRotation: 0, minRotation: 0 },
              max: metric === 'accuracy' ? 1 : undefined,
              // MNIST accuracies live near the top; start the empty axis at 0.8, lower when data needs it.
              suggestedMin: metric === 'accuracy' ? 0.8 : undefined,
              grid: { color: '#eef0f4' },
            },
          },
        },
      });
    }
    this.showBatches = true;
    this.timer = null;
    this.dirty = new Set();
    this.lastUpdate = 0;
  }

  // The card's own controls: the per-batch curves on or off, and PNG downloads.
  wireControls() {
    document.getElementById('show-batches').addEventListener('change', (e) => this.setShowBatches(e.target.checked));
    document.querySelectorAll('[data-png]').forEach((b) => b.addEventListener('click', () => {
      downloadUrl(`nnlab-${b.dataset.png}.png`, this.png(b.dataset.png));
    }));
  }

  // runs: [{id, name, color, visible, epochs, series: {loss: {epoch, val, batch}, accuracy: {...}}}]
  setRuns(runs) {
    this.runs = runs;
    if (this.warming) return; // warmUp() shows these when it is done
    this.assign(runs);
    this.touch(true);
  }

  assign(runs) {
    const maxEpochs = Math.max(1, ...runs.filter((r) => r.visible).map((r) => r.config.epochs));
    for (const [metric, chart] of Object.entries(this.charts)) {
      const datasets = [];
      for (const run of runs) {
        if (!run.visible) continue;
        const s = run.series[metric];
        if (this.showBatches) {
          datasets.push({
            kind: 'batch', label: `${run.name} · ${t('charts.batch')}`, source: s.batch, data: s.batch.slice(),
            borderColor: alpha(run.color, 0.45), borderWidth: 1, pointRadius: 0, tension: 0,
          });
        }
        datasets.push({
          kind: 'train', runName: run.name, label: `${run.name} · ${t('charts.train')}`, source: s.epoch, data: s.epoch.slice(),
          borderColor: run.color, backgroundColor: run.color, borderWidth: 2.2, pointRadius: 3,
        });
        datasets.push({
          kind: 'val', label: `${run.name} · ${t('charts.val')}`, source: s.val, data: s.val.slice(),
          borderColor: run.color, backgroundColor: '#ffffff', borderWidth: 2.2, borderDash: [6, 4], pointRadius: 3,
        });
      }
      chart.data.datasets = datasets;
      chart.options.scales.x.suggestedMax = maxEpochs;
      chart.options.scales.x.title.text = t('charts.epoch');
    }
  }

  setShowBatches(on) {
    this.showBatches = on;
    if (this.runs) this.setRuns(this.runs);
  }

  // Points were pushed into run arrays (or datasets changed): redraw soon.
  // One chart per task and at most one task every UPDATE_MS / 2, so a redraw
  // never holds the main thread for long; `now` skips the throttle.
  touch(now = false) {
    for (const name of Object.keys(this.charts)) this.dirty.add(name);
    this.schedule(now ? 0 : Math.max(0, UPDATE_MS - (performance.now() - this.lastUpdate)));
  }

  schedule(wait) {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const [name] = this.dirty;
      if (!name) return;
      this.dirty.delete(name);
      this.draw(this.charts[name]);
      this.lastUpdate = performance.now();
      if (this.dirty.size) this.schedule(UPDATE_MS / 2);
    }, wait);
  }

  // Bring the chart's own arrays up to their runs' arrays (which only grow),
  // then redraw.
  draw(chart) {
    for (const d of chart.data.datasets) {
      if (d.source.length > d.data.length) d.data.push(...d.source.slice(d.data.length));
    }
    chart.update('none');
  }

  // Draw a synthetic run on the real charts a few times while the page is
  // still loading (hidden), so V8 has compiled Chart.js's drawing code and the
  // datasets' controllers exist before the first live update; otherwise that
  // update spends tens of ms in the JIT on a slow machine.
  warmUp(rounds = 8) {
    const pts = (f) => Array.from({ length: 300 }, (_, i) => ({ x: i / 60, y: f(i) }));
    const series = () => ({ epoch: pts((i) => 1 / (1 + i)), val: pts((i) => 1.1 / (1 + i)), batch: pts((i) => 2 / (1 + i / 40)) });
    const fake = { name: '', color: '#999999', visible: true, config: { epochs: 5 }, series: { loss: series(), accuracy: series() } };
    const canvases = Object.values(this.charts).map((c) => c.canvas);
    canvases.forEach((c) => { c.style.visibility = 'hidden'; });
    this.warming = true;
    this.assign([fake]);
    let n = 0;
    const tick = () => {
      for (const m of ['loss', 'accuracy']) fake.series[m].batch.push({ x: 5 + n / 10, y: Math.random() });
      for (const chart of Object.values(this.charts)) this.draw(chart);
      if (++n < rounds) {
        setTimeout(tick, 40);
        return;
      }
      this.warming = false;
      canvases.forEach((c) => { c.style.visibility = ''; });
      this.setRuns(this.runs || []);
    };
    setTimeout(tick, 40);
  }

  // The runs drawn in a chart with their points per kind (tests read this):
  // [{ name, train, val, batch }] counts.
  drawnRuns(metric) {
    const runs = new Map();
    for (const d of this.charts[metric].data.datasets) {
      const name = d.label.slice(0, d.label.lastIndexOf(' · '));
      if (!runs.has(name)) runs.set(name, { name, train: 0, val: 0, batch: 0 });
      runs.get(name)[d.kind] = d.data.length;
    }
    return [...runs.values()];
  }

  // Number of points currently drawn in a chart (tests read this).
  pointCount(metric) {
    return this.charts[metric].data.datasets.reduce((n, d) => n + d.data.length, 0);
  }

  png(metric) {
    return this.charts[metric].toBase64Image('image/png', 1);
  }
}

function formatX(x) {
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}
