// bench_report.mjs — turn the raw output of scripts/bench.sh into its one
// table, the GEMM and heap figures, the 1 vs 2 threads comparison, and the
// targets of issues 3, 10 and 13.
//
// Input: a file of lines collected by bench.sh —
//   BENCH run=<label> model=... seconds=... (from bench_train, tfjs_bench, chromium/run.mjs,
//     chromium/page_tasks.mjs)
//   FAILED run=<label> model=<model>
//   WHY run=<label> model=<model> <the failed run's last line>
//   INFO key=value ...   (load_start, repeat)
//   and the verbatim output of bench_gemm between "GEMM <where>" and "GEMM-END".
// Output: the report on stdout, and the same as markdown in the second argument.
//
//   node tests/bench/bench_report.mjs build/bench-raw.txt build/bench.md

import fs from 'node:fs';
import os from 'node:os';

const [rawPath, mdPath] = process.argv.slice(2);
if (!rawPath || !mdPath) {
  console.error('usage: bench_report.mjs RAW_FILE MARKDOWN_FILE');
  process.exit(2);
}

// ---------------------------------------------------------------------------
// Parsing

const kv = (text) => Object.fromEntries(
  text.trim().split(/\s+/).map((p) => p.split('=')).filter((p) => p.length === 2));

const rows = [];
const failed = [];
const why = {}; // "run model" -> the last line a failed run printed
const info = {};
const gemm = {}; // where -> { uses, kernels, shapes: [{ta, tb, M, N, K, g: {kernel: gflops}}], text }
let gemmWhere = null;
for (const line of fs.readFileSync(rawPath, 'utf8').split('\n')) {
  if (gemmWhere) {
    if (line.startsWith('GEMM-END')) { gemmWhere = null; continue; }
    const g = gemm[gemmWhere];
    g.text.push(line);
    let m;
    if ((m = line.match(/nn_gemm uses "([^"]+)"/))) g.uses = m[1];
    else if ((m = line.match(/^product\s+ta\s+tb\s+M x N x K\s+(.*)$/))) g.kernels = m[1].trim().split(/\s+/);
    else if ((m = line.match(/\s(\d)\s+(\d)\s+(\d+)x(\d+)x(\d+)\s+([\d.\s-]+)$/)) && g.kernels) {
      const vals = m[6].trim().split(/\s+/).map(Number);
      const s = { ta: +m[1], tb: +m[2], M: +m[3], N: +m[4], K: +m[5], g: {} };
      g.kernels.forEach((k, i) => { s.g[k] = vals[i]; });
      g.shapes.push(s);
    }
    continue;
  }
  if (line.startsWith('BENCH ')) rows.push(kv(line.slice(6)));
  else if (line.startsWith('FAILED ')) failed.push(kv(line.slice(7)));
  else if (line.startsWith('WHY ')) {
    const m = line.match(/^WHY run=(\S+) model=(\S+) (.*)$/);
    if (m) why[`${m[1]} ${m[2]}`] = m[3].trim();
  }
  else if (line.startsWith('INFO ')) Object.assign(info, kv(line.slice(5)));
  else if (line.startsWith('GEMM ')) {
    gemmWhere = line.slice(5).trim();
    gemm[gemmWhere] = { uses: null, kernels: null, shapes: [], text: [] };
  }
}
for (const r of rows) {
  for (const k of ['seconds', 'train_seconds', 'ms_step', 'gflops', 'val_acc', 'heap_mb',
                   'heap_used_mb', 'extrapolated_from', 'steps']) {
    if (k in r) r[k] = Number(r[k]);
  }
}

const find = (run, model) => rows.find((r) => r.run === run && r.model === model);

// The Chromium runs do not count FLOPs: an epoch's are those bench_train
// counted for the same model (GFLOPS × seconds).
for (const r of rows) {
  if ('gflops' in r || !r.run.startsWith('chromium-')) continue;
  const n = rows.find((x) => x.model === r.model && x.run.startsWith('nnlab-') && x.gflops > 0);
  if (n) r.gflops = n.gflops * n.seconds / r.seconds;
}

// ---------------------------------------------------------------------------
// The table

const RUNS = [
  ['nnlab-native', 'nnlab native'],
  ['nnlab-wasm-scalar', 'nnlab wasm scalar (Node)'],
  ['nnlab-wasm-simd', 'nnlab wasm SIMD (Node)'],
  ['tfjs-wasm', 'TF.js 4.22 wasm (Node)'],
  ['tfjs-cpu', 'TF.js 4.22 cpu (Node)'],
  ['chromium-sliced', 'nnlab in a Chromium Worker, as the page'],
];
const MODELS = [['logreg', 'logreg 784-10'], ['mlp', 'MLP 784-100-10'],
                ['convnet', 'mnist_convnet (Keras), batch 128'], ['cnn', 'small CNN (TF.js tutorial)']];
const CNNS = new Set(['convnet', 'cnn']);

const f = (x, d) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const header = ['run', 'model', 'seconds', 'ms/step', 'GFLOPS', '× faster than TF.js (wasm; cpu for CNNs)',
                'val_acc'];
const table = [];
// The label bench.sh ran a row's program under (chromium-sliced comes from "chromium").
const label = (run) => run.replace(/-sliced$/, '');
for (const [model, modelName] of MODELS) {
  // TF.js's wasm backend cannot train a convolution: the CNNs compare with its cpu backend.
  const base = find('tfjs-wasm', model) || (CNNS.has(model) ? find('tfjs-cpu', model) : null);
  for (const [run, runName] of RUNS) {
    const r = find(run, model);
    if (!r) {
      const failedRun = failed.some((x) => x.run === label(run) && x.model === model);
      if (!failedRun && run === 'chromium-sliced' && !CNNS.has(model)) continue; // listed below
      if (!failedRun && run === 'nnlab-wasm-scalar' && CNNS.has(model)) continue; // Dense models only
      const reason = why[`${label(run)} ${model}`];
      table.push([runName, modelName, failedRun ? `failed${reason ? `: ${reason}` : ''}` : 'not run',
                  '', '', '', '']);
      continue;
    }
    const extra = r.extrapolated_from > 0 ? ` (extrapolated from ${r.extrapolated_from} steps)` : '';
    table.push([
      runName, modelName, f(r.seconds, 3) + extra, f(r.ms_step, 3), f(r.gflops, 2),
      base ? `×${f(base.seconds / r.seconds, 1)}` : 'n/a',
      f(r.val_acc, 4) + (r.extrapolated_from > 0 ? ' (after those steps)' : ''),
    ]);
  }
}

// Columns from `right` on are numbers, aligned right.
function textTable(head, body, right = 2) {
  const w = head.map((h, i) => Math.max(h.length, ...body.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => (i >= right ? String(c).padStart(w[i]) : String(c).padEnd(w[i])))
    .join('  ').trimEnd();
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...body.map(line)].join('\n');
}
const mdTable = (head, body, right = 2) => [
  `| ${head.join(' | ')} |`, `|${head.map((_, i) => (i >= right ? '---:' : '---')).join('|')}|`,
  ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');

// ---------------------------------------------------------------------------
// GEMM-only rate of an epoch: the epoch's GEMM FLOPs divided by the time the
// microbenchmark's kernel needs for each product (a FLOP-weighted harmonic
// mean over the products the epoch runs, training and validation).

const EPOCH_PRODUCTS = {
  // [ta, tb, M, N, K, times per epoch]: 1875 training steps, 312.5 validation batches
  mlp: [[0, 0, 32, 100, 784, 1875 + 312.5], [1, 0, 784, 100, 32, 1875],
        [0, 0, 32, 10, 100, 1875 + 312.5], [0, 1, 32, 100, 10, 1875], [1, 0, 100, 10, 32, 1875]],
  logreg: [[0, 0, 32, 10, 784, 1875 + 312.5], [1, 0, 784, 10, 32, 1875]],
  // The CNNs' validation runs in chunks of the work block's rows (128; 80 for
  // the small CNN): its products are counted at the training batch's shapes.
  convnet: [[0, 0, 86528, 32, 9, 468.75 + 78.125], [1, 0, 9, 32, 86528, 468.75],
            [0, 0, 15488, 64, 288, 468.75 + 78.125], [1, 0, 288, 64, 15488, 468.75],
            [0, 1, 15488, 288, 64, 468.75],
            [0, 0, 128, 10, 1600, 468.75 + 78.125], [1, 0, 1600, 10, 128, 468.75],
            [0, 1, 128, 1600, 10, 468.75]],
  cnn: [[0, 0, 18432, 8, 25, 1875 + 312.5], [1, 0, 25, 8, 18432, 1875],
        [0, 0, 2048, 16, 200, 1875 + 312.5], [1, 0, 200, 16, 2048, 1875], [0, 1, 2048, 200, 16, 1875],
        [0, 0, 32, 10, 256, 1875 + 312.5], [1, 0, 256, 10, 32, 1875], [0, 1, 32, 256, 10, 1875]],
};

function gemmEpochGflops(where, model) {
  const g = gemm[where];
  if (!g || !g.uses) return null;
  let flops = 0, seconds = 0;
  for (const [ta, tb, M, N, K, times] of EPOCH_PRODUCTS[model]) {
    const s = g.shapes.find((x) => x.ta === ta && x.tb === tb && x.M === M && x.N === N && x.K === K);
    if (!s || !(s.g[g.uses] > 0)) return null;
    const fl = 2 * M * N * K * times;
    flops += fl;
    seconds += fl / (s.g[g.uses] * 1e9);
  }
  return { kernel: g.uses, gflops: flops / seconds * 1e-9 };
}

// ---------------------------------------------------------------------------
// Targets

const targets = [];
// target(name, value, shown, wanted, ok, detail): value is the number judged
// (null when a run is missing), shown how it reads.
function target(name, value, shown, want, ok, detail) {
  if (value == null || !Number.isFinite(value)) targets.push([name, 'n/a', want, 'not measured', '']);
  else targets.push([name, shown, want, ok ? 'met' : 'MISSED', detail]);
}

for (const [model, need] of [['mlp', 10], ['logreg', 20]]) {
  const a = find('nnlab-wasm-simd', model), b = find('tfjs-wasm', model);
  const ratio = a && b ? b.seconds / a.seconds : null;
  target(`${model}: nnlab wasm SIMD vs TF.js wasm`, ratio, `×${f(ratio, 1)}`, `≥ ×${need}`,
         ratio >= need,
         `${f(a && a.seconds, 3)} s vs ${f(b && b.seconds, 3)} s` + (ratio >= need ? ''
           : `; short by ${f(100 * (1 - ratio / need), 0)}% (needs ${f(need / ratio, 2)}× more speed)`));
}
{
  const r = find('nnlab-wasm-simd', 'mlp'), g = gemmEpochGflops('wasm', 'mlp');
  const frac = r && g ? r.gflops / g.gflops : null;
  target(`mlp epoch GFLOPS vs GEMM microbench (wasm${g ? `, ${g.kernel}` : ''})`, frac,
         `${f(100 * frac, 0)}%`, '≥ 70%', frac >= 0.7,
         `${f(r && r.gflops, 2)} of ${f(g && g.gflops, 2)} GFLOPS` +
           (frac >= 0.7 ? '' : `; short by ${f(100 * (0.7 - frac), 0)} points`));
}
for (const [model] of MODELS.filter(([m]) => !CNNS.has(m))) {
  const w = find('nnlab-wasm-simd', model), n = find('nnlab-native', model);
  const ratio = w && n ? w.seconds / n.seconds : null;
  target(`${model}: wasm SIMD time / native time`, ratio, `${f(ratio, 2)}×`, '≤ 1.5×', ratio <= 1.5,
         `${f(w && w.seconds, 3)} s vs ${f(n && n.seconds, 3)} s` +
           (ratio < 1 ? ' (wasm SIMD is faster: native has only the scalar kernel)' : '') +
           (ratio <= 1.5 ? '' : `; over by ${f(100 * (ratio / 1.5 - 1), 0)}%`));
}
// The heap twice: the browser module is what users run; bench_train under
// Node loads the files with fopen, which needs more for a moment.
{
  const chrome = rows.find((r) => r.run.startsWith('chromium-') && r.model === 'mlp');
  const node = find('nnlab-wasm-simd', 'mlp');
  for (const [what, r, detail] of [
    ['browser module, Chromium worker', chrome, 'nnlab.js linear memory after loading both sets and training'],
    ['bench_train.js under Node', node, node ? `malloc in use while training ${f(node.heap_used_mb, 1)} MB; ` +
      'the rest is the file loader\'s moment of two copies plus growth slack' : ''],
  ]) {
    const mb = r ? r.heap_mb : null;
    target(`MLP wasm heap (${what})`, mb, `${f(mb, 1)} MB`, '≤ 128 MB', mb <= 128,
           detail + (mb > 128 ? `; over by ${f(mb - 128, 1)} MB` : ''));
  }
}

// Issue 10: the CNNs in the page's Worker, their GEMM share, the convnet's heap.
for (const [model, need, name] of [['convnet', 28, 'mnist_convnet'], ['cnn', 4, 'small CNN']]) {
  const r = find('chromium-sliced', model);
  const s = r ? r.seconds : null;
  target(`${name}: epoch in a Chromium Worker (as the page)`, s, `${f(s, 1)} s`, `≤ ${need} s`, s <= need,
         s > need ? `needs ${f(s / need, 2)}× more speed` : '');
}
for (const [model, name] of [['convnet', 'mnist_convnet'], ['cnn', 'small CNN']]) {
  const r = find('nnlab-wasm-simd', model), g = gemmEpochGflops('wasm', model);
  const frac = r && g ? r.gflops / g.gflops : null;
  target(`${name} epoch GFLOPS vs GEMM microbench (wasm${g ? `, ${g.kernel}` : ''})`, frac,
         `${f(100 * frac, 0)}%`, '≥ 70%', frac >= 0.7,
         `${f(r && r.gflops, 2)} of ${f(g && g.gflops, 2)} GFLOPS` +
           (frac >= 0.7 ? '' : `; short by ${f(100 * (0.7 - frac), 0)} points`));
}
{
  const r = find('chromium-sliced', 'convnet');
  const mb = r ? r.heap_mb : null;
  target('mnist_convnet wasm heap (browser module, Chromium worker, batch 128)', mb, `${f(mb, 1)} MB`,
         '< 256 MB', mb < 256, 'nnlab.js linear memory after loading both sets and training an epoch');
}

// Issue 13: 1 vs 2 threads, in the Chromium Worker (the page, cross-origin
// isolated) and natively. The speed-ups are judged in the Worker.
const THREAD_MODELS = [['mlp', 'MLP 784-100-10, batch 32', 1.4, 0.6], ['cnn', 'small CNN (TF.js tutorial)', 1.6, null],
                       ['convnet', 'mnist_convnet (Keras), batch 128', 1.7, 15]];
const threadRows = [];
for (const [model, name, needX, needS] of THREAD_MODELS) {
  for (const [where, one, two] of [['Chromium Worker', 'chromium-sliced', 'chromium-sliced-t2'],
                                    ['native', 'nnlab-native', 'nnlab-native-t2']]) {
    const a = find(one, model), b = find(two, model);
    if (!a && !b) continue;
    const x = a && b ? a.seconds / b.seconds : null;
    threadRows.push([name, where, a ? f(a.seconds, 3) : 'not run', b ? f(b.seconds, 3) : 'not run',
                     x ? `×${f(x, 2)}` : 'n/a', b ? f(b.heap_mb, 1) : '', a && b ? (a.val_acc === b.val_acc ? 'same' : 'DIFFERENT') : '']);
    if (where !== 'Chromium Worker') continue;
    target(`${model}: 2 threads vs 1 in the Chromium Worker`, x, `×${f(x, 2)}`, `≥ ×${needX}`, x >= needX,
           `${f(a && a.seconds, 2)} s → ${f(b && b.seconds, 2)} s` +
             (x >= needX ? '' : `; short by ${f(100 * (1 - x / needX), 0)}%`));
    if (needS) {
      target(`${model}: epoch on 2 threads in the Chromium Worker`, b ? b.seconds : null, `${f(b && b.seconds, 2)} s`,
             `≤ ${needS} s`, b && b.seconds <= needS, b && b.seconds > needS ? `needs ${f(b.seconds / needS, 2)}× more speed` : '');
    }
  }
}

// ---------------------------------------------------------------------------
// Output

const out = [];
const md = [];
const cpu = os.cpus()[0] ? os.cpus()[0].model : 'unknown CPU';
const rounds = Number(info.repeat) > 1 ? `, fastest of ${info.repeat} rounds (TF.js cpu: one)` : '';
const when = `${new Date().toISOString()}, ${cpu}, ${os.cpus().length} cores, load average ` +
  `${info.load_start || '?'} at start, ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} at end` +
  rounds;

out.push('One epoch of full MNIST (60k train, batch 32 or 128 for mnist_convnet, Adam, validation on the 10k test set)');
out.push(when, '', textTable(header, table), '');
md.push('# nnlab benchmark', '',
        'One epoch of full MNIST (60k training images, batch 32 or 128 for mnist_convnet, Adam, ' +
        'categorical cross-entropy, ' +
        'shuffled, validation on the 10k test set), measured in one run of `scripts/bench.sh`. ' +
        'Seconds include validation; ms/step and GFLOPS count GEMM FLOPs only ' +
        '(forward, weight gradient, input gradient except the first layer, validation forward; ' +
        'for Conv2D the three products im2col feeds).',
        '', `Measured ${when}.`, '', mdTable(header, table), '');

const chromeRows = rows.filter((r) => r.run.startsWith('chromium-'));
if (chromeRows.length) {
  out.push('Headless Chromium, browser module (build-wasm/nnlab.js) in a Worker:');
  md.push('## Headless Chromium (browser module in a Worker)', '');
  for (const r of chromeRows) {
    const mode = r.run.replace('chromium-', '');
    const s = `  ${mode.padEnd(6)} ${r.model}: epoch ${f(r.seconds, 3)} s, ${f(r.ms_step, 3)} ms/step ` +
      `(first 50 steps ${f(Number(r.early_ms_step), 3)}, then ${f(Number(r.late_ms_step), 3)} ms/step), ` +
      `val_acc ${f(r.val_acc, 4)}, heap ${f(r.heap_mb, 1)} MB`;
    out.push(s);
    md.push(`- ${s.trim()}`);
  }
  out.push('  (whole: one fit_run call for the epoch; sliced: one batch per call in 25 ms slices, as the app)', '');
  md.push('', 'whole: one `nn_wasm_fit_run` call for the epoch; sliced: one batch per call in 25 ms ' +
          'slices with a yield between them, as web/js/worker.js does.', '');
} else if (failed.some((x) => x.run.startsWith('chromium'))) {
  out.push('Headless Chromium: failed (see above)', '');
}

// The page's main thread while its worker trains (tests/bench/chromium/page_tasks.mjs).
const PAGE_MODELS = [['mlp', 'the default MLP'], ['cnn', 'the CNN (TF.js tutorial) preset'],
                     ['convnet', 'the CNN (Keras example) preset, batch 128']];
const pageRows = PAGE_MODELS.map(([m, name]) => [find('page-main-thread', m), name]).filter(([r]) => r);
if (pageRows.length) {
  out.push('The page (build/web), main thread while the worker trains one epoch:');
  md.push('## The page\'s main thread while training', '',
          'One epoch on full MNIST in the page (build/web), traced in headless Chromium:', '');
  for (const [r, name] of pageRows) {
    const s = `${name}: epoch ${f(r.seconds, 2)} s in the page's worker; longest main-thread task ` +
      `${f(Number(r.longest_task_ms), 1)} ms, ${r.long_tasks} of ${r.tasks} tasks of 50 ms or more`;
    out.push(`  ${s}`);
    md.push(`- ${s}`);
  }
  out.push('');
  md.push('');
}
for (const x of failed.filter((x) => x.run === 'page-main-thread')) {
  out.push(`The page's main thread (${x.model}): not measured (see above)`, '');
}

const threadHead = ['model', 'where', '1 thread (s)', '2 threads (s)', 'speed-up', 'heap, 2 threads (MB)',
                    'val_acc 1 vs 2'];
if (threadRows.length) {
  out.push('Threads: one epoch on 1 and on 2 threads (the numbers are the same for any count):',
           textTable(threadHead, threadRows), '');
  md.push('## Threads', '', 'One epoch on 1 and on 2 threads; the Chromium Worker runs the single-thread ' +
          'module for 1 thread and the threads module (cross-origin isolated) for 2, as the page does. ' +
          'The numbers are the same for any count (val_acc column).', '', mdTable(threadHead, threadRows), '');
}

const gemmLines = [];
const RUN_OF = { native: 'nnlab-native', wasm: 'nnlab-wasm-simd' };
for (const where of ['native', 'wasm']) for (const model of ['mlp', 'logreg', 'convnet', 'cnn']) {
  const g = gemmEpochGflops(where, model), r = find(RUN_OF[where], model);
  if (!g) continue;
  gemmLines.push(`${where} ${g.kernel}, ${model} epoch products: ${f(g.gflops, 2)} GFLOPS` +
                 (r ? ` (the measured epoch reached ${f(r.gflops, 2)}, ${f(100 * r.gflops / g.gflops, 0)}%)` : ''));
}
if (gemmLines.length) {
  out.push('GEMM microbenchmark as one epoch would use it (FLOP-weighted over the epoch\'s products):');
  out.push(...gemmLines.map((l) => `  ${l}`), '');
  md.push('## GEMM microbenchmark', '', ...gemmLines.map((l) => `- ${l}`), '');
  for (const [where, g] of Object.entries(gemm)) {
    md.push(`${where} (\`bench_gemm\`):`, '', '```', ...g.text.filter(Boolean), '```', '');
  }
}

const theadT = ['target', 'measured', 'wanted', 'verdict', 'detail'];
out.push('Targets (issues 3, 10 and 13):', textTable(theadT, targets, 99));
md.push('## Targets', '', mdTable(theadT, targets, 99), '');
const met = targets.filter((t) => t[3] === 'met').length;
out.push('', `${met} of ${targets.length} targets met`);
md.push(`${met} of ${targets.length} targets met.`, '');

console.log(out.join('\n'));
fs.writeFileSync(mdPath, md.join('\n'));
