// app.test.mjs — the page in headless Chromium: MNIST loads, the default model
// trains, the controls do what they say, invalid fields are refused, and the
// page answers clicks while the worker trains. (How long the main thread's
// tasks are while training depends on the machine's load: that is measured
// by tests/bench/chromium/page_tasks.mjs, in scripts/bench.sh.)
//
// Run: node --test tests/browser/app.test.mjs   (after scripts/build_web.sh)

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';

import { browser, openApp, server, setField, steps, useSiteAndBrowser, waitIdle } from './helpers.mjs';

useSiteAndBrowser();

describe('nnlab page', () => {
  test('loads MNIST, shows 60000 / 10000 and the default MLP summary', async () => {
    const { page, context, errors } = await openApp(browser, server.url);
    assert.equal((await page.textContent('#data-counts')).trim(), '60000 / 10000');
    const summary = await page.textContent('#summary');
    assert.match(summary, /Total params: 79,510/);
    assert.match(summary, /dense_1 \(Dense\)/);
    const code = await page.textContent('#code');
    assert.match(code, /layers\.Dense\(100, activation="relu"\)/);
    assert.match(code, /keras\.optimizers\.Adam\(learning_rate=0\.001\)/);
    assert.equal(await page.isEnabled('#btn-start'), true);

    // The language switch translates the page, and back.
    await page.click('[data-lang="zh"]');
    assert.equal(await page.textContent('#btn-start'), '开始');
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    await page.click('[data-lang="en"]');
    assert.equal(await page.textContent('#btn-start'), 'Start');

    // A preset rebuilds the model: logistic regression has 7,850 parameters.
    await page.click('[data-preset="logreg"]');
    await page.waitForFunction(() => document.getElementById('summary').textContent.includes('7,850'));
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('trains one epoch on 2000 samples; charts gain points', async () => {
    const { page, context, errors } = await openApp(browser, server.url);
    await setField(page, '#trainLimit', 2000);
    await setField(page, '#epochs', 1);
    const before = await page.evaluate(() => window.nnlab.points('loss'));
    assert.equal(before, 0);
    await page.click('#btn-start');
    await page.waitForFunction(() => window.nnlab.state.train === 'running' || window.nnlab.runs.at(-1)?.status === 'done');
    await waitIdle(page);

    const run = (await page.evaluate(() => window.nnlab.runs)).at(-1);
    assert.equal(run.status, 'done');
    assert.equal(run.history.loss.length, 1);
    assert.ok(run.history.loss[0] > 0 && run.history.loss[0] < 2.3, `loss ${run.history.loss[0]}`);
    assert.ok(run.history.valAccuracy[0] > 0.75, `val_accuracy ${run.history.valAccuracy[0]}`);
    // 2000 / 32 = 63 batches (the last one partial), shown as Keras does.
    await page.waitForFunction(() => /63\/63 ━+ .*val_accuracy: 0\.\d{4}/.test(document.getElementById('console').textContent));
    const lossPoints = await page.evaluate(() => window.nnlab.points('loss'));
    const accPoints = await page.evaluate(() => window.nnlab.points('accuracy'));
    assert.ok(lossPoints >= 3, `loss chart points ${lossPoints}`); // batch curve + train + val
    assert.ok(accPoints >= 3, `accuracy chart points ${accPoints}`);
    assert.match(await page.textContent('#runs'), /MLP 100 relu · adam 0\.001 · 1 epoch/);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('pause holds the step count, resume continues, stop keeps the model', async () => {
    const { page, context, errors } = await openApp(browser, server.url);
    await page.click('#btn-start'); // full 60000 samples: far longer than this test
    await page.waitForFunction(() => (window.nnlab.progress?.totalSteps ?? 0) > 100);
    await page.click('#btn-pause');
    await page.waitForFunction(() => window.nnlab.state.train === 'paused');
    assert.equal(await page.textContent('#btn-pause'), 'Resume');
    const held = await steps(page);
    await page.waitForTimeout(600);
    assert.equal(await steps(page), held, 'steps went on while paused');

    // One step while paused moves exactly one batch.
    await page.click('#btn-step');
    await page.waitForFunction((n) => window.nnlab.progress.totalSteps === n + 1, held);

    await page.click('#btn-pause'); // now "Resume"
    await page.waitForFunction((n) => window.nnlab.progress.totalSteps > n + 50, held);
    await page.click('#btn-stop');
    await waitIdle(page);

    const run = (await page.evaluate(() => window.nnlab.runs)).at(-1);
    assert.equal(run.status, 'stopped');
    assert.match(await page.textContent('#summary'), /Total params: 79,510/);
    await page.click('#btn-evaluate');
    await page.waitForSelector('#eval-line:not([hidden])');
    const m = /accuracy (\d\.\d+)/.exec(await page.textContent('#eval-line'));
    assert.ok(m && Number(m[1]) > 0.8, `evaluate after stop: ${await page.textContent('#eval-line')}`);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('the page answers a click while the worker trains, and training goes on', async () => {
    const { page, context, errors } = await openApp(browser, server.url);
    // 5 epochs of 60000 samples: training is still running when the click is
    // handled, unless the main thread was blocked until the end.
    await page.click('#btn-start');
    await page.waitForFunction(() => (window.nnlab.progress?.totalSteps ?? 0) > 20);
    const atClick = await steps(page);
    await page.click('[data-lang="zh"]');
    await page.waitForFunction(() => document.getElementById('btn-stop').textContent === '停止');
    assert.equal(await page.evaluate(() => window.nnlab.state.train), 'running');
    // The worker trains on while the page shows its progress.
    await page.waitForFunction((n) => window.nnlab.progress.totalSteps > n + 50, atClick);
    assert.equal(await page.evaluate(() => window.nnlab.state.train), 'running');
    await page.click('#btn-stop');
    await waitIdle(page);
    assert.equal((await page.evaluate(() => window.nnlab.runs)).at(-1).status, 'stopped');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('sparse categorical cross-entropy trains; changing the model while training asks first', async () => {
    const { page, context, errors } = await openApp(browser, server.url);
    await page.selectOption('#loss', 'sparse_categorical_crossentropy');
    await page.waitForFunction(() => document.getElementById('code').textContent.includes('sparse_categorical_crossentropy'));
    assert.doesNotMatch(await page.textContent('#code'), /to_categorical/);
    await setField(page, '#trainLimit', 2000);
    await setField(page, '#epochs', 2);
    await page.click('#btn-start');
    await waitIdle(page);
    const run = (await page.evaluate(() => window.nnlab.runs)).at(-1);
    assert.equal(run.status, 'done');
    assert.equal(run.history.loss.length, 2);
    assert.ok(run.history.loss[1] < run.history.loss[0], `loss fell: ${run.history.loss}`);
    assert.ok(run.history.valAccuracy[1] > 0.8, `val_accuracy ${run.history.valAccuracy}`);

    // While training, a model change opens the in-page dialog; keeping the trained model keeps training.
    // (Start first asks too: the model trained above has not been downloaded.)
    await setField(page, '#trainLimit', 60000);
    await page.click('#btn-start');
    await page.click('#dialog-replace');
    await page.waitForFunction(() => window.nnlab.state.train === 'running' && window.nnlab.progress);
    await page.click('[data-preset="logreg"]');
    await page.waitForSelector('#dialog:not([hidden])');
    await page.click('#dialog-keep');
    assert.equal(await page.evaluate(() => window.nnlab.state.train), 'running');
    assert.equal(await page.locator('#layers [data-index]').count(), 2);
    // Building the new model stops training and builds it.
    await page.click('[data-preset="logreg"]');
    await page.click('#dialog-replace');
    await waitIdle(page);
    await page.waitForFunction(() => document.getElementById('summary').textContent.includes('7,850'));
    assert.equal((await page.evaluate(() => window.nnlab.runs)).at(-1).status, 'stopped');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('invalid fields are refused with a message next to them', async () => {
    const { page, context, errors } = await openApp(browser, server.url);
    const errorFor = (key) => page.textContent(`.field-error[data-error-for="${key}"]`);

    await page.fill('#layers [data-index="0"] [name="units"]', '0');
    assert.match(await errorFor('layer-0'), /Units must be/);
    assert.equal(await page.isEnabled('#btn-start'), false);
    await page.fill('#layers [data-index="0"] [name="units"]', '100');
    assert.equal(await errorFor('layer-0'), '');

    await page.fill('#lr', '0');
    assert.match(await errorFor('lr'), /greater than 0/);
    await page.fill('#lr', '0.001');

    await setField(page, '#trainLimit', 2000);
    await setField(page, '#batchSize', 5000);
    assert.match(await errorFor('batchSize'), /cannot be larger than the 2000/);
    await setField(page, '#batchSize', 32);

    await page.click('#add-dropout');
    await page.fill('#layers [data-index="1"] [name="rate"]', '1');
    assert.match(await errorFor('layer-1'), /rate must be/);
    assert.equal(await page.isEnabled('#btn-start'), false);
    await page.fill('#layers [data-index="1"] [name="rate"]', '0.5');
    assert.equal(await errorFor('layer-1'), '');
    assert.equal(await page.isEnabled('#btn-start'), true);
    assert.deepEqual(errors, []);
    await context.close();
  });
  test('runs can be renamed, downloaded and deleted; the model saves and loads back', async () => {
    const { page, context, errors } = await openApp(browser, server.url);
    await setField(page, '#trainLimit', 2000);
    await setField(page, '#epochs', 2);
    await page.click('#btn-start');
    await waitIdle(page);
    const read = async (download) => fs.readFileSync(await download.path(), 'utf8');

    // Rename in place.
    await page.click('#runs [data-act="rename"]');
    await page.fill('#runs .run-name input', 'baseline MLP');
    await page.press('#runs .run-name input', 'Enter');
    assert.equal((await page.textContent('#runs .run-name')).trim(), 'baseline MLP');

    // History as CSV and JSON, the chart as PNG.
    let [download] = await Promise.all([page.waitForEvent('download'), page.click('#runs [data-act="csv"]')]);
    const csv = (await read(download)).trim().split('\n');
    assert.equal(csv[0], 'epoch,loss,accuracy,val_loss,val_accuracy');
    assert.equal(csv.length, 3);
    assert.match(csv[2], /^2,0\.\d+,0\.\d+,0\.\d+,0\.\d+$/);
    [download] = await Promise.all([page.waitForEvent('download'), page.click('#runs [data-act="json"]')]);
    const json = JSON.parse(await read(download));
    assert.equal(json.name, 'baseline MLP');
    assert.equal(json.history.val_accuracy.length, 2);
    assert.equal(json.config.loss, 'categorical_crossentropy');
    [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-png="loss"]')]);
    const png = fs.readFileSync(await download.path());
    assert.equal(png.subarray(1, 4).toString(), 'PNG');

    // Save the trained model, build another, load the file back.
    const evalText = async () => {
      await page.click('#btn-evaluate');
      await page.waitForFunction(() => !document.getElementById('eval-line').hidden);
      const text = await page.textContent('#eval-line');
      await page.evaluate(() => { document.getElementById('eval-line').hidden = true; });
      return text;
    };
    const trained = await evalText();
    [download] = await Promise.all([page.waitForEvent('download'), page.click('#btn-save')]);
    const file = await download.path();
    assert.equal(fs.readFileSync(file).subarray(0, 5).toString(), 'NNLAB');
    await page.click('[data-preset="deep"]');
    await page.waitForFunction(() => document.getElementById('summary').textContent.includes('dense_2'));
    await page.setInputFiles('#file-load', file);
    await page.waitForFunction(() => document.getElementById('summary').textContent.includes('79,510'));
    assert.equal(await page.locator('#layers [data-index]').count(), 2);
    assert.equal(await evalText(), trained);

    // Runs survive a reload (localStorage); deleting removes them.
    await page.reload();
    await page.waitForFunction(() => window.nnlab && window.nnlab.state.dataReady);
    assert.equal((await page.textContent('#runs .run-name')).trim(), 'baseline MLP');
    await page.click('#runs [data-act="delete"]');
    assert.equal(await page.locator('#runs .run').count(), 0);
    assert.deepEqual(errors, []);
    await context.close();
  });
});
