// robustness_data.test.mjs — bringing your own data to the page: four IDX
// files of another image size and class count (made here, 12×12 with 3
// classes), picked or dropped, raw or .gz; the model builder, summary and
// Keras code follow the data, the model trains on it, and MNIST comes back.
//
// Run: node --test tests/browser/robustness_data.test.mjs   (after scripts/build_web.sh)

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';

import { browser, openApp, server, useSiteAndBrowser, waitIdle } from './helpers.mjs';
import { toyFiles, writeFiles } from './idx_fixtures.mjs';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nnlab-data-'));

useSiteAndBrowser();
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

// Drop files on an element as a user would (a DragEvent carrying Files).
async function dropFiles(page, selector, files) {
  const payload = Object.entries(files).map(([name, buf]) => ({ name, b64: buf.toString('base64') }));
  await page.evaluate(([sel, items]) => {
    const dt = new DataTransfer();
    for (const { name, b64 } of items) {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], name));
    }
    const target = document.querySelector(sel);
    target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, [selector, payload]);
}

describe('your own IDX data', () => {
  test('12×12 images in 3 classes, picked (.gz and raw mixed): the builder adapts and the model learns', async () => {
    const { page, context, errors } = await openApp(browser, server.url);
    // A model file made for MNIST (784 inputs), for later.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#btn-save')]);
    const mnistModel = path.join(tmp, 'mnist.nnl');
    fs.copyFileSync(await download.path(), mnistModel);

    const gz = toyFiles({ gz: true });
    const raw = toyFiles();
    // Two gzipped, two raw; one gzipped file renamed without .gz (gzip is told by its magic).
    const files = {
      'train-images-idx3-ubyte.gz': gz['train-images-idx3-ubyte.gz'],
      'train-labels-idx1-ubyte': raw['train-labels-idx1-ubyte'],
      't10k-images-idx3-ubyte': gz['t10k-images-idx3-ubyte.gz'],
      't10k-labels-idx1-ubyte': raw['t10k-labels-idx1-ubyte'],
    };
    await page.setInputFiles('#dataset-files', writeFiles(path.join(tmp, 'mixed'), files));
    await page.waitForFunction(() => window.nnlab.data.nTrain === 300);

    assert.deepEqual(await page.evaluate(() => window.nnlab.data),
      {
        name: null, builtin: false, rows: 12, cols: 12, classes: 3, nTrain: 300, nTest: 60,
        files: {
          trainImages: 'train-images-idx3-ubyte.gz', trainLabels: 'train-labels-idx1-ubyte',
          testImages: 't10k-images-idx3-ubyte', testLabels: 't10k-labels-idx1-ubyte',
        },
      });
    assert.equal((await page.textContent('#data-counts')).trim(), '300 / 60');
    assert.match(await page.textContent('#data-text'), /12×12 grey images in 3 classes/);
    assert.match(await page.textContent('#data-pill'), /Your data 300 \/ 60/);
    // The builder: Input(144), last Dense 3 units; "all" training samples = 300.
    assert.match(await page.textContent('#layers .layer.input'), /shape=\(144,\) · the 12×12×1 images, flattened/);
    assert.equal(await page.inputValue('#layers [data-index="1"] [name="units"]'), '3');
    assert.equal(await page.inputValue('#trainLimit'), '300');
    assert.match(await page.textContent('label:has(input[value="test"])'), /test set \(60 images\)/);
    // The core built 144 → 100 → 3: 14,500 + 303 parameters.
    await page.waitForFunction(() => document.getElementById('summary').textContent.includes('14,803'));
    assert.match(await page.textContent('#summary'), /\(None, 3\)/);
    const code = await page.textContent('#code');
    assert.match(code, /keras\.Input\(shape=\(144,\)\)/);
    assert.match(code, /to_categorical\(y_train, 3\)/);
    assert.match(code, /load_idx\("train-images-idx3-ubyte\.gz"\)/);
    assert.doesNotMatch(code, /mnist\.load_data/);

    // Train: the toy problem is learnt within a few epochs.
    await page.fill('#epochs', '4');
    await page.click('#btn-start');
    await page.waitForFunction(() => window.nnlab.runs.length === 1);
    await waitIdle(page);
    const run = (await page.evaluate(() => window.nnlab.runs))[0];
    assert.equal(run.status, 'done');
    assert.equal(run.history.valAccuracy.length, 4);
    assert.ok(run.history.valAccuracy[3] >= 0.95, `val_accuracy ${run.history.valAccuracy}`);
    assert.match(await page.textContent('#runs .run-desc'), /^144 → 100 relu → 3 softmax/);
    // Predictions show the test images at their own size.
    await page.waitForFunction(() => document.querySelectorAll('#digits canvas').length === 24);
    assert.deepEqual(await page.evaluate(() => {
      const c = document.querySelector('#digits canvas');
      return [c.width, c.height];
    }), [12, 12]);

    // The MNIST model file does not fit this data: refused, the trained model stays.
    const probe = () => page.evaluate(() => window.nnlab.debug.predict(0, 5).then((r) => Array.from(r.probs)));
    const before = await probe();
    await page.setInputFiles('#file-load', mnistModel);
    await page.click('#dialog-replace'); // the trained model was not downloaded: asked first
    await page.waitForFunction(() => !document.getElementById('train-error').hidden);
    assert.match(await page.textContent('#train-error'),
      /mnist\.nnl: the model takes 784 values per sample but the loaded images have 144; load matching data first/);
    assert.deepEqual(await probe(), before);
    assert.match(await page.textContent('#summary'), /14,803/);

    // Back to MNIST: 784 inputs and 10 classes again; the run stays in the list.
    await page.click('#dataset-mnist');
    await page.waitForFunction(() => window.nnlab.data.builtin && window.nnlab.state.dataReady);
    await page.waitForFunction(() => document.getElementById('summary').textContent.includes('79,510'));
    assert.equal((await page.textContent('#data-counts')).trim(), '60000 / 10000');
    assert.equal(await page.inputValue('#layers [data-index="1"] [name="units"]'), '10');
    assert.equal(await page.inputValue('#trainLimit'), '60000');
    assert.equal((await page.evaluate(() => window.nnlab.runs)).length, 1);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('dropping the four files on the data card loads them too (28×28, 5 classes)', async () => {
    const { page, context, errors } = await openApp(browser, server.url);
    await dropFiles(page, '#card-data', toyFiles({ rows: 28, cols: 28, classes: 5, nTrain: 250, nTest: 50, gz: true }));
    await page.waitForFunction(() => window.nnlab.data.nTrain === 250);
    assert.equal((await page.textContent('#data-counts')).trim(), '250 / 50');
    assert.equal(await page.evaluate(() => window.nnlab.data.classes), 5);
    await page.waitForFunction(() => /\(None, 5\)/.test(document.getElementById('summary').textContent));
    assert.match(await page.textContent('#code'), /to_categorical\(y_train, 5\)/);
    // Sparse labels, one epoch: it trains on the dropped data.
    await page.selectOption('#loss', 'sparse_categorical_crossentropy');
    await page.fill('#epochs', '2');
    await page.click('#btn-start');
    await page.waitForFunction(() => window.nnlab.runs.length === 1);
    await waitIdle(page);
    const run = (await page.evaluate(() => window.nnlab.runs))[0];
    assert.equal(run.status, 'done');
    assert.ok(run.history.valAccuracy[1] > 0.6, `val_accuracy ${run.history.valAccuracy}`);
    assert.deepEqual(errors, []);
    await context.close();
  });
});
