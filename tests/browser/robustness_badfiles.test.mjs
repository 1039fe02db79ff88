// robustness_badfiles.test.mjs — bad files in the page: each refused data set
// or model file gets a message naming the file and the fault, and afterwards
// the dataset, the model (same predictions, same test-set metrics), the runs
// and the charts are exactly as before.
//
// Run: node --test tests/browser/robustness_badfiles.test.mjs   (after scripts/build_web.sh)

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';

import { browser, openApp, server, setField, useSiteAndBrowser, waitIdle } from './helpers.mjs';
import { gzip, idxHeader, idxImages, idxLabels, toyFiles, writeFiles } from './idx_fixtures.mjs';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nnlab-bad-'));

useSiteAndBrowser();
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

// Everything a bad file must not change.
function snapshot(page) {
  return page.evaluate(async () => ({
    data: window.nnlab.data,
    state: window.nnlab.state,
    counts: document.getElementById('data-counts').textContent,
    units: Array.from(document.querySelectorAll('#layers [name="units"]'), (e) => e.value),
    runs: window.nnlab.runs,
    points: [window.nnlab.points('loss'), window.nnlab.points('accuracy')],
    summary: document.getElementById('summary').textContent,
    probs: Array.from((await window.nnlab.debug.predict(0, 8)).probs),
    evaluate: await window.nnlab.debug.evaluate(),
  }));
}

const good = toyFiles();
const TI = 'train-images-idx3-ubyte';
const TL = 'train-labels-idx1-ubyte';
const XI = 't10k-images-idx3-ubyte';
const XL = 't10k-labels-idx1-ubyte';

// The good toy set with some files replaced (or removed with null).
function withFiles(changes) {
  const files = { ...good, ...changes };
  for (const [k, v] of Object.entries(files)) if (v === null) delete files[k];
  return files;
}

const testLabels = Buffer.from(good[XL]);
testLabels[8 + 5] = 7; // sample 5 of the test labels: class 7 of 3

const damagedGz = gzip(good[TI]);
damagedGz.fill(0x55, 40, 200); // inside the deflate stream

const DATA_CASES = [
  ['truncated', withFiles({ [TI]: good[TI].subarray(0, 20000) }),
    new RegExp(`${TI}: the file is truncated: its header describes 43216 bytes but it has only 20000`)],
  ['wrong magic', withFiles({ [XL]: Buffer.concat([Buffer.from('PK\x03\x04'), good[XL].subarray(4)]) }),
    new RegExp(`${XL}: not an IDX file \\(it starts with 0x504b0304`)],
  ['a damaged .gz', withFiles({ [TI]: null, [`${TI}.gz`]: damagedGz }),
    new RegExp(`${TI}\\.gz: the file looks gzipped but could not be decompressed`)],
  ['labels cut short', withFiles({ [XL]: good[XL].subarray(0, 8 + 59) }),
    new RegExp(`${XL}: the file is truncated: its header describes 68 bytes but it has only 67`)],
  ['image/label count mismatch', withFiles({ [XL]: idxLabels(Buffer.from(good[XL].subarray(8, 8 + 59))) }),
    new RegExp(`${XI} has 60 images but ${XL} has 59 labels`)],
  ['label out of range', withFiles({ [XL]: testLabels }),
    new RegExp(`${XL}: label 7 \\(sample 5\\) is out of range: the training labels \\(${TL}\\) have classes 0 to 2`)],
  ['zero images', withFiles({ [TI]: idxImages(0, 12, 12, []) }), new RegExp(`${TI}: the file contains zero images`)],
  ['dimension overflow', withFiles({ [TI]: Buffer.concat([idxHeader([0xffffffff, 0xffff, 0xffff]), Buffer.alloc(64)]) }),
    new RegExp(`${TI}: the header declares 4294967295 × 65535 × 65535 values, more than 2147483647: the header is corrupt`)],
  ['floats instead of bytes', withFiles({ [TI]: Buffer.concat([idxHeader([300, 12, 12], 0x0d), good[TI].subarray(16)]) }),
    new RegExp(`${TI}: magic 0x00000d03: the elements are of type 0x0d`)],
  ['test images of another size', withFiles({ [XI]: idxImages(60, 10, 10, new Uint8Array(6000)) }),
    new RegExp(`${XI}: the images are 10×10 but the training images \\(${TI}\\) are 12×12`)],
  ['three files', withFiles({ [XL]: null }), /Choose four IDX files at once.*\(3 given\)/],
  ['two image files, no labels', withFiles({ [TL]: good[TI], [XL]: good[XI] }),
    new RegExp(`Expected two image files and two label files; images: .*; labels: —`)],
];

