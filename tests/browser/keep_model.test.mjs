// keep_model.test.mjs — nothing a student trained is lost in the page:
// compile and fit edits keep the trained model and apply when training
// continues (Keras's compile() again keeps the weights); a continued run numbers
// its epochs on and extends its curve; a change that needs new weights asks
// first (keep, download, replace); One step continues the current model; the
// worker's replies and events never mix two fits up; the messages say each
// thing once, in English and 简体中文.
//
// Run: node --test tests/browser/keep_model.test.mjs   (after scripts/build_web.sh)

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';

import { browser, divergingNet, openApp, server, setField, train, useSiteAndBrowser, waitIdle } from './helpers.mjs';
import { toyFiles, writeFiles } from './idx_fixtures.mjs';

useSiteAndBrowser();

const evaluate = (page) => page.evaluate(() => window.nnlab.debug.evaluate());
const probs = (page) => page.evaluate(() => window.nnlab.debug.predict(0, 16).then((r) => Array.from(r.probs)));
const worker = (page) => page.evaluate(() => window.nnlab.debug.describe());
const modelInfo = (page) => page.evaluate(() => window.nnlab.state.model);
const lastRun = async (page) => (await page.evaluate(() => window.nnlab.runs)).at(-1);
const consoleText = (page) => page.textContent('#console');
const dialogShown = (page) => page.waitForSelector('#dialog:not([hidden])');
const dialogHidden = (page) => page.waitForSelector('#dialog', { state: 'hidden' });

// Past the builder's rebuild delay, so that a rebuild it would start has started.
const afterEdit = (page) => page.waitForTimeout(600);

// The MLP trained for one epoch on 2000 samples: a model trained here, not downloaded.
async function trainedPage(opts) {
  const app = await openApp(browser, server.url, opts);
  await setField(app.page, '#trainLimit', 2000);
  await setField(app.page, '#epochs', 1);
  const run = await train(app.page);
  assert.equal(run.status, 'done');
  return app;
}

async function continueTraining(page) {
  await page.click('#btn-continue');
  await page.waitForFunction(() => window.nnlab.runs.at(-1).status === 'running' || window.nnlab.state.train !== 'idle');
  await waitIdle(page);
}

