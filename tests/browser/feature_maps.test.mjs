// feature_maps.test.mjs — "see inside" a convnet in headless Chromium, as a
// student does it: load a CNN model file, look at the feature maps of a test
// image and check them against a convolution computed here from the file's
// own weights; draw a 7 and see every layer's tiles (right count, right
// shapes) change with the drawing, come back exactly on undo, follow a test
// image clicked in the explorer; see the first Conv2D layer's filters and
// see them and the maps move after one training step, and follow a fit
// about once a second. A Dense model gets a
// sentence instead, in English and Chinese, and keeps its first-layer weights.
//
// Run: node --test tests/browser/feature_maps.test.mjs   (after scripts/build_web.sh and the native CLI)

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';

import { readModelFile } from '../../web/js/model_file.js';
import { cannotRun, testImage, useCnnSite } from './cnn_site.mjs';
import { drawStrokes, openApp, setField, waitIdle } from './helpers.mjs';

const why = cannotRun();

// The tiles of the TF.js tutorial CNN, input first: [name, h, w, c].
const LAYERS = [['input', 28, 28, 1], ['conv2d', 24, 24, 8], ['max_pooling2d', 12, 12, 8], ['conv2d_1', 8, 8, 16],
  ['max_pooling2d_1', 4, 4, 16]];

const SEVEN = [[[8, 6], [20, 6], [13, 22]]];
const BAR = [[[9, 14], [19, 14]]];

// In the page: every feature-map row as the student sees it — name, shape and
// caption, the canvas's size and layout, and the grey level of each value
// (channel-major: [ch][y][x]) read back from the canvas's pixels.
function readMaps() {
  return [...document.querySelectorAll('#maps .map-layer:not([hidden])')].map((fig) => {
    const canvas = fig.querySelector('canvas');
    const [h, w, c] = fig.dataset.shape.split('x').map(Number);
    const { cols, scale, gap } = Object.fromEntries(Object.entries(canvas.dataset).map(([k, v]) => [k, Number(v)]));
    const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    const grey = [];
    for (let ch = 0; ch < c; ch++) {
      const x0 = (ch % cols) * (w * scale + gap);
      const y0 = Math.floor(ch / cols) * (h * scale + gap);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) grey.push(px[4 * ((y0 + y * scale) * canvas.width + x0 + x * scale)]);
      }
    }
    return {
      name: fig.dataset.name, h, w, c, caption: fig.querySelector('figcaption').textContent,
      width: canvas.width, height: canvas.height, cols, scale, gap, grey,
    };
  });
}

// The filters canvas: tile count, layout and each value's RGB ([tile][ky][kx]).
function readFilters() {
  const canvas = document.getElementById('filters-canvas');
  const d = Object.fromEntries(Object.entries(canvas.dataset).map(([k, v]) => [k, k === 'shape' ? v : Number(v)]));
  const [kh, kw] = d.shape.split('x').map(Number);
  const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  const rgb = [];
  for (let t = 0; t < d.tiles; t++) {
    const x0 = (t % d.cols) * (kw * d.scale + d.gap);
    const y0 = Math.floor(t / d.cols) * (kh * d.scale + d.gap);
    for (let i = 0; i < kh * kw; i++) {
      const o = 4 * ((y0 + Math.floor(i / kw) * d.scale) * canvas.width + x0 + (i % kw) * d.scale);
      rgb.push([px[o], px[o + 1], px[o + 2]]);
    }
  }
  return { ...d, width: canvas.width, height: canvas.height, rgb, info: document.getElementById('filters-info').textContent };
}

const inside = (page) => page.evaluate(() => window.nnlab.lab.inside);

// Wait until the maps were drawn again after `n` refreshes, nothing is
// pending, and they are of `shown` ({ kind, index }) when given.
async function settled(page, n, shown = null) {
  await page.waitForFunction(({ k, want }) => {
    const s = window.nnlab.lab.inside;
    const of = !want || (s.shown && s.shown.kind === want.kind && (want.index === undefined || s.shown.index === want.index));
    return s.counts.maps > k && !s.busy && !window.nnlab.lab.padBusy && of;
  }, { k: n, want: shown }, { timeout: 90000 });
}