describe('bad files change nothing', () => {
  test('data files: each refused with the file and the fault named; data, model, runs and charts unchanged', async () => {
    const { page, context, errors } = await openApp(browser, server.url);
    await setField(page, '#trainLimit', 2000);
    await setField(page, '#epochs', 1);
    await page.click('#btn-start');
    await page.waitForFunction(() => window.nnlab.runs.length === 1);
    await waitIdle(page);
    await page.waitForFunction(() => window.nnlab.points('loss') >= 3);
    const base = await snapshot(page);
    assert.equal(base.runs[0].status, 'done');

    let asked = false;
    for (const [what, files, message] of DATA_CASES) {
      await page.setInputFiles('#dataset-files', writeFiles(path.join(tmp, what.replace(/\W+/g, '_')), files));
      // Other data needs a new model: the page asks once whether the trained one may go.
      if (!asked) await page.click('#dialog-replace');
      asked = true;
      await page.waitForFunction(() => !document.getElementById('dataset-error').hidden, null, { timeout: 10000 });
      const text = await page.textContent('#dataset-error');
      assert.match(text, message, `${what}: ${text}`);
      assert.match(text, /Nothing was changed/);
      assert.deepEqual(await snapshot(page), base, `${what} changed something`);
      await page.evaluate(() => { document.getElementById('dataset-error').hidden = true; });
    }
    // The messages follow the language switch.
    const zero = DATA_CASES.find(([what]) => what === 'zero images')[1];
    await page.setInputFiles('#dataset-files', writeFiles(path.join(tmp, 'zh'), zero));
    await page.waitForFunction(() => !document.getElementById('dataset-error').hidden);
    await page.click('[data-lang="zh"]');
    assert.match(await page.textContent('#dataset-error'), new RegExp(`${TI}：文件中没有任何图像`));
    await page.click('[data-lang="en"]');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('model files: another version, a bad checksum, a renamed random file, truncated, empty', async () => {
    const { page, context, errors } = await openApp(browser, server.url);
    await setField(page, '#trainLimit', 2000);
    await setField(page, '#epochs', 1);
    await page.click('#btn-start');
    await page.waitForFunction(() => window.nnlab.runs.length === 1);
    await waitIdle(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#btn-save')]);
    const saved = fs.readFileSync(await download.path());
    // A different model in the page, so that a wrongly accepted file would show.
    await page.click('[data-preset="logreg"]');
    await page.waitForFunction(() => document.getElementById('summary').textContent.includes('7,850'));
    const base = await snapshot(page);

    const newer = Buffer.from(saved);
    newer.writeUInt32LE(3, 8); // the version after the 8-byte magic (this nnlab writes 2)
    const flipped = Buffer.from(saved);
    flipped[saved.length - 100] ^= 0x40; // a byte of the weights or history
    let seed = 7;
    const random = Buffer.from(Array.from({ length: 4096 }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24));
    const cases = [
      ['newer.nnl', newer, /newer\.nnl: made by a newer nnlab \(version 3\); this one reads version 2/],
      ['damaged.nnl', flipped, /damaged\.nnl: checksum mismatch: the file is damaged/],
      ['photo.nnl', random, /photo\.nnl: not an nnlab model file/],
      ['half.nnl', saved.subarray(0, saved.length >> 1), /half\.nnl: the file is truncated/],
      ['empty.nnl', Buffer.alloc(0), /empty\.nnl: the file is empty/],
    ];
    for (const [name, bytes, message] of cases) {
      const [file] = writeFiles(path.join(tmp, 'models'), { [name]: bytes });
      await page.setInputFiles('#file-load', file);
      await page.waitForFunction(() => !document.getElementById('train-error').hidden, null, { timeout: 10000 });
      const text = await page.textContent('#train-error');
      assert.match(text, message, `${name}: ${text}`);
      assert.deepEqual(await snapshot(page), base, `${name} changed something`);
      await page.evaluate(() => { document.getElementById('train-error').hidden = true; });
    }
    // The good file still loads (the refusals did not break loading).
    await page.setInputFiles('#file-load', writeFiles(path.join(tmp, 'models'), { 'good.nnl': saved })[0]);
    await page.waitForFunction(() => document.getElementById('summary').textContent.includes('79,510'));
    assert.deepEqual(errors, []);
    await context.close();
  });
});
