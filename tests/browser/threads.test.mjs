// threads.test.mjs — the page trains on threads where it can and says so, and the
// numbers never depend on how many: served by scripts/serve.mjs it is cross-origin
// isolated, loads the threads module and trains with 2 threads; a run with 1 thread
// from the same seed, and a run whose threads change mid-epoch, have the same history
// and predictions to the last bit; served without the isolation headers (a plain
// static host) it loads the single-thread module, trains, and says why one thread —
// until the service worker serves the page: from the second load on it adds the
// headers itself, and the page trains on threads there too.
//
// Run: node --test tests/browser/threads.test.mjs   (after scripts/build_web.sh)

import assert from 'node:assert/strict';
import os from 'node:os';
import { after, before, describe, test } from 'node:test';

import { launchBrowser, openApp, setField, startServer, train, waitIdle } from './helpers.mjs';

const threads = (page) => page.evaluate(() => window.nnlab.state.threads);
const probs = (page) => page.evaluate(() => window.nnlab.debug.predict(0, 64).then((r) => Array.from(r.probs)));
const pill = (page) => page.textContent('#kernel-pill');

async function smallRun(page) {
  await setField(page, '#trainLimit', 3000);
  await setField(page, '#epochs', 1);
  await page.waitForTimeout(400); // the builder's debounce
}

describe('served by serve.mjs (cross-origin isolated)', () => {
  let server, browser;
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    server?.close();
  });

  test('threads train, and 1 thread, 2 threads and a change mid-epoch give the same bits', async (t) => {
    const { page, context, errors } = await openApp(browser, server.url);
    assert.equal(await page.evaluate(() => crossOriginIsolated), true);
    const info = await threads(page);
    assert.equal(info.module, 'threads');
    if (info.max < 2) {
      t.skip(`this machine has ${os.cpus().length} core(s): no second thread to compare with`);
      await context.close();
      return;
    }
    assert.equal(info.count, Math.min(4, info.max));
    assert.match(await pill(page), new RegExp(`WebAssembly SIMD · ${info.count} threads`));
    assert.equal(await page.isVisible('#threads-note'), false);

    await page.selectOption('#threads', '2');
    await page.waitForFunction(() => window.nnlab.state.threads.count === 2);
    assert.match(await pill(page), /· 2 threads/);
    await smallRun(page);
    const two = await train(page);
    const twoProbs = await probs(page);

    await page.selectOption('#threads', '1');
    await page.waitForFunction(() => window.nnlab.state.threads.count === 1);
    assert.match(await pill(page), /· 1 thread$/);
    const one = await train(page);
    assert.deepEqual(one.history, two.history);
    assert.deepEqual(await probs(page), twoProbs);

    // 1 thread, then 2 from the middle of the epoch on
    await page.click('#btn-start');
    if (await page.isVisible('#dialog')) await page.click('#dialog-replace');
    await page.waitForFunction(() => (window.nnlab.progress?.step ?? 0) > 30);
    await page.selectOption('#threads', '2');
    await waitIdle(page);
    const mixed = (await page.evaluate(() => window.nnlab.runs)).at(-1);
    assert.equal(mixed.status, 'done');
    assert.deepEqual(mixed.history, one.history);
    assert.deepEqual(await probs(page), twoProbs);
    // remembered for the next visit
    await page.reload();
    await page.waitForFunction(() => window.nnlab?.state.threads?.count === 2, null, { timeout: 60000 });
    assert.deepEqual(errors, []);
    await context.close();
  });
});

describe('served without the isolation headers (a plain static host)', () => {
  let server, browser;
  before(async () => {
    server = await startServer(undefined, { ISOLATE: '0' });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    server?.close();
  });

  test('one thread, the single-thread module, and the page says why — in both languages', async () => {
    const { page, context, errors } = await openApp(browser, server.url, { lang: 'zh' });
    assert.equal(await page.evaluate(() => crossOriginIsolated), false);
    const info = await threads(page);
    assert.deepEqual([info.module, info.count, info.max, info.reason], ['single', 1, 1, 'notIsolated']);
    assert.equal(await page.isDisabled('#threads'), true);
    assert.match(await page.textContent('#threads-note'), /跨源隔离/);
    assert.match(await pill(page), /1 个线程/);
    await page.click('[data-lang="en"]');
    assert.match(await page.textContent('#threads-note'), /cross-origin isolated/);
    assert.match(await pill(page), /WebAssembly SIMD · 1 thread$/);
    await smallRun(page);
    const run = await train(page);
    assert.equal(run.status, 'done');
    assert.ok(run.history.valAccuracy[0] > 0.8, `val_accuracy ${run.history.valAccuracy[0]}`);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('the service worker makes the second load cross-origin isolated, and threads train', async () => {
    // index.html?test&sw: the test page with the real service worker (web/js/offline.js)
    const { page, context, errors } = await openApp(browser, `${server.url}index.html?sw`);
    assert.equal(await page.evaluate(() => crossOriginIsolated), false);
    await page.waitForSelector('#offline-pill.pill-ok', { timeout: 60000 });
    await page.reload();
    await page.waitForFunction(() => window.nnlab?.state.dataReady && window.nnlab.state.hasModel, null, { timeout: 60000 });
    assert.equal(await page.evaluate(() => crossOriginIsolated), true);
    const info = await threads(page);
    assert.equal(info.module, 'threads');
    assert.equal(info.reason, null);
    await smallRun(page);
    const run = await train(page);
    assert.equal(run.status, 'done');
    assert.deepEqual(errors, []);
    await context.close();
  });
});
