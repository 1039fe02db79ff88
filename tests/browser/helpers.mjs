// helpers.mjs — shared by the browser tests: serve the built site on a free
// port with scripts/serve.mjs, launch the system Chromium through
// playwright-core (no browser download), and open the page with MNIST loaded.
//
// The site is build/web (scripts/build_web.sh); NNLAB_WEB_DIR overrides it.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const webDir = path.resolve(repo, process.env.NNLAB_WEB_DIR || 'build/web');

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run',
];

// Start scripts/serve.mjs with PORT=0 and read the port it chose; env: more
// of its settings (ISOLATE: '0' serves without cross-origin isolation,
// SERVE_LOG: '1' a line per response). Returns { url, close, log }, log the
// lines it printed after the one with the port, as they arrive.
export async function startServer(dir = webDir, env = {}) {
  if (!fs.existsSync(path.join(dir, 'index.html'))) {
    throw new Error(`${dir}/index.html is missing: run scripts/build_web.sh first`);
  }
  const proc = spawn(process.execPath, [path.join(repo, 'scripts/serve.mjs'), dir], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = [];
  const url = await new Promise((resolve, reject) => {
    let out = '', found = null, rest = '';
    const timer = setTimeout(() => reject(new Error(`serve.mjs did not start: ${out}`)), 10000);
    proc.stdout.on('data', (d) => {
      if (found) {
        rest += d;
        const lines = rest.split('\n');
        rest = lines.pop();
        log.push(...lines.filter(Boolean));
        return;
      }
      out += d;
      const m = /:(\d+)\/.*\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        found = `http://127.0.0.1:${m[1]}/`;
        rest = out.slice(m.index + m[0].length);
        proc.stdout.emit('data', '');
        resolve(found);
      }
    });
    proc.stderr.on('data', (d) => { out += d; });
    proc.on('exit', (code) => reject(new Error(`serve.mjs exited with ${code}: ${out}`)));
  });
  // Never leave the server behind, whatever way this process ends.
  const kill = () => proc.kill();
  process.once('exit', kill);
  return { url, log, close: () => { process.off('exit', kill); kill(); } };
}

export function launchBrowser() {
  return chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

// The site's server and the browser of the calling test file, live bindings
// set by useSiteAndBrowser() before its first test.
export let server;
export let browser;

// Registers the before/after hooks every browser test file needs.
export function useSiteAndBrowser() {
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });
  after(async () => {
    try {
      if (browser) await browser.close();
    } finally {
      if (server) server.close();
    }
  });
}

// Records main-thread long tasks (>= 50 ms) from the very start of the page.
function recordLongTasks() {
  window.__longtasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longtasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
}

// The page as the tests open it: index.html?test exposes window.nnlab and
// the worker's debug requests, which the production page does not.
export const testUrl = (url) => `${url}${url.includes('?') ? '&' : '?'}test`;

// A fresh page (own storage) with MNIST loaded and the default model built;
// hash: a shared setup's link ('#nn=1&...').
export async function openApp(browser, url, { viewport = { width: 1280, height: 900 }, lang = 'en', hash = '' } = {}) {
  const context = await browser.newContext({ viewport, locale: lang === 'zh' ? 'zh-CN' : 'en-US' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.addInitScript(recordLongTasks);
  await page.goto(testUrl(url) + hash);
  await appReady(page);
  return { page, context, errors };
}

// MNIST loaded and a model built (after a goto or a reload).
export const appReady = (page) => page.waitForFunction(
  () => window.nnlab && window.nnlab.state.dataReady && window.nnlab.state.hasModel, null, { timeout: 60000 });

// Wait until the page has had no long task for `quietMs` (start-up work such
// as parsing Chart.js and gunzipping MNIST is over), so a test can then
// attribute long tasks to what it does.
export async function settle(page, quietMs = 800, timeout = 15000) {
  await page.waitForFunction((q) => {
    const last = window.__longtasks.at(-1);
    return !last || performance.now() - (last.start + last.duration) > q;
  }, quietMs, { timeout, polling: 100 });
}

// Idle, and no start request on its way to the worker (right after a click
// on Start the worker may not have said 'running' yet).
export const waitIdle = (page, timeout = 60000) =>
  page.waitForFunction(() => window.nnlab.state.train === 'idle' && !window.nnlab.state.starting, null, { timeout });

export const steps = (page) => page.evaluate(() => window.nnlab.progress && window.nnlab.progress.totalSteps);

// Click Start; when the page asks first (the current model was trained here
// and not downloaded), answer "start a new model".
export async function clickStart(page) {
  const n = await page.evaluate(() => window.nnlab.runs.length);
  await page.click('#btn-start');
  await page.waitForFunction((k) => window.nnlab.runs.length > k || !document.getElementById('dialog').hidden, n);
  if (await page.isVisible('#dialog')) await page.click('#dialog-replace');
}

// Start, and wait for the run to end (done, stopped or diverged); returns the run.
export async function train(page) {
  const n = await page.evaluate(() => window.nnlab.runs.length);
  await clickStart(page);
  await page.waitForFunction((k) => window.nnlab.runs.length === k + 1 && window.nnlab.runs[k].status !== 'running', n,
    { timeout: 60000 });
  await waitIdle(page);
  return (await page.evaluate(() => window.nnlab.runs)).at(-1);
}

// 256 relu → 128 relu → 64 relu → 10 softmax with sgd at lr 10: its loss becomes
// NaN within the first steps (robustness_train.test.mjs, keep_model.test.mjs).
export async function divergingNet(page) {
  await page.click('[data-preset="deep"]');
  await page.click('#layers [data-index="1"] [data-act="remove"]');
  await page.click('#add-dense');
  await page.selectOption('#optimizer', 'sgd');
  await page.fill('#lr', '10');
  await page.waitForFunction(() => document.getElementById('summary').textContent.includes('dense_3'));
}

export async function setField(page, selector, value) {
  await page.fill(selector, String(value));
}

// --- the drawing pad (draw.test.mjs, inspect.test.mjs) ------------------------

// Draw strokes on the pad with the mouse. Each stroke is a list of [x, y]
// points in the pad's 28×28 grid (so a test can trace MNIST pixels).
export async function drawStrokes(page, strokes) {
  await page.locator('#pad').scrollIntoViewIfNeeded();
  const box = await page.locator('#pad').boundingBox();
  const at = ([x, y]) => [box.x + (x / 28) * box.width, box.y + (y / 28) * box.height];
  for (const stroke of strokes) {
    await page.mouse.move(...at(stroke[0]));
    await page.mouse.down();
    for (const p of stroke.slice(1)) await page.mouse.move(...at(p));
    await page.mouse.up();
  }
}

// Wait until the pad's prediction caught up with the drawing: more answers
// than `before`, and none pending.
export const padSettled = (page, before) => page.waitForFunction(
  (n) => window.nnlab.lab.counts.pad > n && !window.nnlab.lab.padBusy, before, { timeout: 15000 });
