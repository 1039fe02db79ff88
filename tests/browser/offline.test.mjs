// offline.test.mjs — the service worker (web/sw.js, web/js/offline.js) in Chromium, the way a
// class meets it: the first visit downloads every file once and ends with "Available offline";
// with the network cut, a reload still loads the page and MNIST, trains an epoch and predicts a
// drawn digit; back online, a reload transfers no data file again (no byte at all); and a
// changed site shows the update prompt, whose button brings the new version, with MNIST kept.
//
// The page is opened as index.html?test&sw (plain ?test registers no worker, see offline.js),
// from a copy of build/web (the update test changes a file) served by scripts/serve.mjs with
// SERVE_LOG=1: its log says what reached the server. The browser has a profile on disk, as a
// student's has, so its HTTP cache keeps the 9.7 MB training images for the worker's
// revalidation (an in-memory cache, as in a private window, does not).
//
// Run: node --test tests/browser/offline.test.mjs   (after scripts/build_web.sh)

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { CHROMIUM_ARGS, drawStrokes, padSettled, setField, startServer, testUrl, train, webDir } from './helpers.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nnlab-offline-'));
const site = path.join(tmp, 'site');
const DATA = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']
  .map((n) => `data/${n}.gz`);

let server, url, context, page;
let log = [];          // the server's lines: "status METHOD path body-bytes"
const errors = [];

before(async () => {
  if (!fs.existsSync(path.join(webDir, 'sw.js'))) throw new Error(`${webDir}/sw.js is missing: run scripts/build_web.sh`);
  fs.cpSync(webDir, site, { recursive: true });
  server = await startServer(site, { SERVE_LOG: '1' });
  url = server.url;
  log = server.log;
  context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 }, locale: 'en-US',
  });
  page = context.pages()[0] ?? await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
});