// Poll `read` until `done(value)` holds (what the page draws, read back).
async function until(read, done, timeout = 60000) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > end) throw new Error('timed out waiting for the page to redraw');
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function loadCnn(page, file) {
  const n = (await inside(page)).counts.filters;
  await page.setInputFiles('#file-load', file);
  await page.waitForFunction((k) => {
    const s = window.nnlab.lab;
    return s.source === 'file' && s.inside.counts.filters > k && s.inside.hasConv && !s.inside.busy;
  }, n, { timeout: 90000 });
}

// Conv2D (valid, stride 1) + relu of a 28×28 image with the file's kernel, in double: [f][y][x].
function conv(x, { kernel, bias }, kh, kw, f) {
  const oh = 28 - kh + 1;
  const ow = 28 - kw + 1;
  const out = [];
  for (let j = 0; j < f; j++) {
    for (let y = 0; y < oh; y++) {
      for (let xx = 0; xx < ow; xx++) {
        let z = bias[j];
        for (let ky = 0; ky < kh; ky++) {
          for (let kx = 0; kx < kw; kx++) z += x[(y + ky) * 28 + xx + kx] * kernel[(ky * kw + kx) * f + j];
        }
        out.push(Math.max(0, z));
      }
    }
  }
  return out;
}

const greyOf = (v, lo, hi) => ((v - lo) * 255) / (hi - lo);

