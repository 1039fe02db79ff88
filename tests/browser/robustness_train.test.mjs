// robustness_train.test.mjs — bad settings in the page: a learning rate that
// makes the loss NaN stops training with the core's explanation and hint, the
// model rolled back and the sound epochs kept; a layer too large for memory is
// refused before anything is allocated, next to its field; and when the wasm
// heap cannot grow, building fails with a message and the page lives on.
//
// Run: node --test tests/browser/robustness_train.test.mjs   (after scripts/build_web.sh)

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { browser, divergingNet, openApp, server, setField, train, useSiteAndBrowser } from './helpers.mjs';

useSiteAndBrowser();

const evaluate = (page) => page.evaluate(() => window.nnlab.debug.evaluate());
const probs = (page) => page.evaluate(() => window.nnlab.debug.predict(0, 8).then((r) => Array.from(r.probs)));
const heapBytes = (page) => page.evaluate(() => window.nnlab.debug.call('size').then((r) => r.heapBytes));
const errorFor = (page, key) => page.textContent(`.field-error[data-error-for="${key}"]`);

describe('divergence', () => {
  test('sgd with lr = 10 on a deep relu net: stopped at once, explained, model rolled back', async () => {
    const { page, context, errors } = await openApp(browser, server.url);
    await divergingNet(page);
    await setField(page, '#trainLimit', 2000);
    await setField(page, '#epochs', 3);
    const fresh = await evaluate(page);

    const run = await train(page);
    assert.equal(run.status, 'diverged');
    assert.deepEqual(run.history.loss, []);
    const banner = await page.textContent('#train-error');
    // One headline, then what happened and what to do, each said once.
    assert.equal(banner, 'Training diverged. The loss became NaN or infinite in epoch 1: the model went back to its '
      + 'weights at the start of that epoch. The learning rate 10 is probably too high: lower it (try 1) and train again.');
    assert.match(await page.textContent('#console'), /The model went back to its weights at the start of this epoch/);
    assert.match(await page.textContent('#runs'), /diverged/);
    // Rolled back to the start of epoch 1: the freshly built weights.
    assert.deepEqual(await evaluate(page), fresh);
    assert.ok(Number.isFinite(fresh.loss));
    // Nothing is stuck: with lr 0.01 the same model trains.
    await page.fill('#lr', '0.01');
    assert.equal((await train(page)).status, 'done');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('a divergence in epoch 2 keeps epoch 1 in the run, and the model as it was then', async () => {
    const { page, context, errors } = await openApp(browser, server.url);
    // A linear hidden layer grows geometrically with sgd lr 0.45: NaN near step 90
    // of 63-step epochs, for any seed (checked natively with seeds 1, 2, 3, 42).
    await page.fill('#layers [data-index="0"] [name="units"]', '256');
    await page.selectOption('#layers [data-index="0"] [name="activation"]', 'linear');
    await page.selectOption('#optimizer', 'sgd');
    await page.fill('#lr', '0.45');
    await setField(page, '#trainLimit', 2000);
    await setField(page, '#epochs', 3);

    const run = await train(page);
    assert.equal(run.status, 'diverged');
    assert.equal(run.history.loss.length, 1, `sound epochs: ${JSON.stringify(run.history)}`);
    for (const k of ['loss', 'accuracy', 'valLoss', 'valAccuracy']) assert.ok(Number.isFinite(run.history[k][0]), k);
    assert.match(await page.textContent('#train-error'),
      /^Training diverged\. The loss became NaN or infinite in epoch 2: the model went back to its weights at the start of that epoch\. The learning rate 0\.45 is probably too high: lower it \(try 0\.045\) and train again\.$/);
    // The model is the one that finished epoch 1: its test metrics are epoch 1's validation.
    const now = await evaluate(page);
    assert.equal(now.accuracy, run.history.valAccuracy[0]);
    assert.ok(Math.abs(now.loss - run.history.valLoss[0]) <= 1e-4 * Math.abs(now.loss), `${now.loss} vs ${run.history.valLoss[0]}`);
    // The charts keep the sound epoch (train and validation points).
    assert.ok(await page.evaluate(() => window.nnlab.points('loss')) >= 2);
    assert.deepEqual(errors, []);
    await context.close();
  });
});

describe('memory', () => {
  test('a layer too large to fit is refused before allocating, with the size, next to its field', async () => {
    const { page, context, errors } = await openApp(browser, server.url);
    await page.click('[data-preset="deep"]');
    await page.waitForFunction(() => document.getElementById('summary').textContent.includes('235,146'));
    const heap = await heapBytes(page);
    const before = await probs(page);
    // 784 → 65536 → Dropout → 128 → 10: 60 M parameters, each with a gradient and two
    // adam moments, and a batch of 256 rows of activations: about 1.3 GB.
    await page.fill('#layers [data-index="0"] [name="units"]', '65536');
    await page.waitForFunction(() => /MB/.test(document.querySelector('.field-error[data-error-for="layer-0"]').textContent));
    assert.match(await errorFor(page, 'layer-0'),
      /^this model would need \d{4}\.\d MB of memory for its weights, gradients, optimizer state and one batch; the limit is 1024 MB\. Use fewer units$/);
    assert.equal(await page.isEnabled('#btn-start'), false);
    assert.equal(await heapBytes(page), heap, 'the heap grew: something was allocated');
    assert.deepEqual(await probs(page), before, 'the previous model changed');
    // The summary does not pass the old model off as the builder's, and neither Continue
    // nor One step trains the old one as if it were the builder's.
    assert.match(await page.textContent('#summary'), /^The model in the builder could not be built/);
    assert.equal(await page.isEnabled('#btn-continue'), false);
    assert.equal(await page.isEnabled('#btn-step'), false);
    // Back to a size that fits: the message goes, Start comes back, the summary is the new model's.
    await page.fill('#layers [data-index="0"] [name="units"]', '300');
    await page.waitForFunction(() => document.querySelector('.field-error[data-error-for="layer-0"]').textContent === '');
    await page.waitForFunction(() => !document.getElementById('btn-start').disabled);
    await page.waitForFunction(() => document.getElementById('summary').textContent.includes('275,318'));
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('when the wasm heap cannot grow, building fails with a message and the page and model live on', async () => {
    const { page, context, errors } = await openApp(browser, server.url);
    const before = await probs(page);
    const hog = await page.evaluate(() => window.nnlab.debug.call('hog'));
    // Grown to its maximum: 2 GB for the single-thread module, 1 GB of shared memory for the
    // threads module (which the page loads when it is cross-origin isolated, as here).
    const threaded = (await page.evaluate(() => window.nnlab.state.threads.module)) === 'threads';
    const max = threaded ? 2 ** 30 : 2 ** 31;
    assert.ok(hog.heapBytes > 0.95 * max, `heap after hogging: ${hog.heapBytes} of ${max}`);
    // 784 → 2000 → 10: 1,590,010 parameters, 25 MB with adam — more than is left.
    await page.fill('#layers [data-index="0"] [name="units"]', '2000');
    await page.waitForFunction(() => /out of memory/.test(document.querySelector('.field-error[data-error-for="layer-0"]').textContent));
    assert.match(await errorFor(page, 'layer-0'), /out of memory for 1590010 parameters/);
    assert.equal(await page.isEnabled('#btn-start'), false);
    assert.deepEqual(await probs(page), before, 'the previous model changed');
    assert.equal(await page.evaluate(() => window.nnlab.state.workerReady), true);

    await page.evaluate(() => window.nnlab.debug.call('release'));
    await page.fill('#layers [data-index="0"] [name="units"]', '2000');
    await page.waitForFunction(() => document.getElementById('summary').textContent.includes('1,590,010'));
    assert.equal(await errorFor(page, 'layer-0'), '');
    await setField(page, '#trainLimit', 500);
    await setField(page, '#epochs', 1);
    assert.equal((await train(page)).status, 'done');
    assert.deepEqual(errors, []);
    await context.close();
  });
});
