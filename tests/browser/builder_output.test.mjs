// builder_output.test.mjs — models that cannot fit the data, typed in the
// builder, in English and 简体中文 (issue 9, items 2 and 3): an output layer as
// wide as no class count is refused at its row with what to write instead and
// Start waits; a sparse loss only warns about a wider output; a model without
// a Dense layer is refused; a learning rate far above the usual range warns
// next to its field, and a run that then stays at chance level says so, once.
//
// Run: node --test tests/browser/builder_output.test.mjs   (after nn_build_site)
// NNLAB_SHOTS=DIR also saves screenshots of the builder and the training card there.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { browser, openApp, server, setField, train, useSiteAndBrowser } from './helpers.mjs';
import { shootCards } from './shots.mjs';

useSiteAndBrowser();

const lineFor = (page, target) => page.textContent(`.field-error[data-error-for="${target}"]`);
const warnFor = (page, target) => page.evaluate((t) => {
  const el = document.querySelector(`[data-warn-for="${t}"]`);
  return el ? el.textContent : null;
}, target);
const BUILDER = ['#card-model', '#card-compile']; // in the screenshots
const startEnabled = (page) => page.isEnabled('#btn-start');
const units = (i) => `#layers [data-index="${i}"] [name="units"]`;
const waitStart = (page, on) => page.waitForFunction((x) => !document.getElementById('btn-start').disabled === x, on);

const TEXT = {
  en: {
    wide: 'The last Dense layer has 100 units, but the data has 10 classes: categorical cross-entropy needs exactly one unit per class. Give it 10 units, or add a Dense(10, softmax) layer after it.',
    narrow: /^The last Dense layer has 5 units, but the data has 10 classes: sparse categorical cross-entropy needs at least one unit per class\./,
    wider: /^The last Dense layer has 12 units for 10 classes: sparse categorical cross-entropy accepts that/,
    noDense: /^The model has no Dense layer: it would output its 784 input values unchanged .* Add a Dense\(10, softmax\) layer at the end\.$/,
    lr: 'A learning rate of 10 is far above the usual range for sgd (Keras’s default is 0.01): above 1 training usually diverges or stays at chance level.',
    chance: /^The model is not learning\. After epoch 1 the training accuracy is 0\.\d{4}, no better than guessing one of 10 classes\. The learning rate 10 is probably too high: lower it \(try 1\) and train again\.$/,
  },
  zh: {
    wide: '最后一个 Dense 层有 100 个单元，而数据有 10 个类别：分类交叉熵（categorical cross-entropy）要求每个类别恰好一个单元。请把它改为 10 个单元，或在它后面添加一个 Dense(10, softmax) 层。',
    narrow: /^最后一个 Dense 层有 5 个单元，而数据有 10 个类别：稀疏分类交叉熵/,
    wider: /^最后一个 Dense 层有 12 个单元，而只有 10 个类别：稀疏分类交叉熵可以接受/,
    noDense: /^模型没有 Dense 层：它会原样输出 784 个输入值.*请在最后添加一个 Dense\(10, softmax\) 层。$/,
    lr: '学习率 10 远高于 sgd 的常用范围（Keras 默认值为 0.01）：超过 1 时，训练通常会发散或停留在随机猜测的水平。',
    chance: /^模型没有在学习。 第 1 轮后训练准确率为 0\.\d{4}，不比在 10 个类别中随机猜测更好。 学习率 10 可能太高了：把它调低（例如 1）再训练。$/,
  },
};

