// inspect.test.mjs — looking inside the model, in headless Chromium: the
// test-set explorer and the confusion matrix agree with evaluate() on the same
// model; filters and a confusion cell select the right images; the first-layer
// weights show one image per unit and follow training; "Continue training"
// trains the current model on.
//
// Run: node --test tests/browser/inspect.test.mjs   (after scripts/build_web.sh)

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { browser, openApp, server, setField, useSiteAndBrowser, waitIdle } from './helpers.mjs';

useSiteAndBrowser();

const inspected = (page, after = 0) => page.waitForFunction(
  (n) => window.nnlab.lab.counts.inspect > n && !window.nnlab.lab.inspectBusy, after, { timeout: 30000 });
const lab = (page) => page.evaluate(() => window.nnlab.lab);
const shownCells = (page) => page.$$eval('#explore-grid .ex-cell:not([hidden])', (els) => els.map((e) => ({
  index: Number(e.dataset.index), truth: Number(e.querySelector('.ex-true').textContent),
  pred: Number(e.querySelector('.ex-pred').textContent), wrong: e.classList.contains('wrong'),
})));
const countText = async (page) => Number(/^(\d+) images/.exec(await page.textContent('#explore-count'))[1]);

describe('looking inside the model', () => {
  test('the explorer and the confusion matrix agree with evaluate on the same model', async () => {
    const { page, context, errors } = await openApp(browser, server.url);
    await inspected(page);
    const { confusion, source } = await lab(page);
    assert.equal(source, 'pretrained');
    const { counts, k, total, correct } = confusion;
    assert.equal(k, 10);
    assert.equal(total, 10000);
    const at = (r, c) => counts[r * k + c];
    let trace = 0;
    for (let r = 0; r < k; r++) trace += at(r, r);
    assert.equal(trace, correct);

    // evaluate() in the core says the same accuracy: trace / total.
    await page.click('#btn-evaluate');
    await page.waitForSelector('#eval-line:not([hidden])');
    const evalAcc = /accuracy (\d\.\d{4})/.exec(await page.textContent('#eval-line'))[1];
    assert.equal(evalAcc, (trace / total).toFixed(4));
    assert.match(await page.textContent('#confusion-total'), new RegExp(`\\(${trace} of 10000\\)`));

    // The table shows the counts, the per-class accuracy, and row percentages.
    assert.equal(await page.textContent('#confusion td[data-true="3"][data-pred="3"]'), String(at(3, 3)));
    const rowSum = (r) => counts.slice(r * k, r * k + k).reduce((a, b) => a + b, 0);
    const acc7 = await page.$$eval('#confusion tr', (trs) => trs[8].querySelector('td.acc').textContent);
    assert.equal(acc7, `${((at(7, 7) / rowSum(7)) * 100).toFixed(1)}%`);
    await page.click('[data-confusion-mode="rows"]');
    assert.equal(await page.textContent('#confusion td[data-true="1"][data-pred="1"]'),
      ((at(1, 1) / rowSum(1)) * 100).toFixed(0));
    await page.click('[data-confusion-mode="counts"]');

    // The explorer: every test image, then the misclassified ones, then one class.
    assert.equal(await countText(page), 10000);
    assert.equal((await shownCells(page)).length, 48);
    await page.check('#explore-wrong');
    assert.equal(await countText(page), total - trace);
    for (const c of await shownCells(page)) assert.ok(c.wrong && c.truth !== c.pred, JSON.stringify(c));
    await page.selectOption('#explore-class', '3');
    assert.equal(await countText(page), rowSum(3) - at(3, 3));
    for (const c of await shownCells(page)) assert.ok(c.truth === 3 && c.pred !== 3, JSON.stringify(c));
    await page.uncheck('#explore-wrong');
    assert.equal(await countText(page), rowSum(3));

    // A confusion cell: true 4 predicted 9 — exactly those images.
    await page.click('#confusion td[data-true="4"][data-pred="9"]');
    assert.equal(await countText(page), at(4, 9));
    assert.equal(await page.isVisible('#explore-pair'), true);
    const pair = await shownCells(page);
    assert.equal(pair.length, Math.min(48, at(4, 9)));
    for (const c of pair) assert.ok(c.truth === 4 && c.pred === 9, JSON.stringify(c));

    // Click one: its probability bars, the top one the prediction, the true class marked.
    await page.click(`#explore-grid .ex-cell[data-index="${pair[0].index}"]`);
    await page.waitForSelector('#explore-detail:not([hidden])');
    assert.equal(await page.getAttribute('#explore-bars .bar-row.top', 'data-class'), '9');
    assert.equal(await page.getAttribute('#explore-bars .bar-row.truth', 'data-class'), '4');
    assert.match(await page.textContent('#explore-detail-text'), new RegExp(`#${pair[0].index}: label 4, but predicted 9`));
    await page.click('#explore-pair'); // clears the cell filter
    assert.equal(await countText(page), 10000);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('first-layer weights: one image per unit, ten templates for logistic regression, refreshed by training', async () => {
    const { page, context, errors } = await openApp(browser, server.url);
    await inspected(page);
    assert.equal(await page.getAttribute('#weights-canvas', 'data-units'), '100');
    // A 10 × 10 mosaic of 28 × 28 tiles, 2 px apart.
    assert.deepEqual(await page.$eval('#weights-canvas', (c) => [c.width, c.height]), [298, 298]);
    assert.equal(await page.textContent('#weights-info'), '100 units, each 28×28');

    await page.click('[data-preset="logreg"]');
    await page.waitForFunction(() => window.nnlab.lab.source === 'untrained');
    await page.waitForFunction(() => document.getElementById('weights-canvas').dataset.units === '10');
    assert.deepEqual(await page.$eval('#weights-canvas', (c) => [c.width, c.height]), [148, 58]);
    assert.match(await page.textContent('#draw-source'), /untrained/);
    assert.equal(await page.isVisible('#draw-pretrained'), true);

    // Two epochs on 2000 samples: the matrix, the explorer and the weights follow each epoch.
    await setField(page, '#trainLimit', 2000);
    await setField(page, '#epochs', 2);
    const before = (await lab(page)).counts;
    await page.click('#btn-start');
    await waitIdle(page);
    await page.waitForFunction(() => window.nnlab.lab.source === 'trained' && window.nnlab.lab.epochs === 2);
    await page.waitForFunction(() => !window.nnlab.lab.inspectBusy);
    const afterRun = await lab(page);
    assert.ok(afterRun.counts.inspect >= before.inspect + 2, JSON.stringify([before, afterRun.counts]));
    assert.ok(afterRun.counts.weights >= before.weights + 2, JSON.stringify([before, afterRun.counts]));
    assert.equal(await page.textContent('#draw-source'), 'your model, epoch 2');
    assert.ok(afterRun.confusion.correct / afterRun.confusion.total > 0.8, `accuracy ${afterRun.confusion.correct}`);

    // Continue training: the same model, two more epochs (history goes on at 3, 4, in the same run).
    await page.click('#btn-continue');
    await waitIdle(page);
    await page.waitForFunction(() => window.nnlab.lab.epochs === 4);
    assert.equal(await page.textContent('#draw-source'), 'your model, epoch 4');
    const runs = await page.evaluate(() => window.nnlab.runs);
    assert.equal(runs.length, 1);
    assert.equal(runs[0].history.loss.length, 4);
    // A continued model learns on from where it was: its first epoch beats the fresh run's first.
    assert.ok(runs[0].history.loss[2] < runs[0].history.loss[0], JSON.stringify(runs[0].history.loss));

    // The pretrained model is one click away (asked first: the trained model was not downloaded).
    await page.click('#btn-pretrained');
    await page.click('#dialog-replace');
    await page.waitForFunction(() => window.nnlab.lab.source === 'pretrained');
    await page.waitForFunction(() => document.getElementById('weights-canvas').dataset.units === '100');
    assert.deepEqual(errors, []);
    await context.close();
  });
});
