// cnn_builder.test.mjs — convnets in the builder, as a student builds them
// (issue 11, "Build"): each CNN preset shows every layer's output shape and
// parameters as the core computes them, the summary (34,826 parameters for
// Keras's mnist_convnet) and the Keras code; a shape that does not flow
// (Flatten removed, a pool or a kernel larger than its input, pooling until
// the image is 1×1) is marked on that layer with the core's sentence in
// English and a Chinese one in 简体中文, Start waits, and the fix brings it back.
//
// Run: node --test tests/browser/cnn_builder.test.mjs   (after nn_build_site)
// NNLAB_SHOTS=DIR also saves screenshots of the builder there.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { browser, openApp, server, useSiteAndBrowser } from './helpers.mjs';
import { shootCards } from './shots.mjs';

useSiteAndBrowser();

const BUILDER = ['#card-model'];
const layerRow = (i) => `#layers [data-index="${i}"]`;
const lineFor = (page, i) => page.textContent(`.field-error[data-error-for="layer-${i}"]`);
const waitStart = (page, on) => page.waitForFunction((x) => !document.getElementById('btn-start').disabled === x, on);
// The output shape of every layer row as shown ("→ (26, 26, 32) · 320 params").
const shapes = (page) => page.$$eval('#layers [data-shape-for]', (els) => els.map((e) => e.textContent.trim()));
const summaryHas = (page, text) => page.waitForFunction((s) => document.getElementById('summary').textContent.includes(s), text);
// Wait until the core answered for the layers shown (no row says "…").
const shapesShown = (page) => page.waitForFunction(() => [...document.querySelectorAll('#layers [data-shape-for]')]
  .every((e) => e.textContent.trim() !== '…'));

const SHAPES = {
  cnnKeras: ['→ (26, 26, 32) · 320 params', '→ (13, 13, 32)', '→ (11, 11, 64) · 18,496 params', '→ (5, 5, 64)',
    '→ (1600,)', '→ (1600,)', '→ (10,) · 16,010 params'],
  cnnTfjs: ['→ (24, 24, 8) · 208 params', '→ (12, 12, 8)', '→ (8, 8, 16) · 3,216 params', '→ (4, 4, 16)',
    '→ (256,)', '→ (10,) · 2,570 params'],
};

describe('CNN presets', () => {
  test('each preset shows its shapes, its summary, its batch size and the Keras code', async () => {
    const { page, context, errors } = await openApp(browser, server.url);
    await page.click('[data-preset="cnnKeras"]');
    await summaryHas(page, 'Total params: 34,826');
    await shapesShown(page);
    assert.deepEqual(await shapes(page), SHAPES.cnnKeras);
    assert.equal(await page.textContent('#input-shape'), 'shape=(28, 28, 1)');
    assert.equal(await page.inputValue('#batchSize'), '128');
    const code = await page.textContent('#code');
    assert.match(code, /keras\.Input\(shape=\(28, 28, 1\)\)/);
    assert.match(code, /x_train = x_train\.reshape\(-1, 28, 28, 1\)/);
    assert.match(code, /layers\.Conv2D\(64, kernel_size=\(3, 3\), activation="relu"\),/);
    assert.match(code, /epochs=5, batch_size=128/);
    // The layer text the core writes back for the model it built is the page's.
    const built = await page.evaluate(() => window.nnlab.debug.describe());
    assert.equal(built.layers, 'conv2d:32:3:relu,maxpool:2,conv2d:64:3:relu,maxpool:2,flatten,dropout:0.5,10:softmax');
    assert.equal(built.info.params, 34826);
    assert.equal(await page.isEnabled('#btn-start'), true);
    await shootCards(page, 'cnn-keras-en', BUILDER);

    await page.click('[data-preset="cnnTfjs"]');
    await summaryHas(page, 'Total params: 5,994');
    await shapesShown(page);
    assert.deepEqual(await shapes(page), SHAPES.cnnTfjs);
    assert.equal(await page.inputValue('#batchSize'), '32');
    assert.match(await page.textContent('#summary'), /conv2d_1 \(Conv2D\)\s+│ \(None, 8, 8, 16\)\s+│\s+3,216/);

    // An MLP reads the same images flat, and says so.
    await page.click('[data-preset="mlp"]');
    await summaryHas(page, '79,510');
    await shapesShown(page);
    assert.equal(await page.textContent('#input-shape'), 'shape=(784,) · the 28×28×1 images, flattened');
    assert.match(await page.textContent('#code'), /keras\.Input\(shape=\(784,\)\)/);
    assert.deepEqual(errors, []);
    await context.close();
  });
});