describe('compile and fit edits keep the trained model', () => {
  test('a lower learning rate keeps the weights; Continue numbers epochs on and extends the same run', async () => {
    const { page, context, errors } = await trainedPage();
    const before = { eval: await evaluate(page), probs: await probs(page), info: await modelInfo(page) };
    assert.ok(before.eval.accuracy > 0.8, `trained: ${before.eval.accuracy}`);

    // Keras: compile() again keeps the weights. None of these edits touches the model.
    await page.fill('#lr', '0.0001');
    await page.selectOption('#loss', 'sparse_categorical_crossentropy');
    await setField(page, '#epochs', 2);
    await setField(page, '#batchSize', 64);
    await afterEdit(page);
    assert.deepEqual(await evaluate(page), before.eval);
    assert.deepEqual(await probs(page), before.probs);
    assert.equal((await modelInfo(page)).step, before.info.step);
    assert.match((await page.evaluate(() => window.nnlab.lab)).sourceText, /^your model, epoch 1$/);
    assert.equal(await page.isEnabled('#btn-continue'), true);

    await continueTraining(page);
    const runs = await page.evaluate(() => window.nnlab.runs);
    assert.equal(runs.length, 1, 'the continued fit extends the run instead of starting another');
    const run = runs[0];
    assert.equal(run.status, 'done');
    assert.equal(run.history.loss.length, 3);
    assert.deepEqual(run.epochX, [1, 2, 3]);
    assert.deepEqual(run.valX, [1, 2, 3]);
    const text = await consoleText(page);
    assert.match(text, /Continuing: epochs 2–3 with adam, learning rate 0\.0001; the weights are kept\./);
    assert.match(text, /Epoch 2\/3/);
    assert.match(text, /Epoch 3\/3/);
    assert.doesNotMatch(text, /Epoch 1\//);
    // The run's history is the worker's, every epoch of both fits.
    const w = await worker(page);
    assert.deepEqual(run.history, w.history);
    assert.equal(w.info.lr.toPrecision(3), '0.000100');
    assert.equal(w.info.step, before.info.step + 2 * Math.ceil(2000 / 64));
    // Lower learning rate, same model: still a trained model, not back at chance.
    assert.ok((await evaluate(page)).accuracy > 0.8);

    // The CSV has every epoch, numbered as Keras does.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#runs [data-act="csv"]')]);
    const csv = fs.readFileSync(await download.path(), 'utf8').trim().split('\n');
    assert.deepEqual(csv.map((row) => row.split(',')[0]), ['epoch', '1', '2', '3']);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('another optimizer on Continue starts its state fresh and says so, in 简体中文 too', async () => {
    const { page, context, errors } = await trainedPage({ lang: 'zh' });
    const before = await evaluate(page);
    await page.selectOption('#optimizer', 'sgd');
    await afterEdit(page);
    assert.deepEqual(await evaluate(page), before, 'changing the optimizer changed the weights');
    await continueTraining(page);
    const text = await consoleText(page);
    assert.match(text, /优化器从 adam 换成了 sgd：它的状态（动量、步数）重新开始；权重保留。/);
    assert.match(text, /Epoch 2\/2/);
    const w = await worker(page);
    assert.equal(w.info.optimizer, 0); // NN_OPT_SGD
    assert.deepEqual((await lastRun(page)).history, w.history);
    assert.ok((await evaluate(page)).accuracy > 0.8);
    assert.deepEqual(errors, []);
    await context.close();
  });
});

describe('after a reload', () => {
  test('the continued run comes back whole; the restored model continues at the next epoch', async () => {
    const { page, context, errors } = await trainedPage();
    await continueTraining(page);
    await page.waitForFunction(() => window.nnlab.lab.counts.stored === 2);
    const before = await lastRun(page);
    assert.deepEqual(before.epochX, [1, 2]);

    await page.reload();
    await page.waitForFunction(() => window.nnlab && window.nnlab.state.dataReady && window.nnlab.lab.source === 'pretrained');
    const runs = await page.evaluate(() => window.nnlab.runs);
    assert.equal(runs.length, 1);
    assert.deepEqual(runs[0].history, before.history);
    assert.deepEqual(runs[0].epochX, [1, 2]);
    await page.click('#restore-ok');
    await page.waitForFunction(() => window.nnlab.lab.source === 'restored');
    assert.equal((await worker(page)).info.historyEpochs, 2);
    await setField(page, '#trainLimit', 2000);
    await setField(page, '#epochs', 1);
    await continueTraining(page);
    // Its run ended with the page before: a new run whose curve starts where the model's history ends.
    const after = await page.evaluate(() => window.nnlab.runs);
    assert.equal(after.length, 2);
    assert.equal(after[1].initialEpoch, 2);
    assert.deepEqual(after[1].epochX, [3]);
    assert.match(await consoleText(page), /Epoch 3\/3/);
    assert.deepEqual(after[1].history.loss, (await worker(page)).history.loss.slice(2));
    assert.deepEqual(errors, []);
    await context.close();
  });
});

describe('changes that need new weights ask first', () => {
  test('keep puts the builder back; download saves the model, then builds the new one', async () => {
    const { page, context, errors } = await trainedPage();
    const before = { eval: await evaluate(page), info: await modelInfo(page) };

    await page.fill('#seed', '7');
    await dialogShown(page);
    assert.match(await page.textContent('#dialog-text'), /The current model was trained here and has not been downloaded/);
    await page.click('#dialog-keep');
    await dialogHidden(page);
    assert.equal(await page.inputValue('#seed'), '42');
    await afterEdit(page);
    assert.deepEqual(await evaluate(page), before.eval);
    assert.equal(await page.isEnabled('#btn-continue'), true);

    await page.fill('#layers [data-index="0"] [name="units"]', '50');
    await dialogShown(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#dialog-download')]);
    assert.equal(download.suggestedFilename(), 'nnlab-model.nnl');
    const saved = fs.readFileSync(await download.path());
    await page.waitForFunction(() => document.getElementById('summary').textContent.includes('39,760'));
    assert.equal((await modelInfo(page)).step, 0);
    assert.ok((await evaluate(page)).accuracy < 0.5, 'the new model is untrained');

    // The downloaded file is the trained model: loading it back gives its answers.
    const file = writeFiles(fs.mkdtempSync(path.join(os.tmpdir(), 'nnlab-keep-')), { 'trained.nnl': saved })[0];
    await page.setInputFiles('#file-load', file);
    await page.waitForFunction((s) => window.nnlab.state.model.step === s, before.info.step);
    assert.deepEqual(await evaluate(page), before.eval);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('Start after training asks too (简体中文): cancel keeps the model, replace starts a new one', async () => {
    const { page, context, errors } = await trainedPage({ lang: 'zh' });
    const before = await evaluate(page);
    await page.click('#btn-start');
    await dialogShown(page);
    assert.match(await page.textContent('#dialog-text'), /当前模型是在这里训练的，还没有下载/);
    assert.equal(await page.textContent('#dialog-keep'), '取消');
    await page.click('#dialog-keep');
    await dialogHidden(page);
    assert.equal(await page.evaluate(() => window.nnlab.runs.length), 1);
    assert.deepEqual(await evaluate(page), before);

    await page.click('#btn-start');
    await page.click('#dialog-replace');
    await page.waitForFunction(() => window.nnlab.runs.length === 2 && window.nnlab.runs[1].status !== 'running');
    await waitIdle(page);
    assert.equal((await lastRun(page)).history.loss.length, 1);
    assert.match(await consoleText(page), /Epoch 1\/1/);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('a fresh or pretrained model is replaced without a question', async () => {
    const { page, context, errors } = await openApp(browser, server.url);
    assert.equal((await page.evaluate(() => window.nnlab.lab)).source, 'pretrained');
    await page.fill('#layers [data-index="0"] [name="units"]', '50');
    await page.waitForFunction(() => document.getElementById('summary').textContent.includes('39,760'));
    await page.fill('#seed', '3');
    await afterEdit(page);
    assert.equal(await page.isHidden('#dialog'), true);
    assert.deepEqual(errors, []);
    await context.close();
  });
});

describe('One step', () => {
  test('from idle it continues the trained model; a step that ends the fit shows the trained model', async () => {
    const { page, context, errors } = await trainedPage();
    const before = { eval: await evaluate(page), info: await modelInfo(page) };
    await page.click('#btn-step');
    await page.waitForFunction(() => window.nnlab.state.train === 'paused' && window.nnlab.progress);
    const paused = await evaluate(page);
    assert.ok(paused.accuracy > before.eval.accuracy - 0.05, `one step kept the training: ${paused.accuracy}`);
    assert.match(await consoleText(page), /Epoch 2\/2/);
    await page.click('#btn-stop');
    await waitIdle(page);
    assert.equal((await modelInfo(page)).step, before.info.step + 1);

    // One batch per epoch and one epoch: the step ends the fit at once.
    await setField(page, '#trainLimit', 32);
    await page.click('#btn-step');
    await page.waitForFunction((s) => window.nnlab.state.train === 'idle' && window.nnlab.state.model.step === s,
      before.info.step + 2);
    await waitIdle(page);
    const w = await worker(page);
    assert.deepEqual(await modelInfo(page), w.info, 'the page shows a stale model');
    assert.equal(w.info.historyEpochs, 2);
    const lab = await page.evaluate(() => window.nnlab.lab);
    assert.equal(lab.epochs, 2);
    assert.equal(lab.sourceText, 'your model, epoch 2');
    assert.deepEqual(errors, []);
    await context.close();
  });
});

describe('what the page shows', () => {
  test('the pretrained model predicts test images at first load', async () => {
    const { page, context, errors } = await openApp(browser, server.url);
    await page.waitForSelector('#digits .digit');
    assert.equal(await page.locator('#digits .digit').count(), 24);
    assert.equal(await page.locator('#digits .hint').count(), 0);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('a data-file error goes once the user does something else', async () => {
    const { page, context, errors } = await openApp(browser, server.url);
    const files = toyFiles();
    files['train-images-idx3-ubyte'] = files['train-images-idx3-ubyte'].subarray(0, 100);
    await page.setInputFiles('#dataset-files', writeFiles(fs.mkdtempSync(path.join(os.tmpdir(), 'nnlab-err-')), files));
    await page.waitForSelector('#dataset-error:not([hidden])');
    await setField(page, '#trainLimit', 2000);
    await setField(page, '#epochs', 1);
    await train(page);
    assert.equal(await page.isHidden('#dataset-error'), true);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('a divergence is said once, in 简体中文', async () => {
    const { page, context, errors } = await openApp(browser, server.url, { lang: 'zh' });
    await divergingNet(page);
    await setField(page, '#trainLimit', 2000);
    assert.equal((await train(page)).status, 'diverged');
    assert.equal(await page.textContent('#train-error'),
      '训练发散了。 第 1 轮中损失变成了 NaN 或无穷大：模型已回到该轮开始时的权重。 学习率 10 可能太高了：把它调低（例如 1）再训练。');
    assert.deepEqual(errors, []);
    await context.close();
  });
});
