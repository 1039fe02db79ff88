// model_output.test.mjs — the rules of web/js/model_config.js about what a
// model outputs and how it is trained (issue 9), without a browser: the
// output width against the data's classes for each loss, a learning rate far
// above the optimizer's usual range, and a training accuracy at chance level;
// and that every sentence these give exists in both languages, filled in.
//
// Run: node --test tests/node/model_output.test.mjs

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  MNIST_INFO, OPTIMIZERS, atChanceLevel, defaultConfig, lrIsHigh, modelWarnings, outputLayer, validateModel,
} from '../../web/js/model_config.js';

// i18n.js picks its language from localStorage (else navigator) when it loads:
// one instance per language, through a distinct URL each.
async function i18nIn(lang) {
  globalThis.localStorage = { getItem: () => lang };
  return import(`../../web/js/i18n.js?${lang}`);
}
const en = await i18nIn('en');
const zh = await i18nIn('zh');
delete globalThis.localStorage;

const dense = (units, activation = 'relu') => ({ kind: 'dense', units, activation });
const dropout = (rate) => ({ kind: 'dropout', rate });
const config = (layers, more = {}) => ({ ...defaultConfig(), layers, ...more });
const SPARSE = { loss: 'sparse_categorical_crossentropy' };
const verdicts = (list) => list.map((e) => `${e.field}${e.index ?? ''}:${e.key}`);
const TOY = { ...MNIST_INFO, name: 'toy', builtin: false, rows: 12, cols: 12, classes: 3 };

// Both languages have the sentence, and every {placeholder} is filled.
function sentences(problem) {
  const out = {};
  for (const [lang, i18n] of [['en', en], ['zh', zh]]) {
    const s = i18n.t(problem.key, problem.params);
    assert.notEqual(s, problem.key, `${lang} has no ${problem.key}`);
    assert.doesNotMatch(s, /\{\w+\}/, `${lang} ${problem.key}: ${s}`);
    out[lang] = s;
  }
  assert.notEqual(out.zh, out.en, `${problem.key} is not translated`);
  return out;
}

test('the output is the last Dense layer, or the input when there is none', () => {
  assert.deepEqual(outputLayer(config([dense(100), dropout(0.2), dense(10, 'softmax'), dropout(0.1)])),
    { index: 2, units: 10, activation: 'softmax' });
  assert.deepEqual(outputLayer(config([dropout(0.2)])), { index: -1 });
});

test('categorical cross-entropy: exactly one output per class, else refused with what to write', () => {
  assert.deepEqual(validateModel(config([dense(100), dense(10, 'softmax')])), []);
  const wide = validateModel(config([dense(100)]));
  assert.deepEqual(verdicts(wide), ['units0:err.lastUnits']);
  assert.equal(sentences(wide[0]).en, 'The last Dense layer has 100 units, but the data has 10 classes: categorical '
    + 'cross-entropy needs exactly one unit per class. Give it 10 units, or add a Dense(10, softmax) layer after it.');
  assert.match(sentences(wide[0]).zh, /100 个单元.*10 个类别.*Dense\(10, softmax\)/);
  assert.deepEqual(verdicts(validateModel(config([dense(100), dense(7, 'softmax')]))), ['units1:err.lastUnits']);
  // The classes come from the loaded data.
  assert.deepEqual(validateModel(config([dense(3, 'softmax')]), TOY), []);
  const toy = validateModel(config([dense(10, 'softmax')]), TOY);
  assert.deepEqual(verdicts(toy), ['units0:err.lastUnits']);
  assert.match(sentences(toy[0]).en, /has 10 units, but the data has 3 classes.*Dense\(3, softmax\)/);
});

test('sparse categorical cross-entropy: a wider output is a warning, a narrower one refused', () => {
  assert.deepEqual(validateModel(config([dense(10, 'softmax')], SPARSE)), []);
  assert.deepEqual(modelWarnings(config([dense(10, 'softmax')], SPARSE)), []);

  const wide = config([dense(100), dense(12, 'softmax')], SPARSE);
  assert.deepEqual(validateModel(wide), []);
  const warns = modelWarnings(wide);
  assert.deepEqual(verdicts(warns), ['units1:warn.wideOutput']);
  assert.match(sentences(warns[0]).en, /^The last Dense layer has 12 units for 10 classes: .* the 2 extra outputs match no label/);
  // The categorical loss gives no such warning: it refuses.
  assert.deepEqual(verdicts(modelWarnings({ ...wide, loss: 'categorical_crossentropy' })), []);
  assert.deepEqual(verdicts(validateModel({ ...wide, loss: 'categorical_crossentropy' })), ['units1:err.lastUnits']);

  const narrow = validateModel(config([dense(100), dense(5, 'softmax')], SPARSE));
  assert.deepEqual(verdicts(narrow), ['units1:err.lastUnitsSparse']);
  assert.match(sentences(narrow[0]).en, /has 5 units, but the data has 10 classes: sparse .* at least one unit per class/);
});

