// charts_toggle.test.mjs — the ticks under the charts (show batches, an
// earlier run's overlay) clicked again and again while a run trains: nothing
// throws, and every epoch the worker computed reaches the run's history, its
// chart and its CSV (issue 9, item 1). The worker's own history is read from
// the model file the page saves, so the comparison does not go through the
// page code under test.
//
// Run: node --test tests/browser/charts_toggle.test.mjs   (after nn_build_site)
// NNLAB_SHOTS=DIR also saves screenshots of the charts there.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';

import { readModelFile } from '../../web/js/model_file.js';
import { browser, clickStart, openApp, server, setField, train, useSiteAndBrowser, waitIdle } from './helpers.mjs';
import { SHOTS_DIR, shootCards } from './shots.mjs';

useSiteAndBrowser();

const EPOCHS = 3;
const SAMPLES = 30000; // 938 steps of 32 an epoch, a couple of seconds each
const STEPS = Math.ceil(SAMPLES / 32);

// The history at the end of a model file (src/model_file.c, "Body"): after the
// parameters and the optimizer slots, i32 epochs and four f32 arrays.
function fileHistory(bytes) {
  const { nParams } = readModelFile(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = view.getUint32(12, true) + 4 * nParams;
  const slots = view.getUint32(at, true);
  at += 4 + 4 * slots * nParams;
  const epochs = view.getInt32(at, true);
  at += 4;
  const series = () => Array.from({ length: epochs }, (_, i) => view.getFloat32(at + 4 * i, true));
  const h = {};
  for (const k of ['loss', 'accuracy', 'valLoss', 'valAccuracy']) {
    h[k] = series();
    at += 4 * epochs;
  }
  return h;
}

const click = (page, selector) => page.click(selector, { timeout: 5000 });

test('ticking the chart checkboxes during training loses nothing', async () => {
  const { page, context, errors } = await openApp(browser, server.url);
  // An earlier run, so the runs list has an overlay tick to click.
  await setField(page, '#trainLimit', 500);
  await setField(page, '#epochs', 1);
  assert.equal((await train(page)).status, 'done');

  await setField(page, '#trainLimit', SAMPLES);
  await setField(page, '#epochs', EPOCHS);
  await clickStart(page);
  await page.waitForFunction(() => window.nnlab.runs.length === 2 && window.nnlab.state.train === 'running');
  const earlier = '#runs li.run:first-child input[name="visible"]';
  let clicks = 0;
  const clickedIn = new Set(); // epochs during which a tick changed
  // Click while batches arrive until the run ends.
  while (await page.evaluate(() => window.nnlab.runs[1].status === 'running')) {
    await click(page, '#show-batches');
    await page.waitForTimeout(15 + (clicks % 5) * 20);
    await click(page, clicks % 3 ? '#show-batches' : earlier);
    clickedIn.add(await page.evaluate(() => window.nnlab.progress && window.nnlab.progress.epoch));
    clicks++;
  }
  await waitIdle(page);
  for (let e = 0; e < EPOCHS; e++) assert.ok(clickedIn.has(e), `no click in epoch ${e + 1} (${clicks} rounds)`);
  // Leave both ticks on, so the chart shows every series.
  if (!(await page.isChecked('#show-batches'))) await click(page, '#show-batches');
  if (!(await page.isChecked(earlier))) await click(page, earlier);

  const run = (await page.evaluate(() => window.nnlab.runs))[1];
  assert.equal(run.status, 'done');
  const h = run.history;
  for (const k of ['loss', 'accuracy', 'valLoss', 'valAccuracy']) {
    assert.equal(h[k].length, EPOCHS, `${k}: ${JSON.stringify(h)}`);
    for (const v of h[k]) assert.ok(Number.isFinite(v), `${k}: ${JSON.stringify(h)}`);
  }
  assert.deepEqual(errors, [], 'errors in the page');
  // The worker's history, from the model file the page saves: the same floats.
  const [download] = await Promise.all([page.waitForEvent('download'), click(page, '#btn-save')]);
  assert.deepEqual(fileHistory(fs.readFileSync(await download.path())), h);

  // The console's last line is the last epoch, finished, with its validation.
  const last = await page.evaluate(() => [...document.querySelectorAll('#console > div')].at(-1).textContent);
  assert.match(last, new RegExp(`^${STEPS}/${STEPS} .* - val_accuracy: ${h.valAccuracy[EPOCHS - 1].toFixed(4)} - val_loss: ${h.valLoss[EPOCHS - 1].toFixed(4)}$`));

  // The charts draw every point of both runs: per epoch, validation, and the
  // per-batch curve (800 points at most per run, and one at each epoch's end).
  const runs = await page.evaluate(() => window.nnlab.runs);
  const epochsDrawn = runs.reduce((n, r) => n + 2 * r.history.loss.length, 0);
  await page.waitForFunction((n) => window.nnlab.points('loss') > n && window.nnlab.points('accuracy') === window.nnlab.points('loss'), epochsDrawn);
  const batchPoints = (await page.evaluate(() => window.nnlab.points('loss'))) - epochsDrawn;
  // At most 800 per run: every k-th step, plus each epoch's last.
  const expected = (steps) => Math.ceil(steps / Math.ceil(steps / 800));
  const want = expected(16) + expected(STEPS * EPOCHS);
  assert.ok(Math.abs(batchPoints - want) <= EPOCHS + 1, `batch points ${batchPoints}, expected about ${want}`);
  // Without the per-batch curves, exactly the epoch points remain.
  await click(page, '#show-batches');
  await page.waitForFunction((n) => window.nnlab.points('loss') === n && window.nnlab.points('accuracy') === n, epochsDrawn);
  await click(page, '#show-batches');

  // The CSV has every epoch.
  const [csvDownload] = await Promise.all([page.waitForEvent('download'), click(page, '#runs li.run:nth-child(2) [data-act="csv"]')]);
  const csv = fs.readFileSync(await csvDownload.path(), 'utf8').trim().split('\n');
  assert.equal(csv.length, EPOCHS + 1, csv.join('\n'));
  for (let e = 1; e <= EPOCHS; e++) {
    assert.equal(csv[e], [e, h.loss[e - 1], h.accuracy[e - 1], h.valLoss[e - 1], h.valAccuracy[e - 1]].join(','));
  }

  for (const lang of SHOTS_DIR ? ['zh', 'en'] : []) {
    await page.click(`[data-lang="${lang}"]`);
    await shootCards(page, `charts-${lang}`, ['#card-charts']);
  }
  assert.deepEqual(errors, []);
  await context.close();
});
