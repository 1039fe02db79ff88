// cnn_train.test.mjs — a convnet trains in the page as a Dense model does
// (issue 11, "Train"): the TF.js tutorial's CNN on a sample of 2000 images
// pauses and resumes, reports progress at least every half second of the
// worker's time (its validation on the 10,000 test images too), continues
// for another epoch on the same curve, takes one step and stops; an MLP run
// then overlays it on the same charts; and the CNN saved, replaced and loaded
// again predicts exactly as before.
//
// Run: node --test tests/browser/cnn_train.test.mjs   (after nn_build_site)
// NNLAB_SHOTS=DIR also saves screenshots of the training card and charts there.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { browser, openApp, server, setField, train, useSiteAndBrowser, waitIdle } from './helpers.mjs';
import { shootCards } from './shots.mjs';

useSiteAndBrowser();

const SAMPLES = 2000;
const STEPS = Math.ceil(SAMPLES / 32);
const state = (page) => page.evaluate(() => window.nnlab.state);
const steps = (page) => page.evaluate(() => window.nnlab.state.model.step);
const totalSteps = (page) => page.evaluate(() => (window.nnlab.progress ? window.nnlab.progress.totalSteps : 0));

// Every progress event the worker sends, as it sends them (its `elapsed` is
// the worker's time in this epoch, so page-side delays do not count).
function recordProgress(page) {
  return page.evaluate(() => {
    window.__progress = [];
    window.nnlab.debug.worker().addEventListener('message', (e) => {
      if (e.data.event === 'progress') {
        window.__progress.push({ elapsed: e.data.elapsed, step: e.data.p.step, validating: !!e.data.validating,
          epochEnd: !!e.data.epochEnd });
      }
    });
  });
}

test('the TF.js CNN trains with pause, resume, continue, one step and stop; an MLP overlays it; save → load predicts the same', async () => {
  const { page, context, errors } = await openApp(browser, server.url);
  await page.click('[data-preset="cnnTfjs"]');
  await setField(page, '#trainLimit', SAMPLES);
  await setField(page, '#epochs', 1);
  await page.waitForFunction(() => document.getElementById('summary').textContent.includes('5,994'));
  await page.waitForFunction(() => !document.getElementById('btn-start').disabled);
  await recordProgress(page);

  // Start, pause after a few batches: nothing moves while paused.
  await page.click('#btn-start');
  await page.waitForFunction(() => (window.nnlab.progress?.totalSteps ?? 0) >= 5);
  await page.click('#btn-pause');
  await page.waitForFunction(() => window.nnlab.state.train === 'paused');
  const paused = await totalSteps(page);
  await page.waitForTimeout(500);
  assert.equal(await totalSteps(page), paused, 'a paused fit took steps');
  assert.ok(paused < STEPS, `paused at ${paused} of ${STEPS}`);
  await page.click('#btn-pause'); // now "Resume"
  await waitIdle(page);
  let run = (await page.evaluate(() => window.nnlab.runs)).at(-1);
  assert.equal(run.status, 'done');
  assert.equal(run.history.loss.length, 1);
  assert.ok(run.history.valAccuracy[0] > 0.5, `val_accuracy ${run.history.valAccuracy[0]} after one epoch of 2000`);
  assert.equal(await steps(page), STEPS);

  // Progress at least every half second of the worker's time, the validation included.
  const events = await page.evaluate(() => window.__progress);
  assert.ok(events.some((e) => e.validating), 'no progress during validation');
  assert.ok(events.at(-1).epochEnd && events.at(-1).step === STEPS, JSON.stringify(events.at(-1)));
  const gaps = events.slice(1).map((e, i) => e.elapsed - events[i].elapsed);
  assert.ok(Math.max(...gaps) < 0.5, `a gap of ${Math.max(...gaps).toFixed(3)} s between progress events`);
  assert.ok(events.filter((e) => !e.validating && !e.epochEnd).length >= 3, `${events.length} progress events`);

  // Continue: one more epoch of the same model, on the same curve.
  await page.click('#btn-continue');
  await page.waitForFunction(() => window.nnlab.state.train !== 'idle' || window.nnlab.state.starting);
  await waitIdle(page);
  run = (await page.evaluate(() => window.nnlab.runs)).at(-1);
  assert.equal((await page.evaluate(() => window.nnlab.runs)).length, 1, 'continuing made a new run');
  assert.equal(run.history.loss.length, 2);
  assert.deepEqual(run.epochX, [1, 2]);
  assert.ok(run.history.loss[1] < run.history.loss[0], `loss ${run.history.loss}`);
  assert.equal(await steps(page), 2 * STEPS);

  // One step: exactly one more batch, then paused; Stop ends it.
  await page.click('#btn-step');
  await page.waitForFunction(() => window.nnlab.state.train === 'paused');
  await page.waitForFunction((n) => window.nnlab.progress?.step === 1, null);
  await page.click('#btn-stop');
  await waitIdle(page);
  assert.equal(await steps(page), 2 * STEPS + 1);
  await shootCards(page, 'cnn-trained-en', ['#card-train']);

  // Save the CNN, then an MLP run beside it.
  const probe = () => page.evaluate(async () => Array.from((await window.nnlab.debug.predict(0, 50)).probs));
  const before = await probe();
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#btn-save')]);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nnlab-cnn-')), 'cnn.nnl');
  await download.saveAs(file);

  await page.click('[data-preset="mlp"]');
  await page.waitForFunction(() => document.getElementById('summary').textContent.includes('79,510'));
  const mlp = await train(page);
  assert.equal(mlp.status, 'done');
  const runs = await page.evaluate(() => window.nnlab.runs);
  assert.equal(runs.length, 2);
  const descs = await page.$$eval('#runs .run-desc', (els) => els.map((e) => e.textContent));
  assert.match(descs[0], /^stopped · 28×28×1 → Conv2D 8 5×5 relu → MaxPool 2×2 → Conv2D 16 5×5 relu → MaxPool 2×2 → Flatten → 10 softmax · adam/);
  assert.match(descs[1], /^784 → 100 relu → 10 softmax · adam/);
  // Both runs on both charts: the CNN's two epochs and the MLP's one, each with validation.
  for (const metric of ['loss', 'accuracy']) {
    await page.waitForFunction((m) => window.nnlab.drawnRuns(m).length === 2 && window.nnlab.drawnRuns(m)[1].val === 1, metric);
    const drawn = await page.evaluate((m) => window.nnlab.drawnRuns(m), metric);
    assert.deepEqual(drawn.map((d) => [d.name, d.train, d.val]), [[runs[0].name, 2, 2], [runs[1].name, 1, 1]]);
    assert.ok(drawn.every((d) => d.batch > 0), JSON.stringify(drawn));
  }
  await shootCards(page, 'cnn-vs-mlp-en', ['#card-charts']);

  // Load the CNN back (the page asks first: the MLP was trained here and not
  // downloaded): the same predictions, the builder shows it again.
  await page.setInputFiles('#file-load', file);
  await page.click('#dialog-replace');
  await page.waitForFunction(() => window.nnlab.lab.source === 'file');
  assert.deepEqual(await probe(), before);
  assert.equal((await state(page)).model.params, 5994);
  await page.waitForSelector('#layers [data-kind="conv2d"]');
  assert.equal(await page.textContent('#input-shape'), 'shape=(28, 28, 1)');
  assert.deepEqual(errors, []);
  await context.close();
});
