// cnn_views.test.mjs — the views made for Dense models work for a CNN, its
// input an image (28, 28, 1) rather than 784 values: a CNN model file loaded
// in the page gets the test-set accuracy our CLI computes natively, the
// confusion matrix, the explorer and the predictions card agree with the
// worker's answers; downloaded and loaded again in a fresh page it gives the
// same answers to the same drawing; trained on, it is kept in IndexedDB and
// comes back after a reload with its feature maps.
//
// Run: node --test tests/browser/cnn_views.test.mjs   (after scripts/build_web.sh and the native CLI)

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, test } from 'node:test';

import { cannotRun, cli, mnistDir, useCnnSite } from './cnn_site.mjs';
import { drawStrokes, openApp, padSettled, setField, waitIdle } from './helpers.mjs';

const why = cannotRun();

const SEVEN = [[[8, 6], [20, 6], [13, 22]]];
const argmax = (p) => p.indexOf(Math.max(...p));
const lab = (page) => page.evaluate(() => window.nnlab.lab);

// Load a model file with the page's "Load model" button; wait until the
// explorer and the confusion matrix were recomputed for it.
async function loadFile(page, file) {
  const n = (await lab(page)).counts.inspect;
  await page.setInputFiles('#file-load', file);
  await page.waitForFunction((k) => window.nnlab.lab.source === 'file' && window.nnlab.lab.counts.inspect > k
    && !window.nnlab.lab.inspectBusy, n, { timeout: 120000 });
}

async function evaluate(page) {
  await page.click('#btn-evaluate');
  await page.waitForSelector('#eval-line:not([hidden])', { timeout: 120000 });
  return page.textContent('#eval-line');
}

async function drawSeven(page) {
  const n = (await lab(page)).counts.pad;
  await drawStrokes(page, SEVEN);
  await padSettled(page, n);
  return (await lab(page)).padProbs;
}

