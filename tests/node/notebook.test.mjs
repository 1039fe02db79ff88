// notebook.test.mjs — Download notebook (web/js/notebook.js), without a browser: the
// file is nbformat 4.5 JSON, its code cells are the page's Keras code (the same lines as
// the code view) followed by the history plot, its headings follow the language, and
// its Python parses (python3's ast module; skipped, visibly, where python3 is missing).
//
// Run: node --test tests/node/notebook.test.mjs

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

import { parseLayerString } from '../../web/js/layers.js';
import { PRESETS, defaultConfig, kerasCode } from '../../web/js/model_config.js';
import { notebook, notebookCode, notebookJson } from '../../web/js/notebook.js';
import { PARTS } from '../../web/js/i18n.js';

const table = (lang) => Object.assign({}, ...Object.values(PARTS).map((p) => p[lang]));
const tr = (lang) => (key, params) => {
  const s = table(lang)[key];
  assert.ok(s !== undefined, `no sentence for ${key}`);
  return params ? s.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m)) : s;
};

const setups = {
  mlp: defaultConfig(),
  cnn: { ...defaultConfig(), layers: PRESETS.cnnKeras.layers, batchSize: 128, epochs: 12, validation: 'split', validationSplit: 0.1 },
  sparse: { ...defaultConfig(), layers: parseLayerString('256:relu,dropout:0.2,10:softmax'), loss: 'sparse_categorical_crossentropy', trainLimit: 2000 },
};

test('the notebook is nbformat 4.5 with unique cell ids and Python 3 as its kernel', () => {
  const nb = JSON.parse(notebookJson(setups.mlp, tr('en')));
  assert.equal(nb.nbformat, 4);
  assert.equal(nb.nbformat_minor, 5);
  assert.equal(nb.metadata.kernelspec.name, 'python3');
  const ids = nb.cells.map((c) => c.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const c of nb.cells) {
    assert.ok(['markdown', 'code'].includes(c.cell_type));
    assert.ok(/^[a-zA-Z0-9-_]{1,64}$/.test(c.id));
    assert.ok(c.source.slice(0, -1).every((l) => l.endsWith('\n')) && !c.source.at(-1).endsWith('\n'));
    if (c.cell_type === 'code') assert.deepEqual([c.execution_count, c.outputs], [null, []]);
  }
});

test('its code is the page\'s Keras code of the setup, then the history plot', () => {
  for (const [name, c] of Object.entries(setups)) {
    const code = notebookCode(notebook(c, tr('en')));
    // the code view's lines, in order, with nothing else between them
    const page = kerasCode(c).split('\n').filter(Boolean);
    const lines = code.split('\n').filter(Boolean);
    assert.deepEqual(lines.slice(0, page.length), page, name);
    assert.match(code, /history = model\.fit\(/);
    assert.match(code, /plt\.show\(\)/);
    assert.match(code, /history\.history\["val_" \+ metric\]/);
  }
  assert.match(notebookCode(notebook(setups.sparse, tr('en'))), /loss="sparse_categorical_crossentropy"/);
  assert.doesNotMatch(notebookCode(notebook(setups.sparse, tr('en'))), /to_categorical/);
  assert.match(notebookCode(notebook(setups.cnn, tr('en'))), /keras\.Input\(shape=\(28, 28, 1\)\)/);
});

test('its headings are in the page\'s language and name the setup', () => {
  const md = (lang) => notebook(setups.cnn, tr(lang)).cells.filter((c) => c.cell_type === 'markdown').map((c) => c.source.join(''));
  assert.match(md('en')[0], /^# MNIST with Keras: CNN 32-64 · adam 0\.001 · 12 epochs/);
  assert.match(md('zh')[0], /^# 用 Keras 训练 MNIST：CNN 32-64 · adam 0\.001 · 12 轮/);
  assert.ok(md('zh').every((s) => /[\u4e00-\u9fff]/.test(s)));
});

test('its Python parses', (t) => {
  const probe = spawnSync('python3', ['-c', 'import ast'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    t.skip('python3 is not installed: the syntax of the notebook\'s code was not checked');
    return;
  }
  for (const [name, c] of Object.entries(setups)) {
    const code = notebookCode(notebook(c, tr('zh')));
    const r = spawnSync('python3', ['-c', 'import ast, sys; ast.parse(sys.stdin.read())'], { input: code, encoding: 'utf8' });
    assert.equal(r.status, 0, `${name}: ${r.stderr}`);
  }
  // the check itself: broken Python is refused
  const r = spawnSync('python3', ['-c', 'import ast, sys; ast.parse(sys.stdin.read())'], { input: 'model.fit(\n', encoding: 'utf8' });
  assert.notEqual(r.status, 0);
});