// The core's sentence in English; the page's in Chinese.
const TEXT = {
  en: {
    flatten: 'layer 5: Dense needs a flat input, but its input has shape (None, 4, 4, 16): add `flatten` before it (e.g. "flatten,10:softmax")',
    pool: /^layer 4: MaxPooling2D with a 9×9 pool does not fit a 8×8 input with padding "valid"/,
    kernel: /^layer 3: Conv2D with a 13×13 kernel does not fit a 12×12 input with padding "valid"/,
    oneByOne: /^layer 7: MaxPooling2D needs an image input \(height, width, channels\), but its input is flat \(None, 16\)/,
    noFlow: '→ does not flow',
    notBuilt: /^The model in the builder could not be built/,
  },
  zh: {
    flatten: '第 5 层：Dense 需要扁平（一维）的输入，但它的输入形状是 (None, 4, 4, 16)：请在它前面添加 flatten（例如 "flatten,10:softmax"）。',
    pool: /^第 4 层：MaxPooling2D 的 9×9 窗口放不进 8×8 的输入/,
    kernel: /^第 3 层：Conv2D 的 13×13 窗口放不进 12×12 的输入/,
    oneByOne: /^第 7 层：MaxPooling2D 需要图像输入（高、宽、通道），但它的输入是扁平的 \(None, 16\)/,
    noFlow: '→ 形状无法衔接',
    notBuilt: /^模型构建器中的模型无法创建/,
  },
};

describe('shapes that do not flow', () => {
  for (const lang of ['en', 'zh']) {
    test(`${lang}: marked on the layer with the core's refusal, Start waits, the fix brings it back`, async () => {
      const { page, context, errors } = await openApp(browser, server.url);
      await page.click(`[data-lang="${lang}"]`);
      const text = TEXT[lang];
      await page.click('[data-preset="cnnTfjs"]');
      await summaryHas(page, '5,994');
      await waitStart(page, true);
      await shootCards(page, `cnn-tfjs-${lang}`, BUILDER);

      // Flatten removed: the Dense layer gets (4, 4, 16).
      await page.click(`${layerRow(4)} [data-act="remove"]`);
      await page.waitForSelector(`${layerRow(4)}.no-flow`);
      assert.equal(await lineFor(page, 4), text.flatten);
      assert.equal(await page.textContent(`${layerRow(4)} [data-shape-for]`), text.noFlow);
      await waitStart(page, false);
      assert.equal(await page.isEnabled('#btn-step'), false);
      assert.equal(await page.isEnabled('#btn-continue'), false);
      assert.match(await page.textContent('#summary'), text.notBuilt);
      // The earlier layers keep their shapes.
      assert.deepEqual((await shapes(page)).slice(0, 4), SHAPES.cnnTfjs.slice(0, 4).map((s) => (lang === 'en' ? s
        : s.replace(' params', ' 个参数'))));
      await shootCards(page, `cnn-noflatten-${lang}`, BUILDER);
      // The other language follows at once.
      const other = lang === 'en' ? 'zh' : 'en';
      await page.click(`[data-lang="${other}"]`);
      assert.equal(await lineFor(page, 4), TEXT[other].flatten);
      await page.click(`[data-lang="${lang}"]`);
      // As the message says: a Flatten before the Dense layer (the button puts it there).
      await page.click('#add-flatten');
      await page.waitForFunction(() => !document.querySelector('.layer.no-flow'));
      await waitStart(page, true);
      assert.equal(await lineFor(page, 4), '');
      await summaryHas(page, 'flatten (Flatten)');

      // A pool larger than its input (8×8 after the second Conv2D).
      await page.fill(`${layerRow(3)} [name="pool"]`, '9');
      await page.waitForSelector(`${layerRow(3)}.no-flow`);
      assert.match(await lineFor(page, 3), text.pool);
      await waitStart(page, false);
      await page.fill(`${layerRow(3)} [name="pool"]`, '2');
      await waitStart(page, true);

      // A kernel larger than its input (12×12 after the first pool).
      await page.fill(`${layerRow(2)} [name="kernel"]`, '13');
      await page.waitForSelector(`${layerRow(2)}.no-flow`);
      assert.match(await lineFor(page, 2), text.kernel);
      await waitStart(page, false);
      await page.fill(`${layerRow(2)} [name="kernel"]`, '5x5');
      await waitStart(page, true);
      assert.equal(await lineFor(page, 2), '');

      // Pooling until the image is one pixel: 4×4 → 2×2 → 1×1, then one more.
      for (let k = 0; k < 3; k++) await page.click('#add-max_pooling2d');
      await page.waitForSelector(`${layerRow(6)}.no-flow`);
      assert.match(await lineFor(page, 6), text.oneByOne);
      assert.deepEqual((await shapes(page)).slice(4, 6), ['→ (2, 2, 16)', '→ (16,)']);
      await waitStart(page, false);
      await shootCards(page, `cnn-pooled-${lang}`, BUILDER);
      await page.click(`${layerRow(6)} [data-act="remove"]`);
      await waitStart(page, true);
      assert.equal(await page.locator('.layer.no-flow').count(), 0);
      assert.deepEqual(errors, []);
      await context.close();
    });
  }
});