describe('the existing views with a CNN', { skip: why || false }, () => {
  const site = useCnnSite();

  test('accuracy, confusion matrix, explorer and predictions of a CNN file', async () => {
    // What our CLI says natively, e.g. "loss: 0.8678 - accuracy: 0.7761".
    const native = execFileSync(cli, ['eval', '--data', mnistDir, '--model', site.cnnFile], { encoding: 'utf8' });
    const acc = Number(/accuracy: ([\d.]+)/.exec(native)[1]);

    const { page, context, errors } = await openApp(site.browser, site.server.url);
    await page.waitForFunction(() => window.nnlab.lab.source === 'pretrained');
    await loadFile(page, site.cnnFile);
    const info = (await page.evaluate(() => window.nnlab.debug.describe())).info;
    assert.equal(info.inputSize, 784);
    assert.match((await page.evaluate(() => window.nnlab.debug.describe())).layers, /^conv2d:8:5:relu,maxpool:2,/);

    // The confusion matrix counts all 10000 test images, right as often as the CLI says.
    const c = (await lab(page)).confusion;
    assert.equal(c.total, 10000);
    assert.equal(c.correct / c.total, acc, `page ${c.correct / c.total}, CLI ${acc}`);
    assert.equal(c.counts.reduce((a, b) => a + b), 10000);
    assert.match(await page.textContent('#confusion-total'), new RegExp(`${(acc * 100).toFixed(2)}`));
    assert.match(await evaluate(page), new RegExp(`accuracy ${acc.toFixed(4)}`));

    // The explorer's first page: each cell's prediction is the argmax of the worker's probabilities.
    const cells = await page.$$eval('#explore-grid .ex-cell:not([hidden])', (els) => els.map((e) => ({
      i: Number(e.dataset.index), y: Number(e.querySelector('.ex-true').textContent), p: Number(e.querySelector('.ex-pred').textContent),
      wrong: e.classList.contains('wrong'),
    })));
    assert.equal(cells.length, 48);
    const { probs, labels } = await page.evaluate(async () => {
      const r = await window.nnlab.debug.predict(0, 48);
      return { probs: Array.from(r.probs), labels: Array.from(r.labels) };
    });
    cells.forEach((cell, j) => {
      assert.equal(cell.i, j);
      assert.equal(cell.y, labels[j]);
      assert.equal(cell.p, argmax(probs.slice(10 * j, 10 * j + 10)), `test image ${j}`);
      assert.equal(cell.wrong, cell.p !== cell.y);
    });
    // "Misclassified only" lists exactly the errors the matrix counts.
    await page.check('#explore-wrong');
    assert.match(await page.textContent('#explore-count'), new RegExp(`^${10000 - c.correct}\\b`));
    await page.uncheck('#explore-wrong');

    // The predictions card: 24 test images, each with the model's answer.
    await page.click('#btn-predict');
    await page.waitForFunction(() => document.querySelectorAll('#digits .digit').length === 24);
    const shown = await page.$$eval('#digits .digit', (els) => els.map((e) => e.classList.contains('right') || e.classList.contains('wrong')));
    assert.ok(shown.every(Boolean));

    // The pad predicts with the CNN: ten probabilities that sum to one.
    const p = await drawSeven(page);
    assert.equal(p.length, 10);
    assert.ok(Math.abs(p.reduce((a, b) => a + b) - 1) < 1e-4);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('download, load in a fresh page: the same answers; trained on, restored after a reload', async () => {
    const { page, context, errors } = await openApp(site.browser, site.server.url);
    await page.waitForFunction(() => window.nnlab.lab.source === 'pretrained');
    await loadFile(page, site.cnnFile);
    const before = await drawSeven(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#btn-save')]);
    const saved = await download.path();
    assert.ok(fs.statSync(saved).size > 1000);

    // A fresh page (own storage): the downloaded file answers the same drawing the same.
    const other = await openApp(site.browser, site.server.url);
    await other.page.waitForFunction(() => window.nnlab.lab.source === 'pretrained');
    await loadFile(other.page, saved);
    assert.deepEqual(await drawSeven(other.page), before);
    assert.deepEqual(other.errors, []);
    await other.context.close();

    // Continue training it on a few samples: the page keeps it in IndexedDB.
    await setField(page, '#trainLimit', 500);
    await setField(page, '#epochs', 1);
    await page.click('#btn-continue');
    await page.waitForFunction(() => window.nnlab.state.train !== 'idle' || window.nnlab.lab.counts.stored > 0);
    await waitIdle(page, 120000);
    await page.waitForFunction(() => window.nnlab.lab.counts.stored === 1, null, { timeout: 60000 });
    const trained = await page.evaluate(() => window.nnlab.debug.describe());
    assert.equal(trained.info.historyEpochs, 2, 'the CLI epoch and this one');
    const trainedEval = await evaluate(page);

    // After the reload the form is the loaded CNN's (remembered), so the page builds that
    // model untrained (no pretrained model has these layers) and offers the kept one.
    await page.reload();
    await page.waitForFunction(() => window.nnlab && window.nnlab.state.dataReady && window.nnlab.lab.source === 'untrained',
      null, { timeout: 60000 });
    await page.waitForSelector('#restore-banner:not([hidden])');
    assert.match(await page.textContent('#restore-text'), /conv2d:8:5:relu → maxpool:2/);
    await page.click('#restore-ok');
    await page.waitForFunction(() => window.nnlab.lab.source === 'restored' && window.nnlab.lab.inside.hasConv
      && !window.nnlab.lab.inside.busy, null, { timeout: 120000 });
    const restored = await page.evaluate(() => window.nnlab.debug.describe());
    assert.equal(restored.layers, trained.layers);
    assert.equal(restored.info.step, trained.info.step);
    assert.equal(await evaluate(page), trainedEval);
    assert.ok(await page.locator('#maps .map-layer[data-name="conv2d_1"]').isVisible(), 'its feature maps');
    assert.equal(await page.getAttribute('#filters-canvas', 'data-tiles'), '8');
    assert.deepEqual(errors, []);
    await context.close();
  });
});