test('a model without a Dense layer is refused for both losses, saying what to add', () => {
  for (const extra of [{}, SPARSE]) {
    const errs = validateModel(config([dropout(0.2)], extra));
    assert.deepEqual(verdicts(errs), ['layers:err.noDense']);
    assert.match(sentences(errs[0]).en, /no Dense layer: it would output its 784 input values .* 10 classes\. Add a Dense\(10, softmax\) layer at the end\.$/);
    assert.match(sentences(errs[0]).zh, /784 个输入值.*Dense\(10, softmax\)/);
  }
  assert.match(sentences(validateModel(config([dropout(0.2)]), TOY)[0]).en, /its 144 input values .* 3 classes\. Add a Dense\(3, softmax\)/);
  // Bad units are reported as such, not as a wrong width.
  assert.deepEqual(verdicts(validateModel(config([dense(0)]))), ['units0:err.units']);
  assert.deepEqual(verdicts(validateModel(config([dense(NaN)]))), ['units0:err.units']);
});

test('a learning rate above 100 × Keras\'s default warns next to the field, never refuses', () => {
  // nn_optimizer_lr_is_high in src/optimizers.c: above 1 for sgd, above 0.1 for the others.
  assert.equal(lrIsHigh('sgd', 1), false);
  assert.equal(lrIsHigh('sgd', 1.01), true);
  for (const opt of ['adam', 'rmsprop', 'adamax', 'adagrad', 'nadam']) {
    assert.equal(lrIsHigh(opt, 0.1), false, opt);
    assert.equal(lrIsHigh(opt, 0.11), true, opt);
  }
  for (const [optimizer, lr] of [['sgd', 10], ['sgd', 100], ['adam', 10], ['adam', 100]]) {
    for (const layers of [[dense(10, 'softmax')], [dense(100), dense(10, 'softmax')]]) {
      const c = config(layers, { optimizer, lr });
      assert.deepEqual(validateModel(c), []);
      const warns = modelWarnings(c);
      assert.deepEqual(verdicts(warns), ['lr:warn.lrHigh']);
      assert.equal(warns[0].params.usual, OPTIMIZERS[optimizer].lr);
    }
  }
  const warn = modelWarnings(config([dense(10, 'softmax')], { optimizer: 'sgd', lr: 10 }))[0];
  assert.equal(sentences(warn).en, 'A learning rate of 10 is far above the usual range for sgd (Keras’s default is 0.01): '
    + 'above 1 training usually diverges or stays at chance level.');
  assert.deepEqual(modelWarnings(config([dense(10, 'softmax')], { optimizer: 'sgd', lr: 0.5 })), []);
  // No warning for a rate that is refused anyway.
  assert.deepEqual(modelWarnings(config([dense(10, 'softmax')], { lr: NaN })), []);
  // Both warnings at once, each at its field; the softmax advice is about the whole model.
  assert.deepEqual(verdicts(modelWarnings(config([dense(64), dense(11, 'relu')], { ...SPARSE, lr: 1 }))),
    ['lr:warn.lrHigh', 'units1:warn.wideOutput', 'undefined:warn.softmax']);
});

test('a training accuracy below 1.5 / classes after an epoch is chance level', () => {
  assert.equal(atChanceLevel(0.15, 10), false);
  assert.equal(atChanceLevel(0.9, 10), false);
  assert.equal(atChanceLevel(NaN, 10), false);
  assert.equal(atChanceLevel(0.0987, 10), true);
  assert.equal(sentences({ key: 'train.chanceNote', params: { epoch: 2, acc: '0.0987', n: 10 } }).en,
    'After epoch 2 the training accuracy is 0.0987, no better than guessing one of 10 classes.');
  // Three classes: chance is 1/3, the line 0.5.
  assert.equal(atChanceLevel(0.45, 3), true);
  assert.equal(atChanceLevel(0.55, 3), false);
});