after(async () => {
  try {
    if (context) await context.close();
  } finally {
    if (server) server.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

// The server's lines since the last call. A request of our own goes last, so every response
// the server finished before it is in the log (its lines come through a pipe, in order).
let marks = 0;
async function serverLog() {
  const mark = `/mark-${++marks}`;
  await fetch(new URL(mark, url));
  while (!log.some((l) => l.includes(` ${mark} `))) await new Promise((r) => setTimeout(r, 20));
  return log.splice(0).filter((l) => !l.includes(' /mark-'));
}
const bytesOf = (lines) => lines.reduce((n, l) => n + Number(l.split(' ')[3]), 0);
const dataLines = (lines) => lines.filter((l) => / \/data\//.test(l));

const appUrl = () => `${testUrl(url)}&sw`;
const ready = (p) => p.waitForFunction(() => window.nnlab && window.nnlab.state.dataReady && window.nnlab.state.hasModel,
  null, { timeout: 60000 });
const offlineReady = (p) => p.waitForSelector('#offline-pill.pill-ok', { timeout: 60000 });
const version = () => JSON.parse(/^const BUILD = (.*);$/m.exec(fs.readFileSync(path.join(site, 'sw.js'), 'utf8'))[1]).version;
const cacheState = (p) => p.evaluate(async () => {
  const data = await caches.open('nnlab-data-v1');
  return {
    names: (await caches.keys()).sort(),
    data: (await data.keys()).map((r) => new URL(r.url).pathname.slice(1).replace(/\?.*/, '')).sort(),
    controlled: !!navigator.serviceWorker.controller,
  };
});

describe('offline after the first visit', () => {
  test('first visit: every file is downloaded once, then "Available offline"', async () => {
    await page.goto(appUrl());
    await ready(page);
    await offlineReady(page);
    assert.equal(await page.textContent('#offline-pill'), 'Available offline');
    assert.match(await page.getAttribute('#offline-pill', 'title'), /\(1\d\.\d MB: the page, the models and MNIST\) is saved/);
    assert.match(await page.getAttribute('#offline-pill', 'data-persisted'), /^(true|false)$/);

    const caches = await cacheState(page);
    assert.deepEqual(caches.names, [`nnlab-app-${version()}`, 'nnlab-data-v1']);
    assert.deepEqual(caches.data, [...DATA].sort());
    assert.equal(caches.controlled, true, 'the worker took over the page that installed it');

    // The page downloads MNIST; the worker's install then revalidates it: a 304 each.
    const lines = await serverLog();
    for (const file of DATA) {
      const got = lines.filter((l) => l.includes(` /${file} `));
      assert.equal(got.filter((l) => l.startsWith('200 ')).length, 1, `${file}: ${got}`);
      assert.equal(got.filter((l) => l.startsWith('304 ') && l.endsWith(' 0')).length, 1, `${file}: ${got}`);
    }
    assert.ok(lines.some((l) => l.startsWith('200 GET /sw.js ')));
    assert.deepEqual(errors, []);
  });

  test('with the network cut, a reload loads the page and MNIST, trains an epoch and predicts', async () => {
    await context.setOffline(true);
    try {
      await page.reload();
      await ready(page);
      assert.equal(await page.evaluate(() => navigator.onLine), false);
      assert.match(await page.textContent('#data-pill'), /MNIST 60,?000 \/ 10,?000/);
      await setField(page, '#trainLimit', 1000);
      await setField(page, '#epochs', 1);
      const run = await train(page);
      assert.equal(run.status, 'done');
      assert.equal(run.history.loss.length, 1);

      const before = await page.evaluate(() => window.nnlab.lab.counts.pad);
      await drawStrokes(page, [[[14, 5], [14, 23]]]);
      await padSettled(page, before);
      const lab = await page.evaluate(() => window.nnlab.lab);
      assert.equal(lab.padProbs.length, 10);
      assert.match(await page.textContent('#pad-guess'), /^\d$/);
      assert.ok(Math.abs(lab.padProbs.reduce((a, b) => a + b, 0) - 1) < 1e-3);
      // The pill comes back: the worker found every file still there, without a network.
      await offlineReady(page);
      // Nothing of the page reached the server. (Chromium's own update check of sw.js is not
      // held back by Playwright's offline emulation, and sometimes gets through; on a real cut
      // network it fails, and the page never waits for it.)
      const reached = (await serverLog()).filter((l) => !/^\d+ GET \/sw\.js /.test(l));
      assert.deepEqual(reached, [], 'nothing of the page reached the server');
    } finally {
      await context.setOffline(false);
    }
    assert.deepEqual(errors, []);
  });

  test('back online, a reload transfers no data file again (no byte at all)', async () => {
    const fromWorker = [];
    const seen = (r) => { if (/\/data\/.*\.gz$/.test(r.url())) fromWorker.push(r.fromServiceWorker()); };
    page.on('response', seen);
    await page.reload();
    await ready(page);
    await offlineReady(page);
    page.off('response', seen);
    const lines = await serverLog();
    assert.deepEqual(dataLines(lines), [], 'no request for a data file reached the server');
    // At most the browser's update check for sw.js, answered with a 304.
    assert.equal(bytesOf(lines), 0, `bytes sent: ${lines}`);
    assert.deepEqual(fromWorker, [true, true, true, true], 'the page got the four files from the service worker');
  });

  test('a changed site shows the update prompt; Reload runs the new version, MNIST kept', async () => {
    const old = version();
    const html = fs.readFileSync(path.join(site, 'index.html'), 'utf8');
    fs.writeFileSync(path.join(site, 'index.html'),
      html.replace('<meta charset="utf-8">', '<meta charset="utf-8"><meta name="nnlab-build" content="2">'));
    execFileSync(process.execPath, [path.join(repo, 'scripts/stamp_sw.mjs'), site]);
    assert.notEqual(version(), old);

    await page.reload();
    await ready(page);
    // The browser finds the new sw.js after the navigation; the page still runs the old files.
    await page.waitForSelector('#update-prompt', { timeout: 60000 });
    assert.equal(await page.textContent('#update-prompt span'), 'A new version of nnlab is ready.');
    assert.equal(await page.locator('meta[name="nnlab-build"]').count(), 0);

    await Promise.all([page.waitForEvent('load', { timeout: 60000 }), page.click('#update-reload')]);
    await ready(page);
    assert.equal(await page.locator('meta[name="nnlab-build"]').count(), 1, 'the new index.html runs');
    await offlineReady(page);
    const caches = await cacheState(page);
    assert.deepEqual(caches.names, [`nnlab-app-${version()}`, 'nnlab-data-v1'], 'the old version\'s cache is gone');
    assert.deepEqual(caches.data, [...DATA].sort());

    // The new version fetched its changed index.html; the other app files were 304s and the
    // data were not asked for at all.
    const lines = await serverLog();
    assert.ok(lines.some((l) => /^200 GET \/index\.html [1-9]/.test(l)), lines.join('\n'));
    assert.deepEqual(dataLines(lines), []);
    assert.deepEqual(lines.filter((l) => l.startsWith('200 ') && !/ \/(index\.html|sw\.js) /.test(l)), []);
    assert.deepEqual(errors, []);
  });
});
