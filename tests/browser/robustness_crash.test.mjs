// robustness_crash.test.mjs — a worker that dies is noticed: terminated from
// outside while training, its wasm module trapping, or closing itself. The
// page says so, keeps the configuration, the runs and the charts, offers a
// restart, and after the restart training works again.
//
// Run: node --test tests/browser/robustness_crash.test.mjs   (after scripts/build_web.sh)

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { browser, openApp, server, setField, train, useSiteAndBrowser } from './helpers.mjs';

useSiteAndBrowser();

// What the user set up, as the fields show it.
const fields = (page) => page.evaluate(() => ({
  units: Array.from(document.querySelectorAll('#layers [name="units"]'), (e) => e.value),
  ...Object.fromEntries(['optimizer', 'lr', 'epochs', 'batchSize', 'trainLimit', 'seed']
    .map((id) => [id, document.getElementById(id).value])),
}));

async function restart(page) {
  await page.click('#btn-restart');
  await page.waitForFunction(() => {
    const s = window.nnlab.state;
    return s.workerReady && s.dataReady && s.hasModel && document.getElementById('crash-banner').hidden;
  }, null, { timeout: 30000 });
}

describe('a worker that dies', () => {
  test('terminated while training: noticed, runs and charts kept, restart trains again', async () => {
    const { page, context, errors } = await openApp(browser, server.url);
    await setField(page, '#trainLimit', 2000);
    await setField(page, '#epochs', 1);
    const first = await train(page);
    assert.equal(first.status, 'done');

    // A long run with settings of its own, killed in the middle (the page asks first:
    // the model trained above has not been downloaded).
    await page.click('[data-preset="deep"]');
    await page.click('#dialog-replace');
    await page.fill('#lr', '0.002');
    await setField(page, '#seed', 7);
    await setField(page, '#trainLimit', 60000);
    await setField(page, '#epochs', 20);
    const setup = await fields(page);
    await page.click('#btn-start');
    await page.waitForFunction(() => (window.nnlab.progress?.totalSteps ?? 0) > 30);
    await page.evaluate(() => window.nnlab.debug.worker().terminate());
    await page.waitForSelector('#crash-banner:not([hidden])', { timeout: 5000 });
    assert.match(await page.textContent('#crash-banner'),
      /The training worker stopped unexpectedly\. Your settings, runs and charts are kept/);
    assert.equal(await page.evaluate(() => window.nnlab.state.train), 'idle');
    assert.equal(await page.isEnabled('#btn-start'), false);
    const runs = await page.evaluate(() => window.nnlab.runs);
    assert.deepEqual(runs.map((r) => r.status), ['done', 'failed']);
    assert.deepEqual(runs[0], first);
    const points = await page.evaluate(() => [window.nnlab.points('loss'), window.nnlab.points('accuracy')]);
    assert.ok(points[0] > 3, `points ${points}`);
    assert.deepEqual(await fields(page), setup);

    await restart(page);
    assert.deepEqual(await fields(page), setup);
    assert.match(await page.textContent('#summary'), /235,146/); // the deep model, built afresh
    assert.deepEqual(await page.evaluate(() => [window.nnlab.points('loss'), window.nnlab.points('accuracy')]), points);
    assert.deepEqual((await page.evaluate(() => window.nnlab.runs)).slice(0, 2), runs);
    await setField(page, '#trainLimit', 2000);
    await setField(page, '#epochs', 1);
    const again = await train(page);
    assert.equal(again.status, 'done');
    assert.ok(again.history.valAccuracy[0] > 0.7, `val_accuracy ${again.history.valAccuracy}`);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('a wasm trap stops the module: reported, not fatal to the page; restart works', async () => {
    const { page, context, errors } = await openApp(browser, server.url);
    const call = await page.evaluate(() => window.nnlab.debug.call('trap').then(() => 'resolved', (e) => e.message));
    assert.match(call, /memory access out of bounds/);
    await page.waitForSelector('#crash-banner:not([hidden])', { timeout: 5000 });
    assert.match(await page.textContent('#crash-banner'),
      /The WebAssembly core stopped after an error \(.*memory access out of bounds.*\)\./);
    // The page itself still works: the language switch, the builder.
    await page.click('[data-lang="zh"]');
    assert.match(await page.textContent('#crash-banner'), /WebAssembly 核心出错后停止了/);
    await page.click('[data-lang="en"]');
    await page.click('[data-preset="logreg"]');
    assert.match(await page.textContent('#code'), /layers\.Dense\(10, activation="softmax"\)/);
    const setup = await fields(page);

    await restart(page);
    assert.deepEqual(await fields(page), setup);
    assert.match(await page.textContent('#summary'), /7,850/);
    await setField(page, '#trainLimit', 1000);
    await setField(page, '#epochs', 1);
    assert.equal((await train(page)).status, 'done');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('a worker that closes itself while idle is noticed too', async () => {
    const { page, context, errors } = await openApp(browser, server.url);
    await page.evaluate(() => window.nnlab.debug.call('close').catch(() => {}));
    await page.waitForSelector('#crash-banner:not([hidden])', { timeout: 5000 });
    assert.equal(await page.isEnabled('#btn-evaluate'), false);
    await restart(page);
    await page.click('#btn-evaluate');
    await page.waitForSelector('#eval-line:not([hidden])');
    assert.match(await page.textContent('#eval-line'), /Test set: loss \d\.\d{4} · accuracy 0\.\d{4}/);
    assert.deepEqual(errors, []);
    await context.close();
  });
});