describe('the output layer must fit the classes', () => {
  for (const lang of ['en', 'zh']) {
    test(`${lang}: a 100:relu output is refused with what to write, Start waits, the fix restores it`, async () => {
      const { page, context, errors } = await openApp(browser, server.url);
      await page.click(`[data-lang="${lang}"]`);
      const text = TEXT[lang];
      // The model: 100:relu as the last layer.
      await page.click('#layers [data-index="1"] [data-act="remove"]');
      await page.waitForFunction(() => /100 /.test(document.querySelector('.field-error[data-error-for="layer-0"]').textContent));
      assert.equal(await lineFor(page, 'layer-0'), text.wide);
      assert.equal(await startEnabled(page), false);
      assert.equal(await page.isEnabled('#btn-step'), false);
      await shootCards(page, `builder-wide-${lang}`, BUILDER);
      // The other language follows at once.
      const other = lang === 'en' ? 'zh' : 'en';
      await page.click(`[data-lang="${other}"]`);
      assert.equal(await lineFor(page, 'layer-0'), TEXT[other].wide);
      await page.click(`[data-lang="${lang}"]`);
      // Written as the message says: a Dense(10, softmax) after it.
      await page.click('#add-dense');
      await page.fill(units(0), '100');
      await page.fill(units(1), '10');
      await page.selectOption('#layers [data-index="1"] [name="activation"]', 'softmax');
      await waitStart(page, true);
      assert.equal(await lineFor(page, 'layer-1'), '');
      assert.equal(await lineFor(page, 'layer-0'), '');
      assert.equal(await page.isHidden('#model-warn'), true);

      // A sparse loss accepts a wider output with a warning, not a narrower one.
      await page.selectOption('#loss', 'sparse_categorical_crossentropy');
      await page.fill(units(1), '12');
      await page.waitForFunction(() => document.querySelector('[data-warn-for="layer-1"]'));
      assert.match(await warnFor(page, 'layer-1'), text.wider);
      assert.equal(await lineFor(page, 'layer-1'), '');
      await waitStart(page, true);
      await shootCards(page, `builder-sparse-wide-${lang}`, BUILDER);
      await page.fill(units(1), '5');
      await waitStart(page, false);
      assert.match(await lineFor(page, 'layer-1'), text.narrow);
      assert.equal(await warnFor(page, 'layer-1'), null);
      await page.fill(units(1), '10');
      await waitStart(page, true);

      // No Dense layer at all: only a dropout.
      await page.click('#layers [data-index="0"] [data-act="remove"]');
      await page.click('#add-dropout');
      await page.click('#layers [data-index="1"] [data-act="remove"]');
      await waitStart(page, false);
      assert.match(await lineFor(page, 'layers'), text.noDense);
      await shootCards(page, `builder-nodense-${lang}`, BUILDER);
      await page.click('[data-preset="mlp"]');
      await waitStart(page, true);
      assert.equal(await lineFor(page, 'layers'), '');
      assert.deepEqual(errors, []);
      await context.close();
    });
  }
});

describe('a learning rate far above the usual range', () => {
  for (const lang of ['en', 'zh']) {
    test(`${lang}: warned next to the field; the run at chance level says so once`, async () => {
      const { page, context, errors } = await openApp(browser, server.url);
      await page.click(`[data-lang="${lang}"]`);
      const text = TEXT[lang];
      await page.selectOption('#optimizer', 'sgd');
      assert.equal(await warnFor(page, 'lr'), null);
      await page.fill('#lr', '1');
      assert.equal(await warnFor(page, 'lr'), null); // 100 × 0.01 is still usual
      await page.fill('#lr', '10');
      assert.equal(await warnFor(page, 'lr'), text.lr);
      await waitStart(page, true); // a warning, not a refusal
      await shootCards(page, `builder-lr-${lang}`, BUILDER);

      // The MLP with sgd at 10 stays near 0.1 (checked with the CLI, seed 42).
      await setField(page, '#trainLimit', 2000);
      await setField(page, '#epochs', 2);
      const run = await train(page);
      assert.equal(run.status, 'done');
      assert.ok(run.history.accuracy.every((a) => a < 0.15), JSON.stringify(run.history));
      // Said once, after epoch 1, in the banner a divergence uses, with the same advice.
      const banner = await page.textContent('#train-error');
      assert.match(banner, text.chance);
      assert.ok(banner.includes(run.history.accuracy[0].toFixed(4)), banner);
      await shootCards(page, `train-chance-${lang}`, ['#card-train']);

      // Back to the usual range: the warning goes.
      await page.fill('#lr', '0.1');
      assert.equal(await warnFor(page, 'lr'), null);
      // adam's line is lower: 0.1 is fine, 0.5 warns.
      await page.selectOption('#optimizer', 'adam');
      await page.fill('#lr', '0.5');
      assert.match(await warnFor(page, 'lr'), lang === 'en' ? /^A learning rate of 0\.5 .* adam .*0\.001.* above 0\.1 / : /^学习率 0\.5 远高于 adam/);
      assert.deepEqual(errors, []);
      await context.close();
    });
  }
});