describe('feature maps and filters', { skip: why || false }, () => {
  const site = useCnnSite();

  test('a Dense model says feature maps and filters need a conv layer, in both languages', async () => {
    const { page, context, errors } = await openApp(site.browser, site.server.url);
    await page.waitForFunction(() => window.nnlab.lab.source === 'pretrained' && window.nnlab.lab.inside.hasConv === false
      && !window.nnlab.lab.inside.busy);
    assert.match(await page.textContent('#maps-note'), /Feature maps need a convolutional layer: this model has only Dense layers/);
    assert.match(await page.textContent('#filters-note'), /Filters belong to Conv2D layers, and this model has none/);
    assert.equal(await page.isVisible('#maps'), false);
    assert.equal(await page.isVisible('#filters'), false);
    assert.equal(await page.isVisible('#card-weights'), true, 'the MLP keeps its first-layer weights');
    // Drawing changes nothing of that.
    const n = (await inside(page)).counts.maps;
    await drawStrokes(page, SEVEN);
    await settled(page, n, { kind: 'pad' });
    assert.equal(await page.locator('#maps .map-layer:visible').count(), 0);
    await page.click('[data-lang="zh"]');
    assert.match(await page.textContent('#maps-note'), /特征图需要卷积层：这个模型只有 Dense 层/);
    assert.match(await page.textContent('#filters-note'), /卷积核属于 Conv2D 层/);
    assert.equal(await page.textContent('#card-maps h2'), '特征图');
    await page.click('[data-lang="en"]');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('a CNN file: maps of a test image equal the convolution of its weights; they follow the pad', async () => {
    const { page, context, errors } = await openApp(site.browser, site.server.url);
    await page.waitForFunction(() => window.nnlab.lab.source === 'pretrained');
    await loadCnn(page, site.cnnFile);
    await settled(page, 0, { kind: 'test', index: 0 });
    assert.equal(await page.textContent('#maps-source'), 'of test image 0 (label 7)');
    assert.equal(await page.isVisible('#card-weights'), false, 'for a CNN the filters are the first-layer weights');

    // Every image-shaped layer, input first, with Keras's names and shapes.
    let maps = await page.evaluate(readMaps);
    assert.deepEqual(maps.map((m) => [m.name, m.h, m.w, m.c]), LAYERS);
    for (const m of maps) {
      assert.ok(m.caption.startsWith(`${m.name} (None, ${m.h}, ${m.w}, ${m.c})`), m.caption);
      const rows = Math.ceil(m.c / m.cols);
      assert.equal(m.width, m.cols * (m.w * m.scale + m.gap) - m.gap, `${m.name}: width for ${m.c} tiles`);
      assert.equal(m.height, rows * (m.h * m.scale + m.gap) - m.gap, `${m.name}: height for ${m.c} tiles`);
    }
    // The input is test image 0; conv2d is relu(x * kernel + bias) of the model file's weights.
    const { x } = testImage(0);
    assert.ok(maps[0].grey.every((g, i) => Math.abs(g - x[i] * 255) <= 1), 'the input tile is test image 0');
    const file = readModelFile(fs.readFileSync(site.cnnFile));
    const want = conv(x, file.layers[0], 5, 5, 8);
    const lo = Math.min(...want);
    const hi = Math.max(...want);
    const worst = Math.max(...maps[1].grey.map((g, i) => Math.abs(g - greyOf(want[i], lo, hi))));
    assert.ok(worst <= 1, `conv2d tiles differ from the convolution by ${worst} grey levels`);
    assert.match(maps[1].caption, new RegExp(`${lo.toFixed(2)} … ${hi.toFixed(2)}`));
    // max_pooling2d: the largest of each 2×2 window of conv2d.
    const pooled = [];
    for (let j = 0; j < 8; j++) {
      for (let y = 0; y < 12; y++) {
        for (let xx = 0; xx < 12; xx++) {
          const at = (dy, dx) => want[j * 576 + (2 * y + dy) * 24 + 2 * xx + dx];
          pooled.push(Math.max(at(0, 0), at(0, 1), at(1, 0), at(1, 1)));
        }
      }
    }
    const plo = Math.min(...pooled);
    const phi = Math.max(...pooled);
    assert.ok(maps[2].grey.every((g, i) => Math.abs(g - greyOf(pooled[i], plo, phi)) <= 1), 'max_pooling2d tiles');

    // Draw a 7: the maps are now of the pad, and every layer's tiles changed.
    let n = (await inside(page)).counts.maps;
    await drawStrokes(page, SEVEN);
    await settled(page, n, { kind: 'pad' });
    assert.equal(await page.textContent('#maps-source'), 'of the digit on the pad');
    const seven = await page.evaluate(readMaps);
    assert.deepEqual(seven.map((m) => [m.name, m.h, m.w, m.c]), LAYERS);
    seven.forEach((m, i) => assert.notDeepEqual(m.grey, maps[i].grey, `${m.name} changed from the test image`));
    // The network's input tile is what the pad feeds it.
    const padInput = (await page.evaluate(() => window.nnlab.lab.padInput));
    assert.ok(seven[0].grey.every((g, i) => Math.abs(g - padInput[i] * 255) <= 1), 'the input tile is the pad\'s 28×28');

    // A second stroke changes them again; undo brings back exactly the 7's.
    n = (await inside(page)).counts.maps;
    await drawStrokes(page, BAR);
    await settled(page, n);
    const crossed = await page.evaluate(readMaps);
    crossed.forEach((m, i) => assert.notDeepEqual(m.grey, seven[i].grey, `${m.name} follows the second stroke`));
    n = (await inside(page)).counts.maps;
    await page.click('#pad-undo');
    await settled(page, n);
    assert.deepEqual(await page.evaluate(readMaps), seven);

    // A test image clicked in the explorer; then back to the drawing.
    await page.waitForSelector('#explore-grid [data-index="3"]');
    n = (await inside(page)).counts.maps;
    await page.click('#explore-grid [data-index="3"]');
    await settled(page, n, { kind: 'test', index: 3 });
    assert.equal(await page.textContent('#maps-source'), `of test image 3 (label ${testImage(3).label})`);
    const third = await page.evaluate(readMaps);
    assert.ok(third[0].grey.every((g, i) => Math.abs(g - testImage(3).x[i] * 255) <= 1), 'the input tile is test image 3');
    n = (await inside(page)).counts.maps;
    await page.click('#maps-use-pad');
    await settled(page, n, { kind: 'pad' });
    assert.deepEqual(await page.evaluate(readMaps), seven);
    assert.equal(await page.isVisible('#maps-use-pad'), false);

    // Chinese captions.
    await page.click('[data-lang="zh"]');
    assert.equal(await page.textContent('#maps-source'), '画板上的数字');
    assert.equal(await page.textContent('#maps .map-layer .map-name'), '输入');
    await page.click('[data-lang="en"]');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('filters: one tile per kernel of the first Conv2D, its signs; they and the maps follow training', async () => {
    const { page, context, errors } = await openApp(site.browser, site.server.url);
    await page.waitForFunction(() => window.nnlab.lab.source === 'pretrained');
    await loadCnn(page, site.cnnFile);
    const f = await page.evaluate(readFilters);
    const file = readModelFile(fs.readFileSync(site.cnnFile));
    const { kernel } = file.layers[0];
    assert.equal(f.tiles, 8, 'conv2d has 8 filters');
    assert.equal(f.shape, '5x5x1x8');
    assert.equal(f.info, 'conv2d: 8 kernels of 5×5');
    assert.equal(f.width, f.cols * (5 * f.scale + f.gap) - f.gap);
    assert.equal(f.height, Math.ceil(8 / f.cols) * (5 * f.scale + f.gap) - f.gap);
    // Red where a weight is positive, blue where negative; the largest |w| in full colour.
    const max = Math.max(...kernel.map(Math.abs));
    let signs = 0;
    for (let t = 0; t < 8; t++) {
      for (let i = 0; i < 25; i++) {
        const w = kernel[i * 8 + t];
        const [r, , b] = f.rgb[t * 25 + i];
        if (Math.abs(w) < 0.1 * max) continue;
        assert.ok(w > 0 ? r > b : b > r, `filter ${t} value ${i}: weight ${w} drawn as rgb ${f.rgb[t * 25 + i]}`);
        signs++;
        if (Math.abs(w) === max) assert.ok(Math.min(r, b) < 110, `the largest weight is saturated: ${f.rgb[t * 25 + i]}`);
      }
    }
    assert.ok(signs > 100, `${signs} values checked`);
    assert.equal(await page.textContent('#filters-hi'), `+${max.toPrecision(2)}`);

    // One training step (the loaded model, trained on): the filters and the maps move.
    await drawStrokes(page, SEVEN);
    await settled(page, 0, { kind: 'pad' });
    const mapsBefore = await page.evaluate(readMaps);
    await page.click('#btn-step');
    await page.waitForFunction(() => window.nnlab.progress && window.nnlab.progress.totalSteps === 1, null, { timeout: 90000 });
    const stepped = await until(() => page.evaluate(readFilters), (v) => JSON.stringify(v.rgb) !== JSON.stringify(f.rgb));
    assert.equal(stepped.tiles, 8);
    const mapsAfter = await until(() => page.evaluate(readMaps), (m) => JSON.stringify(m[1].grey) !== JSON.stringify(mapsBefore[1].grey));
    assert.deepEqual(mapsAfter[0].grey, mapsBefore[0].grey, 'the same input');
    assert.notDeepEqual(mapsAfter[1].grey, mapsBefore[1].grey, 'conv2d maps follow the new weights');
    await page.click('#btn-stop');
    await waitIdle(page);

    // While a fit runs, the maps and the filters follow it about once a second, not at every batch.
    await setField(page, '#trainLimit', 60000);
    await setField(page, '#epochs', 1);
    await page.click('#btn-continue');
    await page.waitForFunction(() => window.nnlab.state.train === 'running' && (window.nnlab.progress?.totalSteps ?? 0) > 5);
    const s1 = await inside(page);
    const t1 = Date.now();
    await page.waitForTimeout(5000);
    const s2 = await inside(page);
    const seconds = (Date.now() - t1) / 1000;
    const steps = await page.evaluate(() => window.nnlab.progress.totalSteps);
    await page.click('#btn-stop');
    console.log(`while training: ${s2.counts.maps - s1.counts.maps} maps and ${s2.counts.filters - s1.counts.filters} filters `
      + `refreshes in ${seconds.toFixed(1)} s (${steps} steps)`);
    for (const k of ['maps', 'filters']) {
      const n = s2.counts[k] - s1.counts[k];
      // At least twice (the worker may first spend a second or two predicting
      // the whole test set for the explorer), at most once a second, whatever the steps.
      assert.ok(n >= 2 && n <= seconds + 2, `${n} ${k} refreshes in ${seconds.toFixed(1)} s of training (${steps} steps)`);
    }
    assert.deepEqual(errors, []);
    await context.close();
  });
});
